// The only module that touches WebAssembly objects and `memory.buffer`. Everything above it
// calls kernels through `core()` and writes descriptors through the helpers here; no caller
// keeps a typed-array view across a call that may grow memory (growth detaches the buffer).
import { RuntimeError } from "../errors.js";

/** The exports of tapegrad.wasm (see assembly/index.ts). */
export interface Kernels {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number, size: number): void;
  liveBytes(): number;
  liveBlocks(): number;
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
let buffer: ArrayBuffer | null = null;
let i32: Int32Array = new Int32Array(0);
let u8: Uint8Array = new Uint8Array(0);
let f64: Float64Array = new Float64Array(0);

/** Bytes of the descriptor scratch area (assembly/memory.ts SCRATCH_BYTES). */
export const SCRATCH_BYTES = 8192;
/** Scalars written by `writeScalar` live in the last 64 bytes of the scratch area. */
const SCALAR_OFFSET = SCRATCH_BYTES - 64;

/** Installs an instantiated module; called once by `init()`. */
export function install(exports: WebAssembly.Exports): void {
  instance = exports as unknown as Kernels;
  scratchPtr = instance.scratch();
  buffer = null;
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

function views(): void {
  const current = core().memory.buffer;
  if (current !== buffer) {
    buffer = current;
    i32 = new Int32Array(current);
    u8 = new Uint8Array(current);
    f64 = new Float64Array(current);
  }
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
  const view = new DataView(buffer as ArrayBuffer, ptr, 8);
  writeValue(view, 0, value, dtypeCode);
  return ptr;
}

/** Encodes one element (little-endian) for the dtype codes of assembly/dtype.ts. */
export function writeValue(view: DataView, offset: number, value: number, dtypeCode: number): void {
  switch (dtypeCode) {
    case 0: view.setFloat32(offset, value, true); break;
    case 1: view.setFloat64(offset, value, true); break;
    case 2: view.setInt32(offset, value, true); break;
    case 3: view.setBigInt64(offset, BigInt(Math.trunc(value)), true); break;
    default: view.setUint8(offset, value); break;
  }
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
  return new DataView(buffer as ArrayBuffer, ptr, length);
}

/** Reads one f64 written by a kernel at `ptr` (used for small results). */
export function readF64(ptr: number): number {
  views();
  return f64[ptr >> 3];
}
