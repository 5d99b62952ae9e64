"""The problem registry: derivatives, minimisers, exact critical points, data sets.

Registry-wide tests run over ``problems.names()`` (a new problem is tested the day it is
registered) with the small parameters of SMALL; focused tests check the exact numbers
each problem's docstring promises.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from lrtheory import problems

EPS = np.finfo(np.float64).eps

# Small configurations so the whole module runs in seconds; unlisted names use defaults.
SMALL = {
    "rosenbrock": {"dim": 5},
    "rastrigin": {"dim": 3},
    "quadratic": {"dim": 4, "cond": 10.0},
    "least_squares": {"n_train": 40, "batch_size": 8},
    "logistic": {"n_train": 60, "batch_size": 12},
    "mlp": {"hidden": 2, "n_train": 20, "batch_size": 5},
    "cnn": {"channels": 2, "n_train": 20, "batch_size": 5},
}
TAGS = {"convex", "nonconvex", "scalar", "quadratic", "dataset", "nonsmooth-at-min",
        "multimodal"}
# The 35 Moré-Garbow-Hillstrom functions have their own registry-parametrised module
# (tests/test_mgh.py: f(x0), f* against the paper, value against the SymPy expression);
# running every test here on them too would take minutes.
NAMES = [n for n in problems.names() if not n.startswith("mgh_")]


@functools.cache
def small(name: str) -> problems.Problem:
    return problems.get(name, **SMALL.get(name, {}))


def points(p, n, seed=0):
    """n random points of p's usual domain (its x0_sampler)."""
    keys = jax.random.split(jax.random.PRNGKey(seed), n)
    return [np.asarray(p.x0_sampler(k)) for k in keys]


def inf_norm(v):
    return float(np.max(np.abs(np.asarray(v))))


def test_registry_lists_every_family():
    # The names the lead's run/methods code and the studies refer to.
    assert set(NAMES) >= {"quadratic", "rosenbrock", "beale", "booth", "himmelblau",
                          "rastrigin", "ackley", "double_well", "saddle", "scalar_smooth",
                          "x4", "least_squares", "logistic", "mlp", "cnn"}
    with pytest.raises(ValueError, match="did you mean.*rosenbrock"):
        problems.get("rosenbrok")


@pytest.mark.parametrize("name", NAMES)
def test_contract(name):
    p = small(name)
    assert p.name == name and p.x0.shape == (p.dim,) and p.x0.dtype == np.float64
    assert p.tags <= TAGS and ("scalar" in p.tags) == (p.dim == 1)
    assert ("convex" in p.tags) != ("nonconvex" in p.tags)
    assert p.x0_sampler is not None and p.x0_sampler(jax.random.PRNGKey(0)).shape == (p.dim,)
    # jit- and vmap-safe: a batch of two gives the two single results (same float ops).
    xs = np.stack(points(p, 2))
    batched = jax.jit(jax.vmap(p.grad))(xs)
    np.testing.assert_allclose(batched, np.stack([p.grad(x) for x in xs]), rtol=1e-12,
                               atol=1e-12 * inf_norm(batched))
    shapes = [jax.eval_shape(f, xs[0]).shape for f in (p.value, p.grad, p.hess)]
    assert shapes == [(), (p.dim,), (p.dim, p.dim)]


@pytest.mark.parametrize("name", NAMES)
def test_grad_and_hess_match_autodiff(name):
    # The declared grad/hess (SymPy-derived, or hand-written for data sets) against JAX
    # autodiff of value, in float64. Both are float64 evaluations of the same function;
    # their difference is round-off, ~1e-14 relative here, so 1e-10 leaves 4 decades.
    # (For the nets grad/hess *are* autodiff; their independent check is the
    # finite-difference test below.)
    p = small(name)
    grad_ref, hess_ref = jax.jit(jax.grad(p.value)), jax.jit(jax.hessian(p.value))
    for x in points(p, 3, seed=1):
        g_ref = grad_ref(x)
        assert inf_norm(p.grad(x) - g_ref) <= 1e-10 * max(1.0, inf_norm(g_ref))
    for x in points(p, 2, seed=2):
        H_ref = hess_ref(x)
        assert inf_norm(p.hess(x) - H_ref) <= 1e-10 * max(1.0, inf_norm(H_ref))


def _five_point(f, h):
    """f'(0) by the five-point stencil: error h^4 f^(5)/30 + ~1.5 eps |f| / h."""
    return (f(-2 * h) - 8 * f(-h) + 8 * f(h) - f(2 * h)) / (12 * h)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_finite_differences(name):
    # Independent of autodiff and of SymPy: directional derivatives of value and of grad.
    # With h = 1e-3 the stencil's truncation error is ~3e-14 f^(5) and its round-off
    # ~3e-13 |f|; at these points both are < 1e-8 relative to the derivative, so 1e-6.
    p = small(name)
    value, grad = jax.jit(p.value), jax.jit(p.grad)
    rng = np.random.default_rng(3)
    for x in points(p, 2, seed=4):
        v = rng.standard_normal(p.dim)
        v /= np.linalg.norm(v)
        g, Hv = np.asarray(grad(x)), np.asarray(p.hess(x)) @ v
        fd = _five_point(lambda t, x=x, v=v: float(value(x + t * v)), 1e-3)
        assert abs(fd - g @ v) <= 1e-6 * max(1.0, inf_norm(g))
        fd_H = _five_point(lambda t, x=x, v=v: np.asarray(grad(x + t * v)), 1e-3)
        assert inf_norm(fd_H - Hv) <= 1e-6 * max(1.0, inf_norm(p.hess(x)))


@pytest.mark.parametrize("name", NAMES)
def test_value_matches_sympy_expression(name):
    # value (often a vectorised rewrite) against the SymPy expression evaluated at 30
    # digits; float64 evaluation of these sums is accurate to ~1e-14 relative.
    p = small(name)
    if p.expr is None:
        assert "dataset" in p.tags  # only data-set problems have no formula
        return
    for x in points(p, 2, seed=5):
        sub = {s: sp.Float(float(v), 30) for s, v in zip(p.symbols, x, strict=True)}
        exact = float(sp.N(p.expr.subs(sub), 30))
        assert abs(float(p.value(x)) - exact) <= 1e-12 * max(1.0, abs(exact))


@pytest.mark.parametrize("name", NAMES)
def test_x_star_is_a_minimiser(name):
    p = small(name)
    if p.x_star is None:
        assert "nonconvex" in p.tags and "dataset" in p.tags and p.f_star is None
        return
    xs = p.x_star
    # f(x*) is a few float ops on terms of size <= 1e2: |error| << 1e4 eps max(1, |f*|).
    assert abs(float(p.value(xs)) - p.f_star) <= 1e4 * EPS * max(1.0, abs(p.f_star))
    if "nonsmooth-at-min" in p.tags:
        # No gradient at x*: nearby points (distance 1e-6, 8 random directions) are higher.
        U = np.random.default_rng(7).standard_normal((8, p.dim))
        for u in U / np.linalg.norm(U, axis=1, keepdims=True):
            assert float(p.value(xs + 1e-6 * u)) > p.f_star
        return
    H = np.asarray(p.hess(xs))
    # Rounding x* to float64 moves it by <= eps |x*|, so |grad| <= ||H|| eps ||x*|| plus
    # the round-off of evaluating grad (tens of ops): 1e3 eps ||H|| max(1, ||x*||).
    tol = 1e3 * EPS * max(1.0, np.linalg.norm(H, 2)) * max(1.0, inf_norm(xs))
    assert inf_norm(p.grad(xs)) <= tol
    assert np.linalg.eigvalsh(H)[0] >= -tol  # second-order necessary condition


# ----- focused tests: analytic functions ------------------------------------------------

def test_rosenbrock_start_structure_and_vectorisation():
    p = problems.rosenbrock(dim=5)
    assert p.x0.tolist() == [-1.2, 1.0, -1.2, 1.0, -1.2] and p.x_star.tolist() == [1.0] * 5
    # Hessian at x* = ones: diag (802, 1002, 1002, 1002, 200), off-diagonal -400 (from
    # d2/dx_i^2 = 1200 x_i^2 - 400 x_{i+1} + 2 (+200 for i > 1), d2/dx_i dx_{i+1} = -400x_i).
    H = np.asarray(p.hess(p.x_star))
    expected = (np.diag([802.0, 1002, 1002, 1002, 200]) - 400 * np.eye(5, k=1)
                - 400 * np.eye(5, k=-1))
    np.testing.assert_array_equal(H, expected)
    # Vectorised: the traced gradient has the same number of operations for dim 10 and 100
    # (a lambdified per-coordinate gradient grows with dim and compiled 40x slower).
    size = [len(jax.make_jaxpr(problems.rosenbrock(dim=d).grad)(np.ones(d)).eqns)
            for d in (10, 100)]
    assert size[0] == size[1]
    big = problems.rosenbrock(dim=100)
    x = points(big, 1)[0]
    g_ref = jax.jit(jax.grad(big.value))(x)
    assert inf_norm(jax.jit(big.grad)(x) - g_ref) <= 1e-10 * inf_norm(g_ref)


def test_rastrigin_and_booth_curvature():
    # Rastrigin: t''(0) = 2 + 40 pi^2 per coordinate; Booth: [[10, 8], [8, 10]] -> {2, 18}.
    H = np.asarray(problems.rastrigin(dim=3).hess(np.zeros(3)))
    np.testing.assert_allclose(H, (2 + 40 * np.pi**2) * np.eye(3), rtol=1e-14)
    assert problems.booth().data["eigenvalues"].tolist() == [2.0, 18.0]


def test_himmelblau_four_minima():
    p = problems.himmelblau()
    m = p.data["minima"]
    assert m.shape == (4, 2) and len({tuple(r) for r in m.round(6)}) == 4
    for x, y in m:
        # On x^2 + y = 11, x + y^2 = 7 (both squares vanish); x is a root of
        # x^4 - 22x^2 + x + 114 (eliminating y). 30-digit roots rounded once: ~1e-14.
        assert abs(x**2 + y - 11) < 1e-13 and abs(x + y**2 - 7) < 1e-13
        assert abs(float(p.value(np.array([x, y])))) < 1e-25
        assert np.linalg.eigvalsh(np.asarray(p.hess(np.array([x, y]))))[0] > 0
    np.testing.assert_allclose(np.sort(m[:, 0]), np.sort(np.roots([1, 0, -22, 1, 114]).real),
                               rtol=1e-13)
    assert any(np.array_equal(r, [3.0, 2.0]) for r in m)


def test_ackley_cone_at_minimum_and_finite_gradient():
    p = problems.ackley()
    # f(t u) = 2 sqrt(2) t + O(t^2) for a unit u (expand both exponentials at 0): the
    # one-sided slope is 2 sqrt 2 in every direction; O(t^2) term ~ 10 t^2 -> 1e-5 rel.
    t = 1e-6
    for angle in (0.0, 1.0, 2.5, 4.0):
        u = np.array([math.cos(angle), math.sin(angle)])
        slope = (float(p.value(t * u)) - p.f_star) / t
        assert abs(slope - 2 * math.sqrt(2)) < 1e-4
    # Finite everywhere: exactly 0 at the origin; near it, the cone's unit vector (no
    # 0/0, no overflow when x^2 + y^2 underflows).
    assert p.grad(np.zeros(2)).tolist() == [0.0, 0.0]
    g = np.asarray(p.grad(np.array([1e-200, 0.0])))
    np.testing.assert_allclose(g, [2 * math.sqrt(2), 0.0], atol=1e-12)


def test_double_well_critical_points():
    p = problems.double_well()
    # Roots of f'(x) = 4x^3 - 4x + 0.3 by numpy (independent of SymPy's CRootOf).
    r = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    np.testing.assert_allclose(p.data["minima"], [r[0], r[2]], rtol=1e-13)
    np.testing.assert_allclose(p.data["local_max"], [r[1]], rtol=1e-12)
    f = [float(p.value(np.array([x]))) for x in p.data["minima"]]
    np.testing.assert_allclose(f, p.data["f_minima"], rtol=1e-14)
    assert f[0] < f[1] and p.x_star[0] == p.data["minima"][0]  # global is the left well
    assert float(p.hess(p.data["local_max"])[0, 0]) < 0 < float(p.hess(p.x_star)[0, 0])


def test_saddle_critical_points():
    p = problems.saddle()
    assert p.hess(p.data["saddle_point"]).tolist() == [[1.0, 0.0], [0.0, -1.0]]
    for m in p.data["minima"]:
        assert p.grad(m).tolist() == [0.0, 0.0]
        assert p.hess(m).tolist() == [[1.0, 0.0], [0.0, 2.0]] and float(p.value(m)) == -0.25


def test_scalar_smooth_newton_constant_and_x4():
    p = problems.scalar_smooth()
    x = sp.Symbol("x")
    assert p.x_star[0] == math.log(2) and abs(p.f_star - (2 - 2 * math.log(2))) < 1e-16
    d2, d3 = (sp.diff(p.expr, x, k).subs(x, sp.log(2)) for k in (2, 3))
    assert d3 != 0 and sp.simplify(abs(d3 / (2 * d2)) - p.data["newton_constant"]) == 0
    q = problems.x4()
    # Degenerate minimum: f''(0) = 0; f'(1) = 4.
    assert q.hess(q.x_star).tolist() == [[0.0]] and q.grad(q.x0).tolist() == [4.0]


@pytest.mark.parametrize(("name", "half_width"), [("himmelblau", 5.0), ("rastrigin", 5.12),
                                                  ("ackley", 32.768), ("double_well", 2.0),
                                                  ("saddle", 2.0)])
def test_random_starts_cover_the_documented_box(name, half_width):
    p = small(name)
    X = np.asarray(jax.vmap(p.x0_sampler)(jax.random.split(jax.random.PRNGKey(0), 2000)))
    assert "multimodal" in p.tags and X.shape == (2000, p.dim)
    assert X.min() >= -half_width and X.max() <= half_width
    # Uniform: each end-tenth of the box is hit (miss probability 0.9^2000 ~ 1e-92).
    assert X.min() < -0.8 * half_width and X.max() > 0.8 * half_width


# ----- quadratic and from_expr (the lead's contracts) -----------------------------------

def test_quadratic_spectrum_and_rejections():
    p = problems.quadratic(dim=6, cond=100.0, mu=0.5, seed=3, spectrum="log")
    ev = p.data["eigenvalues"]
    assert ev[0] == 0.5 and ev[-1] == 50.0  # endpoints set exactly
    # A = Q diag Q^T rounded: eigenvalues of A agree with the spectrum to ~10 eps L.
    np.testing.assert_allclose(np.linalg.eigvalsh(p.data["A"]), ev, atol=1e-12 * 50)
    with pytest.raises(ValueError, match="symmetric"):
        problems.quadratic(A=[[2.0, 1.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="positive definite"):
        problems.quadratic(A=[[1.0, 0.0], [0.0, -1.0]])


@pytest.mark.parametrize("n", [1, 2, 10])
def test_from_expr_user_expressions(n):
    xs = sp.symbols(f"x1:{n + 1}")
    e = sum(s**4 / 4 + sp.cos(s) for s in xs)
    e += sum(a * b for a, b in zip(xs[:-1], xs[1:], strict=True))
    p = problems.from_expr(str(e), x0=np.linspace(-1, 1, n))  # string input
    assert p.dim == n and p.symbols == xs and ("scalar" in p.tags) == (n == 1)
    x = np.linspace(0.3, 1.7, n)
    g_ref = jax.grad(p.value)(x)
    assert inf_norm(p.grad(x) - g_ref) <= 1e-12 * max(1.0, inf_norm(g_ref))


def test_from_expr_rejects_parameters_that_are_not_variables():
    with pytest.raises(ValueError, match=r"\['a'\]"):
        problems.from_expr("a*x**2 + y**2", x0=[1.0, 1.0], symbols=["x", "y"])


# ----- data-set problems ----------------------------------------------------------------

DATASETS = [n for n in NAMES if "dataset" in small(n).tags]
TOTAL = {"least_squares": 442, "logistic": 569, "mlp": 1797, "cnn": 1797}


@pytest.mark.parametrize("name", DATASETS)
def test_dataset_shapes_and_metrics(name):
    p = small(name)
    d = p.data
    n = p.params["n_train"]
    assert d["X"].shape[0] == d["y"].shape[0] == n
    assert d["X_test"].shape[0] == d["y_test"].shape[0] == TOTAL[name] - n
    m = p.metrics(p.x0)
    # train_loss is the data term of value; at x0 the penalty is 0 (w = 0 for the linear
    # models, l2 = 0 for the nets), so the two agree to round-off.
    assert abs(float(m["train_loss"]) - float(p.value(p.x0))) < 1e-12
    for key in ("train_acc", "test_acc"):
        if key in m:
            assert 0.0 <= float(m[key]) <= 1.0
    assert np.isfinite(float(m["test_loss"]))


@pytest.mark.parametrize("name", DATASETS)
def test_batch_grad_is_unbiased(name):
    p = small(name)
    x = points(p, 1, seed=6)[0]
    g = np.asarray(p.grad(x))
    # One batch of all rows is the full gradient (only the summation order differs).
    full = problems.get(name, **{**SMALL[name], "batch_size": p.params["n_train"]})
    assert inf_norm(full.batch_grad(x, jax.random.PRNGKey(0)) - g) <= 1e-12 * max(
        1.0, inf_norm(g))
    # K draws: the mean of an unbiased estimator is within 5 standard errors per
    # coordinate (CLT; 5 sigma over <= 300 coordinates fails with prob. < 2e-4, and the
    # seed is fixed). A wrong normalisation (1/n instead of 1/b) is off by a factor n/b.
    # (A Python loop reuses the compiled batch_grad; vmap would compile it again.)
    K = 400
    G = np.stack([p.batch_grad(x, k) for k in jax.random.split(jax.random.PRNGKey(1), K)])
    se = G.std(axis=0, ddof=1) / math.sqrt(K)
    assert np.all(np.abs(G.mean(axis=0) - g) <= 5 * se + 1e-12 * max(1.0, inf_norm(g)))
    # Each draw uses batch_size distinct rows: its variance is below the with-replacement
    # variance by the finite-population factor (n - b)/(n - 1) < 1 (Cochran 1977, 2.8).


@pytest.mark.parametrize(("n", "k"), [(400, 32), (100, 16), (37, 33), (5, 5), (1, 1)])
def test_top_indices_is_lax_top_k(n, k):
    # top_indices promises lax.top_k's indices in lax.top_k's order (descending value, a
    # tie to the lower index); the reference is lax.top_k itself on the same uniforms.
    from lrtheory.problems.datasets import top_indices

    keys = jax.random.split(jax.random.key(3), 2000)
    u = jax.vmap(lambda key: jax.random.uniform(key, (n,)))(keys)
    got = jax.jit(jax.vmap(lambda v: top_indices(v, k)))(u)
    want = jax.vmap(lambda v: jax.lax.top_k(v, k)[1])(u)
    assert np.array_equal(np.asarray(got), np.asarray(want))


def test_top_indices_resolves_float32_ties():
    # Values that round to one float32 (cells of 2^-24 near 1), exact float64 ties and a
    # tie group straddling the k-th place: the float32 pre-selection alone would order
    # these by index; the float64 ranking must restore lax.top_k's order. Compiled once per
    # k, as the mini-batch gradients call it (op by op it compiled ~150 small programs).
    from lrtheory.problems.datasets import top_indices

    top_indices = jax.jit(top_indices, static_argnums=1)
    e = 2.0 ** -30           # far below float32's resolution at 0.9
    u = np.full(12, 0.1)
    u[[7, 2, 9, 4]] = 0.9 + np.array([3, 1, 2, 1]) * e   # 7 > 9 > 2 == 4 in float64
    u[[5, 0]] = 0.8 + np.array([0, 1]) * e               # 0 > 5; the 5th and 6th largest
    u = jnp.asarray(u)
    for k in (1, 3, 4, 5, 6, 12):
        want = np.asarray(jax.lax.top_k(u, k)[1])
        assert np.array_equal(np.asarray(top_indices(u, k)), want), k
    assert list(np.asarray(top_indices(u, 6))) == [7, 9, 2, 4, 0, 5]


def test_cnn_is_a_valid_convolution():
    # The net computes its 3x3 valid convolution as a product of image patches (im2col);
    # the reference here is XLA's own convolution (lax.conv_general_dilated, NHWC/HWIO),
    # followed by the documented tanh, 2x2 average pooling and dense layer. The
    # parameters are flat in ravel_pytree's (sorted-key) order: K, W, b, c.
    from jax.flatten_util import ravel_pytree

    c = 3
    p = problems.cnn(channels=c, n_train=30)
    theta = points(p, 1, seed=2)[0]
    tree = {"K": np.zeros((3, 3, 1, c)), "W": np.zeros((9 * c, 10)), "b": np.zeros(10),
            "c": np.zeros(c)}
    t = ravel_pytree(tree)[1](jnp.asarray(theta))
    X = p.data["X"]  # already scaled to [0, 1]
    h = jax.lax.conv_general_dilated(X.reshape(-1, 8, 8, 1), t["K"], (1, 1), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    h = jnp.tanh(h + t["c"][None, None, None]).reshape(-1, 3, 2, 3, 2, c).mean(axis=(2, 4))
    logits = h.reshape(X.shape[0], -1) @ t["W"] + t["b"][None]
    Y = jax.nn.one_hot(p.data["y"], 10)
    ref = -float(jnp.mean(jnp.sum(Y * jax.nn.log_softmax(logits), axis=-1)))
    # sums of 9 products in another order: agreement to a few ulps of the loss
    assert abs(float(p.value(theta)) - ref) <= 64 * EPS * abs(ref)


@pytest.mark.parametrize("name", ["himmelblau", "rosenbrock", "mlp", "cnn"])
def test_starts_are_the_samplers_draws(name):
    # Problem.starts maps x0_sampler over the keys (lax.map, compiled): each row must be
    # the sampler's own draw for that key. Bit for bit against the compiled vmap (what the
    # studies used); against eager calls one at a time (what sweeps used) to a few ulps:
    # compiled, x / 3 becomes x * (1/3) and the normal's transform may fuse, each a
    # rounding of its own (the CNN's 1/sqrt(fan-in) = 1/3, 1/6: 2 ulps at most measured).
    p = small(name)
    keys = jax.random.split(jax.random.key(5), 4)
    x = np.asarray(p.starts(keys))
    assert x.shape == (4, p.dim)
    np.testing.assert_array_equal(x, np.asarray(jax.jit(jax.vmap(p.x0_sampler))(keys)))
    eager = np.stack([np.asarray(p.x0_sampler(k)) for k in keys])
    assert np.all(np.abs(x - eager) <= 4 * np.spacing(np.maximum(np.abs(x), np.abs(eager))))
    raw = jax.random.split(jax.random.PRNGKey(5), 4)           # raw (4, 2) uint32 keys
    np.testing.assert_array_equal(np.asarray(p.starts(raw)),
                                  np.asarray(jax.jit(jax.vmap(p.x0_sampler))(raw)))


def test_starts_reject_bad_keys_and_samplerless_problems():
    p = small("himmelblau")
    with pytest.raises(ValueError, match="1-D array of PRNG keys"):
        p.starts(jax.random.key(0))
    with pytest.raises(ValueError, match="no x0_sampler"):
        dataclasses.replace(p, x0_sampler=None).starts(jax.random.split(jax.random.key(0), 2))


def test_least_squares_against_sklearn():
    from sklearn.linear_model import LinearRegression

    p = problems.least_squares(n_train=120)
    X, y = p.data["X"], p.data["y"]
    fit = LinearRegression(fit_intercept=False).fit(X, y)  # intercept column is in X
    # Both solve a system with cond(A) ~ 5e2: agreement to ~1e-13 relative.
    np.testing.assert_allclose(p.x_star, fit.coef_, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(p.data["A"], X.T @ X / 120, rtol=1e-14)
    r2 = float(p.metrics(p.x_star)["train_r2"])
    assert abs(r2 - fit.score(X, y)) < 1e-12


def test_logistic_minimiser_from_strong_convexity():
    p = problems.logistic()  # default: l2 = 1e-3, 400 training rows
    g = np.linalg.norm(p.grad(p.x_star))
    # mu-strong convexity: ||x - x*|| <= ||grad f(x)|| / mu; Newton ran to 1e-14.
    assert g / p.data["mu"] < 1e-10
    ev = np.linalg.eigvalsh(np.asarray(p.hess(p.x_star)))
    assert p.data["mu"] <= ev[0] and ev[-1] <= p.data["L"]
    assert float(p.metrics(p.x_star)["train_acc"]) > 0.95  # separable-ish data


@pytest.mark.parametrize(("name", "bad", "error", "arg"), [
    ("least_squares", {"n_train": 442}, ValueError, "n_train"),
    ("least_squares", {"n_train": 5}, ValueError, "n_train"),
    ("logistic", {"batch_size": 0}, ValueError, "batch_size"),
    ("logistic", {"l2": 0.0}, ValueError, "l2"),
    ("mlp", {"n_train": 10_000}, ValueError, "n_train"),
    ("mlp", {"n_train": 50, "batch_size": 51}, ValueError, "batch_size"),
    ("cnn", {"channels": 0}, ValueError, "channels"),
    ("mlp", {"n_train": 100.5}, TypeError, "n_train"),
    ("rosenbrock", {"dim": 1}, ValueError, "dim"),
])
def test_bad_parameters_name_the_argument(name, bad, error, arg):
    with pytest.raises(error, match=arg) as info:
        problems.get(name, **bad)
    assert str(bad[arg]) in str(info.value)  # the message also shows the value
