// The `reduction` argument of the losses ("none" | "mean" | "sum"), as torch.nn._reduction reads it.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Reduction = "none" | "mean" | "sum";

/** PyTorch's _Reduction.get_enum: the reduction, or a ValueError for anything else. */
export function checkReduction(reduction: unknown): Reduction {
  if (reduction === "none" || reduction === "mean" || reduction === "sum") return reduction;
  throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
}

/** The deprecated size_average / reduce pair, as _Reduction.legacy_get_string reads it. */
export function legacyReduction(sizeAverage: boolean | null, reduce: boolean | null): Reduction {
  const average = sizeAverage ?? true;
  const reduced = reduce ?? true;
  if (average && reduced) return "mean";
  return reduced ? "sum" : "none";
}

/** The reduction a loss call asked for: the legacy pair when given, else `reduction`. */
export function lossReduction(o: { sizeAverage?: boolean | null; reduce?: boolean | null; reduction?: unknown }): Reduction {
  if ((o.sizeAverage ?? null) !== null || (o.reduce ?? null) !== null) return legacyReduction(o.sizeAverage ?? null, o.reduce ?? null);
  return checkReduction(o.reduction ?? "mean");
}

/** ATen's apply_loss_reduction. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  return loss;
}
