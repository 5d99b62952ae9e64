r"""Learning-rate sweeps: grids of runs as one compiled program -> a tidy DataFrame.

``sweep`` runs every combination of problem x method x schedule x learning rate x
hyperparameter value x seed and returns one table row per run. Each (problem, method,
schedule) triple is **one** ``jit(vmap(scan))`` (:func:`lrtheory.run.batched`): the learning
rate, the method's extra hyperparameters and the schedule's parameters enter the compiled
program as arrays, so 8 or 4096 learning rates compile once. Runs are processed in chunks
sized to a memory budget (the last chunk is padded to the chunk size, so it reuses the
program), reduced on the device (only the error sequence the estimator needs and a few
scalars are copied to the host, unless trajectories are asked for), cached on disk and
optionally spread over a Dask cluster. It runs on JAX's default device: a GPU when JAX sees
one (there, float32 is worth it; see ``dtype``).

Example:
  >>> import lrtheory as lrt
  >>> from lrtheory.sweep import sweep, logspace
  >>> p = lrt.problems.quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
  >>> t = sweep("gd", p, lrs=[0.1, 0.3], steps=50, progress=False)
  >>> t[["lr", "status", "diverged_at", "regime"]].values.tolist()
  [[0.1, 'ok', <NA>, 'linear'], [0.3, 'diverged', 28, 'diverged']]
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from .._checks import check_blowup, check_lrs, check_record_every, check_seeds, check_steps
from ._cache import CacheWarning, ChunkCache
from ._engine import execute, make_progress, plan_groups, rate_text, starts_for
from ._inputs import check_problems, logspace, method_specs, schedule_specs
from ._table import TRAJ_SCHEMA, finalise, schema

__all__ = ["sweep", "logspace", "starts_for", "CacheWarning"]

_DEFAULT_BUDGET = 1 << 30


def sweep(method_factory, problems, lrs, seeds=1, schedules=None, steps: int = 1000, *,
          hyper=None, x0="default", stochastic: bool = False, dtype: str = "float64",
          measure: str = "auto", tol: float = 1e-6, trajectories=None, cache_dir=None,
          chunk_size: int | None = None, memory_budget: int = _DEFAULT_BUDGET,
          executor="local", progress: bool = True, blowup: float | None = None,
          record_every: int | str = 1) -> pd.DataFrame:
    r"""Run a grid of optimiser runs and tabulate how each converged.

    One row per (problem, method, schedule, learning rate, hyperparameter values, seed),
    in that nesting order (seed fastest). Columns: ``problem``, ``problem_key``,
    ``method``, ``schedule``, one column per hyperparameter / schedule parameter, ``lr``,
    ``seed``, ``status`` (``"ok"`` / ``"diverged"``), ``diverged_at``, ``final_f``
    (:math:`f(x_T)`), ``final_error`` (:math:`e_T`), ``error_measure``, ``steps_to_tol``
    (first :math:`k` with :math:`e_k \le \mathrm{tol}\cdot e_0`), then the columns of the
    order estimate (:mod:`lrtheory.estimate`). Numbers are finite or ``<NA>``, never NaN;
    see :mod:`lrtheory.sweep._table` for when each is ``<NA>``.

    Args:
      method_factory: a registry name (``"adam"``), a callable ``lr -> Method | optax
        transformation`` (taking the extra hyperparameters of ``hyper`` as keyword
        arguments), a tuple ``(either, hyper_dict)``, or a dict ``{label: any of these}``.
      problems: a :class:`~lrtheory.problems.Problem` or a list of them.
      lrs: learning rates, positive and finite (with a schedule: its peak value).
      seeds: an int ``n`` (seeds ``0..n-1``) or a list of distinct ints. Seed ``s`` has
        the keys ``(kx, kb) = lrtheory.run.keys_for_seed(s)`` (as in ``find_lr``): the start
        is ``x0_sampler(kx)`` when ``x0="random"``, the mini-batch key of
        ``lrtheory.run`` is ``kb`` when ``stochastic``; otherwise seeds only repeat the
        run.
      schedules: ``None`` (constant ``lr``) or ``{label: builder}`` with ``builder(lr,
        **params) -> schedule``, a registered schedule name (``lr`` is its ``lr0`` or
        ``lr_max``), or ``(builder or name, {param: values})`` to sweep its parameters.
      steps: iterations per run, ``>= 1``.
      hyper: ``{name: values}`` extra hyperparameters swept for every method.
      x0: ``"default"`` (``problem.x0``), ``"random"`` (per seed, see ``seeds``) or an array.
      stochastic: mini-batch gradients (needs ``problem.batch_grad``).
      dtype: ``"float64"`` (default) or ``"float32"`` (opt-in for throughput; runs with
        JAX's 64-bit mode off and ``default_matmul_precision("highest")``, because GPU
        float32 matmuls default to TF32, too coarse for order estimation).
      measure: the error :math:`e_k` (``"auto"``: :func:`lrtheory._vocab.resolve_measure`,
        the distance to ``x_star`` when known, else :math:`f - f^\star` when ``f_star``
        is, else the gradient norm; or ``"dist"``, ``"f"``, ``"grad"``, ``"step"``).
      tol: relative tolerance of ``steps_to_tol``.
      trajectories: a path: write every run's full trajectory there as parquet (long
        format, ``run`` = the table's index, columns of :data:`TRAJ_SCHEMA`).
      cache_dir: directory of the chunk cache (``None``: no cache). See *Cache*.
      chunk_size: runs per chunk (default: as many as ``memory_budget`` bytes allow).
      memory_budget: bytes one chunk may use on the device (estimated from the records
        and the optimiser state).
      executor: ``"local"``, ``"dask"`` (the current ``dask.distributed`` client) or a
        ``distributed.Client``: chunks run on its workers and land in the same cache.
      progress: show a rich progress bar over chunks (with runs/s).
      blowup: divergence bound of :func:`lrtheory.run` (default its own).
      record_every: ``k`` (a divisor of ``steps``) or ``"final"``, as in
        :func:`lrtheory.run`: only iterates ``0, k, 2k, .., steps`` are recorded, and
        steps in between compute neither :math:`f` nor a full-batch gradient. The
        estimator then sees every ``k``-th error (a linear rate ``C`` per step reads as
        ``C**k``), and ``steps_to_tol`` is the first *recorded* iterate that meets it.
    Returns:
      A ``pandas.DataFrame`` (``RangeIndex``); ``attrs`` holds ``chunks``, ``cache_hits``.

    Cache: a chunk is keyed by sha256 of (a) the text of the jaxpr of the compiled
    per-chunk program and the bytes of every constant it closes over, (b)
    ``problem.key``, the labels, ``steps``, ``dtype``, the estimator settings, the chunk
    size, ``lrtheory.__version__``, ``jax.__version__`` and a digest of lrtheory's own
    files (a cached row holds the estimator's columns, so a changed estimator or table
    never reads rows it did not write), and (c) the chunk's
    learning rates, hyperparameter values, seeds and start points. Hashing the jaxpr
    rather than the Python factory is the robust choice: closures, lambdas and optax
    transformations have no stable identity across processes, but what they compute is
    exactly the traced program, and any hyperparameter they close over appears in it as
    a literal or a constant. Finished chunks are written atomically (temporary file +
    ``os.replace``), so a killed sweep resumes by redoing at most the chunks in flight;
    an unreadable or inconsistent cache file raises :class:`CacheWarning` naming it and
    is recomputed; failures are never cached. A cache directory that cannot be written
    gives a :class:`CacheWarning` (not an error): cached chunks there are still read,
    the rest is computed without caching.

    Raises:
      ValueError / TypeError: naming the argument, for empty or non-positive ``lrs``,
        ``seeds <= 0``, ``steps < 1``, unknown method or schedule names, a method that
        does not apply to a problem, and the like.

    Example:
      >>> import lrtheory as lrt
      >>> p = lrt.problems.quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> t = sweep({"gd": "gd", "hb": ("momentum", {"beta": [0.5]})}, p,
      ...           lrs=logspace(0.01, 0.1, 2), steps=100, progress=False)
      >>> for row in t[["method", "beta", "lr", "status", "steps_to_tol"]].values.tolist():
      ...     print(row)
      ['gd', <NA>, 0.01, 'ok', <NA>]
      ['gd', <NA>, 0.1, 'ok', <NA>]
      ['hb', 0.5, 0.01, 'ok', <NA>]
      ['hb', 0.5, 0.1, 'ok', 40]

    References:
      Kingma & Ba (2015) for Adam; Smith (2017) for learning-rate range studies.
    """
    from .. import __version__
    from ..run import DEFAULT_BLOWUP

    lrs = check_lrs(lrs)
    seeds = np.asarray(check_seeds(seeds), np.int64)
    steps = check_steps(steps)
    every = check_record_every(record_every, steps)
    problems = check_problems(problems)
    mspecs = method_specs(method_factory, hyper)
    sspecs = schedule_specs(schedules)
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got dtype={dtype!r}")
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0; got tol={tol!r}")
    blowup = check_blowup(DEFAULT_BLOWUP if blowup is None else blowup)
    if not (isinstance(memory_budget, (int, np.integer)) and memory_budget > 0):
        raise ValueError(f"memory_budget must be a positive integer (bytes); "
                         f"got memory_budget={memory_budget!r}")
    keep = trajectories is not None
    groups = plan_groups(problems, mspecs, sspecs, lrs, seeds, x0=x0, steps=steps,
                         dtype=dtype, stochastic=bool(stochastic), measure=measure,
                         tol=float(tol), blowup=float(blowup), keep=keep,
                         chunk_size=chunk_size, memory_budget=int(memory_budget),
                         version=__version__, record_every=every)
    cache = ChunkCache(cache_dir)

    chunks = [(gi, i0, i1) for gi, g in enumerate(groups) for i0, i1 in g.chunks()]
    results: list = [None] * len(chunks)
    keys = [groups[gi].chunk_key(i0, i1) if cache.path is not None else None
            for gi, i0, i1 in chunks]
    for c, (gi, i0, i1) in enumerate(chunks):
        if keys[c] is not None:
            results[c] = cache.read(keys[c], schema(groups[gi]), i1 - i0,
                                    TRAJ_SCHEMA if keep else None,
                                    (i1 - i0) * (steps // every + 1))
    hits = sum(r is not None for r in results)
    todo = [c for c, r in enumerate(results) if r is None]

    with make_progress(progress) as bar:
        task = bar.add_task("sweep", total=len(chunks), completed=hits, rate="")
        t0, done_runs = time.perf_counter(), 0
        for pos, result in execute(executor, groups, [chunks[c] for c in todo]):
            c = todo[pos]
            if keys[c] is not None:
                cache.write(keys[c], result)
            results[c] = result
            done_runs += chunks[c][2] - chunks[c][1]
            bar.update(task, advance=1, rate=rate_text(done_runs, t0))

    params: list[str] = []
    for g in groups:
        params += [k for k in g.param_names if k not in params]
    table = finalise([r.rows for r in results], params)
    if keep:
        _write_trajectories(results, chunks, trajectories)
    table.attrs.update(chunks=len(chunks), cache_hits=hits)
    return table


def _write_trajectories(results, chunks, path) -> None:
    offset, frames = 0, []
    for r, (_, i0, i1) in zip(results, chunks, strict=True):
        f = r.traj.copy()
        f["run"] += offset
        frames.append(f)
        offset += i1 - i0
    out = pd.concat(frames, ignore_index=True).astype(TRAJ_SCHEMA)
    tmp = f"{os.fspath(path)}.{os.getpid()}.tmp"
    out.to_parquet(tmp, index=False)
    os.replace(tmp, path)
