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
 * What a derivative saves, by position: for input i (and output r), the positions of the inputs
 * whose gradient reads it, or null when none does. Made once per derivative: recording an op
 * then reads arrays instead of looking names up in each derivative's own `saves` object.
 */
interface SavePlan {
  readonly inputs: readonly (readonly number[] | null)[];
  readonly results: readonly (readonly number[] | null)[];
}

const NOTHING_TO_SAVE: SavePlan = { inputs: [], results: [] };
const plans = new WeakMap<Derivative<never>, SavePlan>();

/** The name output r is saved under: `result`, `result1`, ... */
const resultName = (r: number): string => (r === 0 ? "result" : `result${r}`);

function savePlan(d: Derivative<never>): SavePlan {
  let plan = plans.get(d);
  if (plan === undefined) {
    const saves = d.saves ?? {};
    const users = (name: string) => saves[name]?.map((input) => d.inputs.indexOf(input)) ?? null;
    const lastResult = Math.max(-1, ...Object.keys(saves).filter((name) => /^result\d*$/.test(name)).map((name) => Number(name.slice(6))));
    plan = Object.keys(saves).length === 0 ? NOTHING_TO_SAVE : {
      inputs: d.inputs.map(users),
      results: Array.from({ length: lastResult + 1 }, (_, r) => users(resultName(r))),
    };
    plans.set(d, plan);
  }
  return plan;
}

/** Whether the gradient of any input at `users` is needed, i.e. whether what they read must be saved. */
function needed(node: Node, users: readonly number[] | null | undefined): boolean {
  if (users == null) return false;
  for (const i of users) if (node.shouldComputeOutput(i)) return true;
  return false;
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
  d: Derivative<A>, plan: SavePlan, attrs: A, inputs: readonly (Tensor | null)[], inplace: boolean,
  original: (() => Tensor) | undefined, aux: Readonly<Record<string, Tensor>> | undefined,
): OpNode<A> {
  const node = new OpNode(d, attrs);
  node.retain();
  try {
    node.setNextEdges(collectNextEdges(inputs));
    if (plan !== NOTHING_TO_SAVE) {
      for (let i = 0; i < d.inputs.length; i++) {
        const name = d.inputs[i];
        const t = inputs[i];
        if (t === null || !needed(node, plan.inputs[i])) continue;
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

/**
 * Runs `forward` and records it: `inputs` are the differentiable tensor arguments (null for an
 * absent optional one) in the order of `d.inputs`; outputs get the node as their gradFn.
 */
export function record<A, R extends Tensor | Tensor[]>(
  d: Derivative<A>, inputs: readonly (Tensor | null)[], attrs: A, forward: () => R, aux?: Readonly<Record<string, Tensor>>,
): R {
  if (!anyRequiresGrad(inputs)) return forward();
  const plan = savePlan(d as Derivative<never>);
  const node = newNode(d, plan, attrs, inputs, false, undefined, aux);
  try {
    const result = forward();
    // integer outputs (indices) are not differentiable and get no history
    if (!Array.isArray(result)) {
      if (isFloating(result.dtype)) setHistory(result, node);
      if (needed(node, plan.results[0])) node.save("result", result as Tensor, true);
      return result;
    }
    for (const t of result) if (isFloating(t.dtype)) setHistory(t, node);
    for (let i = 0; i < result.length; i++) {
      if (needed(node, plan.results[i])) node.save(resultName(i), result[i], true);
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
  const node = newNode(d, plan, attrs, inputs, true, options.original, options.aux);
  try {
    modify();
    rebaseHistory(self, node);
    if (needed(node, plan.results[0])) node.save("result", self, true, self._view !== null);
    return self;
  } finally {
    node.release();
  }
}
