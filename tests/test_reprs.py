"""Every result type prints short (key numbers and shapes, not its arrays) and renders as
an HTML table in notebooks; the full data stays in the fields.

Each expected number is a closed form (comment beside it), formatted to the 4 significant
digits the reprs use. Length bounds: a repr fits in about three lines of a terminal; before
this change a 60-step LRFinderResult printed 13,601 characters and a 100-step Trajectory
6,921.
"""

import pytest

import lrtheory as lrt
from lrtheory import theory
from lrtheory.problems import quadratic

MAX_REPR = 260  # characters; the longest (LRFinderResult, SearchResult) carry a problem key


def _check(obj, *needles, absent=()):
    text = repr(obj)
    assert len(text) <= MAX_REPR, (len(text), text)
    assert text.startswith(type(obj).__name__ + "(")
    for n in needles:
        assert n in text, (n, text)
    for n in absent:
        assert n not in text, (n, text)
    page = obj._repr_html_()
    assert page.startswith("<table") and f"<b>{type(obj).__name__}</b>" in page
    return text, page


def test_trajectory():
    # GD with lr = 1/2 on f = x^2/2 from 1 halves the error: dist_100 = 2^-100 = 7.889e-31,
    # f_100 = 2^-201 = 3.1115e-61 (3.112e-61 to 4 digits). The repr's length does not grow
    # with the steps.
    p = quadratic([[1.0]], x0=[1.0])
    t = lrt.run(lrt.methods.get("gd", lr=0.5), p, steps=100)
    text, page = _check(t, "steps=100", "diverged_at=never", "dist=1 -> 7.889e-31",
                        "f=0.5 -> 3.112e-61", "lr=0.5", absent=("array",))
    assert "(101,)" in page and "(100,)" in page  # shapes of f and step_norm
    long = lrt.run(lrt.methods.get("gd", lr=0.5), p, steps=10_000)
    assert len(repr(long)) <= len(text) + 5
    # lr = 3 maps x to -2x and leaves the blow-up bound 1e8 at k = 27 (2^27 > 1e8)
    _check(lrt.run(lrt.methods.get("gd", lr=3.0), p, steps=40), "diverged_at=27")


def test_batched_trajectory():
    # lrs 0.5 and 3 on f = x^2/2: the second diverges
    import jax.numpy as jnp

    from lrtheory.run import batched

    p = quadratic([[1.0]], x0=[1.0])
    t = batched(lambda lr: lrt.methods.get("gd", lr=lr), p, 40)(
        {"lr": jnp.array([0.5, 3.0])}, jnp.ones((2, 1)), None)
    _check(t, "batch=(2,)", "steps=40", "diverged=1 of 2")


def test_lr_finder_result():
    # f = x^2/2: L = mu = 1; the ramp tests 50 lrs from 1e-2 to 10
    res = lrt.find_lr("gd", quadratic([[1.0]], x0=[1.0]), lr_min=1e-2, lr_max=10.0,
                      steps=50)
    text, page = _check(res, "method='gd'", "lrs=0.01 .. 10 (50, exp)", "L=1, mu=1",
                        f"valley={res.valley.lr:.4g}", absent=("array", "\n"))
    assert "smoothed" in page and "(1, 50)" in page  # the arrays' shapes in the notebook
    assert res.loss.shape == (1, 50)  # the data stay in the fields


def test_search_result_does_not_print_its_table():
    # GD on f = x^2/2 from 1: lr = 1 lands on 0 in one step (best, value 0)
    res = lrt.grid_search("gd", quadratic([[1.0]], x0=[1.0]), {"lr": [0.5, 1.0]}, steps=3)
    _, page = _check(res, "n_evals=2", "best={lr: 1}", "best_value=0",
                     absent=("budget_evals", "DataFrame", "\n"))
    assert "budget_evals" in page  # the table's head is in the HTML
    assert len(res.table) == 2


def test_theory_results():
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3
    _check(theory.curvature([[2, 1], [1, 2]]), "L=3, mu=1, kappa=3", "eigenvalues=(1, 3)",
           absent=("_expr",))
    # spectrum {1, 10}: 2/L = 0.2, 2/(L+mu) = 2/11 = 0.1818, (L-mu)/(L+mu) = 9/11 = 0.8182
    _check(theory.gd_limits([1, 10]), "lr_max=0.2", "lr_opt=0.1818", "rate_opt=0.8182")
    # GD at lr = 0.1 on {1, 10}: max(|1 - 0.1|, |1 - 1|) = 0.9
    _check(theory.gd_rate([1, 10], lr=0.1), "method='gd'", "q=1", "rate=0.9",
           "regime='linear'", "lr=0.1", absent=("note",))
    # rates compare on the log scale (steps to a tolerance): |ln 0.95 - ln 0.9| / |ln 0.9|
    # = 0.05407 / 0.1054 = 0.5132 > rtol 0.05: they disagree
    _check(theory.compare(0.95, 0.9), "measured=0.95", "predicted=0.9",
           "rel_error=0.5132", "verdict='disagrees'", "scale='log'")
    # a constant step 1/10 with lambda = 2 contracts by |1 - 0.2| = 0.8
    _check(theory.schedule_limit("0.1", lam=2), "regime='linear'", "converges=True",
           "rate=0.8")
    # Polyak's heavy ball for {1, 100}: lr = 4/121, beta = 81/121, rate = 9/11
    _check(theory.heavy_ball_optimal([1, 100]), "lr=0.03306", "beta=0.6694", "rate=0.8182")
    # one GD step of 1/10 with mu = 1, L = 10: tau = 0.9^2 (PEPit's SDP, 1e-8 accurate)
    _check(theory.pep.gd_worst_case_rate(L=10, mu=1, lr=0.1), "rate=0.9", "tau=0.81",
           "n=1")


def test_suggestion():
    from lrtheory.tuning import Suggestion

    s = Suggestion("valley", 0.2, (0.1, 0.4), 0.1, 0.4, 0.2 / (2 / 11), 1.0)
    _check(s, "lr=0.2", "lo=0.1", "hi=0.4", "ratio_opt=1.1", "ratio_stable=1",
           absent=("per_seed",))


@pytest.mark.parametrize("value,text", [
    (2 / 3, "0.6667"), (float("inf"), "inf"), (7, "7"), (True, "True"),
    ((1.0, 2.5), "(1, 2.5)"), ((0.5,), "(0.5,)"), (list(range(10)), "<10 values>"),
    ("x" * 100, "'" + "x" * 57 + "...'"),
])
def test_value_format(value, text):
    from lrtheory._display import fmt

    assert fmt(value) == text
