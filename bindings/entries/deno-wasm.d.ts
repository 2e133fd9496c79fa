/** tapegrad.wasm, compiled by Deno from a source-phase import. */
export declare const simd128: WebAssembly.Module;
/** tapegrad.relaxed.wasm (relaxed SIMD), compiled the same way. */
export declare const relaxed: WebAssembly.Module;
