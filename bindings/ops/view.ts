// View ops: new shape/strides/offset over the same storage and version counter, recorded as
// views of the root base so that in-place changes through any alias reach autograd correctly.
import { IndexError, RuntimeError, formatShape } from "../errors.js";
import { creationMetaNow, makeView } from "../autograd/variable.js";
import { Tensor } from "../tensor/tensor.js";
import { type Shape, inferSize, normalizeDim, numel, sizeArgs, viewStrides } from "../tensor/shape.js";
import { DTYPES } from "../tensor/dtype.js";
import { alive } from "./checks.js";
import { type Derivative, record, recordInplace } from "./record.js";
import { type Geometry, asStridedBackward, geometry } from "../autograd/functions.js";
import { bind, method } from "./args.js";
import { cat, stack } from "./shape.js";


/**
 * Records a view op: `geometry` validates and computes the view (or the views of a multi-output
 * view op, unbind and split, which may not be modified in place); the results alias `self`.
 */
export function viewOp<A, G extends Geometry | Geometry[]>(d: Derivative<A>, self: Tensor, attrs: A, geometry: () => G): G extends Geometry[] ? Tensor[] : Tensor;
export function viewOp<A>(d: Derivative<A>, self: Tensor, attrs: A, geometry: () => Geometry | Geometry[]): Tensor | Tensor[] {
  alive(self);
  return record(d, [self], attrs, () => {
    const g = geometry();
    const multi = Array.isArray(g);
    const views = (multi ? g : [g]).map((v) => makeView(self, self._alias(v.shape, v.strides, v.offset, self._version), creationMetaNow(multi)));
    return multi ? views : views[0];
  });
}

const sizesAttr = (t: Tensor) => ({ sizes: [...t._shape] });

/** A view whose gradient is reshaped back to the input's sizes (view, squeeze, ...). */
const reshapedBack = (name: string): Derivative<{ sizes: number[] }> => ({
  name, inputs: ["self"], backward: ({ grad, attrs }) => ({ self: grad.reshape(attrs.sizes) }),
});

// ---- reshaping -----------------------------------------------------------------------------

const VIEW = reshapedBack("ViewBackward0");

export function view(self: Tensor, shape: Shape): Tensor {
  return viewOp(VIEW, self, sizesAttr(self), () => {
    const target = inferSize(shape, numel(self._shape));
    const strides = viewStrides(self._shape, self._strides, target);
    if (strides === null) {
      throw new RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
      );
    }
    return { shape: target, strides, offset: self._offset };
  });
}

const UNSAFE_VIEW = reshapedBack("UnsafeViewBackward0");

/** PyTorch's _unsafe_view: a reshape of a fresh tensor that autograd does not track as a view. */
export function unsafeView(self: Tensor, shape: Shape): Tensor {
  alive(self);
  return record(UNSAFE_VIEW, [self], sizesAttr(self), () => {
    const target = inferSize(shape, numel(self._shape));
    // its callers reshape fresh contiguous results, which a view always fits
    return self._alias(target, viewStrides(self._shape, self._strides, target) as number[], self._offset, self._version);
  });
}

export function reshape(self: Tensor, shape: Shape): Tensor {
  alive(self);
  const target = inferSize(shape, numel(self._shape));
  if (viewStrides(self._shape, self._strides, target) !== null) return view(self, target);
  const copy = self.clone({ memoryFormat: "contiguous" });
  const out = unsafeView(copy, target);
  copy.dispose();
  return out;
}

export function flatten(self: Tensor, startDim = 0, endDim = -1): Tensor {
  if (self.ndim === 0) return reshape(self, [1]);
  const s = normalizeDim(startDim, self.ndim);
  const e = normalizeDim(endDim, self.ndim);
  if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
  const shape = self._shape;
  return reshape(self, [...shape.slice(0, s), numel(shape.slice(s, e + 1)), ...shape.slice(e + 1)]);
}

export function unflatten(self: Tensor, dim: number, sizes: Shape): Tensor {
  const d = normalizeDim(dim, self.ndim);
  const inner = inferSize(sizes, self._shape[d]);
  return view(self, [...self._shape.slice(0, d), ...inner, ...self._shape.slice(d + 1)]);
}

// ---- dim permutations ----------------------------------------------------------------------

const T: Derivative<null> = { name: "TBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad.t() }) };

/** The geometry of `self`'s dims `dims`, in that order. */
const picked = (self: Tensor, dims: readonly number[]): Geometry =>
  ({ shape: dims.map((d) => self._shape[d]), strides: dims.map((d) => self._strides[d]), offset: self._offset });

/** `self` with dims d0 and d1 swapped. */
function swapped(self: Tensor, d0: number, d1: number): Geometry {
  const dims = [...self._shape.keys()];
  [dims[d0], dims[d1]] = [d1, d0];
  return picked(self, dims);
}

export function t(self: Tensor): Tensor {
  return viewOp(T, self, null, () => {
    if (self.ndim > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${self.ndim}D`);
    return self.ndim < 2 ? geometry(self) : swapped(self, 0, 1);
  });
}

const TRANSPOSE: Derivative<{ dim0: number; dim1: number }> = {
  name: "TransposeBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.transpose(attrs.dim0, attrs.dim1) }),
};

export function transpose(self: Tensor, dim0: number, dim1: number): Tensor {
  return viewOp(TRANSPOSE, self, { dim0, dim1 }, () => swapped(self, normalizeDim(dim0, self.ndim), normalizeDim(dim1, self.ndim)));
}

const PERMUTE: Derivative<{ dims: number[] }> = {
  name: "PermuteBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => {
    const inverse: number[] = [];
    attrs.dims.forEach((d, i) => (inverse[d] = i));
    return { self: grad.permute(inverse) };
  },
};

export function permute(self: Tensor, dims: Shape): Tensor {
  alive(self);
  const nd = self.ndim;
  if (dims.length !== nd) {
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const wrapped = dims.map((d) => normalizeDim(d, nd));
  if (new Set(wrapped).size !== nd) throw new RuntimeError("permute(): duplicate dims are not allowed.");
  return viewOp(PERMUTE, self, { dims: wrapped }, () => picked(self, wrapped));
}

export function movedim(self: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const dims = (d: number | number[]) => (Array.isArray(d) ? d : [d]).map((x) => normalizeDim(x, self.ndim));
  const src = dims(source);
  const dst = dims(destination);
  const order = new Array<number>(self.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = [...self._shape.keys()].filter((d) => !src.includes(d));
  return permute(self, order.map((d) => (d === -1 ? (rest.shift() as number) : d)));
}

// ---- adding and removing size-1 dims ------------------------------------------------------

const UNSQUEEZE: Derivative<{ dim: number }> = {
  name: "UnsqueezeBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.squeeze(attrs.dim) }),
};

export function unsqueeze(self: Tensor, dim: number): Tensor {
  return viewOp(UNSQUEEZE, self, { dim }, () => {
    const d = normalizeDim(dim, self.ndim + 1);
    const g = geometry(self);
    g.shape.splice(d, 0, 1);
    g.strides.splice(d, 0, d >= self.ndim ? 1 : self._shape[d] * self._strides[d]);
    return g;
  });
}

const SQUEEZE_ALL = reshapedBack("SqueezeBackward0");
const SQUEEZE_DIM = reshapedBack("SqueezeBackward1");
const SQUEEZE_DIMS = reshapedBack("SqueezeBackward2");
const SQUEEZE_INPLACE_DIM = reshapedBack("SqueezeBackward4");

/** Without the size-1 dims among `dims` (all of them when null). */
function squeezed(self: Tensor, dims: number[] | null): Geometry {
  return picked(self, [...self._shape.keys()].filter((d) => self._shape[d] !== 1 || (dims !== null && !dims.includes(d))));
}

export function squeeze(self: Tensor, dim?: number | number[]): Tensor {
  const d = dim === undefined ? SQUEEZE_ALL : Array.isArray(dim) ? SQUEEZE_DIMS : SQUEEZE_DIM;
  return viewOp(d, self, sizesAttr(self), () =>
    squeezed(self, dim === undefined ? null : (Array.isArray(dim) ? dim : [dim]).map((x) => normalizeDim(x, self.ndim))));
}

/** squeeze_(dim): an in-place view op, which changes this tensor's own metadata. */
export function squeezeInplace(self: Tensor, dim: number): Tensor {
  alive(self);
  return recordInplace(SQUEEZE_INPLACE_DIM, self, [], sizesAttr(self), () => {
    const g = squeezed(self, [normalizeDim(dim, self.ndim)]);
    self._shape = g.shape;
    self._strides = g.strides;
  });
}

// ---- expand ----------------------------------------------------------------------------------

const EXPAND: Derivative<{ sizes: number[] }> = {
  name: "ExpandBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.sumToSize(attrs.sizes) }),
};

/** PyTorch's inferExpandGeometry: new leading dims and size-1 dims get stride 0; -1 keeps a size. */
export function expandGeometry(self: Tensor, sizes: Shape): Geometry {
  const nd = self.ndim;
  if (sizes.length < nd) {
    throw new RuntimeError(
      `expand(${DTYPES[self.dtype].typeName}{${formatShape(self._shape)}}, size=${formatShape(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${nd})`,
    );
  }
  const lead = sizes.length - nd;
  const g: Geometry = { shape: [], strides: [], offset: self._offset };
  sizes.forEach((size, i) => {
    const own = i < lead ? 1 : self._shape[i - lead];
    const target = size === -1 && i >= lead ? own : size;
    if (i < lead && size < 0) throw new RuntimeError(`The expanded size of the tensor (${size}) isn't allowed in a leading, non-existing dimension ${i}`);
    if (i >= lead && own !== target && own !== 1) {
      throw new RuntimeError(
        `The expanded size of the tensor (${target}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(sizes)}.  Tensor sizes: ${formatShape(self._shape)}`,
      );
    }
    g.shape.push(target);
    g.strides.push(i < lead || own !== target ? 0 : self._strides[i - lead]);
  });
  return g;
}

export function expand(self: Tensor, sizes: Shape): Tensor {
  return viewOp(EXPAND, self, sizesAttr(self), () => expandGeometry(self, sizes));
}

// ---- slicing ---------------------------------------------------------------------------------

interface SliceAttrs {
  sizes: number[];
  dim: number;
  start: number;
  end: number;
  step: number;
}

/** Gradient of a view that picks a region: zeros with the gradient placed in that region. */
function embed(grad: Tensor, sizes: Shape, region: (t: Tensor) => Tensor): Tensor {
  const out = grad.newZeros(sizes);
  const part = region(out);
  part.copy_(grad);
  part.dispose();
  return out;
}

const SLICE: Derivative<SliceAttrs> = {
  name: "SliceBackward0", inputs: ["self"],
  backward: ({ grad, attrs: a }) => ({ self: embed(grad, a.sizes, (z) => slice(z, a.dim, a.start, a.end, a.step)) }),
};

/** `self` along dim d: `length` elements from `start`, `step` apart. */
function sliced(self: Tensor, d: number, start: number, length: number, step = 1): Geometry {
  const g = geometry(self);
  g.shape[d] = length;
  g.strides[d] *= step;
  g.offset += start * self._strides[d];
  return g;
}

/** `self` at `index` along dim d, without that dim. */
function selected(self: Tensor, d: number, index: number): Geometry {
  const g = sliced(self, d, index, 1);
  g.shape.splice(d, 1);
  g.strides.splice(d, 1);
  return g;
}

/** PyTorch's slice(dim, start, end, step) with Python's clamping of start and end. */
export function slice(self: Tensor, dim: number, start: number | null = null, end: number | null = null, step: number | null = 1): Tensor {
  alive(self);
  const d = normalizeDim(dim, self.ndim);
  const size = self._shape[d];
  const st = step ?? 1;
  if (st <= 0) throw new RuntimeError("slice step must be positive");
  const clamp = (i: number, lo: number) => Math.min(Math.max(i < 0 ? i + size : i, lo), size);
  const s = clamp(start ?? 0, 0);
  const e = clamp(end ?? Number.MAX_SAFE_INTEGER, s);
  return viewOp(SLICE, self, { ...sizesAttr(self), dim: d, start: s, end: e, step: st }, () => sliced(self, d, s, Math.ceil((e - s) / st), st));
}

export function narrow(self: Tensor, dim: number, start: number, length: number): Tensor {
  alive(self);
  if (self.ndim === 0) throw new RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
  if (length < 0) throw new RuntimeError("narrow(): length must be non-negative.");
  const d = normalizeDim(dim, self.ndim);
  const size = self._shape[d];
  if (start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (s + length > size) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return slice(self, d, s, s + length, 1);
}

const SELECT: Derivative<{ sizes: number[]; dim: number; index: number }> = {
  name: "SelectBackward0", inputs: ["self"],
  backward: ({ grad, attrs: a }) => ({ self: embed(grad, a.sizes, (z) => select(z, a.dim, a.index)) }),
};

export function select(self: Tensor, dim: number, index: number): Tensor {
  alive(self);
  if (self.ndim === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, self.ndim);
  const size = self._shape[d];
  return viewOp(SELECT, self, { ...sizesAttr(self), dim: d, index }, () => {
    if (index < -size || index >= size) {
      throw new IndexError(`select(): index ${index} out of range for tensor of size ${formatShape(self._shape)} at dimension ${dim}`);
    }
    return selected(self, d, index < 0 ? index + size : index);
  });
}

// ---- as_strided, alias ---------------------------------------------------------------------

const AS_STRIDED: Derivative<{ base: Geometry; view: Geometry }> = {
  name: "AsStridedBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: asStridedBackward(grad, attrs.base, attrs.view) }),
};

export function asStrided(self: Tensor, size: Shape, stride: Shape, storageOffset?: number | null): Tensor {
  alive(self);
  const offset = storageOffset ?? self._offset;
  if (size.length !== stride.length) throw new RuntimeError(`mismatch in length of strides and shape`);
  const g: Geometry = { shape: [...size], strides: [...stride], offset };
  return viewOp(AS_STRIDED, self, { base: geometry(self), view: g }, () => {
    const bytes = DTYPES[self.dtype].bytes;
    const extent = numel(size) === 0 ? 0 : size.reduce((e, s, i) => e + (s - 1) * stride[i], offset + 1);
    if (extent * bytes > self._storage.byteLength) {
      throw new RuntimeError(
        `setStorage: sizes ${formatShape(size)}, strides ${formatShape(stride)}, storage offset ${offset}, and itemsize ${bytes} requiring a storage size of ${extent * bytes} are out of bounds for storage of size ${self._storage.byteLength}`,
      );
    }
    return g;
  });
}

const ALIAS: Derivative<null> = { name: "AliasBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad }) };

export function alias(self: Tensor): Tensor {
  return viewOp(ALIAS, self, null, () => geometry(self));
}

// ---- multi-output views ------------------------------------------------------------------

/** The gradients of the parts of a multi-output view, zeros (of each part's shape) where undefined. */
const parts = (grads: readonly (Tensor | null)[], shape: (i: number) => number[]): Tensor[] => {
  const template = grads.find((g) => g !== null) as Tensor;
  return grads.map((g, i) => g ?? template.newZeros(shape(i)));
};

const UNBIND: Derivative<{ dim: number; sizes: number[] }> = {
  name: "UnbindBackward0", inputs: ["self"],
  backward: ({ grads, attrs }) => ({ self: stack(parts(grads, () => attrs.sizes.filter((_, i) => i !== attrs.dim)), attrs.dim) }),
};

export function unbind(self: Tensor, dim = 0): Tensor[] {
  alive(self);
  const d = normalizeDim(dim, self.ndim);
  return viewOp(UNBIND, self, { ...sizesAttr(self), dim: d }, () => [...Array(self._shape[d]).keys()].map((i) => selected(self, d, i)));
}

const SPLIT: Derivative<{ dim: number; sizes: number[]; splitSizes: number[] }> = {
  name: "SplitBackward0", inputs: ["self"],
  backward: ({ grads, attrs }) => ({
    self: cat(parts(grads, (i) => attrs.sizes.map((s, d) => (d === attrs.dim ? attrs.splitSizes[i] : s))), attrs.dim),
  }),
};
const SPLIT_WITH_SIZES = { ...SPLIT, name: "SplitWithSizesBackward0" };

/** torch.split: chunks of `splitSize` (the last may be smaller), or the given sizes. */
export function split(self: Tensor, splitSize: number | number[], dim = 0): Tensor[] {
  alive(self);
  const d = normalizeDim(dim, self.ndim);
  const size = self._shape[d];
  let sizes: number[];
  if (Array.isArray(splitSize)) {
    if (splitSize.reduce((a, b) => a + b, 0) !== size) {
      throw new RuntimeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(splitSize)}`,
      );
    }
    sizes = splitSize;
  } else {
    if (splitSize <= 0 && size > 0) throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (sizes.length === 0) sizes.push(0);
  }
  return viewOp(Array.isArray(splitSize) ? SPLIT_WITH_SIZES : SPLIT, self, { ...sizesAttr(self), dim: d, splitSizes: sizes }, () => {
    let start = 0;
    return sizes.map((n) => sliced(self, d, (start += n) - n, n));
  });
}

export function chunk(self: Tensor, chunks: number, dim = 0): Tensor[] {
  alive(self);
  if (chunks <= 0) throw new RuntimeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = normalizeDim(dim, self.ndim);
  return split(self, Math.ceil(self._shape[d] / chunks), d);
}

// ---- detach and .data --------------------------------------------------------------------

/** A tensor sharing storage and version counter, without history (PyTorch's detach()). */
export function detach(self: Tensor): Tensor {
  alive(self);
  return self._alias(self._shape, self._strides, self._offset, self._version);
}

type Sizes = (number | readonly number[])[];

export const viewMethods = {
  view: method((self, ...shape: Sizes): Tensor => view(self, sizeArgs(shape))),
  viewAs: method((self, other: Tensor): Tensor => view(self, other._shape)),
  reshape: method((self, ...shape: Sizes): Tensor => reshape(self, sizeArgs(shape))),
  reshapeAs: method((self, other: Tensor): Tensor => reshape(self, other._shape)),
  flatten: method((self, ...args: unknown[]): Tensor => {
    const { startDim, endDim } = bind(["startDim", "endDim"], args, { startDim: 0, endDim: -1 });
    return flatten(self, startDim, endDim);
  }),
  unflatten: method(unflatten),
  t: method(t),
  transpose: method(transpose),
  swapaxes: method(transpose),
  permute: method((self, ...dims: Sizes): Tensor => permute(self, sizeArgs(dims))),
  movedim: method(movedim),
  unsqueeze: method(unsqueeze),
  squeeze: method(squeeze),
  squeeze_: method(squeezeInplace),
  expand: method((self, ...sizes: Sizes): Tensor => expand(self, sizeArgs(sizes))),
  expandAs: method((self, other: Tensor): Tensor => expand(self, other._shape)),
  narrow: method(narrow),
  select: method(select),
  asStrided: method(asStrided),
  unbind: method(unbind),
  split: method(split),
  chunk: method(chunk),
  detach: method(detach),
};
