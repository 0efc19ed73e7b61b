"""Enrolment ("issue") and award ("earn") calls: #9 to #14.

Bulk answers are HTTP 200 even when some customers failed: each item carries its own ``error``
(``issuedBadges[].error``, ``revokedIssuedBadges[].error``, ``failedEarnBadgeErrorList``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from lib.api.models.enums import OpenItemStatus, OwnerType
from lib.api.models.envelope import ApiErrorItem
from lib.api.models.wire import (
    CustomerId,
    CustomerRef,
    IsoTimestamp,
    RequestModel,
    TextId,
    Timestamp,
    WireModel,
    wire_name,
)

MAX_REVOKE_ITEMS = 20
"""revokeIssue takes at most 20 customers or issuals per call."""


class TriggeredBy(WireModel):
    """The claiming module on whose behalf the call is made; ``referenceId`` must match its claim."""

    owner_type: OwnerType
    reference_id: TextId


# ---- #9 issueBulk -------------------------------------------------------------------------------


class IssueBulkRequest(RequestModel):
    badge_meta_id: TextId
    customers: list[CustomerId]
    request_id: TextId | None = None
    issue_event_date: Timestamp | None = None
    issue_event_date_iso: IsoTimestamp | None = None
    triggered_by: TriggeredBy | None = None


class IssuedBadge(WireModel):
    """One customer's enrolment; with ``error`` 1040 the existing enrolment's id is echoed."""

    customer_id: CustomerId
    issued_id: TextId | None = None
    status: OpenItemStatus | None = None
    error: ApiErrorItem | None = None


class IssueBulkResult(WireModel):
    badge_meta_id: TextId | None = None
    triggered_by: TriggeredBy | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    issued_badges: list[IssuedBadge] = Field(default_factory=list)
    request_id: TextId | None = None


# ---- #10 revokeIssue ----------------------------------------------------------------------------


class RevokeIssual(WireModel):
    customer_id: CustomerId
    issue_id: TextId


class RevokeIssueRequest(RequestModel):
    """``revokeIssuals`` revokes exactly those enrolments and wins over ``customers`` (all of each
    customer's enrolments) when both are sent."""

    badge_meta_id: TextId
    customers: list[CustomerId] | None = Field(default=None, max_length=MAX_REVOKE_ITEMS)
    revoke_issuals: list[RevokeIssual] | None = Field(default=None, max_length=MAX_REVOKE_ITEMS)


class RevokedIssue(WireModel):
    customer_id: CustomerId | None = None
    issued_id: TextId | None = None
    error: ApiErrorItem | None = None


class RevokeIssueResult(WireModel):
    badge_meta_id: TextId | None = None
    revoked_issued_badges: list[RevokedIssue] = Field(default_factory=list)
    request_id: TextId | None = None


# ---- #11 earn -----------------------------------------------------------------------------------


class EarnRequest(RequestModel):
    badge_meta_id: TextId
    customer_id: CustomerId
    request_id: TextId
    triggered_by: TriggeredBy
    earn_event_date: Timestamp | None = None
    earn_event_date_iso: IsoTimestamp | None = None


class EarnResult(WireModel):
    """``issuedId`` is the enrolment the earn consumed (null for direct EARN badges)."""

    badge_meta_id: TextId | None = None
    customer_id: CustomerId | None = None
    earned_badge_id: TextId | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    request_id: TextId | None = None
    issued_id: TextId | None = None


# ---- #12 earnBulk -------------------------------------------------------------------------------


class EarnBulkRequest(RequestModel):
    """The page names the list ``customerIds``; the OpenAPI schema says ``customerId``."""

    badge_meta_id: TextId
    customer_ids: list[CustomerId] = wire_name("customerIds", "customerId", "customer_ids", default=...)
    request_id: TextId | None = None
    triggered_by: TriggeredBy | None = None
    earn_event_date: Timestamp | None = wire_name("earnEventDate", "earnEvenrDate", "earn_event_date")
    earn_event_date_iso: IsoTimestamp | None = None
    issue_event_date: Timestamp | None = None
    issue_event_date_iso: IsoTimestamp | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_customer(cls, value: Any) -> Any:
        # The OpenAPI types ``customerId`` as one number.
        if isinstance(value, dict) and "customerIds" not in value and "customer_ids" not in value:
            single = value.get("customerId")
            if single is not None and not isinstance(single, list):
                value = {**value, "customerId": [single]}
        return value


class EarnedBadgeRef(WireModel):
    customer_id: CustomerId
    earned_badge_id: TextId | None = None


class FailedEarn(WireModel):
    """An item of ``failedEarnBadgeErrorList`` (shape not shown in the docs; read leniently)."""

    customer_id: CustomerId | None = None
    code: int | None = None
    message: str | None = None
    reference: str | None = None
    error: ApiErrorItem | None = None


class EarnBulkResult(WireModel):
    """``data`` of earnBulk; the docs show three shapes, all readable here:

    - 2026: ``earnedBadgesList``, ``totalCount``, ``earnedCount``, ``failedCount``,
      ``failedEarnBadgeErrorList``;
    - older: the issueBulk shape (``issuedBadges[]`` with per-item ``error``);
    - older: a single earn's answer (``customerId``, ``earnedBadgeId``, ``issuedId``).
    """

    badge_meta_id: TextId | None = None
    expires_on: Timestamp | None = None
    expires_on_iso: IsoTimestamp | None = None
    triggered_by: TriggeredBy | None = None
    request_id: TextId | None = None
    earned_badges_list: list[EarnedBadgeRef] | None = None
    total_count: int | None = None
    earned_count: int | None = None
    failed_count: int | None = None
    failed_earn_badge_error_list: list[FailedEarn] | None = None
    issued_badges: list[IssuedBadge] | None = None
    customer_id: CustomerId | None = None
    earned_badge_id: TextId | None = None
    issued_id: TextId | None = None

    def earned(self) -> list[EarnedBadgeRef]:
        """The customers that got the badge, whatever the shape."""
        if self.earned_badges_list is not None:
            return list(self.earned_badges_list)
        if self.issued_badges is not None:
            return [
                EarnedBadgeRef(customer_id=item.customer_id, earned_badge_id=item.issued_id)
                for item in self.issued_badges
                if item.error is None
            ]
        if self.customer_id is not None:
            return [EarnedBadgeRef(customer_id=self.customer_id, earned_badge_id=self.earned_badge_id)]
        return []

    def failures(self) -> list[FailedEarn]:
        """The customers that did not get it, with the server's reason, whatever the shape."""
        if self.failed_earn_badge_error_list is not None:
            return list(self.failed_earn_badge_error_list)
        return [
            FailedEarn(customer_id=item.customer_id, error=item.error)
            for item in self.issued_badges or []
            if item.error is not None
        ]


# ---- #13 revokeEarn -----------------------------------------------------------------------------


class RevokeEarnRequest(RequestModel):
    """``customerId`` is a number, or an email/mobile/... when ``X-CAP-CUSTOMER-IDENTIFIER`` is sent."""

    badge_meta_id: TextId
    customer_id: CustomerRef
    earned_badge_id: TextId


class RevokeEarnResult(WireModel):
    badge_meta_id: TextId | None = None
    customer_id: CustomerRef | None = None
    earned_badge_id: TextId | None = None
    is_active: bool | None = wire_name("isActive", "active")


# ---- #14 import ---------------------------------------------------------------------------------


class ImportEarnedBadge(RequestModel):
    """One element of the import array. ``earnEventDate`` is "mandatory" per the table, yet a
    documented element without it succeeded, so it is optional here."""

    badge_meta_id: TextId
    customer_id: CustomerId
    earn_event_date: Timestamp | None = None
    earn_event_date_iso: IsoTimestamp | None = None
    earn_expires_on: Timestamp | None = None
    earn_expires_on_iso: IsoTimestamp | None = None

    @model_validator(mode="after")
    def _expiry_given(self) -> ImportEarnedBadge:
        if self.earn_expires_on is None and self.earn_expires_on_iso is None:
            raise ValueError("earnExpiresOn required (epoch seconds, or earnExpiresOnISO)")
        return self


class ImportResult(EarnResult):
    """``data`` of one element of the import answer; ``requestId`` is ``<uuid>_<1-based index>``."""
