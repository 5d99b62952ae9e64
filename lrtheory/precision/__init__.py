r"""The registered methods in mpmath at many digits: the same algorithms as in JAX.

Superlinear methods exhaust float64 after three or four iterates, so their order ``q``
and constant ``C`` cannot be measured there. :func:`run_mp` repeats the iterations on a
SymPy expression with ``digits`` significant decimal digits (default 200), all inside
``mpmath.workdps(digits)``, and returns a :class:`~lrtheory.trajectory.Trajectory`.

**Its arrays hold** ``mpmath.mpf`` **values** (numpy ``object`` arrays), not floats, so
errors far below 1e-308 survive (``float(e)`` turns them into 0): take logarithms with
``mpmath.log``. Each value keeps the precision it was computed with.

Methods: every name of :func:`lrtheory.methods.names` and its aliases (:data:`METHODS`).
Each :class:`~lrtheory.methods.MethodSpec` carries its mpmath step beside its JAX step,
and the two compute the same update (stated in ``lrtheory.methods.info(name).summary``,
hyperparameters with the same defaults and ranges); ``tests/test_methods.py`` checks that
20 steps agree to float64 round-off for every method. ``lr`` (default 1 where the method
allows) is a number, a SymPy expression in ``k`` or a callable ``k -> lr``; numbers may be
strings and SymPy numbers, exact at any precision (a float is its binary value).

Root finding: with ``mode="root"`` the problem is a function :math:`g` of one variable
and Newton, damped Newton, the secant method and Halley's method solve :math:`g(x) = 0`
(the methods whose spec lists ``"root"`` in ``modes``); the record ``f`` is then the
residual :math:`|g(x_k)|`, with ``f_star = 0``.

Stopping: the run **ends early** (a trajectory with fewer than ``steps`` steps) at the
working precision's floor. An iterate whose error is positive but at most
``10**-(digits - margin) * max(1, |x*|)`` (without ``x_star``: whose step norm is at most
that relative to ``max(1, |x_k|)``) is round-off and **not recorded**; an exact hit
(error, step or gradient exactly 0; the gradient and step rules not for methods with
``memory``, whose velocity moves them on) is recorded and ends the run. So every recorded
error above 0 carries at least ``margin`` correct digits, and estimators need only drop
trailing exact zeros. Divergence follows :func:`lrtheory.run`: a non-real or non-finite
value, a division by zero (singular Hessian) or :math:`\|x_k\| >` ``blowup``
:math:`\max(1, \|x_0\|, \|x^\star\|)` sets ``diverged_at = k``; later records are frozen
copies of record ``k - 1`` (``step_norm`` 0), up to ``steps``. The ``lr`` record holds the
learning rate of step ``k`` (as :func:`lrtheory.run`; a line search's accepted step is not
recorded).

``x_star`` (the argument, else the problem's): a point given in Python/numpy floats is
refined to full precision by ``mpmath.findroot`` (multidimensional Newton on the gradient
with 20 guard digits; skipped where the gradient is exactly 0); exact values (ints,
strings such as ``"log(2)"``, SymPy numbers, mpf) are taken as given, evaluated with 20
guard digits. No number passes through a decimal string, so thousands of digits work.

References:
  Traub (1964), Iterative Methods for the Solution of Equations. Nocedal & Wright (2006),
  Numerical Optimization, 2nd ed.; the methods' own references are in their specs.
"""

from __future__ import annotations

import types

import mpmath
import numpy as np

from lrtheory.methods import REGISTRY, Breakdown, MethodSpec, MpContext, spec
from lrtheory.trajectory import NEVER, Trajectory

from .._checks import check_blowup, check_count
from ._numbers import point, schedule, to_mpf
from ._oracle import dist, oracle, refine, resolve

__all__ = ["run_mp", "METHODS", "NAMES", "MODES"]

#: Every registered method by name (read-only; the specs of :mod:`lrtheory.methods`).
METHODS: types.MappingProxyType[str, MethodSpec] = REGISTRY
#: The registered names (aliases such as ``heavy_ball`` are accepted too).
NAMES: tuple[str, ...] = tuple(sorted(REGISTRY))
#: What ``mode`` may be: minimise f (iterate on f'), or find a root of g.
MODES = ("minimize", "root")


def run_mp(method: str, problem, x0=None, steps: int = 50, *, digits: int = 200,
           x_star=None, lr=None, symbols=None, mode: str = "minimize", margin: int = 10,
           blowup: float = 1e8, **hyper) -> Trajectory:
    r"""Run a registered method in mpmath at ``digits`` digits on a SymPy problem.

    :math:`\nabla f`, :math:`\nabla^2 f` and :math:`f'''` are SymPy derivatives lambdified
    with ``modules="mpmath"``; every operation runs inside ``mpmath.workdps(digits)``. The
    stopping rule and the refinement of ``x_star`` are in the module docstring; the update
    rules in ``lrtheory.methods.info(method)``.

    Args:
      method: a name of :data:`NAMES` or an alias (``"heavy_ball"``).
      problem: a SymPy expression, a formula string, or an object with ``.expr``,
        ``.symbols``, ``.x0``, ``.x_star`` (a :class:`lrtheory.problems.Problem`). With
        ``mode="root"``: the function :math:`g` of one variable whose root is sought.
      x0: start, one number per variable (default ``problem.x0``); floats are exact.
      steps: iterations (>= 1); fewer are recorded when the floor is reached first.
      digits: significant decimal digits (>= 20).
      x_star: the minimiser or root (default ``problem.x_star``): numbers, strings
        (``"log(2)"``) or SymPy numbers, one per variable; floats are refined.
      lr: step size: a number, a SymPy expression in ``k``, or a callable ``k -> lr``;
        required where the method's spec says ``lr_required``, else 1.
      symbols: variable order (default: the problem's, else natural order of names).
      mode: ``"minimize"`` (default) or ``"root"``.
      margin: the run stops once the error is below ``10**-(digits - margin)``.
      blowup: divergence bound factor (as :func:`lrtheory.run`).
      **hyper: the method's hyperparameters (``beta``, ``h``, ``b1``, ...; defaults and
        ranges of :func:`lrtheory.methods.info`), numbers or exact strings.

    Returns:
      A :class:`~lrtheory.trajectory.Trajectory` of numpy ``object`` arrays of
      ``mpmath.mpf``: ``x`` ``(T+1, dim)``, ``f_star = f(x*)`` when ``x_star`` is known.

    Example (Newton on f = e^x - 2x, x* = ln 2; then the root of g = x^2 - 2):
      >>> t = run_mp("newton", "exp(x) - 2*x", [1.0], 12, digits=500, x_star="log(2)")
      >>> t.dist.dtype, mpmath.nstr(t.dist[9], 3), float(t.dist[9])  # below float range
      (dtype('O'), '4.0e-429', 0.0)
      >>> r = run_mp("newton", "x**2 - 2", [1], 8, digits=100, mode="root")
      >>> mpmath.nstr(r.x[-1, 0], 40)
      '1.41421356237309504880168872420969807857'
    """
    if not isinstance(method, str):
        raise ValueError(f"method={method!r} is not one of {list(NAMES)}")
    try:
        s = spec(method)
    except ValueError:
        raise ValueError(f"method={method!r} is not one of {list(NAMES)}") from None
    digits = check_count(digits, "digits", 20)
    steps = check_count(steps, "steps", 1)
    margin = check_count(margin, "margin", 0)
    if margin >= digits:
        raise ValueError(f"margin must be below digits={digits}; got {margin}")
    blowup = check_blowup(blowup)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got mode={mode!r}")
    if mode not in s.modes:
        roots = [n for n in NAMES if "root" in REGISTRY[n].modes]
        raise ValueError(f"mode={mode!r} does not apply to method={method!r}; root finding: "
                         f"{roots}")
    for name in hyper:
        if name not in s.defaults:
            raise ValueError(f"{name} does not apply to method={method!r}; it accepts "
                             f"{['lr', *sorted(s.defaults)]}")
    if lr is None and s.lr_required:
        raise ValueError(f"method={method!r} needs lr")
    expr, syms, p_x0, p_xs = resolve(problem, symbols)
    if ("scalar" in s.needs or mode == "root") and len(syms) != 1:
        what = "mode='root'" if mode == "root" else f"method={method!r}"
        raise ValueError(f"{what} is for one variable; problem has {len(syms)}: "
                         f"{[str(v) for v in syms]}")
    if x0 is None and p_x0 is None:
        raise ValueError("x0 is required when problem is an expression")
    with mpmath.workdps(digits):
        ctx = MpContext(len(syms), *oracle(expr, syms, mode), schedule(1 if lr is None else lr),
                        _hyper(s, hyper))
        return _run(s, ctx, p_x0 if x0 is None else x0, steps, digits,
                    p_xs if x_star is None else x_star, mode, margin, blowup)


def _hyper(s: MethodSpec, hyper) -> dict:
    """The spec's defaults overridden by ``hyper``, as mpf, checked against their ranges."""
    given = {k: to_mpf(v, k)[0] for k, v in hyper.items()}
    params = s.params(given)
    return {k: v if isinstance(v, mpmath.mpf) else to_mpf(v, k)[0] for k, v in params.items()}


def _run(s, ctx, x0, steps, digits, x_star, mode, margin, blowup):
    x, _ = point(x0, ctx.n, "x0")
    xs = None
    if x_star is not None:
        xs, exact = point(x_star, ctx.n, "x_star", guard=20)
        xs = xs if exact else refine(ctx.grad, ctx.hess, xs, digits)
    try:
        fx, gx = ctx.f(x), ctx.grad(x)
        f_star = mpmath.mpf(0) if mode == "root" else None if xs is None else ctx.f(xs)
    except (Breakdown, ZeroDivisionError) as e:
        raise ValueError(f"f or its gradient is not real and finite at x0 or x_star "
                         f"({str(e) or 'division by zero'}); start elsewhere") from e
    floor = mpmath.mpf(10) ** -(digits - margin)
    bound = blowup * max(1, mpmath.norm(x), 0 if xs is None else mpmath.norm(xs))
    F, G, S, LR, X = [fx], [mpmath.norm(gx)], [], [], [list(x)]
    D = None if xs is None else [dist(x, xs)]
    diverged_at, state = NEVER, s.mp_init(ctx, x, gx)
    scale = None if xs is None else max(1, mpmath.norm(xs))
    for k in range(steps):
        if (D and D[-1] <= floor * scale) or (G[-1] == 0 and not s.memory):
            break  # at the floor (x0 only, or an exact hit), or a stationary point
        try:
            x_new, state = s.mp_step(ctx, k, x, fx, gx, state)
            if not all(mpmath.isfinite(v) for v in x_new) or mpmath.norm(x_new) > bound:
                raise Breakdown("left the blow-up bound")
            fx, gx = ctx.f(x_new), ctx.grad(x_new)
        except (Breakdown, ZeroDivisionError):
            diverged_at = k + 1
            break
        step = mpmath.norm(x_new - x)
        d = None if xs is None else dist(x_new, xs)
        e, e_floor = ((step, floor * max(1, mpmath.norm(x_new))) if xs is None
                      else (d, floor * scale))
        if 0 < e <= e_floor:
            break  # round-off: not recorded
        S.append(step), F.append(fx), G.append(mpmath.norm(gx)), LR.append(ctx.lr(k))
        X.append(list(x_new))
        if D is not None:
            D.append(d)
        x = x_new
        if step == 0 and not s.memory:
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

    xa = np.empty((len(X), ctx.n), dtype=object)
    xa[:, :] = X
    return Trajectory(f=arr(F), grad_norm=arr(G), dist=None if D is None else arr(D),
                      step_norm=arr(S), lr=arr(LR), diverged_at=diverged_at, f_star=f_star,
                      x=xa)
