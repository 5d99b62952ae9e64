"""One compiled program per (problem, method, schedule): its grid, chunks, key and runs.

A :class:`Group` is picklable (it travels to Dask workers); the traced and compiled
program are kept on the instance, dropped when pickled and rebuilt once per process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.extend import core as jex_core

from .._provenance import source_digest
from ..config import precision  # the numeric context of a run, shared with lrtheory.run
from ..problems import Problem
from ..run import batched, keys_for_seed
from ..trajectory import errors, n_errors
from ._inputs import MethodSpec, ScheduleSpec
from ._table import chunk_frames

__all__ = ["Group", "ChunkResult", "precision", "run_chunk"]


class ChunkResult(NamedTuple):
    """What a chunk produces: its table rows and (when asked for) its trajectories."""

    rows: pd.DataFrame
    traj: pd.DataFrame | None


def _walk_consts(closed, out: list) -> None:
    """Every constant of a closed jaxpr and of the jaxprs nested in its equations."""
    out.extend(closed.consts)
    stack = [closed.jaxpr]
    while stack:
        jaxpr = stack.pop()
        for eqn in jaxpr.eqns:
            for v in eqn.params.values():
                for item in (v if isinstance(v, (tuple, list)) else (v,)):
                    if isinstance(item, jex_core.ClosedJaxpr):
                        out.extend(item.consts)
                        stack.append(item.jaxpr)
                    elif isinstance(item, jex_core.Jaxpr):
                        stack.append(item)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _digest_jaxpr(closed) -> str:
    """sha256 of a jaxpr's text and of the bytes of every constant it closes over."""
    h = hashlib.sha256(_ADDRESS.sub("", str(closed)).encode())
    consts: list = []
    _walk_consts(closed, consts)
    for c in consts:
        a = np.asarray(c)
        h.update(f"{a.dtype}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@dataclasses.dataclass(eq=False)
class Group:
    """The runs of one (problem, method, schedule) triple: a grid of hyperparameter values,
    learning rates and seeds, run ``chunk`` at a time by one compiled ``jit(vmap(scan))``.

    ``grid`` maps ``"lr"``, the hyperparameter and schedule-parameter names and ``"seed"``
    to ``(n,)`` arrays; ``starts`` is ``(S, dim)`` (one start per seed, or one shared
    start) and ``grid["start"]`` indexes it.
    """

    problem: Problem
    method: MethodSpec
    schedule: ScheduleSpec
    grid: dict[str, np.ndarray]
    starts: np.ndarray
    steps: int
    dtype: str
    stochastic: bool
    measure: str
    tol: float
    blowup: float
    keep: bool
    chunk: int
    version: str
    every: int = 1
    _memo: dict = dataclasses.field(default_factory=dict, repr=False)
    _lock: Any = dataclasses.field(default_factory=threading.RLock, repr=False)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_memo"], state["_lock"] = {}, None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ the program
    @property
    def n(self) -> int:
        return int(self.grid["lr"].size)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(self.method.hyper) + tuple(self.schedule.params)

    def chunks(self) -> list[tuple[int, int]]:
        return [(i, min(i + self.chunk, self.n)) for i in range(0, self.n, self.chunk)]

    def build_method(self, lr, **kw):
        """``factory(lr or schedule(lr, **params), **hyper)``: called with traced arrays."""
        hyper = {k: kw[k] for k in self.method.hyper}
        if self.schedule.builder is not None:
            lr = self.schedule.builder(lr, **{k: kw[k] for k in self.schedule.params})
        return self.method.factory(lr, **hyper)

    def _program(self):
        run = batched(self.build_method, self.problem, self.steps, blowup=self.blowup,
                      stochastic=self.stochastic, record_every=self.every)
        measure, tol, keep, every = self.measure, self.tol, self.keep, self.every

        def program(hyper, starts, start_idx, seeds):
            x0 = starts[start_idx]
            keys = None
            if self.stochastic:
                keys = jax.vmap(lambda s: keys_for_seed(s)[1])(seeds)
            t = run(hyper, x0, keys)
            err, _ = errors(t, measure)
            n_err = n_errors(t, measure)
            div = t.diverged_at
            k = jnp.arange(err.shape[1])
            hit = (err <= tol * err[:, :1]) & (k[None, :] < n_err[:, None])
            first = jnp.argmax(hit, axis=1) * every  # record j is iterate j * every
            out = {"err": err, "n_err": n_err, "diverged_at": div, "final_f": t.f[:, -1],
                   "final_error": err[:, -1],
                   "steps_to_tol": jnp.where(hit.any(1), first, -1)}
            if keep:
                out.update(f=t.f, grad_norm=t.grad_norm, step_norm=t.step_norm)
                if t.dist is not None:
                    out["dist"] = t.dist
                if t.lr is not None:
                    out["lr"] = t.lr
            return out

        return jax.jit(program)

    def _abstract_args(self):
        fdt = jnp.float32 if self.dtype == "float32" else jnp.float64
        idt = jnp.int32 if self.dtype == "float32" else jnp.int64
        C = self.chunk
        hyper = {k: jax.ShapeDtypeStruct((C,), fdt) for k in ("lr", *self.param_names)}
        return (hyper, jax.ShapeDtypeStruct(self.starts.shape, fdt),
                jax.ShapeDtypeStruct((C,), idt), jax.ShapeDtypeStruct((C,), idt))

    def _memoised(self, name, make):
        with self._lock:
            if name not in self._memo:
                self._memo[name] = make()
            return self._memo[name]

    def traced(self):
        """The traced program (one trace per group and process)."""
        def make():
            with precision(self.dtype):
                return self._program().trace(*self._abstract_args())
        return self._memoised("traced", make)

    def compiled(self):
        """The compiled program (one compilation per group and process)."""
        def make():
            with precision(self.dtype):
                return self.traced().lower().compile()
        return self._memoised("compiled", make)

    def fingerprint(self) -> str:
        """sha256 of everything that determines this group's results but the grid values:
        the traced program (jaxpr text and constants), the problem's key, labels, steps,
        dtype, estimator settings, the package and JAX versions, and the digest of the
        package's files (a cached row carries the estimator's columns: a changed estimator
        must not be read from a cache it did not fill)."""
        def make():
            h = hashlib.sha256()
            for part in ("lrtheory-sweep-v1", self.version, source_digest(), jax.__version__,
                         self.problem.key, self.method.label, self.schedule.label,
                         self.param_names, self.steps, self.dtype, self.stochastic,
                         self.measure, repr(self.tol), repr(self.blowup), self.keep, self.chunk,
                         self.every,
                         _digest_jaxpr(self.traced().jaxpr)):
                h.update(repr(part).encode())
                h.update(b"\0")
            return h.hexdigest()
        return self._memoised("fingerprint", make)

    def chunk_key(self, i0: int, i1: int) -> str:
        """Cache key of rows ``i0:i1``: the group fingerprint, their grid values and starts."""
        h = hashlib.sha256(self.fingerprint().encode())
        for name in sorted(self.grid):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.grid[name][i0:i1]).tobytes())
        h.update(np.ascontiguousarray(self.starts).tobytes())
        return h.hexdigest()

    # ------------------------------------------------------------------ running
    def inputs(self, i0: int, i1: int):
        """Host arrays for rows ``i0:i1``, padded to the chunk size by repeating the last
        row (so the last chunk reuses the compiled program; padded rows are discarded)."""
        fdt = np.float32 if self.dtype == "float32" else np.float64
        idt = np.int32 if self.dtype == "float32" else np.int64
        idx = np.minimum(np.arange(i0, i0 + self.chunk), i1 - 1)
        hyper = {k: self.grid[k][idx].astype(fdt) for k in ("lr", *self.param_names)}
        return (hyper, self.starts.astype(fdt), self.grid["start"][idx].astype(idt),
                self.grid["seed"][idx].astype(idt))

    def compute(self, i0: int, i1: int) -> ChunkResult:
        """Run rows ``i0:i1`` on the default JAX device and build their table rows."""
        fn = self.compiled()
        with precision(self.dtype):
            out = jax.device_get(fn(*self.inputs(i0, i1)))
        n = i1 - i0
        out = {k: np.asarray(v)[:n] for k, v in out.items()}
        rows, traj = chunk_frames(self, i0, i1, out)
        return ChunkResult(rows, traj)


def run_chunk(group: Group, i0: int, i1: int) -> ChunkResult:
    """Module-level entry point for executors (picklable by reference)."""
    return group.compute(i0, i1)
