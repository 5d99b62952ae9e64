r"""Gradient descent near a minimiser: stability limit, optimal step, linear rate.

On :math:`f(x) = \tfrac12 (x-x^\star)^\top H (x-x^\star)` gradient descent with step
:math:`\alpha` multiplies the error's component along the eigenvector of
:math:`\lambda_i` by :math:`1 - \alpha\lambda_i` each step, so

.. math:: \rho(\alpha) = \max_i |1 - \alpha\lambda_i| = \max(|1-\alpha\mu|, |1-\alpha L|).

It converges iff :math:`0 < \alpha < 2/L`; the best constant step is
:math:`\alpha^\star = 2/(L+\mu)` with :math:`\rho^\star = (\kappa-1)/(\kappa+1)`.
On a non-quadratic problem these are the local (asymptotic) values, from the Hessian
at :math:`x^\star`. Reference: Polyak (1987), *Introduction to Optimization*, §1.4.
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

from .._display import html_repr, short_repr
from ._common import Rate, exact, gap, is_float, make_rate, simplify_small, to_float
from .curvature import curvature

__all__ = ["GDLimits", "gd_limits", "gd_rate"]


class GDLimits(NamedTuple):
    r"""Step-size landmarks of gradient descent.

    Attributes:
      lr_max: stability limit :math:`2/L` (diverges above it).
      lr_opt: best constant step :math:`2/(L+\mu)`.
      rate_opt: its rate :math:`(L-\mu)/(L+\mu) = (\kappa-1)/(\kappa+1)`.
      L, mu, kappa: the curvature constants used.
      lr_max_expr, lr_opt_expr, rate_opt_expr: SymPy expressions of the three.

    Example (Hessian diag(2, 10): 2/L = 1/5, 2/(L+mu) = 1/6, (L-mu)/(L+mu) = 2/3):
      >>> g = gd_limits("x**2 + 5*y**2")
      >>> g.lr_max_expr, g.lr_opt_expr, g.rate_opt_expr, g.kappa
      (1/5, 1/6, 2/3, 5.0)
    """

    lr_max: float
    lr_opt: float
    rate_opt: float
    L: float
    mu: float
    kappa: float
    lr_max_expr: sp.Expr
    lr_opt_expr: sp.Expr
    rate_opt_expr: sp.Expr

    def __repr__(self) -> str:
        return short_repr(self, ("lr_max", "lr_opt", "rate_opt", "L", "mu", "kappa"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""``\alpha_{\max} = ..., \alpha^\star = ..., \rho^\star = ...`` in LaTeX.

        >>> print(gd_limits([1, 10]).latex())
        \alpha_{\max} = \frac{1}{5},\ \alpha^\star = \frac{2}{11},\ \rho^\star = \frac{9}{11}
        """
        return (rf"\alpha_{{\max}} = {sp.latex(self.lr_max_expr)},\ "
                rf"\alpha^\star = {sp.latex(self.lr_opt_expr)},\ "
                rf"\rho^\star = {sp.latex(self.rate_opt_expr)}")


def _positive_L(c):
    if not c.L > 0:
        raise ValueError(f"the largest Hessian eigenvalue must be > 0 for gradient descent "
                         f"to contract; got L={c.L_expr}")


def gd_limits(problem, **curvature_kw) -> GDLimits:
    r"""Stability limit :math:`2/L`, optimal step :math:`2/(L+\mu)` and its rate.

    Args:
      problem: anything :func:`~lrtheory.theory.curvature` accepts (a Problem, an
        expression with ``x_star=``, a Hessian, a spectrum, a Curvature).
      **curvature_kw: passed to :func:`~lrtheory.theory.curvature`.

    Returns:
      :class:`GDLimits`.

    Example:
      >>> g = gd_limits([1, 10])
      >>> g.lr_max_expr, g.lr_opt_expr, g.rate_opt_expr
      (1/5, 2/11, 9/11)
    """
    c = curvature(problem, **curvature_kw)
    _positive_L(c)
    L, mu = c.L_expr, c.mu_expr
    lr_max, lr_opt = 2 / L, 2 / (L + mu)
    rate_opt = simplify_small((L - mu) / (L + mu))
    return GDLimits(to_float(lr_max), to_float(lr_opt), to_float(rate_opt), c.L, c.mu,
                    c.kappa, simplify_small(lr_max), simplify_small(lr_opt), rate_opt)


def gd_rate(problem, lr, **curvature_kw) -> Rate:
    r"""Asymptotic linear rate of gradient descent with constant step ``lr``.

    .. math:: \rho(\alpha) = \max_i |1 - \alpha\lambda_i| = \max(|1-\alpha\mu|, |1-\alpha L|),
       \qquad \|x_k - x^\star\| \sim \rho^k.

    Exact (a rational number) when the eigenvalues and ``lr`` are rational. Regime
    ``linear`` if :math:`0<\rho<1`, ``diverged`` if :math:`\rho>1`, ``undetermined`` at
    :math:`\rho = 1` (``lr = 2/L``: a period-2 oscillation on a quadratic; or
    :math:`\mu = 0`: higher-order terms decide), and at :math:`\rho = 0`
    (:math:`\alpha\lambda = 1` for every eigenvalue) ``finite`` on a quadratic (one step
    reaches :math:`x^\star`) or ``superlinear`` (:math:`e_{k+1}/e_k \to 0`) where the
    Hessian varies. When a float entered (``lr`` or the eigenvalues),
    :math:`|1-\alpha\lambda|` within float64 round-off of 0 counts as 0 (``lr = 1/L``
    computed in float64 means :math:`1/L`), and the note says so.

    Args:
      problem: anything :func:`~lrtheory.theory.curvature` accepts.
      lr: the step size :math:`\alpha > 0` (float, Fraction or SymPy number).
      **curvature_kw: passed to :func:`~lrtheory.theory.curvature`.

    Returns:
      :class:`~lrtheory.theory.Rate` with ``q = 1``.

    Example:
      >>> r = gd_rate([1, 10], lr=sp.Rational(2, 11))
      >>> r.rate_expr, r.regime.value
      (9/11, 'linear')
      >>> gd_rate([1, 10], lr=0.25).regime.value
      'diverged'
      >>> gd_rate([3, 3], lr=1 / 3).regime.value      # nilpotent: x* in one step
      'finite'
    """
    a = exact(lr, "lr")
    if not a > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    c = curvature(problem, **curvature_kw)
    rounded = c.rounded or is_float(lr)
    (u_mu, s_mu), (u_L, s_L) = gap(a, c.mu_expr, rounded), gap(a, c.L_expr, rounded)
    note = ("lr*lambda = 1 to float64 round-off, read as exactly 1 (nilpotent mode)"
            if s_mu or s_L else "")
    rate = sp.Max(sp.Abs(u_mu), sp.Abs(u_L))
    return make_rate("gd", 1, rate, lr=a, note=note, quadratic=c.quadratic)
