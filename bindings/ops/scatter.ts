// Index-driven ops along one dim: index_select, gather, scatter (and scatter_add,
// scatter_reduce), index_add, index_fill. Each checks its indices before any byte is written,
// so a failing in-place call leaves self as it was.
import { IndexError, RuntimeError, formatShape } from "../errors.js";
import { DTYPES, type DType, isFloating } from "../tensor/dtype.js";
import { normalizeDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, method, methodPair } from "./args.js";
import { alive, checkInplaceTarget } from "./checks.js";
import * as k from "./kernels.js";
import { type Scalar, asNumber, tensorOrNull } from "./pointwise.js";
import { type Derivative, record, recordInplace } from "./record.js";

/** Sizes of a 0-dim tensor count as [1] in PyTorch's scatter/gather checks (ensure_nonempty_size). */
const sizeAt = (t: Tensor, d: number) => (t.ndim === 0 ? 1 : t._shape[d]);
const dimsOf = (t: Tensor) => Math.max(t.ndim, 1);

/** `value` seen with `shape` through 0 strides: a tensor's one element, or a new one-element tensor of `dtype`. */
function broadcastValue(value: Tensor | Scalar, dtype: DType, shape: readonly number[], temps: Tensor[]): Tensor {
  let one = value as Tensor;
  if (!(value instanceof Tensor)) {
    one = k.empty([], dtype);
    temps.push(one);
    k.fill(one, asNumber(value));
  }
  const spread = one._alias(shape, shape.map(() => 0), one._offset, null);
  temps.push(spread);
  if (spread.dtype === dtype) return spread;
  const converted = k.copyAs(spread, dtype);
  temps.push(converted);
  return converted;
}

/** The shape of `t` with `index.numel()` elements along `dim` (what index_select and index_fill cover). */
function indexedShape(t: Tensor, dim: number, index: Tensor): number[] {
  const shape = [...t._shape];
  if (t.ndim > 0) shape[dim] = index.numel();
  return shape;
}

/** A 1-D (or 0-dim) index seen over `shape`, varying along `dim` only: what index_add/index_fill scatter with. */
function spreadIndex(index: Tensor, shape: readonly number[], dim: number, temps: Tensor[]): Tensor {
  const stride = index.ndim === 0 ? 0 : index._strides[0];
  const spread = index._alias(shape, shape.map((_, i) => (i === dim ? stride : 0)), index._offset, null);
  temps.push(spread);
  return spread;
}

/** The int64 form of an int32/int64 index (a copy for int32, pushed to `temps`). */
function int64Index(index: Tensor, temps: Tensor[]): Tensor {
  if (index.dtype === "int64") return index;
  const wide = k.copyAs(index, "int64");
  temps.push(wide);
  return wide;
}

/**
 * The range check of PyTorch's kernels, made before anything is written: gather and scatter
 * take [0, size) and name the bad index; index_fill also takes negative indices.
 */
function checkIndexRange(index: Tensor, dim: number, size: number, negatives = false): void {
  const bad = k.firstOutOfRange(index, negatives ? -size : 0, size);
  if (bad === null) return;
  const message = `index ${bad} is out of bounds for dimension ${dim} with size ${size}`;
  // gather/scatter check with TORCH_CHECK, index_fill with TORCH_CHECK_INDEX
  throw negatives ? new IndexError(message) : new RuntimeError(message);
}

/** index_select's and index_add's check: indices in [0, size), one message for all. */
function checkInSelf(index: Tensor, size: number): void {
  if (k.firstOutOfRange(index, 0, size) !== null) throw new IndexError("index out of range in self");
}

/**
 * Records an op that writes into self (`inplace`: `check` and TensorIterator's checks against
 * the `read` tensors first) or into a contiguous copy of self (`check` before anything).
 * `index` is saved for the backward.
 */
function writeOp<A>(
  inplace: boolean, d: Derivative<A>, self: Tensor, others: readonly (Tensor | null)[], attrs: A, index: Tensor, read: readonly Tensor[],
  write: (out: Tensor) => void, check: () => void = () => {},
): Tensor {
  if (inplace) {
    return recordInplace(d, self, others, attrs, () => {
      check();
      checkInplaceTarget(self, read, self.dtype, []);
      write(self);
    }, { aux: { index } });
  }
  check();
  return record(d, [self, ...others], attrs, () => k.filled(k.copyAs(self), write), { index });
}

// ---- index_select, gather ----------------------------------------------------------------------

interface DimAttrs {
  dim: number;
  sizes: number[];
}

const INDEX_SELECT: Derivative<DimAttrs> = {
  name: "IndexSelectBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.newZeros(attrs.sizes).indexAdd(attrs.dim, saved("index"), grad) }),
};

export function indexSelect(self: Tensor, dim: number, index: Tensor): Tensor {
  alive(self, index);
  if (index.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  if (index.dtype !== "int64" && index.dtype !== "int32") throw new RuntimeError("index_select(): Expected dtype int32 or int64 for index");
  const d = normalizeDim(dim, self.ndim);
  return k.disposing((temps) => {
    const idx = int64Index(index, temps);
    checkInSelf(idx, sizeAt(self, d));
    return record(INDEX_SELECT, [self], { dim: d, sizes: [...self._shape] }, () => {
      const shape = indexedShape(self, d, idx);
      return k.filled(k.empty(shape, self.dtype), (out) => k.gather(self, d, spreadIndex(idx, shape, d, temps), out));
    }, { index: idx });
  });
}

const GATHER: Derivative<DimAttrs> = {
  name: "GatherBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.newZeros(attrs.sizes).scatterAdd(attrs.dim, saved("index"), grad) }),
};

export function gather(self: Tensor, dim: number, index: Tensor): Tensor {
  alive(self, index);
  const d = normalizeDim(dim, self.ndim);
  if (index.dtype !== "int64") throw new RuntimeError("gather(): Expected dtype int64 for index");
  if (dimsOf(index) !== dimsOf(self)) throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  for (let i = 0; i < dimsOf(self); i++) {
    if (i !== d && sizeAt(index, i) > sizeAt(self, i)) {
      throw new RuntimeError(`Size does not match at dimension ${i} expected index ${formatShape(index._shape)} to be smaller than self ${formatShape(self._shape)} apart from dimension ${d}`);
    }
  }
  checkIndexRange(index, d, sizeAt(self, d));
  return record(GATHER, [self], { dim: d, sizes: [...self._shape] }, () =>
    k.filled(k.empty(index._shape, self.dtype), (out) => k.gather(self, d, index, out)), { index });
}

// ---- scatter family ------------------------------------------------------------------------------

type ScatterAttrs = { dim: number };

const SCATTER: Derivative<ScatterAttrs> = {
  name: "ScatterBackward0", inputs: ["self", "src"],
  backward: ({ grad, attrs, saved }) => ({
    self: () => grad.scatter(attrs.dim, saved("index"), 0),
    src: () => grad.gather(attrs.dim, saved("index")),
  }),
};
const SCATTER_VALUE: Derivative<ScatterAttrs> = {
  name: "ScatterBackward1", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.scatter(attrs.dim, saved("index"), 0) }),
};
const SCATTER_ADD: Derivative<ScatterAttrs> = {
  name: "ScatterAddBackward0", inputs: ["self", "src"],
  backward: ({ grad, attrs, saved }) => ({ self: grad, src: () => grad.gather(attrs.dim, saved("index")) }),
};

/** PyTorch's scatter_gather_dtype_check and scatter_shape_check, then the range of the indices. */
function checkScatter(op: string, self: Tensor, dim: number, index: Tensor, src: Tensor | null): void {
  if (index.dtype !== "int64") throw new RuntimeError(`${op}(): Expected dtype int64 for index`);
  if (src !== null && src.dtype !== self.dtype) throw new RuntimeError(`${op}(): Expected self.dtype to be equal to src.dtype`);
  if (index.numel() === 0) return;
  if (dimsOf(self) !== dimsOf(index)) throw new RuntimeError("Index tensor must have the same number of dimensions as self tensor");
  let wrong = false;
  for (let d = 0; d < dimsOf(self); d++) if (d !== dim && sizeAt(index, d) > sizeAt(self, d)) wrong = true;
  if (!wrong && src !== null) for (let d = 0; d < dimsOf(self); d++) if (sizeAt(index, d) > sizeAt(src, d)) wrong = true;
  if (wrong) {
    const tail = src === null ? "" : ` and to be smaller size than src ${formatShape(src._shape)}`;
    throw new RuntimeError(`Expected index ${formatShape(index._shape)} to be smaller than self ${formatShape(self._shape)} apart from dimension ${dim}${tail}`);
  }
  checkIndexRange(index, dim, sizeAt(self, dim));
}

/** dst[index along dim] (op)= src over index's shape; src is a tensor or a scalar. */
function scatterInto(dst: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, mode: k.ScatterMode): void {
  k.disposing((temps) => {
    let values: Tensor;
    if (src instanceof Tensor) {
      values = src._alias(index._shape, src.ndim === 0 ? index._shape.map(() => 0) : src._strides.slice(0, index.ndim), src._offset, null);
      temps.push(values);
    } else values = broadcastValue(src, dst.dtype, index._shape, temps);
    k.scatter(dst, dim, index, values, mode);
  });
}

/** scatter and scatter_add, out of place or in place. */
function scatterOp(d: Derivative<ScatterAttrs>, op: string, self: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, mode: k.ScatterMode, inplace: boolean): Tensor {
  const srcTensor = tensorOrNull(src);
  alive(self, index, srcTensor);
  const dd = normalizeDim(dim, self.ndim);
  return writeOp(inplace, d, self, [srcTensor], { dim: dd }, index, srcTensor ? [srcTensor, index] : [index], (out) => scatterInto(out, dd, index, src, mode), () =>
    checkScatter(op, self, dd, index, srcTensor));
}

// ---- scatter_reduce ------------------------------------------------------------------------------

type Reduction = "sum" | "prod" | "mean" | "amax" | "amin";
const REDUCTIONS: Record<Reduction, k.ScatterMode> = { sum: "Add", prod: "Multiply", mean: "Add", amax: "Max", amin: "Min" };

interface ScatterReduceAttrs {
  dim: number;
  reduce: Reduction;
  includeSelf: boolean;
}

/** PyTorch's scatter_reduce_backward, formula by formula. */
const SCATTER_REDUCE: Derivative<ScatterReduceAttrs> = {
  name: "ScatterReduceBackward0", inputs: ["self", "src"],
  saves: { self: ["self", "src"], src: ["self", "src"], result: ["self", "src"] },
  backward: ({ grad, attrs, saved }) => {
    const { dim, reduce, includeSelf } = attrs;
    const index = saved("index");
    const self = saved("self");
    const src = saved("src");
    let gradSelf: Tensor;
    let gradSrc: Tensor;
    if (reduce === "sum") {
      gradSelf = grad;
      gradSrc = grad.gather(dim, index);
    } else if (reduce === "prod") {
      const result = saved("result");
      // exclusive products where self or src holds a zero
      const maskedSelf = self.maskedFill(self.eq(0), 1);
      gradSelf = grad.mul(maskedSelf.scatterReduce(dim, index, src, reduce, { includeSelf })).div(maskedSelf);
      const srcZero = src.eq(0);
      const zerosAtTarget = self.zerosLike().scatterAdd(dim, index, srcZero.to(self.dtype)).gather(dim, index);
      const singleZero = srcZero.logicalAnd(zerosAtTarget.eq(1));
      const maskedSrcResult = self.scatterReduce(dim, index, src.maskedFill(singleZero, 1), reduce, { includeSelf });
      gradSrc = singleZero.where(grad.mul(maskedSrcResult).gather(dim, index), grad.mul(result).gather(dim, index).div(src.maskedFill(srcZero, 1)));
    } else if (reduce === "mean") {
      const counts = (includeSelf ? grad.onesLike() : grad.zerosLike()).scatterAdd(dim, index, src.onesLike());
      const n = counts.maskedFill(counts.eq(0), 1);
      gradSelf = grad.div(n);
      gradSrc = grad.gather(dim, index).div(n.gather(dim, index));
    } else {
      // ties share the gradient evenly
      const result = saved("result");
      const value = result.gather(dim, index);
      const selfIsResult = self.eq(result);
      const srcIsResult = src.eq(value);
      const shares = selfIsResult.to(self.dtype).scatterAdd(dim, index, srcIsResult.to(self.dtype));
      const distributed = grad.div(shares);
      gradSelf = selfIsResult.mul(distributed);
      gradSrc = srcIsResult.mul(distributed.gather(dim, index));
    }
    if (!includeSelf) gradSelf = gradSelf.scatter(dim, index, 0);
    return { self: gradSelf, src: gradSrc };
  },
};

/** The value a reduction starts from where self does not take part (include_self=False). */
function identity(reduce: Reduction, dtype: DType): number {
  if (reduce === "prod") return 1;
  if (reduce === "amax") return isFloating(dtype) ? -Infinity : dtype === "uint8" || dtype === "bool" ? 0 : dtype === "int32" ? -(2 ** 31) : Number.MIN_SAFE_INTEGER;
  if (reduce === "amin") return isFloating(dtype) ? Infinity : dtype === "uint8" ? 255 : dtype === "bool" ? 1 : dtype === "int32" ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  return 0;
}

function scatterReduceInto(out: Tensor, dim: number, index: Tensor, src: Tensor, reduce: Reduction, includeSelf: boolean): void {
  if (!includeSelf) scatterInto(out, dim, index, identity(reduce, out.dtype), "Set");
  scatterInto(out, dim, index, src, REDUCTIONS[reduce]);
  if (reduce !== "mean") return;
  // the mean divides by how many values met at each place (self counting as one)
  k.disposing((temps) => {
    const counts = k.empty(out._shape, out.dtype);
    temps.push(counts);
    k.fill(counts, includeSelf ? 1 : 0);
    scatterInto(counts, dim, index, 1, "Add");
    k.binary("Maximum", counts, { scalar: 1, dtype: out.dtype }, counts);
    k.binary(isFloating(out.dtype) ? "Div" : "FloorDiv", out, counts, out);
  });
}

export function scatterReduce(self: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string, includeSelf = true): Tensor {
  alive(self, index, src);
  if (!(reduce in REDUCTIONS)) throw new RuntimeError(`reduce argument must be either sum, prod, mean, amax or amin, got ${reduce}`);
  const r = reduce as Reduction;
  const dd = normalizeDim(dim, self.ndim);
  return writeOp(false, SCATTER_REDUCE, self, [src], { dim: dd, reduce: r, includeSelf }, index, [], (out) =>
    scatterReduceInto(out, dd, index, src, r, includeSelf), () => checkScatter("scatter_reduce", self, dd, index, src));
}

// ---- index_add, index_fill -------------------------------------------------------------------------

const INDEX_ADD: Derivative<{ dim: number; alpha: number; sourceShape: number[] }> = {
  name: "IndexAddBackward0", inputs: ["self", "source"],
  backward: ({ grad, attrs, saved }) => ({
    self: grad,
    source: () => {
      const selected = grad.indexSelect(attrs.dim, saved("index"));
      // a 0-dim source took one slice
      const picked = attrs.sourceShape.length === 0 ? selected.reshape([]) : selected.expand(attrs.sourceShape);
      return attrs.alpha === 1 ? picked : picked.mul(attrs.alpha);
    },
  }),
};

function checkIndexAdd(self: Tensor, dim: number, index: Tensor, source: Tensor): void {
  if (index.ndim > 1) throw new IndexError("index_add_(): Index is supposed to be a vector");
  if (index.dtype !== "int64" && index.dtype !== "int32") throw new RuntimeError("index_add_(): Expected dtype int32/int64 for index");
  if (self.dtype !== source.dtype) {
    throw new RuntimeError(`index_add_(): self (${DTYPES[self.dtype].scalarName}) and source (${DTYPES[source.dtype].scalarName}) must have the same scalar type`);
  }
  if (!(dim === 0 || dim < source.ndim)) throw new IndexError(`index_add_(): Indexing dim ${dim} is out of bounds of the source tensor with dim ${source.ndim}`);
  const count = source.ndim === 0 ? 1 : source._shape[dim];
  if (index.numel() !== count) {
    throw new RuntimeError(`index_add_(): Number of indices (${index.numel()}) should be equal to source.size(dim): (${count}), for dim: ${dim}`);
  }
}

/** self[index[i] along dim] += alpha * source[i along dim], out of place or in place. */
function indexAdd(self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number, inplace: boolean): Tensor {
  alive(self, index, source);
  const d = normalizeDim(dim, self.ndim);
  checkIndexAdd(self, d, index, source);
  return k.disposing((temps) => {
    const idx = int64Index(index, temps);
    checkInSelf(idx, sizeAt(self, d));
    return writeOp(inplace, INDEX_ADD, self, [source], { dim: d, alpha, sourceShape: [...source._shape] }, idx, [source, idx], (out) => {
      let values = source;
      if (alpha !== 1) {
        values = k.binary("Mul", source, { scalar: alpha, dtype: source.dtype }, k.empty(source._shape, source.dtype));
        temps.push(values);
      }
      k.scatter(out, d, spreadIndex(idx, values._shape, d, temps), values, "Add");
    });
  });
}

const INDEX_FILL: Derivative<{ dim: number }> = {
  name: "IndexFillBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.indexFill(attrs.dim, saved("index"), 0) }),
};
const INDEX_FILL_TENSOR: Derivative<{ dim: number }> = {
  name: "IndexFillBackward1", inputs: ["self", "value"],
  backward: ({ grad, attrs, saved }) => ({
    self: () => grad.indexFill(attrs.dim, saved("index"), 0),
    value: () => grad.indexSelect(attrs.dim, saved("index")).sum(),
  }),
};

/** self with `value` at index along dim, out of place or in place. */
function indexFill(self: Tensor, dim: number, index: Tensor, value: Tensor | Scalar, inplace: boolean): Tensor {
  alive(self, index, tensorOrNull(value));
  const d = normalizeDim(dim, self.ndim);
  if (index.dtype !== "int64") throw new RuntimeError("index_fill_(): Expected dtype int64 for index.");
  if (index.ndim > 1) throw new RuntimeError("Index has to be a vector/scalar");
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new RuntimeError(`index_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
  }
  checkIndexRange(index, d, sizeAt(self, d), true);
  const derivative = value instanceof Tensor ? INDEX_FILL_TENSOR : INDEX_FILL;
  // a tensor value is read as a number, as PyTorch's value.item()
  return writeOp(inplace, derivative, self, [tensorOrNull(value)], { dim: d }, index, [index], (out) => k.disposing((temps) => {
    const shape = indexedShape(out, d, index);
    k.scatter(out, d, spreadIndex(index, shape, d, temps), broadcastValue(value, out.dtype, shape, temps), "Set");
  }));
}

type ScatterMethods = {
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor;
  gather(this: Tensor, dim: number, index: Tensor): Tensor;
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor;
  scatter_(this: Tensor, dim: number, index: Tensor, src: Tensor | Scalar): Tensor;
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
  scatterAdd_(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
  /** PyTorch's scatter_reduce(dim, index, src, reduce, *, include_self=True). */
  scatterReduce(this: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string, options?: { includeSelf?: boolean }): Tensor;
  indexAdd(this: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor;
  indexAdd_(this: Tensor, dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor;
  indexFill(this: Tensor, dim: number, index: Tensor, value: Tensor | Scalar): Tensor;
  indexFill_(this: Tensor, dim: number, index: Tensor, value: Tensor | Scalar): Tensor;
};

export const scatterMethods = {
  indexSelect: method(indexSelect),
  gather: method(gather),
  scatterReduce(this: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string, ...options: { includeSelf?: boolean }[]): Tensor {
    return scatterReduce(this, dim, index, src, reduce, bind<{ includeSelf: boolean }>([], options, { includeSelf: true }).includeSelf);
  },
} as ScatterMethods;
methodPair(scatterMethods, "scatter", (self, [dim, index, src], inplace) =>
  scatterOp(src instanceof Tensor ? SCATTER : SCATTER_VALUE, "scatter", self, dim as number, index as Tensor, src as Tensor | Scalar, "Set", inplace));
methodPair(scatterMethods, "scatterAdd", (self, [dim, index, src], inplace) =>
  scatterOp(SCATTER_ADD, "scatter_add", self, dim as number, index as Tensor, src as Tensor, "Add", inplace));
methodPair(scatterMethods, "indexAdd", (self, [dim, index, source, ...options], inplace) =>
  indexAdd(self, dim as number, index as Tensor, source as Tensor, bind<{ alpha: number }>(["alpha"], options, { alpha: 1 }).alpha, inplace));
methodPair(scatterMethods, "indexFill", (self, [dim, index, value], inplace) => indexFill(self, dim as number, index as Tensor, value as Tensor | Scalar, inplace));
