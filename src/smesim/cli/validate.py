"""``smesim validate``: check scenario files without running them."""

from __future__ import annotations

import sys

import click

from smesim.cli import echo_error
from smesim.errors import SmesimError
from smesim.inputs.profiles import get_profile, profile_names
from smesim.inputs.scenario import check_policy_start, load_scenario


@click.command()
@click.argument("files", nargs=-1, required=True)
def validate(files):
    """Check scenario FILES (paths or bundled names) without running them.

    A scenario without its own policy_start is checked against every profile's.
    """
    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
            if sc.policy_start is None:
                for name in profile_names():
                    check_policy_start(sc, get_profile(name).policy_start, f"profile {name}")
        except SmesimError as exc:
            echo_error(str(exc))
            failed += 1
            continue
        set_levers = ", ".join(lid for lid, _ in sc.lever_table()) or "none"
        click.echo(f"ok {sc.path}: {sc.name} (levers set: {set_levers})")
    if failed:
        sys.exit(2)
