r"""Study 2: the order table, every method on every benchmark function, beside theory.

Each registered method runs (float64, default start) on each benchmark it applies to;
:func:`lrtheory.estimate_order` gives the regime, q and C with their intervals (the
spread of the per-step values over the window it chose). The theory column comes from
:mod:`lrtheory.theory` (gradient descent, heavy ball and Nesterov from the Hessian at
x*; Newton, damped Newton, secant and Halley constants on one-variable problems); where
the theory layer has no formula (Newton-type methods in several variables) the textbook
order is written as data below, with its source. Adaptive methods have no theory entry.

Gradient descent uses 90% of its best step, lr = 1.8/(L+mu) (L, mu from the Hessian at
x*; lr = 1/L would be degenerate on isotropic problems, where it is a Newton step); heavy
ball and Nesterov use lr = 1/L with beta = 0.9 (Nesterov's momentum is unstable at
1.8/(L+mu) with beta = 0.9); the adaptive methods use fixed common values.
Local theory only describes runs that reach x*: a run that stalls, oscillates or diverges
is marked "far" (it never entered the region the theory is about), not "no".

Outputs: ``tables/order_table-first-a.tex``, ``-first-b.tex`` (first-order methods, two
halves of the problems), ``tables/order_table-second.tex``, macros
(no figure: the table is the result).
"""

from __future__ import annotations

import math

import numpy as np

import lrtheory as lrt
from lrtheory import theory
from studies._common import Context, Outputs, Raw, ci, int_macro, macro, num, write_table

PHI = (1 + math.sqrt(5)) / 2

PROBLEMS = (
    # name, registry params, steps for first-order methods, lr when 1/L is unavailable
    ("quadratic", {"dim": 10, "cond": 10.0, "seed": 0}, 3_000, None),
    ("booth", {}, 3_000, None),
    ("least_squares", {}, 5_000, None),
    ("logistic", {}, 5_000, None),
    ("rosenbrock", {"dim": 2}, 40_000, None),
    ("beale", {}, 5_000, None),
    ("himmelblau", {}, 3_000, None),
    ("rastrigin", {"dim": 2}, 3_000, None),
    ("ackley", {}, 3_000, 1e-2),
    ("scalar_smooth", {}, 3_000, None),
    ("double_well", {}, 3_000, None),
    ("x4", {}, 20_000, 0.1),
)
FIRST_ORDER = (  # method, hyperparameters ("opt": 0.9 * 2/(L+mu) from the Hessian at x*)
    ("gd", {"lr": "opt"}),
    ("momentum", {"lr": "1/L", "beta": 0.9}),
    ("nesterov", {"lr": "1/L", "beta": 0.9}),
    ("adagrad", {"lr": 0.1}),
    ("adadelta", {"lr": 1.0}),
    ("rmsprop", {"lr": 1e-3}),
    ("adam", {"lr": 1e-2}),
)
SECOND_ORDER = (
    ("newton", {}), ("damped_newton", {"lr": 0.5}), ("newton_armijo", {}), ("bfgs", {}),
    ("exact_line_search", {}), ("secant", {}), ("halley", {}),
)
SECOND_ORDER_STEPS = 100
# Textbook local orders where the theory layer is scalar-only (regime, q, C, source).
TEXTBOOK = {
    "newton": ("superlinear", 2.0, None, "Nocedal & Wright Thm 3.5"),
    "newton_armijo": ("superlinear", 2.0, None, "unit steps near x*, N&W Thm 3.6"),
    "bfgs": ("superlinear", None, None, "Dennis & More 1977"),
    "exact_line_search": ("linear", 1.0, None, "Kantorovich bound only"),
}
TOL = {"rate": 0.005, "q": 0.1}  # agreement: |C - C_th| and |q - q_th| allowed
LR_FRACTION = 0.9  # of gradient descent's best step 2/(L+mu)
FAR = ("stalled", "oscillating", "diverged")  # the run never reached x*
FINITE_TOL = 1e-12  # "finite": e_2 <= FINITE_TOL * e_0 (x* reached in one or two steps)

GRID = {
    "full": {"problems": PROBLEMS, "first": FIRST_ORDER, "second": SECOND_ORDER,
             "second_steps": SECOND_ORDER_STEPS, "steps_scale": 1.0},
    "smoke": {"problems": (PROBLEMS[0], PROBLEMS[9]), "first": FIRST_ORDER[:2],
              "second": SECOND_ORDER[:1] + SECOND_ORDER[5:6], "second_steps": 30,
              "steps_scale": 0.1},
}


def _curvature(p):
    """theory.curvature of the problem, or of its Hessian matrix at x* (data problems)."""
    try:
        return theory.curvature(p)
    except (ValueError, TypeError):
        if p.x_star is None:
            return None
        try:
            return theory.curvature(np.asarray(p.hess(p.x_star)))
        except (ValueError, TypeError):
            return None


def _theory(method, hyper, p, c):
    """(regime, q, C, source) or None."""
    def rate(r):
        return (r.regime, r.q, r.rate, "lrtheory.theory")

    lr, beta = hyper.get("lr"), hyper.get("beta")
    usable = c is not None and np.isfinite(c.L) and c.L > 0
    if p.is_quadratic and method in ("newton", "newton_armijo"):
        return ("finite", None, None, "exact in one step on a quadratic")
    try:
        if method == "gd" and usable:
            return rate(theory.gd_rate(c, lr))
        if method == "momentum" and usable:
            return rate(theory.heavy_ball_rate(c, lr, beta))
        if method == "nesterov" and usable:
            return rate(theory.nesterov_rate(c, lr, beta))
        if p.dim == 1 and method in ("newton", "newton_armijo"):
            return rate(theory.newton_rate(p))
        if p.dim == 1 and method == "damped_newton":
            return rate(theory.newton_rate(p, lr=lr))
        if method == "secant":
            return rate(theory.secant_rate(p))
        if method == "halley":
            return rate(theory.halley_rate(p))
    except (ValueError, TypeError, NotImplementedError):
        return None
    if method == "damped_newton":  # Jacobian of the map at x*: (1 - lr) I
        return ("linear", 1.0, abs(1 - lr), "map Jacobian (1-lr)I")
    return TEXTBOOK.get(method)


def _one(method, hyper, p, steps, c, lr_fallback):
    hyper = dict(hyper)
    good = c is not None and np.isfinite(c.L) and c.L > 0 and c.mu > 0
    if hyper.get("lr") == "opt":
        hyper["lr"] = LR_FRACTION * 2.0 / (c.L + c.mu) if good else lr_fallback
    elif hyper.get("lr") == "1/L":
        hyper["lr"] = 1.0 / c.L if good else lr_fallback
    ok, why = lrt.methods.applicable(method, p)
    if not ok:
        return None
    m = lrt.methods.get(method, **hyper)
    traj = lrt.run(m, p, steps=steps)
    est = lrt.estimate_order(traj)
    err, _ = traj.error()
    hit = bool(err[min(2, err.size - 1)] <= FINITE_TOL * err[0])
    return {"problem": p.name, "method": method, "lr": hyper.get("lr", 1.0), "est": est,
            "theory": _theory(method, hyper, p, c), "hit": hit}


def compute(grid):
    out = []
    for name, params, steps, lr_fallback in grid["problems"]:
        p = lrt.problems.get(name, **params)
        c = _curvature(p)
        for method, hyper in grid["first"]:
            r = _one(method, hyper, p, max(int(steps * grid["steps_scale"]), 50), c,
                     lr_fallback)
            if r is not None:
                out.append({**r, "group": "first"})
        for method, hyper in grid["second"]:
            r = _one(method, hyper, p, grid["second_steps"], c, lr_fallback)
            if r is not None:
                out.append({**r, "group": "second"})
    return out


def agree(est, th, hit=False) -> str:
    """yes / no / far (never reached x*) / -- (no theory), by the rule of TOL."""
    if th is None:
        return "--"
    regime, q, C, _ = th
    if regime == "finite":
        return "yes" if hit else "no"
    if est.regime in FAR and regime not in FAR:
        return "far"
    if est.regime != regime:
        return "no"
    if regime == "linear" and C is not None and est.rate is not None:
        inside = est.rate_ci is not None and est.rate_ci[0] <= C <= est.rate_ci[1]
        return "yes" if inside or abs(est.rate - C) <= TOL["rate"] else "no"
    if regime == "superlinear" and q is not None and est.q is not None:
        inside = est.q_ci is not None and est.q_ci[0] <= q <= est.q_ci[1]
        return "yes" if inside or abs(est.q - q) <= TOL["q"] else "no"
    return "yes"


def _theory_cell(th):
    if th is None:
        return "--"
    regime, q, C, _ = th
    if regime == "linear":
        return Raw(f"linear, {num(C, 4)}" if C is not None else "linear")
    if regime == "superlinear":
        if q is None:
            return "superlinear"
        qs = r"$\varphi$" if abs(q - PHI) < 1e-9 else num(q, 3)
        return Raw(f"$q$={qs}" + (f", $C$={num(C, 3)}" if C is not None else ""))
    return regime


def _row(r, first):
    est = r["est"]
    q = ci(est.q, *est.q_ci, 3) if est.q is not None and est.q_ci else num(est.q, 3) \
        if est.q is not None else "--"
    if est.rate is not None:
        C = ci(est.rate, *est.rate_ci, 4) if est.rate_ci else num(est.rate, 4)
    elif est.rate_limits:
        C = Raw("{" + ", ".join(num(v, 3) for v in est.rate_limits) + "}")
    elif est.regime == "sublinear" and est.p is not None:
        C = Raw(f"$p$={num(est.p, 3)}")
    elif est.regime == "stalled" and est.limit is not None:
        C = Raw(f"level {num(est.limit, 2)}")
    else:
        C = "--"
    return [r["problem"] if first else "", r["method"].replace("_", " "), num(r["lr"], 2),
            est.regime, q, C, _theory_cell(r["theory"]), agree(est, r["theory"], r["hit"])]


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    tables, macros = [], {}
    counts = {"yes": 0, "no": 0, "--": 0, "far": 0}
    header = ["problem", "method", Raw(r"$\alpha$"), "regime", Raw("$q$ [spread]"),
              Raw("$C$ [spread]"), "theory", "agree"]
    names = [x[0] for x in grid["problems"]]
    half = names[: (len(names) + 1) // 2]
    parts = {"first-a": lambda r: r["group"] == "first" and r["problem"] in half,
             "first-b": lambda r: r["group"] == "first" and r["problem"] not in half,
             "second": lambda r: r["group"] == "second"}
    for part, keep in parts.items():
        rows, groups, last = [], [], None
        for r in filter(keep, results):
            first = r["problem"] != last
            if first:
                groups.append(len(rows))
                last = r["problem"]
            rows.append(_row(r, first))
            counts[rows[-1][-1]] += 1
        tables.append(write_table(ctx.table(f"-{part}"), rows, header, "lllllrll",
                                  groups=groups))
    macros["OrdRowCount"] = int_macro(counts["yes"] + counts["no"])
    macros["OrdAgreeCount"] = int_macro(counts["yes"])
    macros["OrdDisagreeCount"] = int_macro(counts["no"])
    macros["OrdNoTheoryCount"] = int_macro(counts["--"])
    macros["OrdFarCount"] = int_macro(counts["far"])
    macros["OrdLrFraction"] = macro(LR_FRACTION, 2)
    macros["OrdRuns"] = int_macro(len(results))
    macros["OrdTolRate"] = macro(TOL["rate"], 1)
    macros["OrdTolQ"] = macro(TOL["q"], 1)
    macros["OrdSecondSteps"] = int_macro(grid["second_steps"])
    return ctx.finish([], tables, macros)
