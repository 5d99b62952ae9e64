r"""The registered methods: one :class:`MethodSpec` each, built by keyword.

Notation: :math:`g_k = \nabla f(x_k)` (minimisation) or the given function (root finding),
:math:`H = \nabla^2 f`, ``lr`` the learning rate :math:`\alpha_k` at step ``k`` (a schedule
is evaluated at ``k``); vector operations of the adaptive methods act per coordinate.
Each summary states what both steps compute, checked step by step in ``tests/test_methods.py``.
"""

from __future__ import annotations

import optax

from . import _jax_steps as J
from . import _mp_steps as M
from . import _theory as T
from ._spec import Hyper, MethodSpec

__all__ = ["SPECS"]


def _unit(name, default, doc, *, low_open=False):
    """A hyperparameter in [0, 1) (or (0, 1) with ``low_open``)."""
    return Hyper(name=name, default=default, doc=doc, low=0, high=1, low_open=low_open,
                 high_open=True)


def _positive(name, default, doc):
    return Hyper(name=name, default=default, doc=doc, low=0, low_open=True)


BETA = _unit("beta", 0.9, "momentum")
ARMIJO = (
    Hyper(name="c", default=1e-4, doc="sufficient-decrease constant", low=0, high=1,
          low_open=True, high_open=True),
    Hyper(name="rho", default=0.5, doc="shrink factor of the trial step", low=0, high=1,
          low_open=True, high_open=True),
    Hyper(name="max_backtracks", default=40, doc="most shrinks", low=0, integer=True),
)
ARMIJO_RULE = (r"the Armijo step from lr: t_k = lr \rho^i for the first i = 0, 1, ... < "
               r"max_backtracks with f(x_k + t d_k) <= f(x_k) + c t g_k.d_k, else lr "
               r"\rho^{max_backtracks}; a trial point where f is not finite fails the test")
#: What the three backtracking methods share: the search's hyperparameters, and lr as the
#: initial trial step of every search (default 1).
ARMIJO_SEARCH = {"hyper": ARMIJO, "lr_required": False, "lr_doc": "initial trial step"}
NW = "Nocedal & Wright (2006), Numerical Optimization, 2nd ed."

SPECS: tuple[MethodSpec, ...] = (
    MethodSpec(
        name="gd",
        summary="Gradient descent: x_{k+1} = x_k - lr g_k (optax.sgd).",
        conventions="records x_k",
        references="Cauchy (1847)",
        optax=optax.sgd, mp_step=M.gd, theory=T.GD),
    MethodSpec(
        name="gd_armijo",
        summary="Gradient descent with backtracking: x_{k+1} = x_k - t_k g_k, t_k " + ARMIJO_RULE
                + " (d_k = -g_k, g_k.d_k = -|g_k|^2).",
        conventions="records x_k; lr is the initial trial step of every search (default 1)",
        references=NW + ", Alg. 3.1",
        **ARMIJO_SEARCH, jax=J.gd_armijo, mp_step=M.gd_armijo, theory=T.GD_ARMIJO),
    MethodSpec(
        name="momentum", aliases=("heavy_ball",),
        summary="Heavy ball in optax's form: v_{k+1} = g_k + beta v_k, x_{k+1} = x_k - lr "
                "v_{k+1}, v_0 = 0 (optax.sgd(lr, momentum=beta)).",
        conventions="records x_k; with a constant lr it is Polyak's x_{k+1} = x_k - lr g_k + "
                    "beta (x_k - x_{k-1}), x_{-1} = x_0 (a schedule scales the whole v)",
        references="Polyak (1964)",
        hyper=(BETA,), optax=lambda lr, beta: optax.sgd(lr, momentum=beta),
        mp_init=M._zeros, mp_step=M.momentum, memory=True, theory=T.HEAVY_BALL),
    MethodSpec(
        name="nesterov",
        summary="Nesterov momentum in optax's form: v_{k+1} = g_k + beta v_k, x_{k+1} = x_k - "
                "lr (g_k + beta v_{k+1}), v_0 = 0 (optax.sgd(lr, momentum=beta, nesterov=True)).",
        conventions="records optax's iterate, which is the look-ahead point y_k of the "
                    "form y_k = z_k + beta (z_k - z_{k-1}), z_{k+1} = y_k - lr g(y_k), "
                    "z_{-1} = z_0 (Sutskever et al. 2013), not z_k",
        references="Nesterov (1983); Sutskever et al. (2013)",
        hyper=(BETA,), optax=lambda lr, beta: optax.sgd(lr, momentum=beta, nesterov=True),
        mp_init=M._zeros, mp_step=M.nesterov, memory=True, theory=T.NESTEROV),
    MethodSpec(
        name="adagrad",
        summary="Adagrad: s_{k+1} = s_k + g_k^2, x_{k+1} = x_k - lr g_k / sqrt(s_{k+1} + eps) "
                "(0 where s_{k+1} = 0), s_0 = initial_accumulator_value (optax.adagrad).",
        conventions="eps inside the square root; s_0 = 0.1 by default (optax), not 0",
        references="Duchi, Hazan & Singer (2011)",
        hyper=(Hyper(name="initial_accumulator_value", default=0.1, doc="s_0", low=0),
               _positive("eps", 1e-7, "added to s inside the square root")),
        optax=optax.adagrad, mp_init=M.adagrad_init, mp_step=M.adagrad),
    MethodSpec(
        name="adadelta",
        summary="Adadelta: s_{k+1} = rho s_k + (1 - rho) g_k^2, u_k = sqrt(d_k + eps) / "
                "sqrt(s_{k+1} + eps) g_k, d_{k+1} = rho d_k + (1 - rho) u_k^2, x_{k+1} = x_k "
                "- lr u_k, s_0 = d_0 = 0 (optax.adadelta).",
        conventions="lr = 1 by default (Zeiler's method has no learning rate)",
        references="Zeiler (2012)",
        hyper=(_unit("rho", 0.9, "decay of both running means"),
               _positive("eps", 1e-6, "added inside both square roots")),
        lr_required=False, lr_doc="scale of the update (Zeiler: 1)",
        optax=optax.adadelta, mp_init=M.adadelta_init, mp_step=M.adadelta),
    MethodSpec(
        name="rmsprop",
        summary="RMSprop: s_{k+1} = decay s_k + (1 - decay) g_k^2, x_{k+1} = x_k - lr g_k / "
                "sqrt(s_{k+1} + eps), s_0 = 0 (optax.rmsprop).",
        conventions="eps inside the square root; no bias correction, no momentum",
        references="Tieleman & Hinton (2012)",
        hyper=(_unit("decay", 0.9, "decay of the running mean of g^2"),
               _positive("eps", 1e-8, "added to s inside the square root")),
        optax=optax.rmsprop, mp_init=M._zeros, mp_step=M.rmsprop),
    MethodSpec(
        name="adam",
        summary="Adam: m_{k+1} = b1 m_k + (1 - b1) g_k, v_{k+1} = b2 v_k + (1 - b2) g_k^2, "
                "x_{k+1} = x_k - lr m^ / (sqrt(v^) + eps) with m^ = m_{k+1} / (1 - b1^{k+1}), "
                "v^ = v_{k+1} / (1 - b2^{k+1}), m_0 = v_0 = 0 (optax.adam).",
        conventions="bias-corrected; eps outside the square root (eps_root = 0)",
        references="Kingma & Ba (2015)",
        hyper=(_unit("b1", 0.9, "decay of the first moment"),
               _unit("b2", 0.999, "decay of the second moment"),
               _positive("eps", 1e-8, "added to sqrt(v^)")),
        optax=optax.adam, mp_init=M.adam_init, mp_step=M.adam, memory=True),
    MethodSpec(
        name="newton",
        summary="Newton's method: x_{k+1} = x_k - lr H(x_k)^{-1} g_k, lr = 1 by default.",
        conventions="a singular H gives a non-finite step: the run is marked diverged",
        references=NW + ", sec. 3.3; Traub (1964)",
        lr_required=False, lr_doc="damping (1: Newton)", needs=frozenset({"hess"}),
        modes=frozenset({"minimize", "root"}), jax=J.newton, mp_step=M.newton,
        theory=T.NEWTON),
    MethodSpec(
        name="damped_newton",
        summary="Damped Newton with a fixed step: x_{k+1} = x_k - lr H(x_k)^{-1} g_k "
                "(linear with rate |1 - lr| near a nondegenerate minimum).",
        conventions="as newton, with lr required",
        references=NW + ", sec. 3.3",
        needs=frozenset({"hess"}), modes=frozenset({"minimize", "root"}), jax=J.newton,
        mp_step=M.newton, theory=T.NEWTON),
    MethodSpec(
        name="newton_armijo",
        summary="Newton with backtracking: d_k = -H(x_k)^{-1} g_k (-g_k when g_k.d_k >= 0 or "
                "the solve fails), x_{k+1} = x_k + t_k d_k, t_k " + ARMIJO_RULE + ".",
        conventions="records x_k; lr is the initial trial step (1: unit Newton steps near x*)",
        references=NW + ", Alg. 3.1 and Thm 3.6",
        **ARMIJO_SEARCH, needs=frozenset({"hess"}), jax=J.newton_armijo,
        mp_step=M.newton_armijo, theory=T.NEWTON_ARMIJO),
    MethodSpec(
        name="bfgs",
        summary="BFGS on the inverse Hessian: d_k = -H_k g_k (-g_k if not a descent "
                "direction), x_{k+1} = x_k + t_k d_k, t_k " + ARMIJO_RULE + "; with s = "
                "x_{k+1} - x_k, y = g_{k+1} - g_k: if s.y > 0, H_0 := (s.y / y.y) I at k = 0, "
                "then H_{k+1} = (I - s y^T / s.y) H_k (I - y s^T / s.y) + s s^T / s.y; else "
                "H_{k+1} = H_k. H_0 = I.",
        conventions="H0 rescaled by s.y / y.y before the first update (Nocedal & Wright "
                    "6.20); Armijo line search from lr; update skipped unless s.y > 0",
        references=NW + ", Alg. 6.1; Dennis & More (1977)",
        **ARMIJO_SEARCH, needs=frozenset({"dense"}), jax=J.bfgs, mp_init=M.bfgs_init,
        mp_step=M.bfgs, theory=T.BFGS),
    MethodSpec(
        name="exact_line_search",
        summary="Steepest descent with the exact step on a quadratic: x_{k+1} = x_k - a_k "
                "g_k, a_k = g_k.g_k / g_k.H g_k (0 if g_k.H g_k <= 0).",
        conventions="lr is not used; linear, rate at most (kappa-1)/(kappa+1) in f",
        references="Cauchy (1847); " + NW + ", sec. 3.3",
        lr_required=False, lr_doc="not used", needs=frozenset({"hess", "quadratic"}),
        jax=J.exact_line_search, mp_step=M.exact_line_search, theory=T.EXACT_LINE_SEARCH),
    MethodSpec(
        name="secant",
        summary="Secant method (one variable): x_{k+1} = x_k - lr g_k (x_k - x_{k-1}) / (g_k "
                "- g_{k-1}), x_{-1} = x_0 + h (1 + |x_0|); x stays where g_k = g_{k-1}.",
        conventions="g = f' (minimise) or the given function (root); the second start from h",
        references="Traub (1964); order (1 + sqrt 5)/2",
        hyper=(_positive("h", 1e-2, "offset of the second start"),),
        lr_required=False, lr_doc="damping (1: secant)", needs=frozenset({"scalar"}),
        modes=frozenset({"minimize", "root"}), jax=J.secant, mp_init=M.secant_init,
        mp_step=M.secant, theory=T.SECANT),
    MethodSpec(
        name="halley",
        summary="Halley's method (one variable): x_{k+1} = x_k - lr 2 g g' / (2 g'^2 - g g''); "
                "no step where 2 g'^2 - g g'' = 0.",
        conventions="g = f' (minimise, so it uses f'' and f''') or the given function (root)",
        references="Traub (1964); order 3",
        lr_required=False, lr_doc="damping (1: Halley)", needs=frozenset({"scalar", "hess"}),
        modes=frozenset({"minimize", "root"}), jax=J.halley, mp_step=M.halley,
        theory=T.HALLEY),
)
