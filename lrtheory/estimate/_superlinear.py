"""Superlinear regimes of one row: an order q (COC run, GLS fit, C where C_k settles)
or Q-superlinear (C_k -> 0 at q = 1). Part of stage 3 (see :mod:`._regimes`)."""

from __future__ import annotations

import math

import numpy as np

from .._vocab import Regime
from ._fits import line, med, tq
from ._records import LN10
from ._regimes import Finding, _ci, _exp, _ident, _pair, g
from ._thresholds import THRESHOLDS as TH

__all__ = ["superlinear", "q_superlinear", "coc", "ratios_fall"]


def _settled(c, level):
    """C_k (log) settled over its last half: no trend beyond C_SETTLE + 3 standard
    errors. Returns (settled, mean, half-width of its interval)."""
    m = c.size
    h = c[m - max(3, (m + 1) // 2):] if m >= 3 else c
    if h.size < 2:
        return False, float(h.mean()), math.inf
    x = np.arange(h.size, dtype=float)
    if h.size >= 3:
        f = line(x, h)
        ch, se = abs(f.beta[1]) * (h.size - 1), f.se[1] * (h.size - 1)
        ok = ch <= TH.C_SETTLE + 3 * se
    else:
        ok = abs(h[1] - h[0]) <= TH.C_SETTLE
    sd = float(h.std(ddof=1))
    return ok, float(h.mean()), tq(h.size - 1, level) * sd / math.sqrt(h.size)


def _limit_of_c(c, level):
    """Where log C_k goes: ("aitken", (limit, distance to the last, True)) when it
    converges geometrically (last four differences shrinking by 0.9 or more, possibly
    alternating), ("settled", (mean, half-width, False)) when its last half has no trend,
    ("periodic", limits) when even and odd terms settle apart; else None."""
    if c.size >= 5:
        D = np.diff(c[-5:])
        r = np.abs(D[1:]) / np.where(D[:-1] != 0, np.abs(D[:-1]), np.inf)
        if np.all(r <= 0.9) and D[-1] != D[-2] and D[-1] != 0:
            mu = float(c[-1] - D[-1] ** 2 / (D[-1] - D[-2]))
            return "aitken", (mu, abs(c[-1] - mu), True)
    if c.size >= 6:
        m = (c.size // 2) * 2
        ev, od = c[-m:][0::2], c[-m:][1::2]
        se = math.sqrt(ev.var(ddof=1) / ev.size + od.var(ddof=1) / od.size)
        if (_settled(ev, level)[0] and _settled(od, level)[0]
                and abs(ev.mean() - od.mean()) > TH.C_SETTLE + 3 * se):
            lims = tuple(sorted(v for v in (_exp(ev[-3:].mean()), _exp(od[-3:].mean()))
                                if v is not None))
            return "periodic", lims
    ok, mu, hw = _settled(c, level)
    if ok:
        return "settled", (mu, hw, False)
    return None


def _order_fit(x, y, level):
    """Slope q of log e_(k+1) on log e_k by generalised least squares with the covariance
    that independent noise on log e_k implies for the residuals eta_(k+1) - q eta_k
    (MA(1): variance 1 + q^2, lag-one covariance -q; plain least squares first, for q),
    and its t interval. Returns (q, interval or None)."""
    f = line(x, y)
    q0 = float(f.beta[1])
    n = x.size
    if n < 3:
        return q0, None
    X = np.column_stack([np.ones(n), x - x.mean()])
    S = (1 + q0 * q0) * np.eye(n) - q0 * (np.eye(n, k=1) + np.eye(n, k=-1))
    SiX = np.linalg.solve(S, X)
    A = X.T @ SiX
    beta = np.linalg.solve(A, SiX.T @ y)
    r = y - X @ beta
    s2 = float(r @ np.linalg.solve(S, r)) / (n - 2)
    se = math.sqrt(max(s2 * np.linalg.inv(A)[1, 1], 0.0))
    q = float(beta[1])
    half = tq(n - 2, level) * se
    return q, (q - half, q + half) if math.isfinite(half) else None


def _orders(L: np.ndarray):
    """Steps ``d``, computational orders ``q_k`` (0 where two steps do not both decrease)
    and where ``q_k > Q_MIN``, per row of ``L``."""
    d = np.diff(L, axis=-1)
    qv = (d[..., :-1] < 0) & (d[..., 1:] < 0)
    qk = np.where(qv, d[..., 1:] / np.where(qv, d[..., :-1], -1.0), 0.0)
    return d, qk, qv & (qk > TH.Q_MIN)


def coc(L: np.ndarray):
    """The rows of ``L`` (``(R, n)``, ``n >= 4``) that end in a run of computational orders
    ``q_k > Q_MIN`` (ending within the last three iterates, no rise above its end after
    it): their indices, and for them the steps, the orders, where ``q_k > Q_MIN`` and the
    run's end ``p_end``. Only the last five iterates are read to find them."""
    R, n = L.shape
    m = min(n, 5)                  # the last orders: q_k > Q_MIN must end at n-5 or later
    cond = _orders(L[:, n - m:])[2]
    p_end = (n - 1) - np.argmax(cond[:, ::-1], axis=-1)      # last q_k > Q_MIN, plus 2
    after = np.where(p_end <= n - 3, np.maximum(L[:, -2], L[:, -1]), L[:, -1])
    rows = np.flatnonzero(cond.any(axis=-1)
                          & ~((p_end < n - 1) & (after >= L[np.arange(R), p_end])))
    return (rows, *_orders(L[rows]), p_end[rows])


def superlinear(k, L, auto, level, round_q, pre=None) -> Finding | None:
    """A final run of computational orders q_k > Q_MIN (COC, Ypma 1995) carrying a decade
    and half of the decrease; q from the regression of log e_(k+1) on log e_k with a t
    interval; C from log C_k = log e_(k+1) - q log e_k where it settles. ``pre``: this
    row's :func:`coc`, when computed for a batch (the row has such a run)."""
    n = L.size
    if n < 4:
        return None
    if pre is None:
        rows, *pre = coc(L[None])
        if rows.size == 0:
            return None
        pre = [v[0] for v in pre]
    d, qk, cond, p_end = pre
    p_end = int(p_end)
    j_last = p_end - 2
    bad = np.flatnonzero(~cond[:j_last])
    j_first = int(bad[-1]) + 1 if bad.size else 0
    if j_last - j_first + 1 < 2:
        return None
    dec = L[j_first] - L[p_end]
    if dec < LN10 or dec < 0.5 * (L[:p_end + 1].max() - L[p_end]):
        return None
    s0 = p_end
    while s0 > 0 and d[s0 - 1] < 0:          # the whole final stretch of decreasing steps
        s0 -= 1
    rw = d[s0:p_end]
    if rw.size >= 4:
        # with an order q the log ratios grow geometrically (rho_(k+1) = q rho_k); without
        # one (quasi-Newton: C_k -> 0, q = 1) they fall arithmetically or slower: an order
        # needs the geometric fit ORDER_EVIDENCE times better (in the units of rho)
        j = np.arange(rw.size, dtype=float)
        rss_a = line(j, rw).rss
        fg = line(j, np.log(-rw))
        pred = -np.exp(fg.beta[0] + fg.beta[1] * (j - j.mean()))
        if rss_a < TH.ORDER_EVIDENCE * float((rw - pred) @ (rw - pred)):
            return None
    js = j_first
    if auto:
        run = qk[j_first:j_last + 1]
        ref = float(np.median(run[len(run) - (len(run) + 1) // 2:]))
        far = np.flatnonzero(np.abs(run - ref) > TH.Q_HEAD_TOL * abs(ref))
        if far.size:
            js = min(j_first + int(far[-1]) + 1, j_last - 1)
    x, y = L[js:p_end], L[js + 1:p_end + 1]
    q_fit, q_ci = _order_fit(x, y, level)
    if q_fit < TH.Q_FIRM and not (q_ci and q_ci[0] > 1.0):
        return None     # a weak order needs its interval above 1 (a bend into a limit point)
    half = (q_ci[1] - q_ci[0]) / 2 if q_ci else 0.0
    tol = max(half, TH.Q_ROUND_TOL * q_fit)
    fields = {"q_fit": q_fit, "q_ci": q_ci,
              "q_coc": float(np.median(qk[js:j_last + 1]))}
    # C needs a q and is very sensitive to it: a standard order inside q's interval at
    # which C_k settles (or converges geometrically, or alternates between two limits)
    # is used and labelled; else q_fit.
    std = sorted((v for v in TH.STANDARD_Q if abs(v - q_fit) <= tol),
                 key=lambda v: abs(v - q_fit))
    cands = ([std[0]] if std else []) + [q_fit]
    for q_rate in cands:
        c = y - q_rate * x
        found_c = _limit_of_c(c, level)
        if found_c is not None:
            break
    how = (f"the standard order {g(q_rate)} (inside q's interval; C_k settles there)"
           if q_rate != q_fit else "q fitted")
    if found_c is not None and found_c[0] == "periodic":
        fields["rate_limits"] = found_c[1]
        ok = False
    elif found_c is not None:
        ok, (mu, hw, aitken) = True, found_c[1]
        # refit q on the settled pairs: log C_k within three robust standard deviations
        # of its limit (noise keeps them all; a deterministic approach C_k = C + O(e_k)
        # drops the pre-asymptotic head, whose offsets would bias the slope)
        dev = np.abs(c - mu)
        h = dev[dev.size // 2:]
        keep = dev <= max(3 * 1.4826 * med(h), 1e-9 * (1 + abs(mu)))
        if 3 <= keep.sum() < keep.size and np.all(keep[np.argmax(keep):]):
            q_fit, q_ci = _order_fit(x[keep], y[keep], level)
            fields.update(q_fit=q_fit, q_ci=q_ci)
            js = js + int(np.argmax(keep))
    else:
        ok, q_rate = False, q_fit
    fields["q"] = std[0] if (round_q and std) else q_fit
    fields["rate_q"] = q_rate
    text = (f"computational orders q_k > {TH.Q_MIN} over iterates {int(k[js])}..{int(k[p_end])}"
            f"; q from the regression of log e_(k+1) on log e_k (generalised least squares "
            "with the MA(1) residual covariance of noise on log e_k; "
            + (f"{level:.0%} t interval" if q_ci else "two pairs: no interval")
            + f"; median COC {g(fields['q_coc'])})")
    if "rate_limits" in fields:
        text += (f"; with q = {g(q_rate)}, C_k alternates between two limit points "
                 "(rate_limits): no single C")
    elif ok:
        fields["rate"] = _exp(mu)
        fields["rate_ci"] = _pair(mu - hw, mu + hw) if math.isfinite(hw) else None
        text += (f"; C at {how}: " + ("Aitken limit of the geometrically converging C_k "
                                       "(interval: distance to the last C_k)" if aitken else
                                       f"mean of log C_k over the settled half, {level:.0%} "
                                       "t interval"))
    else:
        text += "; C_k = e_(k+1)/e_k^q does not settle: no C"
    if round_q and std:
        text += f"; q rounded to {g(std[0])} on request (fit {g(q_fit)})"
    if p_end < n - 1:
        text += f"; last {n - 1 - p_end} iterate(s) dropped (order collapsed: round-off)"
    if js > 0:
        text += f"; iterates {int(k[0])}..{int(k[js]) - 1} dropped as pre-asymptotic"
    return Finding(Regime.SUPERLINEAR, fields, (int(k[js]), int(k[p_end])), text)


def _qsup_short(K, rho, cand):
    """The short form of the Q-superlinear test (a float64 quasi-Newton run has a handful
    of such steps, with erratic ratios), per row of ``(K, rho)`` (positions, log ratios)
    where ``cand``: over the last K = 5..12 log ratios, the slope of log(e_(k+1)/e_k) on k
    is negative with a t statistic of QSUP_T, and the fitted ratio falls by
    QSUP_SHORT_DROP over them. Returns the largest such K per row, or 0."""
    R, m_all = rho.shape
    out = np.zeros(R, dtype=int)
    i = np.flatnonzero(cand)
    if i.size == 0 or m_all < 5:
        return out
    # the K = 5..12 lines at once: row j fits the last Ks[j] points (a mask on the last m)
    Ks = np.arange(5, min(12, m_all) + 1)
    m = int(Ks[-1])
    x, y = K[i, -m - 1:-1].astype(float)[:, None, :], rho[i, -m:][:, None, :]
    mask = np.arange(m) >= (m - Ks)[:, None]
    xc = np.where(mask, x - (x * mask).sum(axis=-1, keepdims=True) / Ks[:, None], 0.0)
    sxx = (xc * xc).sum(axis=-1)
    b = (xc * y).sum(axis=-1) / sxx
    r = np.where(mask, y - (y * mask).sum(axis=-1, keepdims=True) / Ks[:, None]
                 - b[..., None] * xc, 0.0)
    se = np.sqrt((r * r).sum(axis=-1) / (Ks - 2) / sxx)
    span = (K[i, -2][:, None] - K[i][:, -Ks - 1]).astype(float)
    ok = (b < 0) & (-b * span >= TH.QSUP_SHORT_DROP) & (
        (se == 0) | ((se > 0) & (-b >= TH.QSUP_T * se)))
    last = Ks.size - 1 - np.argmax(ok[:, ::-1], axis=-1)
    out[i] = np.where(ok.any(axis=-1), Ks[last], 0)
    return out


def ratios_fall(K: np.ndarray, L: np.ndarray):
    """Per row of ``(K, L)`` (``(R, n)``, ``n >= 6``): the log ratios ``rho``, whether the
    QSUP_BLOCKS block means of the last half fall block after block by QSUP_DROP (rows of
    at least 2 QSUP_BLOCKS + 2 points), the block means, and where the block test fails,
    the short test's K (:func:`_qsup_short`; 0: it fails too), tried only where at least
    5 ratios, the last three below all the earlier ones of the last twelve, the last one
    negative."""
    R, n = L.shape
    rho = np.diff(L, axis=-1) / np.diff(K, axis=-1)
    nb = TH.QSUP_BLOCKS
    ok, bm = np.zeros(R, bool), np.zeros((R, nb))
    if n >= 2 * nb + 2:
        h = rho[:, rho.shape[-1] // 2:]
        # QSUP_BLOCKS consecutive blocks covering the whole half (the first ones one longer
        # when it does not divide, as numpy.array_split): every ratio of the half counts
        m = h.shape[-1]
        sizes = m // nb + (np.arange(nb) < m % nb)
        bm = np.add.reduceat(h, np.cumsum(sizes) - sizes, axis=-1) / sizes
        ok = (np.all(np.diff(bm, axis=-1) < 0, axis=-1) & (bm[:, 0] - bm[:, -1] >= TH.QSUP_DROP)
              & (bm[:, -1] < 0))
    # the last three ratios below all the earlier ones of the last twelve, the last < 0
    fall = ((rho.shape[-1] >= 5) & (rho[:, -3:].mean(axis=-1) < rho[:, -12:-3].min(axis=-1))
            & (rho[:, -1] < 0))
    return rho, ok, bm, _qsup_short(K, rho, fall & ~ok)


def q_superlinear(k, L, level, pre=None) -> Finding | None:
    """Q-superlinear without an order (quasi-Newton): the ratios e_(k+1)/e_k fall to 0.
    Over the last half, the block means of log(e_(k+1)/e_k) fall block after block, by
    QSUP_DROP in all, and the errors still decrease; or, on a short run, the last few
    ratios fall steadily by a factor of ten (:func:`_qsup_short`). ``pre``: this row's
    :func:`ratios_fall`, when computed for a batch."""
    n = L.size
    if n < 6:
        return None
    rho, ok, bm, K = pre if pre is not None else (v[0] for v in ratios_fall(k[None], L[None]))
    a = n // 2
    if ok:
        r0, r1 = _exp(bm[0]), _exp(bm[-1])
    else:
        if K == 0:
            return None
        a = n - 1 - int(K)
        r0, r1 = _exp(float(rho[-K])), _exp(float(rho[-1]))
    x, y = L[a:-1], L[a + 1:]
    f = line(x, y)
    q_fit = float(f.beta[1])
    q_ci = _ci(q_fit, f.se[1], f.df, level, _ident)
    return Finding(Regime.SUPERLINEAR, {"q": 1.0, "q_fit": q_fit, "q_ci": q_ci,
                                        "ratio_to_zero": True, "rate_q": 1.0},
                   (int(k[a]), int(k[-1])),
                   f"Q-superlinear: the ratios e_(k+1)/e_k fall steadily toward 0 (from "
                   f"{g(r0) if r0 else 0} to {g(r1) if r1 else 0} over iterates "
                   f"{int(k[a])}..{int(k[-1])}), so q = 1 with C_k -> 0, no fixed order "
                   f"(regression slope of log e_(k+1) on log e_k: q_fit = {g(q_fit)})")
