"""``smesim ensemble``: percentile bands and P(beats baseline) under parameter uncertainty."""

from __future__ import annotations

from pathlib import Path

import click

from smesim.analysis.ensemble import band_summary, run_ensemble, write_ensemble
from smesim.cli import options
from smesim.cli.progress import progress
from smesim.model.horizon import DEFAULT_END_YEAR
from smesim.model.outputs import HEADLINE


@click.command()
@click.argument("scenarios", nargs=-1, required=True)
@options.runs("Parameter draws (every scenario runs on each).", default=1000)
@options.seed("Seed of the draws.")
@options.out_dir(Path("out/ensemble"))
@click.option(
    "--ranges",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML file of declared ranges of assumed parameters.",
)
@click.option(
    "--no-assumed",
    is_flag=True,
    help="Hold the assumed parameters at their values (default: each one with a "
    "declared range is sampled uniformly over it); for comparison.",
)
@click.option(
    "--point",
    is_flag=True,
    help="Every run at the point estimate (no uncertainty): reproduces `smesim run`.",
)
@options.until(f"Last year (default {DEFAULT_END_YEAR}).")
@click.option(
    "--batch",
    "batch_runs",
    type=click.IntRange(1, None),
    default=None,
    help="Runs integrated at once (memory bound; default: about 384 MB of "
    "outputs, 4,096-16,384 runs; results do not depend on it).",
)
@options.workers()
@options.scheduler()
@options.quiet()
@options.params()
@options.profile()
def ensemble(
    scenarios,
    runs,
    seed,
    out_dir,
    ranges,
    no_assumed,
    point,
    until,
    batch_runs,
    workers,
    scheduler,
    quiet,
    params_file,
    profile,
):
    """Percentile bands of every series and P(beats baseline) for SCENARIOS.

    Samples every uncertain parameter: the estimated ones from their joint
    uncertainty (the calibration's covariance, or the registry priors without
    one) and every assumed one with a declared range uniformly over it
    (--ranges FILE overrides ranges; --no-assumed holds the assumed ones).
    Runs every scenario and the baseline on each draw, and writes
    OUT/bands.csv, OUT/probabilities.csv and OUT/manifest.json (which lists
    every sampled and every held parameter, and the unimodality of each
    series in each reporting year).
    """
    with progress(runs, "ensemble runs", quiet) as update:
        result = run_ensemble(
            list(scenarios),
            runs,
            seed=seed,
            profile=profile,
            until=until,
            ranges=ranges,
            sample="point" if point else "joint",
            batch_runs=batch_runs,
            workers=workers,
            scheduler=scheduler,
            progress=update,
            params_file=params_file,
            assumed=not no_assumed,
        )
    paths = write_ensemble(result, out_dir)
    meta = result.meta
    unc = meta["uncertainty"] or {}
    click.echo(
        f"{meta['runs_used']} runs x {len(scenarios)} scenario(s) + baseline "
        f"(seed {seed}; uncertainty: {unc.get('joint_normal', {}).get('source', 'none')})"
    )
    if unc:
        sampled = unc["sampled"].values()
        n_joint = sum(1 for d in sampled if d["distribution"].startswith("normal, joint"))
        click.echo(
            f"sampled {len(unc['sampled'])} parameters ({n_joint} estimated, jointly; "
            f"{len(unc['sampled']) - n_joint} with independent ranges"
            f"{'' if unc['assumed_sampling'] else '; assumed ones held: --no-assumed'}); "
            f"held {len(unc['held'])} (listed in the manifest)"
        )
        for name, d in unc["held"].items():
            if "outside the declared range" in d["reason"]:
                click.echo(f"held {name}: {d['reason']}")
    if meta["non_finite_runs"]:
        click.echo(f"excluded {meta['non_finite_runs']} run(s) with non-finite outputs")
    if len(result.bands):
        click.echo("Median [5-95 % band]:")
        click.echo(band_summary(result).to_string())
    shape = result.modality()
    if len(shape):
        year = max(shape["year"])
        sel = shape[(shape["year"] == year) & shape["series"].isin(HEADLINE)]
        click.echo(f"Shape in {year} (width of the 5-95 % band; unimodal: one mode, see manifest):")
        table = sel.assign(unimodal=sel["unimodal"].map({True: "yes", False: "NO"}))
        table = table.set_index(["scenario", "series"])[["width_p5_p95", "modes", "unimodal"]]
        click.echo(table.round(2).to_string())
    probs = result.probabilities
    if len(probs):
        table = probs.pivot_table(
            index=["scenario", "index"], columns="year", values="p_beats_baseline"
        )
        click.echo("P(beats baseline):")
        click.echo(table.round(3).to_string())
    for p in paths:
        click.echo(f"wrote {p}")
