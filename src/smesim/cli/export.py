"""``smesim export xmile``: the model as a file other tools read."""

from __future__ import annotations

import click

from smesim.cli import options
from smesim.export.xmile import export_xmile, parse_dt
from smesim.model.horizon import DEFAULT_END_YEAR


@click.group("export")
def export() -> None:
    """Export the model to other tools."""


@export.command("xmile")
@options.scenario(
    "Scenario (bundled name or .toml path) whose lever settings the file "
    "carries; default: baseline."
)
@options.profile()
@click.option(
    "--dt",
    default="1/16",
    show_default=True,
    help="Euler time step, 1/n of a year with n a power of two (e.g. 1/16 or 0.0625).",
)
@options.until(
    f"Stop year (default: the scenario's horizon, else {DEFAULT_END_YEAR}).", checked=False
)
@options.out_file("File to write (e.g. model.xmile).", required=True)
@options.params()
def xmile(scenario, profile, dt, until, out, params_file):
    """Write the whole model as an XMILE 1.0 file (Stella, Vensim, PySD)."""
    path = export_xmile(
        out, scenario, profile=profile, dt=parse_dt(dt), until=until, params_file=params_file
    )
    click.echo(f"wrote {path}")
