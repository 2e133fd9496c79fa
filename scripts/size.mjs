#!/usr/bin/env node
// npm run size: the size of what a page downloads, checked against the budget.
//   - each dist/*.wasm, raw and gzipped: at most 64 KB gzipped
//   - the browser entry with the library chunk it imports, bundled, minified (terser) and
//     gzipped: at most 60 KB
//   - each optional subpath (tapegrad/io, tapegrad/viz, ...): what importing it adds to that
// Exits 1 when over budget. Needs a build (npm run build) first.
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { rollup } from "rollup";
import terser from "@rollup/plugin-terser";

const KB = 1024;
const BUDGET = { wasmGzip: 64 * KB, jsMinGzip: 60 * KB };
const dist = fileURLToPath(new URL("../dist/", import.meta.url));

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / KB).toFixed(1)} KB`;

/** Bundles `input` with terser into one file, leaving the modules `exclude` matches out. */
async function minified(input, exclude) {
  const bundle = await rollup({ input: dist + input, external: exclude, onwarn: () => {} });
  try {
    const { output } = await bundle.generate({ format: "es", plugins: [terser()] });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

const rows = [];
let over = false;
function report(what, raw, gzipped, budget) {
  const fits = budget === undefined || gzipped <= budget;
  over ||= !fits;
  const limit = budget === undefined ? "" : `${fits ? "within" : "OVER"} budget ${kb(budget)}`;
  rows.push([what, kb(raw), kb(gzipped), limit]);
}

const wasmFiles = readdirSync(dist).filter((f) => f.endsWith(".wasm"));
if (wasmFiles.length === 0) throw new Error("size: no .wasm in dist/; run npm run build first");
for (const file of wasmFiles) {
  const bytes = readFileSync(dist + file);
  report(file, bytes.length, gzip(bytes), BUDGET.wasmGzip);
}
const main = await minified("browser.js", () => false);
report("browser.js + library chunk, minified", main.length, gzip(main), BUDGET.jsMinGzip);
const { exports } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const isLibrary = (id) => /[\\/]tapegrad\.js$/.test(id);
for (const [path, conditions] of Object.entries(exports)) {
  if (path === "." || typeof conditions === "string") continue;
  const subpath = await minified(conditions.browser.default.replace("./dist/", ""), isLibrary);
  report(`tapegrad${path.slice(1)}: what it adds, minified`, subpath.length, gzip(subpath));
}

const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(["", "raw", "gzip", ""].map((h, i) => h.padEnd(widths[i])).join("  "));
for (const row of rows) console.log(row.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
if (over) {
  console.error("size: over budget");
  process.exitCode = 1;
}
