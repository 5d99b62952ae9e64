r"""Least-squares fits with intervals, on rows of log errors.

The expensive fits work on stacks: :func:`lsq_many`, :func:`power_law_many` and
:func:`power_law_se_many` fit ``R`` rows of equal length at once (vectorised, with per-row
masks where the work is iterative), and :func:`lsq`, :func:`power_law` and
:func:`power_law_se` are their batches of one: one implementation. A row's results are bit
for bit those it has alone, in any stack (the batch code reduces along a last axis of unit
stride, :func:`_sum`, or by :func:`_seg_sum` on ragged stacks).

Intervals have a stated level and come from the fit's own residuals:

- ``lsq`` with ``hac=True``: Newey-West (1987) heteroskedasticity- and autocorrelation-
  consistent covariance (Bartlett kernel, Andrews (1991) AR(1) plug-in lag, each row its
  own, at most :math:`2\sqrt{n}`), never below
  the AR(1)-corrected plain standard error (factor :math:`\sqrt{(1+\rho)/(1-\rho)}`),
  because successive errors of an optimiser share their noise;
- the linear rate is fitted on block maxima (the upper envelope; blocks of 20 and more
  iterates are nearly independent, the *batch means* argument), with a plain t interval;
- a t quantile with the residual degrees of freedom everywhere (few points: wide).

For a deterministic sequence there is no noise: the interval is then the fit uncertainty
implied by the model residuals (how far the data are from the model), not a statement
about repeated sampling.
"""

from __future__ import annotations

import contextvars
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..config import estimator_threads
from ._thresholds import THRESHOLDS as TH

__all__ = ["Fit", "levels_many", "line", "med", "lsq", "lsq_many", "tq", "block_max",
           "linear_models", "power_law", "power_law_many", "power_law_se", "power_law_se_many",
           "rss_full_rank", "sign_changes"]


@lru_cache(maxsize=512)
def tq(df: int, level: float) -> float:
    """Two-sided Student-t quantile for ``df`` degrees of freedom at ``level``."""
    from scipy.special import stdtrit  # far lighter to import than scipy.stats

    return float(stdtrit(max(df, 1), 0.5 + level / 2))


class Fit(NamedTuple):
    beta: np.ndarray | tuple      # coefficients (a tuple from :func:`line`)
    se: np.ndarray | tuple        # their standard errors
    rss: float | np.ndarray       # (R,) from :func:`lsq_many`, as beta, se, resid gain a
    df: int                       # leading axis; df is common
    resid: np.ndarray


#: elements in one temporary of a stacked computation that works through its rows a chunk
#: at a time (:func:`row_chunks`): 512 KB of float64, which stays in a core's L2 cache.
#: Measured (stop 26, 2-core Xeon, 4 MB L2): the power law's grid on 1090 rows of 1000
#: points took 0.08-0.09 s with these temporaries, 0.28 s with 16 MB ones (main memory).
CHUNK = 1 << 16


#: fewest elements (rows x their length) :func:`row_chunks` shares among threads.
SPLIT_MIN = 1 << 15
_POOL: dict = {}                # thread pools by size, each made on first use
_WORKER = "lrtheory-rows"       # their threads' name prefix
# a forked child has the pools but not their threads: it makes its own (no fork on Windows)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL.clear)


def map_rows(fn, R: int, per_row: int, elements: int = CHUNK) -> list[tuple[slice, object]]:
    """``(c, fn(c))`` for the :func:`row_chunks` ``c`` of ``R`` rows, the chunks shared
    among a thread per core: numpy's loops release the GIL, so chunks of independent rows
    run in parallel. How many threads: :func:`lrtheory.config.estimator_threads`
    (``LRTHEORY_THREADS``), read once a call; called from one of the pool's threads (a
    chunk's own work), it is the serial loop over the cache-sized chunks. Each task runs
    in a copy of the caller's context (its ``np.errstate``). Every result is a function of
    its own chunk alone, so the results are those of the serial loop, in order."""
    threads = (1 if threading.current_thread().name.startswith(_WORKER)
               else estimator_threads())
    chunks = row_chunks(R, per_row, elements, parts=threads)
    if len(chunks) < 2 or threads < 2:
        return [(c, fn(c)) for c in chunks]
    if threads not in _POOL:
        _POOL[threads] = ThreadPoolExecutor(threads, thread_name_prefix=_WORKER)
    ctx = contextvars.copy_context()
    futs = [_POOL[threads].submit(ctx.copy().run, fn, c) for c in chunks]
    return [(c, f.result()) for c, f in zip(chunks, futs, strict=True)]


def row_chunks(R: int, per_row: int, elements: int = CHUNK, parts: int = 1) -> list[slice]:
    """Slices of ``R`` rows (at least one, even for ``R = 0``) whose temporaries of
    ``per_row`` elements a row hold at most about ``elements`` elements (``per_row = 0``:
    all rows at once); with ``parts > 1`` (the threads of :func:`map_rows`) a multiple of
    ``parts`` slices of (nearly) equal size when the rows hold ``SPLIT_MIN`` elements or
    more (below, handing work to a thread costs more than it saves). Rows are independent
    in every stacked computation here, so the chunks change no result, only the time."""
    c = max(1, elements // per_row) if per_row > 0 else max(R, 1)
    if parts > 1 and R * per_row >= SPLIT_MIN:
        m = -(-max(-(-R // c), min(parts, R)) // parts) * parts     # ceil to a multiple
        c = -(-R // min(m, R))
    return [slice(s, s + c) for s in range(0, max(R, 1), c)]


def _sum(a: np.ndarray) -> np.ndarray:
    """Sums along the last axis: numpy's pairwise sum along a contiguous last axis, whose
    order depends on its length alone, so a row's result is the same in any stack. The
    batch code reduces only along a last axis of unit stride (this, :func:`_dot`, or
    numpy's own sum, mean, std on such rows), never by BLAS ``@``, which promises nothing
    across a stack, or ``np.einsum``, whose sums change with the data's alignment; along a
    strided axis numpy may sum in another order."""
    return np.add.reduce(np.ascontiguousarray(a), axis=-1)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inner products along the last axis: the products (a fresh C-ordered array, whatever
    the layout of ``a`` and ``b``), then :func:`_sum`."""
    return np.add.reduce(np.multiply(a, b, order="C"), axis=-1)


def _seg_sum(v: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of the segments ``v[starts[i]:starts[i + 1]]`` of a flat (ragged) stack of rows
    of different lengths (``np.add.reduceat``: the first element plus numpy's pairwise sum
    of the rest, an order that depends on the segment's length alone, whatever its offset
    or neighbours), so a row's sum is the same in any ragged stack. Segments must not be
    empty."""
    return np.add.reduceat(np.ascontiguousarray(v), starts)


def _gram(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A B'`` for stacks ``A`` ``(..., p, n)``, ``B`` ``(..., q, n)``: the
    ``(..., p, q)`` inner products of their rows, by :func:`_dot` (in one product when it
    is small, else a column at a time: temporaries of ``A``'s size; the same sums)."""
    if A.size * B.shape[-2] <= 1 << 20:
        return _dot(A[..., :, None, :], B[..., None, :, :])
    out = np.empty(np.broadcast_shapes(A.shape[:-2], B.shape[:-2]) + (A.shape[-2], B.shape[-2]))
    for j in range(B.shape[-2]):
        out[..., j] = _dot(A, B[..., j:j + 1, :])
    return out


def _mm(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Matrix products ``A @ B`` of stacks of small matrices, by :func:`_dot`."""
    return _gram(A, np.swapaxes(B, -1, -2))


def line_many(x: np.ndarray, y: np.ndarray) -> Fit:
    """Least-squares lines ``y ~ b0 + b1 (x - mean x)`` with plain standard errors, one per
    row of the stacks ``x``, ``y`` (``(R, n)``): the two-column case of :func:`lsq`, in
    closed form (it is most of the estimator's work). ``beta`` and ``se`` are pairs of
    ``(R,)`` arrays; standard errors are inf where ``n <= 2`` or ``x`` is constant."""
    n = x.shape[-1]
    xc = x - _sum(x)[..., None] / n
    my = _sum(y) / n
    sxx = _dot(xc, xc)
    ok = sxx > 0
    b1 = np.where(ok, _dot(xc, y) / np.where(ok, sxx, 1.0), 0.0)
    r = y - (my[..., None] + b1[..., None] * xc)
    rss = _dot(r, r)
    df = n - 2
    if df <= 0:
        inf = np.full_like(my, math.inf)
        return Fit((my, b1), (inf, inf), rss, df, r)
    s2 = rss / df
    return Fit((my, b1), (np.where(ok, np.sqrt(s2 / n), math.inf),
                          np.where(ok, np.sqrt(s2 / np.where(ok, sxx, 1.0)), math.inf)),
               rss, df, r)


def line(x: np.ndarray, y: np.ndarray) -> Fit:
    """:func:`line_many` on one row: floats for ``beta``, ``se`` and ``rss``."""
    f = line_many(x[None], y[None])
    return Fit((float(f.beta[0][0]), float(f.beta[1][0])),
               (float(f.se[0][0]), float(f.se[1][0])), float(f.rss[0]), f.df, f.resid[0])


def _svd_solve(X: np.ndarray, y: np.ndarray):
    """Least squares ``y ~ X beta`` from one thin SVD, with ``np.linalg.lstsq``'s rank rule
    (singular values below ``eps max(n, k)`` of the largest count as zero). Works on a
    stack of designs ``X`` ``(..., n, k)``, with ``y`` shared ``(n,)`` or stacked alike
    ``(..., n)``; each design's results are those it has alone (reductions by
    :func:`_dot`). Returns ``beta`` ``(..., k)``, the residuals ``(..., n)``, and ``V'``,
    ``1/s`` (0 where dropped) for the covariance ``(X'X)^+ = V diag(1/s^2) V'``."""
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    keep = sv > sv[..., :1] * (np.finfo(float).eps * max(X.shape[-2:]))
    inv = np.where(keep, 1.0 / np.where(keep, sv, 1.0), 0.0)
    Uy = _dot(np.swapaxes(U, -1, -2), y[..., None, :])                 # U'y
    beta = _dot(np.swapaxes(Vt, -1, -2), (inv * Uy)[..., None, :])     # V diag(1/s) U'y
    # y minus its projection on the kept columns of U: the residuals, computed without the
    # cancellation of y - X beta when the fit is exact
    r = y - _dot(U, np.where(keep, Uy, 0.0)[..., None, :])
    return beta, r, Vt, inv


def rss_full_rank(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residual sums of squares of ``y ~ X beta`` for a stack of designs of full column rank
    (``y`` shared or stacked alike), from a Householder QR (a quarter of an SVD's cost on
    the small designs the transient models profile): ``y`` less its projection on the
    columns of ``Q``. Without a rank rule: a rank-deficient design gets
    a residual too small by the projection on an arbitrary extra direction."""
    Q = np.linalg.qr(X, mode="reduced")[0]
    r = y - _dot(Q, _dot(np.swapaxes(Q, -1, -2), y[..., None, :])[..., None, :])
    return _dot(r, r)


def _hac_meat(U: np.ndarray, lag: np.ndarray) -> np.ndarray:
    r"""Newey-West's :math:`\sum_t u_t u_t' + \sum_{j=1}^{lag} (1 - j/(lag+1))
    (\Gamma_j + \Gamma_j')` with :math:`\Gamma_j = \sum_t u_{t+j} u_t'`, as
    :math:`\sum_t v_t u_t'` where :math:`v_t = \sum_j w_j u_{t+j}`, from prefix sums (O(n)
    instead of a product per lag). Works on a stack: ``U`` ``(R, k, n)`` holds each row's
    scores transposed (``U[:, :, t]`` is :math:`u_t`), ``lag`` ``(R,)`` each row's lag;
    returns ``(R, k, k)``."""
    R, k, n = U.shape
    lag = np.asarray(lag)
    # prefix sums S0[t] = sum_{s<t} u_s, S1[t] = sum_{s<t} s u_s: the window sums
    # sum_{j=1}^{lag} u_{t+j} and sum_j j u_{t+j} in O(n), the Bartlett weight being linear
    s = np.arange(n, dtype=float)
    zero = np.zeros((R, k, 1))
    S0 = np.concatenate([zero, np.cumsum(U, axis=-1)], axis=-1)
    S1 = np.concatenate([zero, np.cumsum(s * U, axis=-1)], axis=-1)
    t = np.arange(n)
    # the window is u_{t+1} .. u_{min(t+lag, n-1)}, per row: S[..., hi] as flat indices
    hi = (np.minimum(t + lag[:, None], n - 1) + 1)[:, None, :] \
        + (np.arange(R * k) * (n + 1)).reshape(R, k, 1)
    w0 = np.take(S0, hi) - S0[..., 1:]
    w1 = (np.take(S1, hi) - S1[..., 1:]) - s * w0    # sum_j j u_{t+j}
    G = _gram(w0 - w1 / (lag + 1)[:, None, None], U)
    return _gram(U, U) + G + np.swapaxes(G, -1, -2)


def _hac_se(X, r, rss, G, dG, df):
    """Newey-West standard errors of stacked fits (rows with noise), never below the
    AR(1)-corrected plain ones: designs ``X`` ``(R, n, k)``, residuals ``r``, their sums of
    squares ``rss``, ``(X'X)^+`` as ``G`` with diagonal ``dG``."""
    n = r.shape[-1]
    rho = np.zeros(rss.shape)
    if n > 3:
        pos = rss > 0
        rho = np.where(pos, _dot(r[:, 1:], r[:, :-1]) / np.where(pos, rss, 1.0), 0.0)
    rho = np.minimum(np.maximum(rho, 0.0), 0.97)
    # Andrews (1991) AR(1) plug-in bandwidth for the Bartlett kernel, per row
    alpha = 4 * rho * rho / ((1 - rho) ** 2 * (1 + rho) ** 2)
    lag = np.fmax(np.ceil(1.1447 * np.power(alpha * n, 1 / 3)), 1.0)     # (fmax: NaN -> 1)
    lag = np.minimum(lag, min(n - 1, int(math.ceil(2 * math.sqrt(n))))).astype(int)
    meat = _hac_meat(np.multiply(np.swapaxes(X, -1, -2), r[:, None, :], order="C"), lag)
    cov = _mm(_mm(G, meat), G) * n / df
    se = np.sqrt(np.maximum(np.diagonal(cov, axis1=-2, axis2=-1), 0.0))
    # the kernel truncates the long-run variance; never below the AR(1)-corrected
    # plain standard error
    rho = rho[:, None]
    se_ar = np.sqrt(np.maximum(dG, 0.0) * rss[:, None] / df * (1 + rho) / (1 - rho))
    return np.maximum(se, se_ar)


def lsq_many(X: np.ndarray, Y: np.ndarray, hac: bool = False) -> Fit:
    """Least squares ``Y[r] ~ X[r] beta`` for a stack of ``R`` designs ``X`` ``(R, n, k)``
    and rows ``Y`` ``(R, n)``; standard errors plain or Newey-West (``hac``, with each
    row's own lag). The one implementation (:func:`lsq` is a batch of one): vectorised
    across rows, each row's results bit for bit those it has alone. Returns a :class:`Fit`
    of arrays: ``beta`` and ``se`` ``(R, k)``, ``rss`` ``(R,)``, ``resid`` ``(R, n)``;
    ``df`` (an int) is common to the rows. A row with a non-finite value in its design or
    its data has no fit: NaN coefficients, residuals and rss, infinite standard errors
    (the SVD of a stack would fail for every row); the others are fitted as usual."""
    X = np.ascontiguousarray(X, dtype=float)     # C order: the rows' sums are pairwise
    Y = np.ascontiguousarray(Y, dtype=float)
    R, n, k = X.shape
    fin = np.isfinite(X).all(axis=(1, 2)) & np.isfinite(Y).all(axis=1)
    if not fin.all():
        out = Fit(np.full((R, k), np.nan), np.full((R, k), np.inf), np.full(R, np.nan),
                  n - k, np.full((R, n), np.nan))
        if fin.any():
            f = lsq_many(X[fin], Y[fin], hac)
            for v, fv in zip((out.beta, out.se, out.rss, out.resid),
                             (f.beta, f.se, f.rss, f.resid), strict=True):
                v[fin] = fv
        return out
    beta, r, Vt, inv = _svd_solve(X, Y)
    rss = _dot(r, r)
    df = n - k
    if df <= 0:
        return Fit(beta, np.full((R, k), np.inf), rss, df, r)
    V = np.swapaxes(Vt, -1, -2)
    G = _mm(V * inv[:, None, :] * inv[:, None, :], Vt)       # (X'X)^+
    dG = np.diagonal(G, axis1=-2, axis2=-1)
    se = np.sqrt(np.maximum(dG, 0.0) * rss[:, None] / df)
    if hac:
        # rows without noise keep the plain errors: nothing to correlate
        j = np.flatnonzero(~(rss <= 1e-24 * (_dot(Y, Y) + 1.0)))
        if j.size:
            se[j] = _hac_se(X[j], r[j], rss[j], G[j], dG[j], df)
    return Fit(beta, se, rss, df, r)


def levels_many(Y: np.ndarray):
    """Geometric means with Newey-West intervals: per row of log errors ``Y`` (``(R, n)``),
    the mean of log e, its standard error (:func:`lsq_many` on a column of ones) and the
    residual degrees of freedom (an int, common)."""
    f = lsq_many(np.ones((*Y.shape, 1)), Y, hac=True)
    return f.beta[:, 0], f.se[:, 0], f.df


def lsq(X: np.ndarray, y: np.ndarray, hac: bool = False) -> Fit:
    """Least squares ``y ~ X beta``; standard errors plain or Newey-West (``hac``): the
    batch of one of :func:`lsq_many` (``beta``, ``se``, ``resid`` arrays, ``rss`` a float)."""
    f = lsq_many(np.asarray(X, dtype=float)[None], np.asarray(y, dtype=float)[None], hac)
    return Fit(f.beta[0], f.se[0], float(f.rss[0]), f.df, f.resid[0])


def block_max(k: np.ndarray, L: np.ndarray, nb: int):
    """Upper envelope: maxima of ``nb`` near-equal blocks of the points ``(k, L)`` (rows of
    ``(R, n)`` stacks, or one row); returns the positions (float) and values, first
    position on ties."""
    n = L.shape[-1]
    nb = max(1, min(nb, n))
    starts = (np.arange(nb) * n) // nb
    ends = ((np.arange(nb) + 1) * n) // nb
    idx = starts[:, None] + np.arange(int((ends - starts).max()))[None, :]
    vals = np.where(idx < ends[:, None], L[..., np.minimum(idx, n - 1)], -np.inf)
    am = vals.argmax(axis=-1)
    pos = starts + am
    M = np.take_along_axis(vals, am[..., None], axis=-1)[..., 0]
    return np.take_along_axis(k, pos, axis=-1).astype(float), M


def med(a: np.ndarray):
    """Median over the last axis of small arrays (np.median's overhead dominates at this
    size): a float for one row, an array for a stack."""
    s = np.sort(a, axis=-1)
    n = s.shape[-1]
    return 0.5 * (s[..., (n - 1) // 2] + s[..., n // 2])


def point_scatter(L: np.ndarray):
    """Robust standard deviation of one point of ``L`` about a smooth trend, per row (last
    axis): 1.4826 times the median absolute deviation of the differences, over sqrt 2
    (a difference carries two points' noise; a smooth trend moves the differences' median,
    not their spread)."""
    d = np.diff(L, axis=-1)
    return 1.4826 * med(np.abs(d - med(d)[..., None])) / math.sqrt(2)


def sign_changes(r: np.ndarray):
    """Sign changes along the last axis, ignoring values below 1e-12 of the row's largest
    (an int for one row, an array for a stack)."""
    R = np.atleast_2d(r)
    keep = np.abs(R) > 1e-12 * (np.abs(R).max(axis=-1, keepdims=True) + 1e-300)
    row, _ = np.nonzero(keep)
    s = np.sign(R[keep])
    ch = (s[1:] != s[:-1]) & (row[1:] == row[:-1])
    out = np.bincount(row[1:][ch], minlength=R.shape[0])
    return int(out[0]) if r.ndim == 1 else out


class LinModel(NamedTuple):
    """:func:`linear_models` for a stack of rows: ``(R,)`` arrays, ``model`` a list."""

    slope: np.ndarray
    se: np.ndarray
    df: np.ndarray
    model: list
    resid_sd: np.ndarray
    t: np.ndarray


def linear_models(x: np.ndarray, y: np.ndarray, f_model: float, rss_gain: float,
                  s_span_max: float) -> LinModel:
    r"""Fit each envelope ``(x[i], y[i])`` (rows of ``(R, n)`` stacks) by
    :math:`\log e = c + k \log C` and, when the residuals are structured (few sign changes),
    by the two transient models

    - :math:`\log e = c + k \log C + m \log(k + 1)` (a double eigenvalue, :math:`k r^k`);
    - :math:`\log e = c + k \log C + b_1 s^k + b_2 s^{2k}` (ratios settling
      geometrically, :math:`C_k = C + a s^k`, or a second mode: the expansion of
      :math:`\sum_j \log(1 + \beta s^j)` to second order), :math:`s` profiled on a grid
      and refined by Brent's bounded method (:func:`~._brent.fminbound_many`, all rows at
      once);

    keeping a transient model when its F statistic exceeds ``f_model``, it makes the
    residual sum of squares ``rss_gain`` times smaller, and its slope stays negative and
    moves by less than half of itself but by more than two standard errors. The transient
    :math:`s^k` decays at least to ``s_span_max`` across the window (a slower one is
    collinear with the rate itself). Returns per row the slope
    (:math:`\log C`), its standard error, residual degrees of freedom and the model name.
    """
    from ._brent import fminbound_many

    R, n = y.shape
    xc = x - x.mean(axis=-1, keepdims=True)
    f1 = line_many(x, y)
    slope, se = f1.beta[1].copy(), f1.se[1].copy()
    df = np.full(R, f1.df)
    model = ["geometric"] * R
    resid_sd = np.sqrt(f1.rss / max(f1.df, 1))
    t = np.zeros(R)
    if n < 8 or R == 0:
        return LinModel(slope, se, df, model, resid_sd, t)
    # noise (many sign changes), or exact to rounding: no transient to model
    act = ((sign_changes(f1.resid) < max(3, n // 3))
           & (resid_sd > 1e-11 * np.maximum(1.0, np.abs(y).max(axis=-1))))
    # a cheap screen: a transient worth modelling bends the envelope, so a parabola
    # already explains most of the line's residuals (its rss by Frisch-Waugh: the line's
    # residuals less their projection on xc^2 made orthogonal to 1 and xc)
    q = xc * xc
    q -= _sum(q)[:, None] / n + xc * (_dot(q, xc) / _dot(xc, xc))[:, None]
    qq = _dot(q, q)
    rss_q = f1.rss - np.where(qq > 0, _dot(f1.resid, q) ** 2 / np.where(qq > 0, qq, 1.0), 0.0)
    act &= ~(rss_q * 10 > f1.rss)
    rows = np.flatnonzero(act)
    if rows.size == 0:
        return LinModel(slope, se, df, model, resid_sd, t)
    xa, ya, xca = x[rows], y[rows], xc[rows]
    m = rows.size
    X1 = np.stack([np.ones((m, n)), xca], axis=-1)
    lk = np.log(xa + 1.0)
    cands = [(lsq_many(np.concatenate([X1, (lk - lk.mean(axis=-1, keepdims=True))[..., None]],
                                      axis=-1), ya), "geometric times k^m", None)]
    span = xa.max(axis=-1) - xa.min(axis=-1)
    x0 = xa - xa.min(axis=-1, keepdims=True)
    ns = 2 if n >= 10 else 1

    def designs(lv, i):      # the settling designs of rows i for log s = lv / span
        z = np.exp((lv / span[i][:, None])[..., None] * x0[i][:, None, :])
        Z = [z - z.mean(axis=-1, keepdims=True)]
        if ns == 2:
            Z.append(z * z - (z * z).mean(axis=-1, keepdims=True))
        return np.concatenate([np.broadcast_to(X1[i][:, None], (i.size, lv.shape[1], n, 2)),
                               np.stack(Z, axis=-1)], axis=-1)

    has = np.flatnonzero(span > 0)
    if has.size:
        # s profiled: a grid, then Brent's bounded method on the bracket of the best point
        grid = np.linspace(math.log(1e-8), math.log(s_span_max), 24)
        g = grid.size
        # (the designs have full column rank: s^k and s^2k are independent of 1 and k,
        # and of each other, for every s on the grid, 1e-8 to s_span_max < 1)
        rss = rss_full_rank(designs(np.broadcast_to(grid, (has.size, g)), has),
                            ya[has][:, None])
        i = rss.argmin(axis=-1)
        best_rss = rss[np.arange(has.size), i]
        v, fun = fminbound_many(
            lambda lv, j: rss_full_rank(designs(lv[:, None], has[j]), ya[has[j]][:, None])[:, 0],
            grid[np.maximum(i - 1, 0)], grid[np.minimum(i + 1, g - 1)], 1e-2)
        v = np.where(fun <= best_rss, v, grid[i])
        f3 = lsq_many(designs(v[:, None], has)[:, 0], ya[has])
        cands.append((Fit(f3.beta, f3.se, f3.rss, f3.df - 1, f3.resid), v, has))
    b1 = f1.beta[1][rows]
    rss1 = f1.rss[rows]
    for f, name, sub in cands:
        if f.df < 1:
            continue
        idx = np.arange(m) if sub is None else sub
        corr = f.beta[:, 1] - b1[idx]
        # the extrapolation must stay a decrease, move the slope by less than half of it,
        # and move it by more than its own uncertainty (else the plain slope stands)
        ok = ((f.beta[:, 1] < 0) & (np.abs(corr) <= 0.5 * np.abs(b1[idx]))
              & (np.abs(corr) >= 2 * f.se[:, 1]))
        F = (rss1[idx] - f.rss) / np.maximum(f.rss / f.df, 1e-300 * (rss1[idx] + 1e-300))
        # a transient model must explain the structure, not a part of it (a spiral's
        # envelope is structured too): F large and the residuals RSS_GAIN times smaller
        r_ = rows[idx]
        ok &= (F > f_model) & (f.rss * rss_gain <= rss1[idx]) & (F > t[r_])
        for j in np.flatnonzero(ok):
            i_ = r_[j]
            slope[i_], se[i_], df[i_], t[i_] = f.beta[j, 1], f.se[j, 1], f.df, F[j]
            resid_sd[i_] = math.sqrt(f.rss[j] / f.df)
            model[i_] = (name if isinstance(name, str) else
                         f"geometric plus a transient {math.exp(name[j] / span[idx[j]]):.4g}^k")
    return LinModel(slope, se, df, model, resid_sd, t)


class PowerFit(NamedTuple):
    """A power-law fit: floats and a bool for one row (:func:`power_law`), ``(R,)`` arrays
    for a stack (:func:`power_law_many`; ``df`` an int, common to the rows). ``geometric``:
    ``k0`` ended at its largest value, the family's geometric limit."""
    p: float | np.ndarray
    logA: float | np.ndarray
    k0: float | np.ndarray
    se_p: float | np.ndarray
    se_logA: float | np.ndarray
    df: int
    rss: float | np.ndarray
    geometric: bool | np.ndarray = False   # k0 ended at its largest value (the limit)

    def take(self, i) -> PowerFit:
        """The rows ``i`` of a stacked fit (fields common to the rows kept as they are)."""
        return PowerFit(*(v[i] if np.ndim(v) else v for v in self))

    def row(self, j: int) -> PowerFit:
        """Row ``j`` of a stacked fit, as Python scalars."""
        return PowerFit(*(v[j].item() if np.ndim(v) else v for v in self))


def _pl_state(dk: np.ndarray, Lc: np.ndarray, u: np.ndarray):
    r"""The best line in :math:`\log(k + k_0)` for each row's :math:`u = \log(k_{\min} +
    k_0)`: rss, the centred log(k + k0), its sum of squares, the slope, the residuals, its
    mean. ``dk`` = k - k_min and ``Lc`` the centred log errors, ``(R, n)``, with ``u``
    ``(R,)``; or ``(R, 1, n)`` with a grid ``u`` ``(R, G)``."""
    lk, m, sxx = _pl_logs(dk, u)
    pos = sxx > 0
    b = np.where(pos, _dot(lk, Lc) / np.where(pos, sxx, 1.0), 0.0)
    r = b[..., None] * lk
    np.subtract(Lc, r, out=r)
    return _dot(r, r), lk, sxx, b, r, m


def _pl_logs(dk: np.ndarray, u: np.ndarray):
    """log(k + k0) for ``dk`` = k - k_min and ``u`` = log(k_min + k0) (broadcast: the last
    axis is the points'), centred, with its mean and its sum of squares: what
    :func:`_pl_state` and the shared grid of :func:`_pl_grid_argmin` both need."""
    n = dk.shape[-1]
    # contiguous: numpy's exp may take another path (other last bits) on a strided view.
    # In place where an operation allows it (the same bits, fewer passes over memory).
    lk = np.add(dk, np.exp(np.ascontiguousarray(u))[..., None])
    np.log(lk, out=lk)
    m = _sum(lk) / n
    lk -= m[..., None]
    return lk, m, _dot(lk, lk)


@np.errstate(all="ignore")
def _pl_newton(dk: np.ndarray, Lc: np.ndarray, u: np.ndarray, a: np.ndarray,
               z: np.ndarray) -> np.ndarray:
    """:func:`power_law_many`'s safeguarded Newton iteration on the profile, for all rows at
    once from their best grid points ``u`` in their brackets ``[a, z]``; returns each row's
    final ``u``. Without floating-point warnings: a row whose numbers overflow or turn NaN
    goes on as the scalar algorithm's IEEE arithmetic would, and lanes that ``np.where``
    drops may divide by 0."""
    n = dk.shape[-1]
    cur, lk, sxx, b, r, _ = _pl_state(dk, Lc, u)
    # Newton on phi(u) = min over (c, b) of |L - c - b l(u)|^2, l = log(k - k_min + e^u):
    # with w = dl/du, phi' = -2 b r.w and phi'' = 2 (b^2 |w_c|^2 - b r.(w (1 - w)))
    # - 2 (b w_c.l_c - r.w)^2 / |l_c|^2 (envelope theorem; the second term removes the
    # coupling with the line's coefficients; _c = centred). The rows still iterating are
    # act, their state compacted to them; uf holds each row's final u.
    uf = u.copy()
    act, dka, Lca = np.arange(u.size), dk, Lc

    def drop(stop, uend, *vs):     # rows that stop keep uend; the others' compacted state
        uf[act[stop]] = uend[stop]
        return tuple(v[~stop] for v in vs)

    for _ in range(60):
        if act.size == 0:
            break
        w = 1.0 / (dka * np.exp(-u)[:, None] + 1.0)
        rw = _dot(r, w)
        grad = -2.0 * b * rw
        stop = (grad == 0.0) | (cur == 0.0) | (sxx <= 0.0)
        if stop.any():
            act, dka, Lca, u, a, z, cur, lk, sxx, b, r, w, rw, grad = drop(
                stop, u, act, dka, Lca, u, a, z, cur, lk, sxx, b, r, w, rw, grad)
            if act.size == 0:
                break
        wc = w - (_sum(w) / n)[:, None]
        cross = b * _dot(wc, lk) - rw
        hess = (2.0 * (b * b * _dot(wc, wc) - b * _dot(r, w * (1.0 - w)))
                - 2.0 * cross * cross / sxx)
        up = grad > 0      # the minimum lies below u (phi unimodal on the bracket)
        z = np.where(up, u, z)
        a = np.where(up, a, u)
        end = np.where(up, a, z)
        pos = hess > 0
        un = np.where(pos, u - grad / np.where(pos, hess, 1.0), end)
        un = np.where((a < un) & (un < z), un, 0.5 * (u + end))
        # converged: a step this small is at the round-off of the gradient (r.w
        # cancels); it is taken unchecked (quadratic convergence: exact data end here)
        conv = np.abs(un - u) <= 1e-8 * (1.0 + np.abs(u))
        if conv.any():
            act, dka, Lca, u, a, z, cur, un = drop(conv, un, act, dka, Lca, u, a, z, cur, un)
            if act.size == 0:
                break
        st = list(_pl_state(dka, Lca, un))
        bad = ~(st[0] <= cur)
        for _ in range(10):            # never raise the residuals: halve the step
            if not bad.any():
                break
            j = np.flatnonzero(bad)
            un[j] = 0.5 * (u[j] + un[j])
            sj = _pl_state(dka[j], Lca[j], un[j])
            for v, vj in zip(st, sj, strict=True):
                v[j] = vj
            bad[j] = ~(sj[0] <= cur[j])
        fail = st[0] > cur
        if fail.any():
            act, dka, Lca, u, a, z, un, *st = drop(fail, u, act, dka, Lca, u, a, z, un, *st)
        u = un
        cur, lk, sxx, b, r, _ = st
    uf[act] = u
    return uf


def power_law_many(K: np.ndarray, L: np.ndarray, k0_min=None) -> PowerFit:
    r""":math:`\log e_k = \log A - p \log(k + k_0)` by least squares, for each row of
    positions ``K`` and log errors ``L`` (``(R, n)``, rows of equal length; positions may
    differ per row). For a given :math:`u = \log(k_{\min} + k_0)` the model is a line in
    :math:`\log(k + k_0)`, so :math:`u` is profiled (variable projection): a grid of 10
    points, then Newton's method on the profile with its exact first and second
    derivatives, kept inside the bracket of the best grid point and never raising the
    residuals (beyond the round-off of its last step). :math:`k_{\min} + k_0` ranges from
    0.05 (or from ``k_min + k0_min``, per row, where that is larger: ``k0_min`` holds the
    pole -k0 at or before a given iterate) to ``K0_MAX_SPANS`` times the span plus one;
    ``geometric`` says the fit ended at that end (the profile still falling there: as
    :math:`k_0, p \to \infty` with :math:`p / k_0` fixed the law tends to a geometric
    decrease, which the data prefer).

    The one implementation (:func:`power_law` is a batch of one), vectorised across rows:
    a row that stops (converged, or a stop of the iteration) keeps its state while the
    others go on, so each row takes the decisions, and has the results bit for bit, that
    it has alone. Returns a :class:`PowerFit` of ``(R,)`` arrays (``df``, an int, common);
    standard errors (NaN here) from :func:`power_law_se_many`."""
    K = np.ascontiguousarray(K, dtype=float)     # C order: the rows' sums are pairwise
    L = np.ascontiguousarray(L, dtype=float)
    R, n = L.shape
    lo = np.full(R, math.log(0.05))
    if k0_min is not None:
        lo = np.maximum(lo, np.log(np.maximum(K.min(axis=-1) + k0_min, 0.0)))
    parts = [f for _, f in map_rows(lambda c: _power_law_rows(K[c], L[c], lo[c]), R, n)]
    if len(parts) == 1:
        return parts[0]
    return PowerFit(*(np.concatenate(v) if np.ndim(v[0]) else v[0]
                      for v in zip(*parts, strict=True)))


def _pl_grid_argmin(dk: np.ndarray, Lc: np.ndarray, us: np.ndarray) -> np.ndarray:
    """Each row's best point of its grid ``us`` ``(R, G)`` on the profile of
    :func:`_pl_state` (its argmin, the first of equal values), ``dk`` and ``Lc`` ``(R, n)``.

    Rows with the first row's positions and grid share log(k + k0), so their profile is
    ``|Lc|^2 - (Lc.lk)^2 / |lk|^2`` with the products ``Lc.lk`` from one matrix product,
    which sums in another order than :func:`_dot`. Both sums are within ``n eps`` of the
    exact one relative to ``|Lc|^2`` (the recursive-summation bound; ``|Lc.lk| <= |Lc|
    |lk|``), so where a row's best grid value beats its second by more than ``16 n eps
    |Lc|^2`` the row's argmin is the one :func:`_pl_state` gives; the other rows (near
    ties, non-finite values, other positions or grid) are evaluated by :func:`_pl_state`.
    The argmin is the one the row alone finds: the grid's values serve nothing else.
    GD headline (1090 slow rows, four stretches each), the estimator on one thread:
    1.02-1.17 -> 0.81-0.93 s; the frame bitwise the same."""
    R, n = Lc.shape
    G = us.shape[-1]
    i = np.zeros(R, dtype=int)
    direct = np.ones(R, dtype=bool)
    same = (dk == dk[0]).all(axis=-1) & (us == us[0]).all(axis=-1)
    if R > 1 and n > 1 and same.sum() > 1:
        s = np.flatnonzero(same)
        lk, _, sxx = _pl_logs(dk[0], us[0])                  # (G, n): the rows' shared logs
        Ls = Lc[s]
        c = Ls @ lk.T
        lcc = _dot(Ls, Ls)
        with np.errstate(all="ignore"):
            g = lcc[:, None] - np.where(sxx > 0, c * c / np.where(sxx > 0, sxx, 1.0), 0.0)
            two = np.partition(g, 1, axis=-1)
            ok = two[:, 1] - two[:, 0] > 16 * n * np.finfo(float).eps * lcc  # NaN: False
        i[s[ok]] = np.argmin(g[ok], axis=-1)
        direct[s[ok]] = False
    d = np.flatnonzero(direct)
    for c in row_chunks(d.size, G * n):
        j = d[c]
        i[j] = np.argmin(_pl_state(dk[j, None], Lc[j, None], us[j])[0], axis=-1)
    return i


def _power_law_rows(K: np.ndarray, L: np.ndarray, lo: np.ndarray) -> PowerFit:
    """:func:`power_law_many` on a chunk of rows (``lo``: each row's smallest u)."""
    R, n = L.shape
    kmin = K.min(axis=-1)
    dk = K - kmin[:, None]
    mL = _sum(L) / n
    Lc = L - mL[:, None]
    hi = np.log(TH.K0_MAX_SPANS * (K.max(axis=-1) - kmin + 1.0))
    us = np.arange(10.0) * ((hi - lo) / 9)[:, None] + lo[:, None]  # linspace(lo, hi, 10)
    us[:, -1] = hi
    i = _pl_grid_argmin(dk, Lc, us)
    rows = np.arange(R)
    u, a, z = us[rows, i], us[rows, np.maximum(i - 1, 0)], us[rows, np.minimum(i + 1, 9)]
    uf = _pl_newton(dk, Lc, u, a, z)
    cur, _, _, b, _, m = _pl_state(dk, Lc, uf)
    # log e = mean(L) + b (log(k + k0) - m): log A = mean(L) - b m, p = -b
    nan = np.full(R, math.nan)
    return PowerFit(-b, mL - b * m, np.exp(uf) - kmin, nan, nan.copy(), n - 3, cur,
                    uf >= hi - 1e-6 * (1.0 + np.abs(hi)))


def power_law(k: np.ndarray, L: np.ndarray) -> PowerFit:
    r"""The power law :math:`\log e_k = \log A - p \log(k + k_0)` of one row (floats and
    a bool): the batch of one of :func:`power_law_many`, which describes the fit."""
    return power_law_many(np.asarray(k, dtype=float)[None],
                          np.asarray(L, dtype=float)[None]).row(0)


def power_law_se_many(K: np.ndarray, L: np.ndarray, pf: PowerFit) -> PowerFit:
    """``pf`` (a :func:`power_law_many` fit of the rows ``(K, L)``) with the standard errors
    of ``p`` and ``log A``: each row's residuals regressed on the Jacobian of the full
    model (zero coefficients at the optimum) with a Newey-West covariance
    (:func:`lsq_many`), so the uncertainty of ``k0`` is included; infinite with fewer than
    5 points or a non-finite error. Apart from the fit because only the fit that is
    reported needs them. The one implementation (:func:`power_law_se`: a batch of one)."""
    K = np.ascontiguousarray(K, dtype=float)
    L = np.ascontiguousarray(L, dtype=float)
    R, n = L.shape
    p, logA, k0 = (np.reshape(np.asarray(v, dtype=float), -1)[:, None]
                   for v in (pf.p, pf.logA, pf.k0))
    kk = K + k0
    lkk = np.log(kk)
    J = np.stack([np.ones((R, n)), -lkk, -p / kk], axis=-1)        # d/d(logA, p, k0)
    se_p, se_logA = np.full(R, math.inf), np.full(R, math.inf)
    if n > 4:
        f = lsq_many(J, L - (logA - p * lkk), hac=True)
        ok = np.isfinite(f.se).all(axis=-1)
        se_p[ok], se_logA[ok] = f.se[ok, 1], f.se[ok, 0]
    return pf._replace(se_p=se_p, se_logA=se_logA)


def power_law_se(k: np.ndarray, L: np.ndarray, pf: PowerFit) -> PowerFit:
    """``pf`` (a :func:`power_law` fit of ``(k, L)``) with the standard errors of ``p`` and
    ``log A``: the batch of one of :func:`power_law_se_many`, which describes them."""
    f = power_law_se_many(np.asarray(k, dtype=float)[None], np.asarray(L, dtype=float)[None],
                          pf)
    return pf._replace(se_p=float(f.se_p[0]), se_logA=float(f.se_logA[0]))
