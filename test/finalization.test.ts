// Handles that are never disposed: the FinalizationRegistry returns their memory once the
// garbage collector has taken them (a child process, for --expose-gc).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "vitest";

test("forgotten handles are freed after garbage collection, whatever else was disposed around them", async () => {
  const script = fileURLToPath(new URL("./finalization/forgotten.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", script]);
  const { forgotten, after } = JSON.parse(stdout.trim().split("\n").pop() as string);
  // 3000 × two forgotten float32[16] (64 bytes each), 25 forgotten float32[8] (32 bytes each)
  expect(forgotten).toBe(3000 * 2 * 64 + 25 * 32);
  expect(after).toBe(0);
});
