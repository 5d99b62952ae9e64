r"""Study 4: how sensitive each optimiser is to its learning rate, across conditioning.

SGD (full-batch gradient descent), heavy-ball momentum, Nesterov, Adagrad, Adadelta,
RMSprop and Adam (registry defaults for everything but the learning rate) on quadratics
with kappa in {10, 100, 1000}, from random starts (seeds), over a log grid of learning
rates: the error after a fixed budget, the estimated linear rate, and the width of the
learning-rate window that converges (every seed reaches e_T <= tol * e_0 within the
budget), in decades.

Outputs: ``figures/adaptive.pdf``, ``tables/adaptive.tex``, macros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lrtheory as lrt
from lrtheory import plots
from lrtheory.sweep import starts_for
from studies._common import (
    Context,
    Macro,
    Outputs,
    Raw,
    camel,
    ci,
    int_macro,
    leader_words,
    macro,
    mean_ci,
    num,
    text_macro,
    write_table,
)

METHODS = {"SGD": "gd", "momentum": "momentum", "Nesterov": "nesterov",
           "Adagrad": "adagrad", "Adadelta": "adadelta", "RMSprop": "rmsprop", "Adam": "adam"}

# The budget grows with kappa: gradient descent at its best step needs about
# ln(1/tol) (kappa + 1)/2 steps (7 kappa for tol = 1e-6); STEPS_PER_KAPPA * kappa leaves
# room for the window's lower edge, with at least MIN_STEPS.
GRID = {
    "full": {"kappas": (10.0, 100.0, 1000.0), "dim": 20, "lrs": (1e-5, 100.0, 43),
             "seeds": 6, "steps_per_kappa": 20, "min_steps": 1000, "tol": 1e-6,
             "methods": tuple(METHODS)},
    "smoke": {"kappas": (10.0,), "dim": 4, "lrs": (1e-3, 1.0, 7), "seeds": 3,
              "steps_per_kappa": 20, "min_steps": 200, "tol": 1e-6,
              "methods": ("SGD", "Adam")},
}
FLOOR = 1e-16
YMAX = 1e4  # errors above this are drawn at it (the run is far from converging)
KAPPA_NAMES = {10.0: "Ten", 100.0: "Hundred", 1000.0: "Thousand"}


def steps_for(kappa: float, grid) -> int:
    """The budget for one kappa: ``max(min_steps, steps_per_kappa * kappa)``."""
    return int(max(grid["min_steps"], grid["steps_per_kappa"] * kappa))


def _e0(problem, seeds) -> dict[int, float]:
    """Initial error of each seed's random start: the sweep's own starts
    (:func:`lrtheory.sweep.starts_for`, seed ``s`` from ``keys_for_seed(s)``)."""
    x0, _ = starts_for(problem, "random", np.arange(seeds))
    d = np.linalg.norm(x0 - np.asarray(problem.x_star, float), axis=1)
    return {s: float(v) for s, v in enumerate(d)}


def compute(grid, sweep_cache) -> pd.DataFrame:
    lo, hi, n = grid["lrs"]
    frames = []
    for k in grid["kappas"]:
        p = lrt.problems.quadratic(dim=grid["dim"], cond=k, seed=0)
        df = lrt.sweep({m: METHODS[m] for m in grid["methods"]}, p,
                       lrs=np.geomspace(lo, hi, n), seeds=grid["seeds"], x0="random",
                       steps=steps_for(k, grid), tol=grid["tol"], cache_dir=sweep_cache,
                       progress=False)
        e0 = _e0(p, grid["seeds"])
        df["kappa"] = float(k)
        df["e0"] = df["seed"].astype(int).map(e0)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    cols = ["kappa", "method", "lr", "seed", "status", "final_error", "steps_to_tol",
            "regime", "rate", "e0"]
    return df[cols]


def converged(df: pd.DataFrame, tol: float) -> pd.DataFrame:
    """Per run, the two criteria: ``final`` (the last error is within ``tol * e0``) and
    ``touch`` (the error touched ``tol * e0`` at some step, possibly leaving again)."""
    fe = df["final_error"].to_numpy(dtype=float, na_value=np.nan)
    final = np.isfinite(fe) & (fe <= tol * df["e0"].to_numpy(float))
    return df.assign(final=final, touch=df["steps_to_tol"].notna().to_numpy())


def summarise(df: pd.DataFrame, grid) -> pd.DataFrame:
    """Per (kappa, method, lr): mean and t-interval of log10 e_T over seeds, median rate,
    and the fraction of seeds converged by each criterion."""
    df = converged(df, grid["tol"])

    def per_lr(d):
        fe = d["final_error"].to_numpy(dtype=float, na_value=np.nan)
        rate = d["rate"].to_numpy(dtype=float, na_value=np.nan)
        m, lo, hi = mean_ci(np.log10(fe[np.isfinite(fe) & (fe > 0)]))
        return pd.Series({"log_err": m, "log_err_lo": lo, "log_err_hi": hi,
                          "n_ok": int(np.isfinite(fe).sum()),
                          "rate": np.nanmedian(rate) if np.isfinite(rate).any() else np.nan,
                          "final": bool(d["final"].all()), "touch": bool(d["touch"].all()),
                          "e0": float(d["e0"].median())})
    return df.groupby(["kappa", "method", "lr"], sort=False).apply(
        per_lr, include_groups=False).reset_index()


def widths(df: pd.DataFrame, grid, step: float) -> pd.DataFrame:
    """Window width per (kappa, method, seed) in decades, by each criterion: the number
    of grid learning rates at which that seed converged, times the grid step."""
    df = converged(df, grid["tol"])
    w = df.groupby(["kappa", "method", "seed"], sort=False)[["final", "touch"]].sum() * step
    return w.reset_index()


def _figure(s: pd.DataFrame, grid, path):
    kappas = grid["kappas"]
    with plots.use_style():
        fig = plots.figure("double", height=4.1)
        axes = fig.subplots(2, len(kappas), squeeze=False, sharex=True)
        for j, kappa in enumerate(kappas):
            for i, m in enumerate(grid["methods"]):
                d = s[(s["kappa"] == kappa) & (s["method"] == m)].sort_values("lr")
                st = {k: v[i % len(v)] for k, v in plots.CYCLE.by_key().items()}
                kw = dict(color=st["color"], ls=st["linestyle"], marker=st["marker"],
                          markevery=(i, 6), label=m)
                # errors below FLOOR (x* = 0: no round-off floor) are drawn at FLOOR,
                # errors above YMAX at YMAX (the band is clipped the same way)
                clip = lambda v: np.clip(10 ** v, FLOOR, YMAX)  # noqa: E731
                axes[0, j].plot(d["lr"], clip(d["log_err"]), **kw)
                axes[0, j].fill_between(d["lr"], clip(d["log_err_lo"]), clip(d["log_err_hi"]),
                                        color=st["color"], alpha=0.12, lw=0)
                axes[1, j].plot(d["lr"], 1 - d["rate"], **kw)
            axes[0, j].set_title(rf"quadratic, $\kappa={kappa:g}$, "
                                 rf"$T={steps_for(kappa, grid):,}$")
            axes[0, j].set_yscale("log")
            axes[0, j].set_ylim(FLOOR / 3, YMAX * 3)
            e0 = float(s.loc[s["kappa"] == kappa, "e0"].median())
            axes[0, j].axhline(grid["tol"] * e0, color="0.5", lw=0.6, ls=":", marker="")
            axes[1, j].set_xscale("log")
            axes[1, j].set_xlabel(r"learning rate $\alpha$")
            axes[1, j].set_yscale("log")
        axes[0, 0].set_ylabel(r"error $e_T$ (geometric mean)")
        axes[1, 0].set_ylabel(r"$1 - C$ (estimated rate $C$)")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=7)
        plots.savefig(fig, path)
    return path


def _names(ms) -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    ms = list(ms)
    return ms[0] if len(ms) == 1 else ", ".join(ms[:-1]) + " and " + ms[-1] if ms else ""


def _leader_sentence(words: dict, widths: dict) -> str:
    """'Adagrad at every $\\kappa$ (2.9, 2.5 and 2.5 decades)' or one clause per kappa."""
    ks = list(words)
    w = [num(widths[k], 2) for k in ks]
    if len(set(words.values())) == 1:
        return f"{words[ks[0]]} at every $\\kappa$ ({_names(w)} decades)"
    return "; ".join(f"{words[k]} for $\\kappa={k:g}$ ({num(widths[k], 2)} decades)"
                     for k in ks)


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    df = ctx.cached(grid, lambda: compute(grid, ctx.sweep_cache))
    s = summarise(df, grid)
    lo, hi, n = grid["lrs"]
    step = np.log10(hi / lo) / (n - 1)  # decades between grid points
    w = widths(df, grid, step)
    rows, macros = [], {}
    stats = {}  # (kappa, crit) -> {method: (mean, lo, hi)}
    for m in grid["methods"]:
        cells = [m]
        for kappa in grid["kappas"]:
            k = KAPPA_NAMES.get(kappa, kappa)
            d = s[(s["kappa"] == kappa) & (s["method"] == m)]
            wk = w[(w["kappa"] == kappa) & (w["method"] == m)]
            key = camel("Adapt", m, k)
            for crit in ("final", "touch"):
                mean, clo, chi = mean_ci(wk[crit].to_numpy(float), resolution=step)
                stats.setdefault((kappa, crit), {})[m] = (mean, clo, chi)
                cells.append(ci(mean, max(clo, 0.0), chi, 2) if crit == "final"
                             else num(mean, 2))
                macros[key + ("Width" if crit == "final" else "TouchWidth")] = macro(mean, 2)
            conv = d[d["final"]]
            edge = r"$^\dagger$" if len(conv) and conv["lr"].max() >= hi * (1 - 1e-9) else ""
            cells.append(Raw(f"{num(conv['lr'].min(), 2)}--{num(conv['lr'].max(), 2)}{edge}")
                         if len(conv) else "--")
            best = d.loc[d["log_err"].idxmin()] if d["log_err"].notna().any() else None
            if best is not None:
                macros[key + "BestLr"] = macro(best["lr"], 2)
        rows.append(cells)
    lead = {}
    for crit in ("final", "touch"):
        lead[crit] = {k: max(stats[(k, crit)], key=lambda m, k=k, c=crit: stats[(k, c)][m][0])
                      for k in grid["kappas"]}
        macros[camel("Adapt", crit, "Leaders")] = Macro(None, _leader_sentence(
            {k: leader_words(stats[(k, crit)]) for k in grid["kappas"]},
            {k: stats[(k, crit)][lead[crit][k]][0] for k in grid["kappas"]}))
    changed = [k for k in grid["kappas"] if lead["final"][k] != lead["touch"][k]]
    macros["AdaptCriterionEffect"] = Macro(None, (
        "both criteria name the same leader" if not changed else
        "the criterion reverses the ranking at every $\\kappa$"
        if len(changed) == len(grid["kappas"]) else
        "the criterion changes the leader at " + _names([f"$\\kappa={k:g}$" for k in changed])))
    for kappa in grid["kappas"]:
        macros[camel("Adapt", "Steps", KAPPA_NAMES.get(kappa, kappa))] = int_macro(
            steps_for(kappa, grid))
    # methods whose window depends on the criterion (touch width beyond the final width's
    # interval at some kappa), and methods that never converge by the final error
    differ = [m for m in grid["methods"] if any(
        stats[(k, "touch")][m][0] > stats[(k, "final")][m][2] + 1e-12 for k in grid["kappas"])]
    never = [m for m in grid["methods"]
             if all(stats[(k, "final")][m][0] == 0 for k in grid["kappas"])]
    macros["AdaptCriteriaDiffer"] = text_macro(_names(differ) or "no method")
    macros["AdaptCriteriaDifferVerb"] = text_macro("differ" if len(differ) != 1 else "differs")
    macros["AdaptNeverConverge"] = Macro(None, (
        "By the final error every method meets the tolerance somewhere on the grid."
        if not never else f"By the final error, {_names(never)} never "
        f"meet{'s' if len(never) == 1 else ''} the tolerance at these settings."))
    # sentences of sec:adaptive that name a method's behaviour
    if "Adam" in grid["methods"]:
        ctx.claim("Adam" in differ, "Adam's window depends on the convergence criterion")
    if "Adagrad" in grid["methods"]:
        ctx.claim(all(bool(s[(s["kappa"] == k) & (s["method"] == "Adagrad")
                             & (s["lr"] >= hi * (1 - 1e-9))]["final"].all())
                      for k in grid["kappas"]),
                  "Adagrad stays convergent at the largest rate of the grid")
    macros["AdaptSeeds"] = int_macro(grid["seeds"])
    macros["AdaptStepsPerKappa"] = int_macro(grid["steps_per_kappa"])
    macros["AdaptMinSteps"] = int_macro(grid["min_steps"])
    macros["AdaptNumLr"] = int_macro(n)
    macros["AdaptGridStep"] = macro(step, 2)
    macros["AdaptTol"] = macro(grid["tol"], 1)
    macros["AdaptLrMin"] = macro(lo, 1)
    macros["AdaptLrMax"] = macro(hi, 1)
    macros["AdaptFloor"] = macro(FLOOR, 1)
    macros["AdaptYMax"] = macro(YMAX, 1)
    header = ["method"]
    for kappa in grid["kappas"]:
        header += [Raw(rf"$\kappa={kappa:g}$: final"), "touch", "window"]
    table = write_table(ctx.table(), rows, header, "l" + "rrl" * len(grid["kappas"]))
    fig = _figure(s, grid, ctx.figure())
    return ctx.finish([fig], [table], macros)
