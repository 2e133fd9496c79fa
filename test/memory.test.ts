// Deterministic memory: handles are disposed explicitly or by tidy(); storage lives while any
// alias, view or saved-for-backward reference remains.
import { describe, expect, test } from "vitest";
import { RuntimeError, arange, empty, emptyCache, linspace, manualSeed, memory, nn, noGrad, ones, optim, tensor, tidy, zeros } from "tapegrad";
import { GRU } from "tapegrad/nn/rnn";

describe("dispose", () => {
  test("storage is freed when its last alias is disposed", () => {
    const start = memory();
    const t = zeros(1000);
    const v = t.view(10, 100);
    const d = t.detach();
    expect(memory().liveBytes).toBe(start.liveBytes + 4000);
    t.dispose();
    v.dispose();
    expect(memory().liveBytes).toBe(start.liveBytes + 4000);
    d.dispose();
    expect(memory().liveBytes).toBe(start.liveBytes);
    expect(memory().liveTensors).toBe(start.liveTensors);
  });

  test("using a disposed handle throws a clear error", () => {
    const t = ones(3);
    t.dispose();
    expect(() => t.add(1)).toThrow(RuntimeError);
    expect(() => t.add(1)).toThrow("Tensor has been disposed");
    expect(() => t.tolist()).toThrow("Tensor has been disposed");
    t.dispose(); // idempotent
  });

  test("tensors saved for backward outlive their handles", () => {
    const start = memory().liveBytes;
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp();
    const loss = y.sum();
    y.dispose();
    loss.backward();
    expect(x.grad!.tolist().map((v) => Number((v as number).toFixed(4)))).toEqual([2.7183, 7.3891, 20.0855]);
    loss.dispose();
    x.dispose();
    expect(memory().liveBytes).toBe(start);
  });
});

describe("tidy", () => {
  test("disposes what fn made, keeps what it returns", () => {
    const start = memory();
    const kept = tidy(() => {
      const a = ones(4, 4);
      const b = a.mul(2).add(1);
      return { b, list: [b.sum()] };
    });
    expect(tidy(() => kept.b.sum().item())).toBe(48);
    expect(memory().liveTensors).toBe(start.liveTensors + 2);
    kept.b.dispose();
    kept.list[0].dispose();
    tidy(() => undefined);
    expect(memory().liveBytes).toBe(start.liveBytes);
  });

  test("keeps the .grad of a leaf made outside, and frees it once the leaf lets go", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const start = memory().liveBytes;
    tidy(() => w.mul(w).sum().backward());
    expect(w.grad!.tolist()).toEqual([2, 4, 6]);
    const withGrad = memory().liveBytes;
    expect(withGrad).toBe(start + 12);
    tidy(() => {
      w.grad = null; // the released gradient belongs to this tidy now
    });
    expect(memory().liveBytes).toBe(start);
  });

  test("restores state when fn throws", () => {
    const start = memory();
    expect(() =>
      tidy(() => {
        ones(100);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(memory().liveBytes).toBe(start.liveBytes);
  });

  test("10 000 training-like steps keep live memory at the baseline", () => {
    const w = tensor([[0.1, -0.2], [0.3, 0.4]], { requiresGrad: true });
    const b = zeros(2, { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const target = tensor([[1, 0], [0, 1], [1, 1]]);
    const step = () =>
      tidy(() => {
        w.grad = null;
        b.grad = null;
        const h = x.matmul(w.t()).add(b).tanh();
        const loss = h.sub(target).pow(2).mean();
        loss.backward();
        noGrad(() => {
          w.sub_(w.grad!.mul(0.1));
          b.sub_(b.grad!.mul(0.1));
        });
        return loss.item();
      });
    const first = step();
    const baseline = memory();
    let last = first;
    for (let i = 0; i < 10_000; i++) last = step();
    const after = memory();
    expect(last).toBeLessThan(first);
    expect(after.liveBytes).toBe(baseline.liveBytes);
    expect(after.liveBlocks).toBe(baseline.liveBlocks);
    expect(after.liveTensors).toBe(baseline.liveTensors);
  });
});

describe("allocation failure", () => {
  test("raises PyTorch's allocator error and leaves the heap intact", () => {
    const keep = tensor([1, 2, 3]);
    const start = memory();
    expect(() => empty(1e12)).toThrow(RuntimeError);
    expect(() => empty(1e12)).toThrow("DefaultCPUAllocator: not enough memory: you tried to allocate 4000000000000 bytes.");
    expect(() => zeros(200_000_000, 4)).toThrow("DefaultCPUAllocator: not enough memory");
    expect(memory().liveBytes).toBe(start.liveBytes);
    expect(keep.add(1).tolist()).toEqual([2, 3, 4]);
  });
});

describe("caching allocator", () => {
  test("a training loop takes no new blocks from the heap after its second step, and linear memory stops growing after the first", () => {
    manualSeed(0); // allocates the generator's state, which lives on
    const start = memory();
    // a GRU over a short sequence, a linear head, Adam (its state appears in the first step)
    const gru = new GRU(6, 12, { numLayers: 2 });
    const head = new nn.Linear(12, 3);
    const params = [...gru.parameters(), ...head.parameters()];
    const opt = new optim.Adam(params, { lr: 1e-2 });
    const x = tidy(() => linspace(-1, 1, 5 * 4 * 6).reshape(5, 4, 6));
    const y = tidy(() => arange(4).remainder(3));
    const step = () =>
      tidy(() => {
        opt.zeroGrad();
        const [out] = gru.call(x);
        const loss = nn.functional.crossEntropy(head.call(out.select(0, -1)), y);
        loss.backward();
        opt.step();
        return loss.item();
      });
    const losses = [step()];
    const first = memory();
    expect(first.rawAllocations).toBeGreaterThan(start.rawAllocations);
    losses.push(step());
    const second = memory();
    for (let i = 0; i < 6; i++) {
      losses.push(step());
      const now = memory();
      expect(now.heapBytes).toBe(first.heapBytes);
      expect(now.liveBytes).toBe(first.liveBytes);
      expect(now.liveBlocks).toBe(first.liveBlocks);
      expect(now.rawAllocations).toBe(second.rawAllocations);
    }
    expect(losses.at(-1)).toBeLessThan(losses[0]);
    opt.zeroGrad();
    opt.dispose();
    gru.dispose();
    head.dispose();
    x.dispose();
    y.dispose();
    expect(memory().liveBytes).toBe(start.liveBytes);
  });

  test("freed blocks are cached for reuse by size class; emptyCache() returns them to the heap", () => {
    emptyCache();
    const start = memory();
    expect(start.cachedBytes).toBe(0);
    const t = zeros(1000); // 4000 bytes: the class of blocks of 4096
    const taken = memory().rawAllocations;
    t.dispose();
    expect(memory().liveBytes).toBe(start.liveBytes);
    expect(memory().cachedBytes).toBe(4096);
    const u = zeros(1010); // 4040 bytes: same class, the cached block
    expect(memory().rawAllocations).toBe(taken);
    expect(memory().cachedBytes).toBe(0);
    u.dispose();
    const v = zeros(1100); // 4400 bytes: the next class (4608), a new block
    expect(memory().rawAllocations).toBe(taken + 1);
    v.dispose();
    expect(memory().cachedBytes).toBe(4096 + 4608);
    emptyCache();
    expect(memory().cachedBytes).toBe(0);
    expect(memory().liveBytes).toBe(start.liveBytes);
    expect(zeros(1000).sum().item()).toBe(0);
  });
});

describe("allocation failure with a full cache", () => {
  test("an allocation that does not fit beside the cached blocks empties the cache and succeeds", () => {
    // four blocks of 960 MB fill most of the 4 GB of wasm32 memory (empty() does not touch them)
    tidy(() => {
      for (let i = 0; i < 4; i++) empty(240_000_000);
    });
    const full = memory();
    expect(full.cachedBytes).toBeGreaterThanOrEqual(4 * 960_000_000);
    // 500 MB of another size class: linear memory cannot grow by that much, the cache is emptied
    const t = empty(125_000_000);
    expect(memory().cachedBytes).toBe(0);
    expect(memory().liveBytes).toBe(full.liveBytes + 500_000_000);
    expect(memory().heapBytes).toBe(full.heapBytes);
    t.dispose();
    emptyCache();
  });
});
