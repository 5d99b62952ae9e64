r"""Worst cases over all :math:`L`-smooth, :math:`\mu`-strongly convex functions (:math:`\mu
\ge 0`) by performance estimation (PEP; Drori & Teboulle 2014, Taylor, Hendrickx &
Glineur 2017) with PEPit. Optional: ``pip install lrtheory[pep]``; PEPit is imported on
first use and solves a small semidefinite program with cvxpy's default solver (an
open-source one that runs offline, Clarabel or SCS).

Each function returns the worst value :math:`\tau` of an error measure after ``n``
steps, relative to the same measure at the start when :math:`\mu > 0` (a linear rate),
or relative to :math:`\|x_0 - x^\star\|^2` when :math:`\mu = 0` (a sublinear bound):

- ``dist``: :math:`\|x_n-x^\star\|^2/\|x_0-x^\star\|^2`, ``rate`` :math:`\tau^{1/(2n)}`;
  none for :math:`\mu = 0` (no decrease of the distance is guaranteed);
- ``f``: :math:`(f_n-f^\star)/(f_0-f^\star)`, ``rate`` :math:`\tau^{1/n}`; for
  :math:`\mu = 0`, :math:`(f_n - f^\star)/\|x_0-x^\star\|^2`;
- ``grad``: :math:`\|\nabla f_n\|^2/\|\nabla f_0\|^2`, ``rate`` :math:`\tau^{1/(2n)}`;
  for :math:`\mu = 0`, :math:`\|\nabla f_n\|^2/\|x_0-x^\star\|^2`;

so ``rate`` is the per-step factor of the error the estimator measures (the distance,
:math:`f - f^\star`, the gradient norm). Closed forms (``theory``): gradient descent with
:math:`\mu > 0` and :math:`0 < \alpha < 2/L` has :math:`\tau = \rho^{2n}` for all three
measures, :math:`\rho = \max(|1-\alpha\mu|, |1-\alpha L|)` (quadratics are worst cases;
Taylor et al. 2018 for the function value); with :math:`\mu = 0`, step
:math:`h/L` and the function value, :math:`\tau = L/(4nh+2)` for
:math:`0 < h \le 1` (Drori & Teboulle 2014) and :math:`L\max(1/(4nh+2), (1-h)^{2n}/2)`
for :math:`1 < h < 2` (conjectured there; Taylor et al. 2017 confirm it numerically).
Heavy ball's worst case over the class can be much worse than on quadratics (Lessard et
al. 2016, §4.6).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from .._display import html_repr, short_repr
from .._vocab import Measure, Regime

__all__ = ["PEPResult", "worst_case", "gd_worst_case_rate", "heavy_ball_worst_case_rate",
           "nesterov_worst_case_rate"]

_METHODS = ("gd", "heavy_ball", "nesterov")


class PEPResult(NamedTuple):
    r"""A worst-case guarantee from PEPit (build by keyword).

    Attributes:
      method: ``"gd"``, ``"heavy_ball"`` or ``"nesterov"``.
      tau: the worst ratio (see the module table).
      rate: the per-step factor of the measured error (``None`` when :math:`\mu = 0`).
      regime: ``linear`` (:math:`\mu > 0`) or ``sublinear`` (:math:`\mu = 0`).
      n, L, mu, lr, beta: the setting (``beta`` ``None`` for gradient descent; a tuple
        when it changes per step).
      measure: the :class:`~lrtheory._vocab.Measure` (``dist``, ``f`` or ``grad``).
      theory: the closed form of ``tau`` where one is known, else ``None``.
      note: what ``tau`` is relative to.

    Example (one GD step of 1/10 with mu = 1, L = 10: tau = max(|1 - 0.1|, |1 - 1|)**2):
      >>> r = gd_worst_case_rate(L=10, mu=1, lr=0.1)
      >>> r.method, round(r.tau, 4), round(r.rate, 4), r.n, r.beta, r.theory
      ('gd', 0.81, 0.9, 1, None, 0.81)
    """

    method: str
    tau: float
    rate: float | None
    regime: Regime
    n: int
    L: float
    mu: float
    lr: float
    beta: float | tuple[float, ...] | None = None
    measure: Measure = Measure.DIST
    theory: float | None = None
    note: str = ""

    def __repr__(self) -> str:
        return short_repr(self, ("method", "measure", "rate", "tau", "theory", "n", "L", "mu",
                                 "lr", "beta"))

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


def _real(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise TypeError(f"{name} must be a finite real number; got {v!r}")
    return float(v)


def _check(L, mu, lr, n, measure):
    L, mu, lr = _real("L", L), _real("mu", mu), _real("lr", lr)
    if not 0 <= mu < L:
        raise ValueError(f"need 0 <= mu < L; got mu={mu!r}, L={L!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    try:
        m = Measure(measure)
    except ValueError:
        raise ValueError(f"measure must be 'dist', 'f' or 'grad'; got {measure!r}") from None
    if m is Measure.STEP:
        raise ValueError("measure must be 'dist', 'f' or 'grad'; got 'step'")
    if mu == 0 and m is Measure.DIST:
        raise ValueError("mu=0: over L-smooth convex functions no method of this kind "
                         "guarantees a linear decrease of ||x_n - x*|| (the worst ratio is "
                         "1 for gradient descent with lr <= 2/L); use measure='f' for the "
                         "sublinear bound on f(x_n) - f*, e.g. L||x0 - x*||^2/(4 n L lr + 2)")
    return L, mu, lr, m


def _betas(beta, n):
    if isinstance(beta, Sequence) and not isinstance(beta, str):
        bs = tuple(_real(f"beta[{i}]", b) for i, b in enumerate(beta))
        if len(bs) != n:
            raise ValueError(f"beta must be a number or a sequence of n={n} numbers; got "
                             f"{len(bs)}")
        return bs, bs
    b = _real("beta", beta)
    return (b,) * n, b


def _solve(L, mu, n, measure, step):
    PEPit, SSC = _pepit()
    problem = PEPit.PEP()
    f = problem.declare_function(SSC, mu=mu, L=L)
    xs = f.stationary_point()
    fs = f(xs)
    x0 = problem.set_initial_point()

    def error(x):
        if measure is Measure.DIST:
            return (x - xs) ** 2
        if measure is Measure.F:
            return f(x) - fs
        return f.gradient(x) ** 2

    problem.set_initial_condition((error(x0) if mu > 0 else (x0 - xs) ** 2) <= 1)
    x_prev, x = x0, x0
    for k in range(n):
        x_prev, x = x, step(f, k, x, x_prev)
    problem.set_performance_metric(error(x))
    return float(problem.solve(verbose=0))


def _gd_theory(L, mu, lr, n, measure):
    if mu > 0:
        if not 0 < lr < 2 / L:
            return None
        return max(abs(1 - lr * mu), abs(1 - lr * L)) ** (2 * n)
    h = lr * L
    if measure is not Measure.F or not 0 < h < 2:
        return None
    tail = (1 - h) ** (2 * n) / 2 if h > 1 else 0.0
    return L * max(1 / (4 * n * h + 2), tail)


def worst_case(method: str, L, mu, lr, n: int = 1, beta=None, measure="dist") -> PEPResult:
    r"""Worst case of ``n`` steps of a first-order method over the class.

    Methods (with :math:`x_{-1} = x_0`): gradient descent
    :math:`x_{k+1} = x_k - \alpha\nabla f(x_k)`; heavy ball
    :math:`x_{k+1} = x_k - \alpha\nabla f(x_k) + \beta_k(x_k - x_{k-1})`; Nesterov
    :math:`y_k = x_k + \beta_k(x_k - x_{k-1})`, :math:`x_{k+1} = y_k - \alpha\nabla f(y_k)`
    (the conventions of :func:`~lrtheory.theory.heavy_ball_rate` and
    :func:`~lrtheory.theory.nesterov_rate`).

    Args:
      method: ``"gd"``, ``"heavy_ball"`` or ``"nesterov"``.
      L, mu: smoothness and strong convexity (:math:`0 \le \mu < L`).
      lr: the step :math:`\alpha`.
      n: number of steps.
      beta: momentum, a number or one per step (``beta[k]`` used at step k); ignored
        for ``"gd"``.
      measure: ``"dist"``, ``"f"`` or ``"grad"`` (see the module table; ``"dist"`` needs
        :math:`\mu > 0`).

    Returns:
      :class:`PEPResult`.

    Raises:
      ImportError: PEPit is missing (``pip install lrtheory[pep]``).
      ValueError: ``mu = 0`` with ``measure="dist"`` (no linear rate to report), or bad
        arguments.

    Example (GD, convex, h = lr*L = 1, n = 2 steps: L/(4*2*1 + 2) = 0.1):
      >>> r = worst_case("gd", L=1, mu=0, lr=1, n=2, measure="f")
      >>> round(r.tau, 5), r.theory, r.rate, r.regime.value
      (0.1, 0.1, None, 'sublinear')
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    L, mu, lr, m = _check(L, mu, lr, n, measure)
    if method == "gd":
        bs, beta_out = (0.0,) * n, None
    else:
        if beta is None:
            raise ValueError(f"method={method!r} needs beta")
        bs, beta_out = _betas(beta, n)
    if method == "nesterov":
        def step(f, k, x, xp):
            y = x + bs[k] * (x - xp)
            return y - lr * f.gradient(y)
    else:
        def step(f, k, x, xp):
            return x - lr * f.gradient(x) + bs[k] * (x - xp)
    tau = max(_solve(L, mu, n, m, step), 0.0)
    power = n if m is Measure.F else 2 * n
    linear = mu > 0
    rel = {Measure.DIST: "||x0 - x*||^2", Measure.F: "f(x0) - f*",
           Measure.GRAD: "||grad f(x0)||^2"}[m] if linear else "||x0 - x*||^2"
    return PEPResult(method=method, tau=tau, rate=tau ** (1 / power) if linear else None,
                     regime=Regime.LINEAR if linear else Regime.SUBLINEAR, n=n, L=L, mu=mu,
                     lr=lr, beta=beta_out, measure=m,
                     theory=_gd_theory(L, mu, lr, n, m) if method == "gd" else None,
                     note=f"tau = worst {m.value} error after n steps over {rel}")


def gd_worst_case_rate(L, mu, lr, n: int = 1, measure="dist") -> PEPResult:
    r"""Worst case of gradient descent; :func:`worst_case` with ``method="gd"``.

    With :math:`\mu > 0` and :math:`0 < \alpha < 2/L`: ``rate`` equals
    :math:`\max(|1-\alpha\mu|, |1-\alpha L|)` for every measure. With :math:`\mu = 0`
    use ``measure="f"``: :math:`\tau = L/(4nh+2)` (:math:`h = \alpha L \le 1`), the
    sublinear bound; ``measure="dist"`` raises (no rate to report).

    Example (theory: max(|1 - 0.15|, |1 - 1.5|) = 0.85 per step):
      >>> round(gd_worst_case_rate(L=10, mu=1, lr=0.15, n=2).rate, 4)
      0.85
    """
    return worst_case("gd", L, mu, lr, n, measure=measure)


def heavy_ball_worst_case_rate(L, mu, lr, beta, n: int = 1, measure="dist") -> PEPResult:
    r"""Worst case of heavy ball; :func:`worst_case` with ``method="heavy_ball"``.

    It is at least the worst 1-D quadratic :math:`\lambda \in [\mu, L]` after the same
    ``n`` steps.

    Example (two steps, lr = 0.1, beta = 0.5; on the 1-D quadratic with lambda = 1,
    x_2/x_0 = (1.5 - 0.1)(1 - 0.1) - 0.5 = 0.76, with lambda = 10 it is -0.5; here
    that quadratic is the worst case, tau = 0.76**2):
      >>> r = heavy_ball_worst_case_rate(L=10, mu=1, lr=0.1, beta=0.5, n=2)
      >>> round(r.tau, 4), round(r.rate, 4), round(0.76 ** 0.5, 4)
      (0.5776, 0.8718, 0.8718)
    """
    return worst_case("heavy_ball", L, mu, lr, n, beta=beta, measure=measure)


def nesterov_worst_case_rate(L, mu, lr, beta, n: int = 1, measure="dist") -> PEPResult:
    r"""Worst case of Nesterov's method; :func:`worst_case` with ``method="nesterov"``.

    ``beta`` may change per step: the fast gradient method for :math:`\mu = 0` uses
    :math:`\beta_k = (t_k - 1)/t_{k+1}`, :math:`t_1 = 1`, :math:`t_{k+1} =
    (1 + \sqrt{1 + 4t_k^2})/2` (Nesterov 1983), with :math:`f_n - f^\star \le
    L\|x_0-x^\star\|^2/(2t_n^2)` (Beck & Teboulle 2009, Thm 4.4).

    Example (one step has no momentum (x_{-1} = x_0): GD's L/(4h + 2) with h = 1):
      >>> round(nesterov_worst_case_rate(L=1, mu=0, lr=1, beta=0.5, measure="f").tau, 5)
      0.16667
    """
    return worst_case("nesterov", L, mu, lr, n, beta=beta, measure=measure)
