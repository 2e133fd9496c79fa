// Layers: PyTorch's default initialisation drawn from the seeded generator (fixtures/
// nn_reference.json), nn.init, and each layer's options and buffers.
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { GRU, GRUCell, LSTMCell, RNN } from "tapegrad/nn/rnn";
import { expectClose, expectError, fixture } from "./nn_helpers.js";

const { nn } = tg;
const ref = fixture("nn_reference.json");
const rng = fixture("rng.json");

describe("initialisation after manualSeed, as PyTorch draws it", () => {
  test.each(["0", "1", "42"])("Linear(3, 4).weight after manualSeed(%s) (fixtures/rng.json, PyTorch 2.11)", (seed) => {
    tg.manualSeed(Number(seed));
    const lin = new nn.Linear(3, 4);
    expectClose(lin.weight, rng[seed].normal_init_linear_4x3, { rtol: 0, atol: 0 });
    lin.dispose();
  });

  const inits: [string, (t: tg.Tensor) => tg.Tensor][] = [
    ["uniform_", (t) => nn.init.uniform_(t, -0.5, 2.0)],
    ["normal_", (t) => nn.init.normal_(t, 0.5, 2.0)],
    ["xavier_uniform_", (t) => nn.init.xavierUniform_(t, 0.5)],
    ["xavier_normal_", (t) => nn.init.xavierNormal_(t)],
    ["kaiming_uniform_", (t) => nn.init.kaimingUniform_(t, { a: Math.sqrt(5) })],
    ["kaiming_normal_", (t) => nn.init.kaimingNormal_(t, { mode: "fan_out", nonlinearity: "relu" })],
  ];
  test.each(inits.flatMap(([name, fn]) => [[name, [3, 5], fn], [name, [4, 6, 2], fn]] as [string, number[], typeof fn][]))(
    "init.%s on %j", (name, shape, fn) => {
      tg.manualSeed(0);
      const t = tg.empty(shape);
      expect(fn(t)).toBe(t);
      expectClose(t, ref[`init_${name}_${shape.join("x")}`], { rtol: 1e-6, atol: 1e-7 });
      t.dispose();
    });

  test.each([
    ["Linear", () => new nn.Linear(5, 3)],
    ["Embedding", () => new nn.Embedding(5, 3, { paddingIdx: 1 })],
    ["GRU", () => new GRU(3, 4, { numLayers: 2 })],
    ["LSTMCell", () => new LSTMCell(3, 2)],
  ] as [string, () => tg.nn.Module][])("default initialisation of %s", (name, make) => {
    tg.manualSeed(0);
    const m = make();
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(ref[`init_${name}`]));
    for (const [key, t] of Object.entries(sd)) expectClose(t, ref[`init_${name}`][key], { rtol: 1e-6, atol: 1e-7 });
    tg.dispose(sd);
    m.dispose();
  });

  test("dropout's mask after manualSeed(0)", () => {
    tg.manualSeed(0);
    tg.tidy(() => expectClose(nn.functional.dropout(tg.ones(4, 5), 0.3), ref.dropout_seed0, { rtol: 1e-6, atol: 0 }));
  });

  test("an explicit generator is used instead of the global one", () => {
    const g = new tg.Generator().manualSeed(0);
    tg.manualSeed(123);
    const t = tg.empty(3, 5);
    nn.init.kaimingUniform_(t, { a: Math.sqrt(5), generator: g });
    expectClose(t, ref.init_kaiming_uniform__3x5, { rtol: 1e-6, atol: 1e-7 });
    t.dispose();
  });
});

describe("nn.init", () => {
  test("calculateGain", () => {
    expect(nn.init.calculateGain("linear")).toBe(1);
    expect(nn.init.calculateGain("tanh")).toBe(5 / 3);
    expect(nn.init.calculateGain("relu")).toBe(Math.sqrt(2));
    expect(nn.init.calculateGain("leaky_relu", 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(nn.init.calculateGain("selu")).toBe(0.75);
    expectError(() => nn.init.calculateGain("foo" as "relu"), "ValueError", "Unsupported nonlinearity foo");
  });

  test("fans and their errors", () => {
    const t = tg.empty(4, 6, 2);
    expect(nn.init.calculateFanInAndFanOut(t)).toEqual([12, 8]);
    expectError(() => nn.init.kaimingUniform_(t, { mode: "fan" as "fan_in" }), "ValueError", "Mode fan not supported, please use one of ['fan_in', 'fan_out']");
    t.dispose();
    const v = tg.empty(3);
    expectError(() => nn.init.xavierUniform_(v), "ValueError", "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    v.dispose();
  });

  test("fills in place without recording, even on leaves that require grad", () => {
    const p = new nn.Parameter(tg.empty(2, 3));
    const v = p.version;
    nn.init.constant_(p, 0.5);
    expect(p.gradFn).toBe(null);
    expect(p.version).toBe(v + 1);
    expect(p.tolist()).toEqual([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    nn.init.zeros_(p);
    nn.init.ones_(p);
    expect(p.sum().item()).toBe(6);
    p.dispose();
  });
});

describe("layer options", () => {
  test("Embedding: padding row zero, negative paddingIdx, fromPretrained", () => {
    const e = new nn.Embedding(5, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(4);
    expect(e.weight.select(0, 4).tolist()).toEqual([0, 0, 0]);
    expectError(() => new nn.Embedding(5, 3, { paddingIdx: 5 }), "RuntimeError", "Padding_idx must be within num_embeddings");
    const values = tg.tensor([[1, 2], [3, 4]]);
    const frozen = nn.Embedding.fromPretrained(values);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.weight.untypedStorage()).toBe(values.untypedStorage());
    const out = frozen.call(tg.tensor([1, 1, 0], { dtype: "int64" }));
    expect(out.tolist()).toEqual([[3, 4], [3, 4], [1, 2]]);
    tg.dispose([values, out]);
    e.dispose();
    frozen.dispose();
  });

  test("LayerNorm: ones and zeros, or no affine parameters", () => {
    const ln = new nn.LayerNorm([2, 3], { eps: 1e-6 });
    expect(ln.weight?.tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(ln.bias?.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(new nn.LayerNorm(4, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new nn.LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(["weight"]);
    ln.dispose();
  });

  test("constructors take PyTorch's positional arguments", () => {
    const modules = [
      new nn.Linear(3, 2, false), new GRU(6, 10, 2, true, true), new RNN(3, 4, 1, "relu"), new GRUCell(3, 4, false),
      new nn.Embedding(5, 3, 1), new nn.LayerNorm(4, 1e-6, false), new nn.NLLLoss(null, null, 0), new nn.MSELoss(false),
    ] as const;
    const [lin, gru, rnn, cell, emb, ln, nll, mse] = modules;
    expect(lin.bias).toBe(null);
    expect([gru.numLayers, gru.batchFirst]).toEqual([2, true]);
    expect(rnn.nonlinearity).toBe("relu");
    expect(cell.bias_ih).toBe(null);
    expect(emb.paddingIdx).toBe(1);
    expect([ln.eps, ln.weight]).toEqual([1e-6, null]);
    expect([nll.ignoreIndex, nll.reduction]).toEqual([0, "mean"]);
    // the deprecated size_average=False means summing
    expect(mse.reduction).toBe("sum");
    for (const m of modules) m.dispose();
  });

  test("Linear without bias", () => {
    const lin = new nn.Linear(3, 2, { bias: false });
    expect(lin.bias).toBe(null);
    expect(Object.keys(lin.stateDict({ keepVars: true }))).toEqual(["weight"]);
    expect(String(lin)).toBe("Linear(in_features=3, out_features=2, bias=False)");
    lin.dispose();
  });

  test("Dropout follows training mode; Identity and eval-mode Dropout return their input", () => {
    const x = tg.ones(50, 50);
    const drop = new nn.Dropout({ p: 0.5 });
    const y = drop.call(x);
    expect(y.eq(0).any().item()).toBe(true);
    drop.eval();
    expect(drop.call(x)).toBe(x);
    expect(new nn.Identity(3, { any: 1 }).call(x)).toBe(x);
    expectError(() => new nn.Dropout(-0.1), "ValueError", "dropout probability has to be between 0 and 1, but got -0.1");
    tg.dispose([x, y]);
  });

  test("functional.oneHot is torch.nn.functional.one_hot", () => {
    tg.tidy(() => {
      expect(nn.functional.oneHot(tg.tensor([2, 0], { dtype: "int64" }), 3).tolist()).toEqual([[0, 0, 1], [1, 0, 0]]);
    });
  });

  test("activations and Flatten", () => {
    tg.tidy(() => {
      const x = tg.tensor([[[-1, 2], [3, -4]]]);
      expect(new nn.Flatten().call(x).shape).toEqual([1, 4]);
      expect(new nn.Flatten(0, 1).call(x).shape).toEqual([2, 2]);
      expect(new nn.ReLU().call(x).tolist()).toEqual([[[0, 2], [3, 0]]]);
      const inplace = x.clone();
      expect(new nn.ReLU({ inplace: true }).call(inplace)).toBe(inplace);
      expect(inplace.tolist()).toEqual([[[0, 2], [3, 0]]]);
      expectClose(new nn.Softmax().call(x), nn.functional.softmax(x, 0));
      expectClose(new nn.LogSoftmax(2).call(x), x.logSoftmax(2));
      expectClose(new nn.GELU("tanh").call(x), x.gelu({ approximate: "tanh" }));
      expectClose(new nn.SiLU().call(x), x.silu());
      expectClose(new nn.Tanh().call(x), x.tanh());
      expectClose(new nn.Sigmoid().call(x), x.sigmoid());
    });
  });

  test("loss modules: the functional losses, with weights as buffers", () => {
    tg.tidy(() => {
      const logits = tg.tensor([[0.2, -1.3, 0.5], [1.1, 0.3, -0.7]]);
      const y = tg.tensor([2, 0], { dtype: "int64" });
      const w = tg.tensor([1, 2, 3]);
      const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, reduction: "sum" });
      expect(Object.keys(ce.stateDict({ keepVars: true }))).toEqual(["weight"]);
      expectClose(ce.call(logits, y), nn.functional.crossEntropy(logits, y, { weight: w, labelSmoothing: 0.1, reduction: "sum" }));
      expectClose(new nn.NLLLoss({ ignoreIndex: 0 }).call(logits, y), nn.functional.nllLoss(logits, y, { ignoreIndex: 0 }));
      const t = tg.tensor([[0, 1, 1], [1, 0, 0.5]]);
      expectClose(new nn.MSELoss().call(logits, t), nn.functional.mseLoss(logits, t));
      expectClose(new nn.L1Loss({ reduction: "none" }).call(logits, t), nn.functional.l1Loss(logits, t, { reduction: "none" }));
      expectClose(new nn.SmoothL1Loss({ beta: 0.5 }).call(logits, t), nn.functional.smoothL1Loss(logits, t, { beta: 0.5 }));
      expectClose(new nn.BCELoss().call(logits.sigmoid(), t), nn.functional.binaryCrossEntropy(logits.sigmoid(), t));
      const bce = new nn.BCEWithLogitsLoss({ posWeight: w });
      expect(Object.keys(bce.stateDict({ keepVars: true }))).toEqual(["pos_weight"]);
      expectClose(bce.call(logits, t), nn.functional.binaryCrossEntropyWithLogits(logits, t, { posWeight: w }));
      expectError(() => new nn.MSELoss({ reduction: "avg" as "mean" }), "ValueError", "avg is not a valid value for reduction");
      for (const m of [ce, bce]) m.dispose();
    });
  });
});
