"""A new demo database made in a child process while the console starts (`lib.sandbox.prepare`)."""

import sqlite3

import pytest

from lib.sandbox import prepare
from lib.sandbox.server import start_sandbox
from lib.sandbox.store import SCHEMA
from lib.sandbox.store_indexes import declared_indexes

DECLARED = {index.name: index.table for index in declared_indexes(SCHEMA)}
ALL_INDEXES = set(DECLARED)
FILLED = {"customers", "issues", "earns"}


def _indexes(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
    return {name for (name,) in rows}


@pytest.mark.slow  # a child Python seeds a whole demo database
def test_the_child_seeds_the_database_and_renames_it_into_place(tmp_path):
    target = tmp_path / "data" / "sandbox.db"
    assert prepare.prepare_in_background(target) is True
    assert prepare.prepare_in_background(target) is False  # already being prepared
    assert prepare.wait_prepared(target) is True
    assert sorted(p.name for p in target.parent.iterdir()) == ["sandbox.db"]  # no temp file, no WAL left
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT COUNT(*) FROM badges").fetchone()[0] == 12
        assert conn.execute("SELECT COUNT(*) FROM earns").fetchone()[0] > 50_000
        indexes = _indexes(conn)
    # the tables it filled come without their secondary indexes: whoever opens the file builds them
    assert indexes == ALL_INDEXES - {name for name, table in DECLARED.items() if table in FILLED}
    assert prepare.prepare_in_background(target) is False  # it exists: nothing to do
    handle = start_sandbox(target)
    try:
        assert (
            handle.stats()["total"] == 0 and not handle.service.is_empty()
        )  # served as is, not seeded again
        assert handle.service.repo.store.index_builder.wait(timeout=60)
        with sqlite3.connect(target) as conn:
            assert _indexes(conn) == ALL_INDEXES
    finally:
        handle.stop()


def test_without_a_child_the_sandbox_seeds_as_before(tmp_path):
    target = tmp_path / "sandbox.db"
    assert prepare.wait_prepared(target) is False  # nobody prepares it: the caller seeds it itself


def test_the_default_database_follows_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(prepare.DATA_DIR_ENV, str(tmp_path / "x"))
    assert prepare.default_db_path() == tmp_path / "x" / "sandbox.db"
