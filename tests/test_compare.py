"""smesim compare: numbers equal individual runs; targets; validation; files; CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smesim.analysis import compare as cmp
from smesim.analysis.compare import (
    CompareError,
    Target,
    compare_scenarios,
    format_table,
    parse_target,
    parse_years,
    reach_year,
    to_markdown,
    write_comparison,
)
from smesim.analysis.run import run_scenario
from smesim.cli import cli
from smesim.errors import ScenarioError
from smesim.model.outputs import CANONICAL

YEARS = (2030, 2045, 2060)


@pytest.fixture(scope="module")
def comp():
    return compare_scenarios(
        ["rd_support_france", "coexistence_package"],
        years=YEARS,
        targets=["wage_ratio_sme>=58", "capital_region_grp_share<=50"],
    )


# ---- numbers equal individual runs --------------------------------------------------------
def test_batched_comparison_equals_individual_runs(comp):
    assert comp.names == ["baseline", "rd_support_france", "coexistence_package"]
    base = run_scenario("baseline")[1].frame()
    for name in comp.names:
        single = run_scenario(name)[1].frame()
        np.testing.assert_allclose(
            comp.frames[name].to_numpy(), single.to_numpy(), rtol=1e-10, atol=1e-10
        )
        rows = comp.table[comp.table["scenario"] == name]
        assert len(rows) == len(CANONICAL) * len(YEARS)
        for r in rows.itertuples():
            assert r.value == pytest.approx(single.at[r.year, r.series], rel=1e-10, abs=1e-10)
            ref = base.at[r.year, r.series]
            assert r.diff == pytest.approx(single.at[r.year, r.series] - ref, abs=1e-9)
            if ref != 0:
                assert r.diff_pct == pytest.approx(100 * r.diff / ref, rel=1e-9, abs=1e-9)


def test_policy_scenario_differs_from_baseline(comp):
    rows = comp.table[
        (comp.table["scenario"] == "rd_support_france")
        & (comp.table["series"] == "rd_share_sme")
        & (comp.table["year"] == 2060)
    ]
    assert rows["diff"].iloc[0] > 0  # docs/model.md: more R&D support raises the SME R&D share
    base = comp.table[comp.table["scenario"] == "baseline"]
    assert (base["diff"] == 0).all() and (base["diff_pct"].fillna(0) == 0).all()


def test_cli_compare_matches_smesim_run(tmp_path):
    runner = CliRunner()
    res = runner.invoke(
        cli, ["compare", "rd_support_uk", "--years", "2030,2060", "--out", str(tmp_path / "cmp")]
    )
    assert res.exit_code == 0, res.output
    assert "R&D support: UK level" in res.output and "== 2060 ==" in res.output
    res = runner.invoke(cli, ["run", "rd_support_uk", "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    run_df = pd.read_csv(tmp_path / "run" / "rd_support_uk.csv", index_col="year")
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    mine = table[table["scenario"] == "rd_support_uk"]
    assert set(mine["year"]) == {2030, 2060}
    for r in mine.itertuples():
        assert r.value == pytest.approx(run_df.at[r.year, r.series], rel=1e-5, abs=1e-6)


# ---- targets -------------------------------------------------------------------------------
YRS = np.arange(2012, 2020)


@pytest.mark.parametrize(
    "values, target, direction, expected",
    [
        ([1, 2, 3, 4, 5, 6, 7, 8], 5, ">=", 2016),  # rises through
        ([8, 7, 6, 5, 4, 3, 2, 1], 4.5, "<=", 2016),  # falls through
        ([6, 6, 7, 8, 9, 9, 9, 9], 5, ">=", 2012),  # met throughout
        ([6, 4, 3, 4, 5, 6, 7, 8], 5, ">=", 2016),  # leaves, then comes back
        ([1, 2, 3, 4, 4, 4, 4, 4], 5, ">=", None),  # never
        ([1, 2, 3, 5, 4, 4, 4, 4], 5, ">=", 2015),  # reached once counts
    ],
)
def test_reach_year(values, target, direction, expected):
    assert reach_year(YRS, np.array(values, float), target, direction) == expected


def test_target_direction_from_start_value():
    t = parse_target("wage_ratio_sme=60")
    assert (t.series, t.value, t.direction) == ("wage_ratio_sme", 60.0, "=")
    assert t.resolved(56.7) == ">=" and t.resolved(65.0) == "<="
    assert parse_target(" capital_region_grp_share <= 45 ").direction == "<="


def test_targets_in_comparison_follow_the_frames(comp):
    for t in comp.targets:
        for name in comp.names:
            df = comp.frames[name]
            expected = reach_year(
                df.index.to_numpy(), df[t.series].to_numpy(), t.value, t.direction
            )
            row = comp.reached[
                (comp.reached["scenario"] == name) & (comp.reached["series"] == t.series)
            ]
            got = row["year"].iloc[0]
            assert (pd.isna(got) and expected is None) or int(got) == expected
            text = comp.reach_text(name, t)
            if expected is None:
                assert text == "not by 2060"
            else:
                assert text.startswith(str(expected))


def test_unreachable_target_says_not_by_end():
    c = compare_scenarios(
        ["rd_support_usa"], years=(2030,), targets=[Target("wage_ratio_sme", 99.0, ">=")]
    )
    assert set(c.reached["year"].isna()) == {True}
    assert "not by 2060" in to_markdown(c)
    assert "not by 2060" in format_table(c)


@pytest.mark.parametrize(
    "spec, match",
    [
        ("foo=3", "expected a canonical series id"),
        ("wage_ratio_smee=3", "did you mean 'wage_ratio_sme'"),
        ("wage_ratio_sme=abc", "expected a number"),
        ("wage_ratio_sme", "expected SERIES=VALUE"),
        ("wage_ratio_sme=nan", "expected a finite number"),
    ],
)
def test_bad_targets(spec, match):
    with pytest.raises(CompareError, match=match):
        parse_target(spec)


@pytest.mark.parametrize("spec", ["2030,abc", "2200", "2000", ""])
def test_bad_years(spec):
    with pytest.raises(CompareError, match="--years"):
        parse_years(spec)


# ---- validation before running -------------------------------------------------------------
def test_every_file_validated_before_the_first_run(write_scenario, monkeypatch):
    bad = write_scenario("""
        name = "bad"
        description = "x"
        [levers]
        rd_subsidy_rate = 80
    """)
    ran = []
    monkeypatch.setattr(cmp, "simulate", lambda *a, **k: ran.append(1))
    with pytest.raises(ScenarioError, match=r"levers\.rd_subsidy_rate.*expected a value in"):
        compare_scenarios(["rd_support_uk", str(bad)])
    assert ran == []


def test_duplicate_names_are_an_error(write_scenario):
    other = write_scenario("""
        name = "rd_support_uk"
        description = "a different file with the same name"
        extends = "baseline"
    """)
    with pytest.raises(CompareError, match="expected scenario names to be unique"):
        compare_scenarios(["rd_support_uk", str(other)])


def test_no_baseline_uses_first_scenario_as_reference():
    c = compare_scenarios(
        ["rd_support_uk", "rd_support_france"], years=(2040,), include_baseline=False
    )
    assert c.names == ["rd_support_uk", "rd_support_france"] and c.reference == "rd_support_uk"
    fr = c.table[
        (c.table["scenario"] == "rd_support_france") & (c.table["series"] == "rd_share_sme")
    ].iloc[0]
    assert fr["diff"] == pytest.approx(
        c.value("rd_support_france", "rd_share_sme", 2040)
        - c.value("rd_support_uk", "rd_share_sme", 2040)
    )


def test_baseline_named_twice_runs_once():
    c = compare_scenarios(["rd_support_uk", "baseline"], years=(2030,))
    assert c.names == ["baseline", "rd_support_uk"]


# ---- files -----------------------------------------------------------------------------------
def test_written_files(comp, tmp_path):
    paths = write_comparison(tmp_path / "out", comp)
    names = sorted(p.name for p in paths)
    assert names == ["comparison.csv", "comparison.json", "comparison.md", "targets.csv"]
    assert not list((tmp_path / "out").glob(".smesim-stage-*"))
    doc = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert doc["reference"] == "baseline" and doc["years"] == list(YEARS)
    assert len(doc["rows"]) == 3 * len(CANONICAL) * len(YEARS)
    assert doc["meta"]["parameter_set"] == comp.meta["parameter_set"]
    md = (tmp_path / "out" / "comparison.md").read_text()
    for y in YEARS:
        assert f"## {y}" in md
    overall = "| coexistence_overall [index 0-100] (partly assumed trend) |"
    assert md.count(overall) == len(YEARS)
    assert md.count("| coexistence_natural [index 0-100] (assumed trend) |") == len(YEARS)
    assert md.count("| coexistence_human [index 0-100] (partly assumed trend) |") == len(YEARS)
    assert md.count("| coexistence_economic [index 0-100] |") == len(YEARS)
    assert (
        "Assumed trend: coexistence_natural; partly assumed trend: coexistence_human, "
        "coexistence_overall. Their paths rest on assumptions" in md
    )
    csv = pd.read_csv(tmp_path / "out" / "comparison.csv", keep_default_na=False)
    trend = csv.drop_duplicates("series").set_index("series")["trend"]
    assert trend["coexistence_natural"] == "assumed trend"
    assert trend["coexistence_human"] == "partly assumed trend"
    assert trend["coexistence_economic"] == "" and trend["wage_ratio_sme"] == ""
    targets = pd.read_csv(tmp_path / "out" / "targets.csv")
    assert len(targets) == 2 * 3


# ---- CLI errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, match",
    [
        (["compare", "nosuch"], "scenario not found"),
        (["compare", "--target", "foo=1"], "--target 'foo=1'"),
        (["compare", "--years", "2030,x"], "--years"),
    ],
)
def test_cli_errors_one_line_exit_2(args, match, tmp_path):
    res = CliRunner().invoke(cli, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert match in res.output
    assert isinstance(res.exception, SystemExit)  # a deliberate exit, not an uncaught exception
    assert len(res.output.strip().splitlines()) == 1


def test_installed_entry_point(tmp_path):
    exe = Path(sys.executable).with_name("smesim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "smesim.cli"]
    out = subprocess.run(
        [
            *cmd,
            "compare",
            "regional_dispersion",
            "--years",
            "2040",
            "--target",
            "capital_region_grp_share<=50",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "year first reached" in out.stdout
    assert (tmp_path / "comparison.md").exists()


def test_probabilities_shown_with_no_effect_marks(comp):
    import dataclasses
    from types import SimpleNamespace

    probs = pd.DataFrame(
        {
            "scenario": ["rd_support_france"] * 2,
            "index": ["coexistence_economic", "coexistence_natural"],
            "year": [2030, 2030],
            "p_beats_baseline": [0.93, 0.0],
        }
    )
    c = dataclasses.replace(comp, ensemble=SimpleNamespace(probabilities=probs))
    table = cmp.probability_table(c)
    natural_same = (
        abs(
            c.value("rd_support_france", "coexistence_natural", 2030)
            - c.value("baseline", "coexistence_natural", 2030)
        )
        < 1e-9
    )
    assert table.loc["economic 2030", "rd_support_france"] == "93.0"
    natural = "natural (assumed trend) 2030"
    assert table.loc[natural, "rd_support_france"] == ("=" if natural_same else "0.0")
    assert "probability of beating the baseline" in format_table(c)
    assert "## Probability of beating the baseline" in to_markdown(c)
    assert cmp.probability_table(comp) is None


# ---- --lang ko: the tables' words and headers -------------------------------------------
def test_korean_terminal_and_markdown_tables(comp):
    from smesim.report.brief import table_text

    ko = table_text("ko")
    out = format_table(comp, text=ko)
    assert "전체 기업 임금 수준 [%]" in out and "R&D 지원: 프랑스 수준" in out
    assert "== 목표 최초 도달 연도 ==" in out and "셀: 수준" in out
    assert "wage_ratio_all_firms" not in out and "year first reached" not in out
    md = to_markdown(comp, text=ko)
    assert md.startswith("# 시나리오 비교 (비교 기준: 기준)")
    assert "| 지표 | 기준 (현행 정책) | R&D 지원: 프랑스 수준 |" in md
    assert "## 목표별 최초 도달 연도" in md
    # English stays as it was: ids
    assert "wage_ratio_all_firms [%]" in format_table(comp)


FILES = [("comparison", "csv"), ("comparison", "json"), ("comparison", "md"), ("targets", "csv")]


def test_korean_files_keep_ids_and_add_labels(comp, tmp_path):
    from smesim.report.brief import table_text

    paths = write_comparison(tmp_path / "out", comp, text=table_text("ko"))
    names = sorted(p.name for p in paths)
    assert names == [
        "comparison_ko.csv",
        "comparison_ko.json",
        "comparison_ko.md",
        "targets_ko.csv",
    ]
    table = pd.read_csv(tmp_path / "out" / "comparison_ko.csv")
    assert list(table.columns) == [
        "scenario",
        "시나리오",
        "series",
        "지표",
        "단위",
        "추세 근거",
        "연도",
        "값",
        "기준 값",
        "차이",
        "차이(%)",
    ]
    # the id columns hold ids (what other tools join on), the labels are Korean
    assert set(table["scenario"]) == set(comp.names)
    assert set(table["series"]) == set(CANONICAL)
    row = table[(table["scenario"] == "rd_support_france") & (table["series"] == "rd_share_sme")]
    assert set(row["시나리오"]) == {"R&D 지원: 프랑스 수준"}
    assert set(row["지표"]) == {"기업 R&D 중 중소기업 비중"}
    targets = pd.read_csv(tmp_path / "out" / "targets_ko.csv")
    assert list(targets.columns) == [
        "scenario",
        "시나리오",
        "series",
        "지표",
        "방향",
        "목표 값",
        "연도",
    ]
    doc = json.loads((tmp_path / "out" / "comparison_ko.json").read_text(encoding="utf-8"))
    assert {r["series"] for r in doc["rows"]} == set(CANONICAL)  # JSON: ids only


def test_cli_compare_lang_ko(tmp_path):
    res = CliRunner().invoke(
        cli,
        [
            "compare",
            "regional_dispersion",
            "--years",
            "2040",
            "--lang",
            "ko",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "수도권 지역내총생산(GRDP) 비중 [%]" in res.output and "지역 분산" in res.output
    assert (tmp_path / "comparison_ko.csv").exists() and not (tmp_path / "comparison.csv").exists()
    bad = CliRunner().invoke(cli, ["compare", "--lang", "fr", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "--lang" in bad.output


def test_every_table_word_has_a_korean_translation():
    from smesim.report.i18n import TABLE_WORDS_KO

    assert set(TABLE_WORDS_KO) == set(cmp.TABLE_WORDS)


def test_korean_workbook_headers(comp, tmp_path):
    from openpyxl import load_workbook

    from smesim.report.brief import table_text

    paths = write_comparison(tmp_path, comp, "xlsx", table_text("ko"))
    assert sorted(p.name for p in paths) == [
        "comparison_ko.json",
        "comparison_ko.md",
        "comparison_ko.xlsx",
    ]
    wb = load_workbook(tmp_path / "comparison_ko.xlsx", read_only=True)
    head = [c.value for c in next(wb["comparison"].iter_rows(max_row=1))]
    assert head[:4] == ["scenario", "시나리오", "series", "지표"] and "값" in head
    levels = [c.value for c in next(wb["levels"].iter_rows(max_row=1))]
    wb.close()
    assert levels[:5] == ["series", "단위", "추세 근거", "연도", "기준 (현행 정책)"]
