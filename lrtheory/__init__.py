"""lrtheory: how fast optimizers converge, and how that depends on the learning rate.

Theory (SymPy, :mod:`lrtheory.theory`) beside measurement (JAX, :func:`run`,
:func:`sweep`, :func:`estimate_order`).

``import lrtheory`` is light: it imports neither JAX nor SymPy. Every public name is loaded
on first use (``dir(lrtheory)`` lists them all), so ``lrtheory --help`` answers without
JAX. lrtheory computes in float64; how it gets JAX's 64-bit mode (process-wide when its JAX
layer is first imported, or only inside its own calls with ``LRTHEORY_X64=local``) is
described in :mod:`lrtheory.config`. Float32 is opt-in where throughput matters
(``run(..., dtype="float32")``, ``sweep(..., dtype="float32")``).

Example:
  >>> import optax, lrtheory as lrt
  >>> p = lrt.problems.quadratic(dim=4, cond=10.0, seed=0)
  >>> traj = lrt.run(optax.sgd(0.1), p, steps=200)
  >>> bool(traj.dist[-1] < 1e-8)
  True
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

# Public names -> (module, attribute), loaded on first use so that importing lrtheory (or
# one of its layers) does not import all of them.
_LAZY = {
    "run": ("lrtheory.run", "run"),
    "sweep": ("lrtheory.sweep", "sweep"),
    "logspace": ("lrtheory.sweep", "logspace"),
    "Trajectory": ("lrtheory.trajectory", "Trajectory"),
    "Method": ("lrtheory.methods", "Method"),
    "from_optax": ("lrtheory.methods", "from_optax"),
    "estimate_order": ("lrtheory.estimate", "estimate_order"),
    "OrderEstimate": ("lrtheory.estimate", "OrderEstimate"),
    "compare": ("lrtheory.theory", "compare"),
    "find_lr": ("lrtheory.tuning", "find_lr"),
    "grid_search": ("lrtheory.tuning", "grid_search"),
    "random_search": ("lrtheory.tuning", "random_search"),
    "bayes_search": ("lrtheory.tuning", "bayes_search"),
    "estimate_orders": ("lrtheory.estimate", "estimate_orders"),
    "per_iteration": ("lrtheory.estimate", "per_iteration"),
    "run_mp": ("lrtheory.precision", "run_mp"),
    "LRFinderResult": ("lrtheory.tuning", "LRFinderResult"),
    "SearchResult": ("lrtheory.tuning", "SearchResult"),
}
_SUBMODULES = {"problems", "methods", "theory", "schedules", "precision", "plots", "estimate",
               "tuning", "trajectory", "cli", "config"}
# Public functions that share a submodule's name: ``lrtheory.run`` is the function
# ``lrtheory.run.run`` (its module stays reachable as ``sys.modules["lrtheory.run"]`` and
# through ``from lrtheory.run import ...``).
_FUNCTION_NAMES = {"run", "sweep"}

__all__ = sorted(set(_LAZY) | _SUBMODULES | {"__version__"})


class _Package(types.ModuleType):
    """lrtheory's module type: keeps ``lrtheory.run`` / ``lrtheory.sweep`` the functions.

    Importing a submodule makes Python set it as an attribute of its package
    (``lrtheory.run = <module lrtheory.run>``), which would shadow the function of the
    same name; this type ignores exactly that assignment, so the lazy loader below serves
    the function whether or not the submodule was imported first. (Python supports
    setting a module's ``__class__`` to a ``ModuleType`` subclass for attribute hooks.)
    """

    def __setattr__(self, name, value):
        if name in _FUNCTION_NAMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


def __getattr__(name: str):
    if name in _LAZY:
        mod, attr = _LAZY[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"lrtheory.{name}")
    raise AttributeError(f"module 'lrtheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


sys.modules[__name__].__class__ = _Package
