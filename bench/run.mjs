#!/usr/bin/env node
// npm run bench: tapegrad beside TensorFlow.js (wasm and cpu backends) in one process.
// Every result is checked against the peers once, then the cases run round by round, the
// libraries interleaved, and the medians are reported (bench/RESULTS.md for a full run).
// Not a test: timings belong here, never in assertions. Needs a build (npm run build).
//
// Environment:
//   BENCH_QUICK=1        3 rounds of 10 ms batches (a smoke run; RESULTS.md is left alone)
//   BENCH_ROUNDS=n       rounds (default 9)
//   BENCH_BUDGET_MS=ms   minimum duration of one timed batch (default 50)
//   BENCH_FILTER=regex   only the cases whose id or label matches
//   BENCH_PEERS=a,b      only these libraries (tapegrad always runs)
//   BENCH_OUT=path       where to write the report (default: bench/RESULTS.md for a full run only)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CASES } from "./cases.mjs";
import { firstMismatch, median } from "./measure.mjs";
import { PEERS } from "./peers/index.mjs";
import { machine, renderReport } from "./report.mjs";
import { measureSizes } from "./sizes.mjs";
import { judgeTargets } from "./targets.mjs";

function readConfig(env) {
  const quick = env.BENCH_QUICK === "1";
  const filter = env.BENCH_FILTER ? new RegExp(env.BENCH_FILTER) : null;
  const peers = env.BENCH_PEERS ? ["tapegrad", ...env.BENCH_PEERS.split(",").filter((p) => p !== "tapegrad")] : null;
  const full = !quick && filter === null && peers === null && env.BENCH_ROUNDS === undefined && env.BENCH_BUDGET_MS === undefined;
  return {
    rounds: Number(env.BENCH_ROUNDS ?? (quick ? 3 : 9)),
    budgetMs: Number(env.BENCH_BUDGET_MS ?? (quick ? 10 : 50)),
    filter,
    peers,
    out: env.BENCH_OUT ?? (full ? fileURLToPath(new URL("./RESULTS.md", import.meta.url)) : null),
  };
}

const log = (line) => process.stderr.write(`${line}\n`);

/** The libraries that run case `c`. */
const runners = (c, peers) => peers.filter((p) => c.only === undefined || c.only.includes(p.name));

/** Sets up every case in every library and checks tapegrad's values against each peer's. */
async function setUpAndCheck(cases, peers, adapters) {
  const instances = new Map();
  for (const c of cases) {
    const byPeer = {};
    const values = {};
    for (const peer of runners(c, peers)) {
      const L = adapters.get(peer.name);
      await L.activate();
      byPeer[peer.name] = c.setup(L);
      values[peer.name] = await byPeer[peer.name].values();
    }
    for (const peer of runners(c, peers).slice(1)) {
      const bad = firstMismatch(values.tapegrad, values[peer.name], c.tolerance);
      if (bad !== null) {
        throw new Error(`bench: ${c.id}: tapegrad disagrees with ${peer.name} at element ${bad.index}: ${bad.actual} vs ${bad.expected} (tolerance ${JSON.stringify(c.tolerance)})`);
      }
    }
    instances.set(c.id, byPeer);
    log(`checked ${c.id}`);
  }
  return instances;
}

/**
 * Every case in every library per round, the libraries' order rotating from round to round;
 * round 0 warms up (JIT tiers, allocators, caches) and is not recorded. Returns the samples
 * (case id → peer → seconds per call) and warnings about live memory that changed while timing.
 */
async function runRounds(cases, peers, adapters, instances, { rounds, budgetMs }) {
  const samples = new Map(cases.map((c) => [c.id, Object.fromEntries(peers.map((p) => [p.name, []]))]));
  const leaks = new Map(); // "peer case" → { rounds, bytes }
  for (let round = 0; round <= rounds; round++) {
    const order = peers.map((_, i) => peers[(i + round) % peers.length]);
    for (const c of cases) {
      for (const peer of runners(c, order)) {
        const L = adapters.get(peer.name);
        await L.activate();
        const before = L.memory();
        const seconds = await instances.get(c.id)[peer.name].sample(budgetMs);
        if (round > 0) samples.get(c.id)[peer.name].push(seconds);
        const grown = L.memory() - before;
        if (grown !== 0) {
          const leak = leaks.get(`${peer.name} ${c.id}`) ?? { rounds: 0, bytes: 0 };
          leaks.set(`${peer.name} ${c.id}`, { rounds: leak.rounds + 1, bytes: Math.max(leak.bytes, Math.abs(grown)) });
        }
      }
    }
    log(round === 0 ? "warm-up round done" : `round ${round}/${rounds} done`);
  }
  const warnings = [...leaks].map(([what, { rounds: n, bytes }]) => `${what}: live memory changed during a timed batch in ${n} of ${rounds + 1} rounds (by up to ${bytes} bytes)`);
  return { samples, warnings };
}

async function main() {
  const config = readConfig(process.env);
  const started = new Date();
  const machineAtStart = machine();
  const peers = PEERS.filter((p) => config.peers === null || config.peers.includes(p.name));
  const cases = CASES.filter((c) => config.filter === null || config.filter.test(c.id) || config.filter.test(c.label));
  const measured = cases.filter((c) => c.placeholder === undefined);
  const adapters = new Map();
  for (const peer of peers) adapters.set(peer.name, await peer.load());

  const instances = await setUpAndCheck(measured, peers, adapters);
  const { samples, warnings } = await runRounds(measured, peers, adapters, instances, config);
  for (const c of measured) {
    for (const peer of runners(c, peers)) {
      await adapters.get(peer.name).activate();
      instances.get(c.id)[peer.name].dispose();
    }
  }

  const sizes = measureSizes();
  const medianOf = (id, peer) => {
    const xs = samples.get(id)?.[peer];
    return xs === undefined || xs.length === 0 ? undefined : median(xs);
  };
  const report = renderReport({
    cases,
    peers: peers.map((p) => p.name),
    samples,
    config,
    started,
    machineAtStart,
    machineAtEnd: machine(),
    capability: adapters.get("tapegrad").capability,
    sizes,
    verdicts: judgeTargets(medianOf, sizes),
    warnings,
  });
  process.stdout.write(report);
  if (config.out !== null) {
    writeFileSync(config.out, report);
    log(`wrote ${config.out}`);
  } else {
    log("partial run (BENCH_QUICK, BENCH_FILTER, BENCH_PEERS, BENCH_ROUNDS or BENCH_BUDGET_MS set): bench/RESULTS.md left unchanged");
  }
}

await main();
