"""lrtheory.precision: the iterations in mpmath at many digits.

Every expected value is derived here independently of the module: Taylor constants by
SymPy series of the iteration map, linear rates from the closed-form solution of the
linear recurrence, orders from q_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1}) computed with
mpmath logarithms (never via float, which would flush errors below 1e-308 to 0).
"""

import math

import mpmath
import pytest
import sympy as sp

from lrtheory.precision import run_mp
from lrtheory.problems import from_expr

X = sp.Symbol("x")
F_EXP = sp.exp(X) - 2 * X  # f' = e^x - 2, minimiser x* = ln 2, f'' = f''' = f'''' = 2 there
PHI = (1 + mpmath.sqrt(5)) / 2
PSI = 1 - PHI  # the other root of z^2 = z + 1, |PSI| = 0.618


def _clean(traj, steps):
    """The positive errors of a run that reached the precision floor. run_mp records no
    round-off below its floor (10^-(digits-10)); an exact hit (0) carries no rate."""
    assert traj.steps < steps, "the run was expected to reach the precision floor"
    e = list(traj.dist)
    while e and e[-1] == 0:
        e.pop()
    return e


def _q(e, k):
    return mpmath.log(e[k + 1] / e[k]) / mpmath.log(e[k] / e[k - 1])


def _map_series(update, order):
    """Coefficient of eps**order in M(x* + eps) - x* for the 1-D map M on F_EXP."""
    eps = sp.Symbol("eps")
    xs = sp.log(2)
    s = sp.series(update(xs + eps) - xs, eps, 0, order + 1).removeO()
    low = [sp.simplify(s.coeff(eps, j)) for j in range(order)]
    assert low == [0] * order, low  # the map really has this order at x*
    return sp.nsimplify(sp.simplify(s.coeff(eps, order)))


G = sp.diff(F_EXP, X)
G1, G2 = sp.diff(G, X), sp.diff(G, X, 2)


def _at(e, z):
    return e.subs(X, z)


# ------------------------------------------------------------------ superlinear orders
def test_newton_order_two_and_taylor_constant():
    # SymPy series of the Newton map N(z) = z - g/g' at x* = ln 2: N(x*+e) - x* = e^2/2,
    # i.e. C = |g''/(2 g')| = 2/(2*2) = 1/2.
    C = _map_series(lambda z: z - _at(G, z) / _at(G1, z), 2)
    assert C == sp.Rational(1, 2)
    steps = 40
    # x_star given as a float64: run_mp refines it to full precision.
    traj = run_mp("newton", F_EXP, [1.0], steps, x_star=math.log(2))
    e = _clean(traj, steps)
    with mpmath.workdps(60):
        k = len(e) - 2  # the last clean triple: e ~ 1e-54, 1e-107
        assert e[k + 1] < mpmath.mpf("1e-100")
        # Tolerances of the issue (q within 1e-3, C within 0.1%); the neglected terms are
        # O(e_k) ~ 1e-54, so a miss means a wrong iteration, not noise.
        assert abs(_q(e, k) - 2) < 1e-3
        assert abs(e[k + 1] / e[k] ** 2 / C - 1) < 1e-3


def test_secant_golden_ratio_order_and_constant():
    # Two-point series: S(x*+t u, x*+t v) - x* = C2 u v t^2 with C2 = g''/(2g') = 1/2.
    t, u, v = sp.symbols("t u v")
    xs = sp.log(2)

    def S(a, b):
        return a - _at(G, a) * (a - b) / (_at(G, a) - _at(G, b))

    two_point = sp.simplify(sp.series(S(xs + t * u, xs + t * v) - xs, t, 0, 3).removeO())
    C2 = sp.simplify(two_point / (t**2 * u * v))
    assert C2 == sp.Rational(1, 2)
    steps = 60
    e = _clean(run_mp("secant", F_EXP, [1.0], steps, x_star="log(2)"), steps)
    with mpmath.workdps(60):
        C2m = mpmath.mpf(1) / 2
        k = len(e) - 2
        # e_{k+1} = C2 e_k e_{k-1} (1 + O(e_{k-1})), O(e) ~ 1e-74 here.
        assert abs(e[k + 1] / (e[k] * e[k - 1]) / C2m - 1) < 1e-30
        # q_k = u_{k-1}/u_{k-2} with u = log(C2 e) Fibonacci-like: phi + O(0.38^k).
        assert abs(_q(e, k) - PHI) < 1e-3
        assert abs(_q(e, k - 1) - PHI) < 1e-3
        # C_k = e_{k+1}/e_k^phi: log C_k = (phi-1) log C2 + B psi^k (psi - phi), so C_k
        # oscillates around C2^(phi-1) with amplitude decaying only like 0.618^k (a 0.6%
        # spread after the ~10 iterates 200 digits allow). The psi^k term is removed
        # exactly by L = (log C_{k+1} - psi log C_k) / (1 - psi).
        logC = [mpmath.log(e[j + 1]) - PHI * mpmath.log(e[j]) for j in range(len(e) - 1)]
        target = C2m ** (PHI - 1)
        L = (logC[-1] - PSI * logC[-2]) / (1 - PSI)
        assert abs(mpmath.exp(L) / target - 1) < 1e-3
        # ...and the raw C_k do oscillate around it (alternating sign of C_k - target).
        d = [mpmath.exp(c) - target for c in logC[-4:]]
        assert all(d[i] * d[i + 1] < 0 for i in range(3))


def test_halley_order_three_and_constant():
    # Series of the Halley map at x*: e^3/12, which is the textbook
    # g''^2/(4 g'^2) - g'''/(6 g') = 4/16 - 2/12 = 1/12.
    C = _map_series(
        lambda z: z - 2 * _at(G, z) * _at(G1, z) / (2 * _at(G1, z) ** 2 - _at(G, z) * _at(G2, z)),
        3)
    g3 = sp.diff(G, X, 3)
    xs = sp.log(2)
    textbook = _at(G2, xs) ** 2 / (4 * _at(G1, xs) ** 2) - _at(g3, xs) / (6 * _at(G1, xs))
    assert C == sp.simplify(textbook) == sp.Rational(1, 12)
    steps = 40
    e = _clean(run_mp("halley", F_EXP, [1.0], steps, x_star="log(2)"), steps)
    with mpmath.workdps(60):
        k = len(e) - 2  # e ~ 1e-28 -> 1e-85
        assert abs(_q(e, k) - 3) < 1e-3
        assert abs(e[k + 1] / e[k] ** 3 / C - 1) < 1e-3


@pytest.mark.parametrize("expr, x_star, rate", [
    # f = x^4: g = 4x^3 (root of multiplicity m = 3); Newton map x -> x - 4x^3/(12x^2)
    # = 2x/3 exactly, so every ratio is (m-1)/m = 2/3.
    ("x**4", 0, sp.Rational(2, 3)),
    # f = (x-1)^3: g = 3(x-1)^2, a double root (m = 2) at a stationary inflection point
    # (a minimiser cannot have a gradient root of even multiplicity); Newton map
    # x -> x - (x-1)/2, ratio (m-1)/m = 1/2 exactly.
    ("(x-1)**3", 1, sp.Rational(1, 2)),
])
def test_newton_multiple_root_is_linear(expr, x_star, rate):
    traj = run_mp("newton", expr, [sp.Rational(3, 2)], 150, x_star=x_star)
    assert traj.steps == 150  # linear: nowhere near the floor in 150 steps
    with mpmath.workdps(200):
        worst = max(abs(traj.dist[k + 1] / traj.dist[k] - mpmath.mpf(rate.p) / rate.q)
                    for k in range(150))
    # Each step rounds once (relative 1e-200); ratios agree far beyond 1e-150.
    assert worst < mpmath.mpf("1e-150")


def test_newton_triple_root_non_polynomial_rate_and_correction():
    # f = cosh x - 1 - x^2/2, g = sinh x - x = x^3/6 + ...: triple root at 0. SymPy series
    # of the Newton map: N(x)/x = 2/3 + x^2/90 + O(x^4).
    f = sp.cosh(X) - 1 - X**2 / 2
    g = sp.diff(f, X)
    ratio_series = sp.series((X - g / sp.diff(g, X)) / X, X, 0, 4).removeO()
    assert ratio_series == sp.Rational(2, 3) + X**2 / 90
    traj = run_mp("newton", f, ["1/2"], 150, x_star=0)
    with mpmath.workdps(200):
        for k in (20, 60, 149):
            e = traj.dist[k]
            r = traj.dist[k + 1] / e
            # the O(x^4) remainder bounds the difference (coefficient < 1 for |x| < 1/2).
            assert abs(r - mpmath.mpf(2) / 3 - e**2 / 90) < e**4


# ------------------------------------------------------------------------ linear rates
@pytest.mark.parametrize("lr, rate", [
    # f = 3(x-1)^2/2 (lambda = 3): GD multiplies x - 1 by 1 - 3 lr each step.
    ("1/10", sp.Rational(7, 10)),
    ("1/2", sp.Rational(1, 2)),   # |1 - 3/2|: overshoots, sign alternates
    ("3/5", sp.Rational(4, 5)),   # |1 - 9/5|
])
def test_gd_contracts_by_one_minus_lr_lambda(lr, rate):
    traj = run_mp("gd", "3*(x-1)**2/2", [0], 100, lr=lr, x_star=1)
    with mpmath.workdps(200):
        worst = max(abs(traj.dist[k + 1] / traj.dist[k] - mpmath.mpf(rate.p) / rate.q)
                    for k in range(100))
        a = sp.Rational(lr)
        assert all(v == mpmath.mpf(a.p) / a.q for v in traj.lr)
    assert worst < mpmath.mpf("1e-50")  # the 50 digits (actual: ~1e-180)


@pytest.mark.parametrize("lr", [sp.sympify("1/(k+2)"), "1/(k + 2)",
                                lambda k: sp.Rational(1, k + 2)])
def test_gd_schedules(lr):
    # f = x^2/2 with lr_k = 1/(k+2): x_{k+1} = (k+1)/(k+2) x_k, so x_k = x_0/(k+1).
    traj = run_mp("gd", X**2 / 2, [1], 60, lr=lr, x_star=0)
    with mpmath.workdps(200):
        assert max(abs(traj.dist[k] * (k + 1) - 1) for k in range(61)) < mpmath.mpf("1e-190")
        assert all(abs(traj.lr[k] * (k + 2) - 1) < mpmath.mpf("1e-190") for k in range(60))


def test_heavy_ball_optimal_parameters_rate():
    # f = (x^2 + 100 y^2)/2: mu = 1, L = 100, kappa = 100. Polyak's optimal
    # lr = 4/(sqrt L + sqrt mu)^2 = 4/121, beta = r^2 with r = (10-1)/(10+1) = 9/11.
    # Per coordinate z_{k+1} = (1 + beta - lr lam) z_k - beta z_{k-1}, characteristic
    # z^2 - (1 + beta - lr lam) z + beta: at lam = mu (1 + beta - lr mu = 2r) and lam = L
    # (= -2r) the roots are double, rho = r and rho = -r. So z_k = (c + d k) rho^k, and
    # z_{-1} = z_0 = 1 gives c = 1, d = 1 - rho: z_k = (1 + 2k/11)(9/11)^k for x and
    # (1 + 20k/11)(-9/11)^k for y.
    K = 1000
    traj = run_mp("heavy_ball", "(x**2 + 100*y**2)/2", [1, 1], K, lr="4/121",
                  beta="81/121", x_star=[0, 0])
    with mpmath.workdps(200):
        r = mpmath.mpf(9) / 11
        exact = [mpmath.sqrt((1 + 2 * mpmath.mpf(k) / 11) ** 2
                             + (1 + 20 * mpmath.mpf(k) / 11) ** 2) * r**k for k in range(K + 1)]
        # rounding (1e-200 per step) is amplified at most ~k by the Jordan block
        assert max(abs(traj.dist[k] / exact[k] - 1) for k in range(K + 1)) < 1e-190
        # The rate as a k-th root over the window [K/2, K]: the linear factor in k
        # inflates it by (K/(K/2))^(1/(K/2)) = 2^(2/K) = 1 + 1.39e-3 (the slow approach
        # the double eigenvalue causes); the root is r to within that, and no better.
        J = K // 2
        rate = (traj.dist[K] / traj.dist[J]) ** (mpmath.mpf(1) / (K - J))
        excess = rate / r - 1
        assert 0 < excess < 2 * math.log(2) / K
        assert abs(excess - math.log(2) / J) < 1e-5  # the k-factor's share, to O(1/K^2)


def test_nesterov_closed_form():
    # f = (x^2 + 4 y^2)/2, lr = 1/L = 1/4, beta = (sqrt kappa - 1)/(sqrt kappa + 1) = 1/3.
    # In the form z_{k+1} = y_k - lr g(y_k), y_k = z_k + beta (z_k - z_{k-1}), z_{-1} = z_0:
    # the y-coordinate of z is gone after one step (1 - lr L = 0); the x-coordinate obeys
    # z_{k+1} = (3/4)(4/3) z_k - (3/4)(1/3) z_{k-1} = z_k - z_{k-1}/4, double root 1/2
    # = 1 - 1/sqrt(kappa), so z_k = (1 + k/2) / 2^k. optax's iterate (the one recorded) is
    # the look-ahead y_k = (4/3) z_k - (1/3) z_{k-1} = (k + 3) / (3 2^k) for x (y_0 = z_0),
    # and 1, -1/3, 0, 0, ... for y (z = 1, 0, 0, ...).
    traj = run_mp("nesterov", "(x**2 + 4*y**2)/2", [1, 1], 200, lr="1/4", beta="1/3",
                  x_star=[0, 0])
    with mpmath.workdps(200):
        # beta = 1/3 is rounded once (1e-200 relative): agreement to 1e-195
        assert abs(traj.x[1, 1] + mpmath.mpf(1) / 3) < mpmath.mpf("1e-195")
        assert all(abs(v) < mpmath.mpf("1e-195") for v in traj.x[2:, 1])
        assert max(abs(traj.x[k, 0] * 3 * 2**k / (k + 3) - 1)
                   for k in range(201)) < mpmath.mpf("1e-190")


# ------------------------------------------------------------------------------- BFGS
F_BFGS = "(x-1)**2 + 2*(y+1/2)**2 + (x-1)**4 + (x-1)**2*(y+1/2)**2"  # x* = (1, -1/2)


@pytest.mark.parametrize("x0", [[1.5, 0], [3, 2]])
def test_bfgs_superlinear(x0):
    steps = 100
    traj = run_mp("bfgs", F_BFGS, x0, steps, x_star=[1, "-1/2"])
    e = _clean(traj, steps)
    with mpmath.workdps(60):
        ratio = [e[k + 1] / e[k] for k in range(len(e) - 1)]
        # In 2-D BFGS gains in pairs of steps; the worst ratio in each consecutive pair
        # of the last 16 steps falls steadily: superlinear (a linear method's ratios
        # would settle at its rate, never keep falling). Measured: 1e-3 -> 1e-11.
        pairs = [max(ratio[j], ratio[j + 1]) for j in range(len(ratio) - 16, len(ratio), 2)]
        assert all(b < a for a, b in zip(pairs, pairs[1:], strict=False))
        assert pairs[-1] < pairs[0] * 1e-4 and pairs[-1] < 1e-8
    assert e[-1] < mpmath.mpf("1e-150")


def test_bfgs_second_step_is_newtons_on_a_one_variable_quadratic():
    # f = x^2/8 (a = 1/4): the first step is steepest descent from t = 1 (Armijo holds:
    # t a = 1/4 <= 2(1 - c)), x1 = (1 - a) x0 = 3/4. In one variable the rescaled H0 =
    # s/y = 1/a and the update V = 1 - s y/(s y) = 0 gives H1 = s^2/(s y) = 1/a: the
    # second step is Newton's and lands exactly on x* = 0, where the run stops.
    traj = run_mp("bfgs", "x**2/8", [1], 10, x_star=0)
    assert traj.steps == 2 and [float(v) for v in traj.x[:, 0]] == [1.0, 0.75, 0.0]


# ------------------------------------------------------------------- tiny errors, x*
def test_errors_far_below_float_range_are_kept():
    traj = run_mp("newton", F_EXP, [1.0], 40, x_star="log(2)")  # 200 digits
    assert traj.dist.dtype == object and all(isinstance(v, mpmath.mpf) for v in traj.dist)
    # From x0 = 1 the errors are 5e-54, 1.3e-107; the next one (2e-214) is below
    # 200 digits (round-off, 1.9e-202, not recorded), so the run ends there.
    assert _clean(traj, 40)[-1] < mpmath.mpf("1e-100")
    # At 500 digits a clean error below 1e-400: still obeys e_{k+1} = e_k^2/2.
    deep = run_mp("newton", F_EXP, [1.0], 40, digits=500, x_star="log(2)")
    e = _clean(deep, 40)
    assert e[-1] < mpmath.mpf("1e-400") and float(e[-1]) == 0.0
    with mpmath.workdps(60):
        assert abs(e[-1] / e[-2] ** 2 - mpmath.mpf(1) / 2) < mpmath.mpf("1e-100")


def test_problem_input_and_float_x_star_refinement():
    # from_expr keeps x_star = ln 2 in float64 (error ~ 1e-17); run_mp refines it, so the
    # distances go far below that, and f_star = f(ln 2) = 2 - 2 ln 2 to working precision.
    p = from_expr("exp(x) - 2*x", x0=[1.0], x_star=[math.log(2)])
    traj = run_mp("newton", p, None, 40)
    assert _clean(traj, 40)[-1] < mpmath.mpf("1e-100")
    with mpmath.workdps(200):
        assert abs(traj.f_star - (2 - 2 * mpmath.log(2))) < mpmath.mpf("1e-195")
    assert traj.x.shape == (traj.steps + 1, 1)


def test_no_x_star_stops_on_the_step_norm():
    traj = run_mp("newton", F_EXP, [1.0], 40)
    assert traj.dist is None and traj.f_star is None
    # It ends at the floor: the gradient rounds to exactly 0 (here e^x - 2 at the
    # 200-digit x*), or the step falls below 10^-190.
    assert traj.steps < 40
    assert traj.grad_norm[-1] == 0 or traj.step_norm[-1] < mpmath.mpf("1e-190")
    # Same iterates as with x_star, where x_8 (error 1.9e-202, round-off) is not recorded;
    # s_7 = |e_7 - e_8| with e_8 at the floor.
    ref = run_mp("newton", F_EXP, [1.0], 40, x_star="log(2)")
    assert traj.steps == 8 and ref.steps == 7
    with mpmath.workdps(200):
        assert abs(traj.step_norm[7] - ref.dist[7]) < mpmath.mpf("1e-190")
    # "auto" follows the one rule (lrtheory._vocab.resolve_measure): neither x* nor f*
    # is known here, so the gradient norm, not the step length
    assert traj.error()[1] == "grad"


# --------------------------------------------------------------------- divergence, errors
def test_divergence_is_marked_and_frozen():
    # f = 3x^2/2, lr = 1: x_k = (-2)^k; |x_k| > 1e8 * max(1, |x0|) first at k = 27
    # (2^26 = 6.7e7, 2^27 = 1.3e8).
    traj = run_mp("gd", "3*x**2/2", [1], 40, lr=1, x_star=0)
    assert traj.diverged_at == 27 and traj.steps == 40
    assert all(traj.f[k] == traj.f[26] for k in range(27, 41))
    assert all(traj.step_norm[k] == 0 for k in range(26, 40))
    # Newton at a singular Hessian (f = x^3/3 - x at x = 0: f'' = 0) breaks down at step 1.
    assert run_mp("newton", "x**3/3 - x", [0], 5).diverged_at == 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(method="sgd"), r"method='sgd' is not one of \['adadelta', .*'gd', "),
    (dict(digits=10), "digits must be an integer >= 20"),
    (dict(steps=0), "steps must be an integer >= 1"),
    (dict(x0=[float("nan")]), "x0 must be finite"),
    (dict(x0=[1.0, 2.0]), "x0 must have 1 entries"),
    (dict(method="halley", problem="x**2 + y**2", x0=[1, 1]), "method='halley' is for one"),
    (dict(method="secant", problem="x**2 + y**2", x0=[1, 1]), "method='secant' is for one"),
    (dict(method="gd", lr=None), "method='gd' needs lr"),
    (dict(method="heavy_ball", lr=0.1, beta=1), "beta of method 'momentum' must satisfy"),
    (dict(beta=0.5), "beta does not apply to method='newton'"),
    (dict(method="gd", lr=-1), "lr at step k=0 must be a finite positive"),
    (dict(method="gd", lr=lambda k: 1 - k), "lr at step k=1 must be a finite positive"),
    (dict(method="gd", lr="1/(k*n)"), "lr=.* may depend on the step symbol k only"),
    (dict(x_star=[0.2]), "x_star=.* is not near a stationary point"),
    (dict(symbols=["y"]), "symbols=.* must list every free symbol"),
    (dict(x0=None), "x0 is required"),
    (dict(method="bfgs", line_search=True), "line_search does not apply to method='bfgs'"),
    (dict(mode="root", method="bfgs"), "mode='root' does not apply to method='bfgs'"),
])
def test_bad_input_names_the_argument(kwargs, match):
    args = dict(method="newton", problem=F_EXP, x0=[1.0], steps=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        run_mp(args.pop("method"), args.pop("problem"), args.pop("x0"), args.pop("steps"),
               **args)


def test_problem_without_expression_is_rejected():
    p = from_expr("x**2", x0=[1.0])
    import dataclasses

    bare = dataclasses.replace(p, expr_fn=None)
    with pytest.raises(ValueError, match="has no SymPy expression"):
        run_mp("newton", bare, None, 3)
    assert run_mp("newton", p, None, 3).f[0] == 1  # f(x0) = 1^2


def test_estimator_reads_the_newton_trajectory():
    # The estimator (written separately) on run_mp's mpf trajectory: Newton on
    # exp(x) - 2x has q = 2 and C = |g''/(2g')| = 1/2 (series above). Tolerances of the
    # issue: q within 1e-3, C within 0.1%.
    from lrtheory.estimate import estimate_order

    est = estimate_order(run_mp("newton", F_EXP, [1.0], 40, x_star=math.log(2)))
    assert est.regime == "superlinear"
    assert abs(est.q - 2) < 1e-3
    assert abs(est.rate / 0.5 - 1) < 1e-3


# ------------------------------------------------------------------------- root finding
def _series_constant(g, x, xs, update, order):
    """Coefficient of eps**order in M(x* + eps) - x* for the 1-D map M (lower ones 0)."""
    eps = sp.Symbol("eps")
    s = sp.series(update(g, x).subs(x, xs + eps) - xs, eps, 0, order + 1).removeO()
    assert [sp.simplify(s.coeff(eps, j)) for j in range(order)] == [0] * order
    return sp.simplify(s.coeff(eps, order))


def _newton_map(g, x):
    return x - g / sp.diff(g, x)


def _halley_map(g, x):
    g1, g2 = sp.diff(g, x), sp.diff(g, x, 2)
    return x - 2 * g * g1 / (2 * g1**2 - g * g2)


def test_root_newton_on_g():
    # g = x^2 - 2, root sqrt 2: the Newton map's series gives e_{k+1} = e_k^2 / (2 sqrt 2)
    # (the textbook |g''/(2g')| = 2/(4 sqrt 2)).
    g = X**2 - 2
    C = _series_constant(g, X, sp.sqrt(2), _newton_map, 2)
    assert sp.simplify(C - sp.sqrt(2) / 4) == 0
    traj = run_mp("newton", g, [1], 30, x_star="sqrt(2)", mode="root")
    e = _clean(traj, 30)
    with mpmath.workdps(60):
        # neglected terms O(e_k) ~ 1e-50 for the last clean pair
        assert abs(e[-1] / e[-2] ** 2 / (mpmath.sqrt(2) / 4) - 1) < mpmath.mpf("1e-40")
    # the record f is the residual |g(x_k)|: x0 = 1, x1 = 1 - (1 - 2)/2 = 3/2, so |g| = 1,
    # 1/4 (dyadic, exact); and f_star = g(x*) = 0
    assert traj.f_star == 0 and traj.f[0] == 1 and traj.f[1] == mpmath.mpf(1) / 4


def test_root_halley_order_three():
    # g = x^3 - 2, root 2^(1/3): Halley's map has e_{k+1} = C e_k^3 with C from its series;
    # the textbook g''^2/(4g'^2) - g'''/(6g') = 1/r^2 - 1/(3 r^2) = 2/(3 r^2) (r = 2^(1/3)).
    g = X**3 - 2
    r = sp.cbrt(2)
    C = _series_constant(g, X, r, _halley_map, 3)
    assert sp.simplify(C - 2 / (3 * r**2)) == 0
    e = _clean(run_mp("halley", g, [1], 20, x_star="2**(1/3)", mode="root"), 20)
    with mpmath.workdps(60):
        Cm = 2 / (3 * mpmath.cbrt(2) ** 2)
        assert abs(e[-1] / e[-2] ** 3 / Cm - 1) < mpmath.mpf("1e-20")  # O(e) ~ 1e-60
        assert abs(_q(e, len(e) - 2) - 3) < 1e-3


def test_root_secant_golden_ratio():
    # g = cos x - x: simple root r = 0.739... (x_star given as a float: refined to 200
    # digits). Two-point relation e_{k+1} = C2 e_k e_{k-1} with C2 = g''/(2g') =
    # cos r / (2 (1 + sin r)) (the same series as for f' in the minimisation test).
    traj = run_mp("secant", "cos(x) - x", [1], 60, x_star=0.7390851332151607, mode="root")
    e = _clean(traj, 60)
    with mpmath.workdps(60):
        r = mpmath.findroot(lambda z: mpmath.cos(z) - z, 0.74)
        C2 = mpmath.cos(r) / (2 * (1 + mpmath.sin(r)))
        # the last error (4e-186) holds only ~14 digits above the 200-digit round-off: use
        # the triple before it, where O(e_{k-1}) ~ 1e-44 bounds the correction
        assert abs(e[-2] / (e[-3] * e[-4]) / C2 - 1) < mpmath.mpf("1e-40")
        assert abs(_q(e, len(e) - 2) - PHI) < 1e-3


@pytest.mark.parametrize("name", ["newton", "halley", "secant"])
def test_minimising_f_is_root_finding_on_f_prime(name):
    # minimise f iterates on g = f' (with f'', f''' for the derivatives): the same numbers
    # as root finding on g given explicitly.
    a = run_mp(name, F_EXP, [1], 6, digits=60)
    b = run_mp(name, sp.diff(F_EXP, X), [1], 6, digits=60, mode="root")
    assert a.steps == b.steps and list(a.x[:, 0]) == list(b.x[:, 0])


# -------------------------------------------------- x_star in any exact form, many digits
@pytest.mark.parametrize("x_star", ["log(2)", sp.log(2), ["log(2)"], [sp.log(2)],
                                    sp.Matrix([sp.log(2)]), math.log(2)])
def test_x_star_as_string_sympy_or_float(x_star):
    # Every form gives x* = ln 2 to the working precision (a float is refined to it), so
    # the distances agree with the exact ones to ~1e-190.
    ref = run_mp("newton", F_EXP, [1], 40, x_star="log(2)")
    traj = run_mp("newton", F_EXP, [1], 40, x_star=x_star)
    assert traj.steps == ref.steps
    with mpmath.workdps(200):
        assert max(abs(a - b) for a, b in zip(traj.dist, ref.dist, strict=True)) < 1e-190


def test_five_thousand_digits():
    # Python refuses int <-> str conversions above 4300 digits; no number of run_mp goes
    # through a decimal string, so 5000 digits work without touching that limit. Newton
    # on f = e^x - 2x from 1: e_{k+1} = e_k^2/2 (1 + O(e_k)).
    import sys

    limit = sys.get_int_max_str_digits()
    traj = run_mp("newton", F_EXP, ["1"], 4, digits=5000, x_star=sp.log(2))
    e = list(traj.dist)
    assert sys.get_int_max_str_digits() == limit and traj.steps == 4
    with mpmath.workdps(60):
        assert abs(e[4] / e[3] ** 2 - mpmath.mpf(1) / 2) < 10 * e[3]  # e_3 ~ 4e-7
    with mpmath.workdps(5000):  # f* = f(ln 2) = 2 - 2 ln 2, to (nearly) all 5000 digits
        assert abs(traj.f_star - (2 - 2 * mpmath.log(2))) < mpmath.mpf(10) ** -4990
    s = run_mp("secant", F_EXP, [1], 3, digits=5000, x_star="log(2)", h="1/100")
    assert s.steps == 3 and s.dist[3] < s.dist[2] < s.dist[0]


def test_lr_record_is_the_nominal_learning_rate():
    # As lrtheory.run: the record holds lr at step k (1 here), not the step the line search
    # accepted (1/8 on f = 5 x^2, see the gd_armijo test in test_methods.py).
    traj = run_mp("gd_armijo", "5*x**2", [1], 3, x_star=0)
    assert [float(v) for v in traj.lr] == [1.0, 1.0, 1.0]
    assert [float(v) for v in traj.x[:, 0]] == [1.0, -0.25, 0.0625, -0.015625]
