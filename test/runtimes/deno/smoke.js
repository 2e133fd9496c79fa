// Deno harness: imports the package by name (package.json `exports`, `deno` condition) and runs
// the smoke suite; prints one JSON line for test/runtimes/deno.test.ts. Runs with no permissions
// at all: the entry compiles tapegrad.wasm from a source-phase import, the corpus is a JSON import.
// `deno run smoke.js without-finalization-registry` removes FinalizationRegistry first.
import corpus from "../../conformance/corpus.json" with { type: "json" };
import { runSmoke } from "../smoke.js";

if (Deno.args[0] === "without-finalization-registry") delete globalThis.FinalizationRegistry;
const tg = await import("tapegrad");
const results = await runSmoke(tg, { corpus });
console.log(JSON.stringify({ entry: import.meta.resolve("tapegrad"), deno: Deno.version.deno, results }));
