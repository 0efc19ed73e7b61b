"""Orgs and badge definitions in SQLite (tables `orgs`, `badges`; see `lib.sandbox.store`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from lib.sandbox.common import dumps
from lib.sandbox.repository.records import BadgeView, OrgLogin
from lib.sandbox.store import Store


class SqliteOrgs:
    def __init__(self, store: Store) -> None:
        self._store = store

    def ensure(self, orgs: Iterable[tuple[int, str, str, str]]) -> None:
        self._store.connection().executemany(
            "INSERT OR IGNORE INTO orgs (org_id, name, username, password_md5) VALUES (?, ?, ?, ?)", orgs
        )

    def logins(self) -> list[OrgLogin]:
        rows = self._store.connection().execute("SELECT org_id, username, password_md5 FROM orgs")
        return [OrgLogin(*row) for row in rows]

    def org_of(self, username: str) -> int | None:
        row = (
            self._store.connection()
            .execute("SELECT org_id FROM orgs WHERE username = ?", (username,))
            .fetchone()
        )
        return None if row is None else row[0]

    def next_badge_number(self, org_id: int) -> int:
        return (
            self._store.connection()
            .execute(
                "UPDATE orgs SET next_badge_number = next_badge_number + 1 WHERE org_id = ? "
                "RETURNING next_badge_number - 1",
                (org_id,),
            )
            .fetchone()[0]
        )

    def restart_badge_numbers(self, org_id: int | None = None) -> None:
        if org_id is None:
            self._store.connection().execute("UPDATE orgs SET next_badge_number = 1")
        else:
            self._store.connection().execute(
                "UPDATE orgs SET next_badge_number = 1 WHERE org_id = ?", (org_id,)
            )


def _view(row: sqlite3.Row) -> BadgeView:
    return BadgeView(json.loads(row[0]), json.loads(row[1]))


class SqliteBadges:
    """A badge is stored as its canonical wire JSON (`doc`) with the columns queries filter on beside it."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, org_id: int, badge_id: str) -> BadgeView | None:
        row = (
            self._store.connection()
            .execute("SELECT doc, fixed_windows FROM badges WHERE org_id = ? AND id = ?", (org_id, badge_id))
            .fetchone()
        )
        return None if row is None else _view(row)

    def all_of(self, org_id: int, ids: Sequence[str] | None = None) -> list[BadgeView]:
        conn = self._store.connection()
        if ids is None:
            rows = conn.execute(
                "SELECT doc, fixed_windows FROM badges WHERE org_id = ? ORDER BY id", (org_id,)
            )
        else:
            rows = conn.execute(
                "SELECT doc, fixed_windows FROM badges WHERE org_id = ?"
                " AND id IN (SELECT value FROM json_each(?))",
                (org_id, json.dumps(list(ids))),
            )
        return [_view(row) for row in rows]

    def exists(self, org_id: int, badge_id: str) -> bool:
        return bool(
            self._store.connection()
            .execute("SELECT 1 FROM badges WHERE org_id = ? AND id = ?", (org_id, badge_id))
            .fetchone()
        )

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool:
        return bool(
            self._store.connection()
            .execute(
                "SELECT 1 FROM badges WHERE org_id = ? AND name = ? AND id != ?", (org_id, name, other_than)
            )
            .fetchone()
        )

    def any(self) -> bool:
        return self._store.connection().execute("SELECT 1 FROM badges LIMIT 1").fetchone() is not None

    def add(self, doc: dict[str, Any], fixed_windows: list[dict[str, Any]]) -> None:
        self._store.connection().execute(
            "INSERT INTO badges (id, org_id, numeric_id, name, start_on, expires_on, earn_type, active,"
            " group_id, created_on, last_updated_on, doc, fixed_windows) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc["id"],
                doc["orgId"],
                doc.get("badgeNumericId"),
                doc["name"],
                doc["startOn"],
                doc["expiresOn"],
                doc["earnType"],
                int(bool(doc.get("active", True))),
                doc.get("badgeGroupId"),
                doc["createdOn"],
                doc["lastUpdatedOn"],
                dumps(doc),
                dumps(fixed_windows),
            ),
        )

    def save(self, doc: dict[str, Any], fixed_windows: list[dict[str, Any]]) -> None:
        self._store.connection().execute(
            "UPDATE badges SET name = ?, start_on = ?, expires_on = ?, earn_type = ?, active = ?, group_id = ?,"
            " last_updated_on = ?, doc = ?, fixed_windows = ? WHERE id = ? AND org_id = ?",
            (
                doc["name"],
                doc["startOn"],
                doc["expiresOn"],
                doc["earnType"],
                int(bool(doc.get("active", True))),
                doc.get("badgeGroupId"),
                doc["lastUpdatedOn"],
                dumps(doc),
                dumps(fixed_windows),
                doc["id"],
                doc["orgId"],
            ),
        )
