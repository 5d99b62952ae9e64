r"""Measured against predicted: one :class:`Comparison` row per quantity, and a table.

Duck-typed on both sides: a float, or an object with ``rate`` / ``q`` / ``p`` / ``limit``
fields and a ``regime`` (:class:`lrtheory.estimate.OrderEstimate`,
:class:`~lrtheory.theory.Rate`, :class:`~lrtheory.theory.ScheduleLimit`), optionally
``<field>_ci`` (a ``(low, high)`` confidence interval) on the estimate.

The rules, chosen so that a verdict cannot flatter:

- **Scale.** A linear rate :math:`\rho \in (0, 1)` is compared on the log scale, the
  speed :math:`-\ln\rho` (digits per step): the error is
  :math:`|\ln m - \ln p| / |\ln p|`, the relative error in the number of steps to reach
  a tolerance. So :math:`8.4\cdot10^{-4}` against :math:`4.3\cdot10^{-9}` differs by
  63 %, and 0.999 against 0.99 by 90 %, where an absolute or relative difference of the
  rates would call them close. Orders, exponents, constants and stall levels are
  compared relatively (:math:`|m - p| \le` ``atol + rtol*|p|``).
- **Intervals never make agreement.** A prediction inside the estimate's interval but
  outside the tolerance is ``inconclusive`` (the interval is too wide to decide), not
  ``agrees``.
- **Regimes first.** Known regimes that differ disagree whatever the numbers. A
  prediction whose content is its regime (``finite``: a nilpotent iteration, rate
  exactly 0; ``diverged``; ``superlinear`` with ``q = 1``, i.e. :math:`C_k \to 0`, as for
  BFGS) is judged on the regime alone.
- **Trivial matches apart.** Either side ``undetermined`` (or no measured number) gives
  ``inconclusive``, never ``agrees``.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Iterable
from typing import NamedTuple

from .._display import html_repr, short_repr
from .._vocab import Regime

__all__ = ["Verdict", "Comparison", "compare", "compare_all", "overall", "to_frame"]

_FIELDS = ("rate", "q", "p", "limit")
_SCALES = ("auto", "log", "rel")


class Verdict(enum.StrEnum):
    """The outcome of a comparison.

    - ``agrees``: the number (or, for a regime-only prediction, the regime) matches
      within the stated tolerance.
    - ``disagrees``: regimes differ, or the number is outside the tolerance and the
      estimate's interval excludes the prediction.
    - ``inconclusive``: nothing was tested: one side undetermined, no measured number,
      or an interval too wide to decide.

    Example:
      >>> [v.value for v in Verdict]
      ['agrees', 'disagrees', 'inconclusive']
    """

    AGREES = "agrees"
    DISAGREES = "disagrees"
    INCONCLUSIVE = "inconclusive"


class Comparison(NamedTuple):
    """One measured-vs-predicted row (build by keyword; every field but two has a default).

    Attributes:
      quantity: ``"rate"``, ``"q"``, ``"p"`` (sublinear exponent), ``"limit"`` (stall
        level), or ``"regime"`` when the prediction is judged on its regime alone.
      verdict: a :class:`Verdict`.
      agree: ``verdict == "agrees"``.
      measured, predicted: the two numbers (``None`` where a side has none).
      rel_error: the error on the scale used: :math:`|\\ln m - \\ln p|/|\\ln p|` (log) or
        :math:`|m - p|/|p|` (rel; ``inf`` if ``p == 0 != m``); ``None`` without numbers.
      scale: ``"log"``, ``"rel"`` or ``"regime"``.
      rtol, atol: the tolerance used (``atol`` in the units of the scale: log-units on
        the log scale).
      ci_low, ci_high: the estimate's interval for the quantity, if any.
      in_ci: whether the prediction lies in it (``None`` without one).
      measured_regime, predicted_regime: :class:`~lrtheory._vocab.Regime` or ``None``.
      regime_agree: ``None`` when either regime is missing or ``undetermined``.
      method: the prediction's method name, where it has one.
      note: why the verdict is what it is.

    Example (speeds -ln 0.95 = 0.0513 and -ln 0.9 = 0.1054 differ by 51 %):
      >>> row = compare(0.95, 0.9)
      >>> row.verdict.value, round(row.rel_error, 3), row.scale
      ('disagrees', 0.513, 'log')
    """

    quantity: str
    verdict: Verdict
    agree: bool = False
    measured: float | None = None
    predicted: float | None = None
    rel_error: float | None = None
    scale: str = "rel"
    rtol: float = 0.05
    atol: float = 0.0
    ci_low: float | None = None
    ci_high: float | None = None
    in_ci: bool | None = None
    measured_regime: Regime | None = None
    predicted_regime: Regime | None = None
    regime_agree: bool | None = None
    method: str | None = None
    note: str = ""

    def __repr__(self) -> str:
        return short_repr(self, ("quantity", "verdict", "measured", "predicted",
                                 "rel_error", "scale", "method"))

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
    if hasattr(obj, "regime"):  # e.g. a ScheduleLimit without this field
        return None
    raise TypeError(f"{name} must be a float or an object with a {field!r} field; "
                    f"got {type(obj).__name__}")


def _regime(obj, name: str) -> Regime | None:
    r = getattr(obj, "regime", None)
    if r is None:
        return None
    try:
        return Regime(str(r))
    except ValueError:
        raise ValueError(f"{name}.regime={r!r} is not one of "
                         f"{[v.value for v in Regime]}") from None


def _vanishing(prediction, pr) -> bool:
    """The prediction "superlinear, q = 1, C_k -> 0" (BFGS; a linear rate 0 where the
    Hessian varies)."""
    q = getattr(prediction, "q", None)
    return pr is Regime.SUPERLINEAR and q is not None and float(q) == 1.0


def _scale(scale, field, prediction, p):
    if scale != "auto":
        return scale
    q = getattr(prediction, "q", 1.0)
    linear = q is None or float(q) == 1.0
    return "log" if field == "rate" and linear and p is not None and 0 < p < 1 else "rel"


def _by_regime(mr, pr, vanishing):
    """(verdict, note) for a prediction that is its regime."""
    if vanishing:
        if mr is Regime.SUPERLINEAR:
            return Verdict.AGREES, "superlinear as predicted (C_k -> 0)"
        if mr is Regime.FINITE:
            return Verdict.AGREES, "x* reached exactly: consistent with C_k -> 0"
        return Verdict.DISAGREES, f"measured {mr}, predicted superlinear (C_k -> 0)"
    if mr is pr:
        return Verdict.AGREES, f"{pr} as predicted"
    return Verdict.DISAGREES, f"measured {mr}, predicted {pr}"


def compare(estimate, prediction, rtol: float = 0.05, atol: float = 0.0,
            field: str = "rate", *, scale: str = "auto") -> Comparison:
    """Compare a measured estimate with a theoretical prediction (rules: module docstring).

    Args:
      estimate: a float or an object with the field (and optionally ``<field>_ci``,
        ``regime``), e.g. an ``OrderEstimate``.
      prediction: a float or an object with the field and optionally ``regime`` / ``q``,
        e.g. a :class:`~lrtheory.theory.Rate` or
        :class:`~lrtheory.theory.ScheduleLimit`.
      rtol, atol: the tolerance (stated in the row).
      field: ``"rate"`` (the constant / linear rate), ``"q"`` (the order), ``"p"`` (the
        sublinear exponent) or ``"limit"`` (the stall level).
      scale: ``"auto"`` (log for a linear rate in (0, 1), else relative), ``"log"`` or
        ``"rel"``.

    Returns:
      :class:`Comparison`.

    Example (speeds -ln 0.903 and -ln 0.9 within 5 %; Newton's order 2.02 vs 2):
      >>> compare(0.903, 0.9).verdict.value, compare(2.02, 2.0, field="q").verdict.value
      ('agrees', 'agrees')
    """
    if field not in _FIELDS:
        raise ValueError(f"field must be one of {_FIELDS}; got {field!r}")
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {_SCALES}; got {scale!r}")
    if not (rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be >= 0; got rtol={rtol!r}, atol={atol!r}")
    mr, pr = _regime(estimate, "estimate"), _regime(prediction, "prediction")
    p = _number(prediction, field, "prediction")
    m = _number(estimate, field, "estimate")
    ci = getattr(estimate, f"{field}_ci", None)
    lo, hi = (None, None) if ci is None else (float(ci[0]), float(ci[1]))
    if lo is not None and not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = None, None
    known = {None, Regime.UNDETERMINED}
    row = {"rtol": rtol, "atol": atol, "measured_regime": mr, "predicted_regime": pr,
           "regime_agree": None if (mr in known or pr in known) else mr is pr,
           "method": getattr(prediction, "method", None), "ci_low": lo, "ci_high": hi,
           "measured": m if m is None or math.isfinite(m) else None}

    def out(quantity, verdict, note, **kw):
        return Comparison(quantity=quantity, verdict=verdict,
                          agree=verdict is Verdict.AGREES, note=note, **{**row, **kw})

    vanishing = _vanishing(prediction, pr)
    if pr is Regime.UNDETERMINED:
        return out(field, Verdict.INCONCLUSIVE, "theory undetermined", predicted=p)
    if (pr in (Regime.FINITE, Regime.DIVERGED) or vanishing) and mr is not None:
        if mr is Regime.UNDETERMINED:
            return out("regime", Verdict.INCONCLUSIVE, "measurement undetermined",
                       scale="regime", predicted=p)
        verdict, note = _by_regime(mr, pr, vanishing)
        return out("regime", verdict, note, scale="regime", predicted=p)
    if p is None or not math.isfinite(p):
        raise ValueError(f"prediction.{field} must be a finite number; got {p!r}")
    in_ci = None if lo is None else bool(lo <= p <= hi)
    row.update(predicted=p, in_ci=in_ci)
    if row["regime_agree"] is False:
        return out(field, Verdict.DISAGREES, f"regimes differ (measured {mr}, predicted {pr})")
    if m is None or not math.isfinite(m):
        return out(field, Verdict.INCONCLUSIVE, f"no finite measured {field} (regime {mr})")
    how = _scale(scale, field, prediction, p)
    if how == "log" and not (0 < p < 1):
        raise ValueError(f"scale='log' needs a predicted rate in (0, 1); got {p!r}")
    if how == "log":
        if not 0 < m < 1:
            return out(field, Verdict.DISAGREES, f"measured rate {m:.3g} is not in (0, 1)",
                       scale="log", rel_error=math.inf)
        diff, ref = abs(math.log(m) - math.log(p)), abs(math.log(p))
    else:
        diff, ref = abs(m - p), abs(p)
    rel = diff / ref if ref != 0 else (0.0 if diff == 0 else math.inf)
    if diff <= atol + rtol * ref:
        verdict = Verdict.AGREES
        note = f"within rtol={rtol:g} ({how} scale)" + (
            "" if in_ci is not False else "; p outside the CI")
    elif in_ci:
        verdict = Verdict.INCONCLUSIVE
        note = (f"error {rel:.3g} > rtol={rtol:g} ({how} scale), but p lies in the CI "
                f"[{lo:.3g}, {hi:.3g}]: too wide to decide")
    else:
        verdict = Verdict.DISAGREES
        note = f"error {rel:.3g} > rtol={rtol:g} ({how} scale)" + (
            "" if in_ci is None else " and p outside the CI")
    return out(field, verdict, note, scale=how, rel_error=rel)


def compare_all(estimate, prediction, rtol: float = 0.05, *,
                rtol_rate: float | None = None) -> tuple[Comparison, ...]:
    """Every quantity the prediction states, compared: the rate for ``linear``; the order
    **and** the constant C for ``superlinear`` with ``q > 1`` (C relatively, with
    ``rtol_rate``, default ``rtol``); the exponent ``p`` for ``sublinear``; the level for
    ``stalled``; the regime alone for ``finite``, ``diverged`` and :math:`C_k \\to 0`. A
    superlinear prediction without a constant (Newton in several variables when the
    third derivatives are not given) is compared on its order only.

    Example (Newton on exp(x) - 2x: q = 2, C = 1/2; q = 2.01 agrees, C = 0.8 does not):
      >>> from lrtheory.theory import newton_rate
      >>> class Est(NamedTuple):
      ...     q: float; rate: float; regime: str
      >>> theory = newton_rate("exp(x) - 2*x", "log(2)")
      >>> rows = compare_all(Est(2.01, 0.8, "superlinear"), theory)
      >>> [(r.quantity, r.verdict.value) for r in rows], overall(rows).value
      ([('q', 'agrees'), ('rate', 'disagrees')], 'disagrees')
    """
    pr = _regime(prediction, "prediction")
    if pr in (Regime.FINITE, Regime.DIVERGED, Regime.UNDETERMINED) or _vanishing(
            prediction, pr):
        return (compare(estimate, prediction, rtol, field="rate"),)
    if pr is Regime.SUPERLINEAR:
        q_row = compare(estimate, prediction, rtol, field="q")
        c = getattr(prediction, "rate", None)
        if c is None or not math.isfinite(float(c)):  # theory states the order only
            return (q_row,)
        return (q_row, compare(estimate, prediction, rtol if rtol_rate is None else rtol_rate,
                               field="rate"))
    field = {Regime.SUBLINEAR: "p", Regime.STALLED: "limit"}.get(pr, "rate")
    return (compare(estimate, prediction, rtol, field=field),)


def overall(rows: Iterable[Comparison]) -> Verdict:
    """One verdict for several rows: ``disagrees`` if any row does, else
    ``inconclusive`` if any row is, else ``agrees``.

    Example:
      >>> overall([compare(0.9, 0.9), compare(2.5, 2.0, field="q")]).value
      'disagrees'
    """
    verdicts = [r.verdict for r in rows]
    if not verdicts:
        raise ValueError("rows must hold at least one Comparison")
    for v in (Verdict.DISAGREES, Verdict.INCONCLUSIVE):
        if v in verdicts:
            return v
    return Verdict.AGREES


def to_frame(rows: Iterable[Comparison], **labels):
    """A pandas DataFrame with one row per :class:`Comparison` (enums as their strings).

    Args:
      rows: comparisons.
      **labels: constant columns to add (e.g. ``problem="quadratic"``), or lists of
        per-row values of the same length as ``rows``.

    Example:
      >>> to_frame([compare(0.903, 0.9), compare(2.05, 2.0, field="q")]).verdict.tolist()
      ['agrees', 'agrees']
    """
    import pandas as pd

    rows = list(rows)
    for i, r in enumerate(rows):
        if not isinstance(r, Comparison):
            raise TypeError(f"rows[{i}] must be a Comparison; got {type(r).__name__}")
    plain = [[v.value if isinstance(v, enum.Enum) else v for v in r] for r in rows]
    df = pd.DataFrame(plain, columns=list(Comparison._fields))
    for name, value in labels.items():
        df.insert(0, name, value)
    return df
