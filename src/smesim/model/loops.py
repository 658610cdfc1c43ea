"""The feedback loops (docs/model.md): where each lives, what it passes through."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loop:
    number: int
    name: str
    polarity: str
    modules: tuple[str, ...]
    path: tuple[str, ...]


LOOPS: tuple[Loop, ...] = (
    Loop(
        1,
        "Success to the successful (divergence engine)",
        "reinforcing, saturating (the margin's effect on R&D is capped)",
        ("rd_policy", "knowledge"),
        (
            "productivity_ratio_sme",
            "margin_sme",
            "private_rd_sme",
            "rd_sme",
            "knowledge_sme",
            "knowledge_ratio",
            "productivity_target",
            "productivity_ratio_sme",
        ),
    ),
    Loop(
        2,
        "Knowledge catch-up (diffusion grows with the gap)",
        "balancing: the further SMEs fall behind, the more they absorb",
        ("knowledge",),
        ("knowledge_sme", "knowledge_spillover", "knowledge_sme"),
    ),
    Loop(
        3,
        "Wages follow productivity, slowly",
        "balancing (gap closing; ability to pay)",
        ("wages", "rd_policy"),
        ("productivity_ratio_sme", "wage_ratio_<class>", "wage_ratio_sme", "margin_sme", "rd_sme"),
    ),
    Loop(
        4,
        "Firm-size structure (aging chain)",
        "balancing",
        ("firm_size",),
        (
            "productivity_ratio_sme",
            "scale_up_multiplier",
            "employment_share_<class>",
            "employment_share_sme",
            "rd_sme",
        ),
    ),
    Loop(
        5,
        "Policy support of SME R&D",
        "exogenous drive into loops 1 and 9 (SME R&D)",
        ("rd_policy",),
        ("rd_subsidy_rate", "rd_tax_incentive_rate", "rd_sme", "knowledge_sme"),
    ),
    Loop(
        6,
        "Exports",
        "balancing (gap closing), driven by loop 1",
        ("exports",),
        ("productivity_ratio_sme", "export_share_sme"),
    ),
    Loop(
        7,
        "Regional agglomeration",
        "reinforcing",
        ("regions",),
        ("capital_region_grp_share", "capital_region_population_share", "capital_region_grp_share"),
    ),
    Loop(
        8,
        "Human and natural coexistence",
        "balancing",
        ("human_natural", "knowledge"),
        (
            "population_65plus_share",
            "sme_skills_index",
            "productivity_target",
            "environmental_intensity",
        ),
    ),
    Loop(
        9,
        "Absorptive capacity",
        "reinforcing, saturating (its effect on SME R&D is capped)",
        ("rd_policy", "knowledge"),
        ("knowledge_sme", "knowledge_ratio", "private_rd_sme", "rd_sme", "knowledge_sme"),
    ),
    Loop(
        10,
        "Firm size and knowledge per worker",
        "mixed: higher SME productivity speeds scale-up, which moves workers and knowledge per "
        "worker between the size classes",
        ("firm_size", "knowledge"),
        (
            "productivity_ratio_sme",
            "scale_up_multiplier",
            "employment_share_<class>",
            "knowledge_ratio",
            "productivity_target",
            "productivity_ratio_sme",
        ),
    ),
    Loop(
        11,
        "Wages adjust toward their target (each class)",
        "balancing: first-order goal seeking of each class's wage ratio",
        ("wages",),
        ("wage_ratio_<class>", "wage_adjustment_<class>", "wage_ratio_<class>"),
    ),
    Loop(
        12,
        "Productivity adjusts toward its target",
        "balancing: first-order goal seeking of SME relative productivity",
        ("knowledge",),
        ("productivity_ratio_sme", "productivity_change", "productivity_ratio_sme"),
    ),
)
