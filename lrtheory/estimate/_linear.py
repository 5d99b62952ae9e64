"""Linear and sublinear regimes of one row: the envelope's rate with its transient
models, the power law, and the joint rate-and-floor fit. Part of stage 3."""

from __future__ import annotations

import math

import numpy as np

from .._vocab import Regime
from ._fits import (
    PowerFit,
    block_max,
    gn_step,
    line_many,
    linear_models,
    lsq,
    med,
    power_law_many,
    power_law_se_many,
    sign_changes,
    tq,
)
from ._records import LN10
from ._regimes import Finding, _ci, _exp, g
from ._thresholds import THRESHOLDS as TH

__all__ = ["linear_or_sublinear", "linear_to_floor"]


def _take(pf: PowerFit, i) -> PowerFit:
    """The rows ``i`` of a stacked fit (fields shared by all rows kept as they are)."""
    return PowerFit(*(v[i] if np.ndim(v) else v for v in pf))


def _row(pf: PowerFit, j: int) -> PowerFit:
    """Row ``j`` of a stacked fit as Python scalars."""
    return PowerFit(*(v[j].item() if np.ndim(v) else v for v in pf))


def _sublinear_fit(K, L) -> list:
    """Per row of the stacks ``(K, L)``: the power law A (k + k0)^-p over the whole
    stretch when its residuals change sign like noise; else over the earliest start (0,
    n/8, n/4 of the stretch, else the last half) whose model fits the last half as well as
    the last half's own fit (F statistic of the 3 extra constraints at most SUB_F). Each
    entry is the fit (a scalar :class:`PowerFit` with its standard errors) and the start,
    or None when the last half's own fit is the family's geometric limit (k0 at
    K0_MAX_SPANS spans): there the decrease is geometric, not a power law."""
    R, n = L.shape
    h = n // 2
    out: list = [None] * R
    ref = power_law_many(K[:, h:], L[:, h:])
    rem = np.flatnonzero(~np.asarray(ref.geometric))
    if rem.size == 0:
        return out

    def done(i, pf, s):
        se = power_law_se_many(K[i, s:], L[i, s:], pf)
        for j, r in enumerate(i):
            out[r] = (_row(se, j), s)

    whole = power_law_many(K[rem], L[rem])
    r = L[rem] - (whole.logA[:, None] - whole.p[:, None] * np.log(K[rem] + whole.k0[:, None]))
    noise = sign_changes(r) >= n // 3
    if noise.any():       # residuals like noise: the model holds on all
        done(rem[noise], _take(whole, noise), 0)
    keep = ~noise
    rem, whole = rem[keep], _take(whole, keep)
    for s in (0, n // 8, n // 4):
        if n - s < 8 or rem.size == 0:
            continue
        f = whole if s == 0 else power_law_many(K[rem, s:], L[rem, s:])
        r = L[rem, h:] - (f.logA[:, None] - f.p[:, None] * np.log(K[rem, h:] + f.k0[:, None]))
        rss_w = (r * r).sum(axis=-1)
        rr, df = _take(ref, rem).rss, _take(ref, rem).df
        F = (rss_w - rr) / 3 / np.maximum(rr / np.maximum(df, 1), 1e-300)
        ok = F <= TH.SUB_F
        if ok.any():
            done(rem[ok], _take(f, ok), s)
        rem = rem[~ok]
        if s == 0:
            whole = _take(whole, ~ok)
    if rem.size:
        done(rem, _take(ref, rem), h)
    return out


def _settled_start(xs, Ms, n_min, L=None):
    """Per row, the index (into the envelope) from which the slopes between consecutive
    blocks stay within LIN_SETTLE (relative) of the final slope: a transient with another
    rate (a fast mode, a sign-like phase) ends there. Only where the slopes are precise
    enough to see such a change (three robust standard deviations below it); else 0."""
    b = np.diff(Ms, axis=-1) / np.diff(xs, axis=-1)
    R, m = b.shape
    if m < 4:
        return np.zeros(R, dtype=int)
    tail = b[:, -max(3, m // 4):]
    ref = med(tail)
    sd = 1.4826 * med(np.abs(tail - ref[:, None]))
    if L is not None and L.shape[-1] >= 8:
        # the noise of one block-to-block slope from the point-to-point scatter of the
        # last half (a few block slopes alone underestimate it)
        dl = np.diff(L[:, L.shape[-1] // 2:], axis=-1)
        point_sd = 1.4826 * med(np.abs(dl - med(dl)[:, None])) / math.sqrt(2)
        sd = np.maximum(sd, point_sd * math.sqrt(2) / np.maximum(
            (xs[:, -1] - xs[:, 0]) / (xs.shape[-1] - 1), 1.0))
    tol = TH.LIN_SETTLE * np.abs(ref)
    bad = np.abs(b - ref[:, None]) > tol[:, None]
    last = m - 1 - np.argmax(bad[:, ::-1], axis=-1)
    j = np.where(bad.any(axis=-1), np.minimum(last + 1, xs.shape[-1] - n_min), 0)
    # slopes too noisy to see a change of the rate: keep the half
    return np.where(3 * sd > tol, 0, j)


def linear_or_sublinear(K, L, auto, level) -> list:
    """Per row of the stacks ``(K, L)`` (``(R, n)``, positions and log errors), on the
    window (last half of the stretch unless given): linear when the envelope falls
    geometrically (REAL_DEC decades, or STEADY_DEC with every block falling or a t statistic
    of T_STEADY) with the rate from :func:`linear_models`; sublinear when a power law fits
    the envelope better and the decrease is short of REAL_DEC. A :class:`Finding` or None
    per row; all rows at once (rows whose windows differ are grouped by window)."""
    R, n = L.shape
    w0 = np.full(R, n // 2 if auto else 0)
    kf = K.astype(float)
    env = None                    # the whole stretch's envelope, when computed
    if auto and n >= 6 * 8:
        xs, Ms = block_max(kf, L, min(TH.NB_FIT, n // 8))
        if n // 8 >= TH.NB_FIT:
            env = xs, Ms
        j = _settled_start(xs, Ms, 4, L)
        at = np.take_along_axis(xs, j[:, None], axis=-1)
        w0 = np.where(j > 0, np.maximum(w0, (K < at).sum(axis=-1)), w0)
    w0 = np.minimum(w0, max(n - max(TH.N_MIN, n // 8), 0))
    out: list = [None] * R
    for w in np.unique(w0):
        i = np.flatnonzero(w0 == w)
        env_i = None if env is None else (env[0][i], env[1][i])
        for r, f in zip(i, _window(K[i], kf[i], L[i], int(w), env_i, level), strict=True):
            out[r] = f
    return out


def _window(k, kf, L, w0, env, level) -> list:
    """:func:`linear_or_sublinear` on rows sharing the window's start ``w0``."""
    R, n = L.shape
    kw, Lw = kf[:, w0:], L[:, w0:]
    x, M = block_max(kw, Lw, TH.NB_FIT)
    nb = x.shape[-1]
    out: list = [None] * R
    if nb < 3:
        return out
    f1 = line_many(x, M)
    s = f1.beta[1]
    span = x[:, -1] - x[:, 0]
    dec = -s * span
    dM = np.diff(M, axis=-1)
    sub = np.zeros(R, bool)
    maybe = np.flatnonzero((0 < dec) & (dec < TH.REAL_DEC * LN10)) if n >= 8 else np.zeros(0, int)
    if maybe.size:
        # decided on the whole stretch, where log k spans its range: a power law fits the
        # envelope better than a line, and the slope flattens (first half SUB_FLATTEN
        # times steeper than the second)
        xs, Ms = ((env[0][maybe], env[1][maybe]) if env is not None
                  else block_max(kf[maybe], L[maybe], TH.NB_FIT))
        if xs.shape[-1] >= 6:
            fl_ = line_many(xs, Ms)
            fp = line_many(np.log(xs - xs[:, :1] + 1.0), Ms)
            h = xs.shape[-1] // 2
            sa = line_many(xs[:, :h], Ms[:, :h]).beta[1]
            sb = line_many(xs[:, h:], Ms[:, h:]).beta[1]
            sub[maybe] = ((fp.rss < fl_.rss) & (fp.beta[1] < 0) & (sa < 0) & (sb < 0)
                          & (sa / sb >= TH.SUB_FLATTEN))
    fits: list = [None] * R
    si = np.flatnonzero(sub)
    if si.size:
        for r, f in zip(si, _sublinear_fit(kf[si], L[si]), strict=True):
            fits[r] = f
    t3 = max(3, nb // 3)
    fl3 = line_many(x[:, -t3:], M[:, -t3:])
    # the envelope still falls at the end (or its last third does not rise significantly:
    # with strong noise a few block maxima cannot show the fall)
    last_bs = fl3.beta[1] - np.where(np.isfinite(fl3.se[1]), fl3.se[1], 0.0)
    steady = np.all(dM < 0, axis=-1)
    drops = np.maximum(-dM, 0.0)
    se1 = f1.se[1]
    t_lin = np.where(se1 > 0, np.abs(s) / np.where(se1 > 0, se1, 1.0), math.inf)
    with np.errstate(over="ignore"):
        ex = np.exp(s)
    real = dec >= TH.REAL_DEC * LN10
    lin = ((s < 0) & ((last_bs < 0) | real) & (ex > 0) & (ex < math.inf)
           & (drops.max(axis=-1) <= 0.5 * drops.sum(axis=-1))
           & (real | ((steady | (t_lin >= TH.T_STEADY)) & (dec >= TH.STEADY_DEC * LN10))))
    for r in si:
        pf, s0 = fits[r] if fits[r] is not None else (None, 0)
        if pf is not None and pf.p > 0:
            lin[r] = False
            a, b = int(kw[r, 0]), int(kw[r, -1])
            A = _exp(pf.logA)
            t = tq(max(pf.df, 1), level)
            out[r] = Finding(Regime.SUBLINEAR, {
                "p": pf.p, "p_ci": (pf.p - t * pf.se_p, pf.p + t * pf.se_p) if math.isfinite(
                    pf.se_p) else None, "A": A,
                "A_ci": _ci(pf.logA, pf.se_logA, pf.df, level), "k0": pf.k0},
                (int(k[r, s0]), int(k[r, -1])),
                f"log e is closer to linear in log k than in k over iterates {a}..{b}; "
                f"e_k = A (k + k0)^-p fitted on log e over iterates {int(k[r, s0])}.."
                f"{int(k[r, -1])} (k0 = {g(pf.k0)} profiled; the earliest start whose p agrees "
                f"with the last half's), {level:.0%} Newey-West intervals")
    li = np.flatnonzero(lin)
    if li.size == 0:
        return out
    lm = linear_models(x[li], M[li], TH.F_MODEL, TH.RSS_GAIN, TH.S_SPAN_MAX)
    for j, r in enumerate(li):
        a, b = int(kw[r, 0]), int(kw[r, -1])
        slope = float(lm.slope[j])
        out[r] = Finding(
            Regime.LINEAR, {"q": 1.0, "rate": _exp(slope),
                            "rate_ci": _ci(slope, float(lm.se[j]), int(lm.df[j]), level),
                            "model": lm.model[j]},
            (a, b), f"decrease by {g(dec[r] / LN10)} decades over iterates {a}..{b}"
            + (f" (iterates {int(k[r, 0])}..{a - 1} dropped as pre-asymptotic)" if w0 else "")
            + f"; C from the slope of the upper envelope ({nb} block maxima), model "
            f"{lm.model[j]}, {level:.0%} t interval from the block residuals"
            + ("; log e is closer to linear in log k over the whole stretch, but the "
               "last half's best power law is the geometric limit (k0 at "
               f"{g(TH.K0_MAX_SPANS)} spans): not sublinear" if sub[r] and fits[r] is None
               else ""))
    return out


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
