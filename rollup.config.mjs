// Bundles bindings/ into dist/: one small ESM entry per runtime (they differ in how they load
// tapegrad.wasm) with the library in one chunk they share, the Node entry as one file of its own
// (with io's file helpers), and the declarations.
// package.json `exports` routes each runtime to its entry.
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { dts } from "rollup-plugin-dts";

const entries = {
  deno: "bindings/entries/deno.ts",
  browser: "bindings/entries/browser.ts",
  workerd: "bindings/entries/workerd.ts",
};

/** The Workers and Deno entries import the core as a module; it must stay an import of the file beside it. */
const wasmModuleImport = {
  name: "wasm-module-import",
  resolveId(source) {
    return /^\.\/tapegrad(\.relaxed)?\.wasm$/.test(source) ? { id: source, external: true } : null;
  },
};

/**
 * Everything but the entries goes into one shared chunk. viz gets a chunk of its own only so
 * that the size budget (scripts/size.mjs) can weigh the core API without it.
 */
function chunkOf(id) {
  if (/[\\/]bindings[\\/]entries[\\/]/.test(id)) return undefined;
  return /[\\/]bindings[\\/]viz[\\/]/.test(id) ? "viz" : "tapegrad";
}

/**
 * dist/ ships minified (with source maps). Property names are left alone: users subclass
 * nn.Module and set their own fields on it and on autograd ctx objects, and short mangled names
 * for the internal `_` fields would collide with theirs (`this.W = ...`).
 */
const shipped = terser({ keep_classnames: true });

export default [
  {
    input: entries,
    output: {
      dir: "dist",
      format: "es",
      entryFileNames: "[name].js",
      chunkFileNames: "[name].js",
      manualChunks: chunkOf,
      sourcemap: true,
      plugins: [shipped],
    },
    plugins: [wasmModuleImport, typescript({ tsconfig: "./tsconfig.json", declaration: false, sourceMap: true, rootDir: "." })],
  },
  // Node's entry is one file: every module file more is one more resolve, read and link in
  // Node's loader, about a millisecond of cold start each.
  {
    input: { node: "bindings/entries/node.ts" },
    output: { dir: "dist", format: "es", entryFileNames: "[name].js", sourcemap: true, plugins: [shipped] },
    external: [/^node:/],
    plugins: [wasmModuleImport, typescript({ tsconfig: "./tsconfig.json", declaration: false, sourceMap: true, rootDir: "." })],
  },
  // Declarations: the runtime-neutral API, and the Node entry's (io with its file helpers).
  ...[
    ["bindings/index.ts", "dist/index.d.ts"],
    ["bindings/entries/node.ts", "dist/node.d.ts"],
  ].map(([input, file]) => ({ input, output: { file, format: "es" }, plugins: [dts({ tsconfig: "./tsconfig.json", compilerOptions: { stripInternal: true } })] })),
];
