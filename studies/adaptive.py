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
from studies._common import (
    Context,
    Outputs,
    Raw,
    camel,
    int_macro,
    macro,
    mean_ci,
    num,
    text_macro,
    write_table,
)

METHODS = {"SGD": "gd", "momentum": "momentum", "Nesterov": "nesterov",
           "Adagrad": "adagrad", "Adadelta": "adadelta", "RMSprop": "rmsprop", "Adam": "adam"}

GRID = {
    "full": {"kappas": (10.0, 100.0, 1000.0), "dim": 20, "lrs": (1e-5, 100.0, 57),
             "seeds": 3, "steps": 3000, "tol": 1e-6, "methods": tuple(METHODS)},
    "smoke": {"kappas": (10.0,), "dim": 4, "lrs": (1e-3, 1.0, 7), "seeds": 2,
              "steps": 200, "tol": 1e-6, "methods": ("SGD", "Adam")},
}
FLOOR = 1e-16
KAPPA_NAMES = {10.0: "Ten", 100.0: "Hundred", 1000.0: "Thousand"}


def compute(grid, sweep_cache) -> pd.DataFrame:
    problems = [lrt.problems.quadratic(dim=grid["dim"], cond=k, seed=0)
                for k in grid["kappas"]]
    lo, hi, n = grid["lrs"]
    df = lrt.sweep({m: METHODS[m] for m in grid["methods"]}, problems,
                   lrs=np.geomspace(lo, hi, n), seeds=grid["seeds"], x0="random",
                   steps=grid["steps"], tol=grid["tol"], cache_dir=sweep_cache,
                   progress=False)
    kappa = {p.key: p.data["eigenvalues"].max() / p.data["eigenvalues"].min()
             for p in problems}
    df["kappa"] = df["problem_key"].map(kappa).astype(float).round(6)
    cols = ["kappa", "method", "lr", "seed", "status", "final_error", "steps_to_tol",
            "regime", "rate"]
    return df[cols]


def summarise(df: pd.DataFrame, grid) -> pd.DataFrame:
    """Per (kappa, method, lr): median final error, rate, and whether all seeds converged."""
    def per_lr(d):
        fe = d["final_error"].to_numpy(dtype=float, na_value=np.nan)
        rate = d["rate"].to_numpy(dtype=float, na_value=np.nan)
        m, lo, hi = mean_ci(np.log10(fe[np.isfinite(fe) & (fe > 0)]))
        return pd.Series({"log_err": m, "log_err_lo": lo, "log_err_hi": hi,
                          "n_ok": int(np.isfinite(fe).sum()),
                          "rate": np.nanmedian(rate) if np.isfinite(rate).any() else np.nan,
                          "converged": bool(d["steps_to_tol"].notna().all())})
    return df.groupby(["kappa", "method", "lr"], sort=False).apply(
        per_lr, include_groups=False).reset_index()


def _figure(s: pd.DataFrame, grid, path):
    kappas = grid["kappas"]
    with plots.use_style():
        fig = plots.figure("double", height=3.8)
        axes = fig.subplots(2, len(kappas), squeeze=False, sharex=True)
        for j, kappa in enumerate(kappas):
            for i, m in enumerate(grid["methods"]):
                d = s[(s["kappa"] == kappa) & (s["method"] == m)].sort_values("lr")
                st = {k: v[i % len(v)] for k, v in plots.CYCLE.by_key().items()}
                kw = dict(color=st["color"], ls=st["linestyle"], marker=st["marker"],
                          markevery=(i, 6), label=m)
                # errors below FLOOR (x* = 0: no round-off floor) are drawn at FLOOR
                axes[0, j].plot(d["lr"], np.maximum(10 ** d["log_err"], FLOOR), **kw)
                axes[0, j].fill_between(d["lr"], np.maximum(10 ** d["log_err_lo"], FLOOR),
                                        np.maximum(10 ** d["log_err_hi"], FLOOR),
                                        color=st["color"], alpha=0.12, lw=0)
                axes[1, j].plot(d["lr"], 1 - d["rate"], **kw)
            axes[0, j].set_title(rf"quadratic, $\kappa={kappa:g}$")
            axes[0, j].set_yscale("log")
            axes[0, j].axhline(grid["tol"], color="0.5", lw=0.6, ls=":", marker="")
            axes[1, j].set_xscale("log")
            axes[1, j].set_xlabel(r"learning rate $\alpha$")
            axes[1, j].set_yscale("log")
        axes[0, 0].set_ylabel(r"error $e_T$ (geometric mean)")
        axes[1, 0].set_ylabel(r"$1 - C$ (estimated rate $C$)")
        axes[0, -1].legend(loc="lower left", fontsize=6, ncol=2)
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    df = ctx.cached(grid, lambda: compute(grid, ctx.sweep_cache))
    s = summarise(df, grid)
    lo, hi, n = grid["lrs"]
    step = np.log10(hi / lo) / (n - 1)  # decades between grid points
    rows, macros = [], {}
    for m in grid["methods"]:
        cells = [m]
        for kappa in grid["kappas"]:
            d = s[(s["kappa"] == kappa) & (s["method"] == m)]
            conv = d[d["converged"]]
            width = len(conv) * step
            best = d.loc[d["log_err"].idxmin()] if d["log_err"].notna().any() else None
            cells.append(num(width, 2) if len(conv) else "0")
            edge = r"$^\dagger$" if len(conv) and conv["lr"].max() >= hi * (1 - 1e-9) else ""
            cells.append(Raw(f"{num(conv['lr'].min(), 2)}--{num(conv['lr'].max(), 2)}{edge}")
                         if len(conv) else "--")
            cells.append(num(best["lr"], 2) if best is not None else "--")
            key = camel("Adapt", m, KAPPA_NAMES.get(kappa, kappa))
            macros[key + "Width"] = macro(width, 2)
            if best is not None:
                macros[key + "BestLr"] = macro(best["lr"], 2)
        rows.append(cells)
    for kappa in grid["kappas"]:  # which method has the widest window, in words
        k = KAPPA_NAMES.get(kappa, kappa)
        w = {m: macros[camel("Adapt", m, k) + "Width"].value for m in grid["methods"]}
        top = max(w.values())
        macros[camel("Adapt", "Widest", k)] = text_macro(
            " and ".join(m for m in grid["methods"] if w[m] == top))
        macros[camel("Adapt", "Widest", k, "Width")] = macro(top, 2)
    macros["AdaptSeeds"] = int_macro(grid["seeds"])
    macros["AdaptSteps"] = int_macro(grid["steps"])
    macros["AdaptNumLr"] = int_macro(n)
    macros["AdaptGridStep"] = macro(step, 2)
    macros["AdaptTol"] = macro(grid["tol"], 1)
    macros["AdaptLrMin"] = macro(lo, 1)
    macros["AdaptLrMax"] = macro(hi, 1)
    macros["AdaptFloor"] = macro(FLOOR, 1)
    header = ["method"]
    for kappa in grid["kappas"]:
        header += [Raw(rf"$\kappa={kappa:g}$: width"), "window", "best"]
    table = write_table(ctx.table(), rows, header, "l" + "rlr" * len(grid["kappas"]))
    fig = _figure(s, grid, ctx.figure())
    return ctx.finish([fig], [table], macros)
