// torch.nn.Linear and Identity.
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { Module } from "./module.js";
import { Parameter, emptyParameter } from "./parameter.js";
import { linear } from "./functional/linear.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { pyBool } from "./format.js";

/** y = x Wᵀ + b, with weight [outFeatures, inFeatures]. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  /** `new Linear(4, 8)`, `new Linear(4, 8, false)` or `new Linear(4, 8, { bias: false, dtype })` */
  constructor(inFeatures: number, outFeatures: number, ...args: [bias?: boolean] | [options: { bias?: boolean; dtype?: DType }]) {
    super();
    const options = bind<{ bias: boolean; dtype: DType }>(["bias"], args, { bias: true, dtype: "float32" });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = emptyParameter([outFeatures, inFeatures], options.dtype);
    this.bias = options.bias ? emptyParameter([outFeatures], options.dtype) : null;
    this.resetParameters();
  }

  /** PyTorch's default: kaiming_uniform_(a=√5) for the weight, U(-1/√fan_in, 1/√fan_in) for the bias. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input (the same tensor, as PyTorch's Identity); constructor arguments are ignored. */
export class Identity extends Module {
  constructor(...args: unknown[]) {
    super();
    void args;
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}
