r"""The sweep table: columns, dtypes and the no-NaN rule.

Rule: every numeric column is a pandas nullable dtype (``Float64``, ``Int64``) whose values
are finite numbers or ``<NA>``; never NaN or inf. ``<NA>`` means "no such number":

- ``diverged_at``: ``<NA>`` when the run never diverged (``status == "ok"``);
- ``final_f``, ``final_error``: ``<NA>`` when the run diverged (its last finite record is
  not a final value) or the value is not finite;
- ``steps_to_tol``: ``<NA>`` when :math:`e_k \le \mathrm{tol}\, e_0` never held before
  the run ended or diverged;
- estimate columns: ``<NA>`` where the estimator reports no number (its ``regime`` and
  ``reason`` columns say why);
- hyperparameter and schedule-parameter columns: ``<NA>`` on the rows of methods or
  schedules that do not have that parameter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["chunk_frames", "schema", "finalise", "nullable_float", "ID_COLUMNS",
           "RESULT_COLUMNS"]

#: Identity columns (and their dtypes) before the parameter columns.
ID_COLUMNS = {"problem": "string", "problem_key": "string", "method": "string",
              "schedule": "string"}
#: Columns after the parameter columns, before the estimate columns.
RESULT_COLUMNS = {"lr": "Float64", "seed": "Int64", "status": "string",
                  "diverged_at": "Int64", "final_f": "Float64", "final_error": "Float64",
                  "error_measure": "string", "steps_to_tol": "Int64"}


def nullable_float(values) -> pd.api.extensions.ExtensionArray:
    """A ``Float64`` array with every non-finite value replaced by ``<NA>``."""
    a = np.asarray(values, dtype=np.float64)
    return pd.arrays.FloatingArray(np.where(np.isfinite(a), a, 0.0), ~np.isfinite(a))


def _nullable_int(values, missing) -> pd.api.extensions.ExtensionArray:
    a = np.asarray(values, dtype=np.int64)
    return pd.arrays.IntegerArray(np.where(missing, 0, a), np.asarray(missing, bool))


def schema(group) -> dict[str, str]:
    """Column -> dtype of the rows a group produces (also the cache's schema check)."""
    from ._estimate import ESTIMATE_COLUMNS

    cols = dict(ID_COLUMNS)
    cols.update({k: "Float64" for k in group.param_names})
    cols.update(RESULT_COLUMNS)
    cols.update(ESTIMATE_COLUMNS)
    return cols


def chunk_frames(group, i0: int, i1: int, out: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Rows ``i0:i1`` of ``group`` from the host copy ``out`` of the program's outputs."""
    from ._estimate import estimate_columns

    n = i1 - i0
    div = out["diverged_at"]
    diverged = div >= 0
    cols: dict = {
        "problem": [group.problem.name] * n,
        "problem_key": [group.problem.key] * n,
        "method": [group.method.label] * n,
        "schedule": [group.schedule.label] * n,
    }
    for k in group.param_names:
        cols[k] = nullable_float(group.grid[k][i0:i1])
    cols["lr"] = nullable_float(group.grid["lr"][i0:i1])
    cols["seed"] = _nullable_int(group.grid["seed"][i0:i1], np.zeros(n, bool))
    cols["status"] = np.where(diverged, "diverged", "ok").tolist()
    cols["diverged_at"] = _nullable_int(div, ~diverged)
    cols["final_f"] = nullable_float(np.where(diverged, np.nan, out["final_f"]))
    cols["final_error"] = nullable_float(np.where(diverged, np.nan, out["final_error"]))
    cols["error_measure"] = [group.measure] * n
    cols["steps_to_tol"] = _nullable_int(out["steps_to_tol"], out["steps_to_tol"] < 0)
    cols.update(estimate_columns(out["err"], out["n_err"], diverged, group.measure))
    rows = pd.DataFrame(cols).astype(schema(group))
    traj = _trajectories(group, out, n) if group.keep else None
    return rows, traj


def _trajectories(group, out: dict, n: int) -> pd.DataFrame:
    """Long format: one row per run and iterate ``k = 0..T`` (``run`` is the row's position
    in the chunk; :func:`finalise` turns it into the table's index; ``k`` the iterate of
    each record, a multiple of ``record_every``). ``step_norm`` at ``k = T`` is 0 and
    ``lr`` there repeats step ``T-1`` (as in ``Trajectory.to_frame``)."""
    R = group.steps // group.every + 1  # records per run, at iterates k = j * every
    k = np.tile(np.arange(R) * group.every, n)
    div = out["diverged_at"]
    last = np.where(div < 0, group.steps + 1, div)  # records of iterates < diverged_at
    cols = {"run": np.repeat(np.arange(n), R), "k": k,
            "valid": k < np.repeat(last, R)}
    cols["f"] = nullable_float(out["f"].reshape(-1))
    cols["grad_norm"] = nullable_float(out["grad_norm"].reshape(-1))
    cols["dist"] = (nullable_float(out["dist"].reshape(-1)) if "dist" in out
                    else nullable_float(np.full(n * R, np.nan)))
    step = np.concatenate([out["step_norm"], np.zeros((n, 1))], axis=1)
    cols["step_norm"] = nullable_float(step.reshape(-1))
    if "lr" in out:
        lr = np.concatenate([out["lr"], out["lr"][:, -1:]], axis=1)
        cols["lr"] = nullable_float(lr.reshape(-1))
    else:
        cols["lr"] = nullable_float(np.full(n * R, np.nan))
    return pd.DataFrame(cols).astype(TRAJ_SCHEMA)


#: Columns and dtypes of the trajectory file.
TRAJ_SCHEMA = {"run": "int64", "k": "int64", "valid": "bool", "f": "Float64",
               "grad_norm": "Float64", "dist": "Float64", "step_norm": "Float64",
               "lr": "Float64"}


def finalise(frames: list[pd.DataFrame], param_order: list[str]) -> pd.DataFrame:
    """Concatenate chunk rows in order; parameter columns missing from a group are
    ``<NA>``; a fresh ``RangeIndex`` (the ``run`` number of the trajectory file)."""
    from ._estimate import ESTIMATE_COLUMNS

    dtypes = dict(ID_COLUMNS)
    dtypes.update({k: "Float64" for k in param_order})
    dtypes.update(RESULT_COLUMNS)
    dtypes.update(ESTIMATE_COLUMNS)
    if not frames:
        return pd.DataFrame({k: pd.Series([], dtype=v) for k, v in dtypes.items()})
    out = pd.concat([f.reindex(columns=list(dtypes)) for f in frames], ignore_index=True)
    return out.astype(dtypes)
