// Small f32x4 / f64x2 helpers shared by the SIMD math and row kernels (all inlined).

@inline export function splat(c: f32): v128 { return f32x4.splat(c); }
@inline export function splat64(c: f64): v128 { return f64x2.splat(c); }
/** a · b + c, rounded twice (there is no fused multiply-add without relaxed SIMD). */
@inline export function mulAdd(a: v128, b: v128, c: f32): v128 { return f32x4.add(f32x4.mul(a, b), splat(c)); }
/** Whether this is the relaxed-SIMD build (asconfig.json target "relaxed", dist/tapegrad.relaxed.wasm). */
export const RELAXED_SIMD: bool = ASC_FEATURE_RELAXED_SIMD;
/**
 * a · b + c: one fused multiply-add in the relaxed-SIMD build (dist/tapegrad.relaxed.wasm;
 * rounded once where the CPU has FMA, twice where it has not), a multiply and an add otherwise.
 * Only for sums whose rounding order is free (matmul): the math keeps `mulAdd`'s two roundings.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
@inline export function mulAdd64(a: v128, b: v128, c: f64): v128 { return f64x2.add(f64x2.mul(a, b), splat64(c)); }
/** mask ? a : b, per lane. */
@inline export function select(mask: v128, a: v128, b: v128): v128 { return v128.bitselect(a, b, mask); }
@inline export function signMask(): v128 { return i32x4.splat(0x80000000); }
@inline export function signOf(x: v128): v128 { return v128.and(x, signMask()); }

@inline export function horner4(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32): v128 {
  return mulAdd(mulAdd(mulAdd(mulAdd(splat(c4), x, c3), x, c2), x, c1), x, c0);
}
@inline export function horner8(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32, c7: f32, c8: f32): v128 {
  return mulAdd(mulAdd(mulAdd(mulAdd(horner4(x, c4, c5, c6, c7, c8), x, c3), x, c2), x, c1), x, c0);
}

// f32x4 <-> two f64x2 halves (lanes 0-1 and 2-3)
@inline export function lowHalf(x: v128): v128 { return f64x2.promote_low_f32x4(x); }
@inline export function highHalf(x: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3)); }
@inline export function joinHalves(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

