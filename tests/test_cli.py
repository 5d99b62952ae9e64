"""The lrtheory command: outputs derived from theory, one-line errors, exit codes."""

import json
import subprocess
import sys

import pytest

from lrtheory.cli import main, parse_lrs


def test_estimate_json_matches_the_gd_rate_of_a_quadratic(capsys):
    # quadratic(dim=2, cond=4): eigenvalues exactly 1 and 4 (the generator pins both ends).
    # GD at lr = 0.1 contracts by max|1 - 0.1*lambda| = max(0.9, 0.6) = 0.9 per step.
    rc = main(["estimate", "--problem", "quadratic", "--param", "dim=2", "--param", "cond=4",
               "--method", "gd", "--lr", "0.1", "--steps", "300", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "linear"
    assert out["rate"] == pytest.approx(0.9, rel=1e-6)


def test_estimate_table_output(capsys):
    rc = main(["estimate", "--problem", "quadratic", "--param", "dim=2", "--method", "gd",
               "--lr", "0.05", "--steps", "200"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "regime" in out and "linear" in out


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


def test_debug_flag_shows_the_exception():
    with pytest.raises(ValueError, match="unknown problem"):
        main(["--debug", "estimate", "--problem", "nope", "--method", "gd", "--lr", "0.1"])


def test_lr_grid_parsing():
    # 1e-4:1:5 -> five log-spaced values, one per decade.
    assert parse_lrs("1e-4:1:5") == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0], rel=1e-12)
    for bad in ["1:1e-4:5", "0:1:5", "1e-4:1", "a,b", "1e-4:1:x", ""]:
        with pytest.raises(ValueError, match="--lrs"):
            parse_lrs(bad)


def test_listing_commands(capsys):
    assert main(["problems"]) == 0
    assert "rosenbrock" in capsys.readouterr().out.split()
    assert main(["methods"]) == 0
    assert "adam" in capsys.readouterr().out


@pytest.mark.parametrize("cmd", ["estimate", "sweep", "theory", "find-lr", "reproduce",
                                 "problems", "methods"])
def test_help_for_every_command(capsys, cmd):
    with pytest.raises(SystemExit) as exc:
        main([cmd, "--help"])
    assert exc.value.code == 0 and "usage: lrtheory" in capsys.readouterr().out


def test_console_script_entry_point():
    r = subprocess.run([sys.executable, "-m", "lrtheory.cli", "--help"], capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0 and "estimate" in r.stdout


def test_theory_command_matches_the_hessian(capsys):
    # f = (x-1)^2 + 10 y^2: Hessian diag(2, 20), so L = 20, mu = 2, kappa = 10,
    # 2/L = 0.1, 2/(L+mu) = 1/11, and GD at lr = 0.05 contracts by
    # max(|1 - 0.05*2|, |1 - 0.05*20|) = 0.9. The minimiser (1, 0) is found by SymPy.
    rc = main(["theory", "--expr", "(x-1)**2 + 10*y**2", "--lr", "0.05", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["x_star"] == "1, 0"
    assert float(out["L"]) == 20 and float(out["mu"]) == 2 and float(out["kappa"]) == 10
    assert float(out["2/(L+mu) (optimal step)"]) == pytest.approx(1 / 11, rel=1e-5)
    assert out["GD rate at lr=0.05"].startswith("0.9 ")


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
    bad = main(["sweep", "--problem", "quadratic", "--method", "gd", "--lrs", "1e-2:1:3",
                "--out", str(tmp_path / "t.txt"), "--quiet"])
    assert bad == 2 and "--out" in capsys.readouterr().err


def test_find_lr_command_marks_theory_and_writes_the_plot(tmp_path, capsys):
    # quadratic(dim=4, cond=10): L = 10, mu = 1, so 2/L = 0.2 and 2/(L+mu) = 2/11.
    pdf = tmp_path / "lr.pdf"
    rc = main(["find-lr", "--problem", "quadratic", "--param", "dim=4", "--method", "gd",
               "--steps", "100", "--plot", str(pdf)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "0.2, 0.1818" in out and "suggestion: valley" in out
    assert pdf.read_bytes().startswith(b"%PDF")
