"""Enrolment ("issue"): #9 issueBulk and #10 revokeIssue, each call one unit of work (a bulk call is
all-or-nothing; per-customer outcomes are items of its answer)."""

from __future__ import annotations

from typing import Any

from lib.api.models import IssueBulkRequest, RevokeIssueRequest
from lib.domain import BadgeStatus, EarnType
from lib.sandbox import errors as E
from lib.sandbox.awarding import check_request_id, echo, error_item, expiry, owner_of, record_request_id
from lib.sandbox.badge_rules import rules_of
from lib.sandbox.common import epoch, object_ids, request_instant, with_iso
from lib.sandbox.context import Context
from lib.sandbox.repository.records import NewIssue
from lib.sandbox.views import load_badge


class EnrolmentBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---- #9 issueBulk ------------------------------------------------------------------------
    def issue_bulk(self, org_id: int, request: IssueBulkRequest) -> dict[str, Any]:
        now = self.ctx.now()
        request_id = request.request_id
        customers = request.customers
        triggered_by = request.triggered_by
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, request.badge_meta_id)
            doc = view.doc
            if doc.get("earnType") != EarnType.ISSUE_EARN:
                raise E.NotEnrolType(reference="badgeMetaId")
            if not doc.get("active", True):
                raise E.BadgeInactive()
            if view.status(now) is BadgeStatus.UPCOMING:
                raise E.BadgeNotLive()
            event = request_instant(request, "issue_event_date") or now
            if not (view.start <= event <= view.end):
                raise E.EventDateOutsideBadge(reference="issueEventDate")
            check_request_id(repo, org_id, "issueBulk", request_id)
            rules = rules_of(doc, view.fixed_windows)
            expires = epoch(expiry(rules.issued_expiry, now, rules.end))
            existing = repo.issues.active_ids_by_customer(org_id, view.id, epoch(now), customers)
            new_ids = iter(object_ids(now, len(customers)))
            owner_type, owner_ref = owner_of(triggered_by)
            rows, items = [], []
            now_s, event_s = epoch(now), epoch(event)
            overlap = error_item(E.ActiveIssueExists())
            for customer_id in customers:
                found = existing.get(customer_id)
                if found is not None:
                    items.append(
                        {"customerId": customer_id, "issuedId": found, "status": "ACTIVE", "error": overlap}
                    )
                    continue
                issue_id = next(new_ids)
                existing[customer_id] = issue_id
                rows.append(
                    NewIssue(
                        issue_id,
                        org_id,
                        view.id,
                        customer_id,
                        now_s,
                        event_s,
                        expires,
                        None,
                        owner_type,
                        owner_ref,
                        request_id,
                    )
                )
                items.append(
                    {"customerId": customer_id, "issuedId": issue_id, "status": "ACTIVE", "error": None}
                )
            repo.issues.add_many(rows)
            record_request_id(repo, org_id, "issueBulk", request_id, now)
        data: dict[str, Any] = {"badgeMetaId": view.id, "triggeredBy": echo(triggered_by)}
        with_iso(data, "expiresOn", expires)
        data["issuedBadges"] = items
        data["requestId"] = request_id
        return data

    # ---- #10 revokeIssue ---------------------------------------------------------------------
    def revoke_issue(self, org_id: int, request: RevokeIssueRequest) -> dict[str, Any]:
        now = self.ctx.now()
        issuals = request.revoke_issuals
        customers = request.customers
        if not issuals and not customers:
            raise E.RevokeTargetMissing()
        items: list[dict[str, Any]] = []
        repo = self.ctx.repo
        with repo.unit_of_work():
            view = load_badge(repo, org_id, request.badge_meta_id)
            if issuals:  # wins over `customers` when both are sent
                for target in issuals:
                    customer_id, issue_id = target.customer_id, target.issue_id
                    owner = repo.issues.active_owner(org_id, view.id, epoch(now), issue_id)
                    error = None
                    if owner is None:
                        error = error_item(E.NoIssueInstance())
                    elif owner != customer_id:
                        error = error_item(E.IssueNotOwned())
                    else:
                        repo.issues.revoke(issue_id, epoch(now))
                    items.append({"customerId": customer_id, "issuedId": issue_id, "error": error})
            else:
                for customer_id in customers or []:
                    ids = repo.issues.active_ids_of(org_id, view.id, epoch(now), customer_id)
                    if not ids:
                        items.append(
                            {
                                "customerId": customer_id,
                                "issuedId": None,
                                "error": error_item(E.NoIssueInstance()),
                            }
                        )
                    for issue_id in ids:
                        repo.issues.revoke(issue_id, epoch(now))
                        items.append({"customerId": customer_id, "issuedId": issue_id, "error": None})
        return {"badgeMetaId": view.id, "revokedIssuedBadges": items, "requestId": None}
