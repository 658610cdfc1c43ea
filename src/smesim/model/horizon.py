"""The simulation horizon: first and last years, the default step, the time grid.

Every module that needs a year limit or the reporting years imports it from here.
"""

from __future__ import annotations

import numpy as np

#: First simulated year: the initial state describes 1 January of it.
START_YEAR = 2007
#: Last reported year by default, and the latest a run may reach.
DEFAULT_END_YEAR = 2060
MAX_END_YEAR = 2100
DEFAULT_DT = 1.0 / 16.0
#: Years the tables, briefs, probabilities and sensitivity indices report by default.
REPORTING_YEARS: tuple[int, ...] = (2030, 2040, 2060)


def time_grid(start: int, end: int, dt: float) -> tuple[np.ndarray, int]:
    steps_per_year = round(1.0 / dt)
    if steps_per_year < 1 or abs(steps_per_year * dt - 1.0) > 1e-12:
        raise ValueError(f"dt must be 1/n of a year (got {dt})")
    n_steps = (end - start) * steps_per_year
    return start + np.arange(n_steps + 1) / steps_per_year, steps_per_year
