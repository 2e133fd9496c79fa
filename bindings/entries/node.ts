// Node entry: the core is read from dist/ next to this bundle and ready on import
// (tapegrad.relaxed.wasm where the engine runs relaxed SIMD, tapegrad.wasm otherwise).
import { readFile } from "node:fs/promises";
import { init, relaxedSimdSupported, setDefaultSource } from "../runtime/init.js";

setDefaultSource(async () => ({
  bytes: await readFile(new URL(relaxedSimdSupported() ? "./tapegrad.relaxed.wasm" : "./tapegrad.wasm", import.meta.url)),
}));
await init();

export * from "../index.js";
