"""The noise floor of constant-step SGD on a quadratic with additive gradient noise:
the formula against a SymPy solution of the stationary covariance equation, the exact
covariance recursion iterated in float64, and a seeded Monte Carlo run."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import lrtheory.theory as th


def test_formula_is_the_solution_of_the_stationary_covariance_equation():
    # Two modes, any symmetric noise S (in the eigenbasis): solve C = M C M + a^2 S with
    # M = diag(1 - a l1, 1 - a l2) for the three entries of C, and compare the trace,
    # tr(H C)/2 and tr(H^2 C) with the closed forms of the module docstring.
    a, l1, l2 = sp.symbols("a l1 l2", positive=True)
    s11, s12, s22, c11, c12, c22 = sp.symbols("s11 s12 s22 c11 c12 c22")
    M = sp.diag(1 - a * l1, 1 - a * l2)
    C, S = sp.Matrix([[c11, c12], [c12, c22]]), sp.Matrix([[s11, s12], [s12, s22]])
    eqs = list(C - M * C * M - a**2 * S)
    sol = sp.solve([eqs[0], eqs[1], eqs[3]], [c11, c12, c22], dict=True)[0]
    Cs, H = C.subs(sol), sp.diag(l1, l2)
    dist = a * (s11 / (l1 * (2 - a * l1)) + s22 / (l2 * (2 - a * l2)))
    f = a / 2 * (s11 / (2 - a * l1) + s22 / (2 - a * l2))
    grad = a * (l1 * s11 / (2 - a * l1) + l2 * s22 / (2 - a * l2))
    assert sp.simplify(Cs.trace() - dist) == 0
    assert sp.simplify((H * Cs).trace() / 2 - f) == 0
    assert sp.simplify((H * H * Cs).trace() - grad) == 0
    # The library's exact value at one point of that family (isotropic, sigma^2 = 1/4).
    fl = th.sgd_noise_floor([1, 4], lr=sp.Rational(1, 5), sigma=sp.Rational(1, 2))
    at = {a: sp.Rational(1, 5), l1: 1, l2: 4, s11: sp.Rational(1, 4), s22: sp.Rational(1, 4)}
    assert (fl.dist_sq_expr, fl.f_expr, fl.grad_sq_expr) == tuple(
        e.subs(at) for e in (dist, f, grad))


def _recursion(H, Sigma, lr, steps, m0=None):
    """E|e_k|^2, E[f - f*], E|grad f|^2 by iterating C <- M C M + lr^2 Sigma, m <- M m."""
    n = H.shape[0]
    M = np.eye(n) - lr * H
    C, m = np.zeros((n, n)), np.zeros(n) if m0 is None else np.asarray(m0, float)
    out = []
    for _ in range(steps):
        out.append((m @ m + np.trace(C), 0.5 * (m @ H @ m + np.trace(H @ C)),
                    m @ H @ H @ m + np.trace(H @ H @ C)))
        C = M @ C @ M + lr**2 * Sigma
        m = M @ m
    return np.array(out)


def test_floor_matches_the_exact_covariance_recursion():
    # A rotated Hessian and a full noise covariance: 3000 steps at rate rho^2 <= 0.99^2
    # leave the transient below 1e-26, so the recursion has converged to round-off.
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    H = Q @ np.diag([0.5, 2.0, 6.0]) @ Q.T
    B = rng.standard_normal((3, 3))
    Sigma = B @ B.T
    lr = 0.3
    fl = th.sgd_noise_floor(H, lr=lr, Sigma=Sigma)
    last = _recursion(H, Sigma, lr, 3000)[-1]
    np.testing.assert_allclose([fl.dist_sq, fl.f, fl.grad_sq], last, rtol=1e-10)
    # Isotropic noise on the quadratic problem: the exact (rational) value.
    iso = th.sgd_noise_floor([0.5, 2.0, 6.0], lr=lr, sigma=0.7)
    last = _recursion(np.diag([0.5, 2.0, 6.0]), 0.49 * np.eye(3), lr, 3000)[-1]
    np.testing.assert_allclose([iso.dist_sq, iso.f, iso.grad_sq], last, rtol=1e-10)
    assert iso.dist_sq_expr.is_Rational


def test_excess_over_the_floor_decays_at_rho_squared():
    # Start at x* + (1, 1): E|e_k|^2 - floor = sum_i c_i (1 - lr l_i)^(2k); the slow mode
    # (1 - 0.2 * 1)^2 = 0.64 dominates (the other, 0.04^k, is 16^-30 ~ 1e-36 of it at
    # k = 30, where the excess 0.64^30 ~ 1e-6 is still far above the floor's round-off).
    H, lr = np.diag([1.0, 4.0]), 0.2
    fl = th.sgd_noise_floor([1, 4], lr=lr, sigma=0.5)
    d = _recursion(H, 0.25 * np.eye(2), lr, 31, m0=[1.0, 1.0])[:, 0] - fl.dist_sq
    assert d[30] / d[29] == pytest.approx(fl.rate**2, rel=1e-8)
    assert fl.rate_expr == sp.Rational(4, 5)


def test_floor_matches_a_monte_carlo_run():
    # 20000 independent chains from x*, 150 steps (the transient factor 0.8^300 ~ 1e-29),
    # one sample of |e|^2 per chain: the mean is within 4 standard errors of the formula
    # (a false alarm has probability ~6e-5; the seed makes the test deterministic).
    H, lr, sigma = np.diag([1.0, 4.0]), 0.2, 0.5
    rng = np.random.default_rng(0)
    e = np.zeros((20000, 2))
    for _ in range(150):
        e = e - lr * (e @ H + sigma * rng.standard_normal(e.shape))
    sq = np.sum(e**2, axis=1)
    fl = th.sgd_noise_floor([1, 4], lr=lr, sigma=sigma)
    assert abs(sq.mean() - fl.dist_sq) <= 4 * sq.std(ddof=1) / np.sqrt(sq.size)
    assert fl.level("dist") == pytest.approx(np.sqrt(fl.dist_sq), rel=1e-15)


def test_noise_floor_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"0 < lr\*lambda < 2"):
        th.sgd_noise_floor([1, 10], lr=0.25, sigma=1)
    with pytest.raises(ValueError, match="exactly one of sigma"):
        th.sgd_noise_floor([1, 10], lr=0.1)
    with pytest.raises(ValueError, match="eigenvectors"):
        th.sgd_noise_floor([1, 10], lr=0.1, Sigma=[[1.0, 0.5], [0.5, 1.0]])
    with pytest.raises(ValueError, match="positive semidefinite"):
        th.sgd_noise_floor(np.eye(2), lr=0.1, Sigma=[[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="step length"):
        th.sgd_noise_floor([1], lr=0.1, sigma=1).level("step")
