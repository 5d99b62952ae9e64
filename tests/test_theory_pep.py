"""Performance estimation (PEPit, the optional extra lrtheory[pep]) against closed forms
from the literature, PEPit's own example, and lower bounds from 1-D quadratics.

The SDPs are small (n <= 10 steps) and solved by cvxpy's default open-source solver
(Clarabel or SCS, offline); at its default tolerances tau comes out within ~3e-5
relative of the exact value here (measured: 4e-6 on the Drori-Teboulle cases, 3e-5 on
gradient-norm and Nesterov cases), so closed forms and bounds are asserted to 1e-4
relative."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import lrtheory.theory as th

# The only importorskip here: PEPit is the optional extra lrtheory[pep] (installed by
# make test through the dev extra, so these tests run there).
pytest.importorskip("PEPit")


def test_pep_missing_raises_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)  # makes `import PEPit` fail
    with pytest.raises(ImportError, match=r"pip install lrtheory\[pep\]"):
        th.pep.gd_worst_case_rate(10.0, 1.0, 0.1)


@pytest.mark.parametrize("h", [0.5, 1.0, 1.5])
def test_gd_on_smooth_convex_functions_is_drori_teboulle(h):
    # f(x_N) - f* <= L ||x0 - x*||^2 / (4 N h + 2) for steps h/L, tight (Drori & Teboulle
    # 2014; Taylor et al. 2017); at h = 1.5 the other branch (1 - h)^(2N)/2 is smaller
    # (equal at N = 1).
    L = 2.0
    for n in (1, 2, 5, 10):
        r = th.pep.gd_worst_case_rate(L, 0.0, h / L, n=n, measure="f")
        expected = L / (4 * n * h + 2)
        assert r.tau == pytest.approx(expected, rel=1e-4)
        assert (r.regime, r.rate, r.theory) == ("sublinear", None, pytest.approx(expected))


@pytest.mark.parametrize("measure", ["dist", "f", "grad"])
def test_gd_strongly_convex_rate_is_the_quadratic_rate(measure):
    # Quadratics are GD's worst case for all three measures: tau = rho^(2n) with
    # rho = max|1 - lr lambda| (distance: Taylor et al. 2017; f: Taylor et al. 2018;
    # gradient: the same contraction of grad f(x) - grad f(x*)).
    for lr, n in ((0.1, 1), (2 / 11, 3), (0.19, 2)):
        r = th.pep.gd_worst_case_rate(10.0, 1.0, lr, n=n, measure=measure)
        rho = max(abs(1 - lr), abs(1 - 10 * lr))
        assert r.tau == pytest.approx(rho ** (2 * n), rel=1e-4)
        per_step = rho**2 if measure == "f" else rho  # the error the estimator measures
        assert r.rate == pytest.approx(per_step, rel=1e-4)
        assert r.rate == pytest.approx(th.gd_rate([1, 10], lr).rate ** (2 if measure == "f"
                                                                         else 1), rel=1e-4)


def test_convex_case_does_not_answer_tau_one_silently():
    with pytest.raises(ValueError, match=r"mu=0: .* use measure='f'"):
        th.pep.gd_worst_case_rate(1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="measure must be"):
        th.pep.gd_worst_case_rate(1.0, 0.5, 1.0, measure="step")


def _fgm_betas(n):
    """Nesterov's (1983) momentum: t_1 = 1, t_(k+1) = (1 + sqrt(1 + 4 t_k^2))/2,
    beta_k = (t_k - 1)/t_(k+1); beta_0 is unused (x_(-1) = x_0)."""
    t = [1.0]
    for _ in range(n):
        t.append((1 + math.sqrt(1 + 4 * t[-1] ** 2)) / 2)
    return [0.0] + [(t[k - 1] - 1) / t[k] for k in range(1, n)], t


def test_nesterov_convex_matches_pepit_example_and_beck_teboulle():
    from PEPit.examples.unconstrained_convex_minimization import (
        wc_accelerated_gradient_convex,
    )

    n, L = 3, 1.0
    betas, t = _fgm_betas(n)
    r = th.pep.nesterov_worst_case_rate(L, 0.0, 1 / L, betas, n=n, measure="f")
    # The same method written independently in PEPit's example file.
    ref, theory = wc_accelerated_gradient_convex(mu=0, L=L, n=n, verbose=-1)
    assert r.tau == pytest.approx(ref, rel=1e-5)
    # Beck & Teboulle (2009), Thm 4.4: f(x_n) - f* <= L ||x0 - x*||^2 / (2 t_n^2).
    assert theory == pytest.approx(L / (2 * t[n - 1] ** 2), rel=1e-12)
    assert r.tau <= L / (2 * t[n - 1] ** 2) * (1 + 1e-4)


def _quadratic_worst(step_fn, lams, n, measure):
    """Worst ratio over 1-D quadratics lam x^2/2 (members of the class): a lower bound."""
    worst = 0.0
    for lam in lams:
        xp = x = 1.0
        for k in range(n):
            x, xp = step_fn(k, x, xp, lam), x
        worst = max(worst, x * x)  # f and |x|^2 scale alike on one quadratic
    return worst


def test_nesterov_strongly_convex_between_quadratics_and_lyapunov_bound():
    # Nesterov with lr = 1/L, beta = (sqrt L - sqrt mu)/(sqrt L + sqrt mu), f measure.
    # Upper: f_n - f* <= (1 - sqrt(mu/L))^n (f_0 - f* + mu/2 |x0 - x*|^2)
    # <= 2 (1 - sqrt(mu/L))^n (f_0 - f*) (d'Aspremont, Scieur & Taylor 2021, Cor. 4.15,
    # with mu/2 |x0 - x*|^2 <= f_0 - f*). Lower: the worst 1-D quadratic in [mu, L].
    L, mu, n = 10.0, 1.0, 4
    beta = (math.sqrt(L) - math.sqrt(mu)) / (math.sqrt(L) + math.sqrt(mu))
    r = th.pep.nesterov_worst_case_rate(L, mu, 1 / L, beta, n=n, measure="f")

    def step(k, x, xp, lam):
        y = x + beta * (x - xp)
        return y - lam * y / L

    low = _quadratic_worst(step, np.linspace(mu, L, 181), n, "f")
    assert low * (1 - 1e-4) <= r.tau <= 2 * (1 - math.sqrt(mu / L)) ** n * (1 + 1e-4)
    assert r.rate == pytest.approx(r.tau ** (1 / n), rel=1e-12)


def test_heavy_ball_worst_case_is_at_least_the_worst_quadratic():
    lr, beta, n = 0.1, 0.25, 3
    hb = th.pep.heavy_ball_worst_case_rate(10.0, 1.0, lr, beta, n=n)

    def step(k, x, xp, lam):
        return x - lr * lam * x + beta * (x - xp)

    assert hb.tau >= _quadratic_worst(step, np.linspace(1.0, 10.0, 91), n, "dist") * (1 - 1e-4)
