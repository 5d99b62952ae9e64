"""Public entry points: one sequence, a sweep of sequences, a per-iteration table."""

from __future__ import annotations

import numpy as np

from ..trajectory import Trajectory
from ._core import classify
from ._input import STEP_NOTE, _as_array, errors_of, logs_of, setup
from ._result import OrderEstimate

__all__ = ["estimate_order", "estimate_orders", "per_iteration"]


def estimate_order(data, *, x_star=None, measure: str = "auto", window=None) -> OrderEstimate:
    r"""Regime, order :math:`q`, rate :math:`C` and confidence ranges of one error sequence.

    Model: :math:`e_{k+1} \approx C e_k^q` (linear: :math:`q = 1`, :math:`C < 1`;
    superlinear: :math:`q > 1`), or :math:`e_k \approx A k^{-p}` (sublinear), or a
    positive limit (stalled), a cycle (oscillating), growth (diverged). The window is
    chosen automatically (pre-asymptotic head and round-off floor dropped; see the package
    documentation for every rule) and reported with the reason.

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
        use exactly: no head or floor trimming inside it.

    Returns:
      An :class:`OrderEstimate`; fields that do not apply are ``None``, never NaN.

    Raises:
      ValueError: negative errors, a bad ``measure`` or ``window``, ``x_star`` that does
        not fit. TypeError: data that are not numbers.

    Example:
      >>> est = estimate_order([0.5 ** k for k in range(60)])
      >>> est.regime, est.q, round(est.rate, 12)
      ('linear', 1.0, 0.5)
      >>> import mpmath
      >>> e = [mpmath.mpf(10) ** -(2 ** k) for k in range(13)]   # down to 1e-4096
      >>> est = estimate_order(e)
      >>> est.regime, est.q, round(est.rate, 9)
      ('superlinear', 2.0, 1.0)
    """
    e, label, div, note = errors_of(data, x_star, measure)
    L, eps = logs_of(e.reshape(1, -1), "data")
    C = classify(setup(L, np.array([div]), window, eps))
    C.measure[0] = label
    if note:
        C.reason[0] = f"{C.reason[0]}; {note}"
    return C.estimate(0)


def _batch_errors(errors, diverged_at, measure):
    if isinstance(errors, Trajectory):
        if measure not in ("auto", "dist", "f", "grad", "step"):
            raise ValueError(f"measure={measure!r} is not one of 'auto', 'dist', 'f', "
                             "'grad', 'step' for a batched Trajectory")
        if diverged_at is not None:
            raise ValueError("diverged_at comes from the Trajectory; pass diverged_at=None")
        t = errors
        if measure == "auto":
            measure = "dist" if t.dist is not None else "step"
        div = np.asarray(t.diverged_at).reshape(-1)
        if measure == "dist":
            if t.dist is None:
                raise ValueError("measure='dist' needs trajectories run with a known x_star")
            E = np.asarray(t.dist)
        elif measure == "f":
            if t.f_star is None:
                raise ValueError("measure='f' needs trajectories with a known f_star")
            E = np.abs(np.asarray(t.f) - t.f_star)
        elif measure == "grad":
            E = np.asarray(t.grad_norm)
        else:
            E = np.asarray(t.step_norm)
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


def estimate_orders(errors, *, diverged_at=None, measure: str = "auto", window=None):
    """:func:`estimate_order` for a sweep, vectorised: one row of estimates per run.

    The same code path as :func:`estimate_order` (which is this function on a batch of
    one), so the rows equal the scalar estimates exactly.

    Args:
      errors: ``(n_runs, T)`` array of errors (float64 or float32), or a batched
        :class:`~lrtheory.trajectory.Trajectory` (leading run axis, as from
        ``lrtheory.run.batched``); records at or after a run's ``diverged_at`` are ignored.
      diverged_at: ``(n_runs,)`` integers, ``-1`` for runs that never diverged (arrays only).
      measure: as :func:`estimate_order` (``"auto"`` picks ``dist`` for trajectories with
        a known minimiser, else ``step``).
      window: ``None`` or ``(first, last)`` for every run.

    Returns:
      A ``pandas.DataFrame`` with the columns of ``OrderEstimate.as_row`` (see
      :data:`~lrtheory.estimate.COLUMNS`): tuples split into ``_lo``/``_hi`` columns,
      numeric columns nullable (``Float64``/``Int64``) holding ``<NA>`` where a field
      does not apply, never NaN or inf; ``rate_limits`` and ``cycle`` hold tuples or None.

    Example:
      >>> import numpy as np
      >>> k = np.arange(200)
      >>> df = estimate_orders(np.stack([0.9 ** k, 3.0 / np.maximum(k, 1), 1.1 ** k]))
      >>> list(df.regime)
      ['linear', 'sublinear', 'diverged']
      >>> [round(float(v), 9) for v in (df.rate[0], df.p[1], df.growth[2])]
      [0.9, 1.0, 1.1]
    """
    E, div, label = _batch_errors(errors, diverged_at, measure)
    L, eps = logs_of(E, "errors")
    C = classify(setup(L, div, window, eps))
    C.measure = [label] * C.N
    if label == "step" and isinstance(errors, Trajectory):
        C.reason = [f"{r}; {STEP_NOTE}" for r in C.reason]
    return C.frame()


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
