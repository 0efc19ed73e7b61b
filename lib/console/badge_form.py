"""The badge editor's values, and their conversion to and from the API's JSON body.

`BadgeForm` holds exactly what the editor's widgets show: one flat field per widget, named like the
widget's key without its `ed_` prefix, so loading a badge into the editor is `widget_values(form)`
and reading the widgets back is `BadgeForm(**values)`. The JSON side uses the API's wire names
(reference 3.1/3.9), so `to_body` produces the request exactly as documented and `from_body` reads
any badge the API returns, whatever model class carried it.

Limits are grouped the way the API allows them: per level, at most one fixed window, one rolling
window (customer: one object with day/week/month pairs; badge: one object per unit), one fixed value
and the explicit "no limit".

The date widgets show minutes, while a saved badge's instants may carry seconds and fractions
(`"startOn": 1795242819.946771`). The form keeps those saved instants beside the widget values, and
sends a saved instant back exactly as long as its widget still shows it: re-sending a live badge
whose start the user never touched must not read as a new start (723).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from lib.api.models import epoch_seconds, parse_instant

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
_LOYALTY_FIELDS = BENEFIT_FIELDS[2:]
_ROLL_UNITS = (("days", "Days"), ("weeks", "Weeks"), ("months", "Months"))
WIDGET_PREFIX = "ed_"
INSTANT_FIELDS = ("start", "end", "earned_fixed_at", "issued_fixed_at")
"""The form's date-and-time widgets (`st.datetime_input`, minute precision)."""


def _tomorrow(now: datetime | None = None) -> datetime:
    today = (now or datetime.now(UTC)).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today.replace(tzinfo=None) + timedelta(days=1)


def new_form(now: datetime) -> BadgeForm:
    """The empty form of a new badge, from tomorrow by the backend's clock (the sandbox's may be moved)."""
    start = _tomorrow(now)
    return BadgeForm(start=start, end=start + timedelta(days=91, seconds=-1))


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
    # Earned badge expiry
    earned_type: str = "RELATIVE"
    earned_unit: str = "DAYS"
    earned_value: int = 30
    earned_kind: str = "WITH_BADGE_META"
    earned_fixed_at: datetime | None = None
    # Enrolment ("issued") expiry, ISSUE_EARN only
    issued_type: str = "RELATIVE"
    issued_unit: str = "DAYS"
    issued_value: int = 14
    issued_kind: str = "WITH_BADGE_META"
    issued_fixed_at: datetime | None = None
    # Customer limits
    cfw_on: bool = False
    cfw_max: int = 1
    cfw_unit: str = "DAYS"
    cfw_rate: int = 1
    cfw_week_start: str = "MONDAY"
    crw_on: bool = False
    crw_days_max: int | None = None
    crw_days_span: int | None = None
    crw_weeks_max: int | None = None
    crw_weeks_span: int | None = None
    crw_months_max: int | None = None
    crw_months_span: int | None = None
    cfv_on: bool = False
    cfv_max: int = 1
    cnl_on: bool = False
    # Badge limits
    bfw_on: bool = False
    bfw_max: int = 100
    bfw_unit: str = "DAYS"
    bfw_rate: int = 1
    bfw_week_start: str = "MONDAY"
    brw_on: bool = False
    brw_days_max: int | None = None
    brw_days_span: int | None = None
    brw_weeks_max: int | None = None
    brw_weeks_span: int | None = None
    brw_months_max: int | None = None
    brw_months_span: int | None = None
    bfv_on: bool = False
    bfv_max: int = 1000
    bnl_on: bool = False
    # Lists edited as tables
    benefits: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    # The saved badge's instants, exact and aware (UTC), by instant field; empty for a new badge
    saved_instants: dict[str, datetime] = field(default_factory=dict)

    TABLE_FIELDS = ("benefits", "tags", "custom_fields")
    NON_WIDGET_FIELDS = (*TABLE_FIELDS, "saved_instants")


def widget_values(form: BadgeForm) -> dict[str, Any]:
    """Session-state values for the editor's simple widgets (`ed_<field>`); tables are separate."""
    return {
        WIDGET_PREFIX + name: value
        for name, value in asdict(form).items()
        if name not in BadgeForm.NON_WIDGET_FIELDS
    }


def form_fields() -> list[str]:
    return [f.name for f in fields(BadgeForm) if f.name not in BadgeForm.NON_WIDGET_FIELDS]


# -- form -> JSON body ------------------------------------------------------------------------------


def shown_in_widget(value: datetime) -> datetime:
    """What a date-and-time widget shows for `value`: naive UTC, to the minute."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _epoch(form: BadgeForm, name: str) -> int | float | None:
    """Epoch seconds to send for instant field `name`: the saved instant, to the microsecond, while
    the widget still shows it; else the widget's value."""
    value: datetime | None = getattr(form, name)
    if value is None:
        return None
    saved = form.saved_instants.get(name)
    if saved is not None and shown_in_widget(saved) == shown_in_widget(value):
        return epoch_seconds(saved)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int(aware.timestamp())


def _expiry_body(
    kind: str, unit: str, value: int, absolute: str, fixed_at: int | float | None
) -> dict[str, Any]:
    if kind == "RELATIVE":
        return {"expiryType": "RELATIVE", "relativeExpirytype": unit, "value": value}
    if kind == "ABSOLUTE":
        with_meta = absolute == "WITH_BADGE_META"
        return {
            "expiryType": "ABSOLUTE",
            "type": absolute,
            "expiresOn": None if with_meta else fixed_at,
            "expireWithBadgeMeta": with_meta,
        }
    return {"expiryType": kind}


def _fixed_window(prefix: str, max_earn: int, unit: str, rate: int, week_start: str) -> dict[str, Any]:
    body: dict[str, Any] = {"constraintType": f"{prefix}_FIXED_WINDOW", "durationType": unit}
    if unit == "DAYS":
        body["refreshRate"] = rate
    elif unit == "WEEKS":
        body["startDayOfTheWeek"] = week_start
    body["maxEarnLimit"] = max_earn
    return body


def _customer_limits(form: BadgeForm) -> list[dict[str, Any]]:
    limits = []
    if form.cfw_on:
        limits.append(
            _fixed_window("CUSTOMER_BADGE", form.cfw_max, form.cfw_unit, form.cfw_rate, form.cfw_week_start)
        )
    if form.crw_on:
        rolling: dict[str, Any] = {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"}
        for unit, title in _ROLL_UNITS:
            max_earn, span = getattr(form, f"crw_{unit}_max"), getattr(form, f"crw_{unit}_span")
            if max_earn is not None and span is not None:
                rolling[f"maxEarnFor{title}"] = max_earn
                rolling[f"rollFor{title}"] = span
        limits.append(rolling)
    if form.cfv_on:
        limits.append({"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": form.cfv_max})
    if form.cnl_on:
        limits.append({"constraintType": "CUSTOMER_BADGE_NO_LIMIT"})
    return limits


def _badge_limits(form: BadgeForm) -> list[dict[str, Any]]:
    limits = []
    if form.bfw_on:
        limits.append(_fixed_window("BADGE", form.bfw_max, form.bfw_unit, form.bfw_rate, form.bfw_week_start))
    if form.brw_on:
        for unit, _title in _ROLL_UNITS:
            max_earn, span = getattr(form, f"brw_{unit}_max"), getattr(form, f"brw_{unit}_span")
            if max_earn is not None and span is not None:
                limits.append(
                    {
                        "constraintType": "BADGE_ROLLING_WINDOW",
                        "rollType": unit.upper(),
                        "rollValue": span,
                        "maxEarnLimit": max_earn,
                    }
                )
    if form.bfv_on:
        limits.append({"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": form.bfv_max})
    if form.bnl_on:
        limits.append({"constraintType": "BADGE_NO_LIMIT"})
    return limits


def _benefit_body(row: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = row.get("benefitType")
    if kind not in BENEFIT_TYPES:
        return None
    if kind == "COUPON":
        return {"benefitType": "COUPON", "seriesId": _int_or_none(row.get("seriesId"))}
    body: dict[str, Any] = {"benefitType": "LOYALTY_POINTS"}
    for name in _LOYALTY_FIELDS:
        value = _int_or_none(row.get(name))
        if value is not None:
            body[name] = value
    return body


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else int(number)  # NaN from an empty table cell


def to_body(form: BadgeForm, *, badge_id: str | None = None) -> dict[str, Any]:
    """The JSON body of create (no id) or update (with id), in the API's field names and order."""
    body: dict[str, Any] = {"id": badge_id} if badge_id else {}
    body |= {
        "name": form.name.strip(),
        "description": form.description,
        "startOn": _epoch(form, "start"),
        "expiresOn": _epoch(form, "end"),
        "earnedBadgeExpiry": _expiry_body(
            form.earned_type,
            form.earned_unit,
            form.earned_value,
            form.earned_kind,
            _epoch(form, "earned_fixed_at"),
        ),
        "issuedBadgeExpiry": (
            _expiry_body(
                form.issued_type,
                form.issued_unit,
                form.issued_value,
                form.issued_kind,
                _epoch(form, "issued_fixed_at"),
            )
            if form.earn_type == "ISSUE_EARN"
            else None
        ),
        "ownership": {"restrictedToOwners": list(form.owners)},
        "customerConstraints": _customer_limits(form),
        "badgeConstraints": _badge_limits(form),
        "earnType": form.earn_type,
        "benefits": [b for b in (_benefit_body(row) for row in form.benefits) if b is not None],
        "tags": [
            {"name": str(t["name"]).strip(), "value": str(t.get("value") or "")}
            for t in form.tags
            if t.get("name") and str(t["name"]).strip()
        ],
        "customFields": {k: v for k, v in form.custom_fields.items() if k},
        "badgeGroupId": form.group_id or None,
        "badgeRank": form.rank,
        "active": form.active,
    }
    return body


# -- JSON body -> form ------------------------------------------------------------------------------


def _saved_instant(body: Mapping[str, Any] | None, key: str) -> datetime | None:
    """An instant of a saved badge: the epoch field, which holds it exactly; the `...ISO` twin of an
    answer is the same instant written to the second, so it only stands in when the epoch is absent."""
    for candidate in ((body or {}).get(key), (body or {}).get(f"{key}ISO")):
        if candidate is not None and candidate != "":
            return parse_instant(candidate)
    return None


def _fixed_at(expiry: Mapping[str, Any] | None) -> datetime | None:
    absolute = bool(expiry) and str(expiry.get("expiryType")) == "ABSOLUTE"
    return _saved_instant(expiry, "expiresOn") if absolute else None


def _instant_values(instants: Mapping[str, datetime | None]) -> dict[str, Any]:
    """Widget values for the saved instants, and the instants themselves to send back untouched."""
    present = {name: value for name, value in instants.items() if value is not None}
    return {name: shown_in_widget(value) for name, value in present.items()} | {"saved_instants": present}


def _expiry_values(prefix: str, expiry: Mapping[str, Any] | None) -> dict[str, Any]:
    if not expiry:
        return {}
    kind = str(expiry.get("expiryType") or "NEVER")
    values: dict[str, Any] = {f"{prefix}_type": kind}
    if kind == "RELATIVE":
        unit = expiry.get("relativeExpirytype") or expiry.get("relativeExpiryType") or "DAYS"
        values |= {f"{prefix}_unit": str(unit), f"{prefix}_value": int(expiry.get("value") or 0)}
    elif kind == "ABSOLUTE":
        absolute = expiry.get("type") or (
            "WITH_BADGE_META" if expiry.get("expireWithBadgeMeta") else "FIXED_DATE"
        )
        values[f"{prefix}_kind"] = str(absolute)
    return values


def _limit_values(constraints: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in constraints or ():
        kind = str(item.get("constraintType") or "")
        prefix = "c" if kind.startswith("CUSTOMER_") else "b"
        family = kind.removeprefix("CUSTOMER_BADGE_").removeprefix("BADGE_")
        if family == "FIXED_WINDOW":
            week_start = item.get("startDayOfTheWeek") or "MONDAY"
            if isinstance(week_start, int):
                week_start = WEEKDAYS[week_start]
            values |= {
                f"{prefix}fw_on": True,
                f"{prefix}fw_max": int(item.get("maxEarnLimit") or 0),
                f"{prefix}fw_unit": str(item.get("durationType") or "DAYS"),
                f"{prefix}fw_rate": int(item.get("refreshRate") or 1),
                f"{prefix}fw_week_start": str(week_start),
            }
        elif family == "ROLLING_WINDOW" and prefix == "c":
            values["crw_on"] = True
            for unit, title in _ROLL_UNITS:
                values[f"crw_{unit}_max"] = item.get(f"maxEarnFor{title}")
                values[f"crw_{unit}_span"] = item.get(f"rollFor{title}")
        elif family == "ROLLING_WINDOW":
            unit = str(item.get("rollType") or "DAYS").lower()
            values |= {
                "brw_on": True,
                f"brw_{unit}_max": item.get("maxEarnLimit"),
                f"brw_{unit}_span": item.get("rollValue"),
            }
        elif family == "FIXED_VALUE":
            values |= {f"{prefix}fv_on": True, f"{prefix}fv_max": int(item.get("maxEarnLimit") or 0)}
        elif family == "NO_LIMIT":
            values[f"{prefix}nl_on"] = True
    return values


def from_body(badge: Mapping[str, Any]) -> BadgeForm:
    """The editor's values for a badge as the API returns it (wire names, epoch seconds)."""
    values: dict[str, Any] = {
        "name": badge.get("name") or "",
        "description": badge.get("description") or "",
        "start": None,
        "end": None,
        "earn_type": badge.get("earnType") or "EARN",
        "active": bool(badge.get("active", True)),
        "owners": list((badge.get("ownership") or {}).get("restrictedToOwners") or []),
        "group_id": badge.get("badgeGroupId") or None,
        "rank": badge.get("badgeRank"),
        "benefits": [
            {name: benefit.get(name) for name in BENEFIT_FIELDS} for benefit in badge.get("benefits") or []
        ],
        "tags": [{"name": t.get("name", ""), "value": t.get("value", "")} for t in badge.get("tags") or []],
        "custom_fields": {str(k): str(v) for k, v in (badge.get("customFields") or {}).items()},
    }
    values |= _expiry_values("earned", badge.get("earnedBadgeExpiry"))
    values |= _expiry_values("issued", badge.get("issuedBadgeExpiry"))
    values |= _instant_values(
        {
            "start": _saved_instant(badge, "startOn"),
            "end": _saved_instant(badge, "expiresOn"),
            "earned_fixed_at": _fixed_at(badge.get("earnedBadgeExpiry")),
            "issued_fixed_at": _fixed_at(badge.get("issuedBadgeExpiry")),
        }
    )
    values |= _limit_values(
        list(badge.get("customerConstraints") or []) + list(badge.get("badgeConstraints") or [])
    )
    return BadgeForm(**values)
