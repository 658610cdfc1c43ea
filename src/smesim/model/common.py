"""Structural constants every sector may use (not parameters: nothing uncertain).

``hundred_percent`` turns fractions into percent and forms the odds
``x / (100 - x)`` of a share; ``base_index`` is the base of an index
(2012 = 100; a coexistence index of 100 means its reference is reached).
"""

from __future__ import annotations

from smesim.model.spec import Sector

S = Sector("common", __doc__)
S.constant(
    "hundred_percent",
    100.0,
    "%",
    "100 % (a whole): forms odds x / (100 - x) of shares and turns fractions into percent",
)
S.constant(
    "base_index",
    100.0,
    "index",
    "the index base (2012 = 100; coexistence index 100 = reference reached)",
)


def odds(x: str) -> str:
    """Expression of the odds of a share ``x`` (%): ``x / (100 - x)``."""
    return f"({x} / (hundred_percent - {x}))"


def from_odds(o: str) -> str:
    """Expression of the share (%) with odds ``o`` (a name or parenthesised): inside (0, 100)."""
    return f"hundred_percent * {o} / (1 + {o})"
