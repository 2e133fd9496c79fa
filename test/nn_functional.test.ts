// torch.nn.functional against PyTorch: values, grad_fn names and gradients of every input
// (fixtures/nn_reference.json, written by fixtures/nn_reference.py with PyTorch).
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { expectClose, expectError, fixture } from "./nn_helpers.js";

const F = tg.nn.functional;
const ref = fixture("nn_reference.json");

const X = [[0.2, -1.3, 0.5, 2.1], [1.1, 0.3, -0.7, 0.0], [-0.4, 0.9, 1.6, -2.2]];
const P = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.0, 0.5, 0.25, 0.25]];
const X3 = [[[0.1, 0.2, -0.3], [1.0, -1.0, 0.5], [0.3, 0.3, 0.3], [-2.0, 0.4, 1.2]],
  [[0.6, -0.1, 0.0], [0.2, 0.9, -0.8], [1.5, -0.5, 0.1], [0.0, 0.0, 0.7]]];
const X4 = Array.from({ length: 2 }, (_, b) => Array.from({ length: 3 }, (_, i) => Array.from({ length: 2 }, (_, j) =>
  Array.from({ length: 2 }, (_, k) => 0.1 * (i + 2 * j) - 0.3 * k + 0.05 * b))));
const A = [[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]];
const B = [[0.5, -1.0, 0.5], [1.7, 0.15, -0.3]];
const PROB = [[0.3, 0.9, 0.05], [0.5, 0.001, 0.7]];
const T = [[0.0, 1.0, 0.2], [1.0, 0.0, 0.5]];
const long = (v: unknown) => tg.tensor(v as number[], { dtype: "int64" });
const Y = () => long([2, 0, 3]);
const W = () => tg.tensor([0.5, 1.0, 2.0, 1.5]);
const BW = () => tg.tensor([[1.0, 2.0, 0.5]]);
type Case = [name: string, fn: (...xs: tg.Tensor[]) => tg.Tensor, inputs: unknown[]];

const reductions = ["mean", "sum", "none"] as const;
const cases: Case[] = [
  ...reductions.flatMap((reduction): Case[] => [
    [`cross_entropy_${reduction}`, (x) => F.crossEntropy(x, Y(), { reduction }), [X]],
    [`cross_entropy_weight_${reduction}`, (x) => F.crossEntropy(x, Y(), { weight: W(), reduction }), [X]],
    [`cross_entropy_ignore_${reduction}`, (x) => F.crossEntropy(x, long([2, -100, 3]), { reduction }), [X]],
    [`cross_entropy_smooth_${reduction}`, (x) => F.crossEntropy(x, Y(), { labelSmoothing: 0.1, reduction }), [X]],
    [`cross_entropy_smooth_weight_ignore_${reduction}`,
      (x) => F.crossEntropy(x, long([2, 1, 3]), { weight: W(), ignoreIndex: 1, labelSmoothing: 0.2, reduction }), [X]],
    [`cross_entropy_probs_${reduction}`, (x, p) => F.crossEntropy(x, p, { reduction }), [X, P]],
    [`cross_entropy_probs_weight_smooth_${reduction}`, (x, p) => F.crossEntropy(x, p, { weight: W(), labelSmoothing: 0.3, reduction }), [X, P]],
    [`nll_loss_${reduction}`, (x) => F.nllLoss(x, Y(), { reduction }), [X]],
    [`nll_loss_weight_ignore_${reduction}`, (x) => F.nllLoss(x, long([2, 0, 3]), { weight: W(), ignoreIndex: 0, reduction }), [X]],
    [`mse_loss_${reduction}`, (a, b) => F.mseLoss(a, b, { reduction }), [A, B]],
    [`l1_loss_${reduction}`, (a, b) => F.l1Loss(a, b, { reduction }), [A, B]],
    [`smooth_l1_loss_${reduction}`, (a, b) => F.smoothL1Loss(a, b, { reduction, beta: 0.5 }), [A, B]],
    [`bce_${reduction}`, (p, t) => F.binaryCrossEntropy(p, t, { reduction }), [PROB, T]],
    [`bce_weight_${reduction}`, (p, t) => F.binaryCrossEntropy(p, t, { weight: BW(), reduction }), [PROB, T]],
    [`bce_logits_${reduction}`, (a, t) => F.binaryCrossEntropyWithLogits(a, t, { reduction }), [A, T]],
    [`bce_logits_weights_${reduction}`,
      (a, t) => F.binaryCrossEntropyWithLogits(a, t, { weight: BW(), posWeight: tg.tensor([2.0, 0.5, 1.0]), reduction }), [A, T]],
  ]),
  ["cross_entropy_1d", (x) => F.crossEntropy(x, long(1)), [X[0]]],
  ["cross_entropy_3d_mean", (x) => F.crossEntropy(x, long([[0, 3, 1], [2, 2, 0]])), [X3]],
  ["cross_entropy_3d_none", (x) => F.crossEntropy(x, long([[0, 3, 1], [2, 2, 0]]), { reduction: "none" }), [X3]],
  ["cross_entropy_4d_mean", (x) => F.crossEntropy(x, long([[[0, 2], [1, 1]], [[2, 0], [-100, 1]]])), [X4]],
  ["cross_entropy_4d_none", (x) => F.crossEntropy(x, long([[[0, 2], [1, 1]], [[2, 0], [-100, 1]]]), { reduction: "none" }), [X4]],
  ["mse_loss_broadcast", (a, b) => F.mseLoss(a, b), [A, B[0]]],
  ["layer_norm", (x, g, b) => F.layerNorm(x, [4], { weight: g, bias: b, eps: 1e-5 }), [X, [1.0, 0.5, -1.0, 2.0], [0.1, 0.0, -0.2, 0.3]]],
  ["layer_norm_2d_shape", (x) => F.layerNorm(x, [3, 4]), [X]],
  ["embedding_padding", (e) => F.embedding(long([[1, 0, 2], [2, 2, 4]]), e, { paddingIdx: 2 }),
    [Array.from({ length: 5 }, (_, i) => Array.from({ length: 3 }, (_, j) => 0.1 * i + 0.01 * j))]],
  ["softmax_implicit_2d", (x) => F.softmax(x), [X]],
  ["log_softmax_implicit_3d", (x) => F.logSoftmax(x), [X3]],
  ["linear_3d", (x, w, b) => F.linear(x, w, b), [X3, [[0.5, -0.5, 1.0], [0.2, 0.3, -0.1]], [0.05, -0.05]]],
  ["gelu_tanh", (x) => F.gelu(x, { approximate: "tanh" }), [X]],
  ["silu", (x) => F.silu(x), [X]],
];

// PyTorch's C++ composites divide by a C++ number, which records div.Scalar's DivBackward1;
// tapegrad's div records DivBackward0 whatever the divisor. Values and gradients are checked.
const SCALAR_OVERLOAD_ROOTS = new Set(["cross_entropy_probs_mean", "cross_entropy_probs_weight_smooth_mean"]);

describe("functional against PyTorch", () => {
  test.each(cases)("%s", (name, fn, inputs) => {
    const expected = ref[name];
    const before = tg.memory().liveBytes;
    tg.tidy(() => {
      const leaves = inputs.map((v) => tg.tensor(v as number[], { requiresGrad: true }));
      const y = fn(...leaves);
      expect(y.shape).toEqual(expected.shape);
      if (!SCALAR_OVERLOAD_ROOTS.has(name)) expect(y.gradFn?.name ?? null).toBe(expected.grad_fn);
      expectClose(y, expected.value);
      const seed = y.ndim === 0 ? y : y.mul(tg.linspace(0.5, 1.5, y.numel()).reshape(y.shape)).sum();
      seed.backward();
      leaves.forEach((l, i) => {
        if (expected.grads[i] === null) expect(l.grad).toBe(null);
        else expectClose(l.grad as tg.Tensor, expected.grads[i]);
      });
      for (const l of leaves) l.dispose();
    });
    expect(tg.memory().liveBytes).toBe(before);
  });
});

describe("dropout", () => {
  test("identity in eval mode or with p = 0, and validates p", () => {
    const x = tg.ones(3, 4);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout(x, { p: 0 })).toBe(x);
    expectError(() => F.dropout(x, 1.5), "ValueError", "dropout probability has to be between 0 and 1, but got 1.5");
    x.dispose();
  });

  test("p = 1 zeroes everything through MulBackward0", () => {
    const x = tg.ones(2, 3, { requiresGrad: true });
    const y = F.dropout(x, 1);
    expect(y.gradFn?.name).toBe("MulBackward0");
    expect(y.sum().item()).toBe(0);
    tg.dispose([x, y]);
  });

  test("keeps elements scaled by 1 / (1 - p) and zeroes the rest", () => {
    tg.tidy(() => {
      const x = tg.ones(200, 50, { requiresGrad: true });
      const y = F.dropout(x, { p: 0.25 });
      expect(y.gradFn?.name).toBe("MulBackward0");
      const kept = y.ne(0);
      expect(y.maskedSelect(kept).sub(1 / 0.75).abs().max().item()).toBeLessThan(1e-6);
      const fraction = kept.float().mean().item();
      expect(fraction).toBeGreaterThan(0.7);
      expect(fraction).toBeLessThan(0.8);
      y.sum().backward();
      expectClose(x.grad as tg.Tensor, y.detach());
      x.dispose();
    });
  });
});

describe("errors worded as PyTorch's", () => {
  const x = () => tg.tensor(X);
  test.each([
    ["float class indices", () => F.crossEntropy(x(), tg.tensor([0, 1, 2])), "RuntimeError", "expected scalar type Long but found Float"],
    ["int32 class indices", () => F.crossEntropy(x(), tg.tensor([0, 1, 2], { dtype: "int32" })), "RuntimeError", "expected scalar type Long but found Int"],
    ["class index too large", () => F.crossEntropy(x(), long([0, 4, 1])), "IndexError", "Target 4 is out of bounds."],
    ["negative class index", () => F.crossEntropy(x(), long([0, -1, 1])), "IndexError", "Target -1 is out of bounds."],
    ["batch size", () => F.crossEntropy(x(), long([0, 1])), "ValueError", "Expected input batch_size (3) to match target batch_size (2)."],
    ["integer probabilities", () => F.crossEntropy(x(), tg.zeros(3, 4, { dtype: "int64" })), "RuntimeError",
      "Expected floating point type for target with class probabilities, got Long"],
    ["reduction", () => F.crossEntropy(x(), Y(), { reduction: "avg" as "mean" }), "ValueError", "avg is not a valid value for reduction"],
    ["2-D class indices", () => F.crossEntropy(x(), tg.zeros(3, 2, { dtype: "int64" })), "RuntimeError",
      "0D or 1D target tensor expected, multi-target not supported"],
    ["weight size", () => F.crossEntropy(x(), Y(), { weight: tg.ones(3) }), "RuntimeError",
      "weight tensor should be defined either for all 4 classes or no classes but got weight tensor of shape: [3]"],
    ["1-D input, 1-D target", () => F.crossEntropy(tg.ones(4), long([1])), "RuntimeError", "size mismatch (got input: [4], target: [1])"],
    ["N-D target size", () => F.crossEntropy(tg.ones(2, 4, 5), tg.zeros(2, 4, { dtype: "int64" })), "RuntimeError",
      "Expected target size [2, 5], got [2, 4]"],
    ["label smoothing", () => F.crossEntropy(x(), Y(), { labelSmoothing: 1.5 }), "RuntimeError", "label_smoothing must be between 0.0 and 1.0. Got: 1.5"],
    ["nll float target", () => F.nllLoss(x(), tg.tensor([0, 1, 2])), "RuntimeError", "expected scalar type Long but found Float"],
    ["bce integer target", () => F.binaryCrossEntropy(tg.tensor([0.5, 0.5, 0.5]), long([1, 0, 1])), "RuntimeError", "Found dtype Long but expected Float"],
    ["bce input range", () => F.binaryCrossEntropy(tg.tensor([1.5, 0.2]), tg.tensor([1, 0])), "RuntimeError", "all elements of input should be between 0 and 1"],
    ["bce size", () => F.binaryCrossEntropy(tg.ones(3).mul(0.5), tg.ones(3, 1)), "ValueError",
      "Using a target size (torch.Size([3, 1])) that is different to the input size (torch.Size([3])) is deprecated. Please ensure they have the same size."],
    ["bce logits size", () => F.binaryCrossEntropyWithLogits(tg.ones(3), tg.ones(3, 1)), "ValueError",
      "Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3]))"],
    ["smooth l1 beta", () => F.smoothL1Loss(x(), x(), { beta: -1 }), "RuntimeError", "smooth_l1_loss does not support negative values for beta."],
    ["linear shapes", () => F.linear(tg.ones(5, 3), tg.ones(8, 4), tg.ones(8)), "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (5x3 and 4x8)"],
    ["linear 3-D shapes", () => F.linear(tg.ones(2, 5, 3), tg.ones(8, 4), tg.ones(8)), "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (10x3 and 4x8)"],
    ["embedding index", () => F.embedding(long([5]), tg.ones(5, 3)), "IndexError", "index out of range in self"],
    ["embedding float indices", () => F.embedding(tg.tensor([1]), tg.ones(5, 3)), "RuntimeError",
      "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)"],
    ["layer norm shape", () => F.layerNorm(tg.ones(2, 3), [4]), "RuntimeError",
      "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]"],
  ] as [string, () => unknown, string, string][])("%s", (_name, fn, cls, message) => {
    tg.tidy(() => expectError(fn, cls, message));
  });

  test("a failed loss leaves memory as it was", () => {
    const before = tg.memory().liveBytes;
    const input = tg.tensor(X, { requiresGrad: true });
    const target = long([0, 7, 1]);
    expectError(() => F.crossEntropy(input, target), "IndexError", "Target 7 is out of bounds.");
    tg.dispose([input, target]);
    expect(tg.memory().liveBytes).toBe(before);
  });
});
