// Reductions over dims (sum, mean, prod, max/min and their arg/amax forms, var/std, norm,
// logsumexp, all/any) and along one dim (softmax, log_softmax, cumsum, cumprod): forward
// kernels and PyTorch's backward formulas side by side.
import { IndexError, RuntimeError } from "../errors.js";
import { DTYPES, type DType, checkDType, isFloating } from "../tensor/dtype.js";
import { type Shape, normalizeDim, numel, sizeArgs } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, dimList } from "./args.js";
import { alive, notImplementedFor } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";
import { anyRequiresGrad } from "../autograd/variable.js";
import { cat } from "./shape.js";

interface ReduceAttrs {
  sizes: number[];
  /** the reduced dims the gradient gets back (none for reductions over everything) */
  dims: number[];
  keepdim: boolean;
}

const reduceAttrs = (x: Tensor, dims: number[], keepdim: boolean): ReduceAttrs => ({ sizes: [...x._shape], dims, keepdim });

/** Normalized, sorted, distinct dims; all dims when none are given. */
function reduceDims(t: Tensor, dims: readonly number[] | null): number[] {
  if (dims === null || dims.length === 0) return [...t._shape.keys()];
  const out = dims.map((d) => normalizeDim(d, t.ndim));
  for (let i = 0; i < out.length; i++) {
    if (out.indexOf(out[i]) !== i) throw new RuntimeError(`dim ${out[i]} appears multiple times in the list of dims`);
  }
  // a 0-dim tensor accepts dim 0 / -1 and has nothing to reduce
  return out.filter((d) => d < t.ndim).sort((a, b) => a - b);
}

function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, d) => {
    if (!dims.includes(d)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Runs a reduction kernel; the kernel writes the kept dims contiguously, keepdim only reshapes. */
function reduceKernel(op: k.ReduceKernel, x: Tensor, dims: number[], keepdim: boolean, outDtype: DType, scale = 1): Tensor {
  const src = x.dtype === outDtype ? x : k.copyAs(x, outDtype);
  const out = k.empty(reducedShape(x._shape, dims, keepdim), outDtype);
  k.reduce(op, src, dims, out, null, scale);
  if (src !== x) src.dispose();
  return out;
}

/** A reduced tensor brought back to the input's rank (PyTorch's unsqueeze_multiple). */
function unsqueezeReduced(t: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return t;
  let out = t;
  for (const d of dims) out = out.unsqueeze(d);
  return out;
}

const sumDtype = (dtype: DType): DType => (isFloating(dtype) ? dtype : "int64");

/** x != 0 as a fresh bool tensor (what count_nonzero, the 0-norm and all/any read). */
export const nonzeroMask = (x: Tensor): Tensor => k.compare("Ne", x, { scalar: 0, dtype: x.dtype }, x.dtype, k.empty(x._shape, "bool"));

/** A copy of x in `dtype` (recorded, as PyTorch's `x.to(dtype)` before the op) used by `fn`, then let go. */
function inDtype(x: Tensor, dtype: DType | undefined, fn: (src: Tensor) => Tensor): Tensor {
  if (dtype === undefined || dtype === x.dtype) return fn(x);
  const src = x.to(checkDType(dtype));
  try {
    return fn(src);
  } finally {
    src.dispose();
  }
}

// ---- sum / mean / prod -------------------------------------------------------------------

/** mean's attrs: sum's, and how many elements each result averages. */
interface MeanAttrs extends ReduceAttrs {
  count?: number;
}

/** sum's and mean's backward: the gradient spread back over the reduced dims (divided by the count for mean). */
const spreadBack = (name: string): Derivative<MeanAttrs> => ({
  name, inputs: ["self"],
  backward: ({ grad, attrs }) => {
    const g = unsqueezeReduced(grad, attrs.dims, attrs.keepdim).expand(attrs.sizes);
    return { self: attrs.count === undefined ? g : g.div(attrs.count) };
  },
});
const SUM_ALL = spreadBack("SumBackward0");
const SUM_DIMS = spreadBack("SumBackward1");
const MEAN_ALL = spreadBack("MeanBackward0");
const MEAN_DIMS = spreadBack("MeanBackward1");

export function sum(x: Tensor, dims: number[] | null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  const d = reduceDims(x, dims);
  const outDtype = dtype ?? sumDtype(x.dtype);
  return record(dims === null ? SUM_ALL : SUM_DIMS, [x], reduceAttrs(x, dims === null ? [] : d, keepdim), () =>
    reduceKernel("Sum", x, d, keepdim, outDtype));
}

export function mean(x: Tensor, dims: number[] | null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  const outDtype = dtype ?? x.dtype;
  if (!isFloating(outDtype)) {
    throw new RuntimeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${DTYPES[x.dtype].scalarName}`,
    );
  }
  const d = reduceDims(x, dims);
  const count = numel(d.map((i) => x._shape[i]));
  return record(dims === null ? MEAN_ALL : MEAN_DIMS, [x], { ...reduceAttrs(x, dims === null ? [] : d, keepdim), count }, () =>
    reduceKernel("Sum", x, d, keepdim, outDtype, count === 0 ? NaN : 1 / count));
}

/**
 * PyTorch's prod_safe_zeros_backward: the product of all other elements along `dim`, as the
 * product of exclusive cumulative products from both ends (exact where inputs are zero).
 */
function productOfOthers(grad: Tensor, x: Tensor, dim: number): Tensor {
  const n = x._shape[dim];
  if (n === 1) return grad;
  const onesShape = [...x._shape];
  onesShape[dim] = 1;
  const ones = grad.newOnes(onesShape);
  const before = cat([ones, x.narrow(dim, 0, n - 1)], dim).cumprod(dim);
  const after = cat([ones, x.narrow(dim, 1, n - 1).flip([dim])], dim).cumprod(dim).flip([dim]);
  return grad.mul(before.mul(after));
}

/** PyTorch's prod_backward: result / x without zeros, else the products of the others (over the flattened tensor for prod()). */
const prodDerivative = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    if (x.ndim === 0) return { self: grad };
    const { dims, keepdim } = attrs;
    const g = unsqueezeReduced(grad, dims, keepdim);
    if (x.eq(0).sum().item() === 0) return { self: g.mul(unsqueezeReduced(saved("result"), dims, keepdim).div(x)) };
    return { self: dims.length === 0 ? productOfOthers(g, x.contiguous().view(-1), 0).viewAs(x) : productOfOthers(g, x, dims[0]) };
  },
});
const PROD_ALL = prodDerivative("ProdBackward0");
const PROD_DIM = prodDerivative("ProdBackward1");

export function prod(x: Tensor, dim: number | null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  const d = reduceDims(x, dim === null ? null : [dim]);
  const outDtype = dtype ?? sumDtype(x.dtype);
  return record(dim === null ? PROD_ALL : PROD_DIM, [x], reduceAttrs(x, dim === null ? [] : d, keepdim), () =>
    reduceKernel("Prod", x, d, keepdim, outDtype));
}

// ---- max / min ---------------------------------------------------------------------------------

/** PyTorch's checks for reductions without an identity: all-reduce of nothing, or an empty reduced dim. */
function checkNonEmpty(x: Tensor, name: string, dims: readonly number[] | null): void {
  if (numel(x._shape) !== 0) return;
  if (dims === null) {
    throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  const empty = dims.find((d) => x._shape[d] === 0);
  if (empty !== undefined) throw new IndexError(`${name}(): Expected reduction dim ${empty} to have non-zero size.`);
}

/** The elements equal to the result (NaN where the result is NaN) share the gradient evenly. */
function evenlyDistributed(grad: Tensor, x: Tensor, result: Tensor, dims: number[], keepdim: boolean): Tensor {
  const r = unsqueezeReduced(result, dims, keepdim);
  const g = unsqueezeReduced(grad, dims, keepdim);
  const mask = r.isnan().logicalAnd(x.isnan()).logicalOr(x.eq(r));
  return g.div(mask.sum(dims, { keepdim: true })).mul(mask);
}

const extremumAll = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => ({ self: evenlyDistributed(grad, saved("self"), saved("result"), attrs.dims, attrs.keepdim) }),
});
/** The reductions to the extreme values only, by PyTorch's op name. */
const EXTREME_VALUES = {
  max: extremumAll("MaxBackward1"),
  min: extremumAll("MinBackward1"),
  amax: extremumAll("AmaxBackward0"),
  amin: extremumAll("AminBackward0"),
};

/** max(dim) gives (values, indices); the gradient goes to the returned index only. */
const selectingDerivative = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { result1: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const indices = unsqueezeReduced(saved("result1"), attrs.dims, attrs.keepdim);
    const g = unsqueezeReduced(grad, attrs.dims, attrs.keepdim);
    return { self: g.newZeros(attrs.sizes).scatter(attrs.dims[0], indices, g) };
  },
});
const MAX_DIM = selectingDerivative("MaxBackward0");
const MIN_DIM = selectingDerivative("MinBackward0");

export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  // like PyTorch's namedtuple: indexable, and `.values` / `.indices` (shadowing Array#values)
  return Object.assign([values, indices], { values, indices }) as unknown as ValuesIndices;
}

/** max()/min() (dims null: over everything), amax/amin (dims [] too). */
function extremeValues(x: Tensor, name: keyof typeof EXTREME_VALUES, dims: number[] | null, keepdim: boolean): Tensor {
  alive(x);
  const d = reduceDims(x, dims);
  checkNonEmpty(x, name, dims && d);
  return record(EXTREME_VALUES[name], [x], reduceAttrs(x, d, keepdim), () =>
    reduceKernel(name.endsWith("max") ? "Max" : "Min", x, d, keepdim, x.dtype));
}

/** max(dim)/min(dim) → (values, indices). */
function extremum(x: Tensor, isMax: boolean, dim: number, keepdim: boolean): ValuesIndices {
  alive(x);
  const d = reduceDims(x, [dim]);
  checkNonEmpty(x, isMax ? "max" : "min", d);
  const [values, indices] = record(isMax ? MAX_DIM : MIN_DIM, [x], reduceAttrs(x, d, keepdim), () => {
    const shape = reducedShape(x._shape, d, keepdim);
    const v = k.empty(shape, x.dtype);
    const i = k.empty(shape, "int64");
    k.reduce(isMax ? "ArgMax" : "ArgMin", x, d, null, i);
    k.reduce(isMax ? "Max" : "Min", x, d, v, null);
    return [v, i];
  });
  return valuesIndices(values, indices);
}

function argExtremum(x: Tensor, isMax: boolean, dim: number | null, keepdim: boolean): Tensor {
  alive(x);
  const name = isMax ? "argmax" : "argmin";
  if (x.dtype === "bool") throw notImplementedFor(`${name}_cpu`, x.dtype);
  const d = reduceDims(x, dim === null ? null : [dim]);
  checkNonEmpty(x, name, dim === null ? null : d);
  // (over the flattened tensor, d is every dim: keepdim gives all-ones dims)
  const out = k.empty(reducedShape(x._shape, d, keepdim), "int64");
  k.reduce(isMax ? "ArgMax" : "ArgMin", x, d, null, out);
  return out;
}

// ---- var / std -----------------------------------------------------------------------------

interface VarAttrs extends ReduceAttrs {
  correction: number;
  count: number;
}

/** PyTorch's var_backward: (2 / (N - correction)) * grad * (x - mean). */
function varianceGrad(grad: Tensor, x: Tensor, attrs: VarAttrs): Tensor {
  const g = unsqueezeReduced(grad, attrs.dims, attrs.keepdim);
  return g.mul(2 / (attrs.count - attrs.correction)).mul(x.sub(x.mean(attrs.dims, { keepdim: true })));
}

const VAR: Derivative<VarAttrs> = {
  name: "VarBackward0", inputs: ["self"], saves: { self: ["self"] },
  backward: ({ grad, saved, attrs }) => ({ self: varianceGrad(grad, saved("self"), attrs) }),
};
const STD: Derivative<VarAttrs> = {
  name: "StdBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const r = saved("result");
    // std_backward: var's gradient of grad / (2 * std), zero where std is zero
    return { self: varianceGrad(grad.div(r.mul(2)).maskedFill(r.eq(0), 0), saved("self"), attrs) };
  },
};

function variance(x: Tensor, dims: number[] | null, correction: number, keepdim: boolean, takeSqrt: boolean): Tensor {
  alive(x);
  if (!isFloating(x.dtype)) throw new RuntimeError("std and var only support floating point and complex dtypes");
  const d = reduceDims(x, dims);
  const count = numel(d.map((i) => x._shape[i]));
  return record(takeSqrt ? STD : VAR, [x], { ...reduceAttrs(x, d, keepdim), correction, count }, () => {
    const m = reduceKernel("Sum", x, d, true, x.dtype, 1 / count);
    const centered = k.binary("Sub", x, m, k.empty(x._shape, x.dtype));
    k.binary("Mul", centered, centered, centered);
    m.dispose();
    const out = reduceKernel("Sum", centered, d, keepdim, x.dtype, 1 / Math.max(count - correction, 0));
    centered.dispose();
    if (takeSqrt) k.unary("Sqrt", out, out);
    return out;
  });
}

// ---- norm ---------------------------------------------------------------------------------------

interface NormAttrs extends ReduceAttrs {
  p: number;
}

/** PyTorch's norm_backward, case by case on p (the 0-"norm" counts, and has no gradient). */
function normGrad(grad: Tensor, x: Tensor, norm: Tensor, a: NormAttrs): Tensor | null {
  const g = x.ndim === 0 ? grad : unsqueezeReduced(grad, a.dims, a.keepdim);
  const n = x.ndim === 0 ? norm : unsqueezeReduced(norm, a.dims, a.keepdim);
  const p = a.p;
  if (p === 0) return null;
  if (p === 1) return x.sgn().mul(g);
  if (p === 2) return g.mul(x.div(n).maskedFill(n.eq(0), 0));
  if (!Number.isFinite(p)) {
    // the elements equal to the norm (or NaN) share the gradient
    const magnitude = x.abs();
    const mask = magnitude.eq(n).logicalOr(magnitude.isnan());
    return x.sgn().mul(g.div(mask.sum(a.dims, { keepdim: true })).mul(mask));
  }
  if (p < 1) return x.sgn().mul(x.abs().pow(p - 1).maskedFill(x.eq(0), 0)).mul(g).mul(n.pow(1 - p));
  const scale = g.div(n.pow(p - 1)).maskedFill(n.eq(0), 0);
  return (p < 2 ? x.sgn().mul(x.abs().pow(p - 1)) : x.mul(x.abs().pow(p - 2))).mul(scale);
}

const VECTOR_NORM: Derivative<NormAttrs> = {
  name: "LinalgVectorNormBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => ({ self: normGrad(grad, saved("self"), saved("result"), attrs) }),
};

/** The p-norm over `dims` with kernels: the sum of |x|^p (max/min of |x| for ±inf, count for 0). */
function normKernel(x: Tensor, dims: number[], keepdim: boolean, p: number): Tensor {
  const terms = k.empty(x._shape, x.dtype);
  if (p === 0) {
    const nonzero = nonzeroMask(x);
    k.copyInto(terms, nonzero);
    nonzero.dispose();
  } else if (p === 2) k.unary("Square", x, terms);
  else {
    k.unary("Abs", x, terms);
    if (Number.isFinite(p) && p !== 1) k.unary("Pow", terms, terms, p);
  }
  const op: k.ReduceKernel = p === Infinity ? "Max" : p === -Infinity ? "Min" : "Sum";
  const out = reduceKernel(op, terms, dims, keepdim, x.dtype);
  terms.dispose();
  if (p === 2) k.unary("Sqrt", out, out);
  else if (Number.isFinite(p) && p !== 0 && p !== 1) k.unary("Pow", out, out, 1 / p);
  return out;
}

/** torch.linalg.vector_norm: the p-norm of x over `dims` (all when null). */
export function vectorNorm(x: Tensor, p = 2, dims: number[] | null = null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  if (!isFloating(x.dtype)) throw new RuntimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${DTYPES[x.dtype].scalarName}`);
  const d = reduceDims(x, dims);
  if (!Number.isFinite(p) && numel(d.map((i) => x._shape[i])) === 0) {
    throw new RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity");
  }
  return inDtype(x, dtype, (src) =>
    record(VECTOR_NORM, [src], { ...reduceAttrs(src, d, keepdim), p }, () => normKernel(src, d, keepdim, p)));
}

/** torch.norm / Tensor.norm: numeric p and "fro" are vector norms (PyTorch 2's dispatch). */
export function norm(x: Tensor, p: number | string | null, dims: number[] | null, keepdim: boolean, dtype?: DType): Tensor {
  if (typeof p === "string") {
    if (p === "fro" && (dims === null || dims.length <= 2)) return vectorNorm(x, 2, dims, keepdim, dtype);
    if (p === "nuc") throw new RuntimeError("linalg.matrix_norm: the nuclear norm needs an SVD, which tapegrad does not have");
    throw new RuntimeError(`linalg.matrix_norm: Order ${p} not supported.`);
  }
  return vectorNorm(x, p ?? 2, dims, keepdim, dtype);
}

// ---- logsumexp, softmax, log_softmax ---------------------------------------------------

const LOGSUMEXP: Derivative<ReduceAttrs> = {
  name: "LogsumexpBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const r = unsqueezeReduced(saved("result"), attrs.dims, attrs.keepdim);
    return { self: unsqueezeReduced(grad, attrs.dims, attrs.keepdim).mul(x.sub(r).exp()) };
  },
};

/**
 * max-shifted exp-sum over `dims` (keepdim), composed from kernels (the fused float32 rows
 * of k.softmaxRows do the same in one call). logsumexp shifts rows whose max is ±inf by 0
 * instead (PyTorch's masked_fill of infinite maxes); softmax keeps the max, so such rows are NaN.
 */
function shiftedExp(x: Tensor, dims: number[], finiteShift: boolean): { max: Tensor; exp: Tensor; sum: Tensor } {
  const max = reduceKernel("Max", x, dims, true, x.dtype);
  if (finiteShift) {
    const finite = k.classify("IsFinite", max, k.empty(max._shape, "bool"));
    k.where(finite, max, { scalar: 0, dtype: x.dtype }, max);
    finite.dispose();
  }
  const exp = k.binary("Sub", x, max, k.empty(x._shape, x.dtype));
  k.unary("Exp", exp, exp);
  const sum = reduceKernel("Sum", exp, dims, true, x.dtype);
  return { max, exp, sum };
}

export function logsumexp(x: Tensor, dims: number[], keepdim = false): Tensor {
  alive(x);
  // integers compute in the default float dtype
  return inDtype(x, isFloating(x.dtype) ? undefined : "float32", (src) => {
    const d = reduceDims(src, dims);
    return record(LOGSUMEXP, [src], reduceAttrs(src, d, keepdim), () => {
      if (numel(src._shape) === 0) {
        // an empty sum of exponentials is 0, and PyTorch's result its log, -inf
        const sum = reduceKernel("Sum", src, d, keepdim, src.dtype);
        return k.unary("Log", sum, sum);
      }
      const rowLength = k.softmaxRowLength(src, d);
      if (rowLength > 0) return k.softmaxRows("Logsumexp", src, rowLength, k.empty(reducedShape(src._shape, d, keepdim), src.dtype));
      const { max, exp, sum } = shiftedExp(src, d, true);
      exp.dispose();
      k.unary("Log", sum, sum);
      k.binary("Add", sum, max, sum);
      max.dispose();
      const out = keepdim ? sum : sum._alias(reducedShape(src._shape, d, false), reducedShape(sum._strides, d, false), 0, null);
      if (out !== sum) sum.dispose();
      return out;
    });
  });
}

/**
 * softmax's / log_softmax's gradient in one kernel per row, where the rows allow it (float32,
 * contiguous, reducing the last non-trivial dim) and no graph of the backward is being built
 * (createGraph differentiates the composed formula); null otherwise.
 */
function fusedSoftmaxBackward(op: "Softmax" | "LogSoftmax", grad: Tensor, y: Tensor, dim: number): Tensor | null {
  if (anyRequiresGrad([grad, y]) || numel(y._shape) === 0 || y.ndim === 0) return null;
  const n = k.softmaxRowLength(y, [dim]);
  if (n === 0 || k.softmaxRowLength(grad, [dim]) !== n || !grad._shape.every((s, i) => s === y._shape[i])) return null;
  return k.softmaxBackwardRows(op, grad, y, n);
}

const SOFTMAX: Derivative<{ dim: number }> = {
  name: "SoftmaxBackward0", inputs: ["self"], saves: { result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const y = saved("result");
    return { self: fusedSoftmaxBackward("Softmax", grad, y, attrs.dim) ?? grad.sub(grad.mul(y).sum(attrs.dim, { keepdim: true })).mul(y) };
  },
};
const LOG_SOFTMAX: Derivative<{ dim: number }> = {
  name: "LogSoftmaxBackward0", inputs: ["self"], saves: { result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const y = saved("result");
    return { self: fusedSoftmaxBackward("LogSoftmax", grad, y, attrs.dim) ?? grad.sub(y.exp().mul(grad.sum(attrs.dim, { keepdim: true }))) };
  },
};

/** softmax and log_softmax over one dim; `dtype` converts the input first (recorded). */
function softmaxOp(x: Tensor, dim: number, dtype: DType | undefined, log: boolean): Tensor {
  alive(x);
  return inDtype(x, dtype, (src) => {
    const d = normalizeDim(dim, src.ndim);
    if (!isFloating(src.dtype)) {
      const kernel = `${log ? "log_softmax" : "softmax"}_${d === src.ndim - 1 || src.ndim === 0 ? "lastdim_" : ""}kernel_impl`;
      throw notImplementedFor(kernel, src.dtype);
    }
    return record(log ? LOG_SOFTMAX : SOFTMAX, [src], { dim: d }, () => {
      if (src.ndim === 0 || numel(src._shape) === 0) {
        const out = k.empty(src._shape, src.dtype);
        k.fill(out, log ? 0 : 1);
        return out;
      }
      const rowLength = k.softmaxRowLength(src, [d]);
      if (rowLength > 0) return k.softmaxRows(log ? "LogSoftmax" : "Softmax", src, rowLength, k.empty(src._shape, src.dtype));
      const { max, exp, sum } = shiftedExp(src, [d], false);
      if (!log) {
        max.dispose();
        k.binary("Div", exp, sum, exp);
        sum.dispose();
        return exp;
      }
      exp.dispose();
      k.unary("Log", sum, sum);
      // (x - max) - log(sum), in PyTorch's order: max + log(sum) would round away a small log(sum)
      const out = k.binary("Sub", src, max, k.empty(src._shape, src.dtype));
      max.dispose();
      k.binary("Sub", out, sum, out);
      sum.dispose();
      return out;
    });
  });
}

export const softmax = (x: Tensor, dim: number, dtype?: DType): Tensor => softmaxOp(x, dim, dtype, false);
export const logSoftmax = (x: Tensor, dim: number, dtype?: DType): Tensor => softmaxOp(x, dim, dtype, true);

// ---- scans ---------------------------------------------------------------------------------------

/** Sums from the end: PyTorch's reversed_cumsum. */
const reversedCumsum = (t: Tensor, dim: number) => t.flip([dim]).cumsum(dim).flip([dim]);

const CUMSUM: Derivative<{ dim: number }> = {
  name: "CumsumBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.numel() <= 1 || grad._shape[attrs.dim] === 1 ? grad : reversedCumsum(grad, attrs.dim) }),
};

/**
 * cumprod's gradient: sum_{j>=i} g_j * out_j / x_i where no zero came before i; at the first
 * zero of a row, the sum of g_j times the products with that zero left out; 0 after it.
 */
const CUMPROD: Derivative<{ dim: number }> = {
  name: "CumprodBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const d = attrs.dim;
    if (x.numel() <= 1 || x._shape[d] === 1) return { self: grad };
    const w = saved("result").mul(grad);
    const isZero = x.eq(0);
    if (!isZero.any().item()) return { self: reversedCumsum(w, d).div(x) };
    const zerosSoFar = isZero.cumsum(d);
    const before = zerosSoFar.eq(0);
    const firstZero = isZero.logicalAnd(zerosSoFar.eq(1));
    const beforeGrad = before.where(reversedCumsum(w, d).div(before.where(x, 1)), 0);
    const withoutFirstZero = firstZero.where(1, x).cumprod(d);
    const firstZeroGrad = firstZero.where(reversedCumsum(grad.mul(withoutFirstZero), d), 0);
    return { self: beforeGrad.add(firstZeroGrad) };
  },
};

function scanOp(x: Tensor, dim: number, dtype: DType | undefined, multiply: boolean): Tensor {
  alive(x);
  const d = normalizeDim(dim, x.ndim);
  const outDtype = dtype ?? sumDtype(x.dtype);
  return record(multiply ? CUMPROD : CUMSUM, [x], { dim: d }, () => {
    const src = x.dtype === outDtype ? x : k.copyAs(x, outDtype);
    const out = x.ndim === 0 ? k.copyAs(src) : k.scan(src, d, multiply);
    if (src !== x) src.dispose();
    return out;
  });
}

// ---- logical reductions ------------------------------------------------------------------------

/**
 * all / any (bool results, uint8 for uint8 input as in PyTorch), count_nonzero (int64):
 * reductions of x != 0 without gradients.
 */
function nonzeroReduce(x: Tensor, op: "All" | "Any" | "Sum", dims: number[] | null, keepdim: boolean): Tensor {
  alive(x);
  const d = reduceDims(x, dims);
  const src = x.dtype === "bool" ? x : nonzeroMask(x);
  const out = reduceKernel(op, src, d, keepdim, op === "Sum" ? "int64" : "bool");
  if (src !== x) src.dispose();
  if (op === "Sum" || x.dtype !== "uint8") return out;
  const bytes = k.copyAs(out, "uint8");
  out.dispose();
  return bytes;
}

// ---- methods -----------------------------------------------------------------------------------

/** The (dim, keepdim, *, dtype) arguments most reductions take, bound as [dims or null, keepdim, dtype]. */
function dimArgs(args: unknown[]): [number[] | null, boolean, DType | undefined] {
  const o = bind<{ dim: number | number[] | null; keepdim: boolean; dtype: DType | null }>(["dim", "keepdim"], args, { dim: null, keepdim: false, dtype: null });
  return [dimList(o.dim), o.keepdim, o.dtype ?? undefined];
}

/** The one dim of reductions that take at most one (null: all). */
const oneDim = (dims: number[] | null) => (dims === null ? null : dims[0]);

/** A method taking PyTorch's (dim, keepdim, *, dtype). */
const reducer = (op: (x: Tensor, dims: number[] | null, keepdim: boolean, dtype?: DType) => Tensor) =>
  function (this: Tensor, ...args: unknown[]): Tensor {
    return op(this, ...dimArgs(args));
  };

type VarArgs = { dim: number | number[] | null; correction: number | null; unbiased: boolean | null; keepdim: boolean };
function varianceMethod(takeSqrt: boolean) {
  return function (this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<VarArgs>(["dim"], args, { dim: null, correction: null, unbiased: null, keepdim: false });
    return variance(this, dimList(o.dim), o.correction ?? (o.unbiased === false ? 0 : 1), o.keepdim, takeSqrt);
  };
}

/** softmax, log_softmax, cumsum and cumprod: (dim, *, dtype). */
const alongDim = (op: (x: Tensor, dim: number, dtype?: DType) => Tensor, defaultDim: number | null) =>
  function (this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number; dtype: DType | null }>(["dim"], args, { dim: defaultDim as number, dtype: null });
    return op(this, o.dim, o.dtype ?? undefined);
  };

const extremumMethod = (isMax: boolean) =>
  function (this: Tensor, ...args: unknown[]): Tensor & ValuesIndices {
    // max(other) is maximum
    if (args[0] instanceof Tensor) return (isMax ? this.maximum(args[0]) : this.minimum(args[0])) as Tensor & ValuesIndices;
    const [dims, keepdim] = dimArgs(args);
    return (dims === null ? extremeValues(this, isMax ? "max" : "min", null, false) : extremum(this, isMax, dims[0], keepdim)) as Tensor & ValuesIndices;
  };

export const reductionMethods = {
  sum: reducer(sum),
  mean: reducer(mean),
  prod: reducer((x, dims, keepdim, dtype) => prod(x, oneDim(dims), keepdim, dtype)),
  /** max() over everything, max(dim) → (values, indices), or max(other) = maximum */
  max: extremumMethod(true),
  min: extremumMethod(false),
  amax: reducer((x, dims, keepdim) => extremeValues(x, "amax", dims ?? [], keepdim)),
  amin: reducer((x, dims, keepdim) => extremeValues(x, "amin", dims ?? [], keepdim)),
  argmax: reducer((x, dims, keepdim) => argExtremum(x, true, oneDim(dims), keepdim)),
  argmin: reducer((x, dims, keepdim) => argExtremum(x, false, oneDim(dims), keepdim)),
  var: varianceMethod(false),
  std: varianceMethod(true),
  /** PyTorch's Tensor.norm(p="fro", dim=None, keepdim=False, dtype=None) */
  norm(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ p: number | string | null; dim: number | number[] | null; keepdim: boolean; dtype: DType | null }>(
      ["p", "dim", "keepdim"], args, { p: "fro", dim: null, keepdim: false, dtype: null });
    return norm(this, o.p, dimList(o.dim), o.keepdim, o.dtype ?? undefined);
  },
  logsumexp: reducer((x, dims, keepdim) => logsumexp(x, dims ?? [], keepdim)),
  softmax: alongDim(softmax, -1),
  logSoftmax: alongDim(logSoftmax, -1),
  cumsum: alongDim((x, dim, dtype) => scanOp(x, dim, dtype, false), 0),
  cumprod: alongDim((x, dim, dtype) => scanOp(x, dim, dtype, true), 0),
  all: reducer((x, dims, keepdim) => nonzeroReduce(x, "All", dims, keepdim)),
  any: reducer((x, dims, keepdim) => nonzeroReduce(x, "Any", dims, keepdim)),
  countNonzero(this: Tensor, ...args: unknown[]): Tensor {
    return nonzeroReduce(this, "Sum", dimList(bind<{ dim: number | number[] | null }>(["dim"], args, { dim: null }).dim), false);
  },
  /** Sums a broadcast gradient back to `shape` (PyTorch's sum_to_size). */
  sumToSize(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const target = sizeArgs(shape);
    const lead = this.ndim - target.length;
    const dims = [...this._shape.keys()].filter((i) => i < lead || (target[i - lead] === 1 && this._shape[i] !== 1));
    let out = dims.length > 0 ? this.sum(dims, { keepdim: true }) : this;
    if (lead > 0) out = out.view(target);
    return out;
  },
};
