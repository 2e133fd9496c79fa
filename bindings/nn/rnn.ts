/**
 * torch.nn.RNN, GRU and LSTM: multi-layer, optionally bidirectional, computed as ATen's CPU
 * implementation (_rnn_impl_with_concat) does: per layer the input projection of the whole
 * sequence at once, then one cell step per time step on views of it (no copies), the outputs
 * stacked, dropout between layers in training. Batch-first input is used as it is laid out
 * (ATen transposes it and back, which costs copies in the linear layers around the RNN).
 *
 * Parameters are named and laid out as in PyTorch (`weight_ih_l0`, `weight_hh_l0`,
 * `bias_ih_l0`, `bias_hh_l0`, `..._reverse`), so state dicts load unchanged.
 * forward(input, hx?) returns [output, h_n], and for LSTM [output, [h_n, c_n]].
 *
 * The subpath `tapegrad/nn/rnn` (the recurrent layers and their cells) is this module: a
 * feed-forward model does not download it.
 *
 * @module tapegrad/nn/rnn
 */
import { RuntimeError, ValueError, formatShape } from "../errors.js";
import { sameShape } from "../tensor/shape.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../ops/creation.js";
import { cat, stack } from "../ops/shape.js";
import type { Parameter } from "./parameter.js";
import { linear } from "./functional/linear.js";
import { dropout } from "./functional/dropout.js";
import { scoped } from "./composite.js";
import { pyFloat } from "./format.js";
import { CELLS, type CellMode, Recurrent } from "./rnn_cell.js";
import { bind } from "../ops/args.js";

export { RNNCell, GRUCell, LSTMCell, type CellOptions, type CellArgs } from "./rnn_cell.js";

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** dropout on the outputs of every layer but the last, in training mode */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DType;
}

/** The arguments after (inputSize, hiddenSize), positional in PyTorch's order or one options object. */
export type RNNArgs = [numLayers?: number, bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean] | [options: RNNOptions];
const RNN_DEFAULTS: Required<RNNOptions> = { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, dtype: "float32" };
const RNN_NAMES = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"] as const;
const rnnOptions = (args: readonly unknown[]) => bind<Required<RNNOptions>>(RNN_NAMES, args, RNN_DEFAULTS);

export abstract class RNNBase extends Recurrent {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** the parameter names of each layer and direction, in order (PyTorch's _all_weights) */
  readonly allWeightNames: string[][] = [];

  constructor(mode: CellMode, inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super(mode, inputSize, hiddenSize, options.bias ?? true);
    const p = options.dropout ?? 0;
    if (typeof p !== "number" || p < 0 || p > 1) {
      throw new ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    }
    if (!Number.isInteger(hiddenSize)) throw new TypeError(`hidden_size should be of type int, got: ${typeof hiddenSize}`);
    if (hiddenSize <= 0) throw new ValueError("hidden_size must be greater than zero");
    const numLayers = options.numLayers ?? 1;
    if (numLayers <= 0) throw new ValueError("num_layers must be greater than zero");
    this.numLayers = numLayers;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = options.bidirectional ?? false;
    const directions = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let direction = 0; direction < directions; direction++) {
        const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
        this.allWeightNames.push(this.addWeights(suffix, layer === 0 ? inputSize : hiddenSize * directions, options.dtype ?? "float32"));
      }
    }
    this.resetParameters();
  }

  /** PyTorch's flatten_parameters: it only matters for cuDNN, so here it does nothing. */
  flattenParameters(): void {}

  /** PyTorch's all_weights: per layer and direction, [w_ih, w_hh, b_ih, b_hh]. */
  get allWeights(): Parameter[][] {
    return this.allWeightNames.map((names) => names.map((n) => (this as Record<string, unknown>)[n] as Parameter));
  }

  extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (!this.bias) parts.push("bias=False");
    if (this.batchFirst) parts.push("batch_first=True");
    if (this.dropout !== 0) parts.push(`dropout=${pyFloat(this.dropout)}`);
    if (this.bidirectional) parts.push("bidirectional=True");
    return parts.join(", ");
  }

  /**
   * Runs the layers on a batched input with states [h0] or [h0, c0] (null for zeros); returns
   * the output and the final states, batch dims as given.
   */
  private runLayers(input: Tensor, states: readonly Tensor[] | null, hiddenShape: number[]): [Tensor, Tensor[]] {
    const cell = CELLS[this.mode];
    const directions = this.bidirectional ? 2 : 1;
    const params = this.allWeights;
    return scoped(() => {
      const initial = states ?? new Array<Tensor>(cell.states).fill(zeros(hiddenShape, { dtype: input.dtype }));
      // per layer and direction, its initial [h] or [h, c]
      const perLayer = initial.map((s) => s.unbind(0));
      // the time dim stays where the input has it: steps are views along it, outputs are
      // stacked along it, so batch-first input needs no transposed copies
      const timeDim = this.batchFirst ? 1 : 0;
      let layerInput = input;
      const finals: Tensor[][] = initial.map(() => []);
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outputs: Tensor[] = [];
        for (let direction = 0; direction < directions; direction++) {
          const index = layer * directions + direction;
          const [wIh, wHh, bIh = null, bHh = null] = params[index];
          const inputGates = linear(layerInput, wIh, bIh).unbind(timeDim);
          let hidden: Tensor[] = perLayer.map((s) => s[index]);
          const steps: Tensor[] = new Array<Tensor>(inputGates.length);
          const order = [...inputGates.keys()];
          if (direction === 1) order.reverse();
          for (const t of order) {
            hidden = cell.step(inputGates[t], hidden, wHh, bHh);
            steps[t] = hidden[0];
          }
          outputs.push(stack(steps, timeDim));
          hidden.forEach((h, i) => finals[i].push(h));
        }
        const layerOutput = directions === 1 ? outputs[0] : cat(outputs, 2);
        const last = layer === this.numLayers - 1;
        layerInput = !last && this.dropout > 0 && this.training ? dropout(layerOutput, { p: this.dropout, training: true }) : layerOutput;
      }
      return [layerInput, finals.map((f) => stack(f, 0))];
    });
  }

  /**
   * `hx` is h0, or [h0, c0] for LSTM, or null for zeros; unbatched (2-D) input and states get a
   * batch dim for the run and lose it after. Returns [output, h_n] or, for LSTM, [output, [h_n, c_n]].
   */
  forward(input: Tensor, hx: Tensor | readonly Tensor[] | null = null): [Tensor, Tensor | Tensor[]] {
    const name = this.kind;
    const states: readonly Tensor[] | null = hx === null || Array.isArray(hx) ? hx : [hx as Tensor];
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ValueError(`${name}: Expected input to be 2D or 3D, got ${input.ndim}D${name === "RNN" ? " tensor" : ""} instead`);
    }
    const batched = input.ndim === 3;
    if (states !== null && states.some((h) => h.ndim !== (batched ? 3 : 2))) {
      const dims = batched ? "3-D" : "2-D";
      const kind = batched ? "batched 3-D" : "unbatched 2-D";
      throw new RuntimeError(
        states.length === 1
          ? `For ${kind} input, hx should also be ${dims} but got ${states[0].ndim}-D tensor`
          : `For ${kind} input, hx and cx should also be ${dims} but got (${states[0].ndim}-D, ${states[1].ndim}-D) tensors`,
      );
    }
    return scoped(() => {
      const x = batched ? input : input.unsqueeze(this.batchFirst ? 0 : 1);
      const h0 = states?.map((h) => (batched ? h : h.unsqueeze(1))) ?? null;
      // PyTorch's check_input and check_hidden_size
      if (this.inputSize !== x.shape[x.ndim - 1]) {
        throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[x.ndim - 1]}`);
      }
      const expected = [this.numLayers * (this.bidirectional ? 2 : 1), x.shape[this.batchFirst ? 0 : 1], this.hiddenSize];
      h0?.forEach((h, i) => {
        if (!sameShape(h._shape, expected)) {
          const which = h0.length === 1 ? "hidden" : `hidden[${i}]`;
          throw new RuntimeError(`Expected ${which} size (${expected.join(", ")}), got ${formatShape(h._shape)}`);
        }
      });
      const [output, finals] = this.runLayers(x, h0, expected);
      const last = batched ? finals : finals.map((h) => h.squeeze(1));
      return [batched ? output : output.squeeze(this.batchFirst ? 0 : 1), last.length === 1 ? last[0] : last];
    });
  }
}

/** An Elman RNN with tanh (or relu) nonlinearity. forward(input, h0?) → [output, h_n]. */
export class RNN extends RNNBase {
  readonly nonlinearity: "tanh" | "relu";

  /** PyTorch's order: (inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional) */
  constructor(
    inputSize: number, hiddenSize: number,
    ...args: [numLayers?: number, nonlinearity?: "tanh" | "relu", bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean]
      | [options: RNNOptions & { nonlinearity?: "tanh" | "relu" }]
  ) {
    const options = bind<Required<RNNOptions> & { nonlinearity: "tanh" | "relu" }>(
      ["numLayers", "nonlinearity", ...RNN_NAMES.slice(1)], args, { ...RNN_DEFAULTS, nonlinearity: "tanh" });
    const nonlinearity = options.nonlinearity;
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") {
      throw new ValueError(`Unknown nonlinearity '${String(nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    }
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
}
export interface RNN {
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
}

/** A gated recurrent unit network. forward(input, h0?) → [output, h_n]. */
export class GRU extends RNNBase {
  /** PyTorch's order: (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs) {
    super("GRU", inputSize, hiddenSize, rnnOptions(args));
  }
}
export interface GRU {
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
}

/** A long short-term memory network. forward(input, [h0, c0]?) → [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  /** PyTorch's order: (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs) {
    super("LSTM", inputSize, hiddenSize, rnnOptions(args));
  }
}
export interface LSTM {
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
}
