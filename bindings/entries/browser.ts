// Browser entry (also the `default` one): nothing loads on import; `await init()` fetches
// tapegrad.wasm from beside this file. The URL is written as `new URL("./tapegrad.wasm",
// import.meta.url)` literally, the pattern bundlers (Vite, webpack, Parcel, esbuild with a loader)
// recognize and rewrite to wherever they emit the asset.
import { setDefaultSource } from "../runtime/init.js";

setDefaultSource(async () => ({ url: new URL("./tapegrad.wasm", import.meta.url) }));

export * from "../index.js";
