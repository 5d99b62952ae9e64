"""Quadratics :math:`f(x) = \\tfrac12 x^\\top A x - b^\\top x` with known spectrum."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp
from sympy.core.add import _addsort
from sympy.core.mul import _mulsort

from .._formula import number
from ._base import Problem, as_x, quadratic_fields

__all__ = ["quadratic"]


def _expr_from_matrix(A: np.ndarray, b: np.ndarray) -> sp.Expr:
    r""":math:`\tfrac12 x^\top A x - b^\top x` built term by term from the coefficients,
    each float read exactly by :func:`lrtheory._formula.number`: :math:`A_{ii}/2` for
    :math:`x_i^2`, :math:`A_{ij}` (``A`` symmetric) for :math:`x_i x_j`, :math:`-b_i` for
    :math:`x_i`. The terms are put in SymPy's canonical order once and joined without
    re-flattening: no matrix products and no ``expand`` (those took 43 s at d = 40).
    """
    d = A.shape[0]
    syms = sp.symbols(f"x1:{d + 1}")
    canon = list(syms)
    _mulsort(canon)  # SymPy's order of factors (x10 before x2), found once
    rank = {s: r for r, s in enumerate(canon)}
    args = []
    for i in range(d):
        for j in range(i, d):
            if A[i, j] != 0:
                c = number(float(A[i, j]), "A")
                if i == j:
                    args.append(sp.Mul(c / 2, sp.Pow(syms[i], 2)))
                else:
                    pair = sorted((syms[i], syms[j]), key=rank.__getitem__)
                    args.append(sp.Mul._from_args((c, *pair)) if c != 1
                                else sp.Mul._from_args(tuple(pair)))
        if b[i] != 0:
            args.append(sp.Mul(-number(float(b[i]), "b"), syms[i]))
    if not args:
        return sp.Integer(0)
    _addsort(args)
    return sp.Add._from_args(args) if len(args) > 1 else args[0]


def _spd_from_spectrum(eigenvalues: np.ndarray, seed: int) -> np.ndarray:
    """Q diag(eigenvalues) Q^T with Q Haar-random orthogonal (QR with sign fix)."""
    rng = np.random.default_rng(seed)
    d = eigenvalues.size
    Z = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    Q = Q * np.sign(np.diag(R))
    A = (Q * eigenvalues) @ Q.T
    return 0.5 * (A + A.T)


def quadratic(
    A=None,
    b=None,
    x0=None,
    *,
    dim: int | None = None,
    cond: float | None = None,
    mu: float = 1.0,
    seed: int = 0,
    spectrum: str = "linear",
) -> Problem:
    r"""A strongly convex quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x`.

    Either give ``A`` (symmetric positive definite; ``b`` defaults to 0), or generate one
    with ``dim``, ``cond`` and ``seed``: eigenvalues run from :math:`\mu` to
    :math:`L = \kappa\mu` exactly (``spectrum="linear"`` spaces them linearly,
    ``"log"`` geometrically; both endpoints are exact), rotated by a Haar-random
    orthogonal matrix. The minimiser is :math:`x^\star = A^{-1} b`, :math:`f^\star =
    -\tfrac12 b^\top A^{-1} b`; ``data`` holds ``A``, ``b`` and the exact
    ``eigenvalues`` (so theory is known exactly). Default start: ``x0 = x_star + 1``
    (all ones offset), or a seeded Gaussian when ``b`` is generated.

    The gradient is one mat-vec :math:`Ax - b` (no autodiff).

    Example:
      >>> p = quadratic(dim=3, cond=10.0, seed=0)
      >>> [round(float(v), 12) for v in p.data["eigenvalues"][[0, -1]]]
      [1.0, 10.0]
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; got seed={seed!r}")
    if A is None:
        if dim is None or cond is None:
            raise ValueError("quadratic needs either A, or dim= and cond=")
        try:
            ok = int(dim) == dim and dim >= 1
        except (TypeError, ValueError):  # dim="abc" (e.g. from the command line)
            ok = False
        if not ok:
            raise ValueError(f"dim must be a positive integer; got {dim!r}")
        for name, v, ok in (("cond", cond, lambda v: v >= 1), ("mu", mu, lambda v: v > 0)):
            try:
                good = bool(np.isfinite(v) and ok(v))
            except TypeError:  # a string or another non-number
                good = False
            if not good:
                raise ValueError(f"{name} must be {'>= 1' if name == 'cond' else '> 0'}; "
                                 f"got {v!r}")
        dim = int(dim)
        L = mu * cond
        if dim == 1:
            ev = np.array([mu])
        elif spectrum == "linear":
            ev = np.linspace(mu, L, dim)
        elif spectrum == "log":
            ev = np.geomspace(mu, L, dim)
        else:
            raise ValueError(f"spectrum must be 'linear' or 'log'; got {spectrum!r}")
        ev[0], ev[-1] = mu, L
        A = _spd_from_spectrum(ev, seed)
        params = {"dim": dim, "cond": float(cond), "mu": float(mu), "seed": seed,
                  "spectrum": spectrum}
        if b is None:
            b = np.zeros(dim)
    else:
        try:
            A = np.asarray(A, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"A must be a real square matrix; got A={A!r}") from e
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix; got shape {A.shape}")
        if not np.all(np.isfinite(A)):
            raise ValueError("A must be finite")
        if not np.allclose(A, A.T, rtol=1e-12, atol=0):
            raise ValueError("A must be symmetric")
        dim = A.shape[0]
        ev = np.linalg.eigvalsh(A)
        if ev[0] <= 0:
            raise ValueError(f"A must be positive definite; smallest eigenvalue {ev[0]:.3g}")
        params = {"A": A.tolist(), "b": None if b is None else np.asarray(b).tolist()}
        if b is None:
            b = np.zeros(dim)
    b = as_x(b, dim, "b")
    x_star = np.linalg.solve(A, b)
    f_star = float(-0.5 * b @ x_star)
    if x0 is None:
        x0 = x_star + 1.0
    x0 = as_x(x0, dim, "x0")

    def sampler(key):
        return jnp.asarray(x_star) + jax.random.normal(key, (dim,))

    def build_expr():
        return _expr_from_matrix(A, b)

    fields = quadratic_fields(A, b, eigenvalues=ev)
    return Problem(
        name="quadratic",
        dim=dim,
        x0=x0,
        x_star=x_star,
        f_star=f_star,
        symbols=tuple(sp.symbols(f"x1:{dim + 1}")),
        params=params,
        x0_sampler=sampler,
        tags=fields.pop("tags") | ({"scalar"} if dim == 1 else set()),
        expr_fn=build_expr,
        **fields,
    )
