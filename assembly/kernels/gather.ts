// Indexing along one dimension, for index_select, gather, embedding and advanced indexing
// (gather), and for their backward passes and scatter/index_add (scatter).
// Operands: 0 = the tensor iterated over (out for gather, src for scatter), 1 = the other
// tensor with its `dim` stride set to 0 by JS, 2 = the int64 indices broadcast to the box.
// The index picks the position along `dim` of operand 1: offset += index * dimStride.
import { F32, F64, I32, I64 } from "../dtype";
import { Row3, forEachRow1, forEachRow3 } from "../iterate";

let dimSize: i64 = 0;
let dimStride: isize = 0;
let badIndex: i64 = 0;
let failed = false;

@inline function position(idx: usize): isize {
  let j = load<i64>(idx);
  if (j < 0) j += dimSize;
  if (j < 0 || j >= dimSize) {
    if (!failed) { failed = true; badIndex = load<i64>(idx); }
    return -1;
  }
  return <isize>j * dimStride;
}

function gatherRow<E>(d: usize, s: usize, idx: usize, n: i32, sd: isize, ss: isize, si: isize): void {
  for (let i = 0; i < n; i++) {
    const off = position(idx);
    store<E>(d, off < 0 ? <E>0 : load<E>(s + off));
    d += sd; s += ss; idx += si;
  }
}

/** How scatter combines a value with what is already at its destination. */
export enum ScatterMode { Set, Add, Multiply, Max, Min }

@inline function combine<T>(mode: i32, old: T, v: T): T {
  switch (mode) {
    case ScatterMode.Add: return old + v;
    case ScatterMode.Multiply: return old * v;
    case ScatterMode.Max: return (isFloat<T>() && old != old) ? old : (v > old || (isFloat<T>() && v != v)) ? v : old;
    case ScatterMode.Min: return (isFloat<T>() && old != old) ? old : (v < old || (isFloat<T>() && v != v)) ? v : old;
    default: return v;
  }
}

function scatterRow<T>(mode: i32, s: usize, d: usize, idx: usize, n: i32, ss: isize, sd: isize, si: isize): void {
  for (let i = 0; i < n; i++) {
    const off = position(idx);
    if (off >= 0) {
      const q = d + off;
      store<T>(q, combine<T>(mode, load<T>(q), load<T>(s)));
    }
    s += ss; d += sd; idx += si;
  }
}

let scatterMode: i32 = 0;

function gatherRowFor(bytes: i32): Row3 {
  switch (bytes) {
    case 8: return (d: usize, s: usize, x: usize, n: i32, sd: isize, ss: isize, sx: isize): void => gatherRow<u64>(d, s, x, n, sd, ss, sx);
    case 4: return (d: usize, s: usize, x: usize, n: i32, sd: isize, ss: isize, sx: isize): void => gatherRow<u32>(d, s, x, n, sd, ss, sx);
    case 2: return (d: usize, s: usize, x: usize, n: i32, sd: isize, ss: isize, sx: isize): void => gatherRow<u16>(d, s, x, n, sd, ss, sx);
    default: return (d: usize, s: usize, x: usize, n: i32, sd: isize, ss: isize, sx: isize): void => gatherRow<u8>(d, s, x, n, sd, ss, sx);
  }
}

function scatterRowFor(dtype: i32): Row3 {
  switch (dtype) {
    case F32: return (s: usize, d: usize, x: usize, n: i32, ss: isize, sd: isize, sx: isize): void => scatterRow<f32>(scatterMode, s, d, x, n, ss, sd, sx);
    case F64: return (s: usize, d: usize, x: usize, n: i32, ss: isize, sd: isize, sx: isize): void => scatterRow<f64>(scatterMode, s, d, x, n, ss, sd, sx);
    case I32: return (s: usize, d: usize, x: usize, n: i32, ss: isize, sd: isize, sx: isize): void => scatterRow<i32>(scatterMode, s, d, x, n, ss, sd, sx);
    case I64: return (s: usize, d: usize, x: usize, n: i32, ss: isize, sd: isize, sx: isize): void => scatterRow<i64>(scatterMode, s, d, x, n, ss, sd, sx);
    default: return (s: usize, d: usize, x: usize, n: i32, ss: isize, sd: isize, sx: isize): void => scatterRow<u8>(scatterMode, s, d, x, n, ss, sd, sx);
  }
}

/** out[c] = src[c with c[dim] = index[c]]. Returns 0, or 1 with `indexError()` set. */
export function gather(elementBytes: i32, ndim: i32, desc: usize, dst: usize, src: usize, index: usize, size: f64, stride: i32): i32 {
  dimSize = <i64>size; dimStride = stride; failed = false;
  forEachRow3(gatherRowFor(elementBytes), ndim, desc, dst, src, index);
  return failed ? 1 : 0;
}

/** dst[c with c[dim] = index[c]] (op)= src[c], op by `mode` (ScatterMode). Returns 0, or 1 on a bad index. */
export function scatter(dtype: i32, mode: i32, ndim: i32, desc: usize, src: usize, dst: usize, index: usize, size: f64, stride: i32): i32 {
  dimSize = <i64>size; dimStride = stride; failed = false; scatterMode = mode;
  forEachRow3(scatterRowFor(dtype), ndim, desc, src, dst, index);
  return failed ? 1 : 0;
}

/** The first out-of-range index of the last failed gather, scatter or index check. */
export function indexError(): f64 { return <f64>badIndex; }

let lowBound: i64 = 0;
let highBound: i64 = 0;

function checkRow(idx: usize, n: i32, si: isize): void {
  if (failed) return;
  for (let i = 0; i < n; i++) {
    const j = load<i64>(idx);
    if (j < lowBound || j >= highBound) { failed = true; badIndex = j; return; }
    idx += si;
  }
}

/**
 * Checks int64 indices against [low, high) in the box's order (row-major for a box described in
 * dim order), before an op writes anything. Returns 0, or 1 with `indexError()` set to the first
 * index out of range.
 */
export function checkIndices(ndim: i32, desc: usize, index: usize, low: f64, high: f64): i32 {
  lowBound = <i64>low; highBound = <i64>high; failed = false;
  forEachRow1(checkRow, ndim, desc, index);
  return failed ? 1 : 0;
}

// ---- boolean masks: compress the elements where the mask is set, in row-major order ----

let cursor: usize = 0;

function compressRow<E>(s: usize, m: usize, n: i32, ss: isize, sm: isize): void {
  for (let i = 0; i < n; i++) {
    if (load<u8>(m)) { store<E>(cursor, load<E>(s)); cursor += sizeof<E>(); }
    s += ss; m += sm;
  }
}

/** Copies the elements of src where mask (broadcast to the same box) is true to dst; returns the count. */
export function maskedSelect(elementBytes: i32, ndim: i32, desc: usize, dst: usize, src: usize, mask: usize): i32 {
  cursor = dst;
  switch (elementBytes) {
    case 8: forEachRow2Compress<u64>(ndim, desc, src, mask); break;
    case 4: forEachRow2Compress<u32>(ndim, desc, src, mask); break;
    case 2: forEachRow2Compress<u16>(ndim, desc, src, mask); break;
    default: forEachRow2Compress<u8>(ndim, desc, src, mask); break;
  }
  return <i32>((cursor - dst) / elementBytes);
}

import { forEachRow2 } from "../iterate";
function forEachRow2Compress<E>(ndim: i32, desc: usize, src: usize, mask: usize): void {
  forEachRow2((s: usize, m: usize, n: i32, ss: isize, sm: isize): void => compressRow<E>(s, m, n, ss, sm), ndim, desc, src, mask);
}

// ---- nonzero: coordinates (int64, row-major) of the set elements of a bool box ----

let coords: usize = 0;
let ndims: i32 = 0;
let shapeDesc: usize = 0;
const position0 = memory.data(64 * 8, 16);

function nonzeroRow(m: usize, n: i32, sm: isize): void {
  for (let i = 0; i < n; i++) {
    if (load<u8>(m)) {
      for (let d = 0; d < ndims - 1; d++) store<i64>(coords + (<usize>d << 3), load<i64>(position0 + (<usize>d << 3)));
      if (ndims > 0) store<i64>(coords + (<usize>(ndims - 1) << 3), i);
      coords += <usize>ndims << 3;
    }
    m += sm;
  }
  // advance the outer coordinates (row-major odometer)
  let d = ndims - 2;
  while (d >= 0) {
    const c = load<i64>(position0 + (<usize>d << 3)) + 1;
    if (c < <i64>load<i32>(shapeDesc + (<usize>d << 2))) { store<i64>(position0 + (<usize>d << 3), c); break; }
    store<i64>(position0 + (<usize>d << 3), 0);
    d--;
  }
}

import { forEachRow1 } from "../iterate";
/** Writes [count, ndim] int64 coordinates of the nonzero bytes of mask to dst; returns the count. */
export function nonzero(ndim: i32, desc: usize, dst: usize, mask: usize): i32 {
  coords = dst; ndims = ndim; shapeDesc = desc;
  memory.fill(position0, 0, 64 * 8);
  forEachRow1(nonzeroRow, ndim, desc, mask);
  return ndim == 0 ? <i32>((coords - dst) > 0 ? 1 : 0) : <i32>((coords - dst) / (<usize>ndim << 3));
}
