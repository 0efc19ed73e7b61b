"""Enrolments, earns and used request ids in SQLite (tables `issues`, `earns`, `request_ids`)."""

from __future__ import annotations

import json
import re
import sqlite3
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from lib.domain import CountAxis
from lib.sandbox.repository.records import (
    ActiveIssue,
    EarnRecord,
    EarnSummary,
    IssueRecord,
    NewEarn,
    NewIssue,
)
from lib.sandbox.store import Store

_ACTIVE_ISSUE = "org_id = ? AND badge_id = ? AND revoked_on IS NULL AND expires_on > ?"
_ISSUE_COLUMNS = (
    "id, badge_id, customer_id, issued_on, event_date, expires_on, revoked_on, owner_type, owner_reference_id"
)
_EARN_COLUMNS = (
    "id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on, issue_id, owner_type,"
    " owner_reference_id"
)


def _counted_by_badge(store: Store, table: str, org_id: int, badge_ids: Sequence[str]) -> dict[str, int]:
    rows = store.connection().execute(
        f"SELECT badge_id, COUNT(*) FROM {table} WHERE org_id = ? AND revoked_on IS NULL"  # noqa: S608 - constant
        " AND badge_id IN (SELECT value FROM json_each(?)) GROUP BY badge_id",
        (org_id, json.dumps(list(badge_ids))),
    )
    return dict(rows.fetchall())


_CHUNK = 200
"""Rows per INSERT of a bulk history load (at most 200 x 9 parameters, far below SQLite's 32,766)."""


def _insert_in_chunks(conn: sqlite3.Connection, head: str, row: str, rows: Sequence[tuple]) -> None:
    """Insert `rows` (all of the same width) with multi-row INSERTs of `_CHUNK` rows.

    The constant columns are SQL, not parameters, and one statement takes many rows: binding and
    stepping per row are most of a bulk insert's CPU. `row` numbers its parameters from ?1 for
    one row; each row of a chunk gets its own numbers.
    """
    if not rows:
        return
    width = len(rows[0])

    def values(count: int) -> str:
        return head + ",".join(
            re.sub(r"\?(\d+)", lambda m, k=k: f"?{int(m.group(1)) + k * width}", row) for k in range(count)
        )

    whole = len(rows) - len(rows) % _CHUNK
    if whole:
        sql = values(_CHUNK)
        for start in range(0, whole, _CHUNK):
            conn.execute(sql, tuple(chain.from_iterable(rows[start : start + _CHUNK])))
    if whole < len(rows):
        conn.executemany(values(1), rows[whole:])


class SqliteIssues:
    def __init__(self, store: Store) -> None:
        self._store = store

    def active_ids_by_customer(
        self, org_id: int, badge_id: str, now: float, customers: Sequence[int]
    ) -> dict[int, str]:
        rows = self._store.connection().execute(
            f"SELECT customer_id, id FROM issues WHERE {_ACTIVE_ISSUE}"  # noqa: S608 - constant
            " AND customer_id IN (SELECT value FROM json_each(?))",
            (org_id, badge_id, now, json.dumps(customers)),
        )
        return dict(rows.fetchall())

    def add_many(self, rows: Iterable[NewIssue]) -> None:
        self._store.connection().executemany(
            "INSERT INTO issues (id, org_id, badge_id, customer_id, issued_on, event_date, expires_on,"
            " revoked_on, owner_type, owner_reference_id, request_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )

    def add_history(self, org_id: int, rows: Sequence[tuple]) -> None:
        _insert_in_chunks(
            self._store.connection(),
            "INSERT INTO issues (id, org_id, badge_id, customer_id, issued_on, event_date, expires_on,"
            " revoked_on, owner_type, owner_reference_id, request_id) VALUES ",
            f"(?1,{int(org_id)},?2,?3,?4,?4,?5,NULL,?6,?7,NULL)",
            rows,
        )

    def active_owner(self, org_id: int, badge_id: str, now: float, issue_id: str) -> int | None:
        row = (
            self._store.connection()
            .execute(
                f"SELECT customer_id FROM issues WHERE {_ACTIVE_ISSUE} AND id = ?",  # noqa: S608 - constant
                (org_id, badge_id, now, issue_id),
            )
            .fetchone()
        )
        return None if row is None else row[0]

    def active_ids_of(self, org_id: int, badge_id: str, now: float, customer_id: int) -> list[str]:
        rows = self._store.connection().execute(
            f"SELECT id FROM issues WHERE {_ACTIVE_ISSUE} AND customer_id = ?",  # noqa: S608 - constant
            (org_id, badge_id, now, customer_id),
        )
        return [row[0] for row in rows]

    def latest_active(self, org_id: int, badge_id: str, customer_id: int, now: float) -> ActiveIssue | None:
        row = (
            self._store.connection()
            .execute(
                "SELECT id, event_date, expires_on FROM issues WHERE org_id = ? AND badge_id = ?"
                " AND customer_id = ? AND revoked_on IS NULL AND expires_on > ? ORDER BY issued_on DESC LIMIT 1",
                (org_id, badge_id, customer_id, now),
            )
            .fetchone()
        )
        return None if row is None else ActiveIssue(*row)

    def revoke(self, issue_id: str, at: float) -> None:
        self._store.connection().execute("UPDATE issues SET revoked_on = ? WHERE id = ?", (at, issue_id))

    def of_customer(self, org_id: int, customer_id: int) -> list[IssueRecord]:
        rows = self._store.connection().execute(
            f"SELECT {_ISSUE_COLUMNS} FROM issues WHERE org_id = ? AND customer_id = ?"  # noqa: S608 - constant
            " ORDER BY issued_on",
            (org_id, customer_id),
        )
        return [IssueRecord(*row) for row in rows]

    def of_badge_customer(self, org_id: int, badge_id: str, customer_id: int) -> list[IssueRecord]:
        rows = self._store.connection().execute(
            f"SELECT {_ISSUE_COLUMNS} FROM issues WHERE org_id = ? AND badge_id = ?"  # noqa: S608 - constant
            " AND customer_id = ? ORDER BY issued_on DESC",
            (org_id, badge_id, customer_id),
        )
        return [IssueRecord(*row) for row in rows]

    def counted_by_badge(self, org_id: int, badge_ids: Sequence[str]) -> dict[str, int]:
        return _counted_by_badge(self._store, "issues", org_id, badge_ids)


_EARN_INSERT = (
    "INSERT INTO earns (id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on,"
    " issue_id, owner_type, owner_reference_id, request_id, imported) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


class SqliteEarns:
    def __init__(self, store: Store) -> None:
        self._store = store

    def count(
        self,
        org_id: int,
        badge_id: str,
        *,
        axis: CountAxis,
        start: float | None,
        end: float | None,
        customer_id: int | None = None,
    ) -> int:
        sql = "SELECT COUNT(*) FROM earns WHERE org_id = ? AND badge_id = ? AND revoked_on IS NULL"
        args: list[Any] = [org_id, badge_id]
        if customer_id is not None:
            sql += " AND customer_id = ?"
            args.append(customer_id)
        if axis is CountAxis.EVENT:
            sql += " AND event_date >= ? AND event_date < ?"
            args += [start, end]
        elif axis is CountAxis.PROCESSING:
            sql += " AND earned_on > ? AND earned_on <= ?"
            args += [start, end]
        return self._store.connection().execute(sql, args).fetchone()[0]

    def counts_by_event_window(
        self,
        org_id: int,
        badge_id: str,
        windows: Sequence[tuple[float, float]],
        *,
        customer_id: int | None = None,
    ) -> list[int]:
        if not windows:
            return []
        sql = (
            "SELECT event_date FROM earns WHERE org_id = ? AND badge_id = ? AND revoked_on IS NULL"
            " AND event_date >= ? AND event_date < ?"
        )
        args: list[Any] = [
            org_id,
            badge_id,
            min(start for start, _ in windows),
            max(end for _, end in windows),
        ]
        if customer_id is not None:
            sql += " AND customer_id = ?"
            args.append(customer_id)
        dates = sorted(date for (date,) in self._store.connection().execute(sql, args))
        return [bisect_left(dates, end) - bisect_left(dates, start) for start, end in windows]

    def add(self, row: NewEarn) -> None:
        self._store.connection().execute(_EARN_INSERT, row)

    def add_many(self, rows: Iterable[NewEarn]) -> None:
        self._store.connection().executemany(_EARN_INSERT, rows)

    def add_history(self, org_id: int, rows: Sequence[tuple]) -> None:
        _insert_in_chunks(
            self._store.connection(),
            "INSERT INTO earns (id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, revoked_on,"
            " issue_id, owner_type, owner_reference_id, request_id, imported) VALUES ",
            f"(?1,{int(org_id)},?2,?3,?4,?4,?5,?6,?7,?8,?9,NULL,0)",
            rows,
        )

    def revoke_active(self, org_id: int, badge_id: str, customer_id: int, earned_id: str, now: float) -> bool:
        cursor = self._store.connection().execute(
            "UPDATE earns SET revoked_on = ? WHERE id = ? AND org_id = ? AND badge_id = ? AND customer_id = ?"
            " AND revoked_on IS NULL AND expires_on > ?",
            (now, earned_id, org_id, badge_id, customer_id, now),
        )
        return cursor.rowcount > 0

    def summaries_of(self, org_id: int, customer_id: int, now: float) -> dict[str, EarnSummary]:
        rows = self._store.connection().execute(
            "SELECT badge_id, SUM(revoked_on IS NULL AND expires_on > ?),"
            " SUM(revoked_on IS NULL AND expires_on <= ?),"
            " MAX(CASE WHEN revoked_on IS NULL THEN earned_on END),"
            " MAX(CASE WHEN revoked_on IS NULL THEN event_date END)"
            " FROM earns WHERE org_id = ? AND customer_id = ? GROUP BY +badge_id",  # "+": no index by badge, search by customer
            (now, now, org_id, customer_id),
        )
        return {
            badge_id: EarnSummary(int(active or 0), int(expired or 0), last_earned_on, last_event)
            for badge_id, active, expired, last_earned_on, last_event in rows
        }

    def of_badge_customer(self, org_id: int, badge_id: str, customer_id: int) -> list[EarnRecord]:
        rows = self._store.connection().execute(
            f"SELECT {_EARN_COLUMNS} FROM earns WHERE org_id = ? AND badge_id = ?"  # noqa: S608 - constant
            " AND customer_id = ? ORDER BY earned_on DESC",
            (org_id, badge_id, customer_id),
        )
        return [EarnRecord(*row) for row in rows]

    def counted_by_badge(self, org_id: int, badge_ids: Sequence[str]) -> dict[str, int]:
        return _counted_by_badge(self._store, "earns", org_id, badge_ids)


class SqliteRequestIds:
    """Request ids accepted per org and endpoint (a second use answers 809)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def seen(self, org_id: int, endpoint: str, request_id: str) -> bool:
        return bool(
            self._store.connection()
            .execute(
                "SELECT 1 FROM request_ids WHERE org_id = ? AND endpoint = ? AND request_id = ?",
                (org_id, endpoint, request_id),
            )
            .fetchone()
        )

    def record(self, org_id: int, endpoint: str, request_id: str, at: float) -> None:
        self._store.connection().execute(
            "INSERT INTO request_ids (org_id, endpoint, request_id, created_on) VALUES (?, ?, ?, ?)",
            (org_id, endpoint, request_id, at),
        )
