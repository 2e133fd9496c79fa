// torch.optim against PyTorch: five optimizer configurations trained 5 steps on Linear(3, 2)
// (fixtures/optim.json, PyTorch 2.11), the state dict structure, zeroGrad, and memory.
import { beforeAll, describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { CosineAnnealingLR, LRScheduler, LambdaLR, StepLR } from "tapegrad/optim/lr_scheduler";
import { expectClose, expectError, fixture, fromSnap } from "./nn_helpers.js";

const { nn, optim } = tg;

// the default generator's state lives for the process, allocated on first use: before any
// memory baseline is taken
beforeAll(() => tg.rand(1).dispose());
const data = fixture("optim.json");

/** Linear(3, 2) with the fixture's initial weights. */
function model(): InstanceType<typeof nn.Linear> {
  const lin = new nn.Linear(3, 2);
  tg.tidy(() => lin.loadStateDict({ weight: fromSnap(data.init.weight), bias: fromSnap(data.init.bias) }));
  return lin;
}

const configs: [string, (params: tg.nn.Parameter[]) => tg.optim.Optimizer][] = [
  ["sgd", (p) => new optim.SGD(p, { lr: 0.1 })],
  ["sgd_momentum_nesterov_wd", (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["adam", (p) => new optim.Adam(p, { lr: 0.01 })],
  ["adam_amsgrad", (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true })],
  ["adamw", (p) => new optim.AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
];

/** One training step as the fixture's loop: zero_grad, loss = (lin(x)**2).mean(), backward, step. */
function trainStep(lin: InstanceType<typeof nn.Linear>, opt: tg.optim.Optimizer, x: tg.Tensor): number {
  return tg.tidy(() => {
    opt.zeroGrad();
    const loss = lin.call(x).pow(2).mean();
    loss.backward();
    opt.step();
    return loss.item();
  });
}

describe("optimizer trajectories against PyTorch", () => {
  test.each(configs)("%s", (name, make) => {
    const run = data.runs[name];
    const before = tg.memory().liveBytes;
    const lin = model();
    const opt = make(lin.parameters());
    const xs = fromSnap(run.xs);
    run.steps.forEach((expected: { weight: number[]; bias: number[]; loss: number }, i: number) => {
      const x = xs.select(0, i);
      const loss = trainStep(lin, opt, x);
      x.dispose();
      expectClose(loss, expected.loss);
      expectClose(lin.weight, expected.weight);
      expectClose(lin.bias as tg.Tensor, expected.bias);
    });
    xs.dispose();
    opt.zeroGrad();
    opt.dispose();
    lin.dispose();
    expect(tg.memory().liveBytes).toBe(before);
  });

  // PyTorch 1.13 (/usr/bin/python3): one in-place update per step, two for AdamW (decay, then the step)
  test.each([
    ["SGD", (p: tg.Tensor[]) => new optim.SGD(p, { lr: 0.1 }), 1],
    ["SGD with momentum and weight decay", (p: tg.Tensor[]) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }), 1],
    ["Adam with amsgrad", (p: tg.Tensor[]) => new optim.Adam(p, { lr: 0.1, amsgrad: true }), 1],
    ["AdamW", (p: tg.Tensor[]) => new optim.AdamW(p, { lr: 0.1 }), 2],
  ] as [string, (p: tg.Tensor[]) => tg.optim.Optimizer, number][])("%s bumps the parameter's version as PyTorch does", (_name, make, bumps) => {
    const w = tg.ones(3, { requiresGrad: true });
    const opt = make([w]);
    tg.tidy(() => w.mul(2).sum().backward());
    const v = w.version;
    opt.step();
    expect(w.version - v).toBe(bumps);
    expect(w.isLeaf && w.gradFn === null).toBe(true);
    opt.zeroGrad();
    opt.dispose();
    w.dispose();
  });
});

describe("state dict", () => {
  test("has PyTorch's structure and names", () => {
    const lin = model();
    const opt = new optim.Adam([{ params: [lin.weight] }, { params: [lin.bias as tg.Tensor], lr: 0.5 }], { lr: 0.01, amsgrad: true });
    const x = tg.ones(4, 3);
    trainStep(lin, opt, x);
    const sd = opt.stateDict();
    expect(sd.param_groups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, decoupled_weight_decay: false, params: [0] },
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, decoupled_weight_decay: false, params: [1] },
    ]);
    expect(Object.keys(sd.state)).toEqual(["0", "1"]);
    expect(Object.keys(sd.state[0])).toEqual(["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]);
    expect(sd.state[0].step.item()).toBe(1);
    expect(sd.state[0].step.dtype).toBe("float32");
    expect(sd.state[1].exp_avg.shape).toEqual([2]);
    tg.dispose([x, sd.state]);
    opt.dispose();
    lin.dispose();
  });

  test("a loaded state continues the trajectory exactly", () => {
    const run = data.runs.sgd_momentum_nesterov_wd;
    const xs = fromSnap(run.xs);
    const step = (lin: InstanceType<typeof nn.Linear>, opt: tg.optim.Optimizer, i: number) => {
      const x = xs.select(0, i);
      trainStep(lin, opt, x);
      x.dispose();
    };
    const first = model();
    const opt1 = new optim.SGD(first.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    step(first, opt1, 0);
    step(first, opt1, 1);
    // a fresh model and optimizer resume from the saved states
    const second = model();
    const opt2 = new optim.SGD(second.parameters(), { lr: 0.7 });
    const modelState = first.stateDict();
    const optState = opt1.stateDict();
    second.loadStateDict(modelState);
    opt2.loadStateDict(optState);
    tg.dispose([modelState, optState.state]);
    expect(opt2.paramGroups[0].lr).toBe(0.1);
    expect(opt2.paramGroups[0].weightDecay).toBe(0.01);
    for (let i = 2; i < 5; i++) step(second, opt2, i);
    expectClose(second.weight, run.steps[4].weight, { rtol: 1e-6, atol: 1e-7 });
    expectClose(second.bias as tg.Tensor, run.steps[4].bias, { rtol: 1e-6, atol: 1e-7 });
    xs.dispose();
    for (const o of [opt1, opt2]) o.dispose();
    for (const m of [first, second]) m.dispose();
  });

  test("loading checks the groups as PyTorch does", () => {
    const lin = model();
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    expectError(() => opt.loadStateDict({ state: {}, param_groups: [] }), "ValueError", "loaded state dict has a different number of parameter groups");
    expectError(() => opt.loadStateDict({ state: {}, param_groups: [{ lr: 0.1, params: [0] }] }), "ValueError",
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    opt.dispose();
    lin.dispose();
  });
});

describe("Optimizer", () => {
  test("zeroGrad releases the gradients by default, or zeroes them in place", () => {
    const lin = model();
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = tg.ones(4, 3);
    tg.tidy(() => lin.call(x).sum().backward());
    const grad = lin.weight.grad as tg.Tensor;
    opt.zeroGrad({ setToNone: false });
    expect(lin.weight.grad).toBe(grad);
    expect(grad.abs().sum().item()).toBe(0);
    opt.zeroGrad();
    expect(lin.weight.grad).toBe(null);
    expect(grad.isDisposed).toBe(true);
    x.dispose();
    opt.dispose();
    lin.dispose();
  });

  test("per-group options fall back to the defaults", () => {
    const a = tg.zeros(2, { requiresGrad: true });
    const b = tg.zeros(2, { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length])).toEqual([[0.1, 0, 1], [0.5, 0.9, 1]]);
    tg.dispose([a, b]);
  });

  test("PyTorch's positional arguments are accepted", () => {
    const p = tg.zeros(2, { requiresGrad: true });
    expect(new optim.SGD([p], 0.1, 0.9).paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0 });
    expect(new optim.Adam([p], 0.01, [0.8, 0.9]).paramGroups[0]).toMatchObject({ lr: 0.01, betas: [0.8, 0.9], eps: 1e-8 });
    const adamw = new optim.AdamW([p], 0.01);
    expect(adamw).toBeInstanceOf(optim.Adam);
    expect(adamw.paramGroups[0]).toMatchObject({ weightDecay: 0.01, decoupledWeightDecay: true });
    const scheduler = new StepLR(adamw, 2, 0.5);
    expect(scheduler.gamma).toBe(0.5);
    p.dispose();
  });

  test("maximize ascends", () => {
    const p = tg.tensor([1.0, -2.0], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.5, maximize: true });
    tg.tidy(() => p.mul(p).sum().backward());
    opt.step();
    expectClose(p, [2.0, -4.0]);
    opt.zeroGrad();
    p.dispose();
  });

  test("step(closure) returns the closure's loss", () => {
    const p = tg.tensor([3.0], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.mul(p).sum();
      l.backward();
      return l;
    });
    expect((loss as tg.Tensor).item()).toBe(9);
    expectClose(p, [1.5]);
    (loss as tg.Tensor).dispose();
    opt.zeroGrad();
    p.dispose();
  });

  test("state survives tidy and is freed by dispose", () => {
    const p = tg.ones(10, { requiresGrad: true });
    const opt = new optim.Adam([p]);
    const before = tg.memory().liveBytes;
    tg.tidy(() => {
      p.mul(2).sum().backward();
      opt.step();
    });
    const withState = tg.memory().liveBytes;
    // exp_avg and exp_avg_sq (10 floats each), step (1 float) and the gradient
    expect(withState - before).toBe(4 * (10 + 10 + 1 + 10));
    expect(opt.state.get(p)?.exp_avg.isDisposed).toBe(false);
    opt.zeroGrad();
    opt.dispose();
    expect(tg.memory().liveBytes).toBe(before);
    p.dispose();
  });

  test("errors worded as PyTorch's", () => {
    const p = tg.zeros(2, { requiresGrad: true });
    expectError(() => new optim.SGD([p], { lr: -1 }), "ValueError", "Invalid learning rate: -1");
    expectError(() => new optim.SGD([p], { lr: 0.1, nesterov: true }), "ValueError", "Nesterov momentum requires a momentum and zero dampening");
    expectError(() => new optim.Adam([p], { betas: [1.5, 0.9] }), "ValueError", "Invalid beta parameter at index 0: 1.5");
    expectError(() => new optim.SGD([], { lr: 0.1 }), "ValueError", "optimizer got an empty parameter list");
    const nonLeaf = p.mul(2);
    expectError(() => new optim.SGD([nonLeaf], { lr: 0.1 }), "ValueError", "can't optimize a non-leaf Tensor");
    expectError(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 }), "ValueError", "some parameters appear in more than one parameter group");
    tg.dispose([p, nonLeaf]);
  });
});

describe("learning-rate schedulers against PyTorch", () => {
  const ref = fixture("nn_reference.json");
  const schedule = (groups: number, make: (opt: tg.optim.Optimizer) => LRScheduler) => {
    const params = Array.from({ length: groups }, () => tg.zeros(1, { requiresGrad: true }));
    const opt = new optim.SGD(params.map((p, i) => ({ params: [p], lr: 0.1 * (i + 1) })), { lr: 0.1 });
    const scheduler = make(opt);
    const lrs = [scheduler.getLastLr()];
    for (let i = 0; i < 12; i++) {
      opt.step();
      scheduler.step();
      lrs.push(scheduler.getLastLr());
    }
    tg.dispose(params);
    return lrs;
  };

  test("StepLR", () => {
    expectClose(schedule(2, (o) => new StepLR(o, 3, { gamma: 0.5 })).flat(), ref.StepLR.flat(), { rtol: 1e-12, atol: 0 });
  });

  test("CosineAnnealingLR (past tMax, climbing back)", () => {
    expectClose(schedule(2, (o) => new CosineAnnealingLR(o, 5, { etaMin: 0.01 })).flat(), ref.CosineAnnealingLR.flat(), { rtol: 1e-12, atol: 1e-15 });
  });

  test("LambdaLR", () => {
    expectClose(schedule(1, (o) => new LambdaLR(o, (e) => 0.9 ** e)).flat(), ref.LambdaLR.flat(), { rtol: 1e-12, atol: 0 });
  });

  test("records initial_lr in the groups", () => {
    const p = tg.zeros(1, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.3 });
    new StepLR(opt, 2);
    expect(opt.paramGroups[0].initialLr).toBe(0.3);
    expect(opt.stateDict().param_groups[0].initial_lr).toBe(0.3);
    p.dispose();
  });
});
