// The runtime smoke suite in Node, in this process, against the built package's node entry.
import { readFileSync } from "node:fs";
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
