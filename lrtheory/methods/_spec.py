r"""The method spec: one frozen record per method, its hyperparameters and their checks.

A :class:`MethodSpec` holds everything the library says about a method in one place: the
update rule the code computes (``summary``), its conventions (which iterate is recorded,
how the state starts, line searches), its hyperparameters with defaults and allowed ranges
(:class:`Hyper`), what it needs of a problem, a JAX step (an optax builder or an
``(init, step)`` pair), an mpmath step of the same algorithm, and the theory that
predicts its behaviour (:class:`TheoryHook`). The registered specs are built in
:mod:`._catalogue`, their data read from ``methods.toml``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

import jax
import mpmath
import numpy as np

from ._base import Method, check_lr, from_optax

__all__ = ["Hyper", "TheoryHook", "MethodSpec"]

_INF = math.inf


@dataclasses.dataclass(frozen=True, kw_only=True)
class Hyper:
    r"""A hyperparameter: its name, default, allowed range and meaning.

    The range is ``low <= v <= high`` with either end open (``low_open``: ``low < v``;
    ``high_open``: ``v < high``); ``integer`` values must be whole numbers.

    Example (momentum's beta: 0 <= beta < 1; beta = 1.5 is rejected):
      >>> b = Hyper(name="beta", default=0.9, low=0, high=1, high_open=True, doc="momentum")
      >>> b.range, b.check(0.5, "momentum")
      ('0 <= beta < 1', 0.5)
      >>> b.check(1.5, "momentum")
      Traceback (most recent call last):
      ...
      ValueError: beta of method 'momentum' must satisfy 0 <= beta < 1; got beta=1.5
    """

    name: str
    default: float
    doc: str
    low: float = -_INF
    high: float = _INF
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    @property
    def range(self) -> str:
        """The allowed range in words, e.g. ``0 <= beta < 1`` or ``eps > 0``."""
        lo = None if self.low == -_INF else f"{self.low:g} {'<' if self.low_open else '<='} "
        hi = None if self.high == _INF else f" {'<' if self.high_open else '<='} {self.high:g}"
        kind = " (an integer)" if self.integer else ""
        if lo and hi:
            return f"{lo}{self.name}{hi}{kind}"
        if lo:
            return f"{self.name} {'>' if self.low_open else '>='} {self.low:g}{kind}"
        if hi:
            return f"{self.name}{hi}{kind}"
        return f"{self.name} real{kind}"

    def check(self, value, method: str):
        """``value`` when it is allowed (traced values pass unchecked), else ``ValueError``.

        Accepts a number, a numpy/JAX array (every entry is checked) or an ``mpmath.mpf``
        (compared exactly, not through a float).
        """
        if isinstance(value, jax.core.Tracer):
            return value
        if isinstance(value, mpmath.mpf):
            vals = [value]
        else:
            ok = not isinstance(value, (str, bytes, bool, np.bool_))
            try:
                arr = np.asarray(value, dtype=np.float64) if ok else None
            except (TypeError, ValueError):
                arr = None
            if arr is None or not np.all(np.isfinite(arr)):
                raise ValueError(f"{self.name} of method {method!r} must be a finite real "
                                 f"number; got {self.name}={value!r}")
            vals = arr.reshape(-1).tolist()
        for v in vals:
            inside = ((v > self.low if self.low_open else v >= self.low)
                      and (v < self.high if self.high_open else v <= self.high))
            if not inside or (self.integer and v != int(v)):
                raise ValueError(f"{self.name} of method {method!r} must satisfy "
                                 f"{self.range}; got {self.name}={value!r}")
        return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class TheoryHook:
    """Which theory predicts a method's behaviour and how it is called.

    ``predict(problem, lr, hyper, curvature) -> Rate`` returns a
    :class:`lrtheory.theory.Rate` (``q`` or ``rate`` ``nan`` where the theory gives only
    the regime) or raises ``ValueError`` saying why the theory does not cover the problem.

    Example:
      >>> from lrtheory.methods import spec
      >>> spec("gd").theory.function
      'lrtheory.theory.gd_rate'
    """

    function: str
    call: str
    predict: Callable[..., Any]


def _no_state(ctx, x0, g0):
    return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class MethodSpec:
    r"""Everything about one method: maths, conventions, hyperparameters, both steps, theory.

    Attributes:
      name: registry name; ``aliases``: other names that find it (``heavy_ball``).
      summary: the update rule, exactly as the code computes it.
      conventions: which iterate is recorded, how the state starts, scalings, searches.
      references: where the rule comes from.
      hyper: the hyperparameters (:class:`Hyper`) besides ``lr``.
      lr_required: whether ``lr`` must be given; otherwise it defaults to 1, and
        ``lr_doc`` says what it means (a step, an initial trial step, a damping).
      needs: what it requires of a problem: a subset of ``{"hess", "dense", "scalar",
        "quadratic"}``.
      modes: ``{"minimize"}`` or also ``"root"`` (:func:`lrtheory.precision.run_mp` solves
        :math:`g(x) = 0` for a given :math:`g`).
      memory: the step carries a velocity, so :math:`\nabla f(x_k) = 0` is not a fixed
        point (heavy ball, Nesterov, Adam).
      optax: ``(lr, **hyper) -> optax.GradientTransformation``; or ``jax``:
        ``(lr, **hyper) -> (init, step)`` for methods written here.
      mp_init, mp_step: the same algorithm in mpmath (:mod:`lrtheory.precision`):
        ``mp_init(ctx, x0, g0) -> state``, ``mp_step(ctx, k, x, f(x), g(x), state) ->
        (x_next, state)``.
      theory: the :class:`TheoryHook`, or ``None`` (no theory, e.g. Adam).

    Example:
      >>> from lrtheory.methods import spec
      >>> s = spec("momentum")
      >>> s.aliases, s.defaults, [h.range for h in s.hyper]
      (('heavy_ball',), {'beta': 0.9}, ['0 <= beta < 1'])
    """

    name: str
    summary: str
    conventions: str
    mp_step: Callable[..., Any]
    references: str = ""
    aliases: tuple[str, ...] = ()
    hyper: tuple[Hyper, ...] = ()
    lr_required: bool = True
    lr_doc: str = "step size"
    needs: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset({"minimize"})
    memory: bool = False
    optax: Callable[..., Any] | None = None
    jax: Callable[..., Any] | None = None
    mp_init: Callable[..., Any] = _no_state
    theory: TheoryHook | None = None

    def __post_init__(self):
        if (self.optax is None) == (self.jax is None):
            raise ValueError(f"method {self.name!r}: give exactly one of optax= and jax=")

    @property
    def defaults(self) -> dict[str, float]:
        """``{name: default}`` of the hyperparameters (``lr`` not included)."""
        return {h.name: h.default for h in self.hyper}

    def params(self, hyper: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults overridden by ``hyper``, each checked against its range.

        Example:
          >>> from lrtheory.methods import spec
          >>> spec("adam").params({"b1": 0.5})
          {'b1': 0.5, 'b2': 0.999, 'eps': 1e-08}
        """
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise ValueError(f"unknown hyperparameters {sorted(unknown)} for method "
                             f"{self.name!r}; allowed: {sorted(self.defaults)}")
        by_name = {h.name: h for h in self.hyper}
        return {**self.defaults,
                **{k: by_name[k].check(v, self.name) for k, v in hyper.items()}}

    def build(self, lr=None, **hyper) -> Method:
        """The JAX :class:`~lrtheory.methods.Method` with learning rate ``lr``.

        Example:
          >>> from lrtheory.methods import spec
          >>> spec("newton").build().lr, spec("gd").build(0.1).hyper
          (1.0, {})
        """
        if lr is None:
            if self.lr_required:
                raise ValueError(f"lr is required for method {self.name!r}")
            lr = 1.0
        check_lr(lr)
        params = self.params(hyper)
        if self.optax is not None:
            m = from_optax(self.optax(lr, **params), name=self.name, lr=lr)
            return dataclasses.replace(m, hyper=params, needs=self.needs)
        init, step, takes_grad = self.jax(lr, **params)
        return Method(name=self.name, init=init, step=step, lr=lr, needs=self.needs,
                      hyper=params, takes_grad=takes_grad)

    def predict(self, problem, lr=None, *, curvature=None, **hyper):
        """What theory predicts for this method on ``problem`` (a
        :class:`lrtheory.theory.Rate`), or ``None`` when the method has no theory.

        Raises ``ValueError`` when the theory does not cover ``problem`` (and says why).
        ``curvature`` (a :class:`lrtheory.theory.Curvature` at :math:`x^\\star`) saves
        recomputing it.

        Example (GD with lr = 0.1 on eigenvalues 2 and 10: max(|1 - 0.2|, |1 - 1|) = 4/5):
          >>> from lrtheory.methods import spec
          >>> from lrtheory.problems import quadratic
          >>> spec("gd").predict(quadratic([[2.0, 0], [0, 10.0]]), lr=0.1).rate_expr
          4/5
          >>> spec("adam").predict(quadratic([[2.0, 0], [0, 10.0]]), lr=0.1) is None
          True
        """
        if self.theory is None:
            return None
        if lr is None:
            if self.lr_required:
                raise ValueError(f"lr is required for method {self.name!r}")
            lr = 1.0
        return self.theory.predict(problem, lr, self.params(hyper), curvature)
