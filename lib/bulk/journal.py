"""The bulk job journal: a local SQLite file that is the single truth about every job.

A job, its rows and its frozen batch plan are written here before anything is sent; every batch is
marked SENDING (committed) before its request leaves and gets its outcome committed right after. A
process that dies at any point leaves a journal from which the job resumes without sending any row
twice. The console's progress view reads the same file, so a refresh, a second tab or a restarted
process all show the same numbers.

Durability: WAL with ``synchronous=FULL`` (NORMAL may lose the last commits on power loss). Rows are
indexed by (job, batch), so per-batch work stays cheap at 100k rows (an unindexed per-batch update
makes a run quadratic). Per-state row counts are adjusted once per transaction by the statement that
changes the rows (one grouped delta, not a trigger firing twice per row), so the progress view reads a
handful of numbers, never the rows.

Writes go through one connection under a lock; reads use a small pool of their own connections, so a
worker reading its next batch never waits behind another worker's commit (WAL readers see every
committed transaction and never block the writer).

States
    row:    PLANNED -> SUCCEEDED | FAILED | SKIPPED, or UNKNOWN (-> reconciled, or re-planned)
            (rows of a batch that is SENDING are counted as sending; the row itself is not rewritten)
    batch:  PLANNED -> SENDING -> DONE | UNKNOWN (outcome unclear: resend same requestId or reconcile)
    job:    PLANNED -> RUNNING -> COMPLETED | PAUSED(reason) | STOPPED(reason) | CANCELLED

Per-item 1040 ("an active issue already exists") in a 200 is recorded as SKIPPED(already-enrolled)
with the existing issueId, not FAILED: the customer holds the enrolment the job wanted, and a
"retry failed rows" job must not pick them up again.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    org TEXT NOT NULL,
    base_url TEXT NOT NULL,
    badge_id TEXT NOT NULL,
    job_key TEXT NOT NULL,
    file_sha256 TEXT,
    file_name TEXT,
    batch_size INTEGER NOT NULL,
    concurrency INTEGER NOT NULL,
    issue_event_date INTEGER,
    input_rows INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    resume_at REAL,
    parent_job_id TEXT,
    repairs INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    lease_owner TEXT,
    lease_expires_at REAL
);
CREATE TABLE IF NOT EXISTS items (
    job_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    customer_id INTEGER,
    raw_customer TEXT,
    batch INTEGER,
    state TEXT NOT NULL,
    reason TEXT,
    code INTEGER,
    message TEXT,
    result_id TEXT,
    server_request_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    issue_event_date INTEGER,
    earn_event_date INTEGER,
    earn_expires_on INTEGER,
    settled_at REAL,
    PRIMARY KEY (job_id, row)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_batch ON items (job_id, batch);
DROP INDEX IF EXISTS items_by_state;
CREATE TABLE IF NOT EXISTS batches (
    job_id TEXT NOT NULL,
    batch INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    size INTEGER NOT NULL,
    issue_event_date INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    ambiguous INTEGER NOT NULL DEFAULT 0,
    reconcile INTEGER NOT NULL DEFAULT 0,
    absent_action TEXT NOT NULL DEFAULT 'repair',
    not_before REAL,
    last_code INTEGER,
    last_error TEXT,
    created_at REAL NOT NULL,
    first_sent_at REAL,
    finished_at REAL,
    PRIMARY KEY (job_id, batch)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batches_by_state ON batches (job_id, state, batch);
CREATE INDEX IF NOT EXISTS batches_by_finish ON batches (job_id, finished_at);
CREATE TABLE IF NOT EXISTS ledger (
    org TEXT NOT NULL,
    base_url TEXT NOT NULL,
    badge_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    event_date INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    result_id TEXT,
    recorded_at REAL NOT NULL,
    PRIMARY KEY (org, base_url, badge_id, operation, customer_id, event_date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS item_counts (
    job_id TEXT NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (job_id, state)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_job ON events (job_id, at);
"""


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
_SETTLED = frozenset(str(state) for state in SETTLED_STATES)  # plain strings: hashed per row in settle
_SUCCEEDED = str(ItemState.SUCCEEDED)


class Reason(StrEnum):
    """Why a row is SKIPPED or FAILED, and where a SUCCEEDED row's outcome came from."""

    ALREADY_ENROLLED = "already-enrolled"  # ledger hit, or 1040 from the server
    ALREADY_IMPORTED = "already-imported"
    DUPLICATE_IN_FILE = "duplicate-in-file"
    INVALID_ROW = "invalid-row"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # the server refused the row (per-item error) or the whole batch (4xx)
    NOT_APPLIED = "not-applied"  # reconciliation found nothing after the server refused a resend
    RESPONSE = "response"  # SUCCEEDED as the server answered
    RECONCILED = (
        "reconciled"  # SUCCEEDED as found when reading the customer's badges (made after the batch was sent)
    )
    CONFIRMED = "confirmed"  # SUCCEEDED: a resend answered 1040 with the enrolment an earlier, unanswered attempt made


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


class OpenItem(NamedTuple):
    """What sending or reconciling a row needs (cheap: a batch reads a hundred of these per call)."""

    row: int
    customer_id: int | None
    issue_event_date: int | None
    earn_event_date: int | None
    earn_expires_on: int | None


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


def lease_owner_id() -> str:
    """host:pid:random — a dead process on this host can be recognised and its lease taken over."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def _owner_is_dead(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


_FIELDS: dict[type, tuple[str, ...]] = {}


def _row(cls, row: sqlite3.Row | None):
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


class _Ticket:
    """One thread's write waiting for a grouped commit."""

    __slots__ = ("work", "done", "error")

    def __init__(self, work: Callable[[sqlite3.Connection], None]) -> None:
        self.work = work
        self.done = False
        self.error: BaseException | None = None


class Journal:
    """One journal file. Thread-safe: one writing connection serialised by a lock, pooled readers.

    Several processes may open the same file (WAL readers never block the writer); the job lease
    decides which of them may run a job.
    """

    def __init__(self, path: str | Path, *, clock=time.time) -> None:
        self.path = str(path)
        self._clock = clock
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._readers: list[sqlite3.Connection] = []  # idle reading connections
        self._all_readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._queue: list[_Ticket] = []  # writes waiting for the next grouped commit
        self._queue_lock = threading.Lock()
        with self._lock:
            self._conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            triggered = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'item_recounted'"
            ).fetchone()
            if triggered is not None:
                # Journals whose counts a per-row trigger kept: the writes below keep them now.
                conn.execute("DROP TRIGGER item_recounted")
            if (row is not None and int(row[0]) < 2) or triggered is not None:
                # Count once: journals written before the running counts existed, or by a version
                # whose trigger may have counted alongside these writes.
                conn.execute("DELETE FROM item_counts")
                conn.execute(
                    "INSERT INTO item_counts (job_id, state, n) SELECT job_id, state, COUNT(*) FROM items"
                    " GROUP BY job_id, state"
                )
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        with self._readers_lock:
            for reader in self._all_readers:
                reader.close()
            self._all_readers.clear()
            self._readers.clear()

    def now(self) -> float:
        return self._clock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock is taken up front, so no upgrade deadlocks."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _grouped(self, work: Callable[[sqlite3.Connection], None]) -> None:
        """Run `work` in a transaction that may also carry other threads' work: one commit (one fsync)
        for all writes queued while the previous commit was on disk. Returns once `work` is durable.

        Whoever takes the write lock first commits everything queued so far; the others find their
        work done when they get the lock. Each piece runs in its own savepoint, so one that fails is
        undone alone and its error is raised in its own thread.
        """
        ticket = _Ticket(work)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._lock:
            if not ticket.done:
                with self._queue_lock:
                    group, self._queue = self._queue, []
                self._commit_group(group)
        if ticket.error is not None:
            raise ticket.error

    def _commit_group(self, group: list[_Ticket]) -> None:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for ticket in group:
                conn.execute("SAVEPOINT piece")
                try:
                    ticket.work(conn)
                except Exception as exc:  # noqa: BLE001 - handed to the thread that queued it
                    conn.execute("ROLLBACK TO piece")
                    ticket.error = exc
                conn.execute("RELEASE piece")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for ticket in group:
                ticket.error = ticket.error or exc
            if not isinstance(exc, Exception):
                raise
        finally:
            for ticket in group:
                ticket.done = True

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """A reading connection of the pool (opened on demand, one per concurrent reader)."""
        with self._readers_lock:
            conn = self._readers.pop() if self._readers else None
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            with self._readers_lock:
                self._all_readers.append(conn)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._readers_lock:
                self._readers.append(conn)

    def _read(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        with self._reader() as conn:
            return conn.execute(sql, params).fetchall()

    @staticmethod
    def _recount(conn: sqlite3.Connection, job_id: str, delta: dict[str, int]) -> None:
        """Apply a transaction's net change of rows per state to the running counts."""
        changes = [(job_id, state, n) for state, n in delta.items() if n]
        if changes:
            conn.executemany(
                "INSERT INTO item_counts (job_id, state, n) VALUES (?, ?, ?)"
                " ON CONFLICT (job_id, state) DO UPDATE SET n = n + excluded.n",
                changes,
            )

    @staticmethod
    def _states_of(conn: sqlite3.Connection, job_id: str, rows: Sequence[int]) -> dict[str, int]:
        """How many of these rows are in each state now (before the transaction changes them)."""
        # Driven by the row list (CROSS JOIN keeps that order): one primary-key lookup per row.
        found = conn.execute(
            "SELECT i.state, COUNT(*) FROM json_each(?) AS v CROSS JOIN items AS i"
            " WHERE i.job_id = ? AND i.row = v.value GROUP BY i.state",
            (json.dumps(sorted(set(rows))), job_id),
        ).fetchall()
        return {state: n for state, n in found}

    def _moved(self, conn: sqlite3.Connection, job_id: str, old: str, new: str, count: int) -> None:
        if count:
            self._recount(conn, job_id, {old: -count, new: count})

    # ---- jobs ------------------------------------------------------------------------------------

    def _static_job(self, job_id: str) -> Job:
        """The job's fixed fields (org, badge, ...), read once."""
        cached = self._jobs.get(job_id)
        if cached is None:
            cached = self.job(job_id)
            if cached is None:
                raise KeyError(job_id)
            self._jobs[job_id] = cached
        return cached

    def job(self, job_id: str) -> Job | None:
        return _row(Job, next(iter(self._read("SELECT * FROM jobs WHERE job_id = ?", (job_id,))), None))

    def jobs(self, *, states: Iterable[JobState] | None = None) -> list[Job]:
        rows = self._read("SELECT * FROM jobs ORDER BY created_at DESC")
        jobs = [_row(Job, r) for r in rows]
        wanted = set(states) if states is not None else None
        return [j for j in jobs if wanted is None or j.state in wanted]

    def unfinished_jobs(self) -> list[Job]:
        return self.jobs(states=[JobState.RUNNING])

    def set_job_state(
        self, job_id: str, state: JobState, *, reason: str | None = None, resume_at: float | None = None
    ) -> None:
        now = self.now()
        with self.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET state = ?, reason = ?, resume_at = ?, updated_at = ?,"
                " started_at = COALESCE(started_at, CASE WHEN ? = 'RUNNING' THEN ? END),"
                " finished_at = CASE WHEN ? IN ('COMPLETED', 'CANCELLED') THEN ? ELSE NULL END"
                " WHERE job_id = ?",
                (state.value, reason, resume_at, now, state.value, now, state.value, now, job_id),
            )
            self._event(conn, job_id, "state", f"{state.value}" + (f" ({reason})" if reason else ""))

    def add_event(self, job_id: str, kind: str, message: str) -> None:
        with self.transaction() as conn:
            self._event(conn, job_id, kind, message)

    def _event(self, conn: sqlite3.Connection, job_id: str, kind: str, message: str) -> None:
        conn.execute(
            "INSERT INTO events (job_id, at, kind, message) VALUES (?, ?, ?, ?)",
            (job_id, self.now(), kind, message),
        )

    def events(self, job_id: str, *, limit: int = 200) -> list[tuple[float, str, str]]:
        rows = self._read(
            "SELECT at, kind, message FROM events WHERE job_id = ? ORDER BY at DESC LIMIT ?", (job_id, limit)
        )
        return [(r["at"], r["kind"], r["message"]) for r in rows]

    # ---- lease -----------------------------------------------------------------------------------

    def acquire_lease(self, job_id: str, owner: str, ttl: float) -> bool:
        """Take the job for ``owner`` unless another live owner holds an unexpired lease."""
        now = self.now()
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT lease_owner, lease_expires_at FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return False
            holder, expires = row["lease_owner"], row["lease_expires_at"]
            free = holder is None or holder == owner or (expires or 0) < now or _owner_is_dead(holder)
            if not free:
                return False
            conn.execute(
                "UPDATE jobs SET lease_owner = ?, lease_expires_at = ? WHERE job_id = ?",
                (owner, now + ttl, job_id),
            )
            return True

    def renew_lease(self, job_id: str, owner: str, ttl: float) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET lease_expires_at = ? WHERE job_id = ? AND lease_owner = ?",
                (self.now() + ttl, job_id, owner),
            )
            return cursor.rowcount == 1

    def release_lease(self, job_id: str, owner: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE job_id = ? AND lease_owner = ?",
                (job_id, owner),
            )

    def lease_holder(self, job_id: str) -> str | None:
        """The owner of a live lease on the job, or None."""
        job = self.job(job_id)
        if job is None or job.lease_owner is None:
            return None
        if (job.lease_expires_at or 0) < self.now() or _owner_is_dead(job.lease_owner):
            return None
        return job.lease_owner

    # ---- counts ----------------------------------------------------------------------------------

    def counts(self, job_id: str) -> Counts:
        """Live counts, kept per state in the same transactions as the rows: microseconds.

        Rows of a batch in flight keep their PLANNED/UNKNOWN state in the table (one row update less
        per send); they are counted as sending here, in the same read snapshot.
        """
        with self._reader() as conn:
            conn.execute("BEGIN")
            try:
                job = conn.execute("SELECT input_rows FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
                rows = conn.execute("SELECT state, n FROM item_counts WHERE job_id = ?", (job_id,)).fetchall()
                in_flight = []
                for (batch,) in conn.execute(
                    "SELECT batch FROM batches INDEXED BY batches_by_state WHERE job_id = ? AND state = 'SENDING'",
                    (job_id,),
                ).fetchall():
                    in_flight += conn.execute(
                        "SELECT state, COUNT(*) AS n FROM items INDEXED BY items_by_batch"
                        " WHERE job_id = ? AND batch = ? AND state IN ('PLANNED', 'UNKNOWN') GROUP BY state",
                        (job_id, batch),
                    ).fetchall()
            finally:
                conn.execute("COMMIT")
        if job is None:
            raise KeyError(job_id)
        by_state = {r["state"]: r["n"] for r in rows}
        sending: dict[str, int] = {}
        for r in in_flight:
            sending[r["state"]] = sending.get(r["state"], 0) + r["n"]
        return Counts(
            input_rows=job["input_rows"],
            planned=by_state.get("PLANNED", 0) - sending.get("PLANNED", 0),
            sending=sum(sending.values()),
            unknown=by_state.get("UNKNOWN", 0) - sending.get("UNKNOWN", 0),
            succeeded=by_state.get("SUCCEEDED", 0),
            failed=by_state.get("FAILED", 0),
            skipped=by_state.get("SKIPPED", 0),
        )

    # ---- batches ---------------------------------------------------------------------------------

    def batch(self, job_id: str, batch: int) -> Batch:
        rows = self._read("SELECT * FROM batches WHERE job_id = ? AND batch = ?", (job_id, batch))
        if not rows:
            raise KeyError((job_id, batch))
        return _row(Batch, rows[0])

    def batches(self, job_id: str, *, states: Iterable[BatchState] | None = None) -> list[Batch]:
        rows = self._read("SELECT * FROM batches WHERE job_id = ? ORDER BY batch", (job_id,))
        wanted = {s.value for s in states} if states is not None else None
        return [_row(Batch, r) for r in rows if wanted is None or r["state"] in wanted]

    def batch_items(
        self, job_id: str, batch: int, *, states: Iterable[ItemState] | None = None
    ) -> list[Item]:
        rows = self._read(
            "SELECT * FROM items INDEXED BY items_by_batch WHERE job_id = ? AND batch = ? ORDER BY row",
            (job_id, batch),
        )
        wanted = {s.value for s in states} if states is not None else None
        return [_row(Item, r) for r in rows if wanted is None or r["state"] in wanted]

    def items(self, job_id: str) -> list[Item]:
        return [
            _row(Item, r) for r in self._read("SELECT * FROM items WHERE job_id = ? ORDER BY row", (job_id,))
        ]

    def item_rows(self, job_id: str) -> list[sqlite3.Row]:
        """Raw rows for building frames without a dataclass per row."""
        return self._read("SELECT * FROM items WHERE job_id = ? ORDER BY row", (job_id,))

    ITEM_FRAME_COLUMNS = (
        "row", "customer_id", "raw_customer", "batch", "state", "reason", "code", "message", "result_id",
        "server_request_id", "attempts", "issue_event_date", "earn_event_date", "earn_expires_on",
    )  # fmt: skip

    def item_frame(self, job_id: str, columns: Sequence[str] = ITEM_FRAME_COLUMNS):
        """Every row of the job (the given columns) with its batch's requestId, as a DataFrame.

        One query for the rows and one for the batches: the requestId is mapped per batch, not
        joined per row, so 100k rows do not build 100k copies of a thousand strings.
        """
        import pandas as pd

        unknown = set(columns) - set(self.ITEM_FRAME_COLUMNS)
        if unknown:
            raise ValueError(f"not an item column: {sorted(unknown)}")
        wanted = list(dict.fromkeys([*columns, "batch"]))
        with self._reader() as conn:
            conn.execute("BEGIN")
            try:
                cursor = conn.cursor()
                cursor.row_factory = None  # plain tuples: a Row object per line costs twice the fetch
                rows = cursor.execute(
                    f"SELECT {', '.join(wanted)} FROM items WHERE job_id = ? ORDER BY row",  # noqa: S608
                    (job_id,),
                ).fetchall()
                keys = dict(
                    conn.execute(
                        "SELECT batch, request_id FROM batches WHERE job_id = ?", (job_id,)
                    ).fetchall()
                )
            finally:
                conn.execute("COMMIT")
        frame = pd.DataFrame.from_records(rows, columns=wanted, coerce_float=False)
        frame["batch_request_id"] = frame["batch"].map(keys) if keys else None
        return frame

    def batch_rows(self, job_id: str) -> list[sqlite3.Row]:
        return self._read("SELECT * FROM batches WHERE job_id = ? ORDER BY batch", (job_id,))

    def recover_interrupted(self, job_id: str) -> int:
        """After a crash: batches left SENDING may or may not have been applied -> UNKNOWN."""
        with self.transaction() as conn:
            sending = [
                r["batch"]
                for r in conn.execute(
                    "SELECT batch FROM batches WHERE job_id = ? AND state = 'SENDING'", (job_id,)
                ).fetchall()
            ]
            for batch in sending:
                conn.execute(
                    "UPDATE batches SET state = 'UNKNOWN', ambiguous = 1 WHERE job_id = ? AND batch = ?",
                    (job_id, batch),
                )
                moved = conn.execute(
                    "UPDATE items INDEXED BY items_by_batch SET state = 'UNKNOWN'"
                    " WHERE job_id = ? AND batch = ? AND state = 'PLANNED'",
                    (job_id, batch),
                ).rowcount
                self._moved(conn, job_id, "PLANNED", "UNKNOWN", moved)
            if sending:
                self._event(conn, job_id, "recovered", f"{len(sending)} batch(es) interrupted while sending")
            return len(sending)

    def mark_sending(self, job_id: str, batch: int) -> Batch:
        """Write-ahead: committed before the request leaves. The batch's rows keep their state; while
        the batch is SENDING they are counted as sending, and a crash turns them UNKNOWN."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batches SET state = 'SENDING', attempts = attempts + 1,"
                " first_sent_at = COALESCE(first_sent_at, ?) WHERE job_id = ? AND batch = ?",
                (self.now(), job_id, batch),
            )
        return self.batch(job_id, batch)

    def open_items(self, job_id: str, batch: int) -> list[OpenItem]:
        """Rows of the batch without a final outcome, in a fixed order (customer, row) so that every
        resend of a batch carries a byte-identical body."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT row, customer_id, issue_event_date, earn_event_date, earn_expires_on"
                " FROM items INDEXED BY items_by_batch WHERE job_id = ? AND batch = ?"
                " AND state IN ('PLANNED', 'SENDING', 'UNKNOWN') ORDER BY customer_id, row",
                (job_id, batch),
            ).fetchall()
        return [OpenItem(*r) for r in rows]

    def reopen_batch(
        self,
        job_id: str,
        batch: int,
        *,
        state: BatchState,
        not_before: float | None,
        ambiguous: bool = False,
        reconcile: bool = False,
        absent_action: str | None = None,
        code: int | None = None,
        error: str | None = None,
        nothing_sent: bool = False,
    ) -> None:
        """The attempt did not settle the batch: PLANNED (nothing applied) or UNKNOWN (maybe applied).

        `nothing_sent`: no attempt of this batch can have been applied (the server refused its planned
        requestId as already used), so its first-sent time starts again with the next attempt."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batches SET state = ?, not_before = ?, ambiguous = MAX(ambiguous, ?),"
                " reconcile = MAX(reconcile, ?), absent_action = COALESCE(?, absent_action),"
                " last_code = ?, last_error = ?,"
                " first_sent_at = CASE WHEN ? THEN NULL ELSE first_sent_at END WHERE job_id = ? AND batch = ?",
                (
                    state.value,
                    not_before,
                    int(ambiguous),
                    int(reconcile),
                    absent_action,
                    code,
                    error,
                    int(nothing_sent),
                    job_id,
                    batch,
                ),
            )
            if state is BatchState.UNKNOWN:
                moved = conn.execute(
                    "UPDATE items INDEXED BY items_by_batch SET state = 'UNKNOWN'"
                    " WHERE job_id = ? AND batch = ? AND state = 'PLANNED'",
                    (job_id, batch),
                ).rowcount
                self._moved(conn, job_id, "PLANNED", "UNKNOWN", moved)

    def settle(
        self,
        job_id: str,
        batch: int,
        outcomes: Sequence[Outcome],
        *,
        ledger: Sequence[LedgerEntry] = (),
        batch_done: bool = True,
        code: int | None = None,
        error: str | None = None,
        then_sending: int | None = None,
    ) -> None:
        """Record row outcomes (and ledger entries) in one transaction; the batch is DONE when
        ``batch_done``, else it stays UNKNOWN for reconciliation of its remaining rows.

        ``then_sending`` marks the worker's next PLANNED batch SENDING in the same commit: one
        durable write per batch instead of two, and the mark still precedes that batch's request.
        Workers settling at the same moment share one commit (``_grouped``).
        """
        now = self.now()
        job = self._static_job(job_id)
        outcomes = list({o.row: o for o in outcomes}.values())  # one outcome per row, the last given
        after: dict[str, int] = {}
        for o in outcomes:
            state = str(o.state)
            after[state] = after.get(state, 0) + 1

        def write(conn: sqlite3.Connection) -> None:
            sends = conn.execute(
                "SELECT attempts FROM batches WHERE job_id = ? AND batch = ?", (job_id, batch)
            ).fetchone()
            sends = sends[0] if sends else 0
            rows = [o.row for o in outcomes]
            before = self._states_of(conn, job_id, rows) if rows else {}
            updated = conn.executemany(
                "UPDATE items SET state = ?, reason = ?, code = ?, message = ?, result_id = COALESCE(?, result_id),"
                " server_request_id = COALESCE(?, server_request_id), source = ?, attempts = attempts + ?,"
                " settled_at = ? WHERE job_id = ? AND row = ?",
                [
                    (
                        str(state),
                        reason,
                        code,
                        message,
                        result_id,
                        server_request_id,
                        reason if state == _SUCCEEDED else None,
                        sends if state in _SETTLED else 0,
                        now if state in _SETTLED else None,
                        job_id,
                        row,
                    )
                    for row, state, reason, code, message, result_id, server_request_id in outcomes
                ],
            ).rowcount
            delta = dict(after)
            if updated != len(rows):  # an outcome for a row the job does not have: count what is there
                delta = self._states_of(conn, job_id, rows)
            for state, n in before.items():
                delta[state] = delta.get(state, 0) - n
            self._recount(conn, job_id, delta)
            if ledger:
                conn.executemany(
                    "INSERT OR IGNORE INTO ledger (org, base_url, badge_id, operation, customer_id, event_date,"
                    " job_id, row, result_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (job.org, job.base_url, job.badge_id, job.operation, e.customer_id, e.event_date,
                         job_id, e.row, e.result_id, now)
                        for e in ledger
                    ],
                )  # fmt: skip
            if batch_done:
                conn.execute(
                    "UPDATE batches SET state = 'DONE', finished_at = ?, last_code = COALESCE(?, last_code),"
                    " last_error = COALESCE(?, last_error) WHERE job_id = ? AND batch = ?",
                    (now, code, error, job_id, batch),
                )
            else:
                conn.execute(
                    "UPDATE batches SET state = 'UNKNOWN', reconcile = 1, ambiguous = 1 WHERE job_id = ? AND batch = ?",
                    (job_id, batch),
                )
            if then_sending is not None:
                conn.execute(
                    "UPDATE batches SET state = 'SENDING', attempts = attempts + 1,"
                    " first_sent_at = COALESCE(first_sent_at, ?) WHERE job_id = ? AND batch = ? AND state = 'PLANNED'",
                    (now, job_id, then_sending),
                )
            conn.execute("UPDATE jobs SET updated_at = ? WHERE job_id = ?", (now, job_id))

        self._grouped(write)

    def replan_rows(self, job_id: str, from_batch: int, rows: Sequence[int], request_id_for) -> int | None:
        """Move rows that reconciliation proved absent into a new repair batch (new requestId).

        ``request_id_for(generation, customer_ids, issue_event_date)`` computes the repair batch's key;
        the new batch is written before anything is sent, like every planned batch.
        """
        if not rows:
            return None
        now = self.now()
        with self.transaction() as conn:
            job = conn.execute("SELECT repairs FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            generation = job["repairs"] + 1
            old = conn.execute(
                "SELECT issue_event_date, attempts FROM batches WHERE job_id = ? AND batch = ?",
                (job_id, from_batch),
            ).fetchone()
            new_batch = conn.execute(
                "SELECT COALESCE(MAX(batch), -1) + 1 FROM batches WHERE job_id = ?", (job_id,)
            ).fetchone()[0]
            placeholders = ",".join("?" * len(rows))
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT customer_id FROM items WHERE job_id = ? AND row IN ({placeholders}) ORDER BY customer_id, row",  # noqa: S608
                    (job_id, *rows),
                ).fetchall()
            ]
            request_id = request_id_for(generation, ids, old["issue_event_date"])
            delta = {state: -n for state, n in self._states_of(conn, job_id, rows).items()}
            delta["PLANNED"] = delta.get("PLANNED", 0) + len(ids)
            self._recount(conn, job_id, delta)
            conn.execute(
                "INSERT INTO batches (job_id, batch, request_id, kind, state, size, issue_event_date, created_at)"
                " VALUES (?, ?, ?, 'repair', 'PLANNED', ?, ?, ?)",
                (job_id, new_batch, request_id, len(rows), old["issue_event_date"], now),
            )
            conn.execute(
                f"UPDATE items SET batch = ?, state = 'PLANNED', attempts = attempts + ?"  # noqa: S608
                f" WHERE job_id = ? AND row IN ({placeholders})",
                (new_batch, old["attempts"], job_id, *rows),
            )
            conn.execute("UPDATE jobs SET repairs = ? WHERE job_id = ?", (generation, job_id))
            self._event(
                conn,
                job_id,
                "repair",
                f"{len(rows)} row(s) of batch {from_batch} not applied: batch {new_batch}",
            )
        return new_batch

    def finish_cancelled(self, job_id: str) -> int:
        """Rows never sent become SKIPPED(cancelled) and their batches DONE."""
        now = self.now()
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE items SET state = 'SKIPPED', reason = 'cancelled', settled_at = ?"
                " WHERE job_id = ? AND state = 'PLANNED'",
                (now, job_id),
            )
            self._moved(conn, job_id, "PLANNED", "SKIPPED", cursor.rowcount)
            conn.execute(
                "UPDATE batches SET state = 'DONE', finished_at = ? WHERE job_id = ? AND state = 'PLANNED'",
                (now, job_id),
            )
            return cursor.rowcount

    # ---- ledger ----------------------------------------------------------------------------------

    def ledger_lookup(
        self, *, org: str, base_url: str, badge_id: str, operation: str
    ) -> dict[tuple[int, int], str | None]:
        """(customer_id, event_date) -> result id of everything already done for this badge."""
        rows = self._read(
            "SELECT customer_id, event_date, result_id FROM ledger"
            " WHERE org = ? AND base_url = ? AND badge_id = ? AND operation = ?",
            (org, base_url, badge_id, operation),
        )
        return {(r["customer_id"], r["event_date"]): r["result_id"] for r in rows}

    # ---- throughput ------------------------------------------------------------------------------

    def finished_batches(self, job_id: str) -> list[tuple[float, int]]:
        """(finished_at, rows) per finished batch, in time order: throughput over time."""
        rows = self._read(
            "SELECT finished_at, size FROM batches WHERE job_id = ? AND finished_at IS NOT NULL ORDER BY finished_at",
            (job_id,),
        )
        return [(r["finished_at"], r["size"]) for r in rows]

    # ---- planning (used by lib.bulk.planner) -----------------------------------------------------

    def insert_job(
        self, job: dict, planned: Sequence[tuple], settled: Sequence[tuple], batches: Iterable[tuple]
    ) -> None:
        """Job row, rows and frozen batch plan in one transaction (all or nothing).

        ``planned``: (job_id, row, customer_id, batch, issue_event_date, earn_event_date, earn_expires_on)
        per row to send; ``settled``: full rows settled before sending (skipped, invalid), as
        (job_id, row, customer_id, raw_customer, batch, state, reason, code, message, result_id,
        issue_event_date, earn_event_date, earn_expires_on, settled_at). A planned row binds only the
        columns it has: at 100k rows that halves the insert.
        """
        columns = ", ".join(job)
        by_state: dict[str, int] = {ItemState.PLANNED.value: len(planned)}
        for item in settled:
            by_state[item[5]] = by_state.get(item[5], 0) + 1
        with self.transaction() as conn:
            conn.execute(
                f"INSERT INTO jobs ({columns}) VALUES ({', '.join('?' * len(job))})",  # noqa: S608
                tuple(job.values()),
            )
            conn.executemany(
                "INSERT INTO item_counts (job_id, state, n) VALUES (?, ?, ?)",
                [(job["job_id"], state, n) for state, n in by_state.items() if n],
            )
            conn.executemany(
                "INSERT INTO items (job_id, row, customer_id, batch, state, issue_event_date, earn_event_date,"
                " earn_expires_on) VALUES (?, ?, ?, ?, 'PLANNED', ?, ?, ?)",
                planned,
            )
            conn.executemany(
                "INSERT INTO items (job_id, row, customer_id, raw_customer, batch, state, reason, code, message,"
                " result_id, issue_event_date, earn_event_date, earn_expires_on, settled_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                settled,
            )
            conn.executemany(
                "INSERT INTO batches (job_id, batch, request_id, kind, state, size, issue_event_date, created_at)"
                " VALUES (?, ?, ?, 'plan', 'PLANNED', ?, ?, ?)",
                batches,
            )
            self._event(conn, job["job_id"], "planned", f"{job['input_rows']} row(s) planned")
