r"""The Moré-Garbow-Hillstrom (1981) unconstrained test set: 35 sums of squares.

:func:`mgh` builds function ``number`` (1-35) or ``name`` (``"powell_singular"``) as a
:class:`~lrtheory.problems.Problem`: :math:`f(x) = \sum_{i=1}^m f_i(x)^2` with the
residuals :math:`f_i` in SymPy (``problem.expr``, so theory and high-precision runs apply),
evaluated in JAX from one lambdified residual vector (the variable-dimension functions
20-35 from array code, :mod:`._vectorised`, checked against SymPy; gradient and Hessian by
autodiff of it), the paper's standard start :math:`x_0`, its dimensions (variable ones as
``n``, ``m``) and its minimum. Each is also registered as ``"mgh_<name>"`` (``problems.get``).

``f_star`` is the minimum at ``x_star``: exact where the paper gives the minimiser; else
the local minimiser the paper's value refers to, computed here by Newton's method on
:math:`\nabla f = 0` in 40-digit arithmetic (``x_star_note`` says which); the paper's
printed value is ``data["f_star_paper"]``. Where the minimiser is not unique (linear rank
1) or not printed for that dimension, ``x_star`` is ``None`` and ``f_star`` the paper's
value (``None`` where it prints none).

Reference: Moré, Garbow, Hillstrom (1981), ACM Trans. Math. Software 7(1):17-41.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .._base import Problem, as_x
from ._defs import FUNCTIONS, MGHFunction
from ._vectorised import VECTORISED

__all__ = ["mgh", "mgh_names", "FUNCTIONS", "MGHFunction"]

_BY_NAME = {f.name: f for f in FUNCTIONS}

#: The minimisers the paper does not print, written by ``_minima.py`` (40 digits, rounded to
#: float64): a JSON list of ``{"name", "n", "m", "x_star", "f_star"}`` records.
MINIMA_FILE = "minima.json"


def _numeric_minima() -> dict[tuple[str, int, int], tuple[list[float], float]]:
    """``(name, n, m) -> (x*, f(x*))`` from :data:`MINIMA_FILE`."""
    with resources.files(__package__).joinpath(MINIMA_FILE).open() as fh:
        return {(r["name"], r["n"], r["m"]): (r["x_star"], r["f_star"]) for r in json.load(fh)}


NUMERIC_MINIMA = _numeric_minima()


def mgh_names() -> list[str]:
    """The 35 function names, in the paper's order.

    Example:
      >>> mgh_names()[:3]
      ['rosenbrock', 'freudenstein_roth', 'powell_badly_scaled']
    """
    return [f.name for f in FUNCTIONS]


def _lookup(function) -> MGHFunction:
    if isinstance(function, bool):
        raise TypeError(f"function must be a number 1-35 or a name; got {function!r}")
    if isinstance(function, int | np.integer):
        if not 1 <= function <= 35:
            raise ValueError(f"function={function!r} must be a number in [1, 35] or a name")
        return FUNCTIONS[int(function) - 1]
    if isinstance(function, str):
        key = function.removeprefix("mgh_")
        if key in _BY_NAME:
            return _BY_NAME[key]
        raise ValueError(f"function={function!r} is not one of {mgh_names()}")
    raise TypeError(f"function must be a number 1-35 or a name; got {function!r}")


def _residual_fn(res, syms):
    """JAX ``x -> (f_1(x), ..., f_m(x))`` from one lambdify per part."""
    n = len(syms)
    parts = []
    if res.template is not None:
        keys = list(res.data)
        cols = [np.array([float(sp.N(v, 30)) for v in res.data[k]]) for k in keys]
        ft = sp.lambdify((*syms, *keys), res.template, modules="jax", cse=True)
        rows = len(cols[0])

        def template(xs, dtype):
            out = ft(*xs, *[jnp.asarray(c, dtype) for c in cols])
            return jnp.zeros(rows, dtype) + out

        parts.append(template)
    if res.exprs:
        fe = sp.lambdify(syms, list(res.exprs), modules="jax", cse=True)

        def explicit(xs, dtype):
            return jnp.stack([jnp.zeros((), dtype) + v for v in fe(*xs)])

        parts.append(explicit)

    def residuals(x):
        x = jnp.asarray(x)
        xs = [x[i] for i in range(n)]
        return jnp.concatenate([p(xs, x.dtype) for p in parts])

    return residuals


class _LazyData(Mapping):
    """``data`` whose callable entries in ``lazy`` are computed on first access (the
    Hessian spectrum at x* costs a compile; building the problem should not)."""

    def __init__(self, plain: dict, lazy: dict):
        self._plain, self._lazy = dict(plain), dict(lazy)

    def __getitem__(self, key):
        if key not in self._plain and key in self._lazy:
            self._plain[key] = self._lazy.pop(key)()
        return self._plain[key]

    def __iter__(self):
        return iter([*self._plain, *self._lazy])

    def __len__(self):
        return len(self._plain) + len(self._lazy)


def _spectrum(hess, x_star):
    def compute():
        H = np.asarray(jax.jit(hess)(jnp.asarray(x_star, dtype=jnp.float64)))
        return np.linalg.eigvalsh(0.5 * (H + H.T))
    return compute


def _near(x0: np.ndarray):
    """Random starts: uniform on :math:`x_0 \\pm 0.1 \\max(1, |x_0|)` per coordinate (the
    paper's own variants scale x0 by 10 and 100; this box stays in x0's basin and domain,
    e.g. Kowalik-Osborne's denominators keep their sign)."""
    lo, width = x0 - 0.1 * np.maximum(1.0, np.abs(x0)), 0.2 * np.maximum(1.0, np.abs(x0))

    def sample(key):
        return lo + width * jax.random.uniform(key, x0.shape)

    return sample


def _residual_exprs(res) -> list:
    out = []
    if res.template is not None:
        keys = list(res.data)
        for row in zip(*(res.data[k] for k in keys), strict=True):
            out.append(res.template.subs(dict(zip(keys, row, strict=True))))
    return out + list(res.exprs)


@functools.cache
def _build(number: int, n: int, m: int):
    spec = FUNCTIONS[number - 1]
    syms = tuple(sp.symbols(f"x1:{n + 1}"))
    res = spec.residuals(syms, n, m)
    if spec.name in VECTORISED:  # O(m n) scalar SymPy terms: array code traces faster
        vec = VECTORISED[spec.name]

        def rfn(x):
            return vec(jnp.asarray(x), n, m)
    else:
        rfn = _residual_fn(res, syms)

    def value(x):
        r = rfn(x)
        return r @ r

    return syms, res, rfn, value


def mgh(function: int | str, n: int | None = None, m: int | None = None, x0=None) -> Problem:
    r"""Moré-Garbow-Hillstrom function ``function`` (number 1-35 or name).

    Args:
      function: the paper's number, or name (:func:`mgh_names`; a ``"mgh_"`` prefix is
        accepted).
      n: number of variables for the variable-dimension functions (20-35), ``None`` =
        the default (see ``FUNCTIONS[k].dims.text`` for the allowed range).
      m: number of residuals where the paper lets it vary (6, 11, 12, 16, 18, 32-35).
      x0: start; default the paper's standard :math:`x_0`.

    Returns:
      A :class:`~lrtheory.problems.Problem` named ``"mgh_<name>"``, ``params={"n": n,
      "m": m}``, tags ``"mgh"``, ``"least-squares"`` and ``"convex"`` (linear functions
      32-34) or ``"nonconvex"``; ``data`` holds ``number``, ``m``, ``residuals`` (the JAX
      residual vector function), ``f_star_paper``, ``title``, ``note`` and, where
      ``x_star`` is known, ``eigenvalues``: the spectrum of the (autodiff, float64) Hessian
      at ``x_star``, computed on first access (``theory.curvature`` reads it).

    Example (Powell singular: f(x0) = 215, Hessian singular at x* = 0):
      >>> p = mgh("powell_singular")
      >>> round(float(p.value(p.x0)), 9), p.f_star, p.x_star.tolist()
      (215.0, 0.0, [0.0, 0.0, 0.0, 0.0])
      >>> mgh(21, n=4).dim, mgh("watson").data["m"]
      (4, 31)
    """
    spec = _lookup(function)
    n, m = spec.dims(n, m)
    syms, res, rfn, value = _build(spec.number, n, m)
    paper = spec.f_star(n, m)
    exact = spec.x_star(n, m)
    numeric = NUMERIC_MINIMA.get((spec.name, n, m))
    if exact is not None:
        xs = as_x([float(sp.N(v, 30)) for v in exact], n, "x_star")
        f_star, note = (0.0 if paper == 0 else paper), "x* as printed in the paper"
        if paper != 0:
            f_star = float(sp.N(sum(r**2 for r in _residual_exprs(res)).subs(
                dict(zip(syms, exact, strict=True))), 30))
    elif numeric is not None:
        xs, f_star = np.array(numeric[0]), 0.0 if paper == 0 else numeric[1]
        note = ("x* computed here: Newton's method on grad f = 0 in 40-digit arithmetic from "
                "a Levenberg-Marquardt solution; f(x*) rounds to the paper's value")
    else:
        xs, f_star = None, paper
        note = spec.note or ("x* not printed in the paper for this dimension"
                             if paper is not None else "minimum not printed in the paper")
    tags = {"mgh", "least-squares", *spec.tags} | ({"scalar"} if n == 1 else set())
    start = as_x(spec.x0(n, m) if x0 is None else x0, n, "x0")
    hess = jax.hessian(value)
    data = {"number": spec.number, "m": m, "residuals": rfn, "f_star_paper": paper,
            "title": spec.title, "note": spec.note}
    lazy = {} if xs is None else {"eigenvalues": _spectrum(hess, xs)}
    return Problem(
        name=f"mgh_{spec.name}", dim=n, value=value, grad=jax.grad(value),
        hess=hess, x0=start, x_star=xs, f_star=f_star,
        symbols=syms, params={"n": n, "m": m},
        data=_LazyData(data, lazy),
        tags=frozenset(tags), x0_sampler=_near(start),
        expr_fn=lambda: sp.Add(*[r**2 for r in _residual_exprs(res)]),
        x_star_note=note,
    )
