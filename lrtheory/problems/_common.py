"""Small helpers shared by the problem families: argument checks and random starts."""

from __future__ import annotations

import numbers
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["check_int", "check_real", "uniform_sampler", "float64_arrays"]


def check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]``; otherwise an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        allowed = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be an integer {allowed}; got {value}")
    return value


def check_real(name: str, value, *, positive: bool = False) -> float:
    """``value`` as a finite float (``> 0`` with ``positive``, else ``>= 0``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    bad = not np.isfinite(value) or value < 0 or (positive and value == 0)
    if bad:
        raise ValueError(f"{name} must be finite and {'> 0' if positive else '>= 0'}; "
                         f"got {value!r}")
    return value


def uniform_sampler(lo: float, hi: float, dim: int) -> Callable[[jax.Array], jax.Array]:
    """``key -> x0`` uniform on the box :math:`[lo, hi]^{dim}`."""

    def sample(key):
        return jax.random.uniform(key, (dim,), minval=lo, maxval=hi)

    sample.__doc__ = f"Uniform start on [{lo}, {hi}]^{dim}."
    return sample


def float64_arrays(*arrays) -> tuple[jax.Array, ...]:
    """JAX copies of data a problem closes over, float64 whatever JAX's global 64-bit flag.

    Made inside ``jax.enable_x64(True)``: with ``LRTHEORY_X64=local`` (see
    :mod:`lrtheory.config`) the flag is off when a problem is built, and a plain
    ``jnp.asarray`` would round the data to float32 before any float64 run sees it.
    """
    with jax.enable_x64(True):
        return tuple(jnp.asarray(a) for a in arrays)
