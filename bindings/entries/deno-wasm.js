// Deno compiles a source-phase import of a .wasm file itself, with no read permission needed.
// (Plain JS: TypeScript does not parse `import source` yet; rollup and Deno do.)
import source simd128 from "./tapegrad.wasm";
import source relaxed from "./tapegrad.relaxed.wasm";

export { simd128, relaxed };
