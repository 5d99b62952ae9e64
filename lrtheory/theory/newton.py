r"""Local convergence of Newton, damped Newton, secant and Halley, and of any scalar
fixed-point iteration, from Taylor coefficients at the solution.

For minimising :math:`f` the iterations look for a root of :math:`g = f'`
(``mode="minimize"``); ``mode="root"`` takes :math:`g = ` the expression itself.
At a simple root (:math:`g'(x^\star) \ne 0`), with :math:`e_k = x_k - x^\star`:

=========  =====================  ==============================================
method     order :math:`q`         constant :math:`C` in :math:`|e_{k+1}| \approx C|e_k|^q`
=========  =====================  ==============================================
Newton     2                      :math:`|g''/(2g')|`  (= :math:`|f'''/(2f'')|`)
damped     1                      :math:`|1-\alpha|` (step :math:`\alpha \ne 1`)
secant     :math:`\varphi`        :math:`|g''/(2g')|^{\varphi-1}`, :math:`\varphi=(1+\sqrt5)/2`
Halley     3                      :math:`|g''^2/(4g'^2) - g'''/(6g')|`
=========  =====================  ==============================================

At a root of multiplicity :math:`m > 1` all of them are linear: Newton with step
:math:`\alpha` at rate :math:`|1-\alpha/m|` (:math:`(m-1)/m` undamped; minimising
:math:`x^4` gives :math:`g = 4x^3`, :math:`m = 3`, rate 2/3), Halley at
:math:`(m-1)/(m+1)`, secant at the root in (0, 1) of :math:`t^m + t^{m-1} = 1`
(:math:`(\sqrt5-1)/2` for a double root). References: Ostrowski (1966), *Solution of
Equations and Systems of Equations*; Traub (1964), *Iterative Methods for the
Solution of Equations*, ch. 2 and 5.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from .._formula import point
from .._vocab import Regime
from ._common import PHI, Rate, exact, is_zero, make_rate, simplify_small, to_float
from .curvature import _is_problem, parse, variables
from .newton_nd import newton_rate_nd

__all__ = ["iteration_constant", "newton_rate", "secant_rate", "halley_rate",
           "root_multiplicity"]

# Working precision when x_star is only known as a float and must be refined.
_DPS = 200


def _refine(g: sp.Expr, x: sp.Symbol, x0: sp.Expr, name: str) -> sp.Expr:
    """x0 itself when g(x0) is exactly 0; else the root of g near x0 to ~200 digits
    (modified Newton, fast at multiple roots too). Errors name ``name``."""
    if is_zero(g.subs(x, x0)):
        return x0
    fs = [sp.lambdify(x, sp.diff(g, x, j), "mpmath") for j in range(3)]
    with mpmath.workdps(_DPS):
        start = mpmath.mpf(str(sp.N(x0, 30)))
        try:
            r = mpmath.findroot(fs[0], start, solver="mnewton", df=fs[1], d2f=fs[2],
                                tol=mpmath.mpf(10) ** (-2 * _DPS + 20), maxsteps=200,
                                verify=False)
        except (ZeroDivisionError, ValueError) as e:
            raise ValueError(f"{name}={x0} is not a root of g={g}: {e}") from e
        ok = mpmath.isfinite(r) and abs(r - start) <= mpmath.mpf("1e-6") * max(1, abs(start))
        if not ok or abs(fs[0](r)) > abs(fs[0](start)):
            raise ValueError(f"{name}={sp.N(x0, 17)} is not a root of g={g} "
                             f"(g({name}) = {sp.N(g.subs(x, x0), 5)})")
        return sp.Float(mpmath.nstr(r, _DPS), _DPS)


def _scalar(obj, x_star, mode, symbol):
    """(g, x, x_star) for a scalar problem or expression."""
    if mode not in ("minimize", "root"):
        raise ValueError(f"mode must be 'minimize' (g = f') or 'root' (g = expr); "
                         f"got {mode!r}")
    if _is_problem(obj):
        if obj.dim != 1:
            raise ValueError(f"secant and Halley constants are for scalar problems; problem "
                             f"{obj.name!r} has dim={obj.dim}")
        if obj.expr is None:
            raise ValueError(f"problem {obj.name!r} has no SymPy expression")
        e, syms = obj.expr, obj.symbols
        x_star = obj.x_star[0] if x_star is None and obj.x_star is not None else x_star
    else:
        e = parse(obj, "obj")
        syms = variables(e, None if symbol is None else [symbol], "symbol")
    if len(syms) != 1:
        raise ValueError(f"expected one variable; {e} has {[str(s) for s in syms]} "
                         "(pass symbol= and substitute the others)")
    if x_star is None:
        raise ValueError("x_star is required (the root / minimiser)")
    x = syms[0]
    g = sp.diff(e, x) if mode == "minimize" else e
    (xs,) = point(x_star, 1, "x_star")
    return g, x, _refine(g, x, xs, "x_star")


def _several_variables(obj) -> bool:
    if _is_problem(obj):
        return obj.dim > 1
    return len(parse(obj, "obj").free_symbols) > 1


def _derivs(g, x, xs, n):
    return [sp.diff(g, x, j).subs(x, xs) for j in range(n + 1)]


def _multiplicity(d) -> int:
    scale = max((abs(sp.N(v, 30)) for v in d), default=1) or 1
    for j, v in enumerate(d[1:], start=1):
        if not is_zero(v, scale):
            return j
    raise ValueError(f"g and its first {len(d) - 1} derivatives vanish at x_star")


def root_multiplicity(obj, x_star=None, mode: str = "minimize", symbol=None,
                      max_order: int = 12) -> int:
    r"""Multiplicity :math:`m` of :math:`x^\star` as a root of :math:`g`: the order of the
    first non-vanishing derivative.

    >>> root_multiplicity("x**4", 0), root_multiplicity("x**4", 0, mode="root")
    (3, 4)
    """
    g, x, xs = _scalar(obj, x_star, mode, symbol)
    return _multiplicity(_derivs(g, x, xs, max_order))


def iteration_constant(map_expr, x=None, x_star=None, max_order: int = 8) -> Rate:
    r"""Order and constant of a scalar fixed-point iteration :math:`x_{k+1} = \Phi(x_k)`.

    Expands :math:`\Phi(x^\star + h) - x^\star = \sum_{j\ge1} c_j h^j` (SymPy series,
    so removable singularities such as Newton's map at a multiple root are fine). With
    :math:`p` the first index with :math:`c_p \ne 0`: :math:`p = 1` gives linear
    convergence at rate :math:`|c_1|`; :math:`p \ge 2` gives order :math:`q = p`, constant
    :math:`C = |c_p| = |\Phi^{(p)}(x^\star)|/p!`.

    Args:
      map_expr: :math:`\Phi` as a SymPy expression or formula string.
      x: its variable (default: the only free symbol).
      x_star: the fixed point (float read exactly, or a SymPy number; a float that is
        only close is refined to 200 digits).
      max_order: highest order looked at.

    Returns:
      :class:`~lrtheory.theory.Rate` (``method="fixed_point"``; ``note`` has the signed
      leading term).

    Example:
      >>> x = sp.Symbol("x")
      >>> r = iteration_constant(x - (x**2 - 2) / (2 * x), x, sp.sqrt(2))
      >>> r.q, r.rate_expr
      (2.0, sqrt(2)/4)
    """
    phi = parse(map_expr, "map_expr")
    syms = variables(phi, None if x is None else [x], "x")
    if len(syms) != 1:
        raise ValueError(f"map_expr={phi} must have exactly one variable; got "
                         f"{[str(s) for s in syms]} (pass x=)")
    (x,) = syms
    if x_star is None:
        raise ValueError("x_star is required (the fixed point)")
    xs = exact(x_star, "x_star")
    try:
        xs = _refine(phi - x, x, xs, "x_star")
    except ValueError as e:
        raise ValueError(f"x_star={xs} is not a fixed point of {phi}") from e
    c = _taylor(phi, x, xs, max_order)
    c[0] = c[0] - xs
    if all(v == 0 for v in c):  # no Floats and exactly zero: Phi(x) == x_star near x_star
        return make_rate("fixed_point", 1, 0, regime=Regime.FINITE,
                         note="Phi(x) = x_star near x_star: exact in one step")
    if not is_zero(c[0]):
        raise ValueError(f"x_star={xs} is not a fixed point of {phi}: Phi(x_star) - x_star "
                         f"= {sp.N(c[0], 5)}")
    for p in range(1, max_order + 1):
        if not is_zero(c[p]):
            cp = sp.N(c[p], 20) if c[p].has(sp.Float) else simplify_small(c[p])
            return make_rate("fixed_point", p, sp.Abs(cp),
                             note=f"e_(k+1) = ({cp}) * e_k**{p} + ...")
    raise ValueError(f"Phi - x_star vanishes to order {max_order} at x_star; raise max_order")


def _taylor(phi: sp.Expr, x: sp.Symbol, xs: sp.Expr, n: int) -> list[sp.Expr]:
    """Taylor coefficients c_0..c_n of phi at xs: by derivatives (fast), or by a series
    expansion when phi has a removable singularity there (0/0, e.g. Newton's map at a
    multiple root). Stops at the first non-zero c_j, j >= 1 (later ones are 0-padded)."""
    out, d = [], phi
    for j in range(n + 1):
        v = d.subs(x, xs)
        if v.has(sp.nan, sp.zoo, sp.oo, sp.S.NegativeInfinity) or not sp.N(v).is_finite:
            h = sp.Dummy("h")
            ser = sp.expand(sp.series(phi.subs(x, xs + h), h, 0, n + 1).removeO())
            return [ser.coeff(h, i) for i in range(n + 1)]
        out.append(v / sp.factorial(j))
        if j >= 1 and not is_zero(out[-1]):
            return out + [sp.Integer(0)] * (n - j)
        d = sp.diff(d, x)
    return out


def newton_rate(obj, x_star=None, lr=1, mode: str = "minimize", symbol=None) -> Rate:
    r"""Newton's (or damped Newton's) local order and constant at :math:`x^\star`.

    Simple root, :math:`\alpha = 1`: :math:`q = 2`, :math:`C = |g''/(2g')|`. Multiplicity
    :math:`m` or step :math:`\alpha`: linear at :math:`|1-\alpha/m|`. When that leading
    term vanishes (:math:`g'' = 0`, or :math:`\alpha = m`), the order comes from
    :func:`iteration_constant` on :math:`\Phi(x) = x - \alpha g/g'`.

    Several variables (``mode="minimize"``): the law of
    :func:`~lrtheory.theory.newton_nd.newton_constant`, order 2 with
    :math:`C = \max_{\|u\|=1}\|\tfrac12 H^{-1}T[u,u]\|` and ``rate_bounds`` the min
    and max over directions (a quadratic: ``finite``; damped: linear at
    :math:`|1-\alpha|`).

    Args:
      obj: a Problem, or :math:`f` (or :math:`g` with ``mode="root"``) as a
        SymPy expression / string.
      x_star: the minimiser / root (default: the problem's): a number, a SymPy number or
        text such as ``"log(2)"`` (read by :func:`lrtheory._formula.point`).
      lr: the step :math:`\alpha` of damped Newton :math:`x - \alpha g/g'`.
      mode: ``"minimize"`` (:math:`g = f'`) or ``"root"`` (:math:`g = ` ``obj``).
      symbol: the variable, if the expression has several symbols.

    Example:
      >>> newton_rate("exp(x) - 2*x", sp.log(2)).rate_expr
      1/2
      >>> r = newton_rate("x**4", 0)
      >>> r.q, r.rate_expr, r.regime.value
      (1.0, 2/3, 'linear')
      >>> newton_rate("exp(x) - 2*x", "log(2)").rate_expr     # x_star as text
      1/2
    """
    a = exact(lr, "lr")
    if not a > 0:
        raise ValueError(f"lr must be > 0; got {lr!r}")
    if mode == "minimize" and symbol is None and _several_variables(obj):
        return newton_rate_nd(obj, x_star, a)
    g, x, xs = _scalar(obj, x_star, mode, symbol)
    d = _derivs(g, x, xs, 12)
    m = _multiplicity(d)
    linear = sp.Abs(1 - a / m)
    if m > 1 or a != 1:
        if not is_zero(linear):
            return make_rate("newton", 1, linear, lr=a,
                             note=f"root of g of multiplicity {m}, step {a}: rate |1 - lr/m|")
    else:
        C = sp.Abs(d[2] / (2 * d[1]))
        if not is_zero(C, abs(sp.N(d[1], 30))):
            return make_rate("newton", 2, C, lr=a, note="simple root: C = |g''/(2g')|")
    r = iteration_constant(x - a * g / sp.diff(g, x), x, xs)
    return r._replace(method="newton", lr=to_float(a),
                      note=f"leading term vanishes (m={m}); from the map's series: " + r.note)


def secant_rate(obj, x_star=None, mode: str = "minimize", symbol=None) -> Rate:
    r"""The secant method's local order and constant.

    Simple root: :math:`e_{k+1} \approx \frac{g''}{2g'} e_k e_{k-1}`, hence order
    :math:`\varphi = (1+\sqrt5)/2` with :math:`C = |g''/(2g')|^{\varphi-1}`. Root of
    multiplicity :math:`m`: linear, rate :math:`t \in (0,1)` with :math:`t^m + t^{m-1} = 1`.

    Example:
      >>> r = secant_rate("exp(x) - 2*x", sp.log(2))
      >>> round(r.q, 6), round(r.rate, 6)
      (1.618034, 0.651558)
    """
    g, x, xs = _scalar(obj, x_star, mode, symbol)
    d = _derivs(g, x, xs, 12)
    m = _multiplicity(d)
    if m > 1:
        t = sp.Symbol("t", positive=True)
        (root,) = [r for r in sp.solve(t**m + t ** (m - 1) - 1, t) if r.is_real]
        return make_rate("secant", 1, root,
                         note=f"root of multiplicity {m}: t**m + t**(m-1) = 1")
    K = sp.Abs(d[2] / (2 * d[1]))
    if is_zero(K, abs(sp.N(d[1], 30))):
        raise ValueError("g''(x_star) = 0: the secant order is then not the golden ratio; "
                         "this case is not covered")
    return make_rate("secant", PHI, K ** (PHI - 1), regime="superlinear",
                     note="simple root: C = |g''/(2g')|**(phi-1)")


def halley_rate(obj, x_star=None, mode: str = "minimize", symbol=None) -> Rate:
    r"""Halley's method :math:`x - 2gg'/(2g'^2 - gg'')`: local order and constant.

    Simple root: order 3, :math:`e_{k+1} \approx \big(\frac{g''^2}{4g'^2} -
    \frac{g'''}{6g'}\big) e_k^3` (signed; ``rate`` is its absolute value; derived from the
    map's series in the tests). Multiplicity :math:`m`: linear at :math:`(m-1)/(m+1)`.

    Example:
      >>> halley_rate("exp(x) - 2*x", sp.log(2)).rate_expr
      1/12
    """
    g, x, xs = _scalar(obj, x_star, mode, symbol)
    d = _derivs(g, x, xs, 12)
    m = _multiplicity(d)
    if m > 1:
        return make_rate("halley", 1, sp.Rational(m - 1, m + 1),
                         note=f"root of multiplicity {m}: rate (m-1)/(m+1)")
    C = sp.Abs(d[2] ** 2 / (4 * d[1] ** 2) - d[3] / (6 * d[1]))
    if not is_zero(C, max(1, abs(sp.N(d[3] / d[1], 30)))):
        return make_rate("halley", 3, C, note="simple root: C = |g''^2/(4g'^2) - g'''/(6g')|")
    g1, g2 = sp.diff(g, x), sp.diff(g, x, 2)
    r = iteration_constant(x - 2 * g * g1 / (2 * g1**2 - g * g2), x, xs)
    return r._replace(method="halley", note="leading term vanishes; from the map's series: "
                      + r.note)
