"""The package itself: a light `import lrtheory` (lazy names), lrt.run / lrt.sweep stay the
functions, and the two 64-bit modes of lrtheory.config (global by default, local on
request) give the same float64 numbers. Fresh interpreters (subprocesses) where the
process-wide JAX flag or the set of imported modules is what is tested."""

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import lrtheory

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("jax", "optax", "sympy", "pandas", "scipy", "matplotlib")


def _python(code: str, **env) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, env={**os.environ, **env}, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip().splitlines()[-1]


def test_import_is_light_and_dir_lists_the_lazy_names():
    out = _python(f"import sys, lrtheory; print(sorted(m for m in {HEAVY!r} "
                  f"if m in sys.modules))")
    assert out == "[]"
    names = dir(lrtheory)
    assert set(lrtheory._LAZY) <= set(names) and {"problems", "theory", "plots"} <= set(names)
    assert set(lrtheory.__all__) <= set(names)


def test_run_and_sweep_are_the_functions_whatever_was_imported_first():
    # importing the submodule first would shadow the function without the package's hook
    out = _python("import lrtheory.run, lrtheory.sweep, lrtheory, sys, types\n"
                  "from lrtheory import run, sweep\n"
                  "print([type(v).__name__ for v in (lrtheory.run, lrtheory.sweep, run, sweep,"
                  " sys.modules['lrtheory.run'], sys.modules['lrtheory.sweep'])])")
    assert out == str(["function"] * 4 + ["module"] * 2)
    assert isinstance(lrtheory.run, types.FunctionType) and lrtheory.run.__name__ == "run"
    from lrtheory.run import scan_trajectory  # the module's other names stay importable

    assert callable(scan_trajectory)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lrtheory.nope  # noqa: B018


def test_global_mode_turns_x64_on_with_the_jax_layer_not_at_import():
    out = _python("import jax, lrtheory; a = jax.config.jax_enable_x64\n"
                  "import lrtheory.problems; print(a, jax.config.jax_enable_x64)")
    assert out == "False True"


# Every registered problem but the two nets (seconds to build; a small MLP stands in): f and
# its gradient at x0 inside lrtheory's float64 context (a constant rounded to float32 at
# construction would show), then lrtheory's own runs: run, the range test, a grid search,
# a sweep. The float64 numbers as hex, to compare bit for bit.
_SCRIPT = r"""
import json, jax, jax.numpy as jnp, numpy as np, lrtheory as lrt
from lrtheory.config import precision
def hexes(a): return [float(v).hex() for v in np.asarray(a, float).reshape(-1)]
out = {}
names = [n for n in lrt.problems.names() if n not in ("mlp", "cnn") and not n.startswith("mgh_")]
names += ["mgh_gulf", "mgh_osborne2"]  # two of the 35 MGH functions: data columns, 65 residuals
probs = {n: lrt.problems.get(n) for n in names}
probs["mlp"] = lrt.problems.get("mlp", hidden=4, n_train=40, seed=1)
for n, p in probs.items():
    with precision("float64"):  # one compiled call per problem (eager ops compile each)
        f, g = jax.jit(lambda x: (p.value(x), p.grad(x)))(jnp.asarray(p.x0))
        out[n] = hexes(f) + hexes(g) + [str(f.dtype), str(g.dtype)]
q = lrt.problems.quadratic(dim=4, cond=10.0, seed=0)
out["run"] = hexes(lrt.run(lrt.methods.get("gd", lr=1e-3), probs["mlp"], 3).f)
out["find_lr"] = hexes(lrt.find_lr("gd", q, 1e-3, 10.0, steps=40).loss)
out["grid"] = hexes(lrt.grid_search("gd", q, {"lr": [0.01, 0.1]}, steps=30).table["value"])
out["sweep"] = hexes(lrt.sweep("gd", q, lrs=[0.01, 0.1], steps=30, progress=False)["final_f"])
print(json.dumps({"flag": bool(jax.config.jax_enable_x64), "out": out}))
"""


def test_local_mode_leaves_the_flag_off_and_gives_the_same_float64_numbers():
    # the two interpreters run side by side (about 15 s of CPU each)
    procs = [subprocess.Popen([sys.executable, "-c", _SCRIPT], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "LRTHEORY_X64": mode})
             for mode in ("global", "local")]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    glob, loc = (json.loads(out.strip().splitlines()[-1]) for out, _ in outs)
    assert glob["flag"] is True and loc["flag"] is False
    assert set(glob["out"]) == set(loc["out"])
    for key, values in glob["out"].items():
        assert loc["out"][key] == values, key  # bit for bit
        if key in glob["out"] and key not in ("run", "find_lr", "grid", "sweep"):
            assert values[-2:] == ["float64", "float64"], key


def test_a_bad_mode_is_named():
    r = subprocess.run([sys.executable, "-c", "import lrtheory.problems"], cwd=ROOT,
                       capture_output=True, text=True, env={**os.environ,
                                                            "LRTHEORY_X64": "sometimes"})
    assert r.returncode != 0
    assert "LRTHEORY_X64='sometimes' must be one of ('global', 'local')" in r.stderr


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_thread_count_is_named(monkeypatch, value):
    from lrtheory.config import estimator_threads

    monkeypatch.setenv("LRTHEORY_THREADS", value)
    with pytest.raises(ValueError, match=rf"LRTHEORY_THREADS='{value}' must be a positive"):
        estimator_threads()
    monkeypatch.setenv("LRTHEORY_THREADS", " 3 ")
    assert estimator_threads() == 3
    monkeypatch.delenv("LRTHEORY_THREADS")
    assert estimator_threads() == len(os.sched_getaffinity(0))


def test_run_dtype():
    import jax

    import lrtheory as lrt

    # GD with lr = 1/2 on f = x^2/2 from 1 halves x exactly, in float32 as in float64:
    # dist_k = 2^-k, f_k = 2^-(2k+1) (normal float32 numbers down to 2^-126)
    p = lrt.problems.quadratic([[1.0]], x0=[1.0])
    gd = lrt.methods.get("gd", lr=0.5)
    t = lrt.run(gd, p, steps=60, dtype="float32")
    k = np.arange(61)
    assert t.dist.dtype == t.f.dtype == t.step_norm.dtype == t.lr.dtype == np.float32
    np.testing.assert_array_equal(t.dist, 0.5**k)
    np.testing.assert_array_equal(t.f, 0.5 ** (2 * k + 1))
    assert jax.config.jax_enable_x64  # the float32 run did not touch the global flag
    # float64 is the default, whatever the dtype of x0
    t64 = lrt.run(gd, p, steps=3, x0=np.float32([1.0]))
    assert t64.dist.dtype == np.float64
    # float32 rounds: GD at lr 0.1 on f = x^2/2 from 1 gives 0.9^k rounded once per step
    t32 = lrt.run(lrt.methods.get("gd", lr=0.1), p, steps=10, dtype="float32")
    x = np.float32(1.0)
    for _ in range(10):
        x = np.float32(x - np.float32(0.1) * x)
    assert t32.dist[-1] == abs(x)
    with pytest.raises(ValueError, match=r"dtype must be one of \('float64', 'float32'\)"):
        lrt.run(gd, p, steps=3, dtype="float16")


def test_precision_context_is_scoped():
    import jax
    import jax.numpy as jnp

    from lrtheory.config import check_dtype, precision

    before = jax.config.jax_enable_x64
    with precision("float32"):
        assert jnp.ones(1).dtype == jnp.float32
        assert jax.config.jax_default_matmul_precision == "highest"
    assert jax.config.jax_enable_x64 == before
    assert check_dtype(np.dtype("float32")) == "float32"
    with pytest.raises(ValueError, match="dtype must be one of"):
        check_dtype("int8")
