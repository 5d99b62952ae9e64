"""theory.compare: measured against predicted by rules that cannot flatter (log-scale
rates, intervals that never make agreement, regimes first, trivial matches apart), on
hand-made estimates with known answers and on the real estimator's output."""

from __future__ import annotations

from typing import NamedTuple

import mpmath
import numpy as np
import pytest
import sympy as sp

import lrtheory.theory as th


class _Est(NamedTuple):  # the fields of lrtheory.estimate.OrderEstimate that compare reads
    q: float | None
    rate: float | None
    q_ci: tuple | None
    rate_ci: tuple | None
    regime: str


def test_linear_rates_are_compared_as_speeds():
    pred = th.gd_rate([1, 10], sp.Rational(2, 11))  # 9/11, linear
    # |ln 0.80 - ln(9/11)| / |ln(9/11)| = 0.0225/0.2007 = 11%: more than 5 % slower to
    # converge, although the rates differ by only 2.2 %.
    row = th.compare(_Est(1.0, 0.80, None, None, "linear"), pred, rtol=0.05)
    ref = abs(np.log(0.80) - np.log(9 / 11)) / abs(np.log(9 / 11))
    assert row.verdict == "disagrees" and row.scale == "log"
    assert row.rel_error == pytest.approx(ref, rel=1e-12)
    assert th.compare(_Est(1.0, 0.80, None, None, "linear"), pred, rtol=0.12).agree
    # Near 1: 0.999 vs 0.99 differ by 0.9 % as numbers, by a factor 10 in steps.
    assert th.compare(0.999, 0.99).verdict == "disagrees"
    # The relative scale is available on request (then 0.999 vs 0.99 is within 5 %).
    assert th.compare(0.999, 0.99, scale="rel").agree


def test_a_wide_interval_is_inconclusive_never_agreement():
    # Rastrigin / Nesterov (issue 17): measured 8.4e-4 against 4.3e-9. Speeds 7.08 vs
    # 19.26 per step: 63 % apart. Today's absolute tolerance called it "agrees".
    pred = th.gd_rate([1], 1 - 4.3e-9)  # a linear prediction of rate 4.3e-9
    est = _Est(1.0, 8.4e-4, None, (8.3e-4, 8.5e-4), "linear")
    tight = th.compare(est, pred)
    assert tight.verdict == "disagrees"
    assert tight.rel_error == pytest.approx(
        abs(np.log(8.4e-4) - np.log(4.3e-9)) / abs(np.log(4.3e-9)), rel=1e-6)
    wide = th.compare(_Est(1.0, 8.4e-4, None, (1e-12, 1e-2), "linear"), pred)
    assert wide.verdict == "inconclusive" and wide.in_ci and not wide.agree
    # With the exact theory (a nilpotent Nesterov step on an isotropic Hessian, lr = 1/L
    # in float64) the prediction is rate 0: 'finite' on the quadratic model, and on
    # Rastrigin itself 'superlinear, C_k -> 0'; a linear measurement disagrees with both.
    L = 2 + 40 * sp.pi**2
    model = th.nesterov_rate([L, L], 1 / float(L), 0.5)
    assert th.compare(est, model).verdict == "disagrees"
    rast = th.curvature("20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", x_star=[0, 0])
    local = th.nesterov_rate(rast, 1 / float(L), 0.5)
    assert th.compare(est, local).verdict == "disagrees"


def test_regime_only_predictions_and_trivial_matches():
    fin = th.gd_rate([3, 3], sp.Rational(1, 3))  # finite: rate exactly 0
    assert th.compare(_Est(None, None, None, None, "finite"), fin).verdict == "agrees"
    lin = th.compare(_Est(1.0, 1e-17, None, None, "linear"), fin)
    assert lin.verdict == "disagrees" and lin.quantity == "regime"
    # "undetermined" against "finite" is not a match: nothing was tested.
    und = th.compare(_Est(None, None, None, None, "undetermined"), fin)
    assert und.verdict == "inconclusive" and not und.agree
    # BFGS: superlinear with C_k -> 0, judged by the measured regime alone.
    bfgs = th.bfgs_rate()
    assert th.compare(_Est(1.3, 0.01, None, None, "superlinear"), bfgs).agree
    assert th.compare(_Est(None, None, None, None, "finite"), bfgs).agree
    assert th.compare(_Est(1.0, 1.7e-6, None, None, "linear"), bfgs).verdict == "disagrees"
    # A diverging prediction, and regimes that differ whatever the numbers.
    div = th.gd_rate([1, 10], 0.25)
    assert th.compare(_Est(None, None, None, None, "diverged"), div).agree
    clash = th.compare(_Est(1.0, 0.82, None, None, "diverged"), th.gd_rate([1, 10], 0.18))
    assert clash.verdict == "disagrees" and clash.regime_agree is False
    none = th.compare(_Est(None, None, None, None, "linear"), th.gd_rate([1, 10], 0.18))
    assert none.verdict == "inconclusive" and none.measured is None


def test_superlinear_rows_check_the_order_and_the_constant():
    # Newton on exp(x) - 2x: q = 2, C = 1/2 (derived in tests/test_theory_newton.py).
    pred = th.newton_rate("exp(x) - 2*x", "log(2)")
    good = th.compare_all(_Est(2.001, 0.501, None, None, "superlinear"), pred, rtol=0.01)
    assert [r.quantity for r in good] == ["q", "rate"] and th.overall(good) == "agrees"
    bad_c = th.compare_all(_Est(2.0, 0.8, None, None, "superlinear"), pred, rtol=0.01)
    assert th.overall(bad_c) == "disagrees" and bad_c[0].agree and not bad_c[1].agree
    q = th.compare(_Est(1.62, 0.6, (1.6, 1.64), None, "superlinear"),
                   th.secant_rate("exp(x) - 2*x", sp.log(2)), field="q", rtol=0.002)
    assert q.agree and q.in_ci and q.method == "secant"


def test_schedule_limits_and_the_table():
    sched = th.schedule_limit("0.5/(1 + 0.1*k)", lam=1)  # p = 5
    est_p = type("Est", (), {"p": 4.97, "p_ci": (4.9, 5.02), "regime": "sublinear"})()
    prow = th.compare(est_p, sched, field="p", rtol=0.01)
    assert prow.agree and prow.in_ci and prow.quantity == "p" and prow.scale == "rel"
    rows = th.compare_all(est_p, sched, rtol=0.01)
    assert [r.quantity for r in rows] == ["p"]
    df = th.to_frame([prow, th.compare(0.903, 0.9)], problem="quad")
    assert df.verdict.tolist() == ["agrees", "agrees"] and df.problem.tolist() == ["quad"] * 2
    assert df.predicted_regime.tolist()[0] == "sublinear"  # enums as plain strings
    with pytest.raises(ValueError, match="field must be"):
        th.compare(0.9, 0.9, field="C")
    with pytest.raises(ValueError, match="scale must be"):
        th.compare(0.9, 0.9, scale="abs")
    with pytest.raises(TypeError, match="prediction must be"):
        th.compare(0.9, "0.9")
    with pytest.raises(ValueError, match="estimate.regime='fast'"):
        th.compare(_Est(1.0, 0.9, None, None, "fast"), 0.9)


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
    assert th.overall(th.compare_all(est, pred, rtol=1e-6)) == "agrees"  # C_k = 1/2 + O(e_k)
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


def test_compare_all_superlinear_without_a_constant_compares_the_order_only():
    # A prediction "superlinear, q = 2, C unknown" (NaN) states one number: the order.
    # q = 2.01 is within 1 % of 2, so the one row agrees; no C row is invented.
    from types import SimpleNamespace

    from lrtheory.theory import compare_all, overall

    pred = SimpleNamespace(regime="superlinear", q=2.0, rate=float("nan"))
    est = SimpleNamespace(regime="superlinear", q=2.01, rate=0.3)
    rows = compare_all(est, pred, rtol=0.01)
    assert [r.quantity for r in rows] == ["q"]
    assert overall(rows).value == "agrees"
