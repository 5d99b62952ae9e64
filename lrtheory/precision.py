r"""The iterations of :mod:`lrtheory.methods` in mpmath at many digits.

Superlinear methods exhaust float64 after three or four iterates, so their order ``q``
and constant ``C`` cannot be measured there. :func:`run_mp` repeats the iterations on a
SymPy expression with ``digits`` significant decimal digits (default 200), all inside
``mpmath.workdps(digits)``, and returns a :class:`~lrtheory.trajectory.Trajectory`.

**Its arrays hold** ``mpmath.mpf`` **values** (numpy ``object`` arrays), not floats, so
errors far below 1e-308 survive (``float(e)`` turns them into 0): take logarithms with
``mpmath.log``. Each value keeps the precision it was computed with.

Methods (:data:`METHODS`; :math:`g = \nabla f`, :math:`H = \nabla^2 f`, :math:`a_k` =
``lr``, a number, a SymPy expression in ``k`` or a callable ``k -> lr``; strings and SymPy
numbers are exact at any precision, a float is its binary value):

- ``gd``: :math:`x_{k+1} = x_k - a_k g(x_k)`.
- ``heavy_ball`` (``"momentum"`` in :mod:`lrtheory.methods`):
  :math:`x_{k+1} = x_k - a_k g(x_k) + \beta (x_k - x_{k-1})`, :math:`x_{-1} = x_0`.
- ``nesterov``: :math:`y = x_k + \beta (x_k - x_{k-1})`, :math:`x_{k+1} = y - a_k g(y)`.
- ``newton`` / ``damped_newton``: :math:`x_{k+1} = x_k - a_k H(x_k)^{-1} g(x_k)`
  (``lr`` 1 by default / required).
- ``secant`` (one variable, root of :math:`f'`):
  :math:`x_{k+1} = x_k - a_k f'(x_k)(x_k - x_{k-1}) / (f'(x_k) - f'(x_{k-1}))`, second
  start :math:`x_{-1} = x_0 + h (1 + |x_0|)`, ``h = 1/100`` by default (as
  :mod:`lrtheory.methods`); equal slopes mean convergence in working precision: stay.
- ``halley`` (one variable, root of :math:`g = f'`, uses :math:`f''` and :math:`f'''`):
  :math:`x_{k+1} = x_k - a_k\, 2 g g' / (2 g'^2 - g g'')`.
- ``bfgs``: :math:`x_{k+1} = x_k + t_k p_k`, :math:`p_k = -B_k g_k` (:math:`-g_k` if that
  is not a descent direction), inverse-Hessian update
  :math:`B_{k+1} = (I - \rho s y^\top) B_k (I - \rho y s^\top) + \rho s s^\top`,
  :math:`\rho = 1/y^\top s`, skipped when :math:`y^\top s \le 0` (Nocedal & Wright 2006,
  eq. 6.17); :math:`B_0` = ``H0`` (identity by default, *not* rescaled, unlike
  :mod:`lrtheory.methods`). :math:`t_k = a_k` (default 1), or with ``line_search=True``
  the first :math:`t = a_k 2^{-i}`, :math:`i < 40`, with Armijo's
  :math:`f(x + t p) \le f(x) + 10^{-4} t\, g^\top p` (else the last one tried);
  the ``lr`` record holds :math:`t_k`.

Stopping: the run **ends early** (a trajectory with fewer than ``steps`` steps) at the
working precision's floor. An iterate whose error is positive but at most
``10**-(digits - margin) * max(1, |x*|)`` (without ``x_star``: whose step norm is at most
that relative to ``max(1, |x_k|)``) is round-off and **not recorded**; an exact hit
(error, step or gradient exactly 0; the gradient and step rules not for the momentum
methods) is recorded and ends the run. So every recorded error above 0 carries at least
``margin`` correct digits, and estimators need only drop trailing exact zeros.
Divergence follows :func:`lrtheory.run`: a non-real or non-finite value, a division by
zero (singular Hessian) or :math:`\|x_k\| >` ``blowup`` :math:`\max(1, \|x_0\|,
\|x^\star\|)` sets ``diverged_at = k``; later records are frozen copies of record
``k - 1`` (``step_norm`` 0, ``lr`` the schedule's value), up to ``steps``.

``x_star`` (the argument, else the problem's): a point given in Python/numpy floats is
refined to full precision by ``mpmath.findroot`` (multidimensional Newton on the gradient
with 20 guard digits; skipped where the gradient is exactly 0); exact values (ints,
strings, SymPy numbers, mpf) are taken as given (strings and SymPy with 20 guard digits).

References:
  Polyak (1964), Some methods of speeding up the convergence of iteration methods.
  Nesterov (1983), A method for solving the convex programming problem with convergence
  rate O(1/k^2). Traub (1964), Iterative Methods for the Solution of Equations.
  Nocedal & Wright (2006), Numerical Optimization, 2nd ed., ch. 3 and 6.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any, NamedTuple

import mpmath
import numpy as np
import sympy as sp

from lrtheory.problems._base import _natural_key, parse_expr
from lrtheory.trajectory import NEVER, Trajectory

__all__ = ["run_mp", "MpMethod", "METHODS", "NAMES"]


class _Breakdown(Exception):
    """No usable value: non-real or non-finite."""


class _Ctx(NamedTuple):
    n: int
    f: Callable
    grad: Callable
    hess: Callable | None
    d3: Callable | None
    lr: Callable[[int], Any]
    beta: Any
    h: Any
    H0: Any
    line_search: bool


class MpMethod(NamedTuple):
    """A registered high-precision iteration.

    ``init(ctx, x0, g0) -> state``; ``step(ctx, k, x, f(x), g(x), state) -> (x_next,
    state, lr_used)``; ``hyper``/``required``: keywords of :func:`run_mp` it accepts /
    needs; ``needs``: highest derivative (``"grad"``, ``"hess"``, ``"d3"``).

    Example:
      >>> m = METHODS["heavy_ball"]
      >>> sorted(m.required), m.needs, m.momentum
      (['beta', 'lr'], 'grad', True)
    """

    name: str
    init: Callable
    step: Callable
    hyper: frozenset[str]
    required: frozenset[str]
    needs: str
    scalar_only: bool = False
    momentum: bool = False


# ----------------------------------------------------------------------- the iterations
def _none(ctx, x0, g0):
    return None


def _x0(ctx, x0, g0):
    return x0


def _gd(ctx, k, x, fx, gx, state):
    a = ctx.lr(k)
    return x - a * gx, None, a


def _heavy_ball(ctx, k, x, fx, gx, x_prev):
    a = ctx.lr(k)
    return x - a * gx + ctx.beta * (x - x_prev), x, a


def _nesterov(ctx, k, x, fx, gx, x_prev):
    a = ctx.lr(k)
    y = x + ctx.beta * (x - x_prev)
    return y - a * ctx.grad(y), x, a


def _newton(ctx, k, x, fx, gx, state):
    a = ctx.lr(k)
    return x - a * mpmath.lu_solve(ctx.hess(x), gx), None, a


def _secant_init(ctx, x0, g0):
    x_prev = x0 + ctx.h * (1 + abs(x0[0]))
    return x_prev, ctx.grad(x_prev)


def _secant(ctx, k, x, fx, gx, state):
    (x_prev, g_prev), a = state, ctx.lr(k)
    dg = gx[0] - g_prev[0]
    if dg == 0:  # equal slopes: converged in working precision (as lrtheory.methods)
        return x, (x, gx), a
    return x - a * gx[0] * (x - x_prev) / dg, (x, gx), a


def _halley(ctx, k, x, fx, gx, state):
    g, g1, g2, a = gx[0], ctx.hess(x)[0, 0], ctx.d3(x), ctx.lr(k)
    return x - mpmath.matrix([a * 2 * g * g1 / (2 * g1**2 - g * g2)]), None, a


def _bfgs_init(ctx, x0, g0):
    return ctx.H0, None, None


def _bfgs(ctx, k, x, fx, gx, state):
    B, s, g_prev = state
    if s is not None:  # the update of the previous step, now that g(x_k) is known
        y = gx - g_prev
        sy = (s.T * y)[0]
        if sy > 0:  # curvature condition, else skip (Nocedal & Wright sec. 6.1)
            V = mpmath.eye(ctx.n) - (s * y.T) / sy
            B = V * B * V.T + (s * s.T) / sy
    p = -(B * gx)
    slope = (gx.T * p)[0]
    if slope >= 0:
        p, slope = -gx, -((gx.T * gx)[0])
    t = ctx.lr(k)
    if ctx.line_search:
        c1 = mpmath.mpf("1e-4")
        for i in range(40):
            try:
                if ctx.f(x + t * p) <= fx + c1 * t * slope or i == 39:
                    break
            except (_Breakdown, ZeroDivisionError):
                pass  # outside the domain: shorter step
            t = t / 2
    return x + t * p, (B, t * p, gx), t


def _m(name, init, step, hyper, required, needs, **kw):
    return MpMethod(name, init, step, frozenset(hyper), frozenset(required), needs, **kw)


#: Registry of the high-precision iterations, by name (read-only).
METHODS: types.MappingProxyType[str, MpMethod] = types.MappingProxyType({m.name: m for m in (
    _m("gd", _none, _gd, {"lr"}, {"lr"}, "grad"),
    _m("heavy_ball", _x0, _heavy_ball, {"lr", "beta"}, {"lr", "beta"}, "grad", momentum=True),
    _m("nesterov", _x0, _nesterov, {"lr", "beta"}, {"lr", "beta"}, "grad", momentum=True),
    _m("newton", _none, _newton, {"lr"}, (), "hess"),
    _m("damped_newton", _none, _newton, {"lr"}, {"lr"}, "hess"),
    _m("secant", _secant_init, _secant, {"lr", "h"}, (), "grad", scalar_only=True),
    _m("halley", _none, _halley, {"lr"}, (), "d3", scalar_only=True),
    _m("bfgs", _bfgs_init, _bfgs, {"lr", "H0", "line_search"}, (), "grad"),
)})
#: The registered names.
NAMES: tuple[str, ...] = tuple(METHODS)


# ----------------------------------------------------------------- numbers and points
def _real(v) -> mpmath.mpf:
    v = mpmath.mpmathify(v)
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise _Breakdown(f"non-real value {v}")
        v = v.real
    if not mpmath.isfinite(v):
        raise _Breakdown(f"non-finite value {v}")
    return v


def _num(v, name: str, guard: int = 0) -> tuple[mpmath.mpf, bool]:
    """A finite real mpf and whether ``v`` was exact (not a float). Strings and SymPy
    numbers are evaluated with ``guard`` extra digits."""
    if isinstance(v, bool | np.bool_):
        raise TypeError(f"{name} must be a real number; got the bool {v!r}")
    if isinstance(v, float | np.floating):
        out, exact = mpmath.mpf(float(v)), False
    elif isinstance(v, mpmath.mpf):
        out, exact = v, True  # as given, with its own precision
    elif isinstance(v, int | np.integer):
        out, exact = mpmath.mpf(int(v)), True
    elif isinstance(v, str | sp.Basic):
        e = parse_expr(v, name) if isinstance(v, str) else v
        if not isinstance(e, sp.Expr) or e.free_symbols or not e.is_real:
            raise ValueError(f"{name}={v!r} must be a real number")
        with mpmath.workdps(mpmath.mp.dps + guard):
            out, exact = mpmath.mpf(str(sp.N(e, mpmath.mp.dps + 10))), True
    else:
        raise TypeError(f"{name} must be a real number (int, float, str, SymPy, mpf); "
                        f"got {type(v).__name__} {v!r}")
    if not mpmath.isfinite(out):
        raise ValueError(f"{name} must be finite; got {v!r}")
    return out, exact


def _point(v, n: int, name: str, guard: int = 0) -> tuple[mpmath.matrix, bool]:
    """An ``(n, 1)`` column from a scalar (``n == 1``) or ``n`` numbers; exactness."""
    items = v.tolist() if isinstance(v, np.ndarray) else v
    if isinstance(items, mpmath.matrix):
        items = [items[i] for i in range(items.rows * items.cols)]
    if not isinstance(items, list | tuple):
        items = [items]
    if len(items) != n:
        raise ValueError(f"{name} must have {n} entries (one per variable); got "
                         f"{len(items)}: {v!r}")
    nums = [_num(u, name, guard) for u in items]
    return mpmath.matrix([u for u, _ in nums]), all(e for _, e in nums)


def _dist(x, y) -> mpmath.mpf:
    # Elementwise: mpmath.matrix subtraction rounds the guard-digit x_star first.
    return mpmath.sqrt(mpmath.fsum((x[i] - y[i]) ** 2 for i in range(x.rows)))


def _schedule(lr) -> Callable[[int], Any]:
    """``k -> lr_k`` (finite, positive mpf) from a constant, an expression in k, a callable."""
    if isinstance(lr, str) and "k" in lr:
        lr = parse_expr(lr, "lr")
    if isinstance(lr, sp.Expr) and lr.free_symbols:
        if {s.name for s in lr.free_symbols} != {"k"}:
            raise ValueError(f"lr={lr} may depend on the step symbol k only; it has "
                             f"{sorted(map(str, lr.free_symbols))}")
        lam = sp.lambdify(list(lr.free_symbols), lr, modules="mpmath")
        fn = lambda k: lam(mpmath.mpf(k))  # noqa: E731
    elif callable(lr):
        fn = lr
    else:
        c = _num(lr, "lr")[0]
        fn = lambda k: c  # noqa: E731

    def call(k):
        v = fn(k)
        try:
            a = _real(v) if isinstance(v, mpmath.mpf | mpmath.mpc) else _num(v, "lr")[0]
        except (_Breakdown, ValueError, TypeError):
            a = None
        if a is None or a <= 0:
            raise ValueError(f"lr at step k={k} must be a finite positive number; got {v!r}")
        return a

    call(0)  # fail before the run starts on a bad constant
    return call


# ------------------------------------------------------------------------ the problem
def _oracle(expr, syms, needs):
    """mpmath callables of an ``(n, 1)`` column: f, grad, hess, f''' (1-D)."""
    n = len(syms)
    # Real variables: d|x|/dx = sign(x), not SymPy's complex re/im form (as from_expr does);
    # DiracDelta terms of kinks are dropped (the derivative where it exists).
    real = tuple(sp.Dummy(s.name, real=True) for s in syms)
    expr = expr.xreplace(dict(zip(syms, real, strict=True)))
    syms = real

    def d(e, s, n=1):
        return sp.diff(e, s, n).replace(sp.DiracDelta, lambda *a: sp.S.Zero)

    grads = [d(expr, s) for s in syms]
    f_l = sp.lambdify(syms, expr, modules="mpmath")
    g_l = sp.lambdify(syms, grads, modules="mpmath")
    t_l = sp.lambdify(syms, d(expr, syms[0], 3), modules="mpmath") if needs == "d3" \
        else None

    @functools.cache  # the Hessian only when used (Newton-type, refining x_star)
    def h_l():
        return sp.lambdify(syms, [[d(g, s) for s in syms] for g in grads],
                           modules="mpmath")

    def args(x):
        return [x[i] for i in range(n)]

    return (lambda x: _real(f_l(*args(x))),
            lambda x: mpmath.matrix([_real(v) for v in g_l(*args(x))]),
            lambda x: mpmath.matrix([[_real(v) for v in r] for r in h_l()(*args(x))]),
            None if t_l is None else lambda x: _real(t_l(*args(x))))


def _resolve(problem, symbols):
    """(expr, symbols, the problem's x0 or None, its x_star or None)."""
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


def _refine(grad, hess, guess, digits):
    """The stationary point near a float64 ``guess``, to ``digits`` (+20 guard) digits."""
    if mpmath.norm(grad(guess)) == 0:
        return guess
    try:
        with mpmath.workdps(digits + 20):
            r = mpmath.findroot(lambda *a: list(grad(mpmath.matrix(a))), list(guess),
                                solver="mdnewton", J=lambda *a: hess(mpmath.matrix(a)),
                                maxsteps=60)
    except (ValueError, ZeroDivisionError, _Breakdown) as e:
        raise ValueError(
            f"x_star={[float(v) for v in guess]} could not be refined to a stationary point "
            f"at {digits} digits ({type(e).__name__}: {str(e).splitlines()[0]}); pass it "
            "exactly (string, SymPy number or mpf)") from e
    r = mpmath.matrix([r[i] for i in range(guess.rows)])
    if _dist(r, guess) > mpmath.mpf("1e-6") * max(1, mpmath.norm(guess)):
        raise ValueError(f"x_star={[float(v) for v in guess]} is not near a stationary "
                         f"point: refinement moved it to {[float(v) for v in r]}")
    return r


# ------------------------------------------------------------------------- the driver
def _check_int(v, name, low):
    if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {v!r}")
    return int(v)


def run_mp(method: str, problem, x0=None, steps: int = 50, *, digits: int = 200,
           x_star=None, lr=None, beta=None, symbols=None, h=None, H0=None,
           line_search: bool = False, margin: int = 10, blowup: float = 1e8) -> Trajectory:
    r"""Run a registered iteration in mpmath at ``digits`` digits on a SymPy problem.

    :math:`\nabla f`, :math:`\nabla^2 f` and :math:`f'''` are SymPy derivatives lambdified
    with ``modules="mpmath"``; every operation runs inside ``mpmath.workdps(digits)``. The
    update rules, the stopping rule and the refinement of ``x_star`` are in the module
    docstring.

    Args:
      method: a name in :data:`NAMES`.
      problem: a SymPy expression, a formula string, or an object with ``.expr``,
        ``.symbols``, ``.x0``, ``.x_star`` (a :class:`lrtheory.problems.Problem`).
      x0: start, one number per variable (default ``problem.x0``); floats are exact.
      steps: iterations (>= 1); fewer are recorded when the floor is reached first.
      digits: significant decimal digits (>= 20).
      x_star: the minimiser (default ``problem.x_star``); floats are refined.
      lr: step size: a number, a SymPy expression in ``k``, or a callable ``k -> lr``.
      beta: momentum (``heavy_ball``, ``nesterov``).
      symbols: variable order (default: the problem's, else natural order of names).
      h: secant's second start, :math:`x_{-1} = x_0 + h(1 + |x_0|)`; default 1/100.
      H0: BFGS's initial inverse Hessian (symmetric positive definite); default I.
      line_search: BFGS with Armijo backtracking from ``lr``.
      margin: the run stops once the error is below ``10**-(digits - margin)``.
      blowup: divergence bound factor (as :func:`lrtheory.run`).

    Returns:
      A :class:`~lrtheory.trajectory.Trajectory` of numpy ``object`` arrays of
      ``mpmath.mpf``: ``x`` ``(T+1, dim)``, ``f_star = f(x*)`` when ``x_star`` is known.

    Example:
      >>> import mpmath
      >>> t = run_mp("newton", "exp(x) - 2*x", [1.0], 12, digits=500, x_star="log(2)")
      >>> t.dist.dtype, mpmath.nstr(t.dist[9], 3), float(t.dist[9])  # below float range
      (dtype('O'), '4.0e-429', 0.0)
    """
    if not (isinstance(method, str) and method in METHODS):
        raise ValueError(f"method={method!r} is not one of {list(NAMES)}")
    m = METHODS[method]
    digits = _check_int(digits, "digits", 20)
    steps = _check_int(steps, "steps", 1)
    margin = _check_int(margin, "margin", 0)
    if margin >= digits:
        raise ValueError(f"margin must be below digits={digits}; got {margin}")
    if not (isinstance(blowup, int | float) and 1 < blowup < float("inf")):
        raise ValueError(f"blowup must be a finite number > 1; got {blowup!r}")
    given = {"lr": lr is not None, "beta": beta is not None, "h": h is not None,
             "H0": H0 is not None, "line_search": bool(line_search)}
    for name, was_given in given.items():
        if was_given and name not in m.hyper:
            raise ValueError(f"{name} does not apply to method={method!r}; it accepts "
                             f"{sorted(m.hyper)}")
        if not was_given and name in m.required:
            raise ValueError(f"method={method!r} needs {name}")
    expr, syms, p_x0, p_xs = _resolve(problem, symbols)
    if m.scalar_only and len(syms) != 1:
        raise ValueError(f"method={method!r} is for one variable; problem has "
                         f"{len(syms)}: {[str(s) for s in syms]}")
    if x0 is None and p_x0 is None:
        raise ValueError("x0 is required when problem is an expression")
    with mpmath.workdps(digits):
        return _run(m, expr, syms, p_x0 if x0 is None else x0, steps, digits,
                    p_xs if x_star is None else x_star, lr, beta, h, H0, line_search,
                    margin, blowup)


def _matrix_H0(H0, n):
    rows = np.asarray(H0, dtype=object)
    if rows.shape != (n, n):
        raise ValueError(f"H0 must be a ({n}, {n}) matrix; got shape {rows.shape}")
    B = mpmath.matrix([list(_point(list(r), n, "H0")[0]) for r in rows])
    if mpmath.norm(B - B.T) != 0:
        raise ValueError("H0 must be symmetric")
    try:
        mpmath.cholesky(B)
    except ValueError as e:
        raise ValueError("H0 must be positive definite") from e
    return B


def _run(m, expr, syms, x0, steps, digits, x_star, lr, beta, h, H0, line_search, margin,
         blowup):
    n = len(syms)
    f, grad, hess, d3 = _oracle(expr, syms, m.needs)
    x, _ = _point(x0, n, "x0")
    ctx = _Ctx(n, f, grad, hess, d3, _schedule(1 if lr is None else lr),
               None if beta is None else _num(beta, "beta")[0],
               _num("1/100" if h is None else h, "h")[0],
               mpmath.eye(n) if H0 is None else _matrix_H0(H0, n), line_search)
    xs = None
    if x_star is not None:
        xs, exact = _point(x_star, n, "x_star", guard=20)
        xs = xs if exact else _refine(grad, hess, xs, digits)
    try:
        fx, gx = f(x), grad(x)
        f_star = None if xs is None else f(xs)
    except (_Breakdown, ZeroDivisionError) as e:
        raise ValueError(f"f or its gradient is not real and finite at x0 or x_star "
                         f"({str(e) or 'division by zero'}); start elsewhere") from e
    floor = mpmath.mpf(10) ** -(digits - margin)
    bound = blowup * max(1, mpmath.norm(x), 0 if xs is None else mpmath.norm(xs))
    F, G, S, LR, X = [fx], [mpmath.norm(gx)], [], [], [list(x)]
    D = None if xs is None else [_dist(x, xs)]
    diverged_at, state = NEVER, m.init(ctx, x, gx)
    scale = None if xs is None else max(1, mpmath.norm(xs))
    for k in range(steps):
        if (D and D[-1] <= floor * scale) or (G[-1] == 0 and not m.momentum):
            break  # at the floor (x0 only, or an exact hit), or a stationary point
        try:
            x_new, state, a = m.step(ctx, k, x, fx, gx, state)
            if not all(mpmath.isfinite(v) for v in x_new) or mpmath.norm(x_new) > bound:
                raise _Breakdown("left the blow-up bound")
            fx, gx = f(x_new), grad(x_new)
        except (_Breakdown, ZeroDivisionError):
            diverged_at = k + 1
            break
        s = mpmath.norm(x_new - x)
        d = None if xs is None else _dist(x_new, xs)
        e, e_floor = (s, floor * max(1, mpmath.norm(x_new))) if xs is None else (d, floor * scale)
        if 0 < e <= e_floor:
            break  # round-off: not recorded
        S.append(s), F.append(fx), G.append(mpmath.norm(gx)), LR.append(a)
        X.append(list(x_new))
        if D is not None:
            D.append(d)
        x = x_new
        if s == 0 and not m.momentum:
            break  # a fixed point
    if diverged_at != NEVER:  # frozen copies of record diverged_at - 1, as lrtheory.run
        for rec in (F, G, X) + ((D,) if D is not None else ()):
            rec.extend([rec[-1]] * (steps + 1 - len(rec)))
        LR.extend(ctx.lr(k) for k in range(len(S), steps))
        S.extend([mpmath.mpf(0)] * (steps - len(S)))

    def arr(v):
        out = np.empty(len(v), dtype=object)
        out[:] = v
        return out

    xa = np.empty((len(X), n), dtype=object)
    xa[:, :] = X
    return Trajectory(f=arr(F), grad_norm=arr(G), dist=None if D is None else arr(D),
                      step_norm=arr(S), lr=arr(LR), diverged_at=diverged_at, f_star=f_star,
                      x=xa)
