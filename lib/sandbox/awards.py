"""Awards ("earn"): #11 earn, #12 earnBulk, #13 revokeEarn, #14 import (enrolments: `enrolments.py`).

Each call is one unit of work, its `requestId` recorded with it (`awarding.py`). Limits are counted
by the repository over the windows `lib.domain.count_window` names and decided by
`lib.domain.decide`; expiries come from `compute_expiry` at processing time.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from lib.api.models import (
    EarnBulkRequest,
    EarnRequest,
    ImportEarnedBadge,
    RevokeEarnRequest,
    TriggeredBy,
)
from lib.domain import (
    BadgeStatus,
    EarnType,
    LimitCount,
    count_window,
    decide,
)
from lib.domain.badge import BadgeRules
from lib.sandbox import errors as E
from lib.sandbox.awarding import (
    check_request_id,
    count_earns,
    echo,
    error_item,
    expiry,
    owner_of,
    record_request_id,
)
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import epoch, object_id, request_instant, with_iso
from lib.sandbox.context import Context
from lib.sandbox.customer_lookup import resolve_customer
from lib.sandbox.repository import BadgeView
from lib.sandbox.repository.records import NewEarn
from lib.sandbox.views import load_badge

FUTURE_TOLERANCE = timedelta(hours=24)  # an earn event date may be up to 24 h ahead (reference 4.3)


def _claim_matches(doc: dict[str, Any], triggered_by: TriggeredBy | None) -> bool:
    if triggered_by is None:
        return False
    owner_type, reference_id = owner_of(triggered_by)
    return any(
        c.get("isActive") and c["ownerType"] == owner_type and str(c["referenceId"]) == reference_id
        for c in doc["ownership"].get("claims", [])
    )


class AwardBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- #11 earn / #12 earnBulk ---------------------------------------------------------------
    def earn(self, org_id: int, request: EarnRequest) -> dict[str, Any]:
        now = self.ctx.now()
        request_id = request.request_id
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, request.badge_meta_id)
            event = self._check_earn_call(org_id, view, request, "earn_event_date", now, "earn", request_id)
            rules = rules_of(view.doc, view.fixed_windows)
            earned_id, issue_id, expires = self._earn_one(
                org_id, view, rules, request.customer_id, event, now, request.triggered_by, request_id
            )
            record_request_id(self.ctx.repo, org_id, "earn", request_id, now)
        data: dict[str, Any] = {
            "badgeMetaId": view.id,
            "customerId": request.customer_id,
            "earnedBadgeId": earned_id,
        }
        with_iso(data, "expiresOn", expires)
        data["requestId"] = request_id
        data["issuedId"] = issue_id
        return data

    def earn_bulk(self, org_id: int, request: EarnBulkRequest) -> dict[str, Any]:
        now = self.ctx.now()
        request_id = request.request_id
        customers = request.customer_ids
        if not customers:
            raise E.CustomerIdMissing(reference="customerIds")
        # without an earn date, the event date is the issueEventDate the newest curl sends
        sent = request.model_fields_set & {"earn_event_date", "earn_event_date_iso"}
        event_field = "earn_event_date" if sent else "issue_event_date"
        earned, failed, expires = [], [], None
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, request.badge_meta_id)
            event = self._check_earn_call(org_id, view, request, event_field, now, "earnBulk", request_id)
            rules = rules_of(view.doc, view.fixed_windows)
            seen: set[int] = set()
            for customer_id in customers:
                if customer_id in seen:
                    failed.append({"customerId": customer_id, "error": error_item(E.ActiveIssueExists())})
                    continue
                seen.add(customer_id)
                try:
                    earned_id, _, expires = self._earn_one(
                        org_id, view, rules, customer_id, event, now, request.triggered_by, request_id
                    )
                except E.SandboxError as error:
                    failed.append({"customerId": customer_id, "error": error_item(error)})
                    continue
                earned.append({"customerId": customer_id, "earnedBadgeId": earned_id})
            record_request_id(self.ctx.repo, org_id, "earnBulk", request_id, now)
        data: dict[str, Any] = {"badgeMetaId": view.id}
        with_iso(data, "expiresOn", expires)
        data.update(
            {
                "triggeredBy": echo(request.triggered_by),
                "requestId": request_id,
                "earnedBadgesList": earned,
                "totalCount": len(customers),
                "earnedCount": len(earned),
                "failedCount": len(failed),
                "failedEarnBadgeErrorList": failed,
            }
        )
        return data

    def _check_earn_call(
        self,
        org_id: int,
        view: BadgeView,
        request: EarnRequest | EarnBulkRequest,
        event_field: str,
        now: datetime,
        endpoint: str,
        request_id: str | None,
    ) -> datetime:
        """Whole-call checks shared by earn and earnBulk; returns the event date."""
        doc = view.doc
        triggered_by = request.triggered_by
        if triggered_by is None or not triggered_by.owner_type:
            raise E.OwnerTypeMissing(reference="triggeredBy.ownerType")
        if not doc.get("active", True):
            raise E.BadgeInactive()
        if not _claim_matches(doc, triggered_by):
            raise E.ClaimRequired(reference="triggeredBy.referenceId")
        check_request_id(self.ctx.repo, org_id, endpoint, request_id)
        event = request_instant(request, event_field) or now
        if event > now + FUTURE_TOLERANCE:
            raise E.EventDateInFuture(reference="earnEventDate")
        status = view.status(now)
        if status is BadgeStatus.UPCOMING:
            raise E.BadgeNotLive()
        if doc["earnType"] == EarnType.EARN:
            if status is not BadgeStatus.LIVE:
                raise E.BadgeNotLive()
            if not (view.start <= event <= view.end):
                raise E.EventDateOutsideBadge(
                    "Event date is not in duration of badge meta.", reference="earnEventDate"
                )
        return event

    def _earn_one(
        self,
        org_id: int,
        view: BadgeView,
        rules: BadgeRules,
        customer_id: int,
        event: datetime,
        now: datetime,
        triggered_by: TriggeredBy | None,
        request_id: str | None,
    ) -> tuple[str, str | None, float]:
        """Check enrolment and limits for one customer, then record the earn."""
        repo = self.ctx.repo
        issue_id = None
        if rules.earn_type is EarnType.ISSUE_EARN:
            issue = repo.issues.latest_active(org_id, view.id, customer_id, epoch(now))
            if issue is None:
                raise E.IssueRequired()
            if not (issue.event_date <= epoch(event) <= issue.expires_on):
                raise E.EventDateOutsideBadge(
                    "Event date is not in duration of the customer's enrolment.", reference="earnEventDate"
                )
            issue_id = issue.id
        self._check_limits(org_id, view.id, rules, customer_id, event, now)
        earned_id = object_id(now)
        expires = epoch(expiry(rules.earned_expiry, now, rules.end))
        owner_type, owner_ref = owner_of(triggered_by)
        repo.earns.add(
            NewEarn(
                earned_id,
                org_id,
                view.id,
                customer_id,
                epoch(now),
                epoch(event),
                expires,
                None,
                issue_id,
                owner_type,
                owner_ref,
                request_id,
            )
        )
        return earned_id, issue_id, expires

    def _check_limits(
        self,
        org_id: int,
        badge_id: str,
        rules: BadgeRules,
        customer_id: int,
        event: datetime,
        now: datetime,
    ) -> None:
        counts = []
        for limit in rules.limits:
            window = count_window(
                limit, event_time=event, processed_at=now, badge_start=rules.start, badge_end=rules.end
            )
            count = None
            if window is not None:
                count = count_earns(
                    self.ctx.repo,
                    org_id,
                    badge_id,
                    window,
                    customer_id if limit.level == "CUSTOMER" else None,
                )
            counts.append(LimitCount(limit, count, window))
        decision = decide(counts)
        if not decision.allowed:
            raise E.EarnLimitReached(f"Earn limit reached: {decision.blocked_by.describe()}")

    # ---- #13 revokeEarn ----------------------------------------------------------------------
    def revoke_earn(
        self, org_id: int, request: RevokeEarnRequest, sent_customer: Any, identifier: str | None
    ) -> dict[str, Any]:
        """`sent_customer` is the `customerId` as sent (an email, mobile... with the identifier header)."""
        now = self.ctx.now()
        repo = self.ctx.repo
        with repo.unit_of_work():
            customer_id = resolve_customer(repo, org_id, sent_customer, identifier)
            view = load_badge(repo, org_id, request.badge_meta_id)
            if not repo.earns.revoke_active(
                org_id, view.id, customer_id, request.earned_badge_id, epoch(now)
            ):
                raise E.NoActiveEarn(reference="earnedBadgeId")
        return {
            "badgeMetaId": view.id,
            "customerId": request.customer_id,
            "earnedBadgeId": request.earned_badge_id,
            "isActive": False,
        }

    # ---- #14 import --------------------------------------------------------------------------
    def import_earned(
        self, org_id: int, items: list[ImportEarnedBadge | E.SandboxError]
    ) -> list[dict[str, Any]]:
        """One envelope per element, in order; imported earns skip limits and claims (history)."""
        now = self.ctx.now()
        batch = uuid.uuid4().hex  # the documented ids look like f93f710f..._1
        out: list[dict[str, Any]] = []
        repo = self.ctx.repo
        with repo.unit_of_work():
            badges: dict[str, bool] = {}
            for index, item in enumerate(items, start=1):
                if isinstance(item, E.SandboxError):
                    out.append(_failed(item))
                    continue
                badge_id = item.badge_meta_id
                if badge_id not in badges:
                    badges[badge_id] = repo.badges.exists(org_id, badge_id)
                if not badges[badge_id]:
                    out.append(_failed(E.ForeignBadge(reference="badgeMetaId")))
                    continue
                event = request_instant(item, "earn_event_date") or now
                expires = request_instant(item, "earn_expires_on")
                earned_id = object_id(now)
                request_id = f"{batch}_{index}"
                repo.earns.add(
                    NewEarn(
                        earned_id,
                        org_id,
                        badge_id,
                        item.customer_id,
                        epoch(now),
                        epoch(event),
                        epoch(expires),
                        None,
                        None,
                        "Historical_Import",
                        None,
                        request_id,
                        imported=1,
                    )
                )
                data: dict[str, Any] = {
                    "badgeMetaId": badge_id,
                    "customerId": item.customer_id,
                    "earnedBadgeId": earned_id,
                }
                with_iso(data, "expiresOn", epoch(expires))
                data.update({"requestId": request_id, "issuedId": None})
                out.append({"data": data, "errors": None, "warnings": None})
        return out


def _failed(error: E.SandboxError) -> dict[str, Any]:
    items = error.items() if isinstance(error, E.SandboxErrors) else [error.item()]
    return {"data": None, "errors": items, "warnings": None}
