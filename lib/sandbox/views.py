"""Rendering stored badges the way the API answers (#1-#4 and the customer views).

A stored badge is its canonical wire JSON; what the API adds when answering (derived `status`,
the `...ISO` twins, fixed-window `cycleStatus` and dates, counts with statistics) is added here,
from the sandbox clock, so it is never stale.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from lib.domain.timeutil import day_start
from lib.sandbox import errors as E
from lib.sandbox.badge_rules import FixedWindowConfig
from lib.sandbox.common import epoch, with_iso
from lib.sandbox.repository import BadgeView, Repository


def load_badge(repo: Repository, org_id: int, badge_id: str) -> BadgeView:
    """The org's badge, or the API's "not found" (another org's badge is not found either)."""
    view = repo.badges.get(org_id, badge_id)
    if view is None:
        raise E.BadgeNotFound()
    return view


def badge_counts(repo: Repository, org_id: int, badge_ids: list[str]) -> dict[str, tuple[int, int]]:
    """`(issuedCount, earnedCount)` per badge: enrolments and earns that were not revoked."""
    issued = repo.issues.counted_by_badge(org_id, badge_ids)
    earned = repo.earns.counted_by_badge(org_id, badge_ids)
    return {b: (issued.get(b, 0), earned.get(b, 0)) for b in badge_ids}


def _expiry(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    out = dict(raw)
    if out.get("expiryType") == "ABSOLUTE":
        with_iso(out, "expiresOn", out.get("expiresOn"))
    return out


def _config_span(config: FixedWindowConfig, view: BadgeView, now: datetime) -> dict[str, Any]:
    """`cycleStatus`, `startDate` and `endDate` of one config over the span it applies to."""
    layout = config.layout(view.start, view.end)
    if layout.end_day is not None and layout.end_day <= layout.first_day:
        return {"cycleStatus": "EXPIRED"}
    first = layout.cycle_at(day_start(layout.first_day))
    last = layout.cycle_at(day_start(layout.end_day - 1)) if layout.end_day is not None else None
    assert first is not None
    out: dict[str, Any] = {}
    with_iso(out, "startDate", epoch(first.start))
    with_iso(out, "endDate", epoch(last.last_day) if last else None)
    if now < first.start or now < view.start:
        out["cycleStatus"] = "UPCOMING"
    elif last is not None and now >= last.end:
        out["cycleStatus"] = "EXPIRED"
    else:
        out["cycleStatus"] = "ACTIVE"
    return out


def current_cycle(config: FixedWindowConfig, view: BadgeView, now: datetime) -> dict[str, Any] | None:
    cycle = config.layout(view.start, view.end).cycle_at(now)
    if cycle is None:
        return None
    out: dict[str, Any] = {}
    with_iso(out, "startDate", epoch(cycle.start))
    with_iso(out, "endDate", epoch(cycle.last_day))
    return out


def render_constraints(view: BadgeView, now: datetime, *, with_current_cycle: bool) -> dict[str, list]:
    configs = {c.reference_id: c for c in view.configs()}
    out: dict[str, list] = {}
    for key in ("customerConstraints", "badgeConstraints"):
        items = []
        for raw in view.doc.get(key) or []:
            item = dict(raw)
            config = configs.get(item.get("referenceId", ""))
            if config is not None:
                item.update(_config_span(config, view, now))
                if with_current_cycle:
                    item["currentCycle"] = current_cycle(config, view, now)
            items.append(item)
        out[key] = items
    return out


# Fields the API always answers, null or empty when never set (the documented responses show them).
BADGE_DEFAULTS: dict[str, Any] = {
    "description": None,
    "images": [],
    "tags": [],
    "benefits": [],
    "badgeGroupId": None,
    "badgeRank": None,
    "customFields": {},
    "issuedBadgeExpiry": None,
    "customerConstraints": [],
    "badgeConstraints": [],
}


def render_badge(
    repo: Repository, view: BadgeView, now: datetime, *, with_statistics: bool
) -> dict[str, Any]:
    """The full badge object of #1, #2 and #4."""
    doc = view.doc
    out = copy.deepcopy(BADGE_DEFAULTS) | copy.deepcopy(doc)
    for key in ("startOn", "expiresOn", "createdOn", "lastUpdatedOn"):
        with_iso(out, key, doc.get(key))
    out["earnedBadgeExpiry"] = _expiry(doc.get("earnedBadgeExpiry"))
    out["issuedBadgeExpiry"] = _expiry(doc.get("issuedBadgeExpiry"))
    out.update(render_constraints(view, now, with_current_cycle=with_statistics))
    out["status"] = view.status(now).value
    if with_statistics:
        out["issuedCount"], out["earnedCount"] = badge_counts(repo, doc["orgId"], [doc["id"]])[doc["id"]]
    return out


SUMMARY_FIELDS = (
    "id",
    "orgId",
    "name",
    "badgeGroupId",
    "badgeRank",
    "description",
    "images",
    "earnType",
    "earnedBadgeExpiry",
    "ownership",
    "createdBy",
    "lastUpdatedBy",
    "customFields",
    "active",
)


def render_summary(
    repo: Repository, org_id: int, views: list[BadgeView], now: datetime
) -> list[dict[str, Any]]:
    """The reduced items of #3 (`metaBasicDetails`): no constraints or benefits, with counts."""
    counts = badge_counts(repo, org_id, [v.id for v in views])
    groups = repo.groups.names(org_id)
    items = []
    for view in views:
        doc = view.doc
        item = {key: copy.deepcopy(doc.get(key, BADGE_DEFAULTS.get(key))) for key in SUMMARY_FIELDS}
        item["badgeGroupName"] = groups.get(doc.get("badgeGroupId") or "", (None, None))[0]
        for key in ("startOn", "expiresOn", "createdOn", "lastUpdatedOn"):
            with_iso(item, key, doc.get(key))
        item["earnedBadgeExpiry"] = _expiry(doc.get("earnedBadgeExpiry"))
        item["status"] = view.status(now).value
        item["issuedCount"], item["earnedCount"] = counts[view.id]
        items.append(item)
    return items
