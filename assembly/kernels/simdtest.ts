// Entry points that expose assembly/simd to test/simd-math.test.ts and bench/simd-math.mjs:
// each applies one SIMD function to contiguous float32 memory. The ops do not call them.
import * as simd from "../simd/math";
import { logSoftmaxF32, logsumexpF32, mapF32, maxF32, minF32, softmaxF32, sumF32 } from "../simd/rows";

/** Codes shared with JS (exported as globals `SimdUnary.Exp`, ...). */
export enum SimdUnary { Exp, Expm1, Log, Log1p, Tanh, Sigmoid, Silu, Softplus, Mish, Erf, Gelu, GeluTanh }

@final @unmanaged class Exp { @inline vec(x: v128): v128 { return simd.exp(x); } }
@final @unmanaged class Expm1 { @inline vec(x: v128): v128 { return simd.expm1(x); } }
@final @unmanaged class Log { @inline vec(x: v128): v128 { return simd.log(x); } }
@final @unmanaged class Log1p { @inline vec(x: v128): v128 { return simd.log1p(x); } }
@final @unmanaged class Tanh { @inline vec(x: v128): v128 { return simd.tanh(x); } }
@final @unmanaged class Sigmoid { @inline vec(x: v128): v128 { return simd.sigmoid(x); } }
@final @unmanaged class Silu { @inline vec(x: v128): v128 { return simd.silu(x); } }
@final @unmanaged class Softplus { @inline vec(x: v128): v128 { return simd.softplus(x); } }
@final @unmanaged class Mish { @inline vec(x: v128): v128 { return simd.mish(x); } }
@final @unmanaged class Erf { @inline vec(x: v128): v128 { return simd.erf(x); } }
@final @unmanaged class Gelu { @inline vec(x: v128): v128 { return simd.gelu(x); } }
@final @unmanaged class GeluTanh { @inline vec(x: v128): v128 { return simd.geluTanh(x); } }

/** dst[i] = op(src[i]) for n contiguous float32 (dst may be src). */
export function simdUnaryF32(op: i32, dst: usize, src: usize, n: i32): void {
  switch (op) {
    case SimdUnary.Exp: mapF32<Exp>(dst, src, n); break;
    case SimdUnary.Expm1: mapF32<Expm1>(dst, src, n); break;
    case SimdUnary.Log: mapF32<Log>(dst, src, n); break;
    case SimdUnary.Log1p: mapF32<Log1p>(dst, src, n); break;
    case SimdUnary.Tanh: mapF32<Tanh>(dst, src, n); break;
    case SimdUnary.Sigmoid: mapF32<Sigmoid>(dst, src, n); break;
    case SimdUnary.Silu: mapF32<Silu>(dst, src, n); break;
    case SimdUnary.Softplus: mapF32<Softplus>(dst, src, n); break;
    case SimdUnary.Mish: mapF32<Mish>(dst, src, n); break;
    case SimdUnary.Erf: mapF32<Erf>(dst, src, n); break;
    case SimdUnary.Gelu: mapF32<Gelu>(dst, src, n); break;
    default: mapF32<GeluTanh>(dst, src, n); break;
  }
}

/** Codes of the row operations (globals `SimdRow.Max`, ...). */
export enum SimdRow { Max, Min, Sum, Logsumexp, Softmax, LogSoftmax }

/**
 * `rows` contiguous rows of n >= 1 float32 at src. Max, Min, Sum and Logsumexp write one
 * float32 per row to dst; Softmax and LogSoftmax write each row (dst may be src).
 */
export function simdRowsF32(op: i32, dst: usize, src: usize, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>r * bytes, out = dst + (<usize>r << 2);
    switch (op) {
      case SimdRow.Max: store<f32>(out, maxF32(row, n)); break;
      case SimdRow.Min: store<f32>(out, minF32(row, n)); break;
      case SimdRow.Sum: store<f32>(out, <f32>sumF32(row, n)); break;
      case SimdRow.Logsumexp: store<f32>(out, logsumexpF32(row, n)); break;
      case SimdRow.Softmax: softmaxF32(dst + <usize>r * bytes, row, n); break;
      default: logSoftmaxF32(dst + <usize>r * bytes, row, n); break;
    }
  }
}
