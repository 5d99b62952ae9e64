"""Shared pieces of the tuning package: argument checks, method resolution, theory marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .. import methods
from .._checks import check_count, check_positive, check_seeds, check_steps
from ..problems import Problem

__all__ = ["check_steps", "check_count", "check_positive", "method_label", "resolve_factory",
           "theory_of", "Theory", "check_seeds"]


def check_problem(problem) -> Problem:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a lrtheory Problem; got {type(problem).__name__}")
    return problem


def method_label(method) -> str:
    if isinstance(method, str):
        return method
    return getattr(method, "__name__", type(method).__name__)


def resolve_factory(method, hyper_names, fixed: Mapping[str, Any] | None,
                    name: str = "method") -> Callable[..., Any]:
    """``method`` (a registry name or a callable ``(**hyper) -> method``) -> a factory.

    For a registry name every searched or fixed hyperparameter must be ``lr`` or one of
    the method's defaults (:func:`lrtheory.methods.info`), else ``ValueError``.
    """
    fixed = dict(fixed or {})
    clash = set(fixed) & set(hyper_names)
    if clash:
        raise ValueError(f"fixed hyperparameters {sorted(clash)} are also searched")
    if isinstance(method, str):
        meta = methods.info(method)  # ValueError naming the unknown method
        allowed = {"lr"} | set(meta.defaults)
        unknown = (set(hyper_names) | set(fixed)) - allowed
        if unknown:
            raise ValueError(f"{name}={method!r} has no hyperparameters {sorted(unknown)}; "
                             f"allowed: {sorted(allowed)}")

        def build(**hyper):
            return methods.get(method, **fixed, **hyper)

        return build
    if not callable(method):
        raise TypeError(f"{name} must be a registry name (one of {methods.names()}) or a "
                        f"callable building a method; got {type(method).__name__}")
    if fixed:
        return lambda **hyper: method(**fixed, **hyper)
    return method


class Theory(NamedTuple):
    """Curvature constants of a problem at its minimiser, for the theory marks."""

    L: float | None
    mu: float | None

    @property
    def lr_stable(self) -> float | None:
        """Gradient descent's stability limit :math:`2/L`."""
        return None if self.L is None else 2.0 / self.L

    @property
    def lr_opt(self) -> float | None:
        """Gradient descent's best constant step :math:`2/(L+\\mu)`."""
        return None if self.L is None or self.mu is None else 2.0 / (self.L + self.mu)


def theory_of(problem: Problem, L=None, mu=None, *, max_dim: int = 2) -> Theory:
    """``L`` and ``mu`` given, else from :func:`lrtheory.theory.curvature` where it is cheap.

    Cheap means: the problem stores its spectrum (``data["eigenvalues"]``: quadratics,
    least squares), or it has a SymPy expression, a known ``x_star`` and ``dim <=
    max_dim``. Otherwise the theory is unknown (``Theory(None, None)``).
    """
    if L is not None or mu is not None:
        Lv = None if L is None else check_positive(L, "L")
        muv = None if mu is None else check_positive(mu, "mu")
        if Lv is not None and muv is not None and muv > Lv:
            raise ValueError(f"mu must be <= L; got mu={mu!r}, L={L!r}")
        return Theory(Lv, muv)
    cheap = "eigenvalues" in problem.data or (
        problem.expr_fn is not None and problem.x_star is not None and problem.dim <= max_dim)
    if not cheap:
        return Theory(None, None)
    from ..theory import curvature

    c = curvature(problem)
    if not (c.L > 0 and c.mu > 0):  # not a strict minimum: GD's landmarks do not apply
        return Theory(None, None)
    return Theory(float(c.L), float(c.mu))
