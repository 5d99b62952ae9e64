"""The :class:`Method` protocol, learning-rate checks and the optax adapter.

A method is a pair of pure functions over a flat parameter vector ``x``::

    init(x) -> state
    step(x, state, problem, k, key) -> (x_next, state_next)

``k`` is the iteration index (a traced integer) and ``key`` a PRNG key for mini-batch
gradients (``None`` for full-batch runs). Both are PyTree-valued, so :func:`lrtheory.run`
can ``lax.scan`` them and :func:`lrtheory.sweep` can ``vmap`` them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import numpy as np
import optax

__all__ = ["Method", "from_optax", "as_method", "lr_at", "check_lr", "MAX_DENSE_DIM"]

Array = jax.Array

#: Largest dimension for which methods that form a dense dim x dim matrix (Newton's
#: Hessian, BFGS's inverse) are applicable: beyond it one Hessian costs dim gradient passes
#: (the 810-parameter CNN: minutes per compiled Newton step on a CPU).
MAX_DENSE_DIM = 500


@dataclasses.dataclass(frozen=True, eq=False)
class Method:
    """A method: ``init(x) -> state`` and ``step(x, state, problem, k, key)``.

    Attributes:
      name: label used in tables.
      init, step: the pure functions (see the module docstring).
      lr: the learning rate (number, schedule or traced array) when the method has one,
        so trajectories can record it; ``None`` for opaque transformations.
      needs: what the method requires of a problem: a subset of ``{"hess", "scalar",
        "quadratic"}`` (second derivatives, one variable, a quadratic objective).
      hyper: the hyperparameters it was built with (for tables).
      takes_grad: ``step`` accepts ``g=``, the full-batch gradient at ``x`` that the run
        loop already computed for its record (one gradient per step instead of two).

    Example (a method that halves ``x`` each step; on f = x^2/2 the minimiser is 0):
      >>> from lrtheory.problems import quadratic
      >>> from lrtheory.run import run
      >>> halve = Method("halve", init=lambda x: (), step=lambda x, s, p, k, key: (x / 2, s))
      >>> run(halve, quadratic([[1.0]], x0=[1.0]), steps=3).dist.tolist()
      [1.0, 0.5, 0.25, 0.125]
    """

    name: str
    init: Callable[[Array], Any]
    step: Callable[..., tuple[Array, Any]]
    lr: Any = None
    needs: frozenset[str] = frozenset()
    hyper: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    takes_grad: bool = False


def lr_at(lr, k):
    """The learning rate at step ``k``: ``lr(k)`` for a schedule, else ``lr``.

    Example:
      >>> lr_at(0.1, 5), lr_at(lambda k: 0.1 / (k + 1), 4)
      (0.1, 0.02)
    """
    return lr(k) if callable(lr) else lr


def check_lr(lr, name: str = "lr") -> None:
    """Reject negative, zero or non-finite learning rates when they are concrete.

    Traced values (inside ``jit``/``vmap``) cannot be checked here. A concrete schedule
    is checked at step 0, where it may be 0 (a warm-up that starts from zero) but not
    negative or non-finite.

    Example:
      >>> check_lr(0.1)
      >>> check_lr(lambda k: 0.1 * k)  # linear warm-up from 0: allowed
      >>> check_lr(lambda k: -0.1 + 0.0 * k)
      Traceback (most recent call last):
      ...
      ValueError: lr must be non-negative and finite at step 0; got -0.1
    """
    schedule = callable(lr)
    if schedule:
        try:
            value = lr(0)
        except Exception:  # a schedule that only works traced; nothing to check
            return
    else:
        value = lr
    if isinstance(value, jax.core.Tracer):
        return
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a number, an array or a schedule; got {lr!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be a number, an array or a schedule; got {lr!r}") from e
    if schedule:
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{name} must be non-negative and finite at step 0; "
                             f"got {arr.tolist()}")
    elif not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be positive and finite; got {value!r}")


def from_optax(tx: optax.GradientTransformation, name: str = "optax", lr=None) -> Method:
    """Wrap an optax transformation: ``g = grad f(x)``, ``u, s = tx.update(g, s, x)``,
    ``x <- x + u``. Transformations that take extra arguments (line searches such as
    ``optax.lbfgs``) receive ``value``, ``grad`` and ``value_fn``.

    Example:
      >>> m = from_optax(optax.sgd(0.1), name="gd", lr=0.1)
      >>> m.name, m.lr
      ('gd', 0.1)
    """
    if not isinstance(tx, optax.GradientTransformation):
        raise TypeError(f"tx must be an optax.GradientTransformation; got {type(tx).__name__}")
    extra = isinstance(tx, optax.GradientTransformationExtraArgs)

    def step(x, state, problem, k, key=None, g=None):
        if g is None or (key is not None and problem.batch_grad is not None):
            g = problem.gradient(x, key)
        if extra:
            updates, state = tx.update(g, state, x, value=problem.value(x), grad=g,
                                       value_fn=problem.value)
        else:
            updates, state = tx.update(g, state, x)
        return optax.apply_updates(x, updates), state

    return Method(name=name, init=tx.init, step=step, lr=lr, takes_grad=True)


def as_method(method) -> Method:
    """Accept a :class:`Method` or any optax transformation (wrapped unchanged).

    Example:
      >>> m = from_optax(optax.sgd(0.1), name="gd", lr=0.1)
      >>> as_method(optax.adam(1e-3)).name, as_method(m) is m
      ('optax', True)
    """
    if isinstance(method, Method):
        return method
    if isinstance(method, optax.GradientTransformation):
        return from_optax(method)
    if isinstance(method, str):
        raise TypeError(
            f"method={method!r}: build named methods with lrtheory.methods.get({method!r}, "
            "lr=...) so the learning rate is explicit")
    raise TypeError(
        f"method must be a lrtheory Method or an optax.GradientTransformation; got "
        f"{type(method).__name__}")
