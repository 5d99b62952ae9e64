r"""How lrtheory uses JAX's 64-bit mode, and the numeric context of its runs.

lrtheory computes in float64 by default: orders of convergence need the digits. JAX
creates float64 arrays only while its ``jax_enable_x64`` flag is on, and that flag is
process-wide, so lrtheory offers two modes, chosen by the environment variable
``LRTHEORY_X64`` before lrtheory's JAX layer is first imported:

``LRTHEORY_X64=global`` (the default)
  The first import of a JAX layer of lrtheory (``lrtheory.problems``, ``.methods``,
  ``.schedules``, ``.run``, ``.sweep``, ``.tuning``; ``import lrtheory`` alone does not)
  sets ``jax_enable_x64 = True`` for the process. Everything, your own JAX code included,
  then defaults to float64, and calling ``problem.value(x)`` yourself is float64 too.

``LRTHEORY_X64=local``
  lrtheory never changes the global flag. :func:`lrtheory.run`, :func:`lrtheory.sweep`,
  :func:`lrtheory.find_lr` and the searches switch float64 on only for their own
  computation (:func:`precision`, built on JAX's scoped ``jax.enable_x64`` context, which
  JAX includes in its jit cache key, so a program compiled in one mode is never reused in
  the other). Their results are the same float64 numbers as in the global mode (the
  problems keep their constants as float64 NumPy arrays until a run traces them). What you
  compute with JAX outside those calls follows JAX's own default (float32).

In both modes ``dtype="float32"`` runs (``run``, ``sweep``) switch 64-bit mode off for
their duration, so a problem's constants are rounded to float32 once, not promoted back.

Example:
  >>> import jax, jax.numpy as jnp
  >>> x64_mode() in X64_MODES
  True
  >>> with precision("float32"):
  ...     jnp.ones(2).dtype
  dtype('float32')
  >>> with precision("float64"):
  ...     jnp.ones(2).dtype
  dtype('float64')
"""

from __future__ import annotations

import contextlib
import os
import warnings

__all__ = ["X64_MODES", "DTYPES", "x64_mode", "setup_jax", "check_dtype", "precision",
           "estimator_threads"]

#: Values of the ``LRTHEORY_X64`` environment variable.
X64_MODES = ("global", "local")
#: The floating-point types a run or sweep accepts.
DTYPES = ("float64", "float32")

_ENV = "LRTHEORY_X64"


def x64_mode() -> str:
    """The 64-bit mode asked for by ``LRTHEORY_X64`` (default ``"global"``).

    Raises:
      ValueError: the variable holds something other than ``global`` or ``local``.

    Example:
      >>> import os
      >>> os.environ.get("LRTHEORY_X64", "global") == x64_mode()
      True
    """
    mode = os.environ.get(_ENV, "global").strip().lower() or "global"
    if mode not in X64_MODES:
        raise ValueError(f"environment variable {_ENV}={mode!r} must be one of {X64_MODES}")
    return mode


_THREADS_ENV = "LRTHEORY_THREADS"


def estimator_threads() -> int:
    """How many threads the order estimator shares its stacks of rows among: the
    ``LRTHEORY_THREADS`` environment variable (a positive integer; 1 = no threads), else
    the CPU cores this process may use. The numbers do not depend on it (rows are
    independent), only the time; set it to 1 where processes already share the cores
    (e.g. one estimator per Dask worker on the same machine).

    Raises:
      ValueError: the variable holds something other than a positive integer.

    Example:
      >>> estimator_threads() >= 1
      True
    """
    raw = os.environ.get(_THREADS_ENV, "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"environment variable {_THREADS_ENV}={raw!r} must be a positive "
                             "integer (1: no threads)")
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # macOS, Windows
        return os.cpu_count() or 1


def setup_jax() -> None:
    """Apply the 64-bit mode: in ``"global"`` mode turn ``jax_enable_x64`` on.

    Called once by each JAX layer of lrtheory when it is imported; calling it again is
    harmless. In ``"local"`` mode it changes nothing.

    Example:
      >>> import jax
      >>> setup_jax()
      >>> jax.config.jax_enable_x64 or x64_mode() == "local"
      True
    """
    if x64_mode() == "global":
        import jax

        jax.config.update("jax_enable_x64", True)


def check_dtype(dtype, name: str = "dtype") -> str:
    """``dtype`` as one of :data:`DTYPES` (a string or a NumPy dtype); else ValueError.

    Example:
      >>> import numpy as np
      >>> check_dtype("float32"), check_dtype(np.float64)
      ('float32', 'float64')
    """
    try:
        import numpy as np

        text = np.dtype(dtype).name
    except TypeError:
        text = None
    if text not in DTYPES:
        raise ValueError(f"{name} must be one of {DTYPES}; got {name}={dtype!r}")
    return text


@contextlib.contextmanager
def precision(dtype: str = "float64"):
    """The numeric context of a run in ``dtype``: JAX's 64-bit mode and matmul precision.

    ``"float64"`` turns 64-bit mode on for the block, ``"float32"`` off (so every constant a
    problem or optimizer closes over is rounded to float32 once, not promoted back to
    float64). Both set ``jax.default_matmul_precision("highest")``: on GPUs the default
    float32 matmul is TF32 (a 10-bit mantissa), far too coarse for order estimation.
    Both switches are scoped JAX config contexts and part of JAX's jit cache key.

    Example:
      >>> import jax.numpy as jnp, numpy as np
      >>> with precision("float32"):
      ...     (jnp.asarray(np.float64(1) / 3) * 3).dtype
      dtype('float32')
    """
    import jax

    dtype = check_dtype(dtype)
    with contextlib.ExitStack() as stack:
        stack.enter_context(jax.default_matmul_precision("highest"))
        if dtype == "float32":
            stack.enter_context(jax.enable_x64(False))
            # Problems close over float64 arrays; in 32-bit mode JAX truncates them and
            # says so once per trace. That truncation is what float32 asks for.
            stack.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", message="Explicitly requested dtype float64")
        else:
            stack.enter_context(jax.enable_x64(True))
        yield
