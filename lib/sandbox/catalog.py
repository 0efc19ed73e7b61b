"""Org-level objects around badges: groups (#18-#21), custom fields (#22-#25), org meta (#26-#28)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lib.api.models import BadgeGroupRequest, CustomFieldRequest, OrgMetaRequest
from lib.api.models.enums import SortOrder
from lib.api.models.queries import PageQuery
from lib.domain.org_rules import check_custom_field
from lib.sandbox import errors as E
from lib.sandbox.badges import SYSTEM_USER
from lib.sandbox.common import canonical, epoch, object_id, page_of, with_iso
from lib.sandbox.context import Context
from lib.sandbox.repository import Repository
from lib.sandbox.repository.records import CustomFieldRecord, GroupRecord


def _group(record: GroupRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.id, "orgId": record.org_id, "name": record.name, "rank": record.rank}
    out["createdBy"] = record.created_by
    with_iso(out, "createdOn", record.created_on)
    out["lastUpdatedBy"] = record.last_updated_by
    with_iso(out, "lastUpdatedOn", record.last_updated_on)
    out["isActive"] = record.is_active
    return out


def _custom_field(record: CustomFieldRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id,
        "orgId": record.org_id,
        "name": record.name,
        "isMandatory": record.is_mandatory,
        "defaultValue": record.default_value,
        "isActive": record.is_active,
        "dataType": record.data_type,
    }
    with_iso(out, "createdOn", record.created_on)
    out["createdBy"] = record.created_by
    with_iso(out, "lastUpdatedOn", record.last_updated_on)
    out["lastUpdatedBy"] = record.last_updated_by
    return out


_FIELD_ERRORS: dict[int, type[E.SandboxError]] = {
    741: E.CustomFieldTypeMissing,
    742: E.MandatoryCustomFieldNeedsDefault,
    744: E.CustomFieldDefaultNotNumber,
}


def _check_custom_field(request: CustomFieldRequest) -> None:
    """The first rule of `lib.domain.check_custom_field` the request breaks, as the sandbox's error."""
    for violation in check_custom_field(request.data_type, request.is_mandatory, request.default_value):
        raise _FIELD_ERRORS[violation.code](reference=violation.field)


def _tags(request: OrgMetaRequest) -> list[dict[str, Any]]:
    """The org meta's tags as sent, in their canonical spelling (stored as the document's JSON)."""
    return [canonical(tag) for tag in request.tags]


class CatalogBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def _repo(self) -> Repository:
        return self.ctx.repo

    # ---- groups ------------------------------------------------------------------------------
    def create_group(self, org_id: int, request: BadgeGroupRequest) -> dict[str, Any]:
        now = epoch(self.ctx.now())
        group_id = object_id(self.ctx.now())
        with self._repo.unit_of_work():
            self._unique_group_name(org_id, request.name, None)
            self._repo.groups.add(org_id, group_id, request.name, request.rank, SYSTEM_USER, now)
            return _group(self._group(org_id, group_id))

    def update_group(self, org_id: int, group_id: str, request: BadgeGroupRequest) -> dict[str, Any]:
        with self._repo.unit_of_work():
            self._group(org_id, group_id)
            self._unique_group_name(org_id, request.name, group_id)
            self._repo.groups.change(
                org_id, group_id, request.name, request.rank, SYSTEM_USER, epoch(self.ctx.now())
            )
            return _group(self._group(org_id, group_id))

    def list_groups(self, org_id: int, query: PageQuery) -> dict[str, Any]:
        """#20, by rank (`order` ASC when not sent)."""
        page = page_of(query.page, query.size)
        descending = query.order is SortOrder.DESC
        with self._repo.snapshot():
            total = self._repo.groups.count(org_id)
            records = self._repo.groups.page(
                org_id, descending=descending, size=page.size, offset=page.offset
            )
        return {"badgeGroups": [_group(r) for r in records], "pagination": page.pagination(total)}

    def get_group(self, org_id: int, group_id: str) -> dict[str, Any]:
        with self._repo.snapshot():
            return _group(self._group(org_id, group_id))

    def _group(self, org_id: int, group_id: str) -> GroupRecord:
        record = self._repo.groups.get(org_id, group_id)
        if record is None:
            raise E.GroupNotFound()
        return record

    def _unique_group_name(self, org_id: int, name: str, group_id: str | None) -> None:
        if not name or not name.strip():
            raise E.GroupNameMissing(reference="name")
        if self._repo.groups.name_taken(org_id, name, group_id or ""):
            raise E.GroupNameDuplicate(reference="name")

    # ---- custom fields -------------------------------------------------------------------------
    def create_custom_field(self, org_id: int, request: CustomFieldRequest) -> dict[str, Any]:
        _check_custom_field(request)
        now = epoch(self.ctx.now())
        field_id = object_id(self.ctx.now())
        with self._repo.unit_of_work():
            self._unique_field_name(org_id, request.name, None)
            self._repo.custom_fields.add(
                CustomFieldRecord(
                    id=field_id,
                    org_id=org_id,
                    name=request.name,
                    is_mandatory=bool(request.is_mandatory),
                    default_value=request.default_value,
                    is_active=request.is_active is not False,
                    data_type=str(request.data_type),
                    created_by=SYSTEM_USER,
                    created_on=now,
                    last_updated_by=SYSTEM_USER,
                    last_updated_on=now,
                )
            )
            return _custom_field(self._field(org_id, field_id))

    def update_custom_field(self, org_id: int, field_id: str, request: CustomFieldRequest) -> dict[str, Any]:
        _check_custom_field(request)
        sent = request.model_fields_set  # a field left out keeps its saved value
        with self._repo.unit_of_work():
            saved = self._field(org_id, field_id)
            self._unique_field_name(org_id, request.name, field_id)
            self._repo.custom_fields.change(
                replace(
                    saved,
                    name=request.name,
                    is_mandatory=bool(request.is_mandatory if "is_mandatory" in sent else saved.is_mandatory),
                    default_value=request.default_value if "default_value" in sent else saved.default_value,
                    is_active=bool(request.is_active if "is_active" in sent else saved.is_active),
                    data_type=str(request.data_type),
                    last_updated_by=SYSTEM_USER,
                    last_updated_on=epoch(self.ctx.now()),
                )
            )
            return _custom_field(self._field(org_id, field_id))

    def list_custom_fields(self, org_id: int, query: PageQuery) -> dict[str, Any]:
        """#24, latest first (`order` DESC when not sent); `isActive` filters when sent."""
        page = page_of(query.page, query.size)
        descending = query.order is not SortOrder.ASC
        active = query.is_active
        with self._repo.snapshot():
            total = self._repo.custom_fields.count(org_id, active)
            records = self._repo.custom_fields.page(
                org_id, active, descending=descending, size=page.size, offset=page.offset
            )
        return {
            "customFieldROList": [_custom_field(r) for r in records],
            "pagination": page.pagination(total),
        }

    def get_custom_field(self, org_id: int, field_id: str) -> dict[str, Any]:
        with self._repo.snapshot():
            return _custom_field(self._field(org_id, field_id))

    def _field(self, org_id: int, field_id: str) -> CustomFieldRecord:
        record = self._repo.custom_fields.get(org_id, field_id)
        if record is None:
            raise E.CustomFieldNotFound()
        return record

    def _unique_field_name(self, org_id: int, name: str, field_id: str | None) -> None:
        if self._repo.custom_fields.name_taken(org_id, name, field_id or ""):
            raise E.CustomFieldNameDuplicate(reference="name")

    # ---- org meta ------------------------------------------------------------------------------
    def create_org_meta(self, org_id: int, request: OrgMetaRequest) -> dict[str, Any]:
        now = epoch(self.ctx.now())
        with self._repo.unit_of_work():
            if self._repo.org_meta.get(org_id) is not None:
                raise E.OrgMetaExists()
            doc = {"id": object_id(self.ctx.now()), "orgId": org_id, "tags": _tags(request)}
            doc.update(
                {
                    "createdOn": now,
                    "createdBy": SYSTEM_USER,
                    "lastUpdatedOn": now,
                    "lastUpdatedBy": SYSTEM_USER,
                }
            )
            self._repo.org_meta.add(org_id, doc)
        return doc

    def update_org_meta(self, org_id: int, request: OrgMetaRequest) -> dict[str, Any]:
        with self._repo.unit_of_work():
            doc = self._org_meta(org_id)
            doc["tags"] = _tags(request)
            doc["lastUpdatedOn"] = epoch(self.ctx.now())
            doc["lastUpdatedBy"] = SYSTEM_USER
            self._repo.org_meta.save(org_id, doc)
        return doc

    def get_org_meta(self, org_id: int) -> dict[str, Any]:
        with self._repo.snapshot():
            return self._org_meta(org_id)

    def _org_meta(self, org_id: int) -> dict[str, Any]:
        doc = self._repo.org_meta.get(org_id)
        if doc is None:
            raise E.OrgMetaNotFound()
        return doc
