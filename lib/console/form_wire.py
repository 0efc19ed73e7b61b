"""The editor's `BadgeForm` to and from the API's JSON body (reference 3.1/3.9 wire names).

`to_body` produces the request exactly as documented and `from_body` reads any badge the API returns,
whatever model class carried it. Instants and whole numbers are read by `lib.api.models`, the one
reading of the wire.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lib.api.models import epoch_seconds, parse_instant
from lib.api.models.wire import whole_number
from lib.console.badge_form import (
    BENEFIT_FIELDS,
    BENEFIT_TYPES,
    ROLL_UNITS,
    WEEKDAYS,
    BadgeForm,
    ExpiryForm,
    FixedWindowForm,
    LimitsForm,
    value_at,
    with_values,
)

_LOYALTY_FIELDS = BENEFIT_FIELDS[2:]


# -- form -> JSON body ------------------------------------------------------------------------------


def shown_in_widget(value: datetime) -> datetime:
    """What a date-and-time widget shows for `value`: naive UTC, to the minute."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _epoch(form: BadgeForm, path: str) -> int | float | None:
    """Epoch seconds to send for the instant at `path`: the saved instant, to the microsecond, while
    the widget still shows it; else the widget's value."""
    value: datetime | None = value_at(form, path)
    if value is None:
        return None
    saved = form.saved_instants.get(path)
    if saved is not None and shown_in_widget(saved) == shown_in_widget(value):
        return epoch_seconds(saved)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int(aware.timestamp())


def _expiry_body(expiry: ExpiryForm, fixed_at: int | float | None) -> dict[str, Any]:
    if expiry.type == "RELATIVE":
        return {"expiryType": "RELATIVE", "relativeExpirytype": expiry.unit, "value": expiry.value}
    if expiry.type == "ABSOLUTE":
        with_meta = expiry.kind == "WITH_BADGE_META"
        return {
            "expiryType": "ABSOLUTE",
            "type": expiry.kind,
            "expiresOn": None if with_meta else fixed_at,
            "expireWithBadgeMeta": with_meta,
        }
    return {"expiryType": expiry.type}


def _fixed_window(prefix: str, window: FixedWindowForm) -> dict[str, Any]:
    body: dict[str, Any] = {"constraintType": f"{prefix}_FIXED_WINDOW", "durationType": window.unit}
    if window.unit == "DAYS":
        body["refreshRate"] = window.refresh_rate
    elif window.unit == "WEEKS":
        body["startDayOfTheWeek"] = window.week_start
    body["maxEarnLimit"] = window.max_earn
    return body


def _customer_limits(limits: LimitsForm) -> list[dict[str, Any]]:
    out = []
    if limits.fixed_window.on:
        out.append(_fixed_window("CUSTOMER_BADGE", limits.fixed_window))
    if limits.rolling.on:
        rolling: dict[str, Any] = {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"}
        for unit in ROLL_UNITS:
            pair = getattr(limits.rolling, unit)
            if pair.max_earn is not None and pair.span is not None:
                rolling[f"maxEarnFor{unit.title()}"] = pair.max_earn
                rolling[f"rollFor{unit.title()}"] = pair.span
        out.append(rolling)
    if limits.fixed_value.on:
        out.append(
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": limits.fixed_value.max_earn}
        )
    if limits.no_limit:
        out.append({"constraintType": "CUSTOMER_BADGE_NO_LIMIT"})
    return out


def _badge_limits(limits: LimitsForm) -> list[dict[str, Any]]:
    out = []
    if limits.fixed_window.on:
        out.append(_fixed_window("BADGE", limits.fixed_window))
    if limits.rolling.on:
        for unit in ROLL_UNITS:
            pair = getattr(limits.rolling, unit)
            if pair.max_earn is not None and pair.span is not None:
                out.append(
                    {
                        "constraintType": "BADGE_ROLLING_WINDOW",
                        "rollType": unit.upper(),
                        "rollValue": pair.span,
                        "maxEarnLimit": pair.max_earn,
                    }
                )
    if limits.fixed_value.on:
        out.append({"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": limits.fixed_value.max_earn})
    if limits.no_limit:
        out.append({"constraintType": "BADGE_NO_LIMIT"})
    return out


def _benefit_body(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """A benefit table row; cells are read as whole numbers (an empty cell is NaN, and left out)."""
    kind = row.get("benefitType")
    if kind not in BENEFIT_TYPES:
        return None
    if kind == "COUPON":
        return {"benefitType": "COUPON", "seriesId": whole_number(row.get("seriesId"))}
    body: dict[str, Any] = {"benefitType": "LOYALTY_POINTS"}
    for name in _LOYALTY_FIELDS:
        value = whole_number(row.get(name))
        if value is not None:
            body[name] = value
    return body


def to_body(form: BadgeForm, *, badge_id: str | None = None) -> dict[str, Any]:
    """The JSON body of create (no id) or update (with id), in the API's field names and order."""
    body: dict[str, Any] = {"id": badge_id} if badge_id else {}
    body |= {
        "name": form.name.strip(),
        "description": form.description,
        "startOn": _epoch(form, "start"),
        "expiresOn": _epoch(form, "end"),
        "earnedBadgeExpiry": _expiry_body(form.earned, _epoch(form, "earned.fixed_at")),
        "issuedBadgeExpiry": (
            _expiry_body(form.issued, _epoch(form, "issued.fixed_at"))
            if form.earn_type == "ISSUE_EARN"
            else None
        ),
        "ownership": {"restrictedToOwners": list(form.owners)},
        "customerConstraints": _customer_limits(form.customer),
        "badgeConstraints": _badge_limits(form.badge),
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


def _expiry_values(prefix: str, expiry: Mapping[str, Any] | None) -> dict[str, Any]:
    if not expiry:
        return {}
    kind = str(expiry.get("expiryType") or "NEVER")
    values: dict[str, Any] = {f"{prefix}.type": kind}
    if kind == "RELATIVE":
        unit = expiry.get("relativeExpirytype") or expiry.get("relativeExpiryType") or "DAYS"
        values |= {f"{prefix}.unit": str(unit), f"{prefix}.value": int(expiry.get("value") or 0)}
    elif kind == "ABSOLUTE":
        absolute = expiry.get("type") or (
            "WITH_BADGE_META" if expiry.get("expireWithBadgeMeta") else "FIXED_DATE"
        )
        values[f"{prefix}.kind"] = str(absolute)
    return values


def _limit_values(constraints: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in constraints or ():
        kind = str(item.get("constraintType") or "")
        level = "customer" if kind.startswith("CUSTOMER_") else "badge"
        family = kind.removeprefix("CUSTOMER_BADGE_").removeprefix("BADGE_")
        if family == "FIXED_WINDOW":
            week_start = item.get("startDayOfTheWeek") or "MONDAY"
            if isinstance(week_start, int):
                week_start = WEEKDAYS[week_start]
            window = f"{level}.fixed_window"
            values |= {
                f"{window}.on": True,
                f"{window}.max_earn": int(item.get("maxEarnLimit") or 0),
                f"{window}.unit": str(item.get("durationType") or "DAYS"),
                f"{window}.refresh_rate": int(item.get("refreshRate") or 1),
                f"{window}.week_start": str(week_start),
            }
        elif family == "ROLLING_WINDOW" and level == "customer":
            values["customer.rolling.on"] = True
            for unit in ROLL_UNITS:
                values[f"customer.rolling.{unit}.max_earn"] = item.get(f"maxEarnFor{unit.title()}")
                values[f"customer.rolling.{unit}.span"] = item.get(f"rollFor{unit.title()}")
        elif family == "ROLLING_WINDOW":
            unit = str(item.get("rollType") or "DAYS").lower()
            values |= {
                "badge.rolling.on": True,
                f"badge.rolling.{unit}.max_earn": item.get("maxEarnLimit"),
                f"badge.rolling.{unit}.span": item.get("rollValue"),
            }
        elif family == "FIXED_VALUE":
            values |= {
                f"{level}.fixed_value.on": True,
                f"{level}.fixed_value.max_earn": int(item.get("maxEarnLimit") or 0),
            }
        elif family == "NO_LIMIT":
            values[f"{level}.no_limit"] = True
    return values


def from_body(badge: Mapping[str, Any]) -> BadgeForm:
    """The editor's values for a badge as the API returns it (wire names, epoch seconds)."""
    instants = {
        "start": _saved_instant(badge, "startOn"),
        "end": _saved_instant(badge, "expiresOn"),
        "earned.fixed_at": _fixed_at(badge.get("earnedBadgeExpiry")),
        "issued.fixed_at": _fixed_at(badge.get("issuedBadgeExpiry")),
    }
    saved = {path: value for path, value in instants.items() if value is not None}
    form = BadgeForm(
        name=badge.get("name") or "",
        description=badge.get("description") or "",
        start=None,
        end=None,
        earn_type=badge.get("earnType") or "EARN",
        active=bool(badge.get("active", True)),
        owners=list((badge.get("ownership") or {}).get("restrictedToOwners") or []),
        group_id=badge.get("badgeGroupId") or None,
        rank=badge.get("badgeRank"),
        benefits=[
            {name: benefit.get(name) for name in BENEFIT_FIELDS} for benefit in badge.get("benefits") or []
        ],
        tags=[{"name": t.get("name", ""), "value": t.get("value", "")} for t in badge.get("tags") or []],
        custom_fields={str(k): str(v) for k, v in (badge.get("customFields") or {}).items()},
        saved_instants=saved,
    )
    values = _expiry_values("earned", badge.get("earnedBadgeExpiry"))
    values |= _expiry_values("issued", badge.get("issuedBadgeExpiry"))
    values |= {path: shown_in_widget(value) for path, value in saved.items()}
    values |= _limit_values(
        list(badge.get("customerConstraints") or []) + list(badge.get("badgeConstraints") or [])
    )
    return with_values(form, values)
