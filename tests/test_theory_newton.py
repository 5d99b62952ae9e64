"""Newton, secant, Halley and fixed-point constants (one variable), Newton's constant in
several variables and BFGS's superlinear law, each against an independent computation:
mpmath iterations at hundreds of digits, series derivations, closed forms."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import lrtheory.theory as th
from lrtheory.problems import from_expr, quadratic


def _mp_errors(step, x0, root, dps=600, stop=-500):
    """Errors |x_k - x*| of an mpmath iteration until they drop below 10**stop."""
    with mpmath.workdps(dps):
        x, e = mpmath.mpf(x0), []
        while True:
            e.append(x - root)
            if abs(e[-1]) < mpmath.mpf(10) ** stop or len(e) > 200:
                return e
            x = step(x)


def _last_clean(e, dps):
    """Last k with e_k < 1e-100 and e_{k+1} at least 100 digits above round-off."""
    floor = mpmath.mpf(10) ** (100 - dps)
    return max(i for i in range(len(e) - 1) if abs(e[i]) < 1e-100 and abs(e[i + 1]) > floor)


def test_newton_constant_matches_mpmath_iteration():
    # f = exp(x) - 2x, x* = ln 2: C = |f'''/(2 f'')| = 2/(2*2) = 1/2.
    r = th.newton_rate("exp(x) - 2*x", sp.log(2))
    assert (r.q_expr, r.rate_expr, r.regime) == (2, sp.Rational(1, 2), "superlinear")
    with mpmath.workdps(600):
        e = _mp_errors(lambda x: x - (mpmath.exp(x) - 2) / mpmath.exp(x), 1, mpmath.log(2))
        # e_{k+1}/e_k^2 = C + O(e_k): with e_k < 1e-100 the ratio is C to 1e-90.
        k = _last_clean(e, 600)
        assert abs(e[k + 1] / e[k] ** 2 - mpmath.mpf(1) / 2) < 1e-80


def test_secant_constant_matches_mpmath_iteration():
    r = th.secant_rate("exp(x) - 2*x", sp.log(2))
    phi = (1 + math.sqrt(5)) / 2
    assert r.q == pytest.approx(phi, rel=1e-15)
    assert r.rate == pytest.approx(0.5 ** (phi - 1), rel=1e-14)
    with mpmath.workdps(3000):
        xs, g = mpmath.log(2), lambda x: mpmath.exp(x) - 2
        a, b, e = mpmath.mpf(1), mpmath.mpf("0.9"), []
        while abs(b - xs) > mpmath.mpf(10) ** -1800:  # next step stays above round-off
            a, b = b, b - g(b) * (b - a) / (g(b) - g(a))
            e.append(abs(b - xs))
        # e_{k+1} = K e_k e_{k-1} (1 + O(e)), K = |g''/(2g')| = 1/2: exact to 1e-100 here.
        assert abs(e[-1] / (e[-2] * e[-3]) - mpmath.mpf(1) / 2) < 1e-100
        # e_{k+1}/e_k^phi tends to K^(phi-1) but its log error shrinks only by a factor
        # (phi-1) = 0.618 per step (alternating): ~15 steps leave ~1e-3.
        assert float(e[-1] / e[-2] ** mpmath.phi) == pytest.approx(r.rate, rel=3e-3)


def test_halley_constant_derived_from_the_map_series():
    # Independent derivation: g = a1 h + a2 h^2 + a3 h^3 + a4 h^4 around the root;
    # Halley's map x - 2 g g'/(2 g'^2 - g g'') gives e_{k+1} = c3 e_k^3 + ...
    h = sp.Symbol("h")
    a1, a2, a3, a4 = sp.symbols("a1:5", nonzero=True)
    g = a1 * h + a2 * h**2 + a3 * h**3 + a4 * h**4
    g1, g2 = sp.diff(g, h), sp.diff(g, h, 2)
    ser = sp.series(h - 2 * g * g1 / (2 * g1**2 - g * g2), h, 0, 4).removeO()
    c3 = sp.simplify(ser.coeff(h, 3))
    assert sp.simplify(ser.coeff(h, 1)) == 0 and sp.simplify(ser.coeff(h, 2)) == 0
    # g' = a1, g'' = 2 a2, g''' = 6 a3 at the root: c3 = g''^2/(4g'^2) - g'''/(6g').
    assert sp.simplify(c3 - ((2 * a2) ** 2 / (4 * a1**2) - 6 * a3 / (6 * a1))) == 0
    # Newton: e_{k+1} = g''/(2g') e_k^2 + ...
    ser_n = sp.series(h - g / g1, h, 0, 3).removeO()
    assert sp.simplify(ser_n.coeff(h, 2) - 2 * a2 / (2 * a1)) == 0


def test_halley_constant_matches_mpmath_iteration():
    # g = exp(x) - 2 at ln 2: g' = g'' = g''' = 2, so c3 = 1/4 - 1/6 = 1/12 (signed).
    r = th.halley_rate("exp(x) - 2*x", sp.log(2))
    assert (r.q_expr, r.rate_expr) == (3, sp.Rational(1, 12))
    with mpmath.workdps(900):
        e = _mp_errors(lambda x: x - 2 * (mpmath.exp(x) - 2) * mpmath.exp(x)
                       / (2 * mpmath.exp(2 * x) - (mpmath.exp(x) - 2) * mpmath.exp(x)),
                       1, mpmath.log(2), dps=900, stop=-800)
        k = _last_clean(e, 900)
        assert abs(e[k + 1] / e[k] ** 3 - mpmath.mpf(1) / 12) < 1e-80


@pytest.mark.parametrize("expr, x_star", [("exp(x) - 2*x", sp.log(2)),
                                          ("x**3/3 - 2*x", sp.sqrt(2)),
                                          ("cosh(x) - x", sp.asinh(1))])
def test_iteration_constant_of_newton_map_agrees_with_newton_rate(expr, x_star):
    x = sp.Symbol("x")
    g = sp.diff(sp.sympify(expr), x)
    gen = th.iteration_constant(x - g / sp.diff(g, x), x, x_star)
    r = th.newton_rate(expr, x_star)
    # Two different exact forms (series of the map vs |g''/(2g')|); SymPy cannot always
    # prove hyperbolic identities, so compare at 60 digits.
    assert gen.q == r.q == 2 and abs(sp.N(gen.rate_expr - r.rate_expr, 60)) < 1e-50


def test_multiple_roots_are_linear_and_match_simulation():
    # Root finding on g = (x - 1)^2 (x + 2): double root at 1.
    g = "(x - 1)**2*(x + 2)"
    newton = th.newton_rate(g, 1, mode="root")
    halley = th.halley_rate(g, 1, mode="root")
    secant = th.secant_rate(g, 1, mode="root")
    assert newton.rate_expr == sp.Rational(1, 2)  # (m-1)/m
    assert halley.rate_expr == sp.Rational(1, 3)  # (m-1)/(m+1)
    assert sp.simplify(secant.rate_expr - (sp.sqrt(5) - 1) / 2) == 0  # t^2 + t = 1
    assert {newton.regime, halley.regime, secant.regime} == {"linear"}
    with mpmath.workdps(200):
        G = lambda x: (x - 1) ** 2 * (x + 2)  # noqa: E731
        dG = lambda x: 2 * (x - 1) * (x + 2) + (x - 1) ** 2  # noqa: E731
        d2G = lambda x: 2 * (x + 2) + 4 * (x - 1)  # noqa: E731
        steps = {
            "newton": lambda x: x - G(x) / dG(x),
            "halley": lambda x: x - 2 * G(x) * dG(x) / (2 * dG(x) ** 2 - G(x) * d2G(x)),
        }
        for name, pred in (("newton", newton), ("halley", halley)):
            e = _mp_errors(steps[name], mpmath.mpf("1.5"), 1, dps=200, stop=-60)
            # e_{k+1}/e_k = rate + O(e_k); e_k ~ 1e-60 here.
            assert float(e[-1] / e[-2]) == pytest.approx(pred.rate, rel=1e-12)
        a, b, e = mpmath.mpf("1.5"), mpmath.mpf("1.4"), []
        for _ in range(150):
            a, b = b, b - G(b) * (b - a) / (G(b) - G(a))
            e.append(b - 1)
        # Secant ratios settle on t geometrically (factor ~0.6 per step): 150 steps.
        assert float(e[-1] / e[-2]) == pytest.approx(secant.rate, rel=1e-9)


def test_newton_minimising_x4_and_damped_newton():
    # Minimising x^4: g = 4x^3 has a triple root, Newton is linear at 2/3.
    r = th.newton_rate("x**4", 0)
    assert (r.q_expr, r.rate_expr, r.regime) == (1, sp.Rational(2, 3), "linear")
    assert th.root_multiplicity("x**4", 0) == 3
    # Damped Newton on exp(x) - 2x with lr = 1/2: linear at |1 - lr| = 1/2.
    d = th.newton_rate("exp(x) - 2*x", sp.log(2), lr=sp.Rational(1, 2))
    assert (d.q_expr, d.rate_expr) == (1, sp.Rational(1, 2))
    x, e = 1.0, []
    for _ in range(40):
        e.append(x - math.log(2))
        x -= 0.5 * (math.exp(x) - 2) / math.exp(x)
    # e_{k+1}/e_k = 1/2 + O(e_k): e_39 ~ 1e-12, float rounding ~1e-16/1e-12 = 1e-4.
    assert e[39] / e[38] == pytest.approx(0.5, rel=1e-3)
    # Modified Newton with lr = m = 3 is exact in one step on x^4 (the map is 0).
    exact_step = th.newton_rate("x**4", 0, lr=3)
    assert (exact_step.regime, exact_step.rate) == ("finite", 0.0)
    # g'' = 0 at the root: Newton on sin at pi is cubic, e_{k+1} = -e^3/3.
    s = th.newton_rate("sin(x)", sp.pi, mode="root")
    assert (s.q_expr, s.rate_expr) == (3, sp.Rational(1, 3))


def test_newton_from_problem_with_float_x_star():
    p = from_expr("exp(x) - 2*x", x0=0.0, x_star=0.6931471805599453)
    # x_star is refined to 200 digits, so the float constant is 1/2 to the last bit.
    assert th.newton_rate(p).rate == 0.5
    assert th.halley_rate(p).rate == pytest.approx(1 / 12, rel=1e-15)
    with pytest.raises(ValueError, match="not a root"):
        th.newton_rate("exp(x) - 2*x", 0.5)
    with pytest.raises(ValueError, match="scalar"):
        th.secant_rate(quadratic(dim=2, cond=2.0))
    with pytest.raises(ValueError, match="mode must be"):
        th.newton_rate("x**2", 0, mode="max")
    with pytest.raises(ValueError, match="not a fixed point"):
        th.iteration_constant("x/2", "x", 1)


def test_rate_latex():
    assert th.newton_rate("exp(x) - 2*x", sp.log(2)).latex() == \
        r"e_{k+1} \approx \frac{1}{2}\, e_k^{2}"
    assert th.gd_rate([1, 10], sp.Rational(2, 11)).latex() == r"\rho = \frac{9}{11}"




def test_x_star_as_text_or_sympy_number_is_one_reading():
    # One helper (lrtheory._formula.point) reads every point: text, SymPy, float.
    for xs in ("log(2)", sp.log(2), "ln(2)"):
        assert th.newton_rate("exp(x) - 2*x", xs).rate_expr == sp.Rational(1, 2)
    assert th.curvature("exp(x) - 2*x", x_star="log(2)").L_expr == 2  # f'' = e^x = 2
    with pytest.raises(ValueError, match="x_star must be a number; got y"):
        th.newton_rate("exp(x) - 2*x", "y")


# ---------------------------------------------------------------- several variables

# f'''/(2 f'') is 1/2 in x and 6/2 = 3 in y.
SEPARABLE = "x**3/6 + x**2/2 + y**2/2 + y**3"


def test_newton_constant_reduces_to_the_scalar_constant():
    # One variable: K = f'''/(2 f''); exp(x) - 2x at ln 2 has f'' = f''' = 2, K = 1/2.
    c = th.newton_constant("exp(x) - 2*x", x_star="log(2)")
    assert c.K_expr[0, 0, 0] == sp.Rational(1, 2) and c.C == c.C_min == 0.5
    assert c.C == th.newton_rate("exp(x) - 2*x", sp.log(2)).rate


@pytest.mark.parametrize("rotate", [False, True])
def test_newton_constant_of_a_separable_function_and_its_rotation(rotate):
    # K[e, e] = (e1^2/2, 3 e2^2): on the unit circle |K[u,u]|^2 = t^2/4 + 9 (1-t)^2 with
    # t = u1^2 in [0, 1], convex in t: max 3 at t = 0, min at t = 36/37, where
    # |K| = (1/2)(3)/sqrt(1/4 + 9) = 1.5/sqrt(9.25). A rotation of the variables (x, y)
    # -> ((u - v)/sqrt2, (u + v)/sqrt2) rotates K and leaves both numbers unchanged.
    x, y, u, v = sp.symbols("x y u v")
    f = sp.sympify(SEPARABLE)
    if rotate:
        f = f.subs({x: (u - v) / sp.sqrt(2), y: (u + v) / sp.sqrt(2)}, simultaneous=True)
    c = th.newton_constant(f, x_star=[0, 0])
    assert c.C == pytest.approx(3.0, rel=1e-12)
    # The minimum comes from a 3601-point grid refined by a bounded 1-D search: 1e-9.
    assert c.C_min == pytest.approx(1.5 / math.sqrt(9.25), rel=1e-9)
    assert np.linalg.norm(c.map(c.direction)) == pytest.approx(c.C, rel=1e-12)
    # Invariant directions (K[u,u] parallel to u) include the two axes (rotated).
    consts = sorted(round(k, 9) for k, _ in c.invariant)
    assert 0.5 in consts and 3.0 in consts
    r = th.newton_rate(f, x_star=[0, 0])
    assert (r.q, r.regime) == (2.0, "superlinear")
    assert r.rate_bounds == pytest.approx((c.C_min, c.C), rel=1e-12)


def test_newton_constant_three_variables_separable_min_and_max():
    # k = (1/2, 3, 3/2): the max over the sphere is max|k_i| = 3; the min is
    # 1/sqrt(sum 1/k_i^2) (minimise sum k_i^2 t_i^2 on the simplex: t_i ~ 1/k_i^2).
    # Random directions refined by BFGS: 1e-6.
    c = th.newton_constant(SEPARABLE + " + z**2/2 + z**3/2", x_star=[0, 0, 0])
    assert c.C == pytest.approx(3.0, rel=1e-9)
    assert c.C_min == pytest.approx(1 / math.sqrt(4 + 1 / 9 + 4 / 9), rel=1e-6)


def test_newton_in_two_variables_matches_an_mpmath_newton_run():
    # Rosenbrock with b = 10 at (1, 1); Newton iterated at 400 digits with the gradient
    # and Hessian written out by hand. Each ratio |e_(k+1)| / |e_k|^2 equals |K[u_k, u_k]|
    # for the direction u_k of e_k, up to O(|e_k|) (here < 1e-30; K is held in float64,
    # hence rel=1e-12), and lies in the interval [C_min, C] the theory gives.
    c = th.newton_constant("(1 - x)**2 + 10*(y - x**2)**2", x_star=[1, 1])
    r = th.newton_rate("(1 - x)**2 + 10*(y - x**2)**2", x_star=[1, 1])
    assert r.rate == pytest.approx(c.C, rel=1e-14) and r.rate_bounds == (c.C_min, c.C)
    with mpmath.workdps(400):
        def step(x, y):
            gx = -2 * (1 - x) - 40 * x * (y - x**2)
            gy = 20 * (y - x**2)
            hxx, hxy, hyy = 2 - 40 * y + 120 * x**2, -40 * x, mpmath.mpf(20)
            det = hxx * hyy - hxy**2
            return x - (hyy * gx - hxy * gy) / det, y - (hxx * gy - hxy * gx) / det

        x, y = mpmath.mpf("1.001"), mpmath.mpf("0.9985")
        errs = []
        for _ in range(8):
            errs.append((x - 1, y - 1))
            x, y = step(x, y)
        checked = 0
        for (a, b), (a1, b1) in zip(errs, errs[1:], strict=False):
            n0, n1 = mpmath.sqrt(a**2 + b**2), mpmath.sqrt(a1**2 + b1**2)
            if not mpmath.mpf(10) ** -150 < n0 < mpmath.mpf(10) ** -30:
                continue
            ratio = float(n1 / n0**2)
            u = np.array([float(a / n0), float(b / n0)])
            assert ratio == pytest.approx(np.linalg.norm(c.map(u)), rel=1e-12)
            assert c.C_min * (1 - 1e-9) <= ratio <= c.C * (1 + 1e-9)
            checked += 1
        assert checked >= 2


def test_newton_in_several_variables_special_cases():
    # A quadratic: one Newton step lands on x*.
    q = th.newton_rate(quadratic(dim=3, cond=5.0))
    assert (q.regime, q.rate) == ("finite", 0.0)
    # Damped Newton: the map's Jacobian at x* is (1 - lr) I, linear at |1 - lr|.
    d = th.newton_rate("(1 - x)**2 + 10*(y - x**2)**2", x_star=[1, 1], lr=0.25)
    assert (d.regime, d.rate_expr) == ("linear", sp.Rational(3, 4))
    # Third derivatives vanish at x* (f even in each variable): faster than quadratic,
    # stated as superlinear with C_k -> 0 (no order computed).
    z = th.newton_rate("x**2 + y**2 + x**4 + y**4", x_star=[0, 0])
    assert z.regime == "superlinear" and z.vanishing
    # A float x_star near x* is refined to the stationary point (50 digits).
    ref = th.newton_rate("(1 - x)**2 + 10*(y - x**2)**2", x_star=[1, 1]).rate
    p = from_expr("(1 - x)**2 + 10*(y - x**2)**2", x0=[0.0, 0.0], x_star=[1.0000000001, 1.0])
    assert th.newton_rate(p).rate == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match="singular"):
        th.newton_constant("x**4 + y**2", x_star=[0, 0])
    with pytest.raises(ValueError, match="stationary point"):
        th.newton_constant("(1 - x)**2 + 10*(y - x**2)**2", x_star=[0.5, 0.5])


def test_bfgs_is_superlinear_without_a_fixed_order():
    # Theory (Dennis & More 1974): e_(k+1)/e_k -> 0. Checked on a BFGS run in mpmath
    # (60 digits, unit steps, H0 = the inverse Hessian at x0) on the strongly convex
    # f = exp(x) - 2x + y^2/2 + xy/4: the ratios fall below 1e-6 and keep falling.
    r = th.bfgs_rate([1, 10])
    assert (r.regime, r.q, r.rate, r.method) == ("superlinear", 1.0, 0.0, "bfgs")
    assert r.vanishing and r.latex() == r"e_{k+1}/e_k \to 0"
    with mpmath.workdps(60):
        def grad(v):
            return mpmath.matrix([mpmath.exp(v[0]) - 2 + v[1] / 4, v[1] + v[0] / 4])

        xs = mpmath.findroot(lambda a, b: [mpmath.exp(a) - 2 + b / 4, b + a / 4],
                             (0.7, -0.17))
        x = mpmath.matrix([1.0, 0.5])
        H = mpmath.matrix([[mpmath.exp(x[0]), 0.25], [0.25, 1]]) ** -1
        g, e = grad(x), []
        for _ in range(12):
            e.append(mpmath.norm(x - xs))
            s = -(H * g)
            xn = x + s
            gn = grad(xn)
            yk = gn - g
            rho = 1 / (yk.T * s)[0]
            eye = mpmath.eye(2)
            H = (eye - rho * s * yk.T) * H * (eye - rho * yk * s.T) + rho * s * s.T
            x, g = xn, gn
        ratios = [float(e[i + 1] / e[i]) for i in range(len(e) - 1)]
    assert max(ratios[-3:]) < 1e-4 and min(ratios[-3:]) < 1e-6
    assert max(ratios[-4:]) < min(ratios[:2])
    with pytest.raises(ValueError, match="positive definite"):
        th.bfgs_rate([-1, 2])
