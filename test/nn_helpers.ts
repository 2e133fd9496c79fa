// Shared by the nn and optim tests: fixtures and PyTorch-style closeness checks.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import * as tg from "tapegrad";

/** A fixture of test/fixtures, parsed. */
export function fixture<T = any>(name: string): T { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** The bytes of a fixture file. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

export interface Snap {
  shape: number[];
  dtype: string;
  values: number[];
}

/** A tensor from a fixture snapshot `{ shape, dtype, values }`. */
export function fromSnap(snap: Snap): tg.Tensor {
  const flat = tg.tensor(snap.values, { dtype: snap.dtype as tg.DType });
  const out = flat.reshape(snap.shape);
  flat.dispose();
  return out;
}

const flatten = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [Number(v)]);

/** torch.allclose(actual, expected, rtol, atol) elementwise, reporting the first mismatch. */
export function expectClose(actual: tg.Tensor | number | number[], expected: tg.Tensor | number | number[] | Snap, options: { rtol?: number; atol?: number } = {}): void {
  const rtol = options.rtol ?? 1e-4;
  const atol = options.atol ?? 1e-5;
  const values = (v: tg.Tensor | number | number[] | Snap) =>
    v instanceof tg.Tensor ? flatten(v.tolist()) : typeof v === "object" && !Array.isArray(v) ? v.values : flatten(v);
  const got = values(actual);
  const want = values(expected);
  expect(got.length).toBe(want.length);
  const bad = got.findIndex((g, i) => !(Math.abs(g - want[i]) <= atol + rtol * Math.abs(want[i])) && !(Number.isNaN(g) && Number.isNaN(want[i])));
  if (bad >= 0) expect.fail(`element ${bad}: got ${got[bad]}, expected ${want[bad]} (of ${got.length})`);
}

/** Runs `fn` and checks it throws `cls` with exactly `message`. */
export function expectError(fn: () => unknown, cls: string, message: string): void {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${cls}: ${message}`).toBeInstanceOf(Error);
  expect((error as Error).name).toBe(cls);
  expect((error as Error).message).toBe(message);
}
