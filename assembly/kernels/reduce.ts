// Reductions over any set of dimensions. JS permutes the reduced dims to the back:
// desc = [kept shape (k)][reduced shape (r)][src strides of kept dims][src strides of reduced dims],
// strides in bytes. The output is contiguous over the kept dims; for arg-reductions the
// int64 index (row-major position inside the reduced box) goes to `indices`.
import { F32, F64, I32, I64 } from "../dtype";
import { MAX_DIMS } from "../memory";
import { maxF32, minF32, sumF32 } from "../simd/rows";

export enum Reduce { Sum, Prod, Max, Min, ArgMax, ArgMin, All, Any }

const keptCounters = memory.data(MAX_DIMS * 4, 16);
const redCounters = memory.data(MAX_DIMS * 4, 16);

// Running state of the current output element.
let accFloat: f64 = 0;
let accInt: i64 = 0;
let best: f64 = 0;
let bestInt: i64 = 0;
let bestIndex: i64 = 0;
let seen: i64 = 0; // elements visited so far in this reduction (for indices)

@inline function at(p: usize, k: i32): i32 { return load<i32>(p + (<usize>k << 2)); }

/** Adds a float32 row to accFloat: contiguous rows four lanes at a time (assembly/simd/rows.ts). */
function sumRowF32(p: usize, n: i32, s: isize): void {
  if (s == 4) { accFloat += sumF32(p, n); return; }
  for (let i = 0; i < n; i++) { accFloat += <f64>load<f32>(p); p += s; }
}

/** Max or Min of a contiguous float32 row into best (four lanes at a time; NaN wins, as below). */
function extremeRowF32(wantMax: bool, p: usize, n: i32): void {
  const v = <f64>(wantMax ? maxF32(p, n) : minF32(p, n));
  if (best == best && (v != v || (wantMax ? v > best : v < best))) best = v;
}

function reduceRow<T>(op: i32, p: usize, n: i32, s: isize): void {
  if (isFloat<T>() && sizeof<T>() == 4) {
    if (op == Reduce.Sum) { sumRowF32(p, n, s); seen += n; return; }
    // Max and Min give values only (ArgMax and ArgMin track the index)
    if ((op == Reduce.Max || op == Reduce.Min) && s == 4 && n > 0) { extremeRowF32(op == Reduce.Max, p, n); seen += n; return; }
  }
  for (let i = 0; i < n; i++) {
    const x = load<T>(p);
    switch (op) {
      case Reduce.Sum: if (isFloat<T>()) accFloat += <f64>x; else accInt += <i64>x; break;
      case Reduce.Prod: if (isFloat<T>()) accFloat *= <f64>x; else accInt *= <i64>x; break;
      case Reduce.All: if (x == <T>0) accInt = 0; break;
      case Reduce.Any: if (x != <T>0) accInt = 1; break;
      default: {
        const wantMax = op == Reduce.Max || op == Reduce.ArgMax;
        if (isFloat<T>()) {
          const v = <f64>x;
          // NaN wins and stays; otherwise strictly better replaces (first occurrence on ties)
          if (best == best && (v != v || (wantMax ? v > best : v < best))) { best = v; bestIndex = seen + i; }
        } else {
          const v = <i64>x;
          if (wantMax ? v > bestInt : v < bestInt) { bestInt = v; bestIndex = seen + i; }
        }
      }
    }
    p += s;
  }
  seen += n;
}

/**
 * The stride of `count` dims (shapes at `shape`, strides at `strides`) walked as one, when they
 * lie evenly one after another (dims of size 1 are skipped; all of size 1: 0); -1 when they do
 * not or run backwards.
 */
function collapsedStride(shape: usize, strides: usize, count: i32): isize {
  let stride: isize = 0, extent: isize = 0, found = false;
  for (let d = count - 1; d >= 0; d--) {
    const size = at(shape, d);
    if (size == 1) continue;
    const st = <isize>at(strides, d);
    if (st < 0 || (found && st != extent)) return -1;
    if (!found) { stride = st; found = true; }
    extent = st * <isize>size;
  }
  return stride;
}

/** f64 lanes 0-1 and 2-3 of four floats. */
@inline function widenLow(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function widenHigh(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)); }

/** The four floats of two f64 pairs, each times `scale`. */
@inline function narrow(lo: v128, hi: v128, scale: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.mul(lo, scale)), f32x4.demote_f64x2_zero(f64x2.mul(hi, scale)), 0, 1, 4, 5);
}

/**
 * Float32 sum (times `scale`) over leading dims: the kept dims are one contiguous run of `n`
 * floats and the `rows` reduced positions are `rowStride` bytes apart (x.sum(0), the bias
 * gradient of a linear layer, sum_to_size after broadcasting). Sixteen columns at a time go down
 * the rows in f64 lanes: the order and precision of the general path, so the same bits.
 */
function sumLeadingF32(n: i32, rows: i32, rowStride: isize, src: usize, dst: usize, scale: f64): void {
  const s = f64x2.splat(scale);
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    let p = src + (<usize>j << 2);
    for (let i = 0; i < rows; i++) {
      let v = v128.load(p);
      a0 = f64x2.add(a0, widenLow(v)); a1 = f64x2.add(a1, widenHigh(v));
      v = v128.load(p, 16);
      a2 = f64x2.add(a2, widenLow(v)); a3 = f64x2.add(a3, widenHigh(v));
      v = v128.load(p, 32);
      a4 = f64x2.add(a4, widenLow(v)); a5 = f64x2.add(a5, widenHigh(v));
      v = v128.load(p, 48);
      a6 = f64x2.add(a6, widenLow(v)); a7 = f64x2.add(a7, widenHigh(v));
      p += rowStride;
    }
    const out = dst + (<usize>j << 2);
    v128.store(out, narrow(a0, a1, s)); v128.store(out, narrow(a2, a3, s), 16);
    v128.store(out, narrow(a4, a5, s), 32); v128.store(out, narrow(a6, a7, s), 48);
  }
  for (; j < n; j++) {
    let sum: f64 = 0;
    let p = src + (<usize>j << 2);
    for (let i = 0; i < rows; i++) { sum += <f64>load<f32>(p); p += rowStride; }
    store<f32>(dst + (<usize>j << 2), <f32>(sum * scale));
  }
}

function reduceTyped<T>(op: i32, k: i32, r: i32, desc: usize, src: usize, dst: usize, indices: usize, scale: f64): void {
  const keptShape = desc, redShape = desc + (<usize>k << 2);
  const keptStrides = desc + (<usize>(k + r) << 2), redStrides = desc + (<usize>(2 * k + r) << 2);
  if (isFloat<T>() && sizeof<T>() == 4 && op == Reduce.Sum && k > 0 && r > 0) {
    let n = 1, rows = 1;
    for (let d = 0; d < k; d++) n *= at(keptShape, d);
    for (let d = 0; d < r; d++) rows *= at(redShape, d);
    const rowStride = collapsedStride(redShape, redStrides, r);
    if (n >= 16 && rows > 0 && rowStride >= 0 && collapsedStride(keptShape, keptStrides, k) == 4) {
      sumLeadingF32(n, rows, rowStride, src, dst, scale);
      return;
    }
  }
  let nOut = 1;
  for (let d = 0; d < k; d++) { nOut *= at(keptShape, d); store<i32>(keptCounters + (<usize>d << 2), 0); }
  let nRed = 1;
  for (let d = 0; d < r; d++) nRed *= at(redShape, d);
  const innerN = r > 0 ? at(redShape, r - 1) : 1;
  const innerS = r > 0 ? <isize>at(redStrides, r - 1) : 0;
  const rows = innerN > 0 ? nRed / innerN : 0;
  let base = src;
  for (let o = 0; o < nOut; o++) {
    accFloat = op == Reduce.Prod ? 1 : 0;
    accInt = op == Reduce.Prod || op == Reduce.All ? 1 : 0;
    seen = 0; bestIndex = 0;
    if (nRed > 0) {
      // seed max/min with the first element so that integer ranges need no sentinel
      best = <f64>load<T>(base); bestInt = isFloat<T>() ? 0 : <i64>load<T>(base);
    }
    for (let d = 0; d < r - 1; d++) store<i32>(redCounters + (<usize>d << 2), 0);
    let p = base;
    for (let row = 0; row < rows; row++) {
      reduceRow<T>(op, p, innerN, innerS);
      // odometer over the reduced dims except the innermost
      let d = r - 2;
      while (d >= 0) {
        const c = at(redCounters, d) + 1;
        const st = <isize>at(redStrides, d);
        if (c < at(redShape, d)) { store<i32>(redCounters + (<usize>d << 2), c); p += st; break; }
        store<i32>(redCounters + (<usize>d << 2), 0);
        p -= st * <isize>(at(redShape, d) - 1);
        d--;
      }
    }
    const out = dst + <usize>o * sizeof<T>();
    switch (op) {
      case Reduce.Sum: case Reduce.Prod:
        if (isFloat<T>()) store<T>(out, <T>(accFloat * scale)); else store<T>(out, <T>accInt);
        break;
      case Reduce.All: case Reduce.Any: store<T>(out, <T>accInt); break;
      default:
        if (op == Reduce.Max || op == Reduce.Min) store<T>(out, isFloat<T>() ? <T>best : <T>bestInt);
        if (indices) store<i64>(indices + (<usize>o << 3), bestIndex);
    }
    // odometer over the kept dims
    let d = k - 1;
    while (d >= 0) {
      const c = at(keptCounters, d) + 1;
      const st = <isize>at(keptStrides, d);
      if (c < at(keptShape, d)) { store<i32>(keptCounters + (<usize>d << 2), c); base += st; break; }
      store<i32>(keptCounters + (<usize>d << 2), 0);
      base -= st * <isize>(at(keptShape, d) - 1);
      d--;
    }
  }
}

/** Reduces `src` (of `dtype`) into the contiguous `dst`; `scale` multiplies float sums (mean). */
export function reduce(op: i32, dtype: i32, k: i32, r: i32, desc: usize, src: usize, dst: usize, indices: usize, scale: f64): void {
  switch (dtype) {
    case F32: reduceTyped<f32>(op, k, r, desc, src, dst, indices, scale); break;
    case F64: reduceTyped<f64>(op, k, r, desc, src, dst, indices, scale); break;
    case I32: reduceTyped<i32>(op, k, r, desc, src, dst, indices, scale); break;
    case I64: reduceTyped<i64>(op, k, r, desc, src, dst, indices, scale); break;
    default: reduceTyped<u8>(op, k, r, desc, src, dst, indices, scale); break;
  }
}
