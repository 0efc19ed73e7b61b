"""What expires soon: enrolments and earns of one badge expiring in the next days, as far as the API tells.

Nothing in the API lists enrolments or earns by expiry date across customers. So each line says how
it knows: exact when the expiry is a date (a fixed date, or the badge's end: everything still active
expires then), exact for what this console's bulk jobs sent (their journals hold when each row
settled, and an import's expiry), and an estimate when earns expire a fixed time after they are
processed: the earns counted in the cycles of the matching past window (by event date, which is the
processing date for earns sent live).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from lib.console.timetravel import moment
from lib.domain import AbsoluteExpiryKind, BadgeRules, ExpiryRule, ExpiryType

HORIZON = timedelta(days=30)
ENROL_OPERATIONS = ("enrol",)
IMPORT_OPERATIONS = ("import",)

EXPIRY_SOURCE = (
    "The API lists no enrolments or earns by expiry date across customers: exact where the expiry is a date "
    "or this console sent them, else an estimate from the cycles' earn counts."
)


def _window_text(rule: ExpiryRule) -> str:
    if rule.type is ExpiryType.RELATIVE:
        return f"{rule.value} {str(rule.unit).lower()} after processing"
    if rule.type is ExpiryType.NEVER:
        return "never"
    return "with the badge's end" if rule.kind is AbsoluteExpiryKind.WITH_BADGE_META else "on a fixed date"


def _fixed_instant(rule: ExpiryRule, badge_end: datetime | None) -> datetime | None:
    if rule.type is not ExpiryType.ABSOLUTE:
        return None
    return badge_end if rule.kind is AbsoluteExpiryKind.WITH_BADGE_META else rule.fixed_at


def _estimate_from_cycles(cycles: pd.DataFrame, since: datetime, until: datetime, now: datetime) -> int:
    """Earns whose event date falls in [since, until), prorated over the cycles (counted so far)."""
    total = 0.0
    lo, hi, at = pd.Timestamp(since), pd.Timestamp(min(until, now)), pd.Timestamp(now)
    for start, end, earns in zip(cycles["start"], cycles["end"], cycles["earns"], strict=True):
        counted_end = min(end, at)
        span = (counted_end - start).total_seconds()
        overlap = (min(counted_end, hi) - max(start, lo)).total_seconds()
        if span > 0 and overlap > 0:
            total += earns * overlap / span
    return round(total)


def expiring_soon(
    rules: BadgeRules,
    *,
    issued: int,
    earned: int,
    cycles: pd.DataFrame,
    console: pd.DataFrame,
    now: datetime,
    horizon: timedelta = HORIZON,
) -> pd.DataFrame:
    """Enrolments and earns expiring between now and `horizon` ahead, as far as the API lets us know."""
    until = now + horizon
    rows = []

    def add(what: str, count: str, when: str, how: str) -> None:
        rows.append({"What": what, "Expiring": count, "When": when, "How we know": how})

    def by_date(what: str, rule: ExpiryRule, total: int, counter: str) -> bool:
        at = _fixed_instant(rule, rules.end)
        if at is None:
            return False
        if now < at <= until:
            add(
                what,
                f"up to {total:,}",
                moment(at),
                f"Every one still active expires then ({counter}, not revoked).",
            )
        else:
            add(
                what,
                "0",
                f"{moment(at)}" if at else "",
                "They all expire on that date, outside the next 30 days.",
            )
        return True

    earned_rule = rules.earned_expiry or ExpiryRule(ExpiryType.NEVER)
    if earned_rule.type is ExpiryType.NEVER:
        add("Earned badges", "0", "", "Earned badges never expire (earnedBadgeExpiry NEVER).")
    elif not by_date("Earned badges", earned_rule, earned, "earnedCount"):
        span = rules.earned_expires_at(now) - now
        if cycles.empty:
            add(
                "Earned badges",
                "unknown",
                f"{_window_text(earned_rule)}",
                "The API lists no earns by date for this badge (no badge-level fixed window to count them).",
            )
        else:
            estimate = _estimate_from_cycles(cycles, now - span, until - span, now)
            add(
                "Earned badges",
                f"about {estimate:,}",
                f"earned {moment(now - span)[4:15]} to {moment(min(until - span, now))[4:15]}",
                f"Estimate: earns per cycle (by event date) of the earns that expire {_window_text(earned_rule)}.",
            )
    if rules.issued_expiry is not None and str(rules.earn_type) == "ISSUE_EARN":
        issued_rule = rules.issued_expiry
        if issued_rule.type is ExpiryType.NEVER:
            add("Enrolments", "0", "", "Enrolments never expire (issuedBadgeExpiry NEVER).")
        elif not by_date("Enrolments", issued_rule, issued, "issuedCount"):
            span = rules.enrolment_expires_at(now) - now
            mine = console[console["operation"].isin(ENROL_OPERATIONS)] if not console.empty else console
            soon = (
                int(
                    (
                        (mine["at"] + span > pd.Timestamp(now)) & (mine["at"] + span <= pd.Timestamp(until))
                    ).sum()
                )
                if not mine.empty
                else 0
            )
            add(
                "Enrolments made by this console",
                f"{soon:,}",
                f"{_window_text(issued_rule)}",
                "Exact for the enrolments this console's bulk jobs made; the API lists no other enrolments by date.",
            )
    imported = console[console["operation"].isin(IMPORT_OPERATIONS)] if not console.empty else console
    if not imported.empty:
        expires = pd.to_datetime(imported["expires"], unit="s", utc=True)
        soon = int(((expires > pd.Timestamp(now)) & (expires <= pd.Timestamp(until))).sum())
        add(
            "Earns imported by this console",
            f"{soon:,}",
            "as each import row set it",
            "Exact: from the import's journal.",
        )
    return pd.DataFrame(rows, columns=["What", "Expiring", "When", "How we know"])
