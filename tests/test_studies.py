"""Studies pipeline: the plumbing (tables, macros, cache) and every study at smoke size.

Each study runs at its tiny ``"smoke"`` grid into a temporary paper root; the test checks
the shape and sanity of what it wrote (files exist, tables have the rows the grid implies,
every macro is defined once with a finite number), not its timing.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from studies import _common

# ----------------------------------------------------------------------------- plumbing


def test_num_formats_plain_scientific_and_special_values():
    # Expected strings written by hand from the format rule: 3 significant digits, plain
    # for 1e-3 <= |x| < 1e5, otherwise mantissa x 10^e.
    assert _common.num(0.012345) == "0.0123"
    assert _common.num(1234.5) == "1234"  # 4 digits before the point, none after
    assert _common.num(2.0) == "2.00"
    assert _common.num(-0.5) == "-0.500"
    assert _common.num(1.234e-5) == r"\ensuremath{1.23\times10^{-5}}"
    assert _common.num(9.999e-6) == r"\ensuremath{1.00\times10^{-5}}"  # carry to next decade
    assert _common.num(0) == "0"
    assert _common.num(math.nan) == "--"
    assert _common.num(math.inf) == r"\ensuremath{\infty}"


def test_num_counts_the_decade_after_rounding():
    # by hand: 0.0999999 to 4 significant figures is 0.1000 (4 decimals, not 0.10000);
    # 9.9996 to 4 figures is 10.00; an interval whose bound sits just below a power of ten
    # then prints like its estimate
    assert _common.num(0.0999999, 4) == "0.1000"
    assert _common.num(9.9996, 4) == "10.00"
    assert _common.num(0.000999999) == "0.00100"
    assert _common.ci(0.1, 0.0999999, 0.1000001, 4) == "0.1000 [0.1000, 0.1000]"
    assert _common.ci(-0.12, -0.23, -0.0032, 2) == "-0.12 [-0.23, -0.0032]"


def test_camel_makes_letters_only_control_words():
    assert _common.camel("stab", "max dev", 1000) == "StabMaxDevOneZeroZeroZero"
    assert _common.camel("order_table", "q") == "OrderTableQ"


def test_write_macros_rejects_bad_names_and_writes_newcommands(tmp_path):
    path = _common.write_macros(tmp_path / "m.tex", {"StabMax": _common.macro(0.25)})
    assert r"\newcommand{\StabMax}{0.250}" in path.read_text()
    with pytest.raises(ValueError, match="letters only"):
        _common.write_macros(tmp_path / "m.tex", {"Stab2": _common.macro(1.0)})
    with pytest.raises(TypeError, match="Macro"):
        _common.write_macros(tmp_path / "m.tex", {"Stab": 1.0})


def test_write_table_escapes_text_and_checks_widths(tmp_path):
    path = _common.write_table(tmp_path / "t.tex", [["a_b", _common.Raw("$x^2$"), 0.5]],
                               ["name", "expr", "value"], "llr")
    text = path.read_text()
    assert r"a\_b & $x^2$ & 0.500 \\" in text
    assert text.count(r"\toprule") == 1 and text.count(r"\bottomrule") == 1
    with pytest.raises(ValueError, match="row 0 has 2 cells"):
        _common.write_table(tmp_path / "t.tex", [["a", "b"]], ["x", "y", "z"])


def test_mean_ci_matches_student_t_by_hand():
    # values 1, 2, 3: mean 2, sd 1, t_{0.975, 2} = 4.302652729911275 (scipy/tables), so the
    # half-width is 4.3027 / sqrt(3) = 2.48414; 1e-9 covers float rounding only.
    m, lo, hi = _common.mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0
    assert hi - m == pytest.approx(4.302652729911275 / math.sqrt(3), rel=1e-9)
    assert m - lo == pytest.approx(hi - m, rel=1e-12)
    assert math.isnan(_common.mean_ci([1.0])[1])


def test_mean_ci_resolution_widens_identical_quantised_values():
    # four seeds all at 0.5 with resolution 0.1: sd = sqrt(0 + 0.01/12) = 0.028868,
    # t_{0.975, 3} = 3.182446305284263 (scipy/tables): half-width 3.18245*0.028868/2.
    m, lo, hi = _common.mean_ci([0.5] * 4, resolution=0.1)
    assert m == 0.5
    assert hi - m == pytest.approx(3.182446305284263 * math.sqrt(0.01 / 12) / 2, rel=1e-9)
    assert _common.mean_ci([0.5] * 4)[1:] == (0.5, 0.5)  # without it: degenerate


def test_cache_reuses_values_and_does_not_cache_failures(tmp_path):
    ctx = _common.Context("stability", size="smoke", root=tmp_path, cache=tmp_path / "c")
    calls = []

    def compute():
        calls.append(1)
        return {"x": 1}

    assert ctx.cached({"a": 1}, compute) == {"x": 1}
    assert ctx.cached({"a": 1}, compute) == {"x": 1}
    assert len(calls) == 1  # second call read the pickle
    ctx.cached({"a": 2}, compute)
    assert len(calls) == 2  # another config is another key

    def boom():
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        ctx.cached({"a": 3}, boom)
    assert len(list((tmp_path / "c").glob("*.pkl"))) == 2


def test_registry_lists_every_study_in_paper_order():
    found = _common.names()
    assert found[0] == "stability"
    with pytest.raises(ValueError, match="unknown study"):
        _common.load("nope")


# ----------------------------------------------------------------------------- studies

_NEWCOMMAND = re.compile(r"\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}$")


def _check_outputs(out, ctx):
    """Files exist and are non-trivial; macros parse, are unique and match the JSON."""
    for fig in out.figures:
        assert fig.is_file() and fig.read_bytes()[:4] == b"%PDF", fig
        assert fig.parent == ctx.root / "figures"
    for tab in out.tables:
        text = tab.read_text()
        assert r"\begin{tabular}" in text and r"\bottomrule" in text, tab
        assert "nan" not in text.lower().replace("nan}", ""), tab  # no bare NaN cell
    lines = out.macros.read_text().splitlines()[1:]
    names = [_NEWCOMMAND.match(line).group(1) for line in lines]
    assert len(names) == len(set(names)) == len(out.numbers)
    numbers = json.loads(out.macros.with_suffix(".json").read_text())
    assert set(numbers) == set(names)
    for name, v in numbers.items():  # None: a text macro (a device name)
        assert v is None or math.isfinite(v), (name, v)
    return numbers


def run_smoke(name, tmp_path):
    ctx = _common.Context(name, size="smoke", root=tmp_path / "paper", cache=None)
    out = _common.load(name).run(ctx)
    return out, _check_outputs(out, ctx)


def _table_rows(path):
    """Body rows of a generated booktabs table (between midrule and bottomrule)."""
    lines = path.read_text().splitlines()
    body = lines[lines.index(r"\midrule") + 1: lines.index(r"\bottomrule")]
    return [r for r in body if r.endswith(r"\\")]


def test_stability_smoke(tmp_path):
    from studies import stability

    out, numbers = run_smoke("stability", tmp_path)
    grid = stability.GRID["smoke"]
    assert len(_table_rows(out.tables[0])) == len(grid["problems"])
    assert numbers["StabRuns"] == len(grid["problems"]) * grid["lr_times_L"][2]
    # kappa = 10 quadratic: the optimal rate is (kappa-1)/(kappa+1) = 9/11 exactly
    # (Polyak 1987); the macro is that theory value, not a measurement.
    assert numbers["StabTenOptRate"] == pytest.approx(9 / 11, rel=1e-12)
    # The smoke grid lr*L = 0.2, 0.6, ..., 2.2 straddles 2/L: the runs at 2.2 diverge, so
    # the measured stability edge lies between the last two grid points, 1.8 and 2.2.
    assert numbers["StabTenEdgeLo"] == pytest.approx(1.8)
    assert numbers["StabTenEdgeHi"] == pytest.approx(2.2)
    # GD on a quadratic contracts exactly by max|1 - lr lambda|: a measured rate off by
    # more than 0.05 would mean the estimator read the wrong window.
    assert 0 <= numbers["StabMaxDev"] < 0.05


def test_lr_finder_smoke(tmp_path):
    from studies import lr_finder

    out, numbers = run_smoke("lr_finder", tmp_path)
    grid = lr_finder.GRID["smoke"]
    assert len(_table_rows(out.tables[0])) == len(grid["problems"])
    assert numbers["FinderSeeds"] == grid["finder"]["seeds"]
    # Every suggestion is a learning rate from the ramp [lr_min, lr_max], so its ratio to
    # 2/(L+mu) = 2/11 lies in [lr_min, lr_max] * 11/2.
    lo, hi = grid["finder"]["lr_min"] * 5.5, grid["finder"]["lr_max"] * 5.5
    for name in ("Steep", "Valley", "Minimum"):
        assert lo / 10 <= numbers[f"FinderQTen{name}Ratio"] <= hi  # minimum is lr/10
    assert numbers["FinderMaxRatio"] >= 1.0  # max(r, 1/r) by construction


def test_tuning_budget_smoke(tmp_path):
    from studies import tuning_budget

    out, numbers = run_smoke("tuning_budget", tmp_path)
    grid = tuning_budget.GRID["smoke"]
    assert len(_table_rows(out.tables[0])) == 3 * len(grid["cases"])  # grid, random, bayes
    # GD on the kappa = 10 quadratic: theory's best rate is 9/11 (Polyak 1987), and no
    # search can beat it, so every reported excess is >= 0 (up to the rate fit's noise).
    assert numbers["TuneGdOptimum"] == pytest.approx(9 / 11, rel=1e-12)
    for s in ("Grid", "Random", "Bayes"):
        assert numbers[f"TuneGd{s}AtFour"] > -1e-3


def test_schedules_smoke(tmp_path):
    out, numbers = run_smoke("schedules", tmp_path)
    from studies import schedules

    assert len(_table_rows(out.tables[0])) == len(schedules.SCHEDULES)
    # f = x^2/2, constant lr 0.05: x_k = 0.95^k exactly, so the rate is 0.95 (measured and
    # theory); 1e-6 allows the envelope fit's rounding only.
    assert numbers["SchedQuadConstantMeas"] == pytest.approx(0.95, abs=1e-6)
    assert numbers["SchedQuadConstantTheory"] == pytest.approx(0.95, abs=1e-12)
    # exponential decay lr_k = 0.05 exp(-ln(100) k / 400) has a finite sum: x_k tends to
    # the level L = prod_k (1 - lr_k). Within T = 400 steps the run ends at
    # e_T = L / prod_{k >= T} (1 - lr_k); that tail product is computed here directly.
    k = np.arange(400, 400 * 60)
    tail = np.prod(1 - 0.05 * np.exp(-np.log(100) * k / 400))
    assert numbers["SchedQuadExponentialMeas"] == pytest.approx(
        numbers["SchedQuadExponentialTheory"] / tail, rel=2e-3)  # theory macro: 3 digits
    # the SGD noise floor on mini-batch least squares (Bach & Moulines 2013 form): the
    # measured tail mean must be of the formula's size; the multiplicative part of the
    # mini-batch noise, which the additive formula leaves out, only adds to it.
    assert 0.8 < numbers["SchedSgdRatioLo"] <= numbers["SchedSgdRatioHi"] < 1.5


def test_adaptive_smoke(tmp_path):
    from studies import adaptive

    out, numbers = run_smoke("adaptive", tmp_path)
    grid = adaptive.GRID["smoke"]
    assert len(_table_rows(out.tables[0])) == len(grid["methods"])
    lo, hi, n = grid["lrs"]
    step = math.log10(hi / lo) / (n - 1)
    assert numbers["AdaptGridStep"] == pytest.approx(step, rel=1e-12)
    for m in grid["methods"]:
        width = numbers[_common.camel("Adapt", m, "Ten", "Width")]
        # the width is a mean over seeds of whole numbers of grid steps within the span
        assert 0 <= width <= n * step + 1e-9
        k = width * grid["seeds"] / step
        assert k == pytest.approx(round(k), abs=1e-9)
    # GD on kappa = 10 (L = 10): it converges for lr < 2/L = 0.2 and the grid
    # 1e-3..1 (7 points, half-decade steps) has 0.1 inside that window: width > 0.
    assert numbers["AdaptSGDTenWidth"] > 0


def test_order_table_smoke(tmp_path):
    out, numbers = run_smoke("order_table", tmp_path)
    n_rows = sum(len(_table_rows(t)) for t in out.tables)
    assert n_rows == numbers["OrdRuns"]
    assert (numbers["OrdAgreeCount"] + numbers["OrdDisagreeCount"] + numbers["OrdFarCount"]
            + numbers["OrdInconclusiveCount"] + numbers["OrdNoTheoryCount"]) \
        == numbers["OrdRuns"]
    # Smoke grid: gd and heavy ball on the kappa = 10 quadratic and on scalar_smooth,
    # Newton on both, secant on scalar_smooth (7 runs). GD's rate on a quadratic is exact
    # (Polyak 1987), so at least that row agrees with theory.
    assert numbers["OrdRuns"] == 7
    assert numbers["OrdAgreeCount"] >= 1


def test_superlinear_smoke(tmp_path):
    out, numbers = run_smoke("superlinear", tmp_path)
    # Newton on f = exp(x) - 2x: q = 2 and C = |f'''/(2 f'')| = 1/2 at x* = ln 2 (Traub
    # 1964); at 60 digits the estimator sees enough iterates to get both to 1e-2.
    assert numbers["SupSmoothNewtonMpQ"] == pytest.approx(2.0, abs=1e-2)
    assert numbers["SupSmoothNewtonMpC"] == pytest.approx(0.5, abs=1e-2)
    assert numbers["SupSmoothNewtonTheoryC"] == pytest.approx(0.5, abs=1e-12)
    # secant: order (1 + sqrt 5)/2 (Traub 1964)
    assert numbers["SupSmoothSecantMpQ"] == pytest.approx((1 + math.sqrt(5)) / 2, abs=0.05)
    # more usable iterates at high precision than in float64: the point of the study
    assert numbers["SupSmoothNewtonMpUsed"] > numbers["SupSmoothNewtonFfUsed"]
    assert len(_table_rows(out.tables[0])) == 2


def test_scaling_smoke(tmp_path):
    from studies import scaling

    out, numbers = run_smoke("scaling", tmp_path)
    grid = scaling.GRID["smoke"]
    assert numbers["ScaleNMax"] == max(grid["ns"])
    assert numbers["ScaleThroughputAtMax"] > 0 and numbers["ScaleRunMax"] > 0
    # one count, one ratio: the speedup is the throughput at NMax over that at n = 1, and
    # the peak is at least the throughput at NMax (it is the maximum over the scan)
    assert numbers["ScaleSpeedup"] == pytest.approx(
        numbers["ScaleThroughputAtMax"] / numbers["ScaleThroughputOne"], rel=1e-12)
    assert numbers["ScaleThroughputPeak"] >= numbers["ScaleThroughputAtMax"]
    assert numbers["ScaleBenchAvailable"] in (0, 1)
    assert len(_table_rows(out.tables[0])) >= 1


# ----------------------------------------------------------------------------- judging words
def test_factor_words_names_numbers_not_flattering_orders():
    # The bands follow from the constants: "about the same" below 1.25; an order of
    # magnitude only for |log10 x - k| <= 0.15 (x in [10^0.85, 10^1.15] = [7.08, 14.1]).
    fw = _common.factor_words
    assert fw(1.2) == fw(1 / 1.2) == "about the same"
    assert fw(3.6) == "a factor of about 3.6"  # the issue-17 case: not "ten or more"
    assert fw(2.9) == "a factor of about 2.9"
    assert fw(61.0) == "a factor of about 61"  # log10 61 = 1.785: 0.215 from 2
    assert fw(10 ** 0.86) == fw(10 ** -1.14) == "about an order of magnitude"
    assert fw(10 ** 0.84) == "a factor of about 6.9"  # 10^0.84 = 6.92, just outside
    assert fw(100.0) == "about two orders of magnitude"
    with pytest.raises(ValueError, match="x must be a positive"):
        fw(0.0)
    assert _common.factor_macro(3.6) == _common.Macro(3.6, "a factor of about 3.6")
    assert _common.factor_macro(math.nan).latex == "--"


def test_ratio_is_symmetric_factor():
    assert _common.ratio(2.0, 8.0) == _common.ratio(8.0, 2.0) == 4.0
    assert math.isnan(_common.ratio(0.0, 1.0))


def test_claim_raises_when_data_contradict_text():
    _common.claim(True, "holds")
    with pytest.raises(_common.ClaimError, match="a factor of ten or more"):
        _common.claim(3.6 >= 10, "a factor of ten or more")


def test_leader_words_names_overlapping_intervals():
    lw = _common.leader_words
    assert lw({"Adam": (3.0, 2.5, 3.5), "SGD": (1.0, 0.5, 1.5)}) == "Adam"
    # SGD's interval [2.4, 3.2] reaches Adam's lower bound 2.5: not distinguishable
    assert lw({"Adam": (3.0, 2.5, 3.5), "SGD": (2.8, 2.4, 3.2)}) == \
        "Adam, not distinguishable from SGD"
    assert lw({"a": (1.0, 0.9, 1.1), "b": (2.0, 1.9, 2.1)}, larger=False) == "a"
    assert lw({"a": (3, 2, 4), "b": (2.5, 1.5, 3.5), "c": (2.1, 2, 2.2), "d": (0, 0, 0)}) \
        == "a, not distinguishable from b and c"


def test_count_words_never_overstates():
    assert _common.count_words(9, 9) == "all 9"
    assert _common.count_words(0, 9) == "none"
    assert _common.count_words(3, 9) == "3 of 9"
    with pytest.raises(ValueError, match="0 <= n <= total"):
        _common.count_words(10, 9)


def test_context_claim_raises_on_the_papers_grid_only(tmp_path):
    # the full grid is what the text describes: a contradiction stops make reproduce; the
    # smoke grid is too small to describe, so the claim is only reported back.
    full = _common.Context("stability", size="full", root=tmp_path, cache=None)
    smoke = _common.Context("stability", size="smoke", root=tmp_path, cache=None)
    with pytest.raises(_common.ClaimError, match="widest"):
        full.claim(False, "Adam has the widest window")
    assert smoke.claim(False, "Adam has the widest window") is False
    assert full.claim(True, "holds") is True


def _cells(row):
    return [c.strip() for c in row.removesuffix(r"\\").split(" & ")]


def test_estimator_thresholds_table_lists_every_threshold_field(tmp_path):
    import dataclasses

    from lrtheory.estimate import THRESHOLDS, Thresholds

    out, numbers = run_smoke("estimator", tmp_path)
    rows = _table_rows(tmp_path / "paper" / "generated" / "estimator_thresholds.tex")
    # one row per dataclass field, in declaration order, derived here with
    # dataclasses.fields (not through the study's helper)
    fs = dataclasses.fields(Thresholds)
    assert numbers["EstThresholdCount"] == len(fs) == len(rows)
    for f, row in zip(fs, rows, strict=True):
        name, value, meaning = _cells(row)
        assert name == r"\textsf{" + _common.escape(f.name) + "}"
        v = getattr(THRESHOLDS, f.name)
        shown = [float(x) for x in value.split(", ")]
        # printed to 4 significant digits: relative error at most 5e-4
        assert shown == pytest.approx(list(v) if isinstance(v, tuple) else [v], rel=5e-4)
        assert _common.escape(f.metadata["doc"]) in meaning


def test_estimator_validation_tables_match_the_validation_module(tmp_path):
    from scipy import stats

    from lrtheory.estimate import validation as val

    out, numbers = run_smoke("estimator", tmp_path)
    tables = {p.stem: p for p in out.tables}
    # the validation module called directly at the smoke size (its cases(small=True))
    fam = {}
    for key, held in (("main", False), ("held", True)):
        cs = val.cases(held_out=held, small=True)
        rows = val.evaluate(cs)
        fam[key] = (rows, val.summary(rows), val.ablation(cs))
    (rows_m, sum_m, abl_m), (rows_h, sum_h, abl_h) = fam["main"], fam["held"]
    right_m, right_h = sum(r["right"] for r in rows_m), sum(r["right"] for r in rows_h)
    assert numbers["EstValN"] == len(rows_m) and numbers["EstValRight"] == right_m
    assert numbers["EstHeldN"] == len(rows_h) and numbers["EstHeldRight"] == right_h
    assert numbers["EstValAcc"] == pytest.approx(100 * right_m / len(rows_m))

    # per class: right/n for the main and the held-out family; last row: all
    vrows = [_cells(r) for r in _table_rows(tables["estimator_validation"])]
    assert [r[0] for r in vrows[:-1]] == [_common.escape(c) for c in sum_m]
    for r, (c, s) in zip(vrows, sum_m.items(), strict=False):
        assert r[1] == f"{s['right']}/{s['n']}"
        assert r[4] == (f"{sum_h[c]['right']}/{sum_h[c]['n']}" if c in sum_h else "--")
    assert vrows[-1][1] == f"{right_m}/{len(rows_m)}"
    assert vrows[-1][4] == f"{right_h}/{len(rows_h)}"

    # coverage pooled per number over the noisy cases, with the Clopper-Pearson interval
    # from beta quantiles (Clopper and Pearson 1934), independently of the study's binomtest
    def pooled(rows):
        hits = {}
        for r in rows:
            for k, v in r.items():
                noisy = r["noisy"] is True or (isinstance(r["noisy"], tuple)
                                               and k[4:] in r["noisy"])
                if k.startswith("cov_") and noisy:
                    hits.setdefault(k[4:], []).append(bool(v))
        return {k: (sum(v), len(v)) for k, v in hits.items()}

    def cp(k, n):
        lo = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
        hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
        return f"{k / n:.2f} [{lo:.2f}, {hi:.2f}] ({n})"   # the table prints 2 decimals

    crows = [_cells(r) for r in _table_rows(tables["estimator_coverage"])]
    for col, rows in ((3, rows_m), (4, rows_h)):
        want = sorted(cp(k, n) for k, n in pooled(rows).values())
        assert sorted(r[col] for r in crows if r[col] != "--") == want
    assert all(r[2] == r"95\%" for r in crows)   # THRESHOLDS.LEVEL = 0.95

    # ablation: fraction right per class and overall (printed to 2 decimals), this
    # estimator vs the plain ones
    arows = [_cells(r) for r in _table_rows(tables["estimator_ablation"])]
    plain = ("COC", "ACOC", "last-half LS")
    for r, c in zip(arows, sum_m, strict=False):
        assert r == [_common.escape(c), f"{sum_m[c]['right'] / sum_m[c]['n']:.2f}",
                     *(f"{abl_m[k].get(c, 0.0):.2f}" for k in plain)]
    assert arows[-2][1:] == [f"{right_m / len(rows_m):.2f}",
                             *(f"{abl_m[k]['ALL']:.2f}" for k in plain)]
    assert arows[-1][1:] == [f"{right_h / len(rows_h):.2f}",
                             *(f"{abl_h[k]['ALL']:.2f}" for k in plain)]
    assert numbers["EstAblCoc"] == pytest.approx(100 * abl_m["COC"]["ALL"])
    assert numbers["EstAblAcoc"] == pytest.approx(100 * abl_m["ACOC"]["ALL"])
    assert numbers["EstAblLs"] == pytest.approx(100 * abl_m["last-half LS"]["ALL"])



def test_q_cell_says_when_q_was_rounded():
    from types import SimpleNamespace as NS

    # with round_q=True the estimator's q is the standard order and q_fit the fit it was
    # rounded from; the cell shows both
    est = NS(q=2.0, q_fit=1.998, q_ci=(1.96, 2.0))
    assert _common.q_fit(est) == 1.998
    assert _common.q_cell(est) == r"2.00 [1.96, 2.00]$^r$ (1.998)"
    plain = NS(q=1.7, q_fit=1.7, q_ci=None)
    assert _common.q_fit(plain) is None and _common.q_cell(plain) == "1.70"


def test_q_cell_gives_a_q_superlinear_interval_to_its_fit_not_to_q():
    from lrtheory.estimate import estimate_order

    # e_(k+1) = e_k / (2 (1 + 0.2 k)): ratios fall to 0 with no fixed order, so q = 1
    # (C_k -> 0) and the interval is the regression slope's; the cell must not print q = 1
    # next to an interval that excludes 1 as if it were q's
    e = [1.0]
    for k in range(40):
        e.append(e[-1] * 0.5 / (1 + 0.2 * k))
    est = estimate_order(e)
    assert est.ratio_to_zero and est.q == 1.0 and est.q_fit is not None
    cell = _common.q_cell(est)
    assert cell.startswith("1$^Q$ (") and "$^r$" not in cell


def test_stability_outcome_never_counts_a_bounded_run_as_diverged():
    from studies.stability import FLOOR_REL, outcome

    nan = math.nan
    assert outcome("linear", "ok", nan, 1.0, 1.0) == "linear"
    assert outcome("diverged", "ok", nan, 1.0, 2.1) == "diverged"
    assert outcome("stalled", "diverged", nan, 1.0, 2.1) == "diverged"  # blew up
    # past 2/L, bounded, settled at a level: edge-of-stability, not diverged
    assert outcome("stalled", "ok", 0.03, 1.0, 2.05) == "bounded"
    assert outcome("oscillating", "ok", nan, 1.0, 2.2) == "bounded"
    assert outcome("sublinear", "ok", nan, 1.0, 2.0) == "edge"  # theoretical rate 1
    # a stall FLOOR_REL below the start is the round-off floor, above it it is not
    assert outcome("stalled", "ok", 0.5 * FLOOR_REL, 1.0, 0.9) == "floor"
    assert outcome("stalled", "ok", 2.0 * FLOOR_REL, 1.0, 0.9) == "other"
    assert outcome("undetermined", "ok", nan, 1.0, 0.02) == "slow"
