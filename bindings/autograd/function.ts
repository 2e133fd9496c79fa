// Custom autograd functions (PyTorch's torch.autograd.Function): a subclass defines static
// `forward(ctx, ...args)` and `backward(ctx, ...grads)`; `Sub.apply(...args)` runs forward
// without recording and, when an input requires grad, gives the outputs a node named
// `SubBackward` whose backward is the user's. The rules for outputs (inputs returned as-is,
// views, dirty inputs, non-differentiable outputs) and for backward's results are PyTorch's
// (_wrap_outputs and PyNode::apply).
import { RuntimeError } from "../errors.js";
import { isFloating } from "../tensor/dtype.js";
import { CreationMeta, Tensor } from "../tensor/tensor.js";
import { setGradEnabled } from "./grad_mode.js";
import { Node } from "./node.js";
import { SavedVariable } from "./saved.js";
import { anyRequiresGrad, checkInplace, collectNextEdges, gradFn, rebaseHistory, requiresGrad, setGradientEdge } from "./variable.js";

/** What forward and backward share: saved tensors, flags, and any attributes the user sets. */
export class FunctionCtx {
  /** for each forward argument: whether it is a tensor whose gradient is needed */
  needsInputGrad: boolean[] = [];
  /** @internal */ toSave: (Tensor | null)[] | null = null;
  /** @internal */ saved: (SavedVariable | null)[] | null = null;
  /** @internal */ dirty = new Set<Tensor>();
  /** @internal */ nonDifferentiable = new Set<Tensor>();
  /** @internal */ materializeGrads = true;
  /** @internal the node, once outputs have one (to name it in saved-tensor errors) */
  node: Node | null = null;
  /** attributes the user stores for backward (`ctx.alpha = 2`) */
  [attribute: string]: unknown;

  /** Saves tensors (or nulls) for backward; only call it once, in forward. */
  saveForBackward(...tensors: (Tensor | null)[]): void {
    this.toSave = tensors;
  }

  /** The saved tensors, checked against in-place changes since they were saved. */
  get savedTensors(): (Tensor | null)[] {
    if (this.saved === null) {
      // before forward finished (or without a graph), the tensors as given
      return this.toSave === null ? [] : [...this.toSave];
    }
    return this.saved.map((sv) => (sv === null ? null : sv.unpack(this.node)));
  }

  /** Declares inputs that forward modified in place; they must be returned. */
  markDirty(...tensors: Tensor[]): void {
    this.dirty = new Set(tensors);
  }

  /** Declares outputs that have no gradient. */
  markNonDifferentiable(...tensors: Tensor[]): void {
    this.nonDifferentiable = new Set(tensors);
  }

  /** Whether backward gets zeros (the default) or null for outputs without a gradient. */
  setMaterializeGrads(value: boolean): void {
    this.materializeGrads = value;
  }
}

type Grad = Tensor | null | undefined;

/** The node of one custom Function call. */
class FunctionNode extends Node {
  constructor(
    private readonly fn: typeof Function,
    private readonly ctx: FunctionCtx,
    /** per forward argument: whether it was a tensor (edges exist for those only) */
    private readonly tensorArgs: boolean[],
  ) {
    super(`${fn.name}Backward`);
  }

  /** @internal output numbers that were not tensors (backward gets null for them) */
  readonly nonTensorOutputs = new Set<number>();

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const ctx = this.ctx;
    // outputs without a gradient get zeros of their shape and dtype, unless asked otherwise
    const inputs = grads.map((g, i) => {
      if (g !== null || !ctx.materializeGrads || this.nonTensorOutputs.has(i)) return g;
      const meta = this.inputMetadata[i];
      return gradTemplate(grads).newZeros(meta.shape, { dtype: meta.dtype });
    });
    const result = this.fn.backward(ctx, ...inputs);
    return this.checkResult(Array.isArray(result) ? (result as Grad[]) : [result as Grad]);
  }

  /** PyTorch's checks on what backward returned: one gradient per forward argument. */
  private checkResult(result: Grad[]): (Tensor | null)[] {
    const expected = this.tensorArgs.length;
    const extra = result.slice(expected);
    if (result.length < expected || extra.some((g) => g !== null && g !== undefined)) {
      throw new RuntimeError(`function ${this.name} returned an incorrect number of gradients (expected ${expected}, got ${result.length})`);
    }
    const out: (Tensor | null)[] = [];
    this.tensorArgs.forEach((isTensor, i) => {
      const g = result[i] ?? null;
      if (!isTensor) {
        if (g !== null) {
          throw new RuntimeError(
            `function ${this.name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`,
          );
        }
        return;
      }
      out.push(g);
    });
    return out.map((g, i) => (this.shouldComputeOutput(i) ? g : null));
  }

  releaseVariables(): void {
    const saved = this.ctx.saved;
    if (saved === null) return;
    for (const sv of saved) sv?.release();
  }
}

/** Some defined gradient to make zeros with (any will do: only its class is used). */
function gradTemplate(grads: readonly (Tensor | null)[]): Tensor {
  const g = grads.find((x): x is Tensor => x !== null);
  if (g === undefined) throw new RuntimeError("custom Function backward called without any gradient");
  return g;
}

/** `input.viewAs(input)` made without grad mode: the alias a custom Function returns for an input. */
function aliasOf(t: Tensor): Tensor {
  const previous = setGradEnabled(false);
  try {
    return t.viewAs(t);
  } finally {
    setGradEnabled(previous);
  }
}

/** Gives the forward's outputs their history (PyTorch's _wrap_outputs). */
function wrapOutputs(node: FunctionNode | null, ctx: FunctionCtx, inputs: ReadonlySet<Tensor>, outputs: readonly unknown[]): unknown[] {
  const tensorCount = outputs.filter((o) => o instanceof Tensor).length;
  return outputs.map((o) => {
    if (!(o instanceof Tensor)) {
      if (node !== null) node.nonTensorOutputs.add(node.addInputMetadata([], "float32"));
      return o;
    }
    const isInput = inputs.has(o);
    const isDirty = ctx.dirty.has(o);
    const differentiable = node !== null && !ctx.nonDifferentiable.has(o) && isFloating(o.dtype);
    if (!differentiable) {
      if (node !== null) node.addInputMetadata(o._shape, o.dtype);
      if (!requiresGrad(o)) return isInput && !isDirty ? aliasOf(o) : o;
      // outputs without a gradient are detached aliases of inputs, or detached themselves
      if (isInput) return o.detach();
      if (o._view === null) o.detach_();
      return o;
    }
    if (isDirty) {
      if (o._gradFn === null && o._requiresGrad && o._view === null) {
        throw new RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.");
      }
      if (o._view !== null && tensorCount > 1) {
        throw new RuntimeError(
          "If your Function modifies inplace an input that is a view of another Tensor, your Function cannot return more than one Tensor. This is not supported by the current autograd engine. You should either make sure the input is not a view (using .clone() for example) or make your Function only return one Tensor (potentially splitting it into two Functions: one doing the inplace that returns a single Tensor and a second one that does the other operations). You can ask on the forum https://discuss.pytorch.org/ if you need help to do this change.",
        );
      }
      checkInplace(o, true);
      rebaseHistory(o, node);
      return o;
    }
    const out = isInput ? aliasOf(o) : o;
    setGradientEdge(out, node, node.addInputMetadata(out._shape, out.dtype));
    // views made in forward (or aliases of inputs) may not be modified in place later
    if (out._view !== null) out._view.creationMeta = CreationMeta.InCustomFunction;
    return out;
  });
}

/**
 * PyTorch's torch.autograd.Function. Subclass it with static `forward(ctx, ...args)` and
 * `backward(ctx, ...grads)` and call `Sub.apply(...args)`.
 */
export class Function {
  static forward(ctx: FunctionCtx, ...args: never[]): unknown {
    throw new RuntimeError("You must implement the forward function for custom autograd.Function.");
  }

  static backward(ctx: FunctionCtx, ...grads: (Tensor | null)[]): unknown {
    throw new RuntimeError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  /** Runs forward and records the call (a node named `<Class>Backward`). */
  static apply<F extends typeof Function>(this: F, ...args: ForwardArgs<F>): ForwardResult<F> {
    const values = args as unknown[];
    const tensorArgs = values.map((a) => a instanceof Tensor);
    const tensors = values.filter((a): a is Tensor => a instanceof Tensor);
    const ctx = new FunctionCtx();
    const records = anyRequiresGrad(tensors);
    ctx.needsInputGrad = values.map((a) => a instanceof Tensor && records && requiresGrad(a));
    const node = records ? new FunctionNode(this, ctx, tensorArgs) : null;
    node?.retain(); // held by this call until the outputs take it over
    try {
      if (node !== null) node.setNextEdges(collectNextEdges(tensors));
      const previous = setGradEnabled(false);
      let result: unknown;
      try {
        result = this.forward(ctx, ...(values as never[]));
      } finally {
        setGradEnabled(previous);
      }
      const outputs = Array.isArray(result) ? result : [result];
      const wrapped = wrapOutputs(node, ctx, new Set(tensors), outputs);
      if (node !== null) {
        ctx.node = node;
        saveVariables(ctx, node);
      }
      return (Array.isArray(result) ? wrapped : wrapped[0]) as ForwardResult<F>;
    } finally {
      node?.release();
    }
  }
}

/** Saved tensors become SavedVariables: an output (its gradFn is this node) is saved as one. */
function saveVariables(ctx: FunctionCtx, node: Node): void {
  const toSave = ctx.toSave ?? [];
  ctx.saved = toSave.map((t) => (t === null ? null : new SavedVariable(t, gradFn(t) === node)));
  ctx.toSave = null;
}

type ForwardArgs<F> = F extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : never;
type ForwardResult<F> = F extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : never;
