r"""Learning-rate suggestions read off a range test's smoothed loss curve.

All three work on one seed's smoothed losses :math:`\bar\ell_k` over the usable window
(after the smoothing warm-up, before the divergence point), on the grid of tested
learning rates :math:`\alpha_k`:

* **steep**: the point of steepest descent, :math:`\arg\min_k d\bar\ell/d\log\alpha`,
  the derivative taken on the log-lr grid (``np.gradient`` with respect to
  :math:`\log\alpha_k`, second-order central differences), so the answer does not depend
  on how the grid is spaced (Smith 2017; fastai's ``steep``).
* **valley**: fastai's ``valley`` rule (fastai 2.5, Howard & Gugger 2020): take the
  longest strictly decreasing subsequence of :math:`\bar\ell`, ending at index :math:`e`
  with length :math:`n`; with fastai's start :math:`s = e - n` the suggestion is index
  :math:`s + \lfloor (e-s)/3\rfloor + \lfloor (e-s)/6\rfloor`, about halfway down the
  longest descent (clipped at 0). It ignores short steep dips that the steepest point can land on.
* **minimum**: the learning rate of the smallest smoothed loss divided by 10
  (fastai's ``minimum``; one decade below where the loss stops improving).

Each returns an index into the window.
"""

from __future__ import annotations

import numpy as np

__all__ = ["steep", "valley", "minimum", "SUGGESTERS"]


def steep(lrs: np.ndarray, smoothed: np.ndarray) -> int:
    """Index of the steepest descent of ``smoothed`` in :math:`\\log\\alpha`.

    >>> lrs = np.geomspace(1e-3, 1.0, 7)
    >>> steep(lrs, np.array([5.0, 4.9, 4.5, 2.0, 1.5, 1.4, 1.6]))
    3
    """
    g = np.gradient(smoothed, np.log(lrs))
    return int(np.argmin(g))


def valley(lrs: np.ndarray, smoothed: np.ndarray) -> int:
    """fastai's valley index (see the module docstring).

    Example: a descent over indices 0..6 (length n = 7, ending at e = 6), then a rise;
    fastai's start is e - n = -1 and the point ``-1 + 7//3 + 7//6 = 2``.

    >>> valley(np.geomspace(1e-3, 1.0, 9), np.array([7., 6, 5, 4, 3, 2, 1, 3, 9]))
    2
    """
    n = smoothed.size
    lds = np.ones(n, dtype=np.int64)  # length of the longest decreasing subsequence ending at i
    for i in range(1, n):
        prev = lds[:i][smoothed[:i] > smoothed[i]]
        if prev.size:
            lds[i] = prev.max() + 1
    end = int(np.argmax(lds))  # first index of maximal length, as fastai's loop finds it
    start = end - int(lds[end])
    sections = (end - start) / 3
    return max(0, start + int(sections) + int(sections / 2))


def minimum(lrs: np.ndarray, smoothed: np.ndarray) -> int:
    """Index of the smallest smoothed loss (the suggestion is ``lrs[i] / 10``).

    >>> minimum(np.geomspace(1e-3, 1.0, 4), np.array([3.0, 1.0, 2.0, 5.0]))
    1
    """
    return int(np.argmin(smoothed))


#: name -> (index function, factor applied to the lr at that index)
SUGGESTERS = {"steep": (steep, 1.0), "valley": (valley, 1.0), "minimum": (minimum, 0.1)}
