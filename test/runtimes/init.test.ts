// init() on a core that is not loaded yet: this file imports the browser entry directly (vitest
// runs each file in a process of its own, so nothing has initialized it), as a page would.
// Streaming compilation, `{ module }` and `{ bytes }` are covered by the browser, workerd/Deno
// and Node suites; here: the errors, the fallback for servers that do not send
// application/wasm, concurrent calls, and idempotence.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import * as tg from "../../dist/browser.js";
import { serve } from "../../scripts/serve.mjs";

let server: { url: string; close(): Promise<void> };
beforeAll(async () => {
  server = await serve({ root: fileURLToPath(new URL("../../dist/", import.meta.url)), headers: () => ({ "content-type": "application/octet-stream" }) });
});
afterAll(async () => {
  await server?.close();
});

test("ops before init() throw; failed loads reject with the reason and leave it uninitialized; then it loads", async () => {
  const notInitialized =
    "tapegrad is not initialized: await init() before using tensors (in browsers and workers the WebAssembly core loads asynchronously).";
  expect(() => tg.tensor([1, 2, 3])).toThrow(new tg.RuntimeError(notInitialized));

  await expect(tg.init({})).rejects.toThrow("init(): give one of module, bytes or url");
  await expect(tg.init({ url: `${server.url}/missing.wasm` })).rejects.toThrow(`init(): fetching ${server.url}/missing.wasm failed: 404 Not Found`);
  await expect(tg.init({ bytes: new Uint8Array([0, 1, 2, 3]) })).rejects.toThrow(WebAssembly.CompileError);
  expect(() => tg.zeros(2)).toThrow(notInitialized);

  // served as application/octet-stream: no streaming compilation, the bytes are compiled instead
  const url = `${server.url}/tapegrad.wasm`;
  const [first, second] = [tg.init({ url }), tg.init({ url })];
  expect(second).toBe(first);
  await first;
  expect(tg.tensor([1, 2, 3]).sigmoid().toString()).toBe("tensor([0.7311, 0.8808, 0.9526])");

  // once loaded, init() resolves at once whatever it is given
  await tg.init();
  await tg.init({ bytes: new Uint8Array([0]) });
  expect(tg.ones(2).sum().item()).toBe(2);
});
