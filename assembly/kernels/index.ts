// Advanced indexing (PyTorch's index and index_put kernels): every element of a box reads
// (index) or writes (indexPut) `data` at an offset made of the regular strides plus, for each
// index tensor k, index_k * stride_k along the dim it addresses (negative indices wrap).
// desc = [shape (ndim)][strides of operand 0][strides of operand 1][strides of index 0]...,
//        then per index tensor k: [size, stride in bytes, address] of the dim it addresses.
// Operand 0 is the box being filled (index: out; indexPut: data, restrided), operand 1 the other
// (index: data, restrided; indexPut: values). JS checks every index is in range beforehand.
import { F32, F64, I32, I64, BOOL } from "../dtype";
import { MAX_DIMS } from "../memory";

const MAX_OPERANDS = 2 + MAX_DIMS;
const cursors = memory.data(MAX_OPERANDS * 4, 16);
const odometer = memory.data(MAX_DIMS * 4, 16);
let isBool = false;

@inline function word(p: usize, k: i32): i32 { return load<i32>(p + (<usize>k << 2)); }
@inline function cursor(k: i32): usize { return load<usize>(cursors + (<usize>k << 2)); }
@inline function setCursor(k: i32, p: usize): void { store<usize>(cursors + (<usize>k << 2), p); }

/** Places the cursors at the start of the box; returns the number of innermost rows. */
function begin(ndim: i32, desc: usize, nIdx: i32, info: usize, p0: usize, p1: usize): i32 {
  setCursor(0, p0);
  setCursor(1, p1);
  for (let k = 0; k < nIdx; k++) setCursor(2 + k, <usize>word(info, 3 * k + 2));
  let rows = 1;
  for (let d = 0; d < ndim - 1; d++) { rows *= word(desc, d); store<i32>(odometer + (<usize>d << 2), 0); }
  return ndim == 0 || word(desc, ndim - 1) > 0 ? rows : 0;
}

/** Moves every cursor to the start of the next innermost row (row-major over the outer dims). */
function nextRow(ndim: i32, desc: usize, nOps: i32): void {
  for (let d = ndim - 2; d >= 0; d--) {
    const size = word(desc, d);
    const c = word(odometer, d) + 1;
    if (c < size) {
      store<i32>(odometer + (<usize>d << 2), c);
      for (let k = 0; k < nOps; k++) setCursor(k, cursor(k) + <isize>word(desc, ndim * (k + 1) + d));
      return;
    }
    store<i32>(odometer + (<usize>d << 2), 0);
    for (let k = 0; k < nOps; k++) setCursor(k, cursor(k) - <isize>word(desc, ndim * (k + 1) + d) * <isize>(size - 1));
  }
}

/** The byte offset the index tensors select for element `i` of the current row, or -1 if one is out of range. */
function indexedOffset(ndim: i32, desc: usize, nIdx: i32, info: usize, i: i32): isize {
  let offset: isize = 0;
  for (let k = 0; k < nIdx; k++) {
    const size = <i64>word(info, 3 * k);
    const rowStride: isize = ndim == 0 ? 0 : <isize>word(desc, ndim * (k + 3) + ndim - 1);
    let j = load<i64>(cursor(2 + k) + <isize>i * rowStride);
    if (j < 0) j += size;
    if (j < 0 || j >= size) return -1;
    offset += <isize>j * <isize>word(info, 3 * k + 1);
  }
  return offset;
}

/** Whether the index tensors stay put along the innermost dim (so a row shares one offset). */
function rowConstant(ndim: i32, desc: usize, nIdx: i32): bool {
  if (ndim == 0) return true;
  for (let k = 0; k < nIdx; k++) if (word(desc, ndim * (k + 3) + ndim - 1) != 0) return false;
  return true;
}

@inline function rowLength(ndim: i32, desc: usize): i32 { return ndim == 0 ? 1 : word(desc, ndim - 1); }
@inline function rowStride(ndim: i32, desc: usize, operand: i32): isize { return ndim == 0 ? 0 : <isize>word(desc, ndim * (operand + 1) + ndim - 1); }

// What happens to one element: `a` is its address in operand 0, `b` in operand 1; the indexed
// offset applies to the data side. Stateless classes, instantiated per kernel like unary's.
@final @unmanaged class Gather<E> {
  @inline apply(out: usize, data: usize, offset: isize): void { store<E>(out, load<E>(data + offset)); }
}
@final @unmanaged class Put<T> {
  @inline apply(data: usize, value: usize, offset: isize): void { store<T>(data + offset, load<T>(value)); }
}
@final @unmanaged class Accumulate<T> {
  // serial, so repeated indices add up deterministically; bools stay 0/1
  @inline apply(data: usize, value: usize, offset: isize): void {
    const q = data + offset, old = load<T>(q), v = load<T>(value);
    store<T>(q, isBool ? <T>(old != <T>0 || v != <T>0 ? 1 : 0) : old + v);
  }
}

/** Walks the box row by row; a row whose indices do not move along it shares one offset. */
function walk<Op>(ndim: i32, desc: usize, nIdx: i32, info: usize, p0: usize, p1: usize): void {
  const op = changetype<Op>(0);
  const rows = begin(ndim, desc, nIdx, info, p0, p1);
  const n = rowLength(ndim, desc);
  const s0 = rowStride(ndim, desc, 0), s1 = rowStride(ndim, desc, 1);
  const constant = rowConstant(ndim, desc, nIdx);
  for (let r = 0; r < rows; r++) {
    const a = cursor(0), b = cursor(1);
    let off = constant ? indexedOffset(ndim, desc, nIdx, info, 0) : 0;
    for (let i = 0; i < n; i++) {
      if (!constant) off = indexedOffset(ndim, desc, nIdx, info, i);
      if (off >= 0) op.apply(a + <isize>i * s0, b + <isize>i * s1, off);
    }
    nextRow(ndim, desc, 2 + nIdx);
  }
}

/** out[i] = data[i's regular offset + indexed offset], for elements of `elementBytes` bytes. */
export function index(elementBytes: i32, ndim: i32, desc: usize, nIdx: i32, out: usize, data: usize): void {
  const info = desc + (<usize>(ndim * (3 + nIdx)) << 2);
  switch (elementBytes) {
    case 8: walk<Gather<u64>>(ndim, desc, nIdx, info, out, data); break;
    case 4: walk<Gather<u32>>(ndim, desc, nIdx, info, out, data); break;
    case 2: walk<Gather<u16>>(ndim, desc, nIdx, info, out, data); break;
    default: walk<Gather<u8>>(ndim, desc, nIdx, info, out, data); break;
  }
}

function putAll<T>(accumulate: bool, ndim: i32, desc: usize, nIdx: i32, info: usize, data: usize, values: usize): void {
  if (accumulate) walk<Accumulate<T>>(ndim, desc, nIdx, info, data, values);
  else walk<Put<T>>(ndim, desc, nIdx, info, data, values);
}

/** data[i's regular offset + indexed offset] = values[i] (or += when `accumulate`). */
export function indexPut(dtype: i32, accumulate: bool, ndim: i32, desc: usize, nIdx: i32, data: usize, values: usize): void {
  const info = desc + (<usize>(ndim * (3 + nIdx)) << 2);
  isBool = dtype == BOOL;
  switch (dtype) {
    case F32: putAll<f32>(accumulate, ndim, desc, nIdx, info, data, values); break;
    case F64: putAll<f64>(accumulate, ndim, desc, nIdx, info, data, values); break;
    case I32: putAll<i32>(accumulate, ndim, desc, nIdx, info, data, values); break;
    case I64: putAll<i64>(accumulate, ndim, desc, nIdx, info, data, values); break;
    default: putAll<u8>(accumulate, ndim, desc, nIdx, info, data, values); break;
  }
}
