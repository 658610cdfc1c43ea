"""``smesim calibrate``: fit the free parameters to the release data."""

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
    """What the terminal shows of a calibration: data, fit statistics, convergence, drift."""
    ov = result.overall
    files = [display_path(p["file"]) for p in result.provenance]
    agree = start_agreement(result)
    est = result.estimates_table()
    n_id = int((est["identified"] == "identified").sum())
    n_prior = int((est["identified"] == "not identified (prior)").sum())
    lines = [
        f"calibrated {len(result.names)} parameters of profile {result.profile} (seed "
        f"{result.seed}) on {len(files)} release file(s): {', '.join(files)}",
        f"points: {ov['n_fitted']} fitted of {ov['n_points']} ({ov['n_history']} before "
        f"the simulated span, {ov['n_excluded']} with weight 0)",
        f"fit: RMSE {_f(ov['rmse'])}, MAPE {_f(ov['mape'], 2)} %, R² {_f(ov['r2'])}, "
        f"Theil U^M {_f(ov['UM'])} U^S {_f(ov['US'])} U^C {_f(ov['UC'])}, "
        f"reduced chi² {_f(ov['reduced_chi2'])}",
        f"optimiser: {'converged' if result.success else 'no convergence reported'}; "
        f"{agree['n_agree']} of {agree['n_starts']} starts reached the best optimum",
        f"identified: {n_id} of {len(result.names)} parameters; {n_prior} set by their priors",
    ]
    if result.drift is not None:
        fc = result.fit_change or {}
        big = result.drift[np.abs(result.drift["change_se"]) > 2]
        moved = ", ".join(big["parameter"]) if len(big) else "none"
        lines.append(
            f"drift from {display_path(str(result.previous_source))}: RMSE on these data "
            f"{_f(fc.get('old_rmse'))} -> {_f(fc.get('new_rmse'))}; moved by more than "
            f"2 SE: {moved}"
        )
    else:
        lines.append("drift: none reported (no previous parameter set)")
    return lines


def warnings(result: CalibrationResult) -> list[str]:
    """What deserves a warning line: suspicious data, no convergence, disagreeing starts,
    failed tolerances, estimates at a bound, high correlations, notes added by this run."""
    out = list(result.data_warnings)  # suspicious jumps in the releases
    if not result.success:
        out.append(f"the optimiser did not report convergence ({result.message})")
    agree = start_agreement(result)
    if not agree["all_agree"]:
        out.append(
            f"only {agree['n_agree']} of {agree['n_starts']} starts reached the best optimum "
            "(see Convergence in the report)"
        )
    if result.profile == "korea":
        out += [f"tolerance failed: {f}" for f in check_tolerances(result)]
    est = result.estimates_table()
    if est["at_bound"].any():
        out.append("at a bound: " + ", ".join(est.loc[est["at_bound"], "parameter"]))
    for a, b, r in result.high_correlations():
        out.append(f"estimates of {a} and {b} correlated at {r:+.2f}")
    return out


@click.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release file or folder (repeatable, in release order; a folder adds its "
    "*.csv/*.xlsx in file-name order) REPLACING the bundled releases. Default: the "
    "bundled releases of the profile (shipped in the package: smesim/data/releases/<profile>/).",
)
@click.option(
    "--add",
    "add",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Release file or folder (repeatable) added AFTER the bundled releases (or the "
    "--data files): a newer release keeps the paper's points and adds or revises its own.",
)
@options.profile("Country profile to calibrate.")
@options.out_file(
    "Parameter-set file to write; its reports go beside it. Default: "
    "$XDG_DATA_HOME/smesim/params/<profile>.toml (~/.local/share/smesim/params/ when "
    "XDG_DATA_HOME is unset), which every command then uses instead of the bundled set. "
    "Never written into the installed package. An existing file and its reports are "
    "first copied to history/ beside it. Use it elsewhere with --params FILE."
)
@options.seed("Seed of the multi-start design.")
def calibrate(data, add, profile, out, seed):
    """Fit the free parameters to the releases; write the parameter set and the fit report.

    Files go to --out, else to the user data directory
    ($XDG_DATA_HOME/smesim/params/, or ~/.local/share/smesim/params/), never into the
    installed package. A set there is used by every command in place of the bundled one.
    Prints a short summary; the full report (markdown and JSON) is written beside the set.
    """
    files = calibration_data(data, add, profile=profile)
    result = run_calibration(files, profile=profile, out=out, seed=seed)
    paths = write_calibration(result, out)
    for line in summary_lines(result):
        click.echo(line)
    labels = ["parameter set", "full report (markdown)", "full report (JSON)"]
    for i, p in enumerate(paths):
        click.echo(f"wrote {labels[i] if i < 3 else 'archived previous'}: {p}")
    if result.notes:
        click.echo(f"{len(result.notes)} note(s) in the report (Notes)")
    for w in warnings(result):
        click.echo(f"smesim: warning: {w}", err=True)
