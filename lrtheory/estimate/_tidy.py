r"""Rates of runs made elsewhere: a tidy table (one row per run and step) -> one estimate
per run.

A PyTorch training log, a solver's iteration history or any other table with a run
column, a step column and a value column (a loss :math:`f_k`) goes in; out comes the
table of :func:`~lrtheory.estimate.estimate_orders`, one row per run. The errors are
:math:`e_k = f_k - f^\star` when ``f_star`` is given; with :math:`f^\star` unknown the
estimator's own limit estimate is used (``estimate_order(values, f_star="estimate")``: the
successive differences :math:`|f_{k+1} - f_k|` carry the rate of a linear run and the order
of a superlinear one, a power :math:`k^{-p}` becomes :math:`k^{-(p+1)}` and is reported
for :math:`f`, and :math:`f^\star` is extrapolated). ``reason`` says so at its start.

Bad input never crashes a run silently: a missing column is an error naming it; a run whose
values are not numbers, whose steps repeat, or that is too short gets an ``undetermined``
row with the reason; rows out of step order are sorted (and ``reason`` says so).
"""

from __future__ import annotations

import math
import numbers
import sys
from pathlib import Path

import numpy as np

from . import _api
from ._result import COLUMNS, OrderEstimate

__all__ = ["estimate_runs", "read_runs", "estimate_orders", "SUFFIXES", "DIFF_NOTE"]

#: File types :func:`read_runs` reads, by suffix.
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
            ".ndjson": "jsonl", ".json": "jsonl"}
_EXTRA = ("n_steps", "first_step", "last_step", "spacing", "rate_per_step")
#: How ``reason`` starts when f* is unknown (written by ``estimate_order(f_star="estimate")``).
DIFF_NOTE = "f* unknown: the successive differences |f_(k+1) - f_k| were analysed"


def _is_frame(obj) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame implies pandas is imported already
    return pd is not None and isinstance(obj, pd.DataFrame)


def read_runs(path):
    """A table of runs from CSV, parquet or JSON lines, chosen by the file's suffix.

    Args:
      path: a ``.csv``, ``.parquet`` / ``.pq``, or ``.jsonl`` / ``.ndjson`` / ``.json``
        (one JSON object per line) file.

    Raises:
      ValueError naming ``path``: a missing file or an unknown suffix.

    Example:
      >>> read_runs("log.txt")
      Traceback (most recent call last):
      ...
      ValueError: path='log.txt' must end in .csv, .parquet, .pq, .jsonl, .ndjson or .json
    """
    import pandas as pd

    p = Path(path)
    kind = SUFFIXES.get(p.suffix.lower())
    if kind is None:
        names = list(SUFFIXES)
        raise ValueError(f"path={str(path)!r} must end in {', '.join(names[:-1])} or "
                         f"{names[-1]}")
    if not p.is_file():
        raise ValueError(f"path={str(path)!r} is not a file")
    if kind == "csv":
        return pd.read_csv(p)
    if kind == "parquet":
        return pd.read_parquet(p)
    return pd.read_json(p, lines=True, precise_float=True)  # default parsing loses digits


def _undetermined(reason: str) -> OrderEstimate:
    return OrderEstimate(regime="undetermined", reason=reason)


def _values(col, name: str):
    """(float values, message or None): a message names non-numeric entries."""
    import pandas as pd

    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() & col.notna()
    if col.dtype == bool or bool(bad.any()):
        first = col[bad].iloc[0] if bool(bad.any()) else col.iloc[0]
        return None, (f"column {name!r} holds non-numeric values (e.g. {first!r} at "
                      f"{int(bad.sum()) or len(col)} row(s))")
    return num.to_numpy(dtype=float, na_value=np.nan), None


def _one_run(steps, values, f_star, step_col, value_col):
    """(OrderEstimate, spacing) of one run's rows, already sorted by step."""
    notes = []
    if len(np.unique(steps)) < len(steps):
        dup = np.unique(steps[1:][np.diff(steps) == 0])
        return _undetermined(f"duplicate steps in column {step_col!r}: {dup[:5].tolist()} "
                             "(which value belongs to the step is ambiguous)"), None
    gaps = np.diff(steps)
    spacing = float(gaps[0]) if len(gaps) and np.allclose(gaps, gaps[0]) else None
    if len(gaps) and spacing is None:
        notes.append(f"steps in {step_col!r} are unevenly spaced (gaps {gaps.min():g} to "
                     f"{gaps.max():g}): the rate is per logged record, not per step")
    elif spacing is not None and spacing != 1:
        notes.append(f"one record every {spacing:g} steps: rate and growth are per record")
    if f_star is not None:
        errors = values - f_star
        below = np.flatnonzero(np.isfinite(errors) & (errors < 0))
        if below.size:
            k = below[0]
            return _undetermined(f"{value_col!r} falls below f_star={f_star!r} at step "
                                 f"{steps[k]:g} (value {values[k]!r}): f_star is not the "
                                 "limit of this run"), spacing
        est = _api.estimate_order(errors, measure="f")
        return est._replace(reason="; ".join([est.reason, *notes])), spacing
    est = _api.estimate_order(values, f_star="estimate")  # the estimator's own limit
    return est._replace(reason="; ".join([est.reason, *notes])), spacing


def estimate_runs(df, *, run_col: str = "run", step_col: str | None = "step",
                  value_col: str = "loss", f_star: float | None = None):
    r"""One order/rate estimate per run of a tidy table (one row per run and step).

    Args:
      df: a ``pandas.DataFrame``.
      run_col: the column naming the run (any hashable values; not missing).
      step_col: the column of step numbers, or ``None`` to take the rows of each run in
        table order. Rows out of step order are sorted (``reason`` says so); repeated
        steps make the run ``undetermined``.
      value_col: the column of values :math:`f_k` (e.g. the loss).
      f_star: the optimal value when known (errors :math:`f_k - f^\star`); ``None``: the
        estimator's own limit estimate (see the module; ``reason`` says so).

    Returns:
      A ``pandas.DataFrame``: ``run_col``, ``n_steps``, ``first_step``, ``last_step``,
      ``spacing`` (the step gap when even, else ``<NA>``), ``rate_per_step`` (a linear
      run's rate per step, :math:`C^{1/\mathrm{spacing}}`; ``rate`` is per record), then
      the columns of
      :data:`~lrtheory.estimate.COLUMNS` (``regime``, ``q``, ``rate``, ... ``reason``), in
      the order the runs first appear.

    Raises:
      ValueError naming the argument: ``df`` not a DataFrame, a missing column (the
      available ones are listed), missing run names, non-numeric or missing steps, a bad
      ``f_star``.

    Example (losses 2 + 0.5^k: linear with C = 1/2 whether f* = 2 is given or not):
      >>> import pandas as pd
      >>> df = pd.DataFrame({"run": ["a"] * 40, "step": range(40),
      ...                    "loss": [2 + 0.5 ** k for k in range(40)]})
      >>> out = estimate_runs(df, f_star=2.0)
      >>> out.run[0], out.regime[0], round(float(out.rate[0]), 6)
      ('a', 'linear', 0.5)
      >>> round(float(estimate_runs(df).rate[0]), 6)
      0.5
    """
    import pandas as pd

    if not _is_frame(df):
        raise TypeError(f"df must be a pandas.DataFrame; got {type(df).__name__}")
    for arg, col in (("run_col", run_col), ("step_col", step_col), ("value_col", value_col)):
        if col is not None and col not in df.columns:
            raise ValueError(f"{arg}={col!r} is not a column of the table; columns: "
                             f"{[str(c) for c in df.columns]}")
    if f_star is not None and (isinstance(f_star, bool) or not isinstance(
            f_star, numbers.Real) or not math.isfinite(f_star)):
        raise ValueError(f"f_star must be a finite real number or None; got {f_star!r}")
    if df[run_col].isna().any():
        rows = np.flatnonzero(df[run_col].isna().to_numpy())[:5].tolist()
        raise ValueError(f"run_col={run_col!r} has missing run names (rows {rows})")
    if step_col is None:
        steps_all = df.groupby(run_col, sort=False).cumcount().to_numpy(dtype=float)
    else:
        steps_all, msg = _values(df[step_col], step_col)
        if msg is not None or not np.all(np.isfinite(steps_all)):
            raise ValueError(f"step_col={step_col!r}: " + (msg or "missing or non-finite "
                             "step numbers"))
    values_all, bad_values = _values(df[value_col], value_col)
    rows = []
    for run, idx in df.groupby(run_col, sort=False).indices.items():
        steps = steps_all[idx]
        order = np.argsort(steps, kind="stable")
        sorted_note = "" if np.all(order == np.arange(len(idx))) else (
            f"rows were not in step order: sorted by {step_col!r}")
        steps = steps[order]
        spacing = None
        if bad_values is not None:
            vals, msg = _values(df[value_col].iloc[idx], value_col)
            est = _undetermined(msg) if msg else None
        else:
            vals, est = values_all[idx][order], None
        if est is None:
            est, spacing = _one_run(steps, vals, None if f_star is None else float(f_star),
                                    step_col, value_col)
        if sorted_note:
            est = est._replace(reason=f"{est.reason}; {sorted_note}")
        per_step = (est.rate ** (1.0 / spacing) if spacing and est.rate is not None
                    and est.regime == "linear" else pd.NA)
        rows.append({run_col: run, "n_steps": len(idx), "first_step": steps[0],
                     "last_step": steps[-1], "spacing": pd.NA if spacing is None else spacing,
                     "rate_per_step": per_step, **est.as_row()})
    out = pd.DataFrame(rows, columns=[run_col, *_EXTRA, *COLUMNS])
    dtypes = {**COLUMNS, **dict.fromkeys(_EXTRA[1:], "Float64")}
    return out.astype({k: v for k, v in dtypes.items() if v != "object"})


def estimate_orders(errors, **kwargs):
    """:func:`estimate_order` for many runs: a ``(n_runs, T)`` array or batched
    Trajectory (see :func:`lrtheory.estimate._api.estimate_orders`: ``diverged_at``,
    ``measure``, ``window``), or a tidy ``pandas.DataFrame`` of runs made elsewhere (see
    :func:`estimate_runs`: ``run_col``, ``step_col``, ``value_col``, ``f_star``).

    Returns:
      A ``pandas.DataFrame``, one row per run, with the columns of
      :data:`~lrtheory.estimate.COLUMNS` (a DataFrame input adds the run and its steps).

    Example:
      >>> import numpy as np, pandas as pd
      >>> k = np.arange(200)
      >>> list(estimate_orders(np.stack([0.9 ** k, 3.0 / np.maximum(k, 1)])).regime)
      ['linear', 'sublinear']
      >>> log = pd.DataFrame({"run": [0] * 60, "step": range(60), "loss": 0.5 ** k[:60]})
      >>> out = estimate_orders(log, f_star=0.0)
      >>> out.regime[0], round(float(out.rate[0]), 9)
      ('linear', 0.5)
    """
    if _is_frame(errors):
        return estimate_runs(errors, **kwargs)
    return _api.estimate_orders(errors, **kwargs)

