// F.dropout as ATen's CPU _dropout_impl computes it: a bernoulli(1 - p) mask scaled by
// 1 / (1 - p) multiplies the input (MulBackward0), so the generator is consumed as PyTorch
// consumes it.
import { ValueError } from "../../errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { bind } from "../../ops/args.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { scoped } from "../composite.js";
import type { Generator } from "../../random/generator.js";

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
  /** the random generator (default: the global one) */
  generator?: Generator | null;
}

/**
 * `dropout(x, p = 0.5, training = true)` or `dropout(x, { p, training, inplace, generator })`.
 * Without training (or with p = 0) the input itself is returned, as in PyTorch.
 */
export function dropout(input: Tensor, ...args: [p?: number, training?: boolean, options?: DropoutOptions] | [options: DropoutOptions]): Tensor {
  const o = bind<Required<DropoutOptions>>(["p", "training", "inplace"], args, { p: 0.5, training: true, inplace: false, generator: null });
  if (o.p < 0 || o.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${o.p}`);
  if (o.p === 0 || !o.training || input.numel() === 0) return input;
  return scoped(() => {
    const noise = noGrad(() => {
      if (o.p === 1) return input.newZeros([]);
      const mask = input.emptyLike();
      mask.bernoulli_(1 - o.p, { generator: o.generator ?? undefined });
      return mask.div_(1 - o.p);
    });
    return o.inplace ? input.mul_(noise) : input.mul(noise);
  });
}
