"""``smesim calibrate``: fit the free parameters to the release data."""

from __future__ import annotations

from pathlib import Path

import click

from smesim.cli import echo_warning, options
from smesim.report.calibration_report import render_markdown, run_calibration, write_calibration


@click.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release file or folder (repeatable, in release order; a folder adds its "
    "*.csv/*.xlsx in file-name order). Default: the bundled releases of the "
    "profile (shipped in the package: smesim/data/releases/<profile>/).",
)
@options.profile("Country profile to calibrate.")
@options.out_file(
    "Parameter-set file to write; its reports go beside it. Default: "
    "$XDG_DATA_HOME/smesim/params/<profile>.toml (~/.local/share/smesim/params/ when "
    "XDG_DATA_HOME is unset), which every command then uses instead of the bundled set. "
    "Never written into the installed package. An existing file and its reports are "
    "first copied to history/ beside it."
)
@options.seed("Seed of the multi-start design.")
def calibrate(data, profile, out, seed):
    """Fit the free parameters to the releases; write the parameter set and the fit report.

    Files go to --out, else to the user data directory
    ($XDG_DATA_HOME/smesim/params/, or ~/.local/share/smesim/params/), never into the
    installed package. A set there is used by every command in place of the bundled one.
    """
    result = run_calibration(data or None, profile=profile, out=out, seed=seed)
    paths = write_calibration(result, out)
    click.echo(render_markdown(result))
    labels = ["parameter set", "report (markdown)", "report (JSON)"]
    for i, p in enumerate(paths):
        click.echo(f"wrote {labels[i] if i < 3 else 'archived previous'}: {p}")
    for warning in result.data_warnings:
        echo_warning(warning)
    if not result.success:
        click.echo(
            f"smesim: warning: the optimiser did not report convergence ({result.message})",
            err=True,
        )
