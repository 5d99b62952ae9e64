"""Tests for lrtheory.schedules: closed forms, no recompilation, vmap, errors, optax parity.

Expected values are computed with Python's ``math`` from the formulas in the literature
(Smith 2017 for CLR, Keras for step/time-based decay, Goyal et al. 2017 for warm-up), not
with the implementation. Unless said otherwise the tolerance is rtol=1e-12: each value is a
handful of float64 operations (relative error ~1e-16 each) or one lgamma of an argument
below ~200 (absolute error ~1e-13), so 1e-12 leaves a margin of 10-1000x and still fails on
any formula slip (the smallest such difference below is ~1e-3).
"""

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import optax
import pytest

from lrtheory import schedules
from lrtheory.schedules import Schedule
from lrtheory.schedules._decay import _log_rising

RTOL = 1e-12


class Case(NamedTuple):
    params: dict[str, Any]  # numeric hyperparameters (and nested schedules)
    static: dict[str, Any]  # non-numeric arguments (strings)
    points: list[tuple[int, float]]  # (step k, expected lr_k)


def _cos(frac):  # optax's cosine interpolation weight (1 + cos(pi t)) / 2
    return (1 + math.cos(math.pi * frac)) / 2


CASES = {
    # lr_k = 0.3 for every k.
    "constant": Case({"lr0": 0.3}, {}, [(0, 0.3), (1, 0.3), (100, 0.3), (10**6, 0.3)]),
    # lr_k = 0.1 / (1 + k/2): k=2 = 1/d is where it halves; k=1000 -> 0.1/501.
    "time_based": Case({"lr0": 0.1, "d": 0.5}, {},
                       [(0, 0.1), (1, 0.1 / 1.5), (2, 0.05), (1000, 0.1 / 501)]),
    # lr_{n+1} = lr_n / (1 + n/2): lr_1 = lr_0 (factor 1 + 0), lr_2 = 1/1.5, lr_3 = 1/3;
    # lr_20 is the direct product over j < 20.
    "time_based_recursive": Case(
        {"lr0": 1.0, "d": 0.5}, {},
        [(0, 1.0), (1, 1.0), (2, 1 / 1.5), (3, 1 / 3),
         (20, 1 / math.prod(1 + 0.5 * j for j in range(20)))]),
    # lr = 0.5^floor((1 + n)/10): first drop at n = 9; n = 99 -> 0.5^10.
    "step": Case({"lr0": 1.0, "d": 0.5, "r": 10.0}, {},
                 [(0, 1.0), (1, 1.0), (8, 1.0), (9, 0.5), (99, 0.5**10)]),
    # lr = 2 e^{-n/10}: n = 10 is one e-fold.
    "exponential": Case({"lr0": 2.0, "d": 0.1}, {},
                        [(0, 2.0), (1, 2 * math.exp(-0.1)), (10, 2 / math.e),
                         (100, 2 * math.exp(-10))]),
    # held at 1 for 5 steps, then 0.9 (1 - t/10)^2 + 0.1: t = 5 at k = 10 -> 0.325;
    # the end value 0.1 from k = 15 on.
    "polynomial": Case({"lr0": 1.0, "T": 10.0, "lr_end": 0.1, "power": 2.0, "begin": 5.0}, {},
                       [(0, 1.0), (1, 1.0), (5, 1.0), (10, 0.325), (15, 0.1), (1000, 0.1)]),
    # 0.9 (1 + cos(pi k/100))/2 + 0.1: half way (k = 50) 0.55; from k = 100 on 0.1.
    "cosine": Case({"lr0": 1.0, "T": 100.0, "alpha": 0.1, "exponent": 1.0}, {},
                   [(0, 1.0), (1, 0.9 * _cos(0.01) + 0.1), (50, 0.55), (100, 0.1),
                    (1000, 0.1)]),
    # target step(0) = 0.8, ramp 0.8 (0.25 + 0.75 k/4); at k = 4 the step schedule starts
    # (k - 4 = 0); k = 23 -> step(19) = 0.8 * 0.5^floor(20/10) = 0.2.
    "warmup": Case({"schedule": schedules.step(0.8, 0.5, 10.0), "steps": 4.0, "start": 0.25},
                   {"kind": "linear"},
                   [(0, 0.2), (1, 0.8 * 0.4375), (3, 0.8 * 0.8125), (4, 0.8), (23, 0.2)]),
    # Smith 2017, s = 5: trough at 0, 10; peak at 5; k = 1003 is 3 steps up a rising half.
    "triangular": Case({"lr0": 0.1, "lr_max": 1.1, "s": 5.0}, {},
                       [(0, 0.1), (1, 0.3), (5, 1.1), (10, 0.1), (1003, 0.7)]),
    # amplitude halves each cycle: 2nd peak (k = 15) 0.1 + 0.5; 101st peak 0.1 + 2^-100.
    "triangular2": Case({"lr0": 0.1, "lr_max": 1.1, "s": 5.0}, {},
                        [(0, 0.1), (1, 0.3), (5, 1.1), (15, 0.6), (1005, 0.1 + 2.0**-100)]),
    # amplitude times 0.99^k.
    "exp_range": Case({"lr0": 0.1, "lr_max": 1.1, "s": 5.0, "gamma": 0.99}, {},
                      [(0, 0.1), (1, 0.1 + 0.2 * 0.99), (5, 0.1 + 0.99**5),
                       (10, 0.1), (1003, 0.1 + 0.6 * 0.99**1003)]),
    # init 1/25 = 0.04, peak at floor(0.3*100) = 30, final 0.04/1e4 from k = 100;
    # k = 65 is half way down: 4e-6 + (1 - 4e-6)/2.
    "onecycle_cosine": Case(
        {"lr_max": 1.0, "T": 100.0, "pct_start": 0.3, "div": 25.0, "final_div": 1e4}, {},
        [(0, 0.04), (1, 1 + (0.04 - 1) * _cos(1 / 30)), (30, 1.0), (65, 4e-6 + (1 - 4e-6) / 2),
         (100, 4e-6), (1000, 4e-6)]),
    # linear 0.04 -> 1 on [0, 30], 1 -> 0.04 on [30, 85], 0.04 -> 4e-6 on [85, 100].
    "onecycle_linear": Case(
        {"lr_max": 1.0, "T": 100.0, "pct_start": 0.3, "pct_final": 0.85, "div": 25.0,
         "final_div": 1e4}, {},
        [(0, 0.04), (1, 0.04 + 0.96 / 30), (30, 1.0), (85, 0.04), (100, 4e-6), (500, 4e-6)]),
}


def test_every_registered_schedule_has_a_case():
    assert set(schedules.names()) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_closed_form(name):
    case = CASES[name]
    sched = schedules.get(name, **case.params, **case.static)
    for k, expected in case.points:
        np.testing.assert_allclose(float(sched(k)), expected, rtol=RTOL, err_msg=f"k={k}")
    # vectorised over steps (what plots and run() do) gives the same numbers
    ks = jnp.array([k for k, _ in case.points])
    np.testing.assert_allclose(sched(ks), [e for _, e in case.points], rtol=RTOL)


def _scaled(params, factor):
    """Every numeric leaf times ``factor`` (<= 1 keeps all constraints of CASES)."""
    return jax.tree.map(lambda x: jnp.asarray(x * factor, dtype=jnp.float64), params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_recompilation_when_parameters_change(name):
    case = CASES[name]
    traces = []

    @jax.jit
    def lr(params, k):
        traces.append(1)  # Python side effect: runs only while tracing
        return schedules.get(name, **params, **case.static)(k)

    for factor in (1.0, 0.9, 0.7):
        params = _scaled(case.params, factor)
        for k, _ in case.points:
            eager = schedules.get(name, **params, **case.static)(k)
            np.testing.assert_allclose(lr(params, jnp.asarray(k)), eager, rtol=RTOL)
    # three parameter sets x several steps, one trace: hyperparameters are data
    assert len(traces) == 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_over_parameters(name):
    case = CASES[name]
    factors = (1.0, 0.9, 0.7)
    batch = jax.tree.map(lambda *xs: jnp.stack(xs), *[_scaled(case.params, f) for f in factors])
    k = jnp.asarray(case.points[2][0])
    got = jax.jit(jax.vmap(lambda p: schedules.get(name, **p, **case.static)(k)))(batch)
    want = [float(schedules.get(name, **_scaled(case.params, f), **case.static)(k))
            for f in factors]
    np.testing.assert_allclose(got, want, rtol=RTOL)
    # the same through a batched Schedule value, vmapped directly
    sched = schedules.get(name, **batch, **case.static)
    np.testing.assert_allclose(jax.vmap(lambda s: s(k))(sched), want, rtol=RTOL)


def test_broadcast_makes_defaults_batchable():
    # lr0 batched, d a scalar: broadcast() gives every leaf the leading axis vmap needs
    s = schedules.exponential(lr0=jnp.array([1.0, 2.0]), d=0.5).broadcast()
    got = jax.vmap(lambda s: s(2))(s)
    np.testing.assert_allclose(got, [math.exp(-1), 2 * math.exp(-1)], rtol=RTOL)


def test_schedule_is_a_pytree_with_static_kind():
    s = schedules.warmup(schedules.exponential(0.1, 0.01), steps=5, kind="exponential")
    leaves = jax.tree.leaves(s)
    # exponential's lr0, d; warmup's steps and start (0.01 default); kind is static
    assert sorted(leaves) == sorted([0.1, 0.01, 5, 0.01])
    assert jax.tree.unflatten(jax.tree.structure(s), leaves).params["kind"] == "exponential"


@pytest.mark.parametrize("d", [0.0, 1e-9, 1e-4, 0.0099, 0.01, 0.0101, 0.05, 0.5, 3.0])
def test_recursive_matches_the_recursion(d):
    # lr_{n+1} = lr_n / (1 + d n), n = 0..50, straight from the definition. d around 0.01
    # crosses the switch between the Stirling and the lgamma evaluation.
    want = [1.0]
    for n in range(50):
        want.append(want[-1] / (1 + d * n))
    got = schedules.time_based_recursive(1.0, d)(jnp.arange(51))
    # 50 roundings in the recursion (~6e-15) plus lgamma(<= 150) (~1e-13 absolute in log)
    np.testing.assert_allclose(got, want, rtol=RTOL)


@pytest.mark.parametrize(("d", "n"), [(1e-9, 10**6), (1e-3, 10**3), (1e-3, 10**5),
                                      (0.3, 100), (0.3, 10**5)])
def test_recursive_late_steps_against_mpmath(d, n):
    # log prod_{j<n}(1 + d j) = n log d + log Gamma(n + 1/d) - log Gamma(1/d) at 50 digits.
    # The plain lgamma difference would lose ~1e-6 at d = 1e-9 (both terms ~2e10); the
    # tolerance 1e-8 is ~50x the cancellation error eps * (largest term ~1e6) of the code.
    mpmath.mp.dps = 50
    x = 1 / mpmath.mpf(d)
    want = float(n * mpmath.log(mpmath.mpf(d)) + mpmath.loggamma(n + x) - mpmath.loggamma(x))
    assert abs(float(_log_rising(jnp.float64(n), jnp.float64(d))) - want) < 1e-8
    if want < 700:  # lr_n itself is representable (e^-745 underflows)
        lr = float(schedules.time_based_recursive(1.0, d)(n))
        assert abs(math.log(lr) + want) < 1e-8


def test_exponential_warmup_is_geometric():
    # (1/16)^(1 - k/4) = 1/16, 1/8, 1/4, 1/2, then the constant 1
    s = schedules.warmup(schedules.constant(1.0), steps=4, kind="exponential", start=1 / 16)
    np.testing.assert_allclose(s(jnp.arange(6)), [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 1], rtol=RTOL)


def test_warmup_accepts_an_optax_schedule_and_zero_steps():
    inner = optax.exponential_decay(1.0, transition_steps=1, decay_rate=0.5)
    s = schedules.warmup(inner, steps=2)
    # 0, 1/2 (linear ramp to inner(0) = 1), then 1, 1/2, 1/4 shifted by 2
    np.testing.assert_allclose(s(jnp.arange(5)), [0, 0.5, 1, 0.5, 0.25], rtol=RTOL)
    # steps = 0: no warm-up at all
    s0 = schedules.warmup(schedules.exponential(1.0, 0.5), steps=0)
    np.testing.assert_allclose(s0(jnp.arange(3)), [1, math.exp(-0.5), math.exp(-1)], rtol=RTOL)


def test_same_functions_as_optax_where_optax_has_them():
    # T = 97 and pct 0.25/0.8 make floor(pct T) non-integer products (24.25, 77.6), the case
    # where a traced bound must still round like optax's int().
    k = jnp.arange(0, 130)
    pairs = [
        (schedules.polynomial(0.9, T=97, lr_end=0.05, power=1.5, begin=7),
         optax.polynomial_schedule(0.9, 0.05, 1.5, 97, 7)),
        (schedules.cosine(0.9, T=97, alpha=0.2, exponent=2.0),
         optax.cosine_decay_schedule(0.9, 97, alpha=0.2, exponent=2.0)),
        (schedules.onecycle_cosine(0.9, T=97, pct_start=0.25, div=20.0, final_div=100.0),
         optax.cosine_onecycle_schedule(97, 0.9, 0.25, 20.0, 100.0)),
        (schedules.onecycle_linear(0.9, T=97, pct_start=0.25, pct_final=0.8, div=20.0,
                                   final_div=100.0),
         optax.linear_onecycle_schedule(97, 0.9, 0.25, 0.8, 20.0, 100.0)),
    ]
    for ours, theirs in pairs:
        want = np.array([float(theirs(int(i))) for i in k])
        np.testing.assert_allclose(ours(k), want, rtol=RTOL, atol=1e-15, err_msg=ours.name)


def test_plugs_into_optax():
    # SGD on f(x) = x with a schedule: the k-th update is exactly -lr_k (optax counts from 0)
    sched = schedules.warmup(schedules.time_based(0.5, 0.25), steps=3)
    for tx in (optax.sgd(sched), optax.inject_hyperparams(optax.sgd)(learning_rate=sched)):
        state = tx.init(jnp.zeros(()))

        def body(state, _, tx=tx):
            upd, state = tx.update(jnp.ones(()), state)
            return state, upd

        _, updates = jax.jit(lambda s, tx=tx, body=body: jax.lax.scan(body, s, length=6))(state)
        # warm-up 0, 1/6, 1/3 of 0.5; then 0.5 / (1 + j/4) for j = 0, 1, 2
        want = [0, 0.5 / 3, 1 / 3, 0.5, 0.4, 0.5 / 1.5]
        np.testing.assert_allclose(-updates, want, rtol=RTOL, atol=1e-16)


def test_dtype_follows_parameters():
    # float32 hyperparameters give a float32 rate even though the step is int32/float64
    s = schedules.exponential(jnp.float32(0.1), jnp.float32(0.01))
    assert s(jnp.int32(5)).dtype == jnp.float32
    assert schedules.exponential(0.1, 0.01)(5).dtype == jnp.float64


BAD = [
    ("constant", {"lr0": -0.1}, "lr0"),
    ("time_based", {"lr0": 0.1, "d": -1.0}, "d"),
    ("time_based_recursive", {"lr0": 0.1, "d": float("nan")}, "d"),
    ("exponential", {"lr0": float("inf"), "d": 0.1}, "lr0"),
    ("step", {"lr0": 0.1, "d": 0.5, "r": 0}, "r"),
    ("step", {"lr0": 0.1, "d": 1.5, "r": 3}, "d"),
    ("polynomial", {"lr0": 0.1, "T": -5}, "T"),
    ("polynomial", {"lr0": 0.1, "T": 5, "begin": -1}, "begin"),
    ("cosine", {"lr0": 0.1, "T": 10, "alpha": 2.0}, "alpha"),
    ("warmup", {"schedule": schedules.constant(0.1), "steps": -1}, "steps"),
    ("warmup", {"schedule": schedules.constant(0.1), "steps": 3, "kind": "exponential",
                "start": 0.0}, "start"),
    ("warmup", {"schedule": schedules.constant(0.1), "steps": 3, "kind": "cubic"}, "kind"),
    ("triangular", {"lr0": 0.1, "lr_max": 1.0, "s": 0.0}, "s"),
    ("exp_range", {"lr0": 0.1, "lr_max": 1.0, "s": 2, "gamma": 0.0}, "gamma"),
    ("onecycle_cosine", {"lr_max": 1.0, "T": 10, "pct_start": 1.2}, "pct_start"),
    ("onecycle_linear", {"lr_max": 1.0, "T": 10, "pct_start": 0.5, "pct_final": 0.4},
     "pct_final"),
    # arrays are checked element by element
    ("exponential", {"lr0": np.array([0.1, -0.2]), "d": 0.1}, "lr0"),
]


@pytest.mark.parametrize(("name", "params", "arg"), BAD)
def test_bad_values_name_the_argument(name, params, arg):
    with pytest.raises(ValueError, match=rf"\b{arg}\b") as info:
        schedules.get(name, **params)
    assert "must be" in str(info.value)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown schedule name='linear_decay'") as info:
        schedules.get("linear_decay", lr0=0.1)
    assert all(n in str(info.value) for n in schedules.names())


def test_type_errors():
    with pytest.raises(TypeError, match="lr0 must be a real number"):
        schedules.constant("fast")
    with pytest.raises(TypeError, match="schedule must be a Schedule or a callable"):
        schedules.warmup(0.1, steps=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'decay'"):
        schedules.get("exponential", lr0=0.1, decay=0.1)


def test_repr_shows_name_and_parameters():
    assert repr(schedules.step(0.1, 0.5, 10)) == "Schedule('step', lr0=0.1, d=0.5, r=10)"
    assert isinstance(schedules.get("constant", lr0=1.0), Schedule)


def test_sweep_over_schedule_parameters_compiles_once():
    # The sweep contract: schedule hyperparameters arrive as traced (N,) arrays in
    # run.batched's `hyper`, the factory builds the schedule from them. GD on f = x^2
    # (A = [[2]]) multiplies x by (1 - 2 lr_k) each step, so x_5 = prod_{k<5}(1 - 2 lr_k).
    from lrtheory import methods
    from lrtheory.problems import quadratic
    from lrtheory.run import batched

    traces = []

    def factory(lr0, d):
        traces.append(1)  # runs only while tracing
        return methods.get("gd", lr=schedules.exponential(lr0, d))

    run = batched(factory, quadratic([[2.0]], x0=[1.0]), steps=5)
    for lr0, d in [((0.1, 0.2), (0.0, 0.5)), ((0.3, 0.05), (0.1, 1.0))]:
        traj = run({"lr0": jnp.array(lr0), "d": jnp.array(d)}, jnp.ones((2, 1)), None)
        for i in range(2):
            lrs = [lr0[i] * math.exp(-d[i] * k) for k in range(5)]
            np.testing.assert_allclose(traj.lr[i], lrs, rtol=RTOL)
            np.testing.assert_allclose(traj.dist[i, -1], abs(math.prod(1 - 2 * a for a in lrs)),
                                       rtol=RTOL)
    assert len(traces) == 1
