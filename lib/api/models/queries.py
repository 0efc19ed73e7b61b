"""Query parameters of the read endpoints, typed; ``to_query()`` gives the strings to put in the URL.

Query strings arrive as text, so booleans are read as pydantic reads them (``true``/``false``,
``1``/``0``, ``yes``/``no``, ``on``/``off``, any case: the set Spring accepts) and list filters from
comma-separated values (``status=LIVE,UPCOMING``). These models are the one reading of every query
parameter: the client builds its URLs from them and the sandbox hands them, validated, to its backends.
Defaults that the server applies (``sortOn=ID``, ``order``...) stay ``None`` here, so the client only
sends what the caller chose.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer

from lib.api.models.enums import (
    BadgeViewType,
    FixedWindowScope,
    OwnerType,
    SortOrder,
    WireActivationAction,
    WireBadgeStatus,
    WireEarnType,
)
from lib.api.models.wire import (
    INT64_MAX,
    CustomerRef,
    Int64,
    IsoTimestamp,
    RequestModel,
    Timestamp,
    wire_name,
)


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


StatusList = Annotated[
    list[WireBadgeStatus],
    BeforeValidator(_comma_list),
    PlainSerializer(lambda v: ",".join(str(s) for s in v), return_type=str, when_used="json"),
]

PageNumber = Annotated[int, Field(ge=0, le=INT64_MAX)]
"""0-based ``page``."""
PageSize = Annotated[int, Field(ge=1, le=INT64_MAX)]
"""``size`` / ``limit``: items per page."""


class BadgeSort(StrEnum):
    """``sortOn`` of #3 list badges; ``ID`` (newest first) when not sent."""

    ID = "ID"
    NAME = "NAME"
    START_DATE = "START_DATE"


class CustomerBadgeSort(StrEnum):
    """``sortOn`` of #15 badges for a customer; ``RANK`` when not sent."""

    RANK = "RANK"
    LAST_EARNED_ON_DATE = "LAST_EARNED_ON_DATE"
    LAST_EARNED_EVENT_DATE = "LAST_EARNED_EVENT_DATE"


class CustomerBadgePageSort(StrEnum):
    """``sortOn`` of #16 all customer badges; ``EXPIRES_ON`` when not sent."""

    EXPIRES_ON = "EXPIRES_ON"
    LAST_MODIFIED_DATE = "LAST_MODIFIED_DATE"
    LAST_ISSUED_DATE = "LAST_ISSUED_DATE"
    LAST_EXPIRED_BADGE = "LAST_EXPIRED_BADGE"
    LAST_EARNED_EVENT_DATE = "LAST_EARNED_EVENT_DATE"
    LAST_EARNED_ON_DATE = "LAST_EARNED_ON_DATE"


class DateOperator(StrEnum):
    """How #16 compares a badge's date with ``startOn``/``expiresOn``."""

    LESS_THAN = "LESS_THAN"
    GREATER_THAN = "GREATER_THAN"


class QueryModel(RequestModel):
    """Base of the query models: ``to_query()`` is the URL-ready ``{name: text}`` mapping."""

    def to_query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in self.to_wire().items():
            if isinstance(value, bool):
                out[key] = "true" if value else "false"
            else:
                out[key] = str(value)
        return out


class BadgeListQuery(QueryModel):
    """#3 list badges."""

    status: StatusList | None = None
    earn_type: WireEarnType | None = None
    badge_type: WireEarnType | None = None
    action: WireActivationAction | None = None
    owner: OwnerType | None = None
    claimed_by: OwnerType | None = None
    unclaimed: bool | None = None
    name: str | None = None
    limit: PageSize | None = None
    page: PageNumber | None = None
    size: PageSize | None = None
    sort_on: BadgeSort | None = None
    order: SortOrder | None = None
    start_on: IsoTimestamp | None = None
    expires_on: IsoTimestamp | None = None


class GetBadgeQuery(QueryModel):
    """#4 get badge."""

    include_statistics: bool | None = None
    limit: Int64 | None = None
    order: SortOrder | None = None
    status: WireBadgeStatus | None = None


class FixedWindowQuery(QueryModel):
    """#8 getFixedWindowDetails; ``customerId`` is needed with CUSTOMER/ALL and ``includeEarnCount``."""

    badge_meta_id: str
    constraint_type: FixedWindowScope | None = None
    customer_id: CustomerRef | None = None
    fixed_window_cycle_reference_id: str | None = None
    include_earn_count: bool | None = None
    start_date: Timestamp | None = None
    end_date: Timestamp | None = None
    page: PageNumber | None = None
    size: PageSize | None = None


class CustomerBadgesQuery(QueryModel):
    """#15 badges for a customer."""

    badge_type: BadgeViewType | None = None
    include_expired: bool | None = None
    sort_on: CustomerBadgeSort | None = None
    group_id: str | None = None
    limit: PageSize | None = None
    page: PageNumber | None = None
    size: PageSize | None = None
    last_earned_on_date: Int64 | None = None
    last_earn_event_date: Int64 | None = None


class CustomerBadgePageQuery(QueryModel):
    """#16 all customer badges. ``badgeStatu`` (an OpenAPI typo) and ``endOnOperator`` (the OpenAPI's
    name) are read as ``badgeStatus`` and ``expiresOnOperator``."""

    page: PageNumber | None = None
    size: PageSize | None = None
    sort_on: CustomerBadgePageSort | None = None
    order: SortOrder | None = None
    name: str | None = None
    badge_type: BadgeViewType | None = None
    action: WireActivationAction | None = None
    badge_status: WireBadgeStatus | None = wire_name("badgeStatus", "badgeStatu")
    owner: OwnerType | None = None
    claimed_by: OwnerType | None = None
    start_on: IsoTimestamp | None = None
    expires_on: IsoTimestamp | None = None
    start_on_operator: DateOperator | None = None
    expires_on_operator: DateOperator | None = wire_name("expiresOnOperator", "endOnOperator")
    group_id: str | None = None
    last_earn_event_date: Int64 | None = None
    last_earned_on_date: Int64 | None = None


class CustomerBadgeDetailQuery(QueryModel):
    """#17 one badge for one customer."""

    include_statistics: bool | None = None


class PageQuery(QueryModel):
    """Groups (#20, #21) and custom fields (#24): 0-based ``page``, ``size``, ``order``."""

    page: PageNumber | None = None
    size: PageSize | None = None
    order: SortOrder | None = None
    sort_on: str | None = None
    status: bool | None = None
    is_active: bool | None = None
