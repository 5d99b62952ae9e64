"""The one formula parser, and the one reading of a number or a point, for every layer.

SymPy only (no JAX), so problems, theory, precision and the CLI share it. A formula is
text such as ``"x1^2 + 3 x2"`` or ``"exp(x) - 2x"``:

- ``^`` is a power, implicit products are allowed (``"3 y"``, ``"2x"``, ``"sin x"``),
  names with digits stay whole (``x1`` is one variable, ``xy`` is one variable);
- the functions are a fixed list (:data:`FUNCTIONS`); any other name followed by
  ``(`` is an error naming it (``"foo(x)"``, ``"exo(x)"``, ``"x(y + 1)"``), never a
  silent undefined function; every other name is a variable (``gamma``, ``beta``,
  ``lr0`` are variables, not SymPy's special functions);
- the text is evaluated in that namespace only, without Python builtins, attribute
  access or dunder names.

A number is an int, float, Fraction, NumPy scalar, SymPy number or a formula without
variables (``"log(2)"``). A float is read as the simplest fraction with a denominator up
to :data:`MAX_DENOMINATOR` that rounds to the same float (``1/3`` for
``0.3333333333333333``, ``2/11`` for ``2/11``), else as its shortest decimal
(``0.1`` -> ``1/10``): the number the user meant whenever that is a small fraction,
and always a number within half a unit in the last place of the float given.
"""

from __future__ import annotations

import fractions
import math
import numbers
import re

import numpy as np
import sympy as sp

__all__ = ["FUNCTIONS", "MAX_DENOMINATOR", "parse", "natural_key", "variables", "number",
           "point"]

#: Functions and constants a formula may use (name -> SymPy object).
FUNCTIONS: dict[str, object] = {
    **{f.__name__: f for f in (
        sp.exp, sp.log, sp.sqrt, sp.cbrt, sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc,
        sp.asin, sp.acos, sp.atan, sp.atan2, sp.acot, sp.sinh, sp.cosh, sp.tanh, sp.coth,
        sp.asinh, sp.acosh, sp.atanh, sp.Abs, sp.sign, sp.Min, sp.Max, sp.floor,
        sp.ceiling, sp.Mod, sp.erf, sp.erfc, sp.Heaviside, sp.Piecewise)},
    "ln": sp.log, "abs": sp.Abs, "min": sp.Min, "max": sp.Max, "ceil": sp.ceiling,
    "pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo,
}

#: Largest denominator tried when a float is read as a fraction.
MAX_DENOMINATOR = 10**6

# Characters a formula may contain (the text is eval'ed by SymPy's parser).
_SAFE = re.compile(r"^[A-Za-z0-9_+\-*/^(). ,\[\]<>=]*$")
_ATTRIBUTE = re.compile(r"[A-Za-z_)\]]\s*\.\s*[A-Za-z_]")


def _namespace() -> dict:
    # The names SymPy's transformations emit, the allowed functions, and no builtins.
    return {"__builtins__": {}, "Integer": sp.Integer, "Float": sp.Float,
            "Rational": sp.Rational, "Symbol": sp.Symbol, "Function": sp.Function,
            **FUNCTIONS}


def parse(expr, name: str = "expr") -> sp.Expr:
    """A SymPy expression from a formula string (or an expression, checked and returned).

    Args:
      expr: a formula (see the module docstring) or a SymPy expression.
      name: the argument's name, used in error messages.

    Raises:
      TypeError: ``expr`` is neither a string nor a SymPy expression.
      ValueError: unsafe characters, a syntax error, an unknown function (named), or a
        result that is not a scalar expression.

    Example:
      >>> parse("x1^2 + 3 x2"), parse("2x + sin x"), parse("gamma**k")
      (x1**2 + 3*x2, 2*x + sin(x), gamma**k)
      >>> parse("exo(x)")  # doctest: +ELLIPSIS
      Traceback (most recent call last):
      ...
      ValueError: expr='exo(x)' uses the unknown function 'exo' (write exo*(...) for a ...
    """
    if isinstance(expr, sp.Basic):
        out = expr
    elif isinstance(expr, str):
        out = _parse_text(expr, name)
    else:
        raise TypeError(f"{name} must be a SymPy expression or a string (a formula); got "
                        f"{type(expr).__name__} {expr!r}")
    if isinstance(out, sp.Basic):
        undefined = sorted({str(f.func) for f in out.atoms(sp.core.function.AppliedUndef)})
        if undefined:
            _unknown_function(undefined[0], expr, name)
    if not isinstance(out, sp.Expr):
        raise ValueError(f"{name}={expr!r} does not parse to a scalar expression "
                         f"(got {type(out).__name__})")
    return out


def _unknown_function(fn: str, expr, name: str):
    known = ", ".join(sorted(k for k, v in FUNCTIONS.items() if callable(v)))
    raise ValueError(f"{name}={expr!r} uses the unknown function {fn!r} (write "
                     f"{fn}*(...) for a product); known functions: {known}")


def _no_undefined_functions(text: str, name: str):
    """A parser transformation (after ``auto_symbol``): a name followed by ``(`` that is
    not in :data:`FUNCTIONS` became ``Function('name')``; reject it by name before the
    implicit-multiplication step can turn it into a product."""
    def transform(tokens, local_dict, global_dict):
        for i, tok in enumerate(tokens[:-2]):
            if tok[1] == "Function" and tokens[i + 1][1] == "(":
                _unknown_function(tokens[i + 2][1].strip("'\""), text, name)
        return tokens
    return transform


def _parse_text(text: str, name: str) -> sp.Basic:
    if not _SAFE.match(text) or "__" in text or _ATTRIBUTE.search(text):
        raise ValueError(f"{name}={text!r} contains characters not allowed in a formula "
                         "(letters, digits, _ + - * / ^ ( ) . , [ ] < > = and spaces; no "
                         "attribute access)")
    from sympy.parsing.sympy_parser import (
        auto_number,
        auto_symbol,
        convert_xor,
        function_exponentiation,
        implicit_application,
        implicit_multiplication,
        parse_expr,
        repeated_decimals,
    )

    # Not implicit_multiplication_application: its split_symbols step reads "x1**2 + x2"
    # as 3*x (names split into letters and digits).
    transformations = (auto_symbol, _no_undefined_functions(text, name), repeated_decimals,
                       auto_number, convert_xor, implicit_multiplication,
                       implicit_application, function_exponentiation)
    try:
        return parse_expr(text, local_dict={}, global_dict=_namespace(),
                          transformations=transformations)
    except ValueError as e:
        if "unknown function" in str(e):
            raise
        raise ValueError(f"{name}={text!r} is not a formula SymPy can parse: {e}") from e
    except Exception as e:  # SymPy raises many types for malformed text
        raise ValueError(f"{name}={text!r} is not a formula SymPy can parse: {e}") from e


def natural_key(s: sp.Symbol) -> list:
    """Sort key for symbols in natural order (``x1 < x2 < x10``)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s.name)]


def variables(e: sp.Expr, symbols=None, name: str = "symbols") -> tuple[sp.Symbol, ...]:
    """The variables of ``e``: ``symbols`` if given (names or symbols), else its free
    symbols in natural order. Other free symbols are an error naming ``name``.

    Example:
      >>> variables(parse("x10 + x2 + x1"))
      (x1, x2, x10)
    """
    if symbols is None:
        return tuple(sorted(e.free_symbols, key=natural_key))
    syms = tuple(sp.Symbol(s) if isinstance(s, str) else s for s in symbols)
    extra = e.free_symbols - set(syms)
    if extra:
        raise ValueError(f"expr has free symbols {sorted(map(str, extra))} not among "
                         f"{name}={[str(s) for s in syms]}; substitute numbers first")
    return syms


def _small_fraction(f: float) -> tuple[int, int] | None:
    """(p, q) with q <= MAX_DENOMINATOR and p/q rounding to f, else None.

    Such a p/q is within an ulp of f, far less than 1/(2 q**2), so by Legendre's theorem
    it is a convergent of f's continued fraction: expanding in floats up to that
    denominator and testing ``p / q == f`` (exactly rounded) finds it."""
    x, sign = abs(f), (-1 if f < 0 else 1)
    h0, h1, k0, k1 = 0, 1, 1, 0
    for _ in range(64):
        a = math.floor(x)
        h0, h1, k0, k1 = h1, a * h1 + h0, k1, a * k1 + k0
        if k1 > MAX_DENOMINATOR:
            return None
        if h1 / k1 == abs(f):
            return sign * h1, k1
        x -= a
        if x < 1.0 / (MAX_DENOMINATOR + 1):  # the next denominator would pass the cap
            return None
        x = 1 / x
    return None


def _float(f: float, name: str) -> sp.Rational:
    if not math.isfinite(f):
        raise ValueError(f"{name} must be finite; got {f!r}")
    if f.is_integer():
        return sp.Integer(int(f))
    small = _small_fraction(f)
    if small is not None:
        return sp.Rational(*small)
    decimal = fractions.Fraction(repr(f))
    return sp.Rational(decimal.numerator, decimal.denominator)


def number(v, name: str = "value") -> sp.Expr:
    """An exact real SymPy number from an int, float, Fraction, NumPy scalar, SymPy
    number or formula text without variables. Errors name the argument.

    Example:
      >>> number(0.1), number(1 / 3), number("log(2)"), number(sp.sqrt(2)), number("0.25")
      (1/10, 1/3, log(2), sqrt(2), 1/4)
    """
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number; got the bool {v!r}")
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, str):
        e = parse(v, name)
        e = e.xreplace({f: _float(float(f), name) for f in e.atoms(sp.Float)})
        return _real(e, name)
    if isinstance(v, sp.Basic):
        return _real(sp.sympify(v), name)
    if isinstance(v, fractions.Fraction):
        return sp.Rational(v.numerator, v.denominator)
    if isinstance(v, numbers.Integral):
        return sp.Integer(int(v))
    if isinstance(v, numbers.Real):
        return _float(float(v), name)
    raise TypeError(f"{name} must be a real number (int, float, Fraction, SymPy number or "
                    f"formula text such as 'log(2)'); got {type(v).__name__} {v!r}")


def _real(e: sp.Basic, name: str) -> sp.Expr:
    if not isinstance(e, sp.Expr):
        raise TypeError(f"{name} must be a number; got {e!r}")
    if e.free_symbols:
        raise ValueError(f"{name} must be a number; got {e} with free symbols "
                         f"{sorted(map(str, e.free_symbols))}")
    if e.is_extended_real is False or e.has(sp.zoo, sp.nan):
        raise ValueError(f"{name} must be real; got {e}")
    if e.is_finite is False:
        raise ValueError(f"{name} must be finite; got {e}")
    return e


def point(x, n: int, name: str = "x_star") -> tuple[sp.Expr, ...]:
    """A point of ``n`` coordinates as exact SymPy numbers, each read by :func:`number`.

    A scalar (number or text) is accepted when ``n == 1``.

    Example:
      >>> point([0.1, "log(2)"], 2), point("pi/4", 1), point(np.array([0.5]), 1)
      ((1/10, log(2)), (pi/4,), (1/2,))
    """
    if isinstance(x, sp.MatrixBase):
        x = list(x)
    if n == 1 and (isinstance(x, (str, sp.Basic, numbers.Number, np.generic))
                   or (isinstance(x, np.ndarray) and x.shape == ())):
        x = [x]
    if isinstance(x, str):
        raise ValueError(f"{name} must have {n} entries (one per variable); got the text "
                         f"{x!r}")
    try:
        vals = list(np.asarray(x, dtype=object).reshape(-1))
    except Exception as e:  # ragged input
        raise TypeError(f"{name} must be a sequence of {n} numbers; got {x!r}") from e
    if len(vals) != n:
        raise ValueError(f"{name} must have {n} entries (one per variable); got {x!r}")
    return tuple(number(v, name) for v in vals)
