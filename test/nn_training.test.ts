// Whole models against PyTorch 2.11 (fixtures from /work/shared/interop): the MLP and the
// character-level GRU/LSTM language models with their state dicts loaded from safetensors —
// logits, loss and every gradient — and a training loop whose memory stays flat.
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import * as io from "tapegrad/io";
import { GRU, LSTM } from "tapegrad/nn/rnn";
import { expectClose, fixture, fixtureBytes, fromSnap } from "./nn_helpers.js";

const { nn } = tg;
const F = nn.functional;

describe("MLP", () => {
  test("Sequential(Linear(4,8), ReLU(), Linear(8,3)): logits, cross-entropy and gradients", () => {
    const data = fixture("mlp.json");
    const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    tg.tidy(() => {
      mlp.loadStateDict(io.loadSafetensors(fixtureBytes("mlp.safetensors")));
      const logits = mlp.call(fromSnap(data.x));
      expectClose(logits, data.logits);
      const loss = F.crossEntropy(logits, fromSnap(data.y));
      expectClose(loss, data.loss);
      loss.backward();
    });
    for (const [name, p] of mlp.namedParameters()) expectClose(p.grad as tg.Tensor, data.grads[name]);
    mlp.zeroGrad();
    mlp.dispose();
  });
});

class CharRNN extends nn.Module {
  embed = new nn.Embedding(12, 6);
  rnn: GRU | LSTM;
  head = new nn.Linear(10, 12);

  constructor(kind: "GRU" | "LSTM") {
    super();
    this.rnn = new { GRU, LSTM }[kind](6, 10, { numLayers: 2, batchFirst: true });
  }

  forward(idx: tg.Tensor, h: tg.Tensor | [tg.Tensor, tg.Tensor] | null = null): [tg.Tensor, tg.Tensor | [tg.Tensor, tg.Tensor]] {
    const [o, hn] = (this.rnn as LSTM).call(this.embed.call(idx), h as [tg.Tensor, tg.Tensor] | null);
    return [this.head.call(o), hn];
  }
}

describe.each(["GRU", "LSTM"] as const)("char-level %s language model", (kind) => {
  test("two chunks, the second from the first's detached state (truncated BPTT)", () => {
    const data = fixture(`char_${kind.toLowerCase()}.json`);
    const model = new CharRNN(kind);
    tg.tidy(() => {
      const weights = io.loadSafetensors(fixtureBytes(`char_${kind.toLowerCase()}.safetensors`));
      expect(Object.keys(model.stateDict({ keepVars: true }))).toEqual(data.state_dict_keys);
      model.loadStateDict(weights);
      const [logits, h] = model.call(fromSnap(data.idx));
      expectClose(logits, data.logits);
      const detached = Array.isArray(h) ? (h.map((t) => t.detach()) as [tg.Tensor, tg.Tensor]) : h.detach();
      const idx2 = fromSnap(data.idx2);
      const [logits2] = model.call(idx2, detached);
      expectClose(logits2, data.logits2);
      const loss = F.crossEntropy(logits2.reshape(-1, 12), idx2.roll(-1, 1).reshape(-1));
      expectClose(loss, data.loss2);
      loss.backward();
    });
    for (const [name, p] of model.namedParameters()) expectClose(p.grad as tg.Tensor, data.grads[name]);
    model.zeroGrad();
    model.dispose();
  });
});

describe("training loop memory", () => {
  test("200 steps of an MLP training loop inside tidy keep liveBytes flat", () => {
    const mlp = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const opt = new tg.optim.Adam(mlp.parameters(), { lr: 1e-2 });
    const x = tg.linspace(-1, 1, 32 * 4).reshape(32, 4);
    const y = tg.arange(32).remainder(3);
    const step = () => tg.tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(mlp.call(x), y);
      loss.backward();
      nn.utils.clipGradNorm_(mlp.parameters(), 1.0).dispose();
      opt.step();
      return loss.item();
    });
    const first = step();
    const settled = tg.memory();
    let last = first;
    for (let i = 1; i < 200; i++) {
      last = step();
      expect(tg.memory().liveBytes).toBe(settled.liveBytes);
    }
    expect(tg.memory().liveTensors).toBe(settled.liveTensors);
    expect(last).toBeLessThan(first);
    opt.zeroGrad();
    opt.dispose();
    mlp.dispose();
    tg.dispose([x, y]);
  });
});
