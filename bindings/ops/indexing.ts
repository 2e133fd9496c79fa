// Python indexing (`t[...]` and `t[...] = v`) with PyTorch's exact rules, and the mask ops.
// Ints, slices, None and Ellipsis give views (PyTorch's applySlicing); integer and bool
// tensors are advanced indices, collected by dim. Masks become coordinates (nonzero), and one
// kernel pass gathers (index) or writes (index_put_) the indexed elements, as PyTorch's
// TensorIterator-based index kernels do.
import { IndexError, RuntimeError, ValueError, formatShape, messages } from "../errors.js";
import { DTYPES } from "../tensor/dtype.js";
import { type Shape, broadcastShapes, contiguousStrides, expandStrides, numel, sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { alive } from "./checks.js";
import { tensor as makeTensor } from "./creation.js";
import * as k from "./kernels.js";
import { anyRequiresGrad } from "../autograd/variable.js";
import { type Derivative, record, recordInplace } from "./record.js";
import { cat } from "./shape.js";
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
export type IndexItem = number | null | typeof Ellipsis | Slice | Tensor | boolean | readonly unknown[];

/** An item after PyTorch's conversions: sequences and 0-dim tensors are resolved. */
type Item = number | null | typeof Ellipsis | Slice | boolean | Tensor;

const INDEX_MAX = Number.MAX_SAFE_INTEGER;
const isMask = (t: Tensor) => t.dtype === "bool" || t.dtype === "uint8";

/** Disposes every handle in `temps` (the temporaries an indexing call made for itself). */
function release(temps: readonly Tensor[]): void {
  for (const t of temps) t.dispose();
}

// ---- basic indexing: views ---------------------------------------------------------------------

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

/**
 * Python sequences become index tensors (bool when every entry is a bool, else int64); a 0-dim
 * integer tensor is an int and a 0-dim bool one a bool, as in PyTorch's applySlicing.
 */
function normalize(items: readonly IndexItem[], temps: Tensor[]): Item[] {
  return items.map((item): Item => {
    if (Array.isArray(item)) {
      let t = makeTensor(item as number[]);
      if (t.dtype !== "bool") {
        t.dispose();
        t = makeTensor(item as number[], { dtype: "int64" });
      }
      temps.push(t);
      return t;
    }
    if (item instanceof Tensor && item.ndim === 0 && !item.isFloatingPoint()) {
      return isMask(item) ? Number(item.item()) !== 0 : item.item();
    }
    return item as Item;
  });
}

/** Dims the items consume: a mask consumes as many as it has. */
function countSpecified(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) {
    if (it instanceof Tensor) n += isMask(it) ? it.ndim : 1;
    else if (typeof it === "number" || it instanceof Slice) n += 1;
  }
  return n;
}

interface Sliced {
  /** the tensor after the basic items (self, or a view of it) */
  result: Tensor;
  /** advanced indices by dim of `result` (PyTorch's outIndices); null where a dim is not indexed */
  indices: (Tensor | null)[];
}

/**
 * PyTorch's applySlicing: basic items make views, tensor items are recorded at the current dim.
 * Like PyTorch, every tensor item advances the dim by one (a 2-d mask is expanded later).
 * Intermediate views and made index tensors go to `temps`; `result` is the caller's.
 */
function applySlicing(self: Tensor, items: readonly Item[], temps: Tensor[]): Sliced {
  const specified = countSpecified(items);
  if (specified > self.ndim) throw new IndexError(`too many indices for tensor of dimension ${self.ndim}`);
  const indices: (Tensor | null)[] = [];
  let result = self;
  let dim = 0;
  const step = (next: Tensor) => {
    if (next !== result && result !== self) temps.push(result);
    result = next;
  };
  const recordIndex = (t: Tensor) => {
    while (indices.length < dim) indices.push(null);
    indices[dim] = t;
    dim++;
  };
  items.forEach((item, i) => {
    if (typeof item === "number") step(applySelect(result, dim, item, i));
    else if (item instanceof Slice) {
      step(applySlice(result, dim, item, false));
      dim++;
    } else if (item === Ellipsis) dim += self.ndim - specified;
    else if (item === null) {
      step(unsqueeze(result, dim));
      dim++;
    } else if (typeof item === "boolean") {
      // a bool indexes a new size-1 dim with [0] (keep it) or [] (drop it)
      step(unsqueeze(result, dim));
      const index = makeTensor(item ? [0] : [], { dtype: "int64" });
      temps.push(index);
      recordIndex(index);
    } else recordIndex(item);
  });
  return { result, indices };
}

// ---- advanced indexing ---------------------------------------------------------------------------

/**
 * PyTorch's checkIndexTensorTypes and expandTensors: masks are replaced by the coordinates of
 * their true elements (one int64 tensor per mask dim), int32 indices become int64.
 */
function expandIndices(self: Tensor, indices: readonly (Tensor | null)[], temps: Tensor[]): (Tensor | null)[] {
  if (indices.length > self.ndim) throw new IndexError(`too many indices for tensor of dimension ${self.ndim} (got ${indices.length})`);
  for (const t of indices) {
    if (t !== null && t.isFloatingPoint()) throw new IndexError("tensors used as indices must be long, int, byte or bool tensors");
  }
  const out: (Tensor | null)[] = [];
  for (const t of indices) {
    if (t === null) out.push(null);
    else if (isMask(t)) {
      for (let j = 0; j < t.ndim; j++) {
        const srcIdx = out.length + j;
        if (srcIdx >= self.ndim) throw new IndexError(messages.dimRange(srcIdx, self.ndim));
        if (t._shape[j] !== self._shape[srcIdx]) {
          throw new IndexError(
            `The shape of the mask ${formatShape(t._shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(self._shape)} at index ${srcIdx}`,
          );
        }
      }
      const coords = nonzero(t);
      temps.push(coords);
      for (let j = 0; j < t.ndim; j++) {
        const column = select(coords, 1, j);
        temps.push(column);
        out.push(column);
      }
    } else if (t.dtype === "int32") {
      const wide = k.copyAs(t, "int64");
      temps.push(wide);
      out.push(wide);
    } else out.push(t);
  }
  return out;
}

/** Where the indexed elements are: the layout PyTorch's AdvancedIndex computes. */
interface Plan {
  /** the indexed tensor, or its alias with the indexed dims moved to the front */
  data: Tensor;
  /** the int64 indices of the indexed dims, in order */
  indices: Tensor[];
  /** the dims of `data` they address: consecutive, from `before` */
  before: number;
  /** the broadcast shape of the indices */
  indexShape: number[];
  /** data's dims before the indexed ones, the index shape, data's dims after them */
  resultShape: number[];
}

/** Broadcasts the indices, moves non-adjacent indexed dims to the front (PyTorch's make_info). */
function plan(self: Tensor, indices: readonly (Tensor | null)[], temps: Tensor[]): Plan {
  const present = indices.filter((t): t is Tensor => t !== null);
  let indexShape: number[] = [];
  try {
    for (const t of present) indexShape = broadcastShapes(indexShape, t._shape);
  } catch {
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${present.map((t) => formatShape(t._shape)).join(", ")}`);
  }
  const dims = indices.flatMap((t, d) => (t === null ? [] : [d]));
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
  let data = self;
  let before = dims[0];
  if (!adjacent) {
    const order = [...dims, ...[...self._shape.keys()].filter((d) => !dims.includes(d))];
    data = self._alias(order.map((d) => self._shape[d]), order.map((d) => self._strides[d]), self._offset, null);
    temps.push(data);
    before = 0;
  }
  const after = data._shape.slice(before + dims.length);
  return { data, indices: present, before, indexShape, resultShape: [...data._shape.slice(0, before), ...indexShape, ...after] };
}

/** PyTorch's bounds check of the index kernel: the first bad index of the first index tensor that has one. */
function checkBounds(p: Plan): void {
  p.indices.forEach((idx, j) => {
    const size = p.data._shape[p.before + j];
    const bad = k.firstOutOfRange(idx, -size, size);
    if (bad !== null) throw new IndexError(`index ${bad} is out of bounds for dimension ${j} with size ${size}`);
  });
}

/** The kernel operands of a plan: data's strides over the result box and each index's. */
function operands(p: Plan): { dataStrides: number[]; indices: k.IndexOperand[] } {
  const { data, before, indexShape } = p;
  const afterStrides = data._strides.slice(before + p.indices.length);
  const lead = new Array<number>(before).fill(0);
  const trail = new Array<number>(afterStrides.length).fill(0);
  return {
    dataStrides: [...data._strides.slice(0, before), ...indexShape.map(() => 0), ...afterStrides],
    indices: p.indices.map((idx, j) => ({
      index: idx,
      strides: [...lead, ...expandStrides(idx._shape, idx._strides, indexShape), ...trail],
      size: data._shape[before + j],
      stride: data._strides[before + j],
    })),
  };
}

/** Saved indices travel with a node as `index0`, `index1`, ... at the dims listed in `slots`. */
interface IndexAttrs {
  slots: number[];
}

function savedIndices(indices: readonly (Tensor | null)[]): { attrs: IndexAttrs; aux: Record<string, Tensor> } {
  const slots: number[] = [];
  const aux: Record<string, Tensor> = {};
  indices.forEach((t, d) => {
    if (t === null) return;
    aux[`index${slots.length}`] = t;
    slots.push(d);
  });
  return { attrs: { slots }, aux };
}

function restoredIndices(attrs: IndexAttrs, saved: (name: string) => Tensor): (Tensor | null)[] {
  const out: (Tensor | null)[] = new Array<Tensor | null>(attrs.slots.length === 0 ? 0 : attrs.slots[attrs.slots.length - 1] + 1).fill(null);
  attrs.slots.forEach((d, i) => (out[d] = saved(`index${i}`)));
  return out;
}

const INDEX: Derivative<IndexAttrs & { sizes: number[] }> = {
  name: "IndexBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: indexPutInplace(grad.newZeros(attrs.sizes), restoredIndices(attrs, saved), grad, true) }),
};

/** PyTorch's `index(self, indices)`: indices by dim (null: the whole dim), a fresh tensor. */
export function index(self: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  alive(self, ...indices);
  const mask = leadingMask(self, indices);
  if (mask !== null && !anyRequiresGrad([self])) return selectByMask(self, mask);
  const temps: Tensor[] = [];
  try {
    const expanded = expandIndices(self, indices, temps);
    const p = plan(self, expanded, temps);
    checkBounds(p);
    const { attrs, aux } = savedIndices(expanded);
    return record(INDEX, [self], { ...attrs, sizes: [...self._shape] }, () => {
      const out = k.empty(p.resultShape, self.dtype);
      const ops = operands(p);
      k.index(out, p.data, ops.dataStrides, ops.indices);
      return out;
    }, aux);
  } finally {
    release(temps);
  }
}

const INDEX_PUT: Derivative<IndexAttrs & { accumulate: boolean }> = {
  name: "IndexPutBackward0", inputs: ["self", "values"],
  backward: ({ grad, attrs, saved, needs }) => {
    const indices = restoredIndices(attrs, saved);
    return {
      self: needs("self") ? (attrs.accumulate ? grad : indexPut(grad, indices, grad.newZeros([]), false)) : null,
      values: needs("values") ? index(grad, indices) : null,
    };
  },
};

/** PyTorch's assert_no_overlap: the written tensor may not share memory with an input at all. */
function checkNoOverlap(self: Tensor, other: Tensor): void {
  if (self._storage !== other._storage || self.numel() === 0 || other.numel() === 0) return;
  const extent = (t: Tensor) => {
    let hi = t._offset;
    t._shape.forEach((s, d) => (hi += (s - 1) * t._strides[d]));
    return [t._offset, hi];
  };
  const [a0, a1] = extent(self);
  const [b0, b1] = extent(other);
  if (a0 <= b1 && b0 <= a1) throw new RuntimeError(messages.partialOverlap());
}

/**
 * The checks of index_put_ that need no kernel. One mask index with a one-element value makes
 * PyTorch dispatch to masked_fill_ (canDispatchToMaskedFill), which converts the value instead
 * of requiring self's dtype.
 */
function checkIndexPut(self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate: boolean): void {
  alive(self, values, ...indices);
  const present = indices.filter((t): t is Tensor => t !== null);
  const viaMaskedFill = !accumulate && values.numel() === 1 && present.length === 1 && isMask(present[0]);
  if (values.dtype !== self.dtype && !viaMaskedFill) {
    throw new RuntimeError(
      `Index put requires the source and destination dtypes match, got ${DTYPES[self.dtype].scalarName} for the destination and ${DTYPES[values.dtype].scalarName} for the source.`,
    );
  }
}

/** Writes (or adds) `values` into `target` at the expanded indices, after PyTorch's checks. */
function putValues(target: Tensor, expanded: readonly (Tensor | null)[], values: Tensor, accumulate: boolean): void {
  const temps: Tensor[] = [];
  try {
    const p = plan(target, expanded, temps);
    if (!isExpandable(values._shape, p.resultShape)) {
      throw new RuntimeError(`shape mismatch: value tensor of shape ${formatShape(values._shape)} cannot be broadcast to indexing result of shape ${formatShape(p.resultShape)}`);
    }
    checkBounds(p);
    const v = values.dtype === target.dtype ? values : k.copyAs(values, target.dtype);
    if (v !== values) temps.push(v);
    const ops = operands(p);
    k.indexPut(p.data, p.resultShape, ops.dataStrides, v, expandStrides(v._shape, v._strides, p.resultShape), ops.indices, accumulate);
  } finally {
    release(temps);
  }
}

// ---- one mask over the leading dims, nothing recorded: no coordinates needed ---------------------

/**
 * A single bool mask indexing self's leading dims (its shape matching them), the common
 * `t[mask]` and `t[mask] = v`. Without a graph to record, these run as PyTorch's masked_select
 * and masked_fill_ (what index_put_ dispatches to) do, without computing coordinates.
 */
function leadingMask(self: Tensor, indices: readonly (Tensor | null)[]): Tensor | null {
  const mask = indices[0];
  if (indices.length !== 1 || mask === null || mask.dtype !== "bool" || mask.ndim > self.ndim) return null;
  return mask._shape.every((s, d) => s === self._shape[d]) ? mask : null;
}

/** The mask seen over all of self's dims (size-1 trailing dims broadcast). */
function spreadMask(self: Tensor, mask: Tensor): Tensor {
  const trailing = self.ndim - mask.ndim;
  return mask._alias(self._shape, [...mask._strides, ...new Array<number>(trailing).fill(0)], mask._offset, null);
}

/** self[mask] as [count, ...trailing dims]: the selected rows in row-major order. */
function selectByMask(self: Tensor, mask: Tensor): Tensor {
  const spread = spreadMask(self, mask);
  const rest = self._shape.slice(mask.ndim);
  try {
    const flat = k.maskedSelect(self, spread, self._shape, countTrue(spread));
    const shape = [flat.numel() / Math.max(numel(rest), 1), ...rest];
    const out = flat._alias(shape, contiguousStrides(shape), 0, null);
    flat.dispose();
    return out;
  } finally {
    spread.dispose();
  }
}

/** self[mask] = value (one element) in place, as masked_fill_. */
function fillByMask(self: Tensor, mask: Tensor, value: Tensor): Tensor {
  alive(value);
  return recordInplace(INDEX_PUT, self, [value], { slots: [], accumulate: false }, () => {
    checkNoOverlap(self, value);
    const spread = spreadMask(self, mask);
    const converted = k.copyAs(value, self.dtype, []);
    try {
      k.where(spread, converted, self, self);
    } finally {
      spread.dispose();
      converted.dispose();
    }
  });
}

/** Runs `fn` with the indices expanded (masks as coordinates) and ready to be saved for backward. */
function withIndices(
  self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate: boolean,
  fn: (expanded: (Tensor | null)[], attrs: IndexAttrs & { accumulate: boolean }, aux: Record<string, Tensor>) => Tensor,
): Tensor {
  checkIndexPut(self, indices, values, accumulate);
  const temps: Tensor[] = [];
  try {
    const expanded = expandIndices(self, indices, temps);
    const { attrs, aux } = savedIndices(expanded);
    return fn(expanded, { ...attrs, accumulate }, aux);
  } finally {
    release(temps);
  }
}

/** PyTorch's index_put_: values (broadcast to the indexing result) written at the indexed places. */
export function indexPutInplace(self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false): Tensor {
  const mask = leadingMask(self, indices);
  if (mask !== null && !accumulate && values.numel() === 1 && !anyRequiresGrad([self, values])) return fillByMask(self, mask, values);
  return withIndices(self, indices, values, accumulate, (expanded, attrs, aux) =>
    recordInplace(INDEX_PUT, self, [values], attrs, () => {
      checkNoOverlap(self, values);
      for (const t of expanded) if (t !== null) checkNoOverlap(self, t);
      putValues(self, expanded, values, accumulate);
    }, { aux }));
}

/** PyTorch's index_put: a copy of self with the values written in. */
export function indexPut(self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false): Tensor {
  return withIndices(self, indices, values, accumulate, (expanded, attrs, aux) =>
    record(INDEX_PUT, [self, values], attrs, () => k.filled(k.copyAs(self), (out) => putValues(out, expanded, values, accumulate)), aux));
}

function isExpandable(shape: Shape, to: Shape): boolean {
  if (shape.length > to.length) return false;
  for (let i = 1; i <= shape.length; i++) {
    const s = shape[shape.length - i];
    if (s !== 1 && s !== to[to.length - i]) return false;
  }
  return true;
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
  const temps: Tensor[] = [];
  try {
    const { result, indices } = applySlicing(self, normalize(items, temps), temps);
    if (indices.length === 0) return result === self ? alias(self) : result;
    if (result !== self) temps.push(result);
    return index(result, indices);
  } finally {
    release(temps);
  }
}

/** PyTorch's slicePrefix1sSize: the value without its leading size-1 dims. */
function withoutLeadingOnes(value: Tensor): Tensor {
  let lead = 0;
  while (lead < value.ndim && value._shape[lead] === 1) lead++;
  return lead === 0 ? value : view(value, value._shape.slice(lead));
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
  const stripped = withoutLeadingOnes(src);
  let expanded: Tensor | null = null;
  try {
    expanded = expand(stripped, dst._shape);
    dst.copy_(expanded);
  } finally {
    expanded?.dispose();
    if (stripped !== src) stripped.dispose();
  }
}

/** The view a single basic item selects for assignment, or null when it needs the general path. */
function singleTarget(self: Tensor, item: IndexItem): Tensor | null {
  if (item === Ellipsis) return self;
  if (item === null || item === true) return unsqueeze(self, 0);
  if (typeof item === "number") return applySelect(self, 0, item, 0);
  if (item instanceof Slice) return applySlice(self, 0, item, false);
  return null;
}

/** Python's `t[items] = value`, in place (the value broadcasts into the indexed region). */
export function setitem(self: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean): Tensor {
  alive(self);
  // a Python number becomes a 0-dim tensor of self's dtype
  const v = value instanceof Tensor ? value : makeTensor(value, { dtype: self.dtype });
  const temps: Tensor[] = value instanceof Tensor ? [] : [v];
  try {
    if (items.length === 1) {
      if (items[0] === false) return self;
      const target = singleTarget(self, items[0]);
      if (target !== null) {
        if (target !== self) temps.push(target);
        copyTo(target, v);
        return self;
      }
    }
    const { result, indices } = applySlicing(self, normalize(items, temps), temps);
    if (result !== self) temps.push(result);
    if (indices.length === 0) {
      copyTo(result, v);
      return self;
    }
    const stripped = withoutLeadingOnes(v);
    if (stripped !== v) temps.push(stripped);
    indexPutInplace(result, indices, stripped);
    return self;
  } finally {
    release(temps);
  }
}

// ---- masks -------------------------------------------------------------------------------------

/** The number of true elements of a bool tensor (broadcast to `shape`). */
function countTrue(mask: Tensor, shape: Shape = mask._shape): number {
  const spread = mask._alias(shape, expandStrides(mask._shape, mask._strides, shape), mask._offset, null);
  const wide = k.copyAs(spread, "int64");
  const count = k.empty([], "int64");
  try {
    k.reduce("Sum", wide, [...shape.keys()], count, null);
    return count.item();
  } finally {
    release([spread, wide, count]);
  }
}

/** [count, ndim] int64 coordinates of the nonzero elements, in row-major order. */
export function nonzero(self: Tensor): Tensor {
  alive(self);
  const mask = self.dtype === "bool" ? self : k.compare("Ne", self, { scalar: 0, dtype: self.dtype }, self.dtype, k.empty(self._shape, "bool"));
  try {
    return k.nonzero(mask, countTrue(mask));
  } finally {
    if (mask !== self) mask.dispose();
  }
}

/** nonzero(as_tuple=True): the coordinates along each dim as a 1-D tensor (a 0-dim input counts as 1-D). */
export function nonzeroColumns(self: Tensor): Tensor[] {
  const coords = nonzero(self);
  try {
    const n = coords._shape[0];
    if (self.ndim === 0) {
      const out = k.empty([n], "int64");
      k.fill(out, 0);
      return [out];
    }
    return self._shape.map((_, j) => {
      const column = coords._alias([n], [coords._strides[0]], j, null);
      const out = k.copyAs(column);
      column.dispose();
      return out;
    });
  } finally {
    coords.dispose();
  }
}

const MASKED_SELECT: Derivative<{ shape: number[] }> = {
  name: "MaskedSelectBackward0", inputs: ["self"],
  backward: ({ grad, attrs, saved }) => ({ self: grad.newZeros(attrs.shape).maskedScatter(saved("mask"), grad) }),
};

function checkBoolMask(mask: Tensor, op: string): void {
  if (mask.dtype !== "bool") throw new RuntimeError(`${op}: expected BoolTensor for mask`);
}

/** The elements of self where mask (broadcast together) is true, as a 1-D tensor. */
export function maskedSelect(self: Tensor, mask: Tensor): Tensor {
  alive(self, mask);
  checkBoolMask(mask, "masked_select");
  const shape = broadcastShapes(self._shape, mask._shape);
  return record(MASKED_SELECT, [self], { shape }, () => k.maskedSelect(self, mask, shape, countTrue(mask, shape)), { mask });
}

const MASKED_SCATTER: Derivative<{ sourceShape: number[] }> = {
  name: "MaskedScatterBackward0", inputs: ["self", "source"],
  backward: ({ grad, attrs, saved, needs }) => {
    const mask = saved("mask");
    if (!needs("source")) return { self: grad.maskedFill(mask, 0) };
    // the selected gradient, padded with zeros to source's size
    const selected = grad.maskedSelect(mask);
    const missing = numel(attrs.sourceShape) - selected.numel();
    const flat = missing > 0 ? cat([selected, selected.newZeros([missing])], 0) : selected;
    return { self: needs("self") ? grad.maskedFill(mask, 0) : null, source: flat.view(attrs.sourceShape) };
  },
};

/** self with the positions where mask is true taking source's elements in order (row-major). */
export function maskedScatter(self: Tensor, mask: Tensor, source: Tensor): Tensor {
  alive(self, mask, source);
  checkBoolMask(mask, "masked_scatter_");
  if (self.dtype !== source.dtype) {
    throw new RuntimeError(`masked_scatter_: expected self and source to have same dtypes but got ${DTYPES[self.dtype].scalarName} and ${DTYPES[source.dtype].scalarName}`);
  }
  const shape = broadcastShapes(self._shape, mask._shape);
  return record(MASKED_SCATTER, [self, source], { sourceShape: [...source._shape] }, () =>
    k.filled(k.copyAs(self, self.dtype, shape), (out) => {
      const temps: Tensor[] = [];
      try {
        const spread = mask._alias(shape, expandStrides(mask._shape, mask._strides, shape), mask._offset, null);
        temps.push(spread);
        const coords = k.nonzero(spread, countTrue(spread));
        temps.push(coords);
        const count = coords._shape[0];
        if (count > source.numel()) throw new RuntimeError("Number of elements of source < number of ones in mask");
        const flat = k.copyAs(source);
        const used = flat._alias([count], [1], 0, null);
        const columns = shape.map((_, j) => coords._alias([count], [coords._strides[0]], j, null));
        temps.push(flat, used, ...columns);
        const p = plan(out, columns, temps);
        const ops = operands(p);
        k.indexPut(out, p.resultShape, ops.dataStrides, used, [1], ops.indices, false);
      } finally {
        release(temps);
      }
    }), { mask });
}

/** nonzero's overloads: coordinates as one [count, ndim] tensor, or one tensor per dim. */
export interface NonzeroMethod {
  nonzero(): Tensor;
  nonzero(options: { asTuple: true }): Tensor[];
  nonzero(options?: { asTuple?: boolean }): Tensor | Tensor[];
}

export const indexingMethods = {
  /** Python's `t[i0, i1, ...]`: numbers, `slice(...)`, `null` (new axis), `"..."`, int or bool tensors, arrays. */
  index(this: Tensor, ...items: IndexItem[]): Tensor {
    return getitem(this, items);
  },
  /** Python's `t[index] = value` (in place; `index` is one item or an array of items). */
  setIndex_(this: Tensor, index: IndexItem | readonly IndexItem[], value: Tensor | number | boolean): Tensor {
    // an array is the list of items (`t[0, 1:] = v` is `setIndex_([0, slice(1)], v)`); a list index is `[[0, 2]]`
    return setitem(this, Array.isArray(index) ? (index as IndexItem[]) : [index as IndexItem], value);
  },
  /** PyTorch's index_put_: `indices` by dim (null for a whole dim). */
  indexPut_(this: Tensor, indices: readonly (Tensor | null)[], values: Tensor, options: { accumulate?: boolean } = {}): Tensor {
    return indexPutInplace(this, indices, values, options.accumulate ?? false);
  },
  indexPut(this: Tensor, indices: readonly (Tensor | null)[], values: Tensor, options: { accumulate?: boolean } = {}): Tensor {
    return indexPut(this, indices, values, options.accumulate ?? false);
  },
  maskedSelect(this: Tensor, mask: Tensor): Tensor {
    return maskedSelect(this, mask);
  },
  maskedScatter(this: Tensor, mask: Tensor, source: Tensor): Tensor {
    return maskedScatter(this, mask, source);
  },
  /** [count, ndim] coordinates, or with `{ asTuple: true }` one 1-D tensor per dim */
  nonzero(this: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
    return options.asTuple === true ? nonzeroColumns(this) : nonzero(this);
  },
};
