"""Stages 1 and 2 of the estimator on one row: the usable records, and the floor.

Both return typed results (:class:`Records`, :class:`Flat`) that the regime stage reads.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._fits import _dot, line_many
from ._thresholds import THRESHOLDS as TH

__all__ = ["Row", "Records", "Flat", "records", "records_many", "flat_tail_many", "trends",
           "change_many", "LN10"]

LN10 = math.log(10.0)


class Row(NamedTuple):
    """One sequence as the stages see it: natural logs ``L`` (``-inf`` exact zero, NaN
    non-finite), the run's reported divergence (-1 none), the range ``[lo, hi)``, whether
    the window is automatic, for float input the log of the smallest positive value the
    type holds (``None`` for mpmath: no underflow), and the log of the working precision's
    epsilon (where an iterate rounds to x*)."""

    L: np.ndarray
    div_at: int
    lo: int
    hi: int
    auto: bool
    log_tiny: float | None
    log_eps: float = math.log(2.0 ** -52)


class Records(NamedTuple):
    """Stage 1: the positive records ``(k, L)`` in the range, and what ended it."""

    k: np.ndarray
    L: np.ndarray
    lo: int
    hi: int
    div_at: int           # -1, or where the run diverged / a value was not finite
    div_src: int          # 1 reported by the run, 2 a non-finite value
    finite_at: int        # -1, or the first of the terminal exact zeros
    isolated: tuple       # indices of exact zeros that were followed by positive errors
    underflow: int        # -1, or where trailing zeros are round-off/underflow (a floor)


def records_many(rows: list[Row]) -> list[Records]:
    """:func:`records` of each row. Rows of one length and range are checked at once: a
    row whose range holds only positive finite values and no reported divergence keeps
    every point (what :func:`records` returns for it, without its per-row work)."""
    out: list = [None] * len(rows)
    groups: dict = {}
    for i, r in enumerate(rows):
        groups.setdefault((r.L.size, r.lo, r.hi), []).append(i)
    for (size, lo, hi), idx in groups.items():
        seg = np.stack([rows[i].L[lo:hi] for i in idx])
        div = np.array([rows[i].div_at for i in idx])
        clean = (np.isfinite(seg).all(axis=-1)
                 & ((div < 0) | ((div >= hi) & (hi != size))))
        k = np.arange(lo, hi)
        for j, i in enumerate(idx):
            out[i] = (Records(k=k, L=seg[j], lo=lo, hi=hi, div_at=-1, div_src=0, finite_at=-1,
                              isolated=(), underflow=-1) if clean[j] else records(rows[i]))
    return out


def records(row: Row) -> Records:
    """Cut the range at a reported divergence or the first non-finite value; sort exact
    zeros into isolated points (kept out of the logs, the sequence goes on), a terminal
    run of zeros (finite termination), or round-off (the value the trend predicts next is
    below eps times the largest error, where the iterate rounds to x*, or below the
    smallest float: a floor, not termination)."""
    L, lo, hi = row.L, row.lo, row.hi
    seg = L[lo:hi]
    div_at, src = -1, 0
    nf = np.flatnonzero(np.isnan(seg))
    first_nf = lo + int(nf[0]) if nf.size else hi + 1
    d = row.div_at if row.div_at >= 0 and (row.div_at < hi or hi == L.size) else hi + 1
    if min(first_nf, d) <= hi:
        if d <= first_nf:
            div_at, src = row.div_at, 1
            hi = min(hi, max(d, lo))
        else:
            div_at, src = first_nf, 2
            hi = first_nf
    seg = L[lo:hi]
    pos = np.flatnonzero(np.isfinite(seg))
    zeros = np.flatnonzero(np.isneginf(seg))
    finite_at = under = -1
    isolated: tuple = ()
    if zeros.size:
        last_pos = int(pos[-1]) if pos.size else -1
        tail0 = last_pos + 1
        if div_at < 0 and tail0 < seg.size:
            nxt = math.nan
            if pos.size >= 2 and row.log_tiny is not None:
                a, b = seg[pos[-2]], seg[pos[-1]]
                step = b - a
                nxt = b + (step * max(step / (a - seg[pos[-3]]), 1.0)
                           if pos.size >= 3 and step < 0 and a - seg[pos[-3]] < 0 else step)
            if pos.size == 0:
                finite_at = lo
            elif ((row.log_tiny is not None and nxt < row.log_tiny)
                  or nxt < float(seg[pos].max()) + row.log_eps):
                under = lo + tail0       # the next error would be below the precision
            else:
                finite_at = lo + tail0
        isolated = tuple(int(lo + z) for z in zeros if z < last_pos)
    k = lo + pos
    return Records(k=k, L=seg[pos], lo=lo, hi=hi, div_at=div_at, div_src=src,
                   finite_at=finite_at, isolated=isolated, underflow=under)


def change_many(K, L):
    """Per row of ``(K, L)`` (``(R, n)``): the least-squares level change across the points
    and its standard error (inflated for lag-1 autocorrelation of the residuals, AR(1)
    variance factor)."""
    n = L.shape[-1]
    f = line_many(K, L)
    span = K[:, -1] - K[:, 0]
    r = f.resid
    rr = _dot(r, r)
    rho = np.zeros(L.shape[0])
    if n > 3:
        ok = rr > 0
        rho = np.where(ok, _dot(r[:, 1:], r[:, :-1]) / np.where(ok, rr, 1.0), 0.0)
    rho = np.minimum(np.maximum(rho, 0.0), 0.9)
    return f.beta[1] * span, f.se[1] * span * np.sqrt((1 + rho) / (1 - rho))


def trends(K, L) -> np.ndarray:
    """Per row of ``(K, L)``: the shortest tail :func:`flat_tail_many` tries (the last sixteenth,
    when it has FLOOR_MIN_LEN points) still trends clearly, so no longer tail is flat."""
    n = L.shape[-1]
    tl = n // 16
    if tl < TH.FLOOR_MIN_LEN:
        return np.zeros(L.shape[0], bool)
    ch, se = change_many(K[:, n - tl:], L[:, n - tl:])
    return np.abs(ch) > 3 * (TH.FLAT_ABS + 3 * se)


class Flat(NamedTuple):
    """Stage 2: a flat tail ``[start, end)`` (point indices into Records) and what it is.

    ``floor``: the run fell to it (by ``drop`` decades) and it is a round-off or noise floor
    (see :func:`flat_tail_many`); else the run stalled there. ``at``: the
    iterate where the upper envelope enters the floor; ``dec_end``: end (point index) of
    the decrease used for the rate, ``FLOOR_MARGIN_DEC`` above the floor's top; ``iqr``: the
    interquartile range of log e over the tail (more than ``STALL_IQR``: no level at all).
    """

    start: int
    level: float
    sd: float
    top: float
    drop: float
    floor: bool
    at: int
    dec_end: int
    iqr: float


def flat_tail_many(K: np.ndarray, L: np.ndarray,
                   log_eps: float = math.log(2.0 ** -52)) -> list[Flat | None]:
    """Per row of ``(K, L)`` (``(R, n)``, positions and log errors), the longest flat tail
    among the last 1/2, 1/4, 1/8, 1/16 of the records (flat: level change at most
    ``FLAT_ABS`` plus three standard errors; a shorter tail must end a trend,
    ``TREND_BEFORE`` times its tolerance); then floor or stall: a floor when the run fell
    ``FLOOR_MIN_DEC`` decades into it and it is noisy or a frozen iterate (a constant
    reached at full speed), or when the run fell ``FLOOR_DEEP_FRAC`` of the precision's
    decades (``log_eps``: 5.9 decades in float64, 2.6 in float32). None where no tail is
    flat."""
    R, n = L.shape
    start = np.full(R, -1)
    todo = ~trends(K, L)       # the shortest tail still trends clearly: none is flat
    for f in (2, 4, 8, 16):
        tl = n - n // 2 if f == 2 else n // f
        if tl < TH.FLOOR_MIN_LEN:
            break
        a = n - tl
        rows = np.flatnonzero(todo & (start < 0))
        if rows.size == 0:
            break
        ch, se = change_many(K[rows, a:], L[rows, a:])
        tol = TH.FLAT_ABS + 3 * se
        flat = np.abs(ch) <= tol
        if f > 2 and flat.any():
            j = np.flatnonzero(flat)
            r, t_ = rows[j], tol[j]
            cp, sp = change_many(K[r, a - tl:a], L[r, a - tl:a])
            ok = (np.abs(cp) >= TH.TREND_BEFORE * t_) & (np.abs(cp) >= TH.FLAT_ABS + 3 * sp)
            b0, b1 = max(a - 4 * tl, 0), a - 2 * tl
            if b1 - b0 >= TH.FLOOR_MIN_LEN and not ok.all():
                # a floor approached smoothly (noise floor): the stretch next to the tail
                # is bent by it, so compare with the slope further back
                m = np.flatnonzero(~ok)
                rm = r[m]
                c2, s2 = change_many(K[rm, b0:b1], L[rm, b0:b1])
                slope_p = np.abs(c2) / np.maximum(K[rm, b1 - 1] - K[rm, b0], 1.0)
                slope_t = (np.abs(ch[j[m]]) + 2 * se[j[m]]) / np.maximum(K[rm, -1] - K[rm, a],
                                                                          1.0)
                ok[m] = ((np.abs(c2) >= TH.TREND_BEFORE * t_[m])
                         & (np.abs(c2) >= TH.FLAT_ABS + 3 * s2)
                         & (slope_t <= TH.FLAT_SLOPE_RATIO * slope_p))
            flat[j] = ok
        start[rows[flat]] = a
    out: list = [None] * R
    for s0 in np.unique(start[start >= 0]):
        i = np.flatnonzero(start == s0)
        for r, fl in zip(i, _floor_or_stall(L[i], int(s0), log_eps), strict=True):
            out[r] = fl
    return out


def _floor_or_stall(L: np.ndarray, start: int, log_eps: float) -> list[Flat]:
    """:func:`flat_tail_many`'s reading of the flat tails ``L[:, start:]``."""
    tail = L[:, start:]
    level, sd, top = tail.mean(axis=-1), tail.std(axis=-1), tail.max(axis=-1)
    drop = (L[:, :start].max(axis=-1) - level) / LN10 if start > 0 else np.zeros(L.shape[0])
    E = np.maximum.accumulate(L[:, ::-1], axis=-1)[:, ::-1]
    at = np.argmax(E <= top[:, None], axis=-1)
    q1, q3 = np.quantile(tail, (0.25, 0.75), axis=-1)
    iqr = q3 - q1
    margin = np.minimum(TH.FLOOR_MARGIN_DEC, drop / 3)
    dec_end = np.argmax(E <= (top + margin * LN10)[:, None], axis=-1)
    out = []
    for r in range(L.shape[0]):
        # a frozen iterate: the tail is constant and the run fell into it at full speed (a
        # corner: the last steps before it as steep as the run's typical step), unlike a
        # stall, whose approach flattens (geometric approach to the limit)
        corner = False
        if top[r] - tail[r].min() <= 1e-12 * max(1.0, abs(top[r])) and at[r] >= 3:
            d = np.diff(L[r, :at[r] + 1])
            typical = float(np.median(d))
            corner = typical < 0 and float(d[-3:].mean()) <= 0.5 * typical
        deep = drop[r] >= TH.FLOOR_DEEP_FRAC * -log_eps / LN10
        # a tail scattering over more than STALL_IQR is no level at all (an erratic or
        # curved stretch the line cannot follow): never a floor
        floor = ((((sd[r] >= TH.FLOOR_NOISE) or corner) and drop[r] >= TH.FLOOR_MIN_DEC)
                 or deep) and iqr[r] <= TH.STALL_IQR
        out.append(Flat(start=start, level=float(level[r]), sd=float(sd[r]),
                        top=float(top[r]), drop=float(drop[r]), floor=bool(floor),
                        at=int(at[r]), dec_end=int(dec_end[r]), iqr=float(iqr[r])))
    return out
