"""Helpers for the bulk job tests: fresh badges on the shared sandbox, input frames and files, fast retry
settings, fault rules that are always cleared, and the sandbox's own view of who holds what."""

from __future__ import annotations

import csv
import random
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from lib.bulk.journal import Journal, check_invariant
from lib.bulk.model import (
    CUSTOMER_ID,
    EARN_EVENT_DATE,
    EARN_EXPIRES_ON,
    ISSUE_EVENT_DATE,
    ROW,
    Operation,
    ValidatedInput,
)
from lib.bulk.policy import RetryConfig
from lib.bulk.runner import RunConfig

FAST_RETRY = RetryConfig(backoff_base=0.01, backoff_cap=0.05, retry_after_cap=5.0, settle_delay=0.0)
FAST = RunConfig(retry=FAST_RETRY, lease_ttl=5.0, poll=0.01)
DAY = 86_400


def badge_body(now: datetime, earn_type: str) -> dict:
    start = int(now.timestamp())
    return {
        "name": f"Bulk test {uuid.uuid4().hex[:10]}",
        "description": "bulk job tests",
        "startOn": start - 30 * DAY,
        "expiresOn": start + 365 * DAY,
        "earnType": earn_type,
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "issuedBadgeExpiry": {"expiryType": "NEVER"},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [],
        "badgeConstraints": [],
    }


@pytest.fixture
def faults(sandbox):
    """The sandbox, with every fault rule cleared after the test."""
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture
def enrol_badge(client, sandbox) -> str:
    """A fresh live ISSUE_EARN badge (started a month ago, as a migrated badge may)."""
    return client.create_badge(badge=badge_body(sandbox.now(), "ISSUE_EARN"), migration=True).id


@pytest.fixture
def import_badge(client, sandbox) -> str:
    return client.create_badge(badge=badge_body(sandbox.now(), "EARN"), migration=True).id


@pytest.fixture
def journal(tmp_path) -> Journal:
    j = Journal(tmp_path / "journal.sqlite")
    yield j
    j.close()


def customer_ids(count: int) -> list[int]:
    """Ids no other test uses (the sandbox is shared by the whole session)."""
    base = random.randrange(10**9, 9 * 10**9)
    return list(range(base, base + count))


def enrol_input(ids: list[int], *, dates: list[int | None] | None = None) -> ValidatedInput:
    frame = pd.DataFrame(
        {
            ROW: pd.Series(range(2, len(ids) + 2), dtype="int64"),
            CUSTOMER_ID: pd.Series(ids, dtype="int64"),
            ISSUE_EVENT_DATE: pd.array(dates or [None] * len(ids), dtype="Int64"),
        }
    )
    return ValidatedInput(Operation.ENROL, frame, source_rows=len(ids))


def import_input(ids: list[int], event: int, expires: int) -> ValidatedInput:
    frame = pd.DataFrame(
        {
            ROW: pd.Series(range(2, len(ids) + 2), dtype="int64"),
            CUSTOMER_ID: pd.Series(ids, dtype="int64"),
            EARN_EVENT_DATE: pd.Series([event] * len(ids), dtype="int64"),
            EARN_EXPIRES_ON: pd.Series([expires] * len(ids), dtype="int64"),
        }
    )
    return ValidatedInput(Operation.IMPORT, frame, source_rows=len(ids))


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def enrolments(sandbox, badge_id: str) -> dict[int, int]:
    """customer -> number of enrolments the sandbox holds for this badge (its database is the truth)."""
    with sqlite3.connect(sandbox.db_path) as conn:
        rows = conn.execute(
            "SELECT customer_id, COUNT(*) FROM issues WHERE badge_id = ? GROUP BY customer_id", (badge_id,)
        ).fetchall()
    return dict(rows)


def earns(sandbox, badge_id: str) -> dict[tuple[int, int], int]:
    """(customer, event date) -> number of earned instances of this badge."""
    with sqlite3.connect(sandbox.db_path) as conn:
        rows = conn.execute(
            "SELECT customer_id, CAST(event_date AS INTEGER), COUNT(*) FROM earns WHERE badge_id = ?"
            " GROUP BY customer_id, CAST(event_date AS INTEGER)",
            (badge_id,),
        ).fetchall()
    return {(c, d): n for c, d, n in rows}


def issue_requests(sandbox) -> int:
    return sum(n for path, n in sandbox.stats()["by_path"].items() if path.endswith("issueBulk"))


def assert_settled_exactly_once(
    journal: Journal, job_id: str, sandbox, badge_id: str, ids: list[int]
) -> None:
    """The invariant holds, nothing is pending, and every customer the journal calls enrolled holds
    exactly one enrolment on the sandbox (and nobody else got one)."""
    counts = check_invariant(journal.counts(job_id))
    assert counts.pending == 0
    held = enrolments(sandbox, badge_id)
    assert all(n == 1 for n in held.values()), {c: n for c, n in held.items() if n != 1}
    succeeded = {
        i.customer_id
        for i in journal.items(job_id)
        if i.state.value == "SUCCEEDED" or i.reason == "already-enrolled"
    }
    assert set(held) <= set(ids)
    assert succeeded == set(held) & set(ids)
