// Ops that assemble or rearrange data into new storage: cat, stack, flip, repeat, roll, tril/triu.
import { RuntimeError } from "../errors.js";
import { resultType } from "../tensor/dtype.js";
import { formatShape } from "../errors.js";
import { normalizeDim, sameShape, sizeArgs } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { alive } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";

/** cat's derivative has one input per tensor: built per call. */
function catDerivative(n: number, dim: number, sizes: number[], name = "CatBackward0"): Derivative<null> {
  const inputs = [...Array(n).keys()].map((i) => `t${i}`);
  return {
    name, inputs,
    backward: ({ grad, needs }) => {
      const out: Record<string, Tensor | null> = {};
      let start = 0;
      sizes.forEach((size, i) => {
        out[`t${i}`] = needs(`t${i}`) && size >= 0 ? grad.narrow(dim, start, size) : null;
        start += Math.max(size, 0);
      });
      return out;
    },
  };
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  alive(...tensors);
  if (tensors.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  // legacy rule: 1-D empty tensors are skipped
  const used = tensors.filter((t) => !(t.ndim === 1 && t._shape[0] === 0));
  const ref = used[0] ?? tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const d = normalizeDim(dim, ref.ndim);
  used.forEach((t) => {
    if (t.ndim !== ref.ndim) {
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim}`);
    }
  });
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim) return;
    for (let j = 0; j < ref.ndim; j++) {
      if (j !== d && t._shape[j] !== ref._shape[j]) {
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[j]} but got size ${t._shape[j]} for tensor number ${i} in the list.`,
        );
      }
    }
  });
  const sizes = tensors.map((t) => (t.ndim === 1 && t._shape[0] === 0 && ref.ndim !== 1 ? -1 : t._shape[d] ?? 0));
  const dtype = resultType(tensors.map((t) => ({ dtype: t.dtype, ndim: 1 })));
  return record(catDerivative(tensors.length, d, sizes), tensors, null, () => {
    const shape = [...ref._shape];
    shape[d] = used.reduce((s, t) => s + t._shape[d], 0);
    const out = k.empty(shape, dtype);
    let start = 0;
    for (const t of used) {
      const n = t._shape[d];
      const part = out._alias(t._shape, out._strides, start * out._strides[d], null);
      k.copyInto(part, t);
      part.dispose();
      start += n;
    }
    return out;
  });
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  alive(...tensors);
  if (tensors.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (!sameShape(t._shape, ref._shape)) {
      throw new RuntimeError(`stack expects each tensor to be equal size, but got ${formatShape(ref._shape)} at entry 0 and ${formatShape(t._shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(dim, ref.ndim + 1);
  const dtype = resultType(tensors.map((t) => ({ dtype: t.dtype, ndim: 1 })));
  const inputs = tensors.map((_, i) => `t${i}`);
  const derivative: Derivative<null> = {
    name: "StackBackward0", inputs,
    backward: ({ grad, needs }) => {
      const out: Record<string, Tensor | null> = {};
      inputs.forEach((name, i) => (out[name] = needs(name) ? grad.select(d, i) : null));
      return out;
    },
  };
  return record(derivative, tensors, null, () => {
    const shape = [...ref._shape];
    shape.splice(d, 0, tensors.length);
    const out = k.empty(shape, dtype);
    const strides = out._strides.filter((_, i) => i !== d);
    tensors.forEach((t, i) => {
      const part = out._alias(t._shape, strides, i * out._strides[d], null);
      k.copyInto(part, t);
      part.dispose();
    });
    return out;
  });
}

const FLIP: Derivative<{ dims: number[] }> = {
  name: "FlipBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.flip(attrs.dims) }),
};

export function flip(self: Tensor, dims: readonly number[]): Tensor {
  alive(self);
  const ds = dims.map((d) => normalizeDim(d, self.ndim));
  return record(FLIP, [self], { dims: ds }, () => {
    // read through negative strides starting at the last element of each flipped dim
    let offset = self._offset;
    const strides = self._strides.map((s, d) => {
      if (!ds.includes(d) || self._shape[d] === 0) return s;
      offset += (self._shape[d] - 1) * s;
      return -s;
    });
    const reversed = self._alias(self._shape, strides, offset, null);
    const out = k.copyAs(reversed);
    reversed.dispose();
    return out;
  });
}

/** repeat: tile the tensor `repeats` times along each dim (a copy). */
export function repeat(self: Tensor, repeats: readonly number[]): Tensor {
  alive(self);
  if (repeats.length < self.ndim) {
    throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  }
  const lead = repeats.length - self.ndim;
  const padded = [...Array(lead).fill(1), ...self._shape];
  // expand an interleaved view [r0, s0, r1, s1, ...] and fold pairs together
  const xs = self.reshape(padded);
  const interleaved: number[] = [];
  const target: number[] = [];
  padded.forEach((s, i) => {
    interleaved.push(1, s);
    target.push(repeats[i], s);
  });
  const v = xs.reshape(interleaved);
  const e = v.expand(target);
  const out = e.reshape(padded.map((s, i) => s * repeats[i]));
  xs.dispose();
  v.dispose();
  e.dispose();
  return out;
}

export function roll(self: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
  alive(self);
  if (dims === undefined) {
    const flat = self.flatten();
    const rolled = roll(flat, shifts, 0);
    flat.dispose();
    const out = rolled.view(self._shape);
    rolled.dispose();
    return out;
  }
  const sh = Array.isArray(shifts) ? shifts : [shifts];
  const ds = Array.isArray(dims) ? dims : [dims];
  if (sh.length !== ds.length) throw new RuntimeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  let out = self;
  sh.forEach((s, i) => {
    const d = normalizeDim(ds[i], self.ndim);
    const size = out._shape[d];
    if (size === 0) return;
    const shift = ((s % size) + size) % size;
    if (shift === 0) return;
    const tail = out.narrow(d, size - shift, shift);
    const head = out.narrow(d, 0, size - shift);
    const next = cat([tail, head], d);
    tail.dispose();
    head.dispose();
    if (out !== self) out.dispose();
    out = next;
  });
  return out === self ? self.clone() : out;
}

function triangle(self: Tensor, diagonal: number, upper: boolean): Tensor {
  alive(self);
  if (self.ndim < 2) throw new RuntimeError(`${upper ? "triu" : "tril"}: input tensor must have at least 2 dimensions`);
  const rows = self._shape[self.ndim - 2];
  const cols = self._shape[self.ndim - 1];
  const r = self.newArange(rows).unsqueeze(1);
  const c = self.newArange(cols).unsqueeze(0);
  const offset = c.sub(r);
  const keep = upper ? offset.ge(diagonal) : offset.le(diagonal);
  const out = self.mul(keep);
  for (const t of [r, c, offset, keep]) t.dispose();
  return out;
}

export const shapeMethods = {
  flip(this: Tensor, ...dims: (number | readonly number[])[]): Tensor {
    return flip(this, sizeArgs(dims));
  },
  repeat(this: Tensor, ...repeats: (number | readonly number[])[]): Tensor {
    return repeat(this, sizeArgs(repeats));
  },
  tile(this: Tensor, ...reps: (number | readonly number[])[]): Tensor {
    const r = sizeArgs(reps);
    const padded = r.length < this.ndim ? [...Array(this.ndim - r.length).fill(1), ...r] : r;
    return repeat(this, padded);
  },
  roll(this: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
    return roll(this, shifts, dims);
  },
  tril(this: Tensor, diagonal = 0): Tensor {
    return triangle(this, diagonal, false);
  },
  triu(this: Tensor, diagonal = 0): Tensor {
    return triangle(this, diagonal, true);
  },
};
