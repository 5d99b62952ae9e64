r"""Vectorised JAX residuals of the variable-dimension MGH functions (20-35).

The SymPy residuals of these functions are lists of ``m`` expressions with up to ``n`` terms
each; lambdified they become ``O(m n)`` scalar operations, which JAX traces and compiles
slowly (seconds per Hessian at ``n = 10``). Here the same residuals are written once with
array operations, in the paper's notation; ``tests/test_mgh.py`` checks them against the
SymPy expressions at 30 digits.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["VECTORISED"]


def _interleave(*cols):
    return jnp.stack(cols, axis=1).reshape(-1)


def extended_rosenbrock(x, n, m):
    a, b = x[0::2], x[1::2]
    return _interleave(10 * (b - a**2), 1 - a)


def extended_powell(x, n, m):
    a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
    return _interleave(a + 10 * b, np.sqrt(5.0) * (c - d), (b - 2 * c) ** 2,
                       np.sqrt(10.0) * (a - d) ** 2)


def penalty1(x, n, m):
    return jnp.concatenate([np.sqrt(1e-5) * (x - 1), jnp.sum(x * x)[None] - 0.25])


def penalty2(x, n, m):
    a = np.sqrt(1e-5)
    e = jnp.exp(x / 10)
    i = np.arange(2, n + 1)
    y = np.exp(i / 10) + np.exp((i - 1) / 10)
    return jnp.concatenate([x[:1] - 0.2, a * (e[1:] + e[:-1] - y), a * (e[1:] - np.exp(-0.1)),
                            jnp.sum(np.arange(n, 0, -1) * x * x)[None] - 1])


def variably_dimensioned(x, n, m):
    s = jnp.sum(np.arange(1, n + 1) * (x - 1))
    return jnp.concatenate([x - 1, s[None], (s * s)[None]])


def trigonometric(x, n, m):
    c = jnp.cos(x)
    return n - jnp.sum(c) + np.arange(1, n + 1) * (1 - c) - jnp.sin(x)


def brown_almost_linear(x, n, m):
    return jnp.concatenate([x[:-1] + jnp.sum(x) - (n + 1), jnp.prod(x)[None] - 1])


def _grid(n):
    h = 1.0 / (n + 1)
    return h, h * np.arange(1, n + 1)


def discrete_boundary_value(x, n, m):
    h, t = _grid(n)
    xs = jnp.pad(x, 1)
    return 2 * x - xs[:-2] - xs[2:] + h * h * (x + t + 1) ** 3 / 2


def discrete_integral_equation(x, n, m):
    h, t = _grid(n)
    c = (x + t + 1) ** 3
    left = jnp.cumsum(t * c)                                  # sum_{j <= i} t_j c_j
    w = (1 - t) * c
    right = jnp.sum(w) - jnp.cumsum(w)                        # sum_{j > i} (1 - t_j) c_j
    return x + h * ((1 - t) * left + t * right) / 2


def broyden_tridiagonal(x, n, m):
    xs = jnp.pad(x, 1)
    return (3 - 2 * x) * x - xs[:-2] - 2 * xs[2:] + 1


def _band(n, ml=5, mu=1):
    i, j = np.indices((n, n))
    return ((j >= i - ml) & (j <= i + mu) & (j != i)).astype(float)


def broyden_banded(x, n, m):
    return x * (2 + 5 * x * x) + 1 - _band(n) @ (x * (1 + x))


def linear_full_rank(x, n, m):
    s = 2.0 / m * jnp.sum(x)
    return jnp.concatenate([x - s - 1, jnp.full(m - n, -1.0, x.dtype) - s])


def linear_rank1(x, n, m):
    s = jnp.sum(np.arange(1, n + 1) * x)
    return np.arange(1, m + 1) * s - 1


def linear_rank1_zero(x, n, m):
    s = jnp.sum(np.arange(2, n) * x[1:-1])
    inner = np.arange(1, m - 1) * s - 1                        # (i - 1) s - 1, i = 2..m-1
    minus = -jnp.ones(1, x.dtype)
    return jnp.concatenate([minus, inner, minus])


def chebyquad(x, n, m):
    z = 2 * x - 1
    T = [jnp.ones_like(z), z]
    for _ in range(2, m + 1):
        T.append(2 * z * T[-1] - T[-2])
    i = np.arange(1, m + 1)
    integral = np.array([-1.0 / (k * k - 1.0) if k % 2 == 0 else 0.0 for k in i])
    return jnp.stack([jnp.mean(Ti) for Ti in T[1:]]) - integral


VECTORISED = {f.__name__: f for f in (
    extended_rosenbrock, extended_powell, penalty1, penalty2, variably_dimensioned,
    trigonometric, brown_almost_linear, discrete_boundary_value, discrete_integral_equation,
    broyden_tridiagonal, broyden_banded, linear_full_rank, linear_rank1, linear_rank1_zero,
    chebyquad)}
