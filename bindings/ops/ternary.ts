// Pointwise ops of up to three tensors: where, masked_fill, clamp with tensor bounds, lerp,
// addcmul and addcdiv, each with PyTorch's node per overload.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, DTYPES, type DType, isFloating, resultType, scalarKind } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind } from "./args.js";
import { alive, checkInplaceTarget, notImplementedFor, typeMetaName } from "./checks.js";
import * as k from "./kernels.js";
import { type Scalar, type TensorOrScalar, UNARY, applyUnary, applyUnaryInplace, asNumber, freshResult, operand, writeInPlace } from "./pointwise.js";
import { type Derivative, record, recordInplace } from "./record.js";

const tensors = (...xs: (TensorOrScalar | null)[]): Tensor[] => xs.filter((x): x is Tensor => x instanceof Tensor);
const tensorOrNull = (x: TensorOrScalar | null): Tensor | null => (x instanceof Tensor ? x : null);

function broadcastAll(...xs: (TensorOrScalar | null)[]): number[] {
  let shape: number[] = [];
  for (const t of tensors(...xs)) shape = broadcastShapes(shape, t._shape);
  return shape;
}

/** Runs `fill` with the operands converted to `dtype`, disposing the conversions. */
function withOperands(xs: readonly TensorOrScalar[], dtype: DType, fill: (ops: k.Operand[]) => void): void {
  const temps: Tensor[] = [];
  try {
    fill(xs.map((x) => operand(x, dtype, temps)));
  } finally {
    for (const t of temps) t.dispose();
  }
}

// ---- where ---------------------------------------------------------------------------------------

const WHERE: Derivative<null> = {
  name: "WhereBackward0",
  inputs: ["condition", "self", "other"],
  saves: { condition: ["self", "other"] },
  backward: ({ grad, saved, needs }) => {
    const c = saved("condition");
    return { self: needs("self") ? c.where(grad, 0) : null, other: needs("other") ? c.where(0, grad) : null };
  },
};

/** torch.where(condition, self, other) with broadcasting; self/other may be scalars. */
export function where(condition: Tensor, self: TensorOrScalar, other: TensorOrScalar): Tensor {
  alive(condition, tensorOrNull(self), tensorOrNull(other));
  if (condition.dtype !== "bool" && condition.dtype !== "uint8") {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${DTYPES[condition.dtype].scalarName}`);
  }
  const scalars = [self, other].filter((x): x is Scalar => !(x instanceof Tensor)).map(scalarKind);
  const values = tensors(self, other);
  const dtype = values.length === 0 ? (scalars.includes("float") ? DEFAULT_DTYPE : scalars.every((s) => s === "bool") ? "bool" : "int64")
    : resultType(values, scalars);
  const shape = broadcastAll(condition, self, other);
  return record(WHERE, [condition, tensorOrNull(self), tensorOrNull(other)], null, () =>
    freshResult(shape, dtype, [condition, self, other], (out) =>
      withOperands([self, other], dtype, ([a, b]) => k.where(condition, a, b, out))));
}

// ---- masked_fill -----------------------------------------------------------------------------------

const MASKED_FILL: Derivative<null> = {
  name: "MaskedFillBackward0", inputs: ["self"],
  backward: ({ grad, saved }) => ({ self: grad.maskedFill(saved("mask"), 0) }),
};
const MASKED_FILL_TENSOR: Derivative<null> = {
  name: "MaskedFillBackward1", inputs: ["self", "value"],
  backward: ({ grad, saved, needs }) => {
    const mask = saved("mask");
    return { self: needs("self") ? grad.maskedFill(mask, 0) : null, value: needs("value") ? grad.maskedSelect(mask).sum() : null };
  },
};

function checkMaskedFill(mask: Tensor, value: TensorOrScalar): void {
  if (mask.dtype !== "bool") throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${typeMetaName(mask.dtype)}`);
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new RuntimeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  }
}

/** self with `value` where `mask` is true; the result has the broadcast shape of self and mask. */
export function maskedFill(self: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
  alive(self, mask, tensorOrNull(value));
  checkMaskedFill(mask, value);
  const d = value instanceof Tensor ? MASKED_FILL_TENSOR : MASKED_FILL;
  const shape = broadcastShapes(self._shape, mask._shape);
  return record(d, [self, tensorOrNull(value)], null, () => {
    const out = k.empty(shape, self.dtype);
    withOperands([value], self.dtype, ([v]) => k.where(mask, v, self, out));
    return out;
  }, { mask });
}

export function maskedFillInplace(self: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
  alive(self, mask, tensorOrNull(value));
  checkMaskedFill(mask, value);
  const d = value instanceof Tensor ? MASKED_FILL_TENSOR : MASKED_FILL;
  return recordInplace(d, self, [tensorOrNull(value)], null, () => {
    checkInplaceTarget(self, [mask], self.dtype, [mask._shape]);
    withOperands([value], self.dtype, ([v]) => k.where(mask, v, self, self));
  }, { aux: { mask } });
}

// ---- clamp -------------------------------------------------------------------------------------

interface ClampAttrs {
  hasMin: boolean;
  hasMax: boolean;
}

/** clamp with tensor bounds (PyTorch's clamp.Tensor); a scalar bound next to a tensor one is a 0-dim tensor there. */
const CLAMP_TENSOR: Derivative<ClampAttrs> = {
  name: "ClampBackward0", inputs: ["self", "min", "max"],
  saves: { self: ["self", "min", "max"], min: ["self", "min", "max"], max: ["self", "min", "max"] },
  backward: ({ grad, saved, attrs, needs }) => {
    const x = saved("self");
    const min = attrs.hasMin ? saved("min") : null;
    const max = attrs.hasMax ? saved("max") : null;
    const out: Record<string, Tensor | null> = {};
    if (needs("self")) {
      // gradient 1 on the bounds themselves, as for scalar bounds
      const inside = min !== null && max !== null ? x.ge(min).logicalAnd(x.le(max)) : min !== null ? x.ge(min) : x.le(max as Tensor);
      out.self = inside.where(grad, 0);
    }
    // a bound takes the gradient where it is the result; min loses it where min > max
    if (min !== null && needs("min")) out.min = (max !== null ? x.lt(min).logicalAnd(min.lt(max)) : x.lt(min)).where(grad, 0);
    if (max !== null && needs("max")) out.max = (min !== null ? x.gt(max).logicalOr(max.lt(min)) : x.gt(max)).where(grad, 0);
    return out;
  },
};


function clampDtype(self: Tensor, min: ClampBound, max: ClampBound): DType {
  const scalars = [min, max].filter((x): x is Scalar => x !== null && !(x instanceof Tensor)).map(scalarKind);
  return resultType([self, ...tensors(min, max)], scalars);
}

/** min(max(self, min), max): NaN in self or a bound propagates, as in PyTorch's kernel. */
function clampInto(out: Tensor, self: Tensor, min: ClampBound, max: ClampBound, dtype: DType): void {
  withOperands([self, ...[min, max].filter((b): b is TensorOrScalar => b !== null)], dtype, ([x, ...bounds]) => {
    let source = x;
    if (min !== null) source = k.binary("Maximum", source, bounds.shift() as k.Operand, out);
    if (max !== null) k.binary("Minimum", source, bounds.shift() as k.Operand, out);
  });
}

/** The bounds as tensors: a scalar next to a tensor bound becomes a 0-dim tensor of its own kind. */
function tensorBounds(min: ClampBound, max: ClampBound): [Tensor | null, Tensor | null, Tensor[]] {
  const made: Tensor[] = [];
  const asTensor = (b: ClampBound): Tensor | null => {
    if (b === null || b instanceof Tensor) return b;
    const t = k.empty([], scalarKind(b) === "float" ? DEFAULT_DTYPE : scalarKind(b) === "int" ? "int64" : "bool");
    k.fill(t, asNumber(b));
    made.push(t);
    return t;
  };
  return [asTensor(min), asTensor(max), made];
}

function clampArgs(args: unknown[]): [ClampBound, ClampBound] {
  const { min, max } = bind<{ min: ClampBound; max: ClampBound }>(["min", "max"], args, { min: null, max: null });
  if (min === null && max === null) throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  return [min, max];
}

/** The bounds as numbers, for clamp's scalar overload (ClampBackward1). */
const scalarBounds = (min: ClampBound, max: ClampBound): [number | null, number | null] => [
  min === null ? null : asNumber(min as Scalar), max === null ? null : asNumber(max as Scalar),
];

/** Runs `fn` with the bounds as tensors and the result dtype (clamp's tensor overload, ClampBackward0). */
function withTensorBounds(self: Tensor, min: ClampBound, max: ClampBound, fn: (lo: Tensor | null, hi: Tensor | null, dtype: DType) => Tensor): Tensor {
  alive(self, tensorOrNull(min), tensorOrNull(max));
  const dtype = clampDtype(self, min, max);
  const [lo, hi, made] = tensorBounds(min, max);
  try {
    return fn(lo, hi, dtype);
  } finally {
    for (const t of made) t.dispose();
  }
}

const hasTensorBound = (min: ClampBound, max: ClampBound) => min instanceof Tensor || max instanceof Tensor;

export function clamp(self: Tensor, min: ClampBound, max: ClampBound): Tensor {
  if (!hasTensorBound(min, max)) return applyUnary(UNARY.clamp, self, scalarBounds(min, max));
  return withTensorBounds(self, min, max, (lo, hi, dtype) =>
    record(CLAMP_TENSOR, [self, lo, hi], { hasMin: lo !== null, hasMax: hi !== null }, () =>
      freshResult(broadcastAll(self, lo, hi), dtype, tensors(self, lo, hi), (out) => clampInto(out, self, lo, hi, dtype))));
}

export function clampInplace(self: Tensor, min: ClampBound, max: ClampBound): Tensor {
  if (!hasTensorBound(min, max)) return applyUnaryInplace(UNARY.clamp, self, scalarBounds(min, max));
  return withTensorBounds(self, min, max, (lo, hi, dtype) =>
    recordInplace(CLAMP_TENSOR, self, [lo, hi], { hasMin: lo !== null, hasMax: hi !== null }, () => {
      const bounds = tensors(lo, hi);
      checkInplaceTarget(self, bounds, dtype, bounds.map((t) => t._shape));
      writeInPlace(self, dtype, (out) => clampInto(out, self, lo, hi, dtype));
    }, { original: () => self.clone() }));
}

// ---- lerp, addcmul, addcdiv ------------------------------------------------------------------------

/** lerp's operands must share self's dtype (PyTorch checks, it does not promote). */
function checkSameDtype(self: Tensor, other: Tensor, name: string): void {
  if (other.dtype !== self.dtype) {
    throw new RuntimeError(`expected dtype ${DTYPES[self.dtype].scalarName.toLowerCase()} for \`${name}\` but got dtype ${DTYPES[other.dtype].scalarName.toLowerCase()}`);
  }
}

const LERP_SCALAR: Derivative<{ weight: number }> = {
  name: "LerpBackward0", inputs: ["self", "end"],
  backward: ({ grad, attrs, needs }) => ({
    self: needs("self") ? grad.mul(1 - attrs.weight) : null,
    end: needs("end") ? grad.mul(attrs.weight) : null,
  }),
};
const LERP_TENSOR: Derivative<null> = {
  name: "LerpBackward1", inputs: ["self", "end", "weight"],
  saves: { weight: ["self", "end"], self: ["weight"], end: ["weight"] },
  backward: ({ grad, saved, needs }) => ({
    self: needs("self") ? grad.mul(saved("weight").rsub(1)) : null,
    end: needs("end") ? grad.mul(saved("weight")) : null,
    weight: needs("weight") ? grad.mul(saved("end").sub(saved("self"))) : null,
  }),
};

function checkLerp(self: Tensor, end: Tensor, weight: TensorOrScalar): void {
  alive(self, end, tensorOrNull(weight));
  checkSameDtype(self, end, "end");
  if (weight instanceof Tensor) checkSameDtype(self, weight, "weight");
  if (!isFloating(self.dtype)) throw notImplementedFor(weight instanceof Tensor ? "lerp_kernel_tensor" : "lerp_kernel_scalar", self.dtype);
}

function lerpInto(out: Tensor, self: Tensor, end: Tensor, weight: TensorOrScalar): void {
  if (weight instanceof Tensor) k.ternary("Lerp", self, end, weight, out);
  else k.binary("Lerp", self, end, out, asNumber(weight));
}

/** self + weight * (end - self), computed from the nearer end like PyTorch. */
export function lerp(self: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  checkLerp(self, end, weight);
  const shape = broadcastAll(self, end, weight);
  if (weight instanceof Tensor) {
    return record(LERP_TENSOR, [self, end, weight], null, () => freshResult(shape, self.dtype, [self, end, weight], (out) => lerpInto(out, self, end, weight)));
  }
  return record(LERP_SCALAR, [self, end], { weight: asNumber(weight) }, () =>
    freshResult(shape, self.dtype, [self, end], (out) => lerpInto(out, self, end, weight)));
}

export function lerpInplace(self: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  checkLerp(self, end, weight);
  const others = tensors(end, weight);
  const write = () => {
    checkInplaceTarget(self, others, self.dtype, others.map((t) => t._shape));
    lerpInto(self, self, end, weight);
  };
  if (weight instanceof Tensor) return recordInplace(LERP_TENSOR, self, [end, weight], null, write, { original: () => self.clone() });
  return recordInplace(LERP_SCALAR, self, [end], { weight: asNumber(weight) }, write);
}

interface ScaledAttrs {
  value: number;
}

const ADDCMUL: Derivative<ScaledAttrs> = {
  name: "AddcmulBackward0", inputs: ["self", "tensor1", "tensor2"], saves: { tensor1: ["tensor2"], tensor2: ["tensor1"] },
  backward: ({ grad, saved, attrs, needs }) => ({
    self: needs("self") ? grad : null,
    tensor1: needs("tensor1") ? grad.mul(saved("tensor2")).mul(attrs.value) : null,
    tensor2: needs("tensor2") ? grad.mul(saved("tensor1")).mul(attrs.value) : null,
  }),
};
const ADDCDIV: Derivative<ScaledAttrs> = {
  name: "AddcdivBackward0", inputs: ["self", "tensor1", "tensor2"], saves: { tensor1: ["tensor2"], tensor2: ["tensor1", "tensor2"] },
  backward: ({ grad, saved, attrs, needs }) => {
    const t2 = saved("tensor2");
    return {
      self: needs("self") ? grad : null,
      tensor1: needs("tensor1") ? grad.mul(attrs.value).div(t2) : null,
      tensor2: needs("tensor2") ? grad.neg().mul(attrs.value).mul(saved("tensor1")).div(t2.mul(t2)) : null,
    };
  },
};

type Scaled = "Addcmul" | "Addcdiv";

function scaledDtype(kernel: Scaled, self: Tensor, t1: Tensor, t2: Tensor): DType {
  alive(self, t1, t2);
  const dtype = resultType([self, t1, t2]);
  if (kernel === "Addcdiv" && !isFloating(t1.dtype) && !isFloating(t2.dtype)) {
    throw new RuntimeError(
      "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
    );
  }
  if (dtype === "bool" || (kernel === "Addcdiv" && !isFloating(dtype))) throw notImplementedFor(`${kernel.toLowerCase()}_cpu_out`, dtype);
  return dtype;
}

/** The scale as the kernel takes it: integer dtypes truncate it, as PyTorch converts the Scalar. */
const scaleFor = (dtype: DType, value: number) => (isFloating(dtype) ? value : Math.trunc(value));

/** self + value * tensor1 * tensor2 (or / tensor2). */
function addcOp(kernel: Scaled, self: Tensor, t1: Tensor, t2: Tensor, value: number): Tensor {
  const dtype = scaledDtype(kernel, self, t1, t2);
  const shape = broadcastAll(self, t1, t2);
  return record(kernel === "Addcmul" ? ADDCMUL : ADDCDIV, [self, t1, t2], { value }, () =>
    freshResult(shape, dtype, [self, t1, t2], (out) => withOperands([self, t1, t2], dtype, ([a, b, c]) => k.ternary(kernel, a, b, c, out, scaleFor(dtype, value)))));
}

function addcOpInplace(kernel: Scaled, self: Tensor, t1: Tensor, t2: Tensor, value: number): Tensor {
  const dtype = scaledDtype(kernel, self, t1, t2);
  return recordInplace(kernel === "Addcmul" ? ADDCMUL : ADDCDIV, self, [t1, t2], { value }, () => {
    checkInplaceTarget(self, [t1, t2], dtype, [t1._shape, t2._shape]);
    writeInPlace(self, dtype, (out) => withOperands([self, t1, t2], dtype, ([a, b, c]) => k.ternary(kernel, a, b, c, out, scaleFor(dtype, value))));
  });
}

const valueOf = (args: unknown[]) => bind<{ value: number }>(["value"], args, { value: 1 }).value;
const weightOf = (args: unknown[]) => bind<{ weight: TensorOrScalar }>(["weight"], args, { weight: NaN }).weight;

/** A bound of clamp: a number, a tensor (broadcast), or null for none. */
export type ClampBound = TensorOrScalar | null;

export interface TernaryMethods {
  /** `condition.where(a, b)`: a where this (bool) tensor is true, else b */
  where(self: TensorOrScalar, other: TensorOrScalar): Tensor;
  maskedFill(mask: Tensor, value: TensorOrScalar): Tensor;
  maskedFill_(mask: Tensor, value: TensorOrScalar): Tensor;
  clamp(min?: ClampBound | { min?: ClampBound; max?: ClampBound }, max?: ClampBound): Tensor;
  clamp_(min?: ClampBound | { min?: ClampBound; max?: ClampBound }, max?: ClampBound): Tensor;
  clip(min?: ClampBound | { min?: ClampBound; max?: ClampBound }, max?: ClampBound): Tensor;
  clip_(min?: ClampBound | { min?: ClampBound; max?: ClampBound }, max?: ClampBound): Tensor;
  lerp(end: Tensor, weight: TensorOrScalar): Tensor;
  lerp_(end: Tensor, weight: TensorOrScalar): Tensor;
  addcmul(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
  addcmul_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
  addcdiv(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
  addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: { value?: number }): Tensor;
}

export const ternaryMethods: { [K in keyof TernaryMethods]: (this: Tensor, ...args: never[]) => Tensor } = {
  where(this: Tensor, self: TensorOrScalar, other: TensorOrScalar) {
    return where(this, self, other);
  },
  maskedFill(this: Tensor, mask: Tensor, value: TensorOrScalar) {
    return maskedFill(this, mask, value);
  },
  maskedFill_(this: Tensor, mask: Tensor, value: TensorOrScalar) {
    return maskedFillInplace(this, mask, value);
  },
  clamp(this: Tensor, ...args: unknown[]) {
    return clamp(this, ...clampArgs(args));
  },
  clamp_(this: Tensor, ...args: unknown[]) {
    return clampInplace(this, ...clampArgs(args));
  },
  clip(this: Tensor, ...args: unknown[]) {
    return clamp(this, ...clampArgs(args));
  },
  clip_(this: Tensor, ...args: unknown[]) {
    return clampInplace(this, ...clampArgs(args));
  },
  lerp(this: Tensor, end: Tensor, ...args: unknown[]) {
    return lerp(this, end, weightOf(args));
  },
  lerp_(this: Tensor, end: Tensor, ...args: unknown[]) {
    return lerpInplace(this, end, weightOf(args));
  },
  addcmul(this: Tensor, t1: Tensor, t2: Tensor, ...args: unknown[]) {
    return addcOp("Addcmul", this, t1, t2, valueOf(args));
  },
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, ...args: unknown[]) {
    return addcOpInplace("Addcmul", this, t1, t2, valueOf(args));
  },
  addcdiv(this: Tensor, t1: Tensor, t2: Tensor, ...args: unknown[]) {
    return addcOp("Addcdiv", this, t1, t2, valueOf(args));
  },
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, ...args: unknown[]) {
    return addcOpInplace("Addcdiv", this, t1, t2, valueOf(args));
  },
};
