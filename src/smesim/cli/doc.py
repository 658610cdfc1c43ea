"""``smesim doc``: the model reference, generated from the code."""

from __future__ import annotations

import click

from smesim.cli import options
from smesim.export.docgen import model_reference, write_reference


@click.command("doc")
@options.out_file("Markdown file to write (default: print to standard output).")
@options.profile()
def doc(out, profile):
    """Generate the model reference (Markdown) from the code."""
    if out is None:
        click.echo(model_reference(profile=profile), nl=False)
    else:
        click.echo(f"wrote {write_reference(out, profile=profile)}")
