#!/usr/bin/env node
// Optimizer steps and a training step, timed on the built package (npm run build first):
//   node bench/optim-step.mjs
// - Adam.step() over the char-RNN demo's parameters (Embedding(65, 32) → GRU(32, 128, 2 layers)
//   → Linear(128, 65)), gradients filled once;
// - the MLP 784-128-10 of bench/cases.mjs "mlp/step" (batch 64, cross-entropy): one whole
//   training step (forward, backward, step) with SGD and with Adam, and the steps alone.
// Reports milliseconds per call (median of 5 rounds); not a test, no assertions.
import * as tg from "tapegrad";
import { GRU } from "tapegrad/nn/rnn";
import { median, secondsPerCall } from "./measure.mjs";

const { nn, optim } = tg;
const F = nn.functional;
const BUDGET_MS = 300;

function time(label, fn) {
  fn();
  const rounds = Array.from({ length: 5 }, () => secondsPerCall(fn, BUDGET_MS));
  console.log(`${label.padEnd(48)} ${(median(rounds) * 1e3).toFixed(3)} ms`);
}

/** Gives every parameter a gradient of its shape (normal draws), as after a backward pass. */
function fillGrads(params) {
  for (const p of params) p.grad = tg.randn(p.shape);
}

tg.manualSeed(0);

class CharRNN extends nn.Module {
  constructor(vocab, hidden) {
    super();
    this.embed = new nn.Embedding(vocab, 32);
    this.rnn = new GRU(32, hidden, { numLayers: 2, batchFirst: true });
    this.head = new nn.Linear(hidden, vocab);
  }
}
const rnn = new CharRNN(65, 128);
const rnnParams = [...rnn.parameters()];
fillGrads(rnnParams);
const rnnAdam = new optim.Adam(rnnParams, { lr: 3e-3 });
const count = rnnParams.reduce((n, p) => n + p.numel(), 0);
time(`char-RNN Adam.step() (${rnnParams.length} tensors, ${count} floats)`, () => rnnAdam.step());
const rnnAdamW = new optim.AdamW(rnnParams, { lr: 3e-3 });
time("char-RNN AdamW.step()", () => rnnAdamW.step());

const mlp = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
const x = tg.rand(64, 784);
const y = tg.randint(0, 10, [64]);
const mlpParams = [...mlp.parameters()];
for (const [name, opt] of [
  ["SGD(lr 0.1)", new optim.SGD(mlpParams, { lr: 0.1 })],
  ["SGD(lr 0.1, momentum 0.9)", new optim.SGD(mlpParams, { lr: 0.1, momentum: 0.9 })],
  ["Adam(lr 1e-3)", new optim.Adam(mlpParams, { lr: 1e-3 })],
]) {
  time(`MLP 784-128-10 training step, ${name}`, () => tg.tidy(() => {
    opt.zeroGrad();
    F.crossEntropy(mlp.call(x), y).backward();
    opt.step();
  }));
  fillGrads(mlpParams);
  time(`MLP ${name}.step() alone`, () => opt.step());
  opt.zeroGrad();
}

const logits = tg.randn([64, 65], { requiresGrad: true });
const targets = tg.randint(0, 65, [64]);
time("cross_entropy [64, 65] forward + backward", () => tg.tidy(() => {
  F.crossEntropy(logits, targets).backward();
  logits.grad = null;
}));
const wide = tg.randn([64, 4096], { requiresGrad: true });
time("softmax [64, 4096] forward + backward", () => tg.tidy(() => {
  wide.softmax(-1).mul(wide).sum().backward();
  wide.grad = null;
}));
