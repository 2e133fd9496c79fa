// Cloudflare Workers (workerd) entry. Workers refuse to compile WebAssembly from bytes at run
// time; a `.wasm` module import is compiled at deploy time and arrives as a WebAssembly.Module
// (wrangler's default CompiledWasm rule). The import stays a separate module in dist/.
import wasm from "./tapegrad.wasm";
import { init } from "../runtime/init.js";

await init({ module: wasm });

export * from "../index.js";
