"""The chart of one run (``smesim run --plot``): its headline outputs over time.

One 16:9 figure in the house style of the briefing pack
(:mod:`smesim.report.charts`: Okabe-Ito colours, the baseline black and
dashed, a title, units on the axes and a source line naming the smesim
version, the scenario file and the parameter set): a panel per headline
series (:data:`smesim.model.outputs.HEADLINE`) but the coexistence indices,
one panel with the overall coexistence index and its four components beside
it, the policy start marked when the scenario moves a lever, and a last panel
listing the levers it sets.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from matplotlib.figure import Figure

from smesim._version import __version__
from smesim.engine.simulate import Result
from smesim.inputs.bundled import display_path
from smesim.inputs.scenario import Scenario
from smesim.model.outputs import COEXISTENCE, HEADLINE
from smesim.report import charts
from smesim.report.i18n import font_context, lever_name, scenario_titles, text

#: Size of the figure (inches, 16:9 like the briefing pack's pages) and its PNG resolution.
FIGURE_INCHES = (12.8, 7.2)
DPI = 150


def run_figure(scenario: Scenario, result: Result) -> Figure:
    """The headline outputs of ``result`` (one run of ``scenario``) as one figure (English).

    Build and save it inside :func:`smesim.report.i18n.font_context` (the house fonts and
    sizes); :func:`write_run_chart` does both.
    """
    lang = "en"
    frame = result.frame()
    name = scenario.name
    colours = charts.scenario_colours([name])
    fig = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    profile = result.plan.profile
    fig.suptitle(
        f"{scenario.display_name(lang)}: headline outputs, {frame.index[0]}-{frame.index[-1]} "
        f"(profile {profile})",
        fontweight="bold",
    )
    pset = result.plan.params
    created = pset.meta.get("created")
    fig.text(
        0.008,
        0.008,
        f"{text('source', lang)}: smesim {__version__} · scenario: "
        f"{display_path(str(scenario.path))} · {text('parameters', lang)}: "
        f"{display_path(pset.source)}{f' ({created})' if created else ''}",
        fontsize=9,
        color="#444444",
        ha="left",
        va="bottom",
    )
    fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96), h_pad=0.06, w_pad=0.06)
    series = [s for s in HEADLINE if s not in COEXISTENCE]
    axes = fig.subplots(2, 3).ravel()
    start = result.plan.scenarios[0].policy_start
    moves = (
        bool(scenario.settings) and start is not None and frame.index[0] < start <= frame.index[-1]
    )
    with scenario_titles([scenario]):
        for ax, s in zip(axes, series, strict=False):
            charts.plot_scenarios(s, {name: frame}, ax=ax, colours=colours, lang=lang, legend=False)
            ax.set_xlabel("")
    ax = axes[len(series)]
    charts.plot_coexistence_components(frame, ax=ax, lang=lang)
    for ax in axes[: len(series) + 1]:
        if moves:
            charts.mark_policy_start(ax, start, lang)
    _lever_panel(axes[-1], scenario)
    for ax in axes[len(series) + 1 : -1]:
        ax.set_visible(False)
    return fig


def _lever_panel(ax, scenario: Scenario) -> None:
    """The levers the scenario sets, one line each (the last panel)."""
    ax.set_axis_off()
    rows = scenario.lever_table()
    lines = [f"{lever_name(lid)}: {what}" for lid, what in rows]
    if not lines:
        lines = ["None: every lever keeps the profile's baseline value."]
    title = "Levers set"
    body = "\n".join(textwrap.fill(line, 44, subsequent_indent="  ") for line in lines)
    ax.set_title(title, loc="left")
    ax.text(0.0, 1.0, body, transform=ax.transAxes, va="top", ha="left", fontsize="small")


def write_run_chart(stage: Path, stem: str, scenario: Scenario, result: Result) -> list[str]:
    """Build the chart and save ``<stem>.png`` and ``<stem>.svg`` into ``stage``; their names.

    The ``extra`` writer of :func:`smesim.analysis.run.write_run` (``smesim run --plot``).
    """
    names = []
    with font_context("en"):
        fig = run_figure(scenario, result)
        for ext in ("png", "svg"):
            fig.savefig(Path(stage) / f"{stem}.{ext}", format=ext, dpi=DPI)
            names.append(f"{stem}.{ext}")
    return names
