"""One keyword-only method per Badges endpoint (#1-#28), on top of ``BadgesClient.send``.

Each method builds the endpoint's request/query model from its arguments, so wrong input is refused
with ``RequestValidationError`` before anything is sent (ids must be 24-hex ObjectIds, customers
numbers unless an identifier type says otherwise), and returns the envelope's ``data`` as the
endpoint's response model. List endpoints come in two forms: ``list_*``/``get_*`` for one page and
``iter_*`` for every item of every page.

Per-customer failures inside a 200 (1040 in ``issuedBadges[].error``, ``failedEarnBadgeErrorList``)
are not exceptions: they stay on the result items, and ``failed_items(result)`` lists them in one shape.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from lib.api import _constants as defaults
from lib.api.endpoints import ENDPOINTS_BY_NAME, field_problems
from lib.api.errors import FieldProblem, RequestValidationError, ResponseValidationError
from lib.api.models import (
    ActivationResult,
    Badge,
    BadgeCreate,
    BadgeGroup,
    BadgeGroupList,
    BadgeGroupRequest,
    BadgeList,
    BadgeSummary,
    BadgeUpdate,
    Claim,
    ClaimRequest,
    CustomerBadge,
    CustomerBadgeDetail,
    CustomerBadgeDetailQuery,
    CustomerBadgePage,
    CustomerBadges,
    CustomerBadgeSummary,
    CustomField,
    CustomFieldList,
    CustomFieldRequest,
    EarnBulkRequest,
    EarnBulkResult,
    EarnRequest,
    EarnResult,
    Envelope,
    FixedWindowCycle,
    FixedWindowDetails,
    FixedWindowQuery,
    GetBadgeQuery,
    ImportEarnedBadge,
    ImportResult,
    IssueBulkRequest,
    IssueBulkResult,
    OrgMeta,
    OrgMetaRequest,
    RevokeEarnRequest,
    RevokeEarnResult,
    RevokeIssual,
    RevokeIssueRequest,
    RevokeIssueResult,
    TriggeredBy,
)
from lib.api.models.enums import CustomFieldDataType, OwnerType
from lib.api.models.org import OrgMetaTag
from lib.api.models.wire import parse_customer_id
from lib.api.pagination import DEFAULT_PAGE_SIZE, Paginator


@dataclass(frozen=True, slots=True)
class Paged:
    """How a list endpoint pages: the answer's item list and the name of its page-size parameter."""

    items: str
    size_param: str = "size"


PAGED: Mapping[str, Paged] = {
    "list_badges": Paged("meta_basic_details", size_param="limit"),
    "get_fixed_window_details": Paged("fixed_window_cycles"),
    "get_customer_badges": Paged("badges", size_param="limit"),
    "list_customer_badges": Paged("customer_badges"),
    "list_groups": Paged("badge_groups"),
    "list_custom_fields": Paged("custom_field_ro_list"),
}


class BadgeEndpoints:
    """The typed calls, mixed into ``BadgesClient`` (which supplies ``send``)."""

    send: Callable[..., Any]

    def _call_endpoint(
        self,
        name: str,
        *,
        path_params: Mapping[str, Any] | None = None,
        body: Any = None,
        query: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Call one row of ``ENDPOINTS`` and return the envelope's ``data``."""
        endpoint = ENDPOINTS_BY_NAME[name]
        path = endpoint.path(**(path_params or {}))
        params = query.to_query() if query is not None else None
        parsed = self.send(endpoint.method, path, json=body, params=params, headers=headers)
        if isinstance(parsed, list):
            return parsed
        if parsed.data is None:
            raise ResponseValidationError(
                f"{name}: the answer has no data", body=None, method=endpoint.method, path=path
            )
        return parsed.data

    def _page(self, name: str, filters: Mapping[str, Any], *, page: int, size: int, **call: Any) -> Any:
        """One page of a list endpoint; ``size`` goes in the endpoint's own page-size parameter."""
        query = build_query(
            ENDPOINTS_BY_NAME[name].query_model, filters, page=page, **{PAGED[name].size_param: size}
        )
        return self._call_endpoint(name, query=query, **call)

    def _paginate(
        self,
        name: str,
        filters: Mapping[str, Any],
        *,
        page_size: int,
        max_items: int | None,
        path_params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Paginator[Any]:
        """Every item of every page of a list endpoint, fetched as the caller iterates."""
        if page_size < 1:
            raise RequestValidationError("page_size must be at least 1")
        paged = PAGED[name]
        # Built once now, so bad filters fail at the call and not at the first iteration.
        first = build_query(
            ENDPOINTS_BY_NAME[name].query_model, filters, page=0, **{paged.size_param: page_size}
        )

        def fetch(page: int) -> tuple[Sequence[Any], Any]:
            query = first if page == 0 else first.model_copy(update={"page": page})
            data = self._call_endpoint(name, path_params=path_params, query=query, headers=headers)
            return getattr(data, paged.items), data.pagination

        return Paginator(fetch, max_items=max_items)

    # Badge definitions (#1-#8)

    def create_badge(self, *, badge: BadgeCreate | Mapping[str, Any], migration: bool = False) -> Badge:
        """#1. ``migration=True`` sends ``X-CAP-BADGES-MIGRATION: migration`` (historical badge:
        a start date in the past is allowed)."""
        headers = {defaults.MIGRATION_HEADER: defaults.MIGRATION_HEADER_VALUE} if migration else None
        return self._call_endpoint("create_badge", body=build_model(BadgeCreate, badge), headers=headers)

    def update_badge(self, *, badge: BadgeUpdate | Mapping[str, Any]) -> Badge:
        """#2. The badge ``id`` travels in the body."""
        model = build_model(BadgeUpdate, badge)
        check_object_id(model.id, "id")
        return self._call_endpoint("update_badge", body=model)

    def list_badges(self, *, page: int = 0, limit: int = DEFAULT_PAGE_SIZE, **filters: Any) -> BadgeList:
        """#3, one page. Filters: status (list), earn_type, badge_type, action, owner, claimed_by,
        unclaimed, name, sort_on, start_on, expires_on."""
        return self._page("list_badges", filters, page=page, size=limit)

    def iter_badges(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, **filters: Any
    ) -> Paginator[BadgeSummary]:
        """#3, every page (``limit`` + ``page``). Same filters as ``list_badges``."""
        return self._paginate("list_badges", filters, page_size=page_size, max_items=max_items)

    def get_badge(self, *, badge_id: str, include_statistics: bool = False) -> Badge:
        """#4. With statistics: issued/earned counts and the current fixed-window cycle."""
        query = build_model(GetBadgeQuery, include_statistics=include_statistics or None)
        return self._call_endpoint(
            "get_badge", path_params={"badgeId": check_object_id(badge_id)}, query=query
        )

    def activate_badge(self, *, badge_id: str) -> ActivationResult:
        """#5 (activate)."""
        return self._call_endpoint("activate_badge", path_params={"badgeId": check_object_id(badge_id)})

    def deactivate_badge(self, *, badge_id: str) -> ActivationResult:
        """#5 (deactivate): no new enrolments, earns or claims until reactivated."""
        return self._call_endpoint("deactivate_badge", path_params={"badgeId": check_object_id(badge_id)})

    def claim_badge(self, *, badge_id: str, owner_type: OwnerType | str, reference_id: str) -> Claim:
        """#6. ``owner_type`` must be one of the badge's ``restrictedToOwners``."""
        body = build_model(ClaimRequest, owner_type=owner_type, reference_id=reference_id)
        return self._call_endpoint(
            "claim_badge", path_params={"badgeId": check_object_id(badge_id)}, body=body
        )

    def unclaim_badge(self, *, badge_id: str, owner_type: OwnerType | str, reference_id: str) -> Claim:
        """#7. Soft-deletes the matching active claim."""
        body = build_model(ClaimRequest, owner_type=owner_type, reference_id=reference_id)
        return self._call_endpoint(
            "unclaim_badge", path_params={"badgeId": check_object_id(badge_id)}, body=body
        )

    def get_fixed_window_details(
        self, *, badge_id: str, page: int = 0, size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> FixedWindowDetails:
        """#8, one page. Filters: constraint_type (BADGE/CUSTOMER/ALL), customer_id,
        fixed_window_cycle_reference_id, include_earn_count, start_date, end_date."""
        query = build_query(
            FixedWindowQuery, filters, badge_meta_id=check_object_id(badge_id), page=page, size=size
        )
        return self._call_endpoint("get_fixed_window_details", query=query)

    def find_customer_id(self, *, value: str, identifier: CustomerIdentifier | str, badge_id: str) -> int:
        """The Capillary customer id of the customer an email, mobile, external id or card number names.

        Issuing and importing take numeric ids only. #8 is the one Badges read whose answer names the
        customer it was asked about (``customerId``), and it is addressed with the identifier header like
        the customer views; one page of one cycle keeps it cheap. 1026 when nobody has that identifier.
        A cluster that echoed the identifier instead of the id would give back the value itself: that is
        refused rather than taken for an id (a mobile number is digits too).
        """
        headers, customer = customer_ref(value, identifier)
        query = build_query(
            FixedWindowQuery,
            {"customer_id": customer, "constraint_type": "CUSTOMER"},
            badge_meta_id=check_object_id(badge_id),
            page=0,
            size=1,
        )
        data = self._call_endpoint("get_fixed_window_details", query=query, headers=headers)
        found = data.customer_id
        if found is None or str(found) == str(customer).lstrip("+"):
            raise ResponseValidationError(
                f"the answer for {identifier} '{customer}' does not name a customer id",
                method="GET",
                path=ENDPOINTS_BY_NAME["get_fixed_window_details"].path(),
            )
        return found

    def iter_fixed_window_cycles(
        self,
        *,
        badge_id: str,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **filters: Any,
    ) -> Paginator[FixedWindowCycle]:
        """#8, every cycle of every fixed-window configuration, in time order."""
        filters = {"badge_meta_id": check_object_id(badge_id), **filters}
        return self._paginate("get_fixed_window_details", filters, page_size=page_size, max_items=max_items)

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

    # Groups (#18-#21)

    def create_group(self, *, name: str, rank: int) -> BadgeGroup:
        """#18. Names are unique per org (733)."""
        return self._call_endpoint("create_group", body=build_model(BadgeGroupRequest, name=name, rank=rank))

    def update_group(self, *, group_id: str, name: str, rank: int) -> BadgeGroup:
        """#19 (PUT .../group/{groupId}, the working form among the documented variants)."""
        return self._call_endpoint(
            "update_group",
            path_params={"groupId": check_object_id(group_id, "groupId")},
            body=build_model(BadgeGroupRequest, name=name, rank=rank),
        )

    def list_groups(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, order: str | None = None
    ) -> BadgeGroupList:
        """#20, one page."""
        return self._page("list_groups", {"order": order}, page=page, size=size)

    def iter_groups(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, order: str | None = None
    ) -> Paginator[BadgeGroup]:
        """#20, every page."""
        return self._paginate("list_groups", {"order": order}, page_size=page_size, max_items=max_items)

    def get_group(self, *, group_id: str) -> BadgeGroup:
        """#21."""
        return self._call_endpoint("get_group", path_params={"groupId": check_object_id(group_id, "groupId")})

    # Custom fields (#22-#25)

    def create_custom_field(
        self,
        *,
        name: str,
        data_type: CustomFieldDataType | str,
        is_mandatory: bool | None = None,
        default_value: str | int | bool | None = None,
    ) -> CustomField:
        """#22. A mandatory field needs a default value (742)."""
        body = build_model(
            CustomFieldRequest,
            name=name,
            data_type=data_type,
            is_mandatory=is_mandatory,
            default_value=default_value,
        )
        return self._call_endpoint("create_custom_field", body=body)

    def update_custom_field(
        self,
        *,
        custom_field_id: str,
        name: str,
        data_type: CustomFieldDataType | str,
        is_mandatory: bool | None = None,
        default_value: str | int | bool | None = None,
        is_active: bool | None = None,
    ) -> CustomField:
        """#23."""
        body = build_model(
            CustomFieldRequest,
            name=name,
            data_type=data_type,
            is_mandatory=is_mandatory,
            default_value=default_value,
            is_active=is_active,
        )
        return self._call_endpoint(
            "update_custom_field",
            path_params={"customFieldId": check_object_id(custom_field_id, "customFieldId")},
            body=body,
        )

    def list_custom_fields(
        self, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> CustomFieldList:
        """#24, one page. Filters: order, sort_on, is_active."""
        return self._page("list_custom_fields", filters, page=page, size=size)

    def iter_custom_fields(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None, **filters: Any
    ) -> Paginator[CustomField]:
        """#24, every page."""
        return self._paginate("list_custom_fields", filters, page_size=page_size, max_items=max_items)

    def get_custom_field(self, *, custom_field_id: str) -> CustomField:
        """#25."""
        return self._call_endpoint(
            "get_custom_field",
            path_params={"customFieldId": check_object_id(custom_field_id, "customFieldId")},
        )

    # Org meta (#26-#28)

    def create_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#26. A second create is a 409; use ``update_org_meta``."""
        return self._call_endpoint("create_org_meta", body=build_model(OrgMetaRequest, tags=list(tags)))

    def update_org_meta(self, *, tags: Sequence[OrgMetaTag | Mapping[str, Any]]) -> OrgMeta:
        """#27, replaces the tag list."""
        return self._call_endpoint("update_org_meta", body=build_model(OrgMetaRequest, tags=list(tags)))

    def get_org_meta(self) -> OrgMeta:
        """#28."""
        return self._call_endpoint("get_org_meta")


@dataclass(frozen=True, slots=True)
class FailedItem:
    """One customer a bulk call refused inside an otherwise successful (200) answer.

    ``index`` is the position in the answer's list (for the import: the position of the input item,
    since a failed import element does not echo its customer).
    """

    index: int
    customer_id: int | str | None
    code: int | None
    message: str
    reference: str | None = None


def failed_items(
    result: IssueBulkResult | RevokeIssueResult | EarnBulkResult | Sequence[Envelope[ImportResult]],
) -> list[FailedItem]:
    """The per-customer failures of a bulk answer (1040 already enrolled, 404 no issue instance, ...),
    whatever shape it came in; an empty list when every customer succeeded."""
    if isinstance(result, IssueBulkResult | RevokeIssueResult):
        items = result.issued_badges if isinstance(result, IssueBulkResult) else result.revoked_issued_badges
        return [_failed(i, item.customer_id, item.error) for i, item in enumerate(items) if item.error]
    if isinstance(result, EarnBulkResult):
        failures = []
        for i, item in enumerate(result.failures()):
            detail = item.error
            code = item.code if item.code is not None else (detail.code if detail else None)
            message = item.message or (detail.message if detail else None) or ""
            reference = item.reference or (detail.reference if detail else None)
            failures.append(FailedItem(i, item.customer_id, code, message, reference))
        return failures
    failures = []
    for i, envelope in enumerate(result):
        if envelope.errors:
            first = envelope.errors[0]
            customer = envelope.data.customer_id if envelope.data is not None else None
            failures.append(FailedItem(i, customer, first.code, first.message or "", first.reference))
    return failures


def _failed(index: int, customer_id: Any, error: Any) -> FailedItem:
    return FailedItem(index, customer_id, error.code, error.message or "", error.reference)


class CustomerIdentifier(StrEnum):
    """Values of ``X-CAP-CUSTOMER-IDENTIFIER``: how to read a customer given as text."""

    EMAIL = "email"
    MOBILE = "mobile"
    EXTERNAL_ID = "externalId"
    CARD_NUMBER = "cardNumber"


_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def check_object_id(value: Any, field: str = "badgeId") -> str:
    """Badge, group, custom-field, issue and earned-badge ids are 24-hex ObjectIds."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _OBJECT_ID.match(text):
        raise RequestValidationError(
            f"{field} must be 24 hexadecimal characters, got {value!r}",
            problems=[FieldProblem(field, "must be 24 hexadecimal characters")],
        )
    return text


def customer_ref(customer_id: Any, identifier: Any) -> tuple[dict[str, str] | None, int | str]:
    """The customer reference and the identifier header that says how to read it."""
    if identifier is None:
        try:
            return None, parse_customer_id(customer_id)
        except ValueError as exc:
            raise RequestValidationError(
                f"{exc} (pass identifier= for an email, mobile, external id or card number)",
                problems=[FieldProblem("customerId", "must be a positive number")],
            ) from None
    try:
        kind = CustomerIdentifier(identifier)
    except ValueError:
        allowed = ", ".join(member.value for member in CustomerIdentifier)
        raise RequestValidationError(
            f"identifier must be one of {allowed}, got {identifier!r}",
            problems=[FieldProblem("identifier", f"one of {allowed}")],
        ) from None
    text = str(customer_id).strip() if customer_id is not None else ""
    if not text or any(ord(ch) < 32 for ch in text):
        raise RequestValidationError(
            f"customer {kind.value} is empty or contains control characters",
            problems=[FieldProblem("customerId", "required")],
        )
    return {defaults.CUSTOMER_IDENTIFIER_HEADER: kind.value}, text


def customer_scope(customer_id: Any, identifier: Any) -> dict[str, Any]:
    """The path parameter and header of a per-customer read (#15, #16)."""
    headers, customer = customer_ref(customer_id, identifier)
    return {"path_params": {"customerId": customer}, "headers": headers}


def build_model(model: type[Any], value: Any = None, /, **fields: Any) -> Any:
    """A request/query model from a model, a mapping or keyword fields; bad input is refused here."""
    if isinstance(value, model):
        return value
    data = dict(value) if isinstance(value, Mapping) else {}
    if value is not None and not isinstance(value, Mapping):
        raise RequestValidationError(f"expected {model.__name__} or a mapping, got {type(value).__name__}")
    data.update({k: v for k, v in fields.items() if v is not None})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = field_problems(exc)
        shown = "; ".join(str(p) for p in problems[:3])
        raise RequestValidationError(f"invalid {model.__name__}: {shown}", problems=problems) from None


def build_query(model: type[Any], filters: Mapping[str, Any], /, **fixed: Any) -> Any:
    """A query model from user filters plus the fields the method sets itself (page, size...).

    Unknown filter names are refused: the wire form drops unknown fields, so a misspelt filter would
    otherwise be silently ignored and the list would look unfiltered.
    """
    known = set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}
    unknown = sorted(set(filters) - known)
    clashing = sorted(set(filters) & set(fixed))
    if unknown or clashing:
        names = ", ".join(unknown + clashing)
        raise RequestValidationError(
            f"{model.__name__}: unknown or reserved filter {names}",
            problems=[FieldProblem(name, "unknown or set by the method") for name in unknown + clashing],
        )
    return build_model(model, **filters, **fixed)


def non_empty(values: Any, field: str) -> list[Any]:
    items = list(values or [])
    if not items:
        raise RequestValidationError(f"{field} must not be empty", problems=[FieldProblem(field, "required")])
    return items


def new_request_id() -> str:
    """A fresh idempotency key, fixed before the first attempt and reused by every retry."""
    return uuid.uuid4().hex
