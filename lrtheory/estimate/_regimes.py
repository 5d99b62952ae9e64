"""Vectorised tests and fits for each regime, on log-error rows ``L`` and ranges ``[lo, hi)``.

Each function returns per-row arrays; the caller (``_core``) decides which rows take which
regime. Thresholds are module constants, documented where they are used.
"""

from __future__ import annotations

import math

import numpy as np

from ._ops import block_max, first_true, in_range, last_true, masked_median, masked_quantile, ols

LN10 = math.log(10.0)
#: the fewest iterates any order/rate estimate is made from.
N_MIN = 4
#: a flat tail whose top is at most DEEP times the largest error is a round-off floor.
DEEP = 1e-9
#: computational orders above Q_MIN mark superlinear steps.
Q_MIN = 1.2
#: window head trim: q_k farther than this (relative) from the tail's median are dropped.
Q_HEAD_TOL = 0.1
#: standard orders a fitted q is rounded to (golden ratio, 2, 3), and the slack.
STANDARD = ((1 + math.sqrt(5)) / 2, 2.0, 3.0)
Q_ROUND_TOL = 1e-3
#: C_k (log) settles when consecutive (or lag-2) values differ by at most this, or when
#: their differences shrink by a factor 0.9 or less each step (then Aitken's limit).
C_SETTLE = 0.05
#: a tail is flat when its envelope changes by at most FLAT_ABS (log) + 3 standard errors.
FLAT_ABS = 0.01
NB_FLAT = 8
NB_FIT = 16
#: a flat tail is a stall only if log e varies over at most STALL_IQR (one decade).
STALL_IQR = LN10
#: oscillation: swing, cycle error relative to swing, drift over the tail, longest period.
OSC_SWING, OSC_CYC, OSC_DRIFT, P_MAX = 0.05, 0.1, 0.1, 16
#: linear needs a decrease of REAL_DEC (3 decades) over the window, or of STEADY_DEC
#: (a factor 2) with every block of the envelope decreasing or an envelope slope of at
#: least T_STEADY standard errors (noisy but steady).
REAL_DEC = math.log(1e3)
STEADY_DEC = math.log(2.0)
T_STEADY = 10.0

def _rows(N):
    return np.arange(N)


def _envelope_change(L, a, b):
    """Level change across ``[a, b)`` of the least-squares line through its block maxima
    (8 blocks), and the standard error of that change from the line's own residuals."""
    M, pos, v = block_max(L, a, b, NB_FLAT)
    s, _, rss, sxx, nb = ols(pos, M, v)
    span = np.where(v, pos, -1).max(axis=1) - np.where(v, pos, 1 << 62).min(axis=1)
    good = (nb > 2) & (sxx > 0)
    se = np.where(good, np.sqrt(rss / np.maximum(nb - 2, 1)) * span
                  / np.sqrt(np.where(good, sxx, 1.0)), 0.0)
    return s * span, se, np.where(v, M, -np.inf).max(axis=1)


def flat_tail(L, lo, hi):
    """Longest flat tail among the last 1/2, 1/4, 1/8, 1/16 of each range.

    Flat: the least-squares line through the block maxima (upper envelope, 8 blocks)
    changes the level by at most ``tol = FLAT_ABS + 3 se`` across the tail (``se`` from
    the envelope's own residuals, so noise widens the test and a clean trend does not).
    A tail shorter than half must also end a trend: the stretch of equal length before it
    changed by more than five times ``tol`` and by more than its own noise (otherwise a
    slow decrease, e.g. a power law, would look flat on a short enough tail).
    Returns ``(flat, start, top)``: whether one exists, where it starts, its maximum.
    """
    m = hi - lo
    flat = np.zeros(L.shape[0], dtype=bool)
    start, top = hi.copy(), np.full(L.shape[0], -np.inf)
    for f in (2, 4, 8, 16):
        tl = m - m // 2 if f == 2 else m // f
        a = hi - tl
        change, se, tmax = _envelope_change(L, a, hi)
        tol = FLAT_ABS + 3 * se
        fl = ~flat & (tl >= 3) & (np.abs(change) <= tol)
        if f > 2:
            c_prev, se_prev, _ = _envelope_change(L, a - tl, a)
            fl &= ((tl >= 16) & (np.abs(c_prev) >= 5 * tol)
                   & (np.abs(c_prev) >= FLAT_ABS + 3 * se_prev))
        start = np.where(fl, a, start)
        top = np.where(fl, tmax, top)
        flat |= fl
    return flat, start, top


def superlinear(L, lo, hi, auto):
    """Find a final run of steps with computational order above ``Q_MIN``.

    ``q_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1})`` (COC, Ypma 1995 / Grau-Sanchez et al.
    2011); ``q`` is the least-squares slope of ``log e_{k+1}`` on ``log e_k`` over the
    window, ``q_ci`` the spread of the ``q_k`` there (successive q_k are correlated, so
    no independence-based interval). Returns a dict of per-row arrays.
    """
    N, T = L.shape
    rows = _rows(N)
    d = L[:, 1:] - L[:, :-1]
    j = np.arange(T - 2)
    qv = (j >= lo[:, None]) & (j + 2 < hi[:, None]) & (d[:, :-1] < 0) & (d[:, 1:] < 0)
    qk = np.where(qv, d[:, 1:] / np.where(qv, d[:, :-1], -1.0), 0.0)
    cond = qv & (qk > Q_MIN)
    j_last = last_true(cond, -1)
    p_end = j_last + 2
    pe = np.clip(p_end, 0, T - 1)
    after = in_range(T, p_end + 1, hi)
    trail_max = np.where(after, L, -np.inf).max(axis=1)
    j_first = last_true(~cond & (j >= lo[:, None]) & (j < j_last[:, None]), lo - 1) + 1
    nq = j_last - j_first + 1
    peak = np.where(in_range(T, lo, hi), L, -np.inf).max(axis=1)
    dec = L[rows, np.clip(j_first, 0, T - 1)] - L[rows, pe]
    ok = ((j_last >= 0) & (nq >= 2) & (p_end >= hi - 3) & (trail_max < L[rows, pe])
          & (dec >= LN10) & (dec >= 0.5 * (peak - L[rows, pe])))
    js = j_first.copy()
    if auto and ok.any():
        h = (nq + 1) // 2
        tail = ok[:, None] & (j >= (j_last - h + 1)[:, None]) & (j <= j_last[:, None])
        q_ref = masked_median(qk, tail)
        bad = (ok[:, None] & (j >= j_first[:, None]) & (j <= j_last[:, None])
               & (np.abs(qk - q_ref[:, None]) > Q_HEAD_TOL * np.abs(q_ref)[:, None]))
        js = np.minimum(last_true(bad, j_first - 1) + 1, j_last - 1)
        js = np.maximum(js, j_first)
    win = ok[:, None] & (j >= js[:, None]) & (j <= j_last[:, None])
    q_lo = np.where(win, qk, np.inf).min(axis=1)
    q_hi = np.where(win, qk, -np.inf).max(axis=1)
    q_coc = masked_median(qk, win) if ok.any() else np.zeros(N)
    # regression of log e_{k+1} on log e_k over the pairs k = js .. p_end - 1
    k = np.arange(T - 1)
    pw = ok[:, None] & (k >= js[:, None]) & (k < p_end[:, None])
    q_fit, icpt, _, _, _ = ols(L[:, :-1], L[:, 1:], pw)
    q_use, rounded = q_fit.copy(), np.zeros(N, dtype=bool)
    best = np.full(N, np.inf)
    for qs in STANDARD:
        tol = Q_ROUND_TOL * qs
        cand = ok & (q_lo - tol <= qs) & (qs <= q_hi + tol) & (np.abs(q_fit - qs) < best)
        best = np.where(cand, np.abs(q_fit - qs), best)
        q_use = np.where(cand, qs, q_use)
        rounded |= cand
    c = L[:, 1:] - q_use[:, None] * L[:, :-1]
    m_c = p_end - js
    h_c = np.maximum(np.minimum(m_c, 3), (m_c + 1) // 2)
    last = pw & (k >= (p_end - h_c)[:, None])
    dc1 = np.abs(c[:, 1:] - c[:, :-1])
    dc2 = np.abs(c[:, 2:] - c[:, :-2])
    l1 = last[:, 1:] & last[:, :-1]
    l2 = last[:, 2:] & last[:, :-2]
    small = np.where(l1, dc1, 0.0).max(axis=1) <= C_SETTLE
    # C_k may also converge geometrically, often alternating (the secant method: ratio
    # -1/golden); then it settles at the Aitken limit of its last three values.
    D = c[:, 1:] - c[:, :-1]
    lr_ = l1[:, 1:] & l1[:, :-1]
    ratio = np.abs(D[:, 1:]) / np.where(D[:, :-1] != 0, np.abs(D[:, :-1]), np.inf)
    rows = _rows(N)
    tri = np.clip(p_end[:, None] - 3 + np.arange(3)[None, :], 0, T - 2)
    c3 = c[rows[:, None], tri]
    d1, d2 = c3[:, 1] - c3[:, 0], c3[:, 2] - c3[:, 1]
    decay = ((lr_.sum(axis=1) >= 2) & (d2 != 0) & (d2 != d1)
             & np.all(np.where(lr_, ratio <= 0.9, True), axis=1))
    c_aitken = c3[:, 2] - d2 * d2 / np.where(decay, d2 - d1, 1.0)
    per1 = small | decay
    per2 = (~per1 & l2.any(axis=1)
            & (np.where(l2, dc2, 0.0).max(axis=1) <= C_SETTLE))
    rounded &= per1 | per2
    decay &= rounded
    q_use = np.where(rounded, q_use, q_fit)
    c = L[:, 1:] - q_use[:, None] * L[:, :-1]
    cw = np.where(rounded[:, None], last, pw)
    n_cw = np.maximum(cw.sum(axis=1), 1)
    logC = np.where(decay, c_aitken, np.where(cw, c, 0.0).sum(axis=1) / n_cw)
    c_lo = np.minimum(np.where(cw, c, np.inf).min(axis=1), logC)
    c_hi = np.maximum(np.where(cw, c, -np.inf).max(axis=1), logC)
    periodic = rounded & per2
    # the two limit points: mean of C_k at each parity in the settled part
    par = (k % 2 == 0)[None, :]
    la = np.where(last & par, c, 0.0).sum(axis=1) / np.maximum((last & par).sum(axis=1), 1)
    lb = np.where(last & ~par, c, 0.0).sum(axis=1) / np.maximum((last & ~par).sum(axis=1), 1)
    return dict(ok=ok, start=js, end=p_end, q=q_use, q_fit=q_fit, q_lo=np.minimum(q_lo, q_use),
                q_hi=np.maximum(q_hi, q_use), q_coc=q_coc, logC=logC, c_lo=c_lo, c_hi=c_hi,
                rounded=rounded, periodic=periodic, decay=decay,
                lim=np.sort(np.stack([la, lb], 1), 1),
                trail=hi - 1 - p_end, icpt=icpt)


def oscillation(L, lo, hi):
    """Smallest period ``P`` (2..16) on which the tail repeats itself.

    Tail: the last ``max(16, m/4)`` iterates. Oscillating when the step-to-step swing
    (RMS of ``log e_k - log e_{k-1}``) is at least ``OSC_SWING``, the cycle error (RMS of
    ``log e_k - log e_{k-P}``) at most ``OSC_CYC`` times the swing, and the level drifts by
    at most ``OSC_DRIFT`` (log) across the tail. Returns ``(period, tail_start)``
    (period 0 where none).
    """
    N, T = L.shape
    m = hi - lo
    tl = np.minimum(m, np.maximum(16, m // 4))
    a = hi - tl
    period = np.zeros(N, dtype=np.int64)
    if N == 0:
        return period, a
    # work on the tails only: columns t of X hold iterate hi - W + t
    W = int(tl.max(initial=1))
    kk = hi[:, None] - W + np.arange(W)[None, :]
    X = L[np.arange(N)[:, None], np.clip(kk, 0, T - 1)]
    d1 = X[:, 1:] - X[:, :-1]
    w1 = kk[:, 1:] >= (a + 1)[:, None]
    swing = np.sqrt(np.where(w1, d1 * d1, 0.0).sum(axis=1) / np.maximum(w1.sum(axis=1), 1))
    for P in range(2, min(P_MAX, W // 3) + 1):
        dP = X[:, P:] - X[:, :-P]
        wP = kk[:, P:] >= (a + P)[:, None]
        n = np.maximum(wP.sum(axis=1), 1)
        cyc = np.sqrt(np.where(wP, dP * dP, 0.0).sum(axis=1) / n)
        drift = np.abs(np.where(wP, dP, 0.0).sum(axis=1) / n) * tl / P
        hit = ((period == 0) & (tl >= 3 * P) & (swing >= OSC_SWING)
               & (cyc <= OSC_CYC * swing) & (drift <= OSC_DRIFT))
        period = np.where(hit, P, period)
    return period, a


def stall_limit(L, start, hi):
    """Log of the level a flat tail settles at.

    When the last five increments of ``e`` share a sign and shrink by a steady factor in
    (0, 1) (a geometric approach), Aitken's delta-squared on the last three values
    extrapolates the limit; otherwise the median of the tail. Returns ``(log_limit,
    extrapolated, iqr)`` (``iqr``: interquartile range of log e over the tail).
    """
    N, T = L.shape
    rows = _rows(N)
    idx = np.clip(hi[:, None] - 6 + np.arange(6)[None, :], 0, T - 1)
    Lt = L[rows[:, None], idx]
    enough = (hi - start) >= 6
    x = np.expm1(Lt - Lt[:, -1:])                      # e_j / e_last - 1, exact near 0
    dx = x[:, 1:] - x[:, :-1]
    rho = dx[:, 1:] / np.where(dx[:, :-1] != 0, dx[:, :-1], 1.0)
    rmed = np.median(rho, axis=1)
    geo = (enough & (np.all(dx > 0, axis=1) | np.all(dx < 0, axis=1))
           & np.all((rho > 0) & (rho < 1), axis=1)
           & np.all(np.abs(rho - rmed[:, None]) <= 0.1 * rmed[:, None], axis=1))
    d1, d2 = dx[:, -2], dx[:, -1]
    den = d2 - d1
    x_lim = x[:, -1] - d2 * d2 / np.where(den != 0, den, 1.0)
    geo &= (den != 0) & (x_lim > -1)
    aitken = Lt[:, -1] + np.log1p(np.where(geo, x_lim, 0.0))
    q1, med, q3 = masked_quantile(L, in_range(T, start, hi), (0.25, 0.5, 0.75))
    return np.where(geo, aitken, med), geo, q3 - q1


def envelope_fit(L, a, b):
    """Fits on the upper envelope (16 block maxima) of ``[a, b)``: geometric and power law.

    Linear model ``log M = c + k log C``; power model ``log M = log A - p log k``.
    The block maxima ride on the peaks of zig-zags and spirals, so the slope is the
    envelope's, not the mean ratio (which over-estimates C when ratios swing).
    Returns a dict of per-row arrays (slopes between consecutive blocks for the spreads).
    """
    M, pos, v = block_max(L, a, b, NB_FIT)
    s_lin, c_lin, rss_lin, sxx, nb = ols(pos.astype(float), M, v)
    good = (nb > 2) & (sxx > 0)
    se_lin = np.where(good, np.sqrt(rss_lin / np.maximum(nb - 2, 1) / np.where(good, sxx, 1.0)),
                      np.inf)
    vp = v & (pos >= 1)
    lk = np.log(np.maximum(pos, 1).astype(float))
    s_pow, c_pow, rss_pow, _, _ = ols(lk, M, vp)
    pair = v[:, 1:] & v[:, :-1]
    dM = M[:, 1:] - M[:, :-1]
    dk = (pos[:, 1:] - pos[:, :-1]).astype(float)
    bs = np.where(pair, dM / np.where(pair, dk, 1.0), 0.0)
    ppair = vp[:, 1:] & vp[:, :-1]
    dl = lk[:, 1:] - lk[:, :-1]
    pb = np.where(ppair, -dM / np.where(ppair, dl, 1.0), 0.0)
    first = np.where(v, pos, 1 << 62).min(axis=1)
    last = np.where(v, pos, -1).max(axis=1)
    nbm = np.maximum(nb - 1, 0)
    last_bs = bs[np.arange(L.shape[0]), np.maximum(nbm - 1, 0)]
    return dict(
        s_lin=s_lin, rss_lin=rss_lin, s_pow=s_pow, c_pow=c_pow, rss_pow=rss_pow, nb=nb,
        bs_lo=np.where(pair, bs, np.inf).min(axis=1), bs_hi=np.where(pair, bs, -np.inf).max(
            axis=1), last_bs=last_bs, steady=np.all(np.where(pair, bs < 0, True), axis=1),
        p_lo=np.where(ppair, pb, np.inf).min(axis=1),
        p_hi=np.where(ppair, pb, -np.inf).max(axis=1), dec=-s_lin * (last - first),
        span=last - first, max_drop=np.where(pair, -dM, 0.0).max(axis=1, initial=0.0),
        all_drop=np.where(pair, np.maximum(-dM, 0.0), 0.0).sum(axis=1),
        t_lin=np.abs(s_lin) / np.where(se_lin > 0, se_lin, 1e-300))


def quarter_growth(L, lo, hi):
    """Steady growth: the means of the last three quarters rise, the last rise at least
    half the one before, and by a factor 1.5 or more in all (log-mean)."""
    T = L.shape[1]
    m = hi - lo
    mu = []
    for i in (1, 2, 3):
        w = in_range(T, lo + (i * m) // 4, lo + ((i + 1) * m) // 4)
        mu.append(np.where(w, L, 0.0).sum(axis=1) / np.maximum(w.sum(axis=1), 1))
    r_prev, r_last = mu[1] - mu[0], mu[2] - mu[1]
    return ((m >= 8) & (r_prev > 0) & (r_last >= 0.5 * r_prev)
            & (mu[2] - mu[0] >= math.log(1.5)),)


def tail_slope(L, lo, hi):
    """Least-squares slope of ``log e`` on ``k`` over the last ``max(3, m/4)`` records."""
    T = L.shape[1]
    m = hi - lo
    tl = np.minimum(m, np.maximum(3, m // 4))
    w = in_range(T, hi - tl, hi)
    s, *_ = ols(np.broadcast_to(np.arange(T, dtype=float), L.shape), L, w)
    return s, hi - tl


__all__ = ["flat_tail", "superlinear", "oscillation", "stall_limit", "envelope_fit",
           "quarter_growth", "tail_slope", "first_true", "N_MIN", "DEEP", "LN10"]
