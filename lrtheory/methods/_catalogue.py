r"""The registered methods: the data of ``methods.toml`` joined to each method's code.

What the library says about a method that is data (the update rule exactly as computed,
its conventions and references, what ``lr`` means, what it needs of a problem, its
hyperparameters with defaults and ranges) lives in ``methods.toml`` next to this module,
one table per method in registry order; what several methods share (the Armijo search and
its rule, momentum's beta, the eps inside a square root, Nocedal & Wright) is written once
in its ``[shared]`` table. A method's code (an optax builder or a JAX step, its mpmath step,
its theory hook) is :data:`_CODE` below, under the same name. :data:`SPECS` joins the two
once, at import, into one :class:`MethodSpec` each, built by keyword; every key and type of
the file is checked against :class:`MethodSpec` and :class:`Hyper`, and a method with data
but no code, or code but no data, is an error.

Notation of the summaries: :math:`g_k = \nabla f(x_k)` (minimisation) or the given
function (root finding), :math:`H = \nabla^2 f`, ``lr`` the learning rate
:math:`\alpha_k` at step ``k`` (a schedule is evaluated at ``k``); vector operations of the
adaptive methods act per coordinate. Each summary states what both steps compute, checked
step by step in ``tests/test_methods.py``.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, fields, is_dataclass
from importlib import resources
from string import Template
from typing import get_args, get_origin, get_type_hints

import optax

from . import _jax_steps as J
from . import _mp_steps as M
from . import _theory as T
from ._spec import MethodSpec

__all__ = ["SPECS"]

_TABLE = "methods.toml"

#: The fields of a :class:`MethodSpec` that are code: given by :data:`_CODE`, never by the
#: file.
_CODE_FIELDS = frozenset({"optax", "jax", "mp_init", "mp_step", "theory"})

#: Each method's code, by name: its JAX step (``optax=`` an optax builder, or ``jax=`` a
#: step written here), its mpmath step (after ``mp_init`` where it carries a state) and the
#: theory that predicts it.
_CODE = {
    "gd": dict(optax=optax.sgd, mp_step=M.gd, theory=T.GD),
    "gd_armijo": dict(jax=J.gd_armijo, mp_step=M.gd_armijo, theory=T.GD_ARMIJO),
    "momentum": dict(optax=lambda lr, beta: optax.sgd(lr, momentum=beta),
                     mp_init=M._zeros, mp_step=M.momentum, theory=T.HEAVY_BALL),
    "nesterov": dict(optax=lambda lr, beta: optax.sgd(lr, momentum=beta, nesterov=True),
                     mp_init=M._zeros, mp_step=M.nesterov, theory=T.NESTEROV),
    "adagrad": dict(optax=optax.adagrad, mp_init=M.adagrad_init, mp_step=M.adagrad),
    "adadelta": dict(optax=optax.adadelta, mp_init=M.adadelta_init, mp_step=M.adadelta),
    "rmsprop": dict(optax=optax.rmsprop, mp_init=M._zeros, mp_step=M.rmsprop),
    "adam": dict(optax=optax.adam, mp_init=M.adam_init, mp_step=M.adam),
    "newton": dict(jax=J.newton, mp_step=M.newton, theory=T.NEWTON),
    "damped_newton": dict(jax=J.newton, mp_step=M.newton, theory=T.NEWTON),
    "newton_armijo": dict(jax=J.newton_armijo, mp_step=M.newton_armijo,
                          theory=T.NEWTON_ARMIJO),
    "bfgs": dict(jax=J.bfgs, mp_init=M.bfgs_init, mp_step=M.bfgs, theory=T.BFGS),
    "exact_line_search": dict(jax=J.exact_line_search, mp_step=M.exact_line_search,
                              theory=T.EXACT_LINE_SEARCH),
    "secant": dict(jax=J.secant, mp_init=M.secant_init, mp_step=M.secant, theory=T.SECANT),
    "halley": dict(jax=J.halley, mp_step=M.halley, theory=T.HALLEY),
}


def _expand(value, where: str, shared: dict, used: set):
    """``value`` (read from the file at ``where``) with the ``[shared]`` pieces put in: a
    table with ``use = "NAME"`` takes the keys of the table ``NAME`` it does not set, and
    ``${NAME}`` in a string stands for the text ``NAME``; each NAME put in is added to
    ``used``."""
    if isinstance(value, dict):
        if "use" in value:
            base = shared.get(value["use"])
            if not isinstance(base, dict):
                tables = [k for k, v in shared.items() if isinstance(v, dict)]
                raise RuntimeError(f"{_TABLE}: {where}: use = {value['use']!r} names no "
                                   f"table of [shared]; its tables: {tables}")
            used.add(value["use"])
            value = {**base, **{k: v for k, v in value.items() if k != "use"}}
        return {k: _expand(v, f"{where}, {k}", shared, used) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", shared, used) for i, v in enumerate(value)]
    if isinstance(value, str):
        texts = {k: v for k, v in shared.items() if isinstance(v, str)}
        template = Template(value)
        try:
            out = template.substitute(texts)
        except (KeyError, ValueError) as e:
            raise RuntimeError(f"{_TABLE}: {where}: a '$' must begin ${{NAME}} for a text "
                               f"NAME of [shared] ({sorted(texts)}); got {e}") from None
        used.update(template.get_identifiers())
        return out
    return value


def _record(cls, table, where: str, **given):
    """``cls(**given, **table)``, where ``table`` may set every field of ``cls`` but the
    code fields and ``given``, and must set those without a default; each value is checked
    against the field's type (a TOML array becomes the declared tuple or frozenset, a
    table the declared dataclass)."""
    if not isinstance(table, dict):
        raise TypeError(f"{_TABLE}: {where} must be a table; got {table!r}")
    allowed = {f.name: f for f in fields(cls) if f.name not in _CODE_FIELDS | given.keys()}
    unknown = [k for k in table if k not in allowed]
    if unknown:
        raise RuntimeError(f"{_TABLE}: {where}: unknown key {unknown[0]!r}; the keys of a "
                           f"{cls.__name__} are {list(allowed)}")
    missing = [k for k, f in allowed.items() if f.default is MISSING and k not in table]
    if missing:
        raise RuntimeError(f"{_TABLE}: {where}: missing key(s) {missing}")
    types = get_type_hints(cls)
    return cls(**given, **{k: _value(types[k], v, f"{where}, {k}") for k, v in table.items()})


def _value(tp, value, where: str):
    """``value`` as the field type ``tp`` (``float`` takes an integer too), else
    ``TypeError`` naming ``where``."""
    if is_dataclass(tp):
        return _record(tp, value, where)
    container = get_origin(tp)
    if container in (tuple, frozenset):
        if type(value) is not list:
            raise TypeError(f"{_TABLE}: {where} must be an array; got {value!r}")
        return container(_value(get_args(tp)[0], v, f"{where}[{i}]")
                         for i, v in enumerate(value))
    if type(value) not in ((int, float) if tp is float else (tp,)):
        kind = "a number" if tp is float else tp.__name__
        raise TypeError(f"{_TABLE}: {where} must be {kind}; got {value!r}")
    return value


def _specs(table: dict) -> tuple[MethodSpec, ...]:
    """One :class:`MethodSpec` per method of ``table`` (the file, read), in its order."""
    shared = table.get("shared", {})
    data = {k: v for k, v in table.items() if k != "shared"}
    no_code, no_data = [n for n in data if n not in _CODE], [n for n in _CODE if n not in data]
    if no_code or no_data:
        raise RuntimeError(f"{_TABLE} and _catalogue._CODE must name the same methods; "
                           f"without code: {no_code}, without data: {no_data}")
    used: set[str] = set()
    specs = tuple(_record(MethodSpec, _expand(t, f"method {n!r}", shared, used),
                          f"method {n!r}", name=n, **_CODE[n])
                  for n, t in data.items())
    unused = sorted(set(shared) - used)
    if unused:
        raise RuntimeError(f"{_TABLE}: [shared] entries no method uses: {unused} (remove "
                           "them, or refer to them with use = \"NAME\" or ${NAME})")
    return specs


SPECS: tuple[MethodSpec, ...] = _specs(
    tomllib.loads(resources.files(__package__).joinpath(_TABLE).read_text(encoding="utf-8")))
