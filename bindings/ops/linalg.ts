// Matrix products. mm, bmm, dot, mv and addmm are primitives with PyTorch's backward nodes;
// matmul composes them exactly as PyTorch's _matmul_impl does, so its graph (and node names:
// MmBackward0, UnsafeViewBackward0, ...) matches.
import { RuntimeError } from "../errors.js";
import { DTYPES, type DType } from "../tensor/dtype.js";
import { broadcastShapes, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { alive, typeMetaName } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";
import { unsafeView } from "./view.js";

/** The operands' common dtype, or PyTorch's message for each op when they differ. */
function sameDtype(a: Tensor, b: Tensor, name: "mm" | "bmm" | "dot" | "mv" | "addmm"): DType {
  if (a.dtype === b.dtype) return a.dtype;
  const scalar = (t: Tensor) => DTYPES[t.dtype].scalarName;
  switch (name) {
    case "mm": throw new RuntimeError(`expected mat1 and mat2 to have the same dtype, but got: ${typeMetaName(a.dtype)} != ${typeMetaName(b.dtype)}`);
    case "dot": throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${scalar(a)} and ${scalar(b)}`);
    case "addmm": throw new RuntimeError(`mat1 and mat2 must have the same dtype, but got ${scalar(a)} and ${scalar(b)}`);
    default: throw new RuntimeError(`expected scalar type ${scalar(a)} but found ${scalar(b)}`);
  }
}

const MM: Derivative<null> = {
  name: "MmBackward0", inputs: ["self", "mat2"], saves: { self: ["mat2"], mat2: ["self"] },
  backward: ({ grad, saved, needs }) => ({
    self: needs("self") ? grad.mm(saved("mat2").t()) : null,
    mat2: needs("mat2") ? saved("self").t().mm(grad) : null,
  }),
};

export function mm(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 2) throw new RuntimeError("self must be a matrix");
  if (b.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  const dtype = sameDtype(a, b, "mm");
  return record(MM, [a, b], null, () => {
    if (a._shape[1] !== b._shape[0]) {
      throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a._shape[0]}x${a._shape[1]} and ${b._shape[0]}x${b._shape[1]})`);
    }
    const out = k.empty([a._shape[0], b._shape[1]], dtype);
    k.matmul(a, b, out, []);
    return out;
  });
}

const BMM: Derivative<null> = {
  name: "BmmBackward0", inputs: ["self", "mat2"], saves: { self: ["mat2"], mat2: ["self"] },
  backward: ({ grad, saved, needs }) => ({
    self: needs("self") ? grad.bmm(saved("mat2").transpose(1, 2)) : null,
    mat2: needs("mat2") ? saved("self").transpose(1, 2).bmm(grad) : null,
  }),
};

export function bmm(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
  if (b.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  return record(BMM, [a, b], null, () => {
    if (b._shape[0] !== a._shape[0] || b._shape[1] !== a._shape[2]) {
      throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${a._shape[0]}, ${a._shape[2]}] but got: [${b._shape[0]}, ${b._shape[1]}].`);
    }
    const dtype = sameDtype(a, b, "bmm");
    const out = k.empty([a._shape[0], a._shape[1], b._shape[2]], dtype);
    k.matmul(a, b, out, [a._shape[0]]);
    return out;
  });
}

const DOT: Derivative<null> = {
  name: "DotBackward0", inputs: ["self", "tensor"], saves: { self: ["tensor"], tensor: ["self"] },
  backward: ({ grad, saved, needs }) => ({
    self: needs("self") ? saved("tensor").mul(grad) : null,
    tensor: needs("tensor") ? saved("self").mul(grad) : null,
  }),
};

export function dot(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  return record(DOT, [a, b], null, () => {
    if (a._shape[0] !== b._shape[0]) {
      throw new RuntimeError(`inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements, but got ${a._shape[0]} and ${b._shape[0]} elements respectively`);
    }
    const dtype = sameDtype(a, b, "dot");
    const out = k.empty([], dtype);
    const row = a._alias([1, a._shape[0]], [0, a._strides[0]], a._offset, null);
    const col = b._alias([b._shape[0], 1], [b._strides[0], 0], b._offset, null);
    k.matmul(row, col, out, []);
    row.dispose();
    col.dispose();
    return out;
  });
}

const MV: Derivative<null> = {
  name: "MvBackward0", inputs: ["self", "vec"], saves: { self: ["vec"], vec: ["self"] },
  backward: ({ grad, saved, needs }) => ({
    self: needs("self") ? grad.unsqueeze(1).mul(saved("vec").unsqueeze(0)) : null,
    vec: needs("vec") ? saved("self").t().mv(grad) : null,
  }),
};

export function mv(a: Tensor, v: Tensor): Tensor {
  alive(a, v);
  if (a.ndim !== 2 || v.ndim !== 1) throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${a.ndim}, ${v.ndim}`);
  return record(MV, [a, v], null, () => {
    if (a._shape[1] !== v._shape[0]) {
      throw new RuntimeError(`size mismatch, got input (${a._shape[0]}), mat (${a._shape[0]}x${a._shape[1]}), vec (${v._shape[0]})`);
    }
    const dtype = sameDtype(a, v, "mv");
    const out = k.empty([a._shape[0]], dtype);
    const col = v._alias([v._shape[0], 1], [v._strides[0], 0], v._offset, null);
    k.matmul(a, col, out, []);
    col.dispose();
    return out;
  });
}

const ADDMM: Derivative<{ beta: number; alpha: number }> = {
  name: "AddmmBackward0", inputs: ["self", "mat1", "mat2"], saves: { mat1: ["mat2"], mat2: ["mat1"] },
  backward: ({ grad, saved, needs, attrs }) => ({
    self: needs("self") ? (attrs.beta === 1 ? grad : grad.mul(attrs.beta)) : null,
    mat1: needs("mat1") ? grad.mm(saved("mat2").t()).mul(attrs.alpha) : null,
    mat2: needs("mat2") ? saved("mat1").t().mm(grad).mul(attrs.alpha) : null,
  }),
};

/** beta * self + alpha * (mat1 @ mat2), self broadcast to the product's shape. */
export function addmm(self: Tensor, mat1: Tensor, mat2: Tensor, beta = 1, alpha = 1): Tensor {
  alive(self, mat1, mat2);
  if (self.dtype !== mat2.dtype) {
    throw new RuntimeError(`self and mat2 must have the same dtype, but got ${DTYPES[self.dtype].scalarName} and ${DTYPES[mat2.dtype].scalarName}`);
  }
  const dtype = sameDtype(mat1, mat2, "addmm");
  if (mat1.ndim !== 2) throw new RuntimeError("mat1 must be a matrix, got " + mat1.ndim + "-D tensor");
  if (mat2.ndim !== 2) throw new RuntimeError("mat2 must be a matrix, got " + mat2.ndim + "-D tensor");
  return record(ADDMM, [self, mat1, mat2], { beta, alpha }, () => {
    if (mat1._shape[1] !== mat2._shape[0]) {
      throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${mat1._shape[0]}x${mat1._shape[1]} and ${mat2._shape[0]}x${mat2._shape[1]})`);
    }
    const shape = [mat1._shape[0], mat2._shape[1]];
    broadcastShapes(self._shape, shape);
    const out = k.empty(shape, dtype);
    if (beta === 0) k.fill(out, 0);
    else if (beta === 1) k.copyInto(out, self);
    else k.binary("Mul", self, { scalar: beta, dtype: out.dtype }, out);
    if (alpha === 1) k.matmul(mat1, mat2, out, [], true);
    else {
      const prod = k.empty(shape, out.dtype);
      k.matmul(mat1, mat2, prod, []);
      k.binary("AddScaled", out, prod, out, alpha);
      prod.dispose();
    }
    return out;
  });
}

const BADDBMM: Derivative<{ beta: number; alpha: number }> = {
  name: "BaddbmmBackward0", inputs: ["self", "batch1", "batch2"], saves: { batch1: ["batch2"], batch2: ["batch1"] },
  backward: ({ grad, saved, needs, attrs }) => ({
    self: needs("self") ? (attrs.beta === 1 ? grad : grad.mul(attrs.beta)) : null,
    batch1: needs("batch1") ? grad.bmm(saved("batch2").transpose(1, 2)).mul(attrs.alpha) : null,
    batch2: needs("batch2") ? saved("batch1").transpose(1, 2).bmm(grad).mul(attrs.alpha) : null,
  }),
};

/** beta * self + alpha * (batch1 @ batch2), self broadcast to the batched product's shape. */
export function baddbmm(self: Tensor, batch1: Tensor, batch2: Tensor, beta = 1, alpha = 1): Tensor {
  alive(self, batch1, batch2);
  if (batch1.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
  if (batch2.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  return record(BADDBMM, [self, batch1, batch2], { beta, alpha }, () => {
    const [b, n, m] = batch1._shape;
    if (batch2._shape[0] !== b || batch2._shape[1] !== m) {
      throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${b}, ${m}] but got: [${batch2._shape[0]}, ${batch2._shape[1]}].`);
    }
    const shape = [b, n, batch2._shape[2]];
    broadcastShapes(self._shape, shape);
    if (self.dtype !== batch1.dtype || batch1.dtype !== batch2.dtype) {
      const name = (t: Tensor) => DTYPES[t.dtype].scalarName.toLowerCase();
      throw new RuntimeError(`Input dtypes must be the same, got: input ${name(self)}, batch1: ${name(batch1)}, batch2: ${name(batch2)}`);
    }
    const dtype = self.dtype;
    const product = k.empty(shape, dtype);
    try {
      k.matmul(batch1, batch2, product, [b]);
      return k.filled(k.empty(shape, dtype), (out) => {
        // beta = 0 ignores self entirely (NaN included), as PyTorch documents
        if (beta === 0) k.binary("Mul", product, { scalar: alpha, dtype }, out);
        else {
          k.binary("Mul", self, { scalar: beta, dtype }, out);
          k.binary("AddScaled", out, product, out, alpha);
        }
      });
    } finally {
      product.dispose();
    }
  });
}

const mT = (t: Tensor) => t.transpose(-2, -1);

function shouldFold(a: Tensor, b: Tensor): boolean {
  const aLarger = a.ndim >= b.ndim;
  const t1 = aLarger ? a : null;
  const dimT1 = aLarger ? a.ndim : b.ndim;
  const dimT2 = aLarger ? b.ndim : a.ndim;
  if (!(dimT1 >= 3 && dimT2 <= 2)) return false;
  const t2RequiresGrad = aLarger ? b.requiresGrad : a.requiresGrad;
  if (t2RequiresGrad) return true;
  if (a.ndim === 2) return false;
  const t = t1 ?? mT(b);
  try {
    if (t.numel() === 0) return true;
    for (let i = 0; i < dimT1 - 2; i++) if (t._strides[i] !== t._strides[i + 1] * t._shape[i + 1]) return false;
    return true;
  } finally {
    if (t1 === null) t.dispose();
  }
}

/** torch.matmul, following PyTorch's _matmul_impl case by case. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  const da = a.ndim, db = b.ndim;
  if (da === 0 || db === 0) throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 1 && db === 2) {
    const row = a.unsqueeze(0);
    const prod = row.mm(b);
    row.dispose();
    return prod.squeeze_(0);
  }
  if (da === 2 && db === 2) return mm(a, b);
  if (shouldFold(a, b)) {
    const transpose = db > da;
    const t1 = transpose ? mT(b) : a;
    const t2 = !transpose ? b : da === 2 ? a.t() : a;
    const outShape = t1._shape.slice(0, -1);
    const folded = numel(outShape);
    const t2Matrix = t2.ndim === 2;
    if (t2Matrix) outShape.push(t2._shape[1]);
    const t1Folded = t1.reshape([folded, t1._shape[t1.ndim - 1]]);
    let out: Tensor;
    if (t2Matrix) {
      const prod = t1Folded.mm(t2);
      const viewed = unsafeView(prod, outShape);
      prod.dispose();
      if (transpose) {
        const tr = mT(viewed);
        out = tr.contiguous();
        if (tr !== out) tr.dispose();
        viewed.dispose();
      } else out = viewed;
    } else {
      const prod = t1Folded.mv(t2);
      out = unsafeView(prod, outShape);
      prod.dispose();
    }
    t1Folded.dispose();
    if (t1 !== a) t1.dispose();
    if (t2 !== b && t2 !== a) t2.dispose();
    return out;
  }
  const n = da > 1 ? a._shape[da - 2] : 1;
  const m1 = a._shape[da - 1];
  const batchA = a._shape.slice(0, Math.max(da - 2, 0));
  const m2 = db > 1 ? b._shape[db - 2] : b._shape[0];
  const p = db > 1 ? b._shape[db - 1] : 1;
  const batchB = b._shape.slice(0, Math.max(db - 2, 0));
  if (da === 3 && db === 3 && batchA[0] !== batchB[0]) {
    if (batchA[0] === 1 && a.requiresGrad) return withTemp(a.squeeze(0), (s) => matmul(s, b));
    if (batchB[0] === 1 && b.requiresGrad) return withTemp(b.squeeze(0), (s) => matmul(a, s));
  }
  const outShape = broadcastShapes(batchA, batchB);
  const batch = numel(outShape);
  const ea = a.expand([...outShape, n, m1]);
  const aExpanded = ea.reshape([batch, n, m1]);
  ea.dispose();
  const vectorRhs = db === 1;
  const eb = b.expand(vectorRhs ? [...outShape, m2] : [...outShape, m2, p]);
  let bExpanded: Tensor;
  if (vectorRhs) {
    const r = eb.reshape([batch, m2]);
    bExpanded = r.unsqueeze(2);
    r.dispose();
  } else bExpanded = eb.reshape([batch, m2, p]);
  eb.dispose();
  if (da > 1) outShape.push(n);
  if (db > 1) outShape.push(p);
  const prod = aExpanded.bmm(bExpanded);
  aExpanded.dispose();
  bExpanded.dispose();
  let out: Tensor;
  if (vectorRhs) {
    const sq = prod.squeeze(-1);
    out = unsafeView(sq, outShape);
    sq.dispose();
  } else out = unsafeView(prod, outShape);
  prod.dispose();
  return out;
}

function withTemp(t: Tensor, fn: (t: Tensor) => Tensor): Tensor {
  try {
    return fn(t);
  } finally {
    t.dispose();
  }
}

export function outer(a: Tensor, b: Tensor): Tensor {
  alive(a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError(`outer: expected 1D tensors, got ${a.ndim}D and ${b.ndim}D`);
  return withTemp(a.reshape([a._shape[0], 1]), (col) => col.mul(b));
}

export const linalgMethods = {
  mm(this: Tensor, other: Tensor): Tensor {
    return mm(this, other);
  },
  bmm(this: Tensor, other: Tensor): Tensor {
    return bmm(this, other);
  },
  dot(this: Tensor, other: Tensor): Tensor {
    return dot(this, other);
  },
  mv(this: Tensor, vec: Tensor): Tensor {
    return mv(this, vec);
  },
  matmul(this: Tensor, other: Tensor): Tensor {
    return matmul(this, other);
  },
  outer(this: Tensor, other: Tensor): Tensor {
    return outer(this, other);
  },
  addmm(this: Tensor, mat1: Tensor, mat2: Tensor, options: { beta?: number; alpha?: number } = {}): Tensor {
    return addmm(this, mat1, mat2, options.beta ?? 1, options.alpha ?? 1);
  },
  baddbmm(this: Tensor, batch1: Tensor, batch2: Tensor, options: { beta?: number; alpha?: number } = {}): Tensor {
    return baddbmm(this, batch1, batch2, options.beta ?? 1, options.alpha ?? 1);
  },
};
