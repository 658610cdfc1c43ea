"""Library side of ``smesim run``: simulate a scenario and write its outputs.

:func:`simulate_scenario` is the shortcut for one scenario: it resolves the
profile and loads what is left out (the bundled baseline, the profile's
parameter set), builds a :class:`~smesim.engine.plan.RunPlan` and calls
:func:`smesim.engine.simulate.simulate`, the one way into the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from smesim.analysis.workbook import manifest_frame, series_frame, write_workbook
from smesim.engine.plan import build_plan
from smesim.engine.simulate import Result, simulate
from smesim.errors import ParameterError
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, baseline_scenario, load_scenario
from smesim.io import dump_json, file_provenance, manifest, staged_files, write_csv
from smesim.model.horizon import DEFAULT_DT, REPORTING_YEARS
from smesim.model.outputs import ASSUMED_TREND, HEADLINE
from smesim.model.params import BY_NAME, NAMES, ParameterSet


def simulate_scenario(
    scenario: Scenario | str | Path | None = None,
    params: ParameterSet | None = None,
    *,
    profile: str = "korea",
    until: int | None = None,
    dt: float = DEFAULT_DT,
    backend: str = "auto",
    lever_overrides: dict[str, np.ndarray] | None = None,
    overrides_from: float | None = None,
) -> Result:
    """Run one scenario for one or many parameter sets.

    Parameters
    ----------
    scenario : Scenario, path or bundled name, optional
        The bundled ``baseline`` when omitted.
    params : ParameterSet, optional
        One or more runs; the profile's parameter set when omitted.
    profile : str
        Country profile (baseline levers, exogenous tables, default parameters).
    until, dt, lever_overrides, overrides_from :
        As for :func:`smesim.engine.plan.build_plan`.
    backend : {"auto", "numpy", "numba"}
    """
    prof = get_profile(profile)
    if scenario is None:
        sc = baseline_scenario()
    else:
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    plan = build_plan(
        sc,
        prof,
        params if params is not None else prof.parameter_set(),
        until=until,
        dt=dt,
        lever_overrides=lever_overrides,
        overrides_from=overrides_from,
    )
    return simulate(plan, backend=backend)


def run_scenario(
    spec: str | Path | None,
    *,
    until: int | None = None,
    profile: str = "korea",
    dt: float = DEFAULT_DT,
    params_file: str | Path | None = None,
) -> tuple[Scenario, Result]:
    """Load ``spec`` (default: the baseline) and run it with the profile's parameters,
    or with the parameter file ``params_file`` in their place (``--params``)."""
    scenario = load_scenario(spec if spec is not None else "baseline")
    params = get_profile(profile).parameter_set(params_file)
    return scenario, simulate_scenario(scenario, params, profile=profile, until=until, dt=dt)


def run_manifest(scenario: Scenario, result: Result, seed=None) -> dict:
    """The manifest of a ``smesim run``: everything from the result's plan, no file read."""
    plan = result.plan
    pset = plan.params
    assumed = [n for n in NAMES if BY_NAME[n].status == "assumed"]
    return manifest(
        command="run",
        scenario={
            "name": scenario.name,
            "path": scenario.path,
            "content_sha256": scenario.content_hash,
            "chain": list(scenario.chain),
            "files": list(scenario.sources),
            "policy_start": plan.scenarios[0].policy_start,
            "policy_start_from": plan.scenarios[0].policy_start_source,
        },
        profile=plan.profile,
        parameter_set={
            "source": pset.source,
            "sha256": file_provenance(pset.source)["sha256"],
            "values": pset.as_dict(),
            "calibrated_at": pset.meta.get("created"),
            "data_files": pset.meta.get("data_files"),
        },
        assumed_parameters=assumed,
        # series whose path rests on assumed trends (smesim.model.outputs.Series.trend)
        assumed_trend_series=dict(ASSUMED_TREND),
        time_step_years=plan.dt,
        integration="euler",
        years=[int(result.years[0]), int(result.years[-1])],
        seed=seed,
    )


#: Formats of ``smesim run --format``.
RUN_FORMATS = ("csv", "json", "xlsx")


def write_run(
    out_dir: Path,
    scenario: Scenario,
    result: Result,
    fmt: str = "csv",
    extra: Callable[[Path, str], list[str]] | None = None,
) -> list[Path]:
    """Write ``<scenario>.csv|json|xlsx`` and ``<scenario>.manifest.json`` atomically.

    ``xlsx``: sheet ``series`` (year rows, one column per series), sheet
    ``series_info`` (units, meanings, which trends are assumed) and sheet ``manifest``.
    ``extra(stage, stem)`` writes more files beside the table into
    the staging folder and returns their names (``smesim run --plot``: the chart,
    :func:`smesim.report.run_chart.write_run_chart`); they are moved in with the rest.
    """
    if fmt not in RUN_FORMATS:
        raise ParameterError(f"--format: expected one of {', '.join(RUN_FORMATS)} (got {fmt!r})")
    df = result.frame()
    man = run_manifest(scenario, result)
    stem = scenario.name
    names = [f"{stem}.{fmt}"]
    with staged_files(Path(out_dir)) as stage:
        if fmt == "csv":
            write_csv(df, stage / f"{stem}.csv", float_format="%.6g")
        elif fmt == "xlsx":
            info = series_frame(df.columns)
            sheets = {"series": df, "series_info": info, "manifest": manifest_frame(man)}
            write_workbook(stage / f"{stem}.xlsx", sheets)
        else:
            (stage / f"{stem}.json").write_text(
                dump_json(
                    {
                        "years": df.index.tolist(),
                        "series": {c: df[c].round(6).tolist() for c in df.columns},
                    }
                )
            )
        if extra is not None:
            names += extra(stage, stem)
        (stage / f"{stem}.manifest.json").write_text(dump_json(man))
    return [Path(out_dir) / n for n in (*names, f"{stem}.manifest.json")]


def summary_years(result: Result, years=REPORTING_YEARS) -> list[int]:
    """The start year, the reporting years within the run, and its last year."""
    first, last = int(result.years[0]), int(result.years[-1])
    return sorted({first, *(y for y in years if first <= y <= last), last})


def summary_table(result: Result, years=REPORTING_YEARS) -> pd.DataFrame:
    """Headline series at :func:`summary_years`; rows named by id, an assumed trend's tag
    added (``"coexistence_natural (assumed trend)"``)."""
    df = result.frame()
    table = df.loc[summary_years(result, years), list(HEADLINE)].T.round(2)
    table.index = [f"{s} ({ASSUMED_TREND[s]} trend)" if s in ASSUMED_TREND else s for s in HEADLINE]
    return table
