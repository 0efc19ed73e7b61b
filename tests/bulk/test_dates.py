"""How date cells are read: every accepted form, the reading reported, and refusals with reasons."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.bulk.dates import DateKind, format_instant, parse_dates

JAN_2_2025 = 1735776000  # 2025-01-02T00:00:00Z


def parse_one(value: str):
    parsed = parse_dates(pd.Series([value], dtype="str"))
    seconds = parsed.seconds.iloc[0]
    return (None if pd.isna(seconds) else int(seconds)), parsed.kind.iloc[0], parsed.problem.iloc[0]


@pytest.mark.parametrize(
    ("value", "seconds", "kind"),
    [
        ("1735776000", JAN_2_2025, DateKind.EPOCH_SECONDS),
        ("1735776000000", JAN_2_2025, DateKind.EPOCH_MILLIS),
        ("1735776000.9", JAN_2_2025, DateKind.EPOCH_SECONDS),
        (" 1735776000 ", JAN_2_2025, DateKind.EPOCH_SECONDS),
        ("2025-01-02", JAN_2_2025, DateKind.DATE),
        ("2025-01-02T00:00:00Z", JAN_2_2025, DateKind.ISO_WITH_OFFSET),
        ("2025-01-02T05:30:00+05:30", JAN_2_2025, DateKind.ISO_WITH_OFFSET),
        ("2025-01-01T19:00:00-0500", JAN_2_2025, DateKind.ISO_WITH_OFFSET),
        ("2025-01-02T00:00:00.192Z", JAN_2_2025, DateKind.ISO_WITH_OFFSET),
        ("2025-01-02T00:00:00", JAN_2_2025, DateKind.ISO_UTC),
        ("2025-01-02 00:00", JAN_2_2025, DateKind.ISO_UTC),
    ],
)
def test_accepted_forms(value, seconds, kind):
    assert parse_one(value) == (seconds, kind.value, "")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abc", "is not a date; use YYYY-MM-DD or epoch seconds"),
        ("02/01/2025", "is not a date; use YYYY-MM-DD or epoch seconds"),
        ("2025-13-01", "is not a date; use YYYY-MM-DD or epoch seconds"),
        (
            "45658",
            "is too small to be epoch seconds (a spreadsheet day number?); use YYYY-MM-DD or epoch seconds",
        ),
        ("99999999999", "is out of range (after the year 2200); use YYYY-MM-DD or epoch seconds"),
        ("1969-12-31", "is outside 1970..2199; use YYYY-MM-DD or epoch seconds"),
    ],
)
def test_refused_forms(value, problem):
    assert parse_one(value) == (None, "", problem)


def test_missing_is_not_invalid():
    parsed = parse_dates(pd.Series(["", "  ", "2025-01-02"], dtype="str"))
    assert parsed.missing.tolist() == [True, True, False]
    assert parsed.invalid.tolist() == [False, False, False]


def test_index_is_kept_and_readings_are_counted():
    parsed = parse_dates(pd.Series(["1735776000000", "2025-01-02", "x"], index=[7, 9, 12], dtype="str"))
    assert list(parsed.seconds.index) == [7, 9, 12]
    assert parsed.kind_counts() == {DateKind.EPOCH_MILLIS.value: 1, DateKind.DATE.value: 1}
    assert parsed.kind.astype("str").tolist() == ["epoch milliseconds", "date, taken as 00:00 UTC", ""]


def test_format_instant_leaves_missing_blank():
    assert format_instant(pd.Series([JAN_2_2025, pd.NA], dtype="Int64")).tolist() == [
        "2025-01-02 00:00:00 UTC",
        "",
    ]


@given(st.integers(min_value=100_000_000, max_value=7_258_118_400))
def test_seconds_and_their_millisecond_form_read_the_same(seconds):
    as_seconds = parse_one(str(seconds))
    as_millis = parse_one(str(seconds * 1000))
    assert as_seconds[0] == as_millis[0] == seconds
