"""The sandbox's error taxonomy and the ONE table that turns an error into the API's answer.

Backend code raises a typed error (`BadgeNotFound()`, `DuplicateRequestId()`); only `ERROR_TABLE`
knows the HTTP status, the Capillary error code and the documented message. Per-item errors inside
a 200 (1040 in issueBulk, 404 in revokeIssue, 1054 in import) go through the same table, so a code
never has two spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorSpec:
    status: int  # HTTP status when the error fails the whole request
    code: int  # `errors[].code` in the envelope
    message: str  # documented message; an error instance may carry a more specific one


class SandboxError(Exception):
    """Base of every error the sandbox answers with; `detail` overrides the table's message."""

    def __init__(self, detail: str | None = None, *, reference: str | None = None) -> None:
        super().__init__(detail or type(self).__name__)
        self.detail = detail
        self.reference = reference

    @property
    def spec(self) -> ErrorSpec:
        return ERROR_TABLE[type(self)]

    @property
    def status(self) -> int:
        return self.spec.status

    def item(self) -> dict[str, Any]:
        """The `{code, message, reference}` object of the envelope's `errors` list."""
        spec = self.spec
        return {"code": spec.code, "message": self.detail or spec.message, "reference": self.reference}


class SandboxErrors(SandboxError):
    """Several validation errors answered together (create returns 728 + 725 + 722 + 714 at once)."""

    def __init__(self, errors: list[SandboxError]) -> None:
        super().__init__(", ".join(type(e).__name__ for e in errors))
        self.errors = errors

    @property
    def status(self) -> int:
        return self.errors[0].status

    def items(self) -> list[dict[str, Any]]:
        return [e.item() for e in self.errors]


# --- request shape -------------------------------------------------------------------------------
class InvalidRequest(SandboxError):
    """Validation failure without a dedicated code: invalid enum, wrong type, missing field."""


class JsonParseError(SandboxError):
    pass


class PayloadTooLarge(SandboxError):
    pass


class Unauthorized(SandboxError):
    pass


class LoopbackOnly(SandboxError):
    pass


class ForeignRequest(SandboxError):
    """A control-plane request a web page could have sent (foreign Origin or Host, a form, no header)."""


class RouteNotFound(SandboxError):
    pass


class MethodNotAllowed(SandboxError):
    pass


class InternalError(SandboxError):
    pass


class RateLimited(SandboxError):
    """The org sent faster than the network profile's rate limit; `retry_after` is whole seconds."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InjectedFault(SandboxError):
    """A status answered by a fault rule (`PUT /_sandbox/faults`); status and code are the rule's."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Fault injected by the sandbox (HTTP {status})")
        self._status = status

    @property
    def status(self) -> int:
        return self._status

    def item(self) -> dict[str, Any]:
        return {"code": self._status, "message": self.detail, "reference": None}


# --- badge definitions ---------------------------------------------------------------------------
class BadgeNotFound(SandboxError):
    pass


class ForeignBadge(SandboxError):
    """Import of a badge id that is not the caller's org."""


class OwnerTypeNotAllowed(SandboxError):
    pass


class OwnerTypeMissing(SandboxError):
    pass


class OwnerIdMissing(SandboxError):
    pass


class StartAfterEnd(SandboxError):
    pass


class StartInPast(SandboxError):
    pass


class StartLockedWhenLive(SandboxError):
    pass


class ExpiryInPast(SandboxError):
    pass


class DuplicateBadgeName(SandboxError):
    pass


class OwnerRequired(SandboxError):
    pass


class WindowTypeChange(SandboxError):
    pass


class ClaimNotFound(SandboxError):
    pass


class DeactivateExpired(SandboxError):
    pass


class ValidatorException(SandboxError):
    pass


# --- enrolment and earning -----------------------------------------------------------------------
class EventDateInFuture(SandboxError):
    pass


class RequestIdMissing(SandboxError):
    pass


class DuplicateRequestId(SandboxError):
    pass


class ClaimRequired(SandboxError):
    pass


class IssueRequired(SandboxError):
    pass


class CustomerIdMissing(SandboxError):
    pass


class NoActiveEarn(SandboxError):
    pass


class BadgeNotLive(SandboxError):
    pass


class BadgeInactive(SandboxError):
    pass


class EventDateOutsideBadge(SandboxError):
    pass


class NotEnrolType(SandboxError):
    """issueBulk on an EARN (direct) badge: there is nothing to enrol into."""


class EarnLimitReached(SandboxError):
    pass


class ActiveIssueExists(SandboxError):
    pass


class RevokeTargetMissing(SandboxError):
    pass


class NoIssueInstance(SandboxError):
    pass


class IssueNotOwned(SandboxError):
    pass


# --- customers -----------------------------------------------------------------------------------
class CustomerNotFound(SandboxError):
    pass


class InvalidCustomerIdentifier(SandboxError):
    pass


# --- groups, custom fields, org meta -------------------------------------------------------------
class GroupNotFound(SandboxError):
    pass


class GroupRankMissing(SandboxError):
    pass


class GroupNameDuplicate(SandboxError):
    pass


class GroupNameMissing(SandboxError):
    pass


class CustomFieldNotFound(SandboxError):
    pass


class CustomFieldNameDuplicate(SandboxError):
    pass


class CustomFieldTypeMissing(SandboxError):
    pass


class MandatoryCustomFieldNeedsDefault(SandboxError):
    pass


class CustomFieldDefaultNotNumber(SandboxError):
    pass


class OrgMetaExists(SandboxError):
    pass


class OrgMetaNotFound(SandboxError):
    pass


# Status 200 marks errors that the API reports inside a 200 body (per item, or 1051's envelope).
ERROR_TABLE: dict[type[SandboxError], ErrorSpec] = {
    InvalidRequest: ErrorSpec(400, 400, "Invalid request"),
    JsonParseError: ErrorSpec(400, 400, "JSON parse error"),
    PayloadTooLarge: ErrorSpec(413, 413, "Request body too large"),
    Unauthorized: ErrorSpec(401, 401, "Invalid or missing credentials"),
    LoopbackOnly: ErrorSpec(403, 403, "Sandbox control endpoints answer loopback clients only"),
    ForeignRequest: ErrorSpec(403, 403, "Sandbox control endpoints refuse requests a web page could send"),
    RouteNotFound: ErrorSpec(404, 404, "No such endpoint"),
    MethodNotAllowed: ErrorSpec(405, 405, "Method not allowed"),
    RateLimited: ErrorSpec(429, 429, "Too many requests"),
    InternalError: ErrorSpec(500, 999999, "Internal server error"),
    BadgeNotFound: ErrorSpec(404, 404, "Passed badge is not found"),
    ForeignBadge: ErrorSpec(404, 1054, "GLOBAL.BADGE_NOT_FOUND"),
    OwnerTypeNotAllowed: ErrorSpec(400, 714, "Owner type is not allowed, Please check the configuration"),
    OwnerTypeMissing: ErrorSpec(400, 716, "Owner type information is missing"),
    OwnerIdMissing: ErrorSpec(400, 717, "OwnerId is mandatory"),
    StartAfterEnd: ErrorSpec(400, 720, "Start Date should be before End Date"),
    StartInPast: ErrorSpec(400, 722, "Start Date cannot be past date"),
    StartLockedWhenLive: ErrorSpec(400, 723, "Start Date cannot change once the badge is live"),
    ExpiryInPast: ErrorSpec(400, 724, "Expiry Date cannot be past date"),
    DuplicateBadgeName: ErrorSpec(400, 725, "Badge name cannot be duplicate"),
    OwnerRequired: ErrorSpec(400, 728, "Atleast one owner is required"),
    WindowTypeChange: ErrorSpec(
        400,
        826,
        "Change from rolling window or fixed constraint to fixed window or vice versa is not allowed.",
    ),
    ClaimNotFound: ErrorSpec(404, 737, "Claim not found in existing claims"),
    DeactivateExpired: ErrorSpec(400, 400, "Only LIVE or UPCOMING badges can be deactivated"),
    ValidatorException: ErrorSpec(500, 999999, "HV000028: Unexpected exception during isValid call."),
    EventDateInFuture: ErrorSpec(400, 750, "Earn event date should not be in future"),
    RequestIdMissing: ErrorSpec(400, 804, "RequestId information is missing"),
    DuplicateRequestId: ErrorSpec(400, 809, "Request with same requestId is not allowed"),
    ClaimRequired: ErrorSpec(409, 810, "Badge needs to be claimed first"),
    IssueRequired: ErrorSpec(409, 811, "Badge issue is mandatory before earn"),
    CustomerIdMissing: ErrorSpec(400, 812, "CustomerId information is missing"),
    NoActiveEarn: ErrorSpec(409, 814, "Active earn instance is not present."),
    BadgeNotLive: ErrorSpec(409, 815, "Badge is not live"),
    BadgeInactive: ErrorSpec(409, 815, "Badge is deactivated"),
    EventDateOutsideBadge: ErrorSpec(
        400, 816, "Event date is not in duration of badge meta. Pass the issue event date."
    ),
    NotEnrolType: ErrorSpec(400, 400, "Customers can be enrolled only into ISSUE_EARN badges"),
    EarnLimitReached: ErrorSpec(409, 1042, "Earn limit reached for the badge"),
    ActiveIssueExists: ErrorSpec(200, 1040, "An active issue for the badge already exists."),
    RevokeTargetMissing: ErrorSpec(200, 1051, "RevokeIssuals or CustomerId is mandatory"),
    NoIssueInstance: ErrorSpec(200, 404, "Customer doesn't have issue instance"),
    IssueNotOwned: ErrorSpec(200, 400, "issue doesn't belong to customer"),
    CustomerNotFound: ErrorSpec(404, 1026, "Customer with the specified ID is not found."),
    InvalidCustomerIdentifier: ErrorSpec(400, 1028, "Invalid Customer Identifier type"),
    GroupNotFound: ErrorSpec(404, 404, "Passed badge group is not found"),
    GroupRankMissing: ErrorSpec(400, 732, "Group Rank is Mandatory."),
    GroupNameDuplicate: ErrorSpec(400, 733, "Group Name should be Unique."),
    GroupNameMissing: ErrorSpec(400, 735, "Group name is mandatory."),
    CustomFieldNotFound: ErrorSpec(404, 404, "Passed custom field is not found"),
    CustomFieldNameDuplicate: ErrorSpec(400, 740, "Custom field name cannot be duplicate"),
    CustomFieldTypeMissing: ErrorSpec(400, 741, "Custom field Data Type is mandatory"),
    MandatoryCustomFieldNeedsDefault: ErrorSpec(400, 742, "Mandatory custom field should have default Value"),
    CustomFieldDefaultNotNumber: ErrorSpec(400, 744, "Custom field default value should be a number"),
    OrgMetaExists: ErrorSpec(409, 999999, "ORG_CONFIG_ALREADY_EXIST_PLEASE_USE_UPDATE_ORG_CONFIG_API"),
    OrgMetaNotFound: ErrorSpec(404, 404, "Org configuration is not found"),
}


def envelope(data: Any = None, *, errors: list[dict[str, Any]] | None = None, warnings: Any = None) -> dict:
    """The `{data, errors, warnings}` body every badge endpoint answers with."""
    return {"data": data, "errors": errors, "warnings": warnings}


def error_envelope(error: SandboxError) -> dict[str, Any]:
    items = error.items() if isinstance(error, SandboxErrors) else [error.item()]
    return envelope(None, errors=items)
