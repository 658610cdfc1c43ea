"""Command line: ``smesim``.  Each command parses, calls one library function, writes.

Bad input (any :class:`~smesim.errors.SmesimError`) becomes one line on
stderr and exit code 2, never a traceback.

Every command lives in its own module, ``smesim.cli.<command>``, as a function
of the same name; options several commands share are defined once in
:mod:`smesim.cli.options`.  A command's module is imported when that command
runs or shows its help, so ``smesim --help`` (which lists the commands from
:data:`COMMANDS`) and a quick ``smesim run`` do not load SciPy, matplotlib and
the rest of what the other commands need.
"""

from __future__ import annotations

import importlib
import sys

import click

from smesim._version import __version__
from smesim.errors import SmesimError

#: Every command (module ``smesim.cli.<name>``, function ``<name>``) and the summary
#: ``smesim --help`` lists: the first paragraph of the command's own help
#: (tests/test_cli.py checks that the two agree).
COMMANDS: dict[str, str] = {
    "brief": "Write a briefing pack for SCENARIOS (default: every bundled scenario).",
    "calibrate": "Fit the free parameters to the releases; write the parameter set and "
    "the fit report.",
    "check": "Checks of the model's consistency.",
    "compare": "Compare SCENARIOS (paths or bundled names; default: all bundled) with the "
    "baseline.",
    "data": "Calibration data (release files).",
    "doc": "Generate the model reference (Markdown) from the code.",
    "ensemble": "Percentile bands of every series and P(beats baseline) for SCENARIOS.",
    "export": "Export the model to other tools.",
    "levers": "List every policy lever: id, unit, range, baseline, source, description.",
    "run": "Run SCENARIO (a path or a bundled name; default: baseline) and write its outputs.",
    "scenarios": "List scenarios: name, title, the levers each moves and its description.",
    "sensitivity": "Which levers and uncertain parameters drive each outcome, per reporting year.",
    "validate": "Check scenario FILES (paths or bundled names) without running them.",
}


def echo_error(message: str) -> None:
    """The one line on stderr that reports bad input."""
    click.echo(f"smesim: error: {message}", err=True)


class _Group(click.Group):
    """The ``smesim`` group: commands loaded on demand, bad input as one line and exit 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return getattr(importlib.import_module(f"{__name__}.{cmd_name}"), cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, as click writes it, from :data:`COMMANDS` (loads no command)."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=COMMANDS[name]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SmesimError as exc:
            echo_error(str(exc))
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smesim")
def cli() -> None:
    """smesim: SME / large-firm divergence in Korea, and the policies that could reverse it."""


def main() -> None:
    cli(prog_name="smesim")
