"""The one formula parser, the one reading of numbers and points, the minimiser analysis
behind from_expr(x_star="auto"), and the quadratic's SymPy expression built from its
matrix. Expected values are closed forms worked by hand (in the comments)."""

from __future__ import annotations

import fractions
import warnings

import numpy as np
import pytest
import sympy as sp

import lrtheory.theory as th
from lrtheory import _formula, _minimizer, problems
from lrtheory.problems import from_expr, parse_expr, quadratic
from lrtheory.theory.curvature import parse as theory_parse

x, y = sp.symbols("x y")


# ---------------------------------------------------------------- one parser

@pytest.mark.parametrize("text, expected", [
    ("3 y", 3 * y), ("3y", 3 * y), ("x^2 + 3 x", x**2 + 3 * x), ("2x + sin x", 2 * x + sp.sin(x)),
    ("x1^2 + x10", sp.Symbol("x1") ** 2 + sp.Symbol("x10")),
    ("gamma**k * beta", sp.Symbol("gamma") ** sp.Symbol("k") * sp.Symbol("beta")),
    ("abs(x) + ln(y)", sp.Abs(x) + sp.log(y)), ("xy", sp.Symbol("xy")),
])
def test_every_layer_reads_a_formula_the_same_way(text, expected):
    # problems.parse_expr, the theory layer's parse and the CLI's parser are one function.
    assert parse_expr(text) == theory_parse(text) == _formula.parse(text) == expected


@pytest.mark.parametrize("text, name", [("foo(x)", "foo"), ("exo(x) + 1", "exo"),
                                        ("x(y + 1)", "x")])
def test_an_unknown_function_is_an_error_naming_it(text, name):
    with pytest.raises(ValueError, match=f"unknown function '{name}'"):
        parse_expr(text)
    with pytest.raises(ValueError, match=f"unknown function '{name}'"):
        from_expr(text, x0=[1.0])
    with pytest.raises(ValueError, match=f"unknown function '{name}'"):
        th.curvature(text, x_star=[0])


@pytest.mark.parametrize("text", ["x.func", "(1).real", "__import__('os')", "x; y", "x = 1"])
def test_formulas_cannot_reach_python(text):
    with pytest.raises(ValueError, match="not allowed in a formula|is not a formula"):
        parse_expr(text)


def test_a_sympy_expression_with_an_undefined_function_is_refused_too():
    with pytest.raises(ValueError, match="unknown function 'f'"):
        _formula.parse(sp.Function("f")(x) + x)


# ---------------------------------------------------------------- one reading of numbers


@pytest.mark.parametrize("value, expected", [
    (0.1, sp.Rational(1, 10)), (1 / 3, sp.Rational(1, 3)), (2 / 11, sp.Rational(2, 11)),
    (0.3 + 0.6, sp.Rational(8999999999999999, 10**16)),  # not a small fraction: its decimal
    (1e-8, sp.Rational(1, 10**8)), (np.float64(0.25), sp.Rational(1, 4)), (3, 3),
    (fractions.Fraction(2, 7), sp.Rational(2, 7)), ("log(2)", sp.log(2)),
    ("0.5", sp.Rational(1, 2)), (sp.sqrt(2), sp.sqrt(2)),
])
def test_numbers_are_read_exactly(value, expected):
    got = _formula.number(value, "v")
    assert got == expected
    if isinstance(value, float):  # always within half an ulp of the float given
        assert float(got) == value


def test_number_and_point_errors_name_the_argument():
    with pytest.raises(ValueError, match="x_star must be finite"):
        _formula.point([0.0, float("inf")], 2)
    with pytest.raises(ValueError, match="x_star must have 2 entries"):
        _formula.point("log(2)", 2)
    with pytest.raises(TypeError, match="lr must be a real number; got the bool"):
        _formula.number(True, "lr")
    with pytest.raises(ValueError, match="lr must be real; got I"):
        _formula.number("I", "lr")


# ---------------------------------------------------------------- minimisers


@pytest.mark.parametrize("expr, x_star, f_star", [
    ("x**2/2", [0.0], 0.0),                                  # the example
    ("x**2/2 - x", [1.0], -0.5),                             # x* = 1, f* = 1/2 - 1
    ("x**2 + x*y + y**2 - y", [-1 / 3, 2 / 3], -1 / 3),      # H = [[2,1],[1,2]], b = (0,1)
    ("x**4", [0.0], 0.0),                                    # degenerate but coercive
    ("x + (x - 1)**4", [1 - 4**(-1 / 3)], None),             # f' = 1 + 4(x-1)^3 = 0
    ("(1 - x)**2 + 100*(y - x**2)**2", [1.0, 1.0], 0.0),     # sum of squares, attained
    ("(x - y)**4 + (x + y)**2", [0.0, 0.0], 0.0),            # singular Hessian at x*
    ("exp(x) - 2*x", [np.log(2)], 2 - 2 * np.log(2)),        # f'' = e^x > 0
])
def test_from_expr_finds_a_unique_minimiser(expr, x_star, f_star):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = from_expr(expr, x0=np.zeros(len(x_star)) + 0.5)
    np.testing.assert_allclose(p.x_star, x_star, rtol=1e-14, atol=1e-15)
    if f_star is not None:
        assert p.f_star == pytest.approx(f_star, rel=1e-14, abs=1e-15)
    assert p.x_star_note.startswith("found")


def test_several_minimisers_give_f_star_only():
    # x^4 - 2x^2: minima at -1 and +1, both f = -1. Himmelblau: four zeros of a sum of
    # squares. (x + y)^2: the line x = -y.
    for expr, f_star in (("x**4 - 2*x**2", -1.0), ("(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
                                                   0.0), ("(x + y)**2", 0.0)):
        p = from_expr(expr, x0=np.ones(len(sp.sympify(expr).free_symbols)))
        assert p.x_star is None and p.f_star == pytest.approx(f_star, abs=1e-13)


@pytest.mark.parametrize("expr, words", [
    ("x**3", "unbounded below"), ("x**2 - y**2", "eigenvalue -2 < 0 along"), ("3*x + 1", "linear"),
    ("x**3 - 3*x", "local minimisers at x = \\['1.0000000'\\]"),
    ("x**2 + x*y**3 - y**2", "unbounded below"), ("x - y + (x + y)**2", "null space"),
])
def test_no_minimiser_is_a_clear_warning(expr, words):
    with pytest.warns(UserWarning, match=words) as record:
        p = from_expr(expr, x0=np.ones(len(sp.sympify(expr).free_symbols)))
    assert p.x_star is None and p.x_star_note in str(record[0].message)  # the cause, kept
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # x_star=None: "unknown", no search, no warning
        assert from_expr(expr, x0=np.ones(p.dim), x_star=None).x_star_note == ""


def test_from_expr_x_star_as_text_is_exact():
    p = from_expr("exp(x) - 2*x", x0=1.0, x_star="log(2)")
    assert p.x_star.tolist() == [float(sp.log(2))] and p.f_star == float(2 - 2 * sp.log(2))
    with pytest.raises(ValueError, match="f_star=1.0 disagrees with the minimum 0.0"):
        from_expr("x**2", x0=1.0, f_star=1.0)


def test_not_searched_classes_say_so():
    # Non-polynomials in several variables and f'' not provably > 0: left to the user.
    p = from_expr("exp(x) + y**2 + cos(x*y)", x0=[0.0, 0.0])
    assert p.x_star is None and p.x_star_note.startswith("not searched")
    m = _minimizer.analyse(sp.sympify("x**2 + y**2 + z**4 + x*y*z"), sp.symbols("x y z"))
    assert m.status == "unknown" and "degree 4 in 3 variables" in m.note


# ---------------------------------------------------------------- quadratic's expression


def test_quadratic_expression_from_the_matrix_equals_the_expanded_form():
    # d = 4: the term-by-term construction equals expand(x^T A x / 2 - b^T x) with every
    # entry read by the same exact rule, symbol for symbol.
    p = quadratic(A=quadratic(dim=4, cond=7.0, seed=2).data["A"], b=[1.0, -2.0, 0.5, 0.0])
    A, b = p.data["A"], p.data["b"]
    X = sp.Matrix(p.symbols)
    As = sp.Matrix(4, 4, [_formula.number(float(v), "A") for v in A.ravel()])
    bs = sp.Matrix([_formula.number(float(v), "b") for v in b])
    ref = sp.expand((X.T * As * X)[0] / 2 - (bs.T * X)[0])
    assert p.expr == ref
    # Its gradient and Hessian are the matrix's, to the last bit of each float entry.
    H = np.array(sp.hessian(p.expr, p.symbols).tolist(), dtype=float)
    assert np.array_equal(H, A)
    g0 = [float(sp.diff(p.expr, s).subs({t: 0 for t in p.symbols})) for s in p.symbols]
    assert np.array_equal(g0, -b)


def test_large_quadratic_expression_has_the_expected_structure():
    # d = 100: d(d+1)/2 quadratic monomials (A is dense) and no Float atoms (exact).
    p = problems.get("quadratic", dim=100, cond=10.0, seed=0)
    terms = sp.Add.make_args(p.expr)
    assert len(terms) == 100 * 101 // 2 and not p.expr.has(sp.Float)
