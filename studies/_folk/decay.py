r"""Claim 4: "decreasing the learning rate gives higher accuracy and better generalisation
than a constant one for CNN image classification".

The small CNN of :func:`lrtheory.problems.cnn` on the 8x8 digits, trained for the same
budget of :math:`T` steps with a constant rate and four decays from the same initial
rate :math:`\alpha_0` (:mod:`lrtheory.schedules`): step (:math:`\times 0.1` at
:math:`T/3` and :math:`2T/3`), exponential and time-based (both down to
:math:`\alpha_0/100` at :math:`T`) and cosine (to 0). :math:`\alpha_0` is the rate of a
grid chosen *for each schedule* as the one with its lowest mean final training loss among
those stable in every seed (final below initial training loss): every arm starts from the
rate a practitioner would have tuned for it, and no test data enters the choice.
Full-batch and mini-batch gradients, a short and a long budget; seeds draw the
initialisation and the mini-batches; all schedules, initial rates and seeds of one
(gradient, budget) pair are one compiled call (the schedule is picked by a traced
index). Effect (per seed, paired): test accuracy of the decay minus that of the constant
rate, each at its own tuned initial rate.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from lrtheory import methods, plots, schedules
from lrtheory import problems as P
from studies._common import mean_ci

from .common import keys_for, starts
from .train import trainer
from .verdict import Effect

SCHEDULES = ("constant", "step", "exponential", "cosine", "time-based")
BAND_ACC = 0.01  # one point of test accuracy
_LABEL = {"full": "full batch", "mini": "mini-batch"}


def _schedules(lr0, T):
    """The five schedules of :data:`SCHEDULES` over a budget of ``T`` steps."""
    return (schedules.constant(lr0), schedules.step(lr0, d=0.1, r=T / 3),
            schedules.exponential(lr0, d=np.log(100.0) / T), schedules.cosine(lr0, T=T),
            schedules.time_based(lr0, d=99.0 / T))


def _factory(T):
    def build(lr0, kind, k0):
        s = _schedules(lr0, T)

        def lr(k):
            return jnp.stack([f(k + k0) for f in s])[kind.astype(jnp.int32)]

        return methods.get("gd", lr=lr)

    return build


def compute(grid) -> dict:
    """Per gradient type and budget: every schedule at every alpha_0 of the grid and every
    seed in one compiled call; each schedule keeps the alpha_0 with its own lowest mean
    final training loss among those stable in every seed (test data never enter the
    choice). Results are keyed by ``(gradient, T)``; arrays are ``(schedule, seed, ...)``
    at each schedule's chosen alpha_0."""
    S, n = grid["seeds"], len(SCHEDULES)
    lr0_grid = np.asarray(grid["lr0_grid"], float)
    G = lr0_grid.size
    p = P.cnn(**grid["net"])
    ks, kb = keys_for(range(S), 1)
    x0 = np.tile(starts(p.x0_sampler, ks).reshape(S, -1), (n * G, 1))
    seed_of = np.tile(np.arange(S), n * G)
    hyper = {"lr0": np.tile(np.repeat(lr0_grid, S), n), "kind": np.repeat(np.arange(n), G * S)}
    out = {}
    for g in grid["gradients"]:
        keys = None if g == "full" else kb.reshape(-1)[seed_of]
        for T in grid["budgets"]:
            go = trainer(_factory(T), p, T // grid["checkpoints"], stochastic=keys is not None)
            c = go(T, hyper, x0, keys)
            full = {k: np.asarray(v).reshape((n, G, S) + np.shape(v)[1:])
                    for k, v in c._asdict().items() if k != "steps"}
            final, first = full["train_loss"][..., -1], full["train_loss"][..., 0]
            ok = np.all(np.isfinite(final) & (final < first), axis=2)          # (n, G)
            score = np.where(ok, np.nanmean(np.where(np.isfinite(final), final, np.nan),
                                            axis=2), np.inf)
            best = np.argmin(score, axis=1)                                    # (n,)
            r = {k: v[np.arange(n), best] for k, v in full.items()}
            lr0s = lr0_grid[best]
            r.update(steps=c.steps, lr0=float(lr0s[0]), lr0_each=lr0s, lr0_grid=lr0_grid,
                     pilot_final=score, n_train=p.params["n_train"],
                     lr_curves=np.stack([np.asarray(_schedules(a, T)[i](jnp.arange(T))) / a
                                         for i, a in enumerate(lr0s)]))
            out[(g, T)] = r
    return out


def effects(res) -> list[Effect]:
    eff = []
    for (g, T), r in res.items():
        acc = r["test_acc"][:, :, -1]
        for i, name in enumerate(SCHEDULES[1:], start=1):
            eff.append(Effect("4", {"budget": f"{T} steps", "gradient": _LABEL[g],
                                    "schedule": name}, acc[i] - acc[0], BAND_ACC,
                              "test accuracy"))
    return eff


def figure(res, path):
    """Left: the schedules; then test accuracy over training per (gradient, budget)."""
    keys = list(res)
    with plots.use_style():
        fig = plots.figure("double", height=2.3)
        axes = fig.subplots(1, 1 + len(keys), squeeze=False)[0]
        r0 = res[keys[-1]]
        for i, name in enumerate(SCHEDULES):
            axes[0].plot(np.arange(r0["lr_curves"].shape[1]) / r0["lr_curves"].shape[1],
                         r0["lr_curves"][i], label=name, marker="", lw=1.0)
        axes[0].set_xlabel("step $k/T$")
        axes[0].set_ylabel(r"$\alpha_k / \alpha_0$")
        axes[0].legend(loc="upper right", fontsize=7)
        for ax, (g, T) in zip(axes[1:], keys, strict=True):
            r = res[(g, T)]
            for i, name in enumerate(SCHEDULES):
                acc = r["test_acc"][i]                                   # (seed, checkpoint)
                ci = np.array([mean_ci(acc[:, j]) for j in range(acc.shape[1])])
                ax.plot(r["steps"], ci[:, 0], label=name, color=f"C{i}")
                ax.fill_between(r["steps"], ci[:, 1], ci[:, 2], color=f"C{i}", alpha=0.15,
                                lw=0)
            ax.set_title(f"{_LABEL[g]}\n$T={T}$", fontsize=7)
            ax.set_xlabel("step $k$")
            lo = np.nanmin(np.nanmean(r["test_acc"][:, :, -1], axis=1))
            ax.set_ylim(max(0.0, lo - 0.05), 1.0)
        axes[1].set_ylabel("test accuracy")
        plots.savefig(fig, path)
    return path
