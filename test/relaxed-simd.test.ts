// The two builds of the core: tapegrad.relaxed.wasm (f32x4.relaxed_madd in matmul) where the
// engine runs relaxed SIMD, tapegrad.wasm otherwise. Node 20 runs relaxed SIMD only with
// --experimental-wasm-relaxed-simd, so each build runs in a Node child process started with the
// flag on or off; both import the package by name, as a user would.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";

/** Products whose shapes cross the float32 kernel's paths: dot products, B in place, packed blocks (K > 256), batches. */
const CASES = [
  { a: [1, 300], b: [300, 40], ta: false, tb: true },
  { a: [7, 33], b: [33, 50], ta: false, tb: false },
  { a: [130, 260], b: [260, 70], ta: true, tb: false },
  { a: [64, 96], b: [96, 128], ta: true, tb: true },
  { a: [3, 40, 300], b: [300, 24], ta: false, tb: true },
];

/**
 * Run in the child: seeded normal inputs (transposed operands as views of a transposed draw),
 * each product's values, and the weight gradient of a small linear layer (backward's matmuls).
 */
const SCRIPT = `
import * as tg from "tapegrad";
const cases = ${JSON.stringify(CASES)};
tg.manualSeed(5);
const draw = (shape, t) => t ? tg.randn(...[...shape.slice(0, -2), shape.at(-1), shape.at(-2)]).mT : tg.randn(...shape);
const products = cases.map(({ a, b, ta, tb }) => draw(a, ta).matmul(draw(b, tb)).flatten().tolist());
const x = tg.randn(50, 70), w = tg.randn(30, 70, { requiresGrad: true });
x.matmul(w.t()).tanh().sum().backward();
console.log(JSON.stringify({ capability: tg.backends.cpu.getCpuCapability(), products, grad: w.grad.flatten().tolist() }));
`;

interface Run {
  capability: string;
  products: number[][];
  grad: number[];
}

async function runNode(flag: string): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, [flag, "--input-type=module", "-e", SCRIPT], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

let relaxed: Run;
let simd128: Run;
beforeAll(async () => {
  [relaxed, simd128] = await Promise.all([runNode("--experimental-wasm-relaxed-simd"), runNode("--no-experimental-wasm-relaxed-simd")]);
});

test("init() picks tapegrad.relaxed.wasm where the engine runs relaxed SIMD, tapegrad.wasm where it does not", () => {
  expect(relaxed.capability).toBe("WASM_RELAXED_SIMD");
  expect(simd128.capability).toBe("WASM_SIMD128");
});

/** Largest |x - y| over two equally long lists. */
function maxDifference(x: number[], y: number[]): number {
  expect(x.length).toBe(y.length);
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i])), 0);
}

/**
 * Each build rounds a K-term sum of N(0, 1) products K times, each time by at most 2⁻²⁴ of a
 * partial sum of size about √K: the two may differ by twice that.
 */
const tolerance = (K: number) => 2 * K * Math.sqrt(K) * 2 ** -24;

test("both builds' matmuls agree to float32 rounding (fused and unfused multiply-adds)", () => {
  CASES.forEach(({ a }, i) => {
    const K = a.at(-1) as number;
    expect(maxDifference(relaxed.products[i], simd128.products[i]), JSON.stringify(CASES[i])).toBeLessThan(tolerance(K));
  });
  // x·wᵀ has K = 70; the weight gradient gᵀ·x sums over the 50 rows
  expect(maxDifference(relaxed.grad, simd128.grad)).toBeLessThan(tolerance(50));
});
