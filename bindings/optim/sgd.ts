// torch.optim.SGD, as PyTorch's single-tensor implementation (_single_tensor_sgd). A parameter
// whose gradient and momentum buffer are contiguous tensors of its dtype takes the fused step
// (one kernel pass, ops/fused.ts); any other takes the same math as composed in-place ops.
import { ValueError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { type FusedSgdOptions, _fusedSgd_, fusable } from "../ops/fused.js";
import { Optimizer, type OptimizerParams, type ParamGroup } from "./optimizer.js";

/** lr, momentum, dampening, weightDecay, nesterov, maximize: the options the fused step takes too. */
export interface SGDOptions extends FusedSgdOptions, Record<string, unknown> {}

export class SGD extends Optimizer<SGDOptions> {
  /** `new SGD(params, lr, momentum, dampening, weightDecay, nesterov)` or `new SGD(params, { lr, ... })` */
  constructor(
    params: OptimizerParams<SGDOptions>,
    ...args: [lr?: number, momentum?: number, dampening?: number, weightDecay?: number, nesterov?: boolean] | [options: Partial<SGDOptions>]
  ) {
    const defaults = bind<SGDOptions>(["lr", "momentum", "dampening", "weightDecay", "nesterov"], args, {
      lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false,
    });
    if (defaults.lr < 0) throw new ValueError(`Invalid learning rate: ${defaults.lr}`);
    if (defaults.momentum < 0) throw new ValueError(`Invalid momentum value: ${defaults.momentum}`);
    if (defaults.weightDecay < 0) throw new ValueError(`Invalid weight_decay value: ${defaults.weightDecay}`);
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
    }
    super(params, defaults);
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const param of group.params) {
      const grad = param.grad;
      if (grad === null) continue;
      const buf = momentum !== 0 ? this.state.get(param)?.momentum_buffer ?? null : null;
      if (fusable([param, grad, buf])) {
        const [made] = _fusedSgd_([param], [grad], momentum !== 0 ? [buf] : null, { lr, momentum, dampening, weightDecay, nesterov, maximize });
        if (made !== undefined && made !== buf) this.setState(param, "momentum_buffer", made);
        continue;
      }
      let d: Tensor = maximize ? grad.neg() : grad;
      if (weightDecay !== 0) d = d.add(param, { alpha: weightDecay });
      if (momentum !== 0) {
        let b = buf;
        if (b === null) b = this.setState(param, "momentum_buffer", d.clone());
        else b.mul_(momentum).add_(d, { alpha: 1 - dampening });
        d = nesterov ? d.add(b, { alpha: momentum }) : b;
      }
      param.add_(d, { alpha: -lr });
    }
  }
}
