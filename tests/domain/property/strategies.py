"""Hypothesis strategies for badges, fixed-window rules and earn attempts."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from lib.domain import DurationUnit, FixedWindowRule, Weekday

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"]

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)

rules = st.builds(
    FixedWindowRule,
    unit=st.sampled_from(list(DurationUnit)),
    refresh_rate=st.integers(min_value=1, max_value=45),
    week_start=st.sampled_from(list(Weekday)),
)


@st.composite
def badge_periods(draw, max_days: int = 800) -> tuple[datetime, datetime]:
    start = draw(instants)
    length = draw(st.integers(min_value=0, max_value=max_days * 86_400))
    return start, start + timedelta(seconds=length)
