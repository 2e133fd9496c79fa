/**
 * tapegrad/viz (what torchviz's make_dot is to PyTorch): draws the autograd graph behind tensors,
 * as DOT text or standalone SVG text. Usable anywhere (no DOM): the playground inlines the SVG,
 * a Node script can write it to a file.
 *
 * @module tapegrad/viz
 */
import { buildGraph, type GraphInput } from "./graph.js";
import { graphToDot } from "./dot.js";
import { graphToSvg } from "./svg.js";

export type { GraphInput } from "./graph.js";

/**
 * The autograd graph of `tensors` as Graphviz DOT: tensors, gradFn nodes (PyTorch's names),
 * saved tensors with their saved and current versions (a stale one, the cause of the in-place
 * modification error, in red), detached tensors cut off from the graph, shared storage dotted.
 * Pass tensors by name (`{ a, out }`) to label them. Drawing never changes the graph.
 */
export function toDot(tensors: GraphInput): string {
  return graphToDot(buildGraph(tensors));
}

/** The same graph as `toDot`, laid out here and rendered as SVG text. */
export function toSvg(tensors: GraphInput): string {
  return graphToSvg(buildGraph(tensors));
}
