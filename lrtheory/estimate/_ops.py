"""Vectorised building blocks on a batch of log-error rows ``L`` of shape ``(N, T)``.

Every helper works on per-row index ranges ``[a, b)`` (arrays of shape ``(N,)``) so that
one call serves a whole sweep; values outside a row's range are never read into a result.
All arithmetic is plain float64 on logarithms, so it is the same for errors far below the
float range (their logarithms are ordinary numbers).
"""

from __future__ import annotations

import numpy as np

__all__ = ["in_range", "rev_cummax", "first_true", "last_true", "ols", "block_max",
           "masked_mean", "masked_median", "masked_quantile", "range_max", "range_min"]


def in_range(T: int, a, b) -> np.ndarray:
    """Boolean ``(N, T)`` mask of ``a <= k < b`` per row."""
    k = np.arange(T)
    return (k >= np.asarray(a)[:, None]) & (k < np.asarray(b)[:, None])


def rev_cummax(L: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``E[i, k] = max_{j >= k, mask[i, j]} L[i, j]`` (``-inf`` where nothing is left)."""
    X = np.where(mask, L, -np.inf)
    return np.maximum.accumulate(X[:, ::-1], axis=1)[:, ::-1]


def first_true(cond: np.ndarray, default) -> np.ndarray:
    """Index of the first True per row, ``default`` (array or int) where none."""
    if cond.shape[1] == 0:
        return np.broadcast_to(default, cond.shape[:1]).copy()
    idx = cond.argmax(axis=1)
    return np.where(cond.any(axis=1), idx, default)


def last_true(cond: np.ndarray, default) -> np.ndarray:
    """Index of the last True per row, ``default`` where none."""
    if cond.shape[1] == 0:
        return np.broadcast_to(default, cond.shape[:1]).copy()
    T = cond.shape[1]
    idx = T - 1 - cond[:, ::-1].argmax(axis=1)
    return np.where(cond.any(axis=1), idx, default)


def range_max(L, a, b):
    """Row maxima over ``[a, b)`` (``-inf`` for an empty range)."""
    return np.where(in_range(L.shape[1], a, b), L, -np.inf).max(axis=1)


def range_min(L, a, b):
    """Row minima over ``[a, b)`` (``+inf`` for an empty range)."""
    return np.where(in_range(L.shape[1], a, b), L, np.inf).min(axis=1)


def masked_mean(X, w):
    """Row means of ``X`` over ``w`` (0 where ``w`` is empty)."""
    n = w.sum(axis=1)
    s = np.where(w, X, 0.0).sum(axis=1)
    return np.where(n > 0, s / np.maximum(n, 1), 0.0)


def masked_quantile(X, w, qs):
    """Row quantiles ``qs`` (linear interpolation) of ``X`` over ``w``; 0 where empty."""
    N = X.shape[0]
    if X.shape[1] == 0:
        return [np.zeros(N) for _ in qs]
    S = np.sort(np.where(w, X, np.inf), axis=1)
    n = w.sum(axis=1)
    rows = np.arange(N)
    out = []
    for q in qs:
        pos = q * np.maximum(n - 1, 0)
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, np.maximum(n - 1, 0))
        frac = pos - i0
        a = S[rows, np.clip(i0, 0, X.shape[1] - 1)]
        b = S[rows, np.clip(i1, 0, X.shape[1] - 1)]
        val = np.where(frac > 0, a + frac * (b - a), a)
        out.append(np.where(n > 0, val, 0.0))
    return out


def masked_median(X, w):
    """Row medians of ``X`` over ``w`` (0 where ``w`` is empty)."""
    return masked_quantile(X, w, (0.5,))[0]


def ols(x, y, w):
    """Weighted least squares ``y ~ c + s x`` per row.

    Returns ``(s, c, rss, sxx, n)``; ``s = 0`` where ``x`` has no spread.
    """
    w = np.asarray(w, dtype=bool)
    n = w.sum(axis=1)
    x = np.where(w, x, 0.0)
    y = np.where(w, y, 0.0)
    nn = np.maximum(n, 1)
    mx = x.sum(axis=1) / nn
    my = y.sum(axis=1) / nn
    dx = np.where(w, x - mx[:, None], 0.0)
    dy = np.where(w, y - my[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    sxy = (dx * dy).sum(axis=1)
    ok = sxx > 0
    s = np.where(ok, sxy / np.where(ok, sxx, 1.0), 0.0)
    c = my - s * mx
    r = np.where(w, dy - s[:, None] * dx, 0.0)
    rss = (r * r).sum(axis=1)
    return s, c, rss, sxx, n


def block_max(L, a, b, nb_max: int):
    """Upper envelope of each row's range ``[a, b)`` as block maxima.

    The range is split into ``min(b - a, nb_max)`` contiguous blocks of near-equal length;
    returns ``(M, pos, valid)`` of shape ``(N, nb_max)``: the maximum of each block, the
    iterate index where it sits (first one on ties), and which blocks exist.
    """
    N, T = L.shape
    a = np.asarray(a)
    n = np.maximum(np.asarray(b) - a, 0)
    nb = np.minimum(n, nb_max)
    j = np.arange(nb_max)
    nbs = np.maximum(nb, 1)[:, None]
    start = a[:, None] + (j[None, :] * n[:, None]) // nbs
    end = a[:, None] + ((j[None, :] + 1) * n[:, None]) // nbs
    valid = j[None, :] < nb[:, None]
    size = np.where(valid, end - start, 0)
    BS = max(int(size.max(initial=0)), 1)
    idx = start[:, :, None] + np.arange(BS)[None, None, :]
    ok = valid[:, :, None] & (idx < end[:, :, None])
    idx = np.clip(idx, 0, max(T - 1, 0))
    if T == 0:
        vals = np.full(idx.shape, -np.inf)
    else:
        vals = np.where(ok, L[np.arange(N)[:, None, None], idx], -np.inf)
    am = vals.argmax(axis=2)
    M = np.take_along_axis(vals, am[..., None], axis=2)[..., 0]
    pos = start + am
    M = np.where(valid, M, 0.0)
    return M, pos, valid
