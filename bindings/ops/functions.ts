// The torch.* function forms: `sigmoid(x)` for every method `x.sigmoid()`, plus the functions
// that are not methods (cat, stack, where with scalars, pow with a scalar base).
import { Tensor } from "../tensor/tensor.js";
import { dimList } from "./args.js";
import { METHOD_TABLES, type TensorMethods } from "./methods.js";
import { cat, oneHot, stack } from "./shape.js";
import { einsum } from "./einsum.js";
import { vectorNorm } from "./reduction.js";
import { powScalarBase } from "./pointwise.js";
import { where } from "./ternary.js";
import { nonzeroColumns } from "./indexing.js";

type Functional = {
  [K in keyof TensorMethods]: TensorMethods[K] extends (...args: infer A) => infer R ? (self: Tensor, ...args: A) => R : never;
};

function functionForms(): Functional {
  const out: Record<string, unknown> = {};
  for (const table of METHOD_TABLES) {
    for (const name of Object.keys(table)) {
      out[name] = (self: Tensor, ...args: unknown[]) =>
        ((self as unknown as Record<string, (...a: unknown[]) => unknown>)[name])(...args);
    }
  }
  return out as Functional;
}

const forms = functionForms();

export const functions = {
  ...forms,
  cat: (tensors: readonly Tensor[], dim: number | { dim?: number } = 0) => cat(tensors, typeof dim === "number" ? dim : dim.dim ?? 0),
  concat: (tensors: readonly Tensor[], dim = 0) => cat(tensors, dim),
  stack: (tensors: readonly Tensor[], dim: number | { dim?: number } = 0) => stack(tensors, typeof dim === "number" ? dim : dim.dim ?? 0),
  /** torch.where(condition, self, other); with the condition alone, nonzero(condition, as_tuple=True) */
  where: ((condition: Tensor, self?: Tensor | number, other?: Tensor | number) =>
    self === undefined && other === undefined ? nonzeroColumns(condition) : where(condition, self as Tensor | number, other as Tensor | number)) as {
    (condition: Tensor, self: Tensor | number, other: Tensor | number): Tensor;
    (condition: Tensor): Tensor[];
  },
  einsum,
  /** nn.functional.one_hot */
  oneHot: (t: Tensor, numClasses = -1) => oneHot(t, numClasses),
  /** torch.pow(base, exponent): the base may be a number */
  pow: (base: Tensor | number, exponent: Tensor | number): Tensor =>
    base instanceof Tensor ? base.pow(exponent) : powScalarBase(base, exponent as Tensor),
};

/** torch.linalg */
export const linalg = {
  /** linalg.vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None) */
  vectorNorm: (x: Tensor, ord = 2, dim: number | number[] | null = null, keepdim = false, options: { dtype?: Tensor["dtype"] } = {}): Tensor =>
    vectorNorm(x, ord, dimList(dim), keepdim, options.dtype),
};
