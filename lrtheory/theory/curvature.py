r"""Curvature at the solution: :math:`L`, :math:`\mu`, :math:`\kappa` from the Hessian.

:math:`L = \lambda_{\max}(\nabla^2 f(x^\star))`, :math:`\mu = \lambda_{\min}`,
:math:`\kappa = L/\mu`. Exact (SymPy) where that is cheap: a quadratic's stored
``data["eigenvalues"]``, a diagonal Hessian, or a Hessian of dimension <= ``exact_max_dim``;
float64 (``numpy.linalg.eigvalsh``) otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import sympy as sp

from .._display import html_repr, short_repr
from .._formula import parse, point, variables
from ._common import exact, simplify_small, to_float

__all__ = ["Curvature", "curvature", "parse", "point", "variables"]


class Curvature(NamedTuple):
    r"""Eigenvalues of the Hessian at :math:`x^\star` and the constants they give.

    Attributes:
      L, mu, kappa: largest and smallest eigenvalue and their ratio (``inf`` when
        ``mu <= 0``: not strongly convex at :math:`x^\star`).
      eigenvalues: all eigenvalues, ascending, as floats.
      L_expr, mu_expr, kappa_expr, eigenvalues_expr: the same as SymPy expressions.
      exact: whether the expressions are exact (no float64 eigen-solver involved).
      source: where they came from: ``"data"`` (a quadratic's stored spectrum),
        ``"hessian"`` (symbolic Hessian at :math:`x^\star`), ``"matrix"``, ``"spectrum"``.
      quadratic: ``True`` when the Hessian is the same everywhere (a quadratic, so
        rates built on it are global and exact), ``False`` when it varies (rates are
        local), ``None`` for a bare matrix or spectrum (read as a quadratic model).
      rounded: whether a float entered (stored float eigenvalues, float matrix or
        spectrum entries, a float ``x_star`` where the Hessian varies): the values are
        then exact readings of rounded numbers, and a quantity within float64 round-off
        of a degenerate value (``lr * L = 1``) is read as that value by the rates.

    Example (``[[2, 1], [1, 2]]`` has eigenvalues 2 -+ 1):
      >>> c = curvature([[2, 1], [1, 2]])
      >>> c.eigenvalues_expr, c.L, c.mu, c.kappa_expr, c.exact, c.source
      ((1, 3), 3.0, 1.0, 3, True, 'matrix')
    """

    L: float
    mu: float
    kappa: float
    eigenvalues: tuple[float, ...]
    L_expr: sp.Expr
    mu_expr: sp.Expr
    kappa_expr: sp.Expr
    eigenvalues_expr: tuple[sp.Expr, ...]
    exact: bool
    source: str
    quadratic: bool | None = None
    rounded: bool = False

    def __repr__(self) -> str:
        return short_repr(self, ("L", "mu", "kappa", "eigenvalues", "exact", "source"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""``L = ..., \mu = ..., \kappa = ...`` in LaTeX.

        >>> curvature([1, 10]).latex()
        'L = 10,\\ \\mu = 1,\\ \\kappa = 10'
        """
        return (rf"L = {sp.latex(self.L_expr)},\ \mu = {sp.latex(self.mu_expr)},\ "
                rf"\kappa = {sp.latex(self.kappa_expr)}")


def _is_problem(obj) -> bool:
    # Duck-typed: importing lrtheory.problems would import JAX into the theory layer.
    return hasattr(obj, "data") and hasattr(obj, "expr_fn") and hasattr(obj, "dim")


def _from_exprs(ev: Sequence[sp.Expr], source: str, quadratic=None, rounded=False
                ) -> Curvature:
    ev = [sp.sympify(v) for v in ev]
    if not ev:
        raise ValueError("the spectrum is empty")
    fl = [to_float(v) for v in ev]
    order = np.argsort(fl, kind="stable")
    ev = tuple(ev[i] for i in order)
    fl = tuple(fl[i] for i in order)
    L, mu = ev[-1], ev[0]
    kappa = simplify_small(sp.radsimp(L / mu)) if fl[0] > 0 else sp.oo
    is_exact = not any(v.has(sp.Float) for v in ev)
    return Curvature(L=fl[-1], mu=fl[0], kappa=to_float(kappa), eigenvalues=fl, L_expr=L,
                     mu_expr=mu, kappa_expr=sp.sympify(kappa), eigenvalues_expr=ev,
                     exact=is_exact, source=source, quadratic=quadratic, rounded=rounded)


# Asymmetry of a float matrix accepted as round-off (then symmetrised), relative to max|H|.
SYMMETRY_RTOL = 1e-10


def _symmetric(H: sp.Matrix, rounded: bool, name: str) -> sp.Matrix:
    """H itself when symmetric; (H + H^T)/2 when it came from floats and is symmetric to
    round-off; else a ValueError naming the worst pair of entries."""
    D = H - H.T
    if D.is_zero_matrix:
        return H
    n = H.shape[0]
    gap, i, j = max((abs(to_float(D[i, j])), i, j) for i in range(n) for j in range(i + 1, n))
    scale = max(abs(to_float(v)) for v in H)
    if rounded and gap <= SYMMETRY_RTOL * scale:
        return (H + H.T) / 2
    raise ValueError(f"{name} must be a symmetric matrix (a Hessian); entry [{i}, {j}] = "
                     f"{H[i, j]} but [{j}, {i}] = {H[j, i]}")


def _matrix_spectrum(H: sp.Matrix, exact_max_dim: int, source: str, quadratic=None,
                     rounded=False, name="obj") -> Curvature:
    n = H.shape[0]
    if H.shape != (n, n):
        raise ValueError(f"{name}: the matrix must be square; got shape {H.shape}")
    H = _symmetric(H, rounded or H.has(sp.Float), name)
    kw = {"quadratic": quadratic, "rounded": rounded}
    if H.is_diagonal():
        return _from_exprs([H[i, i] for i in range(n)], source, **kw)
    if n <= exact_max_dim and not H.has(sp.Float):
        ev = [simplify_small(v) for v in H.eigenvals(multiple=True)]
        return _from_exprs(ev, source, **kw)
    Hf = np.array(H.evalf(30).tolist(), dtype=np.float64)
    return _from_exprs([sp.Float(float(v)) for v in np.linalg.eigvalsh(Hf)], source, **kw)


def curvature(obj, x_star=None, symbols=None, *, exact_max_dim: int = 2) -> Curvature:
    r"""Eigenvalues of :math:`\nabla^2 f(x^\star)`, and :math:`L`, :math:`\mu`, :math:`\kappa`.

    Args:
      obj: a :class:`~lrtheory.problems.Problem` (a quadratic's stored
        ``data["eigenvalues"]`` are used, else its expression's Hessian at ``x_star``);
        a SymPy expression or formula string of :math:`f`; a symmetric matrix (SymPy
        or array; the Hessian itself); a 1-D sequence of eigenvalues; or a
        :class:`Curvature` (returned unchanged). A matrix must be symmetric; one with
        float entries that is symmetric only to round-off (asymmetry at most
        ``SYMMETRY_RTOL * max|H|``, e.g. an autodiff Hessian) is symmetrised as
        :math:`(H + H^\top)/2`.
      x_star: the point (default: the problem's ``x_star``), read by
        :func:`lrtheory._formula.point`: floats exactly (the small fraction or short
        decimal they round), SymPy numbers or text (``"log(2)"``) for exact irrational
        points. Not needed when the Hessian is constant.
      symbols: variable order for an expression (default: natural order of its symbols).
      exact_max_dim: largest non-diagonal dimension solved exactly by SymPy.

    Returns:
      :class:`Curvature`.

    Example:
      >>> c = curvature("(x - 1)**2 + 10*(y - x**2)**2", x_star=[1, 1])
      >>> c.mu_expr, c.L_expr, round(c.kappa, 3)
      (51 - sqrt(2561), sqrt(2561) + 51, 258.096)
    """
    if isinstance(obj, Curvature):
        return obj
    if _is_problem(obj):
        if "eigenvalues" in obj.data:
            ev = np.asarray(obj.data["eigenvalues"], dtype=np.float64).reshape(-1)
            return _from_exprs([exact(float(v), "data['eigenvalues']") for v in ev], "data",
                               quadratic=bool(getattr(obj, "is_quadratic", True)),
                               rounded=True)
        e = obj.expr
        if e is None:
            raise ValueError(f"problem {obj.name!r} has no SymPy expression and no stored "
                             "eigenvalues; pass a Hessian or a spectrum instead")
        symbols = obj.symbols if symbols is None else symbols
        x_star = obj.x_star if x_star is None else x_star
        return _hessian_curvature(e, x_star, symbols, exact_max_dim)
    if isinstance(obj, sp.MatrixBase):
        if obj.free_symbols:
            raise ValueError(f"obj (a matrix) must be numeric; it has free symbols "
                             f"{sorted(map(str, obj.free_symbols))}")
        return _matrix_spectrum(sp.Matrix(obj), exact_max_dim, "matrix",
                                rounded=obj.has(sp.Float))
    if isinstance(obj, (str, sp.Expr)):
        return _hessian_curvature(parse(obj, "obj"), x_star, symbols, exact_max_dim)
    try:
        arr = np.asarray(obj, dtype=object)
    except Exception as e:  # ragged input
        raise TypeError(f"obj must be a Problem, expression, matrix or spectrum; got {obj!r}"
                        ) from e
    rounded = any(isinstance(v, (float, np.floating)) for v in arr.reshape(-1))
    if arr.ndim == 2:
        M = sp.Matrix([[exact(v, "obj") for v in row] for row in arr])
        return _matrix_spectrum(M, exact_max_dim, "matrix", rounded=rounded)
    if arr.ndim == 1:
        return _from_exprs([exact(v, "obj") for v in arr], "spectrum", rounded=rounded)
    raise TypeError(f"obj must be a Problem, an expression, a matrix or a 1-D spectrum; "
                    f"got {type(obj).__name__} of shape {arr.shape}")


def _hessian_curvature(e, x_star, symbols, exact_max_dim) -> Curvature:
    syms = variables(e, symbols)
    if not syms:
        raise ValueError(f"expr={e} has no variables")
    H = sp.hessian(e, syms)
    constant = not (H.free_symbols & set(syms))
    rounded = False
    if not constant:
        if x_star is None:
            raise ValueError(f"x_star is needed: the Hessian of {e} is not constant")
        H = H.subs(dict(zip(syms, point(x_star, len(syms)), strict=True)))
        rounded = any(isinstance(v, (float, np.floating))
                      for v in np.asarray(x_star, dtype=object).reshape(-1))
    return _matrix_spectrum(H, exact_max_dim, "hessian", quadratic=constant, rounded=rounded)
