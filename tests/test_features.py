"""Issue 13, "what users expect": --params, calibrate --add, smesim scenarios, scenario
titles, run --plot, --format xlsx, named progress bars, the policy-start warning, the
--runs minimum, the compare sign (defect 8) and the smaller defects of item 11."""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from smesim.analysis import compare as cmp
from smesim.analysis.calibrate import calibration_data
from smesim.analysis.ensemble import MIN_RUNS, run_ensemble
from smesim.analysis.run import run_scenario, simulate_scenario
from smesim.cli import cli
from smesim.cli.progress import progress
from smesim.errors import CompareError, ParameterError, ScenarioError
from smesim.inputs.profiles import get_profile, profile_names
from smesim.inputs.scenario import LANGS, bundled_names, load_scenario
from smesim.model.horizon import START_YEAR
from smesim.model.outputs import HEADLINE
from smesim.report import charts
from smesim.report.i18n import scenario_name, scenario_titles

KOREA_SET = get_profile("korea").bundled_params_file

#: Values each in bounds, together impossible: SME support alone exceeds the SME R&D share.
IMPOSSIBLE = """\
[parameters]
init_rd_share_sme = 5
sme_share_of_subsidy = 1
sme_share_of_tax_incentive = 1
subsidy_additionality = 2
tax_additionality = 2
"""
IMPOSSIBLE_KEYS = (
    "init_rd_share_sme, sme_share_of_subsidy, sme_share_of_tax_incentive, "
    "subsidy_additionality, tax_additionality"
)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def other_set(tmp_path):
    """The bundled Korea set with one calibrated value changed: a 'new calibration'."""
    text = KOREA_SET.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^init_wage_ratio_1_4 = .*$", "init_wage_ratio_1_4 = 30.0", text, count=1)
    assert tomllib.loads(text)["parameters"]["init_wage_ratio_1_4"] == 30.0
    path = tmp_path / "new.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


# ---- --params FILE ----------------------------------------------------------------------
def test_run_with_params_uses_the_file_and_records_it(runner, tmp_path, other_set):
    res = runner.invoke(cli, ["run", "--params", str(other_set), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert f"parameters: {other_set}" in res.output
    got = pd.read_csv(tmp_path / "o" / "baseline.csv", index_col="year")
    pset = get_profile("korea").parameter_set(other_set)
    assert pset.as_dict()["init_wage_ratio_1_4"] == 30.0
    expected = simulate_scenario("baseline", pset).frame()
    default = simulate_scenario("baseline").frame()
    np.testing.assert_allclose(got["wage_ratio_1_4"], expected["wage_ratio_1_4"], rtol=1e-5)
    assert abs(got.at[2012, "wage_ratio_1_4"] - default.at[2012, "wage_ratio_1_4"]) > 1
    man = json.loads((tmp_path / "o" / "baseline.manifest.json").read_text())
    assert man["parameter_set"]["source"] == str(other_set)
    assert man["parameter_set"]["sha256"] == _sha(other_set)


def test_compare_ensemble_sensitivity_brief_xmile_record_the_params_file(
    runner, tmp_path, other_set
):
    sha = _sha(other_set)
    p = ["--params", str(other_set)]
    r = runner.invoke(cli, ["compare", "regional_dispersion", *p, "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "c" / "comparison.json").read_text())["meta"]
    assert (meta["parameter_set"], meta["parameter_set_sha256"]) == (str(other_set), sha)

    r = runner.invoke(
        cli,
        [
            "ensemble",
            "regional_dispersion",
            "--runs",
            "20",
            "--until",
            "2030",
            "-q",
            *p,
            "--out",
            str(tmp_path / "e"),
        ],
    )
    assert r.exit_code == 0, r.output
    man = json.loads((tmp_path / "e" / "manifest.json").read_text())
    assert man["parameter_set"] == {"source": str(other_set), "sha256": sha}

    r = runner.invoke(
        cli,
        [
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--n",
            "2",
            "--years",
            "2030",
            "--outputs",
            "coexistence_overall",
            "-q",
            *p,
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert r.exit_code == 0, r.output
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert man["parameter_set"] == {"source": str(other_set), "sha256": sha}

    r = runner.invoke(
        cli,
        [
            "brief",
            "regional_dispersion",
            "--format",
            "png",
            "--dpi",
            "72",
            *p,
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert r.exit_code == 0, r.output
    man = json.loads((tmp_path / "b" / "brief.manifest.json").read_text())
    assert man["comparison"]["parameter_set_sha256"] == sha

    r = runner.invoke(cli, ["export", "xmile", *p, "--out", str(tmp_path / "m.xmile")])
    assert r.exit_code == 0, r.output
    xmile = (tmp_path / "m.xmile").read_text(encoding="utf-8")
    assert f"parameters {other_set}." in xmile
    assert re.search(r'<aux name="init_wage_ratio_1_4">\s*<eqn>30(\.0)?</eqn>', xmile)


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["compare", "regional_dispersion"],
        ["brief", "regional_dispersion", "--format", "png"],
        ["ensemble", "regional_dispersion", "--runs", "20", "-q"],
        ["sensitivity", "baseline", "--method", "morris", "--n", "2", "-q"],
        ["export", "xmile"],
    ],
    ids=lambda c: c[0] if c[0] != "export" else "export-xmile",
)
def test_an_impossible_parameter_file_is_one_line_and_writes_nothing(runner, tmp_path, command):
    bad = tmp_path / "impossible.toml"
    bad.write_text(IMPOSSIBLE, encoding="utf-8")
    out = tmp_path / ("o.xmile" if command[0] == "export" else "o")
    r = runner.invoke(cli, [*command, "--params", str(bad), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)  # no traceback
    lines = _lines(r.stderr)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"smesim: error: {bad}: {IMPOSSIBLE_KEYS}: expected ")
    assert "got init_rd_share_sme = 5" in lines[0]
    assert not out.exists()


def test_the_library_checks_the_rules_when_the_file_is_read(tmp_path):
    bad = tmp_path / "impossible.toml"
    bad.write_text(IMPOSSIBLE, encoding="utf-8")
    with pytest.raises(ParameterError, match=re.escape(f"{bad}: {IMPOSSIBLE_KEYS}")):
        get_profile("korea").parameter_set(bad)
    with pytest.raises(ParameterError, match="file not found"):
        run_scenario("baseline", params_file=tmp_path / "missing.toml")


# ---- calibrate --add --------------------------------------------------------------------
NEW_RELEASE = (
    "series,year,value,unit,source,note,weight\n"
    "wage_ratio_sme,2019,53.5,%,test release,,1\n"
    "rd_share_sme,2019,21.0,%,test release,,1\n"
)


def _report(out: Path) -> dict:
    return json.loads((out / "joint.report.json").read_text(encoding="utf-8"))


def _files(report: dict) -> list[str]:
    text = json.dumps(report)
    return [name for name in ("2019-10-park2019-paper.csv", "new.csv") if name in text]


def _korea_fit(report: dict) -> dict:
    return report["fit"]["by_country"]["korea"]


def test_calibrate_add_keeps_the_bundled_points_and_adds_the_new_ones(runner, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text(NEW_RELEASE, encoding="utf-8")
    r = runner.invoke(cli, ["calibrate", "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    bundled_only = _report(tmp_path / "a")
    add = ["calibrate", "--profile", "korea", "--add", str(new), "--out", str(tmp_path / "b")]
    r = runner.invoke(cli, add)
    assert r.exit_code == 0, r.output
    added = _report(tmp_path / "b")
    assert _files(added) == ["2019-10-park2019-paper.csv", "new.csv"]
    assert "3 release file(s)" in r.output and "new.csv" in r.output  # both countries'
    assert added["joint"] is True  # adding a Korean release still fits jointly
    md = (tmp_path / "b" / "joint.report.md").read_text(encoding="utf-8")
    assert "2019-10-park2019-paper.csv" in md and "new.csv" in md
    old, new_fit = _korea_fit(bundled_only), _korea_fit(added)
    assert new_fit["n_points"] == old["n_points"] + 2
    assert new_fit["n_fitted"] == old["n_fitted"] + 2
    assert (
        added["fit"]["by_country"]["japan"]["n_points"]
        == (bundled_only["fit"]["by_country"]["japan"]["n_points"])
    )
    # --data alone replaces Korea's bundled releases: only the new file's two points
    data = ["calibrate", "--profile", "korea", "--data", str(new), "--out", str(tmp_path / "c")]
    r = runner.invoke(cli, data)
    assert r.exit_code == 0, r.output
    replaced = _report(tmp_path / "c")
    assert "2019-10-park2019-paper.csv" not in json.dumps(
        [f for f in replaced["data_files"] if f["profile"] == "korea"]
    )
    assert _korea_fit(replaced)["n_points"] == 2


def test_calibration_data_orders_bundled_then_added(tmp_path):
    assert calibration_data(None, None) == dict.fromkeys(profile_names())
    new = tmp_path / "new.csv"
    files = calibration_data(None, [new], profile="japan")
    assert files["korea"] is None  # Korea keeps its bundled releases
    jp = files["japan"]
    assert jp[-1] == new and all("releases/japan" in str(f) for f in jp[:-1])
    got = calibration_data([tmp_path / "a.csv"], [new], profile="korea")
    assert got["korea"] == [tmp_path / "a.csv", new]


def test_calibrate_prints_a_short_summary_not_the_report(runner, tmp_path):
    out = tmp_path / "k"
    r = runner.invoke(cli, ["calibrate", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) <= 14  # the full report is over 150 lines
    for word in ("RMSE", "R²", "Theil U^M", "drift", "optimiser", "full report (markdown)"):
        assert word in r.stdout, word
    assert str(out / "joint.report.md") in r.stdout
    assert "## Estimates" not in r.output
    # recalibrating over it: drift against the sets it replaces
    r = runner.invoke(cli, ["calibrate", "--out", str(out), "--seed", "1"])
    assert f"drift from {out / 'japan.toml'}; {out / 'korea.toml'}: RMSE on these data" in r.output


# ---- scenario titles and smesim scenarios -----------------------------------------------
def test_bundled_scenarios_have_english_and_korean_titles():
    for name in bundled_names():
        sc = load_scenario(name)
        assert set(sc.title) == set(LANGS), name
        assert all(t.strip() and len(t) <= 40 for t in sc.title.values())
        assert re.search("[가-힣]", sc.title["ko"]), name
        assert sc.name == name  # the name stays an id


@pytest.mark.parametrize(
    ("title", "key", "message"),
    [
        ('title.fr = "Ma politique"', "title.fr", "unknown language (expected one of en, ko)"),
        ('title.en = "  "', "title.en", "expected a non-empty string (got '  ')"),
        ("title.en = 3", "title.en", "expected a non-empty string (got 3)"),
        ("title = 3", "title", "expected a table such as en"),
        ("title = {}", "title", "expected a table such as en"),
    ],
)
def test_bad_titles_are_one_line_errors(write_scenario, title, key, message):
    path = write_scenario(f'name = "s"\ndescription = "d"\n{title}\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: {key}: {message}" or str(info.value).startswith(
        f"{path}: {key}: {message}"
    )


def test_title_forms_and_fallbacks(write_scenario):
    table = write_scenario(
        'name = "a"\ndescription = "d"\n[title]\nen = "Alpha"\nko = "알파"\n', "a.toml"
    )
    dotted = write_scenario('name = "b"\ndescription = "d"\ntitle.en = "Beta"\n', "b.toml")
    plain = write_scenario('name = "c"\ndescription = "d"\ntitle = "Gamma"\n', "c.toml")
    none = write_scenario('name = "d"\ndescription = "d"\nextends = "baseline"\n', "d.toml")
    a, b, c, d = (load_scenario(p) for p in (table, dotted, plain, none))
    assert (a.display_name(), a.display_name("ko")) == ("Alpha", "알파")
    assert (b.display_name(), b.display_name("ko")) == ("Beta", "Beta")  # English fallback
    assert c.display_name() == "Gamma"
    assert d.title == {} and d.display_name("ko") == "d"  # not inherited: the name


def test_custom_titles_show_in_tables_legends_and_the_brief(write_scenario, tmp_path):
    path = write_scenario(
        'name = "my_policy"\ndescription = "d"\nextends = "regional_dispersion"\n'
        'title.en = "My policy"\ntitle.ko = "나의 정책"\n'
    )
    comp = cmp.compare_scenarios([path], years=(2030,))
    text = cmp.format_table(comp)
    assert "My policy" in text and "my_policy" not in text.split("Cells:")[0]
    assert "**My policy** (`my_policy`" in cmp.to_markdown(comp)
    assert set(pd.read_csv(io.StringIO(comp.table.to_csv()))["scenario"]) == {
        "baseline",
        "my_policy",
    }  # the CSV keeps ids
    with scenario_titles(comp.scenarios):
        _, labels = charts.legend_handles(comp.names, charts.scenario_colours(comp.names))
        assert labels == ["Baseline (current policy)", "My policy"]
        assert scenario_name("my_policy", "ko") == "나의 정책"
    assert scenario_name("my_policy") == "my_policy"  # outside the block: the id
    assert scenario_name("rd_support_uk", "ko") == "R&D 지원: 영국 수준"  # bundled titles
    r = CliRunner().invoke(
        cli, ["brief", str(path), "--format", "png", "--dpi", "72", "--out", str(tmp_path / "b")]
    )
    assert r.exit_code == 0, r.output
    md = (tmp_path / "b" / "comparison.md").read_text(encoding="utf-8")
    assert "My policy" in md


def test_labels_tell_apart_scenarios_sharing_a_title(write_scenario):
    a = write_scenario('name = "a"\ndescription = "d"\ntitle = "Same"\n', "a.toml")
    b = write_scenario('name = "b"\ndescription = "d"\ntitle = "Same"\n', "b.toml")
    comp = cmp.compare_scenarios([a, b], years=(2030,))
    assert comp.labels() == {
        "baseline": "Baseline (current policy)",
        "a": "Same (a)",
        "b": "Same (b)",
    }


def test_scenarios_command_lists_every_bundled_scenario(runner, write_scenario):
    r = runner.invoke(cli, ["scenarios"])
    assert r.exit_code == 0, r.output
    heads = [ln for ln in r.output.splitlines() if ln and not ln.startswith(" ")]
    assert [h.split(":")[0] for h in heads] == [
        "baseline",
        "rd_support_france",
        "rd_support_uk",
        "rd_support_usa",
        "regional_dispersion",
        "coexistence_package",
    ]
    assert "rd_support_france: R&D support: France level" in heads
    assert "levers moved: rd_subsidy_rate, rd_tax_incentive_rate" in r.output
    assert "France's 2015 mix" in r.output
    ko = runner.invoke(cli, ["scenarios", "--lang", "ko"])
    assert "rd_support_france: R&D 지원: 프랑스 수준" in ko.output
    path = write_scenario(
        'name = "mine"\ndescription = "Mine."\n[levers]\ngreen_transition = 0.5\n'
    )
    own = runner.invoke(cli, ["scenarios", str(path)])
    assert own.output.splitlines()[:2] == ["mine: mine", "  levers moved: green_transition"]


# ---- run --plot and --format xlsx ---------------------------------------------------------
def test_run_plot_writes_png_and_svg_beside_the_table(runner, tmp_path):
    out = tmp_path / "o"
    r = runner.invoke(cli, ["run", "coexistence_package", "--plot", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "coexistence_package.csv",
        "coexistence_package.manifest.json",
        "coexistence_package.png",
        "coexistence_package.svg",
    ]
    with Image.open(out / "coexistence_package.png") as im:
        assert im.size == (1920, 1080)
    svg = (out / "coexistence_package.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert f"wrote {out / 'coexistence_package.png'}" in r.output


def test_run_figure_has_the_headline_panels_and_a_source_line():
    from smesim.report.run_chart import run_figure

    sc, result = run_scenario("coexistence_package")
    fig = run_figure(sc, result)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    # a panel per headline series, the coexistence indices together in one panel
    assert len([t for t in titles if t and t != "Levers set"]) == len(HEADLINE) - 4
    coex = next(ax for ax in fig.axes if ax.get_title() == "Overall coexistence and components")
    legend = [t.get_text() for t in coex.get_legend().get_texts()]
    assert legend == [
        "Economic",
        "Regional",
        "Human (partly assumed trend)",
        "Natural (assumed trend)",
        "Overall (partly assumed trend)",
    ]
    assert fig._suptitle.get_text().startswith("Coexistence package: headline outputs")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "smesim" in texts and "korea.toml" in texts
    first = fig.axes[0]
    assert any(ln.get_xdata()[0] == result.plan.policy_start == 2026 for ln in first.lines[1:])
    assert [ln.get_color() for ln in first.lines[:1]] == [charts.OKABE_ITO["vermillion"]]


def test_run_xlsx_has_the_series_and_the_manifest_as_numbers(runner, tmp_path):
    r = runner.invoke(
        cli, ["run", "regional_dispersion", "--format", "xlsx", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "regional_dispersion.xlsx")
    assert wb.sheetnames == ["series", "series_info", "manifest"]
    info = {r[0]: r[2] for r in wb["series_info"].iter_rows(min_row=2, values_only=True)}
    assert info["coexistence_natural"] == "assumed trend"
    assert info["sme_skills_index"] == "assumed trend"
    assert info["coexistence_economic"] is None  # empty: not assumed
    ws = wb["series"]
    header = [c.value for c in ws[1]]
    assert header[0] == "year" and "wage_ratio_sme" in header
    col = header.index("wage_ratio_sme")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(range(START_YEAR, 2061))
    assert all(isinstance(r[col], float) for r in rows)
    expected = simulate_scenario("regional_dispersion").frame()["wage_ratio_sme"]
    np.testing.assert_allclose([r[col] for r in rows], expected.to_numpy(), rtol=1e-12)
    manifest = dict(wb["manifest"].iter_rows(min_row=2, values_only=True))
    assert manifest["command"] == "run" and manifest["scenario.name"] == "regional_dispersion"
    assert len(manifest["parameter_set.sha256"]) == 64


def test_compare_xlsx_sheets_numbers_and_text_never_a_formula(runner, write_scenario, tmp_path):
    path = write_scenario(
        'name = "eq"\ndescription = "=1+1"\nextends = "regional_dispersion"\n'
        'title = "=HYPERLINK(\\"http://x\\",\\"click\\")"\n'
    )
    out = tmp_path / "c"
    r = runner.invoke(
        cli,
        [
            "compare",
            str(path),
            "--target",
            "wage_ratio_sme=60",
            "--format",
            "xlsx",
            "--years",
            "2030,2040",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.json",
        "comparison.md",
        "comparison.xlsx",
    ]
    wb = openpyxl.load_workbook(out / "comparison.xlsx")
    assert wb.sheetnames == [
        "levels",
        "differences",
        "differences_pct",
        "comparison",
        "targets",
        "lever_changes",
        "scenarios",
        "series_info",
        "manifest",
    ]
    levels = pd.DataFrame(wb["levels"].values)
    assert list(levels.iloc[0, :4]) == ["series", "unit", "trend", "year"]
    natural = levels[levels[0] == "coexistence_natural"]
    assert set(natural[2]) == {"assumed trend"}
    comp = cmp.compare_scenarios([path], years=(2030, 2040))
    title = "'" + '=HYPERLINK("http://x","click")'  # neutralised (OWASP), as in the CSV
    assert list(levels.iloc[0, 4:]) == ["Baseline (current policy)", title]
    s = "capital_region_grp_share"
    row = levels[(levels[0] == s) & (levels[3] == 2040)].iloc[0]
    assert row[5] == pytest.approx(comp.value("eq", s, 2040), rel=1e-12)
    diffs = pd.DataFrame(wb["differences"].values)
    drow = diffs[(diffs[0] == s) & (diffs[3] == 2040)].iloc[0]
    assert isinstance(drow[5], float) and drow[5] < -1 and drow[4] == 0
    changes = pd.DataFrame(wb["lever_changes"].values)
    assert list(changes.iloc[1, :2]) == ["eq", "regional_dispersion"]
    assert changes.iloc[1, 2] == 2026 and changes.iloc[1, 6] == 0.7
    targets = pd.DataFrame(wb["targets"].values)
    assert list(targets.iloc[0]) == ["scenario", "series", "direction", "target", "year", "reached"]
    for ws in wb:  # every text cell is text: no formula anywhere
        for cells in ws.iter_rows():
            assert all(c.data_type != "f" for c in cells)
    assert wb["levels"].cell(1, 6).value == title


# ---- progress bars name what they count ------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bars_say_what_they_count(monkeypatch, runner, tmp_path):
    err = _Tty()
    monkeypatch.setattr("sys.stderr", err)
    with progress(40, "ensemble runs", quiet=False) as update:
        update(40)
    assert "ensemble runs: 100%" in err.getvalue()
    seen = []

    def spy(total, what, quiet):
        seen.append(what)
        return progress(total, what, True)

    monkeypatch.setattr("smesim.cli.ensemble.progress", spy)
    monkeypatch.setattr("smesim.cli.sensitivity.progress", spy)
    r = runner.invoke(
        cli, ["ensemble", "baseline", "--runs", "20", "--until", "2014", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        [
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--n",
            "2",
            "--years",
            "2030",
            "--no-parameters",
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert seen == ["ensemble runs", "sensitivity runs"]


def test_calibration_progress_counts_starts(capsys):
    from smesim.analysis.calibrate import calibrate

    calibrate(profile="korea", progress=True, n_starts=1, n_screen=4)
    assert "calibration starts (korea)" in capsys.readouterr().err


# ---- policy start -----------------------------------------------------------------------------
def test_policy_start_is_the_profiles_and_used_by_sensitivity_and_the_bundled_ramps():
    """The policy start is a profile setting (tests/test_policy_start.py tests the rule)."""
    starts = {get_profile(n).policy_start for n in ("korea", "japan")}
    assert starts == {2026}
    ramps = {s.start for sc in map(load_scenario, bundled_names()) for s in sc.own.values()}
    assert ramps <= starts  # the bundled scenarios start then


# ---- a consistent minimum for --runs ------------------------------------------------------------
@pytest.mark.parametrize("command", ["ensemble", "compare", "brief"])
def test_runs_below_the_minimum_is_refused_by_every_command(runner, tmp_path, command):
    out = tmp_path / "o"
    r = runner.invoke(
        cli, [command, "regional_dispersion", "--runs", str(MIN_RUNS - 1), "--out", str(out)]
    )
    assert r.exit_code == 2
    assert "--runs" in r.output and f"{MIN_RUNS - 1}" in r.output and f"{MIN_RUNS}" in r.output
    assert not out.exists()


def test_the_library_checks_the_same_minimum():
    assert MIN_RUNS == 20
    with pytest.raises(ParameterError, match=r"--runs: expected at least 20 runs .*got 19"):
        run_ensemble(["baseline"], runs=19, until=2014)
    with pytest.raises(CompareError, match=r"--runs: expected at least 20 runs \(got 2\)"):
        cmp.compare_scenarios(["regional_dispersion"], years=(2030,), runs=2)
    point = run_ensemble(["baseline"], runs=1, sample="point", until=2014)  # no bands wanted
    assert len(point.bands)


# ---- defect 8: the compare table's signs agree ------------------------------------------------
def _row(value, ref):
    d = value - ref
    return SimpleNamespace(
        scenario="s",
        value=value,
        reference_value=ref,
        diff=d,
        diff_pct=100 * d / ref if ref else float("nan"),
    )


def test_difference_and_percentage_signs_agree():
    # 43.854 vs 43.86: -0.006 prints as -0.01 and -0.0137 % as -0.0 % (it was +0.0 %)
    assert cmp._cell(_row(43.854, 43.86), "baseline") == "43.85 (-0.01; -0.0%)"
    assert cmp._cell(_row(43.864, 43.86), "baseline") == "43.86 (+0.00; +0.0%)"
    assert cmp._cell(_row(43.856, 43.86), "baseline") == "43.86 (+0.00; +0.0%)"
    assert cmp._cell(_row(50.0, 40.0), "baseline") == "50.00 (+10.00; +25.0%)"
    assert cmp._cell(_row(1.0, 0.0), "baseline") == "1.00 (+1.00; n/a)"
    rng = np.random.default_rng(0)
    for _ in range(5000):
        ref = float(rng.uniform(0.5, 100))
        value = ref + float(rng.normal(0, 0.02)) * rng.choice([1, 10, 100])
        cell = cmp._cell(_row(value, ref), "baseline")
        d, p = re.search(r"\(([+-])[\d.]+; ([+-])[\d.]+%\)", cell).groups()
        assert d == p, cell


# ---- defect 11: smaller defects ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("until", "columns"),
    [
        (None, [str(START_YEAR), "2030", "2040", "2060"]),
        ("2100", [str(START_YEAR), "2030", "2040", "2060", "2100"]),
        ("2045", [str(START_YEAR), "2030", "2040", "2045"]),
        ("2025", [str(START_YEAR), "2025"]),
    ],
)
def test_run_summary_reaches_the_last_year(runner, tmp_path, until, columns):
    args = ["run", "--out", str(tmp_path)] + (["--until", until] if until else [])
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[1].split()
    assert header == ["year", *columns]


def test_scenario_texts_are_profile_neutral(runner, tmp_path):
    for name in bundled_names():
        text = " ".join(load_scenario(name).description.split())
        assert not re.search(r"\bKorea (moves|'s current)", text), name
        assert "Korea's current settings" not in text
    r = runner.invoke(cli, ["scenarios"])
    assert "Korea moves" not in r.output
    r = runner.invoke(
        cli, ["compare", "--profile", "japan", "--years", "2030", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    md = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    assert "Korea moves" not in md and "profile japan" in md


def test_scenario_descriptions_give_the_years_their_ramps_reach():
    """'phased in over 2026-2030' said one year less than a 5-year ramp from 2026 takes."""
    for name in bundled_names():
        sc = load_scenario(name)
        text = " ".join(sc.description.split())
        assert "2026-2030" not in text and "2026-2035" not in text
        for sched in sc.own.values():
            assert str(int(sched.start + sched.years)) in text, (name, sched)


def test_scenario_toml_levers_unchanged_by_the_titles():
    doc = tomllib.loads(
        (Path(charts.__file__).parents[1] / "data/scenarios/rd_support_uk.toml").read_text(
            encoding="utf-8"
        )
    )
    assert doc["levers"]["rd_subsidy_rate"] == {
        "type": "ramp",
        "start": 2026,
        "years": 5,
        "target": 13.77,
    }
    assert math.isclose(doc["levers"]["rd_tax_incentive_rate"]["target"], 8.70)
