"""Command line, in-process (CliRunner) and once as a real subprocess."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import smesim.io
from smesim import load_scenario
from smesim.analysis import compare
from smesim.analysis.ensemble import MIN_RUNS
from smesim.analysis.run import simulate_scenario
from smesim.analysis.workbook import write_workbook
from smesim.cli import cli
from smesim.errors import ExportError, OutputError
from smesim.export.xmile import parse_dt
from smesim.inputs.profiles import get_profile
from smesim.io import atomic_write, neutralise_cell, staged_files
from smesim.model.horizon import START_YEAR
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
    assert list(df.index) == list(range(START_YEAR, 2061))  # the v2 model starts in 2007
    assert set(CANONICAL) <= set(df.columns)
    expected = simulate_scenario(load_scenario("baseline")).frame()
    for sid in ("wage_ratio_sme", "wage_ratio_all_firms"):
        np.testing.assert_allclose(df[sid], expected[sid], rtol=1e-5)
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
    assert doc["years"][0] == START_YEAR and doc["years"][-1] == 2045
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


# ---- usage errors: one line, the option named (issue 13, defect 6) ----------------------------
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["brief", "--lang", "fr"], "smesim: error: --lang: expected one of en, ko (got 'fr')\n"),
        (
            ["run", "--until", "3000"],
            "smesim: error: --until: expected a whole number from "
            f"{START_YEAR + 1} to 2100 (got 3000)\n",
        ),
        (
            ["compare", "--runs", "1"],
            f"smesim: error: --runs: expected a whole number >= {MIN_RUNS} (got 1)\n",
        ),
        (
            ["data", "check"],
            "smesim: error: FILES: missing (required; see smesim data check --help)\n",
        ),
        (["nosuchcommand"], "smesim: error: No such command 'nosuchcommand'."),
        (["run", "a", "b"], "smesim: error: run: Got unexpected extra argument (b)\n"),
    ],
)
def test_usage_errors_are_one_line(runner, args, line):
    res = runner.invoke(cli, args)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith(line) and res.stderr.count("\n") == 1, res.stderr


def test_help_and_version_are_clicks_own(runner):
    for args in (["--help"], ["run", "--help"], ["data", "check", "--help"], ["--version"]):
        res = runner.invoke(cli, args)
        assert res.exit_code == 0 and res.stderr == "", (args, res.stderr)
    res = runner.invoke(cli, ["run", "--help"], prog_name="smesim")
    assert res.stdout.startswith("Usage: smesim run [OPTIONS] [SCENARIO]")
    assert "[en|ko]" in runner.invoke(cli, ["brief", "--help"]).stdout  # choices still shown
    res = runner.invoke(cli, [])  # no command: click's help, as before
    assert res.exit_code == 2 and "Commands:" in res.output


def test_explained_types_do_not_touch_clicks_shared_types():
    assert type(click.INT) is click.types.IntParamType
    assert type(click.STRING) is click.types.StringParamType


# ---- outputs that cannot be written (issue 13, defect 2) -------------------------------------
def test_an_unwritable_out_is_refused_before_any_work(runner, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(smesim.io.os, "access", lambda *a, **k: calls.append(a) and False)
    monkeypatch.setattr(
        "smesim.cli.run.run_scenario", lambda *a, **k: pytest.fail("ran despite a bad --out")
    )
    res = runner.invoke(cli, ["run", "--out", str(tmp_path / "ro" / "x")])
    assert res.exit_code == 2 and calls
    assert (
        res.stderr
        == f"smesim: error: --out: {tmp_path}/ro/x: cannot write ({tmp_path} is not writable)\n"
    )


def test_atomic_write_refuses_in_one_error_and_leaves_nothing(tmp_path):
    with pytest.raises(OutputError, match=r"^/proc/smesim-x/y\.txt: cannot write \("):
        atomic_write(Path("/proc/smesim-x/y.txt"), "x")
    blocker = tmp_path / "file"
    blocker.write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match=r"file/sub/y\.txt: cannot write \(.*file is a file"):
        atomic_write(blocker / "sub" / "y.txt", "x")
    target = tmp_path / "existing.txt"
    target.write_text("old", encoding="utf-8")

    def fail(tmp):
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "existing.txt",
        "file",
    ]
    with pytest.raises(RuntimeError):  # a new folder made for the file is removed again
        atomic_write(tmp_path / "new" / "deeper" / "x.txt", fail)
    assert not (tmp_path / "new").exists()


def test_staged_files_leave_nothing_when_the_body_fails(tmp_path):
    out = tmp_path / "a" / "b"
    with pytest.raises(RuntimeError), staged_files(out) as stage:
        (stage / "x.csv").write_text("1", encoding="utf-8")
        raise RuntimeError("late failure")
    assert not (tmp_path / "a").exists()
    out.mkdir(parents=True)
    (out / "keep.csv").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), staged_files(out) as stage:
        (stage / "keep.csv").write_text("new", encoding="utf-8")
        raise RuntimeError("late failure")
    assert [p.name for p in out.iterdir()] == ["keep.csv"] and (
        out / "keep.csv"
    ).read_text() == "old"


# ---- file modes honour the umask (issue 13, defect 5) ----------------------------------------
@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_writer_honours_the_umask(runner, tmp_path, umask_022):
    out = tmp_path / "o"
    existing = out / "cal" / "korea.toml"  # an existing set: archived to history/ first
    existing.parent.mkdir(parents=True)
    shutil.copy(get_profile("korea").bundled_params_file, existing)
    for args in (
        ["run", "--out", str(out / "run")],
        ["compare", "regional_dispersion", "--out", str(out / "compare")],
        ["ensemble", "baseline", "--runs", str(MIN_RUNS), "-q", "--out", str(out / "ensemble")],
        [
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--n",
            "2",
            "-q",
            "--out",
            str(out / "s"),
        ],
        ["export", "xmile", "--out", str(out / "model.xmile")],
        ["doc", "--out", str(out / "reference.md")],
        ["calibrate", "--out", str(existing.parent)],
    ):
        res = runner.invoke(cli, args)
        assert res.exit_code == 0, (args, res.stderr)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(list((out / "cal" / "history").iterdir())) == 1  # the previous set
    assert {p.name for p in out.glob("cal/*")} >= {"korea.toml", "japan.toml", "joint.report.md"}
    modes = {str(p.relative_to(out)): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert set(modes.values()) == {"0o644"}, modes


def test_atomic_write_follows_any_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = atomic_write(tmp_path / "x.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# ---- tables safe to open in a spreadsheet (issue 13, defect 12) -----------------------------
@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-1.5", "-1.5"),  # a number written as text stays a number
        ("baseline", "baseline"),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_neutralise_cell(cell, written):
    assert neutralise_cell(cell) == written


def test_comparison_csv_neutralises_formulas_and_keeps_numbers(tmp_path, monkeypatch):
    # a scenario file cannot be named so (names are ids): a Scenario made in code can
    evil = "=cmd|'/c calc'!A0"
    monkeypatch.setattr(
        compare,
        "load_scenario",
        lambda spec: (
            dataclasses.replace(load_scenario(spec), name=evil)
            if spec == "regional_dispersion"
            else load_scenario(spec)
        ),
    )
    comp = compare.compare_scenarios(["regional_dispersion"])
    assert evil in comp.names
    compare.write_comparison(tmp_path, comp)
    text = (tmp_path / "comparison.csv").read_text(encoding="utf-8")
    assert "\n'=cmd|" in text and "\n=cmd" not in text
    back = pd.read_csv(tmp_path / "comparison.csv")
    assert back["diff"].dtype == float and (back["diff"] < 0).any()  # negatives stay numbers
    assert set(back["scenario"]) == {"baseline", "'" + evil}


def test_xlsx_tables_store_neutralised_text_and_numbers(tmp_path):
    df = pd.DataFrame({"scenario": ["=1+1", "ok", "-1.5"], "diff": [-0.5, 2.0, 1.0]})
    path = write_workbook(tmp_path / "t.xlsx", {"comparison": df})
    ws = load_workbook(path)["comparison"]
    assert [c.value for c in ws["A"]] == ["scenario", "'=1+1", "ok", "-1.5"]
    assert ws["A2"].data_type == "s" and ws["B2"].value == -0.5 and ws["B2"].data_type == "n"


# ---- export xmile --dt (issue 13, item 11) ----------------------------------------------------
def test_xmile_dt_is_a_power_of_two():
    assert [parse_dt(t) for t in ("1", "1/2", "0.25", "1/16", "1/32")] == [
        1.0,
        0.5,
        0.25,
        0.0625,
        0.03125,
    ]
    for text in ("1/7", "1/10", "0.1", "1/3"):
        with pytest.raises(
            ExportError, match=r"--dt: expected 1/n of a year with n a power of two"
        ):
            parse_dt(text)


def test_every_table_is_written_through_the_safe_writers():
    """CSV goes through smesim.io.write_csv, XLSX through smesim.analysis.workbook (both
    neutralise cells)."""
    src = Path(smesim.io.__file__).parent
    direct = [
        f"{path.relative_to(src)}:{i}"
        for path in src.rglob("*.py")
        if path.name != "io.py"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".to_csv(" in line
        or ".to_excel(" in line
        or "ExcelWriter(" in line
        or ("Workbook(" in line and path.name != "workbook.py")
    ]
    assert direct == [], direct


def test_output_cut_short_by_the_reader_is_not_an_error():
    """``smesim scenarios | head -1``: the reader closes the pipe; smesim exits quietly."""
    # the installed entry point when it is on PATH, else the same CLI through this Python
    exe = shutil.which("smesim")
    command = f"'{exe}'" if exe else f"'{sys.executable}' -m smesim.cli"
    proc = subprocess.run(
        f"{command} scenarios | head -n 1", shell=True, capture_output=True, text=True, check=False
    )
    assert proc.stdout.strip(), "the first line was printed"
    assert proc.stderr == "", proc.stderr
