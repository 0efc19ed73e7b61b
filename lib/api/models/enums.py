"""Enumerations as the API reads them: the domain's enums, plus the older spellings the docs show.

Each ``Wire*`` type accepts every spelling seen in the docs (``DAILY`` for ``DAYS``, ``"ISSUE EARN"``,
weekday numbers, ``ENDED``...) and holds the canonical member, so writing it back always uses the
spelling of the working examples. Enums that only the API knows (owner type, cycle status, list
filters) are defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from lib.domain import (
    AbsoluteExpiryKind,
    BadgeStatus,
    ConstraintLevel,
    ConstraintType,
    DurationUnit,
    EarnType,
    ExpiryType,
    OwnerType,
    Weekday,
)

__all__ = [
    "AbsoluteExpiryKind",
    "ActivationAction",
    "BadgeStatus",
    "BadgeViewType",
    "BenefitType",
    "ConstraintLevel",
    "ConstraintType",
    "CustomFieldDataType",
    "CustomerIdentifier",
    "CycleStatus",
    "DurationUnit",
    "EarnType",
    "ExpiryType",
    "FixedWindowScope",
    "ImageTag",
    "ItemStatus",
    "ManagementConstraintType",
    "OpenCycleStatus",
    "OpenItemStatus",
    "OwnerType",
    "SortOrder",
    "Weekday",
    "WireActivationAction",
    "WireBadgeStatus",
    "WireDurationUnit",
    "WireEarnType",
    "WireWeekday",
]


class BenefitType(StrEnum):
    COUPON = "COUPON"
    LOYALTY_POINTS = "LOYALTY_POINTS"


class CycleStatus(StrEnum):
    """State of one fixed-window configuration; the expired value is not shown in the docs."""

    UPCOMING = "UPCOMING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"


class ImageTag(StrEnum):
    UN_EARNED = "UN_EARNED"
    IN_PROGRESS = "IN_PROGRESS"
    EARNED = "EARNED"


class CustomerIdentifier(StrEnum):
    """Values of ``X-CAP-CUSTOMER-IDENTIFIER``: how to read a customer given as text (without the
    header a customer is the numeric Capillary id). The one list of identifier kinds: the client,
    the sandbox, the bulk files (`lib.bulk.model.IdentifierType` adds the plain id) and the customer
    page derive theirs from it."""

    EMAIL = "email"
    MOBILE = "mobile"
    EXTERNAL_ID = "externalId"
    CARD_NUMBER = "cardNumber"


class ItemStatus(StrEnum):
    """State of one enrolment (issue) or earned instance."""

    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class ActivationAction(StrEnum):
    ACTIVATED = "ACTIVATED"
    DE_ACTIVATED = "DE_ACTIVATED"


class BadgeViewType(StrEnum):
    """``badgeType`` filter of the customer views (#15, #16)."""

    AVAILABLE_TO_ISSUE = "AVAILABLE_TO_ISSUE"
    AVAILABLE = "AVAILABLE"
    EARNED = "EARNED"
    EXPIRED = "EXPIRED"


class ManagementConstraintType(StrEnum):
    """The normalised constraint vocabulary of #17 (``OVERALL`` = a ``*_FIXED_VALUE`` limit)."""

    FIXED_WINDOW = "FIXED_WINDOW"
    ROLLING_WINDOW = "ROLLING_WINDOW"
    OVERALL = "OVERALL"


class FixedWindowScope(StrEnum):
    """``constraintType`` query value of getFixedWindowDetails."""

    BADGE = "BADGE"
    CUSTOMER = "CUSTOMER"
    ALL = "ALL"


class CustomFieldDataType(StrEnum):
    INTEGER = "INTEGER"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    STRING = "STRING"


class SortOrder(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


# ---- tolerant readers ---------------------------------------------------------------------------


def _upper_token(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _alias_reader(aliases: dict[str, str]) -> Callable[[Any], Any]:
    """Upper-cased text, with an older spelling replaced by the canonical one."""

    def read(value: Any) -> Any:
        token = _upper_token(value)
        return aliases.get(token, token) if isinstance(token, str) else value

    return read


# ``DAILY/WEEKLY/MONTHLY`` (the reference text) mean ``DAYS/WEEKS/MONTHS`` (every example).
read_duration_unit = _alias_reader(
    {
        "DAILY": "DAYS",
        "WEEKLY": "WEEKS",
        "MONTHLY": "MONTHS",
        "DAY": "DAYS",
        "WEEK": "WEEKS",
        "MONTH": "MONTHS",
    }
)
# ``ENDED`` is the product pages' word for ``EXPIRED``.
read_badge_status = _alias_reader({"ENDED": "EXPIRED"})
# ``DEACTIVATED`` (management page text) is ``DE_ACTIVATED`` (the data).
read_activation = _alias_reader({"DEACTIVATED": "DE_ACTIVATED"})


def read_earn_type(value: Any) -> Any:
    """``"ISSUE EARN"`` (the reference text) is ``ISSUE_EARN``; the OpenAPI also shows lower case."""
    token = _upper_token(value)
    return token.replace(" ", "_") if isinstance(token, str) else value


def read_weekday(value: Any) -> Any:
    """A name or a number (0 = MONDAY; the examples send ``1`` and read back ``"TUESDAY"``)."""
    if isinstance(value, Weekday):
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        return Weekday.from_api(value)
    return value


def _open(enum_cls: type[StrEnum]) -> Any:
    """``enum_cls`` when the text is one of its values (any case), else the text as received."""

    def read(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return enum_cls(value.strip().upper())
            except ValueError:
                return value
        return value

    return Annotated[enum_cls | str, Field(union_mode="left_to_right"), BeforeValidator(read)]


OpenItemStatus = _open(ItemStatus)
"""An enrolment/earn status: ACTIVE/EXPIRED/REVOKED as documented, kept as text otherwise (an earnBulk
example answers ``"LIVE"``)."""

OpenCycleStatus = _open(CycleStatus)
"""A fixed-window config state; the expired value is not documented, so unknown values are kept."""

WireDurationUnit = Annotated[DurationUnit, BeforeValidator(read_duration_unit)]
WireEarnType = Annotated[EarnType, BeforeValidator(read_earn_type)]
WireWeekday = Annotated[Weekday, BeforeValidator(read_weekday)]
WireBadgeStatus = Annotated[BadgeStatus, BeforeValidator(read_badge_status)]
WireActivationAction = Annotated[ActivationAction, BeforeValidator(read_activation)]
