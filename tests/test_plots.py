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
    with pytest.raises(ValueError, match=r"path must end in \.pdf.*fig\.png"):
        plots.savefig(fig, tmp_path / "fig.png")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plots.savefig("fig", tmp_path / "fig.pdf")
    with pytest.raises(ValueError, match="width must be 'single', 'double'"):
        plots.figure("triple")
    with pytest.raises(ValueError, match="height must be > 0"):
        plots.figure(3.0, height=-1.0)
