"""run(): closed-form behaviour of the compiled loop, divergence, bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import lrtheory as lrt
from lrtheory import methods
from lrtheory.problems import quadratic
from lrtheory.run import scan_trajectory

DIAG = [[1.0, 0.0], [0.0, 10.0]]  # L = 10, mu = 1


def test_gd_contracts_by_max_abs_one_minus_lr_lambda():
    # GD on diag(1, 10): e_{k+1,i} = (1 - lr*lambda_i) e_{k,i}. At lr = 0.15 the factors are
    # 0.85 and -0.5; after 60 steps the second mode is (0.5/0.85)^60 ~ 1e-14 of the first,
    # so ||x_{k+1}|| / ||x_k|| = 0.85 to ~1e-13 (relative tolerance 1e-12).
    p = quadratic(DIAG, x0=[1.0, 1.0])
    t = lrt.run(methods.get("gd", lr=0.15), p, steps=100)
    ratios = t.dist[61:] / t.dist[60:-1]
    np.testing.assert_allclose(ratios, 0.85, rtol=1e-12)
    # lr = 0.1 kills the lambda = 10 mode in one step: then the ratio is exactly 0.9.
    t = lrt.run(optax.sgd(0.1), p, steps=5)
    np.testing.assert_allclose(t.dist[2:] / t.dist[1:-1], 0.9, rtol=1e-14)


def test_gd_past_two_over_L_diverges_at_the_predicted_step():
    # From x0 = (0, 1) only the lambda = 10 mode is excited; at lr = 0.3 it grows by
    # |1 - 3| = 2 per step, so ||x_k|| = 2^k. The bound is 1e8 * max(1, ||x0||, ||x*||) =
    # 1e8, first exceeded at k = 27 (2^26 = 6.7e7 < 1e8 < 2^27 = 1.3e8).
    p = quadratic(DIAG, x0=[0.0, 1.0])
    t = lrt.run(methods.get("gd", lr=0.3), p, steps=40)
    assert t.diverged and t.diverged_at == 27
    assert t.n_valid == 27
    # Frozen after divergence: records repeat x_26's values, no NaN anywhere.
    assert np.all(np.isfinite(t.f)) and np.all(np.isfinite(t.dist))
    np.testing.assert_array_equal(t.dist[27:], t.dist[26])
    np.testing.assert_allclose(t.dist[26], 2.0**26, rtol=1e-12)
    assert np.all(t.step_norm[26:] == 0)
    # Just below 2/L = 0.2 the same run stays bounded.
    assert not lrt.run(methods.get("gd", lr=0.199), p, steps=40).diverged


def test_nonfinite_values_set_diverged_at():
    # f = x^2 - log x, x* = 1/sqrt(2). From x0 = 1, f'(1) = 2 - 1 = 1, so GD at lr = 10
    # gives x1 = 1 - 10 = -9 where log is undefined: f(x1) is NaN, well inside the norm
    # bound, so divergence is flagged by non-finiteness at k = 1.
    p = lrt.problems.from_expr("x**2 - log(x)", x0=[1.0], x_star=[2 ** -0.5])
    t = lrt.run(methods.get("gd", lr=10.0), p, steps=5)
    assert t.diverged_at == 1 and np.all(np.isfinite(t.f))
    np.testing.assert_array_equal(t.f, t.f[0])  # frozen at x0


def test_newton_solves_a_strictly_convex_quadratic_in_one_step():
    # Newton: x1 = x0 - A^{-1}(A x0 - b) = A^{-1} b = x* exactly (up to rounding ~1e-15).
    p = quadratic(dim=6, cond=50.0, seed=3, b=np.arange(6.0))
    t = lrt.run(methods.get("newton"), p, steps=2)
    assert t.dist[0] > 1.0
    assert t.dist[1] < 1e-12 * (1 + np.linalg.norm(p.x_star))


# Safe learning rates on diag(1, 10) (L = 10): GD-type methods need lr < 2/L, we use a
# tenth of it or less; adaptive methods move each coordinate by about lr per step, so lr
# well below the distance 1 to x* decreases f. Each row: method, lr, hyperparameters.
SAFE = [
    ("gd", 0.1, {}),
    ("momentum", 0.05, {"beta": 0.5}),
    ("nesterov", 0.05, {"beta": 0.5}),
    ("adagrad", 0.1, {}),
    ("adadelta", 1.0, {}),
    ("rmsprop", 0.01, {}),
    ("adam", 0.01, {}),
    ("bfgs", 1.0, {}),
    ("gd_armijo", 1.0, {}),  # Armijo: every accepted step decreases f
]


def test_every_first_order_method_is_listed_in_safe():
    first_order = {n for n in methods.names() if not methods.info(n).needs & {"hess",
                                                                                "scalar"}}
    assert first_order == {row[0] for row in SAFE}


@pytest.mark.parametrize("name,lr,hyper", SAFE)
def test_first_order_methods_decrease_f_on_a_well_conditioned_quadratic(name, lr, hyper):
    p = quadratic(DIAG, x0=[1.0, 1.0])
    t = lrt.run(methods.get(name, lr=lr, **hyper), p, steps=200)
    assert not t.diverged
    assert t.f[-1] < t.f[0]
    assert t.f[-1] < t.f[0] - 1e-3  # a real decrease, not round-off (f0 - f* = 5.5)


def test_schedule_and_recorded_lr():
    # lr_k = 0.1 / (1 + k): the recorded learning rates are that sequence.
    p = quadratic(DIAG, x0=[1.0, 1.0])
    t = lrt.run(methods.get("gd", lr=lambda k: 0.1 / (1 + k)), p, steps=4)
    np.testing.assert_allclose(t.lr, [0.1, 0.05, 0.1 / 3, 0.025], rtol=1e-15)


def test_traced_learning_rates_compile_once():
    # The learning rate enters as data: vmapping over 8 or 64 values traces once each
    # (the Python body runs only while tracing).
    p = quadratic(DIAG, x0=[1.0, 1.0])
    traces = []

    def one(lr):
        traces.append(1)
        return scan_trajectory(methods.get("gd", lr=lr), p, 20, p.x0).dist[-1]

    f = jax.jit(jax.vmap(one))
    out = f(jnp.array([0.05, 0.1]))
    f(jnp.array([0.01, 0.02]))
    assert len(traces) == 1
    # dist after 20 steps from (1, 1): sqrt((1-lr)^40 + (1-10 lr)^40)
    lrs = np.array([0.05, 0.1])
    np.testing.assert_allclose(out, np.sqrt((1 - lrs) ** 40 + (1 - 10 * lrs) ** 40),
                               rtol=1e-13)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"x0": [1.0, 2.0, 3.0]}, "x0 must have shape"),
        ({"x0": [np.nan, 1.0]}, "x0 must be finite"),
        ({"x0": [np.inf, 1.0]}, "x0 must be finite"),
        ({"steps": 0}, "steps must be an integer >= 1"),
        ({"steps": 2.5}, "steps must be an integer >= 1"),
        ({"key": "seed"}, "key must be"),
    ],
)
def test_run_rejects_bad_input(kwargs, match):
    p = quadratic(DIAG, x0=[1.0, 1.0])
    args = {"steps": 3, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        lrt.run(optax.sgd(0.1), p, **args)


@pytest.mark.parametrize("lr", [-0.1, 0.0, np.nan, np.inf])
def test_bad_learning_rates_are_rejected(lr):
    with pytest.raises(ValueError, match="lr must be positive and finite"):
        methods.get("gd", lr=lr)


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="unknown method name='adamm'.*'adam'"):
        methods.get("adamm", lr=0.1)
    with pytest.raises(ValueError, match="unknown problem name='rosenbrok'"):
        lrt.problems.get("rosenbrok")
    with pytest.raises(TypeError, match="method='adam'"):
        lrt.run("adam", quadratic(DIAG), steps=3)
    with pytest.raises(ValueError, match="needs a one-variable problem"):
        lrt.run(methods.get("secant"), quadratic(DIAG), steps=3)


def test_nonfinite_gradient_sets_diverged_at():
    # f = sqrt|x| from x0 = 1: f'(1) = 1/2, so GD at lr = 2 jumps to x1 = 0 where f = 0 is
    # finite but f'(0) = 1/(2 sqrt|0|) is not: the record at k = 1 would hold a NaN/inf
    # gradient norm, so k = 1 is the divergence point and no record is non-finite.
    p = lrt.problems.from_expr("sqrt(Abs(x))", x0=[1.0])
    t = lrt.run(methods.get("gd", lr=2.0), p, steps=3)
    assert t.diverged_at == 1
    assert np.all(np.isfinite(t.grad_norm)) and t.grad_norm[1] == 0.5


def test_a_quadratic_needs_no_gradient_test_for_divergence():
    # run() skips the gradient's finiteness test exactly where a finite f implies a finite
    # gradient: a quadratic's f = x.(Ax)/2 - b.x is inf or NaN as soon as an entry of A x
    # is. Checked on an overflowing A x (1e300 * 1e10 = inf in float64): the gradient is
    # not finite, and neither is f, so the f test alone flags the iterate.
    import dataclasses

    p = quadratic([[1e300, 0.0], [0.0, 1.0]], x0=[1.0, 1.0])
    assert p.finite_value_has_finite_grad
    x = jnp.array([1e10, 0.0])
    assert not np.all(np.isfinite(np.asarray(p.grad(x))))
    assert not np.isfinite(float(p.value(x))) and not np.isfinite(float(p.value_and_grad(x)[0]))
    # not a quadratic, or a quadratic whose gradient was replaced: the test stays
    assert not lrt.problems.get("rosenbrock").finite_value_has_finite_grad
    assert not dataclasses.replace(p, grad=lambda x: 2.0 * x).finite_value_has_finite_grad
    assert not lrt.problems.from_expr("sqrt(Abs(x))", x0=[1.0]).finite_value_has_finite_grad


# ------------------------------------------------------------------ record_every
X2 = quadratic([[1.0]], x0=[1.0])  # f = x^2/2, x* = 0, f* = 0


def test_record_every_keeps_every_kth_record_of_the_full_run():
    # Between records a step computes the same gradient A x - b of the same x, so for GD
    # (x - lr g: one rounding per operation, nothing for the compiler to re-associate)
    # the records at iterates 0, k, 2k, .. are bitwise those of the full record. Adam's
    # update is fused with a different producer of g in the two programs, so XLA may
    # contract its multiply-adds differently: each step rounds differently by ~1 ulp, a
    # relative 1e-12 bound leaves room for 60 steps of that.
    p = quadratic(DIAG, x0=[1.0, 1.0])
    for method, rtol in (("gd", 0.0), ("adam", 1e-12)):
        full = lrt.run(methods.get(method, lr=0.05), p, steps=60)
        for k in (1, 3, 5, 60, "final"):
            every = 60 if k == "final" else k
            t = lrt.run(methods.get(method, lr=0.05), p, steps=60, record_every=k)
            assert t.every == every and t.steps == 60 and t.dist.shape == (60 // every + 1,)
            for name in ("f", "grad_norm", "dist"):
                np.testing.assert_allclose(getattr(t, name), getattr(full, name)[::every],
                                           rtol=rtol, atol=0)
            # step_norm / lr: those of the step that reached each record (k = j*every - 1);
            # a step length is a difference of iterates ~1e3 times smaller than them at the
            # end of this run, so the same absolute round-off is 1e3 times larger relatively
            np.testing.assert_allclose(t.step_norm, full.step_norm[every - 1::every],
                                       rtol=rtol * 1e3, atol=0)
            np.testing.assert_array_equal(t.lr, full.lr[every - 1::every])


def test_record_every_counts_divergence_in_iterates_and_freezes_records():
    # GD with lr = 3 on x^2/2 maps x to -2x: |x_k| = 2^k leaves the bound 1e8 first at
    # k = 27 (2^27 = 1.3e8). With records every 4 iterates the genuine ones are those of
    # iterates 0, 4, .., 24 (ceil(27/4) = 7 records); the later ones repeat record 6,
    # |x_24| = 2^24.
    t = lrt.run(optax.sgd(3.0), X2, steps=40, record_every=4)
    assert t.diverged_at == 27 and t.n_valid == 7
    assert t.dist[:7].tolist() == [2.0 ** (4 * j) for j in range(7)]
    assert t.dist[7:].tolist() == [2.0 ** 24] * 4
    e, name = t.error("dist")
    assert name == "dist" and e.tolist() == [2.0 ** (4 * j) for j in range(7)]


def test_record_every_on_mini_batches_matches_the_full_run_at_the_records():
    # Step k draws its mini-batch from fold_in(key, k) whatever is recorded, so the
    # iterates agree bitwise at the records.
    p = lrt.problems.get("logistic", n_train=64, batch_size=8)
    full = lrt.run(optax.sgd(0.5), p, steps=20, key=1)
    t = lrt.run(optax.sgd(0.5), p, steps=20, key=1, record_every=5)
    np.testing.assert_array_equal(t.f, full.f[::5])
    np.testing.assert_array_equal(t.grad_norm, full.grad_norm[::5])


def test_batched_record_every_final():
    # GD lr on x^2/2: x_T = (1 - lr)^T x_0; only x_0 and x_T are recorded.
    from lrtheory.run import batched

    f = batched(lambda lr: optax.sgd(lr), X2, steps=8, record_every="final")
    t = f({"lr": jnp.array([0.5, 0.75])}, jnp.ones((2, 1)), None)
    assert t.every == 8 and t.steps == 8
    np.testing.assert_array_equal(np.asarray(t.dist), [[1.0, 0.5 ** 8], [1.0, 0.25 ** 8]])


# ------------------------------------------------------------------ errors(traj, measure)
def test_errors_of_a_batch_equal_the_error_of_each_run():
    from lrtheory.run import batched
    from lrtheory.trajectory import errors, n_errors

    p = quadratic(DIAG, x0=[1.0, 1.0])
    lrs = [0.05, 0.15, 0.25]  # 0.25 > 2/L = 0.2 diverges
    fn = batched(lambda lr: optax.sgd(lr), p, steps=50)
    tb = jax.tree_util.tree_map(np.asarray, fn({"lr": jnp.array(lrs)}, jnp.ones((3, 2)), None))
    for measure in ("auto", "dist", "f", "grad", "step"):
        E, m = errors(tb, measure)
        n = n_errors(tb, m)
        for i, lr in enumerate(lrs):
            one = lrt.run(optax.sgd(lr), p, steps=50)
            e, name = one.error(measure)
            assert name == m.value == ("dist" if measure == "auto" else measure)
            assert n[i] == e.size
            np.testing.assert_array_equal(E[i, :n[i]], e)


def test_auto_measure_is_the_one_rule_dist_then_f_then_grad():
    # resolve_measure: dist when x* is known, else f - f* when f* is, else |grad f|.
    import dataclasses

    base = lrt.run(optax.sgd(0.5), X2, steps=3)
    no_x = base._replace(dist=None)
    assert no_x.error()[1] == "f"
    np.testing.assert_array_equal(no_x.error()[0], [0.5, 0.125, 0.03125, 0.0078125])
    neither = no_x._replace(f_star=None)
    assert neither.error()[1] == "grad"
    # the sweep resolves it the same way for a problem with f* but no x*
    p = dataclasses.replace(X2, x_star=None)
    from lrtheory.sweep import sweep
    assert sweep("gd", p, [0.5], steps=3, progress=False).error_measure.iloc[0] == "f"


def test_subnormal_floor_of_float64_on_cpu_is_documented():
    # XLA on CPU flushes float64 subnormals to zero: 1e-300 * 1e-10 = 1e-310 (a subnormal,
    # below 2.225e-308) comes out of a jitted product as 0.0. run's docstring says so.
    out = jax.jit(lambda a, b: a * b)(jnp.float64(1e-300), jnp.float64(1e-10))
    if jax.devices()[0].platform == "cpu":
        assert float(out) == 0.0
    assert "2.225e-308" in lrt.run.__doc__ and "subnormal" in lrt.run.__doc__


def test_value_and_grad_shares_one_matvec_and_falls_back_after_replace():
    # f = x.Ax/2 - b.x and grad = Ax - b from one Ax; at x = (1, 1) with A = diag(1, 10),
    # b = 0: f = 11/2, grad = (1, 10) (exact in float64).
    import dataclasses

    p = quadratic(DIAG, x0=[1.0, 1.0])
    f, g = p.value_and_grad(jnp.ones(2))
    assert float(f) == 5.5 and np.asarray(g).tolist() == [1.0, 10.0]
    # a problem whose value was replaced must not use the stale shared computation
    q = dataclasses.replace(p, value=lambda x: 2.0 * p.value(x))
    f, g = q.value_and_grad(jnp.ones(2))
    assert float(f) == 11.0 and np.asarray(g).tolist() == [1.0, 10.0]


def test_to_frame_rows_are_the_records_at_their_iterates():
    # GD lr = 1/2 on x^2/2 halves x: records of iterates 0, 2, 4, 6 hold 2^-k.
    t = lrt.run(optax.sgd(0.5), X2, steps=6, record_every=2)
    df = t.to_frame()
    assert df.k.tolist() == [0, 2, 4, 6] and df.dist.tolist() == [1.0, 0.25, 0.0625, 0.015625]
    assert df.valid.all() and len(lrt.run(optax.sgd(0.5), X2, steps=6).to_frame()) == 7
