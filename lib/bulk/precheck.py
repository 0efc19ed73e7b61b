"""A cheap look at a workbook's structure before any spreadsheet library parses it.

Spreadsheet readers size their grids from what a file claims: one cell written at `XFD1048576`
makes a reader allocate 17 billion cells for a 1.5 KB file; a zip header that understates a part's
size, a DTD with entity expansion or a repeat count of a million do the same in other ways. This
module reads only the zip directory and streams the sheet XML through a few byte patterns, so a file
that is out of bounds is refused with a sentence the uploader can act on. It is a first line: the
parse itself still runs in a contained child process (`lib.bulk.contained`), for what no pre-check
can foresee.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from lib.bulk.limits import FileReadError, ReadLimits, shown_name

CHUNK = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384  # XFD
_OVERLAP = 256  # longer than any pattern below, so a match cut by a chunk boundary is still seen

# XLSX: a cell with content (`<c r="B7" ...>` not self-closing) and the sheet's declared extent.
_XLSX_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,4})([0-9]{1,9})"[^>]*?(/?)>')
_XLSX_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="(?:[A-Z]{1,4}[0-9]{1,9}:)?([A-Z]{1,4})([0-9]{1,9})"')
# ODS: repeat counts on rows and cells; only repeated cells that hold a value are expanded by readers.
_ODS_ROW_REPEAT = re.compile(
    rb'<table:table-row\b[^>]*?table:number-rows-repeated="([0-9]{1,12})"[^>]*?(/?)>'
)
_ODS_CELL_REPEAT = re.compile(
    rb'<table:(?:covered-)?table-cell\b([^>]*?)table:number-columns-repeated="([0-9]{1,12})"([^>]*?)(/?)>'
)
_IMPOSSIBLE = (
    "The sheet claims {rows:,} rows by {columns:,} columns, more than any spreadsheet program allows; "
    "the file is damaged or was not made by one. Export the data again as CSV."
)
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class SheetExtent:
    """How far a sheet's filled cells reach (1-based), as the file itself says, and which cells say so."""

    part: str
    rows: int = 0
    columns: int = 0
    lowest: str = ""  # the reference that reaches furthest down
    rightmost: str = ""  # ... and furthest right


def check_workbook(data: bytes, kind: str, limits: ReadLimits) -> None:
    """Refuse a workbook (xlsx/ods) that is damaged or out of bounds; returns quietly otherwise."""
    archive = _open_zip(data)
    with archive:
        entries = archive.infolist()
        _check_directory(entries, limits)
        for entry in entries:
            if entry.is_dir():
                continue
            if _is_sheet_part(entry.filename, kind):
                extent = _scan_sheet(archive, entry, kind)
                _check_extent(extent, limits)
            elif entry.filename.lower().endswith((".xml", ".rels")):
                _scan_other_xml(archive, entry)


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16384."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - ord("A") + 1)
    return number


# --- The zip directory --------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise FileReadError(
            "The workbook is damaged (its zip structure cannot be read); open it in your spreadsheet "
            "program and save it again, or export it as CSV."
        ) from exc


def _check_directory(entries: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    if len(entries) > limits.max_zip_entries:
        raise FileReadError(
            f"The workbook holds {len(entries):,} internal parts (a spreadsheet has a few dozen); "
            "it was not opened. Export the sheet as CSV and upload that."
        )
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
                    f"The workbook part '{shown_name(entry.filename)}' inflates {ratio:,.0f} times, which real "
                    f"spreadsheets never do (limit {limits.max_inflate_ratio:.0f}); it was not opened."
                )


def _is_sheet_part(name: str, kind: str) -> bool:
    if kind == "ods":
        return name == "content.xml"
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _chunks(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in chunks, refusing a part that holds more or less than its header declares.

    The part is opened as if it could be larger than declared (the zip module would otherwise stop at
    the declared size), and reading stops one chunk past it: a lying header costs at most one chunk.
    """
    probe = copy.copy(entry)
    probe.file_size = entry.file_size + CHUNK
    read = 0
    try:
        with archive.open(probe) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
                if read > entry.file_size:
                    raise FileReadError(_damaged(entry))
                yield chunk
    except FileReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise FileReadError(_damaged(entry)) from exc
    if read != entry.file_size:
        raise FileReadError(_damaged(entry))


def _damaged(entry: zipfile.ZipInfo) -> str:
    return (
        f"The workbook is damaged: its part '{shown_name(entry.filename)}' does not match the size its header "
        "declares; open it in your spreadsheet program and save it again, or export it as CSV."
    )


def _windows(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """Overlapping windows over a part, with the offset below which matches were already seen."""
    tail = b""
    for chunk in _chunks(archive, entry):
        window = tail + chunk
        yield window, len(tail)
        tail = window[-_OVERLAP:]


def _refuse_dtd(window: bytes, entry: zipfile.ZipInfo) -> None:
    if _DTD.search(window):
        raise FileReadError(
            f"The workbook part '{shown_name(entry.filename)}' declares its own XML entities, which spreadsheet "
            "programs never write; it was not opened. Save the data again as a new workbook or as CSV."
        )


def _scan_other_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    for window, _ in _windows(archive, entry):
        _refuse_dtd(window, entry)


# --- Sheet extents --------------------------------------------------------------------------------------


def _scan_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, kind: str) -> SheetExtent:
    extent = SheetExtent(entry.filename)
    rows = columns = 0
    for window, seen in _windows(archive, entry):
        _refuse_dtd(window, entry)
        if kind == "ods":
            rows, columns = _ods_extent(window, seen, rows, columns)
            continue
        for match in _XLSX_DIMENSION.finditer(window):
            declared = (int(match.group(2)), column_number(match.group(1).decode()))
            if declared[0] > EXCEL_MAX_ROWS or declared[1] > EXCEL_MAX_COLUMNS:
                raise FileReadError(_IMPOSSIBLE.format(rows=declared[0], columns=declared[1]))
        # Only cells with content size the grid (readers ignore <dimension>); a self-closing cell
        # (group 3) is styled but holds nothing.
        found = [m.groups()[:2] for m in _XLSX_CELL.finditer(window) if m.end() > seen and not m.group(3)]
        for letters, digits in found:
            reference = (letters + digits).decode()
            row, column = int(digits), column_number(letters.decode())
            if row > extent.rows:
                extent = replace(extent, rows=row, lowest=reference)
            if column > extent.columns:
                extent = replace(extent, columns=column, rightmost=reference)
    if kind == "ods":
        extent = replace(extent, rows=rows, columns=columns)
    return extent


def _ods_extent(window: bytes, seen: int, rows: int, columns: int) -> tuple[int, int]:
    """Largest repeat counts of rows and valued cells: what a reader would expand into a grid."""
    for match in _ODS_ROW_REPEAT.finditer(window):
        if match.end() > seen and not match.group(2):
            rows = max(rows, int(match.group(1)))
    for match in _ODS_CELL_REPEAT.finditer(window):
        if match.end() <= seen or match.group(4):
            continue
        attributes = match.group(1) + match.group(3)
        if b"value-type" in attributes:
            columns = max(columns, int(match.group(2)))
    return rows, columns


def _check_extent(extent: SheetExtent, limits: ReadLimits) -> None:
    if extent.rows > EXCEL_MAX_ROWS or extent.columns > EXCEL_MAX_COLUMNS:
        raise FileReadError(_IMPOSSIBLE.format(rows=extent.rows, columns=extent.columns))
    if extent.columns > limits.max_columns:
        where = f" ({extent.rightmost})" if extent.rightmost else ""
        raise FileReadError(
            f"The sheet has cells as far right as column {extent.columns:,}{where}, while an upload may have "
            f"{limits.max_columns} columns; keep only the columns the upload needs, or delete the stray "
            "cells to the right of the table, and upload again."
        )
    cells = extent.rows * max(extent.columns, 1)
    if cells > limits.max_cells:
        where = f" (down to {extent.lowest})" if extent.lowest else ""
        raise FileReadError(
            f"The sheet spans {extent.rows:,} rows by {extent.columns:,} columns{where}, {cells:,} cells, over "
            f"the {limits.max_cells:,} an upload may have; delete the stray cells below the table, or split "
            "it into smaller files, and upload again."
        )
