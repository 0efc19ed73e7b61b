"""Workbook uploads (XLSX, XLS, ODS): structural pre-check, then calamine, into text cells.

calamine is a native library: what it raises for a bad file is its own (XmlError, Zip errors, ...),
so every call into it is wrapped and answered with one sentence of ours. What it cannot raise (an
allocation that aborts the process) is the contained child's business (`lib.bulk.contained`).
"""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd
import python_calamine

from lib.bulk.limits import FileReadError, ReadLimits
from lib.bulk.precheck import check_workbook
from lib.bulk.table import SheetTable, drop_blank_rows, too_many_rows

_DAMAGED = (
    "The workbook is damaged or in a form the reader does not know; open it in your spreadsheet "
    "program and save it again as .xlsx, or export the sheet as CSV."
)


def list_sheets(data: bytes, kind: str, limits: ReadLimits) -> list[str]:
    if kind in ("xlsx", "ods"):
        check_workbook(data, kind, limits)
    return list(_calamine(lambda: _open(data).sheet_names))


def read_workbook_table(data: bytes, kind: str, sheet: str | None, limits: ReadLimits) -> SheetTable:
    if kind in ("xlsx", "ods"):
        check_workbook(data, kind, limits)
    workbook = _open(data)
    names = tuple(_calamine(lambda: workbook.sheet_names))
    if sheet is not None and sheet not in names:
        raise FileReadError(f"The workbook has no sheet '{sheet}'; it has {', '.join(names)}.")
    candidates = [sheet] if sheet is not None else list(names)
    for name in candidates:
        calamine_sheet = _calamine(lambda name=name: workbook.get_sheet_by_name(name))
        cells = _calamine(
            lambda s=calamine_sheet: s.to_python(skip_empty_area=True, nrows=limits.max_rows + 2)
        )
        if len(cells) > limits.max_rows + 1:
            raise FileReadError(too_many_rows(calamine_sheet.height - 1, limits))
        if any(any(v != "" for v in row) for row in cells):
            first_row = calamine_sheet.start[0] + 1 if calamine_sheet.start else 1
            frame, blanks = drop_blank_rows(_frame_from_cells(cells, first_row))
            return SheetTable(frame, kind, sheet=name, sheets=names, blank_rows=blanks.count,
                              blank_row_numbers=blanks.first)  # fmt: skip
    if sheet is not None:
        raise FileReadError(f"The sheet '{sheet}' is empty.")
    raise FileReadError("The file is empty: no sheet of the workbook has any cell filled.")


def _open(data: bytes) -> python_calamine.CalamineWorkbook:
    return _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))


def _calamine(call):
    """Run one calamine call; whatever it raises for a bad file becomes one sentence for the uploader."""
    try:
        return call()
    except FileReadError:
        raise
    except MemoryError as exc:
        raise FileReadError(
            "The workbook describes a sheet far larger than the data it holds; copy the table to a new "
            "workbook, or export it as CSV, and upload again."
        ) from exc
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises XmlError, ZipError, ... and a Rust panic
        raise FileReadError(_DAMAGED) from exc  # arrives as PanicException, which is not an Exception


def _frame_from_cells(cells: list[list], header_row: int) -> pd.DataFrame:
    header, *body = cells
    width = max(len(header), *(len(r) for r in body)) if body else len(header)
    columns = _unique_headers([_cell_text(v).strip() for v in header] + [""] * (width - len(header)))
    data = {}
    for j, name in enumerate(columns):
        data[name] = pd.Series([_cell_text(r[j]) if j < len(r) else "" for r in body], dtype="str")
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body), name="row")
    return frame


def _unique_headers(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _cell_text(value: object) -> str:
    """A workbook cell as the user would type it: 123.0 -> '123', dates as ISO text."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
