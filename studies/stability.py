r"""Study 1: stability of gradient descent, measured rate C(lr) against max|1 - lr lambda|.

Gradient descent on quadratics with kappa in {10, 100, 1000} and on Rosenbrock started
next to its minimiser, over learning rates lr*L in (0, 2.2). Each run's rate comes from
the order estimator (the contraction factor of a linear run, the growth factor of a
diverged one); theory is :func:`lrtheory.theory.gd_rate` from the exact Hessian at x*.
With the ``pep`` extra, PEPit's worst-case rate over all L-smooth mu-strongly convex
functions at the optimal step sits on the same table row.

Outputs: ``figures/stability.pdf``, ``tables/stability.tex``, ``generated/stability-macros.tex``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lrtheory as lrt
from lrtheory import plots, theory
from studies._common import Context, Outputs, Raw, camel, int_macro, macro, num, write_table

# Grid as data. Steps per problem grow with kappa: at lr*L = 0.02 the slowest mode
# contracts by 1 - 0.02/kappa per step, and the estimator needs a real decrease.
GRID = {
    "full": {
        "lr_times_L": (0.02, 2.2, 45),
        "problems": (
            {"key": "Ten", "label": r"quadratic, $\kappa=10$", "name": "quadratic",
             "params": {"dim": 20, "cond": 10.0, "seed": 0}, "steps": 3_000},
            {"key": "Hundred", "label": r"quadratic, $\kappa=100$", "name": "quadratic",
             "params": {"dim": 20, "cond": 100.0, "seed": 0}, "steps": 20_000},
            {"key": "Thousand", "label": r"quadratic, $\kappa=1000$", "name": "quadratic",
             "params": {"dim": 20, "cond": 1000.0, "seed": 0}, "steps": 100_000},
            {"key": "Rosen", "label": r"Rosenbrock near $x^\star$", "name": "rosenbrock",
             "params": {"dim": 2}, "offset": (1e-3, -1e-3), "steps": 100_000},
        ),
        "pep": True,
    },
    "smoke": {
        "lr_times_L": (0.2, 2.2, 6),
        "problems": (
            {"key": "Ten", "label": r"quadratic, $\kappa=10$", "name": "quadratic",
             "params": {"dim": 4, "cond": 10.0, "seed": 0}, "steps": 400},
        ),
        "pep": False,
    },
}


def _problem(spec):
    p = lrt.problems.get(spec["name"], **spec["params"])
    x0 = "default"
    if "offset" in spec:
        x0 = np.asarray(p.x_star, float) + np.asarray(spec["offset"], float)
    return p, x0


def _measured(df: pd.DataFrame) -> np.ndarray:
    """C from the estimate: the rate of linear runs, the growth factor of diverged ones."""
    rate = df["rate"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    growth = df["growth"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.where(df["regime"].to_numpy() == "diverged", growth, rate)


def _pep_rate(c, lr):
    """PEPit's worst-case rate at (L, mu, lr); None without the ``pep`` extra."""
    try:
        return float(theory.pep.gd_worst_case_rate(float(c.L), float(c.mu), float(lr)).rate)
    except ImportError:  # the pep extra (PEPit) is not installed
        return None


def compute(grid, sweep_cache) -> pd.DataFrame:
    lo, hi, n = grid["lr_times_L"]
    frames = []
    for spec in grid["problems"]:
        p, x0 = _problem(spec)
        c = theory.curvature(p)
        lrL = np.linspace(lo, hi, n)
        df = lrt.sweep("gd", p, lrs=lrL / c.L, steps=spec["steps"], x0=x0,
                       cache_dir=sweep_cache, progress=False)
        lim = theory.gd_limits(c)
        df = df.assign(key=spec["key"], label=spec["label"], lrL=lrL, L=c.L, mu=c.mu,
                       kappa=c.kappa, lr_max=lim.lr_max, lr_opt=lim.lr_opt,
                       rate_opt=lim.rate_opt, measured=_measured(df),
                       theory=[theory.gd_rate(c, float(a)).rate for a in lrL / c.L])
        df["pep_opt"] = _pep_rate(c, lim.lr_opt) if grid["pep"] else None
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# Table columns; learning rates in units of 1/L, so the stability limit 2/L is alpha L = 2.
HEADER = (r"problem", r"$\kappa$", r"$\alpha^\star L$", r"best $\alpha L$", r"best $C$",
          r"$\frac{\kappa-1}{\kappa+1}$", r"PEPit", r"$\max|\Delta C|$", r"at $\alpha L$",
          r"edge $\alpha L$")


def _figure(df: pd.DataFrame, path):
    keys = list(dict.fromkeys(df["key"]))
    with plots.use_style():
        fig = plots.figure("double", height=1.9 + 1.5 * (len(keys) > 0))
        axes = fig.subplots(2, len(keys), squeeze=False, sharex=True)
        for j, key in enumerate(keys):
            d = df[df["key"] == key].sort_values("lrL")
            x = d["lrL"].to_numpy()
            fine = np.linspace(x.min(), x.max(), 400)
            th = np.maximum(np.abs(1 - fine * d["mu"].iloc[0] / d["L"].iloc[0]),
                            np.abs(1 - fine))
            meas = d["measured"].to_numpy(float)
            top, bot = axes[0, j], axes[1, j]
            top.plot(fine, th, color="0.55", ls="-", marker="", lw=1.4, label="theory")
            top.plot(x, meas, ls="", marker="o", mfc="none", color="C0", label="measured")
            bot.plot(fine, np.abs(1 - th), color="0.55", ls="-", marker="", lw=1.4)
            bot.plot(x, np.abs(1 - meas), ls="", marker="o", mfc="none", color="C0")
            bot.set_yscale("log")
            for ax in (top, bot):
                ax.axvline(2.0, color="C1", ls="--", marker="", lw=0.8)
                ax.axvline(d["lr_opt"].iloc[0] * d["L"].iloc[0], color="C2", ls=":",
                           marker="", lw=0.9)
            top.set_ylim(0.0, 1.3)
            top.set_title(d["label"].iloc[0])
            bot.set_xlabel(r"$\alpha L$")
            if j == 0:
                top.set_ylabel(r"rate $C$")
                bot.set_ylabel(r"$|1 - C|$")
                top.legend(loc="lower left")
        axes[0, 0].text(2.0, 1.22, r" $2/L$", color="C1", fontsize=7)
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    df = ctx.cached(grid, lambda: compute(grid, ctx.sweep_cache))
    rows, macros = [], {}
    dev_all, n_est, n_total, n_regime_ok, n_bracket, pep_diff = [], 0, 0, 0, 0, []
    for key, d in df.groupby("key", sort=False):
        d = d.sort_values("lrL")
        meas, th = d["measured"].to_numpy(float), d["theory"].to_numpy(float)
        ok = np.isfinite(meas)
        dev = np.abs(meas - th)
        i = int(np.nanargmax(np.where(ok, dev, -np.inf))) if ok.any() else None
        conv = d["regime"].to_numpy() == "linear"
        expect_conv = th < 1
        n_regime_ok += int(np.sum(conv == expect_conv))
        n_est += int(ok.sum())
        n_total += len(d)
        best = int(np.nanargmin(np.where(conv & ok, meas, np.inf))) if (conv & ok).any() else None
        edge = d["lrL"].to_numpy()[conv].max() if conv.any() else np.nan
        first_div = d["lrL"].to_numpy()[~conv & (d["lrL"].to_numpy() > 1)]
        first_div = first_div.min() if first_div.size else np.nan
        r0 = d.iloc[0]
        pep = r0["pep_opt"]
        n_bracket += int(edge < 2.0 <= first_div)
        if pep is not None and np.isfinite(pep):
            pep_diff.append(abs(pep - r0["rate_opt"]))
        rows.append([Raw(r0["label"]), num(r0["kappa"]), num(r0["lr_opt"] * r0["L"]),
                     num(d["lrL"].iloc[best]) if best is not None else "--",
                     num(meas[best], 4) if best is not None else "--",
                     num(r0["rate_opt"], 4),
                     num(pep, 4) if pep is not None and np.isfinite(pep) else "--",
                     num(dev[i]) if i is not None else "--",
                     num(d["lrL"].iloc[i]) if i is not None else "--",
                     Raw(f"{num(edge)}--{num(first_div)}")])
        if i is not None:
            dev_all.append(dev[i])
            macros[camel("Stab", key, "MaxDev")] = macro(dev[i], 2)
        if best is not None:
            macros[camel("Stab", key, "BestRate")] = macro(meas[best], 4)
            macros[camel("Stab", key, "BestLrL")] = macro(d["lrL"].iloc[best], 3)
        macros[camel("Stab", key, "OptRate")] = macro(r0["rate_opt"], 4)
        macros[camel("Stab", key, "Kappa")] = macro(r0["kappa"], 3)
        macros[camel("Stab", key, "EdgeLo")] = macro(edge, 3)
        macros[camel("Stab", key, "EdgeHi")] = macro(first_div, 3)
        if pep is not None and np.isfinite(pep):
            macros[camel("Stab", key, "Pep")] = macro(pep, 4)
    macros["StabMaxDev"] = macro(max(dev_all) if dev_all else np.nan, 2)
    macros["StabRuns"] = int_macro(n_total)
    macros["StabEstimated"] = int_macro(n_est)
    macros["StabRegimeAgree"] = int_macro(n_regime_ok)
    macros["StabNumLr"] = int_macro(ctx.grid(GRID)["lr_times_L"][2])
    macros["StabProblems"] = int_macro(len(grid["problems"]))
    macros["StabEdgeBracket"] = int_macro(n_bracket)
    macros["StabPepMaxDiff"] = macro(max(pep_diff) if pep_diff else np.nan, 2)
    table = write_table(ctx.table(), rows, [Raw(h) for h in HEADER], "lrrrrrrrrr")
    fig = _figure(df, ctx.figure())
    return ctx.finish([fig], [table], macros)
