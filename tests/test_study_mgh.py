"""The MGH study at smoke size: Rosenbrock and Powell singular, every method.

Independent facts checked: Powell singular's Hessian at x* = 0 is singular (rank 2: the
two squared residuals have zero Jacobian there), so all its cells are "sing"; Newton's
method minimising it contracts linearly by (p - 2)/(p - 1) = 2/3 (its valley is quartic,
p = 4: x_{k+1} = x_k - f'/f'' = x_k (1 - 1/3) along it), in float64 and at high
precision; the tables have one row per function.
"""

from __future__ import annotations

import json

from studies import _common, mgh


def test_mgh_study_smoke(tmp_path):
    ctx = _common.Context("mgh", size="smoke", root=tmp_path / "paper", cache=None)
    out = _common.load("mgh").run(ctx)
    numbers = json.loads(out.macros.with_suffix(".json").read_text())
    grid = mgh.GRID["smoke"]
    assert numbers["MghFunctions"] == len(grid["problems"]) == 2
    for tab in out.tables:
        body = tab.read_text().split(r"\midrule")[1]
        assert body.count(r"\\") == 2  # one row per function
    assert numbers["MghSingularFunctions"] == 1
    # Powell singular: 6 float64 cells and 2 high-precision cells, all "sing".
    assert numbers["MghSingular"] == 6
    # Newton's linear ratio 2/3; the estimator fits it to a few 1e-4 in float64 and to
    # far better at 40 digits (the fit spans ~30 iterates of exact contraction).
    assert abs(numbers["MghPowellNewtonRate"] - 2 / 3) <= 1e-3
    assert abs(numbers["MghPowellNewtonRateMp"] - 2 / 3) <= 1e-4
    assert "2/3" in out.macros.read_text()
    # Every agreement cell carries one of the verdicts the paper explains.
    text = out.tables[1].read_text()
    assert {"sing"} <= {c.strip() for c in text.replace(r"\\", "&").split("&")}
