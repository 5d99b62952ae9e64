r"""Study: the order table over the Moré-Garbow-Hillstrom set (35 functions).

Every function at its default dimensions (:func:`lrtheory.problems.mgh`), from the paper's
standard start, with six methods in float64: gradient descent at :math:`\alpha = 1/L`
(:math:`L` the largest Hessian eigenvalue at :math:`x^\star`; for the three functions
without a unique :math:`x^\star` the Hessian at :math:`x_0`, exact for the two linear
ones, whose Hessian is constant), heavy ball at :math:`1/L` with :math:`\beta = 0.9`,
Adam at :math:`10^{-2}`, Newton, damped Newton with an Armijo line search
(``newton_armijo``) and BFGS; the superlinear methods (Newton, BFGS) again in high
precision (:func:`lrtheory.precision.run_mp`) where SymPy derivatives are cheap (at most
4 variables and 16 residuals). :func:`lrtheory.estimate_order` gives regime, q, C and the
interval per cell; theory is the method spec's prediction (``MethodSpec.predict``) compared
by :func:`studies.order_table.agree` (the order table's tolerances). Local theory assumes a
nondegenerate minimiser: where the Hessian at :math:`x^\star` is singular (Powell singular,
extended Powell, the rank-deficient linear functions) a cell is "sing", not counted.

The functions run in two worker processes (``workers``): compiling 35 x 6 runs dominates
the time, and the runs are independent.

Outputs: ``tables/mgh-first.tex``, ``tables/mgh-second.tex``, macros (``Mgh...``).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import jax
import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import theory
from studies._common import (
    Context,
    Macro,
    Outputs,
    Raw,
    count_words,
    int_macro,
    macro,
    num,
    text_macro,
    write_table,
)
from studies.order_table import FAR, agree

FIRST = (("gd", {"lr": "1/L"}), ("momentum", {"lr": "1/L", "beta": 0.9}),
         ("adam", {"lr": 1e-2}))
SECOND = (("newton", {}), ("newton_armijo", {}), ("bfgs", {}))
MP_METHODS = ("newton", "bfgs")
MP_MAX = {"dim": 4, "m": 16}  # high precision only where SymPy derivatives are cheap
SINGULAR = 1e-12  # sigma_min / sigma_max of J (or mu / L of H) below this: singular

GRID = {
    "full": {"problems": tuple(lrt.problems.mgh_names()), "first_steps": 5000,
             "second_steps": 100, "mp_steps": 40, "digits": 80, "workers": 2},
    "smoke": {"problems": ("rosenbrock", "powell_singular"), "first_steps": 400,
              "second_steps": 40, "mp_steps": 20, "digits": 40, "workers": 1},
}
ABBREV = {"linear": "lin", "superlinear": "sup", "sublinear": "sub", "stalled": "stall",
          "oscillating": "osc", "diverged": "div", "undetermined": "und", "finite": "fin"}


def _curvature(p):
    """(L, mu, where): from the Hessian at x*, else (no unique x*) at x0."""
    if p.x_star is not None:
        c = theory.curvature(p)
        return float(c.L), float(c.mu), "x*", c
    ev = np.linalg.eigvalsh(np.asarray(p.hess(p.x0)))
    c = theory.curvature(ev)
    return float(ev.max()), float(ev.min()), "x0", c


def _singular(p) -> bool | None:
    """Whether the Hessian at x* is singular; None without a unique x* (not a quadratic).

    Decided by the residual Jacobian J: for zero-residual and linear functions H = 2 J^T J
    exactly, so H is singular iff J is rank-deficient, and J's singular values decide that
    in float64 even where H's do not (J's condition number is the square root of H's:
    Powell badly scaled has kappa(H) ~ 1e18). For a nonzero residual H also has the
    second-order term; there both J and H's spectrum must be (numerically) singular, so
    that a merely badly scaled function (Meyer, kappa(H) ~ 1e16, J well inside float64)
    is not called singular.
    """
    linear = "convex" in p.tags  # the three linear functions: constant Hessian
    if p.x_star is None and not linear:
        return None
    point = jnp.asarray(p.x0 if p.x_star is None else p.x_star)
    sv = np.linalg.svd(np.asarray(jax.jacfwd(p.data["residuals"])(point)), compute_uv=False)
    j_singular = bool(sv.min() <= SINGULAR * sv.max())
    if linear or p.f_star == 0.0:
        return j_singular
    ev = np.linalg.eigvalsh(np.asarray(p.hess(point)))
    return j_singular and bool(ev.min() <= SINGULAR * ev.max())


def _cell(method, hyper, p, steps, c, L, singular):
    ok, _ = lrt.methods.applicable(method, p)
    if not ok:
        return None
    hyper = {k: (1.0 / L if v == "1/L" else v) for k, v in hyper.items()}
    traj = lrt.run(lrt.methods.get(method, **hyper), p, steps=steps)
    est = lrt.estimate_order(traj)
    th = _predict(method, p, c, **hyper)
    err, _ = traj.error()
    # (no records at all when the start itself is reported as diverged)
    first_ratio = float(err[min(2, err.size - 1)] / err[0]) if err.size and err[0] > 0 \
        else None
    return {"method": method, "lr": hyper.get("lr"), "est": est, "theory": th,
            "agree": _verdict_of(est, th, singular, first_ratio)}


def _predict(method, p, c, **hyper):
    """The method spec's prediction, or None where its theory does not cover ``p`` (e.g.
    BFGS's superlinear law needs a positive definite Hessian at x*)."""
    try:
        return lrt.methods.spec(method).predict(p, curvature=c, **hyper)
    except (ValueError, TypeError, NotImplementedError):
        return None


# order_table's verdict words, shortened for the cells of the MGH tables
_SHORT = {"agrees": "yes", "disagrees": "no", "inconclusive": "inc"}


def _verdict_of(est, th, singular, first_ratio=None):
    """order_table's yes / no / far / --, plus "sing" (Hessian singular at x*: local
    theory for a nondegenerate minimiser does not apply) and "inc" (theory.compare cannot
    decide: the measured interval is too wide, e.g. Newton reaching round-off in 4 steps)."""
    if singular:
        return "sing"
    if singular is None:  # no unique x*: the local theory has no point to speak about
        return "--"
    verdict, _ = agree(est, th, first_ratio)
    return _SHORT.get(verdict, verdict)


def _mp_cell(method, p, steps, digits, c, singular):
    traj = lrt.precision.run_mp(method, p, steps=steps, digits=digits)
    est = lrt.estimate_order(traj)
    th = _predict(method, p, c)
    return {"method": method, "est": est, "theory": th,
            "agree": _verdict_of(est, th, singular)}


def problem_cells(name: str, grid: dict) -> dict:
    """Every cell of one function (runs in a worker process)."""
    t0 = time.perf_counter()
    p = lrt.problems.mgh(name)
    L, mu, where, c = _curvature(p)
    singular = _singular(p)
    cells = {}
    for method, hyper in FIRST:
        cells[method] = _cell(method, hyper, p, grid["first_steps"], c, L, singular)
    for method, hyper in SECOND:
        cells[method] = _cell(method, hyper, p, grid["second_steps"], c, L, singular)
    mp = {}
    if p.x_star is not None and p.dim <= MP_MAX["dim"] and p.data["m"] <= MP_MAX["m"]:
        for method in MP_METHODS:
            mp[method] = _mp_cell(method, p, grid["mp_steps"], grid["digits"], c, singular)
    return {"name": name, "number": p.data["number"], "n": p.dim, "m": p.data["m"], "L": L,
            "mu": mu, "where": where, "singular": bool(singular), "cells": cells, "mp": mp,
            "seconds": time.perf_counter() - t0}


def compute(grid):
    t0 = time.perf_counter()
    names = list(grid["problems"])
    if grid["workers"] > 1:
        ctx = multiprocessing.get_context("spawn")  # JAX state does not survive fork
        with ProcessPoolExecutor(grid["workers"], mp_context=ctx) as pool:
            rows = list(pool.map(problem_cells, names, [grid] * len(names)))
    else:
        rows = [problem_cells(n, grid) for n in names]
    return {"rows": rows, "seconds": time.perf_counter() - t0}


# ------------------------------------------------------------------------------ table
def _measured(est) -> Raw:
    """'lin 0.9994 [0.9993, 0.9995]', 'sup q=2.00 [1.98, 2.01]', 'sup C_k->0' (Q-superlinear),
    'sub p=0.50', 'stall'."""
    tag = ABBREV[est.regime]
    if est.regime == "linear" and est.rate is not None:
        lo, hi = est.rate_ci or (None, None)
        span = "" if lo is None else f" [{num(lo, 4)}, {num(hi, 4)}]"
        return Raw(f"{tag} {num(est.rate, 4)}{span}")
    if est.regime == "superlinear" and est.ratio_to_zero:
        return Raw(f"{tag} $C_k\\to0$")      # Q-superlinear: q = 1, no order to show
    if est.regime == "superlinear" and est.q is not None:
        lo, hi = est.q_ci or (None, None)
        span = "" if lo is None else f" [{num(lo, 3)}, {num(hi, 3)}]"
        return Raw(f"{tag} $q$={num(est.q, 3)}{span}")
    if est.regime == "sublinear" and est.p is not None:
        return Raw(f"{tag} $p$={num(est.p, 2)}")
    return Raw(tag)


def _verdict(cell) -> str:
    return "n/a" if cell is None else cell["agree"]


def _first_rows(rows):
    out = []
    for r in rows:
        line = [str(r["number"]), r["name"].replace("_", " "), f"{r['n']}/{r['m']}",
                num(r["L"], 3)]
        for method, _ in FIRST:
            cell = r["cells"][method]
            line += [_measured(cell["est"]) if cell else "--", _verdict(cell)]
        out.append(line)
    return out


def _second_rows(rows):
    out = []
    for r in rows:
        line = [str(r["number"]), r["name"].replace("_", " ")]
        for method, _ in SECOND:
            cell = r["cells"][method]
            line += [_measured(cell["est"]) if cell else "--", _verdict(cell)]
        for method in MP_METHODS:
            cell = r["mp"].get(method)
            line += [_measured(cell["est"]) if cell else "--", _verdict(cell) if cell else ""]
        out.append(line)
    return out


def _count(rows, key="cells", verdicts=("yes", "no", "far", "--", "sing", "inc")):
    counts = dict.fromkeys(verdicts, 0)
    for r in rows:
        for cell in r[key].values():
            if cell is not None and cell["agree"] in counts:
                counts[cell["agree"]] += 1
    return counts


LABELS = {"gd": "GD", "momentum": "heavy ball", "adam": "Adam", "newton": "Newton",
          "newton_armijo": "Newton-Armijo", "bfgs": "BFGS"}


def _regimes(row) -> str:
    """'GD stalled, heavy ball diverged, ..., Newton (mp) linear' from one function's cells."""
    parts = [f"{LABELS[m]} {c['est'].regime}" for m, c in row["cells"].items() if c]
    parts += [f"{LABELS[m]} at high precision {c['est'].regime}" for m, c in row["mp"].items()]
    return ", ".join(parts)


def _words(rows):
    """Text macros whose wording follows the data (for the discussion)."""
    by = {r["name"]: r for r in rows}
    words = {}
    ps = by.get("powell_singular")
    if ps is not None:
        # Newton minimising f ~ z^p contracts by (p - 2)/(p - 1): 2/3 on a quartic valley
        # (f = sum f_i^2 with residuals vanishing to second order); Newton solving the
        # residual system F = 0 at a root of multiplicity 2 contracts by 1/2.
        mp = ps["mp"].get("newton")
        est = (mp or ps["cells"]["newton"])["est"]
        known = {2 / 3: "2/3, Newton's ratio (p-2)/(p-1) for minimising a quartic (p = 4)",
                 1 / 2: "1/2, Newton's ratio at a double root of the residual system"}
        hit = [w for v, w in known.items() if est.rate is not None and abs(est.rate - v) < 0.01]
        words["MghPowellNewton"] = (f"linear with ratio {est.rate:.4f}, i.e. {hit[0]}" if hit
                                    and est.regime == "linear" else f"{est.regime}, not "
                                    "quadratic")
    bb = by.get("brown_badly_scaled")
    if bb is not None:
        gd = bb["cells"]["gd"]["est"]
        words["MghBrownGd"] = ("makes no measurable progress" if gd.regime in FAR + (
            "undetermined",) else f"is {gd.regime}")
    for key, name in (("MghBrownRegimes", "brown_badly_scaled"),
                      ("MghPowellRegimes", "powell_singular"), ("MghMeyerRegimes", "meyer")):
        if name in by:
            words[key] = _regimes(by[name])
    return words


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    result = ctx.cached(grid, lambda: compute(grid))
    rows = sorted(result["rows"], key=lambda r: r["number"])
    first_header = ["#", "function", "n/m", "L", "GD $1/L$", "", "heavy ball", "", "Adam", ""]
    first = write_table(ctx.table("-first"), _first_rows(rows),
                        [Raw(h) if "$" in h else h for h in first_header], "rllrllllll")
    second_header = ["#", "function", "Newton", "", "Newton-Armijo", "", "BFGS", "",
                     "Newton (mp)", "", "BFGS (mp)", ""]
    second = write_table(ctx.table("-second"), _second_rows(rows), second_header,
                         "rlllllllllll")
    counts = _count(rows)
    judged = counts["yes"] + counts["no"]
    mp_counts = _count(rows, "mp")
    mp_judged = mp_counts["yes"] + mp_counts["no"]
    macros = {
        "MghFunctions": int_macro(len(rows)),
        "MghCells": int_macro(sum(c is not None for r in rows for c in r["cells"].values())),
        "MghAgree": int_macro(counts["yes"]), "MghDisagree": int_macro(counts["no"]),
        "MghFar": int_macro(counts["far"]), "MghNoTheory": int_macro(counts["--"]),
        "MghSingular": int_macro(counts["sing"]),
        "MghShareAgree": macro(counts["yes"] / judged if judged else math.nan, 2),
        "MghInconclusive": int_macro(counts["inc"]),
        "MghSingularFunctions": int_macro(sum(r["singular"] for r in rows)),
        "MghMpCells": int_macro(sum(len(r["mp"]) for r in rows)),
        "MghMpAgree": int_macro(mp_counts["yes"]), "MghMpDisagree": int_macro(mp_counts["no"]),
        "MghMpShareAgree": macro(mp_counts["yes"] / mp_judged if mp_judged else math.nan, 2),
        "MghMpFunctions": int_macro(sum(bool(r["mp"]) for r in rows)),
        "MghFirstSteps": int_macro(grid["first_steps"]),
        "MghSecondSteps": int_macro(grid["second_steps"]),
        "MghDigits": int_macro(grid["digits"]),
        "MghSeconds": macro(result["seconds"], 2),
    }
    def verdicts(method, regime):
        return sum(1 for r in rows if r["cells"][method] is not None
                   and r["cells"][method]["agree"] == "yes"
                   and r["cells"][method]["est"].regime == regime)

    macros["MghNewtonQuadratic"] = int_macro(verdicts("newton", "superlinear"))
    macros["MghHeavyBallAgree"] = int_macro(verdicts("momentum", "linear"))
    macros["MghGdAgree"] = int_macro(verdicts("gd", "linear"))
    # BFGS: how its float64 cells read and how many disagree (the sentence follows these)
    bfgs = [r["cells"]["bfgs"] for r in rows if r["cells"].get("bfgs") is not None]
    n_no = sum(c["agree"] == "no" for c in bfgs)
    regimes = Counter(str(c["est"].regime) for c in bfgs)
    macros["MghBfgsDisagree"] = int_macro(n_no)
    macros["MghBfgsDisagreeShare"] = Macro(n_no, count_words(n_no, counts["no"]))
    macros["MghBfgsRegimes"] = text_macro(", ".join(f"{k} {v}" for k, v in
                                                    regimes.most_common()))
    for key, name in (("MghBrownKappa", "brown_badly_scaled"), ("MghMeyerKappa", "meyer")):
        r = next((r for r in rows if r["name"] == name), None)
        if r is not None:
            macros[key] = macro(r["L"] / r["mu"], 1)
    for key, text in _words(rows).items():
        macros[key] = text_macro(text)
    ps = next((r for r in rows if r["name"] == "powell_singular"), None)
    if ps is not None:
        est = ps["cells"]["newton"]["est"]
        macros["MghPowellNewtonRate"] = macro(est.rate if est.rate is not None else math.nan,
                                              3)
        mp = ps["mp"].get("newton")
        macros["MghPowellNewtonRateMp"] = macro(
            mp["est"].rate if mp and mp["est"].rate is not None else math.nan, 4)
    return ctx.finish([], [first, second], macros)
