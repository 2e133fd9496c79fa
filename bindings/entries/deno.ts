// Deno entry: Deno compiles tapegrad.wasm from a source-phase import (no --allow-read needed);
// the core is ready on import.
import wasm from "./deno-wasm.js";
import { init } from "../runtime/init.js";

await init({ module: wasm });

export * from "../index.js";
