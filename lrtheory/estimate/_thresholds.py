"""Every threshold of the order estimator, named once, with what it decides.

:data:`THRESHOLDS` is the one table; the estimator reads its values from here only, and the
documentation and the paper's appendix are generated from it (:func:`thresholds_table`). The
values and what each decides are data, in ``thresholds.toml`` next to this module; the class
below declares each threshold's name and type, in the same order.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import get_type_hints

__all__ = ["Thresholds", "THRESHOLDS", "thresholds_table", "threshold_rows"]


_TABLE = "thresholds.toml"


def _from_table(cls):
    """Give each field ``cls`` annotates its value, and ``metadata["doc"]``, from
    :data:`_TABLE` (a file of this package: the same names in the same order, values of the
    annotated types; a TOML array becomes a tuple)."""
    with resources.files(__package__).joinpath(_TABLE).open("rb") as fh:
        table = tomllib.load(fh)
    names = list(cls.__annotations__)
    if list(table) != names:
        raise RuntimeError(f"{_TABLE} must list the thresholds {cls.__name__} declares, in "
                           f"the same order; got {list(table)}, expected {names}")
    types = get_type_hints(cls)
    for name, row in table.items():
        value = tuple(row["value"]) if isinstance(row["value"], list) else row["value"]
        if type(value) is not types[name]:
            raise TypeError(f"{_TABLE}: {name} must be {types[name].__name__}; "
                            f"got {value!r}")
        setattr(cls, name, field(default=value, metadata={"doc": row["doc"]}))
    return cls


@dataclass(frozen=True)
@_from_table
class Thresholds:
    """The estimator's thresholds (natural logs unless the name says decades), with the
    values and docs of ``thresholds.toml``.

    Example:
      >>> THRESHOLDS.N_MIN, THRESHOLDS.LEVEL, THRESHOLDS.FLOOR_MIN_DEC
      (4, 0.95, 1.0)
    """

    N_MIN: int
    LEVEL: float
    FLOOR_MIN_LEN: int
    FLAT_ABS: float
    TREND_BEFORE: float
    FLAT_SLOPE_RATIO: float
    FLOOR_NOISE: float
    FLOOR_MIN_DEC: float
    FLOOR_DEEP_FRAC: float
    FLOOR_SKEW: float
    FLOOR_MARGIN_DEC: float
    FLOOR_NEAR_DEC: float
    FLOOR_LEAVE_DEC: float
    FLOOR_NOISE_GROW: float
    Q_MIN: float
    Q_FIRM: float
    Q_HEAD_TOL: float
    STANDARD_Q: tuple
    Q_ROUND_TOL: float
    C_SETTLE: float
    QSUP_DROP: float
    ORDER_EVIDENCE: float
    QSUP_T: float
    QSUP_SHORT_DROP: float
    QSUP_BLOCKS: int
    OSC_SWING: float
    OSC_CYC: float
    OSC_DRIFT: float
    P_MAX: int
    STALL_IQR: float
    GROW_POINTS: int
    GROW_MIN: float
    SUPEREXP_ACCEL: float
    REAL_DEC: float
    STEADY_DEC: float
    T_STEADY: float
    NB_FIT: int
    F_MODEL: float
    RSS_GAIN: float
    S_SPAN_MAX: float
    SUB_FLATTEN: float
    SUB_F: float
    K0_MAX_SPANS: float
    LIN_SETTLE: float
    DIFF_ULPS: float


THRESHOLDS = Thresholds()


def threshold_rows() -> list[tuple[str, str, str]]:
    """``(name, value, what it decides)`` for every threshold, in order; the value as
    :func:`thresholds_table` prints it (4 significant digits, a tuple's entries joined by
    ", ").

    Example:
      >>> threshold_rows()[0][:2]
      ('N_MIN', '4')
    """
    return [(f.name, ", ".join(f"{x:.4g}" for x in v) if isinstance(v, tuple) else f"{v:.4g}",
             f.metadata["doc"])
            for f in fields(Thresholds) for v in [getattr(THRESHOLDS, f.name)]]


def thresholds_table(fmt: str = "markdown") -> str:
    """The table of thresholds as markdown (``fmt="markdown"``) or LaTeX rows
    (``fmt="latex"``), generated from :data:`THRESHOLDS`.

    Example:
      >>> print(thresholds_table().splitlines()[2][:40])
      | `N_MIN` | 4 | fewest positive iterates
    """
    if fmt == "latex":
        return "\n".join(f"\\texttt{{{n.replace('_', chr(92) + '_')}}} & {v} & {d} \\\\"
                         for n, v, d in threshold_rows())
    return "\n".join(["| name | value | what it decides |", "|---|---|---|"]
                     + [f"| `{n}` | {v} | {d} |" for n, v, d in threshold_rows()])
