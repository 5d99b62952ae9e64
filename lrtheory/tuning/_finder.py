r"""The learning-rate range test (Smith 2017; fastai's ``lr_find``), several seeds at once.

One run per seed; the learning rate grows every step,

.. math:: \alpha_k = \alpha_{\min} (\alpha_{\max}/\alpha_{\min})^{k/(T-1)} \;(\text{exp}),
   \qquad \alpha_k = \alpha_{\min} + (\alpha_{\max}-\alpha_{\min})\,k/(T-1) \;(\text{linear}),

for :math:`k = 0..T-1`. The loss recorded for :math:`\alpha_k` is the one *after* the
step taken with it, :math:`\ell_k = f(x_{k+1}) - f^\star` (:math:`f(x_{k+1})` when
:math:`f^\star` is unknown; always the full-batch loss, also for mini-batch runs). It is
smoothed by an exponential moving average with bias correction (Kingma & Ba 2015),

.. math:: a_k = \beta a_{k-1} + (1-\beta)\ell_k,\; a_{-1} = 0,\qquad
   \bar\ell_k = a_k / (1-\beta^{k+1}),

and the test stops at the first :math:`k` where the run left the blow-up bound of
:func:`lrtheory.run`, or :math:`\bar\ell_k > b_k + (c-1)|b_k|` with
:math:`b_k = \min_{j\le k}\bar\ell_j` and ``c = diverge_factor`` (for positive losses
this is fastai's :math:`\bar\ell_k > c\, b_k`; the absolute value keeps the rule sane for
negative losses). :math:`\alpha_k` there is the *divergence point*.

Caveat for deterministic gradient descent on a quadratic (measured in
``tests/test_tuning.py``): each eigen-mode is multiplied by :math:`1-\alpha_k\lambda`, so
with :math:`u = \alpha\lambda` its log-amplitude after the ramp passes :math:`u` is
:math:`\frac{1}{\log r}\int \log|1-u|/u\,du` (:math:`r` the per-step ratio). Below
:math:`u = 2` the top mode sinks by :math:`\int_0^2 \log|1-u|\,du/u = -\pi^2/4`, and after
:math:`2/L` it has to climb back out of that hole before the loss notices: the divergence
point is near :math:`U^\star/L` with :math:`\int_2^{U^\star}\log(u-1)\,du/u = \pi^2/4`,
:math:`U^\star \approx 12.6`, whatever the ramp speed, i.e. about :math:`6\times` the
stability limit :math:`2/L`. Gradient noise (mini-batches) keeps the top mode at its noise
level instead, and the divergence point then lands near :math:`2/L`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np
import scipy.signal

from .._display import Raw, fmt, html_repr, short_repr
from ..config import precision
from ..problems import Problem, as_x
from ..run import batched, keys_for_seed
from ._common import (
    Theory,
    check_positive,
    check_problem,
    check_seeds,
    check_steps,
    method_label,
    resolve_factory,
    theory_of,
)
from ._suggest import SUGGESTERS

__all__ = ["find_lr", "LRFinderResult", "Suggestion", "MODES"]

MODES = ("exp", "linear")


class Suggestion(NamedTuple):
    """One suggestion rule over all seeds.

    Attributes:
      name: ``"steep"``, ``"valley"`` or ``"minimum"`` (see :mod:`._suggest`).
      lr: the summary, :math:`\\exp(\\operatorname{median}_s \\log\\alpha_s)` over seeds.
      per_seed: the suggestion of each seed, in the order of ``seeds``.
      lo, hi: smallest and largest per-seed suggestion (the spread).
      ratio_opt: ``lr / (2/(L+mu))`` (gradient descent's best step), ``None`` if unknown.
      ratio_stable: ``lr / (2/L)`` (its stability limit), ``None`` if unknown.

    Example (two seeds suggest 0.1 and 0.4: the summary is their geometric mean):
      >>> s = Suggestion("valley", 0.2, (0.1, 0.4), 0.1, 0.4, 0.2 / (2 / 11), 0.2 / 0.2)
      >>> round(s.lr / s.lo, 12), round(s.ratio_opt, 12), s.ratio_stable
      (2.0, 1.1, 1.0)
    """

    name: str
    lr: float
    per_seed: tuple[float, ...]
    lo: float
    hi: float
    ratio_opt: float | None
    ratio_stable: float | None

    def __repr__(self) -> str:
        return short_repr(self, ("name", "lr", "lo", "hi", "ratio_opt", "ratio_stable"))

    def _repr_html_(self) -> str:
        return html_repr(self)


@dataclasses.dataclass(frozen=True, eq=False)
class LRFinderResult:
    """What a range test measured (arrays per seed ``s`` and step ``k``).

    Attributes:
      method, problem: labels.
      mode: ``"exp"`` or ``"linear"`` ramp.
      seeds: the seeds, one run each.
      lrs: ``(T,)`` the learning rates tested, :math:`\\alpha_k`.
      loss: ``(S, T)`` raw loss :math:`\\ell_k` after the step with :math:`\\alpha_k`.
      smoothed: ``(S, T)`` bias-corrected moving average :math:`\\bar\\ell_k`.
      n_used: ``(S,)`` records up to and including the divergence point (``T`` if none);
        later records are not meaningful (the run was stopped there).
      diverged_at: ``(S,)`` index into ``lrs`` of the divergence point, ``-1`` if none.
      steep, valley, minimum: the three :class:`Suggestion` s.
      L, mu: curvature constants at the minimiser when known (theory marks), else None.
      beta, diverge_factor: the smoothing and stopping constants used.

    Example (f = x^2/2, L = mu = 1: GD's best step 2/(L+mu) = 1, its limit 2/L = 2):
      >>> from lrtheory.problems import quadratic
      >>> res = find_lr("gd", quadratic([[1.0]], x0=[1.0]), lr_min=1e-2, lr_max=10.0,
      ...               steps=50)
      >>> res.lr_opt, res.lr_stable, res.to_frame().shape
      (1.0, 2.0, (50, 6))
    """

    method: str
    problem: str
    mode: str
    seeds: tuple[int, ...]
    lrs: np.ndarray
    loss: np.ndarray
    smoothed: np.ndarray
    n_used: np.ndarray
    diverged_at: np.ndarray
    steep: Suggestion
    valley: Suggestion
    minimum: Suggestion
    L: float | None
    mu: float | None
    beta: float
    diverge_factor: float

    def _summary(self) -> list[tuple[str, object]]:
        lrs = np.asarray(self.lrs)
        return [("method", self.method), ("problem", self.problem), ("seeds", self.seeds),
                ("lrs", Raw(f"{fmt(lrs[0])} .. {fmt(lrs[-1])} ({lrs.size}, {self.mode})")),
                ("steep", self.steep.lr), ("valley", self.valley.lr),
                ("minimum", self.minimum.lr), ("lr_diverged", self.lr_diverged),
                ("L", self.L), ("mu", self.mu)]

    def __repr__(self) -> str:
        return short_repr(self, self._summary())

    def _repr_html_(self) -> str:
        return html_repr(self, self._summary() + [(k, getattr(self, k)) for k in (
            "loss", "smoothed", "n_used", "diverged_at", "beta", "diverge_factor")])

    @property
    def suggestion(self) -> Suggestion:
        """The default suggestion: ``valley`` (fastai's default since 2.5)."""
        return self.valley

    @property
    def lr_opt(self) -> float | None:
        """Gradient descent's best constant step :math:`2/(L+\\mu)`, when known."""
        return Theory(self.L, self.mu).lr_opt

    @property
    def lr_stable(self) -> float | None:
        """Gradient descent's stability limit :math:`2/L`, when known."""
        return Theory(self.L, self.mu).lr_stable

    @property
    def lr_diverged_per_seed(self) -> tuple[float | None, ...]:
        """The divergence point of each seed (``None``: never diverged)."""
        return tuple(None if d < 0 else float(self.lrs[d]) for d in self.diverged_at)

    @property
    def lr_diverged(self) -> float | None:
        """Median (in log) divergence point over the seeds that diverged; None if none."""
        v = [x for x in self.lr_diverged_per_seed if x is not None]
        return float(np.exp(np.median(np.log(v)))) if v else None

    def to_frame(self):
        """Tidy ``pandas.DataFrame``: one row per (seed, k) with ``used`` marking the
        records before the stop."""
        import pandas as pd

        S, T = self.loss.shape
        k = np.tile(np.arange(T), S)
        return pd.DataFrame({
            "seed": np.repeat(np.asarray(self.seeds), T),
            "k": k,
            "lr": np.tile(self.lrs, S),
            "loss": self.loss.reshape(-1),
            "smoothed": self.smoothed.reshape(-1),
            "used": k < np.repeat(self.n_used, T),
        })


def _ramp(mode: str, steps: int):
    def schedule_for(lr_min, lr_max):
        def schedule(k):
            t = jnp.asarray(k).astype(jnp.result_type(lr_min, float)) / (steps - 1)
            if mode == "exp":
                return lr_min * (lr_max / lr_min) ** t
            return lr_min + (lr_max - lr_min) * t

        return schedule

    return schedule_for


def _grid(mode: str, lr_min: float, lr_max: float, steps: int) -> np.ndarray:
    t = np.arange(steps) / (steps - 1)
    if mode == "exp":
        return lr_min * (lr_max / lr_min) ** t
    return lr_min + (lr_max - lr_min) * t


def smooth(loss: np.ndarray, beta: float) -> np.ndarray:
    r"""Bias-corrected exponential moving average along the last axis.

    :math:`a_k = \beta a_{k-1} + (1-\beta)\ell_k`, :math:`\bar\ell_k = a_k/(1-\beta^{k+1})`.

    >>> smooth(np.array([1.0, 3.0]), 0.5).tolist()   # a = 0.5, 1.75; / 0.5, 0.75
    [1.0, 2.3333333333333335]
    """
    a = scipy.signal.lfilter([1.0 - beta], [1.0, -beta], loss, axis=-1)
    return a / (1.0 - beta ** np.arange(1, loss.shape[-1] + 1))


def stop_index(smoothed: np.ndarray, run_diverged: int, factor: float) -> int:
    """First index where the smoothed loss broke the rule, or the run blew up; -1: never."""
    best = np.minimum.accumulate(smoothed)
    bad = smoothed > best + (factor - 1.0) * np.abs(best)
    if run_diverged >= 0:
        bad[run_diverged:] = True
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else -1


def find_lr(method, problem: Problem, lr_min: float = 1e-7, lr_max: float = 10.0,
            steps: int = 100, mode: str = "exp", *, seeds=1, beta: float = 0.98,
            diverge_factor: float = 4.0, x0=None, stochastic: bool | None = None,
            fixed: Mapping[str, Any] | None = None, L=None, mu=None) -> LRFinderResult:
    r"""Learning-rate range test: one run per seed with a growing learning rate.

    The ramp, smoothing and stopping rules are in the module docstring; the suggestions
    (steepest descent in :math:`\log\alpha`, fastai's valley, minimum/10) in
    :mod:`lrtheory.tuning._suggest`. All seeds run in one compiled
    ``jit(vmap(scan))`` call (:func:`lrtheory.run.batched`), ``lr_min`` and ``lr_max``
    entering it as data.

    Args:
      method: a registry name (``"gd"``, ``"adam"``; built with
        ``lrtheory.methods.get(name, lr=schedule, **fixed)``) or a callable
        ``schedule -> method`` returning a :class:`lrtheory.methods.Method` or an optax
        transformation (``lambda s: optax.adam(s)``).
      problem: a :class:`lrtheory.problems.Problem`.
      lr_min, lr_max: first and last learning rate, ``0 < lr_min < lr_max``.
      steps: number of steps T >= 2 (one learning rate each).
      mode: ``"exp"`` (geometric ramp, the usual choice) or ``"linear"``.
      seeds: a count ``n`` (seeds ``0..n-1``) or a list of ints. Seed ``s`` starts from
        ``problem.x0_sampler(keys_for_seed(s)[0])`` (:func:`lrtheory.run.keys_for_seed`,
        the same start as :func:`lrtheory.sweep.sweep` with ``x0="random"``) when the
        problem has a sampler and ``x0`` is not given (else from ``x0`` /
        ``problem.x0``), and draws its mini-batches from ``keys_for_seed(s)[1]`` on
        stochastic problems (as ``sweep(stochastic=True)``). Defaults differ from
        ``sweep`` on purpose: a range test repeats over random starts and mini-batches
        by default, a sweep runs from ``problem.x0`` with full-batch gradients unless
        asked.
      beta: smoothing constant in [0, 1); 0.98 as in fastai (memory ~50 steps).
      diverge_factor: stop when the smoothed loss exceeds this multiple of its best, > 1
        (4 as in fastai).
      x0: common start for all seeds (default: see ``seeds``).
      stochastic: use mini-batch gradients; default: when the problem has ``batch_grad``.
      fixed: further hyperparameters for a registry method (``{"beta": 0.9}``).
      L, mu: curvature constants for the theory marks; default: from
        :func:`lrtheory.theory.curvature` when the problem's spectrum is known.

    Returns:
      :class:`LRFinderResult`.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic(dim=4, cond=10.0, seed=0)
      >>> res = find_lr("gd", p, lr_min=1e-3, lr_max=10.0, steps=60, seeds=2)
      >>> res.loss.shape, res.L, res.mu
      ((2, 60), 10.0, 1.0)
      >>> bool(res.valley.lr < res.lr_stable < res.lr_diverged)
      True

    References:
      Smith (2017), *Cyclical learning rates for training neural networks*, WACV;
      Howard & Gugger (2020), *fastai*, Information 11(2) (``LRFinder``, ``valley``).
    """
    problem = check_problem(problem)
    lo = check_positive(lr_min, "lr_min")
    hi = check_positive(lr_max, "lr_max")
    if not lo < hi:
        raise ValueError(f"lr_min must be < lr_max; got lr_min={lr_min!r}, lr_max={lr_max!r}")
    steps = check_steps(steps, 2)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got mode={mode!r}")
    if isinstance(beta, bool) or not (isinstance(beta, (int, float)) and 0 <= beta < 1):
        raise ValueError(f"beta must be a number in [0, 1); got beta={beta!r}")
    if not (np.isfinite(diverge_factor) and diverge_factor > 1):
        raise ValueError(f"diverge_factor must be a finite number > 1; "
                         f"got diverge_factor={diverge_factor!r}")
    seeds = check_seeds(seeds)
    theory = theory_of(problem, L, mu)
    stochastic = problem.batch_grad is not None if stochastic is None else bool(stochastic)
    if stochastic and problem.batch_grad is None:
        raise ValueError(f"stochastic=True needs a problem with batch_grad; "
                         f"{problem.name!r} has none")

    if isinstance(method, str):
        build = resolve_factory(method, ["lr"], fixed)
    elif callable(method):
        def build(lr):
            return method(lr, **(fixed or {}))
    else:
        raise TypeError(f"method must be a registry name or a callable schedule -> method; "
                        f"got {type(method).__name__}")
    ramp = _ramp(mode, steps)

    def factory(lr_min, lr_max):
        return build(lr=ramp(lr_min, lr_max))

    S = len(seeds)
    keys = [keys_for_seed(s) for s in seeds]
    start = None if x0 is None else as_x(x0, problem.dim, "x0")
    with precision("float64"):  # whatever JAX's global flag (lrtheory.config)
        if start is not None:
            starts = jnp.broadcast_to(jnp.asarray(start), (S, problem.dim))
        elif problem.x0_sampler is not None:
            starts = problem.starts(jnp.stack([k[0] for k in keys]))
        else:
            starts = jnp.broadcast_to(jnp.asarray(problem.x0), (S, problem.dim))
        batch_keys = jnp.stack([k[1] for k in keys]) if stochastic else None
        hyper = {"lr_min": jnp.full((S,), lo), "lr_max": jnp.full((S,), hi)}
        traj = batched(factory, problem, steps, stochastic=stochastic)(hyper, starts,
                                                                       batch_keys)

    f = np.asarray(traj.f)[:, 1:]  # f(x_{k+1}), paired with lr_k
    loss = f - problem.f_star if problem.f_star is not None else f
    run_div = np.asarray(traj.diverged_at)
    smoothed = smooth(loss, float(beta))
    lrs = _grid(mode, lo, hi, steps)
    stops = np.array([stop_index(smoothed[s], int(run_div[s]) - 1 if run_div[s] >= 0 else -1,
                                 float(diverge_factor)) for s in range(S)])
    n_used = np.where(stops >= 0, stops + 1, steps)
    skip = steps // 10  # the moving average's warm-up, as fastai's num_it // 10

    per_seed = {name: [] for name in SUGGESTERS}
    for s in range(S):
        end = stops[s] if stops[s] >= 0 else steps
        if end - skip < 3:
            raise ValueError(
                f"seed {seeds[s]}: the loss diverged at lr={lrs[max(end, 0)]:.3g}, step "
                f"{end} of {steps}, before the curve could be read (needs 3 points after "
                f"the first {skip} warm-up steps); lower lr_min={lr_min!r} or raise steps")
        w_lrs, w_s = lrs[skip:end], smoothed[s, skip:end]
        for name, (fn, scale) in SUGGESTERS.items():
            per_seed[name].append(float(w_lrs[fn(w_lrs, w_s)] * scale))

    def suggestion(name):
        v = np.asarray(per_seed[name])
        # clipped: exp(log(x)) may round one ulp outside the per-seed range
        lr = float(np.clip(np.exp(np.median(np.log(v))), v.min(), v.max()))
        return Suggestion(
            name, lr, tuple(per_seed[name]), float(v.min()), float(v.max()),
            None if theory.lr_opt is None else lr / theory.lr_opt,
            None if theory.lr_stable is None else lr / theory.lr_stable)

    return LRFinderResult(
        method=method_label(method), problem=problem.key, mode=mode, seeds=seeds, lrs=lrs,
        loss=loss, smoothed=smoothed, n_used=n_used, diverged_at=stops,
        steep=suggestion("steep"), valley=suggestion("valley"),
        minimum=suggestion("minimum"), L=theory.L, mu=theory.mu, beta=float(beta),
        diverge_factor=float(diverge_factor))
