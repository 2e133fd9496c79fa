// A small layered layout (Sugiyama-style, no graphviz): boxes sized from their text; layers by
// longest path from the sources, with each source (a leaf, a saved tensor) pulled down next to
// what uses it; edges longer than one layer routed through placeholder points so that they pass
// between boxes; order within a layer by barycenter sweeps; x by a few relaxation passes that
// move each box towards its neighbours without overlaps.
import type { Box, Edge, Graph } from "./graph.js";

export const CHAR_WIDTH = 7.2;
export const LINE_HEIGHT = 15;
const PAD_X = 10;
export const PAD_Y = 7;
const GAP_X = 28;
const GAP_Y = 46;
const MARGIN = 20;
/** width a placeholder point of a long edge keeps free in its layer */
const LANE = 10;
const SWEEPS = 4;

export interface Placed {
  readonly box: Box;
  /** top-left corner */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly layer: number;
}

export type Point = readonly [number, number];

export interface Layout {
  readonly placed: Map<string, Placed>;
  /** for each edge but storage ones: start, the points it passes through, end */
  readonly routes: Map<Edge, Point[]>;
  readonly width: number;
  readonly height: number;
}

/** A box or a placeholder point of a long edge, while laying out. */
interface Slot {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  layer: number;
  x: number;
  readonly above: Slot[];
  readonly below: Slot[];
}

const boxWidth = (box: Box) => Math.ceil(Math.max(...box.lines.map((l) => l.length)) * CHAR_WIDTH + 2 * PAD_X);
const boxHeight = (box: Box) => box.lines.length * LINE_HEIGHT + 2 * PAD_Y;

/** Layers from the top: longest path from the sources, then sources pulled down to their users. */
function assignLayers(slots: Map<string, Slot>, graph: Graph): void {
  const pending = new Map([...slots.values()].map((s) => [s, s.above.length]));
  const ready = [...slots.values()].filter((s) => s.above.length === 0);
  while (ready.length > 0) {
    const s = ready.pop() as Slot;
    for (const next of s.below) {
      next.layer = Math.max(next.layer, s.layer + 1);
      const left = (pending.get(next) as number) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  for (const s of slots.values()) {
    if (s.above.length === 0 && s.below.length > 0) s.layer = Math.min(...s.below.map((b) => b.layer)) - 1;
  }
  // a box outside the graph (a detached tensor) goes beside a tensor it shares storage with
  for (const e of graph.edges) {
    if (e.kind !== "storage") continue;
    const [a, b] = [slots.get(e.from) as Slot, slots.get(e.to) as Slot];
    const connected = (s: Slot) => s.above.length + s.below.length > 0;
    if (!connected(b) && connected(a)) b.layer = a.layer;
    else if (!connected(a) && connected(b)) a.layer = b.layer;
  }
}

/** Orders each row by the mean index of its neighbours in the adjacent row (barycenter heuristic). */
function orderRows(rows: Slot[][]): void {
  const index = new Map<Slot, number>();
  const reindex = (row: Slot[]) => row.forEach((s, i) => index.set(s, i));
  rows.forEach(reindex);
  const sortBy = (row: Slot[], neighbours: (s: Slot) => Slot[]) => {
    const key = new Map(row.map((s, i) => {
      const ns = neighbours(s);
      return [s, ns.length === 0 ? i : ns.reduce((sum, n) => sum + (index.get(n) as number), 0) / ns.length];
    }));
    row.sort((a, b) => (key.get(a) as number) - (key.get(b) as number));
    reindex(row);
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let r = 1; r < rows.length; r++) sortBy(rows[r], (s) => s.above);
    for (let r = rows.length - 2; r >= 0; r--) sortBy(rows[r], (s) => s.below);
  }
}

/** Places a row at the x its slots want, keeping their order and a gap between them. */
function placeRow(row: Slot[], want: (s: Slot) => number): void {
  if (row.length === 0) return;
  const gap = (a: Slot, b: Slot) => (a.width + b.width) / 2 + GAP_X;
  const xs = row.map(want);
  for (let i = 1; i < row.length; i++) xs[i] = Math.max(xs[i], xs[i - 1] + gap(row[i - 1], row[i]));
  // pushing right only would drift the row: shift it back by the mean displacement
  const shift = row.reduce((sum, s, i) => sum + (want(s) - xs[i]), 0) / row.length;
  row.forEach((s, i) => (s.x = xs[i] + shift));
}

function assignX(rows: Slot[][]): void {
  for (const row of rows) {
    let x = 0;
    for (const s of row) {
      s.x = x + s.width / 2;
      x += s.width + GAP_X;
    }
  }
  const mean = (ns: Slot[], self: Slot) => (ns.length === 0 ? self.x : ns.reduce((sum, n) => sum + n.x, 0) / ns.length);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (const row of rows) placeRow(row, (s) => mean([...s.above, ...s.below], s));
  }
}

export function layoutGraph(graph: Graph): Layout {
  const slots = new Map<string, Slot>();
  for (const box of graph.boxes) {
    slots.set(box.id, { id: box.id, width: boxWidth(box), height: boxHeight(box), layer: 0, x: 0, above: [], below: [] });
  }
  const directed = graph.edges.filter((e) => e.kind !== "storage");
  for (const e of directed) {
    const [from, to] = [slots.get(e.from) as Slot, slots.get(e.to) as Slot];
    from.below.push(to);
    to.above.push(from);
  }
  assignLayers(slots, graph);

  // Long edges get a placeholder per layer they cross, linked in a chain instead of the edge.
  const lanes = new Map<Edge, Slot[]>();
  const unlink = (list: Slot[], s: Slot) => list.splice(list.indexOf(s), 1);
  for (const e of directed) {
    const [from, to] = [slots.get(e.from) as Slot, slots.get(e.to) as Slot];
    if (to.layer - from.layer <= 1) continue;
    unlink(from.below, to);
    unlink(to.above, from);
    const chain: Slot[] = [];
    let previous = from;
    for (let layer = from.layer + 1; layer < to.layer; layer++) {
      const lane: Slot = { id: `${e.from}-${e.to}@${layer}`, width: LANE, height: 0, layer, x: 0, above: [previous], below: [] };
      previous.below.push(lane);
      chain.push(lane);
      previous = lane;
    }
    previous.below.push(to);
    to.above.push(previous);
    lanes.set(e, chain);
  }

  const rows: Slot[][] = [];
  const minLayer = Math.min(0, ...[...slots.values()].map((s) => s.layer));
  const all = [...slots.values(), ...[...lanes.values()].flat()];
  for (const s of all) (rows[s.layer - minLayer] ??= []).push(s);
  for (let r = 0; r < rows.length; r++) rows[r] ??= [];
  orderRows(rows);
  assignX(rows);

  const left = Math.min(...all.map((s) => s.x - s.width / 2));
  const right = Math.max(...all.map((s) => s.x + s.width / 2));
  const top: number[] = [];
  const rowHeight = rows.map((row) => Math.max(0, ...row.map((s) => s.height)));
  let y = MARGIN;
  rows.forEach((_, r) => {
    top.push(y);
    y += rowHeight[r] + GAP_Y;
  });
  const xOf = (s: Slot) => s.x - left + MARGIN;

  const placed = new Map<string, Placed>();
  for (const box of graph.boxes) {
    const s = slots.get(box.id) as Slot;
    const layer = s.layer - minLayer;
    placed.set(box.id, { box, x: xOf(s) - s.width / 2, y: top[layer] + (rowHeight[layer] - s.height) / 2, width: s.width, height: s.height, layer });
  }
  const routes = new Map<Edge, Point[]>();
  for (const e of directed) {
    const [from, to] = [placed.get(e.from) as Placed, placed.get(e.to) as Placed];
    const points: Point[] = [[from.x + from.width / 2, from.y + from.height]];
    for (const lane of lanes.get(e) ?? []) {
      const layer = lane.layer - minLayer;
      points.push([xOf(lane), top[layer]], [xOf(lane), top[layer] + rowHeight[layer]]);
    }
    points.push([to.x + to.width / 2, to.y]);
    routes.set(e, points);
  }
  return { placed, routes, width: right - left + 2 * MARGIN, height: Math.max(y - GAP_Y + MARGIN, 2 * MARGIN) };
}
