"""Numbers and points for mpmath runs: the one reader of numbers given as floats, ints,
strings, SymPy numbers or mpf (``x0``, ``x_star``, ``lr``, the hyperparameters).

No conversion goes through a decimal string, so a number can carry any number of digits
(Python refuses int <-> str conversions above 4300 digits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from lrtheory._formula import number
from lrtheory.methods import Breakdown
from lrtheory.problems._base import parse_expr

__all__ = ["to_mpf", "point", "schedule", "real"]


def real(v) -> mpmath.mpf:
    """``v`` as a finite real mpf, else :class:`~lrtheory.methods.Breakdown`."""
    v = mpmath.mpmathify(v)
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise Breakdown(f"non-real value {v}")
        v = v.real
    if not mpmath.isfinite(v):
        raise Breakdown(f"non-finite value {v}")
    return v


def to_mpf(v, name: str, guard: int = 0) -> tuple[mpmath.mpf, bool]:
    """A finite real mpf at the working precision and whether ``v`` was exact (not a float).

    Floats are their binary value; ints and mpf are taken as given; strings (``"log(2)"``,
    ``"1/3"``) and SymPy numbers are evaluated to ``guard`` digits beyond the working
    precision (SymPy's ``evalf``, handed to mpmath as a binary number).

    Example:
      >>> with mpmath.workdps(30):
      ...     v, exact = to_mpf("log(2)", "x_star")
      ...     mpmath.nstr(v, 25), exact, to_mpf(0.5, "lr")
      ('0.6931471805599453094172321', True, (mpf('0.5'), False))
    """
    if isinstance(v, bool | np.bool_):
        raise TypeError(f"{name} must be a real number; got the bool {v!r}")
    if isinstance(v, float | np.floating):
        out, exact = mpmath.mpf(float(v)), False
    elif isinstance(v, mpmath.mpf):
        out, exact = v, True
    elif isinstance(v, int | np.integer):
        out, exact = mpmath.mpf(int(v)), True
    elif isinstance(v, str | sp.Basic):
        e = number(v, name)
        dps = mpmath.mp.dps + guard
        with mpmath.workdps(dps):
            out, exact = +mpmath.mpf(sp.N(e, dps + 10)), True
    else:
        raise TypeError(f"{name} must be a real number (int, float, str, SymPy, mpf); "
                        f"got {type(v).__name__} {v!r}")
    if not mpmath.isfinite(out):
        raise ValueError(f"{name} must be finite; got {v!r}")
    return out, exact


def point(v, n: int, name: str, guard: int = 0) -> tuple[mpmath.matrix, bool]:
    """An ``(n, 1)`` column from a scalar (``n == 1``) or ``n`` numbers; exactness.

    Example:
      >>> point(["1/2", 3], 2, "x0")
      (matrix(
      [['0.5'],
       ['3.0']]), True)
    """
    items = v.tolist() if isinstance(v, np.ndarray) else v
    if isinstance(items, mpmath.matrix | sp.MatrixBase):
        items = [items[i] for i in range(items.rows * items.cols)]
    if not isinstance(items, list | tuple):
        items = [items]
    if len(items) != n:
        raise ValueError(f"{name} must have {n} entries (one per variable); got "
                         f"{len(items)}: {v!r}")
    nums = [to_mpf(u, name, guard) for u in items]
    return mpmath.matrix([u for u, _ in nums]), all(e for _, e in nums)


def schedule(lr) -> Callable[[int], Any]:
    """``k -> lr_k`` (finite, positive mpf) from a constant, an expression in ``k`` or a
    callable; checked at ``k = 0`` now and at every later ``k`` when called.

    Example:
      >>> f = schedule("1/(k + 2)")
      >>> f(0), f(2)
      (mpf('0.5'), mpf('0.25'))
    """
    if isinstance(lr, str) and "k" in lr:
        lr = parse_expr(lr, "lr")
    if isinstance(lr, sp.Expr) and lr.free_symbols:
        if {s.name for s in lr.free_symbols} != {"k"}:
            raise ValueError(f"lr={lr} may depend on the step symbol k only; it has "
                             f"{sorted(map(str, lr.free_symbols))}")
        lam = sp.lambdify(list(lr.free_symbols), lr, modules="mpmath")
        fn = lambda k: lam(mpmath.mpf(k))  # noqa: E731
    elif callable(lr):
        fn = lr
    else:
        c = to_mpf(lr, "lr")[0]
        fn = lambda k: c  # noqa: E731

    def call(k):
        v = fn(k)
        try:
            a = real(v) if isinstance(v, mpmath.mpf | mpmath.mpc) else to_mpf(v, "lr")[0]
        except (Breakdown, ValueError, TypeError):
            a = None
        if a is None or a <= 0:
            raise ValueError(f"lr at step k={k} must be a finite positive number; got {v!r}")
        return a

    call(0)  # fail before the run starts on a bad constant
    return call
