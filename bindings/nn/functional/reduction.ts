// The `reduction` argument of the losses ("none" | "mean" | "sum"), as torch.nn._reduction reads it.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";

export type Reduction = "none" | "mean" | "sum";

/** PyTorch's _Reduction.get_enum: the reduction, or a ValueError for anything else. */
export function checkReduction(reduction: unknown): Reduction {
  if (reduction === "none" || reduction === "mean" || reduction === "sum") return reduction;
  throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
}

/** ATen's apply_loss_reduction. */
export function applyReduction(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  return loss;
}
