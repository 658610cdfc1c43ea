"""``smesim levers``: the policy levers a scenario can set."""

from __future__ import annotations

import click

from smesim.model.levers import LEVERS


@click.command()
def levers():
    """List every policy lever: id, unit, range, baseline, source, description."""
    for lv in LEVERS:
        click.echo(
            f"{lv.id}\n  unit: {lv.unit}; range: [{lv.lower:g}, {lv.upper:g}]; "
            f"baseline (Korea): {lv.baseline:g}\n  source: {lv.source}\n"
            f"  {lv.description}\n"
        )
