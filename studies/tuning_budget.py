r"""Study 6: tuning budget, grid vs random vs Bayesian (TPE) search, best objective vs evals.

Three searches over the same space and budget: a log-spaced grid (a fresh grid of n
points for each budget n), random search and Optuna's TPE (seeded; the best value after
each evaluation, mean and 95% CI over seeds in log space). Where theory knows the optimum
(gradient descent's (kappa-1)/(kappa+1), Polyak's heavy-ball rate) the plot shows the
excess over it; otherwise the best objective itself.

Outputs: ``figures/tuning_budget.pdf``, ``tables/tuning_budget.tex``, macros.
"""

from __future__ import annotations

import numpy as np

import lrtheory as lrt
from lrtheory import plots, theory, tuning
from studies._common import (
    Context,
    Outputs,
    Raw,
    camel,
    ci,
    factor_macro,
    int_macro,
    macro,
    mean_ci,
    write_table,
)

GRID = {
    "full": {
        "cases": (
            {"key": "Gd", "label": r"GD, $\alpha$; quadratic $\kappa=100$", "method": "gd",
             "problem": ("quadratic", {"dim": 20, "cond": 100.0, "seed": 0}),
             "space": {"lr": ("log", 1e-4, 1.0)}, "objective": "rate", "steps": 1500,
             "optimum": "gd"},
            {"key": "Hb", "label": r"heavy ball, $(\alpha,\beta)$; quadratic $\kappa=100$",
             "method": "momentum",
             "problem": ("quadratic", {"dim": 20, "cond": 100.0, "seed": 0}),
             "space": {"lr": ("log", 1e-4, 1.0), "beta": ("linear", 0.0, 0.99)},
             "objective": "rate", "steps": 1500, "optimum": "heavy_ball"},
            {"key": "Adam", "label": r"Adam, $\alpha$; Rosenbrock", "method": "adam",
             "problem": ("rosenbrock", {"dim": 2}), "space": {"lr": ("log", 1e-4, 1.0)},
             "objective": "final_loss", "steps": 1000, "optimum": None},
        ),
        "budgets": (2, 4, 8, 16, 32, 64),
        "table_budgets": (4, 16, 64),
        "seeds": 6,
        "batch_size": 8,
    },
    "smoke": {
        "cases": (
            {"key": "Gd", "label": r"GD, $\alpha$; quadratic $\kappa=10$", "method": "gd",
             "problem": ("quadratic", {"dim": 4, "cond": 10.0, "seed": 0}),
             "space": {"lr": ("log", 1e-3, 1.0)}, "objective": "rate", "steps": 150,
             "optimum": "gd"},
        ),
        "budgets": (2, 4),
        "table_budgets": (2, 4),
        "seeds": 2,
        "batch_size": 2,
    },
}

SEARCHES = ("grid", "random", "bayes")
SEARCH_NAMES = {"grid": "grid", "random": "random search", "bayes": "TPE (Bayesian)"}


def _grid_points(space, n):
    """A product grid of about n points: log or linear spacing per dimension."""
    dims = list(space.items())
    if len(dims) == 1:
        sizes = [n]
    else:  # two dimensions: split n into near-square factors, lr gets the larger
        a = int(2 ** np.ceil(np.log2(n) / 2))
        sizes = [a, max(n // a, 1)]
    grid = {}
    for (name, (kind, lo, hi)), m in zip(dims, sizes, strict=True):
        grid[name] = np.geomspace(lo, hi, m) if kind == "log" else np.linspace(lo, hi, m)
    return grid


def _optimum(case, p):
    if case["optimum"] == "gd":
        return theory.gd_limits(p).rate_opt
    if case["optimum"] == "heavy_ball":
        return theory.heavy_ball_optimal(p).rate
    return None


def compute(grid):
    out = []
    nmax = max(grid["budgets"])
    for case in grid["cases"]:
        name, params = case["problem"]
        p = lrt.problems.get(name, **params)
        kw = {"steps": case["steps"], "objective": case["objective"]}
        curves = {}
        curves["grid"] = np.array([[
            tuning.grid_search(case["method"], p, _grid_points(case["space"], n),
                               **kw).best_value or np.inf for n in grid["budgets"]]])
        for search in ("random", "bayes"):
            runs = []
            for seed in range(grid["seeds"]):
                if search == "random":
                    r = tuning.random_search(case["method"], p, case["space"], n_trials=nmax,
                                             seed=seed, **kw)
                else:
                    r = tuning.bayes_search(case["method"], p, case["space"], n_trials=nmax,
                                            batch_size=grid["batch_size"], seed=seed, **kw)
                v = r.table["value"].to_numpy(dtype=float, na_value=np.inf)
                best = np.minimum.accumulate(v)
                runs.append([best[n - 1] for n in grid["budgets"]])
            curves[search] = np.array(runs)
        out.append({"case": case, "optimum": _optimum(case, p), "curves": curves})
    return out


def _excess(values, optimum):
    """What is plotted: excess over theory's optimum, or the objective itself."""
    return values - optimum if optimum is not None else values


def _stats(x, optimum):
    """Mean and CI over seeds, in log10 of the excess, back-transformed."""
    e = _excess(np.asarray(x, float), optimum)
    logs = np.log10(np.maximum(e, 1e-300))
    logs = np.where(np.isfinite(e), logs, np.nan)
    m, lo, hi = mean_ci(logs)
    return 10**m, 10**lo, 10**hi


def _figure(results, budgets, path):
    with plots.use_style():
        fig = plots.figure("double", height=2.6)
        axes = fig.subplots(1, len(results), squeeze=False)[0]
        for ax, r in zip(axes, results, strict=True):
            for j, s in enumerate(SEARCHES):
                st = np.array([_stats(r["curves"][s][:, i], r["optimum"])
                               for i in range(len(budgets))])
                ax.plot(budgets, st[:, 0], color=f"C{j}", ls=["-", "--", ":"][j],
                        marker="osv"[j], label=SEARCH_NAMES[s])
                if s != "grid":
                    ax.fill_between(budgets, st[:, 1], st[:, 2], color=f"C{j}", alpha=0.18,
                                    lw=0)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("evaluations")
            ax.set_title(r["case"]["label"], fontsize=7)
            ax.set_ylabel("best rate $-$ optimal rate" if r["optimum"] is not None
                          else r"best $f(x_T) - f^\star$")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=7)
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    budgets = grid["budgets"]
    rows, macros, groups = [], {}, []
    for r in results:
        key, opt = r["case"]["key"], r["optimum"]
        groups.append(len(rows))
        if opt is not None:
            macros[camel("Tune", key, "Optimum")] = macro(opt, 4)
        for s in SEARCHES:
            cells = [Raw(r["case"]["label"]) if s == "grid" else "", SEARCH_NAMES[s]]
            for i, n in enumerate(budgets):
                m, lo, hi = _stats(r["curves"][s][:, i], opt)
                if n in grid["table_budgets"]:
                    cells.append(Raw(ci(m, lo, hi, 2)))
                    macros[camel("Tune", key, s, "At", n)] = macro(m, 2)
            rows.append(cells)
    nmax = budgets[-1]
    at = {(r["case"]["key"], s): _stats(r["curves"][s][:, -1], r["optimum"])[0]
          for r in results for s in SEARCHES}
    keys = {r["case"]["key"] for r in results}
    if {"Gd", "Hb"} <= keys:
        # "heavy ball ends {factor} further from its optimum than GD" (per search)
        f = [at[("Hb", s)] / at[("Gd", s)] for s in SEARCHES]
        macros["TuneHbOverGdLo"] = macro(min(f), 2)
        macros["TuneHbOverGdHi"] = macro(max(f), 2)
        macros["TuneHbOverGdLoWords"] = factor_macro(min(f))
        macros["TuneHbOverGdHiWords"] = factor_macro(max(f))
        ctx.claim(min(f) > 1, "every search ends further from the optimum for heavy ball")
        hb = {s: at[("Hb", s)] for s in SEARCHES}
        ctx.claim(min(hb, key=hb.get) == "bayes",
              f"TPE is closest to heavy ball's optimum after {nmax} evaluations")
        macros["TuneHbMinExcess"] = macro(min(hb.values()), 2)
    if "Gd" in keys:
        gd = {s: at[("Gd", s)] for s in SEARCHES}
        ctx.claim(gd["grid"] <= min(gd["random"], gd["bayes"]),
              f"in one dimension the grid is best after {nmax} evaluations")
    macros["TuneSeeds"] = int_macro(grid["seeds"])
    macros["TuneMaxBudget"] = int_macro(budgets[-1])
    nt = len(grid["table_budgets"])
    header = ["case", "search"] + [Raw(f"$n={n}$") for n in grid["table_budgets"]]
    table = write_table(ctx.table(), rows, header, "ll" + "r" * nt, groups=groups)
    fig = _figure(results, budgets, ctx.figure())
    return ctx.finish([fig], [table], macros)
