r"""Study 3: learning-rate schedules, how the regime changes and where runs stall.

Gradient descent with each seed schedule (constant for reference, time-based, step,
exponential, linear warm-up, triangular cyclical) on the one-dimensional quadratic
f = lambda x^2 / 2 (the theory layer's exact setting), Rosenbrock from its classic start
and L2-regularised logistic regression. The estimator names each run's regime and its
number (linear rate, sublinear exponent p, or stall level); on the quadratic the theory
column is :func:`lrtheory.theory.schedule_limit` of the same schedule written as a
formula in k.

Schedule parameters scale with the budget T (data below), so each problem sees the same
shape of schedule: time-based d = 200/T, exponential d = 100/T, step halving every T/200
steps, warm-up over T/40 steps, cyclical between lr0/10 and lr0 with half-period T/80.

Outputs: ``figures/schedules.pdf``, ``tables/schedules.tex``, macros.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator, NullFormatter

import lrtheory as lrt
from lrtheory import plots, schedules, theory
from studies._common import (
    Context,
    Macro,
    Outputs,
    Raw,
    camel,
    ci,
    int_macro,
    macro,
    mean_ci,
    num,
    write_table,
)

# Problems: lr0 is the constant/peak step, T the budget. On the quadratic lr0 * lambda
# = 0.01: the slowest mode of a kappa = 100 problem at lr = 1/L, where a schedule matters.
PROBLEMS = {
    "full": (
        {"key": "Quad", "label": r"quadratic $x^2/2$", "name": "quadratic",
         "params": {"A": [[1.0]], "x0": [1.0]}, "lr0": 0.01, "steps": 3_000},
        {"key": "Rosen", "label": "Rosenbrock", "name": "rosenbrock", "params": {"dim": 2},
         "lr0": 1e-3, "steps": 20_000},
        {"key": "Logistic", "label": "logistic regression", "name": "logistic",
         "params": {}, "lr0": 0.3, "steps": 3_000},
    ),
    "smoke": (
        {"key": "Quad", "label": r"quadratic $x^2/2$", "name": "quadratic",
         "params": {"A": [[1.0]], "x0": [1.0]}, "lr0": 0.05, "steps": 400},
    ),
}

# Each schedule: registry name and parameters as functions of (lr0, T), with the values a
# practitioner would use (final rate lr0/100, a x0.1 step at T/3 and 2T/3, warm-up over
# the first 5 % of the budget, thirty triangular cycles), and the same schedule as a SymPy
# formula in k for the theory layer.
SCHEDULES = (
    ("constant", lambda a, T: schedules.constant(a), lambda a, T: f"{a}"),
    # lr0 / (1 + d k) with d = 99/T: lr0/100 at k = T
    ("time-based", lambda a, T: schedules.time_based(a, 99 / T),
     lambda a, T: f"{a}/(1 + {99 / T}*k)"),
    # x0.1 every T/3 steps (lrtheory.schedules.step: lr0 d^floor((1+k)/r))
    ("step", lambda a, T: schedules.step(a, 0.1, T // 3),
     lambda a, T: f"{a}*(1/10)**floor((1 + k)/{T // 3})"),
    # lr0 exp(-d k) with d = ln(100)/T: lr0/100 at k = T
    ("exponential", lambda a, T: schedules.exponential(a, math.log(100) / T),
     lambda a, T: f"{a}*exp(-log(100)*k/{T})"),
    # linear warm-up from 1 % of lr0 over T/20 steps (a zero first step is rejected as a
    # learning rate), then constant: the theory takes the head as exact factors
    ("warm-up", lambda a, T: schedules.warmup(schedules.constant(a), T // 20, start=0.01),
     lambda a, T: f"{a}*Min(1, 0.01 + 0.99*k/{T // 20})"),
    # Smith's triangular rule between lr0/10 and lr0 with half-period s = T/60 (thirty
    # cycles); the theory is the product over one cycle (theory.schedule_limit; its cost
    # grows quickly with the period, 2s = 100 steps on the quadratic)
    ("cyclical", lambda a, T: schedules.triangular(a / 10, a, T // 60),
     lambda a, T: (f"{a / 10} + {a - a / 10}*Max(0, 1 - Abs(k/{T // 60} "
                   f"- 2*floor(1 + k/{2 * (T // 60)}) + 1))")),
)

# Stochastic gradients: SGD with a constant step on mini-batch least squares settles at a
# noise floor; theory.sgd_noise_floor gives it from the Hessian and the covariance of the
# mini-batch gradient at x* (first order in the noise). lr in units of 1/L.
SGD = {
    "full": {"problem": {"n_train": 300, "batch_size": 32}, "lr_times_L": (0.25, 0.5, 1.0),
             "settle": 20.0, "seeds": 6},
    "smoke": {"problem": {"n_train": 100, "batch_size": 16}, "lr_times_L": (1.0,),
              "settle": 4.0, "seeds": 3},
}

GRID = {size: {"problems": PROBLEMS[size], "schedules": [s[0] for s in SCHEDULES],
               "sgd": SGD[size]} for size in ("full", "smoke")}


def minibatch_noise(p, batch_size: int) -> np.ndarray:
    r"""Covariance of the mini-batch gradient at :math:`x^\star` of least squares
    :math:`f = \|Xw - y\|^2/(2n)`, batches of ``b`` rows drawn without replacement:
    :math:`\Sigma = \frac{n-b}{b(n-1)}\,\frac1n\sum_i g_i g_i^\top` with per-example
    gradients :math:`g_i = x_i(x_i^\top w^\star - y_i)` (their mean is 0 at the minimiser)."""
    X, y = np.asarray(p.data["X"], float), np.asarray(p.data["y"], float)
    n, b = X.shape[0], int(batch_size)
    g = X * (X @ np.asarray(p.x_star, float) - y)[:, None]
    S = g.T @ g / n
    return S * (n - b) / (b * (n - 1))


def compute_sgd(cfg):
    """Constant-step SGD from x* at a few lr: the mean of ||e_k||^2 over the second half of
    T_lr = settle / (2 lr mu) steps (the slowest mode's variance fills up like
    1 - (1 - lr mu)^(2k)), per seed, beside theory.sgd_noise_floor; and an exponential
    decay from the largest rate to 1/100 of it over that rate's budget. All runs of one
    kind are one compiled program (:func:`lrtheory.run.batched`), seeds as PRNG keys."""
    import jax
    import jax.numpy as jnp

    from lrtheory.run import batched

    p = lrt.problems.get("least_squares", **cfg["problem"])
    c = theory.curvature(p)
    Sigma = minibatch_noise(p, cfg["problem"]["batch_size"])
    A, x_star = np.asarray(p.data["A"], float), np.asarray(p.x_star, float)
    lrL = np.asarray(cfg["lr_times_L"], float)
    steps = [int(math.ceil(cfg["settle"] / (2 * a / c.L * c.mu))) for a in lrL]
    S = cfg["seeds"]
    hyper = {"lr": jnp.asarray(np.repeat(lrL / c.L, S))}
    x0 = jnp.asarray(np.tile(x_star, (lrL.size * S, 1)))
    keys = jnp.stack([jax.random.key(s) for s in range(S)] * lrL.size)
    run = batched(lambda lr: lrt.methods.get("gd", lr=lr), p, max(steps), stochastic=True)
    e2 = np.asarray(run(hyper, x0, keys).dist, float).reshape(lrL.size, S, -1) ** 2
    rows = []
    for i, a in enumerate(lrL):
        T = steps[i]
        fl = theory.sgd_noise_floor(A, lr=a / c.L, Sigma=Sigma)
        rows.append({"lrL": float(a), "lr": float(a / c.L), "steps": T,
                     "tail": e2[i, :, T // 2:T + 1].mean(axis=1), "floor": fl.dist_sq,
                     "rate": fl.rate, "curve": e2[i, :, :T + 1].mean(axis=0)})
    i = int(np.argmax(lrL))
    a, T = float(lrL[i]), steps[i]
    d = math.log(100) / T
    run = batched(lambda lr: lrt.methods.get("gd", lr=schedules.exponential(lr, d)), p, T,
                  stochastic=True)
    dec = np.asarray(run({"lr": jnp.full(S, a / c.L)}, x0[:S], keys[:S]).dist, float) ** 2
    return {"rows": rows, "decay": {"lrL": a, "curve": dec.mean(axis=0), "tail": dec[:, -1]},
            "L": c.L, "mu": c.mu, "n": int(p.params["n_train"]),
            "b": int(cfg["problem"]["batch_size"])}


def _theory(formula, lam, x0):
    """schedule_limit, or the reason it has no answer (kept as text in the table)."""
    if formula is None:
        return None, "no limit in k"
    try:
        return theory.schedule_limit(formula, lam=lam, x0=x0), ""
    except (ValueError, TypeError, NotImplementedError) as e:
        return None, f"{type(e).__name__}"


def _number(est):
    """The estimate's number for its regime."""
    return {"linear": est.rate, "sublinear": est.p, "stalled": est.limit,
            "superlinear": est.q, "diverged": est.growth}.get(est.regime)


def _theory_number(lim):
    if lim is None:
        return None
    return {"linear": lim.rate, "sublinear": lim.p, "stalled": lim.limit}.get(lim.regime)


def compute(grid):
    out = []
    for spec in grid["problems"]:
        p = lrt.problems.get(spec["name"], **spec["params"])
        a, T = spec["lr0"], spec["steps"]
        for label, build, formula in SCHEDULES:
            sched = build(a, T)
            traj = lrt.run(lrt.methods.get("gd", lr=sched), p, steps=T)
            err, measure = traj.error()
            est = lrt.estimate_order(traj)
            lim, why = (None, "")
            if spec["name"] == "quadratic":
                lim, why = _theory(None if formula is None else formula(a, T),
                                   lam=float(p.data["eigenvalues"][0]),
                                   x0=float(abs(np.asarray(p.x0)[0])))
            out.append({"key": spec["key"], "label": spec["label"], "schedule": label,
                        "lrs": np.asarray(sched(np.arange(T))), "errors": err,
                        "measure": measure, "est": est, "theory": lim, "why": why})
    return {"runs": out, "sgd": compute_sgd(grid["sgd"])}


def _figure(results, sgd, path):
    probs = list(dict.fromkeys(r["key"] for r in results))
    with plots.use_style():
        fig = plots.figure("double", height=4.2)
        axes = fig.subplots(2, 3).ravel()
        first = [r for r in results if r["key"] == probs[0]]
        lr0 = max(first[0]["lrs"])
        plots.schedules([(r["schedule"], r["lrs"] / lr0) for r in first],
                        steps=len(first[0]["lrs"]), ax=axes[0], log=True, legend=False)
        axes[0].set_ylabel(r"$\alpha_k/\alpha_0$")
        axes[0].set_ylim(3e-3, 2)
        axes[0].set_title(f"schedules (budget {len(first[0]['lrs']):,} steps)", fontsize=8)
        for ax, key in zip(axes[1:4], probs, strict=False):
            rs = [r for r in results if r["key"] == key]
            for j, r in enumerate(rs):
                e = np.asarray(r["errors"], float)
                k = np.arange(e.size)
                stride = max(1, e.size // 8)
                ax.plot(k, e, color=f"C{j}", ls=plots.CYCLE.by_key()["linestyle"][j],
                        marker=plots.CYCLE.by_key()["marker"][j],
                        markevery=(j * stride // len(rs), stride), label=r["schedule"])
                lim = r["theory"]
                if lim is not None and lim.regime == "stalled":
                    ax.axhline(lim.limit, color=f"C{j}", lw=0.6, ls=(0, (1, 1)), marker="")
            ax.set_yscale("log")
            errs = [np.asarray(r["errors"], float) for r in rs]
            floor = max(min(np.min(e[e > 0]) for e in errs), 1e-16)
            ax.set_ylim(floor / 3, 3 * max(np.max(e) for e in errs))
            ax.set_xlabel("step $k$")
            ax.set_ylabel(r"$\|x_k - x^\star\|$")
            ax.set_title(rs[0]["label"], fontsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(3))
        for ax in axes[1 + len(probs):4]:  # fewer problems (smoke grid): no empty frames
            ax.set_axis_off()
        ax = axes[4]  # SGD: mean squared error over seeds, floors from theory
        for j, r in enumerate(sgd["rows"]):
            ax.plot(np.arange(r["curve"].size), r["curve"], color=f"C{j + 1}", marker="",
                    label=rf"constant, $\alpha L={r['lrL']:g}$")
            ax.axhline(r["floor"], color=f"C{j + 1}", lw=0.8, ls=(0, (1, 1)), marker="")
        d = sgd["decay"]
        ax.plot(np.arange(d["curve"].size), d["curve"], color="0.3", ls="--", marker="",
                label=rf"exponential from $\alpha L={d['lrL']:g}$")
        ax.set_yscale("log")
        ax.set_xlabel("step $k$")
        ax.set_ylabel(r"$\mathrm{E}\|x_k - x^\star\|^2$")
        ax.set_title("SGD, least squares (mini-batch)", fontsize=8)
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax = axes[5]  # measured floor against theory
        x = np.array([r["floor"] for r in sgd["rows"]])
        m = np.array([mean_ci(r["tail"]) for r in sgd["rows"]])
        ax.errorbar(x, m[:, 0], yerr=np.nan_to_num(np.abs(m[:, 1:] - m[:, :1]).T),
                    ls="none", marker="o", capsize=2, color="C0", label="measured")
        lim = [x.min() / 2, x.max() * 2]
        ax.plot(lim, lim, color="0.5", ls="-", marker="", lw=0.8, label="theory = measured")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("noise floor, theory")
        ax.set_ylabel("tail mean, measured")
        ax.set_title("SGD noise floor", fontsize=8)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        h0, l0 = axes[1].get_legend_handles_labels()
        h4, l4 = axes[4].get_legend_handles_labels()
        fig.legend(h0 + h4, l0 + l4, loc="outside lower center", ncol=5, fontsize=7)
        plots.savefig(fig, path)
    return path


STALL_RTOL = 0.10  # final error vs the k -> inf level: the steps after T still move it


def _verdict(est, lim, e_final):
    """theory.compare on the quadratic: the regime and its number (rate on the log scale,
    p relatively, 5 %). A schedule with a finite sum of steps stalls only as k -> inf;
    within the budget the run is still moving, so the final error e_T is compared with the
    predicted level (relative STALL_RTOL: the steps after T move it by
    exp(lambda sum_{k>=T} alpha_k), a few per cent for these schedules)."""
    if lim.regime == "stalled" and np.isfinite(lim.limit):
        return theory.compare(float(e_final), lim, rtol=STALL_RTOL, field="limit").verdict.value
    field = {"linear": "rate", "sublinear": "p"}.get(lim.regime)
    if field is None or _theory_number(lim) is None:
        return "agrees" if est.regime == lim.regime else "disagrees"
    return theory.compare(est, lim, rtol=0.05, field=field).verdict.value


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    data = ctx.cached(grid, lambda: compute(grid))
    results, sgd = data["runs"], data["sgd"]
    rows, macros, groups = [], {}, []
    n_agree = n_theory = 0
    last = None
    for r in results:
        if r["key"] != last:
            groups.append(len(rows))
            last = r["key"]
        est, lim = r["est"], r["theory"]
        meas = _number(est)
        th = _theory_number(lim)
        if r["key"] == "Quad":
            if lim is not None:
                n_theory += 1
                e_final = float(np.asarray(r["errors"], float)[-1])
                verdict = _verdict(est, lim, e_final)
                if lim.regime == "stalled":  # the measured number is e_T (see _verdict)
                    meas = e_final
                n_agree += verdict == "agrees"
            else:
                verdict = "--"
            tcell = [lim.regime if lim else f"n/a ({r['why']})",
                     num(th) if th is not None else "--", verdict]
        else:
            tcell = ["--", "--", "--"]
        rows.append([Raw(r["label"]) if len(rows) in groups else "", r["schedule"],
                     est.regime, num(meas, 4) if meas is not None else "--", *tcell])
        name = camel("Sched", r["key"], r["schedule"])
        if meas is not None:
            macros[name + "Meas"] = macro(meas, 4)
        if th is not None:
            macros[name + "Theory"] = macro(th, 3)
    macros["SchedAgree"] = int_macro(n_agree)
    macros["SchedStallRtol"] = macro(STALL_RTOL, 2)
    macros["SchedTheoryRows"] = int_macro(n_theory)
    q = grid["problems"][0]
    macros["SchedQuadLrZero"] = macro(q["lr0"], 2)
    macros["SchedQuadSteps"] = int_macro(q["steps"])
    header = ["problem", "schedule", "regime", Raw("rate / $p$ / level"), "theory regime",
              "theory value", "verdict"]
    table = write_table(ctx.table(), rows, header, "lllrlrl", groups=groups)
    # SGD noise floor table: measured tail mean of ||e||^2 beside the formula
    srows, ratios = [], []
    for r in sgd["rows"]:
        m, lo, hi = mean_ci(r["tail"])
        ratios.append(m / r["floor"])
        srows.append([num(r["lrL"], 2), num(r["lr"], 3), f"{r['steps']:,}", Raw(ci(m, lo, hi, 3)),
                      num(r["floor"], 3), num(m / r["floor"], 3), num(r["rate"], 4)])
        k = camel("Sched", "Sgd", num(r["lrL"], 2).replace(".", "p"))
        macros[k + "Meas"] = macro(m, 3)
        macros[k + "Floor"] = macro(r["floor"], 3)
    d = sgd["decay"]
    macros["SchedSgdDecayFinal"] = macro(float(np.mean(d["tail"])), 3)
    macros["SchedSgdDecayLrL"] = macro(d["lrL"], 2)
    macros["SchedSgdRatioLo"] = macro(min(ratios), 3)
    macros["SchedSgdRatioHi"] = macro(max(ratios), 3)
    macros["SchedSgdN"] = int_macro(sgd["n"])
    macros["SchedSgdBatch"] = int_macro(sgd["b"])
    macros["SchedSgdSeeds"] = int_macro(grid["sgd"]["seeds"])
    macros["SchedSgdSettle"] = macro(grid["sgd"]["settle"], 2)
    macros["SchedSgdKappa"] = macro(sgd["L"] / sgd["mu"], 3)
    macros["SchedSgdAgreeWords"] = Macro(None, (
        "agree with it within 10\\,\\%" if all(abs(x - 1) <= 0.10 for x in ratios)
        else "differ from it by up to a factor " + num(max(max(ratios), 1 / min(ratios)), 2)))
    sheader = [Raw(r"$\alpha L$"), Raw(r"$\alpha$"), Raw("$T$"),
               Raw(r"measured $\overline{\|e\|^2}$ [95\% CI]"), "theory", "ratio",
               Raw(r"rate $\rho$")]
    table2 = write_table(ctx.table("-sgd"), srows, sheader, "rrrrrrr")
    fig = _figure(results, sgd, ctx.figure())
    return ctx.finish([fig], [table, table2], macros)
