r"""Where gradient descent with a decaying step size ends up, on :math:`f = \lambda x^2/2`.

With steps :math:`\alpha_k` the iterate is exactly
:math:`x_k = x_0 \prod_{j<k} (1 - \alpha_j\lambda)` (:math:`x^\star = 0`). Hence, for
:math:`\alpha_k \to 0`: if :math:`\sum_k \alpha_k < \infty` the product converges to a
non-zero number and GD **stalls** at :math:`x_\infty = x_0\prod_{j\ge0}(1-\alpha_j\lambda)`
(e.g. exponential decay :math:`\alpha_k = \alpha_0 d^k` stalls at the q-Pochhammer
symbol :math:`x_0(\alpha_0\lambda; d)_\infty`); if :math:`\sum_k\alpha_k = \infty` it
converges, and with :math:`\alpha_k = c/k + O(k^{-1-\epsilon})` sublinearly,
:math:`|x_k| \sim A|x_0| k^{-p}` with :math:`p = \lambda c` (time-based decay
:math:`\alpha_0/(1+dk)`: :math:`p = \lambda\alpha_0/d`). A step that tends to
:math:`\alpha_\infty > 0` gives linear convergence at :math:`|1-\alpha_\infty\lambda|`
(or divergence). A schedule that repeats with period :math:`P` (cyclical) converges
linearly at the per-step factor :math:`|\prod_{j<P}(1-\alpha_j\lambda)|^{1/P}`, the
cycle's product spread over its steps. A warm-up (``Min``, ``Max``, ``Piecewise`` in
the formula) is a finite head of exact factors in front of the schedule it settles
into. On a quadratic in :math:`n` dimensions apply this to each eigenvalue.
Reference: Robbins & Monro (1951) for the :math:`\sum\alpha_k = \infty` condition;
Gasper & Rahman (2004) for q-Pochhammer products.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import mpmath
import sympy as sp

from .._display import html_repr, short_repr
from .._formula import parse
from .._vocab import Regime
from ._common import exact, is_zero, linear_regime, simplify_small, to_float
from ._schedule_forms import eventual, product
from ._schedule_forms import period as period_of

__all__ = ["ScheduleLimit", "schedule_limit"]


class ScheduleLimit(NamedTuple):
    r"""The fate of :math:`x_k = x_0\prod_{j<k}(1-\alpha_j\lambda)` (build by keyword).

    Attributes:
      converges: whether :math:`x_k \to 0 = x^\star`.
      regime: ``"linear"``, ``"sublinear"``, ``"stalled"``, ``"finite"`` (a factor is
        exactly 0: :math:`x^\star` is hit in finitely many steps), ``"diverged"`` or
        ``"undetermined"`` (:math:`|1-\alpha_\infty\lambda| = 1`).
      limit: the error level :math:`\lim |x_k|` (0 when it converges; ``inf`` when it
        diverges; ``None`` when undetermined), comparable with ``OrderEstimate.limit``.
        The signed limit is in ``note``.
      sum_lr: :math:`\sum_k \alpha_k` (``inf`` when it diverges).
      p: sublinear exponent in :math:`|x_k| \sim A|x_0|k^{-p}` (``inf``: faster than any
        power; ``None`` unless ``regime == "sublinear"``).
      prefactor: :math:`A` when SymPy finds the product in closed form, else ``None``.
      rate: linear rate :math:`|1-\alpha_\infty\lambda|` when :math:`\alpha_k\to\alpha_\infty>0`,
        or the per-step factor :math:`|\prod_{j<P}(1-\alpha_j\lambda)|^{1/P}` of a
        schedule of period :math:`P`.
      limit_expr, sum_lr_expr, p_expr, prefactor_expr, rate_expr: SymPy forms (``None``
        where the float is ``None``).
      note: how the result was obtained.
      period: :math:`P` for a repeating schedule, else ``None``.
      head: the number of leading steps (warm-up) taken as exact factors before the
        schedule settles into one expression (0 if none).

    Example (a constant step 1/10 with lambda = 2: linear at |1 - 0.2| = 4/5; halving
    steps 2**-(k+1) with lambda = 1 sum to 1 and stall at the q-Pochhammer symbol
    (1/2; 1/2)_inf = 0.288788095086602...):
      >>> s = schedule_limit("0.1", lam=2)
      >>> s.converges, s.regime.value, s.rate_expr, s.sum_lr
      (True, 'linear', 4/5, inf)
      >>> import mpmath
      >>> t = schedule_limit("0.5 * 0.5**k", lam=1)
      >>> t.regime.value, t.sum_lr_expr, abs(t.limit - float(mpmath.qp(0.5, 0.5))) < 1e-15
      ('stalled', 1, True)
    """

    converges: bool
    regime: Regime
    limit: float | None = None
    sum_lr: float = math.inf
    p: float | None = None
    prefactor: float | None = None
    rate: float | None = None
    limit_expr: sp.Expr | None = None
    sum_lr_expr: sp.Expr = sp.oo
    p_expr: sp.Expr | None = None
    prefactor_expr: sp.Expr | None = None
    rate_expr: sp.Expr | None = None
    note: str = ""
    period: int | None = None
    head: int = 0

    def __repr__(self) -> str:
        return short_repr(self, ("regime", "converges", "limit", "sum_lr", "p", "rate",
                                 "period"))

    def _repr_html_(self) -> str:
        return html_repr(self)

    def latex(self) -> str:
        r"""The outcome in LaTeX.

        >>> print(schedule_limit("0.5/(1 + 0.1*k)", lam=1).latex())
        |x_k| \sim 15120\, |x_0|\, k^{-5}
        """
        if self.regime == "stalled":
            return rf"|x_\infty| = {sp.latex(self.limit_expr)}"
        if self.regime == "sublinear" and self.p_expr is not None and self.p_expr.is_finite:
            a = "A" if self.prefactor_expr is None else sp.latex(self.prefactor_expr)
            return rf"|x_k| \sim {a}\, |x_0|\, k^{{-{sp.latex(self.p_expr)}}}"
        if self.rate_expr is not None:
            return rf"\rho = {sp.latex(self.rate_expr)}"
        return rf"\text{{{self.regime}}}"


def _head_length(t, cap: int = 2**16) -> int:
    """K0 such that t(j) = lam*lr_j < 1/2 for all j >= K0 (checked up to where t has
    stayed below 1/2 over the second half of a doubling scan)."""
    n = 64
    while n < cap and max(t(j) for j in range(n // 2, n)) >= 0.5:
        n *= 2
    last = [j for j in range(n) if t(j) >= 0.5]
    return last[-1] + 1 if last else 0


def _infinite_product(factor: sp.Expr, kk: sp.Symbol, k0: int) -> sp.Expr:
    """prod_{k>=0} factor: the first k0 factors exactly, the tail (all factors in
    (1/2, 1)) by mpmath's nprod (exp of an extrapolated nsum of logs) at 40 digits."""
    head = sp.Mul(*[factor.subs(kk, j) for j in range(k0)])
    f = sp.lambdify(kk, factor, "mpmath")
    with mpmath.workdps(40):
        tail = mpmath.nprod(f, [k0, mpmath.inf])
        return sp.N(head, 40) * sp.Float(mpmath.nstr(tail, 40), 40)


def _stepped_limit(lr, lr_f, lam_e, x0_e, kk):
    """Step schedules (``floor``/``ceiling`` of k): SymPy's convergence tests and
    mpmath's extrapolating sums misread the plateaus. With ``u - 1 <= floor(u) <= u``
    the sum converges iff it does with ``floor(u)`` replaced by ``u`` (same for
    ``ceiling``, ``u <= ceiling(u) <= u + 1``) when the schedule is monotone in it; then
    the sum and the product are taken term by term at 40 digits until the terms fall
    below 1e-45 (geometric decay reaches that in a few hundred plateaus). Returns
    ``None`` (use the generic path) when the floor-free schedule's sum diverges."""
    smooth = lr.replace(sp.floor, lambda a: a).replace(sp.ceiling, lambda a: a)
    conv = sp.Sum(smooth, (kk, 0, sp.oo)).is_convergent()
    if conv is not sp.true:
        return None
    lam_f = mpmath.mpf(sp.N(lam_e, 45))
    with mpmath.workdps(45):
        S, P = mpmath.mpf(0), mpmath.mpf(1)
        for j in range(2_000_000):
            a = mpmath.mpf(lr_f(j))
            S += a
            P *= 1 - lam_f * a
            if j > 10 and abs(lam_f * a) < mpmath.mpf(10) ** -45:
                break
        else:
            raise ValueError(f"sum_k {lr} converges too slowly to evaluate term by term")
        lim_val = abs(mpmath.mpf(sp.N(x0_e, 45)) * P)
    return ScheduleLimit(
        converges=False, regime=Regime.STALLED, limit=float(lim_val), sum_lr=float(S),
        limit_expr=sp.Float(mpmath.nstr(lim_val, 40), 40),
        sum_lr_expr=sp.Float(mpmath.nstr(S, 40), 40),
        note="step schedule with sum lr_k < inf (comparison with the floor-free schedule): "
             "x_inf = x0 * prod (1 - lam*lr_k), summed term by term at 45 digits")


def _prefactor(factor: sp.Expr, kk: sp.Symbol, p: sp.Expr) -> sp.Expr | None:
    """A = lim_K K**p prod_{k<K} factor, when SymPy gives the product as gamma ratios.

    sp.limit on gamma ratios takes seconds; instead use Gamma(K+a) ~ K**a Gamma(K)
    (exact in the limit for a product of such factors) and take the limit of what is
    left, a rational function of K."""
    K = sp.Symbol("K", integer=True, positive=True)
    try:
        PK = sp.product(factor, (kk, 0, K - 1))
        if PK.has(sp.Product):
            return None
        e = sp.gammasimp(PK.rewrite(sp.gamma) * K**p)
        if e.is_Add:
            return None
        reps = {}
        for g in e.atoms(sp.gamma):
            a = sp.expand(g.args[0] - K)
            if not g.args[0].has(K):
                continue
            if a.has(K):
                return None
            reps[g] = K**a * sp.gamma(K)
        e = sp.powsimp(e.xreplace(reps), force=True)
        if e.has(sp.gamma(K)):
            return None
        A = sp.Abs(simplify_small(sp.limit(e, K, sp.oo)))
    except (NotImplementedError, ValueError, TypeError):
        return None
    return A if A.is_finite and A.is_positive else None


def schedule_limit(schedule, lam, x0=1, k=None, *, period=None) -> ScheduleLimit:
    r"""Does GD with step schedule :math:`\alpha_k` converge on :math:`\lambda x^2/2`, and where to?

    Args:
      schedule: :math:`\alpha_k` as a SymPy expression or formula string in ``k``
        (``k = 0, 1, 2, ...``), e.g. ``"lr0 * d**k"`` with numbers substituted:
        ``"0.5 * 0.9**k"``, ``"0.5 / (1 + 0.1*k)"``, a warm-up
        ``"0.5 * Min(1, (k + 1)/50)"``, a cyclical
        ``"0.05 + 0.45*Max(0, 1 - Abs(k/25 - 2*floor(1 + k/50) + 1))"``.
      lam: the curvature :math:`\lambda > 0`.
      x0: the starting error :math:`x_0`.
      k: the step-index symbol (default: the expression's only free symbol).
      period: the period of a repeating schedule, if SymPy should not infer it from the
        ``floor``/``ceiling`` terms; it is proved (``lr(k + P) == lr(k)``) either way.

    Returns:
      :class:`ScheduleLimit`.

    Example:
      >>> s = schedule_limit("0.5 * 0.9**k", lam=1, x0=1)      # sum = 5 < inf: stalls
      >>> s.regime.value, round(s.limit, 12), s.sum_lr_expr
      ('stalled', 0.002790546567, 5)
      >>> t = schedule_limit("0.5 / (1 + 0.1*k)", lam=1)       # p = lam*lr0/d = 5
      >>> t.regime.value, t.p_expr, t.prefactor_expr
      ('sublinear', 5, 15120)
      >>> c = schedule_limit("1/4 + Mod(k, 2)/4", lam=1)    # 1/4, 1/2, 1/4, ...
      >>> c.period, c.rate_expr                       # ((1 - 1/4) * (1 - 1/2))**(1/2)
      (2, sqrt(6)/4)
    """
    lr = parse(schedule, "schedule")
    free = sorted(lr.free_symbols, key=str)
    if k is None:
        if len(free) > 1:
            raise ValueError(f"schedule={lr} has several free symbols {free}; pass k= and "
                             "substitute numbers for the others")
        k = free[0] if free else sp.Symbol("k")
    k = sp.Symbol(k) if isinstance(k, str) else k
    if set(free) - {k}:
        raise ValueError(f"schedule={lr} has free symbols other than k={k}: "
                         f"{sorted(map(str, set(free) - {k}))}")
    if period is not None and (isinstance(period, bool) or not isinstance(period, int)
                               or period < 1):
        raise ValueError(f"period must be a positive integer; got {period!r}")
    kk = sp.Symbol("k", integer=True, nonnegative=True)
    # Floats as the numbers they stand for (0.9 -> 9/10): exact sums and products.
    lr = lr.subs(k, kk).xreplace({f: exact(float(f), "schedule") for f in lr.atoms(sp.Float)})
    lam_e, x0_e = exact(lam, "lam"), exact(x0, "x0")
    if not lam_e > 0:
        raise ValueError(f"lam must be > 0; got {lam!r}")
    P = _period(lr, kk, period)
    if P is not None:
        return _periodic(lr, kk, lam_e, P)
    tail, K = eventual(lr, kk)
    head = product(1 - lam_e * lr, kk, 0, K)
    for j in range(K):
        if is_zero(1 - lam_e * lr.subs(kk, j)):
            return _finite(j, K)
    shifted = tail.subs(kk, kk + K) if K else tail
    P = _period(shifted, kk, None) if K else None
    if P is not None:
        out = _periodic(shifted, kk, lam_e, P)
    else:
        out = _settled(shifted, kk, lam_e, x0_e * head)
    if K == 0:
        return out
    scale = sp.Abs(head)
    return out._replace(
        head=K, sum_lr=out.sum_lr + to_float(sp.Add(*[lr.subs(kk, j) for j in range(K)])),
        sum_lr_expr=out.sum_lr_expr + sp.Add(*[lr.subs(kk, j) for j in range(K)]),
        prefactor=None if out.prefactor is None else out.prefactor * to_float(scale),
        prefactor_expr=None if out.prefactor_expr is None else out.prefactor_expr * scale,
        note=f"{K} head steps (warm-up) as exact factors, product {sp.N(head, 15)}; then "
             + out.note)


def _period(lr, kk, hint):
    try:
        return period_of(lr, kk, hint)
    except (NotImplementedError, TypeError) as e:
        if hint is not None:
            raise ValueError(f"cannot check period={hint} for schedule={lr}: {e}") from e
        return None


def _finite(j, K=0) -> ScheduleLimit:
    return ScheduleLimit(converges=True, regime=Regime.FINITE, limit=0.0,
                         limit_expr=sp.Integer(0), head=K,
                         note=f"lam*lr_{j} = 1: x_{j + 1} = 0 exactly")


def _periodic(lr, kk, lam_e, P) -> ScheduleLimit:
    """A schedule with lr(k + P) = lr(k): per-step factor |prod over a cycle|^(1/P)."""
    cycle = product(1 - lam_e * lr, kk, 0, P)
    for j in range(P):
        if is_zero(1 - lam_e * lr.subs(kk, j)):
            return _finite(j)._replace(period=P)
    rate = sp.Abs(cycle) ** sp.Rational(1, P)
    if len(str(rate)) > 40:  # SymPy factors big rationals under a root: keep it whole
        rate = sp.Pow(sp.Abs(cycle), sp.Rational(1, P), evaluate=False)
    regime = linear_regime(rate)
    lim = {Regime.LINEAR: sp.Integer(0), Regime.DIVERGED: sp.oo}.get(regime)
    return ScheduleLimit(
        converges=regime is Regime.LINEAR, regime=regime,
        limit=None if lim is None else to_float(lim), limit_expr=lim, rate=to_float(rate),
        rate_expr=rate, period=P,
        note=f"period {P}: x_(k+P) = x_k * prod_(j<P) (1 - lam*lr_j) = x_k * "
             f"{sp.N(cycle, 15)}; per-step factor |product|**(1/P)")


def _settled(lr, kk, lam_e, x0_e) -> ScheduleLimit:
    """A schedule with a limit: linear (lr_inf > 0), stalled or sublinear (lr_k -> 0)."""
    lr_f = sp.lambdify(kk, lr, "mpmath")
    try:
        lr_inf = sp.limit(lr, kk, sp.oo)
    except NotImplementedError as e:
        raise ValueError(f"cannot find the limit of schedule={lr} as k -> oo (SymPy: "
                         f"{type(e).__name__}); pass period= if it repeats") from e
    if not (lr_inf.is_finite and lr_inf.is_extended_nonnegative):
        raise ValueError(f"schedule={lr} must tend to a finite limit >= 0; its limit is "
                         f"{lr_inf}")
    factor = 1 - lam_e * lr
    if lr_inf > 0:
        rate = sp.Abs(1 - lam_e * lr_inf)
        regime = linear_regime(rate)
        lim = {Regime.LINEAR: sp.Integer(0), Regime.DIVERGED: sp.oo}.get(regime)
        if regime is Regime.FINITE:  # lam*lr_inf = 1: finite only once lr_k hits it
            regime, lim = Regime.SUPERLINEAR, sp.Integer(0)
        return ScheduleLimit(
            converges=regime in (Regime.LINEAR, Regime.SUPERLINEAR), regime=regime,
            limit=None if lim is None else to_float(lim), limit_expr=lim,
            rate=to_float(rate), rate_expr=rate,
            note=f"lr_k -> {lr_inf} > 0: rate |1 - lam*lr_inf|")
    k0 = _head_length(lambda j: float(lam_e) * float(lr_f(j)))
    for j in range(k0):  # past k0, lam*lr_k < 1/2: no factor can vanish
        if is_zero(factor.subs(kk, j)):
            return _finite(j)
    if lr.has(sp.floor, sp.ceiling):
        stepped = _stepped_limit(lr, lr_f, lam_e, x0_e, kk)
        if stepped is not None:
            return stepped
    S = sp.summation(lr, (kk, 0, sp.oo))
    if isinstance(S, sp.Sum):  # no closed form: decide convergence, sum numerically
        conv = S.is_convergent()
        if conv is not sp.true and conv is not sp.false:
            raise ValueError(f"cannot decide whether sum_k {lr} converges")
        if conv:
            with mpmath.workdps(30):
                S_val = float(mpmath.nsum(lr_f, [0, mpmath.inf]))
        else:
            S_val = math.inf
    else:
        S_val = to_float(S)
    if math.isfinite(S_val):
        lim_val = x0_e * _infinite_product(factor, kk, k0)
        return ScheduleLimit(
            converges=False, regime=Regime.STALLED, limit=abs(to_float(lim_val)),
            sum_lr=S_val, limit_expr=sp.Abs(x0_e * sp.Product(factor, (kk, 0, sp.oo))),
            sum_lr_expr=S,
            note="sum lr_k < inf: x_inf = x0 * prod (1 - lam*lr_k) "
                 f"= {sp.N(lim_val, 15)} (mpmath nprod at 40 digits)")
    c = sp.limit(kk * lr, kk, sp.oo)
    p = simplify_small(lam_e * c)
    note = "sum lr_k = inf and lr_k -> 0: x_k -> 0"
    A = None
    if p.is_finite and p > 0:
        note += "; |x_k| ~ A |x0| k**-p with p = lam * lim k*lr_k"
        A = _prefactor(factor, kk, p)
    elif p is sp.oo:
        note += "; lim k*lr_k = inf: faster than any power of k, slower than linear"
    else:
        note += "; lim k*lr_k = 0: slower than any power of k"
    return ScheduleLimit(converges=True, regime=Regime.SUBLINEAR, limit=0.0,
                         p=to_float(p), prefactor=None if A is None else to_float(A),
                         limit_expr=sp.Integer(0), p_expr=p, prefactor_expr=A, note=note)
