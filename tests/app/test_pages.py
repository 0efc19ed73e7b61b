"""Customer view, request log, connection panel and activation through AppTest against the sandbox."""

import json
from datetime import UTC, datetime

from lib.ui.state import StateKey
from tests.app.charts import COMPONENT, drawn_figures

FIRST_DEMO_CUSTOMER = "100001"


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_customer_view_by_id_shows_the_four_views_and_one_badge(run_page):
    at = run_page("customer_view.py")
    at.text_input(key="cv_customer").set_value(FIRST_DEMO_CUSTOMER).run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric[:4]] == ["Can be enrolled", "Can earn now", "Earned", "Expired"]
    assert sum(int(m.value) for m in at.metric[:4]) > 0
    assert at.selectbox(key="cv_badge").value is not None
    assert {m.label for m in at.metric[4:]} == {"Status", "Active earns", "Enrolments", "Earns"}
    for table in at.dataframe:
        assert table.value.notna().all().all(), f"a blank cell, not None, in {table.key}"


def test_customer_view_by_external_id_finds_the_same_customer(run_page):
    by_id = run_page("customer_view.py")
    by_id.text_input(key="cv_customer").set_value(FIRST_DEMO_CUSTOMER).run()
    at = run_page("customer_view.py")
    at.selectbox(key="cv_identifier").set_value("externalId")
    at.text_input(key="cv_customer").set_value(f"EXT-{FIRST_DEMO_CUSTOMER}").run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric[:4]] == [m.value for m in by_id.metric[:4]]
    sent = at.session_state[StateKey.CONNECTION].active.request_log.entries()
    headers = {(name.lower(), value) for entry in sent for name, value in entry.headers}
    assert ("x-cap-customer-identifier", "externalId") in headers


def test_customer_view_explains_a_wrong_id(run_page):
    at = run_page("customer_view.py")
    at.text_input(key="cv_customer").set_value("not-a-number").run()
    assert not at.exception
    assert "A customer id is a number" in _texts(at.error)


def test_unknown_customer_shows_the_capillary_error(run_page):
    at = run_page("customer_view.py")
    at.selectbox(key="cv_identifier").set_value("email")
    at.text_input(key="cv_customer").set_value("nobody@nowhere.invalid").run()
    assert not at.exception
    assert "failed" in _texts(at.error)


def test_request_log_lists_calls_with_curl_and_no_secret(run_page):
    at = run_page("request_log.py")
    at.button(key="conn_check").click().run()  # one call of this session's own, to the log
    assert not at.exception
    table = at.dataframe[0].value
    assert {"method", "path", "status", "latency_ms", "codes"} <= set(table.columns)
    curl = at.code[0].value
    assert curl.startswith("curl -X GET") and "$CAPILLARY_AUTH" in curl
    assert "ZGVtbz" not in curl  # base64 of "demo:..." never appears


def test_switching_to_demo2_isolates_the_org(run_page):
    at = run_page("overview.py")
    demo_badges = int(at.metric[0].value)
    at.segmented_control(key="conn_org").set_value("demo2").run()
    assert not at.exception
    assert "Org **demo2**" in _texts(at.sidebar.caption)
    assert int(at.metric[0].value) < demo_badges


def test_cluster_without_credentials_waits_for_them(run_page):
    at = run_page("overview.py")
    at.radio(key="conn_backend").set_value("Capillary cluster").run()
    assert not at.exception
    assert "enter credentials" in _texts(at.info).lower()
    assert at.text_input(key="conn_password").proto.type == at.text_input(key="conn_password").proto.PASSWORD


def test_custom_url_must_be_https(run_page):
    at = run_page("overview.py")
    at.radio(key="conn_backend").set_value("Custom URL").run()
    at.text_input(key="conn_url").set_value("http://example.com").run()
    assert not at.exception
    assert "https" in _texts(at.sidebar.caption)


def test_deactivate_and_activate_a_badge(run_page):
    name = f"Activation {datetime.now(UTC):%H%M%S%f}"
    at = run_page("badge_editor.py")
    at.text_input(key="ed_name").set_value(name).run()
    at.button(key="ed_save").click().run()
    badge_id = at.query_params["badge"]
    at = run_page("badge_editor.py", badge=badge_id)
    assert at.button(key="ed_activate").disabled
    at.button(key="ed_deactivate").click().run()
    assert not at.exception, at.exception
    assert "Deactivated" in _texts(at.success)
    assert at.button(key="ed_deactivate").disabled
    at.button(key="ed_activate").click().run()
    assert "Activated" in _texts(at.success)
    badge = at.session_state[StateKey.CONNECTION].active.client.get_badge(badge_id=badge_id)
    assert badge.active is True


def test_a_cluster_from_secrets_is_used_and_its_password_never_shown(run_page):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import page_path

    secret = "s3cret-Pa55word"
    at = AppTest.from_file(page_path("overview.py"), default_timeout=60)
    at.secrets["capillary"] = {
        "base_url": "https://127.0.0.1:9",
        "auth": "basic",
        "username": "till.user",
        "password": secret,
    }
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="conn_backend").value == "Custom URL"
    assert "Credentials from secrets." in _texts(at.sidebar.caption)
    assert "nothing was sent" in _texts(at.sidebar.caption)  # nobody listens on port 9
    assert "Load badges failed" in _texts(at.error)
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main) + _texts(at.sidebar.caption)
    assert secret not in shown
    log = at.session_state[StateKey.CONNECTION].active.request_log.entries()
    assert log and all(secret not in e.to_curl() for e in log)


def test_open_in_editor_from_the_customer_view(run_app):
    at = run_app()
    at.switch_page("pages/customer_view.py").run()
    at.text_input(key="cv_customer").set_value(FIRST_DEMO_CUSTOMER).run()
    badge_id = at.selectbox(key="cv_badge").value
    at.button(key="cv_edit").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Badge editor"
    assert at.query_params["badge"] == [badge_id] or at.query_params["badge"] == badge_id
    assert at.button(key="ed_save").label == "Save changes"


def test_overview_filters_on_the_server_and_draws_every_chart(run_page):
    at = run_page("overview.py")
    assert not at.exception
    assert len(drawn_figures(at)) == 3  # earns over time, enrolled and earned, status and owners
    assert not at.multiselect  # the Filters panel is closed: its widgets are not drawn
    at.session_state["ov_filters"] = True  # open it
    at.run()
    at.multiselect(key="ov_status").set_value(["LIVE"]).run()
    table = at.dataframe[0].value
    assert len(table) and {status for cell in table["status"] for status in cell} == {"LIVE"}
    sent = at.session_state[StateKey.CONNECTION].active.request_log.entries()
    assert any(("status", "LIVE") in e.query for e in sent)
    assert at.metric[0].value == str(len(table))


def test_a_new_tab_gets_the_overview_table_in_the_run_after_its_charts(run_page):
    at = run_page("overview.py")
    assert not at.exception
    assert len(drawn_figures(at)) == 3 and not at.dataframe  # first run: charts, no data grid yet
    waiting = [
        json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == COMPONENT
    ]
    assert {"afterCharts": True} in waiting  # the browser reruns the page once the charts are drawn
    at.run()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == int(at.metric[0].value)
    assert len(drawn_figures(at)) == 3


def test_overview_filters_stay_while_their_panel_is_closed(run_page):
    at = run_page("overview.py")
    at.session_state["ov_filters"] = True
    at.run()
    at.multiselect(key="ov_status").set_value(["LIVE"]).run()
    at.text_input(key="ov_search").set_value("a").run()
    chosen = at.dataframe[0].value["name"].tolist()
    at.session_state["ov_filters"] = False  # closed: the widgets go, the filter stays
    at.run()
    assert not at.exception, at.exception
    assert not at.multiselect and "ov_search" not in [field.key for field in at.text_input]
    assert at.dataframe[0].value["name"].tolist() == chosen
    at.session_state["ov_filters"] = True  # opened again: the widgets show what was chosen
    at.run()
    assert at.multiselect(key="ov_status").value == ["LIVE"]
    assert at.text_input(key="ov_search").value == "a"


def test_every_page_works_on_an_empty_org(run_page):
    for name in ("overview.py", "badge_editor.py", "customer_view.py", "request_log.py"):
        at = run_page(name)
        at.segmented_control(key="conn_org").set_value("demo2").run()
        assert not at.exception, (name, at.exception)
        if name == "customer_view.py":
            at.text_input(key="cv_customer").set_value(FIRST_DEMO_CUSTOMER).run()
            assert not at.exception, (name, at.exception)


def test_a_new_session_shows_the_recent_health_check_without_a_call(run_page):
    first = run_page("overview.py")
    assert "reachable" in _texts(first.sidebar.caption)
    second = run_page("request_log.py")  # a new tab on the same backend and org
    assert not second.exception, second.exception
    assert "reachable" in _texts(second.sidebar.caption)
    assert second.session_state[StateKey.CONNECTION].active.request_log.entries() == []
    second.button(key="conn_check").click().run()  # asked for, it checks again
    assert len(second.session_state[StateKey.CONNECTION].active.request_log.entries()) == 1
