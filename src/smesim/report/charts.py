"""Plot functions: each draws on one matplotlib Axes and returns it.

Every function takes an optional ``ax`` (a new Agg-backed
:class:`matplotlib.figure.Figure` is made when omitted) and returns the Axes,
so a briefing page, a notebook or a test can compose and inspect them.  No
pyplot global state is used.

Colours: the Okabe-Ito palette (safe for the common colour-vision
deficiencies).  :func:`scenario_colours` gives each scenario one colour for a
whole pack: the baseline is always black (and dashed), bundled scenarios keep
fixed colours across packs, others take the remaining colours in order.

Text is looked up in :mod:`smesim.report.i18n`; wrap drawing *and* saving in
:func:`smesim.report.i18n.font_context` for Korean.

Notes a chart needs to be read right ("same as the baseline: ...", "ST above 1
is sampling error ...") go under its x axis, in the x-label, where the layout
makes room for them and they cannot cover data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from smesim.analysis.sensitivity import CONF_LEVEL
from smesim.errors import ParameterError
from smesim.model.horizon import DEFAULT_END_YEAR, START_YEAR
from smesim.model.outputs import ASSUMED_TREND, COEXISTENCE, COEXISTENCE_COMPONENTS
from smesim.report.i18n import (
    base_short_name,
    lever_name,
    lever_unit,
    scenario_name,
    series_name,
    series_unit,
    short_name,
    text,
    trend_tag,
)

BASELINE = "baseline"

#: Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_FIXED = {
    BASELINE: OKABE_ITO["black"],
    "rd_support_france": OKABE_ITO["blue"],
    "rd_support_uk": OKABE_ITO["sky_blue"],
    "rd_support_usa": OKABE_ITO["reddish_purple"],
    "regional_dispersion": OKABE_ITO["bluish_green"],
    "coexistence_package": OKABE_ITO["vermillion"],
}
# Yellow last: it is faint on white.
_SPARE = (OKABE_ITO["orange"], "#7F7F7F", OKABE_ITO["yellow"])


def panel_title(series_id: str, lang: str = "en") -> str:
    """A panel's title: the series name, its trend tag on a second line when the whole
    would not fit a third of a page."""
    title = series_name(series_id, lang)
    if len(title) > 28 and title.endswith(")") and " (" in title:
        head, _, tag = title.rpartition(" (")
        return f"{head}\n({tag}"
    return title


def scenario_colours(names: Iterable[str]) -> dict[str, str]:
    """One colour per scenario name, stable across charts and packs."""
    names = list(dict.fromkeys(names))
    used = {_FIXED[n] for n in names if n in _FIXED}
    spare = [c for c in (*_SPARE, *OKABE_ITO.values()) if c not in used]
    out = {}
    for name in names:
        if name in _FIXED:
            out[name] = _FIXED[name]
        else:
            out[name] = spare.pop(0) if spare else "#7F7F7F"
    return out


def new_axes(figsize=(8.0, 4.5)) -> Axes:
    """One Axes on a fresh Agg figure (no pyplot)."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _style(name: str, colours: Mapping[str, str]) -> dict:
    if name == BASELINE:
        return {
            "color": colours.get(name, "#000000"),
            "linestyle": "--",
            "linewidth": 2.4,
            "zorder": 5,
        }
    return {"color": colours.get(name, "#7F7F7F"), "linestyle": "-", "linewidth": 2.4, "zorder": 3}


def _band_rows(bands: pd.DataFrame | None, scenario: str, series_id: str) -> pd.DataFrame:
    if bands is None or bands.empty:
        return pd.DataFrame()
    rows = bands[(bands["scenario"] == scenario) & (bands["series"] == series_id)]
    return rows.sort_values("year")


def plot_fan(
    bands: pd.DataFrame,
    series_id: str,
    scenario: str,
    ax: Axes | None = None,
    colour: str = "#000000",
    lang: str = "en",
    label: bool = True,
) -> Axes:
    """Fan chart of one scenario: 5-95 % and 25-75 % bands and the median (dotted).

    ``bands`` has columns scenario, series, year, p5, p25, p50, p75, p95
    (:func:`smesim.analysis.ensemble.run_ensemble`).
    """
    ax = ax or new_axes()
    rows = _band_rows(bands, scenario, series_id)
    if rows.empty:
        return ax
    y = rows["year"].to_numpy()
    ax.fill_between(
        y,
        rows["p5"],
        rows["p95"],
        color=colour,
        alpha=0.12,
        linewidth=0,
        label=text("band_90", lang) if label else None,
        zorder=1,
    )
    ax.fill_between(
        y,
        rows["p25"],
        rows["p75"],
        color=colour,
        alpha=0.25,
        linewidth=0,
        label=text("band_50", lang) if label else None,
        zorder=2,
    )
    ax.plot(
        y,
        rows["p50"],
        color=colour,
        linestyle=":",
        linewidth=1.6,
        label=text("median", lang) if label else None,
        zorder=2,
    )
    return ax


def plot_scenarios(
    series_id: str,
    frames: Mapping[str, pd.DataFrame],
    ax: Axes | None = None,
    *,
    colours: Mapping[str, str] | None = None,
    lang: str = "en",
    bands: pd.DataFrame | None = None,
    start: int | None = None,
    end: int | None = None,
    legend: bool = True,
    policy_start: float | None = None,
    xlabel: bool = True,
) -> Axes:
    """One series for every scenario: a line each, the baseline dashed black.

    Coinciding paths stay visible: a scenario on the baseline's path (within
    0.1 % of the data's range, over the years shown) is drawn as a wide band
    of its colour under the baseline's dashes, and the x-label says "same as
    the baseline: ..."; a scenario on the path of another one drawn before it
    is dashed, so both colours show.

    Parameters
    ----------
    frames : mapping scenario name -> year-indexed DataFrame holding ``series_id``
        (e.g. :meth:`smesim.engine.simulate.Result.frame`).
    bands : optional ensemble bands; each scenario's fan is drawn under its line.
    start, end : optional year range shown.
    policy_start : optional year marked by a thin vertical line and its label.
    xlabel : label the x axis "Year" (notes are shown either way).
    """
    ax = ax or new_axes()
    colours = colours or scenario_colours(frames)
    shown = {
        n: f[series_id].loc[(start or f.index.min()) : (end or f.index.max())]
        for n, f in frames.items()
    }
    values = np.concatenate([s.to_numpy(dtype=float) for s in shown.values()])
    tol = 1e-3 * max(float(np.nanmax(values) - np.nanmin(values)), 1e-12)
    base = shown[BASELINE].to_numpy(dtype=float) if BASELINE in shown else None
    on_base = [
        n
        for n, s in shown.items()
        if n != BASELINE
        and base is not None
        and len(s) == len(base)
        and float(np.nanmax(np.abs(s.to_numpy(dtype=float) - base))) <= tol
    ]
    others = [n for n in frames if n != BASELINE and n not in on_base]
    drawn: list[np.ndarray] = []
    for k, name in enumerate(on_base):
        # Nested bands, widest first, under the baseline's dashes.
        s = shown[name]
        if bands is not None:
            plot_fan(
                bands, series_id, name, ax=ax, colour=colours.get(name, "#7F7F7F"), label=False
            )
        ax.plot(
            s.index.to_numpy(),
            s.to_numpy(dtype=float),
            label=scenario_name(name, lang),
            color=colours.get(name, "#7F7F7F"),
            linewidth=2.4 + 2.4 * (len(on_base) - k),
            solid_capstyle="butt",
            zorder=3 + k / 10,
        )
    for name in [*others, *([BASELINE] if BASELINE in frames else [])]:
        s = shown[name]
        if bands is not None:
            plot_fan(
                bands,
                series_id,
                name,
                ax=ax,
                colour=colours.get(name, "#7F7F7F"),
                lang=lang,
                label=False,
            )
        style = _style(name, colours)
        y = s.to_numpy(dtype=float)
        if name != BASELINE and any(
            d.shape == y.shape and np.allclose(d, y, rtol=1e-9, atol=1e-9) for d in drawn
        ):
            # Same path as a scenario already drawn: dash it so both colours show.
            style = {**style, "linestyle": (4, (4, 4)), "zorder": 4}
        drawn.append(y)
        ax.plot(s.index.to_numpy(), y, label=scenario_name(name, lang), **style)
    if policy_start is not None:
        mark_policy_start(ax, policy_start, lang)
    # No-break spaces keep each name on one line when the note wraps.
    names = ", ".join(scenario_name(n, lang).replace(" ", NBSP) for n in on_base)
    note = text("same_as_baseline", lang, names=names) if on_base else None
    return _finish_series_axes(ax, series_id, lang, legend, note=note, xlabel=xlabel)


#: Colours of the four coexistence components (the overall index is black and thick).
COMPONENT_COLOURS = dict(
    zip(
        COEXISTENCE_COMPONENTS,
        (OKABE_ITO["blue"], OKABE_ITO["bluish_green"], OKABE_ITO["orange"], OKABE_ITO["sky_blue"]),
        strict=True,
    )
)


def plot_coexistence_components(
    frame: pd.DataFrame, ax: Axes | None = None, *, lang: str = "en", legend: bool = True
) -> Axes:
    """The overall coexistence index of one run with its four components beside it.

    The overall index is thick and black; each component is a line of its own
    colour, dashed when its trend is partly or wholly assumed
    (:data:`smesim.model.outputs.ASSUMED_TREND`), and the legend names carry
    the same "assumed trend" tag as every other label.
    """
    ax = ax or new_axes()
    years = frame.index.to_numpy()
    for s in COEXISTENCE_COMPONENTS:
        ax.plot(
            years,
            frame[s].to_numpy(dtype=float),
            color=COMPONENT_COLOURS[s],
            linewidth=1.8,
            linestyle=(0, (5, 2)) if s in ASSUMED_TREND else "-",
            label=short_name(s, lang),
        )
    ax.plot(
        years,
        frame["coexistence_overall"].to_numpy(dtype=float),
        color=OKABE_ITO["black"],
        linewidth=3.0,
        label=short_name("coexistence_overall", lang),
        zorder=4,
    )
    ax.set_ylim(0, 100 + 85 * legend)  # room for the legend above the lines
    ax.set_yticks(range(0, 101, 20))
    ax.set_title(text("coexistence_components_title", lang))
    ax.set_ylabel(series_unit(COEXISTENCE[-1], lang))
    ax.grid(True, alpha=0.3)
    if legend:
        # above the 0-100 range the lines never enter, so no line hides behind a name
        # (below the top edge, where a policy-start label goes)
        ax.legend(
            fontsize="x-small",
            loc="upper right",
            bbox_to_anchor=(1, 0.91),
            labelspacing=0.25,
            framealpha=1,
            edgecolor="none",
        )
    return ax


def mark_policy_start(ax: Axes, year: float, lang: str = "en") -> Axes:
    """A thin vertical line at ``year`` labelled "policy start <year>" at the top of ``ax``."""
    ax.axvline(year, color="#666666", linewidth=0.9, zorder=1.5)
    ax.text(
        year,
        0.985,
        f" {text('policy_start', lang, year=f'{year:g}')}",
        transform=blended_transform_factory(ax.transData, ax.transAxes),
        ha="left",
        va="top",
        fontsize="x-small",
        color="#444444",
        zorder=6,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 1.0},
    )
    return ax


def plot_history(
    series_id: str,
    baseline: pd.DataFrame,
    points: pd.DataFrame | None = None,
    ax: Axes | None = None,
    *,
    lang: str = "en",
    first_model_year: int = START_YEAR,
    bands: pd.DataFrame | None = None,
    legend: bool = True,
) -> Axes:
    """The baseline run of one series with the release data points over it.

    Points before ``first_model_year`` are drawn hollow (history the model does
    not start from); points from it on are filled (what calibration fits),
    except those of weight 0 (kept for the record, not fitted): grey diamonds.

    Parameters
    ----------
    baseline : year-indexed DataFrame of the baseline run.
    points : release points (columns series, year, value, ...); rows of other
        series are ignored.
    """
    ax = ax or new_axes()
    s = baseline[series_id]
    if bands is not None:
        plot_fan(bands, series_id, BASELINE, ax=ax, lang=lang, label=False)
    ax.plot(
        s.index.to_numpy(),
        s.to_numpy(),
        color="#000000",
        linewidth=2.2,
        label=text("model_baseline", lang),
        zorder=3,
    )
    pts = (
        points[points["series"] == series_id]
        if points is not None and not points.empty
        else pd.DataFrame(columns=["year", "value"])
    )
    weight = pts["weight"] if "weight" in pts else pd.Series(1.0, index=pts.index)
    old = pts[pts["year"] < first_model_year]
    new = pts[(pts["year"] >= first_model_year) & (weight > 0)]
    unfitted = pts[(pts["year"] >= first_model_year) & (weight <= 0)]
    if not new.empty:
        ax.scatter(
            new["year"],
            new["value"],
            s=70,
            color=OKABE_ITO["vermillion"],
            edgecolor="white",
            linewidth=0.8,
            label=text("data_fit", lang),
            zorder=4,
        )
    if not old.empty:
        ax.scatter(
            old["year"],
            old["value"],
            s=70,
            facecolor="none",
            edgecolor=OKABE_ITO["vermillion"],
            linewidth=1.8,
            label=text("data_history", lang),
            zorder=4,
        )
    if not unfitted.empty:
        ax.scatter(
            unfitted["year"],
            unfitted["value"],
            s=70,
            marker="D",
            facecolor="none",
            edgecolor="#555555",
            linewidth=1.6,
            label=text("data_unfitted", lang),
            zorder=4,
        )
    if pts.empty:
        ax.text(
            0.5,
            0.92,
            text("no_release_data", lang),
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize="small",
            color="#555555",
        )
    return _finish_series_axes(ax, series_id, lang, legend)


def plot_coexistence_heatmap(
    levels: pd.DataFrame,
    ax: Axes | None = None,
    *,
    lang: str = "en",
    reference: str | None = BASELINE,
    colour_by: str = "change",
) -> Axes:
    """Scenarios (rows) by index and year (columns): levels with their change.

    Each cell shows the level (0-100) and, for scenarios other than
    ``reference``, the change from the reference in index points.  Cells are
    coloured by that change (``colour_by="change"``: brown-teal, teal = better
    than the reference, scaled to the data: the teal half from 0 to the largest
    change when no change is negative, the brown half when none is positive,
    the whole diverging palette centred on 0 only when changes have both signs)
    or by the level (``"level"``, sequential, 0-100).  The image is
    ``ax.images[0]``; its norm's vmin and vmax are the colour bar's range.

    Parameters
    ----------
    levels : DataFrame indexed by scenario name, with (series id, year)
        MultiIndex columns (:meth:`smesim.analysis.compare.Comparison.levels`).
    """
    ax = ax or new_axes((11.0, 4.5))
    data = levels.to_numpy(dtype=float)
    ref = (
        levels.loc[reference].to_numpy(dtype=float)
        if reference is not None and reference in levels.index
        else None
    )
    if colour_by == "change" and ref is not None:
        change = data - ref[None, :]
        cmap, norm = change_scale(change)
        image = ax.imshow(change, cmap=cmap, norm=norm, aspect="auto")
        shade = norm(change)
    elif colour_by in ("change", "level"):
        image = ax.imshow(data, cmap="YlGnBu", vmin=0.0, vmax=100.0, aspect="auto")
        shade = data / 100.0
    else:
        raise ValueError(f"colour_by must be 'change' or 'level' (got {colour_by!r})")
    for i, name in enumerate(levels.index):
        for j in range(data.shape[1]):
            v = data[i, j]
            label = f"{v:.0f}"
            if ref is not None and name != reference:
                d = round(v - ref[j], 1) + 0.0  # no "-0.0"
                label += f"\n({d:+.1f})"
            r, g, b, _ = image.cmap(shade[i, j])
            light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
            ax.text(
                j,
                i,
                label,
                ha="center",
                va="center",
                fontsize="small",
                color="black" if light else "white",
            )
    _group_columns(ax, list(levels.columns), lang)
    ax.set_yticks(range(len(levels.index)), [scenario_name(n, lang) for n in levels.index])
    for i in range(1, len(levels.index)):
        ax.axhline(i - 0.5, color="white", linewidth=1)
    ax.set_ylim(len(levels.index) - 0.5, -0.5)
    return ax


def change_scale(change: np.ndarray, eps: float = 0.05) -> tuple[ListedColormap, Normalize]:
    """Colour map and norm of changes from a reference (teal: better), scaled to the data.

    Changes all >= 0: the teal half of BrBG from 0 to the largest; all <= 0: the
    brown half from the smallest to 0; both signs: all of BrBG, symmetric around 0
    (a small change looks small on either side).  A change within ``eps`` of 0
    (shown as +0.0 in the cells) counts as 0 for that choice.
    """
    full = colormaps["BrBG"]
    lo, hi = float(np.nanmin(change)), float(np.nanmax(change))
    if lo >= -eps:
        cmap = ListedColormap(full(np.linspace(0.5, 1.0, 256)), name="BrBG_teal")
        return cmap, Normalize(0.0, 1.0 if hi <= eps else hi)
    if hi <= eps:
        cmap = ListedColormap(full(np.linspace(0.0, 0.5, 256)), name="BrBG_brown")
        return cmap, Normalize(lo, 0.0)
    lim = max(-lo, hi)
    return ListedColormap(full(np.linspace(0.0, 1.0, 256)), name="BrBG"), Normalize(-lim, lim)


def plot_lever_paths(
    lever_id: str,
    paths: Mapping[str, pd.Series],
    ax: Axes | None = None,
    *,
    colours: Mapping[str, str] | None = None,
    lang: str = "en",
    legend: bool = False,
) -> Axes:
    """One lever's path over time in every scenario.

    Coincident paths stay visible: lines are drawn widest first (nested
    stripes), the baseline dashed on top.

    Parameters
    ----------
    paths : mapping scenario name -> Series of lever values indexed by time
        (:func:`smesim.analysis.compare.lever_frame`).
    """
    ax = ax or new_axes()
    colours = colours or scenario_colours(paths)
    others = [n for n in paths if n != BASELINE]
    for k, name in enumerate(others):
        s = paths[name]
        ax.plot(
            s.index.to_numpy(),
            s.to_numpy(),
            color=colours.get(name, "#7F7F7F"),
            linewidth=2.0 + 2.5 * (len(others) - 1 - k),
            solid_capstyle="butt",
            label=scenario_name(name, lang),
            zorder=2 + k,
        )
    if BASELINE in paths:
        s = paths[BASELINE]
        ax.plot(
            s.index.to_numpy(),
            s.to_numpy(),
            label=scenario_name(BASELINE, lang),
            **{**_style(BASELINE, colours), "linewidth": 1.8, "zorder": 10},
        )
    ax.set_title(lever_name(lever_id, lang))
    ax.set_ylabel(lever_unit(lever_id, lang))
    ax.grid(True, alpha=0.3)
    lo, hi = ax.get_ylim()
    pad = max(0.05 * (hi - lo), 0.02 if hi <= 1.5 else 0.5)
    ax.set_ylim(lo - pad, hi + pad)
    if legend:
        ax.legend(frameon=False)
    return ax


def describe_change(row, lang: str = "en") -> str:
    """``"4.17 → 19.86 %  (2026-2031)"``: one row of :func:`~smesim.analysis.compare.lever_changes`.

    (one lever change of a scenario)
    """
    unit = " %" if lever_unit(row.lever, "en").startswith("%") else ""
    arrow = text("arrow", lang)
    change = f"{row.before:g} {arrow} {row.peak:g}"
    if abs(row.final - row.peak) > 1e-9:
        change += f" {arrow} {row.final:g}"
    when = f"{row.start:g}" if row.settled - row.start < 0.5 else f"{row.start:g}-{row.settled:g}"
    return f"{change}{unit}  ({when})"


def plot_lever_changes(
    changes: pd.DataFrame,
    ax: Axes | None = None,
    *,
    colours: Mapping[str, str] | None = None,
    lang: str = "en",
    start: float = START_YEAR,
    end: float = DEFAULT_END_YEAR,
) -> Axes:
    """Gantt-like chart of what each scenario changes, when and by how much.

    One row per (scenario, lever) of ``changes``
    (:func:`smesim.analysis.compare.lever_changes`): a solid bar while the lever moves
    (``start`` to ``settled``), a pale bar while it is held at its new value,
    and a label "lever: before -> final unit".  A legend above the axes says
    what the dark and pale bars mean.

    Returns the Axes; its y tick labels are the lever names, rows grouped by
    scenario with the scenario's name above its group.
    """
    ax = ax or new_axes((12.0, 6.0))
    colours = colours or scenario_colours(changes["scenario"])
    ylabels, y = [], 0
    group_tops = []
    for name, rows in changes.groupby("scenario", sort=False):
        colour = colours.get(name, "#7F7F7F")
        group_tops.append((y, name, colour))
        y += 1  # the group's title row
        for r in rows.itertuples():
            moving = max(r.settled - r.start, 0.4)
            ax.barh(y, moving, left=r.start, height=0.62, color=colour, zorder=3)
            if r.settled < end:
                ax.barh(
                    y,
                    end - r.settled,
                    left=r.settled,
                    height=0.62,
                    color=colour,
                    alpha=0.28,
                    zorder=2,
                    linewidth=0,
                )
            label = describe_change(r, lang)
            ax.text(
                max(r.settled, r.start + moving) + 0.6,
                y,
                label,
                ha="left",
                va="center",
                fontsize="small",
                zorder=4,
            )
            ylabels.append((y, lever_name(r.lever, lang)))
            y += 1
    for top, name, colour in group_tops:
        ax.text(
            start + 0.4,
            top,
            scenario_name(name, lang),
            ha="left",
            va="center",
            fontweight="bold",
            color="#000000",
        )
        ax.plot([start], [top], alpha=0)  # keeps the row inside the data limits
        ax.scatter([start - 0.3], [top], marker="s", s=110, color=colour, clip_on=False)
    ax.set_yticks([p for p, _ in ylabels], [lab for _, lab in ylabels])
    ax.set_ylim(max(y, 8) - 0.5, -0.7)  # at least 8 rows: few bars stay slim
    ax.legend(
        [Patch(color="#555555"), Patch(color="#555555", alpha=0.28, linewidth=0)],
        [text("lever_moving", lang), text("lever_held", lang)],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        frameon=False,
        fontsize="small",
    )
    ax.set_xlim(start, end)
    ax.set_xlabel(text("year", lang))
    ax.grid(True, axis="x", alpha=0.3)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    return ax


def _group_columns(ax: Axes, cols: list, lang: str) -> None:
    """Year tick labels under (series, year) columns, series names above each group (an
    assumed trend's tag on a second line, so narrow groups stay apart)."""
    ax.set_xticks(range(len(cols)), [str(y) for _, y in cols])
    ax.tick_params(length=0)
    groups = list(dict.fromkeys(s for s, _ in cols))
    for g in groups:
        idx = [j for j, (s, _) in enumerate(cols) if s == g]
        tag = trend_tag(g, lang)
        ax.text(
            np.mean(idx),
            -0.6,
            f"{base_short_name(g, lang)}\n{wrap_display(f'({tag})', max(15, 5 * len(idx)))}"
            if tag
            else short_name(g, lang),
            ha="center",
            va="bottom",
            fontweight="bold",
            transform=ax.transData,
        )
        if idx[0] > 0:
            ax.axvline(idx[0] - 0.5, color="white", linewidth=4)
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_probabilities(
    probabilities: pd.DataFrame, ax: Axes | None = None, *, lang: str = "en", no_effect=frozenset()
) -> Axes:
    """Heatmap of P(scenario beats the baseline): scenarios by (index, year).

    ``probabilities`` has columns scenario, index, year, p_beats_baseline (0-1).
    Colours: brown-teal diverging around 50 % (teal: likely better).  Cells
    in ``no_effect`` (``(scenario, index, year)`` where the scenario leaves
    the index unchanged) are blank and marked "=": a probability of 0 there
    means "equal", not "worse".
    """
    ax = ax or new_axes((11.0, 4.5))
    table = probabilities.pivot_table(
        index="scenario", columns=["index", "year"], values="p_beats_baseline", sort=False
    )
    data = table.to_numpy(dtype=float)
    mask = np.array(
        [[(n, s, y) in no_effect for s, y in table.columns] for n in table.index], dtype=bool
    ).reshape(data.shape)
    image = ax.imshow(
        np.ma.masked_array(data, mask), cmap="BrBG", vmin=0.0, vmax=1.0, aspect="auto"
    )
    ax.set_facecolor("#EEEEEE")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if mask[i, j]:
                ax.text(j, i, "=", ha="center", va="center", color="#555555")
                continue
            r, g, b, _ = image.cmap(data[i, j])
            light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
            ax.text(
                j,
                i,
                f"{100 * data[i, j]:.0f}%",
                ha="center",
                va="center",
                fontsize="small",
                color="black" if light else "white",
            )
    _group_columns(ax, list(table.columns), lang)
    ax.set_yticks(range(len(table.index)), [scenario_name(n, lang) for n in table.index])
    for i in range(1, len(table.index)):
        ax.axhline(i - 0.5, color="white", linewidth=1)
    ax.set_ylim(len(table.index) - 0.5, -0.5)
    ax.set_title(text("probability_title", lang), pad=28)
    return ax


def plot_uncertainty(
    series_id: str,
    bands: pd.DataFrame,
    scenario: str,
    ax: Axes | None = None,
    *,
    colours: Mapping[str, str] | None = None,
    lang: str = "en",
    frames: Mapping[str, pd.DataFrame] | None = None,
    reference: str = BASELINE,
) -> Axes:
    """One scenario's fan against the reference's fan (grey) for one series.

    The medians are dotted; with ``frames`` the point-estimate runs are drawn
    too (solid; the reference dashed black; a scenario run on the reference's
    path as a wide band under its dashes).
    """
    ax = ax or new_axes()
    colours = colours or scenario_colours([reference, scenario])
    plot_fan(bands, series_id, reference, ax=ax, colour="#7F7F7F", lang=lang, label=False)
    plot_fan(
        bands,
        series_id,
        scenario,
        ax=ax,
        colour=colours.get(scenario, "#7F7F7F"),
        lang=lang,
        label=False,
    )
    if frames is not None:
        same = (
            scenario in frames
            and reference in frames
            and np.allclose(frames[scenario][series_id], frames[reference][series_id], atol=1e-6)
        )
        for name in (scenario, reference):
            if name in frames:
                s = frames[name][series_id]
                style = _style(name, colours)
                if same and name == scenario:  # on the reference's path: a band under it
                    style = {**style, "linewidth": 5.4, "solid_capstyle": "butt"}
                ax.plot(
                    s.index.to_numpy(),
                    s.to_numpy(),
                    label=scenario_name(name, lang),
                    **style,
                )
    ax.set_title(scenario_name(scenario, lang))
    ax.set_ylabel(series_unit(series_id, lang))
    ax.grid(True, alpha=0.3)
    return ax


def legend_handles(names: Sequence[str], colours: Mapping[str, str], lang: str = "en"):
    """Line handles and labels for a figure-level legend of scenarios."""
    handles = [
        Line2D([], [], **{k: v for k, v in _style(n, colours).items() if k != "zorder"})
        for n in names
    ]
    return handles, [scenario_name(n, lang) for n in names]


def uncertainty_legend(
    names: Sequence[str], colours: Mapping[str, str], reference: str = BASELINE, lang: str = "en"
):
    """Handles and labels explaining :func:`plot_uncertainty` panels of ``names``.

    Each scenario entry shows one swatch per scenario, in its colour; pass
    ``handler_map`` (the third value) to ``legend``.
    """
    cols = [colours.get(n, "#7F7F7F") for n in names]
    ref_style = {k: v for k, v in _style(reference, colours).items() if k != "zorder"}
    grey = "#7F7F7F"
    handles = [
        tuple(Patch(color=c, alpha=0.34, linewidth=0) for c in cols),
        tuple(Patch(color=c, alpha=0.12, linewidth=0) for c in cols),
        tuple(Line2D([], [], color=c, linestyle=":", linewidth=1.6) for c in [*cols, grey]),
        tuple(Line2D([], [], color=c, linewidth=2.4) for c in cols),
        (Patch(color=grey, alpha=0.34, linewidth=0), Patch(color=grey, alpha=0.12, linewidth=0)),
        Line2D([], [], **ref_style),
    ]
    ref_name = scenario_name(reference, lang)
    labels = [
        text("unc_band_50", lang),
        text("unc_band_90", lang),
        text("unc_median", lang),
        text("unc_central", lang),
        text("unc_reference_bands", lang, reference=ref_name),
        text("unc_reference_central", lang, reference=ref_name),
    ]
    return handles, labels, {tuple: HandlerTuple(ndivide=None, pad=0.0)}


def _finish_series_axes(
    ax: Axes,
    series_id: str,
    lang: str,
    legend: bool,
    note: str | None = None,
    xlabel: bool = True,
) -> Axes:
    """Title, unit, year axis (and a note under it), grid and legend of the time-series plots."""
    ax.set_title(panel_title(series_id, lang))
    ax.set_ylabel(series_unit(series_id, lang))
    _xlabel(ax, text("year", lang) if xlabel else None, note)
    ax.grid(True, alpha=0.3)
    if legend:
        ax.legend(frameon=False)
    return ax


def _xlabel(ax: Axes, label: str | None, note: str | None) -> None:
    """The x-label: ``label``, and ``note`` under it in small grey type, wrapped to the axes."""
    if note:
        size = FontProperties(size="small").get_size_in_points()
        width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72 * 0.92
        note = wrap_display(note, max(20, int(width_pt / (0.56 * size))))
        ax.set_xlabel(
            "\n".join(p for p in (label, note) if p),
            fontsize="small",
            color="#333333",
            linespacing=1.35,
        )
    else:
        ax.set_xlabel(label or "")


NBSP = "\u00a0"


def wrap_display(s: str, width: int) -> str:
    """``s`` wrapped at spaces into lines of at most ``width`` columns, an East Asian
    wide character (Hangul) counting as 1.7 (its width in NanumGothic against an average
    Latin letter); no-break spaces hold words together (and come out as plain spaces)."""

    def cols(w: str) -> float:
        return sum(1.7 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in w)

    lines: list[str] = []
    for word in s.split(" "):
        if lines and cols(lines[-1]) + 1 + cols(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines).replace(NBSP, " ")


# ---- sensitivity ---------------------------------------------------------------------------
#: Colours of the factors of sensitivity charts: Okabe-Ito (without yellow), then Paul Tol's
#: "muted" scheme, in an order that keeps similar hues apart; a factor keeps its colour on
#: every panel of a result.
FACTOR_PALETTE = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["black"],
    OKABE_ITO["sky_blue"],
    "#999933",
    "#882255",
    "#332288",
    "#44AA99",
    "#CC6677",
    "#117733",
    "#DDCC77",
    "#7F7F7F",
)


def factor_colours(result) -> dict[str, str]:
    """One colour per factor of a sensitivity result, most influential first (its largest
    index over every output and year); the palette repeats after 15 factors."""
    col = result.index_column
    order = result.table.groupby("factor")[col].max().sort_values(ascending=False, kind="stable")
    return {f: FACTOR_PALETTE[i % len(FACTOR_PALETTE)] for i, f in enumerate(order.index)}


def factor_label(factor: str, kind: str, lang: str = "en") -> str:
    """``"Technology diffusion (lever)"``; parameters by their id."""
    name = lever_name(factor, lang) if kind == "lever" else factor
    return f"{name} ({text(f'factor_{kind}', lang)})"


def plot_sensitivity(
    result,
    output: str,
    ax: Axes | None = None,
    *,
    top: int = 6,
    min_index: float = 0.01,
    lang: str = "en",
    colours: Mapping[str, str] | None = None,
    legend: bool = True,
    xlabel: bool = True,
) -> Axes:
    """Index of the ``top`` factors of ``output`` over the reporting years, with its CI.

    ``result`` is a :class:`~smesim.analysis.sensitivity.SensitivityResult`.
    Factors whose index never exceeds ``min_index`` are left out.  Levers are
    solid lines with dots, parameters dashed with squares; colours come from
    :func:`factor_colours` (the same factor, the same colour, on every panel).

    Sobol total indices lie in [0, 1]; an estimate above 1 is sampling error,
    so points and confidence intervals are clipped to [0, 1] and the x-label
    says how far above 1 the estimate went (with its CI).  The legend (when
    ``legend``) sits right of the axes, off the data.

    Raises ParameterError (from the result) when ``output`` is not in it.
    """
    ax = ax or new_axes((9.0, 4.5))
    col = result.index_column
    conf = f"{col}_conf"
    t = result.table[result.table["output"] == output]
    if t.empty:
        raise ParameterError(f"output: {output!r} not in this sensitivity result")
    colours = colours or factor_colours(result)
    peak = t.groupby("factor")[col].max().sort_values(ascending=False, kind="stable")
    order = peak[peak > min_index].index[:top]
    sobol = col == "ST"
    worst = None  # the estimate farthest above 1 (value, conf)
    for name in order:
        f = t[t["factor"] == name].sort_values("year")
        kind = f["kind"].iloc[0]
        v, c = f[col].to_numpy(float), f[conf].to_numpy(float)
        y = np.clip(v, 0.0, 1.0) if sobol else np.maximum(v, 0.0)
        lo = np.maximum(v - c, 0.0)
        hi = np.minimum(v + c, 1.0) if sobol else v + c
        if sobol and (v > 1.0).any():
            k = int(np.argmax(v))
            if worst is None or v[k] > worst[0]:
                worst = (float(v[k]), float(c[k]))
        ax.errorbar(
            f["year"].to_numpy(),
            y,
            yerr=np.vstack([np.maximum(y - lo, 0.0), np.maximum(hi - y, 0.0)]),
            color=colours.get(name, "#7F7F7F"),
            marker="o" if kind == "lever" else "s",
            markersize=5,
            capsize=3,
            linewidth=1.8,
            linestyle="-" if kind == "lever" else "--",
            label=factor_label(name, kind, lang),
        )
    years = sorted(set(t["year"]))
    ax.set_xticks(years, [str(y) for y in years])
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    ax.set_title(panel_title(output, lang))
    ax.set_ylabel(text(f"sensitivity_ylabel_{result.method}", lang))
    ax.grid(True, alpha=0.3)
    if sobol:
        ax.set_ylim(0.0, 1.05 if worst is not None else None)
    ax.set_ylim(bottom=0.0)
    if not len(order):
        ax.text(
            0.5,
            0.5,
            text("sensitivity_none", lang, min=min_index),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#555555",
        )
    note = (
        text("sensitivity_clipped", lang, value=worst[0], conf=worst[1])
        if worst is not None
        else None
    )
    _xlabel(ax, text("year", lang) if xlabel else None, note)
    if legend and len(order):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return ax


#: The confidence level the sensitivity charts' error bars show (percent).
SENSITIVITY_CI = round(100 * CONF_LEVEL)
