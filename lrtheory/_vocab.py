"""The closed vocabularies shared by every layer: regimes and error measures.

JAX-free and SymPy-free, so theory, estimation, tuning, sweeps and the CLI can all import
it. Both are :class:`enum.StrEnum`: a member *is* its string (``Regime.LINEAR ==
"linear"``), so tables and JSON keep plain strings while code matches on members.
"""

from __future__ import annotations

import enum

__all__ = ["Regime", "Measure", "resolve_measure"]


class Regime(enum.StrEnum):
    """How a sequence of errors behaves; the word theory predicts and estimation measures.

    - ``superlinear``: :math:`e_{k+1} \\approx C e_k^q` with :math:`q > 1`, or
      :math:`q = 1` with :math:`C_k \\to 0` (Q-superlinear without a fixed order).
    - ``linear``: :math:`e_{k+1} \\approx C e_k`, :math:`0 < C < 1`.
    - ``sublinear``: :math:`e_k \\approx A (k + k_0)^{-p}`.
    - ``finite``: the error reaches 0 after finitely many steps and stays there.
    - ``stalled``: the error settles at a positive level.
    - ``oscillating``: the error settles on a cycle.
    - ``diverged``: the error grows without bound (or leaves the numbers).
    - ``undetermined``: too few or too erratic iterates to say; the reason says why.

    Example:
      >>> Regime("linear") is Regime.LINEAR, Regime.LINEAR == "linear", str(Regime.FINITE)
      (True, True, 'finite')
    """

    SUPERLINEAR = "superlinear"
    LINEAR = "linear"
    SUBLINEAR = "sublinear"
    FINITE = "finite"
    STALLED = "stalled"
    OSCILLATING = "oscillating"
    DIVERGED = "diverged"
    UNDETERMINED = "undetermined"


class Measure(enum.StrEnum):
    """Which error :math:`e_k` a run is judged by.

    - ``dist``: :math:`\\|x_k - x^\\star\\|_2` (needs the minimiser).
    - ``f``: :math:`f(x_k) - f^\\star` (needs the optimal value).
    - ``grad``: :math:`\\|\\nabla f(x_k)\\|_2` (always available).
    - ``step``: :math:`\\|x_{k+1} - x_k\\|_2` (ACOC-style, one record fewer).

    ``"auto"`` is not a measure but a rule, :func:`resolve_measure`, the same everywhere.

    Example:
      >>> Measure("grad") is Measure.GRAD, [m.value for m in Measure]
      (True, ['dist', 'f', 'grad', 'step'])
    """

    DIST = "dist"
    F = "f"
    GRAD = "grad"
    STEP = "step"


def resolve_measure(measure, *, has_dist: bool, has_f_star: bool) -> Measure:
    """The one meaning of ``measure="auto"``: ``dist`` when the minimiser is known, else
    ``f`` when the optimal value is known, else ``grad``.

    ``grad`` rather than ``step`` when neither is known: a run whose learning rate decays
    to nothing takes ever shorter steps while its gradient stays put, and the step length
    would report that stall as convergence.

    Args:
      measure: ``"auto"`` or a :class:`Measure` (or its string).
      has_dist: whether the minimiser (hence ``dist``) is known.
      has_f_star: whether the optimal value (hence ``f``) is known.

    Raises:
      ValueError: an unknown name, or a measure that the run cannot provide.

    Example:
      >>> [resolve_measure("auto", has_dist=d, has_f_star=f).value
      ...  for d, f in ((True, True), (False, True), (False, False))]
      ['dist', 'f', 'grad']
    """
    if measure == "auto":
        if has_dist:
            return Measure.DIST
        return Measure.F if has_f_star else Measure.GRAD
    try:
        m = Measure(measure)
    except ValueError:
        raise ValueError(f"measure={measure!r} is not one of 'auto', "
                         f"{', '.join(repr(v.value) for v in Measure)}") from None
    if m is Measure.DIST and not has_dist:
        raise ValueError("measure='dist' needs a known minimiser x_star")
    if m is Measure.F and not has_f_star:
        raise ValueError("measure='f' needs a known optimal value f_star")
    return m
