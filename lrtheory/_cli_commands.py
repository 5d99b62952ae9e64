"""The commands of :mod:`lrtheory.cli`, one function each (``args`` -> exit status).

Each checks its command-line input and output paths first and imports the library layers
it needs only then, so wrong input fails at once and without JAX.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from .cli import (
    UsageError,
    check_figure,
    check_output,
    check_output_dir,
    parse_assignments,
    parse_lrs,
    positive_lr,
    vector,
)

# Theory lines printed or drawn beside a measurement are gradient descent's: say so.
_GD = "GD"


def _print_table(rows, title: str, header: tuple[str, ...] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=header is not None)
    for col in header or ("field", "value"):
        table.add_column(col, style="bold" if col == (header or ("field",))[0] else None)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_fmt(x) for x in v) + ")"
    return str(v)


def _json_number(v):
    """A float for JSON; ``None`` (null) where it is not finite (JSON has no inf)."""
    v = float(v)
    return v if math.isfinite(v) else None


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, float):
        return _json_number(v)
    return v


def _save(fig, path: Path) -> None:
    from . import plots

    plots.savefig(fig, path)
    print(f"figure -> {path}", file=sys.stderr)


# ---------------------------------------------------------------------------- estimate
def estimate(args) -> int:
    if args.from_file is not None:
        return estimate_from(args)
    if args.problem is None or args.method is None:
        raise UsageError("--problem and --method are required (or --from FILE to "
                         "estimate runs made elsewhere)")
    plot = check_figure(args.plot)
    positive_lr(args.lr)
    x0 = vector(args.x0, "--x0")
    params = parse_assignments(args.param, "--param")
    hyper = parse_assignments(args.hyper, "--hyper")
    from . import estimate_order, methods, problems, run

    problem = problems.get(args.problem, **params)
    method = methods.get(args.method, lr=args.lr, **hyper)
    traj = run(method, problem, steps=args.steps, x0=x0, key=args.seed)
    est = estimate_order(traj, measure=args.measure)
    fields = {k: v for k, v in est._asdict().items() if k != "cycle"}
    if args.json:
        print(json.dumps({"problem": problem.key, "method": args.method, "lr": args.lr,
                          "steps": args.steps, **{k: _jsonable(v) for k, v in fields.items()}}))
    else:
        _print_table([(k, _fmt(v)) for k, v in fields.items() if v is not None],
                     f"{args.method} on {problem.key}, lr={args.lr}, {args.steps} steps")
    if plot is not None:
        from . import plots

        label = args.method if args.lr is None else f"{args.method}, lr={args.lr:g}"
        ax = plots.errors({label: traj}, est, measure=args.measure)
        _save(ax.figure, plot)
    return 0


_FROM_SHOWN = ("regime", "q", "rate", "rate_lo", "rate_hi", "p", "limit", "growth")


def estimate_from(args) -> int:
    """``estimate --from FILE``: one estimate per run of a table made elsewhere."""
    for flag in ("problem", "method", "param", "hyper", "lr", "x0", "seed", "plot"):
        if getattr(args, flag) is not None:
            raise UsageError(f"--{flag.replace('_', '-')} does not apply with --from (the "
                             "runs are in the file)")
    if args.f_star is not None and not math.isfinite(args.f_star):
        raise UsageError(f"--f-star must be finite; got {args.f_star}")
    from .estimate import estimate_runs, read_runs

    try:
        df = read_runs(args.from_file)
    except ValueError as e:
        raise UsageError(f"--from: {e}") from None
    step_col = None if args.step_col.lower() == "none" else args.step_col
    out = estimate_runs(df, run_col=args.run_col, step_col=step_col,
                        value_col=args.value_col, f_star=args.f_star)
    if args.json:
        records = [{str(k): _jsonable(None if _isna(v) else _plain(v)) for k, v in row.items()}
                   for row in out.to_dict("records")]
        print(json.dumps(records))
        return 0
    cols = [args.run_col, "n_steps", *_FROM_SHOWN]
    _print_table([tuple(_fmt(None if _isna(r[c]) else _plain(r[c])) for c in cols)
                  for r in out.to_dict("records")],
                 f"{len(out)} run(s) from {args.from_file}", header=tuple(cols))
    for r in out.to_dict("records"):  # reasons are sentences: one line each, not a column
        print(f"{r[args.run_col]}: {r['reason']}")
    return 0


def _isna(v) -> bool:
    import pandas as pd

    return not isinstance(v, tuple | list) and bool(pd.isna(v))


def _plain(v):
    """numpy scalars -> Python numbers (for _fmt and JSON)."""
    return v.item() if hasattr(v, "item") else v


# ------------------------------------------------------------------------------- sweep
def _gd_theory(problem, lrs):
    """GD's rate curve and landmarks for the rate map, or ``(None, None)`` when the
    curvature at the minimiser is unknown (no x*, no expression or spectrum)."""
    import numpy as np

    from . import theory

    if problem.x_star is None:
        return None, None
    try:
        c = theory.curvature(problem)
    except ValueError:  # e.g. a data-set problem without a stored spectrum
        return None, None
    if not c.L > 0:
        return None, None
    grid = np.geomspace(min(lrs), max(lrs), 120)
    return (grid, [theory.gd_rate(c, float(a)).rate for a in grid]), theory.gd_limits(c)


def sweep(args) -> int:
    out = check_output(args.out, "--out", (".parquet", ".csv"))
    plot = check_figure(args.plot)
    if args.cache_dir is not None:
        check_output_dir(args.cache_dir, "--cache-dir")
    lrs = parse_lrs(args.lrs)
    params = parse_assignments(args.param, "--param")
    hyper = parse_assignments(args.hyper, "--hyper", lists=True)
    sched = parse_assignments(args.schedule_param, "--schedule-param", lists=True)
    if sched and args.schedule is None:
        raise UsageError("--schedule-param needs --schedule NAME")
    from . import problems, schedules
    from .sweep import sweep as run_sweep

    if args.schedule is not None and args.schedule not in schedules.names():
        raise UsageError(f"--schedule: unknown schedule {args.schedule!r}; known: "
                         f"{', '.join(schedules.names())}")
    problem = problems.get(args.problem, **params)
    method = (args.method, hyper) if hyper else args.method
    scheds = None if args.schedule is None else {
        args.schedule: (args.schedule, sched) if sched else args.schedule}
    table = run_sweep({args.method: method}, problem, lrs=lrs, seeds=args.seeds,
                      schedules=scheds, steps=args.steps, x0=args.x0_mode,
                      cache_dir=args.cache_dir, progress=not args.quiet)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        table.to_parquet(out, index=False)
    else:
        table.to_csv(out, index=False)
    if not args.quiet:
        counts = table["status"].value_counts().to_dict()
        print(f"{len(table)} runs -> {out}  ({', '.join(f'{k}: {v}' for k, v in counts.items())})")
    if plot is not None:
        from . import plots

        swept = [k for k, v in {**hyper, **sched}.items() if len(v) > 1]
        if swept:
            ax = plots.regime_map(table, swept[0])
        else:
            curve, limits = _gd_theory(problem, lrs)
            ax = plots.rate_map(table, curve, limits, theory_of=_GD)
        _save(ax.figure, plot)
    return 0


# ------------------------------------------------------------------------------ theory
def theory(args) -> int:
    positive_lr(args.lr)
    x_star = vector(args.x_star, "--x-star")
    from . import theory as th
    from .problems import parse_expr
    from .theory.curvature import variables

    expr = parse_expr(args.expr, "--expr")
    if x_star is None:
        x_star = th.find_minimizer(expr)
        if x_star is None:
            raise UsageError("--x-star: no minimiser found; give it, e.g. --x-star 0,0")
    syms = variables(expr)
    if len(x_star) != len(syms):
        raise UsageError(f"--x-star needs {len(syms)} values (variables "
                         f"{', '.join(map(str, syms))}); got {len(x_star)}")
    at = dict(zip(syms, x_star, strict=True))
    slope = max(abs(complex(expr.diff(s).subs(at).evalf())) for s in syms)
    if not slope < 1e-8:
        raise UsageError(f"--x-star is not a stationary point: |grad f| = {slope:.3g} there")
    curv = th.curvature(expr, x_star=x_star)
    out = {"expr": str(expr), "x_star": [float(v) for v in x_star], "L": curv.L,
           "mu": curv.mu, "kappa": curv.kappa, "eigenvalues": list(curv.eigenvalues)}
    rows = [("expr", str(expr)), ("x_star", ", ".join(_fmt(float(v)) for v in x_star)),
            ("L", _fmt(curv.L)), ("mu", _fmt(curv.mu)), ("kappa", _fmt(curv.kappa)),
            ("eigenvalues", _fmt(curv.eigenvalues))]
    if curv.L > 0:
        lim = th.gd_limits(curv)
        out.update(lr_max=lim.lr_max, lr_opt=lim.lr_opt, rate_opt=lim.rate_opt)
        rows += [("2/L (GD stability limit)", _fmt(lim.lr_max)),
                 ("2/(L+mu) (GD optimal step)", _fmt(lim.lr_opt)),
                 ("GD optimal rate (kappa-1)/(kappa+1)", _fmt(lim.rate_opt))]
    if args.lr is not None:
        r = th.gd_rate(curv, args.lr)
        out.update(lr=args.lr, rate=r.rate, regime=str(r.regime), rate_expr=str(r.rate_expr))
        rows += [(f"GD rate at lr={args.lr}", f"{_fmt(r.rate)} ({r.regime}; "
                  f"max|1 - lr*lambda| = {r.rate_expr})")]
    if args.json:
        print(json.dumps(_jsonable(out)))
    else:
        _print_table(rows, "theory (SymPy)")
    return 0


# ----------------------------------------------------------------------------- find-lr
def find_lr(args) -> int:
    plot = check_figure(args.plot)
    params = parse_assignments(args.param, "--param")
    fixed = parse_assignments(args.hyper, "--hyper") or None
    from . import problems
    from .tuning import find_lr as run_finder

    problem = problems.get(args.problem, **params)
    res = run_finder(args.method, problem, lr_min=args.lr_min, lr_max=args.lr_max,
                     steps=args.steps, mode=args.mode, seeds=args.seeds, fixed=fixed)
    rows = [("problem", res.problem), ("method", res.method),
            ("tested lrs", f"{res.lrs[0]:.3g} .. {res.lrs[-1]:.3g} ({len(res.lrs)}, {res.mode})")]
    stops = [float(res.lrs[min(int(d), len(res.lrs) - 1)]) for d in res.diverged_at if d >= 0]
    rows.append(("stopped (diverged) at lr", ", ".join(f"{v:.4g}" for v in stops) or "never"))
    if res.L is not None and res.mu is not None:
        rows.append((f"{_GD} theory (gradient descent's, not {args.method}'s)"
                     if args.method != "gd" else f"{_GD} theory",
                     f"2/L = {2 / res.L:.4g}, 2/(L+mu) = {2 / (res.L + res.mu):.4g}"))
    for sug in (res.steep, res.valley, res.minimum):
        text = f"{sug.lr:.4g} (seeds: {sug.lo:.3g} .. {sug.hi:.3g})"
        if sug.ratio_opt is not None:
            text += f"; x{sug.ratio_opt:.3g} of {_GD}'s 2/(L+mu)"
        rows.append((f"suggestion: {sug.name}", text))
    _print_table(rows, "learning-rate range test")
    if plot is not None:
        from . import plots

        _save(plots.lr_finder(res).figure, plot)
    return 0


# --------------------------------------------------------------------------- reproduce
def _studies_root() -> Path:
    root = Path(__file__).resolve().parent.parent
    if not (root / "studies" / "run_all.py").exists():
        raise UsageError("reproduce needs a source checkout of lrtheory (studies/ not found "
                         f"next to {root / 'lrtheory'})")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root


def reproduce(args) -> int:
    root = _studies_root()
    from studies import _common, run_all

    known = _common.names()
    if args.list:
        print("\n".join(known))
        return 0
    for name in args.study or ():
        if name not in known:
            raise UsageError(f"--study: unknown study {name!r}; known: {', '.join(known)}")
    if args.size not in _common.SIZES:
        raise UsageError(f"--size must be one of {', '.join(_common.SIZES)}; got {args.size!r}")
    paper = root / "paper"
    out = check_output_dir(args.root, "--root") if args.root is not None else paper
    argv = [a for name in args.study or () for a in ("--study", name)]
    argv += ["--size", args.size, "--root", str(out)] + ["--no-cache"] * args.no_cache
    rc = run_all.main(argv)
    if rc == 0 and not args.no_paper:
        if out.resolve() != paper.resolve():
            print(f"paper not built: --root {out} is not {paper}", file=sys.stderr)
        else:
            rc = subprocess.call(["make", "--no-print-directory", "paper"], cwd=root)
    return rc


# ----------------------------------------------------------------------------- listing
def _problem_row(name: str) -> dict:
    from . import problems, theory

    p = problems.get(name)
    L = mu = None
    if p.x_star is not None:
        try:
            c = theory.curvature(p)
            L, mu = c.L, c.mu
        except ValueError:  # no expression or spectrum, or a singular Hessian at x*
            pass
    x_star = None if p.x_star is None else [float(v) for v in p.x_star]
    return {"name": name, "dim": p.dim, "params": dict(p.params), "L": L, "mu": mu,
            "x_star": x_star}


def _short_vector(v) -> str:
    if v is None:
        return "-"
    if len(v) > 4:
        return f"({len(v)} values: {_fmt(v[0])}, ..., {_fmt(v[-1])})"
    return _fmt(list(v))


def problems(args) -> int:
    from . import problems as registry

    rows = [_problem_row(name) for name in registry.names()]
    if args.json:
        print(json.dumps(_jsonable(rows)))
        return 0
    _print_table([(r["name"], str(r["dim"]),
                   ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "-",
                   _fmt(r["L"]), _fmt(r["mu"]), _short_vector(r["x_star"])) for r in rows],
                 "registered problems (default parameters; L, mu: Hessian at x*)",
                 header=("name", "dim", "parameters", "L", "mu", "x*"))
    return 0


def methods(args) -> int:
    from . import methods as registry

    for name in registry.names():
        print(f"{name:18s} {registry.info(name).summary}")
    return 0
