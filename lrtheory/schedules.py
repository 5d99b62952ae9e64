"""Learning-rate schedules: optax-compatible, jit-safe, hyperparameters as data.

Every constructor returns a :class:`Schedule`, a callable ``k -> lr_k`` that optax accepts
wherever it takes a schedule (``optax.sgd(schedules.exponential(0.1, 1e-3))``). A schedule
is a JAX pytree whose leaves are its numeric hyperparameters, so a sweep over decay
constants compiles once: pass the ``Schedule`` (or its parameters) as an argument of the
jitted / vmapped function, never close over Python floats. Values are checked (``ValueError``
naming the argument) only when they are concrete; traced values are taken as given.

optax's polynomial, cosine and one-cycle schedules branch in Python on ``transition_steps``
(``if transition_steps <= 0``) and one-cycle calls ``int(pct_start * transition_steps)``,
so their horizons cannot be traced; the versions here are written with ``jnp.where`` and are
checked against optax at concrete values in ``tests/test_schedules.py``.

Example:
  >>> from lrtheory import schedules
  >>> s = schedules.get("time_based", lr0=0.1, d=0.5)
  >>> print(f"{float(s(2)):.4f}")
  0.0500
  >>> schedules.names()[:3]
  ('constant', 'cosine', 'exp_range')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["Schedule", "get", "names", "constant", "time_based", "time_based_recursive",
           "step", "exponential", "polynomial", "cosine", "warmup", "triangular",
           "triangular2", "exp_range", "onecycle_cosine", "onecycle_linear"]


@jax.tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True, eq=False)
class Schedule:
    """A named learning-rate schedule ``k -> lr_k`` whose hyperparameters are pytree leaves.

    Numeric parameters (Python numbers, NumPy or JAX arrays, tracers) and nested schedules
    are children of the pytree; strings and plain callables (e.g. an optax schedule under
    :func:`warmup`) are static. ``jax.vmap`` over a ``Schedule`` whose leaves share a
    leading axis evaluates a batch of schedules; :meth:`broadcast` builds one.

    Example:
      >>> s = Schedule("exponential", {"lr0": 0.1, "d": 0.0})
      >>> float(s(7))
      0.1
    """

    name: str
    params: dict[str, Any]

    def __call__(self, count):
        leaves = [x for x in jax.tree.leaves(self) if not isinstance(x, str)]
        k = jnp.asarray(count).astype(jnp.result_type(*leaves, float))
        return _REGISTRY[self.name].formula(k, **self.params)

    def broadcast(self) -> Schedule:
        """All leaves as arrays of one common shape, ready for ``jax.vmap(..., in_axes=0)``.

        Example:
          >>> s = exponential(lr0=jnp.array([0.1, 0.2]), d=0.0).broadcast()
          >>> jax.vmap(lambda s: s(3))(s).tolist()
          [0.1, 0.2]
        """
        leaves = jax.tree.leaves(self)
        shape = np.broadcast_shapes(*(np.shape(x) for x in leaves))
        return jax.tree.map(lambda x: jnp.broadcast_to(jnp.asarray(x), shape), self)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Schedule({self.name!r}, {args})"

    def tree_flatten(self):
        keys = tuple(self.params)
        static = tuple(v if _is_static(v) else None for v in self.params.values())
        children = tuple(None if _is_static(v) else v for v in self.params.values())
        return children, (self.name, keys, static)

    @classmethod
    def tree_unflatten(cls, aux, children):
        name, keys, static = aux
        values = (s if s is not None else c for s, c in zip(static, children, strict=True))
        return cls(name, dict(zip(keys, values, strict=True)))


def _is_static(v) -> bool:
    return isinstance(v, str) or (callable(v) and not isinstance(v, Schedule))


class _Entry(NamedTuple):
    build: Callable[..., Schedule]
    formula: Callable[..., jax.Array]


_REGISTRY: dict[str, _Entry] = {}


def _register(formula):
    def deco(build):
        _REGISTRY[build.__name__] = _Entry(build, formula)
        return build
    return deco


def names() -> tuple[str, ...]:
    """The registered schedule names, sorted.

    Example:
      >>> "exponential" in names()
      True
    """
    return tuple(sorted(_REGISTRY))


def get(name: str, **params) -> Schedule:
    """The schedule registered as ``name`` with hyperparameters ``params``.

    Works with traced ``params`` (inside ``jit``/``vmap``), so a sweep can build the
    schedule from array arguments and compile once.

    Args:
      name: one of :func:`names`.
      **params: the keyword arguments of the constructor of the same name.

    Returns:
      The :class:`Schedule`.

    Example:
      >>> print(f"{float(get('step', lr0=1.0, d=0.5, r=10)(9)):.2f}")
      0.50
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown schedule name={name!r}; known: {', '.join(names())}")
    return _REGISTRY[name].build(**params)


# -- validation (concrete values only) -----------------------------------------------------

def _check(arg: str, value, ok: Callable[[np.ndarray], np.ndarray], allowed: str) -> None:
    """Raise ValueError naming ``arg`` unless every element of a concrete ``value`` is ok."""
    if isinstance(value, jax.core.Tracer):
        return  # traced values cannot be inspected; the sweep engine owns their range
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{arg} must be a real number or array, got {value!r}") from err
    if not np.all(ok(a)):
        raise ValueError(f"{arg} must be {allowed}, got {arg}={value!r}")


def _nonneg(arg, v):
    _check(arg, v, lambda a: a >= 0, ">= 0 (finite)")
    _check(arg, v, np.isfinite, "finite")


def _positive(arg, v):
    _check(arg, v, lambda a: a > 0, "> 0 (finite)")
    _check(arg, v, np.isfinite, "finite")


def _unit(arg, v, low_open=False):
    if low_open:
        _check(arg, v, lambda a: (a > 0) & (a <= 1), "in (0, 1]")
    else:
        _check(arg, v, lambda a: (a >= 0) & (a <= 1), "in [0, 1]")


def _schedule(name, **params) -> Schedule:
    return Schedule(name, params)


# -- decays --------------------------------------------------------------------------------

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
    pos = d > 0
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
    return (lr0 - lr_end) * (1.0 - t / jnp.where(T > 0, T, 1.0)) ** power + lr_end


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

