// Factories: tensor(), zeros, ones, full, empty, arange, linspace, eye, the *Like and new*
// variants. Data from JS is written into linear memory once; every computed value (ranges,
// fills) comes from a kernel.
import { RuntimeError, ValueError, formatShape, messages } from "../errors.js";
import { writeBytes } from "../runtime/core.js";
import { DEFAULT_DTYPE, type DType, checkDType, isFloating } from "../tensor/dtype.js";
import { type Shape, sizeArgs } from "../tensor/shape.js";
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

/**
 * `out` filled by `fill`, a leaf that requires grad if asked: PyTorch allows that for floating
 * dtypes only, checked before `fill` runs (so a sampler draws nothing). Disposed on failure.
 */
export function factory(out: Tensor, options: FactoryOptions, fill: (t: Tensor) => void = () => {}): Tensor {
  return k.filled(out, (t) => {
    if (options.requiresGrad && !isFloating(t.dtype)) throw new RuntimeError(messages.requiresGradFactoryDtype());
    fill(t);
    t._requiresGrad = options.requiresGrad === true;
  });
}

/** A new tensor of `shape` and `dtype` (checked), made by `factory`. */
export const fresh = (shape: Shape, dtype: unknown, options: FactoryOptions, fill?: (t: Tensor) => void) =>
  factory(Tensor._empty(shape, checkDType(dtype)), options, fill);

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

/** The typed array holding each dtype's elements (linear memory is little-endian, as typed arrays are on every host). */
const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array, uint8: Uint8Array,
} as const;

/** Encodes JS values as the bytes of `dtype` (integers wrap and floats round as a typed array stores them). */
export function encode(values: readonly (number | boolean | bigint)[], dtype: DType): Uint8Array {
  const elements = dtype === "int64" ? values.map((v) => (typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)))))
    : values.map((v) => (dtype === "bool" ? Number(Boolean(v)) : Number(v)));
  return new Uint8Array(new (ARRAYS[dtype] as new (elements: readonly unknown[]) => { buffer: ArrayBuffer })(elements).buffer);
}

/** torch.tensor(data, dtype=..., requires_grad=...): a new tensor holding a copy of `data`. */
export function tensor(data: NestedData | Tensor | ArrayLike<number>, options: FactoryOptions = {}): Tensor {
  if (data instanceof Tensor) return fresh(data._shape, options.dtype ?? data.dtype, options, (out) => k.copyInto(out, data));
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
  return fresh(shape, options.dtype ?? inferDType(values), options, (out) => {
    if (values.length > 0) writeBytes(out.dataPtr(), encode(values, out.dtype));
  });
}

/** Splits off a trailing options object: `(2, 3, { dtype })` is [[2, 3], { dtype }]. */
export function withOptions<O extends object>(args: readonly unknown[]): [unknown[], O] {
  const last = args[args.length - 1];
  return isOptions(last) ? [args.slice(0, -1), last as O] : [[...args], {} as O];
}

/** PyTorch's check of the sizes a factory is given. */
export function checkSizes(shape: Shape): void {
  for (const s of shape) if (!Number.isInteger(s) || s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: ${formatShape(shape)}`);
}

/** Parses `(2, 3)`, `([2, 3])`, `(2, 3, { dtype })`. */
export function shapeAndOptions<O extends object = FactoryOptions>(args: readonly unknown[]): [number[], O] {
  const [sizes, options] = withOptions<O>(args);
  const shape = sizeArgs(sizes as (number | number[])[]);
  checkSizes(shape);
  return [shape, options];
}

export function full(shape: Shape, value: number | boolean, options: FactoryOptions = {}): Tensor {
  return fresh(shape, options.dtype ?? (typeof value === "boolean" ? "bool" : DEFAULT_DTYPE), options, (out) => k.fill(out, Number(value)));
}

/** A factory of sizes given as separate ints or one array, then options: `zeros(2, 3, { dtype })`. */
const sized = (make: (shape: number[], options: FactoryOptions) => Tensor) =>
  (...args: (number | number[] | FactoryOptions)[]): Tensor => make(...shapeAndOptions(args));

export const zeros = sized((shape, options) => full(shape, 0, options));
export const ones = sized((shape, options) => full(shape, 1, options));
export const empty = sized((shape, options) => fresh(shape, options.dtype ?? DEFAULT_DTYPE, options));

/** torch.arange(end) / arange(start, end, step): int64 when every bound is an integer. */
export function arange(...args: (number | FactoryOptions)[]): Tensor {
  const [nums, options] = withOptions<FactoryOptions>(args) as [number[], FactoryOptions];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RuntimeError("step must be nonzero");
  if ((step > 0 && start > end) || (step < 0 && start < end)) throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  const integral = [start, end, step].every(Number.isInteger);
  const n = Math.max(0, Math.ceil((end - start) / step));
  return fresh([n], options.dtype ?? (integral ? "int64" : DEFAULT_DTYPE), options, (out) => {
    if (n > 0) k.sequence(out, start, step);
  });
}

export function linspace(start: number, end: number, steps: number, options: FactoryOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RuntimeError("number of steps must be non-negative");
  return fresh([steps], options.dtype ?? DEFAULT_DTYPE, options, (out) => {
    if (steps === 1) k.fill(out, start);
    else k.sequence(out, start, (end - start) / (steps - 1), end, true);
  });
}

export function eye(n: number, m?: number | FactoryOptions, options: FactoryOptions = {}): Tensor {
  if (isOptions(m)) return eye(n, n, m as FactoryOptions);
  const cols = (m as number | undefined) ?? n;
  return fresh([n, cols], options.dtype ?? DEFAULT_DTYPE, options, (out) => {
    k.fill(out, 0);
    const diagonal = out._alias([Math.min(n, cols)], [cols + 1], 0, null);
    k.fill(diagonal, 1);
    diagonal.dispose();
  });
}

/** newFull, zerosLike and the other factories of a tensor: its dtype (and, for the *Like ones, its shape) unless the options say otherwise. */
export const creationMethods = {
  newFull(this: Tensor, shape: readonly number[], value: number, options: FactoryOptions = {}): Tensor {
    return full(shape, value, { dtype: this.dtype, ...options });
  },
  newZeros(this: Tensor, shape: readonly number[], options?: FactoryOptions): Tensor {
    return this.newFull(shape, 0, options);
  },
  newOnes(this: Tensor, shape: readonly number[], options?: FactoryOptions): Tensor {
    return this.newFull(shape, 1, options);
  },
  newEmpty(this: Tensor, shape: readonly number[], options: FactoryOptions = {}): Tensor {
    return fresh(shape, options.dtype ?? this.dtype, options);
  },
  newEmptyStrided(this: Tensor, shape: readonly number[], strides: readonly number[], options: FactoryOptions = {}): Tensor {
    return factory(k.emptyStrided(shape, strides, options.dtype ?? this.dtype), options);
  },
  newTensor(this: Tensor, data: NestedData, options: FactoryOptions = {}): Tensor {
    return tensor(data, { dtype: this.dtype, ...options });
  },
  /** 0, 1, ..., n - 1 in this tensor's integer index dtype (int64) */
  newArange(this: Tensor, n: number): Tensor {
    return arange(n, { dtype: "int64" });
  },
  fullLike(this: Tensor, value: number, options?: FactoryOptions): Tensor {
    return this.newFull(this._shape, value, options);
  },
  zerosLike(this: Tensor, options?: FactoryOptions): Tensor {
    return this.newFull(this._shape, 0, options);
  },
  onesLike(this: Tensor, options?: FactoryOptions): Tensor {
    return this.newFull(this._shape, 1, options);
  },
  emptyLike(this: Tensor, options?: FactoryOptions): Tensor {
    return this.newEmpty(this._shape, options);
  },
};
