"""The badge performance page, the sidebar's sandbox clock and the report buttons through AppTest."""

from datetime import UTC, datetime, timedelta

import pytest

from lib.sandbox.server import embedded_sandbox
from lib.ui.state import StateKey
from tests.app.charts import drawn_figures


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def _badge_id(at, name: str) -> str:
    client = at.session_state[StateKey.CONNECTION].active.client
    return next(b.id for b in client.list_badges(limit=100).meta_basic_details if b.name == name)


@pytest.fixture
def real_time():
    """The sandbox is shared by every test of the session: whatever a test does to its clock is undone."""
    yield
    embedded_sandbox().set_clock(None)


@pytest.mark.slow
def test_the_page_shows_the_badge_the_url_names(run_page):
    first = run_page("badge_performance.py")
    weekly = _badge_id(first, "Weekend Warrior")
    at = run_page("badge_performance.py", badge=weekly)
    assert not at.exception, at.exception
    assert at.title[0].value == "Badge performance"
    assert at.selectbox(key="bp_pick").value == weekly
    assert [m.label for m in at.metric] == ["Enrolled", "Earned", "Earn rate", "This cycle", "Busiest cycle"]
    assert at.metric[0].value == "n/a"  # a direct badge has no enrolments
    assert int(at.metric[1].value.replace(",", "")) > 1000
    assert at.metric[3].value.endswith("of 2,500")  # the badge-level weekly cap
    assert len(drawn_figures(at)) == 2
    assert "Org **demo** on Local sandbox · as of" in _texts(at.caption)
    assert "getFixedWindowDetails" in _texts(at.caption)  # each chart says where its numbers come from
    boundaries, expiring = (table.value for table in at.table[:2])  # small tables: drawn as plain tables
    assert set(boundaries["Limit"]) == {
        "Each customer: 1 per week (from Monday)",
        "All customers: 2500 per week (from Monday)",
    }
    assert expiring.iloc[0]["What"] == "Earned badges" and expiring.iloc[0]["Expiring"].startswith("about ")
    assert [b.label for b in at.get("download_button")] == ["Download report"]


def test_choosing_another_badge_puts_it_in_the_url(run_page):
    at = run_page("badge_performance.py")
    spender = _badge_id(at, "Big Spender")
    at.selectbox(key="bp_pick").set_value(spender).run()
    assert not at.exception, at.exception
    assert at.query_params["badge"] in (spender, [spender])
    assert at.metric[2].label == "Earn rate" and at.metric[2].value.endswith("%")  # enrol, then earn
    assert "Overall limit" in [m.label for m in at.metric]


def test_the_clock_jumps_to_the_badges_next_cycle_and_every_page_says_so(run_page, real_time):
    at = run_page("badge_performance.py")
    at = run_page("badge_performance.py", badge=_badge_id(at, "Weekend Warrior"))
    sandbox = embedded_sandbox()
    before = sandbox.now()
    at.button(key="clock_next").click().run()
    assert not at.exception, at.exception
    monday = datetime.combine(
        (before + timedelta(days=7 - before.weekday())).date(), datetime.min.time(), UTC
    )
    assert sandbox.now() == monday  # the weekly cycles (from Monday) start again
    assert at.metric[3].value == "0 of 2,500"  # the new cycle has no earns yet
    assert "Sandbox clock:" in _texts(at.caption) and "(sandbox clock)" in _texts(at.caption)
    assert "a new cycle of Weekend Warrior" in _texts(at.sidebar.caption)
    at.button(key="clock_1_day").click().run()
    assert sandbox.now() == monday + timedelta(days=1)
    at.button(key="clock_1_week").click().run()
    assert sandbox.now() == monday + timedelta(days=8)
    overview = run_page("overview.py")
    assert "Sandbox clock:" in _texts(overview.caption)  # every page follows the moved clock
    at.button(key="clock_now").click().run()
    assert abs((sandbox.now() - datetime.now(UTC)).total_seconds()) < 5
    assert "Sandbox clock:" not in _texts(at.caption)
    assert at.button(key="clock_now").disabled


def test_the_overview_and_the_editor_open_the_badge_page(run_app):
    at = run_app()
    assert [b.label for b in at.get("download_button")][:1] == ["Download report"]
    spender = _badge_id(at, "Big Spender")
    at.selectbox(key="ov_open_badge").set_value(spender).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Badge performance"
    assert at.selectbox(key="bp_pick").value == spender
    at.button(key="bp_edit").click().run()
    assert at.title[0].value == "Badge editor"
    at.button(key="ed_performance").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Badge performance"
    assert at.selectbox(key="bp_pick").value == spender


def test_an_org_without_badges_says_so(run_page):
    at = run_page("badge_performance.py")
    at.segmented_control(key="conn_org").set_value("demo2").run()
    assert not at.exception, at.exception
    assert "no badges yet" in _texts(at.info)


def test_the_overview_range_follows_the_clock_unless_someone_changed_it(run_page, real_time):
    at = run_page("overview.py")
    at.session_state["ov_filters"] = True  # the Filters panel, open
    at.run()
    today = embedded_sandbox().now().date()
    assert at.date_input(key="ov_range").value[1] == today
    at.button(key="clock_1_week").click().run()
    assert not at.exception, at.exception
    assert at.date_input(key="ov_range").value[1] == today + timedelta(days=7)  # the new cycles are drawn
    chosen = (today - timedelta(days=30), today)
    at.date_input(key="ov_range").set_value(chosen).run()
    at.button(key="clock_1_day").click().run()
    assert at.date_input(key="ov_range").value == chosen  # a range someone chose stays
