// The playground page: an editor with examples, Run, printed output and the graphs show() draws.
// User code runs as a module imported from a Blob URL, never through eval or new Function, so
// the page keeps a strict CSP (script-src 'self' blob: 'wasm-unsafe-eval'). The module imports
// the same tapegrad module as this page (same URL), so the core is loaded once.
import * as tg from "../dist/browser.js";
import { EXAMPLES } from "./examples.js";
import { attach, format } from "./runtime.js";

const LIBRARY = new URL("../dist/browser.js", import.meta.url).href;
const RUNTIME = new URL("./runtime.js", import.meta.url).href;
/** prepended to the editor's code: one line, so error line numbers are off by just one */
const PRELUDE = `import * as tg from ${JSON.stringify(LIBRARY)}; import { print, show } from ${JSON.stringify(RUNTIME)};\n`;

const $ = (id) => document.getElementById(id);
const editor = $("editor");
const output = $("output");
const graphs = $("graphs");
const runButton = $("run");
const status = $("status");
const examples = $("examples");

function line(text, className) {
  const span = document.createElement("span");
  if (className) span.className = className;
  span.textContent = `${text}\n`;
  output.append(span);
}

function figure(caption, svgText) {
  const svg = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
  const fig = document.createElement("figure");
  const cap = document.createElement("figcaption");
  cap.textContent = caption;
  fig.append(cap, document.importNode(svg, true));
  graphs.append(fig);
}

async function run() {
  runButton.disabled = true;
  output.replaceChildren();
  graphs.replaceChildren();
  output.dataset.state = "running";
  const before = tg.memory().liveTensors;
  const started = performance.now();
  attach({ print: (text) => line(text), show: figure });
  const url = URL.createObjectURL(new Blob([PRELUDE, editor.value], { type: "text/javascript" }));
  let failed = false;
  try {
    await import(url);
  } catch (e) {
    failed = true;
    line(format(e), "error");
  } finally {
    URL.revokeObjectURL(url);
    attach(null);
    tg.setGradEnabled(true); // each run starts in grad mode, whatever the last one left
    const ms = (performance.now() - started).toFixed(1);
    status.textContent = `${failed ? "raised" : "finished"} in ${ms} ms; tensors still alive from this run: ${tg.memory().liveTensors - before}`;
    output.dataset.state = "done";
    runButton.disabled = false;
  }
}

function load(id) {
  const example = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0];
  examples.value = example.id;
  editor.value = example.code;
}

for (const e of EXAMPLES) examples.append(new Option(e.title, e.id));
examples.addEventListener("change", () => {
  load(examples.value);
  history.replaceState(null, "", `#${examples.value}`);
});
runButton.addEventListener("click", run);
editor.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    if (!runButton.disabled) run();
  }
});
load(location.hash.slice(1));

try {
  await tg.init();
  status.textContent = "ready";
  runButton.disabled = false;
  document.body.dataset.ready = "true";
} catch (e) {
  status.textContent = `could not load the WebAssembly core: ${format(e)}`;
}
