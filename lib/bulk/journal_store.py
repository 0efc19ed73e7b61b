"""The journal's storage: one writing connection serialised by a lock (with grouped commits), a
pool of reading connections, and the running per-state counts kept in the same transactions."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lib.bulk.journal_schema import SCHEMA, upgrade
from lib.bulk.journal_types import Job


class _Ticket:
    """One thread's write waiting for a grouped commit."""

    __slots__ = ("work", "done", "error")

    def __init__(self, work: Callable[[sqlite3.Connection], None]) -> None:
        self.work = work
        self.done = False
        self.error: BaseException | None = None


class JournalStore:
    """One journal file's connections. Thread-safe: one writing connection serialised by a lock,
    pooled readers. Several processes may open the same file (WAL readers never block the writer)."""

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
            self._conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        with self.transaction() as conn:
            upgrade(conn)

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
