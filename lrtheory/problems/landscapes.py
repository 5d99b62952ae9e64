r"""Small landscapes with exactly known critical points: 1-D functions for the
superlinear and sublinear rates, a tilted double well, and a strict saddle.

Every minimiser is an exact SymPy number (a closed form or a ``CRootOf``), converted to
float64 from 30 significant digits.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from ._base import Problem
from .functions import _from_sympy

__all__ = ["double_well", "saddle", "scalar_smooth", "x4"]

_x, _y = sp.symbols("x y")


def _num(v) -> float:
    return float(sp.N(v, 30))


@functools.cache
def _double_well_points() -> tuple[tuple[float, float], ...]:
    # f'(x) = 4x^3 - 4x + 3/10 has three real roots (discriminant > 0): the global
    # minimiser, the local maximiser and the local minimiser, in increasing order.
    e = (_x**2 - 1) ** 2 + sp.Rational(3, 10) * _x
    roots = sp.Poly(sp.diff(e, _x), _x).real_roots()
    return tuple((_num(r), _num(e.subs(_x, r))) for r in roots)


def double_well() -> Problem:
    r"""A tilted double well in 1-D: one global and one local minimum.

    .. math:: f(x) = (x^2 - 1)^2 + \tfrac{3}{10} x,\qquad
       f'(x) = 4x^3 - 4x + \tfrac{3}{10}.

    The three roots of :math:`f'` (exact ``CRootOf``) are the global minimiser
    :math:`x^\star \approx -1.0356`, a local maximiser :math:`\approx 0.0754` and a local
    minimiser :math:`\approx 0.9601`; the tilt makes the left well the deeper one.
    ``data`` holds ``minima`` (global first), ``f_minima`` and ``local_max``. Start
    :math:`x_0 = -1.5` (global basin); random starts uniform on :math:`[-2, 2]` (both
    basins).

    Example:
      >>> p = double_well()
      >>> [round(v, 4) for v in p.data["minima"].tolist()], round(p.f_star, 4)
      ([-1.0356, 0.9601], -0.3054)
    """
    (xg, fg), (xm, _), (xl, fl) = _double_well_points()
    e = (_x**2 - 1) ** 2 + sp.Rational(3, 10) * _x
    return _from_sympy(e, [-1.5], "double_well", x_star=[xg], f_star=fg,
                       tags=("nonconvex", "multimodal"), box=(-2.0, 2.0),
                       data={"minima": np.array([xg, xl]), "f_minima": np.array([fg, fl]),
                             "local_max": np.array([xm])})


def saddle() -> Problem:
    r"""A strict saddle between two minima (2-D).

    .. math:: f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4,\qquad
       \nabla f = (x,\; y^3 - y).

    Critical points: the saddle :math:`(0, 0)` with Hessian :math:`\mathrm{diag}(1, -1)`
    and the minima :math:`(0, \pm 1)` with Hessian :math:`\mathrm{diag}(1, 2)` and
    :math:`f = -1/4`. ``x_star = (0, 1)``, reached from the default start
    :math:`(1, 10^{-2})` near the saddle's stable manifold :math:`y = 0` (gradient
    descent first approaches the saddle, then escapes along :math:`y`). ``data`` holds
    ``minima`` (rows) and ``saddle_point``. Random starts uniform on :math:`[-2, 2]^2`.

    Example:
      >>> p = saddle()
      >>> p.x_star.tolist(), p.f_star, p.hess(p.data["saddle_point"]).tolist()
      ([0.0, 1.0], -0.25, [[1.0, 0.0], [0.0, -1.0]])
    """
    e = _x**2 / 2 - _y**2 / 2 + _y**4 / 4
    return _from_sympy(e, [1.0, 1e-2], "saddle", x_star=[0.0, 1.0],
                       tags=("nonconvex", "multimodal"), box=(-2.0, 2.0),
                       data={"minima": np.array([[0.0, 1.0], [0.0, -1.0]]),
                             "saddle_point": np.zeros(2)})


def scalar_smooth() -> Problem:
    r"""A smooth, strictly convex, non-quadratic 1-D function for superlinear methods.

    .. math:: f(x) = e^x - 2x,\qquad x^\star = \ln 2,\; f^\star = 2 - 2\ln 2,\;
       f''(x^\star) = f'''(x^\star) = 2.

    Newton's method converges quadratically with
    :math:`e_{k+1}/e_k^2 \to |f'''(x^\star) / (2 f''(x^\star))| = 1/2`
    (``data["newton_constant"]``). Start :math:`x_0 = 1`; random starts uniform on
    :math:`[-2, 2]`.

    Example:
      >>> p = scalar_smooth()
      >>> round(float(p.x_star[0]), 12), round(p.f_star, 12), sorted(p.tags)
      (0.69314718056, 0.61370563888, ['convex', 'scalar'])
    """
    e = sp.exp(_x) - 2 * _x
    return _from_sympy(e, [1.0], "scalar_smooth", x_star=[_num(sp.log(2))],
                       f_star=_num(2 - 2 * sp.log(2)), tags=("convex",), box=(-2.0, 2.0),
                       data={"newton_constant": 0.5})


def x4() -> Problem:
    r""":math:`f(x) = x^4`: convex with a degenerate minimum, the textbook sublinear case.

    :math:`x^\star = 0`, :math:`f^\star = 0`, :math:`f''(0) = 0`. Gradient descent
    :math:`x_{k+1} = x_k - 4\alpha x_k^3` converges like
    :math:`x_k \sim (8 \alpha k)^{-1/2}`. Start :math:`x_0 = 1`; random starts uniform
    on :math:`[-2, 2]`.

    Example:
      >>> p = x4()
      >>> float(p.value(p.x0)), p.x_star.tolist(), sorted(p.tags)
      (1.0, [0.0], ['convex', 'scalar'])
    """
    return _from_sympy(_x**4, [1.0], "x4", x_star=[0.0], tags=("convex",), box=(-2.0, 2.0))
