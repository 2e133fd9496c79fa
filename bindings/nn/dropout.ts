// torch.nn.Dropout
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../errors.js";
import { Module } from "./module.js";
import { dropout } from "./functional/dropout.js";
import { pyBool, pyFloat } from "./format.js";
import type { Generator } from "../random/generator.js";

/**
 * Zeroes each element with probability p in training mode (scaling the rest by 1/(1-p));
 * returns its input unchanged in eval mode. `generator` draws the mask (default: global).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  generator: Generator | null;

  constructor(p: number | { p?: number; inplace?: boolean; generator?: Generator | null } = 0.5, options: { inplace?: boolean; generator?: Generator | null } = {}) {
    super();
    const o = typeof p === "number" ? { ...options, p } : p;
    this.p = o.p ?? 0.5;
    if (this.p < 0 || this.p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
    this.inplace = o.inplace ?? false;
    this.generator = o.generator ?? null;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, inplace: this.inplace, generator: this.generator });
  }

  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
