"""Options several commands share, each defined once.

Every function returns a click decorator.  Its arguments are what differs
between the commands that use it (a default, a help line); everything else
(name, type, range, destination) is fixed here.
"""

from __future__ import annotations

from pathlib import Path

import click

from smesim.analysis.ensemble import MIN_RUNS
from smesim.errors import OutputError
from smesim.inputs.scenario import LANGS
from smesim.io import check_writable
from smesim.model.horizon import MAX_END_YEAR, REPORTING_YEARS, START_YEAR

#: The bundled country profiles, the default first (tests/test_layout.py checks them
#: against the package's profile files; listed here so --help reads no file).
PROFILES = ("korea", "japan")


def profile(help: str = "Country profile (data, parameters)."):
    return click.option(
        "--profile",
        type=click.Choice(PROFILES),
        default=PROFILES[0],
        show_default=True,
        help=help,
    )


def lang(help: str = "Language of titles, labels, legends and table headers."):
    """``--lang``: the language of what a command writes for people (choices:
    :data:`smesim.inputs.scenario.LANGS`, the languages of scenario titles and of
    :mod:`smesim.report.i18n`)."""
    return click.option(
        "--lang", type=click.Choice(LANGS), default=LANGS[0], show_default=True, help=help
    )


def until(help: str, *, checked: bool = True):
    """``--until``: the last simulated year; ``checked=False`` leaves the range
    check to the library (``smesim export xmile`` reports it in its own words)."""
    return click.option(
        "--until",
        type=click.IntRange(START_YEAR + 1, MAX_END_YEAR) if checked else int,
        default=None,
        help=help,
    )


def _writable(directory: bool):
    """Callback: refuse an ``--out`` that cannot be written before any work is done."""

    def check(ctx: click.Context, param: click.Parameter, value: Path | None):
        if value is not None and not ctx.resilient_parsing:
            try:
                check_writable(value, directory=directory)
            except OutputError as exc:
                raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        return value

    return check


#: Callback of an optional ``--out`` directory: refuse one that cannot be written.
writable_dir = _writable(directory=True)


def out_dir(default: Path):
    """``--out`` naming a directory (parameter ``out_dir``), checked to be writable."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        show_default=True,
        callback=_writable(directory=True),
        help="Output directory.",
    )


def out_file(help: str, *, required: bool = False):
    """``--out`` naming a file (parameter ``out``), checked to be writable."""
    return click.option(
        "--out",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        # no default when required: click >= 8.3 takes an explicit None as a given value
        **({} if required else {"default": None}),
        required=required,
        callback=_writable(directory=False),
        help=help,
    )


def seed(help: str | None = None):
    return click.option(
        "--seed", type=click.IntRange(0, None), default=0, show_default=True, help=help
    )


def runs(help: str, *, default: int | None):
    """``--runs``: ensemble size, at least :data:`~smesim.analysis.ensemble.MIN_RUNS`
    (the same minimum for ensemble, compare and brief; the library checks it too)."""
    return click.option(
        "--runs",
        type=click.IntRange(MIN_RUNS, None),
        default=default,
        show_default=default is not None,
        help=f"{help} At least {MIN_RUNS}: fewer runs give no meaningful 5-95 % band.",
    )


def years(*, shown: bool):
    """``--years``: comma-separated reporting years, default :data:`REPORTING_YEARS`
    (``shown=True``: as the option's value, else left to the library)."""
    spec = ",".join(map(str, REPORTING_YEARS))
    if shown:
        return click.option(
            "--years",
            "years",
            default=spec,
            show_default=True,
            help="Comma-separated reporting years.",
        )
    return click.option(
        "--years", default=None, help=f"Comma-separated reporting years (default {spec})."
    )


def scenario(help: str):
    """``--scenario``: one scenario (bundled name or path) as an option."""
    return click.option("--scenario", default=None, help=help)


# ---- uncertainty in comparisons (compare, brief) ---------------------------------------
def target():
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="SERIES=VALUE",
        help="Report the year SERIES first reaches VALUE (repeatable). "
        "SERIES>=VALUE: from below; SERIES<=VALUE: from above; "
        f"SERIES=VALUE: direction from the {START_YEAR} value. Quote > and <.",
    )


def no_baseline():
    return click.option(
        "--no-baseline",
        is_flag=True,
        help="Do not add the baseline; differences are then taken from the first scenario given.",
    )


def ensemble_dir():
    return click.option(
        "--ensemble",
        "ensemble_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Saved ensemble result (bands.csv, probabilities.csv) for uncertainty.",
    )


# ---- where many runs execute (ensemble, sensitivity) -----------------------------------
def workers():
    return click.option(
        "--workers",
        type=click.IntRange(0, 256),
        default=None,
        help="Local worker processes (default: this process, the compiled kernel using "
        "every core).",
    )


def scheduler():
    return click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Run on a dask.distributed scheduler, e.g. "
        "tcp://10.0.0.5:8786 (extra smesim[distributed]).",
    )


def quiet():
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


# ---- added for issue 13: a new calibration, formats, charts -------------------------------
def params():
    """``--params FILE``: a parameter-set file (e.g. from ``smesim calibrate --out``) used
    in place of the profile's calibrated set (parameter ``params_file``)."""
    return click.option(
        "--params",
        "params_file",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help="Parameter-set file (TOML, e.g. written by smesim calibrate --out) used instead "
        "of the profile's calibrated set; parameters it leaves out take the profile's first "
        "estimates. Recorded in the manifest with its sha256.",
    )


def table_format(choices: tuple[str, ...], help: str):
    """``--format`` of the tables a command writes (parameter ``fmt``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )
