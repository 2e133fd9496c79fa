// Float32 transcendental functions, four lanes at a time (f32x4 in, f32x4 out), accurate to
// a few ulp over the whole float32 range with IEEE special values: NaN propagates, ±inf and
// ±0 map to the limits, results overflow to inf and underflow through the subnormals to 0.
// Where a lane's value is a limit of the formula PyTorch evaluates (silu, gelu, mish at -inf)
// the result is PyTorch's (NaN), so that wiring these in changes no special value.
//
// Structure: exp and log reduce their argument (Cody–Waite with a split ln 2, exponent
// extraction) to a small interval where a minimax polynomial takes over; the others are built
// from them. Polynomial coefficients were fitted for these exact forms by assembly/simd/fit.py
// (minimax relative error; its output states each fit's error). WebAssembly has no fused
// multiply-add, so forms are chosen to keep rounding errors where they are small. Where the
// float32 argument of an exponential is ill-conditioned (erfc's e^(-z²), gelu-tanh's cubic) the
// work is done in f64x2 lanes and rounded once at the end.
//
// Every function evaluates all of its branches and selects per lane: no data-dependent control
// flow, so a vector costs the same whatever it holds.

import {
  horner4, horner8, joinHalves, highHalf, lowHalf, mulAdd, mulAdd64, select, signMask, signOf, splat, splat64,
} from "./lanes";

const INF: f32 = Infinity;
const LOG2E: f32 = 1.44269504;
// ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so k · LN2_HI is exact for |k| < 2^15
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const TWO_M64: f32 = 5.42101086e-20;
const TWO_64: f64 = 18446744073709551616.0;
const ROUND_SHIFT_64: f64 = 6755399441055744.0;

// ---- exp ------------------------------------------------------------------------------------

/** x clamped to [lo, hi]; NaN stays NaN (pmin and pmax return their first operand then, in one instruction). */
@inline function clamp(x: v128, lo: f32, hi: f32): v128 { return f32x4.pmax(f32x4.pmin(x, splat(hi)), splat(lo)); }

// Adding 1.5 · 2^23 rounds a float of magnitude below 2^22 to an integer (to nearest even) and
// leaves that integer in the low bits: one add instead of nearest + trunc_sat.
const ROUND_SHIFT: f32 = 12582912.0;
const ROUND_SHIFT_BITS = 0x4b400000;

/** round(x / ln2) + ROUND_SHIFT: subtract ROUND_SHIFT for the float, ROUND_SHIFT_BITS from its bits for the integer. */
@inline function shiftedMultipleOfLn2(x: v128): v128 { return mulAdd(x, splat(LOG2E), ROUND_SHIFT); }

/** x - kf · ln2 (+ lo), with ln2 in two parts: x - kf·LN2_HI is exact (Sterbenz), lo joins before the small term. */
@inline function reduceByLn2(x: v128, kf: v128, lo: v128): v128 {
  return f32x4.sub(f32x4.add(f32x4.sub(x, f32x4.mul(kf, splat(LN2_HI))), lo), f32x4.mul(kf, splat(LN2_LO)));
}

/** p · 2^k (k an i32x4) in two factors, so that results in the subnormal range round only once. */
@inline function scaleByPowerOfTwo(p: v128, k: v128): v128 {
  const k1 = i32x4.shr_s(k, 1);
  const k2 = i32x4.sub(k, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * e^(hi + lo) · 2^bias, with lo a correction below hi's last bit (the rounding error of a
 * difference, say). A bias of 64 keeps tiny results normal for callers that multiply them
 * further and scale back by 2^-64 at the end, rounding once.
 */
@inline function expBiased(hi: v128, lo: v128, bias: i32): v128 {
  // beyond these bounds e^x · 2^bias is 0 or inf in float32, and k + bias stays within the two
  // factors of scaleByPowerOfTwo
  const x = clamp(hi, <f32>(-104.0 - <f64>bias * Math.LN2), <f32>(89.0 - <f64>bias * Math.LN2));
  const t = shiftedMultipleOfLn2(x);
  const r = reduceByLn2(x, f32x4.sub(t, splat(ROUND_SHIFT)), lo);
  // e^r = 1 + r + r² P(r), |r| <= ln2/2; the 1 is added last so that r's bits survive
  const p = f32x4.add(splat(1), f32x4.add(r, f32x4.mul(f32x4.mul(r, r),
    horner4(r, 0.4999999403953552, 0.1666651964187622, 0.041668400168418884, 0.00836885068565607, 0.0013814320554956794))));
  return scaleByPowerOfTwo(p, i32x4.sub(t, i32x4.splat(ROUND_SHIFT_BITS - bias)));
}

@inline function expScaled(x: v128, bias: i32): v128 { return expBiased(x, f32x4.splat(0), bias); }

/**
 * e^(x + lo) · 2^64 for x <= 0 (or NaN), lo a correction below x's last bit (if `hasLo`): normal down to
 * e^-104 (below which a float32 e^x is 0), so one scaling factor suffices and the caller rounds
 * once when it scales back by 2^-64.
 */
@inline function expOfNonPositiveTimes2To64(x: v128, lo: v128, hasLo: bool): v128 {
  const xc = f32x4.pmax(x, splat(-104));
  const t = shiftedMultipleOfLn2(xc);
  const kf = f32x4.sub(t, splat(ROUND_SHIFT));
  // without a correction, skip adding a zero (which no optimizer may drop: -0 + 0 is +0)
  const r = hasLo ? reduceByLn2(xc, kf, lo) : f32x4.sub(f32x4.sub(xc, f32x4.mul(kf, splat(LN2_HI))), f32x4.mul(kf, splat(LN2_LO)));
  const p = f32x4.add(splat(1), f32x4.add(r, f32x4.mul(f32x4.mul(r, r),
    horner4(r, 0.4999999403953552, 0.1666651964187622, 0.041668400168418884, 0.00836885068565607, 0.0013814320554956794))));
  // t's low bits hold k: (k + 64 + 127) << 23 is the float 2^(k + 64), with k + 64 >= -86
  return f32x4.mul(p, i32x4.shl(i32x4.sub(t, i32x4.splat(ROUND_SHIFT_BITS - 64 - 127)), 23));
}

/** e^x. */
@inline export function exp(x: v128): v128 { return expScaled(x, 0); }

/** e^(a - b) for a <= b (or NaN), with the difference taken exactly (two-sum), as softmax needs when |a - b| is large. */
@inline export function expOfDifference(a: v128, b: v128): v128 {
  const d = f32x4.sub(a, b);
  const t = f32x4.sub(d, a);
  const err = f32x4.sub(f32x4.sub(a, f32x4.sub(d, t)), f32x4.add(b, t));
  // err is NaN only where d is -inf, which the exp clamps to -104 (a NaN d stays NaN):
  // pmax(-1, err) is -1 < err ? err : -1, so it maps that NaN to -1 (keeping e^d at 0) in one step
  const lo = f32x4.pmax(splat(-1), err);
  return f32x4.mul(expOfNonPositiveTimes2To64(d, lo, true), splat(TWO_M64));
}

/** e^x - 1, accurate near 0. */
@inline export function expm1(x: v128): v128 {
  // below -30 the result is -1; above, k <= 128 overflows to inf through the scaled path
  const xc = clamp(x, -30, 89);
  const t = shiftedMultipleOfLn2(xc);
  const r = reduceByLn2(xc, f32x4.sub(t, splat(ROUND_SHIFT)), f32x4.splat(0));
  // e^r - 1 = r + r²/2 + r³ P(r)
  const q = f32x4.add(r, f32x4.mul(f32x4.mul(r, r), mulAdd(r,
    horner4(r, 0.1666666567325592, 0.041666481643915176, 0.008333420380949974, 0.0013933421578258276, 0.00019824061018880457), 0.5)));
  // e^x - 1 = 2^k q + (2^k - 1): 2^k - 1 is exact while k >= -24, and its rounding is
  // negligible beyond; k > 100 needs two scaling factors (2^128 is not a float)
  const k = i32x4.sub(t, i32x4.splat(ROUND_SHIFT_BITS));
  const two = i32x4.shl(i32x4.add(i32x4.min_s(k, i32x4.splat(127)), i32x4.splat(127)), 23);
  const moderate = f32x4.add(f32x4.mul(two, q), f32x4.sub(two, splat(1)));
  const huge = f32x4.sub(scaleByPowerOfTwo(f32x4.add(q, splat(1)), k), splat(1));
  const y = select(i32x4.gt_s(k, i32x4.splat(100)), huge, moderate);
  return select(f32x4.eq(x, f32x4.splat(0)), x, y); // keeps -0
}

// ---- log ------------------------------------------------------------------------------------

/** log(1 + f) + e · ln2 + c, for f in [sqrt(1/2) - 1, sqrt(2) - 1] and c a small correction. */
@inline function logReduced(f: v128, ef: v128, c: v128): v128 {
  // log(1 + f) = f - f²/2 + f³ P(f); the small terms are summed first, e · ln2 joins in two
  // parts with the large one last
  const f2 = f32x4.mul(f, f);
  const p = horner8(f, 0.3333331346511841, -0.25000008940696716, 0.20002134144306183, -0.16668006777763367,
    0.14219224452972412, -0.12405135482549667, 0.11890323460102081, -0.11679653823375702, 0.06746599078178406);
  let y = f32x4.mul(f32x4.mul(f, f2), p);
  y = f32x4.add(y, f32x4.add(f32x4.mul(ef, splat(LN2_LO)), c));
  y = f32x4.sub(y, f32x4.mul(f2, splat(0.5)));
  return f32x4.add(f32x4.add(f, y), f32x4.mul(ef, splat(LN2_HI)));
}

/** The mantissa part m - 1 of x = 2^e · m, m in [sqrt(1/2), sqrt(2)), for finite x > 0 (subnormals included). */
@inline function mantissaPart(x: v128): v128 {
  const xs = select(isSubnormal(x), f32x4.mul(x, splat(8388608.0)), x);
  const t = i32x4.sub(xs, i32x4.splat(0x3f3504f3));
  return f32x4.sub(i32x4.sub(xs, v128.and(t, i32x4.splat(<i32>0xff800000))), splat(1)); // exact
}

/** The exponent e of x = 2^e · m (as mantissaPart), as floats. */
@inline function exponentPart(x: v128): v128 {
  const tiny = isSubnormal(x);
  const t = i32x4.sub(select(tiny, f32x4.mul(x, splat(8388608.0)), x), i32x4.splat(0x3f3504f3));
  return f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_s(t, 23), v128.and(tiny, i32x4.splat(23))));
}

@inline function isSubnormal(x: v128): v128 { return f32x4.lt(x, splat(1.17549435e-38)); }

/** `y` where u > 0 is finite; log's limits elsewhere: log 0 = -inf, log(<0) = NaN, log inf = inf, NaN stays. */
@inline function logLimits(u: v128, y: v128): v128 {
  const finitePositive = v128.and(f32x4.gt(u, f32x4.splat(0)), f32x4.lt(u, splat(INF)));
  const limit = select(f32x4.eq(u, f32x4.splat(0)), splat(-INF), select(f32x4.lt(u, f32x4.splat(0)), splat(<f32>NaN), u));
  return select(finitePositive, y, limit);
}

/** Natural logarithm. */
@inline export function log(x: v128): v128 {
  return logLimits(x, logReduced(mantissaPart(x), exponentPart(x), f32x4.splat(0)));
}

/** log(1 + x), accurate near 0. */
@inline export function log1p(x: v128): v128 {
  const u = f32x4.add(splat(1), x);
  // log(1 + x) = log(u) + (x - (u - 1)) / u to first order: the correction restores the bits
  // of x that rounding 1 + x dropped. Where u reduces to e = 0, x itself is the reduced
  // argument and nothing was lost.
  const near = v128.and(f32x4.gt(x, splat(-0.29289323)), f32x4.lt(x, splat(0.41421354)));
  const c = f32x4.div(f32x4.sub(x, f32x4.sub(u, splat(1))), u);
  const y = logReduced(select(near, x, mantissaPart(u)), v128.andnot(exponentPart(u), near), v128.andnot(c, near));
  return select(f32x4.eq(x, f32x4.splat(0)), x, logLimits(u, y)); // keeps -0
}

// ---- tanh, sigmoid and the activations built on them -----------------------------------------

/** Hyperbolic tangent; saturates to ±1 without overflow. */
@inline export function tanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  // |x| < 0.625: tanh x = x + x³ P(x²)
  const z = f32x4.mul(x, x);
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, z),
    horner4(z, -0.3333328068256378, 0.13331440091133118, -0.0537395253777504, 0.02063843421638012, -0.005704226903617382)));
  // otherwise tanh |x| = 1 - 2 / (e^(2|x|) + 1), which is >= 0.55 so the difference is benign
  const e = expScaled(f32x4.add(ax, ax), 0);
  const large = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1))));
  // tanh has x's sign (x + x³ P alone would turn -0 into +0)
  return v128.or(select(f32x4.lt(ax, splat(0.625)), small, large), signOf(x));
}

/**
 * num / (1 + z) for 0 <= z <= 1 without the rounding error of 1 + z: with 1 + z = d + dLo
 * exactly, num / (1 + z) = q (1 - dLo / d) to first order, q = num / d. The correction is below
 * half an ulp of q, so 1 / d may come from the chord 1.5 - d/2 (within 12.5%). num may be
 * infinite or a signed zero.
 */
@inline function divideByOnePlus(num: v128, z: v128): v128 {
  const d = f32x4.add(splat(1), z);
  const dLo = f32x4.sub(z, f32x4.sub(d, splat(1)));
  const q = f32x4.div(num, d);
  // pmin keeps an infinite q (then dLo = 0) from making inf · 0; the correction never changes
  // q's sign, which is restored for q = -0 (-0 - -0 is +0)
  const correction = f32x4.mul(f32x4.mul(f32x4.pmin(q, splat(F32.MAX_VALUE)), dLo), mulAdd(d, splat(-0.5), 1.5));
  return v128.or(f32x4.sub(q, correction), signOf(q));
}

/**
 * 1 / (1 + e^-x), as e^x / (1 + e^x) for x < 0 so that no lane loses precision to 1 - tiny.
 * The rounding of 1 + e^-|x| is left in (PyTorch's kernel has it too: sigmoid(17) is 1 there and
 * here); correcting it (divideByOnePlus) costs a quarter of the time for under half an ulp.
 */
@inline export function sigmoid(x: v128): v128 {
  // numerator and denominator in units of 2^-64, so that a subnormal result (x < -87) rounds
  // once, in the division
  const zs = expOfNonPositiveTimes2To64(v128.or(x, signMask()), f32x4.splat(0), false); // -|x|
  const num = select(f32x4.ge(x, f32x4.splat(0)), splat(<f32>TWO_64), zs);
  return f32x4.div(num, f32x4.add(splat(<f32>TWO_64), zs));
}

/** x · sigmoid(x). silu(-inf) is NaN, as PyTorch's x / (1 + e^-x). */
@inline export function silu(x: v128): v128 {
  // for x < 0: x e^x / (1 + e^x) with e^x kept 2^64 larger, so that a subnormal result rounds once
  const negative = f32x4.lt(x, f32x4.splat(0));
  const zs = expScaled(f32x4.neg(f32x4.abs(x)), 64);
  const q = divideByOnePlus(select(negative, f32x4.mul(x, zs), x), f32x4.mul(zs, splat(TWO_M64)));
  return select(negative, f32x4.mul(q, splat(TWO_M64)), q);
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (PyTorch's beta and threshold are the caller's). */
@inline export function softplus(x: v128): v128 {
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), log1p(expScaled(f32x4.neg(f32x4.abs(x)), 0)));
}

/** x · tanh(softplus(x)) for f64x2 lanes, given zs = e^-|x| · 2^64 (exact in f64 once scaled back). */
@inline function mish64(x: v128, zs: v128): v128 {
  // tanh(log(1 + e^x)) = n / (n + 2) with n = e^x (e^x + 2); in z = e^-|x|:
  //   x >= 0: (1 + 2z) / (1 + 2z + 2z²)     x < 0: z (z + 2) / (z (z + 2) + 2)
  const z = f64x2.mul(zs, splat64(<f64>TWO_M64));
  const a = mulAdd64(z, splat64(2), 1);
  const positive = f64x2.div(a, f64x2.add(a, f64x2.mul(f64x2.add(z, z), z)));
  const n = f64x2.mul(z, f64x2.add(z, splat64(2)));
  const negative = f64x2.div(n, f64x2.add(n, splat64(2)));
  return f64x2.mul(x, select(f64x2.lt(x, splat64(0)), negative, positive));
}

/** x · tanh(softplus(x)), finished in f64 lanes. mish(-inf) is NaN, as PyTorch's. */
@inline export function mish(x: v128): v128 {
  const zs = expScaled(f32x4.neg(f32x4.abs(x)), 64);
  return joinHalves(mish64(lowHalf(x), lowHalf(zs)), mish64(highHalf(x), highHalf(zs)));
}

// ---- erf, gelu: erfc in f64 lanes ---------------------------------------------------------------

/** e^a for f64x2 lanes, to ~1e-15: 0 below -708, inf above 709 (good enough for float32 results). */
@inline function exp64(a: v128): v128 {
  const x = f64x2.pmax(f64x2.pmin(a, splat64(709)), splat64(-708));
  // round(x / ln2) by the shift trick (1.5 · 2^52); ln2 in two parts, kf · hi exact
  const t = mulAdd64(x, splat64(Math.LOG2E), ROUND_SHIFT_64);
  const kf = f64x2.sub(t, splat64(ROUND_SHIFT_64));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(kf, splat64(0.6931471803691238))), f64x2.mul(kf, splat64(1.9082149292705877e-10)));
  // |r| <= ln2/2: the degree-8 Taylor polynomial is good to 2e-10 relative, far below float32's ulp
  let p = splat64(1.0 / 40320);
  p = mulAdd64(p, r, 1.0 / 5040); p = mulAdd64(p, r, 1.0 / 720); p = mulAdd64(p, r, 1.0 / 120);
  p = mulAdd64(p, r, 1.0 / 24); p = mulAdd64(p, r, 1.0 / 6); p = mulAdd64(p, r, 0.5);
  p = mulAdd64(p, r, 1); p = mulAdd64(p, r, 1);
  // t's bits are ROUND_SHIFT_64's plus k, and ROUND_SHIFT_64's low 12 bits are 0: (t + 1023) << 52 = 2^k
  const y = f64x2.mul(p, i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52));
  return select(f64x2.lt(a, splat64(-708)), splat64(0), select(f64x2.gt(a, splat64(709)), splat64(INF), y));
}

/** erfc(z) for f64x2 lanes with z >= 0.5 and z2 = z² exactly. */
@inline function erfc64(z: v128, z2: v128): v128 {
  // erfc(z) = e^(-z²) P(z) / Q(z); beyond z = 10.5, e^(-z²) makes any float32 result 0
  const zc = f64x2.pmin(z, splat64(10.5));
  let p = splat64(0.044191864091991856);
  p = mulAdd64(p, zc, 0.2755007090831152); p = mulAdd64(p, zc, 0.8220877172446531);
  p = mulAdd64(p, zc, 1.3175116422287203); p = mulAdd64(p, zc, 1.0000105277907305);
  let q = splat64(0.07832777881073227);
  q = mulAdd64(q, zc, 0.4883234692610563); q = mulAdd64(q, zc, 1.4960679831845327);
  q = mulAdd64(q, zc, 2.581641498357628); q = mulAdd64(q, zc, 2.4459931945479507); q = mulAdd64(q, zc, 1);
  return f64x2.mul(f64x2.div(p, q), exp64(f64x2.neg(z2)));
}

/** erf(|x|) for f64x2 lanes with |x| >= 0.5 (x² is exact in f64). */
@inline function erfLarge64(ax: v128): v128 { return f64x2.sub(splat64(1), erfc64(ax, f64x2.mul(ax, ax))); }

/** The error function. */
@inline export function erf(x: v128): v128 {
  const ax = f32x4.abs(x);
  // |x| < 0.5: erf x = x + x P(x²)
  const small = f32x4.add(x, f32x4.mul(x, horner4(f32x4.mul(x, x),
    0.12837916612625122, -0.37612608075141907, 0.11282821744680405, -0.026757104322314262, 0.004717804491519928)));
  const large = joinHalves(erfLarge64(lowHalf(ax)), erfLarge64(highHalf(ax)));
  return select(f32x4.lt(ax, splat(0.5)), small, v128.or(large, signOf(x)));
}

/** x Φ(x) for f64x2 lanes with |x| >= sqrt(1/2): Φ(-|x|) = erfc(|x| / sqrt2) / 2 without cancellation. */
@inline function geluLarge64(x: v128): v128 {
  const tail = f64x2.mul(splat64(0.5), erfc64(f64x2.mul(f64x2.abs(x), splat64(Math.SQRT1_2)), f64x2.mul(splat64(0.5), f64x2.mul(x, x))));
  return f64x2.mul(x, select(f64x2.lt(x, splat64(0)), tail, f64x2.sub(splat64(1), tail)));
}

/** gelu(x) = x/2 · (1 + erf(x / sqrt2)), exactly (PyTorch's approximate='none'). gelu(-inf) is NaN, as PyTorch's. */
@inline export function gelu(x: v128): v128 {
  // |x| < sqrt(1/2): gelu x = x/2 + x² P(x²)
  const x2 = f32x4.mul(x, x);
  const small = f32x4.add(f32x4.mul(x, splat(0.5)), f32x4.mul(x2,
    horner4(x2, 0.3989422619342804, -0.06649024039506912, 0.009972112253308296, -0.0011809663847088814, 0.00010289476631442085)));
  const large = joinHalves(geluLarge64(lowHalf(x)), geluLarge64(highHalf(x)));
  // gelu has x's sign (x/2 + x² P alone would turn -0 into +0)
  return v128.or(select(f32x4.lt(f32x4.abs(x), splat(0.70710677)), small, large), signOf(x));
}

/** x / (1 + e^(-2u)), u = sqrt(2/pi) (x + 0.044715 x³), for f64x2 lanes. */
@inline function geluTanh64(x: v128): v128 {
  // 0.5 x (1 + tanh u) = x σ(2u): no cancellation for x < 0, and 2u is exact enough in f64
  // (its float32 rounding would be amplified by |2u| in e^(2u))
  const k1 = 2 * 0.7978845608028654, k3 = k1 * 0.044715;
  const twoU = f64x2.mul(x, mulAdd64(f64x2.mul(x, x), splat64(k3), k1));
  return f64x2.div(x, f64x2.add(splat64(1), exp64(f64x2.neg(twoU))));
}

/** PyTorch's gelu(approximate='tanh'); -inf gives NaN, as PyTorch's. */
@inline export function geluTanh(x: v128): v128 { return joinHalves(geluTanh64(lowHalf(x)), geluTanh64(highHalf(x))); }
