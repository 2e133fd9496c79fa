/**
 * tapegrad: PyTorch's tensors and autograd for JavaScript, on a WebAssembly core.
 * This module is the runtime-independent API; entries in bindings/entries/ load the core.
 * What a feed-forward training loop does not need is imported from subpaths named after the
 * Python modules (package.json `exports` lists them): tapegrad/io, tapegrad/autograd/gradcheck,
 * tapegrad/optim/lr_scheduler, tapegrad/nn/rnn, and the graph drawing tapegrad/viz (torchviz).
 *
 * @module tapegrad
 */
import { Tensor, isTensor } from "./tensor/tensor.js";
import { installMethods } from "./ops/methods.js";
import { functions } from "./ops/functions.js";
import { arange, empty, eye, full, linspace, ones, tensor, zeros } from "./ops/creation.js";
import { Ellipsis, Slice, slice } from "./ops/indexing.js";
import { enableGrad, inferenceMode, isGradEnabled, noGrad, setGradEnabled } from "./autograd/grad_mode.js";
import { backward, grad } from "./autograd/api.js";
import { Function, FunctionCtx } from "./autograd/function.js";
import { Node } from "./autograd/node.js";
import { liveTensorCount, tidyWith } from "./tensor/lifetime.js";
import { core, cpuCapability } from "./runtime/core.js";
import { returnParkedBlock } from "./storage.js";
import * as nn from "./nn/index.js";

installMethods();

export { RuntimeError, IndexError, ValueError } from "./errors.js";
export { Tensor, isTensor, Node, Slice, slice, Ellipsis };
export { Storage } from "./storage.js";
export type { DType } from "./tensor/dtype.js";
export { init, type InitOptions } from "./runtime/init.js";
export { tensor, zeros, ones, full, empty, arange, linspace, eye };
export { noGrad, enableGrad, inferenceMode, isGradEnabled, setGradEnabled };
export { nn };

/** torch.backends: `backends.cpu.getCpuCapability()` names the SIMD level of the loaded core. */
export const backends = { cpu: { getCpuCapability: cpuCapability } };

/** torch.autograd (gradcheck and gradgradcheck: `tapegrad/autograd/gradcheck`) */
export const autograd = { backward, grad, Function, FunctionCtx };

/** Runs `fn`, then disposes every tensor it created except those it returns (see lifetime.ts). */
export function tidy<T>(fn: () => T): T {
  return tidyWith(fn, isTensor);
}

/** Exempts a tensor from enclosing tidy() calls. */
export function keep<T extends Tensor>(t: T): T {
  return t.keep();
}

/** Disposes every tensor found in `value` (a tensor, array or object of tensors). */
export function dispose(value: unknown): void {
  if (value instanceof Tensor) value.dispose();
  else if (Array.isArray(value)) value.forEach(dispose);
  else if (value !== null && typeof value === "object") Object.values(value).forEach(dispose);
}

/**
 * What linear memory holds right now: live tensor storage (bytes, blocks, tensor handles), the
 * bytes of freed blocks the caching allocator keeps for reuse, how many blocks it has ever taken
 * from the heap (a steady training loop stops adding to this), and the size of linear memory.
 */
export function memory(): { liveBytes: number; liveBlocks: number; liveTensors: number; cachedBytes: number; rawAllocations: number; heapBytes: number } {
  returnParkedBlock();
  const k = core();
  return {
    liveBytes: k.liveBytes(), liveBlocks: k.liveBlocks(), liveTensors: liveTensorCount(),
    cachedBytes: k.cachedBytes(), rawAllocations: k.rawAllocations(), heapBytes: k.memory.buffer.byteLength,
  };
}

/** Returns the blocks the caching allocator keeps for reuse to the heap (torch.cuda.empty_cache). */
export function emptyCache(): void {
  returnParkedBlock();
  core().emptyCache();
}

// the torch.* function forms (ops/functions.ts), listed in the bundle's export order so the two lists compress together
export const {
  abs, acos, add, addcdiv, addcmul, addmm, all, amax, amin, any, argmax, argmin, asin, atan, atan2, baddbmm,
  bernoulli, bitwiseAnd, bitwiseNot, bitwiseOr, bitwiseXor, bmm, cat, ceil, chunk, clamp, clip, clone, concat,
  cos, cosh, countNonzero, cumprod, cumsum, detach, diag, diagEmbed, diagonal, div, dot, einsum, elu,
  emptyLike, eq, erf, exp, exp2, expm1, flatten, flip, floor, floorDivide, fmod, frac, fullLike, gather, ge,
  gelu, gt, hardtanh, hypot, indexAdd, indexFill, indexPut, indexSelect, isfinite, isinf, isnan, isneginf,
  isposinf, le, leakyRelu, lerp, log, log10, log1p, log2, logSoftmax, logicalAnd, logicalNot, logicalOr,
  logicalXor, logit, logsumexp, lt, maskedFill, maskedScatter, maskedSelect, matmul, max, maximum, mean, min,
  minimum, mish, mm, movedim, mul, multinomial, mv, nanToNum, narrow, ne, neg, nonzero, norm, oneHot, onesLike,
  outer, permute, pow, prod, reciprocal, relu, remainder, repeat, reshape, roll, round, rsqrt, rsub, scatter,
  scatterAdd, scatterReduce, select, sgn, sigmoid, sign, signbit, silu, sin, sinh, softmax, softplus, split,
  sqrt, square, squeeze, stack, std, sub, sum, tan, tanh, tile, transpose, tril, triu, trunc, unbind,
  unflatten, unsqueeze, var: variance_, where, zerosLike,
} = functions;
export { variance_ as var };

export { linalg } from "./ops/functions.js";
// random numbers: PyTorch's CPU generator (bindings/random)
export { Generator, defaultGenerator, manualSeed, seed, initialSeed, getRngState, setRngState } from "./random/generator.js";
export { rand, randn, randint, randperm, randLike, randnLike, randintLike, normal, type RandomFactoryOptions } from "./random/factories.js";

// Types that public signatures use, so that TypeScript users (and the API reference) can name them.
export type { Shape } from "./tensor/shape.js";
export type { Nested } from "./tensor/data.js";
export type { FactoryOptions, NestedData } from "./ops/creation.js";
export type { Scalar, TensorOrScalar, RoundingMode } from "./ops/pointwise.js";
export type { IndexItem } from "./ops/indexing.js";
export type { BackwardOptions, GradOptions } from "./autograd/api.js";
export type { GradHook } from "./autograd/node.js";
export type { GeneratorOptions } from "./random/generator.js";
export type { GeneratorOption, MultinomialOptions } from "./random/sampling.js";
export type { NanToNumOptions } from "./ops/pointwise.js";
export type { ClampBound } from "./ops/ternary.js";
// (also reachable as autograd.Function, autograd.FunctionCtx)
export { Function as AutogradFunction, FunctionCtx };

import * as optim from "./optim/index.js";
export { optim };
// fused optimizer steps (PyTorch's torch._fused_adam_ / _fused_sgd_ are ops too)
export { _fusedAdam_, _fusedSgd_ } from "./ops/fused.js";
