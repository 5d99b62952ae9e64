"""The argument checks that every entry point shares: counts, seeds, the blow-up bound,
learning rates and the recording stride.

JAX-free (NumPy only), so the command line and the theory can use them without importing
JAX. Each check returns the normalised value or raises ``ValueError`` / ``TypeError``
whose message names the argument and the value, e.g. ``steps must be an integer >= 1;
got steps=0``. One rule per concept, the same in :func:`lrtheory.run`,
:func:`lrtheory.sweep.sweep`, :mod:`lrtheory.tuning` and :func:`lrtheory.precision.run_mp`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["check_count", "check_steps", "check_seeds", "check_blowup", "check_positive",
           "check_lrs", "check_record_every", "SEED_LIMIT"]

#: Seeds lie in ``[0, SEED_LIMIT)``: they fit the 32-bit integers of float32 runs.
SEED_LIMIT = 2**31


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def check_count(value: Any, name: str, minimum: int = 1) -> int:
    """An integer ``>= minimum`` (a bool is not an integer here).

    Example:
      >>> check_count(5, "steps")
      5
      >>> check_count(True, "steps")
      Traceback (most recent call last):
      ...
      ValueError: steps must be an integer >= 1; got steps=True
    """
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {name}={value!r}")
    return int(value)


def check_steps(steps: Any, minimum: int = 1) -> int:
    """``steps``: the number of iterations, an integer ``>= minimum`` (1, or 2 where a
    method needs two points, as the range test)."""
    return check_count(steps, "steps", minimum)


def check_seeds(seeds: Any, name: str = "seeds") -> tuple[int, ...]:
    """``seeds``: a count ``n >= 1`` (seeds ``0..n-1``) or a non-empty sequence of distinct
    ints in ``[0, 2**31)``.

    Example:
      >>> check_seeds(3), check_seeds([7, 2])
      ((0, 1, 2), (7, 2))
    """
    if _is_int(seeds):
        if seeds < 1:
            raise ValueError(f"{name} must be a count >= 1 or a non-empty list of distinct "
                             f"ints; got {name}={seeds!r}")
        return tuple(range(int(seeds)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a count >= 1 or a non-empty list of distinct ints; "
                        f"got {name}={seeds!r}")
    items = list(np.asarray(seeds).reshape(-1)) if isinstance(seeds, np.ndarray) else \
        list(seeds)
    if not items or not all(_is_int(s) for s in items) or (
            isinstance(seeds, np.ndarray) and seeds.ndim != 1):
        raise ValueError(f"{name} must be a count >= 1 or a non-empty list of distinct ints; "
                         f"got {name}={seeds!r}")
    out = tuple(int(s) for s in items)
    if any(s < 0 or s >= SEED_LIMIT for s in out):
        raise ValueError(f"{name} must lie in [0, 2**31); got {name}={seeds!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct; got {name}={seeds!r}")
    return out


def check_blowup(blowup: Any) -> float:
    """``blowup``: the divergence bound, a finite number ``> 1``."""
    if _is_int(blowup) or (isinstance(blowup, (float, np.floating))
                           and not isinstance(blowup, bool)):
        if np.isfinite(blowup) and blowup > 1:
            return float(blowup)
    raise ValueError(f"blowup must be a finite number > 1; got blowup={blowup!r}")


def check_positive(value: Any, name: str) -> float:
    """A finite real number ``> 0`` (a learning rate, ``L``, ``mu``).

    Example:
      >>> check_positive(0.5, "lr")
      0.5
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be a real number; got {name}={value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be a real number; got {name}={value!r}") from e
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be positive and finite; got {name}={value!r}")
    return v


def check_lrs(lrs: Any, name: str = "lrs") -> np.ndarray:
    """Learning rates: a non-empty 1-D array of positive finite numbers (float64)."""
    if isinstance(lrs, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D array of numbers; got {lrs!r}")
    try:
        arr = np.asarray(lrs, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be a 1-D array of numbers; got {lrs!r}") from e
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must be finite and > 0; got {name}[{i}]={arr[i]!r}")
    return arr


def check_record_every(record_every: Any, steps: int) -> int:
    """``record_every``: an integer ``k >= 1`` dividing ``steps`` (records at iterates
    ``0, k, 2k, ..., steps``), or ``"final"`` (``k = steps``: the start and the end).

    Example:
      >>> check_record_every(1, 10), check_record_every("final", 10), check_record_every(5, 10)
      (1, 10, 5)
    """
    if isinstance(record_every, str):
        if record_every != "final":
            raise ValueError(f"record_every must be an integer >= 1 dividing steps or "
                             f"'final'; got record_every={record_every!r}")
        return int(steps)
    k = check_count(record_every, "record_every")
    if steps % k:
        raise ValueError(f"record_every must divide steps={steps}; got record_every={k} "
                         f"(records are at iterates 0, k, 2k, ..., steps)")
    return k
