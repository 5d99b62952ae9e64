"""schedule_limit against direct products: decaying steps (stall level, sublinear
exponent), warm-up (a head of exact factors) and cyclical schedules (the cycle's
product), each checked by a float64 or mpmath loop over the same steps."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import lrtheory.theory as th


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


def test_step_decay_schedule_stalls_at_the_direct_product():
    # lr_k = 0.5 * 0.5**floor((1+k)/10): nine steps at 0.5, then plateaus of ten steps at
    # 0.25, 0.125, ...: sum = 0.5*9 + 10*(0.25 + 0.125 + ...) = 4.5 + 5 = 9.5 < inf, so GD
    # on x^2/2 (lam = 1) stalls at |x0 * prod (1 - lr_k)|, computed here by a direct loop.
    r = th.schedule_limit("0.5*0.5**floor((1+k)/10)", lam=1, x0=1)
    x, k = 1.0, np.arange(3000)
    for lr in 0.5 * 0.5 ** np.floor((1 + k) / 10):
        x *= 1 - lr
    assert r.regime == "stalled" and not r.converges
    assert r.sum_lr == pytest.approx(9.5, rel=1e-14)
    assert r.limit == pytest.approx(x, rel=1e-12)  # float64 loop of 3000 products


# ---------------------------------------------------------------- warm-up and cycles

TRIANGULAR = "0.05 + 0.45*Max(0, 1 - Abs(k/25 - 2*floor(1 + k/50) + 1))"  # Smith (2017)


def _steps(formula, n):
    """lr_0 .. lr_(n-1) of a formula in k, evaluated exactly then rounded to float."""
    k = sp.Symbol("k")
    e = sp.sympify(formula, locals={"k": k})
    return np.array([float(e.subs(k, j)) for j in range(n)])


def test_formulas_are_the_library_schedules():
    # The formulas used below are the registry's schedules written in k (checked so the
    # theory is about the schedules the runs use).
    from lrtheory import schedules  # float64: tests/conftest.py enables x64

    tri = schedules.triangular(0.05, 0.5, 25)
    warm = schedules.warmup(schedules.constant(0.5), 50, start=0.01)
    k = np.arange(120)
    np.testing.assert_allclose(_steps(TRIANGULAR, 120), [float(tri(j)) for j in k],
                               rtol=1e-14)
    np.testing.assert_allclose(_steps("0.5*Min(1, 0.01 + 0.99*k/50)", 120),
                               [float(warm(j)) for j in k], rtol=1e-14)


def test_warmup_then_constant_is_linear_after_an_exact_head():
    s = th.schedule_limit("0.5*Min(1, 0.01 + 0.99*k/50)", lam=1)
    assert (s.regime, s.rate_expr, s.head, s.converges) == ("linear", sp.Rational(1, 2), 50,
                                                            True)
    # Direct product: after the 50-step ramp every factor is 1 - 0.5 = 1/2; the head's
    # product is in the note and equals numpy's prod of the ramp's factors.
    lr = _steps("0.5*Min(1, 0.01 + 0.99*k/50)", 400)
    x = np.cumprod(1 - lr)
    assert (x[399] / x[299]) ** (1 / 100) == pytest.approx(0.5, rel=1e-13)
    head = float(sp.Float(s.note.split("product ")[1].split(";")[0]))
    assert head == pytest.approx(np.prod(1 - lr[:50]), rel=1e-12)


def test_warmup_then_decay_stalls_at_the_direct_product():
    # 10 warm-up steps (lr = 0.05 (k + 1)), then 0.5 * 0.9**(k - 10): summable, so GD on
    # x^2/2 stalls at |prod (1 - lr_k)| (float64 loop of 3000 factors: 1e-12).
    f = "Piecewise((0.05*(k + 1), k < 10), (0.5*0.9**(k - 10), True))"
    s = th.schedule_limit(f, lam=1)
    assert s.regime == "stalled" and s.head >= 10
    assert s.limit == pytest.approx(abs(np.prod(1 - _steps(f, 3000))), rel=1e-12)
    # Sum: 0.05 * 55 over the head, then 0.5/(1 - 0.9) = 5.
    assert s.sum_lr == pytest.approx(2.75 + 5, rel=1e-14)


def test_warmup_then_time_based_decay_keeps_its_exponent():
    # The head multiplies the prefactor, the exponent p = lam * lr0 / d stays 5.
    f = "Piecewise((0.1*k, k < 5), (0.5/(1 + 0.1*(k - 5)), True))"
    s = th.schedule_limit(f, lam=1)
    plain = th.schedule_limit("0.5/(1 + 0.1*k)", lam=1)
    head = np.prod(1 - 0.1 * np.arange(5))
    assert (s.regime, s.p_expr) == ("sublinear", 5)
    assert s.prefactor == pytest.approx(plain.prefactor * head, rel=1e-12)


@pytest.mark.parametrize("lam", [1.0, 2.5])
def test_cyclical_rate_is_the_cycle_product(lam):
    # Period 2s = 50; per-step factor |prod over a cycle (1 - lam lr_j)|^(1/50), checked
    # against the float64 geometric mean of 20 cycles' factors (1000 logs summed: 1e-12).
    s = th.schedule_limit(TRIANGULAR, lam=lam)
    assert s.period == 50 and s.regime == "linear" and s.converges
    lr = _steps(TRIANGULAR, 1000)
    assert s.rate == pytest.approx(np.exp(np.mean(np.log(np.abs(1 - lam * lr)))), rel=1e-12)
    # The exact form is the cycle's product to the power 1/50, at 30 digits.
    cycle = np.prod(np.abs(1 - lam * lr[:50]))
    assert float(sp.N(s.rate_expr, 30)) == pytest.approx(cycle ** (1 / 50), rel=1e-13)


def test_cyclical_special_cases():
    # A cycle that diverges: lam = 10 takes the peak factor to 1 - 5 = -4; the geometric
    # mean of the cycle's factors is 1.18 > 1.
    big = th.schedule_limit(TRIANGULAR, lam=10)
    lr = _steps(TRIANGULAR, 50)
    assert big.regime == "diverged" and big.rate == pytest.approx(
        np.exp(np.mean(np.log(np.abs(1 - 10 * lr)))), rel=1e-12)
    # A cycle through lr = 1/lam: x* is hit exactly (1/4, 1/2, 1/4, ... with lam = 2).
    fin = th.schedule_limit("1/4 + Mod(k, 2)/4", lam=2)
    assert (fin.regime, fin.period, fin.limit) == ("finite", 2, 0.0)
    # Warm-up in front of a cycle: the head is exact, the rate is the cycle's.
    f = ("Piecewise((0.05*(k + 1), k < 10), "
         "(0.05 + 0.45*Max(0, 1 - Abs((k - 10)/25 - 2*floor(1 + (k - 10)/50) + 1)), True))")
    both = th.schedule_limit(f, lam=1)
    assert both.period == 50 and both.head >= 10
    assert both.rate == pytest.approx(th.schedule_limit(TRIANGULAR, lam=1).rate, rel=1e-14)
    # An explicit period is proved, not trusted.
    with pytest.raises(ValueError, match="must tend to a finite limit|cannot"):
        th.schedule_limit("1/4 + Mod(k, 3)/4", lam=1, period=2)
    with pytest.raises(ValueError, match="period must be a positive integer"):
        th.schedule_limit(TRIANGULAR, lam=1, period=0)
