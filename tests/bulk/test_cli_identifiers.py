"""The command line over files keyed by mobile numbers and files naming several badges, run as a real
process against the sandbox: look-ups, refusals with the server's code, per-badge jobs, dry run."""

from __future__ import annotations

import csv
import json
import sys
import uuid
from pathlib import Path

import pytest

from lib.bulk.journal import Journal
from tests.bulk.conftest import badge_body, customer_ids, enrolments, issue_requests, write_csv
from tests.bulk.test_cli import cli

# Every test runs the command line in a child process (a new Python that imports pandas) against the
# sandbox, often twice (a kill, then a resume): a few seconds apiece, so the module is `slow`.
pytestmark = pytest.mark.slow


def base(operation: str, file: Path, url: str, tmp: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "lib.bulk", operation, str(file), "--base-url", url, "--user", "demo",
            "--backoff-base", "0.01", "--backoff-cap", "0.05", "--settle-delay", "0", *extra]  # fmt: skip


def stored(tmp: Path) -> list[str]:
    return ["--journal", str(tmp / "jobs.sqlite"), "--results", str(tmp / "results.csv")]


def records(tmp: Path) -> list[dict[str, str]]:
    with (tmp / "results.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def mobiles_for(sandbox, ids: list[int]) -> dict[int, str]:
    tag = uuid.uuid4().int % 10**6
    numbers = {c: f"91{tag:06d}{k:04d}" for k, c in enumerate(ids)}
    sandbox.add_customers([{"customerId": c, "mobile": m} for c, m in numbers.items()])
    return numbers


def test_a_mobile_keyed_file_enrols_the_customers_it_names(tmp_path, faults, enrol_badge):
    ids = customer_ids(40)
    numbers = mobiles_for(faults, ids)
    unknown = ["910000000001", "910000000002"]
    rows = [[f"+{m[:2]} {m[2:7]} {m[7:]}"] for m in numbers.values()] + [[u] for u in unknown]
    file = write_csv(tmp_path / "members.csv", ["Mobile"], rows)
    done = cli(base("enrol", file, faults.base_url, tmp_path, "--badge", enrol_badge, *stored(tmp_path),
                    "--summary-json", str(tmp_path / "summary.json")))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert enrolments(faults, enrol_badge) == {c: 1 for c in ids}
    table = records(tmp_path)
    assert len(table) == 42 and list(table[0])[:3] == ["row", "mobile", "customerId"]
    by_mobile = {r["mobile"]: r for r in table}
    for customer, number in numbers.items():
        row = by_mobile[number]
        assert (row["customerId"], row["status"]) == (str(customer), "succeeded")
    for number in unknown:
        row = by_mobile[number]
        assert (row["status"], row["errorCode"], row["customerId"]) == ("failed", "1026", "")
        assert "not the mobile number of a customer" in row["errorMessage"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["byStatus"]["succeeded"] == 40 and summary["byErrorCode"] == {"1026": 2}

    # Running it again resumes the job: no look-up and no enrolment is sent twice.
    before = faults.stats()
    again = cli(base("enrol", file, faults.base_url, tmp_path, "--badge", enrol_badge, *stored(tmp_path)))
    assert again.returncode == 0 and "resuming" in again.stderr
    after = faults.stats()["by_endpoint"]
    for endpoint in ("get_fixed_window_details", "issue_bulk"):
        assert after.get(endpoint, 0) == before["by_endpoint"].get(endpoint, 0), endpoint


def test_dry_run_reports_the_look_up_and_writes_nothing(tmp_path, faults, enrol_badge):
    ids = customer_ids(5)
    numbers = mobiles_for(faults, ids)
    file = write_csv(tmp_path / "m.csv", ["mobile"], [[m] for m in numbers.values()] + [["919999999999"]])
    before = issue_requests(faults)
    done = cli(base("enrol", file, faults.base_url, tmp_path, "--badge", enrol_badge, "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert "Rows to send: 5" in done.stdout and "nothing was sent" in done.stdout
    assert "1 with errors" not in done.stdout  # the look-up refusal is counted in the summary, below
    assert issue_requests(faults) == before
    assert not list(tmp_path.glob("*.sqlite")) and not (tmp_path / "results.csv").exists()


def test_a_file_naming_two_badges_makes_one_job_per_badge(tmp_path, faults, client):
    gold = client.create_badge(badge=badge_body(faults.now(), "ISSUE_EARN"), migration=True)
    silver = client.create_badge(badge=badge_body(faults.now(), "ISSUE_EARN"), migration=True)
    ids = customer_ids(30)
    rows = [[c, gold.id if k % 3 == 0 else silver.name] for k, c in enumerate(ids)]
    rows += [[ids[0] + 10**6, "No such badge"], [ids[1] + 10**6, silver.name.upper()]]
    file = write_csv(tmp_path / "two.csv", ["customerId", "badge"], rows)
    done = cli(base("enrol", file, faults.base_url, tmp_path, *stored(tmp_path),
                    "--summary-json", str(tmp_path / "summary.json")))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert enrolments(faults, gold.id) == {c: 1 for k, c in enumerate(ids) if k % 3 == 0}
    assert enrolments(faults, silver.id) == {c: 1 for k, c in enumerate(ids) if k % 3}
    table = records(tmp_path)
    assert len(table) == 32 and [int(r["row"]) for r in table] == list(range(2, 34))
    assert {r["badgeName"] for r in table if r["status"] == "succeeded"} == {gold.name, silver.name}
    refused = [r for r in table if r["status"] == "failed"]
    assert [r["badgeMetaId"] for r in refused] == ["", ""]
    assert "matches no badge name" in refused[0]["errorMessage"]
    assert f"did you mean '{silver.name}'" in refused[1]["errorMessage"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert len(summary["jobIds"]) == 2 and summary["runId"]
    assert summary["byBadge"][gold.id]["succeeded"] == 10 and summary["byBadge"][silver.id]["succeeded"] == 20
    journal = Journal(tmp_path / "jobs.sqlite")
    try:
        jobs = journal.jobs()
    finally:
        journal.close()
    assert {j.badge_id for j in jobs} == {gold.id, silver.id} and len({j.run_id for j in jobs}) == 1


def test_without_badge_or_badge_column_the_command_says_what_is_missing(tmp_path, faults):
    file = write_csv(tmp_path / "c.csv", ["customerId"], [[c] for c in customer_ids(3)])
    done = cli(base("enrol", file, faults.base_url, tmp_path, *stored(tmp_path)))
    assert done.returncode == 2 and "Name the badge" in done.stderr
