"""Dask: the same ensemble and sensitivity study on a LocalCluster give the same numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from distributed import LocalCluster

from smesim.analysis.ensemble import run_ensemble
from smesim.analysis.sensitivity import model_factors, run_sensitivity
from smesim.cli import cli
from smesim.engine.parallel import Execution, run_tasks
from smesim.errors import SchedulerError


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes on loopback, closed after the module."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        protocol="tcp",
    ) as c:
        yield c


def test_ensemble_on_dask_equals_local(cluster):
    kw = {"runs": 300, "seed": 5, "until": 2040}
    local = run_ensemble(["coexistence_package"], **kw)
    remote = run_ensemble(
        ["coexistence_package"],
        scheduler=cluster.scheduler_address,
        chunk_runs=70,
        batch_runs=33,
        **kw,
    )
    pd.testing.assert_frame_equal(remote.bands, local.bands, check_exact=True)
    pd.testing.assert_frame_equal(remote.probabilities, local.probabilities, check_exact=True)
    assert remote.meta["execution"]["executor"] == "dask"


def test_sensitivity_on_dask_equals_local(cluster):
    kw = {
        "method": "sobol",
        "n": 16,
        "seed": 4,
        "outputs": ["coexistence_regional"],
        "years": [2030, 2040],
        "factors": model_factors(parameters=False),
    }
    local = run_sensitivity("regional_dispersion", **kw)
    remote = run_sensitivity(
        "regional_dispersion", scheduler=cluster.scheduler_address, chunk_rows=37, **kw
    )
    pd.testing.assert_frame_equal(remote.table, local.table, check_exact=True)


def test_cli_ensemble_with_scheduler(cluster, tmp_path):
    r = CliRunner().invoke(
        cli,
        [
            "ensemble",
            "regional_dispersion",
            "--runs",
            "20",
            "--until",
            "2030",
            "--quiet",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "bands.csv").is_file()


def _threads_of_tasks(address, n_tasks=4):
    got = []
    run_tasks(
        lambda _task: __import__("smesim.engine.threads").engine.threads.get_threads(),
        list(range(n_tasks)),
        Execution(scheduler=address),
        lambda i, r: got.append(r),
    )
    return got


def test_tasks_use_as_many_threads_as_their_worker_has(cluster):
    """Single-threaded workers: one compiled-loop thread each (two worker
    processes on a host must not each take every core)."""
    assert _threads_of_tasks(cluster.scheduler_address) == [1, 1, 1, 1]


def test_unreachable_scheduler_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("SMESIM_DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(SchedulerError, match="cannot connect"):
        run_ensemble(["baseline"], runs=20, scheduler="tcp://127.0.0.1:9", until=2014)
    r = CliRunner().invoke(
        cli,
        [
            "ensemble",
            "baseline",
            "--runs",
            "20",
            "--until",
            "2014",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert r.exit_code == 2 and "cannot connect" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_ensemble_on_one_multithreaded_worker_equals_local():
    """Two tasks at once in one worker process share its compiled-loop threads
    (smesim.engine.threads): still the same numbers."""
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        protocol="tcp",
    ) as c:
        kw = {"runs": 300, "seed": 7, "until": 2035}
        local = run_ensemble(["regional_dispersion"], **kw)
        remote = run_ensemble(
            ["regional_dispersion"],
            scheduler=c.scheduler_address,
            chunk_runs=40,
            batch_runs=40,
            **kw,
        )
        assert _threads_of_tasks(c.scheduler_address) == [2, 2, 2, 2]
    pd.testing.assert_frame_equal(remote.bands, local.bands, check_exact=True)
    pd.testing.assert_frame_equal(remote.probabilities, local.probabilities, check_exact=True)
