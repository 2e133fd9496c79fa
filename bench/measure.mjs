// Timing primitives. Medians over interleaved rounds absorb a noisy, shared machine better than
// means; nothing here retries or discards samples.

/**
 * Seconds per call of `fn`: calls it in batches until one batch lasts at least `budgetMs`.
 * The caller has already called `fn` once (the correctness check), so JIT warm-up and first-use
 * allocations are behind it.
 */
export function secondsPerCall(fn, budgetMs) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= budgetMs) return ms / 1000 / n;
    // aim past the budget in one more batch, growing at least 2× and at most 100× per step
    const aim = ms > 0 ? Math.ceil((n * budgetMs * 1.2) / ms) : n * 100;
    n = Math.min(Math.max(aim, n * 2), n * 100);
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Interquartile range relative to the median: how noisy a row's samples were. */
export function relativeSpread(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
  return (q(0.75) - q(0.25)) / median(xs);
}

/** The first element where `actual` and `expected` differ by more than atol + rtol·|expected|, or null. */
export function firstMismatch(actual, expected, { rtol, atol }) {
  if (actual.length !== expected.length) return { index: -1, actual: `${actual.length} elements`, expected: `${expected.length} elements` };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const close = Math.abs(a - e) <= atol + rtol * Math.abs(e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!close) return { index: i, actual: a, expected: e };
  }
  return null;
}
