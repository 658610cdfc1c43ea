"""``smesim scenarios``: the bundled scenarios, one entry each."""

from __future__ import annotations

import textwrap

import click

from smesim.inputs.profiles import get_profile, profile_names
from smesim.inputs.scenario import LANGS, Scenario, load_scenario
from smesim.report.brief import default_scenarios


@click.command()
@click.argument("files", nargs=-1)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="en",
    show_default=True,
    help="Language of the titles (a scenario without a title in it shows its English one).",
)
def scenarios(files, lang):
    """List scenarios: name, title, the levers each moves and its description.

    Each entry also gives the scenario's policy start: its own, else each profile's.

    FILES: scenario files or bundled names (default: every bundled scenario).
    """
    for i, spec in enumerate(files or default_scenarios()):
        sc = load_scenario(spec)
        if i:
            click.echo()
        levers = ", ".join(lid for lid, _ in sc.lever_table()) or "none (the baseline settings)"
        click.echo(f"{sc.name}: {sc.display_name(lang)}")
        click.echo(
            textwrap.fill(
                f"levers moved: {levers}", 96, initial_indent="  ", subsequent_indent="    "
            )
        )
        click.echo(f"  policy start: {policy_start_text(sc)}")
        click.echo(
            textwrap.fill(
                " ".join(sc.description.split()), 96, initial_indent="  ", subsequent_indent="  "
            )
        )


def policy_start_text(sc: Scenario) -> str:
    """The scenario's own policy start and its file, else each profile's."""
    if sc.policy_start is not None:
        return f"{sc.policy_start} (set in {sc.policy_start_source})"
    years = ", ".join(f"{n} {get_profile(n).policy_start}" for n in profile_names())
    return f"the profile's ({years})"
