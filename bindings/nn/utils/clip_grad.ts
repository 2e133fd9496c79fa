// torch.nn.utils.clip_grad_norm_ and clip_grad_value_: gradients scaled or clamped in place,
// without recording history.
import { RuntimeError } from "../../errors.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../ops/creation.js";
import { stack } from "../../ops/shape.js";
import { vectorNorm } from "../../ops/reduction.js";
import { scoped } from "../composite.js";
import { pyFloat } from "../format.js";

/** One tensor or several, as torch.nn.utils accepts them. */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

const gradsOf = (parameters: TensorOrTensors): Tensor[] =>
  [...(parameters instanceof Tensor ? [parameters] : parameters)].map((p) => p.grad).filter((g): g is Tensor => g !== null);

/**
 * Scales the gradients so that their total norm (the norm of the per-gradient norms) is at most
 * `maxNorm`; returns the total norm before clipping (a new 0-dim tensor).
 */
export function clipGradNorm_(parameters: TensorOrTensors, maxNorm: number, options: { normType?: number; errorIfNonfinite?: boolean } = {}): Tensor {
  const normType = options.normType ?? 2;
  const grads = gradsOf(parameters);
  if (grads.length === 0) return tensor(0.0);
  return noGrad(() => scoped(() => {
    const total = vectorNorm(stack(grads.map((g) => vectorNorm(g, normType))), normType);
    if (options.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new RuntimeError(
        `The total norm of order ${pyFloat(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
          "To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`",
      );
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp({ max: 1.0 });
    for (const g of grads) g.mul_(coef);
    return total;
  }));
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue_(parameters: TensorOrTensors, clipValue: number): void {
  noGrad(() => {
    for (const g of gradsOf(parameters)) g.clamp_(-clipValue, clipValue);
  });
}
