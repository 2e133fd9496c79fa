// Loading the WebAssembly core. Each entry (Node, Deno, browser, workerd) supplies a default
// source; `init()` is idempotent and every op before it resolves throws "await init()".
import { install, isInstalled } from "./core.js";

export interface InitOptions {
  /** a compiled module (what a Workers `.wasm` import gives) */
  module?: WebAssembly.Module;
  /** the bytes of tapegrad.wasm */
  bytes?: BufferSource;
  /** where to fetch tapegrad.wasm from */
  url?: string | URL;
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
