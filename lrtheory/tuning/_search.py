r"""Grid, random and Bayesian (Optuna TPE) search; every batch is one compiled call.

Candidates are rows of hyperparameter arrays; a batch of them runs as one
``jit(vmap(scan))`` (:func:`lrtheory.run.batched`) and the objective is reduced on the
device (:mod:`._objective`). All three return a :class:`SearchResult` whose ``table`` is
tidy: one row per evaluation with the hyperparameters, ``value`` (nullable ``Float64``:
missing, never NaN or inf, where ``status`` is not ``"ok"``), ``status`` (``ok``,
``diverged``, ``not_reached``, or the estimator's regime for ``"rate"``), ``diverged_at``
(nullable), and the budget used so far (``budget_evals`` evaluations, ``budget_steps``
optimizer steps).
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from .._display import html_repr, short_repr
from ..config import precision
from ..problems import Problem, as_x
from ..run import batched
from ..trajectory import measure_for
from ._common import check_count, check_problem, check_steps, method_label, resolve_factory
from ._objective import STATUSES, objective_fn
from ._space import parse_grid, parse_space, sample_random

__all__ = ["grid_search", "random_search", "bayes_search", "SearchResult"]


@dataclasses.dataclass(frozen=True, eq=False)
class SearchResult:
    """The outcome of a search.

    Attributes:
      search: ``"grid"``, ``"random"`` or ``"bayes"``.
      method, problem, objective, measure: labels of what was searched.
      table: tidy ``pandas.DataFrame``, one row per evaluation (see the module docstring).
      best: the best configuration (hyperparameter -> value, read-only), ``None`` when no
        evaluation had status ``ok``.
      best_value: its objective value (smaller is better), or ``None``.
      best_index: its row in ``table``, or ``None``.
      steps: iterations per run.
      seed: the seed of the sampler and of the mini-batches.

    Example (GD on f = x^2/2 from x = 1: lr = 1 lands on 0 in one step, lr = 1/2 leaves
    f = (1/2)(1/8)^2 after three):
      >>> from lrtheory.problems import quadratic
      >>> res = grid_search("gd", quadratic([[1.0]], x0=[1.0]), {"lr": [0.5, 1.0]}, steps=3)
      >>> res.n_evals, dict(res.best), res.table.value.tolist()
      (2, {'lr': 1.0}, [0.0078125, 0.0])
    """

    search: str
    method: str
    problem: str
    objective: str
    measure: str
    table: pd.DataFrame
    best: Mapping[str, float] | None
    best_value: float | None
    best_index: int | None
    steps: int
    seed: int

    def _summary(self) -> list[tuple[str, object]]:
        return [("search", self.search), ("method", self.method), ("problem", self.problem),
                ("objective", self.objective), ("n_evals", self.n_evals),
                ("best", None if self.best is None else dict(self.best)),
                ("best_value", self.best_value), ("steps", self.steps)]

    def __repr__(self) -> str:
        return short_repr(self, self._summary())

    def _repr_html_(self) -> str:
        return html_repr(self, self._summary() + [("measure", self.measure),
                                                  ("seed", self.seed), ("table", self.table)])

    @property
    def n_evals(self) -> int:
        """Number of evaluations (the budget used)."""
        return len(self.table)


class _Evaluator:
    """Runs a batch of candidates as one compiled call and scores them."""

    def __init__(self, method, problem, names, steps, objective, measure, tol, fixed, x0,
                 seed, stochastic):
        self.problem = check_problem(problem)
        self.steps = check_steps(steps, 2)
        self.measure = measure_for(problem, measure).value
        self.reduce = objective_fn(objective, problem, self.measure, tol)
        build = resolve_factory(method, names, fixed)
        stochastic = problem.batch_grad is not None if stochastic is None else bool(stochastic)
        if stochastic and problem.batch_grad is None:
            raise ValueError(f"stochastic=True needs a problem with batch_grad; "
                             f"{problem.name!r} has none")
        self.stochastic = stochastic
        self.fn = batched(build, problem, self.steps, stochastic=stochastic)
        self.x0 = as_x(problem.x0 if x0 is None else x0, problem.dim, "x0")
        self.key = jax.random.key(int(seed))

    def __call__(self, params: dict[str, np.ndarray], first: int):
        n = next(iter(params.values())).shape[0]
        with precision("float64"):  # whatever JAX's global flag (lrtheory.config)
            hyper = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in params.items()}
            x0 = jnp.broadcast_to(jnp.asarray(self.x0), (n, self.x0.shape[0]))
            keys = None
            if self.stochastic:  # evaluation i draws its mini-batches from fold_in(key, i)
                keys = jax.vmap(lambda i: jax.random.fold_in(self.key, i))(
                    jnp.arange(first, first + n))
            return self.reduce(self.fn(hyper, x0, keys))


def _table(search, params, value, status, div, batch, steps):
    n = value.shape[0]
    ok = status == 0
    cols: dict[str, Any] = {"search": pd.array([search] * n, dtype="string"),
                            "evaluation": np.arange(n), "batch": np.asarray(batch)}
    for k, v in params.items():
        cols[k] = np.asarray(v, dtype=np.float64)
    cols["value"] = pd.array(np.where(ok, value, 0.0), dtype="Float64")
    cols["value"][~ok] = pd.NA
    cols["status"] = pd.array([STATUSES[s] for s in status], dtype="string")
    cols["diverged_at"] = pd.array(np.where(div >= 0, div, 0), dtype="Int64")
    cols["diverged_at"][div < 0] = pd.NA
    cols["budget_evals"] = np.arange(1, n + 1)
    cols["budget_steps"] = np.arange(1, n + 1) * steps
    return pd.DataFrame(cols)


def _result(search, method, problem, objective, ev, params, value, status, div, batch,
            seed):
    table = _table(search, params, value, status, div, batch, ev.steps)
    ok = np.flatnonzero(status == 0)
    if ok.size:
        i = int(ok[np.argmin(value[ok])])
        best = types.MappingProxyType({k: float(v[i]) for k, v in params.items()})
        best_value, best_index = float(value[i]), i
    else:
        best = best_value = best_index = None
    return SearchResult(search, method_label(method), problem.key, objective, ev.measure,
                        table, best, best_value, best_index, ev.steps, int(seed))


_DOC_ARGS = """Args (shared by the three searches):
      method: a registry name (``"gd"``, ``"momentum"``; the searched names must be
        ``lr`` or its hyperparameters) or a callable ``(**hyper) -> method`` (a
        :class:`lrtheory.methods.Method` or an optax transformation), e.g.
        ``lambda lr, d: optax.sgd(lrtheory.schedules.exponential(lr, d))``.
      problem: a :class:`lrtheory.problems.Problem`.
      steps: iterations per run, >= 2.
      objective: ``"final_loss"``, ``"steps"`` (to reach ``tol``) or ``"rate"``
        (the linear rate :func:`lrtheory.estimate.estimate_orders` measures); see
        :mod:`lrtheory.tuning._objective`.
      measure: the error for ``steps`` / ``rate``: ``"auto"``, ``"dist"``, ``"f"``,
        ``"grad"``.
      tol: relative tolerance for ``"steps"``: first k with e_k <= tol * e_0.
      fixed: hyperparameters held fixed (passed to the method with the searched ones).
      x0: start of every run (default ``problem.x0``).
      seed: seed of the sampler (random, bayes) and of mini-batches (evaluation i uses
        ``fold_in(key(seed), i)``); the same seed gives the same table.
      stochastic: mini-batch gradients (default: when the problem has ``batch_grad``).
"""


def grid_search(method, problem: Problem, grid, steps: int = 200,
                objective: str = "final_loss", *, measure: str = "auto", tol: float = 1e-6,
                fixed: Mapping[str, Any] | None = None, x0=None, seed: int = 0,
                stochastic: bool | None = None) -> SearchResult:
    r"""Evaluate every point of a Cartesian grid in one compiled call.

    ``grid`` is data: a dict name -> values (``{"lr": np.geomspace(1e-3, 1, 32),
    "beta": [0.0, 0.9]}``); the candidates are the product, the last name varying
    fastest. The best candidate minimises the objective among runs with status ``ok``.

    %(args)s

    Returns:
      :class:`SearchResult` (``batch`` is 0 for every row).

    Example:
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])   # 2/(L+mu) = 2/11
      >>> res = grid_search("gd", p, {"lr": [0.05, 2 / 11, 0.25]}, steps=100,
      ...                   objective="rate")
      >>> round(res.best["lr"], 4), round(res.best_value, 6)   # rate 9/11
      (0.1818, 0.818182)
      >>> list(res.table.status)   # lr = 0.25 > 2/L: the lambda = 10 mode grows by 1.5
      ['ok', 'ok', 'diverged']
    """
    seed = check_count(seed, "seed", 0)
    params = parse_grid(grid)
    ev = _Evaluator(method, problem, list(params), steps, objective, measure, tol, fixed,
                    x0, seed, stochastic)
    value, status, div = ev(params, 0)
    return _result("grid", method, problem, objective, ev, params, value, status, div,
                   np.zeros(value.shape[0], dtype=np.int64), seed)


def random_search(method, problem: Problem, space, n_trials: int = 64, steps: int = 200,
                  objective: str = "final_loss", *, measure: str = "auto",
                  tol: float = 1e-6, fixed: Mapping[str, Any] | None = None, x0=None,
                  seed: int = 0, stochastic: bool | None = None) -> SearchResult:
    r"""Evaluate ``n_trials`` seeded random candidates in one compiled call.

    ``space`` is data: ``{"lr": ("log", 1e-4, 1.0), "beta": ("linear", 0.0, 0.99)}``;
    ``"log"`` draws log-uniformly (Bergstra & Bengio 2012), ``"linear"`` uniformly, from
    ``numpy.random.default_rng(seed)``.

    %(args)s
      n_trials: number of candidates (the budget), >= 1.

    Returns:
      :class:`SearchResult`.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> res = random_search("gd", p, {"lr": ("log", 1e-3, 1.0)}, n_trials=16, steps=50)
      >>> res.n_evals, int(res.table.budget_steps.iloc[-1])
      (16, 800)
    """
    seed = check_count(seed, "seed", 0)
    dims = parse_space(space)
    n_trials = check_count(n_trials, "n_trials", 1)
    params = sample_random(dims, n_trials, int(seed))
    ev = _Evaluator(method, problem, list(params), steps, objective, measure, tol, fixed,
                    x0, seed, stochastic)
    value, status, div = ev(params, 0)
    return _result("random", method, problem, objective, ev, params, value, status, div,
                   np.zeros(n_trials, dtype=np.int64), seed)


def bayes_search(method, problem: Problem, space, n_trials: int = 64, batch_size: int = 8,
                 steps: int = 200, objective: str = "final_loss", *, measure: str = "auto",
                 tol: float = 1e-6, fixed: Mapping[str, Any] | None = None, x0=None,
                 seed: int = 0, stochastic: bool | None = None) -> SearchResult:
    r"""Bayesian search with Optuna's TPE sampler through its ask/tell interface.

    Each round asks ``batch_size`` trials (``TPESampler(seed=seed, constant_liar=True)``:
    trials of a round still running count as bad, so a round spreads out), evaluates the
    round in one compiled call and tells the values (``inf`` for runs that did not
    finish ``ok``). Every round has the same array size (the last is padded by repeating
    its first trial; padded runs are not told nor counted), so the program compiles once.

    %(args)s
      n_trials: number of evaluations (the budget), >= 1.
      batch_size: trials per round, >= 1.

    Returns:
      :class:`SearchResult` (``batch`` is the round of each row).

    Example:
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> res = bayes_search("gd", p, {"lr": ("log", 1e-3, 1.0)}, n_trials=12,
      ...                    batch_size=4, steps=50)
      >>> res.n_evals, res.table.batch.tolist()[-4:]
      (12, [2, 2, 2, 2])

    References:
      Bergstra, Bardenet, Bengio & Kegl (2011), *Algorithms for hyper-parameter
      optimization*, NeurIPS; Akiba et al. (2019), *Optuna*, KDD.
    """
    import optuna

    seed = check_count(seed, "seed", 0)
    dims = parse_space(space)
    n_trials = check_count(n_trials, "n_trials", 1)
    batch_size = check_count(batch_size, "batch_size", 1)
    ev = _Evaluator(method, problem, [d.name for d in dims], steps, objective, measure, tol,
                    fixed, x0, seed, stochastic)
    dists = {d.name: optuna.distributions.FloatDistribution(d.lo, d.hi, log=d.kind == "log")
             for d in dims}
    sampler = optuna.samplers.TPESampler(seed=int(seed), constant_liar=True)
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no per-trial log lines
    try:
        study = optuna.create_study(direction="minimize", sampler=sampler)
        cols = {d.name: [] for d in dims}
        values, statuses, divs, batches = [], [], [], []
        for r in range(math.ceil(n_trials / batch_size)):
            m = min(batch_size, n_trials - r * batch_size)
            trials = [study.ask(dists) for _ in range(m)]
            rows = trials + [trials[0]] * (batch_size - m)
            params = {k: np.array([t.params[k] for t in rows]) for k in dists}
            value, status, div = ev(params, r * batch_size)
            for i, t in enumerate(trials):
                study.tell(t, float(value[i]))
            for k in dists:
                cols[k].extend(params[k][:m].tolist())
            values.append(value[:m])
            statuses.append(status[:m])
            divs.append(div[:m])
            batches.extend([r] * m)
    finally:
        optuna.logging.set_verbosity(verbosity)
    params = {k: np.asarray(v) for k, v in cols.items()}
    return _result("bayes", method, problem, objective, ev, params, np.concatenate(values),
                   np.concatenate(statuses), np.concatenate(divs),
                   np.asarray(batches, dtype=np.int64), seed)


for _f in (grid_search, random_search, bayes_search):
    _f.__doc__ = _f.__doc__.replace("%(args)s", _DOC_ARGS.strip())
