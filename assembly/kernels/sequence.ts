// Evenly spaced values (arange, linspace) computed per element, never by accumulation.
import { F32, F64, I32, I64 } from "../dtype";

function sequenceTyped<T>(dst: usize, n: i32, start: f64, step: f64, end: f64, symmetric: bool): void {
  const half = n >> 1;
  for (let i = 0; i < n; i++) {
    // linspace fills its second half backwards from `end`, as PyTorch does, so both ends are exact
    const v = symmetric && i >= half ? end - step * <f64>(n - 1 - i) : start + step * <f64>i;
    store<T>(dst + <usize>i * sizeof<T>(), <T>v);
  }
}

export function sequence(dtype: i32, dst: usize, n: i32, start: f64, step: f64, end: f64, symmetric: bool): void {
  switch (dtype) {
    case F32: sequenceTyped<f32>(dst, n, start, step, end, symmetric); break;
    case F64: sequenceTyped<f64>(dst, n, start, step, end, symmetric); break;
    case I32: sequenceTyped<i32>(dst, n, start, step, end, symmetric); break;
    case I64: sequenceTyped<i64>(dst, n, start, step, end, symmetric); break;
    default: sequenceTyped<u8>(dst, n, start, step, end, symmetric); break;
  }
}
