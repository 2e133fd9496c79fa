#!/usr/bin/env node
// npm run playground: builds (see package.json), then serves the playground on 127.0.0.1 and
// prints its URL. `--port N` (default 8080; a free one when taken).
// The page is served with the CSP it is written for: no eval anywhere, user code runs as a
// module from a Blob URL (hence `blob:`), WebAssembly compiles under 'wasm-unsafe-eval'.
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "./serve.mjs";

export const PLAYGROUND_CSP =
  "default-src 'self'; script-src 'self' blob: 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Response headers for the playground server: its CSP on the playground's pages. */
export function playgroundHeaders(url) {
  return url.pathname.startsWith("/playground/") ? { "content-security-policy": PLAYGROUND_CSP } : {};
}

/** Serves the repository (the page loads ../dist/) and resolves to { url, close } of the page. */
export async function startPlayground({ port = 0 } = {}) {
  const server = await serve({ root, port, headers: playgroundHeaders });
  return { url: `${server.url}/playground/`, close: server.close };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--port");
  const port = i >= 0 ? Number(process.argv[i + 1]) : 8080;
  let playground;
  try {
    playground = await startPlayground({ port });
  } catch (e) {
    if (e.code !== "EADDRINUSE") throw e;
    playground = await startPlayground({ port: 0 });
  }
  console.log(`tapegrad playground: ${playground.url}  (Ctrl+C to stop)`);
}
