// Shapes, strides and dims: pure arithmetic on small arrays.
import { IndexError, RuntimeError, messages } from "../errors.js";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  // a copy of shape, overwritten: a packed array (new Array(n) would make a holey one)
  const strides = shape.slice();
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i], 1);
  }
  return strides;
}

/** Whether `strides` are exactly `contiguousStrides(shape)` (isContiguous also allows any stride on a size-1 dim). */
export function hasContiguousStrides(shape: Shape, strides: Shape): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (strides[i] !== s) return false;
    s *= Math.max(shape[i], 1);
  }
  return true;
}

export function isContiguous(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (shape[i] === 0) return true;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Wraps a possibly negative dim into [0, ndim); PyTorch's IndexError when out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) throw new IndexError(messages.dimRange(dim, ndim));
  return dim < 0 ? dim + n : dim;
}

/** The broadcast shape of two shapes, or PyTorch's error. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const y = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RuntimeError(
        `The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Whether `shape` broadcasts to `to` (PyTorch's is_expandable_to). */
export function isExpandable(shape: Shape, to: Shape): boolean {
  const lead = to.length - shape.length;
  return lead >= 0 && shape.every((s, i) => s === 1 || s === to[lead + i]);
}

export function sameShape(a: Shape, b: Shape): boolean {
  // (results of pointwise ops share their inputs' shape arrays)
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Strides that present a tensor of `shape`/`strides` as `target` (0 on broadcast dims). */
export function expandStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length);
  const lead = target.length - shape.length;
  for (let i = 0; i < target.length; i++) {
    const j = i - lead;
    out[i] = j < 0 || (shape[j] === 1 && target[i] !== 1) ? 0 : strides[j];
  }
  return out;
}

/** A size argument list: separate integers or one array (`view(3, 2)` and `view([3, 2])`). */
export function sizeArgs(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

/** Resolves one -1 in a requested shape against the element count. */
export function inferSize(shape: Shape, count: number): number[] {
  const out = [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === -1) {
      if (infer >= 0) throw new RuntimeError("only one dimension can be inferred");
      infer = i;
    } else if (out[i] < 0 || !Number.isInteger(out[i])) {
      throw new RuntimeError(`invalid shape dimension ${out[i]}`);
    } else known *= out[i];
  }
  if (infer >= 0) {
    if (known === 0 || count % known !== 0) throw new RuntimeError(messages.shapeInvalid(shape, count));
    out[infer] = count / known;
  } else if (known !== count) throw new RuntimeError(messages.shapeInvalid(shape, count));
  return out;
}

/**
 * Strides for viewing (shape, strides) as `target` without copying, or null when the
 * memory layout does not allow it (PyTorch's computeStride).
 */
export function viewStrides(shape: Shape, strides: Shape, target: Shape): number[] | null {
  if (shape.length === 0) return target.map(() => 1);
  if (numel(shape) === 0) return sameShape(shape, target) ? [...strides] : contiguousStrides(target);
  const newStrides = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** Whether the elements tile a contiguous block in some dim order (PyTorch's is_non_overlapping_and_dense). */
export function isNonOverlappingAndDense(shape: Shape, strides: Shape): boolean {
  const dims = shape.map((_, i) => i).filter((i) => shape[i] !== 1).sort((x, y) => strides[x] - strides[y]);
  let expected = 1;
  for (const i of dims) {
    if (shape[i] === 0) return true;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** PyTorch's has_internal_overlap answering "yes": a dim of size > 1 with stride 0 (expand). */
export function hasInternalOverlap(shape: Shape, strides: Shape): boolean {
  for (let i = 0; i < shape.length; i++) if (strides[i] === 0 && shape[i] > 1) return true;
  return false;
}

/**
 * Strides for the output of a pointwise op over `operands` (PyTorch's TensorIterator): the
 * output's memory follows the inputs' dimension order, so `x.t().exp()` is laid out like x.t().
 */
export function iteratorStrides(shape: Shape, operands: readonly { _shape: Shape; _strides: Shape }[]): number[] {
  const nd = shape.length;
  const strides = operands.map((op) => {
    const lead = nd - op._shape.length;
    return shape.map((s, i) => {
      const j = i - lead;
      if (j < 0 || (op._shape[j] === 1 && s !== 1)) return 0;
      return op._strides[j];
    });
  });
  // perm[0] is the fastest-moving dim; start from C order and insertion-sort by strides
  const perm = [...Array(nd).keys()].reverse();
  const shouldSwap = (d0: number, d1: number): number => {
    for (const st of strides) {
      const s0 = st[d0], s1 = st[d1];
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
  };
  for (let i = 1; i < nd; i++) {
    let dim1 = i;
    for (let dim0 = i - 1; dim0 >= 0; dim0--) {
      const c = shouldSwap(perm[dim0], perm[dim1]);
      if (c > 0) {
        [perm[dim0], perm[dim1]] = [perm[dim1], perm[dim0]];
        dim1 = dim0;
      } else if (c < 0) break;
    }
  }
  const out = new Array<number>(nd);
  let next = 1;
  for (const d of perm) {
    out[d] = next;
    next *= shape[d];
  }
  return out;
}
