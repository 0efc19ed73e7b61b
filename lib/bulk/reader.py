"""Read an uploaded customer list (CSV, XLSX, XLS, ODS) into a frame of text cells.

Everything is read as text so a customer id like `007` or a date like `2025-01-02` reaches validation
exactly as the user typed it; validation decides what it means and says so. The frame's index is the row
number a spreadsheet program shows for that row (the header is row 1), so messages point at the row the
user will look for.

This runs the parsers in the calling process. Files from users go through
`lib.bulk.contained.read_untrusted`, which runs this same code in a child process with memory and
time limits, so a file that makes a native parser abort cannot take the console down.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

import pandas as pd

from lib.bulk.limits import FileReadError, ReadLimits, shown_name
from lib.bulk.reader_csv import SEPARATORS, SNIFF_BYTES, decode_text, read_csv_table, sniff_separator
from lib.bulk.reader_workbook import list_sheets, read_workbook_table
from lib.bulk.table import SEPARATOR_NAMES, SheetTable, too_many_columns, too_many_rows

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


def file_kind(filename: str, data: bytes) -> str:
    """csv / xlsx / xls / ods, from the content first (a renamed file is still what its bytes say)."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if data.startswith(_ZIP_MAGIC):
        if suffix in ("ods", "xlsx", "xlsm"):
            return "ods" if suffix == "ods" else "xlsx"
        return "ods" if _zip_has(data, "content.xml") else "xlsx"
    if data.startswith(_OLE_MAGIC):
        return "xls"
    if suffix in ("xlsx", "xlsm", "ods", "xls"):
        raise FileReadError(
            f"'{shown_name(filename)}' is named like a spreadsheet but is not one; save it again from your "
            "spreadsheet program, or upload it as CSV."
        )
    return "csv"


def check_size(data: bytes, limits: ReadLimits) -> None:
    """The checks that need no parser: size and emptiness (also run before a contained read starts)."""
    if len(data) > limits.max_bytes:
        raise FileReadError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limits.max_bytes // 1024 // 1024} MB. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise FileReadError("The file is empty.")


def read_table(
    data: bytes, filename: str, *, sheet: str | None = None, limits: ReadLimits | None = None
) -> SheetTable:
    """Read an upload; raises FileReadError with a message meant for the uploader."""
    limits = limits or ReadLimits()
    check_size(data, limits)
    kind = file_kind(filename, data)
    table = read_csv_table(data, limits) if kind == "csv" else read_workbook_table(data, kind, sheet, limits)
    _check_shape(table.frame, limits)
    return table


def sheet_names(data: bytes, filename: str, *, limits: ReadLimits | None = None) -> list[str]:
    """The sheets of a workbook (empty for CSV), for a sheet picker."""
    kind = file_kind(filename, data)
    return [] if kind == "csv" else list_sheets(data, kind, limits or ReadLimits())


def _zip_has(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return name in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return False


def _check_shape(frame: pd.DataFrame, limits: ReadLimits) -> None:
    if len(frame.columns) > limits.max_columns:
        raise FileReadError(too_many_columns(len(frame.columns), limits))
    if len(frame) > limits.max_rows:
        raise FileReadError(too_many_rows(len(frame), limits))
    if frame.empty:
        raise FileReadError("The file has a header row but no data rows.")


__all__ = [
    "SEPARATORS",
    "SEPARATOR_NAMES",
    "SNIFF_BYTES",
    "FileReadError",
    "ReadLimits",
    "SheetTable",
    "check_size",
    "decode_text",
    "file_kind",
    "read_table",
    "sheet_names",
    "sniff_separator",
]
