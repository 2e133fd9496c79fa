// How an op enters the tape. An op's forward runs kernels; if grad mode is on and an input
// requires grad, `record` wraps it the way PyTorch's generated VariableType code does: a node
// named like PyTorch's (`SigmoidBackward0`), edges to the inputs' nodes collected first, the
// tensors the backward formula needs saved with their versions, then the outputs' history set.
// `recordInplace` adds the in-place rules (check_inplace, version bump, rebase_history).
import { Node } from "../autograd/node.js";
import { SavedVariable } from "../autograd/saved.js";
import {
  anyRequiresGrad, checkInplace, collectNextEdges, rebaseHistory, setHistory,
} from "../autograd/variable.js";
import type { Tensor } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";

/** What a backward formula sees. */
export interface BackwardContext<A> {
  /** gradient of the first output (zeros where undefined but others are defined) */
  readonly grad: Tensor;
  /** gradients of all outputs, null where undefined */
  readonly grads: readonly (Tensor | null)[];
  /** non-tensor values recorded at forward time (dims, shapes, scalars) */
  readonly attrs: A;
  /** whether the gradient of the named input is needed */
  needs(input: string): boolean;
  /** a saved tensor (an input name, or `result`/`result1` for outputs), version-checked */
  saved(name: string): Tensor;
}

/**
 * The gradient of each input by name: a tensor, null, or a function computing it, called only
 * when that input's gradient is needed (so a formula need not ask `needs`).
 */
export type Grads = Record<string, Tensor | null | undefined | (() => Tensor | null)>;

export interface Derivative<A = undefined> {
  /** PyTorch's node name for this overload */
  readonly name: string;
  /** names of the differentiable tensor inputs, in forward argument order */
  readonly inputs: readonly string[];
  /**
   * Tensors to save: an input name or `result` (output 0) / `result1`..., mapped to the
   * inputs whose gradient needs it. A tensor is saved only when one of those is needed.
   */
  readonly saves?: Readonly<Record<string, readonly string[]>>;
  backward(ctx: BackwardContext<A>): Grads;
}

const NOTHING_SAVED: ReadonlyMap<string, SavedVariable> = new Map();

/** A node whose backward is a Derivative's formula. */
export class OpNode<A> extends Node {
  /** the saved tensors by name; made by the first save (most nodes of a forward pass save nothing) */
  private saved: Map<string, SavedVariable> | null = null;

  constructor(private readonly derivative: Derivative<A>, private readonly attrs: A) {
    super(derivative.name);
  }

  /** @internal */
  save(name: string, t: Tensor, isOutput: boolean, isInplaceOnView = false, owned = false): void {
    (this.saved ??= new Map()).set(name, new SavedVariable(t, isOutput, isInplaceOnView, owned));
  }

  /** @internal */
  savedVariables(): ReadonlyMap<string, SavedVariable> {
    return this.saved ?? NOTHING_SAVED;
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const d = this.derivative;
    // PyTorch unpacks every saved tensor before computing anything: the checks come first.
    const unpacked = new Map<string, Tensor>();
    for (const [name, sv] of this.savedVariables()) unpacked.set(name, sv.unpack(name.startsWith("result") ? this : null));
    const defined = grads.find((g) => g !== null);
    if (defined === undefined) return d.inputs.map(() => null);
    const first = grads[0] ?? defined.newZeros(this.inputMetadata[0].shape, { dtype: this.inputMetadata[0].dtype });
    const needs = (input: string) => this.shouldComputeOutput(d.inputs.indexOf(input));
    const out = d.backward({
      grad: first,
      grads,
      attrs: this.attrs,
      needs,
      saved: (name) => {
        const t = unpacked.get(name);
        if (t === undefined) throw new Error(`${d.name}: ${name} was not saved`);
        return t;
      },
    });
    return d.inputs.map((name, i) => {
      const g = this.shouldComputeOutput(i) ? out[name] : null;
      return typeof g === "function" ? g() : g ?? null;
    });
  }

  releaseVariables(): void {
    if (this.saved !== null) for (const sv of this.saved.values()) sv.release();
  }
}

/**
 * Which saved tensors a node needs, as bit masks over the derivative's inputs: the tensor is
 * saved when the gradient of one of its users is needed. Made once per Derivative.
 */
interface SavePlan {
  /** per input (in `d.inputs` order): the inputs whose gradients read it */
  readonly inputs: readonly number[];
  /** per output (`result`, `result1`, ...): the inputs whose gradients read it */
  readonly results: readonly number[];
  /** whether anything is ever saved */
  readonly any: boolean;
}

const plans = new WeakMap<Derivative<never>, SavePlan>();

function savePlan(d: Derivative<never>): SavePlan {
  let plan = plans.get(d);
  if (plan === undefined) plans.set(d, (plan = makePlan(d)));
  return plan;
}

// (apart from savePlan, whose every call would otherwise allocate the context of `users`)
function makePlan(d: Derivative<never>): SavePlan {
  const users = (name: string) => (d.saves?.[name] ?? []).reduce((mask, input) => mask | (1 << d.inputs.indexOf(input)), 0);
  const results: number[] = [];
  for (const name of Object.keys(d.saves ?? {})) {
    const match = /^result(\d*)$/.exec(name);
    if (match !== null) results[match[1] === "" ? 0 : Number(match[1])] = users(name);
  }
  const inputs = d.inputs.map(users);
  const plan = { inputs, results: Array.from(results, (mask) => mask ?? 0), any: [...inputs, ...results].some((mask) => mask !== 0) };
  if (plan.any && d.inputs.length > 31) throw new Error(`${d.name}: a derivative that saves tensors takes at most 31 inputs`);
  return plan;
}

/** The inputs whose gradients `node` computes, as a bit mask (PyTorch's should_compute_output). */
function neededInputs(node: Node): number {
  let mask = 0;
  for (let i = 0; i < node.nextEdges.length; i++) if (node.nextEdges[i].node !== null) mask |= 1 << i;
  return mask;
}

export interface InplaceOptions {
  /** the backward needs self as it was before the op (PyTorch's original_self = self.clone()) */
  readonly original?: () => Tensor;
  /** non-differentiable tensors the backward reads (indices), saved with their versions */
  readonly aux?: Readonly<Record<string, Tensor>>;
}

/**
 * A new node for `d`, retained for the caller (who releases it once the outputs hold it): its
 * edges lead to `inputs`, and the inputs (and `aux`) its formula needs are saved. An in-place op
 * saves `original()` for self (the value before the write), which the node then owns.
 */
function newNode<A>(
  d: Derivative<A>, attrs: A, inputs: readonly (Tensor | null)[], plan: SavePlan, inplace: boolean,
  original: (() => Tensor) | undefined, aux: Readonly<Record<string, Tensor>> | undefined,
): OpNode<A> {
  const node = new OpNode(d, attrs);
  node.retain();
  try {
    node.setNextEdges(collectNextEdges(inputs));
    if (plan.any) {
      const needed = neededInputs(node);
      for (let i = 0; i < d.inputs.length; i++) {
        const t = inputs[i];
        if (t === null || (plan.inputs[i] & needed) === 0) continue;
        const name = d.inputs[i];
        if (!inplace || i > 0) node.save(name, t, false);
        else if (original === undefined) throw new Error(`${d.name}: in-place op saves self without original()`);
        else node.save(name, original().keep(), false, false, true);
      }
    }
    if (aux !== undefined) for (const name of Object.keys(aux)) node.save(name, aux[name], false);
  } catch (e) {
    node.release();
    throw e;
  }
  return node;
}

/** Whether output `i` is saved for the gradients `node` computes. */
const savesResult = (plan: SavePlan, node: Node, i: number) => plan.any && ((plan.results[i] ?? 0) & neededInputs(node)) !== 0;

/**
 * Runs `forward` and records it: `inputs` are the differentiable tensor arguments (null for an
 * absent optional one) in the order of `d.inputs`; outputs get the node as their gradFn.
 */
export function record<A, R extends Tensor | Tensor[]>(
  d: Derivative<A>, inputs: readonly (Tensor | null)[], attrs: A, forward: () => R, aux?: Readonly<Record<string, Tensor>>,
): R {
  if (!anyRequiresGrad(inputs)) return forward();
  const plan = savePlan(d as Derivative<never>);
  const node = newNode(d, attrs, inputs, plan, false, undefined, aux);
  try {
    const result = forward();
    // integer outputs (indices) are not differentiable and get no history
    if (!Array.isArray(result)) {
      if (isFloating(result.dtype)) setHistory(result, node);
      if (savesResult(plan, node, 0)) node.save("result", result as Tensor, true);
      return result;
    }
    for (const t of result) if (isFloating(t.dtype)) setHistory(t, node);
    for (let i = 0; i < result.length; i++) {
      if (savesResult(plan, node, i)) node.save(i === 0 ? "result" : `result${i}`, result[i], true);
    }
    return result;
  } finally {
    node.release();
  }
}

/**
 * Runs `write` (which modifies `self` in place) and records it: PyTorch's in-place rules are
 * checked before any byte is written, the version is bumped once, and the history of `self`
 * (or of its base, through CopySlices) is rebased onto the op's node.
 */
export function recordInplace<A>(
  d: Derivative<A>, self: Tensor, others: readonly (Tensor | null)[], attrs: A, write: () => void, options: InplaceOptions = {},
): Tensor {
  const inputs = [self, ...others];
  const records = anyRequiresGrad(inputs);
  checkInplace(self, records);
  const modify = () => {
    write();
    self._version.bump();
  };
  if (!records) {
    modify();
    return self;
  }
  const plan = savePlan(d as Derivative<never>);
  const node = newNode(d, attrs, inputs, plan, true, options.original, options.aux);
  try {
    modify();
    rebaseHistory(self, node);
    if (savesResult(plan, node, 0)) node.save("result", self, true, self._view !== null);
    return self;
  } finally {
    node.release();
  }
}
