"""Measured against predicted: one :class:`Comparison` row per pair, and a table of them.

Duck-typed on both sides so it pairs any estimate with any prediction: a float, or an
object with ``rate`` / ``q`` fields (:class:`lrtheory.estimate.OrderEstimate`,
:class:`~lrtheory.theory.Rate`), optionally ``rate_ci`` / ``q_ci`` (a ``(low, high)``
confidence interval) and ``regime``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import NamedTuple

from .._display import html_repr, short_repr

__all__ = ["Comparison", "compare", "to_frame"]

_FIELDS = ("rate", "q", "p", "limit")


class Comparison(NamedTuple):
    """One measured-vs-predicted row.

    Attributes:
      quantity: ``"rate"``, ``"q"``, ``"p"`` (sublinear exponent) or ``"limit"`` (stall
        level).
      measured, predicted: the two numbers (``measured`` is ``None`` when the estimate
        has none, e.g. an ``undetermined`` run).
      rel_error: ``|measured - predicted| / |predicted|`` (``inf`` if ``predicted == 0``
        and ``measured != 0``; ``None`` without a measurement).
      agree: ``True`` when the numbers agree (``predicted`` inside the estimate's CI, or
        ``|measured - predicted| <= atol + rtol*|predicted|``) and the regimes do not
        contradict each other.
      rtol, atol: the tolerance used.
      ci_low, ci_high: the estimate's confidence interval (``None`` if it has none).
      in_ci: whether ``predicted`` lies in the CI (``None`` without a CI).
      measured_regime, predicted_regime: the regimes, where the objects carry one.
      regime_agree: ``None`` when either regime is missing or ``undetermined``.
      method: the prediction's method name, where it has one.
      note: why ``agree`` is what it is.

    Example (|0.95 - 0.9| / 0.9 = 0.0556 > rtol = 0.05):
      >>> row = compare(0.95, 0.9)
      >>> row.quantity, row.agree, round(row.rel_error, 4), row.in_ci
      ('rate', False, 0.0556, None)
      >>> row.note
      '|m - p| = 0.05 > atol + rtol*|p| and p outside the CI'
    """

    quantity: str
    measured: float | None
    predicted: float
    rel_error: float | None
    agree: bool
    rtol: float
    atol: float
    ci_low: float | None
    ci_high: float | None
    in_ci: bool | None
    measured_regime: str | None
    predicted_regime: str | None
    regime_agree: bool | None
    method: str | None
    note: str

    def __repr__(self) -> str:
        return short_repr(self, ("quantity", "measured", "predicted", "rel_error", "agree",
                                 "method"))

    def _repr_html_(self) -> str:
        return html_repr(self)


def _number(obj, field: str, name: str):
    if isinstance(obj, bool):
        raise TypeError(f"{name} must be a number or have a {field!r} field; got a bool")
    if isinstance(obj, numbers.Real):
        return float(obj)
    if hasattr(obj, field):
        v = getattr(obj, field)
        if v is None:
            return None
        if isinstance(v, numbers.Real) or hasattr(v, "__float__"):
            return float(v)
        raise TypeError(f"{name}.{field} must be a number; got {v!r}")
    if hasattr(obj, "value"):  # a plain value wrapper
        return float(obj.value)
    raise TypeError(f"{name} must be a float or an object with a {field!r} field; "
                    f"got {type(obj).__name__}")


def _regime(obj) -> str | None:
    r = getattr(obj, "regime", None)
    return None if r is None else str(r)


def compare(estimate, prediction, rtol: float = 0.05, atol: float = 0.0,
            field: str = "rate") -> Comparison:
    """Compare a measured estimate with a theoretical prediction.

    Agreement: the prediction lies in the estimate's confidence interval
    (``<field>_ci``), or :math:`|m - p| \\le` ``atol + rtol*|p|`` (numpy's ``isclose``
    rule); and the regimes, when both are known, are the same.

    Args:
      estimate: a float or an object with ``rate`` / ``q`` (and optionally
        ``rate_ci`` / ``q_ci``, ``regime``), e.g. an ``OrderEstimate``.
      prediction: a float or an object with the same field, e.g. a
        :class:`~lrtheory.theory.Rate`.
      rtol, atol: the tolerance (stated in the row).
      field: ``"rate"`` (the constant / linear rate), ``"q"`` (the order), ``"p"`` (the
        sublinear exponent) or ``"limit"`` (the stall level of a
        :class:`~lrtheory.theory.ScheduleLimit`); the CI read is ``<field>_ci``.

    Returns:
      :class:`Comparison`.

    Example:
      >>> row = compare(0.905, 0.9)
      >>> row.agree, round(row.rel_error, 4)
      (True, 0.0056)
    """
    if field not in _FIELDS:
        raise ValueError(f"field must be one of {_FIELDS}; got {field!r}")
    if not (rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be >= 0; got rtol={rtol!r}, atol={atol!r}")
    p = _number(prediction, field, "prediction")
    if p is None or not math.isfinite(p):
        raise ValueError(f"prediction.{field} must be a finite number; got {p!r}")
    m = _number(estimate, field, "estimate")
    ci = getattr(estimate, f"{field}_ci", None)
    lo, hi = (None, None) if ci is None else (float(ci[0]), float(ci[1]))
    if lo is not None and not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = None, None
    in_ci = None if lo is None else bool(lo <= p <= hi)
    mr, pr = _regime(estimate), _regime(prediction)
    known = {None, "undetermined"}
    regime_agree = None if (mr in known or pr in known) else mr == pr
    method = getattr(prediction, "method", None)
    if m is None or not math.isfinite(m):
        return Comparison(field, None if m is None else m, p, None, False, rtol, atol, lo, hi,
                          in_ci, mr, pr, regime_agree, method,
                          f"no finite measured {field} (regime {mr})")
    err = abs(m - p)
    rel = err / abs(p) if p != 0 else (0.0 if err == 0 else math.inf)
    close = err <= atol + rtol * abs(p)
    numeric = close or bool(in_ci)
    agree = numeric and regime_agree is not False
    if not numeric:
        note = f"|m - p| = {err:.3g} > atol + rtol*|p| and p outside the CI"
    elif regime_agree is False:
        note = f"numbers agree but regimes differ ({mr} vs {pr})"
    else:
        note = "within the CI" if in_ci else f"within rtol={rtol:g}"
    return Comparison(field, m, p, rel, agree, rtol, atol, lo, hi, in_ci, mr, pr,
                      regime_agree, method, note)


def to_frame(rows: Iterable[Comparison], **labels):
    """A pandas DataFrame with one row per :class:`Comparison`.

    Args:
      rows: comparisons.
      **labels: constant columns to add (e.g. ``problem="quadratic"``), or lists of
        per-row values of the same length as ``rows``.

    Example:
      >>> to_frame([compare(0.905, 0.9), compare(2.05, 2.0, field="q")]).agree.tolist()
      [True, True]
    """
    import pandas as pd

    rows = list(rows)
    for i, r in enumerate(rows):
        if not isinstance(r, Comparison):
            raise TypeError(f"rows[{i}] must be a Comparison; got {type(r).__name__}")
    df = pd.DataFrame(rows, columns=list(Comparison._fields))
    for name, value in labels.items():
        df.insert(0, name, value)
    return df
