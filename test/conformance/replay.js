// Replays a conformance corpus (FORMAT.md, "tapegrad-conformance/1") against a tapegrad module.
// Runtime-neutral: no Node, Deno or vitest imports, so the Node, Deno and browser suites share it.
// It reads gradFn and isLeaf only where the corpus takes a snapshot, exactly as the recorder did:
// in PyTorch those reads can regenerate a view's grad_fn, which changes what happens next.

export const FORMAT = "tapegrad-conformance/1";

const camel = (s) => s.replace(/^_+/, "").replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const NAMES = { _version: "version", _is_view: "isView", requires_grad_: "requiresGrad_", retain_grad: "retainGrad" };
const jsName = (name) => NAMES[name] ?? (name.endsWith("_") ? camel(name.slice(0, -1)) + "_" : camel(name));

class Mismatch extends Error {}

function fail(where, message) {
  throw new Mismatch(`${where}: ${message}`);
}

/** Runs every case; returns [{ id, tier, pass, reason }]. */
export function replayCorpus(tg, corpus) {
  if (corpus.format !== FORMAT) throw new Error(`unsupported corpus format ${corpus.format}`);
  return corpus.cases.map((c) => replayCase(tg, c));
}

export function replayCase(tg, c) {
  const ctx = { tg, env: new Map() };
  try {
    c.steps.forEach((step, i) => runStep(ctx, step, `step ${i + 1} (${describe(step)})`));
    for (const [name, expected] of Object.entries(c.final)) {
      if (!ctx.env.has(name)) fail(`final ${name}`, "not bound");
      compareValue(ctx.env.get(name), expected, `final ${name}`);
    }
    compareAliases(ctx, c);
    return { id: c.id, tier: c.tier, pass: true, reason: "" };
  } catch (e) {
    const reason = e instanceof Mismatch ? e.message : `replayer crashed: ${e?.stack ?? e}`;
    return { id: c.id, tier: c.tier, pass: false, reason };
  } finally {
    tg.setGradEnabled(true);
  }
}

function describe(step) {
  if (step.op === "call") return `${step.fn}(...)`;
  if (step.op === "method") return `${step.self}.${step.fn}(...)`;
  if (step.op === "block") return `with ${step.ctx}`;
  if (step.op === "check") return `check ${step.var}`;
  return `${step.op} ${step.self ?? ""}.${step.attr ?? ""}`;
}

// ---- arguments ---------------------------------------------------------------------------------

function arg(ctx, a) {
  if (Array.isArray(a)) return a.map((x) => arg(ctx, x));
  if (a !== null && typeof a === "object") {
    if ("var" in a) {
      if (!ctx.env.has(a.var)) throw new Mismatch(`unbound variable ${a.var}`);
      return ctx.env.get(a.var);
    }
    if ("list" in a) return a.list.map((x) => arg(ctx, x));
    if ("dtype" in a) return a.dtype;
    throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  return a;
}

function kwargs(ctx, kw) {
  const out = {};
  for (const [k, v] of Object.entries(kw ?? {})) out[camel(k)] = arg(ctx, v);
  return out;
}

function callArgs(ctx, step) {
  const args = (step.args ?? []).map((a) => arg(ctx, a));
  const kw = kwargs(ctx, step.kwargs);
  return Object.keys(kw).length > 0 ? [...args, kw] : args;
}

function indexItem(ctx, item) {
  if (item === "...") return "...";
  if (item !== null && typeof item === "object" && "slice" in item) return ctx.tg.slice(...item.slice);
  return arg(ctx, item);
}

function resolve(root, dotted) {
  let target = root;
  const parts = dotted.split(".");
  for (let i = 0; i < parts.length; i++) {
    const key = i === parts.length - 1 ? jsName(parts[i]) : parts[i];
    target = target?.[key];
  }
  return target;
}

// ---- steps --------------------------------------------------------------------------------------

function runStep(ctx, step, where) {
  if (step.op === "check") {
    compareValue(ctx.env.get(step.var), step.expect.value, where);
    return;
  }
  if (step.op === "block") {
    const mode = step.ctx === "no_grad" ? ctx.tg.noGrad : ctx.tg.enableGrad;
    mode(() => step.steps.forEach((s, i) => runStep(ctx, s, `${where} > step ${i + 1} (${describe(s)})`)));
    return;
  }
  let result;
  let error = null;
  try {
    result = perform(ctx, step);
  } catch (e) {
    if (e instanceof Mismatch) throw e;
    error = e;
  }
  const expect = step.expect;
  if (expect.error !== undefined) {
    if (error === null) fail(where, `expected ${expect.error.type}: ${expect.error.message.slice(0, 120)} — but it completed`);
    compareError(error, expect.error, where);
    return;
  }
  if (error !== null) fail(where, `raised ${error.name}: ${String(error.message).slice(0, 300)}`);
  if (step.out !== undefined) {
    ctx.env.set(step.out, result);
    if (expect.value !== undefined) compareValue(result, expect.value, where);
  }
}

function perform(ctx, step) {
  const { tg, env } = ctx;
  switch (step.op) {
    case "call": {
      const fn = resolve(tg, step.fn);
      if (typeof fn !== "function") throw new Error(`tapegrad has no function ${step.fn}`);
      return fn(...callArgs(ctx, step));
    }
    case "method": {
      const self = env.get(step.self);
      const name = jsName(step.fn);
      if (typeof self?.[name] !== "function") throw new Error(`Tensor has no method ${name}`);
      return self[name](...callArgs(ctx, step));
    }
    case "getattr":
      return env.get(step.self)[jsName(step.attr)];
    case "setattr":
      env.get(step.self)[jsName(step.attr)] = arg(ctx, step.value);
      return undefined;
    case "getitem": {
      const self = env.get(step.self);
      const items = step.index.map((it) => indexItem(ctx, it));
      if (Array.isArray(self)) return self[items[0]];
      return self.index(...items);
    }
    case "setitem": {
      const self = env.get(step.self);
      self.setIndex_(step.index.map((it) => indexItem(ctx, it)), arg(ctx, step.value));
      return undefined;
    }
    default:
      throw new Error(`unknown op ${step.op}`);
  }
}

// ---- comparisons ------------------------------------------------------------------------------

function firstSentence(message) {
  const cut = message.search(/[:.\n]/);
  return cut < 0 ? message : message.slice(0, cut);
}

function compareError(actual, expected, where) {
  if (actual.name !== expected.type) {
    fail(where, `expected ${expected.type}: ${expected.message.slice(0, 100)} — got ${actual.name}: ${String(actual.message).slice(0, 200)}`);
  }
  const sentence = firstSentence(expected.message);
  const required = sentence.length < 40 ? expected.message.slice(0, Math.max(40, sentence.length)) : sentence;
  if (!String(actual.message).startsWith(required)) {
    fail(where, `error text differs:\n      expected: ${expected.message.slice(0, 200)}\n      actual:   ${String(actual.message).slice(0, 200)}`);
  }
}

function closeFloat(a, e) {
  if (e === "nan") return Number.isNaN(a);
  if (e === "inf") return a === Infinity;
  if (e === "-inf") return a === -Infinity;
  return Math.abs(a - e) <= 1e-5 + 1e-4 * Math.abs(e);
}

function compareField(where, field, actual, expected) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    fail(where, `${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Reads a field the way PyTorch's recorder did: its value, or {error} if reading raised. */
function read(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { type: e.name, message: String(e.message) } };
  }
}

function compareSnapshot(t, exp, where, withGrad = true) {
  if (t === null || t === undefined || typeof t.stride !== "function") fail(where, `expected a tensor, got ${String(t)}`);
  const grad = withGrad ? t.grad : null;
  compareField(where, "shape", t.shape, exp.shape);
  compareField(where, "dtype", t.dtype, exp.dtype);
  const values = t.data.reshape(-1).tolist();
  if (values.length !== exp.values.length) fail(where, `values: expected ${exp.values.length} elements, got ${values.length}`);
  const floating = exp.dtype === "float32" || exp.dtype === "float64";
  values.forEach((v, i) => {
    const e = exp.values[i];
    const ok = floating ? closeFloat(v, e) : v === e;
    if (!ok) fail(where, `values: expected ${JSON.stringify(exp.values)}, got ${JSON.stringify(values)}`);
  });
  compareField(where, "requires_grad", t.requiresGrad, exp.requires_grad);
  const isLeaf = read(() => t.isLeaf);
  const gradFn = read(() => t.gradFn?.name ?? null);
  compareReadable(where, "is_leaf", isLeaf, exp.is_leaf);
  compareReadable(where, "grad_fn", gradFn, exp.grad_fn);
  compareField(where, "version", t.version, exp.version);
  if (withGrad) {
    if (exp.grad === null) {
      if (grad !== null) fail(where, `grad: expected None, got ${grad}`);
    } else {
      if (grad === null) fail(where, "grad: expected a tensor, got None");
      compareSnapshot(grad, { ...exp.grad, version: grad.version }, `${where} .grad`, false);
    }
  }
  compareField(where, "is_view", t.isView, exp.is_view);
  compareField(where, "strides", t.stride(), exp.strides);
  compareField(where, "storage_offset", t.storageOffset(), exp.storage_offset);
}

function compareReadable(where, field, actual, expected) {
  const expectedError = expected !== null && typeof expected === "object" && "error" in expected;
  if (expectedError) {
    if (actual.error === undefined) fail(where, `${field}: expected reading it to raise, got ${JSON.stringify(actual.value)}`);
    compareError({ name: actual.error.type, message: actual.error.message }, expected.error, `${where} ${field}`);
    return;
  }
  if (actual.error !== undefined) fail(where, `${field}: reading raised ${actual.error.type}: ${actual.error.message.slice(0, 150)}`);
  compareField(where, field, actual.value, expected);
}

function comparePy(actual, expected, where) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) fail(where, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => comparePy(actual[i], e, where));
    return;
  }
  if (expected === null) {
    if (actual !== null && actual !== undefined) fail(where, `expected None, got ${String(actual)}`);
    return;
  }
  if (typeof expected === "string" || (typeof expected === "number" && !Number.isInteger(expected))) {
    if (typeof actual !== "number" || !closeFloat(actual, expected)) fail(where, `expected ${expected}, got ${actual}`);
    return;
  }
  if (typeof expected === "number") {
    if (typeof actual !== "number" || !closeFloat(actual, expected)) fail(where, `expected ${expected}, got ${actual}`);
    return;
  }
  if (actual !== expected) fail(where, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function compareValue(actual, expected, where) {
  if (expected === undefined) return;
  if ("shape" in expected) return compareSnapshot(actual, expected, where);
  if ("items" in expected) {
    if (!Array.isArray(actual) || actual.length !== expected.items.length) {
      fail(where, `expected a tuple of ${expected.items.length}, got ${String(actual)}`);
    }
    expected.items.forEach((e, i) => compareValue(actual[i], e, `${where}[${i}]`));
    return;
  }
  if ("py" in expected) return comparePy(actual, expected.py, where);
  throw new Error(`unknown value ${JSON.stringify(expected)}`);
}

function compareAliases(ctx, c) {
  const groups = new Map();
  for (const name of Object.keys(c.final)) {
    const t = ctx.env.get(name);
    if (t === null || typeof t !== "object" || typeof t.untypedStorage !== "function") continue;
    const storage = t.untypedStorage();
    if (storage.dataPtr() === 0) continue;
    if (!groups.has(storage)) groups.set(storage, []);
    groups.get(storage).push(name);
  }
  const actual = [...groups.values()].filter((g) => g.length > 1).map((g) => [...g].sort().join(",")).sort();
  const expected = c.aliases.map((g) => [...g].sort().join(",")).sort();
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    fail("aliases", `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Pass/fail counts per tier and overall. */
export function summarize(results) {
  const tiers = new Map();
  for (const r of results) {
    const t = tiers.get(r.tier) ?? { passed: 0, failed: 0 };
    if (r.pass) t.passed++;
    else t.failed++;
    tiers.set(r.tier, t);
  }
  const passed = results.filter((r) => r.pass).length;
  return { tiers: [...tiers.entries()].sort((a, b) => a[0] - b[0]), passed, failed: results.length - passed };
}
