// What a user downloads. tapegrad's sizes are `npm run size`'s (scripts/size.mjs: each .wasm and
// the minified browser bundle against their budgets), reported as it prints them; the .wasm
// target is judged on the same files compressed the same way (gzip -9). Beside them, the peers'
// published files.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const sizeScript = fileURLToPath(new URL("../scripts/size.mjs", import.meta.url));
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

const PEER_FILES = [
  ["tfjs-wasm", "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"],
  ["tfjs-wasm", "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"],
  ["tfjs (core, both backends need it)", "@tensorflow/tfjs-core/dist/tf-core.min.js"],
  ["tfjs-cpu", "@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js"],
];

/** `npm run size`'s output; it exits 1 when over budget, which is a result here, not a failure. */
function sizeReport() {
  try {
    return execFileSync(process.execPath, [sizeScript], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (typeof e.stdout === "string" && e.stdout.length > 0) return e.stdout + (e.stderr ?? "");
    throw e;
  }
}

/** { report: npm run size's table, wasm: [{ file, raw, gzip }], peers: [{ library, file, raw, gzip }] } in bytes. */
export function measureSizes() {
  const wasm = readdirSync(dist)
    .filter((f) => f.endsWith(".wasm"))
    .map((file) => {
      const bytes = readFileSync(dist + file);
      return { file: `dist/${file}`, raw: bytes.length, gzip: gzip(bytes) };
    });
  if (wasm.length === 0) throw new Error("bench: no .wasm in dist/; run npm run build first");
  const peers = PEER_FILES.map(([library, path]) => {
    const bytes = readFileSync(require.resolve(path));
    return { library, file: basename(path), raw: bytes.length, gzip: gzip(bytes) };
  });
  return { report: sizeReport().trimEnd(), wasm, peers };
}
