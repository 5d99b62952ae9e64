"""The folk-claims study (issue 8): the verdict rule, its helpers, and a smoke-size run.

The rule is checked on effects whose t-intervals are computed by hand; the smoke run
checks the shape of what the study writes (nine statements covering claims 1-6, verdicts
from the allowed set, finite numbers, figures and tables in a temporary paper root) and
one outcome that theory fixes exactly.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from studies import _common, folk_claims
from studies._folk import regimes
from studies._folk.common import log_ratio, nanmean_last, run_reduced
from studies._folk.minima import success_reducer
from studies._folk.verdict import Effect, is_verdict, summarise, verdict, verdict_code

# Student t with 2 degrees of freedom has the closed-form quantile
# t_p = (2p - 1) / sqrt(2 p (1 - p)); at p = 0.975 that is 4.3027 (printed tables: 4.303).
T2 = 0.95 / math.sqrt(2 * 0.975 * 0.025)


def _eff(values, band=0.05, **setting):
    return Effect("x", setting or {"problem": "p"}, np.asarray(values, float), band, "")


# ----------------------------------------------------------------------------- the rule

def test_summarise_t_interval_and_outcomes_by_hand():
    # [1, 2, 3]: mean 2, sd 1, half-width 4.3027/sqrt(3) = 2.484: the interval
    # [-0.484, 4.484] contains 0 and leaves the band: inconclusive.
    s = summarise(_eff([1.0, 2.0, 3.0], band=0.5))
    assert s.mean == 2.0 and s.n == 3
    assert s.hi - s.mean == pytest.approx(T2 / math.sqrt(3), rel=1e-12)
    assert s.outcome == "inconclusive"
    # [0.19, 0.2, 0.21]: sd 0.01, half-width 0.0248: [0.175, 0.225] > 0: for.
    assert summarise(_eff([0.19, 0.2, 0.21])).outcome == "for"
    # the mirror image lies below 0: against (the opposite direction).
    assert summarise(_eff([-0.19, -0.2, -0.21])).outcome == "against"
    # [0.009, 0.01, 0.011]: > 0 but inside the band (-0.05, 0.05): no practical effect.
    assert summarise(_eff([0.009, 0.01, 0.011])).outcome == "against"
    # identical seeds: a zero-width interval at the value.
    assert summarise(_eff([1.0] * 5)).outcome == "for"
    # one finite seed gives no interval.
    assert summarise(_eff([0.3, np.nan])).outcome == "inconclusive"


def test_verdict_rule_cases():
    up, zero, noisy = [0.19, 0.2, 0.21], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]
    assert verdict([_eff(up, problem="a"), _eff(up, problem="b")]) == "supported"
    assert verdict([_eff(zero, problem="a"), _eff(noisy, problem="b")]) == "refuted"
    assert verdict([_eff(noisy, problem="a"), _eff(noisy, problem="b")]) == "inconclusive"
    assert verdict([_eff(up, problem="a"), _eff(zero, problem="b")]) == "depends on problem"
    # two variables, only the second separates "for" from the rest
    two = [_eff(up, problem="a", noise="none"), _eff(zero, problem="a", noise="batch"),
           _eff(up, problem="b", noise="none"), _eff(zero, problem="b", noise="batch")]
    assert verdict(two) == "depends on noise"
    # neither variable alone separates: both are named
    xor = [_eff(up, problem="a", noise="none"), _eff(zero, problem="a", noise="batch"),
           _eff(zero, problem="b", noise="none"), _eff(up, problem="b", noise="batch")]
    assert verdict(xor) == "depends on problem and noise"
    with pytest.raises(ValueError, match="non-empty"):
        verdict([])


def test_verdict_codes_and_allowed_set():
    assert [verdict_code(v) for v in ("supported", "refuted", "inconclusive")] == [1, -1, 0.5]
    assert verdict_code("depends on problem") == 0.0
    assert is_verdict("depends on gradient and budget")
    assert not is_verdict("depends on ") and not is_verdict("true")
    with pytest.raises(ValueError, match="not a verdict"):
        verdict_code("maybe")


def test_censored_pairs_carry_no_information():
    # steps 10 vs 100 (both reached): log10(10/100) = -1; both at the budget: NaN.
    v = log_ratio(np.array([10.0, 50.0]), np.array([100.0, 50.0]),
                  np.array([True, False]), np.array([True, False]))
    assert v[0] == pytest.approx(-1.0, abs=1e-15) and np.isnan(v[1])
    # mean over the last axis ignoring NaN, and a silent NaN for an all-NaN row
    m = nanmean_last(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]]))
    assert m[0] == 2.0 and np.isnan(m[1])


def test_regime_labels_follow_the_stated_order():
    r = {"diverged": np.array([True, False, False, False, False]),
         "first": np.array([5, 10, 12, -1, -1]),
         "zig": np.array([0.0, 0.1, 0.9, 0.0, 0.0]),
         "mono": np.array([1.0, 1.0, 1.0, 0.95, 0.5])}
    assert regimes.label(r).tolist() == ["diverged", "linear", "overshooting", "slow",
                                         "oscillating"]


def test_success_means_ending_in_the_global_basin():
    # Double well f = (x^2 - 1)^2 + 0.3 x: its local maximum at x = 0.0754 separates the
    # global well (x* = -1.0356) from the other one (0.9601). GD with a small step from
    # -0.5 (f' = 1.8 > 0) and 0.5 (f' = -1.2 < 0) stays in its start's well: 400 steps of
    # 0.05 (|1 - 0.05 f''| <= 0.65 at both minima) end next to that well's minimum.
    from lrtheory import methods, problems

    p = problems.double_well()
    out = run_reduced(lambda lr: methods.get("gd", lr=lr), p, 400,
                      {"lr": np.full(2, 0.05)}, np.array([[-0.5], [0.5]]),
                      reducer=success_reducer(p.x_star.reshape(1, 1)), keep_x=True)
    assert out["success"].tolist() == [True, False]
    assert out["diverged"].tolist() == [False, False]


# ----------------------------------------------------------------------------- smoke run

_NEWCOMMAND = re.compile(r"\\newcommand\{\\([A-Za-z]+)\}\{(.*)\}$")


def test_smoke_run_writes_a_verdict_for_every_claim(tmp_path):
    ctx = _common.Context("folk_claims", size="smoke", root=tmp_path / "paper", cache=None)
    out = folk_claims.run(ctx)
    assert len(out.figures) == 6
    for fig in out.figures:
        assert fig.parent == ctx.root / "figures" and fig.read_bytes()[:4] == b"%PDF"
    verdicts, evidence = out.tables
    rows = [r for r in verdicts.read_text().splitlines() if r.endswith(r"\\")][1:]
    labels = [r.split(" & ")[0] for r in rows]
    assert labels == [c[0] for c in folk_claims.CLAIMS]
    assert {lab.rstrip("ab") for lab in labels} == {"1", "2", "3", "4", "5", "6"}
    for r in rows:
        v = re.search(r"\\textbf\{(.*)\}", r).group(1)
        assert is_verdict(v), r
    assert r"\bottomrule" in evidence.read_text()
    # macros: each defined once, numbers finite, verdict strings from the rule
    lines = out.macros.read_text().splitlines()[1:]
    parsed = dict(_NEWCOMMAND.match(line).groups() for line in lines)
    assert len(parsed) == len(lines) == len(out.numbers)
    numbers = json.loads(out.macros.with_suffix(".json").read_text())
    assert all(math.isfinite(v) for v in numbers.values()), \
        [k for k, v in numbers.items() if not math.isfinite(v)]
    for label, _, _ in folk_claims.CLAIMS:
        name = _common.camel("Folk", "verdict", label)
        assert is_verdict(parsed[name]) and numbers[name] == verdict_code(parsed[name])
    # Claim 1a on the quadratic (mu = 1, L = 4): at 1.5 * 2/L every mode with lambda = L
    # is multiplied by |1 - 3| = 2 per step, so no run converges, while at 2/(L + mu)
    # every gradient component shrinks by at least (L - mu)/(L + mu) = 0.6 per step and
    # 0.6^14 < 1e-3 (the tolerance) within the 40 steps: every run converges (Polyak
    # 1987). The fail-fraction difference is 1 exactly.
    assert numbers["FolkOneAConvexQuadraticMean"] == 1.0


def test_for_must_clear_the_same_threshold_as_against():
    # [0.04, 0.06, 0.08]: mean 0.06, sd 0.02, half-width 4.3027 * 0.02 / sqrt(3) = 0.0497:
    # [0.0103, 0.1097] is above 0 but contains delta = 0.05: not "for" (old rule: lo > 0).
    s = summarise(_eff([0.04, 0.06, 0.08], band=0.05))
    assert s.lo == pytest.approx(0.06 - T2 * 0.02 / math.sqrt(3), rel=1e-12)
    assert s.lo > 0 and s.outcome == "inconclusive"
    # [0.3, 0.4, 0.5] with delta 0.05: [0.152, 0.648] clears delta: for.
    assert summarise(_eff([0.3, 0.4, 0.5])).outcome == "for"


def test_quantised_effects_get_a_nondegenerate_interval():
    # 6 seeds, every one a success-fraction difference of exactly 0 on 10 starts
    # (resolution 0.1): sd = sqrt(0.01/12) = 0.02887; t_{0.975, 5} = 2.570581835636314
    # (printed tables: 2.571), half-width 2.5706 * 0.02887 / sqrt(6) = 0.0303.
    e = Effect("x", {"problem": "p"}, np.zeros(6), 0.05, "success fraction", resolution=0.1)
    s = summarise(e)
    assert s.hi == pytest.approx(2.570581835636314 * math.sqrt(0.01 / 12) / math.sqrt(6),
                                 rel=1e-9)
    assert s.lo == -s.hi and s.hi > 0
    assert s.outcome == "against"  # [-0.0303, 0.0303] lies below delta = 0.05
    # with 3 seeds the half-width is 4.3027 * 0.02887 / sqrt(3) = 0.0717 > delta: the
    # rounding alone leaves it inconclusive
    assert summarise(e._replace(values=np.zeros(3))).outcome == "inconclusive"
