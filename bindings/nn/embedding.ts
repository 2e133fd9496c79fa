// torch.nn.Embedding: a lookup table of numEmbeddings rows, N(0, 1) initialised, the padding
// row (if any) zero and left out of the gradient.
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/grad_mode.js";
import { bind } from "../ops/args.js";
import { Module } from "./module.js";
import { Parameter, emptyParameter } from "./parameter.js";
import { embedding, paddingIndex } from "./functional/embedding.js";
import { normal_ } from "./init.js";

export type EmbeddingOptions = {
  paddingIdx?: number | null;
  dtype?: DType;
  /** use this tensor's values as the weight (PyTorch's `_weight`) instead of initialising */
  weight?: Tensor;
  /** with `weight`: whether the weight stays fixed (requiresGrad false) */
  freeze?: boolean;
};

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  /** `new Embedding(12, 6)`, `new Embedding(12, 6, paddingIdx)` or `new Embedding(12, 6, { paddingIdx, ... })` */
  constructor(numEmbeddings: number, embeddingDim: number, ...args: [paddingIdx?: number | null] | [options: EmbeddingOptions]) {
    super();
    const { paddingIdx, dtype, weight, freeze } = bind<EmbeddingOptions>(["paddingIdx"], args, { paddingIdx: null, dtype: "float32", weight: undefined, freeze: false });
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIndex(paddingIdx ?? null, numEmbeddings);
    this.weight = weight !== undefined ? new Parameter(weight, !freeze) : emptyParameter([numEmbeddings, embeddingDim], dtype);
    if (weight === undefined) this.resetParameters();
  }

  /** An Embedding over given values (frozen by default), as PyTorch's from_pretrained. */
  static fromPretrained(embeddings: Tensor, options: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    const [rows, cols] = embeddings.shape;
    return new Embedding(rows, cols, { weight: embeddings, freeze: options.freeze ?? true, paddingIdx: options.paddingIdx });
  }

  resetParameters(): void {
    normal_(this.weight);
    const row = this.paddingIdx;
    if (row !== null) {
      noGrad(() => {
        const padding = this.weight.select(0, row);
        padding.fill_(0);
        padding.dispose();
      });
    }
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`}`;
  }
}
