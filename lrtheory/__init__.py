"""lrtheory: how fast optimizers converge, and how that depends on the learning rate.

Theory (SymPy, :mod:`lrtheory.theory`) beside measurement (JAX, :func:`run`,
:func:`sweep`, :func:`estimate_order`).

Importing lrtheory turns on JAX's float64 (``jax_enable_x64``): order estimation needs
the digits. Float32 is opt-in where throughput matters (``sweep(..., dtype="float32")``).

Example:
  >>> import optax, lrtheory as lrt
  >>> p = lrt.problems.quadratic(dim=4, cond=10.0, seed=0)
  >>> traj = lrt.run(optax.sgd(0.1), p, steps=200)
  >>> bool(traj.dist[-1] < 1e-8)
  True
"""

from __future__ import annotations

import importlib

import jax

jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"

# Functions that share their module's name are imported eagerly: importing the submodule
# would otherwise shadow the function with the module object.
from .run import run  # noqa: E402, F401
from .sweep import logspace, sweep  # noqa: E402, F401

# Public names -> (module, attribute). Loaded on first use so that importing one layer
# does not import all of them.
_LAZY = {
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
               "tuning", "trajectory", "cli"}

__all__ = sorted(set(_LAZY) | _SUBMODULES | {"__version__", "run", "sweep", "logspace"})


def __getattr__(name: str):
    if name in _LAZY:
        mod, attr = _LAZY[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        # "sweep" and "run" are functions; their modules are lrtheory.sweep / lrtheory.run
        return importlib.import_module(f"lrtheory.{name}")
    raise AttributeError(f"module 'lrtheory' has no attribute {name!r}")
