// The `reduction` argument of the losses ("none" | "mean" | "sum"), as torch.nn._reduction reads it.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Reduction = "none" | "mean" | "sum";

/**
 * The reduction a loss call asked for: the deprecated size_average / reduce pair when given
 * (_Reduction.legacy_get_string), else `reduction` checked as _Reduction.get_enum checks it.
 */
export function lossReduction(o: { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: unknown }): Reduction {
  if (o.sizeAverage != null || o.reduce != null) return o.reduce ?? true ? (o.sizeAverage ?? true ? "mean" : "sum") : "none";
  const reduction = o.reduction ?? "mean";
  if (reduction === "none" || reduction === "mean" || reduction === "sum") return reduction;
  throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
}

/** ATen's apply_loss_reduction. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? loss.mean() : reduction === "sum" ? loss.sum() : loss;
}
