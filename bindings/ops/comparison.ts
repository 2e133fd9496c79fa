// Ops whose results carry no gradient: comparisons, logical and bitwise ops, and the element
// tests (isnan, isinf, ...). Comparisons and logical ops give bool; bitwise ops keep the
// promoted integer (or bool) dtype.
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { method } from "./args.js";
import { alive, notImplementedFor } from "./checks.js";
import * as k from "./kernels.js";
import { type TensorOrScalar, freshResult, promote, runBinary, tensorOrNull, withOperands } from "./pointwise.js";

/** a <op> b in the promoted dtype (logical ops test each operand against 0 in it). */
function compare(kernel: k.CompareKernel, self: Tensor, other: TensorOrScalar): Tensor {
  alive(self, tensorOrNull(other));
  const dtype = promote(self, other);
  return freshResult("bool", [self, other], (out) =>
    withOperands([self, other], dtype, ([a, b]) => k.compare(kernel, a, b, dtype, out)));
}

const COMPARISONS = {
  eq: "Eq", ne: "Ne", lt: "Lt", le: "Le", gt: "Gt", ge: "Ge", logicalAnd: "And", logicalOr: "Or", logicalXor: "Xor",
} as const satisfies Record<string, k.CompareKernel>;

/** Bitwise ops: integer and bool operands only, as PyTorch's kernels. */
const BITWISE = {
  bitwiseAnd: ["BitAnd", "bitwise_and_cpu"], bitwiseOr: ["BitOr", "bitwise_or_cpu"], bitwiseXor: ["BitXor", "bitwise_xor_cpu"],
} as const satisfies Record<string, readonly [k.BinaryKernel, string]>;

function bitwise(name: keyof typeof BITWISE, self: Tensor, other: TensorOrScalar): Tensor {
  alive(self, tensorOrNull(other));
  const [kernel, cpu] = BITWISE[name];
  const dtype = promote(self, other);
  if (isFloating(dtype)) throw notImplementedFor(cpu, dtype);
  return freshResult(dtype, [self, other], (out) => runBinary(kernel, self, other, dtype, out));
}

/** ~x: bool inverts, integers flip every bit. */
function bitwiseNot(self: Tensor): Tensor {
  alive(self);
  if (self.dtype === "bool") return compare("Eq", self, false);
  if (isFloating(self.dtype)) throw notImplementedFor("bitwise_not_cpu", self.dtype);
  return k.unary("BitNot", self, k.emptyLike(self));
}

/** Element tests, bool results of the input's shape. */
const TESTS = {
  isnan: "IsNan", isinf: "IsInf", isposinf: "IsPosInf", isneginf: "IsNegInf", isfinite: "IsFinite", signbit: "SignBit",
} as const satisfies Record<string, k.ClassifyKernel>;

function classify(kernel: k.ClassifyKernel, self: Tensor): Tensor {
  alive(self);
  return k.classify(kernel, self, k.emptyLike(self, "bool"));
}

export type ComparisonMethods = { [K in keyof typeof COMPARISONS | keyof typeof BITWISE]: (other: TensorOrScalar) => Tensor } & {
  [K in keyof typeof TESTS | "logicalNot" | "bitwiseNot"]: () => Tensor;
};

const methods: Record<string, unknown> = {
  logicalNot: method((self) => compare("Eq", self, 0)),
  bitwiseNot: method(bitwiseNot),
};
for (const [name, kernel] of Object.entries(COMPARISONS)) methods[name] = method((self, other: TensorOrScalar) => compare(kernel, self, other));
for (const name of Object.keys(BITWISE) as (keyof typeof BITWISE)[]) methods[name] = method((self, other: TensorOrScalar) => bitwise(name, self, other));
for (const [name, kernel] of Object.entries(TESTS)) methods[name] = method((self) => classify(kernel, self));

export const comparisonMethods = methods as { [K in keyof ComparisonMethods]: (this: Tensor, ...args: Parameters<ComparisonMethods[K]>) => Tensor };
