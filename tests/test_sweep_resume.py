"""The sweep cache: resuming a killed sweep, corrupt files, failures, read-only caches."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from lrtheory.problems import quadratic
from lrtheory.sweep import CacheWarning, logspace, sweep
from lrtheory.sweep import _cache as cache_mod
from lrtheory.sweep import _group as group_mod

# Several chunks of a few runs, each long enough (10^4 steps in d = 60) that a sweep is
# still running when its first chunk file appears.
SLOW = textwrap.dedent("""
    import sys
    from lrtheory.problems import quadratic
    from lrtheory.sweep import logspace, sweep

    def run(cache_dir):
        return sweep("gd", quadratic(dim=60, cond=100.0, seed=0), logspace(1e-3, 1.5e-2, 40),
                     steps=10_000, chunk_size=4, cache_dir=cache_dir, progress=False)

    if __name__ == "__main__":
        run(sys.argv[1])
""")


def _chunk_files(d: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in d.glob("*.parquet")}


def test_killed_sweep_resumes_from_its_cache(tmp_path):
    script = tmp_path / "slow_sweep.py"
    script.write_text(SLOW)
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, str(script), str(cache)], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not (cache.exists() and _chunk_files(cache)):
            assert proc.poll() is None, "the sweep ended before writing a chunk"
            assert time.monotonic() < deadline, "no chunk file within 120 s"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    before = _chunk_files(cache)
    assert 1 <= len(before) < 10  # killed mid-way: some of the 10 chunks are missing

    sys.path.insert(0, str(tmp_path))
    try:
        import slow_sweep
    finally:
        sys.path.remove(str(tmp_path))
    resumed = slow_sweep.run(cache)
    assert resumed.attrs["cache_hits"] == len(before)
    after = _chunk_files(cache)
    assert len(after) == 10
    assert all(after[name] == mtime for name, mtime in before.items())  # not rewritten
    fresh = slow_sweep.run(None)
    pd.testing.assert_frame_equal(resumed, fresh, check_exact=True)


def _small(cache_dir, **kw):
    return sweep("gd", quadratic(dim=3, cond=10.0, seed=1), logspace(1e-2, 0.3, 6), steps=60,
                 chunk_size=3, cache_dir=cache_dir, progress=False, **kw)


def test_cached_rows_are_not_read_by_other_library_code(tmp_path, monkeypatch):
    # A cached chunk holds the estimator's columns, so its key includes the digest of
    # lrtheory's files: the same sweep under other code (here: another digest) recomputes
    # every chunk, and under the same code reads them all.
    first = _small(tmp_path)
    assert _small(tmp_path).attrs["cache_hits"] == 2
    monkeypatch.setattr(group_mod, "source_digest", lambda: "another estimator")
    again = _small(tmp_path)
    assert again.attrs["cache_hits"] == 0
    pd.testing.assert_frame_equal(again, first, check_exact=True)
    assert len(list(tmp_path.glob("*.parquet"))) == 4


def test_source_digest_covers_code_and_data(monkeypatch):
    # the digest reads every file of the package: the .py files and the data files whose
    # values decide results (thresholds, OrderEstimate fields, methods)
    from lrtheory import _provenance

    root = _provenance._ROOT
    calls = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: calls.append(self) or real(self))
    _provenance.source_digest.cache_clear()
    d = _provenance.source_digest()
    monkeypatch.undo()
    read = {p.relative_to(root).as_posix() for p in calls}
    assert {"estimate/thresholds.toml", "estimate/fields.toml", "methods/methods.toml",
            "estimate/_linear.py"} <= read
    assert len(d) == 64 and d == _provenance.source_digest()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong_rows"])
def test_corrupt_cache_file_is_reported_and_recomputed(tmp_path, damage):
    good = _small(tmp_path)
    files = sorted(tmp_path.glob("*.parquet"))
    assert len(files) == 2
    victim = files[0]
    if damage == "garbage":
        victim.write_bytes(b"not a parquet file")
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:200])
    else:  # a readable parquet file with another chunk's rows: schema/rows check
        victim.write_bytes(files[1].read_bytes())
    with pytest.warns(CacheWarning, match=victim.name):
        again = _small(tmp_path)
    assert again.attrs["cache_hits"] == 1
    pd.testing.assert_frame_equal(again, good, check_exact=True)
    # recomputed and rewritten: a third run reads both chunks without complaint
    third = _small(tmp_path)
    assert third.attrs["cache_hits"] == 2
    pd.testing.assert_frame_equal(third, good, check_exact=True)


def test_failures_are_never_cached(tmp_path, monkeypatch):
    real = group_mod.chunk_frames
    calls = []

    def flaky(group, i0, i1, out):
        calls.append(i0)
        if len(calls) == 2:
            raise RuntimeError("simulated failure in the second chunk")
        return real(group, i0, i1, out)

    monkeypatch.setattr(group_mod, "chunk_frames", flaky)
    with pytest.raises(RuntimeError, match="simulated"):
        _small(tmp_path)
    assert len(list(tmp_path.glob("*.parquet"))) == 1  # only the chunk that succeeded
    assert not list(tmp_path.glob(".*.tmp"))
    monkeypatch.setattr(group_mod, "chunk_frames", real)
    table = _small(tmp_path)
    assert table.attrs["cache_hits"] == 1
    pd.testing.assert_frame_equal(table, _small(None), check_exact=True)


def test_read_only_cache_warns_reads_and_computes(tmp_path, monkeypatch):
    # Tests may run as root, for whom chmod does not stop writes: simulate the OS refusing
    # to create files in the cache directory instead.
    good = _small(tmp_path)
    first = sorted(tmp_path.glob("*.parquet"))[0]
    first.unlink()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache_mod.tempfile, "mkstemp", refuse)
    with pytest.warns(CacheWarning, match="not writable"):
        table = _small(tmp_path)
    assert table.attrs["cache_hits"] == 1  # the chunk still there was read
    assert not first.exists()  # the recomputed one was not written
    pd.testing.assert_frame_equal(table, good, check_exact=True)


def test_cache_dir_that_is_a_file_is_an_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(ValueError, match="cache_dir"):
        _small(f)
    assert os.path.getsize(f) == 0


def test_temporary_files_of_killed_sweeps_are_removed_after_a_day(tmp_path):
    stale = tmp_path / ".abc.parquet.123.deadbeef.tmp"
    fresh = tmp_path / ".def.parquet.456.cafe.tmp"  # perhaps a sweep writing right now
    for f in (stale, fresh):
        f.write_bytes(b"partial")
    day = 86400
    os.utime(stale, (time.time() - day - 60, time.time() - day - 60))
    _small(tmp_path)
    assert not stale.exists() and fresh.exists()
