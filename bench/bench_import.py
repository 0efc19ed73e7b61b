"""Bench: import 100,000 earned-badge rows end to end, beside a plain one-row-per-request loop.

End to end = read the CSV (customerId, earnEventDate, earnExpiresOn), map and validate it, plan the
job into the journal (SQLite, WAL, synchronous=FULL), send every batch to the local sandbox's
``PUT import/customerBadges`` over loopback HTTP (batch 100, the default adaptive limit), write the
results CSV.
Target: <= 20 s.

Peer, measured in the same run against the same server on a fresh badge: a plain loop importing
one row per request, no journal; timed on a 2,000-row sample and extrapolated to 100,000.

The sandbox runs as its own process (``python -m lib.sandbox``, temp database), as a real server
would, so neither side's work is charged to the other through one interpreter lock.

    python bench/bench_import.py [--rows 100000] [--sample 2000] [--batch-size 100] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_enrol import DAY, end_to_end, new_badge, sandbox_process  # noqa: E402
from lib.bulk.model import Operation  # noqa: E402
from lib.bulk.planner import DEFAULT_CONCURRENCY  # noqa: E402
from lib.sandbox.demo_orgs import demo_client  # noqa: E402


def plain_loop(client, badge: str, rows: list[tuple[int, int, int]]) -> float:
    from datetime import UTC, datetime

    start = time.perf_counter()
    for customer, event, expires in rows:
        client.import_customer_badges(items=[{
            "badge_meta_id": badge, "customer_id": customer,
            "earn_event_date": datetime.fromtimestamp(event, UTC),
            "earn_expires_on": datetime.fromtimestamp(expires, UTC),
        }])  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="ceiling of the adaptive limit"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        now = int(time.time())
        first = 2_000_000
        rows = [(first + n, now - (n % 300) * DAY, now + 365 * DAY) for n in range(args.rows)]
        csv_path = tmp / "earned.csv"
        csv_path.write_text(
            "customerId,earnEventDate,earnExpiresOn\n" + "\n".join(f"{c},{e},{x}" for c, e, x in rows) + "\n"
        )
        with (
            sandbox_process(tmp / "sandbox.db") as base_url,
            demo_client(base_url) as client,
        ):
            job_badge, loop_badge = new_badge(client, "EARN"), new_badge(client, "EARN")
            marks = end_to_end(client, base_url, job_badge, csv_path, tmp, args, Operation.IMPORT)
            loop_seconds = plain_loop(client, loop_badge, rows[: args.sample])

    extrapolated = loop_seconds / args.sample * args.rows
    total = marks["total"]
    print(f"import {args.rows:,} earned badges end to end (batch {args.batch_size}, adaptive up to {args.concurrency} in flight, "
          f"journal WAL+FULL, sandbox process over loopback HTTP)")  # fmt: skip
    for name, seconds in marks.items():
        print(f"  {name:<24} {seconds:8.2f} s")
    print(f"  {'throughput':<24} {args.rows / total:8,.0f} rows/s   (target: total <= 20 s)")
    print(f"peer: one import request per row, plain loop, {args.sample:,} rows")
    print(f"  {'measured':<24} {loop_seconds:8.2f} s  ({args.sample / loop_seconds:,.0f} rows/s)")
    print(f"  {'extrapolated to ' + format(args.rows, ','):<24} {extrapolated:8.1f} s")
    print(f"ratio: the job is {extrapolated / total:.1f}x faster than the plain loop")


if __name__ == "__main__":
    main()
