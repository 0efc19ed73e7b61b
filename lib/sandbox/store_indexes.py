"""The sandbox's secondary indexes: built once after a bulk load, or on a thread of their own when a
filled file arrives without them.

Loading a hundred thousand rows into a table with five indexes updates six B-trees per row; building
each index once afterwards sorts instead, and takes a third of the time (`indexes_built_after`).

A new console's demo database is made by a child process (`lib.sandbox.prepare`) while the first
page waits for it, on a machine whose cores are busy starting the console and the browser. Its
indexes are half of that work, and no answer depends on them: a query without its index scans the
table instead (a few milliseconds on the demo data) and returns the same rows. So the child leaves
the indexes of the tables it filled out, and the first `Store` to open the file builds them in the
background (`IndexBuilder`) at a low CPU priority, so the first page's reads and drawing go first.
Each index is one transaction under the store's write lock, and the builder pauses between them, so
a writer of the same process waits for one index at most.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

log = logging.getLogger(__name__)

PAUSE_SECONDS = 0.005  # between two indexes: a writer waiting for the lock takes it then
BACKGROUND_NICENESS = 10  # a tenth of a busy core: it still finishes while a bulk job runs
_INDEX = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON (\w+) \([^;]*;")


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    statement: str


def declared_indexes(schema: str) -> list[Index]:
    """The schema's secondary indexes, in the order it declares them."""
    return [Index(m.group(1), m.group(2), m.group(0)) for m in _INDEX.finditer(schema)]


def without_indexes(schema: str) -> str:
    """The schema's tables alone."""
    return _INDEX.sub("", schema)


def missing_indexes(conn: sqlite3.Connection, schema: str) -> list[Index]:
    """The schema's indexes the file does not have."""
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    return [index for index in declared_indexes(schema) if index.name not in present]


def is_empty(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None  # noqa: S608 - schema names


@contextmanager
def indexes_built_after(
    conn: sqlite3.Connection, schema: str, tables: Iterable[str], *, rebuild: bool = True
) -> Iterator[None]:
    """Inside one write: drop the secondary indexes of `tables`, run the block, build them again
    (or, with `rebuild=False`, leave them to the next `Store` that opens the file).

    The block runs in the caller's transaction, so an error leaves the indexes as they were.
    """
    wanted = set(tables)
    indexes = [index for index in declared_indexes(schema) if index.table in wanted]
    for index in indexes:
        conn.execute(f"DROP INDEX IF EXISTS {index.name}")
    yield
    if rebuild:
        for index in indexes:
            conn.execute(index.statement)


class IndexBuilder:
    """Builds `indexes` in the file at `path` on a daemon thread, over a connection of its own, each
    under `write_lock` (the store's, which its writers hold for their transactions)."""

    def __init__(self, path: str, indexes: list[Index], write_lock: threading.RLock) -> None:
        self.indexes = indexes
        self._write_lock = write_lock
        self._stopping = threading.Event()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._thread = threading.Thread(target=self._build, name="sandbox-indexes", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        _yield_the_cpu()
        try:
            for index in self.indexes:
                time.sleep(PAUSE_SECONDS)
                if not self._take_write_lock():
                    return
                try:
                    self._conn.execute(index.statement)  # its own transaction
                finally:
                    self._write_lock.release()
            log.info("built the sandbox's indexes %s", ", ".join(index.name for index in self.indexes))
        except sqlite3.Error as error:
            if not self._stopping.is_set():  # queries still answer (by scanning); the next start retries
                log.warning("the sandbox's indexes were not built (%s); the next start builds them", error)
        finally:
            self._conn.close()

    def _take_write_lock(self) -> bool:
        """The write lock, unless the store closes meanwhile (even from a thread that holds it)."""
        while not self._write_lock.acquire(timeout=0.1):
            if self._stopping.is_set():
                return False
        if self._stopping.is_set():
            self._write_lock.release()
            return False
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """True once the thread is done (built, failed or stopped)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """Abandon the index being built (SQLite rolls it back) and the rest; the next open resumes."""
        self._stopping.set()
        if self._thread.is_alive():
            with suppress(sqlite3.ProgrammingError):  # closed since the check: it is done
                self._conn.interrupt()
        self._thread.join()


def _yield_the_cpu() -> None:
    """Give the calling thread only the CPU nothing else wants (Linux sets a nice value per thread;
    elsewhere it would apply to the whole process, so it is left alone there)."""
    if sys.platform.startswith("linux"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
