"""Shared pieces of the theory layer: exact numbers, the :class:`Rate` result, LaTeX.

Numbers enter the theory layer as ints, floats, fractions or SymPy numbers. A float is
read through its shortest decimal representation (``0.1`` -> ``1/10``), so results are
exact rationals whenever the data are; the float the user typed is the number used.
"""

from __future__ import annotations

import fractions
import math
import numbers
from typing import NamedTuple

import mpmath
import sympy as sp

from .._display import html_repr, short_repr

__all__ = ["Rate", "exact", "to_float", "is_zero", "linear_regime", "PHI"]

#: The golden ratio, the order of the secant method.
PHI = (1 + sp.sqrt(5)) / 2

# Digits used when an exact decision (is this zero? is this >= 0?) falls back to numerics.
DIGITS = 50


def exact(v, name: str) -> sp.Expr:
    """A SymPy number from an int, float, Fraction, NumPy scalar or SymPy number.

    Floats go through ``repr`` (the shortest decimal that round-trips), so ``0.1`` is
    ``Rational(1, 10)``. Errors name the argument.

    >>> exact(0.1, "lr"), exact(2, "lr"), exact(sp.sqrt(2), "lr")
    (1/10, 2, sqrt(2))
    """
    if isinstance(v, bool):
        raise TypeError(f"{name} must be a real number; got the bool {v!r}")
    if isinstance(v, sp.Basic):
        e = sp.sympify(v)
        if e.free_symbols:
            raise ValueError(f"{name} must be a number; got {e} with free symbols "
                             f"{sorted(map(str, e.free_symbols))}")
        if e.is_extended_real is False:
            raise ValueError(f"{name} must be real; got {e}")
        return e
    if isinstance(v, fractions.Fraction):
        return sp.Rational(v.numerator, v.denominator)
    if isinstance(v, numbers.Integral):
        return sp.Integer(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"{name} must be finite; got {v!r}")
        return sp.Rational(repr(f))
    raise TypeError(f"{name} must be a real number (int, float, Fraction or SymPy number); "
                    f"got {type(v).__name__} {v!r}")


def to_float(e) -> float:
    """Float value of a SymPy number (``oo`` -> ``inf``), evaluated at 30 digits."""
    e = sp.sympify(e)
    if e is sp.oo:
        return math.inf
    if e is sp.S.NegativeInfinity:
        return -math.inf
    if e.is_extended_real is False or e.has(sp.zoo, sp.nan):
        raise ValueError(f"expected a real number; got {e}")
    return float(sp.N(e, 30))


def is_zero(e, scale=1) -> bool:
    """Whether a SymPy number is zero.

    Numerically first (50 digits): ``|e| > 1e-30 * |scale|`` is non-zero. A value below
    that is zero if it holds floats (values built from a 200-digit refined root land far
    below it), else SymPy must not be able to prove it non-zero."""
    e = sp.sympify(e)
    v = sp.N(e, DIGITS)
    if v.has(sp.nan, sp.zoo) or not v.is_number:
        raise ValueError(f"cannot decide whether {e} is zero")
    if abs(v) > sp.Float("1e-30") * abs(sp.N(scale, DIGITS)):
        return False
    if e.has(sp.Float):
        return True
    z = e.is_zero
    if z is None:
        z = sp.simplify(e).is_zero
    return z is not False


def compare_one(e) -> int:
    """Sign of ``e - 1`` (-1, 0, 1) for a real SymPy number, exact where possible."""
    d = sp.sympify(e) - 1
    if is_zero(d):
        return 0
    return 1 if sp.N(d, DIGITS) > 0 else -1


def linear_regime(rate) -> str:
    """``"linear"`` for a contraction factor < 1, ``"diverged"`` > 1, ``"undetermined"``
    at exactly 1 (the linearisation does not decide: higher-order terms do)."""
    return {-1: "linear", 0: "undetermined", 1: "diverged"}[compare_one(rate)]


def simplify_small(e: sp.Expr, max_ops: int = 200) -> sp.Expr:
    """``sp.simplify`` for small expressions only (it is slow on big ones)."""
    e = sp.sympify(e)
    if e.is_Rational or sp.count_ops(e) > max_ops:
        return e
    s = sp.simplify(e)
    return s if sp.count_ops(s) <= sp.count_ops(e) else e


class Rate(NamedTuple):
    r"""A predicted convergence law :math:`e_{k+1} \approx C\, e_k^{q}`.

    Linear methods have ``q = 1`` and ``rate`` the contraction factor :math:`\rho`
    (:math:`e_k \sim \rho^k`). ``regime`` uses the estimator's words: ``linear``,
    ``superlinear``, ``diverged``, ``undetermined`` (the leading term does not decide).
    Every float has its exact SymPy expression beside it (``q_expr``, ``rate_expr``).
    The field names match :class:`lrtheory.estimate.OrderEstimate` (``q``, ``rate``,
    ``regime``) so that :func:`lrtheory.theory.compare` pairs them.

    Attributes:
      method: ``"gd"``, ``"heavy_ball"``, ``"nesterov"``, ``"newton"``, ``"secant"``,
        ``"halley"``, ``"fixed_point"``.
      q: order of convergence.
      rate: the constant C (the contraction factor when ``q == 1``).
      regime: see above.
      q_expr, rate_expr: SymPy expressions of ``q`` and ``rate``.
      lr, beta: the step size and momentum the prediction is for (``None`` if none).
      note: the convention or case used (e.g. ``"root of multiplicity 3"``).

    Example (GD with step 1/10 on eigenvalues 2 and 10: max(|1 - 0.2|, |1 - 1|) = 4/5):
      >>> from lrtheory.theory import gd_rate
      >>> r = gd_rate([2, 10], lr=0.1)
      >>> r.method, r.q, r.rate, r.regime, r.rate_expr
      ('gd', 1.0, 0.8, 'linear', 4/5)
    """

    method: str
    q: float
    rate: float
    regime: str
    q_expr: sp.Expr
    rate_expr: sp.Expr
    lr: float | None = None
    beta: float | None = None
    note: str = ""

    def __repr__(self) -> str:
        return short_repr(self, ("method", "q", "rate", "regime", "lr", "beta", "note"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""The law in LaTeX: ``\rho = ...`` (linear) or ``e_{k+1} \approx C e_k^{q}``.

        >>> Rate("gd", 1.0, 0.9, "linear", sp.Integer(1), sp.Rational(9, 10)).latex()
        '\\rho = \\frac{9}{10}'
        """
        if sp.sympify(self.q_expr) == 1:
            return rf"\rho = {sp.latex(self.rate_expr)}"
        return (rf"e_{{k+1}} \approx {sp.latex(self.rate_expr)}\, "
                rf"e_k^{{{sp.latex(self.q_expr)}}}")


def make_rate(method, q_expr, rate_expr, regime=None, lr=None, beta=None, note="") -> Rate:
    """Build a :class:`Rate` from expressions (floats derived here)."""
    q_expr, rate_expr = sp.sympify(q_expr), simplify_small(rate_expr)
    if rate_expr.has(sp.Float):  # from a float x_star refined numerically: show 20 digits
        rate_expr = sp.N(rate_expr, 20)
    if regime is None:
        regime = linear_regime(rate_expr) if q_expr == 1 else "superlinear"
    return Rate(method, to_float(q_expr), to_float(rate_expr), regime, q_expr, rate_expr,
                None if lr is None else to_float(lr), None if beta is None else to_float(beta),
                note)


def mp(e) -> mpmath.mpf:
    """An mpmath number (at the current mp precision) from a SymPy number."""
    return mpmath.mpf(sp.N(e, max(DIGITS, mpmath.mp.dps)).__str__())
