r"""Figure helpers for sweep tables: the rate map :math:`\hat C(\alpha)` and the regime map.

Both read a table of :func:`lrtheory.sweep` (one row per run) and estimate nothing: the
measured rate is the table's ``rate`` column (``growth`` for diverged runs), the regime its
``regime`` column; seeds of one cell are summarised by their median (rates) or their most
frequent regime. Theory is passed in, computed by the caller with :mod:`lrtheory.theory`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from lrtheory._vocab import Regime
from lrtheory.plots._style import CYCLE, PALETTE, figure, use_style

# One colour and marker per regime, fixed so that every regime map reads the same way.
_REGIME_STYLE = {
    Regime.SUPERLINEAR: (PALETTE[3], "*"),
    Regime.LINEAR: (PALETTE[2], "o"),
    Regime.SUBLINEAR: (PALETTE[6], "v"),
    Regime.FINITE: (PALETTE[0], "P"),
    Regime.STALLED: (PALETTE[4], "s"),
    Regime.OSCILLATING: (PALETTE[5], "D"),
    Regime.DIVERGED: (PALETTE[1], "x"),
    Regime.UNDETERMINED: ("0.6", "."),
}


def _need(table, cols: Sequence[str], what: str) -> None:
    have = set(getattr(table, "columns", ()))
    missing = [c for c in cols if c not in have]
    if missing:
        raise ValueError(f"{what} needs a sweep table with columns {list(cols)}; missing "
                         f"{missing} (got {type(table).__name__})")
    if len(table) == 0:
        raise ValueError(f"{what}: the table has no rows")


def _floats(col) -> np.ndarray:
    return np.asarray(col.astype("Float64").to_numpy(float, na_value=np.nan))


def _theory_pair(theory):
    if theory is None:
        return None
    if hasattr(theory, "columns"):
        _need(theory, ("lr", "rate"), "theory")
        return _floats(theory["lr"]), _floats(theory["rate"])
    try:
        lrs, rates = (np.asarray(v, dtype=float) for v in theory)
    except (TypeError, ValueError):
        raise ValueError("theory must be an (lrs, rates) pair of equal-length arrays or a "
                         "DataFrame with columns lr, rate") from None
    if lrs.shape != rates.shape or lrs.ndim != 1:
        raise ValueError(f"theory's lrs and rates must be 1-D of one length; got shapes "
                         f"{lrs.shape} and {rates.shape}")
    return lrs, rates


def rate_map(table, theory=None, limits=None, ax: Axes | None = None, *,
             theory_of: str = "GD", ymax: float = 1.3, legend: bool = True) -> Axes:
    r"""Draw the measured rate :math:`\hat C(\alpha)` of a sweep beside theory's.

    Per method of the table: the median over seeds of the estimated rate of the linear
    runs at each learning rate (open markers), and of the growth factor of the diverged
    runs (crosses, clipped at ``ymax``). Theory, when given: the curve
    :math:`\max_i |1 - \alpha\lambda_i|` and the landmarks :math:`2/(L+\mu)` (best step)
    and :math:`2/L` (stability limit), each labelled with the method they belong to
    (``theory_of``), since they are gradient descent's and not, say, Adam's.

    Args:
      table: a :func:`lrtheory.sweep` table (columns ``method``, ``lr``, ``regime``,
        ``rate``, ``growth``).
      theory: ``None``, an ``(lrs, rates)`` pair or a DataFrame with ``lr`` and ``rate``,
        e.g. ``[lrtheory.theory.gd_rate(problem, a).rate for a in lrs]``.
      limits: ``None`` or an object with ``lr_max`` and ``lr_opt``
        (:func:`lrtheory.theory.gd_limits`).
      ax: axis to draw on; default a new single-column figure in the house style.
      theory_of: the method ``theory`` and ``limits`` describe (legend text).
      ymax: top of the rate axis (rates above it are drawn at it).
      legend: draw a legend.

    Returns:
      The axis (save its figure with :func:`lrtheory.plots.savefig`).

    Example (GD on diag(1, 10): theory max(|1 - a|, |1 - 10 a|), 2/L = 0.2):
      >>> import numpy as np, lrtheory as lrt
      >>> p = lrt.problems.quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> t = lrt.sweep("gd", p, lrs=[0.05, 0.1, 0.15, 0.25], steps=200, progress=False)
      >>> a = np.geomspace(0.05, 0.25, 50)
      >>> ax = rate_map(t, (a, [lrt.theory.gd_rate(p, v).rate for v in a]),
      ...               lrt.theory.gd_limits(p))
      >>> [ln.get_label() for ln in ax.get_lines()][:3]
      ['gd', 'gd: diverged (growth)', 'theory (GD): $\\max_i|1-\\alpha\\lambda_i|$']
    """
    _need(table, ("method", "lr", "regime", "rate", "growth"), "rate_map")
    pair = _theory_pair(theory)
    if limits is not None and not (hasattr(limits, "lr_max") and hasattr(limits, "lr_opt")):
        raise TypeError(f"limits must have lr_max and lr_opt (theory.gd_limits); got "
                        f"{type(limits).__name__}")
    styles = list(CYCLE)
    with use_style():
        if ax is None:
            ax = figure().add_subplot()
        for i, method in enumerate(dict.fromkeys(table["method"])):
            st = styles[i % len(styles)]
            d = table[table["method"] == method]
            regime = d["regime"].astype(str).to_numpy()
            for kind, col, marker, label in (
                    ("linear", "rate", st["marker"], str(method)),
                    ("diverged", "growth", "x", f"{method}: diverged (growth)")):
                sel = regime == kind
                y = _floats(d[col])[sel]
                x = _floats(d["lr"])[sel]
                ok = np.isfinite(y)
                if not ok.any():
                    continue
                xs = np.unique(x[ok])
                med = np.array([np.median(y[ok][x[ok] == v]) for v in xs])
                # markers only: theory's curve underneath stays visible where they agree
                ax.plot(xs, np.minimum(med, ymax), color=st["color"], linestyle="none",
                        marker=marker, markerfacecolor="none", label=label)
        if pair is not None:
            ax.plot(pair[0], pair[1], color="0.5", linestyle="-", marker="", linewidth=1.3,
                    label=rf"theory ({theory_of}): $\max_i|1-\alpha\lambda_i|$", zorder=1)
        if limits is not None:
            ax.axvline(limits.lr_opt, color=PALETTE[3], linestyle=":", marker="",
                       linewidth=1.0, label=rf"$2/(L+\mu)$ ({theory_of})")
            ax.axvline(limits.lr_max, color=PALETTE[1], linestyle="-.", marker="",
                       linewidth=1.0, label=rf"$2/L$ ({theory_of})")
        ax.axhline(1.0, color="0.7", linestyle="-", marker="", linewidth=0.6)
        ax.set_xscale("log")
        ax.set_ylim(0.0, ymax)
        ax.set_xlabel(r"learning rate $\alpha$")
        ax.set_ylabel(r"rate $\hat C$ per step")
        if legend:
            ax.legend()
    return ax


def regime_map(table, param: str, ax: Axes | None = None, *, x: str = "lr",
               log_y: bool | None = None, legend: bool = True) -> Axes:
    r"""Draw the regime of each (learning rate, hyperparameter) cell of a sweep.

    One marker per cell, coloured and shaped by the regime its runs were estimated in
    (the most frequent over seeds; ties go to the earlier regime of
    :class:`lrtheory._vocab.Regime`'s order), one legend entry per regime present.

    Args:
      table: a :func:`lrtheory.sweep` table with columns ``x``, ``param`` and ``regime``
        (e.g. a sweep of ``("momentum", {"beta": [...]})`` has a ``beta`` column).
      param: the hyperparameter column on the vertical axis.
      ax: axis to draw on; default a new single-column figure in the house style.
      x: the column on the horizontal (logarithmic) axis, ``"lr"`` by default.
      log_y: logarithmic vertical axis; default when every value is > 0 and they span
        at least a factor 10.
      legend: draw a legend of the regimes.

    Returns:
      The axis.

    Example:
      >>> import pandas as pd
      >>> t = pd.DataFrame({"lr": [0.1, 0.1, 1.0, 1.0], "beta": [0.0, 0.9, 0.0, 0.9],
      ...                   "regime": ["linear", "linear", "diverged", "oscillating"]})
      >>> ax = regime_map(t, "beta")
      >>> [c.get_label() for c in ax.collections]
      ['linear', 'oscillating', 'diverged']
    """
    if not isinstance(param, str):
        raise TypeError(f"param must be a column name (str); got {param!r}")
    _need(table, (x, param, "regime"), "regime_map")
    d = table[[x, param, "regime"]].copy()
    d["regime"] = d["regime"].astype(str)
    unknown = sorted(set(d["regime"]) - set(Regime))
    if unknown:
        raise ValueError(f"regime column holds {unknown}, not regimes {[r.value for r in Regime]}")
    d["_order"] = [list(Regime).index(Regime(r)) for r in d["regime"]]
    d[x], d[param] = _floats(d[x]), _floats(d[param])
    d = d.dropna(subset=[x, param])
    # the most frequent regime of each cell; the earlier regime wins a tie
    counts = d.groupby([x, param, "_order"]).size().rename("n").reset_index()
    counts = counts.sort_values([x, param, "n", "_order"], ascending=[True, True, False, True])
    cells = counts.drop_duplicates([x, param])
    ys = cells[param].to_numpy(float)
    if log_y is None:
        log_y = bool(ys.size and ys.min() > 0 and ys.max() >= 10 * ys.min())
    with use_style():
        if ax is None:
            ax = figure().add_subplot()
        for j, regime in enumerate(Regime):
            sel = cells["_order"].to_numpy() == j
            if not sel.any():
                continue
            color, marker = _REGIME_STYLE[regime]
            ax.scatter(cells[x].to_numpy(float)[sel], ys[sel], color=color, marker=marker,
                       s=14, label=regime.value)
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(r"learning rate $\alpha$" if x == "lr" else x)
        ax.set_ylabel(param)
        if legend:
            ax.legend(fontsize=6, markerscale=0.9)
    return ax
