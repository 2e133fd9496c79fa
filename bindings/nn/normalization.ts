// torch.nn.LayerNorm
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../ops/args.js";
import { Module } from "./module.js";
import { type Parameter, emptyParameter } from "./parameter.js";
import { layerNorm } from "./functional/normalization.js";
import { ones_, zeros_ } from "./init.js";
import { pyBool, pyFloat } from "./format.js";

export type LayerNormOptions = {
  eps?: number;
  elementwiseAffine?: boolean;
  /** with elementwiseAffine: whether there is a bias */
  bias?: boolean;
  dtype?: DType;
};

/** Normalizes over the trailing `normalizedShape` dims; weight ones, bias zeros. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  /** `new LayerNorm(8)`, `new LayerNorm([2, 3], 1e-6)` or `new LayerNorm(8, { eps, elementwiseAffine, bias })` */
  constructor(
    normalizedShape: number | readonly number[],
    ...args: [eps?: number, elementwiseAffine?: boolean, bias?: boolean] | [options: LayerNormOptions]
  ) {
    super();
    const { eps, elementwiseAffine, bias, dtype } = bind<Required<LayerNormOptions>>(
      ["eps", "elementwiseAffine", "bias"], args, { eps: 1e-5, elementwiseAffine: true, bias: true, dtype: "float32" });
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? emptyParameter(this.normalizedShape, dtype) : null;
    this.bias = elementwiseAffine && bias ? emptyParameter(this.normalizedShape, dtype) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  extraRepr(): string {
    // Python's tuple repr: (8,) or (2, 3)
    const shape = `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
