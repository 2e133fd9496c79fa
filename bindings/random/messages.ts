// PyTorch's messages for the random ops (aten/src/ATen/native/DistributionTemplates.h,
// Distributions.cpp, TensorFactories.cpp), with numbers printed as C++ streams print them.
import { DTYPES, type DType } from "../tensor/dtype.js";

/** A double as `std::ostream << double` prints it (6 significant digits, %g style). */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, exponent] = x.toExponential(5).split("e");
  const exp = Number(exponent);
  const trim = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 6) return `${trim(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return trim(x.toFixed(Math.max(0, 5 - exp)));
}

/** caffe2::TypeMeta's name of a dtype, as the bounds messages print it. */
const TYPE_META: Record<DType, string> = {
  float32: "float", float64: "double", int32: "int", int64: "long int", bool: "bool", uint8: "unsigned char",
};

const scalarName = (dtype: DType) => DTYPES[dtype].scalarName;

export const randomMessages = {
  notImplemented: (kernel: string, dtype: DType) => `"${kernel}" not implemented for '${scalarName(dtype)}'`,
  outOfBounds: (name: string, dtype: DType) => `${name} is out of bounds for ${TYPE_META[dtype]}`,
  uniformRange: (from: number, to: number) =>
    `uniform_ expects to return a [from, to) range, but found from=${formatDouble(from)} > to=${formatDouble(to)}`,
  uniformWidth: (from: number, to: number, dtype: DType) =>
    `uniform_ expects to-from <= std::numeric_limits<${scalarName(dtype)}>::max(), but found to=${formatDouble(to)} ` +
    `and from=${formatDouble(from)} which result in to-from to exceed the limit`,
  normalStd: (std: number) => `normal expects std >= 0.0, but found std ${formatDouble(std)}`,
  normalStdTensor: () => "normal expects all elements of std >= 0.0",
  bernoulliP: (p: number) => `bernoulli_ expects p to be in [0, 1], but got p=${formatDouble(p)}`,
  bernoulliTensorP: () =>
    "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  " +
    "If so, please report an enhancement request to PyTorch.)",
  exponentialLambda: (lambda: number) => `exponential_ expects lambda > 0.0, but found lambda=${formatDouble(lambda)}`,
  randomFromTo: (from: bigint, to: bigint) => `random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`,
  randomCastFromTo: (from: bigint, to: bigint) =>
    `random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=${from} >= to=${to}`,
  randomCastToInc: (from: bigint, toInc: bigint) =>
    `random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=${from} > to_inc=${toInc}`,
  randomFullRange: () => "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16",
  randpermFloat: (dtype: DType) =>
    dtype === "float32" ? "n cannot be greater than 2^24+1 for Float type." : "n cannot be greater than 2^53+1 for Double type.",
  overflow: (type: string) => `value cannot be converted to type ${type} without overflow`,
  multinomialDim: () => "prob_dist must be 1 or 2 dim",
  multinomialDtype: (dtype: DType) => `multinomial only supports floating-point dtypes for input, got: ${scalarName(dtype)}`,
  multinomialSamples: () => "cannot sample n_sample <= 0 samples",
  multinomialTooMany: () => "cannot sample n_sample > prob_dist.size(-1) samples without replacement",
  multinomialCategories: () => "number of categories cannot exceed 2^24",
  multinomialInvalid: () => "probability tensor contains either `inf`, `nan` or element < 0",
  multinomialNegative: () => "invalid multinomial distribution (encountering probability entry < 0)",
  multinomialNotFinite: () => "invalid multinomial distribution (encountering probability entry = infinity or NaN)",
  multinomialZeroSum: () => "invalid multinomial distribution (sum of probabilities <= 0)",
  expandRank: (t: { dtype: DType; shape: number[] }, target: readonly number[]) =>
    `expand(${DTYPES[t.dtype].typeName}{[${t.shape.join(", ")}]}, size=[${target.join(", ")}]): the number of sizes provided ` +
    `(${target.length}) must be greater or equal to the number of dimensions in the tensor (${t.shape.length})`,
  expand: (target: readonly number[], shape: readonly number[], dim: number) =>
    `The expanded size of the tensor (${target[dim]}) must match the existing size (${shape[dim - (target.length - shape.length)]}) ` +
    `at non-singleton dimension ${dim}.  Target sizes: [${target.join(", ")}].  Tensor sizes: [${shape.join(", ")}]`,
};
