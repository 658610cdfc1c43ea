"""Calibration data: statistical *releases* read, validated and merged.

A release is one file of observed values of the model's canonical output
series (:data:`smesim.model.outputs.CANONICAL`).  Three layouts are accepted:

long CSV
    one row per observation, columns ``series, year, value, unit, source,
    note`` and optionally ``weight`` (any order; header names are
    case-insensitive).  Lines whose first cell starts with ``#`` are comments.
    Other columns are not read; the calibration report lists them.
wide CSV
    a ``series`` column and one column per year (``2012``, ``2017``,
    ``2019H1`` ...), as statistical yearbooks lay tables out; optional
    ``unit``, ``source``, ``note`` and ``weight`` columns apply to the whole
    row.  An empty year cell means "no figure" and is skipped.
XLSX
    either layout on the sheet named ``data`` if there is one, else the
    workbook's first sheet.

Headers are case-insensitive; ``period`` is accepted for ``year``, ``notes``
for ``note``, ``units`` for ``unit``, ``sources`` for ``source``.  CSV files
may use ``,`` or ``;`` as the delimiter.  Values may carry a trailing ``%``;
a decimal comma (``18,2``) is an error, never read as 182.

Rules
-----
* **Years.**  A period is a whole year (``2017``) or a half year
  (``2019H1``, ``2019H2``).  Every canonical series is a share or a ratio,
  so a half-year figure estimates the annual figure of its year: it is mapped
  to that year with its weight halved (a half-year sample is a noisier
  estimate of the annual value) and the note says so.  Any other period
  (quarters, months, ranges) is rejected.  Valid years are
  :data:`DATA_FIRST_YEAR` (2000) to the current year (a release reports
  observations; a later year is a "year in the future" error, a year outside
  2000 to :data:`smesim.model.horizon.MAX_END_YEAR` a "year outside the model's
  range" error).  Points before
  the model's start year (2012, :data:`smesim.model.horizon.START_YEAR`) are kept
  as history (charts, reports) but cannot be fitted by a model that starts in
  2012: calibration reports them as "outside the simulated span, not fitted".
* **Weights.**  ``weight`` (default 1) scales a point's squared residual in
  the fit; ``0`` keeps a point for the record and the report but excludes it
  from the fit (used for uncertain cells).  Weights must be finite and >= 0.
* **Units.**  Each series has one unit (:data:`smesim.model.outputs.BY_ID`);
  ``percent`` and ``pct`` are accepted spellings of ``%``.  Anything else is
  an error: smesim does not convert units.
* **Merging.**  Releases are merged in release order: explicit files in the
  order given, the files of a folder in file-name order (name them with a
  date or sequence prefix, e.g. ``2019-06-park-paper.csv``,
  ``2020-03-kosbi-yearbook.csv``).  Where two releases give the same series
  and year, the later one wins and :attr:`Releases.replaced` lists the value
  it superseded.
* **Profiles.**  The bundled releases of profile ``<p>`` are the files in
  ``smesim/data/releases/<p>/`` (inside the package; the source tree links it
  as ``calibration/releases/<p>/``); files passed explicitly are taken to be
  for the profile being calibrated.  Bundled files are labelled
  ``smesim/data/...`` in provenance, other files as given.

* **Plausible values** (:func:`value_range`).  Shares and the 0-100 indices
  lie in [0, 100]; ratios of an SME figure to the large-firm one (large =
  100) in (0, 200]: above 200 an SME average would be more than twice the
  large-firm level, which no release has shown and a misplaced decimal point
  (530 for 53.0) gives at once.  A year after the current one is impossible
  (releases are observations).  Outside these a value is an error.  A value
  more than :data:`JUMP_WARNING` (10) points from the series' previous year in
  the merged releases is possible but suspicious: it is kept and
  :attr:`Releases.warnings` names it.

Bad data (unknown series, wrong unit, non-numeric, NaN or impossible value,
duplicate series-year inside one file, year outside the range or in the
future, a formula cell without a cached value, an unreadable, empty or
unknown-layout file) raises :class:`~smesim.errors.DataError` naming the
file, the row and the column, what was expected and what was found.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from smesim.errors import DataError
from smesim.inputs.bundled import bundled_dir, bundled_files, display_path
from smesim.inputs.profiles import get_profile
from smesim.model.horizon import MAX_END_YEAR, START_YEAR
from smesim.model.outputs import BY_ID, CANONICAL

#: First year a release may give (history before the model's start is kept, not fitted).
DATA_FIRST_YEAR = 2000
#: Ranges of possible values by kind of series (module docstring, "Plausible values"):
#: ``(low, high, low_open)``.
SHARE_RANGE = (0.0, 100.0, False)
RATIO_RANGE = (0.0, 200.0, True)
#: A change larger than this (points) from the series' previous year is warned about.
JUMP_WARNING = 10.0
#: File suffixes read as releases when a folder is given.
RELEASE_SUFFIXES = (".csv", ".xlsx")
#: Columns of :attr:`Releases.points`.
POINT_COLUMNS = ("series", "year", "value", "unit", "source", "note", "weight", "file")
REPLACED_COLUMNS = ("series", "year", "old_value", "old_file", "new_value", "new_file")
_UNIT_ALIASES = {"percent": "%", "pct": "%", "per cent": "%"}
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*(?:\.0+)?|\s*[-/ ]?\s*[Hh]([12]))\s*$")
_META_COLUMNS = ("series", "unit", "source", "note", "weight")
#: Header spellings accepted for the standard columns (case-insensitive).
_HEADER_ALIASES = {
    "series_id": "series",
    "id": "series",
    "period": "year",
    "units": "unit",
    "sources": "source",
    "notes": "note",
    "comment": "note",
    "comments": "note",
}


@dataclass(frozen=True)
class ReleaseFile:
    """One release file read and validated (no merging yet)."""

    path: Path
    sha256: str
    layout: str
    points: pd.DataFrame
    #: Header names of a long file's extra columns, which are not read.
    ignored_columns: tuple[str, ...] = ()
    #: The row (line, or spreadsheet row) of each point, in the order of ``points``.
    rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Releases:
    """Releases merged in release order.

    Attributes
    ----------
    points : DataFrame
        The merged data, columns :data:`POINT_COLUMNS`, one row per
        (series, year), sorted by series then year.
    replaced : DataFrame
        Values superseded by a later release, columns :data:`REPLACED_COLUMNS`.
    files : list of ReleaseFile
        The files in release order (path, sha256, layout, their own points).
    warnings : tuple of str
        Suspicious but possible values (a jump of more than :data:`JUMP_WARNING`
        points from the series' previous year), one line each naming file and row.
    """

    points: pd.DataFrame
    replaced: pd.DataFrame
    files: list[ReleaseFile] = field(default_factory=list)
    warnings: tuple[str, ...] = ()

    def fitted(self) -> pd.DataFrame:
        """Points the calibration fits: inside the simulated span, weight > 0."""
        p = self.points
        return p[(p["year"] >= START_YEAR) & (p["weight"] > 0)].reset_index(drop=True)

    def history(self) -> pd.DataFrame:
        """Points before the model's start year (kept for charts, not fitted)."""
        return self.points[self.points["year"] < START_YEAR].reset_index(drop=True)

    def excluded(self) -> pd.DataFrame:
        """Points inside the simulated span with weight 0 (kept, not fitted)."""
        p = self.points
        return p[(p["year"] >= START_YEAR) & (p["weight"] == 0)].reset_index(drop=True)

    def provenance(self) -> list[dict]:
        """``[{"file", "sha256", "layout", "points", "superseded"}]`` in release order.

        ``points`` is the number of values the file gives, ``superseded`` how
        many of them a later release replaced.
        """
        out = []
        for f in self.files:
            name = display_path(f.path)
            out.append(
                {
                    "file": name,
                    "sha256": f.sha256,
                    "layout": f.layout,
                    "points": len(f.points),
                    "superseded": int((self.replaced["old_file"] == name).sum()),
                    "ignored_columns": list(f.ignored_columns),
                }
            )
        return out


# ---------------------------------------------------------------------------
# reading one file
# ---------------------------------------------------------------------------


def _err(path, row, column, message) -> DataError:
    parts = [str(path)]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return DataError(": ".join([", ".join(parts), message]))


def value_range(sid: str) -> tuple[str, float, float, bool]:
    """``(kind, low, high, low_open)``: the possible values of canonical series ``sid``.

    ``kind`` is ``"share"`` (ids with ``_share``), ``"index"`` (unit ``index 0-100``),
    ``"ratio"`` (ids with ``_ratio``: an SME figure with large firms = 100) or
    ``"amount"`` (unit ``million national currency``: positive, at most 1e6).
    """
    if "_ratio" in sid:
        return ("ratio", *RATIO_RANGE)
    if "_share" in sid:
        return ("share", *SHARE_RANGE)
    if BY_ID[sid].unit == "index 0-100":
        return ("index", *SHARE_RANGE)
    if BY_ID[sid].unit == "million national currency":
        return ("amount", 0.0, 1e6, True)
    raise KeyError(f"{sid}: no plausible range declared")


def _check_value(path, row, column, sid, value) -> None:
    kind, lo, hi, lo_open = value_range(sid)
    if (value > lo if lo_open else value >= lo) and value <= hi:
        return
    interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"
    what = {"ratio": "a ratio", "share": "a share", "index": "an index", "amount": "an amount"}[
        kind
    ]
    scale = ", large firms = 100" if kind == "ratio" else ""
    slip = "; a misplaced decimal point?" if value > hi else ""
    raise _err(
        path, row, column, f"{sid}: expected {what} in {interval}{scale} (got {value:g}{slip})"
    )


class _Formula(str):
    """An XLSX formula cell that has no cached value (never calculated by a spreadsheet)."""


def _no_formula(path, row, column, raw) -> None:
    if isinstance(raw, _Formula):
        raise _err(
            path,
            row,
            column,
            f"formula without a cached value ({str(raw)!r}): save the file in Excel or "
            "LibreOffice, which store the computed value, or enter the value",
        )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or a DataError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise _err(path, None, None, "file not found") from None
    except IsADirectoryError:
        raise _err(path, None, None, "is a directory (expected a release file)") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _err(path, None, None, f"cannot read ({reason})") from None


def _xlsx_rows(path: Path, data: bytes) -> list[tuple[int, list]]:
    """Non-empty, non-comment rows of the ``data`` sheet (else the first): cached values,
    and a :class:`_Formula` where a formula has none."""
    books = []
    try:
        for data_only in (True, False):
            books.append(load_workbook(io.BytesIO(data), read_only=True, data_only=data_only))
    except Exception as exc:  # openpyxl raises many types for corrupt files
        for wb in books:
            wb.close()
        raise _err(path, None, None, f"cannot read as XLSX ({_why(exc)})") from None
    try:
        sheets = []
        for wb in books:
            by_name = {w.title.strip().lower(): w for w in wb.worksheets}
            sheets.append(by_name.get("data", wb.worksheets[0]))
        rows = []
        values, formulas = (ws.iter_rows(values_only=True) for ws in sheets)
        for i, (cells, texts) in enumerate(zip(values, formulas, strict=False), start=1):
            cells = [
                _Formula(t) if c is None and isinstance(t, str) and t.startswith("=") else c
                for c, t in zip(cells, texts, strict=False)
            ]
            cells = ["" if c is None else c for c in cells]
            if all(str(c).strip() == "" for c in cells):
                continue
            if str(cells[0]).lstrip().startswith("#"):
                continue
            rows.append((i, cells))
        return rows
    except Exception as exc:  # sheets are parsed as they are read (read-only mode)
        raise _err(path, None, None, f"cannot read as XLSX ({_why(exc)})") from None
    finally:
        for wb in books:
            wb.close()


def _why(exc: BaseException) -> str:
    """The reason openpyxl failed: an XML attack defusedxml stopped, else the error type."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return f"refused XML: {type(seen).__name__}, which a spreadsheet never writes"
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def _read_table(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, list]], callable]:
    """Header, data rows ``(row_number, cells)`` and a column-label function."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _err(path, None, None, "expected UTF-8 text") from None
        rows = []
        lines = text.splitlines()
        first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(lines, delimiter=delimiter)
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if cells[0].lstrip().startswith("#"):
                continue
            rows.append((reader.line_num, cells))
        col_label = None
    else:
        rows = _xlsx_rows(path, data)
        col_label = get_column_letter
    if not rows:
        raise _err(path, None, None, "empty file (expected a header row and data rows)")
    header = [str(h).strip() for h in rows[0][1]]
    data_rows = rows[1:]
    if not data_rows:
        raise _err(path, None, None, "empty file (header only, no data rows)")
    return header, data_rows, col_label


def _parse_period(path, row, column, raw) -> tuple[int, bool]:
    """``(year, is_half_year)`` from a period cell."""
    _no_formula(path, row, column, raw)
    if isinstance(raw, bool):
        raise _err(path, row, column, f"expected a year such as 2017 or 2019H1 (got {raw!r})")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not raw.is_integer():
            raise _err(path, row, column, f"expected a whole year (got {raw!r})")
        year, half = int(raw), False
    else:
        m = _PERIOD.match(str(raw))
        if not m:
            raise _err(
                path,
                row,
                column,
                f"expected a year such as 2017 or a half year such as 2019H1 (got {str(raw)!r})",
            )
        year, half = int(m.group(1)), m.group(2) is not None
    if not DATA_FIRST_YEAR <= year <= MAX_END_YEAR:
        raise _err(
            path,
            row,
            column,
            f"year outside the model's range: expected {DATA_FIRST_YEAR}-{MAX_END_YEAR} "
            f"(got {year})",
        )
    if year > date.today().year:
        raise _err(
            path,
            row,
            column,
            f"year in the future: expected {date.today().year} or earlier, a release "
            f"reports observations (got {year})",
        )
    return year, half


def _parse_number(path, row, column, raw, what="a number") -> float:
    _no_formula(path, row, column, raw)
    if isinstance(raw, bool):
        raise _err(path, row, column, f"expected {what} (got {raw!r})")
    if isinstance(raw, int | float):
        val = float(raw)
    else:
        # no thousands separators: every series is a share, and "18,2" (a decimal
        # comma) must be an error, not 182
        text = str(raw).strip().removesuffix("%").strip()
        if text == "":
            raise _err(path, row, column, f"expected {what} (got an empty cell)")
        try:
            val = float(text)
        except ValueError:
            raise _err(path, row, column, f"expected {what} (got {str(raw)!r})") from None
    if not math.isfinite(val):
        raise _err(path, row, column, f"expected {what} (got {raw!r})")
    return val


def _check_series(path, row, column, raw) -> str:
    _no_formula(path, row, column, raw)
    sid = str(raw).strip()
    if sid in BY_ID and sid in CANONICAL:
        return sid
    close = difflib.get_close_matches(sid, CANONICAL, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise _err(
        path,
        row,
        column,
        f"unknown series id {sid!r} (expected a canonical output "
        f"id, see smesim.model.outputs{hint})",
    )


def _check_unit(path, row, column, raw, sid) -> str:
    _no_formula(path, row, column, raw)
    expected = BY_ID[sid].unit
    unit = str(raw).strip()
    unit = _UNIT_ALIASES.get(unit.lower(), unit)
    if unit == "":
        return expected
    if unit != expected:
        raise _err(
            path,
            row,
            column,
            f"wrong unit for {sid}: expected {expected!r} (got {str(raw).strip()!r})",
        )
    return unit


def _make_point(
    path, row, cols, cells, label, sid, period_raw, period_col, value_raw, value_col
) -> dict:
    def cell(name):
        j = cols.get(name)
        return "" if j is None or j >= len(cells) else cells[j]

    year, half = _parse_period(path, row, period_col, period_raw)
    value = _parse_number(path, row, value_col, value_raw)
    _check_value(path, row, value_col, sid, value)
    unit = _check_unit(path, row, label("unit"), cell("unit"), sid)
    w_raw = cell("weight")
    weight = (
        1.0
        if str(w_raw).strip() == ""
        else _parse_number(path, row, label("weight"), w_raw, "a weight >= 0")
    )
    if weight < 0:
        raise _err(path, row, label("weight"), f"expected a weight >= 0 (got {weight:g})")
    note = str(cell("note")).strip()
    if half:
        weight *= 0.5
        tag = f"half-year figure {str(period_raw).strip()} mapped to {year}, weight halved"
        note = f"{note}; {tag}" if note else tag
    return {
        "series": sid,
        "year": year,
        "value": value,
        "unit": unit,
        "source": str(cell("source")).strip(),
        "note": note,
        "weight": weight,
        "file": display_path(path),
        "_row": row,
    }


def read_release(path: str | Path) -> ReleaseFile:
    """Read and validate one release file (long or wide CSV, or XLSX).

    Raises
    ------
    DataError
        On any bad cell, naming the file, row and column.
    """
    path = Path(path)
    if path.suffix.lower() not in RELEASE_SUFFIXES:
        raise _err(
            path,
            None,
            None,
            f"expected a .csv or .xlsx release file (got {path.suffix or 'no suffix'!r})",
        )
    data = _read_bytes(path)
    header, rows, col_letter = _read_table(path, data)
    lower = [_HEADER_ALIASES.get(h.lower(), h.lower()) for h in header]
    cols = {}
    for j, h in enumerate(lower):
        if h in cols and h:
            raise _err(path, 1, header[j], "duplicate column header")
        cols[h] = j

    def label(name_or_index):
        j = cols.get(name_or_index) if isinstance(name_or_index, str) else name_or_index
        if j is None:
            return name_or_index
        name = header[j] if j < len(header) else ""
        return f"{col_letter(j + 1)} ({name})" if col_letter else name

    if "series" not in cols:
        raise _err(
            path, 1, None, f"expected a 'series' column in the header (got {', '.join(header)})"
        )
    points = []
    ignored: tuple[str, ...] = ()
    if "year" in cols and "value" in cols:
        layout = "long"
        known = {*_META_COLUMNS, "year", "value"}
        ignored = tuple(header[j] for j, h in enumerate(lower) if h and h not in known)
        for row, cells in rows:
            cells = list(cells) + [""] * (len(header) - len(cells))
            sid = _check_series(path, row, label("series"), cells[cols["series"]])
            points.append(
                _make_point(
                    path,
                    row,
                    cols,
                    cells,
                    label,
                    sid,
                    cells[cols["year"]],
                    label("year"),
                    cells[cols["value"]],
                    label("value"),
                )
            )
    else:
        layout = "wide"
        period_cols = [j for j, h in enumerate(lower) if h not in _META_COLUMNS]
        for j in period_cols:
            if not _PERIOD.match(str(header[j])):
                raise _err(
                    path,
                    1,
                    header[j] or f"#{j + 1}",
                    "expected a long layout (series, year, value, ...) or a wide one "
                    "(series and one column per year such as 2017 or 2019H1; other "
                    f"columns may be {', '.join(_META_COLUMNS[1:])})",
                )
        if not period_cols:
            raise _err(
                path,
                1,
                None,
                "wide layout without year columns (expected columns such as 2012, 2017)",
            )
        for row, cells in rows:
            cells = list(cells) + [""] * (len(header) - len(cells))
            sid = _check_series(path, row, label("series"), cells[cols["series"]])
            for j in period_cols:
                raw = cells[j]
                if str(raw).strip() == "":
                    continue
                points.append(
                    _make_point(
                        path, row, cols, cells, label, sid, header[j], label(j), raw, label(j)
                    )
                )
    if not points:
        raise _err(path, None, None, "empty file (no values)")
    seen: dict[tuple[str, int], int] = {}
    for pt in points:
        key = (pt["series"], pt["year"])
        if key in seen:
            raise _err(
                path,
                pt["_row"],
                None,
                f"duplicate {pt['series']} {pt['year']} (already given in row "
                f"{seen[key]}; half years count as their year)",
            )
        seen[key] = pt["_row"]
    df = pd.DataFrame(points).drop(columns="_row")[list(POINT_COLUMNS)]
    df["year"] = df["year"].astype(int)
    return ReleaseFile(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        layout=layout,
        points=df,
        ignored_columns=ignored,
        rows=tuple(pt["_row"] for pt in points),
    )


# ---------------------------------------------------------------------------
# finding and merging releases
# ---------------------------------------------------------------------------


def bundled_release_dir(profile: str = "korea") -> Path:
    """``smesim/data/releases/<profile>/``: the releases that ship with the package."""
    name = get_profile(profile).name  # validates the name
    return bundled_dir("releases", name, what=f"bundled releases of profile {name!r}")


def release_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into release files in release order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            try:
                entries = list(p.iterdir())
            except OSError as exc:
                raise DataError(
                    f"{p}: cannot read ({exc.strerror or type(exc).__name__})"
                ) from None
            found = sorted(
                (
                    f
                    for f in entries
                    if f.is_file()
                    and f.suffix.lower() in RELEASE_SUFFIXES
                    and not f.name.startswith((".", "~$"))
                ),
                key=lambda f: f.name,
            )
            if not found:
                raise DataError(f"{p}: no release files (expected *.csv or *.xlsx)")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise DataError(f"{p}: file not found")
    seen = set()
    for f in out:
        key = f.resolve()
        if key in seen:
            raise DataError(f"{f}: release given twice")
        seen.add(key)
    return out


def merge_releases(files: Sequence[ReleaseFile]) -> Releases:
    """Merge releases in order; later releases replace earlier values."""
    current: dict[tuple[str, int], dict] = {}
    rows: dict[tuple[str, int], int | None] = {}
    replaced = []
    for rf in files:
        file_rows = rf.rows or (None,) * len(rf.points)
        for rec, row in zip(rf.points.to_dict("records"), file_rows, strict=True):
            key = (rec["series"], rec["year"])
            rows[key] = row
            old = current.get(key)
            if old is not None:
                replaced.append(
                    {
                        "series": key[0],
                        "year": key[1],
                        "old_value": old["value"],
                        "old_file": old["file"],
                        "new_value": rec["value"],
                        "new_file": rec["file"],
                    }
                )
            current[key] = rec
    points = pd.DataFrame(list(current.values()), columns=list(POINT_COLUMNS))
    points = points.sort_values(["series", "year"], kind="stable").reset_index(drop=True)
    points["year"] = points["year"].astype(int)
    points["value"] = points["value"].astype(float)
    points["weight"] = points["weight"].astype(float)
    rep = pd.DataFrame(replaced, columns=list(REPLACED_COLUMNS))
    if len(rep):
        rep["year"] = rep["year"].astype(int)
    return Releases(points=points, replaced=rep, files=list(files), warnings=_jumps(points, rows))


def _jumps(points: pd.DataFrame, rows: dict) -> tuple[str, ...]:
    """A line for each value more than :data:`JUMP_WARNING` points from the series'
    previous year in ``points`` (merged, sorted by series and year)."""
    out = []
    prev = None
    for rec in points.to_dict("records"):
        if prev is not None and prev["series"] == rec["series"]:
            step = rec["value"] - prev["value"]
            if abs(step) > JUMP_WARNING:
                row = rows.get((rec["series"], rec["year"]))
                where = f"{rec['file']}, row {row}" if row is not None else rec["file"]
                out.append(
                    f"{where}: {rec['series']} {rec['year']} = {rec['value']:g} is "
                    f"{abs(step):.3g} points {'above' if step > 0 else 'below'} "
                    f"{prev['value']:g} in {prev['year']} ({prev['file']}): a jump of more "
                    f"than {JUMP_WARNING:g} points, kept; check the figure"
                )
        prev = rec
    return tuple(out)


def load_releases(paths: Iterable[str | Path] | None = None, profile: str = "korea") -> Releases:
    """Read, validate and merge releases.

    Parameters
    ----------
    paths : iterable of path, optional
        Release files and folders in release order (a folder contributes its
        ``*.csv`` / ``*.xlsx`` files in file-name order).  ``None``: the
        bundled releases of ``profile`` (``smesim/data/releases/<profile>/``;
        missing ones are a :class:`~smesim.errors.BundledDataError`).
    profile : str
        Country profile the data describe.

    Returns
    -------
    Releases
    """
    if paths is None:
        name = get_profile(profile).name
        files = bundled_files(
            "releases",
            name,
            suffixes=RELEASE_SUFFIXES,
            what=f"bundled releases of profile {name!r}",
        )
    else:
        files = release_files(list(paths))
    if not files:
        raise DataError("no release files given")
    return merge_releases([read_release(f) for f in files])


def check_files(paths: Iterable[str | Path]) -> list[ReleaseFile]:
    """Validate release files without merging (``smesim data check``)."""
    return [read_release(f) for f in release_files(list(paths))]
