r"""Claim 6: "cyclical learning rates help escape saddle points and local minima".

The triangular cyclical rate of Smith (2017) (:func:`lrtheory.schedules.triangular`)
cycles between :math:`\alpha_0 = 0.02 \cdot 2/L` and :math:`\alpha_{\max} = 0.9 \cdot 2/L`
with half-cycle :math:`s = T/8` (four cycles; the run ends at :math:`\alpha_0`). It is
compared with three constant rates -- its *base* :math:`\alpha_0`, its *mean*
:math:`(\alpha_0 + \alpha_{\max})/2` (the same total step :math:`\sum_k \alpha_k`) and
its *peak* :math:`\alpha_{\max}` -- all written as triangular schedules with
:math:`\alpha_{\max} = \alpha_0`, so every arm is one compiled call.

* Local minima: the success fraction of claim 2 (same problems, boxes, radius).
* Saddle: :math:`f = x^2/2 - y^2/2 + y^4/4`, starts :math:`(u, 10^{-6} v)` with
  :math:`u \sim U[-2, 2]`, :math:`v \sim N(0, 1)`, next to the saddle's stable manifold.
  Escape time: the first :math:`k` with :math:`f(x_k) \le -0.2` (the minima have
  :math:`f = -1/4`), censored at the budget. Near the saddle :math:`|y|` grows by
  :math:`1 + \alpha_k` per step, so a constant rate escapes after about
  :math:`\ln(|y^\ast|/|y_0|)/\ln(1 + \alpha)` steps.

Effects (per seed; arms share starts): *local minima* -- success(cyclical) minus
success(constant); *saddle* -- :math:`\log_{10}` escape steps of the constant rate over
those of the cyclical one (positive: the cyclical rate escapes sooner).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import methods, plots, schedules

from .common import keys_for, landmarks, log_ratio, nanmean_last, run_reduced, starts
from .minima import BAND, box_starts, setup, success_reducer
from .verdict import Effect

ARMS = ("cyclical", "base", "mean", "peak")
SADDLE_LEVEL = -0.2
BAND_LOG = float(np.log10(1.25))


def _arm_rates(lo, hi):
    """(lr0, lr_max) of each arm, in the order of :data:`ARMS`."""
    mean = 0.5 * (lo + hi)
    return np.array([[lo, hi], [lo, lo], [mean, mean], [hi, hi]])


def _factory(s):
    return lambda lr0, lr_max: methods.get(
        "gd", lr=schedules.triangular(lr0=lr0, lr_max=lr_max, s=s))


def _saddle_reducer(t, h):
    below = t.f <= SADDLE_LEVEL
    hit = jnp.any(below, axis=1)
    return {"first": jnp.where(hit, jnp.argmax(below, axis=1), -1),
            "diverged": t.diverged_at >= 0}


def compute(grid) -> dict:
    seeds = list(range(grid["seeds"]))
    T, s = grid["steps"], grid["steps"] / 8
    out = {}
    for spec in grid["problems"]:
        p, minima, lm = setup(spec)
        rates = _arm_rates(*(np.asarray(grid["range"]) * lm["lr_max"]))
        ks, _ = keys_for(seeds, grid["starts"])
        x0 = box_starts(spec, p.dim, ks).reshape(-1, p.dim)
        n, A = x0.shape[0], len(ARMS)
        hyper = {"lr0": np.repeat(rates[:, 0], n), "lr_max": np.repeat(rates[:, 1], n)}
        r = run_reduced(_factory(s), p, T, hyper, np.tile(x0, (A, 1)),
                        reducer=success_reducer(minima), keep_x=True,
                        record_every="final")
        out[spec["key"]] = {"label": spec["label"], "kind": "minima", "landmarks": lm,
                            "rates": rates,
                            "success": r["success"].reshape(A, len(seeds), -1)}
    if grid.get("saddle"):
        p = lrt.problems.saddle()
        lm = landmarks(np.linalg.eigvalsh(np.asarray(p.hess(jnp.asarray(p.x_star)))))
        rates = _arm_rates(*(np.asarray(grid["range"]) * lm["lr_max"]))
        ks, _ = keys_for(seeds, grid["starts"])

        def near_saddle(k):
            ku, kv = jax.random.split(k)
            return jnp.stack([jax.random.uniform(ku, (), minval=-2.0, maxval=2.0),
                              1e-6 * jax.random.normal(kv, ())])

        x0 = starts(near_saddle, ks).reshape(-1, 2)
        n, A = x0.shape[0], len(ARMS)
        hyper = {"lr0": np.repeat(rates[:, 0], n), "lr_max": np.repeat(rates[:, 1], n)}
        r = run_reduced(_factory(s), p, T, hyper, np.tile(x0, (A, 1)),
                        reducer=_saddle_reducer)
        steps = np.where(r["first"] >= 0, r["first"], T).astype(float)
        out["Saddle"] = {"label": "saddle", "kind": "saddle", "landmarks": lm, "rates": rates,
                         "steps": steps.reshape(A, len(seeds), -1), "budget": T,
                         "y0": np.abs(x0[:, 1]).reshape(len(seeds), -1)}
    return out


def effects(res) -> list[Effect]:
    eff = []
    for key, d in res.items():
        for j, base in enumerate(ARMS[1:], start=1):
            setting = {"problem": key, "baseline": f"constant {base}"}
            if d["kind"] == "minima":
                s = d["success"].mean(axis=-1)
                eff.append(Effect("6", setting, s[0] - s[j], BAND, "success fraction",
                                  resolution=1.0 / d["success"].shape[-1]))
            else:
                st, T = d["steps"], d["budget"]
                v = nanmean_last(log_ratio(st[j], st[0], st[j] < T, st[0] < T))
                eff.append(Effect("6", setting, v, BAND_LOG,
                                  r"$\log_{10}$ escape steps, constant over cyclical"))
    return eff


def figure(res, path):
    """Points with 95 % t-intervals over seeds: success fraction (minima; rounding of
    1/starts included) and escape steps (saddle; interval of log10 steps, so it stays
    positive on the log axis) per arm."""
    from studies._common import mean_ci

    keys = list(res)
    with plots.use_style():
        fig = plots.figure("double", height=2.1)
        axes = fig.subplots(1, len(keys), squeeze=False)[0]
        for ax, key in zip(axes, keys, strict=True):
            d = res[key]
            if d["kind"] == "minima":
                vals = d["success"].mean(axis=-1)
                m = np.array([mean_ci(v, resolution=1.0 / d["success"].shape[-1])
                              for v in vals])
            else:
                m = 10 ** np.array([mean_ci(np.log10(v)) for v in d["steps"].mean(axis=-1)])
            x = np.arange(len(ARMS))
            err = np.nan_to_num(np.abs(m[:, 1:] - m[:, :1]).T)
            for i in x:
                ax.errorbar([i], m[i, 0], yerr=err[:, i:i + 1], ls="none", capsize=2,
                            marker="o" if i == 0 else "s", color="C0" if i == 0 else "0.35")
            ax.set_xticks(x, ["cyclical", "base", "mean", "peak"], rotation=45, fontsize=7)
            ax.set_xlim(-0.5, len(ARMS) - 0.5)
            ax.set_title(d["label"], fontsize=8)
            ax.grid(axis="x", visible=False)
            if d["kind"] == "saddle":
                ax.set_yscale("log")
                ax.set_ylabel("steps to escape")
        axes[0].set_ylabel("runs ending at a global min.")
        plots.savefig(fig, path)
    return path


def numbers(res) -> dict[str, float]:
    """Saddle: mean escape steps per arm, and the linearised estimate for the base rate,
    mean of ln(y_esc/|y0|)/ln(1 + alpha_0) with y_esc^2 = 1 - sqrt(0.2) (where
    -y^2/2 + y^4/4 = -0.2)."""
    d = res.get("Saddle")
    if d is None:
        return {}
    out = {f"Saddle{a.capitalize()}Steps": float(d["steps"][i].mean())
           for i, a in enumerate(ARMS)}
    y_esc = np.sqrt(1 - np.sqrt(-SADDLE_LEVEL))
    out["SaddleBaseTheory"] = float(np.mean(np.log(y_esc / d["y0"])
                                            / np.log1p(d["rates"][1, 0])))
    return out
