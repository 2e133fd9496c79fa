// Pointwise functions of three tensors with broadcasting: out = f(a, b, c; scale).
// Operands 0..3 are out, a, b, c, all of one dtype.
import { F32, F64 } from "../dtype";
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

/** out = op(a, b, c) for floating `dtype` (JS rejects the others, as PyTorch does). */
export function ternary(op: i32, dtype: i32, ndim: i32, desc: usize, dst: usize, a: usize, b: usize, c: usize, s: f64): void {
  scale = s;
  const row = dtype == F64 ? rowFor<f64>(op) : rowFor<f32>(op);
  if (dtype != F32 && dtype != F64) unreachable();
  forEachRow4(row, ndim, desc, dst, a, b, c);
}
