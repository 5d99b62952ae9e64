"""The lrtheory command: outputs derived from theory, one-line errors, exit codes, paths
checked before computing, and a fast start (no JAX for help and argument errors)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lrtheory.cli as cli
from lrtheory.cli import main, parse_lrs

ROOT = Path(__file__).resolve().parent.parent


def test_estimate_json_matches_the_gd_rate_of_a_quadratic(capsys):
    # quadratic(dim=2, cond=4): eigenvalues exactly 1 and 4 (the generator pins both ends).
    # GD at lr = 0.1 contracts by max|1 - 0.1*lambda| = max(0.9, 0.6) = 0.9 per step.
    rc = main(["estimate", "--problem", "quadratic", "--param", "dim=2", "--param", "cond=4",
               "--method", "gd", "--lr", "0.1", "--steps", "300", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "linear"
    assert out["rate"] == pytest.approx(0.9, rel=1e-6)


def test_estimate_table_and_plot(tmp_path, capsys, monkeypatch):
    # GD at lr = 0.05 on quadratic(dim=2, cond=10) (eigenvalues 1, 10): rate
    # max(|1 - 0.05|, |1 - 0.5|) = 0.95; the figure shows the errors and that fit.
    from lrtheory import plots

    figs = []
    monkeypatch.setattr(plots, "savefig", lambda fig, path: figs.append(fig) or
                        plots._style.savefig(fig, path))
    png = tmp_path / "run.png"
    rc = main(["estimate", "--problem", "quadratic", "--param", "dim=2", "--method", "gd",
               "--lr", "0.05", "--steps", "200", "--plot", str(png)])
    assert rc == 0
    out = capsys.readouterr()
    assert "regime" in out.out and "linear" in out.out and "figure ->" in out.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ax = figs[0].axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert ax.get_yscale() == "log" and labels[0] == "gd, lr=0.05"
    assert labels[1].startswith("fit $C = 0.95")


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["estimate", "--problem", "nope", "--method", "gd", "--lr", "0.1"], "problem name"),
        (["estimate", "--problem", "quadratic", "--method", "nope", "--lr", "0.1"],
         "method name"),
        (["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "-1"], "--lr"),
        (["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "nan"], "--lr"),
        (["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "0.1",
          "--steps", "0"], "steps"),
        (["estimate", "--problem", "quadratic", "--param", "dim", "--method", "gd", "--lr",
          "0.1"], "--param"),
        (["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "0.1", "--x0",
          "1,2,3"], "x0"),
        (["estimate", "--problem", "quadratic", "--method", "adam"], "lr is required"),
    ],
)
def test_bad_input_is_one_line_naming_the_argument(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_flag_before_or_after_the_command(where):
    argv = ["estimate", "--problem", "nope", "--method", "gd", "--lr", "0.1"]
    argv = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    with pytest.raises(ValueError, match="unknown problem"):
        main(argv)


def test_internal_errors_keep_their_traceback(monkeypatch):
    # A TypeError that Python raises inside lrtheory (iterating over an int in
    # parse_assignments) is a bug, not bad input: it propagates instead of exit 2.
    import lrtheory._cli_commands as C

    monkeypatch.setattr(C, "vector", lambda text, name: cli.parse_assignments(5, name))
    with pytest.raises(TypeError, match="not iterable"):
        main(["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "0.1",
              "--x0", "1"])
    monkeypatch.undo()
    # A KeyError from a lookup gone wrong is a bug too (it used to print as a usage error).
    import lrtheory.problems

    monkeypatch.setattr(lrtheory.problems, "get", lambda name, **kw: {}[name])
    with pytest.raises(KeyError):
        main(["estimate", "--problem", "quadratic", "--method", "gd", "--lr", "0.1"])


def test_is_input_error_reads_where_the_exception_was_raised():
    import lrtheory.problems

    with pytest.raises(ValueError) as own:  # the registry's check: a raise statement
        lrtheory.problems.get("nope")
    assert cli.is_input_error(own.value)
    with pytest.raises(TypeError) as bug:  # Python's own TypeError inside lrtheory
        cli.parse_assignments(5, "--param")
    assert not cli.is_input_error(bug.value)
    with pytest.raises(ValueError) as foreign:  # raised outside lrtheory (NumPy)
        np.asarray(["a"], dtype=float)
    assert not cli.is_input_error(foreign.value)
    assert not cli.is_input_error(KeyError("x")) and not cli.is_input_error(ValueError("x"))


def test_lr_grid_parsing():
    # 1e-4:1:5 -> five log-spaced values, one per decade.
    assert parse_lrs("1e-4:1:5") == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0], rel=1e-12)
    for bad in ["1:1e-4:5", "0:1:5", "1e-4:1", "a,b", "1e-4:1:x", ""]:
        with pytest.raises(ValueError, match="--lrs"):
            parse_lrs(bad)


@pytest.mark.parametrize("cmd", ["estimate", "sweep", "theory", "find-lr", "reproduce",
                                 "problems", "methods"])
def test_help_for_every_command(capsys, cmd):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0 and "usage: lrtheory" in capsys.readouterr().out


def test_help_and_argument_errors_do_not_import_jax():
    # The command line answers --help and rejects bad arguments before any library layer
    # is imported (structure, not timing: benchmarks/imports.py measures the time).
    code = (
        "import sys\n"
        "from lrtheory.cli import main\n"
        "for argv in (['--help'], ['sweep', '--help'], ['estimate'], ['nope']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "rc = main(['sweep', '--problem', 'quadratic', '--method', 'gd', '--lrs', '1:0:3',\n"
        "           '--out', 't.csv'])\n"
        "rc2 = main(['find-lr', '--problem', 'quadratic', '--method', 'gd', '--plot', 'a.gif'])\n"
        "print(rc, rc2, sorted(m for m in ('jax', 'sympy', 'pandas', 'optax', 'scipy')\n"
        "                      if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       check=True, cwd=ROOT)
    assert r.stdout.split("\n")[-2] == "2 2 []"


def test_console_script_entry_point():
    r = subprocess.run([sys.executable, "-m", "lrtheory.cli", "--help"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0 and "estimate" in r.stdout


def test_theory_command_matches_the_hessian(capsys):
    # f = (x-1)^2 + 10 y^2: Hessian diag(2, 20), so L = 20, mu = 2, kappa = 10,
    # 2/L = 0.1, 2/(L+mu) = 1/11, (kappa-1)/(kappa+1) = 9/11, and GD at lr = 0.05
    # contracts by max(|1 - 0.05*2|, |1 - 0.05*20|) = 0.9. SymPy finds the minimiser (1, 0).
    rc = main(["theory", "--expr", "(x-1)**2 + 10*y**2", "--lr", "0.05", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    numbers = ("L", "mu", "kappa", "lr_max", "lr_opt", "rate_opt", "lr", "rate")
    assert all(type(out[k]) is float for k in numbers)  # numbers, not strings
    assert out["x_star"] == [1.0, 0.0] and out["eigenvalues"] == [2.0, 20.0]
    assert (out["L"], out["mu"], out["kappa"], out["lr_max"]) == (20.0, 2.0, 10.0, 0.1)
    # rel 1e-15: the floats of exact rationals, one rounding each
    assert out["lr_opt"] == pytest.approx(1 / 11, rel=1e-15)
    assert out["rate_opt"] == pytest.approx(9 / 11, rel=1e-15)
    assert out["rate"] == pytest.approx(0.9, rel=1e-15) and out["rate_expr"] == "9/10"
    assert out["regime"] == "linear"


def test_theory_json_writes_no_infinity(capsys):
    # f = x^2 + y^4 at (0, 0): Hessian diag(2, 0), so L = 2, mu = 0 and kappa = L/mu is
    # infinite, which JSON cannot hold: it is written as null.
    rc = main(["theory", "--expr", "x**2 + y**4", "--x-star", "0,0", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mu"] == 0.0 and out["kappa"] is None and out["L"] == 2.0


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["theory", "--expr", "x**2 + z", "--x-star", "1"], "--x-star needs 2 values"),
        (["theory", "--expr", "x**2", "--x-star", "1"], "not a stationary point"),
        (["theory", "--expr", "x**2 +* y"], "--expr"),
        (["theory", "--expr", "x**2", "--x-star", "0", "--lr", "-1"], "--lr"),
    ],
)
def test_theory_bad_input(capsys, argv, needle):
    assert main(argv) == 2
    assert needle in capsys.readouterr().err


def test_sweep_command_writes_a_table(tmp_path, capsys):
    # quadratic(dim=3, cond=10): eigenvalues 1, 5.5, 10, so 2/L = 0.2. Of the lrs
    # 0.01, 0.1, 1 (log-spaced 1e-2:1:3) exactly the last is past 2/L and diverges.
    import pandas as pd

    out = tmp_path / "t.parquet"
    rc = main(["sweep", "--problem", "quadratic", "--param", "dim=3", "--param", "cond=10",
               "--method", "gd", "--lrs", "1e-2:1:3", "--seeds", "2", "--steps", "100",
               "--out", str(out), "--quiet"])
    assert rc == 0
    table = pd.read_parquet(out)
    assert len(table) == 6
    assert list(table.groupby("lr")["status"].first()) == ["ok", "ok", "diverged"]


def test_sweep_schedule(tmp_path, capsys):
    # GD on f = x^2/2 (quadratic dim=1: lambda = 1, x0 = 1, x* = 0) with the exponential
    # schedule lr_k = lr0 e^{-d k}: e_T = prod_{k<T} |1 - lr0 e^{-d k}| exactly.
    import pandas as pd

    out = tmp_path / "t.csv"
    rc = main(["sweep", "--problem", "quadratic", "--param", "dim=1", "--param", "cond=1",
               "--method", "gd", "--lrs", "0.1,0.5", "--steps", "30", "--schedule",
               "exponential", "--schedule-param", "d=0.01,0.2", "--out", str(out), "--quiet"])
    assert rc == 0
    t = pd.read_csv(out)
    assert set(t["schedule"]) == {"exponential"} and len(t) == 4
    for lr0, d, err in t[["lr", "d", "final_error"]].itertuples(index=False):
        # rel 1e-12: 30 float64 multiplications
        expected = math.prod(abs(1 - lr0 * math.exp(-d * k)) for k in range(30))
        assert err == pytest.approx(expected, rel=1e-12)
    base = ["sweep", "--problem", "quadratic", "--method", "gd", "--lrs", "0.1",
            "--out", str(out)]
    assert main([*base, "--schedule", "nope"]) == 2
    assert "--schedule: unknown schedule 'nope'" in capsys.readouterr().err
    assert main([*base, "--schedule-param", "d=1"]) == 2
    assert "--schedule-param needs --schedule" in capsys.readouterr().err


def _capture_figures(monkeypatch):
    from lrtheory import plots

    figs = []
    real = plots._style.savefig
    monkeypatch.setattr(plots, "savefig", lambda fig, path: figs.append(fig) or real(fig, path))
    return figs


def test_sweep_plot_is_the_rate_map_with_gd_theory(tmp_path, monkeypatch, capsys):
    # GD on quadratic(dim=2, cond=10) (eigenvalues 1 and 10): measured rate at lr a is
    # max(|1 - a|, |1 - 10 a|) below 2/L = 0.2 (0.95, 0.9, 0.85 at 0.05, 0.1, 0.15), and
    # lr = 0.25 diverges with growth |1 - 2.5| = 1.5 (drawn at the axis top, 1.3).
    figs = _capture_figures(monkeypatch)
    svg = tmp_path / "rate.svg"
    rc = main(["sweep", "--problem", "quadratic", "--param", "dim=2", "--method", "gd",
               "--lrs", "0.05,0.1,0.15,0.25", "--steps", "300", "--out",
               str(tmp_path / "t.csv"), "--plot", str(svg), "--quiet"])
    assert rc == 0 and b"<svg" in svg.read_bytes()[:500]
    ax = figs[0].axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["gd"].get_xdata(), [0.05, 0.1, 0.15], rtol=1e-15)
    # rel 1e-6: the estimator's rate on a geometric tail (two modes, the slower dominates)
    np.testing.assert_allclose(lines["gd"].get_ydata(), [0.95, 0.9, 0.85], rtol=1e-6)
    np.testing.assert_allclose(lines["gd: diverged (growth)"].get_ydata(), [1.3])
    assert lines["$2/L$ (GD)"].get_xdata()[0] == pytest.approx(0.2, rel=1e-15)
    assert lines[r"$2/(L+\mu)$ (GD)"].get_xdata()[0] == pytest.approx(2 / 11, rel=1e-15)
    th = lines[r"theory (GD): $\max_i|1-\alpha\lambda_i|$"]
    a = th.get_xdata()
    np.testing.assert_allclose(th.get_ydata(), np.maximum(abs(1 - a), abs(1 - 10 * a)),
                               rtol=1e-12)


def test_sweep_plot_with_a_swept_hyperparameter_is_the_regime_map(tmp_path, monkeypatch):
    # Heavy ball on diag(1, 10) (L = 10, mu = 1) is stable iff 0 < lr < 2(1 + beta)/L
    # (Polyak 1964): with beta = 0 the lr 0.3 > 0.2 diverges, with beta = 0.9 (limit 0.38)
    # it converges. lr = 0.01 converges for both.
    figs = _capture_figures(monkeypatch)
    rc = main(["sweep", "--problem", "quadratic", "--param", "dim=2", "--method", "momentum",
               "--hyper", "beta=0,0.9", "--lrs", "0.01,0.3", "--steps", "400", "--out",
               str(tmp_path / "t.csv"), "--plot", str(tmp_path / "r.pdf"), "--quiet"])
    assert rc == 0
    ax = figs[0].axes[0]
    cells = {c.get_label(): sorted(map(tuple, c.get_offsets().tolist()))
             for c in ax.collections}
    assert cells["diverged"] == [(0.3, 0.0)]
    assert cells["linear"] == [(0.01, 0.0), (0.01, 0.9), (0.3, 0.9)]
    assert ax.get_ylabel() == "beta"


@pytest.mark.parametrize("cmd", ["estimate", "sweep", "find-lr", "reproduce"])
def test_output_paths_are_checked_before_computing(tmp_path, monkeypatch, capsys, cmd):
    # No problem is built (nothing is computed) when an output path is wrong.
    import lrtheory.problems

    monkeypatch.setattr(lrtheory.problems, "get",
                        lambda *a, **k: pytest.fail("computed before checking the path"))
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    run = ["--problem", "quadratic", "--method", "gd"]
    cases = {
        "estimate": [["--lr", "0.1", "--plot", str(tmp_path / "run.jpg")],
                     ["--lr", "0.1", "--plot", str(blocker / "sub" / "run.png")]],
        "sweep": [["--lrs", "0.1", "--out", str(tmp_path / "t.txt")],
                  ["--lrs", "0.1", "--out", str(tmp_path)],
                  ["--lrs", "0.1", "--out", str(tmp_path / "t.csv"), "--plot",
                   str(tmp_path / "r.eps")],
                  ["--lrs", "0.1", "--out", str(tmp_path / "t.csv"), "--cache-dir",
                   str(blocker)]],
        "find-lr": [["--plot", str(tmp_path / "lr.gif")],
                    ["--plot", str(blocker / "lr.pdf")]],
        "reproduce": [["--root", str(blocker), "--study", "stability"]],
    }
    for extra in cases[cmd]:
        argv = [cmd, *extra] if cmd == "reproduce" else [cmd, *run, *extra]
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and ("--plot" in err or "--out" in err
                                                       or "--root" in err
                                                       or "--cache-dir" in err), err


def test_find_lr_labels_gd_theory_as_gd(tmp_path, capsys, monkeypatch):
    # quadratic(dim=4, cond=10): L = 10, mu = 1, so 2/L = 0.2 and 2/(L+mu) = 2/11. Those
    # are gradient descent's landmarks: run with Adam, they are labelled as GD's.
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line (rich wraps at the width)
    figs = _capture_figures(monkeypatch)
    pdf = tmp_path / "lr.pdf"
    rc = main(["find-lr", "--problem", "quadratic", "--param", "dim=4", "--method", "gd",
               "--steps", "100", "--plot", str(pdf)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "2/L = 0.2, 2/(L+mu) = 0.1818" in out and "suggestion: valley" in out
    assert pdf.read_bytes().startswith(b"%PDF")
    rc = main(["find-lr", "--problem", "quadratic", "--param", "dim=4", "--method", "adam",
               "--steps", "100", "--plot", str(tmp_path / "adam.png")])
    assert rc == 0
    out = capsys.readouterr().out
    theory_lines = [ln for ln in out.splitlines() if "2/L" in ln or "2/(L+mu)" in ln]
    assert theory_lines and all("GD" in ln for ln in theory_lines)
    assert "not adam's" in out
    labels = [ln.get_label() for ln in figs[-1].axes[0].get_lines()]
    assert "$2/L$ (GD)" in labels and r"$2/(L+\mu)$ (GD)" in labels


def test_reproduce_list_and_unknown_study(capsys):
    sys.path.insert(0, str(ROOT))
    from studies import _common

    assert main(["reproduce", "--list"]) == 0
    assert capsys.readouterr().out.split() == _common.names()
    assert main(["reproduce", "--study", "bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lrtheory reproduce: error: --study: unknown study 'bogus'")
    assert "run_all" not in err and len(err.strip().splitlines()) == 1
    assert main(["reproduce", "--size", "huge"]) == 2
    assert "--size must be one of full, smoke" in capsys.readouterr().err


def test_reproduce_passes_its_options_to_the_study_runner(tmp_path, monkeypatch, capsys):
    # A stand-in study (instant) records the context the study runner gives it: the
    # options of `lrtheory reproduce` reach studies/run_all.py unchanged.
    sys.path.insert(0, str(ROOT))
    from studies import _common

    seen = []

    class Study:
        @staticmethod
        def run(ctx):
            seen.append(ctx)
            return _common.Outputs((), (), ctx.root / "m.tex", {})

    monkeypatch.setattr(_common, "load", lambda name: Study)
    root = tmp_path / "out"
    rc = main(["reproduce", "--study", "stability", "--study", "scaling", "--size", "smoke",
               "--root", str(root), "--no-cache"])
    assert rc == 0
    assert [(c.name, c.size, c.root, c.cache) for c in seen] == [
        ("stability", "smoke", root, None), ("scaling", "smoke", root, None)]
    assert "paper not built" in capsys.readouterr().err  # --root is not paper/


def test_problems_listing(capsys, monkeypatch):
    # Rosenbrock's Hessian at (1, 1) is [[802, -400], [-400, 200]]: eigenvalues
    # 501 +- sqrt(301^2 + 400^2). quadratic(dim=10, cond=10) has the spectrum 1..10.
    import lrtheory.problems as P

    monkeypatch.setitem(P._REGISTRY, "no_star",
                        lambda: P.from_expr("x**4 + y**2", x0=[1.0, 1.0], name="no_star",
                                                x_star=None))
    monkeypatch.setattr(P, "names", lambda: ["no_star", "quadratic", "rosenbrock"])
    assert main(["problems", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    r = rows["rosenbrock"]
    assert r["dim"] == 2 and r["x_star"] == [1.0, 1.0] and r["params"] == {"dim": 2}
    root = math.sqrt(301**2 + 400**2)
    # rel 1e-12: a 2x2 symmetric eigenproblem in float64
    assert r["L"] == pytest.approx(501 + root, rel=1e-12)
    assert r["mu"] == pytest.approx(501 - root, rel=1e-9)  # cancellation: 1e-3 of L's digits
    q = rows["quadratic"]
    assert (q["dim"], q["L"], q["mu"], q["params"]["cond"]) == (10, 10.0, 1.0, 10.0)
    assert rows["no_star"]["x_star"] is None and rows["no_star"]["L"] is None
    assert main(["problems"]) == 0
    out = capsys.readouterr().out
    assert all(word in out for word in ("dim", "parameters", "x*", "rosenbrock", "1001.6"))


def test_methods_listing(capsys):
    assert main(["methods"]) == 0
    assert "adam" in capsys.readouterr().out
