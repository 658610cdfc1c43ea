"""Excel workbooks (``--format xlsx``): one sheet per table, numbers stored as numbers.

:func:`write_workbook` writes DataFrames with openpyxl: the index (when named)
and the columns become a header row, numbers stay numbers (NaN and infinities
become empty cells), and every text cell is stored as text, never as a
formula, and neutralised as in the CSV files (:func:`smesim.io.neutralise_cell`: a
leading ``'`` before ``=``, ``+``, ``-``, ``@``), so a name or title that starts with
``=`` cannot run in Excel, not even once a user edits the cell.
:func:`manifest_frame` turns a nested manifest into a two-column sheet;
:func:`series_frame` lists the output series with their units, meanings and
whether their trend is assumed (:attr:`smesim.model.outputs.Series.trend`), the
sheet every workbook carries beside its numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from smesim.io import neutralise_cell
from smesim.model.outputs import BY_ID

#: Characters Excel forbids in a sheet name; its length limit.
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_SHEET_MAX = 31


def _cell_value(v):
    """A value openpyxl stores as a number, text or an empty cell."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, list | tuple | dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _put(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row=row, column=col)
    value = neutralise_cell(_cell_value(value))  # "'=..." as in the CSV files (OWASP)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "=" (never a formula)


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``sheets`` (sheet name -> table) to ``path`` as one ``.xlsx`` workbook.

    A named index (or MultiIndex) is written as leading columns; an unnamed
    RangeIndex is left out.  The header row is frozen.
    """
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, df in sheets.items():
        title = str(name).translate(_SHEET_FORBIDDEN)[:_SHEET_MAX] or "sheet"
        while title in used:
            title = title[: _SHEET_MAX - 1] + "_"
        used.add(title)
        ws = wb.create_sheet(title)
        keep_index = any(n is not None for n in df.index.names)
        table = df.reset_index() if keep_index else df
        header = [" ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in table.columns]
        for j, h in enumerate(header, 1):
            _put(ws, 1, j, h)
        for i, row in enumerate(table.itertuples(index=False), 2):
            for j, v in enumerate(row, 1):
                _put(ws, i, j, v)
        for j, h in enumerate(header, 1):
            width = max([len(h), *(len(str(v)) for v in table.iloc[:200, j - 1])], default=8)
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
    wb.save(path)
    return Path(path)


def manifest_frame(manifest: Mapping) -> pd.DataFrame:
    """A nested manifest as rows of (dotted key, value); lists of scalars joined."""
    rows: list[tuple[str, object]] = []

    def walk(prefix: str, v) -> None:
        if isinstance(v, Mapping):
            if not v:
                rows.append((prefix, None))
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        elif isinstance(v, list | tuple) and all(
            not isinstance(x, Mapping | list | tuple) for x in v
        ):
            rows.append((prefix, ", ".join(str(x) for x in v)))
        elif isinstance(v, list | tuple):
            for i, x in enumerate(v):
                walk(f"{prefix}[{i}]", x)
        else:
            rows.append((prefix, str(v) if isinstance(v, Path) else v))

    walk("", manifest)
    return pd.DataFrame(rows, columns=["key", "value"])


def series_frame(ids=None) -> pd.DataFrame:
    """One row per output series (``ids``, default every one): id, unit, trend ("assumed
    trend", "partly assumed trend" or empty: :attr:`smesim.model.outputs.Series.trend`)
    and meaning."""
    rows = [
        (s.id, s.unit, f"{s.trend} trend" if s.trend else "", s.meaning)
        for s in (BY_ID[i] for i in (ids if ids is not None else BY_ID))
    ]
    return pd.DataFrame(rows, columns=["series", "unit", "trend", "meaning"])
