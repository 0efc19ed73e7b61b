"""The sandbox's SQLite file: schema, connections, units of work (the engine under
`lib.sandbox.repository.SqliteRepository`; nothing else runs SQL but its indexes' builder,
`lib.sandbox.store_indexes`).

One file in WAL mode survives restarts. Request handlers run on a thread pool, so every thread gets
its own connection (sqlite3 connections refuse cross-thread use), readers never block, and writers
take one process-wide lock plus `BEGIN IMMEDIATE`: a bulk call is a single transaction and a failed
call leaves nothing behind. Badge definitions are stored as their canonical wire JSON (`doc`) with
the columns that queries filter on copied beside it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lib.sandbox.store_indexes import (
    IndexBuilder,
    indexes_built_after,
    is_empty,
    missing_indexes,
    without_indexes,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS orgs (
    org_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_md5 TEXT NOT NULL,
    next_badge_number INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS badges (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL,
    numeric_id INTEGER,
    name TEXT NOT NULL,
    start_on REAL NOT NULL,
    expires_on REAL NOT NULL,
    earn_type TEXT NOT NULL,
    active INTEGER NOT NULL,
    group_id TEXT,
    created_on REAL NOT NULL,
    last_updated_on REAL NOT NULL,
    doc TEXT NOT NULL,
    fixed_windows TEXT NOT NULL DEFAULT '[]',
    UNIQUE (org_id, name)
);
CREATE INDEX IF NOT EXISTS badges_by_org ON badges (org_id, start_on);
CREATE TABLE IF NOT EXISTS customers (
    org_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    mobile TEXT,
    external_id TEXT,
    card_number TEXT,
    PRIMARY KEY (org_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS customers_by_email ON customers (org_id, email);
CREATE INDEX IF NOT EXISTS customers_by_mobile ON customers (org_id, mobile);
CREATE INDEX IF NOT EXISTS customers_by_external_id ON customers (org_id, external_id);
CREATE INDEX IF NOT EXISTS customers_by_card ON customers (org_id, card_number);
CREATE TABLE IF NOT EXISTS issues (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL,
    badge_id TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    issued_on REAL NOT NULL,
    event_date REAL NOT NULL,
    expires_on REAL NOT NULL,
    revoked_on REAL,
    owner_type TEXT,
    owner_reference_id TEXT,
    request_id TEXT
);
CREATE INDEX IF NOT EXISTS issues_by_customer ON issues (org_id, badge_id, customer_id);
CREATE INDEX IF NOT EXISTS issues_by_time ON issues (org_id, badge_id, issued_on);
CREATE INDEX IF NOT EXISTS issues_of_customer ON issues (org_id, customer_id);
CREATE INDEX IF NOT EXISTS issues_counted ON issues (org_id, badge_id) WHERE revoked_on IS NULL;
CREATE TABLE IF NOT EXISTS earns (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL,
    badge_id TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    earned_on REAL NOT NULL,
    event_date REAL NOT NULL,
    expires_on REAL NOT NULL,
    revoked_on REAL,
    issue_id TEXT,
    owner_type TEXT,
    owner_reference_id TEXT,
    request_id TEXT,
    imported INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS earns_by_customer ON earns (org_id, badge_id, customer_id, event_date);
CREATE INDEX IF NOT EXISTS earns_by_event ON earns (org_id, badge_id, event_date);
CREATE INDEX IF NOT EXISTS earns_by_processing ON earns (org_id, badge_id, earned_on);
CREATE INDEX IF NOT EXISTS earns_of_customer ON earns (org_id, customer_id);
CREATE INDEX IF NOT EXISTS earns_counted ON earns (org_id, badge_id) WHERE revoked_on IS NULL;
CREATE TABLE IF NOT EXISTS request_ids (
    org_id INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_on REAL NOT NULL,
    PRIMARY KEY (org_id, endpoint, request_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS badge_groups (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    rank INTEGER,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_on REAL NOT NULL,
    last_updated_by INTEGER,
    last_updated_on REAL NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS custom_fields (
    id TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    is_mandatory INTEGER NOT NULL DEFAULT 0,
    default_value TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    data_type TEXT NOT NULL,
    created_by INTEGER,
    created_on REAL NOT NULL,
    last_updated_by INTEGER,
    last_updated_on REAL NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS org_meta (
    org_id INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    doc TEXT NOT NULL
);
"""

SCHEMA_VERSION = 1  # PRAGMA user_version of a sandbox file; bump when SCHEMA changes incompatibly

# Everything an org owns; a reset empties these and keeps the orgs.
DATA_TABLES = (
    "earns",
    "issues",
    "request_ids",
    "badges",
    "badge_groups",
    "custom_fields",
    "org_meta",
    "customers",
)


class Store:
    """Connections and transactions over one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self.index_builder: IndexBuilder | None = None
        self.indexes_left_for_later = False
        with self._write_lock:
            conn = self._connection()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_tables = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if has_tables and version not in (
                0,
                SCHEMA_VERSION,
            ):  # 0: written before versioning (same schema)
                self.close()
                raise RuntimeError(
                    f"{self.path} was written by another version of the sandbox (schema {version}, expected "
                    f"{SCHEMA_VERSION}); delete it or choose another database file"
                )
            conn.executescript(without_indexes(SCHEMA))  # executescript manages its own transaction
            if version != SCHEMA_VERSION:  # a file already at this version is only read
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            later = []
            for index in missing_indexes(conn, SCHEMA):
                if self.path == ":memory:" or is_empty(conn, index.table):
                    conn.execute(index.statement)
                else:  # a filled file handed over without them (`load_quickly`)
                    later.append(index)
        if later:
            self.index_builder = IndexBuilder(self.path, later, self._write_lock)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (inside `read()`/`write()` it carries that transaction)."""
        return self._connection()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA cache_size=-32000")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for the duration of the block (WAL readers never wait for writers)."""
        conn = self._connection()
        if conn.in_transaction:  # nested inside a write: reuse it
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: all of it is committed, or none of it (an exception rolls back)."""
        with self._write_lock:
            conn = self._connection()
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def load_quickly(self) -> None:
        """For a file being filled before anyone uses it: no rollback journal and no syncing on this
        thread's connection (a crash leaves a file to throw away), and `bulk_load` leaves the secondary
        indexes of what it filled to the next `Store` that opens the file, which builds them in the
        background (`lib.sandbox.store_indexes`). Every connection of the sandbox that opens the file
        afterwards turns WAL on again."""
        conn = self._connection()
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        self.indexes_left_for_later = True

    @contextmanager
    def bulk_load(self, tables: Iterable[str]) -> Iterator[None]:
        """Inside one write: the secondary indexes of `tables` are dropped for the block and built
        once after it (or left for later, see `load_quickly`)."""
        with (
            self.write() as conn,
            indexes_built_after(conn, SCHEMA, tables, rebuild=not self.indexes_left_for_later),
        ):
            yield

    def close(self) -> None:
        if self.index_builder is not None:
            self.index_builder.stop()
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
