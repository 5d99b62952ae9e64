"""Warm-up in front of any schedule; cyclical (Smith 2017) and one-cycle schedules."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lrtheory.schedules._base import (
    Schedule,
    _nonneg,
    _positive,
    _register,
    _schedule,
    _unit,
)

# -- warm-up -------------------------------------------------------------------------------

_WARMUP_START = {"linear": 0.0, "exponential": 0.01}


def _warmup(k, schedule, steps, kind, start):
    target = schedule(0)
    frac = k / jnp.where(steps > 0, steps, 1.0)
    if kind == "linear":  # static string
        ramp = target * (start + (1.0 - start) * frac)
    else:
        ramp = target * start ** (1.0 - frac)
    return jnp.where(k < steps, ramp, schedule(jnp.maximum(k - steps, 0.0)))


@_register(_warmup)
def warmup(schedule, steps, kind="linear", start=None) -> Schedule:
    r"""Prepend a warm-up of ``steps`` steps to ``schedule``, which then runs shifted.

    With :math:`\alpha^* = \mathrm{schedule}(0)`, :math:`s` = ``start`` (a fraction of
    :math:`\alpha^*`) and :math:`W` = ``steps``:

    - linear: :math:`\alpha_k = \alpha^*(s + (1-s)\,k/W)` for :math:`k < W` (Goyal et al.);
    - exponential: :math:`\alpha_k = \alpha^*\, s^{1 - k/W}` (geometric from
      :math:`s\alpha^*` to :math:`\alpha^*`);
    - :math:`\alpha_k = \mathrm{schedule}(k - W)` for :math:`k \ge W`.

    Args:
      schedule: a :class:`Schedule` (its parameters stay traceable) or any callable
        ``k -> lr`` such as an optax schedule (then static).
      steps: W >= 0.  kind: "linear" or "exponential".
      start: s; default 0 (linear), 0.01 (exponential, which needs s > 0).

    Example:
      >>> from lrtheory.schedules import constant
      >>> s = warmup(constant(0.1), steps=4)
      >>> [round(float(s(k)), 3) for k in range(6)]
      [0.0, 0.025, 0.05, 0.075, 0.1, 0.1]

    References: Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour",
      2017 (gradual warm-up).
    """
    if not callable(schedule):
        raise TypeError(f"schedule must be a Schedule or a callable k -> lr, got {schedule!r}")
    if kind not in _WARMUP_START:
        raise ValueError(f"kind must be one of {sorted(_WARMUP_START)}, got kind={kind!r}")
    start = _WARMUP_START[kind] if start is None else start
    _nonneg("steps", steps)
    if kind == "linear":
        _nonneg("start", start)
    else:
        _positive("start", start)
    return _schedule("warmup", schedule=schedule, steps=steps, kind=kind, start=start)


# -- cyclical (Smith 2017) and one-cycle (Smith & Topin 2017) -------------------------------

def _clr(k, lr0, lr_max, s, scale):
    cycle = jnp.floor(1.0 + k / (2.0 * s))
    x = jnp.abs(k / s - 2.0 * cycle + 1.0)
    return lr0 + (lr_max - lr0) * jnp.maximum(0.0, 1.0 - x) * scale(k, cycle)


def _check_clr(lr0, lr_max, s):
    _nonneg("lr0", lr0)
    _nonneg("lr_max", lr_max)
    _positive("s", s)


_CLR_DOC = r"""

    Smith (2017): :math:`c = \lfloor 1 + n/(2s) \rfloor`, :math:`x = |n/s - 2c + 1|`,
    :math:`\alpha_n = \alpha_0 + (\alpha_{max} - \alpha_0)\max(0, 1 - x)\,\sigma_n`,
    a cycle of :math:`2s` steps, at :math:`\alpha_0` for :math:`n = 0, 2s, ...` and at
    the peak for :math:`n = s, 3s, ...`.

    Args:
      lr0: base rate :math:`\alpha_0 \ge 0`.  lr_max: peak :math:`\alpha_{max} \ge 0`.
      s: half-cycle ("stepsize") in steps, > 0.

    References: Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017.
"""


@_register(lambda k, lr0, lr_max, s: _clr(k, lr0, lr_max, s, lambda k, c: 1.0))
def triangular(lr0, lr_max, s) -> Schedule:
    """Cyclical learning rate, triangular policy: :math:`\\sigma_n = 1`.

    Example:
      >>> [float(triangular(0.0, 1.0, s=2)(n)) for n in range(5)]
      [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    _check_clr(lr0, lr_max, s)
    return _schedule("triangular", lr0=lr0, lr_max=lr_max, s=s)


@_register(lambda k, lr0, lr_max, s: _clr(k, lr0, lr_max, s, lambda k, c: 2.0 ** (1.0 - c)))
def triangular2(lr0, lr_max, s) -> Schedule:
    """Cyclical learning rate, triangular2 policy: :math:`\\sigma_n = 2^{1 - c}`.

    Example:
      >>> [float(triangular2(0.0, 1.0, s=2)(n)) for n in (2, 6, 10)]
      [1.0, 0.5, 0.25]
    """
    _check_clr(lr0, lr_max, s)
    return _schedule("triangular2", lr0=lr0, lr_max=lr_max, s=s)


@_register(lambda k, lr0, lr_max, s, gamma: _clr(k, lr0, lr_max, s, lambda k, c: gamma**k))
def exp_range(lr0, lr_max, s, gamma) -> Schedule:
    """Cyclical learning rate, exp_range policy: :math:`\\sigma_n = \\gamma^n`.

    gamma in (0, 1].

    Example:
      >>> print(f"{float(exp_range(0.0, 1.0, s=2, gamma=0.5)(2)):.2f}")
      0.25
    """
    _check_clr(lr0, lr_max, s)
    _unit("gamma", gamma, low_open=True)
    return _schedule("exp_range", lr0=lr0, lr_max=lr_max, s=s, gamma=gamma)


for _f in (triangular, triangular2, exp_range):
    _f.__doc__ = _f.__doc__.replace("\n\n    Example:", _CLR_DOC + "\n    Example:", 1)


def _piecewise(k, bounds, values, interp):
    """optax.piecewise_interpolate_schedule with traced bounds (intervals of size >= 1)."""
    out = values[-1] + 0.0 * k
    for i in reversed(range(len(bounds) - 1)):
        pct = (k - bounds[i]) / jnp.maximum(bounds[i + 1] - bounds[i], 1.0)
        out = jnp.where(k < bounds[i + 1], interp(values[i], values[i + 1], pct), out)
    return out


def _cos_interp(a, b, pct):
    return b + (a - b) / 2.0 * (jnp.cos(jnp.pi * pct) + 1.0)


def _lin_interp(a, b, pct):
    return a + pct * (b - a)


def _onecycle_cosine(k, lr_max, T, pct_start, div, final_div):
    lr_init = lr_max / div
    return _piecewise(k, (0.0, jnp.floor(pct_start * T), jnp.floor(T)),
                      (lr_init, lr_max, lr_init / final_div), _cos_interp)


def _onecycle_linear(k, lr_max, T, pct_start, pct_final, div, final_div):
    lr_init = lr_max / div
    return _piecewise(k, (0.0, jnp.floor(pct_start * T), jnp.floor(pct_final * T), T),
                      (lr_init, lr_max, lr_init, lr_init / final_div), _lin_interp)


def _check_onecycle(lr_max, T, pct_start, div, final_div):
    _nonneg("lr_max", lr_max)
    _positive("T", T)
    _unit("pct_start", pct_start)
    _positive("div", div)
    _positive("final_div", final_div)


@_register(_onecycle_cosine)
def onecycle_cosine(lr_max, T, pct_start=0.3, div=25.0, final_div=1e4) -> Schedule:
    r"""One-cycle schedule with cosine phases (``optax.cosine_onecycle_schedule``).

    Cosine from :math:`\alpha_{max}/\mathrm{div}` up to :math:`\alpha_{max}` over
    :math:`\lfloor p_s T \rfloor` steps, then cosine down to
    :math:`\alpha_{max}/(\mathrm{div}\cdot\mathrm{final\_div})` at step T, constant after;
    traceable in every argument.

    Args:
      lr_max: peak >= 0.  T: total steps > 0.  pct_start: p_s in [0, 1].
      div, final_div: > 0.

    Example:
      >>> s = onecycle_cosine(1.0, T=100, div=10)
      >>> print(f"{float(s(0)):.2f} {float(s(30)):.2f}")
      0.10 1.00

    References: Smith & Topin, "Super-Convergence", 2017.
    """
    _check_onecycle(lr_max, T, pct_start, div, final_div)
    return _schedule("onecycle_cosine", lr_max=lr_max, T=T, pct_start=pct_start, div=div,
                     final_div=final_div)


@_register(_onecycle_linear)
def onecycle_linear(lr_max, T, pct_start=0.3, pct_final=0.85, div=25.0,
                    final_div=1e4) -> Schedule:
    r"""One-cycle schedule with linear phases (``optax.linear_onecycle_schedule``).

    Linear from :math:`\alpha_{max}/\mathrm{div}` to :math:`\alpha_{max}` at
    :math:`\lfloor p_s T\rfloor`, back to :math:`\alpha_{max}/\mathrm{div}` at
    :math:`\lfloor p_f T\rfloor`, then to :math:`\alpha_{max}/(\mathrm{div}\cdot
    \mathrm{final\_div})` at T, constant after; traceable in every argument.

    Args:
      lr_max: peak >= 0.  T: total steps > 0.  pct_start <= pct_final in [0, 1].
      div, final_div: > 0.

    Example:
      >>> s = onecycle_linear(1.0, T=100, div=10)
      >>> print(f"{float(s(15)):.2f} {float(s(30)):.2f} {float(s(85)):.2f}")
      0.55 1.00 0.10

    References: Smith & Topin, "Super-Convergence", 2017.
    """
    _check_onecycle(lr_max, T, pct_start, div, final_div)
    _unit("pct_final", pct_final)
    if not any(isinstance(v, jax.core.Tracer) for v in (pct_start, pct_final)):
        if np.any(np.asarray(pct_final, float) < np.asarray(pct_start, float)):
            raise ValueError(f"pct_final must be >= pct_start={pct_start!r}, "
                             f"got pct_final={pct_final!r}")
    return _schedule("onecycle_linear", lr_max=lr_max, T=T, pct_start=pct_start,
                     pct_final=pct_final, div=div, final_div=final_div)
