// The smoke suite in Deno (the `deno` npm package's binary), against the built package.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { SMOKE_CHECKS } from "./smoke.js";

interface Report {
  entries: { main: string; io: string };
  subpathAlone: string;
  deno: string;
  results: { name: string; ok: boolean; detail: string }[];
}

/** The deno package's launcher finds the binary of its platform package itself (no install script needed). */
const denoLauncher = createRequire(import.meta.url).resolve("deno/bin.cjs");
const harness = fileURLToPath(new URL("./deno/smoke.js", import.meta.url));

async function runDeno(...args: string[]): Promise<Report> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [denoLauncher, "run", "--no-lock", "--no-prompt", harness, ...args],
    { env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout.trim().split("\n").pop() as string);
}

describe.each([
  ["deno", []],
  ["deno without FinalizationRegistry", ["without-finalization-registry"]],
])("%s", (_label, args) => {
  let report: Report;
  beforeAll(async () => {
    report = await runDeno(...(args as string[]));
  });

  test("imports the deno entry and flavours by package name, with no permissions", () => {
    expect(report.entries.main).toMatch(/\/dist\/deno\.js$/);
    expect(report.entries.io).toMatch(/\/dist\/io\.deno\.js$/);
  });

  test("a subpath imported before the main entry is ready on import", () => {
    expect(report.subpathAlone).toBe("");
  });

  test.each(SMOKE_CHECKS)("%s", (name) => {
    const result = report.results.find((r) => r.name === name);
    expect(result?.detail).toBe("");
    expect(result?.ok).toBe(true);
  });
});
