r"""Claim 5: "adaptive methods (Adam) converge faster than SGD; SGD is slower because of
its randomness".

SGD, heavy ball (:math:`\beta = 0.9`) and Adam on a convex problem (L2-regularised
logistic regression) and a non-convex one (the small tanh network), with full-batch and
mini-batch gradients. Each method is tuned for each (problem, gradient) pair by a grid
search over log-spaced rates on the first seeds (fewest mean steps to tolerance; a run
that misses it scores the budget plus its final error) and then run at its tuned rate
from fresh random starts on the next seeds (the methods share each seed's start and
mini-batch stream). The cost is steps until
:math:`f(x_k) - f^\star \le \text{tol}\,(f(x_0) - f^\star)` (for the network
:math:`f^\star = 0`, the infimum of the cross-entropy); a run that never gets there
counts as the budget :math:`T` (a lower bound on its slowdown), and a seed where both
arms miss the tolerance carries no information and is dropped.

* 5a: :math:`\log_{10}` steps of SGD over those of Adam (positive: Adam is faster).
* 5b: :math:`\log_{10}` steps of SGD with mini-batches over those of full-batch gradient
  descent, each at its own tuned rate (positive: the randomness slows SGD down, per step).
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import methods, plots

from .common import keys_for, log_ratio, runner, starts
from .verdict import Effect

METHODS = {"sgd": ("gd", {}), "momentum": ("momentum", {"beta": 0.9}), "adam": ("adam", {})}
BAND_LOG = float(np.log10(1.25))


def _problem(spec):
    p = lrt.problems.get(spec["name"], **spec.get("params", {}))
    if p.f_star is None:  # cross-entropy: 0 is the infimum
        p = dataclasses.replace(p, f_star=0.0)
    return p


def _reducer(f_star, tol):
    def reduce(t, h):
        e = jnp.abs(t.f - f_star)
        T1 = e.shape[1]
        n_valid = jnp.where(t.diverged_at >= 0, t.diverged_at, T1)
        hit = (e <= tol * e[:, :1]) & (jnp.arange(T1)[None, :] < n_valid[:, None])
        return {"first": jnp.where(jnp.any(hit, axis=1), jnp.argmax(hit, axis=1), -1),
                "final": jnp.where(t.diverged_at >= 0, jnp.inf, e[:, -1])}

    return reduce


def compute(grid) -> dict:
    """Tune on seeds ``0..m-1`` (``m = tune_seeds``) over ``n_lrs`` rates, then evaluate the
    tuned rate on the next ``n_lrs * m`` seeds: both calls have the same number of runs,
    so they share one compiled program."""
    T, tol, m, n_lrs = grid["steps"], grid["tol"], grid["tune_seeds"], grid["n_lrs"]
    N = n_lrs * m
    ks, kb = keys_for(range(m + N), 1)
    out = {}
    for spec in grid["problems"]:
        p = _problem(spec)
        x0 = starts(p.x0_sampler, ks).reshape(m + N, -1)
        for g in grid["gradients"]:
            stoch = g == "mini"
            keys = kb.reshape(-1) if stoch else None
            for name, (reg, fixed) in METHODS.items():
                lrs = np.geomspace(*spec["lr_range"][name], n_lrs)

                def factory(lr, reg=reg, fixed=fixed):
                    return methods.get(reg, lr=lr, **fixed)

                go = runner(factory, p, T, reducer=_reducer(p.f_star, tol), stochastic=stoch)
                tune_idx = np.tile(np.arange(m), n_lrs)
                tune = go({"lr": np.repeat(lrs, m)}, x0[tune_idx],
                          None if keys is None else keys[tune_idx])
                score = np.where(tune["first"] >= 0, tune["first"], T + tune["final"])
                lr = float(lrs[int(np.argmin(score.reshape(n_lrs, m).mean(axis=1)))])
                idx = m + np.arange(N)
                first = go({"lr": np.full(N, lr)}, x0[idx],
                           None if keys is None else keys[idx])["first"]
                out[(spec["key"], g, name)] = {
                    "lr": lr, "grid": lrs, "grid_first": tune["first"].reshape(n_lrs, m),
                    "steps": np.where(first >= 0, first, T).astype(float), "budget": T,
                    "reached": first >= 0, "label": spec["label"], "convex": spec["convex"]}
    return out


def _log_steps(a, b):
    """log10(steps a / steps b) per seed; NaN where both missed the tolerance."""
    return log_ratio(a["steps"], b["steps"], a["reached"], b["reached"])


def effects(res) -> list[Effect]:
    eff = []
    label = {"full": "full batch", "mini": "mini-batch"}
    keys = {(k[0], k[1]) for k in res}
    problems = list(dict.fromkeys(k[0] for k in res))
    grads = list(dict.fromkeys(k[1] for k in res))
    for pk in problems:
        for g in grads:
            if (pk, g) not in keys:
                continue
            kind = "convex" if res[(pk, g, "sgd")]["convex"] else "non-convex"
            eff.append(Effect("5a", {"landscape": kind, "problem": pk, "gradient": label[g]},
                              _log_steps(res[(pk, g, "sgd")], res[(pk, g, "adam")]), BAND_LOG,
                              r"$\log_{10}$ steps, SGD over Adam"))
        if all((pk, g) in keys for g in ("full", "mini")):
            kind = "convex" if res[(pk, "full", "sgd")]["convex"] else "non-convex"
            eff.append(Effect("5b", {"landscape": kind, "problem": pk},
                              _log_steps(res[(pk, "mini", "sgd")], res[(pk, "full", "sgd")]),
                              BAND_LOG,
                              r"$\log_{10}$ steps, mini-batch over full batch"))
    return eff


NAMES = {"sgd": "SGD", "momentum": "heavy ball", "adam": "Adam"}


def figure(res, path):
    """Steps to tolerance per method: geometric mean over seeds with the 95 % t-interval
    of log10 steps (points with intervals: bars mean nothing on a log axis)."""
    from studies._common import mean_ci

    groups = list(dict.fromkeys((k[0], k[1]) for k in res))
    label = {"full": "full batch", "mini": "mini-batch"}
    with plots.use_style():
        fig = plots.figure("double", height=2.1)
        axes = fig.subplots(1, len(groups), squeeze=False, sharey=True)[0]
        for ax, (pk, g) in zip(axes, groups, strict=True):
            m = 10 ** np.array([mean_ci(np.log10(res[(pk, g, n)]["steps"])) for n in METHODS])
            x = np.arange(len(METHODS))
            err = np.nan_to_num(np.abs(m[:, 1:] - m[:, :1]).T)
            for i, (c, mk) in enumerate(zip(["0.35", "#E69F00", "#0072B2"], "osD",
                                            strict=True)):
                ax.errorbar([i], m[i, 0], yerr=err[:, i:i + 1], ls="none", capsize=2,
                            marker=mk, color=c)
            ax.axhline(res[(pk, g, "sgd")]["budget"], color="k", ls="--", lw=0.8, marker="")
            ax.set_xticks(x, [NAMES[n] for n in METHODS], fontsize=7)
            ax.set_xlim(-0.5, len(METHODS) - 0.5)
            ax.set_yscale("log")
            ax.grid(axis="x", visible=False)
            ax.set_title(f"{res[(pk, g, 'sgd')]['label']}, {label[g]}", fontsize=8)
        axes[0].set_ylabel("steps to tolerance")
        plots.savefig(fig, path)
    return path
