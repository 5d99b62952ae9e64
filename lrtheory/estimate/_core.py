"""The vectorised estimator: window selection, regime decision, numbers, reasons.

Input is a batch of natural-log error rows (see :class:`Setup`); the scalar
:func:`~lrtheory.estimate.estimate_order` is this same code on a batch of one, so the two
paths agree by construction.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import _regimes as R
from ._ops import first_true, in_range, range_max, range_min, rev_cummax
from ._result import Columns

__all__ = ["Setup", "classify"]

#: a round-off floor is cut from where the envelope enters the band this far above it.
FLOOR_BAND = math.log(1e3)


class Setup(NamedTuple):
    """A batch prepared for :func:`classify`.

    ``L``: ``(N, T)`` natural logs of the errors, finite on ``[lo, hi)``; ``div_at``:
    first diverged iterate or -1; ``div_src``: 1 the run reported it, 2 a non-finite value
    in the data; ``zero_at``: first exact zero (range cut there) or -1; ``auto``: choose the
    window (else use ``[lo, hi)`` as given); ``eps``: machine epsilon of float input (None
    for mpmath numbers, whose precision is unknown here).
    """

    L: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    div_at: np.ndarray
    div_src: np.ndarray
    zero_at: np.ndarray
    auto: bool
    eps: float | None


def _exp(x):
    """exp for result columns: NaN (left undefined) where it leaves the positive floats."""
    y = np.exp(x)
    return np.where((y > 0) & np.isfinite(y), y, np.nan)


def _g(x):
    return f"{x:.4g}"


def _e(logv):
    """A level given by its natural log, as text (works far outside the float range)."""
    if not np.isfinite(logv):
        return "0" if logv < 0 else "inf"
    t = logv / math.log(10)
    ex = math.floor(t)
    man = round(10 ** (t - ex), 2)
    if man >= 10:
        man, ex = man / 10, ex + 1
    return f"{man:.3g}e{ex:+d}"


def _on(sel, fn, L, a, b, *args):
    """Run a row-wise regime function on the rows ``sel`` only; scatter back to all rows
    (zeros / False elsewhere). Returns a tuple or dict like ``fn``."""
    idx = np.nonzero(sel)[0]
    res = fn(L[idx], np.asarray(a)[idx], np.asarray(b)[idx], *args)
    N = L.shape[0]

    def full(v):
        v = np.asarray(v)
        out = np.zeros((N,) + v.shape[1:], dtype=v.dtype)
        out[idx] = v
        return out

    if isinstance(res, dict):
        return {k: full(v) for k, v in res.items()}
    return tuple(full(v) for v in res)


def _sup_candidates(L, lo, hi):
    """Rows whose last three computational orders include one above Q_MIN (cheap)."""
    N, T = L.shape
    idx = hi[:, None] - 5 + np.arange(5)[None, :]
    X = L[np.arange(N)[:, None], np.clip(idx, 0, T - 1)]
    d = X[:, 1:] - X[:, :-1]
    q = d[:, 1:] / np.where(d[:, :-1] != 0, d[:, :-1], -1.0)
    ok = (idx[:, :-2] >= lo[:, None]) & (d[:, :-1] < 0) & (d[:, 1:] < 0) & (q > R.Q_MIN)
    return ok.any(axis=1)


def _cut_floors(L, lo, hi, act, eps):
    """Drop round-off: below eps^0.9 of the largest error (float input), a flat tail at or
    below DEEP of it, and a short non-monotone tail within FLOOR_BAND of the minimum."""
    N, T = L.shape
    rows = np.arange(N)
    mask = in_range(T, lo, hi)
    E = rev_cummax(L, mask)
    peak = E[rows, np.clip(lo, 0, T - 1)]
    cut_level = np.full(N, -1)
    if eps is not None:
        thr = np.maximum(peak + 0.9 * math.log(eps), math.log(np.finfo(float).tiny))
        c = first_true(mask & (E < thr[:, None]) & act[:, None], -1)
        cut_level = c
        hi = np.where(c >= 0, c, hi)
        mask = in_range(T, lo, hi)
        E = rev_cummax(L, mask)
    flat, _, top = _on(act, R.flat_tail, L, lo, hi)
    deep = act & flat & (top <= peak + math.log(R.DEEP))
    s = first_true(mask & (E <= (top + R.LN10)[:, None]), hi)
    cut_floor = np.where(deep, s, -1)
    hi = np.where(deep, s, hi)
    mask = in_range(T, lo, hi)
    E = rev_cummax(L, mask)
    s2 = first_true(mask & (E <= (range_min(L, lo, hi) + FLOOR_BAND)[:, None]), hi)
    k = np.arange(T - 1)
    nonmono = ((L[:, 1:] >= L[:, :-1]) & (k >= s2[:, None]) & (k + 1 < hi[:, None])).any(1)
    # a floor does not keep falling: the second half of the stretch reaches (nearly) as
    # high as the first (a zig-zag that still decreases fails this)
    mid = (s2 + hi) // 2
    m1, m2 = range_max(L, s2, mid), range_max(L, mid, hi)
    level = m2 >= m1 - 0.25 * (m1 - range_min(L, s2, hi))
    short = (act & (hi - s2 >= 2) & nonmono & level
             & (E[rows, np.clip(s2, 0, T - 1)] <= peak + math.log(R.DEEP)))
    cut_floor = np.where(short, s2, cut_floor)
    hi = np.where(short, s2, hi)
    return hi, cut_level, cut_floor, peak


def classify(s: Setup) -> Columns:
    """Decide the regime of every row and fill the result columns (see the package doc)."""
    with np.errstate(all="ignore"):
        return _classify(s)


def _classify(s: Setup) -> Columns:
    L = np.asarray(s.L, dtype=float)
    N, T0 = L.shape
    if T0 < 8:
        L = np.concatenate([L, np.full((N, 8 - T0), -np.inf)], axis=1)
    lo, hi = np.asarray(s.lo, np.int64).copy(), np.asarray(s.hi, np.int64).copy()
    div = np.asarray(s.div_at) >= 0
    notes = [[] for _ in range(N)]
    for i in np.nonzero(np.asarray(s.zero_at) >= 0)[0]:
        notes[i].append(f"exact zero error at iterate {s.zero_at[i]}: it and later records "
                        "carry no rate information and were dropped")
    if s.auto:
        hi, cut_level, cut_floor, _ = _cut_floors(L, lo, hi, ~div & (hi > lo), s.eps)
        for i in np.nonzero(cut_level >= 0)[0]:
            notes[i].append(f"iterates from {cut_level[i]} on lie below eps^0.9 of the largest "
                            "error (round-off) and were dropped")
        for i in np.nonzero(cut_floor >= 0)[0]:
            notes[i].append(f"round-off floor from iterate {cut_floor[i]} on (at most 1e-9 of "
                            "the largest error) was dropped")
    m = hi - lo
    C = Columns(N)
    regime = C.regime
    done = np.zeros(N, dtype=bool)
    why = [""] * N

    def put(sel, name, a, b, text):
        a, b = np.broadcast_to(a, (N,)), np.broadcast_to(b, (N,))
        C.set("window_first", sel, a)
        C.set("window_last", sel, b)
        C.n_used[sel] = (b - a + 1)[sel]
        for i in np.nonzero(sel)[0]:
            regime[i] = name
            why[i] = text(i)

    # 1. divergence reported by the run or a non-finite value
    slope, ts = _on(div, R.tail_slope, L, lo, hi)
    sel = div
    C.set("diverged_at", sel, s.div_at)
    C.set("growth", sel & (m >= 2) & (slope > 0), _exp(slope))
    src = {1: "the run reports divergence", 2: "a non-finite error"}
    w2 = sel & (m >= 2)
    C.set("window_first", w2, ts)
    C.set("window_last", w2, hi - 1)
    C.n_used[w2] = (hi - ts)[w2]
    for i in np.nonzero(sel)[0]:
        regime[i] = "diverged"
        head = f"{src.get(int(s.div_src[i]), 'divergence')} at iterate {s.div_at[i]}"
        if m[i] >= 2:
            g = (f"growth factor {_g(np.exp(slope[i]))} per step from the least-squares "
                 f"slope of log e over iterates {ts[i]}..{hi[i] - 1}" if slope[i] > 0 and
                 math.isfinite(np.exp(slope[i])) else "the records before it do not grow: "
                 "no growth factor")
            why[i] = f"{head}; {g}"
        else:
            why[i] = f"{head}; too few records before it for a growth factor"
    done |= sel
    # 2. too few iterates
    sel = ~done & (m < R.N_MIN)
    for i in np.nonzero(sel)[0]:
        why[i] = (f"only {max(m[i], 0)} usable iterate(s) (need at least {R.N_MIN}): no order "
                  "or rate can be estimated")
    done |= sel
    # 3. superlinear
    sp = _on(~done & _sup_candidates(L, lo, hi), R.superlinear, L, lo, hi, s.auto)
    sel = ~done & sp["ok"]
    C.set("q", sel, sp["q"])
    C.set("q_lo", sel, sp["q_lo"])
    C.set("q_hi", sel, sp["q_hi"])
    C.set("q_coc", sel, sp["q_coc"])
    single = sel & ~sp["periodic"]
    C.set("rate", single, _exp(sp["logC"]))
    C.set("rate_lo", single, _exp(sp["c_lo"]))
    C.set("rate_hi", single, _exp(sp["c_hi"]))
    for i in np.nonzero(sel & sp["periodic"])[0]:
        lim = tuple(float(v) for v in _exp(sp["lim"][i]))
        C.rate_limits[i] = lim if all(map(math.isfinite, lim)) else None

    def sup_text(i):
        a, b = sp["start"][i], sp["end"][i]
        t = (f"computational orders q_k > {R.Q_MIN} over iterates {a}..{b}; q from the "
             f"regression of log e_(k+1) on log e_k (q_ci: spread of q_k, median "
             f"{_g(sp['q_coc'][i])})")
        if sp["rounded"][i]:
            t += f"; rounded to the standard order {_g(sp['q'][i])} (fit {_g(sp['q_fit'][i])})"
        if sp["periodic"][i]:
            t += ("; C_k = e_(k+1)/e_k^q alternates between two limit points (rate_limits): "
                  "no single C")
        else:
            t += ("; C_k converges geometrically: C is its Aitken limit" if sp["decay"][i]
                  else "; C = mean of log C_k with q fixed" + (
                      " over the settled half" if sp["rounded"][i] else ""))
        if sp["trail"][i] > 0:
            t += f"; last {sp['trail'][i]} iterate(s) dropped (order collapsed: round-off)"
        if a > lo[i]:
            t += f"; iterates {lo[i]}..{a - 1} dropped as pre-asymptotic"
        return t

    put(sel, "superlinear", sp["start"], sp["end"], sup_text)
    done |= sel
    # 4. oscillating (before the flat test: a cycle has a flat envelope)
    period, oa = _on(~done, R.oscillation, L, lo, hi)
    sel = ~done & (period > 0)
    C.set("period", sel, period)
    for i in np.nonzero(sel)[0]:
        cyc = tuple(float(v) for v in _exp(L[i, hi[i] - period[i]:hi[i]]))
        C.cycle[i] = cyc if all(math.isfinite(v) and v > 0 for v in cyc) else None
    put(sel, "oscillating", oa, hi - 1, lambda i: (
        f"the tail {oa[i]}..{hi[i] - 1} repeats with period {period[i]} (log e_k - log "
        f"e_(k-{period[i]}) small against the swing, no drift): a cycle, not convergence"))
    done |= sel
    # 5. stalled: a flat tail (above the round-off level, or the floor would be cut)
    flat, fs, _ = _on(~done, R.flat_tail, L, lo, hi)
    sel = ~done & flat
    if sel.any():
        lim, geo, iqr = _on(sel, R.stall_limit, L, fs, hi)
        noisy = sel & (iqr > R.STALL_IQR)
        for i in np.nonzero(noisy)[0]:
            why[i] = (f"the envelope of iterates {fs[i]}..{hi[i] - 1} has no trend, but log e "
                      f"scatters over {_g(iqr[i] / R.LN10)} decades (interquartile): no limit, "
                      "trend or cycle to report")
        done |= noisy
        sel &= ~noisy
        C.set("limit", sel, _exp(lim))
        put(sel, "stalled", fs, hi - 1, lambda i: (
            f"the upper envelope of iterates {fs[i]}..{hi[i] - 1} is flat: the error settles "
            f"at {_e(lim[i])} (" + ("Aitken extrapolation of a geometric approach" if geo[i]
                                     else "median of the flat tail") + ")"))
    done |= sel
    # 6. growth without a non-finite value: diverged (a bounded rise is caught as flat)
    wa = np.where(s.auto, lo + m // 2, lo)
    wa = np.minimum(wa, hi - np.minimum(m, R.N_MIN))
    grow = ~done & _on(~done, R.quarter_growth, L, lo, hi)[0]
    fit = _on(~done, R.envelope_fit, L, wa, hi)
    sel = grow & (fit["s_lin"] > 0)
    C.set("growth", sel, _exp(fit["s_lin"]))
    put(sel, "diverged", wa, hi - 1, lambda i: (
        f"log e keeps rising over the last three quarters; growth factor "
        f"{_g(np.exp(min(fit['s_lin'][i], 700)))} per step from the upper envelope of "
        f"iterates {wa[i]}..{hi[i] - 1}; no non-finite value seen"))
    done |= sel
    # 7. sublinear or linear, on the window (the last half unless given)
    p_hat = -fit["s_pow"]
    sub = (~done & (fit["nb"] >= 3) & (fit["rss_pow"] < fit["rss_lin"]) & (p_hat > 0)
           & (fit["dec"] > 0) & (fit["dec"] < R.REAL_DEC))
    C.set("p", sub, p_hat)
    C.set("p_lo", sub, np.minimum(fit["p_lo"], p_hat))
    C.set("p_hi", sub, np.maximum(fit["p_hi"], p_hat))
    C.set("A", sub, _exp(fit["c_pow"]))
    put(sub, "sublinear", wa, hi - 1, lambda i: (
        f"log e is closer to linear in log k than in k over iterates {wa[i]}..{hi[i] - 1} "
        f"(decrease by a factor {_g(np.exp(fit['dec'][i]))}); p and A from the log-log "
        "fit of the upper envelope, p_ci: spread of block-to-block slopes"))
    done |= sub
    # a linear decrease is spread over the window: no block carries half of it (a cliff is
    # not a rate), and C must be a positive float
    lin = (~done & (fit["s_lin"] < 0) & (fit["last_bs"] < 0) & np.isfinite(_exp(fit["s_lin"]))
           & (fit["max_drop"] <= 0.5 * fit["all_drop"])
           & ((fit["dec"] >= R.REAL_DEC) | ((fit["steady"] | (fit["t_lin"] >= R.T_STEADY))
                                            & (fit["dec"] >= R.STEADY_DEC))))
    C.set("q", lin, 1.0)
    C.set("rate", lin, _exp(fit["s_lin"]))
    C.set("rate_lo", lin, _exp(np.minimum(fit["bs_lo"], fit["s_lin"])))
    C.set("rate_hi", lin, _exp(np.maximum(fit["bs_hi"], fit["s_lin"])))
    put(lin, "linear", wa, hi - 1, lambda i: (
        f"decrease by {_g(fit['dec'][i] / R.LN10)} decades over iterates {wa[i]}..{hi[i] - 1}"
        + ("" if not s.auto or wa[i] == lo[i] else
           f" (iterates {lo[i]}..{wa[i] - 1} dropped as pre-asymptotic)")
        + "; C from the least-squares slope of the upper envelope (block maxima), rate_ci: "
        "spread of block-to-block slopes"))
    done |= lin
    for i in np.nonzero(~done)[0]:
        if fit["s_lin"][i] >= 0:
            why[i] = (f"no decrease over iterates {wa[i]}..{hi[i] - 1}, and no steady growth, "
                      "flat tail or cycle: regime undetermined")
        else:
            why[i] = (f"the envelope falls by a factor {_g(np.exp(fit['dec'][i]))} over "
                      f"iterates {wa[i]}..{hi[i] - 1}, too little or too unsteady to call it "
                      f"linear (needs {round(R.REAL_DEC / R.LN10)} decades, or a factor 2 "
                      "with every block decreasing or a slope of 10 standard errors) and not "
                      "closer to a power law")
    for i in range(N):
        C.reason[i] = "; ".join([why[i]] + notes[i])
    return C
