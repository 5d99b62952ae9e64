"""Linear and sublinear regimes of one row: the envelope's rate with its transient
models, the power law, and the joint rate-and-floor fit. Part of stage 3."""

from __future__ import annotations

import math

import numpy as np

from .._vocab import Regime
from ._fits import (
    block_max,
    gn_step,
    line,
    linear_models,
    lsq,
    med,
    power_law,
    power_law_se,
    sign_changes,
    tq,
)
from ._records import LN10
from ._regimes import Finding, _ci, _exp, g
from ._thresholds import THRESHOLDS as TH

__all__ = ["linear_or_sublinear", "linear_to_floor"]


def _sublinear_fit(k, L):
    """Power law A (k + k0)^-p over the whole stretch when its residuals change sign like
    noise; else over the earliest start (0, n/8, n/4 of the stretch, else the last half)
    whose model fits the last half as well as the last half's own fit (F statistic of the
    3 extra constraints at most SUB_F). Returns the fit with its standard errors and the
    start; None when the last half's own fit is the family's geometric limit (k0 at
    K0_MAX_SPANS spans): there the decrease is geometric, not a power law."""
    n = L.size
    h = n // 2
    ref = power_law(k[h:], L[h:])
    if ref.geometric:
        return None
    whole = power_law(k, L)
    r = L - (whole.logA - whole.p * np.log(k + whole.k0))
    if sign_changes(r) >= n // 3:
        return power_law_se(k, L, whole), 0   # residuals like noise: the model holds on all
    for s in (0, n // 8, n // 4):
        if n - s < 8:
            continue
        f = whole if s == 0 else power_law(k[s:], L[s:])
        r = L[h:] - (f.logA - f.p * np.log(k[h:] + f.k0))
        rss_w = float(r @ r)
        F = (rss_w - ref.rss) / 3 / max(ref.rss / max(ref.df, 1), 1e-300)
        if F <= TH.SUB_F:
            return power_law_se(k[s:], L[s:], f), s
    return power_law_se(k[h:], L[h:], ref), h


def _settled_start(xs, Ms, n_min, L=None):
    """Index (into the envelope) from which the slopes between consecutive blocks stay
    within LIN_SETTLE (relative) of the final slope: a transient with another rate (a fast
    mode, a sign-like phase) ends there. Only where the slopes are precise enough to see
    such a change (three robust standard deviations below it); else 0."""
    b = np.diff(Ms) / np.diff(xs)
    if b.size < 4:
        return 0
    tail = b[-max(3, b.size // 4):]
    ref = med(tail)
    sd = 1.4826 * med(np.abs(tail - ref))
    if L is not None and L.size >= 8:
        # the noise of one block-to-block slope from the point-to-point scatter of the
        # last half (a few block slopes alone underestimate it)
        dl = np.diff(L[L.size // 2:])
        point_sd = 1.4826 * med(np.abs(dl - med(dl))) / math.sqrt(2)
        sd = max(sd, point_sd * math.sqrt(2) / max((xs[-1] - xs[0]) / (xs.size - 1), 1.0))
    tol = TH.LIN_SETTLE * abs(ref)
    if 3 * sd > tol:           # slopes too noisy to see a change of the rate: keep the half
        return 0
    bad = np.flatnonzero(np.abs(b - ref) > tol)
    return min(int(bad[-1]) + 1, xs.size - n_min) if bad.size else 0


def linear_or_sublinear(k, L, auto, level) -> Finding | None:
    """On the window (last half of the stretch unless given): linear when the envelope
    falls geometrically (REAL_DEC decades, or STEADY_DEC with every block falling or a
    t statistic of T_STEADY) with the rate from :func:`linear_models`; sublinear when a
    power law fits the envelope better and the decrease is short of REAL_DEC."""
    n = L.size
    w0 = n // 2 if auto else 0
    kf = k.astype(float)
    env = None                    # the whole stretch's envelope, when computed
    if auto and n >= 6 * 8:
        xs, Ms = block_max(kf, L, min(TH.NB_FIT, n // 8))
        if n // 8 >= TH.NB_FIT:
            env = xs, Ms
        j = _settled_start(xs, Ms, 4, L)
        if j > 0:
            w0 = max(w0, int(np.searchsorted(k, xs[j])))
    w0 = min(w0, max(n - max(TH.N_MIN, n // 8), 0))
    kw, Lw = kf[w0:], L[w0:]
    x, M = block_max(kw, Lw, TH.NB_FIT)
    nb = x.size
    if nb < 3:
        return None
    f1 = line(x, M)
    s = float(f1.beta[1])
    span = float(x[-1] - x[0])
    dec = -s * span
    dM = np.diff(M)
    a, b = int(kw[0]), int(kw[-1])
    sub = False
    if 0 < dec < TH.REAL_DEC * LN10 and n >= 8:
        # decided on the whole stretch, where log k spans its range: a power law fits the
        # envelope better than a line, and the slope flattens (first half SUB_FLATTEN
        # times steeper than the second)
        xs, Ms = env if env is not None else block_max(kf, L, TH.NB_FIT)
        if xs.size >= 6:
            fl_ = line(xs, Ms)
            fp = line(np.log(xs - xs[0] + 1.0), Ms)
            h = xs.size // 2
            sa = line(xs[:h], Ms[:h]).beta[1]
            sb = line(xs[h:], Ms[h:]).beta[1]
            sub = (fp.rss < fl_.rss and fp.beta[1] < 0 and sa < 0 and sb < 0
                   and sa / sb >= TH.SUB_FLATTEN)
    fit = _sublinear_fit(kf, L) if sub else None
    if fit is not None:
        pf, s0 = fit
        if pf.p > 0:
            A = _exp(pf.logA)
            t = tq(max(pf.df, 1), level)
            return Finding(Regime.SUBLINEAR, {
                "p": pf.p, "p_ci": (pf.p - t * pf.se_p, pf.p + t * pf.se_p) if math.isfinite(
                    pf.se_p) else None, "A": A,
                "A_ci": _ci(pf.logA, pf.se_logA, pf.df, level), "k0": pf.k0},
                (int(k[s0]), int(k[-1])),
                f"log e is closer to linear in log k than in k over iterates {a}..{b}; "
                f"e_k = A (k + k0)^-p fitted on log e over iterates {int(k[s0])}..{int(k[-1])} "
                f"(k0 = {g(pf.k0)} profiled; the earliest start whose p agrees with the last "
                f"half's), {level:.0%} Newey-West intervals")
    t3 = max(3, nb // 3)
    fl3 = line(x[-t3:], M[-t3:])
    # the envelope still falls at the end (or its last third does not rise significantly:
    # with strong noise a few block maxima cannot show the fall)
    last_bs = fl3.beta[1] - (fl3.se[1] if np.isfinite(fl3.se[1]) else 0.0)
    steady = bool(np.all(dM < 0))
    drops = np.maximum(-dM, 0.0)
    t_lin = abs(s) / f1.se[1] if f1.se[1] > 0 else math.inf
    lin = (s < 0 and (last_bs < 0 or dec >= TH.REAL_DEC * LN10) and _exp(s) is not None
           and drops.max() <= 0.5 * drops.sum()
           and (dec >= TH.REAL_DEC * LN10 or ((steady or t_lin >= TH.T_STEADY)
                                               and dec >= TH.STEADY_DEC * LN10)))
    if not lin:
        return None
    lm = linear_models(x, M, TH.F_MODEL, TH.RSS_GAIN, TH.S_SPAN_MAX)
    rate = _exp(lm.slope)
    return Finding(Regime.LINEAR, {"q": 1.0, "rate": rate,
                                   "rate_ci": _ci(lm.slope, lm.se, lm.df, level),
                                   "model": lm.model},
                   (a, b), f"decrease by {g(dec / LN10)} decades over iterates {a}..{b}"
                   + (f" (iterates {int(k[0])}..{a - 1} dropped as pre-asymptotic)" if w0 else "")
                   + f"; C from the slope of the upper envelope ({nb} block maxima), model "
                   f"{lm.model}, {level:.0%} t interval from the block residuals"
                   + ("; log e is closer to linear in log k over the whole stretch, but the "
                      "last half's best power law is the geometric limit (k0 at "
                      f"{g(TH.K0_MAX_SPANS)} spans): not sublinear" if sub and fit is None
                      else ""))


def linear_to_floor(k, L, i0, logF):
    r"""Joint fit of a linear decrease into a noise floor: :math:`\log e_k =
    \log(e^{a + k \log C} + e^{c}) + \eta_k` (Gauss-Newton, then Newton near the minimum,
    from the floor level ``logF`` and a line through the points a decade above it) on the
    points ``i0..``, the floor included, so the bend into the floor is modelled, not cut.
    Newey-West covariance.
    Returns ``(log C, se, c, se_c, df)`` or None when it does not converge."""
    kk, y = k[i0:].astype(float), L[i0:]
    above = y > logF + LN10
    if kk.size < 8 or above.sum() < 3:
        return None
    b, a = np.polyfit(kk[above], y[above], 1)
    k0 = kk.mean()
    a, c = a + b * k0, logF
    x = kk - k0

    def rss_at(a, b, c):
        u = np.exp(np.clip(a + b * x - c, -700, 700))
        r = y - c - np.log1p(u)
        return float(r @ r), u, r

    cur, u, res = rss_at(a, b, c)
    D = np.column_stack([np.ones(kk.size), x, -np.ones(kk.size)])   # ds/d(a, b, c)
    near = False
    for _ in range(60):
        w = u / (u + 1.0)
        J = np.column_stack([w, w * x, 1.0 - w])
        step = None
        if near:
            # close to the minimum, Newton: the model c + log(1 + e^s), s = a + b x - c,
            # has second derivatives w (1 - w) ds ds', so the Hessian of |r|^2 / 2 is
            # J'J - D' diag(r w (1 - w)) D (Gauss-Newton converges only linearly here)
            H = J.T @ J - (D * (res * w * (1.0 - w))[:, None]).T @ D
            try:
                np.linalg.cholesky(H)
                step = np.linalg.solve(H, J.T @ res)
            except np.linalg.LinAlgError:
                pass
        if step is None:                     # Gauss-Newton (or H not positive definite)
            step = gn_step(J, res)
        t = 1.0
        while t > 1e-4:                      # damped: never increase the residuals
            new, u2, r2 = rss_at(a + t * step[0], b + t * step[1], c + t * step[2])
            if new <= cur:
                break
            t /= 2
        else:
            break
        a, b, c = a + t * step[0], b + t * step[1], c + t * step[2]
        near = near or cur - new <= 1e-4 * cur
        done = cur - new <= 1e-10 * cur
        cur, u, res = new, u2, r2
        if done:
            break
    u = np.exp(np.clip(a + b * x - c, -700, 700))
    w = u / (u + 1.0)
    J = np.column_stack([w, w * x, 1.0 - w])
    fit = lsq(J, y - c - np.log1p(u), hac=True)
    if not (b < 0 and np.all(np.isfinite(fit.se))):
        return None
    return b, float(fit.se[1]), c, float(fit.se[2]), fit.df
