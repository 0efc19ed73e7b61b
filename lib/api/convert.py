"""The one bridge from wire models to the domain: badge bodies and answers -> `BadgeDraft` / `BadgeRules`.

The sandbox (enforcing limits, checking edits) and the console (live preview of a form) both go
through here, so they read a badge the same way. Input may be one of our badge models, or a raw
wire-shaped mapping (a request body that is still incomplete, or that holds values the models would
refuse): drafts keep unknown enum spellings as raw text, so `check_badge` can answer with the
server's own "Invalid enum value" message instead of a parse error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from lib.api.models.enums import read_duration_unit, read_earn_type
from lib.api.models.instants import TwinWins, parse_instant, twin_candidates
from lib.api.models.wire import WireModel, whole_number
from lib.domain import BadgeDraft, BadgeRules, ConstraintDraft, ExpiryDraft

__all__ = [
    "badge_draft",
    "badge_rules",
    "constraint_draft",
    "expiry_draft",
    "saved_badge_draft",
    "stored_instants",
]


def badge_draft(badge: BaseModel | Mapping[str, Any]) -> BadgeDraft:
    """The domain's view of a badge: any badge model (`Badge`, `BadgeCreate`, `BadgeUpdate`,
    `BadgeSummary`, `CustomerBadge`) or a wire-shaped mapping (camelCase keys, as sent).

    The `...ISO` twin wins over the epoch field when both are present, as the server decides.
    """
    data = _wire_mapping(badge)
    ownership = data.get("ownership")
    owners = ownership.get("restrictedToOwners") if isinstance(ownership, Mapping) else None
    return BadgeDraft(
        id=_text(data.get("id", data.get("badgeMetaId"))),
        name=_text(data.get("name")),
        start_on=_instant(data, "startOn"),
        expires_on=_instant(data, "expiresOn"),
        earn_type=_enum_text(data.get("earnType"), read_earn_type),
        earned_expiry=expiry_draft(data.get("earnedBadgeExpiry")),
        issued_expiry=expiry_draft(data.get("issuedBadgeExpiry")),
        owners=tuple(str(owner) for owner in owners) if isinstance(owners, Sequence) else None,
        customer_constraints=_constraints(data.get("customerConstraints")),
        badge_constraints=_constraints(data.get("badgeConstraints")),
    )


def badge_rules(badge: BaseModel | Mapping[str, Any]) -> BadgeRules:
    """The earn rules of a complete badge (period, earn type, limits, expiries).

    Raises ValueError naming what is missing when the badge is incomplete; run
    `lib.domain.check_badge(None, badge_draft(badge), now)` first to list every problem.
    """
    return badge_draft(badge).to_rules()


def stored_instants(saved: Mapping[str, Any]) -> dict[str, Any]:
    """A saved badge (an answer) with its instants read from the epoch fields only (`TwinWins.EPOCH`).

    In a request the `...ISO` twin wins, and `badge_draft` reads bodies that way; in an answer the
    twin is the stored instant written to the second (`"startOnISO": "...T06:33:39Z"` beside
    `"startOn": 1795242819.946771`), so a start sent back exactly would look moved (723). See
    `lib.api.models.instants` for both rules.
    """

    def epochs_only(body: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: value
            for key, value in body.items()
            if not (key.endswith("ISO") and body.get(key[:-3]) is not None)
        }

    out = epochs_only(saved)
    for key in ("earnedBadgeExpiry", "issuedBadgeExpiry"):
        if isinstance(out.get(key), Mapping):
            out[key] = epochs_only(out[key])
    return out


def saved_badge_draft(badge: BaseModel | Mapping[str, Any]) -> BadgeDraft:
    """A badge as the server holds it (an answer of get or list), its instants read from the epoch
    fields: the draft `check_badge` compares an edit against."""
    data = badge.to_wire(omit_none=False) if isinstance(badge, WireModel) else _wire_mapping(badge)
    return badge_draft(stored_instants(data))


def expiry_draft(config: BaseModel | Mapping[str, Any] | None) -> ExpiryDraft | None:
    """`earnedBadgeExpiry` / `issuedBadgeExpiry` as a draft (None when absent)."""
    if config is None:
        return None
    data = _wire_mapping(config)
    relative_unit = data.get("relativeExpirytype", data.get("relativeExpiryType"))
    return ExpiryDraft(
        expiry_type=_enum_text(data.get("expiryType"), _upper),
        kind=_enum_text(data.get("type"), _upper),
        fixed_at=_instant(data, "expiresOn"),
        relative_unit=_enum_text(relative_unit, read_duration_unit),
        value=whole_number(data.get("value")),
        expire_with_badge_meta=data.get("expireWithBadgeMeta")
        if isinstance(data.get("expireWithBadgeMeta"), bool)
        else None,
    )


def constraint_draft(constraint: BaseModel | Mapping[str, Any]) -> ConstraintDraft:
    """One `customerConstraints` / `badgeConstraints` entry as a draft."""
    data = _wire_mapping(constraint)
    week_start = data.get("startDayOfTheWeek")
    return ConstraintDraft(
        constraint_type=_enum_text(data.get("constraintType"), _upper),
        max_earn_limit=whole_number(data.get("maxEarnLimit")),
        duration_type=_enum_text(data.get("durationType"), read_duration_unit),
        refresh_rate=whole_number(data.get("refreshRate")),
        start_day_of_the_week=week_start if isinstance(week_start, str | int) else None,
        roll_type=_enum_text(data.get("rollType"), read_duration_unit),
        roll_value=whole_number(data.get("rollValue")),
        max_earn_for_days=whole_number(data.get("maxEarnForDays")),
        roll_for_days=whole_number(data.get("rollForDays")),
        max_earn_for_weeks=whole_number(data.get("maxEarnForWeeks")),
        roll_for_weeks=whole_number(data.get("rollForWeeks")),
        max_earn_for_months=whole_number(data.get("maxEarnForMonths")),
        roll_for_months=whole_number(data.get("rollForMonths")),
        reference_id=_text(data.get("referenceId")),
    )


# ---- reading wire-shaped values leniently -------------------------------------------------------


def _wire_mapping(value: BaseModel | Mapping[str, Any]) -> Mapping[str, Any]:
    """camelCase keys; datetimes stay datetimes (python mode), enums stay members."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"expected a badge model or a mapping, got {type(value).__name__}")


def _constraints(items: Any) -> tuple[ConstraintDraft, ...]:
    if not isinstance(items, Sequence) or isinstance(items, str | bytes):
        return ()
    return tuple(constraint_draft(item) for item in items if isinstance(item, Mapping | BaseModel))


def _instant(data: Mapping[str, Any], key: str) -> datetime | None:
    """Instant `key` of a body, the ISO twin first (`TwinWins.ISO`); a value that cannot be read is
    passed over for its twin, and None leaves the draft to report the field as missing."""
    for _name, candidate in twin_candidates(data, key, TwinWins.ISO):
        try:
            return parse_instant(candidate)
        except ValueError:
            continue
    return None


def _enum_text(value: Any, normalise: Any) -> str | None:
    """The canonical spelling of a known alias; anything else kept as given (for the 400 message)."""
    if value is None:
        return None
    normalised = normalise(value)
    return str(normalised) if normalised is not None else None


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value)
