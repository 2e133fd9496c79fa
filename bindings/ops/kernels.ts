// The narrow interface between tensors and the WebAssembly kernels: every launcher turns
// tensors (or scalars) into pointers plus a coalesced shape/stride descriptor and calls one
// export. No autograd here and no checks beyond what the kernels need.
import { IndexError, RuntimeError } from "../errors.js";
import { code, core, dataView, descriptor, scalarSlot, writeBytes } from "../runtime/core.js";
import { Storage } from "../storage.js";
import { DTYPES, type DType } from "../tensor/dtype.js";
import {
  type Shape, coalesce, contiguousStrides, expandStrides, isContiguous, isNonOverlappingAndDense, iteratorStrides, numel, sameShape,
} from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** An operand of a kernel: a tensor or a scalar (a one-element buffer broadcast with 0 strides). */
export type Operand = Tensor | { scalar: number; dtype: DType };

interface Placed {
  ptr: number;
  strides: number[]; // bytes, over the box shape
}

function place(op: Operand, shape: Shape, slot: number): Placed {
  if (op instanceof Tensor) {
    const bytes = DTYPES[op.dtype].bytes;
    return { ptr: op.dataPtr(), strides: expandStrides(op._shape, op._strides, shape).map((s) => s * bytes) };
  }
  return { ptr: scalarSlot(op.scalar, DTYPES[op.dtype].code, slot), strides: new Array<number>(shape.length).fill(0) };
}

/** Writes the descriptor for a box over `shape` and returns [ndim, desc, ...pointers]. */
function box(shape: Shape, operands: readonly Operand[]): { ndim: number; desc: number; ptrs: number[] } {
  const placed = operands.map((o, i) => place(o, shape, i));
  const c = coalesce(shape, placed.map((p) => p.strides));
  const words: number[] = [...c.shape];
  for (const s of c.strides) words.push(...s);
  return { ndim: c.shape.length, desc: descriptor(words), ptrs: placed.map((p) => p.ptr) };
}

export const dtypeCode = (dtype: DType): number => DTYPES[dtype].code;

/** `out` after `fill` wrote it; disposed if `fill` throws (so a failed op leaks nothing). */
export function filled(out: Tensor, fill: (out: Tensor) => void): Tensor {
  try {
    fill(out);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}

/** A new contiguous tensor (uninitialized). */
export function empty(shape: Shape, dtype: DType): Tensor {
  return Tensor._empty(shape, dtype);
}

/**
 * The output of a pointwise op, laid out as PyTorch's TensorIterator does: contiguous when the
 * inputs are; their strides when they all share one dense layout; otherwise following the
 * inputs' dimension order (iteratorStrides). A Python scalar counts as a 0-dim operand.
 */
export function emptyPointwise(shape: Shape, dtype: DType, inputs: readonly Operand[]): Tensor {
  const tensors = inputs.filter((x): x is Tensor => x instanceof Tensor);
  if (tensors.length === 0) return empty(shape, dtype);
  const sameShapes = inputs.every((x) => (x instanceof Tensor ? sameShape(x._shape, shape) : shape.length === 0));
  if (sameShapes) {
    if (tensors.every((t) => isContiguous(t._shape, t._strides))) return empty(shape, dtype);
    const first = tensors[0];
    if (tensors.every((t) => isNonOverlappingAndDense(t._shape, t._strides) && sameShape(t._strides, first._strides))) {
      return emptyStrided(shape, first._strides, dtype);
    }
  }
  if (shape.length <= 1) return empty(shape, dtype);
  return emptyStrided(shape, iteratorStrides(shape, tensors), dtype);
}

/** PyTorch's empty_like with preserve_format: dense tensors keep their strides. */
export function emptyLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  if (isNonOverlappingAndDense(t._shape, t._strides)) return emptyStrided(t._shape, t._strides, dtype);
  return emptyPointwise(t._shape, dtype, [t]);
}

/** A new tensor with the given shape and strides (PyTorch's empty_strided). */
export function emptyStrided(shape: Shape, strides: Shape, dtype: DType): Tensor {
  if (isContiguous(shape, strides) && strides.every((s, i) => s === contiguousStrides(shape)[i])) return empty(shape, dtype);
  let extent = numel(shape) === 0 ? 0 : 1;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) extent += (shape[i] - 1) * strides[i];
  const t = Tensor._empty([extent], dtype);
  const out = t._alias(shape, strides, 0, null);
  t.dispose();
  return out;
}

export function fill(t: Tensor, value: number): void {
  if (t.numel() === 0) return;
  const b = box(t._shape, [t]);
  core().fill(dtypeCode(t.dtype), b.ndim, b.desc, b.ptrs[0], scalarSlot(value, dtypeCode(t.dtype), 0));
}

/** dst[...] = src broadcast to dst's shape, converting dtypes. */
export function copyInto(dst: Tensor, src: Operand): void {
  if (dst.numel() === 0) return;
  const b = box(dst._shape, [dst, src]);
  const srcDtype = src instanceof Tensor ? src.dtype : src.dtype;
  core().copy(dtypeCode(srcDtype), dtypeCode(dst.dtype), b.ndim, b.desc, b.ptrs[0], b.ptrs[1]);
}

/** A contiguous copy of `src` as `dtype` (and broadcast to `shape`). */
export function copyAs(src: Tensor, dtype: DType = src.dtype, shape: Shape = src._shape): Tensor {
  const out = empty(shape, dtype);
  copyInto(out, src);
  return out;
}

const unaryCodes = new Map<string, number>();
const binaryCodes = new Map<string, number>();
function opCode(cache: Map<string, number>, family: string, name: string): number {
  let c = cache.get(name);
  if (c === undefined) {
    c = code(`${family}.${name}`);
    cache.set(name, c);
  }
  return c;
}

/** Names of assembly/kernels/unary.ts's `Unary` enum. */
export type UnaryKernel =
  | "Neg" | "Abs" | "Sign" | "Exp" | "Expm1" | "Log" | "Log1p" | "Log2" | "Log10" | "Sqrt" | "Rsqrt" | "Reciprocal"
  | "Sigmoid" | "Tanh" | "Relu" | "LeakyRelu" | "Elu" | "Gelu" | "GeluTanh" | "Silu" | "Softplus" | "Mish"
  | "Sin" | "Cos" | "Tan" | "Asin" | "Acos" | "Atan" | "Sinh" | "Cosh" | "Erf" | "Exp2"
  | "Clamp" | "Pow" | "Square" | "Floor" | "Ceil" | "Round" | "Trunc" | "Frac" | "Hardtanh" | "Logit"
  | "BitNot" | "NanToNum";

/** Names of the `Binary` enum. */
export type BinaryKernel =
  | "Add" | "Sub" | "Mul" | "Div" | "FloorDiv" | "TruncDiv" | "Remainder" | "Fmod" | "Pow" | "Maximum" | "Minimum"
  | "Atan2" | "AddScaled" | "BitAnd" | "BitOr" | "BitXor" | "Hypot" | "Copysign" | "Lerp";

export type CompareKernel = "Eq" | "Ne" | "Lt" | "Le" | "Gt" | "Ge" | "And" | "Or" | "Xor";

/** out = f(x); x and out share a dtype; out may be x itself (in place). */
export function unary(op: UnaryKernel, x: Tensor, out: Tensor, p0 = 0, p1 = 0, p2 = 0): Tensor {
  if (out.numel() === 0) return out;
  const b = box(out._shape, [out, x]);
  core().unary(opCode(unaryCodes, "Unary", op), dtypeCode(out.dtype), b.ndim, b.desc, b.ptrs[0], b.ptrs[1], p0, p1, p2);
  return out;
}

/** Names of the `Classify` enum: bool-valued tests of each element. */
export type ClassifyKernel = "IsNan" | "IsInf" | "IsPosInf" | "IsNegInf" | "IsFinite" | "SignBit";
const classifyCodes = new Map<string, number>();

/** out (bool) = test(x), broadcasting x to out's shape. */
export function classify(op: ClassifyKernel, x: Tensor, out: Tensor): Tensor {
  if (out.numel() === 0) return out;
  const b = box(out._shape, [out, x]);
  core().classify(opCode(classifyCodes, "Classify", op), dtypeCode(x.dtype), b.ndim, b.desc, b.ptrs[0], b.ptrs[1]);
  return out;
}

/** Names of the `Ternary` enum (floating dtypes only). */
export type TernaryKernel = "Lerp" | "Addcmul" | "Addcdiv";
const ternaryCodes = new Map<string, number>();

/** out = f(a, b, c; scale) with broadcasting; operands already have out's dtype. */
export function ternary(op: TernaryKernel, a: Operand, b: Operand, c: Operand, out: Tensor, scale = 1): Tensor {
  if (out.numel() === 0) return out;
  const bx = box(out._shape, [out, a, b, c]);
  core().ternary(opCode(ternaryCodes, "Ternary", op), dtypeCode(out.dtype), bx.ndim, bx.desc, bx.ptrs[0], bx.ptrs[1], bx.ptrs[2], bx.ptrs[3], scale);
  return out;
}

/** out = f(a, b) with broadcasting; operands already have out's dtype. */
export function binary(op: BinaryKernel, a: Operand, b: Operand, out: Tensor, alpha = 1): Tensor {
  if (out.numel() === 0) return out;
  const bx = box(out._shape, [out, a, b]);
  const status = core().binary(opCode(binaryCodes, "Binary", op), dtypeCode(out.dtype), bx.ndim, bx.desc, bx.ptrs[0], bx.ptrs[1], bx.ptrs[2], alpha);
  if (status !== 0) throw new RuntimeError("ZeroDivisionError");
  return out;
}

const compareCodes = new Map<string, number>();
/** out (bool) = a <op> b; a and b share `dtype`. */
export function compare(op: CompareKernel, a: Operand, b: Operand, dtype: DType, out: Tensor): Tensor {
  if (out.numel() === 0) return out;
  const bx = box(out._shape, [out, a, b]);
  core().compare(opCode(compareCodes, "Compare", op), dtypeCode(dtype), bx.ndim, bx.desc, bx.ptrs[0], bx.ptrs[1], bx.ptrs[2]);
  return out;
}

/** out = cond ? a : b (cond bool, a and b of out's dtype), broadcasting. */
export function where(cond: Tensor, a: Operand, b: Operand, out: Tensor): Tensor {
  if (out.numel() === 0) return out;
  const bx = box(out._shape, [out, cond, a, b]);
  core().where(DTYPES[out.dtype].bytes, bx.ndim, bx.desc, bx.ptrs[0], bx.ptrs[1], bx.ptrs[2], bx.ptrs[3]);
  return out;
}

const reduceCodes = new Map<string, number>();
export type ReduceKernel = "Sum" | "Prod" | "Max" | "Min" | "ArgMax" | "ArgMin" | "All" | "Any";

/**
 * Reduces `x` over `dims` (sorted, distinct) into `out` (contiguous, kept dims only, of x's
 * dtype); arg-reductions also write int64 positions to `indices`.
 */
export function reduce(op: ReduceKernel, x: Tensor, dims: readonly number[], out: Tensor | null, indices: Tensor | null, scale = 1): void {
  const kept: number[] = [];
  const red: number[] = [];
  for (let d = 0; d < x._shape.length; d++) (dims.includes(d) ? red : kept).push(d);
  const bytes = DTYPES[x.dtype].bytes;
  const words = [
    ...kept.map((d) => x._shape[d]),
    ...red.map((d) => x._shape[d]),
    ...kept.map((d) => x._strides[d] * bytes),
    ...red.map((d) => x._strides[d] * bytes),
  ];
  core().reduce(
    opCode(reduceCodes, "Reduce", op), dtypeCode(x.dtype), kept.length, red.length, descriptor(words),
    x.dataPtr(), out === null ? 0 : out.dataPtr(), indices === null ? 0 : indices.dataPtr(), scale,
  );
}

/**
 * c = a·b over broadcast batch dims: a is [...batch, M, K], b is [...batch, K, N] (any strides,
 * batch dims already expanded to `batch`), c is a fresh contiguous [...batch, M, N].
 */
export function matmul(a: Tensor, b: Tensor, c: Tensor, batch: Shape, accumulate = false): void {
  const M = a._shape[a._shape.length - 2];
  const K = a._shape[a._shape.length - 1];
  const N = b._shape[b._shape.length - 1];
  if (numel(c._shape) === 0) return;
  const bytes = DTYPES[c.dtype].bytes;
  const bn = batch.length;
  const aStr = expandStrides(a._shape.slice(0, -2), a._strides.slice(0, -2), batch).map((s) => s * bytes);
  const bStr = expandStrides(b._shape.slice(0, -2), b._strides.slice(0, -2), batch).map((s) => s * bytes);
  const cStr = contiguousStrides([...batch, M, N]).slice(0, bn).map((s) => s * bytes);
  const mat = [a._strides[a._strides.length - 2] * bytes, a._strides[a._strides.length - 1] * bytes,
    b._strides[b._strides.length - 2] * bytes, b._strides[b._strides.length - 1] * bytes];
  const desc = descriptor([...batch, ...aStr, ...bStr, ...cStr, ...mat]);
  core().matmul(dtypeCode(c.dtype), bn, desc, M, N, K, c.dataPtr(), a.dataPtr(), b.dataPtr(), accumulate ? 1 : 0);
}

/**
 * Gathers along `dim`: out[c] = src[c with c[dim] = index[c]], where index (int64) broadcasts
 * to out's shape and src has out's shape except along `dim`.
 */
export function gather(src: Tensor, dim: number, index: Tensor, out: Tensor): void {
  if (out.numel() === 0) return;
  const bytes = DTYPES[src.dtype].bytes;
  const srcStrides = src._strides.map((s, d) => (d === dim ? 0 : s));
  const b = boxRaw(out._shape, [
    [out.dataPtr(), out._strides.map((s) => s * bytes)],
    [src.dataPtr(), srcStrides.map((s) => s * bytes)],
    [index.dataPtr(), expandStrides(index._shape, index._strides, out._shape).map((s) => s * 8)],
  ]);
  const status = core().gather(bytes, b.ndim, b.desc, out.dataPtr(), src.dataPtr(), index.dataPtr(), src._shape[dim], src._strides[dim] * bytes);
  if (status !== 0) throw indexOutOfRange(core().indexError(), dim, src._shape[dim]);
}

/** How scatter combines a source value with its destination (assembly's ScatterMode). */
export type ScatterMode = "Set" | "Add" | "Multiply" | "Max" | "Min";
const scatterCodes = new Map<string, number>();

/** dst[c with c[dim] = index[c]] (op)= src[c], over src's shape. */
export function scatter(dst: Tensor, dim: number, index: Tensor, src: Tensor, mode: ScatterMode): void {
  if (src.numel() === 0) return;
  const bytes = DTYPES[dst.dtype].bytes;
  const dstStrides = dst._strides.map((s, d) => (d === dim ? 0 : s));
  const b = boxRaw(src._shape, [
    [src.dataPtr(), src._strides.map((s) => s * bytes)],
    [dst.dataPtr(), dstStrides.map((s) => s * bytes)],
    [index.dataPtr(), expandStrides(index._shape, index._strides, src._shape).map((s) => s * 8)],
  ]);
  const status = core().scatter(dtypeCode(dst.dtype), opCode(scatterCodes, "ScatterMode", mode), b.ndim, b.desc, src.dataPtr(), dst.dataPtr(), index.dataPtr(), dst._shape[dim], dst._strides[dim] * bytes);
  if (status !== 0) throw indexOutOfRange(core().indexError(), dim, dst._shape[dim]);
}

/**
 * The first entry (row-major) of an int64 index tensor outside [low, high), or null when all
 * are in range: what an index kernel would meet first. Ops call it before writing anything.
 */
export function firstOutOfRange(idx: Tensor, low: number, high: number): number | null {
  if (idx.numel() === 0) return null;
  const bad = compare("Ge", idx, { scalar: high, dtype: "int64" }, "int64", empty(idx._shape, "bool"));
  const below = compare("Lt", idx, { scalar: low, dtype: "int64" }, "int64", empty(idx._shape, "bool"));
  const first = empty([], "int64");
  const temps = [bad, below, first];
  try {
    compare("Or", bad, below, "bool", bad);
    reduce("ArgMax", bad, [...idx._shape.keys()], null, first);
    const position = item(first);
    const hit = bad._alias([], [], position, null);
    temps.push(hit);
    if (!item(hit)) return null;
    const flat = copyAs(idx);
    const value = flat._alias([], [], position, null);
    temps.push(flat, value);
    return item(value);
  } finally {
    for (const t of temps) t.dispose();
  }
}

const item = (t: Tensor): number => Number(t.item());

function indexOutOfRange(index: number, dim: number, size: number): IndexError {
  return new IndexError(`index ${index} is out of bounds for dimension ${dim} with size ${size}`);
}

function boxRaw(shape: Shape, operands: [number, number[]][]): { ndim: number; desc: number } {
  const c = coalesce(shape, operands.map((o) => o[1]));
  const words: number[] = [...c.shape];
  for (const s of c.strides) words.push(...s);
  return { ndim: c.shape.length, desc: descriptor(words) };
}

/**
 * One index tensor of an advanced-indexing box: int64 `index` with its strides (elements) over
 * the box, selecting along a dim of the data that has `size` elements `stride` apart.
 */
export interface IndexOperand {
  readonly index: Tensor;
  readonly strides: readonly number[];
  readonly size: number;
  readonly stride: number;
}

/** The descriptor of an indexing box: shape, the two operands' strides, then the index operands. */
function indexBox(shape: Shape, first: readonly number[], second: readonly number[], firstBytes: number, secondBytes: number, indices: readonly IndexOperand[], dataBytes: number): { ndim: number; desc: number } {
  const c = coalesce(shape, [
    first.map((s) => s * firstBytes),
    second.map((s) => s * secondBytes),
    ...indices.map((i) => i.strides.map((s) => s * 8)),
  ]);
  const words: number[] = [...c.shape];
  for (const s of c.strides) words.push(...s);
  for (const i of indices) words.push(i.size, i.stride * dataBytes, i.index.dataPtr());
  return { ndim: c.shape.length, desc: descriptor(words) };
}

/**
 * Advanced indexing (PyTorch's index kernel): out (contiguous, of `shape`) takes the elements of
 * `data` at its regular strides `dataStrides` (0 on the index dims) plus the indexed offsets.
 * Every index must already be in range.
 */
export function index(out: Tensor, data: Tensor, dataStrides: readonly number[], indices: readonly IndexOperand[]): void {
  if (out.numel() === 0) return;
  const bytes = DTYPES[data.dtype].bytes;
  const b = indexBox(out._shape, out._strides, dataStrides, bytes, bytes, indices, bytes);
  core().index(bytes, b.ndim, b.desc, indices.length, out.dataPtr(), data.dataPtr());
}

/**
 * PyTorch's index_put kernel: `data` (addressed with `dataStrides` over the box `shape`) takes
 * `values` (already of data's dtype, with strides `valueStrides` over the box) at the indexed
 * places, or adds them when `accumulate`. Every index must already be in range.
 */
export function indexPut(data: Tensor, shape: Shape, dataStrides: readonly number[], values: Tensor, valueStrides: readonly number[], indices: readonly IndexOperand[], accumulate: boolean): void {
  if (numel(shape) === 0) return;
  const bytes = DTYPES[data.dtype].bytes;
  const b = indexBox(shape, dataStrides, valueStrides, bytes, bytes, indices, bytes);
  core().indexPut(dtypeCode(data.dtype), accumulate ? 1 : 0, b.ndim, b.desc, indices.length, data.dataPtr(), values.dataPtr());
}

/** The elements of `src` where `mask` (broadcast together to `shape`) is true, as a 1-D tensor. */
export function maskedSelect(src: Tensor, mask: Tensor, shape: Shape, count: number): Tensor {
  const out = empty([count], src.dtype);
  if (count === 0) return out;
  const b = box(shape, [src, mask]);
  core().maskedSelect(DTYPES[src.dtype].bytes, b.ndim, b.desc, out.dataPtr(), b.ptrs[0], b.ptrs[1]);
  return out;
}

/** [count, ndim] int64 coordinates of the true elements of a bool tensor. */
export function nonzero(mask: Tensor, count: number): Tensor {
  const out = empty([count, mask.ndim], "int64");
  if (count === 0) return out;
  // no coalescing: coordinates are per original dim
  const words = [...mask._shape, ...mask._strides];
  core().nonzero(mask.ndim, descriptor(words), out.dataPtr(), mask.dataPtr());
  return out;
}

/** Inclusive scan along `dim` into a fresh contiguous tensor of x's dtype. */
export function scan(x: Tensor, dim: number, multiply: boolean): Tensor {
  const out = empty(x._shape, x.dtype);
  if (out.numel() === 0) return out;
  const bytes = DTYPES[x.dtype].bytes;
  const order = [...x._shape.keys()].filter((d) => d !== dim).concat([dim]);
  const words = [
    ...order.map((d) => x._shape[d]),
    ...order.map((d) => out._strides[d] * bytes),
    ...order.map((d) => x._strides[d] * bytes),
  ];
  core().scan(multiply ? 1 : 0, dtypeCode(x.dtype), order.length, descriptor(words), out.dataPtr(), x.dataPtr());
  return out;
}

/** A contiguous 1-D run of `start + i * step` (linspace: mirrored from `end` in the second half). */
export function sequence(out: Tensor, start: number, step: number, end = 0, symmetric = false): Tensor {
  core().sequence(dtypeCode(out.dtype), out.dataPtr(), out.numel(), start, step, end, symmetric ? 1 : 0);
  return out;
}

export { numel };

// ---- raw element runs: tensors to and from the bytes of a file format ----

/** How a file stores elements: a tapegrad dtype, or a 16-bit float that converts to and from float32. */
export type StorageFormat = DType | "float16" | "bfloat16";

/** The codes of assembly/dtype.ts for the 16-bit floats (storage formats only). */
const HALF_FORMATS = { float16: { code: 6, bytes: 2 }, bfloat16: { code: 7, bytes: 2 } };

const formatInfo = (format: StorageFormat): { code: number; bytes: number } =>
  format === "float16" || format === "bfloat16" ? HALF_FORMATS[format] : DTYPES[format];

/** Copies `shape` elements from a raw strided run to another, converting formats (16-bit floats to or from float32 only). */
function copyRaw(shape: Shape, dst: number, dstStrides: number[], dstFormat: StorageFormat, src: number, srcStrides: number[], srcFormat: StorageFormat): void {
  const b = boxRaw(shape, [[dst, dstStrides], [src, srcStrides]]);
  core().copy(formatInfo(srcFormat).code, formatInfo(dstFormat).code, b.ndim, b.desc, dst, src);
}

/**
 * A new contiguous tensor of `dtype` holding `bytes`: its elements in row-major order, little-endian,
 * stored as `format`. The bytes enter linear memory once; a format other than the dtype's (and
 * every bool, whose bytes must become 0 or 1) is converted there by the copy kernel.
 */
export function tensorFromBytes(bytes: Uint8Array, shape: Shape, dtype: DType, format: StorageFormat): Tensor {
  const out = empty(shape, dtype);
  const n = out.numel();
  if (n === 0) return out;
  try {
    if (format === dtype && dtype !== "bool") {
      writeBytes(out.dataPtr(), bytes);
      return out;
    }
    const staging = new Storage(bytes.length);
    try {
      writeBytes(staging.ptr, bytes);
      copyRaw([n], out.dataPtr(), [DTYPES[dtype].bytes], dtype, staging.ptr, [formatInfo(format).bytes], format);
    } finally {
      staging.release();
    }
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  }
}

/** Writes the elements of `src` in row-major order, stored as `format`, into `out` from `offset` on. */
export function tensorIntoBytes(src: Tensor, format: StorageFormat, out: Uint8Array, offset: number): void {
  const n = src.numel();
  if (n === 0) return;
  const length = n * formatInfo(format).bytes;
  const copyOut = (ptr: number) => {
    const view = dataView(ptr, length);
    out.set(new Uint8Array(view.buffer, view.byteOffset, length), offset);
  };
  if (format === src.dtype && isContiguous(src._shape, src._strides)) {
    copyOut(src.dataPtr());
    return;
  }
  const staging = new Storage(length);
  try {
    const bytes = DTYPES[src.dtype].bytes;
    const packed = contiguousStrides(src._shape).map((s) => s * formatInfo(format).bytes);
    copyRaw(src._shape, staging.ptr, packed, format, src.dataPtr(), src._strides.map((s) => s * bytes), src.dtype);
    copyOut(staging.ptr);
  } finally {
    staging.release();
  }
}

// ---- random sampling (assembly/kernels/random.ts); `gen` is the address of a generator block ----

/**
 * A box over `shape` whose dims run outermost first in the order PyTorch's TensorIterator visits
 * `operands` (broadcast to `shape`): samplers draw in that order, which is memory order for
 * dense tensors, so `x.t().uniform_()` fills memory as `x.uniform_()` does.
 */
function iterationBox(shape: Shape, operands: readonly Tensor[]): { ndim: number; desc: number } {
  const layout = iteratorStrides(shape, operands);
  const order = [...shape.keys()].sort((a, b) => layout[b] - layout[a]);
  return boxRaw(order.map((d) => shape[d]), operands.map((t): [number, number[]] => {
    const strides = expandStrides(t._shape, t._strides, shape);
    return [t.dataPtr(), order.map((d) => strides[d] * DTYPES[t.dtype].bytes)];
  }));
}

/** Names of the `Sample` enum. */
export type SampleKernel = "Uniform" | "Normal" | "Bernoulli" | "Exponential" | "RandomFromTo" | "RandomFull" | "Random";
const sampleCodes = new Map<string, number>();

/**
 * t <- draws of a distribution with parameters (a, b), element by element; random_'s
 * "RandomFromTo" draws (draw % range) + base.
 */
export function sample(kind: SampleKernel, gen: number, t: Tensor, a = 0, b = 0, range = 0n, base = 0n): void {
  if (t.numel() === 0) return;
  const bx = iterationBox(t._shape, [t]);
  const params = scalarSlot(0, 3, 0);
  const view = dataView(params, 16);
  view.setBigUint64(0, range, true);
  view.setBigInt64(8, base, true);
  core().sample(opCode(sampleCodes, "Sample", kind), dtypeCode(t.dtype), bx.ndim, bx.desc, t.dataPtr(), gen, a, b, params);
}

/** normal_ on a contiguous float tensor of 16 or more elements (PyTorch's normal_fill). */
export function normalFill(gen: number, t: Tensor, mean: number, std: number): void {
  core().normalFill(dtypeCode(t.dtype), t.dataPtr(), t.numel(), gen, mean, std);
}

/** t <- bernoulli(p) with p (float) broadcast to t; false, drawing nothing, if a p is outside [0, 1]. */
export function bernoulliTensor(gen: number, t: Tensor, p: Tensor): boolean {
  if (t.numel() === 0) return true;
  const bx = iterationBox(t._shape, [t, p]);
  return core().bernoulliTensor(dtypeCode(t.dtype), dtypeCode(p.dtype), bx.ndim, bx.desc, t.dataPtr(), p.dataPtr(), gen) === 0;
}

/** A random permutation of 0..n-1 into a fresh contiguous 1-D tensor. */
export function randperm(gen: number, t: Tensor): void {
  core().randperm(dtypeCode(t.dtype), t.dataPtr(), t.numel(), gen);
}

/** Rows, categories and byte strides of 1-D or 2-D probabilities. */
function distributions(p: Tensor): [number, number, number, number] {
  const bytes = DTYPES[p.dtype].bytes;
  const last = p.ndim - 1;
  return [p.ndim === 2 ? p._shape[0] : 1, p._shape[last], p.ndim === 2 ? p._strides[0] * bytes : 0, p._strides[last] * bytes];
}

/** Names of the `MultinomialError` enum. */
export type MultinomialCheck = "None" | "NotFiniteOrNegative" | "Negative" | "NotFinite" | "ZeroSum";
const multinomialCodes: MultinomialCheck[] = ["None", "NotFiniteOrNegative", "Negative", "NotFinite", "ZeroSum"];

/** multinomial's validation of the probabilities, in the order PyTorch checks them. */
export function multinomialCheck(p: Tensor, replacement: boolean): MultinomialCheck {
  const status = core().multinomialCheck(dtypeCode(p.dtype), p.dataPtr(), ...distributions(p), replacement ? 1 : 0);
  return multinomialCodes.find((name) => code(`MultinomialError.${name}`) === status) as MultinomialCheck;
}

/** out [rows, samples] (int64, contiguous) <- categories drawn with replacement. */
export function multinomialWithReplacement(gen: number, p: Tensor, out: Tensor, samples: number): void {
  core().multinomialWithReplacement(dtypeCode(p.dtype), p.dataPtr(), ...distributions(p), out.dataPtr(), samples, gen);
}

/** out [rows, k] (int64, contiguous) <- the k largest p / q per row, largest first. */
export function multinomialTopK(p: Tensor, q: Tensor, out: Tensor, k: number): void {
  const [, , qrs, qcs] = distributions(q);
  core().multinomialTopK(dtypeCode(p.dtype), p.dataPtr(), q.dataPtr(), ...distributions(p), qrs, qcs, out.dataPtr(), k);
}

// ---- fused softmax rows (assembly/kernels/softmax.ts) ----

/** Names of the `RowSoftmax` enum. */
export type RowSoftmaxKernel = "Softmax" | "LogSoftmax" | "Logsumexp";
const rowSoftmaxCodes = new Map<string, number>();

/**
 * The length of the rows a fused softmax kernel can run on: the product of `dims` when x is a
 * contiguous float32 tensor whose every dim from the first of `dims` on is reduced or of size
 * 1 (so the reduced elements of each output form one contiguous run); 0 when it cannot.
 */
export function softmaxRowLength(x: Tensor, dims: readonly number[]): number {
  if (x.dtype !== "float32" || dims.length === 0 || !isContiguous(x._shape, x._strides)) return 0;
  const first = Math.min(...dims);
  let n = 1;
  for (let d = first; d < x.ndim; d++) {
    if (dims.includes(d)) n *= x._shape[d];
    else if (x._shape[d] !== 1) return 0;
  }
  return n;
}

/**
 * softmax / log_softmax (out of x's shape) or logsumexp (one element per row) of the rows of
 * n elements of a contiguous float32 x with numel > 0; out contiguous float32.
 */
export function softmaxRows(op: RowSoftmaxKernel, x: Tensor, n: number, out: Tensor): Tensor {
  core().softmaxRows(opCode(rowSoftmaxCodes, "RowSoftmax", op), x.numel() / n, n, out.dataPtr(), x.dataPtr());
  return out;
}
