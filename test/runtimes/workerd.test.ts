// The smoke suite in Cloudflare's workerd (through miniflare), in a module worker that imports
// the package's workerd entry with tapegrad.wasm as a CompiledWasm module, as wrangler deploys it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SMOKE_CHECKS } from "./smoke.js";

const repository = fileURLToPath(new URL("../..", import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

describe("workerd", () => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = new Miniflare({
      modules: true,
      scriptPath: fileURLToPath(new URL("./workerd/worker.js", import.meta.url)),
      modulesRoot: repository,
      modulesRules: [
        { type: "ESModule", include: ["**/*.js"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
        { type: "Text", include: ["**/*.json"] },
      ],
      compatibilityDate: "2025-04-01",
    });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test("the workerd and worker conditions route to the entry the worker imports", () => {
    expect(packageJson.exports["."].workerd).toBe("./dist/workerd.js");
    expect(packageJson.exports["."].worker).toBe("./dist/workerd.js");
  });

  describe("GET /smoke", () => {
    let results: { name: string; ok: boolean; detail: string }[];
    beforeAll(async () => {
      const response = await mf.dispatchFetch("http://localhost/smoke");
      expect(response.status).toBe(200);
      ({ results } = (await response.json()) as { results: typeof results });
    });

    test.each(SMOKE_CHECKS)("%s", (name) => {
      const result = results.find((r) => r.name === name);
      expect(result?.detail).toBe("");
      expect(result?.ok).toBe(true);
    });
  });
});
