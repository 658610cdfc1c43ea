"""``smesim run``: simulate one scenario and write its outputs."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import click

from smesim.analysis.run import RUN_FORMATS, run_scenario, summary_table, write_run
from smesim.cli import options
from smesim.model.horizon import DEFAULT_END_YEAR


@click.command()
@click.argument("scenario", required=False)
@options.until(f"Last year to simulate (default: the scenario's horizon, else {DEFAULT_END_YEAR}).")
@options.out_dir(Path("out"))
@options.table_format(RUN_FORMATS, "Table format (xlsx: the series and the manifest as sheets).")
@click.option(
    "--plot",
    is_flag=True,
    help="Also draw the headline outputs over time: <scenario>.png and .svg beside the table.",
)
@options.params()
@options.profile()
def run(scenario, until, out_dir, fmt, plot, params_file, profile):
    """Run SCENARIO (a path or a bundled name; default: baseline) and write its outputs."""
    sc, result = run_scenario(scenario, until=until, profile=profile, params_file=params_file)
    extra = None
    if plot:
        # matplotlib is loaded only when a chart is asked for, so a plain `smesim run`
        # stays quick (as the command modules themselves are loaded on demand).
        chart = importlib.import_module("smesim.report.run_chart")
        extra = functools.partial(chart.write_run_chart, scenario=sc, result=result)
    paths = write_run(out_dir, sc, result, fmt, extra=extra)
    click.echo(
        f"{sc.name} ({profile}; parameters: {result.meta['parameter_source']}; "
        f"policy start: {result.plan.scenarios[0].describe_policy_start()})"
    )
    click.echo(summary_table(result).to_string())
    for p in paths:
        click.echo(f"wrote {p}")
