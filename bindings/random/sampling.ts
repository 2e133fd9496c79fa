// The sampling ops: in-place uniform_, normal_, bernoulli_, exponential_, random_ and the
// out-of-place bernoulli and multinomial. Each validates like PyTorch (same checks, same order,
// same messages) before the kernel draws anything, so a failed call leaves the generator where
// it was. In-place ops follow PyTorch's in-place rules through recordInplace; their gradient is
// zero, as in PyTorch's derivatives.yaml.
import { RuntimeError } from "../errors.js";
import { DTYPES, type DType, isFloating } from "../tensor/dtype.js";
import { isContiguous } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { alive, checkNoInternalOverlap, checkNoPartialOverlap, notImplementedFor } from "../ops/checks.js";
import * as k from "../ops/kernels.js";
import { type Derivative, record, recordInplace } from "../ops/record.js";
import { generatorAddress, type Generator } from "./generator.js";
import { checkStd, formatDouble, outOfBounds } from "./messages.js";
import { expandGeometry } from "../ops/view.js";

export interface GeneratorOption {
  generator?: Generator;
}

/** A derivative whose every input gets a zero gradient (random ops are not differentiable). */
export function zeroGradient(name: string, inputs: readonly string[] = ["self"]): Derivative<Record<string, readonly number[]>> {
  return {
    name,
    inputs,
    backward: ({ grad, attrs, needs }) =>
      Object.fromEntries(inputs.map((input) => [input, needs(input) ? grad.newZeros(attrs[input] ?? grad.shape) : null])),
  };
}

const UNIFORM = zeroGradient("UniformBackward0");
const NORMAL = zeroGradient("NormalBackward0");
const BERNOULLI_TENSOR = zeroGradient("BernoulliBackward1", ["self", "p"]);
const BERNOULLI_SCALAR = zeroGradient("BernoulliBackward2");
const EXPONENTIAL = zeroGradient("ExponentialBackward0");
const RANDOM_FROM_TO = zeroGradient("RandomBackward0");
const RANDOM_TO = zeroGradient("RandomBackward1");
const RANDOM = zeroGradient("RandomBackward2");
const BERNOULLI = zeroGradient("BernoulliBackward0");

const FLOAT_MAX: Partial<Record<DType, number>> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };

function requireFloating(self: Tensor, kernel: string): void {
  if (!isFloating(self.dtype)) throw notImplementedFor(kernel, self.dtype);
}

// ---- uniform_ ----

type UniformArgs = [from?: number, to?: number, options?: GeneratorOption] | [options: GeneratorOption & { from?: number; to?: number }];

/** Fills `self` with U[from, to) draws (PyTorch's uniform_impl_). */
export function fillUniform(self: Tensor, from: number, to: number, generator: Generator | undefined): void {
  requireFloating(self, "check_uniform_bounds");
  const max = FLOAT_MAX[self.dtype] as number;
  if (!(from >= -max && from <= max)) throw outOfBounds("from", self.dtype);
  if (!(to >= -max && to <= max)) throw outOfBounds("to", self.dtype);
  if (!(from <= to)) {
    throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${formatDouble(from)} > to=${formatDouble(to)}`);
  }
  if (!(to - from <= max)) {
    throw new RuntimeError(
      `uniform_ expects to-from <= std::numeric_limits<${DTYPES[self.dtype].scalarName}>::max(), but found to=${formatDouble(to)} ` +
        `and from=${formatDouble(from)} which result in to-from to exceed the limit`,
    );
  }
  if (self.numel() === 0) return;
  checkNoInternalOverlap(self);
  k.sample("Uniform", generatorAddress(generator), self, from, to);
}

/** self.uniform_(from=0, to=1, { generator }) */
export function uniform_(self: Tensor, ...args: UniformArgs): Tensor {
  const { from, to, generator } = bind(["from", "to"], args, { from: 0, to: 1, generator: undefined as Generator | undefined });
  alive(self);
  return recordInplace(UNIFORM, self, [], {}, () => fillUniform(self, from, to, generator));
}

// ---- normal_ ----

type NormalArgs = [mean?: number, std?: number, options?: GeneratorOption] | [options: GeneratorOption & { mean?: number; std?: number }];

/**
 * Draws N(0, 1) samples into `self` the way PyTorch's normal_kernel does: contiguous float
 * tensors of 16+ elements through normal_fill, others one Box-Muller pair at a time.
 */
export function fillNormal(self: Tensor, mean: number, std: number, generator: Generator | undefined): void {
  checkStd(std);
  if (self.numel() === 0) return;
  requireFloating(self, "normal_kernel_cpu");
  const gen = generatorAddress(generator);
  if (self.numel() >= 16 && isContiguous(self._shape, self._strides)) {
    k.normalFill(gen, self, mean, std);
    return;
  }
  checkNoInternalOverlap(self);
  k.sample("Normal", gen, self, mean, std);
}

/** self.normal_(mean=0, std=1, { generator }) */
export function normal_(self: Tensor, ...args: NormalArgs): Tensor {
  const { mean, std, generator } = bind(["mean", "std"], args, { mean: 0, std: 1, generator: undefined as Generator | undefined });
  alive(self);
  return recordInplace(NORMAL, self, [], {}, () => fillNormal(self, mean, std, generator));
}

// ---- bernoulli_ ----

type BernoulliArgs = [p?: number | Tensor, options?: GeneratorOption] | [options: GeneratorOption & { p?: number | Tensor }];

/** Fills `self` with bernoulli(p) draws, p broadcast to self (PyTorch's bernoulli_.Tensor). */
function fillBernoulliTensor(self: Tensor, p: Tensor, generator: Generator | undefined): void {
  if (self.numel() === 0) return;
  checkNoInternalOverlap(self);
  // PyTorch's expand_inplace(self, p): p must broadcast to self's shape
  expandGeometry(p, self._shape);
  requireFloating(p, "bernoulli_tensor_cpu_p_");
  checkNoPartialOverlap(self, p);
  if (!k.bernoulliTensor(generatorAddress(generator), self, p)) {
    throw new RuntimeError(
      "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  " +
        "If so, please report an enhancement request to PyTorch.)",
    );
  }
}

/** Fills `self` (any dtype) with bernoulli(p) draws, p a probability. */
function fillBernoulli(self: Tensor, p: number, generator: Generator | undefined): void {
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`bernoulli_ expects p to be in [0, 1], but got p=${formatDouble(p)}`);
  if (self.numel() === 0) return;
  checkNoInternalOverlap(self);
  k.sample("Bernoulli", generatorAddress(generator), self, p);
}

/** self.bernoulli_(p=0.5, { generator }): p a probability or a tensor of them. */
export function bernoulli_(self: Tensor, ...args: BernoulliArgs): Tensor {
  const { p, generator } = bind(["p"], args, { p: 0.5 as number | Tensor, generator: undefined as Generator | undefined });
  alive(self);
  if (p instanceof Tensor) {
    alive(p);
    return recordInplace(BERNOULLI_TENSOR, self, [p], { p: p.shape }, () => fillBernoulliTensor(self, p, generator));
  }
  return recordInplace(BERNOULLI_SCALAR, self, [], {}, () => fillBernoulli(self, p, generator));
}

// ---- exponential_ ----

type ExponentialArgs = [lambd?: number, options?: GeneratorOption] | [options: GeneratorOption & { lambd?: number }];

/** Fills `self` with Exp(lambda) draws. */
function fillExponential(self: Tensor, lambda: number, generator: Generator | undefined): void {
  if (!(lambda > 0)) throw new RuntimeError(`exponential_ expects lambda > 0.0, but found lambda=${formatDouble(lambda)}`);
  if (self.numel() === 0) return;
  requireFloating(self, "exponential_cpu");
  checkNoInternalOverlap(self);
  k.sample("Exponential", generatorAddress(generator), self, lambda);
}

/** self.exponential_(lambd=1, { generator }) */
export function exponential_(self: Tensor, ...args: ExponentialArgs): Tensor {
  const { lambd, generator } = bind(["lambd"], args, { lambd: 1, generator: undefined as Generator | undefined });
  alive(self);
  return recordInplace(EXPONENTIAL, self, [], {}, () => fillExponential(self, lambd, generator));
}

// ---- random_ ----

const INT64_MIN = -(2n ** 63n);
const INTEGER_BOUNDS: Partial<Record<DType, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [INT64_MIN, 2n ** 63n - 1n], uint8: [0n, 255n], bool: [0n, 1n],
};
const FLOAT_DIGITS: Partial<Record<DType, number>> = { float32: 24, float64: 53 };

function toInteger(name: string, value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  throw new TypeError(`random_(): argument '${name}' must be int, not ${typeof value === "number" ? "float" : typeof value}`);
}

/** static_cast<int64_t>(static_cast<scalar_t>(v)) for a floating dtype. */
function throughFloat(dtype: DType, v: bigint): bigint {
  const x = Number(v);
  return BigInt(dtype === "float32" ? Math.fround(x) : x);
}

/** floor(log2(|v|)) as PyTorch counts it (`while (v >>= 1) ++n`). */
function log2Floor(v: bigint): bigint {
  let x = v < 0n ? -v : v;
  let n = 0n;
  while ((x >>= 1n) > 0n) n++;
  return n;
}

/** PyTorch's update_from: the nearest `from` that stays >= from after the cast to the dtype. */
function updateFrom(dtype: DType, from: bigint): bigint {
  const fromPlus1 = throughFloat(dtype, from + 1n);
  if (fromPlus1 >= from) return from;
  return fromPlus1 + (1n << (log2Floor(from + 1n) - BigInt(FLOAT_DIGITS[dtype] as number) + 1n));
}

/** PyTorch's update_to: the nearest `to` that stays < to after the cast to the dtype. */
function updateTo(dtype: DType, to: bigint): bigint {
  const toMinus1 = throughFloat(dtype, to - 1n);
  if (toMinus1 < to) return to;
  return toMinus1 - (1n << (log2Floor(to - 1n) - BigInt(FLOAT_DIGITS[dtype] as number) + 1n));
}

function checkInRange(from: bigint, toInclusive: bigint, dtype: DType): void {
  const bounds = INTEGER_BOUNDS[dtype];
  if (bounds === undefined) return; // every int64 lies within a float's range
  if (from < bounds[0] || from > bounds[1]) throw outOfBounds("from", dtype);
  if (toInclusive < bounds[0] || toInclusive > bounds[1]) throw outOfBounds("to - 1", dtype);
}

/** PyTorch's random_from_to_impl: integers in [from, to), or [from, max of the dtype] when `to` is null. */
export function fillRandomFromTo(self: Tensor, fromValue: unknown, toValue: unknown, generator: Generator | undefined): void {
  checkNoInternalOverlap(self);
  let from = toInteger("from", fromValue);
  const floating = isFloating(self.dtype);
  if (toValue !== null && toValue !== undefined) {
    let to = toInteger("to", toValue);
    if (!(from < to)) throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
    if (floating) {
      from = updateFrom(self.dtype, from);
      to = updateTo(self.dtype, to);
      if (!(from < to)) throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${from} >= to=${to}`);
    }
    checkInRange(from, to - 1n, self.dtype);
    k.sample("RandomFromTo", generatorAddress(generator), self, 0, 0, to - from, from);
    return;
  }
  if (from === INT64_MIN) {
    if (self.dtype === "bool") throw notImplementedFor("random_full_64_bits_range_kernel_cpu", self.dtype);
    if (self.dtype !== "int64" && !floating) throw new RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
    k.sample("RandomFull", generatorAddress(generator), self);
    return;
  }
  let toInclusive: bigint;
  if (floating) {
    toInclusive = 1n << BigInt(FLOAT_DIGITS[self.dtype] as number);
    from = updateFrom(self.dtype, from);
    if (!(from < toInclusive)) {
      throw new RuntimeError(`random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=${from} > to_inc=${toInclusive}`);
    }
  } else {
    toInclusive = (INTEGER_BOUNDS[self.dtype] as [bigint, bigint])[1];
  }
  checkInRange(from, toInclusive, self.dtype);
  k.sample("RandomFromTo", generatorAddress(generator), self, 0, 0, toInclusive - from + 1n, from);
}

type RandomArgs =
  | [options?: GeneratorOption]
  | [to: number | bigint, options?: GeneratorOption]
  | [from: number | bigint, to: number | bigint | null, options?: GeneratorOption];

/**
 * self.random_(): integers in [0, 2^mantissa] (floats) or [0, max] (integers);
 * self.random_(to): [0, to); self.random_(from, to): [from, to), `to` null meaning the dtype's max.
 */
export function random_(self: Tensor, ...args: RandomArgs): Tensor {
  const last = args[args.length - 1];
  const hasOptions = last !== null && typeof last === "object";
  const { generator } = (hasOptions ? last : {}) as GeneratorOption;
  const bounds = (hasOptions ? args.slice(0, -1) : args) as (number | bigint | null)[];
  alive(self);
  if (bounds.length === 0) {
    return recordInplace(RANDOM, self, [], {}, () => {
      if (self.numel() === 0) return;
      checkNoInternalOverlap(self);
      k.sample("Random", generatorAddress(generator), self);
    });
  }
  if (bounds.length === 1) return recordInplace(RANDOM_TO, self, [], {}, () => fillRandomFromTo(self, 0, bounds[0], generator));
  return recordInplace(RANDOM_FROM_TO, self, [], {}, () => fillRandomFromTo(self, bounds[0], bounds[1], generator));
}

// ---- bernoulli (out of place) ----

type BernoulliOutArgs = [p?: number, options?: GeneratorOption] | [options: GeneratorOption & { p?: number }];

/** self.bernoulli(): draws with self as the probabilities; self.bernoulli(p): empty_like(self).bernoulli_(p). */
export function bernoulli(self: Tensor, ...args: BernoulliOutArgs): Tensor {
  const { p, generator } = bind(["p"], args, { p: undefined as number | undefined, generator: undefined as Generator | undefined });
  alive(self);
  if (p !== undefined) return k.filled(k.empty(self._shape, self.dtype), (out) => fillBernoulli(out, p, generator));
  return record(BERNOULLI, [self], {}, () => k.filled(k.empty(self._shape, self.dtype), (out) => fillBernoulliTensor(out, self, generator)));
}

// ---- multinomial ----

export interface MultinomialOptions extends GeneratorOption {
  replacement?: boolean;
}
type MultinomialArgs = [numSamples: number, replacement?: boolean, options?: GeneratorOption] | [numSamples: number, options: MultinomialOptions];

const FLOAT32_MAX_CONSECUTIVE_INT = 2 ** 24;

/**
 * probs.multinomial(numSamples, replacement=false, { generator }): category indices (int64) from
 * each row of 1-D or 2-D probabilities. Without replacement PyTorch takes the top-k of p / q with
 * q ~ Exp(1) (the Gumbel trick); with replacement it searches a uniform draw in each row's CDF.
 */
export function multinomial(self: Tensor, ...args: MultinomialArgs): Tensor {
  const { numSamples, replacement, generator } = bind(["numSamples", "replacement"], args, {
    numSamples: 0, replacement: false, generator: undefined as Generator | undefined,
  });
  alive(self);
  if (self.ndim < 1 || self.ndim > 2) throw new RuntimeError("prob_dist must be 1 or 2 dim");
  if (!isFloating(self.dtype)) throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${DTYPES[self.dtype].scalarName}`);
  if (!Number.isInteger(numSamples)) throw new TypeError(`multinomial(): argument 'num_samples' must be int, not ${typeof numSamples}`);
  if (numSamples <= 0) throw new RuntimeError("cannot sample n_sample <= 0 samples");
  const categories = self._shape[self.ndim - 1];
  if (!replacement && numSamples > categories) throw new RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  if (categories > FLOAT32_MAX_CONSECUTIVE_INT) throw new RuntimeError("number of categories cannot exceed 2^24");
  const out = k.empty(self.ndim === 1 ? [numSamples] : [self._shape[0], numSamples], "int64");
  if (out.numel() === 0) return out;
  try {
    const status = k.multinomialCheck(self, replacement);
    if (status !== "None") {
      throw new RuntimeError({
        NotFiniteOrNegative: "probability tensor contains either `inf`, `nan` or element < 0",
        Negative: "invalid multinomial distribution (encountering probability entry < 0)",
        NotFinite: "invalid multinomial distribution (encountering probability entry = infinity or NaN)",
        ZeroSum: "invalid multinomial distribution (sum of probabilities <= 0)",
      }[status]);
    }
    if (replacement) {
      k.multinomialWithReplacement(generatorAddress(generator), self, out, numSamples);
      return out;
    }
    const q = k.emptyLike(self);
    try {
      k.sample("Exponential", generatorAddress(generator), q, 1);
      k.multinomialTopK(self, q, out, numSamples);
    } finally {
      q.dispose();
    }
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  }
}

/** A function of `self` as a Tensor method. */
const method = <A extends unknown[]>(fn: (self: Tensor, ...args: A) => Tensor) =>
  function (this: Tensor, ...args: A): Tensor {
    return fn(this, ...args);
  };

export const randomMethods = {
  uniform_: method(uniform_),
  normal_: method(normal_),
  bernoulli_: method(bernoulli_),
  exponential_: method(exponential_),
  random_: method(random_),
  bernoulli: method(bernoulli),
  multinomial: method(multinomial),
};
