r"""Study 3: learning-rate schedules, how the regime changes and where runs stall.

Gradient descent with each seed schedule (constant for reference, time-based, step,
exponential, linear warm-up, triangular cyclical) on the one-dimensional quadratic
f = lambda x^2 / 2 (the theory layer's exact setting), Rosenbrock from its classic start
and L2-regularised logistic regression. The estimator names each run's regime and its
number (linear rate, sublinear exponent p, or stall level); on the quadratic the theory
column is :func:`lrtheory.theory.schedule_limit` of the same schedule written as a
formula in k.

Schedule parameters scale with the budget T (data below), so each problem sees the same
shape of schedule: time-based d = 200/T, exponential d = 100/T, step halving every T/200
steps, warm-up over T/40 steps, cyclical between lr0/10 and lr0 with half-period T/80.

Outputs: ``figures/schedules.pdf``, ``tables/schedules.tex``, macros.
"""

from __future__ import annotations

import numpy as np

import lrtheory as lrt
from lrtheory import plots, schedules, theory
from studies._common import Context, Outputs, Raw, camel, int_macro, macro, num, write_table

# Problems: lr0 is the constant/peak step, T the budget.
PROBLEMS = {
    "full": (
        {"key": "Quad", "label": r"quadratic $x^2/2$", "name": "quadratic",
         "params": {"A": [[1.0]], "x0": [1.0]}, "lr0": 0.5, "steps": 2_000},
        {"key": "Rosen", "label": "Rosenbrock", "name": "rosenbrock", "params": {"dim": 2},
         "lr0": 1e-3, "steps": 20_000},
        {"key": "Logistic", "label": "logistic regression", "name": "logistic",
         "params": {}, "lr0": 0.3, "steps": 3_000},
    ),
    "smoke": (
        {"key": "Quad", "label": r"quadratic $x^2/2$", "name": "quadratic",
         "params": {"A": [[1.0]], "x0": [1.0]}, "lr0": 0.5, "steps": 400},
    ),
}

# Each schedule: registry name and parameters as functions of (lr0, T), and the same
# schedule as a SymPy formula in k for the theory layer (None: it has no limit in k).
SCHEDULES = (
    ("constant", lambda a, T: schedules.constant(a), lambda a, T: f"{a}"),
    ("time-based", lambda a, T: schedules.time_based(a, 200 / T),
     lambda a, T: f"{a}/(1 + {200 / T}*k)"),
    ("step", lambda a, T: schedules.step(a, 0.5, T // 200),
     lambda a, T: f"{a}*0.5**floor((1 + k)/{T // 200})"),
    ("exponential", lambda a, T: schedules.exponential(a, 100 / T),
     lambda a, T: f"{a}*exp(-{100 / T}*k)"),
    # warm-up from 1% of lr0 (the default start 0 is a zero first step, which
    # lrtheory.methods rejects as a learning rate)
    ("warm-up", lambda a, T: schedules.warmup(schedules.constant(a), T // 40, start=0.01),
     lambda a, T: f"{a}*Min(1, 0.01 + 0.99*k/{T // 40})"),
    # Smith's triangular rule with lr0 = a/10, lr_max = a, s = T//80 (period 2s): the
    # theory is the cycle's product (theory.schedule_limit proves the period).
    ("cyclical", lambda a, T: schedules.triangular(a / 10, a, T // 80),
     lambda a, T: (f"{a / 10} + {a - a / 10}*Max(0, 1 - Abs(k/{T // 80} "
                   f"- 2*floor(1 + k/{2 * (T // 80)}) + 1))")),
)

GRID = {size: {"problems": PROBLEMS[size], "schedules": [s[0] for s in SCHEDULES]}
        for size in ("full", "smoke")}


def _theory(formula, lam, x0):
    """schedule_limit, or the reason it has no answer (kept as text in the table)."""
    if formula is None:
        return None, "no limit in k"
    try:
        return theory.schedule_limit(formula, lam=lam, x0=x0), ""
    except (ValueError, TypeError, NotImplementedError) as e:
        return None, f"{type(e).__name__}"


def _number(est):
    """The estimate's number for its regime."""
    return {"linear": est.rate, "sublinear": est.p, "stalled": est.limit,
            "superlinear": est.q, "diverged": est.growth}.get(est.regime)


def _theory_number(lim):
    if lim is None:
        return None
    return {"linear": lim.rate, "sublinear": lim.p, "stalled": lim.limit}.get(lim.regime)


def compute(grid):
    out = []
    for spec in grid["problems"]:
        p = lrt.problems.get(spec["name"], **spec["params"])
        a, T = spec["lr0"], spec["steps"]
        for label, build, formula in SCHEDULES:
            sched = build(a, T)
            traj = lrt.run(lrt.methods.get("gd", lr=sched), p, steps=T)
            err, measure = traj.error()
            est = lrt.estimate_order(traj)
            lim, why = (None, "")
            if spec["name"] == "quadratic":
                lim, why = _theory(None if formula is None else formula(a, T),
                                   lam=float(p.data["eigenvalues"][0]),
                                   x0=float(abs(np.asarray(p.x0)[0])))
            out.append({"key": spec["key"], "label": spec["label"], "schedule": label,
                        "lrs": np.asarray(sched(np.arange(T))), "errors": err,
                        "measure": measure, "est": est, "theory": lim, "why": why})
    return out


def _figure(results, path):
    probs = list(dict.fromkeys(r["key"] for r in results))
    with plots.use_style():
        fig = plots.figure("double", height=4.0 if len(probs) > 1 else 2.2)
        axes = fig.subplots(2, 2).ravel() if len(probs) > 1 else fig.subplots(1, 2)
        first = [r for r in results if r["key"] == probs[0]]
        lr0 = first[0]["lrs"][0]
        plots.schedules([(r["schedule"], r["lrs"] / lr0) for r in first],
                        steps=len(first[0]["lrs"]), ax=axes[0], log=True, legend=False)
        axes[0].legend(loc="lower right", ncol=2, fontsize=6)
        axes[0].set_ylabel(r"$\alpha_k/\alpha_0$")
        axes[0].set_ylim(1e-3, 2)
        axes[0].set_title(f"schedules (budget {len(first[0]['lrs'])} steps)")
        for ax, key in zip(axes[1:], probs, strict=False):
            rs = [r for r in results if r["key"] == key]
            for j, r in enumerate(rs):
                e = np.asarray(r["errors"], float)
                k = np.arange(e.size)
                stride = max(1, e.size // 8)
                ax.plot(k, e, color=f"C{j}", ls=plots.CYCLE.by_key()["linestyle"][j],
                        marker=plots.CYCLE.by_key()["marker"][j],
                        markevery=(j * stride // len(rs), stride), label=r["schedule"])
                lim = r["theory"]
                if lim is not None and lim.regime == "stalled":
                    ax.axhline(lim.limit, color=f"C{j}", lw=0.6, ls=(0, (1, 1)), marker="")
            ax.set_yscale("log")
            errs = [np.asarray(r["errors"], float) for r in rs]
            floor = max(min(np.min(e[e > 0]) for e in errs), 1e-16)
            ax.set_ylim(floor / 3, 3 * max(np.max(e) for e in errs))
            ax.set_xlabel("step $k$")
            ax.set_ylabel(r"$\|x_k - x^\star\|$")
            ax.set_title(rs[0]["label"])
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    rows, macros, groups = [], {}, []
    n_agree = n_theory = 0
    last = None
    for r in results:
        if r["key"] != last:
            groups.append(len(rows))
            last = r["key"]
        est, lim = r["est"], r["theory"]
        meas = _number(est)
        th = _theory_number(lim)
        if r["key"] == "Quad":
            if lim is not None:
                n_theory += 1
                agree = lim.regime == est.regime and (
                    th is None or meas is None or abs(meas - th) <= 0.05 * abs(th) + 1e-12)
                n_agree += agree
                verdict = "yes" if agree else "no"
            else:
                verdict = "--"
            tcell = [lim.regime if lim else "n/a", num(th) if th is not None
                     else "--", verdict]
        else:
            tcell = ["--", "--", "--"]
        rows.append([Raw(r["label"]) if len(rows) in groups else "", r["schedule"],
                     est.regime, num(meas, 4) if meas is not None else "--", *tcell])
        name = camel("Sched", r["key"], r["schedule"])
        if meas is not None:
            macros[name + "Meas"] = macro(meas, 4)
        if th is not None:
            macros[name + "Theory"] = macro(th, 3)
    macros["SchedAgree"] = int_macro(n_agree)
    macros["SchedTheoryRows"] = int_macro(n_theory)
    header = ["problem", "schedule", "regime", Raw("rate / $p$ / level"), "theory regime",
              "theory value", "agree"]
    table = write_table(ctx.table(), rows, header, "lllrlrl", groups=groups)
    fig = _figure(results, ctx.figure())
    return ctx.finish([fig], [table], macros)
