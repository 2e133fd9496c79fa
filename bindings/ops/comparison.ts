// Ops whose results carry no gradient: comparisons, logical and bitwise ops, and the element
// tests (isnan, isinf, ...). Comparisons and logical ops give bool; bitwise ops keep the
// promoted integer (or bool) dtype.
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { alive, notImplementedFor } from "./checks.js";
import * as k from "./kernels.js";
import { type TensorOrScalar, operand, operandOf, pointwiseResult, pointwiseShape, promote, runBinary } from "./pointwise.js";

/** a <op> b in the promoted dtype (logical ops test each operand against 0 in it). */
function compare(kernel: k.CompareKernel, self: Tensor, other: TensorOrScalar): Tensor {
  alive(self, other instanceof Tensor ? other : null);
  const dtype = promote(self, other);
  const out = k.emptyPointwise(pointwiseShape(self, other), "bool", [self, operandOf(other)]);
  const temps: Tensor[] = [];
  try {
    k.compare(kernel, operand(self, dtype, temps), operand(other, dtype, temps), dtype, out);
  } finally {
    for (const t of temps) t.dispose();
  }
  return out;
}

const COMPARISONS = {
  eq: "Eq", ne: "Ne", lt: "Lt", le: "Le", gt: "Gt", ge: "Ge", logicalAnd: "And", logicalOr: "Or", logicalXor: "Xor",
} as const satisfies Record<string, k.CompareKernel>;

/** Bitwise ops: integer and bool operands only, as PyTorch's kernels. */
const BITWISE = {
  bitwiseAnd: ["BitAnd", "bitwise_and_cpu"], bitwiseOr: ["BitOr", "bitwise_or_cpu"], bitwiseXor: ["BitXor", "bitwise_xor_cpu"],
} as const satisfies Record<string, readonly [k.BinaryKernel, string]>;

function bitwise(name: keyof typeof BITWISE, self: Tensor, other: TensorOrScalar): Tensor {
  alive(self, other instanceof Tensor ? other : null);
  const [kernel, cpu] = BITWISE[name];
  const dtype = promote(self, other);
  if (isFloating(dtype)) throw notImplementedFor(cpu, dtype);
  return pointwiseResult(self, other, dtype, (out) => runBinary(kernel, self, other, dtype, out));
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

export const comparisonMethods = {} as { [K in keyof ComparisonMethods]: (this: Tensor, ...args: Parameters<ComparisonMethods[K]>) => Tensor };
for (const [name, kernel] of Object.entries(COMPARISONS)) {
  (comparisonMethods as Record<string, unknown>)[name] = function (this: Tensor, other: TensorOrScalar) {
    return compare(kernel, this, other);
  };
}
for (const name of Object.keys(BITWISE) as (keyof typeof BITWISE)[]) {
  comparisonMethods[name] = function (this: Tensor, other: TensorOrScalar) {
    return bitwise(name, this, other);
  };
}
for (const [name, kernel] of Object.entries(TESTS)) {
  (comparisonMethods as Record<string, unknown>)[name] = function (this: Tensor) {
    return classify(kernel, this);
  };
}
comparisonMethods.logicalNot = function (this: Tensor) {
  alive(this);
  return compare("Eq", this, 0);
};
comparisonMethods.bitwiseNot = function (this: Tensor) {
  return bitwiseNot(this);
};
