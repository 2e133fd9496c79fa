// torch.optim.Adam and AdamW, as PyTorch's single-tensor implementation (_single_tensor_adam):
// AdamW is Adam with decoupled weight decay (param *= 1 - lr·wd before the update). A parameter
// whose gradient and state are contiguous tensors of its dtype takes the fused step (one kernel
// pass, ops/fused.ts); any other takes the same math as composed in-place ops.
import { ValueError } from "../errors.js";
import { bind } from "../ops/args.js";
import type { Tensor } from "../tensor/tensor.js";
import { tensor } from "../ops/creation.js";
import { _fusedAdam_, fusable } from "../ops/fused.js";
import { Optimizer, type OptimizerParams, type ParamGroup } from "./optimizer.js";

export interface AdamOptions extends Record<string, unknown> {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW's weight decay (applied to the parameter, not added to the gradient) */
  decoupledWeightDecay: boolean;
}

function checkAdamOptions(o: AdamOptions): void {
  if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${o.lr}`);
  if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${o.eps}`);
  o.betas.forEach((beta, i) => {
    if (!(beta >= 0 && beta < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${beta}`);
  });
  if (!(o.weightDecay >= 0)) throw new ValueError(`Invalid weight_decay value: ${o.weightDecay}`);
}

export type AdamArgs = [lr?: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean] | [options: Partial<AdamOptions>];

function adamDefaults(args: AdamArgs, weightDecay: number, decoupledWeightDecay: boolean): AdamOptions {
  const o = bind<AdamOptions>(["lr", "betas", "eps", "weightDecay", "amsgrad"], args, {
    lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false, decoupledWeightDecay,
  });
  checkAdamOptions(o);
  return o;
}

export class Adam extends Optimizer<AdamOptions> {
  /** `new Adam(params, lr, betas, eps, weightDecay, amsgrad)` or `new Adam(params, { lr, ... })` */
  constructor(params: OptimizerParams<AdamOptions>, ...args: AdamArgs) {
    super(params, adamDefaults(args, 0, false));
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize, decoupledWeightDecay } = group;
    for (const param of group.params) {
      const grad = param.grad;
      if (grad === null) continue;
      if (this.state.get(param) === undefined) {
        this.setState(param, "step", tensor(0.0));
        for (const key of amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]) this.setState(param, key, param.zerosLike());
      }
      const { step: stepCount, exp_avg: expAvg, exp_avg_sq: expAvgSq, max_exp_avg_sq: maxExpAvgSq } = this.stateOf(param);
      const step = stepCount.add_(1).item();
      if (fusable([param, grad, expAvg, expAvgSq, amsgrad ? maxExpAvgSq : null])) {
        _fusedAdam_([param], [grad], [expAvg], [expAvgSq], amsgrad ? [maxExpAvgSq] : null,
          { lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled: decoupledWeightDecay, step });
        continue;
      }
      let g: Tensor = maximize ? grad.neg() : grad;
      if (weightDecay !== 0) {
        if (decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
        else g = g.add(param, { alpha: weightDecay });
      }
      expAvg.lerp_(g, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
      let second = expAvgSq;
      if (amsgrad) {
        // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        second = maxExpAvgSq.copy_(maxExpAvgSq.maximum(second));
      }
      // step size lr / (1 - β1^t), denominator √v / √(1 - β2^t) + eps
      const denom = second.sqrt().div(Math.sqrt(1 - beta2 ** step)).add_(eps);
      param.addcdiv_(expAvg, denom, { value: -lr / (1 - beta1 ** step) });
    }
  }
}

/** Adam with decoupled weight decay (default 1e-2). */
export class AdamW extends Adam {
  constructor(params: OptimizerParams<AdamOptions>, ...args: AdamArgs) {
    super(params, adamDefaults(args, 1e-2, true));
  }
}
