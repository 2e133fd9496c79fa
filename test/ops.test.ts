// Replays test/fixtures/ops_reference.json: each case's JS expression against what PyTorch gave
// for the same call (values, dtype, shape, grad_fn, the inputs' gradients, or the exact error).
// Regenerate the fixture with `/usr/bin/python3 test/fixtures/make_ops_reference.py`.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { expectNoLeaks } from "./support.js";
import type { DType, Tensor } from "tapegrad";

type Value = number | boolean | string;

interface TensorRecord {
  dtype: DType;
  shape: number[];
  values: Value[];
  gradFn: string | null;
}

interface Case {
  id: string;
  inputs: Record<string, { data: unknown; dtype: DType; requires_grad?: boolean }>;
  js: string;
  expect: { error?: { type: string; message: string }; outputs?: TensorRecord[]; grads?: Record<string, TensorRecord | null> };
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/ops_reference.json", import.meta.url), "utf8")) as { cases: Case[] };

const decode = (v: Value): number | boolean => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number | boolean));

/** Float results may differ from PyTorch's in the last bits (tapegrad rounds from float64 once). */
function close(actual: number, expected: number, dtype: DType): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  const [rtol, atol] = dtype === "float32" ? [2e-6, 1e-6] : [1e-12, 1e-12];
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

function check(actual: Tensor, expected: TensorRecord, where: string): void {
  expect(actual.dtype, `${where} dtype`).toBe(expected.dtype);
  expect(actual.shape, `${where} shape`).toEqual(expected.shape);
  const values = (actual.reshape(-1).tolist() as (number | boolean)[]);
  const wanted = expected.values.map(decode);
  const ok = values.length === wanted.length && values.every((v, i) => (typeof v === "number" && actual.isFloatingPoint() ? close(v, wanted[i] as number, actual.dtype) : v === wanted[i]));
  expect(ok, `${where} values ${JSON.stringify(values)} vs ${JSON.stringify(wanted)}`).toBe(true);
  if (expected.gradFn !== "*") expect(actual.gradFn?.name ?? null, `${where} grad_fn`).toBe(expected.gradFn);
}

type Nested = Value | Nested[];
const decodeNested = (v: Nested): unknown => (Array.isArray(v) ? v.map(decodeNested) : decode(v));

function makeInputs(c: Case): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    out[name] = tg.tensor(decodeNested(spec.data as Nested) as number[], { dtype: spec.dtype, requiresGrad: spec.requires_grad ?? false });
  }
  return out;
}

function run(c: Case): void {
  const inputs = makeInputs(c);
  const names = Object.keys(inputs);
  const call = new Function("tg", ...names, `return ${c.js};`) as (...args: unknown[]) => unknown;
  if (c.expect.error !== undefined) {
    let error: Error | null = null;
    try {
      call(tg, ...names.map((n) => inputs[n]));
    } catch (e) {
      error = e as Error;
    }
    expect(error, "raises").not.toBe(null);
    expect(error?.name).toBe(c.expect.error.type);
    expect(error?.message.split("\n")[0]).toBe(c.expect.error.message);
    return;
  }
  const result = call(tg, ...names.map((n) => inputs[n]));
  const outputs = (Array.isArray(result) ? result : [result]) as Tensor[];
  const expected = c.expect.outputs as TensorRecord[];
  expect(outputs.length).toBe(expected.length);
  outputs.forEach((o, i) => check(o, expected[i], `output ${i}`));
  if (c.expect.grads === undefined) return;
  const first = outputs[0];
  first.backward(tg.arange(1, first.numel() + 1, { dtype: first.dtype }).reshape(first.shape));
  for (const [name, grad] of Object.entries(c.expect.grads)) {
    if (grad === null) expect(inputs[name].grad, `${name}.grad`).toBe(null);
    else check(inputs[name].grad as Tensor, { ...grad, gradFn: null }, `${name}.grad`);
  }
}

expectNoLeaks("all");

describe("ops against PyTorch", () => {
  test.each(fixture.cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    tg.tidy(() => run(c));
  });
});
