// Activation modules: thin Modules over the functional forms. Three bases hold the shared
// shapes (no options, `inplace`, `dim`); each activation names its function.
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { Module } from "./module.js";
import * as F from "./functional/activation.js";

abstract class Elementwise extends Module {
  protected abstract fn(input: Tensor): Tensor;

  forward(input: Tensor): Tensor {
    return this.fn(input);
  }
}

/** Activations taking `inplace`: `new ReLU()`, `new ReLU(true)`, `new ReLU({ inplace: true })`. */
abstract class WithInplace extends Module {
  readonly inplace: boolean;

  constructor(...args: [inplace?: boolean] | [options: { inplace?: boolean }]) {
    super();
    this.inplace = bind(["inplace"], args, { inplace: false }).inplace;
  }

  protected abstract fn(input: Tensor, options: { inplace: boolean }): Tensor;

  forward(input: Tensor): Tensor {
    return this.fn(input, { inplace: this.inplace });
  }

  extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** Activations along a dim: `new Softmax(1)` or `new Softmax({ dim: 1 })`; without dim, PyTorch's legacy choice. */
abstract class AlongDim extends Module {
  readonly dim: number | null;

  constructor(...args: [dim?: number | null] | [options: { dim?: number | null }]) {
    super();
    this.dim = bind<{ dim: number | null }>(["dim"], args, { dim: null }).dim;
  }

  protected abstract fn(input: Tensor, dim: number | null): Tensor;

  forward(input: Tensor): Tensor {
    return this.fn(input, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

export class Tanh extends Elementwise {
  protected fn(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Sigmoid extends Elementwise {
  protected fn(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

export class ReLU extends WithInplace {
  protected fn(input: Tensor, options: { inplace: boolean }): Tensor {
    return F.relu(input, options);
  }
}

export class SiLU extends WithInplace {
  protected fn(input: Tensor, options: { inplace: boolean }): Tensor {
    return F.silu(input, options);
  }
}

export class Mish extends WithInplace {
  protected fn(input: Tensor, options: { inplace: boolean }): Tensor {
    return F.mish(input, options);
  }
}

export class Softmax extends AlongDim {
  protected fn(input: Tensor, dim: number | null): Tensor {
    return F.softmax(input, dim);
  }
}

export class LogSoftmax extends AlongDim {
  protected fn(input: Tensor, dim: number | null): Tensor {
    return F.logSoftmax(input, dim);
  }
}

/** GELU, exact ("none") or with the tanh approximation. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(...args: [approximate?: "none" | "tanh"] | [options: { approximate?: "none" | "tanh" }]) {
    super();
    this.approximate = bind<{ approximate: "none" | "tanh" }>(["approximate"], args, { approximate: "none" }).approximate;
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}
