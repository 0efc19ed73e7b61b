"""Bench: enrol 100,000 customers end to end, beside a plain one-request-per-customer loop.

End to end = read the CSV (in the contained reader child, as every upload is; the child is started
and has loaded its parsers beforehand, as the command line and the console have theirs), map and validate it, plan the job into the journal (SQLite, WAL,
synchronous=FULL), send every batch to the local sandbox over loopback HTTP (batch 100, 2 in
flight at first, adapting up to the default ceiling), and write the per-row results CSV. Target: <= 5 s (issue 10), in every run.

Peer, measured in the same run against the same server on a fresh badge: the plain approach a
script would take, one issueBulk call per customer in a loop, with no journal at all; timed on a
2,000-customer sample and extrapolated to 100,000. Target: the job is >= 30x faster.

The sandbox runs as its own process (``python -m lib.sandbox`` on a free loopback port, temp
database), as a real server would: the client's threads and the server's event loop then never queue
for one interpreter lock, which would charge the server's work to the client's figures (and the
other way round). Both the job and the peer loop talk to that one server.

    python bench/bench_enrol.py [--customers 100000] [--sample 2000] [--batch-size 100] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.api.client import BadgesClient  # noqa: E402
from lib.bulk import reader_process, results  # noqa: E402
from lib.bulk.contained import Containment, read_untrusted  # noqa: E402
from lib.bulk.journal import Journal, check_invariant  # noqa: E402
from lib.bulk.mapping import suggest_mapping  # noqa: E402
from lib.bulk.model import Operation  # noqa: E402
from lib.bulk.planner import DEFAULT_CONCURRENCY, PlanSettings, file_key, plan_job  # noqa: E402
from lib.bulk.runner import JobRunner  # noqa: E402
from lib.bulk.validate import validate  # noqa: E402
from lib.sandbox.demo_orgs import demo_client  # noqa: E402

DAY = 86_400
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sandbox_process(db_path: Path, startup_timeout: float = 30.0, extra: tuple[str, ...] = ()):
    """``python -m lib.sandbox --empty`` in its own process; yields its base URL, stops it on exit."""
    port = _free_port()
    command = [sys.executable, "-m", "lib.sandbox", "--port", str(port), "--db", str(db_path), "--empty", *extra]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the sandbox exited with code {server.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the sandbox did not start in time") from None
                time.sleep(0.05)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def new_badge(client: BadgesClient, earn_type: str = "ISSUE_EARN") -> str:
    now = int(time.time())
    body = {
        "name": f"Bench {uuid.uuid4().hex[:8]}",
        "description": "bulk bench",
        "startOn": now - DAY,
        "expiresOn": now + 365 * DAY,
        "earnType": earn_type,
        "earnedBadgeExpiry": {"expiryType": "NEVER"},
        "issuedBadgeExpiry": {"expiryType": "NEVER"},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [],
        "badgeConstraints": [],
    }
    return client.create_badge(badge=body, migration=True).id


def end_to_end(
    client, base_url: str, badge: str, csv_path: Path, tmp: Path, args, operation: Operation = Operation.ENROL
) -> dict[str, float]:
    """File -> validated rows -> planned job -> sent -> results file; the seconds of each step.

    Shared by the enrol and import benches: only the operation (and so the columns) differ."""
    marks: dict[str, float] = {}
    # The reader's child is started before the file is read, as `python -m lib.bulk` starts it while it
    # loads (0.4 s beside the command line's 0.8 s) and the console while its upload widget waits.
    caps = Containment.from_env().caps
    reader_process.prepare(caps)
    reader_process.wait_ready(caps)
    start = time.perf_counter()
    data = csv_path.read_bytes()
    table = read_untrusted(data, csv_path.name)  # the contained read every upload takes
    validated = validate(table.frame, suggest_mapping(operation, table.headers))
    assert validated.error_count == 0, validated.issues.head()
    marks["read + validate"] = time.perf_counter() - start
    tmp.mkdir(parents=True, exist_ok=True)
    journal = Journal(tmp / "jobs.sqlite")
    t = time.perf_counter()
    job = plan_job(journal, validated, org="demo", base_url=base_url, badge_id=badge, job_key=file_key(data),
                   file_sha256=file_key(data), file_name=csv_path.name,
                   settings=PlanSettings(batch_size=args.batch_size, concurrency=args.concurrency))  # fmt: skip
    marks["plan (journal)"] = time.perf_counter() - t
    t = time.perf_counter()
    outcome = JobRunner(journal, job.job_id, client).run()
    marks["send (journal + HTTP)"] = time.perf_counter() - t
    t = time.perf_counter()
    (tmp / "results.csv").write_bytes(results.results_csv(journal, job.job_id))
    marks["results file"] = time.perf_counter() - t
    marks["total"] = time.perf_counter() - start
    counts = check_invariant(journal.counts(job.job_id))
    assert outcome.state.value == "COMPLETED" and counts.succeeded == len(validated.valid), counts
    journal.close()
    return marks


def plain_loop(client, badge: str, ids: list[int]) -> float:
    start = time.perf_counter()
    for customer in ids:
        client.issue_bulk(badge_id=badge, customers=[customer])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="ceiling of the adaptive limit")
    parser.add_argument("--also-batch-size", type=int, default=500,
                        help="a second end-to-end run at this batch size (0 = skip)")  # fmt: skip
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        csv_path = tmp / "customers.csv"
        first = 1_000_000
        csv_path.write_text(
            "customerId\n" + "\n".join(str(c) for c in range(first, first + args.customers)) + "\n"
        )
        with (
            sandbox_process(tmp / "sandbox.db") as base_url,
            demo_client(base_url) as client,
        ):
            job_badge, loop_badge = new_badge(client), new_badge(client)
            marks = end_to_end(client, base_url, job_badge, csv_path, tmp / "default", args)
            bigger = None
            if args.also_batch_size:
                wide = argparse.Namespace(**{**vars(args), "batch_size": args.also_batch_size})
                bigger = end_to_end(client, base_url, new_badge(client), csv_path, tmp / "wide", wide)
            loop_seconds = plain_loop(client, loop_badge, list(range(first, first + args.sample)))

    per_customer = loop_seconds / args.sample
    extrapolated = per_customer * args.customers
    total = marks["total"]
    print(f"enrol {args.customers:,} customers end to end (batch {args.batch_size}, adaptive up to {args.concurrency} in flight, "
          f"journal WAL+FULL, sandbox process over loopback HTTP)")  # fmt: skip
    for name, seconds in marks.items():
        print(f"  {name:<24} {seconds:8.2f} s")
    print(f"  {'throughput':<24} {args.customers / total:8,.0f} customers/s   (target: total <= 5 s)")
    print(f"peer: one issueBulk call per customer, plain loop, {args.sample:,} customers")
    print(f"  {'measured':<24} {loop_seconds:8.2f} s  ({args.sample / loop_seconds:,.0f} customers/s)")
    print(f"  {'extrapolated to ' + format(args.customers, ','):<24} {extrapolated:8.1f} s")
    print(f"ratio: the job is {extrapolated / total:.1f}x faster than the plain loop   (target: >= 30x)")
    if bigger is not None:
        print(
            f"same job at batch {args.also_batch_size} (the issueBulk maximum): total {bigger['total']:.2f} s, "
            f"send {bigger['send (journal + HTTP)']:.2f} s, {extrapolated / bigger['total']:.1f}x the plain loop"
        )


if __name__ == "__main__":
    main()
