// The smoke suite every runtime runs against the built package: Node (test/runtimes/node.test.ts),
// Deno, Chromium and workerd. Runtime-neutral: it gets the tapegrad module and the corpus from
// its harness and imports nothing but the runtime-neutral replayer.
// Reference values come from PyTorch: /usr/bin/python3 test/runtimes/reference.py
import { replayCase } from "../conformance/replay.js";

/** The corpus tiers replayed everywhere (tiers 3-4 run in Node only, in conformance.test.ts). */
export const SMOKE_TIERS = [0, 1, 2];

const IN_PLACE_ERROR =
  "one of the variables needed for gradient computation has been modified by an inplace operation: " +
  "[torch.FloatTensor [3]], which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead.";
const NO_GRAD_FN_ERROR = "element 0 of tensors does not require grad and does not have a grad_fn";

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function checkClose(actual, expected, tolerance, what) {
  const a = actual.flat(Infinity);
  const e = expected.flat(Infinity);
  const close = a.length === e.length && a.every((v, i) => Math.abs(v - e[i]) <= tolerance);
  check(close, `${what}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
}

function checkThrows(fn, name, text, what) {
  try {
    fn();
  } catch (e) {
    check(e?.name === name && String(e.message).includes(text), `${what}: expected ${name}: ${text}\n got ${e?.name}: ${e?.message}`);
    return;
  }
  throw new CheckFailed(`${what}: expected ${name}: ${text}, nothing was thrown`);
}

/** Runs `fn` in tidy() and checks that every tensor it made was released. */
function withoutLeaks(tg, fn) {
  const before = tg.memory();
  tg.tidy(fn);
  const after = tg.memory();
  check(
    after.liveTensors === before.liveTensors && after.liveBytes === before.liveBytes,
    `memory did not return to baseline: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
  );
}

/** Parameter values from a formula (the same in reference.py), so no RNG is involved. */
function values(n, seed) {
  return Array.from({ length: n }, (_, i) => (((i * 7919 + seed * 104729) % 200) - 100) / 250);
}

function detachTutorial(tg) {
  withoutLeaks(tg, () => {
    const a = tg.tensor([1, 2, 3], { requiresGrad: true });
    a.sigmoid().sum().backward();
    checkClose(a.grad.tolist(), [0.1966119259595871, 0.10499362647533417, 0.04517665505409241], 1e-6, "a.grad");

    const out = a.sigmoid();
    const c = out.detach();
    check(c.dataPtr() === out.dataPtr(), "out.detach() shares out's memory (same dataPtr())");
    check(!c.requiresGrad && c.gradFn === null, "the detached tensor has no history");
    checkThrows(() => c.sum().backward(), "RuntimeError", NO_GRAD_FN_ERROR, "c.sum().backward()");
    c.zero_();
    checkClose(out.tolist(), [0, 0, 0], 0, "c.zero_() zeroes out too");
    check(out.version === 1, `out is at version ${out.version}, expected 1`);
    checkThrows(() => out.sum().backward(), "RuntimeError", IN_PLACE_ERROR, "out.sum().backward() after c.zero_()");
  });
}

function detachInplaceChain(tg) {
  withoutLeaks(tg, () => {
    // m.detach_() before y: m is now a leaf that does not require grad, so y has no graph
    const x = tg.tensor([1, 2, 3], { requiresGrad: true });
    const m = x.mul(2);
    m.detach_();
    check(m.isLeaf && !m.requiresGrad && m.gradFn === null, "m.detach_() makes m a leaf without grad");
    const y = m.mul(3);
    checkThrows(() => y.sum().backward(), "RuntimeError", NO_GRAD_FN_ERROR, "y.sum().backward()");

    // m.detach_() after y: the graph y recorded still reaches x
    const m2 = x.mul(2);
    const y2 = m2.mul(3);
    m2.detach_();
    y2.sum().backward();
    checkClose(x.grad.tolist(), [6, 6, 6], 0, "x.grad through the graph recorded before detach_()");
  });
}

function dataVersusDetach(tg) {
  withoutLeaks(tg, () => {
    // .data has a version counter of its own: autograd cannot see the change and the gradient is silently wrong
    const a = tg.tensor([1, 2, 3], { requiresGrad: true });
    const out = a.sigmoid();
    out.data.zero_();
    check(out.version === 0, `.data.zero_() left out at version ${out.version}, expected 0`);
    out.sum().backward();
    checkClose(a.grad.tolist(), [0, 0, 0], 0, "a.grad after out.data.zero_()");
  });
}

/** A 4-5-3 MLP trained for 5 steps of SGD with plain tensor ops, as reference.py does in PyTorch. */
function trainMlp(tg) {
  const F = tg.nn.functional;
  withoutLeaks(tg, () => {
    const X = tg.tensor(values(24, 1)).reshape(6, 4);
    const y = tg.tensor([0, 1, 2, 1, 0, 2], { dtype: "int64" });
    const W1 = tg.tensor(values(20, 2)).reshape(5, 4).requiresGrad_();
    const b1 = tg.tensor(values(5, 3)).requiresGrad_();
    const W2 = tg.tensor(values(15, 4)).reshape(3, 5).requiresGrad_();
    const b2 = tg.tensor(values(3, 5)).requiresGrad_();
    const params = [W1, b1, W2, b2];
    const losses = [];
    for (let step = 0; step < 5; step++) {
      tg.tidy(() => {
        const loss = F.crossEntropy(F.linear(F.relu(F.linear(X, W1, b1)), W2, b2), y);
        loss.backward();
        losses.push(loss.item());
        tg.noGrad(() => {
          for (const p of params) {
            p.sub_(p.grad.mul(0.5));
            p.grad = null;
          }
        });
      });
    }
    checkClose(losses, [1.1200038194656372, 1.1107357740402222, 1.10431969165802, 1.0996419191360474, 1.0960174798965454], 1e-5, "losses");
    checkClose(W2.tolist(), [
      [0.09973784536123276, -0.2659187614917755, 0.2160000056028366, -0.14118991792201996, 0.36800000071525574],
      [-0.002540142275393009, -0.3024711012840271, 0.19599999487400055, -0.22008231282234192, 0.3479999899864197],
      [0.034802310168743134, -0.2716101408004761, 0.17599999904632568, -0.022727791219949722, 0.328000009059906],
    ], 1e-5, "W2 after training");
  });
}

function replayTier(tg, corpus, tier) {
  const failed = [];
  for (const c of corpus.cases) {
    if (c.tier !== tier) continue;
    // tidy frees each case's tensors (but not the cycles create_graph makes, as in PyTorch)
    const result = tg.tidy(() => replayCase(tg, c));
    if (!result.pass) failed.push(`${result.id}: ${result.reason}`);
  }
  check(failed.length === 0, `${failed.length} case(s) failed:\n${failed.join("\n")}`);
}

/** PyTorch's mt19937 streams: the default generator after manualSeed(0), then a fresh Generator. */
function randomStreams(tg) {
  tg.manualSeed(0); // the default generator's state is allocated at first use and kept for good
  withoutLeaks(tg, () => {
    tg.manualSeed(0);
    checkClose(tg.rand(3).tolist(), [0.49625658988952637, 0.7682217955589294, 0.08847743272781372], 1e-7, "rand(3) after manualSeed(0)");
    checkClose(tg.randn(3).tolist(), [0.3643381893634796, 0.13439632952213287, 0.16421625018119812], 1e-6, "then randn(3)");
    const g = new tg.Generator();
    check(g.initialSeed() === 67280421310721, `a new Generator's seed is ${g.initialSeed()}`);
    g.dispose();
  });
}

/**
 * The optional subpaths (tapegrad/io, /nn/rnn, /optim/lr_scheduler, /autograd/gradcheck, /viz),
 * as the harness imported them for its runtime: they work on the main entry's tensors and modules.
 */
function subpathsShareTheLibrary(tg, { io, rnn, lrScheduler, gradcheck, viz }) {
  withoutLeaks(tg, () => {
    const w = tg.tensor([[1.5, -2], [0.25, 3]]);
    const back = io.loadSafetensors(io.saveSafetensors({ w }, { format: "pt" })).w;
    check(back instanceof tg.Tensor, "io.loadSafetensors returns the main entry's Tensor");
    checkClose(back.tolist(), w.tolist(), 0, "a safetensors round trip");

    const gru = new rnn.GRU(2, 3, { numLayers: 2 });
    check(gru instanceof tg.nn.Module, "nn/rnn's GRU is an nn.Module of the main entry");
    const [output, hN] = gru.call(tg.ones(4, 1, 2));
    check(String(output.shape) === "4,1,3" && String(hN.shape) === "2,1,3", `GRU shapes ${output.shape} and ${hN.shape}`);
    gru.dispose(); // a module owns its parameters: tidy() leaves them to it

    const p = tg.zeros(2, { requiresGrad: true });
    const sgd = new tg.optim.SGD([p], { lr: 1 });
    const scheduler = new lrScheduler.StepLR(sgd, 1, { gamma: 0.5 });
    sgd.step();
    scheduler.step();
    check(sgd.paramGroups[0].lr === 0.5, `StepLR halved the learning rate to ${sgd.paramGroups[0].lr}`);

    check(gradcheck.gradcheck((x) => x.sin(), [tg.linspace(-1, 1, 3, { dtype: "float64", requiresGrad: true })]), "gradcheck of sin");

    const svg = viz.toSvg({ out: tg.ones(2, { requiresGrad: true }).sigmoid() });
    check(svg.includes("SigmoidBackward0") && svg.includes("</svg>"), "viz draws the graph of sigmoid");
  });
}

/** name -> check(tg, modules); names are what the runtime test files report. */
const CHECKS = {
  "init() is idempotent": async (tg) => {
    await tg.init();
    await tg.init();
  },
  "detach tutorial": detachTutorial,
  "detach_() on x -> m -> y": detachInplaceChain,
  ".data versus detach()": dataVersusDetach,
  ...Object.fromEntries(SMOKE_TIERS.map((tier) => [`corpus tier ${tier}`, (tg, { corpus }) => replayTier(tg, corpus, tier)])),
  "MLP: 5 SGD steps match PyTorch": trainMlp,
  "random: PyTorch's streams after manualSeed(0)": randomStreams,
  "subpaths work on the main entry's tensors": (tg, { subpaths }) => subpathsShareTheLibrary(tg, subpaths),
};

export const SMOKE_CHECKS = Object.keys(CHECKS);

/**
 * Runs every check; never throws. Returns [{ name, ok, detail, ms }] with the failure (or crash)
 * text in `detail`. `corpus` is the parsed corpus.json (tiers outside SMOKE_TIERS are ignored);
 * `subpaths` holds the subpath modules as the runtime imports them: { io, rnn, lrScheduler, gradcheck, viz }.
 */
export async function runSmoke(tg, modules) {
  const results = [];
  for (const [name, fn] of Object.entries(CHECKS)) {
    const start = Date.now();
    try {
      await fn(tg, modules);
      results.push({ name, ok: true, detail: "", ms: Date.now() - start });
    } catch (e) {
      const detail = e instanceof CheckFailed ? e.message : `crashed: ${e?.stack ?? e}`;
      results.push({ name, ok: false, detail, ms: Date.now() - start });
    }
  }
  return results;
}
