"""The BBOB 2009 instance generators: uniform and Gaussian numbers, x_opt, f_opt, rotations.

A line-by-line port of COCO's ``suite_bbob_legacy_code.c`` (Hansen, Finck, Ros, Auger 2009,
*Real-parameter black-box optimization benchmarking 2009: noiseless functions definitions*,
INRIA RR-6829; the numbbo/coco code-experiments sources), so that instance ``i`` of function
``f`` here is instance ``i`` of COCO's ``bbob`` suite: the same Park-Miller generator with a
32-slot shuffle table, the same Box-Muller numbers, the same Gram-Schmidt rotations.
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["unif", "gauss", "rotation", "compute_xopt", "compute_fopt"]


@functools.lru_cache(maxsize=4096)
def _unif(n: int, seed: int) -> tuple[float, ...]:
    seed = abs(seed)
    seed = max(seed, 1)
    akt = seed
    table = [0] * 32
    for i in range(39, -1, -1):
        tmp = akt // 127773  # floor of a positive quotient
        akt = 16807 * (akt - tmp * 127773) - 2836 * tmp
        if akt < 0:
            akt += 2147483647
        if i < 32:
            table[i] = akt
    aktrand = table[0]
    out = []
    for _ in range(n):
        tmp = akt // 127773
        akt = 16807 * (akt - tmp * 127773) - 2836 * tmp
        if akt < 0:
            akt += 2147483647
        tmp = aktrand // 67108865
        aktrand = table[tmp]
        table[tmp] = akt
        r = aktrand / 2.147483647e9
        out.append(1e-99 if r == 0.0 else r)
    return tuple(out)


def unif(n: int, seed: int) -> np.ndarray:
    """``n`` uniform numbers in (0, 1] from ``seed`` (``bbob2009_unif``)."""
    return np.array(_unif(int(n), int(seed)))


def gauss(n: int, seed: int) -> np.ndarray:
    """``n`` standard normal numbers from ``seed`` (``bbob2009_gauss``, Box-Muller)."""
    u = unif(2 * n, seed)
    g = np.array([math.sqrt(-2 * math.log(u[i])) * math.cos(2 * math.pi * u[n + i])
                  for i in range(n)])
    g[g == 0.0] = 1e-99
    return g


def rotation(seed: int, n: int) -> np.ndarray:
    """The ``n x n`` orthogonal matrix ``B[row, col]`` of ``bbob2009_compute_rotation``:
    Gaussian entries (column-major fill) orthonormalised column by column."""
    g = gauss(n * n, seed)
    B = np.array([[g[j * n + i] for j in range(n)] for i in range(n)])
    for i in range(n):
        for j in range(i):
            prod = sum(B[k, i] * B[k, j] for k in range(n))
            for k in range(n):
                B[k, i] -= prod * B[k, j]
        prod = sum(B[k, i] * B[k, i] for k in range(n))
        for k in range(n):
            B[k, i] /= math.sqrt(prod)
    return B


def compute_xopt(seed: int, n: int) -> np.ndarray:
    """The optimum's location: uniform on a 1e-4 grid of [-4, 4) (``bbob2009_compute_xopt``)."""
    x = unif(n, seed)
    x = 8 * np.floor(1e4 * x) / 1e4 - 4
    x[x == 0.0] = -1e-5
    return x


def compute_fopt(function: int, instance: int) -> float:
    """The optimal value: a rounded Cauchy-like draw clipped to [-1000, 1000]."""
    rseed = {4: 3, 18: 17}.get(function, function)
    rrseed = rseed + 10000 * instance
    g1 = gauss(1, rrseed)[0]
    g2 = gauss(1, rrseed + 1)[0]
    return min(1000.0, max(-1000.0, math.floor(100.0 * 100.0 * g1 / g2 + 0.5) / 100.0))
