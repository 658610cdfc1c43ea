"""Files that ship inside the package, and the user's own data directory.

Bundled data live in ``smesim/data/`` and are installed with the package
(``[tool.setuptools.package-data]`` in ``pyproject.toml``)::

    data/profiles/<profile>.toml           country profiles (smesim.inputs.profiles)
    data/scenarios/<name>.toml             bundled scenarios (smesim.inputs.scenario)
    data/releases/<profile>/*.csv|*.xlsx   statistical releases (smesim.inputs.data)
    data/params/<profile>.toml             calibrated parameter sets (+ .report.md|.json)

They are found with :mod:`importlib.resources` (``files("smesim") / "data"``),
so they work from a source checkout, an editable install and a wheel alike,
from any working directory.  A missing bundled file is a
:class:`~smesim.errors.BundledDataError` naming it: nothing falls back to a
built-in default.

The user data directory (:func:`user_data_dir`) is where ``smesim calibrate``
writes by default: ``$XDG_DATA_HOME/smesim`` when ``XDG_DATA_HOME`` is set to
an absolute path, else ``~/.local/share/smesim``.  smesim never writes into
the package.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from smesim.errors import BundledDataError

#: How bundled files are labelled in messages and provenance (portable across installs).
LABEL = "smesim/data"


def data_dir() -> Path:
    """The package's ``data`` folder (a real directory: smesim is installed as files)."""
    root = files("smesim").joinpath("data")
    if not isinstance(root, Path):
        raise BundledDataError(
            f"{LABEL}: expected the package installed as files on disk "
            f"(got {type(root).__name__}); install smesim from a wheel or a source tree"
        )
    return root


def _label(parts: tuple[str, ...]) -> str:
    return "/".join((LABEL, *parts))


def bundled_file(*parts: str, what: str) -> Path:
    """The bundled file ``data/<parts>``, or a BundledDataError naming ``what`` is missing."""
    path = data_dir().joinpath(*parts)
    if not path.is_file():
        raise BundledDataError(
            f"{_label(parts)}: {what} missing from the installed package "
            "(expected a bundled file; reinstall smesim)"
        )
    return path


def bundled_dir(*parts: str, what: str) -> Path:
    """The bundled folder ``data/<parts>``, or a BundledDataError naming ``what`` is missing."""
    path = data_dir().joinpath(*parts)
    if not path.is_dir():
        raise BundledDataError(
            f"{_label(parts)}: {what} missing from the installed package "
            "(expected a bundled folder; reinstall smesim)"
        )
    return path


def bundled_files(*parts: str, suffixes: tuple[str, ...], what: str) -> list[Path]:
    """Files of the bundled folder ``data/<parts>`` with one of ``suffixes``, by name.

    An empty or missing folder is a BundledDataError: every bundled folder ships files.
    """
    folder = bundled_dir(*parts, what=what)
    found = sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith((".", "~$"))
        ),
        key=lambda p: p.name,
    )
    if not found:
        raise BundledDataError(
            f"{_label(parts)}: {what} missing from the installed package "
            f"(expected {' or '.join('*' + s for s in suffixes)} files; reinstall smesim)"
        )
    return found


def display_path(path: str | Path) -> str:
    """A portable label for ``path``: ``smesim/data/...`` for a bundled file, else as given."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(data_dir().resolve())
    except (ValueError, OSError, BundledDataError):
        return str(p)
    return _label(rel.parts)


def user_data_dir() -> Path:
    """The user's smesim data directory (where ``smesim calibrate`` writes by default).

    ``$XDG_DATA_HOME/smesim`` if ``XDG_DATA_HOME`` is an absolute path (the XDG
    base-directory rule: a relative one is ignored), else ``~/.local/share/smesim``.
    """
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "smesim"
