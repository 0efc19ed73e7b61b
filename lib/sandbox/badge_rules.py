"""A stored badge seen through `lib.domain`: its edit-rule violations, its limits, its cycle configs.

The sandbox keeps no rule of its own. A badge's canonical wire JSON is read into the domain's
`BadgeDraft` by `lib.api.convert`, the same reading the console's editor previews with;
`check_badge` says what an edit breaks, and `BadgeRules` plus the fixed-window configs decide earns.
Fixed-window configs live beside the badge as a list of entries because a live change of the cycle
shape leaves two of them (the running one, cut at the change, and the upcoming one), and both keep
counting for their own span.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lib.api.convert import badge_draft, badge_rules
from lib.api.models.instants import from_epoch
from lib.domain import (
    ConstraintLevel,
    CycleLayout,
    FixedWindowLimit,
    FixedWindowRule,
    Weekday,
)
from lib.domain.badge import BadgeRules
from lib.domain.rules import check_badge
from lib.domain.window_plan import plan_fixed_windows as plan_level_windows
from lib.sandbox import errors as E
from lib.sandbox.common import epoch

_CODE_TO_ERROR: dict[int, type[E.SandboxError]] = {
    720: E.StartAfterEnd,
    722: E.StartInPast,
    723: E.StartLockedWhenLive,
    724: E.ExpiryInPast,
    725: E.DuplicateBadgeName,
    728: E.OwnerRequired,
    826: E.WindowTypeChange,
}


def _instant(value: Any) -> datetime | None:
    """A stored epoch-seconds field of an entry; None (open-ended) when unset."""
    return from_epoch(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def badge_violations(
    saved: dict[str, Any] | None, edited: dict[str, Any], now: datetime, *, migration: bool = False
) -> list[E.SandboxError]:
    """`check_badge`'s violations as the sandbox's typed errors (same codes, same fields)."""
    violations = check_badge(
        badge_draft(saved) if saved else None, badge_draft(edited), now, migration=migration
    )
    out: list[E.SandboxError] = []
    for violation in violations:
        kind = _CODE_TO_ERROR.get(violation.code, E.InvalidRequest)
        out.append(kind(violation.message, reference=violation.field))
    return out


# ---- fixed-window configs -----------------------------------------------------------------------
@dataclass(frozen=True)
class FixedWindowConfig:
    """One fixed-window config of a badge, with the span it applies to."""

    level: str
    reference_id: str
    limit: FixedWindowLimit

    def layout(self, badge_start: datetime, badge_end: datetime | None) -> CycleLayout:
        return self.limit.layout(badge_start, badge_end)


def _rule_of(raw: dict[str, Any]) -> FixedWindowRule:
    unit = raw["durationType"]
    refresh = raw.get("refreshRate") if unit == "DAYS" else 1
    week_start = raw.get("startDayOfTheWeek")
    return FixedWindowRule(
        unit, refresh or 1, Weekday.from_api(week_start) if week_start is not None else Weekday.MONDAY
    )


def _entry_limit(entry: dict[str, Any]) -> FixedWindowLimit:
    return FixedWindowLimit(
        ConstraintLevel(entry["level"]),
        int(entry["maxEarnLimit"]),
        _rule_of(entry),
        effective_from=_instant(entry.get("effectiveFrom")),
        effective_until=_instant(entry.get("effectiveUntil")),
    )


def fixed_window_configs(entries: list[dict[str, Any]]) -> list[FixedWindowConfig]:
    return [FixedWindowConfig(e["level"], e["referenceId"], _entry_limit(e)) for e in entries]


def _entry(constraint: dict[str, Any], limit: FixedWindowLimit | None = None) -> dict[str, Any]:
    level = "CUSTOMER" if str(constraint["constraintType"]).startswith("CUSTOMER_") else "BADGE"
    entry = {
        "level": level,
        "referenceId": constraint["referenceId"],
        "maxEarnLimit": constraint.get("maxEarnLimit"),
        "durationType": constraint.get("durationType"),
        "refreshRate": constraint.get("refreshRate"),
        "startDayOfTheWeek": constraint.get("startDayOfTheWeek"),
        "effectiveFrom": None,
        "effectiveUntil": None,
    }
    if limit is not None:
        entry["maxEarnLimit"] = limit.max_earn
        entry["effectiveFrom"] = epoch(limit.effective_from) if limit.effective_from else None
        entry["effectiveUntil"] = epoch(limit.effective_until) if limit.effective_until else None
    return entry


def _fixed_window_of(doc: dict[str, Any], level: str) -> dict[str, Any] | None:
    key = "customerConstraints" if level == "CUSTOMER" else "badgeConstraints"
    return next(
        (c for c in doc.get(key) or [] if str(c.get("constraintType", "")).endswith("FIXED_WINDOW")), None
    )


def _continued(entry: dict[str, Any], limit: FixedWindowLimit) -> dict[str, Any]:
    """A stored entry carried on by `limit` (same reference id); only what the plan changed is new."""
    before = _entry_limit(entry)
    out = dict(entry)
    if limit.max_earn != before.max_earn:
        out["maxEarnLimit"] = limit.max_earn
    for key, value, old in (
        ("effectiveFrom", limit.effective_from, before.effective_from),
        ("effectiveUntil", limit.effective_until, before.effective_until),
    ):
        if value != old:
            out[key] = epoch(value) if value else None
    return out


def plan_fixed_windows(
    saved: dict[str, Any] | None, edited: dict[str, Any], entries: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The fixed-window entries after saving `edited`, as `lib.domain.window_plan` plans them (the plan
    the editor's preview draws)."""
    out: list[dict[str, Any]] = []
    start, end = from_epoch(edited["startOn"]), _instant(edited.get("expiresOn"))
    for level in ("CUSTOMER", "BADGE"):
        mine = [e for e in entries if e["level"] == level]
        new = _fixed_window_of(edited, level)
        if new is None:
            continue  # the limit was removed: its cycles go with it
        if saved is None or not mine:
            out.append(_entry(new))
            continue
        saved_limits = [_entry_limit(e) for e in mine]
        plan = plan_level_windows(saved_limits, _entry_limit(_entry(new)), now, start, end)
        if plan.edit_continues is not None:
            new["referenceId"] = mine[plan.edit_continues]["referenceId"]
        for window in plan.windows:
            if window.continues is None:
                out.append(_entry(new, window.limit))
            else:
                out.append(_continued(mine[window.continues], window.limit))
    return out


def rules_of(doc: dict[str, Any], entries: list[dict[str, Any]]) -> BadgeRules:
    """The badge's earn rules, with every fixed-window config bounded to its own span."""
    base = badge_rules(doc)
    configs = fixed_window_configs(entries)
    customer = tuple(x for x in base.customer_limits if not isinstance(x, FixedWindowLimit))
    badge = tuple(x for x in base.badge_limits if not isinstance(x, FixedWindowLimit))
    customer += tuple(c.limit for c in configs if c.level == "CUSTOMER")
    badge += tuple(c.limit for c in configs if c.level == "BADGE")
    return BadgeRules(
        start=base.start,
        end=base.end,
        earn_type=base.earn_type,
        customer_limits=customer,
        badge_limits=badge,
        earned_expiry=base.earned_expiry,
        issued_expiry=base.issued_expiry,
    )
