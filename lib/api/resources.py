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

from collections.abc import Mapping
from typing import Any

from lib.api import _constants as defaults
from lib.api.endpoint_calls import PAGED
from lib.api.endpoints import ENDPOINTS_BY_NAME
from lib.api.errors import ResponseValidationError
from lib.api.models import (
    ActivationResult,
    Badge,
    BadgeCreate,
    BadgeList,
    BadgeSummary,
    BadgeUpdate,
    Claim,
    ClaimRequest,
    FixedWindowCycle,
    FixedWindowDetails,
    FixedWindowQuery,
    GetBadgeQuery,
)
from lib.api.models.enums import OwnerType
from lib.api.pagination import DEFAULT_PAGE_SIZE, Paginator
from lib.api.request_parts import (
    CustomerIdentifier,
    FailedItem,
    build_model,
    build_query,
    check_object_id,
    customer_ref,
    failed_items,
)
from lib.api.resources_awards import AwardEndpoints
from lib.api.resources_org import OrgEndpoints

__all__ = ["PAGED", "BadgeEndpoints", "CustomerIdentifier", "FailedItem", "build_model", "failed_items"]


class BadgeEndpoints(AwardEndpoints, OrgEndpoints):
    """The typed calls, mixed into ``BadgesClient`` (which supplies ``send``): badge definitions here,
    awards and customer views in `resources_awards`, org definitions in `resources_org`."""

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
