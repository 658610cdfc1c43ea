"""``smesim compare``: scenarios against the baseline, as tables."""

from __future__ import annotations

from pathlib import Path

import click

from smesim.analysis.compare import (
    TABLE_FORMATS,
    compare_scenarios,
    format_table,
    parse_years,
    write_comparison,
)
from smesim.cli import options
from smesim.report.brief import default_scenarios, table_text


@click.command()
@click.argument("scenarios", nargs=-1)
@options.years(shown=True)
@options.target()
@options.no_baseline()
@options.out_dir(Path("comparison"))
@options.ensemble_dir()
@options.runs("Run an ensemble of N parameter draws for uncertainty.", default=None)
@options.seed("Seed of the ensemble draws (with --runs).")
@options.table_format(
    TABLE_FORMATS,
    "Table format: csv, or xlsx (comparison.xlsx: levels, differences, targets, lever "
    "changes, scenarios and the manifest, one sheet each, in place of the CSV files).",
)
@options.params()
@options.profile()
@options.lang("Language of the printed table and of the files' headers (Korean: *_ko files).")
def compare(
    scenarios,
    years,
    targets,
    no_baseline,
    out_dir,
    ensemble_dir,
    runs,
    seed,
    fmt,
    params_file,
    profile,
    lang,
):
    """Compare SCENARIOS (paths or bundled names; default: all bundled) with the baseline.

    Writes comparison.csv (or comparison.xlsx), comparison.md and comparison.json
    (and targets.csv) to --out, and prints the headline series and coexistence indices.
    With --lang ko the files are comparison_ko.* with Korean headers; the CSVs keep
    the scenario and series id columns and add Korean label columns.
    """
    comp = compare_scenarios(
        list(scenarios) or default_scenarios(),
        years=parse_years(years),
        targets=targets,
        include_baseline=not no_baseline,
        profile=profile,
        ensemble_dir=ensemble_dir,
        runs=runs,
        seed=seed,
        params_file=params_file,
    )
    text = table_text(lang)
    paths = write_comparison(out_dir, comp, fmt, text)
    click.echo(format_table(comp, text=text))
    for p in paths:
        click.echo(f"wrote {p}")
