"""lrtheory.estimate._brent.fminbound_many: Brent's bounded method for many problems at once.

The reference for every expected value here is scipy itself: for each problem ``i``,
``scipy.optimize.minimize_scalar(f_i, bounds=(a[i], b[i]), method="bounded",
options={"xatol": ..., "maxiter": ...})`` (scipy 1.17.1's ``_minimize_scalar_bounded``),
run one problem at a time. ``fminbound_many`` must return its ``res.x`` and ``res.fun``
bit for bit (compared as int64 bit patterns, so -0.0 != 0.0 and NaN payloads count), and
evaluate each problem exactly ``res.nfev`` times.

The objectives are elementwise float64 arithmetic (+, -, *, /, abs, floor, sqrt, where),
which gives the same bits for a length-1 array as for a long one; scipy's scalar ``f_i``
is the batched objective called on a length-1 array.
"""

import inspect
import sys

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.optimize._optimize import _minimize_scalar_bounded

from lrtheory.estimate._brent import fminbound_many

KINDS = ("quadratic", "quartic", "abs", "constant", "flat_stretch", "floor", "cusp",
         "nan_left", "inf_right", "noisy", "double_well", "step_down", "quantised_quadratic",
         "quantised_abs")


def _problems(n, seed):
    """n problems of every kind: brackets [lo, hi] of widths 1e-6 .. 1e3 (some far from 0,
    so that sqrt_eps * |x| dominates xatol, some at or across 0, where the minimal step
    tol1 is not lost when added to x), and per-problem parameters: a centre c inside the
    bracket, at an end, or outside it, a scale s, an offset d and a quantum q."""
    rng = np.random.default_rng(seed)
    kind = np.arange(n) % len(KINDS)
    width = 10.0 ** rng.uniform(-6, 3, n)
    centre = rng.choice([0.0, 1.0, -3.5, 1e3, -2e4], n) + rng.normal(0, 1, n)
    centre = np.where(rng.uniform(0, 1, n) < 0.3, 0.0, centre)
    lo = centre - width * rng.uniform(0, 1, n)
    hi = lo + width
    u = rng.choice([-0.7, 0.0, 1.0, 1.6, np.nan], n)      # nan: a random point inside
    u = np.where(np.isnan(u), rng.uniform(0, 1, n), u)
    c = lo + u * width
    s = 10.0 ** rng.uniform(-3, 3, n)
    d = rng.normal(0, 1, n)
    q = rng.choice([2.0, 3.0, 5.0, 10.0, 1e3], n)
    return kind, lo, hi, c, s, d, q, width


def _objective(kind, lo, c, s, d, q, width):
    """The batched objective f(x, rows) of the problems made by _problems."""

    @np.errstate(all="ignore")
    def f(x, rows):
        k, c_, s_, d_, w_, lo_ = kind[rows], c[rows], s[rows], d[rows], width[rows], lo[rows]
        q_ = q[rows]
        t = x - c_
        z = (x - lo_) / w_                      # position in the bracket, 0 .. 1
        z2 = (2.0 * z - 1.0) * (2.0 * z - 1.0)
        out = np.full(x.shape, np.nan)
        cases = {
            "quadratic": s_ * t * t + d_,
            "quartic": s_ * (t * t) * (t * t) + d_ * t / w_,
            "abs": s_ * np.abs(t),
            "constant": d_ + 0.0 * x,
            "flat_stretch": np.maximum(np.abs(t) - 0.25 * w_, 0.0),
            "floor": np.floor(10.0 * z) / 10.0 + 1e-3 * (z - 0.37) * (z - 0.37),
            "cusp": np.sqrt(np.abs(t)) * s_,
            "nan_left": np.where(z < 0.3, np.nan, (z - 0.6) * (z - 0.6)),
            "inf_right": np.where(z > 0.8, np.inf, -z * (1.0 - z) * (0.7 - z)),
            "noisy": (z - 0.4) * (z - 0.4) + 1e-3 * (x * 12345.678 - np.floor(x * 12345.678)),
            "double_well": (z2 - 0.5) * (z2 - 0.5) + 0.05 * z,
            "step_down": np.where(z < 0.55, 1.0, -1.0) + 0.0 * x,
            # rounded to a few levels: many exact ties between f values
            "quantised_quadratic": np.round(t / w_ * (t / w_) * q_) / q_,
            "quantised_abs": np.round(np.abs(t / w_) * q_),
        }
        for i, name in enumerate(KINDS):
            m = k == i
            out[m] = cases[name][m]
        return out

    return f


def _same_bits(u, v):
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    return u.shape == v.shape and np.array_equal(u.view(np.int64), v.view(np.int64))


# lines of scipy's _minimize_scalar_bounded whose execution the reference runs record
_SRC, _FIRST = inspect.getsourcelines(_minimize_scalar_bounded)
_BRANCHES = {
    "parabola tried": "golden = 0",
    "q > 0: p = -p": "p = -p",
    "parabola accepted": "rat = (p + 0.0) / q",
    "parabola too near a bound": "rat = tol1 * si",
    "golden, xf >= xm": "e = a - xf",
    "golden, xf < xm": "e = b - xf",
    "fu <= fx, a = xf": "a = xf",
    "fu <= fx, b = xf": "b = xf",
    "fu > fx, a = x": "a = x",
    "fu > fx, b = x": "b = x",
    "fu > fx, new second best": "nfc, fnfc = x, fu",
    "fu > fx, new third best": "fulc, ffulc = x, fu",
    "maxiter reached": "flag = 1",
}


def _line_of(text, after=None):
    hits = [i for i, line in enumerate(_SRC) if line.strip() == text
            and (after is None or after in _SRC[i - 1])]
    assert len(hits) == 1, f"scipy's source changed: {text!r} found {len(hits)} times"
    return _FIRST + hits[0]


_LINES = {name: _line_of(text) for name, text in _BRANCHES.items()}
_LINES["parabola rejected"] = _line_of("golden = 1", after="do a golden-section step")


def _reference(f, lo, hi, xatol, maxiter, covered=None):
    """scipy, one problem at a time: (x, fun, nfev) arrays. `covered` collects the lines of
    _minimize_scalar_bounded that ran."""
    code = _minimize_scalar_bounded.__code__

    def local(frame, event, arg):
        if event == "line":
            covered.add(frame.f_lineno)
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is code else None

    xs, funs, nfev = [], [], []
    for i in range(lo.size):
        def fi(x, i=i):
            return f(np.array([x], dtype=np.float64), np.array([i]))[0]

        if covered is not None:
            sys.settrace(tracer)
        try:
            with np.errstate(all="ignore"):     # inf - inf, nan: scipy's scalars warn
                res = minimize_scalar(fi, bounds=(lo[i], hi[i]), method="bounded",
                                      options={"xatol": xatol, "maxiter": maxiter})
        finally:
            sys.settrace(None)
        xs.append(res.x)
        funs.append(res.fun)
        nfev.append(res.nfev)
    return np.array(xs, dtype=np.float64), np.array(funs, dtype=np.float64), np.array(nfev)


def _batched(f, lo, hi, xatol, maxiter):
    """fminbound_many with a callback that records every call's rows."""
    calls = []

    def g(x, rows):
        assert x.dtype == np.float64 and x.shape == rows.shape
        calls.append(rows.copy())
        return f(x, rows)

    x, fun = fminbound_many(g, lo, hi, xatol, maxiter)
    return x, fun, calls


CASES = [(1e-2, 500), (1e-5, 500), (1e-9, 500), (1e-5, 3), (1e-2, 1), (1e-5, 12)]


@pytest.fixture(scope="module")
def batch():
    kind, lo, hi, c, s, d, q, width = _problems(336, seed=7)
    return _objective(kind, lo, c, s, d, q, width), lo, hi


@pytest.fixture(scope="module")
def references(batch):
    f, lo, hi = batch
    covered = set()
    refs = {case: _reference(f, lo, hi, *case, covered=covered) for case in CASES}
    return refs, covered


@pytest.mark.parametrize("xatol,maxiter", CASES)
def test_bitwise_equal_to_scipy(batch, references, xatol, maxiter):
    f, lo, hi = batch
    rx, rfun, rnfev = references[0][(xatol, maxiter)]
    x, fun, calls = _batched(f, lo, hi, xatol, maxiter)
    assert _same_bits(x, rx)
    assert _same_bits(fun, rfun)
    # each problem evaluated as often as scipy evaluates it
    counts = np.bincount(np.concatenate(calls), minlength=lo.size)
    np.testing.assert_array_equal(counts, rnfev)
    if maxiter < 500:           # scipy stops at max(maxiter, 2) evaluations
        assert rnfev.max() == max(maxiter, 2)
    else:
        assert rnfev.max() < maxiter


@pytest.mark.parametrize("xatol", [1e-5, 1e-9])
def test_bitwise_equal_to_scipy_with_ties(xatol):
    # f rounded to 1000 levels: exact ties fu == f(second best), fu == f(third best) are
    # common, and scipy's `<=` (not `<`) in its bookkeeping decides where the search goes
    rng = np.random.default_rng(11)
    n = 300
    lo = rng.choice([0.0, 1.0, 1e3], n) - 10.0 ** rng.uniform(-7, 0, n)
    hi = lo + 10.0 ** rng.uniform(-6, 1, n)
    c = lo + rng.uniform(0.1, 0.9, n) * (hi - lo)

    def f(x, rows):
        return np.round(np.abs((x - c[rows]) / (hi[rows] - lo[rows])) * 1000.0)

    x, fun = fminbound_many(f, lo, hi, xatol)
    rx, rfun, _ = _reference(f, lo, hi, xatol, 500)
    assert _same_bits(x, rx) and _same_bits(fun, rfun)


def test_reference_batch_exercises_every_branch_of_scipy(references):
    # the batch is only evidence if scipy's own runs on it take every branch
    covered = references[1]
    missing = [name for name, line in _LINES.items() if line not in covered]
    assert not missing


def test_problem_alone_equals_problem_in_batch(batch, references):
    f, lo, hi = batch
    for xatol, maxiter in [(1e-2, 500), (1e-5, 500), (1e-5, 3)]:
        bx, bfun, _ = _batched(f, lo, hi, xatol, maxiter)
        for i in range(0, lo.size, 5):
            def fi(x, rows, i=i):
                assert np.array_equal(rows, [0])
                return f(x, np.full(rows.shape, i))

            x, fun = fminbound_many(fi, lo[i:i + 1], hi[i:i + 1], xatol, maxiter)
            assert _same_bits(x, bx[i:i + 1]) and _same_bits(fun, bfun[i:i + 1])


def test_called_with_only_active_rows(batch):
    f, lo, hi = batch
    x, fun, calls = _batched(f, lo, hi, 1e-5, 500)
    np.testing.assert_array_equal(calls[0], np.arange(lo.size))
    shrank = False
    for prev, rows in zip(calls, calls[1:], strict=False):
        assert rows.size > 0 and np.issubdtype(rows.dtype, np.integer)
        assert np.all(np.diff(rows) > 0)
        assert np.isin(rows, prev).all()
        shrank |= rows.size < prev.size
    assert shrank


def test_python_float_objective():
    # scipy's reference with an objective in plain Python floats, the batched one in arrays
    rng = np.random.default_rng(3)
    n = 60
    lo = rng.uniform(-5, 5, n)
    hi = lo + 10.0 ** rng.uniform(-4, 2, n)
    c = lo + rng.uniform(-0.5, 1.5, n) * (hi - lo)
    s = rng.uniform(0.1, 10, n)

    def f(x, rows):
        return s[rows] * (x - c[rows]) * (x - c[rows]) + np.abs(x - lo[rows])

    x, fun = fminbound_many(f, lo, hi, 1e-5)
    for i in range(n):
        ci, si, li = float(c[i]), float(s[i]), float(lo[i])
        res = minimize_scalar(lambda v, ci=ci, si=si, li=li: si * (v - ci) * (v - ci)
                              + abs(v - li), bounds=(float(lo[i]), float(hi[i])),
                              method="bounded", options={"xatol": 1e-5})
        assert _same_bits(x[i], res.x) and _same_bits(fun[i], res.fun)


def test_no_problems():
    def f(x, rows):
        raise AssertionError("f called with no problems")

    x, fun = fminbound_many(f, np.empty(0), np.empty(0), 1e-5)
    assert x.shape == (0,) and fun.shape == (0,) and x.dtype == np.float64


def test_converged_at_start_keeps_the_first_point():
    # a bracket narrower than the tolerance: scipy returns its first point, one evaluation
    calls = []

    def f(x, rows):
        calls.append(rows)
        return x * x

    lo, hi = np.array([1.0, -2.0]), np.array([1.0 + 1e-9, 3.0])
    x, fun = fminbound_many(f, lo, hi, 1e-5)
    res = minimize_scalar(lambda v: v * v, bounds=(lo[0], hi[0]), method="bounded",
                          options={"xatol": 1e-5})
    assert res.nfev == 1 and _same_bits(x[0], res.x) and _same_bits(fun[0], res.fun)
    assert len(calls) > 1 and all(0 not in r for r in calls[1:])


@pytest.mark.parametrize("kwargs,match", [
    ({"a": np.array([0.0, 1.0]), "b": np.array([1.0])}, "same shape"),
    ({"a": np.zeros((2, 1)), "b": np.ones((2, 1))}, "a must be 1-D"),
    ({"a": np.array([0.0]), "b": np.ones((1, 1))}, "b must be 1-D"),
    ({"a": np.array([np.nan]), "b": np.array([1.0])}, "a must be finite"),
    ({"a": np.array([0.0]), "b": np.array([np.inf])}, "b must be finite"),
    ({"a": np.array([0.0, 2.0]), "b": np.array([1.0, 2.0])}, r"a must be < b.*a\[1\]"),
    ({"a": np.array([0.0, 3.0]), "b": np.array([1.0, 2.0])}, r"a must be < b.*a\[1\]"),
    ({"a": np.array(["x"]), "b": np.array([1.0])}, "a must be a 1-D float array"),
    ({"xatol": 0.0}, "xatol must be > 0"),
    ({"xatol": -1e-5}, "xatol must be > 0"),
    ({"xatol": np.nan}, "xatol must be > 0"),
    ({"xatol": "tight"}, "xatol must be a float"),
    ({"maxiter": 0}, "maxiter must be an int >= 1"),
    ({"maxiter": 2.5}, "maxiter must be an int >= 1"),
    ({"maxiter": True}, "maxiter must be an int >= 1"),
])
def test_bad_inputs(kwargs, match):
    args = {"a": np.array([0.0]), "b": np.array([1.0]), "xatol": 1e-5, "maxiter": 500}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        fminbound_many(lambda x, rows: x * x, **args)


def test_bad_objective_shape():
    with pytest.raises(ValueError, match="f must return an array of shape"):
        fminbound_many(lambda x, rows: np.zeros(x.size + 1), np.array([0.0]), np.array([1.0]),
                       1e-5)
