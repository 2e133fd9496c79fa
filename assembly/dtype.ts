// Dtype codes shared with bindings/tensor/dtype.ts.
export const F32: i32 = 0;
export const F64: i32 = 1;
export const I32: i32 = 2;
export const I64: i32 = 3;
export const BOOL: i32 = 4; // stored as one byte, 0 or 1
export const U8: i32 = 5;
export const F16: i32 = 6; // storage formats only: converted on copy
export const BF16: i32 = 7;

/** Half-precision bits to f32, exactly (subnormals, infinities and NaN included). */
export function halfToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return reinterpret<f32>(sign);
    // subnormal: value = mant * 2^-24
    const v = <f32>mant * reinterpret<f32>(0x33800000);
    return sign ? -v : v;
  }
  return reinterpret<f32>(sign | ((exp + 112) << 23) | (mant << 13));
}

/** f32 to half bits, round to nearest even. */
export function f32ToHalf(f: f32): u32 {
  const x = reinterpret<u32>(f);
  const sign = (x >> 16) & 0x8000;
  const exp = <i32>((x >> 23) & 0xff);
  let mant = x & 0x7fffff;
  if (exp == 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = <u32>(14 - e);
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = <u32>1 << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return sign | h;
  }
  let h = (<u32>e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function bf16ToF32(h: u32): f32 { return reinterpret<f32>(h << 16); }

export function f32ToBf16(f: f32): u32 {
  const x = reinterpret<u32>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return (x >> 16) | 0x40; // quiet NaN
  return (x + 0x7fff + ((x >> 16) & 1)) >> 16;
}
