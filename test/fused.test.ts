// Fused kernels against the composed ops they replace: the Adam/AdamW and SGD steps of
// ops/fused.ts (taken for contiguous parameters) give the same bits and versions as the
// composed in-place ops (taken for non-contiguous ones); the fused softmax / log_softmax
// backward rows give the bits of the composed formulas.
import { beforeAll, describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { expectClose, expectError } from "./nn_helpers.js";
import { expectNoLeaks } from "./support.js";

const { optim } = tg;
// the default generator's state lives for the process: allocated before any baseline
beforeAll(() => tg.rand(1).dispose());
expectNoLeaks("each");

type Make = (params: tg.Tensor[]) => tg.optim.Optimizer;

/** `values` [7, 5] as a leaf: contiguous, or with column-major strides (same values). */
function leaf(values: tg.Tensor, contiguous: boolean): tg.Tensor {
  const t = contiguous ? values.clone() : values.t().contiguous().t();
  return t.requiresGrad_();
}

/**
 * Three steps from the same parameter and gradients, once on a contiguous parameter (the fused
 * step) and once on a column-major one (the composed ops): values, state and versions.
 */
function bothPaths(make: Make, dtype: tg.DType = "float32") {
  return tg.tidy(() => stepsOnBothPaths(make, dtype));
}

function stepsOnBothPaths(make: Make, dtype: tg.DType) {
  tg.manualSeed(1);
  const start = tg.randn([7, 5], { dtype });
  const grads = [0, 1, 2].map(() => tg.randn([7, 5], { dtype }));
  const run = (contiguous: boolean) => {
    const p = leaf(start, contiguous);
    const opt = make([p]);
    for (const g of grads) {
      p.grad = contiguous ? g.clone() : g.t().contiguous().t();
      opt.step();
    }
    const state = opt.state.get(p) ?? {};
    const result = {
      param: p.tolist(),
      version: p.version,
      state: Object.fromEntries(Object.entries(state).map(([key, t]) => [key, t.tolist()])),
      stateVersions: Object.fromEntries(Object.entries(state).map(([key, t]) => [key, t.version])),
    };
    opt.zeroGrad();
    opt.dispose();
    p.dispose();
    return result;
  };
  const fused = run(true);
  const composed = run(false);
  tg.dispose([start, grads]);
  return { fused, composed };
}

const adams: [string, Make][] = [
  ["Adam", (p) => new optim.Adam(p, { lr: 0.01 })],
  ["Adam with amsgrad", (p) => new optim.Adam(p, { lr: 0.05, amsgrad: true })],
  ["Adam, maximize", (p) => new optim.Adam(p, { lr: 0.01, maximize: true })],
  ["Adam with weight decay", (p) => new optim.Adam(p, { lr: 0.01, weightDecay: 0.1 })],
  ["Adam, β1 > 0.5 (lerp from the far end)", (p) => new optim.Adam(p, { lr: 0.01, betas: [0.3, 0.9], eps: 1e-3 })],
  ["AdamW with amsgrad and maximize", (p) => new optim.AdamW(p, { lr: 0.02, weightDecay: 0.5, amsgrad: true, maximize: true })],
];
const sgds: [string, Make][] = [
  ["SGD", (p) => new optim.SGD(p, { lr: 0.1 })],
  ["SGD with momentum", (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 })],
  ["SGD with dampening and weight decay", (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 })],
  ["SGD, nesterov and maximize", (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.5, nesterov: true, maximize: true })],
];

describe("fused optimizer steps", () => {
  test.each([...adams, ...sgds])("%s: the fused and the composed step agree bit for bit", (_name, make) => {
    const { fused, composed } = bothPaths(make);
    expect(fused).toEqual(composed);
  });

  test.each([adams[1], adams[5], sgds[3]])("%s in float64 agrees bit for bit", (_name, make) => {
    const { fused, composed } = bothPaths(make, "float64");
    expect(fused).toEqual(composed);
  });

  test("AdamW with amsgrad and maximize follows PyTorch", () => {
    // PyTorch 1.13 (/usr/bin/python3): p = [1, -2, 3, 0.5, -0.25] (float32), AdamW(lr=0.1,
    // weight_decay=0.2, amsgrad=True, maximize=True), grads [0.5, -1, 2, 0, 0.1] then
    // [-0.5, 0.25, 1, 3, -0.1]; p after the two steps
    const p = tg.tensor([1, -2, 3, 0.5, -0.25], { requiresGrad: true });
    const opt = new optim.AdamW([p], { lr: 0.1, weightDecay: 0.2, amsgrad: true, maximize: true });
    const grads = [[0.5, -1, 2, 0, 0.1], [-0.5, 0.25, 1, 3, -0.1]].map((g) => tg.tensor(g));
    for (const g of grads) {
      p.grad = g;
      opt.step();
    }
    tg.dispose(grads);
    expectClose(p, [1.0531368255615234, -2.065746784210205, 3.072417974472046, 0.5546137094497681, -0.14736315608024597], { rtol: 1e-6, atol: 0 });
    opt.zeroGrad();
    opt.dispose();
    p.dispose();
  });

  test("add with alpha rounds every element once, wherever it sits (the composed steps rely on it)", () => {
    // values where float32 mul-then-add rounds differently from one rounding of a + alpha·b
    const [x, y] = [Math.fround(47 / 7), Math.fround(47 / 13)];
    const [a, b] = [tg.full([9], x), tg.full([9], y)];
    const out = a.add(b, { alpha: 0.3 });
    expect(Math.fround(x + Math.fround(Math.fround(0.3) * y))).not.toBe(Math.fround(x + 0.3 * y));
    expect(out.tolist()).toEqual(Array(9).fill(Math.fround(x + 0.3 * y)));
    tg.dispose([a, b, out]);
  });

  test("the ops check PyTorch's in-place rules and their operands first", () => {
    const p = tg.zeros(4, { requiresGrad: true });
    const [g, m, v] = [tg.ones(4), tg.zeros(4), tg.zeros(4)];
    const options = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupled: false, step: 1 };
    expectError(() => tg._fusedAdam_([p], [g], [m], [v], null, options), "RuntimeError", "a leaf Variable that requires grad is being used in an in-place operation.");
    const pairs = tg.zeros(4, 2);
    const strided = pairs.select(1, 0);
    expectError(() => tg.noGrad(() => tg._fusedAdam_([p], [g], [strided], [v], null, options)), "RuntimeError",
      "_fused_adam_: expected contiguous float32 or float64 tensors of one dtype and size per parameter, each with its own storage");
    expect(p.version).toBe(0);
    tg.noGrad(() => tg._fusedAdam_([p], [g], [m], [v], null, options));
    // Adam's first step moves each parameter by lr against the gradient's sign
    expectClose(p, [-0.1, -0.1, -0.1, -0.1], { rtol: 1e-6 });
    expect([p.version, m.version, v.version]).toEqual([1, 1, 2]);
    tg.dispose([p, g, m, v, pairs, strided]);
  });

  test("SGD's first fused step makes the momentum buffer; memory returns to baseline", () => {
    const before = tg.memory().liveBytes;
    const p = tg.ones(6, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.5, momentum: 0.9 });
    p.grad = tg.full([6], 2);
    opt.step();
    const buf = opt.state.get(p)?.momentum_buffer as tg.Tensor;
    expect(buf.tolist()).toEqual([2, 2, 2, 2, 2, 2]);
    expect(buf.version).toBe(0);
    opt.step();
    // buf = 0.9·2 + 2 = 3.8; p = 1 - 0.5·2 - 0.5·3.8
    expect(buf.tolist()).toEqual(Array(6).fill(Math.fround(3.8)));
    expectClose(p, Array(6).fill(-1.9), { rtol: 1e-6 });
    opt.zeroGrad();
    opt.dispose();
    p.dispose();
    expect(tg.memory().liveBytes).toBe(before);
  });
});

/** Sets x.grad to null and frees the gradient (what zeroGrad() does). */
function releaseGrad(x: tg.Tensor): void {
  const g = x.grad;
  x.grad = null;
  g?.dispose();
}

describe("fused softmax and log_softmax backward rows", () => {
  /** x's gradient through `f` for the upstream gradient g: the fused rows, or (createGraph) the composed formula. */
  function gradient(f: (x: tg.Tensor) => tg.Tensor, x: tg.Tensor, g: tg.Tensor, createGraph: boolean): number[] {
    return tg.tidy(() => {
      const [dx] = tg.autograd.grad(f(x), x, { gradOutputs: g, createGraph });
      return (dx as tg.Tensor).detach().reshape(-1).tolist() as number[];
    });
  }

  test.each([
    ["softmax", (x: tg.Tensor) => x.softmax(-1)],
    ["log_softmax", (x: tg.Tensor) => x.logSoftmax(-1)],
    ["softmax over dim 1 of [3, n, 1]", (x: tg.Tensor) => x.unsqueeze(-1).softmax(1).squeeze(-1)],
  ] as [string, (x: tg.Tensor) => tg.Tensor][])("%s: the fused and the composed gradient agree bit for bit", (_name, f) => {
    // rows with a partial last vector, and rows long enough to flush the sum's f32 accumulators
    for (const n of [1, 5, 37, 2500]) {
      tg.manualSeed(n);
      const x = tg.randn([3, n], { requiresGrad: true });
      const g = tg.randn([3, n]);
      expect(gradient(f, x, g, false)).toEqual(gradient(f, x, g, true));
      tg.dispose([x, g]);
    }
  });

  test("cross_entropy and softmax gradients follow PyTorch", () => {
    const x = tg.tensor([[1, 2, 3, 4, 5], [0.5, -1, 2, 0, 1]], { requiresGrad: true });
    const targets = tg.tensor([4, 1], { dtype: "int64" });
    const weights = tg.tensor([1, -2, 3, 0.5, 2]);
    tg.tidy(() => tg.nn.functional.crossEntropy(x, targets).backward());
    // PyTorch 1.13 (/usr/bin/python3): F.cross_entropy(x, [4, 1]).backward(); x.grad
    expectClose(x.grad as tg.Tensor, [
      0.005828116089105606, 0.015842461958527565, 0.04306427761912346, 0.1170608252286911, -0.18179568648338318,
      0.06281349807977676, -0.4859844148159027, 0.281510591506958, 0.03809831291437149, 0.10356195271015167,
    ], { rtol: 1e-6, atol: 1e-7 });
    releaseGrad(x);
    tg.tidy(() => x.softmax(-1).mul(weights).sum().backward());
    // PyTorch 1.13: (x.softmax(-1) * [1, -2, 3, 0.5, 2]).sum().backward(); x.grad
    expectClose(x.grad as tg.Tensor, [
      -0.006953525822609663, -0.11395639926195145, 0.12087708711624146, -0.25672611594200134, 0.25675898790359497,
      -0.1521310955286026, -0.11803856492042542, 0.4442380964756012, -0.13037049770355225, -0.04369785636663437,
    ], { rtol: 1e-6, atol: 1e-7 });
    releaseGrad(x);
    tg.dispose([x, targets, weights]);
  });
});
