// torch.autograd.backward and torch.autograd.grad: argument handling as in torch/autograd/__init__.py,
// then the engine.
import { RuntimeError, formatShape } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { sameShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { runBackward } from "./engine.js";
import { requiresGrad } from "./variable.js";

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** accumulate only into these tensors' .grad */
  inputs?: Tensor | readonly Tensor[];
}

export interface GradOptions {
  gradOutputs?: Tensor | null | readonly (Tensor | null)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
  materializeGrads?: boolean;
}

/** One value or several, as a new array. */
export const asList = <T>(x: T | readonly T[]): T[] => (Array.isArray(x) ? [...(x as readonly T[])] : [x as T]);
const pyShape = (s: readonly number[]) => `torch.Size(${formatShape(s)})`;

/** PyTorch's _make_grads: checks given gradients, makes ones for scalar outputs. */
function makeGrads(outputs: readonly Tensor[], grads: readonly (Tensor | null | undefined)[]): { seeds: (Tensor | null)[]; made: Tensor[] } {
  const made: Tensor[] = [];
  const seeds = outputs.map((out, i) => {
    const grad = grads[i] ?? null;
    if (grad !== null) {
      if (!sameShape(grad._shape, out._shape)) {
        throw new RuntimeError(
          `Mismatch in shape: grad_output[${i}] has a shape of ${pyShape(grad._shape)} and output[${i}] has a shape of ${pyShape(out._shape)}.`,
        );
      }
      return grad;
    }
    if (!requiresGrad(out)) return null;
    if (out.numel() !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
    if (!isFloating(out.dtype)) throw new RuntimeError(`grad can be implicitly created only for real scalar outputs but got torch.${out.dtype}`);
    const ones = out.onesLike();
    made.push(ones);
    return ones;
  });
  return { seeds, made };
}

/** torch.autograd.backward(tensors, grad_tensors, ...) */
export function backward(
  tensors: Tensor | readonly Tensor[], gradTensors: Tensor | null | readonly (Tensor | null)[] = null, options: BackwardOptions = {},
): void {
  const outputs = asList(tensors);
  if (options.inputs !== undefined && asList(options.inputs).length === 0) {
    throw new RuntimeError("`inputs` argument to `backward()` cannot be empty.");
  }
  const grads = gradTensors === null ? outputs.map(() => null) : asList(gradTensors);
  const { seeds, made } = makeGrads(outputs, grads);
  try {
    runBackward(outputs, seeds, {
      keepGraph: options.retainGraph ?? options.createGraph ?? false,
      createGraph: options.createGraph ?? false,
      inputs: options.inputs === undefined ? undefined : asList(options.inputs),
      accumulateGrad: true,
    });
  } finally {
    for (const t of made) t.dispose();
  }
}

/** torch.autograd.grad(outputs, inputs, ...): the gradients, as an array (null where unused). */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = asList(outputs);
  const ins = asList(inputs);
  const given = options.gradOutputs === undefined || options.gradOutputs === null ? outs.map(() => null) : asList(options.gradOutputs);
  const { seeds, made } = makeGrads(outs, given);
  try {
    const result = runBackward(outs, seeds, {
      keepGraph: options.retainGraph ?? options.createGraph ?? false,
      createGraph: options.createGraph ?? false,
      inputs: ins,
      accumulateGrad: false,
      allowUnused: options.allowUnused ?? options.materializeGrads ?? false,
    });
    if (options.materializeGrads) return result.map((g, i) => g ?? ins[i].zerosLike());
    return result;
  } finally {
    for (const t of made) t.dispose();
  }
}

export { Tensor };
