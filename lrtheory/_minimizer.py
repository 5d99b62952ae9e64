"""Where a formula's minimiser is, and whether it is unique, decided exactly where cheap.

SymPy, mpmath and NumPy only (no JAX), so :func:`lrtheory.problems.from_expr` and
:func:`lrtheory.theory.find_minimizer` share it. Capped so that building a problem stays
fast: only these classes are analysed (others give ``status="unknown"`` at once):

- polynomials of total degree <= 2 (any dimension): linear algebra on the exact
  Hessian (SymPy up to :data:`EXACT_DIM` variables, float64 above);
- polynomials in one variable: the exact real roots of f' classified by the first
  non-vanishing derivative, the degree and leading coefficient deciding boundedness;
- polynomials in two variables of total degree <= :data:`MAX_DEGREE_2D`: every critical
  point from the resultant of the two partial derivatives (exact real roots in x, then
  y at 50 digits), classified by the Hessian; the leading form or a sum-of-squares
  lower bound decides which local minimisers are global;
- one variable with f'' > 0 provable by SymPy's assumptions (strictly convex): the
  root of f' found numerically (SciPy, then ``sympy.nsolve`` at 30 digits).
"""

from __future__ import annotations

from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp

__all__ = ["Minimum", "analyse", "EXACT_DIM", "MAX_DEGREE_2D"]

#: Largest dimension of a quadratic solved in exact arithmetic.
EXACT_DIM = 12
#: Largest total degree of a two-variable polynomial whose critical points are all found.
MAX_DEGREE_2D = 4
_DPS = 50


class Minimum(NamedTuple):
    """What is known about the minimisers of f.

    Attributes:
      status: ``"unique"`` (one global minimiser, ``x_star``), ``"several"`` (several
        global minimisers, ``f_star`` known), ``"none"`` (no minimiser: unbounded below,
        or only saddles / maxima), ``"unknown"`` (not decided; see ``note``).
      x_star: the unique minimiser (SymPy numbers) or ``None``.
      f_star: the minimum value where known, else ``None``.
      local: the local minimisers found (may be empty).
      note: what was found and how, in words.

    Example:
      >>> import sympy as sp
      >>> x = sp.Symbol("x")
      >>> analyse(x**2 / 2 - x, (x,)).x_star, analyse(x**3 - 3*x, (x,)).status
      ((1,), 'none')
    """

    status: str
    x_star: tuple[sp.Expr, ...] | None = None
    f_star: sp.Expr | None = None
    local: tuple[tuple[sp.Expr, ...], ...] = ()
    note: str = ""


def _fmt(pt) -> str:
    return "(" + ", ".join(str(sp.N(v, 8)) for v in pt) + ")"


def _quadratic(e, syms) -> Minimum:
    n = len(syms)
    at0 = {s: 0 for s in syms}
    H = sp.hessian(e, syms)
    b = -sp.Matrix([sp.diff(e, s).subs(at0) for s in syms])
    if H.is_zero_matrix:
        if b.is_zero_matrix:
            return Minimum("several", f_star=e, note="f is constant: every point minimises it")
        return Minimum("none", note=f"f = {e} is linear and non-constant: unbounded below")
    Hf = np.array(H.tolist(), dtype=np.float64)
    lam, Q = np.linalg.eigh(Hf)
    tol = 1e-12 * max(1.0, np.abs(lam).max())
    if lam[0] < -tol:
        v = Q[:, 0]
        return Minimum("none", note=f"unbounded below: the Hessian has the eigenvalue "
                                    f"{lam[0]:.6g} < 0 along {np.round(v, 6).tolist()} "
                                    "(a saddle or a maximum, no minimiser)")
    if lam[0] > tol:
        if n <= EXACT_DIM:
            xs = tuple(H.LUsolve(b))
        else:
            xs = tuple(sp.Float(float(v)) for v in np.linalg.solve(Hf, np.asarray(
                b.tolist(), dtype=np.float64).reshape(-1)))
        fs = e.subs(dict(zip(syms, xs, strict=True)))
        return Minimum("unique", x_star=xs, f_star=fs, local=(xs,),
                       note="quadratic with a positive definite Hessian: x* = H^-1 b")
    bf = np.asarray(b.tolist(), dtype=np.float64).reshape(-1)
    xl = np.linalg.lstsq(Hf, bf, rcond=None)[0]
    if np.linalg.norm(Hf @ xl - bf) > 1e-9 * max(1.0, np.linalg.norm(bf)):
        return Minimum("none", note="unbounded below: the Hessian is singular and the "
                                    "linear term has a component along its null space")
    fs = e.subs(dict(zip(syms, [sp.Float(float(v)) for v in xl], strict=True)))
    return Minimum("several", f_star=fs, note="quadratic with a singular positive "
                                              "semidefinite Hessian: the minimisers form an "
                                              "affine set")


def _univariate(e, x) -> Minimum:
    p = sp.Poly(e, x)
    d, lc = p.degree(), p.LC()
    bounded = d % 2 == 0 and lc > 0
    crit = sp.Poly(p.diff(x)).real_roots()
    mins = []
    for r in dict.fromkeys(crit):
        for j in range(2, d + 1):
            v = p.diff((x, j)).eval(r)
            if not _is_zero(v):
                if j % 2 == 0 and sp.N(v, _DPS) > 0:
                    mins.append(r)
                break
    if not bounded:
        side = "x -> -oo" if (d % 2 == 1) == (lc > 0) else "x -> +oo"
        where = (f"; it has local minimisers at x = {[str(sp.N(m, 8)) for m in mins]}: "
                 "pass x_star= to measure the distance to one") if mins else ""
        return Minimum("none", local=tuple((m,) for m in mins),
                       note=f"unbounded below: f = {e} -> -oo as {side}{where}")
    return _global([(m,) for m in mins], e, (x,), "the real roots of f' (exact), "
                   "classified by the first non-vanishing derivative; even degree and a "
                   "positive leading coefficient: bounded below")


def _is_zero(v) -> bool:
    return abs(sp.N(v, _DPS)) < sp.Float(10) ** (-_DPS + 10)


def _global(mins, e, syms, how) -> Minimum:
    """The global minimisers among local ones, given that f is bounded below and attains
    its minimum (so every global minimiser is a local one found here)."""
    if not mins:
        return Minimum("none", note=f"no local minimiser ({how})")
    vals = [sp.N(e.subs(dict(zip(syms, m, strict=True))), _DPS) for m in mins]
    best = min(vals)
    tol = sp.Float(10) ** (-_DPS + 15) * max(1, abs(best))
    top = [m for m, v in zip(mins, vals, strict=True) if v - best <= tol]
    if len(top) == 1:
        fs = e.subs(dict(zip(syms, top[0], strict=True)))
        return Minimum("unique", x_star=top[0], f_star=fs, local=tuple(mins), note=how)
    return Minimum("several", f_star=best, local=tuple(mins),
                   note=f"{len(top)} global minimisers {', '.join(map(_fmt, top))} ({how})")


def _sos_bound(e):
    """A lower bound when f is written as a positive constant plus positive multiples of
    even powers (a sum of squares as typed), else None."""
    bound = sp.Integer(0)
    for t in sp.Add.make_args(e):
        if t.is_number:
            bound += t
            continue
        c, rest = t.as_coeff_Mul()
        ok = c > 0 and all(f.is_Pow and f.exp.is_even for f in sp.Mul.make_args(rest))
        if not ok:
            return None
    return bound


def _leading_form_sign(p: sp.Poly, x, y):
    """+1: the top-degree form is positive on the circle (f -> +oo in every direction);
    -1: negative somewhere (f unbounded below); 0: undecided."""
    d = p.total_degree()
    top = sp.Add(*[c * x**i * y**j for (i, j), c in p.terms() if i + j == d])
    s = sp.Symbol("s")
    if d % 2 == 1:
        return -1
    q = sp.Poly(top.subs({x: 1, y: s}), s)
    c_y = top.subs({x: 0, y: 1})
    if c_y < 0 or (q.degree() >= 0 and any(q.eval(r) < 0 for r in _samples(q))):
        return -1
    if c_y > 0 and not q.real_roots() and q.LC() > 0:
        return 1
    return 0


def _samples(q):
    """Points between and beyond the real roots of q (to find a negative value)."""
    rs = sorted(float(r) for r in q.real_roots())
    if not rs:
        return [0]
    pts = [rs[0] - 1, rs[-1] + 1] + [(a + b) / 2 for a, b in zip(rs, rs[1:], strict=False)]
    return [sp.nsimplify(v) for v in pts]


def _critical_points_2d(e, x, y):
    """Every real critical point (as 50-digit Floats): the real roots x_r of the
    resultant of f_x and f_y in y (exact), then the real roots y of f_x(x_r, y) (or of
    f_y when that vanishes) kept where f_y(x_r, y) = 0 too. ``None``: not isolated."""
    fx, fy = sp.diff(e, x), sp.diff(e, y)
    R = sp.Poly(sp.resultant(fx, fy, y), x)
    if R.is_zero:
        return None
    cx = [sp.lambdify(x, c, "mpmath") for c in sp.Poly(fx, y).all_coeffs()]
    cy = [sp.lambdify(x, c, "mpmath") for c in sp.Poly(fy, y).all_coeffs()]
    gx, gy = sp.lambdify((x, y), fx, "mpmath"), sp.lambdify((x, y), fy, "mpmath")
    pts = []
    with mpmath.workdps(_DPS):
        tol = mpmath.mpf(10) ** (-_DPS // 2)
        for xr in R.real_roots():
            xv = mpmath.mpf(str(sp.N(xr, _DPS + 5)))
            if xr.is_Rational:  # exact roots in y (fast, and right at multiple roots)
                q = sp.Poly(fx.subs(x, xr), y)
                q = q if not q.is_zero and q.degree() >= 1 else sp.Poly(fy.subs(x, xr), y)
                if q.is_zero or q.degree() < 1:
                    continue
                roots = [mpmath.mpf(str(sp.N(r, _DPS + 5))) for r in set(q.real_roots())]
            else:
                roots = _numeric_roots([c(xv) for c in cx], [c(xv) for c in cy], xv, gx,
                                       tol)
            for yv in roots:
                if abs(mpmath.im(yv)) > tol:
                    continue
                yv = mpmath.re(yv)
                if abs(gx(xv, yv)) + abs(gy(xv, yv)) > tol * (1 + abs(xv) + abs(yv)) ** 4:
                    continue
                if all(abs(xv - a) + abs(yv - b) > tol for a, b in pts):
                    pts.append((xv, yv))
    return [(sp.Float(mpmath.nstr(a, _DPS), _DPS), sp.Float(mpmath.nstr(b, _DPS), _DPS))
            for a, b in pts]


def _numeric_roots(ax, ay, xv, gx, tol):
    """Real roots in y of f_x(x_r, y) (or of f_y where f_x vanishes identically)."""
    for coeffs in (ax, ay):
        while coeffs and abs(coeffs[0]) < tol:
            coeffs = coeffs[1:]
        if len(coeffs) >= 2:
            break
    else:
        return []
    try:
        return mpmath.polyroots(coeffs, maxsteps=500, extraprec=300)
    except mpmath.libmp.libhyper.NoConvergence:
        approx = [complex(r) for r in np.roots([complex(c) for c in coeffs])]
        return [mpmath.findroot(lambda t: gx(xv, t), r.real) for r in approx
                if abs(r.imag) < 1e-6]


def _bivariate(e, syms) -> Minimum:
    x, y = syms
    pts = _critical_points_2d(e, x, y)
    if pts is None:
        return Minimum("unknown", note="the critical points are not isolated")
    H = sp.lambdify((x, y), sp.hessian(e, syms), "mpmath")
    kinds = []
    for pt in pts:
        ev = np.linalg.eigvalsh(np.array(H(*pt).tolist(), dtype=np.float64))
        tol = 1e-9 * max(1.0, np.abs(ev).max())
        kinds.append("min" if ev[0] > tol else "saddle" if ev[0] < -tol else "flat")
    pts = [tuple(sp.Integer(round(v)) if abs(v - round(v)) < 1e-40 else v for v in pt)
           for pt in pts]
    mins = [pt for pt, k in zip(pts, kinds, strict=True) if k == "min"]
    found = (f"{kinds.count('min')} local minimisers, {kinds.count('saddle')} saddles/maxima, "
             f"{kinds.count('flat')} degenerate critical points (resultant, 50 digits)")
    sign = _leading_form_sign(sp.Poly(e, x, y), x, y)
    if sign < 0:
        return Minimum("none", local=tuple(mins),
                       note=f"unbounded below (the top-degree terms are negative along some "
                            f"direction); {found}")
    # Where the minimum is attained, every global minimiser is a critical point: those of
    # smallest f (f -> +oo in every direction), or those where f meets its lower bound.
    if sign > 0:
        return _global(pts, e, syms, f"{found}; f -> +oo in every direction")
    bound = _sos_bound(e)
    if bound is not None:
        f = sp.lambdify((x, y), e, "mpmath")
        top = [pt for pt in pts if abs(f(*pt) - bound) < 1e-25]
        if top:
            return _global(top, e, syms, f"{found}; f >= {bound} (a sum of squares as "
                                         "written), attained")
    if not pts or kinds.count("saddle") == len(kinds):
        return Minimum("none", note=f"no local minimiser: {found}")
    return Minimum("unknown", local=tuple(mins), note=f"{found}; not shown to be global")


def _convex_1d(e, x, exact=False) -> Minimum:
    xr = sp.Dummy("x", real=True)
    if sp.diff(e, x, 2).subs(x, xr).is_positive is not True:
        return Minimum("unknown", note="not searched: f'' > 0 not provable in one "
                                       "variable, and not a polynomial")
    from scipy.optimize import minimize_scalar

    g = sp.diff(e, x)
    f = sp.lambdify(x, e, "numpy")
    with np.errstate(all="ignore"):
        r = minimize_scalar(lambda v: float(f(v)))
    if not np.isfinite(r.x):
        return Minimum("none", note="strictly convex but no minimiser found (f may decrease "
                                    "forever)")
    try:
        root = sp.nsolve(g, x, r.x, prec=30)
    except (ValueError, ZeroDivisionError):
        return Minimum("none", note="strictly convex but f' has no root near the numeric "
                                    "minimum (f may decrease forever)")
    xs = root
    if exact:  # a closed form where one reproduces 25 digits (slow: find_minimizer only)
        guess = sp.nsimplify(root, [sp.pi, sp.E], tolerance=1e-25)
        if abs(sp.N(guess - root, 30)) < 1e-25 and not guess.has(sp.Float):
            xs = guess
    return Minimum("unique", x_star=(xs,), f_star=e.subs(x, xs), local=((xs,),),
                   note="f'' > 0 (strictly convex): the root of f' (SciPy, then nsolve at "
                        "30 digits)")


def analyse(e: sp.Expr, syms, *, exact: bool = False) -> Minimum:
    """The minimisers of ``e`` in the variables ``syms``, as far as the capped analysis
    decides (see the module docstring).

    Example:
      >>> import sympy as sp
      >>> x, y = sp.symbols("x y")
      >>> analyse((1 - x)**2 + 100*(y - x**2)**2, (x, y)).x_star
      (1, 1)
      >>> analyse(x**2 - y**2, (x, y)).status
      'none'
    """
    syms = tuple(syms)
    if e.is_polynomial(*syms):
        deg = sp.Poly(e, *syms).total_degree()
        if deg <= 2:
            return _quadratic(e, syms)
        if len(syms) == 1:
            return _univariate(e, syms[0])
        if len(syms) == 2 and deg <= MAX_DEGREE_2D:
            return _bivariate(e, syms)
        return Minimum("unknown", note=f"not searched: a polynomial of degree {deg} in "
                                       f"{len(syms)} variables")
    if len(syms) == 1:
        return _convex_1d(e, syms[0], exact)
    return Minimum("unknown", note="not searched: not a polynomial, several variables")
