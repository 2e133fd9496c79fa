// Recurrent layers against PyTorch: multi-layer (bi)directional RNN/GRU/LSTM and the cells, with
// given weights and initial states (fixtures/nn_reference.json), and the error messages.
import { beforeAll, describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell } from "tapegrad/nn/rnn";
import { expectClose, expectError, fixture } from "./nn_helpers.js";

const { nn } = tg;

// the default generator's state lives for the process, allocated on first use: before any
// memory baseline is taken
beforeAll(() => tg.rand(1).dispose());
const ref = fixture("nn_reference.json");

/** fixtures/nn_reference.py's set_weights: parameter i gets ((k·7 + 3i) mod 11 / 10 - 0.5) · 0.6. */
function setWeights(m: tg.nn.Module): void {
  tg.tidy(() => {
    const values: Record<string, tg.Tensor> = {};
    m.namedParameters().forEach(([name, p], i) => {
      const v = Array.from({ length: p.numel() }, (_, k) => (((k * 7 + i * 3) % 11) / 10 - 0.5) * 0.6);
      values[name] = tg.tensor(v).reshape(p.shape);
    });
    m.loadStateDict(values);
  });
}

const SEQ = [[[0.5, -0.2, 0.1], [0.3, 0.8, -0.6]], [[-0.1, 0.4, 0.9], [0.0, -0.7, 0.2]],
  [[0.6, 0.6, -0.3], [-0.5, 0.1, 0.4]], [[0.2, -0.9, 0.0], [0.7, 0.3, 0.1]]];

const layers: [string, () => RNNBase][] = [
  ["RNN_uni", () => new RNN(3, 4, { numLayers: 2 })],
  ["RNN_bi", () => new RNN(3, 4, { numLayers: 2, bidirectional: true })],
  ["RNN_relu_uni", () => new RNN(3, 4, { numLayers: 2, nonlinearity: "relu" })],
  ["RNN_relu_bi", () => new RNN(3, 4, { numLayers: 2, nonlinearity: "relu", bidirectional: true })],
  ["GRU_uni", () => new GRU(3, 4, { numLayers: 2 })],
  ["GRU_bi", () => new GRU(3, 4, { numLayers: 2, bidirectional: true })],
  ["LSTM_uni", () => new LSTM(3, 4, { numLayers: 2 })],
  ["LSTM_bi", () => new LSTM(3, 4, { numLayers: 2, bidirectional: true })],
];

describe("recurrent layers against PyTorch", () => {
  test.each(layers)("%s", (name, make) => {
    const expected = ref[name];
    const before = tg.memory().liveBytes;
    const m = make();
    expect(Object.keys(m.stateDict({ keepVars: true }))).toEqual(expected.keys);
    setWeights(m);
    tg.tidy(() => {
      const x = tg.tensor(SEQ, { requiresGrad: true });
      const h0 = tg.linspace(-0.5, 0.5, (name.endsWith("bi") ? 4 : 2) * 2 * 4).reshape(-1, 2, 4);
      const [output, hidden] = m instanceof LSTM
        ? (() => { const [o, [h, c]] = m.call(x, [h0, h0.flip(-1).mul(0.5)]); return [o, [h, c]]; })()
        : (() => { const [o, h] = (m as GRU).call(x, h0); return [o, [h]]; })();
      expect(output.shape).toEqual(expected.output_shape);
      expectClose(output, expected.output);
      (hidden as tg.Tensor[]).forEach((h, i) => expectClose(h, expected.h[i]));
      output.mul(tg.linspace(0.5, 1.5, output.numel()).reshape(output.shape)).sum().backward();
      expectClose(x.grad as tg.Tensor, expected.input_grad);
      for (const [n, p] of m.namedParameters()) expectClose(p.grad as tg.Tensor, expected.param_grads[n]);
      x.dispose();
    });
    m.zeroGrad();
    m.dispose();
    expect(tg.memory().liveBytes).toBe(before);
  });

  test("batchFirst transposes input and output, not the states", () => {
    tg.tidy(() => {
      const m = new GRU(3, 4, { numLayers: 2 });
      const mb = new GRU(3, 4, { numLayers: 2, batchFirst: true });
      setWeights(m);
      setWeights(mb);
      const x = tg.tensor(SEQ);
      const h0 = tg.linspace(-0.5, 0.5, 16).reshape(2, 2, 4);
      const [o, h] = m.call(x, h0);
      const [ob, hb] = mb.call(x.transpose(0, 1), h0);
      expect(ob.shape).toEqual([2, 4, 4]);
      expectClose(ob.transpose(0, 1), o, { rtol: 0, atol: 0 });
      expectClose(hb, h, { rtol: 0, atol: 0 });
      m.dispose();
      mb.dispose();
    });
  });

  test("unbatched input gives unbatched output and state", () => {
    tg.tidy(() => {
      const m = new LSTM(3, 4);
      setWeights(m);
      const x = tg.tensor(SEQ).select(1, 0);
      const [o, [h, c]] = m.call(x);
      const [ob, [hb, cb]] = m.call(x.unsqueeze(1));
      expect([o.shape, h.shape, c.shape]).toEqual([[4, 4], [1, 4], [1, 4]]);
      expectClose(o, ob.squeeze(1), { rtol: 0, atol: 0 });
      expectClose(h, hb.squeeze(1), { rtol: 0, atol: 0 });
      expectClose(c, cb.squeeze(1), { rtol: 0, atol: 0 });
      m.dispose();
    });
  });

  test("dropout between layers only in training mode", () => {
    tg.tidy(() => {
      const m = new GRU(3, 4, { numLayers: 2, dropout: 0.5 });
      setWeights(m);
      const x = tg.tensor(SEQ);
      m.eval();
      const [a] = m.call(x);
      const [b] = m.call(x);
      expectClose(a, b, { rtol: 0, atol: 0 });
      m.train();
      const outputs = Array.from({ length: 4 }, () => m.call(x)[0]);
      expect(outputs.some((o) => o.sub(a).abs().max().item() > 1e-6)).toBe(true);
      m.dispose();
    });
  });

  test("errors worded as PyTorch's", () => {
    tg.tidy(() => {
      const gru = new GRU(6, 10, { numLayers: 2 });
      expectError(() => gru.call(tg.ones(3, 2, 5)), "RuntimeError", "input.size(-1) must be equal to input_size. Expected 6, got 5");
      expectError(() => gru.call(tg.ones(3, 2, 6, 1)), "ValueError", "GRU: Expected input to be 2D or 3D, got 4D instead");
      expectError(() => gru.call(tg.ones(3, 2, 6), tg.zeros(1, 2, 10)), "RuntimeError", "Expected hidden size (2, 2, 10), got [1, 2, 10]");
      expectError(() => gru.call(tg.ones(3, 2, 6), tg.zeros(2, 10)), "RuntimeError", "For batched 3-D input, hx should also be 3-D but got 2-D tensor");
      const rnn = new RNN(6, 10);
      expectError(() => rnn.call(tg.ones(3, 2, 6, 1)), "ValueError", "RNN: Expected input to be 2D or 3D, got 4D tensor instead");
      const lstm = new LSTM(6, 10);
      expectError(() => lstm.call(tg.ones(3, 2, 6), [tg.zeros(1, 2, 10), tg.zeros(1, 3, 10)]), "RuntimeError",
        "Expected hidden[1] size (1, 2, 10), got [1, 3, 10]");
      expectError(() => lstm.call(tg.ones(3, 2, 6), [tg.zeros(2, 10), tg.zeros(1, 2, 10)]), "RuntimeError",
        "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 3-D) tensors");
      expectError(() => new GRU(3, 4, { dropout: 2 }), "ValueError",
        "dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
      expectError(() => new RNN(3, 4, { nonlinearity: "gelu" as "relu" }), "ValueError", "Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'.");
      for (const m of [gru, rnn, lstm]) m.dispose();
    });
  });

  test("printed as PyTorch prints them", () => {
    const m = new LSTM(6, 10, { numLayers: 2, batchFirst: true, dropout: 0.25 });
    expect(String(m)).toBe("LSTM(6, 10, num_layers=2, batch_first=True, dropout=0.25)");
    const c = new RNNCell(3, 4, { nonlinearity: "relu", bias: false });
    expect(String(c)).toBe("RNNCell(3, 4, bias=False, nonlinearity=relu)");
    m.dispose();
    c.dispose();
  });
});

describe("cells against PyTorch", () => {
  test.each([
    ["RNNCell", () => new RNNCell(3, 4)],
    ["GRUCell", () => new GRUCell(3, 4)],
    ["LSTMCell", () => new LSTMCell(3, 4)],
  ] as [string, () => tg.nn.Module][])("%s", (name, make) => {
    const expected = ref[name];
    const m = make();
    setWeights(m);
    tg.tidy(() => {
      const x = tg.tensor(SEQ[0], { requiresGrad: true });
      const h0 = tg.linspace(-0.5, 0.5, 8).reshape(2, 4);
      const out: tg.Tensor[] = m instanceof LSTMCell ? m.call(x, [h0, h0.mul(0.5)]) : [(m as GRUCell).call(x, h0)];
      out.forEach((t, i) => expectClose(t, expected.out[i]));
      out.map((t, i) => t.sum().mul(i + 1)).reduce((a, b) => a.add(b)).backward();
      expectClose(x.grad as tg.Tensor, expected.input_grad);
      for (const [n, p] of m.namedParameters()) expectClose(p.grad as tg.Tensor, expected.param_grads[n]);
      x.dispose();
    });
    m.zeroGrad();
    m.dispose();
  });

  test("errors worded as PyTorch's", () => {
    tg.tidy(() => {
      const cell = new GRUCell(6, 10);
      expectError(() => cell.call(tg.ones(2, 5)), "RuntimeError", "input has inconsistent input_size: got 5 expected 6");
      expectError(() => cell.call(tg.ones(2, 6), tg.zeros(3, 10)), "RuntimeError", "Input batch size 2 doesn't match hidden0 batch size 3");
      expectError(() => cell.call(tg.ones(2, 2, 6)), "ValueError", "GRUCell: Expected input to be 1D or 2D, got 3D instead");
      cell.dispose();
    });
  });
});
