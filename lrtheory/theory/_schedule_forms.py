"""Shapes of a schedule formula that :func:`~lrtheory.theory.schedule_limit` reads:
where it settles into one expression (warm-up: ``Min``/``Max``/``Piecewise``), whether
it repeats (cyclical), and exact products of its factors."""

from __future__ import annotations

import math

import mpmath
import sympy as sp

__all__ = ["eventual", "period", "product"]

# Products of more factors than this are taken in mpmath at 50 digits, not exactly.
EXACT_FACTORS = 10_000


def _eventually(cond, k) -> tuple[bool, int]:
    """(holds for all large k, K from which that is so) for a condition in k."""
    if cond is sp.true or cond is sp.false:
        return bool(cond), 0
    try:
        s = sp.solveset(cond, k, sp.Interval(0, sp.oo))
    except (NotImplementedError, ValueError, TypeError) as e:
        raise ValueError(f"cannot decide where the condition {cond} holds: {e}") from e
    if s.is_empty:
        return False, 0
    if s.sup is not sp.oo:
        return False, math.floor(s.sup) + 1
    last = s.args[-1] if isinstance(s, sp.Union) else s
    if not isinstance(last, sp.Interval) or last.sup is not sp.oo:
        raise ValueError(f"cannot decide where the condition {cond} holds (got {s})")
    return True, math.ceil(last.inf)


def eventual(lr: sp.Expr, k: sp.Symbol) -> tuple[sp.Expr, int]:
    r"""``(tail, K)`` with ``lr(k) == tail(k)`` for every integer ``k >= K``.

    A ``Piecewise`` takes, for large k, the first branch whose condition holds from some
    K on (every earlier condition failing from some K on; ``sympy.solveset`` over
    :math:`[0, \infty)`). ``Min``/``Max`` are read as such a ``Piecewise``; where their
    conditions cannot be decided (e.g. the ``Max`` inside a cyclical schedule) the node
    is kept as it is. Sums and products are handled term by term.

    >>> k = sp.Symbol("k", integer=True, nonnegative=True)
    >>> eventual(sp.Min(1, k / 10) / 2, k)
    (1/2, 10)
    """
    if not lr.has(sp.Min, sp.Max, sp.Piecewise):
        return lr, 0
    if isinstance(lr, (sp.Add, sp.Mul, sp.Pow)):
        parts = [eventual(a, k) for a in lr.args]
        return lr.func(*[t for t, _ in parts]), max(K for _, K in parts)
    if isinstance(lr, (sp.Min, sp.Max)):
        if lr.has(sp.floor, sp.ceiling, sp.Mod):  # a cyclical piece: leave it to period()
            return lr, 0
        try:
            return eventual(lr.rewrite(sp.Piecewise), k)
        except ValueError:
            return lr, 0
    if isinstance(lr, sp.Piecewise):
        K = 0
        for expr, cond in lr.args:
            holds, at = _eventually(cond, k)
            K = max(K, at)
            if holds:
                tail, K2 = eventual(expr, k)
                return tail, max(K, K2)
        raise ValueError(f"schedule={lr}: no branch holds for large k")
    return lr, 0


def period(lr: sp.Expr, k: sp.Symbol, hint: int | None = None) -> int | None:
    """The smallest period P > 1 with ``lr(k + P) == lr(k)`` for every integer k >= 0,
    proved, or ``None``.

    Candidates: ``hint``, else the common multiple L of the periods of the
    ``floor``/``ceiling`` atoms :math:`\\lfloor a k + b\rfloor` (the denominator of a
    rational ``a``; ``Mod(k, q)`` counts as period q); its divisors are screened on
    exact values over two periods, and the smallest that passes is proved: by
    ``sympy.simplify(lr(k + P) - lr(k)) == 0``, or, writing :math:`k = Lm + r`, where
    every floor term becomes :math:`(\text{integer})\\cdot m + \text{const}`, by
    checking each residue r.

    >>> k = sp.Symbol("k", integer=True, nonnegative=True)
    >>> period(sp.Abs(k - 4 * sp.floor(k / 4) - 2), k), period(2**-k, k)
    (4, None)
    """
    if hint is not None:
        L = int(hint)
    else:
        qs = set()
        for f in lr.atoms(sp.floor, sp.ceiling):
            a = sp.diff(f.args[0], k)
            if a.free_symbols or not a.is_Rational or a == 0:
                return None
            qs.add(int(sp.Rational(a).q))
        for f in lr.atoms(sp.Mod):
            if f.args[1].is_Integer and sp.diff(f.args[0], k).is_Integer:
                qs.add(int(f.args[1]))
        if not qs:
            return None
        L = math.lcm(*qs)
    if L < 2:
        return None
    f = sp.lambdify(k, lr, "mpmath")
    with mpmath.workdps(30):
        vals = [f(j) for j in range(3 * L)]
        tol = mpmath.mpf(10) ** -25 * max(1, max(abs(v) for v in vals))
    for d in sorted(sp.divisors(L)):  # screen in mpmath, then prove
        if d < 2 or any(abs(vals[j + d] - vals[j]) > tol for j in range(2 * L)):
            continue
        if sp.simplify(lr.subs(k, k + d) - lr) == 0:
            return d
        m = sp.Symbol("m", integer=True, nonnegative=True)
        if all(_vanishes(lr.subs(k, L * m + r + d) - lr.subs(k, L * m + r), m)
               for r in range(L)):
            return d
    return None


def _vanishes(e: sp.Expr, m: sp.Symbol) -> bool:
    """Whether e is 0 for every integer m >= 0: exactly when e no longer depends on m
    (the floor terms reduced), else by sympy.simplify."""
    e = sp.expand(e)
    if e == 0:
        return True
    if not e.has(m):
        return bool(sp.nsimplify(e) == 0) or abs(sp.N(e, 40)) < 1e-35
    return sp.simplify(e) == 0


def product(factor: sp.Expr, k: sp.Symbol, start: int, stop: int) -> sp.Expr:
    """:math:`\\prod_{start \\le j < stop}` ``factor(j)``: exact for up to
    :data:`EXACT_FACTORS` factors, else an mpmath product at 50 digits (a Float).

    >>> k = sp.Symbol("k")
    >>> product(1 - 1 / (k + 2), k, 0, 3)
    1/4
    """
    if stop - start <= EXACT_FACTORS:
        return sp.Mul(*[factor.subs(k, j) for j in range(start, stop)])
    f = sp.lambdify(k, factor, "mpmath")
    with mpmath.workdps(50):
        out = mpmath.mpf(1)
        for j in range(start, stop):
            out *= f(j)
        return sp.Float(mpmath.nstr(out, 50), 50)
