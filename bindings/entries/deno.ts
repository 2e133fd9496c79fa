// Deno entry: Deno compiles both builds of the core from source-phase imports (no --allow-read
// needed); the relaxed-SIMD one is instantiated where the engine runs it, and is ready on import.
import { relaxed, simd128 } from "./deno-wasm.js";
import { init, relaxedSimdSupported } from "../runtime/init.js";

await init({ module: relaxedSimdSupported() ? relaxed : simd128 });

export * from "../index.js";
