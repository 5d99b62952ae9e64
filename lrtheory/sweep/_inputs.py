"""Checking and normalising the arguments of :func:`lrtheory.sweep.sweep`.

Every check raises ``ValueError``/``TypeError`` naming the argument, the value and what is
allowed, before anything is traced or computed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import methods, schedules
from .._checks import check_count
from ..problems import Problem

__all__ = ["MethodSpec", "ScheduleSpec", "logspace", "method_specs", "schedule_specs",
           "check_problems", "RESERVED"]

#: Column names of the table that hyperparameter names may not take.
RESERVED = frozenset({
    "problem", "problem_key", "method", "schedule", "lr", "seed", "status", "diverged_at",
    "final_f", "final_error", "error_measure", "steps_to_tol", "run", "k",
})


class MethodSpec(NamedTuple):
    """One method of a sweep: its label, ``factory(lr_or_schedule, **hyper)`` and the
    grid of its extra hyperparameters (name -> 1-D float array)."""

    label: str
    factory: Callable[..., Any]
    hyper: Mapping[str, np.ndarray]
    registry_name: str | None


class ScheduleSpec(NamedTuple):
    """One schedule of a sweep: its label, ``builder(lr, **params)`` (``None``: constant
    learning rate) and the grid of its parameters (name -> 1-D float array)."""

    label: str
    builder: Callable[..., Any] | None
    params: Mapping[str, np.ndarray]


def logspace(lo: float, hi: float, n: int) -> np.ndarray:
    r"""``n`` learning rates spaced evenly in :math:`\log`: :math:`lo \cdot (hi/lo)^{i/(n-1)}`.

    Args:
      lo, hi: positive, finite ends (both included; ``lo > hi`` gives a decreasing grid).
      n: number of values, ``>= 1`` (``n = 1`` gives ``[lo]``).

    Returns:
      A float64 NumPy array of shape ``(n,)``.

    Example:
      >>> logspace(1e-3, 1e-1, 3).tolist()
      [0.001, 0.01, 0.1]
    """
    for name, v in (("lo", lo), ("hi", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a positive finite number; got {name}={v!r}")
    n = check_count(n, "n")
    out = np.geomspace(float(lo), float(hi), int(n))
    out[0] = lo  # geomspace's ends are exact already on most platforms; make sure
    if n > 1:
        out[-1] = hi
    return out


def check_problems(problems: Any) -> list[Problem]:
    if isinstance(problems, Problem):
        return [problems]
    if isinstance(problems, (list, tuple)) and problems and all(
            isinstance(p, Problem) for p in problems):
        return list(problems)
    raise TypeError(f"problems must be a Problem or a non-empty list of Problems; "
                    f"got {problems!r}")


def _grid(owner: str, params: Any) -> dict[str, np.ndarray]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"{owner} must be a dict name -> values; got {params!r}")
    out = {}
    for k, v in params.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ValueError(f"{owner} names must be identifiers; got {k!r}")
        if k in RESERVED:
            raise ValueError(f"{owner} name {k!r} clashes with a table column; "
                             f"reserved: {sorted(RESERVED)}")
        try:
            arr = np.asarray(v, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{owner}[{k!r}] must be numbers; got {v!r}") from e
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(f"{owner}[{k!r}] must be a non-empty array of finite numbers; "
                             f"got {v!r}")
        out[k] = arr
    return out


def _registry_method(name: str, lr, **hyper):
    return methods.get(name, lr=lr, **hyper)


def _label_of(fn: Callable) -> str:
    name = getattr(fn, "__name__", None)
    return "method" if not name or name == "<lambda>" else name


def _one_method(label: str | None, spec: Any, hyper: Any) -> MethodSpec:
    if isinstance(spec, tuple):
        if len(spec) != 2 or hyper is not None:
            raise ValueError(f"a method given as a tuple must be (factory, hyper_dict) and "
                             f"then the hyper= argument must be None; got {spec!r}")
        spec, hyper = spec
    grid = _grid("hyper", hyper)
    if isinstance(spec, str):
        try:
            meta = methods.info(spec)
        except ValueError as e:
            raise ValueError(f"method_factory={spec!r} is not a registered method: {e}") from e
        unknown = set(grid) - set(meta.defaults)
        if unknown:
            raise ValueError(f"hyper={sorted(unknown)} are not hyperparameters of method "
                             f"{spec!r}; allowed: {sorted(meta.defaults)}")
        meta.params(grid)  # every value of every hyperparameter grid, not only the first
        return MethodSpec(label or spec, functools.partial(_registry_method, spec), grid, spec)
    if callable(spec):
        return MethodSpec(label or _label_of(spec), spec, grid, None)
    raise TypeError(f"method_factory must be a registry name, a callable lr -> method or a "
                    f"dict of them; got {spec!r}")


def method_specs(method_factory: Any, hyper: Any) -> list[MethodSpec]:
    """Normalise ``method_factory`` (name, callable, or dict label -> either)."""
    if isinstance(method_factory, Mapping):
        if not method_factory:
            raise ValueError("method_factory must not be an empty dict")
        out = []
        for label, spec in method_factory.items():
            if not isinstance(label, str) or not label:
                raise ValueError(f"method_factory labels must be non-empty strings; "
                                 f"got {label!r}")
            out.append(_one_method(label, spec, hyper))
        return out
    return [_one_method(None, method_factory, hyper)]


def _peak_name(name: str) -> str:
    build = getattr(schedules, name, None)
    params = list(inspect.signature(build).parameters) if build is not None else []
    if not params or params[0] not in ("lr0", "lr_max"):
        raise ValueError(f"schedule {name!r} does not take a peak learning rate as its first "
                         f"argument; pass a builder lambda lr, ...: schedules.{name}(...)")
    return params[0]


def _registry_schedule(name: str, peak: str, lr, **params):
    return schedules.get(name, **{peak: lr}, **params)


def schedule_specs(spec: Any) -> list[ScheduleSpec]:
    """Normalise ``schedules``: ``None`` or a dict label -> builder | name | (either,
    params)."""
    if spec is None:
        return [ScheduleSpec("constant", None, {})]
    if not isinstance(spec, Mapping) or not spec:
        raise TypeError(f"schedules must be None or a non-empty dict label -> builder; "
                        f"got {spec!r}")
    out = []
    for label, item in spec.items():
        if not isinstance(label, str) or not label:
            raise ValueError(f"schedules labels must be non-empty strings; got {label!r}")
        params = None
        if isinstance(item, tuple):
            if len(item) != 2:
                raise ValueError(f"schedules[{label!r}] must be a builder or (builder, params);"
                                 f" got {item!r}")
            item, params = item
        if isinstance(item, str):
            if item not in schedules.names():
                raise ValueError(f"schedules[{label!r}]={item!r} is not a registered "
                                 f"schedule; known: {', '.join(schedules.names())}")
            item = functools.partial(_registry_schedule, item, _peak_name(item))
        if not callable(item):
            raise TypeError(f"schedules[{label!r}] must be callable (lr, **params) -> "
                            f"schedule; got {item!r}")
        out.append(ScheduleSpec(label, item, _grid(f"schedules[{label!r}] params", params)))
    return out
