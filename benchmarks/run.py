"""Benchmarks of lrtheory's sweep engine against the usual ways of sweeping learning rates.

Run from the repository root::

    python -m benchmarks.run            # full run (a few minutes on 2 CPU cores)
    python -m benchmarks.run --quick    # small smoke run (structure only; seconds)
    python -m benchmarks.run --gpu-only # only the JAX measurements (on the JAX device)

Everything is measured in one run on one machine and written to
``benchmarks/results/latest.json`` and ``benchmarks/results/table.md`` (``--out`` to
write elsewhere). Headline: quadratic d = 100 (kappa = 100), Adam, 4096 log-spaced
learning rates, 1000 steps, float32; compile time is reported apart. Times are the best
of a few rounds (least disturbed by other load); a ratio of two things timed in the same
rounds is the median over the rounds of the ratio within a round, so that a change of the
machine's speed between rounds (35 % within an hour on a shared 2-core host) cancels. The
device is whatever JAX sees.
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
from lrtheory.sweep._table import chunk_frames
from studies.scaling import device_name

from . import baselines as bl
from . import folk_claims

RESULTS = Path(__file__).resolve().parent / "results"
FULL = dict(n=4096, steps=1000, dim=100, subset=8, reps=5, pairs=2, rosen_dims=[2, 100],
            e2e=True)
# --quick: the end-to-end sweep() (a second compilation) only for the headline
QUICK = dict(n=16, steps=20, dim=4, subset=2, reps=1, pairs=1, rosen_dims=[2], e2e=False)


def _group(problem, method, lrs, steps, dtype):
    return plan_groups([problem], method_specs(method, None), schedule_specs(None), lrs,
                       np.arange(1), x0="default", steps=steps, dtype=dtype, stochastic=False,
                       measure="auto", tol=1e-6, blowup=1e8, keep=False, chunk_size=len(lrs),
                       memory_budget=1 << 40, version=lrt.__version__)[0]


class Engine:
    """One (problem, method, dtype) group in one chunk: the compiled sweep program, timed
    apart from its compilation, and the estimator + table on its host outputs."""

    def __init__(self, problem, method, lrs, steps, dtype):
        self.problem, self.method, self.lrs, self.steps, self.dtype = (
            problem, method, lrs, steps, dtype)
        self.g = _group(problem, method, lrs, steps, dtype)
        t0 = time.perf_counter()
        with precision(dtype):
            self.g.traced()
        self.trace_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.fn = self.g.compiled()
        self.compile_s = time.perf_counter() - t0
        self.inputs = self.g.inputs(0, self.g.n)
        self.out = self()  # warm-up (first call allocates)

    def __call__(self):
        with precision(self.dtype):
            out = jax.device_get(self.fn(*self.inputs))
        return {k: np.asarray(v)[: self.g.n] for k, v in out.items()}

    def table(self):
        with precision(self.dtype):
            return chunk_frames(self.g, 0, self.g.n, self.out)[0]

    def sweep(self):
        return sweep(self.method, self.problem, self.lrs, steps=self.steps, dtype=self.dtype,
                     progress=False)


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def paired(times: dict, a: str, b: str) -> dict:
    """The time of ``a`` over the time of ``b`` in each round (each the round's best), and
    their median: the ratio a drift of the machine's speed between rounds leaves alone."""
    per = [min(x) / min(y) for x, y in zip(times[a], times[b], strict=True)]
    return {"median": float(np.median(per)), "rounds": per}


def measure(cfg: dict, gpu_only: bool, log) -> dict:
    """Everything competing for one target is timed in the same rounds, one after the
    other (so each sees the same load); each time is the best of the rounds, and
    ``res["paired"]`` holds the ratios within the rounds (:func:`paired`)."""
    n, T, d, k, R = cfg["n"], cfg["steps"], cfg["dim"], cfg["subset"], cfg["reps"]
    p = quadratic(dim=d, cond=100.0, seed=0)
    A, b, xs, x0 = p.data["A"], p.data["b"], p.x_star, p.x0
    lrs = logspace(1e-4, 1.0, n)
    sub = lrs[np.linspace(0, n - 1, k).astype(int)]
    res: dict = {}

    # One-time process start-up of XLA's CPU backend (LLVM, thread pools) is not the
    # headline's compilation: a tiny sweep pays it first.
    sweep("gd", quadratic(dim=2, cond=2.0, seed=0), [0.1], steps=2, dtype="float32",
          progress=False)
    log("compiling: lrtheory engines (Adam, GD float32; Adam float64) and minimal scans")
    eng = {m: Engine(p, m, lrs, T, "float32") for m in ("adam", "gd")}
    eng64 = Engine(p, "adam", lrs, T, "float64")
    minimal = {m: bl.jax_minimal_fn(A, b, xs, x0, lrs, T, "float32", method=m)
               for m in ("adam", "gd")}
    times: dict = {}      # name -> one list of times per round

    def clock(name, fn):
        t, out = _timed(fn)
        rounds = times.setdefault(name, [])
        if len(rounds) <= r:
            rounds.append([])
        rounds[r].append(t)
        return out

    numpy_dist = {}
    for r in range(R):
        log(f"round {r + 1} of {R}")
        for m in ("adam", "gd"):
            for _ in range(cfg["pairs"]):  # the cheap pair twice a round: more samples
                clock(f"engine_{m}", eng[m])
                clock(f"minimal_{m}", minimal[m][1])
            clock(f"table_{m}", eng[m].table)
            if cfg["e2e"] or m == "adam":
                clock(f"sweep_{m}", eng[m].sweep)
            if not gpu_only:
                numpy_dist[m] = clock(f"numpy_{m}", lambda m=m: bl.numpy_sweep(
                    A, b, xs, x0, lrs, T, np.float32, m)[1])
        clock("engine_adam_f64", eng64)
    best = {key: min(map(min, v)) for key, v in times.items()}
    res["paired"] = {f"{a}/{b}": paired(times, a, b) for a, b in (
        [(f"engine_{m}", f"minimal_{m}") for m in ("adam", "gd")]
        + [(f"table_{m}", f"engine_{m}") for m in ("adam", "gd")]
        + [(f"sweep_{m}", f"numpy_{m}") for m in ("adam", "gd")]
        + [("engine_adam_f64", "engine_adam")]) if a in times and b in times}
    for m in ("adam", "gd"):
        e = eng[m]
        res[f"lrtheory_{m}_f32"] = {
            "trace_s": e.trace_s, "compile_s": e.compile_s, "run_s": best[f"engine_{m}"],
            "estimate_table_s": best[f"table_{m}"],
            "sweep_end_to_end_s": best.get(f"sweep_{m}"), "runs": n, "steps": T,
            "dtype": "float32", "diverged": int((e.out["diverged_at"] >= 0).sum()),
            "dot_ops_in_program": len(re.findall(r"\bdot\(|cublas.*gemm", e.fn.as_text())),
            "all_rounds_s": {key: v for key, v in times.items() if key.endswith(m)}}
        res[f"jax_minimal_{m}_f32"] = {"compile_s": minimal[m][0], "run_s": best[f"minimal_{m}"],
                                       "runs": n, "steps": T}
        if not gpu_only:
            res[f"numpy_{m}_f32"] = {"run_s": best[f"numpy_{m}"], "runs": n, "steps": T}
    res["lrtheory_adam_f64"] = {"trace_s": eng64.trace_s, "compile_s": eng64.compile_s,
                                "run_s": best["engine_adam_f64"], "runs": n, "steps": T}
    log("minimal scan, batched X @ A (Adam)")
    c, r_ = bl.jax_minimal(A, b, xs, x0, lrs, T, "float32", batched_gemm=True)
    res["jax_minimal_batched_gemm"] = {"compile_s": c, "run_s": r_, "runs": n, "steps": T}
    log("matmul ceiling")
    res["matmul_gflops"] = {dt: bl.matmul_ceiling(n, d, dt) for dt in ("float32", "float64")}
    if not gpu_only:
        idx = np.linspace(0, n - 1, k).astype(int)
        fe = eng["adam"].out["final_error"]
        finals = {"lrtheory": np.where(eng["adam"].out["diverged_at"] >= 0, np.nan, fe)[idx],
                  "numpy": numpy_dist["adam"][-1, idx]}
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
            e = Engine(prob, meth, logspace(1e-6, 1e-1, n), T, "float64")
            row = {"compile_s": e.compile_s, "runs": n, "steps": T,
                   "run_s": min(_timed(e)[0] for _ in range(2)),
                   "estimate_table_s": min(_timed(e.table)[0] for _ in range(2))}
            if cfg["e2e"]:
                row["sweep_end_to_end_s"] = _timed(e.sweep)[0]
            res[f"rosenbrock{dim}_{meth}_f64"] = row
    return res


def ratios(res: dict, n: int, d: int, T: int) -> dict:
    """The table's ratios. Where both sides were timed in the same rounds, the median of
    the ratios within the rounds (``res["paired"]``); else the ratio of the best times."""
    head = res["lrtheory_adam_f32"]["run_s"]

    def ratio(a, b, ta, tb):
        pr = res.get("paired", {}).get(f"{a}/{b}")
        return pr["median"] if pr is not None else ta / tb

    out = {"float64_over_float32": ratio("engine_adam_f64", "engine_adam",
                                         res["lrtheory_adam_f64"]["run_s"], head)}
    for m in ("adam", "gd"):
        e = res[f"lrtheory_{m}_f32"]
        out[f"engine_over_minimal_{m}"] = ratio(f"engine_{m}", f"minimal_{m}", e["run_s"],
                                                res[f"jax_minimal_{m}_f32"]["run_s"])
        out[f"estimate_table_over_engine_{m}"] = ratio(f"table_{m}", f"engine_{m}",
                                                       e["estimate_table_s"], e["run_s"])
        out[f"estimate_table_s_per_1000_runs_{m}"] = e["estimate_table_s"] * 1000.0 / n
        if f"numpy_{m}_f32" in res:
            out[f"engine_over_numpy_{m}"] = e["run_s"] / res[f"numpy_{m}_f32"]["run_s"]
            if e.get("sweep_end_to_end_s") is not None:
                out[f"sweep_end_to_end_over_numpy_{m}"] = ratio(
                    f"sweep_{m}", f"numpy_{m}", e["sweep_end_to_end_s"],
                    res[f"numpy_{m}_f32"]["run_s"])
    # "at most 1 s per 1000 runs of 1000 steps anywhere": the worst sweep measured
    out["estimate_table_s_per_1000_runs_max"] = max(
        v["estimate_table_s"] * 1000.0 / v["runs"] * 1000.0 / v["steps"] for v in res.values()
        if isinstance(v, dict) and v.get("estimate_table_s") is not None)
    out["compile_s_headline"] = (res["lrtheory_adam_f32"]["trace_s"]
                                 + res["lrtheory_adam_f32"]["compile_s"])
    out["batched_gemm_over_vmap_matvec"] = (res["jax_minimal_batched_gemm"]["run_s"]
                                            / res["jax_minimal_adam_f32"]["run_s"])
    flops = 2.0 * n * d * d * T  # one gradient GEMM per step: the work that must be done
    out["useful_gflops_f32"] = flops / head / 1e9
    out["useful_gflops_f64"] = flops / res["lrtheory_adam_f64"]["run_s"] / 1e9
    out["fraction_of_matmul_f32"] = out["useful_gflops_f32"] / res["matmul_gflops"]["float32"]
    out["fraction_of_matmul_f64"] = out["useful_gflops_f64"] / res["matmul_gflops"]["float64"]
    # the GEMM loop alone, float64 time / float32 time: the floor of float64_over_float32
    # for an engine whose time is its gradient GEMM
    out["gemm_float64_over_float32"] = (res["matmul_gflops"]["float32"]
                                        / res["matmul_gflops"]["float64"])
    if "optax_loop_f32" in res:
        out["faster_than_optax_loop"] = res["optax_loop_f32"]["run_s"] / head
    if "torch_loop_f32" in res:
        out["faster_than_torch_loop"] = res["torch_loop_f32"]["run_s"] / head
    return out


#: Issue 16's targets (and the older ones still held): ratio name -> (op, wanted, what).
TARGETS = {
    "sweep_end_to_end_over_numpy_adam": ("<=", 1.0, "sweep() end to end (compile, run, "
                                         "estimate, table) / NumPy loop, Adam"),
    "sweep_end_to_end_over_numpy_gd": ("<=", 1.0, "same, GD"),
    "engine_over_minimal_adam": ("<=", 1.5, "engine / minimal jit(vmap(scan)), Adam"),
    "engine_over_minimal_gd": ("<=", 1.5, "engine / minimal jit(vmap(scan)), GD"),
    "estimate_table_over_engine_adam": ("<=", 0.2, "estimator + table / engine, Adam"),
    "estimate_table_over_engine_gd": ("<=", 0.2, "estimator + table / engine, GD"),
    "estimate_table_s_per_1000_runs_adam": ("<=", 1.0, "estimator + table, s per 1000 runs "
                                            "of 1000 steps"),
    "estimate_table_s_per_1000_runs_max": ("<=", 1.0, "same, the slowest sweep measured "
                                           "(headline GD and Adam, Rosenbrock), per 1000 "
                                           "steps"),
    "compile_s_headline": ("<=", 1.0, "trace + compile of the headline program, s (CPU)"),
    "float64_over_float32": ("<=", 1.5, "engine float64 / float32, Adam"),
    "faster_than_optax_loop": (">=", 50.0, "Python loop around a jitted optax step / engine"),
    "faster_than_torch_loop": (">=", 100.0, "torch.optim loop / engine"),
}


def verdicts(r: dict) -> dict:
    return {k: {"target": f"{op} {v:g}", "what": what, "value": r[k],
                "met": bool(r[k] <= v if op == "<=" else r[k] >= v)}
            for k, (op, v, what) in TARGETS.items() if k in r}


GPU_TARGETS = ("headline under 15 ms on one H100/H200; 65,536 learning rates in one call; "
               ">= 0.6 of the GEMM loop")

FOLK_TARGET = ("folk-claims study end to end (cold): with per-step records "
               "(`record_every=1`) and XLA's convolution / as now")


def folk_row(path: Path) -> str:
    """The folk-claims target's row, from ``python -m benchmarks.folk_claims`` (too long
    for this run: two cold runs of the study a pair), or a row saying it was not run."""
    if not path.exists():
        return (f"| {FOLK_TARGET} | >= {folk_claims.TARGET:g} | not measured: "
                "`python -m benchmarks.folk_claims` | not measured |")
    d = json.loads(path.read_text())
    pairs = ", ".join(f"{p['ratio']:.2f}" for p in d["pairs"])
    met = d["ratio_over_sums"] >= folk_claims.TARGET
    return (f"| {FOLK_TARGET} | >= {folk_claims.TARGET:g} | {d['ratio_over_sums']:.2f} over "
            f"the sums of alternated pairs ({pairs}; `benchmarks.folk_claims`, "
            f"{d['date'][:10]}) | {'yes' if met else 'no'} |")


def table_md(info: dict, res: dict, r: dict, v: dict) -> str:
    head = res["lrtheory_adam_f32"]["run_s"]
    n, T, d = info["config"]["n"], info["config"]["steps"], info["config"]["dim"]
    lines = [f"Device: {info['device']} ({info['machine']}); {info['note']}; load average "
             f"at the start {info['load_average'][0]:.2f}", "",
             f"Quadratic d={d} (kappa=100), {n} log-spaced learning rates x {T} steps, "
             "the distance to x* recorded at every step. Each time is the best of "
             f"{info['config']['reps']} rounds in which all competitors of a target ran one "
             "after the other; each ratio of the targets below is the median over those "
             "rounds of the ratio within a round (a change of the machine's speed between "
             "rounds cancels).", "",
             "| method | seconds | x lrtheory Adam float32 | note |", "|---|---|---|---|"]

    def row(label, key, note="", field="run_s"):
        if key in res and res[key].get(field) is not None:
            s = res[key][field]
            lines.append(f"| {label} | {s:.3g} | {s / head:.3g} | {note} |")

    for m, name in (("adam", "Adam"), ("gd", "GD")):
        e = res[f"lrtheory_{m}_f32"]
        row(f"lrtheory engine, {name}, float32", f"lrtheory_{m}_f32",
            f"trace {e['trace_s']:.2g} s + compile {e['compile_s']:.2g} s apart")
        row(f"lrtheory estimator + table, {name}", f"lrtheory_{m}_f32", "host, all runs",
            "estimate_table_s")
        row(f"lrtheory sweep() end to end, {name}", f"lrtheory_{m}_f32",
            "plan + trace + compile + run + estimate + table", "sweep_end_to_end_s")
        row(f"minimal jit(vmap(scan)), {name}, per-run A @ x", f"jax_minimal_{m}_f32",
            "only dist recorded, no divergence bookkeeping")
        row(f"NumPy, hand-vectorised {name}", f"numpy_{m}_f32", "records dist every step")
    row("lrtheory engine, Adam, float64", "lrtheory_adam_f64")
    row("minimal scan, batched X @ A, Adam", "jax_minimal_batched_gemm", "hand-batched")
    for key, label in (("optax_loop_f32", "Python loop around a jitted optax step"),
                       ("torch_loop_f32", "torch.optim loop")):
        if key in res:
            row(label, key, f"timed on {res[key]['measured_runs']} of {n} learning rates, "
                "scaled")
        elif key == "torch_loop_f32":
            lines.append("| torch.optim loop | - | - | not run: torch not installed "
                         "(`make bench` installs the bench extra) |")
    lines += ["", f"| Rosenbrock, float64, {n} x {T} | compile s | run s | estimate + table s"
              " | sweep() s |", "|---|---|---|---|---|"]
    for key, val in res.items():
        if key.startswith("rosenbrock"):
            lines.append(f"| {key.removesuffix('_f64').replace('_', ', ')} | "
                         f"{val['compile_s']:.2g} | {val['run_s']:.3g} | "
                         f"{val['estimate_table_s']:.3g} | "
                         f"{val.get('sweep_end_to_end_s', float('nan')):.3g} |")
    lines += ["", "| target | wanted | reached | met |", "|---|---|---|---|"]
    lines += [f"| {t['what']} (`{k}`) | {t['target']} | {t['value']:.3g} | "
              f"{'yes' if t['met'] else 'no'} |" for k, t in v.items()]
    lines.append(folk_row(RESULTS / "folk_claims.json"))
    gpu = info.get("gpu")
    lines.append(f"| GPU: {GPU_TARGETS} | as stated | "
                 f"{gpu if gpu else 'not rerun: no GPU lent to this session'} | "
                 f"{'see reached' if gpu else 'not measured'} |")
    lines += ["", f"Roofline: the headline does {r['useful_gflops_f32']:.3g} useful GFLOP/s "
              f"(one gradient GEMM a step) = {r['fraction_of_matmul_f32']:.2f} of a jitted "
              f"({n}, {d}) @ ({d}, {d}) loop ({res['matmul_gflops']['float32']:.3g} GFLOP/s);"
              f" float64 {r['fraction_of_matmul_f64']:.2f} of "
              f"{res['matmul_gflops']['float64']:.3g}. The GEMM loop alone takes "
              f"{r['gemm_float64_over_float32']:.3g}x as long in float64 as in float32: the "
              "floor of `float64_over_float32` for an engine whose time is its GEMM."]
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
    info = {"device": device_name(), "machine":
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
