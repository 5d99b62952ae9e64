r"""``run(method, problem, steps)``: one compiled ``lax.scan``, an honest :class:`Trajectory`.

Divergence rule (documented contract): iterate :math:`x_k` is *diverged* when
:math:`x_k`, :math:`f(x_k)` or :math:`\nabla f(x_k)` is not finite, or

.. math:: \|x_k\|_2 > \text{blowup} \cdot \max(1, \|x_0\|_2, \|x^\star\|_2)

(``blowup = 1e8`` by default; :math:`x^\star` only when known). The first such ``k`` is
``diverged_at``; from then on the run is frozen at :math:`x_{k-1}`, so every later record
repeats the last good one (and ``step_norm`` is 0) instead of holding NaN.
"""

from __future__ import annotations

import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from ._checks import check_blowup, check_record_every, check_steps
from .config import check_dtype, precision
from .methods import Method, applicable, as_method
from .problems import Problem, as_x
from .trajectory import NEVER, Trajectory

__all__ = ["run", "scan_trajectory", "batched", "DEFAULT_BLOWUP", "as_key", "keys_for_seed",
           "record_bytes"]

DEFAULT_BLOWUP = 1e8


def _norm(v):
    return jnp.sqrt(jnp.sum(v * v))


def _flatten_traj(t):
    return tuple(getattr(t, n) for n in _LEAVES), (t.f_star, t.every)


def _unflatten_traj(aux, children):
    return Trajectory(**dict(zip(_LEAVES, children, strict=True)), f_star=aux[0],
                      every=aux[1])


# f_star and every are static (aux data): a batched Trajectory keeps them as plain numbers.
_LEAVES = tuple(n for n in Trajectory._fields if n not in ("f_star", "every"))
jax.tree_util.register_pytree_node(Trajectory, _flatten_traj, _unflatten_traj)


def keys_for_seed(seed):
    """The two PRNG keys of seed ``s``: ``(start, mini-batches)`` =
    ``(fold_in(key(s), 0), fold_in(key(s), 1))``.

    The one rule every tool uses (:func:`lrtheory.sweep.sweep`, :func:`lrtheory.tuning.find_lr`):
    seed ``s`` starts at ``problem.x0_sampler(start)`` when starts are random, and draws
    its mini-batches from ``mini-batches`` (step ``k`` from ``fold_in(mini-batches, k)``,
    see :func:`run`). ``seed`` may be a traced integer (``jax.vmap`` over seeds).

    Example:
      >>> ks, kb = keys_for_seed(3)
      >>> bool((jax.random.key_data(ks) == jax.random.key_data(
      ...     jax.random.fold_in(jax.random.key(3), 0))).all())
      True
    """
    k = jax.random.key(seed)
    return jax.random.fold_in(k, 0), jax.random.fold_in(k, 1)


def scan_trajectory(method: Method, problem: Problem, steps: int, x0, key=None, *,
                    keep_x: bool = False, blowup: float = DEFAULT_BLOWUP,
                    record_every: int = 1) -> Trajectory:
    """The pure, traceable core of :func:`run` (no validation, no host transfer).

    ``x0`` (and ``key``) may be traced, and ``method`` may be built from traced
    hyperparameters, so ``jax.vmap`` of this function over learning rates, seeds or starts
    is one compiled program (what :func:`lrtheory.sweep` does). ``record_every`` must
    divide ``steps`` (checked by :func:`run`).

    Example (GD on f = x^2/2 with lr = 1/2 halves x; the learning rate is traced):
      >>> from lrtheory import methods
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0]], x0=[1.0])
      >>> f = jax.jit(lambda lr: scan_trajectory(methods.get("gd", lr=lr), p, 2, p.x0).dist)
      >>> f(0.5).tolist(), f(0.75).tolist()
      ([1.0, 0.5, 0.25], [1.0, 0.25, 0.0625])
    """
    x0 = jnp.asarray(x0)
    dt = x0.dtype
    has_star = problem.x_star is not None
    x_star = jnp.asarray(problem.x_star, dt) if has_star else None
    bound = blowup * jnp.maximum(
        jnp.maximum(1.0, _norm(x0)), _norm(x_star) if has_star else 0.0).astype(dt)
    record_lr = method.lr is not None
    every = int(record_every)
    n_rec = int(steps) // every

    reuse_g = method.takes_grad and every == 1  # the record's gradient serves the step
    # the gradient's own finiteness test is implied by f's on a quadratic (no pass over g
    # for it: in a sweep, whose records keep no gradient norm, the norm is then not computed)
    test_grad = not problem.finite_value_has_finite_grad

    def record(x):
        f, g = problem.value_and_grad(x)  # one GEMM for both on a quadratic
        out = {"f": f, "grad_norm": _norm(g)}
        if has_star:
            out["dist"] = _norm(x - x_star)
        return out, g

    def key_at(k):
        return None if key is None else jax.random.fold_in(key, k)

    def freeze(stop, old, new):
        return jax.tree_util.tree_map(lambda a, b: jnp.where(stop, a, b), old, new)

    # Divergence is bookkept on the records, not on the state: a run that left the bound
    # keeps iterating (its numbers may become inf/NaN, at no cost and unseen), while its
    # records are frozen copies of the last good one, its step_norm is 0 and its kept x
    # the last good iterate. The outputs are those of a run frozen at x_{k-1} (the
    # documented contract), without a full-width select on x and the optimiser state at
    # every step.
    def recorded_step(carry, k):
        x, state, g, dead, div_at, prev, x_good = carry
        if reuse_g:
            x_new, state_new = method.step(x, state, problem, k, key_at(k), g=g)
        else:
            x_new, state_new = method.step(x, state, problem, k, key_at(k))
        new, g_new = record(x_new)  # f(x_new) serves both the divergence test and the record
        # ~(|x| <= bound) also holds when x has a NaN or inf entry (its norm is NaN or inf)
        ok = (_norm(x_new) <= bound) & jnp.isfinite(new["f"])
        if test_grad:
            ok = ok & jnp.isfinite(new["grad_norm"])
        bad = ~ok
        stop = dead | bad
        div_at = jnp.where(bad & ~dead, (k + 1).astype(div_at.dtype), div_at)
        rec = freeze(stop, prev, new)  # frozen: the last good record
        out = dict(rec)
        out["step_norm"] = jnp.where(stop, jnp.zeros((), dt), _norm(x_new - x))
        if record_lr:
            out["lr"] = jnp.asarray(
                method.lr(k) if callable(method.lr) else method.lr, dt) + jnp.zeros((), dt)
        if keep_x:
            x_good = jnp.where(stop, x_good, x_new)
            out["x"] = x_good
        return (x_new, state_new, g_new if reuse_g else None, stop, div_at, rec, x_good), out

    def quiet_step(carry, k):
        """A step between records: no f, no full-batch gradient; only x is tested."""
        x, state, dead, div_at, x_good = carry
        x_new, state_new = method.step(x, state, problem, k, key_at(k))
        bad = ~(_norm(x_new) <= bound)
        stop = dead | bad
        div_at = jnp.where(bad & ~dead, (k + 1).astype(div_at.dtype), div_at)
        if keep_x:
            x_good = jnp.where(stop, x_good, x_new)
        return (x_new, state_new, stop, div_at, x_good), None

    def block(carry, j):
        x, state, g, dead, div_at, prev, x_good = carry
        ks = j * every + jnp.arange(every - 1)
        (x, state, dead, div_at, x_good), _ = jax.lax.scan(
            quiet_step, (x, state, dead, div_at, x_good), ks)
        return recorded_step((x, state, g, dead, div_at, prev, x_good), j * every + every - 1)

    first, g0 = record(x0)
    carry0 = (x0, method.init(x0), g0 if reuse_g else None, jnp.zeros((), bool),
              jnp.asarray(NEVER, jnp.int32), first, x0 if keep_x else None)
    if every == 1:
        (*_, div_at, _, _), recs = jax.lax.scan(recorded_step, carry0, jnp.arange(steps))
    elif n_rec == 1:  # record="final": one block, no outer loop (a simpler program)
        (*_, div_at, _, _), rec = block(carry0, jnp.arange(1)[0])
        recs = {name: v[None] for name, v in rec.items()}
    else:
        (*_, div_at, _, _), recs = jax.lax.scan(block, carry0, jnp.arange(n_rec))

    def with_first(name):
        return jnp.concatenate([first[name][None], recs[name]])

    return Trajectory(
        f=with_first("f"),
        grad_norm=with_first("grad_norm"),
        dist=with_first("dist") if has_star else None,
        step_norm=recs["step_norm"],
        lr=recs["lr"] if record_lr else None,
        diverged_at=div_at,
        f_star=problem.f_star,
        x=jnp.concatenate([x0[None], recs["x"]]) if keep_x else None,
        every=every,
    )


def as_key(key, name: str = "key"):
    """``None``, an int seed, or a JAX PRNG key -> a key (or ``None``).

    Example:
      >>> as_key(None) is None, bool(jax.random.key_data(as_key(3)).tolist()
      ...                             == jax.random.key_data(jax.random.key(3)).tolist())
      (True, True)
    """
    if key is None:
        return None
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return jax.random.key(int(key))
    if isinstance(key, jax.Array) and (jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key)
                                       or (key.dtype == jnp.uint32 and key.shape == (2,))):
        return key
    raise TypeError(f"{name} must be None, an int seed or a jax.random key; got {key!r}")


def record_bytes(steps: int, dim: int, *, keep_x: bool = False, dtype: str = "float64",
                 record_every: int = 1) -> int:
    """Bytes of host and device memory the records of one run take, at their peak.

    Per recorded iterate: ``f``, ``grad_norm``, ``dist``, ``step_norm``, ``lr`` (and ``x``,
    ``dim`` numbers, with ``keep_x``); three copies exist at once (the scan's stacked
    outputs, the trajectory with its first record prepended, and the host copy).

    Example (1000 steps in float64, no iterates: 1001 records x 5 numbers x 8 bytes x 3):
      >>> record_bytes(1000, 2)
      120120
    """
    item = 4 if dtype == "float32" else 8
    n = int(steps) // int(record_every) + 1
    return 3 * n * (5 + (int(dim) if keep_x else 0)) * item


def _memory_limit() -> int:
    """Half of this machine's physical memory (bytes); 8 GiB when it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 << 30


def _check_memory(steps: int, dim: int, keep_x: bool, dtype: str, every: int,
                  runs: int = 1) -> None:
    need = runs * record_bytes(steps, dim, keep_x=keep_x, dtype=dtype, record_every=every)
    limit = _memory_limit()
    if need > limit:
        raise ValueError(
            f"steps={steps} with record_every={every} would keep {steps // every + 1:,} "
            f"records per run ({need / 2**30:,.1f} GiB, more than half of this machine's "
            f"memory, {2 * limit / 2**30:,.1f} GiB): lower steps, or record fewer iterates "
            f"with record_every=k (a divisor of steps) or record_every='final'"
            + (" and drop keep_x" if keep_x else ""))


def run(method, problem: Problem, steps: int, x0=None, key=None, keep_x: bool = False, *,
        blowup: float = DEFAULT_BLOWUP, dtype: str = "float64",
        record_every: int | str = 1) -> Trajectory:
    r"""Run ``method`` on ``problem`` for ``steps`` iterations as one ``jit`` + ``lax.scan``.

    Args:
      method: a :class:`lrtheory.methods.Method` (``lrtheory.methods.get("adam", lr=1e-2)``)
        or any ``optax.GradientTransformation``.
      problem: a :class:`lrtheory.problems.Problem`.
      steps: number of iterations T >= 1; the trajectory has records for ``x_0..x_T``.
      x0: start (default ``problem.x0``); shape ``(dim,)``, finite.
      key: ``None`` for full-batch gradients; an int seed or PRNG key gives mini-batch
        gradients on stochastic (data-set) problems (step ``k`` uses ``fold_in(key, k)``).
      keep_x: also return the iterates.
      blowup: divergence bound (see the module docstring).
      dtype: ``"float64"`` (default) or ``"float32"``: the type every record and iterate
        is computed and returned in (``x0`` is cast to it; the run happens inside
        :func:`lrtheory.config.precision`, so a problem's constants are rounded once and
        JAX's global 64-bit flag is left as it was).
      record_every: ``k`` (a divisor of ``steps``, default 1): record the iterates
        ``x_0, x_k, x_2k, ..., x_T`` only, or ``"final"`` (``k = steps``: ``x_0`` and
        ``x_T``). Between records a step computes neither :math:`f` nor the full-batch
        gradient (a mini-batch run pays only for its mini-batch gradients) and the
        divergence test looks at :math:`x` alone (finite, within the bound); at a record
        it is the full test. ``step_norm`` and ``lr`` are those of the step that reached
        the record, and ``diverged_at`` still counts iterates (see :class:`Trajectory`).

    Returns:
      A :class:`lrtheory.Trajectory` with numpy arrays of ``dtype``.

    Raises:
      ValueError / TypeError naming the argument: a bad ``problem``, ``method``, ``steps``,
      ``key``, ``blowup`` or ``record_every``; ``x0`` of the wrong shape, not finite, or a
      point where :math:`f` or :math:`\nabla f` is not finite (a singular,
      non-differentiable start); ``steps`` so large that the records would not fit in
      half of the machine's memory (estimated before anything runs: the message suggests
      ``record_every``).

    Note:
      XLA on CPU flushes float64 *subnormal* numbers to zero (a jitted ``1e-300 * 1e-10``
      is ``0.0``, not ``1e-310``), so an error that falls below the smallest normal
      float64, ``2.225e-308``, reads as exactly 0 in a float64 run (float32: below
      ``1.18e-38``). Runs that go that deep are at the floor of their precision anyway;
      :func:`lrtheory.precision.run_mp` follows them further.

    Example:
      >>> import optax
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> t = run(optax.sgd(0.1), p, steps=3)   # modes contract by 0.9 and 0.0
      >>> [round(float(d), 12) for d in t.dist]
      [1.414213562373, 0.9, 0.81, 0.729]
      >>> run(optax.sgd(0.1), p, steps=3, dtype="float32").dist.dtype
      dtype('float32')
      >>> [round(float(d), 12) for d in run(optax.sgd(0.1), p, steps=4, record_every=2).dist]
      [1.414213562373, 0.81, 0.6561]
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a lrtheory Problem; got {type(problem).__name__}")
    m = as_method(method)
    steps = check_steps(steps)
    blowup = check_blowup(blowup)
    every = check_record_every(record_every, steps)
    ok, why = applicable(m, problem)
    if not ok:
        raise ValueError(f"method {m.name!r} does not apply to problem {problem.name!r}: {why}")
    dtype = check_dtype(dtype)
    _check_memory(steps, problem.dim, keep_x, dtype, every)
    x0 = as_x(problem.x0 if x0 is None else x0, problem.dim, "x0")
    key = as_key(key)
    fn = jax.jit(functools.partial(scan_trajectory, m, problem, steps, keep_x=keep_x,
                                   blowup=blowup, record_every=every))
    with precision(dtype):
        out = fn(jnp.asarray(x0, dtype), key)
    f0, g0 = float(out.f[0]), float(out.grad_norm[0])
    if not (np.isfinite(f0) and np.isfinite(g0)):
        # e.g. sqrt(x) or 1/x at 0: no step can be taken from there (a kink whose formula
        # derivative is finite, |x| at 0 -> sign(0) = 0, is accepted: a valid subgradient)
        raise ValueError(f"x0={x0.tolist()} is not a point where f and its gradient are "
                         f"finite (f(x0)={f0}, |grad f(x0)|={g0}); start elsewhere")
    return jax.tree_util.tree_map(np.asarray, out)._replace(
        f_star=problem.f_star, diverged_at=int(out.diverged_at))


def batched(factory, problem: Problem, steps: int, *, keep_x: bool = False,
            blowup: float = DEFAULT_BLOWUP, stochastic: bool = False,
            record_every: int | str = 1):
    """One compiled program running many configurations of one method at once.

    ``factory(**hyper)`` builds a method (a :class:`Method` or an optax transformation)
    from hyperparameters that arrive as *traced arrays*, so every value of them shares one
    compilation. The returned function maps ``(hyper, x0, keys)`` with ``hyper`` a dict of
    ``(N,)`` arrays, ``x0`` of shape ``(N, dim)`` and ``keys`` ``(N,)`` PRNG keys (used only
    when ``stochastic``) to a batched :class:`Trajectory` (leading axis ``N``, JAX arrays on
    the device: reduce there before copying to the host). ``record_every`` as in
    :func:`run`.

    Example:
      >>> import jax.numpy as jnp, optax
      >>> from lrtheory.problems import quadratic
      >>> p = quadratic([[1.0, 0.0], [0.0, 10.0]], x0=[1.0, 1.0])
      >>> f = batched(lambda lr: optax.sgd(lr), p, steps=10)
      >>> t = f({"lr": jnp.array([0.1, 0.15])}, jnp.ones((2, 2)), None)
      >>> t.dist.shape
      (2, 11)
      >>> batched(lambda lr: optax.sgd(lr), p, steps=10, record_every="final")(
      ...     {"lr": jnp.array([0.1, 0.15])}, jnp.ones((2, 2)), None).dist.shape
      (2, 2)
    """
    steps = check_steps(steps)
    every = check_record_every(record_every, steps)
    blowup = check_blowup(blowup)

    def one(hyper, x0, key):
        m = as_method(factory(**hyper))
        return scan_trajectory(m, problem, steps, x0, key if stochastic else None,
                               keep_x=keep_x, blowup=blowup, record_every=every)

    if stochastic:
        return jax.jit(jax.vmap(one))
    return jax.jit(jax.vmap(one, in_axes=(0, 0, None)))
