// Strided N-d iteration. A descriptor (written by JS at `desc`, i32 words) holds the shape and
// then, per operand, its byte strides: [shape[ndim], strides0[ndim], strides1[ndim], ...].
// JS coalesces dimensions first, so most calls arrive as a single contiguous row.
// Kernels supply a row function; the driver walks every innermost row of the box.
import { counters } from "./memory";

export type Row1 = (p0: usize, n: i32, s0: isize) => void;
export type Row2 = (p0: usize, p1: usize, n: i32, s0: isize, s1: isize) => void;
export type Row3 = (p0: usize, p1: usize, p2: usize, n: i32, s0: isize, s1: isize, s2: isize) => void;
export type Row4 = (p0: usize, p1: usize, p2: usize, p3: usize, n: i32, s0: isize, s1: isize, s2: isize, s3: isize) => void;

@inline function dimAt(desc: usize, k: i32): i32 { return load<i32>(desc + (<usize>k << 2)); }

/** Number of innermost rows in the box, and resets the counters. */
function beginRows(ndim: i32, desc: usize): i32 {
  let rows = 1;
  for (let d = 0; d < ndim - 1; d++) {
    rows *= dimAt(desc, d);
    store<i32>(counters + (<usize>d << 2), 0);
  }
  return rows;
}

/**
 * Advances the odometer over the outer dims; returns the dimension that rolled over last
 * (the pointers move by strides[d] and back by strides[e] * (shape[e] - 1) for e > d).
 */
@inline function step(ndim: i32, desc: usize, operand: i32, d: i32): isize {
  // byte delta for `operand` when dim d increments and all dims after it (outer-row part) reset
  const strides = desc + (<usize>(ndim * (operand + 1)) << 2);
  let delta = <isize>load<i32>(strides + (<usize>d << 2));
  for (let e = d + 1; e < ndim - 1; e++) {
    delta -= <isize>load<i32>(strides + (<usize>e << 2)) * <isize>(dimAt(desc, e) - 1);
  }
  return delta;
}

/** Increments the counters; returns the outermost dimension that advanced. */
function advance(ndim: i32, desc: usize): i32 {
  let d = ndim - 2;
  while (d > 0) {
    const c = load<i32>(counters + (<usize>d << 2)) + 1;
    if (c < dimAt(desc, d)) { store<i32>(counters + (<usize>d << 2), c); return d; }
    store<i32>(counters + (<usize>d << 2), 0);
    d--;
  }
  store<i32>(counters, load<i32>(counters) + 1);
  return 0;
}

@inline function rowLength(ndim: i32, desc: usize): i32 { return ndim == 0 ? 1 : dimAt(desc, ndim - 1); }
@inline function rowStride(ndim: i32, desc: usize, operand: i32): isize {
  return ndim == 0 ? 0 : <isize>dimAt(desc, ndim * (operand + 2) - 1);
}

export function forEachRow1(fn: Row1, ndim: i32, desc: usize, p0: usize): void {
  const n = rowLength(ndim, desc);
  const s0 = rowStride(ndim, desc, 0);
  const rows = beginRows(ndim, desc);
  for (let r = 0; r < rows; r++) {
    fn(p0, n, s0);
    if (r + 1 < rows) {
      const d = advance(ndim, desc);
      p0 += step(ndim, desc, 0, d);
    }
  }
}

export function forEachRow2(fn: Row2, ndim: i32, desc: usize, p0: usize, p1: usize): void {
  const n = rowLength(ndim, desc);
  const s0 = rowStride(ndim, desc, 0), s1 = rowStride(ndim, desc, 1);
  const rows = beginRows(ndim, desc);
  for (let r = 0; r < rows; r++) {
    fn(p0, p1, n, s0, s1);
    if (r + 1 < rows) {
      const d = advance(ndim, desc);
      p0 += step(ndim, desc, 0, d);
      p1 += step(ndim, desc, 1, d);
    }
  }
}

export function forEachRow3(fn: Row3, ndim: i32, desc: usize, p0: usize, p1: usize, p2: usize): void {
  const n = rowLength(ndim, desc);
  const s0 = rowStride(ndim, desc, 0), s1 = rowStride(ndim, desc, 1), s2 = rowStride(ndim, desc, 2);
  const rows = beginRows(ndim, desc);
  for (let r = 0; r < rows; r++) {
    fn(p0, p1, p2, n, s0, s1, s2);
    if (r + 1 < rows) {
      const d = advance(ndim, desc);
      p0 += step(ndim, desc, 0, d);
      p1 += step(ndim, desc, 1, d);
      p2 += step(ndim, desc, 2, d);
    }
  }
}

export function forEachRow4(fn: Row4, ndim: i32, desc: usize, p0: usize, p1: usize, p2: usize, p3: usize): void {
  const n = rowLength(ndim, desc);
  const s0 = rowStride(ndim, desc, 0), s1 = rowStride(ndim, desc, 1);
  const s2 = rowStride(ndim, desc, 2), s3 = rowStride(ndim, desc, 3);
  const rows = beginRows(ndim, desc);
  for (let r = 0; r < rows; r++) {
    fn(p0, p1, p2, p3, n, s0, s1, s2, s3);
    if (r + 1 < rows) {
      const d = advance(ndim, desc);
      p0 += step(ndim, desc, 0, d);
      p1 += step(ndim, desc, 1, d);
      p2 += step(ndim, desc, 2, d);
      p3 += step(ndim, desc, 3, d);
    }
  }
}
