"""The headless command line, run as a real process against the sandbox: exit codes, results file,
password handling, resume after SIGKILL mid-run."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib.bulk.journal import BatchState, Journal, check_invariant
from lib.bulk.planner import DEFAULT_CONCURRENCY
from tests.bulk.conftest import DAY, customer_ids, earns, enrolments, issue_requests, write_csv

# Every test runs the command line in a child process (a new Python that imports pandas) against the
# sandbox, often twice (a kill, then a resume): a few seconds apiece, so the module is `slow`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "demo"
ISSUE = {"method": "POST", "path_suffix": "issueBulk"}


def command(operation: str, file: Path, badge: str, base_url: str, tmp: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "lib.bulk", operation, str(file), "--badge", badge, "--base-url", base_url,
            "--user", "demo", "--journal", str(tmp / "jobs.sqlite"), "--results", str(tmp / "results.csv"),
            "--backoff-base", "0.01", "--backoff-cap", "0.05", "--settle-delay", "0", *extra]  # fmt: skip


def env(password: str | None = SECRET) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "BADGES_PASSWORD"}
    if password is not None:
        out["BADGES_PASSWORD"] = password
    return out


def cli(args: list[str], password: str | None = SECRET) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env(password), capture_output=True, text=True, timeout=180)


def results_of(tmp: Path) -> list[dict[str, str]]:
    with (tmp / "results.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def enrol_file(tmp: Path, ids: list[int], name: str = "customers.csv") -> Path:
    return write_csv(tmp / name, ["customerId"], [[c] for c in ids])


def test_enrol_writes_results_and_never_shows_the_password(tmp_path, faults, enrol_badge):
    ids = customer_ids(250)
    rows = [[c] for c in ids] + [["abc"], [ids[0]]]
    file = write_csv(tmp_path / "customers.csv", ["Customer ID"], rows)
    done = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path, "--batch-size", "100"))
    assert done.returncode == 0, done.stderr
    records = results_of(tmp_path)
    assert len(records) == 252
    assert {"customerId", "status", "issuedId", "errorCode", "errorMessage", "requestId"} <= set(records[0])
    by_status = {s: sum(r["status"] == s for r in records) for s in ("succeeded", "failed", "skipped")}
    assert by_status == {"succeeded": 250, "failed": 1, "skipped": 1}
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}

    before = issue_requests(faults)
    again = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path))
    assert again.returncode == 0 and "resuming" in again.stderr
    assert issue_requests(faults) == before


def test_summary_json_counts_what_this_run_did_for_a_scheduler(tmp_path, faults, enrol_badge):
    """Customers enrolled by an earlier run (another journal) are skipped with 1040, never succeeded."""
    ids = customer_ids(20)
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    early_file = enrol_file(tmp_path, ids[:8], "early.csv")
    assert cli(command("enrol", early_file, enrol_badge, faults.base_url, earlier)).returncode == 0
    summary_path = tmp_path / "out" / "summary.json"
    done = cli(command("enrol", enrol_file(tmp_path, ids), enrol_badge, faults.base_url, tmp_path,
                       "--summary-json", str(summary_path)))  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(summary_path.read_text())
    assert summary["state"] == "COMPLETED" and summary["exitCode"] == 0 and summary["rows"] == 20
    assert summary["byStatus"] == {"succeeded": 12, "failed": 0, "skipped": 8, "pending": 0, "unknown": 0}
    assert summary["byErrorCode"] == {"1040": 8} and summary["byReason"] == {"already-enrolled": 8}
    assert summary["badgeId"] == enrol_badge and summary["jobId"].startswith("job-")


def test_oauth_key_and_secret_from_the_environment(tmp_path, faults, enrol_badge):
    ids = customer_ids(30)
    args = command("enrol", enrol_file(tmp_path, ids), enrol_badge, faults.base_url, tmp_path, "--auth", "oauth")
    args.remove("--user")
    args.remove("demo")  # the username: OAuth needs none
    keyed = {**env(None), "BADGES_CLIENT_KEY": "demo", "BADGES_CLIENT_SECRET": SECRET}
    done = subprocess.run(args, cwd=ROOT, env=keyed, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}
    missing = subprocess.run(args, cwd=ROOT, env=env(None), capture_output=True, text=True, timeout=180)
    assert missing.returncode == 2 and "BADGES_CLIENT_SECRET" in missing.stderr


def test_password_is_required(tmp_path, faults, enrol_badge):
    file = enrol_file(tmp_path, customer_ids(3))
    done = subprocess.run(command("enrol", file, enrol_badge, faults.base_url, tmp_path), cwd=ROOT,
                          env=env(None), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "BADGES_PASSWORD" in done.stderr


def test_a_file_without_customer_ids_is_refused(tmp_path, faults, enrol_badge):
    file = write_csv(tmp_path / "bad.csv", ["name"], [["Ann"]])
    done = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path))
    assert done.returncode == 2 and "customerId" in done.stderr


def test_wrong_password_stops_with_exit_3(tmp_path, faults, enrol_badge):
    file = enrol_file(tmp_path, customer_ids(50))
    done = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path), password="Xq9-not-it-zz")
    # The badge is read before anything is planned: refused credentials stop the command there.
    assert done.returncode == 3 and "credentials" in done.stderr
    assert "Xq9-not-it-zz" not in done.stderr + done.stdout
    assert not (tmp_path / "results.csv").exists() and not (tmp_path / "jobs.sqlite").exists()


def test_a_paused_job_exits_4_and_resumes_later(tmp_path, faults, enrol_badge):
    ids = customer_ids(40)
    file = enrol_file(tmp_path, ids)
    faults.set_faults([{**ISSUE, "status": 429, "retry_after": "600", "count": 1}])
    paused = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path))
    assert paused.returncode == 4 and "rate-limited" in paused.stderr and "after" in paused.stderr
    faults.clear_faults()
    # The server asked for ten minutes; a resume with a cap above that waits it out, so the test
    # pretends that time has passed by moving the batch's wait to now.
    journal = Journal(tmp_path / "jobs.sqlite")
    journal._conn.execute("UPDATE batches SET not_before = NULL")
    journal.close()
    done = cli(command("enrol", file, enrol_badge, faults.base_url, tmp_path))
    assert done.returncode == 0, done.stderr
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}


def test_import_command(tmp_path, faults, import_badge):
    ids = customer_ids(120)
    event = int(faults.now().timestamp()) - 3 * DAY
    file = write_csv(tmp_path / "earned.csv", ["customerId", "earnEventDate", "earnExpiresOn"],
                     [[c, event, event + 30 * DAY] for c in ids])  # fmt: skip
    done = cli(command("import", file, import_badge, faults.base_url, tmp_path))
    assert done.returncode == 0, done.stderr
    records = results_of(tmp_path)
    assert {r["status"] for r in records} == {"succeeded"} and all(
        len(r["earnedBadgeId"]) == 24 for r in records
    )
    assert earns(faults, import_badge) == {(c, event): 1 for c in ids}


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def journal_state(path: Path):
    """A reader's view of the journal another process is writing (None until the job exists)."""
    if not path.exists():
        return None
    journal = Journal(path)
    try:
        jobs = journal.jobs()
        return (journal, jobs[0]) if jobs else None
    except Exception:  # noqa: BLE001 - the writer may still be creating the file
        journal.close()
        return None


@pytest.mark.parametrize("moment", ["server-committed-answer-pending", "mid-run"])
def test_sigkill_mid_run_then_resume(tmp_path, faults, enrol_badge, moment):
    """S2: kill the CLI while a batch is in flight (the server applied it but the answer never came
    back) or at an arbitrary point; the same command resumes, the in-flight batch is resolved under
    its own requestId, and nobody is enrolled twice."""
    ids = customer_ids(3000)
    file = enrol_file(tmp_path, ids)
    if moment == "server-committed-answer-pending":
        faults.set_faults([{**ISSUE, "kind": "commit_then_delay", "delay": 5.0, "count": 1}])
    else:
        faults.set_faults([{**ISSUE, "kind": "commit_then_delay", "delay": 0.02}])
    args = command("enrol", file, enrol_badge, faults.base_url, tmp_path, "--batch-size", "50")
    if moment == "server-committed-answer-pending":
        args += ["--concurrency", "1"]  # so that batch 0 is the one whose answer is held
    process = subprocess.Popen(
        args, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    path = tmp_path / "jobs.sqlite"
    try:
        wait_for(lambda: journal_state(path) is not None)
        journal, job = journal_state(path)
        if moment == "server-committed-answer-pending":
            wait_for(lambda: journal.batch(job.job_id, 0).state is BatchState.SENDING)
            wait_for(lambda: enrolments(faults, enrol_badge))  # the server has committed batch 0
        else:
            wait_for(lambda: journal.counts(job.job_id).succeeded >= 500)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    faults.clear_faults()
    interrupted = check_invariant(journal.counts(job.job_id))
    assert interrupted.pending > 0
    batches = len(journal.batches(job.job_id))
    before = issue_requests(faults)

    done = cli(args)
    assert done.returncode == 0, done.stderr
    counts = check_invariant(journal.counts(job.job_id))
    assert counts.succeeded == 3000 and counts.done
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}
    finished = {b.batch for b in journal.batches(job.job_id)}
    assert len(finished) == batches  # nothing had to be re-planned
    resent = issue_requests(faults) - before - interrupted.planned // 50
    # At most the batches in flight when killed (the adaptive limit's ceiling), each resent once under
    # a fresh requestId.
    assert resent <= DEFAULT_CONCURRENCY
    if moment == "server-committed-answer-pending":
        # The resend is answered 1040 with the enrolments the killed run made: this job's work, settled
        # in one call, without a read per customer.
        first = {i.source for i in journal.items(job.job_id) if i.batch == 0}
        assert first == {"confirmed"}
    journal.close()
