"""The ``lrtheory`` command: estimate, sweep, theory, find-lr, reproduce, problems, methods.

Wrong input exits with status 2 and one line naming the argument; ``--debug`` (before or
after the command) shows the traceback. Only the library's own input errors become that
line (:func:`is_input_error`): an internal error keeps its traceback. Output paths are
checked before anything is computed. ``lrtheory --help`` and argument errors do not import
JAX: each command imports what it needs when it runs.

The commands live in :mod:`lrtheory._cli_commands`; this module is the parser, the input
checks and the entry point.
"""

from __future__ import annotations

import argparse
import dis
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ._vocab import Measure  # JAX-free: help and argument errors stay fast

__all__ = ["main", "build_parser", "parse_lrs", "parse_assignments", "is_input_error",
           "UsageError"]

_PACKAGE = Path(__file__).resolve().parent
_RAISE = dis.opmap["RAISE_VARARGS"]


class UsageError(ValueError):
    """Bad command-line input; printed as one line, exit status 2.

    Example:
      >>> is_input_error(UsageError("--lr must be > 0"))
      True
    """


def is_input_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a complaint about the caller's input, to print as one line.

    True for a :class:`UsageError`, and for a ``ValueError``, ``TypeError`` or
    ``ImportError`` raised by a ``raise`` statement in lrtheory's own code (the library's
    input checks: they name the argument, the value and what is allowed). False for
    everything else, e.g. a ``TypeError`` or ``KeyError`` that Python raises on a wrong
    operation inside lrtheory, or an error from JAX or NumPy: those are bugs and keep
    their traceback. Decided from the traceback's innermost frame (its file and whether
    its instruction is ``RAISE_VARARGS``), so no library module needs a special type.

    Example:
      >>> from lrtheory.cli import parse_assignments
      >>> try:
      ...     parse_assignments(["dim"], "--param")   # the library says what is wrong
      ... except ValueError as e:
      ...     is_input_error(e)
      True
      >>> try:
      ...     parse_assignments(5, "--param")         # Python: int is not iterable
      ... except TypeError as e:
      ...     is_input_error(e)
      False
    """
    if isinstance(exc, UsageError):
        return True
    if not isinstance(exc, (ValueError, TypeError, ImportError)):
        return False
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None:
        return False
    code = last.tb_frame.f_code
    try:
        ours = Path(code.co_filename).resolve().is_relative_to(_PACKAGE)
    except (OSError, ValueError):
        return False
    return ours and 0 <= last.tb_lasti < len(code.co_code) and \
        code.co_code[last.tb_lasti] == _RAISE


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


def _scalar(text: str):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def parse_assignments(items: Sequence[str] | None, name: str, *, lists: bool = False) -> dict:
    """``["dim=10", "beta=0.9", "spectrum=log"]`` -> ``{"dim": 10, "beta": 0.9, ...}``.

    With ``lists``, a value may be a comma-separated list and every value is a list (the
    grid of a sweep).

    >>> parse_assignments(["dim=10", "cond=1e2", "spectrum=log"], "--param")
    {'dim': 10, 'cond': 100.0, 'spectrum': 'log'}
    >>> parse_assignments(["beta=0.5,0.9"], "--hyper", lists=True)
    {'beta': [0.5, 0.9]}
    """
    out: dict = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier() or not value.strip():
            raise UsageError(f"{name}: {item!r} must look like NAME=VALUE")
        if key in out:
            raise UsageError(f"{name}: {key!r} is given twice")
        if lists:
            out[key] = [_scalar(v.strip()) for v in value.split(",") if v.strip()]
        else:
            out[key] = _scalar(value)
    return out


def vector(text: str | None, name: str) -> list[float] | None:
    """``"1,2.5"`` -> ``[1.0, 2.5]`` (``None`` stays ``None``).

    >>> vector("1, 2.5", "--x0")
    [1.0, 2.5]
    """
    if text is None:
        return None
    return [_number(v, name) for v in text.split(",") if v.strip()]


def _writable_dir(folder: Path, name: str, shown: str) -> None:
    """``folder`` is a writable directory or can be created (its nearest existing
    ancestor is a writable directory)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{name}: {shown!r} cannot be written: {str(probe)!r} is not a "
                         f"directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"{name}: {shown!r} cannot be written: no write permission in "
                         f"{str(probe)!r}")


def check_output(path: str, name: str, suffixes: Sequence[str]) -> Path:
    """An output file: one of ``suffixes``, not a directory, in a writable folder.

    >>> check_output("out/table.csv", "--out", (".parquet", ".csv")).name
    'table.csv'
    """
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise UsageError(f"{name}: {path!r} must end in {' or '.join(suffixes)}")
    if p.is_dir():
        raise UsageError(f"{name}: {path!r} is a directory; give a file name")
    if p.exists() and not os.access(p, os.W_OK):
        raise UsageError(f"{name}: {path!r} exists and is not writable")
    _writable_dir(p.parent, name, path)
    return p


def check_output_dir(path: str, name: str) -> Path:
    """An output directory: writable, or creatable.

    >>> check_output_dir(".", "--root").is_dir()
    True
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{name}: {path!r} exists and is not a directory")
    _writable_dir(p, name, path)
    return p


def check_figure(path: str | None, name: str = "--plot") -> Path | None:
    """A figure path (``.pdf``, ``.png``, ``.svg``: :func:`lrtheory.plots.savefig`'s)."""
    if path is None:
        return None
    from .plots import FORMATS

    return check_output(path, name, FORMATS)


def positive_lr(lr, name: str = "--lr"):
    if lr is not None and not (lr > 0 and math.isfinite(lr)):
        raise UsageError(f"{name} must be positive and finite; got {lr}")
    return lr


# ------------------------------------------------------------------------------ parser
def _debug(p, default=False):
    p.add_argument("--debug", action="store_true", default=default,
                   help="show tracebacks on errors")


def _common_run_args(p, required: bool = True):
    p.add_argument("--problem", required=required, help="registered problem (see `problems`)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="problem parameter, repeatable (e.g. --param dim=10)")
    p.add_argument("--method", required=required, help="registered method (see `methods`)")
    p.add_argument("--hyper", action="append", metavar="NAME=VALUE",
                   help="method hyperparameter, repeatable (e.g. --hyper beta=0.9)")
    p.add_argument("--steps", type=int, default=1000, help="iterations (default 1000)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lrtheory`` command: one sub-command per task.

    Returns:
      an :class:`argparse.ArgumentParser`; ``parse_args`` puts the sub-command's name in
      ``command`` and its handler in ``func``.

    Example:
      >>> args = build_parser().parse_args(["theory", "--expr", "x**2", "--lr", "0.1",
      ...                                   "--debug"])
      >>> args.command, args.expr, args.lr, args.json, args.debug
      ('theory', 'x**2', 0.1, False, True)
    """
    from . import _cli_commands as C

    parser = argparse.ArgumentParser(
        prog="lrtheory", description="Convergence order and rate of optimizers vs the "
        "learning rate: measurement (JAX) beside theory (SymPy).")
    _debug(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help, func):
        p = sub.add_parser(name, help=help, description=help)
        _debug(p, argparse.SUPPRESS)  # --debug after the command as well as before
        p.set_defaults(func=func)
        return p

    p = command("estimate", "run one method and estimate q, C and the regime; or, with "
                "--from, estimate the runs of a table made elsewhere", C.estimate)
    _common_run_args(p, required=False)
    p.add_argument("--lr", type=float, help="learning rate (required for first-order methods)")
    p.add_argument("--x0", help="start, comma-separated (default: the problem's)")
    p.add_argument("--seed", type=int, help="mini-batch seed for data-set problems")
    p.add_argument("--measure", default="auto", choices=["auto", *(m.value for m in Measure)],
                   help="error measure (default auto: distance to x* when known, else "
                        "f - f* when f* is, else the gradient norm)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--plot", help="write the error curve with the fit (.pdf, .png, .svg)")
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="estimate the runs in FILE instead (.csv, .parquet, .jsonl): one row "
                   "per run and step; no --problem/--method then")
    p.add_argument("--run-col", default="run", help="with --from: run column (default run)")
    p.add_argument("--step-col", default="step",
                   help="with --from: step column (default step; 'none': row order)")
    p.add_argument("--value-col", default="loss",
                   help="with --from: value column (default loss)")
    p.add_argument("--f-star", type=float, default=None,
                   help="with --from: optimal value; unknown by default (successive "
                   "differences |f_k - f_(k+1)| are used)")

    p = command("sweep", "a grid of learning rates x seeds -> a table", C.sweep)
    _common_run_args(p)
    p.add_argument("--lrs", required=True, help="LO:HI:N (log-spaced) or a comma list")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (default 1)")
    p.add_argument("--schedule", help="registered schedule (see lrtheory.schedules.names()); "
                   "the learning rate is its peak")
    p.add_argument("--schedule-param", action="append", metavar="NAME=V[,V...]",
                   help="schedule parameter, repeatable; a comma list is swept")
    p.add_argument("--x0-mode", default="default", choices=["default", "random"],
                   help="start at the problem's x0 or at a seeded random start")
    p.add_argument("--out", required=True, help="output table (.parquet or .csv)")
    p.add_argument("--plot", help="write the rate map (or, with a swept --hyper, the "
                   "regime map) (.pdf, .png, .svg)")
    p.add_argument("--cache-dir", default=None, help="chunk cache (default: none)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.epilog = "--hyper NAME=V1,V2,... sweeps that hyperparameter."

    p = command("theory", "L, mu, kappa, 2/L, optimal step, predicted rate", C.theory)
    p.add_argument("--expr", required=True, help='objective, e.g. "x**4 + 3*y**2"')
    p.add_argument("--x-star", help="minimiser, comma-separated (found by SymPy if omitted)")
    p.add_argument("--lr", type=float, help="learning rate for the predicted GD rate")
    p.add_argument("--json", action="store_true", help="print JSON (numbers as numbers)")

    p = command("find-lr", "learning-rate range test", C.find_lr)
    _common_run_args(p)
    p.set_defaults(steps=100)
    p.add_argument("--lr-min", type=float, default=1e-7, help="first lr (default 1e-7)")
    p.add_argument("--lr-max", type=float, default=10.0, help="last lr (default 10)")
    p.add_argument("--mode", default="exp", choices=["exp", "linear"], help="lr ramp")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (default 1)")
    p.add_argument("--plot", help="write the loss-vs-lr figure (.pdf, .png, .svg)")

    p = command("reproduce", "run the studies (all or some) and build the paper",
                C.reproduce)
    p.add_argument("--list", action="store_true", help="list the studies and exit")
    p.add_argument("--study", action="append", metavar="NAME",
                   help="run only this study (repeatable; see --list)")
    p.add_argument("--size", default="full", help="grid size: full (default) or smoke")
    p.add_argument("--root", help="directory receiving figures/, tables/, generated/ "
                   "(default: the checkout's paper/)")
    p.add_argument("--no-cache", action="store_true", help="recompute cached results")
    p.add_argument("--no-paper", action="store_true", help="do not build the PDF")

    p = command("problems", "list registered problems: dimension, parameters, L, mu, x*",
                C.problems)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    command("methods", "list registered methods", C.methods)
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
      >>> status, out["x_star"], out["L"], out["mu"], out["rate"], out["rate_expr"]
      (0, [1.0, 0.0], 20.0, 2.0, 0.9, '9/10')
      >>> main(["theory", "--expr", "x**2", "--lr", "-1"])   # message on stderr
      2
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Exception as e:
        if args.debug or os.environ.get("LRTHEORY_DEBUG") or not is_input_error(e):
            raise
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"lrtheory {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
