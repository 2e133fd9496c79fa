// Copies and conversions: clone, contiguous, to(dtype), and the dtype shorthands.
import { checkDType, type DType } from "../tensor/dtype.js";
import { isContiguous } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind, isOptions } from "./args.js";
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

/** to(dtype): the tensor itself when nothing changes, else a converted copy. `to("cpu")` is a no-op. */
export function to(self: Tensor, ...args: unknown[]): Tensor {
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

export const conversionMethods = {
  clone(this: Tensor, options?: { memoryFormat?: "preserve" | "contiguous" }): Tensor {
    return clone(this, options?.memoryFormat ?? "preserve");
  },
  contiguous(this: Tensor): Tensor {
    return contiguous(this);
  },
  to(this: Tensor, ...args: (DType | "cpu" | { dtype?: DType; copy?: boolean; device?: string })[]): Tensor {
    return to(this, ...args);
  },
  float(this: Tensor): Tensor {
    return to(this, "float32");
  },
  double(this: Tensor): Tensor {
    return to(this, "float64");
  },
  long(this: Tensor): Tensor {
    return to(this, "int64");
  },
  int(this: Tensor): Tensor {
    return to(this, "int32");
  },
  bool(this: Tensor): Tensor {
    return to(this, "bool");
  },
  /** accepted so that ported `.cpu()` lines keep working */
  cpu(this: Tensor): Tensor {
    return this;
  },
};
