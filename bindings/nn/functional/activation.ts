// Activations of torch.nn.functional. The pointwise ones are the tensor methods (with their
// PyTorch nodes); `inplace: true` selects the in-place method as PyTorch's F.relu(x, inplace=True).
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { bind } from "../../ops/args.js";

type Inplace = { inplace?: boolean };

export function relu(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? input.relu_() : input.relu();
}

export function silu(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? input.silu_() : input.silu();
}

export function gelu(input: Tensor, options: { approximate?: "none" | "tanh" } = {}): Tensor {
  return input.gelu(options);
}

export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}

export function tanh(input: Tensor): Tensor {
  return input.tanh();
}

export function mish(input: Tensor, options: Inplace = {}): Tensor {
  return options.inplace ? input.mish_() : input.mish();
}

export function leakyRelu(input: Tensor, negativeSlope: number | (Inplace & { negativeSlope?: number }) = 0.01, options: Inplace = {}): Tensor {
  const o = bind<{ negativeSlope: number; inplace: boolean }>(["negativeSlope"], [negativeSlope, options], { negativeSlope: 0.01, inplace: false });
  return o.inplace ? input.leakyRelu_(o.negativeSlope) : input.leakyRelu(o.negativeSlope);
}

export function elu(input: Tensor, options: Inplace & { alpha?: number } = {}): Tensor {
  const alpha = options.alpha ?? 1;
  return options.inplace ? input.elu_(alpha) : input.elu(alpha);
}

export function softplus(input: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  return input.softplus(options.beta ?? 1, options.threshold ?? 20);
}

export function hardtanh(input: Tensor, options: Inplace & { minVal?: number; maxVal?: number } = {}): Tensor {
  const lo = options.minVal ?? -1;
  const hi = options.maxVal ?? 1;
  return options.inplace ? input.hardtanh_(lo, hi) : input.hardtanh(lo, hi);
}

/** PyTorch's _get_softmax_dim: the legacy choice when no dim is given. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

type SoftmaxArgs = [dim?: number | null, options?: { dtype?: DType | null }] | [options: { dim?: number | null; dtype?: DType | null }];

function softmaxArgs(input: Tensor, args: SoftmaxArgs): [number, { dtype?: DType }] {
  const o = bind<{ dim: number | null; dtype: DType | null }>(["dim"], args, { dim: null, dtype: null });
  return [o.dim ?? implicitSoftmaxDim(input.ndim), o.dtype === null ? {} : { dtype: o.dtype }];
}

/** F.softmax(input, dim, dtype): without dim, PyTorch's legacy implicit choice. */
export function softmax(input: Tensor, ...args: SoftmaxArgs): Tensor {
  return input.softmax(...softmaxArgs(input, args));
}

export function logSoftmax(input: Tensor, ...args: SoftmaxArgs): Tensor {
  return input.logSoftmax(...softmaxArgs(input, args));
}
