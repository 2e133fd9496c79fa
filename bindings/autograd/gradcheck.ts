/**
 * torch.autograd.gradcheck and gradgradcheck: a function's backward checked against central
 * finite differences. The numerical Jacobian perturbs one input element at a time (this is a
 * test utility: the loop runs over elements, each step is ordinary tensor ops under noGrad);
 * the analytical one takes one vector-Jacobian product per output element. Mismatches raise
 * GradcheckError with both Jacobians, laid out [input elements, output elements] as PyTorch's.
 * A test utility, so a subpath of its own: `tapegrad/autograd/gradcheck`.
 *
 * @module tapegrad/autograd/gradcheck
 */
import { RuntimeError, ValueError } from "../errors.js";
import { tidyWith } from "../tensor/lifetime.js";
import { Tensor, isTensor } from "../tensor/tensor.js";
import { asList, grad } from "./api.js";
import { noGrad } from "./grad_mode.js";
import { requiresGrad } from "./variable.js";
import { pyFloat } from "../nn/format.js";

/** PyTorch's GradcheckError (a RuntimeError). */
export class GradcheckError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = "GradcheckError";
  }
}

export interface GradcheckOptions {
  /** perturbation for finite differences */
  eps?: number;
  /** absolute tolerance */
  atol?: number;
  /** relative tolerance */
  rtol?: number;
  /** raise GradcheckError on failure (default) or return false */
  raiseException?: boolean;
  /** tolerance between two backward passes with the same inputs (0: they must be equal) */
  nondetTol?: number;
}

/** The function gradcheck differentiates: tensors (and other arguments) in, a tensor or tensors out. */
export type GradcheckFunction = (...inputs: never[]) => Tensor | readonly Tensor[];

function outputsOf(fn: GradcheckFunction, inputs: readonly unknown[]): Tensor[] {
  return asList(fn(...(inputs as never[]))).filter(isTensor);
}

/** The row-major coordinates of flat position `i` in `shape`. */
function coordinates(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return out;
}

/** A flat float64 copy of each output (so later perturbations cannot change it). */
const snapshot = (outputs: readonly Tensor[]) => outputs.map((o) => o.detach().reshape(-1).to("float64", { copy: true }));

/**
 * d(outputs)/d(input) by central differences: [input elements, output elements] per output.
 * The input is changed through `.data` (its version counter stays) and restored exactly; `fn`
 * runs with grad mode as it is (gradgradcheck's function needs it).
 */
function numericalJacobian(fn: GradcheckFunction, inputs: readonly unknown[], input: Tensor, outputs: readonly Tensor[], eps: number): Tensor[] {
  const data = input.data;
  const columns = outputs.map((o) => input.newZeros([input.numel(), o.numel()], { dtype: "float64" }));
  for (let j = 0; j < input.numel(); j++) {
    tidyWith(() => {
      const entry = data.index(...coordinates(j, input._shape));
      const original = entry.clone();
      entry.copy_(original.sub(eps));
      const below = snapshot(outputsOf(fn, inputs));
      entry.copy_(original.add(eps));
      const above = snapshot(outputsOf(fn, inputs));
      entry.copy_(original);
      above.forEach((a, o) => columns[o].select(0, j).copy_(a.sub(below[o]).div(2 * eps)));
    }, isTensor);
  }
  data.dispose();
  return columns;
}

/** The vector-Jacobian product of each output element: [input elements, output elements] per input. */
function analyticalJacobian(output: Tensor, inputs: readonly Tensor[]): Tensor[] {
  const jacobians = inputs.map((x) => x.newZeros([x.numel(), output.numel()], { dtype: "float64" }));
  for (let k = 0; k < output.numel(); k++) {
    tidyWith(() => {
      const seed = output.zerosLike();
      noGrad(() => seed.setIndex_(coordinates(k, output._shape), 1));
      const grads = grad([output], inputs, { gradOutputs: [seed], retainGraph: true, allowUnused: true });
      grads.forEach((g, i) => {
        if (g !== null) noGrad(() => jacobians[i].select(1, k).copy_(g.reshape(-1)));
      });
    }, isTensor);
  }
  return jacobians;
}

/** torch.allclose: |a - n| <= atol + rtol * |n| everywhere (NaN never matches). */
function allclose(a: Tensor, n: Tensor, rtol: number, atol: number): boolean {
  return noGrad(() => Boolean(a.sub(n).abs().le(n.abs().mul(rtol).add(atol)).all().item()));
}

/**
 * PyTorch's gradcheck (slow mode): `fn(...inputs)` differentiated with respect to the inputs
 * that require grad, compared with finite differences. Returns true, or raises GradcheckError.
 */
export function gradcheck(fn: GradcheckFunction, inputs: Tensor | readonly unknown[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true, nondetTol = 0 } = options;
  const args = asList<unknown>(inputs);
  const diffInputs = args.filter((x): x is Tensor => isTensor(x) && x.requiresGrad);
  if (diffInputs.length === 0) {
    throw new ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.");
  }
  const fail = (message: string): false => {
    if (raiseException) throw new GradcheckError(message);
    return false;
  };
  return tidyWith(() => {
    const outputs = outputsOf(fn, args);
    // numerical[i][o]: input i, output o
    const numerical = diffInputs.map((x) => numericalJacobian(fn, args, x, outputs, eps));
    const differentiable = outputs.flatMap((o, index) => (requiresGrad(o) ? [index] : []));
    if (differentiable.length === 0) {
      // without differentiable outputs, nothing may depend on the inputs
      const zero = numerical.every((perOutput) => perOutput.every((n) => allclose(n, n.zerosLike(), rtol, atol)));
      return zero || fail("Numerical gradient for function expected to be zero");
    }
    for (let o = 0; o < differentiable.length; o++) {
      const output = outputs[differentiable[o]];
      const analytical = analyticalJacobian(output, diffInputs);
      const again = analyticalJacobian(output, diffInputs);
      if (!analytical.every((a, i) => allclose(again[i], a, 0, nondetTol))) {
        return fail(
          "Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient. " +
            `The tolerance for nondeterminism was ${pyFloat(nondetTol)}.`,
        );
      }
      for (let i = 0; i < diffInputs.length; i++) {
        const n = numerical[i][differentiable[o]];
        if (!allclose(analytical[i], n, rtol, atol)) {
          return fail(`Jacobian mismatch for output ${o} with respect to input ${i},\nnumerical:${n}\nanalytical:${analytical[i]}\n`);
        }
      }
    }
    return true;
  }, isTensor);
}

export interface GradgradcheckOptions extends GradcheckOptions {
  /** the gradients of the outputs to differentiate through (deterministic values in [-1, 1] if absent) */
  gradOutputs?: Tensor | readonly Tensor[];
}

/** Deterministic, irregular values in [-1, 1] of `like`'s shape (PyTorch draws random ones). */
function probe(like: Tensor): Tensor {
  const n = like.numel();
  const t = like.newArange(n).to("float64").mul(2.399963).add(0.5).sin();
  return t.reshape(like.shape).to(like.dtype);
}

/**
 * PyTorch's gradgradcheck: gradcheck of the function that maps (inputs, grad_outputs) to the
 * gradients of `fn` (computed with createGraph), so second derivatives are checked too.
 */
export function gradgradcheck(fn: GradcheckFunction, inputs: Tensor | readonly unknown[], options: GradgradcheckOptions = {}): boolean {
  const args = asList<unknown>(inputs);
  const diffIndices = new Set(args.flatMap((x, i) => (isTensor(x) && x.requiresGrad ? [i] : [])));
  return tidyWith(() => {
    const gradOutputs = options.gradOutputs !== undefined
      ? asList(options.gradOutputs)
      : outputsOf(fn, args).filter(requiresGrad).map((o) => noGrad(() => probe(o)).requiresGrad_());
    const count = gradOutputs.length;
    const gradFn: GradcheckFunction = (...all: never[]) => {
      const values = all as unknown[];
      const outputs = outputsOf(fn, values.slice(0, values.length - count)).filter(requiresGrad);
      const diff = values.filter((x, i): x is Tensor => diffIndices.has(i) && isTensor(x));
      const grads = grad(outputs, diff, { gradOutputs: values.slice(values.length - count) as Tensor[], createGraph: true, allowUnused: true });
      return grads.filter((g): g is Tensor => g !== null);
    };
    return gradcheck(gradFn, [...args, ...gradOutputs], options);
  }, isTensor);
}
