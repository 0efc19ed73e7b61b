"""Pages at a remote cluster's latency (150 ms per call, injected in httpx's transport), and the dry
run against the sandbox's own "flaky" network profile (round trips, a per-org rate limit, 503s).

Concurrency is checked by counting requests in flight at once, and by comparing a page's time with
what its calls would take one after the other, as a ratio; never against a wall-clock budget.
"""

from __future__ import annotations

import time

import pytest

from lib.console.fanout import MAX_WORKERS
from lib.sandbox.server import embedded_sandbox
from lib.ui import reads
from lib.ui.state import StateKey
from tests.app.charts import drawn_figures
from tests.app.test_bulk_flow import choose_badge, dry_run, fresh_enrol_badge, table_with, upload
from tests.latency import slow_network


def test_overview_reads_the_cycles_of_its_badges_side_by_side(run_page):
    run_page("request_log.py")  # the process's sandbox is started and seeded, outside the timing
    reads.clear_reads()
    with slow_network(0.3) as network:
        started = time.perf_counter()
        at = run_page("overview.py")
        elapsed = time.perf_counter() - started
    assert not at.exception, at.exception
    assert len(drawn_figures(at)) == 3
    assert network.calls >= 10, "one read per demo badge's cycles, plus the list"
    assert 1 < network.peak <= MAX_WORKERS
    assert elapsed < 0.75 * network.calls * network.delay, (elapsed, network.calls)


def test_customer_view_reads_its_four_views_at_once(run_page):
    at = run_page("customer_view.py")
    with slow_network(0.15) as network:
        at.text_input(key="cv_customer").set_value("100001").run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric[:4]] == ["Can be enrolled", "Can earn now", "Earned", "Expired"]
    assert network.peak >= 4


@pytest.mark.slow
def test_dry_run_runs_off_the_script_thread_and_survives_reruns(run_page):
    at = run_page("bulk_enrol.py")
    name = fresh_enrol_badge(at)
    customers = [100_001 + i for i in range(100)]
    at = upload(at, ("customerId\n" + "".join(f"{c}\n" for c in customers)).encode())
    at = choose_badge(at, name)
    with slow_network(0.15) as network:
        at = at.button(key="be_dry_run").click().run()
        task = at.session_state[StateKey.BULK_ENROL].upload.dry_task
        assert task is not None and not task.finished, "the click's run ends while the reads go on"
        assert at.get("progress")[0].proto.text.startswith("Dry run")
        assert not [c for c in at.checkbox if c.label.startswith("I confirm")], "no start before the report"

        at = at.run()  # any click meanwhile reruns the page: the dry run goes on
        assert at.session_state[StateKey.BULK_ENROL].upload.dry_task is task
        assert task.wait(60)
        at = at.run()  # what the polling fragment triggers once it sees the task finished
    assert not at.exception, at.exception
    assert at.session_state[StateKey.BULK_ENROL].upload.dry_task is None
    summary = dict(table_with(at, "", "value").values.tolist())
    assert summary["Predicted 'already enrolled' (1040)"] == "0 — 100 customers looked up"
    assert 1 < network.peak <= MAX_WORKERS


def test_a_dry_run_for_other_rows_is_dropped(run_page):
    at = run_page("bulk_enrol.py")
    name = fresh_enrol_badge(at)
    at = choose_badge(upload(at, b"customerId\n100001\n100002\n"), name)
    with slow_network(0.15):
        at = at.button(key="be_dry_run").click().run()
        task = at.session_state[StateKey.BULK_ENROL].upload.dry_task
        at = upload(at, b"customerId\n100003\n")  # another file while it runs
        assert task.wait(60)
        at = at.run()
    assert not at.exception, at.exception
    assert at.session_state[StateKey.BULK_ENROL].upload.report is None
    assert "Run the dry run to see the summary before starting." in [c.value for c in at.caption]


@pytest.mark.slow
def test_the_dry_run_finishes_on_a_rate_limited_flaky_cluster(run_page):
    """Eight reads at a time outrun 20 requests per second: the fan-out slows down on 429 and reads
    again what a 503 or a lost answer cost, so the prediction still covers every customer."""
    at = run_page("bulk_enrol.py")
    name = fresh_enrol_badge(at)
    at = upload(at, ("customerId\n" + "".join(f"{100_101 + i}\n" for i in range(60))).encode())
    at = choose_badge(at, name)
    sandbox = embedded_sandbox()
    sandbox.set_network("flaky", seed=7)
    try:
        at = dry_run(at)
        counters = sandbox.network().counters
    finally:
        sandbox.set_network("off")
    assert not at.exception and not at.error, [e.value for e in at.error]
    summary = dict(table_with(at, "", "value").values.tolist())
    assert summary["Predicted 'already enrolled' (1040)"] == "0 — 60 customers looked up"
    assert counters.answered_429 > 0
