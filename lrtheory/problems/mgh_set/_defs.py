r"""The 35 functions of Moré, Garbow and Hillstrom (1981) as SymPy residuals.

Each function is :math:`f(x) = \sum_{i=1}^{m} f_i(x)^2`; a definition gives the residuals
:math:`f_i` (numbered and written as in section 3 of the paper), the standard start
:math:`x_0`, the dimensions and their allowed ranges, and the minimum the paper prints.
Data-fitting residuals are one SymPy template in the variables and the data symbols
``t``, ``y``, ``u`` (evaluated over the data columns at once); the others are explicit
lists built with loops.

Reference: J. J. Moré, B. S. Garbow, K. E. Hillstrom (1981), Testing unconstrained
optimization software, ACM Trans. Math. Software 7(1):17-41.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import sympy as sp

from . import _data

__all__ = ["Residuals", "MGHFunction", "FUNCTIONS"]

R = sp.Rational
t, y, u = sp.symbols("t y u")


class Residuals(NamedTuple):
    """The residuals :math:`f_1, \\dots, f_m`: ``template`` over the data columns first
    (one residual per row of ``data``), then the explicit ``exprs``."""

    exprs: list
    template: sp.Expr | None = None
    data: dict | None = None


@dataclasses.dataclass(frozen=True)
class MGHFunction:
    """One test function of the set: residual builder, start and what the paper prints.

    ``dims(n, m)`` validates and completes the dimensions (``None`` = the default);
    ``f_star(n, m)`` is the paper's minimum value or ``None`` where it prints none;
    ``x_star(n, m)`` an exact minimiser where the paper gives one, else ``None``.

    Example:
      >>> f = FUNCTIONS[19]
      >>> f.number, f.name, f.dims(None, None), f.dims(9, None), f.f_star(9, 31)
      (20, 'watson', (6, 31), (9, 31), 1.39976e-06)
    """

    number: int
    name: str
    title: str
    residuals: Callable[[tuple, int, int], Residuals]
    x0: Callable[[int, int], list]
    dims: Callable[[int | None, int | None], tuple[int, int]]
    f_star: Callable[[int, int], float | None]
    x_star: Callable[[int, int], list | None] = lambda n, m: None
    tags: tuple[str, ...] = ("nonconvex",)
    note: str = ""


def _err(msg):
    raise ValueError(msg)


def _fixed(n0, m0):
    def dims(n, m):
        if n not in (None, n0) or m not in (None, m0):
            _err(f"n={n!r}, m={m!r}: this function has fixed n={n0}, m={m0}")
        return n0, m0
    dims.text = f"n={n0}, m={m0}"
    return dims


def _m_free(n0, m_default, m_max=None):
    def dims(n, m):
        if n not in (None, n0):
            _err(f"n={n!r}: this function has n={n0}")
        m = m_default if m is None else m
        if not isinstance(m, int) or m < n0 or (m_max is not None and m > m_max):
            top = "" if m_max is None else f" and <= {m_max}"
            _err(f"m={m!r} must be an integer >= n={n0}{top}")
        return n0, m
    dims.text = f"n={n0}, {n0} <= m" + ("" if m_max is None else f" <= {m_max}")
    return dims


def _n_free(n_default, m_of_n, lo=1, hi=None, multiple=1, m_free=False, text=""):
    def dims(n, m):
        n = n_default if n is None else n
        if not isinstance(n, int) or n < lo or (hi is not None and n > hi) or n % multiple:
            rule = f">= {lo}" + ("" if hi is None else f" and <= {hi}")
            rule += "" if multiple == 1 else f", a multiple of {multiple}"
            _err(f"n={n!r} must be an integer {rule}")
        if m_free:
            m = m_of_n(n) if m is None else m
            if not isinstance(m, int) or m < n:
                _err(f"m={m!r} must be an integer >= n={n}")
        elif m not in (None, m_of_n(n)):
            _err(f"m={m!r}: this function has m = {text or m_of_n(n)}")
        else:
            m = m_of_n(n)
        return n, m
    dims.text = text
    return dims


def _zero(n, m):
    return 0.0


def _const(v):
    return lambda n, m: v


def _table(**by_dim):
    """Paper values by dimension: ``_table(n6=2.28767e-3)`` or ``_table(m10=124.362)``."""
    def f(n, m):
        return by_dim.get(f"n{n}", by_dim.get(f"m{m}"))
    return f


def _x(*v):
    return lambda n, m: list(v)


def _data_fit(template, **columns):
    def build(x, n, m):
        sub = template(x)
        return Residuals([], sub, {sp.Symbol(k): tuple(c) for k, c in columns.items()})
    return build


# --------------------------------------------------------------------- (1)-(19)
def _rosenbrock(x, n, m):
    return Residuals([10 * (x[1] - x[0] ** 2), 1 - x[0]])


def _freudenstein_roth(x, n, m):
    a, b = x
    return Residuals([-13 + a + ((5 - b) * b - 2) * b, -29 + a + ((b + 1) * b - 14) * b])


def _powell_badly_scaled(x, n, m):
    a, b = x
    return Residuals([10**4 * a * b - 1, sp.exp(-a) + sp.exp(-b) - R(10001, 10000)])


def _brown_badly_scaled(x, n, m):
    a, b = x
    return Residuals([a - 10**6, b - R(2, 10**6), a * b - 2])


def _beale(x, n, m):
    a, b = x
    ys = (R(3, 2), R(9, 4), R(21, 8))
    return Residuals([ys[i - 1] - a * (1 - b**i) for i in (1, 2, 3)])


def _jennrich_sampson(x, n, m):
    a, b = x
    return Residuals([2 + 2 * i - (sp.exp(i * a) + sp.exp(i * b)) for i in range(1, m + 1)])


def _helical_valley(x, n, m):
    a, b, c = x
    theta = sp.Piecewise((sp.atan(b / a) / (2 * sp.pi), a > 0),
                         (sp.atan(b / a) / (2 * sp.pi) + R(1, 2), True))
    return Residuals([10 * (c - 10 * theta), 10 * (sp.sqrt(a**2 + b**2) - 1), c])


def _bard(x, n, m):
    iu = range(1, 16)
    return Residuals([], y - (x[0] + u / (sp.Symbol("v") * x[1] + sp.Symbol("w") * x[2])),
                     {y: _data.BARD_Y, u: tuple(iu), sp.Symbol("v"): tuple(16 - i for i in iu),
                      sp.Symbol("w"): tuple(min(i, 16 - i) for i in iu)})


def _gaussian(x, n, m):
    return Residuals([], x[0] * sp.exp(-x[1] * (t - x[2]) ** 2 / 2) - y,
                     {t: tuple(R(8 - i, 2) for i in range(1, 16)), y: _data.GAUSSIAN_Y})


def _meyer(x, n, m):
    return Residuals([], x[0] * sp.exp(x[1] / (t + x[2])) - y,
                     {t: tuple(45 + 5 * i for i in range(1, 17)), y: _data.MEYER_Y})


def _gulf(x, n, m):
    ts = [R(i, 100) for i in range(1, m + 1)]
    ys = [25 + (-50 * sp.log(ti)) ** R(2, 3) for ti in ts]
    return Residuals([], sp.exp(-sp.Abs(y - x[1]) ** x[2] / x[0]) - t,
                     {t: tuple(ts), y: tuple(ys)})


def _box_3d(x, n, m):
    return Residuals([], sp.exp(-t * x[0]) - sp.exp(-t * x[1])
                     - x[2] * (sp.exp(-t) - sp.exp(-10 * t)),
                     {t: tuple(R(i, 10) for i in range(1, m + 1))})


def _powell_singular(x, n, m):
    a, b, c, d = x
    return Residuals([a + 10 * b, sp.sqrt(5) * (c - d), (b - 2 * c) ** 2,
                      sp.sqrt(10) * (a - d) ** 2])


def _wood(x, n, m):
    a, b, c, d = x
    return Residuals([10 * (b - a**2), 1 - a, sp.sqrt(90) * (d - c**2), 1 - c,
                      sp.sqrt(10) * (b + d - 2), (b - d) / sp.sqrt(10)])


def _kowalik_osborne(x, n, m):
    return Residuals([], y - x[0] * (u**2 + u * x[1]) / (u**2 + u * x[2] + x[3]),
                     {y: _data.KOWALIK_OSBORNE_Y,
                      u: tuple(sp.nsimplify(v) for v in _data.KOWALIK_OSBORNE_U)})


def _brown_dennis(x, n, m):
    return Residuals([], (x[0] + t * x[1] - sp.exp(t)) ** 2
                     + (x[2] + x[3] * sp.sin(t) - sp.cos(t)) ** 2,
                     {t: tuple(R(i, 5) for i in range(1, m + 1))})


def _osborne1(x, n, m):
    return Residuals([], y - (x[0] + x[1] * sp.exp(-t * x[3]) + x[2] * sp.exp(-t * x[4])),
                     {t: tuple(10 * i for i in range(33)), y: _data.OSBORNE1_Y})


def _biggs_exp6(x, n, m):
    ts = [R(i, 10) for i in range(1, m + 1)]
    ys = [sp.exp(-ti) - 5 * sp.exp(-10 * ti) + 3 * sp.exp(-4 * ti) for ti in ts]
    return Residuals([], x[2] * sp.exp(-t * x[0]) - x[3] * sp.exp(-t * x[1])
                     + x[5] * sp.exp(-t * x[4]) - y, {t: tuple(ts), y: tuple(ys)})


def _osborne2(x, n, m):
    model = (x[0] * sp.exp(-t * x[4]) + x[1] * sp.exp(-(t - x[8]) ** 2 * x[5])
             + x[2] * sp.exp(-(t - x[9]) ** 2 * x[6]) + x[3] * sp.exp(-(t - x[10]) ** 2 * x[7]))
    return Residuals([], y - model, {t: tuple(R(i, 10) for i in range(65)),
                                     y: _data.OSBORNE2_Y})


# --------------------------------------------------------------------- (20)-(35)
def _watson(x, n, m):
    s1 = sum((j - 1) * x[j - 1] * t ** (j - 2) for j in range(2, n + 1))
    s2 = sum(x[j - 1] * t ** (j - 1) for j in range(1, n + 1))
    return Residuals([x[0], x[1] - x[0] ** 2 - 1], s1 - s2**2 - 1,
                     {t: tuple(R(i, 29) for i in range(1, 30))})


def _extended_rosenbrock(x, n, m):
    out = []
    for i in range(0, n, 2):
        out += [10 * (x[i + 1] - x[i] ** 2), 1 - x[i]]
    return Residuals(out)


def _extended_powell(x, n, m):
    out = []
    for i in range(0, n, 4):
        out += _powell_singular(x[i:i + 4], 4, 4).exprs
    return Residuals(out)


def _penalty1(x, n, m):
    a = sp.sqrt(R(1, 10**5))
    return Residuals([a * (xi - 1) for xi in x] + [sum(xi**2 for xi in x) - R(1, 4)])


def _penalty2(x, n, m):
    a = sp.sqrt(R(1, 10**5))
    e = [sp.exp(xi / 10) for xi in x]
    out = [x[0] - R(1, 5)]
    out += [a * (e[i] + e[i - 1] - sp.exp(R(i + 1, 10)) - sp.exp(R(i, 10))) for i in range(1, n)]
    out += [a * (e[i] - sp.exp(R(-1, 10))) for i in range(1, n)]
    out += [sum((n - j) * x[j] ** 2 for j in range(n)) - 1]
    return Residuals(out)


def _variably_dimensioned(x, n, m):
    s = sum((j + 1) * (x[j] - 1) for j in range(n))
    return Residuals([xi - 1 for xi in x] + [s, s**2])


def _trigonometric(x, n, m):
    c = sum(sp.cos(xi) for xi in x)
    return Residuals([n - c + (i + 1) * (1 - sp.cos(x[i])) - sp.sin(x[i]) for i in range(n)])


def _brown_almost_linear(x, n, m):
    s = sum(x)
    return Residuals([x[i] + s - (n + 1) for i in range(n - 1)] + [sp.Mul(*x) - 1])


def _grid(n):
    h = R(1, n + 1)
    return h, [h * (i + 1) for i in range(n)]


def _discrete_boundary_value(x, n, m):
    h, ts = _grid(n)
    xs = [0, *x, 0]
    return Residuals([2 * xs[i] - xs[i - 1] - xs[i + 1] + h**2 * (xs[i] + ts[i - 1] + 1) ** 3 / 2
                      for i in range(1, n + 1)])


def _discrete_integral_equation(x, n, m):
    h, ts = _grid(n)
    cube = [(x[j] + ts[j] + 1) ** 3 for j in range(n)]
    out = []
    for i in range(n):
        left = sum(ts[j] * cube[j] for j in range(i + 1))
        right = sum((1 - ts[j]) * cube[j] for j in range(i + 1, n))
        out.append(x[i] + h * ((1 - ts[i]) * left + ts[i] * right) / 2)
    return Residuals(out)


def _broyden_tridiagonal(x, n, m):
    xs = [0, *x, 0]
    return Residuals([(3 - 2 * xs[i]) * xs[i] - xs[i - 1] - 2 * xs[i + 1] + 1
                      for i in range(1, n + 1)])


def _broyden_banded(x, n, m):
    ml, mu = 5, 1
    out = []
    for i in range(n):
        band = [j for j in range(max(0, i - ml), min(n - 1, i + mu) + 1) if j != i]
        out.append(x[i] * (2 + 5 * x[i] ** 2) + 1 - sum(x[j] * (1 + x[j]) for j in band))
    return Residuals(out)


def _linear_full_rank(x, n, m):
    s = R(2, m) * sum(x)
    return Residuals([x[i] - s - 1 for i in range(n)] + [-s - 1] * (m - n))


def _linear_rank1(x, n, m):
    s = sum((j + 1) * x[j] for j in range(n))
    return Residuals([(i + 1) * s - 1 for i in range(m)])


def _linear_rank1_zero(x, n, m):
    s = sum((j + 1) * x[j] for j in range(1, n - 1))
    return Residuals([sp.S(-1)] + [(i - 1) * s - 1 for i in range(2, m)] + [sp.S(-1)])


def _chebyquad(x, n, m):
    # Shifted Chebyshev polynomials on [0, 1] by the three-term recurrence, and their
    # integrals: 0 for odd i, -1/(i^2 - 1) for even i.
    out = []
    rows = []
    for xj in x:
        z = 2 * xj - 1
        T = [sp.S(1), z]
        for _ in range(2, m + 1):
            T.append(2 * z * T[-1] - T[-2])
        rows.append(T)
    for i in range(1, m + 1):
        integral = 0 if i % 2 else R(-1, i * i - 1)
        out.append(sum(r[i] for r in rows) / n - integral)
    return Residuals(out)


# ------------------------------------------------------------------- the table
def _grid_x0(n, m):
    h = 1 / (n + 1)
    return [(i + 1) * h * ((i + 1) * h - 1) for i in range(n)]


def _cheb_f(n, m):
    if m == n and (n <= 7 or n == 9):
        return 0.0
    return {(8, 8): 3.51687e-3, (10, 10): 6.50395e-3}.get((n, m))


_E = MGHFunction
FUNCTIONS: tuple[MGHFunction, ...] = (
    _E(1, "rosenbrock", "Rosenbrock", _rosenbrock, _x(-1.2, 1.0), _fixed(2, 2), _zero,
       _x(1, 1)),
    _E(2, "freudenstein_roth", "Freudenstein and Roth", _freudenstein_roth, _x(0.5, -2.0),
       _fixed(2, 2), _zero, _x(5, 4),
       note="also a local minimum f = 48.9842 at (11.41..., -0.8968...), reached from x0"),
    _E(3, "powell_badly_scaled", "Powell badly scaled", _powell_badly_scaled, _x(0.0, 1.0),
       _fixed(2, 2), _zero),
    _E(4, "brown_badly_scaled", "Brown badly scaled", _brown_badly_scaled, _x(1.0, 1.0),
       _fixed(2, 3), _zero, _x(10**6, R(2, 10**6))),
    _E(5, "beale", "Beale", _beale, _x(1.0, 1.0), _fixed(2, 3), _zero, _x(3, R(1, 2))),
    _E(6, "jennrich_sampson", "Jennrich and Sampson", _jennrich_sampson, _x(0.3, 0.4),
       _m_free(2, 10), _table(m10=124.362)),
    _E(7, "helical_valley", "Helical valley", _helical_valley, _x(-1.0, 0.0, 0.0),
       _fixed(3, 3), _zero, _x(1, 0, 0)),
    _E(8, "bard", "Bard", _bard, _x(1.0, 1.0, 1.0), _fixed(3, 15), _const(8.21487e-3),
       note="also f = 17.4286 at (0.8406, -inf, -inf)"),
    _E(9, "gaussian", "Gaussian", _gaussian, _x(0.4, 1.0, 0.0), _fixed(3, 15),
       _const(1.12793e-8)),
    _E(10, "meyer", "Meyer", _meyer, _x(0.02, 4000.0, 250.0), _fixed(3, 16), _const(87.9458)),
    _E(11, "gulf", "Gulf research and development", _gulf, _x(5.0, 2.5, 0.15),
       _m_free(3, 99, 100), _zero, _x(50, 25, R(3, 2))),
    _E(12, "box_3d", "Box three-dimensional", _box_3d, _x(0.0, 10.0, 20.0), _m_free(3, 10),
       _zero, _x(1, 10, 1), note="also f = 0 at (10, 1, -1) and wherever x1 = x2, x3 = 0"),
    _E(13, "powell_singular", "Powell singular", _powell_singular, _x(3.0, -1.0, 0.0, 1.0),
       _fixed(4, 4), _zero, _x(0, 0, 0, 0), note="singular Hessian at x*"),
    _E(14, "wood", "Wood", _wood, _x(-3.0, -1.0, -3.0, -1.0), _fixed(4, 6), _zero,
       _x(1, 1, 1, 1)),
    _E(15, "kowalik_osborne", "Kowalik and Osborne", _kowalik_osborne,
       _x(0.25, 0.39, 0.415, 0.39), _fixed(4, 11), _const(3.07505e-4),
       note="also f = 1.02734e-3 at (+inf, -14.07..., -inf, -inf)"),
    _E(16, "brown_dennis", "Brown and Dennis", _brown_dennis, _x(25.0, 5.0, -5.0, -1.0),
       _m_free(4, 20), _table(m20=85822.2)),
    _E(17, "osborne1", "Osborne 1", _osborne1, _x(0.5, 1.5, -1.0, 0.01, 0.02), _fixed(5, 33),
       _const(5.46489e-5)),
    _E(18, "biggs_exp6", "Biggs EXP6", _biggs_exp6, _x(1.0, 2.0, 1.0, 1.0, 1.0, 1.0),
       _m_free(6, 13), _zero, _x(1, 10, 1, 5, 4, 3),
       note="also a local minimum f = 5.65565e-3 (m = 13)"),
    _E(19, "osborne2", "Osborne 2", _osborne2,
       _x(1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5), _fixed(11, 65),
       _const(4.01377e-2)),
    _E(20, "watson", "Watson", _watson, lambda n, m: [0.0] * n,
       _n_free(6, lambda n: 31, 2, 31, text="31"),
       _table(n6=2.28767e-3, n9=1.39976e-6, n12=4.72238e-10)),
    _E(21, "extended_rosenbrock", "Extended Rosenbrock", _extended_rosenbrock,
       lambda n, m: [-1.2, 1.0] * (n // 2), _n_free(10, lambda n: n, 2, multiple=2, text="n"),
       _zero, lambda n, m: [1] * n),
    _E(22, "extended_powell", "Extended Powell singular", _extended_powell,
       lambda n, m: [3.0, -1.0, 0.0, 1.0] * (n // 4),
       _n_free(8, lambda n: n, 4, multiple=4, text="n"), _zero, lambda n, m: [0] * n,
       note="singular Hessian at x*"),
    _E(23, "penalty1", "Penalty I", _penalty1, lambda n, m: [float(j) for j in range(1, n + 1)],
       _n_free(4, lambda n: n + 1, 1, text="n + 1"), _table(n4=2.24997e-5, n10=7.08765e-5)),
    _E(24, "penalty2", "Penalty II", _penalty2, lambda n, m: [0.5] * n,
       _n_free(4, lambda n: 2 * n, 1, text="2n"), _table(n4=9.37629e-6, n10=2.93660e-4)),
    _E(25, "variably_dimensioned", "Variably dimensioned", _variably_dimensioned,
       lambda n, m: [1 - j / n for j in range(1, n + 1)],
       _n_free(10, lambda n: n + 2, 1, text="n + 2"), _zero, lambda n, m: [1] * n),
    _E(26, "trigonometric", "Trigonometric", _trigonometric, lambda n, m: [1 / n] * n,
       _n_free(10, lambda n: n, 1, text="n"), _zero),
    _E(27, "brown_almost_linear", "Brown almost-linear", _brown_almost_linear,
       lambda n, m: [0.5] * n, _n_free(10, lambda n: n, 1, text="n"), _zero,
       lambda n, m: [1] * n, note="also f = 1 at (0, ..., 0, n + 1)"),
    _E(28, "discrete_boundary_value", "Discrete boundary value", _discrete_boundary_value,
       _grid_x0, _n_free(10, lambda n: n, 1, text="n"), _zero),
    _E(29, "discrete_integral_equation", "Discrete integral equation",
       _discrete_integral_equation, _grid_x0, _n_free(10, lambda n: n, 1, text="n"), _zero),
    _E(30, "broyden_tridiagonal", "Broyden tridiagonal", _broyden_tridiagonal,
       lambda n, m: [-1.0] * n, _n_free(10, lambda n: n, 1, text="n"), _zero),
    _E(31, "broyden_banded", "Broyden banded", _broyden_banded, lambda n, m: [-1.0] * n,
       _n_free(10, lambda n: n, 1, text="n"), _zero),
    _E(32, "linear_full_rank", "Linear function - full rank", _linear_full_rank,
       lambda n, m: [1.0] * n, _n_free(9, lambda n: 5 * n, 1, m_free=True, text="m >= n"),
       lambda n, m: float(m - n), lambda n, m: [-1] * n, tags=("convex",)),
    _E(33, "linear_rank1", "Linear function - rank 1", _linear_rank1, lambda n, m: [1.0] * n,
       _n_free(7, lambda n: 5 * n, 1, m_free=True, text="m >= n"),
       lambda n, m: m * (m - 1) / (2 * (2 * m + 1)), tags=("convex",),
       note="minimisers: the hyperplane sum_j j x_j = 3 / (2m + 1); singular Hessian"),
    _E(34, "linear_rank1_zero", "Linear function - rank 1 with zero columns and rows",
       _linear_rank1_zero, lambda n, m: [1.0] * n,
       _n_free(7, lambda n: 5 * n, 3, m_free=True, text="m >= n"),
       lambda n, m: (m * m + 3 * m - 6) / (2 * (2 * m - 3)), tags=("convex",),
       note="minimisers: the hyperplane sum_{j=2}^{n-1} j x_j = 3 / (2m - 3); singular "
            "Hessian"),
    _E(35, "chebyquad", "Chebyquad", _chebyquad,
       lambda n, m: [j / (n + 1) for j in range(1, n + 1)],
       _n_free(8, lambda n: n, 1, m_free=True, text="m >= n"), _cheb_f),
)
