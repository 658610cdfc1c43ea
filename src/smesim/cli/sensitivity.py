"""``smesim sensitivity``: which levers and uncertain parameters drive each outcome."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from smesim.analysis.sensitivity import (
    DEFAULT_N,
    METHODS,
    model_factors,
    run_sensitivity,
    write_sensitivity,
)
from smesim.cli import options
from smesim.cli.progress import progress
from smesim.errors import ParameterError
from smesim.model.horizon import REPORTING_YEARS
from smesim.model.outputs import COEXISTENCE
from smesim.report.brief import write_sensitivity_charts
from smesim.report.i18n import hangul_font_path


@click.command()
@click.argument("scenario")
@click.option("--method", type=click.Choice(METHODS), default="sobol", show_default=True)
@click.option(
    "--n",
    "n",
    type=click.IntRange(2, None),
    default=None,
    help=f"Base sample size (Sobol: power of two, default {DEFAULT_N['sobol']}; "
    f"Morris: trajectories, default {DEFAULT_N['morris']}).",
)
@click.option(
    "--outputs",
    default=None,
    help="Comma-separated series ids (default: the five coexistence indices).",
)
@options.years(shown=False)
@options.seed()
@click.option(
    "--no-parameters", is_flag=True, help="Levers only (no uncertain parameters as factors)."
)
@click.option(
    "--no-assumed",
    is_flag=True,
    help="Leave out the assumed parameters (default: each one with a declared range is a "
    "factor over it, as in `smesim ensemble`).",
)
@options.out_dir(Path("out/sensitivity"))
@options.workers()
@options.scheduler()
@options.quiet()
@options.params()
@options.profile()
@options.lang("Language of the charts.")
def sensitivity(
    scenario,
    method,
    n,
    outputs,
    years,
    seed,
    no_parameters,
    no_assumed,
    out_dir,
    workers,
    scheduler,
    quiet,
    params_file,
    profile,
    lang,
):
    """Which levers and uncertain parameters drive each outcome, per reporting year.

    Factors: the levers, the estimated parameters (point estimate +- 2 sd) and
    every assumed parameter with a declared range (over it), the parameters
    `smesim ensemble` samples.  Writes OUT/sensitivity.csv (indices with
    confidence intervals per output, year and factor), OUT/manifest.json
    (every factor with its range and origin) and a chart per output.
    """
    if lang == "ko":
        hangul_font_path()  # a missing font package fails here, before the runs
    outs = tuple(s.strip() for s in outputs.split(",") if s.strip()) if outputs else COEXISTENCE
    try:
        yrs = tuple(int(y) for y in years.split(",")) if years else REPORTING_YEARS
    except ValueError:
        raise ParameterError(f"--years: expected comma-separated years (got {years!r})") from None
    factors = model_factors(
        profile, parameters=not no_parameters, params_file=params_file, assumed=not no_assumed
    )
    n_eff = n or DEFAULT_N[method]
    if method == "sobol" and n_eff & (n_eff - 1):
        raise ParameterError(f"--n: expected a power of two for Sobol (got {n_eff})")
    rows = n_eff * (len(factors) + (2 if method == "sobol" else 1))
    with progress(rows, "sensitivity runs", quiet) as update:
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
            params_file=params_file,
            assumed=not no_assumed,
        )
    charts = functools.partial(write_sensitivity_charts, result, lang=lang)
    paths = write_sensitivity(result, out_dir, charts=charts)
    col = result.index_column
    click.echo(f"{method}: {result.meta['design_rows']} runs, {len(factors)} factors")
    for o in outs:
        top = result.ranking(o, max(yrs)).head(3)
        ranked = ", ".join(f"{r.factor} {getattr(r, col):.2f}" for r in top.itertuples())
        click.echo(f"{o} {max(yrs)} ({col}): {ranked}")
    for p in paths:
        click.echo(f"wrote {p}")
