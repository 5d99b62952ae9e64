r"""Least-squares fits with intervals, on one row of log errors.

Intervals have a stated level and come from the fit's own residuals:

- ``lsq`` with ``hac=True``: Newey-West (1987) heteroskedasticity- and autocorrelation-
  consistent covariance (Bartlett kernel, Andrews (1991) AR(1) plug-in lag, at most
  :math:`2\sqrt{n}`), never below
  the AR(1)-corrected plain standard error (factor :math:`\sqrt{(1+\rho)/(1-\rho)}`),
  because successive errors of an optimiser share their noise;
- the linear rate is fitted on block maxima (the upper envelope; blocks of 20 and more
  iterates are nearly independent, the *batch means* argument), with a plain t interval;
- a t quantile with the residual degrees of freedom everywhere (few points: wide).

For a deterministic sequence there is no noise: the interval is then the fit uncertainty
implied by the model residuals (how far the data are from the model), not a statement
about repeated sampling.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

__all__ = ["Fit", "line", "med", "gn_step", "lsq", "tq", "block_max", "linear_models", "power_law",
           "sign_changes"]


@lru_cache(maxsize=512)
def tq(df: int, level: float) -> float:
    """Two-sided Student-t quantile for ``df`` degrees of freedom at ``level``."""
    from scipy.special import stdtrit  # far lighter to import than scipy.stats

    return float(stdtrit(max(df, 1), 0.5 + level / 2))


class Fit(NamedTuple):
    beta: np.ndarray
    se: np.ndarray
    rss: float
    df: int
    resid: np.ndarray


def line(x: np.ndarray, y: np.ndarray) -> Fit:
    """Least-squares line ``y ~ b0 + b1 (x - mean x)`` with plain standard errors (the
    two-column case of :func:`lsq`, in closed form: it is most of the estimator's work)."""
    n = x.size
    xc = x - x.sum() / n
    my = y.sum() / n
    sxx = float(xc @ xc)
    b1 = float(xc @ y) / sxx if sxx > 0 else 0.0
    r = y - my - b1 * xc
    rss = float(r @ r)
    df = n - 2
    if df <= 0 or sxx <= 0:
        return Fit(np.array([my, b1]), np.array([np.inf, np.inf]), rss, df, r)
    s2 = rss / df
    return Fit(np.array([my, b1]), np.array([math.sqrt(s2 / n), math.sqrt(s2 / sxx)]), rss,
               df, r)


def lsq(X: np.ndarray, y: np.ndarray, hac: bool = False) -> Fit:
    """Least squares ``y ~ X beta``; standard errors plain or Newey-West (``hac``)."""
    n, k = X.shape
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ beta
    rss = float(r @ r)
    df = n - k
    if df <= 0:
        return Fit(beta, np.full(k, np.inf), rss, df, r)
    G = np.linalg.pinv(X.T @ X)
    if not hac or rss <= 1e-24 * (float(y @ y) + 1.0):     # no noise: nothing to correlate
        se = np.sqrt(np.maximum(np.diag(G), 0.0) * rss / df)
        return Fit(beta, se, rss, df, r)
    rho = float(r[1:] @ r[:-1] / rss) if rss > 0 and n > 3 else 0.0
    rho = min(max(rho, 0.0), 0.97)
    U = X * r[:, None]
    S = U.T @ U
    # Andrews (1991) AR(1) plug-in bandwidth for the Bartlett kernel
    alpha = 4 * rho * rho / ((1 - rho) ** 2 * (1 + rho) ** 2)
    lag = min(max(int(math.ceil(1.1447 * (alpha * n) ** (1 / 3))), 1), n - 1,
              int(math.ceil(2 * math.sqrt(n))))
    for j in range(1, lag + 1):
        Gj = U[j:].T @ U[:-j]
        S += (1 - j / (lag + 1)) * (Gj + Gj.T)
    cov = G @ S @ G * n / df
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    # the kernel truncates the long-run variance; never below the AR(1)-corrected
    # plain standard error
    se_ar = np.sqrt(np.maximum(np.diag(G), 0.0) * rss / df * (1 + rho) / (1 - rho))
    return Fit(beta, np.maximum(se, se_ar), rss, df, r)


def block_max(k: np.ndarray, L: np.ndarray, nb: int):
    """Upper envelope: maxima of ``nb`` near-equal blocks of the points ``(k, L)``;
    returns the positions and values (first position on ties)."""
    n = L.size
    nb = max(1, min(nb, n))
    starts = (np.arange(nb) * n) // nb
    ends = ((np.arange(nb) + 1) * n) // nb
    idx = starts[:, None] + np.arange(int((ends - starts).max()))[None, :]
    vals = np.where(idx < ends[:, None], L[np.minimum(idx, n - 1)], -np.inf)
    am = vals.argmax(axis=1)
    rows = np.arange(nb)
    return k[starts + am].astype(float), vals[rows, am]


def golden(fn, a: float, b: float, tol: float) -> float:
    """Minimiser of a unimodal ``fn`` on ``[a, b]`` by golden-section search to ``tol``."""
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = fn(c), fn(d)
    while b - a > tol:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = fn(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = fn(d)
    return (a + b) / 2


def gn_step(J: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Gauss-Newton step: least squares ``J step ~ r`` by the normal equations (a few
    columns, many rows: far cheaper than an SVD), least squares on failure."""
    try:
        return np.linalg.solve(J.T @ J, J.T @ r)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(J, r, rcond=None)[0]


def med(a: np.ndarray) -> float:
    """Median of a small array (np.median's overhead dominates at this size)."""
    s = np.sort(a)
    n = s.size
    return 0.5 * float(s[(n - 1) // 2] + s[n // 2])


def sign_changes(r: np.ndarray) -> int:
    s = np.sign(r[np.abs(r) > 1e-12 * (np.abs(r).max() + 1e-300)])
    return int(np.count_nonzero(s[1:] != s[:-1]))


class LinModel(NamedTuple):
    slope: float
    se: float
    df: int
    model: str
    resid_sd: float
    t: float


def linear_models(x: np.ndarray, y: np.ndarray, f_model: float, rss_gain: float,
                  s_span_max: float) -> LinModel:
    r"""Fit the envelope ``(x, y)`` by :math:`\log e = c + k \log C` and, when the residuals
    are structured (few sign changes), by the two transient models

    - :math:`\log e = c + k \log C + m \log(k + 1)` (a double eigenvalue, :math:`k r^k`);
    - :math:`\log e = c + k \log C + b_1 s^k + b_2 s^{2k}` (ratios settling
      geometrically, :math:`C_k = C + a s^k`, or a second mode: the expansion of
      :math:`\sum_j \log(1 + \beta s^j)` to second order), :math:`s` profiled on a grid;

    keeping a transient model when its F statistic exceeds ``f_model``, it makes the
    residual sum of squares ``rss_gain`` times smaller, and its slope stays negative and
    moves by less than half of itself but by more than two standard errors. The transient
    :math:`s^k` decays at least to ``s_span_max`` across the window (a slower one is
    collinear with the rate itself). Returns the slope
    (:math:`\log C`), its standard error, residual degrees of freedom and the model name.
    """
    n = x.size
    xc = x - x.mean()
    X1 = np.column_stack([np.ones(n), xc])
    f1 = line(x, y)
    best = LinModel(f1.beta[1], f1.se[1], f1.df, "geometric", math.sqrt(f1.rss / max(f1.df, 1)),
                    0.0)
    if (n < 8 or sign_changes(f1.resid) >= max(3, n // 3)
            or best.resid_sd <= 1e-11 * max(1.0, float(np.abs(y).max()))):
        return best     # noise, or exact to rounding: no transient to model
    # a cheap screen: a transient worth modelling bends the envelope, so a parabola
    # already explains most of the line's residuals
    fq = lsq(np.column_stack([X1, xc * xc]), y)
    if fq.rss * 10 > f1.rss:
        return best
    cands = []
    lk = np.log(x + 1.0)
    f2 = lsq(np.column_stack([X1, lk - lk.mean()]), y)
    cands.append((f2, "geometric times k^m"))
    span = x.max() - x.min()
    if span > 0:
        def fit3(lv):
            s = math.exp(lv / span)
            z = s ** (x - x.min())
            Z = [z - z.mean()] + ([z * z - (z * z).mean()] if n >= 10 else [])
            return lsq(np.column_stack([X1] + Z), y), s

        grid = np.linspace(math.log(1e-8), math.log(s_span_max), 24)
        rss = [fit3(v)[0].rss for v in grid]
        i = int(np.argmin(rss))
        v = golden(lambda v: fit3(v)[0].rss, grid[max(i - 1, 0)],
                   grid[min(i + 1, grid.size - 1)], 1e-6)
        f3, s = fit3(v if fit3(v)[0].rss <= rss[i] else float(grid[i]))
        cands.append((Fit(f3.beta, f3.se, f3.rss, f3.df - 1, f3.resid),
                      f"geometric plus a transient {s:.4g}^k"))
    for f, name in cands:
        if f.df < 1:
            continue
        corr = float(f.beta[1] - f1.beta[1])
        # the extrapolation must stay a decrease, move the slope by less than half of it,
        # and move it by more than its own uncertainty (else the plain slope stands)
        if not (f.beta[1] < 0 and abs(corr) <= 0.5 * abs(f1.beta[1])
                and abs(corr) >= 2 * f.se[1]):
            continue
        F = (f1.rss - f.rss) / max(f.rss / f.df, 1e-300 * (f1.rss + 1e-300))
        # a transient model must explain the structure, not a part of it (a spiral's
        # envelope is structured too): F large and the residuals RSS_GAIN times smaller
        if F > f_model and f.rss * rss_gain <= f1.rss and F > best.t:
            best = LinModel(f.beta[1], f.se[1], f.df, name, math.sqrt(f.rss / f.df), F)
    return best


class PowerFit(NamedTuple):
    p: float
    logA: float
    k0: float
    se_p: float
    se_logA: float
    df: int
    rss: float


def power_law(k: np.ndarray, L: np.ndarray) -> PowerFit:
    r""":math:`\log e_k = \log A - p \log(k + k_0)` by least squares, :math:`k_0` profiled
    (grid on :math:`\log(k_{\min} + k_0)`, then Gauss-Newton), standard errors of
    :math:`p, \log A` from the Newey-West covariance of the full (linearised) model, so the
    uncertainty of :math:`k_0` is included."""

    kmin = float(k.min())

    def fit(u):
        lk = np.log(k - kmin + math.exp(u))
        f = line(lk, L)
        slope = float(f.beta[1])
        return f.rss, (float(f.beta[0]) - slope * float(lk.mean()), slope)

    hi = math.log(10.0 * (k.max() - kmin + 1.0))
    lo = math.log(0.05)
    us = np.linspace(lo, hi, 10)
    vals = [fit(u)[0] for u in us]
    i = int(np.argmin(vals))
    u, cur = float(us[i]), vals[i]
    # Gauss-Newton on (log A, p, u = log(k_min + k0)) from the best grid point, damped
    # so that the residuals never grow and u stays inside the grid's range
    c, p_ = fit(u)[1]
    p_ = -p_
    for _ in range(40):
        e_u = math.exp(u)
        kk = k - kmin + e_u
        lk = np.log(kk)
        r = L - (c - p_ * lk)
        J = np.column_stack([np.ones(k.size), -lk, -p_ * e_u / kk])
        step = gn_step(J, r)
        t = 1.0
        while t > 1e-6:
            un = min(max(u + t * step[2], lo), hi)
            rn = L - (c + t * step[0] - (p_ + t * step[1]) * np.log(k - kmin + math.exp(un)))
            new = float(rn @ rn)
            if new <= cur:
                break
            t /= 2
        else:
            break
        c, p_, u = c + t * step[0], p_ + t * step[1], un
        done = cur - new <= 1e-14 * cur or new == 0.0
        cur = new
        if done:
            break
    rss, beta = fit(u)
    k0 = math.exp(u) - kmin
    p, logA = -beta[1], beta[0]
    kk = k + k0
    J = np.column_stack([np.ones(k.size), -np.log(kk), -p / kk])   # d/d(logA, p, k0)
    # regressing the residuals on the Jacobian: zero coefficients at the optimum, and the
    # (Newey-West) covariance of the linearised model
    f = lsq(J, L - (logA - p * np.log(kk)), hac=True) if k.size > 4 else None
    if f is None or not np.all(np.isfinite(f.se)):
        return PowerFit(p, logA, k0, math.inf, math.inf, k.size - 3, rss)
    se = f.se
    return PowerFit(p, logA, k0, float(se[1]), float(se[0]), k.size - 3, rss)
