"""``smesim run``: simulate one scenario and write its outputs."""

from __future__ import annotations

from pathlib import Path

import click

from smesim.analysis.run import run_scenario, summary_table, write_run
from smesim.cli import options
from smesim.model.horizon import DEFAULT_END_YEAR


@click.command()
@click.argument("scenario", required=False)
@options.until(f"Last year to simulate (default: the scenario's horizon, else {DEFAULT_END_YEAR}).")
@options.out_dir(Path("out"))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@options.profile()
def run(scenario, until, out_dir, fmt, profile):
    """Run SCENARIO (a path or a bundled name; default: baseline) and write its outputs."""
    sc, result = run_scenario(scenario, until=until, profile=profile)
    paths = write_run(out_dir, sc, result, fmt)
    click.echo(f"{sc.name} ({profile}; parameters: {result.meta['parameter_source']})")
    click.echo(summary_table(result).to_string())
    for p in paths:
        click.echo(f"wrote {p}")
