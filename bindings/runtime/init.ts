// Loading the WebAssembly core. Each entry (Node, Deno, browser, workerd) supplies a default
// source; `init()` is idempotent and every op before it resolves throws "await init()".
import { install, isInstalled } from "./core.js";

export interface InitOptions {
  /** a compiled module (what a Workers `.wasm` import gives) */
  module?: WebAssembly.Module;
  /** the bytes of tapegrad.wasm (or tapegrad.relaxed.wasm, for engines with relaxed SIMD) */
  bytes?: BufferSource;
  /** where to fetch tapegrad.wasm (or tapegrad.relaxed.wasm) from */
  url?: string | URL;
}

/**
 * A one-function module whose body is `f32x4.relaxed_madd` of its three v128 parameters: it
 * validates exactly where the engine runs relaxed SIMD (Node 20 needs
 * --experimental-wasm-relaxed-simd; Chrome 114+, Firefox 120+ and Node 22+ have it).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // types: (v128, v128, v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get 0 1 2; f32x4.relaxed_madd
]);

/**
 * @internal Whether the engine runs relaxed SIMD: the entries then load tapegrad.relaxed.wasm
 * (the same source with fused multiply-adds in matmul) instead of tapegrad.wasm.
 */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

let pending: Promise<void> | null = null;
let defaultSource: (() => Promise<InitOptions>) | null = null;

/** @internal Set by each entry point: how this runtime finds tapegrad.wasm when init() gets no options. */
export function setDefaultSource(source: () => Promise<InitOptions>): void {
  defaultSource = source;
}

const imports = {
  env: {
    abort(): never {
      throw new WebAssembly.RuntimeError("tapegrad.wasm aborted");
    },
  },
};

async function instantiate(options: InitOptions): Promise<WebAssembly.Instance> {
  if (options.module !== undefined) return WebAssembly.instantiate(options.module, imports);
  if (options.bytes !== undefined) return (await WebAssembly.instantiate(options.bytes, imports)).instance;
  if (options.url !== undefined) {
    const response = await fetch(options.url);
    if (!response.ok) throw new Error(`init(): fetching ${options.url} failed: ${response.status} ${response.statusText}`);
    // Streaming compilation needs the server to send application/wasm; otherwise compile the bytes.
    const streamable = response.headers.get("content-type")?.split(";")[0].trim() === "application/wasm";
    if (streamable && typeof WebAssembly.instantiateStreaming === "function") {
      return (await WebAssembly.instantiateStreaming(response, imports)).instance;
    }
    return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
  }
  throw new Error("init(): give one of module, bytes or url");
}

/**
 * Loads the WebAssembly core (once; later calls return the same promise). Node, Deno and the
 * Workers entry have already called it on import; in browsers call `await init()` before the
 * first op, or pass where the core comes from: `{ module }`, `{ bytes }` or `{ url }`.
 */
export function init(options?: InitOptions): Promise<void> {
  if (isInstalled()) return Promise.resolve();
  pending ??= (async () => {
    const source = options ?? (defaultSource !== null ? await defaultSource() : {});
    const instance = await instantiate(source);
    install(instance.exports);
  })().catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}
