#!/usr/bin/env node
// npm run demo — a character-level language model trained with truncated backpropagation
// through time, written the way the PyTorch script would be:
//
//   Embedding → 2-layer GRU → Linear, on batches of parallel text streams; the hidden state
//   carries over from one chunk to the next and is cut from the graph with detach(), so each
//   backward pass covers one chunk while the model still sees the whole stream.
//
// Flags: --steps N  --hidden H  --seed S  --text PATH  --out PATH  --memory  --help
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as tg from "tapegrad";
import * as io from "tapegrad/io";
import { BATCH, CHUNK, CharRNN, textStreams, trainer } from "./char-rnn-model.mjs";

const { tidy, noGrad } = tg;

const USAGE = `usage: npm run demo -- [--steps N] [--hidden H] [--seed S] [--text PATH] [--out PATH] [--memory]

  --steps N    training steps (default 240, about a minute on two cores)
  --hidden H   GRU hidden size (default 128)
  --seed S     random seed (default 0)
  --text PATH  a UTF-8 text file to learn from (default: examples/data/tiny-tales.txt)
  --out PATH   where the trained weights go, as .safetensors (default: char-rnn.safetensors)
  --memory     print tapegrad's memory() after every step`;

function fail(message) {
  console.error(`char-rnn: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        steps: { type: "string", default: "240" },
        hidden: { type: "string", default: "128" },
        seed: { type: "string", default: "0" },
        text: { type: "string", default: new URL("./data/tiny-tales.txt", import.meta.url).pathname },
        out: { type: "string", default: "char-rnn.safetensors" },
        memory: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${values[name]}"`);
    return n;
  };
  return { steps: integer("steps", 1), hidden: integer("hidden", 1), seed: integer("seed", 0), text: values.text, out: values.out, memory: values.memory };
}

const config = options();
let text;
try {
  text = readFileSync(config.text, "utf8");
} catch (e) {
  fail(`cannot read --text ${config.text}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
}
if (text.length < BATCH * (CHUNK + 1)) fail(`--text ${config.text} is too short: need at least ${BATCH * (CHUNK + 1)} characters`);

const data = textStreams(text);
const { vocab, id } = data;
const streamLength = data.streams.shape[1];

tg.manualSeed(config.seed);
const model = new CharRNN(vocab.length, config.hidden);
const training = trainer(model, data);

/** `length` characters drawn from the model, starting from `prime`. */
function sample(prime, length, temperature = 0.8) {
  return tidy(() =>
    noGrad(() => {
      model.eval();
      let h = null;
      let x = tg.tensor([[...prime].map((c) => id.get(c) ?? 0)], { dtype: "int64" });
      let out = prime;
      for (let i = 0; i < length; i++) {
        const [logits, hn] = model.forward(x, h);
        h = hn;
        const probs = logits.select(1, -1).div(temperature).softmax(-1);
        const next = probs.multinomial(1);
        out += vocab[next.item()];
        x = next;
      }
      model.train();
      return out;
    }),
  );
}

// ---- training -------------------------------------------------------------------------------------
const interactive = process.stdout.isTTY;
const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
function progress(step, loss, tokensPerSecond, eta) {
  const line = `step ${String(step).padStart(String(config.steps).length)}/${config.steps}  loss ${loss.toFixed(3)}  ` +
    `${Math.round(tokensPerSecond)} tokens/s  ETA ${clock(eta)}`;
  if (interactive) {
    const width = 24;
    const done = Math.round((width * step) / config.steps);
    process.stdout.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${line}   `);
    if (step === config.steps) process.stdout.write("\n");
  } else if (step === 1 || step === config.steps || step % 20 === 0) {
    console.log(line);
  }
}

console.log(`char-rnn: ${text.length} characters, vocabulary ${vocab.length}, ${BATCH} streams of ${streamLength}, ` +
  `chunks of ${CHUNK}, GRU 2x${config.hidden}, ${config.steps} steps`);
const indent = (s) => `  ${s.replace(/\n/g, "\n  ")}`;
console.log(`\nbefore training:\n${indent(sample("The ", 120))}\n`);

const losses = [];
const started = performance.now();
for (let step = 1; step <= config.steps; step++) {
  const loss = training.step();
  losses.push(loss);
  const elapsed = (performance.now() - started) / 1000;
  progress(step, loss, (step * BATCH * CHUNK) / elapsed, (elapsed / step) * (config.steps - step));
  if (config.memory) {
    const m = tg.memory();
    console.log(`memory after step ${step}: live ${m.liveBytes} bytes in ${m.liveBlocks} blocks (${m.liveTensors} tensors), ` +
      `cached ${m.cachedBytes}, heap ${m.heapBytes}, raw allocations ${m.rawAllocations}`);
  }
}
const seconds = (performance.now() - started) / 1000;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const window = Math.max(1, Math.min(10, Math.floor(losses.length / 4)));
const first = mean(losses.slice(0, window));
const last = mean(losses.slice(-window));
console.log(`\ntrained ${config.steps} steps in ${clock(seconds)} (${Math.round((config.steps * BATCH * CHUNK) / seconds)} tokens/s): ` +
  `loss ${first.toFixed(3)} → ${last.toFixed(3)} (mean of the first and last ${window} steps)`);
console.log(`\nafter training:\n${indent(sample("The ", 240))}\n`);

const state = model.stateDict();
await io.saveSafetensorsFile(config.out, state, { vocab: JSON.stringify(vocab), architecture: "Embedding-GRUx2-Linear" });
for (const t of Object.values(state)) t.dispose();
console.log(`weights saved to ${config.out} (safetensors; keys ${Object.keys(state).length}, e.g. rnn.weight_ih_l0)`);
training.dispose();
