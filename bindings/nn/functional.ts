// torch.nn.functional: composed from tensor ops; losses and normalizations whose PyTorch
// backward is a node of its own (NllLossBackward0, NativeLayerNormBackward0, ...) are recorded
// through the ops layer with that node and formula.
import { RuntimeError, IndexError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/grad_mode.js";
import { type Derivative, record } from "../ops/record.js";
import { bind } from "../ops/args.js";
import { unsafeView } from "../ops/view.js";

type Reduction = "mean" | "sum" | "none";

function reduce(t: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return t;
  if (reduction === "sum") return t.sum();
  if (reduction === "mean") return t.mean();
  throw new RuntimeError(`${reduction} is not a valid value for reduction`);
}

/** Runs `fn` on fresh handles only: temporaries made inside are disposed unless returned. */
function scoped<T extends Tensor>(fn: (temps: Tensor[]) => T): T {
  const temps: Tensor[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (input.ndim === 2 && bias !== null) {
    return scoped((temps) => {
      const wt = weight.t();
      temps.push(wt);
      return bias.addmm(input, wt);
    });
  }
  return scoped((temps) => {
    const wt = weight.t();
    temps.push(wt);
    const out = input.matmul(wt);
    if (bias === null) return out;
    temps.push(out);
    return out.add(bias);
  });
}

export function relu(input: Tensor): Tensor {
  return input.relu();
}
export function gelu(input: Tensor, options: { approximate?: "none" | "tanh" } = {}): Tensor {
  return input.gelu(options);
}
export function silu(input: Tensor): Tensor {
  return input.silu();
}
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}
export function softmax(input: Tensor, ...args: unknown[]): Tensor {
  const { dim, dtype } = bind<{ dim: number; dtype: Tensor["dtype"] | null }>(["dim"], args, { dim: -1, dtype: null });
  return input.softmax(dim, dtype === null ? {} : { dtype });
}
export function logSoftmax(input: Tensor, ...args: unknown[]): Tensor {
  const { dim, dtype } = bind<{ dim: number; dtype: Tensor["dtype"] | null }>(["dim"], args, { dim: -1, dtype: null });
  return input.logSoftmax(dim, dtype === null ? {} : { dtype });
}

// ---- losses ---------------------------------------------------------------------------------

interface NllAttrs {
  reduction: Reduction;
  ignoreIndex: number;
  count: number;
}

const NLL_LOSS: Derivative<NllAttrs> = {
  name: "NllLossBackward0", inputs: ["self", "weight"],
  backward: ({ grad, attrs, saved }) => {
    const target = saved("target");
    const picked = saved("picked");
    const scale = attrs.reduction === "mean" ? grad.div(attrs.count) : grad;
    const g = attrs.reduction === "none" ? scale.neg().mul(picked) : scale.neg().mul(picked);
    const zeros = saved("self_shape_like").zerosLike();
    const idx = target.unsqueeze(1);
    return { self: zeros.scatter(1, idx, g.unsqueeze(1)) };
  },
};

/** nll_loss(input [N, C] or [C], target [N] or []) with weight, ignoreIndex, reduction. */
export function nllLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = bind<{ weight: Tensor | null; ignoreIndex: number; reduction: Reduction }>(
    ["weight"], args, { weight: null, ignoreIndex: -100, reduction: "mean" });
  if (target.dtype !== "int64") {
    throw new RuntimeError(`expected scalar type Long but found ${target.dtype === "float32" ? "Float" : target.dtype}`);
  }
  const batched = input.ndim === 2;
  if (input.ndim < 1 || input.ndim > 2) throw new RuntimeError(`input tensor should be 1D or 2D`);
  const n = batched ? input.shape[0] : 1;
  if (batched && target.ndim !== 1) throw new RuntimeError(`1D target tensor expected, multi-target not supported`);
  if (batched && target.shape[0] !== n) {
    throw new ValueErrorLike(`Expected input batch_size (${n}) to match target batch_size (${target.shape[0]}).`);
  }
  const classes = input.shape[batched ? 1 : 0];
  const x = batched ? input : input.unsqueeze(0);
  const t = batched ? target : target.unsqueeze(0);
  const { keep, safeTarget, weights, count } = noGrad(() => {
    const keep = t.ne(o.ignoreIndex);
    const safeTarget = keep.where(t, 0);
    const lo = safeTarget.min().item();
    const hi = safeTarget.max().item();
    if (t.numel() > 0 && (lo < 0 || hi >= classes)) throw new IndexError(`Target ${hi >= classes ? hi : lo} is out of bounds.`);
    const w = o.weight === null ? keep.float() : o.weight.indexSelect(0, safeTarget).mul(keep);
    const count = w.sum().item();
    return { keep, safeTarget, weights: w, count };
  });
  const attrs: NllAttrs = { reduction: o.reduction, ignoreIndex: o.ignoreIndex, count };
  const derivative: Derivative<NllAttrs> = {
    ...NLL_LOSS,
    backward: ({ grad }) => {
      const g = attrs.reduction === "mean" ? grad.div(count) : grad;
      const perRow = attrs.reduction === "none" ? g.mul(weights).neg() : weights.mul(g).neg();
      const out = x.newZeros(x.shape).scatter(1, safeTarget.unsqueeze(1), perRow.unsqueeze(1));
      return { self: batched ? out : out.squeeze(0) };
    },
  };
  const result = record(derivative, [input, null], attrs, () =>
    noGrad(() => {
      const picked = x.gather(1, safeTarget.unsqueeze(1)).squeeze(1);
      const losses = picked.mul(weights).neg();
      if (o.reduction === "none") return batched ? losses : losses.squeeze(0);
      const total = losses.sum();
      return o.reduction === "sum" ? total : total.div(count);
    }),
  );
  void keep;
  return result;
}

class ValueErrorLike extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueError";
  }
}

export function crossEntropy(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const o = bind<{ weight: Tensor | null; ignoreIndex: number; reduction: Reduction; labelSmoothing: number }>(
    ["weight"], args, { weight: null, ignoreIndex: -100, reduction: "mean", labelSmoothing: 0 });
  const classDim = input.ndim === 1 ? 0 : 1;
  return scoped((temps) => {
    const logp = input.logSoftmax(classDim);
    temps.push(logp);
    if (target.dtype !== "int64" && target.isFloatingPoint()) {
      // class probabilities
      const prod = logp.mul(target);
      temps.push(prod);
      const perSample = prod.sum(classDim).neg();
      if (o.reduction === "none") return perSample;
      temps.push(perSample);
      return o.reduction === "sum" ? perSample.sum() : perSample.sum().div(input.ndim === 1 ? 1 : input.shape[0]);
    }
    const nll = nllLoss(logp, target, { weight: o.weight, ignoreIndex: o.ignoreIndex, reduction: o.reduction });
    if (o.labelSmoothing === 0) return nll;
    temps.push(nll);
    const smooth = logp.mean(classDim).neg();
    temps.push(smooth);
    const smoothed = reduce(smooth, o.reduction);
    temps.push(smoothed);
    return nll.mul(1 - o.labelSmoothing).add(smoothed.mul(o.labelSmoothing));
  });
}

const MSE: Derivative<{ reduction: Reduction; count: number }> = {
  name: "MseLossBackward0", inputs: ["self", "target"], saves: { self: ["self", "target"], target: ["self", "target"] },
  backward: ({ grad, saved, attrs, needs }) => {
    const diff = saved("self").sub(saved("target"));
    const g = attrs.reduction === "mean" ? grad.mul(2 / attrs.count) : grad.mul(2);
    const d = diff.mul(g);
    return { self: needs("self") ? d : null, target: needs("target") ? d.neg() : null };
  },
};

export function mseLoss(input: Tensor, target: Tensor, ...args: unknown[]): Tensor {
  const { reduction } = bind<{ reduction: Reduction }>([], args, { reduction: "mean" });
  return record(MSE, [input, target], { reduction, count: input.numel() }, () =>
    noGrad(() => {
      const d = input.sub(target);
      const sq = d.mul(d);
      d.dispose();
      if (reduction === "none") return sq;
      const r = reduce(sq, reduction);
      sq.dispose();
      return r;
    }));
}

// ---- normalization, embedding -------------------------------------------------------------

interface LayerNormAttrs {
  dims: number[];
  count: number;
  eps: number;
}

const LAYER_NORM: Derivative<LayerNormAttrs> = {
  name: "NativeLayerNormBackward0", inputs: ["input", "weight", "bias"],
  saves: { input: ["input", "weight"], weight: ["input"], result1: ["input", "weight"], result2: ["input", "weight"] },
  backward: ({ grad, saved, attrs, needs }) => {
    const x = saved("input");
    const mean = saved("result1");
    const rstd = saved("result2");
    const xhat = x.sub(mean).mul(rstd);
    const lead = x.ndim - attrs.dims.length;
    const batchDims = [...Array(lead).keys()];
    const out: Record<string, Tensor | null> = {};
    let gx = grad;
    if (needs("weight") || needs("input")) {
      const w = needs("input") ? saved("weight") : null;
      if (w !== null) gx = grad.mul(w);
    }
    if (needs("input")) {
      const n = attrs.count;
      const a = gx.mean(attrs.dims, { keepdim: true });
      const b = gx.mul(xhat).mean(attrs.dims, { keepdim: true });
      out.input = gx.sub(a).sub(xhat.mul(b)).mul(rstd);
      void n;
    }
    if (needs("weight")) out.weight = batchDims.length > 0 ? grad.mul(xhat).sum(batchDims) : grad.mul(xhat);
    if (needs("bias")) out.bias = batchDims.length > 0 ? grad.sum(batchDims) : grad;
    return out;
  },
};

export function layerNorm(input: Tensor, normalizedShape: number | number[], ...args: unknown[]): Tensor {
  const o = bind<{ weight: Tensor | null; bias: Tensor | null; eps: number }>(["weight", "bias", "eps"], args, { weight: null, bias: null, eps: 1e-5 });
  const shape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
  const lead = input.ndim - shape.length;
  if (lead < 0 || shape.some((s, i) => input.shape[lead + i] !== s)) {
    throw new RuntimeError(
      `Given normalized_shape=[${shape.join(", ")}], expected input with shape [*, ${shape.join(", ")}], but got input of size[${input.shape.join(", ")}]`,
    );
  }
  const dims = shape.map((_, i) => lead + i);
  const count = shape.reduce((a, b) => a * b, 1);
  const [out] = record(LAYER_NORM, [input, o.weight, o.bias], { dims, count, eps: o.eps }, () =>
    noGrad(() => {
      const mean = input.mean(dims, { keepdim: true });
      const centered = input.sub(mean);
      const variance = centered.mul(centered).mean(dims, { keepdim: true });
      const rstd = variance.add(o.eps).rsqrt();
      let y = centered.mul(rstd);
      if (o.weight !== null) y = y.mul(o.weight);
      if (o.bias !== null) y = y.add(o.bias);
      return [y, mean, rstd];
    }));
  return out;
}

const EMBEDDING: Derivative<{ rows: number; paddingIdx: number | null }> = {
  name: "EmbeddingBackward0", inputs: ["weight"],
  backward: ({ grad, saved, attrs }) => {
    const idx = saved("indices").reshape(-1);
    const cols = grad.shape[grad.ndim - 1];
    let g = grad.reshape([-1, cols]);
    if (attrs.paddingIdx !== null) g = g.mul(idx.ne(attrs.paddingIdx).unsqueeze(1));
    return { weight: g.newZeros([attrs.rows, cols]).indexAdd(0, idx, g) };
  },
};

export function embedding(input: Tensor, weight: Tensor, ...args: unknown[]): Tensor {
  const { paddingIdx } = bind<{ paddingIdx: number | null }>(["paddingIdx"], args, { paddingIdx: null });
  if (input.dtype !== "int64" && input.dtype !== "int32") {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${input.dtype === "float32" ? "FloatTensor" : input.dtype} instead (while checking arguments for embedding)`,
    );
  }
  const rows = weight.shape[0];
  return record(EMBEDDING, [weight], { rows, paddingIdx }, () =>
    noGrad(() => {
      const flat = input.reshape(-1);
      const picked = weight.indexSelect(0, flat);
      flat.dispose();
      const out = unsafeView(picked, [...input.shape, weight.shape[1]]);
      picked.dispose();
      return out;
    }), { indices: input });
}

export function dropout(input: Tensor, ...args: unknown[]): Tensor {
  const { p, training } = bind<{ p: number; training: boolean; inplace: boolean }>(["p", "training"], args, { p: 0.5, training: true, inplace: false });
  if (p < 0 || p > 1) throw new ValueErrorLike(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  throw new RuntimeError("dropout with p > 0 in training mode needs the random generator");
}
