"""A console restarted after a crash resumes, by itself, the bulk jobs the dead process left running."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid

import pandas as pd
import pytest

from lib.bulk.journal import JobState
from lib.bulk.mapping import suggest_mapping
from lib.bulk.model import Operation
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.validate import validate
from lib.ui import jobs
from lib.ui.state import StateKey
from tests.app.test_bulk_flow import fresh_enrol_badge, wait_for_job
from tests.latency import slow_network


def _dead_owner() -> str:
    """A lease owner id of a process that has exited, as the crashed console's lease would read."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return f"{socket.gethostname()}:{int(child.stdout)}:{uuid.uuid4().hex[:8]}"


def _crashed_job(at, customers: list[str]) -> str:
    """A job the previous console process planned and was sending when it died: RUNNING, its first
    batch SENDING, its lease held by a process that is gone, and no runner anywhere."""
    connection = at.session_state[StateKey.CONNECTION].active
    name = fresh_enrol_badge(at)
    badge = next(b for b in connection.client.iter_badges(max_items=1000) if b.name == name)
    frame = pd.DataFrame({"customerId": pd.Series(customers, dtype="str")})
    frame.index = pd.RangeIndex(2, 2 + len(customers), name="row")
    validated = validate(frame, suggest_mapping(Operation.ENROL, ["customerId"]))
    journal = jobs.registry().journal
    job = plan_job(journal, validated, org=connection.org, base_url=connection.base_url, badge_id=badge.id,
                   job_key=f"crashed-{uuid.uuid4().hex}", settings=PlanSettings(batch_size=1, concurrency=1))  # fmt: skip
    journal.set_job_state(job.job_id, JobState.RUNNING)
    journal.acquire_lease(job.job_id, _dead_owner(), ttl=3600)
    journal.mark_sending(job.job_id, journal.batches(job.job_id)[0].batch)
    assert jobs.registry().runner(job.job_id) is None
    return job.job_id


@pytest.mark.slow  # the resumed job sends twelve one-customer batches at 150 ms per call
def test_a_job_left_running_by_a_dead_console_is_resumed_when_the_console_starts(run_page, run_app):
    customers = [str(100_041 + i) for i in range(12)]  # one per batch: the job outlives the first page run
    job_id = _crashed_job(run_page("bulk_enrol.py"), customers)
    jobs.forget_resumed()  # what a freshly started console process begins with
    with slow_network(0.15):  # as on a remote cluster
        at = run_app()
        assert not at.exception, at.exception
        assert jobs.registry().runner(job_id) is not None, "the first page run resumed the job"
        assert any("resumed by itself" in toast.value for toast in at.toast)
        finished, counts = wait_for_job(job_id)
    assert finished.state is JobState.COMPLETED
    assert counts.consistent and counts.pending == 0
    assert counts.succeeded == len(customers)
    events = [kind for _, kind, _ in jobs.registry().journal.events(job_id)]
    assert "recovered" in events, "the batch the dead process was sending was checked, not blindly resent"

    again = run_app()  # later page runs of this process do not look again or announce it again
    assert not again.exception
    assert jobs.resume_interrupted_jobs(again.session_state[StateKey.CONNECTION].active) == (job_id,)
    assert not again.toast


def test_a_job_of_another_org_waits_for_a_session_of_that_org(run_page, run_app):
    at = run_page("bulk_enrol.py")
    job_id = _crashed_job(at, ["100051"])
    journal = jobs.registry().journal
    with journal.transaction() as conn:  # planned by a session of another org
        conn.execute("UPDATE jobs SET org = 'someone-else' WHERE job_id = ?", (job_id,))
    jobs.forget_resumed()
    at = run_app()
    assert not at.exception
    assert jobs.registry().runner(job_id) is None
    assert journal.job(job_id).state is JobState.RUNNING
    journal.set_job_state(job_id, JobState.CANCELLED)  # leave nothing RUNNING for later tests
