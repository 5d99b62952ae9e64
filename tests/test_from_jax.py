"""problems.from_jax: a Problem from a plain JAX function, checked on functions whose
minimiser, gradient and Hessian are known in closed form."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

import lrtheory as lrt
from lrtheory.problems import from_jax

A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, -1.0])


def quad(x):
    return 0.5 * x @ (jnp.asarray(A) @ x) - jnp.asarray(B) @ x


def rosenbrock(v):
    return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2


def test_quadratic_gradient_hessian_and_minimiser():
    # f = x'Ax/2 - b'x: grad = Ax - b, Hessian = A, x* = A^{-1} b = (3/5, -4/5),
    # f* = -b'A^{-1}b/2 = -7/10 (A^{-1} = [[2, -1], [-1, 3]]/5)
    x_star = np.linalg.solve(A, B)
    p = from_jax(quad, x0=[1.0, 1.0], x_star=x_star)
    assert p.name == "quad" and p.dim == 2 and p.params == {"dim": 2}
    np.testing.assert_allclose(x_star, [0.6, -0.8], rtol=1e-15)
    assert p.f_star == pytest.approx(-0.7, rel=1e-15)  # a few roundings
    x = jnp.array([0.3, -2.0])
    np.testing.assert_allclose(p.grad(x), A @ np.asarray(x) - B, rtol=1e-15)
    np.testing.assert_array_equal(p.hess(x), A)  # exact: the HVPs of a quadratic
    assert float(p.value(x)) == pytest.approx(float(quad(x)), rel=1e-15)


def test_gd_on_it_contracts_at_the_theory_rate():
    # A has eigenvalues (5 +- sqrt 5)/2 = 1.382, 3.618: GD with lr = 0.25 contracts by
    # max|1 - 0.25 lambda| = 1 - 0.25 * 1.382 = 0.6545 per step.
    lam = np.linalg.eigvalsh(A)
    p = from_jax(quad, x0=[1.0, 1.0], x_star=np.linalg.solve(A, B))
    t = lrt.run(lrt.methods.get("gd", lr=0.25), p, steps=60)
    est = lrt.estimate_order(t)
    # rel 1e-6: the estimator's rate on an exact geometric tail
    assert est.regime == "linear" and est.rate == pytest.approx(1 - 0.25 * lam[0], rel=1e-6)


def test_rosenbrock_hessian_and_newton():
    # Rosenbrock's Hessian at (1, 1) is [[802, -400], [-400, 200]]; Newton from
    # (-1.2, 1) reaches x* = (1, 1) (quadratically, so to round-off within 20 steps).
    p = from_jax(rosenbrock, x0=[-1.2, 1.0], x_star=[1.0, 1.0])
    assert p.f_star == 0.0
    np.testing.assert_array_equal(p.hess(jnp.array([1.0, 1.0])),
                                  [[802.0, -400.0], [-400.0, 200.0]])
    t = lrt.run(lrt.methods.get("newton"), p, steps=20)
    assert t.dist[-1] < 1e-12  # float64 round-off near x*


def test_pytree_variables():
    # f(W, b) = |W - W*|^2 + |b - b*|^2: minimiser (W*, b*), Hessian 2 I; GD with
    # lr = 0.25 contracts every coordinate by |1 - 0.5| = 0.5 per step.
    W_star, b_star = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([-1.0, 0.5])

    def loss(params):
        return (jnp.sum((params["W"] - W_star) ** 2) + jnp.sum((params["b"] - b_star) ** 2))

    x0 = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    p = from_jax(loss, x0, x_star={"W": W_star, "b": b_star}, name="pytree")
    assert p.dim == 6 and p.f_star == 0.0 and p.name == "pytree"
    # jax flattens a dict in sorted key order: "W" (4 values) before "b" (upper case first)
    np.testing.assert_array_equal(p.x_star, [1.0, 2.0, 3.0, 4.0, -1.0, 0.5])
    np.testing.assert_array_equal(p.hess(jnp.zeros(6)), 2 * np.eye(6))
    t = lrt.run(lrt.methods.get("gd", lr=0.25), p, steps=10)
    d0 = math.sqrt(np.sum(W_star**2) + np.sum(b_star**2))
    # rel 1e-14: ten exact halvings of float64 numbers
    np.testing.assert_allclose(t.dist, d0 * 0.5 ** np.arange(11), rtol=1e-14)
    # a flat x_star is accepted too, and float32 runs keep float32
    q = from_jax(loss, x0, x_star=p.x_star)
    assert q.f_star == 0.0
    assert lrt.run(lrt.methods.get("gd", lr=0.25), q, 3, dtype="float32").dist.dtype == \
        np.float32


def test_scalar_variable():
    # f = cosh(x - 1): minimiser 1, f* = cosh 0 = 1, f"(1) = cosh 0 = 1
    p = from_jax(lambda x: jnp.cosh(x - 1.0), x0=3.0, x_star=1.0)
    assert p.dim == 1 and "scalar" in p.tags and p.f_star == 1.0 and p.name == "jax_function"
    assert p.hess(jnp.array([1.0])).tolist() == [[1.0]]


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"f": 3.0, "x0": [1.0]}, TypeError, "f must be a callable"),
    ({"f": lambda x: x, "x0": [1.0, 2.0]}, ValueError, "f must return a real scalar"),
    ({"f": lambda x: jnp.sum(x) > 0, "x0": [1.0]}, ValueError, "real scalar"),
    ({"f": lambda x: jnp.log(x[0]), "x0": [0.0]}, ValueError, "finite at x0"),
    ({"f": quad, "x0": [1.0, float("nan")]}, ValueError, "x0 must be finite"),
    ({"f": quad, "x0": ["a", "b"]}, TypeError, "x0 must be real numbers"),
    ({"f": quad, "x0": []}, ValueError, "x0 must hold at least one number"),
    ({"f": quad, "x0": [1.0, 1.0], "x_star": [0.0, 0.0]}, ValueError,
     "not a stationary point"),
    ({"f": quad, "x0": [1.0, 1.0], "x_star": [0.6, -0.8, 0.0]}, ValueError,
     r"x_star must have shape \(2,\)"),
    ({"f": quad, "x0": [1.0, 1.0], "x_star": np.linalg.solve(A, B), "f_star": 0.0},
     ValueError, "disagrees with f"),
    ({"f": quad, "x0": [1.0, 1.0], "f_star": float("inf")}, ValueError, "f_star must be"),
])
def test_input_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        from_jax(**kwargs)
