// Activations of torch.nn.functional. The pointwise ones are the tensor methods (with their
// PyTorch nodes); `inplace` selects the in-place method, as F.relu(x, inplace=True) does.
// Arguments are PyTorch's, positional or as one options object.
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { bind } from "../../ops/args.js";

export type Inplace = { inplace?: boolean };
export type InplaceArgs = [inplace?: boolean] | [options: Inplace];

/**
 * The activation that is the tensor method `method`: the arguments `names` are bound (with
 * `defaults`) and passed to it in order; `inplace` picks the in-place method instead.
 */
function activation<A extends unknown[]>(method: string, names: readonly string[] = [], defaults: Record<string, unknown> = {}) {
  return (input: Tensor, ...args: A): Tensor => {
    const o = bind(names, args, defaults);
    const fn = (input as unknown as Record<string, (...values: unknown[]) => Tensor>)[o.inplace ? `${method}_` : method];
    return fn.apply(input, names.filter((n) => n !== "inplace").map((n) => o[n]));
  };
}

const INPLACE = ["inplace"];
export const relu = activation<InplaceArgs>("relu", INPLACE, { inplace: false });
export const silu = activation<InplaceArgs>("silu", INPLACE, { inplace: false });
export const mish = activation<InplaceArgs>("mish", INPLACE, { inplace: false });
export const gelu = activation<[approximate?: "none" | "tanh"] | [options: { approximate?: "none" | "tanh" }]>("gelu", ["approximate"], { approximate: "none" });
export const sigmoid = activation<[]>("sigmoid");
export const tanh = activation<[]>("tanh");
export const leakyRelu = activation<[negativeSlope?: number, inplace?: boolean] | [options: Inplace & { negativeSlope?: number }]>(
  "leakyRelu", ["negativeSlope", "inplace"], { negativeSlope: 0.01, inplace: false });
export const elu = activation<[alpha?: number, inplace?: boolean] | [options: Inplace & { alpha?: number }]>("elu", ["alpha", "inplace"], { alpha: 1, inplace: false });
export const softplus = activation<[beta?: number, threshold?: number] | [options: { beta?: number; threshold?: number }]>(
  "softplus", ["beta", "threshold"], { beta: 1, threshold: 20 });
export const hardtanh = activation<[minVal?: number, maxVal?: number, inplace?: boolean] | [options: Inplace & { minVal?: number; maxVal?: number }]>(
  "hardtanh", ["minVal", "maxVal", "inplace"], { minVal: -1, maxVal: 1, inplace: false });

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
