"""Enrolment and earning (#9-#14) and the customer views (#15-#17), mixed into ``BadgesClient``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lib.api.endpoint_calls import EndpointCalls
from lib.api.errors import FieldProblem, RequestValidationError
from lib.api.models import (
    CustomerBadge,
    CustomerBadgeDetail,
    CustomerBadgeDetailQuery,
    CustomerBadgePage,
    CustomerBadges,
    CustomerBadgeSummary,
    EarnBulkRequest,
    EarnBulkResult,
    EarnRequest,
    EarnResult,
    Envelope,
    ImportEarnedBadge,
    ImportResult,
    IssueBulkRequest,
    IssueBulkResult,
    RevokeEarnRequest,
    RevokeEarnResult,
    RevokeIssual,
    RevokeIssueRequest,
    RevokeIssueResult,
    TriggeredBy,
)
from lib.api.pagination import DEFAULT_PAGE_SIZE, Paginator
from lib.api.request_parts import (
    CustomerIdentifier,
    build_model,
    check_object_id,
    customer_ref,
    customer_scope,
    new_request_id,
    non_empty,
)


class AwardEndpoints(EndpointCalls):
    """Issue, earn, revoke and import; what one customer holds."""

    # Enrolment and earning (#9-#14)

    def issue_bulk(
        self,
        *,
        badge_id: str,
        customers: Sequence[int | str],
        request_id: str | None = None,
        issue_event_date: datetime | None = None,
        triggered_by: TriggeredBy | Mapping[str, Any] | None = None,
    ) -> IssueBulkResult:
        """#9, enrol customers into an ISSUE_EARN badge.

        Without ``request_id`` one is generated, so retries of this call reuse it; bulk jobs pass their
        own, planned before the first attempt. Customers refused individually (1040: already enrolled)
        are items with ``error`` in the result, not an exception.
        """
        body = build_model(
            IssueBulkRequest,
            badge_meta_id=check_object_id(badge_id, "badgeMetaId"),
            customers=non_empty(customers, "customers"),
            request_id=request_id or new_request_id(),
            issue_event_date=issue_event_date,
            triggered_by=triggered_by,
        )
        return self._call_endpoint("issue_bulk", body=body)

    def revoke_issue(
        self,
        *,
        badge_id: str,
        customers: Sequence[int | str] | None = None,
        revoke_issuals: Sequence[RevokeIssual | Mapping[str, Any]] | None = None,
    ) -> RevokeIssueResult:
        """#10. ``customers`` revokes all their enrolments; ``revoke_issuals`` only those (customerId,
        issueId) pairs. At most 20 entries. Not retried after it may have been sent (no requestId)."""
        if not customers and not revoke_issuals:
            raise RequestValidationError(
                "revoke_issue needs customers or revoke_issuals",
                problems=[FieldProblem("customers", "customers or revokeIssuals required")],
            )
        body = build_model(
            RevokeIssueRequest,
            badge_meta_id=check_object_id(badge_id, "badgeMetaId"),
            customers=list(customers) if customers else None,
            revoke_issuals=list(revoke_issuals) if revoke_issuals else None,
        )
        for item in body.revoke_issuals or []:
            check_object_id(item.issue_id, "issueId")
        return self._call_endpoint("revoke_issue", body=body)

    def earn(
        self,
        *,
        badge_id: str,
        customer_id: int | str,
        triggered_by: TriggeredBy | Mapping[str, Any],
        request_id: str | None = None,
        earn_event_date: datetime | None = None,
    ) -> EarnResult:
        """#11, award the badge to one customer (``request_id`` generated when not given)."""
        body = build_model(
            EarnRequest,
            badge_meta_id=check_object_id(badge_id, "badgeMetaId"),
            customer_id=customer_id,
            request_id=request_id or new_request_id(),
            triggered_by=triggered_by,
            earn_event_date=earn_event_date,
        )
        return self._call_endpoint("earn", body=body)

    def earn_bulk(
        self,
        *,
        badge_id: str,
        customer_ids: Sequence[int | str],
        triggered_by: TriggeredBy | Mapping[str, Any] | None = None,
        request_id: str | None = None,
        earn_event_date: datetime | None = None,
    ) -> EarnBulkResult:
        """#12, award the badge to many customers; ``result.failures()`` lists the refused ones."""
        body = build_model(
            EarnBulkRequest,
            badge_meta_id=check_object_id(badge_id, "badgeMetaId"),
            customer_ids=non_empty(customer_ids, "customerIds"),
            request_id=request_id or new_request_id(),
            triggered_by=triggered_by,
            earn_event_date=earn_event_date,
        )
        return self._call_endpoint("earn_bulk", body=body)

    def revoke_earn(
        self,
        *,
        badge_id: str,
        customer_id: int | str,
        earned_badge_id: str,
        identifier: CustomerIdentifier | str | None = None,
    ) -> RevokeEarnResult:
        """#13, revoke one earned badge. With ``identifier`` the customer is an email, mobile, external
        id or card number instead of the Capillary id."""
        headers, customer = customer_ref(customer_id, identifier)
        body = build_model(
            RevokeEarnRequest,
            badge_meta_id=check_object_id(badge_id, "badgeMetaId"),
            customer_id=customer,
            earned_badge_id=check_object_id(earned_badge_id, "earnedBadgeId"),
        )
        return self._call_endpoint("revoke_earn", body=body, headers=headers)

    def import_customer_badges(
        self, *, items: Sequence[ImportEarnedBadge | Mapping[str, Any]]
    ) -> list[Envelope[ImportResult]]:
        """#14 (PUT), import historical earned badges: one envelope per item, same order, each with
        its ``data`` or its own ``errors``.

        The import takes no requestId, so once it may have reached Capillary it is never sent again
        automatically: after an ambiguous failure, check the customers' badges and import only what is
        missing.
        """
        models = [build_model(ImportEarnedBadge, item) for item in non_empty(items, "items")]
        for index, model in enumerate(models):
            check_object_id(model.badge_meta_id, f"[{index}].badgeMetaId")
        return self._call_endpoint("import_customer_badges", body=models)

    # Customer views (#15-#17)

    def get_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
        **filters: Any,
    ) -> CustomerBadges:
        """#15, one page. Filters: badge_type (AVAILABLE/EARNED), include_expired, sort_on, group_id,
        last_earned_on_date, last_earn_event_date."""
        scope = customer_scope(customer_id, identifier)
        return self._page("get_customer_badges", filters, page=page, size=limit, **scope)

    def iter_badges_for_customer(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[CustomerBadge]:
        """#15, every page (``limit`` + ``page``)."""
        scope = customer_scope(customer_id, identifier)
        return self._paginate(
            "get_customer_badges", filters, page_size=page_size, max_items=max_items, **scope
        )

    def list_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page: int = 0,
        size: int = DEFAULT_PAGE_SIZE,
        **filters: Any,
    ) -> CustomerBadgePage:
        """#16, one page. Filters: badge_type (AVAILABLE_TO_ISSUE/AVAILABLE/EARNED/EXPIRED), sort_on,
        order, name, action, badge_status, owner, claimed_by, start_on, expires_on (+ operators),
        group_id, last_earn_event_date, last_earned_on_date."""
        scope = customer_scope(customer_id, identifier)
        return self._page("list_customer_badges", filters, page=page, size=size, **scope)

    def iter_customer_badges(
        self,
        *,
        customer_id: int | str,
        identifier: CustomerIdentifier | str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[CustomerBadgeSummary]:
        """#16, every page (``page`` + ``size``). Same filters as ``list_customer_badges``."""
        scope = customer_scope(customer_id, identifier)
        return self._paginate(
            "list_customer_badges", filters, page_size=page_size, max_items=max_items, **scope
        )

    def get_customer_badge(
        self,
        *,
        customer_id: int | str,
        badge_id: str,
        identifier: CustomerIdentifier | str | None = None,
        include_statistics: bool = False,
    ) -> CustomerBadgeDetail:
        """#17: one badge for one customer, with enrolment/earn history (and limit usage with
        statistics)."""
        headers, customer = customer_ref(customer_id, identifier)
        query = build_model(CustomerBadgeDetailQuery, include_statistics=include_statistics or None)
        return self._call_endpoint(
            "get_customer_badge",
            path_params={"customerId": customer, "badgeId": check_object_id(badge_id)},
            query=query,
            headers=headers,
        )
