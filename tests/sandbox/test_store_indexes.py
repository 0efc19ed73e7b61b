"""A filled sandbox file handed over without its secondary indexes answers at once and gets them
built in the background (`lib.sandbox.store_indexes`); an ordinary bulk load rebuilds them itself."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading

import pytest

from lib.sandbox.repository.sqlite import SqliteRepository
from lib.sandbox.service import SandboxService
from lib.sandbox.store import SCHEMA, Store
from lib.sandbox.store_indexes import BACKGROUND_NICENESS, _yield_the_cpu, declared_indexes

ORG = 7
EARNS_INDEXES = {index.name for index in declared_indexes(SCHEMA) if index.table == "earns"}
ALL_INDEXES = {index.name for index in declared_indexes(SCHEMA)}


def _indexes(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
        )
        return {name for (name,) in rows}


def _earn_rows(count: int) -> list[tuple]:
    return [
        (f"{n:024x}", ORG, f"badge-{n % 5}", 1000 + n % 400, 1_700_000_000.0 + n, 1_700_000_000.0 + n,
         1_800_000_000.0, None if n % 9 else 1_750_000_000.0)
        for n in range(count)
    ]  # fmt: skip


def _fill(path, count: int, *, quickly: bool) -> None:
    """Load `count` earns the way the demo seed does (`quickly`: as `lib.sandbox.prepare` does)."""
    store = Store(path)
    if quickly:
        store.load_quickly()
    with store.bulk_load(("earns",)):
        store.connection().executemany(
            "INSERT INTO earns (id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _earn_rows(count),
        )
    store.close()


def test_a_new_file_gets_its_indexes_at_once(tmp_path):
    store = Store(tmp_path / "new.db")
    try:
        assert store.index_builder is None
        assert _indexes(tmp_path / "new.db") == ALL_INDEXES
    finally:
        store.close()


def test_an_ordinary_bulk_load_builds_the_indexes_again_itself(tmp_path):
    _fill(tmp_path / "s.db", 2_000, quickly=False)
    assert _indexes(tmp_path / "s.db") == ALL_INDEXES


def test_a_file_filled_quickly_is_answered_at_once_and_indexed_in_the_background(tmp_path):
    path = tmp_path / "s.db"
    _fill(path, 5_000, quickly=True)
    assert _indexes(path) == ALL_INDEXES - EARNS_INDEXES  # left to whoever opens it next

    repository = SqliteRepository(path)
    try:
        before = repository.earns.summaries_of(ORG, 1003, now=1_760_000_000.0)  # whether or not built yet
        assert repository.store.index_builder is not None
        assert repository.store.index_builder.wait(timeout=60)
        assert _indexes(path) == ALL_INDEXES
        assert repository.earns.summaries_of(ORG, 1003, now=1_760_000_000.0) == before
        assert set(before) == {"badge-3"} and before["badge-3"].active == 13 - 1  # 13 earns, one revoked
    finally:
        repository.close()
    reopened = Store(path)
    try:
        assert reopened.index_builder is None  # nothing left to build
    finally:
        reopened.close()


def test_a_customers_summary_searches_by_customer_once_indexed(tmp_path):
    path = tmp_path / "s.db"
    _fill(path, 2_000, quickly=False)
    repository = SqliteRepository(path)
    try:
        statements: list[str] = []
        repository.store.connection().set_trace_callback(statements.append)
        repository.earns.summaries_of(ORG, 1003, now=1_760_000_000.0)
        (summary,) = [sql for sql in statements if "FROM earns" in sql]
        plan = [
            row["detail"] for row in repository.store.connection().execute(f"EXPLAIN QUERY PLAN {summary}")
        ]
    finally:
        repository.close()
    assert "USING INDEX earns_of_customer (org_id=? AND customer_id=?)" in str(plan)


def test_closing_during_the_build_stops_it_and_the_next_open_finishes_it(tmp_path):
    path = tmp_path / "s.db"
    _fill(path, 200_000, quickly=True)
    store = Store(path)
    store.close()  # at once: the build is abandoned wherever it was, and its thread has ended
    assert store.index_builder is not None and store.index_builder.wait(timeout=0)
    store = Store(path)
    try:
        if store.index_builder is not None:  # (the first one may have finished before the close)
            assert store.index_builder.wait(timeout=60)
        assert _indexes(path) == ALL_INDEXES
    finally:
        store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
def test_the_builder_thread_gives_way_to_everything_else():
    seen = []

    def probe():
        _yield_the_cpu()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    assert seen == [max(BACKGROUND_NICENESS, os.getpriority(os.PRIO_PROCESS, 0))]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == os.getpriority(os.PRIO_PROCESS, 0)


def test_a_writer_waits_for_one_index_at_most(tmp_path):
    path = tmp_path / "s.db"
    _fill(path, 200_000, quickly=True)
    store = Store(path)
    try:
        with store.write() as conn:  # as soon as the index being built (if any) is done
            conn.execute("INSERT INTO badge_groups VALUES ('g1', ?, 'Spend', 1, 1, NULL, 0, NULL, 0)", (ORG,))
        assert _indexes(path) != ALL_INDEXES  # the builder had more to do, and let the writer in first
        assert store.index_builder is not None and store.index_builder.wait(timeout=60)
        assert _indexes(path) == ALL_INDEXES
    finally:
        store.close()


def test_opening_a_sandbox_file_that_has_everything_writes_nothing(tmp_path):
    """So a start never waits for another process writing the file (or for its index builder)."""
    path = tmp_path / "s.db"
    SandboxService(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write in progress
    opened: list[SandboxService] = []
    thread = threading.Thread(target=lambda: opened.append(SandboxService(path)), daemon=True)
    thread.start()
    thread.join(timeout=10)
    opened_meanwhile = bool(opened)
    other.execute("ROLLBACK")
    other.close()
    thread.join(timeout=30)
    for service in opened:
        service.close()
    assert opened_meanwhile, "opening the sandbox waited for the other writer"
