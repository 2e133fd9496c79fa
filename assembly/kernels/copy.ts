// fill and strided copy with dtype conversion (PyTorch's `copy_`, `to(dtype)`, `contiguous`).
import { F32, F64, I32, I64, BOOL, U8, F16, BF16, halfToF32, f32ToHalf, bf16ToF32, f32ToBf16 } from "../dtype";
import { Row1, Row2, forEachRow1, forEachRow2 } from "../iterate";

// ---- fill: every element of a strided box gets the value stored at `value` (same dtype) ----

function fillRow<T>(p: usize, n: i32, s: isize): void {
  const v = load<T>(fillValue);
  if (s == sizeof<T>() && sizeof<T>() == 4) {
    const vv = i32x4.splat(load<i32>(fillValue));
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), vv);
    for (; i < n; i++) store<T>(p + (<usize>i << 2), v);
    return;
  }
  for (let i = 0; i < n; i++) { store<T>(p, v); p += s; }
}

let fillValue: usize = 0;

function fillRowFor(dtype: i32): Row1 {
  switch (dtype) {
    case F32: return (p: usize, n: i32, s: isize): void => fillRow<f32>(p, n, s);
    case F64: return (p: usize, n: i32, s: isize): void => fillRow<f64>(p, n, s);
    case I32: return (p: usize, n: i32, s: isize): void => fillRow<i32>(p, n, s);
    case I64: return (p: usize, n: i32, s: isize): void => fillRow<i64>(p, n, s);
    default: return (p: usize, n: i32, s: isize): void => fillRow<u8>(p, n, s);
  }
}

export function fill(dtype: i32, ndim: i32, desc: usize, dst: usize, value: usize): void {
  fillValue = value;
  forEachRow1(fillRowFor(dtype), ndim, desc, dst);
}

// ---- copy with conversion: operand 0 is the destination, operand 1 the source ----

@inline function convert<S, D>(x: S): D {
  if (isFloat<S>() && isInteger<D>()) {
    // float -> int truncates toward zero (C semantics); NaN and overflow saturate.
    return sizeof<D>() == 8 ? <D>(<i64>x) : <D>(<i32>x);
  }
  return <D>x;
}

function copyRow<S, D>(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  if (sd == sizeof<D>() && ss == sizeof<S>() && sizeof<S>() == sizeof<D>() && isFloat<S>() == isFloat<D>()) {
    memory.copy(d, s, <usize>n * sizeof<D>());
    return;
  }
  for (let i = 0; i < n; i++) {
    store<D>(d, convert<S, D>(load<S>(s)));
    d += sd; s += ss;
  }
}

function toBoolRow<S>(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) {
    store<u8>(d, load<S>(s) != <S>0 ? 1 : 0);
    d += sd; s += ss;
  }
}

function fromHalfRow(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) { store<f32>(d, halfToF32(load<u16>(s))); d += sd; s += ss; }
}
function toHalfRow(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) { store<u16>(d, <u16>f32ToHalf(load<f32>(s))); d += sd; s += ss; }
}
function fromBf16Row(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) { store<f32>(d, bf16ToF32(load<u16>(s))); d += sd; s += ss; }
}
function toBf16Row(d: usize, s: usize, n: i32, sd: isize, ss: isize): void {
  for (let i = 0; i < n; i++) { store<u16>(d, <u16>f32ToBf16(load<f32>(s))); d += sd; s += ss; }
}

function copyFrom<S>(dst: i32): Row2 {
  switch (dst) {
    case F32: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => copyRow<S, f32>(d, s, n, sd, ss);
    case F64: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => copyRow<S, f64>(d, s, n, sd, ss);
    case I32: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => copyRow<S, i32>(d, s, n, sd, ss);
    case I64: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => copyRow<S, i64>(d, s, n, sd, ss);
    case BOOL: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => toBoolRow<S>(d, s, n, sd, ss);
    default: return (d: usize, s: usize, n: i32, sd: isize, ss: isize): void => copyRow<S, u8>(d, s, n, sd, ss);
  }
}

function copyRowFor(src: i32, dst: i32): Row2 {
  switch (src) {
    case F32:
      if (dst == F16) return toHalfRow;
      if (dst == BF16) return toBf16Row;
      return copyFrom<f32>(dst);
    case F64: return copyFrom<f64>(dst);
    case I32: return copyFrom<i32>(dst);
    case I64: return copyFrom<i64>(dst);
    case F16: return fromHalfRow; // to f32 only
    case BF16: return fromBf16Row;
    default: return copyFrom<u8>(dst); // BOOL and U8 share the byte layout
  }
}

/** Copies the strided source box into the strided destination box, converting dtypes. */
export function copy(srcDtype: i32, dstDtype: i32, ndim: i32, desc: usize, dst: usize, src: usize): void {
  forEachRow2(copyRowFor(srcDtype, dstDtype), ndim, desc, dst, src);
}
