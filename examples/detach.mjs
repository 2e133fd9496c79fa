// The tutorial tapegrad grew from: detach() and detach_() in PyTorch, line by line in JS.
// Run with: node examples/detach.mjs
import { tensor } from "tapegrad";

const show = (label, value) => console.log(`${label} ${value}`);
const attempt = (label, fn) => {
  try {
    fn();
    console.log(`${label} ok`);
  } catch (e) {
    console.log(`${label} ${e.name}: ${e.message}`);
  }
};

console.log("# 1. out = a.sigmoid(); out.sum().backward()");
let a = tensor([1, 2, 3], { requiresGrad: true });
let out = a.sigmoid();
show("out =", out);
out.sum().backward();
show("a.grad =", a.grad);

console.log("\n# 1.1 c = out.detach() shares out's memory");
a = tensor([1, 2, 3], { requiresGrad: true });
out = a.sigmoid();
let c = out.detach();
show("c =", c);
show("same memory:", c.dataPtr() === out.dataPtr());

console.log("\n# 1.2 backward through the detached tensor");
attempt("c.sum().backward():", () => c.sum().backward());

console.log("\n# 1.3 c.zero_() changes out too, and breaks out's backward");
c.zero_();
show("c =", c);
show("out =", out);
attempt("out.sum().backward():", () => out.sum().backward());

console.log("\n# 2. detach_() on x -> m -> y");
const x = tensor([1, 2, 3], { requiresGrad: true });
const m = x.mul(2);
const y = m.mul(3);
m.detach_();
show("m =", m);
y.sum().backward();
show("x.grad =", x.grad);
const y2 = m.mul(3);
show("y2 =", y2);
attempt("y2.sum().backward():", () => y2.sum().backward());
