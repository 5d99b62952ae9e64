r"""Optimisation methods: the :class:`Method` protocol, the optax adapter and a registry.

A method is a pair of pure functions over a flat parameter vector ``x``::

    init(x) -> state
    step(x, state, problem, k, key) -> (x_next, state_next)

``k`` is the iteration index (a traced integer) and ``key`` a PRNG key for mini-batch
gradients (``None`` for full-batch runs). Both are PyTree-valued, so :func:`lrtheory.run`
can ``lax.scan`` them and :func:`lrtheory.sweep` can ``vmap`` them.

Any ``optax.GradientTransformation`` is accepted wherever a method is (:func:`as_method`
wraps it with :func:`from_optax`). The registry (:func:`get`, :func:`names`, :func:`info`)
holds the textbook methods with their conventions documented in :func:`info`.

Learning rates may be a number, a schedule ``k -> lr`` (see :mod:`lrtheory.schedules`) or
a traced array, so sweeps vary them without recompiling.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .problems import Problem

__all__ = ["Method", "MethodInfo", "from_optax", "as_method", "get", "names", "info",
           "factory", "applicable", "lr_at", "check_lr"]

Array = jax.Array

#: Largest dimension for which methods that form a dense dim x dim matrix (Newton's
#: Hessian, BFGS's inverse) are applicable: beyond it one Hessian costs dim gradient passes
#: (the 810-parameter CNN: minutes per compiled Newton step on a CPU).
MAX_DENSE_DIM = 500


@dataclasses.dataclass(frozen=True, eq=False)
class Method:
    """A method: ``init(x) -> state`` and ``step(x, state, problem, k, key)``.

    Attributes:
      name: label used in tables.
      init, step: the pure functions (see the module docstring).
      lr: the learning rate (number, schedule or traced array) when the method has one,
        so trajectories can record it; ``None`` for opaque transformations.
      needs: what the method requires of a problem: a subset of ``{"hess", "scalar",
        "quadratic"}`` (second derivatives, one variable, a quadratic objective).
      hyper: the hyperparameters it was built with (for tables).
      takes_grad: ``step`` accepts ``g=``, the full-batch gradient at ``x`` that the run
        loop already computed for its record (one gradient per step instead of two).

    Example (a method that halves ``x`` each step; on f = x^2/2 the minimiser is 0):
      >>> from lrtheory.problems import quadratic
      >>> from lrtheory.run import run
      >>> halve = Method("halve", init=lambda x: (), step=lambda x, s, p, k, key: (x / 2, s))
      >>> run(halve, quadratic([[1.0]], x0=[1.0]), steps=3).dist.tolist()
      [1.0, 0.5, 0.25, 0.125]
    """

    name: str
    init: Callable[[Array], Any]
    step: Callable[..., tuple[Array, Any]]
    lr: Any = None
    needs: frozenset[str] = frozenset()
    hyper: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    takes_grad: bool = False


class MethodInfo(NamedTuple):
    """Registry entry: name, summary (update rule and convention), default hyperparameters,
    whether ``lr`` is required, and requirements on the problem.

    Example:
      >>> m = info("newton")
      >>> m.lr_required, sorted(m.needs), m.defaults
      (False, ['hess'], {})
    """

    name: str
    summary: str
    defaults: Mapping[str, float]
    lr_required: bool
    needs: frozenset[str]


def lr_at(lr, k):
    """The learning rate at step ``k``: ``lr(k)`` for a schedule, else ``lr``.

    Example:
      >>> lr_at(0.1, 5), lr_at(lambda k: 0.1 / (k + 1), 4)
      (0.1, 0.02)
    """
    return lr(k) if callable(lr) else lr


def check_lr(lr, name: str = "lr") -> None:
    """Reject negative, zero or non-finite learning rates when they are concrete.

    Traced values (inside ``jit``/``vmap``) cannot be checked here. A concrete schedule
    is checked at step 0, where it may be 0 (a warm-up that starts from zero) but not
    negative or non-finite.

    Example:
      >>> check_lr(0.1)
      >>> check_lr(lambda k: 0.1 * k)  # linear warm-up from 0: allowed
      >>> check_lr(lambda k: -0.1 + 0.0 * k)
      Traceback (most recent call last):
      ...
      ValueError: lr must be non-negative and finite at step 0; got -0.1
    """
    schedule = callable(lr)
    if schedule:
        try:
            value = lr(0)
        except Exception:  # a schedule that only works traced; nothing to check
            return
    else:
        value = lr
    if isinstance(value, jax.core.Tracer):
        return
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a number, an array or a schedule; got {lr!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be a number, an array or a schedule; got {lr!r}") from e
    if schedule:
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{name} must be non-negative and finite at step 0; "
                             f"got {arr.tolist()}")
    elif not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be positive and finite; got {value!r}")


def from_optax(tx: optax.GradientTransformation, name: str = "optax", lr=None) -> Method:
    """Wrap an optax transformation: ``g = grad f(x)``, ``u, s = tx.update(g, s, x)``,
    ``x <- x + u``. Transformations that take extra arguments (line searches such as
    ``optax.lbfgs``) receive ``value``, ``grad`` and ``value_fn``.

    Example:
      >>> m = from_optax(optax.sgd(0.1), name="gd", lr=0.1)
      >>> m.name, m.lr
      ('gd', 0.1)
    """
    if not isinstance(tx, optax.GradientTransformation):
        raise TypeError(f"tx must be an optax.GradientTransformation; got {type(tx).__name__}")
    extra = isinstance(tx, optax.GradientTransformationExtraArgs)

    def step(x, state, problem, k, key=None, g=None):
        if g is None or (key is not None and problem.batch_grad is not None):
            g = problem.gradient(x, key)
        if extra:
            updates, state = tx.update(g, state, x, value=problem.value(x), grad=g,
                                       value_fn=problem.value)
        else:
            updates, state = tx.update(g, state, x)
        return optax.apply_updates(x, updates), state

    return Method(name=name, init=tx.init, step=step, lr=lr, takes_grad=True)


def as_method(method) -> Method:
    """Accept a :class:`Method` or any optax transformation (wrapped unchanged).

    Example:
      >>> as_method(optax.adam(1e-3)).name, as_method(get("gd", lr=0.1)).name
      ('optax', 'gd')
    """
    if isinstance(method, Method):
        return method
    if isinstance(method, optax.GradientTransformation):
        return from_optax(method)
    if isinstance(method, str):
        raise TypeError(
            f"method={method!r}: build named methods with lrtheory.methods.get({method!r}, "
            "lr=...) so the learning rate is explicit")
    raise TypeError(
        f"method must be a lrtheory Method or an optax.GradientTransformation; got "
        f"{type(method).__name__}")


# --------------------------------------------------------------------------- second order
def _newton_direction(problem, x):
    return -jnp.linalg.solve(problem.hess(x), problem.grad(x))


def _newton(lr):
    def step(x, state, problem, k, key=None):
        return x + lr_at(lr, k) * _newton_direction(problem, x), state

    return step


def _armijo(problem, x, d, g, t0, c, rho, max_backtracks):
    """Largest t = t0 rho^i (i < max_backtracks) with f(x + t d) <= f(x) + c t g.d."""
    f0 = problem.value(x)
    slope = g @ d

    def cond(carry):
        t, i = carry
        return (problem.value(x + t * d) > f0 + c * t * slope) & (i < max_backtracks)

    t, _ = jax.lax.while_loop(cond, lambda c_: (c_[0] * rho, c_[1] + 1), (t0, 0))
    return t


def _newton_armijo(lr, c, rho, max_backtracks):
    def step(x, state, problem, k, key=None):
        g = problem.grad(x)
        d = -jnp.linalg.solve(problem.hess(x), g)
        # Not a descent direction (indefinite Hessian or failed solve): steepest descent.
        bad = ~(g @ d < 0) | ~jnp.all(jnp.isfinite(d))
        d = jnp.where(bad, -g, d)
        t = _armijo(problem, x, d, g, lr_at(lr, k) + jnp.zeros((), x.dtype), c, rho,
                    max_backtracks)
        return x + t * d, state

    return step


def _bfgs(lr, c, rho, max_backtracks):
    def init(x):
        return jnp.eye(x.shape[0], dtype=x.dtype)

    def step(x, Hinv, problem, k, key=None):
        g = problem.grad(x)
        d = -Hinv @ g
        d = jnp.where(g @ d < 0, d, -g)
        t = _armijo(problem, x, d, g, lr_at(lr, k) + jnp.zeros((), x.dtype), c, rho,
                    max_backtracks)
        s = t * d
        x_new = x + s
        y = problem.grad(x_new) - g
        sy = s @ y
        # Nocedal & Wright (6.20): scale H0 = (s.y / y.y) I before the first update.
        Hinv = jnp.where(k == 0, (sy / (y @ y)) * jnp.eye(x.shape[0], dtype=x.dtype), Hinv)
        r = 1.0 / sy
        V = jnp.eye(x.shape[0], dtype=x.dtype) - r * jnp.outer(s, y)
        H_new = V @ Hinv @ V.T + r * jnp.outer(s, s)
        # Skip the update unless the curvature condition s.y > 0 holds (N&W 6.2).
        ok = (sy > 1e-300) & jnp.all(jnp.isfinite(H_new))
        return x_new, jnp.where(ok, H_new, Hinv)

    return init, step


def _exact_line_search():
    def step(x, state, problem, k, key=None):
        g = problem.grad(x)
        Hg = problem.hess(x) @ g
        gHg = g @ Hg
        alpha = jnp.where(gHg > 0, (g @ g) / jnp.where(gHg > 0, gHg, 1.0), 0.0)
        return x - alpha * g, state

    return step


def _secant(lr, h):
    def init(x):
        return x + h * (1.0 + jnp.abs(x))  # the second start x_{-1}

    def step(x, x_prev, problem, k, key=None):
        g, gp = problem.grad(x), problem.grad(x_prev)
        dg = g - gp
        safe = dg != 0
        x_new = x - lr_at(lr, k) * g * (x - x_prev) / jnp.where(safe, dg, 1.0)
        # g == g_prev: the iterates coincide (converged in working precision); stay.
        return jnp.where(safe, x_new, x), x

    return init, step


def _halley(lr):
    def step(x, state, problem, k, key=None):
        g = problem.grad(x)[0]
        g1 = problem.hess(x)[0, 0]
        g2 = jax.grad(lambda z: problem.hess(z)[0, 0])(x)[0]
        den = 2.0 * g1 * g1 - g * g2
        dx = 2.0 * g * g1 / jnp.where(den != 0, den, 1.0)
        return x - lr_at(lr, k) * jnp.where(den != 0, dx, 0.0), state

    return step


def _none_init(x):
    return ()


# ------------------------------------------------------------------------------ registry
_Entry = tuple[MethodInfo, Callable[..., Any]]
_REGISTRY: dict[str, _Entry] = {}


def _register(name, summary, defaults, lr_required, needs, build, kind="optax"):
    _REGISTRY[name] = (MethodInfo(name, summary, dict(defaults), lr_required,
                                  frozenset(needs)), (kind, build))


_register("gd", "Gradient descent x <- x - lr grad f(x) (optax.sgd).", {}, True, (),
          lambda lr: optax.sgd(lr))
_register("momentum",
          "Heavy ball (Polyak 1964): x_{k+1} = x_k - lr g_k + beta (x_k - x_{k-1}); equals "
          "optax.sgd(lr, momentum=beta): v = g + beta v, x <- x - lr v.",
          {"beta": 0.9}, True, (), lambda lr, beta: optax.sgd(lr, momentum=beta))
_register("nesterov",
          "Nesterov momentum in optax's (Sutskever et al. 2013) form: v = g + beta v, "
          "x <- x - lr (g + beta v). Per eigenmode it equals y_k = x_k + beta (x_k - "
          "x_{k-1}), x_{k+1} = y_k - lr grad f(y_k).",
          {"beta": 0.9}, True, (),
          lambda lr, beta: optax.sgd(lr, momentum=beta, nesterov=True))
_register("adagrad",
          "Adagrad (Duchi et al. 2011): s += g^2, x <- x - lr g / (sqrt(s) + eps); "
          "optax defaults s_0 = 0.1, eps = 1e-7.",
          {"initial_accumulator_value": 0.1, "eps": 1e-7}, True, (),
          lambda lr, initial_accumulator_value, eps: optax.adagrad(
              lr, initial_accumulator_value=initial_accumulator_value, eps=eps))
_register("adadelta",
          "Adadelta (Zeiler 2012): u = sqrt(d + eps)/sqrt(s + eps) g with running means s "
          "of g^2 and d of u^2 (rho); x <- x - lr u. Zeiler's method has lr = 1 (default).",
          {"rho": 0.9, "eps": 1e-6}, False, (),
          lambda lr, rho, eps: optax.adadelta(lr, rho=rho, eps=eps))
_register("rmsprop",
          "RMSprop (Tieleman & Hinton 2012): s = rho s + (1-rho) g^2, x <- x - lr g / "
          "sqrt(s + eps) (optax: eps inside the square root, s_0 = 0).",
          {"decay": 0.9, "eps": 1e-8}, True, (),
          lambda lr, decay, eps: optax.rmsprop(lr, decay=decay, eps=eps))
_register("adam",
          "Adam (Kingma & Ba 2015) with bias correction: x <- x - lr m_hat / (sqrt(v_hat) "
          "+ eps).",
          {"b1": 0.9, "b2": 0.999, "eps": 1e-8}, True, (),
          lambda lr, b1, b2, eps: optax.adam(lr, b1=b1, b2=b2, eps=eps))
_register("newton", "Newton's method x <- x - H^{-1} g (lr = 1; any other lr is damped "
          "Newton).", {}, False, ("hess",), lambda lr: (_none_init, _newton(lr)), "custom")
_register("damped_newton", "Damped Newton with a fixed step: x <- x - lr H^{-1} g "
          "(linear with rate |1 - lr| near a nondegenerate minimum).", {}, True, ("hess",),
          lambda lr: (_none_init, _newton(lr)), "custom")
_register("newton_armijo",
          "Newton with backtracking (Armijo) line search: t = lr rho^i, the first with "
          "f(x + t d) <= f(x) + c t g.d (Nocedal & Wright Alg. 3.1); steepest descent when "
          "H is not positive definite.", {"c": 1e-4, "rho": 0.5, "max_backtracks": 40},
          False, ("hess",),
          lambda lr, c, rho, max_backtracks: (_none_init,
                                              _newton_armijo(lr, c, rho, max_backtracks)),
          "custom")
_register("bfgs",
          "BFGS (Nocedal & Wright Alg. 6.1) on the inverse Hessian, H0 scaled by s.y/y.y "
          "after the first step, Armijo backtracking from t = lr, update skipped unless "
          "s.y > 0.", {"c": 1e-4, "rho": 0.5, "max_backtracks": 40}, False, ("dense",),
          lambda lr, c, rho, max_backtracks: _bfgs(lr, c, rho, max_backtracks), "custom")
_register("exact_line_search",
          "Steepest descent with exact line search on a quadratic: lr_k = g.g / g.Ag "
          "(Cauchy 1847); linear with rate (kappa-1)/(kappa+1) in f.", {}, False,
          ("hess", "quadratic"), lambda lr: (_none_init, _exact_line_search()), "custom")
_register("secant",
          "Secant method on f' (one variable): x_{k+1} = x_k - g_k (x_k - x_{k-1}) / (g_k - "
          "g_{k-1}), second start x_{-1} = x_0 + h (1 + |x_0|); order (1 + sqrt 5)/2.",
          {"h": 1e-2}, False, ("scalar",),
          lambda lr, h: _secant(lr, h), "custom")
_register("halley",
          "Halley's method on f' (one variable): x <- x - 2 g g' / (2 g'^2 - g g''); "
          "order 3.", {}, False, ("scalar", "hess"),
          lambda lr: (_none_init, _halley(lr)), "custom")


def names() -> list[str]:
    """Registered method names, sorted.

    Example:
      >>> names()[:4]
      ['adadelta', 'adagrad', 'adam', 'bfgs']
    """
    return sorted(_REGISTRY)


def _entry(name: str) -> _Entry:
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise ValueError(f"unknown method name={name!r}{hint} Known: {names()}")
    return _REGISTRY[name]


def info(name: str) -> MethodInfo:
    """The registry entry of ``name``: update rule, convention, defaults, requirements.

    Example:
      >>> info("momentum").defaults
      {'beta': 0.9}
    """
    return _entry(name)[0]


def get(name: str, lr=None, **hyper) -> Method:
    """Build the registered method ``name``.

    Args:
      name: one of :func:`names`.
      lr: learning rate (number, schedule ``k -> lr`` or traced array). Required for
        first-order methods; defaults to 1 for Newton-type methods, secant, Halley,
        BFGS (initial trial step) and Adadelta.
      **hyper: overrides of :func:`info` ``(name).defaults`` (``beta`` for momentum, ...).

    Example:
      >>> m = get("momentum", lr=0.01, beta=0.5)
      >>> m.name, m.hyper["beta"]
      ('momentum', 0.5)
    """
    meta, (kind, build) = _entry(name)
    if lr is None:
        if meta.lr_required:
            raise ValueError(f"lr is required for method {name!r}")
        lr = 1.0
    check_lr(lr)
    unknown = set(hyper) - set(meta.defaults)
    if unknown:
        raise ValueError(f"unknown hyperparameters {sorted(unknown)} for method {name!r}; "
                         f"allowed: {sorted(meta.defaults)}")
    for key, value in hyper.items():
        _check_hyper(name, key, value)
    params = {**meta.defaults, **hyper}
    if kind == "optax":
        m = from_optax(build(lr, **params), name=name, lr=lr)
        return dataclasses.replace(m, hyper=params)
    init, step = build(lr, **params)
    return Method(name=name, init=init, step=step, lr=lr, needs=meta.needs, hyper=params)


def _check_hyper(method: str, name: str, value) -> None:
    """A concrete hyperparameter must be a finite real number (array); traced ones pass."""
    if isinstance(value, jax.core.Tracer):
        return
    ok = not isinstance(value, (str, bytes, bool, np.bool_))
    if ok:
        try:
            ok = bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise ValueError(f"{name} of method {method!r} must be a finite real number; "
                         f"got {name}={value!r}")


def factory(name: str, **hyper) -> Callable[[Any], Method]:
    """``lr -> Method`` for sweeps and the range test: ``factory("adam")(lr)``.

    Example:
      >>> m = factory("momentum", beta=0.5)(0.1)
      >>> m.lr, m.hyper
      (0.1, {'beta': 0.5})
    """
    _entry(name)
    return lambda lr: get(name, lr=lr, **hyper)


def applicable(method, problem: Problem) -> tuple[bool, str]:
    """Whether ``method`` (a name or a Method) can run on ``problem``, and why not.

    Example:
      >>> from lrtheory.problems import quadratic
      >>> applicable("secant", quadratic(dim=2, cond=2.0))
      (False, 'needs a one-variable problem; quadratic has dim=2')
    """
    needs = info(method).needs if isinstance(method, str) else as_method(method).needs
    if "scalar" in needs and problem.dim != 1:
        return False, f"needs a one-variable problem; {problem.name} has dim={problem.dim}"
    if "quadratic" in needs and not problem.is_quadratic:
        return False, f"needs a quadratic problem; {problem.name} is not"
    if needs & {"hess", "dense"} and problem.dim > MAX_DENSE_DIM:
        return False, (f"needs a dense dim x dim matrix; dim={problem.dim} exceeds "
                       f"{MAX_DENSE_DIM}")
    return True, ""
