r"""Study 7: superlinear methods in high precision, and what float64 alone would show.

Newton, damped Newton, secant, Halley and BFGS (Armijo line search) run twice: in
mpmath at ``digits`` significant digits (:func:`lrtheory.precision.run_mp`) and in
float64 (:func:`lrtheory.run`). The estimator reads q and C from each; the theory column
is :mod:`lrtheory.theory` (one-variable constants) or the textbook order for several
variables (Newton q = 2: Nocedal & Wright Thm 3.5; BFGS superlinear: Dennis & More 1977).
A per-iteration table (q_k, log10 e_k) shows the high-precision sequence itself.

Outputs: ``figures/superlinear.pdf``, ``tables/superlinear.tex`` (summary),
``tables/superlinear-iterations.tex`` (per iteration), macros.
"""

from __future__ import annotations

import math

import numpy as np

import lrtheory as lrt
from lrtheory import plots, precision, theory
from studies._common import (
    Context,
    Outputs,
    Raw,
    camel,
    ci,
    int_macro,
    macro,
    num,
    q_cell,
    write_table,
)

PHI = (1 + math.sqrt(5)) / 2

# (key, problem, method, run_mp keyword arguments, lrtheory.methods keyword arguments,
#  steps). Damped Newton is linear with rate 1/2: 200 digits need about 670 steps.
CASES = (
    ("Smooth", "scalar_smooth", "newton", {}, {}, 40),
    ("Smooth", "scalar_smooth", "secant", {}, {}, 40),
    ("Smooth", "scalar_smooth", "halley", {}, {}, 40),
    ("Smooth", "scalar_smooth", "damped_newton", {"lr": "1/2"}, {"lr": 0.5}, 800),
    ("Smooth", "scalar_smooth", "bfgs", {}, {}, 80),
    ("Well", "double_well", "newton", {}, {}, 40),
    ("Well", "double_well", "secant", {}, {}, 40),
    ("Well", "double_well", "halley", {}, {}, 40),
    ("Rosen", "rosenbrock", "newton", {}, {}, 60),
    ("Rosen", "rosenbrock", "bfgs", {}, {}, 200),
)
# Relative tolerance of the order q and the constant C against theory (theory.compare_all).
AGREE_RTOL = 0.01
ITER_TABLE = ("Smooth", ("newton", "secant", "halley"))  # problem key, methods shown

GRID = {
    "full": {"cases": CASES, "digits": 200},
    "smoke": {"cases": (CASES[0], CASES[1]), "digits": 60},
}
KEYS = {"Smooth": "scalar_smooth", "Well": "double_well", "Rosen": "rosenbrock"}
# Readable names for tables, legends and titles (registry code names stay in the code).
NAMES = {"scalar_smooth": "smooth convex (1-D)", "double_well": "double well (1-D)",
         "rosenbrock": "Rosenbrock", "newton": "Newton", "damped_newton": "damped Newton",
         "secant": "secant", "halley": "Halley", "bfgs": "BFGS"}


def _theory(p, method, mp_kw):
    """What theory predicts, from the method's spec (one mapping of methods to theory,
    :meth:`lrtheory.methods.MethodSpec.predict`): a :class:`lrtheory.theory.Rate` or
    ``None``."""
    return lrt.methods.spec(method).predict(p, lr=mp_kw.get("lr"))


def _numbers(rate):
    """(regime, q, C) of a prediction for the tables; ``None`` where theory states no
    number (BFGS: superlinear with C_k -> 0, no order)."""
    if rate is None:
        return None
    if rate.vanishing:  # superlinear with C_k -> 0 (theory.bfgs_rate)
        return (str(rate.regime), None, None)

    def known(v):
        return None if v is None or math.isnan(v) else float(v)

    return (str(rate.regime), known(rate.q), known(rate.rate))


def compute(grid):
    out = []
    for key, name, method, mp_kw, kw, steps in grid["cases"]:
        p = lrt.problems.get(name)
        steps_mp = steps if grid["digits"] >= 200 else max(steps * grid["digits"] // 200, 10)
        t_mp = precision.run_mp(method, p, steps=steps_mp, digits=grid["digits"], **mp_kw)
        est_mp = lrt.estimate_order(t_mp)
        t64 = lrt.run(lrt.methods.get(method, **kw), p, steps=steps)
        est_64 = lrt.estimate_order(t64)
        pred = _theory(p, method, mp_kw)
        th = _numbers(pred)
        q_fix = est_mp.q if est_mp.q is not None else None
        per = lrt.estimate.per_iteration(t_mp, q=q_fix)
        per64 = lrt.estimate.per_iteration(t64)
        out.append({"key": key, "problem": name, "method": method, "theory": th, "prediction": pred,
                    "mp": est_mp, "f64": est_64, "per": per, "per64": per64,
                    "n_mp": int(t_mp.n_valid), "n_64": int(t64.n_valid)})
    return out


def _qcell(est):
    return q_cell(est)


def _ccell(est):
    if est.rate is not None:
        return ci(est.rate, *est.rate_ci, 3) if est.rate_ci else num(est.rate, 3)
    if est.rate_limits:
        return Raw("{" + ", ".join(num(v, 3) for v in est.rate_limits) + "}")
    return "--"


def _thcell(th):
    if th is None:
        return "--"
    regime, q, C = th
    if q is None:
        return regime
    qs = r"$\varphi$" if abs(q - PHI) < 1e-9 else num(q, 3)
    return Raw(f"{qs}, {num(C, 3)}" if C is not None else qs)


def _agree(est, pred):
    """theory.compare_all / overall (relative tolerance AGREE_RTOL on q and on C): "yes",
    "no", "inconclusive", or "--" without theory."""
    if pred is None:
        return "--"
    verdict = theory.overall(theory.compare_all(est, pred, rtol=AGREE_RTOL))
    return {"agrees": "yes", "disagrees": "no"}.get(verdict.value, verdict.value)


def _figure(results, path):
    with plots.use_style():
        fig = plots.figure("double", height=2.4)
        ax1, ax2 = fig.subplots(1, 2)
        shown = [r for r in results if r["key"] == ITER_TABLE[0] and r["method"] != "bfgs"]
        for j, r in enumerate(shown):
            per = r["per"]
            st = {k: v[j % len(v)] for k, v in plots.CYCLE.by_key().items()}
            ax1.plot(per["k"], -per["log10_e"].to_numpy(float, na_value=np.nan),
                     color=st["color"], ls=st["linestyle"], marker=st["marker"],
                     label=NAMES.get(r["method"], r["method"]))
            ax1.plot(r["per64"]["k"], -r["per64"]["log10_e"].to_numpy(float, na_value=np.nan),
                     color=st["color"], ls="none", marker="x", markersize=5)
            if r["theory"] and r["theory"][1] and r["theory"][1] > 1:
                ax2.axhline(r["theory"][1], color=st["color"], lw=0.6, ls=":", marker="")
                ax2.plot(per["k"], per["q_k"].to_numpy(float, na_value=np.nan),
                         color=st["color"], ls=st["linestyle"], marker=st["marker"],
                         label=NAMES.get(r["method"], r["method"]))
                ax2.plot(r["per64"]["k"], r["per64"]["q_k"].to_numpy(float, na_value=np.nan),
                         color=st["color"], ls="none", marker="x", markersize=5)
        ax1.axhline(16, color="0.5", lw=0.6, ls="--", marker="")
        ax1.set_xlim(-0.5, 16)
        ax1.set_xlabel("iteration $k$")
        ax1.set_ylabel(r"correct digits $-\log_{10} e_k$")
        ax1.set_title(f"{NAMES[KEYS[ITER_TABLE[0]]]}; crosses: float64", fontsize=8)
        ax1.legend(fontsize=7, loc="upper left")
        ax2.set_ylim(0.5, 3.5)
        ax2.set_xlim(-0.5, 12)
        ax2.set_xlabel("iteration $k$")
        ax2.set_ylabel(r"$q_k$")
        ax2.set_title(r"computational order (dotted: theory)")
        plots.savefig(fig, path)
    return path


def _iteration_table(results, path):
    key, methods = ITER_TABLE
    pers = {r["method"]: r["per"] for r in results if r["key"] == key
            and r["method"] in methods}
    methods = [m for m in methods if m in pers]
    n = max(len(pers[m]) for m in methods)
    rows = []
    for k in range(n):
        cells = [str(k)]
        for m in methods:
            per = pers[m]
            if k < len(per):
                le = per["log10_e"].iloc[k]
                qk = per["q_k"].iloc[k]
                cells += [num(le, 4) if le is not None and le is not np.nan and
                          not _isna(le) else "--",
                          num(qk, 4) if not _isna(qk) else "--"]
            else:
                cells += ["", ""]
        rows.append(cells)
    header = ["$k$"]
    for m in methods:
        header += [Raw(rf"{m}: $\log_{{10}} e_k$"), Raw("$q_k$")]
    return write_table(path, rows, [Raw(h) if isinstance(h, str) else h for h in header],
                       "r" + "rr" * len(methods))


def _isna(v):
    try:
        return v is None or bool(np.isnan(float(v)))
    except TypeError:
        return True


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    rows, macros, groups, last = [], {}, [], None
    n_agree = 0
    for r in results:
        if r["key"] != last:
            groups.append(len(rows))
            last = r["key"]
        a = _agree(r["mp"], r["prediction"])
        n_agree += a == "yes"
        rows.append([NAMES.get(r["problem"], r["problem"]) if len(rows) in groups else "",
                     NAMES.get(r["method"], r["method"]), _thcell(r["theory"]),
                     _qcell(r["mp"]), _ccell(r["mp"]), str(r["mp"].n_used),
                     _qcell(r["f64"]), _ccell(r["f64"]), str(r["f64"].n_used), a])
        name = camel("Sup", r["key"], r["method"])
        for tag, est in (("Mp", r["mp"]), ("Ff", r["f64"])):
            if est.q is not None:
                macros[name + tag + "Q"] = macro(est.q, 4)
            if est.rate is not None:
                macros[name + tag + "C"] = macro(est.rate, 4)
            macros[name + tag + "Used"] = int_macro(est.n_used)
        if r["theory"] and r["theory"][2] is not None:
            macros[name + "TheoryC"] = macro(r["theory"][2], 4)
    macros["SupDigits"] = int_macro(grid["digits"])
    macros["SupAgree"] = int_macro(n_agree)
    macros["SupCases"] = int_macro(len(results))
    header = ["problem", "method", Raw("theory $q$, $C$"), Raw("$q$ (mp)"), Raw("$C$ (mp)"),
              Raw("$n$"), Raw("$q$ (f64)"), Raw("$C$ (f64)"), Raw("$n$"), "agree"]
    summary = write_table(ctx.table(), rows, header, "llllllllrl", groups=groups)
    iters = _iteration_table(results, ctx.table("-iterations"))
    fig = _figure(results, ctx.figure())
    return ctx.finish([fig], [summary, iters], macros)
