"""Registry-parametrised: every method runs on every applicable problem, computes its
documented update rule in both precisions, and validates its hyperparameters."""

import functools
import tomllib
from importlib import resources

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import optax
import pytest
import sympy as sp

import lrtheory as lrt
from lrtheory import methods, problems, theory
from lrtheory.config import precision
from lrtheory.methods import _catalogue
from lrtheory.precision import METHODS, run_mp
from lrtheory.run import scan_trajectory

# A learning rate for the 3-step runs of every method on every problem; second-order
# methods use their default lr = 1. Some runs leave the blow-up bound within 3 steps (GD
# on Powell's badly scaled and Brown-Dennis functions; Newton's full first step on the
# rank-1 linear functions, whose Hessian is singular): their records freeze at the last
# good iterate and stay finite, which is what the test checks.
SMALL_LR = 1e-4
EPS = np.finfo(np.float64).eps


@functools.cache
def built(name):
    """Each registered problem, built once per process on its first case (a worker that
    runs some of the cases builds only their problems)."""
    return problems.get(name)


def _method(name):
    return methods.get(name, lr=SMALL_LR if methods.info(name).lr_required else None)


@pytest.mark.parametrize("pname", problems.names())
def test_every_method_runs_on_every_applicable_problem(pname):
    problem = built(pname)
    runs, refused = [], []
    for mname in methods.names():
        (runs if methods.applicable(mname, problem)[0] else refused).append(mname)
    # Not applicable is part of the contract: run() refuses with the reason, before tracing.
    for mname in refused:
        with pytest.raises(ValueError, match="does not apply"):
            lrt.run(_method(mname), problem, steps=2)
    # The applicable methods' 3-step runs, traced and compiled as one program: the same
    # scan_trajectory as lrt.run(method, problem, 3) in float64 (run() adds input checks,
    # tested in test_run.py), at about half the compile time of one program per method.
    x0 = jnp.asarray(problem.x0, jnp.float64)

    def all_runs(x0):
        return [scan_trajectory(_method(m), problem, 3, x0) for m in runs]

    try:
        with precision("float64"):
            out = jax.jit(all_runs)(x0)
    except Exception:  # name the method that fails, one program at a time
        for m in runs:
            lrt.run(_method(m), problem, steps=3)
        raise
    for m, t in zip(runs, out, strict=True):
        t = jax.tree_util.tree_map(np.asarray, t)
        assert t.f.shape == (4,) and t.step_norm.shape == (3,), m
        assert np.all(np.isfinite(t.f)) and np.all(np.isfinite(t.grad_norm)), m
        assert (t.dist is None) == (problem.x_star is None), m


def test_user_optax_transformations_plug_in_unchanged():
    # A chain with clipping, and L-BFGS which needs value/grad/value_fn extra arguments.
    # On f = (x-1)^2 + 10 y^2, L-BFGS with zoom line search reaches x* = (1, 0) to
    # round-off within 20 steps (a 2-D quadratic: two curvature pairs span the space).
    p = problems.from_expr("(x - 1)**2 + 10*y**2", x0=[0.0, 1.0], x_star=[1.0, 0.0])
    t = lrt.run(optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.05)), p, steps=50)
    assert t.f[-1] < t.f[0] and t.lr is None
    t = lrt.run(optax.lbfgs(), p, steps=20)
    assert t.dist[-1] < 1e-10


def test_one_registry_for_both_precisions():
    assert set(METHODS) == set(methods.names())
    for name in methods.names():
        s = methods.info(name)
        assert METHODS[name] is s is methods.spec(name)
        assert s.name == name and len(s.summary) > 40 and s.conventions and s.references
        for h in s.hyper:  # every hyperparameter states its range and checks its default
            assert h.name in h.range and h.doc
            assert h.check(h.default, name) == h.default
    assert methods.spec("heavy_ball") is methods.spec("momentum")


# ------------------------------------------------------------------------ methods.toml
@pytest.mark.parametrize("edit, error, match", [
    (lambda t: t["adam"].update(sumary="x"), RuntimeError,
     r"methods.toml: method 'adam': unknown key 'sumary'"),
    (lambda t: t["adam"].update(optax="adam"), RuntimeError,  # code is not data
     r"method 'adam': unknown key 'optax'"),
    (lambda t: t["adam"]["hyper"][2].update(hi=1), RuntimeError,
     r"method 'adam', hyper\[2\]: unknown key 'hi'"),
    (lambda t: t["adam"].pop("summary"), RuntimeError,
     r"method 'adam': missing key\(s\) \['summary'\]"),
    (lambda t: t["rmsprop"]["hyper"][1].pop("default"), RuntimeError,  # not in [shared]
     r"method 'rmsprop', hyper\[1\]: missing key\(s\) \['default'\]"),
    (lambda t: t["adam"].update(memory="yes"), TypeError,
     r"method 'adam', memory must be bool; got 'yes'"),
    (lambda t: t["adam"]["hyper"][0].update(default=True), TypeError,
     r"method 'adam', hyper\[0\], default must be a number; got True"),
    (lambda t: t["newton"].update(needs="hess"), TypeError,
     r"method 'newton', needs must be an array; got 'hess'"),
    (lambda t: t.pop("adam"), RuntimeError, r"without code: \[\], without data: \['adam'\]"),
    (lambda t: t.update(adamw=t["adam"]), RuntimeError, r"without code: \['adamw'\]"),
    (lambda t: t["gd_armijo"].update(use="armijo"), RuntimeError,
     r"method 'gd_armijo': use = 'armijo' names no table of \[shared\]"),
    (lambda t: t["bfgs"].update(references="${NWW}, Alg. 6.1"), RuntimeError,
     r"method 'bfgs', references: a '\$' must begin \$\{NAME\} .*'NWW'"),
    (lambda t: t["shared"].update(OLD_RULE="unused text"), RuntimeError,
     r"\[shared\] entries no method uses: \['OLD_RULE'\]"),
    (lambda t: t["shared"].update(stale={"name": "eps"}), RuntimeError,
     r"\[shared\] entries no method uses: \['stale'\]"),
])
def test_methods_toml_is_checked_when_read(edit, error, match):
    # Each edit of the file (as read) is refused, naming the method, the key and the file.
    table = tomllib.loads((resources.files("lrtheory.methods") / "methods.toml").read_text())
    assert _catalogue._specs(table) == _catalogue.SPECS  # unedited, it is the registry
    edit(table)
    with pytest.raises(error, match=match):
        _catalogue._specs(table)


# --------------------------------------------------------- the same iterates, both precisions
# f = u^2 + 10 y^2 + u y + u^4/4 + y^4 with u = x - 1: smooth, strongly convex (Hessian
# [[2 + 3u^2, 1], [1, 20 + 12 y^2]] >= [[2, 1], [1, 20]] > 0), minimiser (1, 0) with f* = 0.
# f* = 0 and f computed from u = x - 1 (exact near 1) keep f accurate relative to itself
# near x*, so the float64 Armijo tests decide as the 60-digit ones do.
F2 = "(x - 1)**2 + 10*y**2 + (x - 1)*y + (x - 1)**4/4 + y**4"
P2 = problems.from_expr(F2, x0=[0.0, 1.0], x_star=[1.0, 0.0])
PQ = problems.from_expr("(x - 1)**2 + 10*y**2 + (x - 1)*y", x0=[0.0, 1.0], x_star=[1.0, 0.0])
# g' = e^x + 1/2 > 0. x_star=None: the mpmath run then stops by its step rule, not at
# 60-digit distance to x* (Halley, order 3, gets there in 4 records: too few to compare).
P1 = problems.from_expr("exp(x) - 2*x + x**2/4", x0=[1.0], x_star=None)


def _problem_for(name):
    needs = methods.info(name).needs
    return P1 if "scalar" in needs else PQ if "quadratic" in needs else P2


def _mp_x(traj):
    return np.array([[float(v) for v in row] for row in traj.x])


@pytest.mark.parametrize("name", methods.names())
def test_both_precisions_agree_for_20_steps(name):
    # lr = 0.02 < 2/L everywhere on the path (L <= 2 + 3 + 20 + 12 + 2 = 39 for |u|, |y|
    # <= 1), so no run leaves the region; methods whose lr is optional use their default.
    p = _problem_for(name)
    lr = 0.02 if methods.info(name).lr_required else None
    x64 = np.asarray(lrt.run(methods.get(name, lr=lr), p, 20, keep_x=True).x)
    mp = run_mp(name, p, None, 20, lr=lr, digits=60)
    xm = _mp_x(mp)
    # The mpmath run carries 60 digits, so xm is the exact iteration rounded once. Each
    # float64 step rounds a handful of operations (<= 1/2 ulp each) and the maps contract
    # here, so the errors add up instead of growing: 20 steps x a few ulp < 64 eps of
    # max(1, |x|) (measured: <= 8 eps, the secant's difference quotient). A wrong
    # convention is far outside: Nesterov's x_k vs y_k differ by beta |x_k - x_{k-1}| ~ 1e-2,
    # Adagrad's eps = 1e-7 inside vs outside the root by ~1e-9 after one step.
    tol = 64 * EPS * max(1.0, np.abs(x64).max())
    n = len(xm)
    assert n >= 5 and mp.diverged_at == -1
    np.testing.assert_allclose(x64[:n], xm, rtol=0, atol=tol)
    # A run that stopped early reached x* to 50 digits: the float64 run stays there.
    np.testing.assert_allclose(x64[n:], np.broadcast_to(xm[-1], x64[n:].shape), rtol=0,
                               atol=tol)


# ------------------------------------------------- one hand-computed step per documented rule
def _g2(v):  # the gradient of F2, by hand
    u, y = v[0] - 1, v[1]
    return [2 * u + y + u**3, 20 * y + u + 4 * y**3]


def _h2(v):
    u, y = v[0] - 1, v[1]
    return [[2 + 3 * u**2, mpmath.mpf(1)], [mpmath.mpf(1), 20 + 12 * y**2]]


def _f2(v):
    u, y = v[0] - 1, v[1]
    return u**2 + 10 * y**2 + u * y + u**4 / 4 + y**4


def _add(a, b, t=1):
    return [ai + t * bi for ai, bi in zip(a, b, strict=True)]


def _dot(a, b):
    return sum(ai * bi for ai, bi in zip(a, b, strict=True))


def _solve(H, g):  # H^{-1} g for 2 x 2, Cramer's rule
    det = H[0][0] * H[1][1] - H[0][1] * H[1][0]
    return [(H[1][1] * g[0] - H[0][1] * g[1]) / det, (H[0][0] * g[1] - H[1][0] * g[0]) / det]


def _armijo(x, d, t, c=mpmath.mpf(1) / 4, rho=mpmath.mpf(1) / 2):
    slope = _dot(_g2(x), d)
    for _ in range(40):
        if _f2(_add(x, d, t)) <= _f2(x) + c * t * slope:
            return t
        t *= rho
    return t


def _two(step, x, state=None):
    x1, state = step(x, state, 0)
    x2, _ = step(x1, state, 1)
    return [x1, x2]


A, B, E = mpmath.mpf(1) / 64, mpmath.mpf(1) / 2, mpmath.mpf(2) ** -10
# name -> (keyword arguments for both precisions, the documented formula it checks, and
# the rule by hand: x0 -> [x1, x2]). Dyadic values, so float64 holds them exactly.
FIRST = dict(lr=1 / 64)
ADAPT = dict(lr=1 / 64, eps=2.0**-10)
ARM = dict(c=0.25, rho=0.5)


def _gd(x):
    return _two(lambda v, s, k: (_add(v, _g2(v), -A), s), x)


def _momentum(x):
    def step(v, m, k):
        m = _add(_g2(v), [0, 0] if m is None else m, B)
        return _add(v, m, -A), m
    return _two(step, x)


def _nesterov(x):
    def step(v, m, k):
        g = _g2(v)
        m = _add(g, [0, 0] if m is None else m, B)
        return _add(v, _add(g, m, B), -A), m
    return _two(step, x)


def _ew(fn, *cols):  # per coordinate, as optax acts
    return [fn(*t) for t in zip(*cols, strict=True)]


def _adagrad(x):
    def step(v, s, k):
        g = _g2(v)
        s = _ew(lambda si, gi: si + gi**2, [mpmath.mpf(1) / 4] * 2 if s is None else s, g)
        return _ew(lambda vi, gi, si: vi - A * gi / mpmath.sqrt(si + E), v, g, s), s
    return _two(step, x)


def _rmsprop(x):
    def step(v, s, k):
        g = _g2(v)
        s = _ew(lambda si, gi: B * si + (1 - B) * gi**2, [0, 0] if s is None else s, g)
        return _ew(lambda vi, gi, si: vi - A * gi / mpmath.sqrt(si + E), v, g, s), s
    return _two(step, x)


def _adadelta(x):  # lr = 1 (its default), rho = 1/2
    def step(v, st, k):
        g = _g2(v)
        s, d = ([0, 0], [0, 0]) if st is None else st
        s = _ew(lambda si, gi: B * si + (1 - B) * gi**2, s, g)
        u = _ew(lambda di, si, gi: mpmath.sqrt(di + E) / mpmath.sqrt(si + E) * gi, d, s, g)
        d = _ew(lambda di, ui: B * di + (1 - B) * ui**2, d, u)
        return _add(v, u, -1), (s, d)
    return _two(step, x)


def _adam(x):  # b1 = 1/2, b2 = 3/4
    b2 = mpmath.mpf(3) / 4

    def step(v, st, k):
        g = _g2(v)
        m, w = ([0, 0], [0, 0]) if st is None else st
        m = _ew(lambda mi, gi: B * mi + (1 - B) * gi, m, g)
        w = _ew(lambda wi, gi: b2 * wi + (1 - b2) * gi**2, w, g)
        mh = [mi / (1 - B ** (k + 1)) for mi in m]
        wh = [wi / (1 - b2 ** (k + 1)) for wi in w]
        return _ew(lambda vi, a, b: vi - A * a / (mpmath.sqrt(b) + E), v, mh, wh), (m, w)
    return _two(step, x)


def _newton(lr):
    return lambda x: _two(lambda v, s, k: (_add(v, _solve(_h2(v), _g2(v)), -lr), s), x)


def _newton_armijo(x):
    def step(v, s, k):
        d = [-di for di in _solve(_h2(v), _g2(v))]  # a descent direction: H > 0 here
        return _add(v, d, _armijo(v, d, mpmath.mpf(1))), s
    return _two(step, x)


def _gd_armijo(x):
    def step(v, s, k):
        d = [-gi for gi in _g2(v)]
        return _add(v, d, _armijo(v, d, mpmath.mpf(1))), s
    return _two(step, x)


def _bfgs(x):
    def step(v, H, k):
        H = H or [[1, 0], [0, 1]]
        g = _g2(v)
        d = [-_dot(H[0], g), -_dot(H[1], g)]
        if not _dot(g, d) < 0:
            d = [-gi for gi in g]
        s = [di * _armijo(v, d, mpmath.mpf(1)) for di in d]
        v1 = _add(v, s)
        y = _add(_g2(v1), g, -1)
        sy = _dot(s, y)
        if k == 0:
            H = [[sy / _dot(y, y), 0], [0, sy / _dot(y, y)]]
        # (I - s y'/sy) H (I - y s'/sy) + s s'/sy, entry by entry
        V = [[(i == j) - s[i] * y[j] / sy for j in range(2)] for i in range(2)]
        VH = [[_dot(V[i], [H[0][j], H[1][j]]) for j in range(2)] for i in range(2)]
        H = [[_dot(VH[i], V[j]) + s[i] * s[j] / sy for j in range(2)] for i in range(2)]
        return v1, H
    return _two(step, x)


def _exact_line_search(x):
    def step(v, s, k):
        u, y = v[0] - 1, v[1]
        g = [2 * u + y, 20 * y + u]  # PQ's gradient; Hessian [[2, 1], [1, 20]]
        gHg = 2 * g[0] ** 2 + 2 * g[0] * g[1] + 20 * g[1] ** 2
        return _add(v, g, -_dot(g, g) / gHg), s
    return _two(step, x)


def _g1(v):
    return mpmath.exp(v) - 2 + v / 2


def _secant(x):  # h = 1/8: x_{-1} = x0 + h (1 + |x0|)
    x0 = x[0]
    xm = x0 + (1 + abs(x0)) / 8
    x1 = x0 - _g1(x0) * (x0 - xm) / (_g1(x0) - _g1(xm))
    x2 = x1 - _g1(x1) * (x1 - x0) / (_g1(x1) - _g1(x0))
    return [[x1], [x2]]


def _halley(x):
    def H(z):
        g, g1, g2 = _g1(z), mpmath.exp(z) + B, mpmath.exp(z)
        return z - 2 * g * g1 / (2 * g1**2 - g * g2)
    return [[H(x[0])], [H(H(x[0]))]]


RULES = {
    "gd": (FIRST, "x_{k+1} = x_k - lr g_k", _gd),
    "gd_armijo": (ARM, "f(x_k + t d_k) <= f(x_k) + c t g_k.d_k", _gd_armijo),
    "momentum": ({**FIRST, "beta": 0.5}, "v_{k+1} = g_k + beta v_k, x_{k+1} = x_k - lr v_{k+1}",
                 _momentum),
    "nesterov": ({**FIRST, "beta": 0.5}, "x_{k+1} = x_k - lr (g_k + beta v_{k+1})", _nesterov),
    "adagrad": ({**ADAPT, "initial_accumulator_value": 0.25},
                "x_{k+1} = x_k - lr g_k / sqrt(s_{k+1} + eps)", _adagrad),
    "rmsprop": ({**ADAPT, "decay": 0.5}, "x_{k+1} = x_k - lr g_k / sqrt(s_{k+1} + eps)",
                _rmsprop),
    "adadelta": ({"eps": 2.0**-10, "rho": 0.5},
                 "u_k = sqrt(d_k + eps) / sqrt(s_{k+1} + eps) g_k", _adadelta),
    "adam": ({**ADAPT, "b1": 0.5, "b2": 0.75},
             "m^ / (sqrt(v^) + eps) with m^ = m_{k+1} / (1 - b1^{k+1})", _adam),
    "newton": ({}, "x_{k+1} = x_k - lr H(x_k)^{-1} g_k", _newton(1)),
    "damped_newton": ({"lr": 0.5}, "x_{k+1} = x_k - lr H(x_k)^{-1} g_k", _newton(B)),
    "newton_armijo": (ARM, "d_k = -H(x_k)^{-1} g_k", _newton_armijo),
    "bfgs": (ARM, "H_0 := (s.y / y.y) I at k = 0", _bfgs),
    "exact_line_search": ({}, "a_k = g_k.g_k / g_k.H g_k", _exact_line_search),
    "secant": ({"h": 0.125}, "x_{-1} = x_0 + h (1 + |x_0|)", _secant),
    "halley": ({}, "x_{k+1} = x_k - lr 2 g g' / (2 g'^2 - g g'')", _halley),
}


@pytest.mark.parametrize("name", methods.names())
def test_two_hand_computed_steps_follow_the_documented_rule(name):
    assert set(RULES) == set(methods.names())  # a new method must be added here too
    kw, doc, rule = RULES[name]
    assert doc in methods.info(name).summary  # the docs state the formula checked here
    p = _problem_for(name)
    x0 = [mpmath.mpf(v) for v in np.asarray(p.x0).tolist()]
    with mpmath.workdps(80):
        want = np.array(rule(x0), dtype=object)
    mp = run_mp(name, p, None, 2, digits=60, **kw)
    with mpmath.workdps(60):
        assert max(_ew(lambda a, b: abs(a - b), mp.x[1:].ravel(), want.ravel())) < 1e-50
    x64 = np.asarray(lrt.run(methods.get(name, **kw), p, 2, keep_x=True).x)[1:]
    # two float64 steps: a few roundings each, through at most a 2 x 2 solve with
    # condition number < 7 (H = [[5, 1], [1, 32]] at x0): well inside 64 eps.
    np.testing.assert_allclose(x64, want.astype(float), rtol=0, atol=64 * EPS)


# ------------------------------------------------------------------------- hyperparameters
def test_unknown_hyperparameter_is_named():
    with pytest.raises(ValueError, match=r"unknown hyperparameters \['momentum'\]"):
        methods.get("adam", lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="lr is required for method 'adam'"):
        methods.get("adam")


def test_traced_hyperparameters_pass_unchecked():
    # Sweeps vmap over hyperparameters: traced values cannot be range-checked, only built.
    # Heavy ball on f = x^2/2 from x0 = 1, lr = 1/2: v1 = g0 = 1, x1 = 1/2; v2 = 1/2 + beta,
    # x2 = 1/2 - (1/2)(1/2 + beta) = 1/4 - beta/2: 1/4 and 0 for beta = 0 and 1/2.
    p = problems.quadratic([[1.0]], x0=[1.0])

    def last(beta):
        m = methods.get("momentum", lr=0.5, beta=beta)
        return scan_trajectory(m, p, 2, p.x0, keep_x=True).x[-1, 0]

    np.testing.assert_array_equal(jax.vmap(last)(jnp.array([0.0, 0.5])), [0.25, 0.0])


def test_aliases_find_the_same_method():
    # heavy_ball is the name in the literature; momentum the registry's (optax's) name.
    p = problems.quadratic([[1.0]], x0=[1.0])
    a = lrt.run(methods.get("heavy_ball", lr=0.5, beta=0.5), p, 5, keep_x=True).x
    b = lrt.run(methods.get("momentum", lr=0.5, beta=0.5), p, 5, keep_x=True).x
    np.testing.assert_array_equal(a, b)
    assert methods.get("heavy_ball", lr=0.5).name == "momentum"


# ---------------------------------------------------------------------------- gd_armijo
@pytest.mark.parametrize("L, t", [
    # f = L x^2/2, d = -g: f(x - t L x) <= f(x) - c t L^2 x^2 <=> t L <= 2(1 - c), so from
    # lr = 1 with halving the accepted step is the first 2^-i <= 2(1 - c)/L.
    (10.0, 1 / 8),   # 2(1 - 1e-4)/10 = 0.19998: t = 1/8, x -> (1 - 10/8) x = -x/4
    (3.0, 1 / 2),    # 0.6666: t = 1/2, x -> -x/2
    (1.5, 1.0),      # 1.3332: t = 1, x -> -x/2
])
def test_gd_armijo_accepts_the_first_step_passing_the_test(L, t):
    p = problems.quadratic([[L]], x0=[1.0])
    r = 1 - t * L
    want = r ** np.arange(6)
    got = np.asarray(lrt.run(methods.get("gd_armijo"), p, 5, keep_x=True).x)[:, 0]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)  # dyadic: exact up to round-off
    mp = run_mp("gd_armijo", f"{L}*x**2/2", [1], 5, x_star=0)
    assert [float(v) for v in mp.x[:, 0]] == want.tolist()  # dyadic values, exact


def test_gd_armijo_theory_hook():
    # GD with Armijo from lr below 2(1-c)/L accepts lr at once near x*: the GD rate
    # max |1 - lr lambda| on eigenvalues {1, 4}, lr = 1/4: max(3/4, 0) = 3/4.
    p = problems.quadratic([[1.0, 0.0], [0.0, 4.0]])
    assert methods.spec("gd_armijo").predict(p, lr=0.25).rate_expr == sp.Rational(3, 4)
    with pytest.raises(ValueError, match="not below 2\\(1-c\\)/L"):
        methods.spec("gd_armijo").predict(p, lr=1.0)


# ------------------------------------------------------------------------- theory hooks
def test_theory_hooks_name_their_function_and_predict():
    hooks = {n: methods.spec(n).theory for n in methods.names()}
    assert {n for n, h in hooks.items() if h is None} == {"adagrad", "adadelta", "rmsprop",
                                                           "adam"}
    assert hooks["momentum"].function == "lrtheory.theory.heavy_ball_rate"
    assert hooks["secant"].function == "lrtheory.theory.secant_rate"
    q = problems.quadratic([[1.0, 0.0], [0.0, 100.0]])
    # Polyak's tuning on mu = 1, L = 100: lr = 4/121, beta = 81/121, rate 9/11.
    hb = methods.spec("heavy_ball").predict(q, lr=4 / 121, beta=81 / 121)
    assert abs(hb.rate - 9 / 11) < 1e-12 and hb.regime == "linear"
    # Newton on a quadratic: exact in one step (rate 0, finite); damped: (1 - lr) I.
    assert methods.spec("newton").predict(q).regime == "finite"
    assert methods.spec("damped_newton").predict(q, lr=0.25).rate == 0.75
    # secant on f = e^x - 2x: order (1 + sqrt 5)/2 (Traub 1964).
    s = problems.from_expr("exp(x) - 2*x", x0=[1.0], x_star=[float(np.log(2))])
    assert methods.spec("secant").predict(s).q_expr == theory.PHI
    assert methods.spec("halley").predict(s).q == 3
    assert methods.spec("bfgs").predict(q).regime == "superlinear"
    with pytest.raises(ValueError, match="one variable"):
        methods.spec("halley").predict(q)
