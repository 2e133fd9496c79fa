// Contiguous float32 rows, four lanes at a time: a pointwise map, max/min and sum, and the
// fused softmax, log_softmax and logsumexp of one row (a max pass, an exp-sum pass, a
// normalising pass) and their backward rows, for the pointwise and reduction kernels to call
// on their contiguous rows.
import { exp, expOfDifference } from "./math";
import { highHalf, joinHalves, lowHalf, splat64 } from "./lanes";

// Tails go lane by lane: a row's last floats may end its memory block, so no whole-vector access
// past them; and a memory.copy is a call out of the engine's code (it took a third of
// log_softmax's time on rows of 10 floats).

/** The `count` (1 to 3) floats at p as one vector, the other lanes set to `pad`. */
@inline function loadTail(p: usize, count: i32, pad: f32): v128 {
  let v = v128.load32_lane(p, f32x4.splat(pad), 0);
  if (count > 1) v = v128.load32_lane(p, v, 1, 4);
  if (count > 2) v = v128.load32_lane(p, v, 2, 8);
  return v;
}

/** Stores the first `count` (1 to 3) lanes of v at p. */
@inline function storeTail(p: usize, v: v128, count: i32): void {
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/**
 * dst[i] = Op.vec(src[i]) for i < n (dst may be src). The last n % 4 elements go through the
 * same vector code, padded, so an element's result never depends on its position.
 */
export function mapF32<Op>(dst: usize, src: usize, n: i32): void {
  const op = changetype<Op>(0);
  let i = 0;
  // several vectors per step, so that their dependency chains (exp's polynomial, a division)
  // overlap, which the out-of-order window does too little of across iterations: four (unary
  // 1e6: 7-23 % faster than two, two 5-12 % faster than one), or two for an op whose math works
  // in f64 lanes and needs the registers (`vectorsPerStep()`: erf, gelu; four spill there)
  if (isDefined(op.vectorsPerStep) && op.vectorsPerStep() == 2) {
    for (; i + 8 <= n; i += 8) {
      const x0 = v128.load(at(src, i)), x1 = v128.load(at(src, i), 16);
      v128.store(at(dst, i), op.vec(x0));
      v128.store(at(dst, i), op.vec(x1), 16);
    }
  } else {
    for (; i + 16 <= n; i += 16) {
      const q = at(src, i);
      const x0 = v128.load(q), x1 = v128.load(q, 16), x2 = v128.load(q, 32), x3 = v128.load(q, 48);
      const o = at(dst, i);
      v128.store(o, op.vec(x0)); v128.store(o, op.vec(x1), 16);
      v128.store(o, op.vec(x2), 32); v128.store(o, op.vec(x3), 48);
    }
  }
  // the rest one vector at a time, the last one padded (one more copy of the op's code, not two)
  for (; i < n; i += 4) {
    const full = i + 4 <= n;
    const y = op.vec(full ? v128.load(at(src, i)) : loadTail(at(src, i), n - i, 0));
    if (full) v128.store(at(dst, i), y);
    else storeTail(at(dst, i), y, n - i);
  }
}

/**
 * The larger (or smaller) of a and b per lane. `keepNan`: a NaN in either wins (f32x4.max, which
 * engines lower to several instructions); else pmax/pmin (one each), where a NaN b leaves a.
 */
@inline function pick(a: v128, b: v128, wantMax: bool, keepNan: bool = true): v128 {
  if (!keepNan) return wantMax ? f32x4.pmax(a, b) : f32x4.pmin(a, b);
  return wantMax ? f32x4.max(a, b) : f32x4.min(a, b);
}

/** The largest (or smallest) of n >= 1 floats; NaN if any is NaN (with `keepNan`; else only if the first is). */
@inline function extremeF32(p: usize, n: i32, wantMax: bool, keepNan: bool = true): f32 {
  // the first element pads the tail: it cannot change the answer
  const first = load<f32>(p);
  let a0 = f32x4.splat(first), a1 = a0, a2 = a0, a3 = a0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = at(p, i);
    a0 = pick(a0, v128.load(q), wantMax, keepNan);
    a1 = pick(a1, v128.load(q, 16), wantMax, keepNan);
    a2 = pick(a2, v128.load(q, 32), wantMax, keepNan);
    a3 = pick(a3, v128.load(q, 48), wantMax, keepNan);
  }
  for (; i + 4 <= n; i += 4) a0 = pick(a0, v128.load(at(p, i)), wantMax, keepNan);
  if (i < n) a0 = pick(a0, loadTail(at(p, i), n - i, first), wantMax, keepNan);
  const a = pick(pick(a0, a1, wantMax, keepNan), pick(a2, a3, wantMax, keepNan), wantMax, keepNan);
  const b = pick(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1), wantMax, keepNan);
  return f32x4.extract_lane(pick(b, v128.shuffle<f32>(b, b, 1, 0, 3, 2), wantMax, keepNan), 0);
}

export function maxF32(p: usize, n: i32): f32 { return extremeF32(p, n, true); }
export function minF32(p: usize, n: i32): f32 { return extremeF32(p, n, false); }
/**
 * The largest of n >= 1 floats as a softmax shift: a NaN elsewhere than first may be missed,
 * which changes nothing (its e^(x - max) makes the sum, hence the whole row, NaN).
 */
function shiftOfRow(p: usize, n: i32): f32 { return extremeF32(p, n, true, false); }

/** A term of a sum over one row or two: the element itself, or the product of the two rows' elements. */
@final @unmanaged class Element {
  @inline readsBoth(): bool { return false; }
  @inline vec(a: v128, b: v128): v128 { return a; }
  @inline one(a: f32, b: f32): f32 { return a; }
}
@final @unmanaged class Product {
  @inline readsBoth(): bool { return true; }
  @inline vec(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  @inline one(a: f32, b: f32): f32 { return a * b; }
}

/**
 * Sum of n terms of the floats at p (and q): four f32x4 accumulators, flushed to f64 every 1024
 * elements to keep long sums accurate. A product term is rounded to f32 first, so Σ a·b sums
 * what a mul kernel would have written.
 */
function sumTermsF32<Term>(p: usize, q: usize, n: i32): f64 {
  const term = changetype<Term>(0);
  let sum: f64 = 0;
  let i = 0;
  while (i + 16 <= n) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    const end = min(n, i + 1024) & ~15;
    for (; i < end; i += 16) {
      const x = at(p, i), y = at(q, i);
      const x0 = v128.load(x), x1 = v128.load(x, 16), x2 = v128.load(x, 32), x3 = v128.load(x, 48);
      // an Element term reads one row: a load of q would stay (a load may trap) and take load slots
      if (term.readsBoth()) {
        a0 = f32x4.add(a0, term.vec(x0, v128.load(y)));
        a1 = f32x4.add(a1, term.vec(x1, v128.load(y, 16)));
        a2 = f32x4.add(a2, term.vec(x2, v128.load(y, 32)));
        a3 = f32x4.add(a3, term.vec(x3, v128.load(y, 48)));
      } else {
        a0 = f32x4.add(a0, x0);
        a1 = f32x4.add(a1, x1);
        a2 = f32x4.add(a2, x2);
        a3 = f32x4.add(a3, x3);
      }
    }
    const t = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
    sum += <f64>f32x4.extract_lane(t, 0) + <f64>f32x4.extract_lane(t, 1)
      + <f64>f32x4.extract_lane(t, 2) + <f64>f32x4.extract_lane(t, 3);
  }
  for (; i < n; i++) sum += <f64>term.one(load<f32>(at(p, i)), load<f32>(at(q, i)));
  return sum;
}

/** Sum of n floats (see sumTermsF32). */
export function sumF32(p: usize, n: i32): f64 { return sumTermsF32<Element>(p, p, n); }

/** e^(x - max) of the vector at src + i + offset, stored to dst + i + offset unless dst is 0. */
@inline function expStep(dst: usize, src: usize, i: i32, offset: usize, s: v128): v128 {
  const e = expOfDifference(v128.load(at(src, i) + offset), s);
  if (dst) v128.store(at(dst, i) + offset, e);
  return e;
}

/** The f64 pair acc + the floats in v's lanes 0-1 (or 2-3 with `high`). */
@inline function addHalf(acc: v128, v: v128, high: bool): v128 { return f64x2.add(acc, high ? highHalf(v) : lowHalf(v)); }

/**
 * Σ e^(x - max) over n floats, in f64 (a term may be 2^-24 of another and still count, as
 * log_softmax's largest outputs need); each e^(x - max) is also stored to dst unless dst is 0.
 * Four vectors per step, so that their exps overlap, into four f64 pairs.
 */
function expSumF32(dst: usize, src: usize, n: i32, max: f32): f64 {
  const s = f32x4.splat(max);
  let lo = splat64(0), hi = splat64(0), lo2 = lo, hi2 = lo;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const e0 = expStep(dst, src, i, 0, s), e1 = expStep(dst, src, i, 16, s);
    const e2 = expStep(dst, src, i, 32, s), e3 = expStep(dst, src, i, 48, s);
    lo = addHalf(addHalf(lo, e0, false), e1, false); hi = addHalf(addHalf(hi, e0, true), e1, true);
    lo2 = addHalf(addHalf(lo2, e2, false), e3, false); hi2 = addHalf(addHalf(hi2, e2, true), e3, true);
  }
  for (; i < n; i += 4) {
    // padding with -inf adds e^-inf = 0 (or NaN where the whole row is NaN anyway)
    const full = i + 4 <= n;
    const e = expOfDifference(full ? v128.load(at(src, i)) : loadTail(at(src, i), n - i, -Infinity), s);
    if (dst) { if (full) v128.store(at(dst, i), e); else storeTail(at(dst, i), e, n - i); }
    lo = addHalf(lo, e, false);
    hi = addHalf(hi, e, true);
  }
  const t = f64x2.add(f64x2.add(lo, hi), f64x2.add(lo2, hi2));
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** x · b for the four floats of x, evaluated in f64 and rounded once. */
@inline function scaled(x: v128, b: v128): v128 { return joinHalves(f64x2.mul(lowHalf(x), b), f64x2.mul(highHalf(x), b)); }

/** dst[i] = src[i] · b, evaluated in f64 and rounded once. */
function scaleF32(dst: usize, src: usize, n: i32, b: f64): void {
  const vb = splat64(b);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = at(src, i), q = at(dst, i);
    const x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
    v128.store(q, scaled(x0, vb)); v128.store(q, scaled(x1, vb), 16);
    v128.store(q, scaled(x2, vb), 32); v128.store(q, scaled(x3, vb), 48);
  }
  for (; i < n; i += 4) {
    const x = i + 4 <= n ? v128.load(at(src, i)) : loadTail(at(src, i), n - i, 0);
    const y = scaled(x, vb);
    if (i + 4 <= n) v128.store(at(dst, i), y); else storeTail(at(dst, i), y, n - i);
  }
}

/** dst[i] = (src[i] + a) + c, evaluated in f64 and rounded once. */
function shiftF32(dst: usize, src: usize, n: i32, a: f64, c: f64): void {
  const va = splat64(a), vc = splat64(c);
  for (let i = 0; i < n; i += 4) {
    const x = i + 4 <= n ? v128.load(at(src, i)) : loadTail(at(src, i), n - i, 0);
    const y = joinHalves(f64x2.add(f64x2.add(lowHalf(x), va), vc), f64x2.add(f64x2.add(highHalf(x), va), vc));
    if (i + 4 <= n) v128.store(at(dst, i), y); else storeTail(at(dst, i), y, n - i);
  }
}

/**
 * softmax of a row of n >= 1 floats into dst (which may be src): e^(x - max) / Σ e^(x - max),
 * as PyTorch (a row holding +inf, or only -inf, is NaN).
 */
export function softmaxF32(dst: usize, src: usize, n: i32): void {
  const sum = expSumF32(dst, src, n, shiftOfRow(src, n));
  scaleF32(dst, dst, n, 1 / sum);
}

/** log_softmax of a row of n >= 1 floats into dst (which may be src): (x - max) - log Σ e^(x - max). */
export function logSoftmaxF32(dst: usize, src: usize, n: i32): void {
  const max = shiftOfRow(src, n);
  shiftF32(dst, src, n, -<f64>max, -Math.log(expSumF32(0, src, n, max)));
}

/**
 * log Σ e^x over a row of n >= 1 floats. A row whose max is not finite sums to it: PyTorch
 * shifts by 0 then, which gives inf for +inf, -inf for only -inf, NaN for NaN.
 */
export function logsumexpF32(src: usize, n: i32): f32 {
  const max = maxF32(src, n);
  if (!isFinite(max)) return max;
  return <f32>(<f64>max + Math.log(expSumF32(0, src, n, max)));
}

/**
 * The gradient of a softmax row (out = softmax(x), n >= 1 floats) into dst:
 * out · (grad - Σ grad·out), rounded step by step as the composed mul, sum, sub and mul kernels.
 */
export function softmaxBackwardF32(dst: usize, grad: usize, out: usize, n: i32): void {
  const s = f32x4.splat(<f32>sumTermsF32<Product>(grad, out, n));
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.mul(f32x4.sub(v128.load(at(grad, i)), s), v128.load(at(out, i))));
  if (i < n) storeTail(at(dst, i), f32x4.mul(f32x4.sub(loadTail(at(grad, i), n - i, 0), s), loadTail(at(out, i), n - i, 0)), n - i);
}

/**
 * The gradient of a log_softmax row (out = log_softmax(x)) into dst: grad - e^out · Σ grad,
 * rounded step by step as the composed exp, sum, mul and sub kernels.
 */
export function logSoftmaxBackwardF32(dst: usize, grad: usize, out: usize, n: i32): void {
  const s = f32x4.splat(<f32>sumF32(grad, n));
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.sub(v128.load(at(grad, i)), f32x4.mul(exp(v128.load(at(out, i))), s)));
  if (i < n) storeTail(at(dst, i), f32x4.sub(loadTail(at(grad, i), n - i, 0), f32x4.mul(exp(loadTail(at(out, i), n - i, 0)), s)), n - i);
}
