"""The result value :class:`OrderEstimate` and its flat, NaN-free table form."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._display import html_repr, short_repr
from .._vocab import Regime

__all__ = ["OrderEstimate", "REGIMES", "COLUMNS", "frame"]

#: Every value ``OrderEstimate.regime`` can take (the members of :class:`~lrtheory.Regime`).
REGIMES = tuple(r.value for r in Regime)


class OrderEstimate(NamedTuple):
    r"""What an error sequence says about convergence: regime, order, rate, and why.

    Fields that do not apply are ``None`` (never NaN). Every ``*_ci`` is an interval at
    level ``level`` (default 0.95); ``reason`` says how it was obtained. For a sequence
    without noise an interval is the fit uncertainty implied by the model's residuals.

    Attributes:
      regime: a :class:`~lrtheory.Regime` (a string enum: ``est.regime == "linear"``).
      q: order :math:`q` in :math:`e_{k+1} \approx C e_k^q`: ``1.0`` for linear runs and
        Q-superlinear ones; the fitted order for superlinear runs (rounded to a standard
        order only with ``round_q=True``).
      q_fit, q_ci: the unrounded regression slope of :math:`\log e_{k+1}` on
        :math:`\log e_k` and its t interval (superlinear).
      q_coc: median computational order of convergence over the window (superlinear).
      rate, rate_ci: :math:`C` (linear: contraction factor from the upper envelope;
        superlinear: with :math:`q` = ``rate_q``); ``None`` when :math:`C_k` is periodic
        (``rate_limits``) or does not settle.
      rate_q: the order :math:`C` was computed with (``q_fit``, or a standard order inside
        ``q_ci`` at which :math:`C_k` settles; the reason says which).
      rate_limits: the limit points (ascending) when :math:`C_k` settles on a 2-cycle.
      ratio_to_zero: ``True`` for Q-superlinear runs (:math:`q = 1`, :math:`C_k \to 0`).
      model: the model of the linear fit (``geometric``, ``geometric times k^m``, or
        ``geometric plus a transient s^k``: the approach to the rate).
      p, p_ci, A, A_ci, k0: sublinear runs, :math:`e_k \approx A (k + k_0)^{-p}`.
      growth, growth_ci: diverged runs, growth factor per step; growth_order,
        growth_order_ci: super-exponential divergence, slope of :math:`\log e_{k+1}` on
        :math:`\log e_k`.
      diverged_at: first iterate that was non-finite or left the blow-up bound.
      finite_at: finite runs: the first of the exact zeros the sequence ends in.
      limit, limit_ci: stalled runs: the level the error settles at.
      floor, floor_ci, floor_at: the round-off or noise floor a converging run reached:
        its level (geometric mean) and the iterate where the run entered it.
      f_star: the optimal value used (given, or estimated from the data: ``reason``).
      period, cycle: oscillating runs: the period and the last ``period`` values.
      level: the level of the intervals.
      window: ``(first, last)`` iterate indices the estimate used (inclusive).
      n_used: number of iterates in the window (0 when none).
      measure: which error the sequence is (``"dist"``, ``"f"``, ``"grad"``, ``"step"``
        (ACOC: successive step lengths), or ``"errors"`` for a bare sequence).
      reason: in words: what was dropped and why, and how the numbers were obtained.

    Example (errors that double each step: diverged, growth factor 2):
      >>> from lrtheory.estimate import estimate_order
      >>> est = estimate_order([3.0 * 2.0 ** k for k in range(30)])
      >>> est.regime, round(est.growth, 12), est.q, est.rate
      (<Regime.DIVERGED: 'diverged'>, 2.0, None, None)
    """

    regime: Regime
    q: float | None = None
    q_fit: float | None = None
    q_ci: tuple[float, float] | None = None
    q_coc: float | None = None
    rate: float | None = None
    rate_ci: tuple[float, float] | None = None
    rate_q: float | None = None
    rate_limits: tuple[float, ...] | None = None
    ratio_to_zero: bool | None = None
    model: str | None = None
    p: float | None = None
    p_ci: tuple[float, float] | None = None
    A: float | None = None
    A_ci: tuple[float, float] | None = None
    k0: float | None = None
    growth: float | None = None
    growth_ci: tuple[float, float] | None = None
    growth_order: float | None = None
    growth_order_ci: tuple[float, float] | None = None
    diverged_at: int | None = None
    finite_at: int | None = None
    limit: float | None = None
    limit_ci: tuple[float, float] | None = None
    floor: float | None = None
    floor_ci: tuple[float, float] | None = None
    floor_at: int | None = None
    f_star: float | None = None
    period: int | None = None
    cycle: tuple[float, ...] | None = None
    level: float | None = None
    window: tuple[int, int] | None = None
    n_used: int = 0
    measure: str = "errors"
    reason: str = ""

    def __repr__(self) -> str:
        keep = [f for f in self._fields if f not in ("reason", "level", "n_used")]
        return short_repr(self, keep + ["reason"])

    def _repr_html_(self) -> str:
        return html_repr(self)

    def as_row(self) -> dict:
        """The flat form used as one row of :func:`estimate_orders`' table.

        Intervals become ``_lo``/``_hi`` columns (``window`` -> ``window_first``/
        ``window_last``); ``None`` becomes ``pandas.NA`` in numeric columns.
        """
        import pandas as pd

        row = {}
        for name in self._fields:
            v = getattr(self, name)
            if name in _PAIRS:
                a, b = _PAIRS[name]
                row[a] = pd.NA if v is None else v[0]
                row[b] = pd.NA if v is None else v[1]
            elif name == "regime":
                row[name] = str(v)
            elif name in ("rate_limits", "cycle"):
                row[name] = v
            else:
                row[name] = pd.NA if v is None else v
        return row


_PAIRS = {f: (f[:-3] + "_lo", f[:-3] + "_hi") for f in OrderEstimate._fields if f.endswith("_ci")}
_PAIRS["window"] = ("window_first", "window_last")
_INT = {"diverged_at", "finite_at", "floor_at", "period"}
_STR = {"regime", "model", "measure", "reason"}

#: Table columns and their pandas dtypes (nullable: ``<NA>`` where a field does not apply).
COLUMNS: dict[str, str] = {}
for _f in OrderEstimate._fields:
    if _f in _PAIRS:
        _dt = "Int64" if _f == "window" else "Float64"
        COLUMNS.update({_PAIRS[_f][0]: _dt, _PAIRS[_f][1]: _dt})
    elif _f in _STR:
        COLUMNS[_f] = "string"
    elif _f in ("rate_limits", "cycle"):
        COLUMNS[_f] = "object"
    elif _f == "ratio_to_zero":
        COLUMNS[_f] = "boolean"
    elif _f == "n_used":
        COLUMNS[_f] = "int64"
    else:
        COLUMNS[_f] = "Int64" if _f in _INT else "Float64"


def frame(estimates):
    """The table of a list of estimates (columns :data:`COLUMNS`), built column by column."""
    import pandas as pd

    ests = list(estimates)
    data = {}
    for name in OrderEstimate._fields:
        vals = [getattr(e, name) for e in ests]
        if name in _PAIRS:
            for i, col in enumerate(_PAIRS[name]):
                data[col] = pd.array([pd.NA if v is None else v[i] for v in vals],
                                     dtype=COLUMNS[col])
        elif COLUMNS[name] == "object":
            col = np.empty(len(vals), dtype=object)
            col[:] = vals if vals else []
            data[name] = col
        elif name == "regime":
            data[name] = pd.array([str(v) for v in vals], dtype="string")
        elif name == "n_used":
            data[name] = np.array(vals, dtype=np.int64)
        else:
            data[name] = pd.array([pd.NA if v is None else v for v in vals],
                                  dtype=COLUMNS[name])
    return pd.DataFrame(data, columns=list(COLUMNS))
