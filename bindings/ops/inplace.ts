// Writes that are not a pointwise formula: zero_, fill_, copy_.
import { RuntimeError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { method } from "./args.js";
import { alive, checkInplaceTarget } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, recordInplace } from "./record.js";

const ZERO: Derivative<null> = { name: "ZeroBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad.zerosLike() }) };
const FILL_SCALAR: Derivative<null> = { name: "FillBackward2", inputs: ["self"], backward: ({ grad }) => ({ self: grad.zerosLike() }) };
const FILL_TENSOR: Derivative<null> = {
  name: "FillBackward3", inputs: ["self", "value"],
  backward: ({ grad, needs }) => ({ self: grad.zerosLike(), value: needs("value") ? grad.sum() : null }),
};

export function zero_(self: Tensor): Tensor {
  alive(self);
  return recordInplace(ZERO, self, [], null, () => k.fill(self, 0));
}

export function fill_(self: Tensor, value: number | boolean | Tensor): Tensor {
  alive(self);
  if (value instanceof Tensor) {
    alive(value);
    if (value.ndim !== 0) throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
    return recordInplace(FILL_TENSOR, self, [value], null, () => k.copyInto(self, value));
  }
  return recordInplace(FILL_SCALAR, self, [], null, () => k.fill(self, Number(value)));
}

const COPY: Derivative<{ srcDtype: Tensor["dtype"] }> = {
  name: "CopyBackwards", inputs: ["self", "src"],
  backward: ({ grad, attrs, needs }) => ({
    self: needs("self") ? grad.zerosLike() : null,
    src: needs("src") ? grad.to(attrs.srcDtype) : null,
  }),
};

/** self.copy_(src): src broadcast to self's shape and converted to its dtype. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  alive(self, src);
  // a copy into a non-float tensor carries no gradient
  return recordInplace(COPY, self, [isFloating(self.dtype) ? src : null], { srcDtype: src.dtype }, () => {
    // TensorIterator's checks, computing in self's own dtype
    checkInplaceTarget(self, [src], self.dtype, [src._shape]);
    if (self !== src) k.copyInto(self, src);
  });
}

export const inplaceMethods = { zero_: method(zero_), fill_: method(fill_), copy_: method(copy_) };
