"""Editor checks: the wire request, rule violations, diff, curl and the what-if simulation."""

from datetime import UTC, datetime, timedelta

from lib.console.badge_form import BadgeForm, with_values
from lib.console.editor import (
    build_request,
    diff,
    preview_parts,
    preview_rules,
    rule_violations,
    section_of,
    what_if,
)
from lib.console.form_wire import from_body, to_body

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _form(changes: dict | None = None) -> BadgeForm:
    """A valid form with the values at the given paths changed ("customer.fixed_window.on": True)."""
    form = BadgeForm(
        name="Weekend warrior", start=datetime(2026, 12, 1), end=datetime(2027, 2, 28, 23, 59, 59)
    )
    return with_values(form, changes or {})


def test_create_request_is_the_wire_form_of_the_create_model():
    request = build_request(_form(), badge_id=None)
    assert request.sendable and request.method == "POST" and request.path.endswith("/badgeMeta")
    assert request.body["startOn"] == 1796083200
    assert "id" not in request.body
    assert '"earnType": "EARN"' in request.json_text()


def test_update_request_carries_the_id():
    request = build_request(_form(), badge_id="661e11563753c37878a8b2c7")
    assert request.method == "PUT" and request.body["id"] == "661e11563753c37878a8b2c7"


def test_a_valid_badge_breaks_no_rule():
    assert rule_violations(None, build_request(_form(), badge_id=None), NOW) == []


def test_rules_are_reported_with_code_and_field():
    request = build_request(_form({"name": "", "start": datetime(2026, 11, 1), "owners": []}), badge_id=None)
    found = {(v.code, v.field) for v in rule_violations(None, request, NOW)}
    assert (722, "startOn") in found
    assert (728, "ownership.restrictedToOwners") in found
    assert any(field == "name" for _, field in found)


def test_live_badge_cannot_turn_a_fixed_window_into_a_rolling_window():
    saved = to_body(
        _form({"start": datetime(2026, 11, 1), "customer.fixed_window.on": True}),
        badge_id="661e11563753c37878a8b2c7",
    )
    edited = _form(
        {
            "start": datetime(2026, 11, 1),
            "customer.rolling.on": True,
            "customer.rolling.days.max_earn": 1,
            "customer.rolling.days.span": 1,
        }
    )
    found = rule_violations(saved, build_request(edited, badge_id="661e11563753c37878a8b2c7"), NOW)
    assert 826 in {v.code for v in found}
    assert section_of(next(v.field for v in found if v.code == 826)) == "customer"


def test_section_of_fields():
    assert section_of("customerConstraints[0].refreshRate") == "customer"
    assert section_of("badgeConstraints[1]") == "badge"
    assert section_of("earnedBadgeExpiry.value") == "expiry"
    assert section_of("startOn") == "period"


def test_diff_lists_changed_wire_paths_only():
    saved = to_body(
        _form({"customer.fixed_window.on": True, "customer.fixed_window.max_earn": 1}), badge_id="x"
    )
    edited = to_body(
        _form({"customer.fixed_window.on": True, "customer.fixed_window.max_earn": 2, "description": "new"}),
        badge_id="x",
    )
    changes = {c.field: (c.saved, c.edited) for c in diff(saved | {"issuedCount": 5}, edited)}
    assert changes == {"description": ("", "new"), "customerConstraints[0].maxEarnLimit": (1, 2)}


def test_what_if_counts_per_limit_in_checking_order():
    form = _form(
        {
            "customer.fixed_window.on": True,
            "customer.fixed_window.max_earn": 1,
            "badge.fixed_window.on": True,
            "badge.fixed_window.max_earn": 5,
        }
    )
    rules = preview_rules(build_request(form, badge_id=None))
    start = datetime(2026, 12, 1, tzinfo=UTC)
    outcome = what_if(rules, customers=10, per_day=2, start=start, end=start + timedelta(days=9, hours=23))
    assert outcome.attempts == 200
    # A day: the first five first-attempts pass; the other five first-attempts hit the badge's 5 a day;
    # second attempts of the five who earned hit their own 1 a day, the rest hit the badge limit again.
    assert outcome.allowed == 50 and outcome.blocked == 150
    table = outcome.per_limit.set_index("limit")
    assert table["checked"].tolist() == [200, 150]
    assert table["blocked"].tolist() == [50, 100]
    assert table["allowed"].tolist() == [150, 50]
    cycles = outcome.per_cycle[outcome.per_cycle["limit"] == "All customers: 5 per day"]
    assert len(cycles) == 10 and set(cycles["earned"]) == {5}


def test_what_if_refuses_huge_patterns():
    rules = preview_rules(build_request(_form(), badge_id=None))
    start = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        what_if(rules, customers=10_000, per_day=100, start=start, end=start + timedelta(days=30))
    except ValueError as exc:
        assert "attempts" in str(exc)
    else:
        raise AssertionError("a 30 million attempt pattern must be refused")


def test_a_live_change_of_cycle_shape_starts_at_the_next_boundary():
    """5-day cycles from 2024-04-15 changed to MONTHS on 2024-04-27: the old cycles run to 04-30,
    the monthly ones start 2024-05-01 (reference 7.2.5)."""
    badge_id = "661e11563753c37878a8b2c7"
    live = {
        "start": datetime(2024, 4, 15),
        "end": datetime(2024, 12, 31, 23, 59, 59),
        "customer.fixed_window.on": True,
        "customer.fixed_window.max_earn": 1,
    }
    saved = to_body(
        _form({**live, "customer.fixed_window.unit": "DAYS", "customer.fixed_window.refresh_rate": 5}),
        badge_id=badge_id,
    )
    edited = build_request(_form({**live, "customer.fixed_window.unit": "MONTHS"}), badge_id=badge_id)
    rules = preview_rules(edited, saved, datetime(2024, 4, 27, 10, tzinfo=UTC))
    running, upcoming = rules.customer_limits
    assert running.rule.refresh_rate == 5 and running.effective_until == datetime(2024, 5, 1, tzinfo=UTC)
    assert upcoming.rule.unit == "MONTHS" and upcoming.effective_from == datetime(2024, 5, 1, tzinfo=UTC)
    assert preview_rules(edited).customer_limits[0].effective_from is None  # a create has nothing running


def test_an_untouched_live_start_with_fractional_seconds_breaks_no_rule():
    """The answer's ISO twin is written to the second; the epoch field holds the stored start."""
    saved = {
        **to_body(_form({"start": datetime(2026, 11, 1)}), badge_id="x"),
        "startOn": 1793532919.946771,
        "startOnISO": "2026-11-01T10:15:19Z",
    }
    request = build_request(from_body(saved), badge_id="x")
    assert request.body["startOn"] == 1793532919.946771
    assert rule_violations(saved, request, NOW) == []
    assert diff(saved, request.body) == []


def test_a_moved_live_start_is_still_refused():
    saved = {**to_body(_form({"start": datetime(2026, 11, 1)}), badge_id="x"), "startOn": 1793532919.946771}
    form = from_body(saved)
    form.start = datetime(2026, 11, 1, 10, 16)
    assert 723 in {v.code for v in rule_violations(saved, build_request(form, badge_id="x"), NOW)}


def test_preview_parts_leave_out_only_the_invalid_limit_and_name_it():
    form = _form(
        {
            "customer.fixed_window.on": True,
            "customer.fixed_window.unit": "DAYS",
            "customer.fixed_window.refresh_rate": 0,
            "badge.fixed_window.on": True,
            "badge.fixed_window.unit": "WEEKS",
            "badge.fixed_window.max_earn": 10,
        }
    )
    parts = preview_parts(build_request(form, badge_id=None))
    assert parts.rules is not None and parts.rules.earned_expiry is not None
    assert [type(limit).__name__ for limit in parts.rules.badge_limits] == ["FixedWindowLimit"]
    assert parts.rules.customer_limits == ()
    assert len(parts.left_out) == 1 and parts.left_out[0].startswith("Customer limits · fixed window: ")
    assert "refreshRate" in parts.left_out[0]


def test_preview_parts_without_a_readable_period_draw_nothing_and_say_why():
    parts = preview_parts(build_request(_form({"start": None}), badge_id=None))
    assert parts.rules is None and parts.left_out and parts.left_out[0].startswith("Badge period: ")


def test_a_valid_form_leaves_nothing_out():
    parts = preview_parts(build_request(_form({"customer.fixed_window.on": True}), badge_id=None))
    assert parts.rules is not None and parts.left_out == ()
