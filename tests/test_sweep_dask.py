"""sweep(executor=Client): chunks run on a Dask cluster and land in the same cache."""

import pandas as pd
import pytest

from lrtheory.problems import quadratic
from lrtheory.sweep import logspace, sweep

distributed = pytest.importorskip("distributed")


def _sweep(**kw):
    return sweep({"gd": "gd", "adam": "adam"}, quadratic(dim=4, cond=10.0, seed=3),
                 logspace(1e-3, 0.3, 9), seeds=2, x0="random", steps=80, chunk_size=5,
                 progress=False, **kw)


def test_dask_cluster_gives_the_local_table_and_fills_the_cache(tmp_path):
    local = _sweep()
    # One in-process worker with two threads: a real scheduler, workers and futures (the
    # groups are scattered and the chunks submitted as tasks) without spawning processes.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = _sweep(executor=client, cache_dir=tmp_path)
        assert remote.attrs["cache_hits"] == 0
        # "dask" picks up the current client
        again = _sweep(executor="dask", cache_dir=tmp_path)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    assert again.attrs["cache_hits"] == again.attrs["chunks"] == 2 * 4  # 18 runs / 5 -> 4
    cached = _sweep(cache_dir=tmp_path)  # the local executor reads what Dask wrote
    assert cached.attrs["cache_hits"] == cached.attrs["chunks"]
    pd.testing.assert_frame_equal(cached, local, check_exact=True)


def test_dask_without_a_client_is_a_clear_error():
    with pytest.raises(ValueError, match="executor='dask' needs a running"):
        _sweep(executor="dask")
