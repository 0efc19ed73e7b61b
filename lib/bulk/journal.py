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

import sqlite3
from collections.abc import Iterable, Sequence

from lib.bulk.journal_batches import BatchWrites
from lib.bulk.journal_lease import LeaseStore, lease_owner_id
from lib.bulk.journal_schema import SCHEMA_VERSION
from lib.bulk.journal_store import JournalStore
from lib.bulk.journal_types import (
    PENDING_STATES,
    SETTLED_STATES,
    Batch,
    BatchState,
    Chained,
    Counts,
    InvariantError,
    Item,
    ItemState,
    Job,
    JobState,
    LedgerEntry,
    OpenItem,
    Outcome,
    Reason,
    check_invariant,
    row_of,
)
from lib.bulk.journal_undo import UndoWrites

__all__ = [
    "PENDING_STATES", "SCHEMA_VERSION", "SETTLED_STATES", "Batch", "BatchState", "Chained", "Counts", "InvariantError",
    "Item", "ItemState", "Job", "JobState", "Journal", "LedgerEntry", "OpenItem", "Outcome", "Reason",
    "check_invariant", "lease_owner_id",
]  # fmt: skip


class Journal(JournalStore, BatchWrites, LeaseStore, UndoWrites):
    """One journal file: jobs, their rows and batches, the ledger, and the job lease.

    Storage (connections, grouped commits, counts bookkeeping) is `JournalStore`; a batch's writes
    (sending, settling, reopening, re-planning) are `BatchWrites`; the lease is `LeaseStore`; the schema is `lib.bulk.journal_schema`; the typed values `lib.bulk.journal_types`.
    """

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
        return row_of(Job, next(iter(self._read("SELECT * FROM jobs WHERE job_id = ?", (job_id,))), None))

    def jobs(self, *, states: Iterable[JobState] | None = None) -> list[Job]:
        rows = self._read("SELECT * FROM jobs ORDER BY created_at DESC")
        jobs = [row_of(Job, r) for r in rows]
        wanted = set(states) if states is not None else None
        return [j for j in jobs if wanted is None or j.state in wanted]

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
        return row_of(Batch, rows[0])

    def batches(self, job_id: str, *, states: Iterable[BatchState] | None = None) -> list[Batch]:
        rows = self._read("SELECT * FROM batches WHERE job_id = ? ORDER BY batch", (job_id,))
        wanted = {s.value for s in states} if states is not None else None
        return [row_of(Batch, r) for r in rows if wanted is None or r["state"] in wanted]

    def batch_items(
        self, job_id: str, batch: int, *, states: Iterable[ItemState] | None = None
    ) -> list[Item]:
        rows = self._read(
            "SELECT * FROM items INDEXED BY items_by_batch WHERE job_id = ? AND batch = ? ORDER BY row",
            (job_id, batch),
        )
        wanted = {s.value for s in states} if states is not None else None
        return [row_of(Item, r) for r in rows if wanted is None or r["state"] in wanted]

    def items(self, job_id: str) -> list[Item]:
        return [
            row_of(Item, r)
            for r in self._read("SELECT * FROM items WHERE job_id = ? ORDER BY row", (job_id,))
        ]

    ITEM_FRAME_COLUMNS = (
        "row", "customer_id", "raw_customer", "batch", "state", "reason", "code", "message", "result_id",
        "server_request_id", "attempts", "issue_event_date", "earn_event_date", "earn_expires_on", "target_id",
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

    # ---- resolved identifiers (used by lib.bulk.resolve) ----------------------------------------

    def identities(
        self, *, org: str, base_url: str, kind: str, values: Sequence[str]
    ) -> dict[str, tuple[int | None, int | None, str | None, float]]:
        """value -> (customer id or None, error code, message, when resolved) for the values looked up before."""
        found: dict[str, tuple[int | None, int | None, str | None, float]] = {}
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._read(
                "SELECT value, customer_id, code, message, resolved_at FROM identities"
                " WHERE org = ? AND base_url = ? AND kind = ?"
                f" AND value IN ({', '.join('?' * len(chunk))})",  # noqa: S608 - placeholders only
                (org, base_url, kind, *chunk),
            )
            for r in rows:
                found[r["value"]] = (r["customer_id"], r["code"], r["message"], r["resolved_at"])
        return found

    def save_identities(
        self, *, org: str, base_url: str, kind: str, answers: Sequence[tuple[str, int | None, int | None, str | None]]
    ) -> None:
        """Remember look-up answers (value, customer id, code, message) so a rerun never asks again."""
        now = self.now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO identities (org, base_url, kind, value, customer_id, code, message,"
                " resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(org, base_url, kind, value, cid, code, message, now) for value, cid, code, message in answers],
            )

    # ---- planning (used by lib.bulk.planner) -----------------------------------------------------

    def insert_job(
        self, job: dict, planned: Sequence[tuple], settled: Sequence[tuple], batches: Iterable[tuple]
    ) -> None:
        """Job row, rows and frozen batch plan in one transaction (all or nothing).

        ``planned``: (job_id, row, customer_id, batch, issue_event_date, earn_event_date, earn_expires_on)
        per row to send, plus the identifier the file named the customer by when it was not the id; ``settled``: full rows settled before sending (skipped, invalid), as
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
            named = bool(planned) and len(planned[0]) == 8  # rows that also keep the file's identifier
            conn.executemany(
                "INSERT INTO items (job_id, row, customer_id, batch, state, issue_event_date, earn_event_date,"
                f" earn_expires_on{', raw_customer' if named else ''})"
                f" VALUES (?, ?, ?, ?, 'PLANNED', ?, ?, ?{', ?' if named else ''})",
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
