r"""Problems built on real data sets that ship with scikit-learn (no download).

* :func:`least_squares` -- linear regression on the diabetes data (442 patients,
  10 features; Efron et al. 2004). It stands in for the usual "housing prices" example:
  California housing would need a download, diabetes is bundled with scikit-learn.
* :func:`logistic` -- L2-regularised logistic regression on the Wisconsin breast-cancer
  data (569 tumours, 30 features; Street, Wolberg & Mangasarian 1993).

Both split the data into train and test sets with a fixed ``seed`` (``n_train`` rows
for training, the rest for testing), standardise the features with the training
set's mean and standard deviation and prepend an intercept column of ones, so
``data["X"]`` is the design matrix :math:`X \in \mathbb{R}^{n \times (p+1)}` the loss is
written with. ``batch_grad(x, key)`` is the gradient on ``batch_size`` rows drawn
uniformly without replacement, an unbiased estimate of ``grad(x)``.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg
import scipy.special

from ._base import Problem, quadratic_fields
from ._common import check_int, check_real, float64_arrays

__all__ = ["least_squares", "logistic", "load_split"]

_DATASETS = ("diabetes", "breast_cancer", "digits")


def load_split(dataset: str, n_train: int, seed: int, *, min_train: int = 2):
    """Load a bundled scikit-learn data set and split it with a fixed seed.

    Returns ``(X, y, X_test, y_test)`` as float64 / original-label numpy arrays, rows in
    the shuffled order of :func:`sklearn.model_selection.train_test_split`.

    Example (the diabetes data: 442 rows, 10 features):
      >>> X, y, X_test, y_test = load_split("diabetes", n_train=300, seed=0)
      >>> X.shape, X_test.shape, X.dtype
      ((300, 10), (142, 10), dtype('float64'))
    """
    # scikit-learn is imported here, not at module level: it adds ~1 s to importing
    # lrtheory.problems, and only the data-set problems need it.
    from sklearn import datasets as skd
    from sklearn.model_selection import train_test_split

    if dataset not in _DATASETS:
        raise ValueError(f"dataset must be one of {_DATASETS}; got {dataset!r}")
    X, y = getattr(skd, f"load_{dataset}")(return_X_y=True)
    n = X.shape[0]
    n_train = check_int("n_train", n_train, min_train, n - 1)
    seed = check_int("seed", seed, 0)
    X, X_test, y, y_test = train_test_split(X.astype(np.float64), y, train_size=n_train,
                                            random_state=seed, shuffle=True)
    return X, y, X_test, y_test


def _standardise_with_intercept(X, X_test):
    mean, std = X.mean(axis=0), X.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def design(Z):
        return np.hstack([np.ones((Z.shape[0], 1)), (Z - mean) / std])

    return design(X), design(X_test)


def minibatch(n: int, batch_size: int, grad_on: Callable) -> Callable:
    """``(x, key) -> grad_on(x, idx)`` with ``batch_size`` row indices drawn uniformly
    without replacement from ``range(n)`` (compiled: eager sampling costs seconds)."""

    @jax.jit
    def batch_grad(x, key):
        # The positions of the batch_size largest of n i.i.d. uniforms are a uniformly
        # random subset (exchangeability); top_k compiles faster than random.choice.
        return grad_on(x, top_indices(jax.random.uniform(key, (n,)), batch_size))

    return batch_grad


_TIE_MARGIN = 4   # float32 candidates beyond the k wanted (see top_indices)


def top_indices(u: jax.Array, k: int) -> jax.Array:
    """``jax.lax.top_k(u, k)[1]`` for a float64 vector ``u``, exactly (same indices, same
    order: descending values, a tie to the lower index), 2.5-5x faster on CPU.

    XLA's CPU top-k has a fast kernel for float32 only; on float64 it sorts, which made
    drawing a mini-batch most of a small network's step. Here a float32 top-k of
    ``k + 4`` picks candidates and the candidates are ranked exactly in float64. Rounding
    to float32 is monotone, so every value above the k-th largest rounds at or above it;
    the candidates miss one of the true top k only when 5 other values round to exactly
    the float32 value of the k-th largest, i.e. fall in its cell of width 2^-24 (for n
    uniforms, a chance below (n 2^-24)^5 / 5!: 1e-25 for n = 400).
    """
    n = u.shape[0]
    m = min(n, k + _TIE_MARGIN)
    cand = jax.lax.top_k(u.astype(jnp.float32), m)[1]
    v = u[cand]
    # rank of each candidate in lax.top_k's order: larger values first, ties by index
    ahead = (v[None, :] > v[:, None]) | ((v[None, :] == v[:, None])
                                         & (cand[None, :] < cand[:, None]))
    rank = ahead.sum(axis=1)
    return jnp.zeros(k, cand.dtype).at[rank].set(cand, mode="drop")


def _normal_sampler(dim: int):
    def sample(key):
        return jax.random.normal(key, (dim,))

    return sample


def least_squares(n_train: int = 300, batch_size: int | None = None,
                  seed: int = 0) -> Problem:
    r"""Least-squares linear regression on scikit-learn's diabetes data.

    .. math:: f(w) = \frac{1}{2n}\|Xw - y\|^2 = \tfrac12 w^\top A w - b^\top w + c,\quad
       A = \tfrac1n X^\top X,\; b = \tfrac1n X^\top y,\; c = \tfrac{1}{2n}\|y\|^2,

    with :math:`X` the standardised features plus an intercept column and :math:`y` the
    disease-progression target standardised with the training mean and standard
    deviation (so losses are in units of the target's variance). A quadratic: ``data``
    holds ``A``, ``b`` and the ``eigenvalues`` of ``A`` (the exact :math:`\mu`, :math:`L`
    of gradient descent; about 0.0089 and 4.2 with the defaults, :math:`\kappa \approx
    470`). :math:`x^\star` is ``np.linalg.lstsq``'s solution and
    :math:`f^\star = \|Xx^\star - y\|^2/(2n)`. ``metrics`` gives ``train_loss``,
    ``test_loss`` (the same half mean squared error) and ``train_r2``, ``test_r2``
    (coefficient of determination). Start :math:`w = 0`.

    Data provenance: Efron, Hastie, Johnstone & Tibshirani (2004), *Least Angle
    Regression*, Ann. Statist. 32(2), via ``sklearn.datasets.load_diabetes``.

    Args:
      n_train: training rows, in [11, 441] (at least one per coefficient so that
        :math:`A` is positive definite); the other rows are the test set.
      batch_size: rows per ``batch_grad`` call, in [1, n_train]; default
        ``min(32, n_train)``.
      seed: seed of the train/test split.

    Example:
      >>> p = least_squares(n_train=100)
      >>> p.dim, p.data["X"].shape, p.data["X_test"].shape, sorted(p.tags)
      (11, (100, 11), (342, 11), ['convex', 'dataset', 'quadratic'])
    """
    X, y, X_test, y_test = load_split("diabetes", n_train, seed, min_train=11)
    batch_size = check_int("batch_size", min(32, X.shape[0]) if batch_size is None
                           else batch_size, 1, X.shape[0])
    X, X_test = _standardise_with_intercept(X, X_test)
    y_mean, y_std = y.mean(), y.std()
    y, y_test = (y - y_mean) / y_std, (y_test - y_mean) / y_std
    n, d = X.shape
    A, b, c = X.T @ X / n, X.T @ y / n, float(y @ y / (2 * n))
    ev = np.linalg.eigvalsh(A)
    if ev[0] <= 0:
        raise ValueError(f"n_train={n_train} gives a singular design (smallest eigenvalue "
                         f"{ev[0]:.3g}); use a larger n_train")
    x_star = np.linalg.lstsq(X, y, rcond=None)[0]
    f_star = float(np.sum((X @ x_star - y) ** 2) / (2 * n))
    Xj, yj, Xt, yt = float64_arrays(X, y, X_test, y_test)
    fields = quadratic_fields(A, b, c, eigenvalues=ev)

    def grad_on(w, idx):
        Xb = Xj[idx]
        return Xb.T @ (Xb @ w - yj[idx]) / batch_size

    def metrics(w):
        out = {}
        for split, Xs, ys in (("train", Xj, yj), ("test", Xt, yt)):
            r = Xs @ w - ys
            out[f"{split}_loss"] = 0.5 * jnp.mean(r**2)
            out[f"{split}_r2"] = 1.0 - jnp.sum(r**2) / jnp.sum((ys - jnp.mean(ys)) ** 2)
        return out

    data = {"X": X, "y": y, "X_test": X_test, "y_test": y_test, **fields.pop("data")}
    return Problem(
        name="least_squares", dim=d, x0=np.zeros(d), x_star=x_star, f_star=f_star,
        params={"n_train": X.shape[0], "batch_size": batch_size, "seed": seed}, data=data,
        batch_grad=minibatch(n, batch_size, grad_on), metrics=metrics,
        x0_sampler=_normal_sampler(d), tags=fields.pop("tags") | {"dataset"}, **fields,
    )


def _logistic_newton(X, y, l2, tol=1e-14, max_iter=100):
    """Minimiser of the regularised logistic loss by damped Newton (float64 numpy)."""
    n, d = X.shape

    def f(w):
        z = X @ w
        return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w @ w

    w = np.zeros(d)
    for _ in range(max_iter):
        p = scipy.special.expit(X @ w)
        g = X.T @ (p - y) / n + l2 * w
        if np.max(np.abs(g)) <= tol:
            break
        H = (X.T * (p * (1 - p))) @ X / n + l2 * np.eye(d)
        step = scipy.linalg.cho_solve(scipy.linalg.cho_factor(H), g)
        t, f0 = 1.0, f(w)
        # Armijo on f far from w*; near it f's decrease is below f's round-off and the
        # test would shrink t for nothing, so full (quadratically convergent) steps.
        while (np.max(np.abs(g)) > 1e-8 and f(w - t * step) > f0 - 0.25 * t * (g @ step)
               and t > 1e-8):
            t *= 0.5
        w_new = w - t * step
        if np.array_equal(w_new, w):  # round-off floor reached
            break
        w = w_new
    return w, float(f(w))


def logistic(n_train: int = 400, l2: float = 1e-3, batch_size: int | None = None,
             seed: int = 0) -> Problem:
    r"""L2-regularised logistic regression on scikit-learn's breast-cancer data.

    .. math:: f(w) = \frac1n \sum_{i=1}^{n} \bigl(\log(1 + e^{z_i}) - y_i z_i\bigr)
       + \frac{\lambda}{2}\|w\|^2,\quad z = Xw,\; y_i \in \{0, 1\},

    :math:`\nabla f = X^\top(\sigma(z) - y)/n + \lambda w`,
    :math:`\nabla^2 f = X^\top \mathrm{diag}(\sigma(z)(1-\sigma(z))) X / n + \lambda I`.
    The penalty covers the intercept too, so :math:`f` is :math:`\lambda`-strongly
    convex and :math:`(\lambda_{\max}(X^\top X)/(4n) + \lambda)`-smooth on all of
    :math:`\mathbb{R}^{31}` (``data["mu"]``, ``data["L"]``). :math:`x^\star` is computed
    by damped Newton in float64 until :math:`\|\nabla f\|_\infty \le 10^{-14}` (so
    :math:`\|x - x^\star\| \le \|\nabla f\|/\lambda` is a few ``1e-12``), and
    :math:`f^\star = f(x^\star)`. With the defaults the Hessian at :math:`x^\star` has
    eigenvalues in about :math:`[10^{-3}, 0.085]` (:math:`\kappa \approx 85`), while
    ``data["L"]`` (the bound at :math:`w = 0`) is about 3.3. ``metrics``: ``train_loss``
    and ``test_loss`` (mean log-loss without the penalty), ``train_acc``, ``test_acc``.
    Start :math:`w = 0`.

    Data provenance: Street, Wolberg & Mangasarian (1993), *Nuclear feature extraction
    for breast tumor diagnosis*, via ``sklearn.datasets.load_breast_cancer``.

    Args:
      n_train: training rows, in [2, 568]; the rest is the test set.
      l2: penalty :math:`\lambda > 0`.
      batch_size: rows per ``batch_grad`` call, in [1, n_train]; default
        ``min(32, n_train)``.
      seed: seed of the train/test split.

    Example:
      >>> p = logistic(n_train=200)
      >>> p.dim, bool(abs(p.grad(p.x_star)).max() < 1e-13), p.data["mu"]
      (31, True, 0.001)
    """
    X, y, X_test, y_test = load_split("breast_cancer", n_train, seed)
    batch_size = check_int("batch_size", min(32, X.shape[0]) if batch_size is None
                           else batch_size, 1, X.shape[0])
    l2 = check_real("l2", l2, positive=True)
    X, X_test = _standardise_with_intercept(X, X_test)
    y, y_test = y.astype(np.float64), y_test.astype(np.float64)
    n, d = X.shape
    x_star, f_star = _logistic_newton(X, y, l2)
    Xj, yj, Xt, yt = float64_arrays(X, y, X_test, y_test)

    def loss(w, Xs, ys):
        z = Xs @ w
        return jnp.mean(jnp.logaddexp(0.0, z) - ys * z)

    def value(w):
        return loss(w, Xj, yj) + 0.5 * l2 * w @ w

    def grad(w):
        return Xj.T @ (jax.nn.sigmoid(Xj @ w) - yj) / n + l2 * w

    def hess(w):
        p = jax.nn.sigmoid(Xj @ w)
        return (Xj.T * (p * (1 - p))[None]) @ Xj / n + l2 * jnp.eye(d, dtype=w.dtype)

    def grad_on(w, idx):
        Xb = Xj[idx]
        return Xb.T @ (jax.nn.sigmoid(Xb @ w) - yj[idx]) / batch_size + l2 * w

    def metrics(w):
        out = {}
        for split, Xs, ys in (("train", Xj, yj), ("test", Xt, yt)):
            out[f"{split}_loss"] = loss(w, Xs, ys)
            out[f"{split}_acc"] = jnp.mean(((Xs @ w > 0) == (ys > 0.5)).astype(Xs.dtype))
        return out

    L = float(np.linalg.eigvalsh(X.T @ X)[-1] / (4 * n) + l2)
    return Problem(
        name="logistic", dim=d, value=value, grad=grad, hess=hess, x0=np.zeros(d),
        x_star=x_star, f_star=f_star,
        params={"n_train": n, "l2": l2, "batch_size": batch_size, "seed": seed},
        data={"X": X, "y": y, "X_test": X_test, "y_test": y_test, "mu": l2, "L": L},
        batch_grad=minibatch(n, batch_size, grad_on), metrics=metrics,
        x0_sampler=_normal_sampler(d), tags=frozenset({"dataset", "convex"}),
    )
