"""The badges-as-code file: an org's badge configuration as people review it and the API takes it.

One document holds badges with the groups and custom-field definitions they use. It names things, never
ids: a badge's group is the group's name (ids differ from org to org), and badges, groups and custom
fields are matched by their names (the API's unique, case-sensitive keys) wherever the file is applied.
What the server owns is left out (ids, counts, status, change stamps, claims, fixed-window reference
ids and cycle dates), so exporting the same configuration from two orgs gives the same file.

A badge's fields are read and written by the API's own request model (`BadgeCreate`): the file is the
create body with the group named instead of numbered, dates written as ISO 8601 with the zone, and
empty lists left out. Key order is fixed (the model's field order; custom fields and lists by name),
so a file diff shows real changes only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from lib.api.models import Badge, BadgeCreate, BadgeGroup, CustomField, CustomFieldDataType
from lib.api.models.org import FieldText
from lib.api.models.wire import Int64, iso_utc

FORMAT = "badge-console/badges"
VERSION = 1
HEADER = "# Badges as code: review changes like code; apply with `python -m lib.promote apply FILE`.\n"

BADGE_KEYS = (
    "name",
    "description",
    "earnType",
    "active",
    "startOn",
    "expiresOn",
    "group",
    "badgeRank",
    "ownership",
    "earnedBadgeExpiry",
    "issuedBadgeExpiry",
    "customerConstraints",
    "badgeConstraints",
    "benefits",
    "customFields",
    "tags",
    "images",
    "defaultTillId",
)
"""A badge's keys in the file, in the order they are written."""
LIST_KEYS = ("customerConstraints", "badgeConstraints", "benefits", "tags", "images", "customFields")
"""Keys whose absence means "none": the file is the badge's whole configuration for these."""

_SERVER_OWNED = frozenset(
    {
        "id",
        "badgeNumericId",
        "orgId",
        "badgeGroupId",
        "badgeGroupName",
        "status",
        "issuedCount",
        "earnedCount",
        "createdOn",
        "createdBy",
        "lastUpdatedOn",
        "lastUpdatedBy",
    }
)
_SERVER_OWNED_IN_LIMITS = ("referenceId", "cycleStatus", "startDate", "endDate", "currentCycle")


class DocumentError(ValueError):
    """A file that is not a badges document; `problems` says where (`badges[2].earnType: ...`)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:5]) + (
            f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        )
        super().__init__(f"not a badges file: {shown}")


class _Entry(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    def mapping(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class GroupSpec(_Entry):
    """A badge group: its name and rank (badges order by the group's rank, then their own)."""

    name: str
    rank: Int64

    @classmethod
    def of(cls, group: BadgeGroup) -> GroupSpec:
        return cls(name=group.name or "", rank=group.rank if group.rank is not None else 0)


class FieldSpec(_Entry):
    """An org-level custom-field definition that badges fill by name."""

    name: str
    data_type: CustomFieldDataType
    is_mandatory: bool = False
    default_value: FieldText | None = None
    is_active: bool = True

    @classmethod
    def of(cls, found: CustomField) -> FieldSpec:
        return cls(
            name=found.name or "",
            data_type=found.data_type or CustomFieldDataType.STRING,
            is_mandatory=bool(found.is_mandatory),
            default_value=found.default_value,
            is_active=found.is_active is not False,
        )


@dataclass(frozen=True)
class BadgeSpec:
    """One badge: its definition as the create request would carry it, and its group by name."""

    definition: BadgeCreate
    group: str | None = None

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def owners(self) -> list[str]:
        ownership = self.definition.ownership
        return [str(owner) for owner in ownership.restricted_to_owners] if ownership else []

    def request_body(self, group_id: str | None) -> dict[str, Any]:
        """The create body for an org where the group has `group_id`: the whole configuration, with the
        lists the file leaves out sent empty, so an update also removes what the file no longer has."""
        body = self.definition.to_wire()
        for key in LIST_KEYS:
            body.setdefault(key, {} if key == "customFields" else [])
        if group_id is not None:
            body["badgeGroupId"] = group_id
        return body

    def mapping(self) -> dict[str, Any]:
        """The badge as the file writes it."""
        definition = self.definition
        body = _without_server_fields(definition.to_wire())
        body["startOn"] = iso_utc(definition.starts)
        body["expiresOn"] = iso_utc(definition.ends)
        for key, expiry in (
            ("earnedBadgeExpiry", definition.earned_badge_expiry),
            ("issuedBadgeExpiry", definition.issued_badge_expiry),
        ):
            fixed = expiry.expires_on_iso or expiry.expires_on if expiry is not None else None
            if fixed is not None:
                body[key]["expiresOn"] = iso_utc(fixed)
        if self.group:
            body["group"] = self.group
        if body.get("customFields"):
            body["customFields"] = dict(sorted(body["customFields"].items()))
        ordered = {key: body[key] for key in BADGE_KEYS if key in body}
        return {key: value for key, value in ordered.items() if value not in ([], {}, "", None)}

    @classmethod
    def of(cls, badge: Badge, group_names: Mapping[str, str]) -> BadgeSpec:
        """The badge an org answered, as a spec: its group by name, server-owned fields dropped, and
        instants from the epoch fields (the ISO twins of an answer are cut to the second)."""
        body = _without_server_fields(badge.to_wire())
        group = group_names.get(badge.badge_group_id) if badge.badge_group_id else None
        return cls(BadgeCreate.model_validate(body), group)

    @classmethod
    def read(cls, data: Any, where: str) -> BadgeSpec:
        """A badge entry of a file; DocumentError names the entry and the field."""
        if not isinstance(data, Mapping):
            raise DocumentError([f"{where}: expected a mapping of badge fields"])
        unknown = sorted(set(data) - set(BADGE_KEYS))
        if unknown:
            hint = " (name the group with `group`)" if "badgeGroupId" in unknown else ""
            raise DocumentError([f"{where}.{key}: not a badge field{hint}" for key in unknown])
        body = {key: value for key, value in data.items() if key != "group"}
        try:
            definition = BadgeCreate.model_validate(body)
        except ValidationError as exc:
            raise DocumentError(_problems(exc, where)) from None
        extras = _extras(definition, where)
        if extras:
            raise DocumentError(extras)
        group = data.get("group")
        if group is not None and not isinstance(group, str):
            raise DocumentError([f"{where}.group: the group's name"])
        return cls(definition, group or None)


@dataclass(frozen=True)
class BadgesDocument:
    """Badges with the groups and custom fields they use, each list sorted by name."""

    badges: tuple[BadgeSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    custom_fields: tuple[FieldSpec, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "badges", tuple(sorted(self.badges, key=lambda b: b.name)))
        object.__setattr__(self, "groups", tuple(sorted(self.groups, key=lambda g: g.name)))
        object.__setattr__(self, "custom_fields", tuple(sorted(self.custom_fields, key=lambda f: f.name)))

    @property
    def badge_names(self) -> list[str]:
        return [badge.name for badge in self.badges]

    def select(self, names: Iterable[str]) -> BadgesDocument:
        """Only these badges, with the groups and custom fields they use."""
        wanted = set(names)
        badges = tuple(b for b in self.badges if b.name in wanted)
        return BadgesDocument(badges, *_used(badges, self.groups, self.custom_fields))

    def mapping(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "groups": [group.mapping() for group in self.groups],
            "customFields": [item.mapping() for item in self.custom_fields],
            "badges": [badge.mapping() for badge in self.badges],
        }

    @classmethod
    def read(cls, data: Any) -> BadgesDocument:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise DocumentError([f"the file must start with `format: {FORMAT}` (an export of this console)"])
        if data.get("version") != VERSION:
            raise DocumentError(
                [f"version {data.get('version')!r} is not supported (this console reads {VERSION})"]
            )
        unknown = sorted(set(data) - {"format", "version", "groups", "customFields", "badges"})
        if unknown:
            raise DocumentError([f"{key}: not a part of a badges file" for key in unknown])
        groups = [_entry(GroupSpec, item, f"groups[{i}]") for i, item in enumerate(data.get("groups") or [])]
        fields = [_entry(FieldSpec, item, f"customFields[{i}]") for i, item in enumerate(data.get("customFields") or [])]  # fmt: skip
        badges = [BadgeSpec.read(item, f"badges[{i}]") for i, item in enumerate(data.get("badges") or [])]
        problems = []
        for kind, names in (("group", [g.name for g in groups]), ("custom field", [f.name for f in fields]),
                            ("badge", [b.name for b in badges])):  # fmt: skip
            problems += [
                f"{kind} {name!r} appears twice" for name in sorted({n for n in names if names.count(n) > 1})
            ]
        if problems:
            raise DocumentError(problems)
        return cls(tuple(badges), tuple(groups), tuple(fields))


def document_of(
    badges: Iterable[Badge], groups: Iterable[BadgeGroup], custom_fields: Iterable[CustomField]
) -> BadgesDocument:
    """The document of these badges (full objects, as `get_badge` answers) of one org, with the org's
    groups and custom fields that the badges use."""
    groups, custom_fields = list(groups), list(custom_fields)
    names = {group.id: group.name or "" for group in groups}
    specs = tuple(BadgeSpec.of(badge, names) for badge in badges)
    return BadgesDocument(
        specs, *_used(specs, [GroupSpec.of(g) for g in groups], [FieldSpec.of(f) for f in custom_fields])
    )


def dumps(document: BadgesDocument, *, as_json: bool = False) -> str:
    """The file's text: YAML (with a one-line header) or JSON, the same content in the same order."""
    data = document.mapping()
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def loads(text: str) -> BadgesDocument:
    """A document from YAML or JSON text (JSON is YAML too); DocumentError when it is not one."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocumentError([f"not YAML or JSON: {exc}"]) from None
    return BadgesDocument.read(_iso_dates(data))


# ---- helpers ------------------------------------------------------------------------------------


def _used(
    badges: Iterable[BadgeSpec], groups: Iterable[GroupSpec], fields: Iterable[FieldSpec]
) -> tuple[tuple[GroupSpec, ...], tuple[FieldSpec, ...]]:
    badges = list(badges)
    group_names = {b.group for b in badges if b.group}
    field_names = {name for b in badges for name in (b.definition.custom_fields or {})}
    return (
        tuple(g for g in groups if g.name in group_names),
        tuple(f for f in fields if f.name in field_names),
    )


def _without_server_fields(body: dict[str, Any]) -> dict[str, Any]:
    """A badge body without what the server owns (at the top, in the ownership, limits, expiries)."""
    out = {k: v for k, v in body.items() if k not in _SERVER_OWNED and not k.endswith("ISO")}
    if isinstance(out.get("ownership"), Mapping):
        out["ownership"] = {k: v for k, v in out["ownership"].items() if k != "claims"}
    for key in ("earnedBadgeExpiry", "issuedBadgeExpiry"):
        if isinstance(out.get(key), Mapping):
            out[key] = {k: v for k, v in out[key].items() if not k.endswith("ISO") and v is not None}
    for key in ("customerConstraints", "badgeConstraints"):
        if isinstance(out.get(key), list):
            out[key] = [
                {k: v for k, v in item.items() if k not in _SERVER_OWNED_IN_LIMITS and not k.endswith("ISO")}
                for item in out[key]
            ]
    return {k: v for k, v in out.items() if v is not None}


def _entry(model: type[_Entry], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DocumentError(_problems(exc, where)) from None


def _problems(exc: ValidationError, where: str) -> list[str]:
    out = []
    for item in exc.errors(include_url=False):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"])
        out.append(f"{where}{path}: {item['msg']}")
    return out


def _extras(model: BaseModel, where: str) -> list[str]:
    """Keys a tolerant wire model kept but does not know: in a file they are typos."""
    found = [f"{where}.{key}: not a field here" for key in (model.model_extra or {})]
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        alias = info.serialization_alias or info.alias or to_camel(name)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                suffix = f"[{i}]" if isinstance(value, list) else ""
                found += _extras(item, f"{where}.{alias}{suffix}")
    return found


def _iso_dates(value: Any) -> Any:
    """YAML reads an unquoted `2025-01-31T00:00:00Z` as a datetime, which the models take as it is; one
    without a zone goes back to text, so the model refuses it with its own words (a zone is needed)."""
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.isoformat()  # no zone: the model says so
    return value
