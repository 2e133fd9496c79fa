// The float32 kernels built on assembly/simd, called directly on a wasm instance of their own:
// the pointwise functions of the unary kernel against float64 references (the error in ulps
// over a sweep of the whole float32 range, every 4096th bit pattern of both signs with varied
// low bits, plus dense samples of each function's delicate regions, and exact special values),
// the float32 max/min/sum rows of the reduce kernel, and the fused softmax rows; then the ops
// that use them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, test } from "vitest";
import * as tg from "tapegrad";

interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number, size: number): void;
  scratch(): number;
  unary(op: number, dtype: number, ndim: number, desc: number, dst: number, src: number, p0: number, p1: number, p2: number): void;
  reduce(op: number, dtype: number, k: number, r: number, desc: number, src: number, dst: number, indices: number, scale: number): void;
  softmaxRows(op: number, rows: number, n: number, dst: number, src: number): void;
  [name: string]: unknown;
}
let k: CoreExports;
const F32 = 0; // assembly/dtype.ts

beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve("tapegrad/tapegrad.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm, { env: { abort: () => { throw new Error("abort"); } } });
  k = instance.exports as unknown as CoreExports;
});

const codeOf = (name: string): number => (k[name] as WebAssembly.Global).value as number;

/** Runs f(src, dst) with `data` copied into src and a dst of as many floats; frees both; returns dst's floats (`count` of them). */
function withBuffers(data: Float32Array, count: number, f: (src: number, dst: number) => void): Float32Array {
  const bytes = data.length * 4;
  const src = k.alloc(bytes), dst = k.alloc(bytes);
  try {
    new Float32Array(k.memory.buffer, src, data.length).set(data);
    f(src, dst);
    return new Float32Array(k.memory.buffer, dst, count).slice();
  } finally {
    k.free(src, bytes);
    k.free(dst, bytes);
  }
}

/** The unary kernel on one contiguous float32 row (the descriptor [n, 4, 4]: shape, dst and src strides in bytes). */
function unaryF32(op: string, xs: Float32Array, p0 = 0, p1 = 0): Float32Array {
  return withBuffers(xs, xs.length, (src, dst) => {
    new Int32Array(k.memory.buffer, k.scratch(), 3).set([xs.length, 4, 4]);
    k.unary(codeOf(`Unary.${op}`), F32, 1, k.scratch(), dst, src, p0, p1, 0);
  });
}

/** Max, Min or Sum of each contiguous row (the reduce kernel with one kept and one reduced dim), or RowSoftmax kernels. */
function rowsF32(op: string, data: Float32Array, rows: number, n: number): Float32Array {
  if (op === "Max" || op === "Min" || op === "Sum") {
    return withBuffers(data, rows, (src, dst) => {
      new Int32Array(k.memory.buffer, k.scratch(), 4).set([rows, n, 4 * n, 4]);
      k.reduce(codeOf(`Reduce.${op}`), F32, 1, 1, k.scratch(), src, dst, 0, 1);
    });
  }
  return withBuffers(data, op === "Logsumexp" ? rows : rows * n, (src, dst) => k.softmaxRows(codeOf(`RowSoftmax.${op}`), rows, n, dst, src));
}

// ---- float64 references ----------------------------------------------------------------------

const SQRT_PI = Math.sqrt(Math.PI);

/** erf(z), 0 <= z < 2, by the series of positive terms 2/sqrt(pi) e^(-z²) Σ (2z²)^n z / (2n+1)!!. */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z, sum = z;
  for (let n = 0; term > sum * 1e-18; n++) {
    term *= (2 * z2) / (2 * n + 3);
    sum += term;
  }
  return (2 / SQRT_PI) * Math.exp(-z2) * sum;
}

/** erfc(z), z >= 2, by Lentz's evaluation of 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))) · e^(-z²)/sqrt(pi). */
function erfcFraction(z: number): number {
  if (z > 27) return 0; // e^(-z²) underflows float64
  let f = z, c = z, d = 0;
  for (let n = 1; n < 1000; n++) {
    d = 1 / (z + (n / 2) * d);
    c = z + n / 2 / c;
    f *= c * d;
    if (Math.abs(c * d - 1) < 2e-16) break;
  }
  return Math.exp(-z * z) / SQRT_PI / f;
}

function erfc(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 2 - erfc(-z);
  return z < 2 ? 1 - erfSeries(z) : erfcFraction(z);
}

function erf(x: number): number {
  const a = Math.abs(x);
  const v = a < 2 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -v : v;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** PyTorch evaluates x · (something that is 0 at -inf): NaN there. */
const nanAtMinusInf = (f: (x: number) => number) => (x: number) => (x === -Infinity ? NaN : f(x));

// The unary kernel's parameters: PyTorch's defaults (softplus: beta, threshold; elu: alpha)
const PARAMS: Record<string, [number, number]> = { Softplus: [1, 20], Elu: [1, 0] };
const paramsOf = (op: string): [number, number] => PARAMS[op] ?? [0, 0];

const REFERENCES: Record<string, (x: number) => number> = {
  Exp: Math.exp,
  Expm1: Math.expm1,
  Log: Math.log,
  Log1p: Math.log1p,
  Tanh: Math.tanh,
  Sigmoid: sigmoid,
  Silu: nanAtMinusInf((x) => x * sigmoid(x)),
  Softplus: (x) => (x > 20 ? x : softplus(x)),
  Elu: (x) => (x > 0 ? x : Math.expm1(x)),
  Mish: nanAtMinusInf((x) => x * Math.tanh(softplus(x))),
  Erf: erf,
  Gelu: nanAtMinusInf((x) => (x < 0 ? 0.5 * x * erfc(-x / Math.SQRT2) : x * (1 - 0.5 * erfc(x / Math.SQRT2)))),
  GeluTanh: nanAtMinusInf((x) => x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
};

// ---- ulps -------------------------------------------------------------------------------------

const bits64 = new DataView(new ArrayBuffer(8));

/** The float32 ulp at |r|'s binade (2^-149 in the subnormal range). */
function ulpAt(r: number): number {
  const a = Math.abs(r);
  if (a < 2 ** -126) return 2 ** -149;
  bits64.setFloat64(0, a);
  const exponent = ((bits64.getUint16(0) >> 4) & 0x7ff) - 1023;
  return 2 ** (Math.min(exponent, 127) - 23);
}

/** |y - r| in float32 ulps of r; a NaN must meet a NaN, and an r beyond float32 must give its rounding (±inf). */
function ulpError(y: number, r: number): number {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Infinity;
  const rounded = Math.fround(r);
  if (!Number.isFinite(rounded) || !Number.isFinite(y)) return y === rounded ? 0 : Infinity;
  return Math.abs(y - r) / ulpAt(r);
}

// ---- inputs -----------------------------------------------------------------------------------

/** Every 4096th float32 bit pattern (all exponents, both signs, inf and NaNs), low bits varied by a hash. */
function bitSweep(): Float32Array {
  const words = new Uint32Array(1 << 20);
  for (let i = 0; i < words.length; i++) words[i] = ((i << 12) | (Math.imul(i, 2654435761) >>> 20)) >>> 0;
  return new Float32Array(words.buffer);
}

/** `count` floats spread over [a, b) (a golden-ratio sequence). */
function spread(a: number, b: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => a + (b - a) * ((i * 0.6180339887498949) % 1));
}

/** `count` consecutive float32 from x away from zero. */
function consecutive(x: number, count: number): Float32Array {
  const start = new Uint32Array(new Float32Array([x]).buffer)[0];
  return new Float32Array(Uint32Array.from({ length: count }, (_, i) => start + i).buffer);
}

// Per function: the delicate regions (thresholds of branches, overflow/underflow, the subnormal
// results) and the bound asserted; the maximum measured on these inputs is in the test name.
const CASES: { op: string; bound: number; measured: number; regions: Float32Array[] }[] = [
  { op: "Exp", bound: 1, measured: 0.889, regions: [spread(-104, -87, 1 << 18), spread(-1, 1, 1 << 18), consecutive(88.72, 1 << 14), consecutive(-103.9, 1 << 14)] },
  { op: "Expm1", bound: 1.5, measured: 1.45, regions: [spread(-1, 1, 1 << 18), spread(-30, -10, 1 << 16), spread(80, 89, 1 << 16), consecutive(0.3466, 1 << 16), consecutive(-0.3466, 1 << 16)] },
  { op: "Elu", bound: 1, measured: 0.833, regions: [spread(-20, 5, 1 << 18), spread(-1, 1, 1 << 18), consecutive(-0.3466, 1 << 16)] },
  { op: "Log", bound: 1, measured: 0.809, regions: [spread(0.5, 2, 1 << 18), consecutive(1, 1 << 16), consecutive(0.99999, 1 << 14), spread(1e-45, 1e-38, 1 << 16)] },
  { op: "Log1p", bound: 1, measured: 0.828, regions: [spread(-1, -0.2, 1 << 18), spread(-0.3, 0.5, 1 << 18), consecutive(-0.29289, 1 << 14), consecutive(0.41421, 1 << 14), spread(1e7, 1e9, 1 << 14)] },
  { op: "Tanh", bound: 1.5, measured: 1.212, regions: [spread(-10, 10, 1 << 18), consecutive(0.62, 1 << 16), consecutive(-0.62, 1 << 16), spread(8.5, 9.5, 1 << 16)] },
  { op: "Sigmoid", bound: 2.5, measured: 2.232, regions: [spread(-110, 30, 1 << 18), spread(-5, 5, 1 << 18)] },
  { op: "Silu", bound: 3, measured: 2.461, regions: [spread(-160, 30, 1 << 18), spread(-5, 5, 1 << 18)] },
  { op: "Softplus", bound: 2, measured: 1.544, regions: [spread(-110, 30, 1 << 18), spread(-5, 5, 1 << 18)] },
  { op: "Mish", bound: 2, measured: 1.577, regions: [spread(-160, 30, 1 << 18), spread(-5, 5, 1 << 18)] },
  { op: "Erf", bound: 1, measured: 0.764, regions: [spread(-5, 5, 1 << 18), consecutive(0.5, 1 << 14), consecutive(0.4999, 1 << 14), spread(3.5, 4.2, 1 << 16)] },
  { op: "Gelu", bound: 2, measured: 1.687, regions: [spread(-16, 6, 1 << 18), consecutive(0.7071, 1 << 14), consecutive(-0.7071, 1 << 14), spread(-1, 1, 1 << 18)] },
  { op: "GeluTanh", bound: 1, measured: 0.502, regions: [spread(-12, 6, 1 << 18), spread(-1, 1, 1 << 18)] },
];

describe("simd math: float32 functions against float64 references", () => {
  for (const { op, bound, measured, regions } of CASES) {
    test(`${op}: <= ${bound} ulp over the whole range (measured ${measured})`, () => {
      let worst = 0, at = NaN;
      for (const xs of [bitSweep(), ...regions]) {
        const ys = unaryF32(op, xs, ...paramsOf(op));
        for (let i = 0; i < xs.length; i++) {
          const e = ulpError(ys[i], REFERENCES[op](xs[i]));
          if (e > worst) { worst = e; at = xs[i]; }
        }
      }
      expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(bound);
    });
  }

  test("the float64 erf/erfc references agree with Python's math.erf/math.erfc", () => {
    // /usr/bin/python3 -c "import math; print([math.erfc(z) for z in (0.5, 1, 1.9999, 2, 3, 5, 10, 26)], [math.erf(x) for x in (0.1, 1.5, -2.5)])"
    const zs = [0.5, 1, 1.9999, 2, 3, 5, 10, 26];
    const erfcs = [0.4795001221869535, 0.15729920705028513, 0.004679802092970608, 0.004677734981047265,
      2.2090496998585438e-05, 1.5374597944280351e-12, 2.088487583762545e-45, 5.663192408856143e-296];
    zs.forEach((z, i) => expect(Math.abs(erfc(z) / erfcs[i] - 1)).toBeLessThan(1e-12));
    [[0.1, 0.1124629160182849], [1.5, 0.9661051464753108], [-2.5, -0.999593047982555]].forEach(([x, e]) =>
      expect(Math.abs(erf(x) / e - 1)).toBeLessThan(1e-14));
  });

  test("an element's result does not depend on its position (the tail runs as a padded vector)", () => {
    for (const { op } of CASES) {
      const ys = unaryF32(op, new Float32Array(7).fill(-0.8125), ...paramsOf(op));
      expect(new Set(ys).size, op).toBe(1);
    }
  });
});

// ---- special values ---------------------------------------------------------------------------

const inf = Infinity, tiny = 1.401298464324817e-45, big = 3.4028234663852886e38;
// [input, exact output]. Where PyTorch's float32 kernels flush or round differently the exact
// value is kept and the comment says what PyTorch 1.13 prints.
const SPECIALS: Record<string, [number, number][]> = {
  Exp: [[-inf, 0], [inf, inf], [-0, 1], [0, 1], [88.72283172607422, 3.402798519021476e38], [88.72283935546875, inf],
    [-103.97207641601562, tiny], [-103.97208404541016, 0], [-87.5, Math.fround(Math.exp(-87.5))], [big, inf], [-big, 0]],
  Expm1: [[-inf, -1], [inf, inf], [-0, -0], [0, 0], [tiny, tiny], [-tiny, -tiny], [-30, -1], [-200, -1], [88.72283172607422, 3.402798519021476e38], [88.72283935546875, inf]],
  Elu: [[-inf, -1], [inf, inf], [-0, -0], [0, 0], [tiny, tiny], [-tiny, -tiny], [-200, -1], [big, big]],
  Log: [[0, -inf], [-0, -inf], [-1, NaN], [-tiny, NaN], [-inf, NaN], [inf, inf], [1, 0], [tiny, Math.fround(-149 * Math.LN2)], [big, Math.fround(Math.log(big))]],
  // PyTorch: log1p(±1.4e-45) = 0
  Log1p: [[-1, -inf], [-2, NaN], [-inf, NaN], [inf, inf], [-0, -0], [0, 0], [tiny, tiny], [-tiny, -tiny], [big, Math.fround(Math.log(big))]],
  Tanh: [[-inf, -1], [inf, 1], [-0, -0], [0, 0], [tiny, tiny], [-tiny, -tiny], [9.1, 1], [-9.1, -1], [big, 1], [-big, -1]],
  // PyTorch: sigmoid(-100) = 0 (flushed); the subnormal e^-100 is kept here. sigmoid(17) is 1, as
  // in PyTorch 1.13 (1 + e^-17 rounds to 1), where the exact value rounds to 1 - 2^-24
  Sigmoid: [[-inf, 0], [inf, 1], [-0, 0.5], [0, 0.5], [17, 1], [17.4, 1], [-100, Math.fround(Math.exp(-100))], [-104, 0], [big, 1], [-big, 0]],
  Silu: [[-inf, NaN], [inf, inf], [-0, -0], [0, 0], [-200, -0], [200, 200], [-big, -0], [big, big], [-100, Math.fround(-100 * Math.exp(-100))]],
  Softplus: [[-inf, 0], [inf, inf], [-0, Math.fround(Math.LN2)], [0, Math.fround(Math.LN2)], [-200, 0], [200, 200], [big, big], [-100, Math.fround(Math.exp(-100))]],
  Mish: [[-inf, NaN], [inf, inf], [-0, -0], [0, 0], [-200, -0], [200, 200], [-big, -0], [big, big]],
  Erf: [[-inf, -1], [inf, 1], [-0, -0], [0, 0], [tiny, tiny], [-tiny, -tiny], [4, 1], [-4, -1], [big, 1], [-big, -1]],
  // PyTorch: gelu(-0) = 0 and gelu(-10) = 0 (1 + erf cancels); the exact values are -0 and -7.6e-23
  Gelu: [[-inf, NaN], [inf, inf], [-0, -0], [0, 0], [-200, -0], [200, 200], [-big, -0], [big, big],
    [-10, Math.fround(-5 * erfc(10 / Math.SQRT2))], [-14, Math.fround(-7 * erfc(14 / Math.SQRT2))]],
  GeluTanh: [[-inf, NaN], [inf, inf], [-0, -0], [0, 0], [-200, -0], [200, 200], [-big, -0], [big, big]],
};

describe("simd math: special values", () => {
  for (const [op, cases] of Object.entries(SPECIALS)) {
    test(`${op}: ±inf, NaN, ±0, saturation, overflow and underflow`, () => {
      const xs = Float32Array.from([...cases.map(([x]) => x), NaN, -NaN]);
      const ys = Array.from(unaryF32(op, xs, ...paramsOf(op)));
      expect(ys).toEqual([...cases.map(([, y]) => y), NaN, NaN]); // -0 and 0 differ here
    });
  }
});

// ---- rows: max, min, sum, softmax, log_softmax, logsumexp -------------------------------------

function referenceRow(op: string, row: number[]): number[] {
  const max = Math.max(...row);
  if (op === "Max") return [max];
  if (op === "Min") return [Math.min(...row)];
  if (op === "Sum") return [row.reduce((a, b) => a + b, 0)];
  const sum = row.reduce((a, x) => a + Math.exp(x - max), 0);
  if (op === "Logsumexp") return [max + Math.log(sum)];
  if (op === "Softmax") return row.map((x) => Math.exp(x - max) / sum);
  return row.map((x) => x - max - Math.log(sum));
}

describe("simd rows", () => {
  // lengths around the 4- and 16-element blocks, scales from O(1) logits to ones whose
  // differences need the exact x - max of expOfDifference
  const lengths = [1, 3, 4, 5, 15, 16, 17, 33, 1000, 4099];
  const scales = [1, 10, 40, 1000];
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const rowsOf = (n: number, scale: number) => Float32Array.from({ length: 5 * n }, () => (2 * random() - 1) * scale);

  test("max and min are exact", () => {
    for (const n of lengths) for (const scale of scales) {
      const data = rowsOf(n, scale);
      for (const op of ["Max", "Min"]) {
        const got = rowsF32(op, data, 5, n);
        for (let r = 0; r < 5; r++) expect(got[r]).toBe(referenceRow(op, Array.from(data.subarray(r * n, (r + 1) * n)))[0]);
      }
    }
  });

  test("sum is within 1 ulp of Σ|x| of the exact sum (measured 0.652)", () => {
    for (const n of lengths) for (const scale of scales) {
      const data = rowsOf(n, scale);
      const got = rowsF32("Sum", data, 5, n);
      for (let r = 0; r < 5; r++) {
        const row = Array.from(data.subarray(r * n, (r + 1) * n));
        const magnitude = row.reduce((a, x) => a + Math.abs(x), 0);
        expect(Math.abs(got[r] - referenceRow("Sum", row)[0])).toBeLessThanOrEqual(2 ** -24 * magnitude);
      }
    }
  });

  for (const [op, bound, measured] of [["Softmax", 2, 1.637], ["LogSoftmax", 1, 0.784], ["Logsumexp", 1, 0.749]] as const) {
    test(`${op} is within ${bound} ulp (measured ${measured})`, () => {
      let worst = 0;
      for (const n of lengths) for (const scale of scales) {
        const data = rowsOf(n, scale);
        const got = rowsF32(op, data, 5, n);
        const width = op === "Logsumexp" ? 1 : n;
        for (let r = 0; r < 5; r++) {
          referenceRow(op, Array.from(data.subarray(r * n, (r + 1) * n))).forEach((want, i) => {
            worst = Math.max(worst, ulpError(got[r * width + i], want));
          });
        }
      }
      expect(worst).toBeLessThanOrEqual(bound);
    });
  }

  test("special rows give PyTorch's values", () => {
    // /usr/bin/python3: torch.softmax / log_softmax / logsumexp of each row (PyTorch 1.13)
    const rows: [number[], number[], number[], number][] = [
      [[-inf, -inf], [NaN, NaN], [NaN, NaN], -inf],
      [[inf, 1], [NaN, NaN], [NaN, NaN], inf],
      [[inf, -inf], [NaN, NaN], [NaN, NaN], inf],
      [[1, NaN], [NaN, NaN], [NaN, NaN], NaN],
      [[-inf, 1], [0, 1], [-inf, 0], 1],
      [[1e30, -1e30], [1, 0], [0, -2.0000000300949324e30], 1.0000000150474662e30],
      [[88, 88, 88], [0.3333333432674408, 0.3333333432674408, 0.3333333432674408], [-1.0986123085021973, -1.0986123085021973, -1.0986123085021973], 89.0986099243164],
    ];
    for (const [row, softmax, logSoftmax, logsumexp] of rows) {
      const data = Float32Array.from(row);
      expect(Array.from(rowsF32("Softmax", data, 1, row.length))).toEqual(softmax);
      expect(Array.from(rowsF32("LogSoftmax", data, 1, row.length))).toEqual(logSoftmax);
      expect(rowsF32("Logsumexp", data, 1, row.length)[0]).toBe(logsumexp);
    }
    expect(rowsF32("Max", Float32Array.from([1, NaN, 3]), 1, 3)[0]).toBeNaN();
    expect(rowsF32("Min", Float32Array.from([1, 2, 3, 4, NaN]), 1, 5)[0]).toBeNaN();
  });
});

// ---- the ops: softmax, log_softmax and logsumexp on fused rows and composed kernels ------------

/** Values within `atol + rtol·|e|` of PyTorch's (NaN and ±inf exactly). */
function expectClose(actual: unknown, expected: number[] | number[][], atol = 1e-6, rtol = 1e-5): void {
  const a = (actual as number[] | number[][]).flat(), e = expected.flat();
  expect(a).toHaveLength(e.length);
  a.forEach((v, i) => {
    if (!Number.isFinite(e[i])) expect(v).toBe(e[i]);
    else expect(Math.abs(v - e[i]), `element ${i}: ${v} vs ${e[i]}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e[i]));
  });
}

/** The largest ulp error of rows of `values` (rows along the last dim) against referenceRow(op). */
function worstUlps(op: string, values: number[][], rows: number[][]): number {
  let worst = 0;
  rows.forEach((row, r) => referenceRow(op, row).forEach((want, i) => { worst = Math.max(worst, ulpError(values[r][i], want)); }));
  return worst;
}

describe("softmax, log_softmax and logsumexp ops", () => {
  // /usr/bin/python3 (PyTorch 1.13): x = torch.tensor(X); torch.softmax(x, 1), torch.log_softmax(x, 1),
  // torch.logsumexp(x, 1), torch.logsumexp(x, (0, 1)), torch.softmax(x, 0)
  const X = [[0.5, -1.25, 3.0, 88.0], [-100.0, 2.0, 2.0, -3.5], [1e-3, 7.0, -7.0, 0.0]];
  const SOFTMAX_1 = [[9.982351397596697e-39, 1.7346729741815484e-39, 1.2160992719555806e-37, 1.0],
    [2.802596928649634e-45, 0.49898040294647217, 0.49898040294647217, 0.0020392187871038914],
    [0.0009111310355365276, 0.9981778860092163, 8.3001356188106e-07, 0.0009102204348891973]];
  const LOG_SOFTMAX_1 = [[-87.5, -89.25, -85.0, 0.0],
    [-102.6951904296875, -0.6951884627342224, -0.6951884627342224, -6.195188522338867],
    [-7.000823974609375, -0.0018237876938655972, -14.001823425292969, -7.001823902130127]];
  const LOGSUMEXP_1 = [88.0, 2.695188522338867, 7.001823902130127];
  const SOFTMAX_0 = [[0.6222243309020996, 0.0002594426623545587, 0.7310343384742737, 1.0],
    [1.401298464324817e-44, 0.006691114045679569, 0.2689325213432312, 1.8283301583431618e-40],
    [0.37777572870254517, 0.9930493831634521, 3.3188909583259374e-05, 6.054601485195952e-39]];

  test("fused float32 rows (contiguous last dim) and the composed kernels (other layouts) agree with PyTorch; the fused ones are within 4 ulp", () => {
    const start = tg.memory();
    tg.tidy(() => {
      const x = tg.tensor(X);
      const strided = x.t().contiguous().t(); // the same values with dim 1 no longer contiguous
      const rows = x.tolist() as number[][]; // X rounded to float32
      for (const input of [x, strided]) {
        const softmax = input.softmax(1).tolist() as number[][], logSoftmax = input.logSoftmax(1).tolist() as number[][];
        const logsumexp = input.logsumexp(1).tolist() as number[];
        expectClose(softmax, SOFTMAX_1);
        expectClose(logSoftmax, LOG_SOFTMAX_1);
        expectClose(logsumexp, LOGSUMEXP_1);
        if (input === x) {
          // float32 sums and logs near 1 cost the composed path (and PyTorch) up to hundreds of ulps here
          expect(worstUlps("Softmax", softmax, rows)).toBeLessThanOrEqual(4);
          expect(worstUlps("LogSoftmax", logSoftmax, rows)).toBeLessThanOrEqual(4);
          expect(worstUlps("Logsumexp", logsumexp.map((v) => [v]), rows)).toBeLessThanOrEqual(4);
        }
        expectClose(input.logsumexp(1, { keepdim: true }).tolist(), LOGSUMEXP_1.map((v) => [v]));
        expectClose([input.logsumexp([0, 1]).item()], [88.0]);
        expectClose(input.softmax(0).tolist(), SOFTMAX_0);
      }
    });
    expect(tg.memory().liveBytes).toBe(start.liveBytes);
  });

  test("rows holding +inf or only -inf are NaN for softmax on both paths; logsumexp shifts infinite maxes by 0", () => {
    // /usr/bin/python3 (PyTorch 1.13), a = [[inf, 1], [1, -inf], [-inf, -inf]]: softmax(a, 1),
    // log_softmax(a, 1), logsumexp(a, 1); the same along dim 0 of a.t().contiguous()
    const start = tg.memory();
    tg.tidy(() => {
      const a = tg.tensor([[Infinity, 1], [1, -Infinity], [-Infinity, -Infinity]]);
      const b = a.t().contiguous();
      expect(a.softmax(1).tolist()).toEqual([[NaN, NaN], [1, 0], [NaN, NaN]]);
      expect(a.logSoftmax(1).tolist()).toEqual([[NaN, NaN], [0, -Infinity], [NaN, NaN]]);
      expect(a.logsumexp(1).tolist()).toEqual([Infinity, 1, -Infinity]);
      expect(b.softmax(0).tolist()).toEqual([[NaN, 1, NaN], [NaN, 0, NaN]]);
      expect(b.logSoftmax(0).tolist()).toEqual([[NaN, 0, NaN], [NaN, -Infinity, NaN]]);
      expect(b.logsumexp(0).tolist()).toEqual([Infinity, 1, -Infinity]);
    });
    expect(tg.memory().liveBytes).toBe(start.liveBytes);
  });

  test("a NaN anywhere in a row makes the softmax rows NaN, and an infinity there leaves logsumexp NaN", () => {
    // /usr/bin/python3 (PyTorch 1.13): softmax, log_softmax and logsumexp of [1, nan, 2, 3, 4, 5]
    // and [3, 2, 1, 0, nan] are all NaN, also with an inf elsewhere in the row; the row max (the
    // softmax shift) may skip a NaN, which the sum of e^(x - max) must still carry to every output
    for (const n of [2, 5, 16, 17, 40]) for (const at of [1, n - 1, Math.floor(n / 2)]) for (const inf of [false, true]) {
      const row = Float32Array.from({ length: n }, (_, i) => i % 7);
      row[at] = NaN;
      if (inf && n > 2) row[at === 0 ? 1 : 0] = Infinity;
      for (const op of ["Softmax", "LogSoftmax", "Logsumexp"]) {
        expect(Array.from(rowsF32(op, row, 1, n)).every(Number.isNaN), `${op} n=${n} NaN at ${at}`).toBe(true);
      }
    }
  });
});
