// Copies and conversions: clone, contiguous, to(dtype), and the dtype shorthands.
import { checkDType, type DType } from "../tensor/dtype.js";
import { isContiguous } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, isOptions, method } from "./args.js";
import { alive } from "./checks.js";
import * as k from "./kernels.js";
import { type Derivative, record } from "./record.js";

const CLONE: Derivative<null> = { name: "CloneBackward0", inputs: ["self"], backward: ({ grad }) => ({ self: grad }) };

/** A copy that shares nothing; keeps the strides of a dense tensor unless asked for contiguous. */
export function clone(self: Tensor, memoryFormat: "preserve" | "contiguous" = "preserve"): Tensor {
  alive(self);
  return record(CLONE, [self], null, () => {
    const out = memoryFormat === "preserve" ? k.emptyLike(self) : k.empty(self._shape, self.dtype);
    k.copyInto(out, self);
    return out;
  });
}

export function contiguous(self: Tensor): Tensor {
  alive(self);
  return isContiguous(self._shape, self._strides) ? self : clone(self, "contiguous");
}

const TO_COPY: Derivative<{ dtype: DType }> = {
  name: "ToCopyBackward0", inputs: ["self"],
  backward: ({ grad, attrs }) => ({ self: grad.to(attrs.dtype) }),
};

/** What `to` accepts: a dtype, the one device, or options. */
export type ToArgument = DType | "cpu" | { dtype?: DType; copy?: boolean; device?: string };

/** to(dtype): the tensor itself when nothing changes, else a converted copy. `to("cpu")` is a no-op. */
export function to(self: Tensor, ...args: ToArgument[]): Tensor {
  alive(self);
  let target: unknown = args[0];
  let copy = false;
  if (isOptions(target)) {
    const o = bind<{ dtype: DType | null; copy: boolean; device: string | null }>([], args, { dtype: null, copy: false, device: null });
    target = o.dtype ?? self.dtype;
    copy = o.copy;
  } else if (args.length > 1 && isOptions(args[args.length - 1])) {
    copy = Boolean((args[args.length - 1] as { copy?: boolean }).copy);
  }
  if (target === "cpu" || target === undefined) target = self.dtype;
  const dtype = checkDType(target);
  if (dtype === self.dtype && !copy) return self;
  return record(TO_COPY, [self], { dtype: self.dtype }, () => {
    const out = k.emptyLike(self, dtype);
    k.copyInto(out, self);
    return out;
  });
}

/** `x.float()` and the other dtype shorthands: `x.to(dtype)`. */
const shorthand = (dtype: DType) =>
  function (this: Tensor): Tensor {
    return to(this, dtype);
  };

export const conversionMethods = {
  clone: method((self, options?: { memoryFormat?: "preserve" | "contiguous" }) => clone(self, options?.memoryFormat)),
  contiguous: method(contiguous),
  to: method(to),
  float: shorthand("float32"),
  double: shorthand("float64"),
  long: shorthand("int64"),
  int: shorthand("int32"),
  bool: shorthand("bool"),
  /** accepted so that ported `.cpu()` lines keep working */
  cpu(this: Tensor): Tensor {
    return this;
  },
};
