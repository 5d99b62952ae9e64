"""The one registry of methods, read by the JAX layer and by :mod:`lrtheory.precision`."""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable
from typing import Any

from ._base import MAX_DENSE_DIM, Method, as_method
from ._catalogue import SPECS
from ._spec import MethodSpec

__all__ = ["REGISTRY", "spec", "names", "info", "get", "factory", "applicable"]


def _build(specs) -> tuple[types.MappingProxyType, types.MappingProxyType]:
    by_name, alias = {}, {}
    for s in specs:
        for n in (s.name, *s.aliases):
            if n in by_name or n in alias:
                raise ValueError(f"method name {n!r} is registered twice")
            alias[n] = s.name
        by_name[s.name] = s
    return types.MappingProxyType(by_name), types.MappingProxyType(alias)


#: Every registered :class:`MethodSpec` by name (read-only; aliases not included).
REGISTRY, _ALIAS = _build(SPECS)


def names() -> list[str]:
    """Registered method names, sorted (aliases such as ``heavy_ball`` not included).

    Example:
      >>> names()[:4]
      ['adadelta', 'adagrad', 'adam', 'bfgs']
    """
    return sorted(REGISTRY)


def spec(name: str) -> MethodSpec:
    """The :class:`MethodSpec` of ``name`` or of an alias (``heavy_ball`` is ``momentum``).

    Example:
      >>> spec("heavy_ball").name, spec("adagrad").defaults
      ('momentum', {'initial_accumulator_value': 0.1, 'eps': 1e-07})
    """
    if not isinstance(name, str) or name not in _ALIAS:
        close = difflib.get_close_matches(str(name), _ALIAS, n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise ValueError(f"unknown method name={name!r}{hint} Known: {names()}")
    return REGISTRY[_ALIAS[name]]


def info(name: str) -> MethodSpec:
    """The spec of ``name``: update rule (``summary``), ``conventions``, ``defaults``,
    ``lr_required``, ``needs`` (the same object as :func:`spec`).

    Example:
      >>> m = info("newton")
      >>> m.lr_required, sorted(m.needs), m.defaults
      (False, ['hess'], {})
    """
    return spec(name)


def get(name: str, lr=None, **hyper) -> Method:
    """Build the registered method ``name`` as a JAX :class:`Method`.

    Args:
      name: one of :func:`names`, or an alias.
      lr: learning rate (number, schedule ``k -> lr`` or traced array). Required for
        first-order methods; defaults to 1 where :func:`info` says ``lr_required=False``
        (Newton-type methods, secant, Halley, the initial trial step of line searches,
        Adadelta).
      **hyper: overrides of ``info(name).defaults``, each checked against its range
        (momentum's ``beta`` must satisfy ``0 <= beta < 1``).

    Example:
      >>> m = get("momentum", lr=0.01, beta=0.5)
      >>> m.name, m.hyper["beta"]
      ('momentum', 0.5)
      >>> get("momentum", lr=0.01, beta=1.5)
      Traceback (most recent call last):
      ...
      ValueError: beta of method 'momentum' must satisfy 0 <= beta < 1; got beta=1.5
    """
    return spec(name).build(lr, **hyper)


def factory(name: str, **hyper) -> Callable[[Any], Method]:
    """``lr -> Method`` for sweeps and the range test: ``factory("adam")(lr)``.

    Example:
      >>> m = factory("momentum", beta=0.5)(0.1)
      >>> m.lr, m.hyper
      (0.1, {'beta': 0.5})
    """
    s = spec(name)
    s.params(hyper)  # fail now on a bad hyperparameter, not at the first lr
    return lambda lr: s.build(lr, **hyper)


def applicable(method, problem) -> tuple[bool, str]:
    """Whether ``method`` (a name or a Method) can run on ``problem``, and why not.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> applicable("secant", quadratic(dim=2, cond=2.0))
      (False, 'needs a one-variable problem; quadratic has dim=2')
    """
    needs = spec(method).needs if isinstance(method, str) else as_method(method).needs
    if "scalar" in needs and problem.dim != 1:
        return False, f"needs a one-variable problem; {problem.name} has dim={problem.dim}"
    if "quadratic" in needs and not problem.is_quadratic:
        return False, f"needs a quadratic problem; {problem.name} is not"
    if needs & {"hess", "dense"} and problem.dim > MAX_DENSE_DIM:
        return False, (f"needs a dense dim x dim matrix; dim={problem.dim} exceeds "
                       f"{MAX_DENSE_DIM}")
    return True, ""
