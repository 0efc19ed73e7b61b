"""The undo command, run as a real process against the sandbox: what it says before revoking, the
confirmation, results and summary, refusals, rerunning, several jobs of one run, and SIGKILL mid-undo
then resume."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lib.bulk import cli_undo
from lib.bulk.journal import BatchState, Journal, check_invariant
from lib.bulk.planner import PlanSettings, plan_job
from lib.bulk.runner import JobRunner
from tests.bulk.conftest import FAST, badge_body, customer_ids, enrol_input, write_csv
from tests.bulk.test_cli import ROOT, cli, command, env, wait_for
from tests.bulk.test_undo import REVOKE_ISSUE, active_issues, revoke_requests, revoked_issues

# Every test runs the command line in a child process (a new Python that imports pandas) against the
# sandbox, often twice (a kill, then a resume): a few seconds apiece, so the module is `slow`.
pytestmark = pytest.mark.slow

UNDO_MODULE = "lib.bulk"  # `python -m lib.bulk undo` (also `python -m lib.bulk.cli_undo undo`)


def undo_command(tmp: Path, base_url: str, *extra: str, results: str = "undo.csv") -> list[str]:
    return [sys.executable, "-m", UNDO_MODULE, "undo", "--journal", str(tmp / "jobs.sqlite"),
            "--results", str(tmp / results), "--base-url", base_url, "--user", "demo",
            "--backoff-base", "0.01", "--backoff-cap", "0.05", *extra]  # fmt: skip


def records(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def enrolled_by_cli(tmp_path, client, faults, enrol_badge):
    """`python -m lib.bulk enrol` of a file whose customers partly held an enrolment before (made by
    another request), with an unreadable id and a duplicate line: (ids, issue ids from before)."""
    ids = customer_ids(120)
    before = {b.issued_id for b in client.issue_bulk(badge_id=enrol_badge, customers=ids[:30]).issued_badges}
    file = write_csv(tmp_path / "customers.csv", ["customerId"], [[c] for c in ids] + [["abc"], [ids[5]]])
    done = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path))
    assert done.returncode == 0, done.stderr
    return ids, before


def test_undo_end_to_end(tmp_path, faults, enrol_badge, enrolled_by_cli):
    ids, before = enrolled_by_cli
    made = {r["issuedId"] for r in records(tmp_path / "results.csv") if r["status"] == "succeeded"}
    assert len(made) == 90
    summary = tmp_path / "undo-summary.json"
    done = cli(undo_command(tmp_path, faults.base_url, "--yes", "--summary-json", str(summary)))
    assert done.returncode == 0, done.stderr
    assert "will revoke 90 enrolment(s) made by job job-" in done.stderr
    assert f"in badge {enrol_badge}" in done.stderr
    assert "30 customer(s) enrolled before the job are left alone" in done.stderr
    assert "2 other row(s) created nothing and are left alone" in done.stderr  # "abc" and the duplicate
    rows = records(tmp_path / "undo.csv")
    assert len(rows) == 90 and {r["status"] for r in rows} == {"succeeded"}
    id_column = "issuedId" if "issuedId" in rows[0] else "earnedBadgeId"
    assert {r[id_column] for r in rows} == made
    facts = json.loads(summary.read_text())
    assert facts["exitCode"] == 0 and facts["state"] == "COMPLETED" and facts["byStatus"]["succeeded"] == 90
    assert len(facts["undoes"]) == 1 and facts["operation"] == "undo-enrol"
    assert set(active_issues(faults, enrol_badge)) == before
    assert revoked_issues(faults, enrol_badge) == made

    # Again: nothing more to revoke, nothing sent, no prompt and no password needed.
    calls = revoke_requests(faults, "revokeIssue")
    again = subprocess.run(undo_command(tmp_path, faults.base_url), cwd=ROOT, env=env(None), capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "nothing more to revoke" in again.stderr
    assert revoke_requests(faults, "revokeIssue") == calls
    assert len(records(tmp_path / "undo.csv")) == 90


def test_a_script_runs_the_undo_it_was_written_for_and_says_what_it_revokes(
    tmp_path, faults, enrol_badge, enrolled_by_cli
):
    _, before = enrolled_by_cli
    done = subprocess.run(undo_command(tmp_path, faults.base_url), cwd=ROOT, env=env(), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "will revoke 90" in done.stderr
    assert len(active_issues(faults, enrol_badge)) == 30  # the 30 enrolled before the job stay


def test_at_a_terminal_no_means_nothing_is_revoked(
    tmp_path, faults, enrol_badge, enrolled_by_cli, monkeypatch, capsys
):
    monkeypatch.setenv("BADGES_PASSWORD", "demo")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: (print(prompt, file=sys.stderr), next(answers))[1])
    args = undo_command(tmp_path, faults.base_url)[3:]
    assert cli_undo.main(args) == cli_undo.EXIT_DECLINED
    assert "revoke 90? [y/N]" in capsys.readouterr().err
    assert len(active_issues(faults, enrol_badge)) == 120
    assert cli_undo.main(args) == 0
    assert len(active_issues(faults, enrol_badge)) == 30


def test_refusals(tmp_path, faults, enrol_badge, enrolled_by_cli):
    done = cli(undo_command(tmp_path, "http://127.0.0.1:9", "--yes"))
    assert done.returncode == 2 and "undo it with that --base-url" in done.stderr
    done = cli(undo_command(tmp_path, faults.base_url, "--yes", "--job", "job-nope"))
    assert done.returncode == 2 and "no job job-nope" in done.stderr
    done = cli(undo_command(tmp_path / "elsewhere", faults.base_url, "--yes"))
    assert done.returncode == 2 and "no journal" in done.stderr
    assert cli(undo_command(tmp_path, faults.base_url, "--yes")).returncode == 0
    journal = Journal(tmp_path / "jobs.sqlite")
    undo_id = next(j.job_id for j in journal.jobs() if j.operation == "undo-enrol")
    journal.close()
    done = cli(undo_command(tmp_path, faults.base_url, "--yes", "--job", undo_id))
    assert done.returncode == 2 and "itself an undo" in done.stderr


def test_every_job_of_the_latest_run_is_undone(tmp_path, client, faults, enrol_badge):
    other = client.create_badge(badge=badge_body(faults.now(), "ISSUE_EARN"), migration=True).id
    ids = customer_ids(45)
    journal = Journal(tmp_path / "jobs.sqlite")
    for badge in (enrol_badge, other):
        job = plan_job(journal, enrol_input(ids), org="demo", base_url=faults.base_url, badge_id=badge,
                       job_key="file", settings=PlanSettings())  # fmt: skip
        JobRunner(journal, job.job_id, client, config=FAST).run()
    journal._conn.execute("UPDATE jobs SET run_id = 'one-file'")
    journal.close()
    done = cli(undo_command(tmp_path, faults.base_url, "--yes"))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("will revoke 45 enrolment(s)") == 2
    rows = records(tmp_path / "undo.csv")
    assert len(rows) == 90 and {r["badgeMetaId"] for r in rows} == {enrol_badge, other}
    assert active_issues(faults, enrol_badge) == {} and active_issues(faults, other) == {}


@pytest.mark.parametrize("moment", ["answers-held", "mid-run"])
def test_sigkill_mid_undo_then_resume(tmp_path, client, faults, enrol_badge, moment):
    """Kill the undo while revokes are applied but unanswered, or at an arbitrary point; the same command
    resumes it: every enrolment the job made is revoked once, the ones applied before the kill are
    confirmed by the resend, and what existed before the job stays."""
    ids = customer_ids(1500)
    before = {b.issued_id for b in client.issue_bulk(badge_id=enrol_badge, customers=ids[:20]).issued_badges}
    journal = Journal(tmp_path / "jobs.sqlite")
    job = plan_job(journal, enrol_input(ids), org="demo", base_url=faults.base_url, badge_id=enrol_badge,
                   job_key="file", settings=PlanSettings())  # fmt: skip
    JobRunner(journal, job.job_id, client, config=FAST).run()
    made = {i.result_id for i in journal.items(job.job_id) if i.state.value == "SUCCEEDED"}
    assert len(made) == 1480
    delay = 5.0 if moment == "answers-held" else 0.2
    faults.set_faults([{**REVOKE_ISSUE, "kind": "commit_then_delay", "delay": delay}])
    args = undo_command(tmp_path, faults.base_url, "--yes")
    process = subprocess.Popen(
        args, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if moment == "answers-held":
            wait_for(lambda: len(revoked_issues(faults, enrol_badge)) >= 40)
        else:
            wait_for(lambda: len(revoked_issues(faults, enrol_badge)) >= 300)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    faults.clear_faults()
    undo = next(j for j in journal.jobs() if j.operation == "undo-enrol")
    interrupted = check_invariant(journal.counts(undo.job_id))
    assert interrupted.pending > 0
    applied = revoked_issues(faults, enrol_badge)
    unanswered = {
        i.row
        for b in journal.batches(undo.job_id, states=[BatchState.SENDING])
        for i in journal.batch_items(undo.job_id, b.batch)
        if i.target_id in applied
    }
    if moment == "answers-held":
        assert unanswered and interrupted.succeeded == 0

    done = cli(args)
    assert done.returncode == 0, done.stderr
    counts = check_invariant(journal.counts(undo.job_id))
    assert counts.succeeded == 1480 and counts.done
    items = journal.items(undo.job_id)
    confirmed = {i.row for i in items if i.reason == "confirmed-on-resend"}
    assert unanswered <= confirmed  # applied before the kill, claimed as this job's on the resend
    assert {i.reason for i in items} <= {"response", "confirmed-on-resend"}
    assert set(active_issues(faults, enrol_badge)) == before
    assert revoked_issues(faults, enrol_badge) == made
    journal.close()
