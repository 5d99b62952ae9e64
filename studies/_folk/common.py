"""Plumbing shared by the folk-claim experiments: seeds, starts, batched runs reduced on
the device, and where the theory puts the step-size landmarks.

Seeds: seed ``s`` owns the two keys of :func:`lrtheory.run.keys_for_seed`
(``fold_in(key(s), 0)`` and ``fold_in(key(s), 1)``); its ``i``-th random start is drawn
from ``fold_in`` of the first with ``i`` and its mini-batches from ``fold_in`` of the
second with ``i``, so two arms of a comparison that share ``(s, i)`` share the start and
the batch stream (paired comparisons).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from lrtheory import theory
from lrtheory.problems import draw_starts
from lrtheory.run import batched, keys_for_seed

__all__ = ["keys_for", "starts", "runner", "run_reduced", "landmarks", "source_hash", "dist_to_set",
           "log_ratio", "nanmean_last"]


def keys_for(seeds, n_starts: int):
    """Start keys and batch keys, each of shape ``(len(seeds), n_starts)``."""
    return _keys(jnp.asarray(np.asarray(seeds, np.uint32)), int(n_starts))


@functools.partial(jax.jit, static_argnums=1)
def _keys(seeds, n_starts):
    def one(s):
        ks, kb = keys_for_seed(s)
        idx = jnp.arange(n_starts)
        return (jax.vmap(lambda i: jax.random.fold_in(ks, i))(idx),
                jax.vmap(lambda i: jax.random.fold_in(kb, i))(idx))

    return jax.vmap(one)(seeds)


def starts(sampler: Callable, keys) -> np.ndarray:
    """``sampler`` over a key array of any shape -> starts of shape ``keys.shape + (dim,)``
    (:func:`lrtheory.problems.draw_starts`, as :meth:`lrtheory.problems.Problem.starts`)."""
    x = draw_starts(sampler, keys.reshape(-1))
    return np.asarray(x, np.float64).reshape(keys.shape + x.shape[1:])


def runner(factory, problem, steps: int, *, reducer: Callable, keep_x: bool = False,
           stochastic: bool = False, chunk: int = 2048, record_every=1) -> Callable:
    """A reusable ``(hyper, x0, keys) -> dict`` running configurations with
    :func:`lrtheory.run.batched` and reducing them on the device.

    ``hyper`` maps names to ``(N,)`` arrays, ``x0`` is ``(N, dim)``, ``keys`` ``(N,)`` PRNG
    keys (mini-batch gradients, when ``stochastic``) or ``None``. ``reducer(traj, hyper)``
    maps the batched trajectory to a dict of per-run arrays. Runs go in chunks of at most
    ``chunk``; a short last chunk is padded, and calls with the same ``N`` reuse one
    compiled program. ``record_every`` as in :func:`lrtheory.run` (``"final"`` when the
    reducer reads only the last record).
    """
    fn = batched(factory, problem, int(steps), keep_x=keep_x, stochastic=stochastic,
                 record_every=record_every)
    red = jax.jit(lambda h, x, k: reducer(fn(h, x, k), h))

    def call(hyper: Mapping[str, np.ndarray], x0, keys=None) -> dict[str, np.ndarray]:
        if (keys is not None) != stochastic:
            raise ValueError(f"keys must be given exactly when stochastic={stochastic}")
        x0 = np.asarray(x0, np.float64)
        n = x0.shape[0]
        size = min(int(chunk), n)
        out: dict[str, list] = {}
        for i0 in range(0, n, size):
            idx = np.minimum(np.arange(i0, i0 + size), n - 1)  # pad: repeat the last run
            h = {k: jnp.asarray(np.asarray(v, np.float64)[idx]) for k, v in hyper.items()}
            res = red(h, jnp.asarray(x0[idx]), None if keys is None else keys[idx])
            m = min(size, n - i0)
            for name, v in res.items():
                out.setdefault(name, []).append(np.asarray(v)[:m])
        return {k: np.concatenate(v) for k, v in out.items()}

    return call


def run_reduced(factory, problem, steps: int, hyper, x0, keys=None, *, reducer: Callable,
                keep_x: bool = False, chunk: int = 2048,
                record_every=1) -> dict[str, np.ndarray]:
    """One call of :func:`runner` (full batch when ``keys`` is ``None``)."""
    return runner(factory, problem, steps, reducer=reducer, keep_x=keep_x,
                  stochastic=keys is not None, chunk=chunk,
                  record_every=record_every)(hyper, x0, keys)


def dist_to_set(x, points):
    """Distance from each row of ``x`` (..., dim) to the nearest row of ``points``."""
    p = np.asarray(points, np.float64).reshape(-1, x.shape[-1])
    p = jnp.asarray(p.reshape((1,) * (x.ndim - 1) + p.shape))
    d = jnp.sqrt(jnp.sum((x[..., None, :] - p) ** 2, axis=-1))
    return jnp.min(d, axis=-1)


def log_ratio(steps_a, steps_b, reached_a, reached_b):
    r"""Per-run :math:`\log_{10}(T_a / T_b)` of steps to a tolerance; NaN where neither run
    reached it (both are the budget: no information)."""
    v = np.log10(np.maximum(steps_a, 1)) - np.log10(np.maximum(steps_b, 1))
    return np.where(np.asarray(reached_a) | np.asarray(reached_b), v, np.nan)


def nanmean_last(a) -> np.ndarray:
    """Mean over the last axis ignoring NaN; NaN (silently) where all are NaN."""
    a = np.asarray(a, float)
    ok = np.isfinite(a)
    n = ok.sum(axis=-1)
    total = np.where(ok, a, 0.0).sum(axis=-1)
    return np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)


def landmarks(spectrum) -> dict[str, float]:
    """Gradient descent's landmarks from the Hessian spectrum at the minimiser:
    ``L``, ``mu``, ``lr_max = 2/L``, ``lr_opt = 2/(L + mu)``, ``lr_flip = 1/L`` (above it
    the stiffest mode changes sign every step: the iterate overshoots)."""
    lim = theory.gd_limits(spectrum)
    return {"L": lim.L, "mu": lim.mu, "lr_max": lim.lr_max, "lr_opt": lim.lr_opt,
            "lr_flip": 1.0 / lim.L}


_SHARED = ("common.py", "train.py", "minima.py")  # what the experiments' compute uses


def source_hash(part: str) -> str:
    """Hash of the sources experiment ``part`` computes with (this package's shared
    modules and ``<part>.py``; the study cache itself hashes only ``folk_claims.py``), so
    editing the report or the verdict rule does not recompute the runs."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in sorted(set(_SHARED) | {f"{part}.py"}):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]
