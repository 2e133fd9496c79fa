// Graph nodes (PyTorch's torch::autograd::Node): a node is the backward of one forward call.
// Its inputs are the gradients of that call's outputs; its outputs flow along `nextEdges` to
// the nodes of the call's inputs. Nodes are reference counted like PyTorch's shared_ptr:
// tensors whose gradFn is the node and edges from later nodes keep it alive; when the last
// one lets go, its saved tensors are released.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";

export interface Edge {
  readonly node: Node | null;
  readonly inputNr: number;
}

export const INVALID_EDGE: Edge = Object.freeze({ node: null, inputNr: 0 });

/** Shape and dtype each incoming gradient must have (PyTorch's InputMetadata). */
export interface InputMetadata {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A function run on the gradient flowing into a node's input before the node runs. A tensor it
 * returns replaces the gradient and belongs to the engine from then on (it is disposed when the
 * pass is done with it), so return a new tensor, not one kept elsewhere.
 */
export type GradHook = (grad: Tensor) => Tensor | null | undefined | void;

// What a node has before its edges are set and its first output registered: shared, never
// written (setNextEdges replaces the array, addInputMetadata starts a new one).
const NO_EDGES: Edge[] = [];
const NO_METADATA: InputMetadata[] = [];

let nextSequenceNr = 0;
/** AccumulateGrad runs as soon as it is ready, like PyTorch's UINT64_MAX sequence number. */
export const LEAF_SEQUENCE_NR = Number.MAX_SAFE_INTEGER;

export abstract class Node {
  /** PyTorch's `type(grad_fn).__name__`, e.g. "SigmoidBackward0". */
  readonly name: string;
  /** @internal replaced as a whole by setNextEdges, never edited (so nodes may share NO_EDGES) */
  nextEdges: Edge[] = NO_EDGES;
  /** @internal */ inputMetadata: InputMetadata[] = NO_METADATA;
  /** @internal */ readonly sequenceNr: number;
  /** @internal tensor hooks and retain_grad, per input number */
  preHooks: Map<number, GradHook[]> | null = null;
  /** @internal */ retainGradHooks: Map<number, GradHook> | null = null;
  /** @internal references from tensors (gradFn) and edges of other nodes */
  protected refs = 0;

  constructor(name: string, sequenceNr = nextSequenceNr++) {
    this.name = name;
    this.sequenceNr = sequenceNr;
  }

  /**
   * Computes the gradients of the forward inputs from those of the forward outputs.
   * `exclusive(g)` tells whether the engine holds the only reference to `g` (it may be reused).
   */
  abstract apply(grads: (Tensor | null)[], exclusive?: (g: Tensor) => boolean): (Tensor | null)[];

  /** Frees saved tensors after a backward pass that does not retain the graph. */
  releaseVariables(): void {}

  /** PyTorch's `next_functions`: `[node, inputNr]` per forward input. */
  get nextFunctions(): [Node | null, number][] {
    return this.nextEdges.map((e) => [e.node, e.inputNr]);
  }

  /** @internal */
  setNextEdges(edges: Edge[]): void {
    for (const e of edges) e.node?.retain();
    for (const e of this.nextEdges) e.node?.release();
    this.nextEdges = edges;
  }

  /**
   * @internal Registers an output of the forward call; returns its input number here. The
   * shape is kept as given: tensor shapes are immutable arrays (ops replace them, never edit).
   */
  addInputMetadata(shape: readonly number[], dtype: DType): number {
    const meta = { shape, dtype };
    // a one-element literal for the first (a push onto an empty array reserves 17 slots)
    if (this.inputMetadata === NO_METADATA) this.inputMetadata = [meta];
    else this.inputMetadata.push(meta);
    return this.inputMetadata.length - 1;
  }

  /** @internal */
  shouldComputeOutput(i: number): boolean {
    return i < this.nextEdges.length && this.nextEdges[i].node !== null;
  }

  /** @internal */
  retain(): void {
    this.refs++;
  }

  /** @internal */
  release(): void {
    if (--this.refs === 0) this.destroy();
  }

  /** @internal Drops saved tensors and edges once nothing refers to this node. */
  protected destroy(): void {
    this.releaseVariables();
    const edges = this.nextEdges;
    this.nextEdges = NO_EDGES;
    for (const e of edges) e.node?.release();
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** Moves a node reference held in some field: retains the new one, releases the old one. */
export function replaceNode(previous: Node | null, next: Node | null): Node | null {
  next?.retain();
  previous?.release();
  return next;
}
