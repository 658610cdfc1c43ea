"""The briefing pack: pages, PDF, PNG size, source lines, Korean, ensemble bands, CLI."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from smesim.analysis.compare import compare_scenarios
from smesim.cli import cli
from smesim.report import brief
from smesim.report.i18n import font_context

DPI = 40  # small pixels keep the suite fast; the layout is the same at 200 dpi
W, H = round(brief.SLIDE_INCHES[0] * DPI), round(brief.SLIDE_INCHES[1] * DPI)
SCENARIOS = ["rd_support_france", "regional_dispersion"]


@pytest.fixture
def release_file(tmp_path):
    """A small release in the long layout: two series, one point before 2012."""
    path = tmp_path / "rel.csv"
    path.write_text(
        "series,year,value,unit,source,note,weight\n"
        "wage_ratio_sme,2012,56.7,%,test,,1\n"
        "wage_ratio_sme,2017,54.2,%,test,,1\n"
        "rd_share_sme,2007,26.6,%,test,,1\n"
        "rd_share_sme,2012,25.8,%,test,,1\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def comp():
    return compare_scenarios(SCENARIOS, years=(2030, 2060))


def test_pack_files_pages_and_pdf(tmp_path, release_file):
    out = tmp_path / "pack"
    result = brief.make_brief(
        SCENARIOS,
        out,
        formats="png,pdf",
        dpi=DPI,
        releases=[release_file],
        years=(2030, 2060),
        targets=["wage_ratio_sme>=60"],
    )
    # 2 series with data -> 1 history page; no ensemble -> no uncertainty pages.
    assert result.pages == (
        "cover",
        "history_1",
        "headline",
        "coexistence_dashboard",
        "coexistence_paths",
        "levers",
    )
    names = sorted(p.name for p in result.files)
    charts = [p for p in result.pages if p != "cover"]
    assert names == sorted(
        [
            *(f"{c}.png" for c in charts),
            "briefing.pdf",
            "comparison.csv",
            "comparison.md",
            "comparison.json",
            "targets.csv",
            "brief.manifest.json",
        ]
    )
    assert all(p.exists() for p in result.files)
    assert not list(out.glob("*.svg")) and not list(out.glob(".smesim-stage-*"))
    assert len(PdfReader(out / "briefing.pdf").pages) == len(result.pages)
    for c in charts:
        with Image.open(out / f"{c}.png") as img:
            assert img.size == (W, H)
            px = np.asarray(img.convert("L"), dtype=float)
        assert px.std() > 5 and (px < 128).mean() > 0.002  # not blank: real ink


def test_history_pages_show_the_release_points(comp, release_file):
    sources = brief.load_sources(comp, [release_file], "korea")
    figs = brief.history_pages(comp, sources, "en", DPI)
    assert len(figs) == 1
    axes = [ax for ax in figs[0].axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["SME wage ratio", "SME share of business R&D"]
    rd = axes[1]
    offsets = np.vstack([c.get_offsets() for c in rd.collections])
    np.testing.assert_allclose(sorted(map(tuple, offsets)), [(2007, 26.6), (2012, 25.8)])
    assert rd.get_xlim()[0] <= 2007 and rd.get_xlim()[1] >= 2060
    x, y = rd.get_lines()[0].get_data()
    assert x[0] == 2012 and x[-1] == comp.end
    np.testing.assert_allclose(y, comp.frames["baseline"]["rd_share_sme"])


def test_bundled_releases_give_one_panel_per_series(comp):
    from smesim.inputs.data import load_releases

    sources = brief.load_sources(comp, None, "korea")
    series = set(load_releases(profile="korea").points["series"])
    figs = brief.history_pages(comp, sources, "en", DPI)
    assert len(figs) == math.ceil(len(series) / brief.HISTORY_PER_PAGE)
    titles = [ax.get_title() for f in figs for ax in f.axes if ax.get_visible()]
    assert len(titles) == len(series)


def test_every_page_has_title_and_source_line(comp, release_file):
    sources = brief.load_sources(comp, [release_file], "korea")
    with font_context("en"):
        pages = brief.build_figures(comp, sources, lang="en", dpi=DPI)
    for stem, fig in pages:
        assert fig._suptitle is not None and fig._suptitle.get_text(), stem
        lines = [t.get_text() for t in fig.texts if t.get_text().startswith("Source:")]
        assert len(lines) == 1, stem
        assert "smesim" in lines[0] and "rel.csv" in lines[0]
        assert Path(comp.meta["parameter_set"]).name.split(":")[-1] in lines[0]


def test_same_scenario_same_colour_on_every_page(comp):
    sources = brief.load_sources(comp, None, "korea")
    colours = brief.charts.scenario_colours(comp.names)
    head = brief.headline_page(comp, sources, "en", DPI, colours)
    paths = brief.coexistence_paths_page(comp, sources, "en", DPI, colours)
    by_label = {brief.scenario_name(n): n for n in comp.names}
    for fig in (head, paths):
        lines = [ln for ax in fig.axes for ln in ax.get_lines()]
        assert {by_label[ln.get_label()] for ln in lines} == set(comp.names)
        for ln in lines:
            assert ln.get_color() == colours[by_label[ln.get_label()]]


def test_ensemble_bands_add_uncertainty_pages(comp):
    rows = []
    for name in comp.names:
        for s in brief.HEADLINE_CHART:
            for y in range(2012, 2061):
                m = comp.value(name, s, y)
                rows.append((name, s, y, m - 2, m - 1, m, m + 1, m + 2))
    bands = pd.DataFrame(
        rows, columns=["scenario", "series", "year", "p5", "p25", "p50", "p75", "p95"]
    )
    probs = pd.DataFrame(
        [(n, "coexistence_overall", y, 0.5) for n in comp.names[1:] for y in (2030, 2060)],
        columns=["scenario", "index", "year", "p_beats_baseline"],
    )
    with_ens = dataclasses.replace(comp, ensemble=SimpleNamespace(bands=bands, probabilities=probs))
    sources = brief.load_sources(comp, None, "korea")
    with font_context("en"):
        pages = dict(brief.build_figures(with_ens, sources, lang="en", dpi=DPI))
    assert "probabilities" in pages
    for s in brief.HEADLINE_CHART:
        unc = [ax for ax in pages[f"uncertainty_{s}"].axes if ax.get_visible()]
        # one panel per non-baseline scenario: its fan and the baseline's
        assert [ax.get_title() for ax in unc] == [brief.scenario_name(n) for n in SCENARIOS]
        for ax, name in zip(unc, SCENARIOS, strict=True):
            assert len(ax.collections) == 4  # two bands each
            lo = min(p.vertices[:, 1].min() for c in ax.collections for p in c.get_paths())
            assert ax.get_ylim()[0] <= lo
            mine = bands[(bands["series"] == s) & bands["scenario"].isin(["baseline", name])]
            assert lo == pytest.approx(mine["p5"].min())
    prob_ax = pages["probabilities"].axes[0]
    assert prob_ax.images[0].get_array().shape == (2, 2)
    cells = [t.get_text() for t in prob_ax.texts if t.get_text() in ("50%", "=")]
    assert len(cells) == 4


def test_korean_pack_renders_without_missing_glyphs(tmp_path):
    """Warnings are errors in this suite: a missing Hangul glyph would fail it."""
    out = tmp_path / "ko"
    result = brief.make_brief(
        ["rd_support_uk"], out, lang="ko", formats="png,svg,pdf", dpi=DPI, years=(2040,)
    )
    assert (out / "headline_ko.png").exists() and (out / "briefing_ko.pdf").exists()
    assert (out / "levers_ko.svg").exists()
    with Image.open(out / "coexistence_dashboard_ko.png") as img:
        assert img.size == (W, H)
    reader = PdfReader(out / "briefing_ko.pdf")
    assert len(reader.pages) == len(result.pages)
    fonts = {
        str(f.get_object().get("/BaseFont"))
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("NanumGothic" in f for f in fonts)
    manifest = (out / "brief_ko.manifest.json").read_text(encoding="utf-8")
    assert '"lang": "ko"' in manifest


def test_default_scenarios_baseline_first():
    names = brief.default_scenarios()
    assert names[0] == "baseline"
    assert names[:6] == list(brief.BUNDLED_ORDER)


@pytest.mark.parametrize("spec", ["png,gif", "", "jpg"])
def test_bad_formats(spec):
    with pytest.raises(brief.CompareError, match="--format"):
        brief.parse_formats(spec)


def test_cli_brief_svg_only(tmp_path):
    res = CliRunner().invoke(
        cli,
        [
            "brief",
            "rd_support_usa",
            "--out",
            str(tmp_path),
            "--format",
            "svg",
            "--dpi",
            "72",
            "--years",
            "2040",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "briefing pack for baseline, rd_support_usa" in res.output
    svgs = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert "headline.svg" in svgs and "levers.svg" in svgs
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.pdf"))
    assert (tmp_path / "comparison.md").exists()


@pytest.fixture(scope="module")
def sensitivity_dir(tmp_path_factory):
    """A small saved Morris study of two outputs (levers only: fast)."""
    from smesim.analysis.sensitivity import model_factors, run_sensitivity, write_sensitivity

    res = run_sensitivity(
        "baseline",
        method="morris",
        n=4,
        seed=1,
        outputs=["coexistence_regional", "coexistence_natural"],
        years=[2030, 2060],
        factors=model_factors(parameters=False),
    )
    out = tmp_path_factory.mktemp("sens")
    write_sensitivity(res, out, charts=False)
    return out


def test_sensitivity_result_adds_its_page(tmp_path, sensitivity_dir):
    out = tmp_path / "pack"
    result = brief.make_brief(
        ["regional_dispersion"],
        out,
        formats="png,pdf",
        dpi=DPI,
        years=(2030, 2060),
        sensitivity_dir=sensitivity_dir,
    )
    assert result.pages[-1] == "sensitivity"
    assert len(PdfReader(out / "briefing.pdf").pages) == len(result.pages)
    with Image.open(out / "sensitivity.png") as img:
        assert img.size == (W, H)
    import json

    man = json.loads((out / "brief.manifest.json").read_text(encoding="utf-8"))
    assert man["sensitivity"]["method"] == "morris"
    assert len(man["sensitivity"]["manifest_sha256"]) == 64


def test_sensitivity_page_has_a_panel_per_output_with_the_drivers(sensitivity_dir):
    from smesim.analysis.sensitivity import read_sensitivity

    res = read_sensitivity(sensitivity_dir)
    sources = SimpleNamespace(line=lambda lang: "source line")
    with font_context("en"):
        fig = brief.sensitivity_page(res, sources, "en", DPI)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == [
        brief.series_name(o) for o in ("coexistence_regional", "coexistence_natural")
    ]
    regional = [t.get_text() for t in axes[0].get_legend().get_texts()]
    # the lever that drives it, first, by its name in the pack's language
    assert regional[0] == f"{brief.lever_name('regional_dispersion')} (lever)"
    natural = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert natural == [f"{brief.lever_name('green_transition')} (lever)"]  # no-effect: out
    assert axes[0].get_ylabel() == "Morris mu*"


@pytest.mark.parametrize(
    "args, match",
    [
        (["brief", "--lang", "fr"], "--lang: expected one of en, ko (got 'fr')"),
        (["brief", "--format", "gif"], "--format"),
        (["brief", "nosuch"], "scenario not found"),
        (["brief", "--sensitivity", "/nonexistent/sens"], "sensitivity directory not found"),
    ],
)
def test_cli_brief_errors(args, match, tmp_path):
    res = CliRunner().invoke(cli, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 2 and match in res.output
    assert isinstance(res.exception, SystemExit)  # a deliberate exit, not an uncaught exception
