// out = cond ? a : b, with broadcasting; operands 0..3 are out, cond (bool), a, b.
import { Row4, forEachRow4 } from "../iterate";

function whereRow<T>(d: usize, c: usize, a: usize, b: usize, n: i32, sd: isize, sc: isize, sa: isize, sb: isize): void {
  for (let i = 0; i < n; i++) {
    store<T>(d, load<u8>(c) ? load<T>(a) : load<T>(b));
    d += sd; c += sc; a += sa; b += sb;
  }
}

function rowForSize(bytes: i32): Row4 {
  switch (bytes) {
    case 8: return (d: usize, c: usize, a: usize, b: usize, n: i32, sd: isize, sc: isize, sa: isize, sb: isize): void => whereRow<u64>(d, c, a, b, n, sd, sc, sa, sb);
    case 4: return (d: usize, c: usize, a: usize, b: usize, n: i32, sd: isize, sc: isize, sa: isize, sb: isize): void => whereRow<u32>(d, c, a, b, n, sd, sc, sa, sb);
    case 2: return (d: usize, c: usize, a: usize, b: usize, n: i32, sd: isize, sc: isize, sa: isize, sb: isize): void => whereRow<u16>(d, c, a, b, n, sd, sc, sa, sb);
    default: return (d: usize, c: usize, a: usize, b: usize, n: i32, sd: isize, sc: isize, sa: isize, sb: isize): void => whereRow<u8>(d, c, a, b, n, sd, sc, sa, sb);
  }
}

/** Selection only moves bits, so it is instantiated per element size, not per dtype. */
export function where(elementBytes: i32, ndim: i32, desc: usize, dst: usize, cond: usize, a: usize, b: usize): void {
  forEachRow4(rowForSize(elementBytes), ndim, desc, dst, cond, a, b);
}
