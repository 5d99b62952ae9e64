"""linear_to_floor_many and power_to_floor_many: the batched joint fits of a linear
decrease, and of a power law, into a noise floor.

Each row's result in a ragged batch is bit for bit its result alone; the linear fit agrees
with the scalar algorithm it replaces (copied below as the reference), the power law's with
an independent least-squares solver (scipy's Levenberg-Marquardt)."""

import math

import numpy as np
import pytest

from lrtheory.estimate._fits import lsq
from lrtheory.estimate._linear import linear_to_floor, linear_to_floor_many, power_to_floor_many
from lrtheory.estimate._records import LN10


def gn_step(J, r):
    """The Gauss-Newton step of the reference (normal equations, lstsq on failure)."""
    try:
        return np.linalg.solve(J.T @ J, J.T @ r)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(J, r, rcond=None)[0]


def _reference(k, L, i0, logF):
    """The scalar ``linear_to_floor`` before the batched form (commit 3c17ae7)."""
    kk, y = k[i0:].astype(float), L[i0:]
    above = y > logF + LN10
    if kk.size < 8 or above.sum() < 3:
        return None
    b, a = np.polyfit(kk[above], y[above], 1)
    k0 = kk.mean()
    a, c = a + b * k0, logF
    x = kk - k0

    def rss_at(a, b, c):
        u = np.exp(np.clip(a + b * x - c, -700, 700))
        r = y - c - np.log1p(u)
        return float(r @ r), u, r

    cur, u, res = rss_at(a, b, c)
    D = np.column_stack([np.ones(kk.size), x, -np.ones(kk.size)])
    near = False
    for _ in range(60):
        w = u / (u + 1.0)
        J = np.column_stack([w, w * x, 1.0 - w])
        step = None
        if near:
            H = J.T @ J - (D * (res * w * (1.0 - w))[:, None]).T @ D
            try:
                np.linalg.cholesky(H)
                step = np.linalg.solve(H, J.T @ res)
            except np.linalg.LinAlgError:
                pass
        if step is None:
            step = gn_step(J, res)
        t = 1.0
        while t > 1e-4:
            new, u2, r2 = rss_at(a + t * step[0], b + t * step[1], c + t * step[2])
            if new <= cur:
                break
            t /= 2
        else:
            break
        a, b, c = a + t * step[0], b + t * step[1], c + t * step[2]
        near = near or cur - new <= 1e-4 * cur
        done = cur - new <= 1e-10 * cur
        cur, u, res = new, u2, r2
        if done:
            break
    u = np.exp(np.clip(a + b * x - c, -700, 700))
    w = u / (u + 1.0)
    J = np.column_stack([w, w * x, 1.0 - w])
    fit = lsq(J, y - c - np.log1p(u), hac=True)
    if not (b < 0 and np.all(np.isfinite(fit.se))):
        return None
    return b, float(fit.se[1]), c, float(fit.se[2]), fit.df


def _rows():
    """~40 stretches of lengths 20..900: geometric decreases (rates 0.9..0.999) into a
    multiplicative noise floor (1e-3..1e-6) with several seeds, noise-free rows of the
    model itself, and rows the fit refuses (too few points above the floor, too short,
    no decrease)."""
    rows = []
    rng = np.random.default_rng(7)
    for seed in range(32):
        r = np.random.default_rng(seed)
        n = int(np.exp(r.uniform(np.log(20), np.log(900))))
        q, fl = r.uniform(0.9, 0.999), 10 ** r.uniform(-6, -3)
        k = np.arange(n) + int(r.integers(0, 40))
        L = np.log((q ** k + fl) * np.exp(r.uniform(0.05, 0.5) * r.standard_normal(n)))
        rows.append((k, L, math.log(fl)))
    for n, q, fl in ((300, 0.97, 1e-5), (60, 0.9, 1e-3), (900, 0.995, 1e-4)):
        k = np.arange(n)
        rows.append((k, np.log(q ** k + fl), math.log(fl)))             # exact model
    k = np.arange(200)
    rows.append((k, np.log(1e-6 * np.exp(0.1 * rng.standard_normal(200))), math.log(1e-6)))
    rows.append((k[:7], np.log(0.9 ** k[:7]), -20.0))                      # too short
    rows.append((k, np.log(0.5 ** k + 1e-3), math.log(1e-3)))              # 2 points above
    rows.append((k, np.log(1.01 ** k), 0.0))                               # growth
    rows.append((k[:40], rng.standard_normal(40), -0.5))                   # no decrease
    return rows


def _same(a, b):
    return (a is None and b is None) or (a is not None and b is not None and all(
        np.asarray(u).tobytes() == np.asarray(v).tobytes() for u, v in zip(a, b, strict=True)))


@pytest.fixture(scope="module")
def rows():
    return _rows()


@pytest.fixture(scope="module")
def batch(rows):
    return linear_to_floor_many(*map(list, zip(*rows, strict=True)))


def test_rows_independent_bit_for_bit(rows, batch):
    alone = [linear_to_floor(k, L, 0, f) for k, L, f in rows]
    assert all(_same(a, b) for a, b in zip(alone, batch, strict=True))
    perm = np.random.default_rng(3).permutation(len(rows))
    shuf = linear_to_floor_many([rows[i][0] for i in perm], [rows[i][1] for i in perm],
                                np.array([rows[i][2] for i in perm]))
    assert all(_same(batch[i], shuf[j]) for j, i in enumerate(perm))
    # a cut stretch equals the row from i0
    k, L, f = rows[5]
    assert _same(linear_to_floor(k, L, 10, f), linear_to_floor_many([k[10:]], [L[10:]], [f])[0])
    assert sum(r is None for r in batch) >= 4 and sum(r is not None for r in batch) >= 30


def test_agrees_with_the_scalar_algorithm(rows, batch):
    strict = 0
    for (k, L, f), got in zip(rows, batch, strict=True):
        ref = _reference(k, L, 0, f)
        assert (got is None) == (ref is None)
        if got is None:
            continue
        assert got[4] == ref[4]
        # (abs: the noise-free rows' standard errors are round-off, ~1e-16)
        assert got[1] == pytest.approx(ref[1], rel=1e-6, abs=1e-12)
        assert got[3] == pytest.approx(ref[3], rel=1e-6, abs=1e-12)
        for j, s in ((0, 1), (2, 3)):
            # the optimum of the same problem; where the stopping rule (residuals falling
            # by 1e-10 of themselves) leaves a flat direction short of it, both stop within
            # a minute fraction of the standard error of each other
            d = abs(got[j] - ref[j])
            assert d <= 1e-9 * abs(ref[j]) or d <= 1e-4 * ref[s]
        strict += all(abs(got[j] - ref[j]) <= 1e-9 * abs(ref[j]) for j in (0, 2))
    assert strict >= 25


def test_exact_model_recovered(rows, batch):
    for (k, _, f), got in list(zip(rows, batch, strict=True))[32:35]:
        assert got is not None
        q = {300: 0.97, 60: 0.9, 900: 0.995}[k.size]     # e_k = q^k + F: log C = log q
        assert got[0] == pytest.approx(math.log(q), rel=1e-8)
        assert got[2] == pytest.approx(f, rel=1e-8)


def test_floor_bound_stops_fits_that_leave_the_guess(rows, batch):
    # A geometric decrease with no floor at all, started from a floor guess at its own end
    # (what the floor-approached rule asks): the fit's floor runs off toward -inf (e_k =
    # 0.97^k has no floor), so with a bound three decades below the guess it is given up.
    k = np.arange(400)
    L = np.log(0.97 ** k)
    guess = float(np.median(L[-40:]))
    free = linear_to_floor_many([k], [L], [guess])[0]
    assert free is None or free[2] < guess - 3 * LN10
    assert linear_to_floor_many([k], [L], [guess], c_min=[guess - 3 * LN10])[0] is None
    # Rows whose floor stays near its guess are fitted as without the bound, bit for bit,
    # alone or beside a row that is given up.
    K, Y, F = map(list, zip(*rows, strict=True))
    got = linear_to_floor_many(K + [k], Y + [L], F + [guess],
                               c_min=[f - 3 * LN10 for f in F] + [guess - 3 * LN10])
    assert got[-1] is None
    near = [i for i, r in enumerate(batch) if r is not None and r[2] > F[i] - LN10]
    assert len(near) >= 25          # (29 of the fixture's 41 rows; a guard against none)
    assert all(_same(batch[i], got[i]) for i in near)


def test_with_rss_gives_the_fit_and_its_residuals(rows, batch):
    # with_rss appends (rss, a, k_mean): the same five numbers, bit for bit, and a line
    # a + (k - k_mean) log C under the floor c whose residuals in log(e^line + e^c) sum to
    # rss; k_mean is the mean of the row's positions (the fit's centring)
    K, Y, F = map(list, zip(*rows, strict=True))
    full = linear_to_floor_many(K, Y, F, with_rss=True)
    n = 0
    for k, y, short, long_ in zip(K, Y, batch, full, strict=True):
        assert (short is None) == (long_ is None)
        if short is None:
            continue
        n += 1
        assert _same(short, long_[:5])
        b, c, rss, a, km = long_[0], long_[2], long_[5], long_[6], long_[7]
        assert km == pytest.approx(np.mean(k), rel=1e-12)
        r = y - np.logaddexp(a + (k - km) * b, c)
        assert rss == pytest.approx(float(r @ r), rel=1e-9, abs=1e-12)
    assert n >= 25


def _power_floor_rows(seed=0):
    # e_k = A (k + 1)^-p + F e^(s z) on iterates 125..999: p 2 and 3, the power law 1-4
    # times the floor F = 1e-4 at the end, s 0.3 and 0.5; ragged (one row shortened)
    rng = np.random.default_rng(seed)
    K, Y = [], []
    for i, (p, m, s) in enumerate([(2.0, 1.0, 0.3), (2.0, 4.0, 0.5), (3.0, 2.0, 0.3),
                                   (3.0, 4.0, 0.5)]):
        k = np.arange(125.0, 1000.0 - 100 * (i == 1))
        e = m * 1e-4 * 1000.0 ** p * (k + 1.0) ** -p + 1e-4 * np.exp(s * rng.standard_normal(
            k.size))
        K.append(k)
        Y.append(np.log(e))
    return K, Y, [float(np.median(y[-90:])) for y in Y]


def test_power_floor_rows_independent_bit_for_bit():
    # a row's fit in a ragged batch is the fit it has alone (each row its own iteration)
    K, Y, G = _power_floor_rows()
    both = power_to_floor_many(K, Y, G)
    for i in range(len(K)):
        assert power_to_floor_many([K[i]], [Y[i]], [G[i]])[0] == both[i]


def test_power_floor_fit_is_the_least_squares_fit():
    # Gauss-Newton must stop at the least-squares fit of log(A (k + k0)^-p + F): scipy's
    # Levenberg-Marquardt started there (tolerances 1e-15) lowers the residual sum of
    # squares by at most 1e-9 of it and moves p by at most 1e-5; and the truth (p, F) is
    # inside the fit's 95 % intervals (t on 870-ish degrees of freedom: 1.96 se)
    from scipy.optimize import least_squares

    K, Y, G = _power_floor_rows(1)
    for k, y, truth, f in zip(K, Y, (2.0, 2.0, 3.0, 3.0), power_to_floor_many(K, Y, G),
                              strict=True):
        dk = k - k[0]

        def res(x, dk=dk, y=y):
            return x[3] + np.logaddexp(0.0, x[0] - x[1] * np.log(dk + np.exp(x[2])) - x[3]) - y

        x0 = [f.logA, f.p, math.log(f.k0 + k[0]), f.c]
        lm = least_squares(res, x0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
        assert f.rss - 2 * lm.cost <= 1e-9 * f.rss
        assert abs(lm.x[1] - f.p) <= 1e-5
        assert abs(f.p - truth) <= 1.96 * f.se_p
        assert abs(f.c - math.log(1e-4)) <= 1.96 * f.se_c


def test_power_floor_refuses_a_geometric_decrease():
    # r^k + F e^(s z): the power law's k0 runs to its upper end (the geometric limit), or
    # the fit is no better than the geometric one; either way the estimator keeps the
    # geometric reading (the validation's floor classes); here: the fit, if any, has a p
    # of at least 10 (a power law with k0, p -> oo)
    rng = np.random.default_rng(2)
    k = np.arange(125.0, 1000.0)
    y = np.log(0.99 ** k + 1e-4 * np.exp(0.3 * rng.standard_normal(k.size)))
    f = power_to_floor_many([k], [y], [float(np.median(y[-90:]))])[0]
    assert f is None or f.p > 10
