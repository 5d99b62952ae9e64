"""Brent's bounded scalar minimisation for many problems at once.

The order estimator profiles a transient's rate on a grid and then refines the best grid
point by Brent's bounded method (``scipy.optimize.minimize_scalar(method="bounded")``), for
thousands of runs at once. One scipy call per run pays Python overhead for every function
evaluation, and every evaluation is a separate small linear-algebra call. ``fminbound_many``
runs all those minimisations in lock step instead: each iteration evaluates one new point
for every problem still searching, in a single vectorised call of the objective.

It is a transcription of scipy 1.17.1's ``_minimize_scalar_bounded``
(``scipy/optimize/_optimize.py``), operation for operation, into elementwise float64 NumPy
with per-problem masks: the same constants, the same order of operations and the same
comparisons, so that every problem's result is bitwise the one scipy returns for it alone
(elementwise IEEE float64 arithmetic gives the same bits as scipy's scalar arithmetic).
"""

from __future__ import annotations

import operator

import numpy as np

__all__ = ["fminbound_many"]

# scipy's constants, computed as scipy computes them (numpy's sqrt of Python floats)
_SQRT_EPS = float(np.sqrt(2.2e-16))
_GOLDEN_MEAN = float(0.5 * (3.0 - np.sqrt(5.0)))


def _bracket(name, v):
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D float array, got {v!r}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr[~np.isfinite(arr)][:3]} in it")
    return arr.copy()


def fminbound_many(f, a, b, xatol: float, maxiter: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Minimise many scalar functions at once on their brackets [a_i, b_i] by the bounded
    Brent method of ``scipy.optimize.minimize_scalar(method="bounded")``; returns (x, fun).

    Parameters
    ----------
    f : callable ``f(x, rows) -> values``
        ``x`` is a float64 array of shape (m,), ``rows`` an integer array of shape (m,): the
        problems (indices into ``0..R-1``) that these points belong to, the ones still
        searching, in increasing order. Returns the float64 array (m,) of
        ``f_rows[i](x[i])``. Never called with m = 0. The first call has every row; each
        later call evaluates one new point for every still-active problem.
    a, b : float64 arrays of shape (R,)
        The brackets, finite, ``a < b`` elementwise.
    xatol : float
        Absolute tolerance in x (scipy's ``xatol`` option), > 0.
    maxiter : int
        Maximum number of function evaluations per problem, counted as scipy counts them
        (scipy's ``maxiter`` option; the first loop iteration always runs, so a problem
        whose loop is entered has at least 2 evaluations).

    Returns
    -------
    x, fun : float64 arrays of shape (R,)
        For each problem ``i``, bitwise equal to ``res.x`` and ``res.fun`` of
        ``minimize_scalar(f_i, bounds=(a[i], b[i]), method="bounded",
        options={"xatol": xatol, "maxiter": maxiter})`` with scipy 1.17.1.

    Examples
    --------
    Three parabolas (x - c_i)^2 on their brackets; the third minimum is outside [2, 3]:

    >>> c = np.array([0.25, -1.0, 5.0])
    >>> x, fun = fminbound_many(lambda x, rows: (x - c[rows]) * (x - c[rows]),
    ...                         np.array([0.0, -2.0, 2.0]), np.array([1.0, 2.0, 3.0]), 1e-8)
    >>> np.round(x, 6).tolist()
    [0.25, -1.0, 3.0]
    >>> from scipy.optimize import minimize_scalar
    >>> res = minimize_scalar(lambda v: (v - 5.0) * (v - 5.0), bounds=(2.0, 3.0),
    ...                       method="bounded", options={"xatol": 1e-8})
    >>> bool(res.x == x[2] and res.fun == fun[2])
    True
    """
    a = _bracket("a", a)
    b = _bracket("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if not np.all(a < b):
        i = int(np.flatnonzero(~(a < b))[0])
        raise ValueError(f"a must be < b elementwise, got a[{i}] = {a[i]!r} >= b[{i}] = {b[i]!r}")
    try:
        xatol = float(xatol)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"xatol must be a float > 0, got {xatol!r}") from exc
    if not xatol > 0:
        raise ValueError(f"xatol must be > 0, got {xatol!r}")
    if isinstance(maxiter, bool):
        raise ValueError(f"maxiter must be an int >= 1, got {maxiter!r}")
    try:
        maxfun = operator.index(maxiter)
    except TypeError as exc:
        raise ValueError(f"maxiter must be an int >= 1, got {maxiter!r}") from exc
    if maxfun < 1:
        raise ValueError(f"maxiter must be an int >= 1, got {maxiter!r}")

    R = a.size
    if R == 0:
        return np.empty(0), np.empty(0)

    def call(x, rows):
        fu = np.asarray(f(x, rows), dtype=np.float64)
        if fu.shape != x.shape:
            raise ValueError(f"f must return an array of shape {x.shape}, got {fu.shape}")
        return fu

    xatol3 = xatol / 3.0
    gm = _GOLDEN_MEAN
    # state of every problem, as in scipy: a, b (the bracket, here lo, hi), xf/fx (best),
    # nfc/fnfc (second best), fulc/ffulc (third), e (the step before last), rat (last step)
    lo, hi = a, b
    fulc = lo + gm * (hi - lo)
    nfc = fulc.copy()
    xf = fulc.copy()
    rat = np.zeros(R)
    e = np.zeros(R)
    fx = call(xf.copy(), np.arange(R))
    ffulc = fx.copy()
    fnfc = fx.copy()
    xm = 0.5 * (lo + hi)
    tol1 = _SQRT_EPS * np.abs(xf) + xatol3
    tol2 = 2.0 * tol1
    num = 1

    with np.errstate(all="ignore"):     # scipy's scalar arithmetic warns nowhere we do not
        while True:
            act = np.flatnonzero(np.abs(xf - xm) > (tol2 - 0.5 * (hi - lo)))
            if act.size == 0:
                break
            A, B = lo[act], hi[act]
            XF, FX = xf[act], fx[act]
            NFC, FNFC = nfc[act], fnfc[act]
            FULC, FFULC = fulc[act], ffulc[act]
            E, RAT = e[act], rat[act]
            XM, T1, T2 = xm[act], tol1[act], tol2[act]

            # check for parabolic fit, where |e| > tol1
            par = np.abs(E) > T1
            golden = ~par
            if par.any():
                xf_, fx_ = XF[par], FX[par]
                nfc_, fnfc_ = NFC[par], FNFC[par]
                fulc_, ffulc_ = FULC[par], FFULC[par]
                a_, b_ = A[par], B[par]
                r = (xf_ - nfc_) * (fx_ - ffulc_)
                q = (xf_ - fulc_) * (fx_ - fnfc_)
                p = (xf_ - fulc_) * q - (xf_ - nfc_) * r
                q = 2.0 * (q - r)
                p = np.where(q > 0.0, -p, p)
                q = np.abs(q)
                r = E[par]
                e_par = RAT[par]            # e = rat (before the step is chosen)
                # acceptability of the parabola
                ok = ((np.abs(p) < np.abs(0.5 * q * r)) & (p > q * (a_ - xf_))
                      & (p < q * (b_ - xf_)))
                rat_par = (p + 0.0) / q
                x_ = xf_ + rat_par
                t2 = T2[par]
                near = ((x_ - a_) < t2) | ((b_ - x_) < t2)
                d = XM[par] - xf_
                si = np.sign(d) + (d == 0)
                rat_par = np.where(near, T1[par] * si, rat_par)
                E[par] = e_par
                RAT[par] = np.where(ok, rat_par, RAT[par])
                golden[par] = ~ok           # a rejected parabola: a golden-section step

            if golden.any():
                xf_ = XF[golden]
                e_g = np.where(xf_ >= XM[golden], A[golden] - xf_, B[golden] - xf_)
                E[golden] = e_g
                RAT[golden] = gm * e_g

            si = np.sign(RAT) + (RAT == 0)
            X = XF + si * np.maximum(np.abs(RAT), T1)
            FU = call(X.copy(), act.copy())
            num += 1

            better = FU <= FX
            worse = ~better
            # fu <= fx: the bracket shrinks to the side of x; x becomes the best point
            right = X >= XF
            nA = np.where(better & right, XF, A)
            nB = np.where(better & ~right, XF, B)
            # fu > fx: x becomes a bracket end
            left = X < XF
            nA = np.where(worse & left, X, nA)
            nB = np.where(worse & ~left, X, nB)
            c1 = worse & ((FU <= FNFC) | (NFC == XF))
            c2 = worse & ~c1 & ((FU <= FFULC) | (FULC == XF) | (FULC == NFC))
            shift = better | c1         # fulc <- nfc, nfc <- new point
            nFULC = np.where(shift, NFC, np.where(c2, X, FULC))
            nFFULC = np.where(shift, FNFC, np.where(c2, FU, FFULC))
            nNFC = np.where(better, XF, np.where(c1, X, NFC))
            nFNFC = np.where(better, FX, np.where(c1, FU, FNFC))
            nXF = np.where(better, X, XF)
            nFX = np.where(better, FU, FX)

            lo[act], hi[act] = nA, nB
            xf[act], fx[act] = nXF, nFX
            nfc[act], fnfc[act] = nNFC, nFNFC
            fulc[act], ffulc[act] = nFULC, nFFULC
            e[act], rat[act] = E, RAT
            xm[act] = 0.5 * (nA + nB)
            t1 = _SQRT_EPS * np.abs(nXF) + xatol3
            tol1[act] = t1
            tol2[act] = 2.0 * t1

            if num >= maxfun:
                break

    return xf, fx
