"""Regenerate ``minima.json``: the minimisers the paper does not print, to 40 digits.

Run ``python -m lrtheory.problems.mgh_set._minima`` (4 minutes). Each point starts from a
Levenberg-Marquardt solution (``scipy.optimize.least_squares``, from ``START`` or the
standard :math:`x_0`), then takes Newton steps on :math:`\\nabla f = 0` with the exact
SymPy gradient and Hessian in 40-digit ``mpmath`` arithmetic until the step is below
1e-30. The printed value :math:`f(x^\\star)` is checked against the paper's
(``FUNCTIONS[k].f_star``) by ``tests/test_mgh.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp

from . import MINIMA_FILE, _build, _lookup

# (name, n, m) -> start for Levenberg-Marquardt (None: the standard x0). Starts near the
# paper's minimiser where the standard x0 leads elsewhere. Trigonometric (n = 10) is left
# out: from x0 Newton reaches a local minimum f = 2.79506e-5, not the paper's f = 0.
START = {
    ("powell_badly_scaled", 2, 2): None,
    ("jennrich_sampson", 2, 10): [0.2578, 0.2578],
    ("bard", 3, 15): None,
    ("gaussian", 3, 15): None,
    ("meyer", 3, 16): [0.0056, 6181.3, 345.2],
    ("kowalik_osborne", 4, 11): None,
    ("brown_dennis", 4, 20): None,
    ("osborne1", 5, 33): None,
    ("osborne2", 11, 65): None,
    ("watson", 6, 31): None,
    ("watson", 9, 31): None,
    ("watson", 12, 31): None,
    ("penalty1", 4, 5): None,
    ("penalty1", 10, 11): None,
    ("penalty2", 4, 8): None,
    ("penalty2", 10, 20): None,
    ("discrete_boundary_value", 10, 10): None,
    ("discrete_integral_equation", 10, 10): None,
    ("broyden_tridiagonal", 10, 10): None,
    ("broyden_banded", 10, 10): None,
    ("chebyquad", 8, 8): None,
}


def polish(name: str, n: int, m: int, start=None, dps: int = 40):
    """(x*, f(x*)) as mpmath numbers: LM in float64, then Newton in ``dps`` digits."""
    from scipy.optimize import least_squares

    spec = _lookup(name)
    syms, res, rfn, _ = _build(spec.number, n, m)
    x0 = np.array(spec.x0(n, m) if start is None else start, dtype=float)
    lm = least_squares(lambda v: np.asarray(rfn(v)), x0, method="lm", xtol=1e-15,
                       ftol=1e-15, gtol=1e-15, max_nfev=20000)
    from . import _residual_exprs

    f = sp.Add(*[r**2 for r in _residual_exprs(res)])
    g = [sp.diff(f, s) for s in syms]
    H = [[sp.diff(gi, s) for s in syms] for gi in g]
    fg = sp.lambdify(syms, g, modules="mpmath")
    fH = sp.lambdify(syms, H, modules="mpmath")
    ff = sp.lambdify(syms, f, modules="mpmath")
    with mpmath.workdps(dps):
        x = mpmath.matrix([mpmath.mpf(float(v)) for v in lm.x])
        for _ in range(30):
            step = mpmath.lu_solve(mpmath.matrix(fH(*x)), mpmath.matrix(fg(*x)))
            x -= step
            if mpmath.norm(step) < mpmath.mpf(10) ** (-dps + 10):
                break
        return [x[i] for i in range(n)], ff(*x)


def write(minima: dict) -> None:
    """Write :data:`MINIMA_FILE` from ``{(name, n, m): (x*, f*)}`` (floats), a record a line."""
    rows = [json.dumps({"name": name, "n": n, "m": m, "x_star": [float(v) for v in xs],
                        "f_star": float(fs)}) for (name, n, m), (xs, fs) in minima.items()]
    Path(__file__).with_name(MINIMA_FILE).write_text("[\n" + ",\n".join(rows) + "\n]\n")


def main() -> None:
    minima = {}
    for (name, n, m), start in START.items():
        xs, fs = polish(name, n, m, start)
        minima[(name, n, m)] = ([float(v) for v in xs], float(fs))
        print(name, n, m, mpmath.nstr(fs, 12))
    write(minima)


if __name__ == "__main__":
    main()
