"""lsq_many, power_law_many and power_law_se_many: the stacked fits that lsq, power_law
and power_law_se are batches of one of.

Expected values come from two places: (1) the same rows fitted alone, which must agree bit
for bit with their rows in any stack (row independence); (2) the scalar implementations the
batch code replaced, copied below verbatim as ``ref_*`` (only their docstrings removed,
names prefixed): same decisions, results within round-off (their 1-D BLAS dot products
sum in another order than the batch code's pairwise sums). Exact power laws
A (k + k0)^-p are recovered with their known p, A, k0.
"""

import math

import numpy as np
import pytest

from lrtheory.estimate import _fits
from lrtheory.estimate._fits import (
    Fit,
    PowerFit,
    _dot,
    _hac_meat,
    lsq,
    lsq_many,
    power_law,
    power_law_many,
    power_law_se,
    power_law_se_many,
    row_chunks,
)
from lrtheory.estimate._thresholds import THRESHOLDS as TH

# ---- the scalar implementations before batching (reference) --------------------------

def ref_svd_solve(X: np.ndarray, y: np.ndarray):
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    keep = sv > sv[..., :1] * (np.finfo(float).eps * max(X.shape[-2:]))
    inv = np.where(keep, 1.0 / np.where(keep, sv, 1.0), 0.0)
    Uy = y @ U
    beta = ((inv * Uy)[..., None, :] @ Vt)[..., 0, :]
    # y minus its projection on the kept columns of U: the residuals, computed without the
    # cancellation of y - X beta when the fit is exact
    r = y - (U @ np.where(keep, Uy, 0.0)[..., None])[..., 0]
    return beta, r, Vt, inv


def ref_hac_meat(U: np.ndarray, lag: int):
    n, k = U.shape
    # prefix sums S0[t] = sum_{s<t} u_s, S1[t] = sum_{s<t} s u_s: the window sums
    # sum_{j=1}^{lag} u_{t+j} and sum_j j u_{t+j} in O(n), the Bartlett weight being linear
    s = np.arange(n, dtype=float)[:, None]
    S0 = np.concatenate([np.zeros((1, k)), np.cumsum(U, axis=0)])
    S1 = np.concatenate([np.zeros((1, k)), np.cumsum(s * U, axis=0)])
    t = np.arange(n)
    hi = np.minimum(t + lag, n - 1) + 1         # the window is u_{t+1} .. u_{min(t+lag, n-1)}
    w0 = S0[hi] - S0[t + 1]
    w1 = (S1[hi] - S1[t + 1]) - s * w0        # sum_j j u_{t+j}
    G = (w0 - w1 / (lag + 1)).T @ U
    return U.T @ U + G + G.T


def ref_lsq(X: np.ndarray, y: np.ndarray, hac: bool = False):
    n, k = X.shape
    beta, r, Vt, inv = ref_svd_solve(X, y)
    rss = float(r @ r)
    df = n - k
    if df <= 0:
        return Fit(beta, np.full(k, np.inf), rss, df, r)
    G = (Vt.T * inv * inv) @ Vt                  # (X'X)^+
    if not hac or rss <= 1e-24 * (float(y @ y) + 1.0):     # no noise: nothing to correlate
        se = np.sqrt(np.maximum(np.diag(G), 0.0) * rss / df)
        return Fit(beta, se, rss, df, r)
    rho = float(r[1:] @ r[:-1] / rss) if rss > 0 and n > 3 else 0.0
    rho = min(max(rho, 0.0), 0.97)
    # Andrews (1991) AR(1) plug-in bandwidth for the Bartlett kernel
    alpha = 4 * rho * rho / ((1 - rho) ** 2 * (1 + rho) ** 2)
    lag = min(max(int(math.ceil(1.1447 * (alpha * n) ** (1 / 3))), 1), n - 1,
              int(math.ceil(2 * math.sqrt(n))))
    cov = G @ ref_hac_meat(X * r[:, None], lag) @ G * n / df
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    # the kernel truncates the long-run variance; never below the AR(1)-corrected
    # plain standard error
    se_ar = np.sqrt(np.maximum(np.diag(G), 0.0) * rss / df * (1 + rho) / (1 - rho))
    return Fit(beta, np.maximum(se, se_ar), rss, df, r)


def ref_power_law(k: np.ndarray, L: np.ndarray):
    kmin = float(k.min())
    dk = k - kmin
    n = k.size
    mL = float(L.sum()) / n
    Lc = L - mL

    def state(u):          # the best line for one u: rss, centred log(k + k0), its
        lk = np.log(dk + math.exp(u))       # sum of squares, slope, residuals, its mean
        m = float(lk.sum()) / n
        lk -= m
        sxx = float(lk @ lk)
        b = float(lk @ Lc) / sxx if sxx > 0 else 0.0
        r = Lc - b * lk
        return float(r @ r), lk, sxx, b, r, m

    hi = math.log(TH.K0_MAX_SPANS * (k.max() - kmin + 1.0))
    lo = math.log(0.05)
    us = np.linspace(lo, hi, 10)
    lk = np.log(dk + np.exp(us)[:, None])
    lk -= lk.mean(axis=1, keepdims=True)
    sxx = np.einsum("gn,gn->g", lk, lk)
    r = Lc - ((lk @ Lc) / np.where(sxx > 0, sxx, 1.0))[:, None] * lk
    i = int(np.argmin(np.einsum("gn,gn->g", r, r)))
    u, a, z = float(us[i]), float(us[max(i - 1, 0)]), float(us[min(i + 1, 9)])
    cur, lk, sxx, b, r, _ = state(u)
    # Newton on phi(u) = min over (c, b) of |L - c - b l(u)|^2, l = log(k - k_min + e^u):
    # with w = dl/du, phi' = -2 b r.w and phi'' = 2 (b^2 |w_c|^2 - b r.(w (1 - w)))
    # - 2 (b w_c.l_c - r.w)^2 / |l_c|^2 (envelope theorem; the second term removes the
    # coupling with the line's coefficients; _c = centred)
    for _ in range(60):
        w = 1.0 / (dk * math.exp(-u) + 1.0)
        rw = float(r @ w)
        grad = -2.0 * b * rw
        if grad == 0.0 or cur == 0.0 or sxx <= 0.0:
            break
        wc = w - w.sum() / n
        cross = b * float(wc @ lk) - rw
        hess = (2.0 * (b * b * float(wc @ wc) - b * float(r @ (w * (1.0 - w))))
                - 2.0 * cross * cross / sxx)
        if grad > 0:       # the minimum lies below u (phi unimodal on the bracket)
            z = u
        else:
            a = u
        un = u - grad / hess if hess > 0 else (a if grad > 0 else z)
        if not a < un < z:
            un = 0.5 * (u + (a if grad > 0 else z))
        if abs(un - u) <= 1e-8 * (1.0 + abs(u)):
            # converged: a step this small is at the round-off of the gradient (r.w
            # cancels); it is taken unchecked (quadratic convergence: exact data end here)
            u = un
            break
        st = state(un)
        for _ in range(10):            # never raise the residuals
            if st[0] <= cur:
                break
            un = 0.5 * (u + un)
            st = state(un)
        if st[0] > cur:
            break
        u = un
        cur, lk, sxx, b, r, _ = st
    cur, _, _, b, _, m = state(u)
    # log e = mean(L) + b (log(k + k0) - m): log A = mean(L) - b m, p = -b
    return PowerFit(-b, mL - b * m, math.exp(u) - kmin, math.nan, math.nan, n - 3, cur,
                    u >= hi - 1e-6 * (1.0 + abs(hi)))


def ref_power_law_se(k: np.ndarray, L: np.ndarray, pf: PowerFit):
    kk = k + pf.k0
    J = np.column_stack([np.ones(k.size), -np.log(kk), -pf.p / kk])   # d/d(logA, p, k0)
    f = ref_lsq(J, L - (pf.logA - pf.p * np.log(kk)), hac=True) if k.size > 4 else None
    if f is None or not np.all(np.isfinite(f.se)):
        return pf._replace(se_p=math.inf, se_logA=math.inf)
    return pf._replace(se_p=float(f.se[1]), se_logA=float(f.se[0]))


# ---- data --------------------------------------------------------------------------------

def _rows(n, seed):
    """A mixed batch of rows of length n, (K, L) of shape (R, n), and which rows are which.
    Positions differ per row (offsets, spacings, irregular block-maximum-like positions)."""
    rng = np.random.default_rng(seed)
    K, L, kind = [], [], []

    def add(k, l, what):
        K.append(np.asarray(k, dtype=float))
        L.append(np.asarray(l, dtype=float))
        kind.append(what)

    for A, p, k0, a in [(2.0, 1.5, 5.0, 0), (0.3, 0.5, 40.0, 10), (7.0, 2.5, 0.5, 1),
                        (1.0, 1.0, 120.0, 100)]:
        k = a + np.arange(n, dtype=float)
        add(k, np.log(A * (k + k0) ** -p), "exact")                   # Newton: a few steps
        add(k, np.log(A * (k + k0) ** -p) + 0.05 * rng.standard_normal(n), "noisy")
    e = rng.standard_normal(n)
    for i in range(1, n):
        e[i] += 0.8 * e[i - 1]                                           # AR(1) noise
    k = np.arange(3, 3 + 2 * n, 2, dtype=float)
    add(k, np.log(3.0 * (k + 9.0) ** -1.2) + 0.02 * e, "noisy")
    k = np.cumsum(rng.integers(1, 6, n)).astype(float)                   # irregular
    add(k, np.log(0.5 * (k + 2.0) ** -0.8) + 0.01 * rng.standard_normal(n), "noisy")
    k = 50 + np.arange(n, dtype=float)
    add(k, k * math.log(0.9), "geometric")                   # k0 ends at K0_MAX_SPANS spans
    add(k, 2.0 + k * math.log(0.7) + 1e-3 * rng.standard_normal(n), "geometric")
    add(k, np.full(n, -3.0), "constant")                                # rss exactly 0
    lam = np.linspace(1.0, 100.0, 100)
    # GD on a quadratic: flat profiles in k0; the last, at n = 40, halves its fifth Newton
    # step 10 times without lowering the residuals and stops there
    for lr, a in [(5e-4, 500), (4e-3, 125), (0.019, 50)]:
        k = a + np.arange(n, dtype=float)
        add(k, 0.5 * np.log(((1 - lr * lam[None, :]) ** (2 * k[:, None])).sum(axis=1)), "gd")
    return np.array(K), np.array(L), kind


SIZES = [5, 6, 7, 8, 40, 300]


def _same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def _row(fit, i):
    return [v if np.ndim(v) == 0 else np.asarray(v)[i] for v in fit]


# ---- the reductions ------------------------------------------------------------------

def test_dot_rows_are_those_of_the_row_alone():
    # np.add.reduce sums each contiguous row pairwise, in an order set by its length alone:
    # a row in a stack, alone, or copied to an address off by 8 bytes sums the same
    rng = np.random.default_rng(0)
    for n in [1, 3, 7, 8, 9, 127, 128, 129, 1000, 8193]:
        a = rng.standard_normal((5, n)) * 10.0 ** rng.uniform(-5, 5, (5, 1))
        b = rng.standard_normal((5, n))
        s = _dot(a, b)
        for i in range(5):
            buf = np.empty(n + 1)
            buf[1:] = a[i]
            assert _dot(buf[1:], b[i]) == s[i] == _dot(a[i:i + 1], b[i:i + 1])[0]


# ---- lsq_many ----------------------------------------------------------------------------

def _designs(n, k, seed):
    """Rows (X, Y): iid noise, AR(1) noise of several strengths (different Andrews lags),
    exact data (no noise: plain errors), zero data (rss 0), a rank-deficient design."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((9, n, k))
    X[:, :, 0] = 1.0
    beta = rng.standard_normal((9, k))
    Y = (X * beta[:, None, :]).sum(-1)
    Y[0] += rng.standard_normal(n)
    for i, rho in zip((1, 2, 3), (0.3, 0.7, 0.95), strict=True):
        e = rng.standard_normal(n)
        for t in range(1, n):
            e[t] += rho * e[t - 1]
        Y[i] += e
    Y[5] = 0.0
    if k > 1:
        X[6, :, -1] = X[6, :, 0] * 2.0                                     # rank k - 1
    Y[6] += 0.1 * rng.standard_normal(n)
    Y[7] = 1e3 * Y[7] + rng.standard_normal(n)
    Y[8] += 1e-3 * rng.standard_normal(n)
    return X, Y


@pytest.mark.parametrize("hac", [False, True])
@pytest.mark.parametrize("n,k", [(2, 1), (3, 3), (4, 1), (5, 3), (8, 2), (40, 3), (200, 4)])
def test_lsq_many_rows_are_the_rows_alone_and_the_scalar_fit(n, k, hac):
    X, Y = _designs(n, k, n * 10 + k)
    f = lsq_many(X, Y, hac)
    assert f.beta.shape == f.se.shape == (9, k) and f.resid.shape == (9, n)
    assert f.rss.shape == (9,) and f.df == n - k
    back = lsq_many(X[::-1], Y[::-1], hac)                     # the stack reversed
    fort = lsq_many(np.asfortranarray(X), np.asfortranarray(Y), hac)   # another layout
    assert all(_same(a, b) for a, b in zip(f, fort, strict=True))
    for i in range(9):
        one = lsq_many(X[i:i + 1], Y[i:i + 1], hac)
        for a, b, c in zip(_row(f, i), _row(one, 0), _row(back, 8 - i), strict=True):
            assert _same(a, b) and _same(a, c)                            # bit for bit
        s = lsq(X[i], Y[i], hac)                  # the batch of one, today's return types
        assert isinstance(s.rss, float) and s.beta.shape == s.se.shape == (k,)
        assert _same(s.beta, f.beta[i]) and _same(s.se, f.se[i]) and s.rss == f.rss[i]
        # the scalar implementation it replaced: same fit within round-off
        r = ref_lsq(X[i], Y[i], hac)
        scale = float(Y[i] @ Y[i]) + 1.0
        assert np.allclose(f.beta[i], r.beta, rtol=1e-8, atol=1e-12 * math.sqrt(scale))
        assert abs(f.rss[i] - r.rss) <= 1e-8 * r.rss + 1e-24 * scale
        if r.rss > 1e-20 * scale:             # (rows at round-off: se is the round-off's)
            assert np.allclose(f.se[i], r.se, rtol=1e-8, atol=0)


def test_hac_meat_is_newey_west_with_each_rows_lag():
    # the definition, O(n lag): sum_t u_t u_t' + sum_{j=1}^{lag} (1 - j/(lag+1))
    # (Gamma_j + Gamma_j'), Gamma_j = sum_t u_{t+j} u_t', for rows of different lags
    rng = np.random.default_rng(1)
    U = rng.standard_normal((4, 3, 50))
    lags = np.array([1, 4, 13, 49])
    M = _hac_meat(U, lags)
    for i, lag in enumerate(lags):
        u = U[i].T
        want = u.T @ u
        for j in range(1, lag + 1):
            g = u[j:].T @ u[:-j]
            want += (1 - j / (lag + 1)) * (g + g.T)
        assert np.allclose(M[i], want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
        assert _same(M[i], _hac_meat(U[i:i + 1], lags[i:i + 1])[0])
        assert np.allclose(M[i], ref_hac_meat(u, int(lag)), rtol=1e-12,
                           atol=1e-12 * np.abs(want).max())


# ---- power_law_many ----------------------------------------------------------------------

@pytest.mark.parametrize("n", SIZES)
def test_power_law_many_rows_are_the_rows_alone(n):
    # every field of every row, bit for bit, in the batch, alone, and in a shuffled batch;
    # then with standard errors
    K, L, kind = _rows(n, n)
    R = len(kind)
    f = power_law_many(K, L)
    assert all(np.shape(v) == (R,) for v in f if np.ndim(v)) and f.df == n - 3
    perm = np.random.default_rng(n).permutation(R)
    g = power_law_many(K[perm], L[perm])
    assert all(_same(a, b) for a, b in zip(f, power_law_many(np.asfortranarray(K),
                                                             np.asfortranarray(L)),
                                           strict=True))
    fs, gs = power_law_se_many(K, L, f), power_law_se_many(K[perm], L[perm], g)
    for i in range(R):
        one = power_law_many(K[i:i + 1], L[i:i + 1])
        ones = power_law_se_many(K[i:i + 1], L[i:i + 1], one)
        j = int(np.flatnonzero(perm == i)[0])
        for a, b, c in zip(_row(fs, i), _row(ones, 0), _row(gs, j), strict=True):
            assert _same(a, b) and _same(a, c)
        # the batch of one with today's types: floats and a bool
        s = power_law_se(K[i], L[i], power_law(K[i], L[i]))
        assert isinstance(s.p, float) and isinstance(s.geometric, bool)
        assert _same(list(s), _row(ones, 0))
    # (short exact or noisy power laws whose k0 lies beyond 10 spans are geometric too)
    assert f.geometric[[w == "geometric" for w in kind]].all() and not f.geometric.all()
    assert np.all((f.rss == 0) == [w == "constant" for w in kind])


@pytest.mark.parametrize("n", SIZES)
def test_power_law_many_is_the_scalar_fit(n):
    # the replaced scalar algorithm on each row: the same geometric flag, and p, log A, k0,
    # the standard errors within round-off where the fit is well conditioned (not the GD
    # rows, whose profile in k0 is flat: Newton stops within its 1e-8 step test, where the
    # round-off of r.w decides; on exact rows the standard errors are those of round-off)
    K, L, kind = _rows(n, n)
    f = power_law_se_many(K, L, power_law_many(K, L))
    for i, what in enumerate(kind):
        r = ref_power_law(K[i], L[i])
        r = ref_power_law_se(K[i], L[i], r)
        assert f.geometric[i] == r.geometric
        if what == "gd":
            assert f.rss[i] <= r.rss * (1 + 1e-6) + 1e-300
            continue
        for name in ("p", "logA", "k0") + (("se_p", "se_logA") if what != "exact" else ()):
            a, b = getattr(f, name)[i], getattr(r, name)
            # (log A: to 1e-8 absolute where it is near 0, A to 1e-8 relative; on geometric
            # rows, k0 >> span, the Jacobian of se's regression has condition ~1e5, and
            # (J'J)^+ squares it: se agree to 1e-6 there)
            tol = 1e-8 * (max(abs(b), 1.0) if name == "logA" else abs(b))
            if what == "geometric" and name.startswith("se"):
                tol *= 100
            assert a == b or abs(a - b) <= tol, (what, name, a, b)
        # (exact rows: rss is round-off, below 1e-24 of |L|^2, in both)
        assert abs(f.rss[i] - r.rss) <= 1e-8 * r.rss + 1e-24 * float(L[i] @ L[i])


def test_power_law_many_recovers_exact_power_laws():
    # log e = log A - p log(k + k0) exactly, with its p, A, k0 per row (and per-row positions)
    rng = np.random.default_rng(7)
    ps, As, k0s = rng.uniform(0.5, 3, 6), rng.uniform(0.1, 10, 6), rng.uniform(0.5, 50, 6)
    K = np.arange(200.0)[None, :] + rng.integers(0, 100, (6, 1))
    L = np.log(As[:, None]) - ps[:, None] * np.log(K + k0s[:, None])
    f = power_law_many(K, L)
    assert not f.geometric.any() and np.all(f.rss < 1e-20)
    assert np.allclose(f.p, ps, rtol=1e-8, atol=0)
    assert np.allclose(f.logA, np.log(As), rtol=0, atol=1e-7)
    assert np.allclose(f.k0, k0s, rtol=1e-6, atol=0)


def test_power_law_grid_argmin_is_each_rows_own(monkeypatch):
    # _pl_grid_argmin takes the profile of the rows that share the first row's positions
    # and grid from one matrix product, trusted only where the best grid value beats the
    # second by more than the recursive-summation bound; the rest go through _pl_state.
    # Every row's argmin must be the argmin of its own _pl_state grid, and only the rows
    # the bound cannot separate (a constant row: every value 0; a NaN row), or with other
    # positions or another grid, may be evaluated by _pl_state
    rng = np.random.default_rng(11)
    n, R = 400, 24
    dk = np.tile(np.arange(n, dtype=float), (R, 1))
    lam = np.linspace(1.0, 100.0, 50)
    L = np.empty((R, n))
    for i in range(R):
        if i % 3 == 0:        # a GD mode mixture (flat profile in k0)
            lr = rng.uniform(1e-4, 1e-2)
            L[i] = 0.5 * np.log(((1 - lr * lam) ** (2 * dk[i][:, None])).sum(axis=1))
        else:
            L[i] = (-rng.uniform(0.5, 2) * np.log(dk[i] + rng.uniform(1, 300))
                    + rng.uniform(0, 0.1) * rng.standard_normal(n))
    L[5] = -3.0
    L[7, 100] = math.nan
    dk[9] *= 2.0
    us = np.tile(np.linspace(math.log(0.05), math.log(TH.K0_MAX_SPANS * n), 10), (R, 1))
    us[11] += 0.01
    Lc = L - L.mean(axis=-1, keepdims=True)
    own = [int(np.argmin(_fits._pl_state(dk[i, None], Lc[i, None], us[i:i + 1])[0]))
           for i in range(R)]
    seen = []
    state = _fits._pl_state

    def counted(d, *a):
        seen.append(d.shape[0])
        return state(d, *a)

    monkeypatch.setattr(_fits, "_pl_state", counted)
    assert list(_fits._pl_grid_argmin(dk, Lc, us)) == own
    assert sum(seen) == 4           # rows 5, 7, 9, 11


def test_power_law_se_many_is_infinite_on_four_points():
    K, L, _ = _rows(4, 0)
    f = power_law_se_many(K, L, power_law_many(K, L))
    assert np.all(f.se_p == math.inf) and np.all(f.se_logA == math.inf)
    assert isinstance(f, PowerFit) and Fit is not None


def test_large_stacks_take_the_chunked_paths_with_the_same_bits():
    # above 2^20 products _gram goes a column at a time, and power_law_many goes
    # CHUNK / n rows at a time (here 32), its grid CHUNK / (10 n) (here 3): rows on either
    # side of a chunk's edge still equal the rows alone
    rng = np.random.default_rng(3)
    R, n = 110, 2000
    X = np.stack([np.ones((R, n)), rng.standard_normal((R, n)), rng.standard_normal((R, n))],
                 axis=-1)
    Y = X[..., 1] + np.cumsum(rng.standard_normal((R, n)), axis=-1) * 0.01
    f = lsq_many(X, Y, hac=True)
    k = np.arange(1.0, n + 1.0)
    K = k + rng.integers(0, 50, (R, 1))
    L = np.log((K + rng.uniform(1, 50, (R, 1))) ** -rng.uniform(0.5, 2, (R, 1))) \
        + 0.1 * rng.standard_normal((R, n))
    g = power_law_many(K, L)
    assert row_chunks(R, n)[1] == slice(32, 64) and row_chunks(R, 10 * n)[1] == slice(3, 6)
    for i in (0, 2, 3, 31, 32, 57, 103, 104, 109):
        one = lsq_many(X[i:i + 1], Y[i:i + 1], hac=True)
        assert all(_same(a, b) for a, b in zip(_row(f, i), _row(one, 0), strict=True))
        assert _same(list(power_law(K[i], L[i])), _row(g, i))


def test_lsq_many_leaves_a_non_finite_row_unfitted_and_fits_the_others():
    # np.linalg.svd fails for a whole stack when one design holds a NaN: that row alone
    # gets no numbers (NaN, infinite errors), every other row its own fit bit for bit
    rng = np.random.default_rng(5)
    R, n = 6, 40
    X = np.stack([np.ones((R, n)), rng.standard_normal((R, n))], axis=-1)
    Y = 2.0 - 3.0 * X[..., 1] + 0.1 * rng.standard_normal((R, n))
    X[2, 7, 1], Y[4, 0] = np.nan, np.inf
    f = lsq_many(X, Y, hac=True)
    for i in (2, 4):
        assert np.isnan(f.beta[i]).all() and np.isinf(f.se[i]).all() and np.isnan(f.rss[i])
    for i in (0, 1, 3, 5):
        assert all(_same(a, b) for a, b in zip(_row(f, i), _row(lsq_many(X[i:i + 1],
                                                              Y[i:i + 1], hac=True), 0),
                                               strict=True))


@pytest.mark.parametrize("R, per_row, parts, sizes", [
    (240, 1001, 1, [65, 65, 65, 45]),     # CHUNK // 1001 = 65 rows a chunk
    (240, 1001, 2, [60] * 4),             # 4 chunks, a multiple of 2, of equal size
    (59, 1001, 2, [30, 29]),              # one chunk's rows, shared by 2 threads
    (59, 1001, 3, [20, 20, 19]),
    (3, 20000, 4, [1, 1, 1]),             # no more chunks than rows
    (20, 1000, 2, [20]),                  # 20,000 elements < SPLIT_MIN: not shared
    (100, 0, 2, [100]),                   # per_row = 0: all rows at once
])
def test_row_chunks_cover_every_row_once_in_balanced_parts(R, per_row, parts, sizes):
    # the sizes follow from CHUNK = 2^16 elements and SPLIT_MIN = 2^15 (see row_chunks)
    chunks = row_chunks(R, per_row, parts=parts)
    assert [c.stop - c.start if c.stop <= R else R - c.start for c in chunks] == sizes
    assert np.array_equal(np.concatenate([np.arange(R)[c] for c in chunks]), np.arange(R))
