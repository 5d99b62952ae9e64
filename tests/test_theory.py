"""Tests of lrtheory.theory: every prediction against an independent computation
(numpy eigenvalues / companion matrices, direct simulation, mpmath iterations at
hundreds of digits, closed forms from the literature)."""

from __future__ import annotations

import ast
import math
import pathlib
import sys
from fractions import Fraction
from typing import NamedTuple

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import lrtheory.theory as th
from lrtheory.problems import from_expr, quadratic

THEORY_DIR = pathlib.Path(th.__file__).parent


def test_theory_layer_imports_no_jax():
    # DESIGN.md: theory/ is SymPy only. Scan every import statement of the package.
    banned = {"jax", "jaxlib", "optax", "lrtheory.problems", "lrtheory.run"}
    for path in THEORY_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for n in names:
                assert not any(n == b or n.startswith(b + ".") for b in banned), (path, n)


# ---------------------------------------------------------------- curvature


def test_curvature_of_generated_quadratic_matches_numpy_eigvalsh():
    p = quadratic(dim=30, cond=50.0, seed=3)
    c = th.curvature(p)
    # quadratic() stores the exact spectrum: endpoints mu=1 and L=50 exactly.
    assert (c.mu_expr, c.L_expr, c.kappa_expr) == (1, 50, 50) and c.exact
    # A = Q diag Q^T in float64: eigvalsh recovers the spectrum to ~1e-13 (kappa * eps).
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(p.data["A"]), rtol=1e-12)


def test_curvature_of_rosenbrock_is_exact_and_matches_jax_hessian():
    p = from_expr("(1 - x)**2 + 100*(y - x**2)**2", x0=[-1.0, 1.0], x_star=[1.0, 1.0])
    c = th.curvature(p)
    # Hessian at (1,1) is [[802, -400], [-400, 200]]: eigenvalues 501 -+ sqrt(250601).
    assert c.eigenvalues_expr == (501 - sp.sqrt(250601), 501 + sp.sqrt(250601))
    H = np.asarray(p.hess(np.array([1.0, 1.0])))
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-12)
    assert c.kappa == pytest.approx(c.L / c.mu, rel=1e-15)


def test_curvature_numeric_path_for_dense_3d_hessian():
    e = "x**2 + 2*y**2 + 3*z**2 + x*y + y*z + cos(x + z)"
    c = th.curvature(e, x_star=[0, 0, 0])
    H = np.array([[1.0, 1, -1], [1, 4, 1], [-1, 1, 5]])  # by hand: d2 of cos(x+z) = -1
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-14)
    assert not c.exact and c.source == "hessian"


def test_curvature_accepts_matrix_spectrum_and_itself():
    M = sp.Matrix([[2, 1], [1, 2]])  # eigenvalues 1 and 3
    assert th.curvature(M).eigenvalues_expr == (1, 3)
    assert th.curvature(np.array([[2.0, 1.0], [1.0, 2.0]])).eigenvalues_expr == (1, 3)
    c = th.curvature([3, 1, 2])
    assert c.eigenvalues_expr == (1, 2, 3) and th.curvature(c) is c
    assert th.curvature([0, 2]).kappa == math.inf  # not strongly convex


def test_curvature_errors_name_the_argument():
    with pytest.raises(ValueError, match="x_star"):
        th.curvature("x**4 + y**2")
    with pytest.raises(ValueError, match="x_star must have 2 entries"):
        th.curvature("x**4 + y**2", x_star=[0, 0, 0])
    with pytest.raises(ValueError, match="lr must be > 0"):
        th.gd_rate([1, 2], lr=-0.1)
    with pytest.raises(TypeError, match="lr must be a real number"):
        th.gd_rate([1, 2], lr="fast")
    with pytest.raises(ValueError, match="lr must be finite"):
        th.gd_rate([1, 2], lr=float("nan"))


# ---------------------------------------------------------------- gradient descent


def test_gd_rate_exact_rational():
    # GD on diag(1, 10) at lr = 2/11 contracts both modes by 9/11 per step.
    assert th.gd_rate(sp.diag(1, 10), sp.Rational(2, 11)).rate_expr == sp.Rational(9, 11)
    p = quadratic(A=np.diag([1.0, 10.0]))
    r = th.gd_rate(p, Fraction(2, 11))
    assert r.rate_expr == sp.Rational(9, 11) and r.regime == "linear" and r.q == 1
    g = th.gd_limits(p)
    assert (g.lr_max_expr, g.lr_opt_expr, g.rate_opt_expr) == (sp.Rational(1, 5),
                                                                sp.Rational(2, 11),
                                                                sp.Rational(9, 11))
    assert th.gd_rate(p, g.lr_max_expr).regime == "undetermined"  # |1 - 2| = 1


def _gd_sim_rate(A, lr, x0, n):
    """(e_2n / e_n)^(1/n) from a direct numpy GD run on 1/2 x^T A x (x* = 0)."""
    x, errs = x0.copy(), []
    for _ in range(2 * n + 1):
        errs.append(np.linalg.norm(x))
        x = x - lr * (A @ x)
    return (errs[2 * n] / errs[n]) ** (1.0 / n)


@pytest.mark.parametrize("lr", [0.02, "opt", 0.075, 0.09])
def test_gd_rate_matches_simulation(lr):
    p = quadratic(dim=20, cond=25.0, seed=1)
    A = p.data["A"]
    lr = th.gd_limits(p).lr_opt if lr == "opt" else lr
    pred = th.gd_rate(p, lr)
    x0 = np.random.default_rng(0).standard_normal(20)
    meas = _gd_sim_rate(A, lr, x0, n=400)
    # The second-slowest mode is at least 2.5% slower; after 400 steps its share is
    # < 0.975**400 ~ 4e-5 of e_n, so the measured rate is within ~1e-7 (relative).
    assert meas == pytest.approx(pred.rate, rel=1e-6)
    assert pred.regime == ("diverged" if lr > th.gd_limits(p).lr_max else "linear")


def test_gd_local_rate_on_nonquadratic_matches_iteration():
    # f = exp(x) - 2x: f''(ln 2) = 2, so GD with lr = 0.3 contracts by |1 - 0.6| = 0.4.
    r = th.gd_rate(th.curvature("exp(x) - 2*x", x_star=sp.log(2)), 0.3)
    assert r.rate_expr == sp.Rational(2, 5)
    x, e = 1.0, []
    for _ in range(25):
        e.append(abs(x - math.log(2)))
        x -= 0.3 * (math.exp(x) - 2)
    # e_{k+1}/e_k = 0.4 + O(e_k); e_24 ~ 1e-10, float error ~1e-16/e_k ~ 1e-6.
    assert e[24] / e[23] == pytest.approx(0.4, rel=1e-5)


# ---------------------------------------------------------------- momentum


def _companion_radius(lam, a_fn, b_fn):
    return max(max(abs(np.linalg.eigvals(np.array([[a_fn(v), -b_fn(v)], [1.0, 0.0]]))))
               for v in lam)


def _hb_radius(lam, lr, beta):
    """Spectral radius of heavy ball's per-mode companion matrices (numpy eigvals)."""
    return _companion_radius(lam, lambda v: 1 + beta - lr * v, lambda v: beta)


def _nag_radius(lam, lr, beta):
    """Same for Nesterov (Sutskever form)."""
    return _companion_radius(lam, lambda v: (1 + beta) * (1 - lr * v),
                             lambda v: beta * (1 - lr * v))


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(0.01, 0.25), beta=st.floats(0.0, 0.99))
def test_heavy_ball_and_nesterov_rates_match_numpy_companion(lr, beta):
    lam = [1.0, 2.5, 7.0]
    hb = th.heavy_ball_rate(lam, lr, beta).rate
    nag = th.nesterov_rate(lam, lr, beta).rate
    # numpy eigvals of the 2x2 companion matrices; a double root perturbs the numeric
    # eigenvalues by ~sqrt(eps) ~ 1e-8, hence the tolerance.
    assert hb == pytest.approx(_hb_radius(lam, lr, beta), rel=1e-7)
    assert nag == pytest.approx(_nag_radius(lam, lr, beta), rel=1e-7)


def _envelope_rate(errs, n, w):
    """Rate from the upper envelope: (max e over [2n, 2n+w) / max over [n, n+w))^(1/n)."""
    return (max(errs[2 * n:2 * n + w]) / max(errs[n:n + w])) ** (1.0 / n)


@pytest.mark.parametrize("lr, beta", [(0.1, 0.25), (0.1, 0.6), (0.15, 0.9)])
def test_heavy_ball_rate_matches_simulation(lr, beta):
    A = np.diag([1.0, 3.0, 10.0])
    x_prev = x = np.ones(3)
    errs = []
    for _ in range(700):
        errs.append(np.linalg.norm(x))
        x, x_prev = x - lr * (A @ x) + beta * (x - x_prev), x
    # Complex modes spiral, so use the envelope over a window longer than their period;
    # 300 steps between windows leave a relative error ~1e-4 from the other modes.
    assert _envelope_rate(errs, 300, 60) == pytest.approx(
        th.heavy_ball_rate(np.diag(A), lr, beta).rate, rel=1e-3)


@pytest.mark.parametrize("kappa", [10, 100])
def test_heavy_ball_optimal_rate_is_exact_and_optimal(kappa):
    p = th.heavy_ball_optimal([1, kappa])
    s = sp.sqrt(kappa)
    assert sp.simplify(p.rate_expr - (s - 1) / (s + 1)) == 0
    assert sp.simplify(p.beta_expr - ((s - 1) / (s + 1)) ** 2) == 0
    r = th.heavy_ball_rate([1, kappa], p.lr_expr, p.beta_expr)
    assert sp.simplify(r.rate_expr - p.rate_expr) == 0 and "double root" in r.note
    # No (lr, beta) on a grid around it does better (numpy companion radius over the
    # two extreme modes; slack 1e-9 for float rounding).
    lam = [1.0, float(kappa)]
    best = min(_hb_radius(lam, a, b) for a in np.linspace(0.5, 1.5, 21) * p.lr
               for b in np.linspace(0.5, 1.5, 21) * p.beta if b < 1)
    assert best >= p.rate - 1e-9


@pytest.mark.parametrize("kappa", [10, 100])
def test_nesterov_tunings(kappa):
    std = th.nesterov_params([1, kappa])
    # Standard tuning: the slowest mode is a double root at 1 - 1/sqrt(kappa).
    assert sp.simplify(std.rate_expr - (1 - 1 / sp.sqrt(kappa))) == 0
    assert std.lr_expr == sp.Rational(1, kappa)
    quad = th.nesterov_params([1, kappa], tuning="quadratic")
    # Lessard, Recht & Packard (2016): rate 1 - 2/sqrt(3 kappa + 1).
    assert quad.rate == pytest.approx(1 - 2 / math.sqrt(3 * kappa + 1), rel=1e-14)
    lam = [1.0, float(kappa)]
    best = min(_nag_radius(lam, a, b) for a in np.linspace(0.8, 1.2, 21) * quad.lr
               for b in np.linspace(0.8, 1.2, 21) * quad.beta)
    assert best >= quad.rate - 1e-9  # numpy sqrt(eps) slack at double roots: 1e-9 is safe
    assert quad.rate < std.rate


def test_optax_sgd_momentum_is_heavy_ball_and_nesterov_is_lookahead():
    import jax.numpy as jnp
    import optax

    A = np.diag([1.0, 4.0, 10.0])
    lr, beta, n = 0.05, 0.7, 60
    for nesterov in (False, True):
        tx = optax.sgd(lr, momentum=beta, nesterov=nesterov)
        x = jnp.ones(3)
        state = tx.init(x)
        got = [np.asarray(x)]
        for _ in range(n):
            upd, state = tx.update(jnp.asarray(A) @ x, state, x)
            x = optax.apply_updates(x, upd)
            got.append(np.asarray(x))
        # The conventions documented in lrtheory.theory.momentum, written out in numpy.
        ref, xp, xc = [], np.ones(3), np.ones(3)
        for _ in range(n + 1):
            if nesterov:  # Sutskever form; optax's iterates are the look-ahead points y_k
                y = xc + beta * (xc - xp)
                ref.append(y)
                xp, xc = xc, y - lr * (A @ y)
            else:
                ref.append(xc)
                xp, xc = xc, xc - lr * (A @ xc) + beta * (xc - xp)
        np.testing.assert_allclose(np.array(got), np.array(ref), rtol=1e-12, atol=1e-14)
    rate = th.nesterov_rate(np.diag(A), lr, beta).rate
    errs = [np.linalg.norm(v) for v in got]
    # Same spectral radius for optax's nesterov iterates: envelope over 20-step windows.
    assert _envelope_rate(errs, 20, 20) == pytest.approx(rate, rel=0.05)


# ---------------------------------------------------------------- Newton family


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
    # Modified Newton with lr = m = 3 is exact in one step on x^4 (map is 0).
    assert th.newton_rate("x**4", 0, lr=3).q == math.inf
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
        th.newton_rate(quadratic(dim=2, cond=2.0))
    with pytest.raises(ValueError, match="mode must be"):
        th.newton_rate("x**2", 0, mode="max")
    with pytest.raises(ValueError, match="not a fixed point"):
        th.iteration_constant("x/2", "x", 1)


def test_rate_latex():
    assert th.newton_rate("exp(x) - 2*x", sp.log(2)).latex() == \
        r"e_{k+1} \approx \frac{1}{2}\, e_k^{2}"
    assert th.gd_rate([1, 10], sp.Rational(2, 11)).latex() == r"\rho = \frac{9}{11}"


# ---------------------------------------------------------------- schedules


def test_exponential_decay_stalls_at_the_product():
    lr0, d, lam, x0 = 0.5, 0.9, 1.0, 2.0
    s = th.schedule_limit(f"{lr0} * {d}**k", lam=lam, x0=x0)
    assert (s.converges, s.regime, s.sum_lr_expr) == (False, "stalled", 5)  # lr0/(1-d)
    direct = x0 * np.prod(1 - lam * lr0 * d ** np.arange(3000))  # d^3000 ~ 1e-137
    # numpy's product of 3000 factors carries ~3000 eps of rounding: 1e-12 is safe.
    assert s.limit == pytest.approx(direct, rel=1e-12)
    # Closed form: the q-Pochhammer symbol (lam lr0; d)_inf.
    assert s.limit == pytest.approx(x0 * float(mpmath.qp(lam * lr0, d)), rel=1e-14)


def test_stall_level_is_the_distance_when_the_limit_is_negative():
    # 1.5 * 0.5^k with lam = 1: the first factor is -1/2, so x_inf < 0; the level is |x_inf|.
    s = th.schedule_limit("1.5 * 0.5**k", lam=1, x0=1)
    direct = np.prod(1 - 1.5 * 0.5 ** np.arange(200))  # 0.5^200 ~ 6e-61: converged
    assert direct < 0 and s.limit == pytest.approx(abs(direct), rel=1e-13)


def test_summable_polynomial_decay_stalls_at_closed_form():
    # prod_{j>=1} (1 - c/j^2) = sin(pi sqrt c) / (pi sqrt c) (Euler), here c = 1/2.
    s = th.schedule_limit("0.5/(k + 1)**2", lam=1)
    c = 0.5
    assert s.regime == "stalled" and s.sum_lr_expr == sp.pi**2 / 12
    assert s.limit == pytest.approx(math.sin(math.pi * c**0.5) / (math.pi * c**0.5),
                                    rel=1e-14)


def test_time_based_decay_converges_sublinearly():
    lr0, d, lam = 0.5, 0.1, 1.0
    s = th.schedule_limit(f"{lr0}/(1 + {d}*k)", lam=lam, x0=1)
    assert s.converges and s.regime == "sublinear" and s.p_expr == 5  # lam*lr0/d
    # x_K = prod (k+5)/(k+10) = 15120 Gamma(K+5)/Gamma(K+10) -> 15120 K^-5.
    assert s.prefactor_expr == 15120
    k = np.arange(10**6)
    x = np.cumprod(1 - lam * lr0 / (1 + d * k))  # x[K-1] = x_K
    slope = -math.log(x[10**6 - 1] / x[10**5 - 1]) / math.log(10)
    # x_K K^5 = A (1 + O(p^2/K)): at K = 1e5..1e6 the slope is 5 to ~1e-3.
    assert slope == pytest.approx(s.p, rel=1e-3)
    assert x[10**6 - 1] * 1e6**5 == pytest.approx(s.prefactor, rel=1e-4)


def test_schedule_other_regimes():
    assert th.schedule_limit("0.3", lam=1).rate_expr == sp.Rational(7, 10)
    assert th.schedule_limit("3", lam=1).regime == "diverged"
    # 1.5/(1 + 0.1 k) = 1 at k = 5: x_6 = 0 exactly (numpy agrees).
    fin = th.schedule_limit("1.5/(1 + 0.1*k)", lam=1)
    assert fin.regime == "finite" and fin.converges
    assert np.prod(1 - 1.5 / (1 + 0.1 * np.arange(6))) == 0.0
    slow = th.schedule_limit("0.5/sqrt(k + 1)", lam=1)
    assert slow.regime == "sublinear" and slow.p == math.inf
    with pytest.raises(ValueError, match="lam must be > 0"):
        th.schedule_limit("0.1", lam=0)
    with pytest.raises(ValueError, match="several free symbols"):
        th.schedule_limit("a*k", lam=1)


# ---------------------------------------------------------------- compare


class _Est(NamedTuple):  # the fields of lrtheory.estimate.OrderEstimate that compare reads
    q: float | None
    rate: float | None
    q_ci: tuple | None
    rate_ci: tuple | None
    regime: str


def test_compare_tolerance_ci_and_regime():
    pred = th.gd_rate([1, 10], sp.Rational(2, 11))  # 9/11, linear
    row = th.compare(_Est(1.0, 0.80, None, None, "linear"), pred, rtol=0.05)
    # |0.80 - 0.8182| / 0.8182 = 2.2% <= 5%
    assert row.agree and row.rel_error == pytest.approx(abs(0.80 - 9 / 11) / (9 / 11))
    wide = th.compare(_Est(1.0, 0.70, None, (0.6, 0.9), "linear"), pred, rtol=0.01)
    assert wide.agree and wide.in_ci  # outside rtol, inside the CI
    assert not th.compare(_Est(1.0, 0.70, None, (0.6, 0.8), "linear"), pred, rtol=0.01).agree
    clash = th.compare(_Est(1.0, 0.82, None, None, "diverged"), pred)
    assert not clash.agree and clash.regime_agree is False
    none = th.compare(_Est(None, None, None, None, "undetermined"), pred)
    assert not none.agree and none.measured is None
    q = th.compare(_Est(1.62, 0.6, (1.6, 1.64), None, "superlinear"),
                   th.secant_rate("exp(x) - 2*x", sp.log(2)), field="q", rtol=0)
    assert q.agree and q.in_ci and q.method == "secant"
    # Sublinear exponent of a time-based decay vs an estimate's p and p_ci.
    sched = th.schedule_limit("0.5/(1 + 0.1*k)", lam=1)  # p = 5
    est_p = type("Est", (), {"p": 4.97, "p_ci": (4.9, 5.02), "regime": "sublinear"})()
    prow = th.compare(est_p, sched, field="p", rtol=0.001)
    assert prow.agree and prow.in_ci and prow.quantity == "p"
    df = th.to_frame([row, wide, q], problem="diag(1,10)")
    assert df.shape[0] == 3 and df.problem.tolist() == ["diag(1,10)"] * 3
    assert df.agree.tolist() == [True, True, True]
    with pytest.raises(ValueError, match="field must be"):
        th.compare(0.9, 0.9, field="C")
    with pytest.raises(TypeError, match="prediction must be"):
        th.compare(0.9, "0.9")


# ---------------------------------------------------------------- PEP (optional extra)


def test_pep_missing_raises_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)  # makes `import PEPit` fail
    with pytest.raises(ImportError, match=r"pip install lrtheory\[pep\]"):
        th.pep.gd_worst_case_rate(10.0, 1.0, 0.1)


def test_pep_worst_cases():
    # The only importorskip in this file: PEPit is the optional extra lrtheory[pep].
    pytest.importorskip("PEPit")
    for lr, n in ((0.1, 1), (2 / 11, 3), (0.19, 2)):
        pep = th.pep.gd_worst_case_rate(10.0, 1.0, lr, n=n)
        # Quadratics are GD's worst case: rate = max|1 - lr*lambda| (Taylor et al. 2017);
        # the SDP solver is accurate to ~1e-8 on tau.
        assert pep.rate == pytest.approx(th.gd_rate([1, 10], lr).rate, rel=1e-6)
    lr, beta, n = 0.1, 0.25, 3
    hb = th.pep.heavy_ball_worst_case_rate(10.0, 1.0, lr, beta, n=n)
    worst_quad = 0.0  # 1-D quadratics lambda in [mu, L] are in the class: a lower bound
    for lam in np.linspace(1.0, 10.0, 91):
        xp = x = 1.0
        for _ in range(n):
            x, xp = x - lr * lam * x + beta * (x - xp), x
        worst_quad = max(worst_quad, x * x)
    assert hb.tau >= worst_quad - 1e-6


# ---------------------------------------------------------------- with the real estimator


def test_predictions_agree_with_estimate_order_on_exact_sequences():
    from lrtheory.estimate import estimate_order

    # GD on diag(1, 3, 10), lr = 0.15: rate max(0.85, 0.55, 0.5) = 0.85 (numpy run).
    A, x, e = np.diag([1.0, 3.0, 10.0]), np.ones(3), []
    for _ in range(300):
        e.append(np.linalg.norm(x))
        x = x - 0.15 * (A @ x)
    row = th.compare(estimate_order(e), th.gd_rate(np.diag(A), 0.15), rtol=1e-6)
    assert row.agree and row.regime_agree  # the slow mode is alone after ~100 steps
    # Newton on exp(x) - 2x at 600 digits: q = 2, C = 1/2.
    with mpmath.workdps(600):
        x, e = mpmath.mpf(1), []
        for _ in range(12):
            e.append(abs(x - mpmath.log(2)))
            x = x - (mpmath.exp(x) - 2) / mpmath.exp(x)
        est = estimate_order(e)
    pred = th.newton_rate("exp(x) - 2*x", sp.log(2))
    assert th.compare(est, pred, field="q", rtol=1e-6).agree
    assert th.compare(est, pred, rtol=1e-6).agree  # C_k = 1/2 + O(e_k)
    # Time-based decay: p = 5; the log-log slope over 2e4 steps is biased by O(1/k) * p,
    # about 0.2% here, hence rtol = 1%. Exponential decay: the stall level to 1e-6.
    k = np.arange(20000)
    x = np.abs(np.cumprod(1 - 0.5 / (1 + 0.1 * k)))
    sub = th.compare(estimate_order(np.concatenate([[1.0], x])),
                     th.schedule_limit("0.5/(1 + 0.1*k)", lam=1), field="p", rtol=0.01)
    assert sub.agree and sub.regime_agree
    x = np.abs(np.cumprod(1 - 0.5 * 0.9 ** np.arange(400)))
    stall = th.compare(estimate_order(np.concatenate([[1.0], x])),
                       th.schedule_limit("0.5 * 0.9**k", lam=1), field="limit", rtol=1e-6)
    assert stall.agree and stall.regime_agree


def test_step_decay_schedule_stalls_at_the_direct_product():
    # lr_k = 0.5 * 0.5**floor((1+k)/10): nine steps at 0.5, then plateaus of ten steps at
    # 0.25, 0.125, ...: sum = 0.5*9 + 10*(0.25 + 0.125 + ...) = 4.5 + 5 = 9.5 < inf, so GD
    # on x^2/2 (lam = 1) stalls at |x0 * prod (1 - lr_k)|, computed here by a direct loop.
    from lrtheory.theory import schedule_limit

    r = schedule_limit("0.5*0.5**floor((1+k)/10)", lam=1, x0=1)
    x, k = 1.0, np.arange(3000)
    for lr in 0.5 * 0.5 ** np.floor((1 + k) / 10):
        x *= 1 - lr
    assert r.regime == "stalled" and not r.converges
    assert r.sum_lr == pytest.approx(9.5, rel=1e-14)
    assert r.limit == pytest.approx(x, rel=1e-12)  # float64 loop of 3000 products
