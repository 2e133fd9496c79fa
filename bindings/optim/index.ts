// torch.optim (the LR schedulers are the subpath `tapegrad/optim/lr_scheduler`)
export { Optimizer, type ParamGroup, type ParamGroupInput, type OptimizerParams, type OptimizerStateDict, type ParamState } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamArgs } from "./adam.js";
