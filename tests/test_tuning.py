"""Range test and searches: derived values on quadratics whose spectrum is known exactly."""

import dataclasses

import jax
import numpy as np
import optax
import pandas as pd
import pytest
from scipy import integrate, optimize

from lrtheory.problems import quadratic
from lrtheory.tuning import (
    LRFinderResult,
    SearchResult,
    bayes_search,
    find_lr,
    grid_search,
    random_search,
)
from lrtheory.tuning._finder import smooth, stop_index
from lrtheory.tuning._suggest import minimum, steep, valley

# quadratic(dim=20, cond=10): eigenvalues linearly spaced from mu = 1 to L = 10 (exact), so
# GD's stability limit is 2/L = 0.2, its best step 2/(L+mu) = 2/11 and its best rate
# max|1 - lr lambda_i| at that step (kappa-1)/(kappa+1) = 9/11.
P20 = quadratic(dim=20, cond=10.0, seed=0)
EV = P20.data["eigenvalues"]
L, MU = 10.0, 1.0
RHO_OPT = 9 / 11


def gd_rate(lr):
    return float(np.max(np.abs(1 - lr * EV)))


def noisy(problem, sigma):
    """The same quadratic with gradient noise sigma * N(0, I) on every mini-batch call."""
    return dataclasses.replace(
        problem, batch_grad=lambda x, key: problem.grad(x) + sigma * jax.random.normal(
            key, x.shape, x.dtype))


# ------------------------------------------------------------------------- range test
def test_deterministic_gd_diverges_where_the_top_mode_climbs_out_of_its_hole():
    # The spec hoped for "divergence within 1.5x of 2/L"; for deterministic GD that is
    # false whatever the ramp, and this test pins down where it lands instead.
    # Mode lambda is multiplied by (1 - lr_k lambda) each step; with u = lr lambda and a
    # geometric ramp of ratio r per step, its log-amplitude changes by
    # (1/log r) * int log|1-u| du/u. Before lr reaches 2/L the top mode has sunk by
    # int_0^2 log|1-u|/u du = -pi^2/4 (times 1/log r); past 2/L it grows, and the loss
    # only notices once it is back near its starting size: at u* with
    # int_2^{u*} log(u-1)/u du = pi^2/4, u* = 12.6 -- independent of r. So the divergence
    # point is about u*/L = 1.26 = 6.3 x (2/L), not near 2/L. Tolerance 1.25: the
    # continuum ignores the discrete ramp (r = 10^(4/99) = 1.097 per step) and the moving
    # average's lag (a few steps of 10% each).
    def F(U):
        return integrate.quad(lambda u: np.log(u - 1) / u, 2, U)[0]

    u_star = optimize.brentq(lambda U: F(U) - np.pi ** 2 / 4, 2.5, 50)
    assert u_star == pytest.approx(12.595, abs=1e-3)
    res = find_lr("gd", P20, lr_min=1e-3, lr_max=10.0, steps=100, seeds=4)
    assert isinstance(res, LRFinderResult)
    assert (res.L, res.mu) == (L, MU)
    for lr_div in res.lr_diverged_per_seed:
        assert u_star / L / 1.25 < lr_div < u_star / L * 1.25
    assert res.lr_diverged / (2 / L) > 5  # the test's divergence point overshoots 2/L
    # The suggestion (valley) is below the stability limit, for every seed.
    assert res.suggestion is res.valley
    assert res.valley.hi < 2 / L
    # The reported ratios are suggestion / (2/(L+mu)) and / (2/L), from the exact spectrum.
    for s in (res.steep, res.valley, res.minimum):
        assert s.ratio_opt == pytest.approx(s.lr / (2 / (EV[-1] + EV[0])), rel=1e-12)
        assert s.ratio_stable == pytest.approx(s.lr / (2 / EV[-1]), rel=1e-12)
        assert s.lo <= s.lr <= s.hi and len(s.per_seed) == 4


def test_noisy_gd_diverges_within_a_factor_1_5_of_two_over_L():
    # With gradient noise each mode is an AR(1) process of stationary variance
    # sigma^2 lr / (lambda (2 - lr lambda)): the top mode sits at its noise level instead of
    # in a hole, and past 2/L it grows from there by |1 - u| per step. To reach
    # diverge_factor x the total loss (about d = 20 modes' worth) its amplitude must grow
    # by sqrt(4 d): sum log|1 - u_k| ~ (u - 2)^2 / (4 log r) = log(4 d) / 2 gives
    # u/2 = 1 + sqrt(2 log(80) log r) / 2 = 1.22 for r = 1000^(1/299); the moving average
    # adds a few steps (2.3% each). Bound 1.5 as the spec asks; the lower bound 1: the
    # noise-driven variance only blows up at u -> 2.
    res = find_lr("gd", noisy(P20, 1.0), lr_min=1e-3, lr_max=1.0, steps=300, seeds=8)
    ratios = np.array(res.lr_diverged_per_seed) / (2 / L)
    assert np.all((ratios > 1.0) & (ratios < 1.5)), ratios
    assert 1 + np.sqrt(2 * np.log(80) * np.log(1000) / 299) / 2 == pytest.approx(1.22, abs=5e-3)
    assert res.valley.hi < 2 / L and res.steep.hi < 2 / L and res.minimum.hi < 2 / L
    # seeds draw different mini-batches: the runs differ
    assert len(set(res.lr_diverged_per_seed)) > 1 or len(set(res.valley.per_seed)) > 1


def gd_ramp_losses(x0, lrs):
    """Plain numpy: x <- x - lr_k A x, loss_k = f(x_{k+1}) - f* (f* = 0, x* = 0 here)."""
    A, x, out = P20.data["A"], np.asarray(x0, dtype=float), []
    for lr in lrs:
        x = x - lr * (A @ x)
        out.append(0.5 * x @ A @ x)
    return np.array(out)


def test_seeds_run_in_one_compiled_call_and_match_a_numpy_loop():
    traces = []

    def make(schedule):
        traces.append(1)  # runs only while JAX traces the method
        return optax.sgd(schedule)

    res = find_lr(make, P20, 1e-3, 10.0, steps=40, seeds=5)
    assert len(traces) == 1 and res.loss.shape == (5, 40)
    lrs = 1e-3 * 1e4 ** (np.arange(40) / 39)  # lr_k = lr_min (lr_max/lr_min)^(k/(T-1))
    np.testing.assert_allclose(res.lrs, lrs, rtol=1e-13)
    # Seed 3 starts at x0_sampler(fold_in(key(3), 0)); its curve is the numpy loop's
    # (rtol 1e-10: 40 steps of float64 mat-vecs in another summation order, losses that
    # grow to 1e6 after divergence).
    x0 = np.asarray(P20.x0_sampler(jax.random.fold_in(jax.random.key(3), 0)))
    n = res.n_used[3]
    np.testing.assert_allclose(res.loss[3, :n], gd_ramp_losses(x0, lrs)[:n], rtol=1e-10)
    assert len({tuple(r[:5]) for r in res.loss}) == 5  # five different starts


def test_same_seed_same_start_and_batches_in_find_lr_and_sweep():
    # One rule (lrtheory.run.keys_for_seed): seed s starts at x0_sampler(fold_in(key(s), 0))
    # in find_lr and in sweep(x0="random"). The start is derived here independently of
    # both; find_lr from that explicit start gives the same losses bitwise as from seed s.
    from lrtheory.run import keys_for_seed
    from lrtheory.sweep import starts_for

    seeds = [0, 3, 11]
    expect = np.stack([np.asarray(P20.x0_sampler(jax.random.fold_in(jax.random.key(s), 0)))
                       for s in seeds])
    pts, per_seed = starts_for(P20, "random", np.asarray(seeds))
    assert per_seed
    np.testing.assert_array_equal(pts, expect)
    for s, x0 in zip(seeds, expect, strict=True):
        a = find_lr("gd", P20, 1e-3, 10.0, steps=30, seeds=[s])
        b = find_lr("gd", P20, 1e-3, 10.0, steps=30, seeds=[s], x0=x0)
        np.testing.assert_array_equal(a.loss, b.loss)
    # and the mini-batch key is the other half: fold_in(key(s), 1)
    kb = keys_for_seed(5)[1]
    assert (jax.random.key_data(kb) == jax.random.key_data(
        jax.random.fold_in(jax.random.key(5), 1))).all()


def test_linear_mode_with_a_fixed_start():
    x0 = np.linspace(-1.0, 1.0, 20)
    res = find_lr("gd", P20, 1e-3, 0.5, steps=30, mode="linear", seeds=2, x0=x0)
    lrs = np.linspace(1e-3, 0.5, 30)
    np.testing.assert_allclose(res.lrs, lrs, rtol=1e-13)
    n = res.n_used[0]
    np.testing.assert_allclose(res.loss[0, :n], gd_ramp_losses(x0, lrs)[:n], rtol=1e-10)
    np.testing.assert_array_equal(res.loss[0], res.loss[1])  # same start, no noise
    df = res.to_frame()
    assert len(df) == 60 and list(df.columns) == ["seed", "k", "lr", "loss", "smoothed",
                                                  "used"]
    assert df.used.sum() == res.n_used.sum()


def test_smoothing_and_stop_rule():
    # A constant loss stays constant after bias correction: a_k = c (1 - beta^{k+1}).
    np.testing.assert_allclose(smooth(np.full(50, 3.0), 0.98), 3.0, rtol=1e-13)
    # beta = 0: no smoothing.
    np.testing.assert_array_equal(smooth(np.array([1.0, 5.0, 2.0]), 0.0), [1.0, 5.0, 2.0])
    # Stop at the first value above 4 x the running minimum: min 1 at k=1, 4.5 > 4 at k=3.
    assert stop_index(np.array([2.0, 1.0, 3.9, 4.5, 9.0]), -1, 4.0) == 3
    assert stop_index(np.array([2.0, 1.0, 3.9]), -1, 4.0) == -1
    assert stop_index(np.array([2.0, 1.0, 3.9]), 1, 4.0) == 1  # the run itself blew up
    # Negative losses: best -2, threshold -2 + 3 * 2 = 4, first exceeded by 5 at k=3.
    assert stop_index(np.array([-1.0, -2.0, 3.0, 5.0]), -1, 4.0) == 3


def test_suggestion_rules_on_curves_with_known_answers():
    lrs = np.geomspace(1e-4, 1.0, 81)  # 20 points a decade, 1e-2 at index 40
    # -tanh(log(lr/1e-2)) is steepest (in log lr) exactly at lr = 1e-2.
    s = -np.tanh(np.log(lrs / 1e-2))
    assert steep(lrs, s) == 40
    # The same curve on a linear grid is steepest at the same lr when the slope is taken
    # in log lr (np.gradient with respect to log lr), not per grid step.
    lin = np.linspace(1e-3, 0.1, 100)
    i = steep(lin, -np.tanh(np.log(lin / 1e-2)))
    assert abs(lin[i] - 1e-2) <= lin[1] - lin[0]
    # minimum: argmin of a parabola in log lr centred at index 60
    assert minimum(lrs, (np.arange(81) - 60.0) ** 2) == 60
    # valley: decreasing 0..59, then increasing; fastai's rule start = 59 - 60 = -1,
    # index -1 + floor(60/3) + floor(60/6) = 29.
    v = np.concatenate([np.linspace(10, 1, 60), np.linspace(2, 20, 21)])
    assert valley(lrs, v) == 29


@pytest.mark.parametrize("kwargs,match", [
    ({"lr_min": 1.0, "lr_max": 1.0}, "lr_min must be < lr_max"),
    ({"lr_min": 2.0, "lr_max": 1.0}, "lr_min must be < lr_max"),
    ({"lr_min": 0.0}, "lr_min must be positive"),
    ({"lr_max": -1.0}, "lr_max must be positive"),
    ({"lr_min": np.nan}, "lr_min must be positive"),
    ({"steps": 1}, "steps must be an integer >= 2"),
    ({"steps": 2.5}, "steps must be an integer >= 2"),
    ({"mode": "cosine"}, "mode must be one of"),
    ({"beta": 1.0}, "beta must be a number in"),
    ({"diverge_factor": 1.0}, "diverge_factor must be"),
    ({"seeds": 0}, "seeds must be"),
    ({"seeds": [1, 1]}, "seeds must be"),
    ({"method": "adamm"}, "unknown method name='adamm'"),
    ({"fixed": {"gamma": 1.0}}, "has no hyperparameters"),
    ({"stochastic": True}, "stochastic=True needs a problem with batch_grad"),
    ({"lr_min": 1.0, "lr_max": 10.0, "steps": 20}, "diverged at lr=.*lower lr_min"),
])
def test_find_lr_rejects_bad_input(kwargs, match):
    args = {"method": "gd", "problem": P20, "steps": 20, **kwargs}
    with pytest.raises(ValueError, match=match):
        find_lr(**args)


# ----------------------------------------------------------------------------- searches
def test_grid_search_on_the_rate_finds_two_over_L_plus_mu_within_one_grid_step():
    # GD's rate max|1 - lr lambda_i| is smallest at lr = 2/(L+mu) = 2/11.
    lrs = np.geomspace(1e-2, 1.0, 49)  # ratio 1.10 between neighbours
    res = grid_search("gd", P20, {"lr": lrs}, steps=100, objective="rate")
    assert isinstance(res, SearchResult) and res.n_evals == 49
    nearest = int(np.argmin(np.abs(np.log(lrs / (2 / 11)))))
    assert abs(res.best_index - nearest) <= 1
    assert res.best["lr"] == lrs[res.best_index]
    t = res.table
    ok = (t.status == "ok").to_numpy()
    est = t.value.to_numpy(dtype=float, na_value=np.nan)
    true = np.array([gd_rate(x) for x in lrs])
    # e_k^2 is a sum of positive exponentials, so the per-step ratios e_(k+1)/e_k rise
    # toward max|1 - lr lambda| (log e_k is convex): over the window [50, 100] every ratio
    # lies in [e_51/e_50, true], and so does a plain slope. The estimator extrapolates the
    # approach (a transient term, issue 13), so it may pass the true rate, but it is never
    # farther from it than the window's first ratio. The reference runs: run()'s compiled
    # core with the rate traced, one compilation for every rate (run() with each rate as a
    # constant compiles 32 times; the distances are the same, bit for bit).
    from lrtheory import methods
    from lrtheory.run import scan_trajectory

    dist = jax.jit(lambda lr: scan_trajectory(methods.get("gd", lr=lr), P20, 100, P20.x0).dist)
    for i in np.flatnonzero(ok):
        e = np.asarray(dist(lrs[i]))
        first = e[51] / e[50]
        assert first <= true[i] + 1e-12
        assert abs(est[i] - true[i]) <= true[i] - first + 1e-12
    # Near the optimum the slowest mode dominates the tail window [50, 100] (the next one is
    # at least (0.85/0.88)^50 ~ 0.2 smaller): agreement to 1e-3.
    near = ok & (lrs > 0.1) & (lrs < 0.2)
    np.testing.assert_allclose(est[near], true[near], atol=1e-3)
    # lr > 0.3: the error grows by >= 2 per step and leaves the 1e8 bound within 100 steps.
    assert set(t.status[lrs > 0.3]) == {"diverged"}
    assert t.value[lrs > 0.3].isna().all() and t.diverged_at[lrs > 0.3].notna().all()
    # lr = 0.2154 > 2/L: growth |1 - 2.154| = 1.154 per step, 1.154^100 = 1.7e6 stays inside
    # the bound (no diverged_at), but the estimator sees the rise: status diverged, no value.
    i = int(np.argmin(np.abs(lrs - 0.2154)))
    assert t.status[i] == "diverged" and pd.isna(t.value[i]) and pd.isna(t.diverged_at[i])
    # Never NaN or inf in the table: missing values are <NA> exactly where status != ok.
    np.testing.assert_array_equal(t.value.isna().to_numpy(), ~ok)
    floats = t.select_dtypes(include=["float", "Float64"]).to_numpy(dtype=float,
                                                                    na_value=0.0)
    assert np.all(np.isfinite(floats))
    np.testing.assert_array_equal(t.budget_evals, np.arange(1, 50))
    np.testing.assert_array_equal(t.budget_steps, 100 * np.arange(1, 50))


def test_random_search_gets_within_ten_percent_of_the_best_rate_in_64_evaluations():
    # Budget 64: rates <= 1.1 * 9/11 = 0.9 need lr in [0.1, 0.19]; a log-uniform draw on
    # [1e-4, 1] lands there with probability log(1.9)/log(1e4) = 0.07, so 64 draws miss with
    # probability 0.93^64 ~ 1% (the seed is fixed, so the outcome is too).
    res = random_search("gd", P20, {"lr": ("log", 1e-4, 1.0)}, n_trials=64, steps=100,
                        objective="rate", seed=0)
    assert res.n_evals == 64 and res.table.budget_steps.iloc[-1] == 6400
    assert gd_rate(res.best["lr"]) <= 1.1 * RHO_OPT
    assert res.best_value <= 1.1 * RHO_OPT
    lr = res.table.lr.to_numpy()
    assert lr.min() >= 1e-4 and lr.max() <= 1.0


def test_bayes_search_gets_within_ten_percent_in_64_evaluations_and_compiles_once():
    traces = []

    def make(lr):
        traces.append(1)
        return optax.sgd(lr)

    res = bayes_search(make, P20, {"lr": ("log", 1e-4, 1.0)}, n_trials=64, batch_size=8,
                       steps=100, objective="rate", seed=0)
    assert len(traces) == 1  # 8 rounds of 8, one compilation
    assert res.n_evals == 64 and res.table.batch.tolist() == np.repeat(np.arange(8), 8).tolist()
    assert gd_rate(res.best["lr"]) <= 1.1 * RHO_OPT
    assert res.best_value <= 1.1 * RHO_OPT


DIAG = [[1.0, 0.0], [0.0, 10.0]]


def test_steps_objective_has_closed_forms():
    # diag(1, 10) from x0 = (1, 1), x* = 0. lr = 0.1 zeroes the lambda = 10 mode in one step,
    # then e_k = 0.9^k while e_0 = sqrt 2: e_k <= 1e-3 e_0 first at k = ceil(log(1.414e-3) /
    # log 0.9) = 63. lr = 0.01 contracts by 0.99 at best: 1e-3 needs > 600 steps: not
    # reached in 100. lr = 0.5: the lambda = 10 mode grows by |1 - 5| = 4; the bound
    # 1e8 * sqrt 2 is first passed at 4^14 = 2.7e8 (4^13 = 6.7e7): diverged at 14.
    p = quadratic(DIAG, x0=[1.0, 1.0])
    res = grid_search("gd", p, {"lr": [0.1, 0.01, 0.5]}, steps=100, objective="steps",
                      tol=1e-3)
    t = res.table
    assert t.status.tolist() == ["ok", "not_reached", "diverged"]
    assert t.value[0] == int(np.ceil(np.log(1e-3 * np.sqrt(2)) / np.log(0.9))) == 63
    assert t.value[1:].isna().all()
    assert t.diverged_at[2] == 14 and t.diverged_at[:2].isna().all()
    assert res.best == {"lr": 0.1} and res.best_value == 63


def test_two_dimensional_grid_reaches_the_method():
    # Heavy ball on diag(1, 10) in optax's form v <- g + beta v, x <- x - lr v: each row's
    # final loss equals a plain numpy loop with that (lr, beta), so beta reached the method.
    p = quadratic(DIAG, x0=[1.0, 1.0])
    res = grid_search("momentum", p, {"lr": [0.05, 0.1], "beta": [0.0, 0.5]}, steps=30)
    t = res.table
    assert t[["lr", "beta"]].values.tolist() == [[0.05, 0.0], [0.05, 0.5], [0.1, 0.0],
                                                 [0.1, 0.5]]
    A = np.array(DIAG)
    for _, row in t.iterrows():
        x, v = np.ones(2), np.zeros(2)
        for _ in range(30):
            v = A @ x + row.beta * v
            x = x - row.lr * v
        assert row.value == pytest.approx(0.5 * x @ A @ x, rel=1e-10)
    assert res.best == dict(t.loc[res.best_index, ["lr", "beta"]])
    # beta = 0 is GD; at lr = 0.1 the lambda = 10 mode dies in one step and the final loss
    # (objective "final_loss", f* = 0) is 0.5 * 1 * (0.9^30)^2.
    assert t.value[2] == pytest.approx(0.5 * 0.81 ** 30, rel=1e-10)


def test_same_seed_same_table():
    p = quadratic(DIAG, x0=[1.0, 1.0])
    space = {"lr": ("log", 1e-3, 0.5)}
    a = random_search("gd", p, space, n_trials=8, steps=30, seed=3)
    b = random_search("gd", p, space, n_trials=8, steps=30, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    # the candidates are numpy's default_rng(seed) log-uniform draws
    want = np.exp(np.random.default_rng(3).uniform(np.log(1e-3), np.log(0.5), 8))
    np.testing.assert_allclose(a.table.lr, want, rtol=1e-15)
    # Bayes: a ragged last round (5 = 3 + 2) is padded for the compiled call, not recorded.
    a = bayes_search("gd", p, space, n_trials=5, batch_size=3, steps=30, seed=3)
    b = bayes_search("gd", p, space, n_trials=5, batch_size=3, steps=30, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table.batch.tolist() == [0, 0, 0, 1, 1]
    assert a.table.budget_evals.tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("call,match", [
    (lambda: grid_search("gd", P20, {}), "grid must be a non-empty dict"),
    (lambda: grid_search("gd", P20, {"lr": []}), r"grid\['lr'\] is empty"),
    (lambda: grid_search("gd", P20, {"lr": [0.1, -0.1]}), "learning rates must be positive"),
    (lambda: grid_search("gd", P20, {"lr": [0.1]}, objective="loss"), "objective must be"),
    (lambda: grid_search("gd", P20, {"lr": [0.1]}, steps=1), "steps must be an integer >= 2"),
    (lambda: grid_search("gdd", P20, {"lr": [0.1]}), "unknown method name='gdd'"),
    (lambda: grid_search("gd", P20, {"lr": [0.1]}, measure="x"), "measure='x' is not one of"),
    (lambda: grid_search("gd", P20, {"lr": [0.1]}, objective="steps", tol=2.0),
     "tol must be in"),
    (lambda: grid_search("gd", P20, {"lr": [0.1], "beta": [0.9]}), "has no hyperparameters"),
    (lambda: random_search("gd", P20, {"lr": ("log", 1.0, 0.1)}), "need finite lo < hi"),
    (lambda: random_search("gd", P20, {"lr": ("log", 0.0, 1.0)}), "range must be positive"),
    (lambda: random_search("gd", P20, {"lr": ("cubic", 0.1, 1.0)}), "kind must be one of"),
    (lambda: random_search("gd", P20, {"lr": ("log", 0.1, 1.0)}, n_trials=0),
     "n_trials must be an integer >= 1"),
    (lambda: bayes_search("gd", P20, {"lr": ("log", 0.1, 1.0)}, batch_size=0),
     "batch_size must be an integer >= 1"),
])
def test_searches_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_stochastic_search_draws_its_own_mini_batches_per_evaluation():
    # Two evaluations of the same lr on a noisy quadratic see different noise (evaluation i
    # uses fold_in(key(seed), i)), so their final losses differ; the same seed repeats them.
    p = noisy(quadratic(DIAG, x0=[1.0, 1.0]), 0.1)
    a = grid_search("gd", p, {"lr": [0.1, 0.1]}, steps=20, seed=0)
    b = grid_search("gd", p, {"lr": [0.1, 0.1]}, steps=20, seed=0)
    assert a.table.value[0] != a.table.value[1]
    pd.testing.assert_frame_equal(a.table, b.table)
    # One draw of f(x_20) = 0.5 sum_i lambda_i z_i^2, z_i = m_i + xi_i: m = 0.9^20 = 0.122 for
    # lambda = 1 (0 for lambda = 10), Var xi_i = sigma^2 lr^2 sum_j (1 - lr lambda_i)^{2j} =
    # 5.2e-4 and 1e-4, so E f = 0.5 (0.81^20 + 5.2e-4 + 10 * 1e-4) = 8.15e-3. Even a 3-sigma
    # draw of xi_1 (|z_1| >= 0.122 - 3 * 0.023) keeps f within a factor 10 of E f.
    m1 = 0.9 ** 20
    v1 = 0.1 ** 2 * 0.1 ** 2 * (1 - 0.81 ** 20) / (1 - 0.81)
    mean_f = 0.5 * (m1 ** 2 + v1 + 10 * 0.1 ** 2 * 0.1 ** 2)
    assert mean_f == pytest.approx(8.15e-3, rel=1e-3)
    vals = a.table.value.to_numpy(dtype=float)
    assert np.all((vals > mean_f / 10) & (vals < mean_f * 10))
