"""Sums of one SymPy term over coordinates, evaluated as vectorised JAX.

A function such as :math:`f(x) = \\sum_i t(x_i)` (separable) or
:math:`f(x) = \\sum_{i=1}^{n-1} t(x_i, x_{i+1})` (chained) is defined by its term ``t``
once in SymPy. The term and its first and second partial derivatives are lambdified to
element-wise JAX functions and assembled with array slices, so the cost of building
and compiling does not grow with ``n`` (a lambdified ``n``-entry gradient would). The
full SymPy expression is built only on demand (``expr_fn``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax.numpy as jnp
import sympy as sp

__all__ = ["VectorFns", "separable", "chained"]


class VectorFns(NamedTuple):
    """value, grad, hess of a sum of terms, its variables, and its SymPy builder."""

    value: Callable
    grad: Callable
    hess: Callable
    symbols: tuple[sp.Symbol, ...]
    expr_fn: Callable[[], sp.Expr]


def _elementwise(args: tuple[sp.Symbol, ...], e: sp.Expr) -> Callable:
    fn = sp.lambdify(args, e, modules="jax")

    def call(*xs):
        # A constant derivative lambdifies to a Python number: broadcast it to the input.
        return jnp.zeros_like(xs[0]) + fn(*xs)

    return call


def _variables(dim: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.symbols(f"x1:{dim + 1}"))


def separable(term: sp.Expr, a: sp.Symbol, dim: int) -> VectorFns:
    r""":math:`f(x) = \sum_{i=1}^{n} t(x_i)`; gradient :math:`t'(x_i)`, Hessian
    :math:`\mathrm{diag}(t''(x_i))`."""
    t = _elementwise((a,), term)
    t1 = _elementwise((a,), sp.diff(term, a))
    t2 = _elementwise((a,), sp.diff(term, a, 2))
    syms = _variables(dim)

    def value(x):
        return jnp.sum(t(x))

    def grad(x):
        return t1(x)

    def hess(x):
        return jnp.diag(t2(x))

    def expr_fn():
        return sp.Add(*[term.subs(a, s) for s in syms])

    return VectorFns(value, grad, hess, syms, expr_fn)


def chained(term: sp.Expr, a: sp.Symbol, b: sp.Symbol, dim: int) -> VectorFns:
    r""":math:`f(x) = \sum_{i=1}^{n-1} t(x_i, x_{i+1})` (``dim >= 2``).

    :math:`\partial_i f = t_a(x_i, x_{i+1}) + t_b(x_{i-1}, x_i)` (missing terms are 0);
    the Hessian is tridiagonal with diagonal :math:`t_{aa}(x_i, x_{i+1}) + t_{bb}(x_{i-1},
    x_i)` and off-diagonal :math:`t_{ab}(x_i, x_{i+1})`.
    """
    ab = (a, b)
    t = _elementwise(ab, term)
    ta, tb = (_elementwise(ab, sp.diff(term, s)) for s in ab)
    taa = _elementwise(ab, sp.diff(term, a, 2))
    tbb = _elementwise(ab, sp.diff(term, b, 2))
    tab = _elementwise(ab, sp.diff(term, a, b))
    syms = _variables(dim)

    def value(x):
        return jnp.sum(t(x[:-1], x[1:]))

    def grad(x):
        lo, hi = x[:-1], x[1:]
        return jnp.pad(ta(lo, hi), (0, 1)) + jnp.pad(tb(lo, hi), (1, 0))

    def hess(x):
        lo, hi = x[:-1], x[1:]
        diag = jnp.pad(taa(lo, hi), (0, 1)) + jnp.pad(tbb(lo, hi), (1, 0))
        off = tab(lo, hi)
        return jnp.diag(diag) + jnp.diag(off, 1) + jnp.diag(off, -1)

    def expr_fn():
        return sp.Add(*[term.subs({a: s, b: s2}, simultaneous=True)
                        for s, s2 in zip(syms[:-1], syms[1:], strict=True)])

    return VectorFns(value, grad, hess, syms, expr_fn)
