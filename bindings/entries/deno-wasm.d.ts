/** tapegrad.wasm, compiled by Deno from a source-phase import. */
declare const wasm: WebAssembly.Module;
export default wasm;
