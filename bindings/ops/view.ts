// View ops: new shape/strides/offset over the same storage and version counter, recorded as
// views of the root base so that in-place changes through any alias reach autograd correctly.
import { IndexError, RuntimeError, messages, formatShape } from "../errors.js";
import { creationMetaNow, makeView } from "../autograd/variable.js";
import { Tensor } from "../tensor/tensor.js";
import { type Shape, contiguousStrides, inferSize, normalizeDim, numel, sizeArgs, viewStrides } from "../tensor/shape.js";
import { DTYPES } from "../tensor/dtype.js";
import { alive } from "./checks.js";
import { type Derivative, record, recordInplace } from "./record.js";
import { asStridedBackward } from "../autograd/functions.js";
import { bind } from "./args.js";
import { cat, stack } from "./shape.js";

interface Geometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Records a view op: `geometry` validates and computes the view; the result aliases `self`. */
export function viewOp<A>(d: Derivative<A>, self: Tensor, attrs: A, geometry: () => Geometry): Tensor {
  alive(self);
  return record(d, [self], attrs, () => {
    const g = geometry();
    return makeView(self, self._alias(g.shape, g.strides, g.offset, self._version), creationMetaNow());
  });
}

/** Records a multi-output view op (unbind, split): the views may not be modified in place. */
function multiViewOp<A>(d: Derivative<A>, self: Tensor, attrs: A, geometries: () => Geometry[]): Tensor[] {
  alive(self);
  return record(d, [self], attrs, () =>
    geometries().map((g) => makeView(self, self._alias(g.shape, g.strides, g.offset, self._version), creationMetaNow(true))),
  );
}

const sizesAttr = (t: Tensor) => ({ sizes: [...t._shape] });

// ---- reshaping -----------------------------------------------------------------------------

const VIEW: Derivative<{ sizes: number[] }> = {
  name: "ViewBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.reshape(attrs.sizes) }),
};

export function view(self: Tensor, shape: Shape): Tensor {
  return viewOp(VIEW, self, sizesAttr(self), () => {
    const target = inferSize(shape, numel(self._shape));
    const strides = viewStrides(self._shape, self._strides, target);
    if (strides === null) throw new RuntimeError(messages.viewStride());
    return { shape: target, strides, offset: self._offset };
  });
}

const UNSAFE_VIEW: Derivative<{ sizes: number[] }> = {
  name: "UnsafeViewBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.reshape(attrs.sizes) }),
};

/** PyTorch's _unsafe_view: a reshape of a fresh tensor that autograd does not track as a view. */
export function unsafeView(self: Tensor, shape: Shape): Tensor {
  alive(self);
  return record(UNSAFE_VIEW, [self], sizesAttr(self), () => {
    const target = inferSize(shape, numel(self._shape));
    const strides = viewStrides(self._shape, self._strides, target) ?? contiguousStrides(target);
    return self._alias(target, strides, self._offset, self._version);
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
  if (s === e) return self.ndim === 0 ? reshape(self, [1]) : reshape(self, self._shape);
  const shape = [...self._shape.slice(0, s), numel(self._shape.slice(s, e + 1)), ...self._shape.slice(e + 1)];
  return reshape(self, shape);
}

export function unflatten(self: Tensor, dim: number, sizes: Shape): Tensor {
  const d = normalizeDim(dim, self.ndim);
  const inner = inferSize(sizes, self._shape[d]);
  return view(self, [...self._shape.slice(0, d), ...inner, ...self._shape.slice(d + 1)]);
}

// ---- dim permutations ----------------------------------------------------------------------

const T: Derivative<null> = { name: "TBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad.t() }) };

export function t(self: Tensor): Tensor {
  return viewOp(T, self, null, () => {
    if (self.ndim > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${self.ndim}D`);
    return self.ndim < 2
      ? { shape: [...self._shape], strides: [...self._strides], offset: self._offset }
      : { shape: [self._shape[1], self._shape[0]], strides: [self._strides[1], self._strides[0]], offset: self._offset };
  });
}

function swapped(self: Tensor, d0: number, d1: number): Geometry {
  const shape = [...self._shape];
  const strides = [...self._strides];
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  [strides[d0], strides[d1]] = [strides[d1], strides[d0]];
  return { shape, strides, offset: self._offset };
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
    const inverse = new Array<number>(attrs.dims.length);
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
  return viewOp(PERMUTE, self, { dims: wrapped }, () => ({
    shape: wrapped.map((d) => self._shape[d]),
    strides: wrapped.map((d) => self._strides[d]),
    offset: self._offset,
  }));
}

export function movedim(self: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const src = (Array.isArray(source) ? source : [source]).map((d) => normalizeDim(d, self.ndim));
  const dst = (Array.isArray(destination) ? destination : [destination]).map((d) => normalizeDim(d, self.ndim));
  const order = new Array<number>(self.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]] = s));
  const rest = [...Array(self.ndim).keys()].filter((d) => !src.includes(d));
  for (let i = 0, j = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[j++];
  return permute(self, order);
}

// ---- adding and removing size-1 dims ------------------------------------------------------

const UNSQUEEZE: Derivative<{ dim: number }> = {
  name: "UnsqueezeBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.squeeze(attrs.dim) }),
};

function unsqueezed(self: Tensor, d: number): Geometry {
  const shape = [...self._shape];
  const strides = [...self._strides];
  const stride = d >= self.ndim ? 1 : self._shape[d] * self._strides[d];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return { shape, strides, offset: self._offset };
}

export function unsqueeze(self: Tensor, dim: number): Tensor {
  return viewOp(UNSQUEEZE, self, { dim }, () => unsqueezed(self, normalizeDim(dim, self.ndim + 1)));
}

const squeezeDerivative = (name: string): Derivative<{ sizes: number[] }> => ({
  name, inputs: ["self"], backward: ({ grad, attrs }) => ({ self: grad.reshape(attrs.sizes) }),
});
const SQUEEZE_ALL = squeezeDerivative("SqueezeBackward0");
const SQUEEZE_DIM = squeezeDerivative("SqueezeBackward1");
const SQUEEZE_DIMS = squeezeDerivative("SqueezeBackward2");
const SQUEEZE_INPLACE_DIM = squeezeDerivative("SqueezeBackward4");

function squeezed(self: Tensor, dims: number[] | null): Geometry {
  const keep = (d: number) => self._shape[d] !== 1 || (dims !== null && !dims.includes(d));
  const idx = [...self._shape.keys()].filter(keep);
  return { shape: idx.map((d) => self._shape[d]), strides: idx.map((d) => self._strides[d]), offset: self._offset };
}

export function squeeze(self: Tensor, dim?: number | number[]): Tensor {
  alive(self);
  if (dim === undefined) return viewOp(SQUEEZE_ALL, self, sizesAttr(self), () => squeezed(self, null));
  if (Array.isArray(dim)) {
    return viewOp(SQUEEZE_DIMS, self, sizesAttr(self), () => squeezed(self, dim.map((d) => normalizeDim(d, self.ndim))));
  }
  return viewOp(SQUEEZE_DIM, self, sizesAttr(self), () => squeezed(self, [normalizeDim(dim, self.ndim)]));
}

/** In-place view ops change this tensor's own metadata (PyTorch's squeeze_, unsqueeze_, t_, ...). */
function inplaceView<A>(d: Derivative<A>, self: Tensor, attrs: A, geometry: () => Geometry): Tensor {
  alive(self);
  return recordInplace(d, self, [], attrs, () => {
    const g = geometry();
    self._shape = g.shape;
    self._strides = g.strides;
    self._offset = g.offset;
  });
}

export function squeezeInplace(self: Tensor, dim: number): Tensor {
  return inplaceView(SQUEEZE_INPLACE_DIM, self, sizesAttr(self), () => squeezed(self, [normalizeDim(dim, self.ndim)]));
}

// ---- expand ----------------------------------------------------------------------------------

const EXPAND: Derivative<{ sizes: number[] }> = {
  name: "ExpandBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.sumToSize(attrs.sizes) }),
};

function expanded(self: Tensor, sizes: Shape): Geometry {
  const nd = self.ndim;
  if (sizes.length < nd) {
    throw new RuntimeError(
      `expand(${DTYPES[self.dtype].typeName}{${formatShape(self._shape)}}, size=${formatShape(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${nd})`,
    );
  }
  const lead = sizes.length - nd;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const j = i - lead;
    const size = sizes[i];
    if (j < 0) {
      if (size < 0) throw new RuntimeError(`The expanded size of the tensor (${size}) isn't allowed in a leading, non-existing dimension ${i}`);
      shape.push(size);
      strides.push(0);
      continue;
    }
    const own = self._shape[j];
    const target = size === -1 ? own : size;
    if (own !== target) {
      if (own !== 1) {
        throw new RuntimeError(
          `The expanded size of the tensor (${target}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(sizes)}.  Tensor sizes: ${formatShape(self._shape)}`,
        );
      }
      shape.push(target);
      strides.push(0);
    } else {
      shape.push(own);
      strides.push(self._strides[j]);
    }
  }
  return { shape, strides, offset: self._offset };
}

export function expand(self: Tensor, sizes: Shape): Tensor {
  return viewOp(EXPAND, self, sizesAttr(self), () => expanded(self, sizes));
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

const INDEX_MAX = Number.MAX_SAFE_INTEGER;

/** PyTorch's slice(dim, start, end, step) with Python's clamping of start and end. */
export function slice(self: Tensor, dim: number, start: number | null = null, end: number | null = null, step: number | null = 1): Tensor {
  alive(self);
  const d = normalizeDim(dim, self.ndim);
  const size = self._shape[d];
  const st = step ?? 1;
  if (st <= 0) throw new RuntimeError("slice step must be positive");
  let s = start ?? 0;
  let e = end ?? INDEX_MAX;
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  const attrs: SliceAttrs = { sizes: [...self._shape], dim: d, start: s, end: e, step: st };
  return viewOp(SLICE, self, attrs, () => {
    const shape = [...self._shape];
    const strides = [...self._strides];
    shape[d] = Math.ceil((e - s) / st);
    strides[d] = self._strides[d] * st;
    return { shape, strides, offset: self._offset + s * self._strides[d] };
  });
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
  return viewOp(SELECT, self, { sizes: [...self._shape], dim: d, index }, () => {
    if (index < -size || index >= size) {
      throw new IndexError(`select(): index ${index} out of range for tensor of size ${formatShape(self._shape)} at dimension ${dim}`);
    }
    const i = index < 0 ? index + size : index;
    const shape = [...self._shape];
    const strides = [...self._strides];
    shape.splice(d, 1);
    strides.splice(d, 1);
    return { shape, strides, offset: self._offset + i * self._strides[d] };
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
  const attrs = { base: { shape: [...self._shape], strides: [...self._strides], offset: self._offset }, view: g };
  return viewOp(AS_STRIDED, self, attrs, () => {
    let extent = numel(size) === 0 ? 0 : offset + 1;
    for (let i = 0; i < size.length; i++) if (size[i] > 0) extent += (size[i] - 1) * stride[i];
    const available = self._storage.byteLength / DTYPES[self.dtype].bytes;
    if (extent > available) {
      throw new RuntimeError(
        `setStorage: sizes ${formatShape(size)}, strides ${formatShape(stride)}, storage offset ${offset}, and itemsize ${DTYPES[self.dtype].bytes} requiring a storage size of ${extent * DTYPES[self.dtype].bytes} are out of bounds for storage of size ${self._storage.byteLength}`,
      );
    }
    return g;
  });
}

const ALIAS: Derivative<null> = { name: "AliasBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad }) };

export function alias(self: Tensor): Tensor {
  return viewOp(ALIAS, self, null, () => ({ shape: [...self._shape], strides: [...self._strides], offset: self._offset }));
}

// ---- multi-output views ------------------------------------------------------------------

const UNBIND: Derivative<{ dim: number; sizes: number[] }> = {
  name: "UnbindBackward0", inputs: ["self"],
  backward: ({ grads, attrs }) => {
    const shape = attrs.sizes.filter((_, i) => i !== attrs.dim);
    const template = grads.find((g) => g !== null) as Tensor;
    const parts = grads.map((g) => g ?? template.newZeros(shape));
    return { self: stack(parts, attrs.dim) };
  },
};

export function unbind(self: Tensor, dim = 0): Tensor[] {
  alive(self);
  const d = normalizeDim(dim, self.ndim);
  return multiViewOp(UNBIND, self, { dim: d, sizes: [...self._shape] }, () =>
    [...Array(self._shape[d]).keys()].map((i) => {
      const shape = [...self._shape];
      const strides = [...self._strides];
      shape.splice(d, 1);
      strides.splice(d, 1);
      return { shape, strides, offset: self._offset + i * self._strides[d] };
    }),
  );
}

const SPLIT: Derivative<{ dim: number; sizes: number[]; splitSizes: number[] }> = {
  name: "SplitBackward0", inputs: ["self"],
  backward: ({ grads, attrs }) => {
    const template = grads.find((g) => g !== null) as Tensor;
    const parts = grads.map((g, i) => {
      if (g !== null) return g;
      const shape = [...attrs.sizes];
      shape[attrs.dim] = attrs.splitSizes[i];
      return template.newZeros(shape);
    });
    return { self: cat(parts, attrs.dim) };
  },
};

function splitGeometries(self: Tensor, d: number, sizes: number[]): Geometry[] {
  let start = 0;
  return sizes.map((n) => {
    const shape = [...self._shape];
    shape[d] = n;
    const g = { shape, strides: [...self._strides], offset: self._offset + start * self._strides[d] };
    start += n;
    return g;
  });
}

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
  const name = Array.isArray(splitSize) ? "SplitWithSizesBackward0" : "SplitBackward0";
  return multiViewOp({ ...SPLIT, name }, self, { dim: d, sizes: [...self._shape], splitSizes: sizes }, () => splitGeometries(self, d, sizes));
}

export function chunk(self: Tensor, chunks: number, dim = 0): Tensor[] {
  alive(self);
  if (chunks <= 0) throw new RuntimeError("chunk expects `chunks` to be greater than 0, got: " + chunks);
  const d = normalizeDim(dim, self.ndim);
  const splitSize = Math.ceil(self._shape[d] / chunks);
  return split(self, splitSize, d);
}

// ---- detach and .data --------------------------------------------------------------------

/** A tensor sharing storage and version counter, without history (PyTorch's detach()). */
export function detach(self: Tensor): Tensor {
  alive(self);
  return self._alias(self._shape, self._strides, self._offset, self._version);
}

export const viewMethods = {
  view(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    return view(this, sizeArgs(shape));
  },
  viewAs(this: Tensor, other: Tensor): Tensor {
    return view(this, other._shape);
  },
  reshape(this: Tensor, ...shape: (number | readonly number[])[]): Tensor {
    return reshape(this, sizeArgs(shape));
  },
  reshapeAs(this: Tensor, other: Tensor): Tensor {
    return reshape(this, other._shape);
  },
  flatten(this: Tensor, ...args: unknown[]): Tensor {
    const { startDim, endDim } = bind(["startDim", "endDim"], args, { startDim: 0, endDim: -1 });
    return flatten(this, startDim, endDim);
  },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]): Tensor {
    return unflatten(this, dim, sizes);
  },
  t(this: Tensor): Tensor {
    return t(this);
  },
  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    return transpose(this, dim0, dim1);
  },
  swapaxes(this: Tensor, dim0: number, dim1: number): Tensor {
    return transpose(this, dim0, dim1);
  },
  permute(this: Tensor, ...dims: (number | readonly number[])[]): Tensor {
    return permute(this, sizeArgs(dims));
  },
  movedim(this: Tensor, source: number | number[], destination: number | number[]): Tensor {
    return movedim(this, source, destination);
  },
  unsqueeze(this: Tensor, dim: number): Tensor {
    return unsqueeze(this, dim);
  },
  squeeze(this: Tensor, dim?: number | number[]): Tensor {
    return squeeze(this, dim);
  },
  squeeze_(this: Tensor, dim: number): Tensor {
    return squeezeInplace(this, dim);
  },
  expand(this: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
    return expand(this, sizeArgs(sizes));
  },
  expandAs(this: Tensor, other: Tensor): Tensor {
    return expand(this, other._shape);
  },
  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    return narrow(this, dim, start, length);
  },
  select(this: Tensor, dim: number, index: number): Tensor {
    return select(this, dim, index);
  },
  asStrided(this: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
    return asStrided(this, size, stride, storageOffset);
  },
  unbind(this: Tensor, dim = 0): Tensor[] {
    return unbind(this, dim);
  },
  split(this: Tensor, splitSize: number | number[], dim = 0): Tensor[] {
    return split(this, splitSize, dim);
  },
  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] {
    return chunk(this, chunks, dim);
  },
  detach(this: Tensor): Tensor {
    return detach(this);
  },
};
