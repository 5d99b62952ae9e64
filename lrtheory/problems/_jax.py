r"""A :class:`~lrtheory.problems.Problem` from a plain JAX function (:func:`from_jax`).

The gradient is reverse-mode autodiff, :math:`\nabla f = ` ``jax.grad(f)``; the Hessian is
forward-over-reverse, ``jax.jacfwd(jax.grad(f))``, i.e. one Hessian-vector product
:math:`\nabla^2 f\, e_i` per coordinate, built only when a dense method asks for it (the
methods that need it refuse problems above ``lrtheory.methods.MAX_DENSE_DIM`` variables).
Any model's loss plugs in: the variables may be one array or a pytree of arrays (a dict
of weights), flattened to the vector the library iterates on.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ._base import Problem, as_x

__all__ = ["from_jax"]


def _leaves(x, name: str):
    """``x`` as a pytree of float64 NumPy leaves (one array when ``x`` is array-like)."""
    flat_like = isinstance(x, numbers.Real | np.ndarray | jax.Array) or (
        isinstance(x, list | tuple) and all(isinstance(v, numbers.Real) for v in x))
    tree = np.asarray(x) if flat_like else x
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    if not leaves or all(np.size(v) == 0 for v in leaves):
        raise ValueError(f"{name} must hold at least one number; got {x!r}")
    out = []
    for leaf in leaves:
        try:
            a = np.asarray(leaf, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{name} must be real numbers (an array or a pytree of arrays); "
                            f"got {leaf!r}") from e
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite; got {a.tolist()}")
        out.append(a)
    return out, treedef


def from_jax(f: Callable, x0, x_star=None, f_star: float | None = None,
             name: str | None = None, *, tags: Sequence[str] = (),
             params: dict | None = None) -> Problem:
    r"""Build a :class:`Problem` from a JAX function :math:`f` and a start :math:`x_0`.

    Args:
      f: a pure JAX function of the variables returning a real scalar, e.g. a model's
        loss ``lambda w: jnp.mean((X @ w - y) ** 2)``; jit-, grad- and vmap-safe.
      x0: the start: a number, a 1-D array, or a pytree of arrays (``{"W": ..., "b":
        ...}``); ``f`` receives the same structure.
      x_star: the minimiser, when known (same structure as ``x0``, or the flat vector).
        It must be a stationary point: :math:`\|\nabla f(x^\star)\| \le 10^{-6}
        \max(1, \|\nabla f(x_0)\|)`.
      f_star: the optimal value; default ``f(x_star)`` when ``x_star`` is given.
      name: label (default ``f.__name__``).
      tags: descriptive tags (``"convex"``, ...).
      params: parameters that identify the problem in sweep caches (default ``{"dim":
        dim}``; the cache also hashes the traced program, so two functions never share
        an entry).

    Returns:
      A :class:`Problem` on the flat vector of ``dim`` variables. ``value``, ``grad``
      and ``hess`` (from Hessian-vector products) are left unjitted: :func:`lrtheory.run`
      and :func:`lrtheory.sweep` compile them inside their own program; wrap them in
      ``jax.jit`` to call them often yourself.

    Raises:
      TypeError / ValueError naming the argument: ``f`` not callable or not returning a
      real scalar, a non-finite ``f(x0)``, an ``x0`` or ``x_star`` that is not real and
      finite or of the wrong size, an ``x_star`` that is not stationary, an ``f_star``
      that disagrees with ``f(x_star)``.

    Example (f = (x - 1)^2 + 10 y^2: minimiser (1, 0), Hessian diag(2, 20)):
      >>> import jax.numpy as jnp
      >>> p = from_jax(lambda v: (v[0] - 1) ** 2 + 10 * v[1] ** 2, x0=[0.0, 1.0],
      ...              x_star=[1.0, 0.0], name="bowl")
      >>> p.dim, p.f_star, p.grad(jnp.asarray(p.x0)).tolist(), p.hess(p.x0).tolist()
      (2, 0.0, [-2.0, 20.0], [[2.0, 0.0], [0.0, 20.0]])
    """
    if not callable(f):
        raise TypeError(f"f must be a callable JAX function of the variables; got {f!r}")
    leaves, treedef = _leaves(x0, "x0")
    shapes = [a.shape for a in leaves]
    sizes = [a.size for a in leaves]
    dim = int(sum(sizes))
    offsets = np.cumsum([0, *sizes])

    def unravel(x):  # keeps x's dtype (float32 runs), unlike jax.flatten_util's
        parts = [x[offsets[i]:offsets[i + 1]].reshape(s) for i, s in enumerate(shapes)]
        return jax.tree_util.tree_unflatten(treedef, parts)

    def value(x):
        return jnp.asarray(f(unravel(x)), dtype=x.dtype)

    flat0 = np.concatenate([a.reshape(-1) for a in leaves])
    # The checks trace throwaway wrappers, never f, value or grad themselves: JAX caches a
    # function traced at the top of jit/eval_shape with its NumPy constants in the
    # precision of that moment, and a later float32 run of the same function then fails to
    # lower (float64 constants in a float32 program; JAX 0.10).
    with jax.enable_x64(True):  # float64 whatever JAX's global flag (lrtheory.config)
        out = jax.eval_shape(lambda v: f(v), unravel(jnp.asarray(flat0)))
        if not (hasattr(out, "shape") and out.shape == () and
                jnp.issubdtype(out.dtype, jnp.floating)):
            raise ValueError(f"f must return a real scalar; it returns "
                             f"{getattr(out, 'dtype', type(out).__name__)} "
                             f"of shape {getattr(out, 'shape', '?')}")
        check = jax.jit(lambda v: (value(v), jnp.linalg.norm(jax.grad(value)(v))))
        f0, g0 = (float(v) for v in check(jnp.asarray(flat0)))
        if not (math.isfinite(f0) and math.isfinite(g0)):
            raise ValueError(f"f and its gradient must be finite at x0; got f(x0)={f0}, "
                             f"|grad f(x0)|={g0}")
        xs = None
        if x_star is not None:
            s_leaves, s_def = _leaves(x_star, "x_star")
            xs = (np.concatenate([a.reshape(-1) for a in s_leaves]) if s_def == treedef
                  and [a.shape for a in s_leaves] == shapes
                  else as_x(np.concatenate([a.reshape(-1) for a in s_leaves]), dim, "x_star"))
            fs, gs = (float(v) for v in check(jnp.asarray(xs)))
            if not gs <= 1e-6 * max(1.0, g0):
                raise ValueError(f"x_star is not a stationary point of f: |grad f(x_star)| "
                                 f"= {gs:.3g} (|grad f(x0)| = {g0:.3g})")
            if f_star is None:
                f_star = fs
            elif not abs(float(f_star) - fs) <= 1e-8 * max(1.0, abs(fs)):
                raise ValueError(f"f_star={f_star!r} disagrees with f(x_star)={fs!r}")
    if f_star is not None:
        if isinstance(f_star, bool) or not isinstance(f_star, numbers.Real) or \
                not math.isfinite(f_star):
            raise ValueError(f"f_star must be a finite real number or None; got {f_star!r}")
        f_star = float(f_star)
    tagset = set(tags) | ({"scalar"} if dim == 1 else set())
    return Problem(
        name=name or (f.__name__ if getattr(f, "__name__", "<lambda>") != "<lambda>"
                      else "jax_function"),
        dim=dim,
        value=value,
        grad=jax.grad(value),
        hess=jax.jacfwd(jax.grad(value)),  # forward-over-reverse: dim HVPs
        x0=flat0,
        x_star=xs,
        f_star=f_star,
        params=dict(params) if params is not None else {"dim": dim},
        tags=frozenset(tagset),
    )
