"""What one customer has and can get: #15 badges for a customer, #16 all customer badges (filtered),
#17 one badge for one customer with its enrolment/earn history and limit usage.

`X-CAP-CUSTOMER-IDENTIFIER` (email, mobile, externalId, cardNumber) is looked up in the org's
customer table (1026 when nobody matches, 1028 for another identifier type). A plain numeric id
needs no lookup: any id from 1 to 2**63-1 is a customer, as bulk files enrol ids the sandbox never saw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lib.api.models.enums import ActivationAction, BadgeViewType, SortOrder
from lib.api.models.queries import (
    CustomerBadgeDetailQuery,
    CustomerBadgePageQuery,
    CustomerBadgePageSort,
    CustomerBadgeSort,
    CustomerBadgesQuery,
    DateOperator,
)
from lib.domain import BadgeStatus, FixedValueLimit, FixedWindowLimit, RollingWindowLimit, count_window
from lib.sandbox.awarding import count_earns
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import epoch, page_of, query_instant, with_iso
from lib.sandbox.context import Context
from lib.sandbox.customer_lookup import resolve_customer
from lib.sandbox.repository import BadgeView, Repository
from lib.sandbox.repository.records import EarnSummary, IssueRecord
from lib.sandbox.views import load_badge, render_constraints


def _seconds(value: int | None) -> float | None:
    """A numeric date filter: epoch seconds, or milliseconds (told apart by size)."""
    if value is None:
        return None
    return value / 1000 if value > 10**11 else value


class _History:
    """A customer's earn and enrolment aggregates per badge."""

    def __init__(self, repo: Repository, org_id: int, customer_id: int, now: float) -> None:
        self.earns: dict[str, EarnSummary] = repo.earns.summaries_of(org_id, customer_id, now)
        self.issues: dict[str, IssueRecord] = {}
        for issue in repo.issues.of_customer(org_id, customer_id):
            self.issues[issue.badge_id] = issue  # the latest enrolment per badge
        self.now = now

    def active_earns(self, badge_id: str) -> int:
        summary = self.earns.get(badge_id)
        return summary.active if summary else 0

    def expired_earns(self, badge_id: str) -> int:
        summary = self.earns.get(badge_id)
        return summary.expired if summary else 0

    def issue_status(self, badge_id: str) -> str | None:
        issue = self.issues.get(badge_id)
        return None if issue is None else _record_status(issue.revoked_on, issue.expires_on, self.now)

    def last(self, badge_id: str, key: str) -> float | None:
        summary = self.earns.get(badge_id)
        return getattr(summary, key) if summary else None


def _record_status(revoked_on: float | None, expires_on: float, now: float) -> str:
    """An enrolment's or an earn's status: revoked, else active until it expires."""
    if revoked_on is not None:
        return "REVOKED"
    return "ACTIVE" if expires_on > now else "EXPIRED"


def _selected(
    view: BadgeView, kind: BadgeViewType, history: _History, now: datetime, include_expired: bool = False
) -> bool:
    doc = view.doc
    available = doc.get("active", True) and view.status(now) is BadgeStatus.LIVE
    enrolled = history.issue_status(view.id) == "ACTIVE"
    if kind == "AVAILABLE_TO_ISSUE":
        return bool(available and doc["earnType"] == "ISSUE_EARN" and not enrolled)
    if kind == "AVAILABLE":
        return bool(available and (doc["earnType"] == "EARN" or enrolled))
    if kind == "EARNED":
        return history.active_earns(view.id) > 0 or (include_expired and history.expired_earns(view.id) > 0)
    return history.expired_earns(view.id) > 0 and history.active_earns(view.id) == 0  # EXPIRED


def _rank_key(view: BadgeView, groups: dict[str, tuple[str, int | None]]):
    """Groups by group rank, then badge rank (1 first), unranked by expiry, latest first (reference 5.1)."""
    doc = view.doc
    group = groups.get(doc.get("badgeGroupId") or "")
    rank = doc.get("badgeRank")
    return (
        group is None,
        (group[1] if group and group[1] is not None else 0),
        rank is None,
        rank or 0,
        -doc["expiresOn"],
    )


class CustomerViewBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- #15 ---------------------------------------------------------------------------------
    def customer_badges(
        self, org_id: int, raw_customer: str, identifier: str | None, query: CustomerBadgesQuery
    ) -> dict[str, Any]:
        """#15: AVAILABLE badges by RANK when the query does not say otherwise; `limit` is the page
        size (`size` also read)."""
        now = self.ctx.now()
        kind = query.badge_type or BadgeViewType.AVAILABLE
        include_expired = bool(query.include_expired)
        sort_on = query.sort_on or CustomerBadgeSort.RANK
        group_id = query.group_id
        earned_since = _seconds(query.last_earned_on_date)
        event_since = _seconds(query.last_earn_event_date)
        page = page_of(query.page, query.limit or query.size)
        repo = self.ctx.repo
        with repo.snapshot():
            customer_id = resolve_customer(repo, org_id, raw_customer, identifier)
            history = _History(repo, org_id, customer_id, epoch(now))
            groups = repo.groups.names(org_id)
            views = [
                v
                for v in repo.badges.all_of(org_id)
                if _selected(v, kind, history, now, include_expired)
                and (not group_id or v.doc.get("badgeGroupId") == group_id)
                and (earned_since is None or (history.last(v.id, "last_earned_on") or 0) >= earned_since)
                and (event_since is None or (history.last(v.id, "last_event") or 0) >= event_since)
            ]
            if sort_on is CustomerBadgeSort.RANK:
                views.sort(key=lambda v: _rank_key(v, groups))
            else:
                key = "last_earned_on" if sort_on is CustomerBadgeSort.LAST_EARNED_ON_DATE else "last_event"
                views.sort(key=lambda v: -(history.last(v.id, key) or 0))
            items = [
                self._badge_item(v, history, groups, now)
                for v in views[page.offset : page.offset + page.size]
            ]
        return {"badges": items, "pagination": page.pagination(len(views))}

    @staticmethod
    def _badge_item(view: BadgeView, history: _History, groups, now: datetime) -> dict[str, Any]:
        doc = view.doc
        item: dict[str, Any] = {"badgeMetaId": view.id, "orgId": doc["orgId"], "name": doc.get("name")}
        item["description"] = doc.get("description")
        with_iso(item, "startOn", doc["startOn"])
        with_iso(item, "expiresOn", doc["expiresOn"])
        for key in ("images", "tags", "badgeGroupId", "badgeRank", "ownership", "earnType", "benefits"):
            item[key] = doc.get(key)
        item["badgeGroupName"] = groups.get(doc.get("badgeGroupId") or "", (None, None))[0]
        item.update(render_constraints(view, now, with_current_cycle=False))
        item["earnedCount"] = history.active_earns(view.id)
        with_iso(item, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
        with_iso(item, "lastEarnEventDate", history.last(view.id, "last_event"))
        item["customFields"] = doc.get("customFields")
        item["active"] = doc.get("active", True)
        return item

    # ---- #16 ---------------------------------------------------------------------------------
    def management_list(
        self, org_id: int, raw_customer: str, identifier: str | None, query: CustomerBadgePageQuery
    ) -> dict[str, Any]:
        """#16: AVAILABLE_TO_ISSUE badges by EXPIRES_ON, latest first, when the query does not say
        otherwise; `startOn` keeps later starts and `expiresOn` earlier expiries unless an operator
        says otherwise."""
        now = self.ctx.now()
        kind = query.badge_type or BadgeViewType.AVAILABLE_TO_ISSUE
        sort_key = _PAGE_SORTS[query.sort_on or CustomerBadgePageSort.EXPIRES_ON]
        descending = query.order is not SortOrder.ASC
        name = (query.name or "").strip().lower()
        action, status = query.action, query.badge_status
        owner, claimed_by, group_id = query.owner, query.claimed_by, query.group_id
        start_on = _bound(query, "start_on")
        start_op = query.start_on_operator or DateOperator.GREATER_THAN
        expires_on = _bound(query, "expires_on")
        expires_op = query.expires_on_operator or DateOperator.LESS_THAN
        earned_since = _seconds(query.last_earned_on_date)
        event_since = _seconds(query.last_earn_event_date)
        page = page_of(query.page, query.size)
        repo = self.ctx.repo
        with repo.snapshot():
            customer_id = resolve_customer(repo, org_id, raw_customer, identifier)
            history = _History(repo, org_id, customer_id, epoch(now))
            groups = repo.groups.names(org_id)
            views = []
            for v in repo.badges.all_of(org_id):
                doc = v.doc
                claims = [c["ownerType"] for c in doc["ownership"].get("claims", []) if c.get("isActive")]
                keep = (
                    _selected(v, kind, history, now)
                    and (not name or name in str(doc.get("name", "")).lower())
                    and (
                        not action or (action is ActivationAction.ACTIVATED) == bool(doc.get("active", True))
                    )
                    and (not status or v.status(now) is status)
                    and (not owner or owner in doc["ownership"]["restrictedToOwners"])
                    and (not claimed_by or claimed_by in claims)
                    and (not group_id or doc.get("badgeGroupId") == group_id)
                    and _compare(doc["startOn"], start_on, start_op)
                    and _compare(doc["expiresOn"], expires_on, expires_op)
                    and (earned_since is None or (history.last(v.id, "last_earned_on") or 0) >= earned_since)
                    and (event_since is None or (history.last(v.id, "last_event") or 0) >= event_since)
                )
                if keep:
                    views.append(v)
            views.sort(key=lambda v: sort_key(v, history), reverse=descending)
            items = [
                self._summary_item(v, history, groups, now)
                for v in views[page.offset : page.offset + page.size]
            ]
        return {"customerBadges": items, "pagination": page.pagination(len(views))}

    @staticmethod
    def _summary_item(view: BadgeView, history: _History, groups, now: datetime) -> dict[str, Any]:
        doc = view.doc
        item: dict[str, Any] = {"name": doc.get("name"), "description": doc.get("description")}
        item["badgeMetaId"] = view.id
        item["badgeType"] = doc["earnType"]
        item["badgeGroupId"] = doc.get("badgeGroupId")
        item["badgeGroupName"] = groups.get(doc.get("badgeGroupId") or "", (None, None))[0]
        item["badgeRank"] = doc.get("badgeRank")
        with_iso(item, "createdOn", doc["createdOn"])
        with_iso(item, "lastUpdatedOn", doc["lastUpdatedOn"])
        item["images"] = doc.get("images")
        item["badgeStatus"] = view.status(now).value
        with_iso(item, "lastEarnedOn", history.last(view.id, "last_earned_on"))
        with_iso(item, "startsOn", doc["startOn"])
        with_iso(item, "expiresOn", doc["expiresOn"])
        item["earnCount"] = history.active_earns(view.id)
        item["ownership"] = doc.get("ownership")
        item["issueStatus"] = history.issue_status(view.id)
        with_iso(item, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
        with_iso(item, "lastEarnEventDate", history.last(view.id, "last_event"))
        item["active"] = doc.get("active", True)
        return item

    # ---- #17 ---------------------------------------------------------------------------------
    def management_detail(
        self,
        org_id: int,
        raw_customer: str,
        badge_id: str,
        identifier: str | None,
        query: CustomerBadgeDetailQuery,
    ) -> dict[str, Any]:
        """#17: history and limit usage only with `includeStatistics`."""
        now = self.ctx.now()
        with_statistics = bool(query.include_statistics)
        repo = self.ctx.repo
        with repo.snapshot():
            customer_id = resolve_customer(repo, org_id, raw_customer, identifier)
            view = load_badge(repo, org_id, badge_id)
            history = _History(repo, org_id, customer_id, epoch(now))
            doc = view.doc
            out: dict[str, Any] = {
                "id": view.id,
                "name": doc.get("name"),
                "description": doc.get("description"),
            }
            with_iso(out, "createdOn", doc["createdOn"])
            with_iso(out, "lastUpdatedOn", doc["lastUpdatedOn"])
            with_iso(out, "startsOn", doc["startOn"])
            with_iso(out, "expiresOn", doc["expiresOn"])
            out["action"] = "ACTIVATED" if doc.get("active", True) else "DE_ACTIVATED"
            out["badgeType"] = doc["earnType"]
            out["badgeStatus"] = view.status(now).value
            out["owner"] = doc["ownership"]["restrictedToOwners"]
            out["claimedBy"] = [c for c in doc["ownership"].get("claims", []) if c.get("isActive")]
            out["images"] = doc.get("images")
            out["earnExpiry"] = doc.get("earnedBadgeExpiry")
            out["issueExpiry"] = doc.get("issuedBadgeExpiry")
            for key in ("tags", "badgeRank", "customFields"):
                out[key] = doc.get(key)
            out["activeEarnedCount"] = history.active_earns(view.id)
            out["issuedStatus"] = history.issue_status(view.id)
            with_iso(out, "lastEarnedOn", history.last(view.id, "last_earned_on"))
            with_iso(out, "lastEarnedOnDate", history.last(view.id, "last_earned_on"))
            with_iso(out, "lastEarnEventDate", history.last(view.id, "last_event"))
            if with_statistics:
                out.update(self._usage(repo, org_id, view, customer_id, now))
                out["issualDetails"] = self._issuals(repo, org_id, view.id, customer_id, now)
                out["earnDetails"] = self._earns(repo, org_id, view.id, customer_id, now)
        return out

    @staticmethod
    def _usage(
        repo: Repository, org_id: int, view: BadgeView, customer_id: int, now: datetime
    ) -> dict[str, list]:
        """Each limit with the earns counted in its window right now (`OVERALL` = fixed value)."""
        rules = rules_of(view.doc, view.fixed_windows)
        references = {c.limit: c.reference_id for c in view.configs()}
        out: dict[str, list] = {"customerConstraints": [], "badgeConstraints": []}
        for limit in rules.limits:
            level = str(limit.level)
            window = count_window(
                limit, event_time=now, processed_at=now, badge_start=rules.start, badge_end=rules.end
            )
            count = 0
            if window is not None:
                count = count_earns(
                    repo, org_id, view.id, window, customer_id if level == "CUSTOMER" else None
                )
            item: dict[str, Any] = {
                "constraintLevel": level,
                "maxEarnLimit": getattr(limit, "max_earn", None),
            }
            stats: dict[str, Any] = {"currentEarnCount": count}
            if isinstance(limit, FixedWindowLimit):
                item["constraintType"] = "FIXED_WINDOW"
                item["durationType"] = limit.rule.unit.value
                item["refreshRate"] = limit.rule.refresh_rate
                item["startDayOfTheWeek"] = limit.rule.week_start.value
                item["fixedWindowReferenceId"] = references.get(limit)
                if window is not None and window.cycle is not None:
                    bounds: dict[str, Any] = {}
                    with_iso(bounds, "startDate", epoch(window.cycle.start))
                    with_iso(bounds, "endDate", epoch(window.cycle.last_day))
                    item["fixedWindowCycle"] = bounds
                    item["cycleStatus"] = "ACTIVE"
                else:
                    item["cycleStatus"] = "UPCOMING" if now < view.start else "EXPIRED"
            elif isinstance(limit, RollingWindowLimit):
                item["constraintType"] = "ROLLING_WINDOW"
                item["rollType"] = limit.unit.value
                item["rollValue"] = limit.span
                stats[f"currentEarnCount{limit.unit.value.title()}"] = count
            elif isinstance(limit, FixedValueLimit):
                item["constraintType"] = "OVERALL"
            else:
                continue
            item["earnConstraintBlockStatistics"] = stats
            out["customerConstraints" if level == "CUSTOMER" else "badgeConstraints"].append(item)
        return out

    @staticmethod
    def _issuals(
        repo: Repository, org_id: int, badge_id: str, customer_id: int, now: datetime
    ) -> dict[str, Any]:
        issuals = [
            {
                "issueId": issue.id,
                "issuedOn": issue.issued_on,
                "issuedStatus": _record_status(issue.revoked_on or None, issue.expires_on, epoch(now)),
                "issueExpiresOn": issue.expires_on,
                "issueEventDate": issue.event_date,
                "revokedOn": issue.revoked_on,
                "ownerType": issue.owner_type,
                "ownerReferenceId": issue.owner_reference_id,
            }
            for issue in repo.issues.of_badge_customer(org_id, badge_id, customer_id)
        ]
        return {"issuedCount": len(issuals), "issuals": issuals}

    @staticmethod
    def _earns(
        repo: Repository, org_id: int, badge_id: str, customer_id: int, now: datetime
    ) -> dict[str, Any]:
        earns = [
            {
                "earnedBadgeId": earn.id,
                "earnedOn": earn.earned_on,
                "earnedStatus": _record_status(earn.revoked_on or None, earn.expires_on, epoch(now)),
                "earnExpiresOn": earn.expires_on,
                "earnEventDate": earn.event_date,
                "revokedOn": earn.revoked_on,
                "ownerType": earn.owner_type,
                "ownerReferenceId": earn.owner_reference_id,
            }
            for earn in repo.earns.of_badge_customer(org_id, badge_id, customer_id)
        ]
        return {"earnCount": len(earns), "earns": earns}


_PAGE_SORTS = {
    CustomerBadgePageSort.EXPIRES_ON: lambda v, h: v.doc["expiresOn"],
    CustomerBadgePageSort.LAST_MODIFIED_DATE: lambda v, h: v.doc["lastUpdatedOn"],
    CustomerBadgePageSort.LAST_ISSUED_DATE: lambda v, h: h.issues[v.id].issued_on if v.id in h.issues else 0,
    CustomerBadgePageSort.LAST_EXPIRED_BADGE: lambda v, h: (
        v.doc["expiresOn"] if v.doc["expiresOn"] <= h.now else 0
    ),
    CustomerBadgePageSort.LAST_EARNED_EVENT_DATE: lambda v, h: h.last(v.id, "last_event") or 0,
    CustomerBadgePageSort.LAST_EARNED_ON_DATE: lambda v, h: h.last(v.id, "last_earned_on") or 0,
}
"""#16's `sortOn` values: the sort key of a badge given the customer's history."""


def _bound(query: CustomerBadgePageQuery, field: str) -> float | None:
    instant = query_instant(query, field)
    return epoch(instant) if instant else None


def _compare(value: float, bound: float | None, operator: DateOperator) -> bool:
    if bound is None:
        return True
    return value < bound if operator is DateOperator.LESS_THAN else value > bound
