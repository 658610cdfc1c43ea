"""Sector 9: the paper's four coexistences as indices on 0-100 (outputs only).

Each index says how far the economy stands from a documented reference state
(100 = reference reached or passed; 0 = the stated worst).  References are
parameters declared below, each with its source or labelled as assumed.

Scores (index points, 0-100)
----------------------------
A *score* is one indicator against its reference::

    score = 100 * MIN(1, indicator / reference)                          (ratios)
    score = 100 * MIN(MAX((worst - x) / (worst - target), 0), 1)         (regional, natural)

The economic index compares like with like: the model's all-firm average wage
over the 500+ wage (``wage_ratio_all_firms``, Table 4's "total") with Japan's
figure of the same definition, 88.1 in 2017 (Table 5: 3,044 / 3,455), not the
SME-only average.  Its productivity and R&D-share references are assumed and
say so.  The human index compares the 1-4-person wage with Japan's (Table 5)
and the SME skills index with an assumed reference; the skills index comes
from an assumed sector (:mod:`smesim.model.human_natural`), so the human
index's trend is partly assumed.  The natural index rests entirely on the
assumed environmental-intensity trend and green-transition effect.  The
output registry (:mod:`smesim.model.outputs`) flags both.

The clipping at 0 and 100 (``MIN``/``MAX``) is kept on purpose: the indices
are outputs only, no equation reads them, so their kinks change no dynamics;
they only say "reference reached" (100) or "worst reached" (0).

Aggregation: a shifted geometric mean
-------------------------------------
Every index built from several scores (economic: three; human: two;
overall: the four indices) is their *shifted geometric mean*::

    G(c_1 .. c_n) = ((c_1 + f) * ... * (c_n + f)) ^ (1 / n) - f

with ``c_i`` in index points (0-100) and the floor ``f = coexistence_floor``
(1 index point); the equations write it as ``(100 + f) * (prod_i (c_i + f) /
(100 + f)) ^ (1 / n) - f``, the same number, so the power applies to a pure
number.  Why this form:

* it cannot hide a collapse.  As one score goes to 0 the index falls toward
  0 whatever the others do: with three scores at 100 and one at 0 the
  overall index is 30.9 (the arithmetic mean would say 75); with the others
  at 50 it is 18.1 (mean 37.5).  A rising assumed natural trend can no
  longer offset a falling economic index one for one;
* it never exceeds the arithmetic mean (AM-GM applied to ``c_i + f``), and
  equals it exactly when the scores are equal, so an economy with the same
  level on every dimension scores that level;
* gains count more where the level is low: ``dG/dc_i = (G + f) / (n (c_i + f))``.
  A point on the weakest dimension moves the overall index more than a
  point on the strongest.  This is how it treats the regional index: a
  lever that only raises the regional index (``regional_dispersion``) gains
  the overall index in proportion to ``(G + f) / (c_regional + f)``, so it
  earns less than under a plain mean when the regional index stands above
  the others, and a package that lifts a falling economic index earns more.
  An arithmetic mean paid every index point the same, which let regional
  dispersion alone outscore an R&D package purely by construction;
* what it cannot do is tell an assumed trend from a measured one: a component
  that rises on an assumption (the natural index) lifts the overall index
  like any other, and more so while it is the weakest.  That is why the
  overall index is always shown with its four components beside it, and
  the assumed components are labelled as such wherever they appear;
* the floor ``f`` keeps the logarithm of a zero score finite, so the index
  is finite and differentiable everywhere on [0, 100] (sensitivity and
  calibration tools need no special case).  One index point is the
  resolution the indices are read at; a smaller floor would make scores of
  0.1 and 0.01 differ by a large factor on the overall index for no
  economic reason, a larger one would soften the penalty on a collapse.
"""

from __future__ import annotations

from smesim.model.spec import Sector

S = Sector("coexistence", __doc__)


def shifted_geometric_mean(*scores: str) -> str:
    """Expression of ``((c_1 + f) ... (c_n + f)) ^ (1 / n) - f`` with ``f = coexistence_floor``,
    written over the dimensionless factors ``(c_i + f) / (100 + f)`` (each in (0, 1]) so the
    power applies to a pure number."""
    top = "(base_index + coexistence_floor)"
    product = " * ".join(f"(({c} + coexistence_floor) / {top})" for c in scores)
    return f"{top} * ({product}) ^ (1 / {len(scores)}) - coexistence_floor"


S.constant(
    "coexistence_floor",
    1.0,
    "index",
    "floor of the shifted geometric mean (index points): keeps a zero score finite "
    "(ln(0 + 1) = 0) and the index differentiable; one point is the resolution the indices "
    "are read at (a definition of the index, not an uncertain quantity)",
)
S.param(
    "reference_wage_ratio",
    88.1,
    "%",
    50.0,
    100.0,
    "data",
    "Table 5: Japan's all-firm average wage 3,044 / 500+ wage 3,455 = 88.1 (2017; Table 4's "
    "'total'), the paper's comparator; compared with wage_ratio_all_firms (same definition)",
)
S.param(
    "reference_small_firm_wage_ratio",
    65.7,
    "%",
    30.0,
    100.0,
    "data",
    "Table 5: Japan's 1-4 wage 2,270 / 500+ wage 3,455 (2017)",
)
S.param(
    "reference_productivity_ratio",
    60.0,
    "%",
    30.0,
    100.0,
    "assumed",
    "assumed: SME productivity ratio of a 'fair economy' (OECD economies with small gaps are "
    "around 60 % or more)",
)
S.param(
    "reference_rd_share",
    40.0,
    "%",
    20.0,
    100.0,
    "assumed",
    "assumed: SME share of business R&D of a fair economy",
)
S.param(
    "balanced_capital_region_share",
    40.0,
    "%",
    20.0,
    60.0,
    "assumed",
    "assumed: capital-region share of a balanced territory (regional index = 100)",
)
S.param(
    "concentrated_capital_region_share",
    70.0,
    "%",
    50.0,
    95.0,
    "assumed",
    "assumed: capital-region share at which the regional index is 0",
)
S.param(
    "reference_skills_index",
    130.0,
    "index",
    100.0,
    300.0,
    "assumed",
    "assumed: SME skills index (start year = 100) of equal opportunities",
)
S.param(
    "environmental_intensity_target",
    40.0,
    "index",
    0.0,
    100.0,
    "assumed",
    "assumed: intensity (start year = 100) at which the natural index is 100 (a 60 % cut)",
)
S.param(
    "environmental_intensity_worst",
    120.0,
    "index",
    100.0,
    300.0,
    "assumed",
    "assumed: intensity at which the natural index is 0",
)
S.aux(
    "wage_score",
    "base_index * MIN(1, wage_ratio_all_firms / reference_wage_ratio)",
    "index",
    "all-firm wage ratio against Japan's all-firm figure (like for like), 0-100",
)
S.aux(
    "productivity_score",
    "base_index * MIN(1, productivity_ratio_sme / reference_productivity_ratio)",
    "index",
    "SME productivity ratio against its assumed reference, 0-100",
)
S.aux(
    "rd_share_score",
    "base_index * MIN(1, rd_share_sme / reference_rd_share)",
    "index",
    "SME share of business R&D against its assumed reference, 0-100",
)
S.aux(
    "coexistence_economic",
    shifted_geometric_mean("wage_score", "productivity_score", "rd_share_score"),
    "index",
    "fair economy: shifted geometric mean of the wage, productivity and R&D-share scores",
)
S.aux(
    "mean_capital_region_share",
    "(capital_region_grp_share + capital_region_population_share"
    " + capital_region_startup_share) / 3",
    "%",
    "mean of the three capital-region shares",
)
S.aux(
    "coexistence_regional",
    "base_index * MIN(MAX((concentrated_capital_region_share - mean_capital_region_share)"
    " / (concentrated_capital_region_share - balanced_capital_region_share), 0), 1)",
    "index",
    "balanced development: 100 at the balanced share, 0 at the concentrated one",
)
S.aux(
    "small_firm_wage_score",
    "base_index * MIN(1, wage_ratio_1_4 / reference_small_firm_wage_ratio)",
    "index",
    "1-4-person wage ratio against Japan's (Table 5), 0-100",
)
S.aux(
    "skills_score",
    "base_index * MIN(1, sme_skills_index / reference_skills_index)",
    "index",
    "SME skills index (an assumed sector) against its assumed reference, 0-100",
)
S.aux(
    "coexistence_human",
    shifted_geometric_mean("small_firm_wage_score", "skills_score"),
    "index",
    "equal opportunities: shifted geometric mean of the smallest-firm wage and skills scores "
    "(partly assumed trend)",
)
S.aux(
    "coexistence_natural",
    "base_index * MIN(MAX((environmental_intensity_worst - environmental_intensity)"
    " / (environmental_intensity_worst - environmental_intensity_target), 0), 1)",
    "index",
    "sustainability: environmental intensity between its worst and target levels (assumed trend)",
)
S.aux(
    "coexistence_overall",
    shifted_geometric_mean(
        "coexistence_economic", "coexistence_regional", "coexistence_human", "coexistence_natural"
    ),
    "index",
    "shifted geometric mean of the four coexistence indices (falls toward 0 when any collapses)",
)
