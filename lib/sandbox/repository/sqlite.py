"""`SqliteRepository`: the sandbox's one `Repository`, over one SQLite file (`lib.sandbox.store`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lib.sandbox.repository.sqlite_awards import SqliteEarns, SqliteIssues, SqliteRequestIds
from lib.sandbox.repository.sqlite_badges import SqliteBadges, SqliteOrgs
from lib.sandbox.repository.sqlite_catalog import (
    SqliteCustomers,
    SqliteCustomFields,
    SqliteGroups,
    SqliteOrgMeta,
)
from lib.sandbox.store import DATA_TABLES, Store


class SqliteRepository:
    """Every aggregate over one `Store`; its units of work are the store's transactions."""

    def __init__(self, path: str | Path) -> None:
        self.store = Store(path)
        self.orgs = SqliteOrgs(self.store)
        self.badges = SqliteBadges(self.store)
        self.issues = SqliteIssues(self.store)
        self.earns = SqliteEarns(self.store)
        self.customers = SqliteCustomers(self.store)
        self.request_ids = SqliteRequestIds(self.store)
        self.groups = SqliteGroups(self.store)
        self.custom_fields = SqliteCustomFields(self.store)
        self.org_meta = SqliteOrgMeta(self.store)

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        with self.store.write():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self.store.read():
            yield

    def forget_all(self) -> None:
        with self.store.write() as conn:
            for table in DATA_TABLES:
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
            self.orgs.restart_badge_numbers()

    def forget_org(self, org_id: int) -> None:
        with self.store.write() as conn:
            for table in DATA_TABLES:
                others = conn.execute(
                    f"SELECT 1 FROM {table} WHERE org_id != ? LIMIT 1",  # noqa: S608 - constant names
                    (org_id,),
                ).fetchone()
                if others:
                    conn.execute(f"DELETE FROM {table} WHERE org_id = ?", (org_id,))  # noqa: S608
                else:  # only this org's rows: an unfiltered DELETE empties the table at once
                    conn.execute(f"DELETE FROM {table}")  # noqa: S608
            self.orgs.restart_badge_numbers(org_id)

    @contextmanager
    def bulk_load(self, aggregates: Iterable[str]) -> Iterator[None]:
        with self.store.bulk_load(aggregates):
            yield

    def fill_quickly(self) -> None:
        self.store.load_quickly()

    def close(self) -> None:
        self.store.close()
