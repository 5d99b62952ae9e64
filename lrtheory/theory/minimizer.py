r"""Find the minimiser :math:`x^\star` of a formula, exactly when SymPy can.

Polynomials: the real critical points from ``sympy.solve`` of :math:`\nabla f = 0`, the
one with the smallest :math:`f` among those where the Hessian is positive semidefinite.
Other formulas: ``scipy.optimize.minimize`` (BFGS) from ``x0``, refined by
``sympy.nsolve`` on the gradient to 30 digits and recognised as a rational or simple
surd by ``sympy.nsimplify`` when that reproduces it to 25 digits.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .curvature import parse, variables

__all__ = ["find_minimizer"]


def _psd(H: sp.Matrix, at: dict) -> bool:
    Hn = np.array(H.subs(at).evalf().tolist(), dtype=float)
    return bool(np.all(np.linalg.eigvalsh(0.5 * (Hn + Hn.T)) >= -1e-12))


def find_minimizer(expr, symbols=None, x0=None) -> tuple[sp.Expr, ...] | None:
    """A minimiser of ``expr`` as a tuple of SymPy numbers, or ``None`` if none is found.

    Args:
      expr: SymPy expression or formula string.
      symbols: variable order (default: natural order of the free symbols).
      x0: start of the numeric search for non-polynomial formulas (default 0).

    Example:
      >>> find_minimizer("x**4 + 3*y**2")
      (0, 0)
      >>> find_minimizer("(x - 1)**2 + exp(y) - 2*y")
      (1, log(2))
    """
    e = parse(expr)
    syms = variables(e, symbols)
    grad = [sp.diff(e, s) for s in syms]
    H = sp.hessian(e, syms)
    if e.is_polynomial(*syms):
        sols = sp.solve(grad, syms, dict=True)
        real = []
        for sol in sols:
            pt = tuple(sp.nsimplify(sol.get(s, 0)) for s in syms)
            if all(v.is_real for v in pt) and len(sol) == len(syms):
                at = dict(zip(syms, pt, strict=True))
                if _psd(H, at):
                    real.append((float(e.subs(at)), pt))
        if real:
            return min(real, key=lambda t: t[0])[1]
        return None
    from scipy.optimize import minimize

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
    pt = []
    for v in root:
        guess = sp.nsimplify(v, [sp.pi, sp.E], tolerance=1e-25)
        pt.append(guess if abs(sp.N(guess - v, 30)) < 1e-25 else v)
    at = dict(zip(syms, pt, strict=True))
    return tuple(pt) if _psd(H, at) else None
