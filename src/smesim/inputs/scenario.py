"""Scenario files (TOML): validated, frozen, with inheritance.

A scenario file::

    name = "rd_support_france"
    description = "What it represents and where its numbers come from."
    title.en = "R&D support: France level"   # optional, per language (en, ko):
    title.ko = "R&D 지원: 프랑스 수준"          # shown in legends and tables
    extends = "baseline"          # optional: a bundled name or a path
    horizon = 2060                # optional: last simulated year
    policy_start = 2026           # optional: first year the levers act (default: the profile's)

    [levers]
    rd_subsidy_rate = 19.86       # a constant from the policy start
    [levers.rd_tax_incentive_rate]
    type = "ramp"                 # constant | step | ramp | pulse | table
    start = 2026
    years = 5                     # or: end = 2031
    target = 8.85

``name`` is an id; ``title`` (a table of language -> text, or one string for
English) is what charts and tables show, falling back to English and then to
the name.  A title is not inherited through ``extends``.

Unset levers keep their parent's path (ultimately the profile's baseline).

Levers never rewrite history: before the scenario's **policy start** every lever
follows the profile's baseline.  The policy start is the file's ``policy_start``
(a whole year after the start year, up to the horizon; inherited through
``extends`` unless the child sets its own), else the profile's ``policy_start``
setting (2026 for the bundled profiles: :mod:`smesim.inputs.profiles`).  A
constant applies from the policy start.  A step, ramp, pulse or table that
would act earlier (its ``year``, ``start`` or first table year before the policy
start) is an error naming the file where it is set, the lever, its year and the
policy start with where it came from: it is checked when the file is loaded if
the scenario sets its own policy start (:func:`check_policy_start`), else when a
run plan is built for a profile (:func:`smesim.engine.plan.build_plan`).
Every problem is a :class:`~smesim.errors.ScenarioError` naming the file, the
key, what was expected and what was found.  Nothing is clipped or repaired:
every number must be finite (TOML's ``nan`` and ``inf`` are refused), a
horizon a whole year, and ``name`` an id (:data:`NAME_PATTERN`: letters,
digits, ``_`` and ``-``), because it names output files and table rows; free
text belongs in ``title`` and ``description``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from smesim.errors import ScenarioError, ScenarioNotFoundError, located
from smesim.inputs.bundled import bundled_dir, bundled_file, bundled_files
from smesim.inputs.paramfile import load_toml
from smesim.model.horizon import MAX_END_YEAR, START_YEAR
from smesim.model.levers import LEVER_BY_ID, LEVER_IDS, Schedule, early_lever_error

#: Languages a scenario title may be given in (the languages of charts and tables).
LANGS = ("en", "ko")


def scenarios_dir() -> Path:
    """The bundled scenarios, ``smesim/data/scenarios/`` (a BundledDataError if missing)."""
    return bundled_dir("scenarios", what="bundled scenarios")


def bundled_names() -> list[str]:
    """Names of the bundled scenarios (file stems), sorted."""
    return [
        p.stem for p in bundled_files("scenarios", suffixes=(".toml",), what="bundled scenarios")
    ]


#: A scenario name: an id that is safe as a file name and in a spreadsheet cell.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


# ---- raw file structure (pydantic) ------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


Year = Annotated[float, Field(ge=START_YEAR, le=MAX_END_YEAR)]


class _Constant(_Strict):
    type: Literal["constant"]
    value: float


class _Step(_Strict):
    type: Literal["step"]
    year: Year
    value: float


class _Ramp(_Strict):
    type: Literal["ramp"]
    start: Year
    years: float | None = None
    end: Year | None = None
    target: float


class _Pulse(_Strict):
    type: Literal["pulse"]
    start: Year
    years: Annotated[float, Field(gt=0)]
    value: float


class _Table(_Strict):
    type: Literal["table"]
    years: list[Year]
    values: list[float]


_Setting = Annotated[_Constant | _Step | _Ramp | _Pulse | _Table, Field(discriminator="type")]
_SETTING = TypeAdapter(_Setting)


class _ScenarioFile(_Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: Annotated[str, Field(min_length=1)]
    extends: str | None = None
    horizon: Annotated[int, Field(gt=START_YEAR, le=MAX_END_YEAR)] | None = None
    policy_start: Annotated[int, Field(gt=START_YEAR, le=MAX_END_YEAR)] | None = None
    title: Any = None
    levers: dict[str, Any] = Field(default_factory=dict)


# ---- validated scenario -----------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    ``settings`` maps lever id to the schedules that shape it, oldest
    ancestor first; ``own`` holds this file's settings only; ``origins`` maps
    lever id to the file that set each schedule of ``settings`` (same order).
    ``policy_start`` is the scenario's own policy start (this file's or an
    ancestor's, set in the file ``policy_start_source``); None: the profile's.
    """

    name: str
    description: str
    path: Path | None
    horizon: int | None
    settings: dict[str, tuple[Schedule, ...]]
    own: dict[str, Schedule]
    chain: tuple[str, ...]
    content_hash: str
    extends: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    #: Language -> display title (only the languages the file gives).
    title: dict[str, str] = field(default_factory=dict)
    #: Lever id -> the file that set each schedule in ``settings`` (same order).
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: First year the levers act, when the scenario sets it (else the profile's).
    policy_start: int | None = None
    #: The file that set ``policy_start`` (this one or an ancestor).
    policy_start_source: str | None = None

    def display_name(self, lang: str = "en") -> str:
        """The title in ``lang``, else the English title, else the name."""
        return self.title.get(lang) or self.title.get("en") or self.name

    def lever_table(self) -> list[tuple[str, str]]:
        """(lever id, description of what this scenario does to it) for set levers."""
        rows = []
        for lid in LEVER_IDS:
            if lid in self.settings:
                rows.append((lid, "; then ".join(s.describe() for s in self.settings[lid])))
        return rows


#: Top-level keys that hold a calendar year.
YEAR_KEYS = ("horizon", "policy_start")


def _fmt_loc(loc) -> str:
    return ".".join(
        str(x)
        for x in loc
        if not (
            isinstance(x, str)
            and x in {"constant", "step", "ramp", "pulse", "table", "float", "function-after"}
        )
    )


def _pydantic_message(err: dict) -> tuple[str, str]:
    loc = _fmt_loc(err["loc"])
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        return loc, "unknown key (not part of the scenario format)"
    if kind == "missing":
        return loc, "missing required key"
    if kind == "finite_number":
        return loc, f"expected a finite number (got {found!r})"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return (
            loc,
            f"expected {'a whole year' if loc in YEAR_KEYS else 'a whole number'} (got {found!r})",
        )
    if kind in {"float_type", "float_parsing"}:
        return loc, f"expected a number (got {found!r})"
    if kind == "string_pattern_mismatch" and loc == "name":
        return loc, (
            f"expected an id: letters, digits, '_' and '-', at most 64 characters, starting with a "
            f"letter or digit (got {found!r}); free text belongs in title or description"
        )
    if kind == "union_tag_invalid":
        return loc, (
            f"expected type one of constant, step, ramp, pulse, table "
            f"(got {err.get('ctx', {}).get('tag')!r})"
        )
    if kind == "union_tag_not_found":
        return loc, "expected a number or a table with a 'type' key"
    if kind == "model_type" or kind == "dict_type":
        return loc, f"expected a table (got {found!r})"
    if kind in {"string_type", "string_too_short"}:
        return loc, f"expected a non-empty string (got {found!r})"
    if kind in {"greater_than", "less_than_equal"} and loc in YEAR_KEYS:
        return loc, (
            f"expected a year after the start year {START_YEAR}, up to {MAX_END_YEAR} "
            f"(got {found!r})"
        )
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return loc, f"{err['msg'].lower()} (got {found!r})"
    return loc, f"{err['msg']} (got {found!r})"


def _titles(src: str, raw) -> dict[str, str]:
    """``title``: a table of language -> non-empty string, or one string (English)."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = {"en": raw}
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(
            located(src, "title", f'expected a table such as en = "..." (got {raw!r})')
        )
    out = {}
    for lang, text in raw.items():
        if lang not in LANGS:
            raise ScenarioError(
                located(
                    src,
                    f"title.{lang}",
                    f"unknown language (expected one of {', '.join(LANGS)}){_suggest(lang, LANGS)}",
                )
            )
        if not isinstance(text, str) or not text.strip():
            raise ScenarioError(
                located(src, f"title.{lang}", f"expected a non-empty string (got {text!r})")
            )
        out[lang] = " ".join(text.split())
    return out


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_value(src: str, key: str, lid: str, val: float) -> None:
    lever = LEVER_BY_ID[lid]
    if not (lever.lower <= val <= lever.upper):
        raise ScenarioError(
            located(
                src,
                key,
                f"expected a value in [{lever.lower:g}, "
                f"{lever.upper:g}] {lever.unit} (got {val:g})",
            )
        )


def _parse_setting(src: str, lid: str, raw):
    key = f"levers.{lid}"
    if isinstance(raw, bool) or not isinstance(raw, int | float | dict):
        raise ScenarioError(
            located(src, key, f"expected a number or a table with a 'type' key (got {raw!r})")
        )
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ScenarioError(located(src, key, f"expected a finite number (got {raw!r})"))
    if isinstance(raw, dict):
        try:
            return _SETTING.validate_python(raw)
        except ValidationError as exc:
            loc, msg = _pydantic_message(exc.errors()[0])
            raise ScenarioError(located(src, f"{key}.{loc}" if loc else key, msg)) from None
    return raw


def _to_schedule(src: str, lid: str, raw) -> Schedule:
    key = f"levers.{lid}"
    raw = _parse_setting(src, lid, raw)
    if isinstance(raw, float | int):
        _check_value(src, key, lid, float(raw))
        return Schedule("constant", value=float(raw))
    if isinstance(raw, _Constant):
        _check_value(src, f"{key}.value", lid, raw.value)
        return Schedule("constant", value=raw.value)
    if isinstance(raw, _Step):
        _check_value(src, f"{key}.value", lid, raw.value)
        return Schedule("step", value=raw.value, year=raw.year)
    if isinstance(raw, _Pulse):
        _check_value(src, f"{key}.value", lid, raw.value)
        return Schedule("pulse", value=raw.value, start=raw.start, years=raw.years)
    if isinstance(raw, _Ramp):
        _check_value(src, f"{key}.target", lid, raw.target)
        if (raw.years is None) == (raw.end is None):
            raise ScenarioError(
                located(
                    src,
                    key,
                    "expected exactly one of 'years' or 'end' "
                    f"(got {'both' if raw.years is not None else 'neither'})",
                )
            )
        years = raw.years if raw.years is not None else raw.end - raw.start
        if years <= 0:
            which = "years" if raw.years is not None else "end"
            given = raw.years if raw.years is not None else raw.end
            raise ScenarioError(
                located(
                    src,
                    f"{key}.{which}",
                    f"ramp ends before it starts: expected an end after "
                    f"start {raw.start:g} (got {which} = {given:g})",
                )
            )
        return Schedule("ramp", start=raw.start, years=years, target=raw.target)
    # table
    if len(raw.years) != len(raw.values) or len(raw.years) < 2:
        raise ScenarioError(
            located(
                src,
                f"{key}.values",
                "expected as many values as years, "
                f"at least two (got {len(raw.years)} years, "
                f"{len(raw.values)} values)",
            )
        )
    if any(b <= a for a, b in zip(raw.years, raw.years[1:], strict=False)):
        raise ScenarioError(
            located(src, f"{key}.years", f"expected strictly increasing years (got {raw.years})")
        )
    for v in raw.values:
        _check_value(src, f"{key}.values", lid, v)
    return Schedule("table", table_years=tuple(raw.years), table_values=tuple(raw.values))


def resolve(spec: str | Path, relative_to: Path | None = None) -> Path:
    """A scenario path from a path or a bundled name."""
    spec_str = str(spec)
    candidates = []
    p = Path(spec_str)
    if relative_to is not None and not p.is_absolute():
        candidates.append(relative_to / p)
        if p.suffix != ".toml":
            candidates.append(relative_to / f"{spec_str}.toml")
    candidates.append(p)
    if p.suffix != ".toml" and "/" not in spec_str:
        candidates.append(scenarios_dir() / f"{spec_str}.toml")
    for c in candidates:
        if c.is_file():
            return c.resolve()
    for c in candidates:
        if c.is_dir():
            raise ScenarioError(
                located(str(c), None, "is a directory (expected a scenario .toml file)")
            )
    names = bundled_names()
    raise ScenarioNotFoundError(
        located(
            spec_str,
            None,
            "scenario not found: expected an existing .toml file or a bundled "
            f"name ({', '.join(names)}){_suggest(spec_str, names)}",
        )
    )


def load_scenario(spec: str | Path, _stack: tuple[Path, ...] = ()) -> Scenario:
    """Load, validate and resolve a scenario (path or bundled name), parents included."""
    path = resolve(spec, _stack[-1].parent if _stack else None)
    src = str(path)
    if path in _stack:
        cycle = " -> ".join(p.stem for p in (*_stack, path))
        raise ScenarioError(
            located(str(_stack[-1]), "extends", f"expected no cycle of 'extends' (got {cycle})")
        )
    doc = load_toml(path, error=ScenarioError)
    for key in YEAR_KEYS:
        if isinstance(doc.get(key), float) and doc[key].is_integer():
            doc[key] = int(doc[key])  # 2040.0 is the year 2040; 2040.5 is an error
    try:
        raw = _ScenarioFile.model_validate(doc)
    except ValidationError as exc:
        loc, msg = _pydantic_message(exc.errors()[0])
        raise ScenarioError(located(src, loc or None, msg)) from None
    title = _titles(src, raw.title)
    own: dict[str, Schedule] = {}
    for lid, setting in raw.levers.items():
        if lid not in LEVER_BY_ID:
            raise ScenarioError(
                located(
                    src,
                    f"levers.{lid}",
                    "unknown lever (expected one of "
                    f"{', '.join(LEVER_IDS)}){_suggest(lid, LEVER_IDS)}",
                )
            )
        own[lid] = _to_schedule(src, lid, setting)
    digest = hashlib.sha256(path.read_bytes())
    settings: dict[str, tuple[Schedule, ...]] = {}
    origins: dict[str, tuple[str, ...]] = {}
    chain: tuple[str, ...] = ()
    horizon = raw.horizon
    policy_start, policy_source = raw.policy_start, (src if raw.policy_start else None)
    sources: tuple[str, ...] = (str(path),)
    if raw.extends:
        try:
            parent = load_scenario(raw.extends, (*_stack, path))
        except ScenarioNotFoundError as exc:
            raise ScenarioError(located(src, "extends", str(exc))) from None
        settings = dict(parent.settings)
        origins = dict(parent.origins)
        chain = parent.chain
        horizon = horizon or parent.horizon
        if policy_start is None:
            policy_start, policy_source = parent.policy_start, parent.policy_start_source
        digest.update(parent.content_hash.encode())
        sources = (*sources, *parent.sources)
    for lid, sched in own.items():
        settings[lid] = (*settings.get(lid, ()), sched)
        origins[lid] = (*origins.get(lid, ()), src)
    if policy_start is not None and horizon is not None and policy_start > horizon:
        raise ScenarioError(
            located(
                src,
                "policy_start" if raw.policy_start else "horizon",
                f"expected the policy start {policy_start} up to the horizon {horizon} "
                f"(policy_start set in {policy_source})",
            )
        )
    scenario = Scenario(
        name=raw.name,
        description=raw.description.strip(),
        path=path,
        horizon=horizon,
        settings=settings,
        own=own,
        chain=(*chain, raw.name),
        content_hash=digest.hexdigest(),
        extends=raw.extends,
        sources=sources,
        title=title,
        origins=origins,
        policy_start=policy_start,
        policy_start_source=policy_source,
    )
    if policy_start is not None:
        check_policy_start(scenario, policy_start, f"policy_start set in {policy_source}")
    return scenario


def check_policy_start(scenario: Scenario, policy_start: int, where: str) -> None:
    """A :class:`~smesim.errors.ScenarioError` if a lever of ``scenario`` (its ancestors'
    settings included) would act before ``policy_start``; ``where``: where that year came
    from, named in the message."""
    msg = early_lever_error(scenario.origins, scenario.settings, policy_start, where)
    if msg is not None:
        raise ScenarioError(msg)


@cache
def bundled_titles() -> dict[str, dict[str, str]]:
    """Name -> title (language -> text) of every bundled scenario, read once."""
    return {n: load_scenario(scenarios_dir() / f"{n}.toml").title for n in bundled_names()}


def baseline_scenario() -> Scenario:
    """The bundled baseline (``smesim/data/scenarios/baseline.toml``).

    A missing file is a :class:`~smesim.errors.BundledDataError`, never an empty default.
    """
    return load_scenario(bundled_file("scenarios", "baseline.toml", what="baseline scenario"))
