"""The table an upload becomes, whichever reader made it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.bulk.limits import ReadLimits

SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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


def drop_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with every cell empty are layout, not data (trailing ',,,' lines, spacer rows)."""
    if frame.empty or len(frame.columns) == 0:
        return frame
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns:
        blank &= frame[column].str.strip() == ""
    return frame.loc[~blank] if blank.any() else frame


def too_many_rows(rows: int, limits: ReadLimits) -> str:
    return f"The file has {rows:,} rows; the limit is {limits.max_rows:,}. Split it into smaller files."


def too_many_columns(columns: int, limits: ReadLimits) -> str:
    return (
        f"The file has {columns:,} columns; the limit is {limits.max_columns}. "
        "Keep only the columns the upload needs."
    )
