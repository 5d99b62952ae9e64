"""The :class:`Schedule` value, the registry and the checks shared by every schedule."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


@jax.tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True, eq=False)
class Schedule:
    """A named learning-rate schedule ``k -> lr_k`` whose hyperparameters are pytree leaves.

    Numeric parameters (Python numbers, NumPy or JAX arrays, tracers) and nested schedules
    are children of the pytree; strings and plain callables (e.g. an optax schedule under
    :func:`warmup`) are static. ``jax.vmap`` over a ``Schedule`` whose leaves share a
    leading axis evaluates a batch of schedules; :meth:`broadcast` builds one.

    Example:
      >>> s = Schedule("exponential", {"lr0": 0.1, "d": 0.0})
      >>> float(s(7))
      0.1
    """

    name: str
    params: dict[str, Any]

    def __call__(self, count):
        leaves = [x for x in jax.tree.leaves(self) if not isinstance(x, str)]
        k = jnp.asarray(count).astype(jnp.result_type(*leaves, float))
        return _REGISTRY[self.name].formula(k, **self.params)

    def broadcast(self) -> Schedule:
        """All leaves as arrays of one common shape, ready for ``jax.vmap(..., in_axes=0)``.

        Example:
          >>> from lrtheory import schedules
          >>> s = schedules.exponential(lr0=jnp.array([0.1, 0.2]), d=0.0).broadcast()
          >>> jax.vmap(lambda s: s(3))(s).tolist()
          [0.1, 0.2]
        """
        leaves = jax.tree.leaves(self)
        shape = np.broadcast_shapes(*(np.shape(x) for x in leaves))
        return jax.tree.map(lambda x: jnp.broadcast_to(jnp.asarray(x), shape), self)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Schedule({self.name!r}, {args})"

    def tree_flatten(self):
        keys = tuple(self.params)
        static = tuple(v if _is_static(v) else None for v in self.params.values())
        children = tuple(None if _is_static(v) else v for v in self.params.values())
        return children, (self.name, keys, static)

    @classmethod
    def tree_unflatten(cls, aux, children):
        name, keys, static = aux
        values = (s if s is not None else c for s, c in zip(static, children, strict=True))
        return cls(name, dict(zip(keys, values, strict=True)))


def _is_static(v) -> bool:
    return isinstance(v, str) or (callable(v) and not isinstance(v, Schedule))


class _Entry(NamedTuple):
    build: Callable[..., Schedule]
    formula: Callable[..., jax.Array]


_REGISTRY: dict[str, _Entry] = {}


def _register(formula):
    def deco(build):
        _REGISTRY[build.__name__] = _Entry(build, formula)
        return build
    return deco


def names() -> tuple[str, ...]:
    """The registered schedule names, sorted.

    Example:
      >>> from lrtheory import schedules
      >>> "exponential" in schedules.names()
      True
    """
    return tuple(sorted(_REGISTRY))


def get(name: str, **params) -> Schedule:
    """The schedule registered as ``name`` with hyperparameters ``params``.

    Works with traced ``params`` (inside ``jit``/``vmap``), so a sweep can build the
    schedule from array arguments and compile once.

    Args:
      name: one of :func:`names`.
      **params: the keyword arguments of the constructor of the same name.

    Returns:
      The :class:`Schedule`.

    Example:
      >>> from lrtheory import schedules
      >>> print(f"{float(schedules.get('step', lr0=1.0, d=0.5, r=10)(9)):.2f}")
      0.50
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown schedule name={name!r}; known: {', '.join(names())}")
    return _REGISTRY[name].build(**params)


# -- validation (concrete values only) -----------------------------------------------------

def _check(arg: str, value, ok: Callable[[np.ndarray], np.ndarray], allowed: str) -> None:
    """Raise ValueError naming ``arg`` unless every element of a concrete ``value`` is ok."""
    if isinstance(value, jax.core.Tracer):
        return  # traced values cannot be inspected; the sweep engine owns their range
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{arg} must be a real number or array, got {value!r}") from err
    if not np.all(ok(a)):
        raise ValueError(f"{arg} must be {allowed}, got {arg}={value!r}")


def _nonneg(arg, v):
    _check(arg, v, lambda a: a >= 0, ">= 0 (finite)")
    _check(arg, v, np.isfinite, "finite")


def _positive(arg, v):
    _check(arg, v, lambda a: a > 0, "> 0 (finite)")
    _check(arg, v, np.isfinite, "finite")


def _unit(arg, v, low_open=False):
    if low_open:
        _check(arg, v, lambda a: (a > 0) & (a <= 1), "in (0, 1]")
    else:
        _check(arg, v, lambda a: (a >= 0) & (a <= 1), "in [0, 1]")


def _schedule(name, **params) -> Schedule:
    return Schedule(name, params)
