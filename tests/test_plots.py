"""Tests for lrtheory.plots: structure of the figures (lines, labels, files), not pixels."""

import math
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.figure import Figure

from lrtheory import plots
from lrtheory import schedules as S


def _curves():
    return [("exponential", S.exponential(0.1, 0.05)), ("step", S.step(0.1, 0.5, 20)),
            ("triangular", S.triangular(0.01, 0.1, 10))]


def test_schedule_figure_structure_and_pdf(tmp_path):
    ax = plots.schedules(_curves(), steps=100, log=True)
    lines = ax.get_lines()
    assert len(lines) == 3
    assert [ln.get_label() for ln in lines] == ["exponential", "step", "triangular"]
    assert ax.get_xlabel() == "step $k$" and "alpha_k" in ax.get_ylabel()
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["exponential", "step",
                                                                   "triangular"]
    # the plotted data are the schedule's values: 0.1 e^{-0.05 k} at k = 0..99 (closed form;
    # rtol 1e-12 as in test_schedules, the values pass through float64 unchanged)
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(100))
    np.testing.assert_allclose(lines[0].get_ydata(), [0.1 * math.exp(-0.05 * k)
                                                      for k in range(100)], rtol=1e-12)
    # house size: one column of a two-column paper
    assert ax.figure.get_size_inches().tolist() == [plots.SINGLE_COLUMN, 2.2]
    out = plots.savefig(ax.figure, tmp_path / "deep" / "er" / "schedules.pdf")
    data = out.read_bytes()
    assert out.parent.is_dir() and data.startswith(b"%PDF") and len(data) > 1000
    # no creation date in the file: saving again gives the same bytes (reproducible builds)
    again = plots.savefig(ax.figure, tmp_path / "again.pdf").read_bytes()
    assert again == data


def test_lines_differ_in_greyscale():
    # seven curves: every line needs its own dash pattern and marker, not just a colour
    curves = [(f"c{i}", S.constant(0.1 * (i + 1))) for i in range(7)]
    lines = plots.schedules(curves, np.arange(0, 50, 5)).get_lines()
    cycle = list(plots.CYCLE)
    assert len({str(c["linestyle"]) for c in cycle}) == 7
    assert len({c["marker"] for c in cycle}) == 7 == len({c["color"] for c in cycle})
    assert [ln.get_marker() for ln in lines] == [c["marker"] for c in cycle]
    assert [ln.get_color() for ln in lines] == [c["color"] for c in cycle]
    assert all(ln.get_label() == f"c{i}" for i, ln in enumerate(lines))


def test_draws_on_a_given_axis_with_values_and_linear_scale():
    with plots.use_style():
        fig = plots.figure("double")
        ax = fig.add_subplot()
    assert fig.get_size_inches().tolist() == [plots.DOUBLE_COLUMN, 2.72]  # 0.4 * 6.8
    vals = np.linspace(1.0, 0.0, 11)  # precomputed values are drawn as given
    out = plots.schedules([("given", vals)], steps=11, ax=ax, legend=False)
    assert out is ax and len(ax.get_lines()) == 1 and ax.get_legend() is None
    assert ax.get_yscale() == "linear"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), vals)


def test_style_is_scoped():
    before = dict(mpl.rcParams)
    plots.schedules(_curves(), steps=10)
    assert dict(mpl.rcParams) == before
    with plots.use_style():
        assert mpl.rcParams["font.size"] == 8.0 and mpl.rcParams["pdf.fonttype"] == 42
    assert isinstance(plots.figure(), Figure)


def test_import_sets_no_backend_and_no_pyplot():
    code = ("import matplotlib, sys; b = matplotlib.rcParams._get('backend'); "
            "import lrtheory, lrtheory.plots; "
            "print('matplotlib.pyplot' in sys.modules, matplotlib.rcParams._get('backend') == b)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"curves": [], "steps": 5}, ValueError, "curves must hold"),
    ({"curves": [("a", np.ones(4))], "steps": 5}, ValueError, r"curves\[0\] \('a'\)"),
    ({"curves": [S.constant(0.1)], "steps": 5}, TypeError, r"curves\[0\] must be a"),
    ({"curves": [("a", S.constant(0.1))], "steps": np.ones((2, 2))}, ValueError, "steps"),
])
def test_helper_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        plots.schedules(**kwargs)


def test_savefig_and_figure_errors(tmp_path):
    fig = plots.figure()
    with pytest.raises(ValueError, match=r"path must end in \.pdf, \.png or \.svg.*fig\.jpg"):
        plots.savefig(fig, tmp_path / "fig.jpg")
    assert not (tmp_path / "fig.jpg").exists()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plots.savefig("fig", tmp_path / "fig.pdf")
    with pytest.raises(ValueError, match="width must be 'single', 'double'"):
        plots.figure("triple")
    with pytest.raises(ValueError, match="height must be > 0"):
        plots.figure(3.0, height=-1.0)


# ------------------------------------------------------------------ formats by suffix
def test_savefig_writes_png_and_svg_by_suffix(tmp_path):
    ax = plots.schedules(_curves(), steps=20)
    png = plots.savefig(ax.figure, tmp_path / "s.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # 300 dpi: the PNG's width in pixels is about 300 x the figure's 3.3 in (bbox "tight"
    # trims a little); IHDR holds the width in bytes 16..20
    width = int.from_bytes(png[16:20], "big")
    assert 0.8 * 300 * plots.SINGLE_COLUMN < width <= 300 * plots.SINGLE_COLUMN + 10
    svg = plots.savefig(ax.figure, tmp_path / "s.svg").read_bytes()
    assert b"<svg" in svg[:1000] and b"<dc:date>" not in svg
    # no date and fixed ids: saving again gives the same bytes
    assert plots.savefig(ax.figure, tmp_path / "t.svg").read_bytes() == svg
    assert plots.check_figure_path("a/b.PDF").suffix == ".PDF"
    assert plots.FORMATS == (".pdf", ".png", ".svg")


# ------------------------------------------------------------------------ error curves
def _gd_diag():
    # GD at lr = 0.1 on diag(1, 10) from (1, 1): the stiff mode is removed in one step
    # (1 - 0.1 * 10 = 0) and the other contracts by 0.9, so dist_k = 0.9^k for k >= 1.
    import lrtheory as lrt

    p = lrt.problems.quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
    return lrt.run(lrt.methods.get("gd", lr=0.1), p, steps=120)


def test_error_curves_with_the_estimate():
    import lrtheory as lrt

    traj = _gd_diag()
    est = lrt.estimate_order(traj)
    ax = plots.errors({"GD": traj}, est)
    data, fit = ax.get_lines()
    assert data.get_label() == "GD" and fit.get_label().startswith("fit $C = 0.9")
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration $k$"
    assert ax.get_ylabel() == r"$\|x_k - x^\star\|$"
    k = np.arange(121)
    np.testing.assert_array_equal(data.get_xdata(), k)
    # rtol 1e-12: 120 float64 products of 0.9 (a few ulp each)
    np.testing.assert_allclose(data.get_ydata()[1:], 0.9 ** k[1:], rtol=1e-12)
    # the fit covers exactly the estimate's window and lies on 0.9^k there; rtol 1e-6:
    # the fitted C is 0.9 to ~1e-9 and is raised to powers up to ~120
    first, last = est.window
    np.testing.assert_array_equal(fit.get_xdata(), np.arange(first, last + 1))
    np.testing.assert_allclose(fit.get_ydata(), 0.9 ** fit.get_xdata(), rtol=1e-6)
    (span,) = ax.patches  # the window, shaded
    x0, x1 = span.get_x(), span.get_x() + span.get_width()
    assert (x0, x1) == (first, last)


def test_error_curves_draw_each_model():
    # Hand-built estimates: the fit drawn is the estimate's own model over its window.
    from lrtheory.estimate import OrderEstimate

    e_sub = 3.0 * np.arange(1, 61, dtype=float) ** -2.0  # e_k = 3 (k+1)^-2, drawn from k=0
    sub = OrderEstimate("sublinear", p=2.0, A=3.0, window=(10, 50))
    # e_{k+1} = 0.5 e_k^2 from e_0 = 0.1: e_k = 2 (0.05)^(2^k) (closed form)
    e_sup = [2 * 0.05 ** (2**k) for k in range(6)]
    sup = OrderEstimate("superlinear", q=2.0, rate=0.5, window=(0, 4))
    ax = plots.errors([e_sub, e_sup], [sub, sup])
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels == ["run 0", "fit $p = 2$", "run 1", "fit $q = 2$, $C = 0.5$"]
    fit_sub, fit_sup = ax.get_lines()[1], ax.get_lines()[3]
    np.testing.assert_array_equal(fit_sub.get_xdata(), np.arange(10, 51))
    # A k^-p at k = 10..50 (the model's own index); rtol 1e-14: one power each
    np.testing.assert_allclose(fit_sub.get_ydata(), 3.0 * np.arange(10, 51.0) ** -2.0,
                               rtol=1e-14)
    # rtol 1e-10: the recursion in logarithms, 4 steps (errors down to 1e-20)
    np.testing.assert_allclose(fit_sup.get_ydata(), e_sup[:5], rtol=1e-10)
    assert ax.get_ylabel() == r"error $e_k$" and len(ax.patches) == 2
    # no estimate, no window: only the curves
    assert len(plots.errors(e_sup).get_lines()) == 1


@pytest.mark.parametrize(("args", "match"), [
    (({"a": [1.0, 0.5], "b": [1.0, 0.5]}, [None]), "one estimate per run"),
    (("text",), "runs must be"),
    (([[[1.0]]],), r"runs\[0\] must be a Trajectory"),
])
def test_error_curve_input_errors(args, match):
    with pytest.raises(ValueError, match=match):
        plots.errors(*args)


# ------------------------------------------------------------------- q_k and C_k panels
def test_orders_panels():
    from lrtheory.estimate import per_iteration

    # e_{k+1} = 0.5 e_k^2 (C = 1/2, q = 2) from 0.1: e_k = 2 (0.05)^(2^k); exact q_k = 2
    # and, with q = 2, C_k = 1/2, up to float64 rounding of the logarithms (rtol 1e-9)
    e = [2 * 0.05 ** (2**k) for k in range(7)]
    t = per_iteration(e, q=2)
    ax_q, ax_C = plots.orders({"Newton-like": t}, q={"Newton-like": 2}, C=0.5)
    (q_line, q_ref), (c_line, c_ref) = ax_q.get_lines(), ax_C.get_lines()
    assert q_line.get_label() == "Newton-like" and q_ref.get_label() == "theory $q = 2$"
    assert c_ref.get_label() == "theory $C = 0.5$" and ax_C.get_yscale() == "log"
    assert ax_q.get_ylabel() == "order $q_k$" and ax_C.get_ylabel() == "constant $C_k$"
    q = np.asarray(q_line.get_ydata(), float)
    assert np.isnan(q[0]) and np.isnan(q[-1])  # undefined at the ends: gaps, not zeros
    np.testing.assert_allclose(q[1:-1], 2.0, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(c_line.get_ydata(), float)[:-1], 0.5, rtol=1e-9)
    assert ax_q.figure is ax_C.figure
    assert ax_q.figure.get_size_inches()[0] == plots.DOUBLE_COLUMN
    with pytest.raises(ValueError, match="lacks columns"):
        plots.orders({"x": t.drop(columns="C_k")})


# ------------------------------------------------------------------------ sweep tables
def _table():
    import pandas as pd

    # a hand-made sweep table: at lr 0.1 two seeds measured 0.8 and 0.9 (median 0.85),
    # lr 0.2 one seed 0.6, lr 1.0 diverged with growth 1.5 and 2.5 (median 2.0)
    return pd.DataFrame({
        "method": ["gd"] * 5, "lr": [0.1, 0.1, 0.2, 1.0, 1.0], "seed": [0, 1, 0, 0, 1],
        "regime": ["linear", "linear", "linear", "diverged", "diverged"],
        "rate": pd.array([0.8, 0.9, 0.6, None, None], dtype="Float64"),
        "growth": pd.array([None, None, None, 1.5, 2.5], dtype="Float64"),
    })


def test_rate_map_draws_measured_medians_and_labelled_theory():
    from types import SimpleNamespace

    a = np.geomspace(0.05, 1.0, 30)
    th = np.maximum(abs(1 - a), abs(1 - 4 * a))  # spectrum {1, 4}: 2/L = 0.5, 2/5 = 0.4
    ax = plots.rate_map(_table(), (a, th), SimpleNamespace(lr_max=0.5, lr_opt=0.4),
                        theory_of="GD", ymax=1.3)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_array_equal(lines["gd"].get_xdata(), [0.1, 0.2])
    np.testing.assert_allclose(lines["gd"].get_ydata(), [0.85, 0.6], rtol=1e-15)
    assert lines["gd: diverged (growth)"].get_ydata().tolist() == [1.3]  # 2.0 clipped
    theory = lines[r"theory (GD): $\max_i|1-\alpha\lambda_i|$"]
    np.testing.assert_array_equal(theory.get_ydata(), th)
    assert lines["$2/L$ (GD)"].get_xdata()[0] == 0.5
    assert lines[r"$2/(L+\mu)$ (GD)"].get_xdata()[0] == 0.4
    assert ax.get_xscale() == "log" and ax.get_ylim() == (0.0, 1.3)
    # theory as a DataFrame, labelled with another method; no limits
    import pandas as pd

    ax = plots.rate_map(_table(), pd.DataFrame({"lr": a, "rate": th}), theory_of="Polyak")
    assert r"theory (Polyak): $\max_i|1-\alpha\lambda_i|$" in [
        ln.get_label() for ln in ax.get_lines()]


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"table": _table().drop(columns="growth")}, ValueError, r"missing \['growth'\]"),
    ({"table": _table().iloc[:0]}, ValueError, "no rows"),
    ({"table": _table(), "theory": ([0.1, 0.2], [0.5])}, ValueError, "one length"),
    ({"table": _table(), "limits": 0.5}, TypeError, "lr_max and lr_opt"),
])
def test_rate_map_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        plots.rate_map(**kwargs)


def test_regime_map_majority_per_cell():
    import pandas as pd

    # cell (0.1, 0.5): linear, linear, diverged -> linear; cell (1, 0.5): one linear, one
    # diverged -> the tie goes to the earlier regime (linear); (1, 5): oscillating
    t = pd.DataFrame({"lr": [0.1, 0.1, 0.1, 1.0, 1.0, 1.0],
                      "beta": [0.5, 0.5, 0.5, 0.5, 0.5, 5.0],
                      "regime": ["linear", "linear", "diverged", "diverged", "linear",
                                 "oscillating"]})
    ax = plots.regime_map(t, "beta")
    cells = {c.get_label(): sorted(map(tuple, c.get_offsets().tolist()))
             for c in ax.collections}
    assert cells == {"linear": [(0.1, 0.5), (1.0, 0.5)], "oscillating": [(1.0, 5.0)]}
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"  # beta spans 10x
    assert ax.get_xlabel() == r"learning rate $\alpha$" and ax.get_ylabel() == "beta"
    assert plots.regime_map(t, "beta", log_y=False).get_yscale() == "linear"
    with pytest.raises(ValueError, match="not regimes"):
        plots.regime_map(t.assign(regime="fast"), "beta")
    with pytest.raises(ValueError, match=r"missing \['gamma'\]"):
        plots.regime_map(t, "gamma")
