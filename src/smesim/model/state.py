"""The model's stocks: name, unit, sector and meaning, in state-vector order.

A state array has shape ``(n_runs, n_stocks)``; column ``IDX[name]`` holds a
stock for every run.  Units: ``%`` = percent; ``RDU`` = R&D units, where one
unit is the value added of large firms per percentage point of employment in
2012 (large-firm labour productivity = 1); ``RU`` = researcher units (R&D spend
of one large-firm researcher in 2012 = 1 RDU/yr); ``index`` = 2012 = 100.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stock:
    name: str
    unit: str
    sector: str
    doc: str


SIZE_CLASSES: tuple[str, ...] = ("1_4", "5_9", "10_99", "100_499", "500_plus")
SME_CLASSES: tuple[str, ...] = SIZE_CLASSES[:4]

STOCKS: tuple[Stock, ...] = (
    *(
        Stock(
            f"employment_share_{c}",
            "%",
            "firm_size",
            f"share of employment in firms of {c.replace('_plus', '+').replace('_', '-')} persons",
        )
        for c in SIZE_CLASSES
    ),
    *(
        Stock(
            f"wage_ratio_{c}",
            "%",
            "wages",
            f"average wage in {c.replace('_', '-')}-person firms, 500+ = 100",
        )
        for c in SME_CLASSES
    ),
    Stock(
        "productivity_ratio_sme",
        "%",
        "knowledge",
        "SME labour productivity (value added per worker), large firms = 100",
    ),
    Stock("knowledge_sme", "RDU", "knowledge", "SME knowledge (R&D capital) stock"),
    Stock("knowledge_large", "RDU", "knowledge", "large-firm knowledge (R&D capital) stock"),
    Stock("researchers_sme", "RU", "rd_policy", "SME researchers"),
    Stock("researchers_large", "RU", "rd_policy", "large-firm researchers"),
    Stock("export_share_sme", "%", "exports", "SME share of exports"),
    Stock(
        "capital_region_grp_share",
        "%",
        "regions",
        "Seoul metropolitan area share of gross regional product",
    ),
    Stock(
        "capital_region_population_share",
        "%",
        "regions",
        "Seoul metropolitan area share of population",
    ),
    Stock(
        "capital_region_startup_share",
        "%",
        "regions",
        "Seoul metropolitan area share of new startups",
    ),
    Stock("sme_skills_index", "index", "human_natural", "skills of the SME workforce, 2012 = 100"),
    Stock(
        "environmental_intensity",
        "index",
        "human_natural",
        "environmental (emissions) intensity of output, 2012 = 100",
    ),
)

STOCK_NAMES: tuple[str, ...] = tuple(s.name for s in STOCKS)
IDX: dict[str, int] = {n: i for i, n in enumerate(STOCK_NAMES)}
N_STOCKS = len(STOCKS)
EMPLOYMENT = slice(IDX["employment_share_1_4"], IDX["employment_share_500_plus"] + 1)
WAGES = slice(IDX["wage_ratio_1_4"], IDX["wage_ratio_100_499"] + 1)
