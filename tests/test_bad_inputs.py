"""Catalogue of bad inputs across the public API (issue 9, hardening).

Each case asserts the exact exception type and a regex that the message names the argument
(and, where the API says so, the offending value). Below the catalogue: the decision for
non-differentiable points, a sweep cache directory that cannot be created (the other cache
mishaps are in tests/test_sweep_resume.py), and no NaN in any table when learning rates
diverge, all through public entry points.

Non-differentiable points (decision): a formula is differentiated for *real* variables,
so a kink whose formula derivative is finite is accepted and honest: d|x|/dx = sign(x) is 0
at x = 0 (a valid subgradient), and a run started there stays there with finite records.
A start where f or its gradient is not finite (sqrt(x) or 1/x at 0) is bad input for a
single run: ``run`` and ``run_mp`` raise ``ValueError`` naming ``x0``. Batched tools
(``grid_search``, ``sweep``) do not raise for one bad run among many: they report it as
``diverged`` at step 1, with no NaN in their tables.
"""

import dataclasses
import sys

import numpy as np
import optax
import pandas as pd
import pytest
import sympy as sp

import lrtheory as lrt
from lrtheory import methods, problems, schedules, theory
from lrtheory.estimate import estimate_order, estimate_orders, per_iteration
from lrtheory.precision import run_mp
from lrtheory.problems import from_expr, quadratic
from lrtheory.sweep import CacheWarning, sweep
from lrtheory.tuning import bayes_search, find_lr, grid_search, random_search

DIAG = [[1.0, 0.0], [0.0, 10.0]]
P = quadratic(DIAG, x0=[1.0, 1.0])
P_NOSAMPLER = dataclasses.replace(P, x0_sampler=None)
NAN, INF = float("nan"), float("inf")
SPACE = {"lr": ("log", 1e-3, 0.5)}


def _sweep(**kw):
    args = {"method_factory": "gd", "problems": P_NOSAMPLER, "lrs": [0.1], "steps": 5,
            "progress": False, **kw}
    return sweep(**args)


def _traj():
    return lrt.run(optax.sgd(0.1), P, steps=3)


# (id, call, exception type, regex naming the argument)
CASES = [
    # --- lrtheory.run: shapes, dtypes, non-finite starts, steps, keys, names
    ("run-x0-shape", lambda: lrt.run(optax.sgd(0.1), P, 3, x0=[1.0, 2.0, 3.0]), ValueError,
     r"x0 must have shape \(2,\); got shape \(3,\)"),
    ("run-x0-2d", lambda: lrt.run(optax.sgd(0.1), P, 3, x0=[[1.0, 1.0]]), ValueError,
     r"x0 must have shape \(2,\); got shape \(1, 2\)"),
    ("run-x0-str", lambda: lrt.run(optax.sgd(0.1), P, 3, x0="ab"), TypeError,
     r"x0 must be a real array of shape \(2,\); got 'ab'"),
    ("run-x0-complex", lambda: lrt.run(optax.sgd(0.1), P, 3, x0=[1j, 1.0]), TypeError,
     r"x0 must be a real array"),
    ("run-x0-nan", lambda: lrt.run(optax.sgd(0.1), P, 3, x0=[NAN, 1.0]), ValueError,
     r"x0 must be finite; got \[nan, 1.0\]"),
    ("run-x0-inf", lambda: lrt.run(optax.sgd(0.1), P, 3, x0=[1.0, -INF]), ValueError,
     r"x0 must be finite; got \[1.0, -inf\]"),
    ("run-steps-0", lambda: lrt.run(optax.sgd(0.1), P, 0), ValueError,
     r"steps must be an integer >= 1; got steps=0"),
    ("run-steps-neg", lambda: lrt.run(optax.sgd(0.1), P, -5), ValueError,
     r"steps must be an integer >= 1; got steps=-5"),
    ("run-steps-float", lambda: lrt.run(optax.sgd(0.1), P, 2.5), ValueError,
     r"steps must be an integer >= 1; got steps=2.5"),
    ("run-steps-bool", lambda: lrt.run(optax.sgd(0.1), P, True), ValueError,
     r"steps must be an integer >= 1; got steps=True"),
    ("run-key-str", lambda: lrt.run(optax.sgd(0.1), P, 3, key="seed"), TypeError,
     r"key must be None, an int seed or a jax.random key; got 'seed'"),
    ("run-key-float", lambda: lrt.run(optax.sgd(0.1), P, 3, key=1.5), TypeError,
     r"key must be .*; got 1.5"),
    ("run-blowup", lambda: lrt.run(optax.sgd(0.1), P, 3, blowup=0.5), ValueError,
     r"blowup must be a finite number > 1; got blowup=0.5"),
    ("run-blowup-nan", lambda: lrt.run(optax.sgd(0.1), P, 3, blowup=NAN), ValueError,
     r"blowup must be a finite number > 1; got blowup=nan"),
    ("run-problem-name", lambda: lrt.run(optax.sgd(0.1), "quadratic", 3), TypeError,
     r"problem must be a lrtheory Problem; got str"),
    ("run-method-name", lambda: lrt.run("adam", P, 3), TypeError,
     r"method='adam': build named methods with lrtheory.methods.get"),
    ("run-method-none", lambda: lrt.run(None, P, 3), TypeError,
     r"method must be a lrtheory Method or an optax.GradientTransformation; got NoneType"),
    ("run-method-not-applicable", lambda: lrt.run(methods.get("secant"), P, 3), ValueError,
     r"method 'secant' does not apply to problem 'quadratic': needs a one-variable"),
    ("run-x0-singular-gradient",
     lambda: lrt.run(methods.get("gd", lr=0.1), from_expr("sqrt(x)", x0=[0.0]), 3),
     ValueError, r"x0=\[0.0\] is not a point where f and its gradient are finite"),
    ("run-x0-pole",
     lambda: lrt.run(methods.get("gd", lr=0.1), from_expr("1/x + y**2", x0=[0.0, 1.0]), 3),
     ValueError, r"x0=\[0.0, 1.0\] is not a point where f .*f\(x0\)=inf"),
    # --- lrtheory.methods: learning rates, hyperparameters, names
    ("get-lr-neg", lambda: methods.get("gd", lr=-0.1), ValueError,
     r"lr must be positive and finite; got -0.1"),
    ("get-lr-zero", lambda: methods.get("adam", lr=0.0), ValueError,
     r"lr must be positive and finite; got 0.0"),
    ("get-lr-nan", lambda: methods.get("momentum", lr=NAN), ValueError,
     r"lr must be positive and finite; got nan"),
    ("get-lr-inf", lambda: methods.get("gd", lr=INF), ValueError,
     r"lr must be positive and finite; got inf"),
    ("get-lr-str", lambda: methods.get("gd", lr="0.1"), TypeError,
     r"lr must be a number, an array or a schedule; got '0.1'"),
    ("get-lr-array", lambda: methods.get("gd", lr=np.array([0.1, -1.0])), ValueError,
     r"lr must be positive and finite"),
    ("get-lr-schedule-neg", lambda: methods.get("gd", lr=lambda k: -0.1 + 0 * k), ValueError,
     r"lr must be non-negative and finite at step 0; got -0.1"),
    ("get-lr-missing", lambda: methods.get("gd"), ValueError,
     r"lr is required for method 'gd'"),
    ("get-unknown", lambda: methods.get("adamm", lr=0.1), ValueError,
     r"unknown method name='adamm'; did you mean \['adam'\]"),
    ("get-name-int", lambda: methods.get(3, lr=0.1), ValueError, r"unknown method name=3"),
    ("get-hyper-unknown", lambda: methods.get("adam", lr=0.1, beta=0.5), ValueError,
     r"unknown hyperparameters \['beta'\] for method 'adam'; allowed: \['b1', 'b2', 'eps'\]"),
    ("get-hyper-nan", lambda: methods.get("momentum", lr=0.1, beta=NAN), ValueError,
     r"beta of method 'momentum' must be a finite real number; got beta=nan"),
    ("get-hyper-str", lambda: methods.get("adam", lr=0.1, b1="0.9"), ValueError,
     r"b1 of method 'adam' must be a finite real number; got b1='0.9'"),
    # ranges (lrtheory.methods.info(name).hyper): 0 <= beta < 1, b1, b2 in [0, 1), eps > 0,
    # Armijo's c and shrink factor in (0, 1), max_backtracks a whole number >= 0
    ("get-beta-range", lambda: methods.get("momentum", lr=0.1, beta=1.5), ValueError,
     r"beta of method 'momentum' must satisfy 0 <= beta < 1; got beta=1.5"),
    ("get-beta-one", lambda: methods.get("nesterov", lr=0.1, beta=1.0), ValueError,
     r"beta of method 'nesterov' must satisfy 0 <= beta < 1; got beta=1.0"),
    ("get-beta-array", lambda: methods.get("momentum", lr=0.1, beta=np.array([0.5, -0.1])),
     ValueError, r"beta of method 'momentum' must satisfy 0 <= beta < 1"),
    ("get-b2-range", lambda: methods.get("adam", lr=0.1, b2=1.0), ValueError,
     r"b2 of method 'adam' must satisfy 0 <= b2 < 1; got b2=1.0"),
    ("get-eps-zero", lambda: methods.get("adam", lr=0.1, eps=0.0), ValueError,
     r"eps of method 'adam' must satisfy eps > 0; got eps=0.0"),
    ("get-accumulator-neg", lambda: methods.get("adagrad", lr=0.1,
                                                initial_accumulator_value=-1.0),
     ValueError, r"initial_accumulator_value of method 'adagrad' must satisfy "
                 r"initial_accumulator_value >= 0"),
    ("get-armijo-c", lambda: methods.get("gd_armijo", c=1.0), ValueError,
     r"c of method 'gd_armijo' must satisfy 0 < c < 1; got c=1.0"),
    ("get-armijo-rho", lambda: methods.get("bfgs", rho=0.0), ValueError,
     r"rho of method 'bfgs' must satisfy 0 < rho < 1; got rho=0.0"),
    ("get-backtracks", lambda: methods.get("newton_armijo", max_backtracks=2.5), ValueError,
     r"max_backtracks of method 'newton_armijo' must satisfy max_backtracks >= 0 "
     r"\(an integer\); got max_backtracks=2.5"),
    ("get-secant-h", lambda: methods.get("secant", h=0.0), ValueError,
     r"h of method 'secant' must satisfy h > 0; got h=0.0"),
    ("factory-beta-range", lambda: methods.factory("momentum", beta=-0.5), ValueError,
     r"beta of method 'momentum' must satisfy 0 <= beta < 1; got beta=-0.5"),
    ("info-unknown", lambda: methods.info("sgdd"), ValueError, r"unknown method name='sgdd'"),
    ("factory-unknown", lambda: methods.factory("sgdd"), ValueError,
     r"unknown method name='sgdd'"),
    ("from-optax-type", lambda: methods.from_optax(3), TypeError,
     r"tx must be an optax.GradientTransformation; got int"),
    # --- lrtheory.problems: names, parameters, matrices, formulas
    ("problem-unknown", lambda: problems.get("rosenbrok"), ValueError,
     r"unknown problem name='rosenbrok'; did you mean \['rosenbrock', 'mgh_rosenbrock'\]"),
    ("problem-param-unknown", lambda: problems.get("rosenbrock", dimm=3), TypeError,
     r"unexpected keyword argument 'dimm'"),
    ("rosenbrock-dim", lambda: problems.rosenbrock(dim=1), ValueError,
     r"dim must be an integer >= 2; got 1"),
    ("rosenbrock-dim-float", lambda: problems.rosenbrock(dim=2.5), TypeError,
     r"dim must be an integer; got 2.5"),
    ("rosenbrock-x0-nan", lambda: problems.rosenbrock(x0=[NAN, 1.0]), ValueError,
     r"x0 must be finite"),
    ("logistic-n-train", lambda: problems.get("logistic", n_train=0), ValueError,
     r"n_train must be an integer in \[2, \d+\]; got 0"),
    ("quadratic-nothing", lambda: quadratic(), ValueError,
     r"quadratic needs either A, or dim= and cond="),
    ("quadratic-dim", lambda: quadratic(dim=0, cond=2.0), ValueError,
     r"dim must be a positive integer; got 0"),
    ("quadratic-dim-str", lambda: quadratic(dim="abc", cond=2.0), ValueError,
     r"dim must be a positive integer; got 'abc'"),
    ("quadratic-cond-str", lambda: quadratic(dim=3, cond="x"), ValueError,
     r"cond must be >= 1; got 'x'"),
    ("quadratic-cond", lambda: quadratic(dim=3, cond=0.5), ValueError,
     r"cond must be >= 1; got 0.5"),
    ("quadratic-cond-nan", lambda: quadratic(dim=3, cond=NAN), ValueError,
     r"cond must be >= 1; got nan"),
    ("quadratic-mu", lambda: quadratic(dim=3, cond=2.0, mu=0.0), ValueError,
     r"mu must be > 0; got 0.0"),
    ("quadratic-spectrum", lambda: quadratic(dim=3, cond=2.0, spectrum="cubic"), ValueError,
     r"spectrum must be 'linear' or 'log'; got 'cubic'"),
    ("quadratic-seed", lambda: quadratic(dim=3, cond=2.0, seed="a"), TypeError,
     r"seed must be an integer; got seed='a'"),
    ("quadratic-A-str", lambda: quadratic("abc"), TypeError,
     r"A must be a real square matrix; got A='abc'"),
    ("quadratic-A-shape", lambda: quadratic(np.ones((2, 3))), ValueError,
     r"A must be a square matrix; got shape \(2, 3\)"),
    ("quadratic-A-asym", lambda: quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError,
     r"A must be symmetric"),
    ("quadratic-A-indefinite", lambda: quadratic([[1.0, 0.0], [0.0, -1.0]]), ValueError,
     r"A must be positive definite; smallest eigenvalue -1"),
    ("quadratic-A-nan", lambda: quadratic([[1.0, 0.0], [0.0, NAN]]), ValueError,
     r"A must be finite"),
    ("quadratic-b-shape", lambda: quadratic(DIAG, b=[1.0, 2.0, 3.0]), ValueError,
     r"b must have shape \(2,\); got shape \(3,\)"),
    ("quadratic-x0-inf", lambda: quadratic(DIAG, x0=[INF, 1.0]), ValueError,
     r"x0 must be finite; got \[inf, 1.0\]"),
    ("expr-parameter", lambda: from_expr("x**2 + a*y**2", x0=[1.0, 1.0], symbols=["x", "y"]),
     ValueError, r"expr has free symbols \['a'\] that are not among symbols=\['x', 'y'\]"),
    ("expr-parameter-default", lambda: from_expr("x**2 + a*y**2", x0=[1.0, 1.0]), ValueError,
     r"x0 must have shape \(3,\).*one value per variable \['a', 'x', 'y'\]"),
    ("expr-unparsable", lambda: from_expr("x**", x0=[1.0]), ValueError,
     r"expr='x\*\*' is not a formula SymPy can parse"),
    ("expr-unsafe", lambda: from_expr("__import__('os')", x0=[1.0]), ValueError,
     r"expr=.* contains characters not allowed in a formula"),
    ("expr-constant", lambda: from_expr("3", x0=[]), ValueError, r"expr=3 has no variables"),
    ("expr-complex", lambda: from_expr("I*x", x0=[0.0]), ValueError,
     r"expr=I\*x is not real"),
    ("expr-type", lambda: from_expr(3, x0=[1.0]), TypeError,
     r"expr must be a SymPy expression or a string"),
    ("expr-x_star-nan", lambda: from_expr("x**2", x0=[1.0], x_star=[NAN]), ValueError,
     r"x_star must be finite"),
    ("expr-x_star-not-real", lambda: from_expr("log(x)", x0=[1.0], x_star=[-1.0]), ValueError,
     r"expr is not real and finite at x_star=\[-1.0\]"),
    # --- lrtheory.estimate
    ("estimate-str", lambda: estimate_order("abc"), TypeError,
     r"data must be a sequence of errors, a 2-D array of iterates or a Trajectory; got str"),
    ("estimate-none", lambda: estimate_order(None), TypeError, r"data must be .*NoneType"),
    ("estimate-negative", lambda: estimate_order([1.0, -0.5]), ValueError,
     r"data must hold errors >= 0; got .*-0.5"),
    ("estimate-complex", lambda: estimate_order([1j, 0.5]), TypeError,
     r"data must hold real numbers; got an array of dtype complex128"),
    ("estimate-3d", lambda: estimate_order(np.ones((2, 2, 2))), ValueError,
     r"data must be 1-D errors or 2-D iterates; got shape \(2, 2, 2\)"),
    ("estimate-measure", lambda: estimate_order([1.0, 0.5], measure="xx"), ValueError,
     r"measure='xx' is not one of"),
    ("estimate-window-order", lambda: estimate_order([1.0, 0.5, 0.25], window=(2, 1)),
     ValueError, r"window=\(2, 1\) must satisfy 0 <= first < last < 3"),
    ("estimate-window-float", lambda: estimate_order([1.0, 0.5, 0.25], window=(0.0, 1.0)),
     ValueError, r"window must be None or a pair \(first, last\) .*got \(0.0, 1.0\)"),
    ("estimate-x_star-1d", lambda: estimate_order([1.0, 0.5], x_star=[0.0]), ValueError,
     r"x_star is only used with 2-D iterates"),
    ("estimate-x_star-shape", lambda: estimate_order(np.ones((5, 2)), x_star=[0.0] * 3),
     ValueError, r"x_star must have 2 entries \(one per coordinate\); got 3"),
    ("estimate-x_star-trajectory", lambda: estimate_order(_traj(), x_star=[0.0, 0.0]),
     ValueError, r"x_star is not used with a Trajectory"),
    ("estimate-orders-1d", lambda: estimate_orders([1.0, 0.5]), ValueError,
     r"errors must be a 2-D array \(n_runs, T\); got shape \(2,\)"),
    ("estimate-orders-diverged_at", lambda: estimate_orders(np.ones((2, 5)), diverged_at=[1]),
     ValueError, r"diverged_at must be 2 integers"),
    ("per-iteration-q", lambda: per_iteration([1.0, 0.5, 0.25], q=-1), ValueError,
     r"q must be a positive finite number or None; got -1"),
    # --- lrtheory.schedules
    ("schedule-unknown", lambda: schedules.get("expo", lr0=1.0, d=1.0), ValueError,
     r"unknown schedule name='expo'; known: constant, cosine"),
    ("schedule-missing", lambda: schedules.get("exponential", lr0=1.0), TypeError,
     r"missing 1 required positional argument: 'd'"),
    ("schedule-lr0-neg", lambda: schedules.exponential(-1.0, 0.1), ValueError,
     r"lr0 must be >= 0 \(finite\), got lr0=-1.0"),
    ("schedule-lr0-nan", lambda: schedules.time_based(NAN, 0.1), ValueError,
     r"lr0 must be >= 0 \(finite\), got lr0=nan"),
    ("schedule-lr0-inf", lambda: schedules.constant(INF), ValueError,
     r"lr0 must be finite, got lr0=inf"),
    ("schedule-lr0-str", lambda: schedules.exponential("a", 0.1), TypeError,
     r"lr0 must be a real number or array, got 'a'"),
    ("schedule-step-r", lambda: schedules.step(1.0, 0.5, 0), ValueError,
     r"r must be > 0 \(finite\), got r=0"),
    ("schedule-step-d", lambda: schedules.step(1.0, 2.0, 10), ValueError,
     r"d must be in \[0, 1\], got d=2.0"),
    ("schedule-cosine-T", lambda: schedules.cosine(1.0, T=0), ValueError,
     r"T must be > 0 \(finite\), got T=0"),
    ("schedule-warmup-schedule", lambda: schedules.warmup(0.1, 5), TypeError,
     r"schedule must be a Schedule or a callable k -> lr, got 0.1"),
    ("schedule-warmup-kind", lambda: schedules.warmup(schedules.constant(0.1), 5, kind="x"),
     ValueError, r"kind must be one of \['exponential', 'linear'\], got kind='x'"),
    ("schedule-warmup-steps", lambda: schedules.warmup(schedules.constant(0.1), -1),
     ValueError, r"steps must be >= 0 \(finite\), got steps=-1"),
    ("schedule-triangular-s", lambda: schedules.triangular(0.1, 1.0, 0), ValueError,
     r"s must be > 0 \(finite\), got s=0"),
    ("schedule-exp-range-gamma", lambda: schedules.exp_range(0.1, 1.0, 2, 0.0), ValueError,
     r"gamma must be in \(0, 1\], got gamma=0.0"),
    ("schedule-onecycle-pct", lambda: schedules.onecycle_linear(1.0, 10, 0.5, 0.2),
     ValueError, r"pct_final must be >= pct_start=0.5, got pct_final=0.2"),
    # --- lrtheory.tuning
    ("find-lr-min", lambda: find_lr("gd", P, lr_min=-1.0), ValueError,
     r"lr_min must be positive and finite; got lr_min=-1.0"),
    ("find-lr-order", lambda: find_lr("gd", P, lr_min=1.0, lr_max=0.1), ValueError,
     r"lr_min must be < lr_max; got lr_min=1.0, lr_max=0.1"),
    ("find-lr-max-nan", lambda: find_lr("gd", P, lr_max=NAN), ValueError,
     r"lr_max must be positive and finite; got lr_max=nan"),
    ("find-lr-steps", lambda: find_lr("gd", P, steps=1), ValueError,
     r"steps must be an integer >= 2; got steps=1"),
    ("find-lr-mode", lambda: find_lr("gd", P, mode="log"), ValueError,
     r"mode must be one of \('exp', 'linear'\); got mode='log'"),
    ("find-lr-beta", lambda: find_lr("gd", P, beta=1.0), ValueError,
     r"beta must be a number in \[0, 1\); got beta=1.0"),
    ("find-lr-seeds", lambda: find_lr("gd", P, seeds=0), ValueError,
     r"seeds must be a count >= 1 .*got seeds=0"),
    ("find-lr-seeds-dup", lambda: find_lr("gd", P, seeds=[1, 1]), ValueError,
     r"seeds must be distinct; got seeds=\[1, 1\]"),
    ("find-lr-method", lambda: find_lr("gdd", P), ValueError, r"unknown method name='gdd'"),
    ("find-lr-method-type", lambda: find_lr(3, P), TypeError,
     r"method must be a registry name or a callable"),
    ("find-lr-problem", lambda: find_lr("gd", "quadratic"), TypeError,
     r"problem must be a lrtheory Problem; got str"),
    ("find-lr-x0", lambda: find_lr("gd", P, x0=[NAN, 1.0]), ValueError, r"x0 must be finite"),
    ("find-lr-L", lambda: find_lr("gd", P, L=-1.0), ValueError,
     r"L must be positive and finite; got L=-1.0"),
    ("find-lr-stochastic", lambda: find_lr("gd", P, stochastic=True), ValueError,
     r"stochastic=True needs a problem with batch_grad"),
    ("find-lr-diverge-factor", lambda: find_lr("gd", P, diverge_factor=1.0), ValueError,
     r"diverge_factor must be a finite number > 1; got diverge_factor=1.0"),
    ("find-lr-fixed", lambda: find_lr("gd", P, fixed={"beta": 0.9}), ValueError,
     r"method='gd' has no hyperparameters \['beta'\]"),
    ("grid-empty", lambda: grid_search("gd", P, {}), ValueError,
     r"grid must be a non-empty dict name -> values; got grid=\{\}"),
    ("grid-empty-axis", lambda: grid_search("gd", P, {"lr": []}), ValueError,
     r"grid\['lr'\] is empty"),
    ("grid-lr-nan", lambda: grid_search("gd", P, {"lr": [0.1, NAN]}), ValueError,
     r"grid\['lr'\] must be finite; got \[0.1, nan\]"),
    ("grid-lr-zero", lambda: grid_search("gd", P, {"lr": [0.0]}), ValueError,
     r"grid\['lr'\]: learning rates must be positive; got \[0.0\]"),
    ("grid-lr-str", lambda: grid_search("gd", P, {"lr": ["a"]}), TypeError,
     r"grid\['lr'\] must be numbers"),
    ("grid-key", lambda: grid_search("gd", P, {"l r": [0.1]}), ValueError,
     r"grid keys must be hyperparameter names \(identifiers\); got 'l r'"),
    ("grid-seed", lambda: grid_search("gd", P, {"lr": [0.1]}, seed="a"), ValueError,
     r"seed must be an integer >= 0; got seed='a'"),
    ("grid-objective", lambda: grid_search("gd", P, {"lr": [0.1]}, objective="loss"),
     ValueError, r"objective must be one of .*got objective='loss'"),
    ("grid-tol", lambda: grid_search("gd", P, {"lr": [0.1]}, objective="steps", tol=2.0),
     ValueError, r"tol must be in \(0, 1\)"),
    ("grid-x0", lambda: grid_search("gd", P, {"lr": [0.1]}, x0=[1.0]), ValueError,
     r"x0 must have shape \(2,\)"),
    ("random-space-spec", lambda: random_search("gd", P, {"lr": ("log", 1.0)}), ValueError,
     r"space\['lr'\] must be \(kind, lo, hi\)"),
    ("random-space-nan", lambda: random_search("gd", P, {"lr": ("log", NAN, 1.0)}),
     ValueError, r"space\['lr'\]: need finite lo < hi; got lo=nan"),
    ("random-space-log0", lambda: random_search("gd", P, {"lr": ("log", 0.0, 1.0)}),
     ValueError, r"space\['lr'\]: a log range must be positive; got lo=0.0"),
    ("random-n-trials", lambda: random_search("gd", P, SPACE, n_trials=2.5), ValueError,
     r"n_trials must be an integer >= 1; got n_trials=2.5"),
    ("random-seed", lambda: random_search("gd", P, SPACE, seed=-1), ValueError,
     r"seed must be an integer >= 0; got seed=-1"),
    ("bayes-space", lambda: bayes_search("gd", P, {}), ValueError,
     r"space must be a non-empty dict"),
    ("bayes-n-trials", lambda: bayes_search("gd", P, SPACE, n_trials=0), ValueError,
     r"n_trials must be an integer >= 1; got n_trials=0"),
    ("bayes-batch", lambda: bayes_search("gd", P, SPACE, batch_size=0), ValueError,
     r"batch_size must be an integer >= 1; got batch_size=0"),
    ("bayes-seed", lambda: bayes_search("gd", P, SPACE, seed=1.5), ValueError,
     r"seed must be an integer >= 0; got seed=1.5"),
    # --- lrtheory.precision.run_mp
    ("mp-method", lambda: run_mp("newtn", "x**2", [1.0]), ValueError,
     r"method='newtn' is not one of"),
    ("mp-digits", lambda: run_mp("newton", "x**2", [1.0], digits=5), ValueError,
     r"digits must be an integer >= 20; got digits=5"),
    ("mp-steps", lambda: run_mp("newton", "x**2", [1.0], steps=0), ValueError,
     r"steps must be an integer >= 1; got steps=0"),
    ("mp-x0-nan", lambda: run_mp("newton", "x**2", [NAN]), ValueError,
     r"x0 must be finite; got nan"),
    ("mp-x0-inf", lambda: run_mp("newton", "x**2", [INF]), ValueError,
     r"x0 must be finite; got inf"),
    ("mp-x0-shape", lambda: run_mp("newton", "x**2", [1.0, 2.0]), ValueError,
     r"x0 must have 1 entries \(one per variable\); got 2"),
    ("mp-x0-str", lambda: run_mp("newton", "x**2", ["abc"]), ValueError,
     r"x0 must be a number; got abc with free symbols \['abc'\]"),
    ("mp-x0-missing", lambda: run_mp("newton", "x**2"), ValueError,
     r"x0 is required when problem is an expression"),
    ("mp-x0-singular", lambda: run_mp("gd", "sqrt(x)", [0.0], lr=0.1), ValueError,
     r"f or its gradient is not real and finite at x0 .*division by zero"),
    ("mp-x0-not-real", lambda: run_mp("gd", "sqrt(x)", [-1.0], lr=0.1), ValueError,
     r"f or its gradient is not real and finite at x0"),
    ("mp-lr-neg", lambda: run_mp("gd", "x**2", [1.0], lr=-0.1), ValueError,
     r"lr at step k=0 must be a finite positive number"),
    ("mp-lr-zero", lambda: run_mp("gd", "x**2", [1.0], lr=0), ValueError,
     r"lr at step k=0 must be a finite positive number"),
    ("mp-lr-nan", lambda: run_mp("gd", "x**2", [1.0], lr=NAN), ValueError,
     r"lr must be finite; got nan"),
    ("mp-lr-missing", lambda: run_mp("gd", "x**2", [1.0]), ValueError,
     r"method='gd' needs lr"),
    ("mp-lr-symbol", lambda: run_mp("gd", "x**2", [1.0], lr="0.1*j"), ValueError,
     r"lr must be a number; got j/10 with free symbols \['j'\]"),
    ("mp-beta", lambda: run_mp("gd", "x**2", [1.0], lr=0.1, beta=0.5), ValueError,
     r"beta does not apply to method='gd'"),
    ("mp-parameter", lambda: run_mp("gd", "a*x**2", [1.0], lr=0.1, symbols=["x"]), ValueError,
     r"symbols=\['x'\] must list every free symbol of a\*x\*\*2; missing \['a'\]"),
    ("mp-scalar", lambda: run_mp("secant", "x**2 + y**2", [1.0, 1.0]), ValueError,
     r"method='secant' is for one variable"),
    ("mp-blowup", lambda: run_mp("gd", "x**2", [1.0], lr=0.1, blowup=1), ValueError,
     r"blowup must be a finite number > 1; got blowup=1"),
    ("mp-margin", lambda: run_mp("gd", "x**2", [1.0], lr=0.1, margin=300), ValueError,
     r"margin must be below digits=200; got 300"),
    ("mp-hyper-unknown", lambda: run_mp("bfgs", "x**2 + y**2", [1.0, 1.0], H0=[[1, 0]]),
     ValueError, r"H0 does not apply to method='bfgs'; it accepts \['lr', 'c'"),
    ("mp-beta-range", lambda: run_mp("heavy_ball", "x**2", [1.0], lr=0.1, beta="3/2"),
     ValueError, r"beta of method 'momentum' must satisfy 0 <= beta < 1; got beta=mpf"),
    ("mp-mode", lambda: run_mp("newton", "x**2", [1.0], mode="roots"), ValueError,
     r"mode must be one of \('minimize', 'root'\); got mode='roots'"),
    ("mp-mode-method", lambda: run_mp("gd", "x**2 - 2", [1.0], lr=0.1, mode="root"),
     ValueError, r"mode='root' does not apply to method='gd'; root finding: \['damped_newton'"),
    ("mp-root-scalar", lambda: run_mp("newton", "x*y - 1", [1.0, 1.0], mode="root"),
     ValueError, r"mode='root' is for one variable; problem has 2"),
    ("mp-x_star-str", lambda: run_mp("newton", "x**2", [1.0], x_star="log(y)"), ValueError,
     r"x_star must be a number; got log\(y\) with free symbols \['y'\]"),
    ("mp-x_star", lambda: run_mp("newton", "x**2", [1.0], x_star=[0.5]), ValueError,
     r"x_star=\[0.5\] is not near a stationary point"),
    ("mp-problem-no-expr", lambda: run_mp("newton", problems.logistic()), ValueError,
     r"problem=.* has no SymPy expression"),
    ("mp-problem-type", lambda: run_mp("newton", 3, [1.0]), TypeError,
     r"problem must be a SymPy expression or a string"),
    # --- lrtheory.theory
    ("curvature-empty", lambda: theory.curvature([]), ValueError, r"the spectrum is empty"),
    ("curvature-nan", lambda: theory.curvature([1.0, NAN]), ValueError,
     r"obj must be finite; got nan"),
    ("curvature-type", lambda: theory.curvature(3), TypeError,
     r"obj must be a Problem, an expression, a matrix or a 1-D spectrum"),
    ("curvature-parameter", lambda: theory.curvature("x**2 + a*y**2", x_star=[0, 0],
                                                     symbols=["x", "y"]),
     ValueError, r"expr has free symbols \['a'\] not among symbols=\['x', 'y'\]"),
    ("curvature-x_star-shape", lambda: theory.curvature("x**2 + y**4", x_star=[0]),
     ValueError, r"x_star must have 2 entries \(one per variable\)"),
    ("curvature-x_star-missing", lambda: theory.curvature("x**2 + y**4"), ValueError,
     r"x_star is needed"),
    ("curvature-nonsquare", lambda: theory.curvature(np.ones((2, 3))), ValueError,
     r"matrix must be square; got shape \(2, 3\)"),
    ("gd-rate-lr-neg", lambda: theory.gd_rate([1, 10], lr=-1), ValueError,
     r"lr must be > 0; got -1"),
    ("gd-rate-lr-zero", lambda: theory.gd_rate([1, 10], lr=0), ValueError,
     r"lr must be > 0; got 0"),
    ("gd-rate-lr-nan", lambda: theory.gd_rate([1, 10], lr=NAN), ValueError,
     r"lr must be finite; got nan"),
    ("gd-rate-lr-str", lambda: theory.gd_rate([1, 10], lr="abc"), ValueError,
     r"lr must be a number; got abc with free symbols \['abc'\]"),
    ("gd-rate-lr-symbol", lambda: theory.gd_rate([1, 10], lr=sp.Symbol("a")), ValueError,
     r"lr must be a number; got a with free symbols \['a'\]"),
    ("gd-limits-L", lambda: theory.gd_limits([-1, -2]), ValueError,
     r"largest Hessian eigenvalue must be > 0 .*got L=-1"),
    ("heavy-ball-beta", lambda: theory.heavy_ball_rate([1, 10], lr=0.1, beta=NAN), ValueError,
     r"beta must be finite; got nan"),
    ("heavy-ball-lr", lambda: theory.heavy_ball_rate([1, 10], lr=-0.1, beta=0.5), ValueError,
     r"lr must be > 0; got -0.1"),
    ("heavy-ball-optimal-mu", lambda: theory.heavy_ball_optimal([0, 10]), ValueError,
     r"momentum tunings need mu > 0 .*got mu=0"),
    ("nesterov-tuning", lambda: theory.nesterov_params([1, 10], tuning="fast"), ValueError,
     r"tuning must be 'standard' or 'quadratic'; got 'fast'"),
    ("newton-singular-hessian", lambda: theory.newton_rate("x**4 + y**2", x_star=[0, 0]),
     ValueError, r"the Hessian of x\*\*4 \+ y\*\*2 is singular at x_star"),
    ("newton-not-root", lambda: theory.newton_rate("x**3 - 2*x", x_star=1), ValueError,
     r"x_star=1.0* is not a root"),
    ("newton-x_star-missing", lambda: theory.newton_rate("x**3 - 2*x"), ValueError,
     r"x_star is required"),
    ("newton-lr", lambda: theory.newton_rate("exp(x) - 2*x", x_star=sp.log(2), lr=-1),
     ValueError, r"lr must be > 0; got -1"),
    ("newton-mode", lambda: theory.newton_rate("exp(x) - 2*x", x_star=sp.log(2), mode="max"),
     ValueError, r"mode must be 'minimize' .* got 'max'"),
    ("iteration-not-fixed", lambda: theory.iteration_constant("x/2 + 1", x_star=0),
     ValueError, r"x_star=0 is not a fixed point"),
    ("schedule-limit-lam", lambda: theory.schedule_limit("1/(k+1)", lam=-1), ValueError,
     r"lam must be > 0; got -1"),
    ("schedule-limit-parameter", lambda: theory.schedule_limit("a/(k+1)", lam=1), ValueError,
     r"schedule=a/\(k \+ 1\) has several free symbols"),
    ("schedule-limit-negative", lambda: theory.schedule_limit("-1 + 0*k", lam=1), ValueError,
     r"schedule=-1 must tend to a finite limit >= 0"),
    ("compare-field", lambda: theory.compare(0.5, 0.5, field="xx"), ValueError,
     r"field must be one of .*got 'xx'"),
    ("compare-rtol", lambda: theory.compare(0.5, 0.5, rtol=-1), ValueError,
     r"rtol and atol must be >= 0; got rtol=-1"),
    ("compare-estimate", lambda: theory.compare("a", 0.5), TypeError,
     r"estimate must be a float or an object with a 'rate' field"),
    ("compare-prediction-nan", lambda: theory.compare(0.5, NAN), ValueError,
     r"prediction.rate must be a finite number; got nan"),
    ("to-frame-rows", lambda: theory.to_frame([1, 2]), TypeError,
     r"rows\[0\] must be a Comparison; got int"),
    # --- lrtheory.sweep (cases not in tests/test_sweep.py)
    ("sweep-lrs-2d", lambda: _sweep(lrs=[[0.1], [0.2]]), ValueError,
     r"lrs must be a non-empty 1-D array; got shape \(2, 1\)"),
    ("sweep-lrs-inf", lambda: _sweep(lrs=[0.1, INF]), ValueError,
     r"lrs must be finite and > 0; got lrs\[1\]=.*inf"),
    ("sweep-lrs-str", lambda: _sweep(lrs=["a"]), TypeError, r"lrs must be a 1-D array"),
    ("sweep-seeds-str", lambda: _sweep(seeds="a"), TypeError,
     r"seeds must be a count >= 1 or a non-empty list of distinct ints; got seeds='a'"),
    ("sweep-seeds-neg", lambda: _sweep(seeds=[-1]), ValueError,
     r"seeds must lie in \[0, 2\*\*31\); got seeds=\[-1\]"),
    ("sweep-steps-float", lambda: _sweep(steps=2.5), ValueError,
     r"steps must be an integer >= 1; got steps=2.5"),
    ("sweep-problems", lambda: _sweep(problems="quadratic"), TypeError,
     r"problems must be a Problem or a non-empty list of Problems"),
    ("sweep-problems-empty", lambda: _sweep(problems=[]), TypeError,
     r"problems must be a Problem or a non-empty list"),
    ("sweep-hyper-reserved", lambda: _sweep(method_factory="momentum", hyper={"lr": [0.1]}),
     ValueError, r"hyper name 'lr' clashes with a table column"),
    ("sweep-hyper-nan", lambda: _sweep(method_factory="momentum", hyper={"beta": [NAN]}),
     ValueError, r"hyper\['beta'\] must be a non-empty array of finite numbers"),
    ("sweep-x0-nan", lambda: _sweep(x0=[NAN, 1.0]), ValueError, r"x0 must be finite"),
    ("sweep-x0-shape", lambda: _sweep(x0=[1.0]), ValueError,
     r"x0 must have shape \(2,\); got shape \(1,\)"),
    ("sweep-x0-word", lambda: _sweep(x0="zeros"), ValueError,
     r"x0 must be 'default', 'random' or an array; got x0='zeros'"),
    ("sweep-tol", lambda: _sweep(tol=-1.0), ValueError,
     r"tol must be a finite number >= 0; got tol=-1.0"),
    ("sweep-blowup", lambda: _sweep(blowup=0.5), ValueError,
     r"blowup must be a finite number > 1; got blowup=0.5"),
    ("sweep-memory-budget", lambda: _sweep(memory_budget=0), ValueError,
     r"memory_budget must be a positive integer \(bytes\); got memory_budget=0"),
    ("sweep-measure", lambda: _sweep(measure="xx"), ValueError,
     r"measure='xx' is not one of 'auto', 'dist', 'f', 'grad', 'step'"),
    ("sweep-schedules-type", lambda: _sweep(schedules=["cosine"]), TypeError,
     r"schedules must be None or a non-empty dict"),
    ("sweep-method-type", lambda: _sweep(method_factory=3), TypeError,
     r"method_factory must be a registry name, a callable"),
    ("sweep-method-not-applicable", lambda: _sweep(method_factory="secant"), ValueError,
     r"method 'secant' does not apply to problem"),
    # --- record_every (lrtheory._checks.check_record_every), the same in run/batched/sweep
    ("run-record-every-0", lambda: lrt.run(optax.sgd(0.1), P, 4, record_every=0),
     ValueError, r"record_every must be an integer >= 1; got record_every=0"),
    ("run-record-every-divides", lambda: lrt.run(optax.sgd(0.1), P, 10, record_every=3),
     ValueError, r"record_every must divide steps=10; got record_every=3"),
    ("run-record-every-str", lambda: lrt.run(optax.sgd(0.1), P, 4, record_every="last"),
     ValueError, r"record_every must be an integer >= 1 dividing steps or 'final'; "
                 r"got record_every='last'"),
    ("run-record-every-bool", lambda: lrt.run(optax.sgd(0.1), P, 4, record_every=True),
     ValueError, r"record_every must be an integer >= 1; got record_every=True"),
    ("sweep-record-every", lambda: _sweep(record_every=2), ValueError,
     r"record_every must divide steps=5; got record_every=2"),
]


@pytest.mark.parametrize(("call", "error", "match"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_and_names_the_argument(call, error, match):
    with pytest.raises(Exception) as info:  # noqa: B017 - the exact type is checked below
        call()
    assert info.type is error, f"{info.type.__name__}: {info.value}"
    assert info.match(match)


def test_catalogue_ids_are_unique_and_cover_every_entry_point():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    prefixes = {i.split("-")[0] for i in ids}
    for entry in ("run", "get", "problem", "quadratic", "expr", "estimate", "schedule",
                  "find", "grid", "random", "bayes", "mp", "curvature", "gd", "sweep"):
        assert entry in prefixes, entry


# ----------------------------------------------------------------- non-differentiable points
def _no_nan(traj):
    for name, v in traj._asdict().items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            assert np.all(np.isfinite(v)), name


def test_kink_with_a_finite_formula_derivative_is_an_honest_start():
    # f = |x| + y^2 is differentiated for real x: d|x|/dx = sign(x), 0 at the kink. GD with
    # lr = 1/4 from (1, 1): x drops by exactly 1/4 per step until it lands on 0 and stays
    # there (sign(0) = 0, a valid subgradient); y halves (1 - 2 lr = 1/2). Every value is
    # a dyadic rational, so the records are exact.
    p = from_expr("Abs(x) + y**2", x0=[1.0, 1.0], x_star=[0.0, 0.0])
    t = lrt.run(methods.get("gd", lr=0.25), p, steps=8)
    k = np.arange(9)
    x, y = np.maximum(1.0 - 0.25 * k, 0.0), 0.5 ** k
    np.testing.assert_array_equal(t.dist, np.sqrt(x ** 2 + y ** 2))
    np.testing.assert_array_equal(t.f, x + y ** 2)
    assert t.diverged_at == -1
    _no_nan(t)
    # the same iteration in mpmath stops at the exact hit x = 0 (y = 0 too with lr = 1/2)
    tm = run_mp("gd", "Abs(x) + y**2", [1, 1], steps=8, lr="1/2", x_star=[0, 0])
    assert [float(v) for v in tm.dist] == [2 ** 0.5, 0.5, 0.0]
    # the Hessian drops the DiracDelta of the kink: diag(0, 2), the curvature where it exists
    np.testing.assert_array_equal(p.hess(np.array([0.0, 1.0])), [[0.0, 0.0], [0.0, 2.0]])


def test_ackley_at_its_cone_minimiser_stays_or_reports_divergence():
    # Ackley is a cone at x* = 0 (tag "nonsmooth-at-min"): its formula gradient is 0 there,
    # so GD stays, and the estimator says so (exact zero error from the start). Its
    # Hessian is not finite at the cone: Newton's first step is non-finite, so the run is
    # diverged at 1 with frozen, finite records, never NaN.
    a = problems.ackley()
    assert "nonsmooth-at-min" in a.tags
    t = lrt.run(methods.get("gd", lr=0.1), a, 5, x0=a.x_star)
    np.testing.assert_array_equal(t.f, np.zeros(6))
    np.testing.assert_array_equal(t.dist, np.zeros(6))
    est = estimate_order(t)
    # (issue 13: an error that is 0 and stays 0 is finite termination, here at iterate 0)
    assert est.regime == "finite" and est.finite_at == 0
    assert "exact zero error at iterate 0" in est.reason
    tn = lrt.run(methods.get("newton"), a, 5, x0=a.x_star)
    assert tn.diverged_at == 1
    _no_nan(tn)


def test_batched_tools_report_a_singular_start_as_diverged_without_nan():
    # sqrt(x) at 0: f = 0 but f' = inf, so the first step is non-finite: diverged at 1.
    p = from_expr("sqrt(x) + y**2", x0=[0.0, 1.0])
    res = grid_search("gd", p, {"lr": [0.1, 0.2]}, steps=10)
    assert res.table.status.tolist() == ["diverged", "diverged"]
    assert res.table.diverged_at.tolist() == [1, 1] and res.best is None
    assert res.table.value.isna().all()
    t = _sweep(problems=p, lrs=[0.1, 0.2], steps=10)
    assert t.status.tolist() == ["diverged"] * 2 and t.diverged_at.tolist() == [1, 1]
    _assert_table_has_no_nan(t)


# ------------------------------------------------------------------ sweep cache (see note)
CACHE_KW = dict(method_factory="gd", problems=quadratic(dim=5, cond=10.0, seed=0),
                lrs=np.linspace(0.01, 0.5, 12), steps=60, chunk_size=4, progress=False)


@pytest.fixture(scope="module")
def baseline():
    return sweep(**CACHE_KW)


def test_cache_dir_that_cannot_be_created(tmp_path, baseline):
    # Corrupt, truncated and foreign cache files, a read-only directory, a directory that is
    # a file, failures and a SIGKILL mid-sweep are covered by tests/test_sweep_resume.py.
    # Missing there: a cache directory that cannot even be created (its parent is a file):
    # a CacheWarning naming it, and the sweep runs uncached.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.warns(CacheWarning, match=r"cache_dir=.*file/sub' is not writable"):
        t = sweep(**CACHE_KW, cache_dir=blocker / "sub")
    pd.testing.assert_frame_equal(t, baseline, check_exact=True)


# ------------------------------------------------------- no NaN in any table the toolkit writes
def _assert_table_has_no_nan(table):
    for name, col in table.items():
        if isinstance(col.dtype, (pd.Float64Dtype, pd.Int64Dtype)):
            assert np.all(np.isfinite(col.to_numpy(dtype=float, na_value=0.0))), name
        elif col.dtype.kind in "fc":  # plain numpy numbers (the searched hyperparameters)
            assert np.all(np.isfinite(col.to_numpy())), name
        elif col.dtype == object:  # tuples (cycle, rate_limits) or None
            for v in col:
                assert v is None or np.all(np.isfinite(np.asarray(v, float))), name


def _gd_diverged_at(A, x0, lr, steps, blowup=1e8):
    """First k with ||x_k|| > blowup * max(1, ||x0||) (x* = 0), -1 if none: numpy loop."""
    x, bound = np.array(x0, float), blowup * max(1.0, np.linalg.norm(x0))
    for k in range(1, steps + 1):
        x = x - lr * (A @ x)
        if np.linalg.norm(x) > bound:
            return k
    return -1


def test_sweep_with_diverging_learning_rates_has_no_nan(baseline):
    # quadratic(dim=5, cond=10): eigenvalues 1..10, L = 10, so 2/L = 0.2; lrs 0.01..0.5.
    p, lrs = CACHE_KW["problems"], CACHE_KW["lrs"]
    want = [_gd_diverged_at(p.data["A"], p.x0, lr, 60) for lr in lrs]
    # six of the seven lrs above 0.2 leave the bound within 60 steps; lr = 0.2327 (factor
    # 1.327) would need 68: that run is "ok" (bounded) but its regime says "diverged"
    assert [w > 0 for w in want] == [False] * 6 + [True] * 6
    assert baseline.status.tolist() == ["diverged" if w > 0 else "ok" for w in want]
    assert [None if v is pd.NA else v for v in baseline.diverged_at] == \
        [w if w > 0 else None for w in want]
    above, gone = lrs > 0.2, np.array(want) > 0
    assert (baseline.regime[above] == "diverged").all()
    assert baseline.final_f[gone].isna().all() and baseline.final_f[~gone].notna().all()
    # growth is the top mode's factor |1 - 10 lr|; slower modes shift the tail slope by
    # far less than 5 % (worst: lr = 0.5, factor ratio 2.875/4 over >= 10 iterates)
    growth = baseline.growth[above].to_numpy(float)
    np.testing.assert_allclose(growth, 10 * lrs[above] - 1, rtol=0.05)
    _assert_table_has_no_nan(baseline)


def test_grid_search_and_find_lr_with_diverging_learning_rates_have_no_nan():
    p, lrs = CACHE_KW["problems"], CACHE_KW["lrs"]
    res = grid_search("gd", p, {"lr": lrs}, steps=60, objective="rate")
    above = lrs > 0.2
    assert (res.table.status[above] == "diverged").all()
    assert res.table.value[above].isna().all()
    # below 2/L the value is GD's linear rate max|1 - lr lambda| over the spectrum (the top
    # and bottom modes); 1e-3 covers the slower mode's share of the fitted envelope. lr =
    # 0.01 contracts by 0.99^60 = 0.55 only: not called linear, so no value.
    ev = p.data["eigenvalues"]
    ok = (res.table.status == "ok").to_numpy()
    assert ok.tolist() == [False] + [True] * 4 + [False] * 7
    want = [np.max(np.abs(1 - lr * ev)) for lr in lrs[ok]]
    np.testing.assert_allclose(res.table.value[ok].to_numpy(float), want, rtol=1e-3)
    assert res.best["lr"] == lrs[3]  # 0.1436: rate 0.856 < 0.882 at lr = 0.1882
    _assert_table_has_no_nan(res.table)
    f = find_lr("gd", p, lr_min=1e-3, lr_max=10.0, steps=80)
    for name in ("lrs", "loss", "smoothed"):
        assert np.all(np.isfinite(getattr(f, name))), name
    # the ramp passes 2/L = 0.2: the run leaves the bound, the finder stops there
    assert f.diverged_at[0] >= 0 and f.lr_diverged > 0.2
    for s in (f.steep, f.valley, f.minimum):
        assert all(np.isfinite(v) for v in (s.lr, s.lo, s.hi, s.ratio_opt, s.ratio_stable))
    frame = f.to_frame()
    assert all(frame[c].dtype.kind != "f" or np.isfinite(frame[c]).all() for c in frame)


def test_sweep_checks_every_hyperparameter_value():
    # Heavy ball needs 0 <= beta < 1 (MethodSpec range); the bad value is the second of
    # the grid, so a check of the first value alone would let it through.
    with pytest.raises(ValueError, match=r"beta.*0 <= beta < 1.*1\.5"):
        lrt.sweep("momentum", lrt.problems.get("quadratic"), lrs=[0.1],
                  hyper={"beta": [0.5, 1.5]}, steps=10)


# ------------------------------------------------------- one rule per check (lrtheory._checks)
SAME_RULE = {
    # every entry point that takes `steps`, `seeds` or `blowup` gives the same message
    "steps=0": ("steps must be an integer >= 1; got steps=0", [
        lambda: lrt.run(optax.sgd(0.1), P, 0),
        lambda: _sweep(steps=0),
        lambda: run_mp("gd", "x**2", [1.0], steps=0, lr=0.1),
        lambda: sys.modules["lrtheory.run"].batched(lambda lr: optax.sgd(lr), P, 0),
    ]),
    "seeds=0": ("seeds must be a count >= 1 or a non-empty list of distinct ints; got seeds=0", [
        lambda: _sweep(seeds=0),
        lambda: find_lr("gd", P, seeds=0),
    ]),
    "seeds dup": ("seeds must be distinct; got seeds=[2, 2]", [
        lambda: _sweep(seeds=[2, 2]),
        lambda: find_lr("gd", P, seeds=[2, 2]),
    ]),
    "blowup=0.5": ("blowup must be a finite number > 1; got blowup=0.5", [
        lambda: lrt.run(optax.sgd(0.1), P, 3, blowup=0.5),
        lambda: _sweep(blowup=0.5),
        lambda: run_mp("gd", "x**2", [1.0], lr=0.1, blowup=0.5),
    ]),
}


@pytest.mark.parametrize("case", list(SAME_RULE))
def test_each_check_has_one_rule_and_one_message_everywhere(case):
    message, calls = SAME_RULE[case]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == message


def test_huge_steps_fail_before_anything_is_traced(monkeypatch):
    # 10**12 steps of a 2-D run: 3 copies x (10**12 + 1) records x 5 numbers x 8 bytes
    # = 1.2e14 bytes = 111,758.7 GiB, far above half of any machine's memory. The check must
    # come before tracing: scan_trajectory (what would allocate the records) is replaced
    # by a function that fails the test if it is ever called.
    run_module = sys.modules["lrtheory.run"]

    def must_not_run(*a, **k):
        raise AssertionError("scan_trajectory was reached: the memory check came too late")

    monkeypatch.setattr(run_module, "scan_trajectory", must_not_run)
    with pytest.raises(ValueError, match=r"steps=1000000000000 with record_every=1 .*"
                                         r"111,758\.7 GiB.*record_every='final'"):
        lrt.run(optax.sgd(0.1), P, steps=10**12)
    # The suggestion works: recording only the end needs 3 x 2 records x 5 x 8 = 240 bytes;
    # it passes the check and reaches the (replaced) scan.
    with pytest.raises(AssertionError, match="too late"):
        lrt.run(optax.sgd(0.1), P, steps=10**12, record_every="final")

