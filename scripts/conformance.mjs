#!/usr/bin/env node
// npm run conformance -- [corpus.json] [--json results.json] [--verbose]
// Replays a PyTorch-recorded corpus against the built package and prints pass/fail per tier.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as tg from "tapegrad";
import { replayCorpus, summarize } from "../test/conformance/replay.js";

const args = process.argv.slice(2);
let corpusPath = fileURLToPath(new URL("../test/conformance/corpus.json", import.meta.url));
let jsonPath = null;
let verbose = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--json") jsonPath = args[++i];
  else if (args[i] === "--verbose" || args[i] === "-v") verbose = true;
  else if (args[i] === "--help" || args[i] === "-h") {
    console.log("usage: npm run conformance -- [corpus.json] [--json results.json] [--verbose]");
    process.exit(0);
  } else corpusPath = args[i];
}

let corpus;
try {
  corpus = JSON.parse(readFileSync(corpusPath, "utf8"));
} catch (e) {
  console.error(`conformance: cannot read ${corpusPath}: ${e.message}`);
  process.exit(2);
}
const results = replayCorpus(tg, corpus);
const { tiers, passed, failed } = summarize(results);
if (verbose) for (const r of results) if (!r.pass) console.log(`FAIL ${r.id}\n  ${r.reason}\n`);
console.log(`corpus: ${corpusPath} (torch ${corpus.torch_version}, ${results.length} cases)`);
console.log("tier  passed  failed  rate");
for (const [tier, t] of tiers) {
  const rate = ((100 * t.passed) / (t.passed + t.failed)).toFixed(1);
  console.log(`${String(tier).padStart(4)}  ${String(t.passed).padStart(6)}  ${String(t.failed).padStart(6)}  ${rate.padStart(5)}%`);
}
if (jsonPath !== null) writeFileSync(jsonPath, JSON.stringify(results.map(({ id, tier, pass, reason }) => ({ id, tier, pass, reason })), null, 1));
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
