"""Tests of lrtheory.theory (curvature, gradient descent, momentum): every prediction
against an independent computation (numpy eigenvalues / companion matrices, direct
simulation, closed forms from the literature). Newton, schedules, compare, PEP and SGD
live in tests/test_theory_*.py."""

from __future__ import annotations

import ast
import math
import pathlib
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import lrtheory.theory as th
from lrtheory.problems import from_expr, quadratic

THEORY_DIR = pathlib.Path(th.__file__).parent
SHARED = [THEORY_DIR.parent / "_formula.py", THEORY_DIR.parent / "_minimizer.py"]


def test_theory_layer_imports_no_jax():
    # DESIGN.md: theory/ is SymPy only, and so are the parser and the minimiser analysis
    # it shares with problems/. Scan every import statement (absolute and relative).
    banned = {"jax", "jaxlib", "optax", "lrtheory.problems", "lrtheory.run"}
    for path in [*THEORY_DIR.glob("*.py"), *SHARED]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level:  # relative: resolve against the package of the file
                    pkg = ["lrtheory"] + (["theory"] if path.parent == THEORY_DIR else [])
                    base = pkg[: len(pkg) - node.level + 1]
                    names = [".".join(base + ([node.module] if node.module else []))]
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
    # Text is read as a formula ("1/3", "log(2)"); a word is a symbol, not a number.
    with pytest.raises(ValueError, match=r"lr must be a number; got fast with free symbols"):
        th.gd_rate([1, 2], lr="fast")
    with pytest.raises(TypeError, match="lr must be a real number"):
        th.gd_rate([1, 2], lr=[0.1])
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


def test_gd_rate_at_lr_L_one_is_finite_termination():
    # Isotropic Hessian 3I, lr = 1/3: 1 - lr*3 = 0 on every mode, x_1 = x* (nilpotent).
    exact = th.gd_rate([3, 3], sp.Rational(1, 3))
    assert (exact.rate_expr, exact.regime) == (0, "finite")
    # lr typed as the float 1/3 is read as 1/3 (the fraction it rounds), not 0.333..3.
    assert th.gd_rate(np.eye(2) * 3.0, 1 / 3).regime == "finite"
    # An irrational L (Rastrigin's 2 + 40 pi^2): lr = 1/L in float64 is only 1/L rounded;
    # 1 - lr*L ~ 1e-17 is read as 0 and said so. In float64 the run does stop: one GD
    # step from x0 = 1 leaves |x_1| at round-off level (checked in numpy).
    L = 2 + 40 * sp.pi**2
    snapped = th.gd_rate([L, L], 1 / float(L))
    assert (snapped.rate_expr, snapped.regime) == (0, "finite") and "round-off" in snapped.note
    Lf = float(L)
    assert abs(1.0 - (1 / Lf) * (Lf * 1.0)) <= 4 * np.finfo(float).eps
    # Exact inputs are never snapped: lr = 1/3 + 1e-20 gives the rate 3e-20, linear.
    tiny = th.gd_rate([3, 3], sp.Rational(1, 3) + sp.Rational(1, 10**20))
    assert tiny.rate_expr == sp.Rational(3, 10**20) and tiny.regime == "linear"
    # Where the Hessian varies, a linear rate 0 means e_(k+1)/e_k -> 0 (superlinear):
    # GD with lr = 1 on x^2/2 + x^4 maps x to -4x^3.
    sup = th.gd_rate("x**2/2 + x**4", 1, x_star=0)
    assert (sup.regime, sup.q, sup.rate) == ("superlinear", 1.0, 0.0) and sup.vanishing
    x, e = 0.1, []
    for _ in range(4):
        e.append(abs(x))
        x -= x + 4 * x**3
    assert e[3] / e[2] < 1e-5 < e[2] / e[1] < e[1] / e[0]  # ratios fall to 0


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


def test_curvature_rejects_a_non_symmetric_matrix_and_symmetrises_round_off():
    with pytest.raises(ValueError, match=r"obj must be a symmetric matrix \(a Hessian\); "
                                         r"entry \[0, 1\] = 2 but \[1, 0\] = 0"):
        th.curvature([[1, 2], [0, 1]])
    with pytest.raises(ValueError, match="symmetric"):
        th.curvature(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]]))
    # An autodiff-style Hessian, asymmetric by 1e-15 (round-off): symmetrised, and its
    # eigenvalues are numpy's of (H + H^T)/2 (exact here: [[2, 1], [1, 2]] -> 1, 3).
    H = np.array([[2.0, 1.0 + 1e-15], [1.0, 2.0]])
    c = th.curvature(H)
    np.testing.assert_allclose(c.eigenvalues, np.linalg.eigvalsh(0.5 * (H + H.T)),
                               rtol=1e-14)


def test_curvature_says_whether_the_hessian_is_constant():
    assert th.curvature(quadratic(dim=3, cond=4.0)).quadratic is True
    assert th.curvature("x**2 + 3*y**2").quadratic is True
    assert th.curvature("x**4 + x**2", x_star=0).quadratic is False
    assert th.curvature([1, 2]).quadratic is None  # a bare spectrum: a quadratic model


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


def test_nilpotent_momentum_iterations_have_rate_zero():
    # Nesterov on 4I with lr = 1/4: each mode's polynomial is z^2 (a = b = 0), so x_1 = 0:
    # y_0 = x_0, x_1 = y_0 - (1/4) 4 y_0 = 0; y_1 = x_1 + beta (x_1 - x_0) = -beta x_0,
    # x_2 = 0 again. Exact rate 0, regime finite; numpy iteration below.
    r = th.nesterov_rate([4, 4], lr=0.25, beta=0.5)
    assert (r.rate_expr, r.regime) == (0, "finite")
    xp = x = np.ones(2)
    for _ in range(3):
        y = x + 0.5 * (x - xp)
        xp, x = x, y - 0.25 * 4 * y
        assert np.all(x == 0)
    # lr = 1/L in float64 with an irrational L (Rastrigin's Hessian at 0 is
    # (2 + 40 pi^2) I): still exactly 0, not sqrt(beta * 1e-17) ~ 4e-9.
    L = 2 + 40 * sp.pi**2
    assert th.nesterov_rate([L, L], 1 / float(L), 0.5).rate_expr == 0
    # Heavy ball with beta = 0 is gradient descent: finite at lr = 1/L as well.
    assert th.heavy_ball_rate([L, L], 1 / float(L), 0).regime == "finite"
    # On Rastrigin itself (its Hessian varies) the same step is superlinear, C_k -> 0.
    rast = "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)"
    loc = th.nesterov_rate(th.curvature(rast, x_star=[0, 0]), 1 / float(L), 0.5)
    assert loc.regime == "superlinear" and loc.vanishing


def test_mode_radius_names_its_arguments():
    with pytest.raises(ValueError, match=r"a must be a number; got a with free symbols"):
        th.mode_radius("a", 1)
    with pytest.raises(TypeError, match=r"b must be a real number"):
        th.mode_radius(1, [2])
    # Text is a number when it has no variables: z^2 - 2z + 1/2 has roots 1 +- 1/sqrt(2).
    assert th.mode_radius(2, "1/2") == 1 + 1 / sp.sqrt(2)
    assert abs(np.roots([1, -2, 0.5])).max() == pytest.approx(1 + 2**-0.5, rel=1e-15)


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


