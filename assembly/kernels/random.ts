// PyTorch's CPU random number generator (mt19937, torch.manual_seed) and the transforms its
// CPU kernels apply, reproduced operation by operation so that the same seed yields the same
// numbers. Sources: aten/src/ATen/core/MT19937RNGEngine.h, CPUGeneratorImpl.cpp,
// core/DistributionsHelper.h, core/TransformationHelper.h, native/cpu/DistributionTemplates.h,
// native/cpu/avx_mathfun.h, native/cpu/MultinomialKernel.cpp, native/TensorFactories.cpp.
//
// Bit for bit: the mt19937 stream and the state bytes; rand/uniform_ on float32 (PyTorch's
// compiled kernel fuses x * (to - from) + from, reproduced with an exact fmaf); random_/randint;
// randperm; bernoulli_; multinomial's choices; and randn/normal_ on contiguous float32 tensors of
// 16 or more elements (PyTorch's AVX2 normal_fill: avx_mathfun's log/sincos polynomials with the
// multiply-adds GCC fuses, emulated lane by lane in float32 with that exact fmaf).
// To rounding: whatever goes through libm in double, i.e. randn/normal_ on fewer than 16
// elements or non-contiguous tensors (normal_distribution<double>), normal_ on float64, and
// exponential_: AssemblyScript's Math is musl's, PyTorch's glibc's, both within an ulp, so
// float32 results agree unless the double lies on a float32 rounding boundary (not seen in
// the tests); float64 results may differ in the last bit. uniform_ on float64 with bounds other
// than [0, 1) uses a faithful (not always correctly rounded) fma in double.
// Builds of PyTorch with MKL on x86 draw bernoulli_(p: float) and exponential_ (hence also
// multinomial without replacement) from MKL's own stream; these follow the builds without MKL
// (the CPU generator, as on ARM and in Debian's PyTorch).
import { F32, F64, I32, I64, BOOL } from "../dtype";
import { forEachRow1, forEachRow2 } from "../iterate";

// ---- the generator block: PyTorch's CPUGeneratorImplState, byte for byte (5056 bytes) ----
// getState()/setState() copy this block, so states round-trip with torch.get_rng_state().
const SEED = 0; // u64 the_initial_seed
const LEFT = 8; // i32 left
const SEEDED = 12; // i32 seeded
const NEXT = 16; // u64 next
const STATE = 24; // u64 state[624], low 32 bits used
const NORMAL_Y = 5024; // f64: the cached second sample of normal_distribution<double>
const NORMAL_VALID = 5040; // i32
const FLOAT_NORMAL = 5048; // f32: the float cache (no CPU kernel fills it; kept for the layout)
const FLOAT_VALID = 5052; // u8
export const GENERATOR_BYTES: i32 = 5056;

const N = 624;
const M = 397;
const MATRIX_A: u32 = 0x9908b0df;

/** torch.manual_seed: PyTorch's init_with_uint32 (only the low 32 bits seed the state). */
export function generatorSeed(gen: usize, seedLo: u32, seedHi: u32): void {
  memory.fill(gen, 0, GENERATOR_BYTES);
  store<u64>(gen + SEED, (<u64>seedHi << 32) | <u64>seedLo);
  store<i32>(gen + SEEDED, 1);
  let s = seedLo;
  store<u32>(gen + STATE, s);
  for (let j: u32 = 1; j < <u32>N; j++) {
    s = 1812433253 * (s ^ (s >> 30)) + j;
    store<u32>(gen + STATE + (<usize>j << 3), s);
  }
  store<i32>(gen + LEFT, 1);
}

/**
 * CPUGeneratorImpl::set_state from a 5056-byte block at `src`: 0 on success, 1 when
 * PyTorch's engine.is_valid() rejects it. Fields are narrowed as PyTorch narrows them.
 */
export function generatorSetState(gen: usize, src: usize): i32 {
  const left = load<i32>(src + LEFT);
  const next = <u32>load<u64>(src + NEXT);
  if (load<i32>(src + SEEDED) == 0 || left < 1 || left > N || next > <u32>N) return 1;
  memory.fill(gen, 0, GENERATOR_BYTES);
  store<u64>(gen + SEED, load<u64>(src + SEED));
  store<i32>(gen + LEFT, left);
  store<i32>(gen + SEEDED, 1);
  store<u64>(gen + NEXT, next);
  for (let j = 0; j < N; j++) store<u32>(gen + STATE + (<usize>j << 3), load<u32>(src + STATE + (<usize>j << 3)));
  if (load<i32>(src + NORMAL_VALID) != 0) {
    store<f64>(gen + NORMAL_Y, load<f64>(src + NORMAL_Y));
    store<i32>(gen + NORMAL_VALID, 1);
  }
  if (load<u8>(src + FLOAT_VALID) != 0) {
    store<f32>(gen + FLOAT_NORMAL, load<f32>(src + FLOAT_NORMAL));
    store<u8>(gen + FLOAT_VALID, 1);
  }
  return 0;
}

// ---- the engine: one kernel call works on one generator, its position held in globals ----

let gen: usize = 0;
let left: i32 = 0;
let next: u32 = 0;

function begin(g: usize): void {
  gen = g;
  left = load<i32>(g + LEFT);
  next = <u32>load<u64>(g + NEXT);
}

function end(): void {
  store<i32>(gen + LEFT, left);
  store<u64>(gen + NEXT, next);
}

@inline function word(i: i32): u32 { return load<u32>(gen + STATE + (<usize>i << 3)); }
@inline function setWord(i: i32, v: u32): void { store<u32>(gen + STATE + (<usize>i << 3), v); }
@inline function twist(u: u32, v: u32): u32 {
  return (((u & 0x80000000) | (v & 0x7fffffff)) >> 1) ^ (v & 1 ? MATRIX_A : 0);
}

function nextState(): void {
  left = N;
  next = 0;
  let i = 0;
  for (; i < N - M; i++) setWord(i, word(i + M) ^ twist(word(i), word(i + 1)));
  for (; i < N - 1; i++) setWord(i, word(i + M - N) ^ twist(word(i), word(i + 1)));
  setWord(N - 1, word(M - 1) ^ twist(word(N - 1), word(0)));
}

/** CPUGeneratorImpl::random(). */
function random32(): u32 {
  if (--left == 0) nextState();
  let y = word(<i32>next);
  next++;
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >> 18;
  return y;
}

/** CPUGeneratorImpl::random64(): the first draw is the high word. */
function random64(): u64 {
  const hi = <u64>random32();
  return (hi << 32) | <u64>random32();
}

// ---- exact arithmetic of the compiled PyTorch kernels ----

/**
 * fmaf: a*b is exact in f64; the sum is rounded to odd (TwoSum's error decides the last bit)
 * so that the final rounding to f32 is the single rounding of a fused multiply-add.
 */
@inline function fma32(a: f32, b: f32, c: f32): f32 {
  const p = <f64>a * <f64>b;
  const s = p + <f64>c;
  const bb = s - p;
  const err = (p - (s - bb)) + (<f64>c - bb);
  let bits = reinterpret<u64>(s);
  if (err != 0 && (bits & 1) == 0) bits += (err > 0) == (s > 0) ? 1 : -1;
  return <f32>reinterpret<f64>(bits);
}

/** fma for f64: Dekker's product and TwoSum (faithful; the last bit may differ on ties). */
function fma64(a: f64, b: f64, c: f64): f64 {
  const p = a * b;
  const SPLIT: f64 = 134217729.0; // 2^27 + 1
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  const ep = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  const s = p + c;
  const bb = s - p;
  const es = (p - (s - bb)) + (c - bb);
  return s + (ep + es);
}

// ---- PyTorch's distributions (DistributionsHelper.h / TransformationHelper.h) ----

const TWO_POW_M24: f32 = 5.9604644775390625e-8;
const TWO_POW_M53: f64 = 1.1102230246251565404236316680908203125e-16;

/** uniform_real_distribution<float>: 24 random bits, then x * (to - from) + from (fused). */
@inline function uniformF32(from: f32, to: f32): f32 {
  const x = <f32>(random32() & 0xffffff) * TWO_POW_M24;
  return fma32(x, to - from, from);
}

/** uniform_real_distribution<double>: 53 random bits of random64(). */
@inline function uniformF64(from: f64, to: f64): f64 {
  const x = <f64>(random64() & 0x1fffffffffffff) * TWO_POW_M53;
  return fma64(x, to - from, from);
}

/** normal_distribution<double>: Box-Muller, the second sample cached in the generator. */
function normalF64(mean: f64, std: f64): f64 {
  if (load<i32>(gen + NORMAL_VALID) != 0) {
    store<i32>(gen + NORMAL_VALID, 0);
    return fma64(load<f64>(gen + NORMAL_Y), std, mean);
  }
  const u1 = uniformF64(0, 1);
  const u2 = uniformF64(0, 1);
  const r = Math.sqrt(-2.0 * Math.log1p(-u2));
  const theta = 2.0 * Math.PI * u1;
  store<f64>(gen + NORMAL_Y, r * Math.sin(theta));
  store<i32>(gen + NORMAL_VALID, 1);
  return fma64(r * Math.cos(theta), std, mean);
}

/** exponential_distribution<double>: -1/lambda * log1p(-u). */
@inline function exponentialF64(lambda: f64): f64 {
  return (-1.0 / lambda) * Math.log1p(-uniformF64(0, 1));
}

// ---- nullary samplers over a strided box, in the order TensorIterator visits it ----

/**
 * Codes shared with JS (`Sample.Uniform`, ...): uniform_(a=from, b=to), normal_'s serial path
 * (a=mean, b=std), bernoulli_(a=p), exponential_(a=lambda), and random_ as (draw % range) + base,
 * over all 64 bits, or without bounds ([0, 2^digits] for floats, [0, max] for integers).
 */
export enum Sample { Uniform, Normal, Bernoulli, Exponential, RandomFromTo, RandomFull, Random }

let kind: i32 = 0;
let paramA: f64 = 0;
let paramB: f64 = 0;
let range: u64 = 0;
let base: i64 = 0;
let boolOut = false;

@inline function draw<T>(): f64 {
  switch (kind) {
    case Sample.Uniform:
      // the float kernel draws 32 bits and computes in float; the double one draws 64
      return sizeof<T>() == 4 ? <f64>uniformF32(<f32>paramA, <f32>paramB) : uniformF64(paramA, paramB);
    case Sample.Normal: return normalF64(paramA, paramB);
    case Sample.Bernoulli: return uniformF64(0, 1) < paramA ? 1 : 0;
    default: return exponentialF64(paramA);
  }
}

@inline function drawInt<T>(): i64 {
  if (kind == Sample.RandomFromTo) {
    // uniform_int_from_to_distribution: 32 random bits unless the range needs more (the
    // threshold of PyTorch 2.x builds outside fbcode; 1.x switched at 2^32 for 64-bit dtypes)
    const v = range >= (<u64>1 << 28) ? random64() : <u64>random32();
    return <i64>(v % range) + base;
  }
  if (kind == Sample.RandomFull) return <i64>random64();
  // uniform_int_distribution<T>
  if (boolOut) return <i64>(random32() & 1);
  if (isFloat<T>()) {
    return sizeof<T>() == 8
      ? <i64>(random64() % ((<u64>1 << 53) + 1))
      : <i64>(<u64>random32() % ((<u64>1 << 24) + 1));
  }
  if (sizeof<T>() == 8) return <i64>(random64() % (<u64>1 << 63));
  if (sizeof<T>() == 4) return <i64>(<u64>random32() % (<u64>1 << 31));
  return <i64>(random32() % 256);
}

function sampleRow<T>(p: usize, n: i32, s: isize): void {
  const integers = kind >= Sample.RandomFromTo;
  for (let i = 0; i < n; i++) {
    if (!integers) store<T>(p, <T>draw<T>());
    else if (boolOut) store<u8>(p, drawInt<T>() != 0 ? 1 : 0); // an integer cast to bool
    else store<T>(p, <T>drawInt<T>());
    p += s;
  }
}

/** Fills a strided box of `dtype`; `params` holds random_'s range (u64) and base (i64). */
export function sample(k: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, g: usize, a: f64, b: f64, params: usize): void {
  kind = k;
  paramA = a;
  paramB = b;
  if (k == Sample.RandomFromTo) {
    range = load<u64>(params);
    base = load<i64>(params, 8);
  }
  boolOut = dtype == BOOL;
  begin(g);
  switch (dtype) {
    case F32: forEachRow1((p: usize, n: i32, s: isize): void => sampleRow<f32>(p, n, s), ndim, desc, dst); break;
    case F64: forEachRow1((p: usize, n: i32, s: isize): void => sampleRow<f64>(p, n, s), ndim, desc, dst); break;
    case I32: forEachRow1((p: usize, n: i32, s: isize): void => sampleRow<i32>(p, n, s), ndim, desc, dst); break;
    case I64: forEachRow1((p: usize, n: i32, s: isize): void => sampleRow<i64>(p, n, s), ndim, desc, dst); break;
    default: forEachRow1((p: usize, n: i32, s: isize): void => sampleRow<u8>(p, n, s), ndim, desc, dst); break;
  }
  end();
}

// ---- normal_ on a contiguous tensor of 16+ elements: normal_fill ----

// avx_mathfun.h's constants, rounded to float as its _PS256_CONST tables are
const SQRTHF: f32 = 0.707106781186547524;
/** cephes_log_p0..p8, highest degree first */
const LOG_P: StaticArray<f32> = [
  7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
];
const LOG_Q1: f32 = -2.12194440e-4;
const LOG_Q2: f32 = 0.693359375;
const DP1: f32 = -0.78515625;
const DP2: f32 = -2.4187564849853515625e-4;
const DP3: f32 = -3.77489497744594108e-8;
const SIN_P0: f32 = -1.9515295891e-4;
const SIN_P1: f32 = 8.3321608736e-3;
const SIN_P2: f32 = -1.6666654611e-1;
const COS_P0: f32 = 2.443315711809948e-005;
const COS_P1: f32 = -1.388731625493765e-003;
const COS_P2: f32 = 4.166664568298827e-002;
const FOPI: f32 = 1.27323954473516; // 4 / pi
const TWO_PI_F32: f32 = <f32>(2.0 * Math.PI);

/**
 * log256_ps for one lane (x in (0, 1]). GCC fuses `y*x + p` steps, `(y*x)*z + e*q1` and
 * `x + e*q2` into FMAs in PyTorch's AVX2 build; the fusions are reproduced exactly.
 */
function logAvx(v: f32): f32 {
  let x = v < reinterpret<f32>(0x00800000) ? reinterpret<f32>(0x00800000) : v;
  const bits = reinterpret<u32>(x);
  x = reinterpret<f32>((bits & ~0x7f800000) | reinterpret<u32>(<f32>0.5));
  let e = <f32>(<i32>(bits >> 23) - 0x7f) + 1;
  if (x < SQRTHF) {
    e -= 1;
    x = (x - 1) + x; // the masked add of avx_mathfun
  } else {
    x -= 1;
  }
  const z = x * x;
  let y = LOG_P[0];
  for (let i = 1; i < LOG_P.length; i++) y = fma32(y, x, LOG_P[i]);
  y = y * x;
  y = fma32(y, z, e * LOG_Q1);
  y = y - z * 0.5;
  x = x + y;
  return fma32(e, LOG_Q2, x);
}

let sinOut: f32 = 0;
let cosOut: f32 = 0;

/** sincos256_ps for one lane (theta >= 0), with the same fused multiply-adds. */
function sincosAvx(theta: f32): void {
  let x = abs<f32>(theta);
  let j = <i32>(x * FOPI);
  j = (j + 1) & ~1;
  const y = <f32>j;
  const sinSign: u32 = (reinterpret<u32>(theta) & 0x80000000) ^ (<u32>(j & 4) << 29);
  const cosSign: u32 = <u32>(~(j - 2) & 4) << 29;
  x = fma32(y, DP1, x);
  x = fma32(y, DP2, x);
  x = fma32(y, DP3, x);
  const z = x * x;
  let yc = fma32(COS_P0, z, COS_P1);
  yc = fma32(yc, z, COS_P2);
  yc = yc * z;
  yc = fma32(yc, z, -(z * 0.5));
  yc = yc + 1;
  let ys = fma32(SIN_P0, z, SIN_P1);
  ys = fma32(ys, z, SIN_P2);
  ys = ys * z;
  ys = fma32(ys, x, x);
  const swap = (j & 2) != 0;
  sinOut = reinterpret<f32>(reinterpret<u32>(swap ? yc : ys) ^ sinSign);
  cosOut = reinterpret<f32>(reinterpret<u32>(swap ? ys : yc) ^ cosSign);
}

/** normal_fill_16_AVX2: data[j], data[j + 8] <- Box-Muller of the uniforms stored there. */
function fill16F32(p: usize, mean: f32, std: f32): void {
  for (let j = 0; j < 8; j++) {
    const a = p + (<usize>j << 2), b = a + 32;
    const radius = sqrt<f32>(<f32>-2 * logAvx(1 - load<f32>(a)));
    sincosAvx(TWO_PI_F32 * load<f32>(b));
    store<f32>(a, fma32(radius * cosOut, std, mean));
    store<f32>(b, fma32(radius * sinOut, std, mean));
  }
}

/** normal_fill_16<double>: the scalar version with libm. */
function fill16F64(p: usize, mean: f64, std: f64): void {
  for (let j = 0; j < 8; j++) {
    const a = p + (<usize>j << 3), b = a + 64;
    const radius = Math.sqrt(-2 * Math.log(1 - load<f64>(a)));
    const theta = 2.0 * Math.PI * load<f64>(b);
    store<f64>(a, fma64(radius * Math.cos(theta), std, mean));
    store<f64>(b, fma64(radius * Math.sin(theta), std, mean));
  }
}

function fillUniform<T>(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    store<T>(p + <usize>i * sizeof<T>(), sizeof<T>() == 4 ? <T>uniformF32(0, 1) : <T>uniformF64(0, 1));
  }
}

function normalFillTyped<T>(dst: usize, n: i32, mean: f64, std: f64): void {
  fillUniform<T>(dst, n);
  const block = <usize>16 * sizeof<T>();
  for (let i = 0; i + 16 <= n; i += 16) {
    if (sizeof<T>() == 4) fill16F32(dst + <usize>i * 4, <f32>mean, <f32>std);
    else fill16F64(dst + <usize>i * 8, mean, std);
  }
  if (n % 16 != 0) {
    // PyTorch redraws the last 16 values and transforms them again
    const tail = dst + <usize>n * sizeof<T>() - block;
    fillUniform<T>(tail, 16);
    if (sizeof<T>() == 4) fill16F32(tail, <f32>mean, <f32>std);
    else fill16F64(tail, mean, std);
  }
}

/** normal_ on a contiguous float tensor with n >= 16 elements. */
export function normalFill(dtype: i32, dst: usize, n: i32, g: usize, mean: f64, std: f64): void {
  begin(g);
  if (dtype == F32) normalFillTyped<f32>(dst, n, mean, std);
  else normalFillTyped<f64>(dst, n, mean, std);
  end();
}

// ---- bernoulli_(p: Tensor): operand 0 is self, operand 1 the probabilities broadcast to it ----

let invalidProbability = false;

function checkProbabilityRow<P>(d: usize, p: usize, n: i32, sd: isize, sp: isize): void {
  for (let i = 0; i < n; i++) {
    const v = load<P>(p);
    if (!(v >= <P>0 && v <= <P>1)) invalidProbability = true;
    p += sp;
  }
}

function bernoulliRow<T, P>(d: usize, p: usize, n: i32, sd: isize, sp: isize): void {
  for (let i = 0; i < n; i++) {
    // bernoulli_distribution<double> for double probabilities, <float> (32 random bits) otherwise
    const hit = sizeof<P>() == 8 ? uniformF64(0, 1) < <f64>load<P>(p) : uniformF32(0, 1) < <f32>load<P>(p);
    store<T>(d, hit ? <T>1 : <T>0);
    d += sd;
    p += sp;
  }
}

function bernoulliFrom<P>(dtype: i32, ndim: i32, desc: usize, dst: usize, p: usize): void {
  switch (dtype) {
    case F32: forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => bernoulliRow<f32, P>(d, q, n, sd, sq), ndim, desc, dst, p); break;
    case F64: forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => bernoulliRow<f64, P>(d, q, n, sd, sq), ndim, desc, dst, p); break;
    case I32: forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => bernoulliRow<i32, P>(d, q, n, sd, sq), ndim, desc, dst, p); break;
    case I64: forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => bernoulliRow<i64, P>(d, q, n, sd, sq), ndim, desc, dst, p); break;
    default: forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => bernoulliRow<u8, P>(d, q, n, sd, sq), ndim, desc, dst, p); break;
  }
}

/** Returns 1 (drawing nothing) when a probability is outside [0, 1]. */
export function bernoulliTensor(dtype: i32, pDtype: i32, ndim: i32, desc: usize, dst: usize, p: usize, g: usize): i32 {
  invalidProbability = false;
  if (pDtype == F64) forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => checkProbabilityRow<f64>(d, q, n, sd, sq), ndim, desc, dst, p);
  else forEachRow2((d: usize, q: usize, n: i32, sd: isize, sq: isize): void => checkProbabilityRow<f32>(d, q, n, sd, sq), ndim, desc, dst, p);
  if (invalidProbability) return 1;
  begin(g);
  if (pDtype == F64) bernoulliFrom<f64>(dtype, ndim, desc, dst, p);
  else bernoulliFrom<f32>(dtype, ndim, desc, dst, p);
  end();
  return 0;
}

// ---- randperm ----

function randpermTyped<T>(dst: usize, n: i64): void {
  const size = <usize>sizeof<T>();
  if (n < <i64>(<u32>0xffffffff / 20)) {
    // identity, then swap element i with one of i..n-1 drawn by random() % (n - i)
    for (let i: i64 = 0; i < n; i++) store<T>(dst + <usize>i * size, <T>i);
    for (let i: i64 = 0; i < n - 1; i++) {
      const z = <i64>(<u64>random32() % <u64>(n - i));
      const a = dst + <usize>i * size, b = dst + <usize>(z + i) * size;
      const saved = load<T>(a);
      store<T>(a, load<T>(b));
      store<T>(b, saved);
    }
    return;
  }
  // inside-out Fisher-Yates with random64(), where random() % n would be visibly skewed
  for (let i: i64 = 0; i < n; i++) {
    const z = <i64>(random64() % <u64>(i + 1));
    store<T>(dst + <usize>i * size, <T>i);
    store<T>(dst + <usize>i * size, load<T>(dst + <usize>z * size));
    store<T>(dst + <usize>z * size, <T>i);
  }
}

/** randperm(n) into a contiguous tensor of `dtype`. */
export function randperm(dtype: i32, dst: usize, n: f64, g: usize): void {
  begin(g);
  const count = <i64>n;
  switch (dtype) {
    case F32: randpermTyped<f32>(dst, count); break;
    case F64: randpermTyped<f64>(dst, count); break;
    case I32: randpermTyped<i32>(dst, count); break;
    case I64: randpermTyped<i64>(dst, count); break;
    default: randpermTyped<u8>(dst, count); break;
  }
  end();
}

// ---- multinomial: `rows` distributions of `cats` categories at byte strides (rs, cs) ----

/** Codes of multinomialCheck, turned into PyTorch's messages by JS. */
export enum MultinomialError { None, NotFiniteOrNegative, Negative, NotFinite, ZeroSum }

function checkRows<T>(p: usize, rows: i32, cats: i32, rs: isize, cs: isize, replacement: bool): i32 {
  let zeroSum = false;
  for (let i = 0; i < rows; i++) {
    let sum: T = 0;
    for (let j = 0; j < cats; j++) {
      const v = load<T>(p + <isize>i * rs + <isize>j * cs);
      if (replacement) {
        // the kernel's checks, in its order: NaN fails `val >= 0` first
        if (!(v >= <T>0)) return MultinomialError.Negative;
        if (!isFinite(v)) return MultinomialError.NotFinite;
      } else if (!(v >= <T>0) || !(v < <T>Infinity)) {
        return MultinomialError.NotFiniteOrNegative;
      }
      sum += v;
    }
    if (replacement ? !(sum > 0) : sum == 0) {
      if (replacement) return MultinomialError.ZeroSum;
      zeroSum = true;
    }
  }
  return zeroSum ? MultinomialError.ZeroSum : MultinomialError.None;
}

/** Validates the probabilities as multinomial does before drawing anything. */
export function multinomialCheck(dtype: i32, p: usize, rows: i32, cats: i32, rs: isize, cs: isize, replacement: i32): i32 {
  return dtype == F64 ? checkRows<f64>(p, rows, cats, rs, cs, replacement != 0) : checkRows<f32>(p, rows, cats, rs, cs, replacement != 0);
}

function withReplacement<T>(p: usize, rows: i32, cats: i32, rs: isize, cs: isize, out: usize, samples: i32): void {
  const cum = heap.alloc(<usize>cats * sizeof<T>());
  for (let i = 0; i < rows; i++) {
    // normalized cumulative distribution, accumulated in T; the last bucket is forced to 1
    let sum: T = 0;
    for (let j = 0; j < cats; j++) {
      sum += load<T>(p + <isize>i * rs + <isize>j * cs);
      store<T>(cum + <usize>j * sizeof<T>(), sum);
    }
    for (let j = 0; j < cats; j++) store<T>(cum + <usize>j * sizeof<T>(), load<T>(cum + <usize>j * sizeof<T>()) / sum);
    store<T>(cum + <usize>(cats - 1) * sizeof<T>(), 1);
    for (let s = 0; s < samples; s++) {
      const u = uniformF64(0, 1);
      let lo = 0, hi = cats;
      while (hi - lo > 0) {
        const mid = lo + ((hi - lo) >> 1);
        if (<f64>load<T>(cum + <usize>mid * sizeof<T>()) < u) lo = mid + 1;
        else hi = mid;
      }
      store<i64>(out + (<usize>(i * samples + s) << 3), <i64>lo);
    }
  }
  heap.free(cum);
}

/** multinomial with replacement: binary search of a uniform double in each row's CDF. */
export function multinomialWithReplacement(dtype: i32, p: usize, rows: i32, cats: i32, rs: isize, cs: isize, out: usize, samples: i32, g: usize): void {
  begin(g);
  if (dtype == F64) withReplacement<f64>(p, rows, cats, rs, cs, out, samples);
  else withReplacement<f32>(p, rows, cats, rs, cs, out, samples);
  end();
}

/** Whether category a ranks before b: larger key first (NaN largest), then smaller index. */
@inline function before(ka: f64, a: i32, kb: f64, b: i32): bool {
  if (isNaN(ka) != isNaN(kb)) return isNaN(ka);
  return ka > kb || (ka == kb && a < b);
}

// A min-heap (by `before`) of the k best categories of a row: the root is the worst one kept.
let heapKeys: usize = 0; // f64 key per category
let heapSlots: usize = 0; // i32 category per heap slot

@inline function slot(at: i32): i32 { return load<i32>(heapSlots + (<usize>at << 2)); }
@inline function setSlot(at: i32, c: i32): void { store<i32>(heapSlots + (<usize>at << 2), c); }
@inline function keyOf(c: i32): f64 { return load<f64>(heapKeys + (<usize>c << 3)); }

/** Puts category c at the root of a heap of `size` slots and sifts it down. */
function siftDown(c: i32, size: i32): void {
  const key = keyOf(c);
  let at = 0;
  while (true) {
    const l = 2 * at + 1, r = l + 1;
    let worst = at, wc = c, wk = key;
    if (l < size && before(wk, wc, keyOf(slot(l)), slot(l))) { worst = l; wc = slot(l); wk = keyOf(wc); }
    if (r < size && before(wk, wc, keyOf(slot(r)), slot(r))) { worst = r; wc = slot(r); wk = keyOf(wc); }
    if (worst == at) break;
    setSlot(at, wc);
    at = worst;
  }
  setSlot(at, c);
}

/** Puts category c in the new slot `at` and sifts it up. */
function siftUp(c: i32, at: i32): void {
  const key = keyOf(c);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    const pc = slot(parent);
    if (!before(keyOf(pc), pc, key, c)) break;
    setSlot(at, pc);
    at = parent;
  }
  setSlot(at, c);
}

function topKRows<T>(p: usize, q: usize, rows: i32, cats: i32, rs: isize, cs: isize, qrs: isize, qcs: isize, out: usize, k: i32): void {
  heapKeys = heap.alloc(<usize>cats << 3);
  heapSlots = heap.alloc(<usize>k << 2);
  for (let i = 0; i < rows; i++) {
    let size = 0;
    for (let j = 0; j < cats; j++) {
      // the Gumbel trick as PyTorch computes it: argmax/topk of p / q in the dtype of p
      const key = <f64>(load<T>(p + <isize>i * rs + <isize>j * cs) / load<T>(q + <isize>i * qrs + <isize>j * qcs));
      store<f64>(heapKeys + (<usize>j << 3), key);
      if (size < k) siftUp(j, size++);
      else if (before(key, j, keyOf(slot(0)), slot(0))) siftDown(j, size);
    }
    // pop the worst first, writing from the back: the row comes out best first
    for (let s = k - 1; s >= 0; s--) {
      store<i64>(out + (<usize>(i * k + s) << 3), <i64>slot(0));
      size--;
      if (size > 0) siftDown(slot(size), size);
    }
  }
  heap.free(heapSlots);
  heap.free(heapKeys);
}

/** multinomial without replacement: the k largest p / q per row (q ~ Exp(1)), best first. */
export function multinomialTopK(dtype: i32, p: usize, q: usize, rows: i32, cats: i32, rs: isize, cs: isize, qrs: isize, qcs: isize, out: usize, k: i32): void {
  if (dtype == F64) topKRows<f64>(p, q, rows, cats, rs, cs, qrs, qcs, out, k);
  else topKRows<f32>(p, q, rows, cats, rs, cs, qrs, qcs, out, k);
}
