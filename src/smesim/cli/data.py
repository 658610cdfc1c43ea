"""``smesim data check``: validate calibration release files without fitting."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smesim.cli import echo_error, echo_warning
from smesim.errors import SmesimError
from smesim.inputs.data import merge_releases, read_release, release_files


@click.group("data")
def data():
    """Calibration data (release files)."""


@data.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files):
    """Validate release FILES (or folders) without fitting."""
    failed, read = 0, []
    try:
        paths = release_files(files)
    except SmesimError as exc:
        echo_error(str(exc))
        sys.exit(2)
    for f in paths:
        try:
            rf = read_release(f)
        except SmesimError as exc:
            echo_error(str(exc))
            failed += 1
            continue
        read.append(rf)
        pts = rf.points
        click.echo(
            f"ok {f}: {rf.layout} layout, {len(pts)} points, "
            f"{pts['series'].nunique()} series, years {pts['year'].min()}-"
            f"{pts['year'].max()}, {int((pts['weight'] == 0).sum())} with weight 0"
        )
    if failed:
        sys.exit(2)
    for warning in merge_releases(read).warnings:  # suspicious jumps, in release order
        echo_warning(warning)
