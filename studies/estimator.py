r"""Study: the order estimator as a method a reader can reimplement -- its thresholds, its
validation on synthetic sequences with known truth, and its ablation.

Outputs (the estimator section of the paper ``\input``\ s them):

- ``generated/estimator_thresholds.tex``: a table of every threshold of
  :mod:`lrtheory.estimate`, its value and its meaning, generated from the code's
  constants (``lrtheory.estimate.THRESHOLDS`` when the package exposes it; otherwise the
  ``#:``-documented module constants of the estimator's implementation), so the paper
  cannot drift from the code.
- ``tables/estimator_validation.tex`` and ``tables/estimator_ablation.tex``: accuracy per
  regime class and coverage of the intervals on sequences with known truth, and the
  comparison with plain COC / ACOC and a last-half fit, from the estimator's validation
  module (``lrtheory.estimate.validation``).

HOOK (issue 17): the validation module does not exist yet. Until it lands the two tables
say so in one row and ``\EstValidationAvailable`` is 0; the section prints a visible
"pending" note instead of numbers. When it lands, :func:`_validation` is the one place to
connect it (expected: ``validate(size) -> DataFrame`` with columns ``regime, n,
accuracy, coverage_q, coverage_C`` and ``ablation(size) -> DataFrame`` with columns
``method, regime, accuracy, median_abs_error_q``).
"""

from __future__ import annotations

import importlib
import inspect
import math
import re

from studies._common import Context, Macro, Outputs, Raw, escape, int_macro, num, write_table

GRID = {"full": {"size": "full"}, "smoke": {"size": "smoke"}}

# Modules whose ``#:``-documented constants are the estimator's thresholds (fallback when
# lrtheory.estimate has no public THRESHOLDS mapping).
_SOURCES = ("lrtheory.estimate._regimes", "lrtheory.estimate._core")
_ASSIGN = re.compile(r"^([A-Z][A-Z0-9_]*(?:\s*,\s*[A-Z][A-Z0-9_]*)*)\s*=")


def thresholds() -> list[tuple[str, object, str]]:
    """``(name, value, meaning)`` for every documented threshold of the estimator."""
    est = importlib.import_module("lrtheory.estimate")
    public = getattr(est, "THRESHOLDS", None)
    if public is not None:
        return [(k, v[0], v[1]) if isinstance(v, tuple) else (k, v, "")
                for k, v in public.items()]
    out = []
    for modname in _SOURCES:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        doc: list[str] = []
        for line in inspect.getsource(mod).splitlines():
            s = line.strip()
            if s.startswith("#:"):
                doc.append(s[2:].strip())
                continue
            m = _ASSIGN.match(line)  # module level only (no indentation)
            if m:  # NAME = ... or A, B = ...: the #: lines just above document it
                for name in (n.strip() for n in m.group(1).split(",")):
                    out.append((name, getattr(mod, name), " ".join(doc)))
                doc = []
            elif not s.startswith("#"):
                doc = []
    return out


def _value(v) -> Raw:
    if isinstance(v, tuple):
        return Raw(", ".join(_value(x) for x in v))
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return Raw(str(v))
    if isinstance(v, int):
        return Raw(str(v))
    # thresholds on the log scale are shown with their decimal meaning
    return num(v, 4)


def _validation(size: str):
    """(validation rows, ablation rows) from lrtheory.estimate.validation, or None."""
    try:
        val = importlib.import_module("lrtheory.estimate.validation")
    except ImportError:
        return None
    return val.validate(size), val.ablation(size)


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    rows = [[Raw(r"\texttt{" + escape(n) + "}"), _value(v),
             Raw(r"\parbox[t]{0.6\linewidth}{" + escape(m) + "}")]
            for n, v, m in thresholds()]
    thr = write_table(ctx.root / "generated" / "estimator_thresholds.tex", rows,
                      ["constant", "value", "meaning"], "lrl")
    macros = {"EstThresholdCount": int_macro(len(rows))}
    res = _validation(grid["size"])
    if res is None:
        note = "pending: lrtheory.estimate.validation is not in this build"
        vt = write_table(ctx.table("_validation"), [[note]], ["validation"], "l")
        at = write_table(ctx.table("_ablation"), [[note]], ["ablation"], "l")
        macros["EstValidationAvailable"] = int_macro(0)
        macros["EstValidationText"] = Macro(None, (
            r"\emph{Pending:} the validation module of the estimator is not in this build; "
            r"\cref{tab:estimator-validation,tab:estimator-ablation} are placeholders."))
    else:
        v, a = res
        vt = write_table(ctx.table("_validation"), v.values.tolist(), list(v.columns))
        at = write_table(ctx.table("_ablation"), a.values.tolist(), list(a.columns))
        macros["EstValidationAvailable"] = int_macro(1)
        macros["EstValidationText"] = Macro(None, "")
    macros["EstLogTen"] = Macro(math.log(10), num(math.log(10), 4))
    return ctx.finish([], [thr, vt, at], macros)
