// Diagonals: the diagonal view, and the copies diag and diag_embed (PyTorch's diag is
// diag_embed for a vector and diagonal_copy for a matrix, so those are its nodes).
import { RuntimeError } from "../errors.js";
import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { method } from "./args.js";
import { alive } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";
import { viewOp } from "./view.js";

interface DiagAttrs {
  offset: number;
  dim1: number;
  dim2: number;
  sizes: number[];
}

/** The geometry of a diagonal of `t` (PyTorch's diagonal view): dims dim1, dim2 replaced by one last dim. */
function diagonalGeometry(t: { _shape: readonly number[]; _strides: readonly number[]; _offset: number }, offset: number, dim1: number, dim2: number): { shape: number[]; strides: number[]; offset: number } {
  const s1 = t._shape[dim1], s2 = t._shape[dim2];
  const length = Math.max(offset >= 0 ? Math.min(s1, s2 - offset) : Math.min(s1 + offset, s2), 0);
  let start = t._offset;
  if (length > 0) start += offset >= 0 ? offset * t._strides[dim2] : -offset * t._strides[dim1];
  const keep = [...t._shape.keys()].filter((d) => d !== dim1 && d !== dim2);
  return {
    shape: [...keep.map((d) => t._shape[d]), length],
    strides: [...keep.map((d) => t._strides[d]), t._strides[dim1] + t._strides[dim2]],
    offset: start,
  };
}

/** PyTorch's diagonal_backward: zeros with the gradient on the diagonal. */
function diagonalBackward(grad: Tensor, a: DiagAttrs): Tensor {
  const out = grad.newZeros(a.sizes);
  const diagonal = out.diagonal(a.offset, a.dim1, a.dim2);
  diagonal.copy_(grad);
  diagonal.dispose();
  return out;
}

const DIAGONAL_COPY: Derivative<DiagAttrs> = {
  name: "DiagonalBackward0_copy", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: diagonalBackward(grad, attrs) }),
};
const DIAG_EMBED: Derivative<DiagAttrs> = {
  name: "DiagEmbedBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.diagonal(attrs.offset, attrs.dim1, attrs.dim2) }),
};

/** torch.diag_embed: the last dim of self placed on a diagonal of new dims dim1, dim2 (zeros elsewhere). */
export function diagEmbed(self: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  alive(self);
  const nd = self.ndim + 1;
  const [d1, d2] = diagonalDims(self, dim1, dim2, nd);
  const n = self._shape[self.ndim - 1] + Math.abs(offset);
  // dims dim1 and dim2 are the new square ones; the others are self's leading dims, in order
  const outShape: number[] = [];
  let j = 0;
  for (let d = 0; d < nd; d++) outShape.push(d === d1 || d === d2 ? n : self._shape[j++]);
  return record(DIAG_EMBED, [self], { offset, dim1: d1, dim2: d2, sizes: [...self._shape] }, () => {
    const out = k.empty(outShape, self.dtype);
    k.fill(out, 0);
    const g = diagonalGeometry(out, offset, d1, d2);
    const target = out._alias(g.shape, g.strides, g.offset, null);
    k.copyInto(target, self);
    target.dispose();
    return out;
  });
}

/** torch.diag: a 1-D tensor's diagonal matrix, or a 2-D tensor's diagonal (a copy). */
export function diag(self: Tensor, diagonal = 0): Tensor {
  alive(self);
  if (self.ndim !== 1 && self.ndim !== 2) throw new RuntimeError(`diag(): Supports 1D or 2D tensors. Got ${self.ndim}D`);
  if (self.ndim === 1) return diagEmbed(self, diagonal, 0, 1);
  return record(DIAGONAL_COPY, [self], { offset: diagonal, dim1: 0, dim2: 1, sizes: [...self._shape] }, () => {
    const g = diagonalGeometry(self, diagonal, 0, 1);
    const view = self._alias(g.shape, g.strides, g.offset, null);
    const out = k.copyAs(view);
    view.dispose();
    return out;
  });
}

const DIAGONAL: Derivative<DiagAttrs> = {
  name: "DiagonalBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: diagonalBackward(grad, attrs) }),
};

function diagonalDims(self: Tensor, dim1: number, dim2: number, ndim = self.ndim): [number, number] {
  const d1 = normalizeDim(dim1, ndim), d2 = normalizeDim(dim2, ndim);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  return [d1, d2];
}

/** torch.diagonal: a view of the diagonal of dims dim1 and dim2, as the last dim. */
export function diagonal(self: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const [d1, d2] = diagonalDims(self, dim1, dim2);
  return viewOp(DIAGONAL, self, { offset, dim1: d1, dim2: d2, sizes: [...self._shape] }, () => diagonalGeometry(self, offset, d1, d2));
}

export const diagonalMethods = {
  diagonal: method(diagonal),
  diag: method(diag),
  diagEmbed: method(diagEmbed),
};
