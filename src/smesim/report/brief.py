"""The briefing pack: comparison tables, slide-size charts and one multi-page PDF.

:func:`make_brief` runs :func:`smesim.analysis.compare.compare_scenarios` and writes,
into one folder (staged, then moved in, so a reader never sees half a pack):

* ``comparison.csv|md|json`` (and ``targets.csv``): the numbers, in the
  pack's language (:func:`table_text`; Korean: ``comparison_ko.csv`` ...);
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
  - ``loop_dominance``: what drives the divergence: the baseline's relative loop
    scores over time and the loop that dominates each headline output
    (:mod:`smesim.analysis.dominance`);
  - ``uncertainty`` and ``probabilities`` when an ensemble result is given;
  - ``sensitivity`` when a sensitivity result is given: per output, the
    factors that drive it most, index per reporting year;

* ``key_findings``: the headline indicators of every scenario against the
  baseline at the reporting years, the year each ``--target`` is first
  reached, and one line per scenario on what it changes;
* ``briefing.pdf``: the cover, the key findings, every chart (one per page),
  and an appendix with every canonical output at each reporting year (the
  cover and the appendix are in the PDF only);
* ``brief.manifest.json``: inputs, versions, parameter set, data files.

Korean packs (``lang="ko"``) carry a ``_ko`` suffix, tables included, so both
languages can share a folder.  Every chart has a title, units on its axes and a source line
(smesim version, data release files, parameter set); a scenario has the same
colour on every chart (:func:`smesim.report.charts.scenario_colours`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from smesim._version import __version__
from smesim.analysis.compare import (
    CompareError,
    Comparison,
    TableText,
    Target,
    compare_scenarios,
    lever_changes,
    lever_frame,
    write_tables,
)
from smesim.analysis.dominance import Dominance, scenario_dominance
from smesim.analysis.sensitivity import SensitivityResult, read_sensitivity
from smesim.inputs.data import load_releases
from smesim.inputs.scenario import bundled_names
from smesim.io import dump_json, manifest, sha256_file, staged_files
from smesim.model.horizon import REPORTING_YEARS, START_YEAR
from smesim.model.levers import LEVER_IDS
from smesim.model.outputs import ASSUMED_TREND, BY_ID, CANONICAL, COEXISTENCE, HEADLINE
from smesim.report import charts
from smesim.report.i18n import (
    TABLE_WORDS_KO,
    base_name,
    base_short_name,
    check_lang,
    font_context,
    hangul_font_path,
    lever_name,
    loop_name,
    scenario_name,
    scenario_titles,
    series_name,
    short_name,
    text,
    unit_name,
)

FORMATS = ("png", "svg", "pdf")
SLIDE_INCHES = (12.8, 7.2)  # 16:9
DEFAULT_DPI = 200  # 2560 x 1440 px
HEADLINE_CHART = (
    "wage_ratio_all_firms",
    "productivity_ratio_sme",
    "rd_share_sme",
    "capital_region_grp_share",
)
HISTORY_PER_PAGE = 6
HISTORY_FIRST_YEAR = 2005


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


def table_text(lang: str = "en") -> TableText:
    """The words of the comparison tables (terminal, markdown, CSV headers) in ``lang``."""
    if check_lang(lang) == "en":
        return TableText()
    return TableText(
        lang=lang,
        words=TABLE_WORDS_KO,
        # Untagged names: the tables add the "assumed trend" tag themselves (TableText.tagged).
        series=lambda s: base_name(s, lang),
        unit=lambda u: unit_name(u, lang),
        index=lambda s: base_short_name(s, lang),
        reference=lambda n: (
            text("baseline_short", lang) if n == "baseline" else scenario_name(n, lang)
        ),
    )


# ---- page layout ------------------------------------------------------------------------
SOURCE_GID = "smesim-source-line"
_PAD = 0.008  # figure fraction between stacked footer items


def _page(title: str, sources, lang: str, dpi: int, legend_rows: int = 0) -> Figure:
    """A 16:9 page: title on top, source line at the bottom.

    The layout keeps the axes above the source line; :func:`_footer` stacks a
    caption and a legend over the line and makes room for what it measured.
    (``legend_rows`` is kept for callers that reserve room by rows.)
    """
    fig = Figure(figsize=SLIDE_INCHES, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)  # a renderer, to measure text
    fig.suptitle(title, fontweight="bold")
    src = fig.text(
        0.008, 0.008, sources.line(lang), fontsize=9, color="#444444", ha="left", va="bottom"
    )
    src.set_gid(SOURCE_GID)
    bottom = 0.04 + (0.02 + 0.037 * legend_rows if legend_rows else 0.0)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom), h_pad=0.06, w_pad=0.06)
    return fig


def _renderer(fig: Figure):
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _top(fig: Figure, artist) -> float:
    """Top edge of ``artist`` in figure fraction."""
    return artist.get_window_extent(_renderer(fig)).y1 / fig.bbox.height


def _width(fig: Figure, s: str, **props) -> float:
    """Width of ``s`` drawn with ``props``, in figure fraction."""
    t = fig.text(0, 0, s, **props)
    try:
        return t.get_window_extent(_renderer(fig)).width / fig.bbox.width
    finally:
        t.remove()


def _fit_lines(fig: Figure, items: Sequence[str], width: float, sep: str = " ", **props) -> str:
    """``items`` joined by ``sep`` into lines no wider than ``width`` (figure fraction),
    breaking only between items (an item wider than a line gets a line of its own)."""
    lines: list[str] = []
    for item in items:
        if lines and _width(fig, lines[-1] + sep + item, **props) <= width:
            lines[-1] += sep + item
        else:
            lines.append(item)
    return "\n".join(lines)


def _wrap_words(fig: Figure, s: str, width: float, **props) -> str:
    return _fit_lines(fig, s.split(), width, " ", **props)


def _footer(
    fig: Figure,
    handles: Sequence = (),
    labels: Sequence[str] = (),
    *,
    caption: str | None = None,
    ncols: int = 3,
    handler_map: dict | None = None,
    caption_size: float = 11,
) -> None:
    """Stack ``caption`` and a legend above the source line, and lay the axes out above them.

    Heights are measured, not guessed, so long (Korean) labels never run into
    the x-axis labels: the legend loses columns until it fits the page width.
    """
    src = next((t for t in fig.texts if t.get_gid() == SOURCE_GID), None)
    y = (_top(fig, src) if src is not None else 0.0) + _PAD / 2
    if caption:
        t = fig.text(
            0.5,
            y,
            _wrap_words(fig, caption, 0.94, fontsize=caption_size),
            ha="center",
            va="bottom",
            fontsize=caption_size,
            color="#333333",
        )
        y = _top(fig, t) + _PAD / 2
    if labels:
        ncols = max(1, min(ncols, len(labels)))
        while True:
            leg = fig.legend(
                list(handles),
                list(labels),
                loc="lower center",
                bbox_to_anchor=(0.5, y),
                ncols=ncols,
                frameon=False,
                handler_map=handler_map,
                handlelength=2.6 if handler_map is None else 5.0,
            )
            width = leg.get_window_extent(_renderer(fig)).width / fig.bbox.width
            if width <= 0.98 or ncols == 1:
                break
            leg.remove()
            ncols -= 1
        y = _top(fig, leg)
    bottom = y + _PAD
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))


def _reference_label(comp: Comparison, lang: str) -> str:
    if comp.reference == "baseline":
        return text("baseline_short", lang)
    return scenario_name(comp.reference, lang)


def _grid(fig: Figure, n: int) -> list:
    ncols = n if n <= 3 else (2 if n == 4 else (3 if n <= 6 else 4))
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def _scenario_legend(fig: Figure, names: Sequence[str], colours, lang: str) -> None:
    handles, labels = charts.legend_handles(names, colours, lang)
    _footer(fig, handles, labels)


def policy_start(changes: pd.DataFrame) -> float | None:
    """The first (whole) year a scenario's levers leave the reference's, from
    :func:`~smesim.analysis.compare.lever_changes`; None when no lever moves."""
    return None if changes.empty else float(math.floor(changes["start"].min()))


# ---- pages -----------------------------------------------------------------------------
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
        fig = _page(title, sources, lang, dpi)
        on_page = pts[pts["series"].isin(chunk)] if not pts.empty else pts
        first = min(
            HISTORY_FIRST_YEAR,
            int(on_page["year"].min()) - 2 if not on_page.empty else HISTORY_FIRST_YEAR,
        )
        for ax, s in zip(_grid(fig, len(chunk)), chunk, strict=True):
            charts.plot_history(s, base, pts, ax=ax, lang=lang, legend=False, bands=bands)
            ax.set_xlim(first, comp.end + 1)
            ax.set_xlabel("")
        handles: dict[str, object] = {}
        for ax in fig.axes:
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(lab, h)
        if bands is not None and not bands.empty:
            handles[text("history_bands", lang)] = (
                Patch(color="#000000", alpha=0.34, linewidth=0),
                Patch(color="#000000", alpha=0.12, linewidth=0),
                Line2D([], [], color="#000000", linestyle=":", linewidth=1.6),
            )
        tuples = any(isinstance(h, tuple) for h in handles.values())
        _footer(
            fig,
            list(handles.values()),
            list(handles),
            ncols=len(handles),
            handler_map={tuple: charts.HandlerTuple(ndivide=None, pad=0.0)} if tuples else None,
        )
        figs.append(fig)
    return figs


def _scenario_panels(fig: Figure, comp: Comparison, series, colours, lang: str, start):
    """One panel per series on a grid of ``fig``, every scenario drawn; returns the Axes."""
    axes = _grid(fig, len(series))
    for ax, s in zip(axes, series, strict=True):
        charts.plot_scenarios(
            s,
            comp.frames,
            ax=ax,
            colours=colours,
            lang=lang,
            legend=False,
            policy_start=start,
            xlabel=False,
        )
    return axes


def headline_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours, start: float | None = None
) -> Figure:
    """The headline series of every scenario; ``start``: the policy start marked on each."""
    fig = _page(text("headline_title", lang), sources, lang, dpi)
    _scenario_panels(fig, comp, HEADLINE_CHART, colours, lang, start)
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
    start: float | None = None,
) -> Figure:
    """One headline series: a panel per scenario, its fan against the reference's (grey).

    The legend shows each entry in every scenario's colour; a caption says why
    the dotted median differs from the solid central run.
    """
    names = [n for n in comp.names if n != comp.reference and n in set(bands["scenario"])]
    title = f"{series_name(series_id, lang)}. {text('uncertainty_title', lang)}"
    fig = _page(title, sources, lang, dpi)
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
        if start is not None:
            charts.mark_policy_start(ax, start, lang)
        if ax is not axes[0]:
            ax.sharey(axes[0])
    # One y range for every panel, from what they draw (shared autoscaling would
    # keep the first panel's range and cut off the others' bands).
    shown = bands[(bands["series"] == series_id) & bands["scenario"].isin([*names, comp.reference])]
    central = [comp.frames[n][series_id] for n in [*names, comp.reference] if n in comp.frames]
    lo = min([float(shown["p5"].min()), *(float(r.min()) for r in central)])
    hi = max([float(shown["p95"].max()), *(float(r.max()) for r in central)])
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    axes[0].set_ylim(lo - pad, hi + pad)
    handles, labels, handler_map = charts.uncertainty_legend(names, colours, comp.reference, lang)
    meta = getattr(comp.ensemble, "meta", None) or {}
    runs = meta.get("runs_used") or meta.get("runs")
    caption = text("unc_caption", lang, runs=runs) if runs else None
    if caption is None:
        caption = text("unc_caption", lang, runs="").replace("  ", " ")
    _footer(fig, handles, labels, caption=caption, ncols=3, handler_map=handler_map)
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
    by_change = comp.reference in comp.names
    bar.set_label(
        text("dashboard_colour", lang, reference=_reference_label(comp, lang))
        if by_change
        else text("dashboard_level", lang)
    )
    return fig


def coexistence_paths_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours, start: float | None = None
) -> Figure:
    fig = _page(text("coexistence_paths_title", lang), sources, lang, dpi)
    for ax in _scenario_panels(fig, comp, COEXISTENCE, colours, lang, start):
        ax.set_ylim(0, 102)
    spare = [ax for ax in fig.axes if not ax.get_visible()]
    if spare:  # the grid's empty slot holds the legend: more room for the panels
        handles, labels = charts.legend_handles(comp.names, colours, lang)
        spare[0].set_visible(True)
        spare[0].axis("off")
        spare[0].legend(handles, labels, loc="center", frameon=False)
        _footer(fig)
    else:
        _scenario_legend(fig, comp.names, colours, lang)
    return fig


def changed_levers(comp: Comparison, profile: str) -> tuple[dict, list[str]]:
    """Lever paths per scenario and the levers some scenario moves off the baseline."""
    base = comp.baseline_levers
    starts = comp.policy_starts
    frames = {
        sc.name: lever_frame(
            sc, end=comp.end, baseline_levers=base, policy_start=starts.get(sc.name)
        )
        for sc in comp.scenarios
    }
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
    fig = _page(text("levers_title", lang), sources, lang, dpi)
    changes = lever_changes(frames, comp.reference)
    if changes.empty:
        fig.text(0.5, 0.5, text("no_levers_changed", lang), ha="center", va="center")
        return fig
    ax = fig.add_subplot()
    charts.plot_lever_changes(
        changes, ax=ax, colours=colours, lang=lang, start=START_YEAR, end=comp.end
    )
    if unchanged:
        _footer(fig, caption=text("levers_unchanged", lang, levers=", ".join(unchanged)))
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


def _sensitivity_index(result) -> str:
    return "ST" if result.method == "sobol" else "mu*"


def sensitivity_page(result, sources, lang: str, dpi: int, top: int = 5) -> Figure:
    """One panel per output of a :class:`~smesim.analysis.sensitivity.SensitivityResult`:
    its ``top`` factors' index (Sobol ST or Morris mu*) over the reporting years.

    A factor has one colour on every panel; one legend below the panels names
    every factor shown.
    """
    outputs = list(dict.fromkeys(result.table["output"]))[:6]
    fig = _page(
        text("sensitivity_title", lang, index=_sensitivity_index(result)), sources, lang, dpi
    )
    colours = charts.factor_colours(result)
    handles: dict[str, object] = {}
    for ax, output in zip(_grid(fig, len(outputs)), outputs, strict=True):
        charts.plot_sensitivity(
            result, output, ax=ax, top=top, lang=lang, colours=colours, legend=False, xlabel=False
        )
        ax.title.set_fontsize(12)
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    _footer(fig, list(handles.values()), list(handles), ncols=3, caption_size=10)
    return fig


@dataclass(frozen=True)
class SensitivitySources:
    """The source line of a sensitivity chart: version, scenario, design, parameter set."""

    meta: dict

    def line(self, lang: str) -> str:
        m = self.meta
        scenario = (m.get("scenario") or {}).get("name", "?")
        pset = (m.get("parameter_set") or {}).get("source") or "?"
        if "/" in pset or pset.endswith(".toml"):
            pset = Path(pset).name
        design = text(
            "sensitivity_source",
            lang,
            scenario=scenario_name(scenario, lang),
            method=str(m.get("method", "?")).capitalize(),
            n=m.get("n", "?"),
            runs=m.get("design_rows", "?"),
        )
        return (
            f"{text('source', lang)}: smesim {m.get('smesim_version', __version__)} · {design}"
            f" · {text('parameters', lang)}: {pset}"
        )


def sensitivity_figures(
    result: SensitivityResult, lang: str = "en", dpi: int = 120, top: int = 6
) -> list[tuple[str, Figure]]:
    """One slide per output of a sensitivity result (``sensitivity_<output>``), house style.

    Call inside :func:`~smesim.report.i18n.font_context`.
    """
    sources = SensitivitySources(result.meta)
    colours = charts.factor_colours(result)
    index = _sensitivity_index(result)
    out = []
    for output in dict.fromkeys(result.table["output"]):
        title = text(
            "sensitivity_chart_title",
            lang,
            output=series_name(output, lang),
            index=index,
            ci=charts.SENSITIVITY_CI,
        )
        fig = _page(title, sources, lang, dpi)
        ax = fig.add_subplot()
        charts.plot_sensitivity(result, output, ax=ax, top=top, lang=lang, colours=colours)
        ax.set_title("")
        out.append((f"sensitivity_{output}", fig))
    return out


def write_sensitivity_charts(
    result: SensitivityResult, stage: Path, lang: str = "en", dpi: int = 120
) -> list[str]:
    """Write :func:`sensitivity_figures` as PNGs into ``stage`` (``_ko`` suffix in Korean);
    the file names.  Pass it to :func:`smesim.analysis.sensitivity.write_sensitivity`."""
    suffix = "" if check_lang(lang) == "en" else f"_{lang}"
    names = []
    with font_context(lang):
        for stem, fig in sensitivity_figures(result, lang, dpi):
            name = f"{stem}{suffix}.png"
            fig.savefig(Path(stage) / name, dpi=dpi)
            names.append(name)
    return names


def _lever_summary(rows, lang: str) -> list[str]:
    return [f"{lever_name(r.lever, lang)} {charts.describe_change(r, lang)}" for r in rows]


def cover_page(
    comp: Comparison, sources: Sources, lang: str, dpi: int, colours, profile: str = "korea"
) -> Figure:
    """Title, date, the scenarios with their colour and what each changes, caveats.

    Rows are laid out by measured height; a scenario's lever changes wrap
    between changes, never inside one, and the fonts shrink if the rows would
    not fit the page.
    """
    frames, _ = changed_levers(comp, profile)
    changes = lever_changes(frames, comp.reference)
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6):
        fig = _page(text("cover_title", lang), sources, lang, dpi)
        fs = 11.5 * scale
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
        y -= 0.03
        for sc in comp.scenarios:
            rows = changes[changes["scenario"] == sc.name]
            items = (
                [text("cover_reference", lang)]
                if sc.name == comp.reference
                else [f"{item};" for item in _lever_summary(rows.itertuples(), lang)] or ["-"]
            )
            if items[-1].endswith(";"):
                items[-1] = items[-1][:-1]
            what = _fit_lines(fig, items, 0.60, " ", fontsize=fs)
            body = fig.text(0.36, y, what, fontsize=fs, va="top", color="#333333", linespacing=1.3)
            name = fig.text(
                0.09,
                y,
                scenario_name(sc.name, lang),
                fontsize=15 * scale,
                va="top",
                fontweight="bold",
            )
            fig.text(
                0.06,
                y,
                "■",
                color=colours[sc.name],
                fontsize=18 * scale,
                va="top",
                family="DejaVu Sans",
            )
            r = _renderer(fig)
            low = min(body.get_window_extent(r).y0, name.get_window_extent(r).y0) / fig.bbox.height
            y = low - 0.025 * scale
        assumed = ", ".join(series_name(s, lang) for s in CANONICAL if s in ASSUMED_TREND)
        notes = [text("cover_assumed", lang, series=assumed)]
        if comp.ensemble is None:
            notes.append(text("uncertainty_missing", lang))
        note = fig.text(
            0.06,
            y - 0.02,
            "\n".join(_wrap_words(fig, n, 0.88, fontsize=11) for n in notes),
            fontsize=11,
            color="#444444",
            va="top",
        )
        src = next(t for t in fig.texts if t.get_gid() == SOURCE_GID)
        if note.get_window_extent(_renderer(fig)).y0 > src.get_window_extent(_renderer(fig)).y1:
            break
    return fig


# ---- tables on pages ---------------------------------------------------------------------
def _fmt_change(d: float) -> str:
    """A change rounded to one decimal: ``+1.2``, ``-0.4``; ``0.0`` when it rounds to 0."""
    if not math.isfinite(d):
        return "n/a"
    r = round(d, 1)
    return "0.0" if r == 0 else f"{r:+.1f}"


@dataclass(frozen=True)
class _Drawn:
    """Where a table drawn by :func:`_draw_table` ends, and whether its cells fit."""

    bottom: float
    fits: bool


def _draw_table(
    fig: Figure,
    top: float,
    header: list[list[str | None]],
    body: list[list[str]],
    *,
    fontsize: float,
    x0: float = 0.04,
    x1: float = 0.97,
    marks: Sequence[str | None] = (),
) -> _Drawn:
    """Draw a table in figure coordinates from ``top`` down.

    ``header`` rows may span columns (``None`` continues the cell to its left;
    spans are underlined) and wrap to their width.  The first column holds the
    row names (with a coloured square from ``marks``); the other columns are
    right-aligned, as wide as their widest cell plus an equal share of the
    room left.  ``fits`` is False when the cells need more than ``x1 - x0``:
    the caller draws again with a smaller font.
    """
    ncols = max(len(r) for r in [*header, *body])
    cell_pad = _width(fig, "00", fontsize=fontsize)
    mark_w = _width(fig, "■ ", fontsize=fontsize, family="DejaVu Sans") if marks else 0.0
    first = max(_width(fig, r[0], fontsize=fontsize) for r in body) + mark_w + cell_pad
    bold = {"fontsize": fontsize, "fontweight": "bold"}

    def head_width(cell: str) -> float:
        """A header cell's width wrapped to at most two lines (never below its longest word)."""
        longest = max(_width(fig, w, **bold) for w in cell.split())
        return max(longest, _width(fig, cell, **bold) / 2)

    natural = [
        max(
            [_width(fig, r[j], fontsize=fontsize) for r in body if j < len(r)]
            + [
                head_width(r[j])
                for r in header
                if j < len(r) and r[j] and (j + 1 >= len(r) or r[j + 1] is not None)
            ],
            default=0.0,
        )
        + cell_pad
        for j in range(1, ncols)
    ]
    room = (x1 - x0) - first - sum(natural)
    fits = room >= 0
    extra = max(room, 0.0) / max(ncols - 1, 1)
    widths = [first] + [w + extra for w in natural]
    lefts = [x0]
    for w in widths[:-1]:
        lefts.append(lefts[-1] + w)
    line_h = fontsize * 1.45 / 72 / SLIDE_INCHES[1]
    y = top
    for row in header:
        spans = []
        for j, cell in enumerate(row):
            if cell is None:
                spans[-1][2] += widths[j]
                spans[-1][3] += 1
            else:
                spans.append([cell, lefts[j], widths[j], 1])
        n_lines = 1
        for cell, left, width, n in spans:
            if not cell:
                continue
            first_col = left <= x0
            wrapped = _wrap_words(
                fig, cell, width - cell_pad / 2, fontsize=fontsize, fontweight="bold"
            )
            lines = wrapped.count("\n") + 1
            n_lines = max(n_lines, lines)
            fig.text(
                left if first_col else left + width - cell_pad / 4 if n == 1 else left + width / 2,
                y,
                wrapped,
                ha="left" if first_col else "right" if n == 1 else "center",
                va="top",
                fontsize=fontsize,
                fontweight="bold",
                linespacing=1.15,
                multialignment="left" if first_col else "right" if n == 1 else "center",
            )
            if n > 1:
                under = y - lines * line_h * 1.02
                fig.add_artist(
                    Line2D(
                        [left + cell_pad / 2, left + width - cell_pad / 4],
                        [under, under],
                        color="#888888",
                        linewidth=0.6,
                    )
                )
        y -= n_lines * line_h * 1.05 + (0.15 * line_h if any(s[3] > 1 for s in spans) else 0)
    fig.add_artist(Line2D([x0, x1], [y + 0.2 * line_h] * 2, color="#888888", linewidth=0.8))
    for i, row in enumerate(body):
        if i % 2 == 1:
            fig.add_artist(
                Rectangle(
                    (x0, y - 0.8 * line_h),
                    x1 - x0,
                    line_h,
                    facecolor="#F2F2F2",
                    edgecolor="none",
                    zorder=-1,
                    transform=fig.transFigure,
                )
            )
        mark = marks[i] if i < len(marks) else None
        if mark:
            fig.text(x0, y, "■", color=mark, fontsize=fontsize, va="top", family="DejaVu Sans")
        fig.text(x0 + mark_w, y, row[0], fontsize=fontsize, va="top", ha="left")
        for j in range(1, len(row)):
            fig.text(
                lefts[j] + widths[j] - cell_pad / 4,
                y,
                row[j],
                fontsize=fontsize,
                va="top",
                ha="right",
            )
        y -= line_h
    return _Drawn(y, fits)


def _change_unit(series_id: str, lang: str) -> str:
    return text("unit_pts" if BY_ID[series_id].unit.startswith("index") else "unit_pp", lang)


def scenario_effects(comp: Comparison, name: str, lang: str, most: int = 3) -> str:
    """The largest changes of ``name`` from the reference in the headline series at the last
    reporting year, largest first: ``"SME wage ratio +10.4 pp, ..."``."""
    year = comp.years[-1]
    diffs = []
    for s in HEADLINE:
        d = comp.value(name, s, year) - comp.value(comp.reference, s, year)
        if round(d, 1) != 0:
            diffs.append((abs(d), s, d))
    diffs.sort(reverse=True)
    if not diffs:
        return text("findings_no_effect", lang)
    return ", ".join(
        f"{series_name(s, lang)} "
        + text("with_unit", lang, value=_fmt_change(d), unit=_change_unit(s, lang))
        for _, s, d in diffs[:most]
    )


def scenario_summary(comp: Comparison, changes: pd.DataFrame, name: str, lang: str) -> str:
    """One line: the levers ``name`` moves (from when) and its largest headline effects."""
    if name == comp.reference:
        return text("findings_reference", lang)
    rows = changes[changes["scenario"] == name]
    if rows.empty:
        return text("findings_no_levers", lang)
    return text(
        "findings_line",
        lang,
        levers=", ".join(lever_name(lid, lang) for lid in dict.fromkeys(rows["lever"])),
        start=f"{rows['start'].min():g}",
        year=comp.years[-1],
        effects=scenario_effects(comp, name, lang),
    )


def findings_tables(
    comp: Comparison, lang: str, series: Sequence[str] = HEADLINE
) -> tuple[list, list, list]:
    """Header rows, body rows and row colours of a key-findings table: scenarios by
    (``series``, reporting year); the reference's levels, the others' changes."""
    header = [[""], [text("scenario", lang)]]
    for s in series:
        header[0] += [series_name(s, lang), *([None] * (len(comp.years) - 1))]
        header[1] += [str(y) for y in comp.years]
    body = []
    for name in comp.names:
        row = [scenario_name(name, lang)]
        for s in series:
            for y in comp.years:
                v = comp.value(name, s, y)
                if name == comp.reference:
                    row.append(f"{v:.1f}")
                else:
                    row.append(_fmt_change(v - comp.value(comp.reference, s, y)))
        body.append(row)
    return header, body, list(comp.names)


def _target_label(comp: Comparison, target: Target, lang: str) -> str:
    """``"SME wage ratio >= 60"`` (the direction resolved as in the tables)."""
    r = comp.reached
    dirs = sorted(
        set(r[(r["series"] == target.series) & (r["target"] == target.value)]["direction"])
    )
    return f"{series_name(target.series, lang)} {'/'.join(dirs)} {target.value:g}"


def _heading(fig: Figure, y: float, s: str, fontsize: float) -> float:
    """A bold section heading at ``y`` (top); the y under it."""
    fig.text(0.04, y, s, fontsize=fontsize, va="top", fontweight="bold")
    return y - fontsize * 1.7 / 72 / SLIDE_INCHES[1]


def _source_top(fig: Figure) -> float:
    src = next((t for t in fig.texts if t.get_gid() == SOURCE_GID), None)
    return _top(fig, src) if src is not None else 0.0


#: Font scales tried, largest first, until a table page fits.
_SCALES = (1.0, 0.92, 0.84, 0.76, 0.68, 0.6, 0.52)


def findings_page(
    comp: Comparison,
    sources: Sources,
    lang: str,
    dpi: int,
    colours,
    changes: pd.DataFrame,
) -> Figure:
    """Key findings: the headline table, the target years, one line per scenario.

    Sections are stacked by measured height; fonts shrink until everything fits
    the page width and stays above the source line.
    """
    ref = _reference_label(comp, lang)
    tt = table_text(lang)
    # The coexistence indices get a table of their own: the overall index with its four
    # components beside it.
    core = [s for s in HEADLINE if s not in COEXISTENCE]
    coex = [s for s in HEADLINE if s in COEXISTENCE]
    tables = [
        ("findings_table", findings_tables(comp, lang, core)),
        ("findings_coexistence", findings_tables(comp, lang, coex)),
    ]
    for scale in _SCALES:
        fig = _page(text("findings_title", lang), sources, lang, dpi)
        fs = 11.5 * scale
        gap = 0.04 * scale
        y, fits = 0.9 + gap, True
        for key, (header, body, names) in tables:
            y = _heading(fig, y - gap, text(key, lang, reference=ref), fs + 1)
            drawn = _draw_table(
                fig, y, header, body, fontsize=fs, marks=[colours[n] for n in names]
            )
            y, fits = drawn.bottom, fits and drawn.fits
        if comp.targets:
            y = _heading(fig, y - gap, text("findings_targets", lang), fs + 1)
            rows = [
                [_target_label(comp, t, lang), *(comp.reach_text(n, t, tt) for n in comp.names)]
                for t in comp.targets
            ]
            head = [[text("target", lang), *(scenario_name(n, lang) for n in comp.names)]]
            drawn = _draw_table(fig, y, head, rows, fontsize=fs)
            y, fits = drawn.bottom, fits and drawn.fits
        y = _heading(fig, y - gap, text("findings_changes", lang, reference=ref), fs + 1)
        indent = 0.04 + max(
            _width(fig, f"■ {scenario_name(n, lang)}  ", fontsize=fs, fontweight="bold")
            for n in comp.names
        )
        for name in comp.names:
            fig.text(0.04, y, "■", color=colours[name], fontsize=fs, va="top", family="DejaVu Sans")
            mark_w = _width(fig, "■ ", fontsize=fs, family="DejaVu Sans")
            fig.text(
                0.04 + mark_w,
                y,
                scenario_name(name, lang),
                fontsize=fs,
                va="top",
                fontweight="bold",
            )
            summary = scenario_summary(comp, changes, name, lang)
            line = fig.text(
                indent,
                y,
                _wrap_words(fig, summary, 0.97 - indent, fontsize=fs),
                fontsize=fs,
                va="top",
                color="#222222",
            )
            y = _bottom(fig, line) - 0.35 * fs / 72 / SLIDE_INCHES[1]
        if fits and y > _source_top(fig) + _PAD:
            break
    return fig


def _bottom(fig: Figure, artist) -> float:
    return artist.get_window_extent(_renderer(fig)).y0 / fig.bbox.height


#: Scenario columns on one appendix page (the reference repeats on every page).
APPENDIX_COLUMNS = 6


def _appendix_cell(comp: Comparison, name: str, series_id: str, year: int) -> str:
    """``"50.79 (+0.03)"``: level and change from the reference (points); the reference's
    level alone.  (The change in % is in ``comparison.csv`` and ``comparison.md``.)"""
    v = comp.value(name, series_id, year)
    if name == comp.reference:
        return f"{v:.2f}"
    d = round(v - comp.value(comp.reference, series_id, year), 2) + 0.0  # no "-0.00"
    return f"{v:.2f} ({d:+.2f})"


def appendix_pages(comp: Comparison, sources: Sources, lang: str, dpi: int) -> list[Figure]:
    """Every canonical output at each reporting year: one page a year (more when there are
    many scenarios); cells: level (change from the reference in points)."""
    tt = table_text(lang)
    others = [n for n in comp.names if n != comp.reference]
    per = APPENDIX_COLUMNS - 1
    groups = [others[i : i + per] for i in range(0, len(others), per)] or [[]]
    labels = [f"{series_name(s, lang)} [{unit_name(BY_ID[s].unit, lang)}]" for s in CANONICAL]
    figs = []
    for year in comp.years:
        for group in groups:
            names = [comp.reference, *group]
            rows = [
                [label, *(_appendix_cell(comp, n, s, year) for n in names)]
                for label, s in zip(labels, CANONICAL, strict=True)
            ]
            head = [[text("output", lang), *(scenario_name(n, lang) for n in names)]]
            for scale in _SCALES:
                fig = _page(text("appendix_title", lang, year=year), sources, lang, dpi)
                fs = 11 * scale
                drawn = _draw_table(fig, 0.9, head, rows, fontsize=fs)
                note = fig.text(
                    0.04,
                    drawn.bottom - 0.01,
                    text(
                        "appendix_note",
                        lang,
                        reference=_reference_label(comp, lang),
                        suffix=tt.suffix,
                    ),
                    fontsize=fs,
                    va="top",
                    color="#444444",
                )
                if drawn.fits and _bottom(fig, note) > _source_top(fig):
                    break
            figs.append(fig)
    return figs


def _quiet(logger_name: str) -> None:
    log = logging.getLogger(logger_name)
    if log.level < logging.ERROR:
        log.setLevel(logging.ERROR)


# ---- what drives the divergence: loop dominance of the baseline ----------------------------
#: Loop families the divergence page colours (the others are grey).
LOOP_COLOURS = 5


def _loop_label(fam, lang: str) -> str:
    """A declared loop by its number and name; another by its id and stocks."""
    if fam.declared is not None:
        return f"({fam.declared}) {loop_name(fam.name, lang)}"
    arrow = f" {text('arrow', lang)} "
    if len(fam.stocks) <= 2:
        return f"{fam.key}: {arrow.join(fam.stocks)}"
    n = text("loops_stocks", lang, n=len(fam.stocks))
    return f"{fam.key}: {fam.stocks[0]}{arrow}…{arrow}{fam.stocks[-1]} ({n})"


def dominance_page(dom: Dominance, sources, lang: str, dpi: int) -> Figure:
    """Relative scores of the main loops over time (left) and the loop that dominates each
    headline output in each year (right), for the baseline
    (:func:`smesim.analysis.dominance.scenario_dominance`)."""
    fig = _page(text("loops_title", lang), sources, lang, dpi)
    rel = dom.family_relative
    periods = dom.periods
    held = (periods["to"] - periods["from"] + 1).groupby(periods["family"]).sum()
    order = list(held.sort_values(ascending=False, kind="stable").index)
    order += [k for k in rel.abs().mean().sort_values(ascending=False).index if k not in order]
    shown = order[:LOOP_COLOURS]
    colour = {k: charts.FACTOR_PALETTE[i] for i, k in enumerate(shown)}
    fams = {f.key: f for f in dom.families}
    left, right = fig.subplots(1, 2, width_ratios=(1.25, 1))
    years = rel.index.to_numpy()
    left.axhline(0.0, color="#888888", linewidth=0.8)
    for k in shown:
        left.plot(years, rel[k].to_numpy(), color=colour[k], linewidth=2.0)
    left.set_title(text("loops_scores", lang), fontsize=12)
    left.set_xlabel(text("year", lang))
    left.set_ylabel(text("loops_ylabel", lang))
    left.grid(alpha=0.3)
    outputs = [o for o in dom.outputs if o in set(periods["output"])]
    for row, out in enumerate(outputs):
        for p in periods[periods["output"] == out].to_dict("records"):
            right.broken_barh(
                [(p["from"] - 0.5, p["to"] - p["from"] + 1)],
                (row - 0.4, 0.8),
                color=colour.get(p["family"], "#BBBBBB"),
            )
    right.set_yticks(range(len(outputs)), [short_name(o, lang) for o in outputs])
    right.invert_yaxis()
    right.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    right.set_title(text("loops_dominance", lang), fontsize=12)
    right.set_xlabel(text("year", lang))
    right.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], color=colour[k], linewidth=3) for k in shown]
    labels = [_loop_label(fams[k], lang) for k in shown]
    handles.append(Patch(color="#BBBBBB"))
    labels.append(text("loops_other", lang))
    _footer(fig, handles, labels, caption=text("loops_caption", lang), ncols=2, caption_size=10)
    return fig


#: Pages only in the PDF (no PNG/SVG of their own): the cover and the appendix tables.
PDF_ONLY = ("cover", "appendix")


def build_figures(
    comp: Comparison,
    sources: Sources,
    *,
    lang: str = "en",
    dpi: int = DEFAULT_DPI,
    profile: str = "korea",
    sensitivity=None,
    dominance: Dominance | None = None,
) -> list[tuple[str, Figure]]:
    """Every page of the pack as ``(file stem, Figure)``: cover, key findings, charts, appendix.

    Stems starting with one of :data:`PDF_ONLY` are PDF pages only.
    """
    colours = charts.scenario_colours(comp.names)
    ens = comp.ensemble
    bands = getattr(ens, "bands", None) if ens is not None else None
    probs = getattr(ens, "probabilities", None) if ens is not None else None
    frames, _ = changed_levers(comp, profile)
    changes = lever_changes(frames, comp.reference)
    start = policy_start(changes)
    pages: list[tuple[str, Figure]] = [
        ("cover", cover_page(comp, sources, lang, dpi, colours, profile)),
        ("key_findings", findings_page(comp, sources, lang, dpi, colours, changes)),
    ]
    hist = history_pages(comp, sources, lang, dpi, bands=bands)
    pages += [(f"history_{i}", f) for i, f in enumerate(hist, 1)]
    pages.append(("headline", headline_page(comp, sources, lang, dpi, colours, start)))
    pages.append(("coexistence_dashboard", dashboard_page(comp, sources, lang, dpi)))
    pages.append(
        ("coexistence_paths", coexistence_paths_page(comp, sources, lang, dpi, colours, start))
    )
    pages.append(("levers", lever_page(comp, sources, lang, dpi, colours, profile)))
    if dominance is not None:
        pages.append(("loop_dominance", dominance_page(dominance, sources, lang, dpi)))
    if bands is not None and not bands.empty:
        for s in HEADLINE_CHART:
            page = uncertainty_page(comp, sources, lang, dpi, colours, bands, s, start)
            pages.append((f"uncertainty_{s}", page))
    if probs is not None and not probs.empty:
        pages.append(("probabilities", probability_page(comp, sources, lang, dpi, probs)))
    if sensitivity is not None and not sensitivity.table.empty:
        pages.append(("sensitivity", sensitivity_page(sensitivity, sources, lang, dpi)))
    appendix = appendix_pages(comp, sources, lang, dpi)
    pages += [(f"appendix_{i}", f) for i, f in enumerate(appendix, 1)]
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
    dominance = scenario_dominance(
        "baseline", profile=profile, params_file=params_file, until=comp.end, years=()
    ).result
    suffix = "" if lang == "en" else f"_{lang}"
    out_dir = Path(out_dir)
    written: list[str] = []
    with staged_files(out_dir) as stage:
        written += write_tables(stage, comp, text=table_text(lang))
        with font_context(lang), scenario_titles(comp.scenarios):
            pages = build_figures(
                comp,
                sources,
                lang=lang,
                dpi=dpi,
                profile=profile,
                sensitivity=sens,
                dominance=dominance,
            )
            for stem, fig in pages:
                if stem.startswith(PDF_ONLY):
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
