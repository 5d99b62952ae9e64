"""Training the small networks with train/test metrics at checkpoints.

A run of ``steps`` iterations is cut into segments of ``every`` steps; each segment is one
call of the same compiled :func:`lrtheory.run.batched` program (``keep_x`` over a segment
only, so memory stays ``N x every x dim``), and the problem's ``metrics`` (train/test loss
and accuracy) are evaluated on the device at every checkpoint. The methods used here carry
no state between steps except through a schedule, whose global step is passed in as the
hyperparameter ``k0`` (the segment's first step); plain SGD is therefore the same
iteration as one uninterrupted run. Mini-batches of segment ``j`` come from
``fold_in(key, j)``.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from lrtheory.run import batched

__all__ = ["Curves", "trainer", "train"]

METRICS = ("train_loss", "test_loss", "train_acc", "test_acc")


class Curves(NamedTuple):
    """Metrics at checkpoints ``0, every, 2 every, ..., steps`` (arrays ``(N, C)``) and
    whether each run diverged."""

    steps: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    diverged: np.ndarray


#: runs per step of the checkpoint metrics' ``lax.map``. Decay's CNN (210 runs, stop 30,
#: s per call / page faults): all at once (``vmap``) 0.67 s / 345 k; chunks of 1 1.32 s; 4
#: 0.50 s; 8 0.46 s / 18 k; 16 0.45 s / 35 k; 32 0.70 s / 262 k
METRICS_CHUNK = 8


@functools.lru_cache(maxsize=8)
def _batched_metrics(metrics):
    """``problem.metrics`` over a batch of parameter vectors, compiled once per problem:
    every checkpoint of every trainer of one problem calls the same program (inside each
    trainer's segment it was compiled again per segment length and gradient type).

    Runs go :data:`METRICS_CHUNK` at a time (``lax.map``): a ``vmap`` over all runs holds
    every run's activations on every image at once (decay's CNN, 210 runs on 1797 images:
    several 0.4 GB arrays a call, freshly mapped and faulted in, 0.34 M page faults)."""
    return jax.jit(lambda x: jax.lax.map(metrics, x, batch_size=METRICS_CHUNK))


@functools.lru_cache(maxsize=4)
def _start_metrics(metrics, x0: bytes, shape: tuple) -> dict:
    """The metrics at checkpoint 0, which depend on the starts alone: the decay study's
    four (gradient, budget) trainers share one start array and pay for it once."""
    out = _batched_metrics(metrics)(jnp.asarray(np.frombuffer(x0).reshape(shape)))
    return {k: np.asarray(v) for k, v in out.items()}


def trainer(factory, problem, every: int, stochastic: bool = False):
    """A reusable ``(steps, hyper, x0, keys) -> Curves``; calls with the same number of
    runs share one compiled segment. ``factory(k0=..., **hyper)`` -> method; ``hyper``
    maps names to ``(N,)`` arrays, ``x0`` is ``(N, dim)``, ``keys`` ``(N,)`` PRNG keys for
    mini-batches (when ``stochastic``) or ``None``."""
    # only x at the end of a segment is used: record_every="final" spares every step the
    # full-batch f and gradient of the records (a mini-batch step pays for its batch only)
    fn = batched(factory, problem, every, keep_x=True, stochastic=stochastic,
                 record_every="final")
    metrics = _batched_metrics(problem.metrics)

    @jax.jit
    def segment(h, x, k):
        t = fn(h, x, k)
        return t.x[:, -1], t.diverged_at >= 0

    def call(steps: int, hyper, x0, keys=None) -> Curves:
        if steps % every:
            raise ValueError(f"steps={steps} must be a multiple of every={every}")
        if (keys is not None) != stochastic:
            raise ValueError(f"keys must be given exactly when stochastic={stochastic}")
        h = {k: jnp.asarray(np.asarray(v, np.float64)) for k, v in hyper.items()}
        x = jnp.asarray(np.asarray(x0, np.float64))
        m0 = _start_metrics(problem.metrics, np.asarray(x).tobytes(), tuple(x.shape))
        rec = {k: [m0[k]] for k in METRICS}
        dead = np.zeros(x.shape[0], bool)
        for j in range(steps // every):
            hj = {**h, "k0": jnp.full(x.shape[0], float(j * every))}
            kj = None if keys is None else jax.vmap(
                lambda kk, j=j: jax.random.fold_in(kk, j))(keys)
            x, div = segment(hj, x, kj)
            m = metrics(x)
            dead |= np.asarray(div)
            for k in METRICS:
                rec[k].append(np.where(dead, np.nan, np.asarray(m[k])))
        return Curves(np.arange(0, steps + 1, every),
                      *(np.stack(rec[k], axis=1) for k in METRICS), dead)

    return call


def train(factory, problem, steps: int, every: int, hyper, x0, keys=None) -> Curves:
    """One call of :func:`trainer` (full batch when ``keys`` is ``None``)."""
    return trainer(factory, problem, every, keys is not None)(steps, hyper, x0, keys)
