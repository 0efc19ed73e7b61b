"""The table an upload becomes, whichever reader made it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.bulk.limits import ReadLimits
from lib.bulk.wording import plural, row_list

SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class SheetTable:
    """One table read from an upload.

    frame:     text cells (pandas string dtype, "" for an empty cell); index = spreadsheet row number.
    sheet:     the sheet read, for workbooks; `sheets` lists all of them so the user can pick another.
    encoding/separator: how a CSV was decoded, shown to the user when a file "looks wrong".
    blank_rows: how many empty lines (rows with every cell empty) between data rows were left out;
               `blank_row_numbers` names the first of them, as the spreadsheet numbers them.
    """

    frame: pd.DataFrame
    file_kind: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    separator: str | None = None
    blank_rows: int = 0
    blank_row_numbers: tuple[int, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def describe(self) -> str:
        rows = f"{plural(len(self.frame), 'data row')}, {plural(len(self.frame.columns), 'column')}"
        if self.blank_rows:
            # Row numbers in messages skip the blank ones, so say which they were.
            blank = "blank line" if self.file_kind == "csv" else "blank row"
            rows += f"; {plural(self.blank_rows, blank)} ignored ({row_list(self.blank_row_numbers, self.blank_rows)})"
        if self.file_kind == "csv":
            return f"CSV ({self.encoding}, {SEPARATOR_NAMES.get(self.separator or ',', self.separator)}-separated), {rows}"
        return f"{self.file_kind.upper()} sheet '{self.sheet}', {rows}"


BLANK_ROWS_NAMED = 10
"""How many blank row numbers a table keeps to name them; the count is always exact."""


@dataclass(frozen=True)
class Blanks:
    """Blank rows left out of a table: how many, and the first row numbers."""

    count: int = 0
    first: tuple[int, ...] = ()


def drop_blank_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, Blanks]:
    """Rows with every cell empty are layout, not data (spacer rows, trailing ',,,' lines): left out.

    Those between data rows are counted, since the row numbers after them skip; blank rows after the
    last data row (a trailing newline, an export's empty tail) change no row number and are not.
    """
    if frame.empty or len(frame.columns) == 0:
        return frame, Blanks()
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns:
        blank &= frame[column].str.strip() == ""
    if not blank.any():
        return frame, Blanks()
    filled = (~blank).to_numpy()
    last_filled = int(filled.nonzero()[0][-1]) if filled.any() else -1
    inside = blank.to_numpy().copy()
    inside[last_filled + 1 :] = False
    rows = frame.index[inside]
    return frame.loc[~blank], Blanks(len(rows), tuple(int(r) for r in rows[:BLANK_ROWS_NAMED]))


def too_many_rows(rows: int, limits: ReadLimits) -> str:
    return f"The file has {rows:,} rows; the limit is {limits.max_rows:,}. Split it into smaller files."


def too_many_columns(columns: int, limits: ReadLimits) -> str:
    return (
        f"The file has {columns:,} columns; the limit is {limits.max_columns}. "
        "Keep only the columns the upload needs."
    )
