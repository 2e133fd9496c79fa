// Seeded input data, generated once per case and handed to every library, so all of them
// compute on the same numbers and their results can be compared.

/** mulberry32: a small, fast, seedable generator of uniform [0, 1) numbers. */
export function generator(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` float32 values uniform in [lo, hi). */
export function uniform(n, seed, lo = -1, hi = 1) {
  const next = generator(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** `n` integers uniform in [0, classes). */
export function labels(n, classes, seed) {
  const next = generator(seed);
  return Array.from({ length: n }, () => Math.floor(next() * classes));
}
