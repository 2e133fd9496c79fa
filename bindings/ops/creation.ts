// Factories: tensor(), zeros, ones, full, empty, arange, linspace, eye, the *Like and new*
// variants. Data from JS is written into linear memory once; every computed value (ranges,
// fills) comes from a kernel.
import { RuntimeError, ValueError, messages } from "../errors.js";
import { writeBytes } from "../runtime/core.js";
import { DEFAULT_DTYPE, DTYPES, type DType, checkDType, isFloating } from "../tensor/dtype.js";
import { type Shape, numel, sizeArgs } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { isOptions } from "./args.js";
import * as k from "./kernels.js";

export interface FactoryOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** accepted so that ported lines keep working; tapegrad has one device */
  device?: "cpu";
}

export type NestedData = number | boolean | bigint | readonly NestedData[];

function finish(t: Tensor, options: FactoryOptions): Tensor {
  if (options.requiresGrad) {
    if (!isFloating(t.dtype)) {
      t.dispose();
      throw new RuntimeError(messages.requiresGradFactoryDtype());
    }
    t._requiresGrad = true;
  }
  return t;
}

function inferShape(data: NestedData): number[] {
  const shape: number[] = [];
  let level: NestedData = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flattenInto(data: NestedData, shape: Shape, dim: number, out: (number | boolean | bigint)[]): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new ValueError(`expected a number at dim ${dim} but got a sequence`);
    out.push(data as number | boolean | bigint);
    return;
  }
  if (!Array.isArray(data)) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got a number)`);
  if (data.length !== shape[dim]) throw new ValueError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${data.length})`);
  for (const item of data) flattenInto(item, shape, dim + 1, out);
}

function inferDType(values: readonly (number | boolean | bigint)[]): DType {
  if (values.length > 0 && values.every((v) => typeof v === "boolean")) return "bool";
  if (values.length > 0 && values.every((v) => typeof v === "bigint")) return "int64";
  return DEFAULT_DTYPE;
}

/** Encodes JS values as the bytes of `dtype`, little-endian. */
export function encode(values: readonly (number | boolean | bigint)[], dtype: DType): Uint8Array {
  const bytes = new Uint8Array(values.length * DTYPES[dtype].bytes);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    const n = typeof v === "bigint" ? v : Number(v);
    switch (dtype) {
      case "float32": view.setFloat32(i * 4, Number(n), true); break;
      case "float64": view.setFloat64(i * 8, Number(n), true); break;
      case "int32": view.setInt32(i * 4, Number(n), true); break;
      case "int64": view.setBigInt64(i * 8, typeof n === "bigint" ? n : BigInt(Math.trunc(n)), true); break;
      case "bool": view.setUint8(i, n ? 1 : 0); break;
      case "uint8": view.setUint8(i, Number(n)); break;
    }
  });
  return bytes;
}

/** torch.tensor(data, dtype=..., requires_grad=...): a new tensor holding a copy of `data`. */
export function tensor(data: NestedData | Tensor | ArrayLike<number>, options: FactoryOptions = {}): Tensor {
  if (data instanceof Tensor) {
    const out = k.copyAs(data, options.dtype ?? data.dtype);
    return finish(out, options);
  }
  let shape: number[];
  let values: (number | boolean | bigint)[];
  if (ArrayBuffer.isView(data)) {
    values = Array.from(data as unknown as ArrayLike<number>);
    shape = [values.length];
  } else {
    shape = inferShape(data as NestedData);
    values = [];
    flattenInto(data as NestedData, shape, 0, values);
  }
  const dtype = options.dtype !== undefined ? checkDType(options.dtype) : inferDType(values);
  const out = Tensor._empty(shape, dtype);
  if (values.length > 0) writeBytes(out.dataPtr(), encode(values, dtype));
  return finish(out, options);
}

/** Parses `(2, 3)`, `([2, 3])`, `(2, 3, { dtype })`. */
function shapeAndOptions(args: readonly unknown[]): [number[], FactoryOptions] {
  const last = args[args.length - 1];
  const options = isOptions(last) ? (last as FactoryOptions) : {};
  const sizes = (isOptions(last) ? args.slice(0, -1) : args) as (number | number[])[];
  const shape = sizeArgs(sizes);
  for (const s of shape) if (!Number.isInteger(s) || s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: ${JSON.stringify(shape)}`);
  return [shape, options];
}

export function full(shape: Shape, value: number | boolean, options: FactoryOptions = {}): Tensor {
  const dtype = options.dtype ?? (typeof value === "boolean" ? "bool" : DEFAULT_DTYPE);
  const out = Tensor._empty(shape, checkDType(dtype));
  k.fill(out, Number(value));
  return finish(out, options);
}

export function zeros(...args: (number | number[] | FactoryOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return full(shape, 0, { ...options, dtype: options.dtype ?? DEFAULT_DTYPE });
}

export function ones(...args: (number | number[] | FactoryOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return full(shape, 1, { ...options, dtype: options.dtype ?? DEFAULT_DTYPE });
}

export function empty(...args: (number | number[] | FactoryOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions(args);
  return finish(Tensor._empty(shape, checkDType(options.dtype ?? DEFAULT_DTYPE)), options);
}

/** torch.arange(end) / arange(start, end, step): int64 when every bound is an integer. */
export function arange(...args: (number | FactoryOptions)[]): Tensor {
  const last = args[args.length - 1];
  const options = isOptions(last) ? (last as FactoryOptions) : {};
  const nums = (isOptions(last) ? args.slice(0, -1) : args) as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RuntimeError("step must be nonzero");
  if ((step > 0 && start > end) || (step < 0 && start < end)) throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  const integral = [start, end, step].every(Number.isInteger);
  const dtype = options.dtype ?? (integral ? "int64" : DEFAULT_DTYPE);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const out = Tensor._empty([n], checkDType(dtype));
  if (n > 0) k.sequence(out, start, step);
  return finish(out, options);
}

export function linspace(start: number, end: number, steps: number, options: FactoryOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError("number of steps must be non-negative");
  const out = Tensor._empty([steps], checkDType(options.dtype ?? DEFAULT_DTYPE));
  if (steps === 1) k.fill(out, start);
  else if (steps > 1) k.sequence(out, start, (end - start) / (steps - 1), end, true);
  return finish(out, options);
}

export function eye(n: number, m?: number | FactoryOptions, options: FactoryOptions = {}): Tensor {
  if (isOptions(m)) return eye(n, n, m as FactoryOptions);
  const cols = (m as number | undefined) ?? n;
  const out = Tensor._empty([n, cols], checkDType(options.dtype ?? DEFAULT_DTYPE));
  k.fill(out, 0);
  const diagonal = out._alias([Math.min(n, cols)], [cols + 1], 0, null);
  k.fill(diagonal, 1);
  diagonal.dispose();
  return finish(out, options);
}

export const creationMethods = {
  newZeros(this: Tensor, shape: readonly number[], options: FactoryOptions = {}): Tensor {
    return full(shape, 0, { dtype: this.dtype, ...options });
  },
  newOnes(this: Tensor, shape: readonly number[], options: FactoryOptions = {}): Tensor {
    return full(shape, 1, { dtype: this.dtype, ...options });
  },
  newFull(this: Tensor, shape: readonly number[], value: number, options: FactoryOptions = {}): Tensor {
    return full(shape, value, { dtype: this.dtype, ...options });
  },
  newEmpty(this: Tensor, shape: readonly number[], options: FactoryOptions = {}): Tensor {
    return finish(Tensor._empty(shape, options.dtype ?? this.dtype), options);
  },
  newEmptyStrided(this: Tensor, shape: readonly number[], strides: readonly number[], options: FactoryOptions = {}): Tensor {
    return finish(k.emptyStrided(shape, strides, options.dtype ?? this.dtype), options);
  },
  newTensor(this: Tensor, data: NestedData, options: FactoryOptions = {}): Tensor {
    return tensor(data, { dtype: this.dtype, ...options });
  },
  /** 0, 1, ..., n - 1 in this tensor's integer index dtype (int64) */
  newArange(this: Tensor, n: number): Tensor {
    return arange(n, { dtype: "int64" });
  },
  zerosLike(this: Tensor, options: FactoryOptions = {}): Tensor {
    return full(this._shape, 0, { dtype: this.dtype, ...options });
  },
  onesLike(this: Tensor, options: FactoryOptions = {}): Tensor {
    return full(this._shape, 1, { dtype: this.dtype, ...options });
  },
  fullLike(this: Tensor, value: number, options: FactoryOptions = {}): Tensor {
    return full(this._shape, value, { dtype: this.dtype, ...options });
  },
  emptyLike(this: Tensor, options: FactoryOptions = {}): Tensor {
    return finish(Tensor._empty(this._shape, options.dtype ?? this.dtype), options);
  },
};

export const likeFunctions = {
  zerosLike: (t: Tensor, options?: FactoryOptions) => creationMethods.zerosLike.call(t, options),
  onesLike: (t: Tensor, options?: FactoryOptions) => creationMethods.onesLike.call(t, options),
  fullLike: (t: Tensor, value: number, options?: FactoryOptions) => creationMethods.fullLike.call(t, value, options),
  emptyLike: (t: Tensor, options?: FactoryOptions) => creationMethods.emptyLike.call(t, options),
};

export { numel };
