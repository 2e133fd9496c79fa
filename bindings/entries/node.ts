// Node entry: the core is read from dist/tapegrad.wasm next to this bundle and ready on import.
import { readFile } from "node:fs/promises";
import { init, setDefaultSource } from "../runtime/init.js";

setDefaultSource(async () => ({ bytes: await readFile(new URL("./tapegrad.wasm", import.meta.url)) }));
await init();

export * from "../index.js";
