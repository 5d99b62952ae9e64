r"""Claim 4: "decreasing the learning rate gives higher accuracy and better generalisation
than a constant one for CNN image classification".

The small CNN of :func:`lrtheory.problems.cnn` on the 8x8 digits, trained for the same
budget of :math:`T` steps with a constant rate and four decays from the same initial
rate :math:`\alpha_0` (:mod:`lrtheory.schedules`): step (:math:`\times 0.1` at
:math:`T/3` and :math:`2T/3`), exponential and time-based (both down to
:math:`\alpha_0/100` at :math:`T`) and cosine (to 0). :math:`\alpha_0` is the rate of a
five-point grid whose *constant*-rate runs reach the lowest mean final training loss
among those stable in every seed (final below initial training loss): the decays start
from the rate a practitioner would have tuned, and no test data enters the choice. Full-batch and
mini-batch gradients; seeds draw the initialisation and the mini-batches; all schedules
and seeds of one gradient type are one compiled call (the schedule is picked by a traced
index). Effect (per seed, paired): test accuracy of the decay minus that of the
constant rate.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from lrtheory import methods, plots, schedules
from lrtheory import problems as P

from .common import keys_for, starts
from .train import trainer
from .verdict import Effect

SCHEDULES = ("constant", "step", "exponential", "cosine", "time-based")
BAND_ACC = 0.01  # one point of test accuracy


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
    """Per gradient type: pick alpha_0 (constant rate, grid, every seed), then run all
    schedules from it; both calls have the same number of runs (one compilation)."""
    T, S, n = grid["steps"], grid["seeds"], len(SCHEDULES)
    lr0_grid = np.asarray(grid["lr0_grid"], float)
    if lr0_grid.size != n:
        raise ValueError(f"lr0_grid must have {n} values (one compiled call shape); "
                         f"got {lr0_grid.tolist()}")
    p = P.cnn(**grid["net"])
    ks, kb = keys_for(range(S), 1)
    x0 = np.tile(starts(p.x0_sampler, ks).reshape(S, -1), (n, 1))
    seed_of = np.tile(np.arange(S), n)
    out = {"seeds": S, "steps": T}
    for g in grid["gradients"]:
        keys = None if g == "full" else kb.reshape(-1)[seed_of]
        go = trainer(_factory(T), p, grid["every"], stochastic=keys is not None)
        pilot = go(T, {"lr0": np.repeat(lr0_grid, S), "kind": np.zeros(n * S)}, x0, keys)
        final = pilot.train_loss[:, -1].reshape(n, S)
        ok = np.all(np.isfinite(final) & (final < pilot.train_loss[:, 0].reshape(n, S)),
                    axis=1)
        lr0 = float(lr0_grid[int(np.argmin(np.where(ok, final.mean(axis=1), np.inf)))])
        c = go(T, {"lr0": np.full(n * S, lr0), "kind": np.repeat(np.arange(n), S)}, x0, keys)
        out[g] = {k: np.asarray(v).reshape((n, S) + np.shape(v)[1:])
                  for k, v in c._asdict().items() if k != "steps"}
        out[g].update(steps=c.steps, lr0=lr0, lr0_grid=lr0_grid, pilot_final=final,
                      lr_curves=np.stack([np.asarray(f(jnp.arange(T)))
                                          for f in _schedules(lr0, T)]))
    return out


def effects(res, gradients) -> list[Effect]:
    label = {"full": "full batch", "mini": "mini-batch"}
    eff = []
    for g in gradients:
        acc = res[g]["test_acc"][:, :, -1]
        for i, name in enumerate(SCHEDULES[1:], start=1):
            eff.append(Effect("4", {"gradient": label[g], "schedule": name}, acc[i] - acc[0],
                              BAND_ACC, "test accuracy"))
    return eff


def figure(res, gradients, path):
    """Left: the schedules; then test accuracy over training per gradient type."""
    label = {"full": "full batch", "mini": "mini-batch"}
    with plots.use_style():
        fig = plots.figure("double", height=2.0)
        axes = fig.subplots(1, 1 + len(gradients), squeeze=False)[0]
        d0 = res[gradients[0]]
        for i, name in enumerate(SCHEDULES):
            axes[0].plot(d0["lr_curves"][i] / d0["lr0"], label=name, marker="", lw=1.0)
        axes[0].set_xlabel("step $k$")
        axes[0].set_ylabel(r"$\alpha_k / \alpha_0$")
        axes[0].legend(loc="upper right", fontsize=6)
        for ax, g in zip(axes[1:], gradients, strict=True):
            d = res[g]
            for i, name in enumerate(SCHEDULES):
                ax.plot(d["steps"], np.nanmean(d["test_acc"][i], axis=0), label=name,
                        markevery=max(1, len(d["steps"]) // 6))
            ax.set_title(rf"{label[g]}, $\alpha_0={d['lr0']:.3g}$")
            ax.set_xlabel("step $k$")
            ax.set_ylabel("test accuracy")
            lo = np.nanmin(np.nanmean(d["test_acc"][:, :, -1], axis=1))
            ax.set_ylim(max(0.0, lo - 0.15), 1.0)
        plots.savefig(fig, path)
    return path
