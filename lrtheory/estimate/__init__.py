r"""Convergence order, rate constant and regime from an error sequence.

:func:`estimate_order` (one sequence), :func:`estimate_orders` (a sweep, vectorised,
a table) and :func:`per_iteration` (the :math:`q_k`, :math:`C_k` table) share one
vectorised core working on :math:`\ell_k = \log e_k` (float64 logarithms, taken with
``mpmath.log`` for mpmath numbers, so errors far below 1e-308 are handled).

How a sequence is read, in order (thresholds are constants in ``_regimes``):

1. Records: the sequence stops at the first exact zero (no information after it) and at
   the first non-finite value or reported divergence (regime ``diverged``, growth factor
   :math:`\exp` of the least-squares slope of :math:`\ell_k` over the last quarter).
2. Round-off (automatic window only): for float input, iterates from where the error stays
   below :math:`\epsilon^{0.9}` times its largest value; then a flat tail (see 5) whose
   top is at most ``1e-9`` of the largest error, cut where the upper envelope enters one
   decade above it; then a non-monotone stretch within three decades of the minimum, when
   it lies that deep. Each cut is named in ``reason``.
3. Superlinear: a final run of at least two computational orders
   :math:`q_k = (\ell_{k+1}-\ell_k)/(\ell_k-\ell_{k-1}) > 1.2` of decreasing steps that
   carries at least one decade and half of the total decrease (at most two deeper
   trailing iterates are dropped as collapsed by round-off). The head is trimmed to the
   :math:`q_k` within 10 % of the median of the run's second half. :math:`q` is the
   least-squares slope of :math:`\ell_{k+1}` on :math:`\ell_k`; ``q_ci`` is the spread
   (min, max) of the :math:`q_k` in the window (successive :math:`q_k` are correlated,
   so an independence-based interval would be too narrow; the regression slope always
   lies within this spread). :math:`q` is rounded to the golden ratio, 2 or 3 only when
   that value lies in ``q_ci`` (with 1e-3 slack) *and* :math:`\log C_k =
   \ell_{k+1} - q \ell_k` then settles (consecutive, or lag-2, values within 0.05 over
   the last half): lag-2 settling gives ``rate_limits`` (two limit points) and no single
   ``rate``. :math:`C = \exp(\mathrm{mean}\, \log C_k)` and ``rate_ci`` its spread.
4. Oscillating: the last ``max(16, m/4)`` iterates repeat with a period 2..16 (cycle
   error at most 0.1 of the swing, drift at most 0.1 in log).
5. Stalled: the upper envelope (block maxima) of the last 1/2, 1/4, 1/8 or 1/16 is flat
   (level change at most 0.01 in log plus three standard errors of its own residuals).
   The limit is extrapolated by Aitken's :math:`\Delta^2` when the approach is
   geometric, else the median of the tail. A bounded rising sequence lands here, never
   in ``diverged``.
6. Diverged (finite data): the means of the last three quarters rise steadily (by a
   factor 1.5 at least); growth factor from the upper-envelope slope.
7. On the window (the last half of what is left, or the given ``window``), the upper
   envelope (16 block maxima, so that zig-zags and spirals ride on their peaks) is fitted
   as :math:`\ell = c + k\log C` and as :math:`\ell = \log A - p \log k`. Sublinear when
   the power law fits better, :math:`p > 0`, and the decrease is below three decades.
   Linear when the envelope falls by three decades, or by a factor two with every block
   decreasing or with a slope of ten standard errors, and still falls in the last block
   (so a floor far above round-off is never called linear); ``rate_ci`` is the spread of
   block-to-block slopes. Otherwise ``undetermined``, with the reason.

Runs made elsewhere (a training log, a solver's history): :func:`estimate_runs` (or
:func:`estimate_orders` given a ``pandas.DataFrame``) reads a tidy table, one row per run
and step, and :func:`read_runs` reads one from CSV, parquet or JSON lines.

References: Ypma (1995) and Grau-Sanchez, Noguera, Gutierrez (2011) for the COC/ACOC;
Aitken (1926) for the extrapolation.
"""

from ._api import estimate_order, per_iteration
from ._result import COLUMNS, REGIMES, OrderEstimate
from ._tidy import estimate_orders, estimate_runs, read_runs

__all__ = ["estimate_order", "estimate_orders", "estimate_runs", "read_runs", "per_iteration",
           "OrderEstimate", "REGIMES", "COLUMNS"]
