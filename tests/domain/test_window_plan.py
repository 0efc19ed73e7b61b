"""The configs of one level after a saved edit: the one plan the editor previews and the sandbox stores."""

from dataclasses import replace
from datetime import UTC, datetime

from lib.domain import ConstraintLevel, DurationUnit, FixedValueLimit, FixedWindowLimit, FixedWindowRule
from lib.domain.rules import FixedWindowChangeKind
from lib.domain.window_plan import PlannedWindow, plan_fixed_windows, planned_limits


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


START, END = utc("2024-04-15T10:33:20"), utc("2024-07-31T23:59:59")
FIVE_DAYS = FixedWindowLimit(ConstraintLevel.CUSTOMER, 1, FixedWindowRule(DurationUnit.DAYS, refresh_rate=5))
MONTHLY = FixedWindowLimit(ConstraintLevel.CUSTOMER, 4, FixedWindowRule(DurationUnit.MONTHS))
WEEKLY = FixedWindowLimit(ConstraintLevel.CUSTOMER, 2, FixedWindowRule(DurationUnit.WEEKS))


def test_nothing_saved_the_edit_applies_as_it_is():
    plan = plan_fixed_windows((), MONTHLY, utc("2024-04-27"), START, END)
    assert plan.windows == (PlannedWindow(MONTHLY, None),) and plan.change is None
    assert plan.edit_continues is None


def test_a_new_cycle_shape_on_a_live_badge_cuts_the_running_config():
    plan = plan_fixed_windows((FIVE_DAYS,), MONTHLY, utc("2024-04-27T08:00"), START, END)
    assert plan.change.kind is FixedWindowChangeKind.NEW_UPCOMING_CONFIG
    assert [w.continues for w in plan.windows] == [0, None] and plan.edit_continues is None
    assert plan.limits == (replace(FIVE_DAYS, effective_until=utc("2024-05-01")), plan.change.upcoming)


def test_a_new_max_keeps_the_saved_config():
    plan = plan_fixed_windows((FIVE_DAYS,), replace(FIVE_DAYS, max_earn=3), utc("2024-04-27"), START, END)
    assert plan.limits == (replace(FIVE_DAYS, max_earn=3),) and plan.edit_continues == 0


def test_replacing_an_upcoming_config_moves_the_running_configs_end():
    running = replace(FIVE_DAYS, effective_until=utc("2024-05-01"))
    upcoming = replace(MONTHLY, effective_from=utc("2024-05-01"))
    plan = plan_fixed_windows((running, upcoming), WEEKLY, utc("2024-04-28"), START, END)
    assert plan.change.kind is FixedWindowChangeKind.REPLACED
    assert [w.continues for w in plan.windows] == [0, None]
    assert plan.limits[0].effective_until == utc("2024-05-06") == plan.limits[1].effective_from


def test_planned_limits_keep_the_order_and_plan_only_fixed_windows():
    lifetime = FixedValueLimit(ConstraintLevel.CUSTOMER, 10)
    got = planned_limits((FIVE_DAYS,), (lifetime, MONTHLY), utc("2024-04-27T08:00"), START, END)
    assert got[0] == lifetime and len(got) == 3
    assert planned_limits((lifetime,), (MONTHLY,), utc("2024-04-27"), START, END) == (MONTHLY,)
