"""The calibration fit report (markdown, JSON) and writing a calibration's files.

:func:`run_calibration` loads each country's releases, reads the parameter
sets about to be replaced (for drift) and fits; :func:`write_calibration`
archives what it replaces to ``history/`` and writes the new files
atomically.  Files of one calibration, in the directory ``out`` (by default
``<user data dir>/params/``, :func:`smesim.inputs.bundled.user_data_dir`:
``$XDG_DATA_HOME/smesim`` or ``~/.local/share/smesim``; never the package)::

    korea.toml, japan.toml   one parameter set per country (provenance in [meta]:
                             joint fit, shared parameters, both countries' data files)
    joint.report.md|.json    the fit report of a joint fit (<country>.report.* for a
                             one-country fit)
    history/<name>-<UTC timestamp>.<suffix>   superseded files

Every file is formatted before the first one is written, so a failure leaves
the old files in place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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
from smesim.inputs.bundled import user_data_dir
from smesim.inputs.data import load_releases
from smesim.inputs.paramfile import format_parameter_file, read_parameter_file
from smesim.inputs.profiles import get_profile, profile_names
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
        mine = res[(res["file"] == prov["file"]) & (res["country"] == prov.get("profile"))]
        rows.append(
            {
                "country": prov.get("profile", ""),
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
    """Change over every interval between consecutive data years of a series, by
    country: data against model (e.g. Table 6's 2007-2012 and 2012-2017).

    Intervals that start before the simulated span have no model change (NaN);
    ``fitted`` says whether both ends are fitted points.
    """
    t = result.residuals
    rows = []
    for (country, sid), g in t.groupby(["country", "series"], sort=False):
        g = g.sort_values("year")
        for (_, a), (_, b) in zip(g.iloc[:-1].iterrows(), g.iloc[1:].iterrows(), strict=True):
            rows.append(
                {
                    "country": country,
                    "series": sid,
                    "from": int(a["year"]),
                    "to": int(b["year"]),
                    "data_change": b["data"] - a["data"],
                    "model_change": b["model"] - a["model"],
                    "fitted": bool(a["status"] == "fitted" and b["status"] == "fitted"),
                }
            )
    cols = ["country", "series", "from", "to", "data_change", "model_change", "fitted"]
    return pd.DataFrame(rows, columns=cols)


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


def to_dict(result: CalibrationResult) -> dict:
    """Everything in the report, JSON-ready."""
    est = result.estimates_table()
    out = {
        "profile": result.profile,
        "countries": result.countries,
        "joint": result.joint,
        "shared_parameters": result.shared if result.joint else [],
        "held_shared": result.held,
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
        "fit": {
            "overall": result.overall,
            "by_country": result.by_country,
            "by_series": result.series_stats.to_dict("records"),
        },
        "changes": changes_table(result).to_dict("records"),
        "residuals": result.residuals.to_dict("records"),
        "replaced": result.replaced.to_dict("records"),
        "timing": result.timing,
        "notes": result.notes,
    }
    if "korea" in result.countries:
        out["tolerance_failures"] = check_tolerances(result)
    if result.drift is not None:
        fc = dict(result.fit_change or {})
        fc["by_country"] = {
            c: {k: v for k, v in d.items() if k != "old_residuals"}
            for c, d in fc.get("by_country", {}).items()
        }
        out["drift"] = {
            "previous": result.previous_source,
            "parameters": result.drift.to_dict("records"),
            "fit_change": fc,
        }
    return _clean(out)


def _estimates_md(est: pd.DataFrame) -> str:
    tab = pd.DataFrame(
        {
            "#": est.index + 1,
            "parameter": est["name"],
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
    return _md_table(tab)


def render_markdown(result: CalibrationResult) -> str:
    """The fit report as markdown: per-country fit, the shared parameters once."""
    r = result
    ov = r.overall
    agree = start_agreement(r)
    title = (
        f"# Calibration report: {' + '.join(r.countries)} (joint fit)"
        if r.joint
        else f"# Calibration report: {r.profile}"
    )
    md = [title, ""]
    md.append(f"smesim {__version__}, {now_iso()}; seed {r.seed}")
    md.append("")
    md.append(f"Method: {r.method}.")
    md.append("")
    if r.joint:
        md.append(
            f"One structure, {len(r.countries)} countries: the {len(r.shared)} shared "
            "(behavioural) parameters take one value for every country; each country "
            "has its own start-year states, size structure and exogenous drivers "
            "(its country parameters, its profile's levers and exogenous tables)."
        )
        md.append("")
    for c, vals in r.held.items():
        md.append(
            f"{c}: shared parameters held (not estimated) at the values of "
            f"{r.held_source.get(c, '?')}: "
            + (", ".join(f"{k} = {v:g}" for k, v in vals.items()) or "none")
            + "."
        )
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
        "points = values the file gives; superseded = replaced by a later release of the "
        "same country; fitted / not fitted = its values in the merged data (sha256: first "
        "16 hex digits; the full hashes are in the parameter files)."
    )
    md.append("")
    for c, bc in r.by_country.items():
        md.append(
            f"{c}: {bc['n_points']} points: {bc['n_fitted']} fitted, {bc['n_history']} before "
            f"{START_YEAR} (outside the simulated span, not fitted; kept for history), "
            f"{bc['n_excluded']} with weight 0 (reported, not fitted)."
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
    est = r.estimates_table()
    md.append("## Estimates")
    md.append("")
    if r.joint:
        md.append(f"### Shared parameters (one value for {', '.join(r.countries)})")
        md.append("")
        shared = est[est["country"] == "shared"]
        md.append(_estimates_md(shared) if len(shared) else "None free.")
        md.append("")
        for c in r.countries:
            md.append(f"### Country parameters: {c}")
            md.append("")
            mine = est[est["country"] == c]
            md.append(_estimates_md(mine) if len(mine) else "None free.")
            md.append("")
    else:
        md.append(_estimates_md(est))
        md.append("")
    md.append(
        "# = position in the correlation matrix below. post/prior sd near 1: the data say "
        "nothing about the parameter and its value is the prior's."
    )
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
        "What the data cannot identify (set by their priors, the data barely move them): "
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
    md.append("## Fit by country (fitted points, unweighted)")
    md.append("")
    rows = [
        {
            "country": c,
            "n": bc["n_fitted"],
            "RMSE": bc["rmse"],
            "MAPE %": bc["mape"],
            "R²": bc["r2"],
            "U^M": bc["UM"],
            "U^S": bc["US"],
            "U^C": bc["UC"],
            "chi²": bc["chi2"],
        }
        for c, bc in r.by_country.items()
    ]
    md.append(_md_table(pd.DataFrame(rows)))
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
        md.append("## Changes (every interval between data years)")
        md.append("")
        md.append(
            "model_change is empty where the interval starts before the simulated span "
            f"({START_YEAR})."
        )
        md.append("")
        md.append(_md_table(ch, 2))
        md.append("")
    for c in r.countries:
        md.append(f"## Residuals: {c} (model − data)")
        md.append("")
        res = r.residuals[r.residuals["country"] == c]
        res = res[["series", "year", "data", "model", "residual", "weight", "status"]]
        md.append(_md_table(res, 3))
        md.append("")
    if "korea" in r.countries:
        fails = check_tolerances(r)
        md.append("## Behaviour-reproduction tolerances, Korea (issue 3)")
        md.append("")
        md.append("All hold." if not fails else "FAILED: " + "; ".join(fails))
        md.append("")
    if r.drift is not None:
        fc = r.fit_change or {}
        md.append("## Drift from the previous parameter sets")
        md.append("")
        for c, src in (r.previous_source or {}).items():
            md.append(f"Previous {c}: {src}.")
            md.append("")
        md.append("Change in units of the new SE.")
        md.append("")
        md.append(_md_table(r.drift.rename(columns={"change_se": "change / SE"}), 3))
        md.append("")
        big = r.drift[np.abs(r.drift["change_se"]) > 2]
        md.append(
            ("Moved by more than 2 SE: " + ", ".join(sorted(set(big["parameter"]))) + ".")
            if len(big)
            else "No parameter moved by more than 2 SE."
        )
        md.append("")
        for c, d in fc.get("by_country", {}).items():
            md.append(
                f"Fit of {c} on the current data: RMSE {d['old_rmse']:.3f} (previous set) -> "
                f"{d['new_rmse']:.3f} (new); data cost {d['old_data_cost']:.4f} -> "
                f"{d['new_data_cost']:.4f}."
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


def default_out_dir() -> Path:
    """Where ``smesim calibrate`` writes without ``--out``: ``<user data dir>/params``."""
    return user_data_dir() / "params"


def report_stem(result: CalibrationResult) -> str:
    """``joint`` for a joint fit, else the country."""
    return "joint" if result.joint else result.countries[0]


def report_paths(out: Path, stem: str) -> tuple[Path, Path]:
    out = Path(out)
    return out / f"{stem}.report.md", out / f"{stem}.report.json"


def read_previous(path: Path, profile: str):
    """The parameter set at ``path`` (None if absent) and a note if it is unreadable."""
    path = Path(path)
    if not path.exists():
        return None, None
    try:
        return read_parameter_file(path, base=get_profile(profile).default_parameter_set()), None
    except SmesimError as exc:
        return None, f"{profile}: previous parameter set unreadable, no drift report ({exc})"


def _check_out_dir(out: Path) -> Path:
    out = Path(out)
    if out.suffix.lower() == ".toml" or out.is_file():
        raise CalibrationError(
            f"{out}: expected a directory (calibrate writes one <country>.toml per country "
            "and the fit report into it)"
        )
    return out


def run_calibration(
    data: Mapping[str, Iterable[str | Path] | None] | None = None,
    *,
    profiles: Sequence[str] | None = None,
    profile: str | None = None,
    hold_shared: bool = False,
    out: str | Path | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> CalibrationResult:
    """Load each country's releases, read the sets at ``out`` (for drift) and calibrate.

    ``data`` = ``{country: release files / folders in release order}``; a
    country missing or None reads its bundled releases.  ``profiles``: the
    countries of the joint fit (default every bundled profile); ``profile``:
    fit that country alone.  ``hold_shared`` (needs ``profile``): estimate only
    its country parameters, holding the shared ones at the set at ``out`` (or
    the set in use).  Drift is reported against the sets at ``out`` when given,
    else against the sets in use (the user's own calibration if there is one,
    else the bundled set).
    """
    if hold_shared and profile is None:
        raise CalibrationError("calibration: holding the shared parameters needs one country")
    if out is not None:
        out = _check_out_dir(Path(out))
    countries = [profile] if profile is not None else list(profiles or profile_names())
    countries = [get_profile(c).name for c in countries]
    data = dict(data or {})
    for c in data:
        if c not in countries:
            raise CalibrationError(
                f"calibration: releases of {c!r}, a country not in the fit "
                f"(expected one of {', '.join(countries)})"
            )
    releases = {}
    previous = {}
    notes = []
    for c in countries:
        files = data.get(c)
        releases[c] = load_releases(list(files) if files else None, profile=c)
        prof = get_profile(c)
        path = out / f"{c}.toml" if out is not None else prof.params_file
        previous[c], note = read_previous(path, c)
        if note:
            notes.append(note)
    base = None
    if hold_shared:
        base = {
            c: previous[c] if previous[c] is not None else get_profile(c).parameter_set()
            for c in countries
        }
    result = calibrate(
        releases,
        profiles=countries,
        seed=seed,
        previous=previous if any(v is not None for v in previous.values()) else None,
        base=base,
        hold_shared=hold_shared,
        progress=progress,
    )
    result.notes.extend(notes)
    return result


def parameter_file_meta(result: CalibrationResult, country: str, report: str) -> dict:
    """``[meta]`` of ``country``'s parameter file: provenance of the whole (joint) fit."""
    bc = result.by_country[country]
    view = result.country_view(country)
    meta = {
        "profile": country,
        "created": now_iso(),
        "smesim_version": __version__,
        "method": result.method,
        "seed": result.seed,
        "joint_fit": result.joint,
        "countries": result.countries,
        "shared_parameters": result.shared if result.joint else [],
        "country_parameters": [
            n for n, c in zip(result.param_names, result.param_country, strict=True) if c == country
        ]
        if result.joint
        else view["names"],
        "free_parameters": view["names"],
        "data_files": result.provenance,
        "report": report,
        "fit": {
            "success": result.success,
            "message": result.message,
            "cost": result.cost,
            "rmse": bc["rmse"],
            "n_fitted": bc["n_fitted"],
            "n_points": bc["n_points"],
            "joint_rmse": result.overall["rmse"],
            "joint_n_fitted": result.overall["n_fitted"],
        },
    }
    if country in result.held:
        meta["held_shared"] = result.held[country]
        meta["held_from"] = result.held_source.get(country, "")
    return meta


def write_calibration(result: CalibrationResult, out: str | Path | None = None) -> list[Path]:
    """Archive the files a calibration replaces in the directory ``out``, then write it.

    ``out`` defaults to the user's data directory, ``<user data dir>/params/``
    (:func:`default_out_dir`); smesim never writes into the installed package.
    Written: ``<country>.toml`` for every country of the fit (its estimates, the
    shared ones included, its SEs and the joint covariance restricted to its
    parameters) and the report ``joint.report.md|json`` (``<country>.report.*`` for
    a one-country fit).  Files already there are copied to
    ``<out>/history/<stem>-<UTC timestamp><suffix>`` first; every file is written
    atomically, and all are formatted (and validated) before the first is written.

    Returns
    -------
    list of Path
        Written files: the parameter sets, markdown report, JSON report, then archived copies.
    """
    out = _check_out_dir(Path(out) if out is not None else default_out_dir())
    stem = report_stem(result)
    md_path, json_path = report_paths(out, stem)
    texts: dict[Path, str] = {}
    for c in result.countries:
        view = result.country_view(c)
        params = dict(zip(view["names"], map(float, view["estimates"]), strict=True))
        for k, v in result.held.get(c, {}).items():
            params.setdefault(k, float(v))
        texts[out / f"{c}.toml"] = format_parameter_file(
            params,
            meta=parameter_file_meta(result, c, md_path.name),
            standard_errors=dict(
                zip(view["names"], map(float, view["standard_errors"]), strict=True)
            ),
            covariance=(view["names"], view["covariance"]),
        )
    texts[md_path] = render_markdown(result) + "\n"
    texts[json_path] = dump_json(to_dict(result))
    try:
        return _write_files(out, texts)
    except SmesimError as exc:  # io's OutputError: already one line naming the path
        raise CalibrationError(str(exc)) from None
    except OSError as exc:
        raise CalibrationError(
            f"{exc.filename or out}: cannot write ({exc.strerror or exc})"
        ) from None


def _write_files(out: Path, texts: dict[Path, str]) -> list[Path]:
    archived = []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    hist = out / "history"
    for path in texts:
        if path.exists():
            stem = path.name.split(".", 1)[0]
            dest = hist / f"{stem}-{stamp}{path.name[len(stem) :]}"
            atomic_write(dest, path.read_bytes())
            archived.append(dest)
    written = [atomic_write(path, text) for path, text in texts.items()]
    return [*written, *archived]


__all__ = [
    "changes_table",
    "default_out_dir",
    "file_usage",
    "parameter_file_meta",
    "read_previous",
    "render_markdown",
    "report_paths",
    "run_calibration",
    "start_agreement",
    "to_dict",
    "write_calibration",
]
