// Node entry: the core is read from dist/tapegrad.wasm next to this bundle and ready on import.
import { readFile } from "node:fs/promises";
import { init, setDefaultSource } from "../runtime/init.js";

setDefaultSource(async () => ({ bytes: await readFile(new URL("./tapegrad.wasm", import.meta.url)) }));
await init();

export * from "../index.js";
// io with the file helpers; shadows the runtime-neutral `io` of the line above
export * as io from "../io/node.js";
