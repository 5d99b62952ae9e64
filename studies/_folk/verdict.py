r"""The verdict rule of the folk-claims study: per-seed effects -> a CI -> a verdict.

Every experiment reduces to *effects*: one number per seed (a paired difference between
the claimed-better and the claimed-worse arm, signed so that **positive = the claim's
direction**), measured in several *settings* (problem, gradient noise, baseline, ...).

Per setting, the effect's mean and its two-sided 95 % Student-t interval over seeds
(:func:`studies._common.mean_ci`) give an outcome, checked in this order:

* ``for`` if the interval lies entirely above the practical threshold :math:`\delta`
  (an effect worth the name, in the claimed direction);
* ``against`` if it lies entirely below :math:`\delta` (no effect worth the name in the
  claimed direction: inside the band :math:`(-\delta, \delta)`, or the opposite way);
* ``inconclusive`` otherwise (the interval contains :math:`\delta`), or with fewer than
  two finite seeds.

One threshold for both sides, so that "for" is not easier to reach than "against". A
quantised effect (a difference of success fractions over ``n`` starts) carries its
``resolution`` (``1/n``), whose rounding variance enters the interval
(:func:`studies._common.mean_ci`): seeds that all give the same value do not produce a
zero-width interval.

Per claim (a general statement: one setting where it fails refutes it as stated, but
where it holds somewhere the useful answer is *where*): ``supported`` if every setting is
``for``; ``inconclusive`` if every setting is ``inconclusive``; ``refuted`` if no
setting is ``for`` (and at least one is ``against``); otherwise -- some settings ``for``,
some not -- ``depends on <v>``, where ``<v>`` is the first setting variable (in the order
the claim declares them) whose every level is either all ``for`` or all not ``for``; when
no single variable separates them, all varying variables are named.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from studies._common import mean_ci

__all__ = ["Effect", "Summary", "summarise", "verdict", "OUTCOMES", "VERDICTS",
           "verdict_code", "is_verdict"]

OUTCOMES = ("for", "against", "inconclusive")
VERDICTS = ("supported", "refuted", "inconclusive", "depends on")


class Effect(NamedTuple):
    """Per-seed effect of one claim in one setting.

    Attributes:
      claim: claim label (``"1a"``, ``"2"``, ...).
      setting: ordered variable -> level (``{"problem": "Rastrigin", "arm": "momentum"}``).
      values: one value per seed; positive = the direction the claim asserts.
      band: half-width :math:`\\delta` of the practical-equivalence band (effect units).
      unit: what the number is, for the table (``"success fraction"``).
      resolution: the step in which each value is quantised (0: continuous).
    """

    claim: str
    setting: Mapping[str, str]
    values: np.ndarray
    band: float
    unit: str
    resolution: float = 0.0


class Summary(NamedTuple):
    """An effect's mean, 95 % t-interval, number of seeds and outcome."""

    mean: float
    lo: float
    hi: float
    n: int
    outcome: str


def summarise(effect: Effect) -> Summary:
    """Mean, 95 % Student-t interval over seeds and the outcome of the rule above.

    Example:
      >>> e = Effect("x", {"p": "a"}, np.array([0.4, 0.5, 0.6]), 0.05, "fraction")
      >>> s = summarise(e)
      >>> round(s.mean, 3), s.outcome
      (0.5, 'for')
      >>> summarise(e._replace(values=np.zeros(5))).outcome   # inside the band
      'against'
      >>> summarise(e._replace(values=np.array([0.04, 0.06, 0.08]))).outcome  # straddles
      'inconclusive'
    """
    v = np.asarray(effect.values, float)
    n = int(np.isfinite(v).sum())
    m, lo, hi = mean_ci(v, resolution=effect.resolution)
    if n < 2 or not (math.isfinite(lo) and math.isfinite(hi)):
        return Summary(m, lo, hi, n, "inconclusive")
    d = effect.band
    if lo > d:
        outcome = "for"
    elif hi < d:
        outcome = "against"
    else:
        outcome = "inconclusive"
    return Summary(m, lo, hi, n, outcome)


def _separating(settings: Sequence[Mapping[str, str]], holds: Sequence[bool]) -> list[str]:
    keys = list(settings[0])
    varying = [k for k in keys if len({s[k] for s in settings}) > 1]
    for k in varying:
        by_level: dict[str, set[bool]] = {}
        for s, h in zip(settings, holds, strict=True):
            by_level.setdefault(s[k], set()).add(h)
        if all(len(v) == 1 for v in by_level.values()):
            return [k]
    return varying


def verdict(effects: Sequence[Effect]) -> str:
    """The claim's verdict from its settings' outcomes (rule in the module docstring).

    Example:
      >>> mk = lambda p, v: Effect("x", {"problem": p, "noise": "none"}, np.array(v), 0.05, "")
      >>> verdict([mk("a", [0.4, 0.5, 0.6]), mk("b", [0.3, 0.4, 0.5])])
      'supported'
      >>> verdict([mk("a", [0.4, 0.5, 0.6]), mk("b", [0.0, 0.0, 0.0])])
      'depends on problem'
      >>> verdict([mk("a", [-0.1, 0.5, 0.6]), mk("b", [0.0, 0.0, 0.0])])
      'refuted'
    """
    if not effects:
        raise ValueError("effects must be a non-empty sequence of Effect")
    outcomes = [summarise(e).outcome for e in effects]
    if all(o == "for" for o in outcomes):
        return "supported"
    if all(o == "inconclusive" for o in outcomes):
        return "inconclusive"
    if "for" not in outcomes:
        return "refuted"
    names = _separating([e.setting for e in effects], [o == "for" for o in outcomes])
    return "depends on " + " and ".join(names)


def is_verdict(text: str) -> bool:
    """Whether ``text`` is one of the verdicts the rule can produce."""
    return text in VERDICTS[:3] or (text.startswith("depends on ") and len(text) > 11)


def verdict_code(text: str) -> float:
    """A number for the macros' JSON: supported 1, refuted -1, depends 0, inconclusive 0.5."""
    if not is_verdict(text):
        raise ValueError(f"text={text!r} is not a verdict")
    return {"supported": 1.0, "refuted": -1.0, "inconclusive": 0.5}.get(text, 0.0)
