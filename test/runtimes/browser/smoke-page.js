// Browser harness: loads the package's browser entry as a plain module (no bundler), checks that
// ops before init() fail clearly, runs the smoke suite and leaves the report in
// `window.smokeReport` for test/runtimes/browser.test.ts. Under a CSP it also records violations.
import * as tg from "../../../dist/browser.js";
import * as io from "../../../dist/io.js";
import * as rnn from "../../../dist/nn/rnn.js";
import * as lrScheduler from "../../../dist/optim/lr_scheduler.js";
import * as gradcheck from "../../../dist/autograd/gradcheck.js";
import * as viz from "../../../dist/viz.js";
import { runSmoke } from "../smoke.js";

const violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push({ directive: e.violatedDirective, blocked: e.blockedURI }));

function errorText(fn) {
  try {
    fn();
    return "no error";
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}

async function run() {
  const beforeInit = errorText(() => tg.tensor([1, 2, 3]));
  await tg.init();
  const corpus = await (await fetch("../../conformance/corpus.json")).json();
  const results = await runSmoke(tg, { corpus, subpaths: { io, rnn, lrScheduler, gradcheck, viz } });
  // Proves a CSP is in force when the page was served with one: eval must be refused.
  const evalAllowed = errorText(() => (0, eval)("1")) === "no error";
  // violation events are dispatched asynchronously
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { beforeInit, results, evalAllowed, violations: violations.filter((v) => v.blocked !== "eval") };
}

run().then(
  (report) => {
    window.smokeReport = report;
    document.body.textContent = `tapegrad smoke suite: ${report.results.filter((r) => r.ok).length}/${report.results.length} passed`;
  },
  (e) => {
    window.smokeReport = { crashed: String(e?.stack ?? e) };
  },
);
