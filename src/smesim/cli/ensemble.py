"""``smesim ensemble`` and ``smesim sensitivity``: parse, call the library, write."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from smesim.model.horizon import MAX_END_YEAR, START_YEAR

_profile_opt = click.option(
    "--profile",
    type=click.Choice(["korea", "japan"]),
    default="korea",
    show_default=True,
    help="Country profile (data, parameters).",
)
_workers_opt = click.option(
    "--workers",
    type=click.IntRange(0, 256),
    default=None,
    help="Local worker processes (default: this process, the compiled kernel using every core).",
)
_scheduler_opt = click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on a dask.distributed scheduler, e.g. "
    "tcp://10.0.0.5:8786 (extra smesim[distributed]).",
)
_quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


@contextmanager
def _progress(total: int, unit: str, quiet: bool):
    """A tqdm bar on stderr (runs done, rate, time left); silent when not a terminal."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    with tqdm(
        total=total,
        unit=unit,
        unit_scale=True,
        disable=disable,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar.update


@click.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option(
    "--runs",
    type=click.IntRange(1, None),
    default=1000,
    show_default=True,
    help="Parameter draws (every scenario runs on each).",
)
@click.option(
    "--seed", type=click.IntRange(0, None), default=0, show_default=True, help="Seed of the draws."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/ensemble"),
    show_default=True,
    help="Output directory.",
)
@click.option(
    "--ranges",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML file of declared ranges of assumed parameters.",
)
@click.option(
    "--point",
    is_flag=True,
    help="Every run at the point estimate (no uncertainty): reproduces `smesim run`.",
)
@click.option(
    "--until",
    type=click.IntRange(START_YEAR + 1, MAX_END_YEAR),
    default=None,
    help="Last year (default 2060).",
)
@click.option(
    "--batch",
    "batch_runs",
    type=click.IntRange(1, None),
    default=None,
    help="Runs integrated at once (memory bound; default: about 384 MB of "
    "outputs, 4,096-16,384 runs; results do not depend on it).",
)
@_workers_opt
@_scheduler_opt
@_quiet_opt
@_profile_opt
def ensemble(
    scenarios,
    runs,
    seed,
    out_dir,
    ranges,
    point,
    until,
    batch_runs,
    workers,
    scheduler,
    quiet,
    profile,
):
    """Percentile bands of every series and P(beats baseline) for SCENARIOS.

    Samples the estimated parameters from their joint uncertainty (the
    calibration's covariance, or the registry priors without one), runs every
    scenario and the baseline on each draw, and writes OUT/bands.csv,
    OUT/probabilities.csv and OUT/manifest.json.
    """
    from smesim.analysis.ensemble import band_summary, run_ensemble, write_ensemble

    with _progress(runs, "run", quiet) as update:
        result = run_ensemble(
            list(scenarios),
            runs,
            seed=seed,
            profile=profile,
            until=until,
            ranges=ranges,
            sample="point" if point else "joint",
            batch_runs=batch_runs,
            workers=workers,
            scheduler=scheduler,
            progress=update,
        )
    paths = write_ensemble(result, out_dir)
    meta = result.meta
    click.echo(
        f"{meta['runs_used']} runs x {len(scenarios)} scenario(s) + baseline "
        f"(seed {seed}; uncertainty: "
        f"{(meta['uncertainty'] or {}).get('joint_normal', {}).get('source', 'none')})"
    )
    if meta["non_finite_runs"]:
        click.echo(f"excluded {meta['non_finite_runs']} run(s) with non-finite outputs")
    if len(result.bands):
        click.echo("Median [5-95 % band]:")
        click.echo(band_summary(result).to_string())
    probs = result.probabilities
    if len(probs):
        table = probs.pivot_table(
            index=["scenario", "index"], columns="year", values="p_beats_baseline"
        )
        click.echo("P(beats baseline):")
        click.echo(table.round(3).to_string())
    for p in paths:
        click.echo(f"wrote {p}")


@click.command()
@click.argument("scenario")
@click.option(
    "--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True
)
@click.option(
    "--n",
    "n",
    type=click.IntRange(2, None),
    default=None,
    help="Base sample size (Sobol: power of two, default 512; Morris: trajectories, default 64).",
)
@click.option(
    "--outputs",
    default=None,
    help="Comma-separated series ids (default: the five coexistence indices).",
)
@click.option(
    "--years", default=None, help="Comma-separated reporting years (default 2030,2040,2060)."
)
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@click.option(
    "--no-parameters", is_flag=True, help="Levers only (no uncertain parameters as factors)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/sensitivity"),
    show_default=True,
    help="Output directory.",
)
@_workers_opt
@_scheduler_opt
@_quiet_opt
@_profile_opt
def sensitivity(
    scenario,
    method,
    n,
    outputs,
    years,
    seed,
    no_parameters,
    out_dir,
    workers,
    scheduler,
    quiet,
    profile,
):
    """Which levers and uncertain parameters drive each outcome, per reporting year.

    Writes OUT/sensitivity.csv (indices with confidence intervals per output,
    year and factor), OUT/manifest.json and a chart per output.
    """
    from smesim.analysis.sensitivity import (
        DEFAULT_N,
        DEFAULT_OUTPUTS,
        DEFAULT_YEARS,
        model_factors,
        run_sensitivity,
        write_sensitivity,
    )
    from smesim.errors import ParameterError

    outs = tuple(s.strip() for s in outputs.split(",") if s.strip()) if outputs else DEFAULT_OUTPUTS
    try:
        yrs = tuple(int(y) for y in years.split(",")) if years else DEFAULT_YEARS
    except ValueError:
        raise ParameterError(f"--years: expected comma-separated years (got {years!r})") from None
    factors = model_factors(profile, parameters=not no_parameters)
    n_eff = n or DEFAULT_N[method]
    if method == "sobol" and n_eff & (n_eff - 1):
        raise ParameterError(f"--n: expected a power of two for Sobol (got {n_eff})")
    rows = n_eff * (len(factors) + (2 if method == "sobol" else 1))
    with _progress(rows, "run", quiet) as update:
        result = run_sensitivity(
            scenario,
            method=method,
            n=n_eff,
            outputs=outs,
            years=yrs,
            seed=seed,
            profile=profile,
            factors=factors,
            workers=workers,
            scheduler=scheduler,
            progress=update,
        )
    paths = write_sensitivity(result, out_dir)
    col = result.index_column
    click.echo(f"{method}: {result.meta['design_rows']} runs, {len(factors)} factors")
    for o in outs:
        top = result.ranking(o, max(yrs)).head(3)
        ranked = ", ".join(f"{r.factor} {getattr(r, col):.2f}" for r in top.itertuples())
        click.echo(f"{o} {max(yrs)} ({col}): {ranked}")
    for p in paths:
        click.echo(f"wrote {p}")
