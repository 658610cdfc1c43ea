"""Release files (layouts, half years, validation errors, merging and revisions) and the
bundled data: found inside the package, a missing file an error naming it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl.xml
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

import smesim
from smesim.analysis.run import simulate_scenario
from smesim.cli import cli
from smesim.errors import BundledDataError, DataError
from smesim.inputs import bundled
from smesim.inputs.data import (
    DATA_FIRST_YEAR,
    POINT_COLUMNS,
    REPLACED_COLUMNS,
    load_releases,
    read_release,
    value_range,
)
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import baseline_scenario, bundled_names, load_scenario
from smesim.model.outputs import CANONICAL

ROOT = Path(__file__).resolve().parent.parent
KOREA = bundled.data_dir() / "releases" / "korea"

HEADER = "series,year,value,unit,source,note,weight\n"


def write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# ---- bundled releases ---------------------------------------------------------------------
def test_bundled_korea_release_has_the_papers_figures_as_documented():
    rel = load_releases(profile="korea")
    pts = rel.points
    assert list(pts.columns) == list(POINT_COLUMNS)
    assert set(pts["series"]) <= set(CANONICAL)
    got = {(r.series, r.year): r.value for r in pts.itertuples()}
    # Table 4's "total" is the all-firm average over the 500+ wage: wage_ratio_all_firms
    assert got[("wage_ratio_all_firms", 2012)] == 56.7
    assert got[("wage_ratio_all_firms", 2017)] == 54.2
    assert "wage_ratio_sme" not in set(pts["series"])  # the SME-only average is not Table 4's
    # Table 6, every column from 2007 (the model's start year), the KRW-million row too
    for sid, values in {
        "rd_share_sme": (26.6, 25.8, 21.9),
        "rd_per_researcher_ratio_sme": (44.7, 36.7, 27.6),
        "rd_per_researcher_sme": (76.4, 83.1, 79.1),
    }.items():
        assert tuple(got[(sid, y)] for y in (2007, 2012, 2017)) == values, sid
    krw = pts[pts["series"] == "rd_per_researcher_sme"]
    assert (krw["unit"] == "million national currency").all()
    assert got[("export_share_sme", 2019)] == 18.8  # 2019H1 mapped to its year
    h1 = pts[(pts["series"] == "export_share_sme") & (pts["year"] == 2019)].iloc[0]
    assert "2019H1" in h1["note"] and "weight halved" in h1["note"]
    # uncertain cells are flagged in the note and handled by weight
    prod = pts[pts["series"] == "productivity_ratio_sme"].iloc[0]
    assert "uncertain" in prod["note"] and prod["weight"] == 0.5
    emp = pts[(pts["series"] == "employment_share_sme") & (pts["year"] == 2018)].iloc[0]
    assert "uncertain" in emp["note"] and emp["weight"] == 0
    # every figure after 2017 is the out-of-sample test: weight 0, reported, not fitted
    post = pts[pts["year"] > 2017]
    assert len(post) == 7 and (post["weight"] == 0).all()
    assert post["note"].str.startswith("post-2017: out-of-sample check, not fitted").all()
    # history (before the start year) and exclusions are split off from the fitted points
    assert set(rel.history()["year"]) == {2000}
    fitted = rel.fitted()
    assert fitted["year"].between(2007, 2017).all() and (fitted["weight"] > 0).all()
    assert len(fitted) == 24 and set(rel.excluded()["year"]) == {2018, 2019}
    assert len(fitted) + len(rel.history()) + len(rel.excluded()) == len(pts)
    assert rel.replaced.empty and list(rel.replaced.columns) == list(REPLACED_COLUMNS)
    # bundled files are labelled portably, whatever the installation
    label = "smesim/data/releases/korea/2019-10-park2019-paper.csv"
    assert [p["file"] for p in rel.provenance()] == [label]
    assert set(pts["file"]) == {label}


def test_bundled_japan_release_is_separate():
    pts = load_releases(profile="japan").points
    assert set(pts["series"]) == {
        "wage_ratio_all_firms",
        "wage_ratio_1_4",
        "wage_ratio_5_9",
        "wage_ratio_10_99",
        "wage_ratio_100_499",
    }
    # Table 4's "total" is the all-firm figure, fitted (Table 5: 3,044 / 3,455 = 88.1)
    total = pts[pts["series"] == "wage_ratio_all_firms"].sort_values("year")
    assert total["value"].tolist() == [84.2, 88.1] and (total["weight"] == 1).all()
    one_to_four = pts[pts["series"] == "wage_ratio_1_4"]
    assert one_to_four["year"].tolist() == [2017] and one_to_four["weight"].tolist() == [0.5]


# ---- layouts round-trip -------------------------------------------------------------------
POINTS = [
    ("wage_ratio_sme", "2012", 56.7),
    ("wage_ratio_sme", "2017", 54.2),
    ("export_share_sme", "2017", 18.0),
    ("export_share_sme", "2019H1", 18.8),
]


def _long_rows():
    return [
        ["series", "year", "value", "unit", "source"],
        *[[s, y, v, "%", "test"] for s, y, v in POINTS],
    ]


def _wide_rows():
    return [
        ["series", "unit", "source", "2012", "2017", "2019H1"],
        ["wage_ratio_sme", "%", "test", 56.7, 54.2, None],
        ["export_share_sme", "%", "test", None, 18.0, 18.8],
    ]


def _csv(rows):
    return "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows) + "\n"


def test_long_wide_csv_and_xlsx_give_identical_points(tmp_path):
    files = {
        "long": write(tmp_path, _csv(_long_rows()), "long.csv"),
        "wide": write(tmp_path, _csv(_wide_rows()), "wide.csv"),
        "long_xlsx": write_xlsx(tmp_path / "long.xlsx", _long_rows()),
        "wide_xlsx": write_xlsx(tmp_path / "wide.xlsx", _wide_rows()),
    }
    frames = {}
    for key, path in files.items():
        rf = read_release(path)
        assert rf.layout == ("long" if key.startswith("long") else "wide")
        frames[key] = (
            rf.points.drop(columns="file").sort_values(["series", "year"]).reset_index(drop=True)
        )
    ref = frames["long"]
    assert len(ref) == 4
    for key, df in frames.items():
        pd.testing.assert_frame_equal(df, ref, obj=key)
    h1 = ref[ref["year"] == 2019].iloc[0]
    assert h1["weight"] == 0.5 and "mapped to 2019" in h1["note"]


def test_extra_long_columns_are_not_read_but_listed(tmp_path):
    path = write(tmp_path, "series,year,value,table,unit\nrd_share_sme,2017,21.9,T6,%\n")
    rel = load_releases([path])
    assert rel.provenance()[0]["ignored_columns"] == ["table"]
    assert rel.points.iloc[0]["value"] == 21.9


def test_comments_blank_lines_and_percent_spellings_are_accepted(tmp_path):
    path = write(tmp_path, "# a comment\n" + HEADER + "\nrd_share_sme,2017,21.9,percent,s,,\n")
    pts = read_release(path).points
    assert pts.iloc[0]["unit"] == "%" and pts.iloc[0]["weight"] == 1.0


def test_semicolon_csv_header_aliases_percent_signs_and_data_sheet(tmp_path):
    path = write(tmp_path, "Series;Period;Value;Units;Notes\nexport_share_sme;2019H2;18.8 %;%;x\n")
    pt = read_release(path).points.iloc[0]
    assert (pt["year"], pt["value"], pt["note"].split(";")[0]) == (2019, 18.8, "x")
    with pytest.raises(DataError, match=r"column 'value': expected a number \(got '18,8'\)"):
        read_release(write(tmp_path, "series;year;value\nexport_share_sme;2018;18,8\n", "c.csv"))
    wb = Workbook()
    wb.active.append(["cover sheet: not data"])
    ws = wb.create_sheet("Data")
    ws.append(["series", "2017"])
    ws.append(["rd_share_sme", 21.9])
    wb.save(tmp_path / "book.xlsx")
    assert read_release(tmp_path / "book.xlsx").points.iloc[0]["value"] == 21.9


# ---- bad data -----------------------------------------------------------------------------
BAD_CSV = [
    (
        "wage_ratio_sm,2017,54.2,%,s,,\n",
        r"row 2, column 'series': unknown series id 'wage_ratio_sm'.*did you mean 'wage_ratio_sme'",
    ),
    (
        "wage_ratio_sme,2017,54.2,KRW,s,,\n",
        r"row 2, column 'unit': wrong unit for wage_ratio_sme: expected '%' \(got 'KRW'\)",
    ),
    ("wage_ratio_sme,2017,abc,%,s,,\n", r"row 2, column 'value': expected a number \(got 'abc'\)"),
    ("wage_ratio_sme,2017,nan,%,s,,\n", r"row 2, column 'value': expected a number \(got 'nan'\)"),
    ("wage_ratio_sme,2017,,%,s,,\n", r"row 2, column 'value': expected a number \(got an empty"),
    (
        "wage_ratio_sme,2017,54.2,%,s,,\nwage_ratio_sme,2017,54.0,%,s,,\n",
        r"row 3: duplicate wage_ratio_sme 2017 \(already given in row 2",
    ),
    (
        "export_share_sme,2019,18.5,%,s,,\nexport_share_sme,2019H1,18.8,%,s,,\n",
        r"row 3: duplicate export_share_sme 2019",
    ),
    (
        f"wage_ratio_sme,{DATA_FIRST_YEAR - 1},54.2,%,s,,\n",
        r"row 2, column 'year': year outside the model's range: expected 2000-2100 \(got 1999\)",
    ),
    ("wage_ratio_sme,2101,54.2,%,s,,\n", r"year outside the model's range.*got 2101"),
    (
        "wage_ratio_sme,2019Q1,54.2,%,s,,\n",
        r"column 'year': expected a year such as 2017 or a half year such as 2019H1",
    ),
    ("wage_ratio_sme,2017,54.2,%,s,,-1\n", r"column 'weight': expected a weight >= 0"),
    ("", r"empty file \(header only"),
]


@pytest.mark.parametrize(("body", "pattern"), BAD_CSV)
def test_bad_long_csv_is_a_clear_error(tmp_path, body, pattern):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(DataError, match=pattern) as info:
        read_release(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "name", "pattern"),
    [
        ("", "r.csv", r"empty file \(expected a header row"),
        ("# only a comment\n", "r.csv", r"empty file"),
        ("year,value\n2017,1\n", "r.csv", r"row 1: expected a 'series' column"),
        (
            "series,2017,total\nwage_ratio_sme,54.2,3\n",
            "r.csv",
            r"column 'total': expected a long layout .* or a wide one",
        ),
        ("series,unit\nwage_ratio_sme,%\n", "r.csv", r"wide layout without year columns"),
        ("series,2017,2017\nwage_ratio_sme,54.2,54\n", "r.csv", r"column '2017': duplicate column"),
        ("series,2017\nwage_ratio_sme,\n", "r.csv", r"empty file \(no values\)"),
        ("series,year,value\n", "r.txt", r"expected a \.csv or \.xlsx release file"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path, text, name, pattern):
    with pytest.raises(DataError, match=pattern):
        read_release(write(tmp_path, text, name))


def test_wide_errors_name_the_year_column(tmp_path):
    path = write(tmp_path, "series,2012,2017\nwage_ratio_sme,56.7,x\n")
    with pytest.raises(DataError, match=r"row 2, column '2017': expected a number \(got 'x'\)"):
        read_release(path)


def test_xlsx_errors_name_row_and_column_letter(tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [["series", "year", "value", "unit"], ["wage_ratio_sme", 2017, "n/a", "%"]],
    )
    with pytest.raises(
        DataError,
        match=r"bad\.xlsx, row 2, column 'C \(value\)': expected a "
        r"number \(got 'n/a'\)",
    ):
        read_release(path)


def test_corrupt_xlsx_and_missing_paths(tmp_path):
    with pytest.raises(DataError, match=r"cannot read as XLSX"):
        read_release(write(tmp_path, "not a zip", "x.xlsx"))
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        load_releases([tmp_path / "nope.csv"])
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(DataError, match=r"no release files"):
        load_releases([empty])


# ---- files that cannot be read (issue 13, defect 3) ------------------------------------------
@pytest.mark.parametrize("name", ["mem.csv", "mem.xlsx"])
def test_an_io_error_is_one_line(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/proc/self/mem")  # exists, but reading it at offset 0 fails with EIO
    with pytest.raises(DataError, match=rf"{name}: cannot read \(Input/output error\)$"):
        read_release(link)
    with pytest.raises(DataError, match=rf"{name}: cannot read"):
        load_releases([link])


def test_permission_denied_and_a_directory_are_one_line(tmp_path, monkeypatch):
    path = write(tmp_path, HEADER + "rd_share_sme,2017,21.9,%,a,,\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root may read anything: refuse instead
    with pytest.raises(DataError, match=r"r\.csv: cannot read \(Permission denied\)$"):
        read_release(path)
    monkeypatch.undo()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(DataError, match=r"folder\.csv: is a directory"):
        read_release(folder)


def test_an_unlistable_folder_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "releases"
    folder.mkdir()

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(DataError, match=r"releases: cannot read \(Permission denied\)"):
        load_releases([folder])


# ---- XLSX from outside: formulas, XML attacks (issue 13, defects 7 and 12) ---------------------
def test_a_formula_without_a_cached_value_says_so(tmp_path):
    # openpyxl writes formulas without the value a spreadsheet would cache
    long = write_xlsx(
        tmp_path / "long.xlsx",
        [["series", "year", "value"], ["wage_ratio_sme", 2017, "=50+4.2"]],
    )
    with pytest.raises(
        DataError,
        match=r"long\.xlsx, row 2, column 'C \(value\)': formula without a cached value "
        r"\('=50\+4\.2'\): save the file in Excel or LibreOffice.*or enter the value",
    ):
        read_release(long)
    wide = write_xlsx(
        tmp_path / "wide.xlsx", [["series", 2012, 2017], ["=A9", 56.7, 54.2]]
    )  # a formula where the series id belongs
    with pytest.raises(DataError, match=r"row 2, column 'A \(series\)': formula without"):
        read_release(wide)


def test_a_computed_formula_is_read_as_its_value(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [["series", "year", "value"], ["wage_ratio_sme", 2017, 54.2]],
    )
    wb = load_workbook(path)
    wb.active["D1"] = "=C2*2"  # a formula in a column that is not read: no error
    wb.save(path)
    assert read_release(path).points["value"].tolist() == [54.2]


def _with_entity(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (
                    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "wage_ratio_sme">]>'
                    + (data.replace(b"<t>wage_ratio_sme</t>", b"<t>&e;</t>"))
                )
            zout.writestr(item, data)
    return dest


def test_xml_entities_in_an_xlsx_are_refused(tmp_path):
    assert openpyxl.xml.DEFUSEDXML  # openpyxl found defusedxml, a declared dependency
    plain = write_xlsx(
        tmp_path / "plain.xlsx", [["series", "year", "value"], ["wage_ratio_sme", 2017, 54.2]]
    )
    assert len(read_release(plain).points) == 1
    bomb = _with_entity(plain, tmp_path / "bomb.xlsx")
    with pytest.raises(DataError, match=r"bomb\.xlsx: cannot read as XLSX \(refused XML: Entit"):
        read_release(bomb)
    deps = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"defusedxml>=' in deps.split("[project.optional-dependencies]")[0]


# ---- impossible and suspicious values (issue 13, defect 4) ---------------------------------
def test_every_canonical_series_has_a_possible_range():
    kinds = {sid: value_range(sid)[0] for sid in CANONICAL}
    assert kinds["wage_ratio_sme"] == kinds["rd_per_researcher_ratio_sme"] == "ratio"
    assert kinds["rd_share_sme"] == kinds["population_65plus_share"] == "share"
    assert kinds["coexistence_overall"] == "index"
    # Table 6's KRW-million row: an amount in national currency, positive
    assert value_range("rd_per_researcher_sme") == ("amount", 0.0, 1e6, True)
    assert set(kinds.values()) == {"ratio", "share", "index", "amount"}


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (
            "wage_ratio_sme,2020,530",
            r"row 2, column 'value': wage_ratio_sme: expected a ratio in \(0, 200\], large "
            r"firms = 100 \(got 530; a misplaced decimal point\?\)",
        ),
        ("productivity_ratio_sme,2017,0", r"expected a ratio in \(0, 200\].*\(got 0\)"),
        ("wage_ratio_1_4,2017,-30", r"expected a ratio in \(0, 200\]"),
        ("rd_share_sme,2017,-0.5", r"rd_share_sme: expected a share in \[0, 100\] \(got -0\.5\)"),
        ("export_share_sme,2017,100.1", r"expected a share in \[0, 100\] \(got 100\.1;"),
        ("coexistence_overall,2017,101", r"expected an index in \[0, 100\]"),
        ("rd_per_researcher_sme,2017,0", r"expected an amount in \(0, 1e\+06\] \(got 0\)"),
    ],
)
def test_impossible_values_name_file_row_and_value(tmp_path, line, pattern):
    path = write(tmp_path, "series,year,value\n" + line + "\n", "new.csv")
    with pytest.raises(DataError, match=pattern) as info:
        read_release(path)
    assert str(info.value).startswith(f"{path}, row 2, column 'value': ")


@pytest.mark.parametrize(
    "line",
    [
        "rd_share_sme,2017,0",
        "rd_share_sme,2017,100",
        "wage_ratio_sme,2017,200",
        "wage_ratio_sme,2017,0.5",
        "coexistence_overall,2017,0",
    ],
)
def test_the_ends_of_the_ranges_are_possible(tmp_path, line):
    assert len(read_release(write(tmp_path, "series,year,value\n" + line + "\n")).points) == 1


def test_a_year_after_the_current_one_is_impossible(tmp_path):
    this_year = date.today().year
    ok = write(tmp_path, f"series,year,value\nrd_share_sme,{this_year},20\n", "ok.csv")
    assert read_release(ok).points["year"].tolist() == [this_year]
    for period, name in ((this_year + 1, "long.csv"), (f"{this_year + 1}H1", "half.csv")):
        path = write(tmp_path, f"series,year,value\nrd_share_sme,{period},20\n", name)
        with pytest.raises(
            DataError,
            match=rf"{name}, row 2, column 'year': year in the future: expected {this_year} or "
            rf"earlier.*\(got {this_year + 1}\)",
        ):
            read_release(path)
    wide = write(tmp_path, f"series,2017,{this_year + 1}\nrd_share_sme,20,21\n", "wide.csv")
    with pytest.raises(DataError, match=rf"column '{this_year + 1}': year in the future"):
        read_release(wide)


def test_a_jump_of_more_than_10_points_is_a_warning_not_an_error(tmp_path):
    new = write(
        tmp_path,
        "series,year,value\nwage_ratio_all_firms,2018,35\nrd_share_sme,2018,30\n",
        "2020-new.csv",
    )
    rel = load_releases([KOREA, new])
    assert len(rel.warnings) == 1
    assert rel.warnings[0].startswith(
        f"{new}, row 2: wage_ratio_all_firms 2018 = 35 is 19.2 points below 54.2 in 2017 "
        "(smesim/data/releases/korea/2019-10-park2019-paper.csv)"
    )  # rd_share_sme: 21.9 -> 30 is 8.1 points, no warning
    assert 35.0 in rel.points["value"].tolist()  # kept
    assert load_releases(None).warnings == () and load_releases(None, "japan").warnings == ()
    res = CliRunner().invoke(cli, ["data", "check", str(KOREA), str(new)])
    assert res.exit_code == 0, res.stderr
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("smesim: warning: ")
    assert "wage_ratio_all_firms 2018 = 35 is 19.2 points below" in res.stderr


def test_calibrate_warns_about_a_jump_and_reports_it(tmp_path):
    new = write(tmp_path, "series,year,value\nwage_ratio_all_firms,2018,35\n", "2020-new.csv")
    out = tmp_path / "params"
    args = ["--profile", "korea", "--data", str(KOREA), "--data", str(new), "--out", str(out)]
    res = CliRunner().invoke(cli, ["calibrate", *args])
    assert res.exit_code == 0, res.stderr
    warnings = [ln for ln in res.stderr.splitlines() if "19.2 points below" in ln]
    assert len(warnings) == 1 and warnings[0].startswith("smesim: warning: ")
    assert "19.2 points below 54.2 in 2017" in (out / "joint.report.md").read_text()


# ---- merging ------------------------------------------------------------------------------
def test_later_release_wins_and_every_replacement_is_listed(tmp_path):
    folder = tmp_path / "releases"
    folder.mkdir()
    write(
        folder,
        HEADER + "export_share_sme,2017,18.5,%,first,,\nexport_share_sme,2016,20.0,%,first,,\n",
        "2018-01-first.csv",
    )
    write(folder, "series,2017,2018\nexport_share_sme,18.0,17.4\n", "2019-01-second.csv")
    write(folder, HEADER + "export_share_sme,2018,17.5,%,third,,\n", "2020-01-third.csv")
    rel = load_releases([folder])
    got = {(r.series, r.year): r.value for r in rel.points.itertuples()}
    assert got == {
        ("export_share_sme", 2016): 20.0,
        ("export_share_sme", 2017): 18.0,
        ("export_share_sme", 2018): 17.5,
    }
    rep = rel.replaced.sort_values("year").to_dict("records")
    assert [(r["year"], r["old_value"], r["new_value"]) for r in rep] == [
        (2017, 18.5, 18.0),
        (2018, 17.4, 17.5),
    ]
    assert rep[0]["old_file"].endswith("2018-01-first.csv")
    assert rep[0]["new_file"].endswith("2019-01-second.csv")
    prov = rel.provenance()
    assert [p["superseded"] for p in prov] == [1, 1, 0]
    assert all(len(p["sha256"]) == 64 for p in prov)


def test_explicit_order_is_release_order(tmp_path):
    a = write(tmp_path, HEADER + "rd_share_sme,2017,21.9,%,a,,\n", "a.csv")
    b = write(tmp_path, HEADER + "rd_share_sme,2017,22.5,%,b,,\n", "b.csv")
    assert load_releases([a, b]).points.iloc[0]["value"] == 22.5
    assert load_releases([b, a]).points.iloc[0]["value"] == 21.9
    with pytest.raises(DataError, match="release given twice"):
        load_releases([a, a])


# ---- command line -------------------------------------------------------------------------
def test_data_check_command(tmp_path):
    good = write(tmp_path, _csv(_wide_rows()), "good.csv")
    bad = write(tmp_path, HEADER + "wage_ratio_sme,2017,54.2,KRW,s,,\n", "bad.csv")
    res = CliRunner().invoke(cli, ["data", "check", str(good)])
    assert res.exit_code == 0 and "ok" in res.output and "wide layout, 4 points" in res.output
    res = CliRunner().invoke(cli, ["data", "check", str(good), str(bad)])
    assert res.exit_code == 2
    errors = [ln for ln in res.stderr.splitlines() if ln]
    assert len(errors) == 1 and "bad.csv, row 2, column 'unit': wrong unit" in errors[0]


def test_data_check_entry_point_subprocess():
    exe = Path(sys.executable).parent / "smesim"
    proc = subprocess.run(
        [str(exe), "data", "check", str(KOREA)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "2019-10-park2019-paper.csv: long layout, 32 points, 15 series" in proc.stdout
    assert "years 2000-2019, 7 with weight 0" in proc.stdout


# ---- property: long and wide layouts carry the same points ---------------------------------
_cells = st.dictionaries(
    st.tuples(
        st.sampled_from(["wage_ratio_sme", "rd_share_sme", "export_share_sme"]),
        st.integers(2000, date.today().year),  # releases are observations: none ahead
    ),
    # in every series' possible range (a ratio is > 0, a share in [0, 100])
    st.floats(0.001, 100, allow_nan=False).map(lambda v: round(v, 3)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(cells=_cells)
def test_long_and_wide_round_trip(tmp_path_factory, cells):
    folder = tmp_path_factory.mktemp("rt")
    long_text = "series,year,value\n" + "".join(f"{s},{y},{v!r}\n" for (s, y), v in cells.items())
    years = sorted({y for _, y in cells})
    series = sorted({s for s, _ in cells})
    wide_text = (
        "series,"
        + ",".join(map(str, years))
        + "\n"
        + "".join(
            s + "," + ",".join(repr(cells[(s, y)]) if (s, y) in cells else "" for y in years) + "\n"
            for s in series
        )
    )
    got_long = read_release(write(folder, long_text, "l.csv")).points
    got_wide = read_release(write(folder, wide_text, "w.csv")).points
    for got in (got_long, got_wide):
        assert {(r.series, r.year): r.value for r in got.itertuples()} == cells


# ---- bundled data ---------------------------------------------------------------------------
def test_bundled_data_live_in_the_package_and_the_top_level_folders_link_to_them():
    data = bundled.data_dir()
    assert data == Path(smesim.__file__).parent / "data"
    for link, target in [
        ("scenarios", "scenarios"),
        ("calibration/releases", "releases"),
        ("calibration/params", "params"),
    ]:
        assert (ROOT / link).resolve() == (data / target).resolve(), link
    assert (ROOT / "calibration" / "README.md").is_file()
    assert {p.name for p in (data / "profiles").glob("*.toml")} == {"korea.toml", "japan.toml"}


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the bundled data that the package reads instead of its own."""
    copy = tmp_path / "data"
    shutil.copytree(bundled.data_dir(), copy, ignore=shutil.ignore_patterns("history"))
    monkeypatch.setattr(bundled, "data_dir", lambda: copy)
    return copy


def test_the_copy_reads_like_the_package(data_copy):
    assert bundled_names() == sorted(p.stem for p in (data_copy / "scenarios").glob("*.toml"))
    assert get_profile("korea").params_file == data_copy / "params" / "korea.toml"
    assert baseline_scenario().path == (data_copy / "scenarios" / "baseline.toml").resolve()


def test_a_missing_bundled_baseline_is_an_error_not_an_empty_default(data_copy):
    (data_copy / "scenarios" / "baseline.toml").unlink()
    pattern = r"^smesim/data/scenarios/baseline\.toml: baseline scenario missing"
    with pytest.raises(BundledDataError, match=pattern):
        baseline_scenario()
    with pytest.raises(BundledDataError, match=pattern):
        simulate_scenario(until=2013)  # the default scenario is the bundled baseline


def test_a_missing_bundled_parameter_set_is_an_error_not_the_defaults(data_copy):
    (data_copy / "params" / "korea.toml").unlink()
    with pytest.raises(BundledDataError, match=r"smesim/data/params/korea\.toml: calibrated set"):
        get_profile("korea").parameter_set()
    res = CliRunner().invoke(cli, ["run", "coexistence_package", "--out", str(data_copy / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert len(lines) == 1
    assert lines[0].startswith("smesim: error: smesim/data/params/korea.toml: calibrated set")
    assert not (data_copy / "o").exists()


def test_missing_bundled_releases_and_scenarios_are_errors(data_copy):
    shutil.rmtree(data_copy / "releases" / "japan")
    with pytest.raises(BundledDataError, match=r"smesim/data/releases/japan: bundled releases"):
        load_releases(profile="japan")
    for f in (data_copy / "releases" / "korea").iterdir():
        f.unlink()
    with pytest.raises(BundledDataError, match=r"expected \*\.csv or \*\.xlsx files"):
        load_releases(profile="korea")
    shutil.rmtree(data_copy / "scenarios")
    with pytest.raises(BundledDataError, match=r"smesim/data/scenarios: bundled scenarios"):
        load_scenario("coexistence_package")


def test_user_data_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert bundled.user_data_dir() == tmp_path / "smesim"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset_or_relative in ("", "relative/dir"):  # the XDG rule: a relative path is ignored
        monkeypatch.setenv("XDG_DATA_HOME", unset_or_relative)
        assert bundled.user_data_dir() == tmp_path / "home" / ".local" / "share" / "smesim"
