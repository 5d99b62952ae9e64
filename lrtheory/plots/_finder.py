"""Figure helper: the learning-rate range test (loss against a logarithmic lr axis)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from lrtheory.plots._style import PALETTE, figure, use_style

_SUGGESTION_MARKERS = {"steep": "v", "valley": "o", "minimum": "s"}


def lr_finder(result, ax: Axes | None = None, *, raw: bool = True,
              legend: bool = True) -> Axes:
    r"""Draw a range test: smoothed loss against the learning rate on a log axis.

    One line per seed (the smoothed loss :math:`\bar\ell_k` up to its divergence point;
    the raw loss faint behind it when ``raw``), each seed's suggestions marked on its
    curve (``steep`` triangle, ``valley`` circle, ``minimum`` / 10 square), the median
    divergence point as a grey dashed line, and, when the result carries ``L`` and
    ``mu``, gradient descent's landmarks :math:`2/(L+\mu)` (best step) and :math:`2/L`
    (stability limit) as vertical lines, labelled "(GD)" whatever method was tested (they
    are gradient descent's, not Adam's). Plots only what the result holds.

    Args:
      result: a :class:`lrtheory.tuning.LRFinderResult`.
      ax: axis to draw on; default a new single-column figure in the house style.
      raw: also draw the raw (unsmoothed) losses, faint.
      legend: draw a legend.

    Returns:
      The axis (save its figure with :func:`lrtheory.plots.savefig`).

    Example:
      >>> from lrtheory.problems import quadratic
      >>> from lrtheory.tuning import find_lr
      >>> res = find_lr("gd", quadratic(dim=4, cond=10.0, seed=0), 1e-3, 10.0, steps=60)
      >>> ax = lr_finder(res)
      >>> ax.get_xscale(), ax.get_xlabel()
      ('log', 'learning rate $\\alpha$')
    """
    lrs = np.asarray(result.lrs)
    n_used = np.asarray(result.n_used)
    with use_style():
        if ax is None:
            ax = figure().add_subplot()
        used = [result.smoothed[s, : n_used[s]] for s in range(len(result.seeds))]
        positive = all(np.all(u > 0) for u in used)
        top = max(float(np.max(u)) for u in used)
        for s, sm in enumerate(used):
            n = n_used[s]
            if raw:
                ax.plot(lrs[:n], np.minimum(result.loss[s, :n], 3 * abs(top)), color="0.7",
                        linestyle="-", marker="", linewidth=0.5,
                        label="raw loss" if s == 0 else None)
            ax.plot(lrs[:n], sm, color=PALETTE[0], linestyle="-", marker="", linewidth=0.9,
                    label=f"smoothed ({len(used)} seed{'s' * (len(used) > 1)})"
                    if s == 0 else None)
        for j, sug in enumerate((result.steep, result.valley, result.minimum)):
            xs = np.asarray(sug.per_seed)
            # the marker sits on each seed's curve (linear interpolation in log lr)
            ys = [np.interp(np.log(x), np.log(lrs[: n_used[s]]), used[s])
                  for s, x in enumerate(xs)]
            ax.plot(xs, ys, linestyle="none", marker=_SUGGESTION_MARKERS[sug.name],
                    color=PALETTE[1 + j], label=f"{sug.name} {sug.lr:.2g}")
        if result.lr_diverged is not None:
            ax.axvline(result.lr_diverged, color="0.45", linestyle="--", marker="",
                       linewidth=0.8, label=f"diverged {result.lr_diverged:.2g}")
        if result.lr_opt is not None:
            ax.axvline(result.lr_opt, color=PALETTE[5], linestyle=":", marker="",
                       linewidth=1.0, label=r"$2/(L+\mu)$ (GD)")
        if result.lr_stable is not None:
            ax.axvline(result.lr_stable, color=PALETTE[6], linestyle="-.", marker="",
                       linewidth=1.0, label=r"$2/L$ (GD)")
        ax.set_xscale("log")
        if positive:
            ax.set_yscale("log")
        ax.set_xlabel(r"learning rate $\alpha$")
        ax.set_ylabel(r"loss $\ell$ (smoothed $\bar\ell$)")
        if legend:
            ax.legend()
    return ax
