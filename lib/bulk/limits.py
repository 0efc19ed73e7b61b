"""What an upload may be, and the one error a reader raises for a file that is not.

Kept apart from the readers so the structural pre-check, the parser and the contained child process
share one set of caps and one way of saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

UNREADABLE = (
    "The file could not be read: it is damaged or in a form the reader does not know. Open it in your "
    "spreadsheet program and save it again, or export it as CSV, and upload again."
)


class FileReadError(ValueError):
    """The upload cannot be read; the message is written for the person who uploaded it."""


MAX_UPLOAD_MB = 50
"""The one size limit of an upload: the pages' file widgets, the reader and the server's own cap
(`.streamlit/config.toml` maxUploadSize) all say the same."""


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep one upload from exhausting the console's memory."""

    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 100
    # Rows of a customer file are a few dozen bytes; far longer lines are not a table (parsers split
    # them across blocks and fail in their own words).
    max_line_bytes: int = 256 * 1024
    # The grid a sheet spans (rows x columns, blanks included): readers allocate all of it.
    max_cells: int = 20_000_000
    # Workbooks are zip files: cap what they inflate to before a parser sees them.
    max_unzipped_bytes: int = 600 * 1024 * 1024
    max_inflate_ratio: float = 100.0
    max_zip_entries: int = 10_000
    # Tiny parts (styles, themes) compress far better than data; only judge the ratio of big ones.
    ratio_check_min_bytes: int = 1024 * 1024


def shown_name(name: str) -> str:
    """A file or part name as a message may quote it: printable and short (names come from the upload)."""
    printable = "".join(char if char.isprintable() else "?" for char in name)
    return printable if len(printable) <= 80 else printable[:77] + "..."
