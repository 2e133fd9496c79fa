// The narrow interface between tensors and the WebAssembly kernels: every launcher turns
// tensors (or scalars) into pointers plus a coalesced shape/stride descriptor and calls one
// export. No autograd here and no checks beyond what the kernels need.
import { IndexError, RuntimeError } from "../errors.js";
import { code, core, dataView, descriptor, scalarSlot, writeBytes } from "../runtime/core.js";
import { Storage } from "../storage.js";
import { DTYPES, type DType } from "../tensor/dtype.js";
import {
  type Shape, contiguousStrides, expandStrides, hasContiguousStrides, isContiguous, isNonOverlappingAndDense, iteratorStrides, numel, sameShape,
} from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/** An operand of a kernel: a tensor or a scalar (a one-element buffer broadcast with 0 strides). */
export type Operand = Tensor | { scalar: number; dtype: DType };

/**
 * The descriptor being written, the innermost dim of each coalesced dim, and the byte strides of
 * the box being described (operand k along dim d at k · rank + d), all reused by every launch.
 * The strides are a table filled by each caller rather than a callback: after a program has run
 * many kinds of launches, one callback site would see them all and stop being inlined.
 */
const words: number[] = [];
const innermost: number[] = [];
const strideTable: number[] = [];

/**
 * Writes the descriptor of a box over `shape` where operand k steps strideTable[k · rank + d]
 * bytes along dim d: size-1 dims dropped, neighbouring dims merged where every operand allows
 * (PyTorch's coalescing), as [sizes, each operand's strides, `extra`]; returns [ndim, address].
 */
function describeBox(shape: Shape, count: number, extra: readonly number[] = []): [number, number] {
  const rank = shape.length;
  let ndim = 0;
  for (let d = 0; d < rank; d++) {
    if (shape[d] === 1) continue;
    let merges = ndim > 0;
    for (let k = 0; merges && k < count; k++) merges = strideTable[k * rank + innermost[ndim - 1]] === strideTable[k * rank + d] * shape[d];
    if (merges) words[ndim - 1] *= shape[d];
    else words[ndim++] = shape[d];
    innermost[ndim - 1] = d;
  }
  let n = ndim;
  for (let k = 0; k < count; k++) for (let j = 0; j < ndim; j++) words[n++] = strideTable[k * rank + innermost[j]];
  for (const word of extra) words[n++] = word;
  return [ndim, descriptor(words, n)];
}

/** `describeBox` with each operand's byte strides given as an array over `shape`. */
function describe(shape: Shape, strides: readonly (readonly number[])[], extra?: readonly number[]): [number, number] {
  strides.forEach((operand, k) => operand.forEach((stride, d) => (strideTable[k * shape.length + d] = stride)));
  return describeBox(shape, strides.length, extra);
}

/** Fills the stride table with the operands' byte strides broadcast to `shape` along the dims `order` picks. */
function tableOperands(shape: Shape, operands: readonly Operand[], order?: readonly number[]): void {
  const rank = shape.length;
  for (let k = 0; k < operands.length; k++) {
    for (let d = 0; d < rank; d++) strideTable[k * rank + d] = operandStride(operands[k], shape, order === undefined ? d : order[d]);
  }
}

/** The byte stride of `op` broadcast to `shape` along dim d: 0 for a scalar and on broadcast dims. */
function operandStride(op: Operand, shape: Shape, d: number): number {
  if (!(op instanceof Tensor)) return 0;
  const j = d - shape.length + op._shape.length;
  return j < 0 || op._shape[j] === 1 ? 0 : op._strides[j] * op.elementSize();
}

/** The dim count of the box `elementwiseBox` last described. */
let boxDims = 0;

/**
 * The descriptor of an elementwise export's box over `shape`, the operands broadcast to it (its
 * dim count in boxDims; pointers from `address`), or 0 for an empty shape, where nothing runs.
 * Callers call the export themselves: a callback here would be one more call site that sees
 * every kind of launch.
 */
function elementwiseBox(shape: Shape, operands: readonly Operand[]): number {
  if (numel(shape) === 0) return 0;
  tableOperands(shape, operands);
  const [ndim, desc] = describeBox(shape, operands.length);
  boxDims = ndim;
  return desc;
}

/** The address of operand `slot` of a launch: a tensor's data, or scratch slot `slot` holding a scalar (0 strides). */
const address = (op: Operand, slot: number): number => (op instanceof Tensor ? op.dataPtr() : scalarSlot(op.scalar, dtypeCode(op.dtype), slot));

/**
 * The descriptor of a box over `shape` walked in the dim order `order`, as given (reductions and
 * scans keep every dim: which ones are reduced or scanned matters): sizes, then each operand's
 * byte strides. Returns its address.
 */
function orderedBox(shape: Shape, order: readonly number[], operands: readonly Tensor[]): number {
  let n = 0;
  for (const d of order) words[n++] = shape[d];
  for (const t of operands) for (const d of order) words[n++] = operandStride(t, shape, d);
  return descriptor(words, n);
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

/** Runs `fn` with a list for the temporary handles it makes, disposed when it returns or throws. */
export function disposing<T>(fn: (temps: Tensor[]) => T): T {
  const temps: Tensor[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** A new contiguous tensor (uninitialized). */
export function empty(shape: Shape, dtype: DType): Tensor {
  return Tensor._empty(shape, dtype);
}

/**
 * The output of a pointwise op, laid out as PyTorch's TensorIterator does: contiguous when the
 * inputs are; their strides when they all share one dense layout; otherwise following the
 * inputs' dimension order (iteratorStrides). A scalar counts as a 0-dim operand, null (an absent
 * optional input) as none.
 */
export function emptyPointwise(shape: Shape, dtype: DType, inputs: readonly (Operand | number | boolean | null)[]): Tensor {
  let tensorInputs = false;
  let sameShapes = true;
  let contiguous = true;
  /** an input whose shape and strides arrays the output can share (immutable, and exactly its layout) */
  let layout: Tensor | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (x === null) continue;
    if (!(x instanceof Tensor)) {
      sameShapes &&= shape.length === 0;
      continue;
    }
    tensorInputs = true;
    if (!sameShape(x._shape, shape)) sameShapes = false;
    else if (hasContiguousStrides(x._shape, x._strides)) layout ??= x;
    else if (!isContiguous(x._shape, x._strides)) contiguous = false;
  }
  if (sameShapes && contiguous && layout !== null) return Tensor._emptyWithLayout(layout._shape, layout._strides, dtype);
  if (!tensorInputs || (sameShapes && contiguous)) return empty(shape, dtype);
  const tensors = inputs.filter((x): x is Tensor => x instanceof Tensor);
  const first = tensors[0];
  if (sameShapes && tensors.every((t) => isNonOverlappingAndDense(t._shape, t._strides) && sameShape(t._strides, first._strides))) {
    return emptyStrided(shape, first._strides, dtype);
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
  if (hasContiguousStrides(shape, strides)) return empty(shape, dtype);
  let extent = numel(shape) === 0 ? 0 : 1;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) extent += (shape[i] - 1) * strides[i];
  const t = Tensor._empty([extent], dtype);
  const out = t._alias(shape, strides, 0, null);
  t.dispose();
  return out;
}

export function fill(t: Tensor, value: number): void {
  const dtype = dtypeCode(t.dtype);
  const desc = elementwiseBox(t._shape, [t]);
  if (desc !== 0) core().fill(dtype, boxDims, desc, t.dataPtr(), scalarSlot(value, dtype, 0));
}

/** dst[...] = src broadcast to dst's shape, converting dtypes. */
export function copyInto(dst: Tensor, src: Operand): void {
  const desc = elementwiseBox(dst._shape, [dst, src]);
  if (desc !== 0) core().copy(dtypeCode(src.dtype), dtypeCode(dst.dtype), boxDims, desc, dst.dataPtr(), address(src, 1));
}

/** A contiguous copy of `src` as `dtype` (and broadcast to `shape`). */
export function copyAs(src: Tensor, dtype: DType = src.dtype, shape: Shape = src._shape): Tensor {
  const out = empty(shape, dtype);
  copyInto(out, src);
  return out;
}

/**
 * An enum of the module: the number of a member (`Unary.Exp`), looked up there once. One Map
 * per enum (an object given its keys one by one turns into a dictionary past a dozen of them),
 * and each launcher knows its enum, so a launch costs one lookup.
 */
function enumOf(family: string): (name: string) => number {
  const members = new Map<string, number>();
  return (name) => {
    let value = members.get(name);
    if (value === undefined) members.set(name, (value = code(`${family}.${name}`)));
    return value;
  };
}
const unaryCode = enumOf("Unary");
const classifyCode = enumOf("Classify");
const ternaryCode = enumOf("Ternary");
const binaryCode = enumOf("Binary");
const compareCode = enumOf("Compare");
const reduceCode = enumOf("Reduce");
const scatterModeCode = enumOf("ScatterMode");
const sampleCode = enumOf("Sample");
const multinomialErrorCode = enumOf("MultinomialError");
const rowSoftmaxCode = enumOf("RowSoftmax");
const optimFlagCode = enumOf("OptimFlag");

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
  const desc = elementwiseBox(out._shape, [out, x]);
  if (desc !== 0) core().unary(unaryCode(op), dtypeCode(out.dtype), boxDims, desc, out.dataPtr(), x.dataPtr(), p0, p1, p2);
  return out;
}

/** Names of the `Classify` enum: bool-valued tests of each element. */
export type ClassifyKernel = "IsNan" | "IsInf" | "IsPosInf" | "IsNegInf" | "IsFinite" | "SignBit";

/** out (bool) = test(x), broadcasting x to out's shape. */
export function classify(op: ClassifyKernel, x: Tensor, out: Tensor): Tensor {
  const desc = elementwiseBox(out._shape, [out, x]);
  if (desc !== 0) core().classify(classifyCode(op), dtypeCode(x.dtype), boxDims, desc, out.dataPtr(), x.dataPtr());
  return out;
}

/** Names of the `Ternary` enum (floating dtypes only). */
export type TernaryKernel = "Lerp" | "Addcmul" | "Addcdiv";

/** out = f(a, b, c; scale) with broadcasting; operands already have out's dtype. */
export function ternary(op: TernaryKernel, a: Operand, b: Operand, c: Operand, out: Tensor, scale = 1): Tensor {
  const desc = elementwiseBox(out._shape, [out, a, b, c]);
  if (desc !== 0) core().ternary(ternaryCode(op), dtypeCode(out.dtype), boxDims, desc, out.dataPtr(), address(a, 1), address(b, 2), address(c, 3), scale);
  return out;
}

/** out = f(a, b) with broadcasting; operands already have out's dtype. */
export function binary(op: BinaryKernel, a: Operand, b: Operand, out: Tensor, alpha = 1): Tensor {
  const desc = elementwiseBox(out._shape, [out, a, b]);
  if (desc !== 0 && core().binary(binaryCode(op), dtypeCode(out.dtype), boxDims, desc, out.dataPtr(), address(a, 1), address(b, 2), alpha) !== 0) {
    throw new RuntimeError("ZeroDivisionError");
  }
  return out;
}

/** out (bool) = a <op> b; a and b share `dtype`. */
export function compare(op: CompareKernel, a: Operand, b: Operand, dtype: DType, out: Tensor): Tensor {
  const desc = elementwiseBox(out._shape, [out, a, b]);
  if (desc !== 0) core().compare(compareCode(op), dtypeCode(dtype), boxDims, desc, out.dataPtr(), address(a, 1), address(b, 2));
  return out;
}

/** out = cond ? a : b (cond bool, a and b of out's dtype), broadcasting. */
export function where(cond: Tensor, a: Operand, b: Operand, out: Tensor): Tensor {
  const desc = elementwiseBox(out._shape, [out, cond, a, b]);
  if (desc !== 0) core().where(out.elementSize(), boxDims, desc, out.dataPtr(), cond.dataPtr(), address(a, 2), address(b, 3));
  return out;
}

export type ReduceKernel = "Sum" | "Prod" | "Max" | "Min" | "ArgMax" | "ArgMin" | "All" | "Any";

/**
 * Reduces `x` over `dims` (sorted, distinct) into `out` (contiguous, kept dims only, of x's
 * dtype); arg-reductions also write int64 positions to `indices`.
 */
export function reduce(op: ReduceKernel, x: Tensor, dims: readonly number[], out: Tensor | null, indices: Tensor | null, scale = 1): void {
  const kept = [...x._shape.keys()].filter((d) => !dims.includes(d));
  core().reduce(
    reduceCode(op), dtypeCode(x.dtype), kept.length, dims.length, orderedBox(x._shape, [...kept, ...dims], [x]),
    x.dataPtr(), out?.dataPtr() ?? 0, indices?.dataPtr() ?? 0, scale,
  );
}

/** The rows, columns and their strides of a matmul operand; a vector is one row (`asRow`) or one column. */
const asMatrix = (t: Tensor, asRow: boolean): number[] => {
  if (t.ndim > 1) return [...t._shape.slice(-2), ...t._strides.slice(-2)];
  return asRow ? [1, t._shape[0], 0, t._strides[0]] : [t._shape[0], 1, t._strides[0], 0];
};

/**
 * c = a·b over broadcast batch dims: a is [...batch, M, K] (or a vector, one row), b is
 * [...batch, K, N] (or a vector, one column), any strides, batch dims already expanded to
 * `batch`; c is a fresh contiguous tensor of M·N elements per batch entry.
 */
export function matmul(a: Tensor, b: Tensor, c: Tensor, batch: Shape, accumulate = false): void {
  if (c.numel() === 0) return;
  const [M, K, ...aStrides] = asMatrix(a, true);
  const [, N, ...bStrides] = asMatrix(b, false);
  const batchStrides = (t: Tensor) => expandStrides(t._shape.slice(0, -2), t._strides.slice(0, -2), batch);
  // the batch strides of a, b and c, then a's and b's row and column strides
  const strides = [...batchStrides(a), ...batchStrides(b), ...contiguousStrides([...batch, M, N]).slice(0, batch.length), ...aStrides, ...bStrides];
  const desc = descriptor([...batch, ...strides.map((s) => s * c.elementSize())]);
  core().matmul(dtypeCode(c.dtype), batch.length, desc, M, N, K, c.dataPtr(), a.dataPtr(), b.dataPtr(), accumulate ? 1 : 0);
}

/**
 * Runs a gather/scatter export over the shape of `box` (nothing for an empty one), which `box`
 * and `index` cover and `data` covers but along `dim`, where the kernel adds the indexed offset:
 * `run(ndim, desc, size, stride)` gets `dim`'s size and byte stride in `data`. Throws PyTorch's
 * IndexError for an index out of range.
 */
function alongIndexedDim(box: Tensor, data: Tensor, dim: number, index: Tensor, run: (ndim: number, desc: number, size: number, stride: number) => number): void {
  if (box.numel() === 0) return;
  const size = data._shape[dim];
  tableOperands(box._shape, [box, data, index]);
  strideTable[box.ndim + dim] = 0; // data along dim: the kernel adds the indexed offset
  if (run(...describeBox(box._shape, 3), size, data._strides[dim] * data.elementSize()) !== 0) {
    throw new IndexError(`index ${core().indexError()} is out of bounds for dimension ${dim} with size ${size}`);
  }
}

/**
 * Gathers along `dim`: out[c] = src[c with c[dim] = index[c]], where index (int64) broadcasts
 * to out's shape and src has out's shape except along `dim`.
 */
export function gather(src: Tensor, dim: number, index: Tensor, out: Tensor): void {
  alongIndexedDim(out, src, dim, index, (ndim, desc, size, stride) =>
    core().gather(src.elementSize(), ndim, desc, out.dataPtr(), src.dataPtr(), index.dataPtr(), size, stride));
}

/** How scatter combines a source value with its destination (assembly's ScatterMode). */
export type ScatterMode = "Set" | "Add" | "Multiply" | "Max" | "Min";

/** dst[c with c[dim] = index[c]] (op)= src[c], over src's shape. */
export function scatter(dst: Tensor, dim: number, index: Tensor, src: Tensor, mode: ScatterMode): void {
  alongIndexedDim(src, dst, dim, index, (ndim, desc, size, stride) =>
    core().scatter(dtypeCode(dst.dtype), scatterModeCode(mode), ndim, desc, src.dataPtr(), dst.dataPtr(), index.dataPtr(), size, stride));
}

/**
 * The first entry (row-major) of an int64 index tensor outside [low, high), or null when all
 * are in range: what an index kernel would meet first. Ops call it before writing anything.
 */
export function firstOutOfRange(idx: Tensor, low: number, high: number): number | null {
  const desc = elementwiseBox(idx._shape, [idx]);
  return desc !== 0 && core().checkIndices(boxDims, desc, idx.dataPtr(), low, high) !== 0 ? core().indexError() : null;
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
function indexBox(shape: Shape, first: readonly number[], second: readonly number[], bytes: number, indices: readonly IndexOperand[]): [number, number] {
  const inBytes = (strides: readonly number[], size: number) => strides.map((s) => s * size);
  return describe(
    shape, [inBytes(first, bytes), inBytes(second, bytes), ...indices.map((i) => inBytes(i.strides, 8))],
    indices.flatMap((i) => [i.size, i.stride * bytes, i.index.dataPtr()]),
  );
}

/**
 * Advanced indexing (PyTorch's index kernel): out (contiguous, of `shape`) takes the elements of
 * `data` at its regular strides `dataStrides` (0 on the index dims) plus the indexed offsets.
 * Every index must already be in range.
 */
export function index(out: Tensor, data: Tensor, dataStrides: readonly number[], indices: readonly IndexOperand[]): void {
  if (out.numel() === 0) return;
  const bytes = data.elementSize();
  core().index(bytes, ...indexBox(out._shape, out._strides, dataStrides, bytes, indices), indices.length, out.dataPtr(), data.dataPtr());
}

/**
 * PyTorch's index_put kernel: `data` (addressed with `dataStrides` over the box `shape`) takes
 * `values` (already of data's dtype, with strides `valueStrides` over the box) at the indexed
 * places, or adds them when `accumulate`. Every index must already be in range.
 */
export function indexPut(data: Tensor, shape: Shape, dataStrides: readonly number[], values: Tensor, valueStrides: readonly number[], indices: readonly IndexOperand[], accumulate: boolean): void {
  if (numel(shape) === 0) return;
  const box = indexBox(shape, dataStrides, valueStrides, data.elementSize(), indices);
  core().indexPut(dtypeCode(data.dtype), accumulate ? 1 : 0, ...box, indices.length, data.dataPtr(), values.dataPtr());
}

/** The elements of `src` where `mask` (broadcast together to `shape`) is true, as a 1-D tensor. */
export function maskedSelect(src: Tensor, mask: Tensor, shape: Shape, count: number): Tensor {
  const out = empty([count], src.dtype);
  const desc = count > 0 ? elementwiseBox(shape, [src, mask]) : 0;
  if (desc !== 0) core().maskedSelect(src.elementSize(), boxDims, desc, out.dataPtr(), src.dataPtr(), mask.dataPtr());
  return out;
}

/** [count, ndim] int64 coordinates of the true elements of a bool tensor. */
export function nonzero(mask: Tensor, count: number): Tensor {
  const out = empty([count, mask.ndim], "int64");
  // no coalescing: coordinates are per original dim
  if (count > 0) core().nonzero(mask.ndim, descriptor([...mask._shape, ...mask._strides]), out.dataPtr(), mask.dataPtr());
  return out;
}

/** Inclusive scan along `dim` into a fresh contiguous tensor of x's dtype. */
export function scan(x: Tensor, dim: number, multiply: boolean): Tensor {
  const out = empty(x._shape, x.dtype);
  if (out.numel() === 0) return out;
  const order = [...x._shape.keys()].filter((d) => d !== dim).concat([dim]);
  core().scan(multiply ? 1 : 0, dtypeCode(x.dtype), order.length, orderedBox(x._shape, order, [out, x]), out.dataPtr(), x.dataPtr());
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
  core().copy(formatInfo(srcFormat).code, formatInfo(dstFormat).code, ...describe(shape, [dstStrides, srcStrides]), dst, src);
}

/** Runs `fn` with `bytes` bytes of linear memory of its own, freed after. */
function withStaging(bytes: number, fn: (ptr: number) => void): void {
  const staging = new Storage(bytes);
  try {
    fn(staging.ptr);
  } finally {
    staging.release();
  }
}

/**
 * A new contiguous tensor of `dtype` holding `bytes`: its elements in row-major order, little-endian,
 * stored as `format`. The bytes enter linear memory once; a format other than the dtype's (and
 * every bool, whose bytes must become 0 or 1) is converted there by the copy kernel.
 */
export function tensorFromBytes(bytes: Uint8Array, shape: Shape, dtype: DType, format: StorageFormat): Tensor {
  return filled(empty(shape, dtype), (out) => {
    const n = out.numel();
    if (n === 0) return;
    if (format === dtype && dtype !== "bool") return writeBytes(out.dataPtr(), bytes);
    withStaging(bytes.length, (ptr) => {
      writeBytes(ptr, bytes);
      copyRaw([n], out.dataPtr(), [DTYPES[dtype].bytes], dtype, ptr, [formatInfo(format).bytes], format);
    });
  });
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
  if (format === src.dtype && isContiguous(src._shape, src._strides)) return copyOut(src.dataPtr());
  withStaging(length, (ptr) => {
    const packed = contiguousStrides(src._shape).map((s) => s * formatInfo(format).bytes);
    copyRaw(src._shape, ptr, packed, format, src.dataPtr(), src._strides.map((s) => s * src.elementSize()), src.dtype);
    copyOut(ptr);
  });
}

// ---- random sampling (assembly/kernels/random.ts); `gen` is the address of a generator block ----

/**
 * A box over `shape` whose dims run outermost first in the order PyTorch's TensorIterator visits
 * `operands` (broadcast to `shape`): samplers draw in that order, which is memory order for
 * dense tensors, so `x.t().uniform_()` fills memory as `x.uniform_()` does.
 */
function iterationBox(shape: Shape, operands: readonly Tensor[]): [number, number] {
  const layout = iteratorStrides(shape, operands);
  const order = [...shape.keys()].sort((a, b) => layout[b] - layout[a]);
  tableOperands(shape, operands, order);
  return describeBox(order.map((d) => shape[d]), operands.length);
}

/** Names of the `Sample` enum. */
export type SampleKernel = "Uniform" | "Normal" | "Bernoulli" | "Exponential" | "RandomFromTo" | "RandomFull" | "Random";

/**
 * t <- draws of a distribution with parameters (a, b), element by element; random_'s
 * "RandomFromTo" draws (draw % range) + base.
 */
export function sample(kind: SampleKernel, gen: number, t: Tensor, a = 0, b = 0, range = 0n, base = 0n): void {
  if (t.numel() === 0) return;
  const box = iterationBox(t._shape, [t]);
  const params = scalarSlot(0, 3, 0);
  const view = dataView(params, 16);
  view.setBigUint64(0, range, true);
  view.setBigInt64(8, base, true);
  core().sample(sampleCode(kind), dtypeCode(t.dtype), ...box, t.dataPtr(), gen, a, b, params);
}

/** normal_ on a contiguous float tensor of 16 or more elements (PyTorch's normal_fill). */
export function normalFill(gen: number, t: Tensor, mean: number, std: number): void {
  core().normalFill(dtypeCode(t.dtype), t.dataPtr(), t.numel(), gen, mean, std);
}

/** t <- bernoulli(p) with p (float) broadcast to t; false, drawing nothing, if a p is outside [0, 1]. */
export function bernoulliTensor(gen: number, t: Tensor, p: Tensor): boolean {
  return t.numel() === 0 || core().bernoulliTensor(dtypeCode(t.dtype), dtypeCode(p.dtype), ...iterationBox(t._shape, [t, p]), t.dataPtr(), p.dataPtr(), gen) === 0;
}

/** A random permutation of 0..n-1 into a fresh contiguous 1-D tensor. */
export function randperm(gen: number, t: Tensor): void {
  core().randperm(dtypeCode(t.dtype), t.dataPtr(), t.numel(), gen);
}

/** Rows, categories and byte strides of 1-D or 2-D probabilities. */
function distributions(p: Tensor): [number, number, number, number] {
  const bytes = p.elementSize();
  const last = p.ndim - 1;
  return [p.ndim === 2 ? p._shape[0] : 1, p._shape[last], p.ndim === 2 ? p._strides[0] * bytes : 0, p._strides[last] * bytes];
}

/** Names of the `MultinomialError` enum. */
export type MultinomialCheck = "None" | "NotFiniteOrNegative" | "Negative" | "NotFinite" | "ZeroSum";
const MULTINOMIAL_CHECKS: MultinomialCheck[] = ["None", "NotFiniteOrNegative", "Negative", "NotFinite", "ZeroSum"];

/** multinomial's validation of the probabilities, in the order PyTorch checks them. */
export function multinomialCheck(p: Tensor, replacement: boolean): MultinomialCheck {
  const status = core().multinomialCheck(dtypeCode(p.dtype), p.dataPtr(), ...distributions(p), replacement ? 1 : 0);
  return MULTINOMIAL_CHECKS.find((name) => multinomialErrorCode(name) === status) as MultinomialCheck;
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
  core().softmaxRows(rowSoftmaxCode(op), x.numel() / n, n, out.dataPtr(), x.dataPtr());
  return out;
}

/**
 * The gradient (into a new contiguous tensor) of softmax / log_softmax over rows of n elements,
 * from grad and the forward's output `out`: contiguous float32 tensors of one shape, numel > 0.
 */
export function softmaxBackwardRows(op: "Softmax" | "LogSoftmax", grad: Tensor, out: Tensor, n: number): Tensor {
  const dst = empty(out._shape, "float32");
  core().softmaxBackwardRows(rowSoftmaxCode(op), out.numel() / n, n, dst.dataPtr(), grad.dataPtr(), out.dataPtr());
  return dst;
}

// ---- fused optimizer steps (assembly/kernels/optim.ts) ----

/** Names of the `OptimFlag` enum. */
export type OptimFlag = "Maximize" | "CoupledDecay" | "DecoupledDecay" | "Amsgrad" | "Nesterov" | "FirstStep";

const optimFlags = (flags: readonly OptimFlag[]): number => flags.reduce((bits, name) => bits | optimFlagCode(name), 0);

/** The Adam scalars of one step: `decay` as OptimFlag's CoupledDecay / DecoupledDecay read it. */
export interface AdamScalars {
  decay: number;
  beta1: number;
  beta2: number;
  bc2Sqrt: number;
  eps: number;
  stepSize: number;
}

/** One Adam step in place over contiguous tensors of one dtype and numel (maxExpAvgSq null without amsgrad). */
export function adamStep(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, flags: readonly OptimFlag[], s: AdamScalars): void {
  core().adamStep(
    dtypeCode(param.dtype), param.numel(), param.dataPtr(), grad.dataPtr(), expAvg.dataPtr(), expAvgSq.dataPtr(), maxExpAvgSq?.dataPtr() ?? 0,
    optimFlags(flags), s.decay, s.beta1, s.beta2, s.bc2Sqrt, s.eps, s.stepSize,
  );
}

/** One SGD step in place over contiguous tensors of one dtype and numel (buf null without momentum). */
export function sgdStep(param: Tensor, grad: Tensor, buf: Tensor | null, flags: readonly OptimFlag[], decay: number, momentum: number, dampening: number, lr: number): void {
  core().sgdStep(dtypeCode(param.dtype), param.numel(), param.dataPtr(), grad.dataPtr(), buf?.dataPtr() ?? 0, optimFlags(flags), decay, momentum, dampening, lr);
}
