"""Country profiles: the same model structure with a country's data and settings.

Each profile is a TOML file that ships with the package,
``smesim/data/profiles/<name>.toml``; the profile's name is the file's stem.
It supplies (i) overrides of the registry defaults (initial state from that
country's figures, documented assumptions where the paper has none), (ii) the
baseline lever values under which its start-year figures were observed,
(iii) its exogenous tables (the inputs :mod:`smesim.model.exogenous` declares),
(iv) its calibrated parameter set ``smesim/data/params/<name>.toml`` and
(v) how it is calibrated: its bundled releases are the files in
``smesim/data/releases/<name>/`` (:mod:`smesim.inputs.data`), its free
parameters are the registry's ``calibrated`` ones less
``fixed_in_calibration``, and their prior centres are the profile's
overrides where it has them.

A profile file::

    description = "Japan: ..."              # required
    policy_start = 2026                     # required: the first year scenarios' levers act
    fixed_in_calibration = ["<name>", ...]  # calibrated parameters held at their value
    calibration_notes = ["...", ...]        # printed in every calibration report

    [overrides]                             # <parameter name> = value (within its bounds)
    [baseline_levers]                       # <lever id> = value (within the lever's range)
    [assumptions]                           # <topic or name> = "why" (free text)
    [prior_sds]                             # <calibrated parameter> = prior sd (> 0)
    [exogenous.<input id>]                  # one per input of smesim.model.exogenous (required)
    unit = "%"                              # the input's unit
    source = "..."                          # where the figures come from
    years = [2012, 2018, 2030]              # strictly increasing
    values = [24.1, 28.1, 31.2]             # linear between years, flat beyond

All tables and lists but ``[exogenous.*]`` are optional (empty by default).

``policy_start`` is the year from which a scenario's levers act by default
(levers never rewrite history: before it every lever follows the profile's
baseline; see :mod:`smesim.inputs.scenario`, where a scenario file may set its
own).  It is a whole year after the start year and at most the last year a run
may reach.  The years between the last data point and the policy start are
projected under the baseline levers.

Every problem (unknown key, parameter or lever, a value outside its bounds,
a non-finite number, a missing exogenous table, an exogenous value its unit
makes impossible: a share outside 0-100, a population <= 0) is a
:class:`~smesim.errors.ProfileError` naming the file and the key.

Which parameter set a profile uses: :meth:`Profile.parameter_set` reads the
user's own calibration (``<user data dir>/params/<name>.toml``, written by
``smesim calibrate`` without ``--out``; see :func:`smesim.inputs.bundled.user_data_dir`)
if there is one, else the bundled calibrated set.  A missing bundled set is a
:class:`~smesim.errors.BundledDataError`; the registry's first estimates
(:meth:`Profile.default_parameter_set`) are used only when asked for.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from smesim.errors import BundledDataError, ParameterError, ProfileError, located
from smesim.inputs.bundled import bundled_dir, bundled_file, display_path, user_data_dir
from smesim.inputs.paramfile import load_toml, read_parameter_file
from smesim.model.exogenous import BY_ID as EXOGENOUS_BY_ID
from smesim.model.exogenous import INPUTS as EXOGENOUS_INPUTS
from smesim.model.exogenous import Table, exogenous_paths
from smesim.model.horizon import MAX_END_YEAR, START_YEAR
from smesim.model.levers import LEVER_BY_ID, LEVER_IDS
from smesim.model.params import BY_NAME, CALIBRATED, NAMES, ParameterSet, check_rules

#: Keys of a profile file (tables and top-level keys).
_TOP_KEYS = (
    "description",
    "policy_start",
    "fixed_in_calibration",
    "calibration_notes",
    "overrides",
    "baseline_levers",
    "assumptions",
    "prior_sds",
    "exogenous",
)
_TABLE_KEYS = ("unit", "source", "years", "values")


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_value(src: str, key: str, val, declared, unknown: str) -> None:
    """A profile value of a declared parameter or lever: known, finite, within its bounds."""
    if declared is None:
        raise ProfileError(located(src, key, unknown))
    if not _is_number(val) or not math.isfinite(val):
        raise ProfileError(located(src, key, f"expected a finite number (got {val!r})"))
    if not declared.lower <= val <= declared.upper:
        raise ProfileError(
            located(
                src,
                key,
                f"expected a value in [{declared.lower:g}, {declared.upper:g}] "
                f"{declared.unit} (got {val:g})",
            )
        )


def _is_number(x) -> bool:
    return not isinstance(x, bool) and isinstance(x, int | float)


@dataclass(frozen=True)
class Profile:
    """A validated country profile (see the module docstring for the file format).

    Construction checks every field; a problem raises
    :class:`~smesim.errors.ProfileError` naming ``source`` and the key.
    """

    name: str
    description: str
    #: First year a scenario's levers act, unless the scenario sets its own.
    policy_start: int
    overrides: dict[str, float] = field(default_factory=dict)
    baseline_levers: dict[str, float] = field(default_factory=dict)
    assumptions: dict[str, str] = field(default_factory=dict)
    #: Calibrated parameters held at their profile value (not free) for this profile.
    fixed_in_calibration: tuple[str, ...] = ()
    #: Prior sd overrides for this profile (prior centres follow ``overrides``).
    prior_sds: dict[str, float] = field(default_factory=dict)
    #: Notes printed in every calibration report of this profile.
    calibration_notes: tuple[str, ...] = ()
    #: One table per exogenous input (:data:`smesim.model.exogenous.INPUTS`), by id.
    exogenous: dict[str, Table] = field(default_factory=dict)
    #: Where the profile was read from (named in error messages).
    source: str = ""

    def __post_init__(self) -> None:
        src = self.source or f"profile {self.name}"
        if not self.name:
            raise ProfileError(located(src, "name", "expected a non-empty profile name"))
        if not self.description.strip():
            raise ProfileError(located(src, "description", "expected a non-empty string"))
        ps = self.policy_start
        if not (isinstance(ps, int) and not isinstance(ps, bool)) or not (
            START_YEAR < ps <= MAX_END_YEAR
        ):
            raise ProfileError(
                located(
                    src,
                    "policy_start",
                    f"expected a whole year after the start year {START_YEAR}, up to "
                    f"{MAX_END_YEAR} (got {ps!r})",
                )
            )
        for key, val in self.overrides.items():
            p = BY_NAME.get(key)
            expected = (
                f"unknown parameter (expected one of the {len(NAMES)} registry names, "
                f"see smesim.model.params){_suggest(key, NAMES)}"
            )
            _check_value(src, f"overrides.{key}", val, p, expected)
        try:  # rules that tie parameters together
            ParameterSet.from_mapping(self.overrides, source=f"{src}: overrides")
        except ParameterError as exc:
            raise ProfileError(str(exc)) from None
        for key, val in self.baseline_levers.items():
            lever = LEVER_BY_ID.get(key)
            expected = (
                f"unknown lever (expected one of {', '.join(LEVER_IDS)}){_suggest(key, LEVER_IDS)}"
            )
            _check_value(src, f"baseline_levers.{key}", val, lever, expected)
        for key, val in self.assumptions.items():
            if not isinstance(val, str) or not val.strip():
                raise ProfileError(
                    located(src, f"assumptions.{key}", f"expected a non-empty string (got {val!r})")
                )
        seen: set[str] = set()
        for i, name in enumerate(self.fixed_in_calibration):
            k = f"fixed_in_calibration[{i}]"
            if name not in CALIBRATED:
                raise ProfileError(
                    located(
                        src,
                        k,
                        f"expected a calibrated parameter (got {name!r}"
                        + (f", status {BY_NAME[name].status!r})" if name in BY_NAME else ")")
                        + _suggest(str(name), CALIBRATED),
                    )
                )
            if name in seen:
                raise ProfileError(located(src, k, f"{name!r} given twice"))
            seen.add(name)
        for key, val in self.prior_sds.items():
            k = f"prior_sds.{key}"
            if key not in CALIBRATED:
                raise ProfileError(
                    located(
                        src,
                        k,
                        "expected a calibrated parameter (prior sds apply to the estimated "
                        f"ones){_suggest(key, CALIBRATED)}",
                    )
                )
            if not _is_number(val) or not math.isfinite(val) or val <= 0:
                raise ProfileError(located(src, k, f"expected a finite number > 0 (got {val!r})"))
        for i, note in enumerate(self.calibration_notes):
            if not isinstance(note, str) or not note.strip():
                raise ProfileError(
                    located(
                        src,
                        f"calibration_notes[{i}]",
                        f"expected a non-empty string (got {note!r})",
                    )
                )
        for key, table in self.exogenous.items():
            if key not in EXOGENOUS_BY_ID:
                raise ProfileError(
                    located(
                        src,
                        f"exogenous.{key}",
                        "unknown exogenous input (expected one of "
                        f"{', '.join(EXOGENOUS_BY_ID)}){_suggest(key, EXOGENOUS_BY_ID)}",
                    )
                )
            if not isinstance(table, Table) or table.id != key:
                raise ProfileError(
                    located(src, f"exogenous.{key}", f"expected the table of {key!r}")
                )
        missing = [x.name for x in EXOGENOUS_INPUTS if x.name not in self.exogenous]
        if missing:
            raise ProfileError(
                located(
                    src,
                    f"exogenous.{missing[0]}",
                    "missing table (every exogenous input needs one; expected unit, source, "
                    "years, values)",
                )
            )

    def free_parameter_names(self) -> tuple[str, ...]:
        """Parameters estimated by ``smesim calibrate`` for this profile."""
        return tuple(n for n in CALIBRATED if n not in self.fixed_in_calibration)

    def prior_centre(self, name: str) -> float | None:
        """Prior centre: the profile's override if any, else the registry prior."""
        if name in self.overrides:
            return self.overrides[name]
        return BY_NAME[name].prior

    def prior_sd(self, name: str) -> float | None:
        return self.prior_sds.get(name, BY_NAME[name].prior_sd)

    def exogenous_paths(self, t: np.ndarray) -> dict[str, np.ndarray]:
        """Every exogenous input of this profile on the grid ``t`` (shape ``(n_times,)``)."""
        return exogenous_paths(t, self.exogenous)

    @property
    def bundled_params_file(self) -> Path:
        """The calibrated set that ships with the package (a BundledDataError if missing)."""
        return bundled_file("params", f"{self.name}.toml", what=f"calibrated set of {self.name}")

    @property
    def user_params_file(self) -> Path:
        """Where ``smesim calibrate`` writes this profile's set by default (may not exist)."""
        return user_data_dir() / "params" / f"{self.name}.toml"

    @property
    def params_file(self) -> Path:
        """The calibrated set in use: the user's own if it exists, else the bundled one."""
        user = self.user_params_file
        return user if user.is_file() else self.bundled_params_file

    def default_parameter_set(self) -> ParameterSet:
        """Registry first estimates with this profile's overrides (no calibration)."""
        return ParameterSet.from_mapping(self.overrides, source=f"defaults:{self.name}")

    def parameter_set(self, path: str | Path | None = None) -> ParameterSet:
        """The calibrated set in use (:attr:`params_file`), or the parameter file ``path``
        in its place (``--params``), over :meth:`default_parameter_set`.

        Checked against the model's rules with this profile's baseline levers (as every
        run is), so an impossible set fails here, naming the file and the keys.
        """
        pset = read_parameter_file(
            self.params_file if path is None else Path(path), base=self.default_parameter_set()
        )
        levers0 = {lid: LEVER_BY_ID[lid].baseline for lid in LEVER_IDS} | self.baseline_levers
        check_rules(pset.values, pset.source, {k: np.array([v]) for k, v in levers0.items()})
        return pset


# ---------------------------------------------------------------------------
# reading profile files
# ---------------------------------------------------------------------------


def _table_of(src: str, key: str, raw, what: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ProfileError(located(src, key, f"expected a table of {what} (got {raw!r})"))
    return raw


def _strings(src: str, key: str, raw) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ProfileError(located(src, key, f"expected a list of strings (got {raw!r})"))
    for i, x in enumerate(raw):
        if not isinstance(x, str):
            raise ProfileError(located(src, f"{key}[{i}]", f"expected a string (got {x!r})"))
    return tuple(raw)


def _exogenous_table(src: str, key: str, raw) -> Table:
    if not isinstance(raw, dict):
        raise ProfileError(located(src, key, f"expected a table (got {raw!r})"))
    for k in raw:
        if k not in _TABLE_KEYS:
            raise ProfileError(
                located(src, f"{key}.{k}", f"unknown key (expected {', '.join(_TABLE_KEYS)})")
            )
    for k in _TABLE_KEYS:
        if k not in raw:
            raise ProfileError(located(src, f"{key}.{k}", "missing required key"))
    for k in ("unit", "source"):
        if not isinstance(raw[k], str):
            raise ProfileError(located(src, f"{key}.{k}", f"expected a string (got {raw[k]!r})"))
    for k in ("years", "values"):
        if not isinstance(raw[k], list):
            raise ProfileError(
                located(src, f"{key}.{k}", f"expected a list of numbers (got {raw[k]!r})")
            )
    try:
        return Table(
            key.removeprefix("exogenous."),
            raw["unit"],
            tuple(raw["years"]),
            tuple(raw["values"]),
            raw["source"],
        )
    except ValueError as exc:  # Table's message starts with the field
        field_name, _, message = str(exc).partition(": ")
        raise ProfileError(located(src, f"{key}.{field_name}", message)) from None


def read_profile(path: str | Path, name: str | None = None) -> Profile:
    """Read and validate a profile file; its name is ``name`` or the file's stem."""
    path = Path(path)
    src = display_path(path)
    doc = load_toml(path, error=ProfileError)
    for key in doc:
        if key not in _TOP_KEYS:
            raise ProfileError(
                located(
                    src,
                    key,
                    f"unknown key (expected one of {', '.join(_TOP_KEYS)})"
                    f"{_suggest(key, _TOP_KEYS)}",
                )
            )
    description = doc.get("description")
    if not isinstance(description, str):
        raise ProfileError(
            located(
                src,
                "description",
                "missing required key" if description is None else "expected a string",
            )
        )
    if "policy_start" not in doc:
        raise ProfileError(
            located(
                src,
                "policy_start",
                "missing required key (the first year scenarios' levers act, e.g. 2026)",
            )
        )
    policy_start = doc["policy_start"]
    if isinstance(policy_start, float) and policy_start.is_integer():
        policy_start = int(policy_start)
    exo_raw = _table_of(src, "exogenous", doc.get("exogenous"), "exogenous tables")
    exogenous = {}
    for key, raw in exo_raw.items():
        if key not in EXOGENOUS_BY_ID:
            raise ProfileError(
                located(
                    src,
                    f"exogenous.{key}",
                    "unknown exogenous input (expected one of "
                    f"{', '.join(EXOGENOUS_BY_ID)}){_suggest(key, EXOGENOUS_BY_ID)}",
                )
            )
        exogenous[key] = _exogenous_table(src, f"exogenous.{key}", raw)
    return Profile(
        name=name or path.stem,
        description=description.strip(),
        policy_start=policy_start,
        overrides=dict(_table_of(src, "overrides", doc.get("overrides"), "parameter values")),
        baseline_levers=dict(
            _table_of(src, "baseline_levers", doc.get("baseline_levers"), "lever values")
        ),
        assumptions=dict(_table_of(src, "assumptions", doc.get("assumptions"), "strings")),
        fixed_in_calibration=_strings(src, "fixed_in_calibration", doc.get("fixed_in_calibration")),
        prior_sds=dict(_table_of(src, "prior_sds", doc.get("prior_sds"), "prior sds")),
        calibration_notes=_strings(src, "calibration_notes", doc.get("calibration_notes")),
        exogenous=exogenous,
        source=src,
    )


@cache
def profile_names() -> tuple[str, ...]:
    """Names of the bundled profiles (``smesim/data/profiles/*.toml``), sorted."""
    folder = bundled_dir("profiles", what="country profiles")
    names = tuple(sorted(p.stem for p in folder.glob("*.toml")))
    if not names:
        raise BundledDataError(
            "smesim/data/profiles: country profiles missing from the installed package "
            "(expected *.toml files; reinstall smesim)"
        )
    return names


@cache
def _bundled_profile(name: str) -> Profile:
    return read_profile(bundled_file("profiles", f"{name}.toml", what=f"profile {name}"))


def get_profile(name: str | Profile) -> Profile:
    """The bundled profile ``name`` (read and validated once per process).

    A :class:`Profile` is returned as it is, so callers may pass either.
    """
    if isinstance(name, Profile):
        return name
    names = profile_names()
    if name not in names:
        raise ParameterError(
            f"profile: expected one of {', '.join(names)} (got {name!r})"
            f"{_suggest(str(name), names)}"
        )
    return _bundled_profile(name)
