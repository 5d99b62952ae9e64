r"""The theory hooks of the method specs: which function of :mod:`lrtheory.theory` predicts
a method, and what the textbooks say where the theory layer has no function.

Each ``predict(problem, lr, hyper, curvature)`` returns a :class:`lrtheory.theory.Rate`
(``q`` or ``rate`` ``nan`` where only the regime is predicted) or raises ``ValueError``
naming why the theory does not cover the problem. :mod:`lrtheory.theory` is imported when
a prediction is asked for, so importing the methods does not import SymPy's theory layer.
"""

from __future__ import annotations

import math

import sympy as sp

from ._spec import TheoryHook

__all__ = ["GD", "GD_ARMIJO", "HEAVY_BALL", "NESTEROV", "NEWTON", "NEWTON_ARMIJO", "BFGS",
           "EXACT_LINE_SEARCH", "SECANT", "HALLEY"]


def _theory():
    from lrtheory import theory

    return theory


def _curvature(problem, curvature):
    return curvature if curvature is not None else _theory().curvature(problem)


def _rate(method, q, rate, regime, note, lr=None):
    """A Rate for a textbook statement (``nan`` where a number is not predicted)."""
    def expr(v):
        return sp.nan if math.isnan(v) else sp.nsimplify(v)

    return _theory().Rate(method, float(q), float(rate), regime, expr(q), expr(rate),
                          None if lr is None else float(lr), None, note)


def _scalar(problem, method):
    if problem.dim != 1:
        raise ValueError(f"the {method} constants are derived for one variable; problem "
                         f"{problem.name!r} has dim={problem.dim}")


def _gd(problem, lr, hyper, curvature):
    return _theory().gd_rate(_curvature(problem, curvature), lr)


def _gd_armijo(problem, lr, hyper, curvature):
    c = _curvature(problem, curvature)
    bound = 2 * (1 - hyper["c"]) / float(c.L)
    if not lr < bound:
        raise ValueError(f"the first trial step lr={lr} is not below 2(1-c)/L = {bound:.4g}, "
                         "so the step accepted near x* is not known in advance")
    # Near x*, f(x - t g) - f(x) = -t|g|^2 + t^2 g'Hg/2 + O(|g|^3) and g'Hg <= L|g|^2: every
    # t < 2(1-c)/L passes the test at once, so the method is GD with step lr there.
    return _theory().gd_rate(c, lr)


def _heavy_ball(problem, lr, hyper, curvature):
    return _theory().heavy_ball_rate(_curvature(problem, curvature), lr, hyper["beta"])


def _nesterov(problem, lr, hyper, curvature):
    return _theory().nesterov_rate(_curvature(problem, curvature), lr, hyper["beta"])


def _newton(problem, lr, hyper, curvature):
    if problem.dim == 1 and not problem.is_quadratic:
        return _theory().newton_rate(problem, lr=lr)
    # Newton's map at a nondegenerate minimiser has Jacobian (1 - lr) I (exactly so on a
    # quadratic, where the map is x* + (1 - lr)(x - x*)).
    if lr != 1:
        return _rate("newton", 1, abs(1 - lr), "linear", "map Jacobian (1 - lr) I", lr)
    if problem.is_quadratic:
        return _rate("newton", 1, 0, "finite", "exact in one step on a quadratic", lr)
    return _rate("newton", 2, math.nan, "superlinear",
                 "order 2 at a nondegenerate minimiser (Nocedal & Wright 2006, Thm 3.5); "
                 "constant not derived in several variables", lr)


def _newton_armijo(problem, lr, hyper, curvature):
    if not (lr == 1 and hyper["c"] < 0.5):
        raise ValueError("unit Newton steps are accepted near x* only from lr = 1 with "
                         f"c < 1/2 (Nocedal & Wright Thm 3.6); got lr={lr}, c={hyper['c']}")
    return _newton(problem, lr, hyper, curvature)


def _bfgs(problem, lr, hyper, curvature):
    return _theory().bfgs_rate(problem)


def _exact_line_search(problem, lr, hyper, curvature):
    return _rate("exact_line_search", 1, math.nan, "linear",
                 "linear; only the Kantorovich bound ((kappa-1)/(kappa+1))^2 on f is known")


def _secant(problem, lr, hyper, curvature):
    _scalar(problem, "secant")
    if lr != 1:
        raise ValueError(f"the secant theory is for lr = 1; got lr={lr}")
    return _theory().secant_rate(problem)


def _halley(problem, lr, hyper, curvature):
    _scalar(problem, "Halley")
    if lr != 1:
        raise ValueError(f"the Halley theory is for lr = 1; got lr={lr}")
    return _theory().halley_rate(problem)


GD = TheoryHook(function="lrtheory.theory.gd_rate", call="gd_rate(curvature at x*, lr)",
                predict=_gd)
GD_ARMIJO = TheoryHook(
    function="lrtheory.theory.gd_rate",
    call="gd_rate(curvature at x*, lr) when lr < 2(1-c)/L (the first trial is accepted)",
    predict=_gd_armijo)
HEAVY_BALL = TheoryHook(function="lrtheory.theory.heavy_ball_rate",
                        call="heavy_ball_rate(curvature at x*, lr, beta)", predict=_heavy_ball)
NESTEROV = TheoryHook(function="lrtheory.theory.nesterov_rate",
                      call="nesterov_rate(curvature at x*, lr, beta)", predict=_nesterov)
NEWTON = TheoryHook(
    function="lrtheory.theory.newton_rate",
    call="newton_rate(problem, lr=lr) in one variable; in several: linear |1 - lr| (lr != 1), "
         "finite (quadratic), else order 2 (Nocedal & Wright Thm 3.5)",
    predict=_newton)
NEWTON_ARMIJO = TheoryHook(function="lrtheory.theory.newton_rate",
                           call="as newton, when lr = 1 and c < 1/2 (Nocedal & Wright Thm 3.6)",
                           predict=_newton_armijo)
BFGS = TheoryHook(function="textbook (Dennis & More 1977)",
                  call="superlinear, C_k = e_{k+1}/e_k -> 0", predict=_bfgs)
EXACT_LINE_SEARCH = TheoryHook(function="textbook (Kantorovich bound)", call="linear",
                               predict=_exact_line_search)
SECANT = TheoryHook(function="lrtheory.theory.secant_rate",
                    call="secant_rate(problem): order (1 + sqrt 5)/2", predict=_secant)
HALLEY = TheoryHook(function="lrtheory.theory.halley_rate", call="halley_rate(problem): order 3",
                    predict=_halley)
