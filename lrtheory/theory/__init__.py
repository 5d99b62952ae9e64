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
:func:`newton_rate`        order 2, :math:`C=|g''/(2g')|`; multiple roots; damping;
                           several variables: :math:`\max_u\|\tfrac12 H^{-1}T[u,u]\|`
:func:`newton_constant`    the map :math:`e \mapsto \tfrac12 H^{-1}T[e,e]` and its extremes
:func:`bfgs_rate`          superlinear, :math:`e_{k+1}/e_k \to 0` (Dennis & Moré 1974)
:func:`secant_rate`        order :math:`\varphi`, :math:`C=|g''/(2g')|^{\varphi-1}`
:func:`halley_rate`        order 3, :math:`C=|g''^2/(4g'^2)-g'''/(6g')|`
:func:`iteration_constant` order and constant of any scalar fixed-point map
:func:`schedule_limit`     converge / stall level / exponent / cycle rate of a schedule
:func:`sgd_noise_floor`    stationary error of constant-step SGD with gradient noise
:func:`compare`            measured vs predicted: log-scale rates, verdicts, regimes
:func:`compare_all`        every quantity a prediction states (q and C, ...)
:func:`find_minimizer`     :math:`x^\star` of a formula (exact where SymPy can)
=========================  ==================================================

Example:
  >>> import lrtheory.theory as th
  >>> th.gd_rate([1, 10], lr=th.gd_limits([1, 10]).lr_opt_expr).rate_expr
  9/11
"""

from . import pep
from ._common import PHI, Rate
from .compare import Comparison, Verdict, compare, compare_all, overall, to_frame
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
from .newton_nd import NewtonConstant, bfgs_rate, newton_constant
from .schedules import ScheduleLimit, schedule_limit
from .sgd import NoiseFloor, sgd_noise_floor

__all__ = [
    "PHI", "Rate", "Comparison", "compare", "to_frame", "Curvature", "curvature",
    "GDLimits", "gd_limits", "gd_rate", "MomentumParams", "heavy_ball_optimal",
    "heavy_ball_rate", "mode_radius", "nesterov_params", "nesterov_rate", "halley_rate",
    "iteration_constant", "newton_rate", "root_multiplicity", "secant_rate",
    "ScheduleLimit", "schedule_limit", "pep", "find_minimizer", "Verdict", "compare_all",
    "overall", "NewtonConstant", "newton_constant", "bfgs_rate", "NoiseFloor",
    "sgd_noise_floor",
]
