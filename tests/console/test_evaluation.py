"""One evaluation of the editor's form per run: request, violations by kind, hints, planned rules."""

from datetime import UTC, datetime

from lib.console.badge_form import BadgeForm, new_form, with_values
from lib.console.evaluation import evaluate
from lib.console.form_wire import from_body, to_body
from lib.domain.rules import ViolationKind

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _form(changes: dict | None = None) -> BadgeForm:
    form = BadgeForm(
        name="Weekend warrior", start=datetime(2026, 12, 1), end=datetime(2027, 2, 28, 23, 59, 59)
    )
    return with_values(form, changes or {})


def test_a_blank_new_badge_asks_for_its_missing_fields_instead_of_flagging_them():
    blank = new_form(NOW)
    evaluation = evaluate(blank, None, NOW, base=blank)
    assert [v.field for v in evaluation.hints] == ["name"]
    assert all(v.kind is ViolationKind.MISSING for v in evaluation.hints)
    assert evaluation.violations == () and evaluation.blocked and not evaluation.unchanged


def test_once_touched_missing_fields_are_violations_in_their_section():
    blank = new_form(NOW)
    touched = with_values(blank, {"description": "typed"})
    evaluation = evaluate(touched, None, NOW, base=blank)
    assert evaluation.hints == () and [v.field for v in evaluation.violations] == ["name"]
    assert evaluation.by_section() == {"basics": list(evaluation.violations)}


def test_an_update_is_unchanged_until_a_widget_differs_from_the_saved_badge():
    saved = to_body(_form(), badge_id="x")
    loaded = from_body(saved)
    assert evaluate(loaded, saved, NOW, base=loaded).unchanged
    edited = with_values(loaded, {"customer.fixed_window.on": True})
    evaluation = evaluate(edited, saved, NOW, base=loaded)
    assert not evaluation.unchanged and not evaluation.blocked
    assert evaluation.request.method == "PUT" and evaluation.request.body["id"] == "x"


def test_the_planned_rules_carry_a_live_change_of_cycle_shape():
    live = {
        "start": datetime(2024, 4, 15),
        "end": datetime(2024, 12, 31, 23, 59, 59),
        "customer.fixed_window.on": True,
        "customer.fixed_window.max_earn": 1,
    }
    saved = to_body(_form({**live, "customer.fixed_window.refresh_rate": 5}), badge_id="x")
    edited = _form({**live, "customer.fixed_window.unit": "MONTHS"})
    evaluation = evaluate(edited, saved, datetime(2024, 4, 27, 10, tzinfo=UTC))
    running, upcoming = evaluation.rules.customer_limits
    assert running.effective_until == upcoming.effective_from == datetime(2024, 5, 1, tzinfo=UTC)
    assert {v.kind for v in evaluation.violations} <= {ViolationKind.INVALID, ViolationKind.LOCKED}


def test_a_moved_live_start_is_locked():
    saved = to_body(_form({"start": datetime(2026, 11, 1)}), badge_id="x")
    moved = with_values(from_body(saved), {"start": datetime(2026, 11, 2)})
    locked = [v for v in evaluate(moved, saved, NOW).violations if v.kind is ViolationKind.LOCKED]
    assert [v.code for v in locked] == [723]
