// Shared test setup: every test file checks that the tensors it made were all disposed.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import * as tg from "tapegrad";

/** Asserts that live tensors and bytes return to where they were, after each test or after the file. */
export function expectNoLeaks(scope: "each" | "all"): void {
  let baseline = { liveTensors: 0, liveBytes: 0, liveBlocks: 0 };
  const live = () => {
    const { liveTensors, liveBytes, liveBlocks } = tg.memory();
    return { liveTensors, liveBytes, liveBlocks };
  };
  const [before, after] = scope === "each" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(() => {
    baseline = live();
  });
  after(() => {
    expect(live()).toEqual(baseline);
  });
}
