"""The briefing pack: comparison tables, slide-size charts and one multi-page PDF.

:func:`make_brief` runs :func:`smesim.analysis.compare.compare_scenarios` and writes,
into one folder (staged, then moved in, so a reader never sees half a pack):

* ``comparison.csv|md|json`` (and ``targets.csv``): the numbers;
* one PNG (print resolution) and one SVG per chart, 16:9 slide size:

  - ``history_<i>``: each series with release data, the baseline run from
    2012 to the end year and the data points over it (points before 2012
    hollow: history the model does not start from);
  - ``headline``: wage ratio, productivity ratio, SME R&D share and
    capital-region GRP share, every scenario against the baseline;
  - ``coexistence_dashboard``: the four indices and the overall index for
    every scenario at the reporting years (level and change vs baseline);
  - ``coexistence_paths``: the five indices over time;
  - ``levers``: every lever some scenario changes, its path in each scenario;
  - ``uncertainty`` and ``probabilities`` when an ensemble result is given;
  - ``sensitivity`` when a sensitivity result is given: per output, the
    factors that drive it most, index per reporting year;

* ``briefing.pdf``: a cover page, then every chart, one per page;
* ``brief.manifest.json``: inputs, versions, parameter set, data files.

Korean packs (``lang="ko"``) carry a ``_ko`` suffix, so both languages can
share a folder.  Every chart has a title, units on its axes and a source line
(smesim version, data release files, parameter set); a scenario has the same
colour on every chart (:func:`smesim.report.charts.scenario_colours`).
"""

from __future__ import annotations

import logging
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from smesim._version import __version__
from smesim.analysis.compare import (
    CompareError,
    Comparison,
    Target,
    compare_scenarios,
    lever_changes,
    lever_frame,
    write_tables,
)
from smesim.analysis.sensitivity import plot_sensitivity, read_sensitivity
from smesim.inputs.data import load_releases
from smesim.inputs.scenario import bundled_names
from smesim.io import dump_json, manifest, sha256_file, staged_files
from smesim.model.horizon import REPORTING_YEARS, START_YEAR
from smesim.model.levers import LEVER_IDS
from smesim.model.outputs import CANONICAL, COEXISTENCE
from smesim.report import charts
from smesim.report.i18n import (
    check_lang,
    font_context,
    hangul_font_path,
    lever_name,
    scenario_name,
    scenario_titles,
    series_name,
    text,
)

FORMATS = ("png", "svg", "pdf")
SLIDE_INCHES = (12.8, 7.2)  # 16:9
DEFAULT_DPI = 200  # 2560 x 1440 px
HEADLINE_CHART = (
    "wage_ratio_sme",
    "productivity_ratio_sme",
    "rd_share_sme",
    "capital_region_grp_share",
)
HISTORY_PER_PAGE = 6
HISTORY_FIRST_YEAR = 2010


def parse_formats(spec: str | Sequence[str]) -> tuple[str, ...]:
    """``"png,svg,pdf"`` -> ("png", "svg", "pdf"); unknown formats are an error."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise CompareError(
            f"--format: expected a comma-separated subset of {','.join(FORMATS)} (got {spec!r})"
        )
    return out


#: Display order of the bundled scenarios (others follow alphabetically).
BUNDLED_ORDER = (
    "baseline",
    "rd_support_france",
    "rd_support_uk",
    "rd_support_usa",
    "regional_dispersion",
    "coexistence_package",
)


def default_scenarios() -> list[str]:
    """Every bundled scenario, baseline first, then :data:`BUNDLED_ORDER`, then the rest."""
    known = {n: i for i, n in enumerate(BUNDLED_ORDER)}
    return sorted(bundled_names(), key=lambda n: (known.get(n, len(known)), n))


# ---- inputs shown on every chart --------------------------------------------------------
@dataclass(frozen=True)
class Sources:
    """What the source line names: data release files and the parameter set."""

    points: pd.DataFrame
    release_files: tuple[str, ...]
    parameter_set: str
    parameter_created: str | None

    def line(self, lang: str) -> str:
        data = ", ".join(self.release_files) or text("no_data_release", lang)
        pset = self.parameter_set
        if pset.startswith("defaults:"):
            pset = f"{pset} ({text('uncalibrated', lang)})"
        elif self.parameter_created:
            pset = f"{pset} ({self.parameter_created})"
        return (
            f"{text('source', lang)}: smesim {__version__} · {text('data', lang)}: {data}"
            f" · {text('parameters', lang)}: {pset}"
        )


def load_sources(
    comp: Comparison, releases: Sequence[str | Path] | None, profile: str, loaded=None
) -> Sources:
    """Release points and the source-line labels; ``loaded``: releases read already."""
    rel = (
        loaded
        if loaded is not None
        else load_releases(list(releases) if releases is not None else None, profile=profile)
    )
    files = tuple(Path(p["file"]).name for p in rel.provenance())
    pset = comp.meta["parameter_set"]
    if "/" in pset or pset.endswith(".toml"):
        pset = Path(pset).name
    return Sources(rel.points, files, pset, comp.meta.get("calibrated_at"))


# ---- pages -----------------------------------------------------------------------------
def _page(title: str, sources: Sources, lang: str, dpi: int, legend_rows: int = 0) -> Figure:
    """A 16:9 page: title on top, source line at the bottom, room for a legend above it."""
    fig = Figure(figsize=SLIDE_INCHES, dpi=dpi, layout="constrained")
    fig.suptitle(title, fontweight="bold")
    fig.text(0.008, 0.008, sources.line(lang), fontsize=9, color="#444444", ha="left", va="bottom")
    bottom = 0.04 + (0.02 + 0.037 * legend_rows if legend_rows else 0.0)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom), h_pad=0.06, w_pad=0.06)
    return fig


def _reference_label(comp: Comparison, lang: str) -> str:
    if comp.reference == "baseline":
        return text("baseline_short", lang)
    return scenario_name(comp.reference, lang)


def _legend_rows(n: int, ncols: int = 3) -> int:
    return math.ceil(n / ncols)


def _bottom_legend(fig: Figure, handles, labels, ncols: int = 3) -> None:
    fig.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.032),
        ncols=min(len(labels), ncols),
        frameon=False,
    )


def _grid(fig: Figure, n: int) -> list:
    ncols = n if n <= 3 else (2 if n == 4 else (3 if n <= 6 else 4))
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def _scenario_legend(fig: Figure, names: Sequence[str], colours, lang: str) -> None:
    handles, labels = charts.legend_handles(names, colours, lang)
    _bottom_legend(fig, handles, labels)


def history_pages(
    comp: Comparison, sources: Sources, lang: str, dpi: int, bands: pd.DataFrame | None = None
) -> list[Figure]:
    """Each series with release data: baseline run and data points, six to a page."""
    pts = sources.points
    series = [s for s in CANONICAL if s in set(pts["series"])] if not pts.empty else []
    if not series:
        series = list(HEADLINE_CHART)
    chunks = [series[i : i + HISTORY_PER_PAGE] for i in range(0, len(series), HISTORY_PER_PAGE)]
    base = comp.frames[comp.reference]
    figs = []
    for i, chunk in enumerate(chunks, 1):
        title = (
            text("history_title_n", lang, i=i, n=len(chunks))
            if len(chunks) > 1
            else text("history_title", lang)
        )
        fig = _page(title, sources, lang, dpi, legend_rows=1)
        on_page = pts[pts["series"].isin(chunk)] if not pts.empty else pts
        first = min(
            HISTORY_FIRST_YEAR,
            int(on_page["year"].min()) - 2 if not on_page.empty else HISTORY_FIRST_YEAR,
        )
        for ax, s in zip(_grid(fig, len(chunk)), chunk, strict=True):
            charts.plot_history(s, base, pts, ax=ax, lang=lang, legend=False, bands=bands)
            ax.set_xlim(first, comp.end + 1)
            ax.set_xlabel("")
        handles, labels = {}, {}
        for ax in fig.axes:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(lab, h)
                labels[lab] = lab
        _bottom_legend(fig, list(handles.values()), list(handles))
        figs.append(fig)
    return figs


def headline_page(comp: Comparison, sources: Sources, lang: str, dpi: int, colours) -> Figure:
    fig = _page(
        text("headline_title", lang), sources, lang, dpi, legend_rows=_legend_rows(len(comp.names))
    )
    for ax, s in zip(_grid(fig, len(HEADLINE_CHART)), HEADLINE_CHART, strict=True):
        charts.plot_scenarios(s, comp.frames, ax=ax, colours=colours, lang=lang, legend=False)
        ax.set_xlabel("")
    _scenario_legend(fig, comp.names, colours, lang)
    return fig


def uncertainty_page(
    comp: Comparison,
    sources: Sources,
    lang: str,
    dpi: int,
    colours,
    bands: pd.DataFrame,
    series_id: str,
) -> Figure:
    """One headline series: a panel per scenario, its fan against the reference's (grey)."""
    names = [n for n in comp.names if n != comp.reference and n in set(bands["scenario"])]
    title = f"{series_name(series_id, lang)}. {text('uncertainty_title', lang)}"
    fig = _page(title, sources, lang, dpi, legend_rows=1)
    if not names:
        return fig
    axes = _grid(fig, len(names))
    for ax, name in zip(axes, names, strict=True):
        charts.plot_uncertainty(
            series_id,
            bands,
            name,
            ax=ax,
            colours=colours,
            lang=lang,
            frames=comp.frames,
            reference=comp.reference,
        )
        ax.sharey(axes[0])
    handles = [
        Patch(color="#7F7F7F", alpha=0.35),
        Patch(color="#7F7F7F", alpha=0.15),
        *charts.legend_handles([comp.reference], colours, lang)[0],
    ]
    labels = [text("band_50", lang), text("band_90", lang), scenario_name(comp.reference, lang)]
    _bottom_legend(fig, handles, labels)
    return fig


def dashboard_page(comp: Comparison, sources: Sources, lang: str, dpi: int) -> Figure:
    fig = _page(
        text("coexistence_title", lang, reference=_reference_label(comp, lang)), sources, lang, dpi
    )
    ax = fig.add_subplot()
    charts.plot_coexistence_heatmap(
        comp.levels(COEXISTENCE), ax=ax, lang=lang, reference=comp.reference
    )
    bar = fig.colorbar(ax.images[0], ax=ax, shrink=0.8, pad=0.01)
    bar.set_label(text("dashboard_colour", lang, reference=_reference_label(comp, lang)))
    return fig


def coexistence_paths_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours
) -> Figure:
    fig = _page(
        text("coexistence_paths_title", lang),
        sources,
        lang,
        dpi,
        legend_rows=_legend_rows(len(comp.names)),
    )
    for ax, s in zip(_grid(fig, len(COEXISTENCE)), COEXISTENCE, strict=True):
        charts.plot_scenarios(s, comp.frames, ax=ax, colours=colours, lang=lang, legend=False)
        ax.set_ylim(0, 102)
        ax.set_xlabel("")
    _scenario_legend(fig, comp.names, colours, lang)
    return fig


def changed_levers(comp: Comparison, profile: str) -> tuple[dict, list[str]]:
    """Lever paths per scenario and the levers some scenario moves off the baseline."""
    base = comp.baseline_levers
    frames = {sc.name: lever_frame(sc, end=comp.end, baseline_levers=base) for sc in comp.scenarios}
    ref = frames[comp.reference]
    changed = [
        lid
        for lid in LEVER_IDS
        if any(not np.allclose(f[lid].to_numpy(), ref[lid].to_numpy()) for f in frames.values())
    ]
    return frames, changed


def lever_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours, profile: str
) -> Figure:
    frames, changed = changed_levers(comp, profile)
    unchanged = [lever_name(lid, lang) for lid in LEVER_IDS if lid not in changed]
    fig = _page(text("levers_title", lang), sources, lang, dpi, legend_rows=1 if unchanged else 0)
    changes = lever_changes(frames, comp.reference)
    if changes.empty:
        fig.text(0.5, 0.5, text("no_levers_changed", lang), ha="center", va="center")
        return fig
    ax = fig.add_subplot()
    charts.plot_lever_changes(
        changes, ax=ax, colours=colours, lang=lang, start=START_YEAR, end=comp.end
    )
    if unchanged:
        fig.text(
            0.5,
            0.045,
            _wrap(text("levers_unchanged", lang, levers=", ".join(unchanged)), 170),
            ha="center",
            va="bottom",
            fontsize=11,
            color="#444444",
        )
    return fig


def probability_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, probabilities: pd.DataFrame
) -> Figure:
    fig = _page(
        f"{text('probability_title', lang)} ({text('probability_note', lang)})", sources, lang, dpi
    )
    ax = fig.add_subplot()
    t = comp.table
    same = t[(t["scenario"] != comp.reference) & (t["diff"].abs() < 1e-9)]
    no_effect = set(zip(same["scenario"], same["series"], same["year"], strict=True))
    # Years outside the comparison's: no effect if the runs agree there too.
    for r in probabilities.itertuples():
        if (
            r.scenario in comp.frames
            and r.year in comp.frames[r.scenario].index
            and abs(
                comp.value(r.scenario, r.index, r.year)
                - comp.value(comp.reference, r.index, r.year)
            )
            < 1e-9
        ):
            no_effect.add((r.scenario, r.index, r.year))
    charts.plot_probabilities(probabilities, ax=ax, lang=lang, no_effect=no_effect)
    ax.set_title("")
    bar = fig.colorbar(ax.images[0], ax=ax, shrink=0.8, pad=0.01)
    bar.set_label(text("probability_label", lang))
    return fig


def sensitivity_page(result, sources: Sources, lang: str, dpi: int, top: int = 5) -> Figure:
    """One panel per output of a :class:`~smesim.analysis.sensitivity.SensitivityResult`:
    its ``top`` factors' index (Sobol ST or Morris mu*) over the reporting years."""
    outputs = list(dict.fromkeys(result.table["output"]))[:6]
    index = "ST" if result.method == "sobol" else "mu*"
    fig = _page(text("sensitivity_title", lang, index=index), sources, lang, dpi)
    years = sorted(set(result.table["year"]))

    def label(factor: str, kind: str) -> str:
        name = lever_name(factor, lang) if kind == "lever" else factor
        return f"{name} ({text(f'factor_{kind}', lang)})"

    for ax, output in zip(_grid(fig, len(outputs)), outputs, strict=True):
        plot_sensitivity(result, output, top=top, ax=ax, min_index=0.01, label=label)
        ax.set_title(series_name(output, lang), fontsize=12)
        ax.set_ylabel(text(f"sensitivity_ylabel_{result.method}", lang))
        ax.set_xlabel("")
        ax.set_xticks(years)
        ax.set_ylim(bottom=0)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    return fig


def cover_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours, profile: str = "korea"
) -> Figure:
    """Title, date, the scenarios with their colour and what each changes, caveats."""
    fig = _page(text("cover_title", lang), sources, lang, dpi)
    frames, _ = changed_levers(comp, profile)
    changes = lever_changes(frames, comp.reference)
    y = 0.86
    fig.text(
        0.06,
        y,
        text("cover_generated", lang, version=__version__, date=date.today().isoformat()),
        fontsize=13,
        color="#444444",
    )
    y -= 0.08
    fig.text(0.06, y, text("cover_scenarios", lang), fontsize=15, fontweight="bold")
    step = min(0.085, 0.55 / max(len(comp.scenarios), 1))
    for sc in comp.scenarios:
        y -= step
        rows = changes[changes["scenario"] == sc.name]
        what = "; ".join(
            f"{lever_name(r.lever, lang)} {charts.describe_change(r, lang)}"
            for r in rows.itertuples()
        )
        if sc.name == comp.reference:
            what = text("cover_reference", lang)
        fig.text(
            0.06, y, "■", color=colours[sc.name], fontsize=18, va="center", family="DejaVu Sans"
        )
        fig.text(0.09, y, scenario_name(sc.name, lang), fontsize=14, va="center", fontweight="bold")
        fig.text(0.36, y, _wrap(what or "-", 110), fontsize=10, va="center", color="#333333")
    y -= 0.09
    notes = [text("cover_assumed", lang)]
    if comp.ensemble is None:
        notes.append(text("uncertainty_missing", lang))
    fig.text(0.06, max(y, 0.12), "\n".join(notes), fontsize=11, color="#444444", va="top")
    return fig


def _quiet(logger_name: str) -> None:
    log = logging.getLogger(logger_name)
    if log.level < logging.ERROR:
        log.setLevel(logging.ERROR)


def _wrap(s: str, width: int) -> str:
    return "\n".join(textwrap.wrap(s, width)) if len(s) > width else s


def build_figures(
    comp: Comparison,
    sources: Sources,
    *,
    lang: str = "en",
    dpi: int = DEFAULT_DPI,
    profile: str = "korea",
    sensitivity=None,
) -> list[tuple[str, Figure]]:
    """Every page of the pack as ``(file stem, Figure)``, cover first (stem ``None``)."""
    colours = charts.scenario_colours(comp.names)
    ens = comp.ensemble
    bands = getattr(ens, "bands", None) if ens is not None else None
    probs = getattr(ens, "probabilities", None) if ens is not None else None
    pages: list[tuple[str, Figure]] = [
        ("cover", cover_page(comp, sources, lang, dpi, colours, profile))
    ]
    hist = history_pages(comp, sources, lang, dpi, bands=bands)
    pages += [(f"history_{i}", f) for i, f in enumerate(hist, 1)]
    pages.append(("headline", headline_page(comp, sources, lang, dpi, colours)))
    pages.append(("coexistence_dashboard", dashboard_page(comp, sources, lang, dpi)))
    pages.append(("coexistence_paths", coexistence_paths_page(comp, sources, lang, dpi, colours)))
    pages.append(("levers", lever_page(comp, sources, lang, dpi, colours, profile)))
    if bands is not None and not bands.empty:
        for s in HEADLINE_CHART:
            pages.append(
                (f"uncertainty_{s}", uncertainty_page(comp, sources, lang, dpi, colours, bands, s))
            )
    if probs is not None and not probs.empty:
        pages.append(("probabilities", probability_page(comp, sources, lang, dpi, probs)))
    if sensitivity is not None and not sensitivity.table.empty:
        pages.append(("sensitivity", sensitivity_page(sensitivity, sources, lang, dpi)))
    return pages


@dataclass(frozen=True)
class Brief:
    """What :func:`make_brief` wrote."""

    comparison: Comparison
    files: tuple[Path, ...]
    pages: tuple[str, ...]


def make_brief(
    specs: Sequence[str | Path] = (),
    out_dir: str | Path = "briefing",
    *,
    lang: str = "en",
    formats: Sequence[str] | str = FORMATS,
    years: Sequence[int] = REPORTING_YEARS,
    targets: Sequence[Target | str] = (),
    include_baseline: bool = True,
    profile: str = "korea",
    releases: Sequence[str | Path] | None = None,
    ensemble_dir=None,
    runs: int | None = None,
    seed: int = 0,
    dpi: int = DEFAULT_DPI,
    sensitivity_dir=None,
    params_file: str | Path | None = None,
) -> Brief:
    """Compare scenarios and write the briefing pack into ``out_dir``.

    Parameters
    ----------
    specs : scenario paths or bundled names; empty: every bundled scenario.
    lang : "en" or "ko".
    formats : subset of png, svg, pdf (a list or "png,svg,pdf").
    releases : release data files or folders (default: the profile's bundled
        releases), drawn on the history pages.
    ensemble_dir, runs : uncertainty bands from a saved ensemble or a fresh one.
    dpi : PNG resolution; the pages are 12.8 x 7.2 in (16:9).
    sensitivity_dir : a saved ``smesim sensitivity`` result: adds its page.
    params_file : parameter-set file used in place of the profile's calibrated set.
    """
    if check_lang(lang) == "ko":
        hangul_font_path()  # a missing font package fails here, before any run
    formats = parse_formats(formats)
    # Every input is read and checked before anything runs.
    rel = load_releases(list(releases) if releases is not None else None, profile=profile)
    sens = None
    if sensitivity_dir is not None:
        sens = read_sensitivity(sensitivity_dir)
    comp = compare_scenarios(
        list(specs) or default_scenarios(),
        years=years,
        targets=targets,
        include_baseline=include_baseline,
        profile=profile,
        ensemble_dir=ensemble_dir,
        runs=runs,
        seed=seed,
        params_file=params_file,
    )
    sources = load_sources(comp, releases, profile, loaded=rel)
    suffix = "" if lang == "en" else f"_{lang}"
    out_dir = Path(out_dir)
    written: list[str] = []
    with staged_files(out_dir) as stage:
        written += write_tables(stage, comp)
        with font_context(lang), scenario_titles(comp.scenarios):
            pages = build_figures(
                comp, sources, lang=lang, dpi=dpi, profile=profile, sensitivity=sens
            )
            for stem, fig in pages:
                if stem == "cover":
                    continue
                for fmt in ("png", "svg"):
                    if fmt in formats:
                        name = f"{stem}{suffix}.{fmt}"
                        fig.savefig(stage / name, dpi=dpi, format=fmt)
                        written.append(name)
            if "pdf" in formats:
                # fontTools logs (not warns) about NanumGothic's hinting tables it
                # drops when subsetting the embedded font: harmless, keep it quiet.
                _quiet("fontTools.subset")

                name = f"briefing{suffix}.pdf"
                with PdfPages(
                    stage / name,
                    metadata={
                        "Title": text("cover_title", lang),
                        "Creator": f"smesim {__version__}",
                    },
                ) as pdf:
                    for _, fig in pages:
                        pdf.savefig(fig)
                written.append(name)
        man = manifest(
            command="brief",
            lang=lang,
            formats=list(formats),
            dpi=dpi,
            page_size_inches=list(SLIDE_INCHES),
            pages=[s for s, _ in pages],
            comparison=comp.meta,
            data_files=list(sources.release_files),
            sensitivity=None
            if sens is None
            else {
                "directory": str(sensitivity_dir),
                "method": sens.method,
                "scenario": sens.meta.get("scenario"),
                "manifest_sha256": sha256_file(Path(sensitivity_dir) / "manifest.json"),
            },
            files={n: sha256_file(stage / n) for n in written},
        )
        name = f"brief{suffix}.manifest.json"
        (stage / name).write_text(dump_json(man), encoding="utf-8")
        written.append(name)
    return Brief(comp, tuple(out_dir / n for n in written), tuple(s for s, _ in pages))
