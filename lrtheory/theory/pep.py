r"""Worst-case rates over all :math:`L`-smooth :math:`\mu`-strongly convex functions,
by performance estimation (PEP; Drori & Teboulle 2014, Taylor, Hendrickx & Glineur 2017)
with PEPit. Optional: ``pip install lrtheory[pep]``; PEPit is imported on first use.

Each function solves the SDP for the worst ratio
:math:`\tau = \|x_n - x^\star\|^2 / \|x_0 - x^\star\|^2` after ``n`` steps and reports the
per-step rate :math:`\tau^{1/(2n)}`, comparable with the quadratic rates of
:func:`~lrtheory.theory.gd_rate` and :func:`~lrtheory.theory.heavy_ball_rate`. For
gradient descent the two agree (quadratics are worst cases:
:math:`\tau = \max(|1-\alpha\mu|, |1-\alpha L|)^{2n}`); for heavy ball the worst case
over the class can be much worse than on quadratics (Lessard et al. 2016, §4.6).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .._display import html_repr, short_repr

__all__ = ["PEPResult", "gd_worst_case_rate", "heavy_ball_worst_case_rate"]


class PEPResult(NamedTuple):
    r"""A worst-case guarantee from PEPit.

    Attributes:
      method: ``"gd"`` or ``"heavy_ball"``.
      tau: worst :math:`\|x_n - x^\star\|^2 / \|x_0 - x^\star\|^2` over the class.
      rate: :math:`\tau^{1/(2n)}`, the worst per-step contraction of the distance.
      n, L, mu, lr, beta: the setting (``beta`` is ``None`` for gradient descent).

    Example (one GD step of 1/10 with mu = 1, L = 10: tau = max(|1 - 0.1|, |1 - 1|)**2):
      >>> r = gd_worst_case_rate(L=10, mu=1, lr=0.1)
      >>> r.method, round(r.tau, 4), round(r.rate, 4), r.n, r.beta
      ('gd', 0.81, 0.9, 1, None)
    """

    method: str
    tau: float
    rate: float
    n: int
    L: float
    mu: float
    lr: float
    beta: float | None

    def __repr__(self) -> str:
        return short_repr(self, ("method", "rate", "tau", "n", "L", "mu", "lr", "beta"))

    def _repr_html_(self) -> str:
        return html_repr(self)


def _pepit():
    try:
        import PEPit
        from PEPit.functions import SmoothStronglyConvexFunction
    except ImportError as e:
        raise ImportError("the PEP worst-case rates need PEPit: pip install lrtheory[pep]"
                          ) from e
    return PEPit, SmoothStronglyConvexFunction


def _check(L, mu, lr, n):
    for name, v in (("L", L), ("mu", mu), ("lr", lr)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite real number; got {v!r}")
    if not 0 <= mu < L:
        raise ValueError(f"need 0 <= mu < L; got mu={mu!r}, L={L!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")


def _solve(L, mu, n, step):
    PEPit, SSC = _pepit()
    problem = PEPit.PEP()
    f = problem.declare_function(SSC, mu=mu, L=L)
    xs = f.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x_prev, x = x0, x0
    for _ in range(n):
        x_prev, x = x, step(f, x, x_prev)
    problem.set_performance_metric((x - xs) ** 2)
    return float(problem.solve(verbose=0))


def gd_worst_case_rate(L, mu, lr, n: int = 1) -> PEPResult:
    r"""Worst case of gradient descent :math:`x_{k+1} = x_k - \alpha\nabla f(x_k)`.

    Args:
      L, mu: smoothness and strong convexity (:math:`0 \le \mu < L`).
      lr: the step :math:`\alpha`.
      n: number of steps.

    Returns:
      :class:`PEPResult`; theory: ``rate == max(|1 - lr*mu|, |1 - lr*L|)``.

    Raises:
      ImportError: PEPit is missing (``pip install lrtheory[pep]``).

    Example (theory: max(|1 - 0.15|, |1 - 1.5|) = 0.85 per step):
      >>> round(gd_worst_case_rate(L=10, mu=1, lr=0.15, n=2).rate, 4)
      0.85
    """
    _check(L, mu, lr, n)
    tau = _solve(L, mu, n, lambda f, x, xp: x - lr * f.gradient(x))
    return PEPResult("gd", tau, max(tau, 0.0) ** (1 / (2 * n)), n, float(L), float(mu),
                     float(lr), None)


def heavy_ball_worst_case_rate(L, mu, lr, beta, n: int = 1) -> PEPResult:
    r"""Worst case of heavy ball
    :math:`x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta(x_k - x_{k-1})`, with
    :math:`x_{-1} = x_0`.

    Args:
      L, mu: smoothness and strong convexity (:math:`0 \le \mu < L`).
      lr, beta: step :math:`\alpha` and momentum :math:`\beta`.
      n: number of steps.

    Returns:
      :class:`PEPResult`. It is at least the worst 1-D quadratic
      :math:`\lambda \in \{\mu, L\}` after the same ``n`` steps.

    Raises:
      ImportError: PEPit is missing (``pip install lrtheory[pep]``).

    Example (two steps, lr = 0.1, beta = 0.5; on the 1-D quadratic with lambda = 1,
    x_2/x_0 = (1.5 - 0.1)(1 - 0.1) - 0.5 = 0.76, with lambda = 10 it is -0.5; here
    that quadratic is the worst case, tau = 0.76**2):
      >>> r = heavy_ball_worst_case_rate(L=10, mu=1, lr=0.1, beta=0.5, n=2)
      >>> round(r.tau, 4), round(r.rate, 4), round(0.76 ** 0.5, 4)
      (0.5776, 0.8718, 0.8718)
    """
    _check(L, mu, lr, n)
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not math.isfinite(beta):
        raise TypeError(f"beta must be a finite real number; got {beta!r}")
    tau = _solve(L, mu, n, lambda f, x, xp: x - lr * f.gradient(x) + beta * (x - xp))
    return PEPResult("heavy_ball", tau, max(tau, 0.0) ** (1 / (2 * n)), n, float(L),
                     float(mu), float(lr), float(beta))
