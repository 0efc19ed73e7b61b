"""What applying a badges file to an org would do, item by item, before anything is sent.

Groups and custom fields come first (badges refer to them), then badges; each is matched by name and
is to be created, updated (with the fields that differ), left unchanged, or cannot be applied. A
refusal is predicted by the rules the server enforces, from `lib.domain` (the sandbox answers with
them, the editor checks with them): `check_badge` on the create body, or on the update body against
the badge as the target holds it and the target's clock (720, 722, 723, 724, 728, 826, enums);
`check_claimed_owners` for an owner taken away from a badge some module has claimed (714);
`check_group` and `check_custom_field` for the org-level objects (732, 735, 741, 742, 744).

A scalar the file leaves out (a description, a group, a rank) is not managed by the file: the target
keeps its own. A list the file leaves out (limits, benefits, tags, images, custom field values) is
empty in the file's configuration, and an update empties it in the target too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from lib.api.convert import badge_draft, saved_badge_draft
from lib.api.models import Badge, BadgeCreate, BadgeUpdate
from lib.domain import check_badge, check_claimed_owners, check_custom_field, check_group
from lib.domain.rules import RuleViolation
from lib.promote.document import LIST_KEYS, BadgesDocument, BadgeSpec, FieldSpec, GroupSpec
from lib.promote.export import OrgSnapshot

GROUP_NOT_FOUND = 404


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    BLOCKED = "cannot apply"


class Kind(StrEnum):
    GROUP = "group"
    CUSTOM_FIELD = "custom field"
    BADGE = "badge"


@dataclass(frozen=True)
class FieldChange:
    """One value that differs: its path in the file (`customerConstraints[0].maxEarnLimit`), the
    target's value (`before`) and the file's (`after`); None where one side has nothing."""

    path: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.path}: {_shown(self.before)} -> {_shown(self.after)}"


@dataclass(frozen=True)
class PlanItem:
    """One group, custom field or badge of the file, and what applying it would do in the target.

    `intended` is what it would be without the refusals (create or update); `target_id` is the id of
    the same-named object in the target, when there is one.
    """

    kind: Kind
    name: str
    action: Action
    intended: Action
    changes: tuple[FieldChange, ...] = ()
    refusals: tuple[RuleViolation, ...] = ()
    target_id: str | None = None

    @property
    def pending(self) -> bool:
        return self.action in (Action.CREATE, Action.UPDATE)


@dataclass(frozen=True)
class Plan:
    """Every item of the file in dependency order: groups, then custom fields, then badges.

    `historical` plans badge creates as historical badges (`X-CAP-BADGES-MIGRATION`), which may
    start, and even end, in the past: the way to copy a badge that is already live.
    """

    items: tuple[PlanItem, ...]
    historical: bool = False

    @property
    def can_apply(self) -> bool:
        return not self.blocked

    @property
    def blocked(self) -> list[PlanItem]:
        return [item for item in self.items if item.action is Action.BLOCKED]

    @property
    def pending(self) -> list[PlanItem]:
        return [item for item in self.items if item.pending]

    def counts(self) -> dict[Action, int]:
        return {action: sum(item.action is action for item in self.items) for action in Action}

    def item(self, kind: Kind, name: str) -> PlanItem | None:
        return next((i for i in self.items if i.kind is kind and i.name == name), None)

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(
            f"{counts[action]} {'to ' + action.value if action in (Action.CREATE, Action.UPDATE) else action.value}"
            for action in Action
        )


def make_plan(
    document: BadgesDocument, target: OrgSnapshot, now: datetime, *, historical: bool = False
) -> Plan:
    """The plan of `document` against `target` (read with `read_org` for the document's badges) at
    the target's `now`."""
    items = [_group_item(spec, target) for spec in document.groups]
    items += [_field_item(spec, target) for spec in document.custom_fields]
    known_groups = {g.name for g in document.groups} | set(target.groups)
    items += [_badge_item(spec, target, known_groups, now, historical) for spec in document.badges]
    return Plan(tuple(items), historical)


def create_request(spec: BadgeSpec, group_id: str | None) -> BadgeCreate:
    """The create call's body for this badge in an org where its group has `group_id`."""
    return BadgeCreate.model_validate(spec.request_body(group_id))


def update_request(spec: BadgeSpec, badge_id: str, group_id: str | None) -> BadgeUpdate:
    """The update call's body: the file's whole configuration of the badge, sent to `badge_id`."""
    return BadgeUpdate.model_validate({**spec.request_body(group_id), "id": badge_id})


def badge_changes(spec: BadgeSpec, saved: Badge, group_names: Mapping[str, str]) -> list[FieldChange]:
    """The file's values that differ from the saved badge's, both read the same way (as files)."""
    after = spec.mapping()
    before = BadgeSpec.of(saved, group_names).mapping()
    for key in LIST_KEYS:
        after.setdefault(key, {} if key == "customFields" else [])
        before.setdefault(key, {} if key == "customFields" else [])
    before = {key: value for key, value in before.items() if key in after}
    return diff(before, after)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Every leaf path whose value differs, in the order the file writes them."""
    flat_before, flat_after = _flatten(before), _flatten(after)
    paths = list(dict.fromkeys([*flat_after, *flat_before]))
    return [
        FieldChange(path, flat_before.get(path), flat_after.get(path))
        for path in paths
        if flat_before.get(path) != flat_after.get(path)
    ]


# ---- items --------------------------------------------------------------------------------------


def _group_item(spec: GroupSpec, target: OrgSnapshot) -> PlanItem:
    found = target.groups.get(spec.name)
    before = GroupSpec.of(found).mapping() if found else None
    return _item(Kind.GROUP, spec.name, spec.mapping(), before, found.id if found else None,
                 check_group(spec.name, spec.rank))  # fmt: skip


def _field_item(spec: FieldSpec, target: OrgSnapshot) -> PlanItem:
    found = target.custom_fields.get(spec.name)
    before = FieldSpec.of(found).mapping() if found else None
    refusals = check_custom_field(spec.data_type.value, spec.is_mandatory, spec.default_value)
    return _item(Kind.CUSTOM_FIELD, spec.name, spec.mapping(), before, found.id if found else None, refusals)


def _item(
    kind: Kind,
    name: str,
    after: dict[str, Any],
    before: dict[str, Any] | None,
    target_id: str | None,
    refusals: list[RuleViolation],
) -> PlanItem:
    if before is None:
        return _decided(kind, name, Action.CREATE, (), refusals, None)
    changes = tuple(diff(before, after))
    if not changes:
        return PlanItem(kind, name, Action.UNCHANGED, Action.UNCHANGED, target_id=target_id)
    return _decided(kind, name, Action.UPDATE, changes, refusals, target_id)


def _badge_item(
    spec: BadgeSpec, target: OrgSnapshot, known_groups: set[str], now: datetime, historical: bool
) -> PlanItem:
    refusals: list[RuleViolation] = []
    if spec.group and spec.group not in known_groups:
        refusals.append(
            RuleViolation(GROUP_NOT_FOUND, "group", f"Passed badge group is not found: {spec.group}")
        )
    saved = target.badges.get(spec.name)
    if saved is None:
        body = create_request(spec, None)
        refusals += check_badge(None, badge_draft(body), now, migration=historical)
        return _decided(Kind.BADGE, spec.name, Action.CREATE, (), refusals, None)
    changes = tuple(badge_changes(spec, saved, target.group_names))
    if not changes:
        return PlanItem(Kind.BADGE, spec.name, Action.UNCHANGED, Action.UNCHANGED, target_id=saved.id)
    body = update_request(spec, saved.id, None)
    refusals += check_badge(saved_badge_draft(saved), badge_draft(body), now)
    claims = saved.ownership.claims if saved.ownership and saved.ownership.claims else []
    claimed = [str(claim.owner_type) for claim in claims if claim.is_active is not False]
    refusals += check_claimed_owners(claimed, spec.owners)
    return _decided(Kind.BADGE, spec.name, Action.UPDATE, changes, refusals, saved.id)


def _decided(
    kind: Kind,
    name: str,
    intended: Action,
    changes: tuple[FieldChange, ...],
    refusals: list[RuleViolation],
    target_id: str | None,
) -> PlanItem:
    action = Action.BLOCKED if refusals else intended
    return PlanItem(kind, name, action, intended, changes, tuple(refusals), target_id)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out or ({prefix: None} if prefix else {})
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out |= _flatten(item, f"{prefix}[{i}]")
        return out or {prefix: None}
    return {prefix: value}


def _shown(value: Any) -> str:
    return "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)
