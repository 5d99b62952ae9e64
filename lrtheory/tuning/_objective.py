r"""Search objectives computed from a batch of trajectories.

Each maps a batched :class:`~lrtheory.trajectory.Trajectory` (leading axis N) to a value
per run (smaller is better) and a status:

* ``"final_loss"``: :math:`f(x_T) - f^\star` (:math:`f(x_T)` when :math:`f^\star` is
  unknown); reduced on the device.
* ``"steps"``: the first :math:`k` with :math:`e_k \le \text{tol}\cdot e_0` (status
  ``"not_reached"`` if none within the run); reduced on the device.
* ``"rate"``: the linear rate :math:`C` in :math:`e_{k+1} \approx C e_k` that
  :func:`lrtheory.estimate.estimate_orders` measures (the project's estimator: automatic
  window, upper-envelope fit, regimes). Status ``"ok"`` when it calls the run
  ``linear``; otherwise its regime (``"diverged"`` also for a run that grows without
  leaving the blow-up bound, ``"sublinear"``, ``"stalled"``, ``"oscillating"``,
  ``"superlinear"``, ``"undetermined"``), with no value. Give the runs enough steps for
  the error to fall by a few decades, or the estimator will not call them linear.

The error :math:`e_k` is ``measure``, read by :func:`lrtheory.trajectory.errors`:
``"dist"`` :math:`\|x_k-x^\star\|`, ``"f"`` :math:`f(x_k)-f^\star`, ``"grad"``
:math:`\|\nabla f(x_k)\|`, ``"step"`` :math:`\|x_{k+1}-x_k\|`; ``"auto"`` takes
``dist`` when :math:`x^\star` is known, else ``f`` when :math:`f^\star` is, else ``grad``.
A run that left the blow-up bound of :func:`lrtheory.run` has status ``"diverged"``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..problems import Problem
from ..trajectory import errors, measure_for, n_errors

__all__ = ["OBJECTIVES", "STATUSES", "Scores", "objective_fn"]

OBJECTIVES = ("final_loss", "steps", "rate")
STATUSES = ("ok", "diverged", "not_reached", "undetermined", "sublinear", "stalled",
            "oscillating", "superlinear")


class Scores(NamedTuple):
    """Per-run results of an objective: ``value`` (``+inf`` where not ``ok``), ``status``
    (index into :data:`STATUSES`) and ``diverged_at`` (-1: never)."""

    value: np.ndarray
    status: np.ndarray
    diverged_at: np.ndarray


def objective_fn(objective: str, problem: Problem, measure: str = "auto", tol: float = 1e-6):
    """A function ``batched Trajectory -> Scores`` for ``objective`` (checked here)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}; got objective={objective!r}")
    measure = measure_for(problem, measure)
    if objective == "steps" and not (np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1) (relative to the first error); got tol={tol!r}")
    f_star = problem.f_star

    @jax.jit
    def reduce(traj):
        div = traj.diverged_at
        T1 = traj.f.shape[-1]
        n_valid = jnp.where(div >= 0, div, T1)
        diverged = div >= 0
        if objective == "final_loss":
            last = jnp.take_along_axis(traj.f, (n_valid - 1)[:, None], axis=1)[:, 0]
            value = last - f_star if f_star is not None else last
            status = jnp.where(diverged, 1, 0)
        elif objective == "steps":
            e, _ = errors(traj, measure)
            valid = jnp.arange(e.shape[-1])[None, :] < n_errors(traj, measure)[:, None]
            hit = (e <= tol * e[:, :1]) & valid
            value = jnp.argmax(hit, axis=1).astype(e.dtype)
            status = jnp.where(diverged, 1, jnp.where(jnp.any(hit, axis=1), 0, 2))
        else:  # rate: hand the errors to the estimator on the host
            return errors(traj, measure)[0], div
        return jnp.where(status == 0, value, jnp.inf), status, div

    if objective != "rate":
        def score(traj) -> Scores:
            return Scores(*(np.asarray(v) for v in reduce(traj)))

        return score

    def score_rate(traj) -> Scores:
        from ..estimate import estimate_orders

        e, div = (np.asarray(v) for v in reduce(traj))
        est = estimate_orders(e, diverged_at=div.astype(np.int64), measure=measure)
        regime = est.regime.to_numpy(dtype=object)
        ok = regime == "linear"
        status = np.array([0 if r == "linear" else STATUSES.index(r) for r in regime])
        rate = est.rate.to_numpy(dtype=float, na_value=np.inf)
        return Scores(np.where(ok, rate, np.inf), status, div)

    return score_rate
