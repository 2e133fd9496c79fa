// Pointwise ops of up to three tensors: where, masked_fill, clamp with tensor bounds, lerp,
// addcmul and addcdiv, each with PyTorch's node per overload.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, DTYPES, isFloating, resultType, scalarKind } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, methodPair } from "./args.js";
import { alive, checkInplaceTarget, notImplementedFor, typeMetaName } from "./checks.js";
import * as k from "./kernels.js";
import {
  type Scalar, type TensorOrScalar, UNARY, applyUnary, asNumber, freshResult, pointwise, tensorOrNull, withOperands,
} from "./pointwise.js";
import { type Derivative, record, recordInplace } from "./record.js";

const tensors = (...xs: (TensorOrScalar | null)[]): Tensor[] => xs.filter((x): x is Tensor => x instanceof Tensor);
/** The kinds of the Python scalars among `xs`, for type promotion. */
const scalarKinds = (...xs: (TensorOrScalar | null)[]) => xs.filter((x): x is Scalar => x !== null && !(x instanceof Tensor)).map(scalarKind);

// ---- where ---------------------------------------------------------------------------------------

const WHERE: Derivative<null> = {
  name: "WhereBackward0",
  inputs: ["condition", "self", "other"],
  saves: { condition: ["self", "other"] },
  backward: ({ grad, saved }) => {
    const c = saved("condition");
    return { self: () => c.where(grad, 0), other: () => c.where(0, grad) };
  },
};

/** torch.where(condition, self, other) with broadcasting; self/other may be scalars. */
export function where(condition: Tensor, self: TensorOrScalar, other: TensorOrScalar): Tensor {
  alive(condition, tensorOrNull(self), tensorOrNull(other));
  if (condition.dtype !== "bool" && condition.dtype !== "uint8") {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${DTYPES[condition.dtype].scalarName}`);
  }
  const dtype = resultType(tensors(self, other), scalarKinds(self, other));
  return record(WHERE, [condition, tensorOrNull(self), tensorOrNull(other)], null, () =>
    freshResult(dtype, [condition, self, other], (out) =>
      withOperands([self, other], dtype, ([a, b]) => k.where(condition, a, b, out))));
}

// ---- masked_fill -----------------------------------------------------------------------------------

const MASKED_FILL: Derivative<null> = {
  name: "MaskedFillBackward0", inputs: ["self"],
  backward: ({ grad, saved }) => ({ self: grad.maskedFill(saved("mask"), 0) }),
};
const MASKED_FILL_TENSOR: Derivative<null> = {
  name: "MaskedFillBackward1", inputs: ["self", "value"],
  backward: ({ grad, saved }) => {
    const mask = saved("mask");
    return { self: () => grad.maskedFill(mask, 0), value: () => grad.maskedSelect(mask).sum() };
  },
};

/**
 * self with `value` where `mask` is true: a new contiguous tensor of the broadcast shape of self
 * and mask (PyTorch clones self expanded), or self itself in place.
 */
function maskedFill(self: Tensor, mask: Tensor, value: TensorOrScalar, inplace: boolean): Tensor {
  alive(self, mask, tensorOrNull(value));
  if (mask.dtype !== "bool") throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${typeMetaName(mask.dtype)}`);
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new RuntimeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  }
  const d = value instanceof Tensor ? MASKED_FILL_TENSOR : MASKED_FILL;
  const fill = (out: Tensor) => withOperands([value], self.dtype, ([v]) => k.where(mask, v, self, out));
  if (inplace) {
    return recordInplace(d, self, [tensorOrNull(value)], null, () => {
      checkInplaceTarget(self, [mask], self.dtype, [mask._shape]);
      fill(self);
    }, { aux: { mask } });
  }
  const shape = broadcastShapes(self._shape, mask._shape);
  return record(d, [self, tensorOrNull(value)], null, () => k.filled(k.empty(shape, self.dtype), fill), { mask });
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
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const min = attrs.hasMin ? saved("min") : null;
    const max = attrs.hasMax ? saved("max") : null;
    return {
      // gradient 1 on the bounds themselves, as for scalar bounds
      self: () => (min !== null && max !== null ? x.ge(min).logicalAnd(x.le(max)) : min !== null ? x.ge(min) : x.le(max as Tensor)).where(grad, 0),
      // a bound takes the gradient where it is the result; min loses it where min > max
      min: min && (() => (max !== null ? x.lt(min).logicalAnd(min.lt(max)) : x.lt(min)).where(grad, 0)),
      max: max && (() => (min !== null ? x.gt(max).logicalOr(max.lt(min)) : x.gt(max)).where(grad, 0)),
    };
  },
};

/** The bound as a tensor: a scalar next to a tensor bound becomes a 0-dim tensor of its own kind. */
function boundTensor(b: ClampBound, temps: Tensor[]): Tensor | null {
  if (b === null || b instanceof Tensor) return b;
  const kind = scalarKind(b);
  const t = k.empty([], kind === "float" ? DEFAULT_DTYPE : kind === "int" ? "int64" : "bool");
  temps.push(t);
  k.fill(t, asNumber(b));
  return t;
}

/** clamp(min, max): the scalar overload (ClampBackward1) unless a bound is a tensor (ClampBackward0). */
function clamp(self: Tensor, args: unknown[], inplace: boolean): Tensor {
  const { min, max } = bind<{ min: ClampBound; max: ClampBound }>(["min", "max"], args, { min: null, max: null });
  if (min === null && max === null) throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (!(min instanceof Tensor || max instanceof Tensor)) {
    const scalar = (b: ClampBound) => (b === null ? null : asNumber(b as Scalar));
    return applyUnary(UNARY.clamp, self, [scalar(min), scalar(max)], inplace);
  }
  alive(self, tensorOrNull(min), tensorOrNull(max));
  const dtype = resultType(tensors(self, min, max), scalarKinds(min, max));
  return k.disposing((temps) => {
    const lo = boundTensor(min, temps);
    const hi = boundTensor(max, temps);
    // min(max(self, min), max): NaN in self or a bound propagates, as in PyTorch's kernel
    return pointwise(inplace, CLAMP_TENSOR, self, [lo, hi], { hasMin: lo !== null, hasMax: hi !== null }, dtype, (out) =>
      withOperands(tensors(self, lo, hi), dtype, ([x, ...bounds]) => {
        const source = lo === null ? x : k.binary("Maximum", x, bounds.shift() as k.Operand, out);
        if (hi !== null) k.binary("Minimum", source, bounds.shift() as k.Operand, out);
      }));
  });
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
  backward: ({ grad, attrs }) => ({ self: () => grad.mul(1 - attrs.weight), end: () => grad.mul(attrs.weight) }),
};
const LERP_TENSOR: Derivative<null> = {
  name: "LerpBackward1", inputs: ["self", "end", "weight"],
  saves: { weight: ["self", "end"], self: ["weight"], end: ["weight"] },
  backward: ({ grad, saved }) => ({
    self: () => grad.mul(saved("weight").rsub(1)),
    end: () => grad.mul(saved("weight")),
    weight: () => grad.mul(saved("end").sub(saved("self"))),
  }),
};

/** self + weight * (end - self), computed from the nearer end like PyTorch. */
function lerp(self: Tensor, end: Tensor, weight: TensorOrScalar, inplace: boolean): Tensor {
  alive(self, end, tensorOrNull(weight));
  checkSameDtype(self, end, "end");
  if (weight instanceof Tensor) {
    checkSameDtype(self, weight, "weight");
    if (!isFloating(self.dtype)) throw notImplementedFor("lerp_kernel_tensor", self.dtype);
    return pointwise(inplace, LERP_TENSOR, self, [end, weight], null, self.dtype, (out) => k.ternary("Lerp", self, end, weight, out));
  }
  if (!isFloating(self.dtype)) throw notImplementedFor("lerp_kernel_scalar", self.dtype);
  const w = asNumber(weight);
  return pointwise(inplace, LERP_SCALAR, self, [end], { weight: w }, self.dtype, (out) => k.binary("Lerp", self, end, out, w));
}

interface ScaledAttrs {
  value: number;
}

const ADDCMUL: Derivative<ScaledAttrs> = {
  name: "AddcmulBackward0", inputs: ["self", "tensor1", "tensor2"], saves: { tensor1: ["tensor2"], tensor2: ["tensor1"] },
  backward: ({ grad, saved, attrs }) => ({
    self: grad,
    tensor1: () => grad.mul(saved("tensor2")).mul(attrs.value),
    tensor2: () => grad.mul(saved("tensor1")).mul(attrs.value),
  }),
};
const ADDCDIV: Derivative<ScaledAttrs> = {
  name: "AddcdivBackward0", inputs: ["self", "tensor1", "tensor2"], saves: { tensor1: ["tensor2"], tensor2: ["tensor1", "tensor2"] },
  backward: ({ grad, saved, attrs }) => {
    const t2 = saved("tensor2");
    return {
      self: grad,
      tensor1: () => grad.mul(attrs.value).div(t2),
      tensor2: () => grad.neg().mul(attrs.value).mul(saved("tensor1")).div(t2.mul(t2)),
    };
  },
};

/** self + value * tensor1 * tensor2 (or / tensor2). */
function addc(kernel: "Addcmul" | "Addcdiv", self: Tensor, t1: Tensor, t2: Tensor, value: number, inplace: boolean): Tensor {
  alive(self, t1, t2);
  const dtype = resultType([self, t1, t2]);
  const divides = kernel === "Addcdiv";
  if (divides && !isFloating(t1.dtype) && !isFloating(t2.dtype)) {
    throw new RuntimeError(
      "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
    );
  }
  if (dtype === "bool" || (divides && !isFloating(dtype))) throw notImplementedFor(`${kernel.toLowerCase()}_cpu_out`, dtype);
  // integer dtypes truncate the scale, as PyTorch converts the Scalar
  const scale = isFloating(dtype) ? value : Math.trunc(value);
  return pointwise(inplace, divides ? ADDCDIV : ADDCMUL, self, [t1, t2], { value }, dtype, (out) =>
    withOperands([self, t1, t2], dtype, ([a, b, c]) => k.ternary(kernel, a, b, c, out, scale)));
}

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

const valueOf = (args: unknown[]) => bind<{ value: number }>(["value"], args, { value: 1 }).value;

export const ternaryMethods = {
  where(this: Tensor, self: TensorOrScalar, other: TensorOrScalar) {
    return where(this, self, other);
  },
} as { [K in keyof TernaryMethods]: (this: Tensor, ...args: never[]) => Tensor };
methodPair(ternaryMethods, "maskedFill", (self, [mask, value], inplace) => maskedFill(self, mask as Tensor, value as TensorOrScalar, inplace));
methodPair(ternaryMethods, "clamp", clamp);
methodPair(ternaryMethods, "clip", clamp);
methodPair(ternaryMethods, "lerp", (self, [end, ...args], inplace) =>
  lerp(self, end as Tensor, bind<{ weight: TensorOrScalar }>(["weight"], args, { weight: NaN }).weight, inplace));
methodPair(ternaryMethods, "addcmul", (self, [t1, t2, ...args], inplace) => addc("Addcmul", self, t1 as Tensor, t2 as Tensor, valueOf(args), inplace));
methodPair(ternaryMethods, "addcdiv", (self, [t1, t2, ...args], inplace) => addc("Addcdiv", self, t1 as Tensor, t2 as Tensor, valueOf(args), inplace));
