// Loss modules. As in PyTorch, `weight` (and BCEWithLogitsLoss's `pos_weight`) are buffers,
// so they appear in the state dict when given.
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import * as F from "./functional/loss.js";
import { type Reduction, checkReduction } from "./functional/reduction.js";

/** PyTorch's _Loss: the reduction. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: { reduction?: Reduction }) {
    super();
    this.reduction = checkReduction(options.reduction ?? "mean");
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** PyTorch's _WeightedLoss: a per-class (or per-element) weight buffer. */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(options: { reduction?: Reduction; weight?: Tensor | null }) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
  }
}

export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(options: F.NllLossOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: F.CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    super(options);
    this.beta = options.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(options: { reduction?: Reduction; weight?: Tensor | null } = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  /** the `pos_weight` buffer */
  declare pos_weight: Tensor | null;

  constructor(options: { reduction?: Reduction; weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
