"""What the journal holds, as typed values: job, batch and row states, reasons, the rows themselves,
the live counts and their invariant, and the outcomes the runner writes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import NamedTuple


class JobState(StrEnum):
    PLANNED = "PLANNED"  # written, not started yet
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"  # by the user, an open circuit, a long Retry-After or an unreachable server
    STOPPED = "STOPPED"  # credentials or permissions refused: fix them, then resume
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"

    @property
    def finished(self) -> bool:
        return self in (JobState.CANCELLED, JobState.COMPLETED)


class BatchState(StrEnum):
    PLANNED = "PLANNED"
    SENDING = "SENDING"
    UNKNOWN = "UNKNOWN"
    DONE = "DONE"


class ItemState(StrEnum):
    PLANNED = "PLANNED"
    SENDING = "SENDING"
    UNKNOWN = "UNKNOWN"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


PENDING_STATES = (ItemState.PLANNED, ItemState.SENDING, ItemState.UNKNOWN)
SETTLED_STATES = (ItemState.SUCCEEDED, ItemState.FAILED, ItemState.SKIPPED)
SETTLED_VALUES = frozenset(str(state) for state in SETTLED_STATES)  # plain strings: hashed per row in settle
SUCCEEDED_VALUE = str(ItemState.SUCCEEDED)


class Reason(StrEnum):
    """Why a row is SKIPPED or FAILED, and where a SUCCEEDED row's outcome came from."""

    ALREADY_ENROLLED = "already-enrolled"  # ledger hit, or 1040 from the server
    ALREADY_IMPORTED = "already-imported"
    DUPLICATE_IN_FILE = "duplicate-in-file"
    INVALID_ROW = "invalid-row"
    CUSTOMER_NOT_FOUND = "customer-not-found"  # the file's mobile, email... names no customer (1026)
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # the server refused the row (per-item error) or the whole batch (4xx)
    NOT_APPLIED = "not-applied"  # reconciliation found nothing after the server refused a resend
    RESPONSE = "response"  # SUCCEEDED as the server answered
    RECONCILED = (
        "reconciled"  # SUCCEEDED as found when reading the customer's badges (made after the batch was sent)
    )
    CONFIRMED = "confirmed"  # SUCCEEDED: a resend answered 1040 with the enrolment an earlier, unanswered attempt made
    # Undo jobs (revokeIssue / revokeEarn):
    ALREADY_REVOKED = "already-revoked"  # SKIPPED: no longer active before this undo touched it
    CONFIRMED_ON_RESEND = (
        "confirmed-on-resend"  # SUCCEEDED: a resend found it revoked after an unanswered attempt of this job
    )
    NO_TARGET = "no-target-id"  # FAILED: the job being undone recorded no id for this row


@dataclass(frozen=True)
class Job:
    job_id: str
    operation: str
    org: str
    base_url: str
    badge_id: str
    job_key: str
    file_sha256: str | None
    file_name: str | None
    batch_size: int
    concurrency: int
    issue_event_date: int | None
    input_rows: int
    state: JobState
    reason: str | None
    resume_at: float | None
    parent_job_id: str | None
    repairs: int
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    lease_owner: str | None
    lease_expires_at: float | None
    identifier: str | None = None  # the file's customer identifier kind (mobile, email...); None = id
    run_id: str | None = None  # shared by the jobs planned from one file, one per badge


@dataclass(frozen=True)
class Batch:
    job_id: str
    batch: int
    request_id: str
    kind: str  # plan | repair
    state: BatchState
    size: int
    issue_event_date: int | None
    attempts: int
    ambiguous: bool
    reconcile: bool
    absent_action: str  # repair | fail
    not_before: float | None
    last_code: int | None
    last_error: str | None
    created_at: float
    first_sent_at: float | None
    finished_at: float | None


@dataclass(frozen=True)
class Item:
    job_id: str
    row: int
    customer_id: int | None
    raw_customer: str | None
    batch: int | None
    state: ItemState
    reason: str | None
    code: int | None
    message: str | None
    result_id: str | None
    server_request_id: str | None
    attempts: int
    source: str | None
    issue_event_date: int | None
    earn_event_date: int | None
    earn_expires_on: int | None
    settled_at: float | None
    target_id: str | None = None  # undo: the issuedId or earnedBadgeId this row revokes


class OpenItem(NamedTuple):
    """What sending or reconciling a row needs (cheap: a batch reads a hundred of these per call)."""

    row: int
    customer_id: int | None
    issue_event_date: int | None
    earn_event_date: int | None
    earn_expires_on: int | None
    target_id: str | None = None  # undo: the issuedId or earnedBadgeId to revoke


class Chained(NamedTuple):
    """A worker's next batch, marked SENDING by the commit that settled its previous one, with the
    rows to send, read in that same transaction (no second look at the journal before sending)."""

    batch: Batch
    items: list[OpenItem]


@dataclass(frozen=True)
class Counts:
    """Live row counts of one job; ``consistent`` is the invariant the console checks on every render."""

    input_rows: int
    planned: int = 0
    sending: int = 0
    unknown: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def pending(self) -> int:
        return self.planned + self.sending + self.unknown

    @property
    def settled(self) -> int:
        return self.succeeded + self.failed + self.skipped

    @property
    def consistent(self) -> bool:
        return self.settled + self.pending == self.input_rows

    @property
    def done(self) -> bool:
        """Every row has a final outcome (never while anything is still unknown)."""
        return self.consistent and self.pending == 0


class InvariantError(AssertionError):
    """The journal's row counts do not add up to the job's input rows."""


def check_invariant(counts: Counts) -> Counts:
    """succeeded + failed + skipped + pending == input rows, or raise ``InvariantError``."""
    if not counts.consistent:
        raise InvariantError(
            f"{counts.succeeded} succeeded + {counts.failed} failed + {counts.skipped} skipped + "
            f"{counts.pending} pending != {counts.input_rows} input rows"
        )
    return counts


class Outcome(NamedTuple):
    """The settled (or re-opened) state of one row, as the runner writes it (a tuple: one per row of
    every answer, so cheap to build)."""

    row: int
    state: ItemState
    reason: str | None = None
    code: int | None = None
    message: str | None = None
    result_id: str | None = None
    server_request_id: str | None = None


class LedgerEntry(NamedTuple):
    customer_id: int
    event_date: int
    row: int
    result_id: str | None


_FIELDS: dict[type, tuple[str, ...]] = {}


def row_of(cls, row: sqlite3.Row | None):
    """A database row as the typed value `cls` (Job, Batch or Item), None for no row."""
    if row is None:
        return None
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    values = {name: row[name] for name in names}
    if cls is Job:
        values["state"] = JobState(values["state"])
    elif cls is Batch:
        values["state"] = BatchState(values["state"])
        values["ambiguous"] = bool(values["ambiguous"])
        values["reconcile"] = bool(values["reconcile"])
    elif cls is Item:
        values["state"] = ItemState(values["state"])
    return cls(**values)
