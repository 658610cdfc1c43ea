"""Writing results: atomic files, manifests, hashes, tables safe to open in a spreadsheet.

Every file is written to a temporary file in the target directory and renamed
into place, so a reader sees a whole file or none.  A directory of outputs is
assembled in a temporary directory inside it and its files moved in last; a
directory created for outputs that never came is removed again.

Every file gets the mode an ordinary ``open()`` would give it, ``0o666`` less
the process umask (``tempfile.mkstemp`` alone would leave ``0o600``), so
colleagues on a shared drive can read what smesim writes.

A file or directory that cannot be written (``/proc/x``, a read-only folder, a
path below a file, a full disk) is an :class:`~smesim.errors.OutputError`
naming it, never a traceback.

Tables go through :func:`safe_table` (CSV, :func:`write_csv`) or
:func:`neutralise_cell` (XLSX, :mod:`smesim.analysis.workbook`): a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, as
OWASP advises against CSV injection, so a spreadsheet shows it as text instead
of running it as a formula.  Numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from smesim._version import __version__
from smesim.errors import DataError, OutputError


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_provenance(source) -> dict:
    """``{"source", "sha256"}`` of an input named by path (``sha256`` None when
    ``source`` is not a readable file, e.g. ``defaults:korea``)."""
    path = Path(str(source)) if source else None
    digest = sha256_file(path) if path is not None and path.is_file() else None
    return {"source": str(source) if source else None, "sha256": digest}


# ---- where outputs may go ---------------------------------------------------------------
def umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: read by setting it (and setting it back)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode of a new file: ``0o666`` less the umask (what ``open()`` gives)."""
    return 0o666 & ~umask()


def _existing_ancestor(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists."""
    p = Path(path)
    while not os.path.lexists(p) and p != p.parent:
        p = p.parent
    return p


def _reason(path: Path, exc: OSError | None = None) -> str:
    """Why ``path`` cannot be written, in words (the OS's, unless a clearer one applies)."""
    anc = _existing_ancestor(path)
    if anc != Path(path) and not anc.is_dir():
        return f"{anc} is a file, not a directory"
    if exc is not None:
        return exc.strerror or type(exc).__name__
    return f"{anc} is not writable"


def cannot_write(path: Path, exc: OSError | None = None) -> OutputError:
    """The one-line :class:`OutputError` for ``path`` (``exc``: the OS's error, if any)."""
    reason = _reason(Path(path), exc)
    err = OutputError(f"{path}: cannot write ({reason})")
    err.filename, err.strerror = str(path), reason
    return err


def check_writable(path: Path, *, directory: bool) -> None:
    """Raise :class:`OutputError` unless ``path`` can plausibly be written.

    ``directory``: ``path`` is an output folder (it may exist and must then be a
    writable folder), else a file (it must not be a folder).  Checked before a
    long computation so a bad ``--out`` fails at once; the write itself still
    reports what the operating system says (``/proc`` and ``/sys`` refuse files
    whatever their permission bits).
    """
    path = Path(path)
    if path.exists():
        if directory and not path.is_dir():
            raise OutputError(f"{path}: expected a directory (got a file)")
        if not directory and path.is_dir():
            raise OutputError(f"{path}: expected a file (got a directory)")
    anc = _existing_ancestor(path if directory else path.parent)
    if not anc.is_dir():
        raise cannot_write(path)
    if not os.access(anc, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write ({anc} is not writable)")


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and missing parents; return the ones created, outermost first."""
    missing = []
    p = Path(path)
    while not os.path.lexists(p) and p != p.parent:
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _remove_empty(dirs: list[Path]) -> None:
    for d in reversed(dirs):
        try:
            d.rmdir()
        except OSError:
            return


def _about(exc: OSError, *paths: Path) -> bool:
    """Whether ``exc`` concerns one of ``paths`` (or a file below them), or no file."""
    if not exc.filename:
        return True
    name = os.path.abspath(str(exc.filename))
    return any(
        name == (root := os.path.abspath(p)) or name.startswith(root + os.sep) for p in paths
    )


# ---- writing ------------------------------------------------------------------------------
def atomic_write(path: Path, writer: Callable[[Path], None] | str | bytes) -> Path:
    """Write ``path`` atomically.  ``writer`` is text, bytes or ``f(tmp_path)``.

    The file gets :func:`file_mode`; a path that cannot be written is an
    :class:`~smesim.errors.OutputError` and leaves nothing behind.
    """
    path = Path(path)
    try:
        created = _make_dirs(path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _remove_empty(created)
        raise cannot_write(path, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, file_mode())
        if isinstance(writer, str):
            tmp_path.write_text(writer, encoding="utf-8")
        elif isinstance(writer, bytes):
            tmp_path.write_bytes(writer)
        else:
            writer(tmp_path)
        os.replace(tmp_path, path)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        _remove_empty(created)
        if _about(exc, tmp_path, path):
            raise cannot_write(path, exc) from None
        raise
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        _remove_empty(created)
        raise
    return path


@contextmanager
def staged_files(out_dir: Path) -> Iterator[Path]:
    """Yield a staging directory; on success move each file into ``out_dir`` atomically.

    Files written into the stage with ``open()`` (pandas, matplotlib, ``write_text``)
    get the umask's mode.  When the body fails nothing reaches ``out_dir``, and
    ``out_dir`` itself is removed again if this call created it.
    """
    out_dir = Path(out_dir)
    try:
        created = _make_dirs(out_dir)
    except OSError as exc:
        raise cannot_write(out_dir, exc) from None
    try:
        stage = Path(tempfile.mkdtemp(prefix=".smesim-stage-", dir=out_dir))
    except OSError as exc:
        _remove_empty(created)
        raise cannot_write(out_dir, exc) from None
    done = False
    try:
        try:
            yield stage
            for item in sorted(stage.rglob("*")):
                if item.is_file():
                    dest = out_dir / item.relative_to(stage)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(item, dest)
        except OSError as exc:
            if _about(exc, out_dir):
                raise cannot_write(out_dir, exc) from None
            raise
        done = True
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if not done:
            _remove_empty(created)


# ---- tables -----------------------------------------------------------------------------
#: First characters that make a spreadsheet take a text cell for a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise_cell(value):
    """``value``, with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Text that is a plain number (``-1.5``) is left alone: it is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def _is_text(dtype) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _safe_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.map(lambda key: tuple(neutralise_cell(x) for x in key))
    return index.map(neutralise_cell) if _is_text(index.dtype) else index


def safe_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` safe to open in a spreadsheet (:func:`neutralise_cell` on every
    text cell, header and index label); numeric columns are untouched."""
    out = df.copy()
    for j in range(out.shape[1]):
        if _is_text(out.dtypes.iloc[j]):
            out.isetitem(j, out.iloc[:, j].map(neutralise_cell))
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


def write_csv(df: pd.DataFrame, path: Path, **to_csv) -> Path:
    """``df.to_csv(path, **to_csv)`` after :func:`safe_table`."""
    safe_table(df).to_csv(path, **to_csv)
    return Path(path)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def manifest(**fields) -> dict:
    """Common manifest fields plus ``fields``."""
    return {"smesim_version": __version__, "created": now_iso(), **fields}


def dump_json(obj) -> str:
    return json.dumps(obj, indent=2, default=_json_default, ensure_ascii=False) + "\n"


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def read_result_csv(path: Path, columns: tuple[str, ...], command: str):
    """A CSV written by ``smesim <command>``, with exactly ``columns``; a
    :class:`~smesim.errors.DataError` (one line) otherwise."""
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected the output of smesim {command})")
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: malformed CSV ({type(exc).__name__})") from None
    if tuple(df.columns) != columns:
        raise DataError(
            f"{path}: header: expected {', '.join(columns)} (got {', '.join(map(str, df.columns))})"
        )
    return df


def read_manifest(path: Path, command: str) -> dict:
    """The ``manifest.json`` of a ``smesim <command>`` output folder."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            f"{path}: file not found (expected the output of smesim {command})"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: malformed JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: expected a JSON object (got {type(meta).__name__})")
    return meta
