r"""Classic analytic test functions, each defined once in SymPy and evaluated in JAX.

Start domains of the random starts (``x0_sampler``) follow the usual benchmark
conventions collected by Surjanovic & Bingham (2013), *Virtual Library of Simulation
Experiments: Test Functions and Datasets*, Simon Fraser University.
"""

from __future__ import annotations

import dataclasses
import functools

import jax.numpy as jnp
import numpy as np
import sympy as sp

from ._base import Problem, as_x, from_expr
from ._common import check_int, uniform_sampler
from ._vector import chained, separable

__all__ = ["rosenbrock", "beale", "booth", "himmelblau", "rastrigin", "ackley"]

_x, _y = sp.symbols("x y")


def _from_sympy(e, x0, name, *, x_star=None, f_star=None, tags=(), params=None,
                box=None, data=None, **replace) -> Problem:
    """from_expr, then the registry's name, params, random starts and data.

    With ``f_star`` given (an exact value computed elsewhere), ``x_star`` is attached as
    is; otherwise from_expr computes ``f_star`` from ``x_star``.
    """
    exact = f_star is not None
    p = from_expr(e, x0=x0, x_star=None if exact else x_star, f_star=f_star, name=name,
                  tags=tags)
    if exact and x_star is not None:
        replace["x_star"] = as_x(x_star, p.dim, "x_star")
    sampler = None if box is None else uniform_sampler(*box, p.dim)
    return dataclasses.replace(p, params=dict(params or {}), x0_sampler=sampler,
                               data={**p.data, **(data or {})}, **replace)


def rosenbrock(dim: int = 2, x0=None) -> Problem:
    r"""Rosenbrock's banana valley in ``dim`` variables.

    .. math:: f(x) = \sum_{i=1}^{n-1} 100\,(x_{i+1} - x_i^2)^2 + (1 - x_i)^2,
       \qquad x^\star = (1, \dots, 1),\; f^\star = 0.

    Default start :math:`(-1.2, 1, -1.2, 1, \dots)`; random starts uniform on
    :math:`[-2.048, 2.048]^n`. Nonconvex; for :math:`4 \le n \le 7` there is also a local
    minimiser near :math:`(-1, 1, \dots, 1)` (Kok & Sandrock 2009). Gradient and
    (tridiagonal) Hessian come from the SymPy term, vectorised over ``i`` (build and
    compile cost do not grow with ``dim``).

    Args:
      dim: number of variables, ``>= 2``.
      x0: start, default as above.

    Example:
      >>> p = rosenbrock(dim=4)
      >>> p.x0.tolist(), float(p.value(p.x_star)), p.grad(p.x0).shape
      ([-1.2, 1.0, -1.2, 1.0], 0.0, (4,))

    References: Rosenbrock (1960), Comput. J. 3(3); Kok & Sandrock (2009), Evol. Comput.
    17(3).
    """
    dim = check_int("dim", dim, 2)
    a, b = sp.symbols("a b")
    fns = chained(100 * (b - a**2) ** 2 + (1 - a) ** 2, a, b, dim)
    default = np.where(np.arange(dim) % 2 == 0, -1.2, 1.0)
    return Problem(
        name="rosenbrock", dim=dim, value=fns.value, grad=fns.grad, hess=fns.hess,
        x0=as_x(default if x0 is None else x0, dim, "x0"), x_star=np.ones(dim), f_star=0.0,
        symbols=fns.symbols, params={"dim": dim},
        x0_sampler=uniform_sampler(-2.048, 2.048, dim),
        tags=frozenset({"nonconvex"}), expr_fn=fns.expr_fn,
    )


def beale() -> Problem:
    r"""Beale's function (2-D, nonconvex, flat plateaus and steep ridges).

    .. math:: f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2,

    :math:`x^\star = (3, 1/2)`, :math:`f^\star = 0`. Start :math:`(1, 1)`; random starts
    uniform on :math:`[-4.5, 4.5]^2`.

    Example:
      >>> p = beale()
      >>> p.x_star.tolist(), p.f_star
      ([3.0, 0.5], 0.0)

    References: Beale (1958), Tech. Rep. 25, Princeton Univ.
    """
    R = sp.Rational
    e = ((R(3, 2) - _x + _x * _y) ** 2 + (R(9, 4) - _x + _x * _y**2) ** 2
         + (R(21, 8) - _x + _x * _y**3) ** 2)
    return _from_sympy(e, [1.0, 1.0], "beale", x_star=[3.0, 0.5], tags=("nonconvex",),
                       box=(-4.5, 4.5))


def booth() -> Problem:
    r"""Booth's function, a convex quadratic in 2-D.

    .. math:: f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2,\quad x^\star = (1, 3),\;
       f^\star = 0,\quad \nabla^2 f = \begin{pmatrix}10 & 8\\ 8 & 10\end{pmatrix}

    (eigenvalues 2 and 18, so :math:`\kappa = 9`). Start :math:`(0, 0)`; random starts
    uniform on :math:`[-10, 10]^2`.

    Example:
      >>> p = booth()
      >>> p.data["eigenvalues"].tolist(), sorted(p.tags)
      ([2.0, 18.0], ['convex', 'quadratic'])
    """
    e = (_x + 2 * _y - 7) ** 2 + (2 * _x + _y - 5) ** 2
    return _from_sympy(e, [0.0, 0.0], "booth", x_star=[1.0, 3.0], box=(-10.0, 10.0))


@functools.cache
def _himmelblau_minima() -> tuple[tuple[str, str], ...]:
    # The four minima are the common zeros of x^2 + y - 11 and x + y^2 - 7, i.e. the roots
    # of x^4 - 22 x^2 + x + 114 = (x - 3)(x^3 + 3x^2 - 13x - 38) with y = 11 - x^2.
    roots = sp.Poly(_x**4 - 22 * _x**2 + _x + 114, _x).real_roots()
    return tuple((str(sp.N(r, 30)), str(sp.N(11 - r**2, 30))) for r in roots)


def himmelblau() -> Problem:
    r"""Himmelblau's function: four global minima, all with :math:`f = 0`.

    .. math:: f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.

    The minima are the solutions of :math:`x^2 + y = 11,\ x + y^2 = 7`:
    :math:`(3, 2)` and three irrational ones, roots of :math:`x^3 + 3x^2 - 13x - 38`
    (about :math:`(-2.805, 3.131)`, :math:`(-3.779, -3.283)`, :math:`(3.584, -1.848)`),
    computed from SymPy's exact roots to 30 digits. ``x_star`` is :math:`(3, 2)`, the
    one reached from the default start :math:`(0, 0)`; ``data["minima"]`` lists all four
    (rows sorted by :math:`x`). Random starts uniform on :math:`[-5, 5]^2`.

    Example:
      >>> p = himmelblau()
      >>> p.data["minima"].shape, p.x_star.tolist(), p.f_star
      ((4, 2), [3.0, 2.0], 0.0)

    References: Himmelblau (1972), *Applied Nonlinear Programming*, McGraw-Hill.
    """
    e = (_x**2 + _y - 11) ** 2 + (_x + _y**2 - 7) ** 2
    minima = np.array([[float(v) for v in m] for m in _himmelblau_minima()])
    return _from_sympy(e, [0.0, 0.0], "himmelblau", x_star=[3.0, 2.0],
                       tags=("nonconvex", "multimodal"), box=(-5.0, 5.0),
                       data={"minima": minima})


def rastrigin(dim: int = 2, x0=None) -> Problem:
    r"""Rastrigin's function: a bowl covered by a lattice of local minima.

    .. math:: f(x) = 10 n + \sum_{i=1}^{n} \bigl(x_i^2 - 10 \cos(2\pi x_i)\bigr),
       \qquad x^\star = 0,\; f^\star = 0,\; \nabla^2 f(0) = (2 + 40\pi^2) I.

    Local minima sit near every integer point. Default start :math:`0.3\,(1, \dots, 1)`
    lies in the basin of :math:`x^\star` (each coordinate's basin contains
    :math:`(-1/2, 1/2)`); random starts uniform on :math:`[-5.12, 5.12]^n`.

    Args:
      dim: number of variables, ``>= 1``.
      x0: start, default as above.

    Example:
      >>> p = rastrigin(dim=3)
      >>> float(p.value(p.x_star)), sorted(p.tags)
      (0.0, ['multimodal', 'nonconvex'])

    References: Rastrigin (1974), *Systems of Extremal Control*, Nauka.
    """
    dim = check_int("dim", dim, 1)
    a = sp.Symbol("a")
    fns = separable(a**2 - 10 * sp.cos(2 * sp.pi * a) + 10, a, dim)
    tags = {"nonconvex", "multimodal"} | ({"scalar"} if dim == 1 else set())
    return Problem(
        name="rastrigin", dim=dim, value=fns.value, grad=fns.grad, hess=fns.hess,
        x0=as_x(np.full(dim, 0.3) if x0 is None else x0, dim, "x0"), x_star=np.zeros(dim),
        f_star=0.0, symbols=fns.symbols, params={"dim": dim},
        x0_sampler=uniform_sampler(-5.12, 5.12, dim), tags=frozenset(tags),
        expr_fn=fns.expr_fn,
    )


def _ackley_grad(x):
    # Written with r = hypot(x, y) and u = x / r (u := 0 at r = 0) so that it is finite
    # everywhere; the lambdified SymPy gradient divides 0 by 0 at the origin and
    # overflows when x^2 + y^2 underflows.
    r = jnp.hypot(x[0], x[1])
    safe_r = jnp.where(r > 0, r, 1.0)
    u = jnp.where(r > 0, x / safe_r, 0.0)
    c = 0.5 * (jnp.cos(2 * jnp.pi * x[0]) + jnp.cos(2 * jnp.pi * x[1]))
    cone = 2 * np.sqrt(2.0) * jnp.exp(-0.2 * r / np.sqrt(2.0))
    return cone * u + jnp.pi * jnp.exp(c) * jnp.sin(2 * jnp.pi * x)


def ackley() -> Problem:
    r"""Ackley's function (2-D): many local minima and a cone-shaped global minimum.

    .. math:: f(x, y) = -20 e^{-0.2\sqrt{(x^2 + y^2)/2}}
       - e^{(\cos 2\pi x + \cos 2\pi y)/2} + 20 + e,\qquad x^\star = 0,\; f^\star = 0.

    Near 0, :math:`f(x) = 2\sqrt2\,\|x\| + O(\|x\|^2)`: the gradient is undefined at the
    minimiser (tag ``"nonsmooth-at-min"``), so gradient methods with a constant step do
    not converge linearly there. ``grad`` is finite everywhere and returns 0 at the
    origin (a subgradient); ``hess`` is undefined (non-finite) at the origin. Start
    :math:`(0.3, -0.2)`, in the basin of the origin; random starts uniform on
    :math:`[-32.768, 32.768]^2`.

    Example:
      >>> p = ackley()
      >>> float(p.value(p.x_star)), p.grad(p.x_star).tolist()
      (0.0, [0.0, 0.0])

    References: Ackley (1987), *A Connectionist Machine for Genetic Hillclimbing*, Kluwer.
    """
    s = sp.sqrt((_x**2 + _y**2) / 2)
    e = (-20 * sp.exp(-s / 5) - sp.exp((sp.cos(2 * sp.pi * _x) + sp.cos(2 * sp.pi * _y)) / 2)
         + 20 + sp.E)
    return _from_sympy(e, [0.3, -0.2], "ackley", x_star=[0.0, 0.0],
                       tags=("nonconvex", "multimodal", "nonsmooth-at-min"),
                       box=(-32.768, 32.768), grad=_ackley_grad)
