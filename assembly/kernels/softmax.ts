// softmax, log_softmax and logsumexp of contiguous float32 rows, each row fused into three
// passes (max, exp-sum, normalise; assembly/simd/rows.ts). bindings/ops/reduction.ts calls
// it when the reduced dims are a float32 tensor's contiguous trailing dims and composes the
// reduce, binary and unary kernels otherwise.
import { logSoftmaxBackwardF32, logSoftmaxF32, logsumexpF32, softmaxBackwardF32, softmaxF32 } from "../simd/rows";

/** Codes shared with JS (exported as globals `RowSoftmax.Softmax`, ...). */
export enum RowSoftmax { Softmax, LogSoftmax, Logsumexp }

/**
 * `rows` contiguous rows of n >= 1 float32 at src. Softmax and LogSoftmax write each row to
 * dst (which may be src); Logsumexp writes one float32 per row.
 */
export function softmaxRows(op: i32, rows: i32, n: i32, dst: usize, src: usize): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>r * bytes;
    switch (op) {
      case RowSoftmax.Softmax: softmaxF32(dst + <usize>r * bytes, row, n); break;
      case RowSoftmax.LogSoftmax: logSoftmaxF32(dst + <usize>r * bytes, row, n); break;
      default: store<f32>(dst + (<usize>r << 2), logsumexpF32(row, n)); break;
    }
  }
}

/**
 * The gradients of `rows` contiguous rows of n >= 1 float32: op Softmax or LogSoftmax names
 * the forward, whose output rows are at out; grad and dst rows alike (dst may be grad).
 */
export function softmaxBackwardRows(op: i32, rows: i32, n: i32, dst: usize, grad: usize, out: usize): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * bytes;
    if (op == RowSoftmax.Softmax) softmaxBackwardF32(dst + o, grad + o, out + o, n);
    else logSoftmaxBackwardF32(dst + o, grad + o, out + o, n);
  }
}
