"""Global sensitivity: the analytic Ishigami function and the model, through one code path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

pytest.importorskip("SALib")

from smesim.analysis.sensitivity import (
    Factor,
    SensitivityResult,
    model_factors,
    run_sensitivity,
    run_study,
)
from smesim.cli import cli
from smesim.errors import ParameterError
from smesim.inputs.profiles import get_profile
from smesim.model.horizon import MAX_END_YEAR, START_YEAR
from smesim.report import brief
from smesim.report.charts import factor_colours, plot_sensitivity
from smesim.report.i18n import font_context

# Ishigami (a = 7, b = 0.1): analytic first-order and total indices
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
PI = float(np.pi)


def ishigami(X: np.ndarray) -> np.ndarray:
    """Two 'outputs': Ishigami itself and an affine transform (same indices)."""
    y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    return np.column_stack([y, 3 * y - 2])


ISHIGAMI_FACTORS = [Factor(f"x{i}", "other", -PI, PI) for i in (1, 2, 3)]


def test_ishigami_sobol_indices_through_the_study_code():
    res = run_study(
        ISHIGAMI_FACTORS, ishigami, [("y", 2030), ("y", 2040)], method="sobol", n=4096, seed=1
    )
    for year in (2030, 2040):
        t = res.table[res.table["year"] == year].set_index("factor").loc[["x1", "x2", "x3"]]
        np.testing.assert_allclose(t["S1"], ISHIGAMI_S1, atol=0.04)
        np.testing.assert_allclose(t["ST"], ISHIGAMI_ST, atol=0.04)
        assert (t["ST_conf"] > 0).all() and (t["ST_conf"] < 0.1).all()
    # indices do not depend on an affine change of the output
    a = res.table[res.table["year"] == 2030][["S1", "ST"]].to_numpy()
    b = res.table[res.table["year"] == 2040][["S1", "ST"]].to_numpy()
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_ishigami_morris_ranks_x3_by_interaction_not_mean():
    res = run_study(
        ISHIGAMI_FACTORS, ishigami, [("y", 2030), ("y", 2031)], method="morris", n=200, seed=2
    )
    t = res.table[res.table["year"] == 2030].set_index("factor")
    assert (t["mu_star"] > 0).all()
    # x3 acts only through its interaction with x1: mean effect ~0, large sigma
    assert abs(t.loc["x3", "mu"]) < 0.3 * t.loc["x3", "sigma"]


#: A year before the policy start (2026) and two after it.
SOBOL_YEARS = [2020, 2030, 2060]
#: What coexistence_natural depends on (human_natural.py, coexistence.py): the lever and
#: the two assumed parameters of the environmental-intensity stock, sampled over their
#: declared ranges as the ensemble samples them.
NATURAL_FACTORS = {"green_transition", "environmental_intensity_trend", "green_transition_effect"}


@pytest.fixture(scope="module")
def model_sobol():
    return run_sensitivity(
        "baseline",
        method="sobol",
        n=64,
        seed=3,
        outputs=["capital_region_grp_share", "coexistence_natural"],
        years=SOBOL_YEARS,
    )


def test_unused_lever_has_zero_total_index(model_sobol):
    """regions.py reads only regional_dispersion; human_natural reads green_transition."""
    t = model_sobol.table.set_index(["output", "year", "factor"])
    levers = set(model_sobol.table.loc[model_sobol.table["kind"] == "lever", "factor"])
    for year in (2030, 2060):
        grp = t.loc[("capital_region_grp_share", year)]
        for lever in levers - {"regional_dispersion"}:
            assert abs(grp.loc[lever, "ST"]) < 1e-9, lever
        assert grp.loc["regional_dispersion", "ST"] > 0.2
        nat = t.loc[("coexistence_natural", year)]
        assert set(nat.index[nat["ST"].abs() > 1e-9]) == NATURAL_FACTORS
        # the baseline trend dominates soon after the policy start; the lever clearly acts
        assert nat.loc["green_transition", "ST"] > nat.loc["green_transition", "ST_conf"]
    # the levers act from the policy start (2026): nothing before it, more the longer after
    before = t.xs(2020, level="year")
    assert (before.loc[before["kind"] == "lever", "ST"].abs() < 1e-9).all()
    assert before.loc[("capital_region_grp_share", "capital_region_grp_target_0"), "ST"] > 0.2
    for output, lever in (
        ("capital_region_grp_share", "regional_dispersion"),
        ("coexistence_natural", "green_transition"),
    ):
        assert t.loc[(output, 2060, lever), "ST"] > t.loc[(output, 2030, lever), "ST"], lever
    assert set(model_sobol.table["kind"]) == {"lever", "parameter"}


def test_same_seed_same_indices(model_sobol):
    again = run_sensitivity(
        "baseline",
        method="sobol",
        n=64,
        seed=3,
        outputs=["capital_region_grp_share", "coexistence_natural"],
        years=SOBOL_YEARS,
        chunk_rows=500,
    )
    pd.testing.assert_frame_equal(again.table, model_sobol.table, check_exact=True)


def test_morris_on_the_model_levers_only():
    res = run_sensitivity(
        "baseline",
        method="morris",
        n=8,
        seed=1,
        outputs=["capital_region_grp_share"],
        years=[2040],
        factors=model_factors(parameters=False),
    )
    t = res.table.set_index("factor")
    assert t.loc["green_transition", "mu_star"] == 0.0
    assert t.loc["regional_dispersion", "mu_star"] > 0.1
    assert res.ranking("capital_region_grp_share", 2040)["factor"][0] == "regional_dispersion"


def test_plot_returns_axes_with_one_line_per_factor(model_sobol):
    ax = plot_sensitivity(model_sobol, "coexistence_natural", top=3)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # the lever that moves it, by its name, and the two assumed parameters of its stock, by
    # the largest index over the years; the factors always at zero are left out
    assert labels == [
        "environmental_intensity_trend (parameter)",
        "Green transition (lever)",
        "green_transition_effect (parameter)",
    ]
    # a labelled name, not the id (the tag on its own line in a panel)
    assert ax.get_title() == "Natural coexistence\n(assumed trend)"
    with pytest.raises(ParameterError, match="not in this sensitivity result"):
        plot_sensitivity(model_sobol, "wage_ratio_sme")


def _result(rows, method="sobol"):
    cols = ["output", "year", "factor", "kind", "S1", "S1_conf", "ST", "ST_conf"]
    meta = {
        "method": method,
        "n": 64,
        "design_rows": 640,
        "scenario": {"name": "baseline"},
        "parameter_set": {"source": "/x/korea.toml"},
    }
    return SensitivityResult(method, pd.DataFrame(rows, columns=cols), meta)


SYNTHETIC = _result(
    [
        ("coexistence_natural", 2030, "green_transition", "lever", 0.9, 0.1, 1.03, 0.25),
        ("coexistence_natural", 2060, "green_transition", "lever", 0.9, 0.1, 0.97, 0.2),
        ("coexistence_natural", 2030, "wage_target_2012", "parameter", 0, 0, 0.0, 0.0),
        ("coexistence_natural", 2060, "wage_target_2012", "parameter", 0, 0, 0.0, 0.0),
        ("coexistence_overall", 2030, "green_transition", "lever", 0.1, 0.05, 0.2, 0.05),
        ("coexistence_overall", 2060, "green_transition", "lever", 0.1, 0.05, 0.1, 0.05),
        ("coexistence_overall", 2030, "wage_target_2012", "parameter", 0.3, 0.1, 0.5, 0.1),
        ("coexistence_overall", 2060, "wage_target_2012", "parameter", 0.3, 0.1, 0.4, 0.1),
    ]
)


def test_sobol_total_index_above_one_is_clipped_and_explained():
    ax = plot_sensitivity(SYNTHETIC, "coexistence_natural")
    (bars,) = ax.containers  # the factors always at 0 are left out
    assert max(bars.lines[0].get_ydata()) == 1.0  # shown at 1, not 1.03
    assert ax.get_ylim()[1] <= 1.06
    note = ax.get_xlabel()
    assert "sampling error" in note and "1.03" in note and "0.25" in note
    # the error bar stops at 1 too
    segments = [s for c in ax.collections for s in c.get_segments()]
    assert max(float(np.max(s[:, 1])) for s in segments) <= 1.0


def test_legend_off_the_data_and_one_colour_per_factor_across_panels():
    with font_context("en"):
        fig = brief.sensitivity_page(SYNTHETIC, brief.SensitivitySources(SYNTHETIC.meta), "en", 40)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert all(ax.get_legend() is None for ax in axes)  # one figure legend below the panels
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "Green transition (lever)",
        "wage_target_2012 (parameter)",
    ]
    green = {
        c.lines[0].get_color() for ax in axes for c in ax.containers if c.get_label()[0] == "G"
    }
    assert green == {factor_colours(SYNTHETIC)["green_transition"]}  # same in both panels
    # the standalone chart's legend sits right of the axes
    ax = plot_sensitivity(SYNTHETIC, "coexistence_overall")
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0


def test_cli_charts_have_house_style_title_and_source_line():
    with font_context("ko"):
        figs = dict(brief.sensitivity_figures(SYNTHETIC, "ko", dpi=40))
    fig = figs["sensitivity_coexistence_overall"]
    assert fig._suptitle.get_text().startswith("종합 상생 지수 (일부 가정된 추세)의 영향 요인")
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("출처: smesim") and "korea.toml" in t and "n = 64" in t for t in texts)
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and ax.title.get_fontname() == "NanumGothic"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "fast"}, "method: expected one of sobol, morris"),
        ({"n": 100}, "n: expected a power of two"),
        ({"outputs": ["no_such_series"]}, "outputs: unknown series"),
        ({"years": [START_YEAR]}, "years: expected years"),
        ({"years": [2030, MAX_END_YEAR + 1]}, "years: expected years"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        run_sensitivity("baseline", **{"n": 4, **kwargs})


def test_years_before_the_policy_start_give_levers_zero_indices():
    """Every year before the policy start: the run ends before the levers may act, so
    their indices are zero and the parameters explain the history (no error)."""
    res = run_sensitivity("baseline", n=8, seed=1, years=[2012, 2017])
    policy_start = get_profile("korea").policy_start
    assert policy_start > 2017 and res.meta["policy_start"] == policy_start
    t = res.table
    assert (t.loc[t["kind"] == "lever", "ST"].abs() < 1e-9).all()
    assert (t.loc[t["kind"] == "parameter", "ST"].abs() > 1e-9).any()


def test_cli_sensitivity_writes_table_manifest_and_charts(tmp_path):
    out = tmp_path / "s"
    r = CliRunner().invoke(
        cli,
        [
            "sensitivity",
            "baseline",
            "--method",
            "morris",
            "--n",
            "4",
            "--outputs",
            "capital_region_grp_share,coexistence_overall",
            "--years",
            "2030,2040",
            "--no-parameters",
            "--quiet",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["year"]) == {2030, 2040} and set(table["kind"]) == {"lever"}
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["method"] == "morris" and man["command"] == "sensitivity"
    pset = Path(man["parameter_set"]["source"])
    assert man["parameter_set"]["sha256"] == hashlib.sha256(pset.read_bytes()).hexdigest()
    assert (out / "sensitivity_coexistence_overall.png").stat().st_size > 1000
    with Image.open(out / "sensitivity_coexistence_overall.png") as img:
        assert img.size == (1536, 864)  # a 16:9 slide at 120 dpi, like the briefing charts
    bad = CliRunner().invoke(cli, ["sensitivity", "baseline", "--n", "100"])
    assert bad.exit_code == 2 and "power of two" in bad.output
    assert len(bad.output.strip().splitlines()) == 1


def test_saved_result_reads_back(tmp_path, model_sobol):
    from smesim.analysis.sensitivity import read_sensitivity, write_sensitivity

    write_sensitivity(model_sobol, tmp_path / "s", charts=False)
    back = read_sensitivity(tmp_path / "s")
    assert back.method == model_sobol.method
    pd.testing.assert_frame_equal(back.table, model_sobol.table, check_exact=False, rtol=1e-5)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: (d / "sensitivity.csv").unlink(), "sensitivity.csv: file not found"),
        (lambda d: (d / "manifest.json").write_text("{", encoding="utf-8"), "malformed JSON"),
        (
            lambda d: (d / "manifest.json").write_text('{"method": "fast"}', encoding="utf-8"),
            "method: expected one of sobol, morris",
        ),
        (
            lambda d: (d / "sensitivity.csv").write_text("a,b\n1,2\n", encoding="utf-8"),
            "header: expected output, year, factor",
        ),
    ],
)
def test_bad_saved_results_are_one_line_errors(tmp_path, model_sobol, edit, match):
    from smesim.analysis.sensitivity import read_sensitivity, write_sensitivity
    from smesim.errors import DataError

    write_sensitivity(model_sobol, tmp_path / "s", charts=False)
    edit(tmp_path / "s")
    with pytest.raises(DataError, match=match):
        read_sensitivity(tmp_path / "s")
