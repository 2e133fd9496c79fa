// torch.nn.init: in-place initialisations under noGrad, computing their bounds exactly as
// PyTorch does (in float64) and drawing from the generator in the same order, so a seeded
// layer gets PyTorch's values.
import { ValueError } from "../errors.js";
import { noGrad } from "../autograd/grad_mode.js";
import type { Tensor } from "../tensor/tensor.js";
import type { GeneratorOption } from "../random/sampling.js";

/** Only the generator, and only when one is given (the samplers take no other options). */
const drawFrom = (options: GeneratorOption): GeneratorOption => (options.generator === undefined ? {} : { generator: options.generator });

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

const LINEAR_FNS = new Set(["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]);

/** The recommended gain for a nonlinearity (`param`: leaky_relu's negative slope). */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  if (LINEAR_FNS.has(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    if (param !== null && typeof param !== "number") throw new ValueError(`negative_slope ${String(param)} not a valid number`);
    const slope = param ?? 0.01;
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new ValueError(`Unsupported nonlinearity ${String(nonlinearity)}`);
}

/** PyTorch's _calculate_fan_in_and_fan_out: dims 1 and 0 times the receptive field. */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2) throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const shape = tensor.shape;
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new ValueError(`Mode ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

/** Fills with U(a, b). */
export function uniform_(tensor: Tensor, a = 0, b = 1, options: GeneratorOption = {}): Tensor {
  return noGrad(() => tensor.uniform_(a, b, drawFrom(options)));
}

/** Fills with N(mean, std²). */
export function normal_(tensor: Tensor, mean = 0, std = 1, options: GeneratorOption = {}): Tensor {
  return noGrad(() => tensor.normal_(mean, std, drawFrom(options)));
}

export function constant_(tensor: Tensor, value: number): Tensor {
  return noGrad(() => tensor.fill_(value));
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

export function zeros_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.zero_());
}

/** U(-a, a) with a = √3·std: the uniform distribution with standard deviation `std`. */
function uniformWithStd(tensor: Tensor, std: number, options: GeneratorOption): Tensor {
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a, options);
}

/** Glorot's standard deviation: gain·√(2 / (fan_in + fan_out)). */
function xavierStd(tensor: Tensor, gain: number): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return gain * Math.sqrt(2.0 / (fanIn + fanOut));
}

/** Glorot uniform: U(-a, a) with a = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform_(tensor: Tensor, gain = 1, options: GeneratorOption = {}): Tensor {
  return uniformWithStd(tensor, xavierStd(tensor, gain), options);
}

/** Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(tensor: Tensor, gain = 1, options: GeneratorOption = {}): Tensor {
  return normal_(tensor, 0, xavierStd(tensor, gain), options);
}

export interface KaimingOptions extends GeneratorOption {
  /** the negative slope of the rectifier after this layer (leaky_relu) */
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

/** The standard deviation He initialisation uses; null for a tensor without elements. */
function kaimingStd(tensor: Tensor, options: KaimingOptions): number | null {
  if (tensor.numel() === 0) return null;
  const fan = correctFan(tensor, options.mode ?? "fan_in");
  return calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0) / Math.sqrt(fan);
}

/** He uniform: U(-bound, bound) with bound = gain·√(3 / fan). */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd(tensor, options);
  return std === null ? tensor : uniformWithStd(tensor, std, options);
}

/** He normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd(tensor, options);
  return std === null ? tensor : normal_(tensor, 0, std, options);
}
