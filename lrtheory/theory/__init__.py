r"""Theory (SymPy): what the textbooks predict for rates, optimal steps and limits.

Every prediction is a value holding floats *and* the SymPy expressions they come from
(``rate`` / ``rate_expr``, ...; ``.latex()`` renders them). Inputs are a
:class:`~lrtheory.problems.Problem` (a quadratic's exact ``data["eigenvalues"]``, or
its expression's Hessian at ``x_star``), a SymPy expression or formula string, a
Hessian matrix, or a spectrum. This package imports SymPy, mpmath and NumPy only
(never JAX); pandas is imported by :func:`to_frame`, PEPit by :mod:`.pep` when used.

=========================  ==================================================
:func:`curvature`          :math:`L`, :math:`\mu`, :math:`\kappa`, eigenvalues at :math:`x^\star`
:func:`gd_limits`          :math:`2/L`, :math:`2/(L+\mu)`, :math:`(\kappa-1)/(\kappa+1)`
:func:`gd_rate`            :math:`\max_i|1-\alpha\lambda_i|` for any step
:func:`heavy_ball_rate`    exact companion-matrix rate for any :math:`(\alpha,\beta)`
:func:`heavy_ball_optimal` Polyak's tuning and rate
:func:`nesterov_rate`      exact rate for any :math:`(\alpha,\beta)`
:func:`nesterov_params`    standard / quadratic-optimal tunings
:func:`newton_rate`        order 2, :math:`C=|g''/(2g')|`; multiple roots; damping
:func:`secant_rate`        order :math:`\varphi`, :math:`C=|g''/(2g')|^{\varphi-1}`
:func:`halley_rate`        order 3, :math:`C=|g''^2/(4g'^2)-g'''/(6g')|`
:func:`iteration_constant` order and constant of any scalar fixed-point map
:func:`schedule_limit`     converge / stall level / sublinear exponent of a schedule
:func:`compare`            measured vs predicted, with tolerance and CI
:func:`find_minimizer`     :math:`x^\star` of a formula (exact where SymPy can)
=========================  ==================================================

Example:
  >>> import lrtheory.theory as th
  >>> th.gd_rate([1, 10], lr=th.gd_limits([1, 10]).lr_opt_expr).rate_expr
  9/11
"""

from . import pep
from ._common import PHI, Rate
from .compare import Comparison, compare, to_frame
from .curvature import Curvature, curvature
from .gd import GDLimits, gd_limits, gd_rate
from .minimizer import find_minimizer
from .momentum import (
    MomentumParams,
    heavy_ball_optimal,
    heavy_ball_rate,
    mode_radius,
    nesterov_params,
    nesterov_rate,
)
from .newton import halley_rate, iteration_constant, newton_rate, root_multiplicity, secant_rate
from .schedules import ScheduleLimit, schedule_limit

__all__ = [
    "PHI", "Rate", "Comparison", "compare", "to_frame", "Curvature", "curvature",
    "GDLimits", "gd_limits", "gd_rate", "MomentumParams", "heavy_ball_optimal",
    "heavy_ball_rate", "mode_radius", "nesterov_params", "nesterov_rate", "halley_rate",
    "iteration_constant", "newton_rate", "root_multiplicity", "secant_rate",
    "ScheduleLimit", "schedule_limit", "pep", "find_minimizer",
]
