// Fused optimizer steps: each parameter's whole Adam/AdamW or SGD update in one kernel pass
// (assembly/kernels/optim.ts), as PyTorch's `_fused_adam_` / `_fused_sgd_` are ops of their own.
// The kernels round every element as the composed in-place ops of bindings/optim do, so an
// optimizer may take either path and get the same bits; it takes this one when `fusable` says
// the tensors allow it. Like every in-place op, these check PyTorch's in-place rules before
// writing and bump each written tensor's version as many times as the composed ops would
// (which is as often as PyTorch's single-tensor optimizers do).
import { RuntimeError } from "../errors.js";
import { anyRequiresGrad, checkInplace } from "../autograd/variable.js";
import { isContiguous } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { alive } from "./checks.js";
import * as k from "./kernels.js";

/**
 * Whether a fused step can update a parameter together with these tensors (its gradient and
 * states; nulls are ignored): all contiguous, of one floating dtype (float32 or float64), of
 * one number of elements, each on its own storage.
 */
export function fusable(tensors: readonly (Tensor | null)[]): boolean {
  const present = tensors.filter((t): t is Tensor => t !== null);
  const [first] = present;
  return present.every((t, i) =>
    (t.dtype === "float32" || t.dtype === "float64") && t.dtype === first.dtype && t.numel() === first.numel() &&
    isContiguous(t._shape, t._strides) && present.findIndex((u) => u._storage === t._storage) === i);
}

/** Checks what a fused step may write, before anything is written: PyTorch's rules, and `fusable`. */
function checkWritable(name: string, groups: readonly (readonly (Tensor | null)[])[], written: readonly (Tensor | null)[]): void {
  const all = groups.flat().filter((t): t is Tensor => t !== null);
  for (const t of all) alive(t);
  const records = anyRequiresGrad(all);
  for (const t of written) if (t !== null) checkInplace(t, records);
  if (records) throw new RuntimeError(`the derivative for '${name}' is not implemented.`);
  if (!groups.every(fusable)) throw new RuntimeError(`${name}: expected contiguous float32 or float64 tensors of one dtype and size per parameter, each with its own storage`);
}

function sameLength(name: string, lists: readonly (readonly unknown[] | null)[]): void {
  const n = lists[0]?.length;
  if (lists.some((l) => l !== null && l.length !== n)) throw new RuntimeError(`${name}: expected every tensor list to have the same length`);
}

function bump(t: Tensor | null, times: number): void {
  for (let i = 0; i < times && t !== null; i++) t._version.bump();
}

export interface FusedAdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW: the parameter scaled by 1 - lr·weight_decay instead of the decay added to the gradient */
  decoupled: boolean;
  /** the step number after this step's increment (1 on the first step) */
  step: number;
}

/**
 * One Adam/AdamW step of every parameter (torch.optim's single-tensor math), in place:
 * params, expAvgs, expAvgSqs and (with amsgrad) maxExpAvgSqs, parameter by parameter.
 */
export function _fusedAdam_(
  params: readonly Tensor[], grads: readonly Tensor[], expAvgs: readonly Tensor[], expAvgSqs: readonly Tensor[],
  maxExpAvgSqs: readonly Tensor[] | null, o: FusedAdamOptions,
): void {
  const name = "_fused_adam_";
  sameLength(name, [params, grads, expAvgs, expAvgSqs, maxExpAvgSqs]);
  if (o.amsgrad && maxExpAvgSqs === null) throw new RuntimeError(`${name}: amsgrad needs max_exp_avg_sqs`);
  const maxima = (i: number) => (o.amsgrad ? (maxExpAvgSqs as readonly Tensor[])[i] : null);
  const groups = params.map((p, i) => [p, grads[i], expAvgs[i], expAvgSqs[i], maxima(i)]);
  checkWritable(name, groups, [...params, ...expAvgs, ...expAvgSqs, ...params.map((_, i) => maxima(i))]);
  const decays = o.weightDecay !== 0;
  const flags: k.OptimFlag[] = [];
  if (o.maximize) flags.push("Maximize");
  if (o.amsgrad) flags.push("Amsgrad");
  if (decays) flags.push(o.decoupled ? "DecoupledDecay" : "CoupledDecay");
  const scalars: k.AdamScalars = {
    decay: o.decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay,
    beta1: o.beta1, beta2: o.beta2, eps: o.eps,
    bc2Sqrt: Math.sqrt(1 - o.beta2 ** o.step),
    stepSize: o.lr / (1 - o.beta1 ** o.step),
  };
  params.forEach((p, i) => {
    k.adamStep(p, grads[i], expAvgs[i], expAvgSqs[i], maxima(i), flags, scalars);
    // the composed ops: [param.mul_], exp_avg.lerp_, exp_avg_sq.mul_.addcmul_, [max.copy_], param.addcdiv_
    bump(p, decays && o.decoupled ? 2 : 1);
    bump(expAvgs[i], 1);
    bump(expAvgSqs[i], 2);
    bump(maxima(i), 1);
  });
}

export interface FusedSgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * One SGD step of every parameter (torch.optim's single-tensor math), in place. With momentum,
 * `momentumBuffers` holds each parameter's buffer, or null where it has none yet (its first
 * step: the buffer starts as the update itself); returns the buffers, new ones included (the
 * caller owns those). Without momentum, pass null and get [].
 */
export function _fusedSgd_(
  params: readonly Tensor[], grads: readonly Tensor[], momentumBuffers: readonly (Tensor | null)[] | null, o: FusedSgdOptions,
): Tensor[] {
  const name = "_fused_sgd_";
  sameLength(name, [params, grads, momentumBuffers]);
  const buffers = o.momentum !== 0 ? (momentumBuffers ?? params.map(() => null)) : null;
  checkWritable(name, params.map((p, i) => [p, grads[i], buffers?.[i] ?? null]), [...params, ...(buffers ?? [])]);
  const flags: k.OptimFlag[] = [];
  if (o.maximize) flags.push("Maximize");
  if (o.weightDecay !== 0) flags.push("CoupledDecay");
  if (o.nesterov) flags.push("Nesterov");
  return params.flatMap((p, i) => {
    let buf = buffers?.[i] ?? null;
    const first = buffers !== null && buf === null;
    if (first) buf = k.empty(p._shape, p.dtype);
    k.sgdStep(p, grads[i], buf, first ? [...flags, "FirstStep"] : flags, o.weightDecay, o.momentum, o.dampening, o.lr);
    // the composed ops: [buf.mul_.add_], param.add_
    bump(p, 1);
    if (!first) bump(buf, 2);
    return buf === null ? [] : [buf];
  });
}
