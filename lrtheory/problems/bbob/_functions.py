r"""The 24 noiseless BBOB functions in JAX, transformation by transformation as in COCO.

COCO composes each function from a raw function and wrappers: ``problem =
transform(problem)`` evaluates the transformation *first* and then the inner problem, so
the last variable transformation listed in COCO's ``f_*_bbob_problem_allocate`` acts first
on :math:`x`. Each builder below follows that file's order, with the instance's
:math:`x^{opt}`, :math:`f_{opt}` and rotations from :mod:`._instances`.

Reference: Hansen, Finck, Ros, Auger (2009), INRIA RR-6829; numbbo/coco ``f_*.c``,
``transform_*.c``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from ._instances import compute_fopt, compute_xopt, gauss, rotation, unif

__all__ = ["BBOBSpec", "BUILDERS", "NAMES", "SMOOTH"]

PI = np.pi


class BBOBSpec(NamedTuple):
    """One instance: ``value`` (JAX, of a ``(n,)`` vector), optimum and its value."""

    value: Callable
    x_opt: np.ndarray
    f_opt: float


# ------------------------------------------------------------------ transformations
def _safe(cond, x, fill=1.0):
    """``x`` where ``cond`` else ``fill``: keeps untaken branches (log 0, sqrt < 0) finite
    so that their derivatives do not poison the gradient through ``jnp.where``."""
    return jnp.where(cond, x, fill)


def t_osz(x):
    """COCO's oscillation ``transform_vars_oscillate`` (also the objective's)."""
    pos, neg = x > 0, x < 0
    t = jnp.log(jnp.abs(_safe(pos | neg, x))) / 0.1
    up = jnp.exp(t + 0.49 * (jnp.sin(t) + jnp.sin(0.79 * t))) ** 0.1
    down = -jnp.exp(t + 0.49 * (jnp.sin(0.55 * t) + jnp.sin(0.31 * t))) ** 0.1
    return jnp.where(pos, up, jnp.where(neg, down, 0.0))


def t_asy(x, beta):
    """``transform_vars_asymmetric``: :math:`x_i^{1 + \\beta \\frac{i}{n-1} \\sqrt{x_i}}`
    for :math:`x_i > 0`."""
    n = x.shape[0]
    pos = x > 0
    xs = _safe(pos, x)
    e = 1.0 + beta * np.arange(n) / (n - 1.0) * jnp.sqrt(xs)
    return jnp.where(pos, xs**e, x)


def _powers(base, n):
    """:math:`\\mathrm{base}^{i/(n-1)}`, ``i = 0..n-1``, as COCO's ``pow`` (float64)."""
    return np.array([base ** (i / (n - 1.0)) for i in range(n)])


def _cond_matrix(r1, r2, base, n):
    """COCO's ``M[i][j] = sum_k rot1[i][k] base^(k/(n-1)) rot2[k][j]``."""
    return (r1 * _powers(base, n)[None, :]) @ r2


def _shifted_affine(n, rseed, base):
    """COCO's shift by :math:`x^{opt}` then affine map with the instance's two rotations
    (f6, f13, f23): ``(x_opt, x -> M (x - x_opt))``, ``M`` from :func:`_cond_matrix`."""
    xo = compute_xopt(rseed, n)
    M = _cond_matrix(rotation(rseed + 1000000, n), rotation(rseed, n), base, n)
    return xo, lambda x: M @ (x - xo)


def _matvec(M, x):
    """``M @ x`` summed left to right as COCO's ``transform_vars_affine`` loop does (the
    order matters to 1e-10 where a cosine of a large argument follows, f19)."""
    acc = M[:, 0] * x[0]
    for j in range(1, x.shape[0]):
        acc = acc + M[:, j] * x[j]
    return acc


def _seqsum(v):
    acc = v[0]
    for i in range(1, v.shape[0]):
        acc = acc + v[i]
    return acc


def _penalty(x, bound=5.0):
    return jnp.sum(jnp.maximum(0.0, jnp.abs(x) - bound) ** 2)


# ------------------------------------------------------------------ raw functions
def _ellipsoid_raw(z, n, cond=1e6):
    return jnp.sum(_powers(cond, n) * z * z)


def _rastrigin_raw(z, n):
    return 10.0 * (n - jnp.sum(jnp.cos(2 * PI * z))) + jnp.sum(z * z)


def _rosenbrock_raw(z):
    return 100.0 * jnp.sum((z[:-1] ** 2 - z[1:]) ** 2) + jnp.sum((z[:-1] - 1.0) ** 2)


# ------------------------------------------------------------------ the 24 builders
def f1(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(1, inst)
    return BBOBSpec(lambda x: jnp.sum((x - xo) ** 2) + fo, xo, fo)


def f2(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(2, inst)
    return BBOBSpec(lambda x: _ellipsoid_raw(t_osz(x - xo), n) + fo, xo, fo)


def f3(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(3, inst)
    lam = _powers(np.sqrt(10.0), n)

    def f(x):
        return _rastrigin_raw(lam * t_asy(t_osz(x - xo), 0.2), n) + fo
    return BBOBSpec(f, xo, fo)


def f4(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n).copy(), compute_fopt(4, inst)
    xo[::2] = np.abs(xo[::2])  # in COCO's legacy code, not in the function definitions
    base = _powers(np.sqrt(10.0), n)
    even = np.arange(n) % 2 == 0

    def f(x):
        z = t_osz(x - xo)
        z = jnp.where((z > 0) & even, 10.0 * base, base) * z
        return _rastrigin_raw(z, n) + fo + 100.0 * _penalty(x)
    return BBOBSpec(f, xo, fo)


def f5(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(5, inst)
    best = np.where(xo < 0, -5.0, 5.0)
    s = np.where(best > 0, 1.0, -1.0) * _powers(np.sqrt(100.0), n)

    def f(x):
        # Outside the box x_i s_i >= 25 the slope is flat (COCO's boundary handling).
        inside = x * best < 25.0
        return jnp.sum(5.0 * np.abs(s) - s * jnp.where(inside, x, best)) + fo
    return BBOBSpec(f, best, fo)


def f6(n, inst, rseed):
    (xo, affine), fo = _shifted_affine(n, rseed, np.sqrt(10.0)), compute_fopt(6, inst)

    def f(x):
        z = affine(x)
        raw = jnp.sum(jnp.where(xo * z > 0, 1e4, 1.0) * z * z)
        return t_osz(raw) ** 0.9 + fo
    return BBOBSpec(f, xo, fo)


def f7(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(7, inst)
    r1, r2 = rotation(rseed + 1000000, n), rotation(rseed, n)
    c1 = np.sqrt(_powers(100.0 / 10.0, n))
    w = _powers(100.0, n)

    def f(x):
        z = c1 * (r2 @ (x - xo))
        x1 = z[0]
        z = jnp.where(jnp.abs(z) > 0.5, jnp.floor(z + 0.5), jnp.floor(10.0 * z + 0.5) / 10.0)
        zz = r1 @ z
        return 0.1 * jnp.maximum(jnp.abs(x1) * 1e-4, jnp.sum(w * zz * zz)) + _penalty(x) + fo
    return BBOBSpec(f, xo, fo)


def f8(n, inst, rseed):
    xo, fo = 0.75 * compute_xopt(rseed, n), compute_fopt(8, inst)
    factor = max(1.0, np.sqrt(n) / 8.0)
    return BBOBSpec(lambda x: _rosenbrock_raw(factor * (x - xo) + 1.0) + fo, xo, fo)


def f9(n, inst, rseed):
    fo = compute_fopt(9, inst)
    r = rotation(rseed, n)
    factor = max(1.0, np.sqrt(n) / 8.0)
    M = factor * r
    best = r.sum(axis=0) / (2.0 * factor)
    return BBOBSpec(lambda x: _rosenbrock_raw(M @ x + 0.5) + fo, best, fo)


def f10(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(10, inst)
    R = rotation(rseed + 1000000, n)
    return BBOBSpec(lambda x: _ellipsoid_raw(t_osz(R @ (x - xo)), n) + fo, xo, fo)


def f11(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(11, inst)
    R = rotation(rseed + 1000000, n)

    def f(x):
        z = t_osz(R @ (x - xo))
        return 1e6 * z[0] ** 2 + jnp.sum(z[1:] ** 2) + fo
    return BBOBSpec(f, xo, fo)


def f12(n, inst, rseed):
    xo, fo = compute_xopt(rseed + 1000000, n), compute_fopt(12, inst)
    R = rotation(rseed + 1000000, n)

    def f(x):
        z = R @ t_asy(R @ (x - xo), 0.5)
        return z[0] ** 2 + 1e6 * jnp.sum(z[1:] ** 2) + fo
    return BBOBSpec(f, xo, fo)


def f13(n, inst, rseed):
    (xo, affine), fo = _shifted_affine(n, rseed, np.sqrt(10.0)), compute_fopt(13, inst)

    def f(x):
        z = affine(x)
        ss = jnp.sum(z[1:] ** 2)
        root = jnp.where(ss > 0, jnp.sqrt(_safe(ss > 0, ss)), 0.0)
        return 100.0 * root + z[0] ** 2 + fo
    return BBOBSpec(f, xo, fo)


def f14(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(14, inst)
    R = rotation(rseed + 1000000, n)
    e = 2.0 + 4.0 * np.arange(n) / (n - 1.0)

    def f(x):
        z = jnp.abs(R @ (x - xo))
        s = jnp.sum(jnp.where(z > 0, _safe(z > 0, z) ** e, 0.0))
        return jnp.where(s > 0, jnp.sqrt(_safe(s > 0, s)), 0.0) + fo
    return BBOBSpec(f, xo, fo)


def f15(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(15, inst)
    r1 = rotation(rseed + 1000000, n)
    M = _cond_matrix(r1, rotation(rseed, n), np.sqrt(10.0), n)
    return BBOBSpec(lambda x: _rastrigin_raw(M @ t_asy(t_osz(r1 @ (x - xo)), 0.2), n) + fo,
                    xo, fo)


def f16(n, inst, rseed):
    xo, fo = compute_xopt(rseed, n), compute_fopt(16, inst)
    r1 = rotation(rseed + 1000000, n)
    M = _cond_matrix(r1, rotation(rseed, n), 1.0 / np.sqrt(100.0), n)
    k = np.arange(12)
    ak, bk = 0.5**k, 3.0**k
    f0 = float(np.sum(ak * np.cos(2 * PI * bk * 0.5)))

    def f(x):
        z = M @ t_osz(r1 @ (x - xo))
        s = jnp.sum(jnp.cos(2 * PI * (z[:, None] + 0.5) * bk[None, :]) * ak[None, :])
        return 10.0 * (s / n - f0) ** 3 + fo + 10.0 / n * _penalty(x)
    return BBOBSpec(f, xo, fo)


def _schaffers(n, inst, rseed, function, cond):
    xo, fo = compute_xopt(rseed, n), compute_fopt(function, inst)
    r1 = rotation(rseed + 1000000, n)
    M = _powers(np.sqrt(cond), n)[:, None] * rotation(rseed, n)

    def f(x):
        z = M @ t_asy(r1 @ (x - xo), 0.5)
        s = z[:-1] ** 2 + z[1:] ** 2
        pos = s > 0
        ss = _safe(pos, s)
        terms = jnp.where(pos, ss**0.25 * (1.0 + jnp.sin(50.0 * ss**0.1) ** 2), 0.0)
        return (jnp.sum(terms) / (n - 1.0)) ** 2 + fo + 10.0 * _penalty(x)
    return BBOBSpec(f, xo, fo)


f17 = partial(_schaffers, function=17, cond=10.0)
f18 = partial(_schaffers, function=18, cond=1000.0)


def f19(n, inst, rseed):
    fo = compute_fopt(19, inst)
    scales = max(1.0, np.sqrt(n) / 8.0)
    M = scales * rotation(rseed, n)
    best = M.sum(axis=0) / (2.0 * scales)

    def f(x):
        z = _matvec(M, x) + 0.5
        c1 = z[:-1] * z[:-1] - z[1:]
        c2 = 1.0 - z[:-1]
        t = 100.0 * c1 * c1 + c2 * c2
        return 10.0 + 10.0 * _seqsum(t / 4000.0 - jnp.cos(t)) / (n - 1.0) + fo
    return BBOBSpec(f, best, fo)


def f20(n, inst, rseed):
    fo = compute_fopt(20, inst)
    sign = np.where(unif(n, rseed) - 0.5 < 0, -1.0, 1.0)
    xo = 0.5 * 4.2096874637 * sign
    two = 2.0 * np.abs(xo)
    lam = _powers(np.sqrt(10.0), n)

    def f(x):
        a = 2.0 * sign * x
        zh = jnp.concatenate([a[:1], a[1:] + 0.25 * (a[:-1] - two[:-1])])
        z = 100.0 * (lam * (zh - two) + two)
        az = jnp.abs(z)
        root = jnp.where(az > 0, jnp.sqrt(_safe(az > 0, az)), 0.0)
        pen = jnp.sum(jnp.maximum(0.0, az - 500.0) ** 2)
        return 0.01 * (pen + 418.9828872724339 - jnp.sum(z * jnp.sin(root)) / n) + fo
    return BBOBSpec(f, 0.5 * 4.2096874633 * sign, fo)


def _gallagher(n, inst, rseed, function, peaks):
    fo = compute_fopt(function, inst)
    R = rotation(rseed, n)
    if peaks == 101:
        b, c, maxcond1 = 10.0, 5.0, np.sqrt(1000.0)
    else:
        b, c, maxcond1 = 9.8, 4.9, 1000.0
    u = unif(peaks - 1, rseed)
    perm = np.argsort(u, kind="stable")
    cond = np.empty(peaks)
    cond[0] = maxcond1
    cond[1:] = [1000.0 ** (perm[i - 1] / (peaks - 2.0)) for i in range(1, peaks)]
    values = np.empty(peaks)
    values[0] = 10.0
    values[1:] = [(i - 1) / (peaks - 2.0) * (9.1 - 1.1) + 1.1 for i in range(1, peaks)]
    scales = np.empty((peaks, n))
    for i in range(peaks):
        order = np.argsort(unif(n, rseed + 1000 * i), kind="stable")
        scales[i] = [cond[i] ** (order[j] / (n - 1.0) - 0.5) for j in range(n)]
    r = unif(n * peaks, rseed)
    y = b * r.reshape(peaks, n) - c          # y[j, k] = b r[j n + k] - c
    local = (R @ y.T)                         # local[i, j] = sum_k R[i, k] y[j, k]
    local[:, 0] *= 0.8
    xo = 0.8 * (b * r[:n] - c)
    fac = -0.5 / n

    def f(x):
        tx = R @ x
        d = tx[:, None] - local                 # (n, peaks)
        q = jnp.sum(scales.T * d * d, axis=0)   # (peaks,)
        g = 10.0 - jnp.maximum(0.0, jnp.max(values * jnp.exp(fac * q)))
        return t_osz(g) ** 2 + _penalty(x) + fo
    return BBOBSpec(f, xo, fo)


f21 = partial(_gallagher, function=21, peaks=101)
f22 = partial(_gallagher, function=22, peaks=21)


def f23(n, inst, rseed):
    (xo, affine), fo = _shifted_affine(n, rseed, np.sqrt(100.0)), compute_fopt(23, inst)
    p2 = 2.0 ** np.arange(1, 33)

    def f(x):
        z = affine(x)
        t = p2[None, :] * z[:, None]
        s = jnp.sum(jnp.abs(t - jnp.floor(t + 0.5)) / p2[None, :], axis=1)
        prod = jnp.prod(1.0 + np.arange(1, n + 1) * s)
        return 10.0 / n / n * (-1.0 + prod ** (10.0 / n**1.2)) + fo + _penalty(x)
    return BBOBSpec(f, xo, fo)


def f24(n, inst, rseed):
    fo = compute_fopt(24, inst)
    mu0, d = 2.5, 1.0
    s = 1.0 - 0.5 / (np.sqrt(n + 20.0) - 4.1)
    mu1 = -np.sqrt((mu0 * mu0 - d) / s)
    sign = np.where(gauss(n, rseed) < 0, -1.0, 1.0)
    xo = 0.5 * mu0 * sign
    r1, r2 = rotation(rseed + 1000000, n), rotation(rseed, n)
    c = _powers(np.sqrt(100.0), n)[:, None] * r2

    def f(x):
        xh = 2.0 * sign * x
        z = r1 @ (c @ (xh - mu0))
        s1 = jnp.sum((xh - mu0) ** 2)
        s2 = jnp.sum((xh - mu1) ** 2)
        return (jnp.minimum(s1, d * n + s * s2) + 10.0 * (n - jnp.sum(jnp.cos(2 * PI * z)))
                + 1e4 * _penalty(x) + fo)
    return BBOBSpec(f, xo, fo)


BUILDERS = (f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18,
            f19, f20, f21, f22, f23, f24)

NAMES = ("sphere", "ellipsoid", "rastrigin", "bueche_rastrigin", "linear_slope",
         "attractive_sector", "step_ellipsoid", "rosenbrock", "rosenbrock_rotated",
         "ellipsoid_rotated", "discus", "bent_cigar", "sharp_ridge", "different_powers",
         "rastrigin_rotated", "weierstrass", "schaffers_f7", "schaffers_f7_ill",
         "griewank_rosenbrock", "schwefel", "gallagher_101", "gallagher_21", "katsuura",
         "lunacek_bi_rastrigin")

#: Function -> why it is not smooth (its gradient does not exist or is useless at or near
#: the optimum); the others have a continuous gradient on the box.
SMOOTH = {
    6: "f^0.9 of a quadratic: gradient Hölder, not Lipschitz, at the optimum",
    7: "piecewise constant (rounded plateaus): the gradient is 0 almost everywhere",
    13: "a norm: kink along the whole ridge",
    14: "sqrt of a sum of |z_i|^p with p >= 2: a cusp like |z_1| at the optimum",
    16: "Weierstrass sum up to 3^11 frequencies: gradients of size ~1e5, rugged",
    17: "|z|^(1/2) terms: cusp at the optimum",
    18: "|z|^(1/2) terms: cusp at the optimum",
    20: "sqrt|z| inside sin: cusps where a coordinate of z is 0",
    21: "max over 101 peaks: kinks where the top peak changes",
    22: "max over 21 peaks: kinks where the top peak changes",
    23: "rounding to 2^-j grids: the gradient is undefined on a dense set",
    24: "min of two quadratics: kink between the funnels",
}
