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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from pypdf import PdfReader

from smesim.analysis.compare import compare_scenarios
from smesim.analysis.dominance import scenario_dominance
from smesim.cli import cli
from smesim.model.horizon import START_YEAR
from smesim.report import brief
from smesim.report.charts import panel_title
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
        targets=["wage_ratio_sme>=65"],
    )
    # 2 series with data -> 1 history page; no ensemble -> no uncertainty pages;
    # an appendix page per reporting year.
    assert result.pages == (
        "cover",
        "key_findings",
        "history_1",
        "headline",
        "coexistence_dashboard",
        "coexistence_paths",
        "levers",
        "loop_dominance",
        "appendix_1",
        "appendix_2",
    )
    names = sorted(p.name for p in result.files)
    charts = [p for p in result.pages if not p.startswith(("cover", "appendix"))]
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


def _pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace (wrapped lines) folded to single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_key_findings_and_appendix_pages_hold_the_numbers(tmp_path):
    out = tmp_path / "pack"
    result = brief.make_brief(
        SCENARIOS,
        out,
        formats="pdf",
        dpi=DPI,
        years=(2030, 2060),
        targets=["wage_ratio_sme>=60", "capital_region_grp_share<=50"],
    )
    comp = result.comparison
    pages = _pdf_text(out / "briefing.pdf")
    # cover, key findings, 3 history pages (bundled releases), 5 chart pages, 2 appendix pages
    assert len(pages) == len(result.pages) == 12
    findings = pages[result.pages.index("key_findings")]
    assert "Key findings" in findings
    # the baseline's level and each scenario's change, at every reporting year
    for s in brief.HEADLINE:
        assert brief.series_name(s) in findings
        for y in comp.years:
            assert f"{comp.value('baseline', s, y):.1f}" in findings
    d = comp.value("rd_support_france", "rd_share_sme", 2060) - comp.value(
        "baseline", "rd_share_sme", 2060
    )
    assert f"+{d:.1f}" in findings
    # the targets, and a line per scenario on what it changes
    assert "Year each target is first reached" in findings
    assert "SME wage ratio >= 60" in findings and "not by 2060" in findings
    assert "Capital-region share of GRP <= 50" in findings
    reached = comp.reach_text("regional_dispersion", comp.targets[1])
    assert reached.isdigit() and reached in findings
    assert "Moves Regional dispersion (from 2026). By 2060: Regional coexistence" in findings
    # the coexistence table: the overall index with its components, assumed ones labelled
    assert "Coexistence indices: the overall index with its four components" in findings
    for label in (
        "Economic coexistence",
        "Regional coexistence",
        "Human coexistence (partly assumed trend)",
        "Natural coexistence (assumed trend)",
        "Overall coexistence (partly assumed trend)",
    ):
        assert label in findings
    assert "Moves R&D direct subsidy, R&D tax incentives (from 2026)" in findings
    # the appendix: every canonical output at each reporting year
    for year, stem in zip((2030, 2060), ("appendix_1", "appendix_2"), strict=True):
        page = pages[result.pages.index(stem)]
        assert f"Appendix: every output in {year}" in page
        for s in brief.CANONICAL:
            assert brief.series_name(s) in page
        v = comp.value("regional_dispersion", "coexistence_overall", year)
        diff = v - comp.value("baseline", "coexistence_overall", year)
        assert f"{v:.2f} ({diff:+.2f})" in page


def _boxes(fig):
    """Window extents of the page's axes (tick labels included), legends and texts."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    axes = [ax.get_tightbbox(r) for ax in fig.axes if ax.get_visible() and ax.axison]
    legends = [leg.get_window_extent(r) for leg in fig.legends]
    texts = [t.get_window_extent(r) for t in fig.texts if t.get_text()]
    return axes, legends, texts


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_nothing_overlaps_or_leaves_the_page(lang, release_file):
    """Legends and captions stay clear of the axes (tick labels included) and of each
    other; every text stays on the page (the Korean cover used to run off it)."""
    c = compare_scenarios(default_scenarios := brief.default_scenarios(), years=(2030, 2060))
    assert default_scenarios[0] == "baseline"
    sources = brief.load_sources(c, None, "korea")
    dom = scenario_dominance("baseline", until=c.end, years=()).result  # the loops page
    with font_context(lang):
        pages = brief.build_figures(c, sources, lang=lang, dpi=DPI, dominance=dom)
        assert "loop_dominance" in dict(pages)
        for stem, fig in pages:
            axes, legends, texts = _boxes(fig)
            page = fig.bbox
            for box in [*legends, *texts]:
                assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, stem
                assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, stem
            for leg in legends:
                assert not any(leg.overlaps(ax) for ax in axes), stem
            below = [t for t in texts if t.y1 < page.height * 0.2]  # captions, source line
            for t in below:
                assert not any(t.overlaps(ax) for ax in axes), stem
                assert not any(t.overlaps(leg) for leg in legends), stem


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
    assert x[0] == START_YEAR and x[-1] == comp.end
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
        lines = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_label() in by_label]
        assert {by_label[ln.get_label()] for ln in lines} == set(comp.names)
        for ln in lines:
            assert ln.get_color() == colours[by_label[ln.get_label()]]


def test_headline_marks_the_policy_start_and_scenarios_equal_to_the_baseline(comp):
    sources = brief.load_sources(comp, None, "korea")
    colours = brief.charts.scenario_colours(comp.names)
    frames, _ = brief.changed_levers(comp, "korea")
    start = brief.policy_start(brief.lever_changes(frames, comp.reference))
    assert start == 2026
    fig = brief.headline_page(comp, sources, "en", DPI, colours, start)
    for ax in fig.axes:
        vertical = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [2026, 2026]]
        assert len(vertical) == 1
        assert "policy start 2026" in [t.get_text().strip() for t in ax.texts]
    grp = next(ax for ax in fig.axes if ax.get_title() == "Capital-region share of GRP")
    # R&D support leaves the capital region's GRP share alone: drawn wider than the
    # baseline, under its dashes, and named under the axis
    lines = {ln.get_label(): ln for ln in grp.get_lines()}
    base, same = lines["Baseline (current policy)"], lines["R&D support: France level"]
    assert same.get_linewidth() > base.get_linewidth() and same.get_zorder() < base.get_zorder()
    assert "R&D support: France level" in grp.get_xlabel()
    assert "Regional dispersion" not in grp.get_xlabel()
    # regional dispersion now reaches SMEs (regional access), so it is not "the same"
    wage = next(ax for ax in fig.axes if ax.get_title() == "All-firm wage ratio")
    assert "Regional dispersion" not in wage.get_xlabel()
    rd = next(ax for ax in fig.axes if ax.get_title() == "SME share of business R&D")
    assert "R&D support: France level" not in rd.get_xlabel()


def test_dashboard_colours_scaled_to_the_changes(comp):
    sources = brief.load_sources(comp, None, "korea")
    fig = brief.dashboard_page(comp, sources, "en", DPI)
    norm = fig.axes[0].images[0].norm
    levels = comp.levels(brief.COEXISTENCE)
    change = levels.to_numpy() - levels.loc["baseline"].to_numpy()[None, :]
    assert change.min() > -0.05  # no scenario lowers an index (beyond rounding)
    assert norm.vmin == 0 and norm.vmax == pytest.approx(change.max())


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
        fig = pages[f"uncertainty_{s}"]
        (legend,) = fig.legends
        labels = [t.get_text() for t in legend.get_texts()]
        assert "median of the ensemble (dotted)" in labels
        assert "central run, calibrated parameters (solid)" in labels
        assert "25-75 % band (in the panel's colour)" in labels  # tests/test_charts.py: colours
        caption = [t.get_text() for t in fig.texts if "median of" in t.get_text()]
        assert caption and "central run" not in caption[0]  # the caption explains, in words:
        assert "non-linear" in caption[0].replace("\n", " ")
    prob_ax = pages["probabilities"].axes[0]
    assert prob_ax.images[0].get_array().shape == (2, 2)
    cells = [t.get_text() for t in prob_ax.texts if t.get_text() in ("50%", "=")]
    assert len(cells) == 4


def test_korean_pack_renders_without_missing_glyphs(tmp_path):
    """Warnings are errors in this suite: a missing Hangul glyph would fail it."""
    out = tmp_path / "ko"
    result = brief.make_brief(
        ["rd_support_uk"],
        out,
        lang="ko",
        formats="png,svg,pdf",
        dpi=DPI,
        years=(2040,),
        targets=["wage_ratio_sme>=65"],
    )
    assert (out / "headline_ko.png").exists() and (out / "briefing_ko.pdf").exists()
    assert (out / "levers_ko.svg").exists() and (out / "key_findings_ko.png").exists()
    with Image.open(out / "coexistence_dashboard_ko.png") as img:
        assert img.size == (W, H)
    reader = PdfReader(out / "briefing_ko.pdf")
    # cover, key findings, 3 history pages, 5 chart pages, 1 appendix page (one year)
    assert len(reader.pages) == len(result.pages) == 11
    pages = _pdf_text(out / "briefing_ko.pdf")
    findings = pages[result.pages.index("key_findings")]
    assert "주요 결과" in findings and "목표별 최초 도달 연도" in findings
    assert "R&D 지원: 영국 수준" in findings and "2060년까지 미도달" in findings
    assert "중소기업 임금 수준 >= 65" in findings
    appendix = pages[result.pages.index("appendix_1")]
    assert "부록: 2040년 전체 지표" in appendix
    assert "종합 상생 지수 (일부 가정된 추세) [지수 0-100]" in appendix
    assert "자연 상생 (지속가능성, 가정된 추세) [지수 0-100]" in appendix
    # the tables are Korean too, in their own files beside any English ones
    header = (out / "comparison_ko.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("scenario,시나리오,series,지표,단위,추세 근거,연도,값")
    ko = pd.read_csv(out / "comparison_ko.csv", keep_default_na=False)
    trend = ko.drop_duplicates("series").set_index("series")["추세 근거"]
    assert trend["coexistence_natural"] == "가정된 추세"
    assert trend["coexistence_human"] == "일부 가정된 추세"
    md = (out / "comparison_ko.md").read_text(encoding="utf-8")
    assert "# 시나리오 비교" in md
    assert "가정된 추세: 자연 상생 (지속가능성); 일부 가정된 추세: 인간 상생 (기회균등)" in md
    assert not (out / "comparison.csv").exists()
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
    assert result.pages[-3:] == ("sensitivity", "appendix_1", "appendix_2")
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
        panel_title(o) for o in ("coexistence_regional", "coexistence_natural")
    ]

    def shown(ax):
        return [c.get_label() for c in ax.containers]

    # the lever that drives it, first, by its name in the pack's language
    assert shown(axes[0])[0] == f"{brief.lever_name('regional_dispersion')} (lever)"
    natural = shown(axes[1])
    assert natural == [f"{brief.lever_name('green_transition')} (lever)"]  # no-effect: out
    assert axes[0].get_ylabel() == "Morris mu*"
    # one legend for the page, every factor shown once
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert sorted(labels) == sorted(set(shown(axes[0]) + natural))


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
