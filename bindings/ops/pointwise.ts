// Pointwise arithmetic: each entry holds the forward kernel, the dtypes PyTorch accepts and
// PyTorch's backward formula side by side; functions, Tensor methods and in-place variants
// (`sigmoid_`) are derived from the tables at the bottom.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, type DType, isFloating, resultType, scalarKind } from "../tensor/dtype.js";
import { type Shape, broadcastShapes, sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, methodPair } from "./args.js";
import { alive, checkInplaceTarget, notImplementedFor } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, type Grads, record, recordInplace } from "./record.js";

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

export const asNumber = (v: Scalar): number => (typeof v === "boolean" ? Number(v) : v);

export const tensorOrNull = (x: TensorOrScalar | null): Tensor | null => (x instanceof Tensor ? x : null);

/** `x` as a kernel operand of `dtype`: a scalar slot, the tensor itself, or a converted copy (added to `temps`). */
export function operand(x: TensorOrScalar, dtype: DType, temps: Tensor[]): k.Operand {
  if (!(x instanceof Tensor)) return { scalar: asNumber(x), dtype };
  if (x.dtype === dtype) return x;
  const cast = k.copyAs(x, dtype);
  temps.push(cast);
  return cast;
}

/** Runs `fill` with the operands converted to `dtype` (tensors of `dtype` as they are), disposing the conversions. */
export function withOperands(xs: readonly TensorOrScalar[], dtype: DType, fill: (ops: readonly k.Operand[]) => void): void {
  if (xs.every((x) => x instanceof Tensor && x.dtype === dtype)) return fill(xs as readonly Tensor[]);
  const temps: Tensor[] = [];
  try {
    fill(xs.map((x) => operand(x, dtype, temps)));
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** PyTorch's type promotion for `self op other` (two tensors of one dtype keep it). */
export function promote(self: Tensor, other: TensorOrScalar): DType {
  if (!(other instanceof Tensor)) return resultType([self], [scalarKind(other)]);
  return other.dtype === self.dtype ? self.dtype : resultType([self, other]);
}

/** The broadcast shape of the tensors among `xs` (scalars and nulls take no part). */
export function broadcastAll(xs: readonly (TensorOrScalar | null)[]): Shape {
  let shape: Shape | null = null;
  for (const x of xs) {
    if (x instanceof Tensor) shape = shape === null || sameShape(x._shape, shape) ? x._shape : broadcastShapes(shape, x._shape);
  }
  return shape ?? [];
}

/** A fresh output of a pointwise op over `inputs` (broadcast), laid out for them, filled by `fill` (disposed if it throws). */
export function freshResult(dtype: DType, inputs: readonly (TensorOrScalar | null)[], fill: (out: Tensor) => void): Tensor {
  return k.filled(k.emptyPointwise(broadcastAll(inputs), dtype, inputs), fill);
}

/** Writes into `self` a result computed in `dtype` (through a temporary when the dtypes differ). */
function writeInPlace(self: Tensor, dtype: DType, fill: (out: Tensor) => void): void {
  if (dtype === self.dtype) return fill(self);
  k.disposing((temps) => {
    const tmp = k.empty(self._shape, dtype);
    temps.push(tmp);
    fill(tmp);
    k.copyInto(self, tmp);
  });
}

/**
 * Records a pointwise op of `self` and `others` (tensors, or scalars and nulls that take no
 * part in the graph) computed in `dtype` by `fill`: into a fresh result laid out as
 * TensorIterator lays it out, or `inplace` into self after TensorIterator's checks.
 */
export function pointwise<A>(
  inplace: boolean, d: Derivative<A>, self: Tensor, others: readonly (TensorOrScalar | null)[], attrs: A, dtype: DType,
  fill: (out: Tensor) => void,
): Tensor {
  return inplace ? pointwiseInplace(d, self, others, attrs, dtype, fill) : pointwiseFresh(d, self, others, attrs, dtype, fill);
}

// (the two forms apart: each allocates only the closures it uses)
function pointwiseFresh<A>(
  d: Derivative<A>, self: Tensor, others: readonly (TensorOrScalar | null)[], attrs: A, dtype: DType, fill: (out: Tensor) => void,
): Tensor {
  // (a spread reserves 17 slots, like a push onto a one-element array)
  const operands = others.length === 1 ? [self, others[0]] : [self, ...others];
  return record(d, operands.map(tensorOrNull), attrs, () => freshResult(dtype, operands, fill));
}

function pointwiseInplace<A>(
  d: Derivative<A>, self: Tensor, others: readonly (TensorOrScalar | null)[], attrs: A, dtype: DType, fill: (out: Tensor) => void,
): Tensor {
  const inputs = others.map(tensorOrNull);
  return recordInplace(d, self, inputs, attrs, () => {
    const present = inputs.filter((t): t is Tensor => t !== null);
    checkInplaceTarget(self, present, dtype, present.map((t) => t._shape));
    writeInPlace(self, dtype, fill);
  }, { original: () => self.clone() });
}

// ---- unary ---------------------------------------------------------------------------------

/**
 * Which input dtypes an op takes: integer and bool inputs compute in the default float dtype
 * ("float": exp), every dtype keeps its own ("any": sign), integers keep theirs and bool is
 * rejected ("numeric": neg), or only floating inputs are accepted ("floating": silu).
 */
type DtypeRule = "float" | "any" | "numeric" | "floating";

/** A row of the UNARY table; the names it leaves out follow from the op's name (see `unaryOps`). */
interface UnarySpec<P extends unknown[]> {
  dtypes: DtypeRule;
  /** the tensor the gradient formula reads: the input, the result, or none */
  saves: "self" | "result" | null;
  /** d(out)/d(self) times grad; `saved` is self or the result as declared */
  grad(grad: Tensor, saved: Tensor, ...args: P): Tensor;
  /** the kernel (`Exp` for exp) */
  kernel?: k.UnaryKernel;
  /** PyTorch's node name (`ExpBackward0` for exp) */
  node?: string;
  /** PyTorch's CPU kernel name for its "not implemented for" error on rejected dtypes (`silu_cpu` for silu) */
  cpu?: string;
  /** PyTorch's own message for a bool input, where it has one */
  boolError?: string;
  /** the scalar arguments that take part in type promotion (pow's exponent, clamp's bounds) */
  promotes?: (...args: P) => Scalar[];
  /** maps the op's arguments to the kernel's scalar parameters */
  params?: (...args: P) => [number, number];
}

interface UnaryDef<P extends unknown[]> extends UnarySpec<P> {
  kernel: k.UnaryKernel;
  cpu: string;
  derivative: Derivative<P>;
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

type UnaryName = keyof UnarySignatures;

const unary = <P extends unknown[] = []>(
  dtypes: DtypeRule, saves: UnarySpec<P>["saves"], grad: UnarySpec<P>["grad"], more: Partial<UnarySpec<P>> = {},
): UnarySpec<P> => ({ dtypes, saves, grad, ...more });

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** A rounding op: integers are returned as they are, bool has no kernel, the gradient is zero. */
const rounding = (name: string) => unary("numeric", null, (g) => g.zerosLike(), { cpu: `${name}_vml_cpu` });

const UNARY_SPECS: { [K in UnaryName]: UnarySpec<UnarySignatures[K]> } = {
  neg: unary("numeric", null, (g) => g.neg(), {
    boolError: "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
  }),
  abs: unary("numeric", "self", (g, x) => g.mul(x.sgn())),
  sign: unary("any", null, (g) => g.zerosLike()),
  sgn: unary("any", null, (g) => g.zerosLike(), { kernel: "Sign" }),
  exp: unary("float", "result", (g, y) => g.mul(y)),
  exp2: unary("float", "result", (g, y) => g.mul(y).mul(LN2)),
  expm1: unary("float", "result", (g, y) => g.mul(y.add(1))),
  log: unary("float", "self", (g, x) => g.div(x)),
  log1p: unary("float", "self", (g, x) => g.div(x.add(1)), { node: "Log1PBackward0" }),
  log2: unary("float", "self", (g, x) => g.div(x.mul(LN2))),
  log10: unary("float", "self", (g, x) => g.div(x.mul(LN10))),
  sqrt: unary("float", "result", (g, y) => g.div(y.mul(2))),
  rsqrt: unary("float", "result", (g, y) => g.mul(y.pow(3)).mul(-0.5)),
  reciprocal: unary("float", "result", (g, y) => g.neg().mul(y.mul(y))),
  sigmoid: unary("float", "result", (g, y) => g.mul(y.neg().add(1)).mul(y)),
  tanh: unary("float", "result", (g, y) => g.mul(y.mul(y).neg().add(1))),
  // threshold_backward: the gradient passes where the result is above 0 (and where it is NaN)
  relu: unary("numeric", "result", (g, y) => y.le(0).where(0, g), { boolError: "Boolean inputs not supported for relu" }),
  sin: unary("float", "self", (g, x) => g.mul(x.cos())),
  cos: unary("float", "self", (g, x) => g.mul(x.sin().neg())),
  tan: unary("float", "result", (g, y) => g.mul(y.mul(y).add(1))),
  asin: unary("float", "self", (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt())),
  acos: unary("float", "self", (g, x) => g.mul(x.mul(x).neg().add(1).rsqrt().neg())),
  atan: unary("float", "self", (g, x) => g.div(x.mul(x).add(1))),
  sinh: unary("float", "self", (g, x) => g.mul(x.cosh())),
  cosh: unary("float", "self", (g, x) => g.mul(x.sinh())),
  erf: unary("float", "self", (g, x) => x.pow(2).neg().exp().mul(2 / Math.sqrt(Math.PI)).mul(g)),
  // square is pow(self, 2): bool promotes to int64 like any integer exponent would
  square: unary("numeric", "self", (g, x) => g.mul(x.mul(2)), { promotes: () => [2], node: "PowBackward0" }),
  floor: rounding("floor"),
  ceil: rounding("ceil"),
  round: rounding("round"),
  trunc: rounding("trunc"),
  frac: unary("floating", null, (g) => g),
  silu: unary("floating", "self", (g, x) => {
    const s = x.sigmoid();
    return g.mul(s).mul(x.mul(s.neg().add(1)).add(1));
  }),
  mish: unary("floating", "self", (g, x) => {
    const t = x.softplus().tanh();
    return g.mul(t.add(x.mul(x.sigmoid()).mul(t.mul(t).neg().add(1))));
  }),
  logit: unary("float", "self", (g, x) => g.div(x.mul(x.neg().add(1)))),
  leakyRelu: unary<[negativeSlope?: number]>("floating", "self", (g, x, slope = 0.01) => x.gt(0).where(g, g.mul(slope)), {
    params: (slope = 0.01) => [slope, 0],
  }),
  elu: unary<[alpha?: number]>("floating", "self", (g, x, alpha = 1) => x.le(0).where(g.mul(alpha).mul(x.exp()), g), {
    params: (alpha = 1) => [alpha, 0],
  }),
  softplus: unary<[beta?: number, threshold?: number]>("floating", "self", (g, x, beta = 1, threshold = 20) => {
    const scaled = x.mul(beta);
    return scaled.gt(threshold).where(g, g.mul(scaled.sigmoid()));
  }, { params: (beta = 1, threshold = 20) => [beta, threshold] }),
  hardtanh: unary<[minVal?: number, maxVal?: number]>("numeric", "self", (g, x, lo = -1, hi = 1) => x.le(lo).logicalOr(x.ge(hi)).where(0, g), {
    boolError: "Bool inputs not supported for hardtanh", params: (lo = -1, hi = 1) => [lo, hi],
  }),
  gelu: unary<[approximate?: "none" | "tanh"]>("floating", "self", (g, x, approximate = "none") => {
    if (approximate === "tanh") {
      const inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI);
      const t = inner.tanh();
      const dinner = x.mul(x).mul(3 * 0.044715).add(1).mul(SQRT_2_OVER_PI);
      return g.mul(t.add(1).mul(0.5).add(x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(dinner)));
    }
    const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
    const pdf = x.mul(x).mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
    return g.mul(cdf.add(x.mul(pdf)));
  }, { cpu: "GeluKernelImpl" }),
  pow: unary<[exponent: number]>("numeric", "self", (g, x, e) => (e === 0 ? g.zerosLike() : g.mul(x.pow(e - 1).mul(e))), {
    promotes: (e) => [e], params: (e) => [e, 0],
  }),
  clamp: unary<[min?: number | null, max?: number | null]>("numeric", "self", (g, x, min = null, max = null) => {
    // gradient 1 on the bounds themselves (PyTorch's subgradient choice)
    if (min !== null && max !== null) return x.ge(min).logicalAnd(x.le(max)).where(g, 0);
    if (min !== null) return x.ge(min).where(g, 0);
    return max !== null ? x.le(max).where(g, 0) : g;
  }, {
    node: "ClampBackward1",
    promotes: (min = null, max = null) => [min, max].filter((v): v is number => v !== null),
    params: (min = null, max = null) => [min ?? NaN, max ?? NaN],
  }),
};

const capitalized = (name: string) => name[0].toUpperCase() + name.slice(1);
/** PyTorch's CPU kernel name for an op (`leaky_relu_cpu` for leakyRelu). */
const cpuName = (name: string) => `${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_cpu`;

/** A row completed with the names that follow from the op's name, and its derivative. */
function unaryOp<P extends unknown[]>(name: string, spec: UnarySpec<P>): UnaryDef<P> {
  const kernel = spec.kernel ?? (capitalized(name) as k.UnaryKernel);
  const saved = spec.saves;
  return {
    ...spec,
    kernel,
    cpu: spec.cpu ?? cpuName(name),
    derivative: {
      name: spec.node ?? `${kernel}Backward0`,
      inputs: ["self"],
      saves: saved === null ? {} : { [saved]: ["self"] },
      backward: (ctx) => ({ self: spec.grad(ctx.grad, saved === null ? ctx.grad : ctx.saved(saved), ...ctx.attrs) }),
    },
  };
}

export const UNARY = Object.fromEntries(Object.entries(UNARY_SPECS).map(([name, spec]) => [name, unaryOp(name, spec as UnarySpec<unknown[]>)])) as {
  [K in UnaryName]: UnaryDef<UnarySignatures[K]>;
};

/** The tanh approximation of GELU: same node and formula switch, its own kernel. */
const GELU_TANH: UnaryDef<["none" | "tanh"]> = { ...UNARY.gelu, kernel: "GeluTanh" };

/** The dtype a unary op computes in for this input, or PyTorch's error for a dtype it rejects. */
function unaryDtype<P extends unknown[]>(def: UnaryDef<P>, dtype: DType, args: P): DType {
  if (def.promotes !== undefined) return resultType([{ dtype, ndim: 1 }], def.promotes(...args).map(scalarKind));
  if (isFloating(dtype) || def.dtypes === "any") return dtype;
  if (def.dtypes === "float") return DEFAULT_DTYPE;
  if (def.dtypes === "numeric" && dtype !== "bool") return dtype;
  throw def.boolError !== undefined && def.dtypes === "numeric" ? new RuntimeError(def.boolError) : notImplementedFor(def.cpu, dtype);
}

export function applyUnary<P extends unknown[]>(def: UnaryDef<P>, x: Tensor, args: P, inplace = false): Tensor {
  alive(x);
  const dtype = unaryDtype(def, x.dtype, args);
  const [p0, p1] = def.params?.(...args) ?? [0, 0];
  return pointwise(inplace, def.derivative, x, [], args, dtype, (out) =>
    withOperands([x], dtype, ([src]) => k.unary(def.kernel, src as Tensor, out, p0, p1)));
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

/** NaN, +inf and -inf replaced (by the dtype's extremes unless given); integers have none of them. */
function nanToNum(x: Tensor, o: NanToNumOptions, inplace: boolean): Tensor {
  alive(x);
  const largest = x.dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  return pointwise(inplace, NAN_TO_NUM, x, [], null, x.dtype, (out) => {
    if (isFloating(x.dtype)) k.unary("NanToNum", x, out, o.nan ?? 0, o.posinf ?? largest, o.neginf ?? -largest);
    else if (out !== x) k.copyInto(out, x);
  });
}

// ---- binary --------------------------------------------------------------------------------

interface BinaryAttrs {
  /** the other operand when it is a Python scalar */
  scalar: number | null;
  alpha: number;
}

/** A row of the BINARY table; the names it leaves out follow from the op's name (see `binaryOp`). */
interface BinarySpec {
  /** integer results: kept, computed in the default float dtype (true division), or rejected */
  ints: "keep" | "float" | "reject";
  /** whether a bool result is computed (True + True is True) or rejected */
  bools: boolean;
  /** input name → the gradients that read it (see Derivative.saves) */
  saves: Readonly<Record<string, readonly string[]>>;
  /** gradients for self and other from the saved tensors (`other()`: other, or the Python scalar it was) */
  grad(grad: Tensor, saved: (name: string) => Tensor, attrs: BinaryAttrs, other: () => Tensor | number): Grads;
  /** the kernel (`Mul` for mul) */
  kernel?: k.BinaryKernel;
  /** PyTorch's node name (`MulBackward0` for mul); `scalarNode` where a Python scalar selects another overload */
  node?: string;
  scalarNode?: string;
  /** PyTorch's CPU kernel name, for its "not implemented for" error (`hypot_cpu` for hypot) */
  cpu?: string;
  /** the aten op name of an op PyTorch records without a formula (its backward raises) */
  noFormula?: string;
}

interface BinaryDef extends BinarySpec {
  kernel: k.BinaryKernel;
  cpu: string;
  /** the node when other is a tensor, and when it is a Python scalar */
  derivatives: [Derivative<BinaryAttrs>, Derivative<BinaryAttrs>];
}

const binary = (ints: BinarySpec["ints"], bools: boolean, saves: BinarySpec["saves"], grad: BinarySpec["grad"], more: Partial<BinarySpec> = {}): BinarySpec =>
  ({ ints, bools, saves, grad, ...more });

/** The tensors both operands' gradients read. */
const BOTH = { self: ["self", "other"], other: ["self", "other"] };

/** `where(self == other, grad / 2, grad)` masked where self loses: max/min's tie-splitting rule. */
function extremumGrad(grad: Tensor, self: Tensor, other: Tensor, selfLoses: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return self.eq(other).where(grad.div(2), grad).maskedFill(selfLoses(self, other), 0);
}

/** maximum/minimum: each side gets the gradient where it wins, half of it on ties. */
const extremum = (loses: (a: Tensor, b: Tensor) => Tensor) => binary("keep", true, BOTH, (g, saved) => {
  const a = saved("self"), b = saved("other");
  return { self: () => extremumGrad(g, a, b, loses), other: () => extremumGrad(g, b, a, loses) };
});

/** remainder/fmod: other's gradient is -grad times the rounded quotient. */
const remainder = (node: string, roundingMode: RoundingMode) => binary("keep", false, { self: ["other"], other: ["other"] }, (g, saved) => ({
  self: g, other: () => g.neg().mul(saved("self").div(saved("other"), { roundingMode })),
}), { node: `${node}Backward1`, scalarNode: `${node}Backward0` });

/** The binary ops (names declared apart from the table, like UnarySignatures). */
type BinaryName = "add" | "sub" | "rsub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "atan2" | "remainder" | "fmod" | "floorDivide" | "hypot";

const BINARY_SPECS: Record<BinaryName, BinarySpec> = {
  add: binary("keep", true, {}, (g, _saved, { alpha }) => ({ self: g, other: alpha === 1 ? g : () => g.mul(alpha) }), { kernel: "AddScaled" }),
  sub: binary("keep", false, {}, (g, _saved, { alpha }) => ({ self: g, other: () => g.mul(-alpha) }), { kernel: "AddScaled" }),
  // PyTorch's rsub: `other - alpha * self` (the kernel takes the operands the other way round)
  rsub: binary("keep", false, {}, (g, _saved, { alpha }) => ({ self: () => g.mul(-alpha), other: g }), { kernel: "AddScaled", scalarNode: "RsubBackward1" }),
  mul: binary("keep", true, { self: ["other"], other: ["self"] }, (g, saved, _attrs, other) => ({ self: () => g.mul(other()), other: () => g.mul(saved("self")) })),
  div: binary("float", false, { self: ["other"], other: ["self", "other"] }, (g, saved, _attrs, other) => {
    const o = other();
    return { self: () => g.div(o), other: () => g.neg().mul(saved("self").div(o).div(o)) };
  }),
  pow: binary("keep", false, { ...BOTH, result: ["other"] }, (g, saved) => {
    const x = saved("self");
    const e = saved("other");
    return {
      // exponent 0 contributes nothing (avoids 0 * inf at x = 0)
      self: () => e.eq(0).where(0, g.mul(e.mul(x.pow(e.sub(1))))),
      other: () => g.mul(x.eq(0).logicalAnd(e.ge(0)).where(0, saved("result").mul(x.log()))),
    };
  }, { node: "PowBackward1", cpu: "pow" }),
  maximum: extremum((x, y) => x.lt(y)),
  minimum: extremum((x, y) => x.gt(y)),
  atan2: binary("float", false, BOTH, (g, saved) => {
    const x = saved("self"), y = saved("other");
    const recip = x.mul(x).add(y.mul(y)).reciprocal();
    return { self: () => g.mul(y).mul(recip), other: () => g.mul(x.neg()).mul(recip) };
  }),
  remainder: remainder("Remainder", "floor"),
  fmod: remainder("Fmod", "trunc"),
  floorDivide: binary("keep", false, {}, () => ({}), { kernel: "FloorDiv", node: "NotImplemented", noFormula: "floor_divide", cpu: "div_floor_cpu" }),
  hypot: binary("reject", false, { self: ["self"], other: ["other"], result: ["self", "other"] }, (g, saved) => ({
    self: () => g.mul(saved("self")).div(saved("result")), other: () => g.mul(saved("other")).div(saved("result")),
  })),
};

/** The node of a binary op (another overload when other is a Python scalar). */
function binaryDerivative(spec: BinarySpec, node: string): Derivative<BinaryAttrs> {
  const { noFormula } = spec;
  return {
    name: node,
    inputs: ["self", "other"],
    saves: spec.saves,
    backward: (ctx) => {
      // an op PyTorch declares without a formula: the node exists, its backward raises
      if (noFormula !== undefined) throw new RuntimeError(`derivative for aten::${noFormula} is not implemented`);
      return spec.grad(ctx.grad, ctx.saved, ctx.attrs, () => ctx.attrs.scalar ?? ctx.saved("other"));
    },
  };
}

/** A row completed with the names that follow from the op's name, and its two nodes. */
function binaryOp(name: BinaryName, spec: BinarySpec): BinaryDef {
  const node = spec.node ?? `${capitalized(name)}Backward0`;
  return {
    ...spec,
    kernel: spec.kernel ?? (capitalized(name) as k.BinaryKernel),
    cpu: spec.cpu ?? cpuName(name),
    derivatives: [binaryDerivative(spec, node), binaryDerivative(spec, spec.scalarNode ?? node)],
  };
}

export const BINARY = Object.fromEntries(Object.entries(BINARY_SPECS).map(([name, spec]) => [name, binaryOp(name as BinaryName, spec)])) as Record<BinaryName, BinaryDef>;

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

function checkAlpha(dtype: DType, alpha: number): void {
  if (!isFloating(dtype) && !Number.isInteger(alpha)) throw new RuntimeError("For integral input tensors, argument alpha must not be a floating point number.");
}

/** The dtype a binary op computes in, or PyTorch's error for operands it rejects. */
function binaryDtype(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha: number): DType {
  const def = BINARY[name];
  if (name === "sub" || name === "rsub") checkSubtraction(self, other);
  const dtype = promote(self, other);
  if (isFloating(dtype)) return dtype;
  if (def.ints === "float") return DEFAULT_DTYPE;
  if (def.ints === "reject" || (dtype === "bool" && !def.bools)) throw notImplementedFor(def.cpu, dtype);
  checkAlpha(dtype, alpha);
  return dtype;
}

/** Runs `kernel` on the operands (cast to `dtype`) into `out`. */
export function runBinary(kernel: k.BinaryKernel, a: TensorOrScalar, b: TensorOrScalar, dtype: DType, out: Tensor, alpha = 1): void {
  const op = kernel === "AddScaled" && alpha === 1 ? "Add" : kernel;
  // two tensors of `dtype` (the common case) need no conversion, nor withOperands' closure
  if (a instanceof Tensor && a.dtype === dtype && b instanceof Tensor && b.dtype === dtype) k.binary(op, a, b, out, alpha);
  else convertingBinary(op, a, b, dtype, out, alpha);
}

function convertingBinary(op: k.BinaryKernel, a: TensorOrScalar, b: TensorOrScalar, dtype: DType, out: Tensor, alpha: number): void {
  withOperands([a, b], dtype, (ops) => k.binary(op, ops[0], ops[1], out, alpha));
}

const attrsOf = (other: TensorOrScalar, alpha: number): BinaryAttrs => ({ scalar: other instanceof Tensor ? null : asNumber(other), alpha });

export function applyBinary(name: BinaryName, self: Tensor, other: TensorOrScalar, alpha = 1, inplace = false): Tensor {
  alive(self, tensorOrNull(other));
  const dtype = binaryDtype(name, self, other, alpha);
  const def = BINARY[name];
  const d = def.derivatives[other instanceof Tensor ? 0 : 1];
  const reversed = name === "rsub";
  const signed = name === "sub" || reversed ? -alpha : alpha;
  return pointwise(inplace, d, self, [other], attrsOf(other, alpha), dtype, (out) =>
    runBinary(def.kernel, reversed ? other : self, reversed ? self : other, dtype, out, signed));
}

// ---- pow with a scalar base, division with a rounding mode ---------------------------

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
  return record(POW_SCALAR_BASE, [exponent], { base }, () =>
    freshResult(dtype, [base, exponent], (out) => runBinary("Pow", base, exponent, dtype, out)));
}

const DIV_ROUNDED: Derivative<null> = {
  name: "DivBackward2",
  inputs: ["self", "other"],
  backward: ({ grad }) => ({ self: () => grad.zerosLike(), other: () => grad.zerosLike() }),
};

export type RoundingMode = "trunc" | "floor" | null;

/** Division, true or rounded (trunc or floor: DivBackward2, whose gradient is zero). */
function div(self: Tensor, other: TensorOrScalar, roundingMode: RoundingMode, inplace: boolean): Tensor {
  if (roundingMode === null) return applyBinary("div", self, other, 1, inplace);
  alive(self, tensorOrNull(other));
  if (roundingMode !== "trunc" && roundingMode !== "floor") {
    throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${roundingMode}'`);
  }
  const dtype = promote(self, other);
  const floor = roundingMode === "floor";
  if (dtype === "bool") throw notImplementedFor(floor ? "div_floor_cpu" : "div_trunc_cpu", dtype);
  return pointwise(inplace, DIV_ROUNDED, self, [other], null, dtype, (out) => runBinary(floor ? "FloorDiv" : "TruncDiv", self, other, dtype, out));
}

// ---- tables → methods --------------------------------------------------------------------

type SpecialUnary = "pow" | "clamp" | "gelu";
type UnaryMethods = { [K in Exclude<UnaryName, SpecialUnary>]: (...args: UnarySignatures[K]) => Tensor } & {
  [K in Exclude<UnaryName, SpecialUnary> as `${K}_`]: (...args: UnarySignatures[K]) => Tensor;
};

type PlainBinary = Exclude<BinaryName, "add" | "sub" | "rsub" | "div" | "pow">;
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

/** The alpha of `add(other, alpha)` / `add(other, { alpha })` from the method's arguments after other. */
const alphaOf = (args: unknown[]) => (args.length < 2 ? 1 : bind<{ alpha: number }>(["alpha"], args.slice(1), { alpha: 1 }).alpha);

export const pointwiseMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
const define = (name: string, fn: (self: Tensor, args: unknown[], inplace: boolean) => Tensor) => methodPair(pointwiseMethods, name, fn);

// (clamp is ternary.ts's; pow, div and gelu take the special forms below)
for (const [name, def] of Object.entries(UNARY) as [UnaryName, UnaryDef<unknown[]>][]) {
  if (name !== "clamp") define(name, (self, args, inplace) => applyUnary(def, self, args, inplace));
}
// (rsub has no in-place form)
for (const name of Object.keys(BINARY) as BinaryName[]) {
  if (name !== "rsub") define(name, (self, args, inplace) => applyBinary(name, self, args[0] as TensorOrScalar, alphaOf(args), inplace));
}
define("pow", (self, [exponent], inplace) => {
  if (exponent instanceof Tensor) return applyBinary("pow", self, exponent, 1, inplace);
  const e = asNumber(exponent as Scalar);
  // PyTorch's check on integer powers (their result would not be an integer)
  if (!isFloating(resultType([self], [scalarKind(exponent as Scalar)])) && Number.isInteger(e) && e < 0) {
    throw new RuntimeError("Integers to negative integer powers are not allowed.");
  }
  return applyUnary(UNARY.pow, self, [e], inplace);
});
define("div", (self, [other, ...rest], inplace) =>
  div(self, other as TensorOrScalar, bind<{ roundingMode: RoundingMode }>(["roundingMode"], rest, { roundingMode: null }).roundingMode, inplace));
define("gelu", (self, args, inplace) => {
  const { approximate } = bind<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" });
  if (approximate !== "none" && approximate !== "tanh") throw new RuntimeError("approximate argument must be either none or tanh.");
  return applyUnary(approximate === "tanh" ? GELU_TANH : UNARY.gelu, self, [approximate], inplace);
});
define("nanToNum", (self, args, inplace) =>
  nanToNum(self, bind(["nan", "posinf", "neginf"], args, { nan: 0, posinf: null as number | null, neginf: null as number | null }), inplace));
pointwiseMethods.rsub = function (this: Tensor, ...args: unknown[]) {
  return applyBinary("rsub", this, args[0] as TensorOrScalar, alphaOf(args));
} as never;
