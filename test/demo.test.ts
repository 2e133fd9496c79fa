// npm run demo: the char-RNN trained with truncated BPTT, run for a handful of steps.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";
import * as io from "tapegrad/io";

const script = fileURLToPath(new URL("../examples/char-rnn.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tapegrad-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

test("trains a few steps, samples text before and after, and saves loadable weights", () => {
  const out = join(dir, "weights.safetensors");
  const output = execFileSync(process.execPath, [script, "--steps", "4", "--hidden", "16", "--out", out], { encoding: "utf8" });
  expect(output).toMatch(/vocabulary \d+, 32 streams/);
  expect(output).toContain("before training:");
  expect(output).toContain("after training:");
  expect(output).toMatch(/step 4\/4 {2}loss \d+\.\d{3} {2}\d+ tokens\/s {2}ETA 0:00/);
  expect(output).toMatch(/trained 4 steps in \d+:\d\d \(\d+ tokens\/s\): loss \d+\.\d+ → \d+\.\d+/);
  const bytes = new Uint8Array(readFileSync(out));
  const state = io.loadSafetensors(bytes);
  expect(Object.keys(state).sort()).toEqual([
    "embed.weight", "head.bias", "head.weight",
    "rnn.bias_hh_l0", "rnn.bias_hh_l1", "rnn.bias_ih_l0", "rnn.bias_ih_l1",
    "rnn.weight_hh_l0", "rnn.weight_hh_l1", "rnn.weight_ih_l0", "rnn.weight_ih_l1",
  ]);
  expect(state["rnn.weight_ih_l0"].shape).toEqual([48, 32]);
  const vocab = JSON.parse(io.loadSafetensorsMetadata(bytes)!.vocab);
  expect(state["head.weight"].shape).toEqual([vocab.length, 16]);
  for (const t of Object.values(state)) t.dispose();
});

test("after the first step, training holds memory flat: no growth, no new heap blocks", () => {
  const output = execFileSync(process.execPath, [script, "--steps", "8", "--hidden", "16", "--memory", "--out", join(dir, "m.safetensors")], { encoding: "utf8" });
  const steps = [...output.matchAll(/memory after step (\d+): live (\d+) bytes in (\d+) blocks \((\d+) tensors\), cached (\d+), heap (\d+), raw allocations (\d+)/g)]
    .map(([, step, live, blocks, tensors, cached, heap, raw]) => ({ step: +step, live: +live, blocks: +blocks, tensors: +tensors, cached: +cached, heap: +heap, raw: +raw }));
  expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const [first, second] = steps;
  for (const s of steps.slice(1)) {
    // the same live tensors (parameters, gradients, Adam's state, the carried hidden state) ...
    expect([s.live, s.blocks, s.tensors]).toEqual([first.live, first.blocks, first.tensors]);
    // ... and linear memory never grows again
    expect(s.heap).toBe(first.heap);
  }
  // from the third step on, every block comes from the allocator's cache
  for (const s of steps.slice(2)) expect(s.raw).toBe(second.raw);
});

test("the loss falls when it trains on a repetitive text", () => {
  const text = join(dir, "abc.txt");
  execFileSync(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(text)}, "abcabd".repeat(2000))`]);
  const output = execFileSync(process.execPath, [script, "--steps", "30", "--hidden", "16", "--text", text, "--out", join(dir, "abc.safetensors")], { encoding: "utf8" });
  const [, first, last] = output.match(/loss (\d+\.\d+) → (\d+\.\d+)/)!;
  expect(Number(last)).toBeLessThan(Number(first) * 0.8);
});

test.each([
  [["--steps", "0"], "--steps must be an integer >= 1"],
  [["--hidden", "big"], "--hidden must be an integer >= 1"],
  [["--bogus"], "Unknown option '--bogus'"],
  [["--text", "/no/such/file.txt"], "cannot read --text /no/such/file.txt: no such file"],
])("bad arguments %j exit non-zero with a clear message", (args, message) => {
  const result = run(...args);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(message);
  expect(result.stderr).toContain("usage: npm run demo --");
});
