// What the bench measures: one row per case, the same computation in every library.
// A case is { id, group, label, metric, tolerance, only? (the libraries that run it; default all) } and either
//   setup(adapter) → { values(), sample(budgetMs) → seconds per call, dispose() }
// or placeholder: "why" (printed, not measured). values() runs the computation once; the runner
// compares tapegrad's values with each peer's (|a − b| ≤ atol + rtol·|b|) before anything is timed.
import { coldStartInstance } from "./fresh-process.mjs";
import { labels, uniform } from "./data.mjs";
import { secondsPerCall } from "./measure.mjs";

// ---- how a row prints seconds per call ----

const seconds = (s) => (s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(s < 1e-5 ? 2 : 1)} µs`);
const metric = {
  gflops: (flops) => ({ unit: "GFLOP/s", show: (s) => (flops / s / 1e9).toFixed(1) }),
  elements: (n) => ({ unit: "time · Gelem/s", show: (s) => `${seconds(s)} · ${(n / s / 1e9).toFixed(2)}` }),
  micros: { unit: "µs", show: (s) => (s * 1e6).toFixed(2) },
  millis: { unit: "ms", show: (s) => (s * 1e3).toFixed(2) },
  tokens: (perCall) => ({ unit: "tokens/s", show: (s) => Math.round(perCall / s).toString() }),
};

// ---- a computation on tensors made from the same data in every library ----

/**
 * Seeded data for one case: `input(shape, lo, hi)` gives { shape, data } with values uniform
 * in [lo, hi), a different seed for each input of the case, the same in every run.
 */
function inputsOf(id) {
  let seed = [...id].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);
  const input = (shape, lo = -1, hi = 1) => ({ shape, data: uniform(shape.reduce((a, b) => a * b, 1), seed++, lo, hi) });
  return { input, labels: (n, classes) => labels(n, classes, seed++) };
}

/**
 * `inputs(input)` gives [{ data: Float32Array, shape, requiresGrad? }], made once and shared by
 * all libraries; `call(L, tensors)` returns a new tensor; the timed body is `timed(L, tensors)`,
 * by default the call with its result disposed.
 */
function opCase({ inputs, call, timed = (L, ts) => L.free(call(L, ts)), ...row }) {
  let made = null;
  return {
    ...row,
    setup(L) {
      made ??= inputs(inputsOf(row.id).input);
      const tensors = made.map(({ data, shape, requiresGrad }) => L.tensor(data, shape, { requiresGrad }));
      return {
        values() {
          const out = call(L, tensors);
          try {
            return L.read(out);
          } finally {
            L.free(out);
          }
        },
        sample: (budgetMs) => secondsPerCall(() => timed(L, tensors), budgetMs),
        dispose: () => tensors.forEach((t) => L.free(t)),
      };
    },
  };
}

/**
 * Values whose every partial sum is exact in float32 (multiples of 2⁻¹⁰ of modest size), so
 * any summation order gives the same bits and a reduction can be checked with no tolerance.
 */
function exactlySummable(input, n) {
  const x = input([n]);
  for (let i = 0; i < n; i++) x.data[i] = Math.round(x.data[i] * 1024) / 1024;
  return x;
}

// ---- the rows ----

const matmuls = [64, 128, 256, 512, 1024].flatMap((N) =>
  [
    { name: "A·B", flags: {} },
    { name: "A·Bᵀ", flags: { transposeB: true } },
    { name: "Aᵀ·B", flags: { transposeA: true } },
  ].map(({ name, flags }) =>
    opCase({
      id: `matmul/${N}/${name}`,
      group: "matmul (float32)",
      label: `matmul ${N}×${N} ${name}`,
      metric: metric.gflops(2 * N ** 3),
      // float32 accumulation in different orders: error grows with the inner dimension
      tolerance: { rtol: 1e-4, atol: 2e-6 * N },
      inputs: (input) => [input([N, N]), input([N, N])],
      call: (L, [a, b]) => L.matmul(a, b, flags),
    }),
  ),
);

const POINTWISE = [
  // add and mul round once: every library must give the same bits
  { op: "add", arity: 2, tolerance: { rtol: 0, atol: 0 } },
  { op: "mul", arity: 2, tolerance: { rtol: 0, atol: 0 } },
  { op: "sigmoid", arity: 1, tolerance: { rtol: 1e-5, atol: 1e-6 } },
  { op: "exp", arity: 1, tolerance: { rtol: 1e-5, atol: 0 } },
  // tfjs's erf is a polynomial approximation (|error| ≈ 1e-7)
  { op: "gelu", arity: 1, tolerance: { rtol: 1e-4, atol: 1e-5 } },
];
const pointwise = POINTWISE.flatMap(({ op, arity, tolerance }) =>
  [1e3, 1e5, 1e6].map((n) =>
    opCase({
      id: `${op}/1e${Math.log10(n)}`,
      group: "pointwise (float32)",
      label: `${op} 1e${Math.log10(n)}`,
      metric: metric.elements(n),
      tolerance,
      inputs: (input) => Array.from({ length: arity }, () => input([n], -4, 4)),
      call: (L, ts) => L[op](...ts),
    }),
  ),
);

const reductions = [
  opCase({
    id: "sum/1e6",
    group: "reductions (float32)",
    label: "sum 1e6",
    metric: metric.elements(1e6),
    tolerance: { rtol: 0, atol: 0 },
    inputs: (input) => [exactlySummable(input, 1e6)],
    call: (L, [x]) => L.sum(x),
  }),
  opCase({
    id: "softmax/1e6",
    group: "reductions (float32)",
    label: "softmax 1000×1000, last dim",
    metric: metric.elements(1e6),
    tolerance: { rtol: 1e-4, atol: 1e-7 },
    inputs: (input) => [input([1000, 1000], -4, 4)],
    call: (L, [x]) => L.softmax(x),
  }),
];

// Per-op overhead: a 16-element add, the forward call and the disposal of its result.
// tfjs records gradients only inside tf.grad/variableGrads and has no per-tensor flag, so
// the grad-on row sets tapegrad's requiresGrad against tfjs's add inside tf.tidy.
const overheadCase = ({ id, label, requiresGrad = false, timed }) =>
  opCase({
    id,
    group: "per-op overhead",
    label,
    metric: metric.micros,
    tolerance: { rtol: 0, atol: 0 },
    inputs: (input) => [{ ...input([16]), requiresGrad }, input([16])],
    call: (L, [a, b]) => L.add(a, b),
    timed,
  });
const inTidy = (L, [a, b]) => L.tidy(() => void L.add(a, b));
const overhead = [
  overheadCase({ id: "overhead/add16", label: "add 16, result disposed" }),
  overheadCase({ id: "overhead/add16/tidy", label: "add 16, inside tidy", timed: inTidy }),
  overheadCase({
    id: "overhead/add16/grad",
    label: "add 16, grad on (tfjs: inside tidy)",
    requiresGrad: true,
    timed: (L, ts) => (L.name === "tapegrad" ? L.free(L.add(...ts)) : inTidy(L, ts)),
  }),
];

/** MNIST-sized MLP 784-128-10, batch 64, one SGD step (lr 0.1), parameters as nn.Linear initializes them. */
function mlpInit({ input, labels }) {
  const linear = (out, inp) => {
    const bound = 1 / Math.sqrt(inp);
    return [input([out, inp], -bound, bound), input([out], -bound, bound)];
  };
  const [w1, b1] = linear(128, 784);
  const [w2, b2] = linear(10, 128);
  return { w1, b1, w2, b2, x: input([64, 784], 0, 1), y: labels(64, 10), lr: 0.1 };
}

const training = [
  (() => {
    let init = null;
    return {
      id: "mlp/step",
      group: "training step",
      label: "MLP 784-128-10, batch 64, SGD step",
      metric: metric.millis,
      // compared after one step from the same parameters
      tolerance: { rtol: 1e-4, atol: 1e-6 },
      setup(L) {
        init ??= mlpInit(inputsOf("mlp/step"));
        const trainer = L.mlp(init);
        return {
          values() {
            trainer.step();
            const params = trainer.params();
            const out = new Float32Array(params.reduce((n, p) => n + p.length, 0));
            params.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
            return out;
          },
          sample: (budgetMs) => secondsPerCall(trainer.step, budgetMs),
          dispose: trainer.dispose,
        };
      },
    };
  })(),
  {
    id: "char-rnn/step",
    group: "training step",
    label: "char-RNN (the demo's model and step: GRU 2×128, 32 streams × 64 characters, Adam)",
    metric: metric.tokens(2048),
    // tfjs-core has no GRU layer: measured for tapegrad alone
    only: ["tapegrad"],
    tolerance: { rtol: 0, atol: 0 },
    setup(L) {
      const trainer = L.charRnn();
      return {
        values: () => Float32Array.of(trainer.step()),
        sample: (budgetMs) => secondsPerCall(trainer.step, budgetMs),
        dispose: trainer.dispose,
      };
    },
  },
];

const startup = [
  {
    id: "cold-start",
    group: "startup",
    label: "cold start in Node: import → first op result",
    metric: metric.millis,
    tolerance: { rtol: 0, atol: 0 },
    setup: (L) => coldStartInstance(L.name),
  },
];

export const CASES = [...matmuls, ...pointwise, ...reductions, ...overhead, ...training, ...startup];
