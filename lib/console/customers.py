"""A customer's badges as tables: the four views of #16, and one badge's history and limit usage (#17)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from lib.api.client import BadgesClient
from lib.api.models.enums import CustomerIdentifier
from lib.console.fanout import Progress, pages_of, read_lists

VIEWS = {
    "AVAILABLE_TO_ISSUE": "Can be enrolled",
    "AVAILABLE": "Can earn now",
    "EARNED": "Earned",
    "EXPIRED": "Expired",
}
"""`badgeType` of #16 -> tab title."""

IDENTIFIERS: dict[CustomerIdentifier | None, str] = {
    None: "Customer id",
    CustomerIdentifier.EMAIL: "Email",
    CustomerIdentifier.MOBILE: "Mobile",
    CustomerIdentifier.EXTERNAL_ID: "External id",
    CustomerIdentifier.CARD_NUMBER: "Card number",
}
"""Labels of the `X-CAP-CUSTOMER-IDENTIFIER` kinds (None = the numeric Capillary customer id)."""


VIEW_PAGE_SIZE = 50
VIEW_MAX_ITEMS = 500
"""Badges read per view; a customer with more sees the first 500 of each."""


def read_views(
    client: BadgesClient, customer: str, identifier: str | None, *, on_progress: Progress | None = None
) -> dict[str, pd.DataFrame]:
    """The four views of #16 for one customer, read side by side: badge type -> `badge_rows` table."""
    lists = [
        pages_of(
            client.list_customer_badges,
            size=VIEW_PAGE_SIZE,
            customer_id=customer,
            identifier=identifier,
            badge_type=badge_type,
        )
        for badge_type in VIEWS
    ]
    read = read_lists(lists, max_items=VIEW_MAX_ITEMS, on_progress=on_progress)
    return {badge_type: badge_rows(items) for badge_type, items in zip(VIEWS, read, strict=True)}


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def badge_rows(items: Iterable[object]) -> pd.DataFrame:
    """`CustomerBadgeSummary` items of #16."""
    rows = [
        {
            "badge_id": item.badge_meta_id,
            "name": item.name or "",
            "type": _text(item.badge_type),
            "status": _text(item.badge_status),
            "enrolment": item.issue_status or "",
            "earns": item.earn_count,
            "last earned": item.last_earned_on,
            "starts": item.starts_on,
            "expires": item.expires_on,
            "group": item.badge_group_name or item.badge_group_id or "",
            "active": item.active,
        }
        for item in items
    ]
    columns = [
        "badge_id",
        "name",
        "type",
        "status",
        "enrolment",
        "earns",
        "last earned",
        "starts",
        "expires",
        "group",
        "active",
    ]
    return pd.DataFrame(rows, columns=columns)


ENROLMENT_COLUMNS = {
    "issue_id": "issue_id",
    "status": "issued_status",
    "enrolled": "issued_on",
    "event date": "issue_event_date",
    "expires": "issue_expires_on",
    "revoked": "revoked_on",
    "owner": "owner_type",
    "owner ref": "owner_reference_id",
}
"""Enrolment history table: column -> attribute of an `issuals` item of #17."""
EARN_COLUMNS = {
    "earned_badge_id": "earned_badge_id",
    "status": "earned_status",
    "earned": "earned_on",
    "event date": "earn_event_date",
    "expires": "earn_expires_on",
    "revoked": "revoked_on",
    "owner": "owner_type",
    "owner ref": "owner_reference_id",
}
"""Earn history table: column -> attribute of an `earns` item of #17."""


def _history(items: Iterable[object], columns: dict[str, str]) -> pd.DataFrame:
    """One row per item; statuses and owner types as their API names, instants kept as datetimes."""
    enums = {"status", "owner"}
    rows = [
        {
            column: _text(getattr(item, attr)) if column in enums else getattr(item, attr)
            for column, attr in columns.items()
        }
        for item in items
    ]
    return pd.DataFrame(rows, columns=list(columns))


def enrolments(detail: object) -> pd.DataFrame:
    return _history(detail.issual_details.issuals if detail.issual_details else [], ENROLMENT_COLUMNS)


def earns(detail: object) -> pd.DataFrame:
    return _history(detail.earn_details.earns if detail.earn_details else [], EARN_COLUMNS)


def _window(usage: object) -> str:
    kind = _text(usage.constraint_type)
    if kind == "FIXED_WINDOW":
        cycle = usage.fixed_window_cycle
        bounds = (
            f" {cycle.start_date:%Y-%m-%d} .. {cycle.end_date:%Y-%m-%d}"
            if cycle and cycle.start_date and cycle.end_date
            else ""
        )
        unit = _text(usage.duration_type).lower()
        every = (
            f"every {usage.refresh_rate} days"
            if unit == "days" and usage.refresh_rate
            else f"per {unit[:-1]}"
        )
        return f"fixed window {every}; current cycle{bounds}"
    if kind == "ROLLING_WINDOW":
        if usage.roll_type:
            return f"rolling {usage.roll_value} {_text(usage.roll_type).lower()}"
        return "rolling (days / weeks / months)"
    return "lifetime total" if kind == "OVERALL" else kind.lower()


def limit_usage(detail: object) -> pd.DataFrame:
    """Each limit with its current count (`earnConstraintBlockStatistics`), customer limits first."""
    rows = []
    for usage in list(detail.customer_constraints or []) + list(detail.badge_constraints or []):
        stats = usage.earn_constraint_block_statistics
        counts = [
            f"{label} {value}"
            for label, value in (
                ("now", stats.current_earn_count if stats else None),
                ("days", stats.current_earn_count_days if stats else None),
                ("weeks", stats.current_earn_count_weeks if stats else None),
                ("months", stats.current_earn_count_months if stats else None),
            )
            if value is not None
        ]
        rows.append(
            {
                "level": _text(usage.constraint_level).title(),
                "limit": _window(usage),
                "max": usage.max_earn_limit,
                "used": ", ".join(counts),
            }
        )
    return pd.DataFrame(rows, columns=["level", "limit", "max", "used"])
