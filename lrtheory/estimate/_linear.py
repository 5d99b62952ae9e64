"""Linear and sublinear regimes of one row: the envelope's rate with its transient
models, the power law, and the joint rate-and-floor fit. Part of stage 3."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._vocab import Regime
from ._fits import (
    _seg_sum,
    block_max,
    line_many,
    linear_models,
    lsq_many,
    med,
    point_scatter,
    power_law_many,
    power_law_se_many,
    sign_changes,
)
from ._records import LN10
from ._regimes import Finding, _ci, _exp, _ident, g
from ._thresholds import THRESHOLDS as TH

__all__ = ["linear_or_sublinear", "linear_to_floor", "linear_to_floor_many",
           "power_to_floor_many"]


_GEO_LIMIT = (f"the last half's best power law is the geometric limit (k0 at "
              f"{g(TH.K0_MAX_SPANS)} spans)")
_POLE = ("the last half's best power law has its pole after the stretch's first iterate "
         "(e_k infinite there: a bend, not a power law)")


def _sublinear_fit(K, L) -> list:
    """Per row of the stacks ``(K, L)``: the power law A (k + k0)^-p over the whole
    stretch when its residuals change sign like noise; else over the earliest start (0,
    n/8, n/4 of the stretch, else the last half) whose model fits the last half as well as
    the last half's own fit (F statistic of the 3 extra constraints at most SUB_F). Each
    entry is the fit (a scalar :class:`~._fits.PowerFit` with its standard errors) and the start,
    or, where the last half's own fit rules the power law out, why: it is the family's
    geometric limit (k0 at K0_MAX_SPANS spans: the decrease is geometric), or its pole
    -k0 lies after the stretch's first iterate (e_k would be infinite there: the bend is
    no power law's, e.g. a decrease flattening into a noise floor)."""
    R, n = L.shape
    h = n // 2
    ref = power_law_many(K[:, h:], L[:, h:])
    geo = np.asarray(ref.geometric)
    pole = ~geo & (K[:, 0] + ref.k0 < -0.05)
    if pole.any():
        # the pole after the first iterate (by more than the 0.05 by which the fit's own
        # bound keeps it before its first point; at the first iterate itself is e_k = A/k
        # with e_0 given) must be needed: held at the first iterate (k0 >= -k_first) the
        # residuals grow by an F statistic of 1 constraint above F_MODEL, and the held law
        # no longer beats a line by RSS_GAIN (a bend into a floor: 0.57-0.85 of the
        # line's residuals; a deterministic power law whose correction terms pull k0
        # past the bound, Adadelta or RMSprop in the order table: 0.001-0.006). (Alone,
        # k0 is poorly identified on a last half: a noisy power law's best k0 wanders
        # past the bound at no cost, F <= 4.9 on the validation set.)
        j = np.flatnonzero(pole)
        held = power_law_many(K[j, h:], L[j, h:], -K[j, 0])
        F = (held.rss - ref.rss[j]) / np.maximum(ref.rss[j] / ref.df, 1e-300)
        line = line_many(K[j, h:], L[j, h:]).rss
        pole[j] = (F > TH.F_MODEL) & (held.rss * TH.RSS_GAIN > line)
    out: list = [_GEO_LIMIT if geo[r] else _POLE if pole[r] else None for r in range(R)]
    rem = np.flatnonzero(~geo & ~pole)
    if rem.size == 0:
        return out

    def done(i, pf, s):
        se = power_law_se_many(K[i, s:], L[i, s:], pf)
        for j, r in enumerate(i):
            out[r] = (se.row(j), s)

    whole = power_law_many(K[rem], L[rem])
    r = L[rem] - (whole.logA[:, None] - whole.p[:, None] * np.log(K[rem] + whole.k0[:, None]))
    noise = sign_changes(r) >= n // 3
    if noise.any():       # residuals like noise: the model holds on all
        done(rem[noise], whole.take(noise), 0)
    keep = ~noise
    rem, whole = rem[keep], whole.take(keep)
    for s in (0, n // 8, n // 4):
        if n - s < 8 or rem.size == 0:
            continue
        f = whole if s == 0 else power_law_many(K[rem, s:], L[rem, s:])
        r = L[rem, h:] - (f.logA[:, None] - f.p[:, None] * np.log(K[rem, h:] + f.k0[:, None]))
        rss_w = (r * r).sum(axis=-1)
        rr, df = ref.rss[rem], ref.df
        F = (rss_w - rr) / 3 / np.maximum(rr / np.maximum(df, 1), 1e-300)
        ok = F <= TH.SUB_F
        if ok.any():
            done(rem[ok], f.take(ok), s)
        rem = rem[~ok]
        if s == 0:
            whole = whole.take(~ok)
    if rem.size:
        done(rem, ref.take(rem), h)
    return out


def _flattens(xs, Ms):
    """Per row of the envelope ``(xs, Ms)``: it falls in both halves, the first half's
    slope at least SUB_FLATTEN times the second's."""
    h = xs.shape[-1] // 2
    sa = line_many(xs[:, :h], Ms[:, :h]).beta[1]
    sb = line_many(xs[:, h:], Ms[:, h:]).beta[1]
    return (sa < 0) & (sb < 0) & (sa / sb >= TH.SUB_FLATTEN)


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
        point_sd = point_scatter(L[:, L.shape[-1] // 2:])
        sd = np.maximum(sd, point_sd * math.sqrt(2) / np.maximum(
            (xs[:, -1] - xs[:, 0]) / (xs.shape[-1] - 1), 1.0))
    tol = TH.LIN_SETTLE * np.abs(ref)
    bad = np.abs(b - ref[:, None]) > tol[:, None]
    last = m - 1 - np.argmax(bad[:, ::-1], axis=-1)
    j = np.where(bad.any(axis=-1), np.minimum(last + 1, xs.shape[-1] - n_min), 0)
    # slopes too noisy to see a change of the rate: keep the half
    return np.where(3 * sd > tol, 0, j)


def linear_or_sublinear(K, L, auto, level, late=True) -> list:
    """Per row of the stacks ``(K, L)`` (``(R, n)``, positions and log errors), on the
    window (last half of the stretch unless given): linear when the envelope falls
    geometrically (REAL_DEC decades, or STEADY_DEC with every block falling or a t statistic
    of T_STEADY) with the rate from :func:`linear_models`; sublinear when a power law fits
    the envelope better and the decrease is short of REAL_DEC (``late``: also a power law
    seen late, see :func:`_window`; not on a stretch that bends into a floor). A
    :class:`Finding` or None per row; all rows at once (rows whose windows differ are
    grouped by window)."""
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
        for r, f in zip(i, _window(K[i], kf[i], L[i], int(w), env_i, level, late),
                        strict=True):
            out[r] = f
    return out


def _window(k, kf, L, w0, env, level, late) -> list:
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
        # times steeper than the second). The power law is first a line in
        # log(k - k_start + 1); a power law seen late, A (k + k0)^-p with k0 large against
        # the stretch, is nearly linear in k there, so where that line loses, the power
        # law with k0 profiled must explain the line's residuals as a transient term must
        # in linear_models (F above F_MODEL and RSS_GAIN times smaller), not end at its
        # geometric limit, and flatten by SUB_FLATTEN itself: else the flattening is a
        # transient's (GD on Rosenbrock's function: a fast phase, then the linear rate
        # 1 - mu/L). Not where the stretch ends in a floor (``late`` False): a decrease
        # bends into it, which a power law fits as well
        xs, Ms = ((env[0][maybe], env[1][maybe]) if env is not None
                  else block_max(kf[maybe], L[maybe], TH.NB_FIT))
        m = xs.shape[-1]
        if m >= 6:
            fl_ = line_many(xs, Ms)
            fp = line_many(np.log(xs - xs[:, :1] + 1.0), Ms)
            flat = _flattens(xs, Ms)
            near = (fp.rss < fl_.rss) & (fp.beta[1] < 0)
            lt = ~near & flat if late else np.zeros_like(near)
            if lt.any():
                xl, Ml = xs[lt], Ms[lt]
                pl = power_law_many(xl, Ml)
                rl = fl_.rss[lt]
                F = (rl - pl.rss) / np.maximum(pl.rss / (m - 3), 1e-300 * (rl + 1e-300))
                model = pl.logA[:, None] - pl.p[:, None] * np.log(xl + pl.k0[:, None])
                near[lt] = ((F > TH.F_MODEL) & (pl.rss * TH.RSS_GAIN <= rl) & ~pl.geometric
                            & (pl.p > 0) & _flattens(xl, model))
            sub[maybe] = near & flat
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
        pf, s0 = fits[r] if isinstance(fits[r], tuple) else (None, 0)
        if pf is not None and pf.p > 0:
            lin[r] = False
            a, b = int(kw[r, 0]), int(kw[r, -1])
            A = _exp(pf.logA)
            out[r] = Finding(Regime.SUBLINEAR, {
                "p": pf.p, "p_ci": _ci(pf.p, pf.se_p, pf.df, level, _ident), "A": A,
                "A_ci": _ci(pf.logA, pf.se_logA, pf.df, level), "k0": pf.k0},
                (int(k[r, s0]), int(k[r, -1])),
                f"log e is closer to a power law than to a line in k over iterates {a}..{b}; "
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
            + (f"; log e is closer to a power law over the whole stretch, but {fits[r]}: "
               "not sublinear" if sub[r] and isinstance(fits[r], str) else ""))
    return out


def linear_to_floor(k, L, i0, logF):
    r"""Joint fit of a linear decrease into a noise floor on the points ``i0..`` of one
    row: the batch of one of :func:`linear_to_floor_many`, which describes it.
    Returns ``(log C, se, c, se_c, df)`` or None when it does not converge."""
    return linear_to_floor_many([k[i0:]], [L[i0:]], [logF])[0]


class _Ragged(NamedTuple):
    """Rows of different lengths, concatenated: ``n`` their lengths, ``st`` their starts."""

    n: np.ndarray
    st: np.ndarray

    @staticmethod
    def of(n) -> _Ragged:
        n = np.asarray(n, dtype=np.intp)
        return _Ragged(n, np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.intp))

    def rep(self, v):        # one value per row -> one per point
        return np.repeat(v, self.n)

    def sum(self, v):        # per-row sums, each independent of the other rows
        return _seg_sum(v, self.st)

    def take(self, keep):    # the rows keep (bool per row): their layout, their points
        lay = _Ragged.of(self.n[keep])
        return lay, np.arange(int(lay.n.sum())) + lay.rep(self.st[keep] - lay.st)

    def by_length(self, which=None):
        """The rows (``which``: a bool per row, default all) grouped by length, for the
        functions that take rows of one length (:func:`~._fits.lsq_many`): per length m its
        rows' indices and their points, row after row (``v[pts].reshape(-1, m)``)."""
        sel = np.ones(self.n.size, bool) if which is None else which
        for m in np.unique(self.n[sel]):
            i = np.flatnonzero((self.n == m) & sel)
            yield i, int(m), (self.st[i][:, None] + np.arange(m)).reshape(-1)


def _rss_at(x, y, lay, a, b, c):
    """Residuals of log(e^(a + b x) + e^c) on the ragged rows ``(x, y)``: per row their
    sum of squares, and per point u = e^(a + b x - c) and the residual."""
    A, B, C = lay.rep(a), lay.rep(b), lay.rep(c)
    u = np.exp(np.clip(A + B * x - C, -700, 700))
    r = y - C - np.log1p(u)
    return lay.sum(r * r), u, r


def _pd3(H):
    """Whether each 3x3 symmetric matrix of the stack is positive definite (the pivots of
    its Cholesky factorisation positive; NaN is not)."""
    d0 = H[:, 0, 0]
    s0 = np.sqrt(np.where(d0 > 0, d0, 1.0))
    l10, l20 = H[:, 1, 0] / s0, H[:, 2, 0] / s0
    d1 = H[:, 1, 1] - l10 * l10
    s1 = np.sqrt(np.where(d1 > 0, d1, 1.0))
    l21 = (H[:, 2, 1] - l20 * l10) / s1
    d2 = H[:, 2, 2] - (l20 * l20 + l21 * l21)
    return (d0 > 0) & (d1 > 0) & (d2 > 0)


def _solve_small(A, g):
    """``np.linalg.solve`` on a stack of small systems (3x3, 4x4) (each solved as it is alone); rows
    whose matrix is singular get NaN and False."""
    try:
        return np.linalg.solve(A, g[..., None])[..., 0], np.ones(len(A), bool)
    except np.linalg.LinAlgError:
        out, ok = np.full(g.shape, math.nan), np.ones(len(A), bool)
        for j in range(len(A)):
            try:
                out[j] = np.linalg.solve(A[j], g[j])
            except np.linalg.LinAlgError:
                ok[j] = False
        return out, ok


@np.errstate(all="ignore")
def linear_to_floor_many(K, Y, logF, c_min=None, with_rss: bool = False) -> list:
    r"""Joint fits of a linear decrease into a noise floor: :math:`\log e_k =
    \log(e^{a + k \log C} + e^{c}) + \eta_k` on each of ``R`` stretches (``K[i]``,
    ``Y[i]``: positions and log errors, lists of rows of any lengths) with its floor level
    ``logF[i]``, the floor included, so the bend into the floor is modelled, not cut.
    Gauss-Newton, then Newton near the minimum (where its Hessian is positive definite),
    damped so that the residuals never grow, from the floor level and a line through the
    points a decade above it; Newey-West covariance (:func:`lsq_many`). Per row ``(log C,
    se, c, se_c, df)``, or None: fewer than 8 points or 3 a decade above the floor, a
    fit that does not end falling with finite standard errors, or one whose floor ``c``
    fell below ``c_min[i]`` on the way (per row, default none: a caller that wants a
    floor near its guess stops paying for fits that have left it). ``with_rss``: each
    result goes on with the fit's residual sum of squares and its line, ``(log C, se, c,
    se_c, df, rss, a, k_mean)``: the model is :math:`\log(e^{a + (k - k_{mean}) \log C} +
    e^c)`.

    The one implementation (:func:`linear_to_floor` is a batch of one), on all rows at
    once: the rows are concatenated (no padding), sums are per row by :func:`_seg_sum`,
    and each row keeps its own iteration state (near the minimum or not, its step, its
    damping, stopped or not), so its results are bit for bit those it has alone. The
    Newey-West step groups the rows by length (:func:`lsq_many` works on rows of equal
    length)."""
    R = len(K)
    logF = np.asarray(logF, dtype=float).reshape(R)
    out: list = [None] * R
    cmin = np.full(R, -np.inf) if c_min is None else np.asarray(c_min, float).reshape(R)
    kk = [np.asarray(k, dtype=float).reshape(-1) for k in K]
    ys = [np.asarray(y, dtype=float).reshape(-1) for y in Y]
    rows = np.array([i for i in range(R) if kk[i].size >= 8
                     and np.count_nonzero(ys[i] > logF[i] + LN10) >= 3], dtype=np.intp)
    if rows.size == 0:
        return out
    lay = _Ragged.of([kk[i].size for i in rows])
    kf = np.concatenate([kk[i] for i in rows])
    y = np.concatenate([ys[i] for i in rows])
    # the line through the points a decade above the floor, then its value at the mean k
    above = y > lay.rep(logF[rows] + LN10)
    na = lay.sum(above.astype(float))
    km = lay.sum(np.where(above, kf, 0.0)) / na
    kc = np.where(above, kf - lay.rep(km), 0.0)
    b = lay.sum(kc * y) / lay.sum(kc * kc)
    k0 = lay.sum(kf) / lay.n
    a = lay.sum(np.where(above, y, 0.0)) / na + b * (k0 - km)
    c = logF[rows].copy()
    cmin = cmin[rows]
    left = np.zeros(rows.size, bool)               # rows whose floor fell below c_min
    x = kf - lay.rep(k0)
    cur, u, res = _rss_at(x, y, lay, a, b, c)
    near = np.zeros(rows.size, bool)
    fa, fb, fc = a.copy(), b.copy(), c.copy()      # each row's final parameters
    act = np.arange(rows.size)                      # the rows still iterating
    xa, ya, la = x, y, lay
    for _ in range(60):
        if act.size == 0:
            break
        m = act.size
        w = u / (u + 1.0)
        w1 = 1.0 - w
        wx = w * xa
        S = la.sum
        JJ = np.empty((m, 3, 3))
        for (i, j), (p, q) in {(0, 0): (w, w), (0, 1): (w, wx), (0, 2): (w, w1),
                               (1, 1): (wx, wx), (1, 2): (wx, w1), (2, 2): (w1, w1)}.items():
            JJ[:, i, j] = JJ[:, j, i] = S(p * q)
        g = np.stack([S(w * res), S(wx * res), S(w1 * res)], axis=-1)
        step = np.full((m, 3), math.nan)
        gn = ~near
        nr = np.flatnonzero(near)
        if nr.size:
            # close to the minimum, Newton: the model c + log(1 + e^s), s = a + b x - c,
            # has second derivatives w (1 - w) ds ds', ds = (1, x, -1), so the Hessian of
            # |r|^2 / 2 is J'J - D' diag(r w (1 - w)) D (Gauss-Newton converges only
            # linearly here); where it is not positive definite, Gauss-Newton
            q = res * w * w1
            qx = q * xa
            s0, s1, s2 = S(q)[nr], S(qx)[nr], S(qx * xa)[nr]
            DqD = np.stack([np.stack([s0, s1, -s0], -1), np.stack([s1, s2, -s1], -1),
                            np.stack([-s0, -s1, s0], -1)], axis=-2)
            H = JJ[nr] - DqD
            pd = _pd3(H)
            j = nr[pd]
            if j.size:
                st, ok = _solve_small(H[pd], g[j])
                step[j[ok]] = st[ok]
                gn[j[~ok]] = True
            gn[nr[~pd]] = True
        j = np.flatnonzero(gn)
        if j.size:                  # Gauss-Newton: the normal equations, else least squares
            st, ok = _solve_small(JJ[j], g[j])
            step[j] = st
            for r in j[~ok]:
                sl = slice(la.st[r], la.st[r] + la.n[r])
                Jr = np.column_stack([w[sl], wx[sl], w1[sl]])
                step[r] = np.linalg.lstsq(Jr, res[sl], rcond=None)[0]
        # damped: never increase the residuals (halve the step down to t = 2^-13, else stop)
        t = np.ones(m)
        new = np.full(m, math.nan)
        u2, r2 = np.empty_like(u), np.empty_like(res)
        acc = np.zeros(m, bool)
        pend = np.ones(m, bool)
        while pend.any():
            whole = pend.all()
            lp, fm = (la, None) if whole else la.take(pend)
            tp, sp = t[pend], step[pend]
            nv, uv, rv = _rss_at(xa if whole else xa[fm], ya if whole else ya[fm], lp,
                                 a[pend] + tp * sp[:, 0], b[pend] + tp * sp[:, 1],
                                 c[pend] + tp * sp[:, 2])
            good = nv <= cur[pend]
            ip = np.flatnonzero(pend)
            ig = ip[good]
            new[ig] = nv[good]
            if whole and good.all():
                u2, r2 = uv, rv
            elif ig.size:
                gm = np.zeros(m, bool)
                gm[ig] = True
                fg = la.take(gm)[1]
                sel = lp.take(good)[1]
                u2[fg], r2[fg] = uv[sel], rv[sel]
            acc[ig] = True
            t[ip[~good]] /= 2
            pend[ig] = False
            pend &= t > 1e-4
        a = np.where(acc, a + t * step[:, 0], a)
        b = np.where(acc, b + t * step[:, 1], b)
        c = np.where(acc, c + t * step[:, 2], c)
        near = near | (acc & (cur - new <= 1e-4 * cur))
        low = c < cmin[act]
        left[act[low]] = True
        stop = ~acc | (cur - new <= 1e-10 * cur) | low
        cur = np.where(acc, new, cur)
        fa[act], fb[act], fc[act] = a, b, c
        keep = ~stop
        if not keep.all():
            la, fm = la.take(keep)
            xa, ya, u, res = xa[fm], ya[fm], u2[fm], r2[fm]
            act, a, b, c, cur, near = act[keep], a[keep], b[keep], c[keep], cur[keep], near[keep]
        else:
            u, res = u2, r2
    # Newey-West covariance at the optimum (the residuals on the model's Jacobian)
    u = np.exp(np.clip(lay.rep(fa) + lay.rep(fb) * x - lay.rep(fc), -700, 700))
    w = u / (u + 1.0)
    J = np.stack([w, w * x, 1.0 - w], axis=-1)
    r0 = y - lay.rep(fc) - np.log1p(u)
    for i, n, pts in lay.by_length(~left):
        fit = lsq_many(J[pts].reshape(i.size, n, 3), r0[pts].reshape(i.size, n), hac=True)
        for j, r in enumerate(i):
            se = fit.se[j]
            if fb[r] < 0 and np.all(np.isfinite(se)):
                out[rows[r]] = (float(fb[r]), float(se[1]), float(fc[r]), float(se[2]), fit.df)
                if with_rss:
                    rr = r0[lay.st[r]:lay.st[r] + n]
                    out[rows[r]] += (float(rr @ rr), float(fa[r]), float(k0[r]))
    return out


#: Gauss-Newton iterations of :func:`power_to_floor_many` before a row counts as not
#: converging: a power law into a floor converges in 5-6 (the validation's class); runs
#: that crawl toward the geometric limit (chaotic Adam runs) used all of 100 (0.18 s for
#: 11 headline rows on one thread), 0.04 s at 15; outputs the same
_PF_ITER = 15


class PowerFloor(NamedTuple):
    """A power law into a noise floor (:func:`power_to_floor_many`), one row: estimates
    and standard errors of ``p``, ``log A`` and ``c = log F``, ``k0``, degrees of freedom,
    residual sum of squares, and that of the power law alone (its start) on the same
    iterates."""

    p: float
    se_p: float
    logA: float
    se_logA: float
    k0: float
    c: float
    se_c: float
    df: int
    rss: float
    rss_power: float


def _pf_at(dk, y, lay, a, p, u, c):
    """The power law into a floor on the ragged rows: per row the residual sum of squares;
    per point w = e^s / (1 + e^s) (s = a - p log(dk + e^u) - c), log(dk + e^u), the
    residual."""
    lk = np.log(dk + lay.rep(np.exp(u)))
    s = lay.rep(a) - lay.rep(p) * lk - lay.rep(c)
    w = 0.5 * (1.0 + np.tanh(0.5 * s))                 # e^s / (1 + e^s), no overflow
    r = y - lay.rep(c) - np.logaddexp(0.0, s)
    return lay.sum(r * r), w, lk, r


def _pf_jac(dk, lay, w, lk, p, u):
    """The Jacobian columns of the model in (log A, p, u, c) at each point."""
    eu = lay.rep(np.exp(u))
    return [w, -w * lk, -w * lay.rep(p) * eu / (dk + eu), 1.0 - w]


@np.errstate(all="ignore")
def power_to_floor_many(K, Y, logF) -> list:
    r"""Joint fits of a power law into a noise floor, :math:`\log e_k = \log(A (k +
    k_0)^{-p} + e^{c}) + \eta_k`, on each stretch (``K[i]``, ``Y[i]``: positions and log
    errors, lists of rows of any lengths; ``logF[i]`` the floor's guess). Started from the
    power law alone (:func:`~._fits.power_law_many`, rows of one length at a time) and the
    guess; Gauss-Newton in :math:`(\log A, p, u = \log(k_{\min} + k_0), c)`, damped so that
    the residuals never grow, :math:`u` kept in the power law's range (``k_min + k0`` from
    0.05 to ``K0_MAX_SPANS`` spans plus one); Newey-West standard errors on the Jacobian
    at the optimum (:func:`~._fits.lsq_many`). Per row a :class:`PowerFloor`, or None:
    fewer than 16 points, no convergence in ``_PF_ITER`` steps, :math:`u` at its upper
    end (the family's geometric limit: a geometric decrease into the floor, which
    :func:`linear_to_floor_many` fits), :math:`p \le 0`, or a standard error that is not
    finite. All rows at once, each with its own iteration state (stopped or not, its
    step), so its results are those it has alone (ragged sums by :func:`~._fits._seg_sum`)."""
    R = len(K)
    out: list = [None] * R
    kk = [np.asarray(k, dtype=float).reshape(-1) for k in K]
    ys = [np.asarray(y, dtype=float).reshape(-1) for y in Y]
    rows = np.array([i for i in range(R) if kk[i].size >= 16], dtype=np.intp)
    if rows.size == 0:
        return out
    n = np.array([kk[i].size for i in rows])
    lo = np.full(rows.size, math.log(0.05))
    hi = np.array([math.log(TH.K0_MAX_SPANS * (kk[i][-1] - kk[i][0] + 1.0)) for i in rows])
    a, p, u, rss0 = (np.empty(rows.size) for _ in range(4))
    for m in np.unique(n):                    # the power law alone, rows of one length
        j = np.flatnonzero(n == m)
        pl = power_law_many(np.stack([kk[rows[i]] for i in j]),
                            np.stack([ys[rows[i]] for i in j]))
        a[j], p[j], rss0[j] = pl.logA, pl.p, pl.rss
        u[j] = np.log(pl.k0 + np.array([kk[rows[i]][0] for i in j]))
    u = np.clip(u, lo, hi)
    c = np.asarray(logF, dtype=float).reshape(R)[rows].copy()
    lay = _Ragged.of(n)
    dk = np.concatenate([kk[i] - kk[i][0] for i in rows])
    y = np.concatenate([ys[i] for i in rows])
    cur, w, lk, res = _pf_at(dk, y, lay, a, p, u, c)
    fa, fp, fu, fc = a.copy(), p.copy(), u.copy(), c.copy()
    act = np.arange(rows.size)
    da, ya, la, loa, hia = dk, y, lay, lo, hi
    for _ in range(_PF_ITER):
        if act.size == 0:
            break
        J = _pf_jac(da, la, w, lk, p, u)
        JJ = np.empty((act.size, 4, 4))
        for i in range(4):
            for j in range(i, 4):
                JJ[:, i, j] = JJ[:, j, i] = la.sum(J[i] * J[j])
        g = np.stack([la.sum(Ji * res) for Ji in J], axis=-1)
        step, ok = _solve_small(JJ, g)
        # damped: never increase the residuals (halve the step down to t = 2^-13, else stop)
        t = np.where(ok, 1.0, 0.0)
        acc = np.zeros(act.size, bool)
        pend = ok.copy()
        new = np.full(act.size, math.nan)
        while pend.any():
            ta = np.where(pend, t, 0.0)
            nu = np.clip(u + ta * step[:, 2], loa, hia)
            nv = _pf_at(da, ya, la, a + ta * step[:, 0], p + ta * step[:, 1], nu,
                        c + ta * step[:, 3])[0]
            good = pend & (nv <= cur)
            new[good] = nv[good]
            acc |= good
            t[pend & ~good] /= 2
            pend &= ~good & (t > 1e-4)
        tt = np.where(acc, t, 0.0)
        a, p, c = a + tt * step[:, 0], p + tt * step[:, 1], c + tt * step[:, 3]
        u = np.clip(u + tt * step[:, 2], loa, hia)
        stop = ~acc | (cur - new <= 1e-10 * cur)
        cur = np.where(acc, new, cur)
        fa[act], fp[act], fu[act], fc[act] = a, p, u, c
        keep = ~stop
        la2, fm = la.take(keep)
        da, ya, la = da[fm], ya[fm], la2
        act, a, p, u, c, cur = act[keep], a[keep], p[keep], u[keep], c[keep], cur[keep]
        loa, hia = loa[keep], hia[keep]
        if act.size:
            _, w, lk, res = _pf_at(da, ya, la, a, p, u, c)
    done = np.ones(rows.size, bool)
    done[act] = False                       # still iterating after _PF_ITER: no fit
    # Newey-West covariance at the optimum (the residuals on the model's Jacobian)
    rss, w, lk, r0 = _pf_at(dk, y, lay, fa, fp, fu, fc)
    J = np.stack(_pf_jac(dk, lay, w, lk, fp, fu), axis=-1)
    for j, m, pts in lay.by_length():
        fit = lsq_many(J[pts].reshape(j.size, m, 4), r0[pts].reshape(j.size, m), hac=True)
        for q, r in enumerate(j):
            se = fit.se[q]
            if (done[r] and fp[r] > 0 and fu[r] < hi[r] - 1e-6 * (1.0 + abs(hi[r]))
                    and np.all(np.isfinite(se[[0, 1, 3]]))):
                out[rows[r]] = PowerFloor(float(fp[r]), float(se[1]), float(fa[r]),
                                          float(se[0]), float(math.exp(fu[r]) - kk[rows[r]][0]),
                                          float(fc[r]), float(se[3]), int(fit.df),
                                          float(rss[r]), float(rss0[r]))
    return out
