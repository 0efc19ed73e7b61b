"""The CLI at its default settings through the sandbox's network profile (remote, rate-limited, flaky)
and through a separate gateway process that fails the way real ones do (`tests.hostile_gateway`).

Every customer must end enrolled exactly once, the job must finish without pausing, the results file
must say so, and a second run with a new journal must report the customers as already enrolled
(skipped), never as succeeded: that run enrolled nobody.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bulk.conftest import customer_ids, enrolments, write_csv
from tests.bulk.test_cli import ROOT, env
from tests.hostile_gateway import running_gateway
from tests.hostile_gateway import stats as gateway_stats

pytestmark = pytest.mark.slow


@pytest.fixture
def flaky(sandbox):
    """The shared sandbox behind a short, rate-limited, flaky network (seeded), reset afterwards."""
    sandbox.set_network("flaky", latency_ms=40, jitter_ms=15, rate_per_s=25, seed=11)
    yield sandbox
    sandbox.set_network("off")


@pytest.fixture
def hostile_gateway(sandbox) -> Iterator[str]:
    """`tests.hostile_gateway` in its own process in front of the shared sandbox; yields its URL."""
    with running_gateway(sandbox.base_url, seed=5) as url:
        yield url


def run_cli(file: Path, badge: str, base_url: str, folder: Path) -> subprocess.CompletedProcess:
    """`python -m lib.bulk enrol` with nothing but the required arguments: the defaults are the product."""
    folder.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "lib.bulk", "enrol", str(file), "--badge", badge, "--base-url", base_url,
            "--user", "demo", "--journal", str(folder / "jobs.sqlite"), "--results", str(folder / "results.csv")]  # fmt: skip
    return subprocess.run(args, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600)


def statuses(folder: Path) -> dict[str, int]:
    with (folder / "results.csv").open(encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    out: dict[str, int] = {}
    for record in records:
        label = record["status"] + (f" ({record['reason']})" if record.get("reason") else "")
        out[label] = out.get(label, 0) + 1
    return out


def test_the_cli_at_defaults_enrols_everyone_once_through_a_flaky_rate_limited_network(
    tmp_path, flaky, enrol_badge
):
    ids = customer_ids(4000)
    file = write_csv(tmp_path / "customers.csv", ["customerId"], [[c] for c in ids])

    done = run_cli(file, enrol_badge, flaky.base_url, tmp_path / "first")
    assert done.returncode == 0, done.stderr[-2000:]
    counters = flaky.network().counters
    assert counters.injected_503 + counters.answers_lost > 0  # the network did misbehave
    assert enrolments(flaky, enrol_badge) == {c: 1 for c in ids}
    first = statuses(tmp_path / "first")
    assert sum(n for label, n in first.items() if label.startswith("succeeded")) == len(ids), first
    assert "paused" not in done.stderr and "in flight" in done.stderr
    assert "\r" not in done.stderr  # a log, not a terminal: whole lines only (lib/bulk/cli_progress)

    # A second upload comes later in practice; the runner tells an enrolment its own lost attempt made
    # from an older one by the second the server made it in (lib/bulk/outcomes.ServerClock).
    time.sleep(3)
    again = run_cli(file, enrol_badge, flaky.base_url, tmp_path / "second")
    assert again.returncode == 0, again.stderr[-2000:]
    second = statuses(tmp_path / "second")
    assert second == {"skipped (already-enrolled)": len(ids)}, second
    assert enrolments(flaky, enrol_badge) == {c: 1 for c in ids}


def test_the_cli_at_defaults_enrols_everyone_once_through_a_hostile_gateway(tmp_path, hostile_gateway, sandbox,
                                                                          enrol_badge):  # fmt: skip
    """HTML error pages, 429s with a Retry-After in seconds, as a date or none, 502s before the sandbox
    saw the request, 504s and bare 500s after it applied it, and latency spikes: still everyone once."""
    ids = customer_ids(6000)
    earlier = ids[::40]  # enrolled by someone else just before the job: some in every batch, lost or not
    with sandbox.client() as client:
        client.issue_bulk(badge_id=enrol_badge, customers=earlier)
    file = write_csv(tmp_path / "customers.csv", ["customerId"], [[c] for c in ids])
    # Ids carry the second they were made in: an enrolment made in the very second a lost batch was first
    # sent cannot be told from the job's own (README, lib/bulk/outcomes.ServerClock). The CLI now sends
    # its first batch within a second of starting, so the earlier enrolments are made a second before.
    time.sleep(1.5)

    done = run_cli(file, enrol_badge, hostile_gateway, tmp_path / "first")
    assert done.returncode == 0, done.stderr[-2000:]
    misbehaved = gateway_stats(hostile_gateway)
    assert misbehaved["refused_before"] > 0 and misbehaved["lost_after"] > 0, misbehaved
    assert enrolments(sandbox, enrol_badge) == {c: 1 for c in ids}
    first = statuses(tmp_path / "first")
    assert first.get("skipped (already-enrolled)") == len(earlier), first
    succeeded = sum(n for label, n in first.items() if label.startswith("succeeded"))
    assert succeeded == len(ids) - len(earlier), first
    assert "paused" not in done.stderr
