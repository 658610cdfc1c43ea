"""Command line: ``smesim``.  Each command parses, calls one library function, writes.

Bad input (any :class:`~smesim.errors.SmesimError`) becomes one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smesim import __version__
from smesim.errors import SmesimError
from smesim.model.horizon import MAX_END_YEAR, START_YEAR


def _fail(message: str) -> None:
    click.echo(f"smesim: error: {message}", err=True)
    sys.exit(2)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SmesimError as exc:
            _fail(str(exc))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smesim")
def cli() -> None:
    """smesim: SME / large-firm divergence in Korea, and the policies that could reverse it."""


_profile_opt = click.option(
    "--profile",
    type=click.Choice(["korea", "japan"]),
    default="korea",
    show_default=True,
    help="Country profile (data, parameters).",
)


@cli.command()
@click.argument("scenario", required=False)
@click.option(
    "--until",
    type=click.IntRange(START_YEAR + 1, MAX_END_YEAR),
    default=None,
    help="Last year to simulate (default: the scenario's horizon, else 2060).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output directory.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@_profile_opt
def run(scenario, until, out_dir, fmt, profile):
    """Run SCENARIO (a path or a bundled name; default: baseline) and write its outputs."""
    from smesim.analysis.run import run_scenario, summary_table, write_run

    sc, result = run_scenario(scenario, until=until, profile=profile)
    paths = write_run(out_dir, sc, result, fmt)
    click.echo(f"{sc.name} ({profile}; parameters: {result.meta['parameter_source']})")
    click.echo(summary_table(result).to_string())
    for p in paths:
        click.echo(f"wrote {p}")


@cli.command()
def levers():
    """List every policy lever: id, unit, range, baseline, source, description."""
    from smesim.model.levers import LEVERS

    for lv in LEVERS:
        click.echo(
            f"{lv.id}\n  unit: {lv.unit}; range: [{lv.lower:g}, {lv.upper:g}]; "
            f"baseline (Korea): {lv.baseline:g}\n  source: {lv.source}\n"
            f"  {lv.description}\n"
        )


@cli.command()
@click.argument("files", nargs=-1, required=True)
def validate(files):
    """Check scenario FILES (paths or bundled names) without running them."""
    from smesim.inputs.scenario import load_scenario

    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
        except SmesimError as exc:
            click.echo(f"smesim: error: {exc}", err=True)
            failed += 1
            continue
        set_levers = ", ".join(lid for lid, _ in sc.lever_table()) or "none"
        click.echo(f"ok {sc.path}: {sc.name} (levers set: {set_levers})")
    if failed:
        sys.exit(2)


# ---- commands defined in their own modules (one line each; keep this block sorted) ----
# (helpers add: `from .cli_<x> import <command>` + `cli.add_command(<command>)`)
from smesim.cli.calibrate import calibrate, data_group  # noqa: E402
from smesim.cli.compare import brief, compare  # noqa: E402
from smesim.cli.ensemble import ensemble, sensitivity  # noqa: E402
from smesim.cli.export import check, doc, export  # noqa: E402

cli.add_command(brief)
cli.add_command(calibrate)
cli.add_command(check)
cli.add_command(compare)
cli.add_command(data_group)
cli.add_command(doc)
cli.add_command(ensemble)
cli.add_command(export)
cli.add_command(sensitivity)


def main() -> None:
    cli(prog_name="smesim")


if __name__ == "__main__":
    main()
