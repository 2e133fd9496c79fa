// Browser entry (also the `default` one): nothing loads on import; `await init()` fetches
// tapegrad.relaxed.wasm (engines with relaxed SIMD) or tapegrad.wasm from beside this file. Each
// URL is written as `new URL("./file.wasm", import.meta.url)` literally, the pattern bundlers
// (Vite, webpack, Parcel, esbuild with a loader) recognize and rewrite to wherever they emit the asset.
import { relaxedSimdSupported, setDefaultSource } from "../runtime/init.js";

setDefaultSource(async () => ({
  url: relaxedSimdSupported() ? new URL("./tapegrad.relaxed.wasm", import.meta.url) : new URL("./tapegrad.wasm", import.meta.url),
}));

export * from "../index.js";
