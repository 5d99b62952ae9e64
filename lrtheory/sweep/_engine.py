"""Planning a sweep (groups, grids, starts, chunk sizes) and running its chunks."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from .. import methods as _methods
from ..problems import Problem, as_x
from ..run import keys_for_seed
from ..trajectory import measure_for
from ._group import ChunkResult, Group, precision, run_chunk
from ._inputs import MethodSpec, ScheduleSpec

__all__ = ["plan_groups", "execute", "make_progress", "starts_for"]

# Bytes a run needs beyond its records, per state element: state, proposal and the
# `where` that freezes diverged runs each hold a copy.
_STATE_COPIES = 4
# Per-step records a run may stack: f, grad_norm, dist, step_norm, lr, the error sequence
# and the output copy; trajectories add the host copies.
_RECORDS, _RECORDS_KEEP = 5, 9


def starts_for(problem: Problem, x0, seeds: np.ndarray) -> tuple[np.ndarray, bool]:
    """Start points ``(S, dim)`` (float64) and whether they are one per seed.

    Seed ``s`` starts at ``problem.x0_sampler(keys_for_seed(s)[0])`` when ``x0 ==
    "random"`` (:func:`lrtheory.run.keys_for_seed`, as in :func:`lrtheory.tuning.find_lr`);
    its mini-batch key is ``keys_for_seed(s)[1]``.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 4.0]], x0=[1.0, 2.0])
      >>> pts, per_seed = starts_for(p, "random", np.array([0, 1, 2]))
      >>> pts.shape, per_seed
      ((3, 2), True)
      >>> starts_for(p, "default", np.array([0, 1]))[0].tolist()
      [[1.0, 2.0]]
    """
    if isinstance(x0, str):
        if x0 == "default":
            return problem.x0[None, :].astype(np.float64), False
        if x0 != "random":
            raise ValueError(f"x0 must be 'default', 'random' or an array; got x0={x0!r}")
        if problem.x0_sampler is None:
            raise ValueError(f"x0='random' needs a problem with an x0_sampler; "
                             f"{problem.key} has none")
        with precision("float64"):
            keys = jnp.stack([keys_for_seed(int(s))[0] for s in seeds])
            pts = np.asarray(problem.starts(keys), np.float64)
        return pts, True
    return as_x(x0, problem.dim, "x0")[None, :], False


def _probe_method(ms: MethodSpec, ss: ScheduleSpec, problem: Problem, lr: float):
    """Build the method once with concrete first values: early, readable errors."""
    if ms.registry_name is not None:
        ok, why = _methods.applicable(ms.registry_name, problem)
        method = None
    else:
        lr_arg = lr
        if ss.builder is not None:
            lr_arg = ss.builder(lr, **{k: float(v[0]) for k, v in ss.params.items()})
        method = _methods.as_method(ms.factory(lr_arg, **{k: float(v[0])
                                                          for k, v in ms.hyper.items()}))
        ok, why = _methods.applicable(method, problem)
    if not ok:
        raise ValueError(f"method {ms.label!r} does not apply to problem {problem.key}: {why}")
    if method is None:
        method = _methods.get(ms.registry_name, lr=lr,
                              **{k: float(v[0]) for k, v in ms.hyper.items()})
    return method


def _chunk_size(method, problem: Problem, steps: int, dtype: str, keep: bool, n: int,
                chunk_size, memory_budget, every: int = 1) -> int:
    if chunk_size is not None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
                or chunk_size < 1:
            raise ValueError(f"chunk_size must be None or an integer >= 1; "
                             f"got chunk_size={chunk_size!r}")
        return int(min(chunk_size, n))
    item = 4 if dtype == "float32" else 8
    state = jax.eval_shape(method.init, jax.ShapeDtypeStruct((problem.dim,), np.float64))
    n_state = sum(int(np.prod(s.shape)) for s in jax.tree.leaves(state)) + problem.dim
    per_run = item * ((steps // every + 1) * (_RECORDS_KEEP if keep else _RECORDS)
                      + _STATE_COPIES * n_state)
    size = int(max(1, min(n, memory_budget // per_run)))
    n_chunks = -(-n // size)
    return -(-n // n_chunks)  # balanced: every chunk (the last padded) has this size


def plan_groups(problems, mspecs, sspecs, lrs, seeds, *, x0, steps, dtype, stochastic,
                measure, tol, blowup, keep, chunk_size, memory_budget, version,
                record_every: int = 1) -> list[Group]:
    """One :class:`Group` per (problem, method, schedule), rows ordered lr, hyper...,
    schedule params..., seed (seed varies fastest)."""
    groups = []
    for problem in problems:
        if stochastic and problem.batch_grad is None:
            raise ValueError(f"stochastic=True needs problems with a mini-batch gradient; "
                             f"{problem.key} has none")
        meas = measure_for(problem, measure).value
        starts, per_seed = starts_for(problem, x0, seeds)
        for ms, ss in itertools.product(mspecs, sspecs):
            clash = set(ms.hyper) & set(ss.params)
            if clash:
                raise ValueError(f"hyperparameter names {sorted(clash)} of method "
                                 f"{ms.label!r} clash with parameters of schedule "
                                 f"{ss.label!r}")
            method = _probe_method(ms, ss, problem, float(lrs[0]))
            axes = {"lr": lrs, **ms.hyper, **ss.params, "seed": np.arange(seeds.size)}
            mesh = np.meshgrid(*axes.values(), indexing="ij")
            grid = {k: m.reshape(-1) for k, m in zip(axes, mesh, strict=True)}
            pos = grid["seed"]
            grid["seed"] = seeds[pos]
            grid["start"] = pos if per_seed else np.zeros_like(pos)
            n = grid["lr"].size
            chunk = _chunk_size(method, problem, steps, dtype, keep, n, chunk_size,
                                memory_budget, record_every)
            groups.append(Group(problem, ms, ss, grid, starts, steps, dtype, stochastic, meas,
                                tol, blowup, keep, chunk, version, record_every))
    return groups


def make_progress(enabled: bool):
    """A rich progress bar over chunks (runs/s in the text column); inert when disabled."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                    TimeRemainingColumn(), disable=not enabled)


def _dask_client(executor):
    try:
        from distributed import Client, get_client
    except ImportError as e:  # pragma: no cover - dask[distributed] is a dependency
        raise ValueError("executor='dask' needs dask.distributed installed") from e
    if isinstance(executor, Client):
        return executor
    try:
        return get_client()
    except ValueError as e:
        raise ValueError("executor='dask' needs a running dask.distributed Client (e.g. "
                         "Client(LocalCluster())) or pass the Client as executor=") from e


def execute(executor, groups: list[Group], todo: list[tuple[int, int, int]]
            ) -> Iterator[tuple[int, ChunkResult]]:
    """Run chunks ``(group index, i0, i1)``; yield ``(position in todo, result)`` as they
    finish (in order locally, in completion order on Dask)."""
    if isinstance(executor, str) and executor == "local":
        for pos, (gi, i0, i1) in enumerate(todo):
            yield pos, run_chunk(groups[gi], i0, i1)
        return
    if isinstance(executor, str) and executor != "dask":
        raise ValueError(f"executor must be 'local', 'dask' or a dask.distributed Client; "
                         f"got executor={executor!r}")
    from distributed import as_completed

    client = _dask_client(executor)
    # One copy of each group per worker, so its compiled program is built once per worker.
    remote = {gi: client.scatter(groups[gi], broadcast=True, hash=False)
              for gi in sorted({gi for gi, _, _ in todo})}
    futures = {client.submit(run_chunk, remote[gi], i0, i1, pure=False): pos
               for pos, (gi, i0, i1) in enumerate(todo)}
    try:
        for fut, result in as_completed(futures, with_results=True):
            yield futures[fut], result
    finally:
        for fut in futures:
            fut.cancel()


def rate_text(runs: int, since: float) -> str:
    dt = time.perf_counter() - since
    return f"{runs / dt:,.0f} runs/s" if dt > 0 and runs else ""
