// Reading tensor values back into JS (tolist, item, typed arrays).
import { RuntimeError } from "../errors.js";
import { readBytes } from "../runtime/core.js";
import { DTYPES, type DType } from "./dtype.js";
import { isContiguous, numel } from "./shape.js";
import type { Tensor } from "./tensor.js";
import { copyAs } from "../ops/kernels.js";

export type Nested = number | boolean | Nested[];

/** The logical elements in row-major order (int64 as JS numbers). */
export function flatValues(t: Tensor): (number | boolean)[] {
  const n = numel(t._shape);
  if (n === 0) return [];
  const src = isContiguous(t._shape, t._strides) ? t : copyAs(t);
  const bytes = readBytes(src.dataPtr(), n * DTYPES[t.dtype].bytes);
  if (src !== t) src.dispose();
  return decode(bytes, t.dtype, n);
}

export function decode(bytes: Uint8Array, dtype: DType, n: number): (number | boolean)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number | boolean>(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case "float32": out[i] = view.getFloat32(i * 4, true); break;
      case "float64": out[i] = view.getFloat64(i * 8, true); break;
      case "int32": out[i] = view.getInt32(i * 4, true); break;
      case "int64": out[i] = Number(view.getBigInt64(i * 8, true)); break;
      case "bool": out[i] = view.getUint8(i) !== 0; break;
      case "uint8": out[i] = view.getUint8(i); break;
    }
  }
  return out;
}

export function nest(values: readonly (number | boolean)[], shape: readonly number[]): Nested {
  if (shape.length === 0) return values[0];
  const build = (offset: number, dim: number): Nested[] => {
    const size = shape[dim];
    if (dim === shape.length - 1) return values.slice(offset, offset + size) as Nested[];
    const step = numel(shape.slice(dim + 1));
    return Array.from({ length: size }, (_, i) => build(offset + i * step, dim + 1));
  };
  return build(0, 0);
}

export function tolist(t: Tensor): Nested {
  return nest(flatValues(t), t._shape);
}

export function item(t: Tensor): number | boolean {
  const n = numel(t._shape);
  if (n !== 1) throw new RuntimeError(`a Tensor with ${n} elements cannot be converted to Scalar`);
  return flatValues(t)[0];
}
