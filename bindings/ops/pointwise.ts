// Pointwise arithmetic: each entry holds the forward kernel, the dtypes PyTorch accepts and
// PyTorch's backward formula side by side; functions, Tensor methods and in-place variants
// (`sigmoid_`) are derived from the tables at the bottom.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, type DType, isFloating, resultType, scalarKind } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind } from "./args.js";
import { alive, checkInplaceTarget, notImplementedFor } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record, recordInplace } from "./record.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

export const asNumber = (v: Scalar): number => (typeof v === "boolean" ? Number(v) : v);

/** A scalar as a kernel operand for layout decisions (its dtype does not matter there). */
export const operandOf = (x: TensorOrScalar): k.Operand => (x instanceof Tensor ? x : { scalar: asNumber(x), dtype: "float32" });

/** `x` as a kernel operand of `dtype`: a scalar slot, the tensor itself, or a converted copy (added to `temps`). */
export function operand(x: TensorOrScalar, dtype: DType, temps: Tensor[]): k.Operand {
  if (!(x instanceof Tensor)) return { scalar: asNumber(x), dtype };
  if (x.dtype === dtype) return x;
  const cast = k.copyAs(x, dtype);
  temps.push(cast);
  return cast;
}

/** PyTorch's type promotion for `self op other`. */
export function promote(self: Tensor, other: TensorOrScalar): DType {
  return other instanceof Tensor ? resultType([self, other]) : resultType([self], [scalarKind(other)]);
}

/** The broadcast shape of an op on `self` and a tensor or scalar `other`. */
export function pointwiseShape(self: Tensor, other: TensorOrScalar): number[] {
  return other instanceof Tensor ? broadcastShapes(self._shape, other._shape) : [...self._shape];
}

// ---- unary ---------------------------------------------------------------------------------

/**
 * Which input dtypes an op takes: integer and bool inputs compute in the default float dtype
 * ("float": exp), every dtype keeps its own ("any": sign), integers keep theirs and bool is
 * rejected ("numeric": neg), or only floating inputs are accepted ("floating": silu).
 */
type DtypeRule = "float" | "any" | "numeric" | "floating";

interface UnaryDef<P extends unknown[]> {
  kernel: k.UnaryKernel;
  dtypes: DtypeRule;
  /** PyTorch's CPU kernel name, for its "not implemented for" error on rejected dtypes */
  cpu?: string;
  /** PyTorch's own message for a bool input, where it has one */
  boolError?: string;
  /** the scalar arguments that take part in type promotion (pow's exponent, clamp's bounds) */
  promotes?: (...args: P) => Scalar[];
  /** PyTorch's node name */
  node: string;
  /** the tensor the gradient formula reads: the input, the result, or none */
  saves: "self" | "result" | null;
  /** maps the op's arguments to the kernel's scalar parameters */
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
const NEG_BOOL =
  "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.";

/** A rounding op: integers are returned as they are, bool has no kernel, the gradient is zero. */
const rounding = (kernel: k.UnaryKernel, node: string, cpu: string): UnaryDef<[]> =>
  unary({ kernel, dtypes: "numeric", cpu, node, saves: null, grad: (g) => g.zerosLike() });

export const UNARY: { [K in keyof UnarySignatures]: UnaryDef<UnarySignatures[K]> } = {
  neg: unary({ kernel: "Neg", dtypes: "numeric", boolError: NEG_BOOL, node: "NegBackward0", saves: null, grad: (g) => g.neg() }),
  abs: unary({ kernel: "Abs", dtypes: "numeric", cpu: "abs_cpu", node: "AbsBackward0", saves: "self", grad: (g, x) => g.mul(x.sgn()) }),
  sign: unary({ kernel: "Sign", dtypes: "any", node: "SignBackward0", saves: null, grad: (g) => g.zerosLike() }),
  sgn: unary({ kernel: "Sign", dtypes: "any", node: "SgnBackward0", saves: null, grad: (g) => g.zerosLike() }),
  exp: unary({ kernel: "Exp", dtypes: "float", node: "ExpBackward0", saves: "result", grad: (g, y) => g.mul(y) }),
  exp2: unary({ kernel: "Exp2", dtypes: "float", node: "Exp2Backward0", saves: "result", grad: (g, y) => g.mul(y).mul(LN2) }),
  expm1: unary({ kernel: "Expm1", dtypes: "float", node: "Expm1Backward0", saves: "result", grad: (g, y) => g.mul(y.add(1)) }),
  log: unary({ kernel: "Log", dtypes: "float", node: "LogBackward0", saves: "self", grad: (g, x) => g.div(x) }),
  log1p: unary({ kernel: "Log1p", dtypes: "float", node: "Log1PBackward0", saves: "self", grad: (g, x) => g.div(x.add(1)) }),
  log2: unary({ kernel: "Log2", dtypes: "float", node: "Log2Backward0", saves: "self", grad: (g, x) => g.div(x.mul(LN2)) }),
  log10: unary({ kernel: "Log10", dtypes: "float", node: "Log10Backward0", saves: "self", grad: (g, x) => g.div(x.mul(LN10)) }),
  sqrt: unary({ kernel: "Sqrt", dtypes: "float", node: "SqrtBackward0", saves: "result", grad: (g, y) => g.div(y.mul(2)) }),
  rsqrt: unary({ kernel: "Rsqrt", dtypes: "float", node: "RsqrtBackward0", saves: "result", grad: (g, y) => g.mul(y.pow(3)).mul(-0.5) }),
  reciprocal: unary({ kernel: "Reciprocal", dtypes: "float", node: "ReciprocalBackward0", saves: "result", grad: (g, y) => g.neg().mul(y.mul(y)) }),
  sigmoid: unary({ kernel: "Sigmoid", dtypes: "float", node: "SigmoidBackward0", saves: "result", grad: (g, y) => g.mul(y.neg().add(1)).mul(y) }),
  tanh: unary({ kernel: "Tanh", dtypes: "float", node: "TanhBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y).neg().add(1)) }),
  // threshold_backward: the gradient passes where the result is above 0 (and where it is NaN)
  relu: unary({
    kernel: "Relu", dtypes: "numeric", boolError: "Boolean inputs not supported for relu", node: "ReluBackward0", saves: "result",
    grad: (g, y) => y.le(0).where(0, g),
  }),
  sin: unary({ kernel: "Sin", dtypes: "float", node: "SinBackward0", saves: "self", grad: (g, x) => g.mul(x.cos()) }),
  cos: unary({ kernel: "Cos", dtypes: "float", node: "CosBackward0", saves: "self", grad: (g, x) => g.mul(x.sin().neg()) }),
  tan: unary({ kernel: "Tan", dtypes: "float", node: "TanBackward0", saves: "result", grad: (g, y) => g.mul(y.mul(y).add(1)) }),
  asin: unary({ kernel: "Asin", dtypes: "float", node: "AsinBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt()) }),
  acos: unary({ kernel: "Acos", dtypes: "float", node: "AcosBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt().neg()) }),
  atan: unary({ kernel: "Atan", dtypes: "float", node: "AtanBackward0", saves: "self", grad: (g, x) => g.div(x.mul(x).add(1)) }),
  sinh: unary({ kernel: "Sinh", dtypes: "float", node: "SinhBackward0", saves: "self", grad: (g, x) => g.mul(x.cosh()) }),
  cosh: unary({ kernel: "Cosh", dtypes: "float", node: "CoshBackward0", saves: "self", grad: (g, x) => g.mul(x.sinh()) }),
  erf: unary({
    kernel: "Erf", dtypes: "float", node: "ErfBackward0", saves: "self",
    grad: (g, x) => x.pow(2).neg().exp().mul(2 / Math.sqrt(Math.PI)).mul(g),
  }),
  // square is pow(self, 2): bool promotes to int64 like any integer exponent would
  square: unary({
    kernel: "Square", dtypes: "numeric", promotes: () => [2], node: "PowBackward0", saves: "self", grad: (g, x) => g.mul(x.mul(2)),
  }),
  floor: rounding("Floor", "FloorBackward0", "floor_vml_cpu"),
  ceil: rounding("Ceil", "CeilBackward0", "ceil_vml_cpu"),
  round: rounding("Round", "RoundBackward0", "round_vml_cpu"),
  trunc: rounding("Trunc", "TruncBackward0", "trunc_vml_cpu"),
  frac: unary({ kernel: "Frac", dtypes: "floating", cpu: "frac_cpu", node: "FracBackward0", saves: null, grad: (g) => g }),
  silu: unary({
    kernel: "Silu", dtypes: "floating", cpu: "silu_cpu", node: "SiluBackward0", saves: "self",
    grad: (g, x) => {
      const s = x.sigmoid();
      return g.mul(s).mul(x.mul(s.neg().add(1)).add(1));
    },
  }),
  mish: unary({
    kernel: "Mish", dtypes: "floating", cpu: "mish_cpu", node: "MishBackward0", saves: "self",
    grad: (g, x) => {
      const t = x.softplus().tanh();
      return g.mul(t.add(x.mul(x.sigmoid()).mul(t.mul(t).neg().add(1))));
    },
  }),
  logit: unary({ kernel: "Logit", dtypes: "float", node: "LogitBackward0", saves: "self", grad: (g, x) => g.div(x.mul(x.neg().add(1))) }),
  leakyRelu: unaryWith<[negativeSlope?: number]>({
    kernel: "LeakyRelu", dtypes: "floating", cpu: "leaky_relu_cpu", node: "LeakyReluBackward0", saves: "self",
    params: (slope = 0.01) => [slope, 0],
    grad: (g, x, slope = 0.01) => x.gt(0).where(g, g.mul(slope)),
  }),
  elu: unaryWith<[alpha?: number]>({
    kernel: "Elu", dtypes: "floating", cpu: "elu_cpu", node: "EluBackward0", saves: "self",
    params: (alpha = 1) => [alpha, 0],
    grad: (g, x, alpha = 1) => x.le(0).where(g.mul(alpha).mul(x.exp()), g),
  }),
  softplus: unaryWith<[beta?: number, threshold?: number]>({
    kernel: "Softplus", dtypes: "floating", cpu: "softplus_cpu", node: "SoftplusBackward0", saves: "self",
    params: (beta = 1, threshold = 20) => [beta, threshold],
    grad: (g, x, beta = 1, threshold = 20) => {
      const scaled = x.mul(beta);
      return scaled.gt(threshold).where(g, g.mul(scaled.sigmoid()));
    },
  }),
  hardtanh: unaryWith<[minVal?: number, maxVal?: number]>({
    kernel: "Hardtanh", dtypes: "numeric", boolError: "Bool inputs not supported for hardtanh", node: "HardtanhBackward0", saves: "self",
    params: (lo = -1, hi = 1) => [lo, hi],
    grad: (g, x, lo = -1, hi = 1) => x.le(lo).logicalOr(x.ge(hi)).where(0, g),
  }),
  gelu: unaryWith<[approximate?: "none" | "tanh"]>({
    kernel: "Gelu", dtypes: "floating", cpu: "GeluKernelImpl", node: "GeluBackward0", saves: "self",
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
    kernel: "Pow", dtypes: "numeric", promotes: (e) => [e], node: "PowBackward0", saves: "self",
    params: (e) => [e, 0],
    grad: (g, x, e) => (e === 0 ? g.zerosLike() : g.mul(x.pow(e - 1).mul(e))),
  }),
  clamp: unaryWith<[min?: number | null, max?: number | null]>({
    kernel: "Clamp", dtypes: "numeric", promotes: (min = null, max = null) => [min, max].filter((v): v is number => v !== null),
    node: "ClampBackward1", saves: "self",
    params: (min = null, max = null) => [min ?? NaN, max ?? NaN],
    grad: (g, x, min = null, max = null) => {
      // gradient 1 on the bounds themselves (PyTorch's subgradient choice)
      if (min !== null && max !== null) return x.ge(min).logicalAnd(x.le(max)).where(g, 0);
      if (min !== null) return x.ge(min).where(g, 0);
      return max !== null ? x.le(max).where(g, 0) : g;
    },
  }),
};

/** The tanh approximation of GELU: same node and formula switch, its own kernel. */
const GELU_TANH: UnaryDef<["none" | "tanh"]> = { ...UNARY.gelu, kernel: "GeluTanh" };

type UnaryName = keyof UnarySignatures;

/** The dtype a unary op computes in for this input, or PyTorch's error for a dtype it rejects. */
function unaryDtype<P extends unknown[]>(def: UnaryDef<P>, dtype: DType, args: P): DType {
  if (def.promotes !== undefined) {
    if (dtype === "bool" && def.boolError !== undefined) throw new RuntimeError(def.boolError);
    return resultType([{ dtype, ndim: 1 }], def.promotes(...args).map(scalarKind));
  }
  if (isFloating(dtype)) return dtype;
  switch (def.dtypes) {
    case "float": return DEFAULT_DTYPE;
    case "any": return dtype;
    case "numeric":
      if (dtype !== "bool") return dtype;
      throw def.boolError !== undefined ? new RuntimeError(def.boolError) : notImplementedFor(def.cpu ?? def.kernel, dtype);
    case "floating": throw notImplementedFor(def.cpu ?? def.kernel, dtype);
  }
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
  const key = def as unknown as UnaryDef<never[]>;
  let d = unaryDerivatives.get(key);
  if (d === undefined) {
    d = derivativeOf(key);
    unaryDerivatives.set(key, d);
  }
  return d as unknown as Derivative<P>;
}

export function applyUnary<P extends unknown[]>(def: UnaryDef<P>, x: Tensor, args: P): Tensor {
  alive(x);
  const dtype = unaryDtype(def, x.dtype, args);
  return record(derivative(def), [x], args, () => {
    const [p0, p1] = def.params ? def.params(...args) : [0, 0];
    const src = x.dtype === dtype ? x : k.copyAs(x, dtype);
    const out = k.unary(def.kernel, src, k.emptyPointwise(x._shape, dtype, [x]), p0, p1);
    if (src !== x) src.dispose();
    return out;
  });
}

export function applyUnaryInplace<P extends unknown[]>(def: UnaryDef<P>, x: Tensor, args: P): Tensor {
  alive(x);
  const dtype = unaryDtype(def, x.dtype, args);
  return recordInplace(derivative(def), x, [], args, () => {
    checkInplaceTarget(x, [], dtype, []);
    const [p0, p1] = def.params ? def.params(...args) : [0, 0];
    k.unary(def.kernel, x, x, p0, p1);
  }, { original: () => x.clone() });
}

/** PyTorch's check on integer powers (their result would not be an integer). */
function checkIntegerPower(dtype: DType, exponent: number): void {
  if (!isFloating(dtype) && Number.isInteger(exponent) && exponent < 0) {
    throw new RuntimeError("Integers to negative integer powers are not allowed.");
  }
}

// ---- nan_to_num ------------------------------------------------------------------------------

const NAN_TO_NUM: Derivative<null> = {
  name: "NanToNumBackward0", inputs: ["self"], saves: { self: ["self"] },
  backward: ({ grad, saved }) => ({ self: grad.mul(saved("self").isfinite()) }),
};

export interface NanToNumOptions {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
}

/** The replacements for NaN, +inf and -inf: the dtype's extremes unless given. */
function nanToNumParams(dtype: DType, o: NanToNumOptions): [number, number, number] {
  const largest = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  return [o.nan ?? 0, o.posinf ?? largest, o.neginf ?? -largest];
}

export function nanToNum(x: Tensor, o: NanToNumOptions = {}): Tensor {
  alive(x);
  return record(NAN_TO_NUM, [x], null, () => {
    // integers have no NaN or infinity: a copy
    if (!isFloating(x.dtype)) return k.copyAs(x);
    return k.unary("NanToNum", x, k.emptyLike(x), ...nanToNumParams(x.dtype, o));
  });
}

export function nanToNumInplace(x: Tensor, o: NanToNumOptions = {}): Tensor {
  alive(x);
  return recordInplace(NAN_TO_NUM, x, [], null, () => {
    checkInplaceTarget(x, [], x.dtype, []);
    if (isFloating(x.dtype)) k.unary("NanToNum", x, x, ...nanToNumParams(x.dtype, o));
  }, { original: () => x.clone() });
}

// ---- binary --------------------------------------------------------------------------------

interface BinaryAttrs {
  /** the other operand when it is a Python scalar */
  scalar: number | null;
  alpha: number;
}

interface BinaryDef {
  kernel: k.BinaryKernel;
  /** PyTorch's node name; `scalarNode` where a Python scalar selects another overload */
  node: string;
  scalarNode?: string;
  /** integer results: kept, computed in the default float dtype (true division), or rejected */
  ints: "keep" | "float" | "reject";
  /** whether a bool result is computed (True + True is True) or rejected */
  bools: boolean;
  /** PyTorch's CPU kernel name, for its "not implemented for" error */
  cpu?: string;
  /** the aten op name of an op PyTorch records without a formula (its backward raises) */
  noFormula?: string;
  saves: Readonly<Record<string, readonly string[]>>;
  /** gradients for self and other, reading the saved tensors through `io` */
  grad(grad: Tensor, io: BinarySaved, attrs: BinaryAttrs, needs: (n: string) => boolean): { self?: Tensor | null; other?: Tensor | null };
}

/** What a binary formula may read: the saved operands (other may be the scalar) and result. */
interface BinarySaved {
  self(): Tensor;
  other(): Tensor | number;
  /** `other` for formulas that only run when it is a tensor */
  otherTensor(): Tensor;
  result(): Tensor;
}

const binaryDef = (def: BinaryDef): BinaryDef => def;

/** `where(self == other, grad / 2, grad)` masked where self loses: max/min's tie-splitting rule. */
function extremumGrad(grad: Tensor, self: Tensor, other: Tensor | number, selfLoses: (a: Tensor, b: Tensor | number) => Tensor): Tensor {
  return self.eq(other).where(grad.div(2), grad).maskedFill(selfLoses(self, other), 0);
}

/** maximum/minimum: each side gets the gradient where it wins, half of it on ties. */
function extremumDef(kernel: k.BinaryKernel, node: string, loses: (a: Tensor, b: Tensor | number) => Tensor): BinaryDef {
  return binaryDef({
    kernel, node, ints: "keep", bools: true, saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, io, _a, needs) => {
      const a = io.self(), b = io.otherTensor();
      return { self: needs("self") ? extremumGrad(g, a, b, loses) : null, other: needs("other") ? extremumGrad(g, b, a, loses) : null };
    },
  });
}

/** The binary ops (names declared apart from the table, like UnarySignatures). */
type BinaryName = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2" | "remainder" | "fmod" | "floorDivide" | "hypot";

/** A Derivative for ops PyTorch declares without a formula: the node exists, backward raises. */
function notImplementedDerivative(op: string): Derivative<BinaryAttrs> {
  return {
    name: "NotImplemented", inputs: ["self", "other"],
    backward: () => {
      throw new RuntimeError(`derivative for aten::${op} is not implemented`);
    },
  };
}

export const BINARY: Record<BinaryName, BinaryDef> = {
  add: binaryDef({
    kernel: "AddScaled", node: "AddBackward0", ints: "keep", bools: true, saves: {},
    grad: (g, _io, { alpha }) => ({ self: g, other: alpha === 1 ? g : g.mul(alpha) }),
  }),
  sub: binaryDef({
    kernel: "AddScaled", node: "SubBackward0", ints: "keep", bools: false, saves: {},
    grad: (g, _io, { alpha }) => ({ self: g, other: g.mul(-alpha) }),
  }),
  mul: binaryDef({
    kernel: "Mul", node: "MulBackward0", ints: "keep", bools: true, saves: { self: ["other"], other: ["self"] },
    grad: (g, io, _a, needs) => ({ self: needs("self") ? g.mul(io.other()) : null, other: needs("other") ? g.mul(io.self()) : null }),
  }),
  div: binaryDef({
    kernel: "Div", node: "DivBackward0", ints: "float", bools: false, saves: { self: ["other"], other: ["self", "other"] },
    grad: (g, io, _a, needs) => {
      const o = io.other();
      return {
        self: needs("self") ? g.div(o) : null,
        other: needs("other") ? g.neg().mul(io.self().div(o).div(o)) : null,
      };
    },
  }),
  pow: binaryDef({
    kernel: "Pow", node: "PowBackward1", ints: "keep", bools: false, cpu: "pow", saves: { self: ["self", "other"], other: ["self"], result: ["other"] },
    grad: (g, io, _a, needs) => {
      const x = io.self();
      const e = io.otherTensor();
      return {
        // exponent 0 contributes nothing (avoids 0 * inf at x = 0)
        self: needs("self") ? e.eq(0).where(0, g.mul(e.mul(x.pow(e.sub(1))))) : null,
        other: needs("other") ? g.mul(x.eq(0).logicalAnd(e.ge(0)).where(0, io.result().mul(x.log()))) : null,
      };
    },
  }),
  maximum: extremumDef("Maximum", "MaximumBackward0", (x, y) => x.lt(y)),
  minimum: extremumDef("Minimum", "MinimumBackward0", (x, y) => x.gt(y)),
  atan2: binaryDef({
    kernel: "Atan2", node: "Atan2Backward0", ints: "float", bools: false, saves: { self: ["self", "other"], other: ["self", "other"] },
    grad: (g, io, _a, needs) => {
      const x = io.self(), y = io.otherTensor();
      const recip = x.mul(x).add(y.mul(y)).reciprocal();
      return { self: needs("self") ? g.mul(y).mul(recip) : null, other: needs("other") ? g.mul(x.neg()).mul(recip) : null };
    },
  }),
  remainder: binaryDef({
    kernel: "Remainder", node: "RemainderBackward1", scalarNode: "RemainderBackward0", ints: "keep", bools: false, cpu: "remainder_cpu",
    saves: { self: ["other"], other: ["other"] },
    grad: (g, io, _a, needs) => ({
      self: g,
      other: needs("other") ? g.neg().mul(io.self().div(io.other(), { roundingMode: "floor" })) : null,
    }),
  }),
  fmod: binaryDef({
    kernel: "Fmod", node: "FmodBackward1", scalarNode: "FmodBackward0", ints: "keep", bools: false, cpu: "fmod_cpu",
    saves: { self: ["other"], other: ["other"] },
    grad: (g, io, _a, needs) => ({
      self: g,
      other: needs("other") ? g.neg().mul(io.self().div(io.other(), { roundingMode: "trunc" })) : null,
    }),
  }),
  floorDivide: binaryDef({
    kernel: "FloorDiv", node: "NotImplemented", noFormula: "floor_divide", ints: "keep", bools: false, cpu: "div_floor_cpu", saves: {},
    grad: () => ({}),
  }),
  hypot: binaryDef({
    kernel: "Hypot", node: "HypotBackward0", ints: "reject", bools: false, cpu: "hypot_cpu",
    saves: { self: ["self"], other: ["other"], result: ["self", "other"] },
    grad: (g, io, _a, needs) => ({
      self: needs("self") ? g.mul(io.self()).div(io.result()) : null,
      other: needs("other") ? g.mul(io.otherTensor()).div(io.result()) : null,
    }),
  }),
};

const binaryDerivatives = new Map<string, Derivative<BinaryAttrs>>();
function binaryDerivative(name: BinaryName, scalarOther: boolean): Derivative<BinaryAttrs> {
  const def = BINARY[name];
  const node = scalarOther && def.scalarNode !== undefined ? def.scalarNode : def.node;
  let d = binaryDerivatives.get(node);
  if (d === undefined) {
    d = def.noFormula !== undefined ? notImplementedDerivative(def.noFormula) : {
      name: node,
      inputs: ["self", "other"],
      saves: def.saves,
      backward: (ctx) => def.grad(ctx.grad, {
        self: () => ctx.saved("self"),
        other: () => (ctx.attrs.scalar !== null ? ctx.attrs.scalar : ctx.saved("other")),
        otherTensor: () => ctx.saved("other"),
        result: () => ctx.saved("result"),
      }, ctx.attrs, (n) => ctx.needs(n)),
    };
    binaryDerivatives.set(node, d);
  }
  return d;
}

/** PyTorch's sub_check: bool tensors have no subtraction (either operand, a Python bool included). */
function checkSubtraction(self: Tensor, other: TensorOrScalar): void {
  const otherBool = other instanceof Tensor ? other.dtype === "bool" : typeof other === "boolean";
  if (self.dtype === "bool" && otherBool) {
    throw new RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  }
  if (self.dtype === "bool" || otherBool) {
    throw new RuntimeError(
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
    );
  }
}

/** The dtype a binary op computes in, or PyTorch's error for operands it rejects. */
function binaryDtype(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha: number): DType {
  const def = BINARY[name];
  if (name === "sub") checkSubtraction(self, other);
  const dtype = promote(self, other);
  if (isFloating(dtype)) return dtype;
  if (def.ints === "float") return DEFAULT_DTYPE;
  if (def.ints === "reject" || (dtype === "bool" && !def.bools)) throw notImplementedFor(def.cpu ?? name, dtype);
  if (!Number.isInteger(alpha)) throw new RuntimeError("For integral input tensors, argument alpha must not be a floating point number.");
  return dtype;
}

/** Runs `kernel` on the operands (cast to `dtype`) into `out`. */
export function runBinary(kernel: k.BinaryKernel, a: TensorOrScalar, b: TensorOrScalar, dtype: DType, out: Tensor, alpha = 1): void {
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

/** A fresh output of `shape` laid out for a pointwise op over `inputs`, filled by `fill` (disposed if it throws). */
export function freshResult(shape: readonly number[], dtype: DType, inputs: readonly TensorOrScalar[], fill: (out: Tensor) => void): Tensor {
  return k.filled(k.emptyPointwise(shape, dtype, inputs.map(operandOf)), fill);
}

/** The fresh output of `self op other`. */
export function pointwiseResult(self: Tensor, other: TensorOrScalar, dtype: DType, fill: (out: Tensor) => void): Tensor {
  return freshResult(pointwiseShape(self, other), dtype, [self, other], fill);
}

/** Writes into `self` a result computed in `dtype` (through a temporary when the dtypes differ). */
export function writeInPlace(self: Tensor, dtype: DType, fill: (out: Tensor) => void): void {
  if (dtype === self.dtype) {
    fill(self);
    return;
  }
  const tmp = k.empty(self._shape, dtype);
  try {
    fill(tmp);
    k.copyInto(self, tmp);
  } finally {
    tmp.dispose();
  }
}

const sign = (name: BinaryName) => (name === "sub" ? -1 : 1);
const attrsOf = (other: TensorOrScalar, alpha: number): BinaryAttrs => ({ scalar: other instanceof Tensor ? null : asNumber(other), alpha });
const tensorOrNull = (x: TensorOrScalar): Tensor | null => (x instanceof Tensor ? x : null);

export function applyBinary(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  alive(self, tensorOrNull(other));
  const dtype = binaryDtype(name, self, other, alpha);
  const d = binaryDerivative(name, !(other instanceof Tensor));
  return record(d, [self, tensorOrNull(other)], attrsOf(other, alpha), () =>
    pointwiseResult(self, other, dtype, (out) => runBinary(BINARY[name].kernel, self, other, dtype, out, sign(name) * alpha)));
}

export function applyBinaryInplace(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  alive(self, tensorOrNull(other));
  const dtype = binaryDtype(name, self, other, alpha);
  const d = binaryDerivative(name, !(other instanceof Tensor));
  return recordInplace(d, self, [tensorOrNull(other)], attrsOf(other, alpha), () => {
    checkInplaceTarget(self, other instanceof Tensor ? [other] : [], dtype, other instanceof Tensor ? [other._shape] : []);
    writeInPlace(self, dtype, (out) => runBinary(BINARY[name].kernel, self, other, dtype, out, sign(name) * alpha));
  }, { original: () => self.clone() });
}

// ---- rsub, pow with a scalar base, division with a rounding mode ---------------------------

const RSUB: Derivative<{ alpha: number }> = {
  name: "RsubBackward0", inputs: ["self", "other"],
  backward: ({ grad, attrs, needs }) => ({ self: needs("self") ? grad.mul(-attrs.alpha) : null, other: needs("other") ? grad : null }),
};
const RSUB_SCALAR: Derivative<{ alpha: number }> = { ...RSUB, name: "RsubBackward1" };

/** PyTorch's rsub: `other - alpha * self`. */
export function rsub(self: Tensor, other: TensorOrScalar, alpha = 1): Tensor {
  alive(self, tensorOrNull(other));
  checkSubtraction(self, other);
  const dtype = promote(self, other);
  if (!isFloating(dtype) && !Number.isInteger(alpha)) {
    throw new RuntimeError("For integral input tensors, argument alpha must not be a floating point number.");
  }
  return record(other instanceof Tensor ? RSUB : RSUB_SCALAR, [self, tensorOrNull(other)], { alpha }, () =>
    pointwiseResult(self, other, dtype, (out) => runBinary("AddScaled", other, self, dtype, out, -alpha)));
}

/** `torch.pow(2, x)`: a scalar base (PowBackward2). */
const POW_SCALAR_BASE: Derivative<{ base: number }> = {
  name: "PowBackward2",
  inputs: ["exponent"],
  saves: { exponent: ["exponent"], result: ["exponent"] },
  backward: ({ grad, saved, attrs }) => {
    const y = saved("result");
    // a zero base with a non-negative exponent contributes nothing (0 * -inf otherwise)
    if (attrs.base !== 0) return { exponent: grad.mul(y.mul(Math.log(attrs.base))) };
    return { exponent: grad.mul(saved("exponent").ge(0).where(0, y.mul(-Infinity))) };
  },
};

export function powScalarBase(base: number, exponent: Tensor): Tensor {
  alive(exponent);
  const dtype = resultType([exponent], [scalarKind(base)]);
  if (dtype === "bool") throw notImplementedFor("pow", dtype);
  return record(POW_SCALAR_BASE, [exponent], { base }, () => {
    const out = k.emptyPointwise(exponent._shape, dtype, [operandOf(base), exponent]);
    runBinary("Pow", base, exponent, dtype, out);
    return out;
  });
}

const DIV_ROUNDED: Derivative<null> = {
  name: "DivBackward2",
  inputs: ["self", "other"],
  backward: ({ grad, needs }) => ({ self: needs("self") ? grad.zerosLike() : null, other: needs("other") ? grad.zerosLike() : null }),
};

export type RoundingMode = "trunc" | "floor" | null;

function roundedDivisionKernel(self: Tensor, other: TensorOrScalar, roundingMode: RoundingMode): { kernel: k.BinaryKernel; dtype: DType } {
  if (roundingMode !== "trunc" && roundingMode !== "floor") {
    throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${roundingMode}'`);
  }
  const dtype = promote(self, other);
  const kernel: k.BinaryKernel = roundingMode === "floor" ? "FloorDiv" : "TruncDiv";
  if (dtype === "bool") throw notImplementedFor(roundingMode === "floor" ? "div_floor_cpu" : "div_trunc_cpu", dtype);
  return { kernel, dtype };
}

export function div(self: Tensor, other: TensorOrScalar, roundingMode: RoundingMode = null): Tensor {
  if (roundingMode === null) return applyBinary("div", self, other);
  alive(self, tensorOrNull(other));
  const { kernel, dtype } = roundedDivisionKernel(self, other, roundingMode);
  return record(DIV_ROUNDED, [self, tensorOrNull(other)], null, () =>
    pointwiseResult(self, other, dtype, (out) => runBinary(kernel, self, other, dtype, out)));
}

export function divInplace(self: Tensor, other: TensorOrScalar, roundingMode: RoundingMode = null): Tensor {
  if (roundingMode === null) return applyBinaryInplace("div", self, other);
  alive(self, tensorOrNull(other));
  const { kernel, dtype } = roundedDivisionKernel(self, other, roundingMode);
  return recordInplace(DIV_ROUNDED, self, [tensorOrNull(other)], null, () => {
    checkInplaceTarget(self, other instanceof Tensor ? [other] : [], dtype, other instanceof Tensor ? [other._shape] : []);
    writeInPlace(self, dtype, (out) => runBinary(kernel, self, other, dtype, out));
  });
}

// ---- tables → methods --------------------------------------------------------------------

type SpecialUnary = "pow" | "clamp" | "gelu";
type UnaryMethods = { [K in Exclude<UnaryName, SpecialUnary>]: (...args: UnarySignatures[K]) => Tensor } & {
  [K in Exclude<UnaryName, SpecialUnary> as `${K}_`]: (...args: UnarySignatures[K]) => Tensor;
};

type PlainBinary = Exclude<BinaryName, "add" | "sub" | "div" | "pow">;
type BinaryMethods = { [K in PlainBinary]: (other: TensorOrScalar) => Tensor } & {
  [K in PlainBinary as `${K}_`]: (other: TensorOrScalar) => Tensor;
};

export interface PointwiseMethods extends UnaryMethods, BinaryMethods {
  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  add(other: TensorOrScalar, alpha: number): Tensor;
  add_(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  sub_(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  /** `other - alpha * self` (PyTorch's rsub) */
  rsub(other: TensorOrScalar, options?: { alpha?: number }): Tensor;
  div(other: TensorOrScalar, options?: { roundingMode?: RoundingMode }): Tensor;
  div_(other: TensorOrScalar, options?: { roundingMode?: RoundingMode }): Tensor;
  gelu(options?: { approximate?: "none" | "tanh" }): Tensor;
  gelu_(options?: { approximate?: "none" | "tanh" }): Tensor;
  pow(exponent: TensorOrScalar): Tensor;
  pow_(exponent: TensorOrScalar): Tensor;
  nanToNum(nan?: number | NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
  nanToNum_(nan?: number | NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
}

const alphaOf = (rest: unknown[]) => bind<{ alpha: number }>(["alpha"], rest, { alpha: 1 }).alpha;
const nanToNumArgs = (args: unknown[]) =>
  bind<{ nan: number; posinf: number | null; neginf: number | null }>(["nan", "posinf", "neginf"], args, { nan: 0, posinf: null, neginf: null });

function geluCall(args: unknown[]): [UnaryDef<["none" | "tanh"]>, ["none" | "tanh"]] {
  const { approximate } = bind<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" });
  if (approximate !== "none" && approximate !== "tanh") throw new RuntimeError("approximate argument must be either none or tanh.");
  return [approximate === "tanh" ? GELU_TANH : UNARY.gelu, [approximate]];
}

const withSelf = <P extends unknown[]>([def, args]: [UnaryDef<P>, P], self: Tensor): [UnaryDef<P>, Tensor, P] => [def, self, args];

function scalarPow(self: Tensor, exponent: Scalar): [UnaryDef<[number]>, [number]] {
  const e = asNumber(exponent);
  checkIntegerPower(resultType([self], [scalarKind(exponent)]), e);
  return [UNARY.pow, [e]];
}

const SPECIAL_UNARY: readonly string[] = ["pow", "clamp", "gelu"] satisfies SpecialUnary[];

export const pointwiseMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
for (const [name, def] of Object.entries(UNARY) as [UnaryName, UnaryDef<unknown[]>][]) {
  if (SPECIAL_UNARY.includes(name)) continue;
  pointwiseMethods[name] = function (this: Tensor, ...args: unknown[]) {
    return applyUnary(def, this, args);
  };
  pointwiseMethods[`${name}_`] = function (this: Tensor, ...args: unknown[]) {
    return applyUnaryInplace(def, this, args);
  };
}
for (const name of Object.keys(BINARY) as BinaryName[]) {
  pointwiseMethods[name] = function (this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    return applyBinary(name, this, other, alphaOf(rest));
  } as never;
  pointwiseMethods[`${name}_`] = function (this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    return applyBinaryInplace(name, this, other, alphaOf(rest));
  } as never;
}
Object.assign(pointwiseMethods, {
  pow(this: Tensor, exponent: TensorOrScalar) {
    if (exponent instanceof Tensor) return applyBinary("pow", this, exponent);
    return applyUnary(...withSelf(scalarPow(this, exponent), this));
  },
  pow_(this: Tensor, exponent: TensorOrScalar) {
    if (exponent instanceof Tensor) return applyBinaryInplace("pow", this, exponent);
    return applyUnaryInplace(...withSelf(scalarPow(this, exponent), this));
  },
  rsub(this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    return rsub(this, other, alphaOf(rest));
  },
  div(this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    const { roundingMode } = bind<{ roundingMode: RoundingMode }>(["roundingMode"], rest, { roundingMode: null });
    return div(this, other, roundingMode);
  },
  div_(this: Tensor, other: TensorOrScalar, ...rest: unknown[]) {
    const { roundingMode } = bind<{ roundingMode: RoundingMode }>(["roundingMode"], rest, { roundingMode: null });
    return divInplace(this, other, roundingMode);
  },
  gelu(this: Tensor, ...args: unknown[]) {
    return applyUnary(...withSelf(geluCall(args), this));
  },
  gelu_(this: Tensor, ...args: unknown[]) {
    return applyUnaryInplace(...withSelf(geluCall(args), this));
  },
  nanToNum(this: Tensor, ...args: unknown[]) {
    return nanToNum(this, nanToNumArgs(args));
  },
  nanToNum_(this: Tensor, ...args: unknown[]) {
    return nanToNumInplace(this, nanToNumArgs(args));
  },
});
