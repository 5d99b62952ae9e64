r"""Small neural networks on scikit-learn's bundled 8x8 digits (no download).

The parameters of each net are one flat vector (``jax.flatten_util.ravel_pytree``), so
every optimizer sees an ordinary :class:`Problem`. The loss is the mean softmax
cross-entropy over the training set plus an optional penalty
:math:`\tfrac{\lambda}{2}\|\theta\|^2`; activations are ``tanh`` and pooling is an
average, so the loss is smooth and its Hessian exists everywhere. The minimiser is not
known (``x_star = None``).

Data provenance: Alpaydin & Kaynak (1998), *Optical Recognition of Handwritten Digits*,
UCI, via ``sklearn.datasets.load_digits`` (1797 images, pixel values 0..16, scaled here
to [0, 1]; labels 0..9).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from ._base import Problem
from ._common import check_int, check_real, float64_arrays
from .datasets import load_split, minibatch

__all__ = ["mlp", "cnn"]

_CLASSES = 10
# _PATCHES[6 i + j, 3 a + b] = 8 (i + a) + (j + b): the pixels of the 3x3 patch at output
# (i, j) of a valid convolution of an 8x8 image, in the kernel's (row, column) order
_PATCHES = (8 * (np.arange(6)[:, None, None, None] + np.arange(3)[None, None, :, None])
            + np.arange(6)[None, :, None, None] + np.arange(3)[None, None, None, :]).reshape(36, 9)


def _glorot(key, shape, fan_in):
    return jax.random.normal(key, shape) / np.sqrt(fan_in)


def _classifier(name: str, init: Callable, apply: Callable, *, n_train: int,
                batch_size: int, l2: float, seed: int, params: dict) -> Problem:
    """A Problem for ``apply(tree, X) -> logits`` with parameters ``init(key) -> tree``."""
    X, y, X_test, y_test = load_split("digits", n_train, seed)
    if batch_size is None:
        batch_size = min(64, X.shape[0])
    batch_size = check_int("batch_size", batch_size, 1, X.shape[0])
    l2 = check_real("l2", l2)
    X, X_test = X / 16.0, X_test / 16.0
    with jax.enable_x64(True):  # float64 start and data whatever the global flag
        flat0, unravel = ravel_pytree(init(jax.random.PRNGKey(seed)))
        Yj, Yt = (jax.nn.one_hot(v, _CLASSES, dtype=jnp.float64) for v in (y, y_test))
    dim = flat0.size
    Xj, Xt, yj, yt = float64_arrays(X, X_test, y, y_test)

    def loss(theta, Xs, Ys):
        logits = apply(unravel(theta), Xs)
        return -jnp.mean(jnp.sum(Ys * jax.nn.log_softmax(logits), axis=-1))

    def value(theta):
        return loss(theta, Xj, Yj) + 0.5 * l2 * theta @ theta

    # Compiled once here: called eagerly, these nets would dispatch (and compile) op by
    # op, seconds per first call; under an outer jit the inner jit is inlined.
    value = jax.jit(value)
    grad = jax.jit(jax.grad(value))
    hess = jax.jit(jax.hessian(value))

    def grad_on(theta, idx):
        return jax.grad(loss)(theta, Xj[idx], Yj[idx]) + l2 * theta

    def metrics(theta):
        out = {}
        for split, Xs, Ys, ys in (("train", Xj, Yj, yj), ("test", Xt, Yt, yt)):
            out[f"{split}_loss"] = loss(theta, Xs, Ys)
            hit = jnp.argmax(apply(unravel(theta), Xs), axis=-1) == ys
            out[f"{split}_acc"] = jnp.mean(hit.astype(Xs.dtype))
        return out

    def sampler(key):
        return ravel_pytree(init(key))[0]

    return Problem(
        name=name, dim=dim, value=value, grad=grad, hess=hess, x0=np.asarray(flat0),
        params={**params, "n_train": X.shape[0], "batch_size": batch_size, "l2": l2,
                "seed": seed},
        data={"X": X, "y": y, "X_test": X_test, "y_test": y_test},
        batch_grad=minibatch(X.shape[0], batch_size, grad_on),
        metrics=jax.jit(metrics),
        x0_sampler=sampler, tags=frozenset({"dataset", "nonconvex"}),
    )


def mlp(hidden: int = 32, n_train: int = 1000, batch_size: int | None = None,
        l2: float = 0.0, seed: int = 0) -> Problem:
    r"""A one-hidden-layer perceptron classifying the 8x8 digits.

    .. math:: \mathrm{logits}(x) = W_2 \tanh(W_1 x + b_1) + b_2,\qquad
       x \in [0, 1]^{64},\; W_1 \in \mathbb{R}^{h \times 64},\; W_2 \in
       \mathbb{R}^{10 \times h},

    :math:`65h + 10(h + 1)` parameters (2410 for ``hidden=32``). Weights start
    :math:`\mathcal N(0, 1/\text{fan-in})`, biases 0, from ``PRNGKey(seed)``; the same
    ``seed`` fixes the train/test split. ``x0_sampler(key)`` draws a fresh
    initialisation. ``metrics``: ``train_loss``, ``test_loss`` (mean cross-entropy
    without the penalty), ``train_acc``, ``test_acc``. A small ``n_train`` overfits.

    Args:
      hidden: hidden units, ``>= 1``.
      n_train: training images, in [2, 1796]; the rest is the test set.
      batch_size: images per ``batch_grad`` call, in [1, n_train]; default
        ``min(64, n_train)``.
      l2: penalty :math:`\lambda \ge 0` on all parameters.
      seed: seed of the split and of the initialisation.

    Example:
      >>> p = mlp(hidden=8, n_train=100)
      >>> p.dim, p.data["X"].shape, sorted(p.metrics(p.x0))
      (610, (100, 64), ['test_acc', 'test_loss', 'train_acc', 'train_loss'])

    References: Rumelhart, Hinton & Williams (1986), Nature 323.
    """
    hidden = check_int("hidden", hidden, 1)

    def init(key):
        k1, k2 = jax.random.split(key)
        return {"W1": _glorot(k1, (64, hidden), 64), "b1": jnp.zeros(hidden),
                "W2": _glorot(k2, (hidden, _CLASSES), hidden), "b2": jnp.zeros(_CLASSES)}

    def apply(t, X):
        return jnp.tanh(X @ t["W1"] + t["b1"][None]) @ t["W2"] + t["b2"][None]

    return _classifier("mlp", init, apply, n_train=n_train, batch_size=batch_size, l2=l2,
                       seed=seed, params={"hidden": hidden})


def cnn(channels: int = 8, n_train: int = 1000, batch_size: int | None = None,
        l2: float = 0.0, seed: int = 0) -> Problem:
    r"""A small convolutional net classifying the 8x8 digits.

    One 3x3 convolution with ``channels`` output channels (valid padding, 8x8 -> 6x6),
    ``tanh``, 2x2 average pooling (-> 3x3), flatten, and a dense layer to 10 logits:
    :math:`10 + 100 c` parameters (810 for ``channels=8``). Initialisation, split,
    ``metrics`` and ``x0_sampler`` as in :func:`mlp`.

    Args:
      channels: convolution channels, ``>= 1``.
      n_train, batch_size, l2, seed: as in :func:`mlp`.

    Example:
      >>> p = cnn(channels=2, n_train=50)
      >>> p.dim, p.value(p.x0).shape
      (210, ())

    References: LeCun, Bottou, Bengio & Haffner (1998), Proc. IEEE 86(11).
    """
    channels = check_int("channels", channels, 1)
    flat = 9 * channels

    def init(key):
        k1, k2 = jax.random.split(key)
        return {"K": _glorot(k1, (3, 3, 1, channels), 9), "c": jnp.zeros(channels),
                "W": _glorot(k2, (flat, _CLASSES), flat), "b": jnp.zeros(_CLASSES)}

    def apply(t, X):
        # the convolution as one matrix product of the 3x3 patches (im2col): XLA's CPU
        # convolution of a batch of kernels (vmap over runs) inside a scan is ~6x slower
        # than this product, which computes the same sums of 9 terms
        h = (X[:, _PATCHES] @ t["K"].reshape(9, channels)).reshape(X.shape[0], 6, 6, channels)
        h = jnp.tanh(h + t["c"][None, None, None])
        h = h.reshape(X.shape[0], 3, 2, 3, 2, channels).mean(axis=(2, 4))
        return h.reshape(X.shape[0], flat) @ t["W"] + t["b"][None]

    return _classifier("cnn", init, apply, n_train=n_train, batch_size=batch_size, l2=l2,
                       seed=seed, params={"channels": channels})
