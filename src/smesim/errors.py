"""Error tree for smesim.

Every error names the culprit: the file, the key or row, what was expected
and what was found.  Each also subclasses the matching builtin, so callers
that only know ``ValueError`` / ``FileNotFoundError`` still catch them.  The
CLI turns any :class:`SmesimError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

import operator


class SmesimError(Exception):
    """Base class of every error smesim raises on bad input."""


class ScenarioError(SmesimError, ValueError):
    """A scenario file is malformed, names an unknown lever or is out of range."""


class ScenarioNotFoundError(ScenarioError, FileNotFoundError):
    """A scenario path or bundled name does not exist."""


class ParameterError(SmesimError, ValueError):
    """A parameter set is malformed or a value is outside its bounds."""


class ProfileError(SmesimError, ValueError):
    """A country-profile file is malformed, names an unknown parameter or lever, or is
    out of range."""


class BundledDataError(SmesimError, FileNotFoundError):
    """A file that ships inside the package (``smesim/data/``) is missing: a broken
    installation, never replaced by a default."""


class DataError(SmesimError, ValueError):
    """A calibration data (release) file is malformed."""


class CalibrationError(SmesimError, RuntimeError):
    """Calibration cannot start (e.g. no usable data points)."""


class SchedulerError(SmesimError, ConnectionError):
    """A Dask scheduler cannot be reached or dask.distributed is not installed."""


class LanguageError(SmesimError, ValueError):
    """Unknown language, or the Korean font package is not installed."""


class UnitsError(SmesimError, ValueError):
    """The model's units are inconsistent, or pint is not installed."""


class ExportError(SmesimError, ValueError):
    """An export option is invalid (e.g. a time step that is not 1/n of a year)."""


class EquationError(SmesimError, ValueError):
    """An equation of the table cannot be parsed or names an unknown variable."""


class CompareError(SmesimError, ValueError):
    """Bad comparison options (years, targets, duplicate scenario names)."""


class DominanceError(SmesimError, ValueError):
    """Bad options of a loop-dominance analysis (``smesim loops``: years outside the run)."""


class OutputError(SmesimError, OSError):
    """An output file or directory cannot be written (``--out`` under ``/proc``, in a
    read-only directory, below a file, on a full disk ...).  ``filename`` and
    ``strerror`` are set like an OSError's; the message stays one line as given."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def located(source: str | None, key: str | None, message: str) -> str:
    """Format ``'<source>: <key>: <message>'`` leaving out missing parts."""
    parts = [p for p in (source, key) if p]
    return ": ".join([*parts, message])


def check_seed(seed) -> int:
    """A random seed as an int >= 0 (NumPy's seeds), else a ParameterError."""
    try:
        value = operator.index(seed)  # ints and NumPy integers; not floats or strings
    except TypeError:
        value = None
    if value is None or isinstance(seed, bool) or value < 0:
        raise ParameterError(f"seed: expected a whole number >= 0 (got {seed!r})")
    return value
