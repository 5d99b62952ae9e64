"""Stage 3 of the estimator: one detector per regime on the records of one row.

Each detector returns a :class:`Finding` (regime, numbers, window, explanation) or None;
:mod:`._stages` runs them in order. Thresholds come from :data:`THRESHOLDS` only.
"""

from __future__ import annotations

import math
from typing import NamedTuple

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
    sign_changes,
    tq,
)
from ._records import LN10
from ._thresholds import THRESHOLDS as TH

__all__ = ["Finding", "diverged_growth", "growth", "superlinear", "q_superlinear",
           "oscillation", "stall", "linear_or_sublinear", "g", "e_text"]


class Finding(NamedTuple):
    regime: Regime
    fields: dict
    window: tuple[int, int] | None
    text: str


def g(x) -> str:
    return f"{x:.4g}"


def e_text(logv: float) -> str:
    """A level given by its natural log, as text (works far outside the float range)."""
    if not math.isfinite(logv):
        return "0" if logv < 0 else "inf"
    t = logv / LN10
    ex = math.floor(t)
    man = round(10 ** (t - ex), 2)
    if man >= 10:
        man, ex = man / 10, ex + 1
    return f"{man:.3g}e{ex:+d}"


def _exp(x):
    try:
        v = math.exp(x)
    except OverflowError:
        return None
    return v if 0 < v < math.inf else None


def _pair(a, b):
    lo, hi = _exp(a), _exp(b)
    return None if lo is None or hi is None else (lo, hi)


def _ci(center, se, df, level, fn=_exp):
    if not (math.isfinite(se) and df >= 1):
        return None
    h = tq(df, level) * se
    lo, hi = fn(center - h), fn(center + h)
    return None if lo is None or hi is None else (lo, hi)


def _ident(x):
    return x


def _super_exp(k, L):
    """Order of super-exponential growth: slope of log e_(k+1) on log e_k (points with
    e > 1 and every rise at least SUPEREXP_ACCEL times the one before), or None."""
    d = np.diff(L)
    if L.size < 4 or np.any(d[-3:] <= 0):
        return None
    acc = d[1:] / d[:-1]
    m = 0
    while m < acc.size and acc[acc.size - 1 - m] >= TH.SUPEREXP_ACCEL:
        m += 1
    if m < 2:
        return None
    a = L.size - m - 2
    x, y = L[a:-1], L[a + 1:]
    if np.any(x <= 0):
        return None
    f = line(x, y)
    return f, int(k[a]), int(k[-1])


def _growth_fields(k, L, level):
    """Growth factor per step (slope of log e over the last half, at least 3 points) or
    the order of super-exponential growth."""
    sx = _super_exp(k, L)
    if sx is not None:
        f, a, b = sx
        q = float(f.beta[1])
        return ({"growth_order": q, "growth_order_ci": _ci(q, f.se[1], f.df, level, _ident)},
                (a, b), f"super-exponential growth: log e_(k+1) ~ {g(q)} log e_k over "
                        f"iterates {a}..{b} (growth_order; a per-step factor means nothing)")
    m = max(3, L.size // 2)
    kk, LL = k[-m:].astype(float), L[-m:]
    f = line(kk, LL)
    s = float(f.beta[1])
    if s <= 0 or _exp(s) is None:
        return {}, (int(kk[0]), int(kk[-1])), "the records before it do not grow: no growth factor"
    return ({"growth": _exp(s), "growth_ci": _ci(s, f.se[1], f.df, level)},
            (int(kk[0]), int(kk[-1])),
            f"growth factor {g(_exp(s))} per step from the least-squares slope of log e over "
            f"iterates {int(kk[0])}..{int(kk[-1])}")


def diverged_growth(k, L, div_at, src, level) -> Finding:
    head = {1: "the run reports divergence", 2: "a non-finite error"}[src] + f" at iterate {div_at}"
    if L.size < 2:
        return Finding(Regime.DIVERGED, {"diverged_at": div_at}, None,
                       f"{head}; too few records before it for a growth factor")
    fl, win, t = _growth_fields(k, L, level)
    fl["diverged_at"] = div_at
    return Finding(Regime.DIVERGED, fl, win, f"{head}; {t}")


def growth(k, L, level) -> Finding | None:
    """Consistent growth without a non-finite value: the last GROW_POINTS iterates rise,
    each rise at least half the one before, by GROW_MIN in all; or (long runs) the means
    of the last three quarters rise by GROW_MIN in all."""
    n = L.size
    d = np.diff(L)
    short = (n >= TH.GROW_POINTS and np.all(d[-(TH.GROW_POINTS - 1):] > 0)
             and np.all(d[-(TH.GROW_POINTS - 2):] >= 0.5 * d[-(TH.GROW_POINTS - 1):-1])
             and L[-1] - L[-TH.GROW_POINTS] >= TH.GROW_MIN)
    long_ = False
    if n >= 8:
        q = [L[(i * n) // 4:((i + 1) * n) // 4].mean() for i in (1, 2, 3)]
        long_ = (q[1] > q[0] and q[2] - q[1] >= 0.5 * (q[1] - q[0])
                 and q[2] - q[0] >= TH.GROW_MIN)
    if not (short or long_):
        return None
    fl, win, t = _growth_fields(k, L, level)
    if not fl:
        return None
    return Finding(Regime.DIVERGED, fl, win, "log e keeps rising (" + (
        f"{TH.GROW_POINTS} consecutive rises" if short else "over the last three quarters")
        + f"), no non-finite value seen; {t}")


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


def superlinear(k, L, auto, level, round_q) -> Finding | None:
    """A final run of computational orders q_k > Q_MIN (COC, Ypma 1995) carrying a decade
    and half of the decrease; q from the regression of log e_(k+1) on log e_k with a t
    interval; C from log C_k = log e_(k+1) - q log e_k where it settles."""
    n = L.size
    if n < 4:
        return None
    d = np.diff(L)
    qv = (d[:-1] < 0) & (d[1:] < 0)
    qk = np.where(qv, d[1:] / np.where(qv, d[:-1], -1.0), 0.0)
    cond = qv & (qk > TH.Q_MIN)
    idx = np.flatnonzero(cond)
    if idx.size == 0:
        return None
    j_last = int(idx[-1])
    p_end = j_last + 2
    if p_end < n - 3 or (p_end < n - 1 and L[p_end + 1:].max() >= L[p_end]):
        return None
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


def _qsup_short(k, rho):
    """The short form of the Q-superlinear test (a float64 quasi-Newton run has a handful
    of such steps, with erratic ratios): over the last K = 5..12 log ratios, the slope of
    log(e_(k+1)/e_k) on k is negative with a t statistic of QSUP_T, and the fitted ratio
    falls by QSUP_SHORT_DROP over them. Returns the largest such K, or 0."""
    best = 0
    if rho.size < 5 or rho[-3:].mean() > rho[-12:-2].max():
        return 0          # the last ratios are not below all the earlier ones: no fall
    for K in range(5, min(12, rho.size) + 1):
        f = line(k[-K - 1:-1].astype(float), rho[-K:])
        b = float(f.beta[1])
        span = float(k[-2] - k[-K - 1])
        if (b < 0 and f.se[1] > 0 and -b / f.se[1] >= TH.QSUP_T
                and -b * span >= TH.QSUP_SHORT_DROP and rho[-1] < 0):
            best = K
        elif b < 0 and f.se[1] == 0 and -b * span >= TH.QSUP_SHORT_DROP and rho[-1] < 0:
            best = K
    return best


def q_superlinear(k, L, level) -> Finding | None:
    """Q-superlinear without an order (quasi-Newton): the ratios e_(k+1)/e_k fall to 0.
    Over the last half, the block means of log(e_(k+1)/e_k) fall block after block, by
    QSUP_DROP in all, and the errors still decrease; or, on a short run, the last few
    ratios fall steadily by a factor of ten (:func:`_qsup_short`)."""
    n = L.size
    if n < 6:
        return None
    rho = np.diff(L) / np.diff(k)
    ok, a = False, n // 2
    if n >= 2 * TH.QSUP_BLOCKS + 2:
        h = rho[rho.size // 2:]
        nb = TH.QSUP_BLOCKS
        m = h.size // nb
        bm = h[h.size - m * nb:].reshape(nb, m).mean(axis=1)
        ok = bool(np.all(np.diff(bm) < 0) and bm[0] - bm[-1] >= TH.QSUP_DROP and bm[-1] < 0)
        r0, r1 = _exp(bm[0]), _exp(bm[-1])
    if not ok:
        K = _qsup_short(k, rho)
        if K == 0:
            return None
        a = n - 1 - K
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


def oscillation(k, L) -> tuple[int, int]:
    """Smallest period P (2..P_MAX) on which the tail (last max(16, n/4)) repeats: RMS step
    at least OSC_SWING, cycle error at most OSC_CYC of it, drift at most OSC_DRIFT."""
    n = L.size
    tl = min(n, max(16, n // 4))
    X = L[n - tl:]
    d1 = np.diff(X)
    if d1.size == 0:
        return 0, n - tl
    swing = math.sqrt(float(d1 @ d1) / d1.size)
    for P in range(2, min(TH.P_MAX, tl // 3) + 1):
        dP = X[P:] - X[:-P]
        cyc = math.sqrt(float(dP @ dP) / dP.size)
        drift = abs(float(dP.mean())) * tl / P
        if swing >= TH.OSC_SWING and cyc <= TH.OSC_CYC * swing and drift <= TH.OSC_DRIFT:
            return P, n - tl
    return 0, n - tl


def _aitken_limit(L):
    """Aitken's delta^2 on the last values of e when the approach is geometric (last five
    increments one sign, steady ratio in (0, 1)); log of the limit, or None."""
    if L.size < 6:
        return None
    Lt = L[-6:]
    x = np.expm1(Lt - Lt[-1])
    dx = np.diff(x)
    if not (np.all(dx > 0) or np.all(dx < 0)):
        return None
    rho = dx[1:] / dx[:-1]
    med = float(np.median(rho))
    if not (np.all((rho > 0) & (rho < 1)) and np.all(np.abs(rho - med) <= 0.1 * med)):
        return None
    d1, d2 = dx[-2], dx[-1]
    if d2 == d1:
        return None
    xl = x[-1] - d2 * d2 / (d2 - d1)
    if xl <= -1:
        return None
    return float(Lt[-1] + math.log1p(xl)), float(abs(math.log1p(xl)))


def stall(k, L, start, level) -> Finding | None:
    """A flat tail that is not a floor: the level the error settles at (Aitken when the
    approach is geometric, else the geometric mean with a Newey-West interval)."""
    tail = L[start:]
    q1, q3 = np.quantile(tail, (0.25, 0.75))
    a, b = int(k[start]), int(k[-1])
    if q3 - q1 > TH.STALL_IQR:
        return Finding(Regime.UNDETERMINED, {}, None,
                       f"iterates {a}..{b} have no trend, but log e scatters over "
                       f"{g((q3 - q1) / LN10)} decades (interquartile): no limit, trend or "
                       "cycle to report")
    ai = _aitken_limit(L)
    if ai is not None:
        lim, err = ai
        return Finding(Regime.STALLED, {"limit": _exp(lim), "limit_ci": _pair(lim - err,
                                                                               lim + err)},
                       (a, b), f"iterates {a}..{b} are flat: the error settles at "
                               f"{e_text(lim)} (Aitken extrapolation of a geometric approach; "
                               "interval: its distance to the last value)")
    f = lsq(np.ones((tail.size, 1)), tail, hac=True)
    mu = float(f.beta[0])
    return Finding(Regime.STALLED, {"limit": _exp(mu), "limit_ci": _ci(mu, f.se[0], f.df,
                                                                       level)},
                   (a, b), f"iterates {a}..{b} are flat: the error settles at {e_text(mu)} "
                           f"(geometric mean, {level:.0%} Newey-West interval)")


def _sublinear_fit(k, L, level):
    """Power law A (k + k0)^-p over the whole stretch when its residuals change sign like
    noise; else over the earliest start (0, n/8, n/4 of the stretch, else the last half)
    whose model fits the last half as well as the last half's own fit (F statistic of the
    3 extra constraints at most SUB_F)."""
    n = L.size
    h = n // 2
    whole = power_law(k, L)
    r = L - (whole.logA - whole.p * np.log(k + whole.k0))
    if sign_changes(r) >= n // 3:
        return whole, 0            # residuals like noise: the model holds on all of it
    ref = power_law(k[h:], L[h:])
    for s in (0, n // 8, n // 4):
        if n - s < 8:
            continue
        f = whole if s == 0 else power_law(k[s:], L[s:])
        r = L[h:] - (f.logA - f.p * np.log(k[h:] + f.k0))
        rss_w = float(r @ r)
        F = (rss_w - ref.rss) / 3 / max(ref.rss / max(ref.df, 1), 1e-300)
        if F <= TH.SUB_F:
            return f, s
    return ref, h


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
    if auto and n >= 6 * 8:
        xs, Ms = block_max(k.astype(float), L, min(TH.NB_FIT, n // 8))
        j = _settled_start(xs, Ms, 4, L)
        if j > 0:
            w0 = max(w0, int(np.searchsorted(k, xs[j])))
    w0 = min(w0, max(n - max(TH.N_MIN, n // 8), 0))
    kw, Lw = k[w0:].astype(float), L[w0:]
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
        xs, Ms = block_max(k.astype(float), L, TH.NB_FIT)
        if xs.size >= 6:
            fl_ = line(xs, Ms)
            fp = line(np.log(xs - xs[0] + 1.0), Ms)
            h = xs.size // 2
            sa = line(xs[:h], Ms[:h]).beta[1]
            sb = line(xs[h:], Ms[h:]).beta[1]
            sub = (fp.rss < fl_.rss and fp.beta[1] < 0 and sa < 0 and sb < 0
                   and sa / sb >= TH.SUB_FLATTEN)
    if sub:
        kk = k.astype(float)
        pf, s0 = _sublinear_fit(kk, L, level)
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
    last_bs = line(x[-t3:], M[-t3:]).beta[1]      # the envelope still falls at the end
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
                   f"{lm.model}, {level:.0%} t interval from the block residuals")


def linear_to_floor(k, L, i0, logF):
    r"""Joint fit of a linear decrease into a noise floor: :math:`\log e_k =
    \log(e^{a + k \log C} + e^{c}) + \eta_k` (Gauss-Newton from the floor level ``logF``
    and a line through the points a decade above it) on the points ``i0..``, the floor
    included, so the bend into the floor is modelled, not cut. Newey-West covariance.
    Returns ``(log C, se, c, se_c, df)`` or None when it does not converge."""
    kk, y = k[i0:].astype(float), L[i0:]
    above = y > logF + LN10
    if kk.size < 8 or above.sum() < 3:
        return None
    b, a = np.polyfit(kk[above], y[above], 1)
    k0 = kk.mean()
    a, c = a + b * k0, logF
    def rss_at(a, b, c):
        u = np.exp(np.clip(a + b * (kk - k0) - c, -700, 700))
        r = y - c - np.log1p(u)
        return float(r @ r), u, r

    cur, u, res = rss_at(a, b, c)
    for _ in range(60):
        w = u / (u + 1.0)
        J = np.column_stack([w, w * (kk - k0), 1.0 - w])
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
        done = cur - new <= 1e-12 * cur
        cur, u, res = new, u2, r2
        if done:
            break
    u = np.exp(np.clip(a + b * (kk - k0) - c, -700, 700))
    w = u / (u + 1.0)
    J = np.column_stack([w, w * (kk - k0), 1.0 - w])
    fit = lsq(J, y - c - np.log1p(u), hac=True)
    if not (b < 0 and np.all(np.isfinite(fit.se))):
        return None
    return b, float(fit.se[1]), c, float(fit.se[2]), fit.df
