// Every kernel fast path against a naive reference computed in JS from tolist() values, over
// random shapes, strides and dtypes. Inputs are views of a random physical buffer — permuted
// (transposes), sliced with offsets and steps, expanded (broadcast, 0 strides) — or plain
// contiguous tensors (the SIMD paths), so one property covers the contiguous and the strided
// path of a kernel. Float inputs are mostly multiples of 1/4, whose sums and products are exact
// in float32 in any order: reductions and matmul are compared bit for bit.
// Seeded (SEED): a failure prints the shrunk counterexample and the seed and path that replay it.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import type { DType, Tensor } from "tapegrad";

const SEED = 0x5eed;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

// ---- dtypes and values ------------------------------------------------------------------------

/** PyTorch's promotion order for these dtypes (promote_types is the later of the two). */
const DTYPES: DType[] = ["bool", "uint8", "int32", "int64", "float32", "float64"];
const FLOATS: DType[] = ["float32", "float64"];
const isFloat = (d: DType) => d === "float32" || d === "float64";
const promoteTypes = (a: DType, b: DType): DType => DTYPES[Math.max(DTYPES.indexOf(a), DTYPES.indexOf(b))];

/** A float64 value stored as `dtype`, as PyTorch converts it (in-range values). */
function cast(v: number, dtype: DType): number {
  switch (dtype) {
    case "float32": return Math.fround(v);
    case "float64": return v;
    case "int32": return Math.trunc(v) | 0;
    case "int64": return Math.trunc(v);
    case "uint8": return Math.trunc(v) & 255;
    case "bool": return v !== 0 ? 1 : 0;
  }
}

/** Which values a generated tensor holds. */
type Palette = "exact" | "wide" | "nonneg" | "nonzero";

/** mulberry32: tensor contents come from a seed, so a large buffer costs one generated integer. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One value of `dtype`: "exact" floats are multiples of 1/4 in [-8, 8]; "wide" floats are any
 * value in [-10, 10] plus a few of 0, -0, ±Infinity and NaN; integers are small (uint8 up to
 * 40, so that sums wrap); "nonneg" and "nonzero" restrict the sign or exclude 0.
 */
function draw(next: () => number, dtype: DType, palette: Palette): number {
  const pick = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  let v: number;
  if (dtype === "bool") v = pick(0, 1);
  else if (dtype === "uint8") v = pick(0, 40);
  else if (!isFloat(dtype)) v = pick(-20, 20);
  else if (palette === "wide" && next() < 0.05) v = [0, -0, Infinity, -Infinity, NaN][pick(0, 4)];
  else if (palette === "wide" && next() < 0.5) v = cast(-10 + 20 * next(), dtype);
  else v = pick(-32, 32) / 4;
  if (palette === "nonneg" && v < 0) v = -v;
  if (palette === "nonzero" && (v === 0 || Number.isNaN(v))) v = 1;
  return v;
}

// ---- shapes and strided views -------------------------------------------------------------------

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const contiguousStrides = (shape: readonly number[]) => shape.map((_, d) => numel(shape.slice(d + 1)));

/** Calls fn with every index of `shape` in row-major order. */
function forEachIndex(shape: readonly number[], fn: (idx: number[]) => void): void {
  if (numel(shape) === 0) return;
  const idx = shape.map(() => 0);
  for (;;) {
    fn(idx);
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d] === shape[d]) idx[d--] = 0;
    if (d < 0) return;
  }
}

const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((off, i, d) => off * shape[d] + i, 0);

/** The index into an operand of shape `shape` broadcast against an index of the output. */
const broadcastIndex = (idx: readonly number[], shape: readonly number[]) =>
  shape.map((s, j) => (s === 1 ? 0 : idx[idx.length - shape.length + j]));

/** Sizes that hit empty tensors, the 4-lane SIMD loops with and without tails, and coalescing. */
const size = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 6, max: 19 }) },
);
const shapeArb = (minDims = 0, maxDims = 4) =>
  fc.array(size, { minLength: minDims, maxLength: maxDims }).filter((s) => numel(s) <= 1500);

/** A shape that broadcasts to `shape`: leading dims dropped, some dims set to 1. */
const broadcastableTo = (shape: number[]) =>
  fc
    .tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: shape.length, maxLength: shape.length }))
    .map(([drop, ones]) => shape.slice(drop).map((s, j) => (ones[j + drop] === 0 ? 1 : s)));

/**
 * How a logical tensor sits in its physical buffer: logical dim d is physical dim k where
 * perm[k] = d, and takes every steps[d]-th element from starts[d]; expanded dims have size 1
 * in the buffer and stride 0 in the view.
 */
interface Layout {
  perm: number[];
  starts: number[];
  steps: number[];
  expanded: boolean[];
}

interface Spec {
  shape: number[];
  dtype: DType;
  layout: Layout;
  physShape: number[];
  physical: number[];
}

const extent = (size: number, start: number, step: number, expanded: boolean) =>
  expanded ? 1 : start + (size > 0 ? (size - 1) * step + 1 : 0);
const physShapeOf = (shape: number[], l: Layout) => l.perm.map((d) => extent(shape[d], l.starts[d], l.steps[d], l.expanded[d]));

function layoutArb(shape: number[], expand: boolean): fc.Arbitrary<Layout> {
  const n = shape.length;
  const plain: Layout = { perm: range(n), starts: range(n).map(() => 0), steps: range(n).map(() => 1), expanded: range(n).map(() => false) };
  const strided = fc.record({
    perm: fc.shuffledSubarray(range(n), { minLength: n, maxLength: n }),
    starts: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    steps: fc.array(fc.constantFrom(1, 1, 2, 3), { minLength: n, maxLength: n }),
    expanded: fc.array(expand ? fc.integer({ min: 0, max: 4 }).map((x) => x === 0) : fc.constant(false), { minLength: n, maxLength: n }),
  });
  return fc
    .oneof({ weight: 1, arbitrary: fc.constant(plain) }, { weight: 2, arbitrary: strided })
    .filter((l) => numel(physShapeOf(shape, l)) <= 8000);
}

/** A tensor of `shape` and `dtype` in a random layout (`expand`: may be a broadcast view). */
function specArb(shape: number[], dtype: DType, { palette = "exact" as Palette, expand = true } = {}): fc.Arbitrary<Spec> {
  return fc.tuple(layoutArb(shape, expand), fc.integer()).map(([layout, seed]) => {
    const physShape = physShapeOf(shape, layout);
    const next = prng(seed);
    const physical = range(numel(physShape)).map(() => draw(next, dtype, palette));
    return { shape, dtype, layout, physShape, physical };
  });
}

/** The physical buffer of a spec: a contiguous 1-D tensor. */
const bufferOf = (s: Spec): Tensor => tg.tensor(s.physical, { dtype: s.dtype });

/** The view a spec describes over its buffer (writes through it reach the buffer). */
function viewOf(buffer: Tensor, s: Spec): Tensor {
  const n = s.shape.length;
  const physical = buffer.view(s.physShape);
  if (n === 0) return physical;
  const inverse = range(n).map((d) => s.layout.perm.indexOf(d));
  const { starts, steps, expanded } = s.layout;
  const sliced = physical.permute(inverse).index(
    ...s.shape.map((size, d) => (expanded[d] ? tg.slice(0, 1) : tg.slice(starts[d], starts[d] + Math.max(size - 1, 0) * steps[d] + 1, steps[d]))),
  );
  return expanded.some(Boolean) ? sliced.expand(s.shape) : sliced;
}

/** The tensor a spec describes, over a fresh buffer (disposed by the enclosing tidy). */
const build = (s: Spec): Tensor => viewOf(bufferOf(s), s);

/** Physical offset of a logical index. */
function offsetOf(s: Spec, idx: readonly number[]): number {
  const physStrides = contiguousStrides(s.physShape);
  let off = 0;
  s.layout.perm.forEach((d, k) => {
    if (!s.layout.expanded[d]) off += (s.layout.starts[d] + idx[d] * s.layout.steps[d]) * physStrides[k];
  });
  return off;
}

/** The logical values of a spec in row-major order. */
function logical(s: Spec): number[] {
  const out: number[] = [];
  forEachIndex(s.shape, (idx) => out.push(s.physical[offsetOf(s, idx)]));
  return out;
}

/** A tensor's values in row-major order, bools as 0/1 and int64 as numbers. */
const valuesOf = (t: Tensor): number[] => (t.reshape(-1).tolist() as (number | boolean)[]).map(Number);

// ---- comparing with the reference ---------------------------------------------------------------

interface Tolerance {
  rtol: number;
  atol: number;
}
const EXACT: Tolerance = { rtol: 0, atol: 0 };
/** One rounding apart (mean: the kernel scales the sum by 1/n, the reference divides by n). */
const ULP: Record<DType, Tolerance> = {
  float32: { rtol: 2 ** -23, atol: 0 }, float64: { rtol: 2 ** -51, atol: 0 },
  int32: EXACT, int64: EXACT, uint8: EXACT, bool: EXACT,
};

const close = (a: number, e: number, tol: Tolerance) =>
  a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);

/** Checks shape, dtype and values; an element may also equal `alternative[i]` (another accepted rounding). */
function expectValues(what: string, actual: Tensor, shape: number[], dtype: DType, expected: number[], tol: Tolerance = EXACT, alternative?: number[]): void {
  expect(actual.shape, `${what}: shape`).toEqual(shape);
  expect(actual.dtype, `${what}: dtype`).toBe(dtype);
  const got = valuesOf(actual);
  for (let i = 0; i < expected.length; i++) {
    if (close(got[i], expected[i], tol) || (alternative !== undefined && close(got[i], alternative[i], tol))) continue;
    const also = alternative === undefined ? "" : ` or ${alternative[i]}`;
    throw new Error(`${what}: element ${i} of shape [${shape}] is ${got[i]}, expected ${expected[i]}${also}`);
  }
}

let baseline = 0;
beforeAll(() => {
  baseline = tg.memory().liveBytes;
});
afterAll(() => {
  expect(tg.memory().liveBytes).toBe(baseline);
});

/** fc.assert on a property whose body runs inside tidy (every tensor it makes is disposed). */
function check<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, numRuns: number): void {
  fc.assert(fc.property(arb, (value) => tg.tidy(() => void body(value))), runs(numRuns));
}

// ---- pointwise ----------------------------------------------------------------------------------

/** JS erf with no cancellation: erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3···(2n+1)). */
function erf(x: number): number {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? NaN : Math.sign(x);
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** erfc(x) = 1 − erf(x), for large x by its continued fraction (no cancellation). */
function erfc(x: number): number {
  if (x < 2) return 1 - erf(x);
  if (x > 27) return 0;
  let t = x;
  for (let n = 80; n >= 1; n--) t = x + n / 2 / t;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
}

/** gelu(x) = x·Φ(x), through erfc on the negative side where 1 + erf(x) cancels. */
const gelu = (x: number) => (x >= 0 ? 0.5 * x * (1 + erf(x / Math.SQRT2)) : 0.5 * x * erfc(-x / Math.SQRT2));

const roundHalfEven = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

interface UnaryCase {
  name: string;
  apply: (t: Tensor) => Tensor;
  inplace?: (t: Tensor) => Tensor;
  reference: (x: number) => number;
  /** "keep": integers stay integers; "float": integers compute in float32 */
  ints: "keep" | "float" | "none";
  /** "approx": transcendental, compared within a tolerance; otherwise exactly (one rounding) */
  tolerance?: "approx";
}

const UNARY: UnaryCase[] = [
  { name: "neg", apply: (t) => t.neg(), inplace: (t) => t.neg_(), reference: (x) => -x, ints: "keep" },
  { name: "abs", apply: (t) => t.abs(), inplace: (t) => t.abs_(), reference: Math.abs, ints: "keep" },
  { name: "relu", apply: (t) => t.relu(), inplace: (t) => t.relu_(), reference: (x) => (x < 0 ? 0 : x), ints: "keep" },
  { name: "square", apply: (t) => t.square(), reference: (x) => x * x, ints: "keep" },
  { name: "sign", apply: (t) => t.sign(), reference: (x) => (Number.isNaN(x) ? x : Math.sign(x)), ints: "keep" },
  { name: "floor", apply: (t) => t.floor(), reference: Math.floor, ints: "keep" },
  { name: "ceil", apply: (t) => t.ceil(), reference: Math.ceil, ints: "keep" },
  { name: "round", apply: (t) => t.round(), reference: roundHalfEven, ints: "keep" },
  { name: "trunc", apply: (t) => t.trunc(), reference: Math.trunc, ints: "keep" },
  { name: "clamp(-1.5, 2.25)", apply: (t) => t.clamp(-1.5, 2.25), inplace: (t) => t.clamp_(-1.5, 2.25), reference: (x) => (x < -1.5 ? -1.5 : x > 2.25 ? 2.25 : x), ints: "none" },
  { name: "clamp(-3, 4)", apply: (t) => t.clamp(-3, 4), reference: (x) => (x < -3 ? -3 : x > 4 ? 4 : x), ints: "keep" },
  { name: "clamp(min 0.5)", apply: (t) => t.clamp(0.5), reference: (x) => (x < 0.5 ? 0.5 : x), ints: "none" },
  { name: "sqrt", apply: (t) => t.sqrt(), inplace: (t) => t.sqrt_(), reference: Math.sqrt, ints: "float" },
  { name: "reciprocal", apply: (t) => t.reciprocal(), reference: (x) => 1 / x, ints: "float" },
  { name: "leakyRelu(0.25)", apply: (t) => t.leakyRelu(0.25), reference: (x) => (x < 0 ? x * 0.25 : x), ints: "none" },
  { name: "exp", apply: (t) => t.exp(), inplace: (t) => t.exp_(), reference: Math.exp, ints: "float", tolerance: "approx" },
  { name: "log", apply: (t) => t.log(), reference: Math.log, ints: "float", tolerance: "approx" },
  { name: "log1p", apply: (t) => t.log1p(), reference: Math.log1p, ints: "float", tolerance: "approx" },
  { name: "expm1", apply: (t) => t.expm1(), reference: Math.expm1, ints: "float", tolerance: "approx" },
  { name: "sigmoid", apply: (t) => t.sigmoid(), inplace: (t) => t.sigmoid_(), reference: (x) => 1 / (1 + Math.exp(-x)), ints: "float", tolerance: "approx" },
  { name: "tanh", apply: (t) => t.tanh(), reference: Math.tanh, ints: "float", tolerance: "approx" },
  { name: "sin", apply: (t) => t.sin(), reference: Math.sin, ints: "float", tolerance: "approx" },
  { name: "atan", apply: (t) => t.atan(), reference: Math.atan, ints: "float", tolerance: "approx" },
  { name: "erf", apply: (t) => t.erf(), reference: erf, ints: "float", tolerance: "approx" },
  { name: "gelu", apply: (t) => t.gelu(), reference: gelu, ints: "none", tolerance: "approx" },
  { name: "silu", apply: (t) => t.silu(), reference: (x) => x / (1 + Math.exp(-x)), ints: "none", tolerance: "approx" },
];

const APPROX: Record<DType, Tolerance> = {
  float32: { rtol: 1e-6, atol: 1e-7 }, float64: { rtol: 1e-12, atol: 1e-15 },
  int32: EXACT, int64: EXACT, uint8: EXACT, bool: EXACT,
};

const unaryArb = fc
  .record({ op: fc.constantFrom(...UNARY), dtype: fc.constantFrom<DType>("float32", "float32", "float64", "int32", "int64", "uint8"), shape: shapeArb() })
  .filter(({ op, dtype }) => isFloat(dtype) || op.ints !== "none")
  .chain(({ op, dtype, shape }) => fc.record({ op: fc.constant(op), x: specArb(shape, dtype, { palette: isFloat(dtype) ? "wide" : "exact" }) }));

describe("unary pointwise kernels", () => {
  test("every op, contiguous (SIMD) and strided inputs, every dtype it takes", () => {
    check(unaryArb, ({ op, x }) => {
      const outDtype = isFloat(x.dtype) || op.ints === "keep" ? x.dtype : "float32";
      const tol = op.tolerance === "approx" ? APPROX[outDtype] : EXACT;
      const expected = logical(x).map((v) => cast(op.reference(v), outDtype));
      expectValues(op.name, op.apply(build(x)), x.shape, outDtype, expected, tol);
    }, 1000);
  });

  test("in place on a strided view writes the view's elements and nothing else", () => {
    const arb = fc
      .record({ op: fc.constantFrom(...UNARY.filter((u) => u.inplace !== undefined)), dtype: fc.constantFrom(...FLOATS), shape: shapeArb() })
      .chain(({ op, dtype, shape }) => fc.record({ op: fc.constant(op), x: specArb(shape, dtype, { palette: "wide", expand: false }) }));
    check(arb, ({ op, x }) => {
      const buffer = bufferOf(x);
      op.inplace!(viewOf(buffer, x));
      const expected = [...x.physical];
      forEachIndex(x.shape, (idx) => {
        const off = offsetOf(x, idx);
        expected[off] = cast(op.reference(x.physical[off]), x.dtype);
      });
      expectValues(`${op.name}_`, buffer, [x.physical.length], x.dtype, expected, op.tolerance === "approx" ? APPROX[x.dtype] : EXACT);
    }, 300);
  });
});

/** Broadcast shape of two shapes (they are generated compatible). */
function broadcastShapes(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return range(n).map((i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** A JS number operand: integers are int scalars, others float scalars (PyTorch's wrapped numbers). */
type Operand = { spec: Spec } | { scalar: number };

/**
 * PyTorch's result_type: dimensioned tensors, then 0-dim tensors, then scalars; a lower group
 * counts only when it raises the category (bool < integer < float).
 */
function resultType(operands: Operand[]): DType {
  const category = (d: DType) => (d === "bool" ? 0 : isFloat(d) ? 2 : 1);
  const group = (ds: DType[]) => (ds.length === 0 ? null : ds.reduce(promoteTypes));
  const combine = (higher: DType | null, lower: DType | null): DType | null => {
    if (higher === null) return lower;
    if (lower === null || category(lower) <= category(higher)) return higher;
    return promoteTypes(higher, lower);
  };
  const tensors = operands.filter((o): o is { spec: Spec } => "spec" in o).map((o) => o.spec);
  const dims = group(tensors.filter((s) => s.shape.length > 0).map((s) => s.dtype));
  const zeroDim = group(tensors.filter((s) => s.shape.length === 0).map((s) => s.dtype));
  const scalars = group(operands.filter((o): o is { scalar: number } => "scalar" in o).map((o) => (Number.isInteger(o.scalar) ? "int64" : "float32")));
  return combine(dims, combine(zeroDim, scalars)) ?? "float32";
}

const operandShape = (o: Operand) => ("spec" in o ? o.spec.shape : []);
const operandValue = (o: Operand, values: number[] | null, idx: number[]) =>
  "spec" in o ? values![ravel(broadcastIndex(idx, o.spec.shape), o.spec.shape)] : o.scalar;
const operandTensor = (o: Operand): Tensor | number => ("spec" in o ? build(o.spec) : o.scalar);

/** Python's modulo: the result takes the divisor's sign. */
function pythonMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

interface BinaryCase {
  name: string;
  apply: (a: Tensor, b: Tensor | number) => Tensor;
  reference: (a: number, b: number) => number;
  /** integer operands compute in float32 (true division, atan2) */
  intToFloat?: boolean;
  /** integer division: the divisor must not be 0 */
  divides?: boolean;
  /** which bool operands PyTorch accepts: "mixed" (beside a non-bool), "none" */
  bools: "mixed" | "none";
  /** transcendental: compared within a tolerance */
  tolerance?: "approx";
  /**
   * A second accepted result, rounded twice: a + round(alpha·b). PyTorch's SIMD path fuses
   * (fmadd), its scalar path rounds the product first; tapegrad's SIMD path rounds it too.
   */
  roundedTwice?: (a: number, b: number, round: (v: number) => number) => number;
}

const BINARY: BinaryCase[] = [
  { name: "add", apply: (a, b) => a.add(b), reference: (a, b) => a + b, bools: "mixed" },
  { name: "add(alpha 3)", apply: (a, b) => a.add(b, { alpha: 3 }), reference: (a, b) => a + 3 * b, roundedTwice: (a, b, round) => a + round(3 * b), bools: "mixed" },
  { name: "sub", apply: (a, b) => a.sub(b), reference: (a, b) => a - b, bools: "none" },
  { name: "sub(alpha -2)", apply: (a, b) => a.sub(b, { alpha: -2 }), reference: (a, b) => a + 2 * b, roundedTwice: (a, b, round) => a + round(2 * b), bools: "none" },
  { name: "mul", apply: (a, b) => a.mul(b), reference: (a, b) => a * b, bools: "mixed" },
  { name: "div", apply: (a, b) => a.div(b), reference: (a, b) => a / b, intToFloat: true, bools: "mixed" },
  { name: "maximum", apply: (a, b) => a.maximum(b as Tensor), reference: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), bools: "mixed" },
  { name: "minimum", apply: (a, b) => a.minimum(b as Tensor), reference: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), bools: "mixed" },
  { name: "floorDivide", apply: (a, b) => a.floorDivide(b), reference: (a, b) => Math.floor(a / b), divides: true, bools: "none" },
  { name: "remainder", apply: (a, b) => a.remainder(b), reference: pythonMod, divides: true, bools: "none" },
  { name: "atan2", apply: (a, b) => a.atan2(b as Tensor), reference: Math.atan2, intToFloat: true, bools: "mixed", tolerance: "approx" },
];

/** maximum, minimum and atan2 take tensors only. */
const takesScalar = (op: BinaryCase) => !["maximum", "minimum", "atan2"].includes(op.name);

const operandArb = (shape: number[], dtype: DType, palette: Palette, scalar: boolean): fc.Arbitrary<Operand> =>
  scalar
    ? fc.constantFrom(...(palette === "nonzero" ? [-2, 3, 1.5, -0.75] : palette === "nonneg" ? [0, 2, 2.5] : [0, -2, 3, 1.5, -0.75])).map((v) => ({ scalar: v }))
    : specArb(shape, dtype, { palette }).map((spec) => ({ spec }));

/**
 * An op of `ops` with two operands whose shapes broadcast together (either may be the larger),
 * the right one sometimes a JS number; `accepts` filters (op, dtypes, scalar), `palettes` says
 * which values each side holds.
 */
function operandPairArb<Op>(ops: Op[], accepts: (op: Op, a: DType, b: DType, scalar: boolean) => boolean, palettes: (op: Op, a: DType) => [Palette, Palette]) {
  return fc
    .record({
      op: fc.constantFrom(...ops),
      shape: shapeArb(0, 4),
      dtypes: fc.tuple(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES)),
      scalar: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    })
    .filter(({ op, dtypes: [a, b], scalar }) => accepts(op, a, b, scalar))
    .chain(({ op, shape, dtypes: [da, db], scalar }) => {
      const [pa, pb] = palettes(op, da);
      return fc.record({
        op: fc.constant(op),
        a: broadcastableTo(shape).chain((s) => operandArb(s, da, pa, false)),
        b: broadcastableTo(shape).chain((s) => operandArb(s, db, pb, scalar)),
      });
    });
}

/** f over the broadcast operands, each converted to `dtype` first; returns the shape and the values. */
function pointwiseReference(a: Operand, b: Operand, dtype: DType, f: (x: number, y: number) => number): { shape: number[]; values: number[] } {
  const shape = broadcastShapes(operandShape(a), operandShape(b));
  const av = "spec" in a ? logical(a.spec) : null;
  const bv = "spec" in b ? logical(b.spec) : null;
  const values: number[] = [];
  forEachIndex(shape, (idx) => values.push(f(cast(operandValue(a, av, idx), dtype), cast(operandValue(b, bv, idx), dtype))));
  return { shape, values };
}

const binaryArb = operandPairArb(
  BINARY,
  (op, a, b, scalar) => {
    if (scalar && !takesScalar(op)) return false;
    const bools = [a, scalar ? "float32" : b].filter((d) => d === "bool").length;
    return op.bools === "none" ? bools === 0 : bools < 2;
  },
  // floats: any values, NaN and infinities included, except for the floor-based ops, whose
  // reference (Math.floor of the quotient) is exact only for exact quotients; uint8 with a
  // negative scalar wraps differently across PyTorch versions: not a kernel question
  (op, a) => (op.divides ? ["exact", "nonzero"] : ["wide", a === "uint8" ? "nonneg" : "wide"]),
);

describe("binary pointwise kernels", () => {
  test("every op: broadcasting both ways, scalars, 0-dim tensors, mixed dtypes, strided operands", () => {
    check(binaryArb, ({ op, a, b }) => {
      let dtype = resultType([a, b]);
      if (op.intToFloat && !isFloat(dtype)) dtype = "float32";
      const expected = pointwiseReference(a, b, dtype, (x, y) => cast(op.reference(x, y), dtype));
      const twice = op.roundedTwice && pointwiseReference(a, b, dtype, (x, y) => cast(op.roundedTwice!(x, y, (v) => cast(v, dtype)), dtype));
      const out = op.apply(operandTensor(a) as Tensor, operandTensor(b));
      expectValues(op.name, out, expected.shape, dtype, expected.values, op.tolerance === "approx" ? APPROX[dtype] : EXACT, twice?.values);
    }, 1000);
  });
});

const COMPARE: { name: string; apply: (a: Tensor, b: Tensor | number) => Tensor; reference: (a: number, b: number) => boolean; logical?: boolean }[] = [
  { name: "eq", apply: (a, b) => a.eq(b), reference: (a, b) => a === b },
  { name: "ne", apply: (a, b) => a.ne(b), reference: (a, b) => a !== b },
  { name: "lt", apply: (a, b) => a.lt(b), reference: (a, b) => a < b },
  { name: "le", apply: (a, b) => a.le(b), reference: (a, b) => a <= b },
  { name: "gt", apply: (a, b) => a.gt(b), reference: (a, b) => a > b },
  { name: "ge", apply: (a, b) => a.ge(b), reference: (a, b) => a >= b },
  { name: "logicalAnd", apply: (a, b) => a.logicalAnd(b as Tensor), reference: (a, b) => a !== 0 && b !== 0, logical: true },
  { name: "logicalOr", apply: (a, b) => a.logicalOr(b as Tensor), reference: (a, b) => a !== 0 || b !== 0, logical: true },
  { name: "logicalXor", apply: (a, b) => a.logicalXor(b as Tensor), reference: (a, b) => (a !== 0) !== (b !== 0), logical: true },
];

describe("comparison kernels", () => {
  test("every comparison and logical op: broadcasting, scalars, mixed dtypes, strided operands", () => {
    const arb = operandPairArb(COMPARE, (op, _a, _b, scalar) => !(scalar && op.logical), (_op, a) => ["exact", a === "uint8" ? "nonneg" : "exact"]);
    check(arb, ({ op, a, b }) => {
      const expected = pointwiseReference(a, b, resultType([a, b]), (x, y) => Number(op.reference(x, y)));
      expectValues(op.name, op.apply(operandTensor(a) as Tensor, operandTensor(b)), expected.shape, "bool", expected.values);
    }, 500);
  });
});

describe("where kernel", () => {
  test("where(cond, a, b): three-way broadcasting, scalars, every element size", () => {
    const arb = fc
      .record({
        shape: shapeArb(0, 4),
        dtypes: fc.tuple(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES)),
        scalars: fc.tuple(fc.integer({ min: 0, max: 4 }).map((x) => x === 0), fc.integer({ min: 0, max: 4 }).map((x) => x === 0)),
      })
      .chain(({ shape, dtypes: [da, db], scalars: [sa, sb] }) =>
        fc.record({
          cond: broadcastableTo(shape).chain((s) => specArb(s, "bool")),
          a: broadcastableTo(shape).chain((s) => operandArb(s, da, "exact", sa)),
          b: broadcastableTo(shape).chain((s) => operandArb(s, db, "exact", sb)),
        }),
      );
    check(arb, ({ cond, a, b }) => {
      const tensors = [a, b].filter((o) => "spec" in o);
      const dtype = tensors.length === 0 ? ([a, b].some((o) => !Number.isInteger((o as { scalar: number }).scalar)) ? "float32" : "int64") : resultType([a, b]);
      const shape = broadcastShapes(cond.shape, broadcastShapes(operandShape(a), operandShape(b)));
      const cv = logical(cond);
      const av = "spec" in a ? logical(a.spec) : null;
      const bv = "spec" in b ? logical(b.spec) : null;
      const expected: number[] = [];
      forEachIndex(shape, (idx) => {
        const pick = cv[ravel(broadcastIndex(idx, cond.shape), cond.shape)] ? operandValue(a, av, idx) : operandValue(b, bv, idx);
        expected.push(cast(pick, dtype));
      });
      expectValues("where", tg.where(build(cond), operandTensor(a), operandTensor(b)), shape, dtype, expected);
    }, 500);
  });
});

// ---- reductions -----------------------------------------------------------------------------------

/**
 * Reduces `values` (row-major over `shape`) over `dims` with `fn` (given the reduced elements in
 * row-major order); returns the output shape and values.
 */
function reduceReference(values: number[], shape: number[], dims: number[], keepdim: boolean, fn: (xs: number[]) => number): { shape: number[]; values: number[] } {
  const keptShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const outShape = keepdim ? keptShape : shape.filter((_, d) => !dims.includes(d));
  const groups: number[][] = range(numel(keptShape)).map(() => []);
  forEachIndex(shape, (idx) => groups[ravel(idx.map((i, d) => (dims.includes(d) ? 0 : i)), keptShape)].push(values[ravel(idx, shape)]));
  return { shape: outShape, values: groups.map(fn) };
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** max/min with PyTorch's NaN rule: the first NaN wins; otherwise the first extreme element. */
function argExtreme(xs: number[], max: boolean): number {
  let best = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) return i;
    if (max ? xs[i] > xs[best] : xs[i] < xs[best]) best = i;
  }
  return best;
}

/** Distinct dims of an n-dim tensor, some written negative. */
const dimsArb = (n: number) =>
  fc.tuple(fc.shuffledSubarray(range(n), { minLength: n === 0 ? 0 : 1, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n })).map(([dims, neg]) => dims.map((d, i) => (neg[i] ? d - n : d)));
const normalize = (dims: number[], n: number) => dims.map((d) => (d < 0 ? d + n : d));

describe("reduction kernels", () => {
  const input = (dtypes: DType[], palette: Palette, minDims = 0) =>
    fc.record({ shape: shapeArb(minDims, 4), dtype: fc.constantFrom(...dtypes) }).chain(({ shape, dtype }) =>
      fc.record({ x: specArb(shape, dtype, { palette }), dims: dimsArb(shape.length), keepdim: fc.boolean() }));

  test("sum and mean over random dim sets, keepdim, strided inputs (exact sums)", () => {
    check(input(DTYPES, "exact"), ({ x, dims, keepdim }) => {
      const d = normalize(dims, x.shape.length);
      const sumDtype = isFloat(x.dtype) ? x.dtype : "int64";
      const sum = reduceReference(logical(x), x.shape, d, keepdim, sumOf);
      expectValues("sum", build(x).sum(dims, { keepdim }), sum.shape, sumDtype, sum.values.map((v) => cast(v, sumDtype)));
      if (isFloat(x.dtype)) {
        const mean = reduceReference(logical(x), x.shape, d, keepdim, (xs) => sumOf(xs) / xs.length);
        expectValues("mean", build(x).mean(dims, { keepdim }), mean.shape, x.dtype, mean.values.map((v) => cast(v, x.dtype)), ULP[x.dtype]);
      }
    }, 500);
  });

  test("sum of everything, and of long contiguous rows (the SIMD accumulators and their flushes)", () => {
    const arb = fc.record({ n: fc.integer({ min: 0, max: 5000 }), dtype: fc.constantFrom(...FLOATS) }).chain(({ n, dtype }) => specArb([n], dtype, { expand: false }));
    check(arb, (x) => {
      expectValues("sum", build(x).sum(), [], x.dtype, [sumOf(logical(x))]);
    }, 100);
  });

  test("float32 sum and mean over leading dims of contiguous rows (the column path): the sequential f64 sum, rounded once", () => {
    const arb = fc
      .record({
        lead: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 2 }),
        trail: fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 2 }),
        rowStep: fc.constantFrom(1, 2),
        keepdim: fc.boolean(),
        seed: fc.integer(),
      })
      .filter(({ lead, trail, rowStep }) => numel(lead) * rowStep * numel(trail) <= 8000);
    check(arb, ({ lead, trail, rowStep, keepdim, seed }) => {
      const rows = numel(lead), n = numel(trail);
      const next = prng(seed);
      const physical = range(rows * rowStep * n).map(() => draw(next, "float32", "wide"));
      // every rowStep-th row of the buffer: the rows are rowStep·n floats apart
      const x = tg.tensor(physical).view(rows * rowStep, n).index(tg.slice(null, null, rowStep)).view(...lead, ...trail);
      const dims = range(lead.length);
      const columns = range(n).map((j) => range(rows).map((i) => physical[i * rowStep * n + j]));
      const shape = keepdim ? [...lead.map(() => 1), ...trail] : trail;
      expectValues("sum", x.sum(dims, { keepdim }), shape, "float32", columns.map((c) => Math.fround(sumOf(c))));
      expectValues("mean", x.mean(dims, { keepdim }), shape, "float32", columns.map((c) => Math.fround(sumOf(c) / rows)), ULP.float32);
    }, 200);
  });

  test("amax/amin over dim sets; max/min/argmax/argmin along a dim; NaN propagates, ties pick the first", () => {
    check(input(DTYPES.filter((d) => d !== "bool"), "wide", 1), ({ x, dims, keepdim }) => {
      fc.pre(dims.every((d) => x.shape[d < 0 ? d + x.shape.length : d] > 0));
      const d = normalize(dims, x.shape.length);
      const values = logical(x);
      const t = build(x);
      for (const max of [true, false]) {
        const amax = reduceReference(values, x.shape, d, keepdim, (xs) => xs[argExtreme(xs, max)]);
        expectValues(max ? "amax" : "amin", max ? t.amax(dims, keepdim) : t.amin(dims, keepdim), amax.shape, x.dtype, amax.values);
        const dim = dims[0];
        const along = reduceReference(values, x.shape, [d[0]], keepdim, (xs) => xs[argExtreme(xs, max)]);
        const index = reduceReference(values, x.shape, [d[0]], keepdim, (xs) => argExtreme(xs, max));
        const result = max ? t.max(dim, keepdim) : t.min(dim, keepdim);
        expectValues(max ? "max(dim).values" : "min(dim).values", result.values, along.shape, x.dtype, along.values);
        expectValues(max ? "max(dim).indices" : "min(dim).indices", result.indices, index.shape, "int64", index.values);
        expectValues(max ? "argmax(dim)" : "argmin(dim)", max ? t.argmax(dim, keepdim) : t.argmin(dim, keepdim), index.shape, "int64", index.values);
      }
      if (x.shape.every((s) => s > 0)) {
        expectValues("argmax()", t.argmax(), [], "int64", [argExtreme(values, true)]);
        expectValues("argmin()", t.argmin(), [], "int64", [argExtreme(values, false)]);
      }
    }, 500);
  });

  test("prod, all and any along a dim", () => {
    check(input(DTYPES, "exact", 1), ({ x, dims, keepdim }) => {
      const dim = dims[0];
      const d = normalize([dim], x.shape.length);
      // values capped at |2| so that products stay exact
      const values = logical(x).map((v) => Math.sign(v) * Math.min(Math.abs(v), 2));
      const prodDtype = isFloat(x.dtype) ? x.dtype : "int64";
      const capped = build({ ...x, physical: x.physical.map((v) => Math.sign(v) * Math.min(Math.abs(v), 2)) });
      const prod = reduceReference(values, x.shape, d, keepdim, (xs) => xs.reduce((a, b) => a * b, 1));
      expectValues("prod", capped.prod(dim, keepdim), prod.shape, prodDtype, prod.values.map((v) => cast(v, prodDtype)));
      const all = reduceReference(values, x.shape, d, keepdim, (xs) => Number(xs.every((v) => v !== 0)));
      const any = reduceReference(values, x.shape, d, keepdim, (xs) => Number(xs.some((v) => v !== 0)));
      const t = build(x);
      // PyTorch keeps uint8 for uint8 inputs; tapegrad gives bool (a known bug, below): values only
      const logicalDtype = x.dtype === "uint8" ? t.all(dim, keepdim).dtype : "bool";
      expectValues("all", t.all(dim, keepdim), all.shape, logicalDtype, all.values);
      expectValues("any", t.any(dim, keepdim), any.shape, logicalDtype, any.values);
    }, 400);
  });

  test("cumsum along each dim, strided inputs, every dtype (integers accumulate in int64)", () => {
    check(input(DTYPES, "exact", 1), ({ x, dims }) => {
      const dim = dims[0];
      const d = normalize([dim], x.shape.length)[0];
      const outDtype = isFloat(x.dtype) ? x.dtype : "int64";
      const values = logical(x);
      const expected: number[] = [];
      forEachIndex(x.shape, (idx) => {
        let acc = 0;
        for (let i = 0; i <= idx[d]; i++) acc += values[ravel(idx.map((v, e) => (e === d ? i : v)), x.shape)];
        expected.push(cast(acc, outDtype));
      });
      expectValues("cumsum", build(x).cumsum(dim), x.shape, outDtype, expected);
    }, 400);
  });
});

// ---- matmul -------------------------------------------------------------------------------------

/**
 * Matrix sizes around the float32 kernel's 4×8 register tile, its cache blocks (MC = 128 rows,
 * KC = 256 inner, NC = 1024 columns) and the limits of its unpacked paths (dot products up to 4
 * rows or columns, B read in place up to 16 rows, a problem with up to 16 columns solved
 * transposed); at most one dimension is large in a case.
 */
const small = fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17);
const edges = { M: fc.constantFrom(127, 128, 129, 133), K: fc.constantFrom(255, 256, 257, 300), N: fc.constantFrom(511, 1023, 1024, 1025, 1030) };
const sizesArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ M: small, K: small, N: small }) },
  { weight: 1, arbitrary: fc.record({ M: edges.M, K: small, N: small }) },
  { weight: 1, arbitrary: fc.record({ M: small, K: edges.K, N: small }) },
  { weight: 1, arbitrary: fc.record({ M: small, K: small, N: edges.N }) },
);

/** A [...batch, rows, cols] operand stored transposed when `transposed`: a view of [...batch, cols, rows]. */
function matrixArb(batch: number[], rows: number, cols: number, dtype: DType, transposed: boolean) {
  const stored = transposed ? [...batch, cols, rows] : [...batch, rows, cols];
  return specArb(stored, dtype).map((spec) => ({ spec, transposed }));
}
const matrixOf = ({ spec, transposed }: { spec: Spec; transposed: boolean }) => (transposed ? build(spec).transpose(-1, -2) : build(spec));
/** Row-major values of the logical (possibly transposed) matrix. */
function matrixValues({ spec, transposed }: { spec: Spec; transposed: boolean }): { shape: number[]; values: number[] } {
  const values = logical(spec);
  if (!transposed) return { shape: spec.shape, values };
  const n = spec.shape.length;
  const shape = [...spec.shape.slice(0, n - 2), spec.shape[n - 1], spec.shape[n - 2]];
  const out: number[] = [];
  forEachIndex(shape, (idx) => out.push(values[ravel([...idx.slice(0, n - 2), idx[n - 1], idx[n - 2]], spec.shape)]));
  return { shape, values: out };
}

/** Σ_k a[..., i, k]·b[..., k, j] over broadcast batch dims, in float64 (exact for these values). */
function matmulReference(a: { shape: number[]; values: number[] }, b: { shape: number[]; values: number[] }) {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.shape.length - 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, M, N];
  const values: number[] = [];
  forEachIndex(shape, (idx) => {
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    const ab = broadcastIndex(bi, a.shape.slice(0, -2));
    const bb = broadcastIndex(bi, b.shape.slice(0, -2));
    let acc = 0;
    for (let k = 0; k < K; k++) acc += a.values[ravel([...ab, i, k], a.shape)] * b.values[ravel([...bb, k, j], b.shape)];
    values.push(acc);
  });
  return { shape, values };
}

describe("matmul kernel", () => {
  test("all four transpose combinations, broadcast batch dims, edge sizes, every dtype", () => {
    const arb = fc
      .record({
        sizes: sizesArb,
        batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        transposes: fc.tuple(fc.boolean(), fc.boolean()),
        dtype: fc.constantFrom<DType>("float32", "float32", "float32", "float64", "int32", "int64"),
      })
      .filter(({ sizes: { M, K, N }, batch }) => numel(batch) * (M * K + K * N + M * N) <= 60000 && numel(batch) * M * N * K <= 3e6)
      .chain(({ sizes: { M, K, N }, batch, transposes: [ta, tb], dtype }) =>
        fc.record({
          a: broadcastableTo(batch).chain((bs) => matrixArb(bs, M, K, dtype, ta)),
          b: broadcastableTo(batch).chain((bs) => matrixArb(bs, K, N, dtype, tb)),
        }),
      );
    check(arb, ({ a, b }) => {
      const expected = matmulReference(matrixValues(a), matrixValues(b));
      expectValues("matmul", matrixOf(a).matmul(matrixOf(b)), expected.shape, a.spec.dtype, expected.values.map((v) => cast(v, a.spec.dtype)));
    }, 250);
  });

  test("float32 paths with dense operands: every transpose pair around the dot, in-place-B, transposed and packed limits", () => {
    // dense layouts are the ones that pick the unpacked paths (B row-major or contiguous along k)
    const dense = (shape: number[], seed: number, transposed: boolean) => {
      const next = prng(seed);
      const stored = transposed ? [shape[1], shape[0]] : shape;
      const spec: Spec = { shape: stored, dtype: "float32", layout: { perm: [0, 1], starts: [0, 0], steps: [1, 1], expanded: [false, false] }, physShape: stored, physical: range(numel(stored)).map(() => draw(next, "float32", "exact")) };
      return { spec, transposed };
    };
    let seed = 1;
    for (const M of [1, 3, 4, 5, 16, 17, 40]) {
      for (const N of [1, 4, 5, 9, 16, 17, 40]) {
        for (const K of [1, 6, 260]) {
          for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
            tg.tidy(() => {
              const a = dense([M, K], seed++, ta);
              const b = dense([K, N], seed++, tb);
              const expected = matmulReference(matrixValues(a), matrixValues(b));
              expectValues(`matmul ${M}x${K}${ta ? "ᵀ" : ""}·${K}x${N}${tb ? "ᵀ" : ""}`, matrixOf(a).matmul(matrixOf(b)), expected.shape, "float32", expected.values);
            });
          }
        }
      }
    }
  });

  test("vector operands: dot, matrix·vector, vector·matrix, batched·vector", () => {
    const arb = fc
      .record({ M: small, K: fc.oneof(small, edges.K), N: small, batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), kind: fc.constantFrom("dot", "mv", "vm", "batched"), dtype: fc.constantFrom<DType>("float32", "float64") })
      .chain(({ M, K, N, batch, kind, dtype }) => {
        const vector = (n: number) => specArb([n], dtype).map((spec) => ({ spec, transposed: false }));
        const left = kind === "dot" || kind === "vm" ? vector(K) : matrixArb(kind === "batched" ? batch : [], M, K, dtype, false);
        const right = kind === "dot" || kind === "mv" || kind === "batched" ? vector(K) : matrixArb([], K, N, dtype, false);
        return fc.record({ a: left, b: right });
      });
    check(arb, ({ a, b }) => {
      // the reference sees vectors as [1, K] and [K, 1] matrices; matmul drops those dims again
      const av = matrixValues(a);
      const bv = matrixValues(b);
      const am = av.shape.length === 1 ? { shape: [1, av.shape[0]], values: av.values } : av;
      const bm = bv.shape.length === 1 ? { shape: [bv.shape[0], 1], values: bv.values } : bv;
      const full = matmulReference(am, bm);
      const shape = full.shape.slice(0, -2).concat(av.shape.length > 1 ? [full.shape[full.shape.length - 2]] : [], bv.shape.length > 1 ? [full.shape[full.shape.length - 1]] : []);
      expectValues("matmul", matrixOf(a).matmul(matrixOf(b)), shape, a.spec.dtype, full.values.map((v) => cast(v, a.spec.dtype)));
    }, 150);
  });

  test("addmm: the product accumulated onto a broadcast bias (the kernel's accumulate path)", () => {
    const arb = fc
      .record({ sizes: sizesArb, transposes: fc.tuple(fc.boolean(), fc.boolean()), dtype: fc.constantFrom<DType>("float32", "float64"), biasShape: fc.constantFrom("row", "full", "scalar") })
      .filter(({ sizes: { M, K, N } }) => M * K + K * N + M * N <= 60000)
      .chain(({ sizes: { M, K, N }, transposes: [ta, tb], dtype, biasShape }) =>
        fc.record({
          a: matrixArb([], M, K, dtype, ta),
          b: matrixArb([], K, N, dtype, tb),
          bias: specArb(biasShape === "row" ? [N] : biasShape === "full" ? [M, N] : [], dtype),
        }),
      );
    check(arb, ({ a, b, bias }) => {
      const product = matmulReference(matrixValues(a), matrixValues(b));
      const biasValues = logical(bias);
      const expected = product.values.map((v, flat) => v + biasValues[ravel(broadcastIndex([Math.floor(flat / product.shape[1]), flat % product.shape[1]], bias.shape), bias.shape)]);
      expectValues("addmm", build(bias).addmm(matrixOf(a), matrixOf(b)), product.shape, a.spec.dtype, expected.map((v) => cast(v, a.spec.dtype)));
    }, 150);
  });
});

// ---- copy and conversion --------------------------------------------------------------------------

describe("copy kernel", () => {
  const pairs = fc.tuple(fc.constantFrom(...DTYPES), fc.constantFrom(...DTYPES));

  test("to(dtype): every pair of dtypes, strided and broadcast sources", () => {
    const arb = fc.record({ shape: shapeArb(), dtypes: pairs }).chain(({ shape, dtypes: [from, to] }) =>
      // float → uint8 of a negative value is undefined behaviour in PyTorch: not asked
      fc.record({ x: specArb(shape, from, { palette: to === "uint8" ? "nonneg" : "exact" }), to: fc.constant(to) }));
    check(arb, ({ x, to }) => {
      expectValues(`${x.dtype} → ${to}`, build(x).to(to), x.shape, to, logical(x).map((v) => cast(v, to)));
    }, 500);
  });

  test("copy_ into a strided view: broadcast source, dtype conversion, the rest of the buffer untouched", () => {
    const arb = fc
      .record({ shape: shapeArb(), dtypes: pairs })
      .chain(({ shape, dtypes: [from, to] }) =>
        fc.record({
          dst: specArb(shape, to, { expand: false }),
          src: broadcastableTo(shape).chain((s) => specArb(s, from, { palette: to === "uint8" ? "nonneg" : "exact" })),
        }),
      );
    check(arb, ({ dst, src }) => {
      const buffer = bufferOf(dst);
      viewOf(buffer, dst).copy_(build(src));
      const srcValues = logical(src);
      const expected = [...dst.physical];
      forEachIndex(dst.shape, (idx) => {
        expected[offsetOf(dst, idx)] = cast(srcValues[ravel(broadcastIndex(idx, src.shape), src.shape)], dst.dtype);
      });
      expectValues("copy_", buffer, [dst.physical.length], dst.dtype, expected);
    }, 500);
  });
});

// ---- indexing kernels (gather, scatter) -----------------------------------------------------------

/** int64 indices in [0, size) from a seed, row-major; `distinct` gives each fiber along `dim` distinct values. */
function indexValues(shape: number[], size: number, dim: number, seed: number, distinct: boolean): number[] {
  const next = prng(seed);
  const values = range(numel(shape)).map(() => Math.floor(next() * size));
  if (distinct) {
    // a permutation prefix per fiber (the positions where only `dim` varies)
    forEachIndex(shape.map((s, d) => (d === dim ? 1 : s)), (fiber) => {
      const pool = range(size);
      for (let i = 0; i < shape[dim]; i++) {
        values[ravel(fiber.map((v, d) => (d === dim ? i : v)), shape)] = pool.splice(Math.floor(next() * pool.length), 1)[0];
      }
    });
  }
  return values;
}

/** Given logical values placed in a random (non-broadcast) layout; the other buffer elements are -1. */
const placedArb = (values: number[], shape: number[], dtype: DType): fc.Arbitrary<Spec> =>
  layoutArb(shape, false).map((layout) => {
    const physShape = physShapeOf(shape, layout);
    const spec: Spec = { shape, dtype, layout, physShape, physical: range(numel(physShape)).map(() => -1) };
    forEachIndex(shape, (idx) => (spec.physical[offsetOf(spec, idx)] = values[ravel(idx, shape)]));
    return spec;
  });

/** A source tensor, a dim, and an index shape that gather/scatter accept (index ≤ source except along dim). */
const indexedArb = (dtypes: DType[], distinct: boolean) =>
  fc
    .record({ shape: shapeArb(1, 3), dtype: fc.constantFrom(...dtypes), dimPick: fc.nat(), seed: fc.integer(), shrink: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }) })
    .chain(({ shape, dtype, dimPick, seed, shrink }) => {
      const dim = dimPick % shape.length;
      const indexShape = shape.map((s, d) => (d === dim ? (distinct ? shrink[d] % (s + 1) : shrink[d] % 7) : shrink[d] % (s + 1)));
      return fc.record({
        x: specArb(shape, dtype),
        dim: fc.constant(dim),
        index: placedArb(indexValues(indexShape, shape[dim], dim, seed, distinct), indexShape, "int64"),
        src: specArb(indexShape, dtype),
      });
    })
    .filter(({ x, dim, index }) => x.shape[dim] > 0 || numel(index.shape) === 0);

describe("gather and scatter kernels", () => {
  test("gather along a dim, strided sources, every element size", () => {
    check(indexedArb(DTYPES, false), ({ x, dim, index }) => {
      const xv = logical(x);
      const expected: number[] = [];
      const iv = logical(index);
      forEachIndex(index.shape, (idx) => expected.push(xv[ravel(idx.map((v, d) => (d === dim ? iv[ravel(idx, index.shape)] : v)), x.shape)]));
      expectValues("gather", build(x).gather(dim, build(index)), index.shape, x.dtype, expected);
    }, 500);
  });

  test("scatter (distinct targets) and scatterAdd (repeated targets accumulate)", () => {
    check(indexedArb(DTYPES.filter((d) => d !== "bool"), true), ({ x, dim, index, src }) => {
      const xv = logical(x);
      const sv = logical(src);
      const iv = logical(index);
      const scattered = [...xv];
      const added = [...xv];
      forEachIndex(index.shape, (idx) => {
        const target = ravel(idx.map((v, d) => (d === dim ? iv[ravel(idx, index.shape)] : v)), x.shape);
        scattered[target] = sv[ravel(idx, src.shape)];
        added[target] += sv[ravel(idx, src.shape)];
      });
      expectValues("scatter", build(x).scatter(dim, build(index), build(src)), x.shape, x.dtype, scattered);
      expectValues("scatterAdd", build(x).scatterAdd(dim, build(index), build(src)), x.shape, x.dtype, added.map((v) => cast(v, x.dtype)));
    }, 400);
  });

  test("indexSelect and indexAdd with repeated indices; advanced indexing with negative indices", () => {
    const arb = fc
      .record({ shape: shapeArb(1, 3), dtype: fc.constantFrom(...DTYPES.filter((d) => d !== "bool")), dimPick: fc.nat(), count: fc.integer({ min: 0, max: 8 }), seed: fc.integer() })
      .filter(({ shape, dimPick }) => shape[dimPick % shape.length] > 0)
      .chain(({ shape, dtype, dimPick, count, seed }) => {
        const dim = dimPick % shape.length;
        const next = prng(seed);
        const indices = range(count).map(() => Math.floor(next() * shape[dim]));
        return fc.record({
          x: specArb(shape, dtype),
          dim: fc.constant(dim),
          indices: fc.constant(indices),
          source: specArb(shape.map((s, d) => (d === dim ? count : s)), dtype),
        });
      });
    check(arb, ({ x, dim, indices, source }) => {
      const xv = logical(x);
      const sv = logical(source);
      const index = tg.tensor(indices, { dtype: "int64" });
      const selectedShape = x.shape.map((s, d) => (d === dim ? indices.length : s));
      const selected: number[] = [];
      forEachIndex(selectedShape, (idx) => selected.push(xv[ravel(idx.map((v, d) => (d === dim ? indices[v] : v)), x.shape)]));
      expectValues("indexSelect", build(x).indexSelect(dim, index), selectedShape, x.dtype, selected);
      const added = [...xv];
      forEachIndex(source.shape, (idx) => {
        added[ravel(idx.map((v, d) => (d === dim ? indices[v] : v)), x.shape)] += sv[ravel(idx, source.shape)];
      });
      expectValues("indexAdd", build(x).indexAdd(dim, index, build(source)), x.shape, x.dtype, added.map((v) => cast(v, x.dtype)));
      // x[..., idx] with idx written negative (Python wraps those in advanced indexing)
      const negative = tg.tensor(indices.map((i) => i - x.shape[dim]), { dtype: "int64" });
      const items = [...range(dim).map(() => tg.slice()), negative];
      expectValues("advanced index", build(x).index(...items), selectedShape, x.dtype, selected);
    }, 400);
  });

  // Negative indices wrap in advanced indexing only (above); here they are errors, as in PyTorch.
  test("gather, scatter, scatterAdd, indexSelect and indexAdd reject negative indices", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2, 3]);
      const index = tg.tensor([-1], { dtype: "int64" });
      const src = tg.tensor([5]);
      const outOfBounds = "index -1 is out of bounds for dimension 0 with size 3";
      expect(() => x.gather(0, index)).toThrow(outOfBounds);
      expect(() => x.scatter(0, index, src)).toThrow(outOfBounds);
      expect(() => x.scatterAdd(0, index, src)).toThrow(outOfBounds);
      expect(() => x.indexSelect(0, index)).toThrow(tg.IndexError);
      expect(() => x.indexSelect(0, index)).toThrow("index out of range in self");
      expect(() => x.indexAdd(0, index, src)).toThrow(tg.IndexError);
    });
  });
});

// ---- known bugs ---------------------------------------------------------------------------------
// Each of these fails today and is marked test.fails, so the suite stays green while the bug is
// open and turns red when it is fixed: then drop `.fails` (and the exclusion it names above).
// Expected values are PyTorch's (computed with /usr/bin/python3, torch 1.13).

describe("arithmetic details PyTorch has (regressions found by the properties)", () => {
  const uint8 = (values: number[]) => tg.tensor(values, { dtype: "uint8" });

  // integer alpha must wrap, not saturate: uint8 a - b is a + 255·b
  test("uint8 subtraction wraps like PyTorch: a - b and a + (-1)·b", () => {
    tg.tidy(() => {
      expect(uint8([10, 20, 7]).sub(uint8([3, 5, 9])).tolist()).toEqual([7, 15, 254]);
      expect(uint8([10, 20, 7]).add(uint8([3, 5, 9]), { alpha: -1 }).tolist()).toEqual([7, 15, 254]);
      expect(uint8([10, 20, 7]).sub(2).tolist()).toEqual([8, 18, 5]);
    });
  });

  // the slope multiplies in float32, in the SIMD lanes and the scalar tail alike
  test("leakyRelu(0.01) gives every element PyTorch's float32 product, SIMD lanes and tail alike", () => {
    tg.tidy(() => {
      const x = Math.fround(-4.07);
      expect(tg.full([5], x).leakyRelu(0.01).tolist()).toEqual(Array(5).fill(-0.040699999779462814));
    });
  });

  // PyTorch's CPU cumsum accumulates in double: [1e8, 1, -1e8] ends in 1, not 0
  test("float32 cumsum accumulates in double like PyTorch", () => {
    tg.tidy(() => {
      expect(tg.tensor([1e8, 1, -1e8]).cumsum(0).tolist()).toEqual([1e8, 1e8, 1]);
    });
  });
});

describe("known bugs", () => {
  const uint8 = (values: number[]) => tg.tensor(values, { dtype: "uint8" });

  // PyTorch 1.13: all/any of a uint8 tensor return uint8 (values as torch prints them)
  test("all/any of uint8 are uint8", () => {
    tg.tidy(() => {
      const all = uint8([3, 0, 1, 2]).view(2, 2).all(1);
      const any = uint8([3, 0, 0, 0]).view(2, 2).any(1);
      expect([all.dtype, all.tolist()]).toEqual(["uint8", [0, 1]]);
      expect([any.dtype, any.tolist()]).toEqual(["uint8", [1, 0]]);
      expect(uint8([3, 0]).all().dtype).toBe("uint8");
      expect(tg.tensor([1, 2], { dtype: "int64" }).all().dtype).toBe("bool");
    });
  });
});
