"""Benchmarks of lrtheory's sweep engine against the usual ways of sweeping learning rates.

Run from the repository root::

    python -m benchmarks.run            # full run (a few minutes on 2 CPU cores)
    python -m benchmarks.run --quick    # small smoke run (structure only; seconds)
    python -m benchmarks.run --gpu-only # only the JAX measurements (on the JAX device)

Everything is measured in one run on one machine and written to
``benchmarks/results/latest.json`` and ``benchmarks/results/table.md`` (``--out`` to
write elsewhere). Headline: quadratic d = 100 (kappa = 100), Adam, 4096 log-spaced
learning rates, 1000 steps, float32; compile time is reported apart. Times are the best
of a few repetitions (least disturbed by other load). The device is whatever JAX sees.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import jax
import numpy as np

import lrtheory as lrt
from lrtheory.problems import get as get_problem
from lrtheory.problems import quadratic
from lrtheory.sweep import logspace, sweep
from lrtheory.sweep._engine import plan_groups
from lrtheory.sweep._group import precision
from lrtheory.sweep._inputs import method_specs, schedule_specs

from . import baselines as bl

RESULTS = Path(__file__).resolve().parent / "results"
FULL = dict(n=4096, steps=1000, dim=100, subset=8, reps=3, rosen_dims=[2, 100], e2e=True)
# --quick: the end-to-end sweep() (a second compilation) only for the headline
QUICK = dict(n=16, steps=20, dim=4, subset=2, reps=1, rosen_dims=[2], e2e=False)


def lrtheory_task(problem, method, lrs, steps, dtype, reps, e2e=True, rows_out=None,
                  between=None) -> dict:
    """Compile, run (the compiled program + copy to host), estimator/table and end-to-end
    ``sweep()`` seconds for one (problem, method) group in one chunk (its table rows are
    appended to ``rows_out`` when given). ``between()`` (a competitor, returning
    ``(seconds, result)``) runs after each repetition, so that both see the same load;
    its best is returned under ``"between"``."""
    g = plan_groups([problem], method_specs(method, None), schedule_specs(None), lrs,
                    np.arange(1), x0="default", steps=steps, dtype=dtype, stochastic=False,
                    measure="auto", tol=1e-6, blowup=1e8, keep=False, chunk_size=len(lrs),
                    memory_budget=1 << 40, version=lrt.__version__)[0]
    t0 = time.perf_counter()
    fn = g.compiled()
    compile_s = time.perf_counter() - t0
    inputs = g.inputs(0, g.n)
    with precision(dtype):
        jax.device_get(fn(*inputs))
    times, other = [], []
    for _ in range(reps):
        with precision(dtype):
            times.append(bl.best_of(lambda: jax.device_get(fn(*inputs)), 1))
        if between is not None:
            other.append(between())
    run_s = min(times)
    t0 = time.perf_counter()
    rows = g.compute(0, g.n).rows
    if rows_out is not None:
        rows_out.append(rows)
    table_s = max(time.perf_counter() - t0 - run_s, 0.0)
    out = {"compile_s": compile_s, "run_s": run_s, "estimate_table_s": table_s,
           "runs": g.n, "steps": steps, "dtype": dtype,
           "diverged": int((rows.status == "diverged").sum()),
           "dot_ops_in_program": len(re.findall(r"\bdot\(|cublas.*gemm", fn.as_text()))}
    if e2e:
        t0 = time.perf_counter()
        sweep(method, problem, lrs, steps=steps, dtype=dtype, progress=False)
        out["sweep_end_to_end_s"] = time.perf_counter() - t0
    if other:
        out["between"] = min(other, key=lambda r: r[0])
    return out


def measure(cfg: dict, gpu_only: bool, log) -> dict:
    n, T, d, k = cfg["n"], cfg["steps"], cfg["dim"], cfg["subset"]
    p = quadratic(dim=d, cond=100.0, seed=0)
    A, b, xs, x0 = p.data["A"], p.data["b"], p.x_star, p.x0
    lrs = logspace(1e-4, 1.0, n)
    sub = lrs[np.linspace(0, n - 1, k).astype(int)]
    res: dict = {}
    rows: list = []

    def numpy_adam():
        return bl.numpy_sweep(A, b, xs, x0, lrs, T, np.float32, "adam")

    def numpy_gd():
        return bl.numpy_sweep(A, b, xs, x0, lrs, T, np.float32, "gd")

    # The CPU baselines that compete with the headline alternate with its repetitions.
    log("lrtheory headline (float32)" + ("" if gpu_only else ", alternating with NumPy Adam"))
    res["lrtheory_f32"] = lrtheory_task(p, "adam", lrs, T, "float32", cfg["reps"],
                                        rows_out=rows, between=None if gpu_only else numpy_adam)
    numpy_best = {"adam": res["lrtheory_f32"].pop("between", None)}
    log("lrtheory headline (float64)")
    res["lrtheory_f64"] = lrtheory_task(p, "adam", lrs, T, "float64", cfg["reps"],
                                        e2e=cfg["e2e"])
    for batched in (False, True):
        name = "jax_minimal_batched_gemm" if batched else "jax_minimal_vmap_matvec"
        log(name)
        c, r = bl.jax_minimal(A, b, xs, x0, lrs, T, "float32", batched_gemm=batched)
        res[name] = {"compile_s": c, "run_s": r, "runs": n, "steps": T}
    log("matmul ceiling")
    res["matmul_gflops"] = {dt: bl.matmul_ceiling(n, d, dt) for dt in ("float32", "float64")}
    if not gpu_only:
        idx = np.linspace(0, n - 1, k).astype(int)
        finals = {"lrtheory": rows[0].final_error.to_numpy(float, na_value=np.nan)[idx]}
        log("lrtheory GD (float32), alternating with NumPy GD")
        res["lrtheory_gd_f32"] = lrtheory_task(p, "gd", lrs, T, "float32", cfg["reps"],
                                               e2e=False, between=numpy_gd)
        numpy_best["gd"] = res["lrtheory_gd_f32"].pop("between")
        for meth, (t, _) in numpy_best.items():
            res[f"numpy_{meth}_f32"] = {"run_s": t, "runs": n, "steps": T,
                                        "note": "best of the repetitions, alternating"}
        finals["numpy"] = numpy_best["adam"][1][-1, idx]
        log("optax loop")
        t, dist = bl.optax_loop(A, b, xs, x0, sub, T, "float32")
        finals["optax_loop"] = dist[-1]
        res["optax_loop_f32"] = {"run_s": t * n / k, "measured_s": t, "measured_runs": k,
                                 "runs": n, "steps": T, "scaled": True}
        log("torch loop")
        tt = bl.torch_loop(A, b, xs, x0, sub, T, "float32")
        if tt is not None:
            import torch

            res["torch_loop_f32"] = {"run_s": tt[0] * n / k, "measured_s": tt[0],
                                     "measured_runs": k, "runs": n, "steps": T,
                                     "scaled": True, "torch": torch.__version__,
                                     "threads": torch.get_num_threads()}
            finals["torch_loop"] = tt[1][-1]
        # Same iteration, same start: final distances agree to float32 rounding (relative
        # spread recorded). Only lr <= 1e-2: above it float32 Adam ends on a noisy floor
        # where rounding differences between implementations grow without bound.
        ok = np.all([np.isfinite(v) for v in finals.values()], axis=0) & (sub <= 1e-2)
        ref = finals["numpy"][ok]
        res["agreement_final_dist"] = {
            name: float(np.max(np.abs(v[ok] - ref) / np.maximum(ref, 1e-30), initial=0.0))
            for name, v in finals.items() if name != "numpy"}
    for dim in cfg["rosen_dims"]:
        prob = get_problem("rosenbrock", dim=dim)
        for meth in ("gd", "adam"):
            log(f"rosenbrock d={dim} {meth}")
            res[f"rosenbrock{dim}_{meth}_f64"] = lrtheory_task(
                prob, meth, logspace(1e-6, 1e-1, n), T, "float64", cfg["reps"], e2e=cfg["e2e"])
    return res


def ratios(res: dict, n: int, d: int, T: int) -> dict:
    head = res["lrtheory_f32"]["run_s"]
    out = {"float64_over_float32": res["lrtheory_f64"]["run_s"] / head,
           "vs_jax_minimal_vmap": head / res["jax_minimal_vmap_matvec"]["run_s"],
           "batched_gemm_over_vmap_matvec": res["jax_minimal_batched_gemm"]["run_s"]
           / res["jax_minimal_vmap_matvec"]["run_s"]}
    flops = 2.0 * n * d * d * T  # one gradient GEMM per step: the work that must be done
    out["useful_gflops_f32"] = flops / head / 1e9
    out["useful_gflops_f64"] = flops / res["lrtheory_f64"]["run_s"] / 1e9
    out["fraction_of_matmul_f32"] = out["useful_gflops_f32"] / res["matmul_gflops"]["float32"]
    out["fraction_of_matmul_f64"] = out["useful_gflops_f64"] / res["matmul_gflops"]["float64"]
    if "numpy_adam_f32" in res:
        out["over_numpy"] = head / res["numpy_adam_f32"]["run_s"]
        out["faster_than_optax_loop"] = res["optax_loop_f32"]["run_s"] / head
        out["gd_over_numpy_gd"] = res["lrtheory_gd_f32"]["run_s"] / res["numpy_gd_f32"]["run_s"]
    if "torch_loop_f32" in res:
        out["faster_than_torch_loop"] = res["torch_loop_f32"]["run_s"] / head
    return out


TARGETS = {"over_numpy": ("<=", 1.0), "faster_than_optax_loop": (">=", 50.0),
           "faster_than_torch_loop": (">=", 100.0), "float64_over_float32": ("<=", 1.5)}


def verdicts(r: dict) -> dict:
    return {k: {"target": f"{op} {v:g}", "value": r[k],
                "met": bool(r[k] <= v if op == "<=" else r[k] >= v)}
            for k, (op, v) in TARGETS.items() if k in r}


def table_md(info: dict, res: dict, r: dict, v: dict) -> str:
    head = res["lrtheory_f32"]["run_s"]
    n, T, d = info["config"]["n"], info["config"]["steps"], info["config"]["dim"]
    lines = [f"Device: {info['device']} ({info['machine']}); {info['note']}", "",
             f"Quadratic d={d} (kappa=100), {n} log-spaced learning rates x {T} steps, "
             "the distance to x* recorded at every step.", "",
             "| method | seconds | x lrtheory float32 | note |", "|---|---|---|---|"]

    def row(label, key, note=""):
        if key in res:
            s = res[key]["run_s"]
            lines.append(f"| {label} | {s:.3g} | {s / head:.3g} | {note} |")

    f32 = res["lrtheory_f32"]
    row("lrtheory sweep, Adam, float32 (headline)", "lrtheory_f32",
        f"compile {f32['compile_s']:.2g} s apart; estimator + table "
        f"{f32['estimate_table_s']:.2g} s; sweep() end to end {f32['sweep_end_to_end_s']:.3g} s")
    row("lrtheory sweep, Adam, float64", "lrtheory_f64")
    row("minimal jit(vmap(scan)), per-run A @ x", "jax_minimal_vmap_matvec",
        "only dist recorded, no divergence bookkeeping")
    row("minimal scan, batched X @ A", "jax_minimal_batched_gemm", "same, hand-batched")
    row("NumPy, hand-vectorised Adam", "numpy_adam_f32")
    row("lrtheory sweep, GD, float32", "lrtheory_gd_f32")
    row("NumPy, hand-vectorised GD", "numpy_gd_f32")
    for key, label in (("optax_loop_f32", "Python loop around a jitted optax step"),
                       ("torch_loop_f32", "torch.optim loop")):
        if key in res:
            row(label, key, f"timed on {res[key]['measured_runs']} of {n} learning rates, "
                "scaled")
    lines += ["", f"| Rosenbrock, float64, {n} x {T} | compile s | run s | sweep() s |",
              "|---|---|---|---|"]
    for key, val in res.items():
        if key.startswith("rosenbrock"):
            lines.append(f"| {key.removesuffix('_f64').replace('_', ', ')} | "
                         f"{val['compile_s']:.2g} | {val['run_s']:.3g} | "
                         f"{val.get('sweep_end_to_end_s', float('nan')):.3g} |")
    lines += ["", "| target | wanted | reached | met |", "|---|---|---|---|"]
    lines += [f"| {k} | {t['target']} | {t['value']:.3g} | {'yes' if t['met'] else 'no'} |"
              for k, t in v.items()]
    lines += ["", f"Roofline: the headline does {r['useful_gflops_f32']:.3g} useful GFLOP/s "
              f"(one gradient GEMM a step) = {r['fraction_of_matmul_f32']:.2f} of a jitted "
              f"({n}, {d}) @ ({d}, {d}) loop ({res['matmul_gflops']['float32']:.3g} GFLOP/s);"
              f" float64 {r['fraction_of_matmul_f64']:.2f} of "
              f"{res['matmul_gflops']['float64']:.3g}."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--gpu-only", action="store_true",
                    help="only the JAX measurements (skip the NumPy/optax/torch baselines)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="output directory")
    ap.add_argument("--note", default="", help="free text recorded with the results")
    args = ap.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    dev = jax.devices()[0]
    if args.gpu_only and dev.platform == "cpu":
        print("--gpu-only: JAX sees no accelerator; measuring on the CPU", file=sys.stderr)

    def log(msg):
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    res = measure(cfg, args.gpu_only, log)
    r = ratios(res, cfg["n"], cfg["dim"], cfg["steps"])
    v = verdicts(r)
    info = {"device": f"{dev.platform}: {dev.device_kind}", "machine":
            f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
            "jax": jax.__version__, "lrtheory": lrt.__version__, "quick": args.quick,
            "config": cfg, "note": args.note or "timings: best of a few repetitions",
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "load_average": list(os.getloadavg()), "wall_s": time.perf_counter() - t0}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(
        {"info": info, "results": res, "ratios": r, "targets": v}, indent=2) + "\n")
    (args.out / "table.md").write_text(table_md(info, res, r, v))
    print((args.out / "table.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
