// Every differentiable op's backward formula checked against finite differences (gradcheck, in
// float64), and a set of them to second order (gradgradcheck). Inputs are deterministic and kept
// away from each op's kinks and singularities. This proves the formulas beyond the corpus.
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { GradcheckError, gradcheck, gradgradcheck } from "tapegrad/autograd/gradcheck";
import { expectNoLeaks } from "./support.js";
import type { Tensor } from "tapegrad";

const { autograd } = tg;

interface Range {
  lo?: number;
  hi?: number;
  /** points the values keep at least `margin` away from (kinks, poles) */
  avoid?: number[];
  margin?: number;
}

let seed = 0;

/** Deterministic, distinct values spread over [lo, hi] (a golden-ratio sequence). */
function values(n: number, { lo = -2, hi = 2, avoid = [], margin = 0.15 }: Range): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    seed++;
    let v = lo + (hi - lo) * ((0.5 + seed * 0.6180339887498949) % 1);
    for (const k of avoid) if (Math.abs(v - k) < margin) v = k + (v < k ? -margin : margin) * (1 + (seed % 7) / 10);
    out.push(v);
  }
  return out;
}

/** A float64 leaf of `shape` that requires grad. */
function x(shape: number[], range: Range = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tg.tensor(values(n, range), { dtype: "float64" }).reshape(shape).detach().requiresGrad_();
}

/** A constant (no grad) float64 tensor. */
function c(shape: number[], range: Range = {}): Tensor {
  return x(shape, range).detach();
}

const long = (data: number[] | number[][]) => tg.tensor(data, { dtype: "int64" });
const bool = (data: boolean[] | boolean[][]) => tg.tensor(data, { dtype: "bool" });

type Case = [
  name: string, fn: (...args: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[], secondOrder?: boolean, options?: { eps?: number; atol?: number },
];

const away = (...avoid: number[]): Range => ({ avoid });
const positive: Range = { lo: 0.3, hi: 2.5 };
const unit: Range = { lo: -0.85, hi: 0.85 };
const probability: Range = { lo: 0.08, hi: 0.92 };

const unaryCases: Case[] = [
  ["neg", (a) => a.neg(), () => [x([2, 3])], true],
  ["abs", (a) => a.abs(), () => [x([2, 3], away(0))], true],
  ["sign", (a) => a.sign(), () => [x([5], away(0))]],
  ["sgn", (a) => a.sgn(), () => [x([5], away(0))]],
  ["exp", (a) => a.exp(), () => [x([2, 3])], true],
  ["exp2", (a) => a.exp2(), () => [x([4])], true],
  ["expm1", (a) => a.expm1(), () => [x([4])], true],
  ["log", (a) => a.log(), () => [x([4], positive)], true],
  ["log1p", (a) => a.log1p(), () => [x([4], { lo: -0.6, hi: 2 })], true],
  ["log2", (a) => a.log2(), () => [x([4], positive)], true],
  ["log10", (a) => a.log10(), () => [x([4], positive)], true],
  ["sqrt", (a) => a.sqrt(), () => [x([4], positive)], true],
  ["rsqrt", (a) => a.rsqrt(), () => [x([4], positive)], true],
  ["reciprocal", (a) => a.reciprocal(), () => [x([4], away(0))], true],
  ["sigmoid", (a) => a.sigmoid(), () => [x([2, 3])], true],
  ["tanh", (a) => a.tanh(), () => [x([2, 3])], true],
  ["relu", (a) => a.relu(), () => [x([2, 3], away(0))], true],
  ["sin", (a) => a.sin(), () => [x([4])], true],
  ["cos", (a) => a.cos(), () => [x([4])], true],
  ["tan", (a) => a.tan(), () => [x([4], { lo: -1.2, hi: 1.2 })], true],
  ["asin", (a) => a.asin(), () => [x([4], unit)], true],
  ["acos", (a) => a.acos(), () => [x([4], unit)], true],
  ["atan", (a) => a.atan(), () => [x([4])], true],
  ["sinh", (a) => a.sinh(), () => [x([4])], true],
  ["cosh", (a) => a.cosh(), () => [x([4])], true],
  ["erf", (a) => a.erf(), () => [x([4])], true],
  ["square", (a) => a.square(), () => [x([4])], true],
  ["floor", (a) => a.floor(), () => [x([4], away(-2, -1, 0, 1, 2))]],
  ["ceil", (a) => a.ceil(), () => [x([4], away(-2, -1, 0, 1, 2))]],
  ["round", (a) => a.round(), () => [x([4], away(-1.5, -0.5, 0.5, 1.5))]],
  ["trunc", (a) => a.trunc(), () => [x([4], away(-1, 0, 1))]],
  ["frac", (a) => a.frac(), () => [x([4], away(-2, -1, 0, 1, 2))], true],
  ["silu", (a) => a.silu(), () => [x([2, 3])], true],
  ["mish", (a) => a.mish(), () => [x([2, 3])], true],
  ["logit", (a) => a.logit(), () => [x([4], probability)], true],
  ["leakyRelu", (a) => a.leakyRelu(0.1), () => [x([2, 3], away(0))], true],
  ["elu", (a) => a.elu(1.3), () => [x([2, 3], away(0))], true],
  ["softplus", (a) => a.softplus(2, 3), () => [x([2, 3], away(1.5))], true],
  ["hardtanh", (a) => a.hardtanh(-1, 1), () => [x([2, 3], away(-1, 1))]],
  ["gelu", (a) => a.gelu(), () => [x([2, 3])], true],
  ["gelu tanh", (a) => a.gelu({ approximate: "tanh" }), () => [x([2, 3])], true],
  ["pow 3", (a) => a.pow(3), () => [x([4])], true],
  ["pow 2.5", (a) => a.pow(2.5), () => [x([4], positive)], true],
  ["pow -1.5", (a) => a.pow(-1.5), () => [x([4], positive)], true],
  ["pow 0", (a) => a.pow(0), () => [x([4])]],
  ["clamp", (a) => a.clamp(-0.5, 0.7), () => [x([2, 3], away(-0.5, 0.7))]],
  ["clamp min", (a) => a.clamp({ min: 0.2 }), () => [x([2, 3], away(0.2))]],
  ["clip max", (a) => a.clip({ max: 0.2 }), () => [x([2, 3], away(0.2))]],
  ["nanToNum", (a) => a.nanToNum(), () => [x([2, 3])], true],
];

const binaryCases: Case[] = [
  ["add", (a, b) => a.add(b), () => [x([2, 3]), x([2, 3])], true],
  ["add alpha broadcast", (a, b) => a.add(b, { alpha: -2.5 }), () => [x([2, 3]), x([3])], true],
  ["add scalar", (a) => a.add(1.5), () => [x([2, 3])]],
  ["sub", (a, b) => a.sub(b, { alpha: 0.5 }), () => [x([2, 1]), x([1, 3])], true],
  ["rsub", (a, b) => a.rsub(b, { alpha: 2 }), () => [x([2, 3]), x([3])], true],
  ["rsub scalar", (a) => a.rsub(3), () => [x([3])]],
  ["mul", (a, b) => a.mul(b), () => [x([2, 3]), x([2, 1])], true],
  ["mul scalar", (a) => a.mul(-1.5), () => [x([2, 3])], true],
  ["div", (a, b) => a.div(b), () => [x([2, 3]), x([3], away(0))], true],
  ["div scalar", (a) => a.div(0.7), () => [x([2, 3])]],
  ["div floor", (a, b) => a.div(b, { roundingMode: "floor" }), () => [x([4], { lo: 0.1, hi: 0.9 }), x([4], { lo: 1.1, hi: 1.9 })]],
  ["pow tensor", (a, b) => a.pow(b), () => [x([2, 3], positive), x([3])], true],
  // only the exponent requires grad: it is saved for its own gradient too
  ["pow tensor exponent only", (b) => tg.tensor([[0.5, 1.2, 2], [1.5, 0.8, 2.2]], { dtype: "float64" }).pow(b), () => [x([3])], true],
  ["pow scalar base", (a) => tg.pow(2.5, a), () => [x([4])], true],
  ["maximum", (a, b) => a.maximum(b), () => [x([6]), x([6])], true],
  ["minimum", (a, b) => a.minimum(b), () => [x([2, 3]), x([3])], true],
  ["max(other)", (a, b) => a.max(b), () => [x([6]), x([6])]],
  ["atan2", (a, b) => a.atan2(b), () => [x([4]), x([4], away(0))], true],
  ["remainder", (a, b) => a.remainder(b), () => [x([4], { lo: 0.1, hi: 0.9 }), x([4], { lo: 1.1, hi: 1.9 })]],
  ["remainder scalar", (a) => a.remainder(1.5), () => [x([4], away(-1.5, 0, 1.5))]],
  ["fmod", (a, b) => a.fmod(b), () => [x([4], { lo: 0.1, hi: 0.9 }), x([4], { lo: 1.1, hi: 1.9 })]],
  ["hypot", (a, b) => a.hypot(b), () => [x([4], away(0)), x([4], away(0))], true],
];

const ternaryCases: Case[] = [
  ["where", (a, b) => tg.where(bool([true, false, true]), a, b), () => [x([2, 3]), x([3])], true],
  ["where scalar", (a) => tg.where(bool([true, false, false]), a, 0.5), () => [x([3])]],
  ["maskedFill", (a) => a.maskedFill(bool([false, true, false]), 2), () => [x([2, 3])]],
  ["maskedFill tensor", (a, v) => a.maskedFill(bool([false, true, true]), v), () => [x([2, 3]), x([])], true],
  ["clamp tensors", (a, lo, hi) => a.clamp(lo, hi), () => [x([2, 3], away(-0.5, 0.5)), c([3], { lo: -0.8, hi: -0.2 }).requiresGrad_(), c([2, 1], { lo: 0.2, hi: 0.8 }).requiresGrad_()]],
  ["clamp tensor min", (a, lo) => a.clamp({ min: lo }), () => [x([4], away(0)), tg.zeros([4], { dtype: "float64", requiresGrad: true })]],
  ["lerp scalar", (a, b) => a.lerp(b, 0.3), () => [x([2, 3]), x([3])], true],
  ["lerp weight 0.8", (a, b) => a.lerp(b, 0.8), () => [x([2, 3]), x([2, 3])]],
  ["lerp tensor", (a, b, w) => a.lerp(b, w), () => [x([2, 3]), x([3]), x([2, 1], { lo: 0, hi: 1 })], true],
  ["addcmul", (a, b, d) => a.addcmul(b, d, { value: 0.5 }), () => [x([2, 3]), x([3]), x([2, 1])], true],
  ["addcdiv", (a, b, d) => a.addcdiv(b, d, { value: -2 }), () => [x([2, 3]), x([3]), x([2, 1], away(0))], true],
];

const reductionCases: Case[] = [
  ["sum", (a) => a.sum(), () => [x([2, 3])], true],
  ["sum dims", (a) => a.sum([0, 2], { keepdim: true }), () => [x([2, 3, 2])], true],
  ["sum dim", (a) => a.sum(1), () => [x([2, 3])]],
  ["mean", (a) => a.mean(), () => [x([2, 3])], true],
  ["mean dim", (a) => a.mean(-1, { keepdim: true }), () => [x([2, 3])]],
  ["prod", (a) => a.prod(), () => [x([5])], true],
  ["prod one zero", (a) => a.prod(), () => [tg.tensor([1.5, 0, -2, 0.5], { dtype: "float64", requiresGrad: true })], true],
  ["prod two zeros", (a) => a.prod(), () => [tg.tensor([1.5, 0, -2, 0], { dtype: "float64", requiresGrad: true })]],
  ["prod dim", (a) => a.prod(1), () => [x([2, 4])], true],
  ["prod dim zeros", (a) => a.prod(1, { keepdim: true }), () => [tg.tensor([[1.5, 0, -2], [0.5, 2, 0], [0, 0, 3]], { dtype: "float64", requiresGrad: true })]],
  ["max", (a) => a.max(), () => [x([2, 3])]],
  ["min", (a) => a.min(), () => [x([2, 3])]],
  ["max dim", (a) => a.max(1).values, () => [x([2, 3])]],
  ["min dim keepdim", (a) => a.min(0, { keepdim: true }).values, () => [x([2, 3])]],
  ["amax", (a) => a.amax([0, 2]), () => [x([2, 3, 2])]],
  ["amin", (a) => a.amin(1, { keepdim: true }), () => [x([2, 3])]],
  ["var", (a) => a.var(), () => [x([2, 3])], true],
  ["var dim correction 0", (a) => a.var(1, { correction: 0, keepdim: true }), () => [x([2, 3])], true],
  ["std", (a) => a.std(), () => [x([2, 3])], true],
  ["std dims unbiased false", (a) => a.std([0, 1], { unbiased: false }), () => [x([2, 2, 2])], true],
  ["logsumexp", (a) => a.logsumexp(1), () => [x([2, 3])], true],
  ["logsumexp dims keepdim", (a) => a.logsumexp([0, 1], { keepdim: true }), () => [x([2, 3])], true],
  ["softmax", (a) => a.softmax(1), () => [x([2, 3])], true],
  ["softmax dim 0", (a) => a.softmax(0), () => [x([2, 3])], true],
  ["logSoftmax", (a) => a.logSoftmax(-1), () => [x([2, 3])], true],
  ["norm", (a) => a.norm(), () => [x([2, 3])], true],
  ["norm 1", (a) => a.norm(1), () => [x([2, 3], away(0))], true],
  ["norm inf dim", (a) => a.norm(Infinity, 1), () => [x([2, 3], away(0))]],
  ["norm -inf", (a) => a.norm(-Infinity), () => [x([2, 3], away(0))]],
  ["norm 3 dim keepdim", (a) => a.norm(3, 0, true), () => [x([2, 3], away(0))], true],
  ["norm 0.5", (a) => a.norm(0.5), () => [x([4], away(0))], true],
  ["norm 1.5", (a) => a.norm(1.5), () => [x([4], away(0))], true],
  ["norm fro dims", (a) => a.norm("fro", [0, 1]), () => [x([2, 3, 2])], true],
  ["linalg.vectorNorm", (a) => tg.linalg.vectorNorm(a, 2, -1, true), () => [x([2, 3])], true],
  ["cumsum", (a) => a.cumsum(1), () => [x([2, 3])], true],
  ["cumprod", (a) => a.cumprod(0), () => [x([4, 2])], true],
  ["cumprod zeros", (a) => a.cumprod(1), () => [tg.tensor([[1.5, 0, -2, 0.5], [0, 2, 0, 3], [2, -1, 0.5, 0]], { dtype: "float64", requiresGrad: true })]],
];

const shapeCases: Case[] = [
  ["view", (a) => a.view(3, 2), () => [x([2, 3])], true],
  ["reshape non-contiguous", (a) => a.t().reshape(-1), () => [x([2, 3])], true],
  ["flatten", (a) => a.flatten(1), () => [x([2, 3, 2])]],
  ["unflatten", (a) => a.unflatten(1, [2, 2]), () => [x([3, 4])]],
  ["t", (a) => a.t(), () => [x([2, 3])]],
  ["transpose", (a) => a.transpose(0, 2), () => [x([2, 3, 2])]],
  ["permute", (a) => a.permute(2, 0, 1), () => [x([2, 3, 2])], true],
  ["movedim", (a) => a.movedim(0, -1), () => [x([2, 3, 2])]],
  ["unsqueeze", (a) => a.unsqueeze(1), () => [x([2, 3])]],
  ["squeeze", (a) => a.squeeze(), () => [x([2, 1, 3])]],
  ["expand", (a) => a.expand(4, 2, 3), () => [x([2, 1])], true],
  ["narrow", (a) => a.narrow(1, 1, 2), () => [x([2, 3])]],
  ["select", (a) => a.select(1, -1), () => [x([2, 3])]],
  ["slice", (a) => a.index(tg.slice(), tg.slice(null, null, 2)), () => [x([2, 3])]],
  ["unbind", (a) => a.unbind(1), () => [x([2, 3])]],
  ["split", (a) => a.split(2, 1), () => [x([2, 5])]],
  ["split sizes", (a) => a.split([1, 3, 1], 1), () => [x([2, 5])]],
  ["chunk", (a) => a.chunk(2), () => [x([3, 2])]],
  ["asStrided", (a) => a.asStrided([2, 2], [1, 2]), () => [x([2, 3])]],
  ["cat", (a, b) => tg.cat([a, b], 1), () => [x([2, 3]), x([2, 1])], true],
  ["stack", (a, b) => tg.stack([a, b], 2), () => [x([2, 3]), x([2, 3])]],
  ["flip", (a) => a.flip(0, 1), () => [x([2, 3])]],
  ["repeat", (a) => a.repeat(2, 1, 3), () => [x([2, 2])], true],
  ["tile", (a) => a.tile(2), () => [x([2, 3])]],
  ["roll", (a) => a.roll([1, -2], [0, 1]), () => [x([2, 3])]],
  ["roll flat", (a) => a.roll(4), () => [x([2, 3])]],
  ["tril", (a) => a.tril(), () => [x([3, 3])]],
  ["triu batched", (a) => a.triu(1), () => [x([2, 3, 4])]],
  ["diagonal", (a) => a.diagonal(1, 0, 2), () => [x([3, 2, 4])]],
  ["diag vector", (a) => a.diag(-1), () => [x([3])]],
  ["diag matrix", (a) => a.diag(1), () => [x([3, 4])]],
  ["diagEmbed", (a) => a.diagEmbed(1, 0, 2), () => [x([2, 3])]],
  ["clone", (a) => a.clone(), () => [x([2, 3])]],
  ["contiguous", (a) => a.t().contiguous(), () => [x([2, 3])]],
  // float32 resolution needs a coarser difference
  ["to float32 and back", (a) => a.to("float32").to("float64"), () => [x([3])], false, { eps: 1e-2, atol: 1e-4 }],
];

const indexingCases: Case[] = [
  ["index int tensor", (a) => a.index(long([1, 0, 1])), () => [x([2, 3])], true],
  ["index two tensors", (a) => a.index(long([[0, 1], [1, 1]]), tg.slice(), long([2, 0])), () => [x([2, 3, 3])]],
  ["index non-adjacent", (a) => a.index(long([1, 0]), tg.slice(), long([0, 2])), () => [x([2, 3, 3])]],
  ["index mask", (a) => a.index(bool([[true, false, true], [false, true, true]])), () => [x([2, 3])]],
  ["index list and int", (a) => a.index(1, [0, 2, 2]), () => [x([2, 3])]],
  ["setIndex_ values", (a, v) => a.clone().setIndex_([long([0, 2])], v), () => [x([3, 2]), x([2])]],
  ["setIndex_ mask", (a, v) => a.clone().setIndex_(bool([true, false, true]), v), () => [x([3]), x([])]],
  ["indexPut accumulate", (a, v) => a.indexPut([long([0, 0, 2])], v, { accumulate: true }), () => [x([3, 2]), x([3, 2])]],
  ["indexSelect", (a) => a.indexSelect(1, long([2, 0, 2])), () => [x([2, 3])], true],
  ["gather", (a) => a.gather(1, long([[0, 2], [1, 1]])), () => [x([2, 3])], true],
  ["scatter", (a, s) => a.scatter(1, long([[0, 2], [1, 0]]), s), () => [x([2, 3]), x([2, 2])]],
  ["scatter value", (a) => a.scatter(0, long([[1, 0, 1]]), 0.5), () => [x([2, 3])]],
  ["scatterAdd", (a, s) => a.scatterAdd(1, long([[0, 0, 1], [2, 1, 2]]), s), () => [x([2, 3]), x([2, 3])], true],
  ["scatterReduce sum", (a, s) => a.scatterReduce(0, long([0, 1, 0]), s, "sum"), () => [x([3]), x([3])]],
  ["scatterReduce prod", (a, s) => a.scatterReduce(0, long([0, 1, 0, 2]), s, "prod", { includeSelf: false }), () => [x([3]), x([4])]],
  ["scatterReduce mean", (a, s) => a.scatterReduce(0, long([0, 1, 0]), s, "mean"), () => [x([3]), x([3])]],
  ["scatterReduce amax", (a, s) => a.scatterReduce(0, long([0, 1, 0]), s, "amax"), () => [x([3]), x([3])]],
  ["scatterReduce amin", (a, s) => a.scatterReduce(1, long([[2, 0]]), s, "amin", { includeSelf: false }), () => [x([1, 3]), x([1, 2])]],
  ["indexAdd", (a, s) => a.indexAdd(0, long([2, 0, 2]), s, { alpha: -1.5 }), () => [x([3, 2]), x([3, 2])], true],
  ["indexFill", (a) => a.indexFill(1, long([0, 2]), -1), () => [x([2, 3])]],
  ["indexFill tensor", (a, v) => a.indexFill(0, long([1]), v), () => [x([2, 3]), x([])]],
  ["maskedSelect", (a) => a.maskedSelect(bool([true, false, true])), () => [x([2, 3])], true],
  ["maskedScatter", (a, s) => a.maskedScatter(bool([[true, false], [true, true]]), s), () => [x([2, 2]), x([5])]],
];

const linalgCases: Case[] = [
  ["mm", (a, b) => a.mm(b), () => [x([2, 3]), x([3, 2])], true],
  ["bmm", (a, b) => a.bmm(b), () => [x([2, 2, 3]), x([2, 3, 2])], true],
  ["dot", (a, b) => a.dot(b), () => [x([3]), x([3])], true],
  ["mv", (a, b) => a.mv(b), () => [x([2, 3]), x([3])], true],
  ["matmul 1-D @ 1-D", (a, b) => a.matmul(b), () => [x([3]), x([3])]],
  ["matmul 2-D @ 1-D", (a, b) => a.matmul(b), () => [x([2, 3]), x([3])]],
  ["matmul 1-D @ 2-D", (a, b) => a.matmul(b), () => [x([3]), x([3, 2])]],
  ["matmul 3-D @ 2-D (folded)", (a, b) => a.matmul(b), () => [x([2, 2, 3]), x([3, 2])], true],
  ["matmul 2-D @ 3-D", (a, b) => a.matmul(b), () => [x([2, 3]), x([2, 3, 2])]],
  ["matmul 3-D @ 1-D", (a, b) => a.matmul(b), () => [x([2, 2, 3]), x([3])]],
  ["matmul 1-D @ 3-D", (a, b) => a.matmul(b), () => [x([3]), x([2, 3, 2])]],
  ["matmul broadcast batches", (a, b) => a.matmul(b), () => [x([2, 1, 2, 3]), x([3, 3, 2])], true],
  ["addmm", (s, a, b) => s.addmm(a, b, { beta: 0.5, alpha: -2 }), () => [x([2]), x([2, 3]), x([3, 2])], true],
  ["baddbmm", (s, a, b) => s.baddbmm(a, b, { beta: 2, alpha: 0.5 }), () => [x([2, 1]), x([2, 2, 3]), x([2, 3, 2])], true],
  ["outer", (a, b) => tg.outer(a, b), () => [x([3]), x([2])]],
  ["einsum ij,jk->ik", (a, b) => tg.einsum("ij,jk->ik", a, b), () => [x([2, 3]), x([3, 2])], true],
  ["einsum bij,bjk->bik", (a, b) => tg.einsum("bij,bjk->bik", a, b), () => [x([2, 2, 3]), x([2, 3, 2])]],
  ["einsum i,i->", (a, b) => tg.einsum("i,i->", a, b), () => [x([3]), x([3])]],
  ["einsum ij->ji", (a) => tg.einsum("ij->ji", a), () => [x([2, 3])]],
  ["einsum ij,j->i", (a, b) => tg.einsum("ij,j->i", a, b), () => [x([2, 3]), x([3])]],
  ["einsum bi,bi->b", (a, b) => tg.einsum("bi,bi->b", a, b), () => [x([2, 3]), x([2, 3])]],
  ["einsum i,j->ij", (a, b) => tg.einsum("i,j->ij", a, b), () => [x([3]), x([2])]],
  ["einsum ...ij,...jk->...ik", (a, b) => tg.einsum("...ij,...jk->...ik", a, b), () => [x([2, 2, 3]), x([3, 2])], true],
  ["einsum ii->i", (a) => tg.einsum("ii->i", a), () => [x([3, 3])]],
  ["einsum implicit ij,jk", (a, b) => tg.einsum("ij,jk", a, b), () => [x([2, 3]), x([3, 2])]],
];

/** In-place ops on non-leaves: their nodes (and CopySlices through views) must be right too. */
const inplaceCases: Case[] = [
  ["add_", (a, b) => a.mul(1).add_(b, { alpha: 2 }), () => [x([2, 3]), x([3])], true],
  ["mul_", (a, b) => a.mul(1).mul_(b), () => [x([2, 3]), x([2, 3])], true],
  ["div_", (a, b) => a.mul(1).div_(b), () => [x([2, 3]), x([3], away(0))], true],
  ["pow_", (a) => a.mul(1).pow_(3), () => [x([4])], true],
  ["sigmoid_", (a) => a.mul(1).sigmoid_(), () => [x([4])], true],
  ["clamp_", (a) => a.mul(1).clamp_(-0.5, 0.5), () => [x([4], away(-0.5, 0.5))]],
  ["maskedFill_", (a) => a.mul(1).maskedFill_(bool([true, false, false, true]), 0.25), () => [x([4])]],
  ["scatter_", (a, s) => a.mul(1).scatter_(0, long([2, 0]), s), () => [x([3]), x([2])]],
  ["indexAdd_", (a, s) => a.mul(1).indexAdd_(0, long([1, 1]), s), () => [x([3]), x([2])]],
  ["tril_", (a) => a.mul(1).tril_(-1), () => [x([3, 3])]],
  ["lerp_", (a, b) => a.mul(1).lerp_(b, 0.25), () => [x([3]), x([3])]],
  ["addcmul_", (a, b, d) => a.mul(1).addcmul_(b, d, { value: 2 }), () => [x([3]), x([3]), x([3])]],
  ["clamp_ tensors", (a, lo) => a.mul(1).clamp_(lo, 0.5), () => [x([4], away(0, 0.5)), tg.zeros([4], { dtype: "float64", requiresGrad: true })]],
  ["fill_ tensor", (a, v) => a.mul(1).fill_(v), () => [x([3]), x([])]],
  ["copy_ broadcast", (a, b) => a.mul(1).copy_(b), () => [x([2, 3]), x([3])]],
  ["setIndex_ slice", (a, b) => a.mul(1).setIndex_([tg.slice(), 1], b), () => [x([2, 3]), x([2])]],
  ["nanToNum_", (a) => a.mul(1).nanToNum_(), () => [x([3])]],
  ["in-place on a view", (a, b) => {
    const base = a.mul(1);
    base.select(0, 1).mul_(b);
    return base;
  }, () => [x([2, 3]), x([3])], true],
];

class Cube extends autograd.Function {
  static forward(ctx: InstanceType<typeof autograd.FunctionCtx>, a: Tensor): Tensor {
    ctx.saveForBackward(a);
    return a.pow(3);
  }
  static backward(ctx: InstanceType<typeof autograd.FunctionCtx>, g: Tensor): Tensor {
    const [a] = ctx.savedTensors as Tensor[];
    return g.mul(a.square()).mul(3);
  }
}

const customCases: Case[] = [["custom Function", (a) => Cube.apply(a), () => [x([4])], true]];

const groups: Record<string, Case[]> = {
  unary: unaryCases, binary: binaryCases, ternary: ternaryCases, reductions: reductionCases, shapes: shapeCases,
  indexing: indexingCases, "linear algebra": linalgCases, "in-place": inplaceCases, custom: customCases,
};

expectNoLeaks("all");

for (const [group, cases] of Object.entries(groups)) {
  describe(`gradcheck: ${group}`, () => {
    test.each(cases.map((c) => [c[0], c] as const))("%s", (_name, [, fn, inputs, secondOrder, options]) => {
      tg.tidy(() => {
        const args = inputs();
        expect(gradcheck(fn as never, args, options)).toBe(true);
        if (secondOrder) expect(gradgradcheck(fn as never, args, options)).toBe(true);
      });
    });
  });
}

describe("gradcheck itself", () => {
  test("a wrong backward raises GradcheckError with both Jacobians, as PyTorch words it", () => {
    class Wrong extends autograd.Function {
      static forward(_ctx: unknown, a: Tensor): Tensor {
        return a.mul(2);
      }
      static backward(_ctx: unknown, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    tg.tidy(() => {
      const a = tg.tensor([1, 2], { dtype: "float64", requiresGrad: true });
      let error: unknown = null;
      try {
        gradcheck((t: Tensor) => Wrong.apply(t), [a]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GradcheckError);
      expect(error).toBeInstanceOf(tg.RuntimeError);
      expect((error as Error).message).toBe(
        "Jacobian mismatch for output 0 with respect to input 0,\n" +
          "numerical:tensor([[2.0000, 0.0000],\n        [0.0000, 2.0000]], dtype=torch.float64)\n" +
          "analytical:tensor([[3., 0.],\n        [0., 3.]], dtype=torch.float64)\n",
      );
      expect(gradcheck((t: Tensor) => Wrong.apply(t), [a], { raiseException: false })).toBe(false);
    });
  });

  test("needs an input that requires grad (ValueError)", () => {
    tg.tidy(() => {
      expect(() => gradcheck((t: Tensor) => t.exp(), [tg.ones(2, { dtype: "float64" })])).toThrow(
        "gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.",
      );
    });
  });

  test("a backward that differs between runs is not reentrant", () => {
    let calls = 0;
    class Drifting extends autograd.Function {
      static forward(_ctx: unknown, a: Tensor): Tensor {
        return a.mul(2);
      }
      static backward(_ctx: unknown, g: Tensor): Tensor {
        calls++;
        return g.mul(calls % 2 === 0 ? 2 : 2.0000001);
      }
    }
    tg.tidy(() => {
      const a = tg.tensor([1], { dtype: "float64", requiresGrad: true });
      expect(() => gradcheck((t: Tensor) => Drifting.apply(t), [a])).toThrow(
        "Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient. The tolerance for nondeterminism was 0.0.",
      );
      // Python prints the tolerance as repr(float): 1e-09, not 0.000000001
      expect(() => gradcheck((t: Tensor) => Drifting.apply(t), [a], { nondetTol: 1e-9 })).toThrow(
        "The tolerance for nondeterminism was 1e-09.",
      );
    });
  });

  test("scatter_add's src gradient has index's shape, so a smaller index fails in backward as in PyTorch", () => {
    tg.tidy(() => {
      const a = x([2, 3]);
      const src = x([2, 3]);
      const y = a.scatterAdd(1, long([[0, 0], [2, 1]]), src);
      // PyTorch 1.13 and 2.x raise exactly this
      expect(() => y.sum().backward()).toThrow(
        "Function ScatterAddBackward0 returned an invalid gradient at index 1 - got [2, 2] but expected shape compatible with [2, 3]",
      );
    });
  });

  test("floor_divide has no derivative: its node raises PyTorch's error", () => {
    tg.tidy(() => {
      const a = tg.tensor([1.5, 2.5], { requiresGrad: true });
      const y = a.floorDivide(2);
      expect(y.gradFn?.name).toBe("NotImplemented");
      expect(() => y.sum().backward()).toThrow("derivative for aten::floor_divide is not implemented");
    });
  });

  test("the inputs keep their values, versions and gradients", () => {
    tg.tidy(() => {
      const a = x([3]);
      const before = a.tolist();
      gradcheck((t: Tensor) => t.sin(), [a]);
      expect(a.tolist()).toEqual(before);
      expect(a.version).toBe(0);
      expect(a.grad).toBe(null);
    });
  });
});
