"""The calibration fit report (markdown, JSON) and writing a calibration's files.

:func:`run_calibration` loads the releases, reads the parameter set about to
be replaced (for drift) and fits; :func:`write_calibration` archives the old
parameter set and its reports to ``history/`` beside it and writes the new
set and its reports atomically.  Files of one calibration, in the folder of
``out`` (by default ``<user data dir>/params/``, :func:`smesim.inputs.bundled.user_data_dir`:
``$XDG_DATA_HOME/smesim`` or ``~/.local/share/smesim``; never the package)::

    <profile>.toml           the parameter set (provenance in [meta])
    <profile>.report.md      the fit report
    <profile>.report.json    the same, machine-readable
    history/<profile>-<UTC timestamp>.toml (+ reports)  superseded sets
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from smesim._version import __version__
from smesim.analysis.calibrate import (
    CORRELATION_WARNING,
    NOMINAL_SE_PCT,
    CalibrationResult,
    calibrate,
    check_tolerances,
)
from smesim.errors import CalibrationError, SmesimError
from smesim.inputs.data import load_releases
from smesim.inputs.paramfile import read_parameter_file, write_parameter_file
from smesim.inputs.profiles import get_profile
from smesim.io import atomic_write, dump_json, now_iso
from smesim.model.horizon import START_YEAR

#: Starts whose end cost is within this relative tolerance of the best agree.
_AGREE_RTOL = 1e-6


def _f(x, nd=3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float | np.floating):
        return f"{x:.{nd}f}"
    return str(x)


def _md_table(df: pd.DataFrame, nd: int = 3) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_f(v, nd) for v in row) + " |")
    return "\n".join(lines)


def start_agreement(result: CalibrationResult) -> dict:
    """Do the starts end at the same optimum? (max end-point distance in prior sd)."""
    best = min(result.starts, key=lambda s: s.cost)
    rows = []
    for s in result.starts:
        rows.append(
            {
                "start": s.label,
                "end_cost": s.cost,
                "max_distance_prior_sd": float(np.max(np.abs(s.z - best.z))),
                "success": s.success,
                "evaluations": s.nfev,
            }
        )
    agree = [
        abs(r["end_cost"] - best.cost) <= _AGREE_RTOL * max(best.cost, 1e-12)
        and r["max_distance_prior_sd"] < 0.01
        for r in rows
    ]
    return {
        "starts": rows,
        "n_agree": int(sum(agree)),
        "n_starts": len(rows),
        "all_agree": all(agree),
    }


def file_usage(result: CalibrationResult) -> pd.DataFrame:
    """Per release file: points given, superseded by later releases, fitted, not fitted."""
    res = result.residuals
    rows = []
    for prov in result.provenance:
        mine = res[res["file"] == prov["file"]]
        rows.append(
            {
                "file": prov["file"],
                "sha256": prov["sha256"][:16],
                "layout": prov["layout"],
                "points": prov["points"],
                "superseded": prov["superseded"],
                "fitted": int((mine["status"] == "fitted").sum()),
                "not fitted": int((mine["status"] != "fitted").sum()),
            }
        )
    return pd.DataFrame(rows)


def changes_table(result: CalibrationResult) -> pd.DataFrame:
    """Change between the first and last in-span data year of each series: data vs model."""
    t = result.residuals[result.residuals["year"] >= START_YEAR]
    rows = []
    for sid, g in t.groupby("series", sort=True):
        if len(g) < 2:
            continue
        g = g.sort_values("year")
        a, b = g.iloc[0], g.iloc[-1]
        rows.append(
            {
                "series": sid,
                "from": int(a["year"]),
                "to": int(b["year"]),
                "data_change": b["data"] - a["data"],
                "model_change": b["model"] - a["model"],
                "points_fitted": bool((g["status"] == "fitted").all()),
            }
        )
    return pd.DataFrame(rows)


def to_dict(result: CalibrationResult) -> dict:
    """Everything in the report, JSON-ready."""
    est = result.estimates_table()
    out = {
        "profile": result.profile,
        "created": now_iso(),
        "smesim_version": __version__,
        "method": result.method,
        "seed": result.seed,
        "nominal_se_pct": NOMINAL_SE_PCT,
        "data_files": result.provenance,
        "data_file_usage": file_usage(result).drop(columns="sha256").to_dict("records"),
        "convergence": {
            "success": result.success,
            "message": result.message,
            "evaluations": result.nfev,
            "jacobian_evaluations": result.njev,
            "cost": result.cost,
            "data_cost": result.data_cost,
            "prior_cost": result.prior_cost,
            **start_agreement(result),
        },
        "estimates": est.to_dict("records"),
        "correlation": {"names": result.names, "matrix": result.correlation},
        "covariance": {"names": result.names, "matrix": result.covariance},
        "high_correlations": [{"a": a, "b": b, "r": r} for a, b, r in result.high_correlations()],
        "identifiability": result.identifiability,
        "fit": {"overall": result.overall, "by_series": result.series_stats.to_dict("records")},
        "changes": changes_table(result).to_dict("records"),
        "residuals": result.residuals.to_dict("records"),
        "replaced": result.replaced.to_dict("records"),
        "timing": result.timing,
        "notes": result.notes,
    }
    if result.profile == "korea":
        out["tolerance_failures"] = check_tolerances(result)
    if result.drift is not None:
        out["drift"] = {
            "previous": result.previous_source,
            "parameters": result.drift.to_dict("records"),
            "fit_change": {
                k: v for k, v in (result.fit_change or {}).items() if k != "old_residuals"
            },
        }
    return _clean(out)


def _clean(o):
    """NaN/inf -> None (valid JSON), numpy -> Python."""
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, np.ndarray):
        return _clean(o.tolist())
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def render_markdown(result: CalibrationResult) -> str:
    """The fit report as markdown (also what ``smesim calibrate`` prints)."""
    r = result
    ov = r.overall
    agree = start_agreement(r)
    md = [f"# Calibration report: {r.profile}", ""]
    md.append(f"smesim {__version__}, {now_iso()}; seed {r.seed}")
    md.append("")
    md.append(f"Method: {r.method}.")
    md.append("")
    md.append("## Data")
    md.append("")
    md.append(_md_table(file_usage(r)))
    md.append("")
    for prov in r.provenance:
        if prov.get("ignored_columns"):
            md.append(f"{prov['file']}: columns not read: {', '.join(prov['ignored_columns'])}.")
            md.append("")
    md.append(
        "points = values the file gives; superseded = replaced by a later release; "
        "fitted / not fitted = its values in the merged data (sha256: first 16 hex "
        "digits; the full hashes are in the parameter file)."
    )
    md.append("")
    md.append(
        f"{ov['n_points']} points: {ov['n_fitted']} fitted, {ov['n_history']} before "
        f"{START_YEAR} (outside the simulated span, not fitted; kept for history), "
        f"{ov['n_excluded']} with weight 0 (reported, not fitted)."
    )
    md.append("")
    if len(r.replaced):
        md.append(f"Values replaced by later releases ({len(r.replaced)}):")
        md.append("")
        md.append(_md_table(r.replaced, 2))
    else:
        md.append("Values replaced by later releases: none.")
    md.append("")
    md.append("## Convergence")
    md.append("")
    md.append(
        f"success: {r.success}; message: {r.message}; cost {r.cost:.4f} "
        f"(data {r.data_cost:.4f} + priors {r.prior_cost:.4f}); "
        f"{r.nfev} evaluations, {r.njev} Jacobians over {len(r.starts)} starts; "
        f"{r.timing.get('total_s', float('nan')):.2f} s."
    )
    md.append("")
    md.append(_md_table(pd.DataFrame(agree["starts"]), 4))
    md.append("")
    md.append(
        f"{agree['n_agree']} of {agree['n_starts']} starts reached the best optimum "
        f"(end cost within {_AGREE_RTOL:g} relative, parameters within 0.01 prior sd)"
        + ("." if agree["all_agree"] else ": the result depends on the start; see the table.")
    )
    md.append("")
    md.append("## Estimates")
    md.append("")
    est = r.estimates_table()
    tab = pd.DataFrame(
        {
            "#": range(1, len(est) + 1),
            "parameter": est["parameter"],
            "estimate": est["estimate"],
            "SE": est["se"],
            "95% interval": [
                f"[{a:.3f}, {b:.3f}]"
                for a, b in zip(est["ci95_low"], est["ci95_high"], strict=True)
            ],
            "prior": [f"{a:g} ± {b:g}" for a, b in zip(est["prior"], est["prior_sd"], strict=True)],
            "post/prior sd": est["post_prior_sd_ratio"],
            "identified": est["identified"],
            "unit": est["unit"],
        }
    )
    md.append(_md_table(tab))
    md.append("")
    if est["at_bound"].any():
        md.append(
            "At a bound (interval not meaningful): "
            + ", ".join(est.loc[est["at_bound"], "parameter"])
            + "."
        )
        md.append("")
    md.append("## Identifiability")
    md.append("")
    ident = r.identifiability
    md.append(ident["statement"])
    md.append("")
    md.append(
        "Set by their priors (the data barely move them): "
        + (", ".join(ident["not_identified"]) or "none")
        + "."
    )
    md.append("")
    md.append(
        "Best-determined combinations (right singular vectors of the data Jacobian, "
        "largest loadings):"
    )
    md.append("")
    for d in ident["directions"][:3]:
        combo = " ".join(f"{v:+.2f}·{k}" for k, v in d["loadings"].items())
        md.append(f"- singular value {d['singular_value']:.3g}: {combo}")
    md.append("")
    md.append(
        "Singular values of the data Jacobian (prior-sd units): "
        + ", ".join(f"{s:.3g}" for s in ident["singular_values"])
        + "."
    )
    md.append("")
    md.append("## Correlations")
    md.append("")
    high = r.high_correlations()
    if high:
        for a, b, c in high:
            md.append(f"- WARNING |r| > {CORRELATION_WARNING}: {a} ~ {b}: r = {c:+.3f}")
    else:
        md.append(f"No pair of estimates correlated above |{CORRELATION_WARNING}|.")
    md.append("")
    corr = pd.DataFrame(r.correlation, columns=[str(i) for i in range(1, len(r.names) + 1)])
    corr.insert(0, "#", range(1, len(r.names) + 1))
    md.append(_md_table(corr, 2))
    md.append("")
    md.append("## Fit by series (fitted points, unweighted)")
    md.append("")
    st = r.series_stats.rename(
        columns={
            "rmse": "RMSE",
            "mape": "MAPE %",
            "r2": "R²",
            "UM": "U^M",
            "US": "U^S",
            "UC": "U^C",
        }
    )
    md.append(_md_table(st))
    md.append("")
    md.append(
        f"Overall: n {ov['n']}, RMSE {ov['rmse']:.3f}, MAPE {ov['mape']:.2f} %, "
        f"R² {_f(ov['r2'])}, Theil U^M {_f(ov['UM'])}, U^S {_f(ov['US'])}, "
        f"U^C {_f(ov['UC'])}; chi² {ov['chi2']:.3f} at nominal SE "
        f"{NOMINAL_SE_PCT:g} pp, effective parameters {ov['effective_parameters']:.2f}, "
        f"reduced chi² {_f(ov['reduced_chi2'])}. R² needs two or more points with "
        "different values; with one point U^M = 1 by definition."
    )
    md.append("")
    rc = ov["reduced_chi2"]
    if isinstance(rc, float) and math.isfinite(rc):
        md.append(
            f"Standard errors assume the nominal {NOMINAL_SE_PCT:g} pp error of a "
            "published share; the residuals are "
            + (
                "smaller than that (reduced chi² < 1), so the SEs are conservative."
                if rc < 1
                else f"larger than that (reduced chi² > 1): multiply the SEs by "
                f"{math.sqrt(rc):.2f} for the scale the residuals imply."
            )
        )
    md.append("")
    ch = changes_table(r)
    if len(ch):
        md.append("## Changes (first to last data year)")
        md.append("")
        md.append(_md_table(ch, 2))
        md.append("")
    md.append("## Residuals (model − data)")
    md.append("")
    res = r.residuals[["series", "year", "data", "model", "residual", "weight", "status"]]
    md.append(_md_table(res, 3))
    md.append("")
    if r.profile == "korea":
        fails = check_tolerances(r)
        md.append("## Behaviour-reproduction tolerances (issue 3)")
        md.append("")
        md.append("All hold." if not fails else "FAILED: " + "; ".join(fails))
        md.append("")
    if r.drift is not None:
        fc = r.fit_change or {}
        md.append("## Drift from the previous parameter set")
        md.append("")
        md.append(f"Previous: {r.previous_source}. Change in units of the new SE.")
        md.append("")
        md.append(_md_table(r.drift.rename(columns={"change_se": "change / SE"}), 3))
        md.append("")
        big = r.drift[np.abs(r.drift["change_se"]) > 2]
        md.append(
            ("Moved by more than 2 SE: " + ", ".join(big["parameter"]) + ".")
            if len(big)
            else "No parameter moved by more than 2 SE."
        )
        md.append("")
        md.append(
            f"Fit on the current data: RMSE {fc.get('old_rmse', float('nan')):.3f} "
            f"(previous set) -> {fc.get('new_rmse', float('nan')):.3f} (new); data cost "
            f"{fc.get('old_data_cost', float('nan')):.4f} -> "
            f"{fc.get('new_data_cost', float('nan')):.4f}."
        )
        md.append("")
    if r.notes:
        md.append("## Notes")
        md.append("")
        md.extend(f"- {n}" for n in r.notes)
        md.append("")
    return "\n".join(md)


# ---------------------------------------------------------------------------
# running and writing
# ---------------------------------------------------------------------------


def report_paths(out: Path) -> tuple[Path, Path]:
    out = Path(out)
    return out.with_name(out.stem + ".report.md"), out.with_name(out.stem + ".report.json")


def read_previous(out: Path, profile: str):
    """The parameter set at ``out`` (None if absent) and a note if it is unreadable."""
    out = Path(out)
    if not out.exists():
        return None, None
    try:
        return read_parameter_file(out, base=get_profile(profile).default_parameter_set()), None
    except SmesimError as exc:
        return None, f"previous parameter set unreadable, no drift report ({exc})"


def run_calibration(
    data: Iterable[str | Path] | None = None,
    *,
    profile: str = "korea",
    out: str | Path | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> CalibrationResult:
    """Load the releases, read the set at ``out`` (for drift) and calibrate.

    ``data`` = release files / folders in release order, or None for the
    bundled releases of ``profile``.  Drift is reported against the set at
    ``out`` when given, else against the set in use (the user's own calibration
    if there is one, else the bundled set).
    """
    prof = get_profile(profile)
    previous_file = Path(out) if out is not None else prof.params_file
    data = list(data) if data else None
    releases = load_releases(data, profile=profile)
    previous, note = read_previous(previous_file, profile)
    result = calibrate(releases, profile=profile, seed=seed, previous=previous, progress=progress)
    if note:
        result.notes.append(note)
    return result


def parameter_file_meta(result: CalibrationResult) -> dict:
    ov = result.overall
    return {
        "profile": result.profile,
        "created": now_iso(),
        "smesim_version": __version__,
        "method": result.method,
        "seed": result.seed,
        "data_files": result.provenance,
        "free_parameters": result.names,
        "fit": {
            "success": result.success,
            "message": result.message,
            "cost": result.cost,
            "rmse": ov["rmse"],
            "n_fitted": ov["n_fitted"],
            "n_points": ov["n_points"],
        },
    }


def write_calibration(result: CalibrationResult, out: str | Path | None = None) -> list[Path]:
    """Archive the existing set at ``out`` (and its reports), then write the new ones.

    ``out`` defaults to the user's data directory, ``<user data dir>/params/<profile>.toml``
    (:attr:`smesim.inputs.profiles.Profile.user_params_file`); smesim never writes into
    the installed package.  The old files are copied to
    ``<out dir>/history/<stem>-<UTC timestamp><suffix>`` before anything is replaced;
    every file is written atomically.

    Returns
    -------
    list of Path
        Written files: parameter set, markdown report, JSON report, then archived copies.
    """
    out = Path(out) if out is not None else get_profile(result.profile).user_params_file
    try:
        return _write_calibration(result, out)
    except OSError as exc:
        raise CalibrationError(
            f"{exc.filename or out}: cannot write ({exc.strerror or exc})"
        ) from None


def _write_calibration(result: CalibrationResult, out: Path) -> list[Path]:
    md_path, json_path = report_paths(out)
    archived = []
    if out.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        hist = out.parent / "history"
        for src in (out, md_path, json_path):
            if src.exists():
                dest = hist / f"{out.stem}-{stamp}{src.name[len(out.stem) :]}"
                atomic_write(dest, src.read_bytes())
                archived.append(dest)
    params = dict(zip(result.names, map(float, result.estimates), strict=True))
    write_parameter_file(
        out,
        params,
        meta=parameter_file_meta(result),
        standard_errors=dict(zip(result.names, map(float, result.standard_errors), strict=True)),
        covariance=(result.names, result.covariance),
    )
    atomic_write(md_path, render_markdown(result) + "\n")
    atomic_write(json_path, dump_json(to_dict(result)))
    return [out, md_path, json_path, *archived]


__all__ = [
    "changes_table",
    "file_usage",
    "read_previous",
    "render_markdown",
    "report_paths",
    "run_calibration",
    "start_agreement",
    "to_dict",
    "write_calibration",
]
