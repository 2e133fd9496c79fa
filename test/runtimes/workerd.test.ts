// The smoke suite in Cloudflare's workerd (through miniflare), in a module worker that imports
// the package's workerd entry with tapegrad.wasm as a CompiledWasm module, as wrangler deploys it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SMOKE_CHECKS } from "./smoke.js";

const repository = fileURLToPath(new URL("../..", import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
const packageJson = readJson("../../package.json");

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
        { type: "Data", include: ["**/*.safetensors"] },
      ],
      compatibilityDate: "2025-04-01",
    });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test("the workerd and worker conditions route to the entry the worker imports", () => {
    expect(packageJson.exports["."].workerd.default).toBe("./dist/workerd.js");
    expect(packageJson.exports["."].worker.default).toBe("./dist/workerd.js");
  });

  test("GET /mlp: PyTorch's MLP from safetensors bytes: logits, loss and gradients as PyTorch computed them", async () => {
    type Values = number | Values[];
    const fixture = readJson("../fixtures/mlp.json"); // PyTorch 2.11 (test/fixtures/MANIFEST.json)
    const response = await mf.dispatchFetch("http://localhost/mlp");
    expect(response.status).toBe(200);
    const got = (await response.json()) as { logits: Values; loss: number; grads: Record<string, Values>; leakedTensors: number };
    const flat = (v: Values): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
    const expectClose = (actual: Values, expected: number[]) => {
      const a = flat(actual);
      expect(a).toHaveLength(expected.length);
      a.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    };
    expectClose(got.logits, fixture.logits.values);
    expect(got.loss).toBeCloseTo(fixture.loss, 5);
    expect(Object.keys(got.grads).sort()).toEqual(Object.keys(fixture.grads).sort());
    for (const [name, grad] of Object.entries(fixture.grads as Record<string, { values: number[] }>)) expectClose(got.grads[name], grad.values);
    expect(got.leakedTensors).toBe(0);
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
