r"""The 24 noiseless BBOB functions of COCO, instance by instance, in JAX.

:func:`bbob` builds function ``f`` (1-24), instance ``i`` and dimension ``n`` of COCO's
``bbob`` suite as a :class:`~lrtheory.problems.Problem`: the same :math:`x^{opt}`,
:math:`f_{opt}`, rotations and transformations as COCO's C code (ported in
:mod:`._instances` and :mod:`._functions`; ``tests/test_bbob.py`` checks the values against
the official ``cocoex`` package), with gradient and Hessian by JAX autodiff, so gradient
methods run on them. Functions whose gradient is not usable (steps, kinks, cusps; see
``SMOOTH``) carry the tag ``"nonsmooth"``, ``data["smooth"] = False`` with the reason, and
building one warns with :class:`NonSmoothWarning` (``warn=False`` silences it).

A sweep over the suite is one call, e.g. Adam on f1-f24, instances 1-15, in 5-D::

    import lrtheory as lrt
    table = lrt.sweep("adam", lrt.problems.bbob_suite(range(1, 25), range(1, 16), dim=5,
                                                     warn=False),
                      lrs=[1e-3, 1e-2, 1e-1], steps=2000)

References: Hansen, Finck, Ros, Auger (2009), Real-parameter black-box optimization
benchmarking 2009: noiseless functions definitions, INRIA RR-6829; Hansen et al. (2021),
COCO: a platform for comparing continuous optimizers in a black-box setting, Optim.
Methods Softw. 36(1).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable

import jax
import numpy as np

from .._base import Problem
from .._common import check_int, uniform_sampler
from ._functions import BUILDERS, NAMES, SMOOTH

__all__ = ["bbob", "bbob_suite", "NonSmoothWarning", "NAMES", "SMOOTH"]


class NonSmoothWarning(UserWarning):
    """A BBOB function whose gradient is not usable by gradient methods was built.

    Example:
      >>> import warnings
      >>> with warnings.catch_warnings(record=True) as w:
      ...     warnings.simplefilter("always")
      ...     p = bbob(7, 1, dim=2)
      >>> w[0].category.__name__, p.data["smooth"]
      ('NonSmoothWarning', False)
    """


def _rseed(function: int, instance: int) -> int:
    # COCO's coco_get_bbob_problem: f4 and f18 reuse the seeds of f3 and f17.
    base = {4: 3, 18: 17}.get(function, function)
    return base + 10000 * instance


def bbob(function: int, instance: int = 1, dim: int = 2, *, warn: bool = True) -> Problem:
    r"""BBOB function ``function`` (1-24), ``instance`` (>= 1) in ``dim`` variables.

    Args:
      function: 1 sphere, 2 ellipsoid, 3 Rastrigin, 4 Büche-Rastrigin, 5 linear slope,
        6 attractive sector, 7 step ellipsoid, 8 Rosenbrock, 9 rotated Rosenbrock,
        10 rotated ellipsoid, 11 discus, 12 bent cigar, 13 sharp ridge, 14 different
        powers, 15 rotated Rastrigin, 16 Weierstrass, 17-18 Schaffer F7 (condition 10,
        1000), 19 Griewank-Rosenbrock, 20 Schwefel, 21-22 Gallagher (101, 21 peaks),
        23 Katsuura, 24 Lunacek bi-Rastrigin.
      instance: COCO's instance number (its seed; COCO's ``bbob`` suite uses 1-15 and,
        per year, 1-5 with 71-80, 91-100, 101-110).
      dim: number of variables, 2 to 40 (COCO's dimensions are 2, 3, 5, 10, 20, 40).
      warn: warn (:class:`NonSmoothWarning`) when the function is not smooth.

    Returns:
      A :class:`~lrtheory.problems.Problem` named ``"bbob_fNN"`` with ``params={"function",
      "instance", "dim"}``, ``x0`` = 0 (COCO's initial solution), random starts uniform on
      :math:`[-4, 4]^n`, ``x_star`` = COCO's optimum (for f20, COCO's approximate one) and
      ``f_star`` = :math:`f_{opt}`; ``data``: ``function``, ``instance``, ``name``,
      ``smooth``, ``nonsmooth_reason``. No SymPy expression (``expr`` is ``None``).

    Example (sphere, instance 1: f(x_opt) = f_opt):
      >>> p = bbob(1, 1, dim=3)
      >>> p.name, float(p.value(p.x_star)) == p.f_star, p.data["smooth"]
      ('bbob_f01', True, True)
    """
    function = check_int("function", function, 1, 24)
    instance = check_int("instance", instance, 1)
    dim = check_int("dim", dim, 2, 40)
    spec = BUILDERS[function - 1](dim, instance, _rseed(function, instance))
    reason = SMOOTH.get(function, "")
    if reason and warn:
        warnings.warn(f"BBOB f{function} ({NAMES[function - 1]}) is not smooth: {reason}; "
                      "gradient methods may not apply (warn=False silences this)",
                      NonSmoothWarning, stacklevel=2)
    value = spec.value
    tags = {"bbob", "nonsmooth" if reason else "smooth",
            "convex" if function in (1, 5) else "nonconvex"}
    if function in (3, 4, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24):
        tags.add("multimodal")
    note = ("COCO's best_parameter: f(x_star) = f_opt up to ~1e-10" if function == 20
            else "COCO's optimum of this instance")
    return Problem(
        name=f"bbob_f{function:02d}", dim=dim, value=value, grad=jax.grad(value),
        hess=jax.hessian(value), x0=np.zeros(dim), x_star=np.asarray(spec.x_opt, float),
        f_star=float(spec.f_opt),
        params={"function": function, "instance": instance, "dim": dim},
        data={"function": function, "instance": instance, "name": NAMES[function - 1],
              "smooth": not reason, "nonsmooth_reason": reason},
        x0_sampler=uniform_sampler(-4.0, 4.0, dim), tags=frozenset(tags), x_star_note=note,
    )


def bbob_suite(functions: Iterable[int] = range(1, 25), instances: Iterable[int] = range(1, 16),
               dim: int = 2, *, smooth_only: bool = False, warn: bool = True) -> list[Problem]:
    """The problems of a BBOB sweep: every ``function`` x ``instance`` in ``dim`` variables.

    Args:
      functions: function numbers (default all 24).
      instances: instance numbers (default 1-15).
      dim: number of variables.
      smooth_only: keep only the smooth functions (for gradient methods).
      warn: one :class:`NonSmoothWarning` per non-smooth function kept.

    Returns:
      A list of problems, functions outer, instances inner; pass it to
      :func:`lrtheory.sweep` as ``problems``.

    Example:
      >>> ps = bbob_suite(range(1, 25), range(1, 16), dim=5, smooth_only=True)
      >>> len(ps), ps[0].key
      (180, 'bbob_f01(dim=5,function=1,instance=1)')
    """
    fs = [check_int("functions", f, 1, 24) for f in functions]
    inst = [check_int("instances", i, 1) for i in instances]
    if not fs or not inst:
        raise ValueError("functions and instances must not be empty")
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"dim must be an integer; got {dim!r}")
    out = []
    for f in fs:
        if smooth_only and f in SMOOTH:
            continue
        with warnings.catch_warnings():
            if warn:  # one warning per function, not per instance
                warnings.simplefilter("ignore", NonSmoothWarning)
            out += [bbob(f, i, dim, warn=False) for i in inst]
        if warn and f in SMOOTH:
            warnings.warn(f"BBOB f{f} ({NAMES[f - 1]}) is not smooth: {SMOOTH[f]}",
                          NonSmoothWarning, stacklevel=2)
    return out
