"""The result value :class:`OrderEstimate` and its flat, NaN-free table form."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["OrderEstimate", "REGIMES", "COLUMNS", "Columns"]

#: Every value ``OrderEstimate.regime`` can take.
REGIMES = ("superlinear", "linear", "sublinear", "stalled", "oscillating", "diverged",
           "undetermined")


class OrderEstimate(NamedTuple):
    r"""What an error sequence says about convergence: regime, order, rate, and why.

    Fields that do not apply to the regime are ``None`` (never NaN).

    Attributes:
      regime: one of :data:`REGIMES`.
      q: order :math:`q` in :math:`e_{k+1} \approx C e_k^q` (``1.0`` for linear runs,
        the fitted or rounded order for superlinear runs; ``None`` otherwise).
      q_ci: ``(lo, hi)``: the spread (min, max) of the computational orders
        :math:`q_k` over the window (superlinear only).
      q_coc: median computational order of convergence over the window (superlinear).
      rate: :math:`C` (linear: the asymptotic contraction factor; superlinear: with
        ``q`` fixed); ``None`` when :math:`C_k` is periodic (see ``rate_limits``).
      rate_ci: ``(lo, hi)``: linear: the spread of the envelope slopes between
        consecutive blocks; superlinear: the spread of :math:`C_k` with ``q`` fixed.
      rate_limits: the limit points (ascending) when :math:`C_k` settles on a 2-cycle.
      p, p_ci, A: sublinear runs, :math:`e_k \approx A k^{-p}` (``p_ci``: spread of the
        log-log envelope slopes between consecutive blocks).
      growth: diverged runs: growth factor per step from the tail (``None`` when the
        records before the blow-up do not grow).
      diverged_at: first iterate that was non-finite or left the blow-up bound.
      limit: stalled runs: the level the error settles at (Aitken-extrapolated when
        the approach is geometric, else the median of the flat tail).
      period, cycle: oscillating runs: the period and the last ``period`` error values.
      window: ``(first, last)`` iterate indices the estimate used (inclusive).
      n_used: number of iterates in the window (0 when none).
      measure: which error the sequence is (``"dist"``, ``"f"``, ``"grad"``,
        ``"step"`` (ACOC, successive step lengths), or ``"errors"`` for a bare sequence).
      reason: in words: what was dropped and why, and how the numbers were obtained.

    Example (errors that double each step: diverged, growth factor 2):
      >>> from lrtheory.estimate import estimate_order
      >>> est = estimate_order([3.0 * 2.0 ** k for k in range(30)])
      >>> est.regime, round(est.growth, 12), est.q, est.rate
      ('diverged', 2.0, None, None)
    """

    regime: str
    q: float | None = None
    q_ci: tuple[float, float] | None = None
    q_coc: float | None = None
    rate: float | None = None
    rate_ci: tuple[float, float] | None = None
    rate_limits: tuple[float, ...] | None = None
    p: float | None = None
    p_ci: tuple[float, float] | None = None
    A: float | None = None
    growth: float | None = None
    diverged_at: int | None = None
    limit: float | None = None
    period: int | None = None
    cycle: tuple[float, ...] | None = None
    window: tuple[int, int] | None = None
    n_used: int = 0
    measure: str = "errors"
    reason: str = ""

    def as_row(self) -> dict:
        """The flat form used as one row of :func:`estimate_orders`' table.

        Tuples become ``_lo``/``_hi`` (``window_first``/``window_last``) columns; ``None``
        becomes ``pandas.NA`` in numeric columns.
        """
        import pandas as pd

        def na(v):
            return pd.NA if v is None else v

        def pair(v, i):
            return pd.NA if v is None else v[i]

        return {
            "regime": self.regime, "q": na(self.q), "q_lo": pair(self.q_ci, 0),
            "q_hi": pair(self.q_ci, 1), "q_coc": na(self.q_coc), "rate": na(self.rate),
            "rate_lo": pair(self.rate_ci, 0), "rate_hi": pair(self.rate_ci, 1),
            "rate_limits": self.rate_limits, "p": na(self.p), "p_lo": pair(self.p_ci, 0),
            "p_hi": pair(self.p_ci, 1), "A": na(self.A), "growth": na(self.growth),
            "diverged_at": na(self.diverged_at), "limit": na(self.limit),
            "period": na(self.period), "cycle": self.cycle,
            "window_first": pair(self.window, 0), "window_last": pair(self.window, 1),
            "n_used": self.n_used, "measure": self.measure, "reason": self.reason,
        }


#: Table columns and their pandas dtypes (nullable: ``<NA>`` where a field does not apply).
COLUMNS = {
    "regime": "string", "q": "Float64", "q_lo": "Float64", "q_hi": "Float64",
    "q_coc": "Float64", "rate": "Float64", "rate_lo": "Float64", "rate_hi": "Float64",
    "rate_limits": "object", "p": "Float64", "p_lo": "Float64", "p_hi": "Float64",
    "A": "Float64", "growth": "Float64", "diverged_at": "Int64", "limit": "Float64",
    "period": "Int64", "cycle": "object", "window_first": "Int64", "window_last": "Int64",
    "n_used": "int64", "measure": "string", "reason": "string",
}


class Columns:
    """Column-wise results of the vectorised core: numeric arrays with 'defined' masks."""

    def __init__(self, N: int):
        self.N = N
        self.num: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, dt in COLUMNS.items():
            if dt in ("Float64", "Int64"):
                kind = float if dt == "Float64" else np.int64
                self.num[name] = (np.zeros(N, dtype=kind), np.zeros(N, dtype=bool))
        self.regime = np.array(["undetermined"] * N, dtype=object)
        self.n_used = np.zeros(N, dtype=np.int64)
        self.measure = ["errors"] * N
        self.reason = [""] * N
        self.rate_limits: list = [None] * N
        self.cycle: list = [None] * N

    def set(self, name, sel, values):
        """Define column ``name`` on rows ``sel`` (bool mask) from ``values`` (full rows).

        Float values that are not finite (an exponential beyond the float range) stay
        undefined, so no table ever holds inf or NaN.
        """
        vals, ok = self.num[name]
        v = np.broadcast_to(np.asarray(values), (self.N,))
        if vals.dtype.kind == "f":
            sel = sel & np.isfinite(v)
        vals[sel] = v[sel]
        ok[sel] = True

    def get(self, name, i):
        vals, ok = self.num[name]
        if not ok[i]:
            return None
        return float(vals[i]) if vals.dtype.kind == "f" else int(vals[i])

    def estimate(self, i: int) -> OrderEstimate:
        g = self.get

        def pair(a, b):
            x, y = g(a, i), g(b, i)
            return None if x is None or y is None else (x, y)

        return OrderEstimate(
            regime=str(self.regime[i]), q=g("q", i), q_ci=pair("q_lo", "q_hi"),
            q_coc=g("q_coc", i), rate=g("rate", i), rate_ci=pair("rate_lo", "rate_hi"),
            rate_limits=self.rate_limits[i], p=g("p", i), p_ci=pair("p_lo", "p_hi"),
            A=g("A", i), growth=g("growth", i), diverged_at=g("diverged_at", i),
            limit=g("limit", i), period=g("period", i), cycle=self.cycle[i],
            window=pair("window_first", "window_last"), n_used=int(self.n_used[i]),
            measure=self.measure[i], reason=self.reason[i])

    def frame(self):
        import pandas as pd

        data = {}
        for name, dt in COLUMNS.items():
            if name in self.num:
                vals, ok = self.num[name]
                if dt == "Float64":
                    data[name] = pd.arrays.FloatingArray(vals.astype(float), ~ok)
                else:
                    data[name] = pd.arrays.IntegerArray(vals.astype(np.int64), ~ok)
            elif name == "regime":
                data[name] = pd.array(list(self.regime), dtype="string")
            elif name in ("measure", "reason"):
                data[name] = pd.array(getattr(self, name), dtype="string")
            elif name == "n_used":
                data[name] = self.n_used.copy()
            else:
                col = np.empty(self.N, dtype=object)
                for i, v in enumerate(getattr(self, name)):
                    col[i] = v
                data[name] = col
        return pd.DataFrame(data)
