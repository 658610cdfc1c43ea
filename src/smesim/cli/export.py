"""Commands ``smesim export xmile``, ``smesim doc`` and ``smesim check units``.

Each parses its options, calls one library function and writes.
"""

from __future__ import annotations

from pathlib import Path

import click

_profile_opt = click.option(
    "--profile",
    type=click.Choice(["korea", "japan"]),
    default="korea",
    show_default=True,
    help="Country profile (data, parameters).",
)


@click.group("export")
def export() -> None:
    """Export the model to other tools."""


@export.command("xmile")
@click.option(
    "--scenario",
    default=None,
    help="Scenario (bundled name or .toml path) whose lever settings the file "
    "carries; default: baseline.",
)
@_profile_opt
@click.option(
    "--dt",
    default="1/16",
    show_default=True,
    help="Euler time step, 1/n of a year (e.g. 1/16 or 0.0625).",
)
@click.option(
    "--until",
    type=int,
    default=None,
    help="Stop year (default: the scenario's horizon, else 2060).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (e.g. model.xmile).",
)
def export_xmile_cmd(scenario, profile, dt, until, out):
    """Write the whole model as an XMILE 1.0 file (Stella, Vensim, PySD)."""
    from smesim.export.xmile import export_xmile, parse_dt

    path = export_xmile(out, scenario, profile=profile, dt=parse_dt(dt), until=until)
    click.echo(f"wrote {path}")


@click.command("doc")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Markdown file to write (default: print to standard output).",
)
@_profile_opt
def doc(out, profile):
    """Generate the model reference (Markdown) from the code."""
    from smesim.export.docgen import model_reference, write_reference

    if out is None:
        click.echo(model_reference(profile=profile), nl=False)
    else:
        click.echo(f"wrote {write_reference(out, profile=profile)}")


@click.group("check")
def check() -> None:
    """Checks of the model's consistency."""


@check.command("units")
@click.option(
    "--scenario",
    default=None,
    help="Scenario whose table is checked (default: "
    "baseline; levers only change lever expressions).",
)
@_profile_opt
def check_units_cmd(scenario, profile):
    """Check the dimensional consistency of every equation (pint)."""
    from smesim.errors import UnitsError
    from smesim.export.units import check_model_units

    report = check_model_units(scenario, profile=profile)
    click.echo(report.text())
    if not report.ok:
        raise UnitsError(f"units: {len(report.issues)} inconsistencies (first: {report.issues[0]})")
