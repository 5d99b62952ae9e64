"""The record of one run: per-step values, honest about divergence."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._display import Raw, fmt, html_repr, short_repr
from ._vocab import Measure, resolve_measure

__all__ = ["Trajectory", "NEVER", "errors", "n_errors", "measure_for"]

#: ``diverged_at`` value of a run that never diverged.
NEVER = -1


class Trajectory(NamedTuple):
    r"""Per-step record of a run of ``steps`` iterations, iterates ``x_0 .. x_T``.

    All arrays are indexed by record ``j = 0..T/every`` (iterate ``k = j * every``; with
    the default ``every = 1`` record and iterate coincide) unless stated. A JAX pytree
    (registered by :mod:`lrtheory.run`, ``f_star`` and ``every`` static): batched
    trajectories come out of ``vmap`` with a leading axis on every array, and every
    property and :func:`errors` work for one run and for a batch.

    Attributes:
      f: ``(T+1,)`` objective value :math:`f(x_k)`.
      grad_norm: ``(T+1,)`` :math:`\|\nabla f(x_k)\|_2` (full-batch gradient).
      dist: ``(T+1,)`` :math:`\|x_k - x^\star\|_2`, or ``None`` when ``x_star`` is unknown.
      step_norm: ``(T,)`` :math:`\|x_{k+1} - x_k\|_2` (used when ``x_star`` is unknown);
        with ``every > 1``, ``(T/every,)``: the length of the step that reached each record.
      lr: ``(T,)`` learning rate used at step ``k`` (with ``every > 1``: at the step that
        reached each record), or ``None`` when the method does not expose one (an opaque
        optax transformation).
      diverged_at: first *iterate* index ``k`` at which ``x_k`` or ``f(x_k)`` was
        non-finite or left the blow-up bound (see :func:`lrtheory.run`); ``-1``
        (:data:`NEVER`) when the run stayed bounded. Records of iterates ``>=
        diverged_at`` are *frozen* copies of the last good record, never NaN.
      f_star: known optimal value, or ``None``.
      x: ``(T+1, dim)`` iterates when the run was asked to keep them, else ``None``.
      every: the recording stride (``record_every`` of :func:`lrtheory.run`).

    Example (GD with lr = 1/2 on f = x^2/2 halves the error; lr = 3 maps x to -2x and
    leaves the blow-up bound 1e8 at the first k with 2^k > 1e8, k = 27; later records are
    frozen copies of record 26):
      >>> import optax, lrtheory as lrt
      >>> p = lrt.problems.quadratic([[1.0]], x0=[1.0])
      >>> t = lrt.run(optax.sgd(0.5), p, steps=3)
      >>> t.dist.tolist(), t.diverged, t.steps
      ([1.0, 0.5, 0.25, 0.125], False, 3)
      >>> t = lrt.run(optax.sgd(3.0), p, steps=40)
      >>> t.diverged_at, t.n_valid, float(t.dist[-1]) == 2.0 ** 26
      (27, 27, True)
    """

    f: np.ndarray
    grad_norm: np.ndarray
    dist: np.ndarray | None
    step_norm: np.ndarray
    lr: np.ndarray | None
    diverged_at: np.ndarray | int
    f_star: float | None = None
    x: np.ndarray | None = None
    every: int = 1

    @property
    def steps(self) -> int:
        """Number of iterations T (iterates are ``0..T``)."""
        return (int(np.shape(self.f)[-1]) - 1) * int(self.every)

    @property
    def diverged(self):
        """True when the run left the blow-up bound or became non-finite (for a batch: a
        boolean array)."""
        d = np.asarray(self.diverged_at) != NEVER
        return bool(d) if d.ndim == 0 else d

    @property
    def n_valid(self):
        """Number of genuine (not frozen) records: all ``T/every + 1``, or those of the
        iterates before ``diverged_at`` (for a batch: an integer array)."""
        n = _n_records(self.diverged_at, np.shape(self.f)[-1], self.every, np)
        return int(n) if n.ndim == 0 else n

    def error(self, measure: str = "auto") -> tuple[np.ndarray, str]:
        """The error sequence of one run used for order estimation, and its name.

        ``measure``: a :class:`~lrtheory._vocab.Measure` (``"dist"``, ``"f"``, ``"grad"``,
        ``"step"``) or ``"auto"`` (:func:`~lrtheory._vocab.resolve_measure`: ``dist``
        when ``x_star`` was known, else ``f`` when ``f_star`` was, else ``grad``). Only
        the genuine records are returned. :func:`errors` is the batched form.
        """
        e, m = errors(self, measure)
        return np.asarray(e)[: int(n_errors(self, m))], m.value

    def _summary(self) -> list[tuple[str, object]]:
        """Key numbers: steps, divergence, first -> last genuine value of each record."""
        if np.ndim(self.f) != 1:  # a batch: shapes and how many diverged
            div = np.asarray(self.diverged_at).reshape(-1)
            return [("batch", np.shape(self.f)[:-1]), ("steps", self.steps),
                    ("diverged", Raw(f"{int(np.sum(div != NEVER))} of {div.size}"))]
        last = self.n_valid - 1
        out: list[tuple[str, object]] = [("steps", self.steps), (
            "diverged_at", int(self.diverged_at) if self.diverged else Raw("never"))]
        for name in ("f", "grad_norm", "dist"):
            v = getattr(self, name)
            if v is not None:
                out.append((name, Raw(f"{fmt(v[0])} -> {fmt(v[last])}")))
        if self.lr is not None and np.size(self.lr):
            lr = np.asarray(self.lr)
            out.append(("lr", lr[0] if np.all(lr == lr[0]) else Raw(f"{fmt(lr[0])} -> "
                                                                    f"{fmt(lr[-1])}")))
        if self.x is not None:
            out.append(("x", self.x))
        return out

    def __repr__(self) -> str:
        try:
            return short_repr(self, self._summary())
        except Exception:  # traced values (inside jit/vmap): shapes only, a repr never fails
            return f"Trajectory(<traced> f{np.shape(self.f)})"

    def _repr_html_(self) -> str:
        head = [kv for kv in self._summary() if kv[0] in ("batch", "steps", "diverged",
                                                          "diverged_at")]
        arrays = [(k, getattr(self, k)) for k in ("f", "grad_norm", "dist", "step_norm",
                                                  "lr", "x") if getattr(self, k) is not None]
        return html_repr(self, head + arrays + [("f_star", self.f_star)])

    def to_frame(self):
        """Tidy ``pandas.DataFrame``: one row per record (``k``: its iterate) with a
        ``valid`` column."""
        import pandas as pd

        R = int(np.shape(self.f)[-1])  # records, at iterates k = j * every
        cols = {
            "k": np.arange(R) * int(self.every),
            "f": np.asarray(self.f),
            "grad_norm": np.asarray(self.grad_norm),
        }
        if self.dist is not None:
            cols["dist"] = np.asarray(self.dist)
        cols["step_norm"] = np.append(np.asarray(self.step_norm), 0.0)
        if self.lr is not None:
            cols["lr"] = np.append(np.asarray(self.lr),
                                   np.asarray(self.lr)[-1:] if R > 1 else [])
        cols["valid"] = np.arange(R) < self.n_valid
        return pd.DataFrame(cols)


def _n_records(diverged_at, n_rec: int, every, xp):
    """Genuine records per run: ``n_rec``, or those at iterates ``j * every <
    diverged_at``, i.e. ``ceil(diverged_at / every)``."""
    div = xp.asarray(diverged_at)
    e = int(every)
    return xp.where(div == NEVER, n_rec, (div + e - 1) // e)


def _namespace(a):
    """NumPy for NumPy (and object) arrays, ``jax.numpy`` for JAX arrays and tracers."""
    if a is None or isinstance(a, (np.ndarray, np.generic, float, int)):
        return np
    import jax.numpy as jnp  # only reached with JAX arrays: JAX is already imported

    return jnp


def errors(traj: Trajectory, measure="auto"):
    r"""The error sequences :math:`e_k` of one run or a batch, vectorised, and the measure.

    The one place a trajectory's measure is read (``Trajectory.error``, sweeps, tuning
    objectives and plots all call it): ``dist`` :math:`\|x_k-x^\star\|`, ``f``
    :math:`|f(x_k)-f^\star|`, ``grad`` :math:`\|\nabla f(x_k)\|`, ``step``
    :math:`\|x_{k+1}-x_k\|` (one entry fewer); ``"auto"`` resolves by
    :func:`~lrtheory._vocab.resolve_measure`. Works on NumPy arrays and on JAX arrays
    inside ``jit`` (the array type of the trajectory is kept). Entries from
    :func:`n_errors` on are frozen copies of the last genuine one.

    Args:
      traj: a :class:`Trajectory` (one run, or a batch with leading axes).
      measure: ``"auto"`` or a :class:`~lrtheory._vocab.Measure` (or its string).

    Returns:
      ``(E, measure)``: ``E`` of shape ``batch + (n,)`` with ``n = T/every + 1`` (``step``:
      ``T/every``), and the resolved :class:`~lrtheory._vocab.Measure`.

    Raises:
      ValueError: an unknown measure, or ``dist`` / ``f`` on a run without ``x_star`` /
        ``f_star``.

    Example (GD on f = x^2/2 with lr = 1/2 halves x; f* = 0, so f - f* = x^2/2):
      >>> import optax, lrtheory as lrt
      >>> t = lrt.run(optax.sgd(0.5), lrt.problems.quadratic([[1.0]], x0=[1.0]), steps=2)
      >>> E, m = errors(t, "f")
      >>> E.tolist(), m.value, n_errors(t, m)
      ([0.5, 0.125, 0.03125], 'f', 3)
    """
    m = resolve_measure(measure, has_dist=traj.dist is not None,
                        has_f_star=traj.f_star is not None)
    if m is Measure.DIST:
        return traj.dist, m
    if m is Measure.GRAD:
        return traj.grad_norm, m
    if m is Measure.STEP:
        return traj.step_norm, m
    xp = _namespace(traj.f)
    f = traj.f if xp is not np else np.asarray(traj.f)
    return abs(f - traj.f_star), m


def n_errors(traj: Trajectory, measure="auto"):
    """How many entries of :func:`errors` are genuine, per run (an int for one run, an
    integer array for a batch; JAX arrays inside ``jit``).

    Example (GD with lr = 3 on x^2/2 leaves the bound 1e8 at iterate 27: 27 genuine
    distances, 26 genuine step lengths):
      >>> import optax, lrtheory as lrt
      >>> t = lrt.run(optax.sgd(3.0), lrt.problems.quadratic([[1.0]], x0=[1.0]), steps=40)
      >>> n_errors(t, "dist"), n_errors(t, "step")
      (27, 26)
    """
    m = resolve_measure(measure, has_dist=traj.dist is not None,
                        has_f_star=traj.f_star is not None)
    xp = _namespace(traj.f)
    n = _n_records(traj.diverged_at, traj.f.shape[-1], traj.every, xp)
    if m is Measure.STEP:
        n = xp.maximum(n - 1, 0)
    return int(n) if xp is np and np.ndim(n) == 0 else n


def measure_for(problem, measure="auto") -> Measure:
    """``measure`` resolved for the runs of ``problem`` (by
    :func:`~lrtheory._vocab.resolve_measure`), before anything runs; errors name the
    problem.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> measure_for(quadratic([[1.0]], x0=[1.0])).value
      'dist'
    """
    try:
        return resolve_measure(measure, has_dist=problem.x_star is not None,
                               has_f_star=problem.f_star is not None)
    except ValueError as e:
        raise ValueError(f"{e} ({problem.key})") from None

