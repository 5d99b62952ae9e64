"""`python -m benchmarks.run --quick`: the output files have their structure (never timings:
those depend on the machine and its load)."""

import json
import math

from benchmarks import run as bench


def test_quick_benchmark_writes_json_and_table(tmp_path):
    assert bench.main(["--quick", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "latest.json").read_text())
    assert set(data) == {"info", "results", "ratios", "targets"}
    assert data["info"]["quick"] is True and data["info"]["config"] == bench.QUICK
    res = data["results"]
    for key in ("lrtheory_adam_f32", "lrtheory_gd_f32", "lrtheory_adam_f64",
                "rosenbrock2_gd_f64", "rosenbrock2_adam_f64"):
        assert {"compile_s", "run_s", "runs"} <= set(res[key])
        assert res[key]["runs"] == bench.QUICK["n"]
    for m in ("adam", "gd"):
        e = res[f"lrtheory_{m}_f32"]
        assert {"trace_s", "estimate_table_s"} <= set(e)
        assert len(e["all_rounds_s"][f"engine_{m}"]) == bench.QUICK["reps"] * bench.QUICK["pairs"]
    assert res["lrtheory_adam_f32"]["sweep_end_to_end_s"] > 0  # GD's only in full runs
    for key in ("numpy_adam_f32", "numpy_gd_f32", "optax_loop_f32", "jax_minimal_adam_f32",
                "jax_minimal_gd_f32", "jax_minimal_batched_gemm"):
        assert res[key]["run_s"] > 0
    # the loop baselines are timed on a subset and scaled by n / subset
    loop = res["optax_loop_f32"]
    assert loop["scaled"] and math.isclose(
        loop["run_s"], loop["measured_s"] * bench.QUICK["n"] / bench.QUICK["subset"])
    # every competitor ran the same iteration: final distances agree to float32 rounding
    # (Adam's update divides by sqrt(v) + 1e-8; 20 steps of ~6e-8 relative error each)
    assert all(v < 1e-4 for v in res["agreement_final_dist"].values())
    assert set(data["targets"]) <= set(bench.TARGETS)
    for name in ("engine_over_minimal_adam", "engine_over_minimal_gd",
                 "estimate_table_over_engine_adam", "compile_s_headline",
                 "sweep_end_to_end_over_numpy_adam"):
        assert name in data["targets"]
    for t in data["targets"].values():
        assert set(t) == {"target", "what", "value", "met"}
        assert t["met"] == (t["value"] <= float(t["target"][3:]) if t["target"][:2] == "<="
                            else t["value"] >= float(t["target"][3:]))
    table = (tmp_path / "table.md").read_text()
    assert "| method | seconds | x lrtheory Adam float32 | note |" in table
    assert "Roofline" in table and "| target | wanted | reached | met |" in table
    # no GPU numbers are invented: without one the GPU row says so
    if data["info"]["device"].startswith("cpu"):
        assert "not rerun: no GPU lent to this session" in table


def test_folk_claims_row_and_baseline_edits(tmp_path):
    from benchmarks import folk_claims

    # no result file: the row says the target was not measured (nothing invented)
    assert "| not measured |" in bench.folk_row(tmp_path / "none.json")
    # a result file: the ratio over the sums and each pair's ratio, met against >= 3
    pairs = [{"baseline_s": 6.0, "today_s": 2.0, "ratio": 3.0},
             {"baseline_s": 5.0, "today_s": 2.0, "ratio": 2.5}]
    f = tmp_path / "folk.json"
    f.write_text(json.dumps({"date": "2026-12-07 10:00:00", "pairs": pairs,
                             "ratio_over_sums": 11.0 / 4.0, "target": 3.0}))
    row = bench.folk_row(f)
    assert "2.75 over the sums" in row and "(3.00, 2.50;" in row and row.endswith("| no |")
    # the baseline's edits still match today's source, once each (else the benchmark stops)
    for rel, old, _ in folk_claims.BASELINE_EDITS:
        assert (folk_claims.REPO / rel).read_text().count(old) == 1, rel
