// Python indexing (`t[...]` and `t[...] = v`) with PyTorch's exact rules, and the mask ops.
// Ints, slices, None and Ellipsis give views (PyTorch's applySlicing); integer and bool
// tensors are advanced indices, collected by dim. Masks become coordinates (nonzero), and one
// kernel pass gathers (index) or writes (index_put_) the indexed elements, as PyTorch's
// TensorIterator-based index kernels do.
import { IndexError, RuntimeError, ValueError, formatShape, messages } from "../errors.js";
import { DTYPES } from "../tensor/dtype.js";
import { type Shape, broadcastShapes, contiguousStrides, expandStrides, isExpandable, numel, sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { method } from "./args.js";
import { alive } from "./checks.js";
import { tensor as makeTensor } from "./creation.js";
import * as k from "./kernels.js";
import { anyRequiresGrad } from "../autograd/variable.js";
import { type Derivative, record, recordInplace } from "./record.js";
import { nonzeroMask } from "./reduction.js";
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

const isMask = (t: Tensor) => t.dtype === "bool" || t.dtype === "uint8";

/** `t` kept in `temps` (the handles an indexing call made for itself, disposed when it ends). */
const made = (temps: Tensor[], t: Tensor) => (temps.push(t), t);

/** `t` seen with `shape` (broadcast), kept in `temps`. */
const broadcastTo = (t: Tensor, shape: Shape, temps: Tensor[]) =>
  made(temps, t._alias(shape, expandStrides(t._shape, t._strides, shape), t._offset, null));

/** Column j of [count, ndim] coordinates (a 1-D view), kept in `temps`. */
const column = (coords: Tensor, j: number, temps: Tensor[]) => made(temps, coords._alias([coords._shape[0]], [coords._strides[0]], j, null));

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
  const stop = s.stop ?? Number.MAX_SAFE_INTEGER;
  if (!disableOptimization && start === 0 && self._shape[dim] === stop && step === 1) return self;
  return sliceView(self, dim, start, stop, step);
}

/** The view one basic item alone makes (`t[0]`, `t[1:]`, `t[None]`, `t[...]`), or null for the general path. */
function singleItem(self: Tensor, item: IndexItem, forWrite: boolean): Tensor | null {
  if (item === Ellipsis) return forWrite ? self : alias(self);
  if (item === null || (forWrite && item === true)) return unsqueeze(self, 0);
  if (typeof item === "number") return applySelect(self, 0, item, 0);
  // reading disables the full-slice optimization (PyTorch's getitem)
  return item instanceof Slice ? applySlice(self, 0, item, !forWrite) : null;
}

/**
 * Python sequences become index tensors (bool when every entry is a bool, else int64); a 0-dim
 * integer tensor is an int and a 0-dim bool one a bool, as in PyTorch's applySlicing.
 */
function normalize(items: readonly IndexItem[], temps: Tensor[]): Item[] {
  return items.map((item): Item => {
    if (Array.isArray(item)) {
      const t = makeTensor(item as number[]);
      if (t.dtype === "bool") return made(temps, t);
      t.dispose();
      return made(temps, makeTensor(item as number[], { dtype: "int64" }));
    }
    if (item instanceof Tensor && item.ndim === 0 && !item.isFloatingPoint()) {
      return isMask(item) ? Number(item.item()) !== 0 : item.item();
    }
    return item as Item;
  });
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
  // the dims the items consume: a mask consumes as many as it has
  let specified = 0;
  for (const it of items) {
    if (it instanceof Tensor) specified += isMask(it) ? it.ndim : 1;
    else if (typeof it === "number" || it instanceof Slice) specified += 1;
  }
  if (specified > self.ndim) throw new IndexError(`too many indices for tensor of dimension ${self.ndim}`);
  const indices: (Tensor | null)[] = [];
  let result = self;
  let dim = 0;
  const step = (next: Tensor, advance = 1) => {
    if (next !== result && result !== self) temps.push(result);
    result = next;
    dim += advance;
  };
  const recordIndex = (t: Tensor) => {
    while (indices.length < dim) indices.push(null);
    indices[dim++] = t;
  };
  items.forEach((item, i) => {
    if (typeof item === "number") step(applySelect(result, dim, item, i), 0);
    else if (item instanceof Slice) step(applySlice(result, dim, item, false));
    else if (item === Ellipsis) dim += self.ndim - specified;
    else if (item === null) step(unsqueeze(result, dim));
    else if (typeof item === "boolean") {
      // a bool indexes a new size-1 dim with [0] (keep it) or [] (drop it)
      step(unsqueeze(result, dim), 0);
      recordIndex(made(temps, makeTensor(item ? [0] : [], { dtype: "int64" })));
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
    if (t === null || !isMask(t)) out.push(t === null || t.dtype !== "int32" ? t : made(temps, k.copyAs(t, "int64")));
    else {
      for (let j = 0; j < t.ndim; j++) {
        const srcIdx = out.length + j;
        if (srcIdx >= self.ndim) throw new IndexError(messages.dimRange(srcIdx, self.ndim));
        if (t._shape[j] !== self._shape[srcIdx]) {
          throw new IndexError(
            `The shape of the mask ${formatShape(t._shape)} at index ${j} does not match the shape of the indexed tensor ${formatShape(self._shape)} at index ${srcIdx}`,
          );
        }
      }
      const coords = made(temps, nonzero(t));
      for (let j = 0; j < t.ndim; j++) out.push(made(temps, select(coords, 1, j)));
    }
  }
  return out;
}

/** Where the indexed elements are: the layout PyTorch's AdvancedIndex computes. */
interface Plan {
  /** the indexed tensor, or its alias with the indexed dims moved to the front */
  data: Tensor;
  /** data's dims before the indexed ones, the broadcast shape of the indices, data's dims after them */
  resultShape: number[];
  /** data's strides over the result (0 over the index dims) */
  dataStrides: number[];
  /** the int64 indices of the indexed dims, in order, as the kernels take them */
  indices: k.IndexOperand[];
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
  let data = self;
  let before = dims[0];
  if (!dims.every((d, i) => i === 0 || d === dims[i - 1] + 1)) {
    const order = [...dims, ...[...self._shape.keys()].filter((d) => !dims.includes(d))];
    data = made(temps, self._alias(order.map((d) => self._shape[d]), order.map((d) => self._strides[d]), self._offset, null));
    before = 0;
  }
  const after = before + dims.length;
  const zeros = (n: number) => new Array<number>(n).fill(0);
  return {
    data,
    resultShape: [...data._shape.slice(0, before), ...indexShape, ...data._shape.slice(after)],
    dataStrides: [...data._strides.slice(0, before), ...zeros(indexShape.length), ...data._strides.slice(after)],
    indices: present.map((index, j) => ({
      index,
      strides: [...zeros(before), ...expandStrides(index._shape, index._strides, indexShape), ...zeros(data.ndim - after)],
      size: data._shape[before + j],
      stride: data._strides[before + j],
    })),
  };
}

/** PyTorch's bounds check of the index kernel: the first bad index of the first index tensor that has one. */
function checkBounds(p: Plan): void {
  p.indices.forEach(({ index, size }, j) => {
    const bad = k.firstOutOfRange(index, -size, size);
    if (bad !== null) throw new IndexError(`index ${bad} is out of bounds for dimension ${j} with size ${size}`);
  });
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
  backward: ({ grad, attrs, saved }) => ({ self: indexPut(grad.newZeros(attrs.sizes), restoredIndices(attrs, saved), grad, true, true) }),
};

/** PyTorch's `index(self, indices)`: indices by dim (null: the whole dim), a fresh tensor. */
export function index(self: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  alive(self, ...indices);
  const mask = leadingMask(self, indices);
  if (mask !== null && !anyRequiresGrad([self])) return selectByMask(self, mask);
  return k.disposing((temps) => {
    const expanded = expandIndices(self, indices, temps);
    const p = plan(self, expanded, temps);
    checkBounds(p);
    const { attrs, aux } = savedIndices(expanded);
    return record(INDEX, [self], { ...attrs, sizes: [...self._shape] }, () =>
      k.filled(k.empty(p.resultShape, self.dtype), (out) => k.index(out, p.data, p.dataStrides, p.indices)), aux);
  });
}

const INDEX_PUT: Derivative<IndexAttrs & { accumulate: boolean }> = {
  name: "IndexPutBackward0", inputs: ["self", "values"],
  backward: ({ grad, attrs, saved }) => {
    const indices = restoredIndices(attrs, saved);
    return {
      self: attrs.accumulate ? grad : () => indexPut(grad, indices, grad.newZeros([]), false),
      values: () => index(grad, indices),
    };
  },
};

/** PyTorch's assert_no_overlap: the written tensor may not share memory with an input at all. */
function checkNoOverlap(self: Tensor, other: Tensor): void {
  if (self._storage !== other._storage || self.numel() === 0 || other.numel() === 0) return;
  const extent = (t: Tensor) => t._shape.reduce((hi, s, d) => hi + (s - 1) * t._strides[d], t._offset);
  if (self._offset <= extent(other) && other._offset <= extent(self)) throw new RuntimeError(messages.partialOverlap());
}

/** Writes (or adds) `values` into `target` at the expanded indices, after PyTorch's checks. */
function putValues(target: Tensor, expanded: readonly (Tensor | null)[], values: Tensor, accumulate: boolean): void {
  k.disposing((temps) => {
    const p = plan(target, expanded, temps);
    if (!isExpandable(values._shape, p.resultShape)) {
      throw new RuntimeError(`shape mismatch: value tensor of shape ${formatShape(values._shape)} cannot be broadcast to indexing result of shape ${formatShape(p.resultShape)}`);
    }
    checkBounds(p);
    const v = values.dtype === target.dtype ? values : made(temps, k.copyAs(values, target.dtype));
    k.indexPut(p.data, p.resultShape, p.dataStrides, v, expandStrides(v._shape, v._strides, p.resultShape), p.indices, accumulate);
  });
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
function spreadMask(self: Tensor, mask: Tensor, temps: Tensor[]): Tensor {
  return made(temps, mask._alias(self._shape, [...mask._strides, ...self._shape.slice(mask.ndim).map(() => 0)], mask._offset, null));
}

/** self[mask] as [count, ...trailing dims]: the selected rows in row-major order. */
function selectByMask(self: Tensor, mask: Tensor): Tensor {
  return k.disposing((temps) => {
    const spread = spreadMask(self, mask, temps);
    const rest = self._shape.slice(mask.ndim);
    const flat = made(temps, k.maskedSelect(self, spread, self._shape, countTrue(spread)));
    const shape = [flat.numel() / Math.max(numel(rest), 1), ...rest];
    return flat._alias(shape, contiguousStrides(shape), 0, null);
  });
}

/**
 * PyTorch's index_put_ (`inplace`: values broadcast to the indexing result written at the
 * indexed places) or index_put (a copy of self with them written in). One mask index with a
 * one-element value makes PyTorch dispatch to masked_fill_ (canDispatchToMaskedFill), which
 * converts the value instead of requiring self's dtype, and needs no coordinates when nothing
 * is recorded.
 */
export function indexPut(self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false, inplace = false): Tensor {
  alive(self, values, ...indices);
  const present = indices.filter((t): t is Tensor => t !== null);
  const viaMaskedFill = !accumulate && values.numel() === 1 && present.length === 1 && isMask(present[0]);
  const mask = leadingMask(self, indices);
  if (inplace && viaMaskedFill && mask !== null && !anyRequiresGrad([self, values])) {
    return recordInplace(INDEX_PUT, self, [values], { slots: [], accumulate }, () => {
      checkNoOverlap(self, values);
      k.disposing((temps) => k.where(spreadMask(self, mask, temps), made(temps, k.copyAs(values, self.dtype, [])), self, self));
    });
  }
  if (values.dtype !== self.dtype && !viaMaskedFill) {
    throw new RuntimeError(
      `Index put requires the source and destination dtypes match, got ${DTYPES[self.dtype].scalarName} for the destination and ${DTYPES[values.dtype].scalarName} for the source.`,
    );
  }
  return k.disposing((temps) => {
    const expanded = expandIndices(self, indices, temps);
    const { attrs, aux } = savedIndices(expanded);
    const attrsPut = { ...attrs, accumulate };
    if (!inplace) return record(INDEX_PUT, [self, values], attrsPut, () => k.filled(k.copyAs(self), (out) => putValues(out, expanded, values, accumulate)), aux);
    return recordInplace(INDEX_PUT, self, [values], attrsPut, () => {
      for (const t of [values, ...expanded]) if (t !== null) checkNoOverlap(self, t);
      putValues(self, expanded, values, accumulate);
    }, { aux });
  });
}

// ---- getitem / setitem -------------------------------------------------------------------

/** Python's `t[items]`. */
export function getitem(self: Tensor, items: readonly IndexItem[]): Tensor {
  alive(self);
  const single = items.length === 1 ? singleItem(self, items[0], false) : null;
  if (single !== null) return single;
  return k.disposing((temps) => {
    const { result, indices } = applySlicing(self, normalize(items, temps), temps);
    if (indices.length === 0) return result === self ? alias(self) : result;
    if (result !== self) temps.push(result);
    return index(result, indices);
  });
}

/** PyTorch's slicePrefix1sSize: the value without its leading size-1 dims. */
function withoutLeadingOnes(value: Tensor, temps: Tensor[]): Tensor {
  let lead = 0;
  while (lead < value.ndim && value._shape[lead] === 1) lead++;
  return lead === 0 ? value : made(temps, view(value, value._shape.slice(lead)));
}

/** PyTorch's copy_to: same shape → copy_, 0-dim value → fill_, else broadcast then copy_. */
function copyTo(dst: Tensor, src: Tensor, temps: Tensor[]): void {
  if (sameShape(dst._shape, src._shape)) dst.copy_(src);
  else if (src.ndim === 0) dst.fill_(src);
  else dst.copy_(made(temps, expand(withoutLeadingOnes(src, temps), dst._shape)));
}

/** Python's `t[items] = value`, in place (the value broadcasts into the indexed region). */
export function setitem(self: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean): Tensor {
  alive(self);
  if (items.length === 1 && items[0] === false) return self;
  return k.disposing((temps) => {
    // a Python number becomes a 0-dim tensor of self's dtype
    const v = value instanceof Tensor ? value : made(temps, makeTensor(value, { dtype: self.dtype }));
    const single = items.length === 1 ? singleItem(self, items[0], true) : null;
    if (single !== null) {
      if (single !== self) temps.push(single);
      copyTo(single, v, temps);
      return self;
    }
    const { result, indices } = applySlicing(self, normalize(items, temps), temps);
    if (result !== self) temps.push(result);
    if (indices.length === 0) copyTo(result, v, temps);
    else indexPut(result, indices, withoutLeadingOnes(v, temps), false, true);
    return self;
  });
}

// ---- masks -------------------------------------------------------------------------------------

/** The number of true elements of a bool tensor (broadcast to `shape`). */
function countTrue(mask: Tensor, shape: Shape = mask._shape): number {
  return k.disposing((temps) => made(temps, broadcastTo(mask, shape, temps).countNonzero()).item());
}

/** [count, ndim] int64 coordinates of the nonzero elements, in row-major order. */
export function nonzero(self: Tensor): Tensor {
  alive(self);
  return k.disposing((temps) => {
    const mask = self.dtype === "bool" ? self : made(temps, nonzeroMask(self));
    return k.nonzero(mask, countTrue(mask));
  });
}

/** nonzero(as_tuple=True): the coordinates along each dim as a 1-D tensor (a 0-dim input counts as 1-D). */
export function nonzeroColumns(self: Tensor): Tensor[] {
  return k.disposing((temps) => {
    const coords = made(temps, nonzero(self));
    const n = coords._shape[0];
    if (self.ndim === 0) {
      const out = k.empty([n], "int64");
      k.fill(out, 0);
      return [out];
    }
    return self._shape.map((_, j) => k.copyAs(column(coords, j, temps)));
  });
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
  backward: ({ grad, attrs, saved }) => {
    const mask = saved("mask");
    return {
      self: () => grad.maskedFill(mask, 0),
      source: () => {
        // the selected gradient, padded with zeros to source's size
        const selected = grad.maskedSelect(mask);
        const missing = numel(attrs.sourceShape) - selected.numel();
        return (missing > 0 ? cat([selected, selected.newZeros([missing])], 0) : selected).view(attrs.sourceShape);
      },
    };
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
    k.filled(k.copyAs(self, self.dtype, shape), (out) => k.disposing((temps) => {
      const spread = broadcastTo(mask, shape, temps);
      const coords = made(temps, k.nonzero(spread, countTrue(spread)));
      const count = coords._shape[0];
      if (count > source.numel()) throw new RuntimeError("Number of elements of source < number of ones in mask");
      putValues(out, shape.map((_, j) => column(coords, j, temps)), made(temps, made(temps, k.copyAs(source))._alias([count], [1], 0, null)), false);
    })), { mask });
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
    return indexPut(this, indices, values, options.accumulate ?? false, true);
  },
  indexPut(this: Tensor, indices: readonly (Tensor | null)[], values: Tensor, options: { accumulate?: boolean } = {}): Tensor {
    return indexPut(this, indices, values, options.accumulate ?? false);
  },
  maskedSelect: method(maskedSelect),
  maskedScatter: method(maskedScatter),
  /** [count, ndim] coordinates, or with `{ asTuple: true }` one 1-D tensor per dim */
  nonzero(this: Tensor, options: { asTuple?: boolean } = {}): Tensor | Tensor[] {
    return options.asTuple === true ? nonzeroColumns(this) : nonzero(this);
  },
};
