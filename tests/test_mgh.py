"""The Moré-Garbow-Hillstrom set: f(x0) and f* of all 35 functions against printed values.

Every expected number is printed in one of these sources (cited per row), or is a closed
form derived in the comment:

- MGH81: Moré, Garbow, Hillstrom (1981), ACM TOMS 7(1):17-41, section 3 ("f = ..." of
  each function; 6 significant digits).
- MW09: Moré & Wild (2009), Benchmarking derivative-free optimization algorithms, SIAM J.
  Optim. 20(1):172-191, table of problems: f(x0) to 7 digits (as reproduced in
  optimagic's ``more_wild.py``).
- GONUM: the gonum optimize/functions test table (``functions_test.go``), f at x0 to
  ~15 digits.

A value printed with d digits is compared to within one unit in its last digit (MGH81
truncates some values rather than rounding them: Bard's 8.2148773e-3 is printed 8.21487e-3)
plus 1e-13 relative for our float64 evaluation.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import jax
import numpy as np
import pytest
import sympy as sp

from lrtheory import problems
from lrtheory.problems import mgh
from lrtheory.problems.mgh_set._data import BARD_Y


def close_to_printed(value: float, printed: str) -> bool:
    unit = 10.0 ** Decimal(printed).as_tuple().exponent
    return abs(value - float(printed)) <= unit + 1e-13 * abs(value)


def f_at(p, x):
    return float(jax.jit(p.value)(np.asarray(x, dtype=np.float64)))


def _disc_bv(n):
    # x0_i = t_i (t_i - 1) is a quadratic in t, so 2 x_i - x_{i-1} - x_{i+1} = -2 h^2 (also
    # at the ends, x_0 = x_{n+1} = 0 being the same quadratic at t = 0, 1), and
    # x_i + t_i + 1 = t_i^2 + 1: f_i = h^2 ((t_i^2 + 1)^3 / 2 - 2). Exact rationals.
    h = Fraction(1, n + 1)
    return float(sum((h * h * ((Fraction(i) * h) ** 2 + 1) ** 3 / 2 - 2 * h * h) ** 2
                     for i in range(1, n + 1)))


def _disc_ie(n):
    # Same x0: x_j + t_j + 1 = t_j^2 + 1, so f_i = x_i + h/2 [(1 - t_i) sum_{j<=i} t_j c_j
    # + t_i sum_{j>i} (1 - t_j) c_j] with c_j = (t_j^2 + 1)^3. Exact rationals.
    h = Fraction(1, n + 1)
    ts = [Fraction(i) * h for i in range(1, n + 1)]
    c = [(tj * tj + 1) ** 3 for tj in ts]
    total = Fraction(0)
    for i, ti in enumerate(ts):
        left = sum(ts[j] * c[j] for j in range(i + 1))
        right = sum((1 - ts[j]) * c[j] for j in range(i + 1, n))
        total += (ti * (ti - 1) + h * ((1 - ti) * left + ti * right) / 2) ** 2
    return float(total)


def _var_dim(n):
    # x0_j - 1 = -j/n: f = sum (j/n)^2 + s^2 + s^4 with s = -sum j^2 / n.
    s = -sum(j * j for j in range(1, n + 1)) / n
    return sum((j / n) ** 2 for j in range(1, n + 1)) + s**2 + s**4


# (function, n, m, start or None for the paper's x0, f there, source)
F0 = [
    (1, None, None, None, "24.2", "MW09"),
    (2, None, None, None, "400.5", "MW09"),
    (3, None, None, None, "1.13526171734838", "GONUM; = 1 + (e^-1 - 1e-4)^2"),
    (4, None, None, None, "999998000003", "GONUM; = (1e6 - 1)^2 + (1 - 2e-6)^2 + 1"),
    (5, None, None, None, "14.203125", "GONUM; = 1.5^2 + 2.25^2 + 2.625^2"),
    (6, 2, 10, None, "4171.306", "MW09"),
    (7, None, None, None, "2500", "MW09; theta = 1/2, f_1 = 10 (0 - 5)"),
    (8, None, None, None, "41.68170", "MW09"),
    (9, None, None, None, "3.88810699116688e-06", "GONUM"),
    (10, None, None, None, "1.693608e9", "MW09"),
    (11, 3, 99, None, "12.11070582556949", "GONUM (m = 99)"),
    (12, 3, 10, None, "1031.1538106093985", "GONUM; MW09 1031.154"),
    (13, None, None, None, "215", "MW09"),
    (14, None, None, None, "19192", "GONUM"),
    (15, None, None, None, "5.313172e-3", "MW09"),
    (16, 4, 20, None, "7926693.33699744", "GONUM; MW09 7.926693e6"),
    # MW09 start the Osborne 1 problem at x3 = +1 (MGH81's x0 has x3 = -1).
    (17, None, None, [0.5, 1.5, 1.0, 0.01, 0.02], "16.17411", "MW09"),
    (18, 6, 13, None, "0.77907007565597", "GONUM"),
    (19, None, None, None, "2.093420", "MW09"),
    (20, 6, 31, None, "30", "GONUM; x0 = 0: f_1..f_29 = -1, f_31 = -1"),
    (20, 12, 31, None, "30", "GONUM"),
    (20, 6, 31, [0.5] * 6, "16.43083", "MW09 (start 0.5)"),
    (20, 9, 31, [0.5] * 9, "26.90417", "MW09 (start 0.5)"),
    (21, 10, 10, None, "121", "5 blocks of Rosenbrock's 24.2"),
    (22, 8, 8, None, "430", "2 blocks of Powell singular's 215"),
    (23, 4, 5, None, "885.06264", "GONUM"),
    (23, 10, 11, None, "148032.56535", "GONUM"),
    (24, 4, 8, None, "2.34000880546302", "GONUM"),
    (24, 10, 20, None, "162.65277656596712", "GONUM"),
    (25, 4, 6, None, "3222.1875", "GONUM"),
    (25, 3, 5, None, "497.60493827160514", "GONUM"),
    (25, 10, 12, None, repr(_var_dim(10)), "closed form"),
    (26, 10, 10, None, "0.00707575946622261", "GONUM"),
    (26, 5, 5, None, "0.0116573789904718", "GONUM"),
    (27, 10, 10, None, "273.2480", "MW09"),
    (28, 10, 10, None, repr(_disc_bv(10)), "closed form, exact rationals"),
    (29, 10, 10, None, repr(_disc_ie(10)), "closed form, exact rationals"),
    # x0 = -1: f_i = (3 + 2)(-1) - x_{i-1} - 2 x_{i+1} + 1 = -1 inside, -2 at i = 1, -3 at n.
    (30, 10, 10, None, "21", "closed form: 4 + 9 + 8"),
    # x0 = -1: x_j (1 + x_j) = 0, so f_i = -1 (2 + 5) + 1 = -6 for every i.
    (31, 10, 10, None, "360", "closed form: 36 n"),
    (32, 9, 45, None, "72", "MW09"),
    (33, 7, 35, None, "1.165420e7", "MW09"),
    (34, 7, 35, None, "4.989195e6", "MW09"),
    (35, 8, 8, None, "3.861770e-2", "MW09"),
    (35, 6, 6, None, "4.642817e-2", "MW09"),
    (35, 11, 11, None, "2.674060e-2", "MW09"),
]


@pytest.mark.parametrize(("number", "n", "m", "start", "printed", "source"), F0)
def test_f_at_x0_matches_the_printed_value(number, n, m, start, printed, source):
    p = mgh(number, n=n, m=m)
    assert close_to_printed(f_at(p, p.x0 if start is None else start), printed), source


def test_every_function_has_a_printed_f_x0():
    assert {row[0] for row in F0} == set(range(1, 36))


# (function, n, m, MGH81's printed minimum at the minimiser the paper names)
F_STAR = [
    (1, None, None, "0"), (2, None, None, "0"), (3, None, None, "0"), (4, None, None, "0"),
    (5, None, None, "0"), (6, 2, 10, "124.362"), (7, None, None, "0"),
    (8, None, None, "8.21487e-3"), (9, None, None, "1.12793e-8"), (10, None, None, "87.9458"),
    (11, 3, 99, "0"), (12, 3, 10, "0"), (13, None, None, "0"), (14, None, None, "0"),
    (15, None, None, "3.07505e-4"), (16, 4, 20, "85822.2"), (17, None, None, "5.46489e-5"),
    (18, 6, 13, "0"), (19, None, None, "4.01377e-2"), (20, 6, 31, "2.28767e-3"),
    (20, 9, 31, "1.39976e-6"), (20, 12, 31, "4.72238e-10"), (21, 10, 10, "0"),
    (22, 8, 8, "0"), (23, 4, 5, "2.24997e-5"), (23, 10, 11, "7.08765e-5"),
    (24, 4, 8, "9.37629e-6"), (24, 10, 20, "2.93660e-4"), (25, 10, 12, "0"),
    (27, 10, 10, "0"), (28, 10, 10, "0"), (29, 10, 10, "0"), (30, 10, 10, "0"),
    (31, 10, 10, "0"), (32, 9, 45, "36"), (35, 8, 8, "3.51687e-3"),
]


@pytest.mark.parametrize(("number", "n", "m", "printed"), F_STAR)
def test_f_at_x_star_matches_the_paper(number, n, m, printed):
    p = mgh(number, n=n, m=m)
    fs = f_at(p, p.x_star)
    g = np.asarray(jax.jit(p.grad)(p.x_star))
    g0 = np.asarray(jax.jit(p.grad)(p.x0))
    if printed == "0":
        # A zero of every residual: f(x*) is round-off, (eps * |terms|)^2 with terms up
        # to 1e6 (Brown badly scaled): below 1e-18.
        assert p.f_star == 0.0 and fs <= 1e-18
    else:
        assert close_to_printed(fs, printed) and close_to_printed(p.f_star, printed)
    # Stationary: the 40-digit Newton point rounded to float64 leaves |grad| at round-off,
    # far below 1e-7 of the gradient at x0.
    assert np.max(np.abs(g)) <= 1e-7 * max(1.0, np.max(np.abs(g0)))


@pytest.mark.parametrize("number", range(1, 36))
def test_value_matches_the_sympy_expression(number):
    # The lambdified residual vector (data columns, cse) against f = sum f_i^2 built from
    # the SymPy residuals and evaluated at 30 digits, at a random start near x0: float64
    # sums of squares are accurate to ~1e-14 relative unless the residuals cancel, which
    # they do not at these points (|f| is within 10 decades of its terms). evalf with subs
    # evaluates the expression at the point directly (expr.subs(...) rebuilt the whole tree
    # first: 3-5 s for Gulf and Osborne 2); the 35 floats are the same.
    p = mgh(number)
    x = np.asarray(p.x0_sampler(jax.random.PRNGKey(number)))
    sub = {s: sp.Float(float(v), 30) for s, v in zip(p.symbols, x, strict=True)}
    exact = float(p.expr.evalf(30, subs=sub))
    assert abs(f_at(p, x) - exact) <= 1e-12 * max(1.0, abs(exact))


def test_minima_without_a_unique_minimiser():
    # Linear rank 1 (33): f = sum_i (i s - 1)^2, s = sum_j j x_j; minimal at s = 3/(2m+1)
    # (d/ds = 0: s sum i^2 = sum i), value m(m-1)/(2(2m+1)) (MGH81). On the hyperplane,
    # e.g. x = s e_1. Zero columns and rows (34): s = sum_{j=2}^{n-1} j x_j, residuals
    # (i-1)s - 1 for i = 2..m-1 plus two -1's: s = 3/(2m-3), f = (m^2+3m-6)/(2(2m-3)).
    for number, m, x in ((33, 35, [3 / 71] + [0.0] * 6), (34, 35, [0, 3 / 134] + [0.0] * 5)):
        p = mgh(number, n=7, m=m)
        assert p.x_star is None and math.isclose(f_at(p, x), p.f_star, rel_tol=1e-13)
    assert math.isclose(mgh(33, n=7, m=35).f_star, 35 * 34 / 142)
    # Bard's second minimum (MGH81: f = 17.4286 as x2, x3 -> -inf): the model tends to the
    # constant x1, so f -> sum (y_i - mean y)^2 over the 15 observations.
    y = np.array(BARD_Y)
    assert close_to_printed(float(np.sum((y - y.mean()) ** 2)), "17.4286")


def test_registry_names_numbers_and_bad_dimensions():
    p = problems.get("mgh_powell_singular")
    assert p.key == mgh(13).key == mgh("mgh_powell_singular").key
    assert len([n for n in problems.names() if n.startswith("mgh_")]) == 35
    with pytest.raises(ValueError, match="n=3 must be an integer >= 2, a multiple of 2"):
        mgh("extended_rosenbrock", n=3)
    with pytest.raises(ValueError, match="m=101 must be an integer >= n=3 and <= 100"):
        mgh("gulf", m=101)
    with pytest.raises(ValueError, match=r"function=36 must be a number in \[1, 35\]"):
        mgh(36)
    with pytest.raises(ValueError, match="fixed n=4, m=4"):
        mgh("powell_singular", n=5)


def test_hessian_singular_at_x_star_where_the_paper_says_so():
    # Powell singular: grad of the four residuals at 0 spans only 2 directions, the
    # squared ones (f3, f4) have zero Jacobian there: rank(H(0)) = 2 (MGH81, function 13).
    H = np.asarray(jax.jit(mgh(13).hess)(np.zeros(4)))
    assert np.linalg.matrix_rank(H, tol=1e-10 * np.abs(H).max()) == 2
