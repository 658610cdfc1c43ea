"""Canonical output series (docs/model.md, "Outputs"): ids, units and meanings.

The same ids name calibration data, so model and data line up by name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    id: str
    unit: str
    meaning: str
    headline: bool = False


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
    Series("coexistence_economic", "index 0-100", "fair economy (see model.coexistence)", True),
    Series("coexistence_regional", "index 0-100", "balanced development", True),
    Series("coexistence_human", "index 0-100", "equal opportunities (assumed references)", True),
    Series("coexistence_natural", "index 0-100", "sustainability (assumed references)", True),
    Series("coexistence_overall", "index 0-100", "mean of the four coexistence indices", True),
)

#: Extra, non-canonical columns reported after the canonical ones.
EXTRA: tuple[Series, ...] = (
    Series("sme_skills_index", "index", "SME workforce skills, 2012 = 100 (assumed sector)"),
    Series("environmental_intensity", "index", "environmental intensity, 2012 = 100 (assumed)"),
    Series("knowledge_ratio", "1", "SME / large knowledge per worker"),
    Series("margin_sme", "1", "SME operating margin on value added"),
)

CANONICAL: tuple[str, ...] = tuple(s.id for s in SERIES)
ALL_COLUMNS: tuple[str, ...] = CANONICAL + tuple(s.id for s in EXTRA)
BY_ID: dict[str, Series] = {s.id: s for s in (*SERIES, *EXTRA)}
HEADLINE: tuple[str, ...] = (
    "wage_ratio_sme",
    "productivity_ratio_sme",
    "rd_share_sme",
    "capital_region_grp_share",
    "coexistence_overall",
)
#: The coexistence indices: the four dimensions, then their mean.
COEXISTENCE: tuple[str, ...] = (
    "coexistence_economic",
    "coexistence_regional",
    "coexistence_human",
    "coexistence_natural",
    "coexistence_overall",
)
