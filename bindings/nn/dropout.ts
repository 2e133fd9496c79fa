// torch.nn.Dropout
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import { Module } from "./module.js";
import { dropout } from "./functional/dropout.js";
import { pyBool, pyFloat } from "./format.js";
import type { Generator } from "../random/generator.js";
import { bind } from "../ops/args.js";

type DropoutModuleOptions = { inplace?: boolean; generator?: Generator | null };

/**
 * Zeroes each element with probability p in training mode (scaling the rest by 1/(1-p));
 * returns its input unchanged in eval mode. `generator` draws the mask (default: global).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  generator: Generator | null;

  /** `new Dropout(0.2)`, `new Dropout(0.2, true)`, `new Dropout(0.2, { inplace, generator })` or `new Dropout({ p, inplace, generator })` */
  constructor(...args: [p?: number, inplace?: boolean, options?: DropoutModuleOptions] | [p: number, options: DropoutModuleOptions] | [options: DropoutModuleOptions & { p?: number }]) {
    super();
    const o = bind<Required<DropoutModuleOptions> & { p: number }>(["p", "inplace"], args, { p: 0.5, inplace: false, generator: null });
    if (o.p < 0 || o.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
    this.generator = o.generator;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, inplace: this.inplace, generator: this.generator });
  }

  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
