// The bench's output: one markdown document, printed and (for a full run) written to
// bench/RESULTS.md.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { median, relativeSpread } from "./measure.mjs";

export function machine() {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpu;
  } catch {
    // not Linux: os.cpus() has the model too
  }
  return { cpu, cores: cpus().length, node: process.version, load: loadavg()[0] };
}

const table = (header, rows) =>
  [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const ratio = (tapegrad, peer) => (tapegrad === undefined || peer === undefined ? "" : `${(peer / tapegrad).toFixed(2)}×`);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const VERDICT = { true: "met", false: "**missed**", null: "not measured" };

/**
 * `run`: { cases, peers (names, tapegrad first), samples: Map(caseId → { peer → seconds[] }),
 * config, started, machineAtStart, machineAtEnd, capability, sizes, verdicts, warnings }
 */
/** What limits each missed target, as measured and analysed (bench/targets.mjs). */
function missedBounds(verdicts) {
  const missed = verdicts.filter((v) => v.met === false && v.bound !== null);
  if (missed.length === 0) return "";
  return `\n### What bounds the missed targets\n\n${missed.map((v) => `- **${v.target}**: ${v.bound}`).join("\n")}\n`;
}

export function renderReport(run) {
  const [self, ...others] = run.peers;
  const groups = [...new Set(run.cases.map((c) => c.group))];
  const timingRows = [];
  for (const group of groups) {
    timingRows.push([`**${group}**`, "", ...run.peers.map(() => ""), ...others.map(() => ""), ""]);
    for (const c of run.cases.filter((x) => x.group === group)) {
      if (c.placeholder !== undefined) {
        timingRows.push([c.label, "", ...run.peers.map((p) => (p === self ? c.placeholder : "")), ...others.map(() => ""), ""]);
        continue;
      }
      const samples = run.samples.get(c.id);
      const med = Object.fromEntries(run.peers.map((p) => [p, samples[p]?.length ? median(samples[p]) : undefined]));
      timingRows.push([
        c.label,
        c.metric.unit,
        ...run.peers.map((p) => (med[p] === undefined ? "" : c.metric.show(med[p]))),
        ...others.map((p) => ratio(med[self], med[p])),
        samples[self] ? `${(relativeSpread(samples[self]) * 100).toFixed(0)} %` : "",
      ]);
    }
  }
  const { config, machineAtStart: m } = run;
  return `# tapegrad benchmark results

Written by \`npm run bench\` (bench/run.mjs); do not edit by hand.

- date: ${run.started.toISOString()}
- machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; load average ${m.load.toFixed(2)} at the start, ${run.machineAtEnd.load.toFixed(2)} at the end
- tapegrad's core: ${run.capability} (\`npm run bench\` enables relaxed SIMD, which Node 20 has behind a flag and
  Node 22+, Chrome and Firefox run by default; \`npm run bench:simd128\` measures the SIMD128 build)
- method: ${config.rounds} rounds, each running every case in every library (the order of the libraries rotating
  from round to round); a sample is the mean time per call over a batch lasting ≥ ${config.budgetMs} ms; the table shows the
  median of the rounds. Before timing, each tapegrad result was checked against every peer's.
- peers: tfjs-core 4.22 with @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD, single-threaded: tfjs disables wasm threads
  in Node) and @tensorflow/tfjs-backend-cpu (plain JS), in prod mode.
- ratios: how many times faster tapegrad is (peer time / tapegrad time; < 1 means slower). "spread": the interquartile
  range of tapegrad's samples relative to their median.
${run.warnings.map((w) => `- **warning**: ${w}`).join("\n")}

## Timings (medians)

${table(["case", "unit", ...run.peers, ...others.map((p) => `vs ${p}`), "spread"], timingRows)}

Matmul: tapegrad's transposed operands are views (\`b.t()\`, no copy); tfjs uses matMul's transposeA/transposeB.
Pointwise and reductions show time per call · billions of elements per second. The tfjs gelu is tfjs-layers'
composition x·½(1 + erf(x/√2)) (tfjs-core has no gelu op). The MLP step: tapegrad with nn.functional.linear,
crossEntropy, backward and p.sub_(grad, alpha = lr) under noGrad inside tidy; tfjs with fused matMul + bias (+ relu)
as tf.layers.dense runs it, softmaxCrossEntropy and sgd.minimize.

## Sizes

tapegrad, as \`npm run size\` reports it:

\`\`\`text
${run.sizes.report}
\`\`\`

The peers' published files:

${table(
  ["library", "file", "raw", "gzip -9"],
  run.sizes.peers.map((s) => [s.library, s.file, kb(s.raw), kb(s.gzip)]),
)}

## Issue 5 targets

${table(
  ["target", "verdict", "measured", "gap"],
  run.verdicts.map((v) => [v.target, VERDICT[v.met], v.measured, v.gap ?? ""]),
)}
${missedBounds(run.verdicts)}`;
}
