// Random factories: rand, randn, randint, randperm, their *Like forms and torch.normal. Each is
// PyTorch's composition (empty, then the sampler in place) without a version bump, as in
// PyTorch where factories run below autograd.
import { RuntimeError } from "../errors.js";
import { DEFAULT_DTYPE, checkDType } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { isOptions } from "../ops/args.js";
import { alive, notImplementedFor } from "../ops/checks.js";
import { type FactoryOptions, checkSizes, factory, fresh, shapeAndOptions, withOptions } from "../ops/creation.js";
import * as k from "../ops/kernels.js";
import { record } from "../ops/record.js";
import { generatorAddress } from "./generator.js";
import { checkStd } from "./messages.js";
import { type GeneratorOption, fillNormal, fillRandomFromTo, fillUniform, zeroGradient } from "./sampling.js";

export interface RandomFactoryOptions extends FactoryOptions, GeneratorOption {}

/** torch.rand(*size, dtype, generator, requires_grad): U[0, 1). */
export function rand(...args: (number | readonly number[] | RandomFactoryOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions<RandomFactoryOptions>(args);
  return fresh(shape, options.dtype ?? DEFAULT_DTYPE, options, (t) => fillUniform(t, 0, 1, options.generator));
}

/** torch.randn(*size, dtype, generator, requires_grad): N(0, 1). */
export function randn(...args: (number | readonly number[] | RandomFactoryOptions)[]): Tensor {
  const [shape, options] = shapeAndOptions<RandomFactoryOptions>(args);
  return fresh(shape, options.dtype ?? DEFAULT_DTYPE, options, (t) => fillNormal(t, 0, 1, options.generator));
}

type RandintArgs =
  | [high: number, size: readonly number[], options?: RandomFactoryOptions]
  | [low: number, high: number, size: readonly number[], options?: RandomFactoryOptions];

/** Splits randint's `(high, size)` / `(low, high, size)` forms. */
function randintArgs(args: readonly unknown[]): { low: number; high: number; size: number[] | null; options: RandomFactoryOptions } {
  const [rest, options] = withOptions<RandomFactoryOptions>(args);
  const size = Array.isArray(rest[rest.length - 1]) ? [...(rest.pop() as number[])] : null;
  const bounds = rest as number[];
  if (bounds.length < 1 || bounds.length > 2) throw new TypeError("randint() takes (high, size) or (low, high, size)");
  return { low: bounds.length === 2 ? bounds[0] : 0, high: bounds[bounds.length - 1], size, options };
}

/** torch.randint(low=0, high, size, dtype=int64, generator, requires_grad): integers in [low, high). */
export function randint(...args: RandintArgs): Tensor {
  const { low, high, size, options } = randintArgs(args);
  if (size === null) throw new TypeError("randint() missing required argument 'size' (an array of ints)");
  checkSizes(size);
  return fresh(size, options.dtype ?? "int64", options, (t) => fillRandomFromTo(t, low, high, options.generator));
}

/** torch.randperm(n, dtype=int64, generator, requires_grad): a random permutation of 0..n-1. */
export function randperm(n: number, options: RandomFactoryOptions = {}): Tensor {
  if (!Number.isInteger(n)) throw new TypeError(`randperm(): argument 'n' must be int, not ${typeof n}`);
  checkSizes([n]);
  const dtype = checkDType(options.dtype ?? "int64");
  const largest = Math.max(n - 1, 0);
  if (dtype === "bool") throw notImplementedFor("randperm", dtype);
  const overflow = (type: string) => new RuntimeError(`value cannot be converted to type ${type} without overflow`);
  if (dtype === "uint8" && largest > 255) throw overflow("uint8_t");
  if (dtype === "int32" && largest > 2 ** 31 - 1) throw overflow("int32_t");
  if (dtype === "float32" && n > 2 ** 24 + 1) throw new RuntimeError("n cannot be greater than 2^24+1 for Float type.");
  if (dtype === "float64" && n > 2 ** 53 + 1) throw new RuntimeError("n cannot be greater than 2^53+1 for Double type.");
  return fresh([n], dtype, options, (t) => k.randperm(generatorAddress(options.generator), t));
}

/** A tensor like `t` (its dense layout kept, as empty_like keeps it) filled by `fill`. */
function like(t: Tensor, options: RandomFactoryOptions, fill: (out: Tensor) => void): Tensor {
  alive(t);
  return factory(k.emptyLike(t, checkDType(options.dtype ?? t.dtype)), options, fill);
}

/** torch.rand_like(input, dtype, generator, requires_grad). */
export function randLike(t: Tensor, options: RandomFactoryOptions = {}): Tensor {
  return like(t, options, (out) => fillUniform(out, 0, 1, options.generator));
}

/** torch.randn_like(input, dtype, generator, requires_grad). */
export function randnLike(t: Tensor, options: RandomFactoryOptions = {}): Tensor {
  return like(t, options, (out) => fillNormal(out, 0, 1, options.generator));
}

type RandintLikeArgs = [high: number, options?: RandomFactoryOptions] | [low: number, high: number, options?: RandomFactoryOptions];

/** torch.randint_like(input, low=0, high, dtype, generator, requires_grad). */
export function randintLike(t: Tensor, ...args: RandintLikeArgs): Tensor {
  const { low, high, options } = randintArgs(args);
  return like(t, options, (out) => fillRandomFromTo(out, low, high, options.generator));
}

// ---- torch.normal ----

const NORMAL_TENSOR_SCALAR = zeroGradient("NormalBackward1", ["mean"]);
const NORMAL_SCALAR_TENSOR = zeroGradient("NormalBackward2", ["std"]);
const NORMAL_TENSOR_TENSOR = zeroGradient("NormalBackward3", ["mean", "std"]);

/** PyTorch's CHECK_NORMAL_TENSOR_STD: std.min() >= 0 (a NaN fails it). */
function checkStdTensor(std: Tensor): void {
  if (std.numel() === 0) return;
  const least = k.empty([], std.dtype);
  try {
    k.reduce("Min", std, [...std._shape.keys()], least, null);
    if (!(least.item() >= 0)) throw new RuntimeError("normal expects all elements of std >= 0.0");
  } finally {
    least.dispose();
  }
}

/** out <- out (op) operand, the operand converted to out's dtype and broadcast. */
function combine(op: "Mul" | "Add", out: Tensor, operand: Tensor): void {
  const converted = operand.dtype === out.dtype ? operand : k.copyAs(operand, out.dtype);
  try {
    k.binary(op, out, converted, out);
  } finally {
    if (converted !== operand) converted.dispose();
  }
}

/**
 * torch.normal(mean, std, size?, { generator, dtype, requiresGrad }): mean and std numbers (with
 * a size) or tensors. Tensor forms draw N(0, 1) (N(0, std) for a number std) into a contiguous
 * result, then scale and shift it, as PyTorch does; their gradients are zero.
 */
export function normal(
  mean: number | Tensor, std: number | Tensor = 1, size?: readonly number[] | RandomFactoryOptions, options: RandomFactoryOptions = {},
): Tensor {
  if (isOptions(size)) return normal(mean, std, undefined, size as RandomFactoryOptions);
  const generator = options.generator;
  if (!(mean instanceof Tensor) && !(std instanceof Tensor)) {
    if (size === undefined) throw new TypeError("normal() with a number mean and std needs a size");
    const shape = [...(size as readonly number[])];
    checkSizes(shape);
    return fresh(shape, options.dtype ?? DEFAULT_DTYPE, options, (t) => fillNormal(t, mean, std, generator));
  }
  if (mean instanceof Tensor && !(std instanceof Tensor)) {
    alive(mean);
    checkStd(std);
    return record(NORMAL_TENSOR_SCALAR, [mean], { mean: mean.shape }, () =>
      k.filled(k.empty(mean._shape, mean.dtype), (out) => {
        fillNormal(out, 0, std, generator);
        combine("Add", out, mean);
      }));
  }
  const stdTensor = std as Tensor;
  alive(stdTensor);
  checkStdTensor(stdTensor);
  if (!(mean instanceof Tensor)) {
    return record(NORMAL_SCALAR_TENSOR, [stdTensor], { std: stdTensor.shape }, () =>
      k.filled(k.empty(stdTensor._shape, stdTensor.dtype), (out) => {
        fillNormal(out, 0, 1, generator);
        combine("Mul", out, stdTensor);
        k.binary("Add", out, { scalar: mean, dtype: out.dtype }, out);
      }));
  }
  alive(mean);
  const shape = broadcastShapes(mean._shape, stdTensor._shape);
  return record(NORMAL_TENSOR_TENSOR, [mean, stdTensor], { mean: mean.shape, std: stdTensor.shape }, () =>
    k.filled(k.empty(shape, mean.dtype), (out) => {
      fillNormal(out, 0, 1, generator);
      combine("Mul", out, stdTensor);
      combine("Add", out, mean);
    }));
}
