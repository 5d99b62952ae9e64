"""Decaying schedules: constant, time-based (plain and recursive), step, exponential,
polynomial, cosine."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lrtheory.schedules._base import Schedule, _nonneg, _positive, _register, _schedule, _unit


@_register(lambda k, lr0: lr0 + 0.0 * k)
def constant(lr0) -> Schedule:
    r"""Constant learning rate, :math:`\alpha_k = \alpha_0`.

    Example:
      >>> float(constant(0.1)(1000))
      0.1
    """
    _nonneg("lr0", lr0)
    return _schedule("constant", lr0=lr0)


@_register(lambda k, lr0, d: lr0 / (1.0 + d * k))
def time_based(lr0, d) -> Schedule:
    r"""Time-based (inverse-time) decay, :math:`\alpha_k = \alpha_0 / (1 + d\,k)`.

    Not in optax. The Keras ``LearningRateScheduler`` "time-based decay" and Bengio (2012)'s
    :math:`\alpha_0 \tau / \max(k, \tau)`; with :math:`d = 1/\tau` it is the Robbins-Monro
    :math:`O(1/k)` step.

    Args:
      lr0: :math:`\alpha_0 \ge 0`.  d: decay constant :math:`\ge 0`.

    Example:
      >>> print(f"{float(time_based(0.1, 0.01)(100)):.3f}")
      0.050

    References: Bengio, "Practical recommendations for gradient-based training of deep
      architectures", 2012; Keras docs, ``keras.optimizers.schedules.InverseTimeDecay``.
    """
    _nonneg("lr0", lr0)
    _nonneg("d", d)
    return _schedule("time_based", lr0=lr0, d=d)


_STIRLING_MIN_X = 100.0  # 1/d above this: Stirling difference (error < 1e-17), else lgamma


def _log_rising(n, d):
    r""":math:`\log\prod_{j<n}(1 + d j) = n\log d + \log\Gamma(n + 1/d) - \log\Gamma(1/d)`.

    For large :math:`x = 1/d` the two lgammas are ~x log x and their difference loses
    digits (d = 1e-9: 1e-6 relative), so there the Stirling series is differenced by hand:
    :math:`(x + n - \tfrac12)\,\mathrm{log1p}(n d) - n + R(x + n) - R(x)`.
    """
    # a subnormal d (1/d overflows to inf, inf * 0 = NaN) is 0 here, as XLA's flush to
    # zero makes it under jit: every factor 1 + d j rounds to 1 anyway
    pos = d >= jnp.finfo(jnp.result_type(d, float)).tiny
    d = jnp.where(pos, d, 1.0)  # keep the unused branch finite (and its gradient)
    x = 1.0 / d

    def r(z):  # Stirling remainder, terms to z^-7
        z2 = z * z
        return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * z2)) / z2) / z2) / z

    big_x = jnp.maximum(x, _STIRLING_MIN_X)
    stirling = (big_x + n - 0.5) * jnp.log1p(n / big_x) - n + r(big_x + n) - r(big_x)
    small_x = jnp.minimum(x, _STIRLING_MIN_X)
    lgam = (n * jnp.log(1.0 / small_x)
            + jax.lax.lgamma(n + small_x) - jax.lax.lgamma(small_x))
    return jnp.where(pos, jnp.where(x >= _STIRLING_MIN_X, stirling, lgam), 0.0)


@_register(lambda k, lr0, d: lr0 * jnp.exp(-_log_rising(jnp.maximum(k, 0.0), d)))
def time_based_recursive(lr0, d) -> Schedule:
    r"""Recursive time-based decay, :math:`\alpha_{n+1} = \alpha_n / (1 + d\,n)`.

    Closed form :math:`\alpha_n = \alpha_0 / \prod_{j<n}(1 + d j)
    = \alpha_0\,\Gamma(1/d) / (d^n\,\Gamma(n + 1/d))` for :math:`d > 0`, evaluated in log
    space (``lax.lgamma``; a Stirling difference for :math:`d < 0.01`). It decays faster
    than any exponential: :math:`\log\alpha_n \approx -n\log(d n)`.

    Args:
      lr0: :math:`\alpha_0 \ge 0`.  d: decay constant :math:`\ge 0`.

    Example:
      >>> s = time_based_recursive(1.0, 0.5)   # 1, 1/1, 1/1.5, 1/(1.5*2)
      >>> [round(float(s(n)), 6) for n in range(4)]
      [1.0, 1.0, 0.666667, 0.333333]

    References: the per-iteration form of Keras' (legacy) ``decay`` argument,
      ``lr *= 1 / (1 + decay * iterations)``; Bengio, 2012.
    """
    _nonneg("lr0", lr0)
    _nonneg("d", d)
    return _schedule("time_based_recursive", lr0=lr0, d=d)


@_register(lambda k, lr0, d, r: lr0 * d ** jnp.floor((1.0 + k) / r))
def step(lr0, d, r) -> Schedule:
    r"""Step decay, :math:`\alpha_n = \alpha_0\, d^{\lfloor (1 + n)/r \rfloor}`.

    The learning rate is multiplied by the drop factor ``d`` at steps ``n = r-1, 2r-1, ...``
    (the Keras step-decay recipe, with epochs read as steps).

    Args:
      lr0: :math:`\alpha_0 \ge 0`.  d: drop factor in [0, 1].  r: steps per drop, > 0.

    Example:
      >>> s = step(1.0, 0.5, 10)
      >>> [float(s(n)) for n in (0, 8, 9, 19)]
      [1.0, 1.0, 0.5, 0.25]

    References: Keras docs, ``LearningRateScheduler`` step decay; Goyal et al., 2017.
    """
    _nonneg("lr0", lr0)
    _unit("d", d)
    _positive("r", r)
    return _schedule("step", lr0=lr0, d=d, r=r)


@_register(lambda k, lr0, d: lr0 * jnp.exp(-d * k))
def exponential(lr0, d) -> Schedule:
    r"""Exponential decay, :math:`\alpha_n = \alpha_0\, e^{-d n}`.

    Args:
      lr0: :math:`\alpha_0 \ge 0`.  d: decay rate :math:`\ge 0`.

    Example:
      >>> import math
      >>> print(f"{float(exponential(1.0, math.log(2))(3)):.4f}")
      0.1250
    """
    _nonneg("lr0", lr0)
    _nonneg("d", d)
    return _schedule("exponential", lr0=lr0, d=d)


def _polynomial(k, lr0, lr_end, T, power, begin):
    t = jnp.clip(k - begin, 0.0, T)  # a traced T = 0 gives lr0 for ever, as optax does
    # (T - t) / T, not 1 - t / T: under jit XLA may divide as t * (1/T), and 1 - 115 *
    # (1/115) < 0 turns a non-integer power into NaN (optax.polynomial_schedule does that)
    return (lr0 - lr_end) * ((T - t) / jnp.where(T > 0, T, 1.0)) ** power + lr_end


@_register(_polynomial)
def polynomial(lr0, T, lr_end=0.0, power=1.0, begin=0) -> Schedule:
    r"""Polynomial decay, :math:`\alpha_k = (\alpha_0 - \alpha_E)(1 - t/T)^p + \alpha_E`.

    :math:`t = \mathrm{clip}(k - B, 0, T)`; the same function as
    ``optax.polynomial_schedule(lr0, lr_end, power, T, begin)``, traceable in ``T`` and ``B``.

    Args:
      lr0: start value.  T: decay steps, > 0.  lr_end: final value.  power: p >= 0.
      begin: B, steps held at lr0 first, >= 0.

    Example:
      >>> print(f"{float(polynomial(1.0, T=10, power=2)(5)):.2f}")
      0.25
    """
    _nonneg("lr0", lr0)
    _nonneg("lr_end", lr_end)
    _positive("T", T)
    _nonneg("power", power)
    _nonneg("begin", begin)
    return _schedule("polynomial", lr0=lr0, lr_end=lr_end, T=T, power=power, begin=begin)


def _cosine(k, lr0, T, alpha, exponent):
    c = 0.5 * (1.0 + jnp.cos(jnp.pi * jnp.minimum(k, T) / jnp.where(T > 0, T, 1.0)))
    return lr0 * ((1.0 - alpha) * c**exponent + alpha)


@_register(_cosine)
def cosine(lr0, T, alpha=0.0, exponent=1.0) -> Schedule:
    r"""Cosine decay, :math:`\alpha_k = \alpha_0[(1-a)(\tfrac12(1 + \cos(\pi \min(k,T)/T)))^e + a]`.

    The same function as ``optax.cosine_decay_schedule(lr0, T, alpha, exponent)``,
    traceable in ``T``.

    Args:
      lr0: start value.  T: decay steps, > 0.  alpha: final fraction a in [0, 1].
      exponent: e >= 0.

    Example:
      >>> print(f"{float(cosine(1.0, T=100)(50)):.2f}")
      0.50

    References: Loshchilov & Hutter, "SGDR", 2017.
    """
    _nonneg("lr0", lr0)
    _positive("T", T)
    _unit("alpha", alpha)
    _nonneg("exponent", exponent)
    return _schedule("cosine", lr0=lr0, T=T, alpha=alpha, exponent=exponent)
