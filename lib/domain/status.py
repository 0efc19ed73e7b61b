"""Badge status is derived from time, never stored: the same clock gives the same answer everywhere."""

from datetime import datetime

from lib.domain.enums import BadgeStatus
from lib.domain.timeutil import as_utc


def badge_status(start: datetime, end: datetime | None, now: datetime) -> BadgeStatus:
    """UPCOMING before `start`, LIVE while `start <= now <= end` (both ends inclusive), then EXPIRED.

    `end=None` (an open-ended badge) never expires. Example: a badge ending 2024-06-30T23:59:59Z is
    still LIVE at exactly that second and EXPIRED one second later.
    """
    start = as_utc(start, "start")
    now = as_utc(now, "now")
    if now < start:
        return BadgeStatus.UPCOMING
    if end is not None and now > as_utc(end, "end"):
        return BadgeStatus.EXPIRED
    return BadgeStatus.LIVE
