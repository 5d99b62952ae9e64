r"""Find the minimiser :math:`x^\star` of a formula, exactly when SymPy can.

First the capped analysis of :func:`lrtheory._minimizer.analyse` (quadratics, polynomials
in one variable, polynomials of degree <= 4 in two variables, strictly convex functions of
one variable): the unique global minimiser, or the one of smallest :math:`f` among
several. Otherwise ``scipy.optimize.minimize`` (BFGS) from ``x0``, refined by
``sympy.nsolve`` on the gradient to 30 digits, accepted where the Hessian is positive
semidefinite, and recognised as a rational or simple surd by ``sympy.nsimplify`` when
that reproduces it to 25 digits.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .._formula import parse, variables
from .._minimizer import analyse

__all__ = ["find_minimizer"]


def _psd(H: sp.Matrix, at: dict) -> bool:
    Hn = np.array(H.subs(at).evalf().tolist(), dtype=float)
    return bool(np.all(np.linalg.eigvalsh(0.5 * (Hn + Hn.T)) >= -1e-12))


def _closed_form(v):
    guess = sp.nsimplify(v, [sp.pi, sp.E], tolerance=1e-25)
    return guess if abs(sp.N(guess - v, 30)) < 1e-25 else v


def find_minimizer(expr, symbols=None, x0=None) -> tuple[sp.Expr, ...] | None:
    """A minimiser of ``expr`` as a tuple of SymPy numbers, or ``None`` if none is found.

    Args:
      expr: SymPy expression or formula string.
      symbols: variable order (default: natural order of the free symbols).
      x0: start of the numeric search where the exact analysis does not decide
        (default 0).

    Example:
      >>> find_minimizer("x**4 + 3*y**2")
      (0, 0)
      >>> find_minimizer("(x - 1)**2 + exp(y) - 2*y")
      (1, log(2))
    """
    e = parse(expr)
    syms = variables(e, symbols)
    m = analyse(e, syms, exact=True)
    if m.status == "unique":
        return tuple(m.x_star)
    if m.local:
        vals = [sp.N(e.subs(dict(zip(syms, pt, strict=True))), 30) for pt in m.local]
        return tuple(_closed_form(v) if v.has(sp.Float) else v
                     for v in m.local[int(np.argmin(vals))])
    if m.status in ("none", "several"):
        return None
    from scipy.optimize import minimize

    grad = [sp.diff(e, s) for s in syms]
    H = sp.hessian(e, syms)
    f = sp.lambdify([syms], e, "numpy")
    g = sp.lambdify([syms], grad, "numpy")
    start = np.zeros(len(syms)) if x0 is None else np.asarray(x0, float)
    with np.errstate(all="ignore"):
        res = minimize(lambda v: float(f(v)), start, jac=lambda v: np.asarray(g(v), float),
                       method="BFGS", options={"gtol": 1e-10})
    if not np.all(np.isfinite(res.x)):
        return None
    try:
        root = sp.nsolve(grad, syms, list(res.x), prec=30)
    except (ValueError, ZeroDivisionError):
        return None
    pt = [_closed_form(v) for v in root]
    at = dict(zip(syms, pt, strict=True))
    return tuple(pt) if _psd(H, at) else None
