#!/usr/bin/env node
// node bench/simd-math.mjs (after npm run build): the f32x4 functions of assembly/simd against
// the scalar kernels they are meant to replace, on 1e6 contiguous float32, in one wasm
// instance; and the fused row softmax against tapegrad's current softmax op. Prints medians in
// millions of elements per second. Not a test: timings belong here, never in assertions.
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

// inputs in linear memory: x uniform in [-8, 8), and |x| for log
const src = k.alloc(N * 4), positive = k.alloc(N * 4), dst = k.alloc(N * 4);
{
  const x = new Float32Array(k.memory.buffer, src, N), p = new Float32Array(k.memory.buffer, positive, N);
  for (let i = 0; i < N; i++) { x[i] = 16 * ((i * 0.6180339887) % 1) - 8; p[i] = Math.abs(x[i]) + 1e-3; }
}
// the scalar kernel's descriptor: one contiguous row of N float32, for dst and src
const desc = k.scratch();
new Int32Array(k.memory.buffer, desc, 3).set([N, 4, 4]);
const F32 = 0;

// SimdUnary name -> [Unary kernel name, its parameters, input]
const unary = {
  Exp: ["Exp", [0, 0], src], Expm1: ["Expm1", [0, 0], src], Log: ["Log", [0, 0], positive], Log1p: ["Log1p", [0, 0], positive],
  Tanh: ["Tanh", [0, 0], src], Sigmoid: ["Sigmoid", [0, 0], src], Silu: ["Silu", [0, 0], src],
  Softplus: ["Softplus", [1, 20], src], Mish: ["Mish", [0, 0], src], Erf: ["Erf", [0, 0], src],
  Gelu: ["Gelu", [0, 0], src], GeluTanh: ["GeluTanh", [0, 0], src],
};
const cases = Object.entries(unary).map(([name, [scalarName, [p0, p1], input]]) => ({
  name: `${name} (1e6)`,
  impls: {
    scalar: () => rate(() => k.unary(code(`Unary.${scalarName}`), F32, 1, desc, dst, input, p0, p1), N),
    simd: () => rate(() => k.simdUnaryF32(code(`SimdUnary.${name}`), dst, input, N), N),
  },
}));

// softmax over the last dim of [1000, 1000]: the op as it is today vs the fused row kernel
{
  const rows = 1000, cols = 1000;
  const x = tg.tensor(Array.from({ length: rows * cols }, (_, i) => 16 * ((i * 0.6180339887) % 1) - 8)).view(rows, cols);
  for (const [op, method] of [["Softmax", "softmax"], ["LogSoftmax", "logSoftmax"]]) {
    cases.push({
      name: `${op} rows (1000×1000)`,
      impls: {
        "tg op": () => rate(() => x[method](1).dispose(), rows * cols),
        simd: () => rate(() => k.simdRowsF32(code(`SimdRow.${op}`), dst, src, rows, cols), rows * cols),
      },
    });
  }
}

const results = cases.map((c) => Object.fromEntries(Object.keys(c.impls).map((name) => [name, []])));
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach((c, i) => { for (const [name, run] of Object.entries(c.impls)) results[i][name].push(run()); });
}
console.log(`assembly/simd vs scalar kernels — Melem/s, median of ${ROUNDS} rounds, Node ${process.version}`);
cases.forEach((c, i) => {
  const [base, simd] = Object.values(results[i]).map(median);
  const cells = Object.entries(results[i]).map(([name, xs]) => `${name} ${median(xs).toFixed(0).padStart(5)}`);
  console.log(`${c.name.padEnd(28)} ${cells.join("   ")}   ×${(simd / base).toFixed(1)}`);
});
