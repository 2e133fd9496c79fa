// Bad input raises PyTorch's exception class with PyTorch's wording, and leaves every other
// tensor, the graph and the WASM heap as they were.
import { describe, expect, test } from "vitest";
import {
  IndexError, RuntimeError, ValueError, autograd, cat, memory, noGrad, ones, slice, tensor, tidy, zeros,
} from "tapegrad";

type ErrorClass = typeof RuntimeError | typeof IndexError | typeof ValueError | typeof TypeError;

const CASES: [string, () => unknown, ErrorClass, string][] = [
  ["broadcast shape mismatch", () => ones(2, 3).add(ones(4)), RuntimeError,
    "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"],
  ["invalid view shape", () => ones(2, 3).view(4, 2), RuntimeError, "shape '[4, 2]' is invalid for input of size 6"],
  ["view across non-contiguous dims", () => ones(2, 3).t().view(-1), RuntimeError,
    "view size is not compatible with input tensor's size and stride"],
  ["index out of range", () => ones(3).index(3), IndexError, "index 3 is out of bounds for dimension 0 with size 3"],
  ["select out of range", () => ones(2, 3).select(1, 5), IndexError, "select(): index 5 out of range for tensor of size [2, 3] at dimension 1"],
  ["dim out of range", () => ones(2, 3).sum(2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"],
  ["negative slice step", () => ones(3).index(slice(null, null, -1)), ValueError, "step must be greater than zero"],
  ["requiresGrad on an integer tensor (factory)", () => tensor([1, 2], { dtype: "int64", requiresGrad: true }), RuntimeError,
    "Only Tensors of floating point and complex dtype can require gradients"],
  ["requiresGrad_ on an integer tensor", () => tensor([1, 2], { dtype: "int64" }).requiresGrad_(), RuntimeError,
    "only Tensors of floating point dtype can require gradients"],
  ["ragged data", () => tensor([[1, 2], [3]]), ValueError, "expected sequence of length 2 at dim 1 (got 1)"],
  ["in-place on a leaf that requires grad", () => ones(3, { requiresGrad: true }).add_(1), RuntimeError,
    "a leaf Variable that requires grad is being used in an in-place operation."],
  ["in-place on a view of such a leaf", () => ones(3, { requiresGrad: true }).index(slice(0, 2)).mul_(2), RuntimeError,
    "a view of a leaf Variable that requires grad is being used in an in-place operation."],
  ["in-place on a view made under noGrad", () => {
    const b = ones(3, { requiresGrad: true }).mul(1);
    const v = noGrad(() => b.index(slice(0, 2)));
    v.mul_(2);
  }, RuntimeError, "A view was created in no_grad mode and is being modified inplace with grad mode enabled."],
  ["in-place on an output of unbind", () => ones(2, 2, { requiresGrad: true }).mul(1).unbind()[0].mul_(2), RuntimeError,
    "Output 0 of UnbindBackward0 is a view and is being modified inplace. This view is the output of a function that returns multiple views."],
  ["in-place on overlapping memory", () => ones(3, 1).expand(3, 4).add_(1), RuntimeError,
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location."],
  ["saved tensor changed in place", () => {
    const x = ones(3, { requiresGrad: true });
    const y = x.mul(1).sigmoid();
    y.detach().zero_();
    y.sum().backward();
  }, RuntimeError, "one of the variables needed for gradient computation has been modified by an inplace operation"],
  ["saved tensor detached in place", () => {
    const x = ones(3, { requiresGrad: true });
    const h = x.mul(2);
    const y = h.sin();
    h.detach_();
    y.sum().backward();
  }, RuntimeError, "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_()."],
  ["backward twice", () => {
    const y = ones(3, { requiresGrad: true }).exp().sum();
    y.backward();
    y.backward();
  }, RuntimeError, "Trying to backward through the graph a second time"],
  ["implicit gradient of a non-scalar", () => ones(3, { requiresGrad: true }).mul(2).backward(), RuntimeError,
    "grad can be implicitly created only for scalar outputs"],
  ["requiresGrad on a non-leaf", () => {
    ones(3, { requiresGrad: true }).mul(2).requiresGrad = false;
  }, RuntimeError, "you can only change requires_grad flags of leaf variables."],
  ["unused input in autograd.grad", () => {
    const x = ones(2, { requiresGrad: true });
    autograd.grad(x.mul(2).sum(), [x, ones(2, { requiresGrad: true })]);
  }, RuntimeError, "One of the differentiated Tensors appears to not have been used in the graph."],
  ["matrix shapes", () => ones(2, 3).mm(ones(2, 3)), RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"],
  // the index is transposed: memory order meets 5 first, PyTorch reports the first in row-major order
  ["gather index out of range", () => zeros(2, 3).gather(1, tensor([[0, 5], [7, 0]], { dtype: "int64" }).t()), RuntimeError,
    "index 7 is out of bounds for dimension 1 with size 3"],
  ["scatter_ index out of range (nothing written)", () => {
    const x = zeros(2, 3);
    try {
      x.scatter_(1, tensor([[0, 5], [7, 0]], { dtype: "int64" }).t(), 1);
    } finally {
      expect(x.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    }
  }, RuntimeError, "index 7 is out of bounds for dimension 1 with size 3"],
  ["cat sizes", () => cat([ones(2, 3), ones(1, 2)]), RuntimeError,
    "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."],
];

describe.each(CASES)("%s", (_name, action, kind, message) => {
  test("raises with PyTorch's class and text, and leaves everything intact", () => {
    const bystander = tensor([1, 2, 3]);
    const graph = ones(2, { requiresGrad: true });
    const before = memory();
    tidy(() => {
      let caught: unknown = null;
      try {
        action();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(kind);
      expect((caught as Error).name).toBe(kind.name);
      expect((caught as Error).message.startsWith(message)).toBe(true);
    });
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(bystander.tolist()).toEqual([1, 2, 3]);
    graph.mul(3).sum().backward();
    expect(graph.grad!.tolist()).toEqual([3, 3]);
  });
});

test("an op that fails inside the kernel bumps no version", () => {
  const t = zeros(3);
  expect(() => t.add_(ones(4))).toThrow("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
  expect(() => t.add_(ones(2, 3))).toThrow("output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect(t.version).toBe(0);
  const i = tensor([1, 2], { dtype: "int64" });
  expect(() => i.add_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
  expect(i.version).toBe(0);
});
