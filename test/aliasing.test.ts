// detach(), .data and every view share the same bytes: same dataPtr arithmetic, same storage
// object, and a write through one is read through the others.
import { describe, expect, test } from "vitest";
import { type Tensor, slice, tensor } from "tapegrad";

const base = () => tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
const ELEMENT = 4; // float32 bytes

type Alias = [name: string, make: (t: Tensor) => Tensor, offset: number, isView: boolean];

const ALIASES: Alias[] = [
  ["detach()", (t) => t.detach(), 0, false],
  [".data", (t) => t.data, 0, false],
  ["view(4, 3)", (t) => t.view(4, 3), 0, true],
  ["view([12])", (t) => t.view([12]), 0, true],
  ["reshape(2, 6)", (t) => t.reshape(2, 6), 0, true],
  ["t()", (t) => t.t(), 0, true],
  ["transpose(0, 1)", (t) => t.transpose(0, 1), 0, true],
  ["permute(1, 0)", (t) => t.permute(1, 0), 0, true],
  ["unsqueeze(1)", (t) => t.unsqueeze(1), 0, true],
  ["unsqueeze(0).squeeze()", (t) => t.unsqueeze(0).squeeze(), 0, true],
  ["expand(2, 3, 4)", (t) => t.expand(2, 3, 4), 0, true],
  ["narrow(1, 1, 2)", (t) => t.narrow(1, 1, 2), 1, true],
  ["select(0, 2)", (t) => t.select(0, 2), 8, true],
  ["unbind()[1]", (t) => t.unbind()[1], 4, true],
  ["chunk(2, 1)[1]", (t) => t.chunk(2, 1)[1], 2, true],
  ["asStrided([2, 2], [4, 1], 5)", (t) => t.asStrided([2, 2], [4, 1], 5), 5, true],
  ["index(1)", (t) => t.index(1), 4, true],
  ["index(slice(1, null), slice(null, null, 2))", (t) => t.index(slice(1, null), slice(null, null, 2)), 4, true],
  ["index(null, '...', 0)", (t) => t.index(null, "...", 0), 0, true],
  ["index('...')", (t) => t.index("..."), 0, true],
];

describe.each(ALIASES)("%s", (_name, make, offset, isView) => {
  test("shares storage and reports its offset", () => {
    const t = base();
    const a = make(t);
    expect(a.untypedStorage()).toBe(t.untypedStorage());
    expect(a.dataPtr()).toBe(t.dataPtr() + offset * ELEMENT);
    expect(a.storageOffset()).toBe(offset);
    expect(a.isView).toBe(isView);
  });

  test("writes are visible both ways", () => {
    const t = base();
    const a = make(t);
    const before = t.sum().item();
    a.fill_(0); // fill_ is allowed on expanded (overlapping) views too
    expect(t.sum().item()).toBeLessThan(before);
    expect(a.sum().item()).toBe(0);
    t.fill_(1);
    expect(a.min().item()).toBe(1);
  });
});

test("the version counter is shared by base, views and detach() but not .data", () => {
  const t = base();
  const v = t.index(0);
  const d = t.detach();
  const data = t.data;
  v.add_(1);
  expect([t.version, v.version, d.version, data.version]).toEqual([1, 1, 1, 0]);
  data.mul_(2);
  expect([t.version, data.version]).toEqual([1, 1]);
  expect(t.index(0, 0).item()).toBe(4); // (1 + 1) * 2
});

test("clone(), contiguous() of a transposed tensor and advanced indexing copy", () => {
  const t = base();
  for (const copy of [t.clone(), t.t().contiguous(), t.index(tensor([0, 2], { dtype: "int64" })), t.index(t.gt(6))]) {
    expect(copy.untypedStorage()).not.toBe(t.untypedStorage());
  }
  expect(t.contiguous()).toBe(t);
});

test("reshape copies only when a view is impossible", () => {
  const t = base();
  expect(t.reshape(12).untypedStorage()).toBe(t.untypedStorage());
  const r = t.t().reshape(12);
  expect(r.untypedStorage()).not.toBe(t.untypedStorage());
  expect(r.tolist()).toEqual([1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12]);
});
