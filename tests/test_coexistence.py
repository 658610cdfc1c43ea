"""The coexistence indices cannot hide a collapse, and their assumed trends are labelled.

The aggregation is tested on the declared equations themselves (evaluated with
:func:`smesim.model.lang.evaluate`), the model's outputs for invariants that
survive a redesign of the other sectors (AM-GM, finiteness, bounds), and the
labels in the text the tables and charts really show.
"""

from __future__ import annotations

import numpy as np
import pytest

from smesim.analysis.compare import ENGLISH, TERMINAL_SERIES, TableText
from smesim.analysis.run import simulate_scenario
from smesim.model import MODEL
from smesim.model.lang import evaluate, references
from smesim.model.outputs import (
    ASSUMED_TREND,
    BY_ID,
    CANONICAL,
    COEXISTENCE,
    COEXISTENCE_COMPONENTS,
    EXTRA,
    HEADLINE,
    SERIES,
    TRENDS,
    Series,
    with_components,
)
from smesim.report import charts, i18n
from smesim.report.brief import table_text

FLOOR = MODEL.by_name["coexistence_floor"].value
BASE = MODEL.by_name["base_index"].value


def overall(economic, regional, human, natural):
    """``coexistence_overall`` from its declared equation, for arrays of components."""
    env = {
        "coexistence_economic": np.asarray(economic, dtype=float),
        "coexistence_regional": np.asarray(regional, dtype=float),
        "coexistence_human": np.asarray(human, dtype=float),
        "coexistence_natural": np.asarray(natural, dtype=float),
        "coexistence_floor": FLOOR,
        "base_index": BASE,
    }
    return np.asarray(evaluate(MODEL.by_name["coexistence_overall"].tree, env), dtype=float)


# ---- the aggregation ------------------------------------------------------------------------
def test_a_collapsing_component_drags_the_overall_index_toward_zero():
    # economic collapses while natural climbs to 100 (the pattern an arithmetic mean hid)
    economic = np.linspace(60.0, 0.0, 61)
    got = overall(economic, 55.0, 50.0, 100.0)
    mean = (economic + 55.0 + 50.0 + 100.0) / 4
    assert np.all(np.diff(got) < 0)  # falls all the way down
    assert np.all(got <= mean + 1e-12)
    assert got[-1] < 0.5 * mean[-1]  # far below the mean (51.25) at the collapse
    # with one component at 0 the index is at most the floor-bound (f (100 + f)^3)^(1/4) - f,
    # whatever the others do: 30.9 with a floor of 1 point
    bound = (FLOOR * (BASE + FLOOR) ** 3) ** 0.25 - FLOOR
    assert overall(0.0, 100.0, 100.0, 100.0) == pytest.approx(bound)
    assert bound < 35.0
    assert float(overall(0.0, 50.0, 50.0, 50.0)) < 20.0


def test_overall_never_exceeds_the_arithmetic_mean_and_equals_it_for_equal_components():
    rng = np.random.default_rng(12)
    c = rng.uniform(0.0, 100.0, size=(4, 5000))
    c[:, :50] = 0.0  # corners: zeros
    c[:, 50:100] = 100.0
    got = overall(*c)
    assert np.all(np.isfinite(got))
    assert np.all(got <= c.mean(axis=0) + 1e-9)
    assert np.all((got >= -1e-9) & (got <= 100 + 1e-9))
    level = np.linspace(0.0, 100.0, 11)
    np.testing.assert_allclose(overall(level, level, level, level), level, atol=1e-9)


def test_overall_is_finite_and_differentiable_at_a_zero_component():
    h = 1e-6
    slope = (overall(h, 50.0, 50.0, 50.0) - overall(0.0, 50.0, 50.0, 50.0)) / h
    g = float(overall(0.0, 50.0, 50.0, 50.0))
    # dG/dc_i = (G + f) / (n (c_i + f)): finite at c_i = 0 thanks to the floor
    assert slope == pytest.approx((g + FLOOR) / (4 * FLOOR), rel=1e-4)


def test_a_gain_counts_more_on_the_weakest_component():
    # the same +10 points raise the overall index more on a weak index than on a strong one
    weak = overall(30.0, 80.0, 60.0, 60.0) - overall(20.0, 80.0, 60.0, 60.0)
    strong = overall(20.0, 90.0, 60.0, 60.0) - overall(20.0, 80.0, 60.0, 60.0)
    assert weak > 2 * strong > 0


def test_economic_index_compares_the_all_firm_wage_like_for_like():
    used = set()
    todo = ["coexistence_economic"]
    while todo:
        name = todo.pop()
        for r in references(MODEL.by_name[name].tree):
            if r not in used:
                used.add(r)
                if r in MODEL.by_name and MODEL.by_name[r].sector == "coexistence":
                    todo.append(r)
    assert "wage_ratio_all_firms" in used
    assert "wage_ratio_sme" not in used
    ref = MODEL.parameter("reference_wage_ratio")
    assert ref.status == "data" and "3,044 / 500+ wage 3,455" in ref.source
    # every reference of the sector has a source or says it is assumed
    for p in MODEL.parameters:
        if p.sector == "coexistence":
            assert p.source.startswith("assumed:") == (p.status == "assumed"), p.name


def test_model_outputs_respect_the_bounds_and_am_gm():
    res = simulate_scenario("coexistence_package", until=2060)
    f = res.frame()
    comps = f[list(COEXISTENCE_COMPONENTS)].to_numpy()
    o = f["coexistence_overall"].to_numpy()
    assert np.all(np.isfinite(f[list(COEXISTENCE)].to_numpy()))
    assert np.all((f[list(COEXISTENCE)].to_numpy() >= 0) & (f[list(COEXISTENCE)] <= 100))
    assert np.all(o <= comps.mean(axis=1) + 1e-9)
    assert np.all(o >= comps.min(axis=1) - 1e-9)


# ---- the flag and the labels ---------------------------------------------------------------
def test_the_flag_lives_on_the_series_and_marks_the_assumed_trends():
    assert ASSUMED_TREND == {s.id: s.trend for s in (*SERIES, *EXTRA) if s.trend}
    assert ASSUMED_TREND["coexistence_natural"] == "assumed"
    assert ASSUMED_TREND["coexistence_human"] == "partly assumed"
    assert ASSUMED_TREND["environmental_intensity"] == "assumed"
    assert ASSUMED_TREND["sme_skills_index"] == "assumed"
    assert "coexistence_economic" not in ASSUMED_TREND
    with pytest.raises(ValueError, match="trend must be one of"):
        Series("x", "%", "x", trend="guessed")
    assert set(ASSUMED_TREND.values()) <= set(TRENDS)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_name_of_an_assumed_series_carries_its_tag(lang):
    for sid in (*CANONICAL, *(s.id for s in EXTRA)):
        tag = i18n.trend_tag(sid, lang)
        assert bool(tag) == (sid in ASSUMED_TREND)
        if tag:
            assert tag in i18n.series_name(sid, lang) and tag in i18n.short_name(sid, lang)
        else:
            assert i18n.series_name(sid, lang) == i18n.base_name(sid, lang)
    assert i18n.series_name("coexistence_natural", "en") == "Natural coexistence (assumed trend)"
    assert i18n.series_name("coexistence_natural", "ko") == "자연 상생 (지속가능성, 가정된 추세)"


def test_korean_names_exist_for_every_series_and_word():
    for sid in (*CANONICAL, *(s.id for s in EXTRA)):
        if sid in ("knowledge_ratio", "margin_sme"):
            continue  # diagnostics shown by id
        assert sid in i18n.SERIES_NAMES["ko"], sid
        assert any("\uac00" <= ch <= "\ud7a3" for ch in i18n.SERIES_NAMES["ko"][sid]), sid
    for sid in COEXISTENCE:
        assert sid in i18n.SHORT_NAMES["ko"]
    for key in ("col_trend", "trend_assumed", "trend_partly assumed", "md_trend_note"):
        assert key in i18n.TABLE_WORDS_KO
    assert i18n.text("coexistence_components_title", "ko") != i18n.text(
        "coexistence_components_title", "en"
    )


@pytest.mark.parametrize("text", [ENGLISH, table_text("ko")], ids=["en", "ko"])
def test_table_labels_and_note(text: TableText):
    label = text.tagged(f"{text.series('coexistence_natural')} [index]", "coexistence_natural")
    assert label.endswith(f"({text.trend('coexistence_natural')})")
    assert text.tagged("x", "coexistence_economic") == "x"
    note = text.trend_note()
    assert text.trend("coexistence_natural") in note
    assert text.series("coexistence_human") in note
    assert text.series("coexistence_economic") not in note


def test_the_overall_index_never_appears_without_its_components():
    for series in (HEADLINE, TERMINAL_SERIES, COEXISTENCE):
        assert "coexistence_overall" in series
        assert set(COEXISTENCE_COMPONENTS) <= set(series)
    assert with_components(["wage_ratio_sme", "coexistence_overall"]) == (
        "wage_ratio_sme",
        *COEXISTENCE_COMPONENTS,
        "coexistence_overall",
    )
    assert (
        with_components(["coexistence_natural", "coexistence_overall"]).count("coexistence_natural")
        == 1
    )
    assert BY_ID["coexistence_overall"].trend == "partly assumed"


def test_component_panel_labels_assumed_lines():
    res = simulate_scenario("baseline", until=2040)
    ax = charts.plot_coexistence_components(res.frame())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [i18n.short_name(s) for s in COEXISTENCE]
    assert "Natural (assumed trend)" in labels
    dashed = {ln.get_label(): ln.get_linestyle() != "-" for ln in ax.lines}
    assert dashed["Natural (assumed trend)"] and not dashed["Economic"]
