"""Run every study (or some) and report per-study timings: ``python -m studies.run_all``.

Options: ``--study NAME`` (repeatable), ``--size full|smoke``, ``--root DIR`` (default
``paper/``), ``--no-cache``. Every study runs even when an earlier one fails; the exit
status is 1 when any failed, and the failures' tracebacks are printed at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.table import Table

from studies import _common


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m studies.run_all", description=__doc__)
    ap.add_argument("--study", action="append", choices=_common.names(),
                    help="run only this study (repeatable); default: all")
    ap.add_argument("--size", choices=_common.SIZES, default="full")
    ap.add_argument("--root", type=Path, default=_common.PAPER,
                    help="paper directory receiving figures/, tables/, generated/")
    ap.add_argument("--no-cache", action="store_true", help="recompute cached results")
    args = ap.parse_args(argv)

    console = Console(stderr=True)
    todo = args.study or _common.names()
    cache = None if args.no_cache else _common.CACHE
    results, failures = [], []
    t_all = time.perf_counter()
    for i, name in enumerate(todo, 1):
        t0 = time.perf_counter()
        with console.status(f"[{i}/{len(todo)}] study [bold]{name}[/] ({args.size}) ..."):
            try:
                mod = _common.load(name)
                ctx = _common.Context(name, size=args.size, root=args.root, cache=cache)
                out = mod.run(ctx)
                status = "ok"
                detail = (f"{len(out.figures)} fig, {len(out.tables)} tab, "
                          f"{len(out.numbers)} numbers")
            except Exception:
                status, detail = "FAILED", traceback.format_exc()
                failures.append((name, detail))
                detail = detail.strip().splitlines()[-1]
        dt = time.perf_counter() - t0
        results.append((name, status, dt, detail))
        colour = "green" if status == "ok" else "red"
        console.print(f"[{colour}]{status:>6}[/] {name:<14} {dt:7.1f} s  {detail}")

    table = Table(title=f"studies ({args.size}), total {time.perf_counter() - t_all:.1f} s")
    for col in ("study", "status", "seconds", "outputs"):
        table.add_column(col)
    for name, status, dt, detail in results:
        table.add_row(name, status, f"{dt:.1f}", detail)
    console.print(table)
    for name, tb in failures:
        console.rule(f"[red]{name} failed")
        console.print(tb, markup=False, highlight=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
