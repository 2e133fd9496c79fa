#!/usr/bin/env node
// npm run bench:coldstart [-- --runs N]: cold start of the built package in Node and Deno, each
// run in a new process, measured inside it (bench/coldstart-probe.mjs). Prints the median and
// range per runtime. A benchmark, not a test: nothing is asserted about the times.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const i = process.argv.indexOf("--runs");
const runs = i >= 0 ? Number(process.argv[i + 1]) : 15;
const probe = fileURLToPath(new URL("./coldstart-probe.mjs", import.meta.url));
const deno = createRequire(import.meta.url).resolve("deno/bin.cjs");

const runtimes = {
  [`node ${process.version}`]: [process.execPath, [probe]],
  deno: [process.execPath, [deno, "run", "--no-lock", "--no-prompt", probe]],
};

const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (v) => `${v.toFixed(1)} ms`.padStart(9);

console.log(`cold start, ${runs} new processes each: import + init() + first op result`);
console.log(`${"runtime".padEnd(16)} ${"median".padStart(9)} ${"min".padStart(9)} ${"max".padStart(9)}   process start -> result (median)`);
for (const [name, [command, args]] of Object.entries(runtimes)) {
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(JSON.parse(execFileSync(command, args, { env, encoding: "utf8" }).trim().split("\n").pop()));
  const times = samples.map((s) => s.importToResult);
  console.log(
    `${name.padEnd(16)} ${ms(median(times))} ${ms(Math.min(...times))} ${ms(Math.max(...times))}   ${ms(median(samples.map((s) => s.processToResult)))}`,
  );
}
