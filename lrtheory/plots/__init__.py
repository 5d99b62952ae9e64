"""Figures in one house style (:mod:`lrtheory.plots._style`); plotting only, no computation.

Every helper takes the library's own results and returns its axis (or axes); the studies
of the paper and a user's notebook call the same functions, and :func:`savefig` writes
PDF, PNG or SVG by the file's suffix.

- :func:`errors`: error curves of runs (log scale) with each estimate's window and fit;
- :func:`orders`: :math:`q_k` and :math:`C_k` per iteration (superlinear runs);
- :func:`rate_map`: measured rate :math:`\\hat C(\\alpha)` of a sweep beside theory's
  :math:`\\max_i|1-\\alpha\\lambda_i|`, :math:`2/L` and :math:`2/(L+\\mu)`;
- :func:`regime_map`: the regime over (learning rate, hyperparameter);
- :func:`lr_finder`: the learning-rate range test; :func:`schedules`: schedules.

Public also: :data:`STYLE`, :func:`use_style`, :func:`figure`, :func:`savefig`,
:func:`check_figure_path`, :data:`FORMATS`, :data:`SINGLE_COLUMN`, :data:`DOUBLE_COLUMN`.
"""

from lrtheory.plots._finder import lr_finder
from lrtheory.plots._runs import errors, orders
from lrtheory.plots._schedules import schedules
from lrtheory.plots._style import (
    CYCLE,
    DOUBLE_COLUMN,
    FORMATS,
    SINGLE_COLUMN,
    STYLE,
    check_figure_path,
    figure,
    savefig,
    use_style,
)
from lrtheory.plots._sweeps import rate_map, regime_map

__all__ = ["CYCLE", "DOUBLE_COLUMN", "FORMATS", "SINGLE_COLUMN", "STYLE", "check_figure_path",
           "errors", "figure", "lr_finder", "orders", "rate_map", "regime_map", "savefig",
           "schedules", "use_style"]
