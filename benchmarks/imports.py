"""Start-up cost of lrtheory against bare ``import jax, optax``, in fresh interpreters.

Run from the repository root (standalone: it imports nothing of lrtheory itself)::

    python benchmarks/imports.py               # 7 rounds, writes results/imports.{json,md}
    python benchmarks/imports.py --rounds 3 --root /path/to/other/checkout --out /tmp/x

Each round starts one fresh ``python`` per task, in an order that rotates from round to
round, so that every task sees the same background load; the table reports the median
and the minimum wall time over rounds and the difference to the baseline task of the same
rounds. Targets (issue 15): ``lrtheory --help`` and argument errors without JAX;
``import lrtheory`` at most ``import jax, optax`` + 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = "import jax, optax"
TASKS = {
    # name: (argv after the interpreter, what it shows)
    "python": (["-c", "pass"], "interpreter start-up alone"),
    BASELINE: (["-c", "import jax, optax"], "the baseline: JAX and optax"),
    "import lrtheory": (["-c", "import lrtheory"], "the package (lazy names)"),
    "lrtheory --help": (["-m", "lrtheory.cli", "--help"], "the command's help"),
    "argument error": (["-m", "lrtheory.cli", "sweep", "--problem", "quadratic", "--method",
                        "gd", "--lrs", "1:0:3", "--out", "t.csv"], "exit 2 on a bad --lrs"),
    "first run ready": (["-c", "import lrtheory as lrt; lrt.run; lrt.problems; lrt.methods"],
                        "what a first lrt.run(...) imports (JAX layer, SymPy, problems)"),
}


def _time(argv: list[str], root: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, *argv], cwd=root, capture_output=True, check=False)
    return time.perf_counter() - t0, r.returncode


def _imports_jax(argv: list[str], root: Path) -> bool:
    """Whether the task imports jax (run once more with a check at exit)."""
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('JAX' if 'jax' in sys.modules else 'NOJAX',"
             " file=sys.stderr))\n")
    if argv[0] == "-c":
        code = probe + argv[1]
    else:  # -m module args...
        code = probe + (f"import runpy, sys; sys.argv = {[argv[1], *argv[2:]]!r}\n"
                        f"runpy.run_module({argv[1]!r}, run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                       text=True, check=False)
    return "NOJAX" not in r.stderr


def measure(rounds: int, root: Path) -> dict:
    names = list(TASKS)
    times: dict[str, list[float]] = {n: [] for n in names}
    codes: dict[str, set[int]] = {n: set() for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for n in order:
            dt, rc = _time(TASKS[n][0], root)
            times[n].append(dt)
            codes[n].add(rc)
    base = statistics.median(times[BASELINE])
    rows = {}
    for n in names:
        med = statistics.median(times[n])
        rows[n] = {"median_s": round(med, 3), "min_s": round(min(times[n]), 3),
                   "minus_baseline_s": round(med - base, 3), "exit_codes": sorted(codes[n]),
                   "imports_jax": _imports_jax(TASKS[n][0], root), "what": TASKS[n][1],
                   "all_s": [round(t, 3) for t in times[n]]}
    lr = rows["import lrtheory"]
    help_ = rows["lrtheory --help"]
    targets = {
        "import lrtheory <= import jax, optax + 0.3 s": lr["minus_baseline_s"] <= 0.3,
        "lrtheory --help without jax": not help_["imports_jax"],
        "argument error without jax": not rows["argument error"]["imports_jax"],
    }
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    this = root == HERE.parent.resolve()
    return {"rounds": rounds, "root": "this checkout" if this else str(root),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
            "load_average_at_end": load, "tasks": rows, "targets": targets}


def to_markdown(res: dict) -> str:
    lines = [f"Start-up times, fresh interpreters, {res['rounds']} rounds (median, min); "
             f"{res['machine']}, Python {res['python']}; load average at the end "
             f"{res['load_average_at_end']} (other work on the machine inflates all rows "
             f"alike; compare rows of one run).", "",
             "| task | median s | min s | median - baseline s | imports jax | what |",
             "|---|---|---|---|---|---|"]
    for n, r in res["tasks"].items():
        lines.append(f"| {n} | {r['median_s']} | {r['min_s']} | {r['minus_baseline_s']:+} | "
                     f"{'yes' if r['imports_jax'] else 'no'} | {r['what']} |")
    lines += ["", "| target | met |", "|---|---|"]
    lines += [f"| {t} | {'yes' if ok else 'no'} |" for t, ok in res["targets"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    ap.add_argument("--root", type=Path, default=HERE.parent,
                    help="checkout whose lrtheory is imported (default: this one)")
    ap.add_argument("--out", type=Path, default=HERE / "results",
                    help="folder for imports.json and imports.md")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    res = measure(args.rounds, args.root.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "imports.json").write_text(json.dumps(res, indent=2) + "\n")
    md = to_markdown(res)
    (args.out / "imports.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
