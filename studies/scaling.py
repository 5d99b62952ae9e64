r"""Study 8: throughput of the sweep engine vs the number of learning rates and vs baselines.

Two measurements on the benchmark's headline task (quadratic, d = 100, kappa = 100, Adam):
(1) a scan over the number of learning rates n, timing the compiled ``jit(vmap(scan))``
program of :func:`lrtheory.run.batched` (compile excluded, best of ``reps``) and
:func:`lrtheory.sweep` end to end (compile, run, estimator and table included);
(2) the baselines measured by ``python -m benchmarks.run`` on one machine, read from
``benchmarks/results/latest.json`` (a Python loop around a jitted optax step, torch.optim,
hand-vectorised NumPy, a minimal JAX scan). Timings depend on the machine; ratios carry.

Outputs: ``figures/scaling.pdf``, ``tables/scaling.tex``, macros.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time

import jax
import jax.numpy as jnp
import numpy as np

import lrtheory as lrt
from lrtheory import plots
from lrtheory.run import batched
from studies._common import (
    REPO,
    Context,
    Macro,
    Outputs,
    Raw,
    int_macro,
    macro,
    num,
    text_macro,
    write_table,
)

GRID = {
    "full": {"dim": 100, "cond": 100.0, "method": "adam", "steps": 1000,
             "ns": (1, 4, 16, 64, 256, 1024, 4096), "reps": 3, "lr_range": (1e-4, 1.0)},
    "smoke": {"dim": 10, "cond": 10.0, "method": "adam", "steps": 50, "ns": (1, 4),
              "reps": 1, "lr_range": (1e-4, 1.0)},
}
BENCH = REPO / "benchmarks" / "results" / "latest.json"
# Baselines of the benchmark file: key, label (all float32, the headline task).
BASELINES = (
    ("lrtheory_f32", "lrtheory sweep engine, float32"),
    ("lrtheory_f64", "lrtheory sweep engine, float64"),
    ("jax_minimal_vmap_matvec", "minimal jit(vmap(scan)), A @ x per run"),
    ("jax_minimal_batched_gemm", "minimal scan, batched X @ A"),
    ("numpy_adam_f32", "NumPy, hand-vectorised"),
    ("optax_loop_f32", "Python loop around a jitted optax step"),
    ("torch_loop_f32", "torch.optim loop"),
)


def _best(fn, reps):
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def compute(grid):
    p = lrt.problems.quadratic(dim=grid["dim"], cond=grid["cond"], seed=0)
    T, out = grid["steps"], []
    fn = batched(lambda lr: lrt.methods.get(grid["method"], lr=lr), p, T)
    for n in grid["ns"]:
        lrs = jnp.asarray(lrt.logspace(*grid["lr_range"], n))
        x0 = jnp.broadcast_to(jnp.asarray(p.x0), (n, p.dim))
        t0 = time.perf_counter()
        jax.block_until_ready(fn({"lr": lrs}, x0, None))  # compiles for this n
        first = time.perf_counter() - t0
        run = _best(lambda lrs=lrs, x0=x0: jax.block_until_ready(fn({"lr": lrs}, x0, None)),
                    grid["reps"])
        t0 = time.perf_counter()
        lrt.sweep(grid["method"], p, lrs=np.asarray(lrs), steps=T, progress=False)
        e2e = time.perf_counter() - t0
        out.append({"n": n, "compile_s": max(first - run, 0.0), "run_s": run,
                    "sweep_s": e2e, "steps": T})
    info = {"device": f"{jax.devices()[0].platform}: {jax.devices()[0].device_kind}",
            "cpus": os.cpu_count(), "machine": platform.machine(),
            "load": list(os.getloadavg())}
    return {"scan": out, "info": info}


def _bench():
    """The benchmark file's results, or None when ``benchmarks.run`` has not been run."""
    if not BENCH.exists():
        return None
    return json.loads(BENCH.read_text())


def _bench_text(bench, m) -> str:
    """The sentence of the paper that quotes the benchmark file (or says it is missing)."""
    if bench is None:
        return ("The benchmark suite has not been run on this machine "
                r"(\code{make bench} writes \code{benchmarks/results/latest.json}); "
                "run it and \\code{make reproduce} again to fill this comparison.")
    L = {k: v.latex for k, v in m.items()}
    return (rf"On {L['ScaleBenchDevice']}, with $n={L['ScaleBenchN']}$ learning rates and "
            rf"{L['ScaleBenchSteps']} steps, the engine's float32 run takes "
            rf"{L['ScaleBenchHead']}~s; a Python loop around a jitted Optax step is slower "
            rf"by a factor {L['ScaleBenchOverOptax']}, a \code{{torch.optim}} loop by "
            rf"{L['ScaleBenchOverTorch']}; the engine takes {L['ScaleBenchOverNumpy']} "
            rf"times as long as hand-vectorised NumPy (which records nothing but the "
            rf"distance and estimates nothing), and float64 costs "
            rf"{L['ScaleBenchFSixtyFour']} times float32 (\cref{{tab:scaling}}).")


def _figure(scan, bench, path):
    ns = np.array([r["n"] for r in scan], float)
    steps = scan[0]["steps"]
    with plots.use_style():
        fig = plots.figure("single", height=2.4)
        ax = fig.add_subplot()
        ax.plot(ns, ns * steps / [r["run_s"] for r in scan], label="compiled program",
                color="C0", ls="-", marker="o")
        ax.plot(ns, ns * steps / [r["sweep_s"] for r in scan], label="sweep() end to end",
                color="C1", ls="--", marker="s")
        if bench is not None:
            res = bench["results"]
            for j, (key, label) in enumerate(BASELINES[4:]):
                if key in res:
                    r = res[key]
                    ax.axhline(r["runs"] * r["steps"] / r["run_s"], color=f"C{j + 2}",
                               ls=":", marker="", lw=0.9, label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("learning rates swept at once, $n$")
        ax.set_ylabel("optimizer steps per second")
        ax.legend(fontsize=5.5)
        plots.savefig(fig, path)
    return path


def run(ctx: Context) -> Outputs:
    grid = ctx.grid(GRID)
    data = ctx.cached(grid, lambda: compute(grid))
    scan, bench = data["scan"], _bench()
    steps = grid["steps"]
    macros = {}
    last = scan[-1]
    thr = [r["n"] * steps / r["run_s"] for r in scan]
    macros["ScaleNMax"] = int_macro(last["n"])
    macros["ScaleSteps"] = int_macro(steps)
    macros["ScaleDim"] = int_macro(grid["dim"])
    macros["ScaleThroughputMax"] = macro(max(thr), 2)
    macros["ScaleThroughputOne"] = macro(thr[0], 2)
    macros["ScaleSpeedup"] = macro(thr[-1] / thr[0], 2)
    macros["ScaleRunMax"] = macro(last["run_s"], 2)
    macros["ScaleSweepMax"] = macro(last["sweep_s"], 2)
    macros["ScaleCompile"] = macro(float(np.median([r["compile_s"] for r in scan])), 2)
    macros["ScaleCpus"] = int_macro(data["info"]["cpus"] or 0)
    rows = []
    if bench is not None:
        res = bench["results"]
        head = res["lrtheory_f32"]["run_s"]
        for key, label in BASELINES:
            if key in res:
                r = res[key]
                rows.append([label, num(r["run_s"], 3), num(r["run_s"] / head, 3),
                             "scaled from a subset" if r.get("scaled") else ""])
        for key, name in (("over_numpy", "OverNumpy"), ("faster_than_optax_loop", "OverOptax"),
                          ("faster_than_torch_loop", "OverTorch"),
                          ("float64_over_float32", "FSixtyFour")):
            macros["ScaleBench" + name] = macro(bench.get("ratios", {}).get(key), 3)
        cfg = bench["info"]["config"]
        macros["ScaleBenchN"] = int_macro(cfg["n"])
        macros["ScaleBenchSteps"] = int_macro(cfg["steps"])
        macros["ScaleBenchHead"] = macro(head, 3)
        device = bench["info"]["device"]
    else:
        rows.append(["benchmarks/results/latest.json missing: run make bench", "--", "--", ""])
        device = "not measured"
        for name in ("OverNumpy", "OverOptax", "OverTorch", "FSixtyFour", "N", "Steps", "Head"):
            macros["ScaleBench" + name] = macro(None)
    macros["ScaleBenchAvailable"] = int_macro(int(bench is not None))
    header = ["method", "seconds", Raw(r"$\times$ lrtheory f32"), "note"]
    table = write_table(ctx.table(), rows, header, "lrrl")
    fig = _figure(scan, bench, ctx.figure())
    macros["ScaleBenchDevice"] = text_macro(device)
    macros["ScaleBenchText"] = Macro(None, _bench_text(bench, macros))
    macros["ScaleDevice"] = text_macro(data["info"]["device"])
    return ctx.finish([fig], [table], macros)
