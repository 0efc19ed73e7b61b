"""The journal's writes of one batch's life: mark it SENDING before its request leaves, settle its
rows from the answer (grouped with other workers' settles in one commit), reopen it when the answer
was unclear, re-plan rows reconciliation proved absent, and settle what a cancel left unsent."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from lib.bulk.journal_types import (
    SETTLED_VALUES,
    SUCCEEDED_VALUE,
    Batch,
    BatchState,
    Chained,
    LedgerEntry,
    OpenItem,
    Outcome,
    row_of,
)

# Rows of a batch without a final outcome, in a fixed order (customer, row) so that every resend of a
# batch carries a byte-identical body.
_OPEN_ITEMS = (
    "SELECT row, customer_id, issue_event_date, earn_event_date, earn_expires_on, target_id"
    " FROM items INDEXED BY items_by_batch WHERE job_id = ? AND batch = ?"
    " AND state IN ('PLANNED', 'SENDING', 'UNKNOWN') ORDER BY customer_id, row"
)


class BatchWrites:
    """Mixed into `Journal`, which provides the store (`transaction`, `_grouped`, `_reader`, counts
    bookkeeping) and the reads (`batch`, `_static_job`)."""

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
            rows = conn.execute(_OPEN_ITEMS, (job_id, batch)).fetchall()
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
        forget: Sequence[LedgerEntry] = (),
        batch_done: bool = True,
        code: int | None = None,
        error: str | None = None,
        then_sending: int | None = None,
    ) -> Chained | None:
        """Record row outcomes (and ledger entries) in one transaction; the batch is DONE when
        ``batch_done``, else it stays UNKNOWN for reconciliation of its remaining rows.

        ``forget``: an undo job's revoked rows, whose entries the job it undoes wrote in the ledger
        (matched by customer, date and the revoked id) are removed in the same transaction, so that a
        later job may enrol or import them again instead of skipping them as already done.

        ``then_sending`` marks the worker's next batch SENDING in the same commit if it is still
        PLANNED: one durable write per batch instead of two, and the mark still precedes that batch's
        request. That batch and its rows come back, read in the same transaction on the writing
        connection (whose cache is warm); None when it was not PLANNED and so not marked.
        Workers settling at the same moment share one commit (``_grouped``).
        """
        now = self.now()
        job = self._static_job(job_id)
        undone = self._static_job(job.parent_job_id) if forget and job.parent_job_id else None
        chained: Chained | None = None
        outcomes = list({o.row: o for o in outcomes}.values())  # one outcome per row, the last given
        after: dict[str, int] = {}
        for o in outcomes:
            state = str(o.state)
            after[state] = after.get(state, 0) + 1

        def write(conn: sqlite3.Connection) -> None:
            nonlocal chained
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
                        reason if state == SUCCEEDED_VALUE else None,
                        sends if state in SETTLED_VALUES else 0,
                        now if state in SETTLED_VALUES else None,
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
            if undone is not None:
                conn.executemany(
                    "DELETE FROM ledger WHERE org = ? AND base_url = ? AND badge_id = ? AND operation = ?"
                    " AND customer_id = ? AND event_date = ? AND result_id = ?",
                    [
                        (undone.org, undone.base_url, undone.badge_id, undone.operation, e.customer_id,
                         e.event_date, e.result_id)
                        for e in forget
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
            conn.execute("UPDATE jobs SET updated_at = ? WHERE job_id = ?", (now, job_id))
            if then_sending is not None:
                marked = conn.execute(
                    "UPDATE batches SET state = 'SENDING', attempts = attempts + 1,"
                    " first_sent_at = COALESCE(first_sent_at, ?) WHERE job_id = ? AND batch = ? AND state = 'PLANNED'",
                    (now, job_id, then_sending),
                ).rowcount
                if marked:
                    key = (job_id, then_sending)
                    batch_row = conn.execute(
                        "SELECT * FROM batches WHERE job_id = ? AND batch = ?", key
                    ).fetchone()
                    items = [OpenItem(*r) for r in conn.execute(_OPEN_ITEMS, key).fetchall()]
                    chained = Chained(row_of(Batch, batch_row), items)

        self._grouped(write)
        return chained

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
