"""Plot functions: they draw what they are given on the Axes they return."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from smesim.analysis.compare import lever_changes, lever_frame
from smesim.inputs.scenario import load_scenario
from smesim.report import charts, i18n

YEARS = np.arange(2012, 2061)


def _render(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    return buf.getvalue()


def _frames(names=("baseline", "rd_support_uk", "mine")):
    """Synthetic year-indexed runs: a straight line per scenario, distinct slopes."""
    idx = pd.Index(YEARS, name="year")
    return {
        n: pd.DataFrame(
            {
                "wage_ratio_sme": 50 + k * 0.1 * (YEARS - 2012),
                "coexistence_overall": 40 + k * (YEARS - 2012) / 4,
            },
            index=idx,
        )
        for k, n in enumerate(names)
    }


def _bands(names=("baseline", "mine"), series="wage_ratio_sme"):
    rows = []
    for k, n in enumerate(names):
        for y in YEARS:
            m = 50 + k + 0.1 * (y - 2012)
            s = 0.05 * (y - 2011)
            rows.append((n, series, y, m - 2 * s, m - s, m, m + s, m + 2 * s))
    return pd.DataFrame(
        rows, columns=["scenario", "series", "year", "p5", "p25", "p50", "p75", "p95"]
    )


# ---- colours -------------------------------------------------------------------------------
def test_colours_stable_distinct_and_baseline_black():
    a = charts.scenario_colours(["baseline", "rd_support_uk", "mine", "other"])
    b = charts.scenario_colours(["coexistence_package", "rd_support_uk", "baseline"])
    assert a["baseline"] == b["baseline"] == "#000000"
    assert a["rd_support_uk"] == b["rd_support_uk"]
    assert len(set(a.values())) == 4
    assert set(a.values()) <= {*charts.OKABE_ITO.values(), "#7F7F7F"}


# ---- lines ---------------------------------------------------------------------------------
def test_plot_scenarios_lines_title_units_and_data():
    frames = _frames()
    ax = charts.plot_scenarios("wage_ratio_sme", frames, start=2020, end=2050)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "SME wage ratio"
    assert ax.get_ylabel() == "% (large firms, 500+ = 100)"
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) == {"Baseline (current policy)", "R&D support: UK level", "mine"}
    base = lines["Baseline (current policy)"]
    assert base.get_linestyle() == "--" and base.get_color() == "#000000"
    x, y = lines["mine"].get_data()
    assert x[0] == 2020 and x[-1] == 2050
    np.testing.assert_allclose(y, frames["mine"]["wage_ratio_sme"].loc[2020:2050])
    assert [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_functions_draw_on_the_given_axes():
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert charts.plot_scenarios("wage_ratio_sme", _frames(), ax=ax2, legend=False) is ax2
    assert not ax1.get_lines() and len(ax2.get_lines()) == 3
    assert ax2.get_legend() is None


def test_fan_bands_match_percentiles():
    bands = _bands()
    ax = charts.plot_scenarios("wage_ratio_sme", _frames(("baseline", "mine")), bands=bands)
    fills = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(fills) == 4  # two bands per scenario
    mine = bands[bands["scenario"] == "mine"]
    outer = fills[0].get_paths()[0].vertices[:, 1]
    assert outer.min() == pytest.approx(mine["p5"].min())
    assert outer.max() == pytest.approx(mine["p95"].max())
    medians = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(medians) == 2


def test_history_points_filled_and_hollow():
    base = _frames(("baseline",))["baseline"]
    pts = pd.DataFrame(
        {
            "series": ["wage_ratio_sme"] * 3 + ["rd_share_sme"],
            "year": [2003, 2012, 2017, 2012],
            "value": [58.0, 56.7, 54.2, 25.8],
        }
    )
    ax = charts.plot_history("wage_ratio_sme", base, pts)
    scat = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scat) == 2
    fitted, history = scat
    np.testing.assert_allclose(fitted.get_offsets(), [[2012, 56.7], [2017, 54.2]])
    np.testing.assert_allclose(history.get_offsets(), [[2003, 58.0]])
    assert len(history.get_facecolor()) == 0 or history.get_facecolor()[0][3] == 0
    assert ax.get_title() == "SME wage ratio" and len(ax.get_lines()) == 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "Model (baseline)",
        "Release data (fitted years)",
        "Release data (history, before 2012)",
    ]


def test_history_marks_unfitted_points():
    base = _frames(("baseline",))["baseline"]
    pts = pd.DataFrame(
        {
            "series": ["wage_ratio_sme"] * 2,
            "year": [2015, 2017],
            "value": [55.0, 54.2],
            "weight": [0.0, 1.0],
        }
    )
    ax = charts.plot_history("wage_ratio_sme", base, pts)
    by_label = {c.get_label(): c for c in ax.collections}
    np.testing.assert_allclose(
        by_label["Release data (fitted years)"].get_offsets(), [[2017, 54.2]]
    )
    np.testing.assert_allclose(
        by_label["Release data (weight 0, not fitted)"].get_offsets(), [[2015, 55.0]]
    )


def test_history_without_points_says_so():
    ax = charts.plot_history(
        "rd_share_sme", _frames(("baseline",))["baseline"].assign(rd_share_sme=20.0), None
    )
    assert any("no release data" in t.get_text() for t in ax.texts)


# ---- heatmaps ------------------------------------------------------------------------------
def _levels():
    cols = pd.MultiIndex.from_product(
        [["coexistence_economic", "coexistence_overall"], [2030, 2060]]
    )
    return pd.DataFrame(
        [[40, 30, 50, 50], [45, 50, 52, 61]], index=["baseline", "pkg"], columns=cols, dtype=float
    )


def test_coexistence_heatmap_colours_change_and_labels_levels():
    lv = _levels()
    ax = charts.plot_coexistence_heatmap(lv)
    img = ax.images[0].get_array()
    np.testing.assert_allclose(img, [[0, 0, 0, 0], [5, 20, 2, 11]])
    # every change >= 0: the colours run from 0 to the largest, not from -20 to +20
    assert ax.images[0].get_clim() == (0, 20)
    cells = [t.get_text() for t in ax.texts if t.get_text()[:1].isdigit()]
    assert cells == [
        "40",
        "30",
        "50",
        "50",
        "45\n(+5.0)",
        "50\n(+20.0)",
        "52\n(+2.0)",
        "61\n(+11.0)",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Baseline (current policy)", "pkg"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2030", "2060"] * 2
    groups = [t.get_text() for t in ax.texts if t.get_text().startswith(("Economic", "Overall"))]
    assert groups == ["Economic", "Overall\n(partly assumed\ntrend)"]


@pytest.mark.parametrize(
    ("changes", "clim", "middle"),
    [
        ([0.0, 5.0, 62.0], (0.0, 62.0), "teal"),  # all >= 0: the teal half, 0 to the largest
        ([0.0, -0.003, 62.0], (0.0, 62.0), "teal"),  # a rounding-size dip is still 0
        ([0.0, -4.0, -10.0], (-10.0, 0.0), "brown"),  # all <= 0: the brown half
        ([-2.0, 0.0, 8.0], (-8.0, 8.0), "both"),  # both signs: diverging, centred on 0
    ],
)
def test_change_colours_scaled_to_the_data(changes, clim, middle):
    cmap, norm = charts.change_scale(np.array(changes))
    assert (norm.vmin, norm.vmax) == pytest.approx(clim)
    r, g, b, _ = cmap(0.5)
    if middle == "teal":
        assert g > r  # a teal, not the white centre of a diverging map
        assert cmap(0.0)[:3] == pytest.approx(charts.colormaps["BrBG"](0.5)[:3])
    elif middle == "brown":
        assert r > b
    else:
        assert cmap(0.5)[:3] == pytest.approx(charts.colormaps["BrBG"](0.5)[:3], abs=0.01)


def test_coexistence_heatmap_by_level():
    ax = charts.plot_coexistence_heatmap(_levels(), colour_by="level")
    np.testing.assert_allclose(ax.images[0].get_array(), _levels().to_numpy())
    assert ax.images[0].get_clim() == (0, 100)


def test_probability_heatmap():
    probs = pd.DataFrame(
        {
            "scenario": ["pkg"] * 2 + ["uk"] * 2,
            "index": ["coexistence_overall"] * 4,
            "year": [2030, 2060] * 2,
            "p_beats_baseline": [0.5, 0.9, 0.2, 0.7],
        }
    )
    ax = charts.plot_probabilities(probs)
    np.testing.assert_allclose(ax.images[0].get_array(), [[0.5, 0.9], [0.2, 0.7]])
    assert sorted(t.get_text() for t in ax.texts if "%" in t.get_text()) == [
        "20%",
        "50%",
        "70%",
        "90%",
    ]
    assert "Overall\n(partly assumed\ntrend)" in [t.get_text() for t in ax.texts]
    assert ax.get_title() == "Probability of beating the baseline"


# ---- levers ---------------------------------------------------------------------------------
def test_lever_changes_and_gantt():
    scs = [load_scenario(n) for n in ("baseline", "rd_support_france", "regional_dispersion")]
    frames = {sc.name: lever_frame(sc) for sc in scs}
    ch = lever_changes(frames, "baseline")
    assert list(zip(ch["scenario"], ch["lever"], strict=True)) == [
        ("rd_support_france", "rd_subsidy_rate"),
        ("rd_support_france", "rd_tax_incentive_rate"),
        ("regional_dispersion", "regional_dispersion"),
    ]
    fr = ch.iloc[0]
    assert (fr.start, fr.settled, fr.before, fr.final) == (2026, 2031, 4.17, 19.86)
    ax = charts.plot_lever_changes(ch)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "R&D direct subsidy",
        "R&D tax incentives",
        "Regional dispersion",
    ]
    solid = [p for p in ax.patches if p.get_alpha() is None]
    assert len(solid) == 3
    assert solid[0].get_x() == 2026 and solid[0].get_width() == pytest.approx(5)
    assert any(t.get_text() == "4.17 → 19.86 %  (2026-2031)" for t in ax.texts)
    assert any(t.get_text() == "R&D support: France level" for t in ax.texts)
    # the legend says what the dark and pale bars mean
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "lever changing (phase-in)",
        "held at the new value",
    ]
    dark, pale = legend.legend_handles
    assert dark.get_alpha() is None and pale.get_alpha() == pytest.approx(0.28)


def test_lever_paths_plot():
    scs = [load_scenario(n) for n in ("baseline", "regional_dispersion")]
    paths = {sc.name: lever_frame(sc)["regional_dispersion"] for sc in scs}
    ax = charts.plot_lever_paths("regional_dispersion", paths, legend=True)
    assert ax.get_title() == "Regional dispersion" and ax.get_ylabel() == "intensity, 0-1"
    assert len(ax.get_lines()) == 2
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == pytest.approx(0.2) and y[-1] == pytest.approx(0.7)


# ---- Korean --------------------------------------------------------------------------------
def test_korean_labels_render_with_the_hangul_font():
    with i18n.font_context("ko"):
        ax = charts.plot_scenarios("wage_ratio_sme", _frames(), lang="ko", bands=_bands())
        _render(ax.figure)  # missing glyphs would warn -> error in this suite
        assert ax.get_title() == "중소기업 임금 수준"
        assert ax.title.get_fontname() == "NanumGothic"
        assert "기준 (현행 정책)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_dejavu_alone_would_show_tofu():
    """The check above can fail: Hangul without the Hangul font warns."""
    with i18n.font_context("en"):
        fig = Figure()
        fig.text(0.5, 0.5, "중소기업")
        with pytest.warns(UserWarning, match="missing from font"):
            _render(fig)


def test_every_series_scenario_and_lever_has_a_korean_name():
    from smesim.inputs.scenario import bundled_names
    from smesim.model.levers import LEVER_IDS
    from smesim.model.outputs import CANONICAL

    for s in CANONICAL:
        assert i18n.series_name(s, "ko") != i18n.series_name(s, "en")
    for n in bundled_names():
        assert i18n.scenario_name(n, "ko") != n
    for lid in LEVER_IDS:
        assert i18n.lever_name(lid, "ko") != i18n.lever_name(lid, "en")
    assert set(i18n.TEXT["ko"]) == set(i18n.TEXT["en"])


def test_every_declared_loop_has_a_korean_name_and_none_is_stale():
    from smesim.model.loops import LOOPS

    names = {lp.name for lp in LOOPS}
    for name in names:
        assert i18n.loop_name(name, "ko") != name, name
    assert set(i18n.LOOP_NAMES_KO) == names  # no translation of a loop that no longer exists


def test_missing_font_package_is_a_clear_error(monkeypatch):
    import importlib.util

    i18n.hangul_font_path.cache_clear()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.raises(i18n.LanguageError, match="koreanize-matplotlib"):
            i18n.hangul_font_path()
    finally:
        i18n.hangul_font_path.cache_clear()


def test_unknown_language():
    with pytest.raises(i18n.LanguageError, match="expected one of en, ko"):
        i18n.check_lang("fr")


def test_identical_scenario_paths_stay_visible():
    frames = _frames(("baseline", "a", "b"))
    frames["b"] = frames["a"].copy()
    ax = charts.plot_scenarios("wage_ratio_sme", frames)
    styles = {ln.get_label(): ln.get_linestyle() for ln in ax.get_lines()}
    assert styles["a"] == "-" and styles["b"] == "--"  # dashed over "a"


def test_probability_heatmap_marks_no_effect_cells():
    probs = pd.DataFrame(
        {
            "scenario": ["uk", "uk"],
            "index": ["coexistence_regional"] * 2,
            "year": [2030, 2060],
            "p_beats_baseline": [0.0, 0.8],
        }
    )
    ax = charts.plot_probabilities(probs, no_effect={("uk", "coexistence_regional", 2030)})
    arr = ax.images[0].get_array()
    assert arr.mask.tolist() == [[True, False]]
    assert sorted(t.get_text() for t in ax.texts if t.get_text() in ("=", "80%", "0%")) == [
        "80%",
        "=",
    ]


def test_scenario_on_the_baseline_drawn_under_it_and_named():
    frames = _frames(("baseline", "same", "other"))
    frames["same"] = frames["baseline"].copy()
    frames["same"].loc[2040, "wage_ratio_sme"] += 1e-6  # equal to the eye
    ax = charts.plot_scenarios("wage_ratio_sme", frames, policy_start=2026)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    base, same = lines["Baseline (current policy)"], lines["same"]
    assert same.get_linewidth() > base.get_linewidth() + 1  # a band of its colour ...
    assert same.get_zorder() < base.get_zorder()  # ... under the baseline's dashes
    assert same.get_linestyle() == "-"
    assert "same as the baseline: same" in ax.get_xlabel()
    assert ax.get_xlabel().startswith("Year")
    assert "other" not in ax.get_xlabel()
    # the policy start: a thin vertical line and its label
    (vline,) = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [2026, 2026]]
    assert vline.get_linewidth() < 1.5
    assert [t.get_text().strip() for t in ax.texts] == ["policy start 2026"]


def test_note_wraps_between_names_in_korean():
    frames = _frames(("baseline", "rd_support_france", "rd_support_uk", "rd_support_usa"))
    for n in ("rd_support_france", "rd_support_uk", "rd_support_usa"):
        frames[n] = frames["baseline"].copy()
    fig = Figure(figsize=(4, 3))
    with i18n.font_context("ko"):
        ax = charts.plot_scenarios("wage_ratio_sme", frames, ax=fig.add_subplot(), lang="ko")
        _render(fig)
    lines = ax.get_xlabel().split("\n")
    assert lines[0] == "연도" and len(lines) > 2
    for name in ("R&D 지원: 프랑스 수준", "R&D 지원: 영국 수준", "R&D 지원: 미국 방식"):
        assert any(name in line for line in lines[1:])  # each name whole, on one line


def test_uncertainty_legend_in_the_scenarios_colours():
    colours = charts.scenario_colours(["baseline", "rd_support_uk", "regional_dispersion"])
    handles, labels, handler_map = charts.uncertainty_legend(
        ["rd_support_uk", "regional_dispersion"], colours
    )
    assert labels[:4] == [
        "25-75 % band (in the panel's colour)",
        "5-95 % band (in the panel's colour)",
        "median of the ensemble (dotted)",
        "central run, calibrated parameters (solid)",
    ]
    for h in handles[:2]:
        assert [to_hex(p.get_facecolor()) for p in h] == [
            colours["rd_support_uk"].lower(),
            colours["regional_dispersion"].lower(),
        ]
    assert [ln.get_linestyle() for ln in handles[2]] == [":", ":", ":"]
    fig = Figure()
    fig.legend(handles, labels, handler_map=handler_map)
    _render(fig)
