// The backward engine (PyTorch's Engine::execute): orders the nodes reachable from the roots,
// runs each once all of its incoming gradients have arrived (the highest sequence number first
// among the ready ones, so leaves accumulate as soon as possible), sums gradients per input,
// reduces broadcast gradients to the expected shape, and frees saved tensors unless asked to
// retain the graph.
import { RuntimeError, formatShape } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { isExpandable, isNonOverlappingAndDense, sameShape } from "../tensor/shape.js";
import { tidyWith } from "../tensor/lifetime.js";
import { type Edge, type GradHook, Node } from "./node.js";
import { isGradEnabled, setGradEnabled } from "./grad_mode.js";
import { gradFn, gradientEdge, requiresGrad } from "./variable.js";
import { isTensor } from "../tensor/tensor.js";
import { DTYPES } from "../tensor/dtype.js";
import { AccumulateGrad } from "./functions.js";

interface ExecInfo {
  needed: boolean;
  /** (input number of this node, index in the captured results) */
  captures: [number, number][];
}

/** Stands in for an input that no graph reaches (PyTorch's Identity for unreachable inputs). */
class Unreachable extends Node {
  constructor() {
    super("Identity");
  }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    return grads;
  }
}

export interface RunOptions {
  keepGraph: boolean;
  createGraph: boolean;
  /** the tensors to differentiate with respect to (autograd.grad, backward(inputs=...)) */
  inputs?: readonly Tensor[];
  /** true for backward(): accumulate into .grad; false for autograd.grad: return the gradients */
  accumulateGrad: boolean;
  allowUnused?: boolean;
}

/** Runs backward from `roots` seeded with `grads` (already validated and made by the caller). */
export function runBackward(roots: readonly Tensor[], grads: readonly (Tensor | null)[], options: RunOptions): (Tensor | null)[] {
  // Gradients in flight are owned by this task, counted per place that holds them (a buffer
  // slot, an output of the node just run): a node may pass one tensor to several inputs.
  // Gradients the caller passed in belong to the caller and are never disposed here.
  const borrowed = new Set<Tensor>(grads.filter((g): g is Tensor => g !== null));
  const owners = new Map<Tensor, number>();
  const own = (g: Tensor | null | undefined) => {
    if (g !== null && g !== undefined) owners.set(g, (owners.get(g) ?? 0) + 1);
  };
  const drop = (g: Tensor | null | undefined) => {
    if (g === null || g === undefined || borrowed.has(g)) return;
    const n = (owners.get(g) ?? 1) - 1;
    if (n > 0) owners.set(g, n);
    else {
      owners.delete(g);
      g.dispose();
    }
  };
  const exclusive = (g: Tensor) => !borrowed.has(g) && (owners.get(g) ?? 0) === 1;
  const rootEdges: Edge[] = roots.map((t, i) => {
    const edge = gradientEdge(t);
    if (edge.node === null) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return edge;
  });
  const outputEdges: Edge[] = [];
  for (const input of options.inputs ?? []) {
    let fn = gradFn(input);
    const nr = fn !== null ? input._outputNr : 0;
    if (fn === null) fn = input._accumulator;
    if (options.accumulateGrad) retainGrad(input);
    if (!requiresGrad(input)) throw new RuntimeError("One of the differentiated Tensors does not require grad");
    outputEdges.push({ node: fn ?? new Unreachable(), inputNr: nr });
  }

  // The nodes this task touches stay alive until it ends, whatever the caller disposes.
  const held: Node[] = [];
  const hold = (n: Node) => {
    n.retain();
    held.push(n);
  };
  const previousMode = setGradEnabled(options.createGraph);
  const buffers = new Map<Node, (Tensor | null)[]>();
  try {
    // seed: validate the root gradients against what the root nodes expect
    const seeds = validateOutputs(rootEdges, [...grads], "backward", own, drop);
    const dependencies = computeDependencies(rootEdges, hold);
    const execInfo = options.inputs !== undefined ? initToExecute(rootEdges, outputEdges, options.accumulateGrad) : null;
    const captured: (Tensor | null)[] = outputEdges.map(() => null);
    const ready: Node[] = [];

    const deliver = (edge: Edge, grad: Tensor | null) => {
      const node = edge.node as Node;
      const remaining = (dependencies.get(node) ?? 0) - 1;
      dependencies.set(node, remaining);
      if (execInfo !== null) {
        const info = execInfo.get(node);
        if (info === undefined || (!info.needed && info.captures.length === 0)) {
          drop(grad);
          return;
        }
      }
      let buffer = buffers.get(node);
      if (buffer === undefined) {
        buffer = new Array<Tensor | null>(node.inputMetadata.length).fill(null);
        buffers.set(node, buffer);
      }
      accumulate(buffer, edge.inputNr, grad, own, drop, exclusive);
      if (remaining === 0) pushReady(ready, node);
    };

    seeds.forEach(own);
    rootEdges.forEach((edge, i) => deliver(edge, seeds[i]));

    while (ready.length > 0) {
      const node = ready.pop() as Node;
      const inputs = buffers.get(node) ?? new Array<Tensor | null>(node.inputMetadata.length).fill(null);
      buffers.delete(node);
      const hooked = callPreHooks(node, inputs, own, drop);
      const info = execInfo?.get(node);
      if (info !== undefined) {
        for (const [inputNr, index] of info.captures) {
          const g = hooked[inputNr];
          captured[index] = g;
          own(g);
        }
        if (!info.needed) {
          for (const g of hooked) if (g !== null && !captured.includes(g)) drop(g);
          continue;
        }
      }
      const outputs = tidyWith(() => node.apply(hooked, exclusive), isTensor);
      if (!options.keepGraph) node.releaseVariables();
      for (const g of outputs) own(g);
      for (const g of hooked) if (g !== null && !captured.includes(g)) drop(g);
      const validated = validateOutputs(node.nextEdges, outputs, node.name, own, drop);
      node.nextEdges.forEach((edge, i) => {
        if (edge.node === null) {
          drop(validated[i]);
          return;
        }
        deliver(edge, validated[i] ?? null);
      });
    }

    if (!options.accumulateGrad && options.inputs !== undefined && !options.allowUnused) {
      if (captured.some((g) => g === null)) {
        for (const g of captured) drop(g);
        throw new RuntimeError(
          "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
        );
      }
    }
    return captured;
  } finally {
    setGradEnabled(previousMode);
    for (const buffer of buffers.values()) for (const g of buffer) drop(g);
    for (const n of held) n.release();
  }
}

function pushReady(ready: Node[], node: Node): void {
  // kept sorted ascending by sequence number; pop() takes the highest
  let i = ready.length;
  while (i > 0 && ready[i - 1].sequenceNr > node.sequenceNr) i--;
  ready.splice(i, 0, node);
}

function accumulate(
  buffer: (Tensor | null)[], i: number, grad: Tensor | null, own: (g: Tensor) => void, drop: (g: Tensor) => void, exclusive: (g: Tensor) => boolean,
): void {
  if (grad === null) return;
  const old = buffer[i] ?? null;
  if (old === null) {
    buffer[i] = grad;
    return;
  }
  // PyTorch's InputBuffer reuses the first gradient when nothing else refers to it
  if (!isGradEnabled() && exclusive(old) && !old._storage.shared && isNonOverlappingAndDense(old._shape, old._strides)
    && sameShape(old._shape, grad._shape) && old._view === null) {
    old.add_(grad);
    drop(grad);
    return;
  }
  buffer[i] = old.add(grad);
  own(buffer[i]);
  drop(old);
  drop(grad);
}

function computeDependencies(roots: readonly Edge[], hold: (n: Node) => void): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  const reach = (n: Node | null) => {
    if (n === null) return;
    const count = deps.get(n) ?? 0;
    deps.set(n, count + 1);
    if (count > 0) return;
    hold(n);
    stack.push(n);
  };
  for (const e of roots) reach(e.node);
  while (stack.length > 0) for (const e of (stack.pop() as Node).nextEdges) reach(e.node);
  return deps;
}

/** Marks the nodes on some path from the roots to the requested inputs (PyTorch's init_to_execute). */
function initToExecute(roots: readonly Edge[], outputs: readonly Edge[], accumulateGrad: boolean): Map<Node, ExecInfo> {
  const info = new Map<Node, ExecInfo>();
  const get = (n: Node) => {
    let i = info.get(n);
    if (i === undefined) info.set(n, (i = { needed: false, captures: [] }));
    return i;
  };
  outputs.forEach((edge, index) => {
    const i = get(edge.node as Node);
    if (accumulateGrad) i.needed = true;
    else i.captures.push([edge.inputNr, index]);
  });
  // a node is needed if one of its next nodes is needed or captures (graphs are acyclic)
  const executes = new Map<Node, boolean>();
  const visit = (n: Node): boolean => {
    let result = executes.get(n);
    if (result !== undefined) return result;
    executes.set(n, false);
    let next = false;
    for (const e of n.nextEdges) if (e.node !== null && visit(e.node)) next = true;
    if (next) get(n).needed = true;
    const i = info.get(n);
    result = i !== undefined && (i.needed || i.captures.length > 0);
    executes.set(n, result);
    return result;
  };
  for (const e of roots) visit(e.node as Node);
  return info;
}

/**
 * Tensor hooks may replace a gradient; retain_grad hooks then see the final one. A leaf's hooks
 * are its AccumulateGrad's pre-hooks, so they also run when autograd.grad captures the leaf.
 */
function callPreHooks(node: Node, inputs: (Tensor | null)[], own: (g: Tensor) => void, drop: (g: Tensor) => void): (Tensor | null)[] {
  const lists: [number, readonly GradHook[]][] = node.preHooks === null ? [] : [...node.preHooks];
  const leafHooks = node instanceof AccumulateGrad ? node.variable._leafHooks : null;
  if (leafHooks !== null && leafHooks.length > 0) lists.push([0, leafHooks]);
  if (lists.length === 0) {
    callRetainGradHooks(node, inputs);
    return inputs;
  }
  const out = [...inputs];
  for (const [nr, fns] of lists) {
    for (const fn of [...fns]) {
      const g = out[nr];
      if (g === null) continue;
      // what the hook makes on the way is disposed; the gradient it returns is the engine's
      const replaced = tidyWith(() => fn(g), isTensor);
      if (replaced === undefined || replaced === null || replaced === g) continue;
      checkHookResult(g, replaced, fn);
      own(replaced);
      drop(g);
      out[nr] = replaced;
    }
  }
  callRetainGradHooks(node, out);
  return out;
}

/** PyTorch's check_variable_result: a hook may not change a gradient's type or size. */
function checkHookResult(original: Tensor, result: unknown, hook: GradHook): asserts result is Tensor {
  const name = hook.name === "" ? "<lambda>" : hook.name;
  if (!isTensor(result)) throw new TypeError(`expected Variable, but hook returned '${typeof result}'`);
  if (result.dtype !== original.dtype) {
    throw new RuntimeError(`hook '${name}' has changed the type of value (was ${DTYPES[original.dtype].typeName} got ${DTYPES[result.dtype].typeName})`);
  }
  if (!sameShape(result._shape, original._shape)) throw new RuntimeError(`hook '${name}' has changed the size of value`);
}

function callRetainGradHooks(node: Node, inputs: readonly (Tensor | null)[]): void {
  const hooks = node.retainGradHooks;
  if (hooks === null) return;
  for (const [nr, fn] of hooks) {
    const g = inputs[nr];
    if (g !== null) fn(g);
  }
}

/**
 * Checks each gradient against the metadata of the node it flows to: a broadcast gradient is
 * summed back to the expected shape, a different dtype converted.
 */
function validateOutputs(
  edges: readonly Edge[], grads: (Tensor | null)[], producer: string, own: (g: Tensor) => void, drop: (g: Tensor) => void,
): (Tensor | null)[] {
  return edges.map((edge, i) => {
    const grad = grads[i] ?? null;
    if (edge.node === null || grad === null) return grad;
    const meta = edge.node.inputMetadata[edge.inputNr];
    if (meta === undefined) return grad;
    let g = grad;
    if (!sameShape(g._shape, meta.shape)) {
      if (!isExpandable(meta.shape, g._shape)) {
        throw new RuntimeError(
          `Function ${producer} returned an invalid gradient at index ${i} - got ${formatShape(g._shape)} but expected shape compatible with ${formatShape(meta.shape)}`,
        );
      }
      const reduced = g.sumToSize(meta.shape);
      own(reduced);
      drop(g);
      g = reduced;
    }
    if (g.dtype !== meta.dtype) {
      const cast = g.to(meta.dtype);
      own(cast);
      drop(g);
      g = cast;
    }
    return g;
  });
}

/** PyTorch's retain_grad(): a non-leaf keeps the gradient that reaches it. */
export function retainGrad(t: Tensor): void {
  if (!requiresGrad(t)) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (t._gradFn === null || t._retainsGrad) return;
  const fn = gradFn(t) as Node;
  const hook: GradHook = (grad) => {
    if (t._disposed) return;
    // the .grad slot protects it from tidy while it holds it (see Tensor._setGrad)
    if (t._grad === null) t._setGrad(grad.clone());
    else t._setGrad(t._grad.add(grad));
  };
  (fn.retainGradHooks ??= new Map()).set(t._outputNr, hook);
  t._retainsGrad = true;
}
