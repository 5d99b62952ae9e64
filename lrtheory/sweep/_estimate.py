"""The order-estimate columns of the sweep table, from :func:`lrtheory.estimate.estimate_orders`.

The estimator's columns are kept under their own names except: its ``diverged_at`` is
dropped (the table's ``diverged_at`` is the run's, from :func:`lrtheory.run`), its
``measure`` is the table's ``error_measure``, and its two object columns become flat ones
so that a table read from the parquet cache equals a freshly computed one:
``rate_limits`` -> ``rate_limit_lo``/``rate_limit_hi`` (``Float64``), ``cycle`` -> a
string of the cycle's values separated by ``", "`` (each ``repr(float)``, so exact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..estimate import COLUMNS, estimate_orders

__all__ = ["ESTIMATE_COLUMNS", "estimate_columns"]

_DROP = {"diverged_at", "measure", "rate_limits", "cycle"}

ESTIMATE_COLUMNS: dict[str, str] = {}
for _name, _dt in COLUMNS.items():
    if _name == "rate_limits":
        ESTIMATE_COLUMNS.update(rate_limit_lo="Float64", rate_limit_hi="Float64")
    elif _name == "cycle":
        ESTIMATE_COLUMNS["cycle"] = "string"
    elif _name not in _DROP:
        ESTIMATE_COLUMNS[_name] = _dt


def _pair(values, i):
    return pd.array([pd.NA if v is None else float(v[i]) for v in values], dtype="Float64")


def estimate_columns(err: np.ndarray, n_err: np.ndarray, diverged: np.ndarray,
                     measure: str) -> dict:
    """Estimate columns for runs with error rows ``err`` (``(n, m)``), of which the first
    ``n_err`` are genuine; a diverged run's records end at ``n_err`` (what
    ``estimate_orders`` does with a batched Trajectory)."""
    div = np.where(diverged, n_err, -1).astype(np.int64)
    est = estimate_orders(np.asarray(err, np.float64), diverged_at=div, measure=measure)
    cols = {k: est[k] for k in ESTIMATE_COLUMNS
            if k not in ("rate_limit_lo", "rate_limit_hi", "cycle")}
    limits = list(est["rate_limits"])
    cols["rate_limit_lo"] = _pair(limits, 0)
    cols["rate_limit_hi"] = _pair(limits, 1)
    cols["cycle"] = pd.array([pd.NA if c is None else ", ".join(repr(float(v)) for v in c)
                              for c in est["cycle"]], dtype="string")
    return {k: (cols[k].array if isinstance(cols[k], pd.Series) else cols[k])
            for k in ESTIMATE_COLUMNS}
