// Activations of torch.nn.functional. The pointwise ones are the tensor methods (with their
// PyTorch nodes); `inplace` selects the in-place method, as F.relu(x, inplace=True) does.
// Arguments are PyTorch's, positional or as one options object.
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { bind } from "../../ops/args.js";

export type Inplace = { inplace?: boolean };
export type InplaceArgs = [inplace?: boolean] | [options: Inplace];
const inplaceOf = (args: readonly unknown[]) => bind(["inplace"], args, { inplace: false }).inplace;

export function relu(input: Tensor, ...args: InplaceArgs): Tensor {
  return inplaceOf(args) ? input.relu_() : input.relu();
}

export function silu(input: Tensor, ...args: InplaceArgs): Tensor {
  return inplaceOf(args) ? input.silu_() : input.silu();
}

export function mish(input: Tensor, ...args: InplaceArgs): Tensor {
  return inplaceOf(args) ? input.mish_() : input.mish();
}

export function gelu(input: Tensor, ...args: [approximate?: "none" | "tanh"] | [options: { approximate?: "none" | "tanh" }]): Tensor {
  return input.gelu(bind<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" }));
}

export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}

export function tanh(input: Tensor): Tensor {
  return input.tanh();
}

export function leakyRelu(input: Tensor, ...args: [negativeSlope?: number, inplace?: boolean] | [options: Inplace & { negativeSlope?: number }]): Tensor {
  const o = bind(["negativeSlope", "inplace"], args, { negativeSlope: 0.01, inplace: false });
  return o.inplace ? input.leakyRelu_(o.negativeSlope) : input.leakyRelu(o.negativeSlope);
}

export function elu(input: Tensor, ...args: [alpha?: number, inplace?: boolean] | [options: Inplace & { alpha?: number }]): Tensor {
  const o = bind(["alpha", "inplace"], args, { alpha: 1, inplace: false });
  return o.inplace ? input.elu_(o.alpha) : input.elu(o.alpha);
}

export function softplus(input: Tensor, ...args: [beta?: number, threshold?: number] | [options: { beta?: number; threshold?: number }]): Tensor {
  const o = bind(["beta", "threshold"], args, { beta: 1, threshold: 20 });
  return input.softplus(o.beta, o.threshold);
}

export function hardtanh(
  input: Tensor, ...args: [minVal?: number, maxVal?: number, inplace?: boolean] | [options: Inplace & { minVal?: number; maxVal?: number }]
): Tensor {
  const o = bind(["minVal", "maxVal", "inplace"], args, { minVal: -1, maxVal: 1, inplace: false });
  return o.inplace ? input.hardtanh_(o.minVal, o.maxVal) : input.hardtanh(o.minVal, o.maxVal);
}

/** PyTorch's _get_softmax_dim: the legacy choice when no dim is given. */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

export type SoftmaxArgs = [dim?: number | null, options?: { dtype?: DType | null }] | [options: { dim?: number | null; dtype?: DType | null }];

function softmaxArgs(input: Tensor, args: SoftmaxArgs): [number, { dtype?: DType }] {
  const o = bind<{ dim: number | null; dtype: DType | null }>(["dim"], args, { dim: null, dtype: null });
  return [o.dim ?? implicitSoftmaxDim(input.ndim), o.dtype === null ? {} : { dtype: o.dtype }];
}

/** F.softmax(input, dim, { dtype }): without dim, PyTorch's legacy implicit choice. */
export function softmax(input: Tensor, ...args: SoftmaxArgs): Tensor {
  return input.softmax(...softmaxArgs(input, args));
}

export function logSoftmax(input: Tensor, ...args: SoftmaxArgs): Tensor {
  return input.logSoftmax(...softmaxArgs(input, args));
}
