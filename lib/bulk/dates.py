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

HOW_TO_WRITE = "use YYYY-MM-DD or epoch seconds"

MIN_EPOCH_SECONDS = 100_000_000  # 1973-03-03: smaller numbers are day counts or typos, not instants
MAX_EPOCH_SECONDS = 7_258_118_400  # 2200-01-01
MIN_EPOCH_MILLIS = 100_000_000_000  # below this a number is read as seconds
MAX_EPOCH_MILLIS = MAX_EPOCH_SECONDS * 1000

_NUMBER = r"\d+(?:\.\d*)?"
_DATE_ONLY = r"\d{4}-\d{2}-\d{2}"
_HAS_OFFSET = r".*[T ]\d{1,2}:\d{2}.*(?:Z|z|[+-]\d{2}:?\d{2})"


class DateKind(StrEnum):
    EPOCH_SECONDS = "epoch seconds"
    EPOCH_MILLIS = "epoch milliseconds"
    ISO_WITH_OFFSET = "date-time with offset"
    ISO_UTC = "date-time without offset, taken as UTC"
    DATE = "date, taken as 00:00 UTC"


@dataclass(frozen=True)
class ParsedDates:
    """Column-aligned results of `parse_dates` (all Series share the input's index).

    seconds: nullable Int64 epoch seconds, NA when missing or invalid.
    kind:    the DateKind value used, "" when missing or invalid.
    problem: why an invalid value was refused (a sentence fragment following "'<value>' "), "" otherwise.
    """

    seconds: pd.Series
    kind: pd.Series
    missing: pd.Series
    invalid: pd.Series
    problem: pd.Series

    def kind_counts(self) -> dict[str, int]:
        counts = self.kind[self.kind != ""].value_counts()
        return {str(k): int(v) for k, v in counts.items()}


def parse_dates(values: pd.Series) -> ParsedDates:
    """Vectorised: one pass of string tests and one `to_datetime` over the non-numeric cells."""
    text = values.astype("str").fillna("").str.strip()
    index = text.index
    seconds = pd.Series(pd.NA, index=index, dtype="Int64")
    kind = pd.Series("", index=index, dtype="str")
    problem = pd.Series("", index=index, dtype="str")
    missing = text == ""

    numeric = text.str.fullmatch(_NUMBER).fillna(False) & ~missing
    if numeric.any():
        number = text[numeric].astype("float64")  # every cell matched _NUMBER, so the cast cannot fail
        is_ms = (number >= MIN_EPOCH_MILLIS) & (number <= MAX_EPOCH_MILLIS)
        is_s = (number >= MIN_EPOCH_SECONDS) & (number <= MAX_EPOCH_SECONDS)
        as_seconds = np.floor(np.where(is_ms, number / 1000.0, number))
        ok = is_ms | is_s
        seconds.loc[ok[ok].index] = as_seconds[ok.to_numpy()].astype("int64")
        kind.loc[is_s[is_s].index] = DateKind.EPOCH_SECONDS.value
        kind.loc[is_ms[is_ms].index] = DateKind.EPOCH_MILLIS.value
        too_small = number < MIN_EPOCH_SECONDS
        problem.loc[too_small[too_small].index] = (
            f"is too small to be epoch seconds (a spreadsheet day number?); {HOW_TO_WRITE}"
        )
        too_big = ~ok & ~too_small
        problem.loc[too_big[too_big].index] = f"is out of range (after the year 2200); {HOW_TO_WRITE}"

    textual = ~numeric & ~missing
    if textual.any():
        cells = text[textual]
        parsed = pd.to_datetime(cells, format="ISO8601", utc=True, errors="coerce")
        good = (
            parsed.notna()
            & (parsed >= pd.Timestamp(0, tz="UTC"))
            & (parsed < pd.Timestamp("2200-01-01", tz="UTC"))
        )
        good_index = good[good].index
        if len(good_index):
            instants = parsed[good_index]
            seconds.loc[good_index] = (instants - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
            good_cells = cells[good_index]
            date_only = good_cells.str.fullmatch(_DATE_ONLY)
            with_offset = good_cells.str.fullmatch(_HAS_OFFSET)
            kind.loc[good_index] = np.select(
                [date_only.to_numpy(dtype=bool), with_offset.to_numpy(dtype=bool)],
                [DateKind.DATE.value, DateKind.ISO_WITH_OFFSET.value],
                default=DateKind.ISO_UTC.value,
            )
        bad_index = good[~good].index
        problem.loc[bad_index] = f"is not a date; {HOW_TO_WRITE}"
        out_of_range = parsed[bad_index].notna()
        problem.loc[out_of_range[out_of_range].index] = f"is outside 1970..2199; {HOW_TO_WRITE}"

    invalid = ~missing & seconds.isna()
    return ParsedDates(seconds=seconds, kind=kind, missing=missing, invalid=invalid, problem=problem)


def format_instant(seconds: pd.Series) -> pd.Series:
    """Epoch seconds as 'YYYY-MM-DD HH:MM:SS UTC' text ('' for NA), for previews and messages."""
    instants = pd.to_datetime(seconds.astype("Float64"), unit="s", utc=True)
    text = instants.dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    return text.astype("str").fillna("")


def format_one(seconds: int) -> str:
    return pd.Timestamp(seconds, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S UTC")


def interpretation(parsed: ParsedDates) -> pd.Series:
    """'2025-01-02 00:00:00 UTC (date, read as 00:00 UTC)' per cell, '' where nothing was read."""
    shown = format_instant(parsed.seconds)
    return (shown + " (" + parsed.kind + ")").where(parsed.kind != "", "")
