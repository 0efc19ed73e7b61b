"""Org-level objects around badges: groups (#18-#21), custom fields (#22-#25), org meta (#26-#28)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from lib.domain.org_rules import check_custom_field
from lib.sandbox import errors as E
from lib.sandbox.badges import SYSTEM_USER
from lib.sandbox.common import Context, dumps, epoch, object_id, page_of, query_bool, query_enum, with_iso


def _group(row: sqlite3.Row) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row["id"], "orgId": row["org_id"], "name": row["name"], "rank": row["rank"]}
    out["createdBy"] = row["created_by"]
    with_iso(out, "createdOn", row["created_on"])
    out["lastUpdatedBy"] = row["last_updated_by"]
    with_iso(out, "lastUpdatedOn", row["last_updated_on"])
    out["isActive"] = bool(row["is_active"])
    return out


def _custom_field(row: sqlite3.Row) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row["id"],
        "orgId": row["org_id"],
        "name": row["name"],
        "isMandatory": bool(row["is_mandatory"]),
        "defaultValue": row["default_value"],
        "isActive": bool(row["is_active"]),
        "dataType": row["data_type"],
    }
    with_iso(out, "createdOn", row["created_on"])
    out["createdBy"] = row["created_by"]
    with_iso(out, "lastUpdatedOn", row["last_updated_on"])
    out["lastUpdatedBy"] = row["last_updated_by"]
    return out


_FIELD_ERRORS: dict[int, type[E.SandboxError]] = {
    741: E.CustomFieldTypeMissing,
    742: E.MandatoryCustomFieldNeedsDefault,
    744: E.CustomFieldDefaultNotNumber,
}


def _check_custom_field(body: dict[str, Any]) -> None:
    """The first rule of `lib.domain.check_custom_field` the body breaks, as the sandbox's error."""
    for violation in check_custom_field(
        body.get("dataType"), body.get("isMandatory"), body.get("defaultValue")
    ):
        raise _FIELD_ERRORS[violation.code](reference=violation.field)


class CatalogBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- groups ------------------------------------------------------------------------------
    def create_group(self, org_id: int, body: dict[str, Any]) -> dict[str, Any]:
        now = epoch(self.ctx.now())
        group_id = object_id(self.ctx.now())
        with self.ctx.store.write() as conn:
            self._unique_group_name(conn, org_id, body["name"], None)
            conn.execute(
                "INSERT INTO badge_groups (id, org_id, name, rank, created_by, created_on, last_updated_by,"
                " last_updated_on) VALUES (?,?,?,?,?,?,?,?)",
                (group_id, org_id, body["name"], body["rank"], SYSTEM_USER, now, SYSTEM_USER, now),
            )
            return _group(self._group_row(conn, org_id, group_id))

    def update_group(self, org_id: int, group_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.ctx.store.write() as conn:
            self._group_row(conn, org_id, group_id)
            self._unique_group_name(conn, org_id, body["name"], group_id)
            conn.execute(
                "UPDATE badge_groups SET name = ?, rank = ?, last_updated_by = ?, last_updated_on = ?"
                " WHERE org_id = ? AND id = ?",
                (body["name"], body["rank"], SYSTEM_USER, epoch(self.ctx.now()), org_id, group_id),
            )
            return _group(self._group_row(conn, org_id, group_id))

    def list_groups(self, org_id: int, query: Any) -> dict[str, Any]:
        page = page_of(query)
        order = query_enum(query.get("order"), ("ASC", "DESC"), "order", "ASC")
        with self.ctx.store.read() as conn:
            total = conn.execute("SELECT COUNT(*) FROM badge_groups WHERE org_id = ?", (org_id,)).fetchone()[
                0
            ]
            rows = conn.execute(
                f"SELECT * FROM badge_groups WHERE org_id = ? ORDER BY rank {order}, name LIMIT ? OFFSET ?",  # noqa: S608
                (org_id, page.size, page.offset),
            ).fetchall()
        return {"badgeGroups": [_group(r) for r in rows], "pagination": page.pagination(total)}

    def get_group(self, org_id: int, group_id: str) -> dict[str, Any]:
        with self.ctx.store.read() as conn:
            return _group(self._group_row(conn, org_id, group_id))

    @staticmethod
    def _group_row(conn, org_id: int, group_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM badge_groups WHERE org_id = ? AND id = ?", (org_id, group_id)
        ).fetchone()
        if row is None:
            raise E.GroupNotFound()
        return row

    @staticmethod
    def _unique_group_name(conn, org_id: int, name: str, group_id: str | None) -> None:
        if not name or not name.strip():
            raise E.GroupNameMissing(reference="name")
        row = conn.execute(
            "SELECT id FROM badge_groups WHERE org_id = ? AND name = ? AND id != ?",
            (org_id, name, group_id or ""),
        ).fetchone()
        if row:
            raise E.GroupNameDuplicate(reference="name")

    # ---- custom fields -------------------------------------------------------------------------
    def create_custom_field(self, org_id: int, body: dict[str, Any]) -> dict[str, Any]:
        _check_custom_field(body)
        now = epoch(self.ctx.now())
        field_id = object_id(self.ctx.now())
        with self.ctx.store.write() as conn:
            self._unique_field_name(conn, org_id, body["name"], None)
            conn.execute(
                "INSERT INTO custom_fields (id, org_id, name, is_mandatory, default_value, is_active, data_type,"
                " created_by, created_on, last_updated_by, last_updated_on) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    field_id,
                    org_id,
                    body["name"],
                    int(bool(body.get("isMandatory"))),
                    body.get("defaultValue"),
                    int(body.get("isActive", True)),
                    body["dataType"],
                    SYSTEM_USER,
                    now,
                    SYSTEM_USER,
                    now,
                ),
            )
            return _custom_field(self._field_row(conn, org_id, field_id))

    def update_custom_field(self, org_id: int, field_id: str, body: dict[str, Any]) -> dict[str, Any]:
        _check_custom_field(body)
        with self.ctx.store.write() as conn:
            saved = self._field_row(conn, org_id, field_id)
            self._unique_field_name(conn, org_id, body["name"], field_id)
            conn.execute(
                "UPDATE custom_fields SET name = ?, is_mandatory = ?, default_value = ?, is_active = ?,"
                " data_type = ?, last_updated_by = ?, last_updated_on = ? WHERE org_id = ? AND id = ?",
                (
                    body["name"],
                    int(bool(body.get("isMandatory", saved["is_mandatory"]))),
                    body.get("defaultValue", saved["default_value"]),
                    int(bool(body.get("isActive", saved["is_active"]))),
                    body["dataType"],
                    SYSTEM_USER,
                    epoch(self.ctx.now()),
                    org_id,
                    field_id,
                ),
            )
            return _custom_field(self._field_row(conn, org_id, field_id))

    def list_custom_fields(self, org_id: int, query: Any) -> dict[str, Any]:
        page = page_of(query)
        order = query_enum(query.get("order"), ("ASC", "DESC"), "order", "DESC")
        where, args = "org_id = ?", [org_id]
        if query.get("isActive") not in (None, ""):
            where += " AND is_active = ?"
            args.append(int(query_bool(query.get("isActive"))))
        with self.ctx.store.read() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM custom_fields WHERE {where}", args).fetchone()[0]  # noqa: S608
            rows = conn.execute(
                f"SELECT * FROM custom_fields WHERE {where} ORDER BY last_updated_on {order} LIMIT ? OFFSET ?",  # noqa: S608
                [*args, page.size, page.offset],
            ).fetchall()
        return {"customFieldROList": [_custom_field(r) for r in rows], "pagination": page.pagination(total)}

    def get_custom_field(self, org_id: int, field_id: str) -> dict[str, Any]:
        with self.ctx.store.read() as conn:
            return _custom_field(self._field_row(conn, org_id, field_id))

    @staticmethod
    def _field_row(conn, org_id: int, field_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM custom_fields WHERE org_id = ? AND id = ?", (org_id, field_id)
        ).fetchone()
        if row is None:
            raise E.CustomFieldNotFound()
        return row

    @staticmethod
    def _unique_field_name(conn, org_id: int, name: str, field_id: str | None) -> None:
        row = conn.execute(
            "SELECT id FROM custom_fields WHERE org_id = ? AND name = ? AND id != ?",
            (org_id, name, field_id or ""),
        ).fetchone()
        if row:
            raise E.CustomFieldNameDuplicate(reference="name")

    # ---- org meta ------------------------------------------------------------------------------
    def create_org_meta(self, org_id: int, body: dict[str, Any]) -> dict[str, Any]:
        now = epoch(self.ctx.now())
        with self.ctx.store.write() as conn:
            if conn.execute("SELECT 1 FROM org_meta WHERE org_id = ?", (org_id,)).fetchone():
                raise E.OrgMetaExists()
            doc = {"id": object_id(self.ctx.now()), "orgId": org_id, "tags": body.get("tags", [])}
            doc.update(
                {
                    "createdOn": now,
                    "createdBy": SYSTEM_USER,
                    "lastUpdatedOn": now,
                    "lastUpdatedBy": SYSTEM_USER,
                }
            )
            conn.execute(
                "INSERT INTO org_meta (org_id, id, doc) VALUES (?, ?, ?)", (org_id, doc["id"], dumps(doc))
            )
        return doc

    def update_org_meta(self, org_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.ctx.store.write() as conn:
            doc = self._org_meta(conn, org_id)
            doc["tags"] = body.get("tags", [])
            doc["lastUpdatedOn"] = epoch(self.ctx.now())
            doc["lastUpdatedBy"] = SYSTEM_USER
            conn.execute("UPDATE org_meta SET doc = ? WHERE org_id = ?", (dumps(doc), org_id))
        return doc

    def get_org_meta(self, org_id: int) -> dict[str, Any]:
        with self.ctx.store.read() as conn:
            return self._org_meta(conn, org_id)

    @staticmethod
    def _org_meta(conn, org_id: int) -> dict[str, Any]:
        row = conn.execute("SELECT doc FROM org_meta WHERE org_id = ?", (org_id,)).fetchone()
        if row is None:
            raise E.OrgMetaNotFound()
        return json.loads(row["doc"])
