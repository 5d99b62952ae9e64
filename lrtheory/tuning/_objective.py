r"""Search objectives, reduced on the device from a batch of trajectories.

Each maps a batched :class:`~lrtheory.trajectory.Trajectory` (leading axis N) to a value
per run (smaller is better) and a status:

* ``"final_loss"``: :math:`f(x_T) - f^\star` (:math:`f(x_T)` when :math:`f^\star` is
  unknown).
* ``"steps"``: the first :math:`k` with :math:`e_k \le \text{tol}\cdot e_0` (status
  ``"not_reached"`` if none within the run).
* ``"rate"``: the linear rate :math:`\rho` in :math:`e_k \approx C\rho^k`, the slope of a
  least-squares line through :math:`\log e_k` over the tail: the second half of the
  records before the error first drops below the round-off floor
  :math:`10^{-11}\max(e_0, s)` (:math:`s = \|x^\star\|` for ``dist``, :math:`|f^\star|`
  for ``f``) or the run diverged (status ``"undetermined"`` with fewer than 4 points).
  A long window on the log-error is the honest fit for zig-zagging and spiralling
  (momentum) errors (see ESTIMATION-NOTES); a growing run has :math:`\rho > 1`.

The error :math:`e_k` is ``measure``: ``"dist"`` :math:`\|x_k-x^\star\|`, ``"f"``
:math:`f(x_k)-f^\star`, ``"grad"`` :math:`\|\nabla f(x_k)\|`; ``"auto"`` takes ``dist``
when :math:`x^\star` is known, else ``f`` when :math:`f^\star` is, else ``grad``.
A run that left the blow-up bound has status ``"diverged"`` and no value.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..problems import Problem

__all__ = ["OBJECTIVES", "MEASURES", "Scores", "objective_fn", "resolve_measure"]

OBJECTIVES = ("final_loss", "steps", "rate")
MEASURES = ("auto", "dist", "f", "grad")
STATUSES = ("ok", "diverged", "not_reached", "undetermined")
_FLOOR = 1e-11
_MIN_POINTS = 4


class Scores(NamedTuple):
    """Per-run results of an objective: ``value`` (``+inf`` where not ``ok``), ``status``
    (index into :data:`STATUSES`) and ``diverged_at`` (-1: never)."""

    value: np.ndarray
    status: np.ndarray
    diverged_at: np.ndarray


def resolve_measure(problem: Problem, measure: str) -> str:
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}; got measure={measure!r}")
    if measure == "auto":
        return "dist" if problem.x_star is not None else (
            "f" if problem.f_star is not None else "grad")
    if measure == "dist" and problem.x_star is None:
        raise ValueError(f"measure='dist' needs a known x_star; {problem.name!r} has none")
    if measure == "f" and problem.f_star is None:
        raise ValueError(f"measure='f' needs a known f_star; {problem.name!r} has none")
    return measure


def _errors(traj, problem: Problem, measure: str):
    if measure == "dist":
        return traj.dist, float(np.linalg.norm(problem.x_star))
    if measure == "f":
        return jnp.abs(traj.f - problem.f_star), abs(float(problem.f_star))
    return traj.grad_norm, 0.0


def objective_fn(objective: str, problem: Problem, measure: str = "auto", tol: float = 1e-6):
    """A jitted ``batched Trajectory -> (value, status, diverged_at)`` for ``objective``."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}; got objective={objective!r}")
    measure = resolve_measure(problem, measure)
    if objective == "steps" and not (np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1) (relative to the first error); got tol={tol!r}")
    f_star = problem.f_star

    def reduce(traj):
        div = traj.diverged_at
        T1 = traj.f.shape[-1]
        n_valid = jnp.where(div >= 0, div, T1)
        k = jnp.arange(T1)[None, :]
        diverged = div >= 0
        if objective == "final_loss":
            last = jnp.take_along_axis(traj.f, (n_valid - 1)[:, None], axis=1)[:, 0]
            value = last - f_star if f_star is not None else last
            status = jnp.where(diverged, 1, 0)
        else:
            e, scale = _errors(traj, problem, measure)
            e0 = e[:, :1]
            valid = k < n_valid[:, None]
            if objective == "steps":
                hit = (e <= tol * e0) & valid
                value = jnp.argmax(hit, axis=1).astype(e.dtype)
                status = jnp.where(diverged, 1, jnp.where(jnp.any(hit, axis=1), 0, 2))
            else:
                floor = _FLOOR * jnp.maximum(e0, scale)
                above = (e > floor) & valid
                # end = first record below the floor (or the end of the valid records)
                end = jnp.where(jnp.all(above, axis=1), n_valid,
                                jnp.argmin(above, axis=1))
                m = ((k >= end[:, None] // 2) & (k < end[:, None])).astype(e.dtype)
                y = jnp.log(jnp.where(m > 0, e, 1.0))
                cnt = m.sum(axis=1)
                safe = jnp.maximum(cnt, 1.0)
                kbar = (m * k).sum(axis=1) / safe
                ybar = (m * y).sum(axis=1) / safe
                dk = (k - kbar[:, None]) * m
                slope = (dk * (y - ybar[:, None])).sum(axis=1) / jnp.maximum(
                    (dk * dk).sum(axis=1), 1e-300)
                value = jnp.exp(slope)
                status = jnp.where(diverged, 1, jnp.where(cnt >= _MIN_POINTS, 0, 3))
        ok = status == 0
        return jnp.where(ok, value, jnp.inf), status, div

    return jax.jit(reduce)
