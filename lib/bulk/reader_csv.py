"""CSV uploads: decoding, separator sniffing and parsing into text cells.

Parse failures are described in the uploader's terms (which line, how many cells), never in the
parser's: the library's own words ("straddling object straddles two block boundaries") mean nothing
to the person who exported the file.
"""

from __future__ import annotations

import csv
import io
import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.bulk.limits import FileReadError, ReadLimits
from lib.bulk.table import SheetTable, drop_blank_rows, too_many_columns

SEPARATORS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_SHOWN_CHARS = 60


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name). BOMs win; then strict UTF-8; then Windows-1252; then Latin-1 (never fails)."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise FileReadError(
                "The file starts like UTF-16 text but is not valid UTF-16; export it again as UTF-8 CSV."
            ) from exc
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


def read_csv_table(data: bytes, limits: ReadLimits) -> SheetTable:
    text, encoding = decode_text(data)
    separator = sniff_separator(text[:SNIFF_BYTES])
    if encoding == "UTF-8":
        utf8 = data
    elif encoding == "UTF-8 with BOM":
        utf8 = data[len(_UTF8_BOM) :]
    else:
        utf8 = text.encode("utf-8")
    _check_line_lengths(utf8, limits)
    header_cells = _count_outside_quotes(text.split("\n", 1)[0], separator) + 1
    if header_cells > limits.max_columns:
        # Refused before parsing: a parser would build every one of those columns for every row first.
        raise FileReadError(too_many_columns(header_cells, limits))
    options = {"sep": separator, "dtype": "str", "keep_default_na": False, "na_values": []}
    try:
        if _BLANK_LINE.search(text.rstrip()):
            # Keep blank lines as (dropped) rows so row numbers still match the lines the user sees.
            # This parser only warns when a line has more cells than the header, and drops them: refuse.
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(io.BytesIO(utf8), skip_blank_lines=False, index_col=False, **options)
        else:
            # The Arrow parser builds string columns ~10x faster than the C parser does with dtype=str.
            frame = pd.read_csv(io.BytesIO(utf8), engine="pyarrow", **options)
    except pd.errors.EmptyDataError as exc:
        raise FileReadError("The file is empty.") from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning, pa.ArrowException, ValueError, csv.Error) as exc:
        raise FileReadError(describe_parse_failure(text, separator)) from exc
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    frame, blanks = drop_blank_rows(frame)
    return SheetTable(frame, "csv", encoding=encoding, separator=separator, blank_rows=blanks.count,
                      blank_row_numbers=blanks.first)  # fmt: skip


def _check_line_lengths(utf8: bytes, limits: ReadLimits) -> None:
    """Refuse a line far longer than any row of a customer file, before a parser splits it into blocks."""
    if len(utf8) <= limits.max_line_bytes:
        return
    newlines = np.flatnonzero(np.frombuffer(utf8, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], newlines, [len(utf8)]))
    lengths = np.diff(bounds) - 1
    longest = int(np.argmax(lengths))
    if lengths[longest] > limits.max_line_bytes:
        raise FileReadError(
            f"Line {longest + 1:,} of the file is {lengths[longest] / 1024 / 1024:,.1f} MB long, while a row of "
            f"a customer file takes a few dozen characters (limit {limits.max_line_bytes // 1024:,} KB); "
            "check that it is the right file and that every quote mark is closed."
        )


def describe_parse_failure(text: str, separator: str) -> str:
    """One sentence on why the text is not a table: the first line whose cell count differs from the header's."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(rows)
        for cells in rows:
            if cells and len(cells) > len(header):
                line = rows.line_num
                shown = separator.join(cells)
                if len(shown) > _SHOWN_CHARS:
                    shown = shown[: _SHOWN_CHARS - 3] + "..."
                return (
                    f"Line {line:,} has {len(cells)} cells where the header has {len(header)} ({shown!r}); "
                    "make every line have as many cells as the header, then upload again."
                )
    except (csv.Error, StopIteration):
        pass
    return (
        "The file could not be read as a table of separated cells; check that it is a CSV export "
        "and that every quote mark is closed, then upload again."
    )
