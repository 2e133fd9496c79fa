// Loss modules, taking PyTorch's constructor arguments (positional or one options object,
// including the deprecated sizeAverage/reduce). As in PyTorch, `weight` (and
// BCEWithLogitsLoss's `pos_weight`) are buffers, in the state dict when given.
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import * as F from "./functional/loss.js";
import type { Reduction } from "./functional/reduction.js";

/** PyTorch's _Loss: the reduction. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: { reduction: Reduction }) {
    super();
    this.reduction = options.reduction;
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** PyTorch's _WeightedLoss: a per-class (or per-element) weight buffer. */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(options: { reduction: Reduction; weight: Tensor | null }) {
    super(options);
    this.registerBuffer("weight", options.weight);
  }
}

export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(...args: F.NllLossArgs) {
    const o = F.nllLossArgs(args);
    super(o);
    this.ignoreIndex = o.ignoreIndex;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(...args: F.CrossEntropyArgs) {
    const o = F.crossEntropyArgs(args);
    super(o);
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}


export class MSELoss extends Loss {
  constructor(...args: F.ReductionArgs) {
    super(F.reductionArgs(args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(...args: F.ReductionArgs) {
    super(F.reductionArgs(args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
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

export class BCELoss extends WeightedLoss {
  constructor(...args: F.BinaryCrossEntropyArgs) {
    super(F.binaryCrossEntropyArgs(args));
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
    super(o);
    this.registerBuffer("weight", o.weight);
    this.registerBuffer("pos_weight", o.posWeight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
