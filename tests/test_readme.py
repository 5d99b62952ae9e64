"""The README's ```python examples run, in order, in one namespace (```py blocks are
illustrations that need a cluster and are not run)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_examples_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)  # the sweep example writes its cache here
    namespace: dict = {}
    for code in blocks:
        exec(compile(code, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    # First example: GD at lr = 0.015 on a spectrum [1, 100] contracts by
    # max(|1 - 0.015|, |1 - 1.5|) = 0.985; the estimate and the theory both print it.
    assert out.splitlines()[0].startswith("linear 0.98")
    # "Rates of runs you already have": both logged SGD runs (consistent least squares, so
    # SGD converges linearly) are linear, the larger step contracts faster, and the rate
    # per step is the tenth root of the rate per record (one record every 10 steps).
    rates = namespace["rates"]
    assert list(rates.regime) == ["linear", "linear"]
    assert 0 < rates.rate[1] < rates.rate[0] < 1
    assert all(abs(r ** 10 - c) <= 1e-12 for r, c in zip(rates.rate_per_step, rates.rate,
                                                          strict=True))


def test_readme_method_table_is_the_registry():
    # The README's method table is `python -m lrtheory.methods` verbatim: the update rule,
    # conventions and hyperparameter ranges of each MethodSpec, so it cannot drift.
    from lrtheory.methods.__main__ import markdown

    assert markdown() in README.read_text()
