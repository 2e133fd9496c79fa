// Pointwise functions of three tensors with broadcasting: out = f(a, b, c; scale).
// Operands 0..3 are out, a, b, c, all of one dtype (floating; addcmul also takes integers).
import { F32, F64, I32, I64, U8 } from "../dtype";
import { Row4, forEachRow4 } from "../iterate";

/** Codes shared with JS (`Ternary.Lerp`, ...). */
export enum Ternary {
  Lerp, // a + c * (b - a), from the nearer end as PyTorch's lerp
  Addcmul, // a + scale * b * c
  Addcdiv, // a + scale * b / c
}

let scale: f64 = 1;

@final @unmanaged class Lerp {
  @inline apply(a: f64, b: f64, w: f64): f64 { return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1.0 - w); }
}
@final @unmanaged class Addcmul {
  @inline apply(a: f64, b: f64, c: f64): f64 { return a + scale * b * c; }
}
@final @unmanaged class Addcdiv {
  @inline apply(a: f64, b: f64, c: f64): f64 { return a + scale * b / c; }
}

function ternaryRow<T, Op>(d: usize, a: usize, b: usize, c: usize, n: i32, sd: isize, sa: isize, sb: isize, sc: isize): void {
  const op = changetype<Op>(0);
  for (let i = 0; i < n; i++) {
    store<T>(d, <T>op.apply(<f64>load<T>(a), <f64>load<T>(b), <f64>load<T>(c)));
    d += sd; a += sa; b += sb; c += sc;
  }
}

/** addcmul on integers: exact integer arithmetic with the (integral) scale. */
function addcmulIntRow<T>(d: usize, a: usize, b: usize, c: usize, n: i32, sd: isize, sa: isize, sb: isize, sc: isize): void {
  const k = <T>scale;
  for (let i = 0; i < n; i++) {
    store<T>(d, load<T>(a) + k * load<T>(b) * load<T>(c));
    d += sd; a += sa; b += sb; c += sc;
  }
}

function intRowFor<T>(): Row4 {
  return (d: usize, a: usize, b: usize, c: usize, n: i32, sd: isize, sa: isize, sb: isize, sc: isize): void =>
    addcmulIntRow<T>(d, a, b, c, n, sd, sa, sb, sc);
}

function rowOf<T, Op>(): Row4 {
  return (d: usize, a: usize, b: usize, c: usize, n: i32, sd: isize, sa: isize, sb: isize, sc: isize): void =>
    ternaryRow<T, Op>(d, a, b, c, n, sd, sa, sb, sc);
}

function rowFor<T>(op: i32): Row4 {
  switch (op) {
    case Ternary.Lerp: return rowOf<T, Lerp>();
    case Ternary.Addcmul: return rowOf<T, Addcmul>();
    default: return rowOf<T, Addcdiv>();
  }
}

/** out = op(a, b, c); JS sends integer dtypes for addcmul only, as PyTorch allows. */
export function ternary(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, a: usize, b: usize, c: usize, s: f64): void {
  scale = s;
  let row: Row4;
  switch (dtype) {
    case F32: row = rowFor<f32>(op); break;
    case F64: row = rowFor<f64>(op); break;
    case I32: row = intRowFor<i32>(); break;
    case I64: row = intRowFor<i64>(); break;
    case U8: row = intRowFor<u8>(); break;
    default: unreachable(); return;
  }
  forEachRow4(row, ndim, desc, dst, a, b, c);
}
