// Deno harness: imports the package and its subpaths by name (package.json `exports`, `deno`
// condition) and runs the smoke suite; prints one JSON line for test/runtimes/deno.test.ts. Runs with no permissions
// at all: the entry compiles tapegrad.wasm from a source-phase import, the corpus is a JSON import.
// `deno run smoke.js without-finalization-registry` removes FinalizationRegistry first.
import corpus from "../../conformance/corpus.json" with { type: "json" };
import { runSmoke } from "../smoke.js";

if (Deno.args[0] === "without-finalization-registry") delete globalThis.FinalizationRegistry;
// Subpaths first, before the main entry: they must be ready on import on their own.
// (literal specifiers: Deno grants only the imports it can see without read permission)
const io = await import("tapegrad/io");
const rnn = await import("tapegrad/nn/rnn");
const lrScheduler = await import("tapegrad/optim/lr_scheduler");
const gradcheck = await import("tapegrad/autograd/gradcheck");
const viz = await import("tapegrad/viz");
let subpathAlone = "";
try {
  new rnn.GRU(2, 3).dispose();
} catch (e) {
  subpathAlone = `${e.name}: ${e.message}`;
}
const tg = await import("tapegrad");
const results = await runSmoke(tg, { corpus, subpaths: { io, rnn, lrScheduler, gradcheck, viz } });
const entries = { main: import.meta.resolve("tapegrad"), io: import.meta.resolve("tapegrad/io") };
console.log(JSON.stringify({ entries, subpathAlone, deno: Deno.version.deno, results }));
