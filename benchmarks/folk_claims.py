"""Issue 16's folk-claims target: the study end to end, cold, against the same study with
per-step records and XLA's convolution (what it was before ``record_every`` and the CNN's
patch product).

Run from the repository root (minutes: two cold runs of the study a pair)::

    python -m benchmarks.folk_claims            # 2 alternated pairs
    python -m benchmarks.folk_claims --pairs 3

The baseline is a copy of the committed tree (``git archive HEAD``) with three edits: the
folk experiments record every step (``record_every=1`` instead of ``"final"``), and the CNN
convolves with ``lax.conv_general_dilated``. Each edit must match the source exactly, or the
script stops. Both arms run ``python -m studies.run_all --study folk_claims --no-cache``
into a scratch directory, alternating. Results go to ``benchmarks/results/folk_claims.json``,
and ``python -m benchmarks.run`` quotes them in its table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "folk_claims.json"
#: Issue 16's target: the baseline takes at least this many times as long as today's code.
TARGET = 3.0

_FINAL = 'record_every="final")'
#: (file, text in today's source, text of the baseline)
BASELINE_EDITS = [
    *[(f"studies/_folk/{name}.py", _FINAL, "record_every=1)")
      for name in ("train", "minima", "cyclical")],
    ("lrtheory/problems/nets.py",
     'h = (X[:, _PATCHES] @ t["K"].reshape(9, channels)).reshape(X.shape[0], 6, 6, channels)',
     'h = jax.lax.conv_general_dilated(X.reshape(X.shape[0], 8, 8, 1), t["K"], (1, 1), '
     '"VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))'),
]


def baseline_tree(dest: Path) -> Path:
    """The committed tree with :data:`BASELINE_EDITS` applied, in ``dest``."""
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, check=True,
                             capture_output=True).stdout
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    for rel, old, new in BASELINE_EDITS:
        path = dest / rel
        text = path.read_text()
        if text.count(old) != 1:
            raise SystemExit(f"baseline edit of {rel} no longer matches: {old!r} occurs "
                             f"{text.count(old)} times (update BASELINE_EDITS)")
        path.write_text(text.replace(old, new))
    return dest


def cold_run(tree: Path, scratch: Path) -> float:
    """Wall seconds of one cold folk-claims study run from ``tree``."""
    root, cache = scratch / "paper", scratch / "cache"
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(tree), LRTHEORY_CACHE=str(cache))
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "studies.run_all", "--study", "folk_claims",
                           "--no-cache", "--root", str(root)], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the study failed in {tree}:\n{done.stderr[-4000:]}")
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.folk_claims", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=2, help="alternated (baseline, today) pairs")
    args = ap.parse_args(argv)
    if args.pairs < 1:
        ap.error(f"--pairs must be at least 1; got {args.pairs}")
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_tree(Path(tmp) / "baseline")
        for i in range(args.pairs):
            b = cold_run(base, Path(tmp) / f"b{i}")
            n = cold_run(REPO, Path(tmp) / f"n{i}")
            pairs.append({"baseline_s": b, "today_s": n, "ratio": b / n})
            print(f"[folk] pair {i + 1}: baseline {b:.1f} s, today {n:.1f} s, "
                  f"ratio {b / n:.2f}", file=sys.stderr, flush=True)
    ratio = sum(p["baseline_s"] for p in pairs) / sum(p["today_s"] for p in pairs)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M:%S"), "pairs": pairs,
                               "ratio_over_sums": ratio, "target": TARGET}, indent=2) + "\n")
    print(f"folk-claims study, cold: {ratio:.2f}x over the sums of {len(pairs)} pairs "
          f"(target {TARGET:g}x: {'met' if ratio >= TARGET else 'not met'}); {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
