"""Runs made elsewhere: tidy tables (DataFrame, CSV, parquet, JSON lines) -> one estimate
per run, through the API and the command line; bad input -> an error naming the column or
an ``undetermined`` row with its reason.

Truths: a loss f_k = f* + A C^k is linear with rate C (errors f_k - f*, or successive
differences A (1 - C) C^k: the same C). The estimator recovers the rate of an exact
geometric sequence to round-off (~1e-15 per step on the logs, least squares over tens of
records), so 1e-9 is a safe tolerance. Except "offset" (f* = 2) with f* unknown: the
differences of values near 2 carry an absolute round-off of 2 eps = 4.4e-16, and the
window runs down to differences of ~1e-13 (relative error ~4e-3 at its last records,
~1e-5 on the fitted slope measured): there 1e-4.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lrtheory.cli import main
from lrtheory.estimate import estimate_orders, estimate_runs, read_runs
from lrtheory.estimate._tidy import DIFF_NOTE

K = np.arange(60)
TRUTH = {"half": (0.5, 0.0, 1.0), "ninety": (0.9, 0.0, 3.0), "offset": (0.3, 2.0, 1.0)}
TOL = {"half": 1e-9, "ninety": 1e-9, "offset": 1e-4}


def runs_frame() -> pd.DataFrame:
    """Three runs f_k = f* + A C^k, 60 steps each, interleaved the way a log is written."""
    rows = [{"run": name, "step": int(k), "loss": fs + A * C ** k}
            for k in K for name, (C, fs, A) in TRUTH.items()]
    return pd.DataFrame(rows)


def assert_rates(out: pd.DataFrame, names=TRUTH):
    assert list(out.run) == list(names)
    for name, row in zip(out.run, out.itertuples(), strict=True):
        assert row.regime == "linear", row.reason
        assert abs(row.rate - TRUTH[name][0]) <= TOL[name]


def test_dataframe_with_unknown_f_star_uses_successive_differences():
    out = estimate_runs(runs_frame())
    assert_rates(out)
    assert all(DIFF_NOTE in r for r in out.reason)
    # f* unknown: the estimator's own limit estimate (errors of f, f* extrapolated; the
    # known f* of these runs is 0, 0 and 2)
    assert set(out.measure) == {"f"} and list(out.n_steps) == [60] * 3
    assert np.allclose(list(out.f_star), [0.0, 0.0, 2.0], atol=1e-12)


def test_dataframe_with_known_f_star():
    df = runs_frame()
    df = df[df.run != "offset"]  # f* = 0 for the other two
    out = estimate_orders(df, run_col="run", step_col="step", value_col="loss", f_star=0.0)
    assert_rates(out, ["half", "ninety"])
    assert set(out.measure) == {"f"} and not any(DIFF_NOTE in r for r in out.reason)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip_through_files(tmp_path, suffix):
    df = runs_frame()
    path = tmp_path / f"runs{suffix}"
    {".csv": lambda: df.to_csv(path, index=False),
     ".parquet": lambda: df.to_parquet(path),
     # json.dumps writes floats exactly (repr); pandas' to_json keeps only 10 digits
     ".jsonl": lambda: path.write_text("\n".join(json.dumps(r) for r in
                                                 df.to_dict("records")))}[suffix]()
    back = estimate_runs(read_runs(path))
    pd.testing.assert_frame_equal(back, estimate_runs(df))
    assert_rates(back)


def test_command_line_table_and_json(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    runs_frame().to_csv(path, index=False)
    assert main(["estimate", "--from", str(path), "--run-col", "run", "--value-col", "loss",
                 "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["run"] for r in records] == list(TRUTH)
    assert all(abs(r["rate"] - TRUTH[r["run"]][0]) <= TOL[r["run"]] for r in records)
    assert main(["estimate", "--from", str(path), "--f-star", "0"]) == 0
    out = capsys.readouterr().out
    # "offset" has f* = 2, not 0: its losses never go below 0, so f - 0 settles at 2.
    # (One reason line per run under the table, whose cells a narrow terminal truncates.)
    assert "\nhalf: decrease by" in out and "offset: " in out and "settles at 2e+0" in out


def test_spacing_and_rate_per_step():
    # Logged every 10 steps: C = 0.5 per record is 0.5^(1/10) per step.
    df = pd.DataFrame({"run": "a", "step": 10 * K, "loss": 0.5 ** K})
    row = estimate_runs(df, f_star=0.0).iloc[0]
    assert row.spacing == 10 and abs(row.rate_per_step - 0.5 ** 0.1) <= 1e-9
    assert "one record every 10 steps" in row.reason


def test_unsorted_rows_are_sorted_and_said():
    df = runs_frame()
    shuffled = df.sample(frac=1.0, random_state=0)
    out = estimate_runs(shuffled)
    assert_rates(out.set_index("run").loc[list(TRUTH)].reset_index())
    assert all("not in step order" in r for r in out.reason)


def test_missing_column_is_an_error_naming_it(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"value_col='lss' is not a column.*'loss'"):
        estimate_runs(runs_frame(), value_col="lss")
    with pytest.raises(ValueError, match="run_col='seed' is not a column"):
        estimate_runs(runs_frame(), run_col="seed")
    path = tmp_path / "runs.csv"
    runs_frame().to_csv(path, index=False)
    assert main(["estimate", "--from", str(path), "--step-col", "iteration"]) == 2
    assert "step_col='iteration' is not a column" in capsys.readouterr().err
    assert main(["estimate", "--from", str(tmp_path / "runs.txt")]) == 2
    assert "must end in .csv" in capsys.readouterr().err
    assert main(["estimate", "--from", str(path), "--method", "gd"]) == 2
    assert "--method does not apply with --from" in capsys.readouterr().err


def test_bad_runs_get_an_undetermined_row_with_the_reason():
    good = pd.DataFrame({"run": "good", "step": K, "loss": 0.5 ** K})
    short = pd.DataFrame({"run": "short", "step": [0, 1], "loss": [1.0, 0.5]})
    text = pd.DataFrame({"run": "text", "step": [0, 1, 2, 3, 4],
                         "loss": ["1.0", "0.5", "oops", "0.1", "0.05"]})
    dup = pd.DataFrame({"run": "dup", "step": [0, 1, 1, 2, 3, 4, 5],
                        "loss": [1.0, 0.5, 0.5, 0.25, 0.125, 0.0625, 0.03]})
    df = pd.concat([good, short, text, dup], ignore_index=True)
    out = estimate_runs(df, f_star=0.0).set_index("run")
    assert len(out) == 4  # no run dropped
    assert out.loc["good", "regime"] == "linear"
    assert out.loc["short", "regime"] == "undetermined"
    assert "only 2 usable" in out.loc["short", "reason"]
    assert out.loc["text", "regime"] == "undetermined"
    assert "column 'loss' holds non-numeric values (e.g. 'oops'" in out.loc["text", "reason"]
    assert out.loc["dup", "regime"] == "undetermined"
    assert "duplicate steps in column 'step': [1.0]" in out.loc["dup", "reason"]
    # A loss below the given f* is not an error sequence: said, not computed.
    below = estimate_runs(good, f_star=0.01).iloc[0]
    assert below.regime == "undetermined" and "falls below f_star=0.01" in below.reason


def test_bad_tables_are_errors_naming_the_argument():
    with pytest.raises(TypeError, match="df must be a pandas.DataFrame"):
        estimate_runs({"run": [1]})
    df = runs_frame()
    df.loc[3, "run"] = None
    with pytest.raises(ValueError, match=r"run_col='run' has missing run names \(rows \[3\]"):
        estimate_runs(df)
    df = runs_frame().astype({"step": object})
    df.loc[5, "step"] = "five"
    with pytest.raises(ValueError, match="step_col='step': column 'step' holds non-numeric"):
        estimate_runs(df)
    with pytest.raises(ValueError, match="f_star must be a finite real number"):
        estimate_runs(runs_frame(), f_star=float("nan"))


def test_sublinear_power_is_that_of_f():
    # f_k = (k + 1)^-2 (f* = 0 unknown): differences ~ 2 k^-3, reported p is 3 - 1 = 2.
    # Over k in [1000, 4000] the local log-log slope of (k+1)^-2 differs from 2 by
    # 2/(k+1) < 0.002, and the differences' from 3 by < 0.004: 0.01 covers both.
    k = np.arange(4000)
    out = estimate_runs(pd.DataFrame({"run": 0, "step": k, "loss": (k + 1.0) ** -2}))
    assert out.regime[0] == "sublinear" and abs(out.p[0] - 2.0) <= 0.01, out.reason[0]
