"""Search spaces and grids as data, checked; candidate sampling."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

__all__ = ["Dim", "parse_space", "parse_grid", "sample_random", "KINDS"]

KINDS = ("log", "linear")
# Hyperparameters that are learning rates must be positive (checked on every grid/space).
_LR_NAMES = ("lr", "lr0", "lr_max", "lr_min", "lr_end")


class Dim(NamedTuple):
    """One search dimension: ``kind`` (``"log"``: log-uniform, ``"linear"``: uniform) on
    ``[lo, hi]``."""

    name: str
    kind: str
    lo: float
    hi: float


def _check_name(name, argname):
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{argname} keys must be hyperparameter names (identifiers); "
                         f"got {name!r}")


def parse_space(space, argname: str = "space") -> tuple[Dim, ...]:
    """``{"lr": ("log", 1e-4, 1.0), "beta": ("linear", 0.0, 0.99)}`` -> dims.

    >>> parse_space({"lr": ("log", 1e-3, 1.0)})[0]
    Dim(name='lr', kind='log', lo=0.001, hi=1.0)
    """
    if not isinstance(space, Mapping) or not space:
        raise ValueError(f"{argname} must be a non-empty dict name -> (kind, lo, hi); "
                         f"got {argname}={space!r}")
    dims = []
    for name, spec in space.items():
        _check_name(name, argname)
        if not (isinstance(spec, (tuple, list)) and len(spec) == 3):
            raise ValueError(f"{argname}[{name!r}] must be (kind, lo, hi) with kind in "
                             f"{KINDS}; got {spec!r}")
        kind, lo, hi = spec
        if kind not in KINDS:
            raise ValueError(f"{argname}[{name!r}]: kind must be one of {KINDS}; got {kind!r}")
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{argname}[{name!r}]: bounds must be numbers; got {spec!r}") from e
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{argname}[{name!r}]: need finite lo < hi; got lo={lo!r}, "
                             f"hi={hi!r}")
        if (kind == "log" or name in _LR_NAMES) and lo <= 0:
            raise ValueError(f"{argname}[{name!r}]: {'a log' if kind == 'log' else 'a lr'} "
                             f"range must be positive; got lo={lo!r}")
        dims.append(Dim(name, kind, lo, hi))
    return tuple(dims)


def parse_grid(grid, argname: str = "grid") -> dict[str, np.ndarray]:
    """``{"lr": [...], "beta": [...]}`` -> the Cartesian product as ``(N,)`` arrays
    (the last name varies fastest).

    >>> {k: v.tolist() for k, v in parse_grid({"lr": [0.1, 0.2], "beta": [0, 0.9]}).items()}
    {'lr': [0.1, 0.1, 0.2, 0.2], 'beta': [0.0, 0.9, 0.0, 0.9]}
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"{argname} must be a non-empty dict name -> values; "
                         f"got {argname}={grid!r}")
    axes = {}
    for name, values in grid.items():
        _check_name(name, argname)
        try:
            arr = np.asarray(values, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{argname}[{name!r}] must be numbers; got {values!r}") from e
        if arr.size == 0:
            raise ValueError(f"{argname}[{name!r}] is empty; give at least one value")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{argname}[{name!r}] must be finite; got {arr.tolist()}")
        if name in _LR_NAMES and np.any(arr <= 0):
            raise ValueError(f"{argname}[{name!r}]: learning rates must be positive; got "
                             f"{arr[arr <= 0].tolist()}")
        axes[name] = arr
    combos = np.array(list(itertools.product(*axes.values())), dtype=np.float64)
    return {name: combos[:, i].copy() for i, name in enumerate(axes)}


def sample_random(dims: tuple[Dim, ...], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` candidates, each dimension drawn independently (log-uniform or uniform) from
    ``numpy.random.default_rng(seed)``, dimensions in the order given.

    >>> out = sample_random(parse_space({"lr": ("log", 1e-4, 1.0)}), 3, seed=0)
    >>> bool(np.all((out["lr"] >= 1e-4) & (out["lr"] <= 1.0)))
    True
    """
    rng = np.random.default_rng(seed)
    out = {}
    for d in dims:
        if d.kind == "log":
            out[d.name] = np.exp(rng.uniform(np.log(d.lo), np.log(d.hi), n))
        else:
            out[d.name] = rng.uniform(d.lo, d.hi, n)
    return out
