// Pointwise ops: each entry holds the forward kernel and PyTorch's backward formula side by
// side; functions, Tensor methods and in-place variants (`sigmoid_`) are derived from the
// tables at the bottom.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, type DType, isFloating, resultType, scalarKind } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind } from "./args.js";
import { alive, checkInplaceTarget } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record, recordInplace } from "./record.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

// ---- unary ---------------------------------------------------------------------------------

/** Dtype of a unary op's result for integer input: promote to float32, keep, or keep (no bool). */
type IntRule = "float" | "keep";

interface UnaryDef<P extends unknown[]> {
  kernel: k.UnaryKernel;
  ints: IntRule;
  /** PyTorch's node name */
  node: string;
  /** the tensor the gradient formula reads: the input, the result, or none */
  saves: "self" | "result" | null;
  /** maps the op's arguments to the kernel's two scalar parameters */
  params?: (...args: P) => [number, number];
  /** d(out)/d(self) times grad; `saved` is self or the result as declared */
  grad(grad: Tensor, saved: Tensor, ...args: P): Tensor;
}

/**
 * The extra arguments of each unary op. Declared apart from the table so that Tensor's method
 * types do not depend on the table's inferred type (the formulas themselves use Tensor methods).
 */
interface UnarySignatures {
  neg: [];
  abs: [];
  sign: [];
  sgn: [];
  exp: [];
  exp2: [];
  expm1: [];
  log: [];
  log1p: [];
  log2: [];
  log10: [];
  sqrt: [];
  rsqrt: [];
  reciprocal: [];
  sigmoid: [];
  tanh: [];
  relu: [];
  sin: [];
  cos: [];
  tan: [];
  asin: [];
  acos: [];
  atan: [];
  sinh: [];
  cosh: [];
  erf: [];
  square: [];
  floor: [];
  ceil: [];
  round: [];
  trunc: [];
  frac: [];
  silu: [];
  mish: [];
  logit: [];
  leakyRelu: [negativeSlope?: number];
  elu: [alpha?: number];
  softplus: [beta?: number, threshold?: number];
  hardtanh: [minVal?: number, maxVal?: number];
  gelu: [approximate?: "none" | "tanh"];
  pow: [exponent: number];
  clamp: [min?: number | null, max?: number | null];
}

const unary = (def: UnaryDef<[]>): UnaryDef<[]> => def;
const unaryWith = <P extends unknown[]>(def: UnaryDef<P>): UnaryDef<P> => def;

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const UNARY: { [K in keyof UnarySignatures]: UnaryDef<UnarySignatures[K]> } = {
  neg: unary({ kernel: "Neg", ints: "keep", node: "NegBackward0", saves: null, grad: (g) => g.neg() }),
  abs: unary({ kernel: "Abs", ints: "keep", node: "AbsBackward0", saves: "self", grad: (g, x) => g.mul(x.sgn()) }),
  sign: unary({ kernel: "Sign", ints: "keep", node: "SignBackward0", saves: null, grad: (g) => g.zerosLike() }),
  sgn: unary({ kernel: "Sign", ints: "keep", node: "SgnBackward0", saves: null, grad: (g) => g.zerosLike() }),
  exp: unary({ kernel: "Exp", ints: "float", node: "ExpBackward0", saves: "result", grad: (g, y) => g.mul(y) }),
  exp2: unary({ kernel: "Exp2", ints: "float", node: "Exp2Backward0", saves: "result", grad: (g, y) => g.mul(y).mul(LN2) }),
  expm1: unary({ kernel: "Expm1", ints: "float", node: "Expm1Backward0", saves: "result", grad: (g, y) => g.mul(y.add(1)) }),
  log: unary({ kernel: "Log", ints: "float", node: "LogBackward0", saves: "self", grad: (g, x) => g.div(x) }),
  log1p: unary({ kernel: "Log1p", ints: "float", node: "Log1PBackward0", saves: "self", grad: (g, x) => g.div(x.add(1)) }),
  log2: unary({ kernel: "Log2", ints: "float", node: "Log2Backward0", saves: "self", grad: (g, x) => g.div(x.mul(LN2)) }),
  log10: unary({ kernel: "Log10", ints: "float", node: "Log10Backward0", saves: "self", grad: (g, x) => g.div(x.mul(LN10)) }),
  sqrt: unary({ kernel: "Sqrt", ints: "float", node: "SqrtBackward0", saves: "result", grad: (g, y) => g.div(y.mul(2)) }),
  rsqrt: unary({ kernel: "Rsqrt", ints: "float", node: "RsqrtBackward0", saves: "result", grad: (g, y) => g.mul(y.pow(3)).mul(-0.5) }),
  reciprocal: unary({ kernel: "Reciprocal", ints: "float", node: "ReciprocalBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y)).neg() }),
  sigmoid: unary({ kernel: "Sigmoid", ints: "float", node: "SigmoidBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y.neg().add(1))) }),
  tanh: unary({ kernel: "Tanh", ints: "float", node: "TanhBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y).neg().add(1)) }),
  relu: unary({ kernel: "Relu", ints: "keep", node: "ReluBackward0", saves: "result", grad: (g, y) => g.mul(y.gt(0)) }),
  sin: unary({ kernel: "Sin", ints: "float", node: "SinBackward0", saves: "self", grad: (g, x) => g.mul(x.cos()) }),
  cos: unary({ kernel: "Cos", ints: "float", node: "CosBackward0", saves: "self", grad: (g, x) => g.mul(x.sin().neg()) }),
  tan: unary({ kernel: "Tan", ints: "float", node: "TanBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y).add(1)) }),
  asin: unary({ kernel: "Asin", ints: "float", node: "AsinBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt()) }),
  acos: unary({ kernel: "Acos", ints: "float", node: "AcosBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt()).neg() }),
  atan: unary({ kernel: "Atan", ints: "float", node: "AtanBackward0", saves: "self", grad: (g, x) => g.div(x.mul(x).add(1)) }),
  sinh: unary({ kernel: "Sinh", ints: "float", node: "SinhBackward0", saves: "self", grad: (g, x) => g.mul(x.cosh()) }),
  cosh: unary({ kernel: "Cosh", ints: "float", node: "CoshBackward0", saves: "self", grad: (g, x) => g.mul(x.sinh()) }),
  erf: unary({
    kernel: "Erf", ints: "float", node: "ErfBackward0", saves: "self",
    grad: (g, x) => g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))),
  }),
  square: unary({ kernel: "Square", ints: "keep", node: "PowBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(2)) }),
  floor: unary({ kernel: "Floor", ints: "keep", node: "FloorBackward0", saves: null, grad: (g) => g.zerosLike() }),
  ceil: unary({ kernel: "Ceil", ints: "keep", node: "CeilBackward0", saves: null, grad: (g) => g.zerosLike() }),
  round: unary({ kernel: "Round", ints: "keep", node: "RoundBackward0", saves: null, grad: (g) => g.zerosLike() }),
  trunc: unary({ kernel: "Trunc", ints: "keep", node: "TruncBackward0", saves: null, grad: (g) => g.zerosLike() }),
  frac: unary({ kernel: "Frac", ints: "keep", node: "FracBackward0", saves: null, grad: (g) => g }),
  silu: unary({
    kernel: "Silu", ints: "float", node: "SiluBackward0", saves: "self",
    grad: (g, x) => {
      const s = x.sigmoid();
      return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
    },
  }),
  mish: unary({
    kernel: "Mish", ints: "float", node: "MishBackward0", saves: "self",
    grad: (g, x) => {
      const t = x.softplus().tanh();
      return g.mul(t.add(x.mul(x.sigmoid()).mul(t.mul(t).neg().add(1))));
    },
  }),
  logit: unary({ kernel: "Logit", ints: "float", node: "LogitBackward0", saves: "self", grad: (g, x) => g.div(x.mul(x.neg().add(1))) }),
  leakyRelu: unaryWith<[negativeSlope?: number]>({
    kernel: "LeakyRelu", ints: "float", node: "LeakyReluBackward0", saves: "self",
    params: (slope = 0.01) => [slope, 0],
    grad: (g, x, slope = 0.01) => g.mul(x.gt(0).where(1, slope)),
  }),
  elu: unaryWith<[alpha?: number]>({
    kernel: "Elu", ints: "float", node: "EluBackward0", saves: "self",
    params: (alpha = 1) => [alpha, 0],
    grad: (g, x, alpha = 1) => g.mul(x.gt(0).where(1, x.exp().mul(alpha))),
  }),
  softplus: unaryWith<[beta?: number, threshold?: number]>({
    kernel: "Softplus", ints: "float", node: "SoftplusBackward0", saves: "self",
    params: (beta = 1, threshold = 20) => [beta, threshold],
    grad: (g, x, beta = 1, threshold = 20) => g.mul(x.mul(beta).gt(threshold).where(1, x.mul(beta).sigmoid())),
  }),
  hardtanh: unaryWith<[minVal?: number, maxVal?: number]>({
    kernel: "Hardtanh", ints: "float", node: "HardtanhBackward0", saves: "self",
    params: (lo = -1, hi = 1) => [lo, hi],
    grad: (g, x, lo = -1, hi = 1) => g.mul(x.gt(lo).logicalAnd(x.lt(hi))),
  }),
  gelu: unaryWith<[approximate?: "none" | "tanh"]>({
    kernel: "Gelu", ints: "float", node: "GeluBackward0", saves: "self",
    grad: (g, x, approximate = "none") => {
      if (approximate === "tanh") {
        const inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI);
        const t = inner.tanh();
        const dinner = x.mul(x).mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
        return g.mul(t.add(1).mul(0.5).add(x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(dinner)));
      }
      const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
      const pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
      return g.mul(cdf.add(x.mul(pdf)));
    },
  }),
  pow: unaryWith<[exponent: number]>({
    kernel: "Pow", ints: "keep", node: "PowBackward0", saves: "self",
    params: (e) => [e, 0],
    grad: (g, x, e) => (e === 0 ? g.zerosLike() : g.mul(x.pow(e - 1).mul(e))),
  }),
  clamp: unaryWith<[min?: number | null, max?: number | null]>({
    kernel: "Clamp", ints: "keep", node: "ClampBackward1", saves: "self",
    params: (min = null, max = null) => [min ?? NaN, max ?? NaN],
    grad: (g, x, min = null, max = null) => {
      let mask: Tensor | null = null;
      if (min !== null) mask = x.ge(min);
      if (max !== null) mask = mask === null ? x.le(max) : mask.logicalAnd(x.le(max));
      return mask === null ? g : g.mul(mask);
    },
  }),
};

/** The tanh approximation of GELU: same node and formula switch, its own kernel. */
const GELU_TANH: UnaryDef<["none" | "tanh"]> = { ...UNARY.gelu, kernel: "GeluTanh" };

type UnaryName = keyof UnarySignatures;

/** The dtype a unary op computes in for this input. */
function unaryDtype(def: UnaryDef<never[]>, dtype: DType, name: string): DType {
  if (isFloating(dtype)) return dtype;
  if (def.ints === "float") return DEFAULT_DTYPE;
  if (dtype === "bool" && name === "neg") {
    throw new RuntimeError(
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    );
  }
  return dtype;
}

/** Kernel parameters; `pow` with a float exponent on an integer tensor computes in float. */
function kernelParams<P extends unknown[]>(def: UnaryDef<P>, args: P): [number, number] {
  return def.params ? def.params(...args) : [0, 0];
}

function derivativeOf<P extends unknown[]>(def: UnaryDef<P>): Derivative<P> {
  const saved = def.saves;
  return {
    name: def.node,
    inputs: ["self"],
    saves: saved === null ? {} : { [saved]: ["self"] },
    backward: (ctx) => ({ self: def.grad(ctx.grad, saved === null ? ctx.grad : ctx.saved(saved), ...ctx.attrs) }),
  };
}

const unaryDerivatives = new Map<UnaryDef<never[]>, Derivative<never[]>>();
function derivative<P extends unknown[]>(def: UnaryDef<P>): Derivative<P> {
  let d = unaryDerivatives.get(def as unknown as UnaryDef<never[]>);
  if (d === undefined) {
    d = derivativeOf(def as unknown as UnaryDef<never[]>);
    unaryDerivatives.set(def as unknown as UnaryDef<never[]>, d);
  }
  return d as unknown as Derivative<P>;
}

export function applyUnary<P extends unknown[]>(name: string, def: UnaryDef<P>, x: Tensor, args: P): Tensor {
  alive(x);
  let dtype = unaryDtype(def as unknown as UnaryDef<never[]>, x.dtype, name);
  if (name === "pow" && !Number.isInteger(args[0] as number) && !isFloating(dtype)) dtype = DEFAULT_DTYPE;
  return record(derivative(def), [x], args, () => {
    const [p0, p1] = kernelParams(def, args);
    const src = x.dtype === dtype ? x : k.copyAs(x, dtype);
    const out = k.unary(def.kernel, src, k.emptyPointwise(x._shape, dtype, [x]), p0, p1);
    if (src !== x) src.dispose();
    return out;
  });
}

export function applyUnaryInplace<P extends unknown[]>(name: string, def: UnaryDef<P>, x: Tensor, args: P): Tensor {
  alive(x);
  const dtype = unaryDtype(def as unknown as UnaryDef<never[]>, x.dtype, name);
  return recordInplace(derivative(def), x, [], args, () => {
    checkInplaceTarget(x, [], dtype, []);
    const [p0, p1] = kernelParams(def, args);
    k.unary(def.kernel, x, x, p0, p1);
  }, { original: () => x.detach().clone() });
}

// ---- binary --------------------------------------------------------------------------------

interface BinaryAttrs {
  /** the other operand when it is a Python scalar */
  scalar: number | null;
  alpha: number;
}

interface BinaryDef {
  kernel: k.BinaryKernel;
  node: string;
  /** integer operands compute in the default float dtype (true division) */
  intToFloat?: boolean;
  saves: Readonly<Record<string, readonly string[]>>;
  /** gradients for self and other; `other` is a Tensor or the scalar */
  grad(grad: Tensor, self: () => Tensor, other: () => Tensor | number, attrs: BinaryAttrs, needs: (n: string) => boolean): { self?: Tensor | null; other?: Tensor | null };
}

const binaryDef = (def: BinaryDef): BinaryDef => def;

/** `where(self == other, grad / 2, grad)` masked where self loses: max/min's tie-splitting rule. */
function extremumGrad(grad: Tensor, self: Tensor, other: Tensor | number, selfLoses: (a: Tensor, b: Tensor | number) => Tensor): Tensor {
  return self.eq(other).where(grad.div(2), grad).maskedFill(selfLoses(self, other), 0);
}

/** The binary ops (names declared apart from the table, like UnarySignatures). */
type BinaryName = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2" | "remainder" | "fmod" | "floorDivide" | "hypot";

export const BINARY: Record<BinaryName, BinaryDef> = {
  add: binaryDef({
    kernel: "AddScaled", node: "AddBackward0", saves: {},
    grad: (g, _s, _o, { alpha }) => ({ self: g, other: alpha === 1 ? g : g.mul(alpha) }),
  }),
  sub: binaryDef({
    kernel: "AddScaled", node: "SubBackward0", saves: {},
    grad: (g, _s, _o, { alpha }) => ({ self: g, other: g.mul(-alpha) }),
  }),
  mul: binaryDef({
    kernel: "Mul", node: "MulBackward0", saves: { self: ["other"], other: ["self"] },
    grad: (g, self, other, _a, needs) => ({ self: needs("self") ? g.mul(other()) : null, other: needs("other") ? g.mul(self()) : null }),
  }),
  div: binaryDef({
    kernel: "Div", node: "DivBackward0", intToFloat: true, saves: { self: ["other"], other: ["self", "other"] },
    grad: (g, self, other, _a, needs) => {
      const o = other();
      return {
        self: needs("self") ? g.div(o) : null,
        other: needs("other") ? g.neg().mul(self()).div((o as Tensor).mul(o)) : null,
      };
    },
  }),
  pow: binaryDef({
    kernel: "Pow", node: "PowBackward1", saves: { self: ["self", "other"], other: ["self"], result: ["other"] },
    grad: (g, self, other, _a, needs) => {
      const x = self();
      const e = other() as Tensor;
      return {
        // exponent 0 contributes nothing (avoids 0 * inf at x = 0)
        self: needs("self") ? e.eq(0).where(0, g.mul(e).mul(x.pow(e.sub(1)))) : null,
        other: needs("other") ? x.eq(0).logicalAnd(e.ge(0)).where(0, g.mul(x.pow(e)).mul(x.log())) : null,
      };
    },
  }),
  maximum: binaryDef({
    kernel: "Maximum", node: "MaximumBackward0", saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, self, other) => {
      const a = self(), b = other() as Tensor;
      return { self: extremumGrad(g, a, b, (x, y) => x.lt(y)), other: extremumGrad(g, b, a, (x, y) => x.lt(y)) };
    },
  }),
  minimum: binaryDef({
    kernel: "Minimum", node: "MinimumBackward0", saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, self, other) => {
      const a = self(), b = other() as Tensor;
      return { self: extremumGrad(g, a, b, (x, y) => x.gt(y)), other: extremumGrad(g, b, a, (x, y) => x.gt(y)) };
    },
  }),
  atan2: binaryDef({
    kernel: "Atan2", node: "Atan2Backward0", intToFloat: true, saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, self, other) => {
      const x = self(), y = other() as Tensor;
      const r = x.mul(x).add(y.mul(y));
      return { self: g.mul(y).div(r), other: g.mul(x).neg().div(r) };
    },
  }),
  remainder: binaryDef({
    kernel: "Remainder", node: "RemainderBackward0", saves: { self: ["other"], other: ["other"] },
    grad: (g, self, other, _a, needs) => ({
      self: g,
      other: needs("other") ? g.mul(self().div(other(), { roundingMode: "floor" })).neg() : null,
    }),
  }),
  fmod: binaryDef({
    kernel: "Fmod", node: "FmodBackward0", saves: { self: ["other"], other: ["other"] },
    grad: (g, self, other, _a, needs) => ({
      self: g,
      other: needs("other") ? g.mul(self().div(other(), { roundingMode: "trunc" })).neg() : null,
    }),
  }),
  floorDivide: binaryDef({
    kernel: "FloorDiv", node: "FloorDivideBackward0", saves: {},
    grad: (g) => ({ self: g.zerosLike(), other: g.zerosLike() }),
  }),
  hypot: binaryDef({
    kernel: "Hypot", node: "HypotBackward0", saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, self, other) => {
      const x = self(), y = other() as Tensor;
      const r = x.hypot(y);
      return { self: g.mul(x).div(r), other: g.mul(y).div(r) };
    },
  }),
};


const binaryDerivatives = new Map<BinaryDef, Derivative<BinaryAttrs>>();
function binaryDerivative(def: BinaryDef): Derivative<BinaryAttrs> {
  let d = binaryDerivatives.get(def);
  if (d === undefined) {
    d = {
      name: def.node,
      inputs: ["self", "other"],
      saves: def.saves,
      backward: (ctx) => def.grad(
        ctx.grad,
        () => ctx.saved("self"),
        () => (ctx.attrs.scalar !== null ? ctx.attrs.scalar : ctx.saved("other")),
        ctx.attrs,
        (n) => ctx.needs(n),
      ),
    };
    binaryDerivatives.set(def, d);
  }
  return d;
}

/** PyTorch's type promotion for `self op other`. */
export function promote(self: Tensor, other: TensorOrScalar): DType {
  return other instanceof Tensor ? resultType([self, other]) : resultType([self], [scalarKind(other)]);
}

const asNumber = (v: Scalar): number => (typeof v === "boolean" ? Number(v) : v);
/** A scalar as a kernel operand (for layout decisions its dtype does not matter). */
const operandOf = (x: TensorOrScalar): k.Operand => (x instanceof Tensor ? x : { scalar: asNumber(x), dtype: "float32" });

function operand(x: TensorOrScalar, dtype: DType, temps: Tensor[]): k.Operand {
  if (!(x instanceof Tensor)) return { scalar: asNumber(x), dtype };
  if (x.dtype === dtype) return x;
  const cast = k.copyAs(x, dtype);
  temps.push(cast);
  return cast;
}

/** Runs `kernel` on the operands (cast to `dtype`) into `out`. */
function runBinary(kernel: k.BinaryKernel, a: TensorOrScalar, b: TensorOrScalar, dtype: DType, out: Tensor, alpha: number): void {
  const temps: Tensor[] = [];
  try {
    const A = operand(a, dtype, temps);
    const B = operand(b, dtype, temps);
    if (kernel === "AddScaled" && alpha === 1) k.binary("Add", A, B, out);
    else k.binary(kernel, A, B, out, alpha);
  } finally {
    for (const t of temps) t.dispose();
  }
}

function binaryDtype(def: BinaryDef, self: Tensor, other: TensorOrScalar): DType {
  const dtype = promote(self, other);
  return def.intToFloat && !isFloating(dtype) ? DEFAULT_DTYPE : dtype;
}

export function applyBinary(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  const def = BINARY[name];
  alive(self, other instanceof Tensor ? other : null);
  const sign = name === "sub" ? -1 : 1;
  const attrs: BinaryAttrs = { scalar: other instanceof Tensor ? null : asNumber(other), alpha };
  const dtype = binaryDtype(def, self, other);
  if (dtype === "bool" && (name === "sub")) {
    throw new RuntimeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
    );
  }
  return record(binaryDerivative(def), [self, other instanceof Tensor ? other : null], attrs, () => {
    const shape = other instanceof Tensor ? broadcastShapes(self._shape, other._shape) : [...self._shape];
    const out = k.emptyPointwise(shape, dtype, [self, operandOf(other)]);
    try {
      runBinary(def.kernel, self, other, dtype, out, sign * alpha);
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  });
}

export function applyBinaryInplace(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  const def = BINARY[name];
  alive(self, other instanceof Tensor ? other : null);
  const sign = name === "sub" ? -1 : 1;
  const attrs: BinaryAttrs = { scalar: other instanceof Tensor ? null : asNumber(other), alpha };
  const dtype = binaryDtype(def, self, other);
  return recordInplace(binaryDerivative(def), self, [other instanceof Tensor ? other : null], attrs, () => {
    checkInplaceTarget(self, other instanceof Tensor ? [other] : [], dtype, other instanceof Tensor ? [other._shape] : []);
    if (dtype === self.dtype) runBinary(def.kernel, self, other, dtype, self, sign * alpha);
    else {
      const tmp = k.empty(self._shape, dtype);
      try {
        runBinary(def.kernel, self, other, dtype, tmp, sign * alpha);
        k.copyInto(self, tmp);
      } finally {
        tmp.dispose();
      }
    }
  }, { original: () => self.detach().clone() });
}

/** `torch.pow(2, x)`: a scalar base (PowBackward2). */
const POW_SCALAR_BASE: Derivative<{ base: number }> = {
  name: "PowBackward2",
  inputs: ["exponent"],
  saves: { result: ["exponent"] },
  backward: ({ grad, saved, attrs }) => ({
    exponent: attrs.base === 0 ? grad.zerosLike() : grad.mul(saved("result")).mul(Math.log(attrs.base)),
  }),
};

export function powScalarBase(base: number, exponent: Tensor): Tensor {
  alive(exponent);
  const dtype = resultType([exponent], [scalarKind(base)]);
  return record(POW_SCALAR_BASE, [exponent], { base }, () => {
    const out = k.emptyPointwise(exponent._shape, dtype, [operandOf(base), exponent]);
    runBinary("Pow", base, exponent, dtype, out, 1);
    return out;
  });
}

// ---- division with a rounding mode -------------------------------------------------------

const DIV_ROUNDED: Derivative<null> = {
  name: "DivBackward1",
  inputs: ["self", "other"],
  backward: ({ grad }) => ({ self: grad.zerosLike(), other: grad.zerosLike() }),
};

export type RoundingMode = "trunc" | "floor" | null;

export function div(self: Tensor, other: TensorOrScalar, roundingMode: RoundingMode = null): Tensor {
  if (roundingMode === null) return applyBinary("div", self, other);
  if (roundingMode !== "trunc" && roundingMode !== "floor") {
    throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${roundingMode}'`);
  }
  alive(self, other instanceof Tensor ? other : null);
  const dtype = promote(self, other);
  return record(DIV_ROUNDED, [self, other instanceof Tensor ? other : null], null, () => {
    const shape = other instanceof Tensor ? broadcastShapes(self._shape, other._shape) : [...self._shape];
    const out = k.emptyPointwise(shape, dtype, [self, operandOf(other)]);
    try {
      runBinary(roundingMode === "floor" ? "FloorDiv" : "TruncDiv", self, other, dtype, out, 1);
    } catch (e) {
      out.dispose();
      throw e instanceof RuntimeError && e.message === "ZeroDivisionError" ? new RuntimeError("ZeroDivisionError") : e;
    }
    return out;
  });
}

// ---- comparisons and logical ops (bool results, no gradient) ------------------------------

function comparison(kernel: k.CompareKernel, self: Tensor, other: TensorOrScalar, logical: boolean): Tensor {
  alive(self, other instanceof Tensor ? other : null);
  const dtype = logical ? (other instanceof Tensor ? resultType([self, other]) : self.dtype) : promote(self, other);
  const shape = other instanceof Tensor ? broadcastShapes(self._shape, other._shape) : [...self._shape];
  const out = k.emptyPointwise(shape, "bool", [self, operandOf(other)]);
  const temps: Tensor[] = [];
  try {
    k.compare(kernel, operand(self, dtype, temps), operand(other, dtype, temps), dtype, out);
  } finally {
    for (const t of temps) t.dispose();
  }
  return out;
}

export const COMPARISONS = {
  eq: "Eq", ne: "Ne", lt: "Lt", le: "Le", gt: "Gt", ge: "Ge",
} as const satisfies Record<string, k.CompareKernel>;
export const LOGICAL = { logicalAnd: "And", logicalOr: "Or", logicalXor: "Xor" } as const satisfies Record<string, k.CompareKernel>;

export function compareOp(name: keyof typeof COMPARISONS, self: Tensor, other: TensorOrScalar): Tensor {
  return comparison(COMPARISONS[name], self, other, false);
}

export function logicalOp(name: keyof typeof LOGICAL, self: Tensor, other: TensorOrScalar): Tensor {
  return comparison(LOGICAL[name], self, other, true);
}

export function logicalNot(self: Tensor): Tensor {
  return comparison("Eq", self, 0, false);
}

// ---- where -----------------------------------------------------------------------------------

const WHERE: Derivative<{ selfScalar: number | null; otherScalar: number | null }> = {
  name: "WhereBackward0",
  inputs: ["condition", "self", "other"],
  saves: { condition: ["self", "other"] },
  backward: ({ grad, saved, needs }) => {
    const c = saved("condition");
    return {
      self: needs("self") ? c.where(grad, 0) : null,
      other: needs("other") ? c.where(0, grad) : null,
    };
  },
};

/** torch.where(condition, self, other) with broadcasting; self/other may be scalars. */
export function where(condition: Tensor, self: TensorOrScalar, other: TensorOrScalar): Tensor {
  alive(condition, self instanceof Tensor ? self : null, other instanceof Tensor ? other : null);
  if (condition.dtype !== "bool" && condition.dtype !== "uint8") {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`);
  }
  const tensors = [self, other].filter((x): x is Tensor => x instanceof Tensor);
  const scalars = [self, other].filter((x): x is Scalar => !(x instanceof Tensor)).map(scalarKind);
  const dtype = tensors.length === 0 ? (scalars.includes("float") ? DEFAULT_DTYPE : "int64") : resultType(tensors, scalars);
  let shape: number[] = [...condition._shape];
  for (const t of tensors) shape = broadcastShapes(shape, t._shape);
  const attrs = { selfScalar: self instanceof Tensor ? null : asNumber(self), otherScalar: other instanceof Tensor ? null : asNumber(other) };
  return record(WHERE, [condition, self instanceof Tensor ? self : null, other instanceof Tensor ? other : null], attrs, () => {
    const out = k.emptyPointwise(shape, dtype, [condition, operandOf(self), operandOf(other)]);
    const temps: Tensor[] = [];
    try {
      k.where(condition, operand(self, dtype, temps), operand(other, dtype, temps), out);
    } finally {
      for (const t of temps) t.dispose();
    }
    return out;
  });
}

// ---- tables → methods --------------------------------------------------------------------

type UnaryMethods = { [K in UnaryName]: (...args: UnarySignatures[K]) => Tensor } & {
  [K in UnaryName as `${K}_`]: (...args: UnarySignatures[K]) => Tensor;
};

type BinaryMethods = {
  [K in Exclude<BinaryName, "add" | "sub" | "div" | "pow">]: (other: TensorOrScalar) => Tensor;
} & {
  [K in Exclude<BinaryName, "add" | "sub" | "div" | "pow"> as `${K}_`]: (other: TensorOrScalar) => Tensor;
};

type CompareMethods = { [K in keyof typeof COMPARISONS | keyof typeof LOGICAL]: (other: TensorOrScalar) => Tensor };

export interface PointwiseMethods extends Omit<UnaryMethods, "pow" | "pow_" | "clamp" | "clamp_" | "gelu">, BinaryMethods, CompareMethods {
  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  add(other: TensorOrScalar, alpha: number): Tensor;
  add_(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  sub_(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  /** `other - self` (PyTorch's rsub) */
  rsub(other: TensorOrScalar): Tensor;
  div(other: TensorOrScalar, options?: { roundingMode?: RoundingMode }): Tensor;
  div_(other: TensorOrScalar, options?: { roundingMode?: RoundingMode }): Tensor;
  clamp(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
  clamp_(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
  clip(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
  clip_(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor;
  gelu(options?: { approximate?: "none" | "tanh" }): Tensor;
  logicalNot(): Tensor;
  /** `condition.where(a, b)`: a where this (bool) tensor is true, else b */
  where(self: TensorOrScalar, other: TensorOrScalar): Tensor;
  maskedFill(mask: Tensor, value: TensorOrScalar): Tensor;
  maskedFill_(mask: Tensor, value: number): Tensor;
  pow(exponent: TensorOrScalar): Tensor;
  pow_(exponent: TensorOrScalar): Tensor;
}

function clampArgs(args: unknown[]): [number | null, number | null] {
  const { min, max } = bind<{ min: number | null; max: number | null }>(["min", "max"], args, { min: null, max: null });
  if (min === null && max === null) throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  return [min, max];
}

export const pointwiseMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
for (const [name, def] of Object.entries(UNARY) as [UnaryName, UnaryDef<unknown[]>][]) {
  pointwiseMethods[name] = function (this: Tensor, ...args: unknown[]) {
    return applyUnary(name, def, this, args);
  };
  pointwiseMethods[`${name}_`] = function (this: Tensor, ...args: unknown[]) {
    return applyUnaryInplace(name, def, this, args);
  };
}
for (const name of Object.keys(BINARY) as BinaryName[]) {
  pointwiseMethods[name] = function (this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    const { alpha } = bind<{ alpha: number }>(["alpha"], rest, { alpha: 1 });
    return applyBinary(name, this, other, alpha);
  } as never;
  pointwiseMethods[`${name}_`] = function (this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    const { alpha } = bind<{ alpha: number }>(["alpha"], rest, { alpha: 1 });
    return applyBinaryInplace(name, this, other, alpha);
  } as never;
}
for (const name of Object.keys(COMPARISONS) as (keyof typeof COMPARISONS)[]) {
  pointwiseMethods[name] = function (this: Tensor, other: TensorOrScalar) {
    return compareOp(name, this, other);
  } as never;
}
for (const name of Object.keys(LOGICAL) as (keyof typeof LOGICAL)[]) {
  pointwiseMethods[name] = function (this: Tensor, other: TensorOrScalar) {
    return logicalOp(name, this, other);
  } as never;
}
Object.assign(pointwiseMethods, {
  pow(this: Tensor, exponent: TensorOrScalar) {
    return exponent instanceof Tensor ? applyBinary("pow", this, exponent) : applyUnary("pow", UNARY.pow, this, [asNumber(exponent)]);
  },
  pow_(this: Tensor, exponent: TensorOrScalar) {
    return exponent instanceof Tensor ? applyBinaryInplace("pow", this, exponent) : applyUnaryInplace("pow", UNARY.pow, this, [asNumber(exponent)]);
  },
  rsub(this: Tensor, other: TensorOrScalar) {
    return other instanceof Tensor ? applyBinary("sub", other, this) : applyBinary("add", this.neg(), other);
  },
  div(this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    const { roundingMode } = bind<{ roundingMode: RoundingMode }>(["roundingMode"], rest, { roundingMode: null });
    return div(this, other, roundingMode);
  },
  clamp(this: Tensor, ...args: unknown[]) {
    return applyUnary("clamp", UNARY.clamp, this, clampArgs(args));
  },
  clamp_(this: Tensor, ...args: unknown[]) {
    return applyUnaryInplace("clamp", UNARY.clamp, this, clampArgs(args));
  },
  gelu(this: Tensor, ...args: unknown[]) {
    const { approximate } = bind<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" });
    if (approximate !== "none" && approximate !== "tanh") throw new RuntimeError(`approximate argument must be either none or tanh.`);
    return applyUnary("gelu", approximate === "tanh" ? GELU_TANH : UNARY.gelu, this, [approximate]);
  },
  logicalNot(this: Tensor) {
    return logicalNot(this);
  },
  where(this: Tensor, self: TensorOrScalar, other: TensorOrScalar) {
    return where(this, self, other);
  },
  maskedFill(this: Tensor, mask: Tensor, value: TensorOrScalar) {
    return where(mask, value, this);
  },
  maskedFill_(this: Tensor, mask: Tensor, value: number) {
    const filled = where(mask, value, this);
    try {
      return this.copy_(filled);
    } finally {
      filled.dispose();
    }
  },
});
pointwiseMethods.clip = pointwiseMethods.clamp;
pointwiseMethods.clip_ = pointwiseMethods.clamp_;
