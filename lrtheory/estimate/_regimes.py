"""Stage 3 of the estimator: one detector per regime on the records of one row.

Each detector returns a :class:`Finding` (regime, numbers, window, explanation) or None;
:mod:`._stages` runs them in order. Growth, cycles and stalls are here; the superlinear
regimes in :mod:`._superlinear`, linear and sublinear in :mod:`._linear`. Thresholds come
from :data:`THRESHOLDS` only.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._vocab import Regime
from ._fits import (
    _dot,
    _sum,
    levels_many,
    line,
    line_many,
    tq,
)
from ._records import LN10
from ._thresholds import THRESHOLDS as TH

__all__ = ["Finding", "diverged_growth_many", "growth", "grows", "oscillation", "stall_many",
           "g", "e_text"]


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
    the order of super-exponential growth: :func:`_growth_fields_many` on one row."""
    return _growth_fields_many([k], [L], level)[0]


def _growth_fields_many(ks, Ls, level) -> list:
    """:func:`_growth_fields` of rows of one length (lists of ``k`` and ``L``): the
    super-exponential screen row by row, the growth factors' lines on the stack."""
    out: list = [None] * len(Ls)
    lin = []
    for i, (k, L) in enumerate(zip(ks, Ls, strict=True)):
        sx = _super_exp(k, L)
        if sx is None:
            lin.append(i)
            continue
        f, a, b = sx
        q = float(f.beta[1])
        out[i] = ({"growth_order": q, "growth_order_ci": _ci(q, f.se[1], f.df, level, _ident)},
                  (a, b), f"super-exponential growth: log e_(k+1) ~ {g(q)} log e_k over "
                          f"iterates {a}..{b} (growth_order; a per-step factor means nothing)")
    if not lin:
        return out
    m = max(3, Ls[lin[0]].size // 2)
    kk = np.stack([ks[i][-m:] for i in lin]).astype(float)
    f = line_many(kk, np.stack([Ls[i][-m:] for i in lin]))
    for j, i in enumerate(lin):
        s, a, b = float(f.beta[1][j]), int(kk[j, 0]), int(kk[j, -1])
        if s <= 0 or _exp(s) is None:
            out[i] = {}, (a, b), "the records before it do not grow: no growth factor"
            continue
        out[i] = ({"growth": _exp(s), "growth_ci": _ci(s, float(f.se[1][j]), f.df, level)},
                  (a, b), f"growth factor {g(_exp(s))} per step from the least-squares slope "
                          f"of log e over iterates {a}..{b}")
    return out


def diverged_growth_many(items: list) -> list[Finding]:
    """The diverged findings of rows ``(k, L, div_at, src, level)`` of one length and
    level: where and how it was seen, and the growth before it."""
    heads = [{1: "the run reports divergence", 2: "a non-finite error"}[src]
             + f" at iterate {div_at}" for _, _, div_at, src, _ in items]
    if items[0][1].size < 2:
        return [Finding(Regime.DIVERGED, {"diverged_at": it[2]}, None,
                        f"{h}; too few records before it for a growth factor")
                for it, h in zip(items, heads, strict=True)]
    fields = _growth_fields_many([it[0] for it in items], [it[1] for it in items],
                                 items[0][4])
    out = []
    for it, h, (fl, win, t) in zip(items, heads, fields, strict=True):
        fl["diverged_at"] = it[2]
        out.append(Finding(Regime.DIVERGED, fl, win, f"{h}; {t}"))
    return out


def grows(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``L`` (``(R, n)``): (short, long) growth as :func:`growth` reads it."""
    R, n = L.shape
    P = TH.GROW_POINTS
    d = np.diff(L, axis=-1)
    short = np.zeros(R, bool)
    if n >= P:
        short = (np.all(d[:, -(P - 1):] > 0, axis=-1)
                 & np.all(d[:, -(P - 2):] >= 0.5 * d[:, -(P - 1):-1], axis=-1)
                 & (L[:, -1] - L[:, -P] >= TH.GROW_MIN))
    long_ = np.zeros(R, bool)
    if n >= 8:
        cut = [(i * n) // 4 for i in (1, 2, 3, 4)]     # the last three quarters' means
        q = [L[:, a:b].sum(axis=-1) / (b - a) for a, b in zip(cut[:-1], cut[1:], strict=True)]
        long_ = ((q[1] > q[0]) & (q[2] - q[1] >= 0.5 * (q[1] - q[0]))
                 & (q[2] - q[0] >= TH.GROW_MIN))
    return short, long_


def growth(k, L, level, pre=None) -> Finding | None:
    """Consistent growth without a non-finite value: the last GROW_POINTS iterates rise,
    each rise at least half the one before, by GROW_MIN in all; or (long runs) the means
    of the last three quarters rise by GROW_MIN in all. ``pre``: this row's
    :func:`grows`, when computed for a batch."""
    short, long_ = pre if pre is not None else (v[0] for v in grows(L[None]))
    if not (short or long_):
        return None
    fl, win, t = _growth_fields(k, L, level)
    if not fl:
        return None
    return Finding(Regime.DIVERGED, fl, win, "log e keeps rising (" + (
        f"{TH.GROW_POINTS} consecutive rises" if short else "over the last three quarters")
        + f"), no non-finite value seen; {t}")


def oscillation(L: np.ndarray) -> tuple[np.ndarray, int]:
    """Per row of ``L`` (``(R, n)``): the smallest period P (2..P_MAX) on which the tail
    (last max(16, n/4)) repeats: RMS step at least OSC_SWING, cycle error at most OSC_CYC
    of it, drift at most OSC_DRIFT; 0 where none. Returns the periods and the tail's
    start."""
    R, n = L.shape
    tl = min(n, max(16, n // 4))
    X = L[:, n - tl:]
    P_of = np.zeros(R, dtype=int)
    if tl < 2:
        return P_of, n - tl
    d1 = np.diff(X, axis=-1)
    swing = np.sqrt(_dot(d1, d1) / d1.shape[-1])
    todo = swing >= TH.OSC_SWING      # else too smooth to swing: no period to look for
    for P in range(2, min(TH.P_MAX, tl // 3) + 1):
        i = np.flatnonzero(todo & (P_of == 0))
        if i.size == 0:
            break
        dP = X[i, P:] - X[i, :-P]
        m = dP.shape[-1]
        cyc = np.sqrt(_dot(dP, dP) / m)
        drift = np.abs(_sum(dP)) / m * tl / P
        P_of[i[(cyc <= TH.OSC_CYC * swing[i]) & (drift <= TH.OSC_DRIFT)]] = P
    return P_of, n - tl


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


def stall_many(K, L, start, iqr, level) -> list[Finding]:
    """Per row of ``(K, L)`` (``(R, n)``) whose tail from ``start`` is flat and not a
    floor: the level the error settles at (Aitken when the approach is geometric, else the
    geometric mean with a Newey-West interval), or undetermined when the tail scatters
    over more than STALL_IQR (``iqr``: each tail's interquartile range of log e)."""
    out: list = [None] * L.shape[0]
    rest = []
    for r in range(L.shape[0]):
        a, b = int(K[r, start]), int(K[r, -1])
        if iqr[r] > TH.STALL_IQR:
            out[r] = Finding(Regime.UNDETERMINED, {}, None,
                             f"iterates {a}..{b} have no trend, but log e scatters over "
                             f"{g(iqr[r] / LN10)} decades (interquartile): no limit, "
                             "trend or cycle to report")
            continue
        ai = _aitken_limit(L[r])
        if ai is None:
            rest.append(r)
            continue
        lim, err = ai
        out[r] = Finding(Regime.STALLED, {"limit": _exp(lim),
                                          "limit_ci": _pair(lim - err, lim + err)},
                         (a, b), f"iterates {a}..{b} are flat: the error settles at "
                                 f"{e_text(lim)} (Aitken extrapolation of a geometric "
                                 "approach; interval: its distance to the last value)")
    if rest:
        mus, ses, df = levels_many(L[rest, start:])
        for j, r in enumerate(rest):
            a, b = int(K[r, start]), int(K[r, -1])
            mu = float(mus[j])
            out[r] = Finding(Regime.STALLED, {"limit": _exp(mu),
                                              "limit_ci": _ci(mu, float(ses[j]), df, level)},
                             (a, b), f"iterates {a}..{b} are flat: the error settles at "
                                     f"{e_text(mu)} (geometric mean, {level:.0%} Newey-West "
                                     "interval)")
    return out
