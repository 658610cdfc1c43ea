"""``smesim validate``: check scenario files without running them."""

from __future__ import annotations

import sys

import click

from smesim.cli import echo_error
from smesim.cli.run import warn_early_levers
from smesim.errors import SmesimError
from smesim.inputs.scenario import load_scenario


@click.command()
@click.argument("files", nargs=-1, required=True)
def validate(files):
    """Check scenario FILES (paths or bundled names) without running them."""
    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
        except SmesimError as exc:
            echo_error(str(exc))
            failed += 1
            continue
        set_levers = ", ".join(lid for lid, _ in sc.lever_table()) or "none"
        click.echo(f"ok {sc.path}: {sc.name} (levers set: {set_levers})")
        warn_early_levers(sc)
    if failed:
        sys.exit(2)
