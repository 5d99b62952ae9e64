"""Plumbing shared by the studies: registry, output paths, cache, LaTeX tables and macros.

A study is a module ``studies/<name>.py`` that declares its grid as data (``GRID``, one
entry per size) and a function ``run(ctx) -> Outputs``. It calls the public lrtheory API
only; this module holds no computation, just where files go and how they are written.

Sizes: ``"full"`` is what ``make reproduce`` runs; ``"smoke"`` is a tiny grid for the test
suite (seconds), written into a temporary root so tests never touch ``paper/``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
import os
import pickle
import pkgutil
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from pandas import NA as pd_NA

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "paper"
# LRTHEORY_CACHE moves the cache (e.g. to time a cold run without deleting the warm one).
CACHE = Path(os.environ.get("LRTHEORY_CACHE", REPO / ".lrtheory-cache")) / "studies"
SIZES = ("full", "smoke")

# Order of the paper; modules found later (new files in studies/) run after these.
ORDER = ("stability", "order_table", "schedules", "adaptive", "lr_finder", "tuning_budget",
         "superlinear", "mgh", "scaling", "folk_claims", "estimator")
_NOT_STUDIES = {"run_all"}


def names() -> list[str]:
    """Every study module in ``studies/`` (files not starting with ``_``), paper order first."""
    found = {m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
             if not m.name.startswith("_") and m.name not in _NOT_STUDIES}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def load(name: str):
    """Import ``studies.<name>``; ValueError naming the known studies if there is none."""
    known = names()
    if name not in known:
        raise ValueError(f"unknown study name={name!r}; known: {known}")
    mod = importlib.import_module(f"studies.{name}")
    if not callable(getattr(mod, "run", None)):
        raise TypeError(f"studies.{name} has no run(ctx) function")
    return mod


class Outputs(NamedTuple):
    """What a study wrote: figure PDFs, table .tex files and its macros file."""

    figures: tuple[Path, ...]
    tables: tuple[Path, ...]
    macros: Path
    numbers: Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class Context:
    """Where a study writes and which grid size it runs.

    Attributes:
      name: the study's name (file stem; used for output file names).
      size: ``"full"`` or ``"smoke"``.
      root: the paper directory (``figures/``, ``tables/``, ``generated/`` beneath it).
      cache: directory of cached study results (``None``: no caching).
    """

    name: str
    size: str = "full"
    root: Path = PAPER
    cache: Path | None = CACHE

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}; got {self.size!r}")
        object.__setattr__(self, "root", Path(self.root))

    def grid(self, grids: Mapping[str, Any]) -> Any:
        """The grid of this size from a study's ``GRID = {"full": ..., "smoke": ...}``."""
        return grids[self.size]

    def figure(self, suffix: str = "") -> Path:
        return _mk(self.root / "figures" / f"{self.name}{suffix}.pdf")

    def table(self, suffix: str = "") -> Path:
        return _mk(self.root / "tables" / f"{self.name}{suffix}.tex")

    def macros_path(self) -> Path:
        return _mk(self.root / "generated" / f"{self.name}-macros.tex")

    @property
    def sweep_cache(self) -> Path | None:
        """Chunk cache directory for :func:`lrtheory.sweep` (``None`` when not caching)."""
        return None if self.cache is None else Path(self.cache).parent / "sweeps"

    def cached(self, config: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, stored under the cache keyed by ``config``, the package version
        and a hash of the lrtheory and study sources; failures (exceptions) are not cached.
        """
        if self.cache is None:
            return compute()
        path = Path(self.cache) / f"{self.name}-{self.size}-{cache_key(self.name, config)}.pkl"
        if path.exists():
            try:
                with path.open("rb") as fh:
                    return pickle.load(fh)
            except Exception:  # a truncated file from an interrupted run: recompute
                path.unlink()
        value = compute()
        _mk(path)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh)
        tmp.replace(path)
        return value

    def claim(self, cond: bool, msg: str) -> bool:
        """:func:`claim` for the paper's grid; at ``"smoke"`` size (a tiny grid the text
        does not describe) the result is returned instead of raised."""
        if self.size == "full":
            claim(cond, msg)
        return bool(cond)

    def finish(self, figures: Sequence[Path], tables: Sequence[Path],
               macros: Mapping[str, Macro]) -> Outputs:
        """Write the macros file (and its numbers as JSON beside it) and list the outputs."""
        path = write_macros(self.macros_path(), macros)
        numbers = {k: m.value for k, m in macros.items()}
        path.with_suffix(".json").write_text(json.dumps(numbers, indent=1, sort_keys=True))
        return Outputs(tuple(figures), tuple(tables), path, numbers)


def _mk(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _source_hash(name: str) -> str:
    """The library's files (:func:`lrtheory._provenance.source_digest`: code and data) and
    the study's own source."""
    from lrtheory._provenance import source_digest

    h = hashlib.sha256(source_digest().encode())
    study = Path(__file__).parent / f"{name}.py"
    if study.exists():
        h.update(study.read_bytes())
    return h.hexdigest()


def cache_key(name: str, config: Any) -> str:
    """Hash of (study name, config, lrtheory version, library and study sources)."""
    import lrtheory

    blob = json.dumps([name, config, lrtheory.__version__, _source_hash(name)],
                      sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ----------------------------------------------------------------------------- LaTeX text
class Macro(NamedTuple):
    """One number the paper quotes: its value and how it is typeset (``value`` is None
    for the few text macros, such as the name of the machine a timing comes from)."""

    value: float | None
    latex: str


class Raw(str):
    """A table cell that is already LaTeX (not escaped)."""


_MACRO_NAME = re.compile(r"^[A-Za-z]+$")


def write_macros(path: Path, macros: Mapping[str, Macro]) -> Path:
    r"""``\newcommand{\Name}{latex}`` for each macro (names letters only, no duplicates)."""
    lines = ["% Generated by studies/ -- do not edit; `make reproduce` rewrites it."]
    for name, m in macros.items():
        if not _MACRO_NAME.match(name):
            raise ValueError(f"macro name={name!r} must be letters only (LaTeX control word)")
        if not isinstance(m, Macro):
            raise TypeError(f"macro {name!r} must be a Macro(value, latex); got {m!r}")
        lines.append(rf"\newcommand{{\{name}}}{{{m.latex}}}")
    _mk(path).write_text("\n".join(lines) + "\n")
    return path


def num(x: float, digits: int = 3) -> Raw:
    r"""A number as LaTeX: ``0.0123``, ``1.23\times10^{-5}``, ``\infty``; ``--`` for NaN."""
    if x is None or x is pd_NA or math.isnan(float(x)):
        return Raw("--")
    x = float(x)
    if math.isinf(x):
        return Raw(r"\ensuremath{\infty}" if x > 0 else r"\ensuremath{-\infty}")
    if x == 0:
        return Raw("0")
    e = math.floor(math.log10(abs(x)))
    if float(f"{abs(x):.{max(digits - 1, 0)}e}") >= 10.0 ** (e + 1):
        e += 1                 # rounding to `digits` figures carries into the next decade
    if -3 <= e < 5:
        return Raw(f"{x:.{max(digits - 1 - e, 0)}f}")
    mant = f"{x / 10 ** e:.{max(digits - 1, 0)}f}"
    return Raw(rf"\ensuremath{{{mant}\times10^{{{e}}}}}")


def macro(x: float, digits: int = 3) -> Macro:
    """``Macro(x, num(x, digits))``; a missing number (None, NA, NaN) is ``--``, value None."""
    if x is None or x is pd_NA or math.isnan(float(x)):
        return Macro(None, "--")
    return Macro(float(x), num(x, digits))


def text_macro(s: str) -> Macro:
    """A text macro (escaped), e.g. a device name."""
    return Macro(None, escape(s))


def int_macro(n: int) -> Macro:
    return Macro(float(n), f"{int(n):,}".replace(",", "{,}"))


def ci(est: float, lo: float, hi: float, digits: int = 3) -> Raw:
    """``est [lo, hi]`` in LaTeX (just ``est`` when a bound is missing)."""
    if any(v is None or v is pd_NA or not np.isfinite(float(v)) for v in (lo, hi)):
        return num(est, digits)
    return Raw(f"{num(est, digits)} [{num(lo, digits)}, {num(hi, digits)}]")


_ESCAPE = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
           "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(s: str) -> str:
    if isinstance(s, Raw):
        return str(s)
    return "".join(_ESCAPE.get(c, c) for c in str(s))


def write_table(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str],
                align: str | None = None, *, groups: Sequence[int] = ()) -> Path:
    r"""A booktabs ``tabular`` (no float: the paper supplies caption and label).

    Cells: ``str`` are escaped, :class:`Raw` are LaTeX, numbers go through :func:`num`.
    ``groups``: row indices before which a ``\midrule`` separates groups.
    """
    ncol = len(header)
    if align is None:
        align = "l" * ncol
    if len(align) != ncol:
        raise ValueError(f"align={align!r} must have one letter per column ({ncol})")
    out = [f"% Generated by studies/ -- do not edit.\n\\begin{{tabular}}{{{align}}}",
           r"\toprule", " & ".join(escape(h) for h in header) + r" \\", r"\midrule"]
    for i, row in enumerate(rows):
        if len(row) != ncol:
            raise ValueError(f"row {i} has {len(row)} cells; header has {ncol}")
        if i in groups and i > 0:
            out.append(r"\midrule")
        cells = [c if isinstance(c, str) else num(c) for c in row]
        out.append(" & ".join(escape(c) for c in cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    _mk(path).write_text("\n".join(out) + "\n")
    return path


def q_fit(est) -> float | None:
    """The unrounded fitted order when the estimator rounded ``q`` to a standard order
    (only with ``round_q=True``; ``OrderEstimate.q_fit`` is always the fit); None when
    ``q`` is the fit itself."""
    fit = getattr(est, "q_fit", None)
    if fit is None or est.q is None or fit == est.q:
        return None
    return float(fit)


def q_cell(est, digits: int = 3) -> str:
    r"""A table cell for an estimate's order: ``q [interval]``, and ``$^r$ (fit)`` when ``q``
    was rounded to a standard order (the paper says when, and gives the fit). A
    Q-superlinear run (``ratio_to_zero``: q = 1 by definition, C_k -> 0) reads
    ``1$^Q$ (fit [interval])``: the interval belongs to the regression slope, not to q."""
    if est.q is None:
        return "--"
    if getattr(est, "ratio_to_zero", None):
        fit = getattr(est, "q_fit", None)
        if fit is None:
            return Raw("1$^Q$")
        inner = ci(fit, *est.q_ci, digits) if est.q_ci else num(fit, digits)
        return Raw(f"1$^Q$ ({inner})")
    cell = ci(est.q, *est.q_ci, digits) if est.q_ci else num(est.q, digits)
    fit = q_fit(est)
    return Raw(f"{cell}$^r$ ({num(fit, digits + 1)})") if fit is not None else cell


def mean_ci(values: Sequence[float], level: float = 0.95,
            resolution: float = 0.0) -> tuple[float, float, float]:
    """Mean of seeds and its Student-t confidence interval (NaN bounds for one seed).

    ``resolution``: the step in which each value is quantised (``1/n`` for a fraction of
    ``n`` starts, a grid step for a window width). Its rounding variance
    ``resolution**2/12`` (uniform rounding error) is added to the sample variance, so
    seeds that all give the same quantised value get an interval of the measurement's
    resolution, not a degenerate ``[m, m]``.
    """
    from scipy import stats

    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if v.size < 2:
        return m, math.nan, math.nan
    if not resolution >= 0:
        raise ValueError(f"resolution must be >= 0; got resolution={resolution!r}")
    sd = math.sqrt(float(v.var(ddof=1)) + resolution**2 / 12)
    h = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * sd / math.sqrt(v.size))
    return m, m - h, m + h


_DIGITS = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


def camel(*parts: Any) -> str:
    """Letters-only macro name from parts: ``camel("stab", "max dev", 2) -> StabMaxDevTwo``.

    Digits are spelled out, other characters split words, so the name is a control word.
    """
    out = []
    for p in parts:
        s = "".join(f" {_DIGITS[int(c)]} " if c.isdigit() else c for c in str(p))
        s = re.sub(r"[^A-Za-z]+", " ", s)
        out.append("".join(w[:1].upper() + w[1:] for w in s.split()))
    return "".join(out)


# ----------------------------------------------------------------------------- judging words
# A qualitative word that depends on a number ("a factor of ten", "widest", "agrees") is
# either chosen here from the number or asserted with claim(): the text cannot outlive
# the data it describes. Thresholds are on the log10 scale of a factor.
FACTOR_SAME = 1.25  # below this ratio two numbers are "about the same"
ORDER_HALF_WIDTH = 0.15  # "an order of magnitude": log10 within 0.15 of an integer >= 1
# (a factor 7.1 to 14 is "about an order of magnitude"; 3.6 or 61 are named as numbers)
_ORDER_WORDS = {1: "an order of magnitude", 2: "two orders of magnitude",
                3: "three orders of magnitude", 4: "four orders of magnitude"}


class ClaimError(AssertionError):
    """A sentence of the paper that the study's data contradict."""


def claim(cond: bool, msg: str) -> None:
    """Assert a statement the paper makes in words; ``ClaimError(msg)`` when the data
    contradict it, so ``make reproduce`` stops instead of printing a false sentence.

    Example:
      >>> claim(3.6 > 1, "the suggestion is below the optimum")
      >>> claim(3.6 >= 10, "a factor of ten or more")
      Traceback (most recent call last):
      ...
      studies._common.ClaimError: data contradict the text: a factor of ten or more
    """
    if not bool(cond):
        raise ClaimError(f"data contradict the text: {msg}")


def ratio(a: float, b: float) -> float:
    """The factor between two positive numbers, ``max(a/b, b/a) >= 1`` (NaN otherwise)."""
    a, b = float(a), float(b)
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        return math.nan
    return max(a / b, b / a)


def factor_words(x: float) -> str:
    r"""Words for a factor ``x`` (or ``1/x``): the text a paper would write, from the number.

    ``x`` and ``1/x`` read the same (a factor is a distance on the log scale). Rules, on
    :math:`d = |\log_{10}x|`: ``"about the same"`` below :data:`FACTOR_SAME`; ``"about an
    order of magnitude"`` (two, three, ...) when ``d`` is within :data:`ORDER_HALF_WIDTH`
    of an integer >= 1; otherwise ``"a factor of about N"`` with N to two significant
    digits. So 3.6 is "a factor of about 3.6", never "an order of magnitude".

    Example:
      >>> factor_words(3.6), factor_words(0.1), factor_words(1.1)
      ('a factor of about 3.6', 'about an order of magnitude', 'about the same')
    """
    x = float(x)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"x must be a positive finite factor; got x={x!r}")
    x = max(x, 1 / x)
    if x < FACTOR_SAME:
        return "about the same"
    d = math.log10(x)
    k = round(d)
    if k >= 1 and abs(d - k) <= ORDER_HALF_WIDTH and k in _ORDER_WORDS:
        return f"about {_ORDER_WORDS[k]}"
    n = float(f"{x:.2g}")
    return f"a factor of about {n:g}" if n < 1e5 else f"a factor of about {n:.0e}"


def factor_macro(x: float) -> Macro:
    """``Macro(x, factor_words(x))`` (``--`` for a missing factor)."""
    if x is None or not math.isfinite(float(x)) or float(x) <= 0:
        return Macro(None, "--")
    return Macro(float(x), factor_words(x))


def leader_words(estimates: Mapping[str, tuple[float, float, float]], *,
                 larger: bool = True) -> str:
    """Who leads, in words that respect the intervals: ``estimates`` maps a name to
    ``(mean, lo, hi)``. The leader (largest mean, or smallest with ``larger=False``) is
    named alone only when its interval clears every other's; otherwise the names whose
    intervals overlap the leader's are given with it ("Adam, not distinguishable from
    momentum").

    Example:
      >>> leader_words({"a": (3, 2.5, 3.5), "b": (1, 0.5, 1.5)})
      'a'
      >>> leader_words({"a": (3, 2, 4), "b": (2.5, 1.5, 3.5), "c": (0, 0, 0)})
      'a, not distinguishable from b'
    """
    if not estimates:
        raise ValueError("estimates must be a non-empty mapping name -> (mean, lo, hi)")
    sign = 1.0 if larger else -1.0
    order = sorted(estimates, key=lambda k: -sign * float(estimates[k][0]))
    top = order[0]
    m0, lo0, hi0 = (float(v) for v in estimates[top])
    lo0 = m0 if not math.isfinite(lo0) else lo0
    hi0 = m0 if not math.isfinite(hi0) else hi0
    ties = []
    for k in order[1:]:
        m, lo, hi = (float(v) for v in estimates[k])
        lo = m if not math.isfinite(lo) else lo
        hi = m if not math.isfinite(hi) else hi
        if (hi >= lo0) if larger else (lo <= hi0):
            ties.append(k)
    if not ties:
        return top
    return f"{top}, not distinguishable from " + " and ".join(
        [", ".join(ties[:-1]), ties[-1]] if len(ties) > 1 else ties)


def count_words(n: int, total: int) -> str:
    """``"all 9"``, ``"none"``, ``"3 of 9"``: a count in words that cannot overstate it."""
    n, total = int(n), int(total)
    if not 0 <= n <= total:
        raise ValueError(f"need 0 <= n <= total; got n={n}, total={total}")
    if n == total:
        return "all" if total == 1 else f"all {total}"
    if n == 0:
        return "none"
    return f"{n} of {total}"
