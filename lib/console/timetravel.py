"""Time travel for demos: where the backend's "now" stands, how far it is from real time, where to jump.

The local sandbox's clock can be moved (`PUT /_sandbox/clock`); statuses, cycles and expiries all
follow it, so a presenter can show a cycle roll over or badges expire live. Every page reads the
backend's now, and says so when it is not real time (`clock_note`). The jumps a sidebar offers are
a day, a week, and the next fixed-window cycle boundary, computed with `lib.domain`'s cycle layout
(the one the sandbox counts earns with), so the jump lands exactly where a new cycle starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lib.domain import BadgeRules, FixedWindowLimit

JUMPS = {"+1 day": timedelta(days=1), "+1 week": timedelta(weeks=1)}
REAL_TIME_TOLERANCE = timedelta(minutes=1)
"""A clock closer than this to real time is real time (it was just set back, or it is this machine's)."""


def moment(at: datetime) -> str:
    """'Sat 13 Dec 2026 00:00 UTC': how the console writes an instant people act on."""
    return f"{at:%a %d %b %Y %H:%M} UTC"


def offset_text(delta: timedelta) -> str:
    """'7 days 2 h ahead' / '3 h behind': how far a clock is from real time, roughly."""
    ahead = delta >= timedelta(0)
    left = abs(delta)
    days, hours = left.days, left.seconds // 3600
    minutes = (left.seconds % 3600) // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours and days < 7:
        parts.append(f"{hours} h")
    if not days and minutes:
        parts.append(f"{minutes} min")
    return f"{' '.join(parts) or 'less than a minute'} {'ahead' if ahead else 'behind'}"


def is_real_time(now: datetime, real_now: datetime) -> bool:
    return abs(now - real_now) <= REAL_TIME_TOLERANCE


def clock_note(now: datetime, real_now: datetime) -> str | None:
    """None for real time; else what every page says about the moved sandbox clock."""
    if is_real_time(now, real_now):
        return None
    return (
        f"Sandbox clock: {moment(now)}, {offset_text(now - real_now)} of real time. "
        "Statuses, cycles and expiries are as of that moment."
    )


def title_line(org: str, backend: str, as_of: datetime, *, real_time: bool) -> str:
    """The line under a page title: which org and backend the numbers come from, and as of when."""
    clock = "" if real_time else " (sandbox clock)"
    return f"Org **{org}** on {backend} · as of {moment(as_of)}{clock}"


@dataclass(frozen=True)
class Boundary:
    """The start of a new cycle of one fixed-window limit of one badge."""

    at: datetime
    badge_id: str
    badge: str
    limit: str  # "Badge: 2500 per week (from Monday)"


def fixed_window_limits(rules: BadgeRules) -> list[FixedWindowLimit]:
    return [limit for limit in rules.limits if isinstance(limit, FixedWindowLimit)]


def next_boundaries(
    badge_id: str, badge: str, rules: BadgeRules, now: datetime, *, count: int = 3
) -> list[Boundary]:
    """The next `count` cycle starts after `now` of each fixed-window limit of one badge, in time order."""
    found: list[Boundary] = []
    for limit in fixed_window_limits(rules):
        layout = limit.layout(rules.start, rules.end)
        at = now
        for _ in range(count):
            following = layout.next_boundary(at)
            if following is None:
                break
            found.append(Boundary(following, badge_id, badge, limit.describe()))
            at = following
    return sorted(found, key=lambda b: (b.at, b.limit))


def next_boundary(badges: Iterable[tuple[str, str, BadgeRules]], now: datetime) -> Boundary | None:
    """The earliest cycle start after `now` among the badges' fixed-window limits (id, name, rules)."""
    candidates = [
        boundary
        for badge_id, name, rules in badges
        for boundary in next_boundaries(badge_id, name, rules, now, count=1)
    ]
    return min(candidates, key=lambda b: b.at, default=None)
