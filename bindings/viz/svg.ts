// The laid-out graph as standalone SVG text: presentation attributes only (no <style>, no
// script), so it can be inlined under a strict CSP or saved as a file. Classes name what each
// element is (`node saved stale`, `edge graph`, ...) for styling and tests.
import type { BoxKind, EdgeKind, Graph } from "./graph.js";
import { LINE_HEIGHT, PAD_Y, layoutGraph, type Placed, type Point } from "./layout.js";

const FILL: Record<BoxKind, string> = {
  output: "#caff70",
  leaf: "#add8e6",
  detached: "#ffffff",
  function: "#e4e4e4",
  saved: "#ffc966",
};

const EDGE_STROKE: Record<EdgeKind, string> = {
  graph: 'stroke="#444" marker-end="url(#tapegrad-arrow)"',
  saved: 'stroke="#c77a00" stroke-dasharray="5 3"',
  wraps: 'stroke="#444" stroke-dasharray="2 3" marker-end="url(#tapegrad-arrow)"',
  storage: 'stroke="#888" stroke-dasharray="2 4"',
};

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n = (v: number) => Number(v.toFixed(1));

function boxSvg(p: Placed): string {
  const { box } = p;
  const stroke = box.stale ? 'stroke="#d00000" stroke-width="2.5"' : `stroke="#333"${box.kind === "detached" ? ' stroke-dasharray="4 3"' : ""}`;
  const classes = ["node", box.kind, ...(box.stale ? ["stale"] : [])].join(" ");
  const lines = box.lines
    .map((line, i) => {
      const weight = i === 0 ? ' font-weight="bold"' : "";
      const colour = box.stale && line.startsWith("stale") ? ' fill="#d00000"' : "";
      return `<tspan x="${n(p.x + p.width / 2)}" y="${n(p.y + PAD_Y + LINE_HEIGHT * (i + 0.75))}"${weight}${colour}>${escape(line)}</tspan>`;
    })
    .join("");
  const title = box.note === "" ? "" : `<title>${escape(box.note)}</title>`;
  return (
    `<g class="${classes}" data-id="${box.id}">${title}` +
    `<rect x="${n(p.x)}" y="${n(p.y)}" width="${p.width}" height="${p.height}" rx="6" fill="${FILL[box.kind]}" ${stroke}/>` +
    `<text text-anchor="middle">${lines}</text></g>`
  );
}

/** Through the route's points: curves between layers, straight down through the rows it crosses. */
function routePath(points: readonly Point[]): string {
  const curve = ([x1, y1]: Point, [x2, y2]: Point) => {
    const bend = (y2 - y1) / 2;
    return ` C${n(x1)},${n(y1 + bend)} ${n(x2)},${n(y2 - bend)} ${n(x2)},${n(y2)}`;
  };
  let d = `M${n(points[0][0])},${n(points[0][1])}`;
  for (let i = 1; i < points.length; i += 2) {
    d += curve(points[i - 1], points[i]);
    if (i + 1 < points.length) d += ` L${n(points[i + 1][0])},${n(points[i + 1][1])}`;
  }
  return d;
}

/** An arc under two boxes of one layer over the same storage; `bottom` is its lowest point with the label. */
function storageArc(a: Placed, b: Placed): { d: string; label: Point; bottom: number } {
  const [ax, bx] = [a.x + a.width / 2, b.x + b.width / 2];
  const y = Math.max(a.y + a.height, b.y + b.height) + 16;
  const d = `M${n(ax)},${n(a.y + a.height)} Q${n((ax + bx) / 2)},${n(y + 12)} ${n(bx)},${n(b.y + b.height)}`;
  return { d, label: [(ax + bx) / 2, y + 14], bottom: y + 20 };
}

const LABEL_STYLE = 'text-anchor="middle" font-size="10" fill="#666" stroke="#fff" stroke-width="3" paint-order="stroke"';

export function graphToSvg(graph: Graph): string {
  const layout = layoutGraph(graph);
  let height = layout.height;
  const edges: string[] = [];
  for (const e of graph.edges) {
    const attributes = `class="edge ${e.kind}" data-from="${e.from}" data-to="${e.to}" fill="none" ${EDGE_STROKE[e.kind]}`;
    if (e.kind !== "storage") {
      edges.push(`<path ${attributes} d="${routePath(layout.routes.get(e) as Point[])}"/>`);
      continue;
    }
    // Across layers a link would cross the graph; the boxes' "storage #k" line says it there.
    const [a, b] = [layout.placed.get(e.from) as Placed, layout.placed.get(e.to) as Placed];
    if (a.layer !== b.layer) continue;
    const { d, label, bottom } = storageArc(a, b);
    height = Math.max(height, bottom);
    edges.push(`<path ${attributes} d="${d}"/><text class="edge-label" x="${n(label[0])}" y="${n(label[1])}" ${LABEL_STYLE}>same storage</text>`);
  }
  const width = Math.ceil(layout.width);
  height = Math.ceil(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tapegrad-graph" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    '<defs><marker id="tapegrad-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">' +
      '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
    `<g class="edges">${edges.join("")}</g>`,
    `<g class="nodes">${[...layout.placed.values()].map(boxSvg).join("")}</g>`,
    "</svg>",
    "",
  ].join("\n");
}
