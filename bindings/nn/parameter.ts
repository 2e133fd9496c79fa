// torch.nn.Parameter: a leaf tensor that a Module registers as one of its parameters. Like
// PyTorch's `_make_subclass(cls, data.detach(), requires_grad)`, it shares the given tensor's
// memory and version counter, without its history.
//
// A Parameter is state owned by its module: it is exempt from `tidy()` (kept) and freed by
// `module.dispose()` or its own `dispose()`.
import { RuntimeError, messages } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { alive } from "../ops/checks.js";
import { empty } from "../ops/creation.js";
import type { DType } from "../tensor/dtype.js";

export class Parameter extends Tensor {
  /**
   * `new Parameter(data, requiresGrad = true)`; without data, an empty float32 tensor.
   * `requiresGrad` may also be given as `{ requiresGrad }`.
   */
  constructor(data: Tensor | null = null, requiresGrad: boolean | { requiresGrad?: boolean } = true) {
    const base = data ?? empty(0);
    alive(base);
    base._storage.retain();
    super({ storage: base._storage, shape: [...base._shape], strides: [...base._strides], offset: base._offset, dtype: base.dtype, version: base._version });
    if (data === null) base.dispose();
    const grad = typeof requiresGrad === "boolean" ? requiresGrad : requiresGrad.requiresGrad ?? true;
    if (grad && !isFloating(this.dtype)) {
      this.dispose();
      throw new RuntimeError(messages.requiresGradFactoryDtype());
    }
    this._requiresGrad = grad;
    this.keep();
  }

  toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A fresh Parameter over new, uninitialized memory (what `Parameter(torch.empty(...))` makes). */
export function emptyParameter(shape: readonly number[], dtype: DType = "float32"): Parameter {
  const data = empty([...shape], { dtype });
  try {
    return new Parameter(data);
  } finally {
    data.dispose();
  }
}
