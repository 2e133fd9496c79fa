// Pointwise functions of two tensors with broadcasting (0 strides): out = f(a, b).
// A scalar operand is a one-element buffer with all strides 0.
import { F32, F64, I32, I64, BOOL } from "../dtype";
import { Row3, forEachRow3 } from "../iterate";
import { highHalf, joinHalves, lowHalf } from "../simd/lanes";

/** Codes shared with JS (exported as globals `Binary.Add`, ...). */
export enum Binary {
  Add, Sub, Mul, Div, FloorDiv, TruncDiv, Remainder, Fmod, Pow, Maximum, Minimum, Atan2,
  AddScaled, // a + alpha * b
  BitAnd, BitOr, BitXor,
  Hypot, Copysign,
  Lerp, // a + alpha * (b - a), alpha being the weight
}
/** Comparisons and logical ops: bool (one byte) results from same-dtype operands. */
export enum Compare { Eq, Ne, Lt, Le, Gt, Ge, And, Or, Xor }

let alpha: f64 = 1;
/** Set when an integer division by zero was attempted; reported to JS by the kernel's result. */
let divisionByZero = false;

@inline function isZero<T>(x: T): bool { return x == <T>0; }

@final @unmanaged class Add { @inline apply<T>(a: T, b: T): T { return a + b; } @inline vec(a: v128, b: v128): v128 { return f32x4.add(a, b); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Sub { @inline apply<T>(a: T, b: T): T { return a - b; } @inline vec(a: v128, b: v128): v128 { return f32x4.sub(a, b); } @inline hasVec(): bool { return true; } }
@final @unmanaged class Mul { @inline apply<T>(a: T, b: T): T { return a * b; } @inline vec(a: v128, b: v128): v128 { return f32x4.mul(a, b); } @inline hasVec(): bool { return true; } }
@final @unmanaged class AddScaled {
  @inline apply<T>(a: T, b: T): T { return isFloat<T>() ? <T>(<f64>a + alpha * <f64>b) : a + <T><i64>alpha * b; }
  // in f64 and rounded once, as `apply`: an element's result must not depend on its position
  @inline vec(a: v128, b: v128): v128 {
    const s = f64x2.splat(alpha);
    return joinHalves(f64x2.add(lowHalf(a), f64x2.mul(s, lowHalf(b))), f64x2.add(highHalf(a), f64x2.mul(s, highHalf(b))));
  }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class Div {
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) { if (isZero<T>(b)) { divisionByZero = true; return <T>0; } }
    return a / b;
  }
  @inline vec(a: v128, b: v128): v128 { return f32x4.div(a, b); }
  @inline hasVec(): bool { return true; }
}
@final @unmanaged class TruncDiv {
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) { if (isZero<T>(b)) { divisionByZero = true; return <T>0; } return a / b; }
    return <T>Math.trunc(<f64>a / <f64>b);
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class FloorDiv {
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) {
      if (isZero<T>(b)) { divisionByZero = true; return <T>0; }
      const q = a / b;
      return (a % b != <T>0 && ((a < <T>0) != (b < <T>0))) ? q - <T>1 : q;
    }
    // PyTorch's div_floor_floating: floor of the true quotient, computed via fmod for exactness
    const x = <f64>a, y = <f64>b;
    if (y == 0) return <T>(x / y);
    const mod = x % y;
    let div = (x - mod) / y;
    if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1;
    let fl: f64;
    if (div != 0) { fl = Math.floor(div); if (div - fl > 0.5) fl += 1; }
    else fl = copysign<f64>(0, x / y);
    return <T>fl;
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class Remainder {
  // Python's modulo: the result takes the sign of the divisor
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) {
      if (isZero<T>(b)) { divisionByZero = true; return <T>0; }
      const r = a % b;
      return (r != <T>0 && ((r < <T>0) != (b < <T>0))) ? r + b : r;
    }
    const x = <f64>a, y = <f64>b;
    let r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) r += y;
    return <T>r;
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class Fmod {
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) { if (isZero<T>(b)) { divisionByZero = true; return <T>0; } return a % b; }
    return <T>(<f64>a % <f64>b);
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class Pow {
  @inline apply<T>(a: T, b: T): T {
    if (isInteger<T>()) {
      // integer power by squaring; negative exponents follow PyTorch (0 unless |a| == 1)
      let base = a, e = b, r = <T>1;
      if (e < <T>0) return a == <T>1 ? <T>1 : a == <T>-1 ? ((e & <T>1) ? <T>-1 : <T>1) : <T>0;
      while (e != <T>0) { if (e & <T>1) r *= base; base *= base; e >>= <T>1; }
      return r;
    }
    return <T>Math.pow(<f64>a, <f64>b);
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class Maximum {
  @inline apply<T>(a: T, b: T): T { if (isFloat<T>()) { if (a != a) return a; if (b != b) return b; } return a > b ? a : b; }
  @inline vec(a: v128, b: v128): v128 { return f32x4.max(a, b); } @inline hasVec(): bool { return true; }
}
@final @unmanaged class Minimum {
  @inline apply<T>(a: T, b: T): T { if (isFloat<T>()) { if (a != a) return a; if (b != b) return b; } return a < b ? a : b; }
  @inline vec(a: v128, b: v128): v128 { return f32x4.min(a, b); } @inline hasVec(): bool { return true; }
}
@final @unmanaged class Atan2 { @inline apply<T>(a: T, b: T): T { return <T>Math.atan2(<f64>a, <f64>b); } @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Hypot { @inline apply<T>(a: T, b: T): T { return <T>Math.hypot(<f64>a, <f64>b); } @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Copysign { @inline apply<T>(a: T, b: T): T { return <T>copysign<f64>(<f64>a, <f64>b); } @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; } }
@final @unmanaged class Lerp {
  // PyTorch's lerp: from the nearer end, so weight 1 gives exactly b
  @inline apply<T>(a: T, b: T): T {
    const x = <f64>a, y = <f64>b;
    return <T>(Math.abs(alpha) < 0.5 ? x + alpha * (y - x) : y - (y - x) * (1.0 - alpha));
  }
  @inline vec(a: v128, b: v128): v128 { return a; } @inline hasVec(): bool { return false; }
}
@final @unmanaged class BitAnd { @inline apply<T>(a: T, b: T): T { return isInteger<T>() ? a & b : a; } @inline vec(a: v128, b: v128): v128 { return v128.and(a, b); } @inline hasVec(): bool { return false; } }
@final @unmanaged class BitOr { @inline apply<T>(a: T, b: T): T { return isInteger<T>() ? a | b : a; } @inline vec(a: v128, b: v128): v128 { return v128.or(a, b); } @inline hasVec(): bool { return false; } }
@final @unmanaged class BitXor { @inline apply<T>(a: T, b: T): T { return isInteger<T>() ? a ^ b : a; } @inline vec(a: v128, b: v128): v128 { return v128.xor(a, b); } @inline hasVec(): bool { return false; } }

function binaryRow<T, Op>(d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void {
  const op = changetype<Op>(0);
  let i = 0;
  if (isFloat<T>() && sizeof<T>() == 4 && op.hasVec() && sd == 4) {
    if (sa == 4 && sb == 4) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(d + o, op.vec(v128.load(a + o), v128.load(b + o)));
      }
    } else if (sa == 4 && sb == 0) {
      const vb = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(d + o, op.vec(v128.load(a + o), vb)); }
    } else if (sa == 0 && sb == 4) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(d + o, op.vec(va, v128.load(b + o))); }
    }
    d += <usize>i << 2; a += <isize>i * sa; b += <isize>i * sb;
  }
  for (; i < n; i++) {
    store<T>(d, op.apply<T>(load<T>(a), load<T>(b)));
    d += sd; a += sa; b += sb;
  }
}

/**
 * a + alpha·b, with alpha chosen once per row rather than per vector: ±1 (sub is AddScaled with
 * -1) is a plain add or sub, which rounds as the f64 evaluation does.
 */
function addScaledRow<T>(d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void {
  if (alpha == 1) binaryRow<T, Add>(d, a, b, n, sd, sa, sb);
  else if (alpha == -1) binaryRow<T, Sub>(d, a, b, n, sd, sa, sb);
  else binaryRow<T, AddScaled>(d, a, b, n, sd, sa, sb);
}

function rowOf<T, Op>(): Row3 {
  return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => binaryRow<T, Op>(d, a, b, n, sd, sa, sb);
}

/** Bool results stay 0 or 1 (True + True is True): the byte result is normalized. */
function boolRow<Op>(d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void {
  const op = changetype<Op>(0);
  for (let i = 0; i < n; i++) {
    store<u8>(d, op.apply<u8>(load<u8>(a), load<u8>(b)) != 0 ? 1 : 0);
    d += sd; a += sa; b += sb;
  }
}

/** The ops PyTorch defines on bool tensors (JS rejects or promotes the others). */
function boolRowFor(op: i32): Row3 {
  switch (op) {
    case Binary.Add: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => boolRow<Add>(d, a, b, n, sd, sa, sb);
    case Binary.AddScaled: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => boolRow<AddScaled>(d, a, b, n, sd, sa, sb);
    case Binary.Mul: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => boolRow<Mul>(d, a, b, n, sd, sa, sb);
    case Binary.Maximum: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => boolRow<Maximum>(d, a, b, n, sd, sa, sb);
    case Binary.Minimum: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => boolRow<Minimum>(d, a, b, n, sd, sa, sb);
    default: return rowFor<u8>(op); // bitwise ops keep 0/1 by themselves
  }
}

function rowFor<T>(op: i32): Row3 {
  switch (op) {
    case Binary.Add: return rowOf<T, Add>();
    case Binary.Sub: return rowOf<T, Sub>();
    case Binary.Mul: return rowOf<T, Mul>();
    case Binary.Div: return rowOf<T, Div>();
    case Binary.FloorDiv: return rowOf<T, FloorDiv>();
    case Binary.TruncDiv: return rowOf<T, TruncDiv>();
    case Binary.Remainder: return rowOf<T, Remainder>();
    case Binary.Fmod: return rowOf<T, Fmod>();
    case Binary.Pow: return rowOf<T, Pow>();
    case Binary.Maximum: return rowOf<T, Maximum>();
    case Binary.Minimum: return rowOf<T, Minimum>();
    case Binary.Atan2: return rowOf<T, Atan2>();
    case Binary.AddScaled: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => addScaledRow<T>(d, a, b, n, sd, sa, sb);
    case Binary.BitAnd: return rowOf<T, BitAnd>();
    case Binary.BitOr: return rowOf<T, BitOr>();
    case Binary.BitXor: return rowOf<T, BitXor>();
    case Binary.Hypot: return rowOf<T, Hypot>();
    case Binary.Lerp: return rowOf<T, Lerp>();
    default: return rowOf<T, Copysign>();
  }
}

/**
 * out = op(a, b); operands 0, 1, 2 are out, a, b, all of `dtype`.
 * Returns 1 if an integer division by zero was attempted (JS raises), else 0.
 */
export function binary(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, a: usize, b: usize, scale: f64): i32 {
  alpha = scale;
  divisionByZero = false;
  let row: Row3;
  switch (dtype) {
    case F32: row = rowFor<f32>(op); break;
    case F64: row = rowFor<f64>(op); break;
    case I32: row = rowFor<i32>(op); break;
    case I64: row = rowFor<i64>(op); break;
    case BOOL: row = boolRowFor(op); break;
    default: row = rowFor<u8>(op); break;
  }
  forEachRow3(row, ndim, desc, dst, a, b);
  return divisionByZero ? 1 : 0;
}

// ---- comparisons: out is bool ----

function compareRow<T>(op: i32, d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void {
  for (let i = 0; i < n; i++) {
    const x = load<T>(a), y = load<T>(b);
    let r: bool;
    switch (op) {
      case Compare.Eq: r = x == y; break;
      case Compare.Ne: r = x != y; break;
      case Compare.Lt: r = x < y; break;
      case Compare.Le: r = x <= y; break;
      case Compare.Gt: r = x > y; break;
      case Compare.Ge: r = x >= y; break;
      case Compare.And: r = x != <T>0 && y != <T>0; break;
      case Compare.Or: r = x != <T>0 || y != <T>0; break;
      default: r = (x != <T>0) != (y != <T>0); break;
    }
    store<u8>(d, r ? 1 : 0);
    d += sd; a += sa; b += sb;
  }
}

let compareOp: i32 = 0;

function compareRowFor(dtype: i32): Row3 {
  switch (dtype) {
    case F32: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => compareRow<f32>(compareOp, d, a, b, n, sd, sa, sb);
    case F64: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => compareRow<f64>(compareOp, d, a, b, n, sd, sa, sb);
    case I32: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => compareRow<i32>(compareOp, d, a, b, n, sd, sa, sb);
    case I64: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => compareRow<i64>(compareOp, d, a, b, n, sd, sa, sb);
    default: return (d: usize, a: usize, b: usize, n: i32, sd: isize, sa: isize, sb: isize): void => compareRow<u8>(compareOp, d, a, b, n, sd, sa, sb);
  }
}

/** out(bool) = op(a, b) for a and b of `dtype`. */
export function compare(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, a: usize, b: usize): void {
  compareOp = op;
  forEachRow3(compareRowFor(dtype), ndim, desc, dst, a, b);
}
