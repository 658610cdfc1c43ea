"""``smesim calibrate``: fit the free parameters of every country jointly to the release data."""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np

from smesim.analysis.calibrate import CalibrationResult, calibration_data, check_tolerances
from smesim.cli import options
from smesim.inputs.bundled import display_path
from smesim.report.calibration_report import run_calibration, start_agreement, write_calibration


def _f(x, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if isinstance(x, float | int) and math.isfinite(x) else "n/a"


def summary_lines(result: CalibrationResult) -> list[str]:
    """What the terminal shows of a calibration: data, fit by country, convergence, drift."""
    ov = result.overall
    files = [display_path(p["file"]) for p in result.provenance]
    agree = start_agreement(result)
    est = result.estimates_table()
    n_id = int((est["identified"] == "identified").sum())
    n_prior = int((est["identified"] == "not identified (prior)").sum())
    if result.joint:
        what = (
            f"calibrated {' and '.join(result.countries)} jointly: {len(result.shared)} shared "
            f"parameters, {len(result.names) - len(result.shared)} country parameters"
        )
    elif result.held:
        what = (
            f"calibrated the {len(result.names)} country parameters of {result.profile}, "
            "shared parameters held"
        )
    else:
        what = f"calibrated {len(result.names)} parameters of {result.profile} alone"
    lines = [
        f"{what} (seed {result.seed}) on {len(files)} release file(s): {', '.join(files)}",
        f"points: {ov['n_fitted']} fitted of {ov['n_points']} ({ov['n_history']} before "
        f"the simulated span, {ov['n_excluded']} with weight 0)",
    ]
    for c, bc in result.by_country.items():
        lines.append(
            f"fit {c}: RMSE {_f(bc['rmse'])}, MAPE {_f(bc['mape'], 2)} %, R² {_f(bc['r2'])}, "
            f"Theil U^M {_f(bc['UM'])} U^S {_f(bc['US'])} U^C {_f(bc['UC'])} "
            f"({bc['n_fitted']} points)"
        )
    lines += [
        f"reduced chi² {_f(ov['reduced_chi2'])}; optimiser: "
        f"{'converged' if result.success else 'no convergence reported'}; "
        f"{agree['n_agree']} of {agree['n_starts']} starts reached the best optimum",
        f"identified: {n_id} of {len(result.names)} parameters; {n_prior} set by their priors",
    ]
    if result.drift is not None:
        fc = result.fit_change or {}
        big = result.drift[np.abs(result.drift["change_se"]) > 2]
        moved = ", ".join(sorted(set(big["parameter"]))) if len(big) else "none"
        src = "; ".join(display_path(str(s)) for s in (result.previous_source or {}).values())
        lines.append(
            f"drift from {src}: RMSE on these data {_f(fc.get('old_rmse'))} -> "
            f"{_f(fc.get('new_rmse'))}; moved by more than 2 SE: {moved}"
        )
    else:
        lines.append("drift: none reported (no previous parameter set)")
    return lines


def warnings(result: CalibrationResult) -> list[str]:
    """What deserves a warning line: suspicious data, no convergence, disagreeing starts,
    failed tolerances, estimates at a bound, high correlations, shared-prior conflicts."""
    out = list(result.data_warnings)  # suspicious jumps in the releases
    if not result.success:
        out.append(f"the optimiser did not report convergence ({result.message})")
    agree = start_agreement(result)
    if not agree["all_agree"]:
        out.append(
            f"only {agree['n_agree']} of {agree['n_starts']} starts reached the best optimum "
            "(see Convergence in the report)"
        )
    if "korea" in result.countries:
        out += [f"tolerance failed: korea {f}" for f in check_tolerances(result)]
    est = result.estimates_table()
    if est["at_bound"].any():
        out.append("at a bound: " + ", ".join(est.loc[est["at_bound"], "parameter"]))
    for a, b, r in result.high_correlations():
        out.append(f"estimates of {a} and {b} correlated at {r:+.2f}")
    out += [n for n in result.notes if n.startswith("shared parameter ")]
    return out


@click.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release file or folder (repeatable, in release order; a folder adds its "
    "*.csv/*.xlsx in file-name order) REPLACING the bundled releases of the --profile "
    "country (required with --data). The other countries keep their bundled releases "
    "(shipped in the package: smesim/data/releases/<profile>/).",
)
@click.option(
    "--add",
    "add",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release file or folder (repeatable) of the --profile country (required with "
    "--add), added AFTER its bundled releases (or the --data files): a newer release "
    "keeps the paper's points and adds or revises its own. The fit stays joint.",
)
@click.option(
    "--profile",
    type=click.Choice(options.PROFILES),
    default=None,
    help="The country the --data/--add releases describe. Without --hold-shared the fit "
    "is still joint over every country.",
)
@click.option(
    "--hold-shared",
    is_flag=True,
    help="Fit only the --profile country's own parameters (start states, size structure, "
    "exogenous drivers) and hold the shared behavioural parameters at their current "
    "(joint) estimates; writes only that country's set. Default: refit jointly.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=options.writable_dir,
    help="Directory for the parameter sets (<country>.toml, one per country) and the "
    "fit report (joint.report.md|json). Default: $XDG_DATA_HOME/smesim/params/ "
    "(~/.local/share/smesim/params/ when XDG_DATA_HOME is unset), whose sets every "
    "command then uses instead of the bundled ones. Never the installed package. Files "
    "it replaces are first copied to history/ inside it. Use a set elsewhere with "
    "--params DIR/<country>.toml.",
)
@options.seed("Seed of the multi-start design.")
def calibrate(data, add, profile, hold_shared, out, seed):
    """Fit every country jointly to the releases; write a parameter set per country and the
    fit report.

    One least-squares problem over every country's releases: each behavioural
    parameter takes one value for all countries, each start-year state, size
    structure and exogenous driver one value per country. Writes one parameter
    set per country and one fit report to --out, else to the user data directory
    ($XDG_DATA_HOME/smesim/params/, or ~/.local/share/smesim/params/), never into
    the installed package. Prints a short summary.
    """
    if (data or add) and profile is None:
        raise click.UsageError(
            "--data/--add: name the country the releases describe with --profile "
            f"({' or '.join(options.PROFILES)})"
        )
    if hold_shared and profile is None:
        raise click.UsageError("--hold-shared: name the country to refit with --profile")
    files = calibration_data(data, add, profile=profile)
    result = run_calibration(
        files,
        profile=profile if hold_shared else None,
        hold_shared=hold_shared,
        out=out,
        seed=seed,
    )
    paths = write_calibration(result, out)
    for line in summary_lines(result):
        click.echo(line)
    n_sets = len(result.countries)
    labels = ["parameter set"] * n_sets + ["full report (markdown)", "full report (JSON)"]
    for i, p in enumerate(paths):
        click.echo(f"wrote {labels[i] if i < len(labels) else 'archived previous'}: {p}")
    if result.notes:
        click.echo(f"{len(result.notes)} note(s) in the report (Notes)")
    for w in warnings(result):
        click.echo(f"smesim: warning: {w}", err=True)
