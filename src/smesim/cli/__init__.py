"""Command line: ``smesim``.  Each command parses, calls one library function, writes.

Every error is one line on stderr and exit code 2, never a traceback: bad input
(any :class:`~smesim.errors.SmesimError`), a usage error (a bad option value, a
missing argument, an unknown option: ``smesim: error: --lang: expected one of en,
ko (got 'fr')``) and a file the operating system refuses.  The group does it
once for every command (:class:`_Group`); ``--help`` and normal output are
click's own.

Every command lives in its own module, ``smesim.cli.<command>``, as a function
of the same name; options several commands share are defined once in
:mod:`smesim.cli.options`.  A command's module is imported when that command
runs or shows its help, so ``smesim --help`` (which lists the commands from
:data:`COMMANDS`) and a quick ``smesim run`` do not load SciPy, matplotlib and
the rest of what the other commands need.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys

import click

from smesim._version import __version__
from smesim.errors import SmesimError

#: Every command (module ``smesim.cli.<name>``, function ``<name>``) and the summary
#: ``smesim --help`` lists: the first paragraph of the command's own help
#: (tests/test_cli.py checks that the two agree).
COMMANDS: dict[str, str] = {
    "brief": "Write a briefing pack for SCENARIOS (default: every bundled scenario).",
    "calibrate": "Fit every country jointly to the releases; write a parameter set per "
    "country and the fit report.",
    "check": "Checks of the model's consistency.",
    "compare": "Compare SCENARIOS (paths or bundled names; default: all bundled) with the "
    "baseline.",
    "data": "Calibration data (release files).",
    "doc": "Generate the model reference (Markdown) from the code.",
    "ensemble": "Percentile bands of every series and P(beats baseline) for SCENARIOS.",
    "export": "Export the model to other tools.",
    "loops": "Which feedback loops dominate each headline output when; Jacobian eigenvalues.",
    "levers": "List every policy lever: id, unit, range, baseline, source, description.",
    "run": "Run SCENARIO (a path or a bundled name; default: baseline) and write its outputs.",
    "scenarios": "List scenarios: name, title, the levers each moves and its description.",
    "sensitivity": "Which levers and uncertain parameters drive each outcome, per reporting year.",
    "validate": "Check scenario FILES (paths or bundled names) without running them.",
}


def echo_error(message: str) -> None:
    """The one line on stderr that reports bad input."""
    click.echo(f"smesim: error: {' '.join(str(message).split())}", err=True)


def echo_warning(message: str) -> None:
    """One line on stderr about input that is possible but suspicious."""
    click.echo(f"smesim: warning: {' '.join(str(message).split())}", err=True)


# ---- usage errors in words: "expected ... (got ...)" -------------------------------------
def _shown(value) -> str:
    """A value as the user typed it: numbers bare, anything else quoted."""
    text = str(value)
    try:
        float(text)
    except ValueError:
        return repr(text)
    return text


def _bounds(ptype: click.IntRange | click.FloatRange) -> str:
    lo = None if ptype.min is None else f"{'>' if ptype.min_open else '>='} {ptype.min}"
    hi = None if ptype.max is None else f"{'<' if ptype.max_open else '<='} {ptype.max}"
    if lo and hi and not (ptype.min_open or ptype.max_open):
        return f"from {ptype.min} to {ptype.max}"
    return " and ".join(b for b in (lo, hi) if b)


def _expected(ptype: click.ParamType, value, fallback: str) -> str:
    """What ``ptype`` expected, given that it refused ``value``."""
    if isinstance(ptype, click.Choice):
        return f"expected one of {', '.join(map(str, ptype.choices))} (got {_shown(value)})"
    if isinstance(ptype, click.types.IntParamType | click.types.FloatParamType):
        kind = "a whole number" if isinstance(ptype, click.types.IntParamType) else "a number"
        try:
            (int if kind == "a whole number" else float)(value)
        except (TypeError, ValueError):
            return f"expected {kind} (got {_shown(value)})"
        if isinstance(ptype, click.IntRange | click.FloatRange):
            return f"expected {kind} {_bounds(ptype)} (got {_shown(value)})"
    if isinstance(ptype, click.Path):
        path = os.fsdecode(value)
        if os.path.isdir(path) and not ptype.dir_okay:
            return f"expected a file (got the directory {path})"
        if os.path.exists(path) and not os.path.isdir(path) and not ptype.file_okay:
            return f"expected a directory (got the file {path})"
        if ptype.exists and not os.path.exists(path):
            return f"{path}: not found"
    return fallback


def _explained_convert(self, value, param, ctx):
    try:
        return super(type(self), self).convert(value, param, ctx)
    except click.BadParameter as exc:
        raise click.BadParameter(
            _expected(self, value, exc.message), ctx=ctx, param=param
        ) from None


_EXPLAINED: dict[type, type] = {}


def _explain_types(cmd: click.Command) -> click.Command:
    """Give every parameter of ``cmd`` (and of its subcommands) a type whose errors say
    what was expected and what was found.  Each type is copied (click's ``INT`` and
    the like are shared) and given a subclass that only rewords the error."""
    if getattr(cmd, "_smesim_explained", False):
        return cmd
    for param in cmd.params:
        cls = type(param.type)
        if cls not in _EXPLAINED:
            _EXPLAINED[cls] = type(
                f"Explained{cls.__name__}", (cls,), {"convert": _explained_convert}
            )
        if cls not in _EXPLAINED.values():
            param.type = copy.copy(param.type)
            param.type.__class__ = _EXPLAINED[cls]
    for sub in getattr(cmd, "commands", {}).values():
        _explain_types(sub)
    cmd._smesim_explained = True
    return cmd


def _hint(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def usage_message(exc: click.UsageError) -> str:
    """One line for a click usage error, naming the option or argument."""
    param = getattr(exc, "param", None)
    if isinstance(exc, click.MissingParameter) and param is not None:
        return f"{_hint(param)}: missing (required; see smesim {_command(exc)} --help)"
    if isinstance(exc, click.BadParameter) and param is not None:
        return f"{_hint(param)}: {exc.message}"
    where = _command(exc)
    return f"{where}: {exc.message}" if where else exc.message


def _command(exc: click.UsageError) -> str:
    """``run`` or ``data check``: the command path without ``smesim``."""
    if exc.ctx is None:
        return ""
    return " ".join(exc.ctx.command_path.split()[1:])


def _fail(exc: BaseException) -> None:
    """Report ``exc`` in one line and exit 2, or re-raise what is not an error of input."""
    if isinstance(exc, BrokenPipeError):  # the reader went away (``smesim levers | head``)
        _quiet_stdout()
        sys.exit(0)
    if isinstance(exc, SmesimError):
        echo_error(str(exc))
    elif isinstance(exc, click.exceptions.NoArgsIsHelpError):
        raise exc  # click prints the help
    elif isinstance(exc, click.UsageError):
        echo_error(usage_message(exc))
    elif isinstance(exc, click.ClickException):  # e.g. click.File that cannot be opened
        echo_error(exc.format_message())
    elif isinstance(exc, OSError):  # what the operating system refused, unforeseen
        where = f"{exc.filename}: " if exc.filename else ""
        echo_error(f"{where}{exc.strerror or exc}")
    else:
        raise exc
    sys.exit(2)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit meets no closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class _Group(click.Group):
    """The ``smesim`` group: commands loaded on demand, every error one line and exit 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return _explain_types(getattr(importlib.import_module(f"{__name__}.{cmd_name}"), cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, as click writes it, from :data:`COMMANDS` (loads no command)."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=COMMANDS[name]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:  # the group's own usage errors (unknown command, bad option)
            return super().make_context(info_name, args, parent, **extra)
        except (SmesimError, click.ClickException) as exc:
            _fail(exc)

    def invoke(self, ctx: click.Context):
        try:  # the command's usage errors, bad input and refused files
            return super().invoke(ctx)
        except (SmesimError, click.ClickException, OSError) as exc:
            _fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smesim")
def cli() -> None:
    """smesim: SME / large-firm divergence in Korea, and the policies that could reverse it."""


def main() -> None:
    try:
        cli(prog_name="smesim")
    except BrokenPipeError:  # output cut short by the reader (``| head``), after the command
        _quiet_stdout()
        sys.exit(0)
