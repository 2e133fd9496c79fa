// torch.nn.functional
export { relu, silu, gelu, sigmoid, tanh, mish, leakyRelu, elu, softplus, hardtanh, softmax, logSoftmax } from "./functional/activation.js";
export { linear } from "./functional/linear.js";
export { oneHot } from "../ops/shape.js";
export { embedding } from "./functional/embedding.js";
export { layerNorm } from "./functional/normalization.js";
export { dropout } from "./functional/dropout.js";
export {
  nllLoss, crossEntropy, mseLoss, l1Loss, smoothL1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
} from "./functional/loss.js";
export type { Reduction } from "./functional/reduction.js";
export type { Inplace, InplaceArgs, SoftmaxArgs } from "./functional/activation.js";
export type { DropoutOptions } from "./functional/dropout.js";
export type { LayerNormOptions } from "./functional/normalization.js";
export type {
  LegacyFlag, LegacyReduction, ReductionOptions, ReductionArgs, NllLossOptions, CrossEntropyOptions,
  BinaryCrossEntropyOptions, BinaryCrossEntropyWithLogitsOptions, NllLossArgs, CrossEntropyArgs, SmoothL1LossArgs,
  BinaryCrossEntropyArgs, BinaryCrossEntropyWithLogitsArgs,
} from "./functional/loss.js";
