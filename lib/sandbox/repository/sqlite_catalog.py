"""Customers, badge groups, custom fields and org meta in SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lib.sandbox.common import dumps
from lib.sandbox.repository.records import CustomerRow, CustomFieldRecord, GroupRecord
from lib.sandbox.store import Store

IDENTIFIER_COLUMNS = {
    "email": "email",
    "mobile": "mobile",
    "externalId": "external_id",
    "cardNumber": "card_number",
}
"""The `X-CAP-CUSTOMER-IDENTIFIER` values and the column each one looks in."""


class SqliteCustomers:
    def __init__(self, store: Store) -> None:
        self._store = store

    def find(self, org_id: int, identifier: str, value: str) -> int | None:
        column = IDENTIFIER_COLUMNS[identifier]
        row = (
            self._store.connection()
            .execute(
                f"SELECT customer_id FROM customers WHERE org_id = ? AND {column} = ?",  # noqa: S608 - column from the table above
                (org_id, value),
            )
            .fetchone()
        )
        return None if row is None else row[0]

    def put_many(self, rows: Iterable[CustomerRow]) -> None:
        self._store.connection().executemany(
            "INSERT OR REPLACE INTO customers VALUES (?,?,?,?,?,?,?,?)", rows
        )


_GROUP_COLUMNS = "id, org_id, name, rank, is_active, created_by, created_on, last_updated_by, last_updated_on"


def _group(row: Any) -> GroupRecord:
    values = list(row)
    values[4] = bool(values[4])
    return GroupRecord(*values)


class SqliteGroups:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, org_id: int, group_id: str) -> GroupRecord | None:
        row = (
            self._store.connection()
            .execute(
                f"SELECT {_GROUP_COLUMNS} FROM badge_groups WHERE org_id = ? AND id = ?",  # noqa: S608 - constant
                (org_id, group_id),
            )
            .fetchone()
        )
        return None if row is None else _group(row)

    def exists(self, org_id: int, group_id: str) -> bool:
        return bool(
            self._store.connection()
            .execute("SELECT 1 FROM badge_groups WHERE org_id = ? AND id = ?", (org_id, group_id))
            .fetchone()
        )

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool:
        return bool(
            self._store.connection()
            .execute(
                "SELECT 1 FROM badge_groups WHERE org_id = ? AND name = ? AND id != ?",
                (org_id, name, other_than),
            )
            .fetchone()
        )

    def add(self, org_id: int, group_id: str, name: str, rank: int | None, by: int, at: float) -> None:
        self._store.connection().execute(
            "INSERT INTO badge_groups (id, org_id, name, rank, created_by, created_on, last_updated_by,"
            " last_updated_on) VALUES (?,?,?,?,?,?,?,?)",
            (group_id, org_id, name, rank, by, at, by, at),
        )

    def change(self, org_id: int, group_id: str, name: str, rank: int | None, by: int, at: float) -> None:
        self._store.connection().execute(
            "UPDATE badge_groups SET name = ?, rank = ?, last_updated_by = ?, last_updated_on = ?"
            " WHERE org_id = ? AND id = ?",
            (name, rank, by, at, org_id, group_id),
        )

    def count(self, org_id: int) -> int:
        return (
            self._store.connection()
            .execute("SELECT COUNT(*) FROM badge_groups WHERE org_id = ?", (org_id,))
            .fetchone()[0]
        )

    def page(self, org_id: int, *, descending: bool, size: int, offset: int) -> list[GroupRecord]:
        order = "DESC" if descending else "ASC"
        rows = self._store.connection().execute(
            f"SELECT {_GROUP_COLUMNS} FROM badge_groups WHERE org_id = ?"  # noqa: S608 - constants
            f" ORDER BY rank {order}, name LIMIT ? OFFSET ?",
            (org_id, size, offset),
        )
        return [_group(row) for row in rows]

    def names(self, org_id: int) -> dict[str, tuple[str, int | None]]:
        rows = self._store.connection().execute(
            "SELECT id, name, rank FROM badge_groups WHERE org_id = ?", (org_id,)
        )
        return {group_id: (name, rank) for group_id, name, rank in rows}


_FIELD_COLUMNS = (
    "id, org_id, name, is_mandatory, default_value, is_active, data_type, created_by, created_on,"
    " last_updated_by, last_updated_on"
)


def _field(row: Any) -> CustomFieldRecord:
    values = list(row)
    values[3], values[5] = bool(values[3]), bool(values[5])
    return CustomFieldRecord(*values)


class SqliteCustomFields:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, org_id: int, field_id: str) -> CustomFieldRecord | None:
        row = (
            self._store.connection()
            .execute(
                f"SELECT {_FIELD_COLUMNS} FROM custom_fields WHERE org_id = ? AND id = ?",  # noqa: S608 - constant
                (org_id, field_id),
            )
            .fetchone()
        )
        return None if row is None else _field(row)

    def name_taken(self, org_id: int, name: str, other_than: str) -> bool:
        return bool(
            self._store.connection()
            .execute(
                "SELECT 1 FROM custom_fields WHERE org_id = ? AND name = ? AND id != ?",
                (org_id, name, other_than),
            )
            .fetchone()
        )

    def add(self, record: CustomFieldRecord) -> None:
        r = record
        self._store.connection().execute(
            f"INSERT INTO custom_fields ({_FIELD_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - constant
            (r.id, r.org_id, r.name, int(r.is_mandatory), r.default_value, int(r.is_active), r.data_type,
             r.created_by, r.created_on, r.last_updated_by, r.last_updated_on),
        )  # fmt: skip

    def change(self, record: CustomFieldRecord) -> None:
        r = record
        self._store.connection().execute(
            "UPDATE custom_fields SET name = ?, is_mandatory = ?, default_value = ?, is_active = ?,"
            " data_type = ?, last_updated_by = ?, last_updated_on = ? WHERE org_id = ? AND id = ?",
            (r.name, int(r.is_mandatory), r.default_value, int(r.is_active), r.data_type, r.last_updated_by,
             r.last_updated_on, r.org_id, r.id),
        )  # fmt: skip

    @staticmethod
    def _where(org_id: int, active: bool | None) -> tuple[str, list[Any]]:
        if active is None:
            return "org_id = ?", [org_id]
        return "org_id = ? AND is_active = ?", [org_id, int(active)]

    def count(self, org_id: int, active: bool | None = None) -> int:
        where, args = self._where(org_id, active)
        return (
            self._store.connection()
            .execute(f"SELECT COUNT(*) FROM custom_fields WHERE {where}", args)  # noqa: S608 - constant
            .fetchone()[0]
        )

    def page(
        self, org_id: int, active: bool | None, *, descending: bool, size: int, offset: int
    ) -> list[CustomFieldRecord]:
        where, args = self._where(org_id, active)
        order = "DESC" if descending else "ASC"
        rows = self._store.connection().execute(
            f"SELECT {_FIELD_COLUMNS} FROM custom_fields WHERE {where}"  # noqa: S608 - constants
            f" ORDER BY last_updated_on {order} LIMIT ? OFFSET ?",
            [*args, size, offset],
        )
        return [_field(row) for row in rows]

    def mandatory_defaults(self, org_id: int) -> list[tuple[str, str | None]]:
        rows = self._store.connection().execute(
            "SELECT name, default_value FROM custom_fields WHERE org_id = ? AND is_active = 1 AND is_mandatory = 1",
            (org_id,),
        )
        return [(name, default) for name, default in rows]


class SqliteOrgMeta:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, org_id: int) -> dict[str, Any] | None:
        row = (
            self._store.connection()
            .execute("SELECT doc FROM org_meta WHERE org_id = ?", (org_id,))
            .fetchone()
        )
        return None if row is None else json.loads(row[0])

    def add(self, org_id: int, doc: dict[str, Any]) -> None:
        self._store.connection().execute(
            "INSERT INTO org_meta (org_id, id, doc) VALUES (?, ?, ?)", (org_id, doc["id"], dumps(doc))
        )

    def save(self, org_id: int, doc: dict[str, Any]) -> None:
        self._store.connection().execute("UPDATE org_meta SET doc = ? WHERE org_id = ?", (dumps(doc), org_id))
