"""Learning-rate schedules: optax-compatible, jit-safe, hyperparameters as data.

Every constructor returns a :class:`Schedule`, a callable ``k -> lr_k`` that optax accepts
wherever it takes a schedule (``optax.sgd(schedules.exponential(0.1, 1e-3))``). A schedule
is a JAX pytree whose leaves are its numeric hyperparameters, so a sweep over decay
constants compiles once: pass the ``Schedule`` (or its parameters) as an argument of the
jitted / vmapped function, never close over Python floats. Values are checked (``ValueError``
naming the argument) only when they are concrete; traced values are taken as given.

optax's polynomial, cosine and one-cycle schedules branch in Python on ``transition_steps``
(``if transition_steps <= 0``) and one-cycle calls ``int(pct_start * transition_steps)``,
so their horizons cannot be traced; the versions here are written with ``jnp.where`` and are
checked against optax at concrete values in ``tests/test_schedules.py``.

Example:
  >>> from lrtheory import schedules
  >>> s = schedules.get("time_based", lr0=0.1, d=0.5)
  >>> print(f"{float(s(2)):.4f}")
  0.0500
  >>> schedules.names()[:3]
  ('constant', 'cosine', 'exp_range')
"""

from lrtheory import _x64  # noqa: F401  (float64 before any JAX array: lrtheory.config)
from lrtheory.schedules._base import Schedule, get, names
from lrtheory.schedules._decay import (
    constant,
    cosine,
    exponential,
    polynomial,
    step,
    time_based,
    time_based_recursive,
)
from lrtheory.schedules._warmup_cyclic import (
    exp_range,
    onecycle_cosine,
    onecycle_linear,
    triangular,
    triangular2,
    warmup,
)

__all__ = ["Schedule", "get", "names", "constant", "time_based", "time_based_recursive",
           "step", "exponential", "polynomial", "cosine", "warmup", "triangular",
           "triangular2", "exp_range", "onecycle_cosine", "onecycle_linear"]
