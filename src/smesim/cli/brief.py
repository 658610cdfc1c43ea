"""``smesim brief``: the briefing pack (tables, charts, one PDF)."""

from __future__ import annotations

from pathlib import Path

import click

from smesim.analysis.compare import format_table, parse_years
from smesim.cli import options
from smesim.model.outputs import HEADLINE
from smesim.report.brief import DEFAULT_DPI, FORMATS, SLIDE_INCHES, make_brief, table_text


@click.command()
@click.argument("scenarios", nargs=-1)
@options.out_dir(Path("briefing"))
@options.lang()
@click.option(
    "--format",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    help=f"Comma-separated subset of {', '.join(FORMATS)}.",
)
@click.option(
    "--dpi",
    type=click.IntRange(72, 600),
    default=DEFAULT_DPI,
    show_default=True,
    help=f"PNG resolution (pages are {SLIDE_INCHES[0]:g} x {SLIDE_INCHES[1]:g} in, 16:9).",
)
@click.option(
    "--releases",
    "releases",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release data files or folders for the history pages (repeatable; "
    "default: the profile's bundled releases).",
)
@options.years(shown=True)
@options.target()
@options.no_baseline()
@options.ensemble_dir()
@options.runs("Run an ensemble of N parameter draws for uncertainty.", default=None)
@options.seed("Seed of the ensemble draws (with --runs).")
@click.option(
    "--sensitivity",
    "sensitivity_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Saved sensitivity result (smesim sensitivity --out DIR): adds its chart page.",
)
@options.params()
@options.profile()
def brief(
    scenarios,
    out_dir,
    lang,
    formats,
    dpi,
    releases,
    years,
    targets,
    no_baseline,
    ensemble_dir,
    runs,
    seed,
    sensitivity_dir,
    params_file,
    profile,
):
    """Write a briefing pack for SCENARIOS (default: every bundled scenario).

    Comparison tables (CSV, markdown, JSON), one PNG and SVG per chart and a
    multi-page PDF, in --out.
    """
    result = make_brief(
        list(scenarios),
        out_dir,
        lang=lang,
        formats=formats,
        years=parse_years(years),
        targets=targets,
        include_baseline=not no_baseline,
        profile=profile,
        releases=list(releases) or None,
        ensemble_dir=ensemble_dir,
        runs=runs,
        seed=seed,
        dpi=dpi,
        sensitivity_dir=sensitivity_dir,
        params_file=params_file,
    )
    click.echo(format_table(result.comparison, series=HEADLINE, text=table_text(lang)))
    for p in result.files:
        click.echo(f"wrote {p}")
    click.echo(
        f"briefing pack for {', '.join(result.comparison.names)} "
        f"({len(result.pages)} pages, {lang}) in {out_dir}"
    )
