"""Badges as code in AppTest: two connections in one session (sidebar org `demo`, target org `demo2`),
the side-by-side comparison, and promoting selected badges through plan -> confirm -> apply."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.ui.state import StateKey

UPCOMING = "New Year Kickoff"
LIVE = "Daily Streak"


TABLES = {"pr_compare": "status", "pr_plan": "action", "pr_results": "result"}
"""AppTest does not carry a dataframe's key: each table is found by a column only it has."""


def _table(at: AppTest, key: str):
    return next((d.value for d in at.dataframe if TABLES[key] in d.value.columns), None)


def _rows(at: AppTest, key: str) -> dict[str, dict]:
    frame = _table(at, key)
    assert frame is not None, f"no {key} table"
    name = "badge" if "badge" in frame.columns else "name"
    return {row[name]: row for row in frame.to_dict("records") if row.get("kind", "badge") == "badge"}


def _finish_promotion(at: AppTest) -> AppTest:
    task = at.session_state[StateKey.PROMOTE].task
    assert task is not None and task.wait(60)
    return at.run()


def test_two_connections_compare_and_promote(run_page):
    at = run_page("promote.py")
    assert not at.exception, at.exception
    source = at.session_state[StateKey.CONNECTION].active
    target = at.session_state[StateKey.PROMOTE].target_connection
    assert (source.org, target.org) == ("demo", "demo2")
    assert target.client is not source.client and target.request_log is source.request_log

    compared = _rows(at, "pr_compare")
    assert (
        compared[UPCOMING]["status"] == "only in source" and compared[UPCOMING]["promote would"] == "create"
    )
    assert compared[LIVE]["promote would"] == "cannot create"  # 722 without the historical toggle
    assert "722 startOn" in compared[LIVE]["detail"]

    at.multiselect(key="pr_pick").set_value([UPCOMING, LIVE]).run()
    at.button(key="pr_promote").click().run()
    plan = _rows(at, "pr_plan")
    assert plan[LIVE]["action"] == "cannot apply (create)" and "pr_apply" not in [b.key for b in at.button]

    at.toggle(key="pr_historical").set_value(True).run()
    assert at.multiselect(key="pr_pick").value == [UPCOMING, LIVE]
    at.button(key="pr_promote").click().run()
    assert {row["action"] for row in _rows(at, "pr_plan").values()} == {"create"}
    at.button(key="pr_apply").click().run()
    at = _finish_promotion(at)

    assert not at.exception, at.exception
    results = _rows(at, "pr_results")
    assert results[UPCOMING]["result"] == "created" and results[LIVE]["result"] == "created"
    assert any("Promoted:" in s.value for s in at.success)
    compared = _rows(at, "pr_compare")
    assert compared[UPCOMING]["status"] == compared[LIVE]["status"] == "same"
    writes = [e for e in source.request_log.latest() if e.method == "POST" and e.path.endswith("/badgeMeta")]
    assert len(writes) == 2  # the session's one request log holds the target's calls


def test_a_file_as_source_and_a_cluster_target_without_credentials(run_page):
    at = run_page("promote.py")
    at.radio(key="pr_t_backend").set_value("Capillary cluster").run()
    assert not at.exception
    assert any("Enter the target's credentials" in c.value for c in at.caption)
    at.radio(key="pr_source").set_value("An exported file").run()
    assert not at.exception and _table(at, "pr_compare") is None
