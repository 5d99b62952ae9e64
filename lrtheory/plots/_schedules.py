"""Figure helper: learning-rate schedules on one axis."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes

from lrtheory.plots._style import CYCLE, figure, use_style


def schedules(curves: Sequence[tuple[str, Callable | Sequence[float]]], steps,
              ax: Axes | None = None, *, log: bool = False, legend: bool = True) -> Axes:
    r"""Draw learning-rate schedules :math:`\alpha_k` against the step :math:`k`, one line each.

    Each schedule is only evaluated at ``steps`` (``schedule(steps)``, elementwise as
    optax schedules and :class:`lrtheory.schedules.Schedule` are), or given as values.
    Lines take colour, dash pattern and marker from the house cycle by position, so they
    stay apart in greyscale even on an ``ax`` made elsewhere.

    Args:
      curves: ``(label, schedule)`` pairs; ``schedule`` a callable ``k -> lr`` or an array
        of one value per step.
      steps: a number ``n`` (steps ``0 .. n-1``) or a 1-D array of steps.
      ax: axis to draw on; default a new single-column figure in the house style.
      log: logarithmic learning-rate axis.
      legend: draw a legend of the labels.

    Returns:
      The axis (its figure is ``ax.figure``; save it with :func:`lrtheory.plots.savefig`).

    Example:
      >>> from lrtheory import schedules as S
      >>> ax = schedules([("exponential", S.exponential(0.1, 0.05)),
      ...                 ("step", S.step(0.1, 0.5, 20))], steps=100, log=True)
      >>> len(ax.get_lines()), ax.get_yscale(), ax.get_xlabel()
      (2, 'log', 'step $k$')
    """
    ks = np.arange(int(steps)) if np.ndim(steps) == 0 else np.asarray(steps)
    if ks.ndim != 1 or ks.size == 0:
        raise ValueError(f"steps must be a positive count or a non-empty 1-D array, "
                         f"got steps={steps!r}")
    if len(curves) == 0:
        raise ValueError("curves must hold at least one (label, schedule) pair, got none")
    styles = list(CYCLE)
    with use_style():
        if ax is None:
            ax = figure().add_subplot()
        stride = max(1, ks.size // 8)  # about 8 markers a line, shifted so they do not stack
        for i, pair in enumerate(curves):
            if not (isinstance(pair, tuple | list) and len(pair) == 2
                    and isinstance(pair[0], str)):
                raise TypeError(f"curves[{i}] must be a (label, schedule) pair, got {pair!r}")
            label, sched = pair
            lr = np.asarray(sched(ks) if callable(sched) else sched, dtype=float)
            if lr.shape != ks.shape:
                raise ValueError(f"curves[{i}] ({label!r}) has {lr.shape} values for "
                                 f"{ks.size} steps; a schedule needs one value per step")
            st = styles[i % len(styles)]
            ax.plot(ks, lr, label=label, markevery=((i * stride) // len(curves), stride), **st)
        ax.set_xlabel("step $k$")
        ax.set_ylabel(r"learning rate $\alpha_k$")
        if log:
            ax.set_yscale("log")
        if legend:
            ax.legend()
    return ax
