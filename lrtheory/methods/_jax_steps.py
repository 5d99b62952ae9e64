"""JAX steps of the methods written here (the others are optax transformations).

Each builder takes ``lr`` and the hyperparameters and returns ``(init, step, takes_grad)``;
the update rules are documented once, in ``methods.toml`` (read by :mod:`._catalogue`), and
the mpmath twins of these steps live in :mod:`._mp_steps`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._base import lr_at

__all__ = ["newton", "newton_armijo", "gd_armijo", "bfgs", "exact_line_search", "secant",
           "halley"]


def _none_init(x):
    return ()


def _t0(lr, k, x):
    return lr_at(lr, k) + jnp.zeros((), x.dtype)


def armijo(problem, x, d, slope, t0, c, rho, max_backtracks):
    """``t0 rho^i`` for the first ``i = 0..max_backtracks - 1`` with ``f(x + t d) <= f(x)
    + c t slope``, else ``t0 rho^max_backtracks``. A trial point where ``f`` is NaN fails
    the test (it is outside the domain), as in the mpmath twin.

    Example (f = x^2 from x = 1 along d = -2: t = 1 gives f = 1, not below 1 - 2e-4;
    t = 1/2 lands on 0):
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[2.0]], x0=[1.0])
      >>> float(armijo(p, jnp.ones(1), -2 * jnp.ones(1), -4.0, 1.0, 1e-4, 0.5, 40))
      0.5
    """
    f0 = problem.value(x)

    def cond(carry):
        t, i = carry
        return ~(problem.value(x + t * d) <= f0 + c * t * slope) & (i < max_backtracks)

    t, _ = jax.lax.while_loop(cond, lambda ti: (ti[0] * rho, ti[1] + 1), (t0, 0))
    return t


def newton(lr):
    def step(x, state, problem, k, key=None):
        return x + lr_at(lr, k) * -jnp.linalg.solve(problem.hess(x), problem.grad(x)), state

    return _none_init, step, False


def newton_armijo(lr, c, rho, max_backtracks):
    def step(x, state, problem, k, key=None, g=None):
        g = problem.grad(x) if g is None else g
        d = -jnp.linalg.solve(problem.hess(x), g)
        bad = ~(g @ d < 0) | ~jnp.all(jnp.isfinite(d))  # not a descent direction
        d = jnp.where(bad, -g, d)
        t = armijo(problem, x, d, g @ d, _t0(lr, k, x), c, rho, max_backtracks)
        return x + t * d, state

    return _none_init, step, True


def gd_armijo(lr, c, rho, max_backtracks):
    def step(x, state, problem, k, key=None, g=None):
        g = problem.grad(x) if g is None else g
        t = armijo(problem, x, -g, -(g @ g), _t0(lr, k, x), c, rho, max_backtracks)
        return x - t * g, state

    return _none_init, step, True


def bfgs(lr, c, rho, max_backtracks):
    def init(x):
        return jnp.eye(x.shape[0], dtype=x.dtype)

    def step(x, H, problem, k, key=None, g=None):
        g = problem.grad(x) if g is None else g
        eye = jnp.eye(x.shape[0], dtype=x.dtype)
        d = -H @ g
        d = jnp.where(g @ d < 0, d, -g)
        t = armijo(problem, x, d, g @ d, _t0(lr, k, x), c, rho, max_backtracks)
        s = t * d
        x_new = x + s
        y = problem.grad(x_new) - g
        sy = s @ y
        curved = sy > 0  # the curvature condition (Nocedal & Wright 6.7)
        # Nocedal & Wright (6.20): H0 = (s.y / y.y) I before the first update.
        scale = sy / jnp.where(curved, y @ y, 1.0)
        H = jnp.where((k == 0) & curved & jnp.isfinite(scale), scale * eye, H)
        r = 1.0 / jnp.where(curved, sy, 1.0)
        V = eye - r * jnp.outer(s, y)
        H_new = V @ H @ V.T + r * jnp.outer(s, s)
        ok = curved & jnp.all(jnp.isfinite(H_new))
        return x_new, jnp.where(ok, H_new, H)

    return init, step, True


def exact_line_search(lr):
    def step(x, state, problem, k, key=None, g=None):
        g = problem.grad(x) if g is None else g
        gHg = g @ (problem.hess(x) @ g)
        alpha = jnp.where(gHg > 0, (g @ g) / jnp.where(gHg > 0, gHg, 1.0), 0.0)
        return x - alpha * g, state

    return _none_init, step, True


def secant(lr, h):
    def init(x):
        return x + h * (1.0 + jnp.abs(x))  # the second start x_{-1}

    def step(x, x_prev, problem, k, key=None, g=None):
        g = problem.grad(x) if g is None else g
        dg = g - problem.grad(x_prev)
        safe = dg != 0  # g == g_prev: the iterates coincide in working precision; stay
        x_new = x - lr_at(lr, k) * g * (x - x_prev) / jnp.where(safe, dg, 1.0)
        return jnp.where(safe, x_new, x), x

    return init, step, True


def halley(lr):
    def step(x, state, problem, k, key=None):
        g = problem.grad(x)[0]
        g1 = problem.hess(x)[0, 0]
        g2 = jax.grad(lambda z: problem.hess(z)[0, 0])(x)[0]
        den = 2.0 * g1 * g1 - g * g2
        dx = 2.0 * g * g1 / jnp.where(den != 0, den, 1.0)
        return x - lr_at(lr, k) * jnp.where(den != 0, dx, 0.0), state

    return _none_init, step, False
