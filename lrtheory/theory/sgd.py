r"""SGD with a constant step on a quadratic with additive gradient noise: the noise floor.

The iteration :math:`x_{k+1} = x_k - \alpha\,(H(x_k - x^\star) + \xi_k)` with
independent :math:`\xi_k`, :math:`\mathbb E\xi_k = 0`, :math:`\operatorname{Cov}\xi_k = \Sigma`
moves the error :math:`e_k = x_k - x^\star` by :math:`e_{k+1} = (I - \alpha H)e_k -
\alpha\xi_k`, so its mean contracts, :math:`m_{k+1} = (I-\alpha H)m_k`, and its
covariance obeys

.. math:: C_{k+1} = (I-\alpha H)\,C_k\,(I-\alpha H) + \alpha^2\Sigma .

In the eigenbasis :math:`H = Q\Lambda Q^\top`, :math:`S = Q^\top\Sigma Q`, the fixed point
is :math:`\tilde C_{ij} = \alpha S_{ij}/(\lambda_i + \lambda_j - \alpha\lambda_i\lambda_j)`
(it exists iff :math:`0 < \alpha\lambda_i < 2` for all i), so the stationary levels are

.. math:: \mathbb E\|e\|^2 = \alpha\sum_i \frac{S_{ii}}{\lambda_i(2-\alpha\lambda_i)},\quad
   \mathbb E[f - f^\star] = \frac\alpha2\sum_i \frac{S_{ii}}{2-\alpha\lambda_i},\quad
   \mathbb E\|\nabla f\|^2 = \alpha\sum_i \frac{\lambda_i S_{ii}}{2-\alpha\lambda_i},

with :math:`S_{ii} = \sigma^2` for isotropic noise :math:`\Sigma = \sigma^2 I`. The
excess :math:`\mathbb E\|e_k\|^2 - \mathbb E\|e\|^2_\infty = \sum_i c_i(1-\alpha\lambda_i)^{2k}`
decays linearly at :math:`\rho^2` per step, :math:`\rho = \max_i|1-\alpha\lambda_i|` (the
rate of :func:`~lrtheory.theory.gd_rate`), and the mean error at :math:`\rho`.
Reference: e.g. Bach & Moulines (2013) for the constant-step SGD floor on quadratics;
the recursion is the discrete Lyapunov equation.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import sympy as sp

from .._display import html_repr, short_repr
from .._vocab import Measure
from ._common import exact, simplify_small, to_float
from .curvature import _is_problem, curvature

__all__ = ["NoiseFloor", "sgd_noise_floor"]


class NoiseFloor(NamedTuple):
    r"""Stationary error levels of constant-step SGD with additive gradient noise.

    Attributes:
      dist_sq: :math:`\mathbb E\|x - x^\star\|^2` at stationarity.
      f: :math:`\mathbb E[f(x) - f^\star]`.
      grad_sq: :math:`\mathbb E\|\nabla f(x)\|^2` (the true gradient).
      rate: :math:`\rho = \max_i|1-\alpha\lambda_i|`, the per-step contraction of the mean
        error (the excess of :math:`\mathbb E\|e_k\|^2` over the floor contracts by
        :math:`\rho^2`).
      dist_sq_expr, f_expr, grad_sq_expr, rate_expr: SymPy forms (exact for isotropic
        noise and an exact spectrum; floats when a general :math:`\Sigma` is rotated
        into the eigenbasis in float64).
      lr, sigma: the step and the isotropic noise level (``sigma`` ``None`` for a
        matrix :math:`\Sigma`).

    Example (H = diag(1, 4), lr = 1/4, sigma = 1: lr * (1/(1 * 7/4) + 1/(4 * 1)) = 23/112):
      >>> fl = sgd_noise_floor([1, 4], lr=0.25, sigma=1)
      >>> fl.dist_sq_expr, fl.rate_expr, round(fl.level("dist"), 6)
      (23/112, 3/4, 0.453163)
    """

    dist_sq: float
    f: float
    grad_sq: float
    rate: float
    dist_sq_expr: sp.Expr
    f_expr: sp.Expr
    grad_sq_expr: sp.Expr
    rate_expr: sp.Expr
    lr: float
    sigma: float | None = None

    def __repr__(self) -> str:
        return short_repr(self, ("dist_sq", "f", "grad_sq", "rate", "lr", "sigma"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def level(self, measure) -> float:
        r"""The floor of an error :class:`~lrtheory._vocab.Measure`: the root mean square
        :math:`\sqrt{\mathbb E\|e\|^2}` for ``dist``, :math:`\mathbb E[f-f^\star]` for
        ``f``, :math:`\sqrt{\mathbb E\|\nabla f\|^2}` for ``grad``.

        >>> sgd_noise_floor([2], lr=0.5, sigma=2).level("f")      # (1/4)*4/(2 - 1)
        1.0
        """
        m = Measure(measure)
        if m is Measure.DIST:
            return math.sqrt(self.dist_sq)
        if m is Measure.F:
            return self.f
        if m is Measure.GRAD:
            return math.sqrt(self.grad_sq)
        raise ValueError(f"measure={measure!r}: the step length has no stationary level "
                         "of its own here; use 'dist', 'f' or 'grad'")


def _noise_diagonal(Sigma, problem, n):
    """diag(Q^T Sigma Q) in the eigenbasis of the Hessian (float64)."""
    S = np.asarray(Sigma, dtype=np.float64)
    if S.shape != (n, n) or not np.all(np.isfinite(S)):
        raise ValueError(f"Sigma must be a finite ({n}, {n}) matrix; got shape {S.shape}")
    if not np.allclose(S, S.T, rtol=1e-12, atol=0) or np.linalg.eigvalsh(S)[0] < -1e-12 * \
            max(1.0, np.abs(S).max()):
        raise ValueError("Sigma must be a symmetric positive semidefinite covariance")
    A = None
    if _is_problem(problem) and "A" in problem.data:
        A = np.asarray(problem.data["A"], dtype=np.float64)
    elif np.ndim(problem) == 2:
        A = np.asarray(problem, dtype=np.float64)
    if A is None:
        if np.count_nonzero(S - np.diag(np.diag(S))) == 0:
            return np.diag(S), None  # a diagonal Sigma with a diagonal (spectrum) Hessian
        raise ValueError("a non-diagonal Sigma needs the Hessian's eigenvectors: pass the "
                         "Hessian matrix or a quadratic Problem, not a spectrum")
    lam, Q = np.linalg.eigh(0.5 * (A + A.T))
    return np.einsum("ji,jk,ki->i", Q, S, Q), lam


def sgd_noise_floor(problem, lr, sigma=None, *, Sigma=None, **curvature_kw) -> NoiseFloor:
    r"""Stationary error level (the noise floor) of constant-step SGD on a quadratic with
    additive gradient noise, and the linear rate at which a run approaches it.

    Args:
      problem: anything :func:`~lrtheory.theory.curvature` accepts (a quadratic
        Problem, a Hessian, a spectrum); the Hessian at :math:`x^\star` of a
        non-quadratic gives the local (small-noise) floor.
      lr: the step :math:`\alpha`, with :math:`0 < \alpha\lambda_i < 2` for all i.
      sigma: isotropic noise, :math:`\Sigma = \sigma^2 I` (exact when the spectrum is).
      Sigma: a noise covariance matrix instead (float64; needs the Hessian matrix or a
        quadratic Problem unless both are diagonal).

    Returns:
      :class:`NoiseFloor`.

    Raises:
      ValueError: an unstable step (:math:`\alpha\lambda_i \notin (0, 2)`: no stationary
        distribution), both or neither of ``sigma`` / ``Sigma``.

    Example (one eigenvalue 2, lr = 1/2, sigma = 2: E e**2 = (1/2)*4/(2*(2 - 1)) = 1):
      >>> sgd_noise_floor([2], lr=0.5, sigma=2).dist_sq_expr
      1
    """
    if (sigma is None) == (Sigma is None):
        raise ValueError("give exactly one of sigma (isotropic noise) or Sigma (a "
                         "covariance matrix)")
    a = exact(lr, "lr")
    c = curvature(problem, **curvature_kw)
    lam = list(c.eigenvalues_expr)
    for v in lam:
        if not (0 < to_float(a * v) < 2):
            raise ValueError(f"lr={lr!r} gives lr*lambda = {to_float(a * v):.6g} for the "
                             f"eigenvalue {v}: SGD has a stationary distribution only for "
                             "0 < lr*lambda < 2 for every eigenvalue")
    rate = simplify_small(sp.Max(*[sp.Abs(1 - a * v) for v in lam]))
    if sigma is not None:
        s2 = exact(sigma, "sigma") ** 2
        S = [s2] * len(lam)
        sig = to_float(sp.sqrt(s2))
    else:
        Sd, lam_np = _noise_diagonal(Sigma, problem, len(lam))
        if lam_np is not None:
            lam = [sp.Float(float(v)) for v in lam_np]
        S = [sp.Float(float(v)) for v in Sd]
        sig = None
    d = sp.Add(*[a * s / (v * (2 - a * v)) for s, v in zip(S, lam, strict=True)])
    f = sp.Add(*[a * s / (2 * (2 - a * v)) for s, v in zip(S, lam, strict=True)])
    g = sp.Add(*[a * v * s / (2 - a * v) for s, v in zip(S, lam, strict=True)])
    d, f, g = (simplify_small(e) for e in (d, f, g))
    return NoiseFloor(dist_sq=to_float(d), f=to_float(f), grad_sq=to_float(g),
                      rate=to_float(rate), dist_sq_expr=d, f_expr=f, grad_sq_expr=g,
                      rate_expr=rate, lr=to_float(a), sigma=sig)
