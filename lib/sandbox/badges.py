"""Badge definitions: create, update, list, get, activate, claim, unclaim, fixed-window cycles
(the filtered reads, #3 and #8, live in `badge_reads.py`).

Every method takes the caller's org id first and only ever reads that org's rows, so another org's
badge id is simply "not found". Edit rules (720, 722, 723, 724, 826, enums) come from
`lib.domain.check_badge`; this module adds only what needs the store (725 duplicate names, owners
enabled for the org, claims).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from lib.api.models import BadgeCreate, BadgeUpdate, ClaimRequest
from lib.api.models.queries import BadgeListQuery, FixedWindowQuery, GetBadgeQuery
from lib.domain import BadgeStatus, OwnerType
from lib.domain.org_rules import check_claimed_owners
from lib.sandbox import badge_reads
from lib.sandbox import errors as E
from lib.sandbox.badge_rules import badge_violations, plan_fixed_windows
from lib.sandbox.common import canonical, epoch, object_id, pick_instant
from lib.sandbox.context import Context
from lib.sandbox.repository import BadgeView, Repository
from lib.sandbox.views import load_badge, render_badge

# Owners every sandbox org has enabled; the rest are valid enum values that answer 714, as on a
# cluster where that module is not switched on for the org.
ENABLED_OWNERS = (
    "Loyalty",
    "Referral_Campaigns",
    "Journeys",
    "Audience_Campaigns",
    "Rewards_Catalog",
    "Goodwill_Module",
    "Milestones",
    "Historical_Import",
)
READ_ONLY_FIELDS = {
    "id",
    "orgId",
    "status",
    "issuedCount",
    "earnedCount",
    "createdOn",
    "createdOnISO",
    "createdBy",
    "lastUpdatedOn",
    "lastUpdatedOnISO",
    "lastUpdatedBy",
    "badgeNumericId",
    "badgeGroupName",
    "startOnISO",
    "expiresOnISO",
    "isActive",
}
SYSTEM_USER = 75000001  # `createdBy`/`lastUpdatedBy` of changes made through the sandbox


def fixed_window_reference_id(badge_id: str, constraint: dict[str, Any]) -> str:
    """A name-based UUID per config shape, as the examples suggest (the same shape, the same id)."""
    shape = ":".join(
        str(constraint.get(k)) for k in ("constraintType", "durationType", "refreshRate", "startDayOfTheWeek")
    )
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"badges-sandbox:{badge_id}:{shape}"))


class BadgeBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- #1 create -------------------------------------------------------------------------
    def create_badge(self, org_id: int, request: BadgeCreate, *, migration: bool = False) -> dict[str, Any]:
        """#1. The stored document is the request's canonical JSON plus what the server fills in."""
        body = canonical(request)
        now = self.ctx.now()
        repo = self.ctx.repo
        with repo.unit_of_work():
            doc = self._new_doc(org_id, body, now)
            problems = badge_violations(None, doc, now, migration=migration)
            problems += self._store_checks(org_id, doc, saved=None)
            if problems:
                raise E.SandboxErrors(_ordered(problems))
            doc["badgeNumericId"] = repo.orgs.next_badge_number(org_id)
            _fill_mandatory_custom_fields(repo, org_id, doc)
            _enrich_fixed_windows(doc)
            entries = plan_fixed_windows(None, doc, [], now)
            repo.badges.add(doc, entries)
            return render_badge(repo, BadgeView(doc, entries), self.ctx.now(), with_statistics=False)

    def _new_doc(self, org_id: int, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        doc = {k: v for k, v in body.items() if k not in READ_ONLY_FIELDS}
        start, end = pick_instant(body, "startOn"), pick_instant(body, "expiresOn")
        doc["id"] = object_id(now)
        doc["orgId"] = org_id
        doc["startOn"] = epoch(start) if start else None
        doc["expiresOn"] = epoch(end) if end else None
        ownership = dict(body.get("ownership") or {})
        ownership["restrictedToOwners"] = list(ownership.get("restrictedToOwners") or [])
        ownership["claims"] = []  # claims cannot be set at create/update; the examples' claims are dropped
        doc["ownership"] = ownership
        doc["active"] = body.get("active", body.get("isActive", True))
        doc["customerConstraints"], doc["badgeConstraints"] = _route_constraints(body)
        doc["createdOn"] = doc["lastUpdatedOn"] = epoch(now)
        doc["createdBy"] = doc["lastUpdatedBy"] = SYSTEM_USER
        return doc

    def _store_checks(self, org_id: int, doc: dict[str, Any], saved: dict[str, Any] | None) -> list:
        repo = self.ctx.repo
        problems: list[E.SandboxError] = []
        name = doc.get("name")
        if name and repo.badges.name_taken(org_id, name, doc["id"]):
            problems.append(E.DuplicateBadgeName(reference="name"))
        owners = doc["ownership"]["restrictedToOwners"]
        if any(isinstance(o, str) and o not in ENABLED_OWNERS and o in OwnerType.__members__ for o in owners):
            problems.append(E.OwnerTypeNotAllowed(reference="ownership.restrictedToOwners"))
        if saved is not None:
            claimed = [c["ownerType"] for c in saved["ownership"].get("claims", []) if c.get("isActive")]
            for violation in check_claimed_owners(claimed, [str(o) for o in owners]):
                problems.append(E.OwnerTypeNotAllowed(violation.message, reference=violation.field))
        group_id = doc.get("badgeGroupId")
        if group_id and not repo.groups.exists(org_id, group_id):
            problems.append(E.GroupNotFound(reference="badgeGroupId"))
        return problems

    # ---- #2 update -------------------------------------------------------------------------
    def update_badge(self, org_id: int, request: BadgeUpdate) -> dict[str, Any]:
        """#2. Fields left out of the request keep their saved value."""
        body = canonical(request)
        badge_id = body.get("id")
        if not badge_id:
            raise E.InvalidRequest("Badge id is mandatory for update", reference="id")
        now = self.ctx.now()
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, str(badge_id))
            saved = view.doc
            doc = json.loads(json.dumps(saved))
            for key, value in body.items():
                if key in READ_ONLY_FIELDS or key.endswith("ISO") or key == "ownership":
                    continue
                doc[key] = value
            for key in ("startOn", "expiresOn"):
                instant = pick_instant(body, key)
                if instant is not None:
                    doc[key] = epoch(instant)
            if "ownership" in body and body["ownership"] is not None:
                owners = body["ownership"].get("restrictedToOwners")
                if owners is not None:
                    doc["ownership"]["restrictedToOwners"] = list(owners)
            if "isActive" in body and "active" not in body:
                doc["active"] = body["isActive"]
            if "customerConstraints" in body or "badgeConstraints" in body:
                merged = {
                    "customerConstraints": body.get("customerConstraints", saved.get("customerConstraints")),
                    "badgeConstraints": body.get("badgeConstraints", saved.get("badgeConstraints")),
                }
                doc["customerConstraints"], doc["badgeConstraints"] = _route_constraints(merged)
            problems = badge_violations(saved, doc, now)
            problems += self._store_checks(org_id, doc, saved=saved)
            if problems:
                raise E.SandboxErrors(_ordered(problems))
            _fill_mandatory_custom_fields(repo, org_id, doc)
            _enrich_fixed_windows(doc)
            entries = plan_fixed_windows(saved, doc, view.fixed_windows, now)
            doc["lastUpdatedOn"] = epoch(now)
            doc["lastUpdatedBy"] = SYSTEM_USER
            repo.badges.save(doc, entries)
            return render_badge(repo, BadgeView(doc, entries), self.ctx.now(), with_statistics=False)

    # ---- #3 list, #4 get -------------------------------------------------------------------
    def list_badges(self, org_id: int, query: BadgeListQuery) -> dict[str, Any]:
        return badge_reads.list_badges(self.ctx, org_id, query)

    def get_badge(self, org_id: int, badge_id: str, query: GetBadgeQuery) -> dict[str, Any]:
        """#4. Counts and the current cycle only with `includeStatistics`."""
        repo = self.ctx.repo
        with repo.snapshot():
            view = load_badge(repo, org_id, badge_id)
            return render_badge(repo, view, self.ctx.now(), with_statistics=bool(query.include_statistics))

    # ---- #5 activate / deactivate ----------------------------------------------------------
    def set_activation(self, org_id: int, badge_id: str, *, active: bool) -> dict[str, Any]:
        now = self.ctx.now()
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, badge_id)
            if not active and view.status(now) is BadgeStatus.EXPIRED:
                raise E.DeactivateExpired()
            view.doc["active"] = active
            view.doc["lastUpdatedOn"] = epoch(now)
            repo.badges.save(view.doc, view.fixed_windows)
        return {"id": badge_id, "isActive": active}

    # ---- #6 / #7 claim and unclaim ---------------------------------------------------------
    def claim(self, org_id: int, badge_id: str, request: ClaimRequest) -> dict[str, Any]:
        owner_type, reference_id = _claim_target(request)
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, badge_id)
            doc = view.doc
            if not doc.get("active", True):
                raise E.BadgeInactive()
            if owner_type not in doc["ownership"]["restrictedToOwners"]:
                raise E.OwnerTypeNotAllowed(reference="ownerType")
            claims = doc["ownership"].setdefault("claims", [])
            if not any(
                c["ownerType"] == owner_type and c["referenceId"] == reference_id and c.get("isActive")
                for c in claims
            ):
                claims.append({"ownerType": owner_type, "referenceId": reference_id, "isActive": True})
                repo.badges.save(doc, view.fixed_windows)
        return {
            "badgeMetaId": badge_id,
            "ownerType": owner_type,
            "referenceId": reference_id,
            "isActive": True,
        }

    def unclaim(self, org_id: int, badge_id: str, request: ClaimRequest) -> dict[str, Any]:
        owner_type, reference_id = _claim_target(request)
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, badge_id)
            claims = view.doc["ownership"].get("claims", [])
            match = next(
                (
                    c
                    for c in claims
                    if c["ownerType"] == owner_type and c["referenceId"] == reference_id and c.get("isActive")
                ),
                None,
            )
            if match is None:
                raise E.ClaimNotFound()
            match["isActive"] = False
            repo.badges.save(view.doc, view.fixed_windows)
        return {
            "badgeMetaId": badge_id,
            "ownerType": owner_type,
            "referenceId": reference_id,
            "isActive": False,
        }

    # ---- #8 fixed-window cycles ------------------------------------------------------------
    def fixed_window_details(
        self, org_id: int, query: FixedWindowQuery, sent_customer: Any = None, identifier: str | None = None
    ) -> dict[str, Any]:
        return badge_reads.fixed_window_details(self.ctx, org_id, query, sent_customer, identifier)


# ---- helpers ------------------------------------------------------------------------------------
def _claim_target(request: ClaimRequest) -> tuple[str, str]:
    owner_type = request.owner_type
    reference_id = request.reference_id
    if not owner_type:
        raise E.OwnerTypeMissing(reference="ownerType")
    if reference_id in (None, ""):
        raise E.OwnerIdMissing(reference="referenceId")
    return str(owner_type), str(reference_id)


def _route_constraints(body: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """File each limit under its level by prefix (a documented create sent a customer limit in
    `badgeConstraints` and the server answered it under `customerConstraints`)."""
    customer, badge = [], []
    for item in list(body.get("customerConstraints") or []) + list(body.get("badgeConstraints") or []):
        kind = str(item.get("constraintType", ""))
        (customer if kind.startswith("CUSTOMER_") else badge).append(dict(item))
    return customer, badge


def _enrich_fixed_windows(doc: dict[str, Any]) -> None:
    """Give each fixed-window config its reference id (status and dates are added when rendering)."""
    for key in ("customerConstraints", "badgeConstraints"):
        for item in doc.get(key) or []:
            if str(item.get("constraintType", "")).endswith("FIXED_WINDOW"):
                item["referenceId"] = fixed_window_reference_id(doc["id"], item)


def _fill_mandatory_custom_fields(repo: Repository, org_id: int, doc: dict[str, Any]) -> None:
    """Mandatory custom fields left empty get their default value; unknown names are kept as sent."""
    fields = dict(doc.get("customFields") or {})
    for name, default in repo.custom_fields.mandatory_defaults(org_id):
        if fields.get(name) in (None, ""):
            fields[name] = default
    if fields or "customFields" in doc:
        doc["customFields"] = fields


_ERROR_ORDER = [E.OwnerRequired, E.DuplicateBadgeName, E.StartInPast, E.OwnerTypeNotAllowed]


def _ordered(problems: list[E.SandboxError]) -> list[E.SandboxError]:
    """The documented create failure lists 728, 725, 722, 714 in that order; others follow."""

    def rank(problem: E.SandboxError) -> int:
        kind = type(problem)
        return _ERROR_ORDER.index(kind) if kind in _ERROR_ORDER else len(_ERROR_ORDER)

    return sorted(problems, key=rank)
