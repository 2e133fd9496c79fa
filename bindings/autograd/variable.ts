// PyTorch's autograd rules for a tensor's history (torch/csrc/autograd/variable.cpp and
// VariableTypeUtils.h): gradient edges, views and their regenerated gradFn, in-place checks
// and rebasing history after an in-place op. Where PyTorch reads the raw grad_fn_ field and
// where it calls grad_fn() (which may regenerate a view's node) matters for which errors
// appear; the two are kept apart here on purpose.
import { RuntimeError, messages } from "../errors.js";
import { CreationMeta, type Tensor, type ViewInfo } from "../tensor/tensor.js";
import { isFloating } from "../tensor/dtype.js";
import { type Edge, INVALID_EDGE, type Node, replaceNode } from "./node.js";
import { isGradEnabled, isInferenceMode } from "./grad_mode.js";
import { AccumulateGrad, AsStridedBackward0, CopySlices } from "./functions.js";

/** PyTorch's `requires_grad()`: the flag, a gradFn, or (for a view) a base that requires grad. */
export function requiresGrad(t: Tensor): boolean {
  return t._requiresGrad || t._gradFn !== null || (t._view !== null && requiresGrad(t._view.base));
}

/**
 * PyTorch's `grad_fn()`: for a view whose base (or another view of it) was modified in place
 * since its node was set, regenerates the node as AsStridedBackward0 over the base.
 */
export function gradFn(t: Tensor): Node | null {
  const view = t._view;
  if (view === null) return t._gradFn;
  if (t._gradFn === null && !requiresGrad(view.base)) return null;
  const current = t._version.value;
  if (view.attrVersion !== current) {
    handleViewOnRebase(t, view, true);
    const fn = new AsStridedBackward0(view.base, t);
    fn.setNextEdges(collectNextEdges([view.base]));
    fn.addInputMetadata(t._shape, t.dtype);
    moveRetainGradHook(t, t._gradFn, fn);
    t._gradFn = replaceNode(t._gradFn, fn);
    view.attrVersion = current;
  }
  return t._gradFn;
}

/** PyTorch's `is_leaf` as Python reads it (through grad_fn(), so it may regenerate). */
export function isLeaf(t: Tensor): boolean {
  return gradFn(t) === null;
}

/** The node a leaf's gradient accumulates into, made on first use; none unless it requires grad. */
export function gradAccumulator(t: Tensor): AccumulateGrad | null {
  if (!t._requiresGrad) return null;
  return (t._accumulator as AccumulateGrad | null) ?? new AccumulateGrad(t);
}

/** Where gradient w.r.t. `t` must be sent: its gradFn, or its accumulator for a leaf. */
export function gradientEdge(t: Tensor): Edge {
  const fn = gradFn(t);
  if (fn !== null) return { node: fn, inputNr: t._outputNr };
  return gradAccumulator(t)?.edge ?? INVALID_EDGE;
}

export function collectNextEdges(tensors: readonly (Tensor | null)[]): Edge[] {
  const edges = new Array<Edge>(tensors.length);
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    edges[i] = t === null ? INVALID_EDGE : gradientEdge(t);
  }
  return edges;
}

/** Whether an op on these inputs records history (grad mode on and any input requires grad). */
export function anyRequiresGrad(tensors: readonly (Tensor | null)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of tensors) if (t !== null && requiresGrad(t)) return true;
  return false;
}

export function setGradientEdge(t: Tensor, node: Node, outputNr: number): void {
  t._gradFn = replaceNode(t._gradFn, node);
  t._outputNr = outputNr;
  if (t._view !== null) t._view.attrVersion = t._version.value;
}

/** Makes `node` the history of a freshly computed output. */
export function setHistory(output: Tensor, node: Node): void {
  setGradientEdge(output, node, node.addInputMetadata(output._shape, output.dtype));
}

/**
 * After an in-place op on `t` recorded by `node`: a plain tensor takes `node` as its history;
 * for a view, the base's history becomes CopySlices(base, node) and the view's own node is
 * regenerated from the base.
 */
export function rebaseHistory(t: Tensor, node: Node): void {
  const outputNr = node.addInputMetadata(t._shape, t.dtype);
  const view = t._view;
  if (view !== null) {
    // only single-output ops reach here with a view (custom Functions check it)
    t._outputNr = 0;
    const copySlices = new CopySlices(view.base, t, node);
    setGradientEdge(view.base, copySlices, 0);
    gradFn(t);
    return;
  }
  const old = t._gradFn;
  setGradientEdge(t, node, outputNr);
  moveRetainGradHook(t, old, node);
}

/** A retained gradient follows its tensor to a new gradFn (update_tensor_hooks_on_new_gradfn). */
function moveRetainGradHook(t: Tensor, from: Node | null, to: Node): void {
  if (!t._retainsGrad || from === null || from.retainGradHooks === null) return;
  const hook = from.retainGradHooks.get(t._outputNr);
  if (hook === undefined) return;
  from.retainGradHooks.delete(t._outputNr);
  (to.retainGradHooks ??= new Map()).set(t._outputNr, hook);
}

/** PyTorch's check_inplace: the leaf, view-of-leaf and no-grad-view rules. */
export function checkInplace(t: Tensor, recordsHistory: boolean): void {
  if (!recordsHistory) return;
  const view = t._view;
  if (view !== null) {
    if (view.creationMeta !== CreationMeta.Default) handleViewOnRebase(t, view, false);
    if (requiresGrad(t) && view.base._gradFn === null) throw new RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (requiresGrad(t) && t._gradFn === null) throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
}

/** Raises PyTorch's error for in-place changes that a non-default view cannot take. */
export function handleViewOnRebase(t: Tensor, view: ViewInfo, indirect: boolean): void {
  const meta = view.creationMeta;
  if (meta === CreationMeta.Default) return;
  const fn = t._gradFn;
  const modified = indirect ? "its base or another view of its base has been" : "is being";
  let msg: string;
  if (meta === CreationMeta.InferenceMode || meta === CreationMeta.NoGradMode || fn === null) {
    const prefix = fn !== null ? `Output ${t._outputNr} of ${fn.name} is a view of a view which was created in` : "A view was created in";
    msg = meta === CreationMeta.InferenceMode
      ? `${prefix} inference mode and ${modified} modified inplace in normal mode.`
      : `${prefix} no_grad mode and ${modified} modified inplace with grad mode enabled.`;
  } else {
    msg = `Output ${t._outputNr} of ${fn.name} is a view and ${modified} modified inplace.`;
  }
  if (meta === CreationMeta.MultiOutputNode) {
    msg += " This view is the output of a function that returns multiple views. Such functions do not allow the output " +
      "views to be modified inplace. You should replace the inplace operation by an out-of-place one.";
  } else if (meta === CreationMeta.NoGradMode) {
    msg += " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving " +
      "both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) " +
      "or both outside (if you want the inplace to be tracked).";
  } else if (meta === CreationMeta.InferenceMode) {
    msg += " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving " +
      "both the view and the inplace either both inside the inference_mode block (if you don't want the inplace to be " +
      "tracked) or both outside (if you want the inplace to be tracked).";
  } else {
    msg += " This view was created inside a custom Function (or because an input was returned as-is) and the autograd " +
      "logic to handle view+inplace would override the custom backward associated with the custom Function, leading to " +
      "incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.";
  }
  throw new RuntimeError(msg);
}

/** The creation meta a view made now gets (PyTorch's as_view with propagate_creation_meta). */
export function creationMetaNow(multiOutput = false): CreationMeta {
  if (isInferenceMode()) return CreationMeta.InferenceMode;
  if (!isGradEnabled()) return CreationMeta.NoGradMode;
  return multiOutput ? CreationMeta.MultiOutputNode : CreationMeta.Default;
}

/** Marks `out` as a differentiable view of `base` (PyTorch's as_view). */
export function makeView(base: Tensor, out: Tensor, meta: CreationMeta): Tensor {
  const parent = base._view;
  const root = parent === null ? base : parent.base;
  if (parent !== null && (meta === CreationMeta.Default || parent.creationMeta === CreationMeta.InferenceMode)) {
    meta = parent.creationMeta;
  }
  root._hold();
  out._view = { base: root, creationMeta: meta, attrVersion: out._version.value };
  return out;
}

/** PyTorch's `requires_grad_()` method. */
export function setRequiresGradMethod(t: Tensor, value: boolean): void {
  if (t._gradFn !== null && !value) throw new RuntimeError(messages.requiresGradNonLeaf(value));
  if (value && !isFloating(t.dtype)) throw new RuntimeError("only Tensors of floating point dtype can require gradients");
  t._requiresGrad = value;
}

/** PyTorch's `t.requires_grad = value` attribute assignment. */
export function setRequiresGradAttr(t: Tensor, value: boolean): void {
  if (t._gradFn !== null) throw new RuntimeError(messages.requiresGradNonLeaf(value));
  if (value && !isFloating(t.dtype)) throw new RuntimeError("only Tensors of floating point and complex dtype can require gradients");
  t._requiresGrad = value;
}

/** PyTorch's `detach_()`. */
export function detachInplace(t: Tensor): void {
  if (t._view !== null) {
    throw new RuntimeError(
      "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and " +
        "gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on " +
        "these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.",
    );
  }
  t._requiresGrad = false;
  t._gradFn = replaceNode(t._gradFn, null);
  t._outputNr = 0;
}
