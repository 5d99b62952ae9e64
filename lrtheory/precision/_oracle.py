"""The problem side of an mpmath run: the expression, its derivatives as mpmath callables,
and the refinement of a float ``x_star`` to full precision."""

from __future__ import annotations

import functools

import mpmath
import sympy as sp

from lrtheory.methods import Breakdown
from lrtheory.problems._base import _natural_key, parse_expr

from ._numbers import real

__all__ = ["oracle", "resolve", "refine", "dist"]


def _d(e, s, n=1):
    # DiracDelta terms of kinks are dropped (the derivative where it exists).
    return sp.diff(e, s, n).replace(sp.DiracDelta, lambda *a: sp.S.Zero)


def oracle(expr, syms, mode: str = "minimize"):
    """mpmath callables of an ``(n, 1)`` column: ``(f, grad, hess, d3)``.

    ``mode="minimize"``: :math:`f`, :math:`\\nabla f`, :math:`\\nabla^2 f` and (one
    variable) :math:`f'''`. ``mode="root"`` (one variable, ``expr`` is :math:`g`):
    :math:`|g|`, :math:`g`, :math:`g'`, :math:`g''`. Each raises
    :class:`~lrtheory.methods.Breakdown` on a non-real or non-finite value.

    Example (root mode on g = x^2 - 2 at x = 1: |g| = 1, g = -1, g' = 2, g'' = 2):
      >>> x = sp.Symbol("x")
      >>> f, g, h, d3 = oracle(x**2 - 2, (x,), "root")
      >>> p = mpmath.matrix([1])
      >>> f(p), g(p)[0], h(p)[0, 0], d3(p)
      (mpf('1.0'), mpf('-1.0'), mpf('2.0'), mpf('2.0'))
    """
    n = len(syms)
    # Real variables: d|x|/dx = sign(x), not SymPy's complex re/im form (as from_expr does).
    real_syms = tuple(sp.Dummy(s.name, real=True) for s in syms)
    expr = expr.xreplace(dict(zip(syms, real_syms, strict=True)))
    syms = real_syms
    if mode == "root":
        value, grads = sp.Abs(expr), [expr]
    else:
        value, grads = expr, [_d(expr, s) for s in syms]
    f_l = sp.lambdify(syms, value, modules="mpmath")
    g_l = sp.lambdify(syms, grads, modules="mpmath")

    @functools.cache  # the Hessian only when used (Newton-type, refining x_star)
    def h_l():
        return sp.lambdify(syms, [[_d(g, s) for s in syms] for g in grads], modules="mpmath")

    @functools.cache
    def t_l():
        return sp.lambdify(syms, _d(grads[0], syms[0], 2), modules="mpmath")

    def args(x):
        return [x[i] for i in range(n)]

    return (lambda x: real(f_l(*args(x))),
            lambda x: mpmath.matrix([real(v) for v in g_l(*args(x))]),
            lambda x: mpmath.matrix([[real(v) for v in r] for r in h_l()(*args(x))]),
            None if n != 1 else lambda x: real(t_l()(*args(x))))


def resolve(problem, symbols):
    """(expr, symbols, the problem's x0 or None, its x_star or None).

    Example:
      >>> resolve("x2 + x10 + x1", None)[1]
      (x1, x2, x10)
    """
    if hasattr(problem, "expr") and hasattr(problem, "symbols"):
        if problem.expr is None:
            raise ValueError(f"problem={problem!r} has no SymPy expression (expr is None)")
        expr, x0, xs = problem.expr, getattr(problem, "x0", None), problem.x_star
        syms = symbols if symbols is not None else problem.symbols
    else:
        expr, x0, xs = parse_expr(problem, "problem"), None, None
        syms = symbols if symbols is not None else sorted(expr.free_symbols, key=_natural_key)
    syms = tuple(sp.Symbol(s) if isinstance(s, str) else s for s in syms)
    missing = expr.free_symbols - set(syms)
    if missing or not syms:
        raise ValueError(f"symbols={[str(s) for s in syms]} must list every free symbol of "
                         f"{expr}; missing {sorted(map(str, missing))}")
    return expr, syms, x0, xs


def dist(x, y) -> mpmath.mpf:
    """Euclidean distance of two columns, entry by entry (``mpmath.matrix`` subtraction
    would round a guard-digit ``x_star`` first).

    Example:
      >>> dist(mpmath.matrix([3, 0]), mpmath.matrix([0, 4]))
      mpf('5.0')
    """
    return mpmath.sqrt(mpmath.fsum((x[i] - y[i]) ** 2 for i in range(x.rows)))


def refine(grad, hess, guess, digits):
    """The zero of ``grad`` near a float64 ``guess``, to ``digits`` (+20 guard) digits.

    Example (the zero of x^2 - 2 near 1.41421356: sqrt 2):
      >>> x = sp.Symbol("x")
      >>> _, g, h, _ = oracle(x**3 / 3 - 2 * x, (x,))
      >>> with mpmath.workdps(40):
      ...     mpmath.nstr(refine(g, h, mpmath.matrix([1.41421356]), 40)[0], 30)
      '1.41421356237309504880168872421'
    """
    if mpmath.norm(grad(guess)) == 0:
        return guess
    try:
        with mpmath.workdps(digits + 20):
            r = mpmath.findroot(lambda *a: list(grad(mpmath.matrix(a))), list(guess),
                                solver="mdnewton", J=lambda *a: hess(mpmath.matrix(a)),
                                maxsteps=60)
    except (ValueError, ZeroDivisionError, Breakdown) as e:
        raise ValueError(
            f"x_star={[float(v) for v in guess]} could not be refined to a stationary point "
            f"at {digits} digits ({type(e).__name__}: {str(e).splitlines()[0]}); pass it "
            "exactly (string, SymPy number or mpf)") from e
    r = mpmath.matrix([r[i] for i in range(guess.rows)])
    if dist(r, guess) > mpmath.mpf("1e-6") * max(1, mpmath.norm(guess)):
        raise ValueError(f"x_star={[float(v) for v in guess]} is not near a stationary "
                         f"point: refinement moved it to {[float(v) for v in r]}")
    return r
