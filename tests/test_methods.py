"""Registry-parametrised: every method runs on every applicable problem; optax adapter."""

import numpy as np
import optax
import pytest

import lrtheory as lrt
from lrtheory import methods, problems

# A learning rate small enough that no first-order method leaves the blow-up bound in a
# few steps on any registered problem at its default start; second-order methods use
# their default lr = 1.
SMALL_LR = 1e-4


def _cases():
    for pname in problems.names():
        for mname in methods.names():
            yield pname, mname


@pytest.fixture(scope="module")
def built():
    return {name: problems.get(name) for name in problems.names()}


@pytest.mark.parametrize("pname,mname", list(_cases()))
def test_every_method_runs_on_every_applicable_problem(built, pname, mname):
    problem = built[pname]
    ok, why = methods.applicable(mname, problem)
    if not ok:
        # Not applicable is part of the contract: run() must refuse with the reason.
        with pytest.raises(ValueError, match="does not apply"):
            lrt.run(methods.get(mname, lr=SMALL_LR), problem, steps=2)
        return
    lr = SMALL_LR if methods.info(mname).lr_required else None
    t = lrt.run(methods.get(mname, lr=lr), problem, steps=3)
    assert t.f.shape == (4,) and t.step_norm.shape == (3,)
    assert np.all(np.isfinite(t.f)) and np.all(np.isfinite(t.grad_norm))
    assert (t.dist is None) == (problem.x_star is None)


def test_user_optax_transformations_plug_in_unchanged():
    # A chain with clipping, and L-BFGS which needs value/grad/value_fn extra arguments.
    # On f = (x-1)^2 + 10 y^2, L-BFGS with zoom line search reaches x* = (1, 0) to
    # round-off within 20 steps (a 2-D quadratic: two curvature pairs span the space).
    p = problems.from_expr("(x - 1)**2 + 10*y**2", x0=[0.0, 1.0], x_star=[1.0, 0.0])
    t = lrt.run(optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(0.05)), p, steps=50)
    assert t.f[-1] < t.f[0] and t.lr is None
    t = lrt.run(optax.lbfgs(), p, steps=20)
    assert t.dist[-1] < 1e-10


def test_info_documents_every_method():
    for name in methods.names():
        meta = methods.info(name)
        assert meta.name == name and len(meta.summary) > 20


def test_unknown_hyperparameter_is_named():
    with pytest.raises(ValueError, match=r"unknown hyperparameters \['momentum'\]"):
        methods.get("adam", lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="lr is required for method 'adam'"):
        methods.get("adam")
