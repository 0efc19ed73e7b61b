"""The badge editor's values: a nested draft of the badge, addressed by paths.

`BadgeForm` is shaped like the domain's badge draft (`lib.domain.drafts`), not like a page of
widgets: `form.customer.fixed_window.max_earn`, `form.earned.fixed_at`, `form.badge.rolling.weeks.span`.
Every simple value has a path (`"customer.fixed_window.max_earn"`), and the editor's widget keys are
made from those paths (`widget_key`), so loading a badge into the widgets is `widget_values(form)` and
reading them back is `with_values(base, values)`; no field list is written twice. The JSON side
(`lib.console.form_wire`) writes and reads the API's wire names.

Limits are grouped the way the API allows them: per level, at most one fixed window, one rolling
window (customer: one object with day/week/month pairs; badge: one object per unit), one fixed value
and the explicit "no limit".

The date widgets show minutes, while a saved badge's instants may carry seconds and fractions
(`"startOn": 1795242819.946771`). The form keeps those saved instants beside the widget values, by
path, so a saved instant is sent back exactly as long as its widget still shows it (re-sending a live
badge whose start the user never touched must not read as a new start, 723).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

UNITS = ("DAYS", "WEEKS", "MONTHS")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
EXPIRY_TYPES = ("RELATIVE", "ABSOLUTE", "NEVER")
ABSOLUTE_KINDS = ("WITH_BADGE_META", "FIXED_DATE")
EARN_TYPES = ("EARN", "ISSUE_EARN")
BENEFIT_TYPES = ("COUPON", "LOYALTY_POINTS")
BENEFIT_FIELDS = (
    "benefitType",
    "seriesId",
    "points",
    "programId",
    "promotionId",
    "allocationStrategyId",
    "expirationStrategyId",
    "defaultTillId",
)
ROLL_UNITS = ("days", "weeks", "months")
WIDGET_PREFIX = "ed_"
INSTANT_PATHS = ("start", "end", "earned.fixed_at", "issued.fixed_at")
"""The form's date-and-time values (`st.datetime_input`, minute precision)."""
TABLE_FIELDS = ("benefits", "tags", "custom_fields")
"""Lists edited as tables (`st.data_editor`), read when drawn rather than through paths."""
_NOT_WIDGETS = (*TABLE_FIELDS, "saved_instants")


def _tomorrow(now: datetime | None = None) -> datetime:
    today = (now or datetime.now(UTC)).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today.replace(tzinfo=None) + timedelta(days=1)


@dataclass
class ExpiryForm:
    """`earnedBadgeExpiry` / `issuedBadgeExpiry`: `type` is expiryType, `kind` the ABSOLUTE type."""

    type: str = "RELATIVE"
    unit: str = "DAYS"
    value: int = 30
    kind: str = "WITH_BADGE_META"
    fixed_at: datetime | None = None


@dataclass
class FixedWindowForm:
    """A `..._FIXED_WINDOW` constraint; `on` says whether the badge has one."""

    on: bool = False
    max_earn: int = 1
    unit: str = "DAYS"
    refresh_rate: int = 1
    week_start: str = "MONDAY"


@dataclass
class RollPair:
    """At most `max_earn` earns in the last `span` units (both set, or the unit is off)."""

    max_earn: int | None = None
    span: int | None = None


@dataclass
class RollingForm:
    on: bool = False
    days: RollPair = field(default_factory=RollPair)
    weeks: RollPair = field(default_factory=RollPair)
    months: RollPair = field(default_factory=RollPair)


@dataclass
class FixedValueForm:
    """A lifetime total (`..._FIXED_VALUE`)."""

    on: bool = False
    max_earn: int = 1


@dataclass
class LimitsForm:
    """One level's limits (per customer, or all customers together)."""

    fixed_window: FixedWindowForm = field(default_factory=FixedWindowForm)
    rolling: RollingForm = field(default_factory=RollingForm)
    fixed_value: FixedValueForm = field(default_factory=FixedValueForm)
    no_limit: bool = False


def _customer_limits() -> LimitsForm:
    return LimitsForm(FixedWindowForm(max_earn=1), RollingForm(), FixedValueForm(max_earn=1))


def _badge_limits() -> LimitsForm:
    return LimitsForm(FixedWindowForm(max_earn=100), RollingForm(), FixedValueForm(max_earn=1000))


@dataclass
class BadgeForm:
    """Everything the editor edits. Datetimes are naive and mean UTC (what `st.datetime_input` gives)."""

    name: str = ""
    description: str = ""
    start: datetime | None = field(default_factory=_tomorrow)
    end: datetime | None = field(default_factory=lambda: _tomorrow() + timedelta(days=91, seconds=-1))
    earn_type: str = "EARN"
    active: bool = True
    owners: list[str] = field(default_factory=lambda: ["Loyalty"])
    group_id: str | None = None
    rank: int | None = None
    earned: ExpiryForm = field(default_factory=ExpiryForm)
    issued: ExpiryForm = field(default_factory=lambda: ExpiryForm(value=14))
    """The enrolment expiry, sent for ISSUE_EARN badges only."""
    customer: LimitsForm = field(default_factory=_customer_limits)
    badge: LimitsForm = field(default_factory=_badge_limits)
    benefits: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    saved_instants: dict[str, datetime] = field(default_factory=dict)
    """The saved badge's instants, exact and aware (UTC), by path; empty for a new badge."""


def new_form(now: datetime) -> BadgeForm:
    """The empty form of a new badge, from tomorrow by the backend's clock (the sandbox's may be moved)."""
    start = _tomorrow(now)
    return BadgeForm(start=start, end=start + timedelta(days=91, seconds=-1))


# -- paths ------------------------------------------------------------------------------------------


def _leaves(node: Any, prefix: str = "") -> Iterator[str]:
    for item in fields(node):
        if not prefix and item.name in _NOT_WIDGETS:
            continue
        value = getattr(node, item.name)
        path = f"{prefix}{item.name}"
        if is_dataclass(value):
            yield from _leaves(value, f"{path}.")
        else:
            yield path


@cache
def form_paths() -> tuple[str, ...]:
    """The path of every simple value of the form ("name", "customer.fixed_window.max_earn", ...)."""
    return tuple(_leaves(BadgeForm(start=None, end=None)))


def widget_key(path: str) -> str:
    """The editor's widget key of a path: "customer.fixed_window.on" -> "ed_customer_fixed_window_on"."""
    return WIDGET_PREFIX + path.replace(".", "_")


def value_at(form: BadgeForm, path: str) -> Any:
    node: Any = form
    for name in path.split("."):
        node = getattr(node, name)
    return node


N = TypeVar("N")


def with_values(node: N, values: Mapping[str, Any]) -> N:
    """A copy of `node` with the values at the given paths replaced (nested parts copied, not shared)."""
    direct: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        head, _, rest = path.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            direct[head] = value
    for head, inner in nested.items():
        direct[head] = with_values(getattr(node, head), inner)
    return replace(node, **direct)  # type: ignore[type-var]


def path_values(form: BadgeForm) -> dict[str, Any]:
    """Every simple value of `form` by path."""
    return {path: value_at(form, path) for path in form_paths()}


def widget_values(form: BadgeForm) -> dict[str, Any]:
    """Session-state values for the editor's simple widgets, by widget key; tables are separate."""
    return {widget_key(path): value for path, value in path_values(form).items()}


def same_widget_values(form: BadgeForm, other: BadgeForm) -> bool:
    """Whether the simple widgets show the same values (tables are not compared)."""
    return path_values(form) == path_values(other)
