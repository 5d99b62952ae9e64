"""The record of one run: per-step values, honest about divergence."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._display import Raw, fmt, html_repr, short_repr

__all__ = ["Trajectory", "NEVER"]

#: ``diverged_at`` value of a run that never diverged.
NEVER = -1


class Trajectory(NamedTuple):
    r"""Per-step record of a run of ``steps`` iterations, iterates ``x_0 .. x_T``.

    All arrays are indexed by iterate ``k = 0..T`` unless stated; a NamedTuple, so it is
    a JAX pytree (batched trajectories come out of ``vmap`` with a leading axis).

    Attributes:
      f: ``(T+1,)`` objective value :math:`f(x_k)`.
      grad_norm: ``(T+1,)`` :math:`\|\nabla f(x_k)\|_2` (full-batch gradient).
      dist: ``(T+1,)`` :math:`\|x_k - x^\star\|_2`, or ``None`` when ``x_star`` is unknown.
      step_norm: ``(T,)`` :math:`\|x_{k+1} - x_k\|_2` (used when ``x_star`` is unknown).
      lr: ``(T,)`` learning rate used at step ``k``, or ``None`` when the method does not
        expose one (an opaque optax transformation).
      diverged_at: first iterate index ``k`` at which ``x_k`` or ``f(x_k)`` was non-finite
        or left the blow-up bound (see :func:`lrtheory.run`); ``-1`` (:data:`NEVER`)
        when the run stayed bounded. Records with index ``>= diverged_at`` are *frozen*
        copies of the last good record (index ``diverged_at - 1``), never NaN.
      f_star: known optimal value, or ``None``.
      x: ``(T+1, dim)`` iterates when the run was asked to keep them, else ``None``.

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

    @property
    def steps(self) -> int:
        """Number of iterations T (iterates are ``0..T``)."""
        return int(np.shape(self.f)[-1]) - 1

    @property
    def diverged(self) -> bool:
        """True when the run left the blow-up bound or became non-finite."""
        return int(self.diverged_at) != NEVER

    @property
    def n_valid(self) -> int:
        """Number of genuine (not frozen) records: ``T+1`` or ``diverged_at``."""
        return self.steps + 1 if not self.diverged else int(self.diverged_at)

    def error(self, measure: str = "auto") -> tuple[np.ndarray, str]:
        """The error sequence used for order estimation, and its name.

        ``measure``: ``"dist"`` (:math:`\\|x_k - x^\\star\\|`), ``"f"``
        (:math:`f(x_k) - f^\\star`), ``"grad"`` (gradient norm), ``"step"``
        (:math:`\\|x_{k+1}-x_k\\|`, ACOC-style) or ``"auto"`` (``dist`` when ``x_star``
        was known, else ``step``). Only the genuine records are returned.
        """
        n = self.n_valid
        if measure == "auto":
            measure = "dist" if self.dist is not None else "step"
        if measure == "dist":
            if self.dist is None:
                raise ValueError("measure='dist' needs a trajectory run with a known x_star")
            return np.asarray(self.dist)[:n], "dist"
        if measure == "f":
            if self.f_star is None:
                raise ValueError("measure='f' needs a trajectory with a known f_star")
            return np.abs(np.asarray(self.f)[:n] - self.f_star), "f"
        if measure == "grad":
            return np.asarray(self.grad_norm)[:n], "grad"
        if measure == "step":
            return np.asarray(self.step_norm)[: max(n - 1, 0)], "step"
        raise ValueError(
            f"measure={measure!r} is not one of 'auto', 'dist', 'f', 'grad', 'step'"
        )

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
        """Tidy ``pandas.DataFrame``: one row per iterate with a ``valid`` column."""
        import pandas as pd

        T = self.steps
        cols = {
            "k": np.arange(T + 1),
            "f": np.asarray(self.f),
            "grad_norm": np.asarray(self.grad_norm),
        }
        if self.dist is not None:
            cols["dist"] = np.asarray(self.dist)
        cols["step_norm"] = np.append(np.asarray(self.step_norm), 0.0)
        if self.lr is not None:
            cols["lr"] = np.append(np.asarray(self.lr), np.asarray(self.lr)[-1:] if T else [])
        cols["valid"] = np.arange(T + 1) < self.n_valid
        return pd.DataFrame(cols)
