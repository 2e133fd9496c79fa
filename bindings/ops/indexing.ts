// Python indexing (`t[...]` and `t[...] = v`) with PyTorch's exact rules: ints, slices, None and
// Ellipsis give views; integer tensors and bool masks copy (advanced indexing). Plus the
// index-driven ops: index_select, gather, scatter(_add), index_add, masked_select, nonzero.
import { IndexError, RuntimeError, ValueError, formatShape } from "../errors.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { type Shape, broadcastShapes, normalizeDim, numel, sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { alive, checkInplaceTarget } from "./checks.js";
import { tensor as makeTensor } from "./creation.js";
import * as k from "./kernels.js";
import { type Derivative, record, recordInplace } from "./record.js";
import { alias, expand, select, slice as sliceView, unsqueeze, view } from "./view.js";

/** A Python slice `start:stop:step`; `null` parts are omitted ones. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
  toString(): string {
    return `slice(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/** `slice(1, null, 2)` is Python's `1::2`. */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

export const Ellipsis = "...";
export type IndexItem = number | null | typeof Ellipsis | Slice | Tensor | boolean | readonly number[];

const INDEX_MAX = Number.MAX_SAFE_INTEGER;

/** PyTorch's applySelect: the range check names the position in the index, not the dim. */
function applySelect(self: Tensor, dim: number, index: number, realDim: number): Tensor {
  if (index === 0 && dim === 0 && self.ndim === 0) {
    throw new IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
  }
  const size = self._shape[dim];
  if (!(size > -1 - index && size > index)) {
    throw new IndexError(`index ${index} is out of bounds for dimension ${realDim} with size ${size}`);
  }
  return select(self, dim, index);
}

/** PyTorch's applySlice: a full slice returns the tensor itself unless the optimization is off. */
function applySlice(self: Tensor, dim: number, s: Slice, disableOptimization: boolean): Tensor {
  const step = s.step ?? 1;
  if (step <= 0) throw new ValueError("step must be greater than zero");
  const start = s.start ?? 0;
  const stop = s.stop ?? INDEX_MAX;
  if (!disableOptimization && start === 0 && self._shape[dim] === stop && step === 1) return self;
  return sliceView(self, dim, start, stop, step);
}

/** Turns a nested number list into an int64 index tensor, a bool into a 0-dim mask. */
function indexTensorOf(item: IndexItem): Tensor | null {
  if (item instanceof Tensor) return item;
  if (Array.isArray(item)) return makeTensor(item as number[], { dtype: "int64" });
  return null;
}

function countSpecified(items: readonly IndexItem[]): number {
  let n = 0;
  for (const it of items) {
    if (it === null || it === Ellipsis || typeof it === "boolean") continue;
    const t = indexTensorOf(it);
    if (t !== null && it instanceof Tensor && (t.dtype === "bool" || t.dtype === "uint8")) n += t.ndim;
    else n += 1;
  }
  return n;
}

interface Sliced {
  result: Tensor;
  /** advanced indices: (dim in result, int64/bool tensor) */
  advanced: [number, Tensor][];
  temps: Tensor[];
}

/** PyTorch's applySlicing: basic items make views, tensor items are collected for later. */
function applySlicing(self: Tensor, items: readonly IndexItem[], disableOptimization: boolean): Sliced {
  let specified = countSpecified(items);
  if (specified > self.ndim) throw new IndexError(`too many indices for tensor of dimension ${self.ndim}`);
  const temps: Tensor[] = [];
  const advanced: [number, Tensor][] = [];
  let result = self;
  let dim = 0;
  const step = (next: Tensor) => {
    if (next !== result && result !== self) temps.push(result);
    result = next;
  };
  items.forEach((item, i) => {
    if (typeof item === "number") {
      step(applySelect(result, dim, item, i));
    } else if (item instanceof Slice) {
      step(applySlice(result, dim, item, disableOptimization));
      dim++;
    } else if (item === Ellipsis) {
      dim += self.ndim - specified;
    } else if (item === null) {
      step(unsqueeze(result, dim));
      dim++;
    } else if (typeof item === "boolean") {
      step(unsqueeze(result, dim));
      const mask = makeTensor(item, { dtype: "bool" });
      temps.push(mask);
      advanced.push([dim, mask]);
      dim++;
    } else {
      const t = indexTensorOf(item) as Tensor;
      if (!(item instanceof Tensor)) temps.push(t);
      advanced.push([dim, t]);
      dim += t.dtype === "bool" || t.dtype === "uint8" ? t.ndim : 1;
    }
  });
  void specified;
  return { result, advanced, temps };
}

// ---- advanced indexing -----------------------------------------------------------------------

interface Advanced {
  /** dims of the source that are indexed, in order */
  dims: number[];
  /** one int64 index per indexed dim, broadcast together, wrapped into range */
  indices: Tensor[];
  shape: number[];
}

/** Bool masks become nonzero coordinates; indices are wrapped and range-checked. */
function resolveAdvanced(src: Tensor, advanced: readonly [number, Tensor][], temps: Tensor[]): Advanced {
  const dims: number[] = [];
  const raw: Tensor[] = [];
  for (const [dim, idx] of advanced) {
    if (idx.dtype === "bool" || idx.dtype === "uint8") {
      for (let j = 0; j < idx.ndim; j++) {
        if (idx._shape[j] !== src._shape[dim + j]) {
          throw new IndexError(`The shape of the mask ${formatShape(idx._shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(src._shape)} at index ${dim + j}`);
        }
      }
      const coords = nonzero(idx);
      temps.push(coords);
      for (let j = 0; j < idx.ndim; j++) {
        const c = coords.select(1, j);
        temps.push(c);
        dims.push(dim + j);
        raw.push(c);
      }
    } else if (idx.dtype === "int64" || idx.dtype === "int32") {
      dims.push(dim);
      raw.push(idx);
    } else {
      throw new IndexError("tensors used as indices must be long, int, byte or bool tensors");
    }
  }
  let shape: number[] = [];
  for (const t of raw) shape = broadcastShapes(shape, t._shape);
  const indices = raw.map((t, i) => {
    const size = src._shape[dims[i]];
    const wrapped = wrapIndex(t, size, dims[i]);
    temps.push(wrapped);
    return wrapped;
  });
  return { dims, indices, shape };
}

/** int64 copy of `idx` with negatives wrapped; IndexError for out-of-range entries. */
function wrapIndex(idx: Tensor, size: number, dim: number): Tensor {
  const t = k.copyAs(idx, "int64");
  if (t.numel() === 0) return t;
  const lo = k.empty([], "int64");
  const hi = k.empty([], "int64");
  k.reduce("Min", t, [...t._shape.keys()], lo, null);
  k.reduce("Max", t, [...t._shape.keys()], hi, null);
  const [min, max] = [lo.item(), hi.item()];
  lo.dispose();
  hi.dispose();
  if (min < -size || max >= size) {
    t.dispose();
    const bad = min < -size ? min : max;
    throw new IndexError(`index ${bad} is out of bounds for dimension ${dim} with size ${size}`);
  }
  if (min < 0) {
    const neg = k.compare("Lt", t, { scalar: 0, dtype: "int64" }, "int64", k.empty(t._shape, "bool"));
    const shifted = k.binary("Add", t, { scalar: size, dtype: "int64" }, k.empty(t._shape, "int64"));
    k.where(neg, shifted, t, t);
    neg.dispose();
    shifted.dispose();
  }
  return t;
}

/** The source permuted so indexed dims come first, and where the index dims land in the result. */
function layout(src: Tensor, a: Advanced): { perm: number[]; rest: number[]; at: number } {
  const rest = [...src._shape.keys()].filter((d) => !a.dims.includes(d));
  const adjacent = a.dims.every((d, i) => i === 0 || d === a.dims[i - 1] + 1);
  return { perm: [...a.dims, ...rest], rest, at: adjacent ? a.dims[0] : 0 };
}

/** Linear position of each indexed element within the flattened indexed dims. */
function linearIndex(src: Tensor, a: Advanced): Tensor {
  let lin = k.empty(a.shape, "int64");
  k.fill(lin, 0);
  let scale = 1;
  for (let i = a.dims.length - 1; i >= 0; i--) {
    const next = k.empty(a.shape, "int64");
    const term = k.binary("Mul", a.indices[i], { scalar: scale, dtype: "int64" }, k.empty(a.indices[i]._shape, "int64"));
    k.binary("Add", lin, term, next);
    term.dispose();
    lin.dispose();
    lin = next;
    scale *= src._shape[a.dims[i]];
  }
  return lin;
}

function gatherAdvanced(src: Tensor, a: Advanced): Tensor {
  const { perm, rest, at } = layout(src, a);
  const restShape = rest.map((d) => src._shape[d]);
  const folded = numel(a.dims.map((d) => src._shape[d]));
  const permuted = src._alias(perm.map((d) => src._shape[d]), perm.map((d) => src._strides[d]), src._offset, null);
  const flat = k.copyAs(permuted, src.dtype);
  permuted.dispose();
  const rows = flat._alias([folded, ...restShape], [numel(restShape), ...flat._strides.slice(a.dims.length)], 0, null);
  flat.dispose();
  const lin = linearIndex(src, a);
  const out = k.empty([lin.numel(), ...restShape], src.dtype);
  const idx = lin._alias([lin.numel(), ...restShape.map(() => 1)], [1, ...restShape.map(() => 0)], 0, null);
  k.gather(rows, 0, idx, out);
  idx.dispose();
  lin.dispose();
  rows.dispose();
  const B = a.shape;
  const resultShape = [...B, ...restShape];
  // move the index dims to where PyTorch puts them (in place of adjacent indexed dims)
  const order = [...B.keys()].map((i) => i + at).concat();
  const dimsOut = new Array<number>(resultShape.length);
  let r = 0;
  for (let i = 0; i < resultShape.length; i++) {
    if (i >= at && i < at + B.length) dimsOut[i] = i - at;
    else dimsOut[i] = B.length + r++;
  }
  void order;
  if (at === 0) {
    const shaped = out._alias(resultShape, contiguousOf(resultShape), 0, null);
    out.dispose();
    return shaped;
  }
  const moved = out._alias(dimsOut.map((d) => resultShape[d]), dimsOut.map((d) => contiguousOf(resultShape)[d]), 0, null);
  out.dispose();
  const result = k.copyAs(moved);
  moved.dispose();
  return result;
}

function contiguousOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i], 1);
  }
  return s;
}

/** Adds `values` (shaped like the indexed result) into `target` at the indexed positions. */
function scatterAdvanced(target: Tensor, a: Advanced, values: Tensor, accumulate: boolean): void {
  const { perm, rest, at } = layout(target, a);
  const restShape = rest.map((d) => target._shape[d]);
  const B = a.shape;
  const resultShape = at === 0 ? [...B, ...restShape]
    : [...restShape.slice(0, at), ...B, ...restShape.slice(at)];
  const expanded = values._alias(values._shape, values._strides, values._offset, null);
  const v = expandTo(expanded, resultShape);
  expanded.dispose();
  // bring values to [B..., rest...] order
  const order: number[] = [];
  for (let i = 0; i < B.length; i++) order.push(at + i);
  for (let i = 0; i < resultShape.length; i++) if (i < at || i >= at + B.length) order.push(i);
  const vPerm = v._alias(order.map((d) => v._shape[d]), order.map((d) => v._strides[d]), v._offset, null);
  v.dispose();
  const lin = linearIndex(target, a);
  const folded = numel(a.dims.map((d) => target._shape[d]));
  const permuted = target._alias(perm.map((d) => target._shape[d]), perm.map((d) => target._strides[d]), target._offset, null);
  // rows of the permuted target, addressed as [folded, ...rest] when the indexed dims are contiguous in memory
  const src = k.copyAs(vPerm);
  vPerm.dispose();
  const srcRows = src._alias([lin.numel(), ...restShape], contiguousOf([lin.numel(), ...restShape]), 0, null);
  const idx = lin._alias([lin.numel(), ...restShape.map(() => 1)], [1, ...restShape.map(() => 0)], 0, null);
  const dense = k.copyAs(permuted);
  const rows = dense._alias([folded, ...restShape], contiguousOf([folded, ...restShape]), 0, null);
  k.scatter(rows, 0, idx, srcRows, accumulate);
  k.copyInto(permuted, dense);
  for (const t of [src, srcRows, idx, dense, rows, permuted, lin]) t.dispose();
}

function expandTo(t: Tensor, shape: Shape): Tensor {
  const lead = shape.length - t.ndim;
  const strides = shape.map((s, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    if (t._shape[j] === s) return t._strides[j];
    if (t._shape[j] === 1) return 0;
    throw new RuntimeError(`shape mismatch: value tensor of shape ${formatShape(t._shape)} cannot be broadcast to indexing result of shape ${formatShape(shape)}`);
  });
  return t._alias(shape, strides, t._offset, null);
}

const INDEX: Derivative<{ sizes: number[]; adv: Advanced }> = {
  name: "IndexBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: indexPutGrad(grad, attrs.sizes, attrs.adv) }),
};

/** Gradient of advanced indexing: the incoming gradient summed into zeros at the indexed places. */
function indexPutGrad(grad: Tensor, sizes: number[], a: Advanced): Tensor {
  const out = grad.newZeros(sizes);
  return indexPut(out, a, grad, true);
}

const INDEX_PUT: Derivative<{ adv: Advanced; accumulate: boolean }> = {
  name: "IndexPutBackward0", inputs: ["self", "values"],
  backward: ({ grad, attrs, needs }) => ({
    self: needs("self") ? (attrs.accumulate ? grad : indexPut(grad.clone(), attrs.adv, grad.newZeros([]), false)) : null,
    values: needs("values") ? advancedIndex(grad, attrs.adv) : null,
  }),
};

/** index_put_ with resolved indices (differentiable in self and values). */
function indexPut(self: Tensor, a: Advanced, values: Tensor, accumulate: boolean): Tensor {
  return recordInplace(INDEX_PUT, self, [values], { adv: a, accumulate }, () => {
    const v = values.dtype === self.dtype ? values : k.copyAs(values, self.dtype);
    scatterAdvanced(self, a, v, accumulate);
    if (v !== values) v.dispose();
  });
}

/** Advanced indexing with resolved indices (recorded as IndexBackward0). */
function advancedIndex(src: Tensor, a: Advanced): Tensor {
  return record(INDEX, [src], { sizes: [...src._shape], adv: a }, () => gatherAdvanced(src, a));
}

// ---- getitem / setitem -------------------------------------------------------------------

/** Python's `t[items]`. */
export function getitem(self: Tensor, items: readonly IndexItem[]): Tensor {
  alive(self);
  if (items.length === 1) {
    const item = items[0];
    if (item === null) return unsqueeze(self, 0);
    if (item === Ellipsis) return alias(self);
    if (typeof item === "number") return applySelect(self, 0, item, 0);
    if (item instanceof Slice) return applySlice(self, 0, item, true);
  }
  const { result, advanced, temps } = applySlicing(self, items, false);
  try {
    if (advanced.length === 0) return result === self ? alias(self) : result;
    const a = resolveAdvanced(result, advanced, temps);
    const out = advancedIndex(result, a);
    if (result !== self) temps.push(result);
    return out;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** PyTorch's copy_to: same shape → copy_, 0-dim value → fill_, else broadcast then copy_. */
function copyTo(dst: Tensor, src: Tensor): void {
  if (sameShape(dst._shape, src._shape)) {
    dst.copy_(src);
    return;
  }
  if (src.ndim === 0) {
    dst.fill_(src);
    return;
  }
  let lead = 0;
  while (lead < src.ndim && src._shape[lead] === 1) lead++;
  const stripped = view(src, src._shape.slice(lead));
  let expanded: Tensor | null = null;
  try {
    expanded = expand(stripped, dst._shape);
    dst.copy_(expanded);
  } finally {
    expanded?.dispose();
    stripped.dispose();
  }
}

/** Python's `t[items] = value`, in place (the value broadcasts into the indexed region). */
export function setitem(self: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean): Tensor {
  alive(self);
  const v = value instanceof Tensor ? value : makeTensor(value as number, { dtype: self.dtype });
  const temps: Tensor[] = value instanceof Tensor ? [] : [v];
  try {
    if (items.length === 1) {
      const item = items[0];
      if (item === false) return self;
      let target: Tensor | null = null;
      if (item === Ellipsis) target = self;
      else if (item === null || item === true) target = unsqueeze(self, 0);
      else if (typeof item === "number") target = applySelect(self, 0, item, 0);
      else if (item instanceof Slice) target = applySlice(self, 0, item, false);
      if (target !== null) {
        if (target !== self) temps.push(target);
        copyTo(target, v);
        return self;
      }
    }
    const sliced = applySlicing(self, items, false);
    temps.push(...sliced.temps);
    if (sliced.result !== self) temps.push(sliced.result);
    if (sliced.advanced.length === 0) {
      copyTo(sliced.result, v);
      return self;
    }
    const a = resolveAdvanced(sliced.result, sliced.advanced, temps);
    checkInplaceTarget(sliced.result, [v], sliced.result.dtype, []);
    indexPut(sliced.result, a, v, false);
    return self;
  } finally {
    for (const t of temps) t.dispose();
  }
}

// ---- index ops ---------------------------------------------------------------------------------

const INDEX_SELECT: Derivative<{ dim: number; sizes: number[] }> = {
  name: "IndexSelectBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.newZeros(attrs.sizes).indexAdd(attrs.dim, saved("index"), grad) }),
};

function int64Index(index: Tensor, name: string): Tensor {
  if (index.dtype !== "int64" && index.dtype !== "int32") {
    throw new RuntimeError(`${name}(): Expected dtype int32/int64 for index`);
  }
  return index.dtype === "int64" ? index : k.copyAs(index, "int64");
}

export function indexSelect(self: Tensor, dim: number, index: Tensor): Tensor {
  alive(self, index);
  if (index.ndim > 1) throw new IndexError("index_select(): Index is supposed to be a vector");
  const d = normalizeDim(dim, self.ndim);
  const idx = int64Index(index, "index_select");
  return record(INDEX_SELECT, [self], { dim: d, sizes: [...self._shape] }, () => {
    const shape = [...self._shape];
    if (self.ndim > 0) shape[d] = idx.numel();
    const out = k.empty(self.ndim === 0 ? [] : shape, self.dtype);
    const strides = shape.map((_, i) => (i === d ? (idx.ndim === 0 ? 0 : idx._strides[0]) : 0));
    const spread = idx._alias(shape, strides, idx._offset, null);
    try {
      k.gather(self, d, spread, out);
    } catch (e) {
      out.dispose();
      throw e instanceof IndexError ? new IndexError("index out of range in self") : e;
    } finally {
      spread.dispose();
      if (idx !== index) idx.dispose();
    }
    return out;
  }, { index: idx });
}

const GATHER: Derivative<{ dim: number; sizes: number[] }> = {
  name: "GatherBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.newZeros(attrs.sizes).scatterAdd(attrs.dim, saved("index"), grad) }),
};

export function gather(self: Tensor, dim: number, index: Tensor): Tensor {
  alive(self, index);
  const d = normalizeDim(dim, self.ndim);
  if (index.dtype !== "int64") throw new RuntimeError("gather(): Expected dtype int64 for index");
  if (index.ndim !== self.ndim && !(index.ndim <= 1 && self.ndim <= 1)) {
    throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  }
  return record(GATHER, [self], { dim: d, sizes: [...self._shape] }, () => {
    const out = k.empty(index._shape, self.dtype);
    k.gather(self, d, index, out);
    return out;
  }, { index });
}

type DimAttr = { dim: number };
const SCATTER_ADD: Derivative<DimAttr> = {
  name: "ScatterAddBackward0", inputs: ["self", "src"],
  backward: ({ grad, attrs, needs, saved }) => ({
    self: needs("self") ? grad : null,
    src: needs("src") ? grad.gather(attrs.dim, saved("index")) : null,
  }),
};
const SCATTER: Derivative<DimAttr> = {
  name: "ScatterBackward0", inputs: ["self", "src"],
  backward: ({ grad, attrs, needs, saved }) => ({
    self: needs("self") ? grad.scatter(attrs.dim, saved("index"), 0) : null,
    src: needs("src") ? grad.gather(attrs.dim, saved("index")) : null,
  }),
};
const INDEX_ADD: Derivative<DimAttr> = {
  name: "IndexAddBackward0", inputs: ["self", "source"],
  backward: ({ grad, attrs, needs, saved }) => ({
    self: needs("self") ? grad : null,
    source: needs("source") ? grad.indexSelect(attrs.dim, saved("index")) : null,
  }),
};

/** out-of-place scatter / scatter_add / index_add: a copy of self with src written in. */
function scatterLike(
  d: Derivative<DimAttr>, self: Tensor, dim: number, index: Tensor, src: Tensor | number, mode: "set" | "add" | "indexAdd",
): Tensor {
  alive(self, index, src instanceof Tensor ? src : null);
  const dd = normalizeDim(dim, self.ndim);
  const idx = mode === "indexAdd" ? int64Index(index, "index_add") : index;
  if (idx.dtype !== "int64") throw new RuntimeError("scatter(): Expected dtype int64 for index");
  const source = src instanceof Tensor ? src : null;
  return record(d, [self, source], { dim: dd }, () => {
    const out = k.copyAs(self);
    let values: Tensor;
    if (source === null) {
      values = k.empty(idx._shape, self.dtype);
      k.fill(values, src as number);
    } else values = source.dtype === self.dtype ? source : k.copyAs(source, self.dtype);
    try {
      if (mode === "indexAdd") {
        const spread = idx._alias(values._shape, values._shape.map((_, i) => (i === dd ? idx._strides[0] ?? 0 : 0)), idx._offset, null);
        try {
          k.scatter(out, dd, spread, values, true);
        } finally {
          spread.dispose();
        }
      } else k.scatter(out, dd, idx, values, mode === "add");
    } finally {
      if (values !== source) values.dispose();
      if (idx !== index) idx.dispose();
    }
    return out;
  }, { index });
}

export function nonzero(self: Tensor): Tensor {
  alive(self);
  const mask = self.dtype === "bool" ? self : self.ne(0);
  const asInt = k.copyAs(mask, "int64");
  const count = k.empty([], "int64");
  k.reduce("Sum", asInt, [...mask._shape.keys()], count, null);
  const n = count.item();
  count.dispose();
  asInt.dispose();
  const contiguousMask = k.copyAs(mask);
  const out = k.nonzero(contiguousMask, n);
  contiguousMask.dispose();
  if (mask !== self) mask.dispose();
  return out;
}

const MASKED_SELECT: Derivative<{ sizes: number[]; shape: number[] }> = {
  name: "MaskedSelectBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => {
    const zeros = grad.newZeros(attrs.shape);
    const mask = saved("mask").expand(attrs.shape);
    return { self: zeros.maskedScatter(mask, grad).sumToSize(attrs.sizes) };
  },
};

export function maskedSelect(self: Tensor, mask: Tensor): Tensor {
  alive(self, mask);
  if (mask.dtype !== "bool") throw new RuntimeError(`masked_select: expected BoolTensor for mask`);
  const shape = broadcastShapes(self._shape, mask._shape);
  return record(MASKED_SELECT, [self], { sizes: [...self._shape], shape }, () => {
    const expanded = mask.expand(shape);
    const total = expanded.sum();
    const counted = total.item();
    total.dispose();
    expanded.dispose();
    return k.maskedSelect(self, mask, shape, counted);
  }, { mask });
}

export const indexingMethods = {
  /** Python's `t[i0, i1, ...]`: numbers, `slice(...)`, `null` (new axis), `"..."`, int or bool tensors. */
  index(this: Tensor, ...items: IndexItem[]): Tensor {
    return getitem(this, items);
  },
  /** Python's `t[index] = value` (in place; `index` is one item or an array of items). */
  setIndex_(this: Tensor, index: IndexItem | readonly IndexItem[], value: Tensor | number | boolean): Tensor {
    // an array is the list of items (`t[0, 1:] = v` is `setIndex_([0, slice(1)], v)`); a list index is `[[0, 2]]`
    return setitem(this, Array.isArray(index) ? (index as IndexItem[]) : [index as IndexItem], value);
  },
  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    return indexSelect(this, dim, index);
  },
  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    return gather(this, dim, index);
  },
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
    return scatterLike(SCATTER, this, dim, index, src, "set");
  },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterLike(SCATTER_ADD, this, dim, index, src, "add");
  },
  indexAdd(this: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
    return scatterLike(INDEX_ADD, this, dim, index, source, "indexAdd");
  },
  maskedSelect(this: Tensor, mask: Tensor): Tensor {
    return maskedSelect(this, mask);
  },
  nonzero(this: Tensor): Tensor {
    return nonzero(this);
  },
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor): Tensor {
    // positions of mask (row-major) take consecutive source elements
    const coords = nonzero(mask);
    const flatMask = mask.reshape(-1);
    const positions = flatMask.nonzero().reshape(-1);
    const out = this.reshape(-1).indexAdd(0, positions, source.reshape(-1).narrow(0, 0, positions.numel()).sub(this.reshape(-1).indexSelect(0, positions)));
    for (const t of [coords, flatMask, positions]) t.dispose();
    const shaped = out.view(this._shape);
    out.dispose();
    return shaped;
  },
};

void isGradEnabled;
