r"""Study 5: the learning-rate range test against the theory-optimal and grid-search steps.

On problems whose L and mu are known (quadratics with kappa in {10, 100, 1000}, least
squares on the diabetes data with full and mini-batch gradients), gradient descent's
range test (:func:`lrtheory.tuning.find_lr`, one run per seed from random starts) gives
fastai's three suggestions and a divergence point. Each is set against theory's best step
2/(L+mu), the stability limit 2/L, and the step a grid search finds best after the same
budget (:func:`lrtheory.tuning.grid_search`). Ratios to 2/(L+mu); seed spread as [lo, hi].

Outputs: ``figures/lr_finder.pdf``, ``tables/lr_finder.tex``, macros.
"""

from __future__ import annotations

import numpy as np

import lrtheory as lrt
from lrtheory import plots, tuning
from studies._common import Context, Outputs, Raw, camel, ci, int_macro, macro, num, write_table

GRID = {
    "full": {
        "problems": (
            {"key": "QTen", "label": r"quadratic $\kappa=10$", "name": "quadratic",
             "params": {"dim": 20, "cond": 10.0, "seed": 0}, "stochastic": False},
            {"key": "QHundred", "label": r"quadratic $\kappa=10^2$", "name": "quadratic",
             "params": {"dim": 20, "cond": 100.0, "seed": 0}, "stochastic": False},
            {"key": "QThousand", "label": r"quadratic $\kappa=10^3$", "name": "quadratic",
             "params": {"dim": 20, "cond": 1000.0, "seed": 0}, "stochastic": False},
            {"key": "LsFull", "label": "least squares, full batch", "name": "least_squares",
             "params": {}, "stochastic": False},
            {"key": "LsMini", "label": "least squares, mini-batch", "name": "least_squares",
             "params": {}, "stochastic": True},
        ),
        "finder": {"lr_min": 1e-5, "lr_max": 10.0, "steps": 400, "seeds": 8},
        "search": {"lr_min": 1e-5, "lr_max": 10.0, "num": 96, "steps": 400,
                   "objective": "final_loss"},
        "figure_problem": "QHundred",
    },
    "smoke": {
        "problems": (
            {"key": "QTen", "label": r"quadratic $\kappa=10$", "name": "quadratic",
             "params": {"dim": 4, "cond": 10.0, "seed": 0}, "stochastic": False},
        ),
        "finder": {"lr_min": 1e-4, "lr_max": 10.0, "steps": 60, "seeds": 2},
        "search": {"lr_min": 1e-4, "lr_max": 10.0, "num": 12, "steps": 60,
                   "objective": "final_loss"},
        "figure_problem": "QTen",
    },
}

SUGGESTIONS = ("steep", "valley", "minimum")
HEADER = ("problem", r"$\kappa$", r"$2/(L+\mu)$", r"$2/L$", "grid best", "steep", "valley",
          "min/10", "diverged")


def compute(grid):
    out = []
    f, s = grid["finder"], grid["search"]
    for spec in grid["problems"]:
        p = lrt.problems.get(spec["name"], **spec["params"])
        res = tuning.find_lr("gd", p, lr_min=f["lr_min"], lr_max=f["lr_max"],
                             steps=f["steps"], seeds=f["seeds"],
                             stochastic=spec["stochastic"])
        lrs = np.geomspace(s["lr_min"], s["lr_max"], s["num"])
        g = tuning.grid_search("gd", p, {"lr": lrs}, steps=s["steps"],
                               objective=s["objective"], stochastic=spec["stochastic"])
        out.append({"spec": spec, "finder": res, "grid_best": g.best["lr"],
                    "grid_value": g.best_value, "grid_table": g.table})
    return out


def _figure(results, key, path):
    with plots.use_style():
        fig = plots.figure("double", height=2.5)
        ax1, ax2 = fig.subplots(1, 2)
        r = next(x for x in results if x["spec"]["key"] == key)
        plots.lr_finder(r["finder"], ax=ax1)
        ax1.set_title(f"range test, {r['spec']['label']}")
        labels = []
        for i, x in enumerate(results):
            res = x["finder"]
            opt = res.lr_opt
            y = len(results) - 1 - i
            for j, name in enumerate(SUGGESTIONS):
                sg = getattr(res, name)
                ax2.errorbar([sg.lr / opt], [y + 0.2 - 0.2 * j],
                             xerr=[[max(sg.lr - sg.lo, 0) / opt], [max(sg.hi - sg.lr, 0) / opt]],
                             ls="none", marker="ovs"[j], color=f"C{j + 1}",
                             label=name if i == 0 else None, capsize=1.5)
            ax2.plot([x["grid_best"] / opt], [y], ls="none", marker="*", color="C0",
                     markersize=6, label="grid best" if i == 0 else None)
            if res.lr_diverged is not None:
                ax2.plot([res.lr_diverged / opt], [y], ls="none", marker="x", color="0.4",
                         label="diverged" if i == 0 else None)
            labels.append(x["spec"]["label"])
        ax2.axvline(1.0, color="0.3", ls=":", marker="", lw=0.9)
        ax2.set_xscale("log")
        ax2.set_yticks(range(len(results)))
        ax2.set_yticklabels(labels[::-1])
        ax2.set_xlabel(r"learning rate / $(2/(L+\mu))$")
        ax2.grid(axis="y", visible=False)
        ax2.legend(loc="lower right", fontsize=6)
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    results = ctx.cached(grid, lambda: compute(grid))
    rows, macros, ratios_valley_grid = [], {}, []
    for x in results:
        res, key = x["finder"], x["spec"]["key"]
        opt, stable = res.lr_opt, res.lr_stable
        cells = [Raw(x["spec"]["label"]), num(res.L / res.mu), num(opt), num(stable),
                 num(x["grid_best"] / opt)]
        for name in SUGGESTIONS:
            sg = getattr(res, name)
            cells.append(ci(sg.lr / opt, sg.lo / opt, sg.hi / opt, 2))
            macros[camel("Finder", key, name, "Ratio")] = macro(sg.lr / opt, 2)
        div = res.lr_diverged
        cells.append(num(div / opt, 2) if div is not None else "--")
        rows.append(cells)
        macros[camel("Finder", key, "GridRatio")] = macro(x["grid_best"] / opt, 2)
        if div is not None:
            macros[camel("Finder", key, "DivRatio")] = macro(div / opt, 2)
            macros[camel("Finder", key, "DivStable")] = macro(div / stable, 2)
        r = res.valley.lr / x["grid_best"]
        ratios_valley_grid.append(max(r, 1 / r))
    macros["FinderMaxRatio"] = macro(max(ratios_valley_grid), 2)
    macros["FinderSeeds"] = int_macro(len(results[0]["finder"].seeds))
    macros["FinderSteps"] = int_macro(len(results[0]["finder"].lrs))
    macros["FinderGridNum"] = int_macro(grid["search"]["num"])
    table = write_table(ctx.table(), rows, [Raw(h) for h in HEADER], "lrrrrrrrr")
    fig = _figure(results, grid["figure_problem"], ctx.figure())
    return ctx.finish([fig], [table], macros)
