#!/usr/bin/env node
// node bench/simd-math.mjs (after npm run build): what assembly/simd buys. The unary kernel on
// 1e6 contiguous float32 (f32x4 lanes) against the same kernel on a strided row (the scalar
// f64 path it took before), in one wasm instance; and softmax / log_softmax / logsumexp over
// the last dim of a float32 [1000, 1000], fused rows (contiguous) against the composed kernels
// (the same values, dim 1 strided). Medians in millions of elements per second. Not a test:
// timings belong here, never in assertions.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as tg from "tapegrad";

const require = createRequire(import.meta.url);
const bytes = readFileSync(require.resolve("tapegrad/tapegrad.wasm"));
const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => { throw new Error("abort"); } } });
const k = instance.exports;
const code = (name) => k[name].value;

const N = 1_000_000;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Millions of elements per second of fn (which processes `count` elements), over ~`budget` ms. */
function rate(fn, count, budget = 40) {
  fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const ms = performance.now() - t0;
    if (ms > budget) return (count * calls) / ms / 1e3;
    calls *= 2;
  }
}

// inputs in linear memory, each element twice (x[2i] = x[2i+1]) so that the strided row (every
// other float) and the contiguous row (the first N floats) see the same distribution:
// x uniform in [-8, 8), and |x| for the logarithms
const src = k.alloc(8 * N), positive = k.alloc(8 * N), dst = k.alloc(8 * N);
{
  const x = new Float32Array(k.memory.buffer, src, 2 * N), p = new Float32Array(k.memory.buffer, positive, 2 * N);
  for (let i = 0; i < 2 * N; i++) { x[i] = 16 * ((Math.floor(i / 2) * 0.6180339887) % 1) - 8; p[i] = Math.abs(x[i]) + 1e-3; }
}
// descriptors [shape, dst stride, src stride] (bytes) of a contiguous and a strided row of N float32
const contiguous = k.scratch(), strided = contiguous + 16;
new Int32Array(k.memory.buffer, contiguous, 8).set([N, 4, 4, 0, N, 8, 8, 0]);
const F32 = 0;

// Unary kernel -> its parameters and input
const unary = {
  Exp: [[0, 0], src], Expm1: [[0, 0], src], Log: [[0, 0], positive], Log1p: [[0, 0], positive], Tanh: [[0, 0], src],
  Sigmoid: [[0, 0], src], Silu: [[0, 0], src], Softplus: [[1, 20], src], Mish: [[0, 0], src], Elu: [[1, 0], src],
  Erf: [[0, 0], src], Gelu: [[0, 0], src], GeluTanh: [[0, 0], src],
};
const cases = Object.entries(unary).map(([name, [[p0, p1], input]]) => ({
  name: `${name} (1e6)`,
  impls: {
    scalar: () => rate(() => k.unary(code(`Unary.${name}`), F32, 1, strided, dst, input, p0, p1, 0), N),
    simd: () => rate(() => k.unary(code(`Unary.${name}`), F32, 1, contiguous, dst, input, p0, p1, 0), N),
  },
}));

{
  const rows = 1000, cols = 1000;
  const fused = tg.tensor(Array.from({ length: rows * cols }, (_, i) => 16 * ((i * 0.6180339887) % 1) - 8)).view(rows, cols);
  const composed = fused.t().contiguous().t();
  for (const method of ["softmax", "logSoftmax", "logsumexp"]) {
    cases.push({
      name: `${method} (1000×1000)`,
      impls: {
        composed: () => rate(() => composed[method](1).dispose(), rows * cols),
        fused: () => rate(() => fused[method](1).dispose(), rows * cols),
      },
    });
  }
}

const results = cases.map((c) => Object.fromEntries(Object.keys(c.impls).map((name) => [name, []])));
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach((c, i) => { for (const [name, run] of Object.entries(c.impls)) results[i][name].push(run()); });
}
console.log(`assembly/simd — Melem/s, median of ${ROUNDS} interleaved rounds, Node ${process.version}`);
cases.forEach((c, i) => {
  const [base, simd] = Object.values(results[i]).map(median);
  const cells = Object.entries(results[i]).map(([name, xs]) => `${name} ${median(xs).toFixed(0).padStart(5)}`);
  console.log(`${c.name.padEnd(26)} ${cells.join("   ")}   ×${(simd / base).toFixed(1)}`);
});
