"""``smesim check units``: the model's consistency checks."""

from __future__ import annotations

import click

from smesim.cli import options
from smesim.errors import UnitsError
from smesim.export.units import check_model_units


@click.group("check")
def check() -> None:
    """Checks of the model's consistency."""


@check.command("units")
@options.scenario(
    "Scenario whose table is checked (default: baseline; levers only change lever expressions)."
)
@options.profile()
def units(scenario, profile):
    """Check the dimensional consistency of every equation (pint)."""
    report = check_model_units(scenario, profile=profile)
    click.echo(report.text())
    if not report.ok:
        raise UnitsError(f"units: {len(report.issues)} inconsistencies (first: {report.issues[0]})")
