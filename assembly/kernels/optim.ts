// Optimizer updates of contiguous tensors, one pass over each parameter: Adam/AdamW and SGD
// (momentum, dampening, nesterov, weight decay, maximize), as PyTorch's single-tensor
// implementations. Every element goes through the same roundings as the composed ops of
// bindings/optim would give it: a step done in the dtype by its kernel (mul, div, add, sqrt,
// maximum) is done in the dtype here; a step its kernel computes in f64 and rounds once (lerp,
// addcmul, addcdiv, add with alpha) is computed in f64 here. So the fused and the composed
// step give the same bits. float32 runs four lanes at a time, float64 two; the last partial
// vector runs through the same code on a zero-padded copy, so no element depends on its position.
import { F32 } from "../dtype";
import { highHalf, joinHalves, lowHalf, splat64 } from "../simd/lanes";

/** Bits of the `flags` argument (exported as globals `OptimFlag.Maximize`, ...). */
export enum OptimFlag {
  Maximize = 1,
  /** Adam: weight decay added to the gradient (`decay` is the weight decay) */
  CoupledDecay = 2,
  /** AdamW: the parameter scaled by `decay` (1 - lr·weight_decay) first */
  DecoupledDecay = 4,
  Amsgrad = 8,
  Nesterov = 16,
  /** SGD: the momentum buffer is new and takes the update as it is */
  FirstStep = 32,
}

// An f64 step of two f64x2 lanes (scalars splatted): what a kernel computing in f64 does.
@inline function addScaled2(a: v128, b: v128, alpha: v128): v128 { return f64x2.add(a, f64x2.mul(alpha, b)); }
@inline function addcmul2(a: v128, b: v128, c: v128, s: v128): v128 { return f64x2.add(a, f64x2.mul(f64x2.mul(s, b), c)); }
@inline function addcdiv2(a: v128, b: v128, c: v128, s: v128): v128 { return f64x2.add(a, f64x2.div(f64x2.mul(s, b), c)); }
/** PyTorch's lerp, from the nearer end (bindings' Lerp kernel): `nearStart` is |w| < 0.5, `rest` is 1 - w. */
@inline function lerp2(a: v128, b: v128, w: v128, rest: v128, nearStart: bool): v128 {
  const d = f64x2.sub(b, a);
  return nearStart ? f64x2.add(a, f64x2.mul(w, d)) : f64x2.sub(b, f64x2.mul(d, rest));
}

/**
 * A vector of T's lanes (f32: four, f64: two), which the rules are generic over: T's arithmetic
 * (a scalar splat rounded to T; the NaN-propagating maximum of the Maximum kernel, a's NaN
 * first), and each f64 step on every lane (f32: as two f64x2 halves; scalars come as f64x2 splats).
 */
@final @unmanaged class Lanes<T> {
  @inline splat(x: f64): v128 { return isF32<T>() ? f32x4.splat(<f32>x) : f64x2.splat(x); }
  @inline add(a: v128, b: v128): v128 { return isF32<T>() ? f32x4.add(a, b) : f64x2.add(a, b); }
  @inline mul(a: v128, b: v128): v128 { return isF32<T>() ? f32x4.mul(a, b) : f64x2.mul(a, b); }
  @inline div(a: v128, b: v128): v128 { return isF32<T>() ? f32x4.div(a, b) : f64x2.div(a, b); }
  @inline sqrt(a: v128): v128 { return isF32<T>() ? f32x4.sqrt(a) : f64x2.sqrt(a); }
  @inline neg(a: v128): v128 { return isF32<T>() ? f32x4.neg(a) : f64x2.neg(a); }
  @inline maximum(a: v128, b: v128): v128 {
    const larger = v128.bitselect(a, b, isF32<T>() ? f32x4.gt(a, b) : f64x2.gt(a, b));
    const bIsNaN = isF32<T>() ? f32x4.ne(b, b) : f64x2.ne(b, b);
    return v128.bitselect(a, v128.bitselect(b, larger, bIsNaN), isF32<T>() ? f32x4.ne(a, a) : f64x2.ne(a, a));
  }
  @inline addScaled(a: v128, b: v128, alpha: v128): v128 {
    if (!isF32<T>()) return addScaled2(a, b, alpha);
    return joinHalves(addScaled2(lowHalf(a), lowHalf(b), alpha), addScaled2(highHalf(a), highHalf(b), alpha));
  }
  @inline addcmul(a: v128, b: v128, c: v128, s: v128): v128 {
    if (!isF32<T>()) return addcmul2(a, b, c, s);
    return joinHalves(addcmul2(lowHalf(a), lowHalf(b), lowHalf(c), s), addcmul2(highHalf(a), highHalf(b), highHalf(c), s));
  }
  @inline addcdiv(a: v128, b: v128, c: v128, s: v128): v128 {
    if (!isF32<T>()) return addcdiv2(a, b, c, s);
    return joinHalves(addcdiv2(lowHalf(a), lowHalf(b), lowHalf(c), s), addcdiv2(highHalf(a), highHalf(b), highHalf(c), s));
  }
  @inline lerp(a: v128, b: v128, w: v128, rest: v128, nearStart: bool): v128 {
    if (!isF32<T>()) return lerp2(a, b, w, rest, nearStart);
    return joinHalves(lerp2(lowHalf(a), lowHalf(b), w, rest, nearStart), lerp2(highHalf(a), highHalf(b), w, rest, nearStart));
  }
}

@inline function isF32<T>(): bool { return sizeof<T>() == 4; }

// ---- the update rules, one vector of elements at byte offset o of each stream ----

/** The scalars of a step, set by the exported kernels before their loop. */
let flags: i32 = 0;
let decay: f64 = 0;
let lr: f64 = 0;
let beta1Weight: f64 = 0; // Adam: 1 - β1, lerp's weight; SGD: the momentum
let beta2: f64 = 0; // Adam: β2; SGD: 1 - dampening
let squareScale: f64 = 0; // 1 - β2
let biasCorrection2Sqrt: f64 = 1;
let eps: f64 = 0;

@inline function has(flag: OptimFlag): bool { return (flags & flag) != 0; }

/**
 * _single_tensor_adam: [decay,] exp_avg.lerp_(grad, 1 - β1), exp_avg_sq.mul_(β2).addcmul_(grad,
 * grad, 1 - β2), [max_exp_avg_sq = maximum], denom = sqrt(v) / √bc2 + eps, param.addcdiv_(exp_avg,
 * denom, -step_size) (`lr` holds -step_size).
 */
@inline function adamVector<L>(o: usize, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize): void {
  const lanes = changetype<L>(0);
  let g = v128.load(grad + o);
  if (has(OptimFlag.Maximize)) g = lanes.neg(g);
  let p = v128.load(param + o);
  if (has(OptimFlag.DecoupledDecay)) p = lanes.mul(p, lanes.splat(decay));
  else if (has(OptimFlag.CoupledDecay)) g = lanes.addScaled(g, p, splat64(decay));
  const m = lanes.lerp(v128.load(expAvg + o), g, splat64(beta1Weight), splat64(1.0 - beta1Weight), Math.abs(beta1Weight) < 0.5);
  v128.store(expAvg + o, m);
  const v = lanes.addcmul(lanes.mul(v128.load(expAvgSq + o), lanes.splat(beta2)), g, g, splat64(squareScale));
  v128.store(expAvgSq + o, v);
  let second = v;
  if (has(OptimFlag.Amsgrad)) {
    second = lanes.maximum(v128.load(maxExpAvgSq + o), v);
    v128.store(maxExpAvgSq + o, second);
  }
  const denom = lanes.add(lanes.div(lanes.sqrt(second), lanes.splat(biasCorrection2Sqrt)), lanes.splat(eps));
  v128.store(param + o, lanes.addcdiv(p, m, denom, splat64(lr)));
}

/**
 * _single_tensor_sgd: d = grad [+ wd·param]; with momentum, buf = d (first step) or
 * buf·momentum + (1 - dampening)·d, and d = d + momentum·buf (nesterov) or buf; param += -lr·d.
 */
@inline function sgdVector<L>(o: usize, param: usize, grad: usize, buf: usize): void {
  const lanes = changetype<L>(0);
  let d = v128.load(grad + o);
  if (has(OptimFlag.Maximize)) d = lanes.neg(d);
  const p = v128.load(param + o);
  if (has(OptimFlag.CoupledDecay)) d = lanes.addScaled(d, p, splat64(decay));
  if (buf != 0) {
    let b = d;
    if (!has(OptimFlag.FirstStep)) b = lanes.addScaled(lanes.mul(v128.load(buf + o), lanes.splat(beta1Weight)), d, splat64(beta2));
    v128.store(buf + o, b);
    d = has(OptimFlag.Nesterov) ? lanes.addScaled(d, b, splat64(beta1Weight)) : b;
  }
  v128.store(param + o, lanes.addScaled(p, d, splat64(-lr)));
}

// ---- the loop: whole vectors in place, the last partial one on zero-padded copies ----

/** The rules, by the exported kernel that runs them. */
const enum Rule { Adam, Sgd }

@inline function applyRule<L>(rule: Rule, o: usize, s0: usize, s1: usize, s2: usize, s3: usize, s4: usize): void {
  if (rule == Rule.Adam) adamVector<L>(o, s0, s1, s2, s3, s4);
  else sgdVector<L>(o, s0, s1, s2);
}

/** One vector per stream (param, grad, then the states) for the last partial vector. */
const tail = memory.data(16 * 5, 16);

/** tail slot k holding the `rest` bytes at p (zeros after them), or 0 for an absent stream. */
function padded(k: i32, p: usize, rest: usize): usize {
  if (p == 0) return 0;
  const slot = tail + (<usize>k << 4);
  v128.store(slot, i32x4.splat(0));
  memory.copy(slot, p, rest);
  return slot;
}

/** Writes back what the rule stored in tail slot k (streams other than the gradient). */
@inline function unpad(k: i32, p: usize, rest: usize): void {
  if (p != 0) memory.copy(p, tail + (<usize>k << 4), rest);
}

/**
 * Runs `rule` over `total` bytes of each stream: param, grad (read only) and the state
 * tensors s2..s4 (0 when absent).
 */
function update<L>(rule: Rule, total: usize, s0: usize, s1: usize, s2: usize, s3: usize, s4: usize): void {
  const whole = total & ~15;
  for (let o: usize = 0; o < whole; o += 16) applyRule<L>(rule, o, s0, s1, s2, s3, s4);
  const rest = total - whole;
  if (rest == 0) return;
  applyRule<L>(rule, 0, padded(0, s0 + whole, rest), padded(1, s1 + whole, rest),
    padded(2, s2 != 0 ? s2 + whole : 0, rest), padded(3, s3 != 0 ? s3 + whole : 0, rest), padded(4, s4 != 0 ? s4 + whole : 0, rest));
  unpad(0, s0 + whole, rest);
  unpad(2, s2 != 0 ? s2 + whole : 0, rest);
  unpad(3, s3 != 0 ? s3 + whole : 0, rest);
  unpad(4, s4 != 0 ? s4 + whole : 0, rest);
}

function run(rule: Rule, dtype: i32, n: i32, s0: usize, s1: usize, s2: usize, s3: usize, s4: usize): void {
  if (dtype == F32) update<Lanes<f32>>(rule, <usize>n << 2, s0, s1, s2, s3, s4);
  else update<Lanes<f64>>(rule, <usize>n << 3, s0, s1, s2, s3, s4);
}

/**
 * One Adam/AdamW step of n contiguous elements (float32 or float64, all tensors of one dtype):
 * param, grad, exp_avg, exp_avg_sq and max_exp_avg_sq (0 without amsgrad) updated in place.
 * `decay` is the weight decay (CoupledDecay) or 1 - lr·weight_decay (DecoupledDecay);
 * `stepSize` is lr / (1 - β1^step), `bc2Sqrt` is √(1 - β2^step).
 */
export function adamStep(
  dtype: i32, n: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  flagBits: i32, decayValue: f64, beta1: f64, beta2Value: f64, bc2Sqrt: f64, epsValue: f64, stepSize: f64,
): void {
  flags = flagBits; decay = decayValue; beta1Weight = 1.0 - beta1; beta2 = beta2Value; squareScale = 1.0 - beta2Value;
  biasCorrection2Sqrt = bc2Sqrt; eps = epsValue; lr = -stepSize;
  run(Rule.Adam, dtype, n, param, grad, expAvg, expAvgSq, maxExpAvgSq);
}

/**
 * One SGD step of n contiguous elements: param updated in place from grad, with the momentum
 * buffer `buf` (0 without momentum) written in place too. `decay` is the weight decay.
 */
export function sgdStep(
  dtype: i32, n: i32, param: usize, grad: usize, buf: usize,
  flagBits: i32, decayValue: f64, momentum: f64, dampening: f64, lrValue: f64,
): void {
  flags = flagBits; decay = decayValue; beta1Weight = momentum; beta2 = 1.0 - dampening; lr = lrValue;
  run(Rule.Sgd, dtype, n, param, grad, buf, 0, 0);
}
