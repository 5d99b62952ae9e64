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
from studies._common import (
    Context,
    Macro,
    Outputs,
    Raw,
    camel,
    ci,
    factor_macro,
    factor_words,
    int_macro,
    macro,
    num,
    ratio,
    write_table,
)

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
        # one-at-a-time ablation of the range test's settings around fastai's defaults
        # (beta 0.98, divergence factor 4, the ramp of "finder" above)
        "ablation": {"problems": ("QHundred", "LsMini"), "beta": (0.0, 0.9, 0.98, 0.995),
                     "diverge_factor": (2.0, 4.0, 10.0), "steps": (100, 400, 1600)},
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
        "ablation": {"problems": ("QTen",), "beta": (0.0, 0.98), "diverge_factor": (4.0,),
                     "steps": (60,)},
    },
}

SUGGESTIONS = ("steep", "valley", "minimum")
DEFAULTS = {"beta": 0.98, "diverge_factor": 4.0}  # fastai's, lrtheory.tuning.find_lr's
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
    return {"main": out, "ablation": _ablation(grid)}


def _ablation(grid):
    """The range test with one setting changed at a time (beta, divergence factor, ramp
    length): valley suggestion and divergence point, as medians over seeds."""
    f, a = grid["finder"], grid["ablation"]
    specs = {s["key"]: s for s in grid["problems"]}
    rows = []
    for key in a["problems"]:
        spec = specs[key]
        p = lrt.problems.get(spec["name"], **spec["params"])
        base = {"beta": DEFAULTS["beta"], "diverge_factor": DEFAULTS["diverge_factor"],
                "steps": f["steps"]}
        for name in ("beta", "diverge_factor", "steps"):
            for v in a[name]:
                kw = {**base, name: v}
                res = tuning.find_lr("gd", p, lr_min=f["lr_min"], lr_max=f["lr_max"],
                                     seeds=f["seeds"], stochastic=spec["stochastic"], **kw)
                rows.append({"key": key, "label": spec["label"], "setting": name,
                             "value": v, "default": v == base[name],
                             "valley": res.valley.lr / res.lr_opt,
                             "minimum": res.minimum.lr / res.lr_opt,
                             "diverged": (res.lr_diverged / res.lr_stable
                                          if res.lr_diverged is not None else float("nan"))})
    return rows


def _figure(results, key, path):
    with plots.use_style():
        fig = plots.figure("double", height=3.4)
        ax1, ax2 = fig.subplots(1, 2)
        r = next(x for x in results if x["spec"]["key"] == key)
        plots.lr_finder(r["finder"], ax=ax1)
        ax1.set_title(f"range test, {r['spec']['label']}")
        ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=7)
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
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=7)
        plots.savefig(fig, path)
    return path


ABL_NAMES = {"beta": r"smoothing $\beta$", "diverge_factor": "divergence factor",
             "steps": "ramp length $T$"}


def _ablation_table(rows, path):
    out, groups = [], []
    labels = {}
    for r in rows:
        labels.setdefault(r["key"], r["label"])
    keys = list(labels)
    settings = list(dict.fromkeys((r["setting"], r["value"]) for r in rows))
    last = None
    for name, v in settings:
        if name != last:
            groups.append(len(out))
            last = name
        cells = [Raw(ABL_NAMES[name]) if len(out) in groups else "",
                 Raw(f"{v:g}" + (" (default)" if any(
                     r["default"] for r in rows if r["setting"] == name and r["value"] == v)
                     else ""))]
        for k in keys:
            r = next(r for r in rows if r["key"] == k and r["setting"] == name
                     and r["value"] == v)
            cells += [num(r["valley"], 2), num(r["diverged"], 2)]
        out.append(cells)
    header = ["setting", "value"]
    for k in keys:
        header += [Raw(f"{labels[k]}: valley"), Raw(r"div./$(2/L)$")]
    return write_table(path, out, header, "ll" + "rr" * len(keys), groups=groups)


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    data = ctx.cached(grid, lambda: compute(grid))
    results = data["main"]
    rows, macros, ratios_valley_grid, best_factor = [], {}, [], {}
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
        ratios_valley_grid.append(ratio(res.valley.lr, x["grid_best"]))
        # the suggestion closest to the grid optimum: what a user picking the best of the
        # three would lose
        best_factor[key] = min(ratio(getattr(res, n).lr, x["grid_best"]) for n in SUGGESTIONS)
        macros[camel("Finder", key, "BestFactor")] = macro(best_factor[key], 2)
    macros["FinderMaxRatio"] = macro(max(ratios_valley_grid), 2)
    macros["FinderMaxRatioWords"] = factor_macro(max(ratios_valley_grid))
    lo_key = min(best_factor, key=best_factor.get)
    hi_key = max(best_factor, key=best_factor.get)
    macros["FinderBestFactorMin"] = macro(best_factor[lo_key], 2)
    macros["FinderBestFactorMax"] = macro(best_factor[hi_key], 2)
    labels = {x["spec"]["key"]: x["spec"]["label"] for x in results}
    macros["FinderBestFactorMinWhere"] = Macro(None, labels[lo_key])
    macros["FinderBestFactorMinWords"] = factor_macro(best_factor[lo_key])
    macros["FinderBestFactorMaxWords"] = factor_macro(best_factor[hi_key])
    f = grid["finder"]
    # The exponential moving average's mean lag is beta/(1 - beta) steps; on the ramp
    # lr_k = lr_min (lr_max/lr_min)^(k/T) that is a factor (lr_max/lr_min)^(lag/T) in lr.
    lag = DEFAULTS["beta"] / (1 - DEFAULTS["beta"])
    lag_factor = (f["lr_max"] / f["lr_min"]) ** (lag / f["steps"])
    macros["FinderBeta"] = macro(DEFAULTS["beta"], 2)
    macros["FinderDivergeFactor"] = macro(DEFAULTS["diverge_factor"], 1)
    macros["FinderLagSteps"] = macro(lag, 2)
    macros["FinderLagFactor"] = macro(lag_factor, 2)
    macros["FinderLrMin"] = macro(f["lr_min"], 1)
    macros["FinderLrMax"] = macro(f["lr_max"], 1)
    by = {x["spec"]["key"]: x for x in results}
    if {"QHundred", "LsFull", "LsMini"} <= set(by):
        # sentences of paper/sections/lr_finder.tex
        full = [k for k in by if not by[k]["spec"]["stochastic"]]
        ctx.claim(all(ratio(by[k]["grid_best"], by[k]["finder"].lr_opt) < 1.25 for k in full),
              "with full gradients the grid optimum is within 25% of 2/(L+mu)")
        r = by["QHundred"]["finder"]
        ctx.claim(all(getattr(r, n).lr < by["QHundred"]["grid_best"] for n in SUGGESTIONS),
              "for kappa = 100 all three suggestions lie below the grid optimum")
        ctx.claim(by["LsMini"]["finder"].lr_diverged / by["LsMini"]["finder"].lr_stable
              < by["LsFull"]["finder"].lr_diverged / by["LsFull"]["finder"].lr_stable,
              "mini-batch gradients move the divergence point down")
    abl = data["ablation"]
    for key in sorted({r["key"] for r in abl}):
        for name in ("beta", "diverge_factor", "steps"):
            sel = [r for r in abl if r["key"] == key and r["setting"] == name]
            for what in ("valley", "diverged"):
                v = [r[what] for r in sel if np.isfinite(r[what])]
                if len(v) > 1:  # a verb phrase chosen from the spread over the values
                    spread = max(v) / min(v)
                    macros[camel("FinderAbl", key, name, what)] = Macro(spread, (
                        "hardly moves" if factor_words(spread) == "about the same"
                        else f"moves by {factor_words(spread)}")
                        + f" ({num(min(v), 2)} to {num(max(v), 2)})")
    qb, qs = (camel("FinderAbl", "QHundred", n, "diverged") for n in ("beta", "steps"))
    if qb in macros and qs in macros:  # sentence of the ablation paragraph
        ctx.claim(macros[qb].value < macros[qs].value,
                  "the ramp length moves the divergence point more than beta does")
    for T in grid["ablation"]["steps"]:
        macros[camel("FinderLagFactorT", T)] = macro(
            (f["lr_max"] / f["lr_min"]) ** (lag / T), 2)
    macros["FinderSeeds"] = int_macro(len(results[0]["finder"].seeds))
    macros["FinderSteps"] = int_macro(len(results[0]["finder"].lrs))
    macros["FinderGridNum"] = int_macro(grid["search"]["num"])
    table = write_table(ctx.table(), rows, [Raw(h) for h in HEADER], "lrrrrrrrr")
    table2 = _ablation_table(abl, ctx.table("-ablation"))
    fig = _figure(results, grid["figure_problem"], ctx.figure())
    return ctx.finish([fig], [table, table2], macros)
