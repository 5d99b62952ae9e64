"""Public entry points: one sequence, a sweep of sequences, a per-iteration table."""

from __future__ import annotations

import math
import numbers

import mpmath
import numpy as np

from .._vocab import Measure, Regime
from ..trajectory import Trajectory
from ..trajectory import errors as traj_errors
from ._input import STEP_NOTE, _as_array, errors_of, logs_of, rows_of
from ._result import OrderEstimate, frame
from ._stages import estimate_row, estimate_rows
from ._thresholds import THRESHOLDS

__all__ = ["estimate_order", "estimate_orders", "per_iteration"]


def _level(level):
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise ValueError(f"level must be a number in (0, 1); got {level!r}")
    return float(level)


def _f_star_errors(arr, f_star):
    """|f - f*| for a given optimal value (mpmath-safe)."""
    if arr.dtype.kind == "O":
        fs = mpmath.mpf(f_star)
        out = np.empty(arr.shape, dtype=object)
        for i, v in enumerate(arr):
            out[i] = abs(mpmath.mpf(v) - fs)
        return out
    return np.abs(arr - float(f_star))


def _differences(arr):
    if arr.dtype.kind == "O":
        out = np.empty(arr.size - 1, dtype=object)
        for i in range(arr.size - 1):
            out[i] = abs(mpmath.mpf(arr[i + 1]) - mpmath.mpf(arr[i]))
        return out
    return np.abs(np.diff(arr))


def _roundoff_zeros(d, f):
    """Drop the trailing differences that are the values' round-off floor.

    Float values converging to f* != 0 stop changing once f_k - f* is below the spacing of
    floats near f*, so their differences end in exact zeros that say nothing about finite
    termination, preceded by a few differences of some ulps that are mostly round-off.
    When the differences end in zeros, the trailing stretch at most ``DIFF_ULPS`` eps |f|
    is that floor: dropped, with a note. Otherwise nothing is dropped (a genuine finite
    termination, reached from differences far above round-off, stays ``finite``).
    """
    if d.dtype.kind != "f" or d.size == 0 or d[-1] != 0:
        return d, ""
    thr = THRESHOLDS.DIFF_ULPS * np.finfo(d.dtype).eps * float(np.max(np.abs(f)))
    nz, above = np.flatnonzero(d), np.flatnonzero(d > thr)
    if nz.size == 0 or above.size == 0 or d[nz[-1]] > thr:
        return d, ""  # all zero, or zeros reached from far above round-off: finite
    last = int(above[-1])
    return d[:last + 1], (f"the differences fall to the values' round-off (at most "
                          f"{THRESHOLDS.DIFF_ULPS:g} eps |f| = {thr:.3g}) and then to 0 "
                          f"from iterate {last + 1} on: a floor, dropped")


def _with_f_star(est: OrderEstimate, f) -> OrderEstimate:
    """Translate the estimate of the differences d_k = |f_(k+1) - f_k| into the error's,
    and extrapolate f* from the last value: d_k has the rate and order of e_k = f_k - f*;
    a power law A (k + k0)^-p gives d_k ~ p A (k + k0 + 1/2)^-(p + 1)."""
    n = len(f)
    fl = [float(v) for v in f[-2:]] if n >= 2 else [math.nan, math.nan]
    sgn = 1.0 if fl[0] >= fl[1] else -1.0
    d_last = abs(fl[0] - fl[1])
    e_last, upd = None, {}
    if est.regime == "linear" and est.rate is not None:
        e_last = d_last * est.rate / (1 - est.rate)
    elif est.regime == "superlinear":
        e_last = 0.0 if est.rate is None else est.rate * d_last ** (est.rate_q or 1.0)
    elif est.regime == "sublinear" and est.p is not None and est.p > 1:
        p = est.p - 1
        A = est.A / p
        k0 = (est.k0 or 0.0) - 0.5
        e_last = A * (n - 1 + k0) ** -p
        upd = {"p": p, "A": A, "k0": k0,
               "p_ci": None if est.p_ci is None else (est.p_ci[0] - 1, est.p_ci[1] - 1),
               "A_ci": None if est.A_ci is None else (est.A_ci[0] / p, est.A_ci[1] / p)}
    elif est.regime == "sublinear":
        upd = {"regime": Regime.UNDETERMINED, "p": None, "p_ci": None, "A": None,
               "A_ci": None, "k0": None}
    if e_last is None or not math.isfinite(e_last):
        head = ("f* unknown: the successive differences |f_(k+1) - f_k| were analysed (same "
                "rate and order as f - f*); no limit could be extrapolated")
        return est._replace(measure="f", reason=f"{head}; {est.reason}", **upd)
    fs = fl[1] - sgn * e_last
    head = ("f* unknown: the successive differences |f_(k+1) - f_k| were analysed (their rate "
            "and order are those of f - f*; a power law's p is one more), and f* = "
            f"{fs:.10g} extrapolated from the last value")
    return est._replace(measure="f", f_star=fs, reason=f"{head}; {est.reason}", **upd)


def estimate_order(data, *, x_star=None, measure: str = "auto", window=None, f_star=None,
                   level: float = 0.95, round_q: bool = False) -> OrderEstimate:
    r"""Regime, order :math:`q`, rate :math:`C` and their intervals for one error sequence.

    Model: :math:`e_{k+1} \approx C e_k^q` (linear: :math:`q = 1`, :math:`C < 1`;
    superlinear: :math:`q > 1`, or :math:`q = 1` with :math:`C_k \to 0`), or
    :math:`e_k \approx A (k + k_0)^{-p}` (sublinear), or a positive limit (stalled), exact
    zeros from some step on (finite), a cycle (oscillating), growth (diverged). The window
    is chosen automatically (pre-asymptotic head and the floor dropped, the floor reported;
    see the package documentation for every rule) and reported with the reason. Every
    interval has the level ``level``.

    Args:
      data: a :class:`~lrtheory.trajectory.Trajectory` (its genuine records,
        ``traj.error(measure)``; a diverged run is ``diverged``), a 1-D sequence of
        errors :math:`e_k \ge 0` (floats or ``mpmath.mpf``; errors far below 1e-308 are
        fine: logarithms are taken with ``mpmath.log``), or a 2-D array of iterates (one
        row per iterate) with ``x_star``; without ``x_star`` the successive step lengths
        :math:`\|x_{k+1} - x_k\|` are used (ACOC-style), and ``measure``/``reason`` say so.
      x_star: the minimiser, for 2-D iterates only.
      measure: ``"auto"``; for a Trajectory ``"dist"``, ``"f"``, ``"grad"``, ``"step"``;
        for iterates ``"dist"`` or ``"step"``; for a bare sequence a label
        (``"errors"``, ``"dist"``, ``"f"``, ``"grad"``, ``"step"``).
      window: ``None`` (automatic), or ``(first, last)`` iterate indices (inclusive) to
        use exactly as given: no head or floor trimming inside it.
      f_star: ``data`` are loss values (1-D, or a Trajectory's ``f``): a number (the
        errors are :math:`|f_k - f^\star|`), or ``"estimate"``: :math:`f^\star` unknown,
        the successive differences are analysed and :math:`f^\star` extrapolated (the
        reason says so first).
      level: level of every interval (default 0.95).
      round_q: report ``q`` rounded to a standard order (golden ratio, 2, 3) when it lies
        in the interval; ``q_fit`` is always the unrounded fit.

    Returns:
      An :class:`OrderEstimate`; fields that do not apply are ``None``, never NaN.

    Raises:
      ValueError: negative errors, a bad ``measure``, ``window``, ``level`` or
        ``f_star``, ``x_star`` that does not fit. TypeError: data that are not numbers.

    Example:
      >>> est = estimate_order([0.5 ** k for k in range(60)])
      >>> str(est.regime), est.q, round(est.rate, 12)
      ('linear', 1.0, 0.5)
      >>> import mpmath
      >>> e = [mpmath.mpf(10) ** -(2 ** k) for k in range(13)]   # down to 1e-4096
      >>> est = estimate_order(e)
      >>> str(est.regime), round(est.q_fit, 9), round(est.rate, 9)
      ('superlinear', 2.0, 1.0)
    """
    level = _level(level)
    flush = isinstance(data, Trajectory)
    prefix = ""
    if f_star is not None:
        if not (isinstance(f_star, numbers.Real | mpmath.mpf) or (isinstance(f_star, str)
                                                                   and f_star == "estimate")):
            raise ValueError(f"f_star must be a number or 'estimate'; got {f_star!r}")
        if isinstance(data, Trajectory):
            data, measure = data.f, "f"
        arr = _as_array(data, "data")
        if arr.ndim != 1:
            raise ValueError(f"f_star needs 1-D loss values; got data of shape {arr.shape}")
        if f_star == "estimate":
            d, note = _roundoff_zeros(_differences(arr), arr)
            w = None if window is None else (window[0], max(window[1] - 1, window[0] + 1))
            est = estimate_order(d, window=w, level=level, round_q=round_q)
            if note:
                est = est._replace(reason=f"{est.reason}; {note}")
            return _with_f_star(est, arr)
        data, measure = _f_star_errors(arr, f_star), "f"
        prefix = f"errors |f - f*| with f* = {f_star} given"
    e, label, div, note = errors_of(data, x_star, measure)
    L, eps = logs_of(e.reshape(1, -1), "data")
    row = rows_of(L, np.array([div]), window, eps, flush=flush)[0]
    est = estimate_row(row, label, level, round_q, prefix=prefix)
    if note:
        est = est._replace(reason=f"{est.reason}; {note}")
    if f_star is not None:
        est = est._replace(f_star=float(f_star))
    return est


def _batch_errors(errors, diverged_at, measure):
    if isinstance(errors, Trajectory):
        if diverged_at is not None:
            raise ValueError("diverged_at comes from the Trajectory; pass diverged_at=None")
        div = np.asarray(errors.diverged_at).reshape(-1)
        # the one reading of a measure (trajectory.errors; it rejects unknown measures)
        E, m = traj_errors(errors, measure)
        measure = m.value
        E = np.asarray(E)
        if m is Measure.STEP:
            div = np.where(div >= 0, np.maximum(div - 1, 0), div)
        if E.ndim != 2:
            raise ValueError("errors must be a batched Trajectory (leading run axis); got "
                             f"records of shape {E.shape}")
        return _as_array(E, "errors"), div.astype(np.int64), measure
    E = _as_array(errors, "errors")
    if E.ndim != 2:
        raise ValueError(f"errors must be a 2-D array (n_runs, T); got shape {E.shape}")
    if measure not in ("auto", "errors", "dist", "f", "grad", "step"):
        raise ValueError(f"measure={measure!r} is not one of 'auto', 'errors', 'dist', 'f', "
                         "'grad', 'step'")
    if diverged_at is None:
        div = np.full(E.shape[0], -1, dtype=np.int64)
    else:
        div = np.asarray(diverged_at)
        if div.shape != (E.shape[0],) or div.dtype.kind not in "iu":
            raise ValueError(f"diverged_at must be {E.shape[0]} integers (-1 = never); got "
                             f"{div.dtype} array of shape {div.shape}")
        div = div.astype(np.int64)
    return E, div, "errors" if measure == "auto" else measure


def estimate_orders(errors, *, diverged_at=None, measure: str = "auto", window=None,
                    lengths=None, f_star=None, level: float = 0.95, round_q: bool = False):
    """:func:`estimate_order` for a sweep: one row of estimates per run.

    All rows go through the stages of :func:`estimate_order` together: each stage runs once
    on the stack of the rows that reach it (vectorised; about 0.5 ms a run of 1000 steps on
    a 2-core CPU), and a row's numbers do not depend on the others, so every row equals the
    scalar estimate of its sequence bit for bit.

    Args:
      errors: ``(n_runs, T)`` array of errors (float64 or float32), or a batched
        :class:`~lrtheory.trajectory.Trajectory` (leading run axis, as from
        ``lrtheory.run.batched``); records at or after a run's ``diverged_at`` are ignored.
      diverged_at: ``(n_runs,)`` integers, ``-1`` for runs that never diverged (arrays only).
      measure: as :func:`estimate_order` (``"auto"`` picks ``dist`` for trajectories with
        a known minimiser, else ``step``).
      window: ``None`` or ``(first, last)`` for every run.
      lengths: ``(n_runs,)`` integers: run ``i`` has ``lengths[i]`` records (ragged runs
        padded to ``T``; the padding is never read).
      f_star: ``errors`` are loss values: a number or ``(n_runs,)`` numbers (errors
        ``|f - f*|``), or ``"estimate"`` (see :func:`estimate_order`).
      level, round_q: as :func:`estimate_order`.

    Returns:
      A ``pandas.DataFrame`` with the columns :data:`~lrtheory.estimate.COLUMNS`
      (intervals split into ``_lo``/``_hi`` columns, numeric columns nullable, ``<NA>``
      where a field does not apply, never NaN or inf; ``rate_limits`` and ``cycle`` hold
      tuples or None).

    Example:
      >>> import numpy as np
      >>> k = np.arange(200)
      >>> df = estimate_orders(np.stack([0.9 ** k, 3.0 / (k + 1), 1.1 ** k]))
      >>> list(df.regime)
      ['linear', 'sublinear', 'diverged']
      >>> [round(float(v), 9) for v in (df.rate[0], df.p[1], df.growth[2])]
      [0.9, 1.0, 1.1]
    """
    level = _level(level)
    E, div, label = _batch_errors(errors, diverged_at, measure)
    N, T = E.shape
    if lengths is not None:
        lengths = np.asarray(lengths)
        if lengths.shape != (N,) or lengths.dtype.kind not in "iu" or np.any(lengths < 0):
            raise ValueError(f"lengths must be {N} non-negative integers; got {lengths!r}")
    if f_star is not None:
        if isinstance(f_star, str):
            if f_star != "estimate":
                raise ValueError(f"f_star must be numbers or 'estimate'; got {f_star!r}")
            ests = []
            for i in range(N):
                n = T if lengths is None else int(lengths[i])
                ests.append(estimate_order(E[i, :n], f_star="estimate", window=window,
                                           level=level, round_q=round_q))
            return frame(ests)
        fs = np.broadcast_to(np.asarray(f_star, dtype=float), (N,))
        E = np.abs(E - fs[:, None])
        label = "f"
    L, eps = logs_of(E, "errors")
    rows = rows_of(L, div, window, eps, lengths=lengths, flush=isinstance(errors, Trajectory))
    note = f"; {STEP_NOTE}" if label == "step" and isinstance(errors, Trajectory) else ""
    ests = []
    for i, est in enumerate(estimate_rows(rows, label, level, round_q)):
        if note:
            est = est._replace(reason=est.reason + note)
        if f_star is not None:
            est = est._replace(f_star=float(fs[i]))
        ests.append(est)
    return frame(ests)


def per_iteration(errors, q=None):
    r"""Per-iteration table for the paper: :math:`q_k` and :math:`C_k` (mpmath-safe).

    :math:`q_k = \log(e_{k+1}/e_k) / \log(e_k/e_{k-1})` (the computational order of
    convergence) and :math:`C_k = e_{k+1}/e_k^q` with ``q`` given, else the ratio
    :math:`e_{k+1}/e_k`. Computed on logarithms (``mpmath.log`` for mpmath numbers), so
    errors below 1e-308 work.

    Args:
      errors: 1-D errors (floats or ``mpmath.mpf``), or a Trajectory (``error("auto")``).
      q: fixed order for :math:`C_k` (e.g. 2 for Newton), or None.

    Returns:
      ``pandas.DataFrame`` with ``k``, ``log10_e``, ``q_k``, ``C_k`` (``Float64``,
      ``<NA>`` where undefined: ends, zero or non-finite errors, zero steps).

    Example:
      >>> import mpmath
      >>> t = per_iteration([mpmath.mpf(10) ** -(2 ** k) for k in range(12)], q=2)
      >>> [round(float(v), 9) for v in t.q_k[1:4]], float(t.C_k[10])
      ([2.0, 2.0, 2.0], 1.0)
    """
    import pandas as pd

    e = errors.error("auto")[0] if isinstance(errors, Trajectory) else errors
    arr = _as_array(e, "errors")
    if arr.ndim != 1:
        raise ValueError(f"errors must be 1-D; got shape {arr.shape}")
    if q is not None and not (isinstance(q, int | float) and np.isfinite(q) and q > 0):
        raise ValueError(f"q must be a positive finite number or None; got {q!r}")
    L, _ = logs_of(arr.reshape(1, -1), "errors")
    L = L[0]
    n = L.shape[0]
    with np.errstate(all="ignore"):
        d = np.diff(L)
        qk = np.full(n, np.nan)
        if n >= 3:
            qk[1:-1] = d[1:] / d[:-1]
        lc = np.full(n, np.nan)
        if n >= 2:
            lc[:-1] = L[1:] - (1.0 if q is None else float(q)) * L[:-1]
        Ck = np.exp(lc)
    qk = np.where(np.isfinite(qk), qk, np.nan)
    Ck = np.where(np.isfinite(Ck), Ck, np.nan)
    fin = np.isfinite(L)
    return pd.DataFrame({
        "k": np.arange(n),
        "log10_e": pd.arrays.FloatingArray(np.where(fin, L, 0.0) / np.log(10), ~fin),
        "q_k": pd.arrays.FloatingArray(np.nan_to_num(qk), np.isnan(qk)),
        "C_k": pd.arrays.FloatingArray(np.nan_to_num(Ck), np.isnan(Ck)),
    })
