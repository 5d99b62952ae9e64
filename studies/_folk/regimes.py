r"""Claim 1: "a learning rate that is too high overshoots, oscillates or diverges; one that
is too low converges slowly".

Gradient descent from random starts on two convex problems (a quadratic, logistic
regression) and two non-convex ones (a tilted double well, Himmelblau), over a grid of
learning rates in units of the theory's stability limit :math:`2/L` (:math:`L` the
largest Hessian eigenvalue at :math:`x^\star`). Each run gets one regime, in this order:

* ``diverged``: :func:`lrtheory.run`'s divergence rule fired;
* ``linear``: :math:`\|\nabla f(x_k)\| \le \text{tol}\,\|\nabla f(x_0)\|` within the budget
  and consecutive steps mostly keep their direction;
* ``overshooting``: the same, but most consecutive steps reverse
  (:math:`s_k \cdot s_{k+1} < 0`: the iterate jumps across the valley);
* ``slow``: tolerance not reached, :math:`f` still decreasing on at least 90 % of the
  last half of the steps;
* ``oscillating``: tolerance not reached, bounded, :math:`f` not decreasing (cycles,
  chaos).

Effects (per seed, a seed = several random starts): *too high* -- the fraction of runs
that do not converge (diverged, oscillating or slow) at :math:`\alpha = 1.5 \cdot 2/L`
minus that at :math:`\alpha^\star = 2/(L+\mu)`; *too low* -- :math:`\log_{10}` of the
steps to tolerance at :math:`\alpha^\star/20` over those at :math:`\alpha^\star`
(a run that never reaches it counts as the budget: a lower bound on the slowdown; a start
where neither rate reaches it is dropped).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import methods, plots

from .common import keys_for, landmarks, log_ratio, nanmean_last, run_reduced, starts
from .verdict import Effect

REGIMES = ("diverged", "oscillating", "overshooting", "linear", "slow")
_BAND = {"high": 0.05, "low": np.log10(1.25)}


def _spectrum(p, how):
    if how == "data":
        return np.asarray(p.data["eigenvalues"], float)
    return np.linalg.eigvalsh(np.asarray(p.hess(jnp.asarray(p.x_star))))


def _reducer(tol):
    def reduce(t, h):
        T1 = t.f.shape[1]
        k = jnp.arange(T1)[None, :]
        div = t.diverged_at
        n_valid = jnp.where(div >= 0, div, T1)
        valid = k < n_valid[:, None]
        hit = (t.grad_norm <= tol * t.grad_norm[:, :1]) & valid
        reached = jnp.any(hit, axis=1)
        first = jnp.where(reached, jnp.argmax(hit, axis=1), -1)
        s = jnp.diff(t.x, axis=1)                                # (N, T, dim)
        dots = jnp.sum(s[:, 1:] * s[:, :-1], axis=-1)            # (N, T-1)
        end = jnp.where(reached, first, n_valid - 1)[:, None]
        moving = (jnp.arange(T1 - 2)[None, :] < end - 1) & (jnp.abs(dots) > 0)
        zig = jnp.sum((dots < 0) & moving, axis=1) / jnp.maximum(jnp.sum(moving, axis=1), 1)
        df = jnp.diff(t.f, axis=1)
        late = jnp.arange(T1 - 1)[None, :] >= (T1 - 1) // 2
        down = jnp.sum((df <= 1e-12 * jnp.abs(t.f[:, 1:])) & late, axis=1)
        mono = down / jnp.sum(late, axis=1)
        return {"diverged": div >= 0, "first": first, "zig": zig, "mono": mono}

    return reduce


def label(r) -> np.ndarray:
    """Regime of each run from the reduced records (order of the module docstring)."""
    out = np.where(r["first"] >= 0, np.where(r["zig"] > 0.5, "overshooting", "linear"),
                   np.where(r["mono"] >= 0.9, "slow", "oscillating"))
    return np.where(r["diverged"], "diverged", out).astype(object)


def compute(grid) -> dict:
    """Runs of every problem over the lr grid; numpy arrays only (cached by the caller)."""
    out = {}
    seeds = list(range(grid["seeds"]))
    lo, hi, n = grid["ratios"]
    for spec in grid["problems"]:
        p = lrt.problems.get(spec["name"], **spec.get("params", {}))
        lm = landmarks(_spectrum(p, spec["spectrum"]))
        special = {"low": lm["lr_opt"] / 20, "opt": lm["lr_opt"], "high": 1.5 * lm["lr_max"]}
        lrs = np.concatenate([np.geomspace(lo, hi, n) * lm["lr_max"], list(special.values())])
        ks, _ = keys_for(seeds, grid["starts"])
        x0 = starts(p.x0_sampler, ks)                            # (S, n_starts, dim)
        S, n0 = x0.shape[:2]
        lr_all = np.repeat(lrs, S * n0)
        x_all = np.tile(x0.reshape(S * n0, -1), (lrs.size, 1))
        r = run_reduced(lambda lr: methods.get("gd", lr=lr), p, spec["steps"], {"lr": lr_all},
                        x_all, reducer=_reducer(grid["tol"]), keep_x=True)
        shape = (lrs.size, S, n0)
        out[spec["key"]] = {
            "label": spec["label"], "convex": spec["convex"], "lrs": lrs, "n_grid": n,
            "landmarks": lm, "special": special, "steps": spec["steps"],
            "L_global": float(p.data["L"]) if "L" in p.data else None,
            "regime": label(r).reshape(shape), "first": r["first"].reshape(shape)}
    return out


def effects(res) -> list[Effect]:
    """Per problem: the *too high* and *too low* effects (module docstring)."""
    eff = []
    for key, d in res.items():
        n = d["n_grid"]
        reg, first, T = d["regime"], d["first"], d["steps"]
        i_low, i_opt, i_high = n, n + 1, n + 2
        fail = ~np.isin(reg, ("linear", "overshooting"))
        high = fail[i_high].mean(axis=1) - fail[i_opt].mean(axis=1)
        steps = np.where(first >= 0, first, T).astype(float)
        low = nanmean_last(log_ratio(steps[i_low], steps[i_opt], first[i_low] >= 0,
                                     first[i_opt] >= 0))
        kind = "convex" if d["convex"] else "non-convex"
        eff.append(Effect("1a", {"landscape": kind, "problem": key}, high, _BAND["high"],
                          r"fail fraction, $1.5\cdot2/L$ minus $\alpha^\star$"))
        eff.append(Effect("1b", {"landscape": kind, "problem": key}, low, _BAND["low"],
                          r"$\log_{10}$ steps, $\alpha^\star/20$ over $\alpha^\star$"))
    return eff


def figure(res, path):
    """Stacked regime fractions against lr/(2/L), one panel per problem, theory marks."""
    keys = list(res)
    with plots.use_style():
        fig = plots.figure("double", height=2.1)
        axes = fig.subplots(1, len(keys), squeeze=False, sharey=True)[0]
        colours = dict(zip(REGIMES, ("#D55E00", "#CC79A7", "#E69F00", "#009E73", "#56B4E9"),
                           strict=True))
        for ax, key in zip(axes, keys, strict=True):
            d = res[key]
            n, lm = d["n_grid"], d["landmarks"]
            x = d["lrs"][:n] / lm["lr_max"]
            frac = np.stack([(d["regime"][:n] == r).mean(axis=(1, 2)) for r in REGIMES])
            ax.stackplot(x, frac, colors=[colours[r] for r in REGIMES], labels=REGIMES,
                         alpha=0.85)
            for v, ls in ((lm["lr_flip"], ":"), (lm["lr_opt"], "-."), (lm["lr_max"], "--")):
                ax.axvline(v / lm["lr_max"], color="k", ls=ls, lw=0.8, marker="")
            if d["L_global"] is not None:
                ax.axvline(2 / d["L_global"] / lm["lr_max"], color="0.4", ls="-", lw=0.8,
                           marker="")
            ax.set_xscale("log")
            ax.set_xlim(x.min(), x.max())
            ax.set_ylim(0, 1)
            ax.set_title(d["label"])
            ax.set_xlabel(r"$\alpha \,/\, (2/L)$")
        axes[0].set_ylabel("fraction of runs")
        handles, labels = axes[-1].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=7)
        plots.savefig(fig, path)
    return path


def numbers(res) -> dict[str, float]:
    """Quoted numbers: L at x*, and what the runs at 1.5 * 2/L do (fractions)."""
    out = {}
    for key, d in res.items():
        reg = d["regime"][d["n_grid"] + 2]
        out[f"{key}L"] = d["landmarks"]["L"]
        out[f"{key}HighDiverged"] = float((reg == "diverged").mean())
        out[f"{key}HighOscillating"] = float((reg == "oscillating").mean())
        # theory's slowdown at alpha*/20: ln C(alpha*) / ln C(alpha*/20), with
        # C(alpha) = max|1 - alpha lambda| over the extreme eigenvalues (quadratic model)
        lm = d["landmarks"]
        rate = lambda a, lm=lm: max(abs(1 - a * lm["mu"]), abs(1 - a * lm["L"]))  # noqa: E731
        r_opt, r_low = rate(lm["lr_opt"]), rate(lm["lr_opt"] / 20)
        # a one-dimensional problem reaches x* in one step at alpha* (rate 0): no ratio
        if 0 < r_opt and 0 < r_low < 1:
            out[f"{key}LowTheoryRatio"] = float(np.log(r_opt) / np.log(r_low))
    return out
