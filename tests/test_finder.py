"""Structure of the range-test figure: what is drawn, where, on which scales."""

import dataclasses

import numpy as np
import pytest

from lrtheory import plots
from lrtheory.problems import quadratic
from lrtheory.tuning import find_lr

# quadratic(dim=4, cond=10): mu = 1, L = 10 exactly, so the theory marks sit at
# 2/L = 0.2 and 2/(L+mu) = 2/11.
RES = find_lr("gd", quadratic(dim=4, cond=10.0, seed=0), lr_min=1e-3, lr_max=10.0,
              steps=60, seeds=3)


def vlines(ax):
    """x positions of vertical lines (axvline: two points with equal x)."""
    return [ln.get_xdata()[0] for ln in ax.get_lines()
            if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] == ln.get_xdata()[1]]


def curves_of(ax):
    """Drawn curves: lines (not marker-only series) with more than two points."""
    return [ln for ln in ax.get_lines()
            if ln.get_linestyle() != "None" and len(ln.get_xdata()) > 2]


def test_pdf_is_written(tmp_path):
    ax = plots.lr_finder(RES)
    out = plots.savefig(ax.figure, tmp_path / "finder.pdf")
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 2000


def test_axes_lines_and_markers():
    ax = plots.lr_finder(RES)
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"  # f - f* > 0 on every used record
    assert ax.get_xlabel() == r"learning rate $\alpha$"
    lines = ax.get_lines()
    # one smoothed and one raw line per seed, each as long as the seed's used records
    curves = curves_of(ax)
    assert len(curves) == 2 * len(RES.seeds)
    assert sorted(len(ln.get_xdata()) for ln in curves) == sorted(2 * list(RES.n_used))
    # one marker series per suggestion, at the per-seed learning rates
    marks = {ln.get_marker(): ln for ln in lines if ln.get_linestyle() == "None"}
    assert set(marks) == {"v", "o", "s"}
    for m, sug in zip("vos", (RES.steep, RES.valley, RES.minimum), strict=True):
        np.testing.assert_array_equal(marks[m].get_xdata(), sug.per_seed)
        # each marker sits on (between the extremes of) its seed's smoothed curve
        y = marks[m].get_ydata()
        assert np.all(y >= RES.smoothed.min()) and np.all(y <= RES.smoothed.max())
    # theory marks at 2/(L+mu) = 2/11 and 2/L = 0.2, and the divergence point
    xs = vlines(ax)
    assert len(xs) == 3
    np.testing.assert_allclose(sorted(xs), sorted([2 / 11, 0.2, RES.lr_diverged]),
                               rtol=1e-12)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # gradient descent's landmarks, labelled as GD's whatever method was tested
    assert r"$2/L$ (GD)" in labels and r"$2/(L+\mu)$ (GD)" in labels
    assert any(lab.startswith("valley ") for lab in labels)


def test_no_theory_marks_without_L_and_mu_and_drawing_on_a_given_axis():
    bare = dataclasses.replace(RES, L=None, mu=None)
    fig = plots.figure()
    ax0 = fig.add_subplot()
    ax = plots.lr_finder(bare, ax=ax0, raw=False, legend=False)
    assert ax is ax0 and ax.get_legend() is None
    assert len(curves_of(ax)) == len(RES.seeds)
    assert vlines(ax) == pytest.approx([RES.lr_diverged])  # only the divergence point
