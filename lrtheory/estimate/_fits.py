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

from ._thresholds import THRESHOLDS as TH

__all__ = ["Fit", "line", "med", "gn_step", "lsq", "tq", "block_max", "linear_models", "power_law",
           "power_law_se", "rss_many", "sign_changes"]


@lru_cache(maxsize=512)
def tq(df: int, level: float) -> float:
    """Two-sided Student-t quantile for ``df`` degrees of freedom at ``level``."""
    from scipy.special import stdtrit  # far lighter to import than scipy.stats

    return float(stdtrit(max(df, 1), 0.5 + level / 2))


class Fit(NamedTuple):
    beta: np.ndarray | tuple      # coefficients (a tuple from :func:`line`)
    se: np.ndarray | tuple        # their standard errors
    rss: float
    df: int
    resid: np.ndarray


def line(x: np.ndarray, y: np.ndarray) -> Fit:
    """Least-squares line ``y ~ b0 + b1 (x - mean x)`` with plain standard errors (the
    two-column case of :func:`lsq`, in closed form: it is most of the estimator's work)."""
    n = x.size
    xc = x - x.sum() / n
    my = float(y.sum()) / n
    sxx = float(xc @ xc)
    b1 = float(xc @ y) / sxx if sxx > 0 else 0.0
    r = y - (my + b1 * xc)
    rss = float(r @ r)
    df = n - 2
    if df <= 0 or sxx <= 0:
        return Fit((my, b1), (math.inf, math.inf), rss, df, r)
    s2 = rss / df
    return Fit((my, b1), (math.sqrt(s2 / n), math.sqrt(s2 / sxx)), rss, df, r)


def _svd_solve(X: np.ndarray, y: np.ndarray):
    """Least squares ``y ~ X beta`` from one thin SVD, with ``np.linalg.lstsq``'s rank rule
    (singular values below ``eps max(n, k)`` of the largest count as zero). Works on a
    stack of designs ``(..., n, k)`` sharing ``y``; returns ``beta``, the residuals, and
    ``V``, ``1/s`` (0 where dropped) for the covariance ``(X'X)^+ = V diag(1/s^2) V'``."""
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    keep = sv > sv[..., :1] * (np.finfo(float).eps * max(X.shape[-2:]))
    inv = np.where(keep, 1.0 / np.where(keep, sv, 1.0), 0.0)
    Uy = y @ U
    beta = ((inv * Uy)[..., None, :] @ Vt)[..., 0, :]
    # y minus its projection on the kept columns of U: the residuals, computed without the
    # cancellation of y - X beta when the fit is exact
    r = y - (U @ np.where(keep, Uy, 0.0)[..., None])[..., 0]
    return beta, r, Vt, inv


def rss_many(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residual sums of squares of ``y ~ X[g] beta`` for a stack of designs ``X``."""
    r = _svd_solve(X, y)[1]
    return (r * r).sum(axis=-1)


def _hac_meat(U: np.ndarray, lag: int) -> np.ndarray:
    r"""Newey-West's :math:`\sum_t u_t u_t' + \sum_{j=1}^{lag} (1 - j/(lag+1))
    (\Gamma_j + \Gamma_j')` with :math:`\Gamma_j = \sum_t u_{t+j} u_t'`, as
    :math:`\sum_t v_t u_t'` where :math:`v_t = \sum_j w_j u_{t+j}`, from prefix sums (O(n)
    instead of a product per lag)."""
    n, k = U.shape
    # prefix sums S0[t] = sum_{s<t} u_s, S1[t] = sum_{s<t} s u_s: the window sums
    # sum_{j=1}^{lag} u_{t+j} and sum_j j u_{t+j} in O(n), the Bartlett weight being linear
    s = np.arange(n, dtype=float)[:, None]
    S0 = np.concatenate([np.zeros((1, k)), np.cumsum(U, axis=0)])
    S1 = np.concatenate([np.zeros((1, k)), np.cumsum(s * U, axis=0)])
    t = np.arange(n)
    hi = np.minimum(t + lag, n - 1) + 1         # the window is u_{t+1} .. u_{min(t+lag, n-1)}
    w0 = S0[hi] - S0[t + 1]
    w1 = (S1[hi] - S1[t + 1]) - s * w0        # sum_j j u_{t+j}
    G = (w0 - w1 / (lag + 1)).T @ U
    return U.T @ U + G + G.T


def lsq(X: np.ndarray, y: np.ndarray, hac: bool = False) -> Fit:
    """Least squares ``y ~ X beta``; standard errors plain or Newey-West (``hac``)."""
    n, k = X.shape
    beta, r, Vt, inv = _svd_solve(X, y)
    rss = float(r @ r)
    df = n - k
    if df <= 0:
        return Fit(beta, np.full(k, np.inf), rss, df, r)
    G = (Vt.T * inv * inv) @ Vt                  # (X'X)^+
    if not hac or rss <= 1e-24 * (float(y @ y) + 1.0):     # no noise: nothing to correlate
        se = np.sqrt(np.maximum(np.diag(G), 0.0) * rss / df)
        return Fit(beta, se, rss, df, r)
    rho = float(r[1:] @ r[:-1] / rss) if rss > 0 and n > 3 else 0.0
    rho = min(max(rho, 0.0), 0.97)
    # Andrews (1991) AR(1) plug-in bandwidth for the Bartlett kernel
    alpha = 4 * rho * rho / ((1 - rho) ** 2 * (1 + rho) ** 2)
    lag = min(max(int(math.ceil(1.1447 * (alpha * n) ** (1 / 3))), 1), n - 1,
              int(math.ceil(2 * math.sqrt(n))))
    cov = G @ _hac_meat(X * r[:, None], lag) @ G * n / df
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
      :math:`\sum_j \log(1 + \beta s^j)` to second order), :math:`s` profiled on a grid
      and refined by Brent's bounded method;

    keeping a transient model when its F statistic exceeds ``f_model``, it makes the
    residual sum of squares ``rss_gain`` times smaller, and its slope stays negative and
    moves by less than half of itself but by more than two standard errors. The transient
    :math:`s^k` decays at least to ``s_span_max`` across the window (a slower one is
    collinear with the rate itself). Returns the slope
    (:math:`\log C`), its standard error, residual degrees of freedom and the model name.
    """
    from scipy.optimize import minimize_scalar

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
    # already explains most of the line's residuals (its rss by Frisch-Waugh: the line's
    # residuals less their projection on xc^2 made orthogonal to 1 and xc)
    q = xc * xc
    q -= q.sum() / n + xc * (float(q @ xc) / float(xc @ xc))
    qq = float(q @ q)
    rss_q = f1.rss - (float(f1.resid @ q) ** 2 / qq if qq > 0 else 0.0)
    if rss_q * 10 > f1.rss:
        return best
    cands = []
    lk = np.log(x + 1.0)
    f2 = lsq(np.column_stack([X1, lk - lk.mean()]), y)
    cands.append((f2, "geometric times k^m"))
    span = x.max() - x.min()
    if span > 0:
        x0 = x - x.min()

        def designs(lv):      # the settling designs for log s = lv / span, stacked
            z = np.exp(np.outer(lv / span, x0))
            Z = [z - z.mean(axis=1, keepdims=True)]
            if n >= 10:
                Z.append(z * z - (z * z).mean(axis=1, keepdims=True))
            return np.concatenate([np.broadcast_to(X1, (lv.size, n, 2)),
                                   np.stack(Z, axis=2)], axis=2)

        X = np.empty((n, 4 if n >= 10 else 3))
        X[:, :2] = X1

        def rss1(v):          # designs(v) for one v, filled in place (Brent's evaluations)
            z = np.exp(v / span * x0)
            X[:, 2] = z - z.sum() / n
            if n >= 10:
                z *= z
                X[:, 3] = z - z.sum() / n
            return float(rss_many(X, y))

        # s profiled: a grid, then Brent's bounded method on the bracket of the best point
        grid = np.linspace(math.log(1e-8), math.log(s_span_max), 24)
        rss = rss_many(designs(grid), y)
        i = int(np.argmin(rss))
        res = minimize_scalar(rss1, method="bounded", options={"xatol": 1e-2},
                              bounds=(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]))
        v = float(res.x) if res.fun <= rss[i] else float(grid[i])
        f3 = lsq(designs(np.array([v]))[0], y)
        cands.append((Fit(f3.beta, f3.se, f3.rss, f3.df - 1, f3.resid),
                      f"geometric plus a transient {math.exp(v / span):.4g}^k"))
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
    geometric: bool = False   # k0 ended at its largest value: the family's geometric limit


def power_law(k: np.ndarray, L: np.ndarray) -> PowerFit:
    r""":math:`\log e_k = \log A - p \log(k + k_0)` by least squares: for a given
    :math:`u = \log(k_{\min} + k_0)` the model is a line in :math:`\log(k + k_0)`, so
    :math:`u` is profiled (variable projection): a grid of 10 points, then Newton's method
    on the profile with its exact first and second derivatives, kept inside the bracket of
    the best grid point and never raising the residuals (beyond the round-off of its last
    step). :math:`k_0 - k_{\min}` ranges from 0.05 to ``K0_MAX_SPANS`` times the span plus
    one; ``geometric`` says the fit ended at that end (the profile still falling there: as
    :math:`k_0, p \to \infty` with :math:`p / k_0` fixed the law tends to a geometric
    decrease, which the data prefer). Standard errors (NaN here) from
    :func:`power_law_se`."""
    kmin = float(k.min())
    dk = k - kmin
    n = k.size
    mL = float(L.sum()) / n
    Lc = L - mL

    def state(u):          # the best line for one u: rss, centred log(k + k0), its
        lk = np.log(dk + math.exp(u))       # sum of squares, slope, residuals, its mean
        m = float(lk.sum()) / n
        lk -= m
        sxx = float(lk @ lk)
        b = float(lk @ Lc) / sxx if sxx > 0 else 0.0
        r = Lc - b * lk
        return float(r @ r), lk, sxx, b, r, m

    hi = math.log(TH.K0_MAX_SPANS * (k.max() - kmin + 1.0))
    lo = math.log(0.05)
    us = np.linspace(lo, hi, 10)
    lk = np.log(dk + np.exp(us)[:, None])
    lk -= lk.mean(axis=1, keepdims=True)
    sxx = np.einsum("gn,gn->g", lk, lk)
    r = Lc - ((lk @ Lc) / np.where(sxx > 0, sxx, 1.0))[:, None] * lk
    i = int(np.argmin(np.einsum("gn,gn->g", r, r)))
    u, a, z = float(us[i]), float(us[max(i - 1, 0)]), float(us[min(i + 1, 9)])
    cur, lk, sxx, b, r, _ = state(u)
    # Newton on phi(u) = min over (c, b) of |L - c - b l(u)|^2, l = log(k - k_min + e^u):
    # with w = dl/du, phi' = -2 b r.w and phi'' = 2 (b^2 |w_c|^2 - b r.(w (1 - w)))
    # - 2 (b w_c.l_c - r.w)^2 / |l_c|^2 (envelope theorem; the second term removes the
    # coupling with the line's coefficients; _c = centred)
    for _ in range(60):
        w = 1.0 / (dk * math.exp(-u) + 1.0)
        rw = float(r @ w)
        grad = -2.0 * b * rw
        if grad == 0.0 or cur == 0.0 or sxx <= 0.0:
            break
        wc = w - w.sum() / n
        cross = b * float(wc @ lk) - rw
        hess = (2.0 * (b * b * float(wc @ wc) - b * float(r @ (w * (1.0 - w))))
                - 2.0 * cross * cross / sxx)
        if grad > 0:       # the minimum lies below u (phi unimodal on the bracket)
            z = u
        else:
            a = u
        un = u - grad / hess if hess > 0 else (a if grad > 0 else z)
        if not a < un < z:
            un = 0.5 * (u + (a if grad > 0 else z))
        if abs(un - u) <= 1e-8 * (1.0 + abs(u)):
            # converged: a step this small is at the round-off of the gradient (r.w
            # cancels); it is taken unchecked (quadratic convergence: exact data end here)
            u = un
            break
        st = state(un)
        for _ in range(10):            # never raise the residuals
            if st[0] <= cur:
                break
            un = 0.5 * (u + un)
            st = state(un)
        if st[0] > cur:
            break
        u = un
        cur, lk, sxx, b, r, _ = st
    cur, _, _, b, _, m = state(u)
    # log e = mean(L) + b (log(k + k0) - m): log A = mean(L) - b m, p = -b
    return PowerFit(-b, mL - b * m, math.exp(u) - kmin, math.nan, math.nan, n - 3, cur,
                    u >= hi - 1e-6 * (1.0 + abs(hi)))


def power_law_se(k: np.ndarray, L: np.ndarray, pf: PowerFit) -> PowerFit:
    """``pf`` (a :func:`power_law` fit of ``(k, L)``) with the standard errors of ``p`` and
    ``log A``: the residuals regressed on the Jacobian of the full model (zero coefficients
    at the optimum) with a Newey-West covariance, so the uncertainty of ``k0`` is included.
    Apart from the fit because only the fit that is reported needs them."""
    kk = k + pf.k0
    J = np.column_stack([np.ones(k.size), -np.log(kk), -pf.p / kk])   # d/d(logA, p, k0)
    f = lsq(J, L - (pf.logA - pf.p * np.log(kk)), hac=True) if k.size > 4 else None
    if f is None or not np.all(np.isfinite(f.se)):
        return pf._replace(se_p=math.inf, se_logA=math.inf)
    return pf._replace(se_p=float(f.se[1]), se_logA=float(f.se[0]))
