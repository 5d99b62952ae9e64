"""What produced a result: the package's own files, hashed, for the caches that must not
outlive the code that filled them (the sweep's chunk cache, the studies' cache)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

__all__ = ["source_digest"]

_ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def source_digest() -> str:
    """sha256 of every file of the lrtheory package (code and data: ``*.py``, the
    thresholds, the OrderEstimate fields and the methods in ``*.toml``, ``*.json``), each
    by its path inside the package and its bytes, in sorted order; computed once a process.
    Any change that can change a result changes it (a docstring does too: caches are
    rebuilt rather than risk a stale row)."""
    h = hashlib.sha256()
    files = sorted(p for p in _ROOT.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    for f in files:
        h.update(f.relative_to(_ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
