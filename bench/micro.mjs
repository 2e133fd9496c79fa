#!/usr/bin/env node
// npm run bench: per-op overhead and matmul throughput, tapegrad beside TensorFlow.js's wasm
// backend, interleaved round by round in one process; prints medians. Not a test: timings
// belong here, never in assertions.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tg from "tapegrad";
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
await tf.setBackend("wasm");
await tf.ready();

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds per call of fn, over enough calls to last ~`budget` ms. */
function time(fn, budget = 60) {
  fn();
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t0;
    if (dt > budget) return dt / 1000 / n;
    n *= 2;
  }
}

const cases = [];
const add = (name, unit, impls) => cases.push({ name, unit, impls });

// per-op overhead: a 16-element add, the result disposed
{
  const a = tg.tensor(Array.from({ length: 16 }, (_, i) => i / 16));
  const b = tg.tensor(Array.from({ length: 16 }, (_, i) => 1 - i / 16));
  const ag = tg.tensor(Array.from({ length: 16 }, (_, i) => i / 16), { requiresGrad: true });
  const ta = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i / 16));
  const tb = tf.tensor1d(Array.from({ length: 16 }, (_, i) => 1 - i / 16));
  const us = (s) => s * 1e6;
  add("add, 16 elements (µs/op)", "µs", {
    tapegrad: () => us(time(() => a.add(b).dispose())),
    "tfjs-wasm": () => us(time(() => tf.add(ta, tb).dispose())),
  });
  add("add, 16 elements, grad on (µs/op)", "µs", {
    tapegrad: () => us(time(() => ag.add(b).dispose())),
    "tfjs-wasm (tidy)": () => us(time(() => tf.tidy(() => tf.add(ta, tb)).dispose())),
  });
}

// matmul 256x256: plain and with a transposed operand
{
  const N = 256;
  const data = Array.from({ length: N * N }, (_, i) => Math.sin(i));
  const A = tg.tensor(data).view(N, N);
  const B = tg.tensor(data).view(N, N);
  const tA = tf.tensor2d(data, [N, N]);
  const tB = tf.tensor2d(data, [N, N]);
  const gflops = (s) => (2 * N ** 3) / s / 1e9;
  add(`matmul ${N}x${N} A·B (GFLOP/s)`, "GFLOP/s", {
    tapegrad: () => gflops(time(() => A.matmul(B).dispose())),
    "tfjs-wasm": () => gflops(time(() => tf.matMul(tA, tB).dispose())),
  });
  add(`matmul ${N}x${N} A·Bᵀ (GFLOP/s)`, "GFLOP/s", {
    tapegrad: () => gflops(time(() => tg.tidy(() => A.matmul(B.t())))),
    "tfjs-wasm": () => gflops(time(() => tf.matMul(tA, tB, false, true).dispose())),
  });
}

const results = cases.map((c) => Object.fromEntries(Object.keys(c.impls).map((k) => [k, []])));
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach((c, i) => {
    for (const [name, run] of Object.entries(c.impls)) results[i][name].push(run());
  });
}

console.log(`tapegrad micro-benchmark — median of ${ROUNDS} interleaved rounds, Node ${process.version}`);
cases.forEach((c, i) => {
  const line = Object.entries(results[i]).map(([name, xs]) => `${name} ${median(xs).toFixed(c.unit === "µs" ? 2 : 1)}`);
  const [first, second] = Object.values(results[i]).map(median);
  const ratio = c.unit === "µs" ? second / first : first / second;
  console.log(`${c.name.padEnd(40)} ${line.join("   ")}   (tapegrad ${ratio.toFixed(1)}× better)`);
});
