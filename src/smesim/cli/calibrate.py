"""Commands ``smesim calibrate`` and ``smesim data check``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smesim.errors import SmesimError


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
@click.option(
    "--profile",
    type=click.Choice(["korea", "japan"]),
    default="korea",
    show_default=True,
    help="Country profile to calibrate.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Parameter-set file to write; its reports go beside it. Default: "
    "$XDG_DATA_HOME/smesim/params/<profile>.toml (~/.local/share/smesim/params/ when "
    "XDG_DATA_HOME is unset), which every command then uses instead of the bundled set. "
    "Never written into the installed package. An existing file and its reports are "
    "first copied to history/ beside it.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, None),
    default=0,
    show_default=True,
    help="Seed of the multi-start design.",
)
def calibrate(data, profile, out, seed):
    """Fit the free parameters to the releases; write the parameter set and the fit report.

    Files go to --out, else to the user data directory
    ($XDG_DATA_HOME/smesim/params/, or ~/.local/share/smesim/params/), never into the
    installed package. A set there is used by every command in place of the bundled one.
    """
    from smesim.report.calibration_report import render_markdown, run_calibration, write_calibration

    result = run_calibration(data or None, profile=profile, out=out, seed=seed)
    paths = write_calibration(result, out)
    click.echo(render_markdown(result))
    labels = ["parameter set", "report (markdown)", "report (JSON)"]
    for i, p in enumerate(paths):
        click.echo(f"wrote {labels[i] if i < 3 else 'archived previous'}: {p}")
    if not result.success:
        click.echo(
            f"smesim: warning: the optimiser did not report convergence ({result.message})",
            err=True,
        )


@click.group("data")
def data_group():
    """Calibration data (release files)."""


@data_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files):
    """Validate release FILES (or folders) without fitting."""
    from smesim.inputs.data import read_release, release_files

    failed = 0
    try:
        paths = release_files(files)
    except SmesimError as exc:
        click.echo(f"smesim: error: {exc}", err=True)
        sys.exit(2)
    for f in paths:
        try:
            rf = read_release(f)
        except SmesimError as exc:
            click.echo(f"smesim: error: {exc}", err=True)
            failed += 1
            continue
        pts = rf.points
        click.echo(
            f"ok {f}: {rf.layout} layout, {len(pts)} points, "
            f"{pts['series'].nunique()} series, years {pts['year'].min()}-"
            f"{pts['year'].max()}, {int((pts['weight'] == 0).sum())} with weight 0"
        )
    if failed:
        sys.exit(2)
