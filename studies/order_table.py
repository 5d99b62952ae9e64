r"""Study 2: the order table, every method on every benchmark function, beside theory.

Each registered method runs (float64, default start) on each benchmark it applies to;
:func:`lrtheory.estimate_order` gives the regime, q and C with their intervals (at the
estimator's stated level, 95 %). The theory column is what the
method's spec predicts (:meth:`lrtheory.methods.MethodSpec.predict`: gradient descent,
heavy ball and Nesterov from the Hessian at x*; Newton, damped Newton, secant and Halley
constants on one-variable problems; the textbook order where the theory layer has no
formula); adaptive methods have no theory. Agreement is :func:`lrtheory.theory.compare`
with relative tolerances (:data:`TOL`).

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
from studies._common import (
    Context,
    Outputs,
    Raw,
    ci,
    int_macro,
    macro,
    num,
    q_cell,
    write_table,
)

PHI = (1 + math.sqrt(5)) / 2
# Readable names for tables (the registry's code names stay in the code).
PROBLEM_NAMES = {"quadratic": "quadratic", "booth": "Booth", "least_squares": "least squares",
                 "logistic": "logistic regression", "rosenbrock": "Rosenbrock",
                 "beale": "Beale", "himmelblau": "Himmelblau", "rastrigin": "Rastrigin",
                 "ackley": "Ackley", "scalar_smooth": "smooth convex (1-D)",
                 "double_well": "double well (1-D)", "x4": "$x^4$ (1-D)"}
METHOD_NAMES = {"gd": "gradient descent", "momentum": "heavy ball", "nesterov": "Nesterov",
                "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop",
                "adam": "Adam", "newton": "Newton", "damped_newton": "damped Newton",
                "newton_armijo": "Newton, Armijo", "bfgs": "BFGS",
                "exact_line_search": "exact line search", "secant": "secant",
                "halley": "Halley"}

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
# Tolerances of theory.compare. A linear rate is compared on the log scale (the speed
# -ln C: 0.02 is 2 % in the number of steps to a tolerance); an order q and, for
# superlinear rows, the constant C relatively.
TOL = {"rate": 0.02, "q": 0.05, "C": 0.10}
LR_FRACTION = 0.9  # of gradient descent's best step 2/(L+mu)
FAR = ("stalled", "oscillating", "diverged")  # the run never reached x*
FINITE_TOL = 1e-12  # "finite" (rate 0): e_2 / e_0 within FINITE_TOL of 0, float64 round-off

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
    """The method spec's prediction (a theory.Rate), or None: no theory, or not covered."""
    try:
        return lrt.methods.spec(method).predict(p, curvature=c, **hyper)
    except (ValueError, TypeError, NotImplementedError):
        return None


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
    return {"problem": p.name, "method": method, "lr": hyper.get("lr", 1.0), "est": est,
            "theory": _theory(method, hyper, p, c),
            "first_ratio": float(err[min(2, err.size - 1)] / err[0]) if err[0] > 0 else 0.0}


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


def _field(th):
    """The predicted number to compare: the rate C of a linear law, the order q of a
    superlinear one; the other where that one is not predicted (nan); None if neither or
    if the theory states the regime only (Q-superlinear, C_k -> 0: theory.bfgs_rate)."""
    if th.vanishing:
        return None
    order = ("rate", "q") if th.regime == "linear" else ("q", "rate")
    return next((f for f in order if math.isfinite(getattr(th, f))), None)


VERDICTS = ("agrees", "disagrees", "inconclusive", "far", "--")


def agree(est, th, first_ratio=None) -> tuple[str, bool]:
    """(verdict, whether C was checked): agrees / disagrees / inconclusive (nothing was
    tested: an undetermined side, no number, an interval too wide to decide) / far (never
    reached x*) / -- (no theory, or a linearisation that does not decide), by
    theory.compare. Superlinear rows with a predicted constant must match q and C."""
    if th is None or th.regime == "undetermined":
        return "--", False
    if th.regime == "finite":  # x* in one step: e_2 / e_0 is exactly 0 up to round-off
        row = theory.compare(first_ratio, th, rtol=0.0, atol=FINITE_TOL, field="rate",
                             scale="rel")
        return row.verdict.value, False
    if est.regime in FAR and th.regime not in FAR:
        return "far", False
    field = _field(th)
    if field is None:  # the theory states the regime only (BFGS: superlinear)
        if est.regime == "undetermined":
            return "inconclusive", False
        return ("agrees" if est.regime == th.regime else "disagrees"), False
    row = theory.compare(est, th, rtol=TOL[field], field=field)
    checked_c = (field == "q" and th.regime == "superlinear" and math.isfinite(th.rate)
                 and est.regime == "superlinear")
    if checked_c and row.verdict.value == "agrees":
        row = theory.compare(est, th, rtol=TOL["C"], field="rate", scale="rel")
    return row.verdict.value, checked_c


def _theory_cell(th):
    if th is None:
        return "--"
    q, C = (v if math.isfinite(v) else None for v in (th.q, th.rate))
    if th.regime == "linear":
        return Raw(f"linear, {num(C, 4)}" if C is not None else "linear")
    if th.regime == "finite":  # a nilpotent iteration: the exact rate is 0
        return Raw("finite, $C=0$")
    if th.regime == "superlinear":
        if q is None:
            return "superlinear"
        qs = r"$\varphi$" if abs(q - PHI) < 1e-9 else num(q, 3)
        return Raw(f"$q$={qs}" + (f", $C$={num(C, 3)}" if C is not None else ""))
    return th.regime


def _row(r, first):
    est = r["est"]
    q = q_cell(est)
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
    verdict, checked_c = agree(est, r["theory"], r["first_ratio"])
    return [PROBLEM_NAMES.get(r["problem"], r["problem"]) if first else "",
            METHOD_NAMES.get(r["method"], r["method"].replace("_", " ")), num(r["lr"], 2),
            est.regime, q, C, _theory_cell(r["theory"]),
            verdict + ("$^{C}$" if checked_c else "")], verdict, checked_c


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    tables, macros = [], {}
    counts = dict.fromkeys(VERDICTS, 0)
    n_c = n_c_agree = 0
    header = ["problem", "method", Raw(r"$\alpha$"), "regime", Raw("$q$ [interval]"),
              Raw("$C$ [interval]"), "theory", "verdict"]
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
            cells, verdict, checked_c = _row(r, first)
            rows.append([Raw(c) if isinstance(c, str) and "$" in c else c for c in cells])
            counts[verdict] += 1
            n_c += checked_c
            n_c_agree += checked_c and verdict == "agrees"
        tables.append(write_table(ctx.table(f"-{part}"), rows, header, "lllllrll",
                                  groups=groups))
    macros["OrdRowCount"] = int_macro(counts["agrees"] + counts["disagrees"])
    macros["OrdAgreeCount"] = int_macro(counts["agrees"])
    macros["OrdDisagreeCount"] = int_macro(counts["disagrees"])
    macros["OrdInconclusiveCount"] = int_macro(counts["inconclusive"])
    macros["OrdNoTheoryCount"] = int_macro(counts["--"])
    macros["OrdFarCount"] = int_macro(counts["far"])
    macros["OrdCChecked"] = int_macro(n_c)
    macros["OrdCAgree"] = int_macro(n_c_agree)
    macros["OrdTolC"] = macro(TOL["C"], 1)
    macros["OrdLrFraction"] = macro(LR_FRACTION, 2)
    macros["OrdRuns"] = int_macro(len(results))
    macros["OrdTolRate"] = macro(TOL["rate"], 1)  # relative
    macros["OrdTolQ"] = macro(TOL["q"], 1)  # relative
    macros["OrdSecondSteps"] = int_macro(grid["second_steps"])
    return ctx.finish([], tables, macros)
