// Reductions over dims (sum, mean, prod, max/min and their arg/amax forms, var/std,
// logsumexp, softmax, log_softmax, cumsum, all/any), forward kernels and PyTorch's backward
// formulas side by side.
import { IndexError, RuntimeError } from "../errors.js";
import { DTYPES, type DType, isFloating } from "../tensor/dtype.js";
import { type Shape, normalizeDim, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, dimList } from "./args.js";
import { alive } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";

interface ReduceAttrs {
  sizes: number[];
  dims: number[];
  keepdim: boolean;
}

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

/** Brings a reduced gradient back to the input's rank (PyTorch's unsqueeze_multiple). */
export function restoreDims(grad: Tensor, dims: readonly number[], ndim: number, keepdim: boolean): Tensor {
  if (keepdim) return grad;
  let g = grad;
  for (const d of [...dims].sort((a, b) => a - b)) g = g.unsqueeze(d);
  void ndim;
  return g;
}

const sumDtype = (dtype: DType): DType => (isFloating(dtype) ? dtype : "int64");

// ---- sum / mean / prod -------------------------------------------------------------------

const SUM_ALL: Derivative<ReduceAttrs> = {
  name: "SumBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.expand(attrs.sizes) }),
};
const SUM_DIMS: Derivative<ReduceAttrs> = {
  name: "SumBackward1", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: restoreDims(grad, attrs.dims, attrs.sizes.length, attrs.keepdim).expand(attrs.sizes) }),
};

export function sum(x: Tensor, dims: number[] | null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  const all = dims === null;
  const d = reduceDims(x, dims);
  const outDtype = dtype ?? sumDtype(x.dtype);
  return record(all ? SUM_ALL : SUM_DIMS, [x], { sizes: [...x._shape], dims: d, keepdim }, () =>
    reduceKernel("Sum", x, d, keepdim, outDtype));
}

const MEAN_ALL: Derivative<ReduceAttrs & { count: number }> = {
  name: "MeanBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.expand(attrs.sizes).div(attrs.count) }),
};
const MEAN_DIMS: Derivative<ReduceAttrs & { count: number }> = {
  name: "MeanBackward1", inputs: ["self"],
  backward: ({ grad, attrs }) => ({
    self: restoreDims(grad, attrs.dims, attrs.sizes.length, attrs.keepdim).expand(attrs.sizes).div(attrs.count),
  }),
};

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
  return record(dims === null ? MEAN_ALL : MEAN_DIMS, [x], { sizes: [...x._shape], dims: d, keepdim, count }, () =>
    reduceKernel("Sum", x, d, keepdim, outDtype, count === 0 ? NaN : 1 / count));
}

const PROD: Derivative<ReduceAttrs> = {
  name: "ProdBackward1", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, attrs, saved }) => {
    // d(prod)/dx_i = prod / x_i where x_i != 0; handled exactly for zeros by the product of the others
    const x = saved("self");
    const r = restoreDims(saved("result"), attrs.dims, attrs.sizes.length, attrs.keepdim);
    const g = restoreDims(grad, attrs.dims, attrs.sizes.length, attrs.keepdim);
    return { self: g.mul(r).div(x) };
  },
};

export function prod(x: Tensor, dim: number | null, keepdim = false, dtype?: DType): Tensor {
  alive(x);
  const d = reduceDims(x, dim === null ? null : [dim]);
  const outDtype = dtype ?? sumDtype(x.dtype);
  const def = dim === null ? { ...PROD, name: "ProdBackward0" } : PROD;
  return record(def, [x], { sizes: [...x._shape], dims: d, keepdim }, () => reduceKernel("Prod", x, d, keepdim, outDtype));
}

// ---- max / min ---------------------------------------------------------------------------------

function checkNonEmpty(x: Tensor, name: string, dims: readonly number[] | null): void {
  if (numel(x._shape) === 0 && (dims === null || dims.some((d) => x._shape[d] === 0))) {
    throw new IndexError(
      dims === null
        ? `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`
        : `${name}(): Expected reduction dim ${dims[0]} to have non-zero size.`,
    );
  }
}

/** Gradient split evenly among the elements equal to the result (ties share). */
function evenlyDistributed(grad: Tensor, x: Tensor, result: Tensor, dims: number[], keepdim: boolean): Tensor {
  const r = restoreDims(result, dims, x.ndim, keepdim);
  const g = restoreDims(grad, dims, x.ndim, keepdim);
  const mask = x.eq(r);
  const count = mask.sum(dims, { keepdim: true });
  return g.div(count).mul(mask);
}

const extremumAll = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => ({ self: evenlyDistributed(grad, saved("self"), saved("result"), attrs.dims, false) }),
});
const MAX_ALL = extremumAll("MaxBackward1");
const MIN_ALL = extremumAll("MinBackward1");
const amaxDerivative = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => ({ self: evenlyDistributed(grad, saved("self"), saved("result"), attrs.dims, attrs.keepdim) }),
});
const AMAX = amaxDerivative("AmaxBackward0");
const AMIN = amaxDerivative("AminBackward0");

/** max(dim) gives (values, indices); the gradient goes to the returned index only. */
const selectingDerivative = (name: string): Derivative<ReduceAttrs> => ({
  name, inputs: ["self"], saves: { result1: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const indices = restoreDims(saved("result1"), attrs.dims, attrs.sizes.length, attrs.keepdim);
    const g = restoreDims(grad, attrs.dims, attrs.sizes.length, attrs.keepdim);
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

function extremum(x: Tensor, isMax: boolean, dim: number | null, keepdim: boolean): Tensor | ValuesIndices {
  alive(x);
  const name = isMax ? "max" : "min";
  if (dim === null) {
    checkNonEmpty(x, name, null);
    const d = reduceDims(x, null);
    return record(isMax ? MAX_ALL : MIN_ALL, [x], { sizes: [...x._shape], dims: d, keepdim: false }, () =>
      reduceKernel(isMax ? "Max" : "Min", x, d, false, x.dtype));
  }
  const d = reduceDims(x, [dim]);
  checkNonEmpty(x, name, d);
  const [values, indices] = record(isMax ? MAX_DIM : MIN_DIM, [x], { sizes: [...x._shape], dims: d, keepdim }, () => {
    const v = k.empty(reducedShape(x._shape, d, keepdim), x.dtype);
    const i = k.empty(reducedShape(x._shape, d, keepdim), "int64");
    k.reduce(isMax ? "ArgMax" : "ArgMin", x, d, null, i);
    k.reduce(isMax ? "Max" : "Min", x, d, v, null);
    return [v, i];
  });
  return valuesIndices(values, indices);
}

function amaxOp(x: Tensor, isMax: boolean, dims: number[] | null, keepdim: boolean): Tensor {
  alive(x);
  const d = reduceDims(x, dims);
  checkNonEmpty(x, isMax ? "amax" : "amin", d);
  return record(isMax ? AMAX : AMIN, [x], { sizes: [...x._shape], dims: d, keepdim }, () =>
    reduceKernel(isMax ? "Max" : "Min", x, d, keepdim, x.dtype));
}

function argExtremum(x: Tensor, isMax: boolean, dim: number | null, keepdim: boolean): Tensor {
  alive(x);
  const d = reduceDims(x, dim === null ? null : [dim]);
  checkNonEmpty(x, isMax ? "argmax" : "argmin", dim === null ? null : d);
  if (dim === null) {
    // over the flattened tensor; keepdim gives all-ones dims
    const out = k.empty(keepdim ? x._shape.map(() => 1) : [], "int64");
    k.reduce(isMax ? "ArgMax" : "ArgMin", x, d, null, out);
    return out;
  }
  const out = k.empty(reducedShape(x._shape, d, keepdim), "int64");
  k.reduce(isMax ? "ArgMax" : "ArgMin", x, d, null, out);
  return out;
}

// ---- var / std -----------------------------------------------------------------------------

interface VarAttrs extends ReduceAttrs {
  correction: number;
  count: number;
}

const VAR: Derivative<VarAttrs> = {
  name: "VarBackward0", inputs: ["self"], saves: { self: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const g = restoreDims(grad, attrs.dims, x.ndim, attrs.keepdim);
    const centered = x.sub(x.mean(attrs.dims, { keepdim: true }));
    return { self: g.mul(centered).mul(2 / (attrs.count - attrs.correction)) };
  },
};
const STD: Derivative<VarAttrs> = {
  name: "StdBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const r = restoreDims(saved("result"), attrs.dims, x.ndim, attrs.keepdim);
    const g = restoreDims(grad, attrs.dims, x.ndim, attrs.keepdim);
    const centered = x.sub(x.mean(attrs.dims, { keepdim: true }));
    return { self: g.mul(centered).div(r.mul(attrs.count - attrs.correction)) };
  },
};

function variance(x: Tensor, dims: number[] | null, correction: number, keepdim: boolean, takeSqrt: boolean): Tensor {
  alive(x);
  if (!isFloating(x.dtype)) throw new RuntimeError(`${takeSqrt ? "std" : "var"} only supports floating-point dtypes`);
  const d = reduceDims(x, dims);
  const count = numel(d.map((i) => x._shape[i]));
  const attrs: VarAttrs = { sizes: [...x._shape], dims: d, keepdim, correction, count };
  return record(takeSqrt ? STD : VAR, [x], attrs, () => {
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

function correctionArg(o: { correction: number | null; unbiased: boolean | null }): number {
  if (o.correction !== null) return o.correction;
  return o.unbiased === false ? 0 : 1;
}

// ---- logsumexp, softmax, log_softmax ---------------------------------------------------

const LOGSUMEXP: Derivative<ReduceAttrs> = {
  name: "LogsumexpBackward0", inputs: ["self"], saves: { self: ["self"], result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("self");
    const r = restoreDims(saved("result"), attrs.dims, x.ndim, attrs.keepdim);
    return { self: restoreDims(grad, attrs.dims, x.ndim, attrs.keepdim).mul(x.sub(r).exp()) };
  },
};

/** max-shifted exp-sum over `dims` (keepdim), computed with kernels only. */
function shiftedExp(x: Tensor, dims: number[]): { max: Tensor; exp: Tensor; sum: Tensor } {
  const max = reduceKernel("Max", x, dims, true, x.dtype);
  // rows of -inf stay finite after the shift (PyTorch treats them so)
  const safeMax = k.empty(max._shape, x.dtype);
  k.where(k.compare("Eq", max, max, x.dtype, k.empty(max._shape, "bool")), max, { scalar: 0, dtype: x.dtype }, safeMax);
  max.dispose();
  const exp = k.binary("Sub", x, safeMax, k.empty(x._shape, x.dtype));
  k.unary("Exp", exp, exp);
  const sum = reduceKernel("Sum", exp, dims, true, x.dtype);
  return { max: safeMax, exp, sum };
}

export function logsumexp(x: Tensor, dims: number[], keepdim = false): Tensor {
  alive(x);
  const src = isFloating(x.dtype) ? x : x.to("float32");
  const d = reduceDims(src, dims);
  return record(LOGSUMEXP, [src], { sizes: [...src._shape], dims: d, keepdim }, () => {
    if (numel(src._shape) === 0) return reduceKernel("Sum", src, d, keepdim, src.dtype);
    const { max, exp, sum } = shiftedExp(src, d);
    exp.dispose();
    k.unary("Log", sum, sum);
    k.binary("Add", sum, max, sum);
    max.dispose();
    const out = keepdim ? sum : sum._alias(reducedShape(src._shape, d, false), reducedShape(sum._strides, d, false), 0, null);
    if (out !== sum) sum.dispose();
    return out;
  });
}

const SOFTMAX: Derivative<{ dim: number }> = {
  name: "SoftmaxBackward0", inputs: ["self"], saves: { result: ["self"] },
  backward: ({ grad, saved, attrs }) => {
    const y = saved("result");
    return { self: y.mul(grad.sub(grad.mul(y).sum(attrs.dim, { keepdim: true }))) };
  },
};
const LOG_SOFTMAX: Derivative<{ dim: number }> = {
  name: "LogSoftmaxBackward0", inputs: ["self"], saves: { result: ["self"] },
  backward: ({ grad, saved, attrs }) => ({
    self: grad.sub(saved("result").exp().mul(grad.sum(attrs.dim, { keepdim: true }))),
  }),
};

export function softmax(x: Tensor, dim: number, dtype?: DType): Tensor {
  alive(x);
  const src = dtype !== undefined ? x.to(dtype) : x;
  const d = normalizeDim(dim, src.ndim);
  return record(SOFTMAX, [src], { dim: d }, () => {
    if (src.ndim === 0) return fillOnes(src);
    if (numel(src._shape) === 0) return k.empty(src._shape, src.dtype);
    const { max, exp, sum } = shiftedExp(src, [d]);
    max.dispose();
    k.binary("Div", exp, sum, exp);
    sum.dispose();
    return exp;
  });
}

function fillOnes(like: Tensor): Tensor {
  const out = k.empty(like._shape, like.dtype);
  k.fill(out, 1);
  return out;
}

export function logSoftmax(x: Tensor, dim: number, dtype?: DType): Tensor {
  alive(x);
  const src = dtype !== undefined ? x.to(dtype) : x;
  const d = normalizeDim(dim, src.ndim);
  return record(LOG_SOFTMAX, [src], { dim: d }, () => {
    if (src.ndim === 0 || numel(src._shape) === 0) {
      const out = k.empty(src._shape, src.dtype);
      k.fill(out, 0);
      return out;
    }
    const { max, exp, sum } = shiftedExp(src, [d]);
    exp.dispose();
    k.unary("Log", sum, sum);
    k.binary("Add", sum, max, sum);
    max.dispose();
    const out = k.binary("Sub", src, sum, k.empty(src._shape, src.dtype));
    sum.dispose();
    return out;
  });
}

// ---- scans, logical reductions ---------------------------------------------------------------

const CUMSUM: Derivative<{ dim: number }> = {
  name: "CumsumBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.flip([attrs.dim]).cumsum(attrs.dim).flip([attrs.dim]) }),
};

export function cumsum(x: Tensor, dim: number, dtype?: DType): Tensor {
  alive(x);
  const d = normalizeDim(dim, x.ndim);
  const outDtype = dtype ?? sumDtype(x.dtype);
  return record(CUMSUM, [x], { dim: d }, () => {
    const src = x.dtype === outDtype ? x : k.copyAs(x, outDtype);
    const out = x.ndim === 0 ? k.copyAs(src) : k.scan(src, d, false);
    if (src !== x) src.dispose();
    return out;
  });
}

function logicalReduce(x: Tensor, op: "All" | "Any", dims: number[] | null, keepdim: boolean): Tensor {
  alive(x);
  const d = reduceDims(x, dims);
  const src = x.dtype === "bool" ? x : x.ne(0);
  const out = k.empty(reducedShape(x._shape, d, keepdim), "bool");
  k.reduce(op, src, d, out, null);
  if (src !== x) src.dispose();
  return out;
}

// ---- methods -----------------------------------------------------------------------------------

type DimArgs = { dim: number | number[] | null; keepdim: boolean; dtype: DType | null };
const dimArgs = (args: unknown[]) => bind<DimArgs>(["dim", "keepdim"], args, { dim: null, keepdim: false, dtype: null });

export const reductionMethods = {
  sum(this: Tensor, ...args: unknown[]): Tensor {
    const o = dimArgs(args);
    return sum(this, dimList(o.dim), o.keepdim, o.dtype ?? undefined);
  },
  mean(this: Tensor, ...args: unknown[]): Tensor {
    const o = dimArgs(args);
    return mean(this, dimList(o.dim), o.keepdim, o.dtype ?? undefined);
  },
  prod(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | null; keepdim: boolean; dtype: DType | null }>(["dim", "keepdim"], args, { dim: null, keepdim: false, dtype: null });
    return prod(this, o.dim, o.keepdim, o.dtype ?? undefined);
  },
  max(this: Tensor, ...args: unknown[]): Tensor & ValuesIndices {
    if (args[0] instanceof Tensor) return this.maximum(args[0]) as Tensor & ValuesIndices;
    const o = bind<{ dim: number | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return extremum(this, true, o.dim, o.keepdim) as Tensor & ValuesIndices;
  },
  min(this: Tensor, ...args: unknown[]): Tensor & ValuesIndices {
    if (args[0] instanceof Tensor) return this.minimum(args[0]) as Tensor & ValuesIndices;
    const o = bind<{ dim: number | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return extremum(this, false, o.dim, o.keepdim) as Tensor & ValuesIndices;
  },
  amax(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return amaxOp(this, true, o.dim === null ? null : dimList(o.dim) ?? [], o.keepdim);
  },
  amin(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return amaxOp(this, false, o.dim === null ? null : dimList(o.dim) ?? [], o.keepdim);
  },
  argmax(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return argExtremum(this, true, o.dim, o.keepdim);
  },
  argmin(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return argExtremum(this, false, o.dim, o.keepdim);
  },
  var(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; correction: number | null; unbiased: boolean | null; keepdim: boolean }>(
      ["dim"], args, { dim: null, correction: null, unbiased: null, keepdim: false });
    return variance(this, dimList(o.dim), correctionArg(o), o.keepdim, false);
  },
  std(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; correction: number | null; unbiased: boolean | null; keepdim: boolean }>(
      ["dim"], args, { dim: null, correction: null, unbiased: null, keepdim: false });
    return variance(this, dimList(o.dim), correctionArg(o), o.keepdim, true);
  },
  logsumexp(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[]; keepdim: boolean }>(["dim", "keepdim"], args, { dim: [], keepdim: false });
    return logsumexp(this, dimList(o.dim) ?? [], o.keepdim);
  },
  softmax(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number; dtype: DType | null }>(["dim"], args, { dim: -1, dtype: null });
    return softmax(this, o.dim, o.dtype ?? undefined);
  },
  logSoftmax(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number; dtype: DType | null }>(["dim"], args, { dim: -1, dtype: null });
    return logSoftmax(this, o.dim, o.dtype ?? undefined);
  },
  cumsum(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number; dtype: DType | null }>(["dim"], args, { dim: 0, dtype: null });
    return cumsum(this, o.dim, o.dtype ?? undefined);
  },
  all(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return logicalReduce(this, "All", dimList(o.dim), o.keepdim);
  },
  any(this: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ dim: number | number[] | null; keepdim: boolean }>(["dim", "keepdim"], args, { dim: null, keepdim: false });
    return logicalReduce(this, "Any", dimList(o.dim), o.keepdim);
  },
  /** Sums a broadcast gradient back to `shape` (PyTorch's sum_to_size). */
  sumToSize(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    const target = (shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape) as number[];
    const lead = this.ndim - target.length;
    const dims: number[] = [];
    for (let i = 0; i < this.ndim; i++) if (i < lead || (target[i - lead] === 1 && this._shape[i] !== 1)) dims.push(i);
    let out = dims.length > 0 ? this.sum(dims, { keepdim: true }) : this;
    if (lead > 0) out = out.view(target);
    return out;
  },
};
