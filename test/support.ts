// Shared test setup: every test file checks that the tensors it made were all disposed.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import * as tg from "tapegrad";

/** Asserts that the live tensor count returns to where it was, after each test or after the file. */
export function expectNoLeaks(scope: "each" | "all"): void {
  let baseline = 0;
  const [before, after] = scope === "each" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(() => {
    baseline = tg.memory().liveTensors;
  });
  after(() => {
    expect(tg.memory().liveTensors).toBe(baseline);
  });
}
