// What a user downloads: tapegrad's dist/*.wasm and dist/*.js (raw, gzip -9, and the JS bundled
// and minified with terser as a bundler would ship it), beside the peers' published files.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import terser from "@rollup/plugin-terser";
import { rollup } from "rollup";

const require = createRequire(import.meta.url);
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The bundle of `file` (its chunks inlined, node: builtins left out), minified. */
async function minified(file) {
  const bundle = await rollup({ input: file, external: [/^node:/], onwarn: () => {} });
  try {
    const { output } = await bundle.generate({ format: "es", plugins: [terser()] });
    return Buffer.from(output[0].code);
  } finally {
    await bundle.close();
  }
}

const PEER_FILES = [
  ["tfjs-wasm", "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"],
  ["tfjs-wasm", "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"],
  ["tfjs (core, both backends need it)", "@tensorflow/tfjs-core/dist/tf-core.min.js"],
  ["tfjs-cpu", "@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js"],
];

/** [{ library, file, raw, gzip, minifiedGzip? }] in bytes. */
export async function measureSizes() {
  const rows = [];
  const files = readdirSync(dist).filter((f) => f.endsWith(".wasm") || f.endsWith(".js"));
  if (!files.some((f) => f.endsWith(".wasm"))) throw new Error("bench: no .wasm in dist/; run npm run build first");
  for (const file of files) {
    const bytes = readFileSync(dist + file);
    const row = { library: "tapegrad", file: `dist/${file}`, raw: bytes.length, gzip: gzip(bytes) };
    if (file.endsWith(".js")) row.minifiedGzip = gzip(await minified(dist + file));
    rows.push(row);
  }
  for (const [library, path] of PEER_FILES) {
    const bytes = readFileSync(require.resolve(path));
    rows.push({ library, file: basename(path), raw: bytes.length, gzip: gzip(bytes) });
  }
  return rows;
}
