"""Command line, in-process (CliRunner) and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim import load_scenario
from smesim.analysis.run import simulate_scenario
from smesim.cli import cli
from smesim.model.levers import LEVER_IDS
from smesim.model.outputs import CANONICAL


@pytest.fixture
def runner():
    return CliRunner()


def test_run_default_is_baseline_and_writes_table_and_manifest(runner, tmp_path):
    res = runner.invoke(cli, ["run", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "baseline" in res.output and "2060" in res.output
    df = pd.read_csv(tmp_path / "baseline.csv", index_col="year")
    assert list(df.index) == list(range(2012, 2061))
    assert set(CANONICAL) <= set(df.columns)
    expected = simulate_scenario(load_scenario("baseline")).frame()
    np.testing.assert_allclose(df["wage_ratio_sme"], expected["wage_ratio_sme"], rtol=1e-5)
    man = json.loads((tmp_path / "baseline.manifest.json").read_text())
    for key in ("smesim_version", "scenario", "parameter_set", "time_step_years", "created"):
        assert key in man
    assert len(man["scenario"]["content_sha256"]) == 64
    assert man["time_step_years"] == pytest.approx(1 / 16)


def test_run_path_json_until(runner, tmp_path):
    path = Path(__file__).resolve().parent.parent / "scenarios" / "coexistence_package.toml"
    res = runner.invoke(
        cli, ["run", str(path), "--out", str(tmp_path), "--format", "json", "--until", "2045"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "coexistence_package.json").read_text())
    assert doc["years"][0] == 2012 and doc["years"][-1] == 2045
    assert set(CANONICAL) <= set(doc["series"])


def test_levers_lists_every_lever(runner):
    res = runner.invoke(cli, ["levers"])
    assert res.exit_code == 0
    for lid in LEVER_IDS:
        assert lid in res.output
    assert "4.17" in res.output and "Table 7" in res.output


def test_validate_ok_and_bad(runner, write_scenario):
    bad = write_scenario('name = "x"\ndescription = "y"\n[levers]\nrd_subsidy_rate = 99\n')
    res = runner.invoke(cli, ["validate", "baseline", str(bad)])
    assert res.exit_code == 2
    assert "ok " in res.output
    assert "rd_subsidy_rate: expected a value in [0, 50]" in res.output


@pytest.mark.parametrize(
    "args",
    [
        ["run", "no_such_scenario"],
        ["run", "baseline", "--until", "1999"],
        ["run", "baseline", "--format", "xml"],
    ],
)
def test_bad_input_exits_2_without_traceback(runner, args, tmp_path):
    res = runner.invoke(cli, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    # CliRunner never prints a traceback: an uncaught exception would be res.exception
    assert isinstance(res.exception, SystemExit)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_bad_scenario_writes_nothing_and_keeps_existing_outputs(runner, tmp_path, write_scenario):
    out = tmp_path / "out"
    assert runner.invoke(cli, ["run", "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write_scenario('name = "baseline"\ndescription = "y"\n[levers]\nfoo = 1\n')
    res = runner.invoke(cli, ["run", str(bad), "--out", str(out)])
    assert res.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_installed_command_runs_as_a_subprocess(tmp_path):
    exe = Path(sys.executable).parent / "smesim"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "smesim.cli"]
    ok = subprocess.run(
        [*cmd, "run", "regional_dispersion", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "regional_dispersion.csv").exists()
    bad = subprocess.run([*cmd, "run", "nope.toml"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "nope.toml: scenario not found" in bad.stderr
