"""``smesim loops``: which feedback loops drive each headline output, and when."""

from __future__ import annotations

import click

from smesim.analysis.dominance import (
    DEFAULT_EIGEN_YEARS,
    dominance_text,
    eigen_text,
    parse_eigen_years,
    scenario_dominance,
    write_loops,
)
from smesim.cli import options
from smesim.inputs.bundled import display_path
from smesim.model.horizon import DEFAULT_END_YEAR


@click.command()
@click.argument("scenario", required=False, default="baseline")
@click.option(
    "--years",
    default=None,
    help="Comma-separated years of the eigenvalues (default "
    f"{','.join(map(str, DEFAULT_EIGEN_YEARS))}, those inside the run).",
)
@options.until(f"Last year to simulate (default: the scenario's horizon, else {DEFAULT_END_YEAR}).")
@options.out_dir(None)
@options.params()
@options.profile()
def loops(scenario, years, until, out_dir, params_file, profile):
    """Which feedback loops dominate each headline output when; Jacobian eigenvalues."""
    eigen_years = parse_eigen_years(years) if years is not None else None
    run = scenario_dominance(
        scenario, profile=profile, params_file=params_file, until=until, years=eigen_years
    )
    res = run.result
    click.echo(
        f"{run.scenario.name} ({profile}; parameters: {display_path(run.plan.params.source)}): "
        f"{len(res.loops)} feedback loops"
        + ("" if res.complete else " (enumeration capped: more loops exist)")
    )
    click.echo("")
    click.echo("Dominant loops (Loops That Matter; relative score: share of all loops' scores)")
    click.echo(dominance_text(res))
    off = [d for d in res.declared if d.status != "matched"]
    for d in off:
        why = f" (not on any loop: {', '.join(d.off_cycle)})" if d.off_cycle else ""
        click.echo(f"declared loop {d.number} ({d.name}): {d.status}{why}")
    click.echo("")
    click.echo("Jacobian eigenvalues of the stocks (per year; time constant etc. in years)")
    click.echo(eigen_text(res))
    if out_dir is not None:
        for p in write_loops(out_dir, run):
            click.echo(f"wrote {p}")
