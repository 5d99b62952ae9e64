"""Property tests (hypothesis) of the schedules and of the estimator's regimes.

Fixed budget, derandomised: the same examples run on every machine and in CI. For every
registered schedule and random *valid* parameters: values are finite and >= 0; decays are
non-increasing; cyclical schedules stay within [base, max]; a warm-up reaches the wrapped
schedule's value at its end and then runs it shifted; the jitted value equals the eager
one bit for bit. Invalid values raise ValueError naming the argument. The estimator's
invariants on arbitrary input are in tests/test_estimate_properties.py; here: sequences
whose regime and constant are known in closed form.

Slack: a schedule value is a handful of float64 operations (relative error a few 1e-16),
so "non-increasing" and "within [lo, hi]" allow a relative 1e-14 (tens of ulps): a formula
slip moves values by far more, while rounding may wiggle a flat stretch by an ulp.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtheory import schedules
from lrtheory.estimate import estimate_order

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)
SLACK = 1e-14
K = np.arange(0, 1201, dtype=np.float64)  # steps 0..1200: past every horizon drawn below

lr = st.floats(1e-6, 10.0)
# zero or normal floats: XLA on CPU flushes subnormals (below 2.2e-308) to zero
lr0 = st.just(0.0) | st.floats(1e-6, 10.0)
decay = st.just(0.0) | st.floats(1e-6, 10.0)
unit = st.sampled_from([0.0, 1.0]) | st.floats(1e-6, 1.0)
horizon = st.floats(1.0, 500.0)
whole = st.integers(1, 300).map(float)
power = st.floats(0.0, 5.0)

_eval_jit = jax.jit(lambda s, k: s(k))  # one compilation per schedule family


def values(s):
    eager = np.asarray(s(K))
    jitted = np.asarray(_eval_jit(s, jnp.asarray(K)))
    # jit and eager run the same formula but round differently (XLA fuses multiply-adds and
    # reassociates inside jit). Cancellation scales that up: triangular's |k/s - 2c + 1| with
    # k/s up to 2400 carries ~2400 eps, recursive decay's lgamma(n + 1/d) - lgamma(1/d)
    # with arguments ~1e3 about as much; 1e-12 of the largest value covers both.
    np.testing.assert_allclose(jitted, eager, rtol=1e-12, atol=1e-12 * np.max(np.abs(eager)))
    assert np.all(np.isfinite(eager)) and np.all(eager >= 0)
    return eager


def nonincreasing(v, slack=SLACK):
    assert np.all(v[1:] <= v[:-1] * (1 + slack) + 1e-300)


def within(v, lo, hi):
    # relative to hi: a - b + b style formulas lose digits to the larger of the two
    assert np.all(v >= lo - SLACK * hi) and np.all(v <= hi * (1 + SLACK))


# ------------------------------------------------------------------------------- decays
@SETTINGS
@given(lr0)
def test_constant(a):
    v = values(schedules.constant(a))
    assert np.all(v == a)


@SETTINGS
@given(lr0, decay)
def test_time_based(a, d):
    v = values(schedules.time_based(a, d))
    nonincreasing(v)
    np.testing.assert_allclose(v, a / (1 + d * K), rtol=1e-15)  # one division


@SETTINGS
@given(lr, st.floats(0.0, 2.0))
def test_time_based_recursive(a, d):
    v = values(schedules.time_based_recursive(a, d))
    # log lr_n is a difference of lgammas of arguments up to ~1e4 (absolute error ~1e4
    # eps = 2e-12); the true decrement is 0 only at n = 0 -> 1 and >= log(1 + d) after
    nonincreasing(v, slack=1e-11)
    # lr_1 = lr_0 (factor 1 + d*0), lr_2 = lr_0 / (1 + d); later values by the recursion,
    # relative error of the lgamma / Stirling form ~1e-13 over these ranges
    assert v[0] == a
    np.testing.assert_allclose(v[1:3], [a, a / (1 + d)], rtol=1e-12)


@SETTINGS
@given(lr0, unit, st.floats(0.5, 100.0))
def test_step(a, d, r):
    v = values(schedules.step(a, d, r))
    nonincreasing(v)
    within(v, 0.0, a)


@SETTINGS
@given(lr0, decay)
def test_exponential(a, d):
    v = values(schedules.exponential(a, d))
    nonincreasing(v)
    assert v[0] == a


@SETTINGS
@given(lr0, lr0, horizon, power, st.floats(0.0, 100.0))
def test_polynomial(a, end, T, p, begin):
    v = values(schedules.polynomial(a, T, lr_end=end, power=p, begin=begin))
    lo, hi = min(a, end), max(a, end)
    within(v, lo, hi)
    nonincreasing(v if end <= a else -v + 2 * hi)  # monotone from lr0 towards lr_end
    np.testing.assert_allclose(v[K <= begin], a, atol=SLACK * hi)  # (a - end) * 1 + end
    if p > 0:  # ((T - t)/T)^p = 0 exactly once t = T (0^0 = 1 keeps lr0, as in optax)
        assert np.all(v[K >= begin + T] == end)


@SETTINGS
@given(lr0, horizon, unit, power)
def test_cosine(a, T, alpha, e):
    v = values(schedules.cosine(a, T, alpha=alpha, exponent=e))
    nonincreasing(v)
    within(v, alpha * a, a)


# ----------------------------------------------------------------------------- cyclical
def _clr(draw):
    base, peak = sorted([draw(lr0), draw(lr0)])
    return base, peak, draw(st.floats(0.5, 100.0))


@SETTINGS
@given(st.data())
def test_triangular(data):
    base, peak, s = _clr(data.draw)
    v = values(schedules.triangular(base, peak, s))
    within(v, base, peak)
    # period 2s: the base at k = 0, 2s, ...; the peak at k = s, 3s, ... (integer s)
    si = float(max(1, round(s)))
    w = values(schedules.triangular(base, peak, si))
    np.testing.assert_allclose(w[K % (2 * si) == 0], base, rtol=1e-12, atol=1e-12 * peak)
    np.testing.assert_allclose(w[K % (2 * si) == si], peak, rtol=1e-12)


@SETTINGS
@given(st.data())
def test_triangular2(data):
    base, peak, s = _clr(data.draw)
    v = values(schedules.triangular2(base, peak, s))
    within(v, base, peak)
    # the c-th peak (k = (2c - 1) s, integer s) is base + (peak - base) / 2^(c-1)
    si = float(max(1, round(s)))
    w = values(schedules.triangular2(base, peak, si))
    c = np.arange(1, 4)
    np.testing.assert_allclose(w[((2 * c - 1) * si).astype(int)],
                               base + (peak - base) / 2.0 ** (c - 1), rtol=1e-12)


@SETTINGS
@given(st.data(), st.floats(1e-3, 1.0))
def test_exp_range(data, gamma):
    base, peak, s = _clr(data.draw)
    v = values(schedules.exp_range(base, peak, s, gamma))
    within(v, base, peak)


@SETTINGS
@given(lr, horizon, unit, st.floats(1.0, 100.0), st.floats(1.0, 1e4))
def test_onecycle_cosine(peak, T, pct, div, final_div):
    v = values(schedules.onecycle_cosine(peak, T, pct_start=pct, div=div, final_div=final_div))
    final = peak / div / final_div
    within(v, final, peak)
    assert np.all(v[K >= T] == final)


@SETTINGS
@given(lr, horizon, unit, unit, st.floats(1.0, 100.0), st.floats(1.0, 1e4))
def test_onecycle_linear(peak, T, p1, p2, div, final_div):
    ps, pf = sorted([p1, p2])
    v = values(schedules.onecycle_linear(peak, T, pct_start=ps, pct_final=pf, div=div,
                                         final_div=final_div))
    final = peak / div / final_div
    within(v, final, peak)
    assert np.all(v[K >= T] == final)


# ------------------------------------------------------------------------------ warm-up
WRAPPED = st.one_of(
    st.builds(schedules.constant, lr),
    st.builds(schedules.exponential, lr, st.floats(0.0, 0.1)),
    st.builds(schedules.cosine, lr, horizon, unit, power),
    st.builds(schedules.step, lr, unit, st.floats(1.0, 50.0)),
)


@SETTINGS
@given(WRAPPED, st.integers(0, 400), st.sampled_from(["linear", "exponential"]),
       st.floats(1e-3, 1.0))
def test_warmup_reaches_the_wrapped_value_and_then_runs_it_shifted(inner, W, kind, start):
    v = values(schedules.warmup(inner, float(W), kind=kind, start=start))
    target = float(inner(0))
    inner_v = np.asarray(inner(K))
    # from the end of the warm-up on: the wrapped schedule shifted by W, exactly
    np.testing.assert_array_equal(v[W:], inner_v[: len(K) - W])
    assert W >= len(K) or v[W] == target
    ramp = v[:W]
    within(ramp, start * target, target)
    nonincreasing(-ramp + 2 * target)  # the ramp rises (start <= 1)
    if W:
        assert ramp[0] == pytest.approx(start * target, rel=1e-15)


# --------------------------------------------------------------------- invalid values
NONNEG = {  # family -> (valid parameters, names that must be >= 0)
    "constant": ({"lr0": 0.1}, ["lr0"]),
    "time_based": ({"lr0": 0.1, "d": 0.1}, ["lr0", "d"]),
    "time_based_recursive": ({"lr0": 0.1, "d": 0.1}, ["lr0", "d"]),
    "exponential": ({"lr0": 0.1, "d": 0.1}, ["lr0", "d"]),
    "step": ({"lr0": 0.1, "d": 0.5, "r": 2.0}, ["lr0", "d", "r"]),
    "polynomial": ({"lr0": 0.1, "T": 10.0}, ["lr0", "T", "lr_end", "power", "begin"]),
    "cosine": ({"lr0": 0.1, "T": 10.0}, ["lr0", "T", "alpha", "exponent"]),
    "triangular": ({"lr0": 0.1, "lr_max": 1.0, "s": 2.0}, ["lr0", "lr_max", "s"]),
    "triangular2": ({"lr0": 0.1, "lr_max": 1.0, "s": 2.0}, ["lr0", "lr_max", "s"]),
    "exp_range": ({"lr0": 0.1, "lr_max": 1.0, "s": 2.0, "gamma": 0.5},
                  ["lr0", "lr_max", "s", "gamma"]),
    "onecycle_cosine": ({"lr_max": 1.0, "T": 10.0}, ["lr_max", "T", "pct_start", "div",
                                                      "final_div"]),
    "onecycle_linear": ({"lr_max": 1.0, "T": 10.0}, ["lr_max", "T", "pct_start", "div",
                                                      "final_div"]),
}


def test_every_registered_schedule_is_covered():
    assert set(NONNEG) | {"warmup"} == set(schedules.names())


@SETTINGS
@given(st.sampled_from(sorted(NONNEG)), st.data(),
       st.one_of(st.floats(max_value=-1e-300, allow_infinity=True),
                 st.just(math.nan), st.just(math.inf)))
def test_negative_or_non_finite_values_name_the_argument(name, data, bad):
    params, args = NONNEG[name]
    arg = data.draw(st.sampled_from(args))
    with pytest.raises(ValueError, match=rf"\b{arg} must be .*got {arg}="):
        schedules.get(name, **{**params, arg: bad})


# ------------------------------------------------------------- estimator: known regimes
def _length(decades_per_step):
    # records until the error is 1e-12 of e_0: above the round-off cut (eps^0.9 ~ 1e-14)
    return max(4, min(400, int(12 / decades_per_step)))


@SETTINGS
@given(st.floats(0.01, 0.98), st.integers(-100, 100))
def test_geometric_errors_are_linear_with_their_ratio_at_any_scale(C, scale_exp):
    # e_k = s C^k: regime linear, rate C, q = 1, whatever the scale s = 10^j (the rules are
    # relative). 1e-12: each C^k carries a few ulps and the fit averages them.
    e = 10.0 ** scale_exp * C ** np.arange(_length(-math.log10(C)) + 1)
    est = estimate_order(e)
    assert est.regime == "linear" and est.q == 1.0
    assert est.rate == pytest.approx(C, rel=1e-12)


@SETTINGS
@given(st.floats(1.01, 10.0))
def test_geometric_growth_is_diverged_with_its_factor(g):
    # e_k = g^k: growth factor g (least-squares slope of log e_k on the tail)
    est = estimate_order(g ** np.arange(_length(math.log10(g)) + 1))
    assert est.regime == "diverged"
    assert est.growth == pytest.approx(g, rel=1e-12)
