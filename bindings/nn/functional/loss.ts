// The losses of torch.nn.functional, following ATen's definitions: nll_loss and the losses with
// a backward node of their own (NllLossBackward0, MseLossBackward0, SmoothL1LossBackward0,
// BinaryCrossEntropyBackward0, BinaryCrossEntropyWithLogitsBackward0) are recorded with that
// node and PyTorch's formula; cross_entropy and l1_loss are composites, as in ATen.
import { IndexError, RuntimeError, ValueError, formatShape } from "../../errors.js";
import { DTYPES, isFloating } from "../../tensor/dtype.js";
import { broadcastShapes, sameShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { BackwardContext, Derivative, Grads } from "../../ops/record.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { recordComposite, scoped } from "../composite.js";
import { pySize } from "../format.js";
import { bind } from "../../ops/args.js";
import { type Reduction, applyReduction, lossReduction } from "./reduction.js";

/** PyTorch's deprecated reduction arguments (size_average, reduce), still accepted. */
export interface LegacyReduction {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
}

export interface ReductionOptions extends LegacyReduction {
  reduction?: Reduction;
}

export interface NllLossOptions extends ReductionOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllLossOptions {
  labelSmoothing?: number;
}

export interface BinaryCrossEntropyOptions extends ReductionOptions {
  weight?: Tensor | null;
}

export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  posWeight?: Tensor | null;
}

/** A value of size_average / reduce (null: not given). */
export type LegacyFlag = boolean | null;

/** The arguments of every loss: the deprecated pair and `reduction` (the pair wins when given). */
const REDUCTION_NAMES = ["sizeAverage", "reduce", "reduction"] as const;
const NLL_NAMES = ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"] as const;
const NLL_DEFAULTS = { weight: null, ignoreIndex: -100 };

/**
 * A loss's arguments after (input, target) in PyTorch's positional order, or one options object;
 * `reduction` comes back resolved from the legacy pair.
 */
const lossArgs = <O extends ReductionOptions>(names: readonly string[], defaults: Omit<Required<O>, keyof ReductionOptions>) =>
  (args: readonly unknown[]): Required<O> & { reduction: Reduction } => {
    const o = bind<Required<O>>(names as (keyof O & string)[], args, { sizeAverage: null, reduce: null, reduction: "mean", ...defaults } as Required<O>);
    return { ...o, reduction: lossReduction(o) };
  };

export type NllLossArgs = [weight?: Tensor | null, sizeAverage?: LegacyFlag, ignoreIndex?: number, reduce?: LegacyFlag, reduction?: Reduction] | [options: NllLossOptions];
export const nllLossArgs = lossArgs<NllLossOptions>(NLL_NAMES, NLL_DEFAULTS);

export type CrossEntropyArgs =
  | [weight?: Tensor | null, sizeAverage?: LegacyFlag, ignoreIndex?: number, reduce?: LegacyFlag, reduction?: Reduction, labelSmoothing?: number]
  | [options: CrossEntropyOptions];
export const crossEntropyArgs = lossArgs<CrossEntropyOptions>([...NLL_NAMES, "labelSmoothing"], { ...NLL_DEFAULTS, labelSmoothing: 0 });

/** The arguments of the losses that have only a reduction: positional, or one options object. */
export type ReductionArgs = [sizeAverage?: LegacyFlag, reduce?: LegacyFlag, reduction?: Reduction] | [options: ReductionOptions];
export const reductionArgs = lossArgs<ReductionOptions>(REDUCTION_NAMES, {});

export type SmoothL1LossArgs = [sizeAverage?: LegacyFlag, reduce?: LegacyFlag, reduction?: Reduction, beta?: number] | [options: ReductionOptions & { beta?: number }];
export const smoothL1LossArgs = lossArgs<ReductionOptions & { beta?: number }>([...REDUCTION_NAMES, "beta"], { beta: 1 });

export type BinaryCrossEntropyArgs =
  | [weight?: Tensor | null, sizeAverage?: LegacyFlag, reduce?: LegacyFlag, reduction?: Reduction] | [options: BinaryCrossEntropyOptions];
export const binaryCrossEntropyArgs = lossArgs<BinaryCrossEntropyOptions>(["weight", ...REDUCTION_NAMES], { weight: null });

export type BinaryCrossEntropyWithLogitsArgs =
  | [weight?: Tensor | null, sizeAverage?: LegacyFlag, reduce?: LegacyFlag, reduction?: Reduction, posWeight?: Tensor | null]
  | [options: BinaryCrossEntropyWithLogitsOptions];
export const binaryCrossEntropyWithLogitsArgs = lossArgs<BinaryCrossEntropyWithLogitsOptions>(
  ["weight", ...REDUCTION_NAMES, "posWeight"], { weight: null, posWeight: null });

/** PyTorch's name of a tensor's scalar type in messages (Float, Long...). */
const scalarName = (t: Tensor) => DTYPES[t.dtype].scalarName;

// ---- nll_loss ---------------------------------------------------------------------------------

interface NllAttrs {
  reduction: Reduction;
  /** the input had no batch dim */
  single: boolean;
  classes: number;
}

/** nll_loss (1-D/2-D input) and nll_loss2d (the class dim moved last, flattened to rows) share the formula. */
const nllDerivative = (name: string): Derivative<NllAttrs> => ({
  name, inputs: ["self"],
  backward: ({ grad, saved, attrs }) => {
    const rows = saved("weights");
    // "none": one gradient per row, whatever shape the output had; else one for all rows
    const g = attrs.reduction === "none" ? grad.reshape(-1) : attrs.reduction === "mean" ? grad.div(saved("total_weight")) : grad;
    const perRow = saved("keep").where(rows.mul(g).neg(), 0);
    const out = rows.newZeros([rows.shape[0], attrs.classes]).scatter(1, saved("target").unsqueeze(1), perRow.unsqueeze(1));
    return { self: attrs.single ? out.squeeze(0) : out };
  },
});
const NLL_LOSS = nllDerivative("NllLossBackward0");
const NLL_LOSS_2D = nllDerivative("NllLoss2DBackward0");

/**
 * ATen's nll_loss after its meta checks, on 1-D/2-D `input` (for nll_loss2d: the rows of the
 * flattened input, recorded under `derivative`; `noneShape` shapes the unreduced output).
 */
function nllLossRows(
  input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number,
  derivative: Derivative<NllAttrs> = NLL_LOSS, noneShape: number[] | null = null,
): Tensor {
  if (input.ndim < 1 || input.ndim > 2) throw new RuntimeError("input tensor should be 1D or 2D");
  if (target.ndim > 1) throw new RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  const single = input.ndim === 1 && target.ndim === 0;
  if (!single && input.shape[0] !== target.shape[0]) {
    throw new RuntimeError(`size mismatch (got input: ${formatShape(input.shape)}, target: ${formatShape(target.shape)})`);
  }
  if (input.ndim === 1 && target.ndim === 1) {
    throw new RuntimeError(`Expected target to be 0D when input is 1D, but got target.dim =${target.ndim}`);
  }
  const classes = input.shape[input.ndim - 1];
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== classes)) {
    throw new RuntimeError(
      `weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  if (target.dtype !== "int64" && target.dtype !== "uint8") {
    throw new RuntimeError(`expected scalar type Long but found ${scalarName(target)}`);
  }
  return scoped(() => {
    const { keep, safeTarget, weights, totalWeight } = noGrad(() => {
      const t = (single ? target.unsqueeze(0) : target).to("int64");
      const keep = t.ne(ignoreIndex);
      const outOfRange = keep.logicalAnd(t.lt(0).logicalOr(t.ge(classes)));
      if (outOfRange.any().item()) {
        const first = outOfRange.nonzero().reshape(-1).narrow(0, 0, 1);
        throw new IndexError(`Target ${t.indexSelect(0, first).item()} is out of bounds.`);
      }
      const safeTarget = keep.where(t, 0);
      const weights = weight === null ? keep.to(input.dtype) : weight.indexSelect(0, safeTarget).mul(keep);
      return { keep, safeTarget, weights, totalWeight: weights.sum() };
    });
    const attrs: NllAttrs = { reduction, single, classes };
    const aux = { target: safeTarget, weights, keep, total_weight: totalWeight };
    return recordComposite(derivative, [input], attrs, () => {
      const x = single ? input.unsqueeze(0) : input;
      const losses = keep.where(x.gather(1, safeTarget.unsqueeze(1)).squeeze(1).mul(weights).neg(), 0);
      if (reduction === "none") return single ? losses.squeeze(0) : noneShape === null ? losses : losses.view(noneShape);
      const total = losses.sum();
      return reduction === "sum" ? total : total.div(totalWeight);
    }, aux);
  });
}

/** ATen's nll_loss_nd: [N, C], [C] or [N, C, d1, ...] input with class-index targets. */
function nllLossNd(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number): Tensor {
  if (input.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.ndim})`);
  if (input.ndim !== 1 && input.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  if (input.ndim <= 2) return nllLossRows(input, target, weight, reduction, ignoreIndex);
  const [n, c] = input.shape;
  const outSize = [n, ...input.shape.slice(2)];
  if (!sameShape(target.shape.slice(1), input.shape.slice(2))) {
    throw new RuntimeError(`Expected target size ${formatShape(outSize)}, got ${formatShape(target.shape)}`);
  }
  // nll_loss2d, with the class dim moved last and the rest flattened into rows; PyTorch's
  // graph ends in NllLoss2DBackward0 for 4-D input and in a view of it otherwise
  const is2d = input.ndim === 4;
  return scoped(() => {
    const loss = nllLossRows(input.movedim(1, -1).reshape(-1, c), target.reshape(-1), weight, reduction, ignoreIndex, NLL_LOSS_2D, is2d ? outSize : null);
    return reduction === "none" && !is2d ? loss.view(outSize) : loss;
  });
}

/** F.nll_loss(input, target, weight = null, sizeAverage, ignoreIndex = -100, reduce, reduction = "mean") */
export function nllLoss(input: Tensor, target: Tensor, ...args: NllLossArgs): Tensor {
  const o = nllLossArgs(args);
  return nllLossNd(input, target, o.weight, o.reduction, o.ignoreIndex);
}

// ---- cross_entropy ---------------------------------------------------------------------------

/** The weight as a [1, C, 1, ...] view that broadcasts along `classDim` of an input of `ndim` dims. */
function classWeightView(weight: Tensor, ndim: number, classDim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[classDim] = weight.shape[0];
  return weight.view(shape);
}

/** ATen's cross_entropy_loss_prob_target: targets are class probabilities. */
function crossEntropyProbabilities(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, labelSmoothing: number, classDim: number): Tensor {
  const classes = input.shape[classDim];
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== classes)) {
    throw new RuntimeError(
      `cross_entropy: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  return scoped(() => {
    const t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
    let prod = input.logSoftmax(classDim).mul(t);
    if (weight !== null) prod = prod.mul(classWeightView(weight, input.ndim, classDim));
    if (reduction === "none") return prod.sum(classDim).neg();
    const total = prod.sum().neg();
    if (reduction === "sum") return total;
    return input.numel() === 0 ? total.fill_(NaN) : total.div(Math.trunc(input.numel() / classes));
  });
}

/** ATen's cross_entropy_loss_label_smoothing: class indices with smoothed targets. */
function crossEntropySmoothed(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ignoreIndex: number, labelSmoothing: number, classDim: number): Tensor {
  return scoped(() => {
    const logp = input.logSoftmax(classDim);
    const nll = nllLossNd(logp, target, weight, reduction, ignoreIndex);
    const smooth = (weight !== null ? logp.mul(classWeightView(weight, logp.ndim, classDim)) : logp).sum(classDim).neg();
    const ignored = target.eq(ignoreIndex);
    const masked = smooth.maskedFill(ignored, 0);
    let ret = masked;
    if (reduction === "mean") {
      const kept = ignored.logicalNot();
      ret = masked.sum().div(weight !== null ? weight.gather(0, target.maskedSelect(kept).flatten()).sum() : kept.sum());
    } else if (reduction === "sum") ret = masked.sum();
    return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / logp.shape[classDim]));
  });
}

/**
 * F.cross_entropy(input, target, weight = null, sizeAverage, ignoreIndex = -100, reduce,
 * reduction = "mean", labelSmoothing = 0): class indices (int64), or class probabilities when
 * target has the input's shape.
 */
export function crossEntropy(input: Tensor, target: Tensor, ...args: CrossEntropyArgs): Tensor {
  const { weight, ignoreIndex, labelSmoothing, reduction } = crossEntropyArgs(args);
  const classDim = input.ndim === 1 ? 0 : 1;
  if (sameShape(input.shape, target.shape)) {
    if (!isFloating(target.dtype)) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${scalarName(target)}`);
    }
    if (ignoreIndex >= 0) throw new RuntimeError("ignore_index is not supported for floating point target");
    checkLabelSmoothing(labelSmoothing);
    return crossEntropyProbabilities(input, target, weight, reduction, labelSmoothing, classDim);
  }
  if (labelSmoothing > 0) {
    checkLabelSmoothing(labelSmoothing);
    return crossEntropySmoothed(input, target, weight, reduction, ignoreIndex, labelSmoothing, classDim);
  }
  return scoped(() => nllLossNd(input.logSoftmax(classDim), target, weight, reduction, ignoreIndex));
}

function checkLabelSmoothing(labelSmoothing: number): void {
  if (labelSmoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
}

// ---- losses with a node of their own over (self, target) ---------------------------------------

interface LossAttrs {
  reduction: Reduction;
  count: number;
  beta?: number;
  /** the optional tensors the node saved (weight, pos_weight) */
  given?: string[];
}

/** Divides by the element count for "mean" and multiplies by the weight when there is one. */
function scaled(t: Tensor, attrs: LossAttrs, weight: Tensor | null = null): Tensor {
  const w = weight === null ? t : t.mul(weight);
  return attrs.reduction === "mean" ? w.div(attrs.count) : w;
}

/** A loss node whose formulas read self and target; `optional(name)` is a saved optional tensor or null. */
const lossDerivative = (
  name: string, backward: (ctx: BackwardContext<LossAttrs>, optional: (name: string) => Tensor | null) => Grads,
): Derivative<LossAttrs> => ({
  name, inputs: ["self", "target"], saves: { self: ["self", "target"], target: ["self", "target"] },
  backward: (ctx) => backward(ctx, (n) => (ctx.attrs.given?.includes(n) ? ctx.saved(n) : null)),
});

/** Records a loss node: `optional` tensors that are given are saved, and named in attrs.given. */
function recordLoss(
  d: Derivative<LossAttrs>, input: Tensor, target: Tensor, attrs: LossAttrs, forward: () => Tensor, optional: Record<string, Tensor | null> = {},
): Tensor {
  const aux = Object.fromEntries(Object.entries(optional).filter(([, t]) => t !== null)) as Record<string, Tensor>;
  return recordComposite(d, [input, target], { ...attrs, given: Object.keys(aux) }, forward, aux);
}

/** torch.broadcast_tensors as the Python losses use it: tensors already of the shape stay as they are. */
function broadcastPair(input: Tensor, target: Tensor): Tensor[] {
  const shape = broadcastShapes(input.shape, target.shape);
  return [input, target].map((t) => (sameShape(t.shape, shape) ? t : t.expand(shape)));
}

/** d loss / d self times grad, for a loss whose gradient w.r.t. target is its negation. */
const pointwiseLoss = (name: string, grad: (diff: Tensor, beta: number) => Tensor) =>
  lossDerivative(name, ({ grad: g, saved, attrs }) => {
    const d = scaled(grad(saved("self").sub(saved("target")), attrs.beta as number).mul(g), attrs);
    return { self: d, target: () => d.neg() };
  });

const MSE_LOSS = pointwiseLoss("MseLossBackward0", (diff) => diff.mul(2));
const SMOOTH_L1_LOSS = pointwiseLoss("SmoothL1LossBackward0", (diff, beta) =>
  diff.lt(-beta).where(-1, diff.gt(beta).where(1, diff.div(beta))));

/** The broadcast difference input - target, reduced after `perElement`; recorded under `d` (null: as the ops record it). */
function differenceLoss(d: Derivative<LossAttrs> | null, input: Tensor, target: Tensor, reduction: Reduction, beta: number, perElement: (diff: Tensor) => Tensor): Tensor {
  return scoped(() => {
    const [x, y] = broadcastPair(input, target);
    const forward = () => applyReduction(perElement(x.sub(y)), reduction);
    return d === null ? forward() : recordLoss(d, x, y, { reduction, count: x.numel(), beta }, forward);
  });
}

/** F.mse_loss(input, target, sizeAverage, reduce, reduction = "mean") */
export function mseLoss(input: Tensor, target: Tensor, ...args: ReductionArgs): Tensor {
  return differenceLoss(MSE_LOSS, input, target, reductionArgs(args).reduction, 0, (d) => d.mul(d));
}

/** F.l1_loss: ATen's composite |input - target| (SubBackward0, AbsBackward0, then the reduction). */
export function l1Loss(input: Tensor, target: Tensor, ...args: ReductionArgs): Tensor {
  return differenceLoss(null, input, target, reductionArgs(args).reduction, 0, (d) => d.abs());
}

/** F.smooth_l1_loss(input, target, sizeAverage, reduce, reduction = "mean", beta = 1); beta 0 is the L1 loss. */
export function smoothL1Loss(input: Tensor, target: Tensor, ...args: SmoothL1LossArgs): Tensor {
  const { reduction, beta } = smoothL1LossArgs(args);
  if (beta === 0) return l1Loss(input, target, { reduction });
  if (beta < 0) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
  return differenceLoss(SMOOTH_L1_LOSS, input, target, reduction, beta, (d) => {
    const z = d.abs();
    return z.lt(beta).where(z.mul(0.5).mul(z).div(beta), z.sub(0.5 * beta));
  });
}

// ---- binary cross entropy ------------------------------------------------------------------------

const EPSILON = 1e-12;

const BINARY_CROSS_ENTROPY = lossDerivative("BinaryCrossEntropyBackward0", ({ grad, saved, attrs }, optional) => {
  const x = saved("self");
  return {
    self: () => scaled(grad.mul(x.sub(saved("target"))).div(x.neg().add(1).mul(x).clamp({ min: EPSILON })), attrs, optional("weight")),
    target: () => scaled(x.logit().neg().mul(grad), attrs, optional("weight")),
  };
});

/** F.binary_cross_entropy(input, target, weight = null, sizeAverage, reduce, reduction = "mean"): input holds probabilities. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...args: BinaryCrossEntropyArgs): Tensor {
  const options = binaryCrossEntropyArgs(args);
  const reduction = options.reduction;
  if (!sameShape(input.shape, target.shape)) {
    throw new ValueError(
      `Using a target size (${pySize(target)}) that is different to the input size (${pySize(input)}) is deprecated. Please ensure they have the same size.`,
    );
  }
  if (input.dtype !== target.dtype) {
    throw new RuntimeError(`Found dtype ${scalarName(target)} but expected ${scalarName(input)}`);
  }
  return scoped(() => {
    const weight = options.weight == null ? null : options.weight.expand(broadcastShapes(target.shape, options.weight.shape));
    noGrad(() => {
      for (const [name, t] of [["input", input], ["target", target]] as const) {
        if (t.lt(0).logicalOr(t.gt(1)).any().item()) throw new RuntimeError(`all elements of ${name} should be between 0 and 1`);
      }
    });
    return recordLoss(BINARY_CROSS_ENTROPY, input, target, { reduction, count: input.numel() }, () => {
      // (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100), as ATen's CPU kernel
      const loss = target.sub(1).mul(input.neg().log1p().clamp({ min: -100 })).sub(target.mul(input.log().clamp({ min: -100 })));
      return applyReduction(weight === null ? loss : loss.mul(weight), reduction);
    }, { weight });
  });
}

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), ATen's stable form. */
function logSigmoid(x: Tensor): Tensor {
  return x.clamp({ max: 0 }).sub(x.abs().neg().exp().log1p());
}

const BINARY_CROSS_ENTROPY_WITH_LOGITS = lossDerivative("BinaryCrossEntropyWithLogitsBackward0", ({ grad, saved, attrs }, optional) => {
  const x = saved("self");
  const t = saved("target");
  const pw = optional("pos_weight");
  return {
    self: () => {
      const pt = pw === null ? t : pw.mul(t);
      const g = pw === null ? x.sigmoid().sub(t) : pt.add(1).sub(t).mul(x.sigmoid()).sub(pt);
      return scaled(g.mul(grad), attrs, optional("weight"));
    },
    target: () => scaled((pw !== null ? logSigmoid(x.neg()).sub(logSigmoid(x).mul(pw)) : x.neg()).mul(grad), attrs, optional("weight")),
  };
});

/**
 * F.binary_cross_entropy_with_logits(input, target, weight = null, sizeAverage, reduce,
 * reduction = "mean", posWeight = null): sigmoid and binary cross entropy in one stable step.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...args: BinaryCrossEntropyWithLogitsArgs): Tensor {
  const { reduction, weight, posWeight } = binaryCrossEntropyWithLogitsArgs(args);
  if (!sameShape(input.shape, target.shape)) {
    throw new ValueError(`Target size (${pySize(target)}) must be the same as input size (${pySize(input)})`);
  }
  if (!isFloating(target.dtype)) {
    throw new RuntimeError(`result type ${scalarName(input)} can't be cast to the desired output type ${scalarName(target)}`);
  }
  return recordLoss(BINARY_CROSS_ENTROPY_WITH_LOGITS, input, target, { reduction, count: input.numel() }, () => {
    let logSig = logSigmoid(input);
    if (posWeight != null) logSig = logSig.mul(posWeight.sub(1).mul(target).add(1));
    const loss = target.neg().add(1).mul(input).sub(logSig);
    return applyReduction(weight == null ? loss : loss.mul(weight), reduction);
  }, { weight: weight ?? null, pos_weight: posWeight ?? null });
}
