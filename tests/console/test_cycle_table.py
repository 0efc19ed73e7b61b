"""Which dates are my cycles: the editor's cycle tables against the documented examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lib.console.cycle_table import (
    PAGE_ROWS,
    VIEWS,
    cycle_table,
    cycle_tables,
    default_view,
    ticks_within,
    zoom_range,
)
from lib.domain import BadgeRules, ConstraintLevel, FixedWindowLimit
from lib.domain.cycles import FixedWindowRule


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _limit(unit: str, rate: int = 1, *, level=ConstraintLevel.CUSTOMER, week_start="MONDAY", max_earn=1):
    return FixedWindowLimit(level, max_earn, FixedWindowRule(unit, rate, week_start))


def _span(table) -> list[tuple[str, str]]:
    return list(zip(table.frame["First day"], table.frame["Last day"], strict=True))


def test_the_documented_weekly_example_reads_as_dates():
    """25 Sep - 1 Oct, 2 - 8 Oct, ... 30 Oct: six weekly cycles, the last one a single day."""
    rules = BadgeRules(_at(2023, 9, 25), _at(2023, 10, 30, 23, 59, 59))
    table = cycle_table(_limit("WEEKS"), rules, now=_at(2023, 10, 3))
    assert _span(table) == [
        ("2023-09-25", "2023-10-01"),
        ("2023-10-02", "2023-10-08"),
        ("2023-10-09", "2023-10-15"),
        ("2023-10-16", "2023-10-22"),
        ("2023-10-23", "2023-10-29"),
        ("2023-10-30", "2023-10-30"),
    ]
    assert table.summary == "6 weekly cycles, the last one 1 day"
    assert table.frame["Days"].tolist() == [7, 7, 7, 7, 7, 1]
    assert table.running == 1 and table.frame["Note"][1] == "running now"
    assert "partial: ends with the badge, 1 day" in table.frame["Note"][5]
    assert table.title.startswith("Customer fixed window · ")


def test_three_and_five_day_cycles_count_from_the_badge_start():
    rules = BadgeRules(_at(2024, 4, 1), _at(2024, 4, 12, 23, 59, 59))
    three = cycle_table(_limit("DAYS", 3), rules, now=_at(2024, 4, 5))
    assert _span(three)[:2] == [("2024-04-01", "2024-04-03"), ("2024-04-04", "2024-04-06")]
    assert three.summary == "4 cycles of 3 days"
    five = cycle_table(_limit("DAYS", 5), rules, now=_at(2024, 4, 5))
    assert _span(five) == [
        ("2024-04-01", "2024-04-05"),
        ("2024-04-06", "2024-04-10"),
        ("2024-04-11", "2024-04-12"),
    ]
    assert five.summary == "3 cycles of 5 days, the last one 2 days"


def test_a_week_that_starts_mid_badge_cuts_the_first_cycle():
    rules = BadgeRules(_at(2024, 4, 3), _at(2024, 4, 21, 23, 59, 59))  # a Wednesday to a Sunday
    table = cycle_table(_limit("WEEKS"), rules, now=_at(2024, 1, 1))
    assert _span(table)[0] == ("2024-04-03", "2024-04-07")
    assert table.frame["Note"][0] == "partial: starts with the badge, 5 days"
    assert table.running is None


def test_monthly_cycles_follow_the_calendar():
    rules = BadgeRules(_at(2024, 1, 15), _at(2024, 4, 10, 23, 59, 59))
    table = cycle_table(_limit("MONTHS"), rules, now=_at(2024, 2, 20))
    assert _span(table) == [
        ("2024-01-15", "2024-01-31"),
        ("2024-02-01", "2024-02-29"),
        ("2024-03-01", "2024-03-31"),
        ("2024-04-01", "2024-04-10"),
    ]
    assert table.summary == "4 monthly cycles, the last one 10 days"


def test_an_open_ended_badge_lists_its_next_year():
    table = cycle_table(_limit("WEEKS"), BadgeRules(_at(2024, 1, 1), None), now=_at(2024, 1, 1))
    assert "no end date" in table.summary and 52 <= len(table.frame) <= 54


def test_long_tables_page_and_open_on_the_running_cycle():
    rules = BadgeRules(_at(2024, 1, 1), _at(2025, 12, 31, 23, 59, 59))
    table = cycle_table(_limit("DAYS"), rules, now=_at(2024, 6, 1))
    assert len(table.frame) == 731 and table.pages == -(-731 // PAGE_ROWS)
    page = table.page(table.page_of_running())
    assert "2024-06-01" in page["First day"].tolist()


def test_customer_level_comes_first_and_each_level_has_its_table():
    rules = BadgeRules(
        _at(2024, 1, 1),
        _at(2024, 3, 1),
        customer_limits=(_limit("WEEKS"),),
        badge_limits=(_limit("DAYS", 3, level=ConstraintLevel.BADGE, max_earn=100),),
    )
    tables = cycle_tables(rules, _at(2024, 1, 10))
    assert [t.title.split(" ")[0] for t in tables] == ["Customer", "Badge"]
    assert tables[1].frame["Max earns"].iloc[0] == 100


def test_zoom_shows_a_few_cycles_around_the_running_one_with_ticks_on_boundaries():
    rules = BadgeRules(_at(2024, 1, 1), _at(2024, 12, 31, 23, 59, 59))
    table = cycle_table(_limit("WEEKS"), rules, now=_at(2024, 6, 5))
    assert default_view(table) == VIEWS[1]
    low, high = zoom_range(table, VIEWS[1])
    assert low <= _at(2024, 6, 5) <= high and high - low <= timedelta(days=7 * 6 + 2)
    ticks = ticks_within(table, (low, high))
    assert ticks and all(t.weekday() == 0 for t in ticks)  # Mondays: the cycles' own boundaries
    first_low, first_high = zoom_range(table, VIEWS[0])
    assert first_low < _at(2024, 1, 1) < first_high
    assert zoom_range(table, VIEWS[2]) is None
