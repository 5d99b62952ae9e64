"""Benchmark problems: a registry of named problems plus user problems from formulas.

``get(name, **params)`` builds a registered problem; ``names()`` lists them. Families:
:mod:`.quadratic`, analytic test functions (:mod:`.functions`), small landscapes with
exact critical points (:mod:`.landscapes`), data-set problems (:mod:`.datasets`) and
neural networks on the digits (:mod:`.nets`), the 35 Moré-Garbow-Hillstrom test
functions (:mod:`.mgh_set`, registered as ``"mgh_<name>"``) and the 24 COCO/BBOB functions
(:func:`bbob`, :func:`bbob_suite`; JAX, instance by instance). Your own problems:
:func:`from_expr` (a formula, derivatives by SymPy) and :func:`from_jax` (a JAX function,
derivatives by autodiff).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

from lrtheory import _x64  # noqa: F401  (float64 before any JAX array: lrtheory.config)

from ._base import Problem, as_x, draw_starts, from_expr, parse_expr
from ._jax import from_jax
from .bbob import bbob, bbob_suite
from .datasets import least_squares, logistic
from .functions import ackley, beale, booth, himmelblau, rastrigin, rosenbrock
from .landscapes import double_well, saddle, scalar_smooth, x4
from .mgh_set import mgh, mgh_names
from .nets import cnn, mlp
from .quadratic import quadratic

_FACTORIES = (rosenbrock, beale, booth, himmelblau, rastrigin, ackley, double_well, saddle,
              scalar_smooth, x4, least_squares, logistic, mlp, cnn)

__all__ = ["Problem", "draw_starts", "from_expr", "from_jax", "parse_expr", "as_x", "quadratic",
           "get", "names", "register", "mgh", "mgh_names", "bbob", "bbob_suite",
           *(f.__name__ for f in _FACTORIES)]

_REGISTRY: dict[str, Callable[..., Problem]] = {}


def register(name: str):
    """Decorator: register a problem factory under ``name`` (each name once).

    Example:
      >>> register("quadratic")(lambda: None)
      Traceback (most recent call last):
      ...
      ValueError: problem 'quadratic' is already registered
    """

    def deco(factory):
        if name in _REGISTRY:
            raise ValueError(f"problem {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return deco


def names() -> list[str]:
    """Registered problem names, sorted.

    Example:
      >>> names()[:4]
      ['ackley', 'beale', 'booth', 'cnn']
    """
    return sorted(_REGISTRY)


def get(name: str, **params) -> Problem:
    """Build the registered problem ``name`` with its parameters.

    Example:
      >>> get("quadratic", dim=2, cond=4.0).data["eigenvalues"].tolist()
      [1.0, 4.0]
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise ValueError(f"unknown problem name={name!r}{hint} Known: {names()}")
    return _REGISTRY[name](**params)


register("quadratic")(lambda **kw: quadratic(dim=kw.pop("dim", 10), cond=kw.pop("cond", 10.0),
                                             **kw))
for _factory in _FACTORIES:
    register(_factory.__name__)(_factory)
for _name in mgh_names():  # the Moré-Garbow-Hillstrom set: "mgh_rosenbrock", ...
    register(f"mgh_{_name}")(functools.partial(mgh, _name))
del _factory, _name
