"""Read an uploaded customer list (CSV, XLSX, XLS, ODS) into a frame of text cells.

Everything is read as text so a customer id like `007` or a date like `2025-01-02` reaches validation
exactly as the user typed it; validation decides what it means and says so. The frame's index is the row
number a spreadsheet program shows for that row (the header is row 1), so messages point at the row the
user will look for.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd
import python_calamine

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_BYTES = 64 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


class FileReadError(ValueError):
    """The upload cannot be read; the message is written for the person who uploaded it."""


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep one upload from exhausting the console's memory."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 100
    # Workbooks are zip files: cap what they inflate to before a parser sees them.
    max_unzipped_bytes: int = 600 * 1024 * 1024
    max_inflate_ratio: float = 100.0
    # Tiny parts (styles, themes) compress far better than data; only judge the ratio of big ones.
    ratio_check_min_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class SheetTable:
    """One table read from an upload.

    frame:     text cells (pandas string dtype, "" for an empty cell); index = spreadsheet row number.
    sheet:     the sheet read, for workbooks; `sheets` lists all of them so the user can pick another.
    encoding/separator: how a CSV was decoded, shown to the user when a file "looks wrong".
    """

    frame: pd.DataFrame
    file_kind: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    separator: str | None = None

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def describe(self) -> str:
        rows = f"{len(self.frame):,} data rows, {len(self.frame.columns)} columns"
        if self.file_kind == "csv":
            return f"CSV ({self.encoding}, {SEPARATOR_NAMES.get(self.separator or ',', self.separator)}-separated), {rows}"
        return f"{self.file_kind.upper()} sheet '{self.sheet}', {rows}"


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
            f"'{filename}' is named like a spreadsheet but is not one; save it again from your "
            "spreadsheet program, or upload it as CSV."
        )
    return "csv"


def read_table(
    data: bytes, filename: str, *, sheet: str | None = None, limits: ReadLimits | None = None
) -> SheetTable:
    """Read an upload; raises FileReadError with a message meant for the uploader."""
    limits = limits or ReadLimits()
    if len(data) > limits.max_bytes:
        raise FileReadError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limits.max_bytes // 1024 // 1024} MB. "
            "Split it into smaller files."
        )
    if not data.strip():
        raise FileReadError("The file is empty.")
    kind = file_kind(filename, data)
    table = _read_csv(data, limits) if kind == "csv" else _read_workbook(data, kind, sheet, limits)
    _check_shape(table.frame, limits)
    return table


def sheet_names(data: bytes, filename: str, *, limits: ReadLimits | None = None) -> list[str]:
    """The sheets of a workbook (empty for CSV), for a sheet picker."""
    kind = file_kind(filename, data)
    if kind == "csv":
        return []
    if kind in ("xlsx", "ods"):
        check_zip_bomb(data, limits or ReadLimits())
    return list(_open_workbook(data).sheet_names)


# --- CSV ---------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name). BOMs win; then strict UTF-8; then Windows-1252; then Latin-1 (never fails)."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise FileReadError("The file starts like UTF-16 text but is not valid UTF-16.") from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_separator(sample: str) -> str:
    """The separator that splits the header and the next lines into the same, largest number of cells."""
    lines = [line for line in sample.splitlines()[:21] if line.strip()]
    if not lines:
        return ","
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ",", (0, 0)
    for sep in SEPARATORS:
        counts = [_count_outside_quotes(line, sep) for line in lines]
        header = counts[0]
        if header == 0:
            continue
        consistent = sum(1 for c in counts[1:] if c == header)
        score = (consistent, header)
        if score > best_score:
            best, best_score = sep, score
    return best


def _count_outside_quotes(line: str, sep: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            count += 1
    return count


def _read_csv(data: bytes, limits: ReadLimits) -> SheetTable:
    text, encoding = decode_text(data)
    separator = sniff_separator(text[:SNIFF_BYTES])
    if encoding == "UTF-8":
        utf8 = data
    elif encoding == "UTF-8 with BOM":
        utf8 = data[len(_UTF8_BOM) :]
    else:
        utf8 = text.encode("utf-8")
    options = {"sep": separator, "dtype": "str", "keep_default_na": False, "na_values": []}
    try:
        if _BLANK_LINE.search(text.rstrip()):
            # Keep blank lines as (dropped) rows so row numbers still match the lines the user sees.
            frame = pd.read_csv(io.BytesIO(utf8), skip_blank_lines=False, index_col=False, **options)
        else:
            # The Arrow parser builds string columns ~10x faster than the C parser does with dtype=str.
            frame = pd.read_csv(io.BytesIO(utf8), engine="pyarrow", **options)
    except pd.errors.ParserError as exc:
        raise FileReadError(_parser_message(str(exc))) from exc
    except pd.errors.EmptyDataError as exc:
        raise FileReadError("The file is empty.") from exc
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return SheetTable(_drop_blank_rows(frame), "csv", encoding=encoding, separator=separator)


def _parser_message(detail: str) -> str:
    detail = detail.removeprefix("CSV parse error: ").removeprefix("Error tokenizing data. C error: ")
    return f"The file is not a well-formed table: {detail.strip()[:200]}. Check that every line has as many cells as the header."


# --- Workbooks ---------------------------------------------------------------------------------------


def check_zip_bomb(data: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts inflate beyond the caps, before any XML parser reads them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileReadError("The workbook is damaged (not a readable zip file); save it again.") from exc
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_unzipped_bytes:
        raise FileReadError(
            f"The workbook unpacks to {total / 1024 / 1024:,.0f} MB, over the "
            f"{limits.max_unzipped_bytes // 1024 // 1024} MB limit; split it or upload it as CSV."
        )
    for entry in entries:
        if entry.file_size >= limits.ratio_check_min_bytes:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > limits.max_inflate_ratio:
                raise FileReadError(
                    f"The workbook part '{entry.filename}' inflates {ratio:,.0f} times, which real "
                    f"spreadsheets never do (limit {limits.max_inflate_ratio:.0f}); it was not opened."
                )


def _zip_has(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return name in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _open_workbook(data: bytes) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated error types for bad files
        raise FileReadError(f"The workbook could not be opened: {str(exc)[:200]}") from exc


def _read_workbook(data: bytes, kind: str, sheet: str | None, limits: ReadLimits) -> SheetTable:
    if kind in ("xlsx", "ods"):
        check_zip_bomb(data, limits)
    workbook = _open_workbook(data)
    names = tuple(workbook.sheet_names)
    if sheet is not None and sheet not in names:
        raise FileReadError(f"The workbook has no sheet '{sheet}'; it has {', '.join(names)}.")
    candidates = [sheet] if sheet is not None else list(names)
    for name in candidates:
        calamine_sheet = workbook.get_sheet_by_name(name)
        cells = calamine_sheet.to_python(skip_empty_area=True, nrows=limits.max_rows + 2)
        if len(cells) > limits.max_rows + 1:
            raise FileReadError(_too_many_rows(calamine_sheet.height - 1, limits))
        if any(any(v != "" for v in row) for row in cells):
            first_row = calamine_sheet.start[0] + 1 if calamine_sheet.start else 1
            return SheetTable(_frame_from_cells(cells, first_row), kind, sheet=name, sheets=names)
    if sheet is not None:
        raise FileReadError(f"The sheet '{sheet}' is empty.")
    raise FileReadError("The file is empty: no sheet of the workbook has any cell filled.")


def _frame_from_cells(cells: list[list], header_row: int) -> pd.DataFrame:
    header, *body = cells
    width = max(len(header), *(len(r) for r in body)) if body else len(header)
    columns = _unique_headers([_cell_text(v).strip() for v in header] + [""] * (width - len(header)))
    data = {}
    for j, name in enumerate(columns):
        data[name] = pd.Series([_cell_text(r[j]) if j < len(r) else "" for r in body], dtype="str")
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(body), name="row")
    return _drop_blank_rows(frame)


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


# --- Shape checks ------------------------------------------------------------------------------------


def _drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with every cell empty are layout, not data (trailing ',,,' lines, spacer rows)."""
    if frame.empty or len(frame.columns) == 0:
        return frame
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns:
        blank &= frame[column].str.strip() == ""
    return frame.loc[~blank] if blank.any() else frame


def _too_many_rows(rows: int, limits: ReadLimits) -> str:
    return f"The file has {rows:,} rows; the limit is {limits.max_rows:,}. Split it into smaller files."


def _check_shape(frame: pd.DataFrame, limits: ReadLimits) -> None:
    if len(frame.columns) > limits.max_columns:
        raise FileReadError(
            f"The file has {len(frame.columns)} columns; the limit is {limits.max_columns}. "
            "Keep only the columns the upload needs."
        )
    if len(frame) > limits.max_rows:
        raise FileReadError(_too_many_rows(len(frame), limits))
    if frame.empty:
        raise FileReadError("The file has a header row but no data rows.")
