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

/** Set by each entry point: how this runtime finds tapegrad.wasm when init() gets no options. */
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
    const response = fetch(options.url);
    if (typeof WebAssembly.instantiateStreaming === "function") {
      try {
        return (await WebAssembly.instantiateStreaming(response, imports)).instance;
      } catch {
        // a server without the application/wasm type: fall back to bytes
      }
    }
    return (await WebAssembly.instantiate(await (await fetch(options.url)).arrayBuffer(), imports)).instance;
  }
  throw new Error("init(): give one of module, bytes or url");
}

/** Loads the WebAssembly core (once). Node and Deno entries have already called it on import. */
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
