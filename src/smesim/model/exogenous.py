"""Time-varying exogenous inputs: tables of their values, evaluated on the time grid.

What an exogenous input is (name, unit, meaning) is declared once, beside its
sector (``S.exogenous_input`` in the sector modules; :data:`INPUTS` lists them
from :data:`smesim.model.MODEL`).  Its values are country data: every country
profile gives one :class:`Table` per input (``[exogenous.<name>]`` of its
profile file, ``smesim/data/profiles/<profile>.toml``, with the figures'
sources), read by :mod:`smesim.inputs.profiles`.

A table is interpolated linearly and held flat beyond its ends.  It is
evaluated once on the integration grid (``np.interp``), never per step
through a slow interpolator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from smesim.model import MODEL
from smesim.model.spec import Exogenous

#: The model's exogenous inputs (declared in their sectors), in the model's order.
INPUTS: tuple[Exogenous, ...] = tuple(MODEL.exogenous)
BY_ID: dict[str, Exogenous] = {x.name: x for x in INPUTS}
#: Possible values by unit, ``(low, high, low_open)``: a share of population is in
#: [0, 100]; a population (million) is positive (the wage equation raises its ratio to
#: a power: a value <= 0 would give no finite wage).
UNIT_RANGES: dict[str, tuple[float, float, bool]] = {
    "%": (0.0, 100.0, False),
    "million": (0.0, math.inf, True),
}


@dataclass(frozen=True)
class Table:
    """Values of one exogenous input by year, with their source.

    Validated on construction: a known input id and its unit, at least one
    point, as many values as years, finite numbers in the unit's possible range
    (:data:`UNIT_RANGES`), strictly increasing years.
    A failure raises ``ValueError`` whose message starts with the offending
    field (``"years: ..."``) so a reader can name the file and key.
    """

    id: str
    unit: str
    years: tuple[float, ...]
    values: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        if self.id not in BY_ID:
            raise ValueError(
                f"id: unknown exogenous input {self.id!r} (expected one of {', '.join(BY_ID)})"
            )
        if self.unit != BY_ID[self.id].unit:
            raise ValueError(f"unit: expected {BY_ID[self.id].unit!r} (got {self.unit!r})")
        if not self.years:
            raise ValueError("years: expected at least one year (got none)")
        if len(self.years) != len(self.values):
            raise ValueError(
                f"values: expected as many values as years (got {len(self.years)} years, "
                f"{len(self.values)} values)"
            )
        for field_name in ("years", "values"):
            for x in getattr(self, field_name):
                if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                    raise ValueError(f"{field_name}: expected finite numbers (got {x!r})")
        lo, hi, lo_open = UNIT_RANGES.get(self.unit, (-math.inf, math.inf, False))
        for v in self.values:
            if not ((v > lo if lo_open else v >= lo) and v <= hi):
                interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
                raise ValueError(f"values: expected numbers in {interval} {self.unit} (got {v:g})")
        if any(b <= a for a, b in zip(self.years, self.years[1:], strict=False)):
            raise ValueError(f"years: expected strictly increasing years (got {list(self.years)})")
        if not self.source.strip():
            raise ValueError("source: expected where the figures come from (got an empty string)")
        object.__setattr__(self, "years", tuple(float(y) for y in self.years))
        object.__setattr__(self, "values", tuple(float(v) for v in self.values))

    def __call__(self, t):
        return np.interp(t, self.years, self.values)


def exogenous_paths(t: np.ndarray, tables: Mapping[str, Table]) -> dict[str, np.ndarray]:
    """Every exogenous input on the grid ``t`` (shape ``(n_times,)`` each).

    ``tables`` maps each input id of :data:`INPUTS` to its table (a profile's
    ``exogenous``; :meth:`smesim.inputs.profiles.Profile.exogenous_paths` passes it).
    """
    missing = [x.name for x in INPUTS if x.name not in tables]
    if missing:
        raise KeyError(f"no table for exogenous input(s) {', '.join(missing)}")
    return {x.name: tables[x.name](t) for x in INPUTS}
