"""Read the dates people put in spreadsheets as the epoch seconds the Badges API expects.

Accepted: epoch seconds, epoch milliseconds (told apart by magnitude: the API itself would read a
millisecond value as a date tens of thousands of years away), ISO 8601 date-times with or without an
offset (no offset = UTC, like the API's badge boundaries), and plain YYYY-MM-DD dates (00:00 UTC).
Day-first/month-first forms like 02/01/2025 are refused because they are ambiguous.
Every reading is reported (`kind`) so the user can see how a value was understood.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

HOW_TO_WRITE = "use YYYY-MM-DD or epoch seconds"

MIN_EPOCH_SECONDS = 100_000_000  # 1973-03-03: smaller numbers are day counts or typos, not instants
MAX_EPOCH_SECONDS = 7_258_118_400  # 2200-01-01
MIN_EPOCH_MILLIS = 100_000_000_000  # below this a number is read as seconds
MAX_EPOCH_MILLIS = MAX_EPOCH_SECONDS * 1000

# ASCII digits only: regex \d also matches full-width and other scripts' digits, which no cast reads.
_NUMBER = r"[0-9]+(?:\.[0-9]*)?"
_ISO_START = r"^[0-9]{4}"  # only these reach to_datetime: it reads '-5' as the year -5
_OFFSET_AT_END = r"(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})$"  # only asked of cells already read as date-times


class DateKind(StrEnum):
    EPOCH_SECONDS = "epoch seconds"
    EPOCH_MILLIS = "epoch milliseconds"
    ISO_WITH_OFFSET = "date-time with offset"
    ISO_UTC = "date-time without offset, taken as UTC"
    DATE = "date, taken as 00:00 UTC"


KINDS: tuple[str, ...] = ("", *(kind.value for kind in DateKind))  # "" = nothing was read
PROBLEMS: tuple[str, ...] = (
    "",
    f"is not a date; {HOW_TO_WRITE}",
    f"is too small to be epoch seconds (a spreadsheet day number?); {HOW_TO_WRITE}",
    f"is out of range (after the year 2200); {HOW_TO_WRITE}",
    f"is outside 1970..2199; {HOW_TO_WRITE}",
)
_NOT_A_DATE, _TOO_SMALL, _TOO_BIG, _OUT_OF_RANGE = 1, 2, 3, 4


@dataclass(frozen=True)
class ParsedDates:
    """Column-aligned results of `parse_dates` (all Series share the input's index).

    seconds: nullable Int64 epoch seconds, NA when missing or invalid.
    kind:    categorical, the DateKind value used, "" when missing or invalid.
    problem: categorical, why an invalid value was refused (a sentence fragment following "'<value>' "),
             "" otherwise.
    """

    seconds: pd.Series
    kind: pd.Series
    missing: pd.Series
    invalid: pd.Series
    problem: pd.Series

    def kind_counts(self) -> dict[str, int]:
        counts = self.kind.value_counts()
        return {str(k): int(v) for k, v in counts.items() if k != "" and v}


def _to_float(text: pd.Series) -> np.ndarray:
    """Digit strings (already checked) to float64 through Arrow; pandas' own cast is ~100x slower."""
    return pc.cast(pa.array(text, from_pandas=True), pa.float64()).to_numpy(zero_copy_only=False)


def parse_dates(values: pd.Series) -> ParsedDates:
    """Vectorised: a few string tests and one `to_datetime` over the non-numeric cells; results are
    built in numpy arrays and wrapped once (per-element pandas assignment is the slow part otherwise)."""
    text = values.astype("str").fillna("").str.strip()
    size = len(text)
    seconds = np.zeros(size, dtype="int64")
    have = np.zeros(size, dtype=bool)
    kind = np.zeros(size, dtype="int8")
    problem = np.zeros(size, dtype="int8")
    missing = (text == "").to_numpy(dtype=bool)

    numeric = text.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False) & ~missing
    if numeric.any():
        number = _to_float(text[numeric])
        is_ms = (number >= MIN_EPOCH_MILLIS) & (number <= MAX_EPOCH_MILLIS)
        is_s = (number >= MIN_EPOCH_SECONDS) & (number <= MAX_EPOCH_SECONDS)
        ok = is_ms | is_s
        where = np.flatnonzero(numeric)
        seconds[where] = np.floor(np.where(is_ms, number / 1000.0, np.where(ok, number, 0))).astype("int64")
        have[where] = ok
        kind[where] = np.where(
            is_s, KINDS.index(DateKind.EPOCH_SECONDS), np.where(is_ms, KINDS.index(DateKind.EPOCH_MILLIS), 0)
        )
        problem[where] = np.where(ok, 0, np.where(number < MIN_EPOCH_SECONDS, _TOO_SMALL, _TOO_BIG))

    textual = ~numeric & ~missing
    if textual.any():
        where = np.flatnonzero(textual)
        cells = text[textual]
        iso_like = cells.str.contains(_ISO_START).fillna(False)
        parsed = pd.to_datetime(cells.where(iso_like, ""), format="ISO8601", utc=True, errors="coerce")
        read = parsed.notna().to_numpy(dtype=bool)
        epoch = np.zeros(len(cells), dtype="int64")
        # Through seconds, whatever resolution pandas chose: year 0 or 9999 would overflow nanoseconds.
        epoch[read] = parsed[read].dt.as_unit("s").dt.tz_localize(None).astype("int64").to_numpy()
        in_range = read & (epoch >= 0) & (epoch < MAX_EPOCH_SECONDS)
        seconds[where] = epoch
        have[where] = in_range
        date_only = (cells.str.len() == 10).to_numpy(dtype=bool)
        with_offset = cells.str.contains(_OFFSET_AT_END).to_numpy(dtype=bool, na_value=False)
        kind[where] = np.where(
            ~in_range,
            0,
            np.where(
                date_only,
                KINDS.index(DateKind.DATE),
                np.where(with_offset, KINDS.index(DateKind.ISO_WITH_OFFSET), KINDS.index(DateKind.ISO_UTC)),
            ),
        )
        problem[where] = np.where(in_range, 0, np.where(read, _OUT_OF_RANGE, _NOT_A_DATE))

    index = text.index
    return ParsedDates(
        seconds=pd.Series(pd.arrays.IntegerArray(seconds, ~have), index=index),
        kind=pd.Series(pd.Categorical.from_codes(kind, categories=KINDS), index=index),
        missing=pd.Series(missing, index=index),
        invalid=pd.Series(~missing & ~have, index=index),
        problem=pd.Series(pd.Categorical.from_codes(problem, categories=PROBLEMS), index=index),
    )


def format_instant(seconds: pd.Series) -> pd.Series:
    """Epoch seconds as 'YYYY-MM-DD HH:MM:SS UTC' text ('' for NA), for previews and messages."""
    instants = pd.to_datetime(seconds.astype("Float64"), unit="s", utc=True)
    text = instants.dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    return text.astype("str").fillna("")


def format_one(seconds: int) -> str:
    return pd.Timestamp(seconds, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S UTC")
