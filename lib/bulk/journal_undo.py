"""The journal's writes and reads for undo jobs: an undo job is written like any planned job (job row,
rows, frozen batches in one transaction), its rows also carrying the id each one revokes."""

from __future__ import annotations

from collections.abc import Sequence

from lib.bulk.journal_types import ItemState, Job, row_of


class UndoWrites:
    """Mixed into `Journal`, which provides `transaction`, `_read` and `_event`."""

    def insert_undo_job(
        self, job: dict, planned: Sequence[tuple], settled: Sequence[tuple], batches: Sequence[tuple]
    ) -> None:
        """Job row, rows and frozen batch plan of an undo job in one transaction (all or nothing).

        ``planned``: (job_id, row, customer_id, raw_customer, batch, issue_event_date, earn_event_date,
        earn_expires_on, target_id) per row to revoke; ``settled``: rows settled before sending, as
        (job_id, row, customer_id, raw_customer, state, reason, message, result_id, issue_event_date,
        earn_event_date, earn_expires_on, settled_at, target_id); ``batches``: (job_id, batch,
        request_id, size, created_at). ``raw_customer`` is the mobile, email... the undone job's file
        named the customer by, if any.
        """
        by_state: dict[str, int] = {ItemState.PLANNED.value: len(planned)}
        for item in settled:
            by_state[item[4]] = by_state.get(item[4], 0) + 1
        columns = ", ".join(job)
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
                "INSERT INTO items (job_id, row, customer_id, raw_customer, batch, state, issue_event_date,"
                " earn_event_date, earn_expires_on, target_id) VALUES (?, ?, ?, ?, ?, 'PLANNED', ?, ?, ?, ?)",
                planned,
            )
            conn.executemany(
                "INSERT INTO items (job_id, row, customer_id, raw_customer, state, reason, message, result_id,"
                " issue_event_date, earn_event_date, earn_expires_on, settled_at, target_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                settled,
            )
            conn.executemany(
                "INSERT INTO batches (job_id, batch, request_id, kind, state, size, created_at)"
                " VALUES (?, ?, ?, 'plan', 'PLANNED', ?, ?)",
                batches,
            )
            self._event(
                conn, job["job_id"], "planned",
                f"{job['input_rows']} row(s) planned to undo job {job['parent_job_id']}",
            )  # fmt: skip

    def children(self, job_id: str) -> list[Job]:
        """Jobs planned from this one (retries of its failed rows, undo jobs), newest first."""
        rows = self._read("SELECT * FROM jobs WHERE parent_job_id = ? ORDER BY created_at DESC", (job_id,))
        return [row_of(Job, r) for r in rows]
