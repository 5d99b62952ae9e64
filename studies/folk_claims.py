r"""Study: the learning-rate folk claims, each measured and given a verdict by a stated rule.

Six claims that popular articles repeat (issue 8), split into nine testable statements.
Each experiment lives in ``studies/_folk/`` (one module per claim: it computes, reduces
to per-seed *effects* signed so that positive = the claim's direction, and draws its
figure); :mod:`studies._folk.verdict` turns effects into verdicts (95 % Student-t
intervals over seeds, a practical-equivalence band per effect).

Outputs: ``figures/folk_claims-<part>.pdf`` (one per experiment),
``tables/folk_claims-verdicts.tex`` (claim, settings, verdict),
``tables/folk_claims-evidence.tex`` (claim, setting, effect with CI, band, outcome),
``generated/folk_claims-macros.tex`` (verdict strings and every quoted number).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

from studies._common import Context, Outputs
from studies._folk import adaptive, cyclical, decay, minima, overfit, regimes, report
from studies._folk.common import source_hash

#: The testable statements: label, statement (LaTeX), experiment.
CLAIMS = (
    ("1a", "A learning rate that is too high overshoots, oscillates or diverges.", "regimes"),
    ("1b", "A learning rate that is too low converges slowly.", "regimes"),
    ("2", "A low learning rate gets stuck in local minima; a higher one, or momentum, "
          "rolls over the bumps.", "minima"),
    ("3a", "A low learning rate prevents overfitting.", "overfit"),
    ("3b", "A high learning rate underfits.", "overfit"),
    ("4", "Decaying the learning rate gives a CNN higher test accuracy than a constant "
          "one.", "decay"),
    ("5a", "Adam converges faster than SGD.", "adaptive"),
    ("5b", "SGD is slower because of its randomness.", "adaptive"),
    ("6", "Cyclical learning rates help escape saddle points and local minima.",
     "cyclical"),
)

#: Where each statement is made or discussed (BibTeX keys of paper/refs.bib).
SOURCES = {"1a": ("bengio2012", "goodfellow2016"), "1b": ("bengio2012", "goodfellow2016"),
           "2": ("goodfellow2016", "sutskever2013"), "3a": ("smith2018",),
           "3b": ("smith2018",), "4": ("he2016", "loshchilov2017"),
           "5a": ("kingma2015", "wilson2017"), "5b": ("goodfellow2016",),
           "6": ("smith2017",)}


def budgets(part: str, g) -> tuple[int, ...]:
    """The budgets (steps) at which an experiment measures its statements."""
    if part == "decay":
        return tuple(g["budgets"])
    if part == "regimes":
        return tuple(sorted({p["steps"] for p in g["problems"]}))
    return (g["steps"],)


_MULTI = [  # the multi-minimum problems of claims 2 and 6, and their start boxes
    {"key": "Rastrigin", "label": "Rastrigin", "name": "rastrigin", "params": {"dim": 2},
     "box": (-2.5, 2.5)},
    {"key": "Ackley", "label": "Ackley", "name": "ackley", "scale_at": [1.0, 0.0],
     "box": (-3.0, 3.0)},
    {"key": "Well", "label": "double well", "name": "double_well", "box": (-2.0, 2.0)},
    {"key": "Himmelblau", "label": "Himmelblau", "name": "himmelblau", "box": (-5.0, 5.0)},
]
_REGIME_PROBLEMS = [
    {"key": "Quadratic", "label": r"quadratic, $\kappa=10$", "name": "quadratic",
     "params": {"dim": 10, "cond": 10.0, "seed": 0}, "spectrum": "data", "convex": True},
    {"key": "Logistic", "label": "logistic regression", "name": "logistic",
     "params": {"n_train": 200}, "spectrum": "hess", "convex": True},
    {"key": "Well", "label": "double well", "name": "double_well", "spectrum": "hess",
     "convex": False},
    {"key": "Himmelblau", "label": "Himmelblau", "name": "himmelblau", "spectrum": "hess",
     "convex": False},
]
_ADAPTIVE_PROBLEMS = [
    {"key": "Logistic", "label": "logistic", "name": "logistic",
     "params": {"n_train": 400, "batch_size": 32}, "convex": True,
     "lr_range": {"sgd": (0.1, 100.0), "momentum": (0.01, 10.0), "adam": (1e-3, 3.0)}},
    {"key": "MLP", "label": "tanh net", "name": "mlp",
     "params": {"hidden": 16, "n_train": 200, "batch_size": 32}, "convex": False,
     "lr_range": {"sgd": (0.01, 10.0), "momentum": (1e-3, 1.0), "adam": (3e-4, 0.3)}},
]

GRID = {
    "full": {
        "regimes": {"seeds": 8, "starts": 3, "ratios": (0.01, 3.0, 16), "tol": 1e-6,
                    "problems": [{**p, "steps": 600} for p in _REGIME_PROBLEMS]},
        "minima": {"seeds": 8, "starts": 40, "steps": 1000, "betas": (0.0, 0.5, 0.9),
                   "ratios": (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.9, 1.2),
                   "low": 0.02, "high": 0.9, "beta": 0.9, "problems": _MULTI},
        "overfit": {"net": {"hidden": 16, "n_train": 100, "batch_size": 16},
                    "lrs": (0.03, 0.1, 0.3, 1.0, 3.0), "seeds": 8, "steps": 1000,
                    "every": 100, "gradients": ("full", "mini")},
        "decay": {"net": {"channels": 4, "n_train": 100, "batch_size": 32},
                  "lr0_grid": (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0), "seeds": 6,
                  "budgets": (100, 400),
                  "checkpoints": 5, "gradients": ("full", "mini")},
        "adaptive": {"steps": 500, "tol": 1e-2, "tune_seeds": 2, "n_lrs": 8,
                     "gradients": ("full", "mini"), "problems": _ADAPTIVE_PROBLEMS},
        "cyclical": {"seeds": 8, "starts": 40, "steps": 1000, "range": (0.02, 0.9),
                     "saddle": True, "problems": _MULTI},
    },
    "smoke": {
        "regimes": {"seeds": 2, "starts": 2, "ratios": (0.1, 2.0, 3), "tol": 1e-3,
                    "problems": [{**_REGIME_PROBLEMS[0], "params": {"dim": 3, "cond": 4.0,
                                                                    "seed": 0}, "steps": 40},
                                 {**_REGIME_PROBLEMS[2], "steps": 40}]},
        "minima": {"seeds": 2, "starts": 3, "steps": 30, "betas": (0.0, 0.9),
                   "ratios": (0.02, 0.9), "low": 0.02, "high": 0.9, "beta": 0.9,
                   "problems": _MULTI[2:3]},
        "overfit": {"net": {"hidden": 2, "n_train": 40, "batch_size": 8},
                    "lrs": (0.1, 1.0, 100.0), "seeds": 2, "steps": 10, "every": 5,
                    "gradients": ("full", "mini")},
        "decay": {"net": {"channels": 1, "n_train": 40, "batch_size": 8},
                  "lr0_grid": (0.1, 0.2, 0.5, 1.0, 2.0), "seeds": 2, "budgets": (6,),
                  "checkpoints": 2, "gradients": ("mini",)},
        "adaptive": {"steps": 30, "tol": 0.5, "tune_seeds": 1, "n_lrs": 2,
                     "gradients": ("full", "mini"), "problems": _ADAPTIVE_PROBLEMS[:1]},
        "cyclical": {"seeds": 2, "starts": 3, "steps": 800, "range": (0.02, 0.9),
                     "saddle": True, "problems": _MULTI[2:3]},
    },
}

_MODULES = {"regimes": regimes, "minima": minima, "overfit": overfit, "decay": decay,
            "adaptive": adaptive, "cyclical": cyclical}
#: The experiments, longest first (paper grid, one at a time on 2 loaded CPU cores, stop
#: 26: decay 98-109 s, of which full batch 58 and mini-batch 30; adaptive 44; regimes 14;
#: overfit 14; minima and cyclical 7 each), so that two workers end together.
_ORDER = ("decay", "adaptive", "regimes", "overfit", "minima", "cyclical")


def run(ctx: Context) -> Outputs:
    """Compute every experiment (cached per experiment), then write figures, tables and
    macros (:mod:`studies._folk.report`)."""
    grid = ctx.grid(GRID)

    def one(part, g):
        return ctx.cached({"part": part, "grid": g, "src": source_hash(part)},
                          lambda: _MODULES[part].compute(g))

    # The experiments are independent (own seeds, own programs): two at a time, so one
    # compiles (a single thread in XLA) while the other runs; decay as two tasks, one per
    # gradient type (its results are keyed by (gradient, budget) and computed apart).
    # Longest first (:data:`_ORDER`). Threads change no number: each program's result
    # does not depend on what else runs.
    tasks = [(part, {**grid[part], "gradients": (gr,)} if part == "decay" else grid[part])
             for part in _ORDER
             for gr in (grid[part]["gradients"] if part == "decay" else (None,))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(part, pool.submit(one, part, g)) for part, g in tasks]
        results: dict = {part: {} for part in _MODULES}
        for part, fut in futures:
            results[part].update(fut.result())
    out = report.write(ctx, CLAIMS, results, grid, sources=SOURCES,
                       budgets={part: budgets(part, grid[part]) for part in _MODULES})
    _check_text(ctx, out.numbers)
    return out


def _check_text(ctx: Context, n) -> None:
    """The directional sentences of sec:folk that are not generated, asserted on the
    paper's grid (``make reproduce`` stops when the data contradict one)."""
    def has(*keys):
        return all(n.get(k) is not None for k in keys)

    if has("FolkRegimesLogisticHighDiverged", "FolkRegimesLogisticHighOscillating"):
        ctx.claim(n["FolkRegimesLogisticHighDiverged"] == 0
                  and n["FolkRegimesLogisticHighOscillating"] == 1,
                  "claim 1: at 1.5 * 2/L no logistic run diverges and all oscillate")
    if has("FolkTwoRastriginHigherLrMean", "FolkTwoAckleyHigherLrMean",
           "FolkTwoHimmelblauHigherLrMean"):
        ctx.claim(abs(n["FolkTwoRastriginHigherLrMean"]) < 0.05
                  and abs(n["FolkTwoAckleyHigherLrMean"]) < 0.05
                  and n["FolkTwoHimmelblauHigherLrMean"] < 0,
                  "claim 2: a higher rate changes nothing on Rastrigin and Ackley and "
                  "lowers success on Himmelblau")
    if has("FolkTwoAckleyMomentumHighLrMean", "FolkTwoWellMomentumHighLrMean"):
        ctx.claim(n["FolkTwoAckleyMomentumHighLrMean"] > 0
                  and n["FolkTwoWellMomentumHighLrMean"] < 0,
                  "claim 2: momentum helps on Ackley and hurts on the double well")
    if has("FolkThreeAFullBatchEqualStepsMean", "FolkThreeAFullBatchEqualTrainingLossMean",
           "FolkOverfitFullStTestAcc", "FolkOverfitFullLoTestAcc"):
        ctx.claim(n["FolkThreeAFullBatchEqualTrainingLossMean"]
                  < n["FolkThreeAFullBatchEqualStepsMean"]
                  and n["FolkOverfitFullStTestAcc"] > n["FolkOverfitFullLoTestAcc"],
                  "claim 3a: the gap shrinks at equal training loss and the larger rate "
                  "has the higher test accuracy")
    if has("FolkPhraseMomentumAdamMLP"):  # log10(Adam steps / heavy-ball steps)
        ctx.claim(n["FolkPhraseMomentumAdamMLP"] > -math.log10(1.25),
                  "claim 5: heavy ball is not slower than Adam on the network (momentum "
                  "accounts for much of the gain)")
    if has("FolkSixHimmelblauConstantPeakMean"):
        ctx.claim(n["FolkSixHimmelblauConstantPeakMean"] > 0,
                  "claim 6: the cyclical rate beats the constant peak on Himmelblau")
