"""Every bad input gets one line on stderr, exit code 2, no traceback and no output.

One table of bad inputs across the commands: malformed and impossible scenario
files, release files and their values, options, output paths that cannot be
written, parameter files.  Each row gives the arguments (``{bad}`` is a folder
of bad files made once, ``{out}`` an output folder that must stay empty) and
what the one line must name: the file and key or row, or the option.  A few
rows run the installed ``smesim`` command as a subprocess, the rest run in
process (CliRunner keeps stderr apart from stdout).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from smesim.analysis.ensemble import MIN_RUNS
from smesim.cli import cli
from smesim.model.horizon import START_YEAR

HEAD = 'name = "t"\ndescription = "test"\n'
RAMP = HEAD + '[levers.regional_dispersion]\ntype = "ramp"\nstart = 2026\ntarget = 0.7\n'
RELEASE = "series,year,value,unit\n"
NEXT_YEAR = date.today().year + 1

#: Scenario files by name (TOML text, or bytes).
SCENARIO_FILES: dict[str, str | bytes] = {
    "malformed.toml": HEAD + "[levers\n",
    "unknown_key.toml": HEAD + 'colour = "red"\n',
    "unknown_lever.toml": HEAD + "[levers]\nrd_subsidy = 5\n",
    "out_of_range.toml": HEAD + "[levers]\nrd_subsidy_rate = 99\n",
    "ramp_years_nan.toml": RAMP + "years = nan\n",
    "ramp_years_inf.toml": RAMP + "years = inf\n",
    "value_inf.toml": HEAD + '[levers.rd_subsidy_rate]\ntype = "constant"\nvalue = inf\n',
    "number_nan.toml": HEAD + "[levers]\nrd_subsidy_rate = nan\n",
    "table_year_inf.toml": HEAD
    + '[levers.rd_subsidy_rate]\ntype = "table"\nyears = [2020, inf]\nvalues = [5, 6]\n',
    "pulse_value_minus_inf.toml": HEAD
    + '[levers.rd_subsidy_rate]\ntype = "pulse"\nstart = 2030\nyears = 2\nvalue = -inf\n',
    "horizon_half.toml": HEAD + "horizon = 2040.5\n",
    "horizon_far.toml": HEAD + "horizon = 3000\n",
    "ramp_backwards.toml": RAMP + "end = 2020\n",
    "ramp_both.toml": RAMP + "years = 4\nend = 2030\n",
    "step_1999.toml": HEAD + '[levers.rd_subsidy_rate]\ntype = "step"\nyear = 1999\nvalue = 5\n',
    "table_unsorted.toml": HEAD
    + '[levers.rd_subsidy_rate]\ntype = "table"\nyears = [2030, 2020]\nvalues = [5, 6]\n',
    "table_short.toml": HEAD
    + '[levers.rd_subsidy_rate]\ntype = "table"\nyears = [2020, 2030]\nvalues = [5]\n',
    "type_wave.toml": HEAD + '[levers.rd_subsidy_rate]\ntype = "wave"\nvalue = 5\n',
    "lever_bool.toml": HEAD + "[levers]\nrd_subsidy_rate = true\n",
    "no_description.toml": 'name = "t"\n',
    "name_formula.toml": 'name = "=HYPERLINK(\\"http://x\\",\\"click\\")"\ndescription = "d"\n',
    "name_spaces.toml": 'name = "my policy"\ndescription = "d"\n',
    "extends_missing.toml": HEAD + 'extends = "no_such_parent"\n',
    "cycle_a.toml": 'name = "a"\ndescription = "d"\nextends = "cycle_b.toml"\n',
    "cycle_b.toml": 'name = "b"\ndescription = "d"\nextends = "cycle_a.toml"\n',
    "latin1.toml": HEAD.encode() + b"# caf\xe9\n",
    "ranges_malformed.toml": "[ranges\n",
    "params_unknown.toml": "[parameters]\nnope = 1\n",
    "params_nan.toml": "[parameters]\ninit_wage_ratio_1_4 = nan\n",
    "params_bounds.toml": "[parameters]\ninit_wage_ratio_1_4 = 1e9\n",
    "title_number.toml": HEAD + "title = 5\n",
    "ramp_early.toml": HEAD
    + '[levers.rd_subsidy_rate]\ntype = "ramp"\nstart = 2020\nyears = 5\ntarget = 10\n',
    "policy_start_early.toml": HEAD + "policy_start = 2000\n",
}

#: Release files by name (CSV text).
RELEASE_FILES: dict[str, str] = {
    "wage_530.csv": RELEASE + "wage_ratio_sme,2020,530,%\n",
    "share_negative.csv": RELEASE + "rd_share_sme,2018,-2.5,%\n",
    "share_above_100.csv": RELEASE + "export_share_sme,2018,120,%\n",
    "future_year.csv": RELEASE + f"rd_share_sme,{NEXT_YEAR},20,%\n",
    "unknown_series.csv": RELEASE + "wage_ratio_smes,2017,50,%\n",
    "wrong_unit.csv": RELEASE + "wage_ratio_sme,2017,50,KRW\n",
    "decimal_comma.csv": "series;year;value\nexport_share_sme;2017;18,2\n",
    "duplicate.csv": RELEASE + "rd_share_sme,2017,20,%\nrd_share_sme,2017H1,21,%\n",
    "quarter.csv": RELEASE + "rd_share_sme,2017Q1,20,%\n",
    "empty.csv": "",
    "no_series_column.csv": "name,year,value\nrd_share_sme,2017,20\n",
    "not_a_number.csv": RELEASE + "rd_share_sme,2017,about 20,%\n",
    "value_nan.csv": RELEASE + "rd_share_sme,2017,nan,%\n",
    "weight_negative.csv": "series,year,value,weight\nrd_share_sme,2017,20,-1\n",
    "ratio_zero.csv": RELEASE + "productivity_ratio_sme,2017,0,%\n",
    "release.txt": RELEASE + "rd_share_sme,2017,20,%\n",
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    """A folder of bad files, made once."""
    d = tmp_path_factory.mktemp("bad")
    for name, text in {**SCENARIO_FILES, **RELEASE_FILES}.items():
        if isinstance(text, bytes):
            (d / name).write_bytes(text)
        else:
            (d / name).write_text(text, encoding="utf-8")
    (d / "a_file").write_text("not a folder\n", encoding="utf-8")
    (d / "a_dir.toml").mkdir()
    (d / "empty_dir").mkdir()
    (d / "corrupt.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    # reading /proc/self/mem at offset 0 fails with EIO: an I/O error on a file that exists
    for name in ("mem.toml", "mem.csv", "mem.xlsx"):
        (d / name).symlink_to("/proc/self/mem")
    wb = Workbook()
    ws = wb.active
    ws.append(["series", "year", "value"])
    ws.append(["wage_ratio_sme", 2017, "=50+4.2"])  # openpyxl stores no cached value
    wb.save(d / "formula.xlsx")
    return d


def user_parameter_file(folder: Path) -> None:
    """A calibration of the user's own (which every command then uses) that is malformed."""
    path = Path(os.environ["XDG_DATA_HOME"]) / "smesim" / "params" / "korea.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[parameters]\n[oops]\n", encoding="utf-8")


def row(args: str, names: str, *, subprocess: bool = False, setup=None, id: str):
    return pytest.param(args.split(), names, subprocess, setup, id=id)


ROWS = [
    # ---- scenario files -------------------------------------------------------------------
    row("validate {bad}/malformed.toml", "malformed.toml: malformed TOML", id="toml-malformed"),
    row("run {bad}/unknown_key.toml", "unknown_key.toml: colour: unknown key", id="unknown-key"),
    row("run {bad}/unknown_lever.toml", "levers.rd_subsidy: unknown lever", id="unknown-lever"),
    row(
        "compare {bad}/out_of_range.toml",
        "levers.rd_subsidy_rate: expected a value in [0, 50]",
        id="lever-out-of-range",
    ),
    row(
        "run {bad}/ramp_years_nan.toml",
        "ramp_years_nan.toml: levers.regional_dispersion.years: expected a finite number (got nan)",
        subprocess=True,
        id="ramp-years-nan",
    ),
    row(
        "compare {bad}/ramp_years_inf.toml",
        "levers.regional_dispersion.years: expected a finite number (got inf)",
        id="ramp-years-inf",
    ),
    row(
        "validate {bad}/value_inf.toml",
        "levers.rd_subsidy_rate.value: expected a finite number (got inf)",
        id="value-inf",
    ),
    row(
        "run {bad}/number_nan.toml",
        "levers.rd_subsidy_rate: expected a finite number (got nan)",
        id="lever-nan",
    ),
    row("run {bad}/table_year_inf.toml", "levers.rd_subsidy_rate.years", id="table-year-inf"),
    row(
        "validate {bad}/pulse_value_minus_inf.toml",
        "levers.rd_subsidy_rate.value: expected a finite number (got -inf)",
        id="pulse-minus-inf",
    ),
    row(
        "run {bad}/horizon_half.toml",
        "horizon_half.toml: horizon: expected a whole year (got 2040.5)",
        id="horizon-fraction",
    ),
    row("run {bad}/horizon_far.toml", "horizon_far.toml: horizon", id="horizon-too-far"),
    row("run {bad}/ramp_backwards.toml", "ramp ends before it starts", id="ramp-backwards"),
    row("validate {bad}/ramp_both.toml", "exactly one of 'years' or 'end'", id="ramp-both"),
    row("run {bad}/step_1999.toml", "levers.rd_subsidy_rate.year", id="step-year-1999"),
    row("run {bad}/table_unsorted.toml", "expected strictly increasing years", id="table-order"),
    row("run {bad}/table_short.toml", "expected as many values as years", id="table-short"),
    row("run {bad}/type_wave.toml", "expected type one of constant", id="schedule-type"),
    row("run {bad}/lever_bool.toml", "levers.rd_subsidy_rate: expected a number", id="bool"),
    row("run {bad}/no_description.toml", "description: missing required key", id="no-desc"),
    row(
        "compare {bad}/name_formula.toml",
        "name_formula.toml: name: expected an id",
        subprocess=True,
        id="name-formula",
    ),
    row("run {bad}/name_spaces.toml", "name_spaces.toml: name: expected an id", id="name-space"),
    row("run {bad}/extends_missing.toml", "extends_missing.toml: extends", id="extends-missing"),
    row("run {bad}/cycle_a.toml", "expected no cycle of 'extends'", id="extends-cycle"),
    row("run {bad}/a_dir.toml", "a_dir.toml: is a directory", id="scenario-directory"),
    row("run {bad}/none.toml", "none.toml: scenario not found", id="scenario-missing"),
    row("run {bad}/latin1.toml", "latin1.toml: expected UTF-8", id="scenario-not-utf8"),
    # named by its real path (scenario paths are resolved, for inheritance)
    row("validate {bad}/mem.toml", "mem: cannot read (Input/output", id="scenario-unreadable"),
    # ---- release files ------------------------------------------------------------------
    row(
        "data check {bad}/wage_530.csv",
        "wage_530.csv, row 2, column 'value': wage_ratio_sme: expected a ratio in (0, 200]",
        subprocess=True,
        id="release-wage-530",
    ),
    row(
        "calibrate --profile korea --data {bad}/wage_530.csv --out {out}/k",
        "wage_530.csv, row 2",
        id="calibrate-wage-530",
    ),
    row("data check {bad}/share_negative.csv", "row 2, column 'value'", id="share-negative"),
    row("data check {bad}/share_above_100.csv", "expected a share in [0, 100]", id="share-120"),
    row("data check {bad}/ratio_zero.csv", "expected a ratio in (0, 200]", id="ratio-zero"),
    row(
        "data check {bad}/future_year.csv",
        f"future_year.csv, row 2, column 'year': year in the future: expected "
        f"{NEXT_YEAR - 1} or earlier",
        id="release-future-year",
    ),
    row("data check {bad}/unknown_series.csv", "unknown series id", id="release-series"),
    row("data check {bad}/wrong_unit.csv", "column 'unit': wrong unit", id="release-unit"),
    row("data check {bad}/decimal_comma.csv", "decimal_comma.csv, row 2", id="decimal-comma"),
    row("data check {bad}/duplicate.csv", "duplicate rd_share_sme 2017", id="release-duplicate"),
    row("data check {bad}/quarter.csv", "column 'year'", id="release-quarter"),
    row("data check {bad}/empty.csv", "empty.csv: empty file", id="release-empty"),
    row("data check {bad}/no_series_column.csv", "expected a 'series' column", id="no-series"),
    row("data check {bad}/not_a_number.csv", "expected a number", id="release-text-value"),
    row("data check {bad}/value_nan.csv", "value_nan.csv, row 2", id="release-nan"),
    row("data check {bad}/weight_negative.csv", "expected a weight >= 0", id="weight-negative"),
    row("data check {bad}/release.txt", "expected a .csv or .xlsx", id="release-suffix"),
    row("data check {bad}/empty_dir", "empty_dir: no release files", id="release-empty-dir"),
    row("data check {bad}/missing.csv", "missing.csv: file not found", id="release-missing"),
    row(
        "data check {bad}/mem.csv",
        "mem.csv: cannot read (Input/output error)",
        id="release-unreadable",
    ),
    row(
        "calibrate --profile korea --data {bad}/mem.xlsx --out {out}/k",
        "mem.xlsx: cannot read (Input/output error)",
        id="calibrate-release-unreadable",
    ),
    row(
        "data check {bad}/formula.xlsx",
        "formula.xlsx, row 2, column 'C (value)': formula without a cached value",
        id="xlsx-formula",
    ),
    row("data check {bad}/corrupt.xlsx", "corrupt.xlsx: cannot read as XLSX", id="xlsx-corrupt"),
    # ---- options ------------------------------------------------------------------------
    row(
        "run --until 3000 --out {out}",
        f"--until: expected a whole number from {START_YEAR + 1} to 2100 (got 3000)",
        subprocess=True,
        id="until-3000",
    ),
    row(
        f"run --until {START_YEAR} --out {{out}}",  # the start year itself: nothing to run
        f"--until: expected a whole number from {START_YEAR + 1} to 2100 (got {START_YEAR})",
        id="until-start-year",
    ),
    row(
        "brief --lang fr --out {out}",
        "--lang: expected one of en, ko (got 'fr')",
        id="lang-fr",
    ),
    row(
        "run --profile usa --out {out}",
        "--profile: expected one of korea, japan (got 'usa')",
        id="profile-usa",
    ),
    row(
        "ensemble baseline --runs 0 --out {out}",
        f"--runs: expected a whole number >= {MIN_RUNS} (got 0)",
        id="runs-0",
    ),
    row("compare --seed -1 --out {out}", "--seed: expected a whole number >= 0", id="seed-neg"),
    row("run --until soon --out {out}", "--until: expected a whole number", id="until-text"),
    row("run --format xml --out {out}", "--format: expected one of csv, json", id="format"),
    row("run --out {bad}/a_file", "--out: expected a directory (got the file", id="out-is-file"),
    row("doc --out {bad}/empty_dir", "--out: expected a file (got the directory", id="out-dir"),
    row("ensemble --out {out}", "SCENARIOS: missing", id="missing-argument"),
    row("export xmile", "--out: missing", id="missing-option"),
    row("run --nope --out {out}", "No such option '--nope'", id="unknown-option"),
    row(
        "export xmile --dt 1/7 --out {out}/m.xmile",
        "--dt: expected 1/n of a year with n a power of two",
        id="dt-1/7",
    ),
    row("export xmile --dt 0.3 --out {out}/m.xmile", "--dt: expected 1/n", id="dt-0.3"),
    row("compare --years 2030,abc --out {out}", "--years", id="years-text"),
    row("compare --target nope=3 --out {out}", "--target 'nope=3'", id="target-series"),
    row("sensitivity baseline --n 3 --out {out}", "--n: expected a power of two", id="sobol-n"),
    row("loops nope --out {out}", "nope: scenario not found", id="loops-scenario"),
    row(
        "loops baseline --years 2070 --out {out}",
        "--years: expected whole years in",
        id="loops-years-horizon",
    ),
    row(
        "loops --years 2030,abc --out {out}", "--years: expected comma-separated", id="loops-years"
    ),
    # ---- outputs that cannot be written -----------------------------------------------
    row(
        "run --out /proc/smesim-x",
        "/proc/smesim-x: cannot write",
        subprocess=True,
        id="run-out-proc",
    ),
    row("compare baseline --out /sys/smesim-x", "/sys/smesim-x: cannot write", id="compare-sys"),
    row(
        "brief baseline --format png --out {bad}/a_file/sub",
        "a_file/sub: cannot write",
        id="brief-out-under-file",
    ),
    row(
        f"ensemble baseline --runs {MIN_RUNS} -q --out /proc/smesim-x",
        "/proc/smesim-x: cannot write",
        id="ensemble-out-proc",
    ),
    row(
        "sensitivity baseline --method morris --n 2 -q --out /proc/smesim-x",
        "/proc/smesim-x: cannot write",
        id="sensitivity-out-proc",
    ),
    row("export xmile --out /proc/m.xmile", "/proc/m.xmile: cannot write", id="xmile-out-proc"),
    row("doc --out /sys/smesim.md", "/sys/smesim.md: cannot write", id="doc-out-sys"),
    row("calibrate --out /proc/smesim", "/proc/smesim/japan.toml: cannot write", id="cal-proc"),
    row("run --format xlsx --out /proc/smesim-x", "/proc/smesim-x: cannot write", id="xlsx-proc"),
    row("run --plot --out /sys/smesim-x", "/sys/smesim-x: cannot write", id="plot-out-sys"),
    # ---- parameter files ------------------------------------------------------------------
    row("run --params {bad}/params_unknown.toml --out {out}", "parameters.nope", id="params-key"),
    row(
        "compare --params {bad}/malformed.toml --out {out}",
        "malformed.toml: malformed TOML",
        id="params-malformed",
    ),
    row(
        "export xmile --params {bad}/params_nan.toml --out {out}/m.xmile",
        "params_nan.toml: parameters.init_wage_ratio_1_4: expected a finite number (got nan)",
        id="params-nan",
    ),
    row(
        "ensemble baseline --params {bad}/params_bounds.toml --out {out}",
        "params_bounds.toml: init_wage_ratio_1_4: expected a value in",
        id="params-out-of-bounds",
    ),
    row(
        "calibrate --profile korea --add {bad}/wage_530.csv --out {out}/k",
        "wage_530.csv, row 2, column 'value'",
        id="calibrate-add-530",
    ),
    row(
        "calibrate --add {bad}/wage_530.csv --out {out}/k",
        "--data/--add: name the country the releases describe with --profile",
        id="calibrate-add-no-country",
    ),
    row("calibrate --out {out}/k.toml", "k.toml: expected a directory", id="calibrate-out-file"),
    row("run {bad}/title_number.toml --out {out}", "title_number.toml: title", id="title-type"),
    row(
        "compare {bad}/ramp_early.toml --out {out}",
        "ramp_early.toml: levers.rd_subsidy_rate.start: lever rd_subsidy_rate starts in 2020, "
        "before the policy start 2026 (profile korea)",
        id="lever-before-policy-start",
    ),
    row(
        "validate {bad}/policy_start_early.toml",
        "policy_start_early.toml: policy_start: expected a year after the start year",
        id="policy-start-early",
    ),
    row(
        f"ensemble baseline --runs {MIN_RUNS} --ranges {{bad}}/ranges_malformed.toml --out {{out}}",
        "ranges_malformed.toml: malformed TOML",
        id="ranges-malformed",
    ),
    row(
        "run --out {out}",
        "smesim/params/korea.toml: oops: unknown table",
        setup=user_parameter_file,
        id="user-parameter-file",
    ),
]


def _smesim() -> list[str]:
    exe = Path(sys.executable).parent / "smesim"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "smesim.cli"]


@pytest.mark.parametrize("args, names, as_subprocess, setup", ROWS)
def test_bad_input_is_one_line_exit_2_nothing_written(
    bad, tmp_path, monkeypatch, args, names, as_subprocess, setup
):
    out = tmp_path / "out"
    argv = [a.format(bad=bad, out=out) for a in args]
    if setup is not None:
        setup(tmp_path)
    if as_subprocess:
        proc = subprocess.run(
            [*_smesim(), *argv], capture_output=True, text=True, timeout=120, cwd=tmp_path
        )
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    else:
        monkeypatch.chdir(tmp_path)
        res = CliRunner().invoke(cli, argv)
        assert isinstance(res.exception, SystemExit), res.exception
        code, stdout, stderr = res.exit_code, res.stdout, res.stderr
    assert code == 2, (stdout, stderr)
    assert stderr.startswith("smesim: error: ") and stderr.count("\n") == 1, stderr
    assert names in stderr, stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["out"])  # nothing in cwd


def test_the_table_covers_every_kind_of_bad_input():
    assert len(ROWS) >= 40
    commands = {p.values[0][0] for p in ROWS}
    assert commands >= {
        "run",
        "compare",
        "brief",
        "ensemble",
        "sensitivity",
        "calibrate",
        "data",
        "export",
        "doc",
        "validate",
    }
    assert sum(p.values[2] for p in ROWS) >= 4  # some through the installed command


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_output_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        for args in (["run"], ["compare", "baseline"], ["doc"]):
            target = ro / ("x.md" if args == ["doc"] else "x")
            res = CliRunner().invoke(cli, [*args, "--out", str(target)])
            assert res.exit_code == 2 and res.stderr.count("\n") == 1, res.stderr
            assert f"{target}: cannot write" in res.stderr
        assert not any(ro.iterdir())
    finally:
        ro.chmod(0o755)
