#!/usr/bin/env python3
"""Fits the polynomial and rational coefficients of assembly/simd/math.ts.

Run with Debian's Python (numpy + mpmath):  /usr/bin/python3 assembly/simd/fit.py
It prints each approximation's interval, form, achieved maximum relative error of the fit
(in float32 ulps, 2^-24) and the coefficients to paste into math.ts. The fits minimise the
maximum *relative* error of the whole function (not of the fitted part) with Lawson's
iteratively reweighted least squares, which converges to the minimax solution on a
Chebyshev grid; the erfc rational uses Sanathanan-Koerner linearisation around it.
Function values come from mpmath at 40 digits.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40
ULP = 2.0**-24


def grid(a, b, n=4000):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)


def lawson(A, y, w, iters=400):
    """min over c of max_i |w_i (A c - y)_i|; returns (c, max weighted error)."""
    Aw, yw = A * w[:, None], y * w
    scale = np.abs(Aw).max(axis=0)
    Aw = Aw / scale
    u = np.full(len(y), 1.0 / len(y))
    for _ in range(iters):
        s = np.sqrt(u)
        c, *_ = np.linalg.lstsq(Aw * s[:, None], yw * s, rcond=None)
        e = np.abs(Aw @ c - yw)
        u = u * e
        u /= u.sum()
    c = c / scale
    return c, np.max(np.abs((A @ c - y) * w))


def poly_fit(name, xs, var, fixed, scale, exact, degree):
    """exact(x) ~ fixed(x) + scale(x) * P(var(x)), relative error of exact minimised."""
    f = np.array([float(exact(mp.mpf(x))) for x in xs])
    A = np.vander(np.array([var(x) for x in xs]), degree + 1, increasing=True)
    sc = np.array([scale(x) for x in xs])
    fx = np.array([fixed(x) for x in xs])
    c, err = lawson(A * sc[:, None], f - fx, 1 / np.abs(f))
    print(f"{name}: degree {degree}, max rel. error {err / ULP:.4f} ulp")
    print("  " + ", ".join(f"{float(np.float32(v))!r}" for v in c))
    return c


def rational_fit(name, xs, exact, m, n, rounds=40):
    """exact(x) ~ P(x) / Q(x), deg P = m, deg Q = n, Q(0) = 1; float64 coefficients."""
    y = np.array([float(exact(mp.mpf(x))) for x in xs])
    Vp = np.vander(xs, m + 1, increasing=True)
    Vq = np.vander(xs, n + 1, increasing=True)[:, 1:]
    q_prev = np.ones_like(xs)
    best = None
    for _ in range(rounds):
        # (P - y Q) / (y Q_prev) is linear in the coefficients and ~ the relative error
        c, _ = lawson(np.hstack([Vp, -y[:, None] * Vq]), y, 1 / np.abs(y * q_prev), iters=60)
        p, q = c[: m + 1], np.concatenate([[1.0], c[m + 1:]])
        q_prev = Vq @ q[1:] + 1
        err = np.max(np.abs((Vp @ p) / q_prev / y - 1))
        if best is None or err < best[0]:
            best = (err, p, q)
    err, p, q = best
    print(f"{name}: degrees {m}/{n}, max rel. error {err / ULP:.4f} ulp")
    print("  P: " + ", ".join(repr(float(v)) for v in p))
    print("  Q: " + ", ".join(repr(float(v)) for v in q))


half_ln2 = float(mp.log(2) / 2) * 1.002  # |r| after reduction, with rounding slack
poly_fit("exp: e^r = 1 + r + r^2 P(r), |r| <= ln2/2",
         grid(-half_ln2, half_ln2), lambda r: r, lambda r: 1 + r, lambda r: r * r, mp.exp, 4)
poly_fit("expm1: e^r - 1 = r + r^2/2 + r^3 P(r), |r| <= ln2/2",
         grid(-half_ln2, half_ln2), lambda r: r, lambda r: r + r * r / 2, lambda r: r**3, mp.expm1, 4)
lo, hi = float(mp.sqrt(0.5)) - 1, float(mp.sqrt(2)) - 1
poly_fit("log: log(1 + f) = f - f^2/2 + f^3 P(f), sqrt(1/2) - 1 <= f < sqrt(2) - 1",
         grid(lo * 1.001, hi * 1.001), lambda f: f, lambda f: f - f * f / 2, lambda f: f**3, mp.log1p, 8)
poly_fit("tanh: tanh(x) = x + x^3 P(x^2), |x| < 0.625",
         grid(1e-4, 0.6251), lambda x: x * x, lambda x: x, lambda x: x**3, mp.tanh, 4)
poly_fit("erf: erf(x) = x + x P(x^2), |x| < 0.5",
         grid(1e-4, 0.5001), lambda x: x * x, lambda x: x, lambda x: x, mp.erf, 4)
# gelu(x) - x/2 = x erf(x/sqrt2)/2 is even in x; fitted over both signs since the relative
# error is taken of gelu itself, which is not symmetric
poly_fit("gelu: gelu(x) = x/2 + x^2 P(x^2), |x| < sqrt(1/2)",
         np.concatenate([grid(1e-4, 0.70711), -grid(1e-4, 0.70711)]), lambda x: x * x, lambda x: x / 2,
         lambda x: x * x, lambda x: x * (1 + mp.erf(x / mp.sqrt(2))) / 2, 4)
rational_fit("erfc: erfc(z) e^(z^2) = P(z)/Q(z), 0.5 <= z <= 10.5 (float64)",
             grid(0.4999, 10.5001), lambda z: mp.erfc(z) * mp.exp(z * z), 4, 5)
