// Inclusive scans (cumsum, cumprod) along the innermost dim of the box; JS moves the scanned
// dim last. Operand 0 is out, 1 is src, same dtype.
import { F32, F64, I32 } from "../dtype";
import { Row2, forEachRow2 } from "../iterate";

let product = false;

// Float scans accumulate in f64 (PyTorch's CPU cumsum/cumprod use a double accumulator).
function scanRow<T>(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  if (isFloat<T>()) {
    let acc: f64 = product ? 1 : 0;
    for (let i = 0; i < n; i++) {
      acc = product ? acc * <f64>load<T>(s) : acc + <f64>load<T>(s);
      store<T>(d, <T>acc);
      d += sd; s += ss;
    }
    return;
  }
  let acc: T = product ? <T>1 : <T>0;
  for (let i = 0; i < n; i++) {
    acc = product ? acc * load<T>(s) : acc + load<T>(s);
    store<T>(d, acc);
    d += sd; s += ss;
  }
}

function rowFor(dtype: i32): Row2 {
  switch (dtype) {
    case F32: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => scanRow<f32>(d, s, n, sd, ss);
    case F64: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => scanRow<f64>(d, s, n, sd, ss);
    case I32: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => scanRow<i32>(d, s, n, sd, ss);
    default: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => scanRow<i64>(d, s, n, sd, ss);
  }
}

export function scan(multiply: bool, dtype: i32, ndim: i32, desc: usize, dst: usize, src: usize): void {
  product = multiply;
  forEachRow2(rowFor(dtype), ndim, desc, dst, src);
}
