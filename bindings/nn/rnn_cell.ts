// The recurrent cells (one time step), as ATen's RNN.cpp computes them, and the cell modules
// RNNCell, GRUCell and LSTMCell. PyTorch's gate order and weight layout: the gate rows of
// weight_ih / weight_hh are stacked (r|z|n) for GRU and (i|f|g|o) for LSTM.
import { RuntimeError, ValueError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../ops/creation.js";
import { Module } from "./module.js";
import { type Parameter, emptyParameter } from "./parameter.js";
import { linear } from "./functional/linear.js";
import { uniform_ } from "./init.js";
import { scoped } from "./composite.js";
import { bind } from "../ops/args.js";

/**
 * One step of a cell. `inputGates` is x·W_ihᵀ + b_ih (computed for a whole sequence at once,
 * as ATen does on CPU); `hidden` is [h] or, for LSTM, [h, c]; returns the new hidden state.
 */
export type CellStep = (inputGates: Tensor, hidden: readonly Tensor[], wHh: Tensor, bHh: Tensor | null) => Tensor[];

export interface CellKind {
  /** how many gate blocks the weights stack */
  gates: number;
  /** [h] or [h, c] */
  states: number;
  step: CellStep;
}

const simpleCell = (nonlinearity: (t: Tensor) => Tensor): CellKind => ({
  gates: 1, states: 1,
  step: (ig, [h], wHh, bHh) => [nonlinearity(linear(h, wHh, bHh).add(ig))],
});

export const CELLS = {
  RNN_TANH: simpleCell((t) => t.tanh()),
  RNN_RELU: simpleCell((t) => t.relu()),
  GRU: {
    gates: 3, states: 1,
    step: (ig, [h], wHh, bHh) => {
      const [ir, iz, inew] = ig.chunk(3, 1);
      const [hr, hz, hnew] = linear(h, wHh, bHh).chunk(3, 1);
      const reset = hr.add(ir).sigmoid();
      const update = hz.add(iz).sigmoid();
      const candidate = inew.add(hnew.mul(reset)).tanh();
      return [h.sub(candidate).mul(update).add(candidate)];
    },
  },
  LSTM: {
    gates: 4, states: 2,
    step: (ig, [h, c], wHh, bHh) => {
      const [i, f, g, o] = linear(h, wHh, bHh).add(ig).chunk(4, 1);
      const cy = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
      return [o.sigmoid().mul(cy.tanh()), cy];
    },
  },
} satisfies Record<string, CellKind>;

export type CellMode = keyof typeof CELLS;

export interface CellOptions {
  bias?: boolean;
  dtype?: DType;
}

export type CellArgs = [bias?: boolean] | [options: CellOptions];
const CELL_DEFAULTS: Required<CellOptions> = { bias: true, dtype: "float32" };
const cellOptions = (args: readonly unknown[]) => bind<Required<CellOptions>>(["bias"], args, CELL_DEFAULTS);

/** What RNNBase and RNNCellBase share: the sizes, the cell, weights from U(-1/√hidden_size, 1/√hidden_size). */
export abstract class Recurrent extends Module {
  readonly mode: CellMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;

  constructor(mode: CellMode, inputSize: number, hiddenSize: number, bias: boolean) {
    super();
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
  }

  /** Adds weight_ih`suffix`, weight_hh`suffix` and, with bias, bias_ih`suffix`, bias_hh`suffix`; returns their names. */
  protected addWeights(suffix: string, inputSize: number, dtype: DType): string[] {
    const rows = CELLS[this.mode].gates * this.hiddenSize;
    const shapes: [string, number[]][] = [["weight_ih", [rows, inputSize]], ["weight_hh", [rows, this.hiddenSize]], ["bias_ih", [rows]], ["bias_hh", [rows]]];
    return shapes.slice(0, this.bias ? 4 : 2).map(([name, shape]) => {
      (this as Record<string, unknown>)[name + suffix] = emptyParameter(shape, dtype);
      return name + suffix;
    });
  }

  /** Every weight and bias from U(-1/√hidden_size, 1/√hidden_size), in parameter order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1.0 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  /** PyTorch's name of the module kind in messages: RNN, GRU or LSTM. */
  protected get kind(): string {
    return this.mode.split("_")[0];
  }
}

/** PyTorch's RNNCellBase: weight_ih, weight_hh, bias_ih, bias_hh (null without bias). */
abstract class RNNCellBase extends Recurrent {
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(mode: CellMode, inputSize: number, hiddenSize: number, options: CellOptions) {
    super(mode, inputSize, hiddenSize, options.bias ?? true);
    this.addWeights("", inputSize, options.dtype ?? "float32");
    // without bias, PyTorch registers the biases as None
    if (!this.bias) this.bias_ih = this.bias_hh = null;
    this.resetParameters();
  }

  extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=False"}${this.mode === "RNN_RELU" ? ", nonlinearity=relu" : ""}`;
  }

  /** Runs the cell on `input` (1-D or 2-D) and `hx` (null: zeros), checked as PyTorch checks; LSTM cells return [h', c']. */
  forward(input: Tensor, hx: Tensor | readonly Tensor[] | null = null): Tensor | Tensor[] {
    const name = `${this.kind}Cell`;
    const hidden: readonly Tensor[] | null = hx === null || Array.isArray(hx) ? hx : [hx as Tensor];
    if (input.ndim !== 1 && input.ndim !== 2) throw new ValueError(`${name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`);
    hidden?.forEach((h, i) => {
      if (h.ndim !== 1 && h.ndim !== 2) {
        throw new ValueError(`${name}: Expected ${hidden.length === 1 ? "hidden" : `hx[${i}]`} to be 1D or 2D, got ${h.ndim}D instead`);
      }
    });
    const batched = input.ndim === 2;
    const cell = CELLS[this.mode];
    return scoped(() => {
      const x = batched ? input : input.unsqueeze(0);
      const state = hidden === null
        ? new Array<Tensor>(cell.states).fill(zeros(x.shape[0], this.hiddenSize, { dtype: x.dtype }))
        : hidden.map((h) => (batched ? h : h.unsqueeze(0)));
      if (x.shape[1] !== this.inputSize) throw new RuntimeError(`input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
      state.forEach((h, i) => {
        if (h.shape[0] !== x.shape[0]) throw new RuntimeError(`Input batch size ${x.shape[0]} doesn't match hidden${i} batch size ${h.shape[0]}`);
        if (h.shape[1] !== this.hiddenSize) throw new RuntimeError(`hidden${i} has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`);
      });
      const out = cell.step(linear(x, this.weight_ih, this.bias_ih), state, this.weight_hh, this.bias_hh).map((t) => (batched ? t : t.squeeze(0)));
      return out.length === 1 ? out[0] : out;
    });
  }
}

/** An Elman cell: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: "tanh" | "relu";

  constructor(
    inputSize: number, hiddenSize: number,
    ...args: [bias?: boolean, nonlinearity?: "tanh" | "relu"] | [options: CellOptions & { nonlinearity?: "tanh" | "relu" }]
  ) {
    const options = bind<Required<CellOptions> & { nonlinearity: "tanh" | "relu" }>(["bias", "nonlinearity"], args, { ...CELL_DEFAULTS, nonlinearity: "tanh" });
    const nonlinearity = options.nonlinearity;
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new RuntimeError(`Unknown nonlinearity: ${String(nonlinearity)}`);
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
}
export interface RNNCell {
  /** h' from the input and h (null: zeros) */
  forward(input: Tensor, hx?: Tensor | null): Tensor;
}

/** A GRU cell; returns h'. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, ...args: CellArgs) {
    super("GRU", inputSize, hiddenSize, cellOptions(args));
  }
}
export interface GRUCell {
  /** h' from the input and h (null: zeros) */
  forward(input: Tensor, hx?: Tensor | null): Tensor;
}

/** An LSTM cell; returns [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, ...args: CellArgs) {
    super("LSTM", inputSize, hiddenSize, cellOptions(args));
  }
}
export interface LSTMCell {
  /** [h', c'] from the input and [h, c] (null: zeros) */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor];
}
