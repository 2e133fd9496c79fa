// The runtime smoke suite in Node, in this process, against the built package's node entry.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, expect, test } from "vitest";
import * as tg from "tapegrad";
import { SMOKE_CHECKS, runSmoke } from "./smoke.js";

let results: Awaited<ReturnType<typeof runSmoke>>;

beforeAll(async () => {
  const corpus = JSON.parse(readFileSync(new URL("../conformance/corpus.json", import.meta.url), "utf8"));
  results = await runSmoke(tg, { corpus });
});

test.each(SMOKE_CHECKS)("node: %s", (name) => {
  const result = results.find((r) => r.name === name);
  expect(result?.detail).toBe("");
  expect(result?.ok).toBe(true);
});

test("package exports route each runtime's condition to its entry, with declarations", () => {
  const resolveWith = (condition: string) =>
    execFileSync(process.execPath, [`--conditions=${condition}`, "--input-type=module", "-e", 'console.log(import.meta.resolve("tapegrad"))'], {
      encoding: "utf8",
    }).trim();
  const entries = { node: "node", deno: "deno", browser: "browser", workerd: "workerd", worker: "workerd" };
  for (const [condition, entry] of Object.entries(entries)) expect(resolveWith(condition)).toMatch(new RegExp(`/dist/${entry}\\.js$`));
  const exports = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).exports["."];
  expect(exports.default).toBe("./dist/browser.js");
  const declarations = [exports.types, ...Object.values(exports).map((e) => (e as { types?: string }).types).filter(Boolean)];
  for (const file of declarations) expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
});
