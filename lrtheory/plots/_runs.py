r"""Figure helpers for runs: error curves with the estimate drawn on, and :math:`q_k`, :math:`C_k`.

Both take the library's own results (:class:`~lrtheory.Trajectory`,
:class:`~lrtheory.OrderEstimate`, the table of :func:`~lrtheory.estimate.per_iteration`)
and estimate nothing: the fitted line is the estimate's own model, evaluated over the
window it reports.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from lrtheory.plots._style import CYCLE, figure, use_style

# y-axis label of each error measure (lrtheory._vocab.Measure), and of a bare sequence
_MEASURE_LABELS = {
    "dist": r"$\|x_k - x^\star\|$",
    "f": r"$f(x_k) - f^\star$",
    "grad": r"$\|\nabla f(x_k)\|$",
    "step": r"$\|x_{k+1} - x_k\|$",
    "errors": r"error $e_k$",
}


def _is_run(obj) -> bool:
    return hasattr(obj, "error") and hasattr(obj, "diverged_at")


def _named(runs, what: str) -> list[tuple[str | None, object]]:
    """``runs`` as ``(label, run)`` pairs: one run, a sequence of runs or label -> run."""
    if isinstance(runs, Mapping):
        return [(str(k), v) for k, v in runs.items()]
    if _is_run(runs) or (isinstance(runs, np.ndarray) and runs.ndim == 1):
        return [(None, runs)]
    if isinstance(runs, Sequence | np.ndarray) and not isinstance(runs, str) and len(runs):
        if all(isinstance(v, numbers.Real) for v in runs):  # one sequence of errors
            return [(None, runs)]
        return [(None, r) for r in runs]
    raise ValueError(f"{what} must be a run, a sequence of runs or a mapping label -> run; "
                     f"got {type(runs).__name__} {runs!r:.80}")


def _errors_of(run, measure: str, i: int) -> tuple[np.ndarray, str]:
    if _is_run(run):
        e, name = run.error(measure)
        return np.asarray(e, dtype=float), str(name)
    e = np.asarray(run, dtype=float)
    if e.ndim != 1 or e.size == 0:
        raise ValueError(f"runs[{i}] must be a Trajectory or a non-empty 1-D sequence of "
                         f"errors; got shape {e.shape}")
    return e, "errors"


def _model(est, e: np.ndarray):
    """The estimate's model over its window: ``(k, values, label)``, or ``None``."""
    if est is None or est.window is None:
        return None
    a, b = (int(v) for v in est.window)
    if not (0 <= a <= b < e.size) or not e[a] > 0:
        return None
    k = np.arange(a, b + 1)
    if est.regime == "sublinear" and est.p is not None and est.A is not None:
        k = k[k >= 1]
        return k, est.A * k.astype(float) ** -est.p, rf"fit $p = {est.p:.3g}$"
    if est.rate is None or est.q is None:
        return None
    if est.q == 1:
        return k, e[a] * est.rate ** (k - a), rf"fit $C = {est.rate:.4g}$"
    logs = [np.log(e[a])]  # e_{k+1} = C e_k^q, in logarithms
    for _ in k[1:]:
        logs.append(np.log(est.rate) + est.q * logs[-1])
    return k, np.exp(logs), rf"fit $q = {est.q:.3g}$, $C = {est.rate:.3g}$"


def errors(runs, estimates=None, ax: Axes | None = None, *, measure: str = "auto",
           legend: bool = True) -> Axes:
    r"""Draw error curves :math:`e_k` on a log axis, each with its estimate's window and fit.

    For each run: the errors :math:`e_k` against :math:`k` (genuine records only: a
    diverged run stops at its last good record), the window the estimate used shaded,
    and the estimate's model over that window as a dashed line: linear
    :math:`e_a C^{k-a}`, superlinear :math:`e_{k+1} = C e_k^q` from :math:`e_a`,
    sublinear :math:`A k^{-p}` (:math:`a` is the window's first index).

    Args:
      runs: a :class:`~lrtheory.Trajectory` or a 1-D sequence of errors; a sequence of
        them; or a mapping ``label -> run``.
      estimates: ``None``, an :class:`~lrtheory.OrderEstimate`, or one per run (``None``
        entries draw no fit), e.g. ``[estimate_order(t) for t in runs]``.
      ax: axis to draw on; default a new single-column figure in the house style.
      measure: which error of a Trajectory (``"auto"``, ``"dist"``, ``"f"``, ``"grad"``,
        ``"step"``), as :meth:`~lrtheory.Trajectory.error` reads it.
      legend: draw a legend.

    Returns:
      The axis (save its figure with :func:`lrtheory.plots.savefig`).

    Example (errors 0.9^k: the linear fit C = 0.9 over the window lies on them):
      >>> from lrtheory.estimate import estimate_order
      >>> e = [0.9 ** k for k in range(60)]
      >>> ax = errors({"GD": e}, estimate_order(e))
      >>> ax.get_yscale(), [ln.get_label() for ln in ax.get_lines()]
      ('log', ['GD', 'fit $C = 0.9$'])
    """
    pairs = _named(runs, "runs")
    if estimates is None:
        ests = [None] * len(pairs)
    else:
        ests = [estimates] if hasattr(estimates, "regime") else list(estimates)
        if len(ests) != len(pairs):
            raise ValueError(f"estimates must hold one estimate per run: {len(pairs)} "
                             f"run(s), {len(ests)} estimate(s)")
    styles = list(CYCLE)
    names = set()
    with use_style():
        if ax is None:
            ax = figure().add_subplot()
        for i, ((label, run), est) in enumerate(zip(pairs, ests, strict=True)):
            e, name = _errors_of(run, measure, i)
            names.add(name)
            st = styles[i % len(styles)]
            k = np.arange(e.size)
            stride = max(1, e.size // 10)
            ax.plot(k, e, color=st["color"], linestyle="-", marker=st["marker"],
                    markevery=(i * stride // max(len(pairs), 1) % stride, stride),
                    label=label if label is not None else (f"run {i}" if len(pairs) > 1
                                                           else name))
            fit = _model(est, e)
            if fit is not None:
                kk, vals, text = fit
                ax.axvspan(kk[0], kk[-1], color=st["color"], alpha=0.08, linewidth=0)
                ax.plot(kk, vals, color=st["color"], linestyle="--", marker="",
                        linewidth=1.4, label=text)
        ax.set_yscale("log")
        ax.set_xlabel("iteration $k$")
        ax.set_ylabel(_MEASURE_LABELS.get(names.pop(), "error") if len(names) == 1
                      else r"error $e_k$")
        if legend:
            ax.legend()
    return ax


def orders(tables, q=None, C=None, axes: Sequence[Axes] | None = None, *,
           legend: bool = True) -> tuple[Axes, Axes]:
    r"""Draw :math:`q_k` and :math:`C_k` per iteration (superlinear runs), side by side.

    :math:`q_k = \log(e_{k+1}/e_k)/\log(e_k/e_{k-1})` (linear axis) and
    :math:`C_k = e_{k+1}/e_k^{q}` (log axis) as :func:`lrtheory.estimate.per_iteration`
    tabulates them; undefined entries (``<NA>``) are gaps. Theory's order and constant are
    dotted horizontal lines when ``q`` and ``C`` are given.

    Args:
      tables: a :func:`~lrtheory.estimate.per_iteration` DataFrame, or a mapping
        ``label -> DataFrame``.
      q: theory's order, drawn as a reference: a number (all runs) or a mapping
        ``label -> number`` (omitted labels draw none).
      C: theory's constant (e.g. :func:`lrtheory.theory.newton_rate`), the same way.
      axes: two axes to draw on; default a new double-column figure with two panels.
      legend: draw a legend on the left panel.

    Returns:
      ``(ax_q, ax_C)``.

    Example (errors 10^{-2^k}: q_k = 2 and, with q = 2, C_k = 1):
      >>> import mpmath
      >>> from lrtheory.estimate import per_iteration
      >>> t = per_iteration([mpmath.mpf(10) ** -(2 ** k) for k in range(8)], q=2)
      >>> ax_q, ax_C = orders({"Newton": t}, q=2, C=1)
      >>> [ln.get_label() for ln in ax_q.get_lines()], ax_C.get_yscale()
      (['Newton', 'theory $q = 2$'], 'log')
      >>> [ln.get_label() for ln in ax_C.get_lines()]
      ['Newton', 'theory $C = 1$']
    """
    if isinstance(tables, Mapping):
        pairs = [(str(k), v) for k, v in tables.items()]
    elif hasattr(tables, "columns"):
        pairs = [("run", tables)]
    else:
        raise ValueError(f"tables must be a per_iteration DataFrame or a mapping label -> "
                         f"DataFrame; got {type(tables).__name__}")
    for label, t in pairs:
        missing = {"k", "q_k", "C_k"} - set(getattr(t, "columns", ()))
        if missing:
            raise ValueError(f"tables[{label!r}] lacks columns {sorted(missing)}; pass "
                             f"lrtheory.estimate.per_iteration(...) tables")
    if axes is not None and len(axes) != 2:
        raise ValueError(f"axes must be two axes (q_k, C_k); got {len(axes)}")
    refs = {name: v if isinstance(v, Mapping) else {label: v for label, _ in pairs}
            for name, v in (("q", q), ("C", C))}
    styles = list(CYCLE)
    with use_style():
        if axes is None:
            axes = figure("double").subplots(1, 2)
        ax_q, ax_C = axes
        drawn = set()
        for i, (label, t) in enumerate(pairs):
            st = styles[i % len(styles)]
            k = np.asarray(t["k"])
            for ax, col, name in ((ax_q, "q_k", "q"), (ax_C, "C_k", "C")):
                y = np.asarray(t[col].astype("Float64").to_numpy(float, na_value=np.nan))
                ax.plot(k, y, label=label, **st)
                ref = refs[name].get(label)
                if ref is not None and (name, float(ref)) not in drawn:
                    drawn.add((name, float(ref)))
                    ax.axhline(float(ref), color="0.45", linestyle=":", marker="",
                               linewidth=1.0, label=rf"theory ${name} = {float(ref):g}$")
        ax_q.set_xlabel("iteration $k$")
        ax_q.set_ylabel(r"order $q_k$")
        ax_C.set_xlabel("iteration $k$")
        ax_C.set_ylabel(r"constant $C_k$")
        ax_C.set_yscale("log")
        if legend:
            ax_q.legend()
    return ax_q, ax_C
