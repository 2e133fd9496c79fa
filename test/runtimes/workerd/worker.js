// A Cloudflare module worker that uses tapegrad the way a deployed one does: the package's
// workerd entry (wrangler resolves `tapegrad` to it through the `workerd` export condition;
// workerd.test.ts checks the routing) with tapegrad.wasm as a compiled module binding.
//   GET /smoke  runs the smoke suite and answers with its report
//   GET /mlp    loads PyTorch's MLP from safetensors bytes shipped with the worker, runs it on the
//               fixture's batch, backpropagates the loss and answers with logits, loss, gradients
import * as tg from "../../../dist/workerd.js";
import * as io from "../../../dist/io.workerd.js";
import * as rnn from "../../../dist/nn/rnn.workerd.js";
import * as lrScheduler from "../../../dist/optim/lr_scheduler.workerd.js";
import * as gradcheck from "../../../dist/autograd/gradcheck.workerd.js";
import * as viz from "../../../dist/viz.workerd.js";
import { runSmoke } from "../smoke.js";
import corpusText from "../../conformance/corpus.json";
import mlpWeights from "../../fixtures/mlp.safetensors";
import mlpFixtureText from "../../fixtures/mlp.json";

function mlp() {
  const F = tg.nn.functional;
  const fixture = JSON.parse(mlpFixtureText);
  return tg.tidy(() => {
    const params = io.loadSafetensors(mlpWeights); // Sequential(Linear(4,8), ReLU(), Linear(8,3)) state_dict
    for (const p of Object.values(params)) p.requiresGrad_();
    const x = tg.tensor(fixture.x.values).reshape(fixture.x.shape);
    const y = tg.tensor(fixture.y.values, { dtype: "int64" });
    const logits = F.linear(F.relu(F.linear(x, params["0.weight"], params["0.bias"])), params["2.weight"], params["2.bias"]);
    const loss = F.crossEntropy(logits, y);
    loss.backward();
    const grads = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, p.grad.tolist()]));
    return { logits: logits.tolist(), loss: loss.item(), grads };
  });
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/smoke") return Response.json({ results: await runSmoke(tg, { corpus: JSON.parse(corpusText), subpaths: { io, rnn, lrScheduler, gradcheck, viz } }) });
    if (pathname === "/mlp") {
      const before = tg.memory().liveTensors;
      const result = mlp();
      return Response.json({ ...result, leakedTensors: tg.memory().liveTensors - before });
    }
    return new Response("not found", { status: 404 });
  },
};
