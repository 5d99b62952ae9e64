r"""Optimisation methods: one spec per method, one registry, the optax adapter.

A method is a pair of pure functions over a flat parameter vector ``x``::

    init(x) -> state
    step(x, state, problem, k, key) -> (x_next, state_next)

``k`` is the iteration index (a traced integer) and ``key`` a PRNG key for mini-batch
gradients (``None`` for full-batch runs). Both are PyTree-valued, so :func:`lrtheory.run`
can ``lax.scan`` them and :func:`lrtheory.sweep` can ``vmap`` them. Any
``optax.GradientTransformation`` is accepted wherever a method is (:func:`as_method` wraps
it with :func:`from_optax`).

Each registered method is a :class:`MethodSpec` (:func:`spec`, :func:`info`): the update
rule exactly as computed, its conventions (which iterate is recorded, how the state
starts, line searches), its hyperparameters with defaults and allowed ranges
(:class:`Hyper`, checked by :func:`get`), what it needs of a problem, a JAX step, an
mpmath step of the same algorithm (run by :func:`lrtheory.precision.run_mp`) and the
theory that predicts it (:class:`TheoryHook`, :meth:`MethodSpec.predict`). What is data in
a spec (rule, conventions, references, hyperparameters) is read from ``methods.toml`` in
this package; the code (steps, theory hooks) is bound to it by name in ``_catalogue.py``.

Learning rates may be a number, a schedule ``k -> lr`` (see :mod:`lrtheory.schedules`) or
a traced array, so sweeps vary them without recompiling.

Example:
  >>> [n for n in names() if "root" in info(n).modes]
  ['damped_newton', 'halley', 'newton', 'secant']
  >>> get("heavy_ball", lr=0.1, beta=0.5).name
  'momentum'
  >>> info("adagrad").summary.split(", ")[1]
  'x_{k+1} = x_k - lr g_k / sqrt(s_{k+1} + eps) (0 where s_{k+1} = 0)'
"""

from ._base import MAX_DENSE_DIM, Method, as_method, check_lr, from_optax, lr_at
from ._mp_steps import Breakdown, MpContext
from ._registry import REGISTRY, applicable, factory, get, info, names, spec
from ._spec import Hyper, MethodSpec, TheoryHook

__all__ = ["Method", "MethodSpec", "Hyper", "TheoryHook", "MpContext", "Breakdown",
           "REGISTRY", "from_optax", "as_method", "get", "names", "info", "spec", "factory",
           "applicable", "lr_at", "check_lr", "MAX_DENSE_DIM"]
