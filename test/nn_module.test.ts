// nn.Module, Parameter and the containers: registration, names, state dicts, hooks, modes,
// conversion and lifetime, checked against PyTorch's behaviour and wording.
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { expectClose, expectError, fixture } from "./nn_helpers.js";

const { nn } = tg;

class Block extends nn.Module {
  steps!: tg.Tensor | null;
  declare cache: tg.Tensor | null;
  fc = new nn.Linear(2, 3);
  scale = new nn.Parameter(tg.ones(3));
  act = new nn.ReLU();

  constructor() {
    super();
    this.registerBuffer("steps", tg.zeros(1));
    this.registerBuffer("cache", tg.zeros(2), { persistent: false });
  }

  forward(x: tg.Tensor): tg.Tensor {
    return this.act.call(this.fc.call(x)).mul(this.scale);
  }
}

class Net extends nn.Module {
  embed = new nn.Embedding(5, 2);
  blocks = new nn.ModuleList([new Block(), new Block()]);
  head = new nn.Linear(3, 1, { bias: false });

  forward(idx: tg.Tensor): tg.Tensor {
    let x = this.embed.call(idx);
    for (const block of this.blocks) x = block.call(x).narrow(-1, 0, 2);
    return x;
  }
}

describe("registration and names", () => {
  test("short field names of a user's module never collide with the library's own fields", () => {
    // the shipped build once shortened internal fields to one or two letters (this.W, this.H, ...)
    const names = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"];
    class Short extends nn.Module {
      constructor() {
        super();
        const self = this as unknown as Record<string, unknown>;
        for (const name of names) self[name] = new nn.Parameter(tg.zeros(1));
      }
    }
    const m = new Short();
    expect([...m.namedParameters()].map(([name]) => name)).toEqual(names);
    expect(Object.keys(m.stateDict())).toEqual(names);
    m.zeroGrad();
    tg.dispose(m.parameters());
  });

  test("parameters, buffers and children in assignment order, with PyTorch's dotted names", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      "embed.weight", "blocks.0.scale", "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.1.scale", "blocks.1.fc.weight", "blocks.1.fc.bias", "head.weight",
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(["blocks.0.steps", "blocks.0.cache", "blocks.1.steps", "blocks.1.cache"]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(["embed", "blocks", "head"]);
    expect(net.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual([
      ":Net", "embed:Embedding", "blocks:ModuleList", "blocks.0:Block", "blocks.0.fc:Linear", "blocks.0.act:ReLU",
      "blocks.1:Block", "blocks.1.fc:Linear", "blocks.1.act:ReLU", "head:Linear",
    ]);
    const keys = Object.keys(net.stateDict({ keepVars: true }));
    // own parameters, then persistent buffers, then children (cache is not persistent)
    expect(keys).toEqual([
      "embed.weight", "blocks.0.scale", "blocks.0.steps", "blocks.0.fc.weight", "blocks.0.fc.bias",
      "blocks.1.scale", "blocks.1.steps", "blocks.1.fc.weight", "blocks.1.fc.bias", "head.weight",
    ]);
    expect(net.parameters({ recurse: false })).toEqual([]);
    net.dispose();
  });

  test("a shared parameter is listed once but saved under every name", () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.Linear(2, 2);
    b.weight = a.weight;
    const seq = new nn.Sequential(a, b);
    expect(seq.parameters().length).toBe(3);
    expect(Object.keys(seq.stateDict({ keepVars: true }))).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect(seq.namedParameters({ removeDuplicate: false }).length).toBe(4);
    seq.dispose();
  });

  test("registration errors worded as PyTorch's", () => {
    const m = new nn.Module();
    expectError(() => m.registerBuffer("a.b", null), "KeyError", 'buffer name can\'t contain "."');
    expectError(() => m.registerBuffer("", null), "KeyError", 'buffer name can\'t be empty string ""');
    expectError(() => m.registerBuffer("training", null), "KeyError", "attribute 'training' already exists");
    expectError(() => m.registerBuffer("b", 3 as unknown as tg.Tensor), "TypeError", "cannot assign 'number' object to buffer 'b' (torch Tensor or None required)");
    const t = tg.zeros(2);
    expectError(() => m.registerParameter("w", t as tg.nn.Parameter), "TypeError",
      "cannot assign 'torch.FloatTensor' object to parameter 'w' (torch.nn.Parameter or None required)");
    expectError(() => m.registerModule("x", t as unknown as tg.nn.Module), "TypeError", "torch.FloatTensor is not a Module subclass");
    expectError(() => m.forward(), "NotImplementedError", 'Module [Module] is missing the required "forward" function');
    t.dispose();
  });
});

describe("Parameter", () => {
  test("a leaf requiring grad that shares memory and version counter with its data", () => {
    const data = tg.tensor([1, 2, 3]);
    const p = new nn.Parameter(data);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    expect(p.untypedStorage()).toBe(data.untypedStorage());
    data.add_(1);
    expect(p.version).toBe(data.version);
    expect(p.tolist()).toEqual([2, 3, 4]);
    expect(String(p)).toBe("Parameter containing:\ntensor([2., 3., 4.], requires_grad=True)");
    expect(new nn.Parameter(data, { requiresGrad: false }).requiresGrad).toBe(false);
    expectError(() => new nn.Parameter(tg.tensor([1, 2], { dtype: "int64" })), "RuntimeError",
      "Only Tensors of floating point and complex dtype can require gradients");
    data.dispose();
  });

  test("is module state: tidy() does not dispose it", () => {
    const lin = tg.tidy(() => {
      const inner = new nn.Linear(2, 2);
      return { inner };
    }).inner;
    const made = tg.tidy(() => new nn.Linear(2, 2));
    expect(lin.weight.isDisposed || made.weight.isDisposed).toBe(false);
    const before = tg.memory().liveBytes;
    made.dispose();
    expect(tg.memory().liveBytes).toBe(before - 4 * 6);
    lin.dispose();
  });
});

describe("state dict", () => {
  test("values are new handles on the same memory, without history", () => {
    const lin = new nn.Linear(2, 3);
    const sd = lin.stateDict();
    expect(sd.weight).not.toBe(lin.weight);
    expect(sd.weight.untypedStorage()).toBe(lin.weight.untypedStorage());
    expect(sd.weight.requiresGrad).toBe(false);
    tg.dispose(sd);
    expect(lin.weight.isDisposed).toBe(false);
    lin.dispose();
  });

  test("loadStateDict copies in place, without recording, bumping versions", () => {
    const lin = new nn.Linear(2, 3);
    const weight = lin.weight;
    const v = weight.version;
    tg.tidy(() => lin.loadStateDict({ weight: tg.ones(3, 2), bias: tg.tensor([1, 2, 3]) }));
    expect(lin.weight).toBe(weight);
    expect(weight.version).toBe(v + 1);
    expect(weight.gradFn).toBe(null);
    expect(lin.bias?.tolist()).toEqual([1, 2, 3]);
    lin.dispose();
  });

  test("strict loading fails with PyTorch's report", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3));
    tg.tidy(() => {
      expectError(() => seq.loadStateDict({ "0.weight": tg.zeros(3, 3), "1.bias": tg.zeros(3), foo: tg.zeros(1) }), "RuntimeError",
        'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". \n\tUnexpected key(s) in state_dict: "1.bias", "foo". \n\t' +
          "size mismatch for 0.weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([3, 2]).");
      const result = seq.loadStateDict(new Map([["0.weight", tg.ones(3, 2)], ["extra", tg.ones(1)]]), { strict: false });
      expect(result).toEqual({ missingKeys: ["0.bias"], unexpectedKeys: ["extra"] });
    });
    expect(seq.at(0).parameters()[0].tolist()).toEqual([[1, 1], [1, 1], [1, 1]]);
    seq.dispose();
  });

  test("buffers: persistent ones are saved and loaded, assignment replaces (and frees) the old one", () => {
    const block = new Block();
    const old = block.steps as tg.Tensor;
    tg.tidy(() => block.loadStateDict({ ...block.stateDict(), steps: tg.tensor([5]) }));
    expect((block.steps as tg.Tensor).tolist()).toEqual([5]);
    block.steps = tg.tensor([7]);
    expect(old.isDisposed).toBe(true);
    expect(block.buffers().map((b) => b.tolist())).toEqual([[7], [0, 0]]);
    block.dispose();
  });
});

describe("calling and hooks", () => {
  test("pre-hooks replace arguments, forward hooks replace outputs, handles remove them", () => {
    tg.tidy(() => {
      const lin = new nn.Linear(2, 2);
      tg.noGrad(() => {
        lin.weight.copy_(tg.eye(2));
        lin.bias?.zero_();
      });
      const x = tg.tensor([[1, 2]]);
      const calls: string[] = [];
      const pre = lin.registerForwardPreHook((_m, [input]) => {
        calls.push("pre");
        return (input as tg.Tensor).mul(10);
      });
      const post = lin.registerForwardHook((_m, _args, out) => {
        calls.push("post");
        return (out as tg.Tensor).add(1);
      });
      lin.registerForwardPreHook(() => void calls.push("first"), { prepend: true });
      expect(lin.call(x).tolist()).toEqual([[11, 21]]);
      expect(calls).toEqual(["first", "pre", "post"]);
      expect(lin.forward(x).tolist()).toEqual([[1, 2]]);
      pre.remove();
      post.remove();
      expect(lin.call(x).tolist()).toEqual([[1, 2]]);
      lin.dispose();
    });
  });

  test("Sequential calls its children (with their hooks)", () => {
    tg.tidy(() => {
      const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Identity());
      let seen: unknown = null;
      seq.at(1).registerForwardHook((_m, [input]) => void (seen = input));
      const out = seq.call(tg.ones(1, 2));
      expect(seen).toBe(out);
      seq.dispose();
    });
  });
});

describe("modes, gradients and conversion", () => {
  test("train() and eval() reach every submodule", () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expectError(() => net.train("yes" as unknown as boolean), "ValueError", "training mode is expected to be boolean");
    net.dispose();
  });

  test("zeroGrad and requiresGrad_", () => {
    const lin = new nn.Linear(2, 2);
    tg.tidy(() => lin.call(tg.ones(1, 2)).sum().backward());
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad?.tolist()).toEqual([[0, 0], [0, 0]]);
    lin.zeroGrad();
    expect(lin.weight.grad).toBe(null);
    lin.requiresGrad_(false);
    expect(lin.parameters().some((p) => p.requiresGrad)).toBe(false);
    lin.dispose();
  });

  test("to(dtype) converts floating parameters in place, keeping the Parameter objects", () => {
    const net = new Net();
    const weight = net.head.weight;
    tg.tidy(() => net.call(tg.tensor([1, 2], { dtype: "int64" })).sum().backward());
    net.to("float64");
    expect(net.head.weight).toBe(weight);
    expect(net.parameters().every((p) => p.dtype === "float64")).toBe(true);
    expect(net.embed.weight.grad?.dtype).toBe("float64");
    expect(net.buffers().every((b) => b.dtype === "float64")).toBe(true);
    expect(net.to("cpu")).toBe(net);
    expectError(() => net.to("int64"), "TypeError", "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.int64");
    net.float();
    expect(weight.dtype).toBe("float32");
    net.zeroGrad();
    net.dispose();
  });

  test("apply visits children before the module", () => {
    const net = new Net();
    const order: string[] = [];
    net.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(["Embedding", "Linear", "ReLU", "Block", "Linear", "ReLU", "Block", "ModuleList", "Linear", "Net"]);
    net.dispose();
  });
});

describe("containers", () => {
  test("Sequential indexes, grows and renumbers like PyTorch's", () => {
    const a = new nn.Linear(1, 1), b = new nn.ReLU(), c = new nn.Linear(1, 1);
    const seq = new nn.Sequential(a, b);
    expect(seq[0]).toBe(a);
    expect(seq.at(-1)).toBe(b);
    expect(seq.length).toBe(2);
    seq.append(c);
    seq.insert(0, new nn.Identity());
    expect([...seq].map((m) => m.constructor.name)).toEqual(["Identity", "Linear", "ReLU", "Linear"]);
    expect(seq.pop(1)).toBe(a);
    expect(Object.keys(seq.stateDict({ keepVars: true }))).toEqual(["2.weight", "2.bias"]);
    expect(seq.slice(1).length).toBe(2);
    expectError(() => seq.at(3), "IndexError", "index 3 is out of range");
    expect(String(new nn.Sequential(new Map<string, tg.nn.Module>([["conv", new nn.Identity()], ["act", new nn.Tanh()]])))).toBe(
      "Sequential(\n  (conv): Identity()\n  (act): Tanh()\n)",
    );
    a.dispose();
    seq.dispose();
  });

  test("ModuleDict keeps insertion order and its own keys", () => {
    const d = new nn.ModuleDict({ b: new nn.Linear(1, 2), a: new nn.Tanh() });
    d.set("2", new nn.Linear(2, 1));
    expect(d.keys()).toEqual(["b", "a", "2"]);
    expect(Object.keys(d.stateDict({ keepVars: true }))).toEqual(["b.weight", "b.bias", "2.weight", "2.bias"]);
    expect(d.has("a") && d.get("a") instanceof nn.Tanh).toBe(true);
    expectError(() => d.set("x.y", new nn.Tanh()), "KeyError", 'module name can\'t contain ".", got: x.y');
    d.dispose();
  });

  test("printed as PyTorch prints them", () => {
    const net = new nn.Sequential(
      new nn.Linear(4, 8), new nn.GELU(), new nn.Dropout(0.1), new nn.LayerNorm(8), new nn.Embedding(10, 3, { paddingIdx: 0 }),
      new nn.Softmax({ dim: 1 }), new nn.ReLU(true), new nn.Flatten(), new nn.CrossEntropyLoss(),
    );
    expect(String(net)).toBe([
      "Sequential(",
      "  (0): Linear(in_features=4, out_features=8, bias=True)",
      "  (1): GELU(approximate='none')",
      "  (2): Dropout(p=0.1, inplace=False)",
      "  (3): LayerNorm((8,), eps=1e-05, elementwise_affine=True)",
      "  (4): Embedding(10, 3, padding_idx=0)",
      "  (5): Softmax(dim=1)",
      "  (6): ReLU(inplace=True)",
      "  (7): Flatten(start_dim=1, end_dim=-1)",
      "  (8): CrossEntropyLoss()",
      ")",
    ].join("\n"));
    net.dispose();
  });
});

describe("utils", () => {
  const ref = fixture("nn_reference.json");
  const A = [[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]];
  const B = [[0.5, -1.0, 0.5], [1.7, 0.15, -0.3]];

  test.each([[2, "2.0"], [1, "1.0"], [Infinity, "inf"], [3, "3.0"]])("clipGradNorm_ with norm %s", (norm, key) => {
    tg.tidy(() => {
      const ps = [new nn.Parameter(tg.tensor(A)), new nn.Parameter(tg.tensor(B))];
      ps[0].mul(tg.tensor(A)).sum().backward();
      ps[1].mul(tg.tensor(B)).mul(3).sum().backward();
      const total = nn.utils.clipGradNorm_(ps, 1.5, { normType: norm });
      expectClose(total, ref[`clip_grad_norm_${key}`].total);
      ps.forEach((p, i) => expectClose(p.grad as tg.Tensor, ref[`clip_grad_norm_${key}`].grads[i]));
      for (const p of ps) p.dispose();
    });
  });

  test("clipGradNorm_ rejects a non-finite norm when asked", () => {
    tg.tidy(() => {
      const p = new nn.Parameter(tg.zeros(1));
      p.grad = tg.tensor([Infinity]);
      expectError(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }), "RuntimeError",
        "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
      p.dispose();
    });
  });

  test("clipGradValue_ clamps every gradient element", () => {
    tg.tidy(() => {
      const p = new nn.Parameter(tg.zeros(3));
      p.grad = tg.tensor([-2, 0.5, 3]);
      nn.utils.clipGradValue_(p, 1);
      expect(p.grad?.tolist()).toEqual([-1, 0.5, 1]);
      p.dispose();
    });
  });
});
