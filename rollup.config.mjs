// Bundles bindings/ into dist/: one ESM file per runtime entry plus a single .d.ts.
import typescript from "@rollup/plugin-typescript";
import { dts } from "rollup-plugin-dts";

const entries = { node: "bindings/entries/node.ts" };

export default [
  {
    input: entries,
    output: { dir: "dist", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", sourcemap: true },
    external: [/^node:/],
    plugins: [typescript({ tsconfig: "./tsconfig.json", declaration: false, sourceMap: true, rootDir: "." })],
  },
  {
    input: "bindings/entries/node.ts", // the types of the package entry (io with its file helpers)
    output: { file: "dist/index.d.ts", format: "es" },
    plugins: [dts({ tsconfig: "./tsconfig.json" })],
  },
];
