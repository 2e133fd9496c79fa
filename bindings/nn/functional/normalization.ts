// F.layer_norm: one node (NativeLayerNormBackward0) with the mean and reciprocal standard
// deviation as its extra outputs, as PyTorch's native_layer_norm.
import { RuntimeError, formatShape } from "../../errors.js";
import { sameShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Derivative } from "../../ops/record.js";
import { recordComposite } from "../composite.js";
import { bind } from "../../ops/args.js";

interface LayerNormAttrs {
  /** the normalized (trailing) dims */
  dims: number[];
  hasWeight: boolean;
}

const LAYER_NORM: Derivative<LayerNormAttrs> = {
  name: "NativeLayerNormBackward0", inputs: ["input", "weight", "bias"],
  saves: { input: ["input", "weight"], weight: ["input"], result1: ["input", "weight"], result2: ["input", "weight"] },
  backward: ({ grad, saved, attrs }) => {
    const x = saved("input");
    const xhat = x.sub(saved("result1")).mul(saved("result2"));
    const batchDims = [...Array(x.ndim - attrs.dims.length).keys()];
    const overBatch = (t: Tensor) => (batchDims.length > 0 ? t.sum(batchDims) : t);
    return {
      input: () => {
        const g = attrs.hasWeight ? grad.mul(saved("weight")) : grad;
        const a = g.mean(attrs.dims, { keepdim: true });
        const b = g.mul(xhat).mean(attrs.dims, { keepdim: true });
        return g.sub(a).sub(xhat.mul(b)).mul(saved("result2"));
      },
      weight: () => overBatch(grad.mul(xhat)),
      bias: () => overBatch(grad),
    };
  },
};

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** F.layer_norm(input, normalizedShape, weight = null, bias = null, eps = 1e-5) */
export function layerNorm(
  input: Tensor, normalizedShape: number | readonly number[],
  ...args: [weight?: Tensor | null, bias?: Tensor | null, eps?: number] | [options: LayerNormOptions]
): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const { weight, bias, eps } = bind<Required<LayerNormOptions>>(["weight", "bias", "eps"], args, { weight: null, bias: null, eps: 1e-5 });
  const lead = input.ndim - shape.length;
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && !sameShape(t._shape, shape)) {
      throw new RuntimeError(
        `Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape ${formatShape(t.shape)} and normalized_shape = ${formatShape(shape)}`,
      );
    }
  }
  if (lead < 0 || shape.some((s, i) => input.shape[lead + i] !== s)) {
    throw new RuntimeError(
      `Given normalized_shape=${formatShape(shape)}, expected input with shape [*, ${shape.join(", ")}], but got input of size${formatShape(input.shape)}`,
    );
  }
  const dims = shape.map((_, i) => lead + i);
  const [out, mean, rstd] = recordComposite(LAYER_NORM, [input, weight, bias], { dims, hasWeight: weight !== null }, () => {
    const mean = input.mean(dims, { keepdim: true });
    const centered = input.sub(mean);
    const rstd = centered.mul(centered).mean(dims, { keepdim: true }).add(eps).rsqrt();
    let y = centered.mul(rstd);
    if (weight !== null) y = y.mul(weight);
    if (bias !== null) y = y.add(bias);
    return [y, mean, rstd];
  });
  mean.dispose();
  rstd.dispose();
  return out;
}
