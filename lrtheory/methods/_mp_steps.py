"""mpmath steps: every registered method's algorithm at any precision.

Each step repeats, operation for operation, what the JAX step computes (the optax
transformations' formulas read from optax's source: ``scale_by_rss``, ``scale_by_rms``,
``scale_by_adadelta``, ``scale_by_adam``, ``trace``), so that the two agree to float64
round-off (``tests/test_methods.py``). Points are ``(n, 1)``
``mpmath.matrix`` columns; :mod:`lrtheory.precision` runs them inside
``mpmath.workdps(digits)``.

``mp_init(ctx, x0, g0) -> state``; ``mp_step(ctx, k, x, f(x), g(x), state) -> (x_next,
state)``; ``ctx`` is an :class:`MpContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import mpmath

__all__ = ["Breakdown", "MpContext"]


class Breakdown(ArithmeticError):
    """No usable value: non-real or non-finite (the mpmath twin of a NaN).

    Example:
      >>> issubclass(Breakdown, ArithmeticError)
      True
    """


class MpContext(NamedTuple):
    """What an mpmath step may use: the problem's oracle, ``lr`` and the hyperparameters.

    ``f``, ``grad``, ``hess`` and ``d3`` map an ``(n, 1)`` column to ``f``, the gradient
    column, the Hessian matrix and (one variable) :math:`g''`; they raise
    :class:`Breakdown` on a non-real or non-finite value. ``lr(k)`` is the step size at
    step ``k``; ``hyper`` the hyperparameters as ``mpmath.mpf``.

    Example:
      >>> ctx = MpContext(1, None, None, None, None, lambda k: mpmath.mpf(1), {})
      >>> ctx.n, ctx.lr(0)
      (1, mpf('1.0'))
    """

    n: int
    f: Callable | None
    grad: Callable | None
    hess: Callable | None
    d3: Callable | None
    lr: Callable[[int], Any]
    hyper: Mapping[str, Any]


def _map(fn, *cols):
    """Elementwise ``fn`` over columns of equal length (optax acts per coordinate)."""
    return mpmath.matrix([fn(*(c[i] for c in cols)) for i in range(cols[0].rows)])


def _dot(a, b):
    return mpmath.fsum(a[i] * b[i] for i in range(a.rows))


def _zeros(ctx, x0, g0):
    return mpmath.matrix(ctx.n, 1)


# ----------------------------------------------------------------------- first order
def gd(ctx, k, x, fx, gx, state):
    return x - ctx.lr(k) * gx, state


def momentum(ctx, k, x, fx, gx, v):
    v = _map(lambda g, t: g + ctx.hyper["beta"] * t, gx, v)  # optax trace
    return x - ctx.lr(k) * v, v


def nesterov(ctx, k, x, fx, gx, v):
    b = ctx.hyper["beta"]
    v = _map(lambda g, t: g + b * t, gx, v)
    return x - ctx.lr(k) * _map(lambda g, t: g + b * t, gx, v), v  # trace, nesterov=True


def adagrad_init(ctx, x0, g0):
    return _map(lambda _: ctx.hyper["initial_accumulator_value"], x0)


def adagrad(ctx, k, x, fx, gx, s):
    eps = ctx.hyper["eps"]
    s = _map(lambda g, t: g * g + t, gx, s)  # scale_by_rss
    u = _map(lambda g, t: g / mpmath.sqrt(t + eps) if t > 0 else mpmath.mpf(0), gx, s)
    return x - ctx.lr(k) * u, s


def rmsprop(ctx, k, x, fx, gx, nu):
    d, eps = ctx.hyper["decay"], ctx.hyper["eps"]
    nu = _map(lambda g, t: (1 - d) * g * g + d * t, gx, nu)  # scale_by_rms, eps_in_sqrt
    return x - ctx.lr(k) * _map(lambda g, n: g / mpmath.sqrt(n + eps), gx, nu), nu


def adadelta_init(ctx, x0, g0):
    return _zeros(ctx, x0, g0), _zeros(ctx, x0, g0)


def adadelta(ctx, k, x, fx, gx, state):
    e_g, e_x = state
    rho, eps = ctx.hyper["rho"], ctx.hyper["eps"]
    e_g = _map(lambda g, t: (1 - rho) * g * g + rho * t, gx, e_g)
    u = _map(lambda g, eg, ex: mpmath.sqrt(ex + eps) / mpmath.sqrt(eg + eps) * g, gx, e_g, e_x)
    e_x = _map(lambda v, t: (1 - rho) * v * v + rho * t, u, e_x)
    return x - ctx.lr(k) * u, (e_g, e_x)


def adam_init(ctx, x0, g0):
    return 0, _zeros(ctx, x0, g0), _zeros(ctx, x0, g0)


def adam(ctx, k, x, fx, gx, state):
    count, mu, nu = state
    b1, b2, eps = ctx.hyper["b1"], ctx.hyper["b2"], ctx.hyper["eps"]
    mu = _map(lambda g, t: (1 - b1) * g + b1 * t, gx, mu)
    nu = _map(lambda g, t: (1 - b2) * g * g + b2 * t, gx, nu)
    count += 1
    c1, c2 = 1 - b1**count, 1 - b2**count  # bias corrections
    u = _map(lambda m, v: (m / c1) / (mpmath.sqrt(v / c2) + eps), mu, nu)
    return x - ctx.lr(k) * u, (count, mu, nu)


# ---------------------------------------------------------------------- line searches
def _armijo(ctx, x, fx, d, slope, t):
    """As the JAX ``armijo``: the first ``t rho^i`` passing Armijo's test, ``i <
    max_backtracks``, else ``t rho^max_backtracks``; a trial outside the domain fails."""
    c, rho = ctx.hyper["c"], ctx.hyper["rho"]
    for _ in range(int(ctx.hyper["max_backtracks"])):
        try:
            if ctx.f(x + t * d) <= fx + c * t * slope:
                return t
        except (Breakdown, ZeroDivisionError):
            pass
        t = t * rho
    return t


def gd_armijo(ctx, k, x, fx, gx, state):
    t = _armijo(ctx, x, fx, -gx, -_dot(gx, gx), ctx.lr(k))
    return x - t * gx, state


def exact_line_search(ctx, k, x, fx, gx, state):
    gHg = _dot(gx, ctx.hess(x) * gx)
    alpha = _dot(gx, gx) / gHg if gHg > 0 else mpmath.mpf(0)
    return x - alpha * gx, state


# ---------------------------------------------------------------------- second order
def newton(ctx, k, x, fx, gx, state):
    return x - ctx.lr(k) * mpmath.lu_solve(ctx.hess(x), gx), state


def newton_armijo(ctx, k, x, fx, gx, state):
    try:
        d = -mpmath.lu_solve(ctx.hess(x), gx)
    except ZeroDivisionError:  # singular Hessian: the failed solve of the JAX step
        d = None
    if d is None or not _dot(gx, d) < 0:  # not a descent direction: steepest descent
        d = -gx
    return x + _armijo(ctx, x, fx, d, _dot(gx, d), ctx.lr(k)) * d, state


def bfgs_init(ctx, x0, g0):
    return mpmath.eye(ctx.n)


def bfgs(ctx, k, x, fx, gx, H):
    d = -(H * gx)
    if not _dot(gx, d) < 0:
        d = -gx
    s = _armijo(ctx, x, fx, d, _dot(gx, d), ctx.lr(k)) * d
    x_new = x + s
    y = ctx.grad(x_new) - gx
    sy = _dot(s, y)
    if sy > 0:  # the curvature condition; else the update is skipped
        if k == 0:  # Nocedal & Wright (6.20): H0 = (s.y / y.y) I before the first update
            H = (sy / _dot(y, y)) * mpmath.eye(ctx.n)
        V = mpmath.eye(ctx.n) - (s * y.T) / sy
        H = V * H * V.T + (s * s.T) / sy
    return x_new, H


def secant_init(ctx, x0, g0):
    x_prev = x0 + ctx.hyper["h"] * (1 + abs(x0[0]))
    return x_prev, ctx.grad(x_prev)


def secant(ctx, k, x, fx, gx, state):
    x_prev, g_prev = state
    dg = gx[0] - g_prev[0]
    if dg == 0:  # the iterates coincide in working precision: stay
        return x, (x, gx)
    return x - ctx.lr(k) * gx[0] * (x - x_prev) / dg, (x, gx)


def halley(ctx, k, x, fx, gx, state):
    g, g1, g2 = gx[0], ctx.hess(x)[0, 0], ctx.d3(x)
    den = 2 * g1 * g1 - g * g2
    if den == 0:  # as the JAX step: no step
        return x, state
    return x - mpmath.matrix([ctx.lr(k) * (2 * g * g1 / den)]), state
