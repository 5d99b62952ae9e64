r"""Convergence order, rate constant and regime from an error sequence.

:func:`estimate_order` (one sequence), :func:`estimate_orders` (a sweep: one table row
per run; the stages work on all rows at once, and a row's numbers are bit for bit those it
has alone) and :func:`per_iteration` (the :math:`q_k`, :math:`C_k`
table) work on :math:`\ell_k = \log e_k` (float64 logarithms, taken with ``mpmath.log`` for
mpmath numbers, so errors far below 1e-308 are handled). Every threshold is a named field
of :data:`THRESHOLDS` (:func:`thresholds_table` writes the table for the docs and the
paper's appendix). Every interval has a level (``level``, default 0.95) and a method that
earns it, stated in ``reason``; for a sequence without noise an interval is the fit
uncertainty implied by the model's residuals, not a statement about repeated sampling.

How a sequence is read, in order (stages with typed results, ``_stages``):

1. Records (``_records.records``). A reported divergence or the first non-finite value ends
   the sequence (``diverged``). Exact zeros: an isolated zero (positive errors follow) is a
   point, kept out of the logarithmic fits; a sequence that ends in zeros is ``finite``
   (``finite_at``), unless the next error the trend predicts lies below :math:`\epsilon`
   times the largest error or below the smallest float: then the iterate rounded to
   :math:`x^\star` (round-off floor, dropped). Float errors are kept down to the smallest
   positive float, subnormals included; for a run (a ``Trajectory``) values below the
   smallest normal float are a floor, as XLA on CPU flushes subnormals.
2. Floor (``_records.flat_tail_many``), found from behaviour, never from a fraction of the
   largest error: the longest of the last 1/2, 1/4, 1/8, 1/16 whose least-squares level
   change is within ``FLAT_ABS`` plus three (AR(1)-inflated) standard errors and that ends
   a trend. After a decrease of ``FLOOR_MIN_DEC`` decades a noisy flat tail (log e
   scatters more than ``FLOOR_NOISE``) is a floor, as is a frozen iterate (a constant
   reached at full speed, a corner), and any flat tail after ``FLOOR_DEEP_FRAC`` of the
   precision's decades; otherwise the error stalled there (its approach flattens). The
   regime is read on the decrease before the floor, and the floor is reported (``floor``,
   ``floor_ci``, ``floor_at``); a linear decrease into a multiplicative noise floor (log e
   symmetric, skew at most ``FLOOR_SKEW``) is refitted jointly,
   :math:`\log e_k = \log(e^{a + k\log C} + F) + \eta_k` (Gauss-Newton then Newton,
   Newey-West);
   otherwise the decrease ends ``FLOOR_MARGIN_DEC`` above the floor's top.
3. Regime, first that applies: growth (``GROW_POINTS`` consecutive rises, or rising
   quarter means: ``diverged``, growth factor from the slope of :math:`\ell_k`, or for
   super-exponential growth its order, the slope of :math:`\ell_{k+1}` on :math:`\ell_k`);
   superlinear with an order (a final run of COCs :math:`q_k > ` ``Q_MIN`` whose log
   ratios grow geometrically, ``ORDER_EVIDENCE`` times better fitted so than arithmetically;
   :math:`q` by generalised least squares of :math:`\ell_{k+1}` on :math:`\ell_k` with the
   MA(1) covariance that noise on :math:`\ell_k` implies, over the settled pairs, t
   interval, never rounded unless ``round_q``; :math:`C` from :math:`\log C_k =
   \ell_{k+1} - q\ell_k` at a standard order inside q's interval where :math:`C_k` settles,
   else at ``q_fit``: Aitken's limit when :math:`C_k` converges geometrically, the mean of
   the settled half otherwise, two ``rate_limits`` when it alternates); Q-superlinear
   (block means of :math:`\log(e_{k+1}/e_k)` fall block after block, by ``QSUP_DROP``, or
   on a short run the last 5 to 12 log ratios fall with a t statistic of ``QSUP_T`` by
   ``QSUP_SHORT_DROP``: :math:`q = 1`, ``ratio_to_zero``); oscillating; stalled (Aitken
   when the approach is geometric, else the geometric mean, Newey-West interval);
   sublinear or linear.
4. Linear: the upper envelope (``NB_FIT`` block maxima, so zig-zags and spirals ride on
   their peaks) of the last half, or from where the block slopes settle
   (``LIN_SETTLE``) after a transient of another rate, or the given ``window``; rate from
   :math:`\ell = c + k\log C`, or with a transient term when the residuals are structured
   and it explains them (``F_MODEL``, ``RSS_GAIN``, ``S_SPAN_MAX``; the slope must stay
   negative and move by less than half of itself): :math:`m\log(k+1)` (a double
   eigenvalue, :math:`k r^k`) or :math:`b_1 s^k + b_2 s^{2k}` (ratios settling
   geometrically, two modes); t interval from the block residuals (blocks of 30 and more
   iterates are nearly independent: batch means). Sublinear: :math:`e_k = A(k+k_0)^{-p}`
   on :math:`\log e` over the whole stretch (or the earliest start consistent with the last
   half, ``SUB_F``), :math:`k_0` profiled (variable projection: a grid, then Newton), Newey-West
   intervals of the linearised model.
5. Explain: ``reason`` says what was read (first how :math:`f^\star` was obtained when the
   data are loss values), which iterates were kept and dropped, and how each number and
   interval was obtained.

Validation (:mod:`lrtheory.estimate.validation`, ``python -m lrtheory.estimate.validation``):
396 sequences of 25 classes with known truth, right on 394 (99.5 %), and 334 of 334 of a
held-out family; coverage of the 95 % intervals on the noisy classes 0.90 to 0.98 (held-out
0.93 to 1.00). Plain COC, ACOC and a last-half least-squares fit are right on 36 %, 37 %,
22 %.

Runs made elsewhere (a training log, a solver's history): :func:`estimate_runs` (or
:func:`estimate_orders` given a ``pandas.DataFrame``) reads a tidy table, one row per run
and step, and :func:`read_runs` reads one from CSV, parquet or JSON lines.

References: Ypma (1995) and Grau-Sanchez, Noguera, Gutierrez (2011) for the COC/ACOC;
Aitken (1926) for the extrapolation; Newey and West (1987), Andrews (1991) for the
autocorrelation-consistent standard errors.
"""

from .._vocab import Regime
from ._api import estimate_order, per_iteration
from ._result import COLUMNS, REGIMES, OrderEstimate
from ._thresholds import THRESHOLDS, Thresholds, threshold_rows, thresholds_table
from ._tidy import estimate_orders, estimate_runs, read_runs

__all__ = ["estimate_order", "estimate_orders", "estimate_runs", "read_runs", "per_iteration",
           "OrderEstimate", "REGIMES", "COLUMNS", "THRESHOLDS", "Thresholds",
           "thresholds_table", "threshold_rows", "Regime"]
