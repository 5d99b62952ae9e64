r"""Claim 2: "a low learning rate gets stuck in local minima; a higher one, or momentum,
rolls over the bumps".

Gradient descent and heavy ball (:math:`\beta \in \{0, 0.5, 0.9\}`) from random starts,
uniform on a box holding a few dozen basins (``box`` of the grid; the usual benchmark
boxes hold so many that almost no start reaches the global minimum), on Rastrigin (2-D), Ackley, a
tilted double well and Himmelblau, over learning rates in units of :math:`2/L`, with
:math:`L` the largest Hessian eigenvalue at the global minimiser (Ackley's global minimum
is a cone, so its :math:`L` is taken at the local minimiser next to :math:`(1, 0)`, found
by Newton's method). A run *succeeds* when its last iterate lies within
:data:`RADIUS` of a global minimiser (Himmelblau has four); the nearest non-global
minimiser of every problem is at least 0.9 away.

Effects (per seed = the success fraction over its random starts; all arms share the
starts), a 2 x 2 design in :math:`\alpha \in \{0.02, 0.9\} \cdot 2/L` and
:math:`\beta \in \{0, 0.9\}`: *higher lr* -- plain GD at the high minus the low rate;
*momentum, low lr* and *momentum, high lr* -- heavy ball minus plain GD at that rate.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import methods, plots

from .common import dist_to_set, keys_for, landmarks, run_reduced, starts
from .verdict import Effect

RADIUS = 0.25
BAND = 0.05


def setup(spec) -> tuple:
    """The problem, its global minimisers (rows) and its GD landmarks."""
    p = lrt.problems.get(spec["name"], **spec.get("params", {}))
    if spec.get("scale_at") is None:
        x_ref = np.asarray(p.x_star, float)
    else:  # Newton's method from the given point lands on the nearby local minimiser
        t = lrt.run(methods.get("newton"), p, 30, x0=spec["scale_at"], keep_x=True)
        x_ref = np.asarray(t.x[-1], float)
    ev = np.linalg.eigvalsh(np.asarray(p.hess(jnp.asarray(x_ref))))
    minima = np.asarray(p.data.get("minima", p.x_star), float).reshape(-1, p.dim)
    if "f_minima" in p.data:  # the double well lists its local minimum too: keep the global
        minima = minima[:1]
    return p, minima, landmarks(ev)


def box_starts(spec, dim, keys) -> np.ndarray:
    """Uniform starts on the box ``spec["box"] = (lo, hi)`` in every coordinate."""
    lo, hi = spec["box"]
    return starts(lambda k: jax.random.uniform(k, (dim,), minval=lo, maxval=hi), keys)


def success_reducer(minima, radius=RADIUS):
    """``traj -> {"success", "diverged", "first_low"}`` on the device."""
    def reduce(t, h):
        x_T = t.x[:, -1]
        div = t.diverged_at >= 0
        return {"success": (dist_to_set(x_T, minima) <= radius) & ~div, "diverged": div}

    return reduce


def compute(grid) -> dict:
    out = {}
    seeds = list(range(grid["seeds"]))
    ratios, betas = np.asarray(grid["ratios"], float), np.asarray(grid["betas"], float)
    for spec in grid["problems"]:
        p, minima, lm = setup(spec)
        ks, _ = keys_for(seeds, grid["starts"])
        x0 = box_starts(spec, p.dim, ks).reshape(-1, p.dim)         # (S * n0, dim)
        R, B, n = ratios.size, betas.size, x0.shape[0]
        lr = np.repeat(np.repeat(ratios * lm["lr_max"], B), n)
        beta = np.repeat(np.tile(betas, R), n)
        r = run_reduced(lambda lr, beta: methods.get("momentum", lr=lr, beta=beta), p,
                        grid["steps"], {"lr": lr, "beta": beta}, np.tile(x0, (R * B, 1)),
                        reducer=success_reducer(minima), keep_x=True,
                        record_every="final")
        shape = (R, B, len(seeds), grid["starts"])
        lmax = [float(np.linalg.eigvalsh(np.asarray(p.hess(jnp.asarray(m)))).max())
                for m in minima]
        out[spec["key"]] = {"label": spec["label"], "landmarks": lm, "ratios": ratios,
                            "lmax_minima": np.asarray(lmax),
                            "betas": betas, "success": r["success"].reshape(shape),
                            "diverged": r["diverged"].reshape(shape)}
    return out


def _index(values, v):
    i = np.flatnonzero(np.isclose(values, v))
    if i.size == 0:
        raise ValueError(f"{v} is not on the grid {values.tolist()}")
    return int(i[0])


def effects(res, low, high, beta) -> list[Effect]:
    eff = []
    for key, d in res.items():
        s = d["success"].mean(axis=-1)                               # (R, B, S)
        il, ih = _index(d["ratios"], low), _index(d["ratios"], high)
        b0, b1 = _index(d["betas"], 0.0), _index(d["betas"], beta)
        arms = {"higher lr": s[ih, b0] - s[il, b0],
                "momentum, low lr": s[il, b1] - s[il, b0],
                "momentum, high lr": s[ih, b1] - s[ih, b0]}
        for arm, v in arms.items():
            eff.append(Effect("2", {"problem": key, "arm": arm}, v, BAND, "success fraction",
                              resolution=1.0 / d["success"].shape[-1]))
    return eff


def figure(res, path):
    """Success fraction (mean over seeds, 95 % t-band) against lr/(2/L), one line per beta."""
    from studies._common import mean_ci

    keys = list(res)
    with plots.use_style():
        fig = plots.figure("double", height=2.0)
        axes = fig.subplots(1, len(keys), squeeze=False, sharey=True)[0]
        for ax, key in zip(axes, keys, strict=True):
            d = res[key]
            s = d["success"].mean(axis=-1)
            for j, b in enumerate(d["betas"]):
                m = np.array([mean_ci(s[i, j]) for i in range(s.shape[0])])
                line, = ax.plot(d["ratios"], m[:, 0], label=rf"$\beta={b:g}$")
                ax.fill_between(d["ratios"], m[:, 1], m[:, 2], color=line.get_color(),
                                alpha=0.15, lw=0)
            ax.axvline(1.0, color="k", ls="--", lw=0.8, marker="")
            ax.set_xscale("log")
            ax.set_title(d["label"])
            ax.set_xlabel(r"$\alpha \,/\, (2/L)$")
            ax.set_ylim(-0.02, 1.02)
        axes[0].set_ylabel("runs ending at a global min.")
        axes[0].legend(loc="upper left")
        plots.savefig(fig, path)
    return path


def numbers(res, low, high) -> dict[str, float]:
    """Success of plain GD at the low rate per problem (the baseline every arm moves),
    and how many global minimisers are unstable for GD at the high rate
    (largest Hessian eigenvalue above 2/alpha)."""
    out = {}
    for key, d in res.items():
        s = d["success"].mean(axis=-1)
        out[f"{key}Base"] = float(s[_index(d["ratios"], low), _index(d["betas"], 0.0)].mean())
        alpha = high * d["landmarks"]["lr_max"]
        out[f"{key}Minima"] = float(d["lmax_minima"].size)
        out[f"{key}UnstableAtHigh"] = float(np.sum(d["lmax_minima"] > 2 / alpha))
    return out
