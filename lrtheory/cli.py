"""The ``lrtheory`` command: estimate, sweep, theory, find-lr, reproduce, problems, methods.

Wrong input exits with status 2 and one line naming the argument (``--debug`` shows the
traceback). Every command has ``--help``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "build_parser", "parse_lrs", "parse_assignments"]


class UsageError(ValueError):
    """Bad command-line input; printed as one line, exit status 2."""


# ----------------------------------------------------------------------------- parsing
def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{name}: {text!r} is not a number") from None


def parse_lrs(text: str) -> list[float]:
    """``"1e-4:1:256"`` (256 log-spaced values from 1e-4 to 1) or ``"0.1,0.2,0.5"``.

    >>> parse_lrs("1e-2:1:3")
    [0.01, 0.1, 1.0]
    >>> parse_lrs("0.1,0.3")
    [0.1, 0.3]
    """
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--lrs: {text!r} must be LO:HI:N or a comma-separated list")
        lo, hi = _number(parts[0], "--lrs"), _number(parts[1], "--lrs")
        try:
            n = int(parts[2])
        except ValueError:
            raise UsageError(f"--lrs: N in {text!r} must be an integer") from None
        if not (lo > 0 and hi > lo and n >= 1):
            raise UsageError(f"--lrs: need 0 < LO < HI and N >= 1; got {text!r}")
        if n == 1:
            return [lo]
        return [float(10 ** (math.log10(lo) + i * (math.log10(hi) - math.log10(lo)) / (n - 1)))
                for i in range(n)]
    values = [_number(v, "--lrs") for v in text.split(",") if v.strip()]
    if not values:
        raise UsageError("--lrs: empty list")
    return values


def parse_assignments(items: Sequence[str] | None, name: str) -> dict:
    """``["dim=10", "beta=0.9", "spectrum=log"]`` -> ``{"dim": 10, "beta": 0.9, ...}``.

    >>> parse_assignments(["dim=10", "cond=1e2", "spectrum=log"], "--param")
    {'dim': 10, 'cond': 100.0, 'spectrum': 'log'}
    """
    out: dict = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise UsageError(f"{name}: {item!r} must look like NAME=VALUE")
        for cast in (int, float):
            try:
                out[key] = cast(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out


def _vector(text: str | None, name: str):
    if text is None:
        return None
    return [_number(v, name) for v in text.split(",") if v.strip()]


# ---------------------------------------------------------------------------- commands
def _problem(args):
    from . import problems

    return problems.get(args.problem, **parse_assignments(args.param, "--param"))


def _method(args, lr):
    from . import methods

    return methods.get(args.method, lr=lr, **parse_assignments(args.hyper, "--hyper"))


def _print_table(rows: list[tuple[str, str]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for k, v in rows:
        table.add_row(k, v)
    Console().print(table)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def _jsonable(v):
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def cmd_estimate(args) -> int:
    from . import estimate_order, run

    problem = _problem(args)
    if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
        raise UsageError(f"--lr must be positive and finite; got {args.lr}")
    method = _method(args, args.lr)
    traj = run(method, problem, steps=args.steps, x0=_vector(args.x0, "--x0"),
               key=args.seed)
    est = estimate_order(traj, measure=args.measure)
    fields = {k: v for k, v in est._asdict().items() if k != "cycle"}
    if args.json:
        print(json.dumps({"problem": problem.key, "method": args.method, "lr": args.lr,
                          "steps": args.steps, **{k: _jsonable(v) for k, v in fields.items()}}))
    else:
        _print_table([(k, _fmt(v)) for k, v in fields.items() if v is not None],
                     f"{args.method} on {problem.key}, lr={args.lr}, {args.steps} steps")
    return 0


def cmd_sweep(args) -> int:
    from .sweep import sweep

    out = Path(args.out)
    if out.suffix not in (".parquet", ".csv"):
        raise UsageError(f"--out: {args.out!r} must end in .parquet or .csv")
    problem = _problem(args)
    lrs = parse_lrs(args.lrs)
    hyper = {k: [v] for k, v in parse_assignments(args.hyper, "--hyper").items()}
    method = (args.method, hyper) if hyper else args.method
    table = sweep({args.method: method}, problem, lrs=lrs, seeds=args.seeds,
                  steps=args.steps, x0=args.x0_mode, cache_dir=args.cache_dir,
                  progress=not args.quiet)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        table.to_parquet(out, index=False)
    else:
        table.to_csv(out, index=False)
    if not args.quiet:
        counts = table["status"].value_counts().to_dict()
        print(f"{len(table)} runs -> {out}  ({', '.join(f'{k}: {v}' for k, v in counts.items())})")
    return 0


def cmd_theory(args) -> int:
    from . import theory
    from .problems import parse_expr

    expr = parse_expr(args.expr, "--expr")
    x_star = _vector(args.x_star, "--x-star")
    if x_star is None:
        x_star = theory.find_minimizer(expr)
        if x_star is None:
            raise UsageError("--x-star: no minimiser found; give it, e.g. --x-star 0,0")
    from .theory.curvature import variables

    syms = variables(expr)
    if len(x_star) != len(syms):
        raise UsageError(f"--x-star needs {len(syms)} values (variables "
                         f"{', '.join(map(str, syms))}); got {len(x_star)}")
    at = dict(zip(syms, x_star, strict=True))
    slope = max(abs(complex(expr.diff(s).subs(at).evalf())) for s in syms)
    if not slope < 1e-8:
        raise UsageError(f"--x-star is not a stationary point: |grad f| = {slope:.3g} there")
    curv = theory.curvature(expr, x_star=x_star)
    rows = [("expr", str(expr)), ("x_star", ", ".join(str(v) for v in x_star)),
            ("L", _fmt(curv.L)), ("mu", _fmt(curv.mu)), ("kappa", _fmt(curv.kappa)),
            ("eigenvalues", _fmt(curv.eigenvalues))]
    if curv.L > 0:
        lim = theory.gd_limits(curv)
        rows += [("2/L (stability limit)", _fmt(lim.lr_max)),
                 ("2/(L+mu) (optimal step)", _fmt(lim.lr_opt)),
                 ("optimal rate (kappa-1)/(kappa+1)", _fmt(lim.rate_opt))]
    if args.lr is not None:
        if not (args.lr > 0 and math.isfinite(args.lr)):
            raise UsageError(f"--lr must be positive and finite; got {args.lr}")
        r = theory.gd_rate(curv, args.lr)
        rows += [(f"GD rate at lr={args.lr}", f"{_fmt(r.rate)} ({r.regime}; "
                  f"max|1 - lr*lambda| = {r.rate_expr})")]
    if args.json:
        print(json.dumps({k: v for k, v in rows}))
    else:
        _print_table(rows, "theory (SymPy)")
    return 0


def cmd_find_lr(args) -> int:
    from .tuning import find_lr

    problem = _problem(args)
    res = find_lr(args.method, problem, lr_min=args.lr_min, lr_max=args.lr_max,
                  steps=args.steps, mode=args.mode, seeds=args.seeds,
                  fixed=parse_assignments(args.hyper, "--hyper") or None)
    rows = [("problem", res.problem), ("method", res.method),
            ("tested lrs", f"{res.lrs[0]:.3g} .. {res.lrs[-1]:.3g} ({len(res.lrs)}, {res.mode})")]
    stops = [float(res.lrs[min(int(d), len(res.lrs) - 1)]) for d in res.diverged_at if d >= 0]
    rows.append(("stopped (diverged) at lr", ", ".join(f"{v:.4g}" for v in stops) or "never"))
    if res.L is not None and res.mu is not None:
        rows.append(("theory 2/L, 2/(L+mu)", f"{2 / res.L:.4g}, {2 / (res.L + res.mu):.4g}"))
    for sug in (res.steep, res.valley, res.minimum):
        text = f"{sug.lr:.4g} (seeds: {sug.lo:.3g} .. {sug.hi:.3g})"
        if sug.ratio_opt is not None:
            text += f"; x{sug.ratio_opt:.3g} of 2/(L+mu)"
        rows.append((f"suggestion: {sug.name}", text))
    _print_table(rows, "learning-rate range test")
    if args.plot:
        from . import plots

        fig = plots.lr_finder(res)
        plots.savefig(fig if not hasattr(fig, "figure") else fig.figure, args.plot)
        print(f"figure -> {args.plot}")
    return 0


def cmd_reproduce(args) -> int:
    root = Path(__file__).resolve().parent.parent
    if not (root / "studies" / "run_all.py").exists():
        raise UsageError("reproduce needs a source checkout of lrtheory (studies/ not found "
                         f"next to {root / 'lrtheory'})")
    cmd = [sys.executable, "-m", "studies.run_all"] + (["--study", args.study] if args.study
                                                        else [])
    rc = subprocess.call(cmd, cwd=root)
    if rc == 0 and not args.no_paper:
        rc = subprocess.call(["make", "--no-print-directory", "paper"], cwd=root)
    return rc


def cmd_problems(args) -> int:
    from . import problems

    for name in problems.names():
        print(name)
    return 0


def cmd_methods(args) -> int:
    from . import methods

    for name in methods.names():
        meta = methods.info(name)
        print(f"{name:18s} {meta.summary}")
    return 0


# ------------------------------------------------------------------------------ parser
def _common_run_args(p, lr_required=True):
    p.add_argument("--problem", required=True, help="registered problem (see `problems`)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="problem parameter, repeatable (e.g. --param dim=10)")
    p.add_argument("--method", required=True, help="registered method (see `methods`)")
    p.add_argument("--hyper", action="append", metavar="NAME=VALUE",
                   help="method hyperparameter, repeatable (e.g. --hyper beta=0.9)")
    p.add_argument("--steps", type=int, default=1000, help="iterations (default 1000)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lrtheory`` command: one sub-command per task.

    Returns:
      an :class:`argparse.ArgumentParser`; ``parse_args`` puts the sub-command's name in
      ``command`` and its handler in ``func``.

    Example:
      >>> args = build_parser().parse_args(["theory", "--expr", "x**2", "--lr", "0.1"])
      >>> args.command, args.expr, args.lr, args.json
      ('theory', 'x**2', 0.1, False)
    """
    parser = argparse.ArgumentParser(
        prog="lrtheory", description="Convergence order and rate of optimizers vs the "
        "learning rate: measurement (JAX) beside theory (SymPy).")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("estimate", help="run one method and estimate q, C and the regime")
    _common_run_args(p)
    p.add_argument("--lr", type=float, help="learning rate (required for first-order methods)")
    p.add_argument("--x0", help="start, comma-separated (default: the problem's)")
    p.add_argument("--seed", type=int, help="mini-batch seed for data-set problems")
    p.add_argument("--measure", default="auto", choices=["auto", "dist", "f", "grad", "step"],
                   help="error measure (default auto: distance to x* when known)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("sweep", help="a grid of learning rates x seeds -> a table")
    _common_run_args(p)
    p.add_argument("--lrs", required=True, help="LO:HI:N (log-spaced) or a comma list")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (default 1)")
    p.add_argument("--x0-mode", default="default", choices=["default", "random"],
                   help="start at the problem's x0 or at a seeded random start")
    p.add_argument("--out", required=True, help="output table (.parquet or .csv)")
    p.add_argument("--cache-dir", default=None, help="chunk cache (default: none)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("theory", help="L, mu, kappa, 2/L, optimal step, predicted rate")
    p.add_argument("--expr", required=True, help='objective, e.g. "x**4 + 3*y**2"')
    p.add_argument("--x-star", help="minimiser, comma-separated (found by SymPy if omitted)")
    p.add_argument("--lr", type=float, help="learning rate for the predicted GD rate")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_theory)

    p = sub.add_parser("find-lr", help="learning-rate range test")
    _common_run_args(p)
    p.set_defaults(steps=100)
    p.add_argument("--lr-min", type=float, default=1e-7, help="first lr (default 1e-7)")
    p.add_argument("--lr-max", type=float, default=10.0, help="last lr (default 10)")
    p.add_argument("--mode", default="exp", choices=["exp", "linear"], help="lr ramp")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (default 1)")
    p.add_argument("--plot", help="write the loss-vs-lr figure to this PDF")
    p.set_defaults(func=cmd_find_lr)

    p = sub.add_parser("reproduce", help="run the studies and build the paper")
    p.add_argument("--study", help="run only this study")
    p.add_argument("--no-paper", action="store_true", help="do not build the PDF")
    p.set_defaults(func=cmd_reproduce)

    sub.add_parser("problems", help="list registered problems").set_defaults(func=cmd_problems)
    sub.add_parser("methods", help="list registered methods").set_defaults(func=cmd_methods)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lrtheory`` console script; returns the exit status.

    Args:
      argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
      0 on success, 2 on wrong input (one line naming the argument on stderr).

    Example (Hessian diag(2, 20): L = 20, mu = 2, and GD at lr = 0.05 contracts by
    max(|1 - 0.1|, |1 - 1|) = 9/10):
      >>> import contextlib, io, json
      >>> buf = io.StringIO()
      >>> with contextlib.redirect_stdout(buf):
      ...     status = main(["theory", "--expr", "(x-1)**2 + 10*y**2", "--lr", "0.05",
      ...                    "--json"])
      >>> out = json.loads(buf.getvalue())
      >>> status, out["x_star"], out["L"], out["mu"], out["GD rate at lr=0.05"]
      (0, '1, 0', '20', '2', '0.9 (linear; max|1 - lr*lambda| = 9/10)')
      >>> main(["theory", "--expr", "x**2", "--lr", "-1"])   # message on stderr
      2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UsageError, ValueError, TypeError, KeyError, FileNotFoundError,
            PermissionError, ImportError) as e:
        if args.debug or os.environ.get("LRTHEORY_DEBUG"):
            raise
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"lrtheory {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
