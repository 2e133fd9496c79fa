// The autograd graph behind some tensors, as boxes and edges to draw (torchviz's picture):
// tensors, gradFn nodes with PyTorch's names, the tensors each node saved for backward with the
// version they were saved at and the one they have now, and which tensors share storage.
// Drawing must not change what it draws: it reads the raw `_gradFn` of tensors, because the
// `gradFn` getter regenerates the node of a view whose base was modified in place (PyTorch
// semantics), and SavedVariable.peek(), which does not check versions.
import { Tensor } from "../tensor/tensor.js";
import type { Storage } from "../storage.js";
import type { Node } from "../autograd/node.js";
import { AccumulateGrad, CopySlices } from "../autograd/functions.js";
import { OpNode } from "../ops/record.js";

export type BoxKind =
  /** a tensor with history (a gradFn) */
  | "output"
  /** a leaf that requires grad: where AccumulateGrad puts its gradient */
  | "leaf"
  /** a tensor outside the graph: no gradFn, no requires_grad (e.g. a detach()) */
  | "detached"
  /** a gradFn node */
  | "function"
  /** a tensor a node saved for backward */
  | "saved";

export interface Box {
  readonly id: string;
  readonly kind: BoxKind;
  /** lines of text, the first one the title */
  readonly lines: string[];
  /** a saved tensor modified in place since it was saved: backward through its node will raise */
  readonly stale: boolean;
  /** a longer explanation (an SVG tooltip) */
  readonly note: string;
}

export type EdgeKind =
  /** gradient flow, drawn from the input side to the output side like torchviz */
  | "graph"
  /** a saved tensor to the node that saved it */
  | "saved"
  /** CopySlices to the in-place op's node it wraps */
  | "wraps"
  /** two tensors over the same storage (undirected) */
  | "storage";

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface Graph {
  readonly boxes: Box[];
  readonly edges: Edge[];
}

/** What to draw: one tensor, a list, or tensors by name (names label their boxes). */
export type GraphInput = Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;

const shapeText = (t: Tensor): string => `[${t._shape.join(", ")}]${t.dtype === "float32" ? "" : ` ${t.dtype}`}`;

/** The tensors of the input with their names (null when unnamed); other values are ignored. */
function named(input: GraphInput): [string | null, Tensor][] {
  if (input instanceof Tensor) return [[null, input]];
  if (Array.isArray(input)) return input.filter((t) => t instanceof Tensor).map((t) => [null, t]);
  return Object.entries(input as Record<string, unknown>).filter((e): e is [string, Tensor] => e[1] instanceof Tensor);
}

/** Collects the graph reachable from `input` without modifying any tensor or node. */
export function buildGraph(input: GraphInput): Graph {
  const boxes: Box[] = [];
  const edges: Edge[] = [];
  const tensorIds = new Map<Tensor, string>();
  const nodeIds = new Map<Node, string>();
  const storages = new Map<Storage, string[]>();
  const names = new Map<Tensor, string>();
  for (const [name, t] of named(input)) if (name !== null) names.set(t, name);

  const add = (kind: BoxKind, lines: string[], stale = false, note = ""): string => {
    const id = `n${boxes.length}`;
    boxes.push({ id, kind, lines, stale, note });
    return id;
  };
  const shareStorage = (t: Tensor, id: string) => {
    if (t._disposed) return;
    const group = storages.get(t._storage) ?? [];
    group.push(id);
    storages.set(t._storage, group);
  };

  // Nodes are expanded from a queue, not by recursion: graphs can be thousands of nodes deep.
  const queue: [Node, string][] = [];

  function tensorBox(t: Tensor): string {
    const known = tensorIds.get(t);
    if (known !== undefined) return known;
    const name = names.get(t) ?? "tensor";
    let id: string;
    if (t._disposed) id = add("detached", [name, "disposed"]);
    else if (t._gradFn !== null) id = add("output", [name, shapeText(t), `version ${t.version}`]);
    else if (t._requiresGrad) id = add("leaf", [name, shapeText(t), "requires_grad"]);
    else id = add("detached", [name, shapeText(t), "no grad_fn"], false, "not part of any graph: no grad_fn, does not require grad");
    tensorIds.set(t, id);
    shareStorage(t, id);
    if (!t._disposed && t._gradFn !== null) edges.push({ from: nodeBox(t._gradFn), to: id, kind: "graph" });
    return id;
  }

  /** The box of a node, queued for expansion when new. A leaf's AccumulateGrad is drawn as the leaf, like torchviz. */
  function nodeBox(node: Node): string {
    const known = nodeIds.get(node);
    if (known !== undefined) return known;
    if (node instanceof AccumulateGrad) {
      const id = tensorBox(node.variable);
      nodeIds.set(node, id);
      return id;
    }
    const id = add("function", [node.name]);
    nodeIds.set(node, id);
    queue.push([node, id]);
    return id;
  }

  function expand(node: Node, id: string): void {
    savedBoxes(node, id);
    if (node instanceof CopySlices && node.inner !== null) {
      // the in-place op's node: its saved tensors matter; its inputs are CopySlices' own
      const inner = add("function", [node.inner.name, "(in-place on a view)"]);
      nodeIds.set(node.inner, inner);
      savedBoxes(node.inner, inner);
      edges.push({ from: inner, to: id, kind: "wraps" });
    }
    for (const [next] of node.nextFunctions) if (next !== null) edges.push({ from: nodeBox(next), to: id, kind: "graph" });
  }

  function savedBoxes(node: Node, nodeId: string): void {
    if (!(node instanceof OpNode)) return;
    for (const [name, saved] of node.savedVariables()) {
      const peek = saved.peek();
      let id: string;
      if (peek === null) {
        id = add("saved", [`saved ${name}`, "freed by backward"], false, "released after backward (use retainGraph to keep it)");
      } else {
        const { tensor, savedVersion } = peek;
        const current = tensor.version;
        const stale = current !== savedVersion;
        const versions = stale ? `stale: saved v${savedVersion}, now v${current}` : `saved v${savedVersion}, now v${current}`;
        const note = stale
          ? `modified in place after ${node.name} saved it: backward through ${node.name} raises the in-place modification error`
          : `saved by ${node.name} at version ${savedVersion}`;
        id = add("saved", [`saved ${name}`, shapeText(tensor), versions], stale, note);
        shareStorage(tensor, id);
      }
      edges.push({ from: id, to: nodeId, kind: "saved" });
    }
  }

  for (const [, t] of named(input)) tensorBox(t);
  for (let i = 0; i < queue.length; i++) expand(...queue[i]);
  // Boxes over one storage say so ("storage #1" under the shape) and are linked to the first
  // one found (a named tensor when there is one).
  const byId = new Map(boxes.map((b) => [b.id, b]));
  let shared = 0;
  for (const group of storages.values()) {
    if (group.length < 2) continue;
    shared++;
    for (const id of group) (byId.get(id) as Box).lines.splice(2, 0, `storage #${shared}`);
    for (const id of group.slice(1)) edges.push({ from: group[0], to: id, kind: "storage" });
  }
  return { boxes, edges };
}
