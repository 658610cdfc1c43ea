"""Time-varying exogenous inputs, as documented tables interpolated linearly.

Each table is evaluated once on the integration grid (``np.interp``, flat
beyond its ends), never per step through a slow interpolator.

Population aged 65+ (% of population)
    Korea: 7.3 (2000) and 14.4 (2018) are the paper's figures.  The other
    points are Statistics Korea's 2019 population projection (medium
    variant) as commonly quoted: 11.0 (2010), 11.8 (2012), 20.3 (2025),
    25.0 (2030), 33.9 (2040), 39.8 (2050), 43.9 (2060), 46.5 (2067);
    treat them as an assumption to replace with the latest projection.
    Japan (profile ``japan``): 24.1 (2012), 28.1 (2018), 31.2 (2030),
    35.3 (2040), 38.1 (2060) from the IPSS 2017 projection as commonly quoted
    (assumption: the paper gives no Japanese age data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Table:
    id: str
    unit: str
    years: tuple[float, ...]
    values: tuple[float, ...]
    source: str

    def __call__(self, t):
        return np.interp(t, self.years, self.values)


POPULATION_65PLUS = {
    "korea": Table(
        "population_65plus_share",
        "%",
        (2000, 2010, 2012, 2018, 2025, 2030, 2040, 2050, 2060, 2067),
        (7.3, 11.0, 11.8, 14.4, 20.3, 25.0, 33.9, 39.8, 43.9, 46.5),
        "paper (2000, 2018); Statistics Korea 2019 projection, medium (other years; assumed)",
    ),
    "japan": Table(
        "population_65plus_share",
        "%",
        (2012, 2018, 2030, 2040, 2060),
        (24.1, 28.1, 31.2, 35.3, 38.1),
        "IPSS 2017 projection as commonly quoted (assumed; not in the paper)",
    ),
}


def exogenous_paths(t: np.ndarray, profile: str = "korea") -> dict[str, np.ndarray]:
    """Every exogenous input on the grid ``t`` (shape ``(n_times,)`` each)."""
    return {"population_65plus_share": POPULATION_65PLUS[profile](t)}
