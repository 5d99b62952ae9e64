"""Property tests of lrtheory.estimate: any input gives a well-formed answer or a clear error.

Fixed budget and derandomised so CI is deterministic.
"""

import math

import mpmath
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtheory.estimate import COLUMNS, REGIMES, estimate_order, estimate_orders

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)

finite_pos = st.floats(min_value=0.0, max_value=1e300, allow_nan=False, allow_infinity=False)
any_float = st.floats(allow_nan=True, allow_infinity=True)


def check(est, n):
    """Invariants of every OrderEstimate for a sequence of n records."""
    assert est.regime in REGIMES
    floats = [est.q, est.q_fit, est.q_coc, est.rate, est.rate_q, est.p, est.A, est.k0,
              est.growth, est.growth_order, est.limit, est.floor, est.f_star, est.level]
    pairs = ((est.q_fit, est.q_ci), (est.rate, est.rate_ci), (est.p, est.p_ci),
             (est.A, est.A_ci), (est.growth, est.growth_ci),
             (est.growth_order, est.growth_order_ci), (est.limit, est.limit_ci),
             (est.floor, est.floor_ci))
    for _, ci in pairs:
        floats += list(ci) if ci is not None else []
    floats += list(est.rate_limits or ()) + list(est.cycle or ())
    for v in floats:
        assert v is None or (isinstance(v, float) and math.isfinite(v))
    if est.q is not None:
        assert est.q > 0 and est.regime in ("linear", "superlinear", "finite")
    if est.rate is not None:
        assert est.rate > 0
    # every interval holds its own estimate, and has a level
    for val, ci in pairs:
        if val is not None and ci is not None:
            assert ci[0] - 1e-12 * abs(ci[0]) <= val <= ci[1] + 1e-12 * abs(ci[1])
            assert est.level is not None and 0 < est.level < 1
    if est.window is None:
        assert est.n_used == 0
    else:
        a, b = est.window
        assert 0 <= a <= b < n and est.n_used == b - a + 1
    if est.regime == "superlinear":
        assert est.q >= 1 and (est.q > 1 or est.ratio_to_zero)
    if est.regime == "linear":
        assert est.q == 1.0 and 0 < est.rate < 1
    if est.regime == "finite":
        assert est.finite_at is not None and 0 <= est.finite_at < n
    if est.regime == "diverged":
        assert est.growth is None or est.growth > 1
    assert isinstance(est.reason, str) and est.reason


@SETTINGS
@given(st.lists(any_float, max_size=60))
def test_arbitrary_floats(xs):
    # negative entries (including -inf) must raise a ValueError naming data; anything
    # else (NaN, inf, zeros, huge or tiny values) gives a well-formed estimate
    if any(x < 0 for x in xs if not math.isnan(x)):
        try:
            estimate_order(xs)
        except ValueError as e:
            assert "data" in str(e)
        else:
            raise AssertionError("negative errors accepted")
        return
    check(estimate_order(xs), len(xs))


@SETTINGS
@given(st.lists(finite_pos, max_size=80), st.sampled_from(["raw", "sorted", "reversed",
                                                           "constant", "cumsum"]))
def test_shaped_sequences(xs, shape):
    # constant, increasing, decreasing and random finite inputs never fail
    if shape == "sorted":
        xs = sorted(xs)
    elif shape == "reversed":
        xs = sorted(xs, reverse=True)
    elif shape == "constant":
        xs = [xs[0]] * len(xs) if xs else []
    elif shape == "cumsum":
        xs = list(np.cumsum(np.minimum(xs, 1e290)))
    est = estimate_order(xs)
    check(est, len(xs))
    if shape == "constant" and len(xs) >= 8 and xs[0] > 0:
        # a constant sequence is stalled at its own value
        assert est.regime == "stalled" and abs(est.limit / xs[0] - 1) < 1e-12


@SETTINGS
@given(st.lists(st.integers(-20000, 300), min_size=0, max_size=40),
       st.lists(st.integers(1, 9), min_size=1, max_size=40))
def test_mpmath_far_outside_float_range(exps, mans):
    # mpmath errors m * 10^x with x far below -308: logs via mpmath.log, never float()
    xs = [mpmath.mpf(mans[i % len(mans)]) * mpmath.mpf(10) ** x for i, x in enumerate(exps)]
    check(estimate_order(xs), len(xs))


@settings(max_examples=60, deadline=None, derandomize=True)   # each example builds 2 tables
@given(st.integers(1, 6), st.integers(0, 40), st.data())
def test_batch_equals_scalar(n_runs, T, data):
    # the vectorised table row i equals the scalar estimate of row i, for any batch
    E = np.array(data.draw(st.lists(st.lists(finite_pos | st.just(0.0) | st.just(math.inf),
                                             min_size=T, max_size=T),
                                    min_size=n_runs, max_size=n_runs)), dtype=float)
    E = E.reshape(n_runs, T)
    df = estimate_orders(E)
    expected = pd.DataFrame([estimate_order(e).as_row() for e in E]).astype(COLUMNS)
    pd.testing.assert_frame_equal(df, expected)
    for i in range(n_runs):
        check(estimate_order(E[i]), T)
