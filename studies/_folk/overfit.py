r"""Claim 3: "a low learning rate prevents overfitting; a high one underfits".

A one-hidden-layer tanh network (:func:`lrtheory.problems.mlp`) on a training set small
enough to overfit (the rest of the 1797 digits is the test set), trained by gradient
descent (full batch) and by SGD (mini-batches), over a grid of constant learning rates,
with the same budget of steps; seeds draw the initialisation and the mini-batches (the
split is fixed).

A learning rate is *stable* when the final training loss is below the initial one in
every seed; :math:`\alpha_{lo}` is the smallest rate of the grid, :math:`\alpha_{st}` the
largest stable one, :math:`\alpha_{un}` the next rate above it (when the grid has one).

* 3a, overfitting, measured by the generalisation gap (test minus training
  cross-entropy): gap at :math:`\alpha_{st}` minus gap at :math:`\alpha_{lo}`, either
  after the same number of steps, or at equal training loss (the :math:`\alpha_{st}` run
  at its first checkpoint whose training loss is at or below the final training loss of
  the :math:`\alpha_{lo}` run of the same seed).
* 3b, underfitting: final training loss at :math:`\alpha_{st}` (or :math:`\alpha_{un}`)
  minus that at :math:`\alpha_{lo}`.
"""

from __future__ import annotations

import numpy as np

from lrtheory import methods, plots
from lrtheory import problems as P

from .common import keys_for, starts
from .train import train
from .verdict import Effect

BAND_GAP = 0.03    # nats, about a tenth of the gap itself: smaller differences do not matter
BAND_TRAIN = 0.01  # nats of training loss


def _gd(lr, k0):
    return methods.get("gd", lr=lr)


def compute(grid) -> dict:
    p = P.mlp(**grid["net"])
    lrs = np.asarray(grid["lrs"], float)
    S = grid["seeds"]
    ks, kb = keys_for(range(S), 1)
    x0 = starts(p.x0_sampler, ks).reshape(S, -1)
    hyper = {"lr": np.repeat(lrs, S)}
    X = np.tile(x0, (lrs.size, 1))
    keys = np.tile(np.arange(S), lrs.size)
    out = {"lrs": lrs, "seeds": S, "n_train": p.params["n_train"], "dim": p.dim}
    for g in grid["gradients"]:
        c = train(_gd, p, grid["steps"], grid["every"], hyper, X,
                  None if g == "full" else kb.reshape(-1)[keys])
        out[g] = {k: np.asarray(v).reshape((lrs.size, S) + np.shape(v)[1:])
                  for k, v in c._asdict().items() if k != "steps"}
        out[g]["steps"] = c.steps
    return out


def picks(d) -> tuple[int, int, int | None]:
    """Indices of the smallest, the largest stable and the first unstable rate."""
    tr = d["train_loss"]
    stable = np.all(np.isfinite(tr[:, :, -1]) & (tr[:, :, -1] < tr[:, :, 0]), axis=1)
    ist = int(np.flatnonzero(stable).max())
    iun = ist + 1 if ist + 1 < stable.size else None
    return 0, ist, iun


def effects(res, gradients) -> list[Effect]:
    eff = []
    label = {"full": "full batch", "mini": "mini-batch"}
    for g in gradients:
        d = res[g]
        ilo, ist, iun = picks(d)
        gap = d["test_loss"] - d["train_loss"]                           # (L, S, C)
        tr = d["train_loss"]
        level = tr[ilo, :, -1]
        reach = tr[ist] <= level[:, None]
        first = np.where(reach.any(axis=1), reach.argmax(axis=1), -1)
        gap_eq = np.where(first >= 0, gap[ist, np.arange(first.size), first], np.nan)
        eff.append(Effect("3a", {"gradient": label[g], "compared at": "equal steps"},
                          gap[ist, :, -1] - gap[ilo, :, -1], BAND_GAP, "gap (nats)"))
        eff.append(Effect("3a", {"gradient": label[g], "compared at": "equal training loss"},
                          gap_eq - gap[ilo, :, -1], BAND_GAP, "gap (nats)"))
        eff.append(Effect("3b", {"gradient": label[g], "high rate": "largest stable"},
                          tr[ist, :, -1] - tr[ilo, :, -1], BAND_TRAIN, "train loss (nats)"))
        if iun is not None:
            eff.append(Effect("3b", {"gradient": label[g], "high rate": "first unstable"},
                              tr[iun, :, -1] - tr[ilo, :, -1], BAND_TRAIN,
                              "train loss (nats)"))
    return eff


def figure(res, gradients, path):
    """Final train/test loss (top) and test accuracy (bottom) against lr, 95 % t-bands."""
    from studies._common import mean_ci

    label = {"full": "full batch", "mini": "mini-batch"}
    with plots.use_style():
        fig = plots.figure("double", height=3.0)
        axes = fig.subplots(2, len(gradients), squeeze=False, sharex=True)
        for j, g in enumerate(gradients):
            d, lrs = res[g], res["lrs"]
            _, ist, _ = picks(d)
            panels = ((axes[0, j], ("train_loss", "test_loss")), (axes[1, j], ("test_acc",)))
            for ax, keys in panels:
                for k in keys:
                    m = np.array([mean_ci(v) for v in d[k][:, :, -1]])
                    line, = ax.plot(lrs, m[:, 0], label=k.replace("_", " "))
                    ax.fill_between(lrs, m[:, 1], m[:, 2], color=line.get_color(), alpha=0.15,
                                    lw=0)
                ax.axvline(lrs[ist], color="0.4", ls=":", lw=0.8, marker="")
                ax.set_xscale("log")
            axes[0, j].set_yscale("log")
            axes[0, j].set_title(f"{label[g]}, {res['n_train']} training images")
            axes[1, j].set_xlabel(r"learning rate $\alpha$")
        axes[0, 0].set_ylabel("cross-entropy")
        axes[1, 0].set_ylabel("test accuracy")
        axes[0, 0].legend(loc="lower left")
        plots.savefig(fig, path)
    return path


def numbers(res, gradients) -> dict[str, float]:
    """The three rates of the comparisons and final test accuracy / gap at each."""
    out = {}
    for g in gradients:
        d = res[g]
        picked = dict(zip(("Lo", "St", "Un"), picks(d), strict=True))
        for name, i in picked.items():
            if i is None:
                continue
            tag = f"{g.capitalize()}{name}"
            out[f"{tag}Lr"] = float(res["lrs"][i])
            out[f"{tag}TestAcc"] = float(np.nanmean(d["test_acc"][i, :, -1]))
            out[f"{tag}TrainLoss"] = float(np.nanmean(d["train_loss"][i, :, -1]))
            out[f"{tag}Gap"] = float(np.nanmean(d["test_loss"][i, :, -1]
                                                - d["train_loss"][i, :, -1]))
    return out
