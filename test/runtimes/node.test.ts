// The runtime smoke suite in Node, in this process, against the built package's node entry.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, expect, test } from "vitest";
import * as tg from "tapegrad";
import * as io from "tapegrad/io";
import * as rnn from "tapegrad/nn/rnn";
import * as lrScheduler from "tapegrad/optim/lr_scheduler";
import * as gradcheck from "tapegrad/autograd/gradcheck";
import * as viz from "tapegrad/viz";
import { SMOKE_CHECKS, runSmoke } from "./smoke.js";

let results: Awaited<ReturnType<typeof runSmoke>>;

beforeAll(async () => {
  const corpus = JSON.parse(readFileSync(new URL("../conformance/corpus.json", import.meta.url), "utf8"));
  results = await runSmoke(tg, { corpus, subpaths: { io, rnn, lrScheduler, gradcheck, viz } });
});

test.each(SMOKE_CHECKS)("node: %s", (name) => {
  const result = results.find((r) => r.name === name);
  expect(result?.detail).toBe("");
  expect(result?.ok).toBe(true);
});

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const packageExports = packageJson.exports;
const SUBPATHS = Object.keys(packageExports).filter((path) => path !== "." && typeof packageExports[path] === "object").map((path) => path.slice(2));

/** What `specifier` resolves to under one export condition, asked of a fresh Node process. */
function resolveWith(condition: string, specifier: string): string {
  const code = `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`;
  return execFileSync(process.execPath, [`--conditions=${condition}`, "--input-type=module", "-e", code], { encoding: "utf8" }).trim();
}

test("package exports route each runtime's condition to its entry and subpath flavours, with declarations", () => {
  const entries = { node: "node", deno: "deno", browser: "browser", workerd: "workerd", worker: "workerd" };
  for (const [condition, entry] of Object.entries(entries)) {
    expect(resolveWith(condition, "tapegrad")).toMatch(new RegExp(`/dist/${entry}\\.js$`));
    // in browsers a subpath is the plain module; the other runtimes load a flavour that imports their entry
    const flavour = entry === "browser" ? "" : `\\.${entry}`;
    for (const subpath of SUBPATHS) expect(resolveWith(condition, `tapegrad/${subpath}`)).toMatch(new RegExp(`/dist/${subpath}${flavour}\\.js$`));
  }
  expect(packageExports["."].default).toBe("./dist/browser.js");
  const declarations = Object.values(packageExports).flatMap((conditions) =>
    typeof conditions === "string" ? [] : JSON.stringify(conditions).match(/\.\/dist\/[\w/.]+\.d\.ts/g) ?? [],
  );
  expect(SUBPATHS.sort()).toEqual(["autograd/gradcheck", "io", "nn/rnn", "optim/lr_scheduler", "viz"]);
  expect(declarations.length).toBeGreaterThan(SUBPATHS.length);
  // TypeScript's node10 resolution reads no exports: typesVersions names each subpath's declarations
  expect(packageJson.typesVersions["*"]).toEqual(Object.fromEntries(SUBPATHS.map((s) => [s, [packageExports[`./${s}`].types.slice(2)]])));
  for (const file of declarations) expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
});

test("in Node a subpath imported alone is ready on import, as the main entry is", () => {
  const code = 'const { GRU } = await import("tapegrad/nn/rnn"); const gru = new GRU(3, 3); const [out] = gru.call(gru.weight_hh_l0); console.log(out.shape.join(","))';
  expect(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" }).trim()).toBe("9,3");
});
