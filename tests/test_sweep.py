"""sweep(): the table against per-run results and closed forms, one compilation per
structure, the no-NaN rule, determinism, schedules, float32 and bad input."""

import dataclasses
import math

import jax
import numpy as np
import optax
import pandas as pd
import pytest

import lrtheory as lrt
from lrtheory import methods, schedules
from lrtheory.estimate import estimate_order
from lrtheory.problems import from_expr, quadratic
from lrtheory.sweep import logspace, sweep

DIAG = [[1.0, 0.0], [0.0, 10.0]]  # L = 10, mu = 1: GD is stable iff lr < 2/L = 0.2
X2 = quadratic([[2.0]], x0=[1.0])  # f = x^2: GD multiplies x by (1 - 2 lr) each step
EST_FIELDS = ["regime", "q", "q_lo", "q_hi", "q_coc", "rate", "rate_lo", "rate_hi", "p",
              "p_lo", "p_hi", "A", "growth", "limit", "period", "window_first",
              "window_last", "n_used", "reason"]


def _na(v):
    return None if v is pd.NA else v


def _per_run(p, row, steps):
    x0 = p.x0_sampler(jax.random.split(jax.random.key(int(row.seed)))[0])
    return lrt.run(methods.get(row.method, lr=float(row.lr)), p, steps, x0=np.asarray(x0))


def test_rows_equal_per_run_results_exactly():
    # Each row must be what lrt.run + estimate_order give for that configuration. On a
    # 2-D quadratic the batched program does the same floating-point operations in the
    # same order as the single run (dot products of length 2), so equality is exact.
    # (In d = 20 a batched GEMM sums in another order than a mat-vec: ~1e-15 apart.)
    quad = quadratic(DIAG, x0=[1.0, 1.0])
    lrs = [1e-3, 0.05, 0.15, 0.25]  # 0.25 > 2/L diverges
    steps, tol = 300, 1e-6
    table = sweep({"gd": "gd", "adam": "adam"}, quad, lrs, seeds=2, x0="random",
                  steps=steps, tol=tol, progress=False)
    assert len(table) == 2 * 4 * 2
    assert (table.status == "diverged").any() and (table.status == "ok").any()
    for i in [1, 6, 9, 12]:  # gd/adam, seeds 0/1, diverged (row 6) and not
        row = table.iloc[i]
        tr = _per_run(quad, row, steps)
        assert row.status == ("diverged" if tr.diverged else "ok")
        assert _na(row.diverged_at) == (tr.diverged_at if tr.diverged else None)
        if not tr.diverged:
            assert row.final_f == tr.f[-1] and row.final_error == tr.dist[-1]
        e = tr.dist[: tr.n_valid]
        hit = np.nonzero(e <= tol * e[0])[0]
        assert _na(row.steps_to_tol) == (int(hit[0]) if hit.size else None)
        want = estimate_order(tr).as_row()
        for name in EST_FIELDS:
            if name == "growth" and tr.diverged:
                # estimate_order(traj) fits the truncated sequence, estimate_orders (what
                # the sweep calls on its (n, T+1) batch) the full row with records from
                # diverged_at on masked: the least-squares sums differ in the last bit.
                assert row[name] == pytest.approx(want[name], rel=4e-16), i
                continue
            assert _na(row[name]) == _na(want[name]), (i, name)


def test_rows_match_per_run_results_on_a_nonquadratic_problem():
    # Rosenbrock in 2-D: XLA fuses the elementwise polynomial differently in the batched
    # and the single-run program (measured: final f differs by 0 to 7e-16 relative after
    # 300 steps), so here values agree to rtol 1e-12 (a thousand times that) and the
    # estimator reads the same regime.
    banana = from_expr("100*(y - x**2)**2 + (1 - x)**2", x0=[-1.2, 1.0], x_star=[1.0, 1.0],
                       name="rosenbrock2")
    banana = dataclasses.replace(banana, x0_sampler=lambda k: jax.random.uniform(
        k, (2,), minval=-1.5, maxval=1.5))
    table = sweep({"gd": "gd", "adam": "adam"}, banana, [1e-3, 0.05], seeds=2, x0="random",
                  steps=300, progress=False)
    assert table.status.tolist() == ["ok"] * 2 + ["diverged"] * 2 + ["ok"] * 4
    for _, row in table.iloc[[1, 2, 5]].iterrows():
        tr = _per_run(banana, row, 300)
        assert _na(row.diverged_at) == (tr.diverged_at if tr.diverged else None)
        if not tr.diverged:
            assert row.final_f == pytest.approx(tr.f[-1], rel=1e-12)
            assert row.final_error == pytest.approx(tr.dist[-1], rel=1e-12)
        assert row.regime == estimate_order(tr).regime


def test_one_compilation_for_8_or_512_learning_rates():
    # The factory runs in Python only while JAX traces it; concrete calls (the up-front
    # applicability check) receive floats. One trace per structure, whatever the grid.
    traces = []

    def factory(lr):
        if isinstance(lr, jax.core.Tracer):
            traces.append(1)
        return optax.sgd(lr)

    counts = []
    for n, chunk in [(8, None), (512, None), (512, 100)]:  # 100 -> 6 chunks, last padded
        traces.clear()
        lrs = logspace(1e-3, 0.99, n)
        t = sweep(factory, X2, lrs, steps=20, chunk_size=chunk, progress=False)
        counts.append(len(traces))
        # x_20 = (1 - 2 lr)^20 x_0, x* = 0: 20 roundings of a product -> rtol 1e-13
        np.testing.assert_allclose(t.final_error.to_numpy(float), np.abs(1 - 2 * lrs) ** 20,
                                   rtol=1e-13)
        assert t.method.iloc[0] == "factory" and t.attrs["chunks"] == -(-n // (chunk or n))
    assert counts == [1, 1, 1]


def test_diverging_learning_rates_status_and_no_nan():
    # From x0 = (0, 1) only the lambda = 10 mode moves, by the factor |1 - 10 lr| per step.
    # It leaves the bound 1e8 at the first k with |1 - 10 lr|^k > 1e8: lr = 0.3 (factor 2)
    # at k = 27, lr = 1.0 (factor 9) at k = 9 (9^8 = 4.3e7 < 1e8 < 9^9). lr = 0.21 (factor
    # 1.1) would need k = 194 > 60 steps: the run stays bounded ("ok") but the estimator
    # reads its growth: regime "diverged", growth 1.1.
    p = quadratic(DIAG, x0=[0.0, 1.0])
    lrs = [0.05, 0.1, 0.19, 0.21, 0.3, 1.0]
    t = sweep("gd", p, lrs, steps=60, progress=False)
    assert list(t.status) == ["ok"] * 4 + ["diverged"] * 2
    assert [_na(v) for v in t.diverged_at] == [None] * 4 + [27, 9]
    assert t.final_f.isna().tolist() == [False] * 4 + [True] * 2
    assert t.regime.iloc[3] == "diverged"
    assert t.growth.iloc[3] == pytest.approx(1.1, rel=1e-12)  # exact powers of 1.1
    assert t.regime.iloc[4] == t.regime.iloc[5] == "diverged"
    # lr = 0.1 kills the only moving mode in one step: e_1 = 0 <= tol e_0.
    assert t.steps_to_tol.iloc[1] == 1
    for name, col in t.items():
        if isinstance(col.dtype, (pd.Float64Dtype, pd.Int64Dtype)):
            assert np.all(np.isfinite(col.to_numpy(dtype=float, na_value=0.0))), name
        else:
            # nullable flags (the estimator's ratio_to_zero) are "boolean"
            assert col.dtype in ("string", "int64", "boolean"), name


def test_same_call_twice_is_bitwise_identical(tmp_path, capsys):
    kw = dict(method_factory={"adam": "adam", "nesterov": ("nesterov", {"beta": [0.5, 0.9]})},
              problems=quadratic(dim=5, cond=20.0, seed=2), lrs=logspace(1e-3, 0.3, 6),
              seeds=2, x0="random", steps=80)
    a = sweep(**kw, progress=False)
    # computed afresh (new program, the cache is empty), then read back from the cache
    c = sweep(**kw, cache_dir=tmp_path, progress=True)
    d = sweep(**kw, cache_dir=tmp_path, progress=False)
    assert c.attrs["cache_hits"] == 0 and d.attrs["cache_hits"] == d.attrs["chunks"] == 2
    pd.testing.assert_frame_equal(a, c, check_exact=True)
    pd.testing.assert_frame_equal(a, d, check_exact=True)
    assert "sweep" in capsys.readouterr().out  # the rich progress bar when asked for


def test_schedule_parameters_and_trajectories(tmp_path):
    # GD with lr_k = lr0 exp(-d k) on f = x^2: x_T = prod_{k<T} (1 - 2 lr0 exp(-d k)).
    # Decay constants are arrays of one program: the builder is traced once.
    traces = []

    def builder(lr, d):
        if isinstance(lr, jax.core.Tracer):
            traces.append(1)
        return schedules.exponential(lr, d)

    ds, lrs, T = [0.0, 0.1, 0.5], [0.05, 0.2], 25
    out = tmp_path / "traj.parquet"
    t = sweep("gd", X2, lrs, schedules={"exp": (builder, {"d": ds}),
                                        "cosine": ("cosine", {"T": [T]})},
              steps=T, trajectories=out, progress=False)
    assert len(traces) == 1
    exp = t[t.schedule == "exp"]
    want = [abs(math.prod(1 - 2 * lr * math.exp(-d * k) for k in range(T)))
            for lr in lrs for d in ds]
    # 25 roundings in the product and in exp -> rtol 1e-13
    np.testing.assert_allclose(exp.final_error.to_numpy(float), want, rtol=1e-13)
    assert exp["T"].isna().all() and t[t.schedule == "cosine"]["d"].isna().all()
    traj = pd.read_parquet(out)
    assert len(traj) == len(t) * (T + 1)
    row = exp.index[exp.d.to_numpy(float) == 0.5][1]  # lr0 = 0.2, d = 0.5
    lr_k = traj[traj.run == row].lr.to_numpy(float)[:T]
    np.testing.assert_allclose(lr_k, 0.2 * np.exp(-0.5 * np.arange(T)), rtol=1e-14)
    # the trajectory file's last record is the table's final error
    last = traj[traj.k == T].dist.to_numpy(float)
    np.testing.assert_array_equal(last, t.final_error.to_numpy(float))


def test_custom_factory_with_keyword_hyperparameters_and_stochastic_keys():
    # f = |x|^2/2 in 2-D with mini-batch gradient x + 0.1 z(key); rows must equal
    # lrt.run with key = split(key(seed))[1] bit for bit (elementwise arithmetic only).
    base = quadratic([[1.0, 0.0], [0.0, 1.0]], x0=[1.0, -1.0])
    noisy = dataclasses.replace(base, batch_grad=lambda x, k: x + 0.1 * jax.random.normal(
        k, (2,)))
    t = sweep(lambda lr, beta: optax.sgd(lr, momentum=beta), noisy, [0.1, 0.3], seeds=[3, 7],
              hyper={"beta": [0.0, 0.5]}, stochastic=True, steps=40, progress=False)
    assert list(t.columns[:7]) == ["problem", "problem_key", "method", "schedule", "beta",
                                   "lr", "seed"]
    assert t.seed.tolist() == [3, 7] * 4
    for _, row in t.iloc[[0, 3, 6]].iterrows():
        key = jax.random.split(jax.random.key(int(row.seed)))[1]
        tr = lrt.run(optax.sgd(float(row.lr), momentum=float(row.beta)), noisy, 40, key=key)
        assert row.final_error == tr.dist[-1] and row.final_f == tr.f[-1]
    # different seeds, different noise
    assert t.final_error.iloc[0] != t.final_error.iloc[1]


def test_float32_is_computed_in_float32_and_agrees_with_float64(tmp_path):
    p = quadratic(DIAG, x0=[1.0, 1.0])
    kw = dict(method_factory="gd", problems=p, lrs=[0.05, 0.15], steps=100, progress=False)
    t32 = sweep(**kw, dtype="float32", trajectories=tmp_path / "t.parquet")
    t64 = sweep(**kw)
    f = pd.read_parquet(tmp_path / "t.parquet").f.to_numpy(float)
    np.testing.assert_array_equal(f.astype(np.float32), f)  # every value a float32
    # e_100 ~ 0.95^100 and 0.85^100; 100 float32 roundings of ~6e-8 each -> rtol 1e-5
    np.testing.assert_allclose(t32.final_error.to_numpy(float),
                               t64.final_error.to_numpy(float), rtol=1e-5)
    assert (t32.rate.to_numpy(float) == pytest.approx([0.95, 0.85], rel=1e-5))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lrs": []}, "lrs"),
    ({"lrs": [0.1, -0.1]}, "lrs"),
    ({"lrs": [0.0]}, "lrs"),
    ({"lrs": [float("nan")]}, "lrs"),
    ({"seeds": 0}, "seeds"),
    ({"seeds": [1, 1]}, "seeds"),
    ({"steps": 0}, "steps"),
    ({"method_factory": "adamm"}, "method_factory='adamm'"),
    ({"schedules": {"s": "no_such"}}, "no_such"),
    ({"hyper": {"beta": [0.5]}}, "hyper"),
    ({"x0": "random"}, "x0"),
    ({"dtype": "float16"}, "dtype"),
    ({"measure": "f", "method_factory": "gd"}, None),
    ({"stochastic": True}, "stochastic"),
    ({"chunk_size": 0}, "chunk_size"),
    ({"executor": "threads"}, "executor"),
])
def test_bad_input_names_the_argument(kwargs, match):
    p = quadratic(DIAG, x0=[1.0, 1.0])
    p = dataclasses.replace(p, x0_sampler=None)
    args = {"method_factory": "gd", "problems": p, "lrs": [0.1], "steps": 5,
            "progress": False, **kwargs}
    if match is None:  # measure="f" is valid here: f_star is known. A sanity contrast.
        assert sweep(**args).error_measure.iloc[0] == "f"
        return
    with pytest.raises(ValueError, match=match):
        sweep(**args)


def test_logspace_ends_and_ratio():
    v = logspace(1e-4, 1.0, 5)
    assert v[0] == 1e-4 and v[-1] == 1.0
    np.testing.assert_allclose(v[1:] / v[:-1], 10.0, rtol=1e-14)  # a decade per step
    with pytest.raises(ValueError, match="lo"):
        logspace(0.0, 1.0, 3)
    with pytest.raises(ValueError, match="n"):
        logspace(1e-3, 1.0, 0)


def test_record_every_in_iterates_with_the_rate_per_record(tmp_path):
    # GD with lr = 1/4 on f = x^2 maps x to x/2: e_k = 2^-k exactly. tol = 1e-6 is first
    # met at k = 20 (2^-20 = 9.5e-7 <= 1e-6 < 2^-19). Recording every 3rd iterate, the
    # first *recorded* iterate meeting it is k = 21; the records contract by 2^-3 = 0.125
    # each, the rate the estimator reports.
    path = tmp_path / "traj.parquet"
    t = sweep("gd", X2, [0.25], steps=60, tol=1e-6, record_every=3, trajectories=path,
              progress=False)
    assert t.steps_to_tol.iloc[0] == 21 and t.regime.iloc[0] == "linear"
    assert abs(t.rate.iloc[0] - 0.125) < 1e-12
    assert t.final_error.iloc[0] == 2.0 ** -60
    traj = pd.read_parquet(path)
    assert traj.k.tolist() == list(range(0, 61, 3))
    assert traj.dist.tolist() == [2.0 ** -k for k in range(0, 61, 3)]
    every1 = sweep("gd", X2, [0.25], steps=60, tol=1e-6, progress=False)
    assert every1.steps_to_tol.iloc[0] == 20
    final = sweep("gd", X2, [0.25], steps=60, record_every="final", progress=False)
    assert final.final_error.iloc[0] == 2.0 ** -60
