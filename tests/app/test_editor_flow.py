"""Badge editor flows through AppTest: create -> overview, invalid -> nothing sent, live preview."""

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lib.ui.state import StateKey
from tests.app.charts import drawn_figures
from tests.app.editor_tabs import open_tab


def _badge_posts(at) -> list:
    log = at.session_state[StateKey.CONNECTION].active.request_log
    return [e for e in log.entries() if e.method in {"POST", "PUT"} and e.path.endswith("/badgeMeta")]


def _sandbox_writes(at) -> int:
    """Badge writes the sandbox itself has seen (its control plane counts requests per path)."""
    base_url = at.session_state[StateKey.CONNECTION].active.base_url
    request = urllib.request.Request(f"{base_url}/_sandbox/stats", headers={"X-Sandbox-Control": "1"})
    with urllib.request.urlopen(request, timeout=10) as response:
        stats = json.load(response)
    counts = stats["by_endpoint"]
    return sum(counts.get(f"{method} /api_gateway/v1/badges/badgeMeta", 0) for method in ("POST", "PUT"))


def test_new_badge_form_shows_the_preview_and_passes_the_rules(run_page):
    at = run_page("badge_editor.py")
    assert not at.exception
    assert drawn_figures(at), "the timeline is drawn for the default form"
    at.text_input(key="ed_name").set_value("Preview only").run()
    assert any("Passes the server's rules" in s.value for s in at.success), [e.value for e in at.error]


def test_created_badge_appears_in_the_overview(run_page):
    name = f"AppTest badge {datetime.now(UTC):%H%M%S%f}"
    at = run_page("badge_editor.py")
    before = _sandbox_writes(at)
    at.text_input(key="ed_name").set_value(name)
    open_tab(at, "Customer limits")
    at.toggle(key="ed_customer_fixed_window_on").set_value(True).run()
    assert not at.exception
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    assert any(name in s.value for s in at.success), [e.value for e in at.error]
    assert len(_badge_posts(at)) == 1
    assert _sandbox_writes(at) == before + 1

    overview = run_page("overview.py")
    overview.session_state["ov_filters"] = True  # the Filters panel, open
    overview.run()
    overview.text_input(key="ov_search").set_value(name).run()
    table = overview.dataframe[0].value
    assert table["name"].tolist() == [name]


def test_invalid_badge_shows_the_rule_and_sends_nothing(run_page):
    at = run_page("badge_editor.py")
    before = _sandbox_writes(at)
    at.text_input(key="ed_name").set_value("Starts in the past")
    open_tab(at, "Dates & expiry")
    at.datetime_input(key="ed_start").set_value(
        datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)
    ).run()
    assert not at.exception
    messages = " ".join(e.value for e in at.error)
    assert "722" in messages and "Start Date cannot be past date" in messages
    assert at.button(key="ed_save").disabled
    assert "nothing is sent" in " ".join(c.value for c in at.caption)
    assert _badge_posts(at) == []
    assert _sandbox_writes(at) == before


def test_end_before_start_is_720(run_page):
    at = run_page("badge_editor.py")
    at.text_input(key="ed_name").set_value("Backwards")
    open_tab(at, "Dates & expiry")
    start = at.datetime_input(key="ed_start").value
    at.datetime_input(key="ed_end").set_value(start - timedelta(days=1)).run()
    assert "720" in " ".join(e.value for e in at.error)
    assert at.button(key="ed_save").disabled


def test_opening_a_badge_from_the_url_loads_its_values(run_page):
    at = run_page("badge_editor.py")
    badge = next(iter(at.session_state[StateKey.CONNECTION].active.client.iter_badges(max_items=1)))
    at = run_page("badge_editor.py", badge=badge.id)
    assert not at.exception
    assert at.text_input(key="ed_name").value == badge.name
    assert at.button(key="ed_save").label == "Save changes"


def test_rule_checks_use_the_sandbox_clock(run_page):
    from lib.sandbox.server import embedded_sandbox

    sandbox = embedded_sandbox()
    at = run_page("badge_editor.py")  # a new badge from tomorrow, by today's clock
    sandbox.set_clock(datetime(2031, 1, 1, tzinfo=UTC))
    try:
        at.text_input(key="ed_name").set_value("Judged by the sandbox's clock").run()
        assert "722" in " ".join(e.value for e in at.error)  # its start is now in the sandbox's past
        assert "Sandbox clock set to 2031-01-01" in " ".join(c.value for c in at.sidebar.caption)
    finally:
        sandbox.set_clock(None)


def test_a_new_badge_starts_tomorrow_by_the_sandbox_clock(run_page):
    from lib.sandbox.server import embedded_sandbox

    sandbox = embedded_sandbox()
    sandbox.set_clock(datetime(2031, 1, 1, 15, 30, tzinfo=UTC))
    try:
        at = run_page("badge_editor.py")
        at.text_input(key="ed_name").set_value("Follows the sandbox's clock").run()
        assert not at.exception, at.exception
        assert "722" not in " ".join(e.value for e in at.error)
        assert at.session_state["ed_start"] == datetime(2031, 1, 2)
    finally:
        sandbox.set_clock(None)


@pytest.mark.slow
def test_every_demo_badge_opens_in_the_editor_without_rule_problems(run_page):
    """Loading a saved badge and sending it back unchanged must pass the rules (no 723 from rounding)."""
    at = run_page("badge_editor.py")
    badges = list(at.session_state[StateKey.CONNECTION].active.client.iter_badges())
    assert len(badges) >= 10
    for badge in badges:
        at = run_page("badge_editor.py", badge=badge.id)
        assert not at.exception, (badge.name, at.exception)
        assert not at.error, (badge.name, [e.value for e in at.error])
        assert any("Passes the server's rules" in s.value for s in at.success), badge.name
        assert at.text_input(key="ed_name").value == badge.name
        assert "Changes against the saved badge (0)" in [e.label for e in at.expander], badge.name
        assert at.button(key="ed_save").disabled, "nothing to save until something changes"
        assert "No changes to save yet." in [c.value for c in at.caption]


def test_a_blank_new_badge_asks_for_its_name_instead_of_flagging_an_error(run_page):
    at = run_page("badge_editor.py")
    assert not at.error, [e.value for e in at.error]
    assert any("fill in `name`" in i.value for i in at.info), [i.value for i in at.info]
    assert at.button(key="ed_save").disabled
    at.text_input(key="ed_name").set_value("Named").run()
    assert not at.info or not any("fill in `name`" in i.value for i in at.info)
    assert not at.button(key="ed_save").disabled


def test_an_edit_shows_in_the_diff_and_the_request(run_page):
    at = run_page("badge_editor.py")
    badge = next(iter(at.session_state[StateKey.CONNECTION].active.client.iter_badges(max_items=1)))
    at = run_page("badge_editor.py", badge=badge.id)
    at.text_area(key="ed_description").set_value("A changed description").run()
    assert "Changes against the saved badge (1)" in [e.label for e in at.expander]
    assert not at.button(key="ed_save").disabled
    diff = next(d.value for d in at.dataframe if list(d.value.columns) == ["field", "saved", "edited"])
    assert diff.to_dict("records") == [
        {"field": "description", "saved": badge.description or "", "edited": "A changed description"}
    ]
    at.toggle(key="ed_show_request").set_value(True).run()
    request = next(c.value for c in at.code if c.language == "json")
    assert '"description": "A changed description"' in request and f'"id": "{badge.id}"' in request
    assert any(c.value.startswith("curl -X PUT") for c in at.code)


def test_server_refusal_shows_the_capillary_code(run_page):
    """Name uniqueness (725) needs the store, so only the server can refuse it; the editor shows its answer."""
    at = run_page("badge_editor.py")
    taken = next(iter(at.session_state[StateKey.CONNECTION].active.client.iter_badges(max_items=1))).name
    at.text_input(key="ed_name").set_value(taken).run()
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    message = " ".join(e.value for e in at.error)
    assert "Save badge failed" in message and "725" in message


def test_benefits_tags_and_custom_fields_from_the_tables_reach_the_request(run_page):
    at = run_page("badge_editor.py")
    at.text_input(key="ed_name").set_value("With benefits")
    at.session_state["ed_benefits_table"] = {
        "edited_rows": {},
        "added_rows": [
            {"benefitType": "COUPON", "seriesId": 6789},
            {
                "benefitType": "LOYALTY_POINTS",
                "programId": 626,
                "promotionId": 80332,
                "allocationStrategyId": 1489,
                "expirationStrategyId": 3843,
            },
        ],
        "deleted_rows": [],
    }
    at.session_state["ed_tags_table"] = {
        "edited_rows": {},
        "added_rows": [{"name": "season", "value": "winter"}],
        "deleted_rows": [],
    }
    open_tab(at, "More")
    assert not at.exception, at.exception
    at.toggle(key="ed_show_request").set_value(True).run()
    request = next(c.value for c in at.code if c.language == "json")
    assert '"seriesId": 6789' in request and '"promotionId": 80332' in request
    assert '"name": "season"' in request


def test_changing_a_live_fixed_window_previews_both_configs(run_page):
    at = run_page("badge_editor.py")
    client = at.session_state[StateKey.CONNECTION].active.client
    live = [b for b in client.iter_badges(status=["LIVE"]) if b.name == "Daily Streak"]
    assert live, "the demo org has a live badge with 3-day customer cycles"
    at = run_page("badge_editor.py", badge=live[0].id)
    open_tab(at, "Customer limits")
    at.selectbox(key="ed_customer_fixed_window_unit").set_value("MONTHS").run()
    assert not at.exception, at.exception
    spec = drawn_figures(at)[0]
    lanes = {trace["name"] for trace in spec["data"]}
    assert any("(running, until" in lane for lane in lanes), lanes
    assert any("(new, from" in lane for lane in lanes), lanes


def test_a_badge_without_custom_fields_loads_unchanged(run_page):
    """The org's custom fields are offered as empty rows; left empty they are not sent, so no diff."""
    at = run_page("badge_editor.py")
    client = at.session_state[StateKey.CONNECTION].active.client
    now = datetime.now(UTC)
    badge = client.create_badge(
        badge={
            "name": f"No custom fields {now:%H%M%S%f}",
            "startOn": now + timedelta(days=2),
            "expiresOn": now + timedelta(days=30),
            "earnType": "EARN",
            "earnedBadgeExpiry": {"expiryType": "NEVER"},
            "ownership": {"restrictedToOwners": ["Loyalty"]},
        }
    )
    at = run_page("badge_editor.py", badge=badge.id)
    assert "Changes against the saved badge (0)" in [e.label for e in at.expander]


def test_an_unknown_badge_in_the_url_says_so_and_opens_a_new_form(run_page):
    at = run_page("badge_editor.py", badge="0123456789abcdef01234567")
    assert not at.exception
    assert "Open badge failed" in " ".join(e.value for e in at.error)
    assert at.button(key="ed_save").label == "Create badge"


@pytest.mark.parametrize("microsecond", [946_771, 0], ids=["fractional-seconds", "whole-seconds"])
def test_a_live_badge_saved_without_touching_its_dates_keeps_them_exactly(run_page, microsecond):
    """The date widgets show minutes; an untouched start must go back as saved, or the server says 723."""
    at = run_page("badge_editor.py")
    client = at.session_state[StateKey.CONNECTION].active.client
    start = (datetime.now(UTC) - timedelta(days=2)).replace(second=19, microsecond=microsecond)
    saved = client.create_badge(
        badge={
            "name": f"Live to the second {uuid.uuid4().hex[:8]}",
            "startOn": start,
            "expiresOn": start + timedelta(days=60, seconds=7),
            "earnType": "EARN",
            "earnedBadgeExpiry": {"expiryType": "NEVER"},
            "ownership": {"restrictedToOwners": ["Loyalty"]},
        },
        migration=True,
    )
    assert client.get_badge(badge_id=saved.id).start_on == start
    at = run_page("badge_editor.py", badge=saved.id)
    at.text_area(key="ed_description").set_value("Re-saved without touching the dates").run()
    assert not at.exception, at.exception
    assert not at.button(key="ed_save").disabled, [e.value for e in at.error]
    assert "Changes against the saved badge (1)" in [e.label for e in at.expander]
    at.button(key="ed_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = client.get_badge(badge_id=saved.id)
    assert after.description == "Re-saved without touching the dates"
    assert (after.start_on, after.expires_on) == (start, start + timedelta(days=60, seconds=7))


def test_taking_a_badge_out_of_its_group_is_explained_not_silently_dropped(run_page):
    at = run_page("badge_editor.py")
    client = at.session_state[StateKey.CONNECTION].active.client
    grouped = next(b for b in client.iter_badges() if b.badge_group_id)
    at = run_page("badge_editor.py", badge=grouped.id)
    assert not at.warning
    at.selectbox(key="ed_group_id").set_value(None).run()
    assert any("no documented way to take a badge out of a group" in w.value for w in at.warning)


def _cycle_table(at):
    return at.table[0].value


def test_the_preview_lists_the_cycles_as_dates(run_page):
    """Weekly cycles from a Monday start: a table of first and last days, the count in words."""
    at = open_tab(run_page("badge_editor.py"), "Dates & expiry")
    start = at.datetime_input(key="ed_start").value
    monday = (start + timedelta(days=(7 - start.weekday()) % 7)).replace(hour=0, minute=0, second=0)
    at.datetime_input(key="ed_start").set_value(monday)
    at.datetime_input(key="ed_end").set_value(monday + timedelta(days=35, hours=23, minutes=59))
    open_tab(at, "Customer limits")  # the dates typed on the other tab stay
    at.toggle(key="ed_customer_fixed_window_on").set_value(True).run()
    at.selectbox(key="ed_customer_fixed_window_unit").set_value("WEEKS").run()
    assert not at.exception, at.exception
    table = _cycle_table(at)
    assert len(table) == 6
    first, last = table.iloc[0], table.iloc[-1]
    assert first["First day"] == f"{monday:%Y-%m-%d}"
    assert first["Last day"] == f"{monday + timedelta(days=6):%Y-%m-%d}"
    assert last["Days"] == 1 and "partial" in last["Note"]
    assert any("6 weekly cycles, the last one 1 day" in c.value for c in at.caption)


def test_an_invalid_limit_hides_only_itself_and_says_which(run_page):
    """refreshRate 0 leaves out the fixed window alone; the period, expiry and timeline stay."""
    at = open_tab(run_page("badge_editor.py"), "Customer limits")
    at.toggle(key="ed_customer_fixed_window_on").set_value(True).run()
    at.number_input(key="ed_customer_fixed_window_refresh_rate").set_value(0).run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Not drawn: Customer limits · fixed window" in warnings and "refreshRate" in warnings
    assert drawn_figures(at), "the rest of the badge is still drawn"
    assert not at.table, "no cycle table for a window that cannot be laid out"
    assert any("expires" in c.value for c in at.caption)


def test_the_sample_earn_stays_inside_the_badge_period(run_page):
    at = open_tab(run_page("badge_editor.py"), "Dates & expiry")
    start = at.datetime_input(key="ed_start").value
    sample = at.date_input(key="ed_sample")
    assert sample.min == start.date()
    assert start.date() <= sample.value <= at.datetime_input(key="ed_end").value.date()


def test_only_the_open_tab_is_drawn_and_edits_survive_other_tabs(run_page):
    at = run_page("badge_editor.py")
    assert "ed_start" not in [w.key for w in at.datetime_input]  # "Dates & expiry" is not open
    at.text_input(key="ed_name").set_value("Kept across tabs")
    open_tab(at, "Customer limits")
    assert "ed_name" not in [w.key for w in at.text_input]
    at.toggle(key="ed_customer_fixed_window_on").set_value(True).run()
    at.number_input(key="ed_customer_fixed_window_max_earn").set_value(4).run()
    open_tab(at, "Dates & expiry")
    open_tab(at, "Basics")
    assert at.text_input(key="ed_name").value == "Kept across tabs"
    at.toggle(key="ed_show_request").set_value(True).run()
    request = next(c.value for c in at.code if c.language == "json")
    assert '"name": "Kept across tabs"' in request and '"maxEarnLimit": 4' in request
    open_tab(at, "Customer limits")
    assert at.number_input(key="ed_customer_fixed_window_max_earn").value == 4


def test_table_edits_survive_closing_their_tab(run_page):
    at = open_tab(run_page("badge_editor.py"), "More")
    at.session_state["ed_tags_table"] = {
        "edited_rows": {},
        "added_rows": [{"name": "season", "value": "winter"}],
        "deleted_rows": [],
    }
    at.run()
    open_tab(at, "Basics")  # the tables are not drawn now; their rows are kept
    at.toggle(key="ed_show_request").set_value(True).run()
    assert '"name": "season"' in next(c.value for c in at.code if c.language == "json")
    open_tab(at, "More")  # drawn again, from the rows as edited
    assert not at.exception, at.exception
    assert '"name": "season"' in next(c.value for c in at.code if c.language == "json")


def test_the_what_if_panel_runs_only_when_opened(run_page):
    at = run_page("badge_editor.py")
    at.text_input(key="ed_name").set_value("What if").run()
    assert "wi_customers" not in [w.key for w in at.number_input]
    at.session_state["ed_what_if"] = True  # opened
    at.run()
    assert not at.exception, at.exception
    assert {m.label for m in at.metric} >= {"Attempts", "Allowed", "Blocked"}
