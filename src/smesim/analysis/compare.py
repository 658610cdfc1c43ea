"""Scenario comparison: levels, differences from a reference, years targets are reached.

:func:`compare_scenarios` validates every scenario file first, then runs them
all from one run plan (one :func:`smesim.engine.simulate.simulate` call; the
years before the scenarios' levers part are integrated once), and tabulates
every canonical series (the five coexistence indices included) at the chosen
years:

* ``value``: the level in the scenario;
* ``diff``: value minus the reference's value (index / percentage points);
* ``diff_pct``: that difference as a percentage of the reference's value;
* ``trend``: "assumed trend" or "partly assumed trend" for a series whose
  path rests on assumptions (:attr:`smesim.model.outputs.Series.trend`), else
  empty.  The text tables add the same words to the series' label, and every
  table that shows ``coexistence_overall`` shows its four components beside
  it (:func:`smesim.model.outputs.with_components`).

The reference is the baseline (the bundled ``baseline`` scenario, added first
unless ``include_baseline=False``; a scenario *named* ``baseline`` that the
user gives takes its place).  Without the baseline the first scenario given
is the reference.

Targets (``--target``) are written ``SERIES>=VALUE``, ``SERIES<=VALUE`` or
``SERIES=VALUE``:

* ``>=``: reached from below: the first reported year with the series at or
  above the value after a year below it;
* ``<=``: reached from above: the first year at or below it after a year
  above it;
* ``=``: the direction is taken from where the series starts (its start-year
  value, the same in every scenario): below the value means ``>=``, above it
  ``<=``.

Years are whole reporting years from the start year (2012).  A series that
starts on the target side and leaves it counts from when it comes back; one
on the target side in every year is reported as "2012 (met throughout)".
When never reached the tables say "not by <end year>".

Language
--------
The tables written for people (the terminal table, ``comparison.md``) and the
headers of the CSV files take their words from a :class:`TableText`: English
by default, Korean from :func:`smesim.report.i18n.table_text`.  Machine-readable
files keep ids where other tools read them: a Korean ``comparison.csv`` keeps
the ``scenario`` and ``series`` id columns under those names and adds a Korean
label column after each (``시나리오``, ``지표``); its other headers are Korean.
``comparison.json`` holds ids only.  Korean files carry a ``_ko`` suffix
(``comparison_ko.csv``), so both languages can share a folder.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from smesim import __version__
from smesim.analysis.ensemble import MIN_RUNS, read_ensemble, run_ensemble
from smesim.analysis.workbook import manifest_frame, series_frame, write_workbook
from smesim.engine.plan import build_plan
from smesim.engine.simulate import Result, simulate
from smesim.errors import CompareError
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.io import dump_json, file_provenance, now_iso, staged_files, write_csv
from smesim.model.horizon import (
    DEFAULT_DT,
    DEFAULT_END_YEAR,
    MAX_END_YEAR,
    REPORTING_YEARS,
    START_YEAR,
)
from smesim.model.levers import LEVER_IDS, lever_paths
from smesim.model.outputs import (
    ASSUMED_TREND,
    BY_ID,
    CANONICAL,
    COEXISTENCE,
    HEADLINE,
    TRENDS,
    with_components,
)

BASELINE = "baseline"
#: Series the terminal table shows (files hold every canonical series).
TERMINAL_SERIES = with_components(dict.fromkeys((*HEADLINE, "export_share_sme", *COEXISTENCE)))

#: The English words of the tables (keys: see :class:`TableText`).  ``col_*``: CSV headers;
#: ``label_*``: headers of the label columns a translated CSV adds after the id columns.
TABLE_WORDS: dict[str, str] = {
    "col_unit": "unit",
    "col_year": "year",
    "col_value": "value",
    "col_reference_value": "reference_value",
    "col_diff": "diff",
    "col_diff_pct": "diff_pct",
    "col_direction": "direction",
    "col_target": "target",
    "col_p_beats_baseline": "p_beats_baseline",
    "col_trend": "trend",
    "trend_assumed": "assumed trend",
    "trend_partly assumed": "partly assumed trend",
    "md_trend_note": (
        "{groups}. Their paths rest on assumptions, not on the paper's figures. "
        "The overall index is the shifted geometric mean of its four components, shown "
        "beside it; it falls toward 0 when any of them collapses."
    ),
    "label_scenario": "scenario_label",
    "label_series": "series_label",
    "label_index": "index_label",
    "series": "series",
    "target": "target",
    "index_year": "index, year",
    "year_first_reached": "year first reached",
    "probability_heading": "probability of beating the baseline (share of ensemble runs)",
    "md_title": "Scenario comparison (reference: {reference})",
    "md_probability": "Probability of beating the baseline (% of ensemble runs)",
    "md_no_effect": "`=`: the scenario leaves the index unchanged.",
    "md_targets": "Year each target is first reached",
    "md_target_note": (
        "`>=`: first year at or above the value after a year below it (reached "
        "from below); `<=`: at or below it after a year above it (from above)."
    ),
    "legend": (
        "Cells: level (difference from {reference} in points; in % of "
        "{reference}).  Parameters: {parameters}; profile {profile}; smesim {version}."
    ),
    "not_by": "not by {end}",
    "met_throughout": "{year} (met throughout)",
}


def add_tag(label: str, tag: str) -> str:
    """``label`` with ``tag`` in parentheses (inside a closing parenthesis the label ends
    with): ``"Natural coexistence (assumed trend)"``; ``label`` as is when ``tag`` is empty
    or already in it."""
    if not tag or tag in label:
        return label
    return f"{label[:-1]}, {tag})" if label.endswith(")") else f"{label} ({tag})"


def _short_index(series_id: str) -> str:
    return series_id.removeprefix("coexistence_")


@dataclass(frozen=True)
class TableText:
    """The words of the comparison tables in one language.

    ``words`` overrides :data:`TABLE_WORDS` (missing keys fall back to English);
    ``series``, ``unit`` and ``index`` (a coexistence index, short) turn ids
    into display names (English: the ids themselves); ``reference`` names the
    reference scenario inside sentences (English: its name).  Scenario columns
    show the scenarios' titles in :attr:`lang` (:meth:`Comparison.labels`).  Files written
    in another language than English carry ``_<lang>`` in their names
    (:attr:`suffix`), and their CSVs add label columns next to the id columns.
    """

    lang: str = "en"
    words: Mapping[str, str] = field(default_factory=dict)
    series: Callable[[str], str] = str
    unit: Callable[[str], str] = str
    index: Callable[[str], str] = _short_index
    reference: Callable[[str], str] | None = None

    def reference_name(self, name: str) -> str:
        return self.reference(name) if self.reference is not None else name

    def __call__(self, key: str, **fmt) -> str:
        phrase = self.words.get(key) or TABLE_WORDS[key]
        return phrase.format(**fmt) if fmt else phrase

    def trend(self, series_id: str) -> str:
        """The trend tag of a series in this language (``"assumed trend"``), else ``""``."""
        trend = ASSUMED_TREND.get(series_id, "")
        return self(f"trend_{trend}") if trend else ""

    def tagged(self, label: str, series_id: str) -> str:
        """``label`` with the series' trend tag, unless the label already carries it."""
        return add_tag(label, self.trend(series_id))

    def trend_note(self, series: Sequence[str] = CANONICAL) -> str:
        """One sentence naming the series of ``series`` whose trend is assumed ("" if none)."""
        flagged = [s for s in series if s in ASSUMED_TREND]
        if not flagged:
            return ""
        groups = []
        for kind in reversed(TRENDS[1:]):  # "assumed" first
            names = [self.series(s) for s in flagged if ASSUMED_TREND[s] == kind]
            if names:
                tag = self(f"trend_{kind}")
                groups.append(f"{tag}: {', '.join(names)}")
        note = self("md_trend_note", groups="; ".join(groups))
        return note[:1].upper() + note[1:]

    @property
    def suffix(self) -> str:
        return "" if self.lang == "en" else f"_{self.lang}"

    @property
    def labels(self) -> bool:
        """Whether CSVs get label columns (translated tables only)."""
        return self.lang != "en"


ENGLISH = TableText()


# ---- targets ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A level a series should reach; ``direction`` is ``">="``, ``"<="`` or ``"="`` (auto)."""

    series: str
    value: float
    direction: str = "="

    def resolved(self, start_value: float) -> str:
        if self.direction != "=":
            return self.direction
        return ">=" if start_value < self.value else "<="

    def label(self, direction: str | None = None) -> str:
        return f"{self.series} {direction or self.direction} {self.value:g}"


_TARGET_RE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(>=|<=|=)\s*(\S+)\s*$")


def parse_target(spec: str) -> Target:
    """``"wage_ratio_sme=60"`` / ``"capital_region_grp_share<=45"`` -> :class:`Target`."""
    m = _TARGET_RE.match(spec)
    if not m:
        raise CompareError(
            f"--target {spec!r}: expected SERIES=VALUE, SERIES>=VALUE or "
            f"SERIES<=VALUE (e.g. wage_ratio_sme=60) (got {spec!r})"
        )
    series, direction, raw = m.groups()
    if series not in CANONICAL:
        close = difflib.get_close_matches(series, CANONICAL, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CompareError(
            f"--target {spec!r}: expected a canonical series id (see "
            f"smesim.model.outputs) (got {series!r}){hint}"
        )
    try:
        value = float(raw)
    except ValueError:
        raise CompareError(
            f"--target {spec!r}: expected a number after {direction!r} (got {raw!r})"
        ) from None
    if not math.isfinite(value):
        raise CompareError(f"--target {spec!r}: expected a finite number (got {raw!r})")
    return Target(series, value, direction)


def reach_year(years: np.ndarray, values: np.ndarray, target: float, direction: str) -> int | None:
    """Year ``values`` reach ``target`` from the other side, else None.

    ``">="``: the first year at or above the target after a year below it
    (reached from below); ``"<="``: at or below after a year above it.  A
    series on the target side throughout counts as reached in its first year.
    """
    hit = values >= target if direction == ">=" else values <= target
    if hit.all():
        return int(years[0])
    first_miss = int(np.argmin(hit))
    idx = np.flatnonzero(hit[first_miss:])
    return int(years[first_miss + idx[0]]) if idx.size else None


def check_years(years: Sequence[int]) -> tuple[int, ...]:
    out = []
    for y in years:
        if not isinstance(y, int | np.integer) or not START_YEAR <= y <= MAX_END_YEAR:
            raise CompareError(
                f"--years: expected whole years in [{START_YEAR}, {MAX_END_YEAR}] (got {y!r})"
            )
        out.append(int(y))
    if not out:
        raise CompareError("--years: expected at least one year (got none)")
    return tuple(sorted(set(out)))


def parse_years(spec: str) -> tuple[int, ...]:
    """``"2030,2040,2060"`` -> (2030, 2040, 2060)."""
    try:
        years = [int(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        raise CompareError(
            f"--years: expected comma-separated whole years such as 2030,2040,2060 (got {spec!r})"
        ) from None
    return check_years(years)


# ---- running ----------------------------------------------------------------------------
def load_scenarios(specs: Sequence[str | Path], include_baseline: bool = True) -> list[Scenario]:
    """Load and validate every scenario before anything runs; baseline first.

    Raises the first file's :class:`~smesim.errors.ScenarioError`; a name
    given twice by different files is a :class:`CompareError`.
    """
    loaded = [load_scenario(s) for s in specs]
    if include_baseline and not any(sc.name == BASELINE for sc in loaded):
        loaded.insert(0, load_scenario(BASELINE))
    if include_baseline:
        loaded.sort(key=lambda sc: sc.name != BASELINE)  # stable: baseline first
    out: list[Scenario] = []
    seen: dict[str, Scenario] = {}
    for sc in loaded:
        if sc.name in seen:
            if seen[sc.name].path == sc.path:
                continue  # the same file twice
            raise CompareError(
                f"{sc.path}: name: expected scenario names to be unique "
                f"(got {sc.name!r}, also in {seen[sc.name].path})"
            )
        seen[sc.name] = sc
        out.append(sc)
    if not out:
        raise CompareError("scenarios: expected at least one scenario (got none)")
    return out


def lever_frame(
    scenario: Scenario,
    *,
    start: int = START_YEAR,
    end: int = DEFAULT_END_YEAR,
    per_year: int = 4,
    baseline_levers: Mapping[str, float] | None = None,
    policy_start: float | None = None,
) -> pd.DataFrame:
    """Every lever's path in ``scenario``, indexed by time (``per_year`` points a year).

    ``baseline_levers``: the profile's baseline levers (:attr:`Comparison.baseline_levers`);
    default: the registry's (Korea's).  ``policy_start``: the year the levers act from
    (:attr:`Comparison.policy_starts`); the baseline before it.
    """
    t = start + np.arange((end - start) * per_year + 1) / per_year
    vals = lever_paths(scenario.settings, t, baseline_levers, policy_start)
    return pd.DataFrame(vals, index=pd.Index(t, name="year"), columns=list(LEVER_IDS))


def lever_changes(
    frames: dict[str, pd.DataFrame], reference: str, tol: float = 1e-9
) -> pd.DataFrame:
    """How each scenario moves each lever off the reference path.

    Parameters
    ----------
    frames : scenario name -> :func:`lever_frame`.
    reference : name of the scenario the others are compared with.

    Returns
    -------
    DataFrame, one row per (scenario, lever) that differs from the reference:
    scenario, lever, start (first time it differs), settled (time from which
    it no longer changes), before (reference value at ``start``), peak (value
    farthest from the reference), final (value at the end).
    """
    ref = frames[reference]
    rows = []
    for name, f in frames.items():
        if name == reference:
            continue
        for lid in LEVER_IDS:
            path, base = f[lid].to_numpy(), ref[lid].to_numpy()
            off = np.abs(path - base) > tol
            if not off.any():
                continue
            t = f.index.to_numpy()
            i0 = int(np.argmax(off))
            moving = np.flatnonzero(np.abs(np.diff(path)) > tol)
            settled = t[moving[-1] + 1] if moving.size else t[i0]
            peak = path[int(np.argmax(np.abs(path - base)))]
            # A gradual change (ramp) left its old value at the previous grid point.
            begin = t[i0 - 1] if i0 > 0 and abs(path[i0] - peak) > tol else t[i0]
            rows.append(
                (
                    name,
                    lid,
                    float(begin),
                    float(max(settled, t[i0])),
                    float(base[max(i0 - 1, 0)]),
                    float(peak),
                    float(path[-1]),
                )
            )
    return pd.DataFrame(
        rows, columns=["scenario", "lever", "start", "settled", "before", "peak", "final"]
    )


# ---- the comparison ---------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_scenarios`.

    Attributes
    ----------
    scenarios : the validated scenarios, reference first when it is the baseline.
    reference : name of the scenario differences are taken from.
    years : reporting years of the table.
    frames : name -> year-indexed DataFrame of the whole run (every output column).
    table : long table, one row per (scenario, series, year): scenario, series,
        unit, year, value, reference_value, diff, diff_pct.
    reached : one row per (scenario, target): scenario, series, direction,
        target, year (``<NA>`` when not reached by ``end``).
    ensemble : optional ensemble result (``.bands``, ``.probabilities``).
    result : the simulation (its ``plan`` holds the grid, levers and parameters).
    """

    scenarios: tuple[Scenario, ...]
    reference: str
    years: tuple[int, ...]
    end: int
    frames: dict[str, pd.DataFrame]
    table: pd.DataFrame
    reached: pd.DataFrame
    targets: tuple[Target, ...] = ()
    meta: dict = field(default_factory=dict)
    ensemble: object | None = None
    result: Result | None = None

    @property
    def names(self) -> list[str]:
        return [sc.name for sc in self.scenarios]

    def labels(self, lang: str = "en") -> dict[str, str]:
        """Scenario name -> what tables show: its title in ``lang`` (else English, else
        the name); titles two scenarios share get the name added."""
        titles = {sc.name: sc.display_name(lang) for sc in self.scenarios}
        counts = pd.Series(list(titles.values())).value_counts()
        return {n: t if counts[t] == 1 or t == n else f"{t} ({n})" for n, t in titles.items()}

    @property
    def baseline_levers(self) -> dict[str, float] | None:
        """The profile's baseline lever values the scenarios ran with (for :func:`lever_frame`)."""
        if self.result is None:
            return None
        return dict(zip(LEVER_IDS, self.result.plan.baseline_levers.tolist(), strict=True))

    @property
    def policy_starts(self) -> dict[str, int | None]:
        """Scenario name -> the policy start it ran with (for :func:`lever_frame`)."""
        if self.result is None:
            return {}
        return {s.name: s.policy_start for s in self.result.plan.scenarios}

    def value(self, scenario: str, series: str, year: int) -> float:
        return float(self.frames[scenario].at[year, series])

    def levels(
        self, series: Sequence[str] = COEXISTENCE, years: Sequence[int] | None = None
    ) -> pd.DataFrame:
        """Scenario rows by (series, year) columns of levels (for dashboards)."""
        years = list(years or self.years)
        cols = pd.MultiIndex.from_product([list(series), years], names=["series", "year"])
        rows = [[self.value(n, s, y) for s, y in cols] for n in self.names]
        return pd.DataFrame(rows, index=pd.Index(self.names, name="scenario"), columns=cols)

    def reach_text(self, scenario: str, target: Target, text: TableText = ENGLISH) -> str:
        row = self.reached[
            (self.reached["scenario"] == scenario)
            & (self.reached["series"] == target.series)
            & (self.reached["target"] == target.value)
        ]
        year = row["year"].iloc[0]
        if pd.isna(year):
            return text("not_by", end=self.end)
        if int(year) == START_YEAR:
            return text("met_throughout", year=int(year))
        return str(int(year))


def compare_scenarios(
    specs: Sequence[str | Path],
    *,
    years: Sequence[int] = REPORTING_YEARS,
    targets: Sequence[Target | str] = (),
    include_baseline: bool = True,
    until: int | None = None,
    profile: str = "korea",
    dt: float = DEFAULT_DT,
    ensemble_dir: str | Path | None = None,
    runs: int | None = None,
    seed: int = 0,
    params_file: str | Path | None = None,
) -> Comparison:
    """Validate, run and tabulate scenarios against the baseline.

    Parameters
    ----------
    specs : scenario paths or bundled names (the baseline is added unless
        ``include_baseline=False``).
    years : reporting years of the table.
    targets : :class:`Target` objects or strings such as ``"wage_ratio_sme=60"``.
    until : last simulated year (default: the latest of 2060, the scenarios'
        horizons and ``years``).
    ensemble_dir, runs : attach an ensemble result read from a directory or
        run with ``runs`` parameter draws (needs :mod:`smesim.analysis.ensemble`).
    params_file : parameter-set file used in place of the profile's calibrated set.
    """
    years = check_years(years)
    targets = tuple(t if isinstance(t, Target) else parse_target(t) for t in targets)
    scenarios = load_scenarios(specs, include_baseline)
    end = until or max(
        DEFAULT_END_YEAR, max(years), *(sc.horizon or DEFAULT_END_YEAR for sc in scenarios)
    )
    if not START_YEAR < end <= MAX_END_YEAR or max(years) > end:
        raise CompareError(
            f"--until: expected a year in ({START_YEAR}, {MAX_END_YEAR}] and "
            f"not before the last reporting year {max(years)} (got {end})"
        )
    prof = get_profile(profile)
    params = prof.parameter_set(params_file).run(0)
    result = simulate(build_plan(scenarios, prof, params, until=end, dt=dt))
    frames = {name: result.frame(scenario=i) for i, name in enumerate(result.names)}
    reference = BASELINE if include_baseline else scenarios[0].name
    table = _table(frames, reference, years)
    reached = _reached(frames, targets)
    ens = None
    if ensemble_dir is not None or runs:
        ens = load_or_run_ensemble(
            ensemble_dir,
            runs,
            scenarios,
            seed=seed,
            profile=profile,
            until=end,
            params_file=params_file,
        )
    meta = {
        "smesim_version": __version__,
        "created": now_iso(),
        "profile": profile,
        "parameter_set": params.source,
        "parameter_set_sha256": file_provenance(params.source)["sha256"],
        "calibrated_at": params.meta.get("created"),
        "dt_years": dt,
        "end_year": end,
        "reference": reference,
        "scenario_files": {sc.name: str(sc.path) for sc in scenarios},
        "scenario_sha256": {sc.name: sc.content_hash for sc in scenarios},
        "policy_start": {s.name: s.describe_policy_start() for s in result.plan.scenarios},
        "ensemble": str(ensemble_dir)
        if ensemble_dir
        else ({"runs": runs, "seed": seed} if runs else None),
    }
    return Comparison(
        tuple(scenarios), reference, years, end, frames, table, reached, targets, meta, ens, result
    )


def _table(frames: dict[str, pd.DataFrame], reference: str, years) -> pd.DataFrame:
    ref = frames[reference]
    rows = []
    for name, df in frames.items():
        for s in CANONICAL:
            for y in years:
                v, r = float(df.at[y, s]), float(ref.at[y, s])
                d = v - r
                pct = 100.0 * d / r if r != 0 else float("nan")
                rows.append((name, s, BY_ID[s].unit, ENGLISH.trend(s), y, v, r, d, pct))
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "series",
            "unit",
            "trend",
            "year",
            "value",
            "reference_value",
            "diff",
            "diff_pct",
        ],
    )


def _reached(frames: dict[str, pd.DataFrame], targets: Sequence[Target]) -> pd.DataFrame:
    rows = []
    for t in targets:
        for name, df in frames.items():
            direction = t.resolved(float(df[t.series].iloc[0]))
            year = reach_year(df.index.to_numpy(), df[t.series].to_numpy(), t.value, direction)
            rows.append((name, t.series, direction, t.value, year))
    out = pd.DataFrame(rows, columns=["scenario", "series", "direction", "target", "year"])
    out["year"] = out["year"].astype("Int64")
    return out


def load_or_run_ensemble(
    ensemble_dir,
    runs,
    scenarios: Sequence[Scenario],
    *,
    seed: int = 0,
    profile: str = "korea",
    until: int | None = None,
    params_file: str | Path | None = None,
):
    """An ensemble result from ``ensemble_dir`` or a fresh run of ``runs`` draws
    (at least :data:`~smesim.analysis.ensemble.MIN_RUNS`)."""
    if ensemble_dir is not None:
        return read_ensemble(Path(ensemble_dir))
    if runs is None or runs < MIN_RUNS:
        raise CompareError(f"--runs: expected at least {MIN_RUNS} runs (got {runs})")
    return run_ensemble(
        list(scenarios), runs, seed=seed, profile=profile, until=until, params_file=params_file
    )


# ---- text renderings --------------------------------------------------------------------
def _fmt(v: float) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:.2f}"


def _signed(x: float, digits: int, sign: float) -> str:
    """``|x|`` to ``digits`` decimals with the sign of ``sign`` ("+" for zero)."""
    return f"{'-' if sign < 0 else '+'}{abs(x):.{digits}f}"


def _cell(row, reference: str) -> str:
    if row.scenario == reference:
        return _fmt(row.value)
    if not math.isfinite(row.diff):
        return f"{_fmt(row.value)} (n/a; n/a)"
    # Both from the difference as printed, with its sign: a change that prints as
    # -0.01 is -0.0 %, never +0.0 %; one that prints as 0.00 is +0.00 and +0.0 %.
    d = round(row.diff, 2) + 0.0
    pct = (
        "n/a"
        if not math.isfinite(row.diff_pct)
        else _signed(100.0 * d / row.reference_value, 1, d) + "%"
    )
    return f"{_fmt(row.value)} ({_signed(d, 2, d)}; {pct})"


def wide_table(
    comp: Comparison,
    year: int,
    series: Sequence[str] = CANONICAL,
    text: TableText = ENGLISH,
) -> pd.DataFrame:
    """Series rows by scenario columns at ``year``: "level (diff pts; diff %)" strings.

    Columns are scenario names; the text renderings show titles (:meth:`Comparison.labels`).
    Rows are named by ``text`` (English: ``"wage_ratio_sme [%]"``).
    """
    sub = comp.table[(comp.table["year"] == year) & comp.table["series"].isin(series)]
    cells = {(r.series, r.scenario): _cell(r, comp.reference) for r in sub.itertuples()}
    data = [[cells[(s, n)] for n in comp.names] for s in series]
    idx = pd.Index(
        [text.tagged(f"{text.series(s)} [{text.unit(BY_ID[s].unit)}]", s) for s in series],
        name=text("series"),
    )
    return pd.DataFrame(data, index=idx, columns=comp.names)


def _target_rows(comp: Comparison, text: TableText = ENGLISH) -> list[list[str]]:
    rows = []
    for t in comp.targets:
        first = comp.reached[
            (comp.reached["series"] == t.series) & (comp.reached["target"] == t.value)
        ]
        dirs = sorted(set(first["direction"]))
        label = f"{text.tagged(text.series(t.series), t.series)} {'/'.join(dirs)} {t.value:g}"
        rows.append([label, *(comp.reach_text(n, t, text) for n in comp.names)])
    return rows


def _legend(comp: Comparison, text: TableText = ENGLISH) -> str:
    return text(
        "legend",
        reference=text.reference_name(comp.reference),
        parameters=comp.meta["parameter_set"],
        profile=comp.meta["profile"],
        version=comp.meta["smesim_version"],
    )


def format_table(
    comp: Comparison, series: Sequence[str] = TERMINAL_SERIES, text: TableText = ENGLISH
) -> str:
    """Readable plain-text tables (one per year, then the targets) for the terminal;
    scenarios by title in ``text``'s language (:meth:`Comparison.labels`)."""
    labels = comp.labels(text.lang)
    parts = []
    # Hangul is two columns wide in a terminal: pandas aligns it when told so.
    with pd.option_context("display.unicode.east_asian_width", text.lang != "en"):
        for y in comp.years:
            table = wide_table(comp, y, series, text).rename(columns=labels)
            parts.append(f"== {y} ==\n{table.to_string()}")
        if comp.targets:
            rows = _target_rows(comp, text)
            df = pd.DataFrame(
                [r[1:] for r in rows],
                index=pd.Index([r[0] for r in rows], name=text("target")),
                columns=[labels[n] for n in comp.names],
            )
            parts.append(f"== {text('year_first_reached')} ==\n{df.to_string()}")
        probs = probability_table(comp, text)
        if probs is not None:
            probs = probs.rename(columns=labels)
            parts.append(f"== {text('probability_heading')} ==\n" + probs.to_string())
    parts.append(_legend(comp, text))
    note = text.trend_note(series)
    if note:
        parts.append(note)
    return "\n\n".join(parts)


def probability_table(comp: Comparison, text: TableText = ENGLISH) -> pd.DataFrame | None:
    """P(beats baseline) in % of ensemble runs: "index year" rows, scenario columns.

    ``=`` marks cells where the scenario leaves the index unchanged (in the
    point-estimate runs), where a probability of 0 means "equal", not "worse".
    None when no ensemble ran.
    """
    probs = getattr(comp.ensemble, "probabilities", None) if comp.ensemble is not None else None
    if probs is None or probs.empty:
        return None
    cells: dict[tuple[str, str], str] = {}
    rows: list[str] = []
    names: list[str] = []
    for r in probs.itertuples():
        row = f"{text.tagged(text.index(r.index), r.index)} {r.year}"
        rows.append(row)
        names.append(r.scenario)
        same = (
            r.scenario in comp.frames
            and comp.reference in comp.frames
            and r.year in comp.frames[r.scenario].index
            and abs(
                comp.value(r.scenario, r.index, r.year)
                - comp.value(comp.reference, r.index, r.year)
            )
            < 1e-9
        )
        cells[(row, r.scenario)] = "=" if same else f"{100 * r.p_beats_baseline:.1f}"
    rows, names = list(dict.fromkeys(rows)), list(dict.fromkeys(names))
    return pd.DataFrame(
        [[cells.get((r, n), "") for n in names] for r in rows],
        index=pd.Index(rows, name=text("index_year")),
        columns=names,
    )


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    esc = [[c.replace("|", "\\|") for c in r] for r in [header, *rows]]
    lines = ["| " + " | ".join(esc[0]) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in esc[1:]]
    return "\n".join(lines)


def to_markdown(comp: Comparison, text: TableText = ENGLISH) -> str:
    """Every canonical series at every year, plus target years, as markdown."""
    out = [
        f"# {text('md_title', reference=text.reference_name(comp.reference))}",
        "",
        _legend(comp, text),
        "",
        text.trend_note(),
        "",
    ]
    labels = comp.labels(text.lang)
    for sc in comp.scenarios:
        out.append(
            f"- **{labels[sc.name]}** (`{sc.name}`, {sc.path}): {' '.join(sc.description.split())}"
        )
    for y in comp.years:
        w = wide_table(comp, y, text=text).rename(columns=labels)
        out += [
            "",
            f"## {y}",
            "",
            _md_table(
                [text("series"), *w.columns],
                [[i, *r] for i, r in zip(w.index, w.to_numpy().tolist(), strict=True)],
            ),
        ]
    probs = probability_table(comp, text)
    if probs is not None:
        probs = probs.rename(columns=labels)
        out += [
            "",
            f"## {text('md_probability')}",
            "",
            text("md_no_effect"),
            "",
            _md_table(
                [text("index_year"), *probs.columns],
                [[i, *row] for i, row in zip(probs.index, probs.to_numpy().tolist(), strict=True)],
            ),
        ]
    if comp.targets:
        out += [
            "",
            f"## {text('md_targets')}",
            "",
            text("md_target_note"),
            "",
            _md_table([text("target"), *(labels[n] for n in comp.names)], _target_rows(comp, text)),
        ]
    return "\n".join(out) + "\n"


def to_json(comp: Comparison) -> dict:
    def num(v):
        return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v

    rows = [{k: num(v) for k, v in r.items()} for r in comp.table.to_dict("records")]
    reached = [
        {
            "scenario": r.scenario,
            "series": r.series,
            "direction": r.direction,
            "target": r.target,
            "year": None if pd.isna(r.year) else int(r.year),
        }
        for r in comp.reached.itertuples()
    ]
    return {
        "meta": comp.meta,
        "reference": comp.reference,
        "years": list(comp.years),
        "scenarios": [
            {
                "name": sc.name,
                "title": sc.title,
                "path": sc.path,
                "description": sc.description,
                "levers": dict(sc.lever_table()),
            }
            for sc in comp.scenarios
        ],
        "rows": rows,
        "targets": reached,
    }


def translated_columns(
    df: pd.DataFrame, text: TableText = ENGLISH, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``df`` with the headers of ``text``: id columns (scenario, series, index) keep their
    names and values and get a label column after them (scenarios: ``labels``, e.g.
    :meth:`Comparison.labels`); the other headers are translated.  English: ``df`` as is."""
    if not text.labels:
        return df
    out = df.copy()
    scenario = (lambda n: labels.get(n, n)) if labels is not None else str
    for col, name in (("scenario", scenario), ("series", text.series), ("index", text.series)):
        if col in out:
            out.insert(out.columns.get_loc(col) + 1, text(f"label_{col}"), out[col].map(name))
    if "trend" in out and "series" in out:
        out["trend"] = out["series"].map(text.trend)
    keep = {"scenario", "series", "index"}
    return out.rename(
        columns={
            c: text(f"col_{c}") for c in df.columns if c not in keep and f"col_{c}" in TABLE_WORDS
        }
    )


#: Formats of the comparison tables (``smesim compare --format``).
TABLE_FORMATS = ("csv", "xlsx")


def workbook_sheets(comp: Comparison, text: TableText = ENGLISH) -> dict[str, pd.DataFrame]:
    """The comparison as Excel sheets, numbers as numbers.

    ``levels``, ``differences`` (points) and ``differences_pct``: one row per
    (series, unit, trend, year), one column per scenario (titled); ``comparison``: the
    long table of comparison.csv; ``targets`` (with ``--target``);
    ``lever_changes``: how each scenario moves each lever off the reference
    (:func:`lever_changes`); ``probabilities`` (with an ensemble); ``scenarios``;
    ``series_info`` (each series' unit, meaning and assumed-trend flag); ``manifest``.
    Headers in ``text``'s language, as in the CSV files.
    """
    labels = comp.labels(text.lang)
    t = comp.table.assign(trend=comp.table["series"].map(text.trend))
    wide = {}
    for sheet, col in (
        ("levels", "value"),
        ("differences", "diff"),
        ("differences_pct", "diff_pct"),
    ):
        keys = ["series", "unit", "trend", "year"]
        w = t.pivot_table(index=keys, columns="scenario", values=col, sort=False, dropna=False)
        # dropna=False keeps NaN cells but also every product of the index levels: keep the
        # (series, unit, trend, year) rows the table has, in its order.
        w = w.reindex(pd.MultiIndex.from_frame(t[keys].drop_duplicates()))
        w = w[comp.names].rename(columns=labels)
        w.columns.name = None
        if text.labels:
            w.index = w.index.set_names(
                ["series", text("col_unit"), text("col_trend"), text("col_year")]
            )
        wide[sheet] = w
    sheets = {**wide, "comparison": translated_columns(t, text, labels)}
    if comp.targets:
        reached = comp.reached.copy()
        reached["reached"] = [
            comp.reach_text(r.scenario, Target(r.series, r.target), text)
            for r in reached.itertuples()
        ]
        sheets["targets"] = translated_columns(reached, text, labels)
    frames = {
        sc.name: lever_frame(
            sc,
            end=comp.end,
            baseline_levers=comp.baseline_levers,
            policy_start=comp.policy_starts.get(sc.name),
        )
        for sc in comp.scenarios
    }
    sheets["lever_changes"] = lever_changes(frames, comp.reference)
    probs = getattr(comp.ensemble, "probabilities", None) if comp.ensemble is not None else None
    if probs is not None:
        sheets["probabilities"] = translated_columns(probs, text, labels)
    sheets["scenarios"] = pd.DataFrame(
        [
            (
                sc.name,
                sc.display_name("en"),
                sc.title.get("ko"),
                " ".join(sc.description.split()),
                str(sc.path),
                "; ".join(f"{lid}: {what}" for lid, what in sc.lever_table()),
            )
            for sc in comp.scenarios
        ],
        columns=["scenario", "title", "title_ko", "description", "path", "levers"],
    )
    sheets["series_info"] = series_frame(CANONICAL)
    sheets["manifest"] = manifest_frame(comp.meta)
    return sheets


def write_tables(
    stage: Path, comp: Comparison, fmt: str = "csv", text: TableText = ENGLISH
) -> list[str]:
    """Write the comparison into ``stage``; the file names.

    ``fmt="csv"``: comparison.csv (and targets.csv, probabilities.csv);
    ``"xlsx"``: comparison.xlsx (:func:`workbook_sheets`) instead.  Both write
    comparison.md and comparison.json.  With a translated ``text`` the names
    carry its suffix (``comparison_ko.csv``) and the headers are translated.
    """
    if fmt not in TABLE_FORMATS:
        raise CompareError(f"--format: expected one of {', '.join(TABLE_FORMATS)} (got {fmt!r})")
    stage = Path(stage)
    sfx = text.suffix
    labels = comp.labels(text.lang)
    names = []
    if fmt == "xlsx":
        write_workbook(stage / f"comparison{sfx}.xlsx", workbook_sheets(comp, text))
        names.append(f"comparison{sfx}.xlsx")
    else:
        write_csv(
            translated_columns(comp.table, text, labels),
            stage / f"comparison{sfx}.csv",
            index=False,
            float_format="%.6g",
        )
        names.append(f"comparison{sfx}.csv")
    (stage / f"comparison{sfx}.md").write_text(to_markdown(comp, text), encoding="utf-8")
    (stage / f"comparison{sfx}.json").write_text(dump_json(to_json(comp)), encoding="utf-8")
    names += [f"comparison{sfx}.md", f"comparison{sfx}.json"]
    if fmt == "csv" and comp.targets:
        write_csv(
            translated_columns(comp.reached, text, labels), stage / f"targets{sfx}.csv", index=False
        )
        names.append(f"targets{sfx}.csv")
    if fmt == "csv" and comp.ensemble is not None:
        probs = getattr(comp.ensemble, "probabilities", None)
        if probs is not None:
            write_csv(
                translated_columns(probs, text, labels),
                stage / f"probabilities{sfx}.csv",
                index=False,
                float_format="%.4g",
            )
            names.append(f"probabilities{sfx}.csv")
    return names


def write_comparison(
    out_dir: str | Path, comp: Comparison, fmt: str = "csv", text: TableText = ENGLISH
) -> list[Path]:
    """Write the comparison tables into ``out_dir`` atomically (staged, then moved)."""
    with staged_files(Path(out_dir)) as stage:
        names = write_tables(stage, comp, fmt, text)
    return [Path(out_dir) / n for n in names]
