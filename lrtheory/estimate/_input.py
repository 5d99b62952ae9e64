"""Turn what a user hands in (errors, iterates, trajectories; floats or mpmath) into logs."""

from __future__ import annotations

import math
import numbers

import mpmath
import numpy as np

from ..trajectory import Trajectory
from ._records import Row

__all__ = ["errors_of", "logs_of", "rows_of", "check_window", "MEASURES", "STEP_NOTE"]

MEASURES = ("auto", "errors", "dist", "f", "grad", "step")
STEP_NOTE = ("the errors are successive step lengths ||x_(k+1) - x_k|| (ACOC-style: no "
             "x_star was known)")


def _is_mp(v) -> bool:
    return isinstance(v, mpmath.mpf | mpmath.mpc)


def _as_array(data, name: str) -> np.ndarray:
    if isinstance(data, str | bytes | dict) or data is None:
        raise TypeError(f"{name} must be a sequence of errors, a 2-D array of iterates or a "
                        f"Trajectory; got {type(data).__name__}")
    arr = np.asarray(data)
    if arr.dtype.kind in "biuf":
        return arr if arr.dtype.kind == "f" else arr.astype(float)
    if arr.dtype.kind == "O":
        flat = arr.reshape(-1)
        for v in flat:
            if isinstance(v, mpmath.mpc) or isinstance(v, complex):
                raise TypeError(f"{name} must hold real numbers; got {v!r}")
            if not (_is_mp(v) or isinstance(v, numbers.Real)):
                raise TypeError(f"{name} must hold real numbers (floats or mpmath.mpf); "
                                f"got {type(v).__name__}")
        if not any(_is_mp(v) for v in flat):
            return arr.astype(float)
        return arr
    raise TypeError(f"{name} must hold real numbers; got an array of dtype {arr.dtype}")


def _norm_rows(X) -> np.ndarray:
    if X.dtype.kind == "f":
        return np.sqrt(np.sum(X * X, axis=1))
    out = np.empty(X.shape[0], dtype=object)
    for i, r in enumerate(X):
        out[i] = mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for v in r))
    return out


def errors_of(data, x_star, measure):
    """``(errors, label, div_at, note)`` from any accepted input of ``estimate_order``."""
    if not (isinstance(measure, str) and measure in MEASURES):
        raise ValueError(f"measure={measure!r} is not one of {list(MEASURES)}")
    if isinstance(data, Trajectory):
        if x_star is not None:
            raise ValueError("x_star is not used with a Trajectory (it carries dist); "
                             "pass x_star=None")
        if measure == "errors":
            raise ValueError("measure='errors' is for bare error sequences; a Trajectory "
                             "takes 'auto', 'dist', 'f', 'grad' or 'step'")
        e, label = data.error(measure)
        div = int(data.diverged_at) if data.diverged else -1
        return _as_array(e, "data"), label, div, STEP_NOTE if label == "step" else ""
    arr = _as_array(data, "data")
    if arr.ndim == 1:
        if x_star is not None:
            raise ValueError("x_star is only used with 2-D iterates (one row per iterate); "
                             f"data is 1-D with {arr.shape[0]} entries")
        label = "errors" if measure == "auto" else measure
        return arr, label, -1, STEP_NOTE if label == "step" else ""
    if arr.ndim != 2:
        raise ValueError(f"data must be 1-D errors or 2-D iterates; got shape {arr.shape}")
    if measure not in ("auto", "dist", "step"):
        raise ValueError(f"measure={measure!r} does not apply to iterates: use 'auto', "
                         "'dist' (needs x_star) or 'step'")
    if measure == "dist" or (measure == "auto" and x_star is not None):
        if x_star is None:
            raise ValueError("measure='dist' needs x_star")
        xs = _as_array(x_star, "x_star").reshape(-1)
        if xs.shape[0] != arr.shape[1]:
            raise ValueError(f"x_star must have {arr.shape[1]} entries (one per coordinate); "
                             f"got {xs.shape[0]}")
        if arr.dtype.kind == "O" or xs.dtype.kind == "O":
            D = np.empty(arr.shape, dtype=object)
            for i in range(arr.shape[0]):
                for j in range(arr.shape[1]):
                    D[i, j] = mpmath.mpf(arr[i, j]) - mpmath.mpf(xs[j])
        else:
            D = arr - xs[None, :]
        return _norm_rows(D), "dist", -1, ""
    if arr.dtype.kind == "O":
        D = np.empty((arr.shape[0] - 1, arr.shape[1]), dtype=object)
        for i in range(arr.shape[0] - 1):
            for j in range(arr.shape[1]):
                D[i, j] = mpmath.mpf(arr[i + 1, j]) - mpmath.mpf(arr[i, j])
    else:
        D = np.diff(arr, axis=0)
    return _norm_rows(D), "step", -1, STEP_NOTE


def logs_of(e: np.ndarray, name: str):
    """Natural logs of errors ``(N, T)``: ``-inf`` for exact zeros, NaN for non-finite.

    Float input goes through ``numpy.log``; mpmath numbers through ``mpmath.log`` (never
    ``float(e)``, which would turn 1e-3000 into 0). Negative errors raise ValueError.
    Returns ``(L, eps)`` with ``eps`` the float type's epsilon (None for mpmath input).
    """
    if e.dtype.kind == "f":
        bad = e < 0
        if bad.any():
            idx = tuple(int(v) for v in np.argwhere(bad)[0])
            raise ValueError(f"{name} must hold errors >= 0; got {e[idx]!r} at index "
                             f"{idx if len(idx) > 1 else idx[0]}")
        with np.errstate(divide="ignore", invalid="ignore"):
            L = np.log(e.astype(float))
        L[np.isposinf(L)] = np.nan
        return L, float(np.finfo(e.dtype).eps)
    L = np.empty(e.shape, dtype=float)
    for idx, v in np.ndenumerate(e):
        v = mpmath.mpf(v)
        if mpmath.isnan(v) or mpmath.isinf(v) and v > 0:
            L[idx] = np.nan
        elif v < 0:
            raise ValueError(f"{name} must hold errors >= 0; got {mpmath.nstr(v, 6)} at index "
                             f"{idx if len(idx) > 1 else idx[0]}")
        elif v == 0:
            L[idx] = -np.inf
        else:
            lv = float(mpmath.log(v))
            L[idx] = lv if math.isfinite(lv) else np.nan
    return L, None


def check_window(window, T: int):
    """``window=(first, last)`` (inclusive iterate indices) -> ``[lo, hi)``."""
    if window is None:
        return 0, T
    ok = (isinstance(window, tuple | list) and len(window) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in window))
    if not ok:
        raise ValueError(f"window must be None or a pair (first, last) of iterate indices; "
                         f"got {window!r}")
    a, b = int(window[0]), int(window[1])
    if not 0 <= a < b < T:
        raise ValueError(f"window={window!r} must satisfy 0 <= first < last < {T} (the "
                         "number of records)")
    return a, b + 1


def rows_of(L: np.ndarray, div_given: np.ndarray, window, eps, lengths=None,
            flush: bool = False) -> list[Row]:
    """One :class:`Row` per sequence: the range (the given window, or everything up to the
    row's length), the reported divergence, and the smallest positive value of a float
    type (``flush``: a run whose backend flushes subnormals to zero, XLA on CPU; values
    below the smallest normal float are then a floor, set to exact zero here)."""
    N, T = L.shape
    lo0, hi0 = check_window(window, T)
    log_tiny = None
    log_eps = math.log(eps) if eps is not None else float(mpmath.log(mpmath.mp.eps))
    if eps is not None:
        fi = np.finfo(np.float32 if eps > 1e-10 else np.float64)
        tiny = fi.tiny if flush else fi.smallest_subnormal
        log_tiny = math.log(float(tiny))
        if flush:
            L = np.where(L < log_tiny, -np.inf, L)
    rows = []
    for i in range(N):
        hi = hi0
        if lengths is not None:
            hi = min(hi, int(lengths[i]))
            if hi <= lo0:
                hi = lo0
        rows.append(Row(L=L[i], div_at=int(div_given[i]), lo=lo0, hi=hi,
                        auto=window is None, log_tiny=log_tiny, log_eps=log_eps))
    return rows
