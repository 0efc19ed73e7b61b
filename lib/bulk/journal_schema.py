"""The journal's SQLite schema and the upgrades of journals written by earlier versions."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 4

SCHEMA = """
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
    lease_expires_at REAL,
    identifier TEXT,
    run_id TEXT
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
    target_id TEXT,
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
CREATE TABLE IF NOT EXISTS identities (
    org TEXT NOT NULL,
    base_url TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    customer_id INTEGER,
    code INTEGER,
    message TEXT,
    resolved_at REAL NOT NULL,
    PRIMARY KEY (org, base_url, kind, value)
) WITHOUT ROWID;
"""

# Columns added after a journal could already exist: (table, column, declaration).
ADDED_COLUMNS = (
    ("jobs", "identifier", "TEXT"),  # how the file named customers (mobile, email...); NULL = customer id
    ("jobs", "run_id", "TEXT"),  # jobs planned together from one file (one per badge)
    ("items", "target_id", "TEXT"),  # undo: the enrolment or earn this row revokes
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring a journal (new, or written by an earlier version) to this schema, inside a transaction."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    for table, column, declaration in ADDED_COLUMNS:
        present = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
    triggered = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'item_recounted'"
    ).fetchone()
    if triggered is not None:
        # Journals whose counts a per-row trigger kept: the writes of the store keep them now.
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
