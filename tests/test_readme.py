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


def test_readme_method_table_is_the_registry():
    # The README's method table is `python -m lrtheory.methods` verbatim: the update rule,
    # conventions and hyperparameter ranges of each MethodSpec, so it cannot drift.
    from lrtheory.methods.__main__ import markdown

    assert markdown() in README.read_text()
