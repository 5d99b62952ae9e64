r"""Heavy ball (Polyak) and Nesterov momentum on a quadratic: exact rates, tunings.

Conventions (the ones optax implements, checked against optax in the tests):

* **Heavy ball**: :math:`x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta(x_k - x_{k-1})`.
  ``optax.sgd(lr, momentum=beta)`` (:math:`v \leftarrow g + \beta v`,
  :math:`x \leftarrow x - \alpha v`) is exactly this with :math:`\alpha` = ``lr``.
  On an eigenmode :math:`\lambda` the error obeys the companion matrix
  :math:`\begin{pmatrix}1+\beta-\alpha\lambda & -\beta\\ 1 & 0\end{pmatrix}`, with
  characteristic polynomial :math:`z^2 - (1+\beta-\alpha\lambda)z + \beta`.
* **Nesterov** (Sutskever et al. 2013 form): :math:`y_k = x_k + \beta(x_k - x_{k-1})`,
  :math:`x_{k+1} = y_k - \alpha\nabla f(y_k)`; per mode
  :math:`z^2 - (1+\beta)(1-\alpha\lambda)z + \beta(1-\alpha\lambda)`.
  ``optax.sgd(lr, momentum=beta, nesterov=True)`` (:math:`v \leftarrow g + \beta v`,
  :math:`x \leftarrow x - \alpha(g + \beta v)`) has a different state but the same
  characteristic polynomial per mode, hence the same rate; its iterates are exactly
  the look-ahead points :math:`y_k` of the form above (with :math:`x_{-1} = x_0`).

The asymptotic rate is the largest spectral radius over the modes,
:math:`\rho = \max_i \max|z_{1,2}(\lambda_i)|`; for :math:`z^2 - az + b` it is
:math:`(|a| + \sqrt{a^2-4b})/2` when :math:`a^2 \ge 4b` and :math:`\sqrt b` otherwise.
At a double root (critical damping) the error behaves like :math:`k\rho^k`.
References: Polyak (1964); Lessard, Recht & Packard (2016), SIAM J. Optim. 26(1).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy as sp

from .._display import html_repr, short_repr
from ._common import (
    DIGITS,
    Rate,
    exact,
    gap,
    is_float,
    is_zero,
    make_rate,
    simplify_small,
    to_float,
)
from .curvature import Curvature, curvature

__all__ = ["MomentumParams", "heavy_ball_optimal", "heavy_ball_rate", "nesterov_params",
           "nesterov_rate", "mode_radius"]


class MomentumParams(NamedTuple):
    r"""A tuning :math:`(\alpha, \beta)` of a momentum method and the rate it gives.

    Attributes:
      method: ``"heavy_ball"`` or ``"nesterov"``.
      lr, beta, rate: step :math:`\alpha`, momentum :math:`\beta`, linear rate :math:`\rho`.
      lr_expr, beta_expr, rate_expr: their SymPy expressions.

    Example (Polyak's tuning for mu = 1, L = 100: lr = 4/(10 + 1)**2,
    beta = ((10 - 1)/(10 + 1))**2, rate = 9/11):
      >>> p = heavy_ball_optimal([1, 100])
      >>> p.method, p.lr_expr, p.beta_expr, p.rate_expr
      ('heavy_ball', 4/121, 81/121, 9/11)
    """

    method: str
    lr: float
    beta: float
    rate: float
    lr_expr: sp.Expr
    beta_expr: sp.Expr
    rate_expr: sp.Expr

    def __repr__(self) -> str:
        return short_repr(self, ("method", "lr", "beta", "rate"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""``\alpha = ..., \beta = ..., \rho = ...`` in LaTeX."""
        return (rf"\alpha = {sp.latex(self.lr_expr)},\ \beta = {sp.latex(self.beta_expr)},\ "
                rf"\rho = {sp.latex(self.rate_expr)}")


def mode_radius(a, b) -> sp.Expr:
    r"""Exact spectral radius of :math:`z^2 - a z + b` (real ``a``, ``b``).

    .. math:: \rho = \tfrac12\left(|a| + \sqrt{a^2-4b}\right) \text{ if } a^2 \ge 4b,
       \qquad \rho = \sqrt{b} \text{ otherwise (complex pair)}.

    Args:
      a, b: real numbers (anything :func:`lrtheory._formula.number` reads).

    >>> mode_radius(sp.Rational(1, 2), sp.Rational(1, 4)), mode_radius(3, 2)
    (1/2, 2)
    """
    a, b = exact(a, "a"), exact(b, "b")
    disc = a**2 - 4 * b
    if is_zero(disc):  # double root
        return sp.Abs(a) / 2
    if sp.N(disc, DIGITS) > 0:
        return (sp.Abs(a) + sp.sqrt(disc)) / 2
    return sp.sqrt(b)


def _radius_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    disc = a * a - 4 * b
    real = 0.5 * (np.abs(a) + np.sqrt(np.maximum(disc, 0.0)))
    return np.where(disc >= 0, real, np.sqrt(np.abs(b)))


def _companion_rate(method, c: Curvature, lr, beta, coeffs, rounded=False) -> Rate:
    r"""Max over modes of the exact radius; SymPy only on the modes that can be the max.

    ``coeffs(u, beta)`` gives the characteristic polynomial's (a, b) from the mode's
    :math:`u = 1 - \alpha\lambda` (read as 0 within round-off when ``rounded``)."""
    lam_f = np.asarray(c.eigenvalues, dtype=np.float64)
    a_f, b_f = coeffs(1 - float(lr) * lam_f, float(beta))
    rad = _radius_np(a_f, b_f)
    top = rad.max()
    # Near a double root the float radius is only good to ~sqrt(eps): keep every mode
    # within 1e-6 of the top as a candidate and let SymPy decide among them.
    cand = {c.eigenvalues_expr[i] for i in np.flatnonzero(rad >= top * (1 - 1e-6) - 1e-300)}
    radii = []
    double = snapped = False
    for lam in cand:
        u, s = gap(lr, lam, rounded or c.rounded)
        snapped = snapped or s
        a, b = coeffs(u, beta)
        radii.append(mode_radius(a, b))
        double = double or (not is_zero(b) and is_zero(sp.expand(a**2 - 4 * b)))
    rate = sp.Max(*radii)
    notes = []
    if double:
        notes.append("double root at the slowest mode: e_k ~ k * rate**k (critical damping)")
    if snapped:
        notes.append("lr*lambda = 1 to float64 round-off, read as exactly 1")
    return make_rate(method, 1, rate, lr=lr, beta=beta, note="; ".join(notes),
                     quadratic=c.quadratic)


def _check(lr, beta):
    a = exact(lr, "lr")
    if not a > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    return a, exact(beta, "beta")


def _hb_coeffs(u, beta):  # 1 + beta - lr*lam = beta + u
    return beta + u, beta + 0 * u


def _nag_coeffs(u, beta):
    return (1 + beta) * u, beta * u


def heavy_ball_rate(problem, lr, beta, **curvature_kw) -> Rate:
    r"""Exact asymptotic rate of heavy ball with any :math:`(\alpha, \beta)` on a quadratic
    (the local rate near :math:`x^\star` otherwise).

    .. math:: \rho = \max_i \rho\big(z^2 - (1+\beta-\alpha\lambda_i) z + \beta\big).

    Args:
      problem: anything :func:`~lrtheory.theory.curvature` accepts.
      lr, beta: step :math:`\alpha > 0` and momentum :math:`\beta` (``optax.sgd``'s
        ``learning_rate`` and ``momentum``).

    Returns:
      :class:`~lrtheory.theory.Rate` with ``q = 1``.

    Example:
      >>> r = heavy_ball_rate([1, 10], lr=0.1, beta=0.25)
      >>> r.rate_expr, r.regime.value
      (sqrt(129)/40 + 23/40, 'linear')
    """
    a, b = _check(lr, beta)
    return _companion_rate("heavy_ball", curvature(problem, **curvature_kw), a, b, _hb_coeffs,
                           rounded=is_float(lr))


def nesterov_rate(problem, lr, beta, **curvature_kw) -> Rate:
    r"""Exact asymptotic rate of Nesterov momentum with any :math:`(\alpha, \beta)`.

    .. math:: \rho = \max_i \rho\big(z^2 - (1+\beta)(1-\alpha\lambda_i) z
       + \beta(1-\alpha\lambda_i)\big).

    Same for the Sutskever form and for ``optax.sgd(lr, momentum=beta, nesterov=True)``.
    At :math:`\alpha\lambda = 1` the mode's polynomial is :math:`z^2` (nilpotent): on an
    isotropic quadratic with :math:`\alpha = 1/L` the rate is exactly 0 (``finite``),
    also when ``lr`` is ``1/L`` computed in float64.

    Example:
      >>> nesterov_rate([1, 4], lr=0.25, beta=sp.Rational(1, 3)).rate_expr
      1/2
      >>> r = nesterov_rate([4, 4], lr=0.25, beta=0.5)
      >>> r.rate_expr, r.regime.value
      (0, 'finite')
    """
    a, b = _check(lr, beta)
    return _companion_rate("nesterov", curvature(problem, **curvature_kw), a, b, _nag_coeffs,
                           rounded=is_float(lr))


def _strong(c: Curvature):
    if not (c.mu > 0 and c.L > 0):
        raise ValueError(f"momentum tunings need mu > 0 (strong convexity at x_star); "
                         f"got mu={c.mu_expr}, L={c.L_expr}")
    return c.L_expr, c.mu_expr


def _params(method, lr, beta, rate) -> MomentumParams:
    lr, beta, rate = (simplify_small(sp.radsimp(e)) for e in (lr, beta, rate))
    return MomentumParams(method, to_float(lr), to_float(beta), to_float(rate), lr, beta, rate)


def heavy_ball_optimal(problem, **curvature_kw) -> MomentumParams:
    r"""Polyak's optimal heavy-ball tuning on a quadratic.

    .. math:: \alpha = \frac{4}{(\sqrt L + \sqrt\mu)^2},\quad
       \beta = \Big(\frac{\sqrt\kappa-1}{\sqrt\kappa+1}\Big)^2,\quad
       \rho = \frac{\sqrt\kappa-1}{\sqrt\kappa+1}.

    Both extreme modes are then critically damped (double roots), so the error decays
    like :math:`k\rho^k`. Reference: Polyak (1964); Lessard et al. (2016), §3.

    Example:
      >>> p = heavy_ball_optimal([1, 9])
      >>> p.lr_expr, p.beta_expr, p.rate_expr
      (1/4, 1/4, 1/2)
    """
    L, mu = _strong(curvature(problem, **curvature_kw))
    sL, sm = sp.sqrt(L), sp.sqrt(mu)
    rate = (sL - sm) / (sL + sm)
    return _params("heavy_ball", 4 / (sL + sm) ** 2, rate**2, rate)


def nesterov_params(problem, tuning: str = "standard", **curvature_kw) -> MomentumParams:
    r"""Constant-momentum Nesterov tunings for a strongly convex quadratic.

    ``tuning="standard"`` (Nesterov 2004, constant-step scheme III):
    :math:`\alpha = 1/L`, :math:`\beta = (\sqrt\kappa-1)/(\sqrt\kappa+1)`; the slowest
    mode :math:`\lambda=\mu` is then a double root, so :math:`\rho = 1 - 1/\sqrt\kappa`
    exactly on quadratics. ``tuning="quadratic"`` (the best on quadratics, Lessard et al.
    2016): :math:`\alpha = 4/(3L+\mu)`,
    :math:`\beta = (\sqrt{3\kappa+1}-2)/(\sqrt{3\kappa+1}+2)`,
    :math:`\rho = 1 - 2/\sqrt{3\kappa+1}`. The returned rate is the exact companion
    rate of :func:`nesterov_rate` at those parameters.

    Example:
      >>> p = nesterov_params([1, 4])
      >>> p.lr_expr, p.beta_expr, p.rate_expr
      (1/4, 1/3, 1/2)
    """
    c = curvature(problem, **curvature_kw)
    L, mu = _strong(c)
    if tuning == "standard":
        lr, beta = 1 / L, (sp.sqrt(L) - sp.sqrt(mu)) / (sp.sqrt(L) + sp.sqrt(mu))
    elif tuning == "quadratic":
        s = sp.sqrt(3 * L / mu + 1)
        lr, beta = 4 / (3 * L + mu), (s - 2) / (s + 2)
    else:
        raise ValueError(f"tuning must be 'standard' or 'quadratic'; got {tuning!r}")
    lr, beta = simplify_small(sp.radsimp(lr)), simplify_small(sp.radsimp(beta))
    rate = _companion_rate("nesterov", c, lr, beta, _nag_coeffs).rate_expr
    textbook = 1 - 1 / sp.sqrt(L / mu) if tuning == "standard" else 1 - 2 / s
    # Prefer the textbook form of the same number (the companion max can be unwieldy).
    return _params("nesterov", lr, beta, textbook if is_zero(rate - textbook) else rate)
