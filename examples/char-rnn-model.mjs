// The demo's language model and its truncated-BPTT training step, shared by `npm run demo`
// (examples/char-rnn.mjs) and the benchmark's char-RNN row (bench/peers/tapegrad.mjs).
import * as tg from "tapegrad";
import { GRU } from "tapegrad/nn/rnn";

const { nn, optim, tidy } = tg;

export const BATCH = 32; // parallel streams
export const CHUNK = 64; // characters per truncated-BPTT chunk
const EMBED = 32;

/** Embedding → 2-layer GRU → Linear over character ids. */
export class CharRNN extends nn.Module {
  constructor(vocabSize, hidden) {
    super();
    this.embed = new nn.Embedding(vocabSize, EMBED);
    this.rnn = new GRU(EMBED, hidden, { numLayers: 2, batchFirst: true });
    this.head = new nn.Linear(hidden, vocabSize);
  }

  forward(x, h) {
    const [out, hn] = this.rnn.call(this.embed.call(x), h);
    return [this.head.call(out), hn];
  }
}

/**
 * `text` as BATCH contiguous streams of character ids: streams[b, t] is character
 * b * streamLength + t, and targets[b, t] the one after it.
 */
export function textStreams(text) {
  const vocab = [...new Set(text)].sort();
  const id = new Map(vocab.map((c, i) => [c, i]));
  const streamLength = Math.floor((text.length - 1) / BATCH);
  const codes = Array.from(text.slice(0, BATCH * streamLength + 1), (c) => id.get(c));
  return tidy(() => {
    const data = tg.tensor(codes, { dtype: "int64" });
    const streams = data.narrow(0, 0, BATCH * streamLength).view(BATCH, streamLength);
    const targets = data.narrow(0, 1, BATCH * streamLength).view(BATCH, streamLength);
    return { vocab, id, streams, targets, chunksPerEpoch: Math.floor(streamLength / CHUNK) };
  });
}

/**
 * Training with truncated BPTT: each `step()` trains on the next chunk of every stream and
 * returns its loss. The hidden state carries over from one chunk to the next but is cut from
 * the graph with detach(), so each backward pass covers one chunk.
 */
export function trainer(model, { streams, targets, vocab, chunksPerEpoch }, { lr = 3e-3 } = {}) {
  const optimizer = new optim.Adam(model.parameters(), { lr });
  let hidden = null;
  let steps = 0;
  return {
    step() {
      const chunk = steps++ % chunksPerEpoch;
      if (chunk === 0 && hidden !== null) {
        // a new pass over the text starts from a fresh state
        hidden.dispose();
        hidden = null;
      }
      const { loss, next } = tidy(() => {
        const x = streams.narrow(1, chunk * CHUNK, CHUNK);
        const y = targets.narrow(1, chunk * CHUNK, CHUNK);
        optimizer.zeroGrad();
        const [logits, hn] = model.forward(x, hidden);
        const loss = nn.functional.crossEntropy(logits.reshape(-1, vocab.length), y.reshape(-1));
        loss.backward();
        nn.utils.clipGradNorm_(model.parameters(), 1.0);
        optimizer.step();
        return { loss: loss.item(), next: hn.detach() };
      });
      hidden?.dispose();
      hidden = next;
      return loss;
    },
    dispose() {
      hidden?.dispose();
      hidden = null;
      optimizer.dispose();
    },
  };
}
