r"""Newton's local constant in several variables, and BFGS's superlinear character.

Newton's step on :math:`f` near a minimiser :math:`x^\star` with
:math:`H = \nabla^2 f(x^\star)` positive definite and :math:`T = \nabla^3 f(x^\star)`:
with :math:`e_k = x_k - x^\star`, :math:`\nabla f(x^\star + e) = He + \tfrac12 T[e,e]
+ O(e^3)` and :math:`\nabla^2 f(x^\star + e)^{-1} = H^{-1} - H^{-1}T[e]H^{-1} + O(e^2)`, so

.. math:: e_{k+1} = \tfrac12 H^{-1} T[e_k, e_k] + O(\|e_k\|^3) = K[e_k, e_k] + \dots,
   \qquad K_{ijl} = \tfrac12 (H^{-1})_{im} T_{mjl}.

The ratio :math:`C_k = \|e_{k+1}\|/\|e_k\|^2` tends to :math:`\|K[u_k, u_k]\|` with
:math:`u_k = e_k/\|e_k\|`: it depends on the direction. The constant reported is the
bound :math:`C = \max_{\|u\|=1}\|K[u,u]\|`; every :math:`C_k` tends into
:math:`[\min_u \|K[u,u]\|, \max_u \|K[u,u]\|]`. In one variable :math:`K = f'''/(2f'')`
and the interval is the point :math:`|f'''/(2f'')|` of :func:`newton_rate`.
Reference: Dennis & Schnabel (1983), *Numerical Methods for Unconstrained Optimization*,
Thm 5.2.1 (quadratic convergence) and its proof.

BFGS (with unit steps eventually accepted) converges Q-superlinearly with no fixed
order: :math:`\|e_{k+1}\|/\|e_k\| \to 0` (Dennis & Moré 1974, 1977; Nocedal & Wright
2006, Thm 6.6), stated by :func:`bfgs_rate` as ``superlinear, q = 1, rate = 0``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy as sp

from .._display import html_repr, short_repr
from .._formula import parse, point, variables
from .._vocab import Regime
from ._common import Rate, is_zero, make_rate, to_float
from .curvature import _is_problem, curvature

__all__ = ["NewtonConstant", "newton_constant", "bfgs_rate"]

# Digits at which a float x_star is refined to a stationary point (sympy.nsolve).
_DPS = 50


class NewtonConstant(NamedTuple):
    r"""The quadratic map :math:`e \mapsto K[e, e]` of Newton's error, and its constants.

    Attributes:
      C: :math:`\max_{\|u\|=1} \|K[u,u]\|` (the bound on :math:`C_k`).
      C_min: :math:`\min_{\|u\|=1} \|K[u,u]\|`.
      direction: a unit :math:`u` attaining ``C``.
      K: the tensor :math:`K_{ijl}` as a float64 array of shape ``(n, n, n)``.
      K_expr: the same as an exact SymPy array.
      invariant: for two variables, the directions with :math:`K[u,u] \parallel u`
        (where a Newton run's direction can settle) as ``(C_u, u)`` pairs; empty
        otherwise.
      note: how the extremes were found.

    Example (f = x**3/6 + x**2/2 + y**2/2 + y**3: K[e,e] = (e1**2/2, 3 e2**2)):
      >>> c = newton_constant("x**3/6 + x**2/2 + y**2/2 + y**3", x_star=[0, 0])
      >>> round(c.C, 12), [round(float(v), 6) for v in c.map([1, 1])]
      (3.0, [0.5, 3.0])
    """

    C: float
    C_min: float
    direction: tuple[float, ...]
    K: np.ndarray
    K_expr: sp.Array
    invariant: tuple[tuple[float, tuple[float, ...]], ...] = ()
    note: str = ""

    def __repr__(self) -> str:
        return short_repr(self, ("C", "C_min", "direction", "note"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def map(self, e) -> np.ndarray:
        r""":math:`K[e, e]`, the leading term of :math:`e_{k+1}` for the error ``e``.

        >>> newton_constant("exp(x) - 2*x", x_star="log(2)").map([0.1]).round(12).tolist()
        [0.005]
        """
        e = np.asarray(e, dtype=np.float64).reshape(-1)
        return np.einsum("ijl,j,l->i", self.K, e, e)


def _expr_and_point(obj, x_star, symbols):
    if _is_problem(obj):
        if obj.expr is None:
            raise ValueError(f"problem {obj.name!r} has no SymPy expression")
        e, syms = obj.expr, obj.symbols
        x_star = obj.x_star if x_star is None else x_star
    else:
        e = parse(obj, "obj")
        syms = variables(e, symbols)
    if not syms:
        raise ValueError(f"expr={e} has no variables")
    if x_star is None:
        raise ValueError("x_star is required (the minimiser)")
    return e, tuple(syms), point(x_star, len(syms))


def _stationary(grad, syms, xs):
    """xs when the gradient vanishes there exactly; else the stationary point near xs
    to ~50 digits (a float x_star is only close)."""
    at = dict(zip(syms, xs, strict=True))
    vals = [g.subs(at) for g in grad]
    if all(is_zero(v) for v in vals):
        return xs
    try:
        root = sp.nsolve(grad, syms, [sp.N(v, _DPS) for v in xs], prec=_DPS)
    except (ValueError, ZeroDivisionError) as err:
        raise ValueError(f"x_star={[sp.N(v, 8) for v in xs]} is not a stationary point "
                         f"(|grad f| = {max(abs(sp.N(v, 5)) for v in vals)})") from err
    root = tuple(sp.Float(v, _DPS) for v in root)
    scale = max(1.0, max(abs(to_float(v)) for v in xs))
    if max(abs(to_float(r - v)) for r, v in zip(root, xs, strict=True)) > 1e-6 * scale:
        raise ValueError(f"x_star={[sp.N(v, 8) for v in xs]} is not near a stationary point")
    return root


def _norms(K: np.ndarray, U: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.einsum("ijl,jk,lk->ik", K, U, U), axis=0)


def _extremes_2d(K):
    from scipy.optimize import brentq, minimize_scalar

    def norm(t):
        u = np.array([np.cos(t), np.sin(t)])
        return float(np.linalg.norm(np.einsum("ijl,j,l->i", K, u, u)))

    t = np.linspace(0.0, np.pi, 3601)
    vals = _norms(K, np.stack([np.cos(t), np.sin(t)]))

    def refine(i, sign):  # sign +1: maximum, -1: minimum
        lo, hi = t[max(i - 1, 0)], t[min(i + 1, len(t) - 1)]
        r = minimize_scalar(lambda s: -sign * norm(s), bounds=(lo, hi), method="bounded",
                            options={"xatol": 1e-12})
        s = r.x if sign * norm(r.x) >= sign * vals[i] else t[i]
        return norm(s), (float(np.cos(s)), float(np.sin(s)))

    top, bottom = refine(int(np.argmax(vals)), 1.0), refine(int(np.argmin(vals)), -1.0)

    def cross(s):  # K[u,u] x u = 0: K[u,u] parallel to u
        u = np.array([np.cos(s), np.sin(s)])
        w = np.einsum("ijl,j,l->i", K, u, u)
        return float(w[0] * u[1] - w[1] * u[0])

    c = np.array([cross(s) for s in t])
    inv = []
    for j in range(len(t) - 1):
        if c[j] == 0 or c[j] * c[j + 1] < 0:
            s = t[j] if c[j] == 0 else brentq(cross, t[j], t[j + 1], xtol=1e-14)
            if s < np.pi - 1e-9:  # u and -u are one direction
                inv.append((norm(s), (float(np.cos(s)), float(np.sin(s)))))
    return top, bottom, tuple(sorted(inv))


def _extremes_nd(K, n):
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    U = rng.standard_normal((n, 4000 * n))
    U /= np.linalg.norm(U, axis=0)
    vals = _norms(K, U)

    def best(sign):
        def obj(v):
            return -sign * float(np.linalg.norm(np.einsum("ijl,j,l->i", K, v, v))) / (v @ v)

        starts = np.argsort(-sign * vals)[:8]
        res = [minimize(obj, U[:, i], method="BFGS") for i in starts]
        r = min(res, key=lambda r: r.fun)
        return -sign * r.fun, tuple(float(v) for v in r.x / np.linalg.norm(r.x))

    return best(1.0), best(-1.0)


def newton_constant(obj, x_star=None, symbols=None) -> NewtonConstant:
    r"""The map :math:`K[e,e] = \tfrac12 H^{-1}T[e,e]` of Newton's error at :math:`x^\star`
    and its extremes over unit directions.

    Args:
      obj: a Problem with an expression, or :math:`f` as a SymPy expression / text.
      x_star: the minimiser (default: the problem's), read by
        :func:`lrtheory._formula.point` (text such as ``"log(2)"`` is exact); a float
        point is refined to a stationary point at 50 digits.
      symbols: the variable order (default: natural order).

    Returns:
      :class:`NewtonConstant`. The extremes are numeric: a 3601-point grid over the
      half circle refined by a bounded 1-D search (two variables), or 4000·n random
      directions refined by BFGS (more variables).

    Raises:
      ValueError: no stationary point at ``x_star``, or a singular Hessian there.

    Example (separable: K[e,e] = (k1 e1**2, k2 e2**2) with k1 = 1/2, k2 = 3; the
    minimum over the circle is |k1 k2|/sqrt(k1**2 + k2**2)):
      >>> c = newton_constant("x**3/6 + x**2/2 + y**2/2 + y**3", x_star=[0, 0])
      >>> round(c.C_min, 9), round(1.5 / (0.25 + 9) ** 0.5, 9)
      (0.493196962, 0.493196962)
    """
    e, syms, xs = _expr_and_point(obj, x_star, symbols)
    n = len(syms)
    grad = [sp.diff(e, s) for s in syms]
    xs = _stationary(grad, syms, xs)
    at = dict(zip(syms, xs, strict=True))
    H = sp.hessian(e, syms).subs(at)
    if is_zero(H.det(method="berkowitz"), max(1, max(abs(to_float(v)) for v in H))):
        raise ValueError(f"the Hessian of {e} is singular at x_star: Newton's error is not "
                         "quadratic there (see newton_rate for one variable)")
    T = sp.derive_by_array(sp.derive_by_array(sp.derive_by_array(e, syms), syms), syms)
    T = T.subs(at)
    Hinv = H.inv()
    K = sp.Array([[[sp.nsimplify(0) + sum(Hinv[i, m] * T[m, j, k] for m in range(n)) / 2
                    for k in range(n)] for j in range(n)] for i in range(n)])
    K = K.applyfunc(lambda v: sp.N(v, 30) if v.has(sp.Float) else sp.simplify(v))
    Kf = np.array([[[to_float(K[i, j, k]) for k in range(n)] for j in range(n)]
                   for i in range(n)], dtype=np.float64)
    if n == 1:
        c = abs(float(Kf[0, 0, 0]))
        return NewtonConstant(C=c, C_min=c, direction=(1.0,), K=Kf, K_expr=K,
                              note="one variable: C = |f'''/(2 f'')|")
    if n == 2:
        (C, u), (C_min, _), inv = _extremes_2d(Kf)
        note = "extremes over a 3601-point half circle, refined by a bounded search"
    else:
        (C, u), (C_min, _) = _extremes_nd(Kf, n)
        inv = ()
        note = f"extremes over {4000 * n} random directions, refined by BFGS"
    return NewtonConstant(C=float(C), C_min=float(C_min), direction=u, K=Kf, K_expr=K,
                          invariant=inv, note=note)


def newton_rate_nd(obj, x_star=None, lr=1, symbols=None) -> Rate:
    """Newton's local law in several variables (called by :func:`newton_rate`).

    ``lr = 1``: order 2 with ``rate`` = :math:`\\max_u\\|K[u,u]\\|` and ``rate_bounds``
    the min and max; a Hessian constant in x (a quadratic) gives ``finite`` (one step);
    :math:`K = 0` otherwise gives ``superlinear`` with :math:`C_k \\to 0` (order above 2,
    not computed). ``lr != 1``: the map's Jacobian at :math:`x^\\star` is
    :math:`(1-\\alpha) I`, so linear at :math:`|1-\\alpha|`.
    """
    e, syms, _ = _expr_and_point(obj, x_star, symbols)
    a = lr if isinstance(lr, sp.Basic) else sp.nsimplify(lr)
    if a != 1:
        return make_rate("newton", 1, sp.Abs(1 - a), lr=a,
                         note="damped Newton: map Jacobian (1 - lr) I at x*")
    if not (sp.hessian(e, syms).free_symbols & set(syms)):
        return make_rate("newton", 1, 0, regime=Regime.FINITE, lr=1,
                         note="quadratic: Newton reaches x* in one step")
    c = newton_constant(obj, x_star, symbols)
    if c.C == 0:
        return make_rate("newton", 1, 0, regime=Regime.SUPERLINEAR, lr=1,
                         note="third derivatives vanish at x*: order above 2 "
                              "(e_(k+1)/e_k -> 0; the order is not computed)")
    return make_rate("newton", 2, sp.Float(c.C, 15), lr=1, rate_bounds=(c.C_min, c.C),
                     note="C = max over unit u of |(1/2) H^-1 T[u,u]|; C_k tends into "
                          "rate_bounds, by the direction of e_k")


def bfgs_rate(problem=None, **curvature_kw) -> Rate:
    r"""BFGS's local law: Q-superlinear, :math:`\|e_{k+1}\|/\|e_k\| \to 0`, no fixed order.

    Holds near a minimiser with a positive definite Hessian that is Lipschitz there,
    once unit steps are accepted (Dennis & Moré 1974; Nocedal & Wright 2006, Thm 6.6).
    Returned as ``superlinear`` with ``q = 1`` and ``rate = 0``, the form
    :func:`~lrtheory.theory.compare` judges by the measured regime.

    Args:
      problem: optional; anything :func:`~lrtheory.theory.curvature` accepts, to check
        that the Hessian at :math:`x^\star` is positive definite.

    Raises:
      ValueError: the Hessian at :math:`x^\star` is not positive definite.

    Example:
      >>> r = bfgs_rate([1, 10])
      >>> r.regime.value, r.q, r.rate, r.vanishing
      ('superlinear', 1.0, 0.0, True)
    """
    if problem is not None:
        c = curvature(problem, **curvature_kw)
        if not c.mu > 0:
            raise ValueError(f"BFGS's superlinear rate needs a positive definite Hessian at "
                             f"x_star; its smallest eigenvalue is {c.mu_expr}")
    return make_rate("bfgs", 1, 0, regime=Regime.SUPERLINEAR,
                     note="Dennis & More 1974: Q-superlinear, e_(k+1)/e_k -> 0, no fixed "
                          "order")
