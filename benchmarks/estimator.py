"""Cost of the order estimator on a sweep: 1000 runs of 1000 steps, new against old.

Run from the repository root::

    python benchmarks/estimator.py             # writes results/estimator.{json,md}
    python benchmarks/estimator.py --rounds 3 --base 61217c1 --out /tmp/x

Both estimators run in fresh interpreters on the same saved batches, alternating round by
round so that both see the same background load: "new" is this checkout's
``estimate_orders``, "old" the one of ``--base`` (a commit, extracted with ``git archive``).
Each interpreter times one warm call (the imports and a first small call are excluded,
and reported apart), as wall time and as its process (CPU) time: on a shared machine the
wall time grows with the load, the CPU time is what one unshared core would take.
Target (issue 13): at most 1 s per 1000 runs of 1000 steps on 2 CPU cores (CPU time,
and the ratio to the old estimator, are the load-independent numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import sys, time, json
import numpy as np
t0 = time.perf_counter()
from lrtheory.estimate import estimate_orders
E = np.load(sys.argv[1])
estimate_orders(E[:4])
first = time.perf_counter() - t0
t, c = time.perf_counter(), time.process_time()
df = estimate_orders(E)
print(json.dumps({"warm": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "first": first,
                  "regimes": df.regime.astype(str).value_counts().to_dict()}))
"""


def batches(seed: int = 0) -> dict[str, np.ndarray]:
    """The workloads: noisy linear runs (a sweep over a stable learning-rate range) and a
    mixed sweep (clean and noisy linear, power laws, noise floors, stalls, divergence)."""
    rng = np.random.default_rng(seed)
    k = np.arange(1000)
    noisy = rng.uniform(0.9, 0.999, (1000, 1)) ** k * np.exp(
        0.1 * rng.standard_normal((1000, 1000)))
    rows = []
    for i in range(1000):
        r = rng.uniform(0.8, 0.99)
        z = np.exp(0.1 * rng.standard_normal(1000))
        kind = i % 6
        if kind == 0:
            rows.append(r ** k)
        elif kind == 1:
            rows.append(r ** k * z)
        elif kind == 2:
            rows.append(2.0 * (k + 1.0) ** -rng.uniform(0.5, 2) * z)
        elif kind == 3:
            rows.append((r ** k + 1e-4) * z)
        elif kind == 4:
            rows.append(0.1 + r ** k)
        else:
            rows.append(np.minimum(1.01 ** k, 1e300))
    return {"noisy linear": noisy, "mixed sweep": np.stack(rows)}


def run_child(pythonpath: Path, data: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    out = subprocess.run([sys.executable, "-c", CHILD, str(data)], env=env,
                         capture_output=True, text=True, check=True, cwd=pythonpath)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--base", default="61217c1",
                    help="commit of the old estimator (default: the last one that ran row by row)")
    ap.add_argument("--out", default=str(HERE / "results" / "estimator"))
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = tmp / "old"
        old.mkdir()
        arch = subprocess.run(["git", "archive", a.base, "lrtheory"], cwd=ROOT,
                              capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=arch, check=True)
        res: dict = {}
        for name, E in batches().items():
            path = tmp / f"{name.replace(' ', '_')}.npy"
            np.save(path, E)
            for rnd in range(a.rounds):
                order = [("new", ROOT), ("old", old)]
                for label, pp in (order if rnd % 2 == 0 else order[::-1]):
                    r = run_child(pp, path)
                    d = res.setdefault(name, {}).setdefault(label, {"warm": [], "cpu": [],
                                                                    "first": []})
                    d["warm"].append(r["warm"])
                    d["cpu"].append(r["cpu"])
                    d["first"].append(r["first"])
                    d["regimes"] = r["regimes"]
    load = os.getloadavg()
    summary = {}
    lines = [f"Estimator cost, 1000 runs x 1000 steps, fresh interpreters, {a.rounds} rounds "
             f"(median, min of the warm call); {platform.machine()}, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}; load average at the end {load} (other "
             "work on the machine inflates both columns alike: compare within a row).", "",
             "| batch | new median s | new min s | new CPU s | old median s | old min s | "
             "old CPU s | new/old | first call new s | regimes new | regimes old |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, d in res.items():
        nm, om = statistics.median(d["new"]["warm"]), statistics.median(d["old"]["warm"])
        summary[name] = {"new_median_s": nm, "new_min_s": min(d["new"]["warm"]),
                         "new_cpu_s": min(d["new"]["cpu"]), "old_cpu_s": min(d["old"]["cpu"]),
                         "old_median_s": om, "old_min_s": min(d["old"]["warm"]),
                         "ratio_new_old": nm / om,
                         "first_call_new_s": statistics.median(d["new"]["first"]),
                         "regimes_new": d["new"]["regimes"], "regimes_old": d["old"]["regimes"]}
        s = summary[name]
        lines.append(f"| {name} | {nm:.3f} | {s['new_min_s']:.3f} | {s['new_cpu_s']:.3f} | "
                     f"{om:.3f} | {s['old_min_s']:.3f} | {s['old_cpu_s']:.3f} | {nm / om:.2f} | "
                     f"{s['first_call_new_s']:.2f} | {s['regimes_new']} | {s['regimes_old']} |")
    met = all(s["new_cpu_s"] <= 1.0 for s in summary.values())
    lines += ["", "CPU s: process time of the warm call (min over rounds), what one unshared core "
              "would take; wall times grow with the machine's load.",
              f"Target (issue 13): at most 1 s per 1000 runs of 1000 steps (CPU time): "
              f"{'met' if met else 'NOT met'}."]
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"load": load, "rounds": a.rounds,
                                                    "base": a.base, "date": time.strftime(
                                                        "%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                    "batches": summary}, indent=1))
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
