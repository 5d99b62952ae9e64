"""Every threshold of the order estimator, named once, with what it decides.

:data:`THRESHOLDS` is the one table; the estimator reads its values from here only, and the
documentation and the paper's appendix are generated from it (:func:`thresholds_table`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

__all__ = ["Thresholds", "THRESHOLDS", "thresholds_table"]


def _t(value, doc):
    return field(default=value, metadata={"doc": doc})


@dataclass(frozen=True)
class Thresholds:
    """The estimator's thresholds (natural logs unless the name says decades).

    Example:
      >>> THRESHOLDS.N_MIN, THRESHOLDS.LEVEL, THRESHOLDS.FLOOR_MIN_DEC
      (4, 0.95, 1.0)
    """

    N_MIN: int = _t(4, "fewest positive iterates any regime other than diverged is read from")
    LEVEL: float = _t(0.95, "default level of every interval")
    FLOOR_MIN_LEN: int = _t(4, "fewest iterates a flat tail (floor or stall) is made of")
    FLAT_ABS: float = _t(0.01, "a tail is flat when its least-squares level change is at most "
                               "this plus 3 standard errors (log)")
    TREND_BEFORE: float = _t(5.0, "a flat tail shorter than half the run must follow a stretch "
                                  "of equal length that changed by this many times the "
                                  "flatness tolerance")
    FLAT_SLOPE_RATIO: float = _t(0.2, "or (a floor approached smoothly) its slope, plus two "
                                       "standard errors, is at most this fraction of the slope "
                                       "of the stretch two to four tail lengths before it")
    FLOOR_NOISE: float = _t(0.05, "a flat tail whose log e scatters (RMS) more than this is "
                                  "noisy: after a decrease of FLOOR_MIN_DEC it is a floor, as "
                                  "is a frozen iterate (constant, reached at full speed)")
    FLOOR_MIN_DEC: float = _t(1.0, "decades a run must fall before a noisy flat tail counts "
                                   "as its floor (else the run stalled)")
    FLOOR_DEEP_FRAC: float = _t(0.375, "fraction of the precision's decades (-log10 eps: "
                                       "5.9 in float64, 2.6 in float32) a run must fall before "
                                       "any flat tail counts as its floor (else a quiet one, "
                                       "not a frozen iterate, is a stall)")
    FLOOR_SKEW: float = _t(1.0, "a noise floor whose log e is skewed more than this (additive "
                                "noise: cancellations) keeps the margin instead of the joint "
                                "rate-and-floor fit")
    FLOOR_MARGIN_DEC: float = _t(3.0, "decades above the floor's top where the decrease used "
                                      "for the rate ends (nearer, the floor bends it); at "
                                      "most a third of the decrease")
    Q_MIN: float = _t(1.2, "computational orders above this mark superlinear steps")
    Q_HEAD_TOL: float = _t(0.1, "superlinear window: q_k farther than this (relative) from "
                                "the median of the run's second half are pre-asymptotic")
    STANDARD_Q: tuple = _t(((1 + math.sqrt(5)) / 2, 2.0, 3.0),
                           "standard orders: C is computed at one of them when it lies in "
                           "q's interval and C_k settles there (q itself is only rounded "
                           "with round_q=True)")
    Q_ROUND_TOL: float = _t(1e-3, "relative slack of the standard-order test when q's "
                                  "interval is degenerate (exact data)")
    C_SETTLE: float = _t(0.05, "log C_k has settled when consecutive (or lag-2) values differ "
                               "by at most this over the last half")
    QSUP_DROP: float = _t(math.log(1.5), "Q-superlinear: the log ratio log(e_(k+1)/e_k) falls "
                                         "by at least this over the last half, with every "
                                         "block mean below the one before")
    ORDER_EVIDENCE: float = _t(1.5, "a superlinear order needs the last log ratios to fit a "
                                    "geometric growth (rho_(k+1) = q rho_k) this many times "
                                    "better than an arithmetic one (else Q-superlinear)")
    QSUP_T: float = _t(3.0, "Q-superlinear on a short run: t statistic of the falling trend "
                            "of the last 5 to 12 log ratios")
    QSUP_SHORT_DROP: float = _t(math.log(10.0), "... and the fitted ratio falls by this "
                                                "(a factor 10) over them")
    QSUP_BLOCKS: int = _t(6, "blocks of log ratios in the Q-superlinear test")
    OSC_SWING: float = _t(0.05, "oscillation: RMS step of log e at least this")
    OSC_CYC: float = _t(0.1, "oscillation: cycle error at most this fraction of the swing")
    OSC_DRIFT: float = _t(0.1, "oscillation: level drift across the tail at most this (log)")
    P_MAX: int = _t(16, "longest period looked for")
    STALL_IQR: float = _t(math.log(10), "a flat tail scattering more than this (interquartile "
                                        "of log e) is no limit: undetermined")
    GROW_POINTS: int = _t(5, "consecutive rising iterates that make a short run diverged")
    GROW_MIN: float = _t(math.log(1.5), "least rise of the mean of log e across the last "
                                        "three quarters for a long run to be diverged")
    SUPEREXP_ACCEL: float = _t(1.5, "divergence is super-exponential when each rise of log e "
                                    "is at least this times the one before")
    REAL_DEC: float = _t(3.0, "decades of decrease over the window that make a run linear "
                              "without further tests")
    STEADY_DEC: float = _t(math.log10(2.0), "least decrease (decades) of a steady linear run")
    T_STEADY: float = _t(6.0, "t statistic of the envelope slope that makes a small "
                               "decrease steady")
    NB_FIT: int = _t(16, "blocks (upper envelope) of the linear fit")
    F_MODEL: float = _t(25.0, "F statistic above which a transient term (k^m or s^k) joins "
                              "the linear model")
    RSS_GAIN: float = _t(100.0, "... and makes the residual sum of squares this many times "
                                "smaller (it explains the structure, e.g. not a spiral's)")
    S_SPAN_MAX: float = _t(0.5, "the transient s^k of the settling model decays at least to "
                                "this across the window (a slower one cannot be told from "
                                "the rate)")
    SUB_FLATTEN: float = _t(1.5, "sublinear: the envelope's slope over the first half of the "
                                 "stretch is at least this times the second half's (a line "
                                 "has 1)")
    SUB_F: float = _t(10.0, "sublinear fit: an earlier start is kept when its model fits the "
                            "last half nearly as well as the last half's own fit (F statistic "
                            "of 3 constraints at most this)")
    LIN_SETTLE: float = _t(0.1, "linear window: starts after the last block-to-block slope "
                                "farther than this (relative) from the final slope")
    DIFF_ULPS: float = _t(8.0, "f* unknown: trailing exact-zero differences are the values' "
                               "round-off floor (not finite termination) when the last "
                               "non-zero difference is at most this many eps times |f|")


THRESHOLDS = Thresholds()


def thresholds_table(fmt: str = "markdown") -> str:
    """The table of thresholds as markdown (``fmt="markdown"``) or LaTeX rows
    (``fmt="latex"``), generated from :data:`THRESHOLDS`.

    Example:
      >>> print(thresholds_table().splitlines()[2][:40])
      | `N_MIN` | 4 | fewest positive iterates
    """
    rows = []
    for f in fields(Thresholds):
        v = getattr(THRESHOLDS, f.name)
        val = ", ".join(f"{x:.4g}" for x in v) if isinstance(v, tuple) else f"{v:.4g}"
        if fmt == "latex":
            rows.append(f"\\texttt{{{f.name.replace('_', chr(92) + '_')}}} & {val} & "
                        f"{f.metadata['doc']} \\\\")
        else:
            rows.append(f"| `{f.name}` | {val} | {f.metadata['doc']} |")
    if fmt == "latex":
        return "\n".join(rows)
    return "\n".join(["| name | value | what it decides |", "|---|---|---|"] + rows)
