// torch.nn.RNN, GRU and LSTM: multi-layer, optionally bidirectional, computed as ATen's CPU
// implementation (_rnn_impl_with_concat) does: per layer the input projection of the whole
// sequence at once, then one cell step per time step on views of it (no copies), the outputs
// stacked, dropout between layers in training. Batch-first input is used as it is laid out
// (ATen transposes it and back, which costs copies in the linear layers around the RNN).
//
// Parameters are named and laid out as in PyTorch (`weight_ih_l0`, `weight_hh_l0`,
// `bias_ih_l0`, `bias_hh_l0`, `..._reverse`), so state dicts load unchanged.
// forward(input, hx?) returns [output, h_n], and for LSTM [output, [h_n, c_n]].
import { RuntimeError, ValueError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../ops/creation.js";
import { cat, stack } from "../ops/shape.js";
import { Module } from "./module.js";
import { type Parameter, emptyParameter } from "./parameter.js";
import { linear } from "./functional/linear.js";
import { dropout } from "./functional/dropout.js";
import { uniform_ } from "./init.js";
import { scoped } from "./composite.js";
import { pyBool, pyFloat } from "./format.js";
import { CELLS, type CellMode } from "./rnn_cell.js";
import { bind } from "../ops/args.js";

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** dropout on the outputs of every layer but the last, in training mode */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DType;
}

const tupleRepr = (s: readonly number[]) => `(${s.join(", ")})`;

/** The arguments after (inputSize, hiddenSize), positional in PyTorch's order or one options object. */
export type RNNArgs = [numLayers?: number, bias?: boolean, batchFirst?: boolean, dropout?: number, bidirectional?: boolean] | [options: RNNOptions];
const RNN_DEFAULTS: Required<RNNOptions> = { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, dtype: "float32" };
const rnnOptions = (args: readonly unknown[]) => bind<Required<RNNOptions>>(["numLayers", "bias", "batchFirst", "dropout", "bidirectional"], args, RNN_DEFAULTS);

export abstract class RNNBase extends Module {
  readonly mode: CellMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** the parameter names of each layer and direction, in order (PyTorch's _all_weights) */
  readonly allWeightNames: string[][] = [];

  constructor(mode: CellMode, inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super();
    const p = options.dropout ?? 0;
    if (typeof p !== "number" || p < 0 || p > 1) {
      throw new ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    }
    if (!Number.isInteger(hiddenSize)) throw new TypeError(`hidden_size should be of type int, got: ${typeof hiddenSize}`);
    if (hiddenSize <= 0) throw new ValueError("hidden_size must be greater than zero");
    const numLayers = options.numLayers ?? 1;
    if (numLayers <= 0) throw new ValueError("num_layers must be greater than zero");
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = options.bidirectional ?? false;
    const rows = CELLS[mode].gates * hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let direction = 0; direction < directions; direction++) {
        const suffix = `l${layer}${direction === 1 ? "_reverse" : ""}`;
        const layerInput = layer === 0 ? inputSize : hiddenSize * directions;
        const shapes: [string, number[]][] = [[`weight_ih_${suffix}`, [rows, layerInput]], [`weight_hh_${suffix}`, [rows, hiddenSize]]];
        if (this.bias) shapes.push([`bias_ih_${suffix}`, [rows]], [`bias_hh_${suffix}`, [rows]]);
        for (const [name, shape] of shapes) (this as Record<string, unknown>)[name] = emptyParameter(shape, options.dtype);
        this.allWeightNames.push(shapes.map(([name]) => name));
      }
    }
    this.resetParameters();
  }

  /** Every weight and bias from U(-1/√hidden_size, 1/√hidden_size), in parameter order. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1.0 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, -stdv, stdv);
  }

  /** PyTorch's flatten_parameters: it only matters for cuDNN, so here it does nothing. */
  flattenParameters(): void {}

  /** PyTorch's all_weights: per layer and direction, [w_ih, w_hh, b_ih, b_hh]. */
  get allWeights(): Parameter[][] {
    return this.allWeightNames.map((names) => names.map((n) => (this as Record<string, unknown>)[n] as Parameter));
  }

  extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }

  /** The expected shape of h_0 (and c_0) for a batched input. */
  private expectedHiddenSize(input: Tensor): number[] {
    return [this.numLayers * (this.bidirectional ? 2 : 1), input.shape[this.batchFirst ? 0 : 1], this.hiddenSize];
  }

  /** PyTorch's check_input and check_hidden_size on the batched input and states. */
  protected checkForwardArgs(input: Tensor, states: readonly Tensor[], messages: readonly string[]): void {
    if (this.inputSize !== input.shape[input.ndim - 1]) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`);
    }
    const expected = this.expectedHiddenSize(input);
    states.forEach((h, i) => {
      if (h.ndim !== 3 || h.shape.some((s, d) => s !== expected[d])) {
        throw new RuntimeError(`${messages[i]} ${tupleRepr(expected)}, got [${h.shape.join(", ")}]`);
      }
    });
  }

  /**
   * Runs the layers on a batched input with states [h0] or [h0, c0] (checked, or null for
   * zeros); returns the output and the final states, batch dims as given.
   */
  protected runLayers(input: Tensor, states: readonly Tensor[] | null): [Tensor, Tensor[]] {
    const cell = CELLS[this.mode];
    const directions = this.bidirectional ? 2 : 1;
    const params = this.allWeights;
    return scoped(() => {
      const initial = states ?? new Array<Tensor>(cell.states).fill(zeros(this.expectedHiddenSize(input), { dtype: input.dtype }));
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
   * The shared forward: `hx` is [h0] or [h0, c0] or null; unbatched (2-D) input and states
   * get a batch dim for the run and lose it after.
   */
  protected run(input: Tensor, hx: readonly Tensor[] | null, name: string): [Tensor, Tensor[]] {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ValueError(`${name}: Expected input to be 2D or 3D, got ${input.ndim}D${name === "RNN" ? " tensor" : ""} instead`);
    }
    const batched = input.ndim === 3;
    if (hx !== null && hx.some((h) => h.ndim !== (batched ? 3 : 2))) {
      const dims = batched ? "3-D" : "2-D";
      const kind = batched ? "batched 3-D" : "unbatched 2-D";
      throw new RuntimeError(
        hx.length === 1
          ? `For ${kind} input, hx should also be ${dims} but got ${hx[0].ndim}-D tensor`
          : `For ${kind} input, hx and cx should also be ${dims} but got (${hx[0].ndim}-D, ${hx[1].ndim}-D) tensors`,
      );
    }
    const messages = hx === null || hx.length === 1 ? ["Expected hidden size"] : ["Expected hidden[0] size", "Expected hidden[1] size"];
    return scoped(() => {
      const x = batched ? input : input.unsqueeze(this.batchFirst ? 0 : 1);
      const states = hx === null ? null : hx.map((h) => (batched ? h : h.unsqueeze(1)));
      this.checkForwardArgs(x, states ?? [], messages);
      const [output, finals] = this.runLayers(x, states);
      if (batched) return [output, finals];
      return [output.squeeze(this.batchFirst ? 0 : 1), finals.map((h) => h.squeeze(1))];
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
      ["numLayers", "nonlinearity", "bias", "batchFirst", "dropout", "bidirectional"], args, { ...RNN_DEFAULTS, nonlinearity: "tanh" });
    const nonlinearity = options.nonlinearity;
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") {
      throw new ValueError(`Unknown nonlinearity '${String(nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    }
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [output, [h]] = this.run(input, hx === null ? null : [hx], "RNN");
    return [output, h];
  }
}

/** A gated recurrent unit network. forward(input, h0?) → [output, h_n]. */
export class GRU extends RNNBase {
  /** PyTorch's order: (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs) {
    super("GRU", inputSize, hiddenSize, rnnOptions(args));
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [output, [h]] = this.run(input, hx === null ? null : [hx], "GRU");
    return [output, h];
  }
}

/** A long short-term memory network. forward(input, [h0, c0]?) → [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  /** PyTorch's order: (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) */
  constructor(inputSize: number, hiddenSize: number, ...args: RNNArgs) {
    super("LSTM", inputSize, hiddenSize, rnnOptions(args));
  }

  forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const [output, [h, c]] = this.run(input, hx, "LSTM");
    return [output, [h, c]];
  }
}
