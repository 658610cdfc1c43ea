"""Sector 4: firm-size structure, an aging chain of employment shares (loop 4).

Five stocks, the employment shares of the 1-4, 5-9, 10-99, 100-499 and 500+
classes, exchange employment only with their neighbours: scale-up moves
employment up a class, shrinkage and exit move it down.  Every flow leaves one
stock and enters another, so the shares sum to exactly 100 at all times (mass
balance), and every outflow is proportional to its source stock, so no share
can turn negative at the model's time step.

Scale-up rates rise with scale-up support and SME relative productivity,
saturating at ``scale_up_capacity`` times their start-year level (a capacity
limit: growth finance, managers and markets for scaled-up firms are finite;
the smooth form :func:`smesim.model.common.saturating` has no kink and keeps
Euler steps positive).  Shrinkage rates are set so the start-year structure is
a balance under start-year conditions: the structure changes only when
productivity or scale-up support move.
"""

from __future__ import annotations

from itertools import pairwise

from smesim.model.common import saturating
from smesim.model.spec import Sector

SIZE_CLASSES: tuple[str, ...] = ("1_4", "5_9", "10_99", "100_499", "500_plus")
SME_CLASSES: tuple[str, ...] = SIZE_CLASSES[:4]


def label(size_class: str) -> str:
    """``"1_4"`` -> ``"1-4"``, ``"500_plus"`` -> ``"500+"``."""
    return size_class.replace("_plus", "+").replace("_", "-")


S = Sector("firm_size", __doc__)

_EMP = (
    "assumed: Korea's start-year class shares, chosen so that (i) the SME total is 90.5 % (the "
    "paper's SME share of employment) and (ii) the employment-weighted mean of all classes with "
    "Table 4's 2012 class ratios (500+ = 100 included) equals Table 4's all-firm 56.7; within-SME "
    "weights 0.34/0.14/0.32/0.20 (1-4/5-9/10-99/100-499), in line with the large share of "
    "Korean employment in micro firms"
)
for c, share in zip(SME_CLASSES, (31.0, 13.0, 28.5, 18.0), strict=True):
    S.param(f"init_employment_share_{c}", share, "%", 0.1, 80, "assumed", _EMP, initial=True)
for c, rate in zip(SME_CLASSES, (0.04, 0.05, 0.02, 0.01), strict=True):
    upper = "into 500+" if c == "100_499" else "up a class"
    S.param(
        f"scale_up_rate_{c}",
        rate,
        "1/yr",
        0,
        0.3,
        "assumed",
        f"assumed: share of {label(c)} employment moving {upper} each year; sampled +-50 %",
        sample=(rate * 0.5, rate * 1.5),
    )
S.param(
    "scale_up_support_effect",
    0.5,
    "1",
    0,
    5,
    "assumed",
    "evidence: log rise of scale-up rates per unit of scale_up_support. Oh et al. (2009, Small "
    "Business Economics 33(3)): Korean credit guarantees improved survival and sales growth but "
    "not productivity; Autio & Rannikko (2016, Research Policy 45(1)): a Finnish growth "
    "programme roughly doubled participants' growth; sampled 0.1-1.2",
    sample=(0.1, 1.2),
)
S.param(
    "scale_up_productivity_elasticity",
    1.0,
    "1",
    0,
    3,
    "assumed",
    "assumed: elasticity of scale-up rates to SME relative productivity; sampled 0.5-1.5",
    sample=(0.5, 1.5),
)
S.rule(
    " + ".join(f"init_employment_share_{c}" for c in SME_CLASSES) + " < hundred_percent",
    [f"init_employment_share_{c}" for c in SME_CLASSES],
    "the four SME class shares to sum below 100 (the 500+ class is the remainder)",
)
S.param(
    "scale_up_capacity",
    3.0,
    "1",
    1.5,
    10.0,
    "assumed",
    "assumed: the most support and productivity can multiply start-year scale-up rates "
    "(capacity limit); sampled 2-5",
    sample=(2.0, 5.0),
)

# ---- stocks: an aging chain, flows up (scale-up) and down (shrinkage) between neighbours
for i, c in enumerate(SIZE_CLASSES):
    ins, outs = [], []
    if i > 0:
        ins.append(f"scale_up_{SIZE_CLASSES[i - 1]}")
        outs.append(f"shrink_{c}")
    if i < 4:
        outs.append(f"scale_up_{c}")
        ins.append(f"shrink_{SIZE_CLASSES[i + 1]}")
    init = (
        "hundred_percent - employment_share_sme_0"
        if c == "500_plus"
        else f"init_employment_share_{c}"
    )
    S.stock(
        f"employment_share_{c}",
        init,
        "%",
        f"share of employment in firms of {label(c)} persons",
        inflows=ins,
        outflows=outs,
    )
S.aux(
    "employment_share_sme_0",
    " + ".join(f"init_employment_share_{c}" for c in SME_CLASSES),
    "%",
    "SME share of employment in the start year",
)
S.aux(
    "employment_share_sme",
    " + ".join(f"employment_share_{c}" for c in SME_CLASSES),
    "%",
    "SME share of employment",
)
S.aux(
    "scale_up_drive",
    "EXP(scale_up_support_effect * (scale_up_support - scale_up_support_0)) "
    "* (productivity_ratio_sme / productivity_0) ^ scale_up_productivity_elasticity",
    "1",
    "scale-up rates relative to the start year before the capacity limit",
)
S.aux(
    "scale_up_multiplier",
    saturating("scale_up_drive", "1", "scale_up_capacity"),
    "1",
    "scale-up rates relative to the start year, saturating at scale_up_capacity",
)
for c, n in pairwise(SIZE_CLASSES):
    below = f"init_employment_share_{c}"
    above = (
        "(hundred_percent - employment_share_sme_0)"
        if n == "500_plus"
        else f"init_employment_share_{n}"
    )
    S.aux(
        f"shrink_rate_{n}",
        f"scale_up_rate_{c} * {below} / {above}",
        "1/yr",
        f"share of {label(n)} employment moving down to {label(c)} each year: set so the "
        "start-year structure is a balance under start-year conditions",
    )
    S.flow(
        f"scale_up_{c}",
        f"scale_up_rate_{c} * scale_up_multiplier * employment_share_{c}",
        "%/yr",
        f"employment moving from {label(c)} up to {label(n)}",
    )
    S.flow(
        f"shrink_{n}",
        f"shrink_rate_{n} * employment_share_{n}",
        "%/yr",
        f"employment moving from {label(n)} down to {label(c)} (shrinkage, exit)",
    )
