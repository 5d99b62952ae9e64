"""Figures in one house style (:mod:`lrtheory.plots._style`); plotting only, no computation.

Public: :data:`STYLE`, :func:`use_style`, :func:`figure`, :func:`savefig`,
:data:`SINGLE_COLUMN`, :data:`DOUBLE_COLUMN`, and the figure helpers
(:func:`schedules`).
"""

from lrtheory.plots._finder import lr_finder
from lrtheory.plots._schedules import schedules
from lrtheory.plots._style import (
    CYCLE,
    DOUBLE_COLUMN,
    SINGLE_COLUMN,
    STYLE,
    figure,
    savefig,
    use_style,
)

__all__ = ["CYCLE", "DOUBLE_COLUMN", "SINGLE_COLUMN", "STYLE", "figure", "lr_finder",
           "savefig", "schedules", "use_style"]
