// Bundles bindings/ into dist/: one small ESM entry per runtime (they differ only in how they
// load tapegrad.wasm), one entry per optional subpath (`tapegrad/io`, ...), the library in one
// chunk they all share (so every entry sees the same Tensor class and the same core).
// package.json `exports` routes each import path and runtime to its file; the declarations are
// tsc's own, one file per module (npm run build:types, tsconfig.types.json).
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";

// dist/ holds what this build writes, nothing stale; the .wasm builds and the declarations
// (dist/types) come from their own steps of npm run build.
for (const file of readdirSync("dist", { withFileTypes: true })) {
  if (!file.name.endsWith(".wasm") && file.name !== "types") rmSync(resolve("dist", file.name), { recursive: true, force: true });
}

/** The main entry, one per runtime. */
const runtimes = {
  node: "bindings/entries/node.ts",
  deno: "bindings/entries/deno.ts",
  browser: "bindings/entries/browser.ts",
  workerd: "bindings/entries/workerd.ts",
};

/**
 * Optional subpaths (`tapegrad/io`, ...), named after the Python module a PyTorch user imports
 * them from: what a feed-forward training loop does not need stays out of the main entry's
 * download. package.json `exports` lists them; the declarations each names (tsc's, one per
 * module of bindings/) say which module a subpath is, and under the `node` condition which
 * flavour with more API (file helpers) it is there. { name: { source, node? } }
 */
const moduleOf = (types) => types.replace(/^\.\/dist\/types\//, "bindings/").replace(/\.d\.ts$/, ".ts");
const subpaths = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync("package.json", "utf8")).exports)
    .filter(([path, conditions]) => path !== "." && typeof conditions === "object")
    .map(([path, conditions]) => {
      const source = moduleOf(conditions.types);
      const node = moduleOf(conditions.node.types);
      return [path.slice(2), node === source ? { source } : { source, node }];
    }),
);

/**
 * In Node, Deno and workerd the main entry is ready on import, and so must a subpath be when it
 * is imported alone: there each subpath has a file `<subpath>.<runtime>.js` that imports the
 * runtime's entry first (a virtual module, below). Browsers call init() from the main entry.
 */
const READY_ON_IMPORT = ["node", "deno", "workerd"];
const VIRTUAL = "\0subpath:";

const subpathEntries = Object.fromEntries(
  Object.entries(subpaths).flatMap(([name, { source }]) => [
    [name, source],
    ...READY_ON_IMPORT.map((runtime) => [`${name}.${runtime}`, `${VIRTUAL}${runtime}:${name}`]),
  ]),
);

const subpathFlavours = {
  name: "subpath-flavours",
  resolveId: (id) => (id.startsWith(VIRTUAL) ? id : null),
  load(id) {
    if (!id.startsWith(VIRTUAL)) return null;
    const [runtime, name] = id.slice(VIRTUAL.length).split(":");
    const module = subpaths[name][runtime] ?? subpaths[name].source;
    return `import ${JSON.stringify(resolve(runtimes[runtime]))};\nexport * from ${JSON.stringify(resolve(module))};\n`;
  },
};

/** The Workers and Deno entries import the core as a module; it must stay an import of the file beside it. */
const wasmModuleImport = {
  name: "wasm-module-import",
  resolveId(source) {
    return /^\.\/tapegrad(\.relaxed)?\.wasm$/.test(source) ? { id: source, external: true } : null;
  },
};

const LIBRARY = /[\\/]bindings[\\/]index\.ts$/;

/**
 * What the main API (bindings/index.ts) reaches goes into the shared chunk (one file: each file
 * more is a request in browsers and a file for Node's loader). A module only a subpath reaches is
 * left to rollup, which puts it in that subpath's file.
 */
function chunkOf(id, { getModuleIds, getModuleInfo }) {
  libraryModules ??= reachableFrom([...getModuleIds()].find((m) => LIBRARY.test(m)), getModuleInfo);
  return libraryModules.has(id) ? "tapegrad" : undefined;
}
/** The modules the main API reaches, found at the first chunk assignment of the (one) build. */
let libraryModules;

function reachableFrom(root, getModuleInfo) {
  const seen = new Set();
  const visit = (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const imported of getModuleInfo(id)?.importedIds ?? []) visit(imported);
  };
  visit(root);
  return seen;
}

/**
 * dist/ ships minified (with source maps). Property names are left alone: users subclass
 * nn.Module and set their own fields on it and on autograd ctx objects, and short mangled names
 * for the internal `_` fields would collide with theirs (`this.W = ...`).
 */
const shipped = terser({ keep_classnames: true });

export default {
  input: { ...runtimes, ...subpathEntries },
  output: {
    dir: "dist",
    format: "es",
    entryFileNames: "[name].js",
    chunkFileNames: "[name].js",
    manualChunks: chunkOf,
    // a runtime flavour imports its entry and its subpath, nothing it would pull in on its own (Deno
    // would instantiate a bare `import "./tapegrad.wasm"` as a WebAssembly module)
    hoistTransitiveImports: false,
    sourcemap: true,
    plugins: [shipped],
  },
  external: [/^node:/],
  plugins: [wasmModuleImport, subpathFlavours, typescript({ tsconfig: "./tsconfig.json", declaration: false, sourceMap: true, rootDir: "." })],
};
