// The tutorial the project grew from (PyTorch's detach() / detach_()), step by step.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { RuntimeError, slice, tensor } from "tapegrad";

const close = (actual: unknown, expected: number[]) => {
  const values = actual as number[];
  expect(values).toHaveLength(expected.length);
  values.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
};

describe("detach tutorial", () => {
  test("1: backward through sigmoid gives sigmoid'(a)", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const out = a.sigmoid();
    expect(String(out)).toBe("tensor([0.7311, 0.8808, 0.9526], grad_fn=<SigmoidBackward0>)");
    out.sum().backward();
    close(a.grad!.tolist(), [0.1966, 0.105, 0.0452]);
  });

  test("1.1: detach() aliases the same bytes, without history", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const out = a.sigmoid();
    const c = out.detach();
    expect(c.dataPtr()).toBe(out.dataPtr());
    expect(c.untypedStorage()).toBe(out.untypedStorage());
    expect(c.requiresGrad).toBe(false);
    expect(c.gradFn).toBeNull();
    expect(c.isLeaf).toBe(true);
    out.sum().backward();
    close(a.grad!.tolist(), [0.1966, 0.105, 0.0452]);
  });

  test("1.2: backward from the detached tensor raises", () => {
    const out = tensor([1, 2, 3], { requiresGrad: true }).sigmoid();
    const c = out.detach();
    expect(() => c.sum().backward()).toThrow(RuntimeError);
    expect(() => c.sum().backward()).toThrow("element 0 of tensors does not require grad and does not have a grad_fn");
  });

  test("1.3: zeroing the detached tensor zeroes out and breaks its backward", () => {
    const out = tensor([1, 2, 3], { requiresGrad: true }).sigmoid();
    const c = out.detach();
    c.zero_();
    expect(out.tolist()).toEqual([0, 0, 0]);
    expect(out.version).toBe(1);
    expect(c.version).toBe(1);
    expect(() => out.sum().backward()).toThrow(
      "one of the variables needed for gradient computation has been modified by an inplace operation: " +
        "[torch.FloatTensor [3]], which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead.",
    );
  });

  test("2: detach_() cuts m's history; a graph built before still reaches x", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const m = x.mul(2);
    const y = m.mul(3);
    m.detach_();
    expect(m.isLeaf).toBe(true);
    expect(m.requiresGrad).toBe(false);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([6, 6, 6]);
    expect(() => m.mul(3).sum().backward()).toThrow("element 0 of tensors does not require grad");
  });

  test("2.1: detach_() on a view raises and leaves the view unchanged", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const m = x.mul(2);
    const v = m.index(slice(0, 2));
    expect(() => v.detach_()).toThrow("Can't detach views in-place. Use detach() instead.");
    expect(v.gradFn?.name).toBe("SliceBackward0");
    m.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
  });
});

test("examples/detach.mjs prints each step like PyTorch", () => {
  const script = fileURLToPath(new URL("../examples/detach.mjs", import.meta.url));
  const output = execFileSync(process.execPath, [script], { encoding: "utf8" });
  expect(output).toContain("out = tensor([0.7311, 0.8808, 0.9526], grad_fn=<SigmoidBackward0>)");
  expect(output).toContain("a.grad = tensor([0.1966, 0.1050, 0.0452])");
  expect(output).toContain("same memory: true");
  expect(output).toContain("out = tensor([0., 0., 0.], grad_fn=<SigmoidBackward0>)");
  expect(output).toContain("which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead.");
  expect(output).toContain("x.grad = tensor([6., 6., 6.])");
});
