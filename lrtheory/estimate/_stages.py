"""The estimator's stages, on many rows at once, with typed results.

1. :func:`~._records.records_many`: usable records (divergence, exact zeros, underflow);
2. :func:`~._records.flat_tail_many`: a flat tail, and whether it is a floor or a stall;
3. regime detectors (:mod:`._regimes`) in a fixed order on the decreasing stretch, each a
   fit with its interval (:func:`_decreasing_many`);
4. the floor's level, and :func:`explain` (the ``reason``).

Batch first: each row's reading is a generator (:func:`_analyse`) whose control flow is
the row's own, and which asks for the stages that cost (an :class:`_Ask`: records, the flat
tail, the detectors, the joint floor fit, levels, stalls, cycles). :func:`analyse_many`
answers the asks of all rows of one length with one call on their stack (vectorised NumPy;
iterative fits with per-row masks), and the rows go on. Every batched operation is per row
(sums by ``_fits._sum``), so a row's numbers do not depend on the rest of its batch:
``estimate_order`` (a batch of one) and a row of ``estimate_orders`` are equal by
construction, and ``tests/test_estimate_batch.py`` checks it.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._vocab import Regime
from ._fits import levels_many, line_many, map_rows, point_scatter, power_law_many
from ._linear import linear_or_sublinear, linear_to_floor_many, power_to_floor_many
from ._records import LN10, Flat, Records, Row, flat_tail_many, records_many
from ._regimes import (
    Finding,
    _ci,
    _exp,
    _ident,
    diverged_growth_many,
    e_text,
    g,
    grows,
    growth,
    oscillation,
    stall_many,
)
from ._result import OrderEstimate
from ._superlinear import coc, q_superlinear, ratios_fall, superlinear
from ._thresholds import THRESHOLDS as TH

__all__ = ["analyse", "explain"]


#: rows of a stage's stack answered at once: 2 MB of float64 per row length (the stage's
#: temporaries several times that). Measured on the headline errors (stop 26, alternated
#: runs): Adam 1.33-1.44 s against 1.44-1.53 s at once; GD 1.51-1.58 against 1.56-1.73 s;
#: chunks of 512 KB were no faster than all at once
STAGE_CHUNK = 1 << 18


class _Ask(NamedTuple):
    """A request from :func:`_analyse` to :func:`analyse_many`: ``fn`` answers the
    requests of many rows at once (a list of ``args`` -> a list of results); requests with
    equal ``(fn, key)`` (rows of one length, or all rows where ``fn`` takes rows of any
    lengths) are answered together. ``n``: the row's length (the stack is then answered a
    chunk of rows at a time, :func:`~._fits.map_rows`, the first row's length sizing
    the chunks of a ragged stack), else 0 (at once)."""

    fn: Callable[[list], list]
    key: tuple
    args: tuple
    n: int = 0


def _stack(items, i):
    return np.stack([it[i] for it in items])


def _decreasing_many(items: list) -> list:
    """The regime detectors of a decrease, in order, on rows ``(k, L, auto, level,
    round_q, floor)`` of one length: growth, superlinear (an order), Q-superlinear, then
    linear or sublinear; the first that finds its regime wins. Each detector's screen runs
    on all rows at once; the rest of a detector runs on the rows that pass it. ``floor``:
    the stretch ends where a floor begins (its bend is no power law seen late)."""
    k, L = _stack(items, 0), _stack(items, 1)
    auto, level, round_q, floor = items[0][2:]
    R, n = L.shape
    out: list = [None] * R
    short, long_ = grows(L)
    for i in np.flatnonzero(short | long_):
        out[i] = growth(k[i], L[i], level, pre=(short[i], long_[i]))
    rem = np.array([i for i in range(R) if out[i] is None], dtype=int)
    if n >= 4 and rem.size:
        rows, *pre = coc(L[rem])
        for j, i in enumerate(rem[rows]):
            out[i] = superlinear(k[i], L[i], auto, level, round_q, pre=[v[j] for v in pre])
        rem = np.array([i for i in rem if out[i] is None], dtype=int)
    if n >= 6 and rem.size:
        pre = ratios_fall(k[rem], L[rem])
        for j in np.flatnonzero(pre[1] | (pre[3] > 0)):
            i = rem[j]
            out[i] = q_superlinear(k[i], L[i], level, pre=[v[j] for v in pre])
        rem = np.array([i for i in rem if out[i] is None], dtype=int)
    if rem.size:
        for i, f in zip(rem, linear_or_sublinear(k[rem], L[rem], auto, level, not floor),
                        strict=True):
            out[i] = f
    return out


def _decreasing(k, L, auto, level, round_q, floor=False):
    """:func:`_decreasing_many` for one row, requested from :func:`analyse_many` (a
    generator: ``yield from`` it)."""
    return (yield _Ask(_decreasing_many, (L.size, auto, level, round_q, floor),
                       (k, L, auto, level, round_q, floor), L.size))


def _stall_many(items: list) -> list:
    """:func:`stall_many` on rows ``(k, L, start, iqr, level)`` of one length and start."""
    return stall_many(_stack(items, 0), _stack(items, 1), items[0][2],
                      np.array([it[3] for it in items]), items[0][4])


def _levels(items: list) -> list:
    """:func:`~._fits.levels_many` of tails of one length: per tail ``(mean of log e, its
    standard error, degrees of freedom)``."""
    mu, se, df = levels_many(np.stack(items))
    return [(float(m), float(e), df) for m, e in zip(mu, se, strict=True)]


def _periods(items: list) -> list:
    """:func:`oscillation` on rows ``L`` of one length: ``(P, start of the tail)`` each."""
    P, oa = oscillation(np.stack(items))
    return [(int(p), oa) for p in P]


def _flat_many(items: list) -> list:
    """:func:`flat_tail_many` on rows ``(records, log_eps)`` of one length."""
    return flat_tail_many(np.stack([rec.k for rec, _ in items]).astype(float),
                          np.stack([rec.L for rec, _ in items]), items[0][1])


def _undetermined_many(items: list) -> list:
    """The undetermined finding of rows ``(k, L)`` of one length (the sign of the slope of
    log e picks the explanation)."""
    k, L = _stack(items, 0), _stack(items, 1)
    s = (line_many(k.astype(float), L).beta[1] if L.shape[-1] >= 2
         else np.zeros(L.shape[0]))
    return [_undetermined(kr, sr) for kr, sr in zip(k, s, strict=True)]


def _undetermined(k, s) -> Finding:
    """Why a row with positions ``k`` and slope ``s`` of log e is undetermined."""
    a, b = int(k[0]), int(k[-1])
    if s >= 0:
        return Finding(Regime.UNDETERMINED, {}, None,
                       f"no decrease over iterates {a}..{b}, and no steady growth, flat tail or "
                       "cycle: regime undetermined")
    return Finding(Regime.UNDETERMINED, {}, None,
                   f"log e falls over iterates {a}..{b}, too little or too unsteadily to call "
                   f"it linear (needs {g(TH.REAL_DEC)} decades, or {g(TH.STEADY_DEC)} with "
                   "every block decreasing or a slope of "
                   f"{g(TH.T_STEADY)} standard errors) and not sublinear (not closer to a power "
                   "law, or only to its geometric limit)")


def _floor_fields(rec: Records, fl: Flat, found: Finding, level):
    """Level of the floor: geometric mean (Newey-West interval) over the flat tail, from
    where a linear decrease extrapolated is below 1e-3 of it (a generator: the mean is
    asked of :func:`_levels`)."""
    k, L = rec.k, rec.L
    s = fl.start
    rate = found.fields.get("rate")
    if found.regime is Regime.LINEAR and rate and rate < 1:
        k_clean = k[fl.at] + math.log(1e3) / -math.log(rate)
        s2 = int(np.searchsorted(k, k_clean))
        if L.size - s2 >= TH.FLOOR_MIN_LEN:
            s = max(s, s2)
    tail = L[s:]
    mu, se, df = yield _Ask(_levels, (tail.size,), tail, tail.size)
    return ({"floor": math.exp(mu), "floor_ci": _ci(mu, se, df, level),
             "floor_at": int(k[fl.at])},
            f"floor reached at iterate {int(k[fl.at])} after a decrease of {g(fl.drop)} "
            f"decades: level {e_text(mu)} (geometric mean of iterates {int(k[s])}.."
            f"{int(k[-1])}, {level:.0%} Newey-West interval; "
            + ("noisy: round-off or noise floor" if fl.sd >= TH.FLOOR_NOISE else
               "constant: the iterate stopped moving") + "); iterates from "
            f"{int(k[min(fl.dec_end, k.size - 1)])} on were left out of the fit")


def _floor_many(items: list) -> list:
    """:func:`linear_to_floor_many` on rows ``(k, L, log F, lowest log F)`` (stretches of
    any lengths), each fit with its residual sum of squares and line (``with_rss``)."""
    return linear_to_floor_many(*map(list, zip(*items, strict=True)), with_rss=True)


def _joint_floor_finding(found: Finding, k, i0: int, res, level, why: str, after: str = "",
                         **extra) -> Finding:
    """``found`` with the rate and floor of the joint fit ``res`` (:func:`_floor_many`'s
    ``(log C, se, log F, se, df, ...)`` on iterates ``k[i0:]``): the one wording and fields
    of a reading into a noise floor (:func:`_refit_to_floor`, :func:`_floor_approached`)."""
    b, se, c, se_c, df = res[:5]
    fields = dict(found.fields, rate=math.exp(b), rate_ci=_ci(b, se, df, level),
                  model="geometric into a noise floor", floor=math.exp(c),
                  floor_ci=_ci(c, se_c, df, level), **extra)
    text = (f"{found.text.split(';')[0]}; {why}: C and the floor F fitted jointly on iterates "
            f"{int(k[i0])}..{int(k[-1])}, log e_k = log(exp(a + k log C) + F) + noise "
            f"(Gauss-Newton then Newton, {level:.0%} Newey-West intervals): floor "
            f"{e_text(c)}{after}")
    return Finding(found.regime, fields, (int(k[i0]), int(k[-1])), text)


def _refit_to_floor(rec: Records, fl: Flat, found: Finding, level):
    """A noise floor bends the end of the decrease: refit rate and floor jointly, from the
    window's start to the end (:func:`~._linear.linear_to_floor`, requested from
    :func:`analyse_many` so that the rows of a sweep are fitted together: a generator,
    ``yield from`` it). None when it fails."""
    k = rec.k
    i0 = int(np.searchsorted(k, found.window[0]))
    # rows of any length fitted together; n (this row's length) sizes the chunks
    res = yield _Ask(_floor_many, (), (k[i0:], rec.L[i0:], float(rec.L[fl.start:].mean()),
                                       -math.inf), k.size - i0)
    if res is None:
        return None
    return _joint_floor_finding(
        found, k, i0, res, level, f"a noise floor follows (log e scatters by {g(fl.sd)})",
        f", entered at iterate {int(k[fl.at])} after a decrease of {g(fl.drop)} decades",
        floor_at=int(k[fl.at]))


def analyse_many(rows: list[Row], level: float = TH.LEVEL,
                 round_q: bool = False) -> list[tuple[Finding, list]]:
    """Regime and numbers of each row: the finding and the notes for ``reason``.

    Each row runs :func:`_analyse` (a generator) until it asks for a stage that works on
    many rows at once (an :class:`_Ask`: the flat tail, the regime detectors, the refit
    into a floor); the requests of all rows of one length (of any length for the refit)
    are answered by one call on their stack (a chunk of rows at a time, so that its
    temporaries stay in cache: :func:`~._fits.row_chunks`; the chunks shared among threads,
    :func:`~._fits.map_rows`), and the rows go on. A row's
    result does not depend on the other rows (every batched operation is per row), so
    one row alone (:func:`analyse`) gives the same numbers as the row in a sweep.
    """
    gens = [_analyse(r, level, round_q) for r in rows]
    out: list = [None] * len(rows)
    waiting: dict = {}

    def advance(i, value):
        try:
            waiting[i] = gens[i].send(value)
        except StopIteration as stop:
            out[i] = stop.value

    for i in range(len(rows)):
        advance(i, None)
    while waiting:
        groups: dict = {}
        for i, ask in waiting.items():
            groups.setdefault((ask.fn, ask.key), []).append(i)
        asked, waiting = waiting, {}
        for (fn, _), idx in groups.items():
            # the chunks' answers in parallel (map_rows), then the rows go on in order;
            # groups one after another (sharing many small groups among threads was
            # slower, measured: their Python work holds the GIL)
            for c, res in map_rows(
                    lambda c, fn=fn, idx=idx, a=asked: fn([a[i].args for i in idx[c]]),
                    len(idx), asked[idx[0]].n, STAGE_CHUNK):
                for i, r in zip(idx[c], res, strict=True):
                    advance(i, r)
    return out


def analyse(row: Row, level: float = TH.LEVEL, round_q: bool = False) -> tuple[Finding, list]:
    """Regime and numbers of one row (:func:`analyse_many` on a batch of one)."""
    return analyse_many([row], level, round_q)[0]


def _analyse(row: Row, level: float, round_q: bool):
    """:func:`analyse_many`'s work on one row, as a generator (see :func:`_decreasing`)."""
    rec = yield _Ask(records_many, (), row)
    notes = []
    if rec.isolated:
        z = rec.isolated
        notes.append(f"exact zero error at iterate{'s' if len(z) > 1 else ''} "
                     f"{', '.join(map(str, z[:5]))}{', ...' if len(z) > 5 else ''}: kept as "
                     "points (x* touched and left), left out of the logarithmic fits")
    if rec.underflow >= 0:
        notes.append(f"zeros from iterate {rec.underflow} on are round-off (the next error the "
                     "trend predicts is below eps times the largest, or below the smallest "
                     "float: the iterate rounds to x*): a floor, dropped")
    k, L = rec.k, rec.L
    if rec.div_at >= 0:
        return (yield _Ask(diverged_growth_many, (L.size, level),
                           (k, L, rec.div_at, rec.div_src, level), L.size)), notes
    if rec.finite_at >= 0:
        fields = {"finite_at": rec.finite_at}
        text = (f"exact zero error at iterate {rec.finite_at} and every later one: finite "
                "termination" + (" (the run starts at x*)" if rec.finite_at == rec.lo else ""))
        if L.size >= TH.N_MIN:
            sub, _ = yield from _analyse(row._replace(hi=rec.finite_at), level, round_q)
            w = sub.window
            rho = np.diff(L[(k >= w[0]) & (k <= w[1])]) if w else np.zeros(0)
            if (sub.regime is Regime.LINEAR and rho.size >= 3
                    and rho.std() <= TH.LIN_SETTLE * abs(rho.mean())):
                # a steady ratio before the end (an arithmetic decrease accelerates in log)
                fields.update({f: sub.fields.get(f) for f in ("q", "rate", "rate_ci", "model")})
                text += f"; before it, {sub.text}"
        win = (rec.lo, rec.finite_at)
        return Finding(Regime.FINITE, fields, win, text), notes
    if L.size < TH.N_MIN:
        return Finding(Regime.UNDETERMINED, {}, None,
                       f"only {L.size} usable iterate(s) (need at least {TH.N_MIN}): no order "
                       "or rate can be estimated"), notes
    fl = ((yield _Ask(_flat_many, (L.size, row.log_eps), (rec, row.log_eps), L.size))
          if L.size >= 2 * TH.FLOOR_MIN_LEN else None)
    if fl is not None and fl.floor and not row.auto:
        fl = None
    if fl is not None and fl.floor:
        n_dec = fl.dec_end
        if n_dec < TH.N_MIN:
            n_dec = fl.at
        found = ((yield from _decreasing(k[:n_dec], L[:n_dec], True, level, round_q, True))
                 if n_dec >= TH.N_MIN else None)
        if found is None and fl.sd >= TH.FLOOR_NOISE and fl.at > n_dec:
            # a shallow noise floor: the margin left too little; the refit below models
            # the bend, so read the regime up to the floor itself
            found = yield from _decreasing(k[:fl.at], L[:fl.at], True, level, round_q, True)
        if found is None or found.regime not in (Regime.LINEAR, Regime.SUPERLINEAR,
                                                 Regime.SUBLINEAR):
            fl = fl._replace(floor=False)
        else:
            tail = L[fl.start:]
            skew = (float(np.mean((tail - tail.mean()) ** 3)) / fl.sd ** 3
                    if fl.sd >= TH.FLOOR_NOISE else 0.0)
            if (found.regime is Regime.LINEAR and fl.sd >= TH.FLOOR_NOISE
                    and fl.drop < TH.FLOOR_DEEP_FRAC * -row.log_eps / LN10
                    and abs(skew) <= TH.FLOOR_SKEW):
                # a multiplicative noise floor (log e symmetric about its level): the joint
                # model holds; an additive one (cancellations: a long lower tail in log e)
                # keeps the margin instead
                joint = yield from _refit_to_floor(rec, fl, found, level)
                if joint is not None:
                    return joint, notes
            ff, ft = yield from _floor_fields(rec, fl, found, level)
            found.fields.update(ff)
            return found._replace(text=f"{found.text}; {ft}"), notes
    if fl is not None:
        g_ = growth(k, L, level)
        if g_ is not None:
            return g_, notes
        if fl.iqr > TH.STALL_IQR:
            # "flat" only because the scatter swamps the line (an erratic or strongly
            # curved tail, e.g. quasi-Newton's last steps): read it as a decrease first
            found = yield from _decreasing(k, L, row.auto, level, round_q)
            if found is not None:
                return found, notes
        found = yield from _cycle(k, L)
        if found is not None:
            return found, notes
        return (yield _Ask(_stall_many, (L.size, fl.start, level),
                           (k, L, fl.start, fl.iqr, level), L.size)), notes
    found = yield from _decreasing(k, L, row.auto, level, round_q)
    if row.auto and (found is None or found.regime in (Regime.LINEAR, Regime.SUBLINEAR)):
        bent = yield from _floor_approached(k, L, found, level)
        if bent is not None:
            return bent, notes
    if found is None:
        found = yield from _cycle(k, L)
    if found is None:
        found = yield _Ask(_undetermined_many, (L.size,), (k, L), L.size)
    return found, notes


def _floor_approached(k, L, found: Finding | None, level):
    """A run that ends as it nears a noise floor (no flat tail yet). The floor lifts the
    end of the decrease: a linear reading's rate is biased toward 1, and the bend reads as
    a power law (sublinear) or as too unsteady a decrease (undetermined). Where log e
    scatters more at the end than from n/8 on (:func:`_scatter_grows_many`), the joint
    rate-and-floor fit (floor guess: the median of the last tenth) from the earliest of
    n/8, n/4, n/2 of the stretch whose rate lies in the interval of the latest of them
    that converges (a fast mode before a start biases its rate) replaces the reading when
    its floor's interval lies within ``FLOOR_NEAR_DEC`` decades of the guess (the fit from
    n/8 first: when its floor is not near, no later start is fitted), log e does
    not go on falling where the model is within 10 % of its floor (a slope above
    -T_STEADY standard errors), and

    - linear: the fit's rate lies outside the envelope's interval;
    - sublinear: the power law fitted on the same iterates leaves larger residuals (both
      models have three parameters);
    - undetermined: the line on the same iterates leaves residuals larger by an F
      statistic (1 parameter) above ``F_MODEL``.

    Each fit is given up once its floor falls ``FLOOR_LEAVE_DEC`` decades below the guess.
    Before these rules, where the fit from n/8 has its floor near, a linear or sublinear
    reading becomes a power law into the floor when that model wins
    (:func:`_power_into_floor`). A generator (``yield from`` it); None when the reading
    stands."""
    lin = found is not None and found.regime is Regime.LINEAR
    ci = found.fields.get("rate_ci") if lin else None
    if lin and (ci is None or found.fields.get("rate") is None):
        return None
    n = k.size
    if n < 32 or not (yield _Ask(_scatter_grows_many, (n,), L, n)):
        return None
    guess = float(np.median(L[n - max(10, n // 10):]))
    low = guess - TH.FLOOR_LEAVE_DEC * LN10

    def fit(s):
        return _Ask(_floor_many, (), (k[s:], L[s:], guess, low), n - s)

    # n/8 first (when its floor is not near, none is fitted further), then n/2, and n/4
    # only where it can change the choice (n/2 failed, or n/8's rate is outside n/2's
    # interval): the same choice as with all three fitted
    s1, s2, s4 = n // 8, n // 4, n // 2
    f1 = yield fit(s1)
    if not _near(f1, guess, level):
        return None
    if found is not None:
        # a power law into the floor, where a geometric decrease into it was fitted?
        pf = yield from _power_into_floor(k, L, s1, f1, guess, level)
        if pf is not None:
            return _power_floor_finding(found, k, s1, pf, level)
    f4 = yield fit(s4)
    ci4 = None if f4 is None else _ci(f4[0], f4[1], f4[4], level, _ident)
    if ci4 is not None and ci4[0] <= f1[0] <= ci4[1]:
        i0, res = s1, f1
    else:
        f2 = yield fit(s2)
        done = [(s, f) for s, f in ((s1, f1), (s2, f2), (s4, f4)) if f is not None]
        ref = done[-1][1]
        half = _ci(ref[0], ref[1], ref[4], level, _ident)
        i0, res = next(((s, f) for s, f in done if half and half[0] <= f[0] <= half[1]),
                       done[-1])
    if not _near(res, guess, level):
        return None
    b, _, c, se_c, df, rss, a, km = res
    kt = k[i0:].astype(float)
    if _falls_where_flat(kt, L[i0:], a + b * (kt - km), c):
        return None
    if lin:
        if ci[0] <= math.exp(b) <= ci[1]:
            return None
        why = "the run ends as it nears a noise floor (no flat tail)"
    elif found is not None:           # sublinear: the bend, not a power law?
        if rss >= (yield _Ask(_power_rss_many, (n - i0,), (k[i0:], L[i0:]), n - i0)):
            return None
        why = ("but the run ends as it nears a noise floor (no flat tail), whose model fits "
               "the bend better than the power law on the same iterates")
    else:
        line = line_many(k[None, i0:].astype(float), L[None, i0:]).rss[0]
        if (line - rss) / max(rss / df, 1e-300) <= TH.F_MODEL:
            return None
        why = ("too unsteadily for the envelope's line, but the run ends as it nears a noise "
               f"floor (no flat tail), whose model beats a line by F > {g(TH.F_MODEL)}")
    base = found if lin else Finding(
        Regime.LINEAR, {"q": 1.0}, None, found.text if found is not None else
        f"log e falls over iterates {int(k[0])}..{int(k[-1])}")
    return _joint_floor_finding(base, k, i0, res, level, why)


def _falls_where_flat(kt, L, model, c) -> bool:
    """Whether log e ``L`` goes on falling where a floor's ``model`` (log e at positions
    ``kt``, floor ``c``) is within 10 % of the floor: a slope T_STEADY standard errors below
    zero over at least FLOOR_MIN_LEN such points. A floor is flat: a slower second mode,
    e.g. Adam's, bends like one but keeps falling."""
    at = model < c - LN10
    if at.sum() < TH.FLOOR_MIN_LEN:
        return False
    tail = line_many(kt[None, at], L[None, at])
    return bool(tail.beta[1][0] < -TH.T_STEADY * tail.se[1][0])


def _power_into_floor(k, L, s: int, geo, guess: float, level):
    """The power law into a noise floor (:func:`~._linear.power_to_floor_many`) on the
    iterates ``k[s:]`` where the geometric decrease into it ``geo`` (:func:`_floor_many`)
    was fitted: it when its floor's interval lies within ``FLOOR_NEAR_DEC`` decades of
    ``guess``, it beats both the geometric decrease into the floor (its limit k0, p -> oo)
    and the power law alone (its floor at zero) by an F statistic of one parameter above
    ``F_MODEL`` on the same iterates, and log e does not go on falling where it is flat;
    else None. A generator."""
    n = k.size
    pf = yield _Ask(_power_floor_many, (), (k[s:], L[s:], guess), n - s)
    if pf is None or not _floor_near(pf.c, pf.se_c, pf.df, guess, level):
        return None
    s2 = max(pf.rss / pf.df, 1e-300)
    if (geo[5] - pf.rss) / s2 <= TH.F_MODEL or (pf.rss_power - pf.rss) / s2 <= TH.F_MODEL:
        return None
    kt = k[s:].astype(float)
    if _falls_where_flat(kt, L[s:], pf.logA - pf.p * np.log(kt + pf.k0), pf.c):
        return None
    return pf


def _power_floor_many(items: list) -> list:
    """:func:`~._linear.power_to_floor_many` on rows ``(k, L, log F)`` of any lengths."""
    return power_to_floor_many(*map(list, zip(*items, strict=True)))


def _power_floor_finding(found: Finding, k, i0: int, pf, level) -> Finding:
    """A reading replaced by the power law into a noise floor ``pf`` fitted on iterates
    ``k[i0:]`` (:func:`_power_into_floor`): sublinear, with the floor."""
    fields = {"p": pf.p, "p_ci": _ci(pf.p, pf.se_p, pf.df, level, _ident),
              "A": _exp(pf.logA), "A_ci": _ci(pf.logA, pf.se_logA, pf.df, level),
              "k0": pf.k0, "model": "power law into a noise floor", "floor": math.exp(pf.c),
              "floor_ci": _ci(pf.c, pf.se_c, pf.df, level)}
    text = (f"{found.text.split(';')[0]}; but the run ends as it nears a noise floor (no flat "
            f"tail), and a power law into it beats both a geometric decrease into it and the "
            f"power law alone by F > {g(TH.F_MODEL)}: e_k = A (k + k0)^-p + F fitted jointly "
            f"on iterates {int(k[i0])}..{int(k[-1])} (k0 = {g(pf.k0)}; Gauss-Newton, "
            f"{level:.0%} Newey-West intervals): floor {e_text(pf.c)}")
    return Finding(Regime.SUBLINEAR, fields, (int(k[i0]), int(k[-1])), text)


def _near(res, guess: float, level: float) -> bool:
    """Whether the joint fit ``res`` (:func:`_floor_many`) converged with its floor near
    ``guess`` (:func:`_floor_near`)."""
    return res is not None and _floor_near(res[2], res[3], res[4], guess, level)


def _floor_near(c: float, se_c: float, df: int, guess: float, level: float) -> bool:
    """Whether the interval of a fitted floor ``c`` (log e; standard error ``se_c``,
    ``df`` degrees of freedom) lies within FLOOR_NEAR_DEC decades of ``guess``."""
    fci = _ci(c, se_c, df, level, _ident)
    near = TH.FLOOR_NEAR_DEC * LN10
    return fci is not None and guess - near <= fci[0] and fci[1] <= guess + near


def _scatter_grows_many(items: list) -> list:
    """Per row ``L`` (log e, rows of one length n): whether log e scatters FLOOR_NOISE_GROW
    times more over its last eighth than over the eighth from n/8 on, and at all, the
    scatter measured point to point (:func:`~._fits.point_scatter`, blind to a smooth
    trend). A noise floor's scatter is its own: log e scatters more as a run nears it
    than in the decrease before; a second, slower mode, noisy or not, keeps its scatter."""
    L = np.stack(items)
    n = L.shape[-1]
    m = max(10, (n - n // 8) // 8)
    end = point_scatter(L[:, -m:])
    return list((end > 0) & (end >= TH.FLOOR_NOISE_GROW * point_scatter(L[:, n // 8:n // 8 + m])))


def _power_rss_many(items: list) -> list:
    """The residual sum of squares of the power law (:func:`~._fits.power_law_many`) on
    rows ``(k, L)`` of one length."""
    return [float(v) for v in power_law_many(_stack(items, 0).astype(float),
                                             _stack(items, 1)).rss]


def _cycle(k, L):
    """The oscillating finding when the tail repeats with a period (:func:`_periods`,
    requested from :func:`analyse_many`: a generator, ``yield from`` it), else None."""
    P, oa = yield _Ask(_periods, (L.size,), L, L.size)
    if P <= 0:
        return None
    return Finding(Regime.OSCILLATING,
                   {"period": P, "cycle": tuple(float(math.exp(v)) for v in L[-P:])},
                   (int(k[oa]), int(k[-1])),
                   f"the tail {int(k[oa])}..{int(k[-1])} repeats with period {P} "
                   f"(log e_k - log e_(k-{P}) small against the swing, no drift): a cycle, "
                   "not convergence")


def explain(found: Finding, notes: list, prefix: str = "") -> str:
    """The ``reason``: what was read first (a prefix such as how f* was obtained), the
    finding, then what was dropped."""
    parts = ([prefix] if prefix else []) + [found.text] + notes
    return "; ".join(p for p in parts if p)


@contextlib.contextmanager
def _gc_paused():
    """Python's cyclic garbage collector off for the block (then as it was): a sweep's
    estimate allocates ~10^5 short-lived objects, and each collection they trigger walks
    every object the process holds (~2.4e5 after importing JAX): 6-9 % of the GD
    headline's estimate, measured. Nothing here makes cycles; memory is freed by
    reference counts as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def estimate_rows(rows: list[Row], measure: str, level: float, round_q: bool,
                  prefix: str = "") -> list[OrderEstimate]:
    """:func:`analyse_many` and :func:`explain` into one :class:`OrderEstimate` per row."""
    with np.errstate(all="ignore"), _gc_paused():
        results = analyse_many(rows, level, round_q)
        return [_estimate(found, notes, measure, level, prefix) for found, notes in results]


def estimate_row(row: Row, measure: str, level: float, round_q: bool,
                 prefix: str = "") -> OrderEstimate:
    """:func:`estimate_rows` on one row."""
    return estimate_rows([row], measure, level, round_q, prefix)[0]


def _estimate(found: Finding, notes: list, measure: str, level: float,
              prefix: str) -> OrderEstimate:
    fields = {k: v for k, v in found.fields.items() if v is not None}
    for key, v in list(fields.items()):
        if isinstance(v, float) and not math.isfinite(v):
            del fields[key]
        elif isinstance(v, tuple) and any(x is None or (isinstance(x, float)
                                                         and not math.isfinite(x)) for x in v):
            del fields[key]
        elif isinstance(v, np.floating | np.integer):
            fields[key] = v.item()
    win = found.window
    has_ci = any(k.endswith("_ci") for k in fields)
    return OrderEstimate(regime=found.regime, **fields, level=level if has_ci else None,
                         window=win, n_used=0 if win is None else win[1] - win[0] + 1,
                         measure=measure, reason=explain(found, notes, prefix))


__all__ += ["estimate_row", "estimate_rows", "analyse_many", "Row", "LN10"]
