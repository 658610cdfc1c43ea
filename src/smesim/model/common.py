"""Structural constants every sector may use (not parameters: nothing uncertain).

``hundred_percent`` turns fractions into percent and forms the odds
``x / (100 - x)`` of a share; ``base_index`` is the base of an index
(start year = 100; a coexistence index of 100 means its reference is reached).

The expression helpers below write the model's smooth forms once:

``odds`` / ``from_odds``
    a share's odds and back: a target formed on odds stays inside (0, 100).
``saturating(x, e, cap)``
    ``cap x^e / (cap - 1 + x^e)``: equals 1 at ``x = 1`` with elasticity
    ``e (cap - 1) / cap`` there, rises with ``x`` and never exceeds ``cap``
    (diminishing returns; the limit of a reinforcing loop).
``bounded(x, e, cap)``
    ``(cap x^e + 1) / (x^e + cap)``: equals 1 at ``x = 1`` with elasticity
    ``e (cap - 1) / (cap + 1)`` there, and stays between ``1 / cap`` and ``cap``
    whatever ``x`` (a response limited both ways).
``soft_floor(x, floor, width)``
    ``(x + floor + sqrt((x - floor)^2 + width^2)) / 2``: a hyperbola that equals
    ``x`` well above the floor (within ``width^2 / (4 (x - floor))``), ``floor``
    well below, and is smooth in between (no kink; half a ``width`` above the
    floor where ``x`` meets it).
``soft_cap(x, cap, width)``
    ``(x + cap - sqrt((x - cap)^2 + width^2)) / 2``: the mirror image.
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
    "the index base (start year = 100; coexistence index 100 = reference reached)",
)


def odds(x: str) -> str:
    """Expression of the odds of a share ``x`` (%): ``x / (100 - x)``."""
    return f"({x} / (hundred_percent - {x}))"


def from_odds(o: str) -> str:
    """Expression of the share (%) with odds ``o`` (a name or parenthesised): inside (0, 100)."""
    return f"hundred_percent * {o} / (1 + {o})"


def saturating(x: str, e: str, cap: str) -> str:
    """Expression ``cap x^e / (cap - 1 + x^e)``: 1 at x = 1, rising, bounded by ``cap``."""
    power = f"({x})" if e == "1" else f"({x}) ^ {e}"
    return f"({cap} * {power} / ({cap} - 1 + {power}))"


def bounded(x: str, e: str, cap: str) -> str:
    """Expression ``(cap x^e + 1) / (x^e + cap)``: 1 at x = 1, between 1/cap and cap."""
    return f"(({cap} * ({x}) ^ {e} + 1) / (({x}) ^ {e} + {cap}))"


def soft_floor(x: str, floor: str, width: str) -> str:
    """Expression of a smooth ``max(x, floor)`` with transition width ``width``."""
    return f"(({x} + {floor} + SQRT(({x} - {floor}) ^ 2 + {width} ^ 2)) / 2)"


def soft_cap(x: str, cap: str, width: str) -> str:
    """Expression of a smooth ``min(x, cap)`` with transition width ``width``."""
    return f"(({x} + {cap} - SQRT(({x} - {cap}) ^ 2 + {width} ^ 2)) / 2)"
