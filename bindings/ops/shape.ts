// Ops that assemble or rearrange data into new storage: cat, stack, flip, repeat/tile, roll,
// tril/triu, one_hot.
import { RuntimeError, formatShape } from "../errors.js";
import { resultType } from "../tensor/dtype.js";
import { normalizeDim, sameShape, sizeArgs } from "../tensor/shape.js";
import { Tensor, isTensor } from "../tensor/tensor.js";
import { tidyWith } from "../tensor/lifetime.js";
import { methodPair } from "./args.js";
import { alive, checkNoInternalOverlap } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record, recordInplace } from "./record.js";

/** cat's and stack's derivative, with one input per tensor (built per call): `part` is the gradient of input i. */
function partsDerivative(name: string, n: number, part: (grad: Tensor, i: number) => Tensor | null): Derivative<null> {
  const inputs = [...Array(n).keys()].map((i) => `t${i}`);
  return {
    name, inputs,
    backward: ({ grad }) => Object.fromEntries(inputs.map((input, i) => [input, () => part(grad, i)])),
  };
}

/** Copies each [tensor, offset] into `out` seen with the tensor's shape, `strides` and that element offset. */
function copyParts(out: Tensor, strides: readonly number[], parts: readonly (readonly [Tensor, number])[]): Tensor {
  parts.forEach(([t, offset]) => {
    const part = out._alias(t._shape, strides, offset, null);
    k.copyInto(part, t);
    part.dispose();
  });
  return out;
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
  // skipped tensors get no gradient; the others the slice they filled
  const sizes = tensors.map((t) => (t.ndim === 1 && t._shape[0] === 0 && ref.ndim !== 1 ? -1 : t._shape[d] ?? 0));
  const starts: number[] = [];
  let length = 0;
  for (const size of sizes) starts.push((length += Math.max(size, 0)) - Math.max(size, 0));
  const derivative = partsDerivative("CatBackward0", tensors.length, (grad, i) => (sizes[i] < 0 ? null : grad.narrow(d, starts[i], sizes[i])));
  return record(derivative, tensors, null, () => {
    const shape = [...ref._shape];
    shape[d] = length;
    const out = k.empty(shape, concatDtype(tensors));
    return copyParts(out, out._strides, tensors.flatMap((t, i) => (sizes[i] > 0 ? [[t, starts[i] * out._strides[d]] as const] : [])));
  });
}

/** cat's and stack's result dtype: the tensors' promoted as if all were dimensioned. */
const concatDtype = (tensors: readonly Tensor[]) => resultType(tensors.map((t) => ({ dtype: t.dtype, ndim: 1 })));

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
  return record(partsDerivative("StackBackward0", tensors.length, (grad, i) => grad.select(d, i)), tensors, null, () => {
    const shape = [...ref._shape];
    shape.splice(d, 0, tensors.length);
    const out = k.empty(shape, concatDtype(tensors));
    return copyParts(out, out._strides.filter((_, i) => i !== d), tensors.map((t, i) => [t, i * out._strides[d]] as const));
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

interface RepeatAttrs {
  repeats: number[];
  sizes: number[];
}

/** PyTorch's repeat_backward: view the gradient as [repeat, size] pairs and sum the repeats. */
const REPEAT: Derivative<RepeatAttrs> = {
  name: "RepeatBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => {
    const { repeats, sizes } = attrs;
    if (repeats.includes(0)) return { self: grad.newZeros(sizes) };
    const lead = repeats.length - sizes.length;
    let g = grad;
    for (let i = 0; i < lead; i++) g = g.sum(0);
    const gradSize: number[] = [];
    const sumDims: number[] = [];
    sizes.forEach((size, d) => {
      if (repeats[d + lead] !== 1) {
        gradSize.push(repeats[d + lead]);
        sumDims.push(gradSize.length - 1);
      }
      gradSize.push(size);
    });
    return { self: sumDims.length === 0 ? g : g.reshape(gradSize).sum(sumDims) };
  },
};

/** repeat: the tensor tiled `repeats` times along each dim (new leading dims allowed). */
export function repeat(self: Tensor, repeats: readonly number[]): Tensor {
  alive(self);
  if (repeats.length < self.ndim) {
    throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  }
  const lead = repeats.length - self.ndim;
  const padded = [...Array<number>(lead).fill(1), ...self._shape];
  const shape = padded.map((s, i) => s * repeats[i]);
  for (const s of shape) if (s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: ${formatShape(shape)}`);
  return record(REPEAT, [self], { repeats: [...repeats], sizes: [...self._shape] }, () => {
    const out = k.empty(shape, self.dtype);
    // out seen as [r0, s0, r1, s1, ...] takes self broadcast over the r dims: one copy
    const paddedStrides = [...Array<number>(lead).fill(0), ...self._strides];
    const pairs = padded.flatMap((s, i) => [repeats[i], s]);
    const source = self._alias(pairs, paddedStrides.flatMap((st) => [0, st]), self._offset, null);
    const target = out._alias(pairs, out._strides.flatMap((st, i) => [padded[i] * st, st]), 0, null);
    k.copyInto(target, source);
    source.dispose();
    target.dispose();
    return out;
  });
}

/** torch.tile: repeat with the repetitions padded on the left to the tensor's rank. */
export function tile(self: Tensor, reps: readonly number[]): Tensor {
  return repeat(self, reps.length < self.ndim ? [...Array<number>(self.ndim - reps.length).fill(1), ...reps] : reps);
}

const ROLL: Derivative<{ shifts: number[]; dims: number[] | null }> = {
  name: "RollBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.roll(attrs.shifts.map((s) => -s), attrs.dims ?? undefined) }),
};

/** One dim rolled: the two parts of `src` copied to their places in a fresh tensor. */
function rollDim(src: Tensor, dim: number, shift: number): Tensor {
  const out = k.empty(src._shape, src.dtype);
  const size = src._shape[dim];
  const s = size === 0 ? 0 : ((shift % size) + size) % size;
  const part = (t: Tensor, start: number, length: number) => {
    const shape = [...t._shape];
    shape[dim] = length;
    return t._alias(shape, t._strides, t._offset + start * t._strides[dim], null);
  };
  const pieces = [[part(out, s, size - s), part(src, 0, size - s)], [part(out, 0, s), part(src, size - s, s)]];
  for (const [to, from] of pieces) {
    k.copyInto(to, from);
    to.dispose();
    from.dispose();
  }
  return out;
}

/** torch.roll: elements shifted along dims (wrapping around); without dims, over the flattened tensor. */
export function roll(self: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  alive(self);
  const sh = typeof shifts === "number" ? [shifts] : [...shifts];
  if (sh.length === 0) throw new RuntimeError("`shifts` required");
  const ds = dims === undefined ? null : (typeof dims === "number" ? [dims] : [...dims]).map((d) => normalizeDim(d, self.ndim));
  if (ds === null && sh.length !== 1) throw new RuntimeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:0`);
  if (ds !== null && sh.length !== ds.length) throw new RuntimeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  return record(ROLL, [self], { shifts: sh, dims: ds }, () => {
    if (ds === null) {
      const flat = k.copyAs(self);
      const line = flat._alias([flat.numel()], [1], 0, null);
      const rolled = rollDim(line, 0, sh[0]);
      const out = rolled._alias(self._shape, flat._strides, 0, null);
      for (const t of [flat, line, rolled]) t.dispose();
      return out;
    }
    let out = self;
    ds.forEach((d, i) => {
      const next = rollDim(out, d, sh[i]);
      if (out !== self) out.dispose();
      out = next;
    });
    return out === self ? k.copyAs(self) : out;
  });
}

/** The bool mask of a triangle of a [rows, cols] matrix: column - row <= diagonal (or >= for upper). */
function triangleMask(rows: number, cols: number, diagonal: number, upper: boolean): Tensor {
  const r = k.sequence(k.empty([rows, 1], "int64"), 0, 1);
  const c = k.sequence(k.empty([1, cols], "int64"), 0, 1);
  const offset = k.binary("Sub", c, r, k.empty([rows, cols], "int64"));
  const mask = k.compare(upper ? "Ge" : "Le", offset, { scalar: diagonal, dtype: "int64" }, "int64", k.empty([rows, cols], "bool"));
  for (const t of [r, c, offset]) t.dispose();
  return mask;
}

const TRIANGLE = (name: string, upper: boolean): Derivative<{ diagonal: number }> => ({
  name, inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: upper ? grad.triu(attrs.diagonal) : grad.tril(attrs.diagonal) }),
});
const TRIL = TRIANGLE("TrilBackward0", false);
const TRIU = TRIANGLE("TriuBackward0", true);

/** Writes self's triangle (zeros elsewhere) into out. */
function triangleInto(out: Tensor, self: Tensor, diagonal: number, upper: boolean): void {
  const mask = triangleMask(self._shape[self.ndim - 2], self._shape[self.ndim - 1], diagonal, upper);
  k.where(mask, self, { scalar: 0, dtype: self.dtype }, out);
  mask.dispose();
}

/** tril/triu, out of place or in place. */
function triangle(self: Tensor, diagonal: number, upper: boolean, inplace: boolean): Tensor {
  alive(self);
  if (self.ndim < 2) throw new RuntimeError(`${upper ? "triu" : "tril"}: input tensor must have at least 2 dimensions`);
  const d = upper ? TRIU : TRIL;
  if (!inplace) return record(d, [self], { diagonal }, () => k.filled(k.emptyLike(self), (out) => triangleInto(out, self, diagonal, upper)));
  return recordInplace(d, self, [], { diagonal }, () => {
    checkNoInternalOverlap(self);
    triangleInto(self, self, diagonal, upper);
  });
}

/** nn.functional.one_hot: int64 [..., numClasses] with a 1 at each class index (PyTorch's zeros + scatter). */
export function oneHot(self: Tensor, numClasses = -1): Tensor {
  alive(self);
  if (self.dtype !== "int64") throw new RuntimeError("one_hot is only applicable to index tensor.");
  const n = self.numel();
  if (n === 0 && numClasses === -1) throw new RuntimeError("Can not infer total number of classes from empty tensor.");
  return tidyWith(() => {
    let classes = numClasses;
    if (n > 0) {
      if (self.min().item() < 0) throw new RuntimeError("Class values must be non-negative.");
      const max = self.max().item();
      if (classes === -1) classes = max + 1;
      else if (max >= classes) throw new RuntimeError("Class values must be smaller than num_classes.");
    }
    return self.newZeros([...self._shape, classes]).scatter(-1, self.unsqueeze(-1), 1);
  }, isTensor);
}

type Sizes = (number | readonly number[])[];
type ShapeMethods = {
  flip(this: Tensor, ...dims: Sizes): Tensor;
  repeat(this: Tensor, ...repeats: Sizes): Tensor;
  tile(this: Tensor, ...reps: Sizes): Tensor;
  roll(this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
  tril(this: Tensor, diagonal?: number): Tensor;
  triu(this: Tensor, diagonal?: number): Tensor;
  tril_(this: Tensor, diagonal?: number): Tensor;
  triu_(this: Tensor, diagonal?: number): Tensor;
};

export const shapeMethods = {
  flip(this: Tensor, ...dims: (number | readonly number[])[]): Tensor {
    return flip(this, sizeArgs(dims));
  },
  repeat(this: Tensor, ...repeats: (number | readonly number[])[]): Tensor {
    return repeat(this, sizeArgs(repeats));
  },
  tile(this: Tensor, ...reps: (number | readonly number[])[]): Tensor {
    return tile(this, sizeArgs(reps));
  },
  roll(this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
    return roll(this, shifts, dims);
  },
} as ShapeMethods;
methodPair(shapeMethods, "tril", (self, [diagonal], inplace) => triangle(self, (diagonal as number | undefined) ?? 0, false, inplace));
methodPair(shapeMethods, "triu", (self, [diagonal], inplace) => triangle(self, (diagonal as number | undefined) ?? 0, true, inplace));
