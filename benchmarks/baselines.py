"""The competitors of the headline task (quadratic, Adam, many learning rates): each runs
the same iteration from the same start and records the distance to x* at every step.

- ``numpy_sweep``: hand-vectorised NumPy over all learning rates at once (one GEMM a step).
- ``optax_loop``: a Python loop over learning rates and steps around a jitted optax step
  (``inject_hyperparams``: the learning rate is an argument, one compilation).
- ``torch_loop``: ``torch.optim`` on one parameter vector per learning rate.
- ``jax_minimal``: the smallest ``jit(vmap(scan))`` doing the same work (no divergence
  bookkeeping, only ``dist`` recorded): the floor the library's program is compared with.
- ``matmul_ceiling``: GFLOP/s of a jitted ``(N, d) @ (d, d)`` loop, the roofline.

The loops are timed on a subset of the learning rates and scaled (said in the results).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lrtheory.sweep._group import precision

__all__ = ["numpy_sweep", "optax_loop", "torch_loop", "jax_minimal", "jax_minimal_fn",
           "matmul_ceiling"]

B1, B2, EPS = 0.9, 0.999, 1e-8  # optax.adam defaults


def numpy_sweep(A, b, x_star, x0, lrs, steps, dtype, method="adam"):
    """Seconds for the whole grid in NumPy; returns (seconds, dist (steps, N))."""
    A, b, xs = (np.asarray(v, dtype) for v in (A, b, x_star))
    lr = np.asarray(lrs, dtype)[:, None]
    X = np.broadcast_to(np.asarray(x0, dtype), (lr.shape[0], A.shape[0])).copy()
    m, v = np.zeros_like(X), np.zeros_like(X)
    dist = np.empty((steps, lr.shape[0]), dtype)
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):  # the largest learning rates overflow, as they should
        _numpy_loop(A, b, xs, lr, X, m, v, dist, steps, method)
    return time.perf_counter() - t0, dist


def _numpy_loop(A, b, xs, lr, X, m, v, dist, steps, method):
    for k in range(1, steps + 1):
        G = X @ A - b  # A symmetric: rows of X @ A are (A x)^T
        if method == "adam":
            m = B1 * m + (1 - B1) * G
            v = B2 * v + (1 - B2) * (G * G)
            X = X - lr * (m / (1 - B1**k)) / (np.sqrt(v / (1 - B2**k)) + EPS)
        else:
            X = X - lr * G
        D = X - xs
        dist[k - 1] = np.sqrt(np.einsum("ij,ij->i", D, D))


def optax_loop(A, b, x_star, x0, lrs, steps, dtype):
    """Seconds for ``len(lrs)`` learning rates, a Python loop over steps each."""
    with precision(dtype):
        A, b, xs = (jnp.asarray(v, dtype) for v in (A, b, x_star))
        opt = optax.inject_hyperparams(optax.adam)(learning_rate=1.0)

        @jax.jit
        def step(x, s):
            u, s = opt.update(A @ x - b, s, x)
            x = optax.apply_updates(x, u)
            return x, s, jnp.sqrt(jnp.sum((x - xs) ** 2))

        def one(lr):
            x = jnp.asarray(x0, dtype)
            s = opt.init(x)
            s.hyperparams["learning_rate"] = jnp.asarray(lr, dtype)
            out = []
            for _ in range(steps):
                x, s, d = step(x, s)
                out.append(d)
            return np.asarray(jnp.stack(out))

        one(lrs[0])  # compile outside the timing
        t0 = time.perf_counter()
        dist = [one(lr) for lr in lrs]
        return time.perf_counter() - t0, np.stack(dist, axis=1)


def torch_loop(A, b, x_star, x0, lrs, steps, dtype):
    """Seconds for ``len(lrs)`` learning rates with ``torch.optim.Adam``; ``None`` when
    torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    tdt = torch.float32 if dtype == "float32" else torch.float64
    At, bt, xst = (torch.tensor(np.asarray(v), dtype=tdt) for v in (A, b, x_star))

    def one(lr):
        x = torch.tensor(np.asarray(x0), dtype=tdt, requires_grad=True)
        opt = torch.optim.Adam([x], lr=float(lr), betas=(B1, B2), eps=EPS)
        dist = torch.empty(steps, dtype=tdt)
        for k in range(steps):
            opt.zero_grad()
            loss = 0.5 * x @ (At @ x) - bt @ x
            loss.backward()
            opt.step()
            with torch.no_grad():
                dist[k] = torch.linalg.vector_norm(x - xst)
        return dist.numpy()

    one(lrs[0])  # torch initialises lazily on first use: not part of the timing
    t0 = time.perf_counter()
    out = [one(lr) for lr in lrs]
    return time.perf_counter() - t0, np.stack(out, axis=1)


def jax_minimal(A, b, x_star, x0, lrs, steps, dtype, batched_gemm=False, method="adam"):
    """(compile seconds, run seconds, best of 3) of :func:`jax_minimal_fn`."""
    c, fn = jax_minimal_fn(A, b, x_star, x0, lrs, steps, dtype, batched_gemm, method)
    return c, best_of(fn, 3)


def jax_minimal_fn(A, b, x_star, x0, lrs, steps, dtype, batched_gemm=False, method="adam"):
    """(compile seconds, a callable running it to completion): ``method`` (``"adam"``:
    ``optax.adam``; ``"gd"``: ``x - lr g``) in one ``jit(vmap(scan))`` recording only
    ``dist``; ``batched_gemm`` writes the gradient as one ``X @ A`` on the whole batch
    instead of a per-run
    ``A @ x`` under ``vmap`` (Adam only)."""
    with precision(dtype):
        A, b, xs = (jnp.asarray(v, dtype) for v in (A, b, x_star))
        L = jnp.asarray(lrs, dtype)
        X0 = jnp.broadcast_to(jnp.asarray(x0, dtype), (L.shape[0], A.shape[0]))

        def per_run(L, X0):
            def one(lr, x0):
                tx = optax.adam(lr) if method == "adam" else optax.sgd(lr)

                def body(c, _):
                    x, s = c
                    u, s = tx.update(A @ x - b, s, x)
                    x = x + u
                    return (x, s), jnp.sqrt(jnp.sum((x - xs) ** 2))

                return jax.lax.scan(body, (x0, tx.init(x0)), None, length=steps)[1]

            return jax.vmap(one)(L, X0)

        def batch(L, X0):
            def body(c, k):
                X, m, v = c
                G = X @ A - b[None, :]
                m = B1 * m + (1 - B1) * G
                v = B2 * v + (1 - B2) * G * G
                t = (k + 1).astype(X.dtype)
                X = X - L[:, None] * (m / (1 - B1**t)) / (jnp.sqrt(v / (1 - B2**t)) + EPS)
                return (X, m, v), jnp.sqrt(jnp.sum((X - xs[None, :]) ** 2, axis=1))

            z = jnp.zeros_like(X0)
            return jax.lax.scan(body, (X0, z, z), jnp.arange(steps))[1]

        fn = batch if batched_gemm else per_run
        t0 = time.perf_counter()
        c = jax.jit(fn).lower(L, X0).compile()
        t_compile = time.perf_counter() - t0
        jax.block_until_ready(c(L, X0))

        def call():
            with precision(dtype):
                return jax.block_until_ready(c(L, X0))

        return t_compile, call


def matmul_ceiling(n, d, dtype, reps=200):
    """GFLOP/s of ``X @ A`` with X ``(n, d)``, A ``(d, d)``, in a jitted loop (so the
    loop overhead is that of a scan step, as in the sweep)."""
    with precision(dtype):
        rng = np.random.default_rng(0)
        X = jnp.asarray(rng.standard_normal((n, d)), dtype)
        A = jnp.asarray(rng.standard_normal((d, d)) / d, dtype)
        f = jax.jit(lambda X: jax.lax.fori_loop(0, reps, lambda i, X: X @ A, X))
        jax.block_until_ready(f(X))
        t = best_of(lambda: jax.block_until_ready(f(X)), 3)
    return 2.0 * n * d * d * reps / t / 1e9


def best_of(fn, reps: int) -> float:
    """Shortest of ``reps`` timings of ``fn()`` (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
