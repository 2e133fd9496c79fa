// Autograd extensions against PyTorch's behaviour: tensor hooks, custom autograd.Function and
// inference mode's view rules. Expected values and messages come from PyTorch (1.13 run with
// /usr/bin/python3, or PyTorch 2.x's documented behaviour where it changed, as noted).
import { describe, expect, test } from "vitest";
import * as tg from "tapegrad";
import { expectNoLeaks } from "./support.js";
import type { Tensor } from "tapegrad";

const { autograd } = tg;
type Ctx = InstanceType<typeof autograd.FunctionCtx>;

expectNoLeaks("each");

describe("registerHook", () => {
  test("a leaf's hook sees its gradient and its result replaces it; remove() unregisters", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const seen: number[][] = [];
      const handle = x.registerHook((g) => {
        seen.push(g.tolist() as number[]);
        return g.mul(2);
      });
      x.mul(3).sum().backward();
      expect(seen).toEqual([[3, 3]]);
      expect(x.grad?.tolist()).toEqual([6, 6]);
      handle.remove();
      x.grad = null;
      x.mul(3).sum().backward();
      expect(x.grad?.tolist()).toEqual([3, 3]);
    });
  });

  test("a leaf's hooks also run when autograd.grad captures it (PyTorch 2's hook ordering)", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      x.registerHook((g) => g.mul(2));
      const [g] = autograd.grad(x.mul(3).sum(), [x]);
      expect(g?.tolist()).toEqual([6, 6]);
      expect(x.grad).toBe(null);
    });
  });

  test("a non-leaf's hook changes what flows on; retainGrad sees the hooked gradient", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const z = x.mul(3);
      z.retainGrad();
      z.registerHook((g) => g.add(1));
      z.sum().backward();
      // PyTorch 1.13: tensor([6., 6.]) tensor([2., 2.])
      expect(x.grad?.tolist()).toEqual([6, 6]);
      expect(z.grad?.tolist()).toEqual([2, 2]);
    });
  });

  test("hooks registered before an in-place op get the gradient of the old value, later ones of the new", () => {
    tg.tidy(() => {
      const a = tg.tensor([1, 2], { requiresGrad: true });
      const b = a.mul(1);
      const seen: Record<string, number[]> = {};
      b.registerHook((g) => void (seen.before = g.tolist() as number[]));
      b.mul_(2);
      b.registerHook((g) => void (seen.after = g.tolist() as number[]));
      b.sum().backward();
      expect(seen).toEqual({ before: [2, 2], after: [1, 1] });
      expect(a.grad?.tolist()).toEqual([2, 2]);
    });
  });

  test("a hook may not change the gradient's size or type (PyTorch's messages)", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const z = x.mul(3);
      z.registerHook((g) => g.sum());
      expect(() => z.sum().backward()).toThrow("hook '<lambda>' has changed the size of value");
      const y = x.mul(3);
      const toDouble = (g: Tensor) => g.double();
      y.registerHook(toDouble);
      expect(() => y.sum().backward()).toThrow("hook 'toDouble' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)");
    });
  });

  test("no hooks on tensors that do not require grad", () => {
    tg.tidy(() => {
      expect(() => tg.ones(2).registerHook((g) => g)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
    });
  });
});

class Exp extends autograd.Function {
  static forward(ctx: Ctx, x: Tensor, k: number): Tensor {
    const y = x.exp().mul(k);
    ctx.saveForBackward(y);
    ctx.k = k;
    return y;
  }
  static backward(ctx: Ctx, g: Tensor): (Tensor | null)[] {
    const [y] = ctx.savedTensors as Tensor[];
    return [g.mul(y), null];
  }
}

describe("autograd.Function", () => {
  test("apply records a <Name>Backward node over the tensor inputs; backward gives PyTorch's gradient", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const y = Exp.apply(x, 2);
      expect(y.gradFn?.name).toBe("ExpBackward");
      expect(y.gradFn?.nextFunctions.map(([n, nr]) => [n?.name, nr])).toEqual([["AccumulateGrad", 0]]);
      expect(y.requiresGrad).toBe(true);
      expect(y.isLeaf).toBe(false);
      y.sum().backward();
      // PyTorch 1.13: tensor([ 5.4366, 14.7781])
      const g = x.grad?.tolist() as number[];
      expect(g[0]).toBeCloseTo(5.436564, 5);
      expect(g[1]).toBeCloseTo(14.778112, 5);
      expect(() => y.sum().backward()).toThrow("Trying to backward through the graph a second time");
    });
  });

  test("needsInputGrad, one entry per argument", () => {
    let needs: boolean[] = [];
    class Needs extends autograd.Function {
      static forward(ctx: Ctx, a: Tensor, b: Tensor, k: number): Tensor {
        needs = ctx.needsInputGrad;
        return a.mul(b).mul(k);
      }
      static backward(_ctx: Ctx, g: Tensor): (Tensor | null)[] {
        return [g, null, null];
      }
    }
    tg.tidy(() => {
      Needs.apply(tg.tensor([1, 2], { requiresGrad: true }), tg.ones(2), 3);
      expect(needs).toEqual([true, false, false]);
    });
  });

  test("backward's results are checked like PyTorch's", () => {
    class TooMany extends autograd.Function {
      static forward(_ctx: Ctx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    class GradForNumber extends autograd.Function {
      static forward(_ctx: Ctx, x: Tensor, k: number): Tensor {
        return x.mul(k);
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor[] {
        return [g, g];
      }
    }
    class TooFew extends autograd.Function {
      static forward(_ctx: Ctx, x: Tensor, k: number): Tensor {
        return x.mul(k);
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor {
        return g;
      }
    }
    class WrongShape extends autograd.Function {
      static forward(_ctx: Ctx, x: Tensor): Tensor {
        return x.sum();
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor {
        return g.expand(3);
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      expect(() => TooMany.apply(x).sum().backward()).toThrow("function TooManyBackward returned an incorrect number of gradients (expected 1, got 2)");
      expect(() => GradForNumber.apply(x, 3).sum().backward()).toThrow(
        "function GradForNumberBackward returned a gradient different than None at position 2, but the corresponding forward input was not a Variable",
      );
      expect(() => TooFew.apply(x, 3).sum().backward()).toThrow("function TooFewBackward returned an incorrect number of gradients (expected 2, got 1)");
      expect(() => WrongShape.apply(x).backward()).toThrow(
        "Function WrongShapeBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible with [2]",
      );
    });
  });

  test("saved tensors are version-checked like built-in ops' (an output names the custom node)", () => {
    class SaveInput extends autograd.Function {
      static forward(ctx: Ctx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.mul(2);
      }
      static backward(ctx: Ctx, g: Tensor): Tensor {
        return g.mul((ctx.savedTensors as Tensor[])[0]);
      }
    }
    class SaveOutput extends autograd.Function {
      static forward(ctx: Ctx, x: Tensor): Tensor {
        const y = x.mul(2);
        ctx.saveForBackward(y);
        return y;
      }
      static backward(ctx: Ctx, g: Tensor): Tensor {
        return g.mul((ctx.savedTensors as Tensor[])[0]);
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const c = x.clone();
      const d = SaveInput.apply(c);
      c.add_(1);
      // PyTorch 1.13's messages, word for word
      expect(() => d.sum().backward()).toThrow(
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of AddBackward0, is at version 1; expected version 0 instead.",
      );
      const e = SaveOutput.apply(x);
      e.add_(1);
      expect(() => e.sum().backward()).toThrow(
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of SaveOutputBackward, is at version 1; expected version 0 instead.",
      );
    });
  });

  test("an input returned as-is comes back as a view that may not be modified in place", () => {
    class Ident extends autograd.Function {
      static forward(_ctx: Ctx, x: Tensor): Tensor {
        return x;
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const z = Ident.apply(x);
      expect(z).not.toBe(x);
      expect(z.isView).toBe(true);
      expect(z.gradFn?.name).toBe("IdentBackward");
      expect(() => z.mul_(2)).toThrow(
        "Output 0 of IdentBackward is a view and is being modified inplace. This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.",
      );
      z.sum().backward();
      expect(x.grad?.tolist()).toEqual([3, 3]);
      const w = Ident.apply(tg.ones(2));
      expect([w.requiresGrad, w.isView]).toEqual([false, true]);
    });
  });

  test("markDirty: the modified input is returned itself with the custom node as its history", () => {
    class Double extends autograd.Function {
      static forward(ctx: Ctx, x: Tensor): Tensor {
        x.mul_(2);
        ctx.markDirty(x);
        return x;
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const a = x.clone();
      const b = Double.apply(a);
      expect(b).toBe(a);
      expect(a.version).toBe(1);
      expect(a.gradFn?.name).toBe("DoubleBackward");
      a.sum().backward();
      expect(x.grad?.tolist()).toEqual([2, 2]);
      expect(() => Double.apply(x)).toThrow("a leaf Variable that requires grad has been used in an in-place operation.");
    });
  });

  test("non-differentiable outputs and materialized gradients (zeros of the output's dtype)", () => {
    let received: (number[] | null)[] = [];
    class Three extends autograd.Function {
      static forward(_ctx: Ctx, a: Tensor): Tensor[] {
        return [a.mul(2), tg.tensor([1, 2], { dtype: "int64" }), a.mul(3)];
      }
      static backward(_ctx: Ctx, g1: Tensor, g2: Tensor, g3: Tensor): Tensor {
        received = [g1, g2, g3].map((g) => g.tolist() as number[]);
        expect(g2.dtype).toBe("int64");
        return g1.add(g3);
      }
    }
    class Lazy extends autograd.Function {
      static forward(ctx: Ctx, a: Tensor): Tensor[] {
        ctx.setMaterializeGrads(false);
        return [a.mul(2), a.mul(3)];
      }
      static backward(_ctx: Ctx, g1: Tensor, g2: Tensor | null): Tensor {
        received = [g1.tolist() as number[], g2 === null ? null : (g2.tolist() as number[])];
        return g1.mul(2);
      }
    }
    class Marked extends autograd.Function {
      static forward(ctx: Ctx, a: Tensor): Tensor {
        const out = a.mul(2);
        ctx.markNonDifferentiable(out);
        return out;
      }
      static backward(_ctx: Ctx, g: Tensor): Tensor {
        return g;
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const [o1, o2, o3] = Three.apply(x);
      expect([o2.requiresGrad, o2.gradFn, o3.gradFn?.name]).toEqual([false, null, "ThreeBackward"]);
      o1.sum().backward();
      // PyTorch 1.13: tensor([1., 1.]) tensor([0, 0]) tensor([0., 0.])
      expect(received).toEqual([[1, 1], [0, 0], [0, 0]]);
      const [p1] = Lazy.apply(x);
      p1.sum().backward();
      expect(received).toEqual([[1, 1], null]);
      const r = Marked.apply(x);
      expect([r.requiresGrad, r.gradFn]).toEqual([false, null]);
    });
  });

  test("without grad mode, or without inputs that require grad, nothing is recorded", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const q = tg.noGrad(() => Exp.apply(x, 2));
      expect([q.requiresGrad, q.gradFn]).toEqual([false, null]);
      const r = Exp.apply(tg.ones(2), 2);
      expect([r.requiresGrad, r.gradFn]).toEqual([false, null]);
    });
  });

  test("double backward runs through the custom backward's own ops", () => {
    class Square extends autograd.Function {
      static forward(ctx: Ctx, x: Tensor): Tensor {
        ctx.saveForBackward(x);
        return x.mul(x);
      }
      static backward(ctx: Ctx, g: Tensor): Tensor {
        const [x] = ctx.savedTensors as Tensor[];
        return g.mul(x).mul(2);
      }
    }
    tg.tidy(() => {
      const x = tg.tensor([1.5, -2], { requiresGrad: true });
      const [dx] = autograd.grad(Square.apply(x).sum(), [x], { createGraph: true });
      expect(dx?.tolist()).toEqual([3, -4]);
      const [ddx] = autograd.grad((dx as Tensor).sum(), [x]);
      expect(ddx?.tolist()).toEqual([2, 2]);
    });
  });
});

describe("inferenceMode", () => {
  test("ops inside record nothing", () => {
    tg.tidy(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      const y = tg.inferenceMode(() => x.mul(2));
      expect([y.requiresGrad, y.gradFn]).toEqual([false, null]);
    });
  });

  test("a view made in inference mode may not be modified in place with grad mode on (PyTorch's message)", () => {
    tg.tidy(() => {
      const w = tg.tensor([1, 2], { requiresGrad: true }).clone();
      const view = tg.inferenceMode(() => w.index(tg.slice(0, 1)));
      expect(() => view.mul_(2)).toThrow(
        "A view was created in inference mode and is being modified inplace in normal mode. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the inference_mode block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
      );
      // a view of a tensor that needs no gradient can be (PyTorch 1.13 allows it too)
      const plain = tg.ones(2);
      const v = tg.inferenceMode(() => plain.index(tg.slice(0, 1)));
      v.add_(1);
      expect(plain.tolist()).toEqual([2, 1]);
    });
  });
});

describe("matrix product gradients", () => {
  test("a column-major operand of mm/addmm gets a column-major gradient (PyTorch's mm_mat1/mat2_backward)", () => {
    tg.tidy(() => {
      // /usr/bin/python3, PyTorch 1.13: torch.autograd.grad(F.linear(x, W, b).sum(), [W, x]) strides
      // (4, 1), (4, 1); torch.autograd.grad(torch.mm(xt, W.t()).sum(), [xt, W]) strides (1, 2), (4, 1)
      // (arange, not randn: the default generator's state is allocated on first use, which would count as a leak here)
      const W = tg.arange(12, { dtype: "float32" }).reshape(3, 4).requiresGrad_();
      const x = tg.arange(8, { dtype: "float32" }).reshape(2, 4).requiresGrad_(), b = tg.zeros([3], { requiresGrad: true });
      const [gW, gx] = autograd.grad(tg.nn.functional.linear(x, W, b).sum(), [W, x]);
      expect([gW.stride(), gx.stride()]).toEqual([[4, 1], [4, 1]]);
      const xt = tg.arange(8, { dtype: "float32" }).reshape(4, 2).t().requiresGrad_();
      const [gxt, gW2] = autograd.grad(tg.mm(xt, W.t()).sum(), [xt, W]);
      expect([gxt.stride(), gW2.stride()]).toEqual([[1, 2], [4, 1]]);
      // the values are the products either way: d/dW of sum(xt @ Wᵀ) is ones(2, 3)ᵀ @ xt
      expect(gW2.tolist()).toEqual(tg.ones([3, 2]).mm(xt.detach()).tolist());
    });
  });
});
