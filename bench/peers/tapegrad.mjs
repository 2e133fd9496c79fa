// tapegrad as a bench peer: the vocabulary of peers/index.mjs, written the way a PyTorch user
// would write it (transposes are views, results disposed, autograd through tidy).

import { readFileSync } from "node:fs";

export const name = "tapegrad";

/**
 * In a fresh process: from the start of import("tapegrad") through init() to the first op's
 * values (what bench/coldstart-probe.mjs times for `npm run bench:coldstart` in Node and Deno).
 */
export async function coldStart() {
  const t0 = performance.now();
  const tg = await import("tapegrad");
  await tg.init();
  const values = tg.tensor([1, 2, 3]).add(1).tolist();
  return { ms: performance.now() - t0, values };
}

export async function load() {
  const tg = await import("tapegrad");
  // imported here, not at the top: the cold-start probe loads this module and must find tapegrad not yet imported
  const { CharRNN, textStreams, trainer } = await import("../../examples/char-rnn-model.mjs");
  const F = tg.nn.functional;

  /** A leaf of `shape` holding `data` (a Float32Array). */
  function tensor(data, shape, { requiresGrad = false } = {}) {
    return tg.tidy(() => {
      const t = tg.tensor(data).view(shape).detach();
      if (requiresGrad) t.requiresGrad_();
      return t;
    });
  }

  return {
    name,
    /** Which build of the core init() picked (tapegrad.relaxed.wasm where relaxed SIMD runs). */
    capability: tg.backends.cpu.getCpuCapability(),
    activate() {},
    tensor,
    read: (t) => Float32Array.from(tg.tidy(() => t.reshape(-1).tolist())),
    free: (t) => t.dispose(),
    /** The demo's char-RNN on its bundled text, seeded: `step()` trains one chunk and returns the loss. */
    charRnn() {
      const text = readFileSync(new URL("../../examples/data/tiny-tales.txt", import.meta.url), "utf8");
      tg.manualSeed(0);
      const data = textStreams(text);
      const model = new CharRNN(data.vocab.length, 128);
      const training = trainer(model, data);
      return {
        step: training.step,
        dispose() {
          training.dispose();
          tg.dispose([...model.parameters(), data.streams, data.targets]);
        },
      };
    },
    tidy: (fn) => tg.tidy(fn),
    memory: () => tg.memory().liveBytes,

    /** A transposed operand is a view made for the call (no copy), disposed after it. */
    matmul(a, b, { transposeA = false, transposeB = false } = {}) {
      const x = transposeA ? a.t() : a;
      const y = transposeB ? b.t() : b;
      try {
        return x.matmul(y);
      } finally {
        if (x !== a) x.dispose();
        if (y !== b) y.dispose();
      }
    },
    add: (a, b) => a.add(b),
    mul: (a, b) => a.mul(b),
    sigmoid: (a) => a.sigmoid(),
    exp: (a) => a.exp(),
    gelu: (a) => a.gelu(),
    sum: (a) => a.sum(),
    softmax: (a) => a.softmax(-1),

    /**
     * One SGD step of an MLP classifier: linear → relu → linear, cross-entropy, backward,
     * p -= lr·grad under noGrad, gradients set to None (what optimizer.zero_grad() does).
     * `init` holds the parameters in PyTorch's nn.Linear layout (weight [out, in]).
     */
    mlp({ w1, b1, w2, b2, x, y, lr }) {
      const W1 = tensor(w1.data, w1.shape, { requiresGrad: true });
      const B1 = tensor(b1.data, b1.shape, { requiresGrad: true });
      const W2 = tensor(w2.data, w2.shape, { requiresGrad: true });
      const B2 = tensor(b2.data, b2.shape, { requiresGrad: true });
      const X = tensor(x.data, x.shape);
      const Y = tg.tensor(y, { dtype: "int64" });
      const params = [W1, B1, W2, B2];
      return {
        step() {
          tg.tidy(() => {
            const hidden = F.linear(X, W1, B1).relu();
            const loss = F.crossEntropy(F.linear(hidden, W2, B2), Y);
            loss.backward();
            tg.noGrad(() => {
              for (const p of params) p.sub_(p.grad, { alpha: lr });
            });
            for (const p of params) p.grad = null;
          });
        },
        params: () => params.map((p) => Float32Array.from(tg.tidy(() => p.reshape(-1).tolist()))),
        dispose: () => [...params, X, Y].forEach((t) => t.dispose()),
      };
    },
  };
}
