"""``python -m lrtheory.methods``: the README's method table, from the registry.

One row per registered method: its name (and aliases), the update rule exactly as the
code computes it (:attr:`MethodSpec.summary`), its conventions and its hyperparameters
with their defaults and ranges, all as ``methods.toml`` gives them. The README embeds this
output verbatim and a test keeps the two equal, so the table cannot drift from the code.
"""

from __future__ import annotations

from ._registry import names, spec


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def markdown() -> str:
    """The method table as Markdown (one row per method, in registry order)."""
    rows = ["| method | update (as computed) | conventions | hyperparameters |",
            "|---|---|---|---|"]
    for n in names():
        s = spec(n)
        name = f"`{n}`" + "".join(f" (`{a}`)" for a in s.aliases)
        lr = "lr required" if s.lr_required else f"lr = 1 by default ({s.lr_doc})"
        hyper = "; ".join([lr] + [f"{h.name} = {h.default:g} ({h.range})" for h in s.hyper])
        rows.append(f"| {name} | {_cell(s.summary)} | {_cell(s.conventions)} | "
                    f"{_cell(hyper)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
