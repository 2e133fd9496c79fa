// A tiny static file server on 127.0.0.1 for the browser tests and the playground.
// Serves files under `root` only, with the MIME types module scripts and
// WebAssembly.instantiateStreaming need; `headers(url)` adds response headers (e.g. a CSP).
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * Starts serving; resolves to { url, close() } once listening. `port` 0 picks a free one.
 * @param {{ root: string, port?: number, headers?: (url: URL) => Record<string, string> }} options
 */
export function serve({ root, port = 0, headers = () => ({}) }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path = join(base, decodeURIComponent(url.pathname));
    if (path !== base && !path.startsWith(base + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, "index.html");
      const body = await readFile(path);
      const type = TYPES[extname(path)] ?? "application/octet-stream";
      res.writeHead(200, { "content-type": type, "cache-control": "no-store", ...headers(url) }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address();
      const close = () =>
        new Promise((closed) => {
          server.close(() => closed());
          server.closeAllConnections(); // a browser keeps idle connections open
        });
      done({ url: `http://127.0.0.1:${actual}`, close });
    });
  });
}
