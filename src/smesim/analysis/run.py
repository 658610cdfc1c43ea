"""Library side of ``smesim run``: simulate a scenario and write its outputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from smesim.engine.simulate import Result, simulate
from smesim.inputs.profiles import get_profile
from smesim.inputs.scenario import Scenario, load_scenario
from smesim.io import dump_json, manifest, staged_files
from smesim.model.horizon import DEFAULT_DT, REPORTING_YEARS
from smesim.model.outputs import HEADLINE
from smesim.model.params import BY_NAME, NAMES

SUMMARY_YEARS = REPORTING_YEARS


def run_scenario(
    spec: str | Path | None,
    *,
    until: int | None = None,
    profile: str = "korea",
    dt: float = DEFAULT_DT,
) -> tuple[Scenario, Result]:
    scenario = load_scenario(spec if spec is not None else "baseline")
    prof = get_profile(profile)
    params = prof.parameter_set()
    return scenario, simulate(scenario, params, until=until, profile=profile, dt=dt)


def run_manifest(scenario: Scenario, result: Result, params_source: str, seed=None) -> dict:
    from smesim.inputs.profiles import get_profile

    prof = get_profile(result.meta["profile"])
    pset = prof.parameter_set()
    values = pset.as_dict()
    assumed = [n for n in NAMES if BY_NAME[n].status == "assumed"]
    return manifest(
        command="run",
        scenario={
            "name": scenario.name,
            "path": scenario.path,
            "content_sha256": scenario.content_hash,
            "chain": list(scenario.chain),
            "files": list(scenario.sources),
        },
        profile=result.meta["profile"],
        parameter_set={
            "source": params_source,
            "values": values,
            "calibrated_at": pset.meta.get("created"),
            "data_files": pset.meta.get("data_files"),
        },
        assumed_parameters=assumed,
        time_step_years=result.meta["dt"],
        integration="euler",
        years=[int(result.years[0]), int(result.years[-1])],
        seed=seed,
    )


def write_run(out_dir: Path, scenario: Scenario, result: Result, fmt: str = "csv") -> list[Path]:
    """Write ``<scenario>.csv|json`` and ``<scenario>.manifest.json`` atomically."""
    df = result.frame()
    man = run_manifest(scenario, result, result.meta["parameter_source"])
    stem = scenario.name
    with staged_files(Path(out_dir)) as stage:
        if fmt == "csv":
            df.to_csv(stage / f"{stem}.csv", float_format="%.6g")
        else:
            (stage / f"{stem}.json").write_text(
                dump_json(
                    {
                        "years": df.index.tolist(),
                        "series": {c: df[c].round(6).tolist() for c in df.columns},
                    }
                )
            )
        (stage / f"{stem}.manifest.json").write_text(dump_json(man))
    return [Path(out_dir) / f"{stem}.{fmt}", Path(out_dir) / f"{stem}.manifest.json"]


def summary_table(result: Result, years=SUMMARY_YEARS) -> pd.DataFrame:
    """Headline series at the summary years present in the result."""
    df = result.frame()
    ys = [y for y in (int(result.years[0]), *years) if y in df.index]
    return df.loc[ys, list(HEADLINE)].T.round(2)
