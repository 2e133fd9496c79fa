// Matrix products. mm, bmm, dot, mv and addmm are primitives with PyTorch's backward nodes;
// matmul composes them exactly as PyTorch's _matmul_impl does, so its graph (and node names:
// MmBackward0, UnsafeViewBackward0, ...) matches.
import { RuntimeError } from "../errors.js";
import { DTYPES, type DType } from "../tensor/dtype.js";
import { broadcastShapes, numel } from "../tensor/shape.js";
import { Tensor, isTensor } from "../tensor/tensor.js";
import { tidyWith } from "../tensor/lifetime.js";
import { method } from "./args.js";
import { alive, typeMetaName } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";
import { unsafeView } from "./view.js";

/** The operands' common dtype, or the op's message (of the dtypes' `names`, PyTorch's scalar names unless given) when they differ. */
function sameDtype(a: Tensor, b: Tensor, message: (a: string, b: string) => string, names = (d: DType) => DTYPES[d].scalarName): DType {
  if (a.dtype === b.dtype) return a.dtype;
  throw new RuntimeError(message(names(a.dtype), names(b.dtype)));
}

/** bmm's and mv's message for operands of different dtypes. */
const expectedScalarType = (a: string, b: string) => `expected scalar type ${a} but found ${b}`;

/** addmm/baddbmm's factors: beta scales self, alpha the product. */
export interface Scales {
  beta: number;
  alpha: number;
}

/**
 * A product's attributes: its factors, and for mm and addmm which operands were column-major
 * (a transposed contiguous matrix, as x @ W.t() passes W) when the product ran.
 */
interface ProductAttrs extends Scales {
  columnMajor?: readonly [boolean, boolean];
}

const UNSCALED: Scales = { beta: 1, alpha: 1 };

/** PyTorch's maybe_multiply: a factor of 1 adds no multiplication to the graph. */
const scaled = (t: Tensor, factor: number) => (factor === 1 ? t : t.mul(factor));

/** Whether a matrix is a transposed contiguous one (strides [1, rows]). */
const isColumnMajor = (m: Tensor) => m._strides[0] === 1 && m._strides[1] === m._shape[0];

/** mm's and addmm's attributes: the factors and the operands' layouts. */
const mmAttrs = (a: Tensor, b: Tensor, beta = 1, alpha = 1): ProductAttrs => ({ beta, alpha, columnMajor: [isColumnMajor(a), isColumnMajor(b)] });

/**
 * The backward of `self * beta + (a @ b) * alpha` (mm, bmm: the product alone): grad @ bᵀ for a
 * and aᵀ @ grad for b (batched with bmm), scaled by alpha; beta * grad for self. Like PyTorch's
 * mm_mat1_backward / mm_mat2_backward, a column-major operand of mm gets its gradient column-
 * major too ((b @ gradᵀ)ᵀ, (gradᵀ @ a)ᵀ): the gradient of W in x @ W.t() is then a contiguous
 * product, which accumulates into W.grad without a transposing copy.
 */
function productDerivative(name: string, product: "mm" | "bmm", a: string, b: string, addsSelf: boolean): Derivative<ProductAttrs> {
  const mT = (t: Tensor) => (product === "mm" ? t.t() : t.transpose(1, 2));
  return {
    name, inputs: addsSelf ? ["self", a, b] : [a, b], saves: { [a]: [b], [b]: [a] },
    backward: ({ grad, saved, attrs: { beta, alpha, columnMajor = [false, false] } }) => ({
      ...(addsSelf && { self: () => scaled(grad, beta) }),
      [a]: () => scaled(columnMajor[0] ? saved(b).mm(grad.t()).t() : grad[product](mT(saved(b))), alpha),
      [b]: () => scaled(columnMajor[1] ? grad.t().mm(saved(a)).t() : mT(saved(a))[product](grad), alpha),
    }),
  };
}

const MM = productDerivative("MmBackward0", "mm", "self", "mat2", false);
const BMM = productDerivative("BmmBackward0", "bmm", "self", "mat2", false);
const ADDMM = productDerivative("AddmmBackward0", "mm", "mat1", "mat2", true);
const BADDBMM = productDerivative("BaddbmmBackward0", "bmm", "batch1", "batch2", true);

/** A fresh product of `shape` (the matmul kernel reads a vector `a` as a row, a vector `b` as a column). */
function product(a: Tensor, b: Tensor, shape: number[], dtype: DType, batch: number[] = []): Tensor {
  const out = k.empty(shape, dtype);
  k.matmul(a, b, out, batch);
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 2) throw new RuntimeError("self must be a matrix");
  if (b.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  const dtype = sameDtype(a, b, (x, y) => `expected mat1 and mat2 to have the same dtype, but got: ${x} != ${y}`, typeMetaName);
  return record(MM, [a, b], mmAttrs(a, b), () => {
    checkMultipliable(a, b);
    return product(a, b, [a._shape[0], b._shape[1]], dtype);
  });
}

/** mat1 @ mat2's size check (mm, addmm). */
function checkMultipliable(a: Tensor, b: Tensor): void {
  if (a._shape[1] !== b._shape[0]) {
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
  }
}

/** batch1 @ batch2's checks (bmm, baddbmm): 3-D operands with matching batch and inner sizes. */
function checkBatches(a: Tensor, b: Tensor, inForward: boolean): void {
  if (!inForward) {
    if (a.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
    if (b.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  } else if (b._shape[0] !== a._shape[0] || b._shape[1] !== a._shape[2]) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${a._shape[0]}, ${a._shape[2]}] but got: [${b._shape[0]}, ${b._shape[1]}].`);
  }
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  checkBatches(a, b, false);
  return record(BMM, [a, b], UNSCALED, () => {
    checkBatches(a, b, true);
    return product(a, b, [a._shape[0], a._shape[1], b._shape[2]], sameDtype(a, b, expectedScalarType), [a._shape[0]]);
  });
}

const DOT: Derivative<null> = {
  name: "DotBackward0", inputs: ["self", "tensor"], saves: { self: ["tensor"], tensor: ["self"] },
  backward: ({ grad, saved }) => ({ self: () => saved("tensor").mul(grad), tensor: () => saved("self").mul(grad) }),
};

export function dot(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  return record(DOT, [a, b], null, () => {
    if (a._shape[0] !== b._shape[0]) {
      throw new RuntimeError(`inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`);
    }
    return product(a, b, [], sameDtype(a, b, (x, y) => `dot : expected both vectors to have same dtype, but found ${x} and ${y}`));
  });
}

const MV: Derivative<null> = {
  name: "MvBackward0", inputs: ["self", "vec"], saves: { self: ["vec"], vec: ["self"] },
  backward: ({ grad, saved }) => ({
    self: () => grad.unsqueeze(1).mul(saved("vec").unsqueeze(0)),
    vec: () => saved("self").t().mv(grad),
  }),
};

export function mv(a: Tensor, v: Tensor): Tensor {
  alive(a, v);
  if (a.ndim !== 2 || v.ndim !== 1) throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.ndim}, ${v.ndim}`);
  return record(MV, [a, v], null, () => {
    if (a._shape[1] !== v._shape[0]) {
      throw new RuntimeError(`size mismatch, got input (${a._shape[0]}), mat (${a._shape[0]}x${a._shape[1]}), vec (${v._shape[0]})`);
    }
    return product(a, v, [a._shape[0]], sameDtype(a, v, expectedScalarType));
  });
}

/** beta * self + alpha * (mat1 @ mat2), self broadcast to the product's shape. */
export function addmm(self: Tensor, mat1: Tensor, mat2: Tensor, { beta = 1, alpha = 1 }: Partial<Scales> = {}): Tensor {
  alive(self, mat1, mat2);
  if (self.dtype !== mat2.dtype) {
    throw new RuntimeError(`self and mat2 must have the same dtype, but got ${DTYPES[self.dtype].scalarName} and ${DTYPES[mat2.dtype].scalarName}`);
  }
  const dtype = sameDtype(mat1, mat2, (x, y) => `mat1 and mat2 must have the same dtype, but got ${x} and ${y}`);
  for (const [name, m] of [["mat1", mat1], ["mat2", mat2]] as const) {
    if (m.ndim !== 2) throw new RuntimeError(`${name} must be a matrix, got ${m.ndim}-D tensor`);
  }
  return record(ADDMM, [self, mat1, mat2], mmAttrs(mat1, mat2, beta, alpha), () => {
    checkMultipliable(mat1, mat2);
    const shape = [mat1._shape[0], mat2._shape[1]];
    broadcastShapes(self._shape, shape);
    const out = k.empty(shape, dtype);
    if (beta === 0) k.fill(out, 0);
    else if (beta === 1) k.copyInto(out, self);
    else k.binary("Mul", self, { scalar: beta, dtype }, out);
    // alpha = 1 accumulates the product into out directly
    if (alpha === 1) k.matmul(mat1, mat2, out, [], true);
    else {
      const prod = product(mat1, mat2, shape, dtype);
      k.binary("AddScaled", out, prod, out, alpha);
      prod.dispose();
    }
    return out;
  });
}

/** beta * self + alpha * (batch1 @ batch2), self broadcast to the batched product's shape. */
export function baddbmm(self: Tensor, batch1: Tensor, batch2: Tensor, { beta = 1, alpha = 1 }: Partial<Scales> = {}): Tensor {
  alive(self, batch1, batch2);
  checkBatches(batch1, batch2, false);
  return record(BADDBMM, [self, batch1, batch2], { beta, alpha }, () => {
    checkBatches(batch1, batch2, true);
    const [b, n] = batch1._shape;
    const shape = [b, n, batch2._shape[2]];
    broadcastShapes(self._shape, shape);
    if (self.dtype !== batch1.dtype || batch1.dtype !== batch2.dtype) {
      const name = (t: Tensor) => DTYPES[t.dtype].scalarName.toLowerCase();
      throw new RuntimeError(`Input dtypes must be the same, got: input ${name(self)}, batch1: ${name(batch1)}, batch2: ${name(batch2)}`);
    }
    const dtype = self.dtype;
    return k.disposing((temps) => {
      const prod = product(batch1, batch2, shape, dtype, [b]);
      temps.push(prod);
      return k.filled(k.empty(shape, dtype), (out) => {
        // beta = 0 ignores self entirely (NaN included), as PyTorch documents
        if (beta === 0) k.binary("Mul", prod, { scalar: alpha, dtype }, out);
        else {
          k.binary("Mul", self, { scalar: beta, dtype }, out);
          k.binary("AddScaled", out, prod, out, alpha);
        }
      });
    });
  });
}

const mT = (t: Tensor) => t.transpose(-2, -1);

/** Whether _matmul_impl folds the batch dims of the larger operand into its rows (one mm or mv). */
function shouldFold(a: Tensor, b: Tensor): boolean {
  const aLarger = a.ndim >= b.ndim;
  const [t1, t2] = aLarger ? [a, b] : [b, a];
  if (!(t1.ndim >= 3 && t2.ndim <= 2)) return false;
  if (t2.requiresGrad) return true;
  if (a.ndim === 2) return false;
  // the batch dims of t1 (transposed when it is b) must be foldable into one without a copy
  const t = aLarger ? a : mT(b);
  if (t.numel() === 0) return true;
  for (let i = 0; i < t.ndim - 2; i++) if (t._strides[i] !== t._strides[i + 1] * t._shape[i + 1]) return false;
  return true;
}

/** torch.matmul, following PyTorch's _matmul_impl case by case (its temporaries disposed). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  const da = a.ndim, db = b.ndim;
  if (da === 0 || db === 0) throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 2 && db === 2) return mm(a, b);
  return tidyWith(() => {
    if (da === 1 && db === 2) return a.unsqueeze(0).mm(b).squeeze_(0);
    if (shouldFold(a, b)) {
      const transpose = db > da;
      const t1 = transpose ? mT(b) : a;
      const t2 = !transpose ? b : da === 2 ? a.t() : a;
      const outShape = t1._shape.slice(0, -1);
      const folded = t1.reshape([numel(outShape), t1._shape[t1.ndim - 1]]);
      if (t2.ndim !== 2) return unsafeView(folded.mv(t2), outShape);
      const out = unsafeView(folded.mm(t2), [...outShape, t2._shape[1]]);
      return transpose ? mT(out).contiguous() : out;
    }
    const n = da > 1 ? a._shape[da - 2] : 1;
    const m1 = a._shape[da - 1];
    const batchA = a._shape.slice(0, Math.max(da - 2, 0));
    const m2 = db > 1 ? b._shape[db - 2] : b._shape[0];
    const p = db > 1 ? b._shape[db - 1] : 1;
    const batchB = b._shape.slice(0, Math.max(db - 2, 0));
    if (da === 3 && db === 3 && batchA[0] !== batchB[0]) {
      if (batchA[0] === 1 && a.requiresGrad) return matmul(a.squeeze(0), b);
      if (batchB[0] === 1 && b.requiresGrad) return matmul(a, b.squeeze(0));
    }
    const outShape = broadcastShapes(batchA, batchB);
    const batch = numel(outShape);
    const aExpanded = a.expand([...outShape, n, m1]).reshape([batch, n, m1]);
    const vectorRhs = db === 1;
    const bExpanded = vectorRhs ? b.expand([...outShape, m2]).reshape([batch, m2]).unsqueeze(2) : b.expand([...outShape, m2, p]).reshape([batch, m2, p]);
    if (da > 1) outShape.push(n);
    if (db > 1) outShape.push(p);
    const prod = aExpanded.bmm(bExpanded);
    return unsafeView(vectorRhs ? prod.squeeze(-1) : prod, outShape);
  }, isTensor);
}

export function outer(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError(`outer: expected 1D tensors, got ${a.ndim}D and ${b.ndim}D`);
  return tidyWith(() => a.reshape([a._shape[0], 1]).mul(b), isTensor);
}

export const linalgMethods = {
  mm: method(mm),
  bmm: method(bmm),
  dot: method(dot),
  mv: method(mv),
  matmul: method(matmul),
  outer: method(outer),
  addmm: method(addmm),
  baddbmm: method(baddbmm),
};
