// Loss modules, taking PyTorch's constructor arguments (positional or one options object,
// including the deprecated sizeAverage/reduce). As in PyTorch, `weight` (and
// BCEWithLogitsLoss's `pos_weight`) are buffers, in the state dict when given.
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { Module } from "./module.js";
import * as F from "./functional/loss.js";
import { type Reduction, lossReduction } from "./functional/reduction.js";

const LEGACY = F.REDUCTION_DEFAULTS;

/** PyTorch's _Loss: the reduction. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: F.ReductionOptions) {
    super();
    this.reduction = lossReduction(options);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** PyTorch's _WeightedLoss: a per-class (or per-element) weight buffer. */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(options: F.ReductionOptions & { weight?: Tensor | null }) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
  }
}

export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(...args: [weight?: Tensor | null, sizeAverage?: F.LegacyFlag, ignoreIndex?: number, reduce?: F.LegacyFlag, reduction?: Reduction] | [options: F.NllLossOptions]) {
    const o = bind<Required<F.NllLossOptions>>(["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], args, { ...LEGACY, weight: null, ignoreIndex: -100 });
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

  constructor(
    ...args: [weight?: Tensor | null, sizeAverage?: F.LegacyFlag, ignoreIndex?: number, reduce?: F.LegacyFlag, reduction?: Reduction, labelSmoothing?: number]
      | [options: F.CrossEntropyOptions]
  ) {
    const o = bind<Required<F.CrossEntropyOptions>>(
      ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], args, { ...LEGACY, weight: null, ignoreIndex: -100, labelSmoothing: 0 });
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
    super(F.reductionOptions(args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(...args: F.ReductionArgs) {
    super(F.reductionOptions(args));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(...args: [sizeAverage?: F.LegacyFlag, reduce?: F.LegacyFlag, reduction?: Reduction, beta?: number] | [options: F.ReductionOptions & { beta?: number }]) {
    const o = bind<Required<F.ReductionOptions> & { beta: number }>(["sizeAverage", "reduce", "reduction", "beta"], args, { ...LEGACY, beta: 1 });
    super(o);
    this.beta = o.beta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(...args: [weight?: Tensor | null, sizeAverage?: F.LegacyFlag, reduce?: F.LegacyFlag, reduction?: Reduction] | [options: F.BinaryCrossEntropyOptions]) {
    super(bind<Required<F.BinaryCrossEntropyOptions>>(["weight", "sizeAverage", "reduce", "reduction"], args, { ...LEGACY, weight: null }));
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  /** the `pos_weight` buffer */
  declare pos_weight: Tensor | null;

  constructor(
    ...args: [weight?: Tensor | null, sizeAverage?: F.LegacyFlag, reduce?: F.LegacyFlag, reduction?: Reduction, posWeight?: Tensor | null]
      | [options: F.BinaryCrossEntropyWithLogitsOptions]
  ) {
    const o = bind<Required<F.BinaryCrossEntropyWithLogitsOptions>>(
      ["weight", "sizeAverage", "reduce", "reduction", "posWeight"], args, { ...LEGACY, weight: null, posWeight: null });
    super(o);
    this.registerBuffer("weight", o.weight);
    this.registerBuffer("pos_weight", o.posWeight);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}
