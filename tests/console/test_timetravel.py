"""Time travel for demos: the clock's note, and where "next cycle boundary" jumps."""

from datetime import UTC, datetime, timedelta

from lib.console.timetravel import clock_note, is_real_time, next_boundary, offset_text, title_line
from lib.domain import BadgeRules, ConstraintLevel, DurationUnit, FixedWindowLimit, FixedWindowRule, Weekday

REAL = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)  # a Sunday


def _rules(limit: FixedWindowLimit | None) -> BadgeRules:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return BadgeRules(start=start, end=start + timedelta(days=500), badge_limits=(limit,) if limit else ())


def test_real_time_says_nothing_and_a_moved_clock_says_how_far():
    assert clock_note(REAL + timedelta(seconds=20), REAL) is None
    note = clock_note(REAL + timedelta(days=7, hours=2), REAL)
    assert note.startswith("Sandbox clock: Sun 13 Dec 2026 12:30 UTC, 7 days ahead of real time")
    assert offset_text(timedelta(hours=-3)) == "3 h behind"
    assert offset_text(timedelta(days=2, hours=5)) == "2 days 5 h ahead"
    assert not is_real_time(REAL + timedelta(minutes=5), REAL)


def test_the_title_line_names_org_backend_and_as_of():
    assert title_line("demo", "Local sandbox", REAL, real_time=True) == (
        "Org **demo** on Local sandbox · as of Sun 06 Dec 2026 10:30 UTC"
    )
    assert title_line("demo", "Local sandbox", REAL, real_time=False).endswith("(sandbox clock)")


def test_next_boundary_is_the_earliest_new_cycle_among_the_badges():
    weekly = FixedWindowLimit(
        ConstraintLevel.BADGE, 10, FixedWindowRule(DurationUnit.WEEKS, week_start=Weekday.MONDAY)
    )
    monthly = FixedWindowLimit(ConstraintLevel.BADGE, 10, FixedWindowRule(DurationUnit.MONTHS))
    found = next_boundary([("m", "Monthly", _rules(monthly)), ("w", "Weekly", _rules(weekly))], REAL)
    assert (found.badge, found.at) == ("Weekly", datetime(2026, 12, 7, tzinfo=UTC))  # Monday beats the 1st
    assert next_boundary([("m", "Monthly", _rules(monthly))], REAL).at == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_boundary([("n", "No limit", _rules(None))], REAL) is None
