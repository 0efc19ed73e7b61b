"""Validation never throws on a value: whatever a cell holds, every row ends valid or with its own reason."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.bulk.mapping import ColumnMapping, suggest_mapping
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    ISSUE_EVENT_DATE,
    Operation,
)
from lib.bulk.validate import validate

ENROL = ColumnMapping(Operation.ENROL, {CUSTOMER_ID: "customerId", ISSUE_EVENT_DATE: "issueEventDate"})
IMPORT = ColumnMapping(
    Operation.IMPORT,
    {CUSTOMER_ID: "customerId", EARN_EVENT_DATE: "earnEventDate", EARN_EXPIRES_ON: "earnExpiresOn"},
)

HOSTILE = [
    "１２３",  # full-width
    "١٢٣",  # Arabic-Indic
    "१२३",  # Devanagari
    "１.0",
    "+１",
    "-5",
    "0",
    "-0",
    "00000",
    "²",
    "٣e5",
    "1\u200b",  # zero-width space
    "12\x00",
    "\x07",
    "\u202e123",  # right-to-left override
    "9" * 4400,
    "1" + "0" * 30,
    "9" * 400 + ".5",
    "1e400",
    "inf",
    "NaN",
    "-inf",
    "1_000",
    "0x1F",
    "2025-01-0２",
    "１７３５７７６０００",
    "-5-01-01",
    "0000-01-01",
    "9999-12-31T23:59:59+14:00",
    "2025-13-45",
    "2025-01-01T00:00:00+99:00",
    "\t=1+1",
    '=HYPERLINK("x")',
    "   ",
    "\ufeff42",
    "4\u00a02",
]


def frame_of(columns: dict[str, list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    return frame


def assert_every_row_accounted(result, frame: pd.DataFrame) -> None:
    rows_with_errors = set(result.issues.loc[result.issues["severity"] == "error", "row"].astype(int))
    skipped = (
        set(result.issues.loc[result.issues["severity"] == "skipped", "row"].astype(int))
        if ("skipped" in set(result.issues["severity"]))
        else set()
    )
    valid_rows = set(result.valid["row"].astype(int)) if "row" in result.valid else set()
    assert len(result.valid) + len(rows_with_errors) + len(skipped) >= len(frame) - len(skipped)
    for row in frame.index:
        assert row in valid_rows or row in rows_with_errors or row in skipped, f"row {row} has no outcome"


@pytest.mark.parametrize("value", HOSTILE)
def test_each_hostile_value_gets_a_reason_in_every_column(value):
    frame = frame_of(
        {
            "customerId": [value, "5"],
            "earnEventDate": [value, "1735776000"],
            "earnExpiresOn": ["1767225600", value],
        }
    )
    result = validate(frame, IMPORT)
    messages = result.issues["message"].tolist()
    assert all("row " in m for m in messages)
    enrol = validate(frame_of({"customerId": [value], "issueEventDate": [value]}), ENROL)
    if enrol.valid.empty:
        assert not enrol.issues.empty


def test_non_ascii_digits_and_invisible_characters_are_named():
    result = validate(
        frame_of({"customerId": ["１２３", "١٢٣", "12\x00", "1\u200b"], "issueEventDate": [""] * 4}), ENROL
    )
    messages = result.issues["message"].tolist()
    assert len(result.valid) == 0
    assert sum("non-ASCII digits" in m for m in messages) == 2
    assert any("U+0000" in m for m in messages)
    assert any("U+200B" in m for m in messages)


cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.from_regex(r"[0-9０-９٠-٩]{1,20}", fullmatch=True),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
).map(lambda s: s.encode("utf-8", "replace").decode("utf-8"))


# 150 Hypothesis tables through validation and mapping: half a minute on a busy machine.
@pytest.mark.slow
@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=12))
def test_validation_and_mapping_never_throw(rows):
    frame = frame_of(
        {
            "customerId": [r[0] for r in rows],
            "earnEventDate": [r[1] for r in rows],
            "earnExpiresOn": [r[2] for r in rows],
        }
    )
    result = validate(frame, IMPORT)
    outcome_rows = set(result.valid["row"].astype(int)) if "row" in result.valid else set()
    outcome_rows |= set(result.issues.loc[result.issues["severity"] != "warning", "row"].astype(int))
    assert outcome_rows == set(frame.index)
    suggest_mapping(Operation.IMPORT, list(frame.columns), frame)
    enrol = validate(
        frame_of({"customerId": [r[0] for r in rows], "issueEventDate": [r[1] for r in rows]}), ENROL
    )
    assert len(enrol.valid) <= len(rows)
