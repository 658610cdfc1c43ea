"""``smesim compare`` and ``smesim brief``: parse options, call one library function, write."""

from __future__ import annotations

from pathlib import Path

import click

_PROFILE = click.option(
    "--profile",
    type=click.Choice(["korea", "japan"]),
    default="korea",
    show_default=True,
    help="Country profile (data, parameters).",
)
_YEARS = click.option(
    "--years",
    "years",
    default="2030,2040,2060",
    show_default=True,
    help="Comma-separated reporting years.",
)
_TARGET = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="SERIES=VALUE",
    help="Report the year SERIES first reaches VALUE (repeatable). "
    "SERIES>=VALUE: from below; SERIES<=VALUE: from above; "
    "SERIES=VALUE: direction from the 2012 value. Quote > and <.",
)
_NO_BASELINE = click.option(
    "--no-baseline",
    is_flag=True,
    help="Do not add the baseline; differences are then taken from the first scenario given.",
)
_ENSEMBLE = click.option(
    "--ensemble",
    "ensemble_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Saved ensemble result (bands.csv, probabilities.csv) for uncertainty.",
)
_RUNS = click.option(
    "--runs",
    type=click.IntRange(min=2),
    default=None,
    help="Run an ensemble of N parameter draws for uncertainty.",
)
_SEED = click.option(
    "--seed",
    type=click.IntRange(0, None),
    default=0,
    show_default=True,
    help="Seed of the ensemble draws (with --runs).",
)


@click.command()
@click.argument("scenarios", nargs=-1)
@_YEARS
@_TARGET
@_NO_BASELINE
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("comparison"),
    show_default=True,
    help="Output directory.",
)
@_ENSEMBLE
@_RUNS
@_SEED
@_PROFILE
def compare(scenarios, years, targets, no_baseline, out_dir, ensemble_dir, runs, seed, profile):
    """Compare SCENARIOS (paths or bundled names; default: all bundled) with the baseline.

    Writes comparison.csv, comparison.md and comparison.json (and targets.csv)
    to --out, and prints the headline series and coexistence indices.
    """
    from smesim.analysis.compare import (
        compare_scenarios,
        format_table,
        parse_years,
        write_comparison,
    )
    from smesim.report.brief import default_scenarios

    comp = compare_scenarios(
        list(scenarios) or default_scenarios(),
        years=parse_years(years),
        targets=targets,
        include_baseline=not no_baseline,
        profile=profile,
        ensemble_dir=ensemble_dir,
        runs=runs,
        seed=seed,
    )
    paths = write_comparison(out_dir, comp)
    click.echo(format_table(comp))
    for p in paths:
        click.echo(f"wrote {p}")


@click.command()
@click.argument("scenarios", nargs=-1)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("briefing"),
    show_default=True,
    help="Output directory.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ko"]),
    default="en",
    show_default=True,
    help="Language of titles, labels and legends.",
)
@click.option(
    "--format",
    "formats",
    default="png,svg,pdf",
    show_default=True,
    help="Comma-separated subset of png, svg, pdf.",
)
@click.option(
    "--dpi",
    type=click.IntRange(72, 600),
    default=200,
    show_default=True,
    help="PNG resolution (pages are 12.8 x 7.2 in, 16:9).",
)
@click.option(
    "--releases",
    "releases",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release data files or folders for the history pages (repeatable; "
    "default: the profile's bundled releases).",
)
@_YEARS
@_TARGET
@_NO_BASELINE
@_ENSEMBLE
@_RUNS
@_SEED
@click.option(
    "--sensitivity",
    "sensitivity_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Saved sensitivity result (smesim sensitivity --out DIR): adds its chart page.",
)
@_PROFILE
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
    profile,
):
    """Write a briefing pack for SCENARIOS (default: every bundled scenario).

    Comparison tables (CSV, markdown, JSON), one PNG and SVG per chart and a
    multi-page PDF, in --out.
    """
    from smesim.analysis.compare import format_table, parse_years
    from smesim.model.outputs import HEADLINE
    from smesim.report.brief import make_brief

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
    )
    click.echo(format_table(result.comparison, series=HEADLINE))
    for p in result.files:
        click.echo(f"wrote {p}")
    click.echo(
        f"briefing pack for {', '.join(result.comparison.names)} "
        f"({len(result.pages)} pages, {lang}) in {out_dir}"
    )
