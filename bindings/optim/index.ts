// torch.optim
import { StepLR, CosineAnnealingLR, LambdaLR, LRScheduler } from "./lr_scheduler.js";

export { Optimizer, type ParamGroup, type ParamGroupInput, type OptimizerParams, type OptimizerStateDict, type ParamState } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamArgs } from "./adam.js";
/** torch.optim.lr_scheduler */
export const lrScheduler = { LRScheduler, StepLR, CosineAnnealingLR, LambdaLR };
export { LRScheduler, StepLR, CosineAnnealingLR, LambdaLR };
