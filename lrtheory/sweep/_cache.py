"""The chunk cache: one parquet file per chunk, written atomically, checked when read.

Layout: ``<cache_dir>/<key>.parquet`` holds a chunk's table rows, ``<key>.traj.parquet``
its trajectories (only when they were asked for). The key is stored in the file's
metadata and checked on reading, with the columns, dtypes and number of rows; a file that
fails any check (or cannot be read at all) is reported with :class:`CacheWarning` naming
it and recomputed (then overwritten). Writes go to a temporary file in the same directory
that ``os.replace`` renames into place, so a killed run leaves either the whole file or
none (its temporary files are removed by a later sweep once a day old). Only successful
chunks reach :meth:`ChunkCache.write`: failures are never cached.

A cache directory that cannot be written (read-only, or not creatable) is *not* an error:
:class:`CacheWarning` says so once, cached chunks found there are still read, and the rest
is computed without being written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._group import ChunkResult

__all__ = ["ChunkCache", "CacheWarning"]

_META = b"lrtheory.sweep.key"
_STALE_S = 86400.0


class CacheWarning(UserWarning):
    """A sweep cache file was unreadable/inconsistent, or the cache is not writable.

    Example:
      >>> import warnings
      >>> with warnings.catch_warnings(record=True) as caught:
      ...     warnings.simplefilter("always")
      ...     cache = ChunkCache("/dev/null/cache")  # cannot be created: computes uncached
      >>> caught[0].category is CacheWarning, cache.writable
      (True, False)
    """


class ChunkCache:
    """Read and write chunk results under ``path`` (``None``: no cache at all)."""

    def __init__(self, path):
        self.path = None if path is None else Path(path)
        self.writable = False
        if self.path is None:
            return
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"cache_dir={str(path)!r} exists and is not a directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=self.path, prefix=".probe-")
            os.close(fd)
            os.remove(probe)
            self.writable = True
            self._sweep_stale()
        except OSError as e:
            warnings.warn(f"cache_dir={str(self.path)!r} is not writable ({e}); cached chunks "
                          "are read but new results are computed without being cached",
                          CacheWarning, stacklevel=3)

    def _sweep_stale(self) -> None:
        """Remove temporary files a killed sweep left behind (older than a day, so that
        a sweep writing into the same directory right now is not disturbed)."""
        now = time.time()
        for tmp in self.path.glob(".*.parquet.*.tmp"):
            with contextlib.suppress(OSError):
                if now - tmp.stat().st_mtime > _STALE_S:
                    tmp.unlink()

    def files(self, key: str) -> tuple[Path, Path]:
        return self.path / f"{key}.parquet", self.path / f"{key}.traj.parquet"

    def _read_one(self, file: Path, key: str, dtypes: dict, n: int) -> pd.DataFrame:
        table = pq.read_table(file)
        meta = table.schema.metadata or {}
        if meta.get(_META) != key.encode():
            raise ValueError("its key does not match the configuration")
        df = table.to_pandas()
        if list(df.columns) != list(dtypes):
            raise ValueError(f"columns {list(df.columns)} differ from {list(dtypes)}")
        if len(df) != n:
            raise ValueError(f"{len(df)} rows where {n} were expected")
        return df.astype(dtypes)

    def read(self, key: str, dtypes: dict, n: int, traj_dtypes: dict | None,
             n_traj: int) -> ChunkResult | None:
        """The cached result of chunk ``key``, or ``None`` (absent, or corrupt: warned)."""
        if self.path is None:
            return None
        rows_file, traj_file = self.files(key)
        if not rows_file.exists() or (traj_dtypes is not None and not traj_file.exists()):
            return None
        file = rows_file
        try:
            rows = self._read_one(rows_file, key, dtypes, n)
            traj = None
            if traj_dtypes is not None:
                file = traj_file
                traj = self._read_one(traj_file, key, traj_dtypes, n_traj)
        except Exception as e:  # pyarrow raises many types on damaged files
            warnings.warn(f"sweep cache file {str(file)!r} is unusable ({type(e).__name__}: "
                          f"{e}); recomputing that chunk", CacheWarning, stacklevel=4)
            return None
        return ChunkResult(rows, traj)

    def _write_one(self, df: pd.DataFrame, file: Path, key: str) -> None:
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META:
                                               key.encode()})
        tmp = file.with_name(f".{file.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, file)
        finally:
            if tmp.exists():
                tmp.unlink()

    def write(self, key: str, result: ChunkResult) -> None:
        """Store a finished chunk (trajectories first: the rows file marks completion)."""
        if self.path is None or not self.writable:
            return
        rows_file, traj_file = self.files(key)
        try:
            if result.traj is not None:
                self._write_one(result.traj, traj_file, key)
            self._write_one(result.rows, rows_file, key)
        except OSError as e:
            self.writable = False
            warnings.warn(f"could not write the sweep cache file {str(rows_file)!r} ({e}); "
                          "continuing without caching", CacheWarning, stacklevel=4)
