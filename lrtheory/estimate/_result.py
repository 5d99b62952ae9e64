"""The result value :class:`OrderEstimate` and its flat, NaN-free table form."""

from __future__ import annotations

import textwrap
import tomllib
from collections import namedtuple
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np

from .._display import html_repr, short_repr
from .._vocab import Regime

__all__ = ["OrderEstimate", "REGIMES", "COLUMNS", "frame"]

#: Every value ``OrderEstimate.regime`` can take (the members of :class:`~lrtheory.Regime`).
REGIMES = tuple(r.value for r in Regime)


def _load_fields(table: dict) -> tuple:
    """The rows of :data:`_TABLE` (parsed: ``table``), checked: kinds known, defaults only
    on int and str fields, a doc on each (an interval ``<field>_ci`` without one is "the
    interval of <field>"), a ``range`` naming its two columns, the regime first."""
    rows = []
    for name, row in table.items():
        kind = row.get("kind")
        extra = set(row) - {"kind", "doc", "default", "columns"}
        if kind not in _KINDS or extra:
            raise RuntimeError(f"{_TABLE}: field {name!r} has kind {kind!r} (one of "
                               f"{sorted(_KINDS)}) and unknown keys {sorted(extra)}")
        if "default" in row and kind not in ("int", "str"):
            raise RuntimeError(f"{_TABLE}: field {name!r}: only int and str fields take a "
                               "default")
        if kind == "interval":
            if not name.endswith("_ci"):
                raise RuntimeError(f"{_TABLE}: interval field {name!r} must end in _ci")
            columns = (name[:-3] + "_lo", name[:-3] + "_hi")
        else:
            columns = tuple(row.get("columns", (name,)))
        if len(columns) != (2 if kind in ("interval", "range") else 1):
            raise RuntimeError(f"{_TABLE}: field {name!r} of kind {kind} names columns "
                               f"{columns}")
        doc = row.get("doc") or (f"the interval of ``{name[:-3]}``."
                                 if kind == "interval" else None)
        if not doc:
            raise RuntimeError(f"{_TABLE}: field {name!r} needs a doc")
        rows.append(_Field(name, kind, row.get("default"), columns, doc))
    if not rows or rows[0].kind != "regime":
        raise RuntimeError(f"{_TABLE}: the first field must be the regime")
    return tuple(rows)


@cache
def _missing(n: int) -> tuple:
    """``n`` cells of ``pandas.NA`` (pandas imported on first use only)."""
    import pandas as pd

    return (pd.NA,) * n


class _Field(NamedTuple):
    name: str
    kind: str
    default: object     # None: the field defaults to None (the regime has none)
    columns: tuple      # its column(s) in the table
    doc: str

    @property
    def dtype(self) -> str:
        """The pandas dtype of its column(s) (non-nullable int64 when it has a default)."""
        return "int64" if self.default is not None and self.kind == "int" else _KINDS[self.kind][1]

    def cells(self, v) -> tuple:
        """The value ``v`` of this field as the cells of its column(s): a pair per interval
        or range, the regime as its string, a tuple of floats kept whole (``None`` stays),
        ``pandas.NA`` for ``None`` elsewhere."""
        if self.kind == "floats":
            return (v,)
        if v is None:
            return _missing(len(self.columns))
        if self.kind == "regime":
            return (str(v),)
        return tuple(v) if len(self.columns) == 2 else (v,)


#: kind of a field: its Python type and the pandas dtype of its column(s).
_KINDS = {"regime": (Regime, "string"), "float": (float | None, "Float64"),
          "int": (int | None, "Int64"), "bool": (bool | None, "boolean"),
          "str": (str | None, "string"), "interval": (tuple[float, float] | None, "Float64"),
          "range": (tuple[int, int] | None, "Int64"),
          "floats": (tuple[float, ...] | None, "object")}
_TABLE = "fields.toml"
with resources.files(__package__).joinpath(_TABLE).open("rb") as _fh:
    _FIELDS = _load_fields(tomllib.load(_fh))

_DOC = r"""What an error sequence says about convergence: regime, order, rate, and why.

    Fields that do not apply are ``None`` (never NaN). Every ``*_ci`` is an interval at
    level ``level`` (default 0.95); ``reason`` says how it was obtained. For a sequence
    without noise an interval is the fit uncertainty implied by the model's residuals.
    The fields, their types and their table columns are declared once, in
    ``estimate/fields.toml``.

    Attributes:
{attributes}

    Example (errors that double each step: diverged, growth factor 2):
      >>> from lrtheory.estimate import estimate_order
      >>> est = estimate_order([3.0 * 2.0 ** k for k in range(30)])
      >>> est.regime, round(est.growth, 12), est.q, est.rate
      (<Regime.DIVERGED: 'diverged'>, 2.0, None, None)
    """


class OrderEstimate(namedtuple("OrderEstimate", [f.name for f in _FIELDS],
                               defaults=[f.default for f in _FIELDS[1:]])):
    __slots__ = ()
    __doc__ = _DOC.format(attributes="\n".join(
        textwrap.fill(f"{f.name}: {f.doc}", 92, initial_indent=" " * 6,
                      subsequent_indent=" " * 8) for f in _FIELDS))
    __annotations__ = {f.name: (_KINDS[f.kind][0] if f.default is None
                                else type(f.default)) for f in _FIELDS}

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
        row = {}
        for f, v in zip(_FIELDS, self, strict=True):
            row.update(zip(f.columns, f.cells(v), strict=True))
        return row


#: Table columns and their pandas dtypes (nullable: ``<NA>`` where a field does not apply).
COLUMNS: dict[str, str] = {c: f.dtype for f in _FIELDS for c in f.columns}


def _masked(vals: list, dtype, array_type):
    """A nullable pandas array of ``vals`` (None: ``<NA>``)."""
    mask = np.fromiter((v is None for v in vals), bool, len(vals))
    data = np.array([0 if v is None else v for v in vals], dtype=dtype).reshape(len(vals))
    return array_type(data, mask)


def frame(estimates):
    """The table of a list of estimates (columns :data:`COLUMNS`), built column by column:
    ``Float64`` and ``Int64`` columns from masked arrays (None: ``<NA>``), the others cell
    by cell (:meth:`_Field.cells`)."""
    import pandas as pd

    nullable = {"Float64": (float, pd.arrays.FloatingArray),
                "Int64": (np.int64, pd.arrays.IntegerArray)}
    ests = list(estimates)
    data = {}
    for f, vals in zip(_FIELDS, zip(*ests, strict=True) if ests else [()] * len(_FIELDS),
                       strict=True):
        if f.dtype in nullable:
            typ, arr = nullable[f.dtype]
            for i, c in enumerate(f.columns):       # a pair per interval or range
                col = list(vals) if len(f.columns) == 1 else [None if v is None else v[i]
                                                              for v in vals]
                data[c] = _masked(col, typ, arr)
            continue
        cells = [f.cells(v) for v in vals]
        for i, c in enumerate(f.columns):
            col = [t[i] for t in cells]
            if f.dtype == "object":
                data[c] = np.empty(len(col), dtype=object)
                data[c][:] = col if col else []
            elif f.dtype == "int64":
                data[c] = np.array(col, dtype=np.int64)
            else:
                data[c] = pd.array(col, dtype=f.dtype)
    return pd.DataFrame(data, columns=list(COLUMNS))
