// A `.wasm` import in the Workers entry: the runtime hands over the compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
