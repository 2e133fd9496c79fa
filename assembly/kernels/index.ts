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

/** Places the cursors at the start of the box; returns the number of elements. */
function begin(ndim: i32, desc: usize, nIdx: i32, info: usize, p0: usize, p1: usize): i32 {
  setCursor(0, p0);
  setCursor(1, p1);
  for (let k = 0; k < nIdx; k++) setCursor(2 + k, <usize>word(info, 3 * k + 2));
  let total = 1;
  for (let d = 0; d < ndim; d++) { total *= word(desc, d); store<i32>(odometer + (<usize>d << 2), 0); }
  return total;
}

/** Moves every cursor to the next element of the box (row-major). */
function advance(ndim: i32, desc: usize, nOps: i32): void {
  for (let d = ndim - 1; d >= 0; d--) {
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

/** The byte offset the index tensors select for the current element, or -1 if one is out of range. */
function indexedOffset(nIdx: i32, info: usize): isize {
  let offset: isize = 0;
  for (let k = 0; k < nIdx; k++) {
    const size = <i64>word(info, 3 * k);
    let j = load<i64>(cursor(2 + k));
    if (j < 0) j += size;
    if (j < 0 || j >= size) return -1;
    offset += <isize>j * <isize>word(info, 3 * k + 1);
  }
  return offset;
}

function gatherAll<E>(ndim: i32, desc: usize, nIdx: i32, info: usize, out: usize, data: usize): void {
  const total = begin(ndim, desc, nIdx, info, out, data);
  for (let e = 0; e < total; e++) {
    const off = indexedOffset(nIdx, info);
    if (off >= 0) store<E>(cursor(0), load<E>(cursor(1) + off));
    advance(ndim, desc, 2 + nIdx);
  }
}

/** out[i] = data[i's regular offset + indexed offset], for elements of `elementBytes` bytes. */
export function index(elementBytes: i32, ndim: i32, desc: usize, nIdx: i32, out: usize, data: usize): void {
  const info = desc + (<usize>(ndim * (3 + nIdx)) << 2);
  switch (elementBytes) {
    case 8: gatherAll<u64>(ndim, desc, nIdx, info, out, data); break;
    case 4: gatherAll<u32>(ndim, desc, nIdx, info, out, data); break;
    case 2: gatherAll<u16>(ndim, desc, nIdx, info, out, data); break;
    default: gatherAll<u8>(ndim, desc, nIdx, info, out, data); break;
  }
}

function putAll<T>(accumulate: bool, ndim: i32, desc: usize, nIdx: i32, info: usize, data: usize, values: usize): void {
  const total = begin(ndim, desc, nIdx, info, data, values);
  for (let e = 0; e < total; e++) {
    const off = indexedOffset(nIdx, info);
    if (off >= 0) {
      const q = cursor(0) + off;
      const v = load<T>(cursor(1));
      const old = load<T>(q);
      // accumulation is serial, so repeated indices add up deterministically; bools stay 0/1
      store<T>(q, !accumulate ? v : isBool ? <T>(old != <T>0 || v != <T>0 ? 1 : 0) : old + v);
    }
    advance(ndim, desc, 2 + nIdx);
  }
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
