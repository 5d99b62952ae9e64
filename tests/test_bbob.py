"""The 24 BBOB functions against the official COCO implementation (``cocoex``).

Expected values come from COCO's C code through the ``cocoex`` package (dev extra): for
every function, instances 1-5 and 101 (the 2023+ instances), dimensions 2 and 10, ten
points uniform on COCO's region of interest [-5, 5]^n. Tolerance 1e-10 relative: both are
float64 evaluations of the same formulas in the same order (rotations summed left to right
as COCO's loops do), so they differ by round-off only (measured: at most 2e-11, f16).
``p.value`` is evaluated op by op here: under ``jax.jit`` XLA may contract a*b + c into
fused multiply-adds, which moves f19 (cosines of t ~ 1e5) by up to ~1e-9 relative; that
is the compiler's rounding, not the function's definition.
"""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest

from lrtheory.problems import bbob, bbob_suite
from lrtheory.problems.bbob import SMOOTH, NonSmoothWarning

cocoex = pytest.importorskip("cocoex")

INSTANCES = "1-5,101"
DIMS = (2, 10)


@pytest.fixture(scope="module")
def suite():
    return cocoex.Suite("bbob", f"instances: {INSTANCES}",
                        f"dimensions: {','.join(map(str, DIMS))}")


@pytest.mark.parametrize("function", range(1, 25))
def test_values_match_cocoex(function, suite):
    rng = np.random.default_rng(function)
    worst = 0.0
    for instance, dim in [(i, d) for i in (1, 2, 3, 4, 5, 101) for d in DIMS]:
        ref_problem = suite.get_problem_by_function_dimension_instance(function, dim, instance)
        assert ref_problem.id == f"bbob_f{function:03d}_i{instance:02d}_d{dim:02d}"
        p = bbob(function, instance, dim, warn=False)
        X = rng.uniform(-5.0, 5.0, size=(10, dim))
        mine = np.asarray(jax.vmap(p.value)(X))  # op by op, see the module docstring
        ref = np.array([ref_problem(x) for x in X])
        worst = max(worst, float(np.max(np.abs(mine - ref) / np.abs(ref))))
        # The optimum: COCO's value at our x_star is our f_star (f20's x_star is COCO's
        # approximate optimum, within 1e-8 of f_opt).
        tol = 1e-8 if function == 20 else 1e-10
        assert abs(ref_problem(p.x_star) - p.f_star) <= tol * max(1.0, abs(p.f_star))
        ref_problem.free()
    assert worst <= 1e-10, f"f{function}: worst relative deviation {worst:.2e}"


@pytest.mark.parametrize("function", sorted(set(range(1, 25)) - set(SMOOTH)))
def test_smooth_functions_have_finite_gradients(function):
    # Gradient methods apply: autodiff gradients are finite at random points and vanish
    # at the optimum (round-off: |grad| <= 1e-6 of the gradient scale away from it),
    # except the linear slope, whose minimum is on the boundary of the box.
    p = bbob(function, 3, 5)
    g = jax.jit(p.grad)
    pts = np.random.default_rng(0).uniform(-4, 4, size=(5, 5))
    G = np.stack([np.asarray(g(x)) for x in pts])
    assert np.all(np.isfinite(G))
    if function != 5:
        assert np.max(np.abs(np.asarray(g(p.x_star)))) <= 1e-6 * max(1.0, np.abs(G).max())


def test_nonsmooth_functions_are_marked_and_warn():
    with pytest.warns(NonSmoothWarning, match="f7 .step_ellipsoid. is not smooth"):
        p = bbob(7, 1, 3)
    assert "nonsmooth" in p.tags and not p.data["smooth"]
    q = bbob(1, 1, 3)
    assert "smooth" in q.tags and q.data["smooth"]
    assert len(SMOOTH) == 12


def test_suite_for_one_sweep_call():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ps = bbob_suite(range(1, 25), range(1, 16), dim=5)
    # 24 x 15 problems, one warning per non-smooth function (not per instance)
    assert len(ps) == 360 and len({p.key for p in ps}) == 360
    assert sum(issubclass(x.category, NonSmoothWarning) for x in w) == 12
    smooth = bbob_suite(range(1, 25), range(1, 16), dim=5, smooth_only=True)
    assert len(smooth) == 12 * 15


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match=r"function must be an integer in \[1, 24\]"):
        bbob(25)
    with pytest.raises(ValueError, match=r"dim must be an integer in \[2, 40\]"):
        bbob(1, 1, 1)
    with pytest.raises(ValueError, match="instance must be an integer >= 1"):
        bbob(1, 0)
