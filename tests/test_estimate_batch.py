"""The estimator works on many rows at once (``analyse_many``): a row's estimate must not
depend on which other rows share its batch.

The reference for each row is the row estimated alone (``estimate_order``, a batch of
one). A sweep's rows mostly share one length, so they meet in the same stacked stages
(records, flat tail, the regime detectors, the power law, the transient models, Brent's
refinement, the joint floor fit, the floor and stall levels); rows with floors at
different places make groups of other lengths.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lrtheory.estimate import COLUMNS, estimate_order, estimate_orders


def _sweep_like(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows of one length as a learning-rate sweep makes them: every regime the estimator
    reports, with noise and floors at different places (lengths padded, ``lengths``)."""
    rng = np.random.default_rng(seed)
    k = np.arange(n, dtype=float)
    rows, lengths = [], []

    def add(e, m=n):
        row = np.full(n, np.nan)
        row[:m] = e[:m]
        rows.append(row)
        lengths.append(m)

    lam = np.linspace(0.01, 1.0, 30)                       # a quadratic's eigenvalues
    for lr in (0.05, 0.5, 1.5, 1.9, 2.1):                   # GD: rate max |1 - lr lam|
        add(np.sqrt(((1 - lr * lam[:, None]) ** (2 * k)).sum(axis=0)))
    for r in (0.9, 0.97, 0.99):
        add(r ** k)                                          # geometric
        add((k + 1) * r ** k)                                # a double eigenvalue
        add(r ** k * (1 + 0.5 * 0.5 ** k))                   # a settling transient
        for floor in (1e-4, 1e-7):                           # into a noisy floor
            add((r ** k + floor) * np.exp(0.3 * rng.standard_normal(n)))
    for p in (0.5, 1.0, 2.0):
        add(3.0 * (k + 5) ** -p)                             # sublinear
        add(3.0 * (k + 5) ** -p * np.exp(0.05 * rng.standard_normal(n)))
    add(0.01 + 0.5 * 0.9 ** k)                               # a stall
    add(np.where(k % 2 == 0, 1.0, 0.1))                      # a cycle of period 2
    add(1.05 ** k)                                           # growth
    add(np.exp(3.0 * rng.standard_normal(n)))                # noise, no trend or level
    e = np.empty(n)                                          # Newton: squares the error
    e[0] = 0.5
    for i in range(1, n):
        e[i] = max(e[i - 1] ** 2, 0.0)
    add(e, 12)
    add(np.exp(-(k ** 1.5) / 20), 60)                        # Q-superlinear
    add(np.concatenate([0.9 ** k[:50], np.zeros(n - 50)]))  # finite termination
    add(1.3 ** k, 150)                                       # diverges: overflow later
    for r in (1.2, 1.25):                                    # non-finite at iterate 100
        add(np.where(k < 100, r ** k, np.inf))               # (one stack of growth fits)
    with np.errstate(over="ignore"):                         # super-exponential blow-up
        add(np.where(k < 9, np.exp(2.0 ** k), np.inf))
    return np.array(rows), np.array(lengths)


def _rows_alone(E, lengths):
    return pd.DataFrame([estimate_order(E[i, :m]).as_row()
                         for i, m in enumerate(lengths)]).astype(
        {c: t for c, t in COLUMNS.items() if t != "object"})


def test_rows_in_a_batch_equal_rows_alone():
    E, lengths = _sweep_like()
    df = estimate_orders(E, lengths=lengths)
    # the corpus reaches the stages that stack rows
    assert {"linear", "sublinear", "superlinear", "diverged", "stalled", "oscillating",
            "finite", "undetermined"} <= set(df.regime)
    assert df.model.astype(object).isin(["geometric into a noise floor"]).any()
    alone = _rows_alone(E, lengths)
    pd.testing.assert_frame_equal(df.drop(columns=["rate_limits", "cycle"]),
                                  alone.drop(columns=["rate_limits", "cycle"]),
                                  check_dtype=False, check_exact=True)
    assert list(df.cycle) == list(alone.cycle)


def test_batch_order_and_company_do_not_change_a_row():
    E, lengths = _sweep_like(seed=1)
    df = estimate_orders(E, lengths=lengths)
    perm = np.random.default_rng(2).permutation(len(E))
    shuffled = estimate_orders(E[perm], lengths=lengths[perm])
    pd.testing.assert_frame_equal(shuffled.reset_index(drop=True).drop(columns=["rate_limits"]),
                                  df.iloc[perm].reset_index(drop=True).drop(
                                      columns=["rate_limits"]), check_exact=True)
    # the same rows next to many copies of others (larger stacks in every stage)
    many = estimate_orders(np.concatenate([E, np.repeat(E[:8], 20, axis=0)]),
                           lengths=np.concatenate([lengths, np.repeat(lengths[:8], 20)]))
    pd.testing.assert_frame_equal(many.iloc[:len(E)].drop(columns=["rate_limits"]),
                                  df.drop(columns=["rate_limits"]), check_exact=True)


def test_stages_answered_a_chunk_of_rows_at_a_time_give_the_same_rows(monkeypatch):
    # analyse_many answers a stage's stack STAGE_CHUNK / n rows at a time; with chunks of
    # 3 rows every chunk edge falls inside a group, and the frame is the same
    import lrtheory.estimate._stages as st

    E, lengths = _sweep_like(seed=3)
    df = estimate_orders(E, lengths=lengths)
    monkeypatch.setattr(st, "STAGE_CHUNK", 3 * E.shape[1])
    chunked = estimate_orders(E, lengths=lengths)
    pd.testing.assert_frame_equal(chunked.drop(columns=["rate_limits"]),
                                  df.drop(columns=["rate_limits"]), check_exact=True)


def test_threads_change_no_row(monkeypatch):
    # analyse_many and power_law_many share their chunks of rows among LRTHEORY_THREADS
    # threads (map_rows); every row is a function of itself alone, so the frame is the
    # serial one bit for bit, with 1, 2 or 3 threads and chunks split down to a row
    import threading

    import lrtheory.estimate._fits as fits

    E, lengths = _sweep_like(seed=4)
    E, lengths = np.concatenate([E, E[::-1]]), np.concatenate([lengths, lengths[::-1]])
    monkeypatch.setenv("LRTHEORY_THREADS", "1")
    serial = estimate_orders(E, lengths=lengths)
    names = set()
    rows = fits._power_law_rows

    def spy(K, L, lo):
        names.add(threading.current_thread().name)
        return rows(K, L, lo)

    monkeypatch.setattr(fits, "_power_law_rows", spy)
    monkeypatch.setattr(fits, "SPLIT_MIN", 1)
    for threads in ("2", "3"):
        monkeypatch.setenv("LRTHEORY_THREADS", threads)
        threaded = estimate_orders(E, lengths=lengths)
        pd.testing.assert_frame_equal(threaded, serial, check_exact=True)
    assert any(n.startswith(fits._WORKER) for n in names)   # the pool did the fits


def test_a_forked_child_makes_its_own_threads():
    # a fork copies the thread pool's object but not its threads: without the at-fork
    # reset the child's first threaded stack would wait forever (here: killed at 60 s)
    import subprocess
    import sys

    code = """if True:
        import os, signal, numpy as np
        os.environ["LRTHEORY_THREADS"] = "2"
        from lrtheory.estimate import estimate_orders
        k = np.arange(1000.0)
        E = 0.99 ** k * np.exp(0.1 * np.random.default_rng(0).standard_normal((300, 1000)))
        a = estimate_orders(E)
        pid = os.fork()
        if pid == 0:
            signal.alarm(60)
            b = estimate_orders(E)
            os._exit(0 if a.equals(b) else 3)
        print(os.waitpid(pid, 0)[1])
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0", out.stdout + out.stderr
