"""The Problem contract and the SymPy -> JAX bridge (:func:`from_expr`)."""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .._formula import natural_key, parse, point
from .._minimizer import analyse
from ._common import float64_arrays

__all__ = ["Problem", "draw_starts", "from_expr", "parse_expr", "as_x", "quadratic_fns",
           "quadratic_fields"]

Array = jax.Array


@dataclasses.dataclass(frozen=True, eq=False)
class Problem:
    r"""A minimisation problem :math:`\min_x f(x)`, :math:`x \in \mathbb{R}^{dim}`.

    ``value``, ``grad`` and ``hess`` are pure JAX functions of a flat ``(dim,)`` vector
    (jit- and vmap-safe). Everything else is plain data.

    Attributes:
      name: registry name (or user label).
      dim: number of variables.
      value, grad, hess: :math:`f`, :math:`\nabla f`, :math:`\nabla^2 f`.
      x0: default start ``(dim,)``.
      x_star: known minimiser, or ``None``.
      f_star: :math:`f(x^\star)` when known, or ``None``.
      symbols: SymPy symbols of the variables, in order (``None`` without an expression).
      params: the parameters the problem was built with (identifies it in caches).
      data: plain arrays the problem carries (``A``, ``b``, ``eigenvalues`` for
        quadratics; ``X``, ``y``, ``X_test``, ``y_test`` for data-set problems).
      batch_grad: ``(x, key) -> g``, a mini-batch (stochastic) gradient, or ``None``.
      metrics: ``x -> dict`` of extra scalars (test loss, accuracy), or ``None``.
      x0_sampler: ``key -> x0``, random starts (multi-start studies), or ``None``.
      tags: descriptive tags (``"quadratic"``, ``"convex"``, ``"nonconvex"``,
        ``"scalar"``, ``"dataset"``, ``"nonsmooth-at-min"``) used to decide which
        methods apply and which tests hold.
      expr_fn: builds the SymPy expression on demand (large ones are built lazily).
      x_star_note: how ``x_star`` / ``f_star`` were obtained, or why they are missing
        (e.g. ``"unbounded below: ..."``); empty when given by the caller.

    Example (by hand; :func:`from_expr` and the registry build them from formulas):
      >>> p = Problem("parabola", 1, value=lambda x: x @ x, grad=lambda x: 2 * x,
      ...             hess=lambda x: 2 * jnp.eye(1), x0=np.array([3.0]), params={"a": 1})
      >>> float(p.value(jnp.asarray(p.x0))), p.key
      (9.0, 'parabola(a=1)')
    """

    name: str
    dim: int
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hess: Callable[[Array], Array]
    x0: np.ndarray
    x_star: np.ndarray | None = None
    f_star: float | None = None
    symbols: tuple[sp.Symbol, ...] | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    batch_grad: Callable[[Array, Array], Array] | None = None
    metrics: Callable[[Array], dict] | None = None
    x0_sampler: Callable[[Array], Array] | None = None
    tags: frozenset[str] = frozenset()
    expr_fn: Callable[[], sp.Expr] | None = dataclasses.field(default=None, repr=False)
    x_star_note: str = dataclasses.field(default="", repr=False)

    @functools.cached_property
    def expr(self) -> sp.Expr | None:
        """The SymPy expression of :math:`f`, or ``None`` (data-set problems)."""
        return None if self.expr_fn is None else self.expr_fn()

    @property
    def is_quadratic(self) -> bool:
        return "quadratic" in self.tags

    @property
    def finite_value_has_finite_grad(self) -> bool:
        r"""True when a finite :math:`f(x)` at a finite :math:`x` implies a finite gradient:
        a quadratic's :math:`f = x^\top A x / 2 - b^\top x + c` is inf or NaN as soon as
        an entry of :math:`Ax` is (:func:`quadratic_fns`). :func:`lrtheory.run`'s
        divergence test then needs no pass over the gradient. False when ``value`` and
        ``grad`` are not the pair that statement was made for."""
        return getattr(self.value, "finite_grad_with", None) is self.grad

    @property
    def key(self) -> str:
        """A stable text identity: name and sorted parameters (used by sweep caches)."""
        items = ",".join(f"{k}={self.params[k]!r}" for k in sorted(self.params))
        return f"{self.name}({items})"

    def value_and_grad(self, x: Array) -> tuple[Array, Array]:
        """:math:`f(x)` and :math:`\nabla f(x)` together: ``(value(x), grad(x))``, or one
        shared computation where the problem's functions provide it (a quadratic's
        :math:`Ax` serves both: one GEMM a step in a batched run instead of two). Used
        only while ``value`` and ``grad`` are the pair it was built with, so a problem
        whose functions were replaced (``dataclasses.replace``) falls back to them."""
        pair = getattr(self.value, "value_and_grad", None)
        if pair is not None and pair[0] is self.grad:
            return pair[1](x)
        return self.value(x), self.grad(x)

    def gradient(self, x: Array, key: Array | None = None) -> Array:
        """Full gradient, or a mini-batch gradient when ``key`` is given and the
        problem is stochastic (``batch_grad`` set)."""
        if key is not None and self.batch_grad is not None:
            return self.batch_grad(x, key)
        return self.grad(x)

    def starts(self, keys: Array) -> Array:
        """Random starts, one per PRNG key: ``x0_sampler(keys[i])`` for a 1-D array of keys
        (or ``(n, 2)`` raw ``uint32`` keys); returns ``(n, dim)``. The one way every tool
        draws many starts (sweeps, the LR finder, the studies), with :func:`draw_starts`.

        Example:
          >>> from lrtheory import problems
          >>> p = problems.get("himmelblau")
          >>> keys = jax.random.split(jax.random.key(0), 3)
          >>> x = p.starts(keys)
          >>> x.shape, bool(jnp.all(x == jnp.stack([p.x0_sampler(k) for k in keys])))
          ((3, 2), True)
        """
        if self.x0_sampler is None:
            raise ValueError(f"{self.key} has no x0_sampler: no random starts")
        keys = jnp.asarray(keys)
        typed = jax.dtypes.issubdtype(keys.dtype, jax.dtypes.prng_key)
        if keys.ndim != (1 if typed else 2):  # raw keys: (n, 2) uint32
            raise ValueError(f"keys must be a 1-D array of PRNG keys; got {keys.dtype} keys "
                             f"of shape {keys.shape}")
        return draw_starts(self.x0_sampler, keys)

    def __repr__(self) -> str:
        return f"Problem({self.key}, dim={self.dim})"


@functools.partial(jax.jit, static_argnums=0)
def draw_starts(sampler: Callable[[Array], Array], keys: Array) -> Array:
    """``sampler(keys[i])`` for every key of a key array, as one compiled ``lax.map``
    (cached per sampler and number of keys). A sampler's threefry and normal transforms
    compile 2-3x faster mapped than vmapped, and the numbers are the same. Used by
    :meth:`Problem.starts` and by samplers that are not a problem's (the studies' boxes).

    Example:
      >>> keys = jax.random.split(jax.random.key(0), 4)
      >>> draw_starts(lambda k: jax.random.uniform(k, (2,)), keys).shape
      (4, 2)
    """
    return jax.lax.map(sampler, keys)


def as_x(x: Any, dim: int, name: str = "x0") -> np.ndarray:
    """Validate a point: shape ``(dim,)`` (a scalar is accepted when ``dim == 1``),
    real, finite; returned as float64 numpy. Errors name the argument.

    Example:
      >>> as_x(2, 1), as_x([1, 2], 2).dtype
      (array([2.]), dtype('float64'))
      >>> as_x([0.0, float("nan")], 2, "x_star")
      Traceback (most recent call last):
      ...
      ValueError: x_star must be finite; got [0.0, nan]
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be a real array of shape ({dim},); got {x!r}") from e
    if arr.ndim == 0 and dim == 1:
        arr = arr.reshape(1)
    if arr.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr.tolist()}")
    return arr


def parse_expr(expr: str | sp.Expr, argname: str = "expr") -> sp.Expr:
    """A SymPy expression from an expression or a formula string: the one parser,
    :func:`lrtheory._formula.parse` (``^`` is a power, implicit products such as
    ``"3 y"``, names with digits stay whole, an unknown function is an error).

    Example:
      >>> parse_expr("x1^2 + 3 x2")
      x1**2 + 3*x2
    """
    return parse(expr, argname)


# The natural order of variables (x1 < x2 < x10), one definition (lrtheory._formula).
_natural_key = natural_key


def _lambdify_scalar(symbols, e):
    fn = sp.lambdify(symbols, e, modules="jax")

    def call(x):
        out = fn(*[x[i] for i in range(len(symbols))])
        return jnp.asarray(out, dtype=x.dtype) + jnp.zeros((), x.dtype)

    return call


def _lambdify_vector(symbols, entries, shape):
    fn = sp.lambdify(symbols, list(entries), modules="jax")

    def call(x):
        vals = fn(*[x[i] for i in range(len(symbols))])
        return jnp.stack([jnp.asarray(v, dtype=x.dtype) + jnp.zeros((), x.dtype)
                          for v in vals]).reshape(shape)

    return call


def quadratic_fns(A: np.ndarray, b: np.ndarray, c: float = 0.0):
    r"""``value``, ``grad``, ``hess`` of :math:`\tfrac12 x^\top A x - b^\top x + c`: the
    gradient is one mat-vec :math:`Ax - b` (no autodiff), and ``value`` carries a
    ``value_and_grad`` sharing it (:meth:`Problem.value_and_grad`).

    When ``A`` is exactly symmetric the mat-vec is written :math:`x^\top A` (the same
    numbers): under ``vmap`` that is one ``(N, d) @ (d, d)`` GEMM whose result is laid out
    run by run, as the optimiser's state is, where :math:`A x` gives a ``(d, N)`` result
    that is transposed (or read with a stride) every step."""
    sym = bool(np.array_equal(np.asarray(A), np.asarray(A).T))
    zero_b = not np.any(np.asarray(b))
    Aj, bj = float64_arrays(A, b)  # float64 even with LRTHEORY_X64=local

    def matvec(x):
        return x @ Aj if sym else Aj @ x

    def value(x):
        return 0.5 * x @ matvec(x) - bj @ x + c

    def grad(x):
        return matvec(x) - bj

    def hess(x):
        return Aj + jnp.zeros((), x.dtype)

    def value_and_grad(x):
        Ax = matvec(x)  # the one mat-vec (a GEMM over a batch) that f and its gradient share
        if zero_b:  # b = 0 (c = 0): no pass over x for b.x; the same numbers
            return 0.5 * x @ Ax + c, Ax
        return 0.5 * x @ Ax - bj @ x + c, Ax - bj

    value.value_and_grad = (grad, value_and_grad)  # read by Problem.value_and_grad
    # f = x.(Ax)/2 - b.x + c is inf or NaN as soon as an entry of A x is (x_i (Ax)_i is
    # inf, or NaN where x_i = 0): a finite f at a finite x has a finite gradient
    value.finite_grad_with = grad  # read by Problem.finite_value_has_finite_grad
    return value, grad, hess


def quadratic_fields(A: np.ndarray, b: np.ndarray, c: float = 0.0,
                     eigenvalues=None) -> dict:
    r"""The :class:`Problem` fields that a quadratic :math:`\tfrac12 x^\top A x - b^\top x +
    c` fixes, as keywords: ``value``, ``grad``, ``hess`` (:func:`quadratic_fns`), ``data``
    (``A``, ``b`` and ``eigenvalues``, the spectrum of ``A`` ascending: computed unless the
    exact spectrum ``A`` was built from is given) and ``tags`` (``quadratic``, and
    ``convex`` when ``A`` is positive definite)."""
    ev = (np.linalg.eigvalsh(A) if eigenvalues is None
          else np.sort(np.asarray(eigenvalues, dtype=np.float64)))
    value, grad, hess = quadratic_fns(A, b, c)
    return {"value": value, "grad": grad, "hess": hess,
            "data": {"A": A, "b": b, "eigenvalues": ev},
            "tags": frozenset({"quadratic"} | ({"convex"} if ev[0] > 0 else set()))}


def _find_minimiser(e, syms, f_star):
    """(x_star, f_star, note) from the capped analysis of :mod:`lrtheory._minimizer`;
    warns when f provably has no minimiser."""
    m = analyse(e, syms)
    if m.status == "none":
        warnings.warn(f"from_expr: {e} has no minimiser: {m.note}. x_star is None, so "
                      "measure='auto' falls back to f - f* or |grad f| (pass x_star=None to "
                      "say so and silence this)", UserWarning, stacklevel=3)
        return None, f_star, m.note
    xs = None
    if m.status == "unique":
        xs = np.array([float(sp.N(v, 30)) for v in m.x_star])
    if m.f_star is not None and m.status in ("unique", "several"):
        fs = float(sp.N(m.f_star, 30))
        if f_star is not None and not np.isclose(f_star, fs, rtol=1e-9, atol=1e-12):
            raise ValueError(f"f_star={f_star!r} disagrees with the minimum {fs!r} of {e} "
                             f"({m.note})")
        f_star = fs
    return xs, f_star, f"found: {m.note}" if m.status in ("unique", "several") else m.note


def from_expr(
    expr: str | sp.Expr,
    x0: Sequence[float] | float,
    x_star: Sequence[float] | float | str | None = "auto",
    name: str | None = None,
    *,
    f_star: float | None = None,
    symbols: Sequence[sp.Symbol | str] | None = None,
    tags: Sequence[str] = (),
    params: Mapping[str, Any] | None = None,
) -> Problem:
    r"""Build a :class:`Problem` from a formula.

    The gradient and Hessian are derived symbolically and lambdified to JAX. A
    polynomial of total degree <= 2 is recognised as a quadratic
    :math:`\tfrac12 x^\top A x - b^\top x + c` and evaluated as one mat-vec.

    Args:
      expr: a SymPy expression or a formula :func:`parse_expr` reads
        (``"x**4 + 3*y**2"``).
      x0: default start, one value per variable.
      x_star: the minimiser: numbers (or text such as ``"log(2)"``, SymPy numbers; then
        ``f_star`` is computed exactly from ``expr``); ``None`` for "unknown"; or
        ``"auto"`` (default): found where that is cheap and certain by
        :func:`lrtheory._minimizer.analyse` (quadratics; polynomials in one variable,
        or of degree <= 4 in two; strictly convex functions of one variable), set only
        when the global minimiser is unique (``f_star`` alone when there are several);
        a function that provably has no minimiser (unbounded below, only saddles) gives
        a ``UserWarning`` naming what is wrong. ``x_star_note`` says what happened.
      name: label; defaults to the expression text.
      f_star: optimal value when known and ``x_star`` is not given.
      symbols: the variables in order; default: the free symbols in natural order
        (``x1 < x2 < x10``). Any other free symbol is an error.
      tags: extra descriptive tags.

    Example:
      >>> p = from_expr("(x - 1)**2 + 10*y**2", x0=[0.0, 1.0])
      >>> float(p.value(p.x0)), p.x_star.tolist(), p.f_star, p.is_quadratic
      (11.0, [1.0, 0.0], 0.0, True)
      >>> from_expr("exp(x) - 2*x", x0=1.0, x_star="log(2)").x_star.tolist()
      [0.6931471805599453]
    """
    e = parse_expr(expr)
    free = sorted(e.free_symbols, key=natural_key)
    if symbols is None:
        syms = tuple(free)
    else:
        syms = tuple(sp.Symbol(s) if isinstance(s, str) else s for s in symbols)
        extra = [s for s in free if s not in syms]
        if extra:
            raise ValueError(
                f"expr has free symbols {[str(s) for s in extra]} that are not among "
                f"symbols={[str(s) for s in syms]}; substitute numbers for parameters first"
            )
    if not syms:
        raise ValueError(f"expr={e} has no variables")
    if e.has(sp.I):
        raise ValueError(f"expr={e} is not real (it contains I); give a real-valued formula")
    n = len(syms)
    try:
        x0a = as_x(x0, n, "x0")
    except ValueError as err:  # say which variables were found: a parameter may be among them
        raise ValueError(f"{err}: one value per variable {[str(s) for s in syms]}") from err
    xs, note = None, ""
    if isinstance(x_star, str) and x_star == "auto":
        xs, f_star, note = _find_minimiser(e, syms, f_star)
    elif x_star is not None:
        exact_xs = point(x_star, n, "x_star")
        xs = as_x([float(sp.N(v, 30)) for v in exact_xs], n, "x_star")
        fs = complex(sp.N(e.subs(dict(zip(syms, exact_xs, strict=True))), 30))
        if not np.isfinite(fs.real) or abs(fs.imag) > 0:
            raise ValueError(f"expr is not real and finite at x_star={xs.tolist()}")
        f_star = fs.real
    tagset = set(tags)
    if n == 1:
        tagset.add("scalar")
    poly = None
    if e.is_polynomial(*syms):
        poly = sp.Poly(e, *syms)
    if poly is not None and poly.total_degree() <= 2:
        H = sp.hessian(e, syms)
        A = np.array(H.tolist(), dtype=np.float64)
        g0 = [sp.diff(e, s).subs({t: 0 for t in syms}) for s in syms]
        b = -np.array([float(v) for v in g0])
        c = float(e.subs({t: 0 for t in syms}))
        fields = quadratic_fields(A, b, c)
        tagset |= fields.pop("tags")
    else:
        # Derivatives for *real* variables: d|x|/dx = sign(x) (0 at the kink, a valid
        # subgradient), not SymPy's complex re/im form that JAX cannot print; DiracDelta
        # terms (kinks in the gradient) are dropped: the Hessian where it exists.
        real = tuple(sp.Dummy(s.name, real=True) for s in syms)
        er = e.xreplace(dict(zip(syms, real, strict=True)))

        def d(expr, s):
            return sp.diff(expr, s).replace(sp.DiracDelta, lambda *a: sp.S.Zero)

        value = _lambdify_scalar(real, er)
        grads = [d(er, s) for s in real]
        grad = _lambdify_vector(real, grads, (n,))

        @functools.cache
        def _hess_fn():
            return _lambdify_vector(real, [d(g, s) for g in grads for s in real], (n, n))

        def hess(x):
            return _hess_fn()(x)

        fields = {"value": value, "grad": grad, "hess": hess, "data": {}}

    return Problem(
        name=name or str(e),
        dim=n,
        x0=x0a,
        x_star=xs,
        f_star=f_star,
        symbols=syms,
        params=dict(params or {"expr": str(e)}),
        tags=frozenset(tagset),
        expr_fn=lambda: e,
        x_star_note=note,
        **fields,
    )
