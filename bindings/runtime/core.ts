// The only module that touches WebAssembly objects and `memory.buffer`. Everything above it
// calls kernels through `core()` and writes descriptors through the helpers here; no caller
// keeps a typed-array view across a call that may grow memory (growth detaches the buffer).
import { RuntimeError } from "../errors.js";

/** The exports of tapegrad.wasm (see assembly/index.ts). */
export interface Kernels {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number, size: number): void;
  emptyCache(): void;
  liveBytes(): number;
  liveBlocks(): number;
  cachedBytes(): number;
  rawAllocations(): number;
  scratch(): number;
  fill(dtype: number, ndim: number, desc: number, dst: number, value: number): void;
  copy(srcDtype: number, dstDtype: number, ndim: number, desc: number, dst: number, src: number): void;
  unary(op: number, dtype: number, ndim: number, desc: number, dst: number, src: number, p0: number, p1: number, p2: number): void;
  binary(op: number, dtype: number, ndim: number, desc: number, dst: number, a: number, b: number, alpha: number): number;
  compare(op: number, dtype: number, ndim: number, desc: number, dst: number, a: number, b: number): void;
  where(elementBytes: number, ndim: number, desc: number, dst: number, cond: number, a: number, b: number): void;
  reduce(op: number, dtype: number, k: number, r: number, desc: number, src: number, dst: number, indices: number, scale: number): void;
  matmul(dtype: number, bn: number, desc: number, M: number, N: number, K: number, c: number, a: number, b: number, accumulate: number): void;
  gather(elementBytes: number, ndim: number, desc: number, dst: number, src: number, index: number, size: number, stride: number): number;
  scatter(dtype: number, mode: number, ndim: number, desc: number, src: number, dst: number, index: number, size: number, stride: number): number;
  indexError(): number;
  checkIndices(ndim: number, desc: number, index: number, low: number, high: number): number;
  maskedSelect(elementBytes: number, ndim: number, desc: number, dst: number, src: number, mask: number): number;
  nonzero(ndim: number, desc: number, dst: number, mask: number): number;
  scan(multiply: number, dtype: number, ndim: number, desc: number, dst: number, src: number): void;
  sequence(dtype: number, dst: number, n: number, start: number, step: number, end: number, symmetric: number): void;
  classify(op: number, dtype: number, ndim: number, desc: number, dst: number, src: number): void;
  ternary(op: number, dtype: number, ndim: number, desc: number, dst: number, a: number, b: number, c: number, scale: number): void;
  index(elementBytes: number, ndim: number, desc: number, nIndices: number, out: number, data: number): void;
  indexPut(dtype: number, accumulate: number, ndim: number, desc: number, nIndices: number, data: number, values: number): void;
  generatorSeed(gen: number, seedLo: number, seedHi: number): void;
  generatorSetState(gen: number, src: number): number;
  sample(kind: number, dtype: number, ndim: number, desc: number, dst: number, gen: number, a: number, b: number, params: number): void;
  normalFill(dtype: number, dst: number, n: number, gen: number, mean: number, std: number): void;
  bernoulliTensor(dtype: number, pDtype: number, ndim: number, desc: number, dst: number, p: number, gen: number): number;
  randperm(dtype: number, dst: number, n: number, gen: number): void;
  multinomialCheck(dtype: number, p: number, rows: number, cats: number, rs: number, cs: number, replacement: number): number;
  multinomialWithReplacement(dtype: number, p: number, rows: number, cats: number, rs: number, cs: number, out: number, samples: number, gen: number): void;
  multinomialTopK(dtype: number, p: number, q: number, rows: number, cats: number, rs: number, cs: number, qrs: number, qcs: number, out: number, k: number): void;
  softmaxRows(op: number, rows: number, n: number, dst: number, src: number): void;
  softmaxBackwardRows(op: number, rows: number, n: number, dst: number, grad: number, out: number): void;
  adamStep(dtype: number, n: number, param: number, grad: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number,
    flags: number, decay: number, beta1: number, beta2: number, bc2Sqrt: number, eps: number, stepSize: number): void;
  sgdStep(dtype: number, n: number, param: number, grad: number, buf: number, flags: number, decay: number, momentum: number, dampening: number, lr: number): void;
  [name: string]: unknown;
}

let instance: Kernels | null = null;
let scratchPtr = 0;
let i32: Int32Array = new Int32Array(0);
let u8: Uint8Array = new Uint8Array(0);
let f32: Float32Array = new Float32Array(0);
let f64: Float64Array = new Float64Array(0);
let i64: BigInt64Array = new BigInt64Array(0);

/** Bytes of the descriptor scratch area (assembly/memory.ts SCRATCH_BYTES). */
export const SCRATCH_BYTES = 8192;
/** Scalars written by `writeScalar` live in the last 64 bytes of the scratch area. */
const SCALAR_OFFSET = SCRATCH_BYTES - 64;

/** Installs an instantiated module; called once by `init()`. */
export function install(exports: WebAssembly.Exports): void {
  instance = exports as unknown as Kernels;
  scratchPtr = instance.scratch();
  u8 = new Uint8Array(0);
}

export function isInstalled(): boolean {
  return instance !== null;
}

/** The kernels. Throws the "call init()" error before the module is ready. */
export function core(): Kernels {
  if (instance === null) throw new RuntimeError(
    "tapegrad is not initialized: await init() before using tensors (in browsers and workers the WebAssembly core loads asynchronously).",
  );
  return instance;
}

/** A numeric code exported by the module, e.g. `code("Unary.Exp")`. */
export function code(name: string): number {
  const g = core()[name] as WebAssembly.Global | undefined;
  if (g === undefined) throw new Error(`tapegrad.wasm exports no ${name}`);
  return g.value as number;
}

/**
 * Refreshes the typed-array views when memory has grown: growth detaches the old buffer, and
 * views over a detached buffer have length 0 (cheaper to test than reading `memory.buffer`).
 */
function views(): void {
  if (u8.length !== 0) return;
  const current = core().memory.buffer;
  i32 = new Int32Array(current);
  u8 = new Uint8Array(current);
  f32 = new Float32Array(current);
  f64 = new Float64Array(current);
  i64 = new BigInt64Array(current);
}

/** Address of the descriptor area; `descriptor(words)` fills it and returns it. */
export function descriptor(words: ArrayLike<number>, count = words.length): number {
  views();
  const base = scratchPtr >> 2;
  for (let i = 0; i < count; i++) i32[base + i] = words[i];
  return scratchPtr;
}

/** Address of a scratch slot holding `value` encoded as `dtype` (a scalar operand with 0 strides). */
export function scalarSlot(value: number, dtypeCode: number, slot = 0): number {
  views();
  const ptr = scratchPtr + SCALAR_OFFSET + slot * 16;
  // dtype codes of assembly/dtype.ts; the slot is 16-byte aligned, so every view indexes it
  switch (dtypeCode) {
    case 0: f32[ptr >> 2] = value; break;
    case 1: f64[ptr >> 3] = value; break;
    case 2: i32[ptr >> 2] = value; break;
    case 3: i64[ptr >> 3] = BigInt(Math.trunc(value)); break;
    default: u8[ptr] = value; break;
  }
  return ptr;
}

/** Copies bytes from JS into linear memory. */
export function writeBytes(ptr: number, bytes: Uint8Array): void {
  views();
  u8.set(bytes, ptr);
}

/** A copy (not a view) of `length` bytes of linear memory. */
export function readBytes(ptr: number, length: number): Uint8Array {
  views();
  return u8.slice(ptr, ptr + length);
}

/** A DataView over a byte range, valid only until the next kernel call. */
export function dataView(ptr: number, length: number): DataView {
  views();
  return new DataView(u8.buffer, ptr, length);
}

/** Reads one f64 written by a kernel at `ptr` (used for small results). */
export function readF64(ptr: number): number {
  views();
  return f64[ptr >> 3];
}

/**
 * torch.backends.cpu.get_cpu_capability() for the loaded core: "WASM_RELAXED_SIMD" when it is
 * tapegrad.relaxed.wasm (fused multiply-adds in matmul), "WASM_SIMD128" for tapegrad.wasm.
 */
export function cpuCapability(): "WASM_RELAXED_SIMD" | "WASM_SIMD128" {
  return code("RELAXED_SIMD") !== 0 ? "WASM_RELAXED_SIMD" : "WASM_SIMD128";
}
