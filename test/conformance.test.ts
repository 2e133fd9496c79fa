// Replays the PyTorch-recorded corpus (test/conformance/corpus.json) case by case.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { replayCase } from "./conformance/replay.js";

const corpus = JSON.parse(readFileSync(new URL("./conformance/corpus.json", import.meta.url), "utf8"));

describe.each([0, 1, 2, 3, 4])("corpus tier %i", (tier) => {
  const cases = corpus.cases.filter((c: { tier: number }) => c.tier === tier);
  test.each(cases.map((c: { id: string }) => [c.id, c]))("%s", (_id, c) => {
    const result = replayCase(tg, c);
    expect(result.reason).toBe("");
    expect(result.pass).toBe(true);
  });
});

test("the test copy of the corpus is the shared one", () => {
  const shared = new URL("../../shared/conformance/corpus.json", import.meta.url);
  let sharedText: string | null = null;
  try {
    sharedText = readFileSync(shared, "utf8");
  } catch {
    return; // a clone without the shared folder beside it
  }
  expect(readFileSync(new URL("./conformance/corpus.json", import.meta.url), "utf8")).toBe(sharedText);
});
