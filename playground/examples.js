// The playground's examples. `tg` (tapegrad), `print` and `show` are in scope; the first one
// is the seed: the detach() tutorial, ending with the in-place change that breaks backward.
export const EXAMPLES = [
  {
    id: "detach",
    title: "detach(): the tutorial, step by step",
    code: `// 1. a sigmoid and its gradient
const a = tg.tensor([1, 2, 3.], { requiresGrad: true });
let out = a.sigmoid();
print(out);
out.sum().backward();
print(a.grad);                          // sigmoid'(a) = out * (1 - out)

// 2. detach(): the same memory, without history
out = a.sigmoid();
const c = out.detach();
print(c);
print(c.dataPtr() === out.dataPtr());   // same memory
try {
  c.sum().backward();                   // c has no grad_fn
} catch (e) {
  print(e);
}

// 3. changing c in place changes out too, and autograd notices:
//    SigmoidBackward0 saved its result, which is now stale
c.zero_();
print(out);
show({ a, out, c });
out.sum().backward();
`,
  },
  {
    id: "detach_",
    title: "detach_() on x → m → y",
    code: `// detach_() detaches a tensor in place: it becomes a leaf that does not require grad.
const x = tg.tensor([1, 2, 3.], { requiresGrad: true });
const m = x.mul(2);
print(m);
m.detach_();
print(m, m.isLeaf, m.requiresGrad);
const y = m.mul(3);                     // built after detach_(): no graph back to x
show({ x, m, y });
try {
  y.sum().backward();
} catch (e) {
  print(e);
}

// a graph recorded before detach_() still reaches x
const m2 = x.mul(2);
const y2 = m2.mul(3);
m2.detach_();
y2.sum().backward();
print(x.grad);
`,
  },
  {
    id: "data",
    title: ".data versus detach()",
    code: `// Both share out's memory. detach() also shares its version counter; .data does not,
// so autograd cannot see a change made through .data.
const a = tg.tensor([1, 2, 3.], { requiresGrad: true });
let out = a.sigmoid();
out.data.zero_();
print(out.version);                     // 0: unnoticed
out.sum().backward();                   // no error...
print(a.grad);                          // ...and a silently wrong gradient

a.grad = null;
out = a.sigmoid();
out.detach().zero_();                   // the same change through detach()
print(out.version);                     // 1: noticed
show({ a, out });
try {
  out.sum().backward();
} catch (e) {
  print(e);                             // an error instead of a wrong gradient
}
`,
  },
  {
    id: "bptt",
    title: "Truncated BPTT with a detached hidden state",
    code: `// An RNN cell trained on a 12-step sequence in chunks of 4 steps. The hidden state is
// detached at the start of each chunk: backward stops there instead of running through
// the whole sequence, and the graph of earlier chunks can be freed.
const Wx = tg.tensor([[0.5, -0.3], [0.2, 0.4]], { requiresGrad: true });
const Wh = tg.tensor([[0.1, 0.2], [-0.3, 0.1]], { requiresGrad: true });
const xs = tg.linspace(-1, 1, 24).reshape(12, 1, 2);
let h = tg.zeros(1, 2);
for (let chunk = 0; chunk < 3; chunk++) {
  h = h.detach();                       // truncate: no gradient into earlier chunks
  let loss = tg.zeros([]);
  for (let t = 0; t < 4; t++) {
    h = h.matmul(Wh).add(xs.select(0, chunk * 4 + t).matmul(Wx)).tanh();
    loss = loss.add(h.pow(2).sum());
  }
  if (chunk === 2) show({ loss, h, Wx, Wh });
  loss.backward();
  tg.noGrad(() => {
    for (const p of [Wx, Wh]) {
      p.sub_(p.grad.mul(0.1));
      p.grad = null;
    }
  });
  print(\`chunk \${chunk}: loss \${loss.item().toFixed(4)}\`);
}
print(h);
`,
  },
];
