// Nodes that are not the backward of one op's formula: AccumulateGrad (a leaf's gradient sink),
// CopySlices (an in-place op on a view, rebased onto the base) and AsStridedBackward0 (a view's
// regenerated node after its base changed). They compute with ordinary tensor methods, so
// their gradients are themselves differentiable under createGraph.
import { RuntimeError, messages } from "../errors.js";
import { isGradEnabled } from "./grad_mode.js";
import { type Edge, Node, LEAF_SEQUENCE_NR } from "./node.js";
import type { Tensor } from "../tensor/tensor.js";
import { isContiguous, isNonOverlappingAndDense } from "../tensor/shape.js";
import { gradientEdge } from "./variable.js";

/** Geometry of a tensor at one moment: what as_strided needs to find it again. */
export interface Geometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/** `t`'s geometry now (copies of its shape and strides). */
export const geometry = (t: Tensor): Geometry => ({ shape: [...t._shape], strides: [...t._strides], offset: t._offset });

export class AccumulateGrad extends Node {
  /** @internal The edge to this node, shared by every node that consumes the leaf. */
  readonly edge: Edge = { node: this, inputNr: 0 };

  /**
   * Made once per leaf and kept by it: the node holds the leaf while some graph refers to it,
   * and between graphs waits, holding nothing, to be reused (PyTorch makes a new one when the
   * old one has died; nothing can tell the two apart, since keeping a reference to a node keeps
   * it alive in PyTorch).
   */
  constructor(readonly variable: Tensor) {
    super("AccumulateGrad", LEAF_SEQUENCE_NR);
    this.addInputMetadata(variable._shape, variable.dtype);
    variable._accumulator = this;
  }

  /** @internal */
  retain(): void {
    if (this.refs === 0) this.join();
    super.retain();
  }

  /** Enters a graph: holds the leaf, whose shape or dtype `.data = ...` may have changed since. */
  private join(): void {
    const v = this.variable;
    v._hold();
    const meta = this.inputMetadata[0];
    if (meta.shape !== v._shape || meta.dtype !== v.dtype) this.inputMetadata[0] = { shape: v._shape, dtype: v.dtype };
  }

  apply(grads: (Tensor | null)[], exclusive: (g: Tensor) => boolean = () => false): (Tensor | null)[] {
    // the leaf's tensor hooks already ran as this node's pre-hooks (engine.ts)
    const grad = grads[0];
    const v = this.variable;
    if (grad === null || !v._requiresGrad || v._disposed) return [];
    const current = v._grad;
    if (current === null) {
      // PyTorch steals a gradient nothing else refers to when its layout fits the leaf
      const steal = !isGradEnabled() && exclusive(grad) && obeysLayoutContract(grad, v);
      // the .grad slot protects the gradient from tidy while it holds it (see Tensor._setGrad)
      v._setGrad(steal ? grad._alias(grad._shape, grad._strides, grad._offset, grad._version) : cloneObeyingLayout(grad, v));
    }
    else if (!isGradEnabled()) current.add_(grad);
    else v._setGrad(current.add(grad));
    return [];
  }

  protected destroy(): void {
    super.destroy();
    this.variable._releaseHold();
  }
}

/** PyTorch's obeys_layout_contract: the gradient has the leaf's strides (where sizes exceed 1). */
function obeysLayoutContract(grad: Tensor, variable: Tensor): boolean {
  if (isNonOverlappingAndDense(variable._shape, variable._strides)) {
    for (let i = 0; i < grad._shape.length; i++) {
      if (grad._shape[i] !== 1) {
        if (grad._strides[i] !== variable._strides[i]) return false;
      } else if (grad._strides[i] === 0) return false;
    }
    return true;
  }
  return isContiguous(grad._shape, grad._strides);
}

/**
 * A leaf's first gradient gets the leaf's own strides when those are dense (PyTorch's
 * "gradient layout contract"), else contiguous strides. Under createGraph the copy is recorded.
 */
function cloneObeyingLayout(grad: Tensor, variable: Tensor): Tensor {
  const dense = isNonOverlappingAndDense(variable._shape, variable._strides);
  if (dense && !isContiguous(variable._shape, variable._strides)) {
    return grad.newEmptyStrided(variable._shape, variable._strides).copy_(grad);
  }
  return grad.newEmpty(variable._shape).copy_(grad);
}

/**
 * Gradient of `view = base.as_strided(size, stride, offset)` w.r.t. base: scatter-add the
 * view's gradient into a zero buffer laid out like the base's storage, then read the base back.
 */
export function asStridedBackward(grad: Tensor, base: Geometry, view: Geometry): Tensor {
  const extentOf = (g: Geometry) => g.shape.reduce((e, s, i) => (s === 0 ? e : e + (s - 1) * g.strides[i]), g.offset + 1);
  const start = Math.min(base.offset, view.offset);
  const end = Math.max(extentOf(base), extentOf(view));
  const positions = grad.newArange(end - start)
    .asStrided(view.shape, view.strides, view.offset - start)
    .reshape(-1);
  const storage = grad.newZeros([end - start]).indexAdd(0, positions, grad.reshape(-1));
  return storage.asStrided(base.shape, base.strides, base.offset - start);
}

export class AsStridedBackward0 extends Node {
  private readonly base: Geometry;
  private readonly view: Geometry;

  constructor(base: Tensor, view: Tensor) {
    super("AsStridedBackward0");
    this.base = geometry(base);
    this.view = geometry(view);
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const grad = grads[0];
    if (grad === null || !this.shouldComputeOutput(0)) return [null];
    return [asStridedBackward(grad, this.base, this.view)];
  }
}

/**
 * An in-place op `fn` on a view, as seen from the base: the base's gradient is the incoming one
 * with the view's region replaced by what `fn` makes of that region.
 */
export class CopySlices extends Node {
  private readonly base: Geometry;
  private readonly view: Geometry;
  private fn: Node | null;

  constructor(base: Tensor, view: Tensor, fn: Node) {
    super("CopySlices");
    this.base = geometry(base);
    this.view = geometry(view);
    this.addInputMetadata(base._shape, base.dtype);
    fn.retain();
    this.fn = fn;
    // the base takes the place of the view among fn's inputs
    this.setNextEdges([gradientEdge(base), ...fn.nextEdges.slice(1)]);
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const grad = grads[0];
    const fn = this.fn;
    if (fn === null) throw new RuntimeError(messages.backwardTwice());
    if (grad === null) return this.nextEdges.map(() => null);
    const result = grad.newEmptyStrided(this.base.shape, this.base.strides).copy_(grad);
    const slice = result.asStrided(this.view.shape, this.view.strides, this.view.offset - this.base.offset);
    const res = fn.apply([slice.clone()]);
    const out: (Tensor | null)[] = [null];
    if (res[0] !== null && res[0] !== undefined) {
      slice.copy_(res[0]);
      out[0] = result;
    }
    for (let i = 1; i < this.nextEdges.length; i++) out.push(res[i] ?? null);
    return out;
  }

  releaseVariables(): void {
    const fn = this.fn;
    this.fn = null;
    fn?.release();
  }

  /** @internal the in-place op's node, for drawing the graph */
  get inner(): Node | null {
    return this.fn;
  }
}

