// Loss modules, taking PyTorch's constructor arguments (positional or one options object,
// including the deprecated sizeAverage/reduce). As in PyTorch, `weight` (and
// BCEWithLogitsLoss's `pos_weight`) are buffers, in the state dict when given.
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import * as F from "./functional/loss.js";
import type { Reduction } from "./functional/reduction.js";

/** PyTorch's _Loss: the reduction, and the buffers (weight, pos_weight) the loss was given. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: { reduction: Reduction }, buffers: Record<string, Tensor | null> = {}) {
    super();
    this.reduction = options.reduction;
    for (const [name, t] of Object.entries(buffers)) this.registerBuffer(name, t);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

export class NLLLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(...args: F.NllLossArgs) {
    const o = F.nllLossArgs(args);
    super(o, { weight: o.weight });
    this.ignoreIndex = o.ignoreIndex;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends Loss {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(...args: F.CrossEntropyArgs) {
    const o = F.crossEntropyArgs(args);
    super(o, { weight: o.weight });
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** The losses with only a reduction: `fn` is the functional form. */
abstract class ReductionLoss extends Loss {
  constructor(...args: F.ReductionArgs) {
    super(F.reductionArgs(args));
  }

  protected abstract fn(input: Tensor, target: Tensor, options: { reduction: Reduction }): Tensor;

  forward(input: Tensor, target: Tensor): Tensor {
    return this.fn(input, target, { reduction: this.reduction });
  }
}

export class MSELoss extends ReductionLoss {
  protected fn(input: Tensor, target: Tensor, options: { reduction: Reduction }): Tensor {
    return F.mseLoss(input, target, options);
  }
}

export class L1Loss extends ReductionLoss {
  protected fn(input: Tensor, target: Tensor, options: { reduction: Reduction }): Tensor {
    return F.l1Loss(input, target, options);
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(...args: F.SmoothL1LossArgs) {
    const o = F.smoothL1LossArgs(args);
    super(o);
    this.beta = o.beta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class BCELoss extends Loss {
  declare weight: Tensor | null;

  constructor(...args: F.BinaryCrossEntropyArgs) {
    const o = F.binaryCrossEntropyArgs(args);
    super(o, { weight: o.weight });
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  /** the `pos_weight` buffer */
  declare pos_weight: Tensor | null;

  constructor(...args: F.BinaryCrossEntropyWithLogitsArgs) {
    const o = F.binaryCrossEntropyWithLogitsArgs(args);
    super(o, { weight: o.weight, pos_weight: o.posWeight });
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
