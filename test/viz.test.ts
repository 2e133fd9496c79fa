// viz.toDot / viz.toSvg: the structure of the drawn autograd graph (boxes, labels, edges), and
// that drawing changes nothing (no regenerated view nodes, no tensors made).
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import * as viz from "tapegrad/viz";

interface DotGraph {
  /** box id -> label lines and attributes */
  boxes: Map<string, { lines: string[]; attrs: string }>;
  edges: { from: string; to: string; attrs: string }[];
}

function parseDot(dot: string): DotGraph {
  const boxes = new Map<string, { lines: string[]; attrs: string }>();
  const edges: { from: string; to: string; attrs: string }[] = [];
  for (const line of dot.split("\n")) {
    const box = /^ {2}(n\d+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$/.exec(line);
    if (box) boxes.set(box[1], { lines: box[2].split("\\n").map((l) => l.replace(/\\(.)/g, "$1")), attrs: box[3] });
    const edge = /^ {2}(n\d+) -> (n\d+)(.*);$/.exec(line);
    if (edge) edges.push({ from: edge[1], to: edge[2], attrs: edge[3] });
  }
  return { boxes, edges };
}

/** The id of the one box whose first line is `title`. */
function boxId(g: DotGraph, title: string): string {
  const ids = [...g.boxes].filter(([, b]) => b.lines[0] === title).map(([id]) => id);
  expect(ids, `one box titled ${title}`).toHaveLength(1);
  return ids[0];
}

const kind = (attrs: string) =>
  attrs.includes('label="same storage"') ? "storage" : attrs.includes('label="wraps"') ? "wraps" : attrs.includes("dashed") ? "saved" : "graph";

function edgesBetween(g: DotGraph, from: string, to: string): string[] {
  const a = boxId(g, from);
  const b = boxId(g, to);
  return g.edges.filter((e) => (e.from === a && e.to === b) || (kind(e.attrs) === "storage" && e.from === b && e.to === a)).map((e) => kind(e.attrs));
}

/** The tutorial's state after `c = out.detach(); c.zero_()`. */
function detachTutorial() {
  const a = tg.tensor([1, 2, 3], { requiresGrad: true });
  const out = a.sigmoid();
  const c = out.detach();
  c.zero_();
  return { a, out, c };
}

describe("the detach tutorial graph", () => {
  test("after c = out.detach(); c.zero_(): the saved result is stale, c is cut off and shares storage", () => {
    tg.tidy(() => {
      const { a, out, c } = detachTutorial();
      const g = parseDot(viz.toDot({ a, out, c }));

      expect([...g.boxes.values()].map((b) => b.lines[0]).sort()).toEqual(["SigmoidBackward0", "a", "c", "out", "saved result"]);
      expect(g.boxes.get(boxId(g, "a"))?.lines).toEqual(["a", "[3]", "requires_grad"]);
      expect(g.boxes.get(boxId(g, "out"))?.lines).toEqual(["out", "[3]", "storage #1", "version 1"]);
      expect(g.boxes.get(boxId(g, "c"))?.lines).toEqual(["c", "[3]", "storage #1", "no grad_fn"]);
      const saved = g.boxes.get(boxId(g, "saved result"));
      expect(saved?.lines).toEqual(["saved result", "[3]", "storage #1", "stale: saved v0, now v1"]);
      expect(saved?.attrs).toContain('color="red"');

      // torchviz's direction: inputs above, towards the output
      expect(edgesBetween(g, "a", "SigmoidBackward0")).toEqual(["graph"]);
      expect(edgesBetween(g, "SigmoidBackward0", "out")).toEqual(["graph"]);
      expect(edgesBetween(g, "saved result", "SigmoidBackward0")).toEqual(["saved"]);
      // c takes part in no graph edge, only in storage ones
      const cId = boxId(g, "c");
      expect(g.edges.filter((e) => e.from === cId || e.to === cId).map((e) => kind(e.attrs))).toEqual(["storage"]);
      expect(edgesBetween(g, "out", "c")).toEqual(["storage"]);
      expect(edgesBetween(g, "out", "saved result")).toEqual(["storage"]);

      // the drawing tells the truth: backward raises because of that saved tensor
      expect(() => out.sum().backward()).toThrow(
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead.",
      );
    });
  });

  test("before the in-place change the saved tensor is current; after backward it is freed", () => {
    tg.tidy(() => {
      const a = tg.tensor([1, 2, 3], { requiresGrad: true });
      const out = a.sigmoid();
      let g = parseDot(viz.toDot({ out }));
      expect(g.boxes.get(boxId(g, "saved result"))?.lines).toEqual(["saved result", "[3]", "storage #1", "saved v0, now v0"]);
      expect(g.boxes.get(boxId(g, "saved result"))?.attrs).not.toContain("red");
      // an unnamed leaf is still drawn, as "tensor"
      expect(g.boxes.get(boxId(g, "tensor"))?.lines).toEqual(["tensor", "[3]", "requires_grad"]);
      out.sum().backward();
      g = parseDot(viz.toDot({ out }));
      expect(g.boxes.get(boxId(g, "saved result"))?.lines).toEqual(["saved result", "freed by backward"]);
    });
  });
});

describe("graph structure", () => {
  test("gradFn names and nextFunctions; a tensor used twice is one box; a leaf saved as itself shares its storage", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const w = tg.tensor([3, 4], { requiresGrad: true });
      const z = x.mul(w).add(x);
      const g = parseDot(viz.toDot({ x, w, z }));
      expect([...g.boxes.values()].map((b) => b.lines[0]).sort()).toEqual(
        ["AddBackward0", "MulBackward0", "saved other", "saved self", "w", "x", "z"],
      );
      expect(edgesBetween(g, "x", "MulBackward0")).toEqual(["graph"]);
      expect(edgesBetween(g, "w", "MulBackward0")).toEqual(["graph"]);
      expect(edgesBetween(g, "MulBackward0", "AddBackward0")).toEqual(["graph"]);
      expect(edgesBetween(g, "x", "AddBackward0")).toEqual(["graph"]);
      expect(edgesBetween(g, "AddBackward0", "z")).toEqual(["graph"]);
      expect(edgesBetween(g, "x", "saved self")).toEqual(["storage"]);
      expect(edgesBetween(g, "w", "saved other")).toEqual(["storage"]);
    });
  });

  test("an in-place op on a view: CopySlices wraps the op's node and its saved tensors", () => {
    tg.tidy(() => {
      const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      const y = x.mul(2);
      const w = tg.tensor([5, 6], { requiresGrad: true });
      y.select(0, 0).mul_(w);
      const g = parseDot(viz.toDot({ y, w }));
      expect(g.boxes.get(boxId(g, "y"))?.lines).toEqual(["y", "[2, 2]", "version 1"]);
      expect(g.boxes.get(boxId(g, "w"))?.lines).toEqual(["w", "[2]", "storage #1", "requires_grad"]);
      expect(edgesBetween(g, "CopySlices", "y")).toEqual(["graph"]);
      const inner = [...g.boxes].find(([, b]) => b.lines[1] === "(in-place on a view)");
      expect(inner?.[1].lines[0]).toBe("MulBackward0");
      expect(g.edges.filter((e) => e.from === inner?.[0]).map((e) => [g.boxes.get(e.to)?.lines[0], kind(e.attrs)])).toEqual([["CopySlices", "wraps"]]);
      const savedByInner = g.edges.filter((e) => e.to === inner?.[0] && kind(e.attrs) === "saved").map((e) => g.boxes.get(e.from)?.lines);
      expect(savedByInner).toEqual([["saved self", "[2]", "saved v0, now v0"], ["saved other", "[2]", "storage #1", "saved v0, now v0"]]);
      // CopySlices' inputs: the base's history (MulBackward0 of x) and w
      const copySlices = boxId(g, "CopySlices");
      const inputs = g.edges.filter((e) => e.to === copySlices && kind(e.attrs) === "graph").map((e) => g.boxes.get(e.from)?.lines[0]);
      expect(inputs.sort()).toEqual(["MulBackward0", "w"]);
    });
  });

  test("drawing reads raw fields: a view's node is not regenerated, no tensor is made", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2, 3], { requiresGrad: true });
      const y = x.mul(2);
      const v = y.narrow(0, 0, 2);
      y.add_(1); // the view's base changed: reading v.gradFn would regenerate its node
      const live = tg.memory().liveTensors;
      const dot = viz.toDot({ v });
      const again = viz.toDot({ v });
      viz.toSvg({ v });
      expect(tg.memory().liveTensors).toBe(live);
      // the graph shows the node the view was made with, every time it is drawn
      expect(edgesBetween(parseDot(dot), "SliceBackward0", "v")).toEqual(["graph"]);
      expect(again).toBe(dot);
      expect(v.gradFn?.name).toBe("AsStridedBackward0"); // what the getter does, PyTorch's semantics
    });
  });

  test("a disposed tensor and values that are not tensors", () => {
    const t = tg.tensor([1]);
    t.dispose();
    const g = parseDot(viz.toDot({ t, note: "not a tensor" } as unknown as Record<string, tg.Tensor>));
    expect([...g.boxes.values()].map((b) => b.lines)).toEqual([["t", "disposed"]]);
  });

  test("a graph thousands of nodes deep", () => {
    tg.tidy(() => {
      let h = tg.tensor([1, 2], { requiresGrad: true });
      for (let i = 0; i < 3000; i++) h = h.mul(1.5);
      const g = parseDot(viz.toDot(h));
      expect([...g.boxes.values()].filter((b) => b.lines[0] === "MulBackward0")).toHaveLength(3000);
      expect(viz.toSvg(h)).toContain("</svg>");
    });
  });
});

describe("SVG", () => {
  /** `<g class="node ...">` elements: classes, top edge and text lines. */
  function svgBoxes(svg: string): { classes: string[]; top: number; lines: string[] }[] {
    return [...svg.matchAll(/<g class="(node[^"]*)" data-id="n\d+">(.*?)<\/g>/g)].map((m) => ({
      classes: m[1].split(" "),
      top: Number(/<rect x="[\d.]+" y="([\d.]+)"/.exec(m[2])?.[1]),
      lines: [...m[2].matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]),
    }));
  }

  test("boxes, classes and edges of the tutorial graph; geometry inside the viewBox", () => {
    tg.tidy(() => {
      const { a, out, c } = detachTutorial();
      const svg = viz.toSvg({ a, out, c });
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="tapegrad-graph"')).toBe(true);
      expect(svg).not.toMatch(/<style|<script|NaN|undefined/);
      const boxes = svgBoxes(svg);
      expect(boxes.map((b) => b.classes.join(" ")).sort()).toEqual(
        ["node detached", "node function", "node leaf", "node output", "node saved stale"],
      );
      expect(boxes.find((b) => b.classes.includes("stale"))?.lines).toEqual(["saved result", "[3]", "storage #1", "stale: saved v0, now v1"]);
      expect(svg).toContain("<title>modified in place after SigmoidBackward0 saved it: backward through SigmoidBackward0 raises the in-place modification error</title>");
      // storage is linked where the boxes sit side by side (out and c), else told by "storage #1"
      const edgeKinds = [...svg.matchAll(/<path class="edge (\w+)"/g)].map((m) => m[1]).sort();
      expect(edgeKinds).toEqual(["graph", "graph", "saved", "storage"]);

      const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)?.map(Number) ?? [];
      for (const m of svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)"/g)) {
        const [x, y, w, h] = m.slice(1).map(Number);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x + w).toBeLessThanOrEqual(width);
        expect(y + h).toBeLessThanOrEqual(height);
      }
    });
  });

  test("layers: inputs above the nodes that use them, outputs below", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const out = x.exp().sum();
      const svg = viz.toSvg({ x, out });
      const boxes = svgBoxes(svg);
      const top = (title: string) => boxes.find((b) => b.lines[0] === title)?.top as number;
      expect(top("x")).toBeLessThan(top("ExpBackward0"));
      expect(top("ExpBackward0")).toBeLessThan(top("SumBackward0"));
      expect(top("SumBackward0")).toBeLessThan(top("out"));
      expect(top("saved result")).toBeLessThan(top("ExpBackward0"));
    });
  });
});
