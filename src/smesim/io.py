"""Writing results: atomic files, manifests, hashes.

Every file is written to a temporary file in the target directory and renamed
into place, so a reader sees a whole file or none.  A directory of outputs is
assembled in a temporary sibling directory and moved in last.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from smesim._version import __version__
from smesim.errors import DataError


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_provenance(source) -> dict:
    """``{"source", "sha256"}`` of an input named by path (``sha256`` None when
    ``source`` is not a readable file, e.g. ``defaults:korea``)."""
    path = Path(str(source)) if source else None
    digest = sha256_file(path) if path is not None and path.is_file() else None
    return {"source": str(source) if source else None, "sha256": digest}


def atomic_write(path: Path, writer: Callable[[Path], None] | str | bytes) -> Path:
    """Write ``path`` atomically.  ``writer`` is text, bytes or ``f(tmp_path)``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        if isinstance(writer, str):
            tmp_path.write_text(writer, encoding="utf-8")
        elif isinstance(writer, bytes):
            tmp_path.write_bytes(writer)
        else:
            writer(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_files(out_dir: Path) -> Iterator[Path]:
    """Yield a staging directory; on success move each file into ``out_dir`` atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".smesim-stage-", dir=out_dir))
    try:
        yield stage
        for item in sorted(stage.rglob("*")):
            if item.is_file():
                dest = out_dir / item.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


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
