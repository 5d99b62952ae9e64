"""Shared pieces of the theory layer: exact numbers, the :class:`Rate` result, LaTeX.

Numbers enter the theory layer as ints, floats, fractions or SymPy numbers. A float is
read through its shortest decimal representation (``0.1`` -> ``1/10``), so results are
exact rationals whenever the data are; the float the user typed is the number used.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp

from .._display import html_repr, short_repr
from .._formula import number
from .._vocab import Regime

__all__ = ["Rate", "exact", "to_float", "is_zero", "linear_regime", "PHI"]

#: The golden ratio, the order of the secant method.
PHI = (1 + sp.sqrt(5)) / 2

# Digits used when an exact decision (is this zero? is this >= 0?) falls back to numerics.
DIGITS = 50


def exact(v, name: str) -> sp.Expr:
    """A SymPy number from an int, float, Fraction, NumPy scalar, SymPy number or text
    such as ``"log(2)"``: :func:`lrtheory._formula.number`, the one reading of a number.

    >>> exact(0.1, "lr"), exact(2, "lr"), exact(sp.sqrt(2), "lr"), exact("log(2)", "x")
    (1/10, 2, sqrt(2), log(2))
    """
    return number(v, name)


def is_float(v) -> bool:
    """Whether ``v`` is a binary float (so possibly rounded), as opposed to an exact
    int, Fraction, SymPy number or formula text."""
    return isinstance(v, (float, np.floating)) or (
        isinstance(v, np.ndarray) and v.dtype.kind == "f")


# |1 - lr*lambda| at most this (about 8 float64 ulps of 1) counts as 0 when float
# rounding entered either number: lr = 1/L computed in float64 is 1/L to the last bit.
ROUNDING = 8 * 2.0**-52


def gap(lr: sp.Expr, lam: sp.Expr, rounded: bool) -> tuple[sp.Expr, bool]:
    """``(1 - lr*lam, snapped)``: exact, except that a value within :data:`ROUNDING`
    of 0 is read as 0 when ``rounded`` (the inputs came from floats); ``snapped`` says so.

    >>> L = 2 + 40 * sp.pi**2                    # lr = 1/L in float64 is 1/L rounded
    >>> gap(sp.Rational(1, 3), 3, rounded=False), gap(exact(1 / float(L), "lr"), L, True)
    ((0, False), (0, True))
    """
    u = sp.expand(1 - lr * lam)
    if rounded and abs(sp.N(u, DIGITS)) <= ROUNDING and u.is_zero is not True:
        return sp.Integer(0), True
    return u, False


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


def linear_regime(rate) -> Regime:
    """``linear`` for a contraction factor in (0, 1), ``finite`` at exactly 0 (a
    nilpotent iteration), ``diverged`` > 1, ``undetermined`` at exactly 1 (the
    linearisation does not decide: higher-order terms do).

    >>> [linear_regime(r).value for r in (0, sp.Rational(1, 2), 1, 2)]
    ['finite', 'linear', 'undetermined', 'diverged']
    """
    if is_zero(rate):
        return Regime.FINITE
    return {-1: Regime.LINEAR, 0: Regime.UNDETERMINED, 1: Regime.DIVERGED}[compare_one(rate)]


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
    (:math:`e_k \sim \rho^k`). ``regime`` is a :class:`~lrtheory._vocab.Regime`, the
    estimator's word: ``linear``; ``finite`` (rate exactly 0 on a quadratic: the
    iteration matrix is nilpotent); ``superlinear`` with ``q > 1`` and constant C, or
    with ``q = 1`` and ``rate = 0`` meaning :math:`C_k = e_{k+1}/e_k \to 0` without a
    fixed order (BFGS; a linear rate 0 on a non-quadratic); ``diverged``;
    ``undetermined`` (the leading term does not decide). Every float has its exact SymPy
    expression beside it. The field names match
    :class:`lrtheory.estimate.OrderEstimate` (``q``, ``rate``, ``regime``) so that
    :func:`lrtheory.theory.compare` pairs them.

    Attributes:
      method: ``"gd"``, ``"heavy_ball"``, ``"nesterov"``, ``"newton"``, ``"secant"``,
        ``"halley"``, ``"bfgs"``, ``"fixed_point"``.
      q: order of convergence.
      rate: the constant C (the contraction factor when ``q == 1``).
      regime: see above.
      q_expr, rate_expr: SymPy expressions of ``q`` and ``rate``.
      lr, beta: the step size and momentum the prediction is for (``None`` if none).
      note: the convention or case used (e.g. ``"root of multiplicity 3"``).
      rate_bounds: ``(low, high)`` when C depends on the direction of :math:`e_k`
        (Newton in several variables): every :math:`C_k` tends into this interval and
        ``rate`` is ``high``; ``None`` when C is one number.

    Example (GD with step 1/10 on eigenvalues 2 and 10: max(|1 - 0.2|, |1 - 1|) = 4/5):
      >>> from lrtheory.theory import gd_rate
      >>> r = gd_rate([2, 10], lr=0.1)
      >>> r.method, r.q, r.rate, r.regime.value, r.rate_expr
      ('gd', 1.0, 0.8, 'linear', 4/5)
    """

    method: str
    q: float
    rate: float
    regime: Regime
    q_expr: sp.Expr
    rate_expr: sp.Expr
    lr: float | None = None
    beta: float | None = None
    note: str = ""
    rate_bounds: tuple[float, float] | None = None

    @property
    def vanishing(self) -> bool:
        """``True`` for the prediction "superlinear, q = 1, C_k -> 0".

        >>> from lrtheory.theory import bfgs_rate
        >>> bfgs_rate().vanishing
        True
        """
        return self.regime == Regime.SUPERLINEAR and self.q == 1.0

    def __repr__(self) -> str:
        return short_repr(self, ("method", "q", "rate", "rate_bounds", "regime", "lr", "beta",
                                 "note"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""The law in LaTeX: ``\rho = ...`` (linear) or ``e_{k+1} \approx C e_k^{q}``.

        >>> make_rate("gd", 1, sp.Rational(9, 10)).latex()
        '\\rho = \\frac{9}{10}'
        """
        if self.vanishing:
            return r"e_{k+1}/e_k \to 0"
        if sp.sympify(self.q_expr) == 1:
            return rf"\rho = {sp.latex(self.rate_expr)}"
        return (rf"e_{{k+1}} \approx {sp.latex(self.rate_expr)}\, "
                rf"e_k^{{{sp.latex(self.q_expr)}}}")


def make_rate(method, q_expr, rate_expr, regime=None, lr=None, beta=None, note="",
              quadratic=None, rate_bounds=None) -> Rate:
    """Build a :class:`Rate` from expressions (floats derived here).

    A linear rate exactly 0 is ``finite`` on a quadratic (``quadratic`` True or None:
    a bare spectrum is a quadratic model) and ``superlinear`` with :math:`C_k \to 0`
    where the Hessian varies (``quadratic=False``: the linearisation vanishes, the
    higher-order terms remain).

    >>> make_rate("gd", 1, 0).regime.value, make_rate("gd", 1, 0, quadratic=False).regime.value
    ('finite', 'superlinear')
    """
    q_expr, rate_expr = sp.sympify(q_expr), simplify_small(rate_expr)
    if rate_expr.has(sp.Float):  # from a float x_star refined numerically: show 20 digits
        rate_expr = sp.N(rate_expr, 20)
    if regime is None:
        regime = linear_regime(rate_expr) if q_expr == 1 else Regime.SUPERLINEAR
        if regime == Regime.FINITE and quadratic is False:
            regime = Regime.SUPERLINEAR
            note = (note + "; " if note else "") + ("linear rate 0 where the Hessian "
                                                    "varies: e_(k+1)/e_k -> 0")
        elif regime == Regime.FINITE:
            note = (note + "; " if note else "") + "rate 0: x* is reached in finitely many steps"
    return Rate(method=method, q=to_float(q_expr), rate=to_float(rate_expr),
                regime=Regime(regime), q_expr=q_expr, rate_expr=rate_expr,
                lr=None if lr is None else to_float(lr),
                beta=None if beta is None else to_float(beta), note=note,
                rate_bounds=rate_bounds)


def mp(e) -> mpmath.mpf:
    """An mpmath number (at the current mp precision) from a SymPy number."""
    return mpmath.mpf(sp.N(e, max(DIGITS, mpmath.mp.dps)).__str__())
