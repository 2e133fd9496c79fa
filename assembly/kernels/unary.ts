// Pointwise functions of one tensor: out = f(x; param0, param1, param2), and the
// classifications (isnan, isinf, ...) that map a tensor to bools.
import { F32, F64, I32, I64 } from "../dtype";
import { Row2, forEachRow2 } from "../iterate";
import { erf, roundEven } from "../math";
import * as simd from "../simd/math";
import { mapF32 } from "../simd/rows";

/** Codes shared with JS (exported as globals `Unary.Exp`, ...). */
export enum Unary {
  Neg, Abs, Sign, Exp, Expm1, Log, Log1p, Log2, Log10, Sqrt, Rsqrt, Reciprocal,
  Sigmoid, Tanh, Relu, LeakyRelu, Elu, Gelu, GeluTanh, Silu, Softplus, Mish,
  Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Erf, Exp2,
  Clamp, Pow, Square, Floor, Ceil, Round, Trunc, Frac, Hardtanh, Logit,
  BitNot, NanToNum,
}

// Scalar parameters of the current call (clamp bounds, slopes, exponents, replacements).
let param0: f64 = 0;
let param1: f64 = 0;
let param2: f64 = 0;

// Each op is a stateless class: `apply` is the scalar function (computed in f64 for
// transcendental ones, then rounded to T), `vec` an f32x4 version where one pays off
// (assembly/simd/math.ts for the transcendental ones: a few ulp, PyTorch's special values).
// Kernels are instantiated per op and never dereference the (null) instance.

@final @unmanaged class Neg {
  @inline apply<T>(x: T): T { return -x; }
  @inline vec(x: v128): v128 { return f32x4.neg(x); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Abs {
  @inline apply<T>(x: T): T { return isFloat<T>() ? <T>Math.abs(<f64>x) : (x < <T>0 ? -x : x); }
  @inline vec(x: v128): v128 { return f32x4.abs(x); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Sign {
  @inline apply<T>(x: T): T { return x > <T>0 ? <T>1 : x < <T>0 ? <T>-1 : x; }
  @inline vec(x: v128): v128 { return x; }
  @inline hasVec(): bool { return false; }
}
@final @unmanaged class Relu {
  // NaN propagates, as in PyTorch (clamp_min(0))
  @inline apply<T>(x: T): T { return x < <T>0 ? <T>0 : x; }
  @inline vec(x: v128): v128 { return v128.bitselect(f32x4.splat(0), x, f32x4.lt(x, f32x4.splat(0))); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Square {
  @inline apply<T>(x: T): T { return x * x; }
  @inline vec(x: v128): v128 { return f32x4.mul(x, x); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Sqrt {
  @inline apply<T>(x: T): T { return <T>Math.sqrt(<f64>x); }
  @inline vec(x: v128): v128 { return f32x4.sqrt(x); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Clamp {
  // NaN bounds mean "no bound"; a NaN input stays NaN.
  @inline apply<T>(x: T): T {
    let y = <f64>x;
    if (y < param0) y = param0;
    if (y > param1) y = param1;
    return isFloat<T>() ? <T>y : (y == <f64>x ? x : <T>y);
  }
  @inline vec(x: v128): v128 {
    const lo = f32x4.splat(<f32>param0), hi = f32x4.splat(<f32>param1);
    const a = v128.bitselect(lo, x, f32x4.lt(x, lo));
    return v128.bitselect(hi, a, f32x4.gt(a, hi));
  }
  @inline hasVec(): bool { return !isNaN(param0) && !isNaN(param1); }
}
@final @unmanaged class Hardtanh {
  @inline apply<T>(x: T): T { const y = <f64>x; return <T>(y < param0 ? param0 : y > param1 ? param1 : y); }
  @inline vec(x: v128): v128 { return x; }
  @inline hasVec(): bool { return false; }
}
@final @unmanaged class LeakyRelu {
  @inline apply<T>(x: T): T { return x < <T>0 ? x * <T>param0 : x; }
  @inline vec(x: v128): v128 { return v128.bitselect(f32x4.mul(x, f32x4.splat(<f32>param0)), x, f32x4.lt(x, f32x4.splat(0))); }
  @inline hasVec(): bool { return true; }
}

// Transcendental functions, one line each where they fit: `apply` in f64, `vec` from assembly/simd.
@final @unmanaged class Exp { @inline apply<T>(x: T): T { return <T>Math.exp(<f64>x); } @inline vec(x: v128): v128 { return simd.exp(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Expm1 { @inline apply<T>(x: T): T { return <T>Math.expm1(<f64>x); } @inline vec(x: v128): v128 { return simd.expm1(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Exp2 { @inline apply<T>(x: T): T { return <T>Math.pow(2.0, <f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Log { @inline apply<T>(x: T): T { return <T>Math.log(<f64>x); } @inline vec(x: v128): v128 { return simd.log(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Log1p { @inline apply<T>(x: T): T { return <T>Math.log1p(<f64>x); } @inline vec(x: v128): v128 { return simd.log1p(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Log2 { @inline apply<T>(x: T): T { return <T>Math.log2(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Log10 { @inline apply<T>(x: T): T { return <T>Math.log10(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Rsqrt { @inline apply<T>(x: T): T { return <T>(1.0 / Math.sqrt(<f64>x)); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Reciprocal { @inline apply<T>(x: T): T { return <T>(1.0 / <f64>x); } @inline vec(x: v128): v128 { return f32x4.div(f32x4.splat(1), x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Sigmoid { @inline apply<T>(x: T): T { return <T>(1.0 / (1.0 + Math.exp(-<f64>x))); } @inline vec(x: v128): v128 { return simd.sigmoid(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Tanh { @inline apply<T>(x: T): T { return <T>Math.tanh(<f64>x); } @inline vec(x: v128): v128 { return simd.tanh(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Elu {
  @inline apply<T>(x: T): T { const y = <f64>x; return <T>(y > 0 ? y : param0 * Math.expm1(y)); }
  @inline vec(x: v128): v128 { return v128.bitselect(x, f32x4.mul(f32x4.splat(<f32>param0), simd.expm1(x)), f32x4.gt(x, f32x4.splat(0))); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Gelu {
  @inline apply<T>(x: T): T { const y = <f64>x; return <T>(0.5 * y * (1.0 + erf(y * Math.SQRT1_2))); }
  @inline vec(x: v128): v128 { return simd.gelu(x); } @inline hasVec(): bool { return true; }
  @inline vectorsPerStep(): i32 { return 2; } // erf's f64 lanes (assembly/simd/rows.ts mapF32)
}
@final @unmanaged class GeluTanh {
  @inline apply<T>(x: T): T { const y = <f64>x; return <T>(0.5 * y * (1.0 + Math.tanh(0.7978845608028654 * (y + 0.044715 * y * y * y)))); }
  @inline vec(x: v128): v128 { return simd.geluTanh(x); } @inline hasVec(): bool { return true; }
}
@final @unmanaged class Silu { @inline apply<T>(x: T): T { const y = <f64>x; return <T>(y / (1.0 + Math.exp(-y))); } @inline vec(x: v128): v128 { return simd.silu(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Softplus {
  // param0 = beta, param1 = threshold (linear above it, as PyTorch)
  @inline apply<T>(x: T): T { const y = <f64>x * param0; return <T>(y > param1 ? <f64>x : Math.log1p(Math.exp(y)) / param0); }
  @inline vec(x: v128): v128 {
    const beta = f32x4.splat(<f32>param0), y = f32x4.mul(x, beta);
    return v128.bitselect(x, f32x4.div(simd.softplus(y), beta), f32x4.gt(y, f32x4.splat(<f32>param1)));
  }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Mish { @inline apply<T>(x: T): T { const y = <f64>x; return <T>(y * Math.tanh(Math.log1p(Math.exp(y)))); } @inline vec(x: v128): v128 { return simd.mish(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Sin { @inline apply<T>(x: T): T { return <T>Math.sin(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Cos { @inline apply<T>(x: T): T { return <T>Math.cos(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Tan { @inline apply<T>(x: T): T { return <T>Math.tan(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Asin { @inline apply<T>(x: T): T { return <T>Math.asin(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Acos { @inline apply<T>(x: T): T { return <T>Math.acos(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Atan { @inline apply<T>(x: T): T { return <T>Math.atan(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Sinh { @inline apply<T>(x: T): T { return <T>Math.sinh(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Cosh { @inline apply<T>(x: T): T { return <T>Math.cosh(<f64>x); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Erf {
  @inline apply<T>(x: T): T { return <T>erf(<f64>x); }
  @inline vec(x: v128): v128 { return simd.erf(x); } @inline hasVec(): bool { return true; }
  @inline vectorsPerStep(): i32 { return 2; } // f64 lanes (assembly/simd/rows.ts mapF32)
}
@final @unmanaged class Floor { @inline apply<T>(x: T): T { return isFloat<T>() ? <T>Math.floor(<f64>x) : x; } @inline vec(x: v128): v128 { return f32x4.floor(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Ceil { @inline apply<T>(x: T): T { return isFloat<T>() ? <T>Math.ceil(<f64>x) : x; } @inline vec(x: v128): v128 { return f32x4.ceil(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Round { @inline apply<T>(x: T): T { return isFloat<T>() ? <T>roundEven(<f64>x) : x; } @inline vec(x: v128): v128 { return f32x4.nearest(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Trunc { @inline apply<T>(x: T): T { return isFloat<T>() ? <T>Math.trunc(<f64>x) : x; } @inline vec(x: v128): v128 { return f32x4.trunc(x); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Frac { @inline apply<T>(x: T): T { return <T>(<f64>x - Math.trunc(<f64>x)); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Logit { @inline apply<T>(x: T): T { const y = <f64>x; return <T>Math.log(y / (1.0 - y)); } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }

@final @unmanaged class Pow {
  // integers: exact power by squaring (JS rejects negative exponents); floats: Math.pow
  @inline apply<T>(x: T): T {
    if (isFloat<T>()) return <T>Math.pow(<f64>x, param0);
    let base = x, e = <i64>param0, r = <T>1;
    while (e != 0) { if (e & 1) r *= base; base *= base; e >>= 1; }
    return r;
  }
  @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class BitNot { @inline apply<T>(x: T): T { return isInteger<T>() ? ~x : x; } @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; } }
@final @unmanaged class NanToNum {
  // param0 replaces NaN, param1 +inf, param2 -inf
  @inline apply<T>(x: T): T {
    const y = <f64>x;
    return y != y ? <T>param0 : y == Infinity ? <T>param1 : y == -Infinity ? <T>param2 : x;
  }
  @inline vec(x: v128): v128 { return x; } @inline hasVec(): bool { return false; }
}

function unaryRow<T, Op>(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  const op = changetype<Op>(0);
  if (isFloat<T>() && sizeof<T>() == 4 && op.hasVec() && sd == 4 && ss == 4) {
    mapF32<Op>(d, s, n);
    return;
  }
  for (let i = 0; i < n; i++) {
    store<T>(d, op.apply<T>(load<T>(s)));
    d += sd; s += ss;
  }
}

/** The row function of one (dtype, op) instantiation. */
function rowOf<T, Op>(): Row2 {
  return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => unaryRow<T, Op>(d, s, n, sd, ss);
}

// Ops that make sense for integers too (JS never sends the others with an integer dtype).
function integerRowFor<T>(op: i32): Row2 {
  switch (op) {
    case Unary.Neg: return rowOf<T, Neg>();
    case Unary.Abs: return rowOf<T, Abs>();
    case Unary.Sign: return rowOf<T, Sign>();
    case Unary.Relu: return rowOf<T, Relu>();
    case Unary.Square: return rowOf<T, Square>();
    case Unary.Clamp: return rowOf<T, Clamp>();
    case Unary.Hardtanh: return rowOf<T, Hardtanh>();
    case Unary.Floor: return rowOf<T, Floor>();
    case Unary.Ceil: return rowOf<T, Ceil>();
    case Unary.Round: return rowOf<T, Round>();
    case Unary.Trunc: return rowOf<T, Trunc>();
    case Unary.Pow: return rowOf<T, Pow>();
    case Unary.BitNot: return rowOf<T, BitNot>();
    default: unreachable(); return rowOf<T, Neg>();
  }
}

function floatRowFor<T>(op: i32): Row2 {
  switch (op) {
    case Unary.Exp: return rowOf<T, Exp>();
    case Unary.Expm1: return rowOf<T, Expm1>();
    case Unary.Exp2: return rowOf<T, Exp2>();
    case Unary.Log: return rowOf<T, Log>();
    case Unary.Log1p: return rowOf<T, Log1p>();
    case Unary.Log2: return rowOf<T, Log2>();
    case Unary.Log10: return rowOf<T, Log10>();
    case Unary.Sqrt: return rowOf<T, Sqrt>();
    case Unary.Rsqrt: return rowOf<T, Rsqrt>();
    case Unary.Reciprocal: return rowOf<T, Reciprocal>();
    case Unary.Sigmoid: return rowOf<T, Sigmoid>();
    case Unary.Tanh: return rowOf<T, Tanh>();
    case Unary.LeakyRelu: return rowOf<T, LeakyRelu>();
    case Unary.Elu: return rowOf<T, Elu>();
    case Unary.Gelu: return rowOf<T, Gelu>();
    case Unary.GeluTanh: return rowOf<T, GeluTanh>();
    case Unary.Silu: return rowOf<T, Silu>();
    case Unary.Softplus: return rowOf<T, Softplus>();
    case Unary.Mish: return rowOf<T, Mish>();
    case Unary.Sin: return rowOf<T, Sin>();
    case Unary.Cos: return rowOf<T, Cos>();
    case Unary.Tan: return rowOf<T, Tan>();
    case Unary.Asin: return rowOf<T, Asin>();
    case Unary.Acos: return rowOf<T, Acos>();
    case Unary.Atan: return rowOf<T, Atan>();
    case Unary.Sinh: return rowOf<T, Sinh>();
    case Unary.Cosh: return rowOf<T, Cosh>();
    case Unary.Erf: return rowOf<T, Erf>();
    case Unary.Pow: return rowOf<T, Pow>();
    case Unary.Hardtanh: return rowOf<T, Hardtanh>();
    case Unary.Logit: return rowOf<T, Logit>();
    case Unary.Frac: return rowOf<T, Frac>();
    case Unary.NanToNum: return rowOf<T, NanToNum>();
    default: return integerRowFor<T>(op);
  }
}

/** out = op(x) over a strided box; operand 0 is out, 1 is x (same dtype). */
export function unary(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, src: usize, p0: f64, p1: f64, p2: f64): void {
  param0 = p0;
  param1 = p1;
  param2 = p2;
  let row: Row2;
  switch (dtype) {
    case F32: row = floatRowFor<f32>(op); break;
    case F64: row = floatRowFor<f64>(op); break;
    case I32: row = integerRowFor<i32>(op); break;
    case I64: row = integerRowFor<i64>(op); break;
    default: row = integerRowFor<u8>(op); break;
  }
  forEachRow2(row, ndim, desc, dst, src);
}

// ---- classifications: out is bool ----

/** Codes shared with JS (`Classify.IsNan`, ...). */
export enum Classify { IsNan, IsInf, IsPosInf, IsNegInf, IsFinite, SignBit }

let classifyOp: i32 = 0;

function classifyRow<T>(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) {
    const x = <f64>load<T>(s);
    let r: bool;
    switch (classifyOp) {
      case Classify.IsNan: r = x != x; break;
      case Classify.IsInf: r = x == Infinity || x == -Infinity; break;
      case Classify.IsPosInf: r = x == Infinity; break;
      case Classify.IsNegInf: r = x == -Infinity; break;
      case Classify.IsFinite: r = x - x == 0; break;
      default: r = isFloat<T>() ? (reinterpret<u64>(x) >> 63) != 0 : x < 0; break;
    }
    store<u8>(d, r ? 1 : 0);
    d += sd; s += ss;
  }
}

/** out(bool) = op(x); operand 0 is out, 1 is x (of `dtype`). */
export function classify(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, src: usize): void {
  classifyOp = op;
  let row: Row2;
  switch (dtype) {
    case F32: row = (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => classifyRow<f32>(d, s, n, sd, ss); break;
    case F64: row = (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => classifyRow<f64>(d, s, n, sd, ss); break;
    case I32: row = (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => classifyRow<i32>(d, s, n, sd, ss); break;
    case I64: row = (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => classifyRow<i64>(d, s, n, sd, ss); break;
    default: row = (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => classifyRow<u8>(d, s, n, sd, ss); break;
  }
  forEachRow2(row, ndim, desc, dst, src);
}
