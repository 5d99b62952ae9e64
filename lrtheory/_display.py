"""Short reprs and notebook HTML for result values (JAX-free; the data stays in the fields).

A result's ``repr`` shows its key numbers and the shapes of its arrays, never the arrays
themselves; ``_repr_html_`` (what Jupyter shows) is a table of every field, arrays
summarised by shape, first and last values. Both only read the fields.

Example:
  >>> import numpy as np
  >>> from typing import NamedTuple
  >>> class R(NamedTuple):
  ...     rate: float
  ...     errors: np.ndarray
  ...     note: str | None = None
  >>> r = R(0.123456789, np.linspace(1.0, 0.0, 500))
  >>> short_repr(r, ("rate", "errors", "note"))
  'R(rate=0.1235, errors=<float64 (500,): 1 .. 0>)'
  >>> "<table" in html_repr(r)
  True
"""

from __future__ import annotations

import enum
import html
import numbers
from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["Raw", "fmt", "short_repr", "html_repr"]

_MAX_TEXT = 60


class Raw(str):
    """Text shown as it is (no quotes) by :func:`fmt`.

    Example:
      >>> fmt("never"), fmt(Raw("never"))
      ("'never'", 'never')
    """


def _is_array(v) -> bool:
    return hasattr(v, "shape") and hasattr(v, "dtype") and not hasattr(v, "columns")


def fmt(v) -> str:
    """One value in a few characters: numbers to 4 significant digits, arrays as
    ``<dtype shape: first .. last>``, tables as ``<DataFrame rows x cols>``.

    Example:
      >>> fmt(2 / 3), fmt((1.0, 2.5)), fmt(list(range(10))), fmt(None)
      ('0.6667', '(1, 2.5)', '<10 values>', 'None')
    """
    if v is None or isinstance(v, bool | Raw):
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return f"{float(v):.4g}"
    if isinstance(v, enum.Enum):  # Regime.LINEAR -> 'linear' (the string it stands for)
        return repr(str(v.value))
    if isinstance(v, str):
        return repr(v if len(v) <= _MAX_TEXT else v[: _MAX_TEXT - 3] + "...")
    if hasattr(v, "columns") and hasattr(v, "shape"):
        return f"<{type(v).__name__} {v.shape[0]} rows x {v.shape[1]} cols>"
    if _is_array(v):
        a = np.asarray(v)
        if a.ndim == 0:
            return fmt(a.item())
        if a.size == 0:
            return f"<{a.dtype} {a.shape}>"
        flat = a.reshape(-1)
        return f"<{a.dtype} {a.shape}: {fmt(flat[0].item())} .. {fmt(flat[-1].item())}>"
    if isinstance(v, Mapping):
        if len(v) > 4:
            return f"<{len(v)} items>"
        return "{" + ", ".join(f"{k}: {fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple | list):
        if len(v) > 4 or any(isinstance(x, tuple | list | Mapping) or _is_array(x)
                             for x in v):
            return f"<{len(v)} values>"
        return "(" + ", ".join(fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    text = str(v)  # SymPy expressions, enums
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _items(obj, fields) -> Iterable[tuple[str, object]]:
    for f in fields:
        yield (f, getattr(obj, f)) if isinstance(f, str) else f


def short_repr(obj, fields: Iterable[str | tuple[str, object]]) -> str:
    """``Type(name=value, ...)`` over ``fields`` (names of attributes, or ``(label, value)``
    pairs), leaving out the ones that are ``None`` or empty text."""
    parts = [f"{k}={fmt(v)}" for k, v in _items(obj, fields)
             if v is not None and not (isinstance(v, str) and not v)]
    return f"{type(obj).__name__}({', '.join(parts)})"


def _html_value(v) -> str:
    if hasattr(v, "columns") and hasattr(v, "head"):
        return (html.escape(fmt(v)) + "<br>" + v.head(5).to_html(max_cols=8))
    if _is_array(v) and np.asarray(v).size > 1 and np.issubdtype(np.asarray(v).dtype,
                                                                 np.number):
        a = np.asarray(v, dtype=float)
        fin = a[np.isfinite(a)]
        span = (f"; min {fmt(fin.min())}, max {fmt(fin.max())}" if fin.size else "")
        return html.escape(fmt(v) + span)
    return html.escape(fmt(v))


def html_repr(obj, fields: Iterable[str | tuple[str, object]] | None = None) -> str:
    """An HTML table of ``fields`` (default: every field of a NamedTuple or dataclass)."""
    if fields is None:
        fields = getattr(obj, "_fields", None) or [f.name for f in
                                                   obj.__dataclass_fields__.values()]
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td style='text-align:left'>{_html_value(v)}</td></tr>"
                   for k, v in _items(obj, fields))
    return (f"<table><caption style='text-align:left'><b>{type(obj).__name__}</b>"
            f"</caption>{rows}</table>")
