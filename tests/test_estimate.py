"""Acceptance tests of lrtheory.estimate: every expected value is derived in a comment."""

import math
import re

import mpmath
import numpy as np
import pandas as pd
import pytest

from lrtheory.estimate import (
    COLUMNS,
    REGIMES,
    OrderEstimate,
    estimate_order,
    estimate_orders,
    per_iteration,
)
from lrtheory.trajectory import Trajectory

PHI = (1 + math.sqrt(5)) / 2


def superlinear_mp(q, C, e0, stop=3000, noise=0.0, seed=0):
    """e_{k+1} = C e_k^q in mpmath (30 digits; mpf exponents are unbounded) down to
    10^-stop, optionally times exp(noise * z_k)."""
    rng = np.random.default_rng(seed)
    with mpmath.workdps(30):
        e = [mpmath.mpf(e0)]
        while e[-1] > mpmath.mpf(10) ** -stop:
            e.append(C * e[-1] ** q)
        return [v * mpmath.exp(noise * rng.standard_normal()) for v in e]


def rel(a, b):
    return abs(a / b - 1)


# --- exact models: q and C recovered ---------------------------------------------------

@pytest.mark.parametrize("q", [1.5, PHI, 2.0, 3.0])
@pytest.mark.parametrize("C", [0.5, 1.0, 2.0])
def test_superlinear_model_recovered(q, C):
    # log e_{k+1} = log C + q log e_k exactly, so every COC q_k equals q and the regression
    # of log e_{k+1} on log e_k has slope q and intercept log C. The only error is the
    # float64 rounding of |log e| <= 7000 (~1e-12): 1e-6 relative is a loose bound.
    e0 = 0.1 if C <= 1 else 0.01          # C e0^(q-1) < 1 so the sequence converges
    est = estimate_order(superlinear_mp(q, C, e0))
    assert est.regime == "superlinear"
    assert rel(est.q, q) < 1e-6 and rel(est.rate, C) < 1e-6
    assert est.q_ci[0] <= est.q <= est.q_ci[1]
    assert est.rate_ci[0] <= est.rate <= est.rate_ci[1]
    assert est.p is None and est.limit is None and est.rate_limits is None


@pytest.mark.parametrize("q", [1.1, 1.15])
@pytest.mark.parametrize("C", [0.5, 1.0])
def test_low_order_is_an_order_not_q_superlinear(q, C):
    # an order just above 1 (an inexact Newton method with forcing terms |F_k|^(q-1)):
    # every COC equals q, so it is an order with C, not C_k -> 0 at q = 1; as above
    est = estimate_order(superlinear_mp(q, C, 0.1))
    assert est.regime == "superlinear" and not est.ratio_to_zero
    assert rel(est.q, q) < 1e-6 and rel(est.rate, C) < 1e-6


def test_a_bend_into_a_limit_point_is_no_weak_order():
    # Newton on the MGH trigonometric function from its standard start ends at another
    # stationary point: the error to x* settles at a constant (its last 50 values agree to
    # 1e-11).
    # On the way the computational orders are about 1.09 for four steps, with an interval
    # that holds 1: no order is reported below Q_FIRM without an interval above 1, and the
    # run reads stalled at the constant it reaches
    import lrtheory as lrt

    traj = lrt.run(lrt.methods.get("newton"), lrt.problems.mgh("trigonometric"), steps=100)
    err, _ = traj.error()
    assert np.ptp(err[-50:]) <= 1e-11 * err[-1]
    est = estimate_order(traj)
    assert est.regime == "stalled" and rel(est.limit, err[-1]) < 1e-6


@pytest.mark.parametrize("C", [0.3, 0.5, 0.9, 0.99])
def test_linear_model_recovered(C):
    # e_k = C^k: log e is exactly linear in k with slope log C; the envelope fit is exact.
    T = int(40 / -math.log(C))               # ~17 decades
    est = estimate_order(C ** np.arange(T, dtype=float))
    assert est.regime == "linear" and est.q == 1.0
    assert rel(est.rate, C) < 1e-6
    assert est.q_ci is None and est.p is None


def test_errors_below_float_range():
    # Quadratic convergence to 1e-3000: float(e) is 0.0 for most terms (that is why logs
    # are taken with mpmath.log); the estimate must still be exact (q=2, C=1 by
    # construction e_k = 10^(-2^k), so e_{k+1} = e_k^2).
    e = [mpmath.mpf(10) ** -(2 ** k) for k in range(13)]
    assert float(e[-1]) == 0.0
    est = estimate_order(e)
    # the fit is not rounded: q_fit is 2 to the rounding of |log e| <= 1e4 (~1e-12); C is
    # computed at the standard order 2, which lies in q's interval and where C_k settles
    assert est.regime == "superlinear" and abs(est.q_fit - 2) < 1e-9 and est.q == est.q_fit
    assert est.rate_q == 2.0 and rel(est.rate, 1.0) < 1e-9
    tab = per_iteration(e, q=2)
    # q_k = log(e_{k+1}/e_k)/log(e_k/e_{k-1}) = (2^(k+1) - 2^k)/(2^k - 2^(k-1)) = 2
    np.testing.assert_allclose(tab.q_k[1:12].to_numpy(float), 2.0, rtol=1e-12)
    np.testing.assert_allclose(tab.C_k[:12].to_numpy(float), 1.0, rtol=1e-9)
    assert tab.q_k.isna().tolist()[0] and tab.q_k.isna().tolist()[-1]


def test_newton_run_in_mpmath():
    # Newton on f(x) = exp(x) - 2x (root of f' = e^x - 2 at log 2): e_{k+1} ~ C e_k^2 with
    # C = |f'''/(2 f'')| at x* = e^x*/(2 e^x*) = 1/2 (Taylor expansion of Newton's map).
    from lrtheory.precision import run_mp

    t = run_mp("newton", "exp(x) - 2*x", [1.0], 12, digits=500, x_star="log(2)")
    est = estimate_order(t)
    # log e_(k+1) = log C + 2 log e_k + O(e_k): the regression slope is 2 up to the O(e_k)
    # terms of the first pairs, and its interval (their fit uncertainty) holds 2
    assert est.regime == "superlinear" and est.q_ci[0] <= 2.0 <= est.q_ci[1]
    assert abs(est.q_fit - 2) < 1e-3 and est.rate_q == 2.0
    # C_k = C + O(e_k); the settled half has e_k < 1e-10, so 1e-6 is generous.
    assert rel(est.rate, 0.5) < 1e-6


@pytest.mark.parametrize("method,q,C", [
    # secant on g = f' = e^x - 2: e_(k+1) ~ (g''/(2g')) e_k e_(k-1) = e_k e_(k-1) / 2, so
    # e_(k+1) ~ (1/2)^(1/phi) e_k^phi (golden order); C_k = e_(k+1)/e_k^phi converges while
    # alternating (ratio -1/phi), and Aitken's limit recovers C.
    ("secant", PHI, 0.5 ** (1 / PHI)),
    # Halley: e_(k+1) ~ (g'''/(6g') - (g''/(2g'))^2) e_k^3 = (1/6 - 1/4) e_k^3: |C| = 1/12.
    ("halley", 3.0, 1 / 12),
])
def test_secant_and_halley_in_mpmath(method, q, C):
    from lrtheory.precision import run_mp

    t = run_mp(method, "exp(x) - 2*x", [1.0], 40, digits=600, x_star="log(2)")
    est = estimate_order(t)
    # q unrounded; its interval holds the true order, and C is computed at that order
    assert est.regime == "superlinear" and est.q_ci[0] <= q <= est.q_ci[1]
    assert abs(est.q_fit - q) < 1e-3 and est.rate_q == q
    # secant: the Aitken limit of a geometric tail of C_k (ratio -1/phi + O(e_k)) is C to
    # O(e_k) << 1e-20; Halley: C_k = C + O(e_k). 1e-6 is generous for both.
    assert rel(est.rate, C) < 1e-6


# --- noise and floors: the truth stays inside the reported ranges ----------------------

@pytest.mark.parametrize("q,C", [(1.5, 0.5), (2.0, 0.5), (PHI, 1.0), (3.0, 2.0)])
def test_superlinear_noise_covered(q, C):
    # Multiplicative noise exp(0.1 z) on every term. q_ci is the spread of 5-19 COCs
    # around q; it misses q only if all fall on one side (chance ~2^(1-m) for m
    # independent symmetric errors, less with their negative lag-1 correlation): expect
    # >= 95 % coverage, so at least 18 of 20 seeds. The same for C given q.
    runs = [estimate_order(superlinear_mp(q, C, 0.1 if C <= 1 else 0.01, noise=0.1, seed=s))
            for s in range(20)]
    assert all(r.regime == "superlinear" for r in runs)
    assert sum(r.q_ci[0] <= q <= r.q_ci[1] for r in runs) >= 18
    assert sum(r.rate_ci[0] <= C <= r.rate_ci[1] for r in runs) >= 18


@pytest.mark.parametrize("r", [0.8, 0.95])
@pytest.mark.parametrize("floor", [1e-16, 1e-12])
def test_linear_floor_and_noise_covered(r, floor):
    # e = max(r^k, floor) * exp(0.1 z): the floor (12 or 16 decades down: noisy and flat)
    # must be found and cut, and rate_ci is a 95 % interval (t on the 16 block maxima):
    # the number of seeds it holds r is Binomial(20, 0.95), at least 16 with probability
    # 0.984.
    k = np.arange(2000)
    runs = []
    for s in range(20):
        z = np.random.default_rng(s).standard_normal(k.size)
        runs.append(estimate_order(np.maximum(r ** k, floor) * np.exp(0.1 * z)))
    assert all(x.regime == "linear" for x in runs)
    assert sum(x.rate_ci[0] <= r <= x.rate_ci[1] for x in runs) >= 16
    # no iterate at the floor was used: r^last stays above the floor; the floor is reported
    # (geometric mean of floor * exp(0.1 z): floor, within 20 % for any of these tails)
    assert all(r ** x.window[1] > floor for x in runs)
    assert all(rel(x.floor, floor) < 0.2 and r ** x.floor_at < 10 * floor for x in runs)


def test_newton_float_floor_covered():
    # Float64 Newton-like e_{k+1} = e_k^2 from 0.1 with noise exp(0.1 z) and a 1e-16 floor:
    # four usable iterates, three pairs (log e_k, log e_(k+1)): a 95 % t interval with one
    # degree of freedom holds q = 2 for at least 16 of 20 seeds (Binomial(20, 0.95)).
    hits = 0
    for s in range(20):
        e = 0.1 ** (2.0 ** np.arange(11))
        e = np.maximum(e, 1e-16) * np.exp(0.1 * np.random.default_rng(s).standard_normal(11))
        est = estimate_order(e)
        assert est.regime == "superlinear" and est.window[1] <= 3   # 1e-16 is round-off
        hits += est.q_ci[0] <= 2.0 <= est.q_ci[1]
    assert hits >= 16


# --- linear runs that are not monotone ------------------------------------------------

def test_linear_sign_alternating_mode():
    # e_k = |r^k cos(pi k)| + 100 s^k, r=0.9 > s=0.7: the fast mode dominates early. The
    # slope of log e is log r + d/dk log(1 + 100 (s/r)^k), whose size at the window start
    # k0 is below 100 (7/9)^k0 |log(7/9)| < 1e-9 for k0 >= 100 (checked below).
    k = np.arange(400.0)
    est = estimate_order(np.abs(0.9 ** k * np.cos(np.pi * k)) + 100 * 0.7 ** k)
    assert est.regime == "linear" and est.window[0] >= 100
    assert rel(est.rate, 0.9) < 1e-8


def test_linear_zigzag_magnitude():
    # e_k = r^k (1 + 0.5 (-1)^k): ratios alternate 3r and r/3 (their mean, 1.67 r, is
    # wrong). Every block maximum is an even-k point 1.5 r^k (1.5 r > 0.5 for r > 1/3), so
    # the envelope slope is exactly log r.
    k = np.arange(600.0)
    est = estimate_order(0.95 ** k * (1 + 0.5 * (-1) ** k))
    assert est.regime == "linear" and rel(est.rate, 0.95) < 1e-12


def test_linear_momentum_spiral():
    # e_k = r^k |cos(theta k)|, r=0.98, theta=0.3: the envelope is r^k. Blocks (>= 31
    # iterates) are longer than the period pi/theta = 10.5 of |cos|, so each holds a k with
    # |cos| >= cos(theta/2): block maxima sit at most delta = -log cos(0.15) = 0.0113 below
    # the envelope. For 16 equally spaced blocks of length b the least-squares slope moves
    # by at most delta * sum|x - xbar| / Sxx = 0.094 delta / b <= 3.5e-5: tolerance 1e-4.
    k = np.arange(1000.0)
    est = estimate_order(0.98 ** k * np.abs(np.cos(0.3 * k)))
    assert est.regime == "linear" and rel(est.rate, 0.98) < 1e-4
    assert est.rate_ci[0] <= 0.98 <= est.rate_ci[1]


def test_linear_double_eigenvalue():
    # e_k = (k+1) r^k (critically damped momentum): local slope log r + 1/(k+1), so a plain
    # slope over the last half is off by ~1/750 (0.8244 for 9/11 in issue 13). log e =
    # log(k+1) + k log r is exactly the model "geometric times k^m" (m = 1), which the
    # residual structure selects: C = r to rounding (1e-9).
    for r, T in ((0.99, 1000), (9 / 11, 200)):
        k = np.arange(T, dtype=float)
        est = estimate_order((k + 1) * r ** k)
        assert est.regime == "linear" and est.model == "geometric times k^m"
        assert rel(est.rate, r) < 1e-9 and est.rate_ci[0] <= r <= est.rate_ci[1]


def test_newton_periodic_constant():
    # e_{k+1} = C_k e_k^2 with C_k alternating 0.5, 3: log e_{k+1} - 2 log e_k = log C_k
    # exactly, so with q = 2 the C_k are a 2-cycle (0.5, 3). No single C is reported.
    with mpmath.workdps(30):
        e = [mpmath.mpf("0.1")]
        for i in range(12):
            e.append((0.5 if i % 2 else 3.0) * e[-1] ** 2)
    est = estimate_order(e)
    assert est.regime == "superlinear" and est.rate_q == 2.0 and est.q_ci[0] <= 2 <= est.q_ci[1]
    assert est.rate is None and est.rate_ci is None
    assert len(est.rate_limits) == 2
    assert rel(est.rate_limits[0], 0.5) < 1e-6 and rel(est.rate_limits[1], 3.0) < 1e-6
    assert "limit points" in est.reason


# --- sublinear, stalled, diverged, oscillating ------------------------------------------

@pytest.mark.parametrize("A,p", [(2.0, 0.5), (0.3, 1.0), (5.0, 2.0)])
def test_sublinear_power_law(A, p):
    # e_k = A k^-p for k >= 1 (e_0 = 2A stands in for k = 0): log e = log A - p log k
    # exactly, and block maxima are exact points of it: p and A to rounding.
    k = np.arange(1000.0)
    e = np.where(k > 0, A * np.maximum(k, 1) ** -p, 2 * A)
    est = estimate_order(e)
    assert est.regime == "sublinear" and est.q is None and est.rate is None
    assert rel(est.p, p) < 1e-9 and rel(est.A, A) < 1e-9
    assert est.p_ci[0] <= est.p <= est.p_ci[1]


def test_gd_on_x4_sublinear():
    # GD on f = x^4: e_{k+1} = e_k - 4 lr e_k^3. With u = e^-2, u_{k+1} = u_k + 8 lr +
    # 3 (4 lr)^2 / u_k + ..., so u_k = 8 lr k + (3/2)(4 lr) log k + O(1) and e_k ~
    # (8 lr k)^(-1/2): p = 1/2, A = 1/sqrt(8 lr). The local log-log slope is p minus
    # (3/8)(log k - 1)/k + O(1/k), about 3.1e-4 at k = 1e4 (window start): tolerance 5e-4
    # on p; A inherits |dp| log k <= 5e-4 * log(2e4) = 5e-3.
    lr, T = 0.1, 20000
    e = np.empty(T + 1)
    e[0] = 1.0
    for i in range(T):
        e[i + 1] = e[i] - 4 * lr * e[i] ** 3
    est = estimate_order(e)
    assert est.regime == "sublinear" and est.window[0] >= T // 2
    assert abs(est.p - 0.5) < 5e-4
    assert rel(est.A, 1 / math.sqrt(8 * lr)) < 5e-3


def test_gd_on_rosenbrock_reads_its_linear_rate_not_a_late_power_law():
    # GD with lr = 1/L on Rosenbrock's function from (-1.2, 1): a fast phase, then the
    # linear rate 1 - mu/L of the Hessian at (1, 1), [[802, -400], [-400, 200]]
    # (mu = 0.3994, L = 1001.6: rate 0.9996). Its envelope flattens like a power law seen
    # late, but the best power law does not flatten by SUB_FLATTEN itself (the fast phase
    # does): linear, with 1 - rate within 5 % of mu/L (the transient's tail is still in the
    # window: 1.7 % here)
    H = np.array([[802.0, -400.0], [-400.0, 200.0]])
    mu, L = np.linalg.eigvalsh(H)
    x, e = np.array([-1.2, 1.0]), [math.hypot(2.2, 0.0)]
    for _ in range(5000):
        g = np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]),
                      200 * (x[1] - x[0] ** 2)])
        x = x - g / L
        e.append(float(np.linalg.norm(x - 1.0)))
    est = estimate_order(np.array(e))
    assert est.regime == "linear" and abs((1 - est.rate) / (mu / L) - 1) < 0.05


def test_stalled_geometric_approach():
    # e_k = L + c r^k -> L > 0: stalled; the approach is geometric, so Aitken's delta^2 is
    # exact up to rounding of the increments (~1e-16 / 1e-7 relative): 1e-8.
    k = np.arange(80.0)
    est = estimate_order(0.1 + 1.0 * 0.8 ** k)
    assert est.regime == "stalled" and rel(est.limit, 0.1) < 1e-8
    assert est.q is None and est.rate is None


def test_stalled_summable_schedule():
    # GD on x^2/2 with lr_k = 0.5 * 0.7^k: e_{k+1} = (1 - lr_k) e_k, and since sum lr_k is
    # finite, e_k -> e_0 prod_j (1 - lr_j) > 0 (product evaluated to convergence here).
    lrs = 0.5 * 0.7 ** np.arange(200)
    e = np.concatenate([[1.0], np.cumprod(1 - lrs)])
    est = estimate_order(e[:60])
    assert est.regime == "stalled" and rel(est.limit, e[-1]) < 1e-8


def test_bounded_increase_is_stalled_not_diverged():
    # 1 - 0.5^(k+1) rises but is bounded by 1: a limit, not divergence.
    est = estimate_order(1 - 0.5 ** np.arange(1.0, 60.0))
    assert est.regime == "stalled" and rel(est.limit, 1.0) < 1e-8


def test_constant_lr_floor_is_not_linear():
    # Decrease for 10 steps, then 1e-3 (1 + 1e-3 z) (constant-LR Adam-like floor): ratios
    # average just under 1 but there is no further decrease. Stalled at the median of the
    # floor: 1e-3 within 5 * 1.25e-3/sqrt(990) ~ 2e-4 relative; use 1e-3.
    z = np.random.default_rng(0).standard_normal(990)
    est = estimate_order(np.concatenate([0.5 ** np.arange(10.0), 1e-3 * (1 + 1e-3 * z)]))
    assert est.regime == "stalled" and rel(est.limit, 1e-3) < 1e-3


def test_diverged_growth():
    # e_k = 1.1^k: log e is linear with slope log 1.1 (envelope fit exact).
    est = estimate_order(1.1 ** np.arange(100.0))
    assert est.regime == "diverged" and rel(est.growth, 1.1) < 1e-12
    assert est.diverged_at is None and est.q is None


@pytest.mark.parametrize("cycle", [(1.0, 0.3), (2.0, 0.5, 0.1)])
def test_oscillating_cycle(cycle):
    # A sequence that repeats with period P exactly after a transient.
    tail = np.tile(cycle, 40)
    e = np.concatenate([10 * np.ones(5), tail])
    est = estimate_order(e)
    assert est.regime == "oscillating" and est.period == len(cycle)
    # the values come back through exp(log e): equal to rounding
    np.testing.assert_allclose(sorted(est.cycle), sorted(cycle), rtol=1e-14)


# --- edge cases -------------------------------------------------------------------------

@pytest.mark.parametrize("data", [[], [1.0], [1.0, 0.5, 0.25]])
def test_too_short(data):
    est = estimate_order(data)
    assert est.regime == "undetermined" and est.window is None and est.n_used == 0
    assert "usable iterate" in est.reason


def test_terminal_zeros_are_finite():
    # 0.5^k for 40 steps, then exactly 0 and staying there: finite termination at 40 (the
    # next value the trend predicts, 0.5^40 ~ 9e-13, is far above the smallest float, so
    # the zeros are not underflow); the rate before it is reported as well (same numbers
    # as the sequence without the zeros).
    e = list(0.5 ** np.arange(40.0))
    a, b = estimate_order(e), estimate_order(e + [0.0] * 5)
    assert b.regime == "finite" and b.finite_at == 40 and b.rate == a.rate
    assert "finite" in b.reason
    assert estimate_order([0.0] * 5).finite_at == 0
    # an arithmetic decrease to 0 (e_k = 0.01 (50 - k)) terminates at 50
    est = estimate_order(np.maximum(0.01 * (50 - np.arange(60.0)), 0.0))
    assert est.regime == "finite" and est.finite_at == 50 and est.rate is None


def test_underflow_is_a_floor_not_finite():
    # 0.5^k in float64 reaches the smallest subnormal 2^-1074 and then 0: the trend
    # predicts 2^-1075, below the smallest float, so the zeros are underflow (a floor)
    e = 0.5 ** np.arange(1100.0)
    assert e[1074] > 0 and e[1075] == 0
    est = estimate_order(e)
    assert est.regime == "linear" and rel(est.rate, 0.5) < 1e-12 and "round-off" in est.reason


def test_isolated_zeros_are_points():
    # a method that touches x* and leaves: the zeros are kept as points, not the end;
    # the rate from the other iterates is exact (0.8^k, log-linear)
    e = 0.8 ** np.arange(150.0)
    e[[30, 77, 120]] = 0.0
    est = estimate_order(e)
    assert est.regime == "linear" and rel(est.rate, 0.8) < 1e-12 and est.window[1] == 149
    assert "77" in est.reason


def test_non_finite_in_the_middle_is_diverged():
    e = list(1.3 ** np.arange(30.0)) + [float("nan")] + [1.0] * 5
    est = estimate_order(e)
    # growth from the last quarter of finite records: exactly 1.3 per step
    assert est.regime == "diverged" and est.diverged_at == 30
    assert rel(est.growth, 1.3) < 1e-12
    est = estimate_order([1.0, 0.5, math.inf, 0.1])
    assert est.regime == "diverged" and est.diverged_at == 2 and est.growth is None


def test_trajectory_diverged():
    k = np.arange(21.0)
    t = Trajectory(f=2.0 ** k, grad_norm=2.0 ** k, dist=2.0 ** k, step_norm=2.0 ** k[1:],
                   lr=None, diverged_at=15)
    est = estimate_order(t)
    # records 0..14 are genuine and double each step
    assert est.regime == "diverged" and est.diverged_at == 15 and rel(est.growth, 2.0) < 1e-12
    assert est.measure == "dist" and est.window[1] == 14


def test_negative_errors_raise():
    with pytest.raises(ValueError, match="data.*-0.5"):
        estimate_order([1.0, -0.5, 0.2])
    with pytest.raises(ValueError, match="data"):
        estimate_order([mpmath.mpf(1), mpmath.mpf(-1)])


def test_iterates_with_and_without_x_star():
    # x_k = x* + 0.5^k v: ||x_k - x*|| = 5 * 0.5^k and ||x_{k+1} - x_k|| = 2.5 * 0.5^k,
    # both contracting by exactly 0.5. Dyadic: every x_k, difference and norm is exact in
    # float64 for k <= 44 (3 * 0.5^k keeps its bits within 53 of |x*| ~ 1), so 1e-12.
    x_star = np.array([1.0, -2.0])
    X = x_star + 0.5 ** np.arange(45.0)[:, None] * np.array([3.0, 4.0])
    est = estimate_order(X)
    assert est.measure == "step" and "ACOC" in est.reason and rel(est.rate, 0.5) < 1e-12
    est = estimate_order(X, x_star=x_star)
    assert est.measure == "dist" and rel(est.rate, 0.5) < 1e-12


def test_bad_arguments_name_themselves():
    e = list(0.5 ** np.arange(40.0))
    with pytest.raises(ValueError, match="measure"):
        estimate_order(e, measure="distance")
    with pytest.raises(ValueError, match="window"):
        estimate_order(e, window=(30, 10))
    with pytest.raises(ValueError, match="window"):
        estimate_order(e, window=(0, 400))
    with pytest.raises(ValueError, match="window"):
        estimate_order(e, window=5)
    with pytest.raises(ValueError, match="x_star"):
        estimate_order(e, x_star=[0.0])
    with pytest.raises(TypeError, match="data"):
        estimate_order("0.1 0.01")
    with pytest.raises(ValueError, match="measure"):
        estimate_order(np.ones((5, 2)), measure="f")


def test_window_is_used_as_given():
    # on the given window the whole range is fitted: exact rate, reported window
    est = estimate_order(0.6 ** np.arange(100.0), window=(10, 40))
    assert est.window == (10, 40) and est.n_used == 31 and rel(est.rate, 0.6) < 1e-12


# --- the vectorised path ----------------------------------------------------------------

def mixed_batch():
    rng = np.random.default_rng(1)
    k = np.arange(300.0)
    rows = [0.9 ** k, np.where(k > 0, 2 / np.maximum(k, 1), 3.0), 0.2 + 0.7 ** k,
            1.05 ** k, np.tile([1.0, 0.2, 0.5], 100), 0.97 ** k * np.abs(np.cos(0.4 * k)),
            np.concatenate([0.1 ** (2.0 ** np.arange(6)), np.zeros(294)]),
            np.concatenate([0.5 ** k[:50], [np.nan] * 250]), np.exp(rng.standard_normal(300)),
            np.ones(300), np.zeros(300), np.concatenate([0.5 ** k[:20], 1e-3 * (1 + 1e-3 *
                                                        rng.standard_normal(280))])]
    return np.stack(rows)


def test_vectorised_equals_scalar():
    E = mixed_batch()
    div = np.full(E.shape[0], -1)
    div[3] = 250                             # a run reported diverged at 250
    df = estimate_orders(E, diverged_at=div)
    assert list(df.columns) == list(COLUMNS)
    rows = []
    for i, e in enumerate(E):
        if div[i] >= 0:
            t = Trajectory(f=e, grad_norm=e, dist=e, step_norm=e[1:], lr=None,
                           diverged_at=int(div[i]))
            est = estimate_order(t)._replace(measure="errors")
        else:
            est = estimate_order(e)
        rows.append(est.as_row())
    expected = pd.DataFrame(rows).astype(COLUMNS)
    pd.testing.assert_frame_equal(df, expected)
    assert set(df.regime) <= set(REGIMES) and len(set(df.regime)) >= 6
    num = df.select_dtypes("Float64")
    assert not np.isnan(num.to_numpy(float, na_value=0.0)).any()   # NA, never NaN


def test_batched_trajectory_and_ragged_lengths():
    # (speed is measured in benchmarks/estimator.py, not here.) A batched Trajectory: run 1
    # diverged at 400, so only its records before it count; ragged runs via lengths= give
    # the rows of the prefixes.
    rng = np.random.default_rng(0)
    k = np.arange(1000)
    E = rng.uniform(0.9, 0.99, (3, 1)) ** k * np.exp(0.1 * rng.standard_normal((3, 1000)))
    tb = Trajectory(f=E, grad_norm=E, dist=E, step_norm=E[:, 1:], lr=None,
                    diverged_at=np.array([-1, 400, -1]))
    d2 = estimate_orders(tb)
    assert list(d2.regime[:2]) == ["linear", "diverged"] and d2.diverged_at[1] == 400
    lengths = np.array([1000, 300, 120])
    dl = estimate_orders(E, lengths=lengths)
    for i, n in enumerate(lengths):
        row = estimate_order(E[i, :n]).as_row()
        assert dl.window_last[i] == row["window_last"] and dl.rate[i] == row["rate"]


def test_gd_on_quadratic_matches_theory():
    # GD on f = x^T A x / 2 contracts mode i by (1 - lr lambda_i) per step; the distance
    # is dominated by the slowest mode: rate max_i |1 - lr lambda_i|. Fast modes decay as
    # (r_2/r_1)^k relative, below 1e-9 in the second half of the window: 1e-6 relative.
    import optax

    from lrtheory.problems import quadratic
    from lrtheory.run import run

    p = quadratic(dim=10, cond=10.0, seed=0)
    for lr in (0.1, 2 / 11, 0.15):
        pred = float(np.max(np.abs(1 - lr * p.data["eigenvalues"])))
        est = estimate_order(run(optax.sgd(lr), p, steps=int(40 / -math.log(pred))))
        assert est.regime == "linear" and rel(est.rate, pred) < 1e-6


def test_result_is_a_value():
    est = estimate_order(0.5 ** np.arange(40.0))
    assert isinstance(est, OrderEstimate) and est == OrderEstimate(**est._asdict())
    assert est.regime in REGIMES


def test_batch_bad_arguments_and_float32():
    ok = np.ones((2, 10))
    with pytest.raises(ValueError, match="diverged_at"):
        estimate_orders(ok, diverged_at=np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="measure"):
        estimate_orders(ok, measure="x")
    with pytest.raises(ValueError, match="window"):
        estimate_orders(ok, window=(5, 3))
    with pytest.raises(ValueError, match="errors"):
        estimate_orders(np.ones(10))
    with pytest.raises(ValueError, match="errors"):
        estimate_orders(-ok)
    # float32 0.9^k: each value carries a relative rounding of at most 6e-8, so the slope
    # over ~70 iterates is off by at most ~2 * 6e-8 / 70 per step: 1e-8 relative on C.
    e = (0.9 ** np.arange(200)).astype(np.float32)
    est = estimate_order(e)
    assert est.regime == "linear" and rel(est.rate, 0.9) < 1e-8
    assert est.window[1] == 199 and est.floor is None      # no floor: every iterate used


def test_fields_table_declares_types_columns_and_docs():
    # fields.toml is the one declaration of OrderEstimate: every field appears in the class
    # docstring, and its kind fixes its column(s) and dtype (the contract of as_row/frame).
    import typing

    from lrtheory.estimate import _result

    assert OrderEstimate._fields == tuple(f.name for f in _result._FIELDS)
    for f in OrderEstimate._fields:
        assert f"      {f}: " in OrderEstimate.__doc__
    hints = typing.get_type_hints(OrderEstimate)
    assert hints["rate_ci"] == tuple[float, float] | None and hints["n_used"] is int
    assert (COLUMNS["rate_lo"], COLUMNS["window_first"], COLUMNS["n_used"],
            COLUMNS["period"], COLUMNS["ratio_to_zero"], COLUMNS["cycle"]) == (
        "Float64", "Int64", "int64", "Int64", "boolean", "object")
    assert OrderEstimate(regime="linear").measure == "errors"
    good = {"regime": {"kind": "regime", "doc": "r"}, "x": {"kind": "float", "doc": "x"}}
    bad = [({"x_ci": {"kind": "interval"}}, "the first field must be the regime"),
           ({"y": {"kind": "interval"}}, "must end in _ci"),
           ({"y": {"kind": "complex"}}, "kind 'complex'"),
           ({"y": {"kind": "float", "units": "s"}}, "unknown keys ['units']"),
           ({"y": {"kind": "float", "default": 0.0, "doc": "y"}}, "only int and str fields"),
           ({"y": {"kind": "range", "doc": "y"}}, "names columns"),
           ({"y": {"kind": "float"}}, "needs a doc")]
    assert [f.columns for f in _result._load_fields(good)] == [("regime",), ("x",)]
    for extra, msg in bad:
        table = extra if "x_ci" in extra else {**good, **extra}
        with pytest.raises(RuntimeError, match=re.escape(msg)):
            _result._load_fields(table)
