"""Turning the experiments' results into the study's outputs: effects and verdicts,
figures, the verdict and evidence tables, and the macros the paper quotes."""

from __future__ import annotations

import math

import numpy as np

from studies._common import (
    Context,
    Macro,
    Outputs,
    Raw,
    camel,
    ci,
    escape,
    factor_words,
    int_macro,
    macro,
    num,
    write_table,
)

from . import adaptive, cyclical, decay, minima, overfit, regimes
from .verdict import summarise, verdict, verdict_code

_MODULES = {"regimes": regimes, "minima": minima, "overfit": overfit, "decay": decay,
            "adaptive": adaptive, "cyclical": cyclical}


def _effects(part, res, g):
    if part == "minima":
        return minima.effects(res, g["low"], g["high"], g["beta"])
    if part == "overfit":
        return overfit.effects(res, g["gradients"])
    return _MODULES[part].effects(res)


def _figure(part, res, g, path):
    if part == "overfit":
        return overfit.figure(res, g["gradients"], path)
    return _MODULES[part].figure(res, path)


def _setting_text(setting) -> str:
    return ", ".join(str(v) for v in setting.values())


def write(ctx: Context, claims, results, grid, *, sources=None, budgets=None) -> Outputs:
    """Effects, verdicts, figures, the two tables and the macros of the study.

    ``sources``: claim label -> BibTeX keys of where it is made or discussed (a column
    of the verdict table); ``budgets``: experiment -> its budgets in steps, so each
    verdict says at which budgets it was measured."""
    sources, budgets = sources or {}, budgets or {}
    effects, figures = [], []
    for part, res in results.items():
        effects += _effects(part, res, grid[part])
        figures.append(_figure(part, res, grid[part], ctx.figure(f"-{part}")))

    macros: dict[str, Macro] = {}
    verdict_rows, evidence_rows, groups = [], [], []
    for label, statement, part in claims:
        eff = [e for e in effects if e.claim == label]
        v = verdict(eff)
        macros[camel("Folk", "verdict", label)] = Macro(verdict_code(v), v)
        outcomes = [summarise(e).outcome for e in eff]
        macros[camel("Folk", "settings", label)] = int_macro(len(eff))
        macros[camel("Folk", "for", label)] = int_macro(outcomes.count("for"))
        macros[camel("Folk", "against", label)] = int_macro(outcomes.count("against"))
        src = sources.get(label, ())
        steps = budgets.get(part, ())
        verdict_rows.append([label, Raw(rf"\parbox[t]{{5.2cm}}{{{escape(statement)}}}"),
                             Raw(rf"\citet{{{','.join(src)}}}") if src else "--",
                             ", ".join(f"{t:,}" for t in steps) if steps else "--",
                             str(len(eff)),
                             f"{outcomes.count('for')}/{outcomes.count('against')}/"
                             f"{outcomes.count('inconclusive')}", Raw(rf"\textbf{{{v}}}")])
        groups.append(len(evidence_rows))
        for e in eff:
            s = summarise(e)
            name = camel("Folk", label, *e.setting.values())
            macros[name + "Mean"] = macro(s.mean, 2)
            macros[name + "CI"] = Macro(s.mean, ci(s.mean, s.lo, s.hi, 2))
            evidence_rows.append([label, _setting_text(e.setting), Raw(e.unit),
                                  Raw(ci(s.mean, s.lo, s.hi, 2)), str(s.n), num(e.band, 2),
                                  s.outcome])
    macros.update(_numbers(results, grid))
    macros.update(_phrases(macros))
    tables = [
        write_table(ctx.table("-verdicts"), verdict_rows,
                    ["claim", "statement", "made or discussed in", "budget (steps)",
                     "settings", "for/agst/inc", "verdict"],
                    "lllrrcl"),
        write_table(ctx.table("-evidence"), evidence_rows,
                    [Raw("claim"), Raw("setting"), Raw("effect (positive = as claimed)"),
                     Raw("mean [95\\% CI]"), Raw("$n$"), Raw(r"$\delta$"), Raw("outcome")],
                    "lllrrrl", groups=groups),
    ]
    return ctx.finish(figures, tables, macros)


def _steps_phrase(log_ratio: float, who: str, than: str) -> str:
    """'{who} needs fewer steps than {than}, by a factor of about 3' from log10(than/who)."""
    w = factor_words(10 ** abs(log_ratio))
    if w == "about the same":
        return f"{who} needs about as many steps as {than}"
    return f"{who} needs {'fewer' if log_ratio > 0 else 'more'} steps than {than}, by {w}"


def _phrases(m: dict[str, Macro]) -> dict[str, Macro]:
    """Sentences of claim 5 whose words depend on the numbers (sec:folk)."""
    out = {}
    for g, tag in (("FullBatch", "Full"), ("MiniBatch", "Mini")):
        k = f"FolkFiveANonConvexMLP{g}Mean"
        if k in m and m[k].value is not None:  # log10(SGD steps / Adam steps)
            out[f"FolkPhraseAdamSgdMLP{tag}"] = Macro(m[k].value,
                                                      _steps_phrase(m[k].value, "Adam", "SGD"))
        k = f"FolkFiveAConvexLogistic{g}Mean"
        if k in m and m[k].value is not None:
            out[f"FolkPhraseAdamSgdLogistic{tag}"] = Macro(
                m[k].value, _steps_phrase(m[k].value, "Adam", "tuned SGD"))
    c, b, mean = ("FolkCyclicalSaddle" + k + "Steps" for k in ("Cyclical", "Base", "Mean"))
    if all(k in m and m[k].value for k in (c, b, mean)):  # escape steps near the saddle
        for ref, tag in ((b, "Base"), (mean, "Mean")):
            r = m[ref].value / m[c].value  # > 1: the cyclical rate escapes sooner
            w = factor_words(r)
            what = "its base" if tag == "Base" else "the constant mean"
            out[f"FolkPhraseCyclicalVs{tag}"] = Macro(r, (
                f"about as soon as {what}" if w == "about the same"
                else f"{'sooner' if r > 1 else 'later'} than {what}, by {w}"))
    a, h = "FolkAdaptiveMLPFullAdamSteps", "FolkAdaptiveMLPFullMomentumSteps"
    if a in m and h in m and m[a].value and m[h].value:
        r = math.log10(m[a].value / m[h].value)  # log10(Adam steps / heavy-ball steps)
        out["FolkPhraseMomentumAdamMLP"] = Macro(r, _steps_phrase(r, "heavy ball", "Adam"))
    return out


def _numbers(results, grid) -> dict[str, Macro]:
    """Numbers the section quotes besides the effects: sizes and landmarks."""
    m: dict[str, Macro] = {}
    g = grid
    m["FolkRegimesRuns"] = int_macro(g["regimes"]["seeds"] * g["regimes"]["starts"])
    m["FolkMinimaStarts"] = int_macro(g["minima"]["seeds"] * g["minima"]["starts"])
    m["FolkMinimaSeeds"] = int_macro(g["minima"]["seeds"])
    m["FolkMinimaSteps"] = int_macro(g["minima"]["steps"])
    m["FolkOverfitTrain"] = int_macro(g["overfit"]["net"]["n_train"])
    m["FolkOverfitSteps"] = int_macro(g["overfit"]["steps"])
    m["FolkDecayShort"] = int_macro(min(g["decay"]["budgets"]))
    m["FolkDecayLong"] = int_macro(max(g["decay"]["budgets"]))
    m["FolkDecayTrain"] = int_macro(g["decay"]["net"]["n_train"])
    m["FolkDecaySeeds"] = int_macro(g["decay"]["seeds"])
    m["FolkDecayGridSize"] = int_macro(len(g["decay"]["lr0_grid"]))
    m["FolkDecayGridLo"] = macro(min(g["decay"]["lr0_grid"]), 3)
    m["FolkDecayGridHi"] = macro(max(g["decay"]["lr0_grid"]), 3)
    m["FolkRegimesSeeds"] = int_macro(g["regimes"]["seeds"])
    m["FolkRegimesStarts"] = int_macro(g["regimes"]["starts"])
    m["FolkOverfitSeeds"] = int_macro(g["overfit"]["seeds"])
    m["FolkAdaptiveSteps"] = int_macro(g["adaptive"]["steps"])
    m["FolkAdaptiveSeeds"] = int_macro(g["adaptive"]["n_lrs"] * g["adaptive"]["tune_seeds"])
    m["FolkAdaptiveTol"] = macro(g["adaptive"]["tol"], 1)
    for key, v in regimes.numbers(results["regimes"]).items():
        m[camel("Folk", "regimes", key)] = macro(v, 3)
    for key, v in minima.numbers(results["minima"], g["minima"]["low"],
                                 g["minima"]["high"]).items():
        m[camel("Folk", "minima", key)] = (int_macro(v) if key.endswith(("Minima", "High"))
                                           else macro(v, 2))
    for key, v in cyclical.numbers(results["cyclical"]).items():
        m[camel("Folk", "cyclical", key)] = macro(v, 3)
    for key, v in overfit.numbers(results["overfit"], g["overfit"]["gradients"]).items():
        m[camel("Folk", "overfit", key)] = macro(v, 3)
    d = results["regimes"].get("Logistic")
    if d is not None:
        m["FolkLogisticGlobalOverLocal"] = macro(
            (2 / d["L_global"]) / d["landmarks"]["lr_max"], 2)
    for (gname, T), r in results["decay"].items():
        m[camel("Folk", "decay", gname, T, "lr zero")] = macro(r["lr0"], 2)
        lr0s = np.asarray(r.get("lr0_each", [r["lr0"]]), float)
        m[camel("Folk", "decay", gname, T, "lr zero range")] = Macro(
            float(lr0s.max() / lr0s.min()),
            num(lr0s.min(), 2) if lr0s.min() == lr0s.max()
            else f"{num(lr0s.min(), 2)} to {num(lr0s.max(), 2)}")
        for i, s in enumerate(decay.SCHEDULES):
            m[camel("Folk", "decay", gname, T, s, "acc")] = macro(
                float(np.nanmean(r["test_acc"][i, :, -1])), 3)
    for (pk, gname, meth), r in results["adaptive"].items():
        m[camel("Folk", "adaptive", pk, gname, meth, "steps")] = macro(float(r["steps"].mean()), 3)
        m[camel("Folk", "adaptive", pk, gname, meth, "lr")] = macro(r["lr"], 2)
    return m
