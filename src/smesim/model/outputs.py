"""Canonical output series (docs/model.md, "Outputs"): ids, units and meanings.

The same ids name calibration data, so model and data line up by name.

``Series.trend`` is the ONE place that says whether a series' path rests on
assumptions rather than on data and fitted structure: ``"assumed"`` (its
trend is an assumption: the natural index follows an assumed intensity trend),
``"partly assumed"`` (one of its inputs is: the human index's skills score
comes from an assumed sector) or ``""``.  Every table, chart, workbook and
brief derives its "assumed trend" label from it (:data:`ASSUMED_TREND`,
:func:`smesim.report.i18n.series_name`, the ``trend`` column of the comparison
tables).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    id: str
    unit: str
    meaning: str
    headline: bool = False
    #: "" (data and fitted structure), "partly assumed" or "assumed" (see the module doc).
    trend: str = ""

    def __post_init__(self) -> None:
        if self.trend not in TRENDS:
            raise ValueError(f"{self.id}: trend must be one of {TRENDS} (got {self.trend!r})")


#: The values of :attr:`Series.trend`.
TRENDS: tuple[str, ...] = ("", "partly assumed", "assumed")


SERIES: tuple[Series, ...] = (
    Series(
        "wage_ratio_all_firms",
        "%",
        "average wage of all firms, large firms (500+) = 100 (Table 4's 'total')",
        True,
    ),
    Series("wage_ratio_sme", "%", "average wage over SMEs only, large firms (500+) = 100", True),
    Series("wage_ratio_1_4", "%", "wage in 1-4-person firms, large = 100"),
    Series("wage_ratio_5_9", "%", "wage in 5-9-person firms, large = 100"),
    Series("wage_ratio_10_99", "%", "wage in 10-99-person firms, large = 100"),
    Series("wage_ratio_100_499", "%", "wage in 100-499-person firms, large = 100"),
    Series("productivity_ratio_sme", "%", "SME labour productivity, large = 100", True),
    Series("rd_share_sme", "%", "SME share of business R&D", True),
    Series("rd_per_researcher_ratio_sme", "%", "SME R&D per researcher, large = 100"),
    Series(
        "rd_per_researcher_sme",
        "million national currency",
        "SME R&D spend per researcher (KRW million for Korea, Table 6)",
    ),
    Series("export_share_sme", "%", "SME share of exports", True),
    Series("employment_share_sme", "%", "SME share of employment"),
    Series("employment_share_1_4", "%", "employment share of 1-4-person firms"),
    Series("employment_share_5_9", "%", "employment share of 5-9-person firms"),
    Series("employment_share_10_99", "%", "employment share of 10-99-person firms"),
    Series("employment_share_100_499", "%", "employment share of 100-499-person firms"),
    Series("employment_share_500_plus", "%", "employment share of 500+-person firms"),
    Series("capital_region_grp_share", "%", "Seoul metropolitan area share of GRP", True),
    Series("capital_region_population_share", "%", "Seoul metropolitan area share of population"),
    Series("capital_region_startup_share", "%", "Seoul metropolitan area share of startups"),
    Series("population_65plus_share", "%", "share of population aged 65+ (exogenous)"),
    Series(
        "coexistence_economic",
        "index 0-100",
        "fair economy: all-firm wage ratio (against Japan's all-firm 88.1), SME productivity "
        "ratio and SME R&D share against their references; shifted geometric mean",
        True,
    ),
    Series("coexistence_regional", "index 0-100", "balanced development", True),
    Series(
        "coexistence_human",
        "index 0-100",
        "equal opportunities: 1-4-person wage and SME skills (an assumed sector)",
        True,
        trend="partly assumed",
    ),
    Series(
        "coexistence_natural",
        "index 0-100",
        "sustainability: environmental intensity, which follows an assumed trend",
        True,
        trend="assumed",
    ),
    Series(
        "coexistence_overall",
        "index 0-100",
        "shifted geometric mean of the four coexistence indices (two rest partly or wholly on "
        "assumed trends; falls toward 0 when any index collapses)",
        True,
        trend="partly assumed",
    ),
)

#: Extra, non-canonical columns reported after the canonical ones.
EXTRA: tuple[Series, ...] = (
    Series(
        "sme_skills_index",
        "index",
        "SME workforce skills, start year = 100 (assumed sector)",
        trend="assumed",
    ),
    Series(
        "environmental_intensity",
        "index",
        "environmental intensity, start year = 100 (assumed trend)",
        trend="assumed",
    ),
    Series("knowledge_ratio", "1", "SME / large knowledge per worker"),
    Series("margin_sme", "1", "SME operating margin on value added"),
)

CANONICAL: tuple[str, ...] = tuple(s.id for s in SERIES)
ALL_COLUMNS: tuple[str, ...] = CANONICAL + tuple(s.id for s in EXTRA)
BY_ID: dict[str, Series] = {s.id: s for s in (*SERIES, *EXTRA)}
#: The coexistence indices: the four dimensions, then their aggregate (the overall index).
COEXISTENCE: tuple[str, ...] = (
    "coexistence_economic",
    "coexistence_regional",
    "coexistence_human",
    "coexistence_natural",
    "coexistence_overall",
)
#: The four components of ``coexistence_overall``.
COEXISTENCE_COMPONENTS: tuple[str, ...] = COEXISTENCE[:-1]
#: The headline series.  The overall coexistence index never appears without its four
#: components beside it (:func:`with_components`), so a table or chart of the headline
#: series cannot show an aggregate that hides a collapsing component.
HEADLINE_CORE: tuple[str, ...] = (
    "wage_ratio_all_firms",
    "productivity_ratio_sme",
    "rd_share_sme",
    "capital_region_grp_share",
)
HEADLINE: tuple[str, ...] = (*HEADLINE_CORE, *COEXISTENCE)
#: Series whose path rests wholly or partly on assumed trends (from :attr:`Series.trend`).
ASSUMED_TREND: dict[str, str] = {s.id: s.trend for s in (*SERIES, *EXTRA) if s.trend}


def with_components(series) -> tuple[str, ...]:
    """``series`` with the four coexistence components placed just before
    ``coexistence_overall`` wherever it appears (each id once, order kept otherwise)."""
    out: list[str] = []
    for s in series:
        if s == "coexistence_overall":
            out += [c for c in COEXISTENCE_COMPONENTS if c not in out]
        if s not in out:
            out.append(s)
    return tuple(out)
