// torch.nn
import * as functional from "./functional.js";
import * as init from "./init.js";
import { clipGradNorm_, clipGradValue_ } from "./utils/clip_grad.js";
export type { TensorOrTensors } from "./utils/clip_grad.js";

export { functional, init };
/** torch.nn.utils */
export const utils = { clipGradNorm_, clipGradValue_ };
export { Module, type ForwardHook, type ForwardPreHook, type IncompatibleKeys } from "./module.js";
export { RemovableHandle } from "./hooks.js";
export { Parameter } from "./parameter.js";
export { Sequential, ModuleList, ModuleDict } from "./container.js";
export { Linear, Identity } from "./linear.js";
export { Flatten } from "./flatten.js";
export { Embedding, type EmbeddingOptions } from "./embedding.js";
export { LayerNorm, type LayerNormOptions } from "./normalization.js";
export { Dropout } from "./dropout.js";
export { ReLU, GELU, Tanh, Sigmoid, SiLU, Mish, Softmax, LogSoftmax } from "./activation.js";
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss } from "./loss.js";
