// The graph as Graphviz DOT text, in torchviz's colours: leaves light blue, outputs green,
// gradFn nodes grey, saved tensors orange (red border when stale), detached tensors dashed.
import type { Box, BoxKind, EdgeKind, Graph } from "./graph.js";

const BOX_STYLE: Record<BoxKind, string> = {
  output: 'fillcolor="darkolivegreen1"',
  leaf: 'fillcolor="lightblue"',
  detached: 'fillcolor="white", style="rounded,dashed,filled"',
  function: 'fillcolor="lightgrey"',
  saved: 'fillcolor="orange"',
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  graph: "",
  saved: ' [style="dashed", dir="none"]',
  wraps: ' [style="dotted", label="wraps"]',
  storage: ' [style="dotted", dir="none", color="grey40", constraint="false", label="same storage"]',
};

const quote = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function boxLine(box: Box): string {
  const stale = box.stale ? ', color="red", penwidth="2"' : "";
  return `  ${box.id} [label=${quote(box.lines.join("\n")).replace(/\n/g, "\\n")}, ${BOX_STYLE[box.kind]}${stale}];`;
}

export function graphToDot(graph: Graph): string {
  return [
    "digraph autograd {",
    '  node [shape="box", style="rounded,filled", fontname="monospace", fontsize="10"];',
    '  edge [fontname="monospace", fontsize="9"];',
    ...graph.boxes.map(boxLine),
    ...graph.edges.map((e) => `  ${e.from} -> ${e.to}${EDGE_STYLE[e.kind]};`),
    "}",
    "",
  ].join("\n");
}
